//! Fixed-resolution ring buffers of counts per time bucket.
//!
//! In: `(bucket index, count)` for buckets in increasing order (late buckets inside the window
//! are still accepted). Out: the counts of the last `cap` buckets, dense, oldest first. Memory
//! is `cap` integers whatever the input length: buckets older than the window roll off.

/// A ring of `cap` buckets ending at the newest bucket written.
#[derive(Clone, Debug)]
pub struct Ring {
    counts: Vec<u64>,
    /// Bucket index stored at the newest position (`None` before the first write).
    newest: Option<i64>,
}

impl Ring {
    pub fn new(cap: usize) -> Ring {
        Ring {
            counts: vec![0; cap.max(1)],
            newest: None,
        }
    }

    pub fn cap(&self) -> usize {
        self.counts.len()
    }

    pub fn newest(&self) -> Option<i64> {
        self.newest
    }

    fn slot(&self, bucket: i64) -> usize {
        bucket.rem_euclid(self.counts.len() as i64) as usize
    }

    /// Moves the window forward so that it ends at `bucket`, zeroing the buckets it skips.
    pub fn advance_to(&mut self, bucket: i64) {
        let cap = self.counts.len() as i64;
        match self.newest {
            None => {
                self.newest = Some(bucket);
            }
            Some(n) if bucket > n => {
                if bucket - n >= cap {
                    self.counts.iter_mut().for_each(|c| *c = 0);
                } else {
                    for b in n + 1..=bucket {
                        let s = self.slot(b);
                        self.counts[s] = 0;
                    }
                }
                self.newest = Some(bucket);
            }
            Some(_) => {}
        }
    }

    /// Adds `n` to `bucket`. Buckets newer than the window advance it; buckets that have
    /// already rolled off are ignored and reported with `false`.
    pub fn add(&mut self, bucket: i64, n: u64) -> bool {
        self.advance_to(bucket);
        let newest = self.newest.unwrap_or(bucket);
        if newest - bucket >= self.counts.len() as i64 {
            return false;
        }
        let s = self.slot(bucket);
        self.counts[s] += n;
        true
    }

    /// Count in `bucket` (0 outside the window).
    pub fn get(&self, bucket: i64) -> u64 {
        match self.newest {
            Some(n) if bucket <= n && n - bucket < self.counts.len() as i64 => {
                self.counts[self.slot(bucket)]
            }
            _ => 0,
        }
    }

    /// Sum of the last `k` buckets ending at the newest one.
    pub fn sum_last(&self, k: usize) -> u64 {
        let Some(n) = self.newest else { return 0 };
        let k = k.min(self.counts.len()) as i64;
        (n - k + 1..=n).map(|b| self.get(b)).sum()
    }

    /// The whole window, oldest bucket first, into `out` (cleared first).
    pub fn dense_into(&self, out: &mut Vec<u64>) {
        out.clear();
        let Some(n) = self.newest else { return };
        let cap = self.counts.len() as i64;
        out.extend((n - cap + 1..=n).map(|b| self.get(b)));
    }

    pub fn dense(&self) -> Vec<u64> {
        let mut v = Vec::with_capacity(self.counts.len());
        self.dense_into(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_old_buckets_off() {
        let mut r = Ring::new(4);
        assert!(r.add(10, 1));
        assert!(r.add(11, 2));
        assert!(r.add(13, 3));
        assert_eq!(r.dense(), vec![1, 2, 0, 3]);
        assert!(r.add(14, 4));
        assert_eq!(r.dense(), vec![2, 0, 3, 4]);
        assert_eq!(r.get(10), 0, "rolled off");
        assert!(!r.add(10, 5), "too old for the window");
        assert!(r.add(12, 1), "late but inside the window");
        assert_eq!(r.dense(), vec![2, 1, 3, 4]);
        assert_eq!(r.sum_last(2), 7);
        r.add(100, 1);
        assert_eq!(r.dense(), vec![0, 0, 0, 1]);
        assert_eq!(r.newest(), Some(100));
    }

    #[test]
    fn negative_buckets() {
        let mut r = Ring::new(3);
        r.add(-2, 1);
        r.add(-1, 1);
        r.add(0, 1);
        assert_eq!(r.dense(), vec![1, 1, 1]);
        assert_eq!(r.sum_last(10), 3);
    }
}
