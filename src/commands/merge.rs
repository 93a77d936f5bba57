//! `faultline merge A.flt B.flt... -o C.flt`: merges snapshots (shards of one log set, or
//! consecutive days) into one. Inputs must all be snapshots: a shard that is not (or is
//! corrupt) is an error naming the file, never silently skipped.
//!
//! The merge is the same associative merge the engine uses between chunks, so merging the
//! snapshots of consecutive shards gives the summary of the whole. Give shards in input
//! order: examples and the "event before first occurrence" follow that order.

use std::path::PathBuf;

use clap::Args;

use crate::cli::EXIT_OK;
use crate::snapshot::{self, SnapshotMeta};
use crate::summary::{Summary, DEFAULT_MAX_SIGS};

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Snapshot files to merge, in input order (`-`: one snapshot from stdin).
    #[arg(required = true, value_name = "SNAPSHOT")]
    pub inputs: Vec<PathBuf>,

    /// Merged snapshot to write (`-` for stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// Do not print what was merged.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: &MergeArgs) -> anyhow::Result<i32> {
    let mut acc = Summary::default();
    let mut meta: Option<SnapshotMeta> = None;
    let mut seen = crate::input::SeenFiles::default();
    let mut merged = 0usize;
    for p in &args.inputs {
        let repeat = std::fs::metadata(p)
            .ok()
            .and_then(|m| seen.repeat_of(&m, p.display().to_string()));
        if let Some(first) = repeat {
            if !args.quiet {
                eprintln!(
                    "faultline: skipped: {}: {}",
                    crate::sanitize::terminal(&p.display().to_string()),
                    crate::sanitize::terminal(&snapshot::repeat_message(&first))
                );
            }
            continue;
        }
        let (s, m) = snapshot::read(p)?;
        if let Some(note) = m.other_version().filter(|_| !args.quiet) {
            eprintln!(
                "faultline: warning: {} was {}",
                crate::sanitize::terminal(&p.display().to_string()),
                crate::sanitize::terminal(&note)
            );
        }
        match &meta {
            None => meta = Some(m),
            Some(first) if first.masks != m.masks && !args.quiet => eprintln!(
                "faultline: warning: {} was made with --mask {:?}, the first snapshot with {:?}: templates may not line up",
                crate::sanitize::terminal(&p.display().to_string()),
                m.masks,
                first.masks
            ),
            Some(_) => {}
        }
        acc.merge(s, DEFAULT_MAX_SIGS);
        merged += 1;
    }
    let masks = meta.map(|m| m.masks).unwrap_or_default();
    snapshot::write(&args.output, &acc, &SnapshotMeta::current(&masks))?;
    if !args.quiet {
        eprintln!(
            "faultline: wrote {}: {} snapshots, {} events, {} signatures",
            crate::sanitize::terminal(&args.output.display().to_string()),
            merged,
            acc.events,
            acc.sigs.len()
        );
    }
    Ok(EXIT_OK)
}
