//! The error-rate timeline and the incident window: *when did things start to go wrong?*
//!
//! In: a merged [`Summary`] (its per-level series). Out: a [`Timeline`] of 60–240 display
//! buckets (width a multiple of the summary's resolution, so re-bucketing is exact), and an
//! [`IncidentWindow`] found on it.
//!
//! Method. Per bucket, the error rate `r = errors / events`. The *normal* rate `p0` is the
//! lower of two robust estimates: the median of all bucket rates and the median of the first
//! 20% of buckets (the median tolerates an incident covering up to half of the input; the
//! early median covers longer incidents when the input starts before them). A median of
//! sparse counts runs low (0 under one error per bucket; a count averaging 1.5 has a median
//! of 1), so when a bucket holds under [`SPARSE_ERRORS`] errors at that rate the
//! normal rate is refined to the pooled rate of the buckets outside the elevated runs
//! (found again with the new rate) while that is higher: a report never says "rose from 0%"
//! of a log that had errors before, nor "still elevated" of a rate back at its old level.
//!
//! The buckets are then cut into runs of constant error rate: the partition with the least
//! binomial deviance plus a penalty of `3 ln(buckets)` per extra run (exact optimal
//! partitioning, a change-point method), the deviance divided by the counts' overdispersion
//! (estimated from neighbouring buckets in the normal state, so traffic noise is not taken
//! for change points).
//! A run is *elevated* when its errors are significantly (three standard deviations, with
//! that overdispersion, plus two) above a bar of twice `p0` and at least one percentage point
//! above it, so jitter around a tiny rate, or a run just at the bar, is not an incident.
//! Elevated runs separated by at most two buckets are joined; the group with the most
//! *excess errors* (`Σ errors − p0 n`) is the incident window, if it has at least 5. A rate
//! that steps up and stays up is one window from the step, however its buckets jitter, and a
//! rise on top of an earlier, lesser one that stays under the bar starts where it rises.
//! The window's edges are then placed on the summary's own (finer) buckets: the most likely
//! single change point between the window's first (last) run and the one before (after) it,
//! within one bucket of the coarse edge.
//!
//! Sparse inputs are analysed on coarser buckets (joined until they average 30 events), so
//! the rate of a bucket is never computed from a handful of events.

use super::model::{IncidentWindow, Timeline};
use super::rfc3339;
use crate::detect::endpoints::binomial_ll;
use crate::record::Level;
use crate::summary::{Series, Summary};

/// Most display buckets on the timeline.
pub const MAX_DISPLAY_BUCKETS: i64 = 240;

/// Bucket-width multipliers that give readable widths on the resolution ladder.
const NICE_FACTORS: [i64; 16] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 240, 480, 960];

/// Errors per bucket at the normal rate below which the median of bucket rates is too low
/// an estimate of it (see [`detect_in`]).
pub const SPARSE_ERRORS: f64 = 5.0;

/// Fraction of the timeline that is taken as "early" (normal) when estimating `p0`.
pub const EARLY_FRACTION: f64 = 0.2;

/// Display bucket width for a summary: the smallest readable multiple of its resolution that
/// gives at most [`MAX_DISPLAY_BUCKETS`] buckets.
pub fn display_width(sum: &Summary) -> i64 {
    let res = sum.resolution_ms.max(1);
    let (Some(a), Some(b)) = (sum.time_min, sum.time_max) else {
        return res;
    };
    let n = b.div_euclid(res) - a.div_euclid(res) + 1;
    for k in NICE_FACTORS {
        if (n + k - 1) / k < MAX_DISPLAY_BUCKETS {
            return res * k;
        }
    }
    res * ((n + MAX_DISPLAY_BUCKETS - 2) / (MAX_DISPLAY_BUCKETS - 1)).max(1)
}

/// Builds the events / errors / warnings timeline of a summary.
pub fn timeline(sum: &Summary) -> Timeline {
    timeline_at(sum, display_width(sum))
}

/// The same timeline at the summary's own resolution (at most a few thousand buckets), on
/// which [`detect_in`] places the window's edges.
pub fn fine_timeline(sum: &Summary) -> Timeline {
    timeline_at(sum, sum.resolution_ms.max(1))
}

fn timeline_at(sum: &Summary, width: i64) -> Timeline {
    let (Some(a), Some(b)) = (sum.time_min, sum.time_max) else {
        return Timeline {
            bucket_ms: width,
            bucket_seconds: width as f64 / 1000.0,
            ..Timeline::default()
        };
    };
    let first = a.div_euclid(width);
    let last = b.div_euclid(width);
    let mut events = vec![0u64; (last - first + 1) as usize];
    let mut errors = events.clone();
    let mut warnings = events.clone();
    for (slot, s) in sum.level_series.iter().enumerate() {
        let d = dense(s, sum.resolution_ms, width, first, last);
        for (e, v) in events.iter_mut().zip(&d) {
            *e += v;
        }
        if slot == Level::Error.index() || slot == Level::Fatal.index() {
            for (e, v) in errors.iter_mut().zip(&d) {
                *e += v;
            }
        } else if slot == Level::Warn.index() {
            for (e, v) in warnings.iter_mut().zip(&d) {
                *e += v;
            }
        }
    }
    Timeline {
        start: Some(rfc3339(first * width)),
        bucket_seconds: width as f64 / 1000.0,
        events,
        errors,
        warnings,
        start_ms: first * width,
        bucket_ms: width,
    }
}

/// A series at the summary's resolution, as dense counts on the timeline's buckets.
pub fn dense(s: &Series, res: i64, width: i64, first: i64, last: i64) -> Vec<u64> {
    if width == res {
        return s.dense(first, last);
    }
    let mut c = s.clone();
    c.rebucket(res, width);
    c.dense(first, last)
}

/// The same, for a timeline.
pub fn on_timeline(s: &Series, res: i64, tl: &Timeline) -> Vec<u64> {
    if tl.is_empty() || tl.bucket_ms <= 0 {
        return Vec::new();
    }
    let first = tl.start_ms.div_euclid(tl.bucket_ms);
    dense(s, res, tl.bucket_ms, first, first + tl.len() as i64 - 1)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Events an analysis bucket should hold on average before its rate is trusted.
const MIN_MEAN_EVENTS: f64 = 30.0;
/// Fewest analysis buckets with events to say anything.
const MIN_BUCKETS: usize = 8;
/// Fewest excess errors for a window.
const MIN_EXCESS: f64 = 5.0;
/// Penalty for each extra segment, in units of `ln(buckets)` of deviance (BIC would charge
/// two parameters, a rate and a change point, at one each; one more keeps day-long logs'
/// traffic swings from becoming segments).
const PENALTY: f64 = 3.0;

/// Binomial deviance of `e` errors in `n` events at their own rate: `-2 ln L`.
fn deviance(n: f64, e: f64) -> f64 {
    -2.0 * binomial_ll(e, n)
}

/// Prefix sums of events and errors, for the deviance of any run of buckets.
fn prefix(ev: &[u64], er: &[u64]) -> (Vec<f64>, Vec<f64>) {
    let mut n = Vec::with_capacity(ev.len() + 1);
    let mut e = Vec::with_capacity(ev.len() + 1);
    let (mut sn, mut se) = (0u64, 0u64);
    n.push(0.0);
    e.push(0.0);
    for (&a, &b) in ev.iter().zip(er) {
        sn += a;
        se += b;
        n.push(sn as f64);
        e.push(se as f64);
    }
    (n, e)
}

/// The partition of the buckets into runs of constant error rate with the least total
/// deviance (divided by the dispersion `phi`) plus `beta` per run after the first: exact
/// optimal partitioning by dynamic programming (Jackson et al., "An algorithm for optimal
/// partitioning of data on an interval", 2005), quadratic in the at most 240 buckets.
/// Returns half-open `[a, b)` runs in order; ties go to the earliest change point.
fn segments(ev: &[u64], er: &[u64], beta: f64, phi: f64) -> Vec<(usize, usize)> {
    let t = ev.len();
    let (pn, pe) = prefix(ev, er);
    let cost = |a: usize, b: usize| deviance(pn[b] - pn[a], pe[b] - pe[a]) / phi;
    let mut best = vec![f64::INFINITY; t + 1];
    let mut from = vec![0usize; t + 1];
    best[0] = 0.0;
    for j in 1..=t {
        for i in 0..j {
            let c = best[i] + cost(i, j) + if i > 0 { beta } else { 0.0 };
            if c < best[j] {
                best[j] = c;
                from[j] = i;
            }
        }
    }
    let mut out = Vec::new();
    let mut j = t;
    while j > 0 {
        out.push((from[j], j));
        j = from[j];
    }
    out.reverse();
    out
}

/// How much more the bucket counts vary than a binomial would in the normal state: the
/// median squared standardised difference of neighbouring buckets' rates over the χ²₁ median
/// (0.455), over pairs whose rates are both at most `floor`; at least 1 (1 when fewer than
/// five such pairs have errors). Differences of neighbours are untouched by level shifts
/// except at the shift itself, and leaving out pairs above the bar keeps an incident's own
/// bursts from hiding the gaps between them.
fn dispersion(ev: &[u64], er: &[u64], floor: f64) -> f64 {
    let mut z: Vec<f64> = Vec::new();
    for i in 1..ev.len() {
        let (n1, n2) = (ev[i - 1] as f64, ev[i] as f64);
        if n1 <= 0.0 || n2 <= 0.0 || er[i - 1] as f64 > floor * n1 || er[i] as f64 > floor * n2 {
            continue;
        }
        let p = (er[i - 1] + er[i]) as f64 / (n1 + n2);
        if p <= 0.0 || p >= 1.0 {
            continue;
        }
        let d = er[i - 1] as f64 / n1 - er[i] as f64 / n2;
        z.push(d * d / (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)));
    }
    if z.len() < 5 {
        return 1.0;
    }
    (median(&mut z) / 0.455).clamp(1.0, 1e6)
}

/// The most likely single change point in buckets `lo..hi` of a series, searched within
/// `reach` buckets of `mid` (both sides keep at least one bucket). Among equally likely
/// points (empty buckets between), a window's `start` takes the latest, its end the earliest,
/// so the window does not reach over buckets without events. Also returns the first and
/// last point of the search whose deviance is within `slack` of the best (a likelihood
/// interval for the change, cut at the search's reach).
fn change_point(
    ev: &[u64],
    er: &[u64],
    (lo, mid, hi): (usize, usize, usize),
    reach: usize,
    start: bool,
    slack: f64,
) -> (usize, usize, usize) {
    let hi = hi.min(ev.len());
    let from = (lo + 1).max(mid.saturating_sub(reach));
    let to = (hi.saturating_sub(1)).min(mid + reach);
    if from > to || hi <= lo + 1 {
        return (mid, mid, mid);
    }
    let (pn, pe) = prefix(&ev[lo..hi], &er[lo..hi]);
    let (n, e) = (pn[hi - lo], pe[hi - lo]);
    let costs: Vec<f64> = (from..=to)
        .map(|s| {
            let k = s - lo;
            deviance(pn[k], pe[k]) + deviance(n - pn[k], e - pe[k])
        })
        .collect();
    let mut best = (f64::INFINITY, mid);
    for (s, &c) in (from..=to).zip(&costs) {
        if c < best.0 || (start && c == best.0) {
            best = (c, s);
        }
    }
    let near = |&c: &f64| c <= best.0 + slack;
    let first = costs.iter().position(near).map_or(best.1, |i| from + i);
    let last = costs.iter().rposition(near).map_or(best.1, |i| from + i);
    (best.1, first, last)
}

/// Finds the incident window on a timeline (see the module doc for the method), placing its
/// edges on `fine` (the same data at a finer bucket width that divides the timeline's, see
/// [`fine_timeline`]) when given.
pub fn detect_in(tl: &Timeline, fine: Option<&Timeline>) -> IncidentWindow {
    let none = |why: String| IncidentWindow {
        explanation: why,
        ..IncidentWindow::default()
    };
    if tl.is_empty() {
        return none("no clear incident window: no event has a timestamp".into());
    }
    let total_errors: u64 = tl.errors.iter().sum();
    let total_events: u64 = tl.events.iter().sum();
    if total_errors == 0 {
        return none("no clear incident window: no error-level events".into());
    }
    // Join display buckets until the non-empty ones are busy enough to give a rate.
    let mut m = 1usize;
    loop {
        let nonempty = tl
            .events
            .chunks(m)
            .filter(|c| c.iter().sum::<u64>() > 0)
            .count();
        let mean = total_events as f64 / nonempty.max(1) as f64;
        if mean >= MIN_MEAN_EVENTS || tl.len().div_ceil(m * 2) < MIN_BUCKETS * 2 {
            break;
        }
        m *= 2;
    }
    let ev: Vec<u64> = tl.events.chunks(m).map(|c| c.iter().sum()).collect();
    let er: Vec<u64> = tl.errors.chunks(m).map(|c| c.iter().sum()).collect();
    let rates: Vec<Option<f64>> = ev
        .iter()
        .zip(&er)
        .map(|(&n, &e)| (n > 0).then(|| e as f64 / n as f64))
        .collect();
    let mut all: Vec<f64> = rates.iter().flatten().copied().collect();
    if all.len() < MIN_BUCKETS {
        return none(format!(
            "no clear incident window: only {} time bucket(s) with events, too few to tell a \
             normal error rate from an abnormal one",
            all.len()
        ));
    }
    let early_n = ((rates.len() as f64 * EARLY_FRACTION).ceil() as usize).max(3);
    let mut early: Vec<f64> = rates[..early_n.min(rates.len())]
        .iter()
        .flatten()
        .copied()
        .collect();
    let med_all = median(&mut all);
    let med_early = if early.len() >= 3 {
        median(&mut early)
    } else {
        f64::INFINITY
    };
    // The normal level: all buckets' median, or the early ones' when those are calmer (a
    // long incident drags the overall median up).
    let mut p0 = med_early.min(med_all);
    let beta = PENALTY * (ev.len() as f64).ln().max(1.0);
    // Segments of constant error rate (the most likely partition, penalised per segment),
    // then the segments significantly above normal, joined into groups when at most two
    // normal buckets apart.
    let analyse = |p0: f64| {
        let floor = (2.0 * p0).max(p0 + 0.01);
        let phi = dispersion(&ev, &er, floor);
        let segs = segments(&ev, &er, beta, phi);
        let elevated = |&(a, b): &(usize, usize)| {
            let n: u64 = ev[a..b].iter().sum();
            let e: u64 = er[a..b].iter().sum();
            let (n, e) = (n as f64, e as f64);
            let bar = floor * n;
            n > 0.0 && e > bar + 3.0 * (phi * bar).sqrt() + 2.0
        };
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for &(a, b) in segs.iter().filter(|s| elevated(s)) {
            match groups.last_mut() {
                Some((_, end)) if a - *end <= 2 => *end = b,
                _ => groups.push((a, b)),
            }
        }
        (phi, segs, groups)
    };
    // The pooled rate of every bucket outside the elevated groups.
    let outside = |groups: &[(usize, usize)]| -> Option<f64> {
        let inside = |i: usize| groups.iter().any(|&(a, b)| a <= i && i < b);
        let (n, e) = (0..ev.len())
            .filter(|&i| !inside(i))
            .fold((0u64, 0u64), |(n, e), i| (n + ev[i], e + er[i]));
        (n > 0).then(|| e as f64 / n as f64)
    };
    let (mut phi, mut segs, mut groups) = analyse(p0);
    // A median of bucket rates runs low when errors are sparse: it is 0 under one error per
    // bucket, and a count averaging 1.5 has a median of 1. When a bucket
    // holds fewer than [`SPARSE_ERRORS`] errors at that rate, the normal level is refined to
    // the pooled rate outside the elevated stretches while that is higher, so background
    // jitter is not read as a rise, nor a return to the old level as "still elevated".
    // (With busier buckets the median stays: it is not moved by a lesser error that runs
    // for hours, which a pooled rate would take for the normal level.)
    let mut busy: Vec<f64> = ev.iter().filter(|&&n| n > 0).map(|&n| n as f64).collect();
    let sparse = p0 * median(&mut busy) < SPARSE_ERRORS;
    let rounds = if sparse { 4 } else { 0 };
    // When the median's 0 makes the whole input one elevated stretch, nothing is left
    // outside to pool: a quiet service's few errors an hour (ten in the first hours' 300
    // events) before an outage of thousands would read "rose from 0% at the start of the
    // input". If the stretch holds a change, its part before the change is the early
    // buckets': their pooled rate is the normal level to start from.
    let covers_all = |g: &[(usize, usize)]| g.len() == 1 && g[0] == (0, ev.len());
    if sparse && covers_all(&groups) && segs.len() > 1 {
        let (n, e) =
            (0..early_n.min(ev.len())).fold((0u64, 0u64), |(n, e), i| (n + ev[i], e + er[i]));
        let q = e as f64 / n.max(1) as f64;
        if n > 0 && q > p0 * 1.05 + 1e-9 {
            p0 = q;
            (phi, segs, groups) = analyse(p0);
        }
    }
    for _ in 0..rounds {
        match outside(&groups) {
            Some(q) if q > p0 * 1.05 + 1e-9 => {
                p0 = q;
                (phi, segs, groups) = analyse(p0);
            }
            _ => break,
        }
    }
    let excess = |a: usize, b: usize| -> f64 {
        (a..b)
            .map(|i| er[i] as f64 - p0 * ev[i] as f64)
            .sum::<f64>()
    };
    let best = groups
        .iter()
        .map(|&(a, b)| (a, b, excess(a, b)))
        .max_by(|x, y| x.2.total_cmp(&y.2).then_with(|| y.0.cmp(&x.0)));
    let Some((a, b, _)) = best.filter(|r| r.2 >= MIN_EXCESS) else {
        return none(format!(
            "no clear incident window: the error rate stays near its normal level of {} \
             (no stretch of time rises significantly above it)",
            pct(p0)
        ));
    };
    // The edges, placed on the finest series there is: the most likely change point between
    // the group's first (last) segment and the segment before (after) it, within one
    // analysis bucket of the coarse edge.
    let fine = fine
        .filter(|f| !f.is_empty() && f.bucket_ms > 0)
        .unwrap_or(tl);
    let to_fine = |x: usize| -> usize {
        let ms = tl.bucket_start((x * m).min(tl.len()));
        let i = (ms - fine.start_ms).div_euclid(fine.bucket_ms);
        i.clamp(0, fine.len() as i64) as usize
    };
    let reach = (m as i64 * tl.bucket_ms / fine.bucket_ms).max(1) as usize;
    let seg_at = |x: usize| segs.iter().position(|s| s.0 <= x && x < s.1);
    let mut start = to_fine(a);
    // 95% likelihood interval of a change point: deviance within χ²₁(0.95) = 3.84 of the
    // best, times the overdispersion.
    let slack = 3.84 * phi;
    let mut onset_range = (start, start);
    if let Some(k) = seg_at(a).filter(|&k| k > 0) {
        let (lo, hi) = (to_fine(segs[k - 1].0), to_fine(segs[k].1));
        let c = change_point(
            &fine.events,
            &fine.errors,
            (lo, start, hi),
            reach,
            true,
            slack,
        );
        start = c.0;
        onset_range = (c.1, c.2);
    }
    let ongoing = b >= ev.len();
    let mut end = if ongoing { fine.len() } else { to_fine(b) };
    if let Some(k) = seg_at(b - 1).filter(|&k| k + 1 < segs.len()) {
        let (lo, hi) = (to_fine(segs[k].0), to_fine(segs[k + 1].1));
        end = change_point(
            &fine.events,
            &fine.errors,
            (lo, end, hi),
            reach,
            false,
            slack,
        )
        .0;
    }
    let end = end.max(start + 1).min(fine.len());
    let (events, errors): (u64, u64) = (start..end)
        .map(|i| (fine.events[i], fine.errors[i]))
        .fold((0, 0), |(x, y), (n, e)| (x + n, y + e));
    let exc = errors as f64 - p0 * events as f64;
    let (peak_i, peak_r) = (a..b)
        .filter_map(|i| rates[i].map(|r| (i, r)))
        .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0)))
        .unwrap_or((a, 0.0));
    let started_before_input = a == 0;
    let start_ms = fine.bucket_start(start);
    let end_ms = fine.bucket_start(end);
    let window_rate = errors as f64 / events.max(1) as f64;
    // The display buckets may reach past the refined window and dilute its busiest one; the
    // peak is never below the window's own average.
    let peak_r = peak_r.max(window_rate);
    let mut explanation = format!(
        "error rate {} from {} (normal {}, peak {}); {} errors in the window, {} more than \
         the normal rate predicts",
        pct(window_rate),
        rfc3339(start_ms),
        pct(p0),
        pct(peak_r),
        errors,
        exc.round() as u64
    );
    // Say how sure the onset is when the data leave it open over more than two buckets.
    let onset_interval_ms = (onset_range.1 > onset_range.0 + 2).then(|| {
        (
            fine.bucket_start(onset_range.0),
            fine.bucket_start(onset_range.1),
        )
    });
    if let Some((x, y)) = onset_interval_ms {
        explanation.push_str(&format!(
            "; the rise began between {} and {} (95% likelihood interval, searched within \
             one bucket of the coarse onset)",
            rfc3339(x),
            rfc3339(y),
        ));
    }
    if ongoing {
        explanation.push_str("; still elevated at the end of the input");
    } else {
        explanation.push_str(&format!("; back to normal by {}", rfc3339(end_ms)));
    }
    if started_before_input {
        explanation
            .push_str("; already elevated at the start of the input, so it may have begun earlier");
    }
    if (b - a) * 10 >= ev.len() * 8 {
        explanation.push_str("; elevated over most of the input, so \"normal\" is uncertain");
    }
    IncidentWindow {
        found: true,
        start: Some(rfc3339(start_ms)),
        end: (!ongoing).then(|| rfc3339(end_ms)),
        ongoing,
        started_before_input,
        normal_error_rate: Some(p0),
        window_error_rate: Some(window_rate),
        peak_error_rate: Some(peak_r),
        peak: Some(rfc3339(tl.bucket_start(peak_i * m))),
        events,
        errors,
        excess_errors: exc.max(0.0).round() as u64,
        explanation,
        onset_interval: onset_interval_ms.map(|(x, y)| [rfc3339(x), rfc3339(y)]),
        onset_interval_ms,
        start_ms: Some(start_ms),
        end_ms: Some(end_ms),
    }
}

/// A rate (0..1) as a percentage with sensible precision.
pub fn pct(r: f64) -> String {
    let p = r * 100.0;
    if p == 0.0 {
        "0%".to_string()
    } else if p < 0.1 {
        format!("{p:.2}%")
    } else if p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Background errors too sparse for a bucket median (one in every fourth bucket of 100
    /// events), then a rise to 20%: the normal rate reported is the measured 0.24%, not 0%.
    #[test]
    fn a_sparse_background_is_reported_as_its_measured_rate() {
        let errors: Vec<u64> = (0..80u64)
            .map(|i| match i {
                60..=69 => 20,
                _ if i % 4 == 0 => 1,
                _ => 0,
            })
            .collect();
        let t = tl(&[100; 80], &errors);
        let w = detect(&t);
        assert!(w.found, "{w:?}");
        assert_eq!(w.start_ms, Some(t.bucket_start(60)));
        let normal = w.normal_error_rate.unwrap_or(0.0);
        // 17 errors in the 7,000 events outside the rise (buckets 0..60 and 70..80).
        assert!((normal - 17.0 / 7000.0).abs() < 1e-9, "{normal}");
        assert_eq!(w.excess_errors, (200.0 - normal * 1000.0).round() as u64);
        assert!(w.explanation.contains("(normal 0.2%,"), "{}", w.explanation);
    }

    /// A quiet service (two events a bucket, an error in every tenth bucket) for 90 buckets,
    /// then an outage of 90 events a bucket, nearly all errors, to the end: the whole input
    /// is one stretch above a median of 0, with nothing outside it to pool, yet the outage
    /// starts at bucket 90 and the normal rate is the quiet part's 5%.
    #[test]
    fn a_quiet_start_before_an_outage_to_the_end_is_not_part_of_it() {
        let events: Vec<u64> = (0..150u64).map(|i| if i < 90 { 2 } else { 90 }).collect();
        let errors: Vec<u64> = (0..150u64)
            .map(|i| match i {
                90.. => 85,
                _ if i % 10 == 0 => 1,
                _ => 0,
            })
            .collect();
        let t = tl(&events, &errors);
        let w = detect(&t);
        assert!(w.found && w.ongoing, "{w:?}");
        assert!(!w.started_before_input, "{}", w.explanation);
        let start = w.start_ms.unwrap_or(0);
        assert!(
            (t.bucket_start(88)..=t.bucket_start(90)).contains(&start),
            "{}",
            w.explanation
        );
        let normal = w.normal_error_rate.unwrap_or(0.0);
        assert!((0.04..0.06).contains(&normal), "{}", w.explanation);
    }

    /// A background of 1.5 errors per 100-event bucket whose bucket median is 1 (skewed
    /// counts, as sparse Poisson counts are), a rise to 12% for ten buckets, then the
    /// background again: the normal rate is the pooled one (about 1.5%, not 1%), and the
    /// window ends where the rise does.
    #[test]
    fn a_skewed_sparse_background_is_not_read_as_its_median() {
        let cycle = [0u64, 0, 1, 1, 2, 5];
        let errors: Vec<u64> = (0..120usize)
            .map(|i| {
                if (60..70).contains(&i) {
                    12
                } else {
                    cycle[i % 6]
                }
            })
            .collect();
        let t = tl(&[100; 120], &errors);
        let w = detect(&t);
        assert!(w.found, "{w:?}");
        let outside: u64 = (0..120)
            .filter(|i| !(60..70).contains(i))
            .map(|i| errors[i])
            .sum();
        let normal = w.normal_error_rate.unwrap_or(0.0);
        assert!(
            (normal - outside as f64 / 11_000.0).abs() < 1e-9,
            "{normal}: {}",
            w.explanation
        );
        assert_eq!(w.start_ms, Some(t.bucket_start(60)), "{}", w.explanation);
        assert_eq!(w.end_ms, Some(t.bucket_start(70)), "{}", w.explanation);
        assert!(!w.ongoing);
    }

    /// Six hours of ten-minute buckets at 0.3% errors, then an error adding ~0.9% for
    /// hours (just under the bar), a few buckets of that level's jitter over the bar, and a
    /// new rise to 3% at bucket 60: the window starts at the rise, not at the jitter.
    #[test]
    fn a_rise_on_top_of_a_steady_lesser_one_starts_where_it_rises() {
        let n = 7000u64;
        let mut errors: Vec<u64> = Vec::new();
        for i in 0..70u64 {
            errors.push(match i {
                0..=35 => 21 + i % 3,        // 0.3%
                36..=55 => 80 + (i * 7) % 9, // ~1.2%
                56..=59 => 97 + i % 3,       // jitter just over 1.3%
                _ => 210 + i % 5,            // 3%
            });
        }
        let t = tl(&vec![n; 70], &errors);
        let w = detect(&t);
        assert!(w.found, "{w:?}");
        assert_eq!(w.start_ms, Some(60 * 60_000), "{}", w.explanation);
        // A first step that is itself well above the bar is part of the window.
        let mut errors2 = errors.clone();
        for e in errors2.iter_mut().take(56).skip(36) {
            *e = 21;
        }
        for e in errors2.iter_mut().take(60).skip(56) {
            *e = 140; // 2%
        }
        let w2 = detect(&tl(&vec![n; 70], &errors2));
        assert_eq!(w2.start_ms, Some(56 * 60_000), "{}", w2.explanation);
    }

    /// The shape of a bad deploy: the rate steps from 0.4% to ~2.7% at bucket 29 and stays
    /// there, with noisy buckets dipping under twice normal now and then and a short burst
    /// later. The window is the step, still going on at the end: not the burst, not a run
    /// cut short by a dip.
    #[test]
    fn a_step_that_lasts_is_one_window_from_the_step() {
        let n: Vec<u64> = (0..144u64).map(|i| 600 + (i * 37) % 200).collect();
        let er: Vec<u64> = (0..144usize)
            .map(|i| {
                let base = if i < 29 { 2 + i % 3 } else { 5 + (i * 7) % 25 };
                base as u64 + if (115..118).contains(&i) { 15 } else { 0 }
            })
            .collect();
        // Some post-step buckets are below 2 x the normal rate on their own.
        assert!((29..144).any(|i| (er[i] as f64) / (n[i] as f64) < 0.008));
        let w = detect(&tl(&n, &er));
        assert!(w.found, "{}", w.explanation);
        assert_eq!(w.start_ms, Some(29 * 60_000), "{}", w.explanation);
        assert!(w.ongoing, "{}", w.explanation);
    }

    /// On sparse data (five events a minute, an error every other minute after the change)
    /// the onset is uncertain over several minutes, and the explanation says between when.
    #[test]
    fn an_uncertain_onset_is_given_as_an_interval() {
        let fe = vec![5u64; 300];
        let fr: Vec<u64> = (0..300u64)
            .map(|i| {
                if (123..240).contains(&i) {
                    u64::from(i % 2 == 0)
                } else {
                    u64::from(i % 10 == 0)
                }
            })
            .collect();
        let fine = tl(&fe, &fr);
        let coarse = coarse_of(&fe, &fr, 10);
        let w = detect_in(&coarse, Some(&fine));
        assert!(w.found, "{}", w.explanation);
        let s = w.start_ms.unwrap_or(0) / 60_000;
        assert!(
            (115..=130).contains(&s),
            "start minute {s}: {}",
            w.explanation
        );
        assert!(w.explanation.contains("began between"), "{}", w.explanation);
        let (x, y) = w.onset_interval_ms.unwrap_or_default();
        assert!(x < y && x <= w.start_ms.unwrap_or(0) && w.start_ms.unwrap_or(0) <= y);
    }

    /// Two bursty incidents (errors jumping between many and few from bucket to bucket) with
    /// half an hour of normal traffic between them are two windows, and the larger is the
    /// one: the burstiness inside them is not taken as the normal noise, which would hide
    /// the calm gap and make them one.
    #[test]
    fn bursty_incidents_apart_are_not_joined() {
        let n = vec![40u64; 90];
        let er: Vec<u64> = (0..90usize)
            .map(|i| match i {
                30..=44 => [20, 2][i % 2],
                55..=75 => [3, 25][i % 2],
                _ => u64::from(i % 3 == 0),
            })
            .collect();
        let w = detect(&tl(&n, &er));
        assert!(w.found, "{}", w.explanation);
        assert_eq!(w.start_ms, Some(55 * 60_000), "{}", w.explanation);
        assert_eq!(w.end_ms, Some(76 * 60_000), "{}", w.explanation);
    }

    /// Given the same data at a finer width, the edges move to the fine bucket where the
    /// rate changes: here minute 123 of ten-minute buckets, and back at minute 187.
    #[test]
    fn edges_are_placed_on_the_fine_series() {
        let (mut fe, mut fr) = (vec![50u64; 300], vec![0u64; 300]);
        for (i, r) in fr.iter_mut().enumerate() {
            *r = if (123..187).contains(&i) {
                10
            } else {
                u64::from(i % 10 == 0)
            };
        }
        fe[150] = 0; // an empty minute changes nothing
        fr[150] = 0;
        let fine = tl(&fe, &fr);
        let coarse = coarse_of(&fe, &fr, 10);
        let w = detect_in(&coarse, Some(&fine));
        assert!(w.found, "{}", w.explanation);
        assert_eq!(w.start_ms, Some(123 * 60_000), "{}", w.explanation);
        assert_eq!(w.end_ms, Some(187 * 60_000), "{}", w.explanation);
        assert_eq!(w.errors, 630);
        // A sharp change leaves no doubt about the onset: no interval is given.
        assert!(
            !w.explanation.contains("began between"),
            "{}",
            w.explanation
        );
        assert_eq!(w.onset_interval, None);
        // Without it, the edges are the coarse buckets'.
        let w = detect(&coarse);
        assert_eq!(w.start_ms, Some(120 * 60_000), "{}", w.explanation);
        assert_eq!(w.end_ms, Some(190 * 60_000), "{}", w.explanation);
    }

    /// A timeline of one-minute buckets summed `k` at a time, for a fine series `ev`/`er`.
    fn coarse_of(ev: &[u64], er: &[u64], k: usize) -> Timeline {
        let sum = |v: &[u64]| v.chunks(k).map(|c| c.iter().sum()).collect::<Vec<u64>>();
        let mut t = tl(&sum(ev), &sum(er));
        t.bucket_ms = 60_000 * k as i64;
        t
    }

    /// The window on the timeline's own buckets (no finer series).
    fn detect(tl: &Timeline) -> IncidentWindow {
        detect_in(tl, None)
    }

    fn tl(events: &[u64], errors: &[u64]) -> Timeline {
        Timeline {
            start: Some(rfc3339(0)),
            bucket_seconds: 60.0,
            events: events.to_vec(),
            errors: errors.to_vec(),
            warnings: vec![0; events.len()],
            start_ms: 0,
            bucket_ms: 60_000,
        }
    }

    /// However the window's edges are placed on the fine buckets, its peak rate is at least
    /// its average: a burst that straddles two display buckets dilutes both of them.
    #[test]
    fn the_peak_is_never_below_the_window_average() {
        let mut rng = crate::testrng::XorShift(0x9e37_79b9_7f4a_7c15);
        let mut checked = 0;
        for _ in 0..200 {
            let n = 10 * (30 + (rng.next() % 60) as usize);
            let events: Vec<u64> = (0..n).map(|_| 20 + rng.next() % 40).collect();
            let (on, len) = ((rng.next() as usize) % n, 3 + (rng.next() as usize) % 30);
            let errors: Vec<u64> = (0..n)
                .map(|i| {
                    let base = u64::from(rng.next().is_multiple_of(50));
                    if (on..on + len).contains(&i) {
                        base + events[i] * (20 + rng.next() % 30) / 100
                    } else {
                        base
                    }
                })
                .collect();
            let fine = Timeline {
                bucket_seconds: 60.0,
                bucket_ms: 60_000,
                ..tl(&events, &errors)
            };
            let sum10 = |v: &[u64]| v.chunks(10).map(|c| c.iter().sum()).collect::<Vec<u64>>();
            let coarse = Timeline {
                bucket_seconds: 600.0,
                bucket_ms: 600_000,
                ..tl(&sum10(&events), &sum10(&errors))
            };
            let w = detect_in(&coarse, Some(&fine));
            if let (Some(avg), Some(peak)) = (w.window_error_rate, w.peak_error_rate) {
                assert!(peak + 1e-12 >= avg, "peak {peak} < average {avg}: {w:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn finds_a_burst_and_its_end() {
        let mut ev = vec![100u64; 60];
        let mut er = vec![1u64; 60];
        for e in &mut er[30..40] {
            *e = 30;
        }
        ev[35] = 120;
        let w = detect(&tl(&ev, &er));
        assert!(w.found, "{}", w.explanation);
        assert_eq!(w.start_ms, Some(30 * 60_000));
        assert_eq!(w.end_ms, Some(40 * 60_000));
        assert!(!w.ongoing);
        assert_eq!(w.errors, 300);
        assert!((w.normal_error_rate.unwrap_or(0.0) - 0.01).abs() < 1e-9);
    }

    #[test]
    fn ongoing_incident_at_the_end() {
        let ev = vec![100u64; 60];
        let mut er = vec![0u64; 60];
        for e in &mut er[45..] {
            *e = 20;
        }
        let w = detect(&tl(&ev, &er));
        assert!(w.found, "{}", w.explanation);
        assert!(w.ongoing);
        assert_eq!(w.end, None);
        assert_eq!(w.start_ms, Some(45 * 60_000));
    }

    #[test]
    fn steady_noise_is_no_incident() {
        let ev = vec![100u64; 60];
        let er: Vec<u64> = (0..60).map(|i| [1, 2, 0, 3, 1][i % 5]).collect();
        let w = detect(&tl(&ev, &er));
        assert!(!w.found, "{}", w.explanation);
        assert!(w.explanation.starts_with("no clear incident window"));
    }

    #[test]
    fn long_incident_uses_the_early_rate() {
        // Elevated for 70% of the input: the overall median is the elevated rate, the
        // early median is not.
        let ev = vec![100u64; 50];
        let mut er = vec![1u64; 50];
        for e in &mut er[15..] {
            *e = 25;
        }
        let w = detect(&tl(&ev, &er));
        assert!(w.found, "{}", w.explanation);
        assert_eq!(w.start_ms, Some(15 * 60_000));
    }

    #[test]
    fn sparse_input_is_analysed_on_coarser_buckets() {
        let ev = vec![3u64; 200];
        let mut er = vec![0u64; 200];
        for e in &mut er[150..170] {
            *e = 3;
        }
        let w = detect(&tl(&ev, &er));
        assert!(w.found, "{}", w.explanation);
        let s = w.start_ms.unwrap_or(0) / 60_000;
        assert!((144..=150).contains(&s), "start bucket {s}");
    }

    #[test]
    fn nothing_without_time_or_errors() {
        assert!(!detect(&Timeline::default()).found);
        assert!(!detect(&tl(&[10; 20], &[0; 20])).found);
    }

    proptest::proptest! {
        /// Any timeline: no panic, and a window found lies inside the timeline, in order,
        /// with consistent counts.
        #[test]
        fn detect_is_total(cells in proptest::collection::vec((0u64..500, 0u64..500), 0..300)) {
            let ev: Vec<u64> = cells.iter().map(|&(n, e)| n.max(e)).collect();
            let er: Vec<u64> = cells.iter().map(|&(_, e)| e).collect();
            let t = tl(&ev, &er);
            let w = detect(&t);
            if w.found {
                let (a, b) = (w.start_ms.unwrap_or(-1), w.end_ms.unwrap_or(-1));
                proptest::prop_assert!(0 <= a && a < b, "{a} {b}");
                proptest::prop_assert!(b <= t.bucket_start(t.len()));
                proptest::prop_assert!(w.errors <= w.events);
                proptest::prop_assert!(w.excess_errors <= w.errors);
            } else {
                proptest::prop_assert!(w.explanation.starts_with("no clear incident window"));
            }
            // The same cells as the fine series of a coarser timeline (3 per bucket): the
            // edges stay inside it, in order, and the counts are the fine buckets' between.
            let coarse = coarse_of(&ev, &er, 3);
            let w = detect_in(&coarse, Some(&t));
            if w.found {
                let (a, b) = (w.start_ms.unwrap_or(-1), w.end_ms.unwrap_or(-1));
                proptest::prop_assert!(0 <= a && a < b, "{a} {b}");
                proptest::prop_assert!(b <= t.bucket_start(t.len()));
                let (i, j) = ((a / 60_000) as usize, (b / 60_000) as usize);
                proptest::prop_assert_eq!(w.events, ev[i..j].iter().sum::<u64>());
                proptest::prop_assert_eq!(w.errors, er[i..j].iter().sum::<u64>());
                proptest::prop_assert!(w.excess_errors <= w.errors);
            }
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.0004), "0.04%");
        assert_eq!(pct(0.012), "1.2%");
        assert_eq!(pct(0.5), "50%");
    }
}
