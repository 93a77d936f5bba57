//! End of watch: the final report and the snapshot, each behind one function so the
//! integrator can plug in the `summary` command's renderer and the detect branch's snapshot
//! format without touching the streaming code.

use std::io::Write;
use std::path::Path;

use crate::mine::ClusterConfig;
use crate::record::Level;
use crate::report::{self, ellipsize, rfc3339_opt, OutputFormat};
use crate::sanitize;
use crate::summary::templates::finalize;
use crate::summary::Summary;

/// Prints the report of everything seen.
///
/// INTEGRATOR: replace the body with the `faultline summary` renderer (branch `report`) so the
/// watch report is exactly `faultline summary` on the same data. Until then it prints the
/// templates table of `faultline templates` (same columns, same order).
pub fn final_report(
    summary: &Summary,
    cluster: &ClusterConfig,
    format: OutputFormat,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let templates = finalize(summary, cluster);
    let total = summary.events.max(1) as f64;
    match format {
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> = templates
                .list
                .iter()
                .map(|t| {
                    serde_json::json!({
                        "id": t.id,
                        "template": t.text,
                        "count": t.count,
                        "share": t.count as f64 / total,
                        "first_seen": t.first_time.map(report::rfc3339),
                        "last_seen": t.last_time.map(report::rfc3339),
                    })
                })
                .collect();
            let doc = serde_json::json!({"summary": {
                "events": summary.events,
                "templates_total": templates.list.len(),
                "templates": rows,
            }});
            writeln!(w, "{doc}")?;
        }
        _ => {
            let width = report::term_width();
            let mut table = report::table::new_table(
                &[
                    "id",
                    "count",
                    "share",
                    "levels",
                    "first / last seen",
                    "template / example",
                ],
                width,
            );
            for t in &templates.list {
                let example = t
                    .examples
                    .first()
                    .map(|e| e.text.lines().next().unwrap_or(""))
                    .unwrap_or("");
                let levels: Vec<&str> = Level::ALL
                    .iter()
                    .rev()
                    .filter(|l| t.levels[l.index()] > 0)
                    .map(|l| l.as_str())
                    .collect();
                table.add_row(vec![
                    t.id.clone(),
                    t.count.to_string(),
                    format!("{:.1}%", 100.0 * t.count as f64 / total),
                    if levels.is_empty() {
                        "-".into()
                    } else {
                        levels.join(",")
                    },
                    format!(
                        "{}\n{}",
                        rfc3339_opt(t.first_time),
                        rfc3339_opt(t.last_time)
                    ),
                    format!(
                        "{}\ne.g. {}",
                        sanitize::terminal(&ellipsize(&t.text, 300)),
                        sanitize::terminal(&ellipsize(example, 160))
                    ),
                ]);
            }
            writeln!(w, "{table}")?;
            writeln!(
                w,
                "{} events, {} templates ({} shown)",
                summary.events,
                templates.list.len(),
                templates.list.len()
            )?;
        }
    }
    Ok(())
}

/// Saves the state so it can be tomorrow's `--baseline`.
///
/// INTEGRATOR: replace with the detect branch's snapshot writer. Until then the snapshot is
/// the summary as JSON, which [`load_snapshot`] reads back.
pub fn save_snapshot(summary: &Summary, path: &Path) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let f = std::fs::File::create(&tmp)
        .map_err(|e| anyhow::anyhow!("cannot write snapshot {}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(f);
    serde_json::to_writer(&mut w, summary)?;
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path)
        .map_err(|e| anyhow::anyhow!("cannot write snapshot {}: {e}", path.display()))?;
    Ok(())
}

/// Reads a snapshot written by [`save_snapshot`]; `Ok(None)` when the file is not one (then
/// it is read as logs).
pub fn load_snapshot(path: &Path) -> anyhow::Result<Option<Summary>> {
    let mut head = [0u8; 32];
    let n = match std::fs::File::open(path) {
        Ok(mut f) => std::io::Read::read(&mut f, &mut head).unwrap_or(0),
        Err(_) => return Ok(None),
    };
    if !head[..n].starts_with(b"{\"resolution_ms\"") {
        return Ok(None);
    }
    let data = std::fs::read(path)?;
    let mut s: Summary = serde_json::from_slice(&data).map_err(|e| {
        anyhow::anyhow!(
            "{} looks like a faultline snapshot but cannot be read ({e}); pass log files instead",
            path.display()
        )
    })?;
    s.reindex();
    Ok(Some(s))
}
