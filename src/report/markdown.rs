//! Markdown renderer: a short summary to paste into the incident channel or doc as it is.
//!
//! Headline first (what broke, since when, where), then the ranked findings as a numbered list
//! with one evidence line each, the incident window, the top error templates, and one line
//! about the input. Templates and log lines go in code spans (`sanitize::markdown_cell`:
//! backticks and pipes neutralized, control characters escaped); other text taken from logs is
//! escaped so it cannot turn into links, emphasis or HTML.

use std::io::Write;

use super::build::short_time;
use super::incident::pct;
use super::model::*;
use super::{ellipsize, fmt_calls, fmt_count, fmt_duration, fmt_failed, Renderer};
use crate::sanitize;

pub struct MarkdownRenderer;

/// Findings listed; the rest are counted.
const LISTED: usize = 8;

/// Escapes Markdown syntax in plain text (outside code spans).
pub fn md_text(s: &str) -> String {
    let s = sanitize::terminal(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '#'
                | '|'
                | '!'
                | '~'
                | '{'
                | '}'
                | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span around log content (first line, cut to `max` characters), for use
/// outside tables: backticks become `'` so the span cannot end early, control characters are
/// escaped; pipes stay (a `\|` would show literally outside a table).
pub fn code(s: &str, max: usize) -> String {
    let first = crate::record::plain::evidence_line(s);
    format!(
        "`{}`",
        sanitize::terminal(&ellipsize(&first, max)).replace('`', "'")
    )
}

/// The same for a table cell, where pipes must be escaped.
pub fn code_cell(s: &str, max: usize) -> String {
    let first = crate::record::plain::evidence_line(s);
    format!("`{}`", sanitize::markdown_cell(&ellipsize(&first, max)))
}

/// Plain text that may quote a template: the quoted part (found by its first characters, up
/// to where the text stops matching it, plus a cut mark `…`) becomes a code span, the rest
/// is escaped.
pub fn text_with_template(text: &str, template: Option<&str>) -> String {
    let Some(t) = template.filter(|t| !t.is_empty()) else {
        return md_text(text);
    };
    let probe: String = t.chars().take(20).collect();
    let Some(start) = text.find(&probe) else {
        return md_text(text);
    };
    let mut end = start;
    for (a, b) in text[start..].chars().zip(t.chars()) {
        if a != b {
            break;
        }
        end += a.len_utf8();
    }
    if text[end..].starts_with('…') {
        end += '…'.len_utf8();
    }
    // (A title that goes on differently after a word, `Exception on <PATH> [POST] — …`,
    // keeps the space outside the code span.)
    let quoted = text[start..end].trim_end();
    end = start + quoted.len();
    format!(
        "{}{}{}",
        md_text(&text[..start]),
        code(quoted, quoted.chars().count() + 1),
        md_text(&text[end..])
    )
}

impl Renderer for MarkdownRenderer {
    fn render(&self, r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let ov = &r.overview;
        let t0 = ov.day_reference();
        writeln!(out, "### Incident summary")?;
        writeln!(out)?;
        let w = &r.incident_window;
        // What broke: the finding the headline names (see `build::named_finding`).
        let named = super::build::named_finding(&r.findings, w).map(|(f, _)| f);
        let top_tpl = named.and_then(|f| f.template.as_deref());
        writeln!(out, "**{}**", text_with_template(&r.headline, top_tpl))?;
        writeln!(out)?;
        let cause = named;
        if let Some(f) = cause {
            writeln!(out, "- **What broke:** {}", title_md(f))?;
        }
        if w.found {
            let start = w.start.as_deref().unwrap_or("?");
            let end = if w.ongoing {
                "still ongoing at the end of the logs".to_string()
            } else {
                format!("until {}", w.end.as_deref().unwrap_or("?"))
            };
            let between = match &w.onset_interval {
                Some([x, y]) => format!("; the rise began between {x} and {y}"),
                None => String::new(),
            };
            writeln!(
                out,
                "- **Since:** {start} ({end}{between}); error rate {} → {}, peak {}",
                pct(w.normal_error_rate.unwrap_or(0.0)),
                pct(w.window_error_rate.unwrap_or(0.0)),
                pct(w.peak_error_rate.unwrap_or(0.0)),
            )?;
        } else if let Some(s) = cause.and_then(|f| f.start.as_deref()) {
            writeln!(
                out,
                "- **Since:** {s} (no clear overall incident window: {})",
                md_text(
                    w.explanation
                        .trim_start_matches("no clear incident window: ")
                )
            )?;
        }
        if let Some(f) = cause {
            let mut wh = Vec::new();
            if let Some(route) = &f.route {
                wh.push(format!("route {}", code(route, 80)));
            }
            if let Some(u) = &f.upstream {
                wh.push(format!("upstream {}", code(u, 80)));
            }
            if let Some(place) = super::build::headline_where(f) {
                wh.push(md_text(&place));
            }
            if let Some(e) = f.examples.first() {
                let loc = e.split(": ").next().unwrap_or(e);
                wh.push(format!("first evidence at {}", code(loc, 120)));
            }
            if !wh.is_empty() {
                writeln!(out, "- **Where:** {}", wh.join(", "))?;
            }
        }
        if r.findings.is_empty() {
            writeln!(out, "- {}", md_text(&super::build::no_findings_text(r)))?;
        }

        if !r.findings.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Findings** (most important first)")?;
            writeln!(out)?;
            for f in r.findings.iter().take(LISTED) {
                let mut line = format!(
                    "{}. **{}** {}",
                    f.rank,
                    f.severity.as_str().to_uppercase(),
                    title_md(f)
                );
                let noun = if f.count == 1 { "event" } else { "events" };
                let mut facts = vec![format!("{} {noun}", fmt_count(f.count))];
                if let Some(s) = f.start_ms {
                    facts.push(format!("since {}", short_time(s, t0)));
                }
                match (f.end_ms, f.ongoing) {
                    (Some(e), _) => facts.push(format!("until {}", short_time(e, t0))),
                    (None, true) => facts.push("ongoing".into()),
                    _ => {}
                }
                if let Some(x) = f.factor {
                    facts.push(super::fmt_factor(x, f.baseline_rate));
                }
                line.push_str(&format!(" — {}", facts.join(", ")));
                writeln!(out, "{line}")?;
                if let Some(e) = f.examples.first() {
                    writeln!(out, "   e.g. {}", code(e, 220))?;
                }
                // The caveats go with the finding: few samples, examples from before the
                // burst, a template that comes in clumps.
                for n in &f.notes {
                    writeln!(out, "   *note:* {}", md_text(n))?;
                }
            }
            if r.findings.len() > LISTED {
                writeln!(out, "\n…and {} more findings.", r.findings.len() - LISTED)?;
            }
        }

        if !r.top_error_templates.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Top error templates**")?;
            writeln!(out)?;
            writeln!(out, "| errors | first seen | template |")?;
            writeln!(out, "|---:|---|---|")?;
            for t in r.top_error_templates.iter().take(5) {
                writeln!(
                    out,
                    "| {} | {} | {} |",
                    fmt_count(t.errors),
                    t.first_error
                        .as_deref()
                        .or(t.first_seen.as_deref())
                        .unwrap_or("-"),
                    code_cell(&t.template, 160)
                )?;
            }
        }

        if !r.endpoints.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Routes**")?;
            writeln!(out)?;
            writeln!(out, "| route | requests | 5xx | 4xx | error rate | p99 |")?;
            writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
            for e in r.endpoints.iter().take(5) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    code_cell(&e.route, 80),
                    fmt_count(e.requests),
                    fmt_count(e.server_errors),
                    fmt_count(e.client_errors),
                    pct(e.error_rate),
                    e.p99_ms.map_or("-".into(), |p| format!("{p:.0} ms"))
                )?;
            }
        }
        if !r.upstreams.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Upstreams**")?;
            writeln!(out)?;
            writeln!(out, "| host | calls | failed | timeouts | refused | 429 |")?;
            writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
            for u in r.upstreams.iter().take(5) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    code_cell(&u.host, 80),
                    fmt_calls(u.calls),
                    fmt_failed(u.failures, u.failure_rate),
                    fmt_count(u.timeouts),
                    fmt_count(u.refused),
                    fmt_count(u.rate_limited)
                )?;
            }
        }

        writeln!(out)?;
        let mut input = format!(
            "{} events from {} source{}",
            fmt_count(ov.events),
            ov.sources.len(),
            if ov.sources.len() == 1 { "" } else { "s" }
        );
        if let (Some(a), Some(b), Some(s)) = (&ov.start, &ov.end, ov.span_seconds) {
            input.push_str(&format!(", {a} → {b} ({})", fmt_duration(s)));
        }
        if ov.untimed_events > 0 {
            input.push_str(&format!(", {} without time", fmt_count(ov.untimed_events)));
        }
        if ov.directive_lines > 0 {
            input.push_str(&format!(
                ", {} W3C directive lines (not events)",
                fmt_count(ov.directive_lines)
            ));
        }
        let skipped = ov.notices.len();
        if skipped > 0 {
            input.push_str(&format!(", {skipped} input notice(s)"));
        }
        writeln!(out, "<sub>{} · {}</sub>", md_text(&r.tool), md_text(&input))?;
        Ok(())
    }
}

/// A finding's title with its template in a code span (quoted in the title, or appended).
fn title_md(f: &FindingRow) -> String {
    match &f.template {
        Some(t) if f.title.contains(&t.chars().take(20).collect::<String>()) => {
            text_with_template(&f.title, Some(t))
        }
        // A route's template is what its failing requests were logged as (often a generic
        // request line), not a cause: say so.
        Some(t) if f.route.is_some() => {
            format!("{} — logged as {}", md_text(&f.title), code(t, 160))
        }
        Some(t) => format!("{} — {}", md_text(&f.title), code(t, 160)),
        None => md_text(&f.title),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown() {
        assert_eq!(md_text("a_b *c* [x](y)"), "a\\_b \\*c\\* \\[x\\](y)");
        assert_eq!(md_text("<script>"), "\\<script\\>");
        assert_eq!(code_cell("a`b|c\nsecond", 100), "`a'b\\|c`");
        assert_eq!(code("a`b|c", 100), "`a'b|c`");
        assert_eq!(
            text_with_template(
                "New error: conn <NUM> refused (since 10:00)",
                Some("conn <NUM> refused")
            ),
            "New error: `conn <NUM> refused` (since 10:00)"
        );
        assert_eq!(
            text_with_template(
                "top: a_b <NUM> and more w…",
                Some("a_b <NUM> and more words here")
            ),
            "top: `a_b <NUM> and more w…`"
        );
        assert_eq!(
            text_with_template(
                "New error: Exception on <PATH> [POST] — OperationalError: refused",
                Some("Exception on <PATH> [POST] [exc=Exception,OperationalError]")
            ),
            "New error: `Exception on <PATH> [POST]` — OperationalError: refused"
        );
    }

    /// A route's template is what its failing requests were logged as, and says so; a
    /// template finding's template is the finding.
    #[test]
    fn route_template_is_labelled_as_the_log_line() {
        use crate::detect::{Finding, FindingKind};
        let mut f = Finding::new(
            FindingKind::FailingRoute,
            "POST /pay: 30% of requests failing",
        );
        f.template = Some("request completed".into());
        f.route = Some("POST /pay".into());
        let row = super::super::build::finding_row(1, &f);
        assert_eq!(
            title_md(&row),
            "POST /pay: 30% of requests failing — logged as `request completed`"
        );
        let mut g = Finding::new(FindingKind::Spike, "Spike x9");
        g.template = Some("disk full on <*>".into());
        let row = super::super::build::finding_row(1, &g);
        assert_eq!(title_md(&row), "Spike x9 — `disk full on <*>`");
    }
}
