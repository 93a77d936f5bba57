//! The error-rate timeline and the incident window: *when did things start to go wrong?*
//!
//! In: a merged [`Summary`] (its per-level series). Out: a [`Timeline`] of 60–240 display
//! buckets (width a multiple of the summary's resolution, so re-bucketing is exact), and an
//! [`IncidentWindow`] found on it.
//!
//! Method. Per bucket, the error rate `r = errors / events`. The *normal* rate `p0` is the
//! lower of two robust estimates: the median of all bucket rates and the median of the first
//! 20% of buckets (the median tolerates an incident covering up to half of the input; the
//! early median covers longer incidents when the input starts before them); the median
//! absolute deviation (MAD) is taken over the same buckets. A bucket is
//! *elevated* when all of:
//! - its rate is an outlier by the modified z-score on the median absolute deviation
//!   (Iglewicz & Hoaglin, "How to Detect and Handle Outliers", 1993: `0.6745 (r − p0) /
//!   MAD > 3.5`, i.e. `r > p0 + 5.19 MAD`), and at least twice `p0` and one percentage
//!   point above it (so jitter around a tiny rate is not an incident);
//! - its error count is significant against `p0` for its traffic: `errors > p0 n + 3 √(p0 n)
//!   + 2` (a Poisson upper bound; the `+2` keeps a zero normal rate from flagging one error).
//!
//! Elevated buckets separated by at most two normal ones are joined into runs; the run with
//! the most *excess errors* (`Σ errors − p0 n`) is the incident window, if it has at least 5.
//! Sparse inputs are analysed on coarser buckets (joined until they average 30 events), so
//! the rate of a bucket is never computed from a handful of events.

use super::model::{IncidentWindow, Timeline};
use super::rfc3339;
use crate::record::Level;
use crate::summary::{Series, Summary};

/// Most display buckets on the timeline.
pub const MAX_DISPLAY_BUCKETS: i64 = 240;

/// Bucket-width multipliers that give readable widths on the resolution ladder.
const NICE_FACTORS: [i64; 16] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 240, 480, 960];

/// Analysis buckets in each of the two "hours" before a run whose steady level the run's
/// first buckets must stand out from.
pub const LOCAL_BUCKETS: usize = 6;

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
    let width = display_width(sum);
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

/// Finds the incident window on a timeline; see the module doc for the method.
pub fn detect(tl: &Timeline) -> IncidentWindow {
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
    // The normal level and its spread come from the same set of buckets: all of them, or
    // the early ones when those are calmer (a long incident drags the overall median up).
    let (p0, normal): (f64, &[f64]) = if med_early < med_all {
        (med_early, &early)
    } else {
        (med_all, &all)
    };
    let mut dev: Vec<f64> = normal.iter().map(|r| (r - p0).abs()).collect();
    let mad = median(&mut dev);
    let threshold = (p0 + 5.19 * mad).max(2.0 * p0).max(p0 + 0.01);
    let elevated: Vec<bool> = (0..ev.len())
        .map(|i| {
            let n = ev[i] as f64;
            let e = er[i] as f64;
            let expected = p0 * n;
            n > 0.0 && e / n > threshold && e > expected + 3.0 * expected.sqrt() + 2.0
        })
        .collect();
    // Runs of elevated buckets, joining gaps of up to two buckets.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, &el) in elevated.iter().enumerate() {
        if !el {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if i - *end <= 3 => *end = i,
            _ => runs.push((i, i)),
        }
    }
    let excess = |a: usize, b: usize| -> f64 {
        (a..=b)
            .map(|i| er[i] as f64 - p0 * ev[i] as f64)
            .sum::<f64>()
    };
    let best = runs
        .iter()
        .copied()
        .map(|(a, b)| (a, b, excess(a, b)))
        .max_by(|x, y| x.2.total_cmp(&y.2).then_with(|| y.0.cmp(&x.0)));
    let Some((mut a, b, mut exc)) = best.filter(|r| r.2 >= MIN_EXCESS) else {
        return none(format!(
            "no clear incident window: the error rate stays near its normal level of {} \
             (no time bucket rises significantly above it)",
            pct(p0)
        ));
    };
    // A rise on top of an earlier, lesser one (an error that has been adding to the rate
    // for hours, just under the bar): the run's first buckets may only be that level's
    // jitter. When the rate was steady above normal over the two hours before the run (the
    // medians of each hour within a quarter of each other, so not the ramp of this same
    // rise nor an earlier incident ending), the run's first buckets are trimmed while
    // their errors are within Poisson noise (two standard deviations) of that level, so
    // the window starts when the new rise does, provided the rest is significantly above
    // that level.
    let hour = |from: usize, to: usize| -> Vec<f64> {
        rates[from..to].iter().flatten().copied().collect()
    };
    if a >= 2 * LOCAL_BUCKETS {
        let mut h1 = hour(a - 2 * LOCAL_BUCKETS, a - LOCAL_BUCKETS);
        let mut h2 = hour(a - LOCAL_BUCKETS, a);
        if h1.len() >= 3 && h2.len() >= 3 {
            let (m1, m2) = (median(&mut h1), median(&mut h2));
            let mut both = hour(a - 2 * LOCAL_BUCKETS, a);
            let p_loc = median(&mut both);
            let steady = (m1 - m2).abs() <= 0.25 * m1.max(m2);
            if steady && p_loc > p0 {
                let same_level = |i: usize| {
                    let expected = p_loc * ev[i] as f64;
                    (er[i] as f64) <= expected + 2.0 * expected.sqrt()
                };
                let mut t = a;
                while t < b && same_level(t) {
                    t += 1;
                }
                // Only when what is left is a rise of its own over that level (else the
                // run is that level's fluctuation, and is kept whole).
                let expected: f64 = (t..=b).map(|i| p_loc * ev[i] as f64).sum();
                let errors: f64 = (t..=b).map(|i| er[i] as f64).sum();
                if t > a && errors > expected + 3.0 * expected.sqrt() + MIN_EXCESS {
                    a = t;
                    exc = excess(a, b);
                }
            }
        }
    }
    // Onset at display resolution: the first display bucket in the first analysis bucket of
    // the run whose own rate is above the threshold.
    let mut first_disp = a * m;
    for i in a * m..((a + 1) * m).min(tl.len()) {
        if tl.errors[i] > 0 && tl.error_rate(i).is_some_and(|r| r > threshold) {
            first_disp = i;
            break;
        }
    }
    let mut last_disp = ((b + 1) * m).min(tl.len()) - 1;
    while last_disp > first_disp
        && !tl.error_rate(last_disp).is_some_and(|r| r > threshold)
        && last_disp >= b * m
    {
        last_disp -= 1;
    }
    let (events, errors): (u64, u64) = (first_disp..=last_disp)
        .map(|i| (tl.events[i], tl.errors[i]))
        .fold((0, 0), |(x, y), (n, e)| (x + n, y + e));
    let (peak_i, peak_r) = (a..=b)
        .filter_map(|i| rates[i].map(|r| (i, r)))
        .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0)))
        .unwrap_or((a, 0.0));
    let ongoing = b + 1 >= ev.len();
    let started_before_input = a == 0;
    let start_ms = tl.bucket_start(first_disp);
    let end_ms = tl.bucket_start(last_disp + 1);
    let window_rate = errors as f64 / events.max(1) as f64;
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
    if ongoing {
        explanation.push_str("; still elevated at the end of the input");
    } else {
        explanation.push_str(&format!("; back to normal by {}", rfc3339(end_ms)));
    }
    if started_before_input {
        explanation
            .push_str("; already elevated at the start of the input, so it may have begun earlier");
    }
    if (b - a + 1) * 10 >= ev.len() * 8 {
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
        // Without the steady level before it, the jitter is part of the rise.
        let mut errors2 = errors.clone();
        for e in errors2.iter_mut().take(56).skip(36) {
            *e = 21;
        }
        let w2 = detect(&tl(&vec![n; 70], &errors2));
        assert_eq!(w2.start_ms, Some(56 * 60_000), "{}", w2.explanation);
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
