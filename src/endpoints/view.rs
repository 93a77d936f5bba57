//! From a merged [`EndpointTable`] to report-ready views: stage-2 route collapsing,
//! percentiles, rates, top statuses, and the failing-vs-working contrast.
//!
//! In: the merged table (and the summary's bucket width). Out: [`EndpointReport`] with routes
//! sorted by failing requests (then 4xx, then requests) and upstreams sorted by trouble.
//! Deterministic: collapsing looks only at the merged counts, and every list is sorted with a
//! total order.

use serde::Serialize;

use super::latency::{bins_quantile_ms, Latency, LatencyBins};
use super::route::collapse;
use super::{EndpointTable, FieldCounts, RouteStats, StatusClasses, UpstreamStats, OVERFLOW_PATH};
use crate::summary::{max_opt, min_opt, Example, Series};

/// Latency percentiles in milliseconds (nearest rank, within 0.1% of exact).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Percentiles {
    pub fn of(l: &Latency) -> Option<Percentiles> {
        Some(Percentiles {
            count: l.count(),
            p50: l.quantile_ms(0.5)?,
            p90: l.quantile_ms(0.9)?,
            p99: l.quantile_ms(0.99)?,
            max: l.max_ms()?,
            mean: l.mean_ms()?,
        })
    }
}

/// One field value over-represented among failing requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contrast {
    pub field: String,
    pub value: String,
    /// Share of failing requests with this value, and of working ones.
    pub failing_share: f64,
    pub working_share: f64,
    pub failing: u64,
    pub working: u64,
}

/// One route after collapsing, with everything a report shows.
#[derive(Clone, Debug, Serialize)]
pub struct RouteView {
    /// `METHOD route`.
    pub key: String,
    pub method: String,
    pub route: String,
    pub requests: u64,
    /// Share of all requests.
    pub share: f64,
    pub classes: StatusClasses,
    /// Status codes by count, most frequent first.
    pub top_statuses: Vec<(u16, u64)>,
    pub failed: u64,
    pub client_errors: u64,
    pub timeouts: u64,
    /// Failing share (5xx or error level), and 4xx share.
    pub error_rate: f64,
    pub client_error_rate: f64,
    pub latency: Option<Percentiles>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    /// Stage-1 routes merged into this one.
    pub variants: usize,
    /// Whether this is the overflow entry for routes beyond the cap.
    pub is_overflow: bool,
    /// The kind of log the counts come from: of the logs that recorded this route's requests
    /// (proxy access log, router, the app's own request log), the one that saw the most.
    pub view: String,
    /// The other kinds of log that recorded requests to it, with their counts: the same
    /// traffic seen again, so not added up.
    pub also_seen: Vec<(String, u64)>,
    /// (failing, 4xx, requests) of the view the field contrast comes from, when that is not
    /// `view` (the proxy logs no fields, the router does).
    #[serde(skip)]
    pub contrast_basis: Option<(u64, u64, u64)>,
    /// Merged statistics (series, examples, signatures, fields).
    #[serde(skip)]
    pub stats: RouteStats,
}

impl RouteView {
    /// Signatures linked to this route, most events first.
    pub fn top_sigs(&self) -> Vec<(u32, u64)> {
        let mut s = self.stats.sigs.clone();
        s.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        s
    }

    pub fn series(&self) -> &Series {
        &self.stats.series
    }

    pub fn fail_series(&self) -> &Series {
        &self.stats.fail_series
    }

    pub fn lat_bins(&self) -> &LatencyBins {
        &self.stats.lat_bins
    }

    pub fn examples(&self) -> &[Example] {
        &self.stats.examples
    }

    pub fn fail_examples(&self) -> &[Example] {
        &self.stats.fail_examples
    }

    /// A uniform sample of the failing requests (see [`super::RouteStats::fail_samples`]).
    pub fn fail_samples(&self) -> impl Iterator<Item = &Example> {
        self.stats.fail_samples.iter().map(|s| &s.example)
    }

    /// A uniform sample of the 4xx requests.
    pub fn client_samples(&self) -> impl Iterator<Item = &Example> {
        self.stats.client_samples.iter().map(|s| &s.example)
    }

    /// Successful requests slower than `ms` among those kept per latency band (see
    /// [`super::RouteStats::latency_samples`]), with their latency in µs.
    pub fn slower_than(&self, ms: f64) -> impl Iterator<Item = (u64, &Example)> {
        self.stats
            .latency_samples
            .iter()
            .filter(move |s| s.us as f64 > ms * 1000.0)
            .map(|s| (s.us, &s.sample.example))
    }

    pub fn client_examples(&self) -> &[Example] {
        &self.stats.client_examples
    }

    /// Field values over-represented among failing requests (or among 4xx when
    /// `client` is set), most over-represented first.
    pub fn contrast(&self, client: bool) -> Vec<Contrast> {
        let (failed, client_errors, requests) =
            self.contrast_basis
                .unwrap_or((self.failed, self.client_errors, self.requests));
        let bad = if client { client_errors } else { failed };
        contrast(
            &self.stats.fields,
            bad,
            requests - bad.min(requests),
            client,
        )
    }
}

/// One external host, with everything a report shows.
#[derive(Clone, Debug, Serialize)]
pub struct UpstreamView {
    pub host: String,
    pub events: u64,
    pub calls: u64,
    pub ok: u64,
    pub timeouts: u64,
    pub refused: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub client_errors: u64,
    /// Trouble events: timeouts + refused + rate limited + 5xx.
    pub trouble: u64,
    /// Failing share of structured calls, when calls are known.
    pub error_rate: Option<f64>,
    pub top_statuses: Vec<(u16, u64)>,
    pub retry_after_max_s: Option<u64>,
    pub retry_after_mean_s: Option<f64>,
    pub latency: Option<Percentiles>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub routes: Vec<(String, u64)>,
    #[serde(skip)]
    pub stats: UpstreamStats,
}

/// Routes and upstreams of a summary, ready to report.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointReport {
    pub resolution_ms: i64,
    pub total_requests: u64,
    pub routes: Vec<RouteView>,
    pub upstreams: Vec<UpstreamView>,
    /// Error events with a trace id whose request was never seen.
    pub unlinked_errors: u64,
    /// Request completions without a path (Rails' `Completed 500 … in 12ms`) whose start
    /// with the same request id was never seen: not counted under any route.
    pub unpaired_completions: u64,
}

/// The collapsed route path for each route of each table, computed on their union so that
/// two summaries (window and baseline) name routes the same way.
pub fn collapse_tables(tables: &[&EndpointTable]) -> Vec<Vec<String>> {
    let mut paths: Vec<(&str, u64)> = Vec::new();
    for t in tables {
        for r in &t.routes {
            paths.push((r.path.as_str(), r.requests));
        }
    }
    // Same path under several methods: one entry per (path), counts summed, so collapsing
    // sees path traffic independent of methods.
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by(|&a, &b| paths[a].0.cmp(paths[b].0));
    let mut uniq: Vec<(&str, u64)> = Vec::new();
    let mut pos = vec![0usize; paths.len()];
    for &i in &order {
        match uniq.last_mut() {
            Some((p, c)) if *p == paths[i].0 => *c += paths[i].1,
            _ => uniq.push(paths[i]),
        }
        pos[i] = uniq.len() - 1;
    }
    let keep: Vec<usize> = uniq
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| *p != OVERFLOW_PATH)
        .map(|(i, _)| i)
        .collect();
    let sub: Vec<(&str, u64)> = keep.iter().map(|&i| uniq[i]).collect();
    let collapsed = collapse(&sub);
    let mut names: Vec<String> = uniq.iter().map(|(p, _)| p.to_string()).collect();
    for (k, &i) in keep.iter().enumerate() {
        names[i] = collapsed[k].clone();
    }
    let mut out = Vec::new();
    let mut n = 0;
    for t in tables {
        out.push(
            t.routes
                .iter()
                .map(|_| {
                    let s = names[pos[n]].clone();
                    n += 1;
                    s
                })
                .collect(),
        );
    }
    out
}

/// Builds the report for one table.
pub fn finalize(table: &EndpointTable, resolution_ms: i64) -> EndpointReport {
    let names = collapse_tables(&[table]).pop().unwrap_or_default();
    finalize_with(table, &names, resolution_ms)
}

/// Builds the report for one table, with collapsed names from [`collapse_tables`].
pub fn finalize_with(
    table: &EndpointTable,
    names: &[String],
    resolution_ms: i64,
) -> EndpointReport {
    // Stage-1 routes that collapse to one name merge, per view.
    let mut per_view: Vec<(String, RouteStats, usize)> = Vec::new();
    let mut index: std::collections::BTreeMap<(String, &str), usize> = Default::default();
    for (r, name) in table.routes.iter().zip(names) {
        let key = format!("{} {}", r.method, name);
        match index.get(&(key.clone(), r.view.as_str())) {
            Some(&i) => {
                per_view[i].1.merge(r, None);
                per_view[i].2 += 1;
            }
            None => {
                index.insert((key.clone(), r.view.as_str()), per_view.len());
                let mut s = RouteStats::clone(r);
                s.path = name.clone();
                per_view.push((key, s, 1));
            }
        }
    }
    // One route seen by several views (index order: by key, then view).
    let mut merged: Vec<Merged> = Vec::new();
    let mut group: Vec<usize> = Vec::new();
    let mut entries = index.into_iter().peekable();
    while let Some(((key, _), i)) = entries.next() {
        group.push(i);
        if entries.peek().is_some_and(|((k, _), _)| *k == key) {
            continue;
        }
        merged.push(one_route(&per_view, &group));
        group.clear();
    }
    // Routes only named by info-level events without a status are not routes anyone asked
    // about.
    merged
        .retain(|m| m.stats.requests > 0 || m.stats.linked_events > 0 || !m.stats.sigs.is_empty());
    let total: u64 = merged.iter().map(|m| m.stats.requests).sum();
    let mut routes: Vec<RouteView> = merged.into_iter().map(|m| route_view(m, total)).collect();
    routes.sort_by(|a, b| {
        a.is_overflow
            .cmp(&b.is_overflow)
            .then(b.failed.cmp(&a.failed))
            .then(b.client_errors.cmp(&a.client_errors))
            .then(b.requests.cmp(&a.requests))
            .then(a.key.cmp(&b.key))
    });
    // One host seen by several views: counted once (see `one_upstream`).
    let mut by_host: std::collections::BTreeMap<&str, Vec<&UpstreamStats>> = Default::default();
    for u in &table.upstreams {
        by_host.entry(u.host.as_str()).or_default().push(u);
    }
    let mut upstreams: Vec<UpstreamView> = by_host
        .into_values()
        .map(|views| upstream_view(&one_upstream(views)))
        .collect();
    upstreams.sort_by(|a, b| {
        b.trouble
            .cmp(&a.trouble)
            .then(b.events.cmp(&a.events))
            .then(a.host.cmp(&b.host))
    });
    EndpointReport {
        resolution_ms,
        total_requests: total,
        routes,
        upstreams,
        unlinked_errors: table.pending_unlinked(),
        unpaired_completions: table.unpaired_completions(),
    }
}

fn top_statuses(st: &[(u16, u64)]) -> Vec<(u16, u64)> {
    let mut v = st.to_vec();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// One route's statistics, from the views that saw it.
struct Merged {
    key: String,
    stats: RouteStats,
    variants: usize,
    also_seen: Vec<(String, u64)>,
    contrast_basis: Option<(u64, u64, u64)>,
}

/// The route of `group` (indexes into `per_view`, one per view): counted from the view with
/// the most requests (ties: view name), never added up across views, which log the same
/// traffic; the error events linked from every view stay; the field contrast comes from the
/// largest view that logged fields, against that view's own counts.
fn one_route(per_view: &[(String, RouteStats, usize)], group: &[usize]) -> Merged {
    let most = |only_fields: bool| {
        group
            .iter()
            .copied()
            .filter(|&i| !only_fields || !per_view[i].1.fields.is_empty())
            .min_by(|&a, &b| {
                let (x, y) = (&per_view[a].1, &per_view[b].1);
                y.requests.cmp(&x.requests).then(x.view.cmp(&y.view))
            })
    };
    let Some(p) = most(false) else {
        return Merged {
            key: String::new(),
            stats: RouteStats::default(),
            variants: 0,
            also_seen: Vec::new(),
            contrast_basis: None,
        };
    };
    let (key, primary, variants) = &per_view[p];
    let mut stats = primary.clone();
    let mut also_seen = Vec::new();
    for &i in group.iter().filter(|&&i| i != p) {
        let o = &per_view[i].1;
        for &(sig, n) in &o.sigs {
            stats.add_sig(sig, n);
        }
        stats.other_sig_events += o.other_sig_events;
        stats.linked_events += o.linked_events;
        if o.requests > 0 {
            also_seen.push((o.view.clone(), o.requests));
        }
    }
    also_seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut contrast_basis = None;
    if let Some(f) = most(true).filter(|&f| f != p) {
        let o = &per_view[f].1;
        stats.fields = o.fields.clone();
        contrast_basis = Some((o.failed, o.client_errors, o.requests));
    }
    Merged {
        key: key.clone(),
        stats,
        variants: *variants,
        also_seen,
        contrast_basis,
    }
}

fn route_view(m: Merged, total: u64) -> RouteView {
    let Merged {
        key,
        stats: s,
        variants,
        also_seen,
        contrast_basis,
    } = m;
    let n = s.requests.max(1) as f64;
    RouteView {
        view: s.view.clone(),
        also_seen,
        contrast_basis,
        method: s.method.clone(),
        route: s.path.clone(),
        is_overflow: s.path == OVERFLOW_PATH,
        key,
        requests: s.requests,
        share: s.requests as f64 / total.max(1) as f64,
        classes: s.classes,
        top_statuses: top_statuses(&s.statuses),
        failed: s.failed,
        client_errors: s.client_errors,
        timeouts: s.timeouts,
        error_rate: s.failed as f64 / n,
        client_error_rate: s.client_errors as f64 / n,
        latency: Percentiles::of(&s.latency),
        first_time: s.first_time,
        last_time: s.last_time,
        variants,
        stats: s,
    }
}

/// One host's statistics from the views that saw it (the app's log, its request log...),
/// which log the same calls: never added up. Each kind of trouble (timeouts and refused,
/// rate limited, 5xx) is counted, with its series, from the view that saw most of it;
/// traffic (events, calls, latency, statuses) from the view with the most events (ties:
/// view name), so statuses and calls describe the same records. Examples, samples and first
/// times come from every view: they count nothing, and the app's own wording is often the
/// clearest.
fn one_upstream(mut views: Vec<&UpstreamStats>) -> UpstreamStats {
    views.sort_by(|a, b| b.events.cmp(&a.events).then(a.view.cmp(&b.view)));
    let Some((&first, rest)) = views.split_first() else {
        return UpstreamStats::default();
    };
    let mut u = first.clone();
    if rest.is_empty() {
        settle_gave_up(&mut u);
        return u;
    }
    let most = |f: fn(&UpstreamStats) -> u64| -> &UpstreamStats {
        let mut best = first;
        for &v in rest {
            if f(v) > f(best) {
                best = v;
            }
        }
        best
    };
    let t = most(|v| v.timeouts + v.refused);
    u.timeouts = t.timeouts;
    u.refused = t.refused;
    u.timeout_series = t.timeout_series.clone();
    let r = most(|v| v.rate_limited);
    u.rate_limited = r.rate_limited;
    u.retry_after_max_s = r.retry_after_max_s;
    u.retry_after_sum_s = r.retry_after_sum_s;
    u.retry_after_n = r.retry_after_n;
    u.rate_series = r.rate_series.clone();
    let e = most(|v| v.server_errors);
    u.server_errors = e.server_errors;
    u.server_errors_inbound = e.server_errors_inbound;
    u.error_series = e.error_series.clone();
    // Give-ups likewise, each kind from the view that logged most of them.
    let g = most(|v| v.gave_up.timeouts + v.gave_up.refused);
    u.gave_up.timeouts = g.gave_up.timeouts;
    u.gave_up.refused = g.gave_up.refused;
    u.gave_up.timeout_series = g.gave_up.timeout_series.clone();
    let g = most(|v| v.gave_up.rate_limited);
    u.gave_up.rate_limited = g.gave_up.rate_limited;
    u.gave_up.rate_series = g.gave_up.rate_series.clone();
    let g = most(|v| v.gave_up.server_errors);
    u.gave_up.server_errors = g.gave_up.server_errors;
    u.gave_up.error_series = g.gave_up.error_series.clone();
    u.gave_up.calls = rest
        .iter()
        .map(|v| v.gave_up.calls)
        .fold(first.gave_up.calls, u64::max);
    for &v in rest {
        for (route, c) in &v.routes {
            match u.routes.iter_mut().find(|(x, _)| x == route) {
                Some((_, n)) => *n = (*n).max(*c),
                None => u.routes.push((route.clone(), *c)),
            }
        }
        u.first_time = min_opt(u.first_time, v.first_time);
        u.last_time = max_opt(u.last_time, v.last_time);
        u.merge_evidence(v);
    }
    settle_gave_up(&mut u);
    let trouble = u.timeouts + u.refused + u.rate_limited + u.server_errors;
    u.events = u.events.max(trouble + u.ok + u.client_errors);
    u
}

/// Decides, per kind of trouble, what a host's give-up lines count for. When the attempts
/// were logged (`Rate limited by X: 429` for each try, then `failed after 3 retries: 429`),
/// the attempts are the count and the give-ups stay apart (`gave_up`), so no call is
/// counted twice. When only give-ups were logged, each is one failed call of its kind, and
/// the kind's count and series are the give-ups' (the kind is then marked in
/// `gave_up_only`).
pub fn settle_gave_up(u: &mut UpstreamStats) {
    let g = &mut u.gave_up;
    g.counted = [false; 3];
    if u.timeouts + u.refused == 0 && g.timeouts + g.refused > 0 {
        u.timeouts = g.timeouts;
        u.refused = g.refused;
        u.timeout_series = g.timeout_series.clone();
        g.counted[0] = true;
    }
    if u.rate_limited == 0 && g.rate_limited > 0 {
        u.rate_limited = g.rate_limited;
        u.rate_series = g.rate_series.clone();
        g.counted[1] = true;
    }
    if u.server_errors == 0 && g.server_errors > 0 {
        u.server_errors = g.server_errors;
        u.error_series = g.error_series.clone();
        g.counted[2] = true;
    }
    if g.counted.iter().any(|&c| c) {
        // The give-up records are then the calls this log has of that trouble.
        u.calls += g.calls;
    }
}

/// Give-ups kept apart from the attempts, per finding kind: `(timeouts and refused, rate
/// limited, 5xx)`; zero for a kind whose count is made of give-ups (after
/// [`settle_gave_up`]), or that had none.
pub fn gave_up_apart(u: &UpstreamStats) -> [u64; 3] {
    let g = &u.gave_up;
    let per_kind = [g.timeouts + g.refused, g.rate_limited, g.server_errors];
    std::array::from_fn(|i| if g.counted[i] { 0 } else { per_kind[i] })
}

fn upstream_view(u: &UpstreamStats) -> UpstreamView {
    let trouble = u.timeouts + u.refused + u.rate_limited + u.server_errors;
    let failing_calls = if u.calls > 0 {
        Some(
            (u.calls.saturating_sub(u.ok + u.client_errors) as f64 / u.calls as f64)
                .clamp(0.0, 1.0),
        )
    } else {
        None
    };
    UpstreamView {
        host: u.host.clone(),
        events: u.events,
        calls: u.calls,
        ok: u.ok,
        timeouts: u.timeouts,
        refused: u.refused,
        rate_limited: u.rate_limited,
        server_errors: u.server_errors,
        client_errors: u.client_errors,
        trouble,
        error_rate: failing_calls,
        top_statuses: top_statuses(&u.statuses),
        retry_after_max_s: u.retry_after_max_s,
        retry_after_mean_s: (u.retry_after_n > 0)
            .then(|| u.retry_after_sum_s as f64 / u.retry_after_n as f64),
        latency: Percentiles::of(&u.latency),
        first_time: u.first_time,
        last_time: u.last_time,
        routes: {
            let mut r = u.routes.clone();
            r.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            r
        },
        stats: u.clone(),
    }
}

/// Minimum failing requests, and working ones, for a contrast to mean anything.
pub const CONTRAST_MIN_FAILING: u64 = 3;
/// Minimum difference between the failing and the working share.
pub const CONTRAST_MIN_LIFT: f64 = 0.15;

/// Field values over-represented among failing requests compared with working ones.
/// Shares are of all the route's failing (`failing`) and working (`working`) requests, so a
/// field present only on failures (`code=H12`) shows as 100% vs 0%. Fields whose values did
/// not fit under the cap for more than a fifth of their requests are skipped:
/// high-cardinality fields (ids, IPs) say nothing as single values.
pub fn contrast(fields: &[FieldCounts], failing: u64, working: u64, client: bool) -> Vec<Contrast> {
    let bad = |v: &super::ValueCounts| if client { v.client_errors } else { v.failed };
    let mut out = Vec::new();
    // Nothing to contrast with when (almost) every request fails: `source=app.log in 100%
    // (working requests: 0%)` of a route that always 404s would be noise, not a lead.
    if failing < CONTRAST_MIN_FAILING || working < CONTRAST_MIN_FAILING {
        return out;
    }
    for f in fields {
        let total: u64 = f.values.iter().map(|v| v.total).sum::<u64>() + f.other.total;
        if f.other.total * 5 > total {
            continue;
        }
        for v in &f.values {
            let vf = bad(v);
            let vw = v.total - vf.min(v.total);
            let fs = vf as f64 / failing as f64;
            let ws = if working == 0 {
                0.0
            } else {
                vw as f64 / working as f64
            };
            if fs - ws >= CONTRAST_MIN_LIFT && vf >= CONTRAST_MIN_FAILING.min(failing) {
                out.push(Contrast {
                    field: f.key.clone(),
                    value: v.value.clone(),
                    failing_share: fs,
                    working_share: ws,
                    failing: vf,
                    working: vw,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (b.failing_share - b.working_share)
            .total_cmp(&(a.failing_share - a.working_share))
            .then(a.field.cmp(&b.field))
            .then(a.value.cmp(&b.value))
    });
    out.truncate(8);
    out
}

/// Dense per-bucket latency bin histograms for buckets `first..=last`, each a `Vec<u64>`
/// indexed by bin (for quantiles over any bucket range).
pub fn bins_by_bucket(b: &LatencyBins, first: i64, last: i64) -> Vec<Vec<(u16, u64)>> {
    let n = (last - first + 1).max(0) as usize;
    let mut out = vec![Vec::new(); n];
    for &(t, bin, c) in &b.0 {
        if t >= first && t <= last {
            out[(t - first) as usize].push((bin, c));
        }
    }
    out
}

/// Quantile over a set of sparse bin lists.
pub fn quantile_of(lists: &[Vec<(u16, u64)>], q: f64) -> Option<f64> {
    let mut counts: Vec<u64> = Vec::new();
    for l in lists {
        for &(b, c) in l {
            if counts.len() <= b as usize {
                counts.resize(b as usize + 1, 0);
            }
            counts[b as usize] += c;
        }
    }
    bins_quantile_ms(&counts, q)
}
