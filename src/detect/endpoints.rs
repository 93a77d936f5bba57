//! Endpoint findings: failing routes, latency regressions and troubled external APIs.
//!
//! In: a merged [`Summary`] (its `endpoints` table), optionally its [`Templates`] to name
//! linked error templates; for [`compare`], a baseline summary too. Out: [`Finding`]s of kinds
//! `FailingRoute`, `LatencyRegression`, `UpstreamTimeout`, `RateLimited`, `UpstreamFailure`,
//! scored with the one [`score`](super::score) formula so that many affected requests outrank
//! one failed call to a rare route.
//!
//! Inside one window ([`detect`]), a route's failing share is compared with its own level
//! outside the abnormal interval. The interval is the one that maximizes the binomial
//! log-likelihood ratio of "rate inside ≠ rate outside" (an "epidemic" change-point model,
//! Levin & Kline 1985; scan statistics as in Kulldorff 1997), searched over all bucket pairs
//! of the summary's series. Latency uses the same search on per-bucket latency bins, with the
//! p99 inside vs outside. For an external host the interval is where its trouble events are.
//!
//! Units: `rate`/`baseline_rate` are affected events per minute, as for every finding
//! (failing requests for routes, trouble events for upstreams; per 1,000 events without
//! timestamps; none for latency). `details.factor_of` says what `factor` compares: for
//! routes the *failing share* inside vs outside (`details.share`, `details.baseline_share`),
//! which does not move with traffic; for latency the p99 (`details.window_p99_ms`,
//! `details.baseline_p99_ms`); for upstreams the per-minute rates. A baseline of zero counts
//! as half an event and such factors are capped at [`MAX_FACTOR_FROM_ZERO`].

use serde_json::{json, Map, Value};

use super::{Finding, FindingKind};
use crate::endpoints::view::{
    bins_by_bucket, collapse_tables, finalize_with, quantile_of, EndpointReport, RouteView,
    UpstreamView,
};
use crate::record::Level;
use crate::summary::series::LADDER_MS;
use crate::summary::templates::Templates;
use crate::summary::{Example, Series, Summary};

/// Fewest failing requests for a failing-route finding.
pub const MIN_FAILED: u64 = 5;
/// A route failing at least this share over the whole window is reported even without an
/// onset (chronic failure).
pub const CHRONIC_RATE: f64 = 0.05;
/// Fewest 4xx for a steady (no onset) 4xx finding.
pub const MIN_CHRONIC_CLIENT_ERRORS: u64 = 20;
/// Log-likelihood ratio an interval must reach to count as a change (conservative, since the
/// search tries every interval).
pub const MIN_LLR: f64 = 12.0;
/// Log-likelihood ratio of a route's failing share against the baseline's (one test per
/// route, no interval search): G = 2·LLR ≥ 16 is p ≈ 6e-5, a 1% false-alarm rate over ~150
/// routes compared.
pub const MIN_BASELINE_LLR: f64 = 8.0;
/// Fewest other events for an upstream's trouble to be weighed against the traffic.
const MIN_TRAFFIC_EVENTS: u64 = 50;
/// Fewest trouble events for an upstream finding.
pub const MIN_UPSTREAM_EVENTS: u64 = 3;
/// Latency: fewest samples inside and outside, smallest p99 ratio and rise.
pub const MIN_LAT_SAMPLES: u64 = 20;
pub const MIN_LAT_FACTOR: f64 = 1.5;
pub const MIN_LAT_RISE_MS: f64 = 20.0;
/// Display buckets aimed at for sparklines.
pub const DISPLAY_BUCKETS: i64 = 120;
/// Routes examined by the (quadratic) interval search, by failing requests.
pub const MAX_SCANNED_ROUTES: usize = 200;

/// The endpoint report and findings of one summary; what the summary command calls.
pub struct EndpointAnalysis {
    pub report: EndpointReport,
    pub findings: Vec<Finding>,
}

/// Builds the endpoint report of `sum` and its findings (ranked).
pub fn analyze(sum: &Summary, templates: Option<&Templates>) -> EndpointAnalysis {
    let names = collapse_tables(&[&sum.endpoints]).pop().unwrap_or_default();
    let report = finalize_with(&sum.endpoints, &names, sum.resolution_ms);
    let findings = detect_report(&report, sum, templates);
    EndpointAnalysis { report, findings }
}

/// Endpoint findings of one window (see the module doc), ranked.
pub fn detect(sum: &Summary, templates: Option<&Templates>) -> Vec<Finding> {
    analyze(sum, templates).findings
}

/// The display grid of a summary: (first bucket index, width ms, buckets), covering the
/// summary's time range in at most about [`DISPLAY_BUCKETS`] buckets.
fn display_grid(sum: &Summary) -> Option<(i64, i64, usize)> {
    let (a, b) = (sum.time_min?, sum.time_max?);
    let res = sum.resolution_ms.max(1);
    let width = LADDER_MS
        .iter()
        .copied()
        .filter(|w| *w >= res && w % res == 0)
        .find(|w| (b - a) / w < DISPLAY_BUCKETS)
        .unwrap_or(res);
    let first = a.div_euclid(width);
    let last = b.div_euclid(width);
    Some((first, width, (last - first + 1) as usize))
}

fn display_series(s: &Series, res: i64, grid: Option<(i64, i64, usize)>) -> Vec<u64> {
    let Some((first, width, n)) = grid else {
        return Vec::new();
    };
    let mut c = s.clone();
    c.rebucket(res, width);
    c.dense(first, first + n as i64 - 1)
}

fn set_series(f: &mut Finding, s: &Series, sum: &Summary) {
    let grid = display_grid(sum);
    f.series = display_series(s, sum.resolution_ms, grid);
    if let Some((first, width, _)) = grid {
        f.series_start = Some(first * width);
        f.bucket_ms = Some(width);
    }
}

/// Binomial log-likelihood of `k` successes in `n` at the MLE rate.
pub(crate) fn binomial_ll(k: f64, n: f64) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let p = k / n;
    let mut v = 0.0;
    if k > 0.0 {
        v += k * p.ln();
    }
    if n - k > 0.0 {
        v += (n - k) * (1.0 - p).ln();
    }
    v
}

/// Result of the interval search: buckets `[start, end)` (indexes into the dense arrays).
#[derive(Debug, Clone, Copy)]
struct Interval {
    start: usize,
    end: usize,
    llr: f64,
    k_in: u64,
    n_in: u64,
    k_out: u64,
    n_out: u64,
}

/// Cells the quadratic interval search works on at most; longer series are searched on
/// coarser cells first, then the boundaries are refined on the fine buckets.
const MAX_SCAN_CELLS: usize = 400;

/// Most significant interval where the share `k/n` is higher inside than outside.
fn scan_rate(k: &[u64], n: &[u64]) -> Option<Interval> {
    let m = k.len();
    if m <= MAX_SCAN_CELLS {
        return scan_rate_in(k, n, 0..m, 0..m + 1);
    }
    let per = m.div_ceil(MAX_SCAN_CELLS);
    let ck: Vec<u64> = k.chunks(per).map(|c| c.iter().sum()).collect();
    let cn: Vec<u64> = n.chunks(per).map(|c| c.iter().sum()).collect();
    let coarse = scan_rate_in(&ck, &cn, 0..ck.len(), 0..ck.len() + 1)?;
    let s0 = coarse.start * per;
    let e0 = (coarse.end * per).min(m);
    scan_rate_in(
        k,
        n,
        s0.saturating_sub(per)..(s0 + per).min(m),
        e0.saturating_sub(per).max(1)..(e0 + per).min(m) + 1,
    )
}

/// [`scan_rate`] over intervals `[s, e)` with `s` in `starts` and `e` in `ends`.
fn scan_rate_in(
    k: &[u64],
    n: &[u64],
    starts: std::ops::Range<usize>,
    ends: std::ops::Range<usize>,
) -> Option<Interval> {
    let m = k.len();
    let mut pk = vec![0u64; m + 1];
    let mut pn = vec![0u64; m + 1];
    for i in 0..m {
        pk[i + 1] = pk[i] + k[i];
        pn[i + 1] = pn[i] + n[i];
    }
    let (kt, nt) = (pk[m], pn[m]);
    let base = binomial_ll(kt as f64, nt as f64);
    let mut best: Option<Interval> = None;
    for s in starts {
        if k[s] == 0 {
            continue; // an interval starts where failures are
        }
        for e in ends.clone() {
            if e <= s || k[e - 1] == 0 {
                continue; // and ends with one
            }
            let (ki, ni) = (pk[e] - pk[s], pn[e] - pn[s]);
            let (ko, no) = (kt - ki, nt - ni);
            if ni == 0 || (no > 0 && ki * no <= ko * ni) {
                continue;
            }
            let llr = binomial_ll(ki as f64, ni as f64) + binomial_ll(ko as f64, no as f64) - base;
            if best.is_none_or(|b| llr > b.llr + 1e-9) {
                best = Some(Interval {
                    start: s,
                    end: e,
                    llr,
                    k_in: ki,
                    n_in: ni,
                    k_out: ko,
                    n_out: no,
                });
            }
        }
    }
    best
}

/// Most significant interval where events per bucket are higher inside than outside
/// (Poisson epidemic scan against a constant rate), coarse-to-fine like [`scan_rate`].
fn scan_poisson(k: &[u64]) -> Option<Interval> {
    let m = k.len();
    if m <= MAX_SCAN_CELLS {
        return scan_poisson_in(k, 0..m, 0..m + 1);
    }
    let per = m.div_ceil(MAX_SCAN_CELLS);
    let ck: Vec<u64> = k.chunks(per).map(|c| c.iter().sum()).collect();
    let coarse = scan_poisson_in(&ck, 0..ck.len(), 0..ck.len() + 1)?;
    let s0 = coarse.start * per;
    let e0 = (coarse.end * per).min(m);
    scan_poisson_in(
        k,
        s0.saturating_sub(per)..(s0 + per).min(m),
        e0.saturating_sub(per).max(1)..(e0 + per).min(m) + 1,
    )
}

/// [`scan_poisson`] over intervals `[s, e)` with `s` in `starts` and `e` in `ends`.
fn scan_poisson_in(
    k: &[u64],
    starts: std::ops::Range<usize>,
    ends: std::ops::Range<usize>,
) -> Option<Interval> {
    let m = k.len();
    let mut pk = vec![0u64; m + 1];
    for i in 0..m {
        pk[i + 1] = pk[i] + k[i];
    }
    let kt = pk[m] as f64;
    let xlnx = |x: f64, e: f64| if x > 0.0 { x * (x / e).ln() } else { 0.0 };
    let mut best: Option<Interval> = None;
    for s in starts {
        if k[s] == 0 {
            continue;
        }
        for e in ends.clone() {
            if e <= s || k[e - 1] == 0 {
                continue;
            }
            let ki = (pk[e] - pk[s]) as f64;
            let p = (e - s) as f64 / m as f64;
            let ko = kt - ki;
            if ki / p <= ko / (1.0 - p).max(1e-12) {
                continue;
            }
            let llr = xlnx(ki, kt * p)
                + if p < 1.0 {
                    xlnx(ko, kt * (1.0 - p))
                } else {
                    0.0
                };
            if best.is_none_or(|b| llr > b.llr + 1e-9) {
                best = Some(Interval {
                    start: s,
                    end: e,
                    llr,
                    k_in: ki as u64,
                    n_in: (e - s) as u64,
                    k_out: ko as u64,
                    n_out: (m - (e - s)) as u64,
                });
            }
        }
    }
    best
}

/// The onset bucket's start, or the exact time of the first known event when it falls in
/// that bucket (the first failing example, the first trouble event).
fn exact_onset(bucket_start: i64, res: i64, first_known: Option<i64>) -> i64 {
    match first_known {
        Some(t) if t >= bucket_start && t < bucket_start + res => t,
        _ => bucket_start,
    }
}

/// Largest factor reported when the baseline had no such events at all: beyond it the
/// number only reflects how long the quiet period was, not how bad the change is.
pub const MAX_FACTOR_FROM_ZERO: f64 = 100.0;

/// Factor with a half-event floor on a zero baseline (capped at [`MAX_FACTOR_FROM_ZERO`]).
fn factor(rate: f64, base: f64, base_floor: f64) -> f64 {
    let f = rate / base.max(base_floor).max(1e-12);
    if base <= 0.0 {
        f.min(MAX_FACTOR_FROM_ZERO)
    } else {
        f
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn statuses_json(st: &[(u16, u64)]) -> Value {
    Value::Array(
        st.iter()
            .take(6)
            .map(|(s, c)| json!({"status": s, "count": c}))
            .collect(),
    )
}

fn latency_json(r: &RouteView) -> Value {
    match &r.latency {
        Some(p) => json!({"count": p.count, "p50_ms": round3(p.p50), "p90_ms": round3(p.p90),
                          "p99_ms": round3(p.p99), "max_ms": round3(p.max)}),
        None => Value::Null,
    }
}

/// Linked error templates of a route: `(text, id, events)`, most events first.
pub fn route_templates(
    r: &RouteView,
    sum: &Summary,
    templates: Option<&Templates>,
) -> Vec<(String, Option<String>, u64)> {
    // (text, id, linked events, whether the template is mostly errors).
    let mut out: Vec<(String, Option<String>, u64, bool)> = Vec::new();
    for (sig, c) in r.top_sigs() {
        let (text, id, specific) = match templates.and_then(|t| {
            let ti = *t.by_sig.get(sig as usize)?;
            t.list.get(ti as usize)
        }) {
            Some(t) => (
                t.text.clone(),
                Some(t.id.clone()),
                2 * t.errors() >= t.count,
            ),
            None => match sum.sigs.get(sig as usize) {
                Some(s) => (s.sig.clone(), None, true),
                None => continue,
            },
        };
        match out.iter_mut().find(|(t, _, _, _)| *t == text) {
            Some(e) => e.2 += c,
            None => out.push((text, id, c, specific)),
        }
    }
    // A message the service also logs for its good requests (`request completed` at the
    // level of its status) or for slow ones (`slow request`, a warning) names no failure:
    // templates that are mostly errors (`charge failed: card declined`, `request failed`)
    // come first.
    out.sort_by(|a, b| b.3.cmp(&a.3).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(t, id, c, _)| (t, id, c)).collect()
}

/// Evidence for a finding over `[start, end)` (`end` None: ongoing): the kept events from its
/// own time (earliest first, from the earliest ones and the uniform sample, up to three), or,
/// when none is, the earliest ones (which [`note_examples_before_onset`] then says). Events
/// from before the onset do not make up the number: shown beside one from the finding's time,
/// nothing would tell them apart.
fn examples_from<'a>(
    start: Option<i64>,
    end: Option<i64>,
    earliest: &'a [Example],
    sample: impl Iterator<Item = &'a Example>,
) -> Vec<Example> {
    let Some(start) = start else {
        return first_examples(earliest);
    };
    let mut inside: Vec<&Example> = earliest
        .iter()
        .chain(sample)
        .filter(|e| during(e, start, end))
        .collect();
    inside.sort_by(|a, b| crate::summary::example_order(a.key(), b.key()));
    inside.dedup_by(|a, b| a.line == b.line && a.source == b.source);
    if inside.is_empty() {
        return first_examples(earliest);
    }
    inside.into_iter().take(3).cloned().collect()
}

/// The bin of the nearest-rank p99 of `n` requests in bins `0..nb` (`count(bin)`), as
/// [`crate::endpoints::latency::bins_quantile_ms`] finds it, but read from the slowest bin
/// down: the answer is the lowest bin with at most `n - rank` requests above it.
fn tail_q99_bin(n: u64, nb: usize, count: impl Fn(usize) -> u64) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let rank = ((0.99 * n as f64).ceil() as u64).max(1);
    let allowed = n - rank.min(n);
    let mut above = 0;
    for b in (0..nb).rev() {
        above += count(b);
        if above > allowed {
            return Some(b);
        }
    }
    Some(0)
}

/// Evidence for a latency regression: kept requests slower than `normal_ms` from its own
/// time (`start` None: any time), from the latency bands that hold at least a tenth of its
/// slow requests (`slow`: latency in µs and count), so a lone outlier is not shown as the
/// regression; earliest first. The route's first requests when none is kept.
fn slow_examples(
    r: &RouteView,
    normal_ms: f64,
    slow: impl Iterator<Item = (u64, u64)>,
    start: Option<i64>,
    end: Option<i64>,
) -> Vec<Example> {
    let mut per_band = [0u64; 65];
    for (us, n) in slow {
        per_band[crate::endpoints::octave(us) as usize] += n;
    }
    let total: u64 = per_band.iter().sum();
    let mut kept: Vec<&Example> = r
        .slower_than(normal_ms)
        .filter(|(us, _)| 10 * per_band[crate::endpoints::octave(*us) as usize] >= total)
        .map(|(_, e)| e)
        .filter(|e| start.is_none_or(|s| during(e, s, end)))
        .collect();
    if kept.is_empty() {
        return first_examples(r.examples());
    }
    kept.sort_by(|a, b| crate::summary::example_order(a.key(), b.key()));
    kept.into_iter()
        .take(crate::endpoints::EXAMPLES)
        .cloned()
        .collect()
}

/// Whether `e` is from `[start, end)` (`end` None: ongoing).
fn during(e: &Example, start: i64, end: Option<i64>) -> bool {
    e.time
        .is_some_and(|t| t >= start && end.is_none_or(|end| t < end))
}

/// Route and upstream examples are their earliest (failing) events plus a small uniform
/// sample; when none of them is from the finding's own time, says so rather than let them
/// pass for evidence of the change. `which` names them: "route's first failing requests".
fn note_examples_before_onset(f: &mut Finding, which: &str) {
    let Some(start) = f.start else {
        return;
    };
    if !f.examples.is_empty() && !f.examples.iter().any(|e| during(e, start, f.end)) {
        f.notes
            .push(format!("examples are this {which}, from before the onset"));
    }
}

/// The first three of `examples`.
fn first_examples(examples: &[Example]) -> Vec<Example> {
    examples.iter().take(3).cloned().collect()
}

fn common_route_details(
    f: &mut Finding,
    r: &RouteView,
    sum: &Summary,
    templates: Option<&Templates>,
) {
    let d = &mut f.details;
    d.insert("requests".into(), r.requests.into());
    d.insert("failed".into(), r.failed.into());
    d.insert("client_errors".into(), r.client_errors.into());
    d.insert("error_rate".into(), round3(r.error_rate).into());
    d.insert(
        "client_error_rate".into(),
        round3(r.client_error_rate).into(),
    );
    d.insert("statuses".into(), statuses_json(&r.top_statuses));
    d.insert("latency".into(), latency_json(r));
    let tpl = route_templates(r, sum, templates);
    if let Some((text, id, _)) = tpl.first() {
        f.template = Some(text.clone());
        f.template_id = id.clone();
    }
    f.details.insert(
        "error_templates".into(),
        Value::Array(
            tpl.iter()
                .take(5)
                .map(|(t, id, c)| json!({"template": t, "id": id, "count": c}))
                .collect(),
        ),
    );
    let contrast = r.contrast(r.failed == 0);
    // The strongest contrasts in words, where the reader looks first: a deploy's version, a
    // region, a pod that most failing requests share and working ones mostly do not.
    for c in contrast
        .iter()
        .filter(|c| c.failing_share >= 0.5 && c.failing_share >= 2.0 * c.working_share)
        .take(2)
    {
        f.notes.push(format!(
            "failing requests: {}={} in {:.0}% (working requests: {:.0}%)",
            c.field,
            c.value,
            100.0 * c.failing_share,
            100.0 * c.working_share
        ));
    }
    f.details.insert(
        "over_represented".into(),
        Value::Array(
            contrast
                .iter()
                .map(|c| {
                    json!({"field": c.field, "value": c.value,
                           "failing_share": round3(c.failing_share),
                           "working_share": round3(c.working_share),
                           "failing": c.failing, "working": c.working})
                })
                .collect(),
        ),
    );
    if r.variants > 1 {
        f.details
            .insert("merged_routes".into(), (r.variants as u64).into());
    }
}

fn dense(s: &Series, res: i64, first: i64, n: usize) -> Vec<u64> {
    let _ = res;
    s.dense(first, first + n as i64 - 1)
}

/// Failing-route finding for one route inside one window, if any.
fn failing_route(
    r: &RouteView,
    sum: &Summary,
    templates: Option<&Templates>,
    client: bool,
) -> Option<Finding> {
    let res = sum.resolution_ms.max(1);
    let bad_total = if client { r.client_errors } else { r.failed };
    if bad_total < MIN_FAILED || r.is_overflow {
        return None;
    }
    let bad_series = if client {
        &r.stats.client_series
    } else {
        &r.stats.fail_series
    };
    let overall = bad_total as f64 / r.requests.max(1) as f64;
    let bad_examples = if client {
        r.client_examples()
    } else {
        r.fail_examples()
    };
    let mut f = Finding::new(FindingKind::FailingRoute, String::new());
    f.route = Some(r.key.clone());
    let what = if client { "4xx" } else { "failing" };
    let top = r
        .top_statuses
        .iter()
        .filter(|(s, _)| {
            if client {
                (400..500).contains(s)
            } else {
                *s >= 500
            }
        })
        .map(|(s, _)| s.to_string())
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    let top = if top.is_empty() {
        "errors".to_string()
    } else {
        top
    };
    let timed = match (
        sum.time_min,
        r.stats.series.0.first(),
        r.stats.series.0.last(),
    ) {
        (Some(_), Some(a), Some(b)) => Some((a.0, b.0)),
        _ => None,
    };
    let mut found = false;
    if let Some((first, last)) = timed {
        let n = (last - first + 1) as usize;
        if (3..=100_000).contains(&n) {
            let k = dense(bad_series, res, first, n);
            let t = dense(&r.stats.series, res, first, n);
            if let Some(iv) = scan_rate(&k, &t) {
                let rin = iv.k_in as f64 / iv.n_in.max(1) as f64;
                let rout = iv.k_out as f64 / iv.n_out.max(1) as f64;
                // 4xx bursts (scanners, a client retrying) are common: ask for more.
                let min_llr = if client { MIN_LLR * 2.0 } else { MIN_LLR };
                let min_in = if client {
                    MIN_CHRONIC_CLIENT_ERRORS / 2
                } else {
                    MIN_FAILED
                };
                let min_factor = if client { 3.0 } else { 2.0 };
                let floor = 0.5 / (iv.n_out as f64 + 1.0);
                let fac = factor(rin, rout, floor);
                if iv.llr >= min_llr
                    && iv.k_in >= min_in
                    && fac >= min_factor
                    && rin - rout >= if client { 0.1 } else { 0.02 }
                    && iv.n_out > 0
                {
                    found = true;
                    f.start = Some(exact_onset(
                        (first + iv.start as i64) * res,
                        res,
                        bad_examples.iter().filter_map(|e| e.time).min(),
                    ));
                    // Still going on unless the requests after the interval would have
                    // shown several failures at the interval's rate (a quiet tail is not
                    // a recovery).
                    let after: u64 = t[iv.end..].iter().sum();
                    let ongoing = (after as f64) * rin < 3.0;
                    f.end = if ongoing {
                        None
                    } else {
                        Some((first + iv.end as i64) * res)
                    };
                    f.count = iv.k_in;
                    // rate/baseline_rate: failing requests per minute (as for every
                    // finding); factor: ratio of the failing *shares*, which does not move
                    // with traffic.
                    let bucket_min = res as f64 / 60_000.0;
                    let mins_in = (iv.end - iv.start) as f64 * bucket_min;
                    let mins_out = (n - (iv.end - iv.start)) as f64 * bucket_min;
                    f.rate = Some(round3(iv.k_in as f64 / mins_in.max(bucket_min)));
                    f.baseline_rate = Some(round3(if mins_out > 0.0 {
                        iv.k_out as f64 / mins_out
                    } else {
                        0.0
                    }));
                    f.details.insert("share".into(), round3(rin).into());
                    f.details
                        .insert("baseline_share".into(), round3(rout).into());
                    f.factor = Some((fac * 100.0).round() / 100.0);
                    // Peak: bucket with the highest failing share among busy buckets.
                    let peak = (iv.start..iv.end).filter(|&i| t[i] > 0).max_by(|&a, &b| {
                        (k[a] as f64 / t[a] as f64)
                            .total_cmp(&(k[b] as f64 / t[b] as f64))
                            .then(b.cmp(&a))
                    });
                    f.peak = peak.map(|i| (first + i as i64) * res);
                    f.details
                        .insert("requests_in_window".into(), iv.n_in.into());
                    f.details.insert("llr".into(), round3(iv.llr).into());
                    f.title = format!(
                        "{}: {:.1}% of requests {} ({}) since onset, was {:.1}%",
                        r.key,
                        100.0 * rin,
                        what,
                        top,
                        100.0 * rout
                    );
                }
            }
        }
    }
    if !found {
        // Chronic: failing all along (or no timestamps to see an onset).
        // Steady 4xx are mostly scanners and broken links: only many of them are a finding.
        let min_rate = if client { 0.5 } else { CHRONIC_RATE };
        if overall < min_rate || (client && bad_total < MIN_CHRONIC_CLIENT_ERRORS) {
            return None;
        }
        f.start = bad_series.0.first().map(|b| {
            exact_onset(
                b.0 * res,
                res,
                bad_examples.iter().filter_map(|e| e.time).min(),
            )
        });
        f.count = bad_total;
        f.rate = match (r.first_time, r.last_time) {
            (Some(a), Some(b)) if b > a => {
                Some(round3(bad_total as f64 / ((b - a) as f64 / 60_000.0)))
            }
            _ => None,
        };
        f.details.insert("share".into(), round3(overall).into());
        f.factor = None;
        f.title = format!(
            "{}: {:.1}% of requests {} ({})",
            r.key,
            100.0 * overall,
            what,
            top
        );
        f.notes.push(if timed.is_some() {
            "failing at a steady rate over the whole window: no onset inside it".into()
        } else {
            "no timestamps: cannot say when failures started".into()
        });
    }
    if r.requests < 30 {
        f.notes
            .push(format!("only {} requests on this route", r.requests));
    }
    f.details.insert("rate_unit".into(), "per_minute".into());
    f.details.insert("factor_of".into(), "failing_share".into());
    f.details
        .insert("class".into(), (if client { "4xx" } else { "5xx" }).into());
    common_route_details(&mut f, r, sum, templates);
    f.examples = if client {
        examples_from(f.start, f.end, bad_examples, r.client_samples())
    } else {
        examples_from(f.start, f.end, bad_examples, r.fail_samples())
    };
    note_examples_before_onset(
        &mut f,
        if client {
            "route's first 4xx requests"
        } else {
            "route's first failing requests"
        },
    );
    set_series(&mut f, bad_series, sum);
    f.rescore(Some(if client { Level::Warn } else { Level::Error }));
    Some(f)
}

/// Latency-regression finding for one route inside one window, if any.
fn latency_regression(
    r: &RouteView,
    sum: &Summary,
    templates: Option<&Templates>,
) -> Option<Finding> {
    let res = sum.resolution_ms.max(1);
    let bins = r.lat_bins();
    let (first, last) = (bins.0.first()?.0, bins.0.last()?.0);
    let n = (last - first + 1) as usize;
    if !(3..=100_000).contains(&n) || r.latency.as_ref()?.count < 2 * MIN_LAT_SAMPLES {
        return None;
    }
    // Coarsen to at most 150 cells so the pair search stays cheap.
    let per = n.div_ceil(150);
    let fine = bins_by_bucket(bins, first, last);
    let cells: Vec<Vec<(u16, u64)>> = fine
        .chunks(per)
        .map(|c| {
            let mut v: Vec<(u16, u64)> = c.iter().flatten().copied().collect();
            v.sort_unstable();
            v
        })
        .collect();
    let m = cells.len();
    let nb = cells
        .iter()
        .flatten()
        .map(|&(b, _)| b as usize + 1)
        .max()
        .unwrap_or(0);
    // Prefix sums of bin counts per cell.
    let mut pref = vec![vec![0u64; nb]; m + 1];
    for i in 0..m {
        let (head, tail) = pref.split_at_mut(i + 1);
        tail[0].copy_from_slice(&head[i]);
        for &(b, c) in &cells[i] {
            tail[0][b as usize] += c;
        }
    }
    let q99 = |counts: &[u64]| crate::endpoints::latency::bins_quantile_ms(counts, 0.99);
    let total = &pref[m];
    // Requests per prefix of cells, so an interval's count is one subtraction.
    let tot: Vec<u64> = pref.iter().map(|p| p.iter().sum()).collect();
    let mut best: Option<(f64, usize, usize, f64, f64, u64, u64)> = None;
    // Every interval of cells against the rest. Only the top 1% of each side decides its p99
    // and only requests above the outside p99 count as slow, so both are read from the
    // slowest bin down ([`tail_q99_bin`]): a few bins per interval, not all of them.
    for s in 0..m {
        for e in s + 1..=m {
            let ni = tot[e] - tot[s];
            let no = tot[m] - ni;
            if ni < MIN_LAT_SAMPLES / 2 || no < MIN_LAT_SAMPLES {
                continue;
            }
            let in_bin = |b: usize| pref[e][b] - pref[s][b];
            let out_bin = |b: usize| total[b] - in_bin(b);
            let (Some(bi), Some(bo)) =
                (tail_q99_bin(ni, nb, in_bin), tail_q99_bin(no, nb, out_bin))
            else {
                continue;
            };
            let pi = crate::endpoints::latency::bin_mid_us(bi as u16) / 1000.0;
            let po = crate::endpoints::latency::bin_mid_us(bo as u16) / 1000.0;
            if pi < po * MIN_LAT_FACTOR || pi - po < MIN_LAT_RISE_MS {
                continue;
            }
            // Requests inside slower than the outside p99: the affected ones.
            let po_bin = crate::endpoints::latency::bin_of((po * 1000.0) as u64) as usize;
            let slow: u64 = (po_bin + 1..nb).map(in_bin).sum();
            if slow < MIN_FAILED {
                // A lone outlier's interval: not this one, but maybe a longer one.
                continue;
            }
            let score = slow as f64 * (pi / po).ln();
            if best.is_none_or(|b| score > b.0 + 1e-9) {
                best = Some((score, s, e, pi, po, slow, ni));
            }
        }
    }
    let (_, _, _, _, po0, _, _) = best?;
    // Step 2: with the threshold found (the normal p99), the tightest interval where requests
    // above it are over-represented, by the same binomial scan as failing routes; so the
    // onset is where slow requests start, not merely somewhere before.
    let thr_bin = crate::endpoints::latency::bin_of((po0 * 1000.0) as u64) as usize;
    let slow_k: Vec<u64> = (0..m)
        .map(|i| {
            (pref[i + 1].iter().skip(thr_bin + 1).sum::<u64>())
                - pref[i].iter().skip(thr_bin + 1).sum::<u64>()
        })
        .collect();
    let all_n: Vec<u64> = (0..m).map(|i| tot[i + 1] - tot[i]).collect();
    let iv = scan_rate(&slow_k, &all_n)?;
    let (s, e) = (iv.start, iv.end);
    let inside: Vec<u64> = (0..nb).map(|b| pref[e][b] - pref[s][b]).collect();
    let outside: Vec<u64> = (0..nb).map(|b| total[b] - inside[b]).collect();
    let ni: u64 = inside.iter().sum();
    let (pi, po) = (q99(&inside)?, q99(&outside)?);
    if pi < po * MIN_LAT_FACTOR || pi - po < MIN_LAT_RISE_MS || iv.llr < MIN_LLR {
        return None;
    }
    let po_bin = crate::endpoints::latency::bin_of((po * 1000.0) as u64) as usize;
    let slow: u64 = inside.iter().skip(po_bin + 1).sum();
    if slow < MIN_FAILED {
        return None;
    }
    let mut f = Finding::new(
        FindingKind::LatencyRegression,
        format!(
            "{}: p99 latency {:.0} ms since onset, was {:.0} ms",
            r.key, pi, po
        ),
    );
    f.route = Some(r.key.clone());
    f.start = Some((first + (s * per) as i64) * res);
    f.end = if e >= m {
        None
    } else {
        Some((first + (e * per) as i64) * res)
    };
    f.count = slow;
    f.factor = Some(((pi / po) * 100.0).round() / 100.0);
    f.details.insert("factor_of".into(), "p99".into());
    f.details.insert("window_p99_ms".into(), round3(pi).into());
    f.details
        .insert("baseline_p99_ms".into(), round3(po).into());
    f.details.insert("requests_in_window".into(), ni.into());
    f.details.insert(
        "window_p50_ms".into(),
        round3(quantile_of(&cells[s..e], 0.5).unwrap_or(0.0)).into(),
    );
    f.notes
        .push("window percentiles are from log bins (±5%); overall ones are exact".into());
    common_route_details(&mut f, r, sum, templates);
    let slow_bins = inside
        .iter()
        .enumerate()
        .skip(po_bin + 1)
        .map(|(b, &n)| (crate::endpoints::latency::bin_mid_us(b as u16) as u64, n));
    f.examples = slow_examples(r, po, slow_bins, f.start, f.end);
    note_examples_before_onset(&mut f, "route's first requests");
    // Sparkline: requests slower than the baseline p99, per display bucket.
    let po_bin = crate::endpoints::latency::bin_of((po * 1000.0) as u64);
    let slow_series = Series::from_buckets(
        &mut bins
            .0
            .iter()
            .filter(|e| e.1 > po_bin)
            .flat_map(|e| std::iter::repeat_n(e.0, e.2.min(1 << 20) as usize))
            .collect::<Vec<i64>>(),
    );
    set_series(&mut f, &slow_series, sum);
    f.rescore(Some(Level::Error));
    Some(f)
}

fn upstream_findings(u: &UpstreamView, sum: &Summary) -> Vec<Finding> {
    let mut out = Vec::new();
    let res = sum.resolution_ms.max(1);
    let s = &u.stats;
    let kinds = [
        (
            FindingKind::UpstreamTimeout,
            u.timeouts + u.refused,
            &s.timeout_series,
            &s.timeout_examples,
            &s.timeout_samples,
            s.timeout_first,
        ),
        (
            FindingKind::RateLimited,
            u.rate_limited,
            &s.rate_series,
            &s.rate_examples,
            &s.rate_samples,
            s.rate_first,
        ),
        (
            FindingKind::UpstreamFailure,
            // 5xx seen only as inbound requests' statuses are the failing route's finding
            // (the upstream shows in its contrast); count the upstream's own.
            if u.server_errors - u.stats.server_errors_inbound >= MIN_UPSTREAM_EVENTS {
                u.server_errors
            } else {
                0
            },
            &s.error_series,
            &s.error_examples,
            &s.error_samples,
            s.error_first,
        ),
    ];
    let apart = crate::endpoints::view::gave_up_apart(s);
    for (ki, (kind, count, series, examples, samples, first)) in kinds.into_iter().enumerate() {
        if count < MIN_UPSTREAM_EVENTS {
            continue;
        }
        let (mut what, noun, which) = match kind {
            FindingKind::UpstreamTimeout => (
                if u.refused > 0 && u.timeouts > 0 {
                    format!("{} timeouts, {} failed connections", u.timeouts, u.refused)
                } else if u.refused > 0 {
                    format!("{} failed connections", u.refused)
                } else {
                    format!("{} timeouts", u.timeouts)
                },
                match (u.timeouts > 0, u.refused > 0) {
                    (true, true) => "timeouts or failed connections",
                    (false, true) => "failed connections",
                    _ => "timeouts",
                },
                "upstream's first timeouts",
            ),
            FindingKind::RateLimited => (
                match u.retry_after_max_s {
                    Some(ra) => format!(
                        "{} rate-limited calls (429, Retry-After up to {ra}s)",
                        count
                    ),
                    None => format!("{count} rate-limited calls (429)"),
                },
                "rate-limited calls",
                "upstream's first rate-limited calls",
            ),
            _ => (
                format!("{count} server errors (5xx)"),
                "server errors",
                "upstream's first server errors",
            ),
        };
        // Give-up lines: the calls that failed for good, apart from the attempts counted.
        let gave_up = apart[ki];
        let only_gave_up = s.gave_up.counted[ki];
        if only_gave_up {
            what = format!("{what}, each given up after retries");
        }
        let mut f = Finding::new(kind, format!("{}: {what}", u.host));
        if gave_up > 0 {
            f.details.insert("gave_up".into(), gave_up.into());
        } else if only_gave_up {
            f.details
                .insert("counted_from".into(), "gave_up_lines".into());
        }
        f.upstream = Some(u.host.clone());
        f.count = count;
        f.start = first;
        match (sum.time_min, sum.time_max) {
            (Some(tmin), Some(tmax)) if !series.is_empty() => {
                // Where the trouble is concentrated: a Poisson scan of its per-bucket counts
                // against a constant rate over the whole window.
                let b0 = tmin.div_euclid(res);
                let n = (tmax.div_euclid(res) - b0 + 1).max(1) as usize;
                let k = series.dense(b0, b0 + n as i64 - 1);
                let bucket_min = res as f64 / 60_000.0;
                // Trouble that rises and falls with the traffic (a provider failing a steady
                // share of calls, busier by day) is not a burst: the window must also stand
                // out as a share of all events logged, as spikes must under both models.
                let all = all_events_dense(sum, b0, &k);
                // Too few other events to say what the traffic is: time alone (as spikes do).
                let others: u64 = all.iter().zip(&k).map(|(a, t)| a - t).sum();
                let with_traffic = |iv: &Interval| {
                    others < MIN_TRAFFIC_EVENTS
                        || scan_rate(&k, &all).is_some_and(|t| {
                            t.llr >= MIN_LLR && t.start < iv.end && iv.start < t.end
                        })
                };
                let burst = scan_poisson(&k).filter(|iv| iv.llr >= MIN_LLR);
                let follows_traffic = burst.as_ref().is_some_and(|iv| !with_traffic(iv));
                match burst.filter(|_| !follows_traffic) {
                    Some(iv) => {
                        let mins_in = (iv.end - iv.start) as f64 * bucket_min;
                        let mins_out = (n - (iv.end - iv.start)) as f64 * bucket_min;
                        let rate = iv.k_in as f64 / mins_in.max(bucket_min);
                        let base = if mins_out > 0.0 {
                            iv.k_out as f64 / mins_out
                        } else {
                            0.0
                        };
                        f.start = Some(exact_onset((b0 + iv.start as i64) * res, res, first));
                        let after = (n - iv.end) as f64 * bucket_min;
                        f.end = if after * rate < 3.0 {
                            None
                        } else {
                            Some((b0 + iv.end as i64) * res)
                        };
                        f.count = iv.k_in;
                        f.rate = Some(round3(rate));
                        f.baseline_rate = Some(round3(base));
                        if mins_out > 0.0 {
                            f.factor =
                                Some((factor(rate, base, 0.5 / mins_out) * 100.0).round() / 100.0);
                        }
                        if iv.k_out > 0 {
                            f.details.insert("outside_window".into(), iv.k_out.into());
                            // The title's totals include trouble outside the burst: say how
                            // much of it the burst holds, as the count column does.
                            f.title = format!(
                                "{}: {} {noun} in {} ({what} in all)",
                                u.host,
                                iv.k_in,
                                // Whole minutes: the window is bucket-aligned anyway.
                                crate::report::fmt_duration(mins_in.round().max(1.0) * 60.0)
                            );
                        }
                    }
                    None => {
                        let mins = (n as f64 * bucket_min).max(bucket_min);
                        f.rate = Some(round3(count as f64 / mins));
                        f.notes.push(if follows_traffic {
                            "follows the traffic: a steady share of what is logged, no onset \
                             inside the window"
                                .into()
                        } else {
                            "steady over the whole window: no onset inside it".into()
                        });
                    }
                }
                f.details
                    .insert("rate_unit".into(), "events_per_minute".into());
            }
            _ => {
                f.notes
                    .push("no timestamps: cannot say when it started".into());
            }
        }
        if gave_up > 0 {
            f.title = format!("{}; {gave_up} gave up after retries", f.title);
        }
        if let Some(er) = u.error_rate {
            f.details.insert("calls".into(), u.calls.into());
            f.details
                .insert("failing_call_share".into(), round3(er).into());
        } else {
            f.notes.push(
                "known only from messages about trouble: successful calls are not logged".into(),
            );
        }
        let d = &mut f.details;
        d.insert("timeouts".into(), u.timeouts.into());
        d.insert("refused".into(), u.refused.into());
        d.insert("rate_limited".into(), u.rate_limited.into());
        d.insert("server_errors".into(), u.server_errors.into());
        d.insert("statuses".into(), statuses_json(&u.top_statuses));
        if let Some(ra) = u.retry_after_max_s {
            d.insert("retry_after_max_s".into(), ra.into());
        }
        if let Some(m) = u.retry_after_mean_s {
            d.insert("retry_after_mean_s".into(), round3(m).into());
        }
        if let Some(p) = &u.latency {
            d.insert(
                "latency".into(),
                json!({"count": p.count, "p50_ms": round3(p.p50), "p99_ms": round3(p.p99), "max_ms": round3(p.max)}),
            );
        }
        d.insert(
            "routes".into(),
            Value::Array(
                u.routes
                    .iter()
                    .take(5)
                    .map(|(r, c)| json!({"route": r, "requests": c}))
                    .collect(),
            ),
        );
        f.examples = examples_from(f.start, f.end, examples, samples.iter().map(|s| &s.example));
        note_examples_before_onset(&mut f, which);
        set_series(&mut f, series, sum);
        f.rescore(Some(Level::Error));
        out.push(f);
    }
    out
}

/// All events per bucket `b0..b0 + k.len()` at the summary's resolution (every level), and
/// never fewer than the `k` trouble events counted there.
fn all_events_dense(sum: &Summary, b0: i64, k: &[u64]) -> Vec<u64> {
    let res = sum.resolution_ms.max(1);
    let grid = super::timeline::Grid {
        width: res,
        first: b0,
        len: k.len(),
        res,
    };
    let mut all = super::timeline::all_events(sum, &grid);
    for (a, &t) in all.iter_mut().zip(k) {
        *a = (*a).max(t);
    }
    all
}

/// Findings of an already finalized report (see [`analyze`]).
pub fn detect_report(
    rep: &EndpointReport,
    sum: &Summary,
    templates: Option<&Templates>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // Routes are sorted by failures, so the scan covers the ones that matter.
    for r in rep.routes.iter().take(MAX_SCANNED_ROUTES) {
        if let Some(f) = failing_route(r, sum, templates, false) {
            out.push(f);
        } else if let Some(f) = failing_route(r, sum, templates, true) {
            out.push(f);
        }
    }
    let mut by_traffic: Vec<&RouteView> = rep
        .routes
        .iter()
        .filter(|r| r.latency.is_some() && !r.is_overflow)
        .collect();
    by_traffic.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.key.cmp(&b.key)));
    for r in by_traffic.into_iter().take(50) {
        if let Some(f) = latency_regression(r, sum, templates) {
            out.push(f);
        }
    }
    for u in &rep.upstreams {
        out.extend(upstream_findings(u, sum));
    }
    super::rank(&mut out);
    out
}

fn span_minutes(sum: &Summary) -> Option<f64> {
    match (sum.time_min, sum.time_max) {
        (Some(a), Some(b)) if b > a => Some((b - a) as f64 / 60_000.0),
        _ => None,
    }
}

/// Endpoint findings of `current` against `baseline` (e.g. yesterday): routes whose failing
/// share or p99 rose, and external hosts with more trouble. Routes are named the same way
/// in both (collapsing runs on their union). For the diff command.
pub fn compare(
    baseline: &Summary,
    current: &Summary,
    templates: Option<&Templates>,
) -> Vec<Finding> {
    let names = collapse_tables(&[&baseline.endpoints, &current.endpoints]);
    let base = finalize_with(&baseline.endpoints, &names[0], baseline.resolution_ms);
    let cur = finalize_with(&current.endpoints, &names[1], current.resolution_ms);
    let mut out = Vec::new();
    for r in &cur.routes {
        if r.is_overflow {
            continue;
        }
        let b = base.routes.iter().find(|x| x.key == r.key);
        // Failing share.
        if r.failed >= MIN_FAILED {
            let rin = r.error_rate;
            let (rout, nout, kout) =
                b.map_or((0.0, 0, 0), |b| (b.error_rate, b.requests, b.failed));
            let llr = binomial_ll(r.failed as f64, r.requests as f64)
                + binomial_ll(kout as f64, nout as f64)
                - binomial_ll((r.failed + kout) as f64, (r.requests + nout) as f64);
            let fac = factor(rin, rout, 0.5 / (nout as f64 + 1.0));
            let new_route = b.is_none();
            if (new_route && rin >= CHRONIC_RATE)
                || (llr >= MIN_BASELINE_LLR && fac >= 2.0 && rin - rout >= 0.01)
            {
                let mut f = Finding::new(
                    FindingKind::FailingRoute,
                    if new_route {
                        format!(
                            "{}: {:.1}% of requests failing (route not in the baseline)",
                            r.key,
                            100.0 * rin
                        )
                    } else {
                        format!(
                            "{}: {:.1}% of requests failing, baseline {:.1}%",
                            r.key,
                            100.0 * rin,
                            100.0 * rout
                        )
                    },
                );
                f.route = Some(r.key.clone());
                f.start = r
                    .stats
                    .fail_series
                    .0
                    .first()
                    .map(|x| x.0 * current.resolution_ms);
                f.count = r.failed;
                let per_min = |sum: &Summary, n: u64| {
                    span_minutes(sum).map(|m| round3(n as f64 / m.max(1.0)))
                };
                f.rate = per_min(current, r.failed);
                f.details.insert("share".into(), round3(rin).into());
                if !new_route {
                    f.baseline_rate = per_min(baseline, kout);
                    f.details
                        .insert("baseline_share".into(), round3(rout).into());
                    f.factor = Some((fac * 100.0).round() / 100.0);
                    f.details.insert("baseline_requests".into(), nout.into());
                } else {
                    f.notes.push("route not seen in the baseline".into());
                }
                f.details.insert("rate_unit".into(), "per_minute".into());
                f.details.insert("factor_of".into(), "failing_share".into());
                f.details.insert("class".into(), "5xx".into());
                common_route_details(&mut f, r, current, templates);
                f.examples = examples_from(f.start, f.end, r.fail_examples(), r.fail_samples());
                note_examples_before_onset(&mut f, "route's first failing requests");
                set_series(&mut f, &r.stats.fail_series, current);
                f.rescore(Some(Level::Error));
                out.push(f);
            }
        }
        // p99 latency of successful requests (failing ones, often timeouts, are the
        // failing-route finding's evidence), from the per-bucket bins (±5%).
        let success = |v: &RouteView| -> Option<(f64, u64)> {
            let mut counts: Vec<u64> = Vec::new();
            for &(_, bin, c) in &v.lat_bins().0 {
                if counts.len() <= bin as usize {
                    counts.resize(bin as usize + 1, 0);
                }
                counts[bin as usize] += c;
            }
            let n: u64 = counts.iter().sum();
            Some((
                crate::endpoints::latency::bins_quantile_ms(&counts, 0.99)?,
                n,
            ))
        };
        if let (Some(b), Some(pc)) = (b, &r.latency) {
            if let (Some(pb), Some((sc, nc)), Some((sb, nb))) = (&b.latency, success(r), success(b))
            {
                if nc >= MIN_LAT_SAMPLES
                    && nb >= MIN_LAT_SAMPLES
                    && sc >= sb * MIN_LAT_FACTOR
                    && sc - sb >= MIN_LAT_RISE_MS
                    && pc.p99 > pb.p99
                {
                    let slow: u64 = r
                        .stats
                        .latency
                        .sparse()
                        .iter()
                        .filter(|(v, _)| (*v as f64) / 1000.0 > pb.p99)
                        .map(|(_, c)| c)
                        .sum();
                    let mut f = Finding::new(
                        FindingKind::LatencyRegression,
                        format!(
                            "{}: p99 latency {:.0} ms, baseline {:.0} ms",
                            r.key, pc.p99, pb.p99
                        ),
                    );
                    f.route = Some(r.key.clone());
                    f.count = slow;
                    f.factor = Some(((pc.p99 / pb.p99) * 100.0).round() / 100.0);
                    f.details.insert("factor_of".into(), "p99".into());
                    f.details
                        .insert("window_p99_ms".into(), round3(pc.p99).into());
                    f.details
                        .insert("baseline_p99_ms".into(), round3(pb.p99).into());
                    f.details.insert(
                        "baseline_latency".into(),
                        json!({"count": pb.count, "p50_ms": round3(pb.p50), "p90_ms": round3(pb.p90),
                               "p99_ms": round3(pb.p99), "max_ms": round3(pb.max)}),
                    );
                    common_route_details(&mut f, r, current, templates);
                    let slow_values = r
                        .stats
                        .latency
                        .sparse()
                        .iter()
                        .copied()
                        .filter(|&(v, _)| v as f64 / 1000.0 > pb.p99);
                    f.examples = slow_examples(r, pb.p99, slow_values, None, None);
                    set_series(&mut f, &r.stats.series, current);
                    f.rescore(Some(Level::Error));
                    out.push(f);
                }
            }
        }
    }
    // Upstreams: trouble per minute (per 1,000 events without time) against the baseline.
    let per = |sum: &Summary, n: u64| -> f64 {
        match span_minutes(sum) {
            Some(m) => n as f64 / m.max(1.0),
            None => 1000.0 * n as f64 / sum.events.max(1) as f64,
        }
    };
    for u in &cur.upstreams {
        let b = base.upstreams.iter().find(|x| x.host == u.host);
        for mut f in upstream_findings(u, current) {
            let (cnt_b, cnt_c) = match f.kind {
                FindingKind::UpstreamTimeout => (
                    b.map_or(0, |b| b.timeouts + b.refused),
                    u.timeouts + u.refused,
                ),
                FindingKind::RateLimited => (b.map_or(0, |b| b.rate_limited), u.rate_limited),
                _ => (b.map_or(0, |b| b.server_errors), u.server_errors),
            };
            let rc = per(current, cnt_c);
            let rb = per(baseline, cnt_b);
            let floor = per(baseline, 1) * 0.5;
            let fac = factor(rc, rb, floor);
            if fac < 2.0 {
                continue;
            }
            f.rate = Some(round3(rc));
            f.baseline_rate = Some(round3(rb));
            f.factor = Some((fac * 100.0).round() / 100.0);
            f.details.insert("baseline_count".into(), cnt_b.into());
            f.details.insert(
                "rate_unit".into(),
                (if span_minutes(current).is_some() {
                    "events_per_minute"
                } else {
                    "events_per_1000_events"
                })
                .into(),
            );
            f.notes.retain(|n| !n.starts_with("trouble from the start"));
            f.rescore(Some(Level::Error));
            out.push(f);
        }
    }
    super::rank(&mut out);
    out
}

/// JSON object for the route table (used by `faultline endpoints --output json` and by the
/// summary report).
pub fn route_json(r: &RouteView, sum: &Summary, templates: Option<&Templates>) -> Value {
    let mut m = Map::new();
    m.insert("route".into(), r.key.clone().into());
    m.insert("method".into(), r.method.clone().into());
    m.insert("path".into(), r.route.clone().into());
    m.insert("requests".into(), r.requests.into());
    m.insert("share".into(), round3(r.share).into());
    m.insert(
        "classes".into(),
        json!({"none": r.classes[0], "1xx": r.classes[1], "2xx": r.classes[2],
               "3xx": r.classes[3], "4xx": r.classes[4], "5xx": r.classes[5]}),
    );
    m.insert("failed".into(), r.failed.into());
    m.insert("client_errors".into(), r.client_errors.into());
    m.insert("error_rate".into(), round3(r.error_rate).into());
    m.insert(
        "client_error_rate".into(),
        round3(r.client_error_rate).into(),
    );
    m.insert("statuses".into(), statuses_json(&r.top_statuses));
    m.insert("latency".into(), latency_json(r));
    m.insert(
        "first_seen".into(),
        r.first_time.map(crate::report::rfc3339).into(),
    );
    m.insert(
        "last_seen".into(),
        r.last_time.map(crate::report::rfc3339).into(),
    );
    m.insert("merged_routes".into(), (r.variants as u64).into());
    m.insert("counted_from".into(), r.view.clone().into());
    m.insert(
        "also_seen".into(),
        r.also_seen
            .iter()
            .map(|(v, n)| json!({"log": v, "requests": n}))
            .collect::<Vec<_>>()
            .into(),
    );
    m.insert(
        "error_templates".into(),
        Value::Array(
            route_templates(r, sum, templates)
                .iter()
                .take(5)
                .map(|(t, id, c)| json!({"template": t, "id": id, "count": c}))
                .collect(),
        ),
    );
    let ex = |v: &[Example]| -> Value {
        Value::Array(
            v.iter()
                .map(|e| json!({"location": e.location(), "text": e.text}))
                .collect(),
        )
    };
    m.insert("examples".into(), ex(r.examples()));
    m.insert("failing_examples".into(), ex(r.fail_examples()));
    Value::Object(m)
}

/// JSON object for the upstream table.
pub fn upstream_json(u: &UpstreamView) -> Value {
    json!({
        "host": u.host,
        "events": u.events,
        "calls": u.calls,
        "ok": u.ok,
        "timeouts": u.timeouts,
        "refused": u.refused,
        "rate_limited": u.rate_limited,
        "server_errors": u.server_errors,
        "client_errors": u.client_errors,
        "gave_up": crate::endpoints::view::gave_up_apart(&u.stats).iter().sum::<u64>(),
        "failing_call_share": u.error_rate.map(round3),
        "retry_after_max_s": u.retry_after_max_s,
        "statuses": statuses_json(&u.top_statuses),
        "latency": u.latency.as_ref().map(|p| json!({"count": p.count, "p50_ms": round3(p.p50),
            "p90_ms": round3(p.p90), "p99_ms": round3(p.p99), "max_ms": round3(p.max)})),
        "first_seen": u.first_time.map(crate::report::rfc3339),
        "last_seen": u.last_time.map(crate::report::rfc3339),
        "routes": u.routes.iter().map(|(r, c)| json!({"route": r, "requests": c})).collect::<Vec<_>>(),
        "examples": u.stats.timeout_examples.iter().chain(&u.stats.rate_examples).chain(&u.stats.error_examples)
            .take(3).map(|e| json!({"location": e.location(), "text": e.text})).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests;
