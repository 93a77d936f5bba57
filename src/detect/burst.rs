//! Burst detection on one dense count series: a pure function over counts, exposures and
//! parameters, so the same code serves whole-file reports and (later) a live `watch` mode
//! that feeds buckets as they close.
//!
//! In: `counts[i]` events of one template (or the error+fatal events) in bucket `i`, and
//! `exposure[i]` (see `timeline::exposure`: how many events the bucket should hold at the
//! normal rate, up to the rate itself). Out: [`Scan`] — the normal rate, the dispersion, and
//! the bursts (windows of buckets far above normal), most significant first.
//!
//! ## Method
//!
//! 1. **Normal rate** `ρ` = events per unit of exposure in the *normal region*: outside the
//!    bursts found so far (with one bucket of margin) and, for a window being tested, outside
//!    that window. Iterated: find bursts, re-estimate, repeat until stable (at most 4 rounds).
//!    Bursts on a schedule (step 4) stay in the normal region. A template never seen in the
//!    normal region gets `ρ = 0.5 / exposure` ("less than one event") for display, and the
//!    significance test is two-sample, so an empty stretch of unknown length is not taken
//!    as a known zero rate.
//! 2. **Dispersion** `φ`: real logs are burstier than Poisson. For templates with enough
//!    volume (median expected count per bucket ≥ 2), `φ = (1.4826 · MAD(r))²` of the Pearson
//!    residuals `r = (c − e)/√e` of the normal buckets — the robust scale estimate behind the
//!    modified z-score of Iglewicz & Hoaglin (1993), *How to Detect and Handle Outliers* —
//!    floored at 1 (pure Poisson) and capped at 100. Sparse templates use `φ = 1`.
//! 3. **Bursts**: a window `[i, j)` qualifies when its count `c` against its expectation
//!    `e = ρ · Σ exposure` passes `c ≥ min_count`, `c ≥ min_factor · e` and
//!    `G / φ ≥ min_g + 2 ln(length)`, where `G` is the two-sample Poisson likelihood-ratio
//!    statistic of the window against the normal region (outside the window and outside
//!    bursts found so far; see [`two_sample_g`]), quasi-Poisson scaled by `φ`. Default
//!    `min_g` 24 (p ≈ 10⁻⁶ for one test) plus a length penalty, so thousands of templates ×
//!    hundreds of windows stay quiet. Among qualifying windows the one with the
//!    highest Kulldorff scan statistic (inside vs outside rate; Kulldorff 1997, "A spatial
//!    scan statistic", Comm. Stat. Theory Methods 26(6), Poisson model) is taken, then the next
//!    best not overlapping it ("secondary clusters"), up to `max_bursts`. Comparing inside
//!    with *outside* picks a window's natural extent: a one-bucket flood is not smeared over
//!    its neighbours, a sparse half-hour burst is one window, and a window spanning many
//!    cron runs loses to a single run.
//! 4. **Periodicity**: when the series' episodes (runs of non-empty buckets) of similar size
//!    (within 3× of their median) recur at least 3 times at a regular interval (≥ 80 % of
//!    gaps within ±max(1 bucket, 10 %) of a multiple of one period of ≥ 6 buckets), bursts on
//!    those episodes are a schedule (hourly cron), not an incident: they are marked
//!    `periodic` (see [`mark_periodic`]). Bursts more than 3× the schedule's usual size stay
//!    unmarked (the cron run that went wrong).
//! 5. **Recurrence** (callers that report per template, see [`mark_recurrent`]): three or
//!    more bursts of similar size at irregular times, spread over at least a third of the
//!    series, are the template's habit (a datanode's transfer warnings that come in clumps
//!    all day) and marked `recurrent`; an outsized one stays unmarked.
//!
//! A steady template (however frequent) never reaches `min_factor`; a rare one going 0 → 3
//! never reaches `min_count`.

/// Parameters of [`scan`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurstParams {
    /// Fewest events in a burst.
    pub min_count: u64,
    /// Fewest times the normal expectation.
    pub min_factor: f64,
    /// Smallest dispersion-scaled likelihood-ratio statistic `G`.
    pub min_g: f64,
    /// Most bursts searched per series (periodicity needs to see all runs of a schedule).
    pub max_bursts: usize,
    /// How many (series × bucket) positions the caller scans in total, for the multiple-
    /// testing correction (see [`g_needed`]); 0 = one series.
    pub positions: f64,
}

impl Default for BurstParams {
    fn default() -> Self {
        BurstParams {
            min_count: 5,
            min_factor: 3.0,
            min_g: 24.0,
            max_bursts: 64,
            positions: 0.0,
        }
    }
}

/// One burst: buckets `start..end` of the series.
#[derive(Clone, Debug, PartialEq)]
pub struct Burst {
    pub start: usize,
    pub end: usize,
    /// Bucket with the highest count relative to its expectation.
    pub peak: usize,
    /// Events in the burst.
    pub count: u64,
    /// Events expected there at the normal rate.
    pub expected: f64,
    /// The statistic `G` (see the module doc).
    pub g: f64,
    /// Part of a regular schedule (see the module doc).
    pub periodic: bool,
    /// One of several similar bursts spread over the series (see [`mark_recurrent`]).
    pub recurrent: bool,
    /// The normal rate under the second exposure model of [`scan_both`] (outside this window
    /// and that model's own bursts), when the burst was confirmed under it.
    pub alt_rate: Option<f64>,
}

impl Burst {
    pub fn factor(&self) -> f64 {
        self.count as f64 / self.expected.max(1e-12)
    }
}

/// The result of [`scan`].
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    /// Normal events per unit of exposure (outside the bursts).
    pub rate: f64,
    /// True when no event lies outside the bursts (the rate is the floor).
    pub rate_is_floor: bool,
    /// Quasi-Poisson dispersion used to scale `G`.
    pub dispersion: f64,
    /// Bursts, most significant first.
    pub bursts: Vec<Burst>,
    /// Whether the bursts were found to be periodic.
    pub periodic: bool,
}

/// Poisson log-likelihood ratio statistic `2(c ln(c/e) − (c − e))` for an excess (0 if none).
pub fn poisson_g(c: f64, e: f64) -> f64 {
    if c <= e || e <= 0.0 {
        return 0.0;
    }
    2.0 * (c * (c / e).ln() - (c - e))
}

/// Finds bursts in `counts` given each bucket's `exposure`; see the module doc.
pub fn scan(counts: &[u64], exposure: &[f64], p: &BurstParams) -> Scan {
    let n = counts.len().min(exposure.len());
    let counts = &counts[..n];
    let exposure = &exposure[..n];
    let total: u64 = counts.iter().sum();
    let total_w: f64 = exposure.iter().sum();
    let mut out = Scan {
        rate: if total_w > 0.0 {
            total as f64 / total_w
        } else {
            0.0
        },
        rate_is_floor: false,
        dispersion: 1.0,
        bursts: Vec::new(),
        periodic: false,
    };
    if n == 0 || total < p.min_count || total_w <= 0.0 {
        return out;
    }
    let mut excluded = vec![false; n];
    for _round in 0..4 {
        let (mut c_out, mut w_out) = (0u64, 0f64);
        for i in 0..n {
            if !excluded[i] {
                c_out += counts[i];
                w_out += exposure[i];
            }
        }
        let (rate, is_floor) = normal_rate(c_out as f64, w_out, total_w);
        let phi = dispersion(counts, exposure, rate, &excluded);
        let mut bursts = find_windows(counts, exposure, &excluded, phi, p);
        out.periodic = mark_periodic(&mut bursts, counts);
        // Bursts on a schedule are part of normal behaviour: they stay in the normal region.
        let mut next = vec![false; n];
        for b in bursts.iter().filter(|b| !b.periodic) {
            for x in next
                .iter_mut()
                .take((b.end + 1).min(n))
                .skip(b.start.saturating_sub(1))
            {
                *x = true;
            }
        }
        out.rate = rate;
        out.rate_is_floor = is_floor;
        out.dispersion = phi;
        out.bursts = bursts;
        if next == excluded {
            break;
        }
        excluded = next;
    }
    out
}

/// Positions (series × buckets) that `min_g` alone covers: `min_g = 24` is about
/// `2 ln(8000 / 0.05)`, a Bonferroni bound for 8,000 tests at a 5 % family-wise error.
const POSITIONS_COVERED: f64 = 8_000.0;

/// The `G` a window of `len` buckets needs:
/// `min_g + 2 ln(len) + 2 ln(max(1, positions / 8000))`. Since `G ≈ 2 ln(1/p)` in the tail,
/// each term is a Bonferroni factor: longer windows come in more overlapping variants, and
/// scanning thousands of templates gives chance thousands of tries.
pub fn g_needed(p: &BurstParams, len: usize) -> f64 {
    p.min_g + 2.0 * (len.max(1) as f64).ln() + 2.0 * (p.positions / POSITIONS_COVERED).max(1.0).ln()
}

/// Normal rate from `c` events over exposure `w`: with no event at all, half an event over
/// the exposure (a template never seen is not "rate zero, known exactly").
fn normal_rate(c: f64, w: f64, total_w: f64) -> (f64, bool) {
    if w <= 0.0 {
        return (0.5 / total_w.max(1e-12), true);
    }
    if c <= 0.0 {
        (0.5 / w, true)
    } else {
        (c / w, false)
    }
}

/// Two-sample Poisson likelihood-ratio statistic (G) of `c_in` events over exposure `w_in`
/// against `c_out` over `w_out`, for an excess inside (0 otherwise). Conditional on the
/// total it is the binomial G-test of `c_in` out of `c_in + c_out` with
/// `p = w_in / (w_in + w_out)`; with `w_out → ∞` it tends to the one-sample [`poisson_g`].
pub fn two_sample_g(c_in: f64, w_in: f64, c_out: f64, w_out: f64) -> f64 {
    let n = c_in + c_out;
    if n <= 0.0 || w_in <= 0.0 || w_out <= 0.0 {
        return 0.0;
    }
    let e_in = n * w_in / (w_in + w_out);
    if c_in <= e_in {
        return 0.0;
    }
    let e_out = n - e_in;
    let t = |c: f64, e: f64| if c > 0.0 { c * (c / e).ln() } else { 0.0 };
    (2.0 * (t(c_in, e_in) + t(c_out, e_out))).max(0.0)
}

/// Whether burst `b` of `sc` rose above what came *before* it, not only above the rest of the
/// series: a window judged against everything outside it is also "significant" when it is
/// the template's normal level before the template stopped (a routine `charge ok` that falls
/// silent when the incident starts is a "burst" from the start of the input to the onset).
/// A burst that runs to the end of the series has only its past outside, so the scan already
/// compared it with that; any other must pass `min_count`, `min_factor` and the `G` its length
/// needs against the normal buckets before it alone (the scan's dispersion, bursts on a
/// schedule counted as normal, other bursts left out).
pub fn rose_from_before(
    counts: &[u64],
    exposure: &[f64],
    sc: &Scan,
    b: &Burst,
    p: &BurstParams,
) -> bool {
    let n = counts.len().min(exposure.len());
    if b.end >= n || b.start >= b.end {
        return true;
    }
    let other_burst = |i: usize| {
        sc.bursts
            .iter()
            .any(|o| !o.periodic && o.start <= i && i < o.end)
    };
    let (mut cb, mut wb) = (0f64, 0f64);
    for i in (0..b.start).filter(|&i| !other_burst(i)) {
        cb += counts[i] as f64;
        wb += exposure[i];
    }
    let c: u64 = counts[b.start..b.end].iter().sum();
    let w_in: f64 = exposure[b.start..b.end].iter().sum();
    if wb <= 0.0 || w_in <= 0.0 {
        return false;
    }
    let rate = normal_rate(cb, wb, wb + w_in).0;
    let g = two_sample_g(c as f64, w_in, cb, wb) / sc.dispersion.max(1.0);
    c >= p.min_count && c as f64 >= p.min_factor * rate * w_in && g >= g_needed(p, b.end - b.start)
}

/// [`scan`] under two exposure models, keeping only bursts that are bursts under both.
///
/// Some templates follow the traffic (request errors), others the clock (timers, cron jobs):
/// a timer's constant rate looks like a burst at night against traffic-weighted exposure,
/// and a request error's daytime peak looks like a burst against plain time. A burst is
/// reported only when its window also passes `min_count`, `min_factor` and `min_g` against
/// the normal rate and dispersion estimated under the other model.
///
/// Candidates come from both scans: each model's windows are checked under the other. Under
/// one model alone a long stretch that is abnormal only for that model (a clock-driven
/// template's whole night, against traffic) can swallow a real burst inside it, since
/// windows do not overlap; the other model's scan still finds that burst. Every burst
/// returned carries the first model's expectation and `G` (computed as in the check) and
/// the second model's normal rate in `alt_rate`. Where windows of the two models overlap,
/// the one with the larger `G` under its weaker model is kept.
pub fn scan_both(counts: &[u64], primary: &[f64], secondary: &[f64], p: &BurstParams) -> Scan {
    let mut sc = scan(counts, primary, p);
    let alt = scan(counts, secondary, p);
    if sc.bursts.is_empty() && alt.bursts.iter().all(|b| b.periodic) {
        return sc;
    }
    let (by_first, by_second) = (Model::of(primary, &sc), Model::of(secondary, &alt));
    // Each kept burst with the weaker of its two models' G: how well both support it.
    let mut kept: Vec<(Burst, f64)> = Vec::new();
    for mut b in std::mem::take(&mut sc.bursts) {
        if let Some(c) = by_second.confirm(&b, counts, p) {
            b.alt_rate = Some(c.rate);
            let support = b.g.min(c.g);
            kept.push((b, support));
        }
    }
    for a in alt.bursts.iter().filter(|a| !a.periodic) {
        let Some(c) = by_first.confirm(a, counts, p) else {
            continue;
        };
        let support = a.g.min(c.g);
        // Where windows of the two models overlap, the one both support better stands: the
        // traffic model's whole quiet night (which the clock barely confirms) gives way to
        // the half-hour burst inside it that both models see clearly.
        let overlaps = |b: &Burst| b.start < a.end && a.start < b.end;
        if kept.iter().any(|(b, s)| overlaps(b) && *s >= support) {
            continue;
        }
        kept.retain(|(b, _)| !overlaps(b));
        kept.push((
            Burst {
                expected: c.expected,
                g: c.g,
                alt_rate: Some(alt.rate),
                ..a.clone()
            },
            support,
        ));
    }
    sc.bursts = kept.into_iter().map(|(b, _)| b).collect();
    sc
}

/// A window's statistics under one model (see [`Model::confirm`]).
struct Confirmed {
    /// Normal rate: outside the model's own bursts and outside the window.
    rate: f64,
    /// Events expected in the window at that rate.
    expected: f64,
    /// Two-sample `G` of the window against that normal region, dispersion-scaled.
    g: f64,
}

/// One exposure model as its scan left it: the buckets outside its own (non-periodic) bursts
/// are its normal region.
struct Model<'a> {
    exposure: &'a [f64],
    normal: Vec<bool>,
    w_all: f64,
    dispersion: f64,
}

impl<'a> Model<'a> {
    fn of(exposure: &'a [f64], scan: &Scan) -> Model<'a> {
        let mut normal = vec![true; exposure.len()];
        for m in scan.bursts.iter().filter(|m| !m.periodic) {
            for x in normal.iter_mut().take(m.end).skip(m.start) {
                *x = false;
            }
        }
        Model {
            exposure,
            normal,
            w_all: exposure.iter().sum(),
            dispersion: scan.dispersion,
        }
    }

    /// Whether burst `b` (found under another model) is also a burst under this one:
    /// `min_count`, `min_factor` and the `G` a window of its length needs, against the
    /// normal region outside this model's bursts and outside the window.
    fn confirm(&self, b: &Burst, counts: &[u64], p: &BurstParams) -> Option<Confirmed> {
        let (mut cn, mut wn) = (0f64, 0f64);
        for i in (0..counts.len().min(self.normal.len()))
            .filter(|&i| self.normal[i] && (i < b.start || i >= b.end))
        {
            cn += counts[i] as f64;
            wn += self.exposure[i];
        }
        if wn < MIN_OUTSIDE_SHARE * self.w_all {
            return None;
        }
        let c: u64 = counts[b.start..b.end].iter().sum();
        let cf = c as f64;
        let w_in: f64 = self.exposure[b.start..b.end].iter().sum();
        let rate = normal_rate(cn, wn, self.w_all).0;
        let g = two_sample_g(cf, w_in, cn, wn) / self.dispersion;
        (c >= p.min_count && cf >= p.min_factor * rate * w_in && g >= g_needed(p, b.end - b.start))
            .then_some(Confirmed {
                rate,
                expected: rate * w_in,
                g,
            })
    }
}

/// Quasi-Poisson dispersion from the robust spread of Pearson residuals of normal buckets.
fn dispersion(counts: &[u64], exposure: &[f64], rate: f64, excluded: &[bool]) -> f64 {
    let mut expected: Vec<f64> = Vec::new();
    let mut resid: Vec<f64> = Vec::new();
    for i in 0..counts.len() {
        if excluded[i] {
            continue;
        }
        let e = rate * exposure[i];
        if e > 0.0 {
            expected.push(e);
            resid.push((counts[i] as f64 - e) / e.sqrt());
        }
    }
    if expected.len() < 8 || median(&mut expected) < 2.0 {
        return 1.0;
    }
    let med = median(&mut resid.clone());
    let mut dev: Vec<f64> = resid.iter().map(|r| (r - med).abs()).collect();
    let mad = median(&mut dev);
    (1.4826 * mad).powi(2).clamp(1.0, 100.0)
}

pub(crate) fn median(v: &mut [f64]) -> f64 {
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

/// Greedy search for the best non-overlapping windows (primary, then secondary clusters).
///
/// Each window is compared with the *normal region*: the buckets not `excluded` (not in a
/// burst found in the previous round) and not in the window itself — so in the first round a
/// window is judged against everything outside it, and a level shift over most of the series
/// does not hide in the average. The normal region must hold at least a tenth of the exposure.
fn find_windows(
    counts: &[u64],
    exposure: &[f64],
    excluded: &[bool],
    phi: f64,
    p: &BurstParams,
) -> Vec<Burst> {
    let n = counts.len();
    // Prefix sums of counts and exposure over the normal buckets only.
    let mut pc = vec![0u64; n + 1];
    let mut pcn = vec![0u64; n + 1];
    let mut pwn = vec![0f64; n + 1];
    for i in 0..n {
        pc[i + 1] = pc[i] + counts[i];
        let keep = !excluded[i];
        pcn[i + 1] = pcn[i] + if keep { counts[i] } else { 0 };
        pwn[i + 1] = pwn[i] + if keep { exposure[i] } else { 0.0 };
    }
    let mut pw = vec![0f64; n + 1];
    for i in 0..n {
        pw[i + 1] = pw[i] + exposure[i];
    }
    let (cn_all, wn_all, w_all, c_all) = (pcn[n] as f64, pwn[n], pw[n], pc[n] as f64);
    // Normal region of window [a, b): (count, exposure), if large enough.
    let normal = |a: usize, b: usize| {
        let c = cn_all - (pcn[b] - pcn[a]) as f64;
        let w = wn_all - (pwn[b] - pwn[a]);
        (w >= MIN_OUTSIDE_SHARE * w_all).then_some((c, w))
    };
    let global = normal_rate(cn_all, wn_all, w_all).0;
    // A best window starts and ends on a bucket above the normal level (trimming a bucket at
    // or below it never helps), so only those are tried as edges.
    let edges: Vec<usize> = (0..n)
        .filter(|&i| counts[i] > 0 && counts[i] as f64 > global * exposure[i])
        .collect();
    let mut used = vec![false; n];
    let mut bursts: Vec<Burst> = Vec::new();
    while bursts.len() < p.max_bursts {
        let mut best: Option<(f64, f64, usize, usize, f64)> = None;
        for (ai, &a) in edges.iter().enumerate() {
            if used[a] {
                continue;
            }
            for &b in &edges[ai..] {
                if used[b] {
                    // Windows cannot cross an accepted burst.
                    break;
                }
                let c = pc[b + 1] - pc[a];
                if c < p.min_count {
                    continue;
                }
                let Some((cn, wn)) = normal(a, b + 1) else {
                    continue;
                };
                let cf = c as f64;
                let w_in = pw[b + 1] - pw[a];
                let rate = normal_rate(cn, wn, w_all).0;
                if cf < p.min_factor * rate * w_in {
                    continue;
                }
                let g = two_sample_g(cf, w_in, cn, wn) / phi;
                if g < g_needed(p, b + 1 - a) {
                    continue;
                }
                // Which qualifying window: the one most unlike the *whole* rest of the series
                // (Kulldorff's scan statistic), so a window spanning several separate runs
                // loses to a single run.
                let k = two_sample_g(cf, w_in, c_all - cf, w_all - w_in);
                if best.is_none_or(|(bk, _, _, _, _)| k > bk) {
                    best = Some((k, g, a, b + 1, rate));
                }
            }
        }
        let Some((_, g, a, b, rate)) = best else {
            break;
        };
        let peak = (a..b)
            .max_by(|&x, &y| {
                let rx = counts[x] as f64 / (rate * exposure[x]).max(1e-12);
                let ry = counts[y] as f64 / (rate * exposure[y]).max(1e-12);
                counts[x]
                    .cmp(&counts[y])
                    .then(rx.total_cmp(&ry))
                    .then(y.cmp(&x))
            })
            .unwrap_or(a);
        for u in used.iter_mut().take(b).skip(a) {
            *u = true;
        }
        bursts.push(Burst {
            start: a,
            end: b,
            peak,
            count: pc[b] - pc[a],
            expected: rate * (pw[b] - pw[a]),
            g,
            periodic: false,
            recurrent: false,
            alt_rate: None,
        });
    }
    bursts
}

/// Share of the exposure a window must leave outside when judged against the outside rate.
const MIN_OUTSIDE_SHARE: f64 = 0.1;

/// Smallest schedule period, in buckets: with a tolerance of ±1 bucket, shorter periods would
/// let random gaps look regular.
const MIN_PERIOD: f64 = 6.0;
/// Share of gaps that must fit the schedule.
const REGULAR_SHARE: f64 = 0.8;

/// How far from their median the sizes of one family (a schedule's runs, a template's usual
/// clumps) may lie, either way; a member this many times the median is the one that went wrong.
pub const FAMILY_RATIO: f64 = 3.0;

/// Whether a size `c` belongs with a family of median size `med` (see [`FAMILY_RATIO`]).
pub fn same_size(c: f64, med: f64) -> bool {
    c >= med / FAMILY_RATIO && c <= med * FAMILY_RATIO
}

/// Marks bursts that belong to a regular schedule; returns whether one was found.
///
/// The schedule is looked for in the *episodes* of the series (runs of consecutive non-empty
/// buckets), not only in the bursts: an hourly job whose runs vary in size has some runs too
/// small to be bursts, yet all of them recur on the hour. Episodes within 3× of their median
/// size form the family; it is a schedule when it has at least 3 episodes and at least 80 %
/// of the gaps between their onsets are within ±max(1 bucket, 10 %) of a multiple of one
/// period (the smallest gap, of at least 6 buckets, that fits). A burst is periodic when it
/// overlaps an episode of the family and is no more than 3× the family's median size.
pub fn mark_periodic(bursts: &mut [Burst], counts: &[u64]) -> bool {
    if bursts.is_empty() {
        return false;
    }
    // Episodes: (start, end, count).
    let mut eps: Vec<(usize, usize, u64)> = Vec::new();
    let mut i = 0;
    while i < counts.len() {
        if counts[i] == 0 {
            i += 1;
            continue;
        }
        let s = i;
        let mut c = 0;
        while i < counts.len() && counts[i] > 0 {
            c += counts[i];
            i += 1;
        }
        eps.push((s, i, c));
    }
    if eps.len() < 3 {
        return false;
    }
    let mut sizes: Vec<f64> = eps.iter().map(|e| e.2 as f64).collect();
    let med = median(&mut sizes);
    let family: Vec<&(usize, usize, u64)> =
        eps.iter().filter(|e| same_size(e.2 as f64, med)).collect();
    if family.len() < 3 {
        return false;
    }
    let gaps: Vec<f64> = family
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) as f64)
        .collect();
    let mut candidates: Vec<f64> = gaps.iter().copied().filter(|&g| g >= MIN_PERIOD).collect();
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    let fits = |period: f64| {
        let tol = (period / 10.0).max(1.0);
        gaps.iter()
            .filter(|&&g| {
                let k = (g / period).round().max(1.0);
                (g - k * period).abs() <= tol
            })
            .count() as f64
            >= REGULAR_SHARE * gaps.len() as f64
    };
    if !candidates.iter().take(32).any(|&p| fits(p)) {
        return false;
    }
    let mut any = false;
    for b in bursts.iter_mut() {
        let on_schedule = family.iter().any(|e| e.0 < b.end && b.start < e.1);
        if on_schedule && (b.count as f64) <= med * FAMILY_RATIO {
            b.periodic = true;
            any = true;
        }
    }
    any
}

/// Fewest similar bursts that make a template's bursts its habit rather than an incident.
const RECURRENT_MIN_BURSTS: usize = 3;
/// Least share of the series the similar bursts must span (first onset to last end).
const RECURRENT_MIN_SPAN: f64 = 1.0 / 3.0;

/// What [`mark_recurrent`] found: how many similar bursts, and their median size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recurrence {
    pub bursts: usize,
    pub median_count: f64,
}

/// Marks the bursts of a template that comes in irregular clumps: at least 3 non-periodic
/// bursts within 3× of their median size, spread over at least a third of the series
/// (`len` buckets). Such a template has shown several times in the same log that a clump of
/// this size is what it does; no one of them is news, whatever the rate between clumps. A
/// burst more than 3× the family's median stays unmarked (the clump that went wrong), as for
/// schedules in [`mark_periodic`]. Bursts packed into a shorter stretch stay unmarked too:
/// an error that flaps three times within an hour of a day-long log is one incident, not a
/// habit. Returns the family when one was found.
pub fn mark_recurrent(bursts: &mut [Burst], len: usize) -> Option<Recurrence> {
    let mut sizes: Vec<f64> = bursts
        .iter()
        .filter(|b| !b.periodic)
        .map(|b| b.count as f64)
        .collect();
    if sizes.len() < RECURRENT_MIN_BURSTS {
        return None;
    }
    let med = median(&mut sizes);
    let similar = |b: &Burst| !b.periodic && same_size(b.count as f64, med);
    let family: Vec<&Burst> = bursts.iter().filter(|b| similar(b)).collect();
    let first = family.iter().map(|b| b.start).min()?;
    let last = family.iter().map(|b| b.end).max()?;
    if family.len() < RECURRENT_MIN_BURSTS
        || ((last - first) as f64) < RECURRENT_MIN_SPAN * len as f64
    {
        return None;
    }
    let found = Recurrence {
        bursts: family.len(),
        median_count: med,
    };
    for b in bursts.iter_mut().filter(|b| similar(b)) {
        b.recurrent = true;
    }
    Some(found)
}

/// Poisson CUSUM change-point refinement (Page 1954; reference value for Poisson counts from
/// Lucas 1985, "Counted data CUSUMs", Technometrics 27(2)): given fine-grained counts and
/// their normal and burst expectations per bucket, returns `(onset, end)` as bucket indexes
/// (`end` exclusive) of the most likely abnormal stretch.
///
/// The forward CUSUM `S_i = max(0, S_{i−1} + c_i − k_i)` with
/// `k_i = (λ1_i − λ0_i) / ln(λ1_i / λ0_i)` rises through the burst; the onset is the bucket
/// after its last zero before the maximum. The end is found the same way backwards.
pub fn refine(counts: &[u64], normal: &[f64], burst: &[f64]) -> Option<(usize, usize)> {
    let n = counts.len().min(normal.len()).min(burst.len());
    if n == 0 {
        return None;
    }
    let k: Vec<f64> = (0..n)
        .map(|i| {
            let (l0, l1) = (normal[i].max(1e-12), burst[i].max(1e-12));
            if l1 > l0 * 1.000_001 {
                (l1 - l0) / (l1 / l0).ln()
            } else {
                l0
            }
        })
        .collect();
    let mut s = 0.0f64;
    let mut best = (0.0f64, 0usize);
    let mut last_zero = 0usize; // onset candidate for the running stretch
    let mut onset = None;
    for i in 0..n {
        if s <= 0.0 {
            last_zero = i;
        }
        s = (s + counts[i] as f64 - k[i]).max(0.0);
        if s > best.0 {
            best = (s, i);
            onset = Some(last_zero);
        }
    }
    let onset = onset?;
    let mut t = 0.0f64;
    let mut best_t = (0.0f64, n);
    let mut last_zero_t = n;
    let mut end = None;
    for i in (onset..n).rev() {
        if t <= 0.0 {
            last_zero_t = i + 1;
        }
        t = (t + counts[i] as f64 - k[i]).max(0.0);
        if t > best_t.0 {
            best_t = (t, i);
            end = Some(last_zero_t);
        }
    }
    let end = end.unwrap_or(best.1 + 1).max(onset + 1);
    // The onset is the first bucket with events at or after the change point.
    let onset = (onset..end).find(|&i| counts[i] > 0).unwrap_or(onset);
    Some((onset, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(n: usize) -> Vec<f64> {
        vec![1.0; n]
    }

    #[test]
    fn finds_a_sparse_burst_of_a_rare_template() {
        // ~1 event per 9 buckets normally, then 16 events over 6 buckets.
        let mut c = vec![0u64; 288];
        for i in (0..288).step_by(9) {
            c[i] = 1;
        }
        for (k, v) in [3, 2, 4, 1, 3, 3].iter().enumerate() {
            c[100 + k] = *v;
        }
        let s = scan(&c, &flat(288), &BurstParams::default());
        assert_eq!(s.bursts.len(), 1, "{s:?}");
        let b = &s.bursts[0];
        assert!(b.start >= 99 && b.start <= 100, "{b:?}");
        assert!(b.end >= 106 && b.end <= 107, "{b:?}");
        assert!(b.factor() > 10.0);
        assert!(!b.periodic);
    }

    #[test]
    fn a_level_before_the_template_stopped_is_no_rise() {
        // Steady 3 per bucket for the first 40% (from the first bucket, or from the 4th as a
        // sparse template's first event comes late), then silent: the scan finds the steady
        // part against the silence, but nothing came before it to rise from.
        for lead in [0, 3] {
            let mut c = vec![0u64; 200];
            for x in c.iter_mut().take(80).skip(lead) {
                *x = 3;
            }
            let p = BurstParams::default();
            let s = scan(&c, &flat(200), &p);
            assert!(!s.bursts.is_empty(), "{s:?}");
            for b in &s.bursts {
                assert!(!rose_from_before(&c, &flat(200), &s, b, &p), "{b:?}");
            }
        }
        // The same level from the middle on, and as a burst that ends, did rise.
        let mut late = vec![0u64; 200];
        for x in late.iter_mut().skip(120) {
            *x = 3;
        }
        let mut mid = vec![0u64; 200];
        for x in mid.iter_mut().take(100).skip(80) {
            *x = 3;
        }
        // (A quiet stretch as short as the lead above does not make a rise either.)
        let mut early = vec![0u64; 200];
        for x in early.iter_mut().take(60).skip(4) {
            *x = 3;
        }
        for (c, rose) in [(late, true), (mid, true), (early, false)] {
            let p = BurstParams::default();
            let s = scan(&c, &flat(200), &p);
            assert_eq!(s.bursts.len(), 1, "{s:?}");
            assert_eq!(
                rose_from_before(&c, &flat(200), &s, &s.bursts[0], &p),
                rose,
                "{s:?}"
            );
        }
    }

    /// A rare template (1 event per 9 buckets) with clumps of `sizes` starting at `at`.
    fn clumps(at: &[usize], sizes: &[u64]) -> Vec<u64> {
        let mut c = vec![0u64; 288];
        for i in (0..288).step_by(9) {
            c[i] = 1;
        }
        for (&a, &n) in at.iter().zip(sizes) {
            // n events over 5 buckets.
            for k in 0..5 {
                c[a + k] += n / 5 + u64::from((k as u64) < n % 5);
            }
        }
        c
    }

    fn scan_recurrent(c: &[u64]) -> (Scan, Option<Recurrence>) {
        let mut s = scan(c, &flat(c.len()), &BurstParams::default());
        let r = mark_recurrent(&mut s.bursts, c.len());
        (s, r)
    }

    #[test]
    fn similar_clumps_spread_over_the_series_are_recurrent() {
        // Irregular spacing: not a schedule, but the same size of clump four times in a day.
        let (s, r) = scan_recurrent(&clumps(&[20, 95, 150, 260], &[18, 22, 15, 20]));
        assert_eq!(s.bursts.len(), 4, "{s:?}");
        assert!(!s.periodic);
        assert_eq!(r.map(|r| r.bursts), Some(4), "{r:?}");
        assert!(s.bursts.iter().all(|b| b.recurrent), "{s:?}");
    }

    #[test]
    fn clumps_packed_together_are_one_incident_not_a_habit() {
        // Three flaps within 85 buckets of a 288-bucket series (a third is 96).
        let (s, r) = scan_recurrent(&clumps(&[150, 190, 230], &[18, 22, 15]));
        assert_eq!(s.bursts.len(), 3, "{s:?}");
        assert_eq!(r, None);
        assert!(s.bursts.iter().all(|b| !b.recurrent));
    }

    #[test]
    fn an_outsized_clump_stands_out_of_recurrent_ones() {
        let (s, r) = scan_recurrent(&clumps(&[20, 95, 150, 260], &[18, 22, 120, 20]));
        let r = r.unwrap_or_else(|| panic!("no recurrence in {s:?}"));
        assert_eq!(r.bursts, 3);
        let odd: Vec<&Burst> = s.bursts.iter().filter(|b| !b.recurrent).collect();
        assert_eq!(odd.len(), 1, "{s:?}");
        assert!(odd[0].start >= 149 && odd[0].start <= 150, "{:?}", odd[0]);
    }

    #[test]
    fn two_clumps_are_not_yet_a_habit() {
        let (s, r) = scan_recurrent(&clumps(&[20, 260], &[18, 22]));
        assert_eq!(s.bursts.len(), 2, "{s:?}");
        assert_eq!(r, None);
    }

    #[test]
    fn steady_frequent_template_is_not_a_spike() {
        // A frequent template with over-dispersed noise (±30 %).
        let c: Vec<u64> = (0..300u64).map(|i| 100 + (i * 7919 % 61) - 30).collect();
        let s = scan(&c, &flat(300), &BurstParams::default());
        assert!(s.bursts.is_empty(), "{s:?}");
    }

    #[test]
    fn rare_template_going_to_three_is_not_a_spike() {
        let mut c = vec![0u64; 200];
        c[150] = 3;
        let s = scan(&c, &flat(200), &BurstParams::default());
        assert!(s.bursts.is_empty());
    }

    #[test]
    fn one_bucket_flood_is_not_smeared() {
        let mut c = vec![10u64; 200];
        c[77] = 400;
        let s = scan(&c, &flat(200), &BurstParams::default());
        assert_eq!(s.bursts.len(), 1);
        assert_eq!((s.bursts[0].start, s.bursts[0].end), (77, 78));
        assert!((s.rate - 10.0).abs() < 0.5, "{}", s.rate);
    }

    #[test]
    fn hourly_cron_bursts_are_periodic() {
        let mut c = vec![0u64; 288];
        for h in 0..24 {
            c[h * 12] = 90 + (h as u64 * 13) % 20;
        }
        let s = scan(&c, &flat(288), &BurstParams::default());
        assert!(s.bursts.len() >= 20, "{}", s.bursts.len());
        assert!(s.periodic);
        assert!(s.bursts.iter().all(|b| b.periodic));
    }

    #[test]
    fn an_outsized_cron_run_still_stands_out() {
        let mut c = vec![0u64; 288];
        for h in 0..24 {
            c[h * 12] = 100;
        }
        c[5 * 12] = 2_000;
        let s = scan(&c, &flat(288), &BurstParams::default());
        assert!(s.periodic);
        let odd: Vec<&Burst> = s.bursts.iter().filter(|b| !b.periodic).collect();
        assert_eq!(odd.len(), 1);
        assert_eq!(odd[0].start, 60);
    }

    #[test]
    fn exposure_absorbs_the_daily_traffic_curve() {
        // Template at a constant 2 % share of traffic that varies 100-fold over the day.
        let traffic: Vec<u64> = (0..288)
            .map(|i| {
                let x = (i as f64 / 288.0 * std::f64::consts::TAU).cos();
                (505.0 - 495.0 * x) as u64
            })
            .collect();
        let own: Vec<u64> = traffic.iter().map(|t| t / 50).collect();
        let others: Vec<u64> = traffic.iter().zip(&own).map(|(t, o)| t - o).collect();
        let w = crate::detect::timeline::exposure(&others, 300_000);
        let s = scan(&own, &w, &BurstParams::default());
        assert!(s.bursts.is_empty(), "{:?}", s.bursts);
    }

    #[test]
    fn clock_driven_template_is_not_a_night_burst() {
        // A timer logging 2 lines per bucket around the clock, while traffic drops tenfold at
        // night: against traffic alone the night looks like a burst, against time it is flat.
        let traffic: Vec<u64> = (0..288)
            .map(|i| if (60..120).contains(&i) { 50 } else { 500 })
            .collect();
        let own = vec![2u64; 288];
        let w_traffic = crate::detect::timeline::exposure(&traffic, 300_000);
        let w_time = vec![300_000.0; 288];
        assert!(!scan(&own, &w_traffic, &BurstParams::default())
            .bursts
            .is_empty());
        assert!(
            scan_both(&own, &w_traffic, &w_time, &BurstParams::default())
                .bursts
                .is_empty()
        );
        // A real burst survives both.
        let mut own = own;
        own[200] = 60;
        let s = scan_both(&own, &w_traffic, &w_time, &BurstParams::default());
        assert_eq!(s.bursts.len(), 1);
        assert_eq!(s.bursts[0].start, 200);
    }

    #[test]
    fn a_burst_swallowed_by_a_night_window_is_still_found() {
        // A replica timeout around the clock (~1 an hour) with 11 in the half hour from bucket
        // 100 (08:20), under a day's traffic curve (quiet nights). Against the traffic the
        // night and morning up to the burst are one long window (the events at night are
        // many for so little traffic), which the clock does not confirm, and which used to
        // hide the burst inside it; the clock model's own scan finds the burst.
        let hourly = [
            1571u64, 1206, 1007, 996, 1236, 1643, 2353, 3055, 3997, 4765, 5718, 7080, 8260, 8330,
            7976, 7747, 7470, 6856, 6367, 5802, 4845, 3983, 3047, 2231,
        ];
        let traffic: Vec<u64> = (0..288).map(|i| hourly[i / 12] / 12).collect();
        let mut own = vec![0u64; 288];
        for i in [
            4, 5, 19, 26, 36, 37, 44, 46, 54, 64, 67, 73, 83, 86, 87, 91, 94, 158, 162, 164, 168,
            183, 184, 187, 216, 220, 223, 235,
        ] {
            own[i] += 1;
        }
        for (k, v) in [1, 1, 1, 2, 0, 3, 3].iter().enumerate() {
            own[100 + k] += v;
        }
        let others: Vec<u64> = traffic.iter().zip(&own).map(|(t, o)| t - o).collect();
        let w_traffic = crate::detect::timeline::exposure(&others, 300_000);
        let w_time = vec![300_000.0; 288];
        let s = scan_both(&own, &w_traffic, &w_time, &BurstParams::default());
        assert_eq!(s.bursts.len(), 1, "{s:?}");
        let b = &s.bursts[0];
        assert!(
            (99..=101).contains(&b.start) && (105..=108).contains(&b.end),
            "{b:?}"
        );
        assert!(b.alt_rate.is_some());
    }

    #[test]
    fn overlapping_windows_keep_the_one_both_models_support() {
        // A generated day (seed 6) where the replica's background timeouts happened to be
        // more frequent at night than by day, with the half-hour burst at bucket 100
        // (08:20). Against the traffic, the whole night up to the burst is one window, which
        // the clock also passes (the burst is in it); the clock's own window is the burst,
        // which both models see far more clearly. The onset must be 08:20, not midnight.
        let hourly = [
            960u64, 715, 607, 575, 748, 927, 1410, 1730, 2095, 2841, 3392, 4059, 4939, 4402, 4374,
            4455, 4211, 4170, 3737, 3348, 2825, 2244, 1668, 1282,
        ];
        let others: Vec<u64> = (0..288).map(|i| hourly[i / 12] / 12).collect();
        let mut own = vec![0u64; 288];
        for (i, c) in [
            (8, 1),
            (9, 1),
            (11, 1),
            (16, 1),
            (20, 1),
            (22, 2),
            (24, 1),
            (27, 1),
            (28, 1),
            (35, 1),
            (39, 1),
            (43, 1),
            (63, 1),
            (68, 1),
            (71, 1),
            (77, 1),
            (81, 1),
            (88, 3),
            (92, 1),
            (100, 1),
            (101, 5),
            (102, 1),
            (103, 2),
            (104, 4),
            (105, 5),
            (106, 3),
            (109, 1),
            (110, 1),
            (121, 1),
            (129, 1),
            (142, 1),
            (148, 1),
            (155, 1),
            (158, 1),
            (167, 1),
            (186, 1),
            (199, 1),
            (207, 1),
            (223, 1),
            (230, 1),
            (248, 1),
            (258, 1),
            (259, 1),
            (284, 1),
        ] {
            own[i] = c;
        }
        let w_traffic = crate::detect::timeline::exposure(&others, 300_000);
        let w_time = vec![300_000.0; 288];
        let s = scan_both(&own, &w_traffic, &w_time, &BurstParams::default());
        let b = s.bursts.iter().find(|b| b.start <= 105 && b.end > 100);
        assert!(
            b.is_some_and(|b| (99..=101).contains(&b.start) && (106..=108).contains(&b.end)),
            "{s:?}"
        );
    }

    #[test]
    fn cusum_refines_the_onset() {
        // Normal 0.02 per minute; burst 0.6 per minute from minute 50 to 80; one stray
        // event at minute 40.
        let mut c = vec![0u64; 120];
        c[40] = 1;
        for i in (50..80).step_by(2) {
            c[i] = 1;
        }
        c[51] = 1;
        let normal = vec![0.02; 120];
        let burst = vec![0.6; 120];
        let (on, end) = refine(&c, &normal, &burst).unwrap();
        assert_eq!(on, 50);
        assert!((78..=81).contains(&end), "{end}");
    }

    #[test]
    fn g_statistic() {
        assert_eq!(poisson_g(1.0, 2.0), 0.0);
        assert!(poisson_g(16.0, 0.67) > 60.0);
        assert!(poisson_g(3.0, 1.0) < 5.0);
    }
}
