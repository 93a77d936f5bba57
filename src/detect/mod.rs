//! Detection: reads summaries (never raw lines) and produces [`Finding`]s, each with its
//! evidence (counts, rates, window, examples) and a severity score.
//!
//! The score is one formula for every kind of finding, so that findings of different kinds
//! can be ranked in one list (see [`score`]).

pub mod burst;
pub mod diff;
pub mod endpoints;
pub mod group;
pub mod newerr;
pub mod pair;
pub mod spikes;
pub mod timeline;
pub mod untimed;

use serde::{Deserialize, Serialize};

use crate::record::Level;
use crate::summary::templates::Templates;
use crate::summary::{Example, Summary};

/// Parameters of the template and level detectors (spikes, new errors).
#[derive(Clone, Debug)]
pub struct DetectConfig {
    /// Display bucket width forced with `--bucket` (ms); None = automatic (60–300 buckets).
    pub bucket_ms: Option<i64>,
    /// Burst thresholds for single templates.
    pub spike: burst::BurstParams,
    /// Burst thresholds for the overall error rate (a doubling of all errors is news).
    pub error_rate: burst::BurstParams,
    /// Share of the window taken as warm-up for new-error detection without a baseline.
    pub warmup_fraction: f64,
    /// Most spikes reported per template.
    pub max_spikes_per_template: usize,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            bucket_ms: None,
            spike: burst::BurstParams::default(),
            error_rate: burst::BurstParams {
                min_factor: 2.0,
                ..burst::BurstParams::default()
            },
            warmup_fraction: 0.15,
            max_spikes_per_template: 3,
        }
    }
}

/// Templates of `cur` and all template and level findings, with an optional baseline: the
/// convenience entry for reports. With a baseline, both sides are clustered together (same
/// template ids, see [`pair::joint_templates`]); the returned templates are the current
/// side's (templates only in the baseline are listed with count 0).
pub fn analyze_summaries(
    cur: &Summary,
    baseline: Option<&Summary>,
    cluster: &crate::mine::ClusterConfig,
    cfg: &DetectConfig,
) -> (Templates, Vec<Finding>) {
    match baseline {
        None => {
            let t = crate::summary::templates::finalize(cur, cluster);
            let f = analyze(cur, &t, cfg, None);
            (t, f)
        }
        Some(base) => {
            let (bt, ct) = pair::joint_templates(base, cur, cluster);
            let f = analyze(cur, &ct, cfg, Some((base, &bt)));
            (ct, f)
        }
    }
}

/// All template and level findings (new errors, spikes, error-rate spikes, the errors of
/// logs without timestamps), ranked.
///
/// `baseline` templates must come from one joint clustering with `templates`
/// (`pair::joint_templates`), so that ids match. A spike that is just the arrival of a
/// template reported as new (onset within two display buckets, or the first tenth of the
/// time left, after its first sighting) is folded into the new-error finding rather than
/// reported twice.
pub fn analyze(
    sum: &Summary,
    templates: &Templates,
    cfg: &DetectConfig,
    baseline: Option<(&Summary, &Templates)>,
) -> Vec<Finding> {
    let mut out = newerr::find(sum, templates, cfg, baseline);
    let spikes = spikes::find(sum, templates, cfg, baseline);
    let tmax = sum.time_max.unwrap_or(i64::MAX);
    for s in spikes {
        // Only a template's own spike is its arrival; the overall error-rate spike stays,
        // even when one new template explains it (it names that template).
        let dup = s.kind == FindingKind::Spike
            && out.iter().any(|n| {
                n.template_id.is_some()
                    && n.template_id == s.template_id
                    && match (n.start, s.start, s.bucket_ms) {
                        (Some(first), Some(b), Some(w)) => {
                            b - first <= (2 * w).max((tmax.saturating_sub(first)) / 10)
                        }
                        _ => false,
                    }
            });
        if !dup {
            out.push(s);
        }
    }
    out.extend(untimed::find(sum, templates, baseline.is_some()));
    rank(&mut out);
    out
}

/// What kind of change a finding reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A warn-or-worse template never seen before (in the window's early part or the baseline).
    NewError,
    /// A template's rate bursts far above its own normal level.
    Spike,
    /// The overall error rate bursts above its normal level.
    ErrorRateSpike,
    /// A template much more frequent than in the baseline (diff).
    Increased,
    /// A template much less frequent than in the baseline, or gone (diff).
    Decreased,
    /// A route with a high or rising share of failing requests.
    FailingRoute,
    /// A route whose latency (p99) rose.
    LatencyRegression,
    /// Calls to an external host timing out or refused.
    UpstreamTimeout,
    /// An external host answering 429 / asking to retry later.
    RateLimited,
    /// An external host answering 5xx.
    UpstreamFailure,
    /// Error-or-worse templates of a log without timestamps, of unknown age.
    UntimedErrors,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::NewError => "new_error",
            FindingKind::Spike => "spike",
            FindingKind::ErrorRateSpike => "error_rate_spike",
            FindingKind::Increased => "increased",
            FindingKind::Decreased => "decreased",
            FindingKind::FailingRoute => "failing_route",
            FindingKind::LatencyRegression => "latency_regression",
            FindingKind::UpstreamTimeout => "upstream_timeout",
            FindingKind::RateLimited => "rate_limited",
            FindingKind::UpstreamFailure => "upstream_failure",
            FindingKind::UntimedErrors => "untimed_errors",
        }
    }
}

/// Severity buckets of the score, lowest first.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity bucket of a score from [`score`].
    pub fn from_score(score: f64) -> Severity {
        if score >= 24.0 {
            Severity::Critical
        } else if score >= 14.0 {
            Severity::High
        } else if score >= 7.0 {
            Severity::Medium
        } else if score >= 3.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }
}

/// One thing that changed, with its evidence. Times are epoch milliseconds (UTC).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub title: String,
    pub severity: Severity,
    pub score: f64,
    pub template: Option<String>,
    pub template_id: Option<String>,
    pub route: Option<String>,
    pub upstream: Option<String>,
    /// Onset and end of the abnormal window (end is None while it is still going on).
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// Bucket with the highest rate.
    pub peak: Option<i64>,
    /// Events (or requests) affected: in the spike, since first seen, failing.
    pub count: u64,
    /// Normal rate and rate in the window, per minute (or per 1,000 events without time).
    pub baseline_rate: Option<f64>,
    pub rate: Option<f64>,
    /// `rate / baseline_rate` (new things: None).
    pub factor: Option<f64>,
    /// Evidence lines with `file:line`.
    pub examples: Vec<Example>,
    /// The event just before the first occurrence (new errors).
    pub before_first: Option<Example>,
    /// Counts per display bucket for a sparkline, starting at `series_start`, `bucket_ms` wide.
    pub series: Vec<u64>,
    pub series_start: Option<i64>,
    pub bucket_ms: Option<i64>,
    /// Kind-specific evidence (status codes, percentiles, over-represented field values...).
    pub details: serde_json::Map<String, serde_json::Value>,
    /// Honest caveats: few samples, no timestamps, ...
    pub notes: Vec<String>,
}

impl Finding {
    /// A finding with the given kind and title and everything else empty; fill in, then call
    /// [`Finding::rescore`].
    pub fn new(kind: FindingKind, title: impl Into<String>) -> Finding {
        Finding {
            kind,
            title: title.into(),
            severity: Severity::Info,
            score: 0.0,
            template: None,
            template_id: None,
            route: None,
            upstream: None,
            start: None,
            end: None,
            peak: None,
            count: 0,
            baseline_rate: None,
            rate: None,
            factor: None,
            examples: Vec::new(),
            before_first: None,
            series: Vec::new(),
            series_start: None,
            bucket_ms: None,
            details: serde_json::Map::new(),
            notes: Vec::new(),
        }
    }

    /// Sets `score` and `severity` from the finding's evidence with [`score`].
    pub fn rescore(&mut self, level: Option<Level>) {
        let novel = matches!(self.kind, FindingKind::NewError);
        self.score = score(self.count, self.factor, novel, level);
        self.severity = Severity::from_score(self.score);
    }

    /// Scales the score down for weak evidence (few samples, not significant) and updates
    /// the severity; call after [`Finding::rescore`] and add a note saying why.
    pub fn discount(&mut self, by: f64) {
        self.score *= by.clamp(0.0, 1.0);
        self.severity = Severity::from_score(self.score);
    }
}

/// The factor a new thing counts as in [`score`] (its rate rose from nothing).
pub const NEW_FACTOR: f64 = 8.0;

/// The one severity score for all findings:
///
/// `score = ln(1 + affected) × (1 + ln(max(factor, 1))) × novelty × level_weight`
///
/// - `affected`: events or requests affected (so one failed call does not outrank 30%
///   failures on checkout);
/// - `factor`: how many times the normal rate (new things count as factor 8);
/// - `novelty`: 1.5 for something never seen before, else 1;
/// - `level_weight`: fatal 1.5, error 1.2, warn 0.8, info and below or unknown 0.5.
///
/// Buckets: critical ≥ 24, high ≥ 14, medium ≥ 7, low ≥ 3, else info.
pub fn score(affected: u64, factor: Option<f64>, novel: bool, level: Option<Level>) -> f64 {
    let impact = (1.0 + affected as f64).ln();
    let f = if novel {
        factor.unwrap_or(NEW_FACTOR)
    } else {
        factor.unwrap_or(1.0)
    };
    let boost = 1.0 + f.max(1.0).ln();
    let novelty = if novel { 1.5 } else { 1.0 };
    let level_w = match level {
        Some(Level::Fatal) => 1.5,
        Some(Level::Error) => 1.2,
        Some(Level::Warn) => 0.8,
        _ => 0.5,
    };
    impact * boost * novelty * level_w
}

/// Sorts findings most important first (see [`rank_order`]).
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(rank_order);
}

/// The order of importance: score, then kind and title for a stable order.
pub fn rank_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.title.cmp(&b.title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_affected_outrank_one() {
        let one = score(1, Some(50.0), false, Some(Level::Error));
        let many = score(3_000, Some(3.0), false, Some(Level::Error));
        assert!(many > one, "{many} <= {one}");
    }

    #[test]
    fn severity_buckets() {
        assert_eq!(Severity::from_score(30.0), Severity::Critical);
        assert_eq!(Severity::from_score(0.5), Severity::Info);
        let s = score(500, None, true, Some(Level::Error));
        assert!(Severity::from_score(s) >= Severity::High, "{s}");
    }
}
