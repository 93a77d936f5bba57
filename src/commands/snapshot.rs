//! `faultline snapshot PATHS -o FILE`: saves the summary of logs (and/or other snapshots) as
//! a snapshot file, to be used later as a baseline, merged with other shards, or read by any
//! command in place of the logs.

use std::path::PathBuf;

use clap::Args;

use super::MineArgs;
use crate::cli::{InputArgs, EXIT_ERROR, EXIT_OK};
use crate::engine::{self, EngineOptions};
use crate::snapshot::{self, SnapshotMeta};

#[derive(Args, Debug)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    /// Snapshot file to write (conventionally *.flt; `-` for stdout); replaced atomically
    /// when complete.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

pub fn run(args: &SnapshotArgs) -> anyhow::Result<i32> {
    let cfg = args.input.to_config()?;
    if args.output.as_os_str() != "-" {
        args.input.refuse_overwriting_input(&args.output, &[])?;
    }
    let mut opts = EngineOptions::new(args.mine.masker()?, args.input.threads());
    opts.mask_spec = args.mine.mask.clone();
    let out = engine::summarize(&cfg, &opts)?;
    let errors = super::report_notices(&out.summary.input, args.input.quiet);
    snapshot::write(
        &args.output,
        &out.summary,
        &SnapshotMeta::current(&args.mine.mask),
    )?;
    if !args.input.quiet {
        eprintln!(
            "faultline: wrote {}: {} events, {} signatures",
            crate::sanitize::terminal(&args.output.display().to_string()),
            out.summary.events,
            out.summary.sigs.len()
        );
    }
    Ok(if errors { EXIT_ERROR } else { EXIT_OK })
}
