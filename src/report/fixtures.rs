//! Test fixtures: summaries built by hand (no parser involved), and a whole incident report.

use crate::commands::summary::{collect_findings, FindingsConfig};
use crate::mine::ClusterConfig;
use crate::record::Level;
use crate::summary::templates::finalize;
use crate::summary::{Example, Series, SigStats, Summary};

use super::build::{build, ReportInput};
use super::model::Report;

pub const MIN: i64 = 60_000;
/// 2026-11-27T10:00:00Z.
pub const T0: i64 = 1_795_773_600_000;

/// A signature with `per_bucket[i]` events in minute `i` (from T0), all at `level`.
pub fn sig(text: &str, level: Level, per_bucket: &[u64]) -> SigStats {
    let first = per_bucket.iter().position(|&c| c > 0).unwrap_or(0) as i64;
    let last = per_bucket.iter().rposition(|&c| c > 0).unwrap_or(0) as i64;
    let count: u64 = per_bucket.iter().sum();
    let mut levels = [0u64; 7];
    levels[level.index()] = count;
    SigStats {
        sig: text.to_string(),
        count,
        levels,
        first_time: Some(T0 + first * MIN),
        last_time: Some(T0 + last * MIN),
        first_error: None,
        error_series: Series::default(),
        series: Series(
            per_bucket
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(i, &c)| (T0 / MIN + i as i64, c))
                .collect(),
        ),
        untimed: 0,
        examples: vec![Example::named(
            "app.log",
            100 + first as u64,
            Some(T0 + first * MIN),
            format!(
                "2026-11-27T10:{first:02}:00Z {} {text}",
                level.as_str().to_uppercase()
            )
            .as_bytes(),
        )],
        before_first: None,
        samples: Vec::new(),
    }
}

/// A summary (one-minute resolution) holding `sigs`.
pub fn summary_of(sigs: Vec<SigStats>) -> Summary {
    let mut s = Summary::default();
    s.resolution_ms = MIN;
    for g in &sigs {
        s.events += g.count;
        for (a, b) in s.levels.iter_mut().zip(g.levels) {
            *a += b;
        }
        let slot = g.max_level().map_or(crate::summary::NO_LEVEL, Level::index);
        s.level_series[slot].merge(&g.series);
        s.time_min = crate::summary::min_opt(s.time_min, g.first_time);
        s.time_max = crate::summary::max_opt(s.time_max, g.last_time);
    }
    s.sigs = sigs;
    s.reindex();
    s
}

/// An hour of traffic where, from minute 40 to 50, a new error floods in; its text carries
/// markup, an escape sequence and Markdown syntax to check every renderer escapes it.
pub fn incident_summary() -> Summary {
    let ok = sig("request served", Level::Info, &[100; 60]);
    let mut burst = vec![0u64; 60];
    for c in &mut burst[40..50] {
        *c = 30;
    }
    let db = sig(
        "db refused <script>x</script> \x1b[31m | `tick` *star*",
        Level::Error,
        &burst,
    );
    let slow = sig("slow response", Level::Error, &[1; 60]);
    summary_of(vec![ok, db, slow])
}

/// The whole report for [`incident_summary`].
pub fn incident_report() -> Report {
    let sum = incident_summary();
    let templates = finalize(&sum, &ClusterConfig::default());
    let findings = collect_findings(&sum, &templates, None, &FindingsConfig::default());
    build(ReportInput {
        summary: &sum,
        templates: &templates,
        findings,
        time_filter: None,
        baseline: None,
        endpoints: Vec::new(),
        upstreams: Vec::new(),
        top_templates: 10,
    })
}
