//! The watcher: owns the full mergeable [`Summary`] (for the final report and snapshot) and
//! the live detection core, and turns each line-aligned [`Chunk`] into both.
//!
//! Per chunk: `summary::ChunkBuilder` builds the chunk's partial summary exactly as the batch
//! commands do (with each event's signature index), it is merged in arrival order, then the
//! chunk is parsed once more (parsing is cheap next to masking) to hand each event's time,
//! level and HTTP fields with its global signature index to [`Live`]. Templates are clustered
//! over the summary's distinct signatures when live detection meets signatures it has no
//! template for; with many signatures, at most every couple of seconds, with provisional
//! one-signature templates in between (their state moves when they join a cluster).

use std::time::{Duration, Instant};

use rustc_hash::{FxHashMap, FxHashSet};

use super::clock::EventClock;
use super::live::{Alert, Live, Obs, TemplateMap, TplInfo};
use crate::input::{Chunk, InputStats, SourceStats};
use crate::mine::{template_id, ClusterConfig, Masker};
use crate::record::{parse_chunk, Event, ParseConfig};
use crate::summary::templates::finalize;
use crate::summary::{ChunkBuilder, Summary, EXAMPLES_PER_SIG};

/// Most time-series entries (bucket, count) the summary may hold, about 16 bytes each.
///
/// The batch summary keeps up to 2,000 buckets per signature; on an endless stream with many
/// distinct signatures that grows for as long as new buckets fill. Past this budget the
/// summary's buckets are coarsened to the next width on the ladder (exact, like a merge),
/// so memory stays flat; the final report then uses coarser buckets than a batch run would
/// (a note says so). Realistic streams stay far below it (a generated day of four services:
/// under 50,000 entries).
pub const SERIES_BUDGET: usize = 1_000_000;

/// Coarsens `sum` while it holds more than `budget` series entries; returns the new bucket
/// width when it did.
pub fn enforce_series_budget(sum: &mut Summary, budget: usize) -> Option<i64> {
    let entries = |s: &Summary| {
        s.sigs
            .iter()
            .map(|x| x.series.0.len() + x.error_series.0.len())
            .sum::<usize>()
            + s.level_series.iter().map(|x| x.0.len()).sum::<usize>()
            + s.overflow.series.0.len()
            + s.overflow.error_series.0.len()
    };
    let mut changed = None;
    while entries(sum) > budget {
        let next = crate::summary::series::LADDER_MS
            .iter()
            .copied()
            .find(|&w| w > sum.resolution_ms)?;
        sum.rebucket(next);
        changed = Some(next);
    }
    changed
}

/// What a baseline says is already known.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    pub sigs: FxHashSet<String>,
    pub template_ids: FxHashSet<String>,
    /// Time span the baseline covers (ms): counts as time already watched.
    pub span_ms: i64,
    /// Warn-or-worse events per millisecond of each template, and all events per ms: the
    /// normal rates live detection starts from (so spikes need no warm-up either).
    pub template_rates: FxHashMap<String, f64>,
    pub total_rate: f64,
}

impl Baseline {
    pub fn from_summary(sum: &Summary, cluster: &ClusterConfig) -> Baseline {
        let templates = finalize(sum, cluster);
        let span_ms = match (sum.time_min, sum.time_max) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        let per_ms = |n: u64| {
            if span_ms > 0 {
                n as f64 / span_ms as f64
            } else {
                0.0
            }
        };
        Baseline {
            sigs: sum.sigs.iter().map(|s| s.sig.clone()).collect(),
            template_ids: templates.list.iter().map(|t| t.id.clone()).collect(),
            span_ms,
            template_rates: templates
                .list
                .iter()
                .filter(|t| t.warn_or_worse() > 0)
                .map(|t| (t.id.clone(), per_ms(t.warn_or_worse())))
                .collect(),
            total_rate: per_ms(sum.events - sum.untimed),
        }
    }
}

/// Re-clustering with this many signatures or more happens at most every [`RECLUSTER_EVERY`]
/// of wall-clock time (a fast replay closes many buckets per second).
const THROTTLE_SIGS: usize = 2_000;
const RECLUSTER_EVERY: Duration = Duration::from_secs(1);

struct Mapper {
    cluster: ClusterConfig,
    baseline: Option<Baseline>,
    map: TemplateMap,
    last: Option<Instant>,
}

impl Mapper {
    fn map(&mut self, sum: &Summary) -> TemplateMap {
        let throttled = sum.sigs.len() >= THROTTLE_SIGS
            && self.last.is_some_and(|l| l.elapsed() < RECLUSTER_EVERY);
        if throttled {
            // Provisional: the last clustering, plus one template per new signature.
            for s in self.map.by_sig.len()..sum.sigs.len() {
                let sig = &sum.sigs[s];
                let known = self
                    .baseline
                    .as_ref()
                    .is_some_and(|b| b.sigs.contains(&sig.sig));
                self.map.by_sig.push(self.map.list.len() as u32);
                self.map.list.push(TplInfo {
                    id: template_id(&sig.sig),
                    text: sig.sig.clone(),
                    first_time: sig.first_time,
                    known,
                    provisional: true,
                    count: sig.count,
                    level: sig.max_level(),
                });
            }
            return self.map.clone();
        }
        let t = finalize(sum, &self.cluster);
        let list = t
            .list
            .iter()
            .map(|tpl| {
                let known = self.baseline.as_ref().is_some_and(|b| {
                    b.template_ids.contains(&tpl.id)
                        || tpl
                            .sigs
                            .iter()
                            .any(|&s| b.sigs.contains(&sum.sigs[s as usize].sig))
                });
                TplInfo {
                    id: tpl.id.clone(),
                    text: tpl.text.clone(),
                    first_time: tpl.first_time,
                    known,
                    provisional: false,
                    count: tpl.count,
                    level: tpl.max_level(),
                }
            })
            .collect();
        self.map = TemplateMap {
            by_sig: t.by_sig,
            list,
        };
        self.last = Some(Instant::now());
        self.map.clone()
    }
}

/// See the module doc.
pub struct Watcher {
    pub summary: Summary,
    masker: Masker,
    parse: ParseConfig,
    max_sigs: usize,
    live: Live,
    clock: EventClock,
    mapper: Mapper,
    /// Per source name: bytes and lines read (in order of first appearance).
    sources: Vec<SourceStats>,
    /// Index of each source in `sources` by name (an archive of 100,000 members is 100,000
    /// sources: found by a linear search per chunk, the watch was quadratic).
    source_at: std::collections::HashMap<String, usize>,
    /// Chunks since the series budget was last checked.
    since_budget_check: u32,
    /// Set when the series budget coarsened the summary: the bucket width.
    pub coarsened: Option<i64>,
    pub series_budget: usize,
    /// Buckets after this event time stay open: files read side by side have not all come
    /// this far ([`Feed::Hold`](super::source::Feed::Hold)).
    pub hold: Option<i64>,
    pairs: LivePairs,
}

/// Two-part requests for live detection (Rails' `Started GET "/x"` … `Completed 500 …`): the
/// stream arrives in order, so a completion takes the method and path of the latest start
/// with its request id, as the endpoint table pairs them (see `endpoints::Pairing`), within
/// as many events. Bounded: starts older than the window are dropped.
#[derive(Default)]
struct LivePairs {
    seen: u64,
    starts: FxHashMap<u64, (Vec<u8>, Vec<u8>, u64)>,
}

impl LivePairs {
    /// Notes `ev`; for a completion whose start is known, its method and path.
    fn note(&mut self, ev: &Event<'_>) -> Option<(Vec<u8>, Vec<u8>)> {
        use crate::endpoints::PAIR_WINDOW;
        use crate::endpoints::{half_of, trace_hash, upstream::normalize_upstream, Half};
        let ord = self.seen;
        self.seen += 1;
        let trace = trace_hash(ev)?;
        let upstream = ev.http.upstream.as_deref().and_then(normalize_upstream);
        match half_of(ev, Some(trace), upstream.as_deref())? {
            Half::Start(h) => {
                let (m, p) = (ev.http.method.as_deref()?, ev.http.path.as_deref()?);
                match self.starts.get_mut(&h) {
                    // (Structured logs may repeat the request's method and path on each line.)
                    Some(s) if s.0 == m && s.1 == p => s.2 = ord,
                    _ => {
                        self.starts.insert(h, (m.to_vec(), p.to_vec(), ord));
                    }
                }
                if self.starts.len() > 2 * PAIR_WINDOW as usize {
                    self.starts.retain(|_, s| s.2 + PAIR_WINDOW > ord);
                }
                None
            }
            Half::Completion(h) => {
                let (m, p, at) = self.starts.remove(&h)?;
                (ord - at <= PAIR_WINDOW).then_some((m, p))
            }
        }
    }
}

impl Watcher {
    pub fn new(
        live: Live,
        masker: Masker,
        parse: ParseConfig,
        max_sigs: usize,
        cluster: ClusterConfig,
        baseline: Option<Baseline>,
    ) -> Watcher {
        let mut live = live;
        if let Some(b) = baseline.as_ref().filter(|b| b.span_ms > 0) {
            live.seed(b.span_ms, b.total_rate, b.template_rates.clone());
        }
        Watcher {
            summary: Summary::default(),
            masker,
            parse,
            max_sigs,
            live,
            clock: EventClock::default(),
            mapper: Mapper {
                cluster,
                baseline,
                map: TemplateMap::default(),
                last: None,
            },
            sources: Vec::new(),
            source_at: std::collections::HashMap::new(),
            since_budget_check: 0,
            coarsened: None,
            series_budget: SERIES_BUDGET,
            hold: None,
            pairs: LivePairs::default(),
        }
    }

    pub fn live(&self) -> &Live {
        &self.live
    }

    pub fn cluster_config(&self) -> &ClusterConfig {
        &self.mapper.cluster
    }

    /// Summarizes one chunk that arrived at wall-clock `wall` and counts its events live.
    pub fn push_chunk(&mut self, chunk: &Chunk, wall: Instant) {
        let builder = ChunkBuilder {
            masker: &self.masker,
            parse: &self.parse,
            max_sigs: self.max_sigs,
            per_line: true,
            // Every event counts live; a time filter would also break the per-event
            // alignment with the second parse below.
            time_range: None,
            saturated: None,
            full: true,
        };
        let r = builder.summarize(chunk);
        let chunk_max = r.summary.time_max;
        let remap = self.summary.merge(r.summary, self.max_sigs);
        self.since_budget_check += 1;
        if self.since_budget_check >= 8 {
            self.since_budget_check = 0;
            if let Some(w) = enforce_series_budget(&mut self.summary, self.series_budget) {
                self.coarsened = Some(w);
            }
        }
        let untimed_at = {
            self.clock.arrived(chunk_max, wall);
            self.clock.now(wall)
        };
        let live = &mut self.live;
        let pairs = &mut self.pairs;
        let source = chunk.source.name.as_str();
        let view = chunk.source.format.as_str();
        let per_line = &r.per_line;
        let mut i = 0usize;
        // An event without a time of its own is placed at the time of the timed event before
        // it in the chunk (where it stands in the stream), or at the clock for the chunk's
        // leading ones (a line arriving alone after a stall).
        let mut last_time: Option<i64> = None;
        parse_chunk(
            &chunk.data,
            chunk.first_line,
            chunk.source.format,
            chunk.w3c.as_deref(),
            &chunk.parse_config(&self.parse),
            &mut |ev: Event<'_>| {
                let local = per_line.get(i).copied().unwrap_or(u32::MAX);
                i += 1;
                let sig = if local == u32::MAX {
                    u32::MAX
                } else {
                    remap.get(local as usize).copied().unwrap_or(u32::MAX)
                };
                last_time = ev.time.or(last_time);
                let at = last_time.unwrap_or(untimed_at);
                let paired = pairs.note(&ev);
                let mut obs = Obs::from_event(&ev, source, view, sig, at);
                if let Some((m, p)) = &paired {
                    obs.method = Some(m);
                    obs.path = Some(p);
                }
                live.observe(&obs);
            },
        );
        let lines = chunk.data.iter().filter(|&&b| b == b'\n').count() as u64
            + u64::from(!chunk.data.is_empty() && !chunk.data.ends_with(b"\n"));
        self.count_source(
            &chunk.source.name,
            chunk.source.format,
            chunk.data.len() as u64,
            lines,
        );
        self.tick(wall);
    }

    fn count_source(&mut self, name: &str, format: crate::record::Format, bytes: u64, lines: u64) {
        match self.source_at.get(name) {
            Some(&i) => {
                let s = &mut self.sources[i];
                s.bytes += bytes;
                s.lines += lines;
            }
            None => {
                self.source_at.insert(name.to_string(), self.sources.len());
                self.sources.push(SourceStats {
                    name: name.to_string(),
                    format,
                    bytes,
                    lines,
                });
            }
        }
    }

    /// Closes the buckets the clock has passed (the clock moves on with the wall clock while
    /// input is stalled).
    pub fn tick(&mut self, wall: Instant) {
        let now = self.clock.now(wall);
        let now = self.hold.map_or(now, |h| now.min(h));
        let (live, mapper, summary) = (&mut self.live, &mut self.mapper, &self.summary);
        live.tick(now, &mut || mapper.map(summary));
    }

    /// End of input: closes every bucket and completes the summary's input statistics with
    /// what the readers report (`extra`: sources read whole, notices).
    pub fn finish(&mut self, extra: InputStats) {
        let (live, mapper, summary) = (&mut self.live, &mut self.mapper, &self.summary);
        live.finish(&mut || mapper.map(summary));
        let mut input = InputStats {
            bytes: self.sources.iter().map(|s| s.bytes).sum(),
            sources: std::mem::take(&mut self.sources),
            ..InputStats::default()
        };
        // Sources read whole by the batch reader are reported by it, with their notices
        // (found through the index of the sources counted live).
        let mut at = std::mem::take(&mut self.source_at);
        for s in extra.sources {
            match at.get(&s.name) {
                Some(&i) => input.sources[i] = s,
                None => {
                    at.insert(s.name.clone(), input.sources.len());
                    input.sources.push(s);
                }
            }
        }
        input.bytes = input.sources.iter().map(|s| s.bytes).sum();
        input.notices = extra.notices;
        input.truncated_lines = extra.truncated_lines;
        self.summary.input = input;
    }

    /// The change a new error first seen at `first` followed, as [`crate::detect::newerr`]
    /// names it in a batch finding: the closest one-off change line (its example from the
    /// summary) or version field's new value within 15 minutes before it, one in the log of
    /// the alert's earliest example first; on the same event, the version.
    fn lead(&self, f: &crate::detect::Finding, first: i64) -> Option<String> {
        use crate::detect::newerr::{best_lead, one_off_lead, version_leads, CHANGE_LOOKBACK_MS};
        let first_log = f
            .examples
            .iter()
            .min_by(|x, y| crate::summary::example_order(x.key(), y.key()))
            .map(|e| std::sync::Arc::clone(&e.source));
        let same_log =
            |e: &crate::summary::Example| first_log.as_ref().is_some_and(|s| *s == e.source);
        let map = &self.mapper.map;
        let mut leads: Vec<(bool, i64, bool, String)> = Vec::new();
        for (ft, id) in self.live.changes() {
            if *ft > first || first - ft > CHANGE_LOOKBACK_MS {
                continue;
            }
            let Some(ti) = map.list.iter().position(|t| t.id == *id) else {
                continue;
            };
            let e = self
                .template_sigs(ti)
                .flat_map(|sig| sig.examples.iter())
                .min_by(|x, y| crate::summary::example_order(x.key(), y.key()));
            let Some(e) = e else {
                continue;
            };
            let before = f.before_first.as_ref();
            if before.is_some_and(|b| b.line == e.line && b.source == e.source) {
                continue;
            }
            leads.push((same_log(e), *ft, false, one_off_lead(first, *ft, e)));
        }
        for (same, ft, note) in version_leads(&self.summary.versions, None, first, same_log) {
            leads.push((same, ft, true, note));
        }
        best_lead(leads)
    }

    /// The summary's signatures that make up template `ti` of the current map.
    fn template_sigs(&self, ti: usize) -> impl Iterator<Item = &crate::summary::SigStats> {
        self.mapper
            .map
            .by_sig
            .iter()
            .enumerate()
            .filter(move |&(_, &t)| t as usize == ti)
            .filter_map(|(s, _)| self.summary.sigs.get(s))
    }

    /// Alerts detected so far, with examples attached from the summary.
    pub fn take_alerts(&mut self) -> Vec<Alert> {
        let mut alerts = self.live.take_alerts();
        for a in &mut alerts {
            let Some(id) = a.finding.template_id.clone() else {
                continue;
            };
            let map = &self.mapper.map;
            let Some(ti) = map.list.iter().position(|t| t.id == id) else {
                continue;
            };
            let mut examples = Vec::new();
            let mut before_first = None;
            let mut first: Option<i64> = None;
            for sig in self.template_sigs(ti) {
                examples.extend(sig.examples.iter().cloned());
                if sig
                    .first_time
                    .is_some_and(|ft| first.is_none_or(|f| ft < f))
                {
                    first = sig.first_time;
                    before_first = sig.before_first.clone();
                }
            }
            examples.sort_by_key(|e| (e.time.is_none(), e.time));
            examples.truncate(EXAMPLES_PER_SIG);
            // Evidence from inside the window comes from live detection; the summary's
            // (earliest) examples only stand in when there is none.
            if a.finding.examples.is_empty() {
                a.finding.examples = examples;
            }
            // A generic stack trace's title names its exception, as in batch findings.
            if let Some(tpl) = a.finding.template.as_deref() {
                if let Some(label) = crate::report::exception_label(tpl, &a.finding.examples) {
                    a.finding.title = a.finding.title.replacen(tpl, &label, 1);
                }
            }
            if a.finding.kind == crate::detect::FindingKind::NewError {
                a.finding.before_first = before_first;
                // The change it followed, as the batch finding names it.
                if let Some(note) = first.and_then(|first| self.lead(&a.finding, first)) {
                    a.finding.notes.push(note);
                }
            }
        }
        alerts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{Series, SigStats};

    #[test]
    fn series_budget_coarsens_exactly() {
        let mut sum = Summary::default();
        for i in 0..10 {
            sum.sigs.push(SigStats {
                sig: format!("sig {i}"),
                count: 100,
                levels: [0, 0, 100, 0, 0, 0, 0],
                first_time: Some(0),
                last_time: Some(99_000),
                first_error: None,
                error_series: Series::default(),
                series: Series((0..100).map(|b| (b, 1)).collect()),
                untimed: 0,
                examples: Vec::new(),
                before_first: None,
                samples: Vec::new(),
            });
        }
        assert_eq!(enforce_series_budget(&mut sum, 5_000), None);
        // 1,000 one-second buckets > 300: coarsened until it fits (10 s: 100 entries).
        assert_eq!(enforce_series_budget(&mut sum, 300), Some(10_000));
        assert_eq!(sum.resolution_ms, 10_000);
        assert!(sum
            .sigs
            .iter()
            .all(|s| s.series.total() == 100 && s.series.0.len() == 10));
    }
}
