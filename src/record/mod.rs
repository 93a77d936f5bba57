//! Records: turns a line-aligned chunk of bytes into parsed [`Event`]s.
//!
//! In: a chunk (`&[u8]` holding whole lines, and for `plain` and `json` whole multi-line
//! events), the source's [`Format`] and a [`ParseConfig`]. Out: [`Event`]s, handed to a
//! callback in input order. Fields borrow from the chunk wherever the bytes can be used as they are; only values
//! that need unescaping (JSON strings with escapes) are owned.
//!
//! - [`parse`]: the chunk loop (one `memchr` pass, no per-line allocation), the multi-line
//!   joining rule shared with the chunker, and dispatch per format.
//! - [`detect`]: picks a source's format from a sample.
//! - [`plain`], [`json`], [`logfmt`], [`access`], [`syslog`]: one parser per format;
//!   [`w3c`]: access logs whose `#Fields:` directive names their columns (IIS, CloudFront).
//! - [`keys`]: which JSON/logfmt key feeds which field, and latency units.
//! - [`time`], [`level`]: timestamp fast paths (UTC milliseconds) and level normalization.
//! - [`ansi`]: terminal colour codes, stripped from an event before it is parsed.
//!
//! Parsing never fails: a line a parser does not recognize is still an event, with the whole
//! line as its message (and, for plain-ish lines in a structured source, whatever timestamp
//! and level header it has).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub mod access;
pub mod ansi;
pub mod detect;
pub mod json;
pub mod keys;
pub mod level;
pub mod logfmt;
pub mod parse;
pub mod plain;
pub mod syslog;
pub mod time;
pub mod w3c;

pub use detect::detect_format;
pub use parse::parse_chunk;

/// Normalized severity. Ordered: `Trace < Debug < Info < Warn < Error < Fatal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Lines after a container runtime's partial record (a CRI `P` record, a Docker record
/// without its newline) within which its continuation still joins it, records of the other
/// stream in between ([`Format::stream_open_before`]).
pub const MAX_INTERLEAVED: usize = 16;

/// Input format of one source. Detected from a sample unless the user forces one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON lines (also Docker's json-file wrapper).
    Json,
    /// `key=value key2="quoted value"` lines.
    Logfmt,
    /// Apache/Nginx common or combined access log, optional trailing request time.
    Access,
    /// RFC 3164 or RFC 5424 syslog.
    Syslog,
    /// A leading timestamp and/or level, then the message; continuation lines join the event.
    Plain,
    /// Every physical line is one message, as it is.
    Line,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Logfmt => "logfmt",
            Format::Access => "access",
            Format::Syslog => "syslog",
            Format::Plain => "plain",
            Format::Line => "line",
        }
    }

    /// Whether continuation lines (stack traces, indented lines) join the previous event.
    /// The chunker uses this to never cut a chunk inside a multi-line event.
    pub fn joins_lines(self) -> bool {
        !matches!(self, Format::Line)
    }

    /// Whether `line` continues the previous event in a source of this format: the `plain`
    /// rule ([`parse::is_continuation`]) in every format but `line`, for JSON also applied to
    /// the line inside a Docker json-file record ([`json::docker_continuation`]).
    pub fn continues(self, line: &[u8]) -> bool {
        match self {
            Format::Plain => parse::is_continuation(line),
            // A JSON service's raw stack trace (`\tat ...` between JSON lines) joins too.
            Format::Json if line.first() == Some(&b'{') => json::docker_continuation(line),
            // Every other format's lines start with a timestamp, an address or `key=`: a
            // raw stack trace among them (logs of several kinds piped together) joins too.
            // (Except a whole JSON record indented, `  {"level":"error",…}`: an event of
            // its own, as a JSON reader takes it.)
            Format::Json | Format::Access | Format::Logfmt | Format::Syslog => {
                parse::is_continuation(line) && !json::indented_record(line)
            }
            Format::Line => false,
        }
    }

    /// Whether the line after `line` continues its event whatever it holds: `line` is the
    /// first part of a long line that a Kubernetes runtime (CRI tag `P`) or Docker (a `log`
    /// without its newline) split over several records.
    pub fn leaves_open(self, line: &[u8]) -> bool {
        match self {
            Format::Plain => plain::cri_partial(line),
            Format::Json => json::docker_partial(line),
            _ => false,
        }
    }

    /// (stream, partial) of a container runtime's record (a Kubernetes CRI line in `plain`,
    /// a Docker json-file record in `json`): stream 0 is stdout, 1 stderr. None for any
    /// other line, and in other formats.
    pub fn stream_record(self, line: &[u8]) -> Option<(u8, bool)> {
        match self {
            Format::Plain => plain::cri_record(line),
            Format::Json => json::docker_record(line),
            _ => None,
        }
    }

    /// Whether a container stream is still open before the line starting at `start` of
    /// `data`: among the [`MAX_INTERLEAVED`] lines before it, the latest record of stdout
    /// or of stderr is a partial one. Its continuation may come after records of the other
    /// stream (the runtime writes both streams to one file), so no event ends there. The
    /// parser keeps the same state going forward ([`parse::parse_chunk`]).
    pub fn stream_open_before(self, data: &[u8], start: usize) -> bool {
        if !matches!(self, Format::Plain | Format::Json) {
            return false;
        }
        let mut seen = [false; 2];
        let mut end = start;
        for _ in 0..MAX_INTERLEAVED {
            let Some(nl) = end.checked_sub(1) else {
                break;
            };
            let from = memchr::memrchr(b'\n', &data[..nl]).map_or(0, |i| i + 1);
            let line = &data[from..nl];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some((stream, partial)) = self.stream_record(line) {
                let s = usize::from(stream);
                if !seen[s] {
                    if partial {
                        return true;
                    }
                    seen[s] = true;
                    if seen == [true, true] {
                        return false;
                    }
                }
            }
            end = from;
        }
        false
    }

    /// Whether `line` joins the event whose last line starts at `prev_start` of `before`
    /// (`before` ends where that line ends). Mostly decided by that line and this one; a
    /// PostgreSQL report line looks back past the tab-indented lines before it to the
    /// report's line ([`plain::pg_joins`]), lines that all joined.
    pub fn joins(self, before: &[u8], prev_start: usize, line: &[u8]) -> bool {
        if self == Format::Plain {
            if let Some(joins) = plain::dated_pair_joins(before, prev_start, line) {
                return joins;
            }
        }
        self.joins_by_every_rule(before, prev_start, line)
    }

    /// [`Format::joins`] asking every rule (what the shortcut for two dated lines,
    /// [`plain::dated_pair_joins`], must agree with).
    pub fn joins_by_every_rule(self, before: &[u8], prev_start: usize, line: &[u8]) -> bool {
        let prev = &before[prev_start..];
        if self == Format::Plain && plain::other_prefix(prev, line) {
            // Interleaved output of several pods, containers or pm2 apps: a line of one
            // continues nothing of another's.
            return false;
        }
        if self == Format::Plain && access::uwsgi_line(prev) {
            // uWSGI logs a request when it is done: a traceback after it is the app's own
            // output (of a later request), not part of it.
            return false;
        }
        self.continues(line)
            || self.leaves_open(prev)
            || (self == Format::Json && json::docker_node_error(before, prev_start, line))
            || (self == Format::Plain
                && (plain::stamped_continuation(prev, line)
                    || plain::node_error_continuation(before, prev_start, line)
                    || plain::go_function_continuation(prev, line)
                    || plain::jul_continuation(prev, line)
                    || plain::pg_joins(before, prev_start, line)
                    || plain::rails_joins(before, prev_start, line)))
    }

    /// Where the last event of `data[..end]` starts (`end`: the offset of the `\n` ending its
    /// last line, or the length): the start of the last line that does not join the one
    /// before it and that no open container stream holds, 0 when every line does. The chunker cuts there and `watch` holds the rest.
    pub fn last_event_start(self, data: &[u8], mut end: usize) -> usize {
        loop {
            let start = memchr::memrchr(b'\n', &data[..end]).map_or(0, |i| i + 1);
            if start == 0 {
                return 0;
            }
            let prev = memchr::memrchr(b'\n', &data[..start - 1]).map_or(0, |i| i + 1);
            if !self.joins(&data[..start - 1], prev, &data[start..end])
                && !self.stream_open_before(data, start)
            {
                return start;
            }
            end = start - 1;
        }
    }
}

/// HTTP fields of an event, when it describes a request (access logs, request logs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Http<'a> {
    pub method: Option<Cow<'a, [u8]>>,
    /// Request path as logged (query string included; route normalization drops it later).
    pub path: Option<Cow<'a, [u8]>>,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    /// Host of an outbound call (upstream/external API), when the event names one.
    pub upstream: Option<Cow<'a, [u8]>>,
}

impl<'a> Http<'a> {
    /// Takes from `other` each part this one lacks.
    pub fn fill_from(&mut self, other: Http<'a>) {
        self.method = self.method.take().or(other.method);
        self.path = self.path.take().or(other.path);
        self.status = self.status.or(other.status);
        self.latency_ms = self.latency_ms.or(other.latency_ms);
        self.upstream = self.upstream.take().or(other.upstream);
    }

    pub fn is_empty(&self) -> bool {
        self.method.is_none()
            && self.path.is_none()
            && self.status.is_none()
            && self.latency_ms.is_none()
            && self.upstream.is_none()
    }
}

/// One structured field of an event: (key, value), both borrowed when they can be.
pub type Field<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// One parsed log event. Borrows from the chunk it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<'a> {
    /// 1-based line number of the event's first line in its source.
    pub line: u64,
    /// Number of physical lines the event spans (more than one for joined stack traces).
    pub lines: u32,
    /// The raw bytes of the whole event, without the final newline.
    pub raw: &'a [u8],
    /// Timestamp in milliseconds since the Unix epoch, UTC.
    pub time: Option<i64>,
    pub level: Option<Level>,
    /// The message, header stripped (for `line`, the whole line).
    pub message: Cow<'a, [u8]>,
    /// Logger, service or program name.
    pub logger: Option<Cow<'a, [u8]>>,
    pub http: Http<'a>,
    /// Request or trace id linking events of one request.
    pub trace_id: Option<Cow<'a, [u8]>>,
    /// Other structured fields (JSON/logfmt) with scalar values, for failing-vs-working contrast.
    pub fields: Vec<Field<'a>>,
    /// True when the event's bytes were not valid UTF-8 (they are decoded lossily on output).
    pub invalid_utf8: bool,
    /// The event has a timestamp that is no time (`1970-01-01` from a clock never set, a
    /// `"time"` value that does not parse): it stays untimed, where an event with no stamp
    /// at all in a timestamped log takes the time before it.
    pub time_rejected: bool,
    /// The time is a time of day whose date was supplied ([`DayRef`]), not read.
    pub time_dated: bool,
    /// Lines (and their bytes) of `raw` before the line that shows the event: a Rails
    /// exception report's first line is blank, its text on the next ([`Event::shown`]).
    pub blank_head: (u32, u32),
}

impl<'a> Event<'a> {
    /// The line number and raw bytes to show as evidence of the event: from its first
    /// line with text.
    pub fn shown(&self) -> (u64, &'a [u8]) {
        let (lines, bytes) = self.blank_head;
        match self.raw.get(bytes as usize..) {
            Some(rest) if lines > 0 => (self.line + u64::from(lines), rest),
            _ => (self.line, self.raw),
        }
    }

    /// An event that is just a message, with nothing parsed out of it.
    pub fn bare(line: u64, raw: &'a [u8]) -> Event<'a> {
        Event {
            line,
            lines: 1,
            raw,
            time: None,
            level: None,
            message: Cow::Borrowed(raw),
            logger: None,
            http: Http::default(),
            trace_id: None,
            fields: Vec::new(),
            invalid_utf8: false,
            time_rejected: false,
            time_dated: false,
            blank_head: (0, 0),
        }
    }

    /// A bare event of the same lines as this one (its line, line count and UTF-8 flag) for
    /// `raw` to be read into: what a parser tries without touching this one.
    pub fn bare_like(&self, raw: &'a [u8]) -> Event<'a> {
        let mut e = Event::bare(self.line, raw);
        e.lines = self.lines;
        e.invalid_utf8 = self.invalid_utf8;
        e
    }

    /// This event with every field owned, and `raw` as its raw bytes: for an event parsed
    /// from bytes that live shorter than the chunk (a decoded or cleaned copy of its text).
    pub fn detach<'b>(self, raw: &'b [u8]) -> Event<'b> {
        fn own(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
            Cow::Owned(c.into_owned())
        }
        Event {
            line: self.line,
            lines: self.lines,
            raw,
            time: self.time,
            level: self.level,
            message: own(self.message),
            logger: self.logger.map(own),
            http: Http {
                method: self.http.method.map(own),
                path: self.http.path.map(own),
                status: self.http.status,
                latency_ms: self.http.latency_ms,
                upstream: self.http.upstream.map(own),
            },
            trace_id: self.trace_id.map(own),
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (own(k), own(v)))
                .collect(),
            invalid_utf8: self.invalid_utf8,
            time_rejected: self.time_rejected,
            time_dated: self.time_dated,
            blank_head: self.blank_head,
        }
    }
}

/// Options that change how records are parsed.
#[derive(Clone, Debug)]
pub struct ParseConfig {
    /// Forced format; `None` = detect per source.
    pub format: Option<Format>,
    /// Time zone for timestamps that carry none (default UTC).
    pub tz: jiff::tz::TimeZone,
    /// Extra JSON keys for message, time and level, tried before the built-in ones.
    pub message_keys: Vec<String>,
    pub time_keys: Vec<String>,
    pub level_keys: Vec<String>,
    /// Year for timestamps without one (syslog `Jun 14 15:16:01`), as `year_ref` applies it.
    pub default_year: i16,
    pub year_ref: YearRef,
    /// How a stamp with a time of day only (logback's `HH:mm:ss.SSS`) gets its date.
    pub day_ref: DayRef,
}

/// How a time of day without a date (logback's default `10:00:00.123 [main] INFO …`,
/// Phoenix's `10:00:00.123 [info] …`) gets one: the first of a source as this says, each
/// later one from the one before it (a log crosses midnight).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayRef {
    /// Not at all: such events have no time.
    Off,
    /// This day for the first (days since the epoch; `--date`).
    Date(i64),
    /// The day of this instant (milliseconds since the epoch; the log's last change, or the
    /// start of the run for stdin) for a time of day up to an hour after its own, the day
    /// before for a later one: a log is not written after its last change.
    Before(i64),
    /// As `Before`, with the clock read for every chunk (`watch`).
    Clock,
    /// After this time (milliseconds since the epoch; the source's dated event before the
    /// chunk): each time of day after the first is on the day of the one before it, or the
    /// next when it is more than an hour earlier (the log passed midnight).
    After(i64),
}

/// How a timestamp without a year gets one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearRef {
    /// Always `default_year` (`--year`).
    Fixed,
    /// The latest year around `default_year` that does not put the stamp after this day
    /// (days since the epoch) plus one: what the batch commands use, with today's date.
    NotAfter(i64),
    /// As `NotAfter` with the current year and date read from the clock for every chunk:
    /// `watch` runs across midnight and New Year.
    Clock,
}

impl Default for ParseConfig {
    fn default() -> Self {
        ParseConfig {
            format: None,
            tz: jiff::tz::TimeZone::UTC,
            message_keys: Vec::new(),
            time_keys: Vec::new(),
            level_keys: Vec::new(),
            default_year: 2000,
            year_ref: YearRef::Fixed,
            day_ref: DayRef::Off,
        }
    }
}

/// The first line of an event's raw bytes (without its line end) and the rest, which starts
/// with the `\n` before the next line (empty for a one-line event).
pub(crate) fn first_record(raw: &[u8]) -> (&[u8], &[u8]) {
    let first = memchr::memchr(b'\n', raw).map_or(raw, |i| &raw[..i]);
    let rest = &raw[first.len()..];
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    (first, rest)
}
