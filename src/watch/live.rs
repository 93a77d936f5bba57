//! The live detection core: event-time buckets, per-key tracks and their alerts.
//!
//! In: [`Obs`] (one per event: time, level, signature index, HTTP bits), the event-time clock
//! (`tick(now)`), and, when asked, a [`TemplateMap`] (signature → template id/text) from the
//! caller, who owns the summary and the clustering. Out: [`Alert`]s, in the order they were
//! detected.
//!
//! Time: events are counted in fixed buckets (`bucket_ms`, 10 s by default). A bucket is closed
//! and evaluated only when the clock passes its end plus the late tolerance (`late_ms`), so
//! events arriving out of order within the tolerance land in the right bucket; later ones are
//! counted in the summary but not in live detection (`late_dropped`).
//!
//! Keys: each warn-or-worse template, each route's 5xx responses (the route named as the
//! endpoint table names it, `endpoints::write_route_key`), each upstream's rate-limit /
//! timeout / failure events. Each key has a `Track`: a ring of its last `window_buckets`
//! bucket counts and an exponentially decaying normal rate learned from the buckets that roll
//! off the ring (with a half-life of hours; buckets of an active spike are folded in at the
//! normal rate, so a spike does not teach itself to be normal). Memory is per key, fixed.
//!
//! Nothing alerts during the warm-up (`warmup_ms` from the first event), which only learns.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::detector::{ActiveSpike, Detector, NewCandidate, Window};
use super::ring::Ring;
use super::state::{Condition, Phase, Transition};
use crate::detect::{burst, Finding, FindingKind};
use crate::record::Level;
use crate::summary::{Example, EXAMPLES_PER_SIG};

/// Tuning of live detection.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    pub bucket_ms: i64,
    /// Out-of-order tolerance: a bucket closes when the clock passes its end plus this.
    pub late_ms: i64,
    /// Learning period from the first event during which nothing alerts.
    pub warmup_ms: i64,
    /// After a condition ends, how long it must stay normal before it may alert again.
    pub cooldown_ms: i64,
    /// Trailing buckets kept per key: the tested windows (up to 10 minutes) plus recent
    /// reference history.
    pub window_buckets: usize,
    /// Buckets kept for the overall events/errors series (status sparkline).
    pub history_buckets: usize,
    /// How long after its first occurrence a never-seen template can still be confirmed new.
    pub new_window_ms: i64,
    /// Half-life of the learned normal rate.
    pub half_life_ms: i64,
    /// Time watched before the stream started (a baseline's span), for the new-template rule.
    pub watched_before_ms: i64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            bucket_ms: 10_000,
            late_ms: 30_000,
            warmup_ms: 300_000,
            cooldown_ms: 300_000,
            window_buckets: 120,
            history_buckets: 360,
            new_window_ms: 30 * 60_000,
            half_life_ms: 6 * 3_600_000,
            watched_before_ms: 0,
        }
    }
}

/// Minutes of per-key history kept to recognise hourly recurring bursts (3 hours and a bit).
pub const MINUTES_KEPT: usize = 3 * 60 + 10;

/// Most routes and upstreams tracked; more are counted in `keys_dropped`.
pub const MAX_ROUTES: usize = 5_000;
/// A template with at most [`MAX_CHANGE_EVENTS`] events, first seen after the warm-up
/// below warning level, whose text [`names_a_change`], is a change (deploy, restart, config
/// reload) for new errors that follow it: the batch report's rule.
pub use crate::detect::newerr::{names_a_change, MAX_CHANGE_EVENTS};

/// How long after a change a new error counts as following it (as in the batch report's
/// "preceded by", `detect::newerr::CHANGE_LOOKBACK_MS`).
pub const CHANGE_LOOKBACK_MS: i64 = crate::detect::newerr::CHANGE_LOOKBACK_MS;
pub const MAX_UPSTREAMS: usize = 1_000;

/// One event as live detection sees it.
#[derive(Clone, Copy, Debug)]
pub struct Obs<'a> {
    /// Event time (ms); the caller substitutes the clock's time for events without one.
    pub time: i64,
    /// Effective level (parsed, or guessed from the message).
    pub level: Option<Level>,
    /// Signature index in the caller's summary (`u32::MAX`: over the signature cap).
    pub sig: u32,
    pub method: Option<&'a [u8]>,
    pub path: Option<&'a [u8]>,
    pub status: Option<u16>,
    pub upstream: Option<&'a [u8]>,
    pub message: &'a [u8],
    /// Structured fields (a record's `"attempts": 3` says it reports a retried call's end).
    pub fields: &'a [crate::record::Field<'a>],
    /// Where the event came from, for evidence lines (`file:line` and the raw text).
    pub source: &'a str,
    /// The source's view (its format, as in the endpoint table): the proxy's, the router's
    /// and the app's records of one request are separate tracks of the route, so a failure
    /// is counted once per view, not once per log that saw it.
    pub view: &'a str,
    pub line: u64,
    pub raw: &'a [u8],
}

impl<'a> Obs<'a> {
    /// The observation of a parsed event with signature `sig`; events without a timestamp
    /// are placed at `untimed_at`, events without a level get the summary's guess.
    pub fn from_event(
        ev: &'a crate::record::Event<'a>,
        source: &'a str,
        view: &'a str,
        sig: u32,
        untimed_at: i64,
    ) -> Obs<'a> {
        // Evidence shows the event from its first line with text, as the summary's does.
        let (line, raw) = ev.shown();
        Obs {
            time: ev.time.unwrap_or(untimed_at),
            level: ev
                .level
                .or_else(|| crate::summary::build::guess_level(&ev.message)),
            sig,
            method: ev.http.method.as_deref(),
            path: ev.http.path.as_deref(),
            status: ev.http.status,
            upstream: ev.http.upstream.as_deref(),
            message: &ev.message,
            fields: &ev.fields,
            source,
            view,
            line,
            raw,
        }
    }
}

/// One template as the caller's clustering sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct TplInfo {
    pub id: String,
    pub text: String,
    /// First occurrence at any level.
    pub first_time: Option<i64>,
    /// Present in the baseline: never reported as new.
    pub known: bool,
    /// A stand-in (one signature, not clustered yet): never reported as new until the real
    /// clustering says which template it belongs to.
    pub provisional: bool,
    /// Events so far, and the highest level among them.
    pub count: u64,
    pub level: Option<Level>,
}

/// Signature → template, from the caller's clustering.
#[derive(Clone, Debug, Default)]
pub struct TemplateMap {
    /// Template index in `list` for each signature (`u32::MAX`: none).
    pub by_sig: Vec<u32>,
    pub list: Vec<TplInfo>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertPhase {
    Start,
    End,
}

/// A detected change, at event time `at` (the end of the bucket whose close revealed it).
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub phase: AlertPhase,
    pub at: i64,
    pub finding: Finding,
    /// Signature indexes of the template (to attach examples), when the key is a template.
    pub template_slot: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Novelty {
    /// Seen during the warm-up or in the baseline, or too long ago to be news.
    Known,
    /// Never seen before; under observation.
    Candidate,
    /// Reported as new.
    Reported,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UpKind {
    RateLimited,
    Timeout,
    /// Connections refused, reset or never made (DNS; a finding of the timeout kind, as in the batch table).
    Refused,
    Failure,
}

#[derive(Clone, Debug)]
enum KeyKind {
    Template { id: String, text: String },
    Route(String),
    Upstream { host: String, kind: UpKind },
}

/// Everything live detection keeps per key.
#[derive(Clone, Debug)]
struct Track {
    key: KeyKind,
    recent: Ring,
    /// Counts per minute over the last hours (recurring bursts).
    minutes: Ring,
    /// Decayed sum of counts and of bucket weights folded so far (buckets `< base_at`).
    base_sum: f64,
    base_n: f64,
    base_at: i64,
    cond: Condition,
    /// Bucket range of the current/last active period (folded at the normal rate).
    active_from: Option<i64>,
    active_to: Option<i64>,
    /// Events since the current active period started.
    active_count: u64,
    first_seen: i64,
    total: u64,
    /// Of `total`, failed requests' own records (`{"msg":"request completed","status":503}`):
    /// a template made of them spikes only as its route does (the route track alerts).
    requests: u64,
    last_event_bucket: i64,
    max_level: Option<Level>,
    novelty: Novelty,
    /// Merged into another track (templates re-clustered); ignore.
    merged: bool,
    /// Keyed by a stand-in template (see [`TplInfo::provisional`]).
    provisional: bool,
    /// The latest evidence lines (one per bucket), newest last.
    recent_examples: Vec<Example>,
    /// Events the stream had carried when this track was created (for a new template: about
    /// when it was first seen).
    events_before: u64,
    /// A route track whose spike is not alerted because another view's track of the same
    /// route is already alerting it (one condition, one alert).
    silenced: bool,
    /// The template's last spikes (onset, events), newest last, at most [`EPISODES_KEPT`]:
    /// its habit, if it comes in clumps (see [`habit_size`]).
    episodes: Vec<(i64, u64)>,
    /// The spike under way is one of the template's usual clumps and was not alerted: the
    /// clumps' median size, and the evidence and onset to alert with if it outgrows them.
    habit: Option<(f64, super::detector::SpikeEvidence, i64)>,
    /// The global decayed traffic total when this track's history began (and its bucket),
    /// subtracted so that the key's rate per event compares like with like.
    /// `None` until the global total reaches `tot_from` (see `pending_stamps`).
    tot_offset: Option<f64>,
    tot_from: i64,
    hot: bool,
}

impl Track {
    fn new(key: KeyKind, cap: usize, history_start_bucket: i64, first: i64) -> Track {
        Track {
            key,
            recent: Ring::new(cap),
            minutes: Ring::new(MINUTES_KEPT),
            base_sum: 0.0,
            base_n: 0.0,
            base_at: history_start_bucket,
            cond: Condition::default(),
            active_from: None,
            active_to: None,
            active_count: 0,
            first_seen: first,
            total: 0,
            requests: 0,
            last_event_bucket: i64::MIN,
            max_level: None,
            novelty: Novelty::Known,
            merged: false,
            provisional: false,
            recent_examples: Vec::new(),
            silenced: false,
            episodes: Vec::new(),
            habit: None,
            events_before: 0,
            tot_offset: None,
            tot_from: history_start_bucket,
            hot: false,
        }
    }

    /// Frees a track merged into another (its state moved there).
    fn release(&mut self) {
        self.merged = true;
        self.hot = false;
        self.recent = Ring::new(1);
        self.minutes = Ring::new(1);
        self.recent_examples = Vec::new();
    }

    /// Records the spike that just ended among the template's episodes.
    fn note_episode(&mut self, end: i64, w: i64) {
        let onset = self
            .habit
            .take()
            .map_or_else(|| self.active_from.map_or(end, |x| x * w), |h| h.2);
        if self.episodes.len() >= EPISODES_KEPT {
            self.episodes.remove(0);
        }
        self.episodes.push((onset, self.active_count));
    }

    /// The recent examples from `since` on (an alert's evidence is of its own time, not a
    /// background event from before it), or all of them when none is that recent.
    fn examples_since(&self, since: Option<i64>) -> Vec<Example> {
        let inside: Vec<Example> = self
            .recent_examples
            .iter()
            .filter(|e| matches!((e.time, since), (Some(t), Some(s)) if t >= s))
            .cloned()
            .collect();
        if inside.is_empty() {
            self.recent_examples.clone()
        } else {
            inside
        }
    }

    fn note_example(&mut self, e: &Example) {
        if self.recent_examples.len() >= EXAMPLES_PER_SIG {
            self.recent_examples.remove(0);
        }
        self.recent_examples.push(e.clone());
    }

    /// Accounts buckets `base_at..b` as empty.
    fn decay_to(&mut self, b: i64, d: f64) {
        if b <= self.base_at {
            return;
        }
        let gap = (b - self.base_at).min(1 << 30) as i32;
        let f = d.powi(gap);
        self.base_sum *= f;
        self.base_n = self.base_n * f + (1.0 - f) / (1.0 - d);
        self.base_at = b;
    }

    fn fold(&mut self, b: i64, count: u64, d: f64, prior: (f64, f64)) {
        if b < self.base_at {
            return;
        }
        self.decay_to(b, d);
        let in_active =
            self.active_from.is_some_and(|f| b >= f) && self.active_to.is_none_or(|t| b <= t);
        let c = if in_active {
            self.normal(prior)
        } else {
            count as f64
        };
        self.base_sum = self.base_sum * d + c;
        self.base_n = self.base_n * d + 1.0;
        self.base_at = b + 1;
    }

    /// Normal events per bucket; the prior keeps a barely-seen key from having a zero rate.
    fn normal(&self, prior: (f64, f64)) -> f64 {
        (self.base_sum + prior.0) / (self.base_n + prior.1)
    }

    /// Moves the ring to end at `b`, folding the buckets that roll off into the normal rate.
    fn roll_to(&mut self, b: i64, d: f64, prior: (f64, f64)) {
        if let Some(n) = self.recent.newest() {
            if b > n {
                let cap = self.recent.cap() as i64;
                let lo = n - cap + 1;
                let hi = (b - cap).min(n);
                for x in lo..=hi {
                    let c = self.recent.get(x);
                    self.fold(x, c, d, prior);
                }
            }
        }
        self.recent.advance_to(b);
    }

    fn merge_from(&mut self, other: &Track) {
        if let Some(n) = other.recent.newest() {
            let cap = other.recent.cap() as i64;
            for b in n - cap + 1..=n {
                let c = other.recent.get(b);
                if c > 0 {
                    self.recent.add(b, c);
                }
            }
        }
        self.base_sum += other.base_sum;
        self.base_n = self.base_n.max(other.base_n);
        self.total += other.total;
        self.requests += other.requests;
        self.first_seen = self.first_seen.min(other.first_seen);
        self.last_event_bucket = self.last_event_bucket.max(other.last_event_bucket);
        self.max_level = self.max_level.max(other.max_level);
        if other.novelty == Novelty::Reported || self.novelty == Novelty::Reported {
            self.novelty = Novelty::Reported;
        } else if other.novelty == Novelty::Known {
            self.novelty = Novelty::Known;
        }
        self.episodes.extend_from_slice(&other.episodes);
        self.episodes.sort_unstable();
        let extra = self.episodes.len().saturating_sub(EPISODES_KEPT);
        self.episodes.drain(..extra);
        if !self.cond.is_active() && other.cond.is_active() {
            self.cond = other.cond;
            self.habit = other.habit.clone();
            self.active_from = other.active_from;
            self.active_to = other.active_to;
            self.active_count = other.active_count;
        }
        self.hot |= other.hot;
    }
}

/// Counts of one open bucket.
#[derive(Default, Debug)]
struct Bucket {
    events: u64,
    errors: u64,
    /// Warn-or-worse events per signature, and their most severe level.
    /// Per signature: events, highest level, and how many of them were failed requests' own
    /// records (see `Track::requests`).
    by_sig: FxHashMap<u32, (u64, Option<Level>, u64)>,
    by_route: FxHashMap<u32, u64>,
    by_upstream: FxHashMap<u32, u64>,
    /// The first event of each signature / route / upstream key in the bucket: evidence
    /// from inside a spike (the summary keeps only the earliest examples ever).
    sig_example: FxHashMap<u32, Example>,
    key_example: FxHashMap<u32, Example>,
}

/// Live statistics for the status block.
#[derive(Clone, Debug, Default)]
pub struct LiveStats {
    pub events: u64,
    pub late_dropped: u64,
    pub keys_dropped: u64,
    pub buckets_closed: u64,
    /// Time up to which buckets are closed.
    pub closed_until: Option<i64>,
}

/// The live detection core; see the module doc.
pub struct Live {
    cfg: LiveConfig,
    det: Box<dyn Detector>,
    decay: f64,
    prior: (f64, f64),
    /// First event time: start of the warm-up and of learned history.
    start: Option<i64>,
    /// Next bucket to close.
    next_close: Option<i64>,
    open: BTreeMap<i64, Bucket>,
    sig_slot: Vec<u32>,
    /// Signatures observed at warn or worse that have no template slot yet.
    unmapped: bool,
    tracks: Vec<Track>,
    slot_by_id: FxHashMap<String, u32>,
    /// First sightings of one-off new events below warning level (see `set_templates`), and
    /// their template ids, by time.
    changes: Vec<(i64, String)>,
    /// Route tracks by route key, a unit separator, and view.
    routes: FxHashMap<Vec<u8>, u32>,
    /// Route tracks by route key (one per view that saw the route fail).
    route_views: FxHashMap<String, Vec<u32>>,
    /// Upstream tracks by host, a unit separator, and view; and kind.
    upstreams: FxHashMap<(Vec<u8>, u8), u32>,
    /// Upstream tracks by host (one per view and kind of trouble: an app's JSON call records
    /// and its plain error lines can both report one failing call).
    upstream_views: FxHashMap<String, Vec<u32>>,
    /// Hosts with a per-attempt trouble event seen (their give-up lines are not counted).
    attempt_hosts: rustc_hash::FxHashSet<Vec<u8>>,
    events_ring: Ring,
    errors_ring: Ring,
    /// Decayed count of all events in buckets before `past_total_at` (aligned with the start
    /// of the tracks' rings), for traffic-relative normal rates.
    past_total: f64,
    past_total_at: i64,
    /// Tracks waiting for the global total at the bucket their history starts.
    pending_stamps: BTreeMap<i64, Vec<u32>>,
    stats: LiveStats,
    /// Normal rates from a baseline: (buckets of history they stand for, all events per
    /// bucket, warn-or-worse events per bucket by template id).
    seed: Option<(f64, f64, FxHashMap<String, f64>)>,
    scratch: Vec<u8>,
    scratch_norm: Vec<u8>,
    dense: Vec<u64>,
    totals: Vec<u64>,
    minutes: Vec<u64>,
    alerts: Vec<Alert>,
    /// Ongoing conditions (and recent new templates), for the status block.
    active: BTreeMap<usize, Finding>,
}

/// A warn-or-worse signature waiting for its template.
const UNMAPPED: u32 = u32::MAX;
/// A signature never seen at warn or worse: no track.
const UNSEEN: u32 = u32::MAX - 1;

impl Live {
    pub fn new(cfg: LiveConfig, det: Box<dyn Detector>) -> Live {
        let decay = 0.5f64.powf(cfg.bucket_ms as f64 / cfg.half_life_ms.max(1) as f64);
        // Prior: a few minutes of pseudo-history at half an event per hour, so a never-seen
        // key has a small, non-zero normal rate, without drowning a short real history.
        let prior_buckets = 360_000.0 / cfg.bucket_ms.max(1) as f64;
        Live {
            prior: (0.05, prior_buckets),
            decay,
            det,
            start: None,
            next_close: None,
            open: BTreeMap::new(),
            sig_slot: Vec::new(),
            unmapped: false,
            tracks: Vec::new(),
            slot_by_id: FxHashMap::default(),
            routes: FxHashMap::default(),
            route_views: FxHashMap::default(),
            changes: Vec::new(),
            upstreams: FxHashMap::default(),
            upstream_views: FxHashMap::default(),
            attempt_hosts: Default::default(),
            events_ring: Ring::new(cfg.history_buckets),
            errors_ring: Ring::new(cfg.history_buckets),
            past_total: 0.0,
            past_total_at: i64::MIN,
            pending_stamps: BTreeMap::new(),
            stats: LiveStats::default(),
            seed: None,
            scratch: Vec::new(),
            scratch_norm: Vec::new(),
            dense: Vec::new(),
            totals: Vec::new(),
            minutes: Vec::new(),
            alerts: Vec::new(),
            active: BTreeMap::new(),
            cfg,
        }
    }

    /// Starts from a baseline's normal rates (per millisecond over `span_ms`) instead of
    /// nothing: template tracks and the traffic total begin with that history, weighted like
    /// the decayed past (at most one half-life's worth), so spikes can be judged at once.
    pub fn seed(&mut self, span_ms: i64, total_per_ms: f64, templates: FxHashMap<String, f64>) {
        let w = self.cfg.bucket_ms as f64;
        let n = (span_ms as f64 / w).min(1.0 / (1.0 - self.decay));
        let per_bucket = templates.into_iter().map(|(k, r)| (k, r * w)).collect();
        self.seed = Some((n, total_per_ms * w, per_bucket));
    }

    pub fn config(&self) -> &LiveConfig {
        &self.cfg
    }

    pub fn stats(&self) -> &LiveStats {
        &self.stats
    }

    /// Events and error-or-worse events per bucket over the recent history, oldest first.
    pub fn series(&self) -> (Vec<u64>, Vec<u64>) {
        (self.events_ring.dense(), self.errors_ring.dense())
    }

    /// Ongoing spikes and recently confirmed new templates, most severe first.
    pub fn active_findings(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.active.values().collect();
        v.sort_by(|a, b| crate::detect::rank_order(a, b));
        v
    }

    /// The one-off new lines that name a change (a deploy, a restart), first seen after the
    /// warm-up: (first seen, template id), by time.
    pub fn changes(&self) -> &[(i64, String)] {
        &self.changes
    }

    /// Takes the alerts detected so far, in detection order.
    pub fn take_alerts(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.alerts)
    }

    /// Time (ms) before which buckets are closed: events older than this are too late.
    pub fn horizon(&self) -> Option<i64> {
        self.next_close.map(|b| b * self.cfg.bucket_ms)
    }

    fn history_start_bucket(&self) -> i64 {
        self.start.map_or(0, |s| s.div_euclid(self.cfg.bucket_ms))
    }

    /// Counts one event into its bucket.
    pub fn observe(&mut self, o: &Obs<'_>) {
        self.stats.events += 1;
        if self.start.is_none() {
            self.start = Some(o.time);
        }
        let b = o.time.div_euclid(self.cfg.bucket_ms);
        match self.next_close {
            // Nothing closed yet: an earlier first event only moves the start back.
            Some(nc) if b < nc && self.stats.buckets_closed == 0 => {
                self.next_close = Some(b - self.cfg.late_ms.div_euclid(self.cfg.bucket_ms) - 1);
                self.start = self.start.map(|s| s.min(o.time));
            }
            Some(nc) if b < nc => {
                self.stats.late_dropped += 1;
                return;
            }
            // The first event may not be the earliest: keep the late tolerance open before it.
            None => self.next_close = Some(b - self.cfg.late_ms.div_euclid(self.cfg.bucket_ms) - 1),
            _ => {}
        }
        let warnish = o.level.is_some_and(|l| l >= Level::Warn);
        let errorish = o.level.is_some_and(|l| l >= Level::Error);
        let route = self.route_slot(o);
        let upstream = self.upstream_slot(o);
        let bucket = self.open.entry(b).or_default();
        bucket.events += 1;
        if errorish {
            bucket.errors += 1;
        }
        if warnish && o.sig != u32::MAX {
            let e = bucket.by_sig.entry(o.sig).or_insert((0, None, 0));
            e.0 += 1;
            e.1 = e.1.max(o.level);
            e.2 += u64::from(route.is_some());
            bucket
                .sig_example
                .entry(o.sig)
                .or_insert_with(|| Example::named(o.source, o.line, Some(o.time), o.raw));
            let s = o.sig as usize;
            if s >= self.sig_slot.len() {
                self.sig_slot.resize(s + 1, UNSEEN);
            }
            if self.sig_slot[s] == UNSEEN {
                self.sig_slot[s] = UNMAPPED;
            }
            if self.sig_slot[s] == UNMAPPED {
                self.unmapped = true;
            }
        }
        for k in [route, upstream].into_iter().flatten() {
            bucket
                .key_example
                .entry(k)
                .or_insert_with(|| Example::named(o.source, o.line, Some(o.time), o.raw));
        }
        if let Some(r) = route {
            *bucket.by_route.entry(r).or_insert(0) += 1;
        }
        if let Some(u) = upstream {
            *bucket.by_upstream.entry(u).or_insert(0) += 1;
        }
    }

    /// Route slot for a failed (5xx) request, creating the track on first sight. A request
    /// that names the upstream serving it (Nginx's `upstream_addr`, Envoy's upstream host, a
    /// load balancer's target, an app's request log naming the provider it called) is still
    /// the route's request; only an outbound call (its path an absolute URL to the upstream
    /// itself) is not, as in the batch endpoint table.
    fn route_slot(&mut self, o: &Obs<'_>) -> Option<u32> {
        let status = o.status?;
        if status < 500 || outbound(o) {
            return None;
        }
        let path = o.path?;
        crate::endpoints::write_route_key(
            o.method,
            path,
            &mut self.scratch_norm,
            &mut self.scratch,
        );
        let route_len = self.scratch.len();
        self.scratch.push(0x1f);
        self.scratch.extend_from_slice(o.view.as_bytes());
        if let Some(&i) = self.routes.get(self.scratch.as_slice()) {
            return Some(i);
        }
        if self.routes.len() >= MAX_ROUTES {
            self.stats.keys_dropped += 1;
            return None;
        }
        let name = String::from_utf8_lossy(&self.scratch[..route_len]).into_owned();
        let i = self.new_track(KeyKind::Route(name.clone()), o.time, Some(Level::Error));
        self.routes.insert(self.scratch.clone(), i);
        self.route_views.entry(name).or_default().push(i);
        Some(i)
    }

    /// Upstream slot for a rate-limited, timed-out or failed outbound call: an event that
    /// names its upstream in a field, or (as the batch endpoint table reads them) a warning
    /// or error whose message says what went wrong with which host (`Error 111 connecting
    /// to redis-master:6379. Connection refused.`).
    fn upstream_slot(&mut self, o: &Obs<'_>) -> Option<u32> {
        let mentioned;
        let (host, kind) = match o.upstream {
            Some(host) => (host, upstream_problem(o)?),
            None => {
                let (host, kind) = mentioned_upstream(o)?;
                mentioned = host;
                (mentioned.as_bytes(), kind)
            }
        };
        if o.upstream.is_some()
            && kind == UpKind::Failure
            && o.status.is_some_and(|s| s >= 500)
            && o.path.is_some()
            && !outbound(o)
        {
            // The 5xx of an inbound request that names its upstream: the failing route
            // reports it (the batch table counts it as `server_errors_inbound`). Without a
            // status, the message's own words still make it the upstream's failure.
            return None;
        }
        // A give-up line after logged attempts would count the same call once more (looked
        // for only here, on troubled calls).
        if crate::endpoints::upstream::gave_up(o.message, o.fields) {
            if self.attempt_hosts.contains(host) {
                return None;
            }
        } else if !self.attempt_hosts.contains(host) && self.attempt_hosts.len() < MAX_UPSTREAMS {
            self.attempt_hosts.insert(host.to_vec());
        }
        let mut key = host.to_vec();
        key.push(0x1f);
        key.extend_from_slice(o.view.as_bytes());
        let k = (key, kind as u8);
        if let Some(&i) = self.upstreams.get(&k) {
            return Some(i);
        }
        if self.upstreams.len() >= MAX_UPSTREAMS {
            self.stats.keys_dropped += 1;
            return None;
        }
        let level = if kind == UpKind::RateLimited {
            Level::Warn
        } else {
            Level::Error
        };
        let name = String::from_utf8_lossy(host).into_owned();
        let i = self.new_track(
            KeyKind::Upstream {
                host: name.clone(),
                kind,
            },
            o.time,
            Some(level),
        );
        self.upstreams.insert(k, i);
        self.upstream_views.entry(name).or_default().push(i);
        Some(i)
    }

    /// Registers track `i` to learn the global traffic total at the bucket its history
    /// starts (`tot_from`), which `close_bucket` records when the total gets there.
    fn stamp_traffic(&mut self, i: u32) {
        let t = &mut self.tracks[i as usize];
        t.tot_from = t.base_at;
        if self.past_total_at != i64::MIN && t.tot_from < self.past_total_at {
            // Already passed (at most a ring's width ago): the current total is close.
            t.tot_offset = Some(self.past_total);
        } else {
            self.pending_stamps.entry(t.tot_from).or_default().push(i);
        }
    }

    fn new_track(&mut self, key: KeyKind, first: i64, level: Option<Level>) -> u32 {
        let mut t = Track::new(
            key,
            self.cfg.window_buckets,
            self.history_start_bucket(),
            first,
        );
        t.max_level = level;
        self.tracks.push(t);
        let i = (self.tracks.len() - 1) as u32;
        self.stamp_traffic(i);
        i
    }

    /// Gives tracks whose history starts at or before bucket `x` the global total so far.
    fn resolve_stamps(&mut self, x: i64) {
        while let Some((&b, _)) = self.pending_stamps.iter().next() {
            if b > x {
                break;
            }
            for i in self.pending_stamps.remove(&b).unwrap_or_default() {
                self.tracks[i as usize].tot_offset = Some(self.past_total);
            }
        }
    }

    /// Whether closing buckets needs a fresh template map (new warn-or-worse signatures).
    pub fn needs_templates(&self) -> bool {
        self.unmapped
    }

    /// Applies the caller's clustering: maps signatures to template tracks, moving the state
    /// of templates whose id changed (clusters re-formed) to their new template.
    pub fn set_templates(&mut self, map: &TemplateMap) {
        let hist = self.history_start_bucket();
        let warmup_end = self.start.map(|s| s + self.cfg.warmup_ms);
        // Changes: one-off new events below warning level (a deploy, a restart, a config
        // reload), by first sighting.
        self.changes = map
            .list
            .iter()
            .filter(|i| {
                !i.known
                    && !i.provisional
                    && i.count <= MAX_CHANGE_EVENTS
                    && i.level.is_none_or(|l| l < Level::Warn)
                    && names_a_change(&i.text)
            })
            .filter_map(|i| Some((i.first_time?, i.id.clone())))
            .filter(|&(f, _)| warmup_end.is_some_and(|w| f >= w))
            .collect();
        self.changes.sort_unstable();
        for s in 0..self.sig_slot.len() {
            if self.sig_slot[s] == UNSEEN {
                continue;
            }
            let Some(&ti) = map.by_sig.get(s) else {
                continue;
            };
            let Some(info) = map.list.get(ti as usize) else {
                continue;
            };
            let old = self.sig_slot[s];
            let new = match self.slot_by_id.get(&info.id) {
                Some(&i) => i,
                None => {
                    let first = info.first_time.unwrap_or(i64::MAX);
                    let mut t = Track::new(
                        KeyKind::Template {
                            id: info.id.clone(),
                            text: info.text.clone(),
                        },
                        self.cfg.window_buckets,
                        hist,
                        first,
                    );
                    let seen_in_warmup = warmup_end.is_none_or(|w| first < w);
                    if let Some(r) = self
                        .seed
                        .as_ref()
                        .and_then(|(n, _, m)| m.get(&info.id).map(|r| (*n, *r)))
                    {
                        t.base_sum = r.0 * r.1;
                        t.base_n = r.0;
                    }
                    let seeded = self
                        .seed
                        .as_ref()
                        .is_some_and(|(_, _, m)| m.contains_key(&info.id));
                    if seeded {
                        t.tot_offset = Some(0.0);
                    }
                    t.novelty = if info.known || seen_in_warmup {
                        Novelty::Known
                    } else {
                        // A new template's normal is learned from its first appearance on:
                        // the hours of silence before it say nothing about its rate now.
                        t.base_at = t.base_at.max(first.div_euclid(self.cfg.bucket_ms));
                        Novelty::Candidate
                    };
                    t.events_before = self.stats.events;
                    self.tracks.push(t);
                    let i = (self.tracks.len() - 1) as u32;
                    if !seeded {
                        self.stamp_traffic(i);
                    }
                    self.slot_by_id.insert(info.id.clone(), i);
                    i
                }
            };
            self.tracks[new as usize].provisional = info.provisional;
            if old != UNMAPPED && old != new && !self.tracks[old as usize].merged {
                let src = self.tracks[old as usize].clone();
                self.tracks[new as usize].merge_from(&src);
                self.tracks[old as usize].release();
                self.active.remove(&(old as usize));
            }
            if let Some(ft) = info.first_time {
                let t = &mut self.tracks[new as usize];
                t.first_seen = t.first_seen.min(ft);
            }
            self.sig_slot[s] = new;
        }
        self.unmapped = self.sig_slot.contains(&UNMAPPED) && self.open_has_unmapped();
    }

    fn open_has_unmapped(&self) -> bool {
        self.open.values().any(|b| {
            b.by_sig
                .keys()
                .any(|&s| self.sig_slot.get(s as usize).is_none_or(|&x| x == UNMAPPED))
        })
    }

    /// Closes every bucket that ends at or before `now - late`. `templates` is called (at most
    /// once) when new signatures need a template before their bucket can be evaluated.
    pub fn tick(&mut self, now: i64, templates: &mut dyn FnMut() -> TemplateMap) {
        let Some(mut nc) = self.next_close else {
            return;
        };
        let w = self.cfg.bucket_ms;
        let limit = now.saturating_sub(self.cfg.late_ms).div_euclid(w); // buckets < limit may close
        if nc >= limit {
            return;
        }
        if self.unmapped && self.open.range(..limit).any(|(_, b)| !b.by_sig.is_empty()) {
            let map = templates();
            self.set_templates(&map);
        }
        // Long gaps without events: after a window plus the cool-down of empty buckets every
        // track is quiet, so the rest of the gap can be skipped.
        let max_gap = (self.cfg.window_buckets as i64) + self.cfg.cooldown_ms / w + 2;
        while nc < limit {
            // The next bucket with data, or the limit when none comes before it (data
            // beyond the limit, say a far-future timestamp, must not make the gap up to the
            // limit walk bucket by bucket).
            let next = self.open.keys().next().map_or(limit, |&k| k.min(limit));
            if next > nc + max_gap {
                self.close_bucket(nc + max_gap);
                nc = next;
                continue;
            }
            self.close_bucket(nc);
            nc += 1;
        }
        self.next_close = Some(nc);
        self.stats.closed_until = Some(nc * w);
    }

    /// End of input: closes every open bucket.
    pub fn finish(&mut self, templates: &mut dyn FnMut() -> TemplateMap) {
        if let Some(&last) = self.open.keys().next_back() {
            let end = (last + 1) * self.cfg.bucket_ms + self.cfg.late_ms;
            self.tick(end, templates);
        }
    }

    fn close_bucket(&mut self, b: i64) {
        self.stats.buckets_closed += 1;
        let bucket = self.open.remove(&b).unwrap_or_default();
        // Everything before `b` is closed too (a gap was skipped).
        for k in self
            .open
            .keys()
            .copied()
            .filter(|&k| k < b)
            .collect::<Vec<_>>()
        {
            self.open.remove(&k);
        }
        self.events_ring.add(b, bucket.events);
        self.errors_ring.add(b, bucket.errors);
        let (d, prior) = (self.decay, self.prior);
        let w = self.cfg.bucket_ms;
        // All-events history older than the tracks' rings, aligned with them.
        let first_in_ring = b - self.cfg.window_buckets as i64 + 1;
        let hist = self.history_start_bucket();
        if self.past_total_at == i64::MIN {
            self.past_total_at = hist.min(first_in_ring);
            if let Some((n, total, _)) = &self.seed {
                self.past_total = n * total;
            }
        }
        if first_in_ring - self.past_total_at > self.cfg.history_buckets as i64 {
            let gap = (first_in_ring - self.past_total_at).min(1 << 30) as i32;
            self.past_total *= d.powi(gap);
        } else {
            for x in self.past_total_at..first_in_ring {
                self.resolve_stamps(x);
                let c = if x >= hist {
                    self.events_ring.get(x)
                } else {
                    0
                };
                self.past_total = self.past_total * d + c as f64;
            }
        }
        self.past_total_at = self.past_total_at.max(first_in_ring);
        self.resolve_stamps(first_in_ring);
        let mut touched: Vec<(u32, u64)> = Vec::new();
        for (&sig, &(c, level, requests)) in &bucket.by_sig {
            let slot = self.sig_slot.get(sig as usize).copied().unwrap_or(UNMAPPED);
            if slot != UNMAPPED {
                touched.push((slot, c));
                let t = &mut self.tracks[slot as usize];
                t.max_level = t.max_level.max(level);
                t.requests += requests;
                if let Some(e) = bucket.sig_example.get(&sig) {
                    t.note_example(e);
                }
            }
        }
        for (k, e) in &bucket.key_example {
            self.tracks[*k as usize].note_example(e);
        }
        touched.extend(bucket.by_route.iter().map(|(&k, &c)| (k, c)));
        touched.extend(bucket.by_upstream.iter().map(|(&k, &c)| (k, c)));
        touched.sort_unstable();
        for &(slot, c) in &touched {
            let t = &mut self.tracks[slot as usize];
            t.roll_to(b, d, prior);
            t.recent.add(b, c);
            t.minutes.add((b * w).div_euclid(60_000), c);
            t.total += c;
            if t.first_seen == i64::MAX {
                // A template whose events carry no time was first seen when they arrived.
                t.first_seen = b * w;
            }
            t.last_event_bucket = b;
            if t.cond.is_active() {
                t.active_count += c;
            }
            t.hot = true;
        }
        let end = (b + 1) * w;
        let alerting = self.start.is_some_and(|s| end > s + self.cfg.warmup_ms);
        for i in 0..self.tracks.len() {
            if !self.tracks[i].hot || self.tracks[i].merged {
                continue;
            }
            self.evaluate(i, b, end, alerting);
        }
    }

    /// For a route or upstream track: whether another view's track of the route (upstream)
    /// is alerting, and one that is active but silenced (to take over when this one ends).
    fn other_views(&self, i: usize) -> (bool, Option<usize>) {
        let key = &self.tracks[i].key;
        let views = match key {
            KeyKind::Route(name) => self.route_views.get(name),
            KeyKind::Upstream { host, .. } => self.upstream_views.get(host),
            KeyKind::Template { .. } => None,
        };
        let (mut alerting, mut silenced) = (false, None);
        for &j in views.into_iter().flatten() {
            let j = j as usize;
            // An upstream's other views of the same kind of trouble.
            let other_kind = match (key, &self.tracks[j].key) {
                (KeyKind::Upstream { kind, .. }, KeyKind::Upstream { kind: k, .. }) => kind != k,
                _ => false,
            };
            if j == i || other_kind {
                continue;
            }
            if self.active.contains_key(&j) {
                alerting = true;
            } else if self.tracks[j].silenced && self.tracks[j].cond.is_active() {
                silenced.get_or_insert(j);
            }
        }
        (alerting, silenced)
    }

    fn evaluate(&mut self, i: usize, b: i64, end: i64, alerting: bool) {
        let (view_busy, heir) = self.other_views(i);
        let mut take_over = None;
        let (d, prior) = (self.decay, self.prior);
        let w = self.cfg.bucket_ms;
        let cap = self.cfg.window_buckets as i64;
        let watched_ms = self.start.map_or(0, |s| (end - s).max(0));
        let t = &mut self.tracks[i];
        let is_template = matches!(t.key, KeyKind::Template { .. });
        t.roll_to(b, d, prior);
        let first_in_ring = b - cap + 1;
        t.decay_to(first_in_ring, d);
        t.recent.dense_into(&mut self.dense);
        self.events_ring.dense_into(&mut self.totals);
        let keep = self.totals.len().saturating_sub(self.dense.len());
        self.totals.drain(..keep);
        t.minutes.advance_to((end - 1).div_euclid(60_000));
        t.minutes.dense_into(&mut self.minutes);
        let hist = self.start.map_or(b, |s| s.div_euclid(w));
        let window = Window {
            counts: &self.dense,
            totals: &self.totals,
            minutes: &self.minutes,
            minutes_watched: self
                .start
                .map_or(0, |s| ((end - s).max(0) / 60_000) as usize + 1),
            past_total: match t.tot_offset {
                Some(off) => (self.past_total
                    - off * d.powi((self.past_total_at - t.tot_from).clamp(0, 1 << 30) as i32))
                .max(0.0),
                None => 0.0,
            },
            strict: is_template && t.max_level.is_none_or(|l| l < Level::Error),
            // Every route that has failed is a chance for a background cluster of 5xx to look
            // like a failure: they share the bar (by the square root of their number; the
            // full split would hold back a real failure of a quiet route by another event).
            family: if matches!(t.key, KeyKind::Route(_)) {
                (self.route_views.len() as f64).sqrt().ceil() as usize
            } else {
                1
            },
            bucket_ms: w,
            in_history: (b - hist + 1).clamp(0, cap) as usize,
            active_from: t
                .active_from
                .filter(|_| t.cond.is_active())
                .map(|f| (f - first_in_ring).clamp(0, cap) as usize),
            past_sum: t.base_sum,
            past_n: t.base_n,
            prior,
        };
        // Never-seen templates: confirm as new (once), or become known after the window.
        if is_template && t.novelty == Novelty::Candidate {
            let age = end - t.first_seen;
            let start = self.start.unwrap_or(t.first_seen);
            let first = t.first_seen;
            let cand = NewCandidate {
                count: t.total,
                age_ms: age,
                watched_before_ms: first - start + self.cfg.watched_before_ms,
                watched_events: t.events_before,
                is_error: t.max_level.is_some_and(|l| l >= Level::Error),
                is_fatal: t.max_level.is_some_and(|l| l >= Level::Fatal),
                // `changes` is sorted: the first one not too long before, if not after.
                after_change: self
                    .changes
                    .get(
                        self.changes
                            .partition_point(|c| c.0 < first.saturating_sub(CHANGE_LOOKBACK_MS)),
                    )
                    .is_some_and(|c| c.0 <= first),
            };
            if alerting && !t.provisional && self.det.new_confirmed(&cand) {
                t.novelty = Novelty::Reported;
                let mut f = new_finding(t, end, w);
                f.examples = t.examples_since(f.start);
                open_alert(
                    &mut self.active,
                    &mut self.alerts,
                    i,
                    end,
                    f,
                    Some(i as u32),
                );
            } else if age > self.cfg.new_window_ms {
                t.novelty = Novelty::Known;
            }
        }
        if is_template
            && t.novelty == Novelty::Reported
            && end - t.first_seen > self.cfg.new_window_ms
        {
            // A reported new template becomes an ordinary one after the observation window:
            // it leaves the status block and may spike like any other from then on.
            t.novelty = Novelty::Known;
            if !t.cond.is_active() {
                self.active.remove(&i);
            }
        } else if is_template && t.novelty == Novelty::Reported && !t.cond.is_active() {
            if let Some(f) = self.active.get_mut(&i) {
                // A new template in the status block: its events and severity so far.
                f.count = t.total;
                f.rate = Some(per_min_since(t.total, t.first_seen, end, w));
                f.rescore(t.max_level);
            }
        }
        // Spikes: only for keys with history (a never-seen template is news, not a spike), and
        // not for an access log's request line (`GET <PATH> HTTP/<NUM>`): its failing requests
        // are the route tracks' alerts, named by route.
        let request_line = matches!(&t.key, KeyKind::Template { text, .. }
            if crate::detect::spikes::request_line(text).is_some())
            // A structured request log's failed records ("request completed" at 503): as
            // many alerts as the route's, for the same failures.
            || (is_template && t.requests * 10 >= t.total * 9 && t.total > 0);
        let eligible = alerting && (!is_template || t.novelty == Novelty::Known) && !request_line;
        let start_ev = if eligible {
            self.det.spike_start(&window)
        } else {
            None
        };
        let active_info = ActiveSpike {
            buckets: t.active_from.map_or(0, |f| (b - f + 1).max(0) as u64),
            count: t.active_count,
        };
        let ended = t.cond.is_active() && self.det.spike_ended(&window, &active_info);
        let onset = start_ev.as_ref().map_or(end, |ev| {
            // Onset: the first non-empty bucket of the window that fired.
            let k = ev.buckets;
            let first = self.dense.len().saturating_sub(k);
            let off = self.dense[first..].iter().position(|&c| c > 0).unwrap_or(0);
            (b - (k - off) as i64 + 1) * w
        });
        let tr = t
            .cond
            .step(end, start_ev.is_some(), ended, onset, self.cfg.cooldown_ms);
        match tr {
            Some(Transition::Start) => {
                let ev = start_ev.unwrap_or(super::detector::SpikeEvidence {
                    buckets: 1,
                    count: 0,
                    expected: 0.0,
                    p_value: 1.0,
                });
                let from = onset.div_euclid(w);
                t.active_from = Some(from);
                t.active_to = None;
                t.active_count = (from..=b).map(|x| t.recent.get(x)).sum();
                if view_busy {
                    // Another view of this route already alerts this condition.
                    t.silenced = true;
                    return;
                }
                if is_template {
                    if let Some(size) = habit_size(&t.episodes, onset, watched_ms) {
                        // One more of the template's usual clumps: alerted only if it outgrows
                        // them (below).
                        t.silenced = true;
                        t.habit = Some((size, ev, onset));
                        return;
                    }
                }
                let mut f = spike_finding(t, &ev, onset, w, end);
                f.examples = t.examples_since(f.start);
                open_alert(
                    &mut self.active,
                    &mut self.alerts,
                    i,
                    end,
                    f,
                    is_template.then_some(i as u32),
                );
            }
            Some(Transition::End) if t.silenced || heir.is_some() => {
                // Silent end, or the route is still failing in another view: that view's
                // track carries the open alert on (and ends it).
                t.active_to = Some(t.last_event_bucket);
                if is_template {
                    t.note_episode(end, w);
                }
                if !std::mem::take(&mut t.silenced) {
                    if let (Some(j), Some(f)) = (heir, self.active.remove(&i)) {
                        self.active.insert(j, f);
                        take_over = Some(j);
                    }
                }
            }
            Some(Transition::End) => {
                let last_hot_end = (t.last_event_bucket + 1) * w;
                t.active_to = Some(t.last_event_bucket);
                if is_template {
                    t.note_episode(end, w);
                }
                let mut f = self
                    .active
                    .remove(&i)
                    .unwrap_or_else(|| Finding::new(spike_kind(&t.key), spike_title(&t.key)));
                f.end = Some(last_hot_end.min(end));
                f.examples = t.examples_since(f.start);
                f.count = t.active_count;
                let since = t.active_from.map_or(end, |x| x * w);
                let minutes = ((last_hot_end - since).max(w)) as f64 / 60_000.0;
                f.rate = Some(t.active_count as f64 / minutes);
                f.factor = live_factor(f.rate, f.baseline_rate);
                f.rescore(t.max_level);
                self.alerts.push(Alert {
                    phase: AlertPhase::End,
                    at: end,
                    finding: f,
                    template_slot: is_template.then_some(i as u32),
                });
            }
            None => {}
        }
        if t.cond.is_active() {
            if let Some(f) = self.active.get_mut(&i) {
                // The open finding as it stands now (the status block shows it; the start
                // alert said what was known then): events, rate and severity so far.
                let since = t.active_from.map_or(end, |x| x * w);
                f.count = t.active_count;
                f.rate = Some(per_min_since(t.active_count, since, end, w));
                f.factor = live_factor(f.rate, f.baseline_rate);
                f.rescore(t.max_level);
            }
            let outgrown = t
                .habit
                .as_ref()
                .filter(|h| t.silenced && t.active_count as f64 > burst::FAMILY_RATIO * h.0);
            if let Some((size, ev, onset)) = outgrown.cloned() {
                // The clump that went wrong: alerted now, with how far past the usual size.
                t.silenced = false;
                let mut f = spike_finding(t, &ev, onset, w, end);
                f.examples = t.examples_since(f.start);
                f.notes.push(format!(
                    "this template comes in clumps of ~{size:.0} events; this one has {} so far",
                    t.active_count
                ));
                f.details
                    .insert("usual_clump_events".into(), serde_json::json!(size));
                open_alert(
                    &mut self.active,
                    &mut self.alerts,
                    i,
                    end,
                    f,
                    Some(i as u32),
                );
            }
        }
        let quiet = self.dense.iter().all(|&c| c == 0);
        if quiet
            && t.cond.phase == Phase::Normal
            && t.novelty != Novelty::Candidate
            && !self.active.contains_key(&i)
        {
            t.hot = false;
        }
        if let Some(j) = take_over {
            self.tracks[j].silenced = false;
        }
    }
}

/// Spikes remembered per template (see [`habit_size`]).
const EPISODES_KEPT: usize = 8;

/// The usual size of a template's clumps, when a spike starting at `onset` is one more of
/// them: at least 3 earlier spikes within 3× of their median size, the oldest of them at
/// least an hour and a third of the watched time (up to a day) before `onset`. The live
/// counterpart of [`crate::detect::burst::mark_recurrent`]: a template that has come in
/// similar clumps at irregular times for hours is not news at its next clump (the first
/// three are alerted; the batch report, seeing the whole input, drops them all). Flaps
/// packed into the last hour stay alerts.
fn habit_size(episodes: &[(i64, u64)], onset: i64, watched_ms: i64) -> Option<f64> {
    if episodes.len() < 3 {
        return None;
    }
    let mut sizes: Vec<f64> = episodes.iter().map(|e| e.1 as f64).collect();
    let med = burst::median(&mut sizes);
    let family: Vec<&(i64, u64)> = episodes
        .iter()
        .filter(|e| burst::same_size(e.1 as f64, med))
        .collect();
    let oldest = family.iter().map(|e| e.0).min()?;
    let need = (watched_ms.min(86_400_000) / 3).max(3_600_000);
    (family.len() >= 3 && onset - oldest >= need).then_some(med)
}

/// Makes `f` the open finding of track `i` and alerts its start at `end`.
fn open_alert(
    active: &mut BTreeMap<usize, Finding>,
    alerts: &mut Vec<Alert>,
    i: usize,
    end: i64,
    f: Finding,
    template_slot: Option<u32>,
) {
    active.insert(i, f.clone());
    alerts.push(Alert {
        phase: AlertPhase::Start,
        at: end,
        finding: f,
        template_slot,
    });
}

fn spike_kind(key: &KeyKind) -> FindingKind {
    match key {
        KeyKind::Template { .. } => FindingKind::Spike,
        KeyKind::Route(_) => FindingKind::FailingRoute,
        KeyKind::Upstream { kind, .. } => match kind {
            UpKind::RateLimited => FindingKind::RateLimited,
            UpKind::Timeout | UpKind::Refused => FindingKind::UpstreamTimeout,
            UpKind::Failure => FindingKind::UpstreamFailure,
        },
    }
}

fn spike_title(key: &KeyKind) -> String {
    match key {
        KeyKind::Template { text, .. } => {
            format!("Spike: {}", crate::report::template_label(text, usize::MAX))
        }
        KeyKind::Route(r) => format!("{r} failing (5xx)"),
        KeyKind::Upstream { host, kind } => match kind {
            UpKind::RateLimited => format!("Rate limited by {host}"),
            UpKind::Timeout => format!("Timeouts calling {host}"),
            UpKind::Refused => format!("Connections failing to {host}"),
            UpKind::Failure => format!("Failures from {host}"),
        },
    }
}

fn fill_key(f: &mut Finding, key: &KeyKind) {
    match key {
        KeyKind::Template { id, text } => {
            f.template = Some(text.clone());
            f.template_id = Some(id.clone());
        }
        KeyKind::Route(r) => f.route = Some(r.clone()),
        KeyKind::Upstream { host, .. } => f.upstream = Some(host.clone()),
    }
}

/// A live finding's factor: its rate over the normal one, or, when there was none, the
/// batch findings' stand-in for a rise from nothing
/// ([`MAX_FACTOR_FROM_ZERO`](crate::detect::endpoints::MAX_FACTOR_FROM_ZERO)).
fn live_factor(rate: Option<f64>, baseline: Option<f64>) -> Option<f64> {
    match (rate, baseline) {
        (Some(r), Some(b)) if b > 0.0 => Some(r / b),
        (Some(r), Some(_)) if r > 0.0 => Some(crate::detect::endpoints::MAX_FACTOR_FROM_ZERO),
        _ => None,
    }
}

/// `count` events from `since` to `end`, per minute (over one bucket `w` at least): the rate
/// the alerts and the status block show.
fn per_min_since(count: u64, since: i64, end: i64, w: i64) -> f64 {
    count as f64 / ((end - since).max(w) as f64 / 60_000.0)
}

/// The finding a spike's start alert carries, at `end`: its events since `onset` and their
/// rate over the time since then (as the status block goes on to show it), against the normal
/// rate the detector expected in the window `ev` that fired.
fn spike_finding(
    t: &Track,
    ev: &super::detector::SpikeEvidence,
    onset: i64,
    w: i64,
    end: i64,
) -> Finding {
    let mut f = Finding::new(spike_kind(&t.key), spike_title(&t.key));
    fill_key(&mut f, &t.key);
    let per_min = 60_000.0 / w as f64;
    let minutes = ev.buckets as f64 / per_min;
    f.start = Some(onset);
    // (The window that fired can begin before the onset, and its last bucket is still
    // filling: "13 events since 09:17:00Z" ten seconds after it is 78/min, not 13/min.)
    f.count = t.active_count;
    f.rate = Some(per_min_since(t.active_count, onset, end, w));
    f.baseline_rate = if t.total <= t.active_count {
        // Nothing of the key before this: its normal rate is none, not the detector's prior
        // (whose ratio would only say how long the quiet was), as in the batch findings.
        Some(0.0)
    } else {
        Some(ev.expected / ev.buckets.max(1) as f64 * per_min)
    };
    f.factor = live_factor(f.rate, f.baseline_rate);
    f.bucket_ms = Some(w);
    f.details
        .insert("window_minutes".into(), serde_json::json!(minutes));
    f.details
        .insert("p_value".into(), serde_json::json!(ev.p_value));
    f.rescore(t.max_level);
    f
}

fn new_finding(t: &Track, end: i64, w: i64) -> Finding {
    // As the batch findings word it.
    let word = match t.max_level {
        Some(Level::Fatal) => "New fatal error",
        Some(Level::Error) => "New error",
        _ => "New warning",
    };
    let text = match &t.key {
        KeyKind::Template { text, .. } => text.as_str(),
        _ => "",
    };
    let mut f = Finding::new(FindingKind::NewError, format!("{word}: {text}"));
    fill_key(&mut f, &t.key);
    f.start = Some(t.first_seen);
    f.count = t.total;
    f.rate = Some(per_min_since(t.total, t.first_seen, end, w));
    f.bucket_ms = Some(w);
    f.rescore(t.max_level);
    f
}

/// Whether the event is an outbound call: its path an absolute URL to its upstream host.
fn outbound(o: &Obs<'_>) -> bool {
    use crate::endpoints::upstream::{is_outbound, normalize_upstream};
    match (o.path, o.upstream.and_then(normalize_upstream)) {
        (Some(p), Some(h)) => is_outbound(p, &h),
        _ => false,
    }
}

/// The host and problem a warning or error names in its message, read as the batch endpoint
/// table reads them (`endpoints::upstream::scan_message`): only for events that are no
/// successful request of a route, and not a request line's own 5xx.
fn mentioned_upstream(o: &Obs<'_>) -> Option<(String, UpKind)> {
    use crate::endpoints::upstream::{scan_message, Outcome};
    let failed = o.status.is_some_and(|s| s >= 500);
    let route = o.path.is_some() && o.status.is_some();
    if (route && !failed) || o.level.is_some_and(|l| l < Level::Warn) {
        return None;
    }
    let m = scan_message(o.message, route)?;
    let kind = match m.outcome {
        Outcome::Timeout => UpKind::Timeout,
        Outcome::Refused => UpKind::Refused,
        Outcome::RateLimited => UpKind::RateLimited,
        Outcome::ServerError if !(route && m.status == o.status) => UpKind::Failure,
        Outcome::ServerError | Outcome::Ok | Outcome::ClientError => return None,
    };
    Some((m.host, kind))
}

/// The trouble of an outbound call named in a field, read as the endpoint table reads it
/// ([`crate::endpoints::call_outcome`]): its status, else what its message or error fields
/// say (`socket hang up`, `429 Too Many Requests`), else a failure if it is an error.
fn upstream_problem(o: &Obs<'_>) -> Option<UpKind> {
    use crate::endpoints::upstream::Outcome;
    let (outcome, ..) = crate::endpoints::call_outcome(o.status, o.message, o.fields, o.level);
    match outcome {
        Outcome::RateLimited => Some(UpKind::RateLimited),
        Outcome::Timeout => Some(UpKind::Timeout),
        Outcome::Refused => Some(UpKind::Refused),
        Outcome::ServerError => Some(UpKind::Failure),
        Outcome::ClientError | Outcome::Ok => None,
    }
}

#[cfg(test)]
impl Live {
    /// Test helper: the events counted into template `id`'s track, in all and in its recent
    /// window; `None` if there is no such track or it was merged into another.
    pub(crate) fn template_counts(&self, id: &str) -> Option<(u64, u64)> {
        let &i = self.slot_by_id.get(id)?;
        let t = &self.tracks[i as usize];
        if t.merged {
            return None;
        }
        Some((t.total, t.recent.dense().iter().sum()))
    }
}
