//! The mergeable summary of a log set: what every report is computed from.
//!
//! Each chunk is summarized on a worker thread into a partial [`Summary`]; partial summaries
//! merge in input order (like xsv's `stats` `merge_all`). The same merge joins snapshots saved
//! on different machines or days, which is how a baseline ("yesterday") is kept.
//!
//! Messages are kept as *signatures* (the masked message, see `mine`): the expensive
//! clustering into templates happens once, on the distinct signatures of the merged summary
//! (`templates::finalize`), so templates do not depend on chunking or thread count.

pub mod build;
pub mod series;
pub mod templates;
pub mod versions;

use serde::{Deserialize, Serialize};

pub use build::ChunkBuilder;
pub use series::Series;

use crate::input::InputStats;
use crate::record::Level;

/// Index of "no level" in [`LevelCounts`].
pub const NO_LEVEL: usize = 6;

/// Counts per level: trace, debug, info, warn, error, fatal, and unknown.
pub type LevelCounts = [u64; 7];

/// Adds level counts `b` into `a`.
pub fn add_levels(a: &mut LevelCounts, b: &LevelCounts) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

pub fn level_slot(level: Option<Level>) -> usize {
    level.map_or(NO_LEVEL, Level::index)
}

/// Longest example text kept (bytes); longer events are cut at a character boundary.
pub const MAX_EXAMPLE_BYTES: usize = 2_000;
/// Sources whose last event [`Summary::tails`] keeps.
pub const MAX_TAILS: usize = 64;

/// Examples kept per signature: the earliest ones (see [`offer_earliest`]).
pub const EXAMPLES_PER_SIG: usize = 3;

/// Where an event stands in "earliest first" order: its time (events without one after all
/// timed ones), then source name, then line. Examples are the events smallest in this order,
/// so they do not depend on the order inputs are read in (`summary a.log b.log` and `b.log
/// a.log`, or `watch DIR` replaying files side by side, keep the same ones).
pub fn example_order(
    a: (Option<i64>, &str, u64),
    b: (Option<i64>, &str, u64),
) -> std::cmp::Ordering {
    let ta = a.0.unwrap_or(i64::MAX);
    let tb = b.0.unwrap_or(i64::MAX);
    ta.cmp(&tb)
        .then_with(|| {
            if std::ptr::eq(a.1, b.1) {
                std::cmp::Ordering::Equal
            } else {
                a.1.cmp(b.1)
            }
        })
        .then(a.2.cmp(&b.2))
}

/// Offers the event at `(time, source, line)` to `v`, the `cap` earliest examples in
/// [`example_order`], kept sorted; `make` builds it only if it is kept. Returns where it was
/// put. The same event offered twice (a snapshot merged twice) is kept once.
pub fn offer_earliest(
    v: &mut Vec<Example>,
    cap: usize,
    time: Option<i64>,
    source: &str,
    line: u64,
    make: impl FnOnce() -> Example,
) -> Option<usize> {
    if cap == 0 {
        return None;
    }
    let key = (time, source, line);
    if v.len() >= cap
        && v.last()
            .is_some_and(|l| example_order(key, l.key()) != std::cmp::Ordering::Less)
    {
        return None;
    }
    let pos = v.partition_point(|e| example_order(e.key(), key) == std::cmp::Ordering::Less);
    if v.get(pos)
        .is_some_and(|e| e.line == line && *e.source == *source)
    {
        return None;
    }
    if v.capacity() == 0 {
        // Most routes and signatures of a chunk keep one example: room for one, not four.
        v.reserve_exact(1);
    }
    if v.len() >= cap {
        // The last one goes: dropped first, the vector does not grow past `cap`.
        v.truncate(cap - 1);
    }
    v.insert(pos, make());
    (pos < cap).then_some(pos)
}

/// Events per signature kept as a uniform sample of all its occurrences, besides the first
/// ones: a burst late in the input then has evidence from inside it (see [`Sample`]).
pub const SAMPLES_PER_SIG: usize = 8;

/// One sampled occurrence. The sample is the events with the smallest `rank`, a hash of the
/// event's place in the input (source and line): the same events whatever the chunking or
/// thread count, and merging two samples is exact (take the smallest of both).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub rank: u64,
    pub example: Example,
}

impl Sample {
    /// The order samples are kept in: rank, then line (should two events share a rank).
    pub fn key(&self) -> (u64, u64) {
        (self.rank, self.example.line)
    }
}

/// Offers the event of `rank` to a sample of at most [`SAMPLES_PER_SIG`] (the smallest
/// ranks); `make` builds it only if it is kept.
pub fn offer_sample(v: &mut Vec<Sample>, rank: u64, line: u64, make: impl FnOnce() -> Example) {
    if v.len() >= SAMPLES_PER_SIG && v.last().is_some_and(|s| (rank, line) >= s.key()) {
        return;
    }
    let pos = v.partition_point(|s| s.key() < (rank, line));
    if v.get(pos).is_some_and(|s| s.key() == (rank, line)) {
        return; // the same event (a snapshot merged twice)
    }
    if v.capacity() == 0 {
        // Most signatures of a log of distinct lines have one event: room for one, not four.
        v.reserve_exact(1);
    }
    if v.len() >= SAMPLES_PER_SIG {
        // The largest rank goes: dropped first, the vector does not grow to 16 to hold 8.
        v.truncate(SAMPLES_PER_SIG - 1);
    }
    v.insert(
        pos,
        Sample {
            rank,
            example: make(),
        },
    );
}

/// Adds sample `src` to sample `dst`: the smallest ranks of both (exact, as for one sample).
pub fn merge_samples(dst: &mut Vec<Sample>, src: &[Sample]) {
    for x in src {
        offer_sample(dst, x.rank, x.example.line, || x.example.clone());
    }
}

/// The [`Sample::rank`] of the event at `line` of the source whose name hashes to `source`.
pub fn sample_rank(source: u64, line: u64) -> u64 {
    // splitmix64's finalizer: consecutive lines spread over the whole range.
    let mut z = source ^ line.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An event's [`Example`], built at most once, when a list first keeps it, and then shared
/// (the text is reference-counted) by every other list that keeps it: `|| lazy.get()` is the
/// `make` argument of [`offer_earliest`] and [`offer_sample`].
pub struct LazyExample<'e> {
    made: std::cell::OnceCell<Example>,
    source: &'e std::sync::Arc<str>,
    line: u64,
    time: Option<i64>,
    raw: &'e [u8],
    level: Option<crate::record::Level>,
}

impl<'e> LazyExample<'e> {
    pub fn new(
        source: &'e std::sync::Arc<str>,
        line: u64,
        time: Option<i64>,
        raw: &'e [u8],
    ) -> LazyExample<'e> {
        LazyExample {
            made: std::cell::OnceCell::new(),
            source,
            line,
            time,
            raw,
            level: None,
        }
    }

    /// The example will carry the event's level.
    pub fn with_level(mut self, level: Option<crate::record::Level>) -> LazyExample<'e> {
        self.level = level;
        self
    }

    /// The example, if [`LazyExample::get`] has built it.
    pub fn made(&self) -> Option<&Example> {
        self.made.get()
    }

    /// The example: built on the first call, shared after.
    pub fn get(&self) -> Example {
        self.made
            .get_or_init(|| {
                Example::new(self.source, self.line, self.time, self.raw).with_level(self.level)
            })
            .clone()
    }
}

/// One event shown as evidence, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Shared by every example from the same chunk: one allocation per chunk, not per example.
    pub source: std::sync::Arc<str>,
    pub line: u64,
    pub time: Option<i64>,
    /// Shared when the same event is kept twice (as one of the first and in the sample).
    pub text: std::sync::Arc<str>,
    /// The event's level, so evidence can be picked at the level a finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::record::Level>,
}

impl Example {
    pub fn new(source: &std::sync::Arc<str>, line: u64, time: Option<i64>, raw: &[u8]) -> Example {
        // A container's line is shown as `kubectl logs` / `docker logs` show it: without the
        // CRI runtime's `stamp stream F` prefix or Docker's JSON wrapper (the example's
        // `file:line` still points at the record).
        let mut head = &raw[..raw.len().min(4 * MAX_EXAMPLE_BYTES)];
        if head.len() < raw.len() {
            // Whole records only.
            head = memchr::memrchr(b'\n', head).map_or(head, |i| &head[..i]);
        }
        let unwrapped = match head.first() {
            Some(b'0'..=b'9') => crate::record::plain::cri_text(head),
            Some(b'{') => crate::record::json::docker_text(head),
            _ => None,
        };
        let raw = unwrapped.as_deref().unwrap_or(raw);
        let raw = &raw[..raw.len().min(MAX_EXAMPLE_BYTES)];
        let cut = raw.len() == MAX_EXAMPLE_BYTES;
        // Colour codes are shown as the text they colour (parsing read the text too), also
        // where a JSON line has them escaped.
        let clean;
        let raw = if crate::record::ansi::shown_with_escapes(raw) {
            let mut v = Vec::with_capacity(raw.len());
            crate::record::ansi::strip_for_display(raw, &mut v);
            clean = v;
            &clean[..]
        } else {
            raw
        };
        // Nearly always valid UTF-8: checked first (fast), the lossy conversion only when not.
        let lossy;
        let mut text = match std::str::from_utf8(raw) {
            Ok(s) => s,
            Err(_) => {
                lossy = String::from_utf8_lossy(raw);
                &*lossy
            }
        };
        if cut {
            // The cut fell inside a character; drop the broken tail.
            text = text.strip_suffix('\u{fffd}').unwrap_or(text);
        }
        Example {
            source: std::sync::Arc::clone(source),
            line,
            time,
            text: text.into(),
            level: None,
        }
    }

    /// This example with the event's level.
    pub fn with_level(mut self, level: Option<crate::record::Level>) -> Example {
        self.level = level;
        self
    }

    /// Like [`Example::new`] for a source name that is not shared (allocates it).
    pub fn named(source: &str, line: u64, time: Option<i64>, raw: &[u8]) -> Example {
        Example::new(&std::sync::Arc::from(source), line, time, raw)
    }

    /// This event's place in [`example_order`].
    pub fn key(&self) -> (Option<i64>, &str, u64) {
        (self.time, &self.source, self.line)
    }

    /// `file:line`, the way findings point at evidence.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source, self.line)
    }
}

/// Everything known about one signature (one distinct masked message).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SigStats {
    /// The masked message.
    pub sig: String,
    pub count: u64,
    pub levels: LevelCounts,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    /// The time of the first error or fatal event (a request record's template is mostly
    /// successes: its first error can come hours after its first event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<i64>,
    /// Counts per time bucket (width: the summary's `resolution_ms`).
    pub series: Series,
    /// The error and fatal events of `series`, kept only while the signature has events of
    /// other levels too (an all-error signature's is `series`; see [`SigStats::errors_in`]):
    /// a request record's template is mostly successes, and an error-rate finding counts
    /// only its failures.
    #[serde(default, skip_serializing_if = "Series::is_empty")]
    pub error_series: Series,
    /// Events of this signature without a timestamp.
    pub untimed: u64,
    pub examples: Vec<Example>,
    /// The event just before the earliest occurrence, in its source (often the deploy or
    /// config change that caused a new error).
    pub before_first: Option<Example>,
    /// A uniform sample of the occurrences, smallest rank first (at most [`SAMPLES_PER_SIG`]).
    #[serde(default)]
    pub samples: Vec<Sample>,
}

impl SigStats {
    fn new(sig: String) -> SigStats {
        SigStats {
            sig,
            count: 0,
            levels: [0; 7],
            first_time: None,
            last_time: None,
            first_error: None,
            series: Series::default(),
            error_series: Series::default(),
            untimed: 0,
            examples: Vec::new(),
            before_first: None,
            samples: Vec::new(),
        }
    }

    /// When the signature's first error or fatal event happened: exact, or (a snapshot
    /// written before this was kept) its first event's time when all its events are errors.
    pub fn first_error_time(&self) -> Option<i64> {
        self.first_error
            .or(self.first_time.filter(|_| self.errors() >= self.count))
    }

    /// Error and fatal events of the signature.
    pub fn errors(&self) -> u64 {
        self.levels[Level::Error.index()] + self.levels[Level::Fatal.index()]
    }

    /// The series of the signature's error and fatal events.
    pub fn errors_in(&self) -> &Series {
        if self.errors() >= self.count {
            &self.series
        } else {
            &self.error_series
        }
    }

    /// Offers the event of `rank` to the sample; `make` builds it only if it is kept.
    pub fn offer_sample(&mut self, rank: u64, line: u64, make: impl FnOnce() -> Example) {
        offer_sample(&mut self.samples, rank, line, make);
    }

    fn merge(&mut self, other: &SigStats) {
        // The error series is kept only while not all events are errors; an all-error
        // side's is its whole series.
        if self.errors() + other.errors() < self.count + other.count {
            let mut errors = if self.errors() >= self.count {
                self.series.clone()
            } else {
                std::mem::take(&mut self.error_series)
            };
            errors.merge(other.errors_in());
            self.error_series = errors;
        }
        self.count += other.count;
        add_levels(&mut self.levels, &other.levels);
        self.first_time = min_opt(self.first_time, other.first_time);
        self.last_time = max_opt(self.last_time, other.last_time);
        self.first_error = min_opt(self.first_error, other.first_error);
        self.series.merge(&other.series);
        self.untimed += other.untimed;
        // The event before the first occurrence goes with the earliest example.
        let other_first = match (other.examples.first(), self.examples.first()) {
            (Some(o), Some(s)) => example_order(o.key(), s.key()) == std::cmp::Ordering::Less,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if other_first {
            self.before_first = other.before_first.clone();
        }
        for e in &other.examples {
            offer_earliest(
                &mut self.examples,
                EXAMPLES_PER_SIG,
                e.time,
                &e.source,
                e.line,
                || e.clone(),
            );
        }
        merge_samples(&mut self.samples, &other.samples);
    }

    /// Every event kept as evidence: examples, the event before the first, the sample.
    pub fn examples_mut(&mut self) -> impl Iterator<Item = &mut Example> {
        self.examples
            .iter_mut()
            .chain(&mut self.before_first)
            .chain(self.samples.iter_mut().map(|s| &mut s.example))
    }

    /// The most severe level seen, if any event had one.
    pub fn max_level(&self) -> Option<Level> {
        Level::ALL
            .iter()
            .rev()
            .copied()
            .find(|l| self.levels[l.index()] > 0)
    }
}

pub(crate) fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(crate) fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Events whose signature did not fit under the signature cap.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Overflow {
    pub events: u64,
    pub levels: LevelCounts,
    pub series: Series,
    /// The error and fatal events of `series`.
    #[serde(default, skip_serializing_if = "Series::is_empty")]
    pub error_series: Series,
}

/// The mergeable summary; see the module doc.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Width of every time bucket in this summary, in milliseconds.
    pub resolution_ms: i64,
    pub events: u64,
    /// Events without a usable timestamp, and none before them in their source: counted,
    /// never given an invented time.
    pub untimed: u64,
    /// Events without a timestamp of their own in a source whose events carry them (a
    /// crash dump, a stray line), placed at the time of the timed event before them.
    #[serde(default)]
    pub time_inherited: u64,
    /// Events whose timestamp is a time of day without a date, dated as `--date` or their
    /// file's last change says ([`crate::record::DayRef`]).
    #[serde(default)]
    pub time_dated: u64,
    pub invalid_utf8: u64,
    /// W3C directive lines (`#Fields: …`) of access logs: the log's header, not events; in no
    /// other count.
    #[serde(default)]
    pub directive_lines: u64,
    /// Timed events dropped by a time filter (`--since`/`--until`); not in any other count.
    #[serde(default)]
    pub filtered_out: u64,
    pub time_min: Option<i64>,
    pub time_max: Option<i64>,
    pub levels: LevelCounts,
    /// Events per bucket for each level slot (see [`LevelCounts`]).
    pub level_series: Vec<Series>,
    /// Signatures in order of first appearance in the input.
    pub sigs: Vec<SigStats>,
    pub overflow: Overflow,
    /// Sources read, notices, bytes.
    pub input: InputStats,
    /// The first event (in input order), and the last event of each recent source (at most
    /// [`MAX_TAILS`], most recent last), for stitching "event before the first occurrence"
    /// across chunk boundaries: chunks of several sources may arrive interleaved (`watch
    /// DIR`), and a chunk's first event follows the last one of its own source.
    pub first_event: Option<Example>,
    #[serde(skip)]
    pub tails: Vec<Example>,
    /// Per-route and per-upstream request statistics.
    pub endpoints: crate::endpoints::EndpointTable,
    /// Values of version-like fields per source, each with its first event (deploys).
    #[serde(default)]
    pub versions: versions::Versions,
    /// The sources with at least one timed event: the others are logs without timestamps.
    #[serde(default)]
    pub timed_sources: std::collections::BTreeSet<String>,
    #[serde(skip)]
    index: SigIndex,
    /// The [`sig_cost`] of every signature in `sigs`, added up (checked against the byte
    /// budget when signatures merge, see [`Summary::merge_within`]).
    #[serde(skip)]
    sig_bytes: u64,
}

/// Signature text → position in [`Summary::sigs`]. Entries keep the signature's hash
/// ([`sig_hash`]), so a signature is hashed once where it is first met (on the worker) and
/// never again: not when chunk summaries merge, not to check [`build::Saturated`], not to
/// grow the table; and the text is stored once, in `sigs`, not copied into a key.
#[derive(Clone, Debug, Default)]
pub struct SigIndex(hashbrown::HashTable<(u64, u32)>);

impl PartialEq for SigIndex {
    /// Derived from `sigs`, which the summaries' equality already compares.
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
    }
}

impl SigIndex {
    fn find(&self, sigs: &[SigStats], hash: u64, sig: &str) -> Option<u32> {
        self.0
            .find(hash, |&(h, i)| h == hash && sigs[i as usize].sig == sig)
            .map(|&(_, i)| i)
    }

    fn insert(&mut self, hash: u64, i: u32) {
        self.0.insert_unique(hash, (hash, i), |&(h, _)| h);
    }

    /// Each signature's hash, by position.
    fn hashes(&self, n: usize) -> Vec<u64> {
        let mut out = vec![0; n];
        for &(h, i) in self.0.iter() {
            if let Some(slot) = out.get_mut(i as usize) {
                *slot = h;
            }
        }
        out
    }
}

/// The hash a signature is indexed by (FxHash of its bytes: fast, and the same on every
/// thread and run).
pub fn sig_hash(sig: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(sig);
    h.finish()
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            resolution_ms: series::LADDER_MS[0],
            events: 0,
            untimed: 0,
            time_inherited: 0,
            time_dated: 0,
            invalid_utf8: 0,
            directive_lines: 0,
            filtered_out: 0,
            time_min: None,
            time_max: None,
            levels: [0; 7],
            level_series: vec![Series::default(); 7],
            sigs: Vec::new(),
            overflow: Overflow::default(),
            input: InputStats::default(),
            first_event: None,
            tails: Vec::new(),
            endpoints: Default::default(),
            versions: Default::default(),
            timed_sources: Default::default(),
            index: SigIndex::default(),
            sig_bytes: 0,
        }
    }
}

/// Default cap on distinct signatures kept in one summary; later new ones count as overflow.
pub const DEFAULT_MAX_SIGS: usize = 200_000;

/// Budget for the signatures of one summary, in [`sig_cost`] units (about bytes): a new
/// signature that would take the total over it counts as overflow, like one beyond
/// [`DEFAULT_MAX_SIGS`]. The count cap alone let memory grow with the length of the
/// messages: distinct lines of 180 words took 0.78 GB for 65 MB and 2.9 GB for 262 MB (the
/// signatures, their examples, and the clustering's work on every word). Short signatures reach the count cap first (200,000 of 40 bytes and 6 words cost
/// 226 MiB).
pub const DEFAULT_SIG_BUDGET: u64 = 256 << 20;

/// Longest signature kept (bytes): a longer masked message is cut, at a space where one is
/// near, and ends in ` …`. Messages that agree in their first 2,000 bytes (after masking) are
/// one signature.
pub const MAX_SIG_BYTES: usize = 2_000;

/// What ends a signature cut at [`MAX_SIG_BYTES`].
pub const SIG_CUT_MARK: &str = " …";

/// Cuts a masked message longer than [`MAX_SIG_BYTES`] to fit, [`SIG_CUT_MARK`] included:
/// at the last space of its last quarter if there is one (so no word is cut in half), else
/// at a character boundary.
pub fn cap_sig(sig: &mut Vec<u8>) {
    if sig.len() <= MAX_SIG_BYTES {
        return;
    }
    let mut cut = MAX_SIG_BYTES - SIG_CUT_MARK.len();
    // Not inside a UTF-8 character (continuation bytes are 0b10xx_xxxx).
    while cut > 0 && sig[cut] & 0xC0 == 0x80 {
        cut -= 1;
    }
    if let Some(sp) = sig[cut * 3 / 4..cut].iter().rposition(|&b| b == b' ') {
        cut = cut * 3 / 4 + sp;
    }
    sig.truncate(cut);
    sig.extend_from_slice(SIG_CUT_MARK.as_bytes());
}

/// What a signature costs against [`DEFAULT_SIG_BUDGET`]: a function of its text alone, so
/// whether it is kept never depends on how the input was chunked. Twelve times its length
/// (the text, and the up to eleven events it keeps as evidence — examples, the event before
/// the first, the sample — which are about as long), 32 per word (the clustering's token
/// table and its work per word), and 512 for the rest (its counters and series, its index
/// entry, its template).
pub fn sig_cost(sig: &str) -> u64 {
    // Words: bytes other than a space that follow a space or the start (a byte loop the
    // compiler vectorizes; `split` visits each space in turn).
    let mut words = 0u64;
    let mut after_space = true;
    for &c in sig.as_bytes() {
        let space = c == b' ';
        words += u64::from(after_space && !space);
        after_space = space;
    }
    12 * sig.len() as u64 + 32 * words + 512
}

impl Summary {
    /// The input's log when it is the only one and no event has a timestamp: its line order
    /// is the order of its events (`docker logs` of an app that prints no time).
    pub fn untimed_log(&self) -> Option<&crate::input::SourceStats> {
        match self.input.sources.as_slice() {
            [log] if self.time_min.is_none() => Some(log),
            _ => None,
        }
    }

    /// Rebuilds the signature index (after loading from a snapshot).
    pub fn reindex(&mut self) {
        let mut index = SigIndex::default();
        for (i, s) in self.sigs.iter().enumerate() {
            index.insert(sig_hash(s.sig.as_bytes()), i as u32);
        }
        self.index = index;
        self.sig_bytes = self.sigs.iter().map(|s| sig_cost(&s.sig)).sum();
    }

    /// The signatures' [`sig_cost`], added up.
    pub fn sig_bytes(&self) -> u64 {
        self.sig_bytes
    }

    pub fn sig_index(&self, sig: &str) -> Option<u32> {
        self.find_sig(sig_hash(sig.as_bytes()), sig)
    }

    /// Position of signature `sig` (whose [`sig_hash`] is `hash`), if present.
    pub fn find_sig(&self, hash: u64, sig: &str) -> Option<u32> {
        self.index.find(&self.sigs, hash, sig)
    }

    /// Appends a new signature (not present yet) and returns its position.
    pub fn push_sig(&mut self, hash: u64, s: SigStats) -> u32 {
        let cost = sig_cost(&s.sig);
        self.push_sig_costing(hash, s, cost)
    }

    fn push_sig_costing(&mut self, hash: u64, s: SigStats, cost: u64) -> u32 {
        let i = self.sigs.len() as u32;
        self.index.insert(hash, i);
        self.sigs.push(s);
        self.sig_bytes += cost;
        i
    }

    /// Each signature's [`sig_hash`], by position in `sigs`.
    pub fn sig_hashes(&self) -> Vec<u64> {
        self.index.hashes(self.sigs.len())
    }

    /// Coarsens every series to width `to` (a multiple of the current width).
    pub fn rebucket(&mut self, to: i64) {
        let from = self.resolution_ms;
        if to <= from {
            return;
        }
        for s in &mut self.level_series {
            s.rebucket(from, to);
        }
        for s in &mut self.sigs {
            s.series.rebucket(from, to);
            s.error_series.rebucket(from, to);
        }
        self.overflow.series.rebucket(from, to);
        self.overflow.error_series.rebucket(from, to);
        self.endpoints.rebucket(from, to);
        self.resolution_ms = to;
    }

    /// Every event kept as evidence anywhere in the summary (signatures, routes, upstreams,
    /// and the first and last events kept for stitching).
    pub fn examples_mut(&mut self) -> impl Iterator<Item = &mut Example> {
        self.sigs
            .iter_mut()
            .flat_map(SigStats::examples_mut)
            .chain(&mut self.first_event)
            .chain(&mut self.tails)
            .chain(self.endpoints.examples_mut())
    }

    /// Merges `other`, which comes after `self` in input order, into `self`, keeping at most
    /// `max_sigs` signatures within [`DEFAULT_SIG_BUDGET`].
    /// Returns, for each signature of `other`, its index in `self` (`u32::MAX`: overflowed).
    pub fn merge(&mut self, other: Summary, max_sigs: usize) -> Vec<u32> {
        self.merge_within(other, max_sigs, DEFAULT_SIG_BUDGET)
    }

    /// [`Summary::merge`] with signature budget `budget` ([`sig_cost`] units). A signature
    /// new to `self` is kept while there are fewer than `max_sigs` and its cost fits in what
    /// is left of the budget; otherwise its events count as overflow. New signatures are met
    /// in input order and the total only grows, so the signatures kept are the same however
    /// the input was chunked: one refused once is refused again whenever it comes back.
    pub fn merge_within(&mut self, mut other: Summary, max_sigs: usize, budget: u64) -> Vec<u32> {
        self.time_min = min_opt(self.time_min, other.time_min);
        self.time_max = max_opt(self.time_max, other.time_max);
        let span = match (self.time_min, self.time_max) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        let res = series::resolution_for(span)
            .max(self.resolution_ms)
            .max(other.resolution_ms);
        self.rebucket(res);
        other.rebucket(res);

        self.events += other.events;
        self.untimed += other.untimed;
        self.timed_sources
            .extend(std::mem::take(&mut other.timed_sources));
        self.time_inherited += other.time_inherited;
        self.time_dated += other.time_dated;
        self.invalid_utf8 += other.invalid_utf8;
        self.directive_lines += other.directive_lines;
        self.filtered_out += other.filtered_out;
        add_levels(&mut self.levels, &other.levels);
        for (a, b) in self.level_series.iter_mut().zip(&other.level_series) {
            a.merge(b);
        }
        let mut remap = Vec::with_capacity(other.sigs.len());
        let hashes = other.sig_hashes();
        for (mut s, h) in other.sigs.drain(..).zip(hashes) {
            // Earliest at the very start of `other`: the event before it is the last one
            // merged of the same source.
            if let (None, Some(ex), Some(start)) =
                (&s.before_first, s.examples.first(), &other.first_event)
            {
                if ex.line == start.line && ex.source == start.source {
                    s.before_first = self
                        .tails
                        .iter()
                        .rev()
                        .find(|t| t.source == ex.source && t.line < ex.line)
                        .cloned();
                }
            }
            match self.index.find(&self.sigs, h, &s.sig) {
                Some(i) => {
                    self.sigs[i as usize].merge(&s);
                    remap.push(i);
                }
                None => {
                    let cost = sig_cost(&s.sig);
                    if self.sigs.len() < max_sigs && self.sig_bytes.saturating_add(cost) <= budget {
                        remap.push(self.push_sig_costing(h, s, cost));
                    } else {
                        self.overflow.events += s.count;
                        add_levels(&mut self.overflow.levels, &s.levels);
                        self.overflow.series.merge(&s.series);
                        self.overflow.error_series.merge(s.errors_in());
                        remap.push(u32::MAX);
                    }
                }
            }
        }
        self.overflow.events += other.overflow.events;
        add_levels(&mut self.overflow.levels, &other.overflow.levels);
        self.overflow.series.merge(&other.overflow.series);
        self.overflow
            .error_series
            .merge(&other.overflow.error_series);
        self.endpoints.merge(other.endpoints, &remap);
        self.versions.merge(other.versions);
        self.input.merge(other.input);
        if self.first_event.is_none() {
            self.first_event = other.first_event;
        }
        for t in other.tails {
            self.tails.retain(|x| x.source != t.source);
            if self.tails.len() >= MAX_TAILS {
                self.tails.remove(0);
            }
            self.tails.push(t);
        }
        remap
    }
}
