//! HTML renderer: one self-contained page (inline CSS and SVG; no scripts, fonts, images or
//! other requests — a Content-Security-Policy of `default-src 'none'` enforces it) that can
//! be attached to an incident ticket and opened anywhere.
//!
//! Sections: headline, ranked findings with sparklines and evidence, the error-rate chart
//! with the incident window, top error templates, routes and upstreams, input overview. All
//! log content goes through `sanitize::html`.

use std::fmt::Write as _;
use std::io::Write;

use super::build::short_time;
use super::incident::pct;
use super::model::*;
use super::{fmt_calls, fmt_count, fmt_duration, fmt_failed, svg, Renderer};
use crate::detect::Severity;

pub struct HtmlRenderer;

/// Findings drawn in full on the page; the JSON has all of them.
const MAX_FINDINGS: usize = 50;

const CSS: &str = r#"
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--card:#fff;
--critical:#991b1b;--high:#dc2626;--medium:#d97706;--low:#0e7490;--info:#6b7280}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
header h1{font-size:20px;margin:0 0 2px;font-weight:650;letter-spacing:-.01em}
header .sub{color:var(--muted);font-size:13px}
.headline{margin:18px 0 8px;padding:14px 18px;border-left:5px solid var(--sev,#6b7280);background:var(--card);border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.06);font-size:16px;font-weight:600}
section{background:var(--card);border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.06);margin:18px 0;padding:16px 20px}
section h2{font-size:15px;margin:0 0 12px;font-weight:650;text-transform:uppercase;letter-spacing:.04em;color:#374151}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line)}
th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:last-child td{border-bottom:none}
.badge{display:inline-block;min-width:70px;text-align:center;padding:2px 8px;border-radius:999px;color:#fff;font-size:11px;font-weight:700;letter-spacing:.04em;text-transform:uppercase}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.title{font-weight:600}
.meta{color:var(--muted);font-size:12.5px;margin-top:2px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
code.tpl{background:#f3f4f6;border-radius:4px;padding:1px 5px;word-break:break-word}
pre.ev{margin:6px 0 0;padding:6px 8px;background:#f8fafc;border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:9em;overflow:auto}
.loc{color:#1d4ed8}
.note{color:#92400e;font-size:12.5px}
.chart{width:100%;height:auto;display:block}
.legend{color:var(--muted);font-size:12.5px;margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;vertical-align:-1px;border-radius:2px}
.window-text{margin:0 0 10px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
.kv dt{color:var(--muted)}.kv dd{margin:0}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
.empty{color:var(--muted)}
@media (max-width:820px){main{padding:12px}.spark-col{display:none}section{padding:12px}}
"#;

fn sev_var(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "var(--critical)",
        Severity::High => "var(--high)",
        Severity::Medium => "var(--medium)",
        Severity::Low => "var(--low)",
        Severity::Info => "var(--info)",
    }
}

fn sev_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#991b1b",
        Severity::High => "#dc2626",
        Severity::Medium => "#d97706",
        Severity::Low => "#0e7490",
        Severity::Info => "#6b7280",
    }
}

/// Text for HTML: control characters made visible (`\e[31m`, as on a terminal, rather than
/// invisible or replacement glyphs), then markup escaped. Used for everything dynamic, since
/// log content reaches titles, headlines and notes too.
fn esc(s: &str) -> String {
    crate::sanitize::html(&crate::sanitize::terminal(s))
}

/// Log content for HTML (the same escaping as [`esc`], named for what it is used on).
fn log(s: &str) -> String {
    esc(s)
}

/// An evidence line `file:line: text` with the location highlighted.
fn evidence(e: &str) -> String {
    match super::build::split_location(e) {
        Some((_, text)) => {
            let loc = &e[..e.len() - text.len() - 2];
            format!(
                "<pre class=\"ev\"><span class=\"loc\">{}</span>: {}</pre>",
                log(loc),
                log(text)
            )
        }
        None => format!("<pre class=\"ev\">{}</pre>", log(e)),
    }
}

/// When an error template's errors began (its first event for a template of old snapshots).
fn first_error_short(t: &TemplateRow, reference: Option<i64>) -> String {
    t.first_error
        .as_deref()
        .or(t.first_seen.as_deref())
        .map(|s| {
            s.parse::<jiff::Timestamp>()
                .map(|ts| short_time(ts.as_millisecond(), reference))
                .unwrap_or_else(|_| s.to_string())
        })
        .unwrap_or_else(|| "-".into())
}

impl Renderer for HtmlRenderer {
    fn render(&self, r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let mut h = String::with_capacity(64 << 10);
        let ov = &r.overview;
        let t0 = ov.day_reference();
        let top_sev = r.findings.first().map(|f| f.severity);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"generator\" content=\"{}\">\
             <title>faultline summary — {}</title><style>{CSS}</style></head><body><main>",
            esc(&r.tool),
            esc(&super::ellipsize(&r.headline, 120))
        );
        // Header.
        let mut sub = format!(
            "{} events · {} source{}",
            fmt_count(ov.events),
            ov.sources.len(),
            if ov.sources.len() == 1 { "" } else { "s" }
        );
        if let (Some(a), Some(b), Some(span)) = (&ov.start, &ov.end, ov.span_seconds) {
            sub.push_str(&format!(" · {a} → {b} ({})", fmt_duration(span)));
        }
        let _ = write!(
            h,
            "<header><h1>Incident summary</h1><div class=\"sub\">{}</div></header>",
            esc(&sub)
        );
        let _ = write!(
            h,
            "<div class=\"headline\" id=\"headline\" style=\"--sev:{}\">{}</div>",
            top_sev.map_or("#6b7280", sev_var),
            log(&r.headline)
        );

        // Findings.
        let _ = write!(
            h,
            "<section id=\"findings\"><h2>Findings ({})</h2>",
            r.findings.len()
        );
        if r.findings.is_empty() {
            let _ = write!(
                h,
                "<p class=\"empty\">{}</p>",
                esc(&super::build::no_findings_text(r))
            );
        } else {
            // The sparkline column only when there is something over time to draw.
            let spark = r.findings.iter().any(|f| !f.series.is_empty());
            let _ = write!(
                h,
                "<table class=\"findings\"><thead><tr><th>#</th><th>Severity</th><th>Finding and evidence</th><th class=\"num\">Count</th>{}</tr></thead><tbody>",
                if spark { "<th class=\"spark-col\">Over time</th>" } else { "" }
            );
            for f in r.findings.iter().take(MAX_FINDINGS) {
                let _ = write!(
                    h,
                    "<tr class=\"finding\" data-kind=\"{}\"><td class=\"num\">{}</td><td><span class=\"badge sev-{}\">{}</span></td><td>",
                    f.kind.as_str(),
                    f.rank,
                    f.severity.as_str(),
                    f.severity.as_str()
                );
                let _ = write!(h, "<div class=\"title\">{}</div>", log(&f.title));
                let mut meta = Vec::new();
                if let Some(s) = f.start_ms {
                    meta.push(format!("since {}", short_time(s, t0)));
                }
                match (f.end_ms, f.ongoing) {
                    (Some(e), _) => meta.push(format!("until {}", short_time(e, t0))),
                    (None, true) => meta.push("ongoing".into()),
                    _ => {}
                }
                if let Some(rate) = f.rate {
                    meta.push(super::fmt_finding_rate(f.kind, rate));
                }
                if let Some(x) = f.factor {
                    meta.push(super::fmt_factor(x, f.baseline_rate));
                }
                if let Some(route) = &f.route {
                    meta.push(format!("route {route}"));
                }
                if let Some(u) = &f.upstream {
                    meta.push(format!("upstream {u}"));
                }
                meta.push(f.kind.as_str().replace('_', " "));
                let _ = write!(h, "<div class=\"meta\">{}</div>", esc(&meta.join(" · ")));
                if let Some(t) = f
                    .template
                    .as_ref()
                    .filter(|t| !f.title.contains(t.as_str()))
                {
                    let _ = write!(
                        h,
                        "<div class=\"meta\">template <code class=\"tpl\">{}</code></div>",
                        log(t)
                    );
                }
                for e in f.examples.iter().take(2) {
                    h.push_str(&evidence(e));
                }
                if let Some(b) = &f.before_first {
                    h.push_str("<div class=\"meta\">event just before the first occurrence:</div>");
                    h.push_str(&evidence(b));
                }
                for n in &f.notes {
                    let _ = write!(h, "<div class=\"note\">note: {}</div>", esc(n));
                }
                let _ = write!(h, "</td><td class=\"num\">{}</td>", fmt_count(f.count));
                if spark {
                    let _ = write!(
                        h,
                        "<td class=\"spark-col\">{}</td>",
                        svg::sparkline(&f.series, 140.0, 30.0, sev_color(f.severity))
                    );
                }
                h.push_str("</tr>");
            }
            h.push_str("</tbody></table>");
            if r.findings.len() > MAX_FINDINGS {
                let _ = write!(
                    h,
                    "<p class=\"empty\">… and {} more findings, all in <code>--output json</code>.</p>",
                    r.findings.len() - MAX_FINDINGS
                );
            }
        }
        h.push_str("</section>");

        // Incident window and timeline.
        let w = &r.incident_window;
        h.push_str("<section id=\"incident\"><h2>Incident window</h2>");
        if w.found {
            let end = if w.ongoing {
                "ongoing at the end of the logs".to_string()
            } else {
                format!("until {}", w.end.as_deref().unwrap_or("?"))
            };
            let _ = write!(
                h,
                "<p class=\"window-text\"><strong>{} ({})</strong> — error rate {} → {}, peak {}; {} errors, {} above normal.</p>",
                esc(w.start.as_deref().unwrap_or("?")),
                esc(&end),
                pct(w.normal_error_rate.unwrap_or(0.0)),
                pct(w.window_error_rate.unwrap_or(0.0)),
                pct(w.peak_error_rate.unwrap_or(0.0)),
                fmt_count(w.errors),
                fmt_count(w.excess_errors)
            );
            if let Some([x, y]) = &w.onset_interval {
                let _ = write!(
                    h,
                    "<p class=\"note\">The rise began between {} and {} (the data leave the onset open).</p>",
                    esc(x),
                    esc(y)
                );
            }
            if w.started_before_input {
                h.push_str("<p class=\"note\">Already elevated at the start of the logs: the onset may be earlier.</p>");
            }
        } else {
            let _ = write!(h, "<p class=\"window-text\">{}</p>", esc(&w.explanation));
        }
        if !r.timeline.is_empty() {
            h.push_str(&svg::timeline_chart(&r.timeline, w, t0));
            let _ = write!(
                h,
                "<div class=\"legend\"><i style=\"background:#cbd5e1\"></i>events<i style=\"background:#f87171\"></i>errors (left axis)<i style=\"background:#b91c1c;height:3px\"></i>error rate (right axis)<i style=\"background:#fde68a\"></i>incident window · one bar = {}</div>",
                fmt_duration(r.timeline.bucket_seconds)
            );
        }
        h.push_str("</section>");

        // Top error templates.
        h.push_str("<section id=\"templates\"><h2>Top error templates</h2>");
        if r.top_error_templates.is_empty() {
            h.push_str("<p class=\"empty\">No error-level events.</p>");
        } else {
            let spark = !r.timeline.is_empty();
            let _ = write!(
                h,
                "<table><thead><tr><th class=\"num\">Errors</th><th class=\"num\">Events</th><th>First seen</th><th>Template and example</th>{}</tr></thead><tbody>",
                if spark { "<th class=\"spark-col\">Over time</th>" } else { "" }
            );
            for t in &r.top_error_templates {
                let _ = write!(
                    h,
                    "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td title=\"{}\">{}</td><td><code class=\"tpl\">{}</code>{}</td>{}</tr>",
                    fmt_count(t.errors),
                    fmt_count(t.count),
                    esc(t.first_error.as_deref().or(t.first_seen.as_deref()).unwrap_or("-")),
                    esc(&first_error_short(t, t0)),
                    log(&t.template),
                    t.error_example
                        .as_ref()
                        .or(t.examples.first())
                        .map(|e| evidence(e))
                        .unwrap_or_default(),
                    if spark {
                        format!(
                            "<td class=\"spark-col\">{}</td>",
                            svg::sparkline(&t.series, 140.0, 30.0, "#dc2626")
                        )
                    } else {
                        String::new()
                    }
                );
            }
            h.push_str("</tbody></table>");
        }
        h.push_str("</section>");

        // Routes and upstreams.
        if !r.endpoints.is_empty() {
            h.push_str("<section id=\"endpoints\"><h2>Routes</h2><table><thead><tr><th>Route</th><th class=\"num\">Requests</th><th class=\"num\">5xx</th><th class=\"num\">4xx</th><th class=\"num\">Error rate</th><th class=\"num\">p50</th><th class=\"num\">p99</th></tr></thead><tbody>");
            for e in &r.endpoints {
                let ms = |v: Option<f64>| v.map_or("-".to_string(), |p| format!("{p:.0} ms"));
                let _ = write!(
                    h,
                    "<tr><td><code class=\"tpl\">{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    log(&e.route),
                    fmt_count(e.requests),
                    fmt_count(e.server_errors),
                    fmt_count(e.client_errors),
                    pct(e.error_rate),
                    ms(e.p50_ms),
                    ms(e.p99_ms)
                );
            }
            h.push_str("</tbody></table></section>");
        }
        if !r.upstreams.is_empty() {
            h.push_str("<section id=\"upstreams\"><h2>Upstreams</h2><table><thead><tr><th>Host</th><th class=\"num\">Calls</th><th class=\"num\">Failed</th><th class=\"num\">Timeouts</th><th class=\"num\">Refused</th><th class=\"num\">429</th><th class=\"num\">p99</th></tr></thead><tbody>");
            for u in &r.upstreams {
                let _ = write!(
                    h,
                    "<tr><td><code class=\"tpl\">{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    log(&u.host),
                    fmt_calls(u.calls),
                    fmt_failed(u.failures, u.failure_rate),
                    fmt_count(u.timeouts),
                    fmt_count(u.refused),
                    fmt_count(u.rate_limited),
                    u.p99_ms.map_or("-".to_string(), |p| format!("{p:.0} ms"))
                );
            }
            h.push_str("</tbody></table></section>");
        }

        // Input overview.
        h.push_str("<section id=\"input\"><h2>Input</h2><dl class=\"kv\">");
        let mut kv = |k: &str, v: String| {
            let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), v);
        };
        kv(
            "Events",
            format!(
                "{} ({} of log data)",
                fmt_count(ov.events),
                esc(&crate::progress::bytes(ov.bytes))
            ),
        );
        kv("Levels", esc(&super::terminal::levels_line(&ov.levels)));
        if let (Some(a), Some(b)) = (&ov.start, &ov.end) {
            kv("Time span", esc(&format!("{a} → {b}")));
        }
        let formats: Vec<String> = ov
            .formats
            .iter()
            .map(|(f, n)| format!("{f} ({n})"))
            .collect();
        kv("Formats", esc(&formats.join(", ")));
        if ov.untimed_events > 0 {
            kv("Without time", fmt_count(ov.untimed_events));
        }
        if ov.invalid_utf8_events > 0 {
            kv("Invalid UTF-8", fmt_count(ov.invalid_utf8_events));
        }
        if ov.truncated_lines > 0 {
            kv("Truncated lines", fmt_count(ov.truncated_lines));
        }
        if ov.directive_lines > 0 {
            kv("W3C directive lines", fmt_count(ov.directive_lines));
        }
        if let Some(tf) = &ov.time_filter {
            kv(
                "Time filter",
                esc(&format!(
                    "{} → {} ({} events outside){}",
                    tf.since.as_deref().unwrap_or("start"),
                    tf.until.as_deref().unwrap_or("end"),
                    fmt_count(tf.events_outside),
                    tf.note
                        .as_deref()
                        .map(|n| format!("; {n}"))
                        .unwrap_or_default()
                )),
            );
        }
        if let Some(b) = &ov.baseline {
            kv(
                "Baseline",
                esc(&format!(
                    "{} events, {} templates from {}",
                    fmt_count(b.events),
                    b.templates,
                    b.sources.join(", ")
                )),
            );
        }
        for n in &ov.notes {
            kv("Note", esc(n));
        }
        h.push_str("</dl>");
        if !ov.sources.is_empty() {
            h.push_str("<table style=\"margin-top:12px\"><thead><tr><th>Source</th><th>Format</th><th class=\"num\">Lines</th><th class=\"num\">Bytes</th></tr></thead><tbody>");
            for s in ov.sources.iter().take(50) {
                let _ = write!(
                    h,
                    "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    log(&s.name),
                    esc(&s.format),
                    fmt_count(s.lines),
                    esc(&crate::progress::bytes(s.bytes))
                );
            }
            if ov.sources.len() > 50 {
                let _ = write!(
                    h,
                    "<tr><td colspan=\"4\" class=\"empty\">… and {} more</td></tr>",
                    ov.sources.len() - 50
                );
            }
            h.push_str("</tbody></table>");
        }
        if !ov.notices.is_empty() {
            h.push_str("<table style=\"margin-top:12px\"><thead><tr><th>Skipped or damaged</th><th>Why</th></tr></thead><tbody>");
            for n in &ov.notices {
                let _ = write!(
                    h,
                    "<tr><td><code>{}</code> <span class=\"meta\">{}</span></td><td>{}</td></tr>",
                    log(&n.source),
                    esc(&n.kind),
                    log(&n.message)
                );
            }
            h.push_str("</tbody></table>");
        }
        h.push_str("</section>");
        let _ = writeln!(
            h,
            "<footer>{} · report schema v{}</footer></main></body></html>",
            esc(&r.tool),
            r.version
        );
        out.write_all(h.as_bytes())
    }
}
