//! `faultline spikes`: templates (and the error rate) bursting above their own normal level,
//! each with a sparkline; optionally against a baseline (`--baseline yesterday.flt`).
//!
//! Also home of the flags and helpers shared by the commands that compare or detect over
//! templates (`DetectArgs`, `BaselineArgs`, [`load_sides`]).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::MineArgs;
use crate::cli::{InputArgs, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::detect::{self, burst::BurstParams, timeline, DetectConfig, Finding, Severity};
use crate::engine::{self, EngineOptions};
use crate::mine::ClusterConfig;
use crate::report::{self, ellipsize, rfc3339_opt, OutputFormat};
use crate::sanitize;
use crate::summary::templates::{finalize, Templates};
use crate::summary::Summary;

/// Detector flags shared by `spikes` (and usable by `summary`).
#[derive(Args, Debug, Clone)]
pub struct DetectArgs {
    /// Display/detection bucket width (30s, 1m, 5m, 1h); default: chosen so the time span has
    /// 60–300 buckets.
    #[arg(long, value_name = "DURATION", value_parser = parse_bucket)]
    pub bucket: Option<i64>,

    /// Fewest events in a spike.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub min_count: u64,

    /// Fewest times the normal rate for a template spike.
    #[arg(long, default_value_t = 3.0, value_name = "X", value_parser = parse_factor)]
    pub min_factor: f64,

    /// Share of the window treated as warm-up when finding new errors without a baseline.
    #[arg(long, default_value_t = 0.15, value_name = "FRACTION", value_parser = parse_fraction)]
    pub warmup: f64,
}

/// `--min-factor`: a finite number of times, at least 1 (NaN would compare false with
/// every rate and silently find nothing).
pub fn parse_factor(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 1.0 => Ok(x),
        _ => Err("expected a number of times, at least 1 (2, 3.5)".into()),
    }
}

/// `--warmup` of `spikes`: a share of the window from 0 to 1.
fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err("expected a share of the window from 0 to 1 (0.15)".into()),
    }
}

/// The widest bucket `--bucket` takes: the grid is laid over the summary's own buckets, so
/// its cost grows with the width (a bucket of years would ask for gigabytes).
const MAX_BUCKET_MS: i64 = 7 * 86_400_000;

fn parse_bucket(s: &str) -> Result<i64, String> {
    let ms = timeline::parse_duration(s)?;
    if ms > MAX_BUCKET_MS {
        return Err(format!("bucket {s:?} is too wide: at most 7d"));
    }
    Ok(ms)
}

impl DetectArgs {
    pub fn config(&self) -> DetectConfig {
        let d = DetectConfig::default();
        DetectConfig {
            bucket_ms: self.bucket,
            spike: BurstParams {
                min_count: self.min_count.max(1),
                min_factor: self.min_factor.max(1.0),
                ..d.spike
            },
            error_rate: BurstParams {
                min_count: self.min_count.max(1),
                ..d.error_rate
            },
            warmup_fraction: self.warmup.clamp(0.0, 0.95),
            ..d
        }
    }
}

/// `--baseline PATH...` shared by `spikes` and `diff`.
#[derive(Args, Debug, Clone)]
pub struct BaselineArgs {
    /// Baseline logs or snapshots ("yesterday"). Takes every path up to `--`; without `--`
    /// the last path is the current input: `--baseline yesterday.flt today.log`.
    #[arg(long, num_args = 1.., value_name = "PATH")]
    pub baseline: Vec<PathBuf>,
}

/// Applies the `--baseline` rule above: without a `--` on the command line and no other
/// path, the last baseline path is the current input.
pub fn resolve_baseline(baseline: &mut Vec<PathBuf>, paths: &mut Vec<PathBuf>) {
    let dashdash = std::env::args_os().skip(1).any(|a| a == "--");
    if !dashdash && paths.is_empty() && baseline.len() >= 2 {
        if let Some(last) = baseline.pop() {
            paths.push(last);
        }
    }
}

/// Both sides summarized and templated: templates clustered jointly when there is a baseline.
pub struct Sides {
    pub cur: Summary,
    pub cur_t: Templates,
    pub base: Option<(Summary, Templates)>,
    /// Some input could not be read (exit code 2 after output).
    pub input_errors: bool,
}

/// Summarizes the current input and, if given, the baseline (same input flags).
pub fn load_sides(
    input: &InputArgs,
    mine: &MineArgs,
    baseline: &[PathBuf],
) -> anyhow::Result<Sides> {
    let cfg = input.to_config()?;
    let mk = || -> anyhow::Result<EngineOptions> {
        let mut o = EngineOptions::new(mine.masker()?, input.threads());
        o.mask_spec = mine.mask.clone();
        Ok(o)
    };
    let cur = engine::summarize(&cfg, &mk()?)?.summary;
    let mut input_errors = super::report_notices(&cur.input, input.quiet);
    let ccfg = ClusterConfig {
        max_templates: mine.max_templates,
    };
    if baseline.is_empty() {
        let cur_t = finalize(&cur, &ccfg);
        return Ok(Sides {
            cur,
            cur_t,
            base: None,
            input_errors,
        });
    }
    let mut bcfg = cfg.clone();
    bcfg.paths = baseline.to_vec();
    let base = engine::summarize(&bcfg, &mk()?)?.summary;
    input_errors |= super::report_notices(&base.input, input.quiet);
    super::usable_baseline(&base)?;
    let (base_t, cur_t) = detect::pair::joint_templates(&base, &cur, &ccfg);
    Ok(Sides {
        cur,
        cur_t,
        base: Some((base, base_t)),
        input_errors,
    })
}

#[derive(Args, Debug)]
pub struct SpikesArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    #[command(flatten)]
    pub detect: DetectArgs,

    #[command(flatten)]
    pub baseline: BaselineArgs,

    /// Show at most N spikes.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Exit with code 1 when a spike at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Output format (html is not available for this command).
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub fn run(args: &SpikesArgs) -> anyhow::Result<i32> {
    if args.output == OutputFormat::Html {
        anyhow::bail!(
            "--output html is available for `faultline summary`; use table, json or markdown here"
        );
    }
    let mut input = args.input.clone();
    let mut baseline = args.baseline.baseline.clone();
    resolve_baseline(&mut baseline, &mut input.paths);
    let sides = load_sides(&input, &args.mine, &baseline)?;
    let cfg = args.detect.config();
    let mut findings = detect::spikes::find(
        &sides.cur,
        &sides.cur_t,
        &cfg,
        sides.base.as_ref().map(|(s, t)| (s, t)),
    );
    detect::rank(&mut findings);
    findings.truncate(args.top.unwrap_or(usize::MAX));
    let grid = timeline::Grid::for_summary(&sides.cur, cfg.bucket_ms);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match args.output {
        OutputFormat::Json => {
            let doc = serde_json::json!({
                "version": 1,
                "events": sides.cur.events,
                "untimed_events": sides.cur.untimed,
                "bucket_ms": grid.map(|g| g.width),
                "baseline": sides.base.as_ref().map(|(b, _)| serde_json::json!({"events": b.events})),
                "findings": findings,
            });
            crate::sanitize::write_json(&mut w, &doc, true)?;
            writeln!(w)?;
        }
        OutputFormat::Markdown => {
            writeln!(
                w,
                "| severity | onset | end | peak rate (normal) /min | × | count | trend | what |"
            )?;
            writeln!(w, "|---|---|---|---:|---:|---:|---|---|")?;
            for f in &findings {
                writeln!(
                    w,
                    "| {} | {} | {} | {:.2} ({:.3}) | {} | {} | `{}` | {} |",
                    f.severity.as_str(),
                    rfc3339_opt(f.start),
                    f.end.map_or_else(|| "ongoing".to_string(), report::rfc3339),
                    f.rate.unwrap_or(0.0),
                    f.baseline_rate.unwrap_or(0.0),
                    fmt_x(f.factor),
                    f.count,
                    report::sparkline(&report::squeeze(&f.series, 40)),
                    report::markdown::md_text(&ellipsize(&f.title, 200)),
                )?;
            }
        }
        OutputFormat::Table | OutputFormat::Html => {
            let mut table = report::table::new_table(
                &[
                    "sev",
                    "onset → end",
                    "peak/min (normal)",
                    "count",
                    "trend",
                    "what",
                ],
                report::term_width(),
            );
            // Times without their date when the input lies within one day (as in the
            // summary), so the column is narrow and the finding's text gets the room.
            let day = report::build::day_reference(sides.cur.time_min, sides.cur.time_max);
            let when = |t: i64| report::build::short_time(t, day);
            for f in &findings {
                table.add_row(vec![
                    f.severity.as_str().to_string(),
                    format!(
                        "{}\n→ {}",
                        f.start.map_or_else(|| "-".to_string(), when),
                        f.end.map_or_else(|| "ongoing".to_string(), when)
                    ),
                    format!(
                        "{:.2} ({:.3})\n×{}",
                        f.rate.unwrap_or(0.0),
                        f.baseline_rate.unwrap_or(0.0),
                        fmt_x(f.factor)
                    ),
                    f.count.to_string(),
                    report::sparkline(&report::squeeze(&f.series, 16)),
                    example_cell(f),
                ]);
            }
            if findings.is_empty() {
                writeln!(w, "No spikes found.")?;
            } else {
                writeln!(w, "{table}")?;
            }
            writeln!(w, "{}", footer(&sides.cur, grid, findings.len()))?;
        }
    }
    w.flush()?;
    Ok(exit_code(&findings, args.fail_on, sides.input_errors))
}

fn fmt_x(f: Option<f64>) -> String {
    match f {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
        None => "new".to_string(),
    }
}

fn example_cell(f: &Finding) -> String {
    let title = sanitize::terminal(&ellipsize(&f.title, 200));
    match f.examples.first() {
        Some(e) => {
            let ex = format!(
                "e.g. {} {}",
                e.location(),
                crate::record::plain::evidence_line(&e.text)
            );
            format!("{title}\n{}", sanitize::terminal(&ellipsize(&ex, 160)))
        }
        None => title,
    }
}

fn footer(sum: &Summary, grid: Option<timeline::Grid>, n: usize) -> String {
    let mut s = format!("{} events, {} spike(s)", sum.events, n);
    if let Some(g) = grid {
        s.push_str(&format!(", buckets of {}", human_ms(g.width)));
    }
    if sum.untimed > 0 {
        s.push_str(&format!(
            "; {} event(s) without timestamp are counted but not in any series",
            sum.untimed
        ));
    }
    if grid.is_none() && sum.events > 0 {
        s.push_str("; no timestamps found, so no time series");
    }
    s
}

/// `90000` → `1m30s`.
pub fn human_ms(ms: i64) -> String {
    let (h, m, s, r) = (
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1_000 % 60,
        ms % 1_000,
    );
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    if r > 0 || out.is_empty() {
        out.push_str(&format!("{r}ms"));
    }
    out
}

/// Exit code from findings and input errors: 2 for unreadable input, 1 for a finding at or
/// above `--fail-on`, else 0.
pub fn exit_code(findings: &[Finding], fail_on: Option<Severity>, input_errors: bool) -> i32 {
    if input_errors {
        EXIT_ERROR
    } else if fail_on.is_some_and(|min| findings.iter().any(|f| f.severity >= min)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
