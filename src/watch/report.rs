//! End of watch: the final report and the snapshot, each behind one function.
//!
//! The report is the `faultline summary` report of everything seen (same findings, same
//! renderer), and the snapshot is the `faultline snapshot` format, so it can be tomorrow's
//! `--baseline` for `watch`, `summary` or `diff`.

use std::io::Write;
use std::path::Path;

use crate::commands::summary::{collect_findings, endpoint_rows, FindingsConfig};
use crate::mine::ClusterConfig;
use crate::report::build::ReportInput;
use crate::report::{self, OutputFormat};
use crate::snapshot::{self, SnapshotMeta};
use crate::summary::templates::finalize;
use crate::summary::Summary;

/// Templates listed per table, as `faultline summary`'s default `--top`.
pub const TOP_TEMPLATES: usize = 10;

/// Prints the report of everything seen: exactly what `faultline summary` prints for the
/// same data (without a baseline). With `--output json` the summary's JSON document is
/// printed on one line as `{"summary": ...}`, after the one-line alert objects.
pub fn final_report(
    summary: &Summary,
    cluster: &ClusterConfig,
    format: OutputFormat,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let templates = finalize(summary, cluster);
    let findings = collect_findings(summary, &templates, None, &FindingsConfig::default());
    let (endpoints, upstreams) = endpoint_rows(summary);
    let doc = report::build::build(ReportInput {
        summary,
        templates: &templates,
        findings,
        time_filter: None,
        baseline: None,
        endpoints,
        upstreams,
        top_templates: TOP_TEMPLATES,
    });
    if format == OutputFormat::Json {
        // The `summary -o json` document, on one line (serialized directly: parsing a
        // rendered report and printing it again can change a float's last digit).
        w.write_all(b"{\"summary\":")?;
        crate::sanitize::write_json(w, &doc, false)?;
        w.write_all(b"}\n")?;
    } else {
        report::renderer(format, report::use_color(), report::term_width()).render(&doc, w)?;
    }
    Ok(())
}

/// Saves the state as a `faultline snapshot` file, to be a later `--baseline`.
pub fn save_snapshot(summary: &Summary, masks: &[String], path: &Path) -> anyhow::Result<()> {
    snapshot::write(path, summary, &SnapshotMeta::current(masks))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// Reads a snapshot (`faultline snapshot` or `watch --snapshot`); `Ok(None)` when the file
/// is not one (then it is read as logs).
pub fn load_snapshot(path: &Path) -> anyhow::Result<Option<Summary>> {
    if !snapshot::is_snapshot(path) {
        return Ok(None);
    }
    let (sum, _meta) = snapshot::read(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(sum))
}
