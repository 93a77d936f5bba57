//! Inline SVG charts for the HTML report: the error-rate timeline with the incident window
//! marked, and small per-finding sparklines. Pure strings, no scripts, no external assets;
//! every label goes through `sanitize::html`.

use std::fmt::Write;

use super::build::short_time;
use super::incident::pct;
use super::model::{IncidentWindow, Timeline};
use crate::sanitize;

const W: f64 = 1000.0;
const H: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 56.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 30.0;

/// Events (grey) and errors (red) per bucket as bars, the error rate as a line on its own
/// axis, and the incident window as a shaded band.
pub fn timeline_chart(tl: &Timeline, w: &IncidentWindow, reference: Option<i64>) -> String {
    let mut s = String::new();
    let n = tl.len();
    if n == 0 {
        return s;
    }
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let bw = plot_w / n as f64;
    let max_ev = tl.events.iter().copied().max().unwrap_or(0).max(1) as f64;
    // Buckets with too few events to give a rate are gaps in the line.
    let min_n = super::min_rate_events(&tl.events);
    let rates: Vec<Option<f64>> = (0..n)
        .map(|i| tl.error_rate(i).filter(|_| tl.events[i] >= min_n))
        .collect();
    let max_rate = rates
        .iter()
        .flatten()
        .copied()
        .fold(0.0f64, f64::max)
        .max(0.01);
    let max_rate = nice_ceiling(max_rate);
    let x = |i: usize| LEFT + i as f64 * bw;
    let _ = write!(
        s,
        r##"<svg class="chart" id="timeline-chart" viewBox="0 0 {W} {H}" role="img" aria-label="Error rate over time">"##
    );
    // Horizontal grid and axis labels.
    for k in 0..=4 {
        let y = TOP + plot_h - plot_h * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e7eb" stroke-width="1"/>"##,
            W - RIGHT
        );
        let ev_label = (max_ev * k as f64 / 4.0).round() as u64;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#6b7280" text-anchor="end">{}</text>"##,
            LEFT - 6.0,
            y + 4.0,
            super::fmt_count(ev_label)
        );
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#b91c1c" text-anchor="start">{}</text>"##,
            W - RIGHT + 6.0,
            y + 4.0,
            pct(max_rate * k as f64 / 4.0)
        );
    }
    // Bars.
    let gap = if bw > 3.0 { 0.6 } else { 0.0 };
    for i in 0..n {
        let ev = tl.events[i] as f64;
        if ev == 0.0 {
            continue;
        }
        let h = plot_h * ev / max_ev;
        let _ = write!(
            s,
            r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{h:.2}" fill="#cbd5e1"/>"##,
            x(i) + gap / 2.0,
            TOP + plot_h - h,
            (bw - gap).max(0.5)
        );
        let er = tl.errors[i] as f64;
        if er > 0.0 {
            let he = plot_h * er / max_ev;
            let _ = write!(
                s,
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{he:.2}" fill="#f87171"/>"##,
                x(i) + gap / 2.0,
                TOP + plot_h - he,
                (bw - gap).max(0.5)
            );
        }
    }
    // Incident window band, over the bars (translucent) and under the rate line.
    let mut band = String::new();
    if let (true, Some(a), Some(b)) = (w.found, w.start_ms, w.end_ms) {
        let xa = LEFT + ((a - tl.start_ms) as f64 / tl.bucket_ms as f64) * bw;
        let xb = LEFT + ((b - tl.start_ms) as f64 / tl.bucket_ms as f64) * bw;
        let (xa, xb) = (xa.clamp(LEFT, W - RIGHT), xb.clamp(LEFT, W - RIGHT));
        let _ = write!(
            band,
            r##"<rect class="window" x="{xa:.1}" y="{TOP}" width="{:.1}" height="{plot_h}" fill="#fde68a" fill-opacity="0.5"><title>incident window</title></rect><text x="{:.1}" y="{:.1}" font-size="11" font-weight="600" fill="#92400e">incident window</text>"##,
            (xb - xa).max(1.5),
            xa + 2.0,
            TOP - 7.0
        );
    }
    s.push_str(&band);
    // Error-rate line (gaps where a bucket had no events, or too few).
    let mut path = String::new();
    let mut pen_down = false;
    for (i, r) in rates.iter().enumerate() {
        match r {
            Some(r) => {
                let px = x(i) + bw / 2.0;
                let py = TOP + plot_h - plot_h * (r / max_rate).min(1.0);
                let _ = write!(path, "{}{px:.1},{py:.1} ", if pen_down { "L" } else { "M" });
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let _ = write!(
        s,
        r##"<path class="rate" d="{}" fill="none" stroke="#b91c1c" stroke-width="1.8" stroke-linejoin="round"/>"##,
        path.trim_end()
    );
    // Time axis: about six labels.
    let ticks = 6usize.min(n);
    for k in 0..=ticks {
        let i = (n * k / ticks.max(1)).min(n);
        let t = tl.bucket_start(i);
        let px = LEFT + i as f64 * bw;
        let anchor = if k == 0 {
            "start"
        } else if k == ticks {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            s,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{:.1}" y2="{:.1}" stroke="#9ca3af"/><text x="{px:.1}" y="{:.1}" font-size="11" fill="#374151" text-anchor="{anchor}">{}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 4.0,
            TOP + plot_h + 18.0,
            sanitize::html(&short_time(t, reference))
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#9ca3af"/></svg>"##,
        W - RIGHT,
        TOP + plot_h,
        TOP + plot_h
    );
    s
}

/// Rounds up to 1, 2 or 5 times a power of ten (for axis maxima).
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x - 1e-12 {
            return (m * p).min(1.0);
        }
    }
    (10.0 * p).min(1.0)
}

/// A small bar sparkline of counts, `width` × `height` pixels.
pub fn sparkline(values: &[u64], width: f64, height: f64, color: &str) -> String {
    let mut s = String::new();
    if values.is_empty() {
        return s;
    }
    let v = super::squeeze(values, 120);
    let max = v.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bw = width / v.len() as f64;
    let _ = write!(
        s,
        r##"<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}"><line x1="0" x2="{width}" y1="{:.1}" y2="{:.1}" stroke="#e5e7eb"/>"##,
        height - 0.5,
        height - 0.5
    );
    for (i, &c) in v.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let h = ((height - 1.0) * c as f64 / max).max(1.0);
        let _ = write!(
            s,
            r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{h:.2}" fill="{}"/>"##,
            i as f64 * bw,
            height - h,
            bw.max(0.6),
            sanitize::html(color)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_maxima() {
        assert_eq!(nice_ceiling(0.013), 0.02);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(nice_ceiling(0.9), 1.0);
    }

    #[test]
    fn sparkline_has_bars_for_nonzero_counts() {
        let s = sparkline(&[0, 1, 2], 30.0, 10.0, "#000");
        assert!(s.starts_with("<svg"));
        assert_eq!(s.matches("<rect").count(), 2);
    }
}
