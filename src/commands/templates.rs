//! `faultline templates`: the templates behind the messages, most frequent first; or with
//! `--per-line` one `{"template","id"}` object per event, in input order.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::MineArgs;
use crate::cli::{InputArgs, EXIT_ERROR, EXIT_OK};
use crate::engine::{self, EngineOptions};
use crate::mine::ClusterConfig;
use crate::mine::OTHER_TEMPLATE;
use crate::record::Level;

/// The `--per-line` template of a W3C directive line (`#Fields: …`, `#Date: …`).
const DIRECTIVE_TEMPLATE: &str = "#<directive>: <*>";
use crate::report::{self, ellipsize, rfc3339_opt, OutputFormat};
use crate::sanitize;
use crate::summary::templates::{finalize, TemplateStats};

#[derive(Args, Debug)]
pub struct TemplatesArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    /// Print one JSON object per input line, in input order: {"template": ..., "id": ...}
    /// (a multi-line event's template is repeated for each of its lines).
    #[arg(long)]
    pub per_line: bool,

    /// Only templates with events at this level or above.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<LevelArg>,

    /// Show at most N templates.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Only templates with at least N events.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_count: u64,

    /// Output format (html is not available for this command).
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// Level names accepted on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Trace => Level::Trace,
            LevelArg::Debug => Level::Debug,
            LevelArg::Info => Level::Info,
            LevelArg::Warn => Level::Warn,
            LevelArg::Error => Level::Error,
            LevelArg::Fatal => Level::Fatal,
        }
    }
}

#[derive(Serialize)]
struct TemplateRow<'a> {
    id: &'a str,
    template: &'a str,
    count: u64,
    share: f64,
    levels: serde_json::Map<String, serde_json::Value>,
    first_seen: Option<String>,
    last_seen: Option<String>,
    examples: Vec<String>,
    is_other: bool,
}

pub fn run(args: &TemplatesArgs) -> anyhow::Result<i32> {
    if args.per_line && !matches!(args.output, OutputFormat::Table | OutputFormat::Json) {
        anyhow::bail!(
            "--per-line prints JSON lines; use it without --output, or with --output json"
        );
    }
    let cfg = args.input.to_config()?;
    let mut opts = EngineOptions::new(args.mine.masker()?, args.input.threads());
    opts.per_line = args.per_line;
    // The table shows neither series nor endpoints.
    opts.full = false;
    let out = engine::summarize(&cfg, &opts)?;
    let errors = super::report_notices(&out.summary.input, args.input.quiet);
    let templates = finalize(
        &out.summary,
        &ClusterConfig {
            max_templates: args.mine.max_templates,
        },
    );
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if args.per_line {
        // Each template's JSON object is built once, then copied per event.
        let lines: Vec<String> = templates
            .list
            .iter()
            .map(|t| {
                let mut line = Vec::new();
                let doc = serde_json::json!({"template": t.text, "id": t.id});
                let _ = crate::sanitize::write_json(&mut line, &doc, false);
                String::from_utf8_lossy(&line).into_owned()
            })
            .collect();
        let other =
            serde_json::json!({"template": OTHER_TEMPLATE, "id": crate::mine::template_id(OTHER_TEMPLATE)})
                .to_string();
        // A W3C directive line (`#Fields: …`) is the log's header, not an event: it has a
        // template of its own, outside the summary.
        let directive = serde_json::json!({
            "template": DIRECTIVE_TEMPLATE,
            "id": crate::mine::template_id(DIRECTIVE_TEMPLATE)
        })
        .to_string();
        for &sig in &out.per_line {
            if sig == crate::engine::DIRECTIVE_LINE {
                w.write_all(directive.as_bytes())?;
                w.write_all(b"\n")?;
                continue;
            }
            let t = if sig == u32::MAX {
                u32::MAX
            } else {
                templates.by_sig[sig as usize]
            };
            let line = lines.get(t as usize).unwrap_or(&other);
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
        return Ok(if errors { EXIT_ERROR } else { EXIT_OK });
    }
    let total = out.summary.events.max(1) as f64;
    let min_level = args.level.map(Level::from);
    let shown: Vec<&TemplateStats> = templates
        .list
        .iter()
        .filter(|t| t.count >= args.min_count)
        .filter(|t| match min_level {
            Some(l) => {
                t.levels[l.index()..=Level::Fatal.index()]
                    .iter()
                    .sum::<u64>()
                    > 0
            }
            None => true,
        })
        .take(args.top.unwrap_or(usize::MAX))
        .collect();
    match args.output {
        OutputFormat::Json => {
            let rows: Vec<TemplateRow> = shown.iter().map(|t| row(t, total)).collect();
            let doc = serde_json::json!({
                "version": 1,
                "events": out.summary.events,
                "templates_total": templates.list.len(),
                "templates": rows,
            });
            crate::sanitize::write_json(&mut w, &doc, true)?;
            writeln!(w)?;
        }
        OutputFormat::Markdown => {
            writeln!(
                w,
                "| id | count | share | levels | first seen | last seen | template |"
            )?;
            writeln!(w, "|---|---:|---:|---|---|---|---|")?;
            for t in &shown {
                writeln!(
                    w,
                    "| `{}` | {} | {:.1}% | {} | {} | {} | `{}` |",
                    t.id,
                    t.count,
                    100.0 * t.count as f64 / total,
                    levels_text(t),
                    rfc3339_opt(t.first_time),
                    rfc3339_opt(t.last_time),
                    sanitize::markdown_cell(&crate::report::template_label(&t.text, 200)),
                )?;
            }
        }
        OutputFormat::Table | OutputFormat::Html => {
            if args.output == OutputFormat::Html {
                anyhow::bail!("--output html is available for `faultline summary`; use table, json or markdown here");
            }
            let width = report::term_width();
            // Times without their date when the input lies within one day, and levels
            // that can wrap: the template gets the room.
            let day = report::build::day_reference(out.summary.time_min, out.summary.time_max);
            let when = |t: Option<i64>| {
                t.map_or_else(|| "-".to_string(), |t| report::build::short_time(t, day))
            };
            let mut table = report::table::new_table(
                &[
                    "id",
                    "count",
                    "share",
                    "levels",
                    "first/last",
                    "template / example",
                ],
                width,
            );
            // The template is what people read: at least 45% of a wide enough table when
            // the times are short (else it gets what the other columns leave); the id whole
            // (12 characters and the padding).
            report::table::at_least(&mut table, 0, 14);
            // Levels one per line rather than a wide column; the times whole, as the id.
            report::table::at_most(&mut table, 3, 10);
            report::table::at_least(&mut table, 4, if day.is_some() { 12 } else { 22 });
            if width >= 90 && day.is_some() {
                report::table::at_least(&mut table, 5, width * 45 / 100);
            }
            for t in &shown {
                let example = t
                    .examples
                    .first()
                    .map(|e| crate::record::plain::evidence_line(&e.text))
                    .unwrap_or_default();
                table.add_row(vec![
                    t.id.clone(),
                    t.count.to_string(),
                    format!("{:.1}%", 100.0 * t.count as f64 / total),
                    levels_text(t).replace(',', ", "),
                    format!("{}\n{}", when(t.first_time), when(t.last_time)),
                    format!(
                        "{}\ne.g. {}",
                        sanitize::terminal(&crate::report::template_label(&t.text, 300)),
                        sanitize::terminal(&ellipsize(&example, 160))
                    ),
                ]);
            }
            writeln!(w, "{table}")?;
            writeln!(
                w,
                "{} events, {} templates ({} shown)",
                out.summary.events,
                templates.list.len(),
                shown.len()
            )?;
        }
    }
    w.flush()?;
    if out.summary.events == 0 && !args.input.quiet {
        eprintln!("faultline: no events in the input");
    }
    Ok(if errors { EXIT_ERROR } else { EXIT_OK })
}

fn levels_text(t: &TemplateStats) -> String {
    let parts: Vec<&str> = Level::ALL
        .iter()
        .rev()
        .filter(|l| t.levels[l.index()] > 0)
        .map(|l| l.as_str())
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(",")
    }
}

fn row(t: &TemplateStats, total: f64) -> TemplateRow<'_> {
    let mut levels = serde_json::Map::new();
    for l in Level::ALL {
        let c = t.levels[l.index()];
        if c > 0 {
            levels.insert(l.as_str().to_string(), c.into());
        }
    }
    TemplateRow {
        id: &t.id,
        template: &t.text,
        count: t.count,
        share: t.count as f64 / total,
        levels,
        first_seen: t.first_time.map(report::rfc3339),
        last_seen: t.last_time.map(report::rfc3339),
        examples: t
            .examples
            .iter()
            .map(|e| format!("{}: {}", e.location(), e.text))
            .collect(),
        is_other: t.is_other,
    }
}
