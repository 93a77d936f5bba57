//! Display time grid: the bucket width reports and detectors work at, and dense views of the
//! summary's sparse series on that grid.
//!
//! In: a [`Summary`] (its time range and `resolution_ms`) and optionally a forced width
//! (`--bucket 5m`). Out: a [`Grid`] of 60–300 buckets over the time span whose width is a
//! multiple of `resolution_ms` (so re-bucketing is exact), plus helpers that turn a [`Series`]
//! into dense counts on the grid and compute each bucket's *exposure* (how much "normal
//! activity" it holds; see [`exposure`]).
//!
//! Events without a timestamp never enter a grid: they are counted in the summary's
//! `untimed` and reported as such, never given an invented time.

use crate::summary::{Series, Summary};

/// Widths a display grid may use, in milliseconds: "nice" widths people read easily.
const NICE_MS: [i64; 24] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
    604_800_000,
    1_209_600_000,
    2_419_200_000,
    4_838_400_000,
    9_676_800_000,
];

/// Most buckets a display grid has (the automatic choice aims at 60–300).
pub const MAX_DISPLAY_BUCKETS: i64 = 300;
/// Hard cap on buckets when the user forces a width (keeps memory bounded).
pub const MAX_FORCED_BUCKETS: i64 = 20_000;

/// Parses a bucket width like `30s`, `1m`, `5m`, `1h`, `1d`, `500ms` (a bare number is
/// seconds) into milliseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?}: expected e.g. 30s, 1m, 5m, 1h"))?;
    let mult = match unit.trim() {
        "ms" => 1.0,
        "" | "s" | "sec" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        "w" => 604_800_000.0,
        u => {
            return Err(format!(
                "invalid duration unit {u:?} in {s:?}: use ms, s, m, h, d or w"
            ))
        }
    };
    let ms = (n * mult).round();
    if !(1.0..1e15).contains(&ms) {
        return Err(format!("duration {s:?} is out of range"));
    }
    Ok(ms as i64)
}

/// A dense grid of display buckets over a summary's time span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Bucket width in milliseconds (a multiple of `res`).
    pub width: i64,
    /// Index of the first bucket at `width` (bucket `i` starts at `i × width`).
    pub first: i64,
    /// Number of buckets.
    pub len: usize,
    /// The summary's resolution the series are kept at.
    pub res: i64,
}

impl Grid {
    /// The display grid for `sum`: `forced` width if given (rounded up to a multiple of the
    /// summary's resolution), else the smallest nice width giving at most 300 buckets.
    /// None when no event has a timestamp.
    pub fn for_summary(sum: &Summary, forced: Option<i64>) -> Option<Grid> {
        let (tmin, tmax) = (sum.time_min?, sum.time_max?);
        Some(Grid::over(tmin, tmax, sum.resolution_ms, forced))
    }

    /// The grid over `[tmin, tmax]` for series kept at resolution `res`.
    pub fn over(tmin: i64, tmax: i64, res: i64, forced: Option<i64>) -> Grid {
        let res = res.max(1);
        let span = (tmax - tmin).max(0);
        let width = match forced {
            Some(w) => {
                let mut w = round_up(w.max(1), res);
                // Never more than the hard cap of buckets.
                while span / w >= MAX_FORCED_BUCKETS {
                    w *= 2;
                }
                w
            }
            None => NICE_MS
                .iter()
                .copied()
                .filter(|w| w % res == 0)
                .find(|&w| span / w < MAX_DISPLAY_BUCKETS)
                .unwrap_or_else(|| round_up(span / MAX_DISPLAY_BUCKETS + 1, res)),
        };
        let first = tmin.div_euclid(width);
        let last = tmax.div_euclid(width);
        Grid {
            width,
            first,
            len: (last - first + 1) as usize,
            res,
        }
    }

    /// Start time (epoch ms) of bucket `i`.
    pub fn start_ms(&self, i: usize) -> i64 {
        (self.first + i as i64) * self.width
    }

    /// End time (exclusive) of the grid.
    pub fn end_ms(&self) -> i64 {
        self.start_ms(self.len)
    }

    /// Dense counts of `s` (kept at `self.res`) on this grid.
    pub fn dense(&self, s: &Series) -> Vec<u64> {
        let mut out = vec![0u64; self.len];
        for &(b, c) in &s.0 {
            let i = (b * self.res).div_euclid(self.width) - self.first;
            if i >= 0 && (i as usize) < self.len {
                out[i as usize] += c;
            }
        }
        out
    }

    /// The finer grid at the summary's own resolution over the same span.
    pub fn fine(&self) -> Grid {
        let k = self.width / self.res;
        Grid {
            width: self.res,
            first: self.first * k,
            len: self.len * k as usize,
            res: self.res,
        }
    }

    /// Bucket holding time `t`, if inside the grid.
    pub fn index_of(&self, t: i64) -> Option<usize> {
        let i = t.div_euclid(self.width) - self.first;
        (i >= 0 && (i as usize) < self.len).then_some(i as usize)
    }
}

fn round_up(v: i64, m: i64) -> i64 {
    ((v + m - 1) / m).max(1) * m
}

/// Dense counts of all timed events per bucket (every level, overflow included).
pub fn all_events(sum: &Summary, grid: &Grid) -> Vec<u64> {
    let mut out = vec![0u64; grid.len];
    for s in &sum.level_series {
        for (a, b) in out.iter_mut().zip(grid.dense(s)) {
            *a += b;
        }
    }
    out
}

/// Dense counts of error and fatal events per bucket.
pub fn error_events(sum: &Summary, grid: &Grid) -> Vec<u64> {
    use crate::record::Level;
    let mut out = vec![0u64; grid.len];
    for l in [Level::Error, Level::Fatal] {
        if let Some(s) = sum.level_series.get(l.index()) {
            for (a, b) in out.iter_mut().zip(grid.dense(s)) {
                *a += b;
            }
        }
    }
    out
}

/// Share of the exposure that is plain time, so buckets with no other events still count.
const TIME_SHARE: f64 = 0.1;
/// Below this many other events, activity is too thin to weigh buckets by: use time alone.
const MIN_OTHER_EVENTS: u64 = 50;

/// Exposure of each bucket, in milliseconds of "normal activity": how many events of a
/// template the bucket should hold at the template's normal share of the traffic.
///
/// `others[i]` is the number of events *not* being tested in bucket `i` (all events minus the
/// template's own, so a template that floods a bucket does not raise its own expectation).
/// A bucket with the average amount of other activity gets `width` ms; busier buckets more,
/// quiet ones less, so a template that follows the daily traffic curve is not a "spike" at
/// noon. A tenth of the weight is plain time (buckets where nothing else was logged still
/// expect a little). With fewer than 50 other events the exposure is plain time.
pub fn exposure(others: &[u64], width: i64) -> Vec<f64> {
    let total: u64 = others.iter().sum();
    let w = width as f64;
    if total < MIN_OTHER_EVENTS || others.is_empty() {
        return vec![w; others.len()];
    }
    let mean = total as f64 / others.len() as f64;
    others
        .iter()
        .map(|&o| w * ((1.0 - TIME_SHARE) * o as f64 / mean + TIME_SHARE))
        .collect()
}

/// `all − own`, bucket by bucket.
pub fn others(all: &[u64], own: &[u64]) -> Vec<u64> {
    all.iter()
        .zip(own)
        .map(|(&a, &o)| a.saturating_sub(o))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("1m"), Ok(60_000));
        assert_eq!(parse_duration("5m"), Ok(300_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("2"), Ok(2_000));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("0s").is_err());
    }

    #[test]
    fn automatic_grid_has_60_to_300_buckets() {
        for (span, res) in [
            (86_400_000i64, 60_000i64),
            (3_600_000, 2_000),
            (600_000, 1_000),
            (7 * 86_400_000, 900_000),
            (30 * 60_000, 1_000),
        ] {
            let g = Grid::over(1_000_000_000_000, 1_000_000_000_000 + span, res, None);
            assert_eq!(g.width % res, 0);
            assert!(
                (60..=301).contains(&g.len),
                "span {span} res {res}: {} buckets of {}",
                g.len,
                g.width
            );
        }
        let day = Grid::over(0, 86_400_000 - 1, 60_000, None);
        assert_eq!(day.width, 300_000);
        assert_eq!(day.len, 288);
    }

    #[test]
    fn forced_width_is_a_multiple_of_the_resolution() {
        let g = Grid::over(0, 3_600_000, 60_000, Some(90_000));
        assert_eq!(g.width, 120_000);
        let g = Grid::over(0, 3_600_000, 1_000, Some(60_000));
        assert_eq!(g.width, 60_000);
        assert_eq!(g.len, 61);
    }

    #[test]
    fn dense_rebuckets_exactly() {
        let g = Grid::over(0, 599_999, 60_000, Some(300_000));
        let s = Series(vec![(0, 1), (4, 2), (5, 7), (9, 1)]);
        assert_eq!(g.dense(&s), vec![3, 8]);
        let f = g.fine();
        assert_eq!(f.len, 10);
        assert_eq!(f.dense(&s)[5], 7);
    }

    #[test]
    fn exposure_follows_activity() {
        let e = exposure(&[100, 100, 0, 200], 1_000);
        assert!((e[0] - 1_000.0).abs() < 1e-9);
        assert!((e[2] - 100.0).abs() < 1e-9);
        assert!(e[3] > e[0]);
        assert_eq!(exposure(&[1, 2], 10), vec![10.0, 10.0]);
    }
}
