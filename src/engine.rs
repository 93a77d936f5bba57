//! Runs the whole reading side: input → records → signatures → one merged [`Summary`].
//!
//! Partial summaries are built in parallel and merged on the calling thread in chunk order,
//! so the result is the same for any thread count or chunk size.

use crate::input::{Chunk, InputConfig};
use crate::mine::Masker;
use crate::pipeline;
use crate::summary::{ChunkBuilder, Summary, DEFAULT_MAX_SIGS};

/// How to summarize.
pub struct EngineOptions {
    pub masker: Masker,
    pub threads: usize,
    pub max_sigs: usize,
    /// Keep each event's signature index, in input order (for `templates --per-line`).
    pub per_line: bool,
    /// Keep only timed events in `[since, until)` (epoch ms); see `ChunkBuilder::time_range`.
    pub time_range: Option<(i64, i64)>,
}

impl EngineOptions {
    pub fn new(masker: Masker, threads: usize) -> EngineOptions {
        EngineOptions {
            masker,
            threads,
            max_sigs: DEFAULT_MAX_SIGS,
            per_line: false,
            time_range: None,
        }
    }
}

/// The merged summary, and with `per_line` the signature index of every event in order
/// (`u32::MAX` for events whose signature overflowed the cap).
pub struct EngineOutput {
    pub summary: Summary,
    pub per_line: Vec<u32>,
}

/// Reads and summarizes all input.
pub fn summarize(cfg: &InputConfig, opts: &EngineOptions) -> anyhow::Result<EngineOutput> {
    let builder = ChunkBuilder {
        masker: &opts.masker,
        parse: &cfg.parse,
        max_sigs: opts.max_sigs,
        per_line: opts.per_line,
        time_range: opts.time_range,
    };
    let mut acc = Summary::default();
    let mut per_line: Vec<u32> = Vec::new();
    let stats = pipeline::run(
        cfg,
        opts.threads,
        |chunk: &Chunk| builder.summarize(chunk),
        |_chunk, r| {
            let remap = acc.merge(r.summary, opts.max_sigs);
            if opts.per_line {
                per_line.extend(r.per_line.iter().map(|&i| {
                    if i == u32::MAX {
                        i
                    } else {
                        remap[i as usize]
                    }
                }));
            }
            true
        },
    )?;
    acc.input = stats;
    Ok(EngineOutput {
        summary: acc,
        per_line,
    })
}
