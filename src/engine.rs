//! Runs the whole reading side: input → records → signatures → one merged [`Summary`].
//!
//! Partial summaries are built in parallel and merged on the calling thread in chunk order,
//! so the result is the same for any thread count or chunk size.
//!
//! Snapshot files (see `snapshot`) are accepted wherever logs are: a path given on the
//! command line that starts with the snapshot magic bytes (or is named `*.flt`) is loaded and
//! its summary merged at its place in the input order, instead of being parsed as text.

use std::path::PathBuf;

use crate::input::{Chunk, InputConfig, Notice, NoticeKind};
use crate::mine::Masker;
use crate::pipeline;
use crate::snapshot;
use crate::summary::build::{ExampleBound, Saturated};
use crate::summary::sig_hash;
use crate::summary::{ChunkBuilder, Summary, DEFAULT_MAX_SIGS, EXAMPLES_PER_SIG, SAMPLES_PER_SIG};

/// How to summarize.
pub struct EngineOptions {
    pub masker: Masker,
    pub threads: usize,
    pub max_sigs: usize,
    /// Keep each event's signature index, in input order (for `templates --per-line`).
    pub per_line: bool,
    /// Keep only timed events in `[since, until)` (epoch ms); see `ChunkBuilder::time_range`.
    pub time_range: Option<(i64, i64)>,
    /// The `--mask` flags the masker was built from: stored in snapshots, and compared with
    /// the ones a loaded snapshot was made with.
    pub mask_spec: Vec<String>,
    /// Also collect what only reports need: time series per signature and level, and the
    /// endpoint/upstream tables. `templates` turns this off (it shows neither), which saves
    /// the upstream keyword scan per event and the series sort and merge per chunk.
    pub full: bool,
}

impl EngineOptions {
    pub fn new(masker: Masker, threads: usize) -> EngineOptions {
        EngineOptions {
            masker,
            threads,
            max_sigs: DEFAULT_MAX_SIGS,
            per_line: false,
            time_range: None,
            mask_spec: Vec::new(),
            full: true,
        }
    }
}

/// The merged summary, and with `per_line` the signature index of every physical input line
/// in order (a multi-line event's index repeated for each of its lines)
/// (`u32::MAX` for events whose signature overflowed the cap).
pub struct EngineOutput {
    pub summary: Summary,
    /// With `per_line`: each physical line's signature (`u32::MAX`: beyond the signature cap;
    /// [`DIRECTIVE_LINE`]: a W3C directive line, not an event).
    pub per_line: Vec<u32>,
}

/// [`EngineOutput::per_line`]'s mark for a W3C directive line (`#Fields: …`).
pub const DIRECTIVE_LINE: u32 = u32::MAX - 1;

/// A run of inputs of one kind, in command-line order.
enum Part {
    Logs(Vec<PathBuf>),
    Snapshot(PathBuf),
}

fn split_parts(paths: &[PathBuf]) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for p in paths {
        if p.as_os_str() != "-" && snapshot::is_snapshot(p) {
            parts.push(Part::Snapshot(p.clone()));
        } else if let Some(Part::Logs(v)) = parts.last_mut() {
            v.push(p.clone());
        } else {
            parts.push(Part::Logs(vec![p.clone()]));
        }
    }
    parts
}

/// Reads and summarizes all input (logs and snapshots). A snapshot that cannot be read is an
/// error naming the file (exit code 2), not a skipped input: a silently missing shard would
/// make every number wrong.
pub fn summarize(cfg: &InputConfig, opts: &EngineOptions) -> anyhow::Result<EngineOutput> {
    let parts = split_parts(&cfg.paths);
    if parts.is_empty() || (parts.len() == 1 && matches!(parts[0], Part::Logs(_))) {
        return summarize_logs(cfg, opts);
    }
    let mut acc = Summary::default();
    let mut per_line: Vec<u32> = Vec::new();
    let mut seen = crate::input::SeenFiles::default();
    for part in parts {
        match part {
            Part::Logs(paths) => {
                let mut c = cfg.clone();
                c.paths = paths;
                let out = summarize_logs(&c, opts)?;
                let remap = acc.merge(out.summary, opts.max_sigs);
                if opts.per_line {
                    per_line.extend(out.per_line.iter().map(|&i| {
                        if i == u32::MAX {
                            i
                        } else {
                            remap[i as usize]
                        }
                    }));
                }
            }
            Part::Snapshot(path) => {
                let meta = std::fs::metadata(&path).ok();
                let repeat = meta.and_then(|m| seen.repeat_of(&m, path.display().to_string()));
                if let Some(first) = repeat {
                    acc.input.notices.push(Notice {
                        source: path.display().to_string(),
                        kind: NoticeKind::Skipped,
                        message: snapshot::repeat_message(&first),
                        recorded: false,
                    });
                    continue;
                }
                let (s, meta) = snapshot::read(&path)?;
                merge_snapshot(&mut acc, s, &meta, path.display().to_string(), opts);
            }
        }
    }
    Ok(EngineOutput {
        summary: acc,
        per_line,
    })
}

/// Merges a snapshot read from `name` into `acc`.
fn merge_snapshot(
    acc: &mut Summary,
    mut s: Summary,
    meta: &snapshot::SnapshotMeta,
    name: String,
    opts: &EngineOptions,
) {
    // Notices were printed when the snapshot was made: they stay in the report (what was
    // skipped), and are not printed again.
    for n in &mut s.input.notices {
        n.recorded = true;
    }
    if let Some(note) = meta.other_version() {
        acc.input.notices.push(Notice {
            source: name.clone(),
            kind: NoticeKind::Damaged,
            message: format!("snapshot was {note}"),
            recorded: false,
        });
    }
    if meta.masks != opts.mask_spec {
        acc.input.notices.push(Notice {
            source: name,
            kind: NoticeKind::Damaged,
            message: format!(
                "snapshot was made with --mask {:?}, this run uses {:?}: templates may not line up",
                meta.masks, opts.mask_spec
            ),
            recorded: false,
        });
    }
    acc.merge(s, opts.max_sigs);
}

/// Reads and summarizes log inputs (snapshots only where logs are read: stdin, inside a
/// directory or an archive) through the parallel pipeline.
fn summarize_logs(cfg: &InputConfig, opts: &EngineOptions) -> anyhow::Result<EngineOutput> {
    let saturated = Saturated::default();
    // The last example published to `saturated` for each merged signature.
    let mut marked: Vec<Option<(Option<i64>, u64)>> = Vec::new();
    // The sample bound last published for each merged signature.
    let mut bound: Vec<u64> = Vec::new();
    let builder = ChunkBuilder {
        masker: &opts.masker,
        parse: &cfg.parse,
        max_sigs: opts.max_sigs,
        per_line: opts.per_line,
        time_range: opts.time_range,
        saturated: Some(&saturated),
        full: opts.full,
    };
    let mut acc = Summary::default();
    let mut per_line: Vec<u32> = Vec::new();
    let stats = pipeline::run(
        cfg,
        opts.threads,
        |chunk: &Chunk| builder.summarize(chunk),
        |_chunk, r| {
            let remap = acc.merge(r.summary, opts.max_sigs);
            marked.resize(acc.sigs.len(), None);
            bound.resize(acc.sigs.len(), u64::MAX);
            let mut done: Vec<(u64, ExampleBound)> = Vec::new();
            let mut below: Vec<(u64, u64)> = Vec::new();
            for &i in remap.iter().filter(|&&i| i != u32::MAX) {
                let i = i as usize;
                let s = &acc.sigs[i];
                // Published when complete, and again when an earlier example came in.
                let last = s
                    .examples
                    .last()
                    .filter(|_| s.examples.len() >= EXAMPLES_PER_SIG)
                    .filter(|l| marked[i] != Some((l.time, l.line)));
                let full = last.is_some();
                // Published only when the bound moved: it shrinks a few times per signature.
                let moved = s
                    .samples
                    .last()
                    .filter(|l| s.samples.len() >= SAMPLES_PER_SIG && l.rank < bound[i])
                    .map(|l| l.rank);
                if !full && moved.is_none() {
                    continue;
                }
                let h = sig_hash(s.sig.as_bytes());
                if let Some(l) = last {
                    marked[i] = Some((l.time, l.line));
                    done.push((h, (l.time, std::sync::Arc::clone(&l.source), l.line)));
                }
                if let Some(r) = moved {
                    bound[i] = r;
                    below.push((h, r));
                }
            }
            if !done.is_empty() || !below.is_empty() {
                saturated.update(done, below);
            }
            if opts.per_line {
                // One entry per physical line, so `templates --per-line` lines up with the
                // input even where lines were joined into one multi-line event.
                // W3C directive lines (not events) get [`DIRECTIVE_LINE`].
                let mut gaps = r.directive_gaps.iter().peekable();
                for (k, (&i, &n)) in r.per_line.iter().zip(&r.event_lines).enumerate() {
                    while let Some(&(_, d)) = gaps.next_if(|&&(at, _)| at as usize <= k) {
                        per_line.extend(std::iter::repeat_n(DIRECTIVE_LINE, d as usize));
                    }
                    let g = if i == u32::MAX { i } else { remap[i as usize] };
                    per_line.extend(std::iter::repeat_n(g, n as usize));
                }
                for &(_, d) in gaps {
                    per_line.extend(std::iter::repeat_n(DIRECTIVE_LINE, d as usize));
                }
            }
            true
        },
    )?;
    let mut stats = stats;
    let snapshots = std::mem::take(&mut stats.snapshots);
    acc.input = stats;
    for (name, s, meta) in snapshots {
        merge_snapshot(&mut acc, *s, &meta, name, opts);
    }
    Ok(EngineOutput {
        summary: acc,
        per_line,
    })
}
