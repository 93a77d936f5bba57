//! `faultline watch`: live mode. Reads stdin (or follows files with `-F`) without end, prints an
//! alert line the moment a new error template, a spike (and its end), a failing route or an
//! upstream rate-limiting / timing out is detected, keeps a status block on a terminal, and on
//! end of input or Ctrl-C prints the report of everything seen (and saves a snapshot).
//!
//! The streaming machinery lives in `crate::watch`; this module turns flags into its
//! configuration and runs the main loop: receive lines from the reader threads, batch them per
//! source into chunks (up to `--batch-lines` lines or ~200 ms), feed the watcher, tick the
//! event-time clock, print alerts.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use super::MineArgs;
use crate::cli::{InputArgs, EXIT_ERROR, EXIT_OK};
use crate::engine::{self, EngineOptions};
use crate::input::{packed_name, Chunk, InputConfig, InputStats, Notice, SourceMeta};
use crate::mine::ClusterConfig;
use crate::record::{detect_format, DayRef, YearRef};
use crate::report::OutputFormat;
use crate::sanitize;
use crate::summary::DEFAULT_MAX_SIGS;
use crate::watch::detector::PoissonDetector;
use crate::watch::render::{alert_json, alert_line, StatusBlock};
use crate::watch::report::{final_report, load_snapshot, save_snapshot};
use crate::watch::source::{
    expand_files, spawn_follow, spawn_once, spawn_once_merged, spawn_stdin, Feed, Part, Start,
    MAX_MERGED,
};
use crate::watch::{Alert, Baseline, Live, LiveConfig, Watcher};

/// Chunk size for files read side by side.
const MERGED_CHUNK: usize = 256 << 10;

#[derive(Args, Debug)]
#[command(after_long_help = WATCH_HELP)]
pub struct WatchArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub mine: MineArgs,

    /// Follow the given files like `tail -F`: keep reading as they grow, across rotation
    /// (rename + recreate) and truncation. Compressed files and archives (`.gz`, `.zst`, `.xz`,
    /// `.bz2`, `.tar`, `.zip`...) are read once, never followed.
    #[arg(short = 'F', long)]
    pub follow: bool,

    /// With -F, start at the current end of each file instead of reading what is there.
    #[arg(long, requires = "follow")]
    pub from_end: bool,

    /// Learning period from the first event during which nothing alerts (e.g. 5m, 90s).
    /// Default: 5m, or 0 with --baseline.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub warmup: Option<i64>,

    /// What normal looks like: a snapshot from `--snapshot`, or log files/directories
    /// (summarized first). Templates in it are never reported as new (repeatable).
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<PathBuf>,

    /// Events may arrive this much out of order and still be counted in the right bucket.
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub late: i64,

    /// After a condition ends it must stay normal this long before it alerts again.
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = parse_duration)]
    pub cooldown: i64,

    /// Width of the live time buckets.
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration, hide = true)]
    pub bucket: i64,

    /// Plain alert lines only, no status block (the default when stdout is not a terminal).
    #[arg(long)]
    pub plain: bool,

    /// `table`: alert lines (and the status block on a terminal); `json`: one JSON object per
    /// alert, then one with the final summary.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: OutputFormat,

    /// On exit, save the state to FILE so it can be tomorrow's --baseline.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,

    /// Redraw the status block this often.
    #[arg(long, default_value = "2s", value_name = "DURATION", value_parser = parse_duration, hide = true)]
    pub status_every: i64,

    /// Most distinct signatures (masked messages) kept; later new ones are counted as "other".
    /// Lower than the batch commands' 200,000 so that a process running for days stays small
    /// on logs full of unmasked ids; raise it to match batch output on such logs exactly.
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    pub max_signatures: usize,

    /// Lines batched into one chunk at most (a batch is also cut after ~200 ms).
    #[arg(long, default_value_t = 20_000, value_name = "N", hide = true)]
    pub batch_lines: usize,
}

const WATCH_HELP: &str = "\
How it works:
  Alerts: one line (or, with -o json, one JSON object) per change, printed when detected:
  new_error (a warn-or-worse template never seen in the warm-up or the baseline), spike /
  spike end (a warn-or-worse template's rate far above its normal), failing_route (a route's
  5xx), rate_limited / upstream_timeout / upstream_failure (calls to an external host).
  Each condition alerts once when it starts and once when it ends, and may alert again only
  after staying normal for --cooldown.

  Time: detection runs on event time, in 10-second buckets. A bucket is evaluated once event
  time passes its end plus --late, so out-of-order events within --late count where they
  belong. When input stalls, the clock moves on with the wall clock from the last event, so
  a spike's end is still reported on a quiet stream. Events without a timestamp are counted
  at the time of the timed event before them.

  Several files (a directory, or what -F's files already hold) are replayed side by side in
  event time, the file furthest behind read next, buckets evaluated once every file has
  passed them (up to 64 files; archive members are read one after another).

  Following (-F): files are polled every 250 ms (portable, works on network file systems).
  A rename + recreate (rotation) drains the old file, then reads the new one from its start;
  a file that shrank (truncation) is read again from its start. Compressed files and archives
  (.gz .zst .xz .bz2 .tgz .zip ...) are read once.

  End: on end of input, Ctrl-C, SIGTERM or SIGHUP (docker stop, kubectl delete, timeout) the
  report of everything seen is printed; --snapshot saves the state for use as a later
  --baseline. A second signal exits at once.

Examples:
  kubectl logs -f deploy/api | faultline watch
  faultline watch -F /var/log/app/*.log --baseline yesterday.snapshot
  journalctl -f -o cat | faultline watch -o json | ./post-to-chat";

/// Parses `250ms`, `30s`, `5m`, `2h`, `1d` or a bare number of seconds into milliseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration; use e.g. 30s, 5m, 2h"))?;
    let ms = match unit.trim() {
        "ms" => 1.0,
        "" | "s" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        u => return Err(format!("unknown unit {u:?} in {s:?}; use ms, s, m, h or d")),
    };
    Ok((n * ms).round() as i64)
}

/// A source read live, line by line.
struct LiveSource {
    name: String,
    meta: Option<Arc<SourceMeta>>,
    pending: Vec<u8>,
    pending_lines: usize,
    first_pending: Option<Instant>,
    last_data: Instant,
    next_line: u64,
    ended: bool,
    /// W3C columns in effect at the next chunk (see [`Chunk::w3c`]).
    w3c: Option<Arc<crate::record::w3c::W3cFields>>,
    /// The time before the next chunk when the source's first lines carry timestamps (see
    /// [`Chunk::time_before`]), as the batch chunker keeps it.
    times: Option<crate::input::TimeCarry>,
}

const BATCH_WAIT: Duration = Duration::from_millis(200);
const MAX_BATCH_BYTES: usize = 4 << 20;
/// Format detection waits for this much data, or one second, or the end of the source.
const SAMPLE_BYTES: usize = 64 << 10;

impl LiveSource {
    fn new(name: String) -> LiveSource {
        LiveSource {
            name,
            meta: None,
            pending: Vec::new(),
            pending_lines: 0,
            first_pending: None,
            last_data: Instant::now(),
            next_line: 1,
            ended: false,
            w3c: None,
            times: None,
        }
    }

    /// Cuts a chunk from the pending lines when the batch is full or old enough (or `force`).
    fn take_chunk(
        &mut self,
        id: u32,
        parse: &crate::record::ParseConfig,
        batch_lines: usize,
        force: bool,
        seq: &mut u64,
    ) -> Option<Chunk> {
        if self.pending.is_empty() {
            return None;
        }
        let age = self.first_pending.map_or(Duration::ZERO, |t| t.elapsed());
        let force = force || self.ended;
        if self.meta.is_none() {
            if !force && self.pending.len() < SAMPLE_BYTES && age < Duration::from_secs(1) {
                return None;
            }
            let head = &self.pending[..self.pending.len().min(SAMPLE_BYTES)];
            let sample = match memchr::memrchr(b'\n', head) {
                Some(i) if i > 0 => &head[..i],
                _ => head,
            };
            let (format, detected) = match parse.format {
                Some(f) => (f, false),
                None => (detect_format(sample), true),
            };
            let mut meta = SourceMeta::new(id, self.name.clone(), format, detected, sample);
            self.w3c.clone_from(&meta.w3c);
            self.times =
                crate::input::TimeCarry::for_sample(sample, format, meta.w3c.as_deref(), parse);
            meta.dates_times_of_day = self
                .times
                .as_ref()
                .is_some_and(crate::input::TimeCarry::dates);
            self.meta = Some(Arc::new(meta));
        }
        let meta = self.meta.clone()?;
        let full = self.pending_lines >= batch_lines || self.pending.len() >= MAX_BATCH_BYTES;
        if !(force || full || age >= BATCH_WAIT) {
            return None;
        }
        let mut cut = self.pending.len();
        let idle = self.last_data.elapsed() >= Duration::from_secs(1);
        if meta.format.joins_lines() && !force && !idle && self.pending.len() < MAX_BATCH_BYTES {
            // Keep the last event back: its continuation lines (a stack trace) may still come.
            // The final '\n' ends the last line.
            cut = meta
                .format
                .last_event_start(&self.pending, self.pending.len().saturating_sub(1));
            if cut == 0 {
                return None;
            }
        }
        let rest = self.pending.split_off(cut);
        let data = std::mem::replace(&mut self.pending, rest);
        let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
        self.pending_lines = memchr::memchr_iter(b'\n', &self.pending).count();
        self.first_pending = if self.pending.is_empty() {
            None
        } else {
            Some(Instant::now())
        };
        let mut chunk = Chunk::new(meta, *seq, self.next_line, data, &mut self.w3c);
        if let Some(times) = &mut self.times {
            times.mark(&mut chunk);
        }
        *seq += 1;
        self.next_line += lines;
        Some(chunk)
    }
}

/// Lines a live reader sent at `now` ([`Feed::Lines`]): added to source `source`'s pending
/// lines. Returns how many of them were cut to `--max-line`, for the report.
fn add_lines(
    sources: &mut [LiveSource],
    source: usize,
    data: &[u8],
    truncated: u64,
    now: Instant,
) -> u64 {
    if let Some(s) = sources.get_mut(source) {
        if s.pending.is_empty() {
            s.first_pending = Some(now);
        }
        s.pending_lines += memchr::memchr_iter(b'\n', data).count();
        s.pending.extend_from_slice(data);
        s.last_data = now;
    }
    truncated
}

pub fn run(args: &WatchArgs) -> anyhow::Result<i32> {
    if matches!(args.output, OutputFormat::Markdown | OutputFormat::Html) {
        let name = if args.output == OutputFormat::Html {
            "html"
        } else {
            "markdown"
        };
        anyhow::bail!(
            "watch prints alerts as they happen: --output {name} is not available; use \
             --output table or json"
        );
    }
    if args.bucket < 1_000 {
        anyhow::bail!("--bucket must be at least 1s");
    }
    let mut cfg = args.input.to_config()?;
    if let Some(p) = &args.snapshot {
        // Checked before anything is read: the snapshot is written at the end, over it.
        args.input.refuse_overwriting_input(p, &args.baseline)?;
        // And that it can be written there: found out at the end, the day's state is lost.
        crate::snapshot::check_writable(p)?;
    }
    if args.input.year.is_none() {
        // A watch runs across midnight and New Year: the reference day is read per chunk.
        cfg.parse.year_ref = YearRef::Clock;
    }
    if args.input.date.is_none() {
        // Times of day without a date are on the day they are read (before midnight's
        // lines after it, the day before).
        cfg.parse.day_ref = DayRef::Clock;
    }
    let cluster = ClusterConfig {
        max_templates: args.mine.max_templates,
    };
    let baseline = load_baseline(args, &cfg, &cluster)?;
    let warmup = args
        .warmup
        .unwrap_or(if baseline.is_some() { 0 } else { 300_000 });
    let live_cfg = LiveConfig {
        bucket_ms: args.bucket,
        late_ms: args.late.max(0),
        warmup_ms: warmup.max(0),
        cooldown_ms: args.cooldown.max(0),
        watched_before_ms: baseline.as_ref().map_or(0, |b| b.span_ms),
        ..LiveConfig::default()
    };
    let live = Live::new(live_cfg, Box::new(PoissonDetector::new(args.bucket)));
    let mut watcher = Watcher::new(
        live,
        args.mine.masker()?,
        cfg.parse.clone(),
        args.max_signatures.max(1),
        cluster,
        baseline,
    );

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Ctrl-C, SIGTERM (`docker stop`, `kubectl delete pod`, `timeout`) and SIGHUP finish
        // cleanly with the report and the snapshot; a second one exits at once.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }

    // Sources.
    let (tx, rx) = crossbeam_channel::bounded::<Feed>(64);
    let mut live_sources: Vec<LiveSource> = Vec::new();
    let mut open_ends = 0usize;
    let stdin_wanted = cfg.paths.is_empty() || cfg.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin_wanted {
        live_sources.push(LiveSource::new("-".into()));
        spawn_stdin(0, cfg.clone(), tx.clone());
        open_ends += 1;
    }
    let files: Vec<PathBuf> = cfg
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let (once, follow): (Vec<PathBuf>, Vec<PathBuf>) = if args.follow {
        files
            .into_iter()
            .partition(|p| packed_name(p) || p.is_dir())
    } else {
        (files, Vec::new())
    };
    if args.follow && !args.input.quiet {
        for d in once.iter().filter(|p| p.is_dir()) {
            // (The shell expands a glob once too: new files are not picked up either way.)
            eprintln!(
                "faultline: note: {} is a directory: its files are read once, not followed; \
                 to follow them, name them (-F {}/*.log)",
                sanitize::terminal(&d.display().to_string()),
                sanitize::terminal(&d.display().to_string())
            );
        }
    }
    // Several files (a directory of logs, or what the followed files already hold) are read
    // side by side in event time; each reader holds a chunk or two, so chunks are kept small.
    // The followers then go on from where that reading stopped.
    let mut starts: Vec<Option<Start>> = vec![None; follow.len()];
    if !args.from_end {
        for (s, p) in starts.iter_mut().zip(&follow) {
            *s = Start::now(p);
        }
    }
    let mut parts: Option<Vec<Part>> = expand_files(&once).map(|f| {
        let heads = starts.iter().flatten().cloned().map(Part::Head);
        f.into_iter().map(Part::Whole).chain(heads).collect()
    });
    parts = parts.filter(|p| (2..=MAX_MERGED).contains(&p.len()));
    match parts {
        Some(parts) => {
            let mut c: InputConfig = cfg.clone();
            c.chunk_size = c.chunk_size.min(MERGED_CHUNK);
            watcher.hold = Some(i64::MIN);
            spawn_once_merged(c, parts, tx.clone(), stop.clone());
            open_ends += 1;
        }
        None => {
            starts.iter_mut().for_each(|s| *s = None);
            if !once.is_empty() {
                let mut c: InputConfig = cfg.clone();
                c.paths = once;
                spawn_once(c, tx.clone(), stop.clone());
                open_ends += 1;
            }
        }
    }
    let following = !follow.is_empty();
    let first_followed = live_sources.len();
    if following {
        let first = first_followed;
        for p in &follow {
            live_sources.push(LiveSource::new(p.display().to_string()));
        }
        spawn_follow(
            follow,
            starts,
            first,
            cfg.max_line,
            args.from_end,
            tx.clone(),
            stop.clone(),
        );
    }
    drop(tx);

    let json = args.output == OutputFormat::Json;
    let tty = std::io::stdout().is_terminal() && !args.plain && !json;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut status = StatusBlock::new();
    let mut last_status = Instant::now();
    let mut last_events = 0u64;
    let status_every = Duration::from_millis(args.status_every.max(200) as u64);
    let mut once_stats = InputStats::default();
    let mut notices: Vec<Notice> = Vec::new();
    // Lines the live readers cut to --max-line (those read whole count in their stats).
    let mut live_truncated = 0u64;
    let mut seq = 0u64;

    let mut interrupted = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let msg = rx.recv_timeout(Duration::from_millis(50));
        let now = Instant::now();
        match msg {
            Ok(Feed::Lines {
                source,
                data,
                truncated,
            }) => live_truncated += add_lines(&mut live_sources, source, &data, truncated, now),
            Ok(Feed::Chunk(c)) => watcher.push_chunk(&c, now),
            Ok(Feed::Notice {
                source,
                kind,
                message,
            }) => {
                let n = Notice {
                    source,
                    kind,
                    message,
                    recorded: false,
                };
                if !args.input.quiet {
                    status.clear(&mut out)?;
                    crate::commands::print_notice(&n);
                }
                notices.push(n);
            }
            Ok(Feed::End { source }) => {
                if let Some(s) = live_sources.get_mut(source) {
                    s.ended = true;
                }
                open_ends = open_ends.saturating_sub(1);
            }
            Ok(Feed::Hold(h)) => watcher.hold = h,
            Ok(Feed::OnceDone(stats)) => {
                once_stats = stats;
                open_ends = open_ends.saturating_sub(1);
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => open_ends = 0,
        }
        for (i, s) in live_sources.iter_mut().enumerate() {
            while let Some(c) =
                s.take_chunk(i as u32, &cfg.parse, args.batch_lines, false, &mut seq)
            {
                watcher.push_chunk(&c, Instant::now());
            }
        }
        watcher.tick(Instant::now());
        print_alerts(&mut watcher, &mut out, &mut status, json)?;
        if tty && last_status.elapsed() >= status_every {
            let events = watcher.live().stats().events;
            let rate = (events - last_events) as f64 / last_status.elapsed().as_secs_f64();
            status.draw(
                &mut out,
                watcher.live(),
                rate,
                crate::report::term_width() as usize,
            )?;
            last_status = Instant::now();
            last_events = events;
        }
        if open_ends == 0 && !following && live_sources.iter().all(|s| s.pending.is_empty()) {
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    if following {
        // The followers read what is left, a last line without its newline included, and
        // end (a file whose writer just died ends in its last words, often unterminated).
        let deadline = Instant::now() + Duration::from_secs(2);
        while live_sources[first_followed..].iter().any(|s| !s.ended) {
            let Some(left) = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
            else {
                break;
            };
            match rx.recv_timeout(left) {
                Ok(Feed::Lines {
                    source,
                    data,
                    truncated,
                }) => {
                    let now = Instant::now();
                    live_truncated += add_lines(&mut live_sources, source, &data, truncated, now);
                }
                Ok(Feed::End { source }) => {
                    if let Some(s) = live_sources.get_mut(source) {
                        s.ended = true;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    // Whatever is still pending (Ctrl-C, or the end of input) is summarized too.
    for (i, s) in live_sources.iter_mut().enumerate() {
        while let Some(c) = s.take_chunk(i as u32, &cfg.parse, args.batch_lines, true, &mut seq) {
            watcher.push_chunk(&c, Instant::now());
        }
    }
    // Notices of the live readers were printed as they happened; those of the sources read
    // whole are printed now (and decide the exit code, like in the batch commands).
    once_stats.truncated_lines += live_truncated;
    let input_errors = crate::commands::report_notices(&once_stats, args.input.quiet);
    once_stats.notices.extend(notices);
    watcher.finish(once_stats);
    print_alerts(&mut watcher, &mut out, &mut status, json)?;
    status.clear(&mut out)?;
    if !json {
        writeln!(
            out,
            "\n── faultline watch: {} ── report of everything seen ──",
            if interrupted {
                "interrupted"
            } else {
                "end of input"
            }
        )?;
    }
    final_report(
        &watcher.summary,
        watcher.cluster_config(),
        args.output,
        &mut out,
    )?;
    out.flush()?;
    if let Some(p) = &args.snapshot {
        save_snapshot(&watcher.summary, &args.mine.mask, p)?;
        if !args.input.quiet {
            eprintln!(
                "faultline: snapshot saved to {}",
                sanitize::terminal(&p.display().to_string())
            );
        }
    }
    if let Some(w) = watcher.coarsened {
        if !args.input.quiet {
            eprintln!(
                "faultline: note: the summary grew past {} time buckets, so its buckets were \
                 coarsened to {}s to keep memory flat; times in the report are that coarse",
                crate::watch::feed::SERIES_BUDGET,
                w / 1000
            );
        }
    }
    if watcher.summary.events == 0 && !args.input.quiet {
        eprintln!("faultline: no events in the input");
    }
    Ok(if input_errors { EXIT_ERROR } else { EXIT_OK })
}

fn print_alerts(
    watcher: &mut Watcher,
    out: &mut dyn Write,
    status: &mut StatusBlock,
    json: bool,
) -> anyhow::Result<()> {
    let alerts: Vec<Alert> = watcher.take_alerts();
    if alerts.is_empty() {
        return Ok(());
    }
    status.clear(out)?;
    for a in &alerts {
        if json {
            crate::sanitize::write_json(out, &alert_json(a), false)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", alert_line(a))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The baseline from `--baseline`: snapshots are loaded, everything else is summarized as logs.
fn load_baseline(
    args: &WatchArgs,
    cfg: &InputConfig,
    cluster: &ClusterConfig,
) -> anyhow::Result<Option<Baseline>> {
    if args.baseline.is_empty() {
        return Ok(None);
    }
    let mut sum = crate::summary::Summary::default();
    let mut logs = Vec::new();
    for p in &args.baseline {
        match load_snapshot(p)? {
            Some(s) => {
                sum.merge(s, DEFAULT_MAX_SIGS);
            }
            None => logs.push(p.clone()),
        }
    }
    if !logs.is_empty() {
        let mut c = cfg.clone();
        c.paths = logs;
        let opts = EngineOptions::new(args.mine.masker()?, args.input.threads());
        let out = engine::summarize(&c, &opts)?;
        if crate::commands::report_notices(&out.summary.input, args.input.quiet) {
            anyhow::bail!("cannot read the --baseline input (see above)");
        }
        sum.merge(out.summary, DEFAULT_MAX_SIGS);
    }
    super::usable_baseline(&sum)?;
    Ok(Some(Baseline::from_summary(&sum, cluster)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m"), Ok(300_000));
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("1.5h"), Ok(5_400_000));
        assert_eq!(parse_duration("90"), Ok(90_000));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn last_event_start_skips_continuations() {
        let last_event_start =
            |d: &[u8], f: crate::record::Format| f.last_event_start(d, d.len() - 1);
        let d = b"a\nb\n  at x\n  at y\n";
        assert_eq!(last_event_start(d, crate::record::Format::Plain), 2);
        assert_eq!(last_event_start(b"a\n", crate::record::Format::Plain), 0);
        assert_eq!(last_event_start(b"a\nb\n", crate::record::Format::Plain), 2);
    }
}
