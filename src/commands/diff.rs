//! `faultline diff --baseline PATH... [--] PATH...`: what changed between two log sets (or
//! snapshots): templates new, gone, increased, decreased, with rates normalized per hour of
//! log time (or per 1,000 events without timestamps), the change factor and a G-test
//! significance, most significant first.

use std::io::Write;

use clap::Args;

use super::spikes::{exit_code, load_sides, resolve_baseline, BaselineArgs};
use super::MineArgs;
use crate::cli::InputArgs;
use crate::detect::diff::{compare, Change, DiffConfig, DiffReport, DiffRow};
use crate::detect::{self, Finding, Severity};
use crate::report::{self, ellipsize, OutputFormat};
use crate::sanitize;

#[derive(Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    #[command(flatten)]
    pub baseline: BaselineArgs,

    /// Also list templates whose rate did not change significantly.
    #[arg(long)]
    pub all: bool,

    /// Show at most N rows.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Smallest rate change (times) for increased/decreased.
    #[arg(long, default_value_t = 2.0, value_name = "X", value_parser = super::spikes::parse_factor)]
    pub min_factor: f64,

    /// Exit with code 1 when a change at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Output format (html is not available for this command).
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<i32> {
    if args.output == OutputFormat::Html {
        anyhow::bail!(
            "--output html is available for `faultline summary`; use table, json or markdown here"
        );
    }
    let mut input = args.input.clone();
    let mut baseline = args.baseline.baseline.clone();
    resolve_baseline(&mut baseline, &mut input.paths);
    if baseline.is_empty() {
        anyhow::bail!("diff needs --baseline PATH... (logs or snapshots) to compare against");
    }
    let sides = load_sides(&input, &args.mine, &baseline)?;
    let Some((base, base_t)) = &sides.base else {
        anyhow::bail!("diff needs --baseline");
    };
    let cfg = DiffConfig {
        min_factor: args.min_factor.max(1.0),
        ..DiffConfig::default()
    };
    let report = compare(base, base_t, &sides.cur, &sides.cur_t, &cfg);
    let rows: Vec<&DiffRow> = report
        .rows
        .iter()
        .filter(|r| args.all || r.change != Change::Unchanged)
        .take(args.top.unwrap_or(usize::MAX))
        .collect();
    let mut findings: Vec<Finding> = report
        .rows
        .iter()
        .filter_map(|r| r.to_finding(report.unit))
        .collect();
    // Routes failing more, slower, and external APIs in more trouble than in the baseline.
    let endpoint_findings = detect::endpoints::compare(base, &sides.cur, Some(&sides.cur_t));
    findings.extend(endpoint_findings.iter().cloned());
    detect::rank(&mut findings);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match args.output {
        OutputFormat::Json => {
            let doc = serde_json::json!({
                "version": 1,
                "unit": report.unit,
                "baseline": {"events": report.base_events, "exposure": report.base_exposure},
                "current": {"events": report.events, "exposure": report.exposure},
                "rows": rows,
                "findings": findings,
            });
            crate::sanitize::write_json(&mut w, &doc, true)?;
            writeln!(w)?;
        }
        OutputFormat::Markdown => {
            writeln!(
                w,
                "| change | baseline | current | rate {u} (base → now) | × | G | p | template |",
                u = report.unit.as_str()
            )?;
            writeln!(w, "|---|---:|---:|---|---:|---:|---:|---|")?;
            for r in &rows {
                writeln!(
                    w,
                    "| {} | {} | {} | {:.2} → {:.2} | {} | {:.1} | {} | `{}` |",
                    r.change.as_str(),
                    r.base_count,
                    r.count,
                    r.base_rate,
                    r.rate,
                    fmt_factor(r),
                    r.g,
                    fmt_p(r.p_value),
                    sanitize::markdown_cell(&ellipsize(&r.template, 200)),
                )?;
            }
            writeln!(w)?;
            writeln!(w, "{}", footer(&report))?;
        }
        OutputFormat::Table | OutputFormat::Html => {
            let mut table = report::table::new_table(
                &[
                    "change", "baseline", "current", "rate", "×", "G (p)", "template",
                ],
                report::term_width(),
            );
            for r in &rows {
                table.add_row(vec![
                    r.change.as_str().to_string(),
                    r.base_count.to_string(),
                    r.count.to_string(),
                    format!("{:.2}\n→ {:.2}", r.base_rate, r.rate),
                    fmt_factor(r),
                    format!("{:.1}\n({})", r.g, fmt_p(r.p_value)),
                    sanitize::terminal(&ellipsize(&r.template, 300)),
                ]);
            }
            if rows.is_empty() {
                writeln!(w, "No significant changes.")?;
            } else {
                writeln!(w, "{table}")?;
            }
            if !endpoint_findings.is_empty() {
                writeln!(w, "Endpoints against the baseline:")?;
                for f in endpoint_findings.iter().take(10) {
                    let factor = f
                        .factor
                        .map(|x| format!(" ({})", crate::report::fmt_factor(x, f.baseline_rate)))
                        .unwrap_or_default();
                    writeln!(
                        w,
                        "  [{}] {}{} ({} affected)",
                        f.severity.as_str(),
                        sanitize::terminal(&f.title),
                        factor,
                        f.count
                    )?;
                }
            }
            writeln!(w, "{}", footer(&report))?;
        }
    }
    w.flush()?;
    Ok(exit_code(&findings, args.fail_on, sides.input_errors))
}

fn fmt_factor(r: &DiffRow) -> String {
    match (r.change, r.factor) {
        (Change::New, _) => "new".into(),
        (Change::Gone, _) => "gone".into(),
        (_, Some(f)) if f >= 1.0 => format!("×{f:.1}"),
        (_, Some(f)) => format!("÷{:.1}", 1.0 / f.max(1e-9)),
        (_, None) => "-".into(),
    }
}

fn fmt_p(p: f64) -> String {
    // Beyond ~1e-16 the tail approximation has no meaningful digits left.
    if p < 1e-16 {
        "<1e-16".to_string()
    } else if p < 1e-4 {
        format!("{p:.0e}")
    } else {
        format!("{p:.4}")
    }
}

fn footer(r: &DiffReport) -> String {
    let count = |c: Change| r.rows.iter().filter(|x| x.change == c).count();
    let exposure = |x: f64| match r.unit {
        detect::diff::RateUnit::PerHour => format!("{x:.1} h"),
        detect::diff::RateUnit::PerThousandEvents => format!("{:.0} events", x * 1000.0),
    };
    format!(
        "baseline {} events over {}, current {} events over {}; rates {}; {} new, {} gone, {} increased, {} decreased, {} unchanged",
        r.base_events,
        exposure(r.base_exposure),
        r.events,
        exposure(r.exposure),
        r.unit.as_str(),
        count(Change::New),
        count(Change::Gone),
        count(Change::Increased),
        count(Change::Decreased),
        count(Change::Unchanged),
    )
}
