//! Input: where bytes come from, cut into line-aligned chunks.
//!
//! In: paths (files, directories, `-` for stdin), possibly compressed (`.gz`, multi-member) or
//! archived (`.tar`, `.tar.gz`/`.tgz`, `.zip`, nested). Out: [`Chunk`]s of whole lines (for
//! formats that join lines, whole events), each knowing its source and first line number, handed
//! to a sink in input order; plus [`InputStats`] saying what was read, skipped and why.
//!
//! Memory is bounded by the chunk size plus the line cap: a source is never held whole.

mod chunker;
mod open;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::record::w3c::W3cFields;
use crate::record::{Format, ParseConfig};

pub use chunker::{Chunker, MAX_CHUNK_LINES};
pub use open::{list_dir, read_inputs, read_reader};

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
        }
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
        }
    }
}

/// Why something in the input was not (fully) read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Path or source name the notice is about.
    pub source: String,
    pub kind: NoticeKind,
    pub message: String,
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
}

impl InputStats {
    pub fn has_errors(&self) -> bool {
        self.notices.iter().any(|n| n.kind == NoticeKind::Error)
    }

    /// Adds the statistics of inputs read after these.
    pub fn merge(&mut self, o: InputStats) {
        self.bytes += o.bytes;
        self.truncated_lines += o.truncated_lines;
        self.sources.extend(o.sources);
        self.notices.extend(o.notices);
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
