//! Comparing two log sets (baseline vs current): templates new, gone, increased, decreased.
//!
//! In: both summaries and their templates *clustered together* (`detect::pair::joint_templates`,
//! so one template has one id on both sides). Out: a [`DiffReport`] with one [`DiffRow`] per
//! template, sorted by significance.
//!
//! Counts are normalised by each side's exposure: hours of log time (from first to last
//! timestamp, at least one bucket) when both sides are mostly timestamped, else thousands of
//! events. The significance of a change is the log-likelihood ratio G-test of the two counts
//! given the exposures (Sokal & Rohlf, *Biometry*, G-test of goodness of fit; equivalently
//! the conditional binomial test of `c₂` out of `c₁ + c₂` with `p = E₂/(E₁+E₂)`, large-sample
//! form): `G = 2 Σ cᵢ ln(cᵢ / êᵢ)`, `êᵢ = (c₁ + c₂) Eᵢ / (E₁ + E₂)`, with its χ²(1) p-value.
//! A template going from 1 to 2 events has G ≈ 0.3 (p ≈ 0.6): not news.
//!
//! A row is `increased`/`decreased` when the rate changed at least `min_factor` times *and*
//! `G ≥ min_g` (default 10.83, p < 0.001); `new`/`gone` when one side has no event at all
//! (still ranked by G, so a single new line sinks to the bottom); else `unchanged`.

use serde::Serialize;

use super::{Finding, FindingKind};
use crate::record::Level;
use crate::summary::templates::{TemplateStats, Templates};
use crate::summary::{Example, Summary};

/// Thresholds of [`compare`].
#[derive(Clone, Copy, Debug)]
pub struct DiffConfig {
    pub min_factor: f64,
    pub min_g: f64,
}

impl Default for DiffConfig {
    fn default() -> Self {
        DiffConfig {
            min_factor: 2.0,
            min_g: 10.83,
        }
    }
}

/// What happened to a template between the two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Gone,
    Increased,
    Decreased,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Gone => "gone",
            Change::Increased => "increased",
            Change::Decreased => "decreased",
            Change::Unchanged => "unchanged",
        }
    }
}

/// Unit the rates are given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    PerHour,
    PerThousandEvents,
}

impl RateUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            RateUnit::PerHour => "per hour",
            RateUnit::PerThousandEvents => "per 1000 events",
        }
    }
}

/// One template compared across the two sides.
#[derive(Clone, Debug, Serialize)]
pub struct DiffRow {
    pub id: String,
    pub template: String,
    pub change: Change,
    pub base_count: u64,
    pub count: u64,
    pub base_rate: f64,
    pub rate: f64,
    /// `rate / base_rate`; None for new templates.
    pub factor: Option<f64>,
    /// G statistic (significance; larger is more significant).
    pub g: f64,
    pub p_value: f64,
    pub level: Option<Level>,
    pub first_seen: Option<i64>,
    pub examples: Vec<Example>,
    pub before_first: Option<Example>,
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    pub unit: RateUnit,
    /// Exposure of each side in `unit`s (hours, or thousands of events).
    pub base_exposure: f64,
    pub exposure: f64,
    pub base_events: u64,
    pub events: u64,
    /// All templates, most significant first.
    pub rows: Vec<DiffRow>,
}

/// Share of events that must carry a timestamp on both sides for per-hour rates.
const TIMED_SHARE: f64 = 0.5;

fn exposure_hours(sum: &Summary) -> Option<f64> {
    let (a, b) = (sum.time_min?, sum.time_max?);
    if sum.events == 0 || ((sum.events - sum.untimed) as f64) < TIMED_SHARE * sum.events as f64 {
        return None;
    }
    Some(((b - a).max(sum.resolution_ms)) as f64 / 3_600_000.0)
}

/// G statistic of counts `c1`, `c2` observed with exposures `e1`, `e2`.
pub fn g_test(c1: u64, e1: f64, c2: u64, e2: f64) -> f64 {
    let n = (c1 + c2) as f64;
    if n == 0.0 || e1 <= 0.0 || e2 <= 0.0 {
        return 0.0;
    }
    let x1 = n * e1 / (e1 + e2);
    let x2 = n * e2 / (e1 + e2);
    let term = |c: u64, x: f64| {
        if c == 0 {
            0.0
        } else {
            c as f64 * (c as f64 / x).ln()
        }
    };
    (2.0 * (term(c1, x1) + term(c2, x2))).max(0.0)
}

/// Upper tail of χ² with one degree of freedom: `erfc(√(G/2))`.
pub fn chi2_1_sf(g: f64) -> f64 {
    erfc((g.max(0.0) / 2.0).sqrt())
}

/// Complementary error function (Numerical Recipes `erfcc`, fractional error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Compares `cur` against `base`; both template sets must come from one joint clustering.
pub fn compare(
    base: &Summary,
    base_t: &Templates,
    cur: &Summary,
    cur_t: &Templates,
    cfg: &DiffConfig,
) -> DiffReport {
    let (unit, e1, e2) = match (exposure_hours(base), exposure_hours(cur)) {
        (Some(a), Some(b)) => (RateUnit::PerHour, a, b),
        _ => (
            RateUnit::PerThousandEvents,
            (base.events.max(1)) as f64 / 1000.0,
            (cur.events.max(1)) as f64 / 1000.0,
        ),
    };
    let base_by_id: rustc_hash::FxHashMap<&str, &TemplateStats> =
        base_t.list.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
    let mut rows = Vec::new();
    let mut push = |b: Option<&TemplateStats>, c: Option<&TemplateStats>| {
        let (c1, c2) = (b.map_or(0, |t| t.count), c.map_or(0, |t| t.count));
        if c1 == 0 && c2 == 0 {
            return;
        }
        let Some(any) = c.filter(|t| t.count > 0).or(b) else {
            return;
        };
        let (r1, r2) = (c1 as f64 / e1, c2 as f64 / e2);
        let factor = (c1 > 0).then(|| r2 / r1);
        let g = g_test(c1, e1, c2, e2);
        let change = if c1 == 0 {
            Change::New
        } else if c2 == 0 {
            Change::Gone
        } else if g >= cfg.min_g && r2 >= cfg.min_factor * r1 {
            Change::Increased
        } else if g >= cfg.min_g && r2 * cfg.min_factor <= r1 {
            Change::Decreased
        } else {
            Change::Unchanged
        };
        let level = [b.and_then(|t| t.max_level()), c.and_then(|t| t.max_level())]
            .into_iter()
            .flatten()
            .max();
        rows.push(DiffRow {
            id: any.id.clone(),
            template: any.text.clone(),
            change,
            base_count: c1,
            count: c2,
            base_rate: r1,
            rate: r2,
            factor,
            g,
            p_value: chi2_1_sf(g),
            level,
            first_seen: c.and_then(|t| t.first_time),
            examples: any.examples.clone(),
            before_first: c.filter(|_| c1 == 0).and_then(|t| t.before_first.clone()),
        });
    };
    for t in &cur_t.list {
        seen.insert(t.id.as_str());
        push(base_by_id.get(t.id.as_str()).copied(), Some(t));
    }
    for t in &base_t.list {
        if !seen.contains(t.id.as_str()) {
            push(Some(t), None);
        }
    }
    rows.sort_by(|a, b| {
        b.g.total_cmp(&a.g)
            .then_with(|| a.change.cmp(&b.change))
            .then_with(|| a.id.cmp(&b.id))
    });
    DiffReport {
        unit,
        base_exposure: e1,
        exposure: e2,
        base_events: base.events,
        events: cur.events,
        rows,
    }
}

impl DiffRow {
    /// The row as a ranked finding (None for unchanged templates).
    pub fn to_finding(&self, unit: RateUnit) -> Option<Finding> {
        let warnish = self.level.is_some_and(|l| l >= Level::Warn);
        let kind = match self.change {
            Change::New if warnish => FindingKind::NewError,
            Change::New | Change::Increased => FindingKind::Increased,
            Change::Gone | Change::Decreased => FindingKind::Decreased,
            Change::Unchanged => return None,
        };
        let title = match self.change {
            Change::New => format!("New: {}", crate::report::ellipsize(&self.template, 120)),
            Change::Gone => format!("Gone: {}", crate::report::ellipsize(&self.template, 120)),
            _ => format!(
                "{} ×{:.1}: {}",
                if self.change == Change::Increased {
                    "Increased"
                } else {
                    "Decreased"
                },
                self.factor.unwrap_or(0.0),
                crate::report::ellipsize(&self.template, 120)
            ),
        };
        let mut f = Finding::new(kind, title);
        f.template = Some(self.template.clone());
        f.template_id = Some(self.id.clone());
        f.count = match self.change {
            Change::Gone | Change::Decreased => self.base_count,
            _ => self.count,
        };
        // Finding rates are per minute (time) or per 1,000 events.
        let scale = if unit == RateUnit::PerHour {
            1.0 / 60.0
        } else {
            1.0
        };
        f.rate = Some(self.rate * scale);
        f.baseline_rate = Some(self.base_rate * scale);
        // A gone template's factor is unbounded (its rate fell to 0): null, like a new
        // one's, and scored as a new one would be (factor 8) rather than as ×1e9.
        f.factor = match self.change {
            Change::Decreased => self.factor.filter(|&x| x > 0.0).map(|x| 1.0 / x),
            Change::Gone => None,
            _ => self.factor,
        };
        f.start = self.first_seen.filter(|_| self.change == Change::New);
        f.examples = self.examples.clone();
        f.before_first = self.before_first.clone();
        f.details
            .insert("change".into(), self.change.as_str().into());
        f.details
            .insert("base_count".into(), self.base_count.into());
        f.details.insert("count".into(), self.count.into());
        f.details
            .insert("g_statistic".into(), serde_json::json!(self.g));
        f.details
            .insert("p_value".into(), serde_json::json!(self.p_value));
        f.details.insert("rate_unit".into(), unit.as_str().into());
        f.rescore(self.level);
        if self.change == Change::Gone {
            f.score = super::score(f.count, Some(super::NEW_FACTOR), false, self.level);
            f.severity = super::Severity::from_score(f.score);
        }
        if self.p_value > 0.01 {
            f.notes.push(format!(
                "not significant (p = {:.2}): few samples",
                self.p_value
            ));
            f.discount(0.5);
        }
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_two_is_not_news() {
        let g = g_test(1, 1.0, 2, 1.0);
        assert!(g < 1.0, "{g}");
        assert!(chi2_1_sf(g) > 0.5);
        let g = g_test(10, 1.0, 200, 1.0);
        assert!(g > 100.0);
        assert!(chi2_1_sf(g) < 1e-10);
    }

    fn row(change: Change, c1: u64, c2: u64, level: Option<Level>) -> DiffRow {
        let g = g_test(c1, 1.0, c2, 1.0);
        DiffRow {
            id: "x".into(),
            template: "t".into(),
            change,
            base_count: c1,
            count: c2,
            base_rate: c1 as f64,
            rate: c2 as f64,
            factor: (c1 > 0).then(|| c2 as f64 / c1 as f64),
            g,
            p_value: chi2_1_sf(g),
            level,
            first_seen: Some(5),
            examples: Vec::new(),
            before_first: None,
        }
    }

    #[test]
    fn rows_become_findings() {
        let f = row(Change::New, 0, 50, Some(Level::Error))
            .to_finding(RateUnit::PerHour)
            .unwrap();
        assert_eq!(f.kind, FindingKind::NewError);
        assert_eq!(f.start, Some(5));
        let f = row(Change::New, 0, 50, Some(Level::Info))
            .to_finding(RateUnit::PerHour)
            .unwrap();
        assert_eq!(f.kind, FindingKind::Increased);
        let f = row(Change::Decreased, 100, 10, None)
            .to_finding(RateUnit::PerHour)
            .unwrap();
        assert_eq!(f.kind, FindingKind::Decreased);
        assert!((f.factor.unwrap() - 10.0).abs() < 1e-9);
        assert!(row(Change::Unchanged, 10, 11, None)
            .to_finding(RateUnit::PerHour)
            .is_none());
        // A lone new line is weak: not significant, discounted.
        let weak = row(Change::New, 0, 1, Some(Level::Error))
            .to_finding(RateUnit::PerHour)
            .unwrap();
        let strong = row(Change::New, 0, 40, Some(Level::Error))
            .to_finding(RateUnit::PerHour)
            .unwrap();
        assert!(weak.notes.iter().any(|n| n.contains("not significant")));
        assert!(weak.score * 3.0 < strong.score);
    }

    #[test]
    fn a_gone_template_is_not_infinitely_many_times_rarer() {
        // 400 info heartbeats gone must not outrank 40 new errors (it scored ×1e9).
        let gone = row(Change::Gone, 400, 0, Some(Level::Info))
            .to_finding(RateUnit::PerHour)
            .unwrap();
        let new = row(Change::New, 0, 40, Some(Level::Error))
            .to_finding(RateUnit::PerHour)
            .unwrap();
        assert_eq!(gone.factor, None);
        assert_eq!(gone.count, 400);
        assert!(gone.score < new.score, "{} vs {}", gone.score, new.score);
        assert!(gone.score > 0.0);
    }

    #[test]
    fn exposure_matters() {
        // 10 in one hour vs 20 in two hours: same rate.
        assert!(g_test(10, 1.0, 20, 2.0) < 1e-9);
    }

    #[test]
    fn chi2_tail_matches_known_values() {
        assert!((chi2_1_sf(3.841) - 0.05).abs() < 1e-3);
        assert!((chi2_1_sf(10.83) - 0.001).abs() < 1e-4);
        assert!((chi2_1_sf(0.0) - 1.0).abs() < 1e-6);
    }
}
