//! `faultline endpoints`: the route table sorted by failures (requests, status classes, error
//! rates, latency percentiles, a sparkline of failures) and the external hosts table
//! (timeouts, refused connections, 429s, 5xx), with the endpoint findings on top.
//!
//! Works on anything whose events carry HTTP fields: access logs, JSON request logs, logfmt
//! router logs, and mixed inputs; external hosts are also found in free-text error messages.
//!
//! JSON output (`--output json`, version 1): `{version, events, requests, routes_total,
//! routes: [{route: "METHOD /path/{id}", method, path, requests, share, classes: {none, 1xx,
//! 2xx, 3xx, 4xx, 5xx}, failed, client_errors, error_rate, client_error_rate, statuses:
//! [{status, count}], latency: {count, p50_ms, p90_ms, p99_ms, max_ms} | null, first_seen,
//! last_seen, merged_routes, error_templates: [{template, id, count}], examples:
//! [{location, text}], failing_examples}], upstreams: [{host, events, calls, ok, timeouts,
//! refused, rate_limited, server_errors, client_errors, gave_up, failing_call_share,
//! retry_after_max_s, statuses, latency, first_seen, last_seen, routes, examples}],
//! findings: [Finding], unlinked_errors, unpaired_completions}`. Finding `details.rate_unit`
//! says what `rate` and `baseline_rate` measure (see `detect::endpoints`).

use std::io::Write;

use clap::Args;
use serde_json::json;

use super::MineArgs;
use crate::cli::{InputArgs, EXIT_ERROR, EXIT_OK};
use crate::detect::endpoints::{analyze, route_json, upstream_json};
use crate::detect::Finding;
use crate::endpoints::view::{RouteView, UpstreamView};
use crate::engine::{self, EngineOptions};
use crate::mine::ClusterConfig;
use crate::report::{self, ellipsize, rfc3339_opt, sparkline, squeeze, OutputFormat};
use crate::sanitize;
use crate::summary::series::LADDER_MS;
use crate::summary::templates::finalize;
use crate::summary::Summary;

#[derive(Args, Debug)]
pub struct EndpointsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    /// Only routes whose path (or `METHOD path`) starts with PREFIX, e.g. /api/v1 or "POST /api".
    #[arg(long, value_name = "PREFIX")]
    pub route: Option<String>,

    /// Show only the external hosts (upstreams) table.
    #[arg(long)]
    pub upstreams: bool,

    /// Show at most N routes (and N hosts).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub top: usize,

    /// Output format (html is available for `faultline summary`).
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: OutputFormat,
}

fn route_matches(r: &RouteView, prefix: &str) -> bool {
    r.route.starts_with(prefix) || r.key.starts_with(prefix)
}

pub fn run(args: &EndpointsArgs) -> anyhow::Result<i32> {
    if args.output == OutputFormat::Html {
        anyhow::bail!(
            "--output html is available for `faultline summary`; use table, json or markdown here"
        );
    }
    let cfg = args.input.to_config()?;
    let opts = EngineOptions::new(args.mine.masker()?, args.input.threads());
    let out = engine::summarize(&cfg, &opts)?;
    let errors = super::report_notices(&out.summary.input, args.input.quiet);
    let sum = &out.summary;
    // Templates only matter when error events were linked to routes.
    let templates = sum
        .endpoints
        .routes
        .iter()
        .any(|r| !r.sigs.is_empty())
        .then(|| {
            finalize(
                sum,
                &ClusterConfig {
                    max_templates: args.mine.max_templates,
                },
            )
        });
    let analysis = analyze(sum, templates.as_ref());
    let rep = &analysis.report;
    let routes: Vec<&RouteView> = rep
        .routes
        .iter()
        .filter(|r| args.route.as_deref().is_none_or(|p| route_matches(r, p)))
        .collect();
    let findings: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| match (&args.route, &f.route) {
            (Some(p), Some(r)) => {
                r.starts_with(p.as_str())
                    || r.split_once(' ')
                        .is_some_and(|(_, path)| path.starts_with(p.as_str()))
            }
            (Some(_), None) => false,
            (None, _) => true,
        })
        .filter(|f| !args.upstreams || f.upstream.is_some())
        .collect();
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let tpl = templates.as_ref();
    match args.output {
        OutputFormat::Json => {
            let doc = json!({
                "version": 1,
                "events": sum.events,
                "requests": rep.total_requests,
                "routes_total": rep.routes.len(),
                "routes": if args.upstreams { Vec::new() } else {
                    routes.iter().take(args.top).map(|r| route_json(r, sum, tpl)).collect::<Vec<_>>()
                },
                "upstreams": rep.upstreams.iter().take(args.top).map(upstream_json).collect::<Vec<_>>(),
                "findings": findings,
                "unlinked_errors": rep.unlinked_errors,
                "unpaired_completions": rep.unpaired_completions,
            });
            crate::sanitize::write_json(&mut w, &doc, true)?;
            writeln!(w)?;
        }
        OutputFormat::Markdown => {
            write_markdown(&mut w, args, sum, &routes, &rep.upstreams, &findings)?;
        }
        OutputFormat::Table | OutputFormat::Html => {
            write_table(&mut w, args, sum, &routes, &rep.upstreams, &findings)?;
        }
    }
    w.flush()?;
    Ok(if errors { EXIT_ERROR } else { EXIT_OK })
}

fn pct(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x < 0.001 {
        "<0.1%".into()
    } else {
        format!("{:.1}%", 100.0 * x)
    }
}

fn ms(x: f64) -> String {
    if x >= 10_000.0 {
        format!("{:.1}s", x / 1000.0)
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn latency_cell(r: &RouteView) -> String {
    match &r.latency {
        Some(p) => format!(
            "{} / {} / {} / {}",
            ms(p.p50),
            ms(p.p90),
            ms(p.p99),
            ms(p.max)
        ),
        None => "-".into(),
    }
}

fn statuses_cell(st: &[(u16, u64)], n: usize) -> String {
    st.iter()
        .take(n)
        .map(|(s, c)| format!("{s}×{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sparkline of a route's failures over the summary's whole time range.
fn fail_spark(r: &RouteView, sum: &Summary, width: usize) -> String {
    let (Some(a), Some(b)) = (sum.time_min, sum.time_max) else {
        return String::new();
    };
    let res = sum.resolution_ms.max(1);
    let w = LADDER_MS
        .iter()
        .copied()
        .filter(|w| *w >= res && w % res == 0)
        .find(|w| (b - a) / w < 240)
        .unwrap_or(res);
    let mut s = r.fail_series().clone();
    s.rebucket(res, w);
    let dense = s.dense(a.div_euclid(w), b.div_euclid(w));
    sparkline(&squeeze(&dense, width))
}

fn finding_line(f: &Finding) -> String {
    let when = match (f.start, f.end) {
        (Some(s), None) => format!(" since {}", rfc3339_opt(Some(s))),
        (Some(s), Some(e)) => format!(" {} → {}", rfc3339_opt(Some(s)), rfc3339_opt(Some(e))),
        _ => String::new(),
    };
    let factor = f
        .factor
        .map(|x| format!(" ({})", crate::report::fmt_factor(x, f.baseline_rate)))
        .unwrap_or_default();
    format!(
        "[{}] {}{}{} ({} affected)",
        f.severity.as_str(),
        f.title,
        factor,
        when,
        f.count
    )
}

fn write_table(
    w: &mut impl Write,
    args: &EndpointsArgs,
    sum: &Summary,
    routes: &[&RouteView],
    ups: &[UpstreamView],
    findings: &[&Finding],
) -> anyhow::Result<()> {
    let width = report::term_width();
    if routes.is_empty() && ups.is_empty() {
        writeln!(
            w,
            "No HTTP requests or external calls found in {} events (the input has no method/path/status fields).",
            sum.events
        )?;
        return Ok(());
    }
    if !findings.is_empty() {
        writeln!(w, "Findings:")?;
        for f in findings.iter().take(8) {
            writeln!(w, "  {}", sanitize::terminal(&finding_line(f)))?;
        }
        writeln!(w)?;
    }
    if !args.upstreams && !routes.is_empty() {
        let mut t = report::table::new_table(
            &[
                "route",
                "requests",
                "5xx / 4xx",
                "top statuses",
                "p50 / p90 / p99 / max ms",
                "failures",
            ],
            width,
        );
        // The route is what people read first: never squeeze it below 30 columns.
        report::table::at_least(&mut t, 0, 30.min(width / 3));
        for r in routes.iter().take(args.top) {
            t.add_row(vec![
                sanitize::terminal(&ellipsize(&r.key, 70)),
                format!(
                    "{}
{}",
                    r.requests,
                    pct(r.share)
                ),
                format!(
                    "{}
{}",
                    pct(r.error_rate),
                    pct(r.client_error_rate)
                ),
                statuses_cell(&r.top_statuses, 3),
                latency_cell(r),
                fail_spark(r, sum, 20),
            ]);
        }
        writeln!(w, "{t}")?;
        if routes.len() > args.top {
            writeln!(w, "… {} more routes (--top N)", routes.len() - args.top)?;
        }
        if let Some(note) = views_note(routes) {
            writeln!(w, "{note}")?;
        }
    }
    if !ups.is_empty() {
        let mut t = report::table::new_table(
            &[
                "external host",
                "events",
                "calls ok",
                "timeouts",
                "refused",
                "429",
                "5xx",
                "retry-after max",
                "first / last",
            ],
            width,
        );
        report::table::at_least(&mut t, 0, 24.min(width / 3));
        for u in ups.iter().take(args.top) {
            t.add_row(vec![
                sanitize::terminal(&ellipsize(&u.host, 50)),
                u.events.to_string(),
                if u.calls > 0 {
                    format!("{}/{}", u.ok, u.calls)
                } else {
                    "-".into()
                },
                u.timeouts.to_string(),
                u.refused.to_string(),
                u.rate_limited.to_string(),
                u.server_errors.to_string(),
                u.retry_after_max_s.map_or("-".into(), |s| format!("{s}s")),
                format!(
                    "{}\n{}",
                    rfc3339_opt(u.first_time),
                    rfc3339_opt(u.last_time)
                ),
            ]);
        }
        writeln!(w, "{t}")?;
    }
    Ok(())
}

fn write_markdown(
    w: &mut impl Write,
    args: &EndpointsArgs,
    sum: &Summary,
    routes: &[&RouteView],
    ups: &[UpstreamView],
    findings: &[&Finding],
) -> anyhow::Result<()> {
    let _ = sum;
    if !findings.is_empty() {
        writeln!(w, "### Endpoint findings\n")?;
        for f in findings.iter().take(10) {
            // Outside a code span: everything Markdown would read as markup is escaped.
            writeln!(w, "- {}", report::markdown::md_text(&finding_line(f)))?;
        }
        writeln!(w)?;
    }
    if !args.upstreams && !routes.is_empty() {
        writeln!(w, "### Routes\n")?;
        writeln!(
            w,
            "| route | requests | share | 2xx | 3xx | 4xx | 5xx | 5xx% | 4xx% | top statuses | p50 ms | p90 ms | p99 ms | max ms |"
        )?;
        writeln!(
            w,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
        )?;
        for r in routes.iter().take(args.top) {
            let (p50, p90, p99, max) = match &r.latency {
                Some(p) => (ms(p.p50), ms(p.p90), ms(p.p99), ms(p.max)),
                None => ("-".into(), "-".into(), "-".into(), "-".into()),
            };
            writeln!(
                w,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                sanitize::markdown_cell(&r.key),
                r.requests,
                pct(r.share),
                r.classes[2],
                r.classes[3],
                r.classes[4],
                r.classes[5],
                pct(r.error_rate),
                pct(r.client_error_rate),
                statuses_cell(&r.top_statuses, 3),
                p50,
                p90,
                p99,
                max
            )?;
        }
        writeln!(w)?;
    }
    if !ups.is_empty() {
        writeln!(w, "### External hosts\n")?;
        writeln!(w, "| host | events | calls ok | timeouts | refused | 429 | 5xx | retry-after max | first seen | last seen |")?;
        writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---|---|")?;
        for u in ups.iter().take(args.top) {
            writeln!(
                w,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                sanitize::markdown_cell(&u.host),
                u.events,
                if u.calls > 0 {
                    format!("{}/{}", u.ok, u.calls)
                } else {
                    "-".into()
                },
                u.timeouts,
                u.refused,
                u.rate_limited,
                u.server_errors,
                u.retry_after_max_s.map_or("-".into(), |s| format!("{s}s")),
                rfc3339_opt(u.first_time),
                rfc3339_opt(u.last_time)
            )?;
        }
    }
    Ok(())
}

/// When one route's requests were logged by several kinds of log (proxy access log, router,
/// the app), says which one the table counts from: the same requests are not added up.
fn views_note(routes: &[&RouteView]) -> Option<String> {
    let mut counted: std::collections::BTreeSet<&str> = Default::default();
    let mut also: std::collections::BTreeSet<&str> = Default::default();
    for r in routes.iter().filter(|r| !r.also_seen.is_empty()) {
        counted.insert(&r.view);
        also.extend(r.also_seen.iter().map(|(v, _)| v.as_str()));
    }
    if counted.is_empty() {
        return None;
    }
    let join =
        |s: &std::collections::BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
    Some(format!(
        "Requests logged by several kinds of log are counted once, from the one that saw most of them ({}); also seen in: {}.",
        join(&counted),
        join(&also)
    ))
}
