//! Building a partial [`Summary`] from one chunk, on a worker thread.
//!
//! Hot path: per event, mask the message into a reused buffer, look the signature up in the
//! chunk's table, bump counters. Time buckets are assigned once the chunk's time span (and so
//! its bucket width) is known, from a compact list of `(signature, level, time)`.

use super::{
    level_slot, offer_earliest, sample_rank, series, sig_hash, Example, LazyExample, SigStats,
    Summary, EXAMPLES_PER_SIG,
};
use crate::input::Chunk;
use crate::mine::Masker;
use crate::record::{parse_chunk, Event, Level, ParseConfig};

/// Options for summarizing.
pub struct ChunkBuilder<'a> {
    pub masker: &'a Masker,
    pub parse: &'a ParseConfig,
    pub max_sigs: usize,
    /// Also return each event's signature index (for `templates --per-line`).
    pub per_line: bool,
    /// Keep only timed events with `since <= time < until` (epoch ms); events without a time
    /// are kept (they cannot be placed, and are reported as untimed).
    pub time_range: Option<(i64, i64)>,
    /// Signatures whose examples are already complete in the merged summary (see
    /// [`Saturated`]); their examples are not built again. `None`: build them all.
    pub saturated: Option<&'a Saturated>,
    /// Build time series and endpoint tables too (see `EngineOptions::full`); without them
    /// a chunk yields counts, levels, first/last times and examples per signature.
    pub full: bool,
}

/// What the merged summary already holds, so workers need not build it again.
///
/// Once a signature has [`EXAMPLES_PER_SIG`] examples in the merged summary, an event later
/// in [`example_order`](super::example_order) than the last of them can never become one (nor
/// bring its "event before the first"); and once its sample is full, an event ranked at or
/// above the sample's largest rank can never enter it. Workers look a signature up once per
/// chunk and skip building those: the output is identical whatever the timing, and the
/// allocations for frequent signatures — most of a chunk's — disappear.
/// Keyed by a 64-bit hash of the signature; a collision only means a signature gets fewer
/// examples or samples.
#[derive(Default)]
pub struct Saturated(std::sync::RwLock<SaturatedInner>);

#[derive(Default)]
struct SaturatedInner {
    /// Signature hash → the last of its merged examples (time, source, line): an event must
    /// come before it to become an example.
    examples_before: rustc_hash::FxHashMap<u64, ExampleBound>,
    /// Signature hash → rank an event must be below to enter the sample.
    sample_below: rustc_hash::FxHashMap<u64, u64>,
}

impl Saturated {
    /// For the signature with [`sig_hash`] `hash`: the event its examples end with when they
    /// are complete, and the rank below which an event can still enter its sample.
    pub fn lookup(&self, hash: u64) -> (Option<ExampleBound>, u64) {
        self.0.read().map_or((None, u64::MAX), |inner| {
            (
                inner.examples_before.get(&hash).cloned(),
                inner.sample_below.get(&hash).copied().unwrap_or(u64::MAX),
            )
        })
    }

    /// Records the last example of signatures whose examples are complete (it only moves
    /// earlier), and lowered sample bounds.
    pub fn update(
        &self,
        done: impl IntoIterator<Item = (u64, ExampleBound)>,
        below: impl IntoIterator<Item = (u64, u64)>,
    ) {
        if let Ok(mut inner) = self.0.write() {
            inner.examples_before.extend(done);
            for (h, r) in below {
                let e = inner.sample_below.entry(h).or_insert(u64::MAX);
                *e = (*e).min(r);
            }
        }
    }
}

/// The last example of a signature whose examples are complete: (time, source, line).
pub type ExampleBound = (Option<i64>, std::sync::Arc<str>, u64);

/// Whether the event at `key` comes before `bound` in [`example_order`](super::example_order).
fn before(key: (Option<i64>, &str, u64), bound: &Option<ExampleBound>) -> bool {
    bound
        .as_ref()
        .is_none_or(|(t, s, l)| super::example_order(key, (*t, s, *l)) == std::cmp::Ordering::Less)
}

/// What a chunk yields: its partial summary and, with `per_line`, each event's signature and
/// the number of physical lines it spans, and where W3C directive lines (not events) stood.
pub struct ChunkResult {
    pub summary: Summary,
    pub per_line: Vec<u32>,
    pub event_lines: Vec<u32>,
    /// With `per_line`: (index of the event they came before, or the number of events for
    /// the chunk's last lines; how many) for the skipped W3C directive lines, in order.
    pub directive_gaps: Vec<(u32, u32)>,
}

impl ChunkBuilder<'_> {
    pub fn summarize(&self, chunk: &Chunk) -> ChunkResult {
        let mut sum = Summary::default();
        let mut per_line = Vec::new();
        let mut event_lines: Vec<u32> = Vec::new();
        // Per local signature: the last example of the merged summary, once it has them all.
        let mut examples_before: Vec<Option<ExampleBound>> = Vec::new();
        // Per local signature: rank an event must be below to possibly enter the sample.
        let mut sample_below: Vec<u64> = Vec::new();
        let mut scratch: Vec<u8> = Vec::with_capacity(256);
        let mut timed: Vec<(u32, u8, i64)> = Vec::new();
        let source: std::sync::Arc<str> = std::sync::Arc::from(chunk.source.name.as_str());
        let source = &source;
        let source_seed = sig_hash(source.as_bytes());
        let mut prev: Option<(u64, Option<i64>, &[u8])> = None;
        // The text of the previous event's example, when one was built for it: the event
        // before a signature's first occurrence shares it rather than copying the line again
        // (on a log of distinct lines, every event is both).
        let mut prev_text: Option<std::sync::Arc<str>> = None;
        let mut directive_gaps: Vec<(u32, u32)> = Vec::new();
        // The line the next event starts on unless directive lines came first.
        let mut next_line = chunk.first_line;
        // The time an event without its own takes: the last timed event's before it in its
        // source (see `Chunk::time_before`).
        let mut last_time = chunk.time_before;
        let mut chunk_timed = false;
        if self.full {
            sum.endpoints.begin_chunk(source, chunk.source.format);
        }
        let parse = chunk.parse_config(self.parse);
        sum.directive_lines = parse_chunk(
            &chunk.data,
            chunk.first_line,
            chunk.source.format,
            chunk.w3c.as_deref(),
            &parse,
            &mut |mut ev: Event<'_>| {
                if chunk.follow_times {
                    match ev.time {
                        Some(t) => last_time = Some(t),
                        None if last_time.is_some() && !ev.time_rejected => {
                            ev.time = last_time;
                            sum.time_inherited += 1;
                        }
                        None => {}
                    }
                }
                if self.per_line {
                    // Lines are only ever left out of events as directives.
                    if ev.line > next_line {
                        let gap = u32::try_from(ev.line - next_line).unwrap_or(u32::MAX);
                        directive_gaps.push((per_line.len() as u32, gap));
                    }
                    // (A record interleaved in a container's split line is an event of
                    // its own that starts inside the one before it.)
                    next_line = next_line.max(ev.line) + u64::from(ev.lines.max(1));
                }
                // Evidence shows the event from its first line with text.
                let (shown_line, shown_raw) = ev.shown();
                if let (Some((lo, hi)), Some(t)) = (self.time_range, ev.time) {
                    if t < lo || t >= hi {
                        sum.filtered_out += 1;
                        prev = Some((shown_line, ev.time, shown_raw));
                        prev_text = None;
                        return;
                    }
                }
                sum.time_dated += u64::from(ev.time_dated);
                let level = ev.level.or_else(|| guess_level(&ev.message));
                let slot = level_slot(level);
                self.masker.mask(&ev.message, &mut scratch);
                super::cap_sig(&mut scratch);
                // Signatures are nearly always valid UTF-8: check (fast) before converting lossily.
                let sig_str = match std::str::from_utf8(&scratch) {
                    Ok(s) => std::borrow::Cow::Borrowed(s),
                    Err(_) => String::from_utf8_lossy(&scratch),
                };
                let hash = sig_hash(sig_str.as_bytes());
                let mut made_text = None;
                let idx = match sum.find_sig(hash, &sig_str) {
                    Some(i) => i,
                    None if sum.sigs.len() < self.max_sigs => {
                        let (bound, below) =
                            self.saturated.map_or((None, u64::MAX), |s| s.lookup(hash));
                        examples_before.push(bound);
                        sample_below.push(below);
                        sum.push_sig(hash, SigStats::new(sig_str.into_owned()))
                    }
                    None => u32::MAX,
                };
                sum.events += 1;
                sum.levels[slot] += 1;
                if ev.invalid_utf8 {
                    sum.invalid_utf8 += 1;
                }
                if idx == u32::MAX {
                    sum.overflow.events += 1;
                    sum.overflow.levels[slot] += 1;
                } else {
                    let s = &mut sum.sigs[idx as usize];
                    s.count += 1;
                    s.levels[slot] += 1;
                    let key = (ev.time, &**source, shown_line);
                    // Built once when kept, shared (the text is reference-counted) when kept
                    // both among the first examples and in the sample.
                    // The level the event is counted at (guessed from its words when the
                    // log has none), so evidence picked by level matches the counts.
                    let lazy =
                        LazyExample::new(source, shown_line, ev.time, shown_raw).with_level(level);
                    let example = || lazy.get();
                    if before(key, &examples_before[idx as usize])
                        && offer_earliest(
                            &mut s.examples,
                            EXAMPLES_PER_SIG,
                            ev.time,
                            source,
                            shown_line,
                            example,
                        ) == Some(0)
                    {
                        s.before_first = prev.map(|(line, t, raw)| match &prev_text {
                            Some(text) => Example {
                                source: std::sync::Arc::clone(source),
                                line,
                                time: t,
                                text: std::sync::Arc::clone(text),
                                level: None,
                            },
                            None => Example::new(source, line, t, raw),
                        });
                    }
                    if self.full {
                        let rank = sample_rank(source_seed, shown_line);
                        // `<=`: an equal rank is settled by line inside `offer_sample`.
                        if rank <= sample_below[idx as usize] {
                            s.offer_sample(rank, shown_line, example);
                        }
                    }
                    made_text = lazy.made().map(|e| std::sync::Arc::clone(&e.text));
                    match ev.time {
                        Some(t) => {
                            s.first_time = Some(s.first_time.map_or(t, |f| f.min(t)));
                            s.last_time = Some(s.last_time.map_or(t, |l| l.max(t)));
                            if matches!(level, Some(Level::Error | Level::Fatal)) {
                                s.first_error = Some(s.first_error.map_or(t, |f| f.min(t)));
                            }
                        }
                        None => s.untimed += 1,
                    }
                }
                match ev.time {
                    Some(t) => {
                        chunk_timed = true;
                        sum.time_min = Some(sum.time_min.map_or(t, |m| m.min(t)));
                        sum.time_max = Some(sum.time_max.map_or(t, |m| m.max(t)));
                        if self.full {
                            timed.push((idx, slot as u8, t));
                        }
                    }
                    None => sum.untimed += 1,
                }
                if self.full {
                    sum.endpoints.observe(&ev, idx, level);
                    if let Some(t) = ev.time.filter(|_| !ev.fields.is_empty()) {
                        sum.versions.observe(source, t, shown_line, &ev.fields, || {
                            Example::new(source, shown_line, ev.time, shown_raw)
                        });
                    }
                }
                if self.per_line {
                    per_line.push(idx);
                    event_lines.push(ev.lines.max(1));
                }
                if sum.first_event.is_none() {
                    sum.first_event = Some(Example::new(source, shown_line, ev.time, shown_raw));
                }
                prev = Some((shown_line, ev.time, shown_raw));
                prev_text = made_text;
            },
        );
        if self.per_line {
            let placed: u64 = directive_gaps.iter().map(|&(_, n)| u64::from(n)).sum();
            if sum.directive_lines > placed {
                let rest = u32::try_from(sum.directive_lines - placed).unwrap_or(u32::MAX);
                directive_gaps.push((per_line.len() as u32, rest));
            }
        }
        if let Some((line, t, raw)) = prev {
            sum.tails.push(Example::new(source, line, t, raw));
        }
        let span = match (sum.time_min, sum.time_max) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        let res = series::resolution_for(span);
        sum.resolution_ms = res;
        if self.full {
            build_series(&mut sum, &timed, res);
            sum.endpoints.finish_chunk(res);
        }
        if chunk_timed {
            sum.timed_sources.insert(chunk.source.name.clone());
        }
        ChunkResult {
            summary: sum,
            per_line,
            event_lines,
            directive_gaps,
        }
    }
}

/// Fills the per-level, per-signature and overflow series from `(sig, level, time)` triples.
fn build_series(sum: &mut Summary, timed: &[(u32, u8, i64)], res: i64) {
    let is_error = |slot: u8| {
        usize::from(slot) == Level::Error.index() || usize::from(slot) == Level::Fatal.index()
    };
    // `Series::from_buckets` sorts its buckets, so only grouping matters here. The level
    // series straight from input order (nearly in time order: cheap to sort)...
    let mut level_buckets: Vec<Vec<i64>> = vec![Vec::new(); 7];
    for &(_, slot, t) in timed.iter() {
        level_buckets[usize::from(slot)].push(t.div_euclid(res));
    }
    for (slot, mut b) in level_buckets.into_iter().enumerate() {
        sum.level_series[slot] = series::Series::from_buckets(&mut b);
    }
    // ...and the signatures' by a counting sort on the signature (linear; the overflow's
    // `u32::MAX` as the last group), instead of sorting all the triples.
    let n = sum.sigs.len();
    let group = |sig: u32| if sig == u32::MAX { n } else { sig as usize };
    let mut starts = vec![0usize; n + 2];
    for &(sig, _, _) in timed.iter() {
        starts[group(sig) + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut next = starts.clone();
    let mut grouped: Vec<(u8, i64)> = vec![(0, 0); timed.len()];
    for &(sig, slot, t) in timed.iter() {
        let at = &mut next[group(sig)];
        grouped[*at] = (slot, t);
        *at += 1;
    }
    let mut buckets: Vec<i64> = Vec::new();
    let mut error_buckets: Vec<i64> = Vec::new();
    for g in 0..=n {
        let events = &grouped[starts[g]..starts[g + 1]];
        if events.is_empty() {
            continue;
        }
        buckets.clear();
        error_buckets.clear();
        for &(slot, t) in events {
            let b = t.div_euclid(res);
            buckets.push(b);
            if is_error(slot) {
                error_buckets.push(b);
            }
        }
        let s = series::Series::from_buckets(&mut buckets);
        // Errors apart only when not all the events are (`SigStats::errors_in`); the
        // overflow bucket keeps them always.
        if g == n {
            sum.overflow.series.merge(&s);
            let errors = series::Series::from_buckets(&mut error_buckets);
            sum.overflow.error_series.merge(&errors);
        } else {
            let st = &mut sum.sigs[g];
            if st.errors() < st.count && !error_buckets.is_empty() {
                st.error_series = series::Series::from_buckets(&mut error_buckets);
            }
            st.series = s;
        }
    }
}

/// Words that give an unleveled message a level, most severe first (lowercase; matched
/// anywhere in the first 512 bytes). Besides "error"/"failed"/"warn": the kernel's OOM killer
/// and segfaults, refused or unreachable connections and timeouts, uWSGI's HARAKIRI, which
/// syslog and plain-text programs log without any level word.
const LEVEL_WORDS: &[(&str, Level)] = &[
    ("fatal", Level::Fatal),
    ("panic", Level::Fatal),
    ("error", Level::Error),
    ("exception", Level::Error),
    ("traceback", Level::Error),
    ("failed", Level::Error),
    ("failure", Level::Error),
    ("out of memory", Level::Error),
    ("oom-kill", Level::Error),
    ("killed process", Level::Error),
    // uWSGI killing a worker stuck past its timeout.
    ("harakiri", Level::Error),
    ("segfault", Level::Error),
    ("core dumped", Level::Error),
    ("refused", Level::Error),
    ("unreachable", Level::Error),
    ("timed out", Level::Error),
    ("unable to", Level::Error),
    ("critical", Level::Error),
    // Heroku's `State changed from up to crashed`, Kubernetes' `CrashLoopBackOff` and
    // `OOMKilled` reasons.
    ("crashed", Level::Error),
    ("crashloopbackoff", Level::Error),
    ("oomkilled", Level::Error),
    ("warn", Level::Warn),
];

/// Phrasings of a process's exit status; a non-zero one is an error (`Process exited with
/// status 137`, Compose's `api-1 exited with code 1`, Go's `exit status 2`).
const EXIT_PHRASES: &[&str] = &[
    "exited with status ",
    "exited with code ",
    "exit status ",
    "exit code ",
    "exit code: ",
];

/// A level for events that carry none, from words in the message: cheap, and only a guess.
/// Looks at the first 512 bytes, ignoring ASCII case: the most severe of [`LEVEL_WORDS`]
/// found there, else an error for a non-zero exit status ([`EXIT_PHRASES`]).
///
/// One pass of one automaton over the bytes finds every word and phrase (it was a search per
/// word over a lowercased copy: some 5% of `templates`' time on logs without levels).
pub fn guess_level(msg: &[u8]) -> Option<Level> {
    let head = &msg[..msg.len().min(512)];
    let Some(ac) = level_words() else {
        return guess_level_by_search(head);
    };
    let mut best: Option<usize> = None;
    let mut bad_exit = false;
    for m in ac.find_overlapping_iter(head) {
        let i = m.pattern().as_usize();
        if i < LEVEL_WORDS.len() {
            best = Some(best.map_or(i, |b| b.min(i)));
            if i == 0 {
                break;
            }
        } else if !bad_exit {
            let digits = &head[m.end()..];
            let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
            bad_exit = digits[..n].iter().any(|&c| c != b'0');
        }
    }
    match best {
        Some(i) => Some(LEVEL_WORDS[i].1),
        None => bad_exit.then_some(Level::Error),
    }
}

/// [`LEVEL_WORDS`] then [`EXIT_PHRASES`] in one automaton, ignoring ASCII case, reporting
/// every occurrence of each.
fn level_words() -> Option<&'static aho_corasick::AhoCorasick> {
    use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
    static AC: std::sync::OnceLock<Option<AhoCorasick>> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // Every occurrence of every word: the most severe one present wins.
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(
                LEVEL_WORDS
                    .iter()
                    .map(|(w, _)| *w)
                    .chain(EXIT_PHRASES.iter().copied()),
            )
            .ok()
    })
    .as_ref()
}

/// [`guess_level`] by one search per word over a lowercased copy (should the automaton not
/// build; and the tests' reference).
fn guess_level_by_search(head: &[u8]) -> Option<Level> {
    let head = &head[..head.len().min(512)];
    let mut buf = [0u8; 512];
    let lower = &mut buf[..head.len()];
    for (d, s) in lower.iter_mut().zip(head) {
        *d = s.to_ascii_lowercase();
    }
    LEVEL_WORDS
        .iter()
        .find(|(w, _)| memchr::memmem::find(lower, w.as_bytes()).is_some())
        .map(|(_, l)| *l)
        .or_else(|| nonzero_exit(lower).then_some(Level::Error))
}

/// Whether `lower` reports a process exiting with a status other than 0.
fn nonzero_exit(lower: &[u8]) -> bool {
    if memchr::memmem::find(lower, b"exit").is_none() {
        return false;
    }
    EXIT_PHRASES.iter().any(|p| {
        memchr::memmem::find_iter(lower, p.as_bytes()).any(|at| {
            let digits = &lower[at + p.len()..];
            let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
            n > 0 && digits[..n].iter().any(|&c| c != b'0')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Chunk, SourceMeta};
    use crate::record::Format;

    fn chunk(name: &str, id: u32, first_line: u64, text: &str) -> Chunk {
        Chunk {
            source: std::sync::Arc::new(SourceMeta::new(
                id,
                name.to_string(),
                Format::Plain,
                true,
                b"",
            )),
            seq: 0,
            first_line,
            data: text.as_bytes().to_vec(),
            w3c: None,
            time_before: None,
            follow_times: false,
            dated_before: None,
        }
    }

    fn builder<'a>(
        masker: &'a Masker,
        parse: &'a ParseConfig,
        saturated: Option<&'a Saturated>,
    ) -> ChunkBuilder<'a> {
        ChunkBuilder {
            masker,
            parse,
            max_sigs: 100,
            per_line: false,
            time_range: None,
            saturated,
            full: true,
        }
    }

    #[test]
    fn examples_are_the_earliest_events_in_any_merge_order() {
        let (masker, parse) = (Masker::new(Vec::new()), ParseConfig::default());
        let saturated = Saturated::default();
        let b = builder(&masker, &parse, Some(&saturated));
        // Two files, and the second chunk of the first one: the error first happens in
        // b.log (10:00:05), after a deploy line; a.log has it later.
        let a1 = chunk(
            "a.log",
            0,
            1,
            "2026-11-27 10:00:01 INFO started\n2026-11-27 10:00:09 ERROR db down\n",
        );
        let a2 = chunk(
            "a.log",
            0,
            3,
            "2026-11-27 10:00:10 ERROR db down\n2026-11-27 10:00:11 ERROR db down\n",
        );
        let b1 = chunk(
            "b.log",
            1,
            1,
            "2026-11-27 10:00:04 INFO deploy v2\n2026-11-27 10:00:05 ERROR db down\n\
             2026-11-27 10:00:12 ERROR db down\n",
        );
        let merged = |order: &[&Chunk]| {
            let mut acc = Summary::default();
            for c in order {
                acc.merge(b.summarize(c).summary, 100);
            }
            let s = acc.sigs.iter().find(|s| s.sig.contains("db down")).cloned();
            s.map(|s| {
                let ex: Vec<(String, u64)> = s
                    .examples
                    .iter()
                    .map(|e| (e.source.to_string(), e.line))
                    .collect();
                let before = s.before_first.map(|e| e.text.to_string());
                (ex, before, s.count)
            })
        };
        let want = Some((
            vec![
                ("b.log".to_string(), 2),
                ("a.log".to_string(), 2),
                ("a.log".to_string(), 3),
            ],
            Some("2026-11-27 10:00:04 INFO deploy v2".to_string()),
            5,
        ));
        assert_eq!(merged(&[&a1, &a2, &b1]), want);
        assert_eq!(merged(&[&b1, &a1, &a2]), want);
        assert_eq!(merged(&[&a1, &b1, &a2]), want);
    }

    #[test]
    fn first_occurrence_at_a_chunk_start_follows_its_own_source() {
        let (masker, parse) = (Masker::new(Vec::new()), ParseConfig::default());
        let b = builder(&masker, &parse, None);
        // a.log's chunks arrive with b.log's between them (as `watch DIR` reads): the event
        // before the error's first occurrence is a.log's last line before it, not b.log's.
        let a1 = chunk("a.log", 0, 1, "2026-11-27 10:00:01 INFO config reloaded\n");
        let b1 = chunk("b.log", 1, 1, "2026-11-27 10:00:02 INFO tick\n");
        let a2 = chunk("a.log", 0, 2, "2026-11-27 10:00:03 ERROR disk full\n");
        let mut acc = Summary::default();
        for c in [&a1, &b1, &a2] {
            acc.merge(b.summarize(c).summary, 100);
        }
        let s = acc.sigs.iter().find(|s| s.sig.contains("disk full"));
        let before = s.and_then(|s| s.before_first.as_ref()).map(|e| &*e.text);
        assert_eq!(before, Some("2026-11-27 10:00:01 INFO config reloaded"));
    }

    /// Line `i` of a log of distinct long lines: an id and 150 words.
    fn long_line(i: usize) -> String {
        let words: Vec<String> = (0..150)
            .map(|w| format!("w{}x", (w * 7 + i) % 26))
            .collect();
        format!("2026-11-27 10:00:01 ERROR id{i}q {}\n", words.join(" "))
    }

    #[test]
    fn long_messages_are_cut_to_the_signature_cap() {
        let (masker, parse) = (Masker::new(Vec::new()), ParseConfig::default());
        let b = builder(&masker, &parse, None);
        // Two messages that agree in their first 3,000 bytes are one signature.
        let head = "alpha beta gamma ".repeat(200);
        let text = format!(
            "2026-11-27 10:00:01 ERROR {head}one\n2026-11-27 10:00:02 ERROR {head}two\n\
             2026-11-27 10:00:03 ERROR {}\n",
            "x".repeat(5_000)
        );
        let sum = b.summarize(&chunk("a.log", 0, 1, &text)).summary;
        assert_eq!(
            sum.sigs.len(),
            2,
            "{:?}",
            sum.sigs.iter().map(|s| s.sig.len()).collect::<Vec<_>>()
        );
        let cut = &sum.sigs[0];
        assert_eq!(cut.count, 2);
        assert!(
            cut.sig.len() <= crate::summary::MAX_SIG_BYTES,
            "{}",
            cut.sig.len()
        );
        assert!(cut.sig.len() > crate::summary::MAX_SIG_BYTES * 3 / 4);
        // Cut between words, and marked.
        assert!(
            cut.sig.ends_with(" gamma …")
                || cut.sig.ends_with(" beta …")
                || cut.sig.ends_with(" alpha …"),
            "{}",
            &cut.sig[cut.sig.len() - 20..]
        );
        // One word longer than the cap: cut inside it, at a character boundary.
        let word = &sum.sigs[1].sig;
        assert!(word.len() <= crate::summary::MAX_SIG_BYTES);
        assert!(word.ends_with("x …"));
        // Multi-byte characters are never cut in half.
        let mut v = "é".repeat(3_000).into_bytes();
        crate::summary::cap_sig(&mut v);
        let v = String::from_utf8(v).expect("valid UTF-8 after the cut");
        assert!(v.len() <= crate::summary::MAX_SIG_BYTES && v.ends_with("é …"));
    }

    #[test]
    fn the_signature_budget_bounds_what_is_kept_whatever_the_chunking() {
        let (masker, parse) = (Masker::new(Vec::new()), ParseConfig::default());
        let b = builder(&masker, &parse, None);
        let lines: Vec<String> = (0..40).map(long_line).collect();
        // Room for about 15 of them.
        let one = crate::summary::sig_cost(
            &b.summarize(&chunk("a.log", 0, 1, &lines[0])).summary.sigs[0].sig,
        );
        let budget = one * 15 + one / 2;
        let merged = |per_chunk: usize| {
            let mut acc = Summary::default();
            for (k, part) in lines.chunks(per_chunk).enumerate() {
                let c = chunk("a.log", 0, (k * per_chunk) as u64 + 1, &part.concat());
                acc.merge_within(b.summarize(&c).summary, 1_000, budget);
            }
            acc
        };
        let whole = merged(lines.len());
        assert_eq!(whole.sigs.len(), 15);
        assert!(whole.sig_bytes() <= budget);
        assert_eq!(whole.overflow.events, 25);
        assert_eq!(whole.events, 40);
        // The same signatures are kept however the input is chunked.
        for per_chunk in [1, 3, 7] {
            let m = merged(per_chunk);
            let sigs = |s: &Summary| s.sigs.iter().map(|x| x.sig.clone()).collect::<Vec<_>>();
            assert_eq!(sigs(&m), sigs(&whole), "{per_chunk} lines per chunk");
            assert_eq!(m.overflow.events, whole.overflow.events);
        }
        // The default merge keeps signatures within the default budget.
        let mut acc = Summary::default();
        acc.merge(whole.clone(), usize::MAX);
        assert_eq!(acc.sig_bytes(), whole.sig_bytes());
        assert!(acc.sig_bytes() <= crate::summary::DEFAULT_SIG_BUDGET);
        // The cost: twelve times the text, each word, and a fixed part.
        assert_eq!(crate::summary::sig_cost("a bc  d"), 12 * 7 + 32 * 3 + 512);
        for sig in ["", " ", "  a", "a  ", " a b ", "x", "é <NUM>\tz  "] {
            let words = sig.split(' ').filter(|w| !w.is_empty()).count() as u64;
            let want = 12 * sig.len() as u64 + 32 * words + 512;
            assert_eq!(crate::summary::sig_cost(sig), want, "{sig:?}");
        }
    }

    #[test]
    fn a_signatures_error_series_is_kept_apart_only_while_it_is_mixed() {
        let (masker, parse) = (Masker::new(Vec::new()), ParseConfig::default());
        let b = builder(&masker, &parse, None);
        // One message at two levels: errors in minutes 1-2 only (alone in some chunks), and a
        // message that is always an error (its series is its error series).
        let mut lines = Vec::new();
        for m in 0..4 {
            for s in 0..6 {
                let level = if (1..3).contains(&m) && s % 2 == 0 {
                    "ERROR"
                } else {
                    "INFO"
                };
                lines.push(format!(
                    "2026-01-01T00:{m:02}:{s:02}Z {level} request completed\n"
                ));
            }
            lines.push(format!("2026-01-01T00:{m:02}:30Z ERROR disk full\n"));
        }
        let merged = |per_chunk: usize| {
            let mut acc = Summary::default();
            for (k, part) in lines.chunks(per_chunk).enumerate() {
                let c = chunk("a.log", 0, (k * per_chunk) as u64 + 1, &part.concat());
                acc.merge(b.summarize(&c).summary, usize::MAX);
            }
            acc
        };
        let whole = merged(lines.len());
        let sig = |s: &Summary, text: &str| {
            s.sigs
                .iter()
                .find(|x| x.sig.contains(text))
                .cloned()
                .unwrap_or_else(|| panic!("no {text}"))
        };
        let mixed = sig(&whole, "request completed");
        // 2026-01-01T00:00:00Z in ms: the errors lie in minutes 1-2.
        let t0 = 1_767_225_600_000;
        let res = whole.resolution_ms;
        assert_eq!(mixed.errors_in().total(), 6);
        assert!(mixed
            .errors_in()
            .0
            .iter()
            .all(|&(b, _)| b * res >= t0 + 60_000 && b * res < t0 + 180_000));
        let full = sig(&whole, "disk full");
        assert!(full.error_series.is_empty());
        assert_eq!(full.errors_in(), &full.series);
        // Any chunking (all-error chunks of the mixed message included) gives the same.
        for per_chunk in [1, 2, 3, 5, 8] {
            let m = merged(per_chunk);
            m.sigs.iter().zip(&whole.sigs).for_each(|(a, w)| {
                assert_eq!(a.series, w.series, "{per_chunk}");
                assert_eq!(a.error_series, w.error_series, "{per_chunk}");
            });
        }
    }

    #[test]
    fn the_event_before_a_first_occurrence_shares_its_text() {
        // On a log of distinct lines every event is both an example and the event before the
        // next signature's first: its text is held once.
        let (masker, parse) = (Masker::new(Vec::new()), ParseConfig::default());
        let b = builder(&masker, &parse, None);
        let text =
            "2026-11-27 10:00:01 ERROR alpha failed\n2026-11-27 10:00:02 ERROR beta failed\n";
        let sum = b.summarize(&chunk("a.log", 0, 1, text)).summary;
        let (a, beta) = (&sum.sigs[0], &sum.sigs[1]);
        let before = beta.before_first.as_ref().expect("event before");
        assert_eq!(&*before.text, "2026-11-27 10:00:01 ERROR alpha failed");
        assert_eq!((before.line, before.level), (1, None));
        assert!(std::sync::Arc::ptr_eq(&before.text, &a.examples[0].text));
    }

    #[test]
    fn offer_earliest_keeps_the_earliest_untimed_last() {
        let ex = |t: Option<i64>, src: &str, line: u64| Example::named(src, line, t, b"x");
        let mut v = Vec::new();
        for (t, src, line) in [
            (None, "a", 1),
            (Some(5), "b", 9),
            (Some(5), "a", 20),
            (Some(7), "a", 2),
            (Some(3), "c", 4),
            (Some(5), "a", 20), // the same event again
        ] {
            crate::summary::offer_earliest(&mut v, 3, t, src, line, || ex(t, src, line));
        }
        let got: Vec<(Option<i64>, &str, u64)> = v.iter().map(|e| e.key()).collect();
        assert_eq!(
            got,
            vec![(Some(3), "c", 4), (Some(5), "a", 20), (Some(5), "b", 9)]
        );
        let mut u = Vec::new();
        for line in [9, 4, 6, 1] {
            crate::summary::offer_earliest(&mut u, 2, None, "a", line, || ex(None, "a", line));
        }
        assert_eq!(u.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 4]);
    }

    #[test]
    fn guesses_levels_from_words() {
        assert!(level_words().is_some());
        assert_eq!(guess_level(b"Connection FAILED to db"), Some(Level::Error));
        assert_eq!(
            guess_level(b"java.lang.NullPointerException"),
            Some(Level::Error)
        );
        assert_eq!(guess_level(b"Warning: disk almost full"), Some(Level::Warn));
        assert_eq!(guess_level(b"kernel panic"), Some(Level::Fatal));
        assert_eq!(guess_level(b"all good"), None);
        // Programs that log no level word at all.
        for msg in [
            "[33120.000] Out of memory: Killed process 4000 (java) total-vm:8123456kB",
            "app[311]: segfault at 0 ip 00007f sp 00007ffd error 4 in libc.so.6",
            "dial tcp 10.0.3.7:5432: connect: connection refused",
            "upstream timed out (110: Connection timed out) while reading response header",
            "Unable to open /var/lib/app/state.db",
        ] {
            assert_eq!(guess_level(msg.as_bytes()), Some(Level::Error), "{msg}");
        }
        assert_eq!(guess_level(b"Started Session 42 of user deploy."), None);
        // Crashes and exit statuses, as platforms report them.
        for msg in [
            "State changed from up to crashed",
            "Process exited with status 137",
            "api-1 exited with code 1",
            "Back-off 5m0s: CrashLoopBackOff",
            "Last State: Terminated, Reason: OOMKilled",
            "exit status 2",
        ] {
            assert_eq!(guess_level(msg.as_bytes()), Some(Level::Error), "{msg}");
        }
        for msg in [
            "Process exited with status 0",
            "api-1 exited with code 0",
            "exit code: ",
            "State changed from starting to up",
        ] {
            assert_eq!(guess_level(msg.as_bytes()), None, "{msg}");
        }
    }

    proptest::proptest! {
        /// The automaton finds what a search per word finds, on texts made of the words,
        /// exit phrases with and without a status, case changes and filler; longer than 512
        /// bytes too.
        #[test]
        fn one_pass_level_guess_agrees_with_a_search_per_word(
            parts in proptest::collection::vec(
                (0usize..40, "[0-9]{0,3}", "[a-zA-Z :.-]{0,12}", proptest::bool::ANY),
                0..12,
            ),
            pad in 0usize..600,
        ) {
            let mut text = "x".repeat(pad % 3 * 250);
            for (pick, digits, filler, upper) in parts {
                let word = LEVEL_WORDS
                    .iter()
                    .map(|(w, _)| *w)
                    .chain(EXIT_PHRASES.iter().copied())
                    .nth(pick)
                    .unwrap_or("exite");
                let word = if upper { word.to_ascii_uppercase() } else { word.to_string() };
                text.push_str(&word);
                text.push_str(&digits);
                text.push_str(&filler);
            }
            proptest::prop_assert_eq!(
                guess_level(text.as_bytes()),
                guess_level_by_search(text.as_bytes()),
                "{}", text
            );
        }
    }
}
