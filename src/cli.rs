//! Command-line flags (clap derive) and the dispatch to commands.
//!
//! Flags are parsed here, then turned once into the configuration objects the library uses
//! (`InputConfig`, ...), as in ripgrep's lowargs → hiargs. Errors end here too: they are printed
//! once, with what to do, and mapped to the documented exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::input::InputConfig;
use crate::record::time::days_from_civil;
use crate::record::{DayRef, Format, ParseConfig, YearRef};

/// Exit code: success, nothing above the `--fail-on` threshold.
pub const EXIT_OK: i32 = 0;
/// Exit code: a finding at or above `--fail-on` was reported.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: an error (bad flags, unreadable input, corrupt snapshot); output may be partial.
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "faultline",
    version,
    about = "Find what changed in huge production logs: new errors, spikes, failing endpoints.",
    long_about = None,
    override_usage = "faultline [OPTIONS] [PATHS]...     (runs `summary`)\n       faultline <COMMAND> [OPTIONS] [PATHS]...",
    after_help = "With no command, `faultline PATHS...` runs `faultline summary PATHS...`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The incident report: ranked findings with evidence, the incident window, top errors
    /// (the default command: `faultline app.log` runs it).
    Summary(commands::summary::SummaryArgs),
    /// Print parsed events as JSON lines: how faultline understood the logs.
    Events(commands::events::EventsArgs),
    /// Group messages into templates, most frequent first.
    Templates(commands::templates::TemplatesArgs),
    /// Templates and the error rate bursting above their normal level, with sparklines.
    Spikes(commands::spikes::SpikesArgs),
    /// Compare logs against a baseline: templates new, gone, increased, decreased.
    Diff(commands::diff::DiffArgs),
    /// Save the summary of logs as a snapshot file (a baseline, or a shard to merge).
    Snapshot(commands::snapshot::SnapshotArgs),
    /// Merge snapshot files into one.
    Merge(commands::merge::MergeArgs),
    /// Routes and external hosts: failures, status codes, latency percentiles, what changed.
    Endpoints(commands::endpoints::EndpointsArgs),
    /// Watch a live stream (stdin, or files with -F) and alert as things change.
    Watch(commands::watch::WatchArgs),
}

/// Where input comes from and how it is read; shared by every command that reads logs.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files, directories (read recursively), compressed files (.gz .zst .xz .bz2), archives
    /// (.tar .zip, compressed too: .tgz .tar.zst .tar.xz) or `-` for stdin. With no path, stdin
    /// is read when it is not a terminal.
    pub paths: Vec<PathBuf>,

    /// Input format instead of detecting it per source.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<Format>,

    /// Time zone for timestamps that carry none (IANA name like Europe/Berlin, or UTC).
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,

    /// JSON key holding the message, tried before the built-in names (repeatable).
    #[arg(long, value_name = "KEY")]
    pub message_key: Vec<String>,

    /// JSON key holding the timestamp, tried before the built-in names (repeatable).
    #[arg(long, value_name = "KEY")]
    pub time_key: Vec<String>,

    /// JSON key holding the level, tried before the built-in names (repeatable).
    #[arg(long, value_name = "KEY")]
    pub level_key: Vec<String>,

    /// Year for timestamps that carry none (syslog `Jun 14 15:16:01`). Default: the current
    /// year, or the one before for a date after tomorrow (logs are not written in the future).
    /// 2000 to 2199: event times outside are not read as times.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i16).range(2000..=2199))]
    pub year: Option<i16>,

    /// Date of the first timestamp that is a time of day only (logback's `HH:mm:ss.SSS`,
    /// Phoenix's), as YYYY-MM-DD; later ones roll over at midnight. Default: the last day, up
    /// to the file's last change (stdin: now), that the first one fits.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<jiff::civil::Date>,

    /// Worker threads (default: all cores; at most 1024).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Longest line kept, in bytes (256 to 1 GiB); longer lines are truncated and counted.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES", value_parser = parse_max_line)]
    pub max_line: usize,

    /// Chunk size in bytes for parallel parsing (results do not depend on it).
    #[arg(long, default_value_t = 2 << 20, value_name = "BYTES", hide = true)]
    pub chunk_size: usize,

    /// Do not print warnings about skipped or damaged input, nor progress.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl InputArgs {
    /// Builds the input configuration; fails on flags that cannot be honoured.
    pub fn to_config(&self) -> anyhow::Result<InputConfig> {
        let tz = if self.tz.eq_ignore_ascii_case("utc") {
            jiff::tz::TimeZone::UTC
        } else {
            jiff::tz::TimeZone::get(&self.tz).map_err(|e| {
                anyhow::anyhow!(
                    "unknown time zone {:?} for --tz ({e}); use an IANA name like Europe/Berlin",
                    self.tz
                )
            })?
        };
        let paths = if self.paths.is_empty() && std::io::stdin().is_terminal() {
            anyhow::bail!(
                "no input: give log files or directories, or pipe logs into stdin (see --help)"
            );
        } else {
            self.paths.clone()
        };
        Ok(InputConfig {
            paths,
            chunk_size: self.chunk_size.max(1),
            max_line: self.max_line.max(16),
            bytes_read: None,
            parse: ParseConfig {
                format: self.input_format,
                tz,
                message_keys: self.message_key.clone(),
                time_keys: self.time_key.clone(),
                level_keys: self.level_key.clone(),
                default_year: self.year.unwrap_or_else(|| today().year()),
                year_ref: match self.year {
                    Some(_) => YearRef::Fixed,
                    None => {
                        let d = today();
                        YearRef::NotAfter(days_from_civil(
                            i32::from(d.year()),
                            d.month() as u32,
                            d.day() as u32,
                        ))
                    }
                },
                day_ref: match self.date {
                    Some(d) => DayRef::Date(days_from_civil(
                        i32::from(d.year()),
                        d.month() as u32,
                        d.day() as u32,
                    )),
                    None => DayRef::Before(jiff::Timestamp::now().as_millisecond()),
                },
            },
            ..InputConfig::default()
        })
    }

    pub fn threads(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Refuses an output file that is one of the input logs: the report or snapshot would
    /// replace the log it was made from. A snapshot among the inputs may be replaced (it is
    /// read whole first): `snapshot base.flt today.log -o base.flt` updates a baseline.
    /// `also`: more inputs (`--baseline`'s paths). Refused too: a file inside a directory
    /// that is an input (read as one of its logs, then replaced).
    pub fn refuse_overwriting_input(
        &self,
        out: &std::path::Path,
        also: &[std::path::PathBuf],
    ) -> anyhow::Result<()> {
        let Ok(out_c) = std::fs::canonicalize(out) else {
            // Not there yet (or not reachable): it cannot be an input.
            return Ok(());
        };
        if crate::snapshot::is_snapshot(&out_c) {
            return Ok(());
        }
        for p in self.paths.iter().chain(also) {
            let Ok(c) = std::fs::canonicalize(p) else {
                continue;
            };
            if c == out_c || (c.is_dir() && out_c.starts_with(&c)) || same_file_under(&out_c, &c) {
                anyhow::bail!(
                    "refusing to write {} over one of the inputs; choose another output file",
                    crate::sanitize::terminal(&out.display().to_string())
                );
            }
        }
        Ok(())
    }
}

/// Whether `out`, a file with other hard links, is `input` or a file under it by another
/// name (`ln app.log report.txt`): names differ, the file ([`crate::input::file_id`]) is the
/// same.
fn same_file_under(out: &std::path::Path, input: &std::path::Path) -> bool {
    let Some(o) = std::fs::metadata(out)
        .ok()
        .filter(has_other_links)
        .and_then(|m| crate::input::file_id(&m))
    else {
        return false;
    };
    let same = |m: std::io::Result<std::fs::Metadata>| {
        m.ok().and_then(|m| crate::input::file_id(&m)) == Some(o)
    };
    // Directories are walked without following links, as far as the reader would go, and
    // only for an output that has another name somewhere.
    let mut stack = vec![(input.to_path_buf(), 0usize)];
    while let Some((p, depth)) = stack.pop() {
        let Ok(m) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if m.is_dir() {
            if depth <= 64 {
                if let Ok(rd) = std::fs::read_dir(&p) {
                    stack.extend(rd.flatten().map(|e| (e.path(), depth + 1)));
                }
            }
        } else if same(Ok(m)) || same(std::fs::metadata(&p)) {
            return true;
        }
    }
    false
}

/// Whether a file has another name (a hard link); never on systems without link counts.
fn has_other_links(m: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(m) > 1
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        false
    }
}

/// Most worker threads `-j` accepts: more buys nothing (the work is cut into chunks for a
/// handful of cores) and a hundred thousand threads only exhaust the OS.
pub const MAX_THREADS: usize = 1024;

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of threads from 1 to {MAX_THREADS}"
        )),
    }
}

/// Shortest `--max-line`: a line cut shorter loses its message to its own header (a
/// timestamp and level take 30 bytes), and every event would fall into one empty template.
const MIN_MAX_LINE: usize = 256;
/// Longest `--max-line`: one line is held whole in memory.
const MAX_MAX_LINE: usize = 1 << 30;

fn parse_max_line(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (MIN_MAX_LINE..=MAX_MAX_LINE).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a line length in bytes from {MIN_MAX_LINE} to {MAX_MAX_LINE} (1 GiB)"
        )),
    }
}

/// `--date`: a calendar date, YYYY-MM-DD, in 2000–2199 as event times are.
fn parse_date(v: &str) -> Result<jiff::civil::Date, String> {
    let d: jiff::civil::Date = v
        .parse()
        .map_err(|e| format!("{v:?} is not a date like 2026-11-30 ({e})"))?;
    if !(2000..=2199).contains(&d.year()) {
        return Err(format!("{v:?}: the year must be 2000 to 2199"));
    }
    Ok(d)
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// Runs the program and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse_from(with_default_command(std::env::args_os().collect())) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Summary(a) => commands::summary::run(&a),
        Command::Events(a) => commands::events::run(&a),
        Command::Templates(a) => commands::templates::run(&a),
        Command::Spikes(a) => commands::spikes::run(&a),
        Command::Diff(a) => commands::diff::run(&a),
        Command::Snapshot(a) => commands::snapshot::run(&a),
        Command::Merge(a) => commands::merge::run(&a),
        Command::Endpoints(a) => commands::endpoints::run(&a),
        Command::Watch(a) => commands::watch::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return EXIT_OK;
            }
            // Errors name paths, which can hold escape sequences like log lines can.
            eprintln!(
                "faultline: error: {}",
                crate::sanitize::terminal(&format!("{e:#}"))
            );
            EXIT_ERROR
        }
    }
}

/// Makes `summary` the default command: when the first argument is not a subcommand (nor
/// `help`, `--help`/`-h`, `--version`/`-V`), `summary` is inserted before it, so `faultline
/// app.log`, `faultline --since 1h app.log` and `cat app.log | faultline` all run the summary.
pub fn with_default_command(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_string);
    let is_command = |a: &str| {
        a == "help"
            || Cli::command()
                .get_subcommands()
                .any(|c| c.get_name() == a || c.get_all_aliases().any(|al| al == a))
    };
    let insert = match first.as_deref() {
        None => true,
        Some("-h" | "--help" | "-V" | "--version") => false,
        Some(a) => !is_command(a),
    };
    if insert {
        args.insert(1.min(args.len()), "summary".into());
    }
    args
}

/// A closed pipe (`faultline ... | head`) is not an error worth a message.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let pipe = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(pipe)
            || matches!(
                c.downcast_ref::<crate::snapshot::SnapshotError>(),
                Some(crate::snapshot::SnapshotError::Write { io, .. }) if pipe(io)
            )
    })
}
