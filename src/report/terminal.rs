//! Terminal renderer: the headline, ranked findings with evidence, the incident window with
//! an error-rate sparkline, top error templates and the input overview, laid out for the
//! terminal's width (80 columns at least).
//!
//! Colour and block-character sparklines only when `color` (a TTY without `NO_COLOR`);
//! otherwise plain text that greps and pastes well. All log content goes through
//! `sanitize::terminal` so escape sequences in logs are shown, never executed.

use std::io::Write;

use comfy_table::{Attribute, Cell, CellAlignment, Color};

use super::build::short_time;
use super::incident::pct;
use super::model::*;
use super::{
    ellipsize, fmt_calls, fmt_count, fmt_duration, fmt_failed, sparkline, squeeze, table, Renderer,
};
use crate::detect::Severity;
use crate::sanitize;

pub struct TerminalRenderer {
    pub color: bool,
    pub width: u16,
}

/// Findings shown in full; the rest are listed in a compact table.
const DETAILED: usize = 10;
/// Findings listed one per line after the detailed ones.
const LISTED: usize = 20;

fn sev_color(s: Severity) -> Color {
    match s {
        Severity::Critical => Color::Red,
        Severity::High => Color::DarkRed,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Cyan,
        Severity::Info => Color::Grey,
    }
}

impl TerminalRenderer {
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Text indented by two spaces and wrapped to the width.
    fn wrapped(&self, s: &str) -> String {
        wrap(s, self.width as usize, "  ")
    }

    fn heading(&self, out: &mut dyn Write, s: &str) -> std::io::Result<()> {
        writeln!(out)?;
        writeln!(out, "{}", self.bold(&s.to_uppercase()))
    }

    fn new_table(&self, header: &[&str]) -> comfy_table::Table {
        let mut t = table::new_table(header, self.width);
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t
    }

    /// Text that fits in a cell of the findings table.
    fn cell_width(&self) -> usize {
        (self.width as usize).saturating_sub(30).max(30)
    }

    fn spark(&self, values: &[u64], width: usize) -> String {
        if values.is_empty() {
            return String::new();
        }
        let s = sparkline(&squeeze(values, width));
        if self.color {
            s
        } else {
            // Plain output stays ASCII-friendly for logs and mail: digits 0-9 by height.
            let v = squeeze(values, width);
            let max = v.iter().copied().max().unwrap_or(0);
            v.iter()
                .map(|&x| {
                    if max == 0 || x == 0 {
                        '.'
                    } else {
                        char::from(b'0' + ((x * 9) / max) as u8)
                    }
                })
                .collect()
        }
    }
}

impl Renderer for TerminalRenderer {
    fn render(&self, r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let ov = &r.overview;
        let t0 = ov.day_reference();
        // Title line.
        let mut title = format!(
            "{} events · {} source{}",
            fmt_count(ov.events),
            ov.sources.len(),
            if ov.sources.len() == 1 { "" } else { "s" }
        );
        if let (Some(a), Some(b)) = (ov.start_ms, ov.end_ms) {
            title.push_str(&format!(
                " · {} → {} ({})",
                super::rfc3339(a),
                short_time(b, Some(a)),
                fmt_duration((b - a) as f64 / 1000.0)
            ));
        }
        writeln!(out, "{}", self.dim(&ellipsize(&title, self.width as usize)))?;
        writeln!(out)?;
        let headline = wrap(
            &sanitize::terminal(&r.headline),
            self.width as usize - 2,
            "  ",
        );
        writeln!(
            out,
            "{}",
            self.bold(&format!("▶ {}", headline.trim_start()))
        )?;

        // Findings.
        if r.findings.is_empty() {
            self.heading(out, "Findings")?;
            writeln!(out, "{}", self.wrapped(&super::build::no_findings_text(r)))?;
        } else {
            self.heading(out, &format!("Findings ({})", r.findings.len()))?;
            let mut t = self.new_table(&["#", "severity", "finding", "count"]);
            let cw = self.cell_width();
            for f in r.findings.iter().take(DETAILED) {
                let mut text = ellipsize(&sanitize::terminal(&f.title), cw * 2);
                let mut when = Vec::new();
                if let Some(s) = f.start_ms {
                    when.push(format!("since {}", short_time(s, t0)));
                }
                match (f.end_ms, f.ongoing) {
                    (Some(e), _) => when.push(format!("until {}", short_time(e, t0))),
                    (None, true) => when.push("ongoing".into()),
                    _ => {}
                }
                if let Some(rate) = f.rate {
                    when.push(super::fmt_finding_rate(f.kind, rate));
                }
                if let Some(x) = f.factor {
                    when.push(super::fmt_factor(x, f.baseline_rate));
                }
                if let Some(route) = &f.route {
                    when.push(format!("route {}", sanitize::terminal(route)));
                }
                if let Some(u) = &f.upstream {
                    when.push(format!("upstream {}", sanitize::terminal(u)));
                }
                if !when.is_empty() {
                    text.push('\n');
                    text.push_str(&when.join(" · "));
                }
                if !f.series.is_empty() {
                    text.push('\n');
                    text.push_str(&self.spark(&f.series, cw.min(60)));
                }
                if let Some(tpl) = &f.template {
                    if !f.title.contains(tpl.as_str()) {
                        text.push_str("\ntemplate: ");
                        text.push_str(&ellipsize(&sanitize::terminal(tpl), cw));
                    }
                }
                // Evidence may wrap onto a second line: the message is what matters, and it
                // comes after the location and the timestamp.
                for e in f.examples.iter().take(2) {
                    text.push('\n');
                    text.push_str(&ellipsize(&sanitize::terminal(&first_line(e)), cw * 2 - 4));
                }
                if let Some(b) = &f.before_first {
                    text.push_str("\nbefore: ");
                    text.push_str(&ellipsize(&sanitize::terminal(&first_line(b)), cw * 2 - 12));
                }
                for n in &f.notes {
                    text.push_str(&format!("\nnote: {}", sanitize::terminal(n)));
                }
                let mut sev = Cell::new(f.severity.as_str().to_uppercase());
                if self.color {
                    sev = sev.fg(sev_color(f.severity));
                    if f.severity >= Severity::High {
                        sev = sev.add_attribute(Attribute::Bold);
                    }
                }
                t.add_row(vec![
                    Cell::new(f.rank),
                    sev,
                    Cell::new(text),
                    Cell::new(fmt_count(f.count)).set_alignment(CellAlignment::Right),
                ]);
            }
            writeln!(out, "{t}")?;
            if r.findings.len() > DETAILED {
                let rest: Vec<String> = r.findings[DETAILED..]
                    .iter()
                    .take(LISTED)
                    .map(|f| {
                        format!(
                            "  {:>3}. {:<8} {}",
                            f.rank,
                            f.severity.as_str(),
                            ellipsize(&sanitize::terminal(&f.title), self.width as usize - 16)
                        )
                    })
                    .collect();
                writeln!(out, "{}", rest.join("\n"))?;
                let more = r.findings.len().saturating_sub(DETAILED + LISTED);
                if more > 0 {
                    writeln!(out, "  … and {more} more (see --output json)")?;
                }
            }
        }

        // Incident window and timeline.
        self.heading(out, "Incident window")?;
        let w = &r.incident_window;
        if w.found {
            let start = w.start_ms.map(|s| short_time(s, t0)).unwrap_or_default();
            let end = if w.ongoing {
                "ongoing".to_string()
            } else {
                w.end_ms.map(|e| short_time(e, t0)).unwrap_or_default()
            };
            writeln!(
                out,
                "  {start} → {end} · error rate {} → {} (peak {}) · {} errors",
                pct(w.normal_error_rate.unwrap_or(0.0)),
                pct(w.window_error_rate.unwrap_or(0.0)),
                pct(w.peak_error_rate.unwrap_or(0.0)),
                fmt_count(w.errors)
            )?;
            if let Some((x, y)) = w.onset_interval_ms {
                writeln!(
                    out,
                    "  the rise began between {} and {} (the data leave the onset open)",
                    short_time(x, t0),
                    short_time(y, t0)
                )?;
            }
        } else {
            writeln!(out, "{}", self.wrapped(&sanitize::terminal(&w.explanation)))?;
        }
        let tl = &r.timeline;
        if !tl.is_empty() {
            let cells = (self.width as usize).saturating_sub(14).clamp(20, 120);
            let ev = squeeze(&tl.events, cells);
            let er = squeeze(&tl.errors, cells);
            let per = tl.events.len().div_ceil(ev.len().max(1)).max(1);
            // Cells with too few events to give a rate are drawn as none.
            let min_n = super::min_rate_events(&ev);
            let rates: Vec<u64> = ev
                .iter()
                .zip(&er)
                .map(|(&n, &e)| if n < min_n { 0 } else { e * 10_000 / n })
                .collect();
            writeln!(out, "  error rate  {}", self.spark(&rates, cells))?;
            writeln!(out, "  events      {}", self.spark(&ev, cells))?;
            if let (true, Some(s), Some(e)) = (w.found, w.start_ms, w.end_ms) {
                let cell_ms = tl.bucket_ms * per as i64;
                let marks: String = (0..ev.len())
                    .map(|i| {
                        let a = tl.start_ms + i as i64 * cell_ms;
                        if a + cell_ms > s && a < e {
                            '^'
                        } else {
                            ' '
                        }
                    })
                    .collect();
                writeln!(out, "  window      {}", marks.trim_end())?;
            }
            writeln!(
                out,
                "  {}",
                self.dim(&format!(
                    "{} → {}, one cell = {}",
                    short_time(tl.start_ms, t0),
                    short_time(tl.start_ms + tl.bucket_ms * tl.len() as i64, t0),
                    fmt_duration((tl.bucket_ms * per as i64) as f64 / 1000.0)
                ))
            )?;
        }

        // Top error templates.
        if !r.top_error_templates.is_empty() {
            self.heading(out, "Top error templates")?;
            let mut t = self.new_table(&["errors", "first seen", "template"]);
            for tr in &r.top_error_templates {
                t.add_row(vec![
                    Cell::new(fmt_count(tr.errors)).set_alignment(CellAlignment::Right),
                    Cell::new(
                        tr.first_error
                            .as_deref()
                            .or(tr.first_seen.as_deref())
                            .map(|s| {
                                s.parse::<jiff::Timestamp>()
                                    .map(|ts| short_time(ts.as_millisecond(), t0))
                                    .unwrap_or_else(|_| s.to_string())
                            })
                            .unwrap_or_else(|| "-".into()),
                    ),
                    Cell::new(ellipsize(
                        &sanitize::terminal(&tr.template),
                        self.cell_width() * 2,
                    )),
                ]);
            }
            writeln!(out, "{t}")?;
        }

        // Endpoints and upstreams, when known.
        if !r.endpoints.is_empty() {
            self.heading(out, "Routes")?;
            let mut t = self.new_table(&["route", "requests", "5xx", "4xx", "error rate", "p99"]);
            for e in r.endpoints.iter().take(10) {
                t.add_row(vec![
                    Cell::new(ellipsize(&sanitize::terminal(&e.route), 40)),
                    Cell::new(fmt_count(e.requests)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_count(e.server_errors)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_count(e.client_errors)).set_alignment(CellAlignment::Right),
                    Cell::new(pct(e.error_rate)).set_alignment(CellAlignment::Right),
                    Cell::new(e.p99_ms.map_or("-".into(), |p| format!("{p:.0} ms")))
                        .set_alignment(CellAlignment::Right),
                ]);
            }
            writeln!(out, "{t}")?;
        }
        if !r.upstreams.is_empty() {
            self.heading(out, "Upstreams")?;
            let mut t = self.new_table(&[
                "host", "calls", "failed", "timeouts", "refused", "429", "p99",
            ]);
            for u in r.upstreams.iter().take(10) {
                t.add_row(vec![
                    Cell::new(ellipsize(&sanitize::terminal(&u.host), 36)),
                    Cell::new(fmt_calls(u.calls)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_failed(u.failures, u.failure_rate))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(fmt_count(u.timeouts)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_count(u.refused)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_count(u.rate_limited)).set_alignment(CellAlignment::Right),
                    Cell::new(u.p99_ms.map_or("-".into(), |p| format!("{p:.0} ms")))
                        .set_alignment(CellAlignment::Right),
                ]);
            }
            writeln!(out, "{t}")?;
        }

        // Input overview.
        self.heading(out, "Input")?;
        let formats: Vec<String> = ov.formats.iter().map(|(f, n)| format!("{f} {n}")).collect();
        writeln!(
            out,
            "  {} source{} ({}) · {} · {} events",
            ov.sources.len(),
            if ov.sources.len() == 1 { "" } else { "s" },
            if formats.is_empty() {
                "-".to_string()
            } else {
                formats.join(", ")
            },
            crate::progress::bytes(ov.bytes),
            fmt_count(ov.events)
        )?;
        writeln!(out, "  levels: {}", levels_line(&ov.levels))?;
        let mut damage = Vec::new();
        if ov.untimed_events > 0 {
            damage.push(format!("{} without time", fmt_count(ov.untimed_events)));
        }
        if ov.invalid_utf8_events > 0 {
            damage.push(format!(
                "{} invalid UTF-8",
                fmt_count(ov.invalid_utf8_events)
            ));
        }
        if ov.truncated_lines > 0 {
            damage.push(format!("{} truncated lines", fmt_count(ov.truncated_lines)));
        }
        if !damage.is_empty() {
            writeln!(out, "  {}", damage.join(" · "))?;
        }
        if ov.directive_lines > 0 {
            writeln!(
                out,
                "  {} W3C directive line{} (#Fields:, #Date: …): the log's header, not events",
                fmt_count(ov.directive_lines),
                if ov.directive_lines == 1 { "" } else { "s" }
            )?;
        }
        if let Some(tf) = &ov.time_filter {
            writeln!(
                out,
                "  time filter: {} → {} ({} events outside){}",
                tf.since.as_deref().unwrap_or("start"),
                tf.until.as_deref().unwrap_or("end"),
                fmt_count(tf.events_outside),
                tf.note
                    .as_deref()
                    .map(|n| format!("; {n}"))
                    .unwrap_or_default()
            )?;
        }
        if let Some(b) = &ov.baseline {
            writeln!(
                out,
                "  baseline: {} events, {} templates from {}",
                fmt_count(b.events),
                b.templates,
                ellipsize(&sanitize::terminal(&b.sources.join(", ")), 60)
            )?;
        }
        for n in ov.notices.iter().take(10) {
            let line = format!(
                "{}: {}: {}",
                n.kind,
                sanitize::terminal(&n.source),
                sanitize::terminal(&n.message)
            );
            writeln!(out, "{}", self.wrapped(&line))?;
        }
        if ov.notices.len() > 10 {
            writeln!(out, "  … and {} more notices", ov.notices.len() - 10)?;
        }
        for n in &ov.notes {
            let line = format!("note: {}", sanitize::terminal(n));
            writeln!(out, "{}", self.wrapped(&line))?;
        }
        Ok(())
    }
}

/// `error 1,234 · warn 56 · info 9,000`, most severe first.
pub fn levels_line(levels: &std::collections::BTreeMap<String, u64>) -> String {
    const ORDER: [&str; 7] = [
        "fatal", "error", "warn", "info", "debug", "trace", "unknown",
    ];
    let parts: Vec<String> = ORDER
        .iter()
        .filter_map(|l| levels.get(*l).map(|c| format!("{l} {}", fmt_count(*c))))
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" · ")
    }
}

/// Word-wraps `s` to `width` columns, every line starting with `indent`; words longer than
/// a line are cut.
pub fn wrap(s: &str, width: usize, indent: &str) -> String {
    let room = width.saturating_sub(indent.chars().count()).max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    for word in s.split(' ') {
        let mut word: String = word.to_string();
        loop {
            let wl = word.chars().count();
            if cur_len > 0 && cur_len + 1 + wl <= room {
                cur.push(' ');
                cur.push_str(&word);
                cur_len += 1 + wl;
                break;
            }
            if cur_len > 0 {
                lines.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
            if wl <= room {
                cur = word;
                cur_len = wl;
                break;
            }
            let head: String = word.chars().take(room).collect();
            word = word.chars().skip(room).collect();
            lines.push(head);
        }
    }
    if cur_len > 0 || lines.is_empty() {
        lines.push(cur);
    }
    lines
        .iter()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line of a (possibly multi-line) evidence string (with the message line after a
/// header-only first line, see [`evidence_line`](crate::record::plain::evidence_line)).
pub fn first_line(s: &str) -> std::borrow::Cow<'_, str> {
    crate::record::plain::evidence_line(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        assert_eq!(wrap("aa bb cc", 14, "  "), "  aa bb cc");
        assert_eq!(wrap("aaaa bbbb cccc", 13, "  "), "  aaaa bbbb\n  cccc");
        let long = "x".repeat(25);
        assert_eq!(
            wrap(&long, 12, ""),
            format!("{}\n{}\n{}", "x".repeat(12), "x".repeat(12), "x")
        );
    }

    proptest::proptest! {
        #[test]
        fn wrapped_lines_fit(s in "[a-z ]{0,200}", width in 12usize..100) {
            let out = wrap(&s, width, "  ");
            for line in out.lines() {
                proptest::prop_assert!(line.chars().count() <= width.max(12), "{line:?}");
                proptest::prop_assert!(line.starts_with("  "), "{line:?}");
            }
            // Nothing is lost or reordered: the same letters in the same order, and the same
            // words when none is too long for a line (a longer one is cut).
            let letters = |t: &str| t.split_whitespace().collect::<String>();
            proptest::prop_assert_eq!(letters(&out), letters(&s));
            if s.split(' ').all(|w| w.len() <= width - 2) {
                let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
                proptest::prop_assert_eq!(words(&out), words(&s));
            }
        }
    }
}
