//! The live detection rules, behind one small trait so that the batch detectors (`detect::`)
//! can be swapped in by the integrator without touching the streaming machinery.
//!
//! In: for one key (a template, a route, an upstream, the overall error count) the dense counts
//! of its last closed buckets and its learned normal rate; for a never-seen template, how
//! often it occurred since it first appeared and how long the stream had been watched before.
//! Out: whether a spike starts (with its evidence), whether an active spike has ended, whether
//! a new template is confirmed.
//!
//! The default rules ([`PoissonDetector`]):
//! - **spike start**: in some trailing window (1, 2, 5 or 10 minutes) the count `c` is at least
//!   `min_count`, at least `min_factor` × the expected count `μ = normal rate × window`, and the
//!   chance of `c` or more is below `p_value × window / longest window` — by the conditional
//!   two-Poisson test (see [`rate_test`]), which knows that `μ` learned from a few dozen events
//!   is uncertain, and is the Poisson tail `P(X ≥ c | μ)` for long histories. Short windows
//!   catch dense bursts within a bucket or two; long ones catch sparse bursts (a few events
//!   where one an hour is normal). A day has ten times as many 1-minute windows as 10-minute
//!   ones, hence the bar in proportion to the window: each length adds as many chance alarms.
//!   Routes share the bar: it is divided by the square root of the number of routes that
//!   have failed ([`Window::family`]), so twenty routes' background 5xx do not raise twenty
//!   times the chance alarms of one.
//! - **spike end**: over the last `W` buckets, where `W` is long enough to expect about six
//!   events at the spike's own rate (2 to 10 minutes) and, when the key rides on other
//!   traffic, long enough that the other events logged in it would have carried six of the
//!   spike's at its share of the traffic while active, and four times the normal count (up
//!   to 10 minutes), the count fell to
//!   at most twice the normal expectation. Waiting for "six expected events" keeps a sparse
//!   spike from ending (and re-alerting) just because two of its events were a little
//!   further apart, and a failing route from ending because its requests paused.
//! - **new template confirmed**: it occurred at least `new_min_count` times, and a template
//!   that had always been there at a steady rate would hardly have crowded all of them into
//!   the time since its first sighting: given `c` events, the `c − 1` after the first fall
//!   anywhere in the watched time, so all of them landing within the `age` since the first
//!   has probability `(age / (watched + age))^(c − 1)`, which must be at most `new_p_value`
//!   (10⁻⁴). The test is on the count, not on a rate estimated from one interval: a rare
//!   background warning whose second event happens to follow its first within minutes is
//!   not new (one gap says little), while a deploy's new error, several events in a minute
//!   after hours of watching, is. An error template is reported at its first occurrence when
//!   it follows a change (a one-off new event below warning level whose text names one, within
//!   15 minutes: a deploy, a restart, a config reload), a fatal one (a panic, a crash) at its
//!   first occurrence whatever came before, or when it was never seen in an hour
//!   and 50,000 events of watching (`new_alone_ms`, `new_alone_events`): a background error
//!   that logs once in a few thousand lines has not come up in a quiet night's hour by
//!   chance, but would have in 50,000 lines.

/// Counts of one key over its trailing window, and what is known about its past.
pub struct Window<'a> {
    /// Dense counts, oldest first; the last entry is the bucket just closed.
    pub counts: &'a [u64],
    /// All events (every key) in the same buckets: the traffic the key rides on.
    pub totals: &'a [u64],
    /// The key's counts per minute over the last hours, oldest first (last = current
    /// minute), to recognise bursts that recur every hour (cron jobs).
    pub minutes: &'a [u64],
    /// How many trailing entries of `minutes` lie inside the watched history.
    pub minutes_watched: usize,
    pub bucket_ms: i64,
    /// How many trailing entries of `counts` lie inside the watched history (older entries
    /// are from before the stream began and say nothing).
    pub in_history: usize,
    /// Entries from this index on belong to an ongoing spike: not normal.
    pub active_from: Option<usize>,
    /// History older than `counts`, exponentially decayed: the key's events, bucket weight,
    /// and all events.
    pub past_sum: f64,
    pub past_n: f64,
    pub past_total: f64,
    /// Pseudo-history added to every estimate: (events, buckets).
    pub prior: (f64, f64),
    /// Hold this key to a higher bar (warnings, as opposed to errors).
    pub strict: bool,
    /// Keys of the same family tested alongside this one (routes that have failed): the
    /// p-value bar is shared among them.
    pub family: usize,
}

impl Window<'_> {
    /// Expected count in the last `k` buckets, learned from everything except them (and the
    /// active spike), and how many real buckets the estimate rests on.
    ///
    /// Two estimates, the larger wins: the key's rate per unit of time, and its rate per
    /// other event times the other events in the window. The second follows the daily
    /// traffic curve (errors that scale with requests are not a spike at the morning peak);
    /// the first keeps a flood of one key from explaining itself.
    pub fn expected(&self, k: usize) -> (f64, f64) {
        let (mu, n, _) = self.expected_from(k);
        (mu, n)
    }

    /// [`Window::expected`], and the key's own (decayed) events in the history the estimate
    /// rests on, prior included: how sure the estimate is.
    pub fn expected_from(&self, k: usize) -> (f64, f64, f64) {
        let len = self.counts.len();
        let from = len - self.in_history.min(len);
        let to = len.saturating_sub(k).min(self.active_from.unwrap_or(len));
        let (mut key, mut n, mut tot) = (self.past_sum, self.past_n, self.past_total);
        if to > from {
            key += self.counts[from..to].iter().sum::<u64>() as f64;
            n += (to - from) as f64;
        }
        let time_mu = (key + self.prior.0) / (n + self.prior.1) * k as f64;
        let history = key + self.prior.0;
        if self.totals.len() != len {
            return (time_mu, n, history);
        }
        if to > from {
            tot += self.totals[from..to].iter().sum::<u64>() as f64;
        }
        let others = (tot - key).max(0.0);
        let per_bucket = if n > 0.0 { others / n } else { 0.0 };
        let odds = (key + self.prior.0) / (others + self.prior.1 * per_bucket).max(1.0);
        let win_from = len.saturating_sub(k);
        let win_tot: u64 = self.totals[win_from..].iter().sum();
        let win_key: u64 = self.counts[win_from..].iter().sum();
        let traffic_mu = odds * win_tot.saturating_sub(win_key) as f64;
        (time_mu.max(traffic_mu), n, history)
    }

    /// The key's events per other event during the active spike (the buckets from
    /// `active_from`, within the window), when enough other traffic was logged meanwhile to
    /// say (`None`: the key is (nearly) all there is, or nothing is active).
    pub fn active_odds(&self) -> Option<f64> {
        let from = self.active_from?;
        if self.totals.len() != self.counts.len() || from >= self.counts.len() {
            return None;
        }
        let key: u64 = self.counts[from..].iter().sum();
        let tot: u64 = self.totals[from..].iter().sum();
        let others = tot.saturating_sub(key);
        // Too little other traffic to measure a share by.
        (others >= 20 && key > 0).then(|| key as f64 / others as f64)
    }

    /// Events of other keys in the last `k` buckets.
    pub fn others_in_last(&self, k: usize) -> f64 {
        if self.totals.len() != self.counts.len() {
            return 0.0;
        }
        let from = self.counts.len().saturating_sub(k);
        let tot: u64 = self.totals[from..].iter().sum();
        let key: u64 = self.counts[from..].iter().sum();
        tot.saturating_sub(key) as f64
    }

    /// The key's hourly level for the last `k` buckets: the mean count in the same
    /// minutes (± 2) one, two and three hours earlier (a job's typical run), when two of
    /// those hours had a run of at least two events (the one hour, when the stream covers
    /// only one); `None` otherwise (nothing recurs every hour). A job that runs every hour
    /// (its warnings included) is judged against its own runs, not against the quiet
    /// minutes between them: a run within its usual variation is not a spike, a run many
    /// times its usual size is.
    pub fn hourly_level(&self, k: usize) -> Option<f64> {
        let len = self.minutes.len();
        let kmin = ((k as i64 * self.bucket_ms) as f64 / 60_000.0).ceil() as usize;
        let (mut sum, mut hours, mut covered) = (0u64, 0u32, 0u32);
        for h in 1..=3 {
            let Some(end) = (len + 2).checked_sub(1 + 60 * h) else {
                break;
            };
            let Some(start) = end.checked_sub(kmin + 4) else {
                break;
            };
            if len - end.min(len - 1) > self.minutes_watched {
                // That hour's window ends before the stream began.
                break;
            }
            let run = self.minutes[start..=end.min(len - 1)].iter().sum::<u64>();
            covered += 1;
            // One event is no run: a rare key's background (a timeout an hour) falls in the
            // same minutes of two earlier hours a few times a day by chance.
            if run >= 2 {
                sum += run;
                hours += 1;
            }
        }
        // A job runs every hour. (Two runs of three hours will do: a new job is recognized
        // at its third run.)
        (hours > 0 && hours >= covered.min(2)).then(|| sum as f64 / f64::from(hours))
    }
}

/// Why a spike was declared.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeEvidence {
    /// Trailing window that fired, in buckets.
    pub buckets: usize,
    pub count: u64,
    pub expected: f64,
    pub p_value: f64,
}

/// What is known about an ongoing spike.
pub struct ActiveSpike {
    /// Buckets since the spike started, and events in them.
    pub buckets: u64,
    pub count: u64,
}

/// A template never seen before, under observation.
pub struct NewCandidate {
    /// Events (warn or worse) since it was first seen.
    pub count: u64,
    /// Time since first seen, ms.
    pub age_ms: i64,
    /// How long the stream (plus any baseline) had been watched before it first appeared, ms.
    pub watched_before_ms: i64,
    /// Events the stream had carried before it appeared.
    pub watched_events: u64,
    /// Error level or worse (not just a warning).
    pub is_error: bool,
    /// Fatal (a panic, a crash): never seen before, it is news at its first occurrence.
    pub is_fatal: bool,
    /// First seen within minutes after a change: a one-off new event below warning level,
    /// such as a deploy, a restart or a config reload.
    pub after_change: bool,
}

/// The seam for detection rules; see the module doc.
pub trait Detector: Send {
    fn spike_start(&self, w: &Window<'_>) -> Option<SpikeEvidence>;
    fn spike_ended(&self, w: &Window<'_>, active: &ActiveSpike) -> bool;
    fn new_confirmed(&self, c: &NewCandidate) -> bool;
}

/// The default rules; see the module doc.
#[derive(Clone, Debug)]
pub struct PoissonDetector {
    pub min_count: u64,
    pub min_factor: f64,
    pub p_value: f64,
    /// Trailing windows tried, in buckets.
    pub windows: Vec<usize>,
    /// Buckets of history (outside the tested window) needed before a key can spike.
    pub min_reference: usize,
    pub new_min_count: u64,
    /// Largest chance that a steady template crowded its events into the time since it was
    /// first seen (see the module doc).
    pub new_p_value: f64,
    /// Shortest age credited to a candidate (events in the same instant are not infinitely
    /// dense).
    pub new_min_age_ms: i64,
    /// An error template never seen in this long, and in this many events, is reported at
    /// its first occurrence.
    pub new_alone_ms: i64,
    pub new_alone_events: u64,
}

impl PoissonDetector {
    /// Defaults for a given bucket width.
    pub fn new(bucket_ms: i64) -> PoissonDetector {
        let per_min = (60_000 / bucket_ms.max(1)).max(1) as usize;
        PoissonDetector {
            min_count: 3,
            min_factor: 3.0,
            p_value: 1e-4,
            windows: vec![per_min, 2 * per_min, 5 * per_min, 10 * per_min],
            min_reference: 10 * per_min,
            new_min_count: 2,
            new_p_value: 1e-4,
            new_min_age_ms: 10_000,
            new_alone_ms: 3_600_000,
            new_alone_events: 50_000,
        }
    }
}

impl Detector for PoissonDetector {
    fn spike_start(&self, w: &Window<'_>) -> Option<SpikeEvidence> {
        let mut best: Option<SpikeEvidence> = None;
        let longest = self.windows.iter().copied().max().unwrap_or(1).max(1);
        for &k in &self.windows {
            if k > w.counts.len() {
                break;
            }
            let c: u64 = w.counts[w.counts.len() - k..].iter().sum();
            if c < self.min_count {
                continue;
            }
            let (mu, support, history) = w.expected_from(k);
            if support < self.min_reference as f64 {
                continue;
            }
            let hourly = w.hourly_level(k).filter(|&h| h > mu);
            let mu = hourly.unwrap_or(mu);
            let (factor, p_max) = if w.strict {
                (self.min_factor * 3.0, self.p_value / 100.0)
            } else {
                (self.min_factor, self.p_value)
            };
            if (c as f64) < factor * mu {
                continue;
            }
            let p = match hourly {
                Some(_) => poisson_tail(c, mu),
                None => rate_test(c, mu, history),
            };
            // A day holds ten times as many distinct 1-minute windows as 10-minute ones: each
            // length gets a bar in proportion to its length, so that short windows do not
            // raise more false alarms than long ones.
            let p_max = p_max * k as f64 / longest as f64 / w.family.max(1) as f64;
            if p < p_max && best.as_ref().is_none_or(|b| p < b.p_value) {
                best = Some(SpikeEvidence {
                    buckets: k,
                    count: c,
                    expected: mu,
                    p_value: p,
                });
            }
        }
        best
    }

    fn spike_ended(&self, w: &Window<'_>, active: &ActiveSpike) -> bool {
        let per_min = (60_000 / w.bucket_ms.max(1)).max(1) as f64;
        let rate = active.count as f64 / active.buckets.max(1) as f64;
        let need = if rate > 0.0 { (6.0 / rate).ceil() } else { 0.0 };
        let longest = (10.0 * per_min).min(w.counts.len() as f64) as usize;
        let mut k = need
            .clamp(2.0 * per_min, 10.0 * per_min)
            .min(w.counts.len() as f64) as usize;
        // A lull in the traffic is no recovery: a route failing a third of its requests logs
        // no failure while no request comes in. When the key rides on other traffic, the
        // window must also hold enough of it to expect six of the spike's events at its
        // share of the traffic while active (else it grows, up to ten minutes: a stalled
        // input still ends a spike).
        if let Some(odds) = w.active_odds() {
            // Enough that falling to twice the normal count is a real drop: the spike's
            // expected events at least six, and at least four times the normal count.
            while k < longest && odds * w.others_in_last(k) < (4.0 * w.expected(k).0).max(6.0) {
                k += 1;
            }
        }
        if (active.buckets as usize) < k {
            return false;
        }
        let c: u64 = w.counts[w.counts.len() - k..].iter().sum();
        let (mu, _) = w.expected(k);
        (c as f64) <= (2.0 * mu).floor()
    }

    fn new_confirmed(&self, c: &NewCandidate) -> bool {
        let long_unseen =
            c.watched_before_ms >= self.new_alone_ms && c.watched_events >= self.new_alone_events;
        if c.is_fatal || (c.is_error && c.count >= 1 && (c.after_change || long_unseen)) {
            return true;
        }
        if c.count < self.new_min_count {
            return false;
        }
        // The first occurrence only opens the case; the events after it are the evidence.
        let age = c.age_ms.max(self.new_min_age_ms) as f64;
        let watched = c.watched_before_ms.max(0) as f64;
        let after_first = (c.count - 1).min(i32::MAX as u64) as i32;
        (age / (watched + age)).powi(after_first) <= self.new_p_value
    }
}

/// How unlikely `c` events in the window are when `mu` were expected from a history that
/// held `history` of the key's events: the conditional test of two Poisson counts (Przyborowski
/// & Wilenski 1940): given the `c + K` events of window and history together, the window's
/// share is `Binomial(c + K, mu / (mu + K))` under "same rate". Unlike `P(X ≥ c | mu)` it
/// knows that a rate learned from a dozen events is uncertain: a template an hour old whose
/// share of the traffic was estimated from 15 events is not spiking when a 10-minute window
/// holds 2.5× that estimate. With a long history (`K` ≥ 1000) it is the Poisson tail. A
/// history of less than one event is taken as one: a key seen once in the night, its weight
/// decayed since, is not "known" to be rarer than three events in ten minutes of the morning.
pub fn rate_test(c: u64, mu: f64, history: f64) -> f64 {
    if !(history > 0.0 && history < 1000.0) {
        return poisson_tail(c, mu);
    }
    // The window's share of the exposure; a history of less than one event (a key seen once,
    // long ago, or only through the prior) counts as one event, not as a known rate.
    let share = mu / (mu + history);
    let k = history.round().max(1.0) as u64;
    binomial_tail(c, c + k, share)
}

/// `P(X ≥ c)` for `X ~ Binomial(n, p)`, summed in log space from the `c`-th term.
pub fn binomial_tail(c: u64, n: u64, p: f64) -> f64 {
    if c == 0 || p >= 1.0 {
        return 1.0;
    }
    if c > n || p <= 0.0 {
        return 0.0;
    }
    let cf = c as f64;
    if cf <= n as f64 * p {
        return 1.0;
    }
    let log_first = ln_factorial(n) - ln_factorial(c) - ln_factorial(n - c)
        + cf * p.ln()
        + (n - c) as f64 * (-p).ln_1p();
    let odds = p / (1.0 - p);
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    for j in c..n {
        term *= (n - j) as f64 / (j + 1) as f64 * odds;
        sum += term;
        if term < 1e-12 * sum {
            break;
        }
    }
    (log_first + sum.ln()).exp().min(1.0)
}

/// `P(X ≥ c)` for `X ~ Poisson(mu)`, computed in log space (no overflow for large counts).
pub fn poisson_tail(c: u64, mu: f64) -> f64 {
    if c == 0 {
        return 1.0;
    }
    if mu <= 0.0 {
        return 0.0;
    }
    let cf = c as f64;
    if cf <= mu {
        // At or below the mean the tail is large; callers only care about small tails.
        return 1.0;
    }
    // First term e^-mu mu^c / c!, then the ratio mu/(c+j) of successive terms.
    let log_first = -mu + cf * mu.ln() - ln_factorial(c);
    let mut sum = 1.0;
    let mut term = 1.0;
    let mut j = 1.0;
    while j < 10_000.0 {
        term *= mu / (cf + j);
        sum += term;
        if term < 1e-12 * sum {
            break;
        }
        j += 1.0;
    }
    (log_first + sum.ln()).exp().min(1.0)
}

/// `ln(n!)`: exact sum for small n, Stirling's series beyond.
fn ln_factorial(n: u64) -> f64 {
    if n < 32 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tail_matches_closed_forms() {
        // P(X >= 1) = 1 - e^-mu
        let mu: f64 = 0.3;
        assert!((poisson_tail(1, mu) - (1.0 - (-mu).exp())).abs() < 1e-12);
        // P(X >= 3 | 0.044) ≈ mu^3/6 for small mu
        let p = poisson_tail(3, 0.044);
        assert!((p / (0.044f64.powi(3) / 6.0) - 1.0).abs() < 0.05, "{p}");
        // Large counts stay finite and tiny.
        let big = poisson_tail(500, 100.0);
        assert!(big > 0.0 && big < 1e-100, "{big}");
        assert_eq!(poisson_tail(5, 10.0), 1.0);
        assert!((ln_factorial(40) - (1..=40).map(|i| (i as f64).ln()).sum::<f64>()).abs() < 1e-9);
    }

    #[test]
    fn binomial_tail_matches_closed_forms() {
        let (n, p) = (12u64, 0.1f64);
        // P(X >= 1) = 1 - (1-p)^n, P(X >= n) = p^n.
        assert!(
            (binomial_tail(2, n, p) - (1.0 - 0.9f64.powi(12) - 12.0 * 0.1 * 0.9f64.powi(11))).abs()
                < 1e-12
        );
        assert!((binomial_tail(n, n, p) / p.powi(12) - 1.0).abs() < 1e-9);
        assert_eq!(binomial_tail(13, n, p), 0.0);
        assert_eq!(binomial_tail(1, n, p), 1.0); // at or below the mean
        let tiny = binomial_tail(400, 1_000, 0.2);
        assert!(tiny > 0.0 && tiny < 1e-30, "{tiny}");
    }

    #[test]
    fn a_rate_learned_from_few_events_is_held_less_sure() {
        // 15 events where 3.8 were expected: alarming if 3.8 were known exactly, not when it
        // was estimated from 20 events of history.
        assert!(poisson_tail(15, 3.8) < 1e-4);
        let few = rate_test(15, 3.8, 20.0);
        assert!(few > 1e-4, "{few}");
        // A long history is the Poisson case; a much bigger excess is alarming either way.
        let long = rate_test(15, 3.8, 5_000.0);
        assert_eq!(long, poisson_tail(15, 3.8));
        let near = rate_test(15, 3.8, 900.0);
        assert!((near / poisson_tail(15, 3.8) - 1.0).abs() < 0.2, "{near}");
        assert!(rate_test(40, 3.8, 20.0) < 1e-8);
        // A history of half an event (one sighting hours ago, decayed) is not a known rate:
        // three events where 0.03 were expected are unremarkable next to it, though the
        // Poisson tail of that estimate says one in 200,000.
        assert!(poisson_tail(3, 0.03) < 1e-5);
        let faint = rate_test(3, 0.03, 0.5);
        assert!(faint > 1e-4, "{faint}");
        assert_eq!(faint, rate_test(3, 0.03 / 0.5, 1.0));
    }

    #[test]
    fn short_windows_need_stronger_evidence() {
        let d = PoissonDetector::new(10_000);
        // Three events in one minute, with nothing else in the last ten, of an error whose
        // rate is known from ten days: from one that logs 4 an hour, a day of one-minute
        // windows turns that up now and then (p ≈ 5e-5 per window, above the 1-minute bar of
        // 1e-5); from one that logs 1 an hour, it does not (p ≈ 8e-7).
        let c = events_at(&[54, 56, 59]);
        let p4 = poisson_tail(3, 6.0 * 4.0 / 360.0);
        assert!(p4 > 1e-5 && p4 < 1e-4, "{p4}");
        assert!(d
            .spike_start(&window_over(&c, 4.0 / 360.0, 240.0))
            .is_none());
        let ev = d
            .spike_start(&window_over(&c, 1.0 / 360.0, 240.0))
            .expect("rare enough");
        assert_eq!(ev.buckets, 6, "{ev:?}");
    }

    #[test]
    fn routes_share_the_bar() {
        let d = PoissonDetector::new(10_000);
        // Three 5xx in a minute of a route that fails twice an hour (p ≈ 4e-6 over a
        // 1-minute bar of 1e-5): an alert for a route alone, not for one of 16 that fail
        // now and then (bar 2.5e-6), where a background cluster like it turns up most days.
        let mut c = events_at(&[55, 57, 59]);
        let mut w = window_over(&c, 2.0 / 360.0, 24.0);
        let ev = d.spike_start(&w).expect("one route");
        assert!(ev.p_value > 2.5e-6 && ev.p_value < 1e-5, "{ev:?}");
        w.family = 4;
        assert!(d.spike_start(&w).is_none());
        // A real failure passes either way: six in the minute.
        c[56] = 1;
        c[58] = 1;
        c[54] = 1;
        let mut w = window_over(&c, 2.0 / 360.0, 24.0);
        w.family = 4;
        assert!(d.spike_start(&w).is_some());
    }

    /// A window whose past (one hour of it) had `normal` events per bucket.
    fn window(counts: &[u64], normal: f64) -> Window<'_> {
        window_over(counts, normal, 1.0)
    }

    /// A window whose past of `hours` hours had `normal` events per bucket.
    fn window_over(counts: &[u64], normal: f64, hours: f64) -> Window<'_> {
        Window {
            counts,
            totals: &[],
            minutes: &[],
            minutes_watched: 0,
            bucket_ms: 10_000,
            in_history: counts.len(),
            active_from: None,
            past_sum: normal * 360.0 * hours,
            past_n: 360.0 * hours,
            past_total: 0.0,
            prior: (0.0, 0.0),
            strict: false,
            family: 1,
        }
    }

    /// An hour of 10-second buckets (60) with one event in each of the buckets `at`.
    fn events_at(at: &[usize]) -> Vec<u64> {
        let mut c = vec![0u64; 60];
        for &b in at {
            c[b] = 1;
        }
        c
    }

    #[test]
    fn sparse_and_dense_spikes_start() {
        let d = PoissonDetector::new(10_000);
        // One event an hour is normal (1/360 per bucket, learned over six hours); three within
        // two minutes is a spike.
        let c = events_at(&[50, 55, 59]);
        let w = window_over(&c, 1.0 / 360.0, 6.0);
        let ev = d.spike_start(&w).expect("sparse spike");
        assert!(ev.buckets <= 12, "{ev:?}");
        // Learned from the one event of a single hour, the rate is too uncertain for that.
        assert!(d.spike_start(&window(&c, 1.0 / 360.0)).is_none());
        // Steady 5 per bucket with normal 5 is not a spike, even with noise.
        let steady: Vec<u64> = (0..60).map(|i| 4 + (i % 3)).collect();
        assert!(d.spike_start(&window(&steady, 5.0)).is_none());
        // 3x the normal in the last minute is.
        let mut burst = steady.clone();
        for b in burst.iter_mut().skip(54) {
            *b = 20;
        }
        assert!(d.spike_start(&window(&burst, 5.0)).is_some());
        // Two events are never enough.
        let mut two = vec![0u64; 60];
        two[58] = 1;
        two[59] = 1;
        assert!(d.spike_start(&window(&two, 0.0001)).is_none());
    }

    /// 120 buckets of 10 s, the last minute (6 buckets) holding `per_bucket` events each.
    fn last_minute(per_bucket: u64) -> Vec<u64> {
        let mut c = vec![0u64; 120];
        for b in c.iter_mut().skip(114) {
            *b = per_bucket;
        }
        c
    }

    #[test]
    fn hourly_recurring_bursts_are_not_spikes() {
        let d = PoissonDetector::new(10_000);
        let c = last_minute(4);
        let mut one_run = vec![0u64; 190];
        one_run[189] = 24; // this minute
        let mut w = window(&c, 0.01);
        assert!(d.spike_start(&w).is_some());
        one_run[189 - 60] = 20; // the same minute an hour ago
        let mut two_runs = one_run.clone();
        two_runs[189 - 120] = 22; // and two hours ago
                                  // One run in the three hours watched is no habit (a rare key's event that happened
                                  // to fall in these minutes an hour ago, say); two are.
        w.minutes_watched = 190;
        w.minutes = &one_run;
        assert!(d.spike_start(&w).is_some());
        w.minutes = &two_runs;
        assert!(d.spike_start(&w).is_none());
        // With only the last hour watched, its run is all there is to go by.
        w.minutes = &one_run;
        w.minutes_watched = 70;
        assert!(d.spike_start(&w).is_none());
        // An hour the stream does not cover says nothing.
        w.minutes_watched = 50;
        assert!(d.spike_start(&w).is_some());
    }

    /// A rare key's single background events that happened to fall in the same minutes of
    /// two earlier hours are no hourly job: three events in two minutes are still a spike.
    #[test]
    fn single_events_in_earlier_hours_are_no_job() {
        let d = PoissonDetector::new(10_000);
        let c = events_at(&[50, 55, 59]);
        let mut w = window_over(&c, 1.0 / 360.0, 6.0);
        let mut singles = vec![0u64; 200];
        singles[199 - 60] = 1;
        singles[198 - 120] = 1;
        w.minutes = &singles;
        w.minutes_watched = 200;
        assert!(d.spike_start(&w).is_some());
        // Runs of two or more in those hours are a job's runs, and three is within them.
        let mut runs = singles.clone();
        runs[199 - 60] = 3;
        runs[198 - 120] = 2;
        w.minutes = &runs;
        assert!(d.spike_start(&w).is_none());
    }

    #[test]
    fn an_hourly_job_is_judged_against_its_own_runs() {
        let d = PoissonDetector::new(10_000);
        // Six warnings in this minute's run, where the last three runs had 2, 1 and 2:
        // within a job's run-to-run variation.
        let mut minutes = vec![0u64; 200];
        for (h, n) in [(1, 2), (2, 1), (3, 2)] {
            minutes[199 - 60 * h] = n;
        }
        for (per_bucket, news) in [(1, false), (4, true)] {
            // (A run ten times its usual size is news.)
            let c = last_minute(per_bucket);
            minutes[199] = 6 * per_bucket;
            let mut w = window(&c, 0.005);
            w.minutes = &minutes;
            w.minutes_watched = 200;
            assert_eq!(d.spike_start(&w).is_some(), news, "{per_bucket} per bucket");
        }
    }

    #[test]
    fn sparse_spike_ends_only_after_a_long_quiet() {
        let d = PoissonDetector::new(10_000);
        let active = ActiveSpike {
            buckets: 120,
            count: 11,
        };
        let mut c = vec![0u64; 60];
        c[20] = 1; // 40 buckets (6.7 min) ago: too recent for a sparse spike to be over
        assert!(!d.spike_ended(&window(&c, 1.0 / 360.0), &active));
        let quiet = vec![0u64; 60];
        assert!(d.spike_ended(&window(&quiet, 1.0 / 360.0), &active));
        // A dense spike ends after two quiet minutes.
        let dense = ActiveSpike {
            buckets: 30,
            count: 600,
        };
        let mut c = vec![20u64; 60];
        for b in c.iter_mut().skip(48) {
            *b = 1;
        }
        assert!(d.spike_ended(&window(&c, 1.0), &dense));
    }

    #[test]
    fn a_never_seen_fatal_is_news_at_once() {
        let d = PoissonDetector::new(10_000);
        let panic = NewCandidate {
            count: 1,
            age_ms: 0,
            watched_before_ms: 40 * 60_000,
            watched_events: 1_200,
            is_error: true,
            is_fatal: true,
            after_change: false,
        };
        assert!(d.new_confirmed(&panic));
        // The same as a plain error waits for more evidence.
        assert!(!d.new_confirmed(&NewCandidate {
            is_fatal: false,
            ..panic
        }));
    }

    #[test]
    fn new_needs_recurrence_and_evidence() {
        let d = PoissonDetector::new(10_000);
        let fast = NewCandidate {
            count: 4,
            age_ms: 30_000,
            watched_before_ms: 50 * 60_000,
            watched_events: 5_000,
            is_error: false,
            is_fatal: false,
            after_change: false,
        };
        assert!(d.new_confirmed(&fast));
        // One gap says little: two events 30 s apart after 50 minutes (p ≈ 0.01).
        let two = NewCandidate { count: 2, ..fast };
        assert!(!d.new_confirmed(&two));
        let once = NewCandidate {
            count: 1,
            age_ms: 30_000,
            watched_before_ms: 600 * 60_000,
            watched_events: 100_000,
            is_error: false,
            is_fatal: false,
            after_change: false,
        };
        assert!(
            !d.new_confirmed(&once),
            "a warning needs a second occurrence"
        );
        let error_after_hours = NewCandidate {
            is_error: true,
            is_fatal: false,
            ..once
        };
        assert!(d.new_confirmed(&error_after_hours));
        // Hours of a quiet night are a few thousand events: a background error that logs
        // once in that many is not news at its first occurrence.
        let error_after_quiet_hours = NewCandidate {
            watched_events: 3_000,
            ..error_after_hours
        };
        assert!(!d.new_confirmed(&error_after_quiet_hours));
        let error_early = NewCandidate {
            count: 1,
            age_ms: 0,
            watched_before_ms: 20 * 60_000,
            watched_events: 500,
            is_error: true,
            is_fatal: false,
            after_change: false,
        };
        assert!(!d.new_confirmed(&error_early));
        // Right after a deploy, it is.
        let error_after_deploy = NewCandidate {
            after_change: true,
            ..error_early
        };
        assert!(d.new_confirmed(&error_after_deploy));
        // A rare error (2 in 30 minutes) first seen 6 minutes into the stream is not new.
        let rare = NewCandidate {
            count: 2,
            age_ms: 30 * 60_000,
            watched_before_ms: 6 * 60_000,
            watched_events: 500,
            is_error: true,
            is_fatal: false,
            after_change: false,
        };
        assert!(!d.new_confirmed(&rare));
    }
}
