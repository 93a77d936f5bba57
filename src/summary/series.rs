//! Sparse time series of counts, bucketed at a resolution from a fixed ladder.
//!
//! Every partial summary picks its bucket width from its own time span; when two summaries
//! merge, the width for the merged span is at least both, and every width on the ladder is a
//! multiple of the smaller ones, so re-bucketing is exact. The final width therefore depends
//! only on the overall time span, never on how the input was chunked or sharded.

use serde::{Deserialize, Serialize};

/// Bucket widths in milliseconds; each divides the next.
pub const LADDER_MS: [i64; 12] = [
    1_000,
    2_000,
    10_000,
    30_000,
    60_000,
    300_000,
    900_000,
    3_600_000,
    21_600_000,
    86_400_000,
    604_800_000,
    2_419_200_000,
];

/// At most this many fine buckets span the data (reports re-bucket to 60–300 for display).
pub const MAX_FINE_BUCKETS: i64 = 2_000;

/// The finest ladder width that covers `span_ms` in at most [`MAX_FINE_BUCKETS`] buckets.
pub fn resolution_for(span_ms: i64) -> i64 {
    for r in LADDER_MS {
        if span_ms / r < MAX_FINE_BUCKETS {
            return r;
        }
    }
    LADDER_MS[LADDER_MS.len() - 1]
}

/// Merges two lists sorted by `key` (keys unique within each list) into one sorted list,
/// combining entries with equal keys: linear, for mergeable sparse counts.
pub fn merge_sorted<T: Copy, K: Ord>(
    a: &[T],
    b: &[T],
    key: impl Fn(&T) -> K,
    combine: impl Fn(&T, &T) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match key(&a[i]).cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(combine(&a[i], &b[j]));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Merges sorted `b` into sorted `a` in place, like [`merge_sorted`]: only the part of `a`
/// from `b`'s first key on is rewritten, so merging chunk after chunk of time-ordered input
/// costs the size of the chunk, not of everything merged so far.
pub fn merge_into<T: Copy, K: Ord>(
    a: &mut Vec<T>,
    b: &[T],
    key: impl Fn(&T) -> K,
    combine: impl Fn(&T, &T) -> T,
) {
    let Some(first) = b.first() else {
        return;
    };
    // Time-ordered input (the commonest case) starts after `a`'s last key or in the bucket
    // it ended in: append, combining that one, having looked only at `a`'s end (a long list
    // merged into is cold in cache: a binary search over it costs a miss per step).
    match a.last().map(|l| key(l).cmp(&key(first))) {
        None | Some(std::cmp::Ordering::Less) => {
            a.extend_from_slice(b);
            return;
        }
        Some(std::cmp::Ordering::Equal) => {
            let at = a.len() - 1;
            a[at] = combine(&a[at], first);
            a.extend_from_slice(&b[1..]);
            return;
        }
        Some(std::cmp::Ordering::Greater) => {}
    }
    let start = a.partition_point(|x| key(x) < key(first));
    if b.len() * 16 < a.len() - start {
        // A few keys into a long list (one request's latency into a busy route's histogram):
        // place each rather than rebuild the list.
        let mut from = start;
        for x in b {
            let k = key(x);
            from += a[from..].partition_point(|y| key(y) < k);
            match a.get(from) {
                Some(y) if key(y) == k => a[from] = combine(y, x),
                _ => a.insert(from, *x),
            }
        }
        return;
    }
    let tail = merge_sorted(&a[start..], b, &key, &combine);
    a.truncate(start);
    a.extend_from_slice(&tail);
}

/// Counts per bucket: `(bucket index, count)` sorted by index, zero buckets left out.
/// Bucket `i` covers `[i × width, (i + 1) × width)` milliseconds since the epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series(pub Vec<(i64, u64)>);

impl Series {
    pub fn total(&self) -> u64 {
        self.0.iter().map(|&(_, c)| c).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Builds a series from unsorted bucket indexes (one per event).
    pub fn from_buckets(buckets: &mut [i64]) -> Series {
        buckets.sort_unstable();
        let distinct = 1 + buckets.windows(2).filter(|w| w[0] != w[1]).count();
        let mut out: Vec<(i64, u64)> = Vec::with_capacity(distinct.min(buckets.len()));
        for &b in buckets.iter() {
            match out.last_mut() {
                Some((lb, c)) if *lb == b => *c += 1,
                _ => out.push((b, 1)),
            }
        }
        Series(out)
    }

    /// Adds `other` (same width) into `self`.
    pub fn merge(&mut self, other: &Series) {
        if other.0.is_empty() {
            return;
        }
        if self.0.is_empty() {
            self.0 = other.0.clone();
            return;
        }
        // Time-ordered input merges later buckets onto earlier ones: in place, at the end.
        merge_into(&mut self.0, &other.0, |e| e.0, |x, y| (x.0, x.1 + y.1));
    }

    /// Re-buckets from width `from` to a coarser width `to` (a multiple of `from`).
    pub fn rebucket(&mut self, from: i64, to: i64) {
        if from == to || self.0.is_empty() {
            return;
        }
        // In place: coarser buckets never outnumber the finer ones written so far.
        let v = &mut self.0;
        let mut w = 0;
        for r in 0..v.len() {
            let (b, c) = v[r];
            let nb = (b * from).div_euclid(to);
            if w > 0 && v[w - 1].0 == nb {
                v[w - 1].1 += c;
            } else {
                v[w] = (nb, c);
                w += 1;
            }
        }
        v.truncate(w);
    }

    /// Dense counts for buckets `first..=last` (indexes at this series' width).
    pub fn dense(&self, first: i64, last: i64) -> Vec<u64> {
        let n = (last - first + 1).max(0) as usize;
        let mut out = vec![0u64; n];
        for &(b, c) in &self.0 {
            if b >= first && b <= last {
                out[(b - first) as usize] += c;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Merging in place equals the full linear merge, wherever the two lists overlap.
        #[test]
        fn merge_into_equals_merge_sorted(
            a in proptest::collection::btree_map(-50i64..50, 1u64..9, 0..60),
            b in proptest::collection::btree_map(-50i64..50, 1u64..9, 0..30),
        ) {
            let a: Vec<(i64, u64)> = a.into_iter().collect();
            let b: Vec<(i64, u64)> = b.into_iter().collect();
            let want = merge_sorted(&a, &b, |e| e.0, |x, y| (x.0, x.1 + y.1));
            let mut got = a.clone();
            merge_into(&mut got, &b, |e| e.0, |x, y| (x.0, x.1 + y.1));
            proptest::prop_assert_eq!(got, want);
        }
    }

    proptest::proptest! {
        /// Re-bucketing in place equals summing each event into its coarser bucket.
        #[test]
        fn rebucket_equals_recount(
            a in proptest::collection::btree_map(-500i64..500, 1u64..9, 0..80),
            factor in 1i64..12,
        ) {
            let mut s = Series(a.iter().map(|(&b, &c)| (b, c)).collect());
            let mut want = std::collections::BTreeMap::new();
            for (&b, &c) in &a {
                *want.entry((b * 1_000).div_euclid(1_000 * factor)).or_insert(0u64) += c;
            }
            s.rebucket(1_000, 1_000 * factor);
            proptest::prop_assert_eq!(s.0, want.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn merge_appends_later_buckets_in_place() {
        let mut a = Series(vec![(1, 2), (3, 1)]);
        a.merge(&Series(vec![(3, 4), (5, 1)]));
        assert_eq!(a.0, vec![(1, 2), (3, 5), (5, 1)]);
        a.merge(&Series(vec![(6, 1)]));
        assert_eq!(a.0, vec![(1, 2), (3, 5), (5, 1), (6, 1)]);
        // Overlapping ranges still take the general path.
        a.merge(&Series(vec![(0, 1), (6, 1)]));
        assert_eq!(a.0, vec![(0, 1), (1, 2), (3, 5), (5, 1), (6, 2)]);
    }

    #[test]
    fn ladder_divides() {
        for w in LADDER_MS.windows(2) {
            assert_eq!(w[1] % w[0], 0, "{} does not divide {}", w[0], w[1]);
        }
    }

    #[test]
    fn resolution_grows_with_span() {
        assert_eq!(resolution_for(0), 1_000);
        assert_eq!(resolution_for(1_999_000), 1_000);
        assert_eq!(resolution_for(2_000_000), 2_000);
        assert_eq!(resolution_for(86_400_000), 60_000);
    }

    #[test]
    fn merge_and_rebucket_are_exact() {
        let mut a = Series::from_buckets(&mut [0, 1, 1, 5]);
        let b = Series::from_buckets(&mut [1, 2, 7]);
        a.merge(&b);
        assert_eq!(a.0, vec![(0, 1), (1, 3), (2, 1), (5, 1), (7, 1)]);
        a.rebucket(1_000, 2_000);
        assert_eq!(a.0, vec![(0, 4), (1, 1), (2, 1), (3, 1)]);
        assert_eq!(a.total(), 7);
        let mut neg = Series(vec![(-3, 2), (-1, 1)]);
        neg.rebucket(1_000, 2_000);
        assert_eq!(neg.0, vec![(-2, 2), (-1, 1)]);
        assert_eq!(a.dense(0, 4), vec![4, 1, 1, 1, 0]);
    }
}
