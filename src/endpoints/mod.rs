//! Per-route and per-upstream request statistics: the endpoint part of the mergeable
//! [`Summary`](crate::summary::Summary).
//!
//! In: every parsed [`Event`] (on worker threads, via [`EndpointTable::observe`]) with its
//! signature index and level. Events with an HTTP path are requests: they are counted under
//! their *route* (method + stage-1 normalized path, see [`route`]); events naming an external
//! host (`http.upstream`, or a message like `Call to api.x.com timed out`, see [`upstream`])
//! are counted under that *upstream*. Error events without a path are linked to a route when
//! they share a trace/request id with a request event (bounded map, see [`TraceLinks`]).
//!
//! Out: [`EndpointTable`], which merges in input order like the rest of the summary and
//! serializes into snapshots. [`view::finalize`] turns a merged table into the report-ready
//! [`view::EndpointReport`] (stage-2 route collapsing, percentiles, contrasts), and
//! `detect::endpoints` turns that into findings.
//!
//! Memory is bounded: at most [`MAX_ROUTES`] routes and [`MAX_UPSTREAMS`] upstreams (the
//! rest are counted under one overflow entry), a few examples, at most [`MAX_SIGS_PER_ROUTE`]
//! signatures and [`MAX_FIELD_KEYS`] × [`MAX_FIELD_VALUES`] field values per route. A latency
//! histogram exists only for routes that have latencies.

pub mod latency;
pub mod route;
pub mod upstream;
pub mod view;

use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::record::{Event, Format, Level};
use crate::summary::{
    max_opt, merge_samples, min_opt, offer_sample, sample_rank, sig_hash, Example, LazyExample,
    Sample, Series,
};
use latency::{bin_of, ms_to_us, Latency, LatencyBins};
use upstream::{normalize_upstream, scan_message, Mention, Outcome};

/// Most distinct routes (method + stage-1 route) kept; later new ones count under
/// [`OVERFLOW_PATH`].
pub const MAX_ROUTES: usize = 20_000;
/// Most distinct upstream hosts kept.
pub const MAX_UPSTREAMS: usize = 2_000;
/// Route path (method `*`) that collects requests beyond the route cap.
pub const OVERFLOW_PATH: &str = "(other routes)";
/// Upstream host that collects calls beyond the upstream cap.
pub const OVERFLOW_HOST: &str = "(other hosts)";
/// Examples kept per route or upstream, and failing examples kept besides.
pub const EXAMPLES: usize = 3;
/// Error signatures kept per route.
pub const MAX_SIGS_PER_ROUTE: usize = 32;
/// Field keys tracked per route for the failing-vs-working contrast.
pub const MAX_FIELD_KEYS: usize = 12;
/// Distinct values tracked per field key; more go to the key's `other` count.
pub const MAX_FIELD_VALUES: usize = 24;
/// Longest field value tracked (longer values are ids or free text, not categories).
pub const MAX_FIELD_VALUE_BYTES: usize = 80;
/// Trace ids remembered for linking (per table; the oldest generation is dropped when full).
pub const MAX_TRACES: usize = 100_000;
/// Error events waiting for a request with their trace id.
pub const MAX_ORPHANS: usize = 20_000;
/// How many events after its start a request's completion may come and still be paired
/// with it (see [`Pairing`]).
pub const PAIR_WINDOW: u64 = 10_000;
/// Marks a route index as one of [`Pairing::pending`]'s (a completion counted on its own).
const PENDING_BIT: u32 = 1 << 31;

/// Counts by status class: `[no status, 1xx, 2xx, 3xx, 4xx, 5xx]`.
pub type StatusClasses = [u64; 6];

fn class_slot(status: Option<u16>) -> usize {
    match status {
        Some(s @ 100..=599) => (s / 100) as usize,
        _ => 0,
    }
}

/// Requests of a route (or calls of an upstream) with one value of one field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCounts {
    pub value: String,
    pub total: u64,
    /// Failing (5xx, or error level without a status).
    pub failed: u64,
    /// 4xx.
    pub client_errors: u64,
}

impl ValueCounts {
    fn add(&mut self, o: &ValueCounts) {
        self.total += o.total;
        self.failed += o.failed;
        self.client_errors += o.client_errors;
    }
}

/// Bounded value counters of one field key on one route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCounts {
    pub key: String,
    /// In order of first appearance.
    pub values: Vec<ValueCounts>,
    /// Requests whose value did not fit under [`MAX_FIELD_VALUES`].
    pub other: ValueCounts,
}

impl FieldCounts {
    fn bump(&mut self, value: &[u8], failed: bool, client: bool) {
        let slot = match self.values.iter().position(|v| v.value.as_bytes() == value) {
            Some(i) => &mut self.values[i],
            None if self.values.len() < MAX_FIELD_VALUES => {
                if self.values.capacity() == 0 {
                    // Most routes of a chunk of many distinct paths see one value.
                    self.values.reserve_exact(1);
                }
                self.values.push(ValueCounts {
                    value: String::from_utf8_lossy(value).into_owned(),
                    ..Default::default()
                });
                let n = self.values.len();
                &mut self.values[n - 1]
            }
            None => &mut self.other,
        };
        slot.total += 1;
        slot.failed += failed as u64;
        slot.client_errors += client as u64;
    }

    fn merge(&mut self, o: &FieldCounts) {
        for v in &o.values {
            match self.values.iter().position(|x| x.value == v.value) {
                Some(i) => self.values[i].add(v),
                None if self.values.len() < MAX_FIELD_VALUES => self.values.push(v.clone()),
                None => self.other.add(v),
            }
        }
        self.other.add(&o.other);
    }
}

/// Everything known about one route (method + stage-1 path).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteStats {
    /// `GET`, `POST`, ...; `-` when the log has no method; `*` for the overflow entry.
    pub method: String,
    /// Stage-1 route (see [`route::normalize_path`]).
    pub path: String,
    /// The kind of log the requests were counted from (`access`, `json`, `logfmt`...). The
    /// same traffic logged by the proxy, the router and the app is one route per view, so
    /// reports can show it once instead of adding the views up.
    #[serde(default)]
    pub view: String,
    pub requests: u64,
    pub classes: StatusClasses,
    /// `(status, count)`, sorted by status.
    pub statuses: Vec<(u16, u64)>,
    /// 5xx, or level error/fatal without a status.
    pub failed: u64,
    /// 4xx.
    pub client_errors: u64,
    /// Requests answered 504 or 408 (timeouts at this hop or behind it).
    pub timeouts: u64,
    /// All requests' latencies.
    pub latency: Latency,
    /// Successful requests' latencies per time bucket (for latency-regression onsets).
    pub lat_bins: LatencyBins,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub untimed: u64,
    /// Requests, failing requests and 4xx per bucket (the summary's resolution).
    pub series: Series,
    pub fail_series: Series,
    pub client_series: Series,
    /// Earliest requests, earliest failing requests, earliest 4xx (see `summary::example_order`).
    pub examples: Vec<Example>,
    pub fail_examples: Vec<Example>,
    /// A uniform sample of the failing requests (smallest [`crate::summary::sample_rank`]),
    /// so a route that fails late has evidence from inside the failure.
    #[serde(default)]
    pub fail_samples: Vec<Sample>,
    #[serde(default)]
    pub client_examples: Vec<Example>,
    /// A uniform sample of the 4xx requests, as `fail_samples` is of the failing ones.
    #[serde(default)]
    pub client_samples: Vec<Sample>,
    /// Successful timed requests by latency: [`PER_BAND`] per latency octave
    /// ([`offer_by_latency`]), so a latency regression shows its slow requests, not the
    /// route's first ones.
    #[serde(default)]
    pub latency_samples: Vec<LatencySample>,
    /// Warn-or-worse signatures linked to this route: `(signature index, events)`.
    pub sigs: Vec<(u32, u64)>,
    /// Linked events whose signature did not fit (cap, or signature overflow).
    pub other_sig_events: u64,
    /// Warn-or-worse events naming this route that are not request records (no status, no
    /// latency), e.g. nginx error-log lines.
    pub linked_events: u64,
    /// Field value counters for the failing-vs-working contrast.
    pub fields: Vec<FieldCounts>,
}

impl RouteStats {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn add_sig(&mut self, sig: u32, n: u64) {
        if sig == u32::MAX {
            self.other_sig_events += n;
            return;
        }
        if let Some((_, c)) = self.sigs.iter_mut().find(|(s, _)| *s == sig) {
            *c += n;
        } else if self.sigs.len() < MAX_SIGS_PER_ROUTE {
            self.sigs.push((sig, n));
        } else {
            self.other_sig_events += n;
        }
    }

    fn add_status(&mut self, status: u16) {
        match self.statuses.binary_search_by_key(&status, |&(s, _)| s) {
            Ok(i) => self.statuses[i].1 += 1,
            Err(i) => self.statuses.insert(i, (status, 1)),
        }
    }

    fn field(&mut self, key: &[u8]) -> Option<&mut FieldCounts> {
        match self.fields.iter().position(|f| f.key.as_bytes() == key) {
            Some(i) => Some(&mut self.fields[i]),
            None if self.fields.len() < MAX_FIELD_KEYS => {
                if self.fields.capacity() == 0 {
                    self.fields.reserve_exact(1);
                }
                self.fields.push(FieldCounts {
                    key: String::from_utf8_lossy(key).into_owned(),
                    ..Default::default()
                });
                self.fields.last_mut()
            }
            None => None,
        }
    }

    /// Adds `o`; its signature indexes go through `sig_remap` (`None`: same index space).
    pub fn merge(&mut self, o: &RouteStats, sig_remap: Option<&[u32]>) {
        self.requests += o.requests;
        for (a, b) in self.classes.iter_mut().zip(o.classes) {
            *a += b;
        }
        for &(s, c) in &o.statuses {
            match self.statuses.binary_search_by_key(&s, |&(x, _)| x) {
                Ok(i) => self.statuses[i].1 += c,
                Err(i) => self.statuses.insert(i, (s, c)),
            }
        }
        self.failed += o.failed;
        self.client_errors += o.client_errors;
        self.timeouts += o.timeouts;
        self.latency.merge(&o.latency);
        self.lat_bins.merge(&o.lat_bins);
        self.first_time = min_opt(self.first_time, o.first_time);
        self.last_time = max_opt(self.last_time, o.last_time);
        self.untimed += o.untimed;
        self.series.merge(&o.series);
        self.fail_series.merge(&o.fail_series);
        self.client_series.merge(&o.client_series);
        fill(&mut self.examples, &o.examples);
        fill(&mut self.fail_examples, &o.fail_examples);
        merge_samples(&mut self.fail_samples, &o.fail_samples);
        fill(&mut self.client_examples, &o.client_examples);
        merge_samples(&mut self.client_samples, &o.client_samples);
        for x in &o.latency_samples {
            let s = &x.sample;
            offer_by_latency(
                &mut self.latency_samples,
                x.us,
                s.rank,
                s.example.line,
                || s.example.clone(),
            );
        }
        for &(s, c) in &o.sigs {
            let s = remap_sig(s, sig_remap);
            self.add_sig(s, c);
        }
        self.other_sig_events += o.other_sig_events;
        self.linked_events += o.linked_events;
        for f in &o.fields {
            match self.fields.iter().position(|x| x.key == f.key) {
                Some(i) => self.fields[i].merge(f),
                None if self.fields.len() < MAX_FIELD_KEYS => self.fields.push(f.clone()),
                None => {}
            }
        }
    }

    fn rebucket(&mut self, from: i64, to: i64) {
        self.series.rebucket(from, to);
        self.fail_series.rebucket(from, to);
        self.client_series.rebucket(from, to);
        self.lat_bins.rebucket(from, to);
    }

    /// Makes a route taken whole from another table this table's: the name `created` got
    /// here, and signature indexes through `sig_remap`. Equal to merging into `created`.
    fn adopt(&mut self, created: RouteStats, sig_remap: &[u32]) {
        self.method = created.method;
        self.path = created.path;
        self.view = created.view;
        self.remap_sigs(sig_remap);
    }

    /// Renames the linked signatures into the merged summary's (`sig_remap`).
    fn remap_sigs(&mut self, sig_remap: &[u32]) {
        for (s, c) in std::mem::take(&mut self.sigs) {
            self.add_sig(remap_sig(s, Some(sig_remap)), c);
        }
    }
}

fn remap_sig(s: u32, remap: Option<&[u32]>) -> u32 {
    match remap {
        _ if s == u32::MAX => u32::MAX,
        None => s,
        Some(r) => r.get(s as usize).copied().unwrap_or(u32::MAX),
    }
}

/// A request kept as latency evidence, with its latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencySample {
    /// Latency in microseconds.
    pub us: u64,
    pub sample: Sample,
}

/// The latency band of `us`: one per doubling, from about a millisecond (0 below it).
pub fn octave(us: u64) -> u32 {
    u64::BITS - (us >> 10).leading_zeros()
}

/// Requests kept per latency band in [`RouteStats::latency_samples`].
pub const PER_BAND: usize = 2;

/// Offers a request of latency `us` to `v`, which keeps per latency octave the [`PER_BAND`]
/// requests with the smallest sample rank (`summary::sample_rank`): a uniform sample of the
/// requests at every latency the route has seen, sorted by band. Whatever the outliers, the
/// kept requests above a regression's normal p99, in the bands that hold most of its slow
/// requests, are then from the regression; and they are the same for any chunking (merging
/// keeps the smallest ranks per band, as offering does).
fn offer_by_latency(
    v: &mut Vec<LatencySample>,
    us: u64,
    rank: u64,
    line: u64,
    make: impl FnOnce() -> Example,
) {
    let band = octave(us);
    let key = (band, rank, line);
    let order = |x: &LatencySample| (octave(x.us), x.sample.rank, x.sample.example.line);
    let start = v.partition_point(|x| octave(x.us) < band);
    let end = start + v[start..].partition_point(|x| octave(x.us) == band);
    let pos = start + v[start..end].partition_point(|x| order(x) < key);
    if pos - start >= PER_BAND || v.get(pos).is_some_and(|x| order(x) == key) {
        return; // a larger rank than the band keeps, or the same event again
    }
    let sample = Sample {
        rank,
        example: make(),
    };
    v.insert(pos, LatencySample { us, sample });
    if end + 1 - start > PER_BAND {
        v.remove(start + PER_BAND);
    }
}

/// Merges examples: the earliest [`EXAMPLES`] of both (see `summary::example_order`).
fn fill(dst: &mut Vec<Example>, src: &[Example]) {
    for e in src {
        offer(dst, e.time, &e.source, e.line, || e.clone());
    }
}

fn offer(
    dst: &mut Vec<Example>,
    time: Option<i64>,
    source: &str,
    line: u64,
    make: impl FnOnce() -> Example,
) {
    crate::summary::offer_earliest(dst, EXAMPLES, time, source, line, make);
}

/// Everything known about one external host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UpstreamStats {
    /// Lowercased host, with the port when it is not 80/443.
    pub host: String,
    /// Events about this host (structured calls plus messages about trouble).
    pub events: u64,
    /// Calls known from the structured `http.upstream` field (successes included).
    pub calls: u64,
    pub ok: u64,
    pub timeouts: u64,
    pub refused: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    /// Of `server_errors`, those seen only as the 5xx status of an inbound request that
    /// names this upstream (the failing route already reports them).
    pub server_errors_inbound: u64,
    pub client_errors: u64,
    pub statuses: Vec<(u16, u64)>,
    /// Largest and total `Retry-After` seconds seen, and how many carried one.
    pub retry_after_max_s: Option<u64>,
    pub retry_after_sum_s: u64,
    pub retry_after_n: u64,
    pub latency: Latency,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub untimed: u64,
    /// Events, timeouts (incl. refused), 429s and 5xx per bucket.
    pub series: Series,
    pub timeout_series: Series,
    pub rate_series: Series,
    pub error_series: Series,
    /// Earliest examples of each trouble kind (timeout/refused, rate limited, 5xx).
    pub timeout_examples: Vec<Example>,
    pub rate_examples: Vec<Example>,
    pub error_examples: Vec<Example>,
    /// A uniform sample of each trouble kind (see [`RouteStats::fail_samples`]), so trouble
    /// that bursts late has evidence from inside the burst.
    #[serde(default)]
    pub timeout_samples: Vec<Sample>,
    #[serde(default)]
    pub rate_samples: Vec<Sample>,
    #[serde(default)]
    pub error_samples: Vec<Sample>,
    /// First trouble occurrence per kind.
    pub timeout_first: Option<i64>,
    pub rate_first: Option<i64>,
    pub error_first: Option<i64>,
    /// Routes whose requests went to this upstream: `(route key, requests)`, bounded.
    pub routes: Vec<(String, u64)>,
    /// The kind of log these events come from (its source's format: `json`, `plain`...).
    /// The same calls logged by the app and its request log are one host per view, so
    /// reports can count them once instead of adding the views up (see
    /// `view::finalize_with`). Empty in snapshots from before views were kept apart.
    #[serde(default)]
    pub view: String,
    /// Trouble reported by give-up lines (`Shipping quote failed after 3 retries: 429`, a
    /// record with `"attempts": 3`): the final outcome of calls whose attempts may each be
    /// logged too. Counted apart from the kinds above and used as a kind's count only when
    /// no attempt of that kind was logged (decided per host after merging, see
    /// `view::settle_gave_up`). Empty in snapshots from before give-ups were kept apart.
    #[serde(default)]
    pub gave_up: GaveUp,
}

/// Give-up events about one host, per kind of trouble, with their series.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GaveUp {
    pub timeouts: u64,
    pub refused: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    /// Of them, structured records naming the upstream (not counted in `calls`).
    pub calls: u64,
    pub timeout_series: Series,
    pub rate_series: Series,
    pub error_series: Series,
    /// Per kind (timeouts and refused, rate limited, 5xx): whether the kind's count is made
    /// of these give-ups because no attempt was logged (set by `view::settle_gave_up`).
    #[serde(skip)]
    pub counted: [bool; 3],
}

impl GaveUp {
    pub fn total(&self) -> u64 {
        self.timeouts + self.refused + self.rate_limited + self.server_errors
    }

    fn merge(&mut self, o: &GaveUp) {
        self.timeouts += o.timeouts;
        self.refused += o.refused;
        self.rate_limited += o.rate_limited;
        self.server_errors += o.server_errors;
        self.calls += o.calls;
        self.timeout_series.merge(&o.timeout_series);
        self.rate_series.merge(&o.rate_series);
        self.error_series.merge(&o.error_series);
    }

    fn rebucket(&mut self, from: i64, to: i64) {
        self.timeout_series.rebucket(from, to);
        self.rate_series.rebucket(from, to);
        self.error_series.rebucket(from, to);
    }
}

impl UpstreamStats {
    pub fn merge(&mut self, o: &UpstreamStats) {
        self.events += o.events;
        self.calls += o.calls;
        self.ok += o.ok;
        self.timeouts += o.timeouts;
        self.refused += o.refused;
        self.rate_limited += o.rate_limited;
        self.server_errors += o.server_errors;
        self.server_errors_inbound += o.server_errors_inbound;
        self.client_errors += o.client_errors;
        for &(s, c) in &o.statuses {
            match self.statuses.binary_search_by_key(&s, |&(x, _)| x) {
                Ok(i) => self.statuses[i].1 += c,
                Err(i) => self.statuses.insert(i, (s, c)),
            }
        }
        self.retry_after_max_s = self.retry_after_max_s.max(o.retry_after_max_s);
        self.retry_after_sum_s = self.retry_after_sum_s.saturating_add(o.retry_after_sum_s);
        self.retry_after_n += o.retry_after_n;
        self.latency.merge(&o.latency);
        self.first_time = min_opt(self.first_time, o.first_time);
        self.last_time = max_opt(self.last_time, o.last_time);
        self.untimed += o.untimed;
        self.series.merge(&o.series);
        self.timeout_series.merge(&o.timeout_series);
        self.rate_series.merge(&o.rate_series);
        self.error_series.merge(&o.error_series);
        self.gave_up.merge(&o.gave_up);
        self.merge_evidence(o);
        for (r, c) in &o.routes {
            add_route_ref(&mut self.routes, r, *c);
        }
    }

    /// Takes in `o`'s examples, samples and first times of each kind of trouble.
    pub(super) fn merge_evidence(&mut self, o: &UpstreamStats) {
        fill(&mut self.timeout_examples, &o.timeout_examples);
        fill(&mut self.rate_examples, &o.rate_examples);
        fill(&mut self.error_examples, &o.error_examples);
        merge_samples(&mut self.timeout_samples, &o.timeout_samples);
        merge_samples(&mut self.rate_samples, &o.rate_samples);
        merge_samples(&mut self.error_samples, &o.error_samples);
        self.timeout_first = min_opt(self.timeout_first, o.timeout_first);
        self.rate_first = min_opt(self.rate_first, o.rate_first);
        self.error_first = min_opt(self.error_first, o.error_first);
    }

    fn rebucket(&mut self, from: i64, to: i64) {
        self.series.rebucket(from, to);
        self.timeout_series.rebucket(from, to);
        self.rate_series.rebucket(from, to);
        self.error_series.rebucket(from, to);
        self.gave_up.rebucket(from, to);
    }

    fn add_status(&mut self, status: u16) {
        match self.statuses.binary_search_by_key(&status, |&(s, _)| s) {
            Ok(i) => self.statuses[i].1 += 1,
            Err(i) => self.statuses.insert(i, (status, 1)),
        }
    }
}

fn add_route_ref(routes: &mut Vec<(String, u64)>, key: &str, n: u64) {
    if let Some((_, c)) = routes.iter_mut().find(|(r, _)| r == key) {
        *c += n;
    } else if routes.len() < 16 {
        routes.push((key.to_string(), n));
    }
}

/// Links error events to routes through a shared trace/request id. Ids are kept as 64-bit
/// hashes (no allocation per event). Limits: [`MAX_TRACES`] ids per table (when full, the
/// map starts over, so a request older than that many traced requests is forgotten), and
/// [`MAX_ORPHANS`] error events waiting for their request; links are not kept in snapshots.
#[derive(Clone, Debug, Default)]
pub struct TraceLinks {
    routes: FxHashMap<u64, u32>,
    /// trace hash → signatures of error events seen before any request with that id.
    orphans: FxHashMap<u64, Vec<u32>>,
    orphan_events: usize,
    /// Error events that never found their request (dropped orphans).
    pub dropped: u64,
}

/// Requests logged in two parts that share a request id: the start names the route
/// (Rails' `Started GET "/orders/42" for …`), the completion has the status and duration but
/// no path (`Completed 500 Internal Server Error in 5003ms`). A completion is counted under
/// the route of the latest start with its id at most [`PAIR_WINDOW`] events before it (see
/// [`half_of`]); each start pairs once.
///
/// Across chunks: a completion with no start before it in its own chunk is counted on its
/// own (a route entry of one request, [`Pending`]) and paired at merge time with the start
/// the earlier table kept, so the pairs are the same however the input was chunked. Only
/// the first [`PAIR_WINDOW`] events of a table can wait for an earlier table, and starts
/// older than the window are dropped: the state is bounded.
#[derive(Clone, Debug, Default)]
struct Pairing {
    /// Events this table has observed: their ordinals run from 0 to this.
    observed: u64,
    /// Trace hash → (route, ordinal) of the latest start not yet paired.
    starts: FxHashMap<u64, (u32, u64)>,
    /// Completions with no start before them in this table, in input order.
    pending: Vec<Pending>,
    /// Completions that can no longer find their start.
    unpaired: u64,
}

#[derive(Clone, Debug)]
struct Pending {
    hash: u64,
    ord: u64,
    stats: Box<RouteStats>,
}

/// The route entry for index `ri`: one of `routes`, or a pending completion's.
fn route_at<'a>(
    routes: &'a mut [Box<RouteStats>],
    pending: &'a mut [Pending],
    ri: u32,
) -> &'a mut RouteStats {
    if ri & PENDING_BIT != 0 {
        &mut pending[(ri & !PENDING_BIT) as usize].stats
    } else {
        &mut routes[ri as usize]
    }
}

impl Pairing {
    /// Drops the starts no later completion can pair with.
    fn prune(&mut self) {
        let now = self.observed;
        self.starts
            .retain(|_, &mut (_, at)| at + PAIR_WINDOW >= now);
    }
}

/// One half of a request logged in two parts (see [`Pairing`]), with its trace id's hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    /// Method and path, no status, no duration.
    Start(u64),
    /// Status and duration, no path.
    Completion(u64),
}

/// Which half of a two-part request `ev` is (`trace`: its [`trace_hash`]): neither without a
/// trace id or with an upstream (`upstream`: its normalized host; a call to another service
/// is not the request's own record).
pub fn half_of(ev: &Event<'_>, trace: Option<u64>, upstream: Option<&str>) -> Option<Half> {
    let (h, http) = (trace?, &ev.http);
    if upstream.is_some() {
        return None;
    }
    match (
        http.path.is_some(),
        http.status.is_some(),
        http.latency_ms.is_some(),
    ) {
        (true, false, false) if http.method.is_some() => Some(Half::Start(h)),
        (false, true, true) => Some(Half::Completion(h)),
        _ => None,
    }
}

/// The hash of `ev`'s trace/request id, when it has one.
pub fn trace_hash(ev: &Event<'_>) -> Option<u64> {
    ev.trace_id
        .as_deref()
        .filter(|t| !t.is_empty() && *t != b"-")
        .map(hash_bytes)
}

/// Per-chunk scratch: what `finish_chunk` turns into series.
#[derive(Clone, Debug, Default)]
struct Scratch {
    source: std::sync::Arc<str>,
    /// Hash of the source's name, for sample ranks (as the summary's signatures use).
    source_seed: u64,
    /// The chunk's view (its source's format).
    view: &'static str,
    /// `view`, a separator, then `METHOD path`: the route index's key.
    ikey: Vec<u8>,
    key: Vec<u8>,
    norm: Vec<u8>,
    route_times: Vec<(u32, i64, u8)>,
    lat_times: Vec<(u32, i64, u16)>,
    up_times: Vec<(u32, i64, u8)>,
}

const F_FAILED: u8 = 1;
const F_CLIENT: u8 = 2;
const U_TIMEOUT: u8 = 1;
const U_RATE: u8 = 2;
const U_ERROR: u8 = 4;
/// With one of the kinds above: a give-up event of that kind (see [`GaveUp`]).
const U_GAVE_UP: u8 = 8;

/// The mergeable endpoint table; see the module doc.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EndpointTable {
    /// Routes in order of first appearance.
    /// Boxed: a chunk of distinct paths holds thousands of routes, and a vector of the
    /// 0.5 KB structs themselves wastes up to half its capacity while it grows.
    pub routes: Vec<Box<RouteStats>>,
    pub upstreams: Vec<UpstreamStats>,
    #[serde(skip)]
    route_index: FxHashMap<Box<[u8]>, u32>,
    #[serde(skip)]
    up_index: FxHashMap<Box<[u8]>, u32>,
    #[serde(skip)]
    links: TraceLinks,
    /// Two-part requests (start, completion); not kept in snapshots, as links are not.
    #[serde(skip)]
    pairing: Pairing,
    #[serde(skip)]
    scratch: Scratch,
    /// Set once compacting a full table freed too little: later routes go to the overflow.
    #[serde(skip)]
    compacted_out: bool,
    /// Path prefixes whose next segment compacting made a value (see `route::compact`):
    /// routes merged in later are written the same way, so a path seen again after the
    /// table was compacted joins its route instead of coming back as a literal.
    #[serde(skip)]
    value_prefixes: std::collections::BTreeSet<String>,
}

impl PartialEq for EndpointTable {
    fn eq(&self, o: &Self) -> bool {
        self.routes == o.routes && self.upstreams == o.upstreams
    }
}

/// Field keys that identify single requests or repeat what the route already says: never
/// categories worth contrasting. One `match` (length + memcmp), no loop over a list.
fn skip_key(k: &[u8]) -> bool {
    k.len() > 40
        || matches!(
            k,
            b"msg"
                | b"message"
                | b"time"
                | b"timestamp"
                | b"ts"
                | b"@timestamp"
                | b"date"
                | b"level"
                | b"lvl"
                | b"severity"
                | b"trace_id"
                | b"traceId"
                | b"traceid"
                | b"trace"
                | b"span_id"
                | b"spanId"
                | b"request_id"
                | b"requestId"
                | b"req_id"
                | b"correlation_id"
                | b"id"
                | b"uuid"
                | b"duration"
                | b"duration_ms"
                | b"latency"
                | b"latency_ms"
                | b"elapsed"
                | b"took"
                | b"response_time"
                | b"request_time"
                | b"bytes"
                | b"size"
                | b"length"
                | b"content_length"
                | b"path"
                | b"url"
                | b"uri"
                | b"route"
                | b"method"
                | b"status"
                | b"status_code"
                | b"line"
                | b"caller"
                | b"stack"
                | b"stacktrace"
                | b"error_stack"
                | b"connect"
                | b"dyno_time"
                | b"fwd"
                | b"ip"
                | b"client_ip"
                | b"remote_addr"
        )
}

fn is_number(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-'))
}

fn hash_bytes(b: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    h.write(b);
    h.write_usize(b.len());
    h.finish()
}

/// The stage-1 route key `METHOD /normalized/path` (see [`route::normalize_path`]) into `out`
/// (cleared first), `norm` being scratch space: the key of the endpoint table, and of
/// `watch`'s live route tracks, so both name a route the same way.
pub fn write_route_key(method: Option<&[u8]>, path: &[u8], norm: &mut Vec<u8>, out: &mut Vec<u8>) {
    out.clear();
    write_method(method, out);
    out.push(b' ');
    route::normalize_path(path, norm);
    out.extend_from_slice(norm);
}

fn write_method(m: Option<&[u8]>, out: &mut Vec<u8>) {
    match m {
        Some(m) if !m.is_empty() && m.len() <= 12 && m.iter().all(u8::is_ascii_alphabetic) => {
            out.extend(m.iter().map(u8::to_ascii_uppercase))
        }
        Some(_) => out.extend_from_slice(b"OTHER"),
        None => out.push(b'-'),
    }
}

/// Trouble described in an event's error fields (`"error": "429 Too Many Requests"`).
fn error_fields(
    fields: &[crate::record::Field<'_>],
) -> Option<(Outcome, Option<u16>, Option<u64>)> {
    const KEYS: [&[u8]; 8] = [
        b"error",
        b"err",
        b"reason",
        b"cause",
        b"exception",
        b"error.message",
        b"error_message",
        b"desc",
    ];
    fields
        .iter()
        .filter(|(k, _)| KEYS.iter().any(|x| x.eq_ignore_ascii_case(k)))
        .find_map(|(_, v)| upstream::classify(v))
}

/// What an outbound call named in a structured field (`upstream`, `peer.service`) came to,
/// as the endpoint table counts it: its status when it has one (429, 504/408, 5xx, 4xx,
/// else fine), else the trouble its message or error fields describe, else a failure when
/// the event is an error, else a plain call; with the status and the `Retry-After` seconds
/// said. The live tracker reads calls the same way.
pub fn call_outcome(
    status: Option<u16>,
    message: &[u8],
    fields: &[crate::record::Field<'_>],
    level: Option<Level>,
) -> (Outcome, Option<u16>, Option<u64>) {
    match status {
        Some(s) => {
            let outcome = match s {
                429 => Outcome::RateLimited,
                504 | 408 => Outcome::Timeout,
                500..=599 => Outcome::ServerError,
                400..=499 => Outcome::ClientError,
                _ => Outcome::Ok,
            };
            (outcome, status, retry_after_field(fields))
        }
        // No status: the message says what happened (nginx error log: `upstream timed out
        // ... upstream: "http://10.0.0.7:8080/api"`), else it is a plain call.
        None => match upstream::classify(message).or_else(|| error_fields(fields)) {
            Some((outcome, status, retry)) => {
                (outcome, status, retry.or_else(|| retry_after_field(fields)))
            }
            None if level_at_least(level, Level::Error) => (Outcome::ServerError, None, None),
            None => (Outcome::Ok, None, None),
        },
    }
}

/// A `Retry-After` value (seconds) from a structured field.
fn retry_after_field(fields: &[crate::record::Field<'_>]) -> Option<u64> {
    const KEYS: [&[u8]; 5] = [
        b"retry_after",
        b"retry_after_s",
        b"retry-after",
        b"retryafter",
        b"retry_after_seconds",
    ];
    fields.iter().find_map(|(k, v)| {
        if !KEYS.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            return None;
        }
        std::str::from_utf8(v)
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .map(|x| x as u64)
    })
}

/// The route index's key: `view`, a unit separator, `key`.
fn index_key(view: &str, key: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(view.as_bytes());
    out.push(0x1f);
    out.extend_from_slice(key);
}

fn level_at_least(level: Option<Level>, min: Level) -> bool {
    level.is_some_and(|l| l >= min)
}

impl EndpointTable {
    /// Sets the source name used for this chunk's examples and the view its requests count
    /// in (the source's format); call before `observe`.
    pub fn begin_chunk(&mut self, source: &std::sync::Arc<str>, format: Format) {
        self.scratch.source = std::sync::Arc::clone(source);
        self.scratch.source_seed = sig_hash(source.as_bytes());
        self.scratch.view = format.as_str();
    }

    fn reindex(&mut self) {
        if self.route_index.len() != self.routes.len() {
            self.route_index = self
                .routes
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut k = Vec::new();
                    index_key(&r.view, r.key().as_bytes(), &mut k);
                    (k.into_boxed_slice(), i as u32)
                })
                .collect();
        }
        if self.up_index.len() != self.upstreams.len() {
            self.up_index = self
                .upstreams
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let mut k = Vec::new();
                    index_key(&u.view, u.host.as_bytes(), &mut k);
                    (k.into_boxed_slice(), i as u32)
                })
                .collect();
        }
    }

    /// Index of the route with `key` (`METHOD path`) in `view`, creating it (or using the
    /// overflow route when the cap is reached).
    fn route_idx(&mut self, view: &str, key: &[u8]) -> u32 {
        let mut ikey = std::mem::take(&mut self.scratch.ikey);
        index_key(view, key, &mut ikey);
        let found = self.route_index.get(ikey.as_slice()).copied();
        let i = match found {
            Some(i) => i,
            None => {
                let (method, path): (&[u8], &[u8]) = match memchr::memchr(b' ', key) {
                    Some(i) => (&key[..i], &key[i + 1..]),
                    None => (b"-", key),
                };
                if self.routes.len() >= MAX_ROUTES && path != OVERFLOW_PATH.as_bytes() {
                    self.scratch.ikey = ikey;
                    let mut k = b"* ".to_vec();
                    k.extend_from_slice(OVERFLOW_PATH.as_bytes());
                    return self.route_idx(view, &k);
                }
                let i = self.routes.len() as u32;
                self.routes.push(Box::new(RouteStats {
                    method: String::from_utf8_lossy(method).into_owned(),
                    path: String::from_utf8_lossy(path).into_owned(),
                    view: view.to_string(),
                    ..Default::default()
                }));
                self.route_index.insert(ikey.as_slice().into(), i);
                i
            }
        };
        self.scratch.ikey = ikey;
        i
    }

    /// Index of `host` as seen in `view`, creating it (or using the overflow host when the
    /// cap is reached).
    fn upstream_idx(&mut self, view: &str, host: &str) -> u32 {
        let mut ikey = std::mem::take(&mut self.scratch.ikey);
        index_key(view, host.as_bytes(), &mut ikey);
        let found = self.up_index.get(ikey.as_slice()).copied();
        let i = match found {
            Some(i) => i,
            None if self.upstreams.len() >= MAX_UPSTREAMS && host != OVERFLOW_HOST => {
                self.scratch.ikey = ikey;
                return self.upstream_idx(view, OVERFLOW_HOST);
            }
            None => {
                let i = self.upstreams.len() as u32;
                self.upstreams.push(UpstreamStats {
                    host: host.to_string(),
                    view: view.to_string(),
                    ..Default::default()
                });
                self.up_index.insert(ikey.as_slice().into(), i);
                i
            }
        };
        self.scratch.ikey = ikey;
        i
    }

    /// Counts one event (worker thread, once per event). `sig` is the event's signature
    /// index in the chunk's summary (`u32::MAX`: overflowed), `level` its level or guess.
    pub fn observe(&mut self, ev: &Event<'_>, sig: u32, level: Option<Level>) {
        self.reindex();
        let ord = self.pairing.observed;
        self.pairing.observed += 1;
        let http = &ev.http;
        let up_host = http.upstream.as_deref().and_then(normalize_upstream);
        let status = http.status;
        let failed = status.is_some_and(|s| s >= 500)
            || (status.is_none() && level_at_least(level, Level::Error));
        let client = status.is_some_and(|s| (400..500).contains(&s));
        let mut route: Option<u32> = None;
        let trace = trace_hash(ev);
        let half = half_of(ev, trace, up_host.as_deref());
        // An absolute URL to the upstream itself is the outbound call, not an inbound route.
        let outbound = match (http.path.as_deref(), up_host.as_deref()) {
            (Some(p), Some(h)) => upstream::is_outbound(p, h),
            _ => false,
        };
        if let Some(path) = http.path.as_deref().filter(|_| !outbound) {
            let mut key = std::mem::take(&mut self.scratch.key);
            let mut norm = std::mem::take(&mut self.scratch.norm);
            write_route_key(http.method.as_deref(), path, &mut norm, &mut key);
            let ri = self.route_idx(self.scratch.view, &key);
            self.scratch.key = key;
            self.scratch.norm = norm;
            route = Some(ri);
            if status.is_some() || http.latency_ms.is_some() {
                self.count_request(ri, ev, sig, level, failed, client, up_host.as_deref());
            } else if let Some(Half::Start(h)) = half {
                self.pairing.starts.insert(h, (ri, ord));
                if self.pairing.starts.len() > 2 * PAIR_WINDOW as usize {
                    self.pairing.prune();
                }
            }
            if status.is_none() && http.latency_ms.is_none() && level_at_least(level, Level::Warn) {
                // An error that names its request (nginx error log, an app error with the
                // path) but is not a request record: link it, do not count a request (the
                // access log counts it, and counting it twice would skew the rates).
                self.routes[ri as usize].add_sig(sig, 1);
                self.routes[ri as usize].linked_events += 1;
            }
        }
        // A completion is counted as a request, not linked as an error event.
        let completion = matches!(half, Some(Half::Completion(_)));
        if let Some(Half::Completion(h)) = half {
            route = self.complete(h, ord, ev, sig, level, failed, client);
        }
        // Trace linking: requests record their id; error events without a path look it up.
        if let Some(h) = trace.filter(|_| route.is_some() || !completion) {
            match route {
                Some(ri) => {
                    if self.links.routes.len() >= MAX_TRACES {
                        self.links.routes.clear();
                    }
                    self.links.routes.insert(h, ri);
                    if let Some(sigs) = self.links.orphans.remove(&h) {
                        self.links.orphan_events -= sigs.len();
                        for s in sigs {
                            self.routes[ri as usize].add_sig(s, 1);
                        }
                    }
                }
                None if level_at_least(level, Level::Warn) => {
                    if let Some(&ri) = self.links.routes.get(&h) {
                        self.routes[ri as usize].add_sig(sig, 1);
                    } else if self.links.orphan_events < MAX_ORPHANS {
                        self.links.orphans.entry(h).or_default().push(sig);
                        self.links.orphan_events += 1;
                    } else {
                        self.links.dropped += 1;
                    }
                }
                None => {}
            }
        }
        // Outbound calls.
        if let Some(host) = up_host {
            let (outcome, said_status, retry_after_s) =
                call_outcome(status, &ev.message, &ev.fields, level);
            let m = Mention {
                host,
                outcome,
                status: said_status,
                retry_after_s,
            };
            let rkey = route.map(|r| self.routes[r as usize].key());
            // A call record has a status or a duration, or is a structured record (JSON,
            // logfmt...); a free-text line that names its upstream (Nginx's error log:
            // `upstream timed out ... upstream: "http://10.0.3.7:8080/..."`) reports trouble,
            // not a call: counted as calls, a proxy's error log would make a backend that
            // served thousands of requests fine look 90% failing.
            let record = status.is_some()
                || http.latency_ms.is_some()
                || self.scratch.view != Format::Plain.as_str();
            self.count_upstream(&m, ev, record, rkey.as_deref());
        } else if (route.is_none() || failed)
            // Info and below are not trouble reports; skipping them keeps the scan off most
            // lines of an application log (unleveled messages are still scanned).
            && level.is_none_or(|l| l >= Level::Warn)
        {
            if let Some(mut m) = scan_message(&ev.message, route.is_some()) {
                if route.is_some() {
                    // A request line's own status is not the upstream's.
                    if matches!(m.outcome, Outcome::ServerError | Outcome::ClientError)
                        && m.status == status
                    {
                        return;
                    }
                    m.status = None;
                }
                let rkey = route.map(|r| self.routes[r as usize].key());
                self.count_upstream(&m, ev, false, rkey.as_deref());
            }
        }
    }

    /// Counts a completion (see [`Pairing`]) under its start's route, or on its own until a
    /// merge pairs it. Returns the route it was counted under.
    #[allow(clippy::too_many_arguments)]
    fn complete(
        &mut self,
        h: u64,
        ord: u64,
        ev: &Event<'_>,
        sig: u32,
        level: Option<Level>,
        failed: bool,
        client: bool,
    ) -> Option<u32> {
        match self.pairing.starts.get(&h) {
            Some(&(ri, at)) if ord - at <= PAIR_WINDOW => {
                self.pairing.starts.remove(&h);
                self.count_request(ri, ev, sig, level, failed, client, None);
                Some(ri)
            }
            _ if ord < PAIR_WINDOW => {
                let i = self.pairing.pending.len() as u32 | PENDING_BIT;
                self.pairing.pending.push(Pending {
                    hash: h,
                    ord,
                    stats: Box::default(),
                });
                self.count_request(i, ev, sig, level, failed, client, None);
                None
            }
            _ => {
                self.pairing.unpaired += 1;
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn count_request(
        &mut self,
        ri: u32,
        ev: &Event<'_>,
        sig: u32,
        level: Option<Level>,
        failed: bool,
        client: bool,
        up_host: Option<&str>,
    ) {
        let source = &self.scratch.source;
        let r = route_at(&mut self.routes, &mut self.pairing.pending, ri);
        let status = ev.http.status;
        r.requests += 1;
        r.classes[class_slot(status)] += 1;
        if let Some(s) = status {
            r.add_status(s);
            if s == 504 || s == 408 {
                r.timeouts += 1;
            }
        }
        r.failed += failed as u64;
        r.client_errors += client as u64;
        let us = ev.http.latency_ms.and_then(ms_to_us);
        if let Some(us) = us {
            r.latency.record(us);
        }
        // Built once, shared by every list that keeps it (the text is reference-counted);
        // from the event's first line with text (`Event::shown`).
        let (shown_line, shown_raw) = ev.shown();
        let lazy = LazyExample::new(source, shown_line, ev.time, shown_raw);
        let ex = || lazy.get();
        match ev.time {
            Some(t) => {
                r.first_time = Some(r.first_time.map_or(t, |f| f.min(t)));
                r.last_time = Some(r.last_time.map_or(t, |l| l.max(t)));
                let flags = (failed as u8 * F_FAILED) | (client as u8 * F_CLIENT);
                self.scratch.route_times.push((ri, t, flags));
                // Latency over time is for successful requests: failing ones (often
                // timeouts) are the failing-route finding's evidence, not a slowdown.
                if let Some(us) = us.filter(|_| !failed) {
                    self.scratch.lat_times.push((ri, t, bin_of(us)));
                    let rank = sample_rank(self.scratch.source_seed, shown_line);
                    offer_by_latency(&mut r.latency_samples, us, rank, shown_line, ex);
                }
            }
            None => r.untimed += 1,
        }
        offer(&mut r.examples, ev.time, source, shown_line, ex);
        if failed {
            offer(&mut r.fail_examples, ev.time, source, shown_line, ex);
            let rank = sample_rank(self.scratch.source_seed, shown_line);
            offer_sample(&mut r.fail_samples, rank, shown_line, ex);
        }
        if client {
            offer(&mut r.client_examples, ev.time, source, shown_line, ex);
            let rank = sample_rank(self.scratch.source_seed, shown_line);
            offer_sample(&mut r.client_samples, rank, shown_line, ex);
        }
        // The event's own message, when it is an application error rather than the request
        // line itself (which names the path).
        if level_at_least(level, Level::Warn) {
            let is_request_line =
                ev.http.path.as_deref().is_some_and(|p| {
                    !p.is_empty() && memchr::memmem::find(&ev.message, p).is_some()
                });
            if !is_request_line {
                r.add_sig(sig, 1);
            }
        }
        // Field values for the failing-vs-working contrast.
        for (k, v) in &ev.fields {
            if skip_key(k) || v.is_empty() || v.len() > MAX_FIELD_VALUE_BYTES || is_number(v) {
                continue;
            }
            if let Some(f) = r.field(k) {
                f.bump(v, failed, client);
            }
        }
        if let Some(h) = up_host {
            if let Some(f) = r.field(b"upstream") {
                f.bump(h.as_bytes(), failed, client);
            }
        }
        if let Some(l) = ev.logger.as_deref() {
            if l.len() <= MAX_FIELD_VALUE_BYTES {
                if let Some(f) = r.field(b"logger") {
                    f.bump(l, failed, client);
                }
            }
        }
        if !source.is_empty() {
            if let Some(f) = r.field(b"source") {
                f.bump(source.as_bytes(), failed, client);
            }
        }
    }

    fn count_upstream(
        &mut self,
        m: &Mention,
        ev: &Event<'_>,
        structured: bool,
        route: Option<&str>,
    ) {
        let ui = self.upstream_idx(self.scratch.view, &m.host);
        let source = &self.scratch.source;
        // A give-up line reports calls whose attempts may be counted already: kept apart.
        let gave_up = !matches!(m.outcome, Outcome::Ok | Outcome::ClientError)
            && upstream::gave_up(&ev.message, &ev.fields);
        let u = &mut self.upstreams[ui as usize];
        u.events += 1;
        if let Some(r) = route {
            add_route_ref(&mut u.routes, r, 1);
        }
        let flag = if gave_up {
            // Not a call's record of its own: no call, status or latency counted.
            let g = &mut u.gave_up;
            g.calls += structured as u64;
            U_GAVE_UP
                | match m.outcome {
                    Outcome::Timeout => {
                        g.timeouts += 1;
                        U_TIMEOUT
                    }
                    Outcome::Refused => {
                        g.refused += 1;
                        U_TIMEOUT
                    }
                    Outcome::RateLimited => {
                        g.rate_limited += 1;
                        U_RATE
                    }
                    _ => {
                        g.server_errors += 1;
                        U_ERROR
                    }
                }
        } else {
            if structured {
                u.calls += 1;
                if let Some(us) = ev.http.latency_ms.and_then(ms_to_us) {
                    u.latency.record(us);
                }
            }
            if let Some(s) = m.status {
                u.add_status(s);
            }
            match m.outcome {
                Outcome::Ok => {
                    u.ok += 1;
                    0
                }
                Outcome::ClientError => {
                    u.client_errors += 1;
                    0
                }
                Outcome::Timeout => {
                    u.timeouts += 1;
                    U_TIMEOUT
                }
                Outcome::Refused => {
                    u.refused += 1;
                    U_TIMEOUT
                }
                Outcome::RateLimited => {
                    u.rate_limited += 1;
                    if let Some(s) = m.retry_after_s {
                        u.retry_after_max_s = u.retry_after_max_s.max(Some(s));
                        u.retry_after_sum_s = u.retry_after_sum_s.saturating_add(s);
                        u.retry_after_n += 1;
                    }
                    U_RATE
                }
                Outcome::ServerError => {
                    u.server_errors += 1;
                    if route.is_some() {
                        u.server_errors_inbound += 1;
                    }
                    U_ERROR
                }
            }
        };
        // Trouble of one kind: its examples, sample, first time and count per kind of log
        // (a give-up's wording is good evidence too, though it counts apart).
        let trouble = match flag & !U_GAVE_UP {
            U_TIMEOUT => Some((
                &mut u.timeout_examples,
                &mut u.timeout_samples,
                &mut u.timeout_first,
            )),
            U_RATE => Some((&mut u.rate_examples, &mut u.rate_samples, &mut u.rate_first)),
            U_ERROR => Some((
                &mut u.error_examples,
                &mut u.error_samples,
                &mut u.error_first,
            )),
            _ => None,
        };
        if let Some((examples, samples, first)) = trouble {
            // Built once, shared by both lists when both keep it (the text is
            // reference-counted).
            let (line, raw) = ev.shown();
            let lazy = LazyExample::new(source, line, ev.time, raw);
            let ex = || lazy.get();
            offer(examples, ev.time, source, line, ex);
            let rank = sample_rank(self.scratch.source_seed, line);
            offer_sample(samples, rank, line, ex);
            *first = min_opt(*first, ev.time);
        }
        match ev.time {
            Some(t) => {
                u.first_time = Some(u.first_time.map_or(t, |f| f.min(t)));
                u.last_time = Some(u.last_time.map_or(t, |l| l.max(t)));
                self.scratch.up_times.push((ui, t, flag));
            }
            None => u.untimed += 1,
        }
    }

    /// Turns the chunk's timed observations into series at the chunk's resolution.
    pub fn finish_chunk(&mut self, res_ms: i64) {
        let res = res_ms.max(1);
        let mut rt = std::mem::take(&mut self.scratch.route_times);
        rt.sort_unstable();
        let mut i = 0;
        let (mut all, mut fail, mut client) = (Vec::new(), Vec::new(), Vec::new());
        while i < rt.len() {
            let r = rt[i].0;
            all.clear();
            fail.clear();
            client.clear();
            while i < rt.len() && rt[i].0 == r {
                let b = rt[i].1.div_euclid(res);
                all.push(b);
                if rt[i].2 & F_FAILED != 0 {
                    fail.push(b);
                }
                if rt[i].2 & F_CLIENT != 0 {
                    client.push(b);
                }
                i += 1;
            }
            let s = route_at(&mut self.routes, &mut self.pairing.pending, r);
            s.series.merge(&Series::from_buckets(&mut all));
            s.fail_series.merge(&Series::from_buckets(&mut fail));
            s.client_series.merge(&Series::from_buckets(&mut client));
        }
        let mut lt = std::mem::take(&mut self.scratch.lat_times);
        lt.sort_unstable_by_key(|&(r, _, _)| r);
        let mut i = 0;
        let mut pairs = Vec::new();
        while i < lt.len() {
            let r = lt[i].0;
            pairs.clear();
            while i < lt.len() && lt[i].0 == r {
                pairs.push((lt[i].1.div_euclid(res), lt[i].2));
                i += 1;
            }
            let bins = LatencyBins::from_pairs(&mut pairs);
            route_at(&mut self.routes, &mut self.pairing.pending, r)
                .lat_bins
                .merge(&bins);
        }
        let mut ut = std::mem::take(&mut self.scratch.up_times);
        ut.sort_unstable();
        let mut i = 0;
        let (mut to, mut ra, mut er) = (Vec::new(), Vec::new(), Vec::new());
        let (mut gto, mut gra, mut ger) = (Vec::new(), Vec::new(), Vec::new());
        while i < ut.len() {
            let u = ut[i].0;
            all.clear();
            for v in [&mut to, &mut ra, &mut er, &mut gto, &mut gra, &mut ger] {
                v.clear();
            }
            while i < ut.len() && ut[i].0 == u {
                let b = ut[i].1.div_euclid(res);
                all.push(b);
                match ut[i].2 {
                    U_TIMEOUT => to.push(b),
                    U_RATE => ra.push(b),
                    U_ERROR => er.push(b),
                    f if f == U_TIMEOUT | U_GAVE_UP => gto.push(b),
                    f if f == U_RATE | U_GAVE_UP => gra.push(b),
                    f if f == U_ERROR | U_GAVE_UP => ger.push(b),
                    _ => {}
                }
                i += 1;
            }
            let s = &mut self.upstreams[u as usize];
            s.series.merge(&Series::from_buckets(&mut all));
            s.timeout_series.merge(&Series::from_buckets(&mut to));
            s.rate_series.merge(&Series::from_buckets(&mut ra));
            s.error_series.merge(&Series::from_buckets(&mut er));
            let g = &mut s.gave_up;
            g.timeout_series.merge(&Series::from_buckets(&mut gto));
            g.rate_series.merge(&Series::from_buckets(&mut gra));
            g.error_series.merge(&Series::from_buckets(&mut ger));
        }
    }

    /// The earliest and latest time bucket of each series of the table (route and upstream
    /// series, latency bins): for checking a snapshot read from disk.
    pub fn bucket_bounds(&self) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut add = |s: &Series| {
            let lo = s.0.iter().map(|e| e.0).min();
            let hi = s.0.iter().map(|e| e.0).max();
            if let (Some(a), Some(b)) = (lo, hi) {
                out.push((a, b));
            }
        };
        for r in &self.routes {
            add(&r.series);
            add(&r.fail_series);
            add(&r.client_series);
        }
        for u in &self.upstreams {
            add(&u.series);
            add(&u.timeout_series);
            add(&u.rate_series);
            add(&u.error_series);
            add(&u.gave_up.timeout_series);
            add(&u.gave_up.rate_series);
            add(&u.gave_up.error_series);
        }
        for r in &self.routes {
            let lo = r.lat_bins.0.iter().map(|e| e.0).min();
            let hi = r.lat_bins.0.iter().map(|e| e.0).max();
            if let (Some(a), Some(b)) = (lo, hi) {
                out.push((a, b));
            }
        }
        out
    }

    /// Coarsens every series from width `from` to `to`.
    pub fn rebucket(&mut self, from: i64, to: i64) {
        if to <= from {
            return;
        }
        for r in &mut self.routes {
            r.rebucket(from, to);
        }
        for u in &mut self.upstreams {
            u.rebucket(from, to);
        }
        for p in &mut self.pairing.pending {
            p.stats.rebucket(from, to);
        }
    }

    /// Makes room in a full route table: routes whose paths [`route::compact`] to the same
    /// name are merged into one. Returns each old route's new index, or `None` (and marks the
    /// table) when that would free less than a tenth of it: later routes then go to the
    /// overflow route, as before.
    fn compact(&mut self) -> Option<Vec<u32>> {
        if self.compacted_out {
            return None;
        }
        let paths: Vec<&str> = self.routes.iter().map(|r| r.path.as_str()).collect();
        let (mut names, prefixes) = route::compact(&paths);
        for (n, r) in names.iter_mut().zip(&self.routes) {
            if r.path == OVERFLOW_PATH {
                n.clone_from(&r.path);
            }
        }
        let mut index: FxHashMap<Box<[u8]>, u32> = FxHashMap::default();
        let mut remap = Vec::with_capacity(self.routes.len());
        let mut key = Vec::new();
        let mut ikey = Vec::new();
        for (r, name) in self.routes.iter().zip(&names) {
            key.clear();
            key.extend_from_slice(r.method.as_bytes());
            key.push(b' ');
            key.extend_from_slice(name.as_bytes());
            index_key(&r.view, &key, &mut ikey);
            let next = index.len() as u32;
            remap.push(*index.entry(ikey.as_slice().into()).or_insert(next));
        }
        if index.len() > MAX_ROUTES * 9 / 10 {
            self.compacted_out = true;
            return None;
        }
        let mut routes: Vec<Box<RouteStats>> = Vec::with_capacity(index.len());
        for ((r, name), &to) in std::mem::take(&mut self.routes)
            .into_iter()
            .zip(names)
            .zip(&remap)
        {
            if (to as usize) < routes.len() {
                routes[to as usize].merge(&r, None);
            } else {
                let mut r = r;
                r.path = name;
                routes.push(r);
            }
        }
        self.routes = routes;
        self.route_index = index;
        self.value_prefixes.extend(prefixes);
        for ri in self.links.routes.values_mut() {
            *ri = remap[*ri as usize];
        }
        for (ri, _) in self.pairing.starts.values_mut() {
            *ri = remap[*ri as usize];
        }
        // (Pending completions' entries are not in the table.)
        for x in &mut self.scratch.route_times {
            if x.0 & PENDING_BIT == 0 {
                x.0 = remap[x.0 as usize];
            }
        }
        for x in &mut self.scratch.lat_times {
            if x.0 & PENDING_BIT == 0 {
                x.0 = remap[x.0 as usize];
            }
        }
        Some(remap)
    }

    /// Merges `other` (later in input order) into `self`. `sig_remap[i]` is the index in the
    /// merged summary of `other`'s signature `i` (`u32::MAX`: overflowed).
    ///
    /// When the route table is full, it is compacted (see [`EndpointTable::compact`]) before
    /// a new route is added: which routes are in it when that happens is the first ones in
    /// input order, whatever the chunking, and compacting looks at nothing else.
    pub fn merge(&mut self, mut other: EndpointTable, sig_remap: &[u32]) {
        self.reindex();
        let mut route_remap: Vec<u32> = Vec::with_capacity(other.routes.len());
        let mut key: Vec<u8> = Vec::with_capacity(64);
        let mut ikey: Vec<u8> = Vec::with_capacity(64);
        for r in std::mem::take(&mut other.routes) {
            // The route's key, its path written as compacting left the table's.
            let key_of = |t: &EndpointTable, key: &mut Vec<u8>| {
                let rewritten = match t.value_prefixes.is_empty() {
                    true => None,
                    false => route::rewrite(&r.path, &t.value_prefixes),
                };
                key.clear();
                key.extend_from_slice(r.method.as_bytes());
                key.push(b' ');
                key.extend_from_slice(rewritten.as_deref().unwrap_or(&r.path).as_bytes());
            };
            key_of(self, &mut key);
            if self.routes.len() >= MAX_ROUTES && r.path != OVERFLOW_PATH {
                index_key(&r.view, &key, &mut ikey);
                if !self.route_index.contains_key(ikey.as_slice()) {
                    if let Some(remap) = self.compact() {
                        for x in &mut route_remap {
                            *x = remap[*x as usize];
                        }
                        key_of(self, &mut key);
                    }
                }
            }
            let n = self.routes.len();
            let i = self.route_idx(&r.view, &key);
            let dst = &mut self.routes[i as usize];
            if i as usize == n && dst.requests == 0 && dst.sigs.is_empty() {
                // A route new to the table: take the chunk's as it is (under the table's
                // name for it) instead of copying it into an empty one.
                let created = std::mem::replace(dst, r);
                dst.adopt(*created, sig_remap);
            } else {
                dst.merge(&r, Some(sig_remap));
            }
            route_remap.push(i);
        }
        for u in &other.upstreams {
            let i = self.upstream_idx(&u.view, &u.host);
            self.upstreams[i as usize].merge(u);
        }
        // Trace links across the boundary: our waiting errors may find their request in
        // `other`, and `other`'s waiting errors may find theirs in `self`.
        let other_links = std::mem::take(&mut other.links);
        let mut mine = std::mem::take(&mut self.links.orphans);
        for (h, &ri) in &other_links.routes {
            if let Some(sigs) = mine.remove(h) {
                self.links.orphan_events -= sigs.len();
                let ri = route_remap[ri as usize];
                for s in sigs {
                    self.routes[ri as usize].add_sig(s, 1);
                }
            }
        }
        self.links.orphans = mine;
        for (h, sigs) in other_links.orphans {
            let sigs: Vec<u32> = sigs
                .iter()
                .map(|&s| remap_sig(s, Some(sig_remap)))
                .collect();
            if let Some(&ri) = self.links.routes.get(&h) {
                for s in sigs {
                    self.routes[ri as usize].add_sig(s, 1);
                }
            } else if self.links.orphan_events + sigs.len() <= MAX_ORPHANS {
                self.links.orphan_events += sigs.len();
                self.links.orphans.entry(h).or_default().extend(sigs);
            } else {
                self.links.dropped += sigs.len() as u64;
            }
        }
        if self.links.routes.len() + other_links.routes.len() > MAX_TRACES {
            self.links.routes.clear();
        }
        for (h, ri) in other_links.routes {
            self.links.routes.insert(h, route_remap[ri as usize]);
        }
        self.links.dropped += other_links.dropped;
        self.merge_pairing(std::mem::take(&mut other.pairing), &route_remap, sig_remap);
    }

    /// Pairs `other`'s waiting completions with the starts `self` kept, and takes in its
    /// starts (see [`Pairing`]).
    fn merge_pairing(&mut self, other: Pairing, route_remap: &[u32], sig_remap: &[u32]) {
        let offset = self.pairing.observed;
        for p in other.pending {
            let ord = offset + p.ord;
            match self.pairing.starts.get(&p.hash) {
                Some(&(ri, at)) if ord - at <= PAIR_WINDOW => {
                    self.pairing.starts.remove(&p.hash);
                    self.routes[ri as usize].merge(&p.stats, Some(sig_remap));
                }
                _ if ord < PAIR_WINDOW => {
                    let mut stats = p.stats;
                    stats.remap_sigs(sig_remap);
                    self.pairing.pending.push(Pending {
                        hash: p.hash,
                        ord,
                        stats,
                    });
                }
                _ => self.pairing.unpaired += 1,
            }
        }
        for (h, (ri, at)) in other.starts {
            self.pairing
                .starts
                .insert(h, (route_remap[ri as usize], offset + at));
        }
        self.pairing.observed += other.observed;
        self.pairing.unpaired += other.unpaired;
        self.pairing.prune();
    }

    /// Completions of two-part requests that found no start with their request id (see
    /// [`Pairing`]): not counted under any route.
    pub fn unpaired_completions(&self) -> u64 {
        self.pairing.unpaired + self.pairing.pending.len() as u64
    }

    /// Error events still waiting for a request with their trace id (and those dropped).
    pub fn pending_unlinked(&self) -> u64 {
        self.links.orphan_events as u64 + self.links.dropped
    }

    /// Every example of every route and upstream.
    pub fn examples_mut(&mut self) -> impl Iterator<Item = &mut Example> {
        let routes = self.routes.iter_mut().flat_map(|r| {
            r.examples
                .iter_mut()
                .chain(&mut r.fail_examples)
                .chain(r.fail_samples.iter_mut().map(|s| &mut s.example))
                .chain(&mut r.client_examples)
                .chain(r.client_samples.iter_mut().map(|s| &mut s.example))
                .chain(r.latency_samples.iter_mut().map(|s| &mut s.sample.example))
        });
        let ups = self.upstreams.iter_mut().flat_map(|u| {
            u.timeout_examples
                .iter_mut()
                .chain(&mut u.rate_examples)
                .chain(&mut u.error_examples)
                .chain(
                    u.timeout_samples
                        .iter_mut()
                        .chain(&mut u.rate_samples)
                        .chain(&mut u.error_samples)
                        .map(|s| &mut s.example),
                )
        });
        routes.chain(ups)
    }

    /// Whether any request or upstream call was seen.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.upstreams.is_empty()
    }
}

#[cfg(test)]
mod tests;
