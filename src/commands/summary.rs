//! `faultline summary` (also what `faultline PATHS` runs): one pass over the input, then the
//! incident report — ranked findings with evidence, the incident window with the error-rate
//! timeline, the top error templates, endpoints — as a terminal report, JSON, Markdown or a
//! self-contained HTML page.
//!
//! Flow: flags → `InputConfig` + time filter → `engine::summarize` (with progress on stderr)
//! → `templates::finalize` → [`collect_findings`] → `report::build` → a `report::Renderer`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use clap::Args;

use super::MineArgs;
use crate::cli::{InputArgs, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::detect::{self, Finding, Severity};
use crate::engine::{self, EngineOptions, EngineOutput};
use crate::input::InputConfig;
use crate::mine::ClusterConfig;
use crate::progress::{self, Progress};
use crate::report::build::ReportInput;

use crate::report::model::{BaselineRow, EndpointRow, TimeFilterRow, UpstreamRow};
use crate::report::{self, rfc3339, OutputFormat};
use crate::summary::templates::{finalize, Templates};
use crate::summary::Summary;

#[derive(Args, Debug)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    /// Known-good logs to compare against (files, directories, archives; repeatable): turns
    /// on "new since the baseline" instead of "new since the first 15% of the input".
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<PathBuf>,

    /// Only events at or after this time: RFC 3339 (2026-11-27T10:00:00Z), or a duration
    /// before the end of the input (30m, 2h, 1d, 1h30m).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only events before this time: RFC 3339, or a duration before the end of the input.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: OutputFormat,

    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Exit with code 1 when a finding at or above this severity is reported (for CI, cron).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Templates listed in each template table.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
}

/// A point in time as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeArg {
    Absolute(i64),
    /// Milliseconds before the end of the input.
    BeforeEnd(i64),
}

/// Parses `--since`/`--until`: RFC 3339, a civil date-time in `tz`, or a duration like
/// `90s`, `30m`, `2h`, `1d`, `1h30m`.
pub fn parse_time_arg(s: &str, tz: &jiff::tz::TimeZone) -> anyhow::Result<TimeArg> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(TimeArg::Absolute(ts.as_millisecond()));
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        if let Ok(z) = dt.to_zoned(tz.clone()) {
            return Ok(TimeArg::Absolute(z.timestamp().as_millisecond()));
        }
    }
    if let Some(ms) = parse_duration_ms(s) {
        return Ok(TimeArg::BeforeEnd(ms));
    }
    anyhow::bail!(
        "cannot read time {s:?}: give RFC 3339 like 2026-11-27T10:00:00Z, or a duration before \
         the end of the input like 30m, 2h, 1d"
    )
}

fn parse_duration_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut i = 0;
    let mut total: i64 = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n: i64 = s[start..i].parse().ok()?;
        let ustart = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit: i64 = match &s[ustart..i] {
            "ms" => 1,
            "s" | "sec" => 1_000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(total)
}

/// A baseline: what "normal" looked like (yesterday's logs, last week's snapshot).
pub struct Baseline {
    pub summary: Summary,
    pub templates: Templates,
}

/// Settings of the detectors.
#[derive(Default)]
pub struct FindingsConfig {
    pub detect: detect::DetectConfig,
}

/// All findings of every kind, ranked most important first: new error types, spikes and
/// error-rate spikes (`detect::analyze`), against the baseline when there is one.
pub fn collect_findings(
    summary: &Summary,
    templates: &Templates,
    baseline: Option<&Baseline>,
    cfg: &FindingsConfig,
) -> Vec<Finding> {
    let mut out = detect::analyze(
        summary,
        templates,
        &cfg.detect,
        baseline.map(|b| (&b.summary, &b.templates)),
    );
    // Failing routes, latency regressions and troubled external APIs: inside the window,
    // and against the baseline for what the window alone cannot show (a route failing
    // all day that did not fail yesterday).
    let inside = detect::endpoints::detect(summary, Some(templates));
    if let Some(b) = baseline {
        for f in detect::endpoints::compare(&b.summary, summary, Some(templates)) {
            let dup = inside
                .iter()
                .any(|x| x.kind == f.kind && x.route == f.route && x.upstream == f.upstream);
            if !dup {
                out.push(f);
            }
        }
    }
    out.extend(inside);
    detect::untimed::link(&mut out);
    detect::rank(&mut out);
    // One incident seen several ways (an upstream's timeouts and the error logged for them)
    // is one headline with related evidence, so other incidents stay near the top.
    detect::group::group(out)
}

/// Route and upstream rows for the report's tables, from the endpoints module's view of
/// `summary.endpoints`: routes sorted by 5xx count, upstreams by failures, most first, ties
/// by name, top 20 each.
pub fn endpoint_rows(summary: &Summary) -> (Vec<EndpointRow>, Vec<UpstreamRow>) {
    let rep = crate::endpoints::view::finalize(&summary.endpoints, summary.resolution_ms);
    let statuses = |st: &[(u16, u64)]| -> std::collections::BTreeMap<String, u64> {
        st.iter().map(|(s, c)| (s.to_string(), *c)).collect()
    };
    let mut routes: Vec<EndpointRow> = rep
        .routes
        .iter()
        .filter(|r| !r.is_overflow && r.requests > 0)
        .map(|r| EndpointRow {
            route: r.key.clone(),
            requests: r.requests,
            server_errors: r.classes[5],
            client_errors: r.classes[4],
            error_rate: r.classes[5] as f64 / r.requests.max(1) as f64,
            p50_ms: r.latency.as_ref().map(|p| p.p50),
            p95_ms: r.stats.latency.quantile_ms(0.95),
            p99_ms: r.latency.as_ref().map(|p| p.p99),
            statuses: statuses(&r.stats.statuses),
            first_error: r
                .fail_examples()
                .iter()
                .filter_map(|e| e.time)
                .min()
                .map(crate::report::rfc3339),
            counted_from: r.view.clone(),
        })
        .collect();
    // Failing routes first, then the ones clients get wrong (404 hotspots, 401 storms),
    // then the busiest: an alphabetical tail of one-request routes says nothing.
    routes.sort_by(|a, b| {
        b.server_errors
            .cmp(&a.server_errors)
            .then(b.client_errors.cmp(&a.client_errors))
            .then(b.requests.cmp(&a.requests))
            .then(a.route.cmp(&b.route))
    });
    routes.truncate(20);
    let mut upstreams: Vec<UpstreamRow> = rep
        .upstreams
        .iter()
        .map(|u| UpstreamRow {
            host: u.host.clone(),
            calls: u.calls,
            failures: u.trouble,
            timeouts: u.timeouts,
            refused: u.refused,
            rate_limited: u.rate_limited,
            gave_up: crate::endpoints::view::gave_up_apart(&u.stats).iter().sum(),
            failure_rate: (u.calls > 0).then(|| (u.trouble as f64 / u.calls as f64).min(1.0)),
            p99_ms: u.latency.as_ref().map(|p| p.p99),
            statuses: statuses(&u.stats.statuses),
        })
        .collect();
    upstreams.sort_by(|a, b| b.failures.cmp(&a.failures).then(a.host.cmp(&b.host)));
    upstreams.truncate(20);
    (routes, upstreams)
}

/// Reads the input once, or — for a time window counted back from the end of the input —
/// once to find the end and again with the filter (only when the window cuts something
/// off). Stdin cannot be read twice, so for a relative window it is first copied to a
/// private temporary file (removed afterwards) and reported under its own name, `-`.
fn read_filtered(
    cfg: &InputConfig,
    since: Option<TimeArg>,
    until: Option<TimeArg>,
    args: &SummaryArgs,
    quiet: bool,
) -> anyhow::Result<(EngineOutput, Option<TimeFilterRow>)> {
    let make_opts = || -> anyhow::Result<EngineOptions> {
        Ok(EngineOptions::new(
            args.mine.masker()?,
            args.input.threads(),
        ))
    };
    // Built first so that a bad --mask fails before any input (or stdin) is read.
    let first_opts = make_opts()?;
    if since.is_none() && until.is_none() {
        return Ok((
            summarize_with_progress(cfg, &first_opts, "reading", quiet)?,
            None,
        ));
    }
    let resolve = |t: Option<TimeArg>, end: i64| -> Option<i64> {
        t.map(|t| match t {
            TimeArg::Absolute(ms) => ms,
            TimeArg::BeforeEnd(d) => end.saturating_sub(d),
        })
    };
    let show = |t: Option<TimeArg>, raw: &Option<String>, end: Option<i64>| -> Option<String> {
        match (t?, end) {
            (TimeArg::Absolute(ms), _) => Some(rfc3339(ms)),
            (TimeArg::BeforeEnd(d), Some(e)) => Some(format!(
                "{} ({} before the end)",
                rfc3339(e.saturating_sub(d)),
                raw.as_deref().unwrap_or("")
            )),
            (TimeArg::BeforeEnd(_), None) => raw.clone(),
        }
    };
    let relative = matches!(since, Some(TimeArg::BeforeEnd(_)))
        || matches!(until, Some(TimeArg::BeforeEnd(_)));
    let mut note = None;
    let (out, end) = if !relative {
        let mut opts = make_opts()?;
        opts.time_range = Some((
            resolve(since, 0).unwrap_or(i64::MIN),
            resolve(until, 0).unwrap_or(i64::MAX),
        ));
        (summarize_with_progress(cfg, &opts, "reading", quiet)?, None)
    } else {
        let reads_stdin = cfg.paths.is_empty() || cfg.paths.iter().any(|p| p.as_os_str() == "-");
        let spool = if reads_stdin {
            Some(Spool::stdin(quiet)?)
        } else {
            None
        };
        let mut cfg = cfg.clone();
        if let Some(sp) = &spool {
            match cfg.paths.iter().position(|p| p.as_os_str() == "-") {
                Some(i) => cfg.paths[i] = sp.path.clone(),
                None => cfg.paths = vec![sp.path.clone()],
            }
        }
        let first = summarize_with_progress(&cfg, &first_opts, "reading", quiet)?;
        let (out, end) = match (first.summary.time_min, first.summary.time_max) {
            (Some(a), Some(b)) => {
                let lo = resolve(since, b).unwrap_or(i64::MIN);
                let hi = resolve(until, b).unwrap_or(i64::MAX);
                if lo <= a && hi > b {
                    (first, Some(b))
                } else {
                    let mut opts = make_opts()?;
                    opts.time_range = Some((lo, hi));
                    let second = summarize_with_progress(&cfg, &opts, "filtering", quiet)?;
                    (second, Some(b))
                }
            }
            _ => {
                note = Some("no event has a timestamp, so the time filter could not apply".into());
                (first, None)
            }
        };
        let mut out = out;
        if let Some(sp) = &spool {
            rename_source(&mut out.summary, &sp.path.display().to_string(), "-");
        }
        (out, end)
    };
    let row = TimeFilterRow {
        since: show(since, &args.since, end),
        until: show(until, &args.until, end),
        events_outside: out.summary.filtered_out,
        note,
    };
    Ok((out, Some(row)))
}

/// Stdin copied to a private temporary file, removed when dropped.
struct Spool {
    path: PathBuf,
}

impl Spool {
    fn stdin(quiet: bool) -> anyhow::Result<Spool> {
        use std::io::Read;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "faultline-stdin-{}-{nanos}.log",
            std::process::id()
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Logs can hold secrets: readable by this user only.
            opts.mode(0o600);
        }
        let file = opts.open(&path).map_err(|e| {
            anyhow::anyhow!(
                "cannot create {} to hold stdin for a relative --since/--until ({e}); give an \
                 RFC 3339 time instead, or set TMPDIR",
                path.display()
            )
        })?;
        let spool = Spool { path };
        let counter = Arc::new(AtomicU64::new(0));
        let guard = Progress::start("buffering stdin", Arc::clone(&counter), None, !quiet);
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut buf = vec![0u8; 1 << 20];
        let stdin = std::io::stdin();
        let mut r = stdin.lock();
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(anyhow::anyhow!("reading stdin: {e}")),
            };
            w.write_all(&buf[..n])
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", spool.path.display()))?;
            counter.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        }
        w.flush()
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", spool.path.display()))?;
        drop(guard);
        Ok(spool)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Renames a source (and its archive members, `from:member`) everywhere in a summary.
fn rename_source(sum: &mut Summary, from: &str, to: &str) {
    let fix = |name: &mut String| {
        if name == from {
            *name = to.to_string();
        } else if let Some(rest) = name.strip_prefix(from).filter(|r| r.starts_with(':')) {
            *name = format!("{to}{rest}");
        }
    };
    let fix_shared = |name: &mut std::sync::Arc<str>| {
        let mut s = name.to_string();
        fix(&mut s);
        if *s != **name {
            *name = s.into();
        }
    };
    for e in sum.examples_mut() {
        fix_shared(&mut e.source);
    }
    for s in &mut sum.input.sources {
        fix(&mut s.name);
    }
    for n in &mut sum.input.notices {
        fix(&mut n.source);
    }
}

/// Reads and summarizes inputs, showing progress on a terminal.
fn summarize_with_progress(
    cfg: &InputConfig,
    opts: &EngineOptions,
    label: &str,
    quiet: bool,
) -> anyhow::Result<EngineOutput> {
    let counter = Arc::new(AtomicU64::new(0));
    let mut cfg = cfg.clone();
    cfg.bytes_read = Some(Arc::clone(&counter));
    let total = progress::total_size(&cfg.paths);
    let guard = Progress::start(label, counter, total, !quiet);
    let out = engine::summarize(&cfg, opts);
    drop(guard);
    out
}

pub fn run(args: &SummaryArgs) -> anyhow::Result<i32> {
    let cfg = args.input.to_config()?;
    if let Some(out) = &args.out {
        args.input.refuse_overwriting_input(out, &args.baseline)?;
    }
    let quiet = args.input.quiet;
    let since = args
        .since
        .as_deref()
        .map(|s| parse_time_arg(s, &cfg.parse.tz))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_time_arg(s, &cfg.parse.tz))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--until: {e}"))?;
    // A window that ends before it starts would only report an empty input.
    let empty = match (since, until) {
        (Some(TimeArg::Absolute(a)), Some(TimeArg::Absolute(b))) => a >= b,
        (Some(TimeArg::BeforeEnd(a)), Some(TimeArg::BeforeEnd(b))) => a <= b,
        _ => false,
    };
    if empty {
        anyhow::bail!("--since must be before --until");
    }
    let make_opts = || -> anyhow::Result<EngineOptions> {
        Ok(EngineOptions::new(
            args.mine.masker()?,
            args.input.threads(),
        ))
    };
    let (out, time_filter) = read_filtered(&cfg, since, until, args, quiet)?;
    let sum = out.summary;
    let errors = super::report_notices(&sum.input, quiet);
    let ccfg = ClusterConfig {
        max_templates: args.mine.max_templates,
    };
    let mut errors = errors;
    let baseline_summary = if args.baseline.is_empty() {
        None
    } else {
        let mut bcfg = cfg.clone();
        bcfg.paths = args.baseline.clone();
        let b = summarize_with_progress(&bcfg, &make_opts()?, "baseline", quiet)?;
        let berrors = super::report_notices(&b.summary.input, quiet);
        if berrors && b.summary.events == 0 {
            anyhow::bail!("--baseline: nothing could be read; check the paths");
        }
        super::usable_baseline(&b.summary)?;
        // A partly unreadable baseline is an error too (exit 2): comparisons against it
        // may call things new that are not.
        errors |= berrors;
        Some(b.summary)
    };
    // With a baseline both sides are clustered together, so a template has one id on both.
    let (templates, baseline) = match baseline_summary {
        None => (finalize(&sum, &ccfg), None),
        Some(bs) => {
            let (bt, ct) = detect::pair::joint_templates(&bs, &sum, &ccfg);
            let b = Baseline {
                summary: bs,
                templates: bt,
            };
            (ct, Some(b))
        }
    };

    let findings = collect_findings(
        &sum,
        &templates,
        baseline.as_ref(),
        &FindingsConfig::default(),
    );
    let baseline_row = baseline.as_ref().map(|b| BaselineRow {
        sources: b
            .summary
            .input
            .sources
            .iter()
            .map(|s| s.name.clone())
            .collect(),
        events: b.summary.events,
        start: b.summary.time_min.map(rfc3339),
        end: b.summary.time_max.map(rfc3339),
        templates: b.templates.list.len(),
    });
    let fail = args
        .fail_on
        .is_some_and(|min| findings.iter().any(|f| f.severity >= min));
    let (endpoints, upstreams) = endpoint_rows(&sum);
    let doc = report::build::build(ReportInput {
        summary: &sum,
        templates: &templates,
        findings,
        time_filter,
        baseline: baseline_row,
        endpoints,
        upstreams,
        top_templates: args.top.max(1),
    });

    match &args.out {
        Some(path) => {
            let mut buf = Vec::new();
            let width = 100;
            report::renderer(args.output, false, width).render(&doc, &mut buf)?;
            std::fs::write(path, &buf)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            if !quiet {
                eprintln!(
                    "faultline: wrote {} ({}): {}",
                    crate::sanitize::terminal(&path.display().to_string()),
                    progress::bytes(buf.len() as u64),
                    crate::sanitize::terminal(&doc.headline)
                );
            }
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            report::renderer(args.output, report::use_color(), report::term_width())
                .render(&doc, &mut w)?;
            w.flush()?;
        }
    }
    Ok(if errors {
        EXIT_ERROR
    } else if fail {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::FindingKind;
    use crate::record::Level;
    use crate::report::fixtures::{sig, summary_of, MIN, T0};

    #[test]
    fn finds_the_new_error_and_the_error_rate_burst() {
        let ok = sig("request served", Level::Info, &[100; 60]);
        let mut burst = vec![0u64; 60];
        for c in &mut burst[40..50] {
            *c = 30;
        }
        let db = sig("db connection refused", Level::Error, &burst);
        let slow = sig("slow response", Level::Error, &[1; 60]);
        let sum = summary_of(vec![ok, db, slow]);
        let templates = finalize(&sum, &ClusterConfig::default());
        let f = collect_findings(&sum, &templates, None, &FindingsConfig::default());
        let new: Vec<&Finding> = f
            .iter()
            .filter(|f| f.kind == FindingKind::NewError)
            .collect();
        assert_eq!(new.len(), 1, "{f:#?}");
        assert_eq!(new[0].template.as_deref(), Some("db connection refused"));
        assert_eq!(new[0].start, Some(T0 + 40 * MIN));
        assert_eq!(new[0].end, Some(T0 + 49 * MIN));
        assert_eq!(new[0].count, 300);
        let rate = f
            .iter()
            .find(|f| f.kind == FindingKind::ErrorRateSpike)
            .unwrap_or_else(|| panic!("no error-rate finding: {f:#?}"));
        assert_eq!(rate.start, Some(T0 + 40 * MIN));
        assert_eq!(rate.end, Some(T0 + 50 * MIN));
        assert_eq!(rate.template.as_deref(), Some("db connection refused"));
        assert!(rate.factor.unwrap_or(0.0) > 10.0, "{rate:#?}");
        // Ranked: scores never increase down the list.
        assert!(f.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn a_baseline_decides_what_is_new() {
        let ok = sig("request served", Level::Info, &[100; 60]);
        let slow = sig("slow response", Level::Error, &[1; 60]);
        let mut late = vec![0u64; 60];
        late[50] = 2;
        let late = sig("cache evicted", Level::Warn, &late);
        let sum = summary_of(vec![ok.clone(), slow.clone(), late.clone()]);
        let templates = finalize(&sum, &ClusterConfig::default());
        // Without a baseline the late warning is new...
        let f = collect_findings(&sum, &templates, None, &FindingsConfig::default());
        assert!(f
            .iter()
            .any(|f| f.template.as_deref() == Some("cache evicted")));
        // ...but not when the baseline has it; and the slow error is new against a baseline
        // without it.
        let base = summary_of(vec![ok, late]);
        let bt = finalize(&base, &ClusterConfig::default());
        let b = Baseline {
            summary: base,
            templates: bt,
        };
        let f = collect_findings(&sum, &templates, Some(&b), &FindingsConfig::default());
        let new: Vec<_> = f
            .iter()
            .filter(|f| f.kind == FindingKind::NewError)
            .filter_map(|f| f.template.as_deref())
            .collect();
        assert_eq!(new, vec!["slow response"]);
    }

    #[test]
    fn parses_times() {
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            parse_time_arg("2026-11-27T10:00:00Z", &utc).ok(),
            Some(TimeArg::Absolute(1_795_773_600_000))
        );
        assert_eq!(
            parse_time_arg("2026-11-27T10:00:00", &utc).ok(),
            Some(TimeArg::Absolute(1_795_773_600_000))
        );
        assert_eq!(
            parse_time_arg("2h", &utc).ok(),
            Some(TimeArg::BeforeEnd(7_200_000))
        );
        assert_eq!(
            parse_time_arg("1h30m", &utc).ok(),
            Some(TimeArg::BeforeEnd(5_400_000))
        );
        assert!(parse_time_arg("yesterday-ish", &utc).is_err());
        assert!(parse_time_arg("5x", &utc).is_err());
    }
}
