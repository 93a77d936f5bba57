//! Latency statistics of one route or upstream: an exact-enough distribution for percentiles
//! and a coarse per-time-bucket distribution for finding when latency rose.
//!
//! - [`Latency`] uses `hdrhistogram`'s buckets for microseconds with 3 significant digits, so
//!   every percentile is within 0.1% of the nearest-rank value, stored sparsely (only the
//!   buckets in use, as `(value, count)` pairs): it merges by adding counts, serializes as
//!   the same pairs, and costs memory per bucket used, not per possible bucket.
//! - [`LatencyBins`] keeps `(time bucket, log bin, count)` triples with 8 bins per octave
//!   (±4.5%): enough to locate the onset of a p99 regression and to give before/after levels,
//!   at a fraction of the memory a histogram per time bucket would take.

use std::sync::OnceLock;

use hdrhistogram::Histogram;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Latencies above this (one hour, in µs) are recorded as this: it bounds the histogram's
/// memory against garbage values.
pub const MAX_LATENCY_US: u64 = 3_600_000_000;

/// Converts a latency in milliseconds (as parsed) to whole microseconds; `None` for values
/// that are not latencies (negative, NaN).
pub fn ms_to_us(ms: f64) -> Option<u64> {
    if !ms.is_finite() || ms < 0.0 {
        return None;
    }
    Some(((ms * 1000.0).round() as u64).min(MAX_LATENCY_US))
}

/// The hdrhistogram whose bucket boundaries every [`Latency`] uses (3 significant digits,
/// 1 µs .. [`MAX_LATENCY_US`]); only its bucket math is used, never its counts.
fn template() -> Option<&'static Histogram<u64>> {
    static T: OnceLock<Option<Histogram<u64>>> = OnceLock::new();
    T.get_or_init(|| Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).ok())
        .as_ref()
}

/// The hdrhistogram bucket of a value: its highest equivalent value (3 significant digits).
pub fn bucket_of(us: u64) -> u64 {
    let us = us.min(MAX_LATENCY_US);
    match template() {
        Some(h) => h.highest_equivalent(us),
        None => us,
    }
}

/// A mergeable latency distribution in microseconds (see the module doc): hdrhistogram
/// buckets, stored sparsely as sorted `(highest equivalent value, count)` pairs, so a route
/// costs memory in proportion to the distinct buckets it uses (a dense hdrhistogram over
/// 1 µs..1 h is ~180 KB per route and per chunk, which made the per-chunk tables slow).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Latency {
    buckets: Vec<(u64, u64)>,
    /// Exact largest value recorded.
    max_us: u64,
    sum_us: u128,
}

impl Latency {
    /// Builds from unsorted raw values in µs.
    pub fn from_values(values: &mut [u64]) -> Latency {
        let mut l = Latency::default();
        for v in values.iter_mut() {
            *v = (*v).min(MAX_LATENCY_US);
            l.max_us = l.max_us.max(*v);
            l.sum_us += *v as u128;
            *v = bucket_of(*v);
        }
        values.sort_unstable();
        for &v in values.iter() {
            match l.buckets.last_mut() {
                Some((b, c)) if *b == v => *c += 1,
                _ => l.buckets.push((v, 1)),
            }
        }
        l
    }

    pub fn record(&mut self, us: u64) {
        self.record_n(us, 1);
    }

    pub fn record_n(&mut self, us: u64, n: u64) {
        if n == 0 {
            return;
        }
        let us = us.min(MAX_LATENCY_US);
        self.max_us = self.max_us.max(us);
        self.sum_us += us as u128 * n as u128;
        let b = bucket_of(us);
        match self.buckets.binary_search_by_key(&b, |&(v, _)| v) {
            Ok(i) => self.buckets[i].1 += n,
            Err(i) => self.buckets.insert(i, (b, n)),
        }
    }

    pub fn merge(&mut self, other: &Latency) {
        if other.buckets.is_empty() {
            return;
        }
        self.max_us = self.max_us.max(other.max_us);
        self.sum_us += other.sum_us;
        if self.buckets.is_empty() {
            self.buckets = other.buckets.clone();
            return;
        }
        crate::summary::series::merge_into(
            &mut self.buckets,
            &other.buckets,
            |e| e.0,
            |x, y| (x.0, x.1 + y.1),
        );
    }

    /// Number of recorded latencies.
    pub fn count(&self) -> u64 {
        self.buckets
            .iter()
            .fold(0u64, |a, &(_, c)| a.saturating_add(c))
    }

    /// Nearest-rank percentile (`q` in 0..=1) in milliseconds, as hdrhistogram's
    /// `value_at_quantile` reports it (the bucket's highest equivalent value, within 0.1%;
    /// `q = 1` gives the exact maximum); `None` without samples.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        if q >= 1.0 {
            return self.max_ms();
        }
        let rank = ((q * total as f64).ceil() as u64).max(1);
        let mut acc = 0;
        for &(v, c) in &self.buckets {
            acc += c;
            if acc >= rank {
                return Some(v.min(self.max_us) as f64 / 1000.0);
            }
        }
        self.max_ms()
    }

    pub fn max_ms(&self) -> Option<f64> {
        (!self.buckets.is_empty()).then(|| self.max_us as f64 / 1000.0)
    }

    pub fn mean_ms(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| self.sum_us as f64 / n as f64 / 1000.0)
    }

    /// Recorded buckets as `(highest equivalent value µs, count)`, ascending.
    pub fn sparse(&self) -> &[(u64, u64)] {
        &self.buckets
    }

    /// The same distribution as a real `hdrhistogram` (for its serializers or tools).
    pub fn to_hdr(&self) -> Option<Histogram<u64>> {
        let mut h = Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).ok()?;
        for &(v, c) in &self.buckets {
            h.record_n(v, c).ok()?;
        }
        Some(h)
    }
}

/// Snapshot form: sparse pairs plus the exact max and sum.
#[derive(Serialize, Deserialize)]
struct LatencyRepr {
    buckets: Vec<(u64, u64)>,
    max_us: u64,
    sum_us: u128,
}

impl Serialize for Latency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LatencyRepr {
            buckets: self.buckets.clone(),
            max_us: self.max_us,
            sum_us: self.sum_us,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = LatencyRepr::deserialize(d)?;
        // Re-bucket on load so a hand-edited or foreign snapshot cannot break the order.
        let mut l = Latency {
            buckets: Vec::new(),
            max_us: r.max_us.min(MAX_LATENCY_US),
            sum_us: r.sum_us,
        };
        let mut pairs: Vec<(u64, u64)> =
            r.buckets.iter().map(|&(v, c)| (bucket_of(v), c)).collect();
        pairs.sort_unstable();
        for (v, c) in pairs {
            match l.buckets.last_mut() {
                Some((b, n)) if *b == v => *n = n.saturating_add(c),
                _ => l.buckets.push((v, c)),
            }
        }
        Ok(l)
    }
}

/// Log bin of a latency in µs: exact below 16 µs, then 8 bins per octave.
pub fn bin_of(us: u64) -> u16 {
    if us < 16 {
        return us as u16;
    }
    let octave = 63 - us.leading_zeros() as u64; // >= 4
    let sub = (us >> (octave - 3)) & 7;
    (16 + (octave - 4) * 8 + sub) as u16
}

/// Middle of a log bin, in µs.
pub fn bin_mid_us(bin: u16) -> f64 {
    if bin < 16 {
        return bin as f64;
    }
    let b = i32::from(bin - 16);
    let octave = b / 8 + 4;
    let sub = f64::from(b % 8);
    // In floating point: a bin read from a damaged snapshot may be past the last octave.
    let width = 2f64.powi(octave - 3);
    (8.0 + sub) * width + width / 2.0
}

/// Sparse `(time bucket, log bin, count)`, sorted, for latency over time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyBins(pub Vec<(i64, u16, u64)>);

impl LatencyBins {
    /// Builds from unsorted `(time bucket, bin)` pairs, one per request.
    pub fn from_pairs(pairs: &mut [(i64, u16)]) -> LatencyBins {
        pairs.sort_unstable();
        let mut out: Vec<(i64, u16, u64)> = Vec::new();
        for &(t, b) in pairs.iter() {
            match out.last_mut() {
                Some((lt, lb, c)) if *lt == t && *lb == b => *c += 1,
                _ => out.push((t, b, 1)),
            }
        }
        LatencyBins(out)
    }

    /// Adds `other` into `self`. Both are sorted by `(time bucket, bin)`, so this is a linear
    /// merge (an append for time-ordered input), not a re-sort of everything so far: merging
    /// chunk after chunk stays linear in the size of the table.
    pub fn merge(&mut self, other: &LatencyBins) {
        if other.0.is_empty() {
            return;
        }
        crate::summary::series::merge_into(
            &mut self.0,
            &other.0,
            |e| (e.0, e.1),
            |x, y| (x.0, x.1, x.2 + y.2),
        );
    }

    pub fn rebucket(&mut self, from: i64, to: i64) {
        if from == to || self.0.is_empty() {
            return;
        }
        for e in &mut self.0 {
            e.0 = (e.0 * from).div_euclid(to);
        }
        self.normalize();
    }

    fn normalize(&mut self) {
        self.0.sort_unstable_by_key(|&(t, b, _)| (t, b));
        let mut out: Vec<(i64, u16, u64)> = Vec::with_capacity(self.0.len());
        for &(t, b, c) in &self.0 {
            match out.last_mut() {
                Some((lt, lb, lc)) if *lt == t && *lb == b => *lc += c,
                _ => out.push((t, b, c)),
            }
        }
        self.0 = out;
    }
}

/// Nearest-rank quantile (ms) of a bin histogram `counts[bin]`; `None` when empty.
pub fn bins_quantile_ms(counts: &[u64], q: f64) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).max(1);
    let mut acc = 0;
    for (b, &c) in counts.iter().enumerate() {
        acc += c;
        if acc >= rank {
            return Some(bin_mid_us(b as u16) / 1000.0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nearest_rank(sorted: &[u64], q: f64) -> u64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    #[test]
    fn bins_merge_linearly_with_the_same_result_as_a_sort() {
        let mut a = LatencyBins(vec![(1, 3, 2), (1, 5, 1), (4, 2, 1)]);
        let b = LatencyBins(vec![(1, 5, 2), (2, 1, 1), (4, 2, 3), (9, 9, 1)]);
        let mut expect = a.0.clone();
        expect.extend_from_slice(&b.0);
        let mut expect = LatencyBins(expect);
        expect.normalize();
        a.merge(&b);
        assert_eq!(a, expect);
        // Later buckets append.
        a.merge(&LatencyBins(vec![(10, 0, 4)]));
        assert_eq!(a.0.last(), Some(&(10, 0, 4)));
        assert_eq!(a.0.len(), expect.0.len() + 1);
    }

    #[test]
    fn percentiles_within_one_percent_of_exact() {
        // A skewed distribution: mostly fast, a slow tail, spread over several octaves.
        let mut values: Vec<u64> = Vec::new();
        let mut rng = crate::testrng::Lcg(12345);
        for i in 0..20_000u64 {
            let r = rng.next() % 1000;
            let v = if i % 50 == 0 {
                200_000 + r * 997
            } else {
                800 + r * 37 + (r * r) % 5000
            };
            values.push(v);
        }
        let mut a = Latency::default();
        let mut b = Latency::default();
        for (i, &v) in values.iter().enumerate() {
            if i % 3 == 0 {
                a.record(v)
            } else {
                b.record(v)
            }
        }
        a.merge(&b);
        // Through a snapshot round trip too.
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            a.to_hdr().unwrap().value_at_quantile(0.99) as f64 / 1000.0,
            a.quantile_ms(0.99).unwrap()
        );
        let back: Latency = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        values.sort_unstable();
        for q in [0.5, 0.9, 0.99, 0.999, 1.0] {
            let exact = nearest_rank(&values, q) as f64 / 1000.0;
            let got = back.quantile_ms(q).unwrap();
            let err = (got - exact).abs() / exact;
            assert!(err <= 0.01, "q={q} exact={exact} got={got} err={err}");
        }
        assert_eq!(back.count(), 20_000);
    }

    #[test]
    fn bins_are_monotonic_and_tight() {
        let mut last = 0;
        for us in [
            0u64,
            1,
            15,
            16,
            17,
            31,
            32,
            100,
            1000,
            12_345,
            1_000_000,
            3_600_000_000,
        ] {
            let b = bin_of(us);
            assert!(b >= last);
            last = b;
            if us >= 16 {
                let mid = bin_mid_us(b);
                assert!((mid - us as f64).abs() / us as f64 <= 0.07, "{us} {mid}");
            }
        }
    }

    #[test]
    fn ms_conversion_rejects_garbage() {
        assert_eq!(ms_to_us(1.5), Some(1500));
        assert_eq!(ms_to_us(-1.0), None);
        assert_eq!(ms_to_us(f64::NAN), None);
        assert_eq!(ms_to_us(1e30), Some(MAX_LATENCY_US));
    }
}
