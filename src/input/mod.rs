//! Input: where bytes come from, cut into line-aligned chunks.
//!
//! In: paths (files, directories, `-` for stdin), possibly compressed (gzip, zstd, xz, bzip2;
//! multi-member) or archived (`.tar`, `.tar.gz`/`.tgz`, `.tar.zst`, `.zip`, nested). Out: [`Chunk`]s of whole lines (for
//! formats that join lines, whole events), each knowing its source and first line number, handed
//! to a sink in input order; plus [`InputStats`] saying what was read, skipped and why.
//!
//! Memory is bounded by the chunk size plus the line cap: a source is never held whole.

mod chunker;
mod codec;
mod open;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::record::w3c::W3cFields;
use crate::record::{DayRef, Format, ParseConfig};

pub use chunker::{Chunker, MAX_CHUNK_LINES};
pub use codec::{packed_name, unsupported, Codec};
pub use open::{
    cr_line_ends, file_id, is_container, list_dir, looks_binary, nul_hole_message, read_inputs,
    read_reader, skip_nul_hole_noticed, utf16_encoding, CrAsLf, SeenFiles, GZ_STEP,
};

/// One source of log data: a file, an archive member, or stdin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// Index in the order sources were read.
    pub id: u32,
    /// Display name: `path`, `bundle.tgz:app/api.log`, or `-` for stdin.
    pub name: String,
    pub format: Format,
    /// Whether the format was detected (false when forced with `--input-format`).
    pub detected: bool,
    /// The columns a W3C access log's `#Fields:` directive names (IIS, CloudFront), read
    /// once from the start of the source.
    #[serde(skip)]
    pub w3c: Option<Arc<W3cFields>>,
    /// When the file (or archive member) was last changed, in milliseconds since the epoch:
    /// the day its times of day without a date are on ([`DayRef::Before`]).
    #[serde(skip)]
    pub modified: Option<i64>,
    /// Whether times of day without a date are dated in this source: only when its first
    /// lines have them ([`TimeCarry::dates`]), so that each is dated from the one before it
    /// however the source is chunked.
    #[serde(skip)]
    pub dates_times_of_day: bool,
}

impl SourceMeta {
    /// A source's metadata; `sample` (its first lines) gives a W3C log's columns.
    pub fn new(id: u32, name: String, format: Format, detected: bool, sample: &[u8]) -> SourceMeta {
        let w3c = (format == Format::Access)
            .then(|| W3cFields::from_sample(sample))
            .flatten()
            .map(Arc::new);
        SourceMeta {
            id,
            name,
            format,
            detected,
            w3c,
            modified: None,
            dates_times_of_day: true,
        }
    }

    /// `cfg` as it applies to this source: its times of day without a date are dated by
    /// the source's last change rather than the start of the run, unless `--date` says.
    pub fn parse_config<'c>(&self, cfg: &'c ParseConfig) -> Cow<'c, ParseConfig> {
        let day_ref = match (self.modified, cfg.day_ref) {
            (_, DayRef::Off) => return Cow::Borrowed(cfg),
            _ if !self.dates_times_of_day => DayRef::Off,
            (Some(at), DayRef::Before(_)) => DayRef::Before(at),
            _ => return Cow::Borrowed(cfg),
        };
        Cow::Owned(ParseConfig {
            day_ref,
            ..cfg.clone()
        })
    }
}

/// A run of whole lines (whole events for `plain`) from one source.
#[derive(Debug)]
pub struct Chunk {
    pub source: Arc<SourceMeta>,
    /// Position of the chunk in the whole input, 0-based; results are reassembled in this order.
    pub seq: u64,
    /// 1-based line number of the first line of `data` in its source.
    pub first_line: u64,
    /// Whole lines, each ending in `\n` (the last line of a source may lack it).
    pub data: Vec<u8>,
    /// The W3C columns in effect at the chunk's first line: the source's (from its first
    /// `#Fields:`), or those of the last `#Fields:` directive before the chunk.
    pub w3c: Option<Arc<W3cFields>>,
    /// The time of the source's last event with a timestamp before this chunk, when the
    /// source's events carry timestamps: events of the chunk without a time of their own (a
    /// crash dump, a stray line in a JSON log) before its first timed one are placed there,
    /// as the ones after a timed event are placed at its time. Set by the chunker, in order,
    /// so it is the same for any chunk size.
    pub time_before: Option<i64>,
    /// Whether the source's events carry timestamps (its first lines do): only then do
    /// events without one take the time before them.
    pub follow_times: bool,
    /// In a source with times of day without a date, the time of its last timed event before
    /// this chunk (a time of day, or a full date): the chunk's next time of day is dated
    /// nearest it ([`DayRef::After`]). Set by the chunker, in order.
    pub dated_before: Option<i64>,
}

impl Chunk {
    /// `source`'s chunk of `data`, whose first line is line `first_line`; `w3c` is the layout
    /// in effect before it, and becomes the one in effect after it (a `#Fields:` directive
    /// inside `data` changes it).
    pub fn new(
        source: Arc<SourceMeta>,
        seq: u64,
        first_line: u64,
        data: Vec<u8>,
        w3c: &mut Option<Arc<W3cFields>>,
    ) -> Chunk {
        let at_start = w3c.clone();
        if source.format == Format::Access {
            if let Some(after) = crate::record::w3c::last_directive(&data) {
                *w3c = after.map(Arc::new);
            }
        }
        Chunk {
            source,
            seq,
            first_line,
            data,
            w3c: at_start,
            time_before: None,
            follow_times: false,
            dated_before: None,
        }
    }

    /// `cfg` as it applies to this chunk: times of day without a date continue from the
    /// source's before the chunk, or start from its last change ([`SourceMeta::parse_config`]).
    pub fn parse_config<'c>(&self, cfg: &'c ParseConfig) -> Cow<'c, ParseConfig> {
        // (Only a source that dates them has one: see `TimeCarry::mark`.)
        match self.dated_before {
            Some(at) if cfg.day_ref != DayRef::Off => Cow::Owned(ParseConfig {
                day_ref: DayRef::After(at),
                ..cfg.clone()
            }),
            _ => self.source.parse_config(cfg),
        }
    }
}

/// Carries the time of a timed source's last timed event from chunk to chunk, in order (see
/// [`Chunk::time_before`]).
#[derive(Clone, Debug)]
pub struct TimeCarry {
    parse: crate::record::ParseConfig,
    last: Option<i64>,
    /// Whether the source's times are times of day without a date ([`Chunk::dated_before`]).
    dated: bool,
}

impl TimeCarry {
    /// For a source whose first lines are `sample`: `Some` when they carry timestamps.
    pub fn for_sample(
        sample: &[u8],
        format: crate::record::Format,
        w3c: Option<&W3cFields>,
        parse: &crate::record::ParseConfig,
    ) -> Option<TimeCarry> {
        let (mut timed, mut dated) = (false, false);
        crate::record::parse_chunk(sample, 1, format, w3c, parse, &mut |ev| {
            timed |= ev.time.is_some();
            dated |= ev.time_dated;
        });
        timed.then(|| TimeCarry {
            parse: parse.clone(),
            last: None,
            dated,
        })
    }

    /// Whether the source's first lines have times of day without a date
    /// ([`SourceMeta::dates_times_of_day`]).
    pub fn dates(&self) -> bool {
        self.dated
    }

    /// Tells `chunk` (the source's next) the time before it, and takes its last timed
    /// event's: every event back to it, so that the carry does not depend on where the
    /// chunks were cut (one event, nearly always).
    pub fn mark(&mut self, chunk: &mut Chunk) {
        chunk.follow_times = true;
        chunk.time_before = self.last;
        // (A full date counts too: the time of day after it is on its day.)
        chunk.dated_before = self.last.filter(|_| self.dated);
        if self.dated {
            // Each time of day is dated from the one before it: the next chunk's first
            // needs the day of this chunk's last, which only reading it all in order gives.
            let mut last = None;
            let parse = chunk.parse_config(&self.parse);
            crate::record::parse_chunk(
                &chunk.data,
                1,
                chunk.source.format,
                chunk.w3c.as_deref(),
                &parse,
                &mut |ev| last = ev.time.or(last),
            );
            self.last = last.or(self.last);
            return;
        }
        let last = crate::record::parse::last_event_time(
            &chunk.data,
            chunk.source.format,
            chunk.w3c.as_deref(),
            &self.parse,
            usize::MAX,
        );
        self.last = last.or(self.last);
    }
}

/// Why something in the input was not (fully) read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Path or source name the notice is about.
    pub source: String,
    pub kind: NoticeKind,
    pub message: String,
    /// Read from a snapshot: said when the snapshot was made. It stays in the report's list
    /// of what was skipped (a report of merged shards lists what the whole's would), but is
    /// not printed again nor an error of this run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recorded: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Skipped on purpose (binary file, unsupported archive member); not an error.
    Skipped,
    /// Read partly (truncated gzip, corrupt archive); what came before the damage was used.
    Damaged,
    /// Could not be read at all (missing path, permission); makes the exit code 2.
    Error,
}

/// What the input stage read, per source and in total.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InputStats {
    pub sources: Vec<SourceStats>,
    pub notices: Vec<Notice>,
    /// Bytes of (decompressed) log data read.
    pub bytes: u64,
    /// Physical lines longer than the line cap, truncated to the cap.
    pub truncated_lines: u64,
    /// Snapshots found where logs were read (stdin, inside a directory or an archive), by
    /// source name, in input order; merged into the summary after the logs that were read
    /// with them. Not stored in snapshots.
    #[serde(skip)]
    pub snapshots: Vec<(
        String,
        Box<crate::summary::Summary>,
        crate::snapshot::SnapshotMeta,
    )>,
}

impl InputStats {
    pub fn has_errors(&self) -> bool {
        self.notices
            .iter()
            .any(|n| n.kind == NoticeKind::Error && !n.recorded)
    }

    /// Adds the statistics of inputs read after these.
    pub fn merge(&mut self, o: InputStats) {
        self.bytes += o.bytes;
        self.truncated_lines += o.truncated_lines;
        self.sources.extend(o.sources);
        self.notices.extend(o.notices);
        self.snapshots.extend(o.snapshots);
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceStats {
    pub name: String,
    pub format: Format,
    pub bytes: u64,
    pub lines: u64,
}

/// How to read: what to read and how big the pieces are.
#[derive(Clone, Debug)]
pub struct InputConfig {
    /// Paths as given; empty means stdin.
    pub paths: Vec<PathBuf>,
    /// Target chunk size in bytes.
    pub chunk_size: usize,
    /// Longest physical line kept; longer lines are truncated to this and counted.
    pub max_line: usize,
    /// Bytes sampled from the start of each source for format detection.
    pub sample_size: usize,
    /// The largest archive member (zip inside a tar, say) buffered in memory to be read.
    pub max_member_in_memory: u64,
    pub parse: ParseConfig,
    /// When set, bytes read from files and stdin (before decompression) are added to it, so a
    /// progress display can compare them with the total file size.
    pub bytes_read: Option<Arc<AtomicU64>>,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            paths: Vec::new(),
            chunk_size: 2 << 20,
            max_line: 1 << 20,
            sample_size: 64 << 10,
            max_member_in_memory: 512 << 20,
            parse: ParseConfig::default(),
            bytes_read: None,
        }
    }
}
