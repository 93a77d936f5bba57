//! How alerts and the live status look: one plain line per alert, one JSON object per alert,
//! and on a terminal a status block redrawn in place.

use std::io::{self, Write};

use super::live::{Alert, AlertPhase, Live};
use crate::detect::Finding;
use crate::report::{ellipsize, rfc3339, sparkline, squeeze};
use crate::sanitize;

/// One alert as a plain line:
/// `2026-11-27T10:12:10Z START spike high "Spike: ..." 42 in 2m, 21.0/min vs normal 0.1/min (x210) id=...`
pub fn alert_line(a: &Alert) -> String {
    let f = &a.finding;
    let phase = match a.phase {
        AlertPhase::Start => "START",
        AlertPhase::End => "END  ",
    };
    let mut s = format!(
        "{} {} {} {} {}",
        rfc3339(a.at),
        phase,
        f.kind.as_str(),
        f.severity.as_str(),
        sanitize::terminal(&ellipsize(&f.title, 160)),
    );
    s.push_str(" | ");
    s.push_str(&numbers(f, a.phase));
    if let Some(id) = &f.template_id {
        s.push_str(&format!(" | template {id}"));
    }
    if a.phase == AlertPhase::Start {
        // A new error's lead: the deploy it followed.
        if let Some(n) = f.notes.iter().find(|n| n.starts_with("first seen ")) {
            let what = n.split(" first appeared: ").next().unwrap_or(n);
            s.push_str(&format!(" | {}", sanitize::terminal(&ellipsize(what, 160))));
        }
        if let Some(e) = f.examples.first() {
            let first = crate::record::plain::evidence_line(&e.text);
            s.push_str(&format!(
                " | e.g. {}: {}",
                sanitize::terminal(&e.location()),
                sanitize::terminal(&ellipsize(&first, 160))
            ));
        }
    }
    s
}

fn numbers(f: &Finding, phase: AlertPhase) -> String {
    let mut parts = Vec::new();
    match phase {
        AlertPhase::Start => {
            if let Some(t) = f.start {
                parts.push(format!("since {}", rfc3339(t)));
            }
        }
        AlertPhase::End => {
            if let (Some(a), Some(b)) = (f.start, f.end) {
                parts.push(format!("{} → {}", rfc3339(a), rfc3339(b)));
            }
        }
    }
    parts.push(format!("{} events", f.count));
    if let Some(r) = f.rate {
        let mut s = format!("{r:.1}/min");
        match f.baseline_rate {
            // Nothing of the kind before: no ratio to give.
            Some(b) if b <= 0.0 => s.push_str(" (normal: none)"),
            Some(b) if b < 0.01 => s.push_str(&format!(" vs normal {b:.4}/min")),
            Some(b) => s.push_str(&format!(" vs normal {b:.2}/min")),
            None => s.push_str(" (never seen before)"),
        }
        if let Some(x) = f
            .factor
            .filter(|_| f.baseline_rate.is_some_and(|b| b > 0.0))
        {
            s.push_str(&format!(" (x{x:.0})"));
        }
        parts.push(s);
    }
    parts.join(", ")
}

/// One alert as a JSON object: the finding's fields with times in RFC 3339, plus `"alert"`
/// (`start` / `end`) and `"at"` (when it was detected, event time).
pub fn alert_json(a: &Alert) -> serde_json::Value {
    let mut v = serde_json::to_value(&a.finding).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(m) = &mut v {
        for key in ["start", "end", "peak", "series_start"] {
            if let Some(serde_json::Value::Number(n)) = m.get(key) {
                if let Some(ms) = n.as_i64() {
                    m.insert(key.to_string(), rfc3339(ms).into());
                }
            }
        }
        let fix_example = |e: &mut serde_json::Value| {
            if let Some(serde_json::Value::Number(n)) = e.get("time") {
                if let Some(ms) = n.as_i64() {
                    e["time"] = rfc3339(ms).into();
                }
            }
        };
        if let Some(serde_json::Value::Array(xs)) = m.get_mut("examples") {
            xs.iter_mut().for_each(fix_example);
        }
        if let Some(e) = m.get_mut("before_first") {
            if e.is_object() {
                fix_example(e);
            }
        }
        m.insert(
            "alert".into(),
            match a.phase {
                AlertPhase::Start => "start",
                AlertPhase::End => "end",
            }
            .into(),
        );
        m.insert("at".into(), rfc3339(a.at).into());
    }
    v
}

/// The status block redrawn in place on a terminal.
pub struct StatusBlock {
    drawn_lines: usize,
}

impl StatusBlock {
    pub fn new() -> StatusBlock {
        StatusBlock { drawn_lines: 0 }
    }

    /// Erases the block (before printing alerts or the final report).
    pub fn clear(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if self.drawn_lines > 0 {
            write!(w, "\x1b[{}A\x1b[J", self.drawn_lines)?;
            self.drawn_lines = 0;
        }
        Ok(())
    }

    pub fn draw(
        &mut self,
        w: &mut dyn Write,
        live: &Live,
        events_per_s: f64,
        width: usize,
    ) -> io::Result<()> {
        self.clear(w)?;
        let (events, errors) = live.series();
        let cells = width.saturating_sub(24).clamp(10, 120);
        let errs = squeeze(&errors, cells);
        let stats = live.stats();
        let mut lines = vec![
            format!(
                "── faultline watch ── {} events, {:.0}/s, clock {}{}",
                stats.events,
                events_per_s,
                stats.closed_until.map_or_else(|| "-".into(), rfc3339),
                if stats.late_dropped > 0 {
                    format!(", {} too late", stats.late_dropped)
                } else {
                    String::new()
                }
            ),
            format!(
                "errors (last {} min) {}",
                live.config().history_buckets as i64 * live.config().bucket_ms / 60_000,
                sparkline(&errs)
            ),
        ];
        let _ = events;
        let active = live.active_findings();
        if active.is_empty() {
            lines.push("no active findings".into());
        }
        for f in active.iter().take(8) {
            lines.push(format!(
                "  {} {} {} ({} events)",
                f.severity.as_str(),
                f.kind.as_str(),
                sanitize::terminal(&ellipsize(&f.title, width.saturating_sub(40).max(20))),
                f.count
            ));
        }
        for l in &lines {
            writeln!(w, "{l}")?;
        }
        w.flush()?;
        self.drawn_lines = lines.len();
        Ok(())
    }
}

impl Default for StatusBlock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::FindingKind;
    use crate::summary::Example;
    use crate::watch::detector::PoissonDetector;
    use crate::watch::LiveConfig;

    fn alert() -> Alert {
        let mut f = Finding::new(FindingKind::Spike, "Spike: db \x1b[31mtimeout");
        f.start = Some(1_795_600_800_000);
        f.count = 42;
        f.rate = Some(21.0);
        f.baseline_rate = Some(0.1);
        f.factor = Some(210.0);
        f.template_id = Some("abc".into());
        f.examples = vec![Example::named(
            "app.log",
            7,
            Some(1_795_600_805_000),
            b"db timeout",
        )];
        Alert {
            phase: AlertPhase::Start,
            at: 1_795_600_860_000,
            finding: f,
            template_slot: None,
        }
    }

    #[test]
    fn plain_line_has_time_kind_numbers_and_no_raw_escapes() {
        let l = alert_line(&alert());
        assert!(l.starts_with("2026-11-25T10:01:00Z START spike "), "{l}");
        assert!(
            l.contains("since 2026-11-25T10:00:00Z, 42 events, 21.0/min vs normal 0.10/min (x210)"),
            "{l}"
        );
        assert!(l.contains("template abc"), "{l}");
        assert!(l.contains("e.g. app.log:7: db timeout"), "{l}");
        assert!(
            !l.contains('\x1b'),
            "control characters must be escaped: {l:?}"
        );
    }

    #[test]
    fn json_alert_uses_rfc3339_times() {
        let v = alert_json(&alert());
        assert_eq!(v["alert"], "start");
        assert_eq!(v["at"], "2026-11-25T10:01:00Z");
        assert_eq!(v["start"], "2026-11-25T10:00:00Z");
        assert!(v["end"].is_null());
        assert_eq!(v["examples"][0]["time"], "2026-11-25T10:00:05Z");
        assert_eq!(v["kind"], "spike");
        assert_eq!(v["count"], 42);
    }

    #[test]
    fn status_block_redraws_in_place() {
        let live = Live::new(
            LiveConfig::default(),
            Box::new(PoissonDetector::new(10_000)),
        );
        let mut block = StatusBlock::new();
        let mut out: Vec<u8> = Vec::new();
        block.draw(&mut out, &live, 12.0, 80).expect("draw");
        let first = String::from_utf8_lossy(&out).into_owned();
        assert!(first.contains("faultline watch"), "{first}");
        assert!(first.contains("no active findings"), "{first}");
        assert!(!first.contains("\x1b["), "nothing to erase the first time");
        out.clear();
        block.draw(&mut out, &live, 12.0, 80).expect("draw");
        let second = String::from_utf8_lossy(&out);
        assert!(second.starts_with("\x1b[3A\x1b[J"), "{second:?}");
        out.clear();
        block.clear(&mut out).expect("clear");
        assert_eq!(out, b"\x1b[3A\x1b[J");
    }
}
