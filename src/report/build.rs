//! Assembles the [`Report`] document from the merged summary, its templates and the ranked
//! findings. Every number shown comes from here, so all renderers agree.

use std::collections::BTreeMap;

use super::incident::{self, on_timeline, pct};
use super::model::*;
use super::{ellipsize, rfc3339};
use crate::detect::group::SHARED_ENTITY_MS;
use crate::detect::{Finding, FindingKind, Severity};
use crate::input::NoticeKind;
use crate::record::Level;
use crate::summary::templates::{TemplateStats, Templates};
use crate::summary::{Example, Summary, NO_LEVEL};

/// What goes into a report besides the summary itself.
pub struct ReportInput<'a> {
    pub summary: &'a Summary,
    pub templates: &'a Templates,
    /// Ranked, most important first.
    pub findings: Vec<Finding>,
    pub time_filter: Option<TimeFilterRow>,
    pub baseline: Option<BaselineRow>,
    /// Route and upstream rows (from the endpoints module; empty until it is wired in).
    pub endpoints: Vec<EndpointRow>,
    pub upstreams: Vec<UpstreamRow>,
    /// How many templates to list in each template table.
    pub top_templates: usize,
}

/// Builds the report.
pub fn build(input: ReportInput<'_>) -> Report {
    let sum = input.summary;
    let timeline = incident::timeline(sum);
    let window = incident::detect_in(&timeline, Some(&incident::fine_timeline(sum)));
    let overview = overview(sum, input.time_filter, input.baseline);
    let findings: Vec<FindingRow> = input
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| finding_row(i + 1, f))
        .collect();
    let total = sum.events.max(1) as f64;
    let mut by_errors: Vec<&TemplateStats> = input
        .templates
        .list
        .iter()
        .filter(|t| t.errors() > 0)
        .collect();
    by_errors.sort_by(|a, b| b.errors().cmp(&a.errors()).then_with(|| a.id.cmp(&b.id)));
    let top_error_templates = by_errors
        .into_iter()
        .take(input.top_templates)
        .map(|t| template_row(t, total, sum, &timeline))
        .collect();
    let templates = input
        .templates
        .list
        .iter()
        .take(input.top_templates)
        .map(|t| template_row(t, total, sum, &timeline))
        .collect();
    let headline = headline(&findings, &window, &overview);
    Report {
        version: SCHEMA_VERSION,
        tool: format!("faultline {}", env!("CARGO_PKG_VERSION")),
        headline,
        overview,
        findings,
        incident_window: window,
        timeline,
        top_error_templates,
        templates,
        templates_total: input.templates.list.len(),
        endpoints: input.endpoints,
        upstreams: input.upstreams,
    }
}

/// An error-or-worse event of `t`: the earliest example at that level, else the sample's
/// earliest one.
fn error_example(t: &TemplateStats) -> Option<&Example> {
    let bad = |e: &&Example| e.level.is_some_and(|l| l >= Level::Error);
    t.examples.iter().find(bad).or_else(|| {
        t.samples
            .iter()
            .map(|s| &s.example)
            .filter(bad)
            .min_by(|a, b| crate::summary::example_order(a.key(), b.key()))
    })
}

/// `file:line: text` for evidence lines.
pub fn example_line(e: &Example) -> String {
    format!("{}: {}", e.location(), e.text)
}

fn level_name(slot: usize) -> &'static str {
    if slot == NO_LEVEL {
        "unknown"
    } else {
        Level::ALL[slot].as_str()
    }
}

fn levels_map(levels: &[u64; 7]) -> BTreeMap<String, u64> {
    levels
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| (level_name(i).to_string(), c))
        .collect()
}

fn overview(
    sum: &Summary,
    time_filter: Option<TimeFilterRow>,
    baseline: Option<BaselineRow>,
) -> Overview {
    let mut formats = BTreeMap::new();
    for s in &sum.input.sources {
        *formats.entry(s.format.as_str().to_string()).or_insert(0) += 1;
    }
    let mut notes = Vec::new();
    if sum.events == 0 {
        notes.push("no events in the input".to_string());
    } else if sum.untimed == sum.events {
        notes.push(if baseline.is_some() {
            "no event has a timestamp: no timeline or incident window; new errors are judged \
             against the baseline only"
                .to_string()
        } else if sum.untimed_log().is_some() {
            "no event has a timestamp: no timeline or incident window; new errors are judged \
             by line order (or use --baseline to compare against known-good logs)"
                .to_string()
        } else {
            "no event has a timestamp: no timeline, incident window or new-error detection \
             (several logs have no common order; use --baseline to compare against \
             known-good logs)"
                .to_string()
        });
    } else if sum.untimed > 0 {
        notes.push(format!(
            "{} of {} events have no timestamp; they are counted but not placed in time",
            sum.untimed, sum.events
        ));
    }
    if sum.time_inherited > 0 {
        notes.push(format!(
            "{} events without a timestamp of their own (crash output, stray lines) are placed \
             at the time of the timed event before them",
            sum.time_inherited
        ));
    }
    if sum.time_dated > 0 {
        notes.push(format!(
            "{} events have a time of day without a date: the first is dated by --date or its \
             file's last change (stdin: now), later ones roll over at midnight",
            sum.time_dated
        ));
    }
    if sum.events > 0 && sum.levels[NO_LEVEL] == sum.events {
        notes.push("no event has a level: errors cannot be told apart".to_string());
    }
    if sum.overflow.events > 0 {
        notes.push(format!(
            "{} events beyond the signature cap are counted in one \"other\" template",
            sum.overflow.events
        ));
    }
    Overview {
        sources: sum
            .input
            .sources
            .iter()
            .map(|s| SourceRow {
                name: s.name.clone(),
                format: s.format.as_str().to_string(),
                bytes: s.bytes,
                lines: s.lines,
            })
            .collect(),
        formats,
        bytes: sum.input.bytes,
        events: sum.events,
        untimed_events: sum.untimed,
        time_inherited_events: sum.time_inherited,
        time_dated_events: sum.time_dated,
        invalid_utf8_events: sum.invalid_utf8,
        truncated_lines: sum.input.truncated_lines,
        directive_lines: sum.directive_lines,
        start: sum.time_min.map(rfc3339),
        end: sum.time_max.map(rfc3339),
        span_seconds: match (sum.time_min, sum.time_max) {
            (Some(a), Some(b)) => Some((b - a) as f64 / 1000.0),
            _ => None,
        },
        levels: levels_map(&sum.levels),
        notices: sum
            .input
            .notices
            .iter()
            .map(|n| NoticeRow {
                source: n.source.clone(),
                kind: match n.kind {
                    NoticeKind::Skipped => "skipped",
                    NoticeKind::Damaged => "damaged",
                    NoticeKind::Error => "error",
                }
                .to_string(),
                message: n.message.clone(),
            })
            .collect(),
        time_filter,
        baseline,
        notes,
        start_ms: sum.time_min,
        end_ms: sum.time_max,
    }
}

pub(crate) fn finding_row(rank: usize, f: &Finding) -> FindingRow {
    FindingRow {
        rank,
        kind: f.kind,
        title: f.title.clone(),
        severity: f.severity,
        score: (f.score * 100.0).round() / 100.0,
        template: f.template.clone(),
        template_id: f.template_id.clone(),
        route: f.route.clone(),
        upstream: f.upstream.clone(),
        start: f.start.map(rfc3339),
        end: f.end.map(rfc3339),
        ongoing: f.start.is_some() && f.end.is_none(),
        peak: f.peak.map(rfc3339),
        count: f.count,
        baseline_rate: f.baseline_rate.map(round3),
        rate: f.rate.map(round3),
        factor: f.factor.map(round3),
        examples: f.examples.iter().map(example_line).collect(),
        before_first: f.before_first.as_ref().map(example_line),
        series: f.series.clone(),
        series_start: f.series_start.map(rfc3339),
        bucket_seconds: f.bucket_ms.map(|b| b as f64 / 1000.0),
        details: f.details.clone(),
        notes: f.notes.clone(),
        start_ms: f.start,
        end_ms: f.end,
    }
}

fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        x
    }
}

fn template_row(t: &TemplateStats, total: f64, sum: &Summary, tl: &Timeline) -> TemplateRow {
    TemplateRow {
        id: t.id.clone(),
        template: t.text.clone(),
        count: t.count,
        errors: t.errors(),
        warnings: t.levels[Level::Warn.index()],
        share: (t.count as f64 / total * 10_000.0).round() / 10_000.0,
        levels: levels_map(&t.levels),
        first_seen: t.first_time.map(rfc3339),
        last_seen: t.last_time.map(rfc3339),
        first_error: t.first_error.map(rfc3339),
        examples: t.examples.iter().map(example_line).collect(),
        error_example: error_example(t).map(example_line),
        series: on_timeline(&t.series, sum.resolution_ms, tl),
    }
}

/// The reference for [`short_time`] of an input from `start` to `end`: its start when all
/// of it lies within one UTC date, else `None` (a bare time would not say which day: a
/// night from 22:00 to 02:00 printed as `00:30:00Z` leaves the reader to guess the date).
pub fn day_reference(start: Option<i64>, end: Option<i64>) -> Option<i64> {
    match (start, end) {
        (Some(s), Some(e)) if same_date(s, e) => Some(s),
        _ => None,
    }
}

const DAY_MS: i64 = 86_400_000;

fn same_date(a: i64, b: i64) -> bool {
    a.div_euclid(DAY_MS) == b.div_euclid(DAY_MS)
}

/// Short human time: `10:14:03Z` on the UTC date of `reference` (see
/// [`Overview::day_reference`]), else the full RFC 3339.
pub fn short_time(ms: i64, reference: Option<i64>) -> String {
    let full = rfc3339(ms);
    match reference {
        Some(r) if same_date(ms, r) && full.len() == 20 => {
            format!("{}Z", &full[11..19])
        }
        _ => full,
    }
}

/// What to say when there are no findings: honest about what could be looked for.
pub fn no_findings_text(r: &Report) -> String {
    let ov = &r.overview;
    if ov.events == 0 {
        "No findings: no events in the input.".to_string()
    } else if ov.untimed_events == ov.events && ov.baseline.is_none() && ov.sources.len() == 1 {
        "No findings: no event has a timestamp, and by line order no warn-or-worse template \
         is new; with --baseline, templates absent from known-good logs would be reported."
            .to_string()
    } else if ov.untimed_events == ov.events && ov.baseline.is_none() {
        "No findings: no event has a timestamp, so nothing can be placed in time; with \
         --baseline, templates absent from known-good logs would be reported."
            .to_string()
    } else {
        "No findings: no new error types and no error-rate burst in these logs.".to_string()
    }
}

/// Splits `file:line: text` into the source and the rest (sources may contain ':').
pub fn split_location(e: &str) -> Option<(&str, &str)> {
    let i = e.match_indices(": ").map(|(i, _)| i).find(|&i| {
        e[..i]
            .rsplit_once(':')
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })?;
    let (src, _) = e[..i].rsplit_once(':')?;
    Some((src, &e[i + 2..]))
}

/// The one-sentence headline: what broke, since when, where.
fn headline(findings: &[FindingRow], w: &IncidentWindow, ov: &Overview) -> String {
    if ov.events == 0 {
        return "No events in the input.".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    if w.found {
        let since = w
            .start_ms
            .map(|s| short_time(s, ov.day_reference()))
            .unwrap_or_default();
        let until = if w.ongoing {
            "ongoing".to_string()
        } else {
            format!(
                "until {}",
                w.end_ms
                    .map(|e| short_time(e, ov.day_reference()))
                    .unwrap_or_default()
            )
        };
        parts.push(format!(
            "Error rate rose from {} to {} at {since} ({until})",
            pct(w.normal_error_rate.unwrap_or(0.0)),
            pct(w.window_error_rate.unwrap_or(0.0)),
        ));
    }
    match named_finding(findings, w) {
        Some((f, label)) => {
            let mut s = if parts.is_empty() && f.severity < Severity::Medium {
                // Nothing rose to medium and the error rate did not move: say so, rather
                // than headline a weak finding as if it were the incident.
                format!(
                    "No clear incident; strongest signal ({}): {}",
                    f.severity.as_str(),
                    ellipsize(&f.title, 110)
                )
            } else if parts.is_empty() {
                ellipsize(&f.title, 140)
            } else {
                format!("{label}: {}", ellipsize(&f.title, 120))
            };
            let mut extra = Vec::new();
            if let Some(st) = f.start_ms {
                extra.push(format!("since {}", short_time(st, ov.day_reference())));
            }
            if let Some(r) = &f.route {
                extra.push(format!("on {r}"));
            }
            // An upstream's own finding names its host first: saying it again reads as a
            // stutter (`db-replica-2:5432: 21 timeouts (…, calling db-replica-2:5432, …)`).
            if let Some(u) = f
                .upstream
                .as_ref()
                .filter(|u| !f.title.starts_with(u.as_str()))
            {
                extra.push(format!("calling {u}"));
            }
            // With several sources, which one says where (service, host, file).
            if ov.sources.len() > 1 {
                if let Some((src, _)) = f.examples.first().and_then(|e| split_location(e)) {
                    extra.push(format!("in {src}"));
                }
            }
            extra.push(format!(
                "{} event{}",
                super::fmt_count(f.count),
                if f.count == 1 { "" } else { "s" }
            ));
            extra.extend(headline_where(f));
            s.push_str(&format!(" ({})", extra.join(", ")));
            if let Some(cause) = headline_cause(f) {
                s.push_str(&cause);
            }
            parts.push(s);
        }
        None if !w.found => parts.push("Nothing stands out: no findings.".to_string()),
        None => {}
    }
    let mut h = parts.join("; ");
    if !h.ends_with(['.', '…']) {
        h.push('.');
    }
    h
}

/// Where a failing route fails, when its failing requests nearly all share a place that its
/// working ones mostly do not: one pod, host or version (`pod=api-7d9f8c5b6-zq7wp in 100% of
/// failures`), what an on-call engineer restarts or rolls back. From the finding's contrast
/// of failing and working requests; other fields (an error text) are causes, said elsewhere.
pub(crate) fn headline_where(f: &FindingRow) -> Option<String> {
    const PLACES: [&str; 18] = [
        "pod",
        "container",
        "log_stream",
        "pod_name",
        "kubernetes.pod_name",
        "kubernetes.pod.name",
        "host",
        "hostname",
        "host.name",
        "instance",
        "node",
        "server",
        "dyno",
        "region",
        "zone",
        "version",
        "app_version",
        "service.version",
    ];
    let contrast = f.details.get("over_represented")?.as_array()?;
    contrast.iter().find_map(|c| {
        let field = c.get("field")?.as_str()?;
        let value = c.get("value")?.as_str()?;
        let failing = c.get("failing_share")?.as_f64()?;
        let working = c.get("working_share")?.as_f64()?;
        (PLACES.contains(&field) && failing >= 0.8 && working <= 0.5).then(|| {
            format!(
                "{field}={} in {:.0}% of failures",
                ellipsize(value, 60),
                100.0 * failing
            )
        })
    })
}

/// What the headline adds to a failing route or upstream, from the findings of its incident
/// (best-ranked first): the exception a stack trace finding names (see
/// [`stack_label`](super::stack_label)), `, logged with SqlException (<HEX>): …`; and for a
/// route, whose own name says nothing of the cause, also an upstream's finding (`, with
/// 10.0.2.15:8080: 392 failed connections`) or a new error (`, logged with failed
/// to publish event: …`). The route says what broke, this why.
fn headline_cause(f: &FindingRow) -> Option<String> {
    if !crate::detect::group::is_endpoint(f.kind) {
        return None;
    }
    let route = matches!(
        f.kind,
        FindingKind::FailingRoute | FindingKind::LatencyRegression
    );
    let upstream_kinds = [
        FindingKind::UpstreamTimeout,
        FindingKind::RateLimited,
        FindingKind::UpstreamFailure,
    ];
    let related = f.details.get("related")?.as_array()?;
    related.iter().find_map(|r| {
        let kind = r.get("kind")?.as_str()?;
        let title = r.get("title")?.as_str()?;
        if route && upstream_kinds.iter().any(|k| k.as_str() == kind) {
            return Some(format!(", with {}", ellipsize(title, 100)));
        }
        let template = r.get("template")?.as_str()?;
        let example = r
            .get("examples")?
            .as_array()?
            .first()?
            .get("text")?
            .as_str();
        if let Some(label) = super::stack_label(template, example) {
            let (head, exception) = label.split_once(" — ")?;
            // A Go stack's label is the function it failed in; its first line says what.
            let said = if exception.starts_with("in ") {
                super::template_label(head, 100)
            } else {
                ellipsize(exception, 100)
            };
            return Some(format!(", logged with {said}"));
        }
        let new_error = kind == FindingKind::NewError.as_str()
            && (title.starts_with("New error:") || title.starts_with("New fatal error:"));
        (route && new_error).then(|| {
            let head = template.split(" [exc=").next().unwrap_or(template);
            format!(", logged with {}", super::template_label(head, 100))
        })
    })
}

/// The finding a report names as what broke, and how to label it. With an incident window,
/// the top one that starts with it (the error-rate finding is the window itself): the top
/// finding of another part of the day, or one that had been going on for hours before the
/// rise, would pass for its cause. Then the top one still going on in it; then the top one
/// outside it, said so. Without a window, the top finding.
pub fn named_finding<'a>(
    findings: &'a [FindingRow],
    w: &IncidentWindow,
) -> Option<(&'a FindingRow, &'static str)> {
    if !w.found {
        return findings.first().map(|f| (f, "top finding"));
    }
    let rest = findings
        .iter()
        .filter(|f| f.kind != FindingKind::ErrorRateSpike);
    // In a long window (a lasting rise), what started at its onset explains it, not a
    // later incident inside it.
    // The label says which rule chose it when it is not the report's top finding, so the
    // headline never calls a lower-ranked finding the top one.
    let first = rest.clone().next();
    let label = |f: &FindingRow, other: &'static str| {
        if first.is_some_and(|g| std::ptr::eq(f, g)) {
            "top finding"
        } else {
            other
        }
    };
    if let Some(f) = rest
        .clone()
        .find(|f| starts_at_onset(f, w, SHARED_ENTITY_MS))
    {
        // Of those, one as severe that starts right at the onset rather than minutes after
        // it: the disk's I/O errors at 03:12:44, not the read-only file system they lead to
        // at 03:21 (within the grouping slack, and ranked higher for its count).
        let tight = rest.clone().find(|g| {
            g.severity >= f.severity
                && starts_at_onset(g, w, ONSET_MS)
                && !starts_at_onset(f, w, ONSET_MS)
        });
        let f = tight.unwrap_or(f);
        return Some((f, label(f, "at its onset")));
    }
    let starting = rest.clone().find(|f| starts_with_window(f, w));
    if let Some(f) = starting.or_else(|| rest.clone().find(|f| overlaps_window(f, w))) {
        return Some((f, label(f, "top finding in that window")));
    }
    first.map(|f| (f, "top finding (outside that window)"))
}

/// Whether a finding starts inside the incident window or shortly before it (a cause can
/// show before the error rate moves: an upstream's first timeouts), as
/// [`SHARED_ENTITY_MS`](crate::detect::group::SHARED_ENTITY_MS) allows when grouping.
fn starts_with_window(f: &FindingRow, w: &IncidentWindow) -> bool {
    match (f.start_ms, w.start_ms) {
        (Some(fs), Some(ws)) => fs >= ws - SHARED_ENTITY_MS && fs < w.end_ms.unwrap_or(i64::MAX),
        _ => false,
    }
}

/// What "right at the onset" allows: a couple of the summary's buckets.
const ONSET_MS: i64 = 2 * 60_000;

/// Whether a finding starts at the window's onset: within `slack` (the grouping's
/// [`SHARED_ENTITY_MS`], or [`ONSET_MS`]) of it, or of the interval the onset is known to
/// lie in.
fn starts_at_onset(f: &FindingRow, w: &IncidentWindow, slack: i64) -> bool {
    let Some(ws) = w.start_ms else {
        return false;
    };
    let (lo, hi) = w.onset_interval_ms.unwrap_or((ws, ws));
    f.start_ms
        .is_some_and(|fs| fs >= lo.min(ws) - slack && fs <= hi.max(ws) + slack)
}

/// Whether a finding's time span meets the incident window (a finding without a start, or
/// a window without one, counts as meeting it: nothing says otherwise).
fn overlaps_window(f: &FindingRow, w: &IncidentWindow) -> bool {
    match (f.start_ms, w.start_ms) {
        (Some(fs), Some(ws)) => {
            fs < w.end_ms.unwrap_or(i64::MAX) && f.end_ms.unwrap_or(i64::MAX) > ws
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f` as the only finding besides the error-rate one(s) of `findings`.
    fn alone_with_window(f: FindingRow, findings: &[FindingRow]) -> Vec<FindingRow> {
        std::iter::once(f)
            .chain(
                findings
                    .iter()
                    .filter(|f| f.kind == FindingKind::ErrorRateSpike)
                    .cloned(),
            )
            .collect()
    }

    /// The report's top finding that is not the error rate itself.
    fn first_besides_error_rate(findings: &[FindingRow]) -> FindingRow {
        findings
            .iter()
            .find(|f| f.kind != FindingKind::ErrorRateSpike)
            .expect("a finding besides the error rate")
            .clone()
    }

    /// With an incident window, the headline names the top finding inside it, and says so
    /// when every other finding lies outside it.
    #[test]
    fn headline_names_a_finding_inside_the_window() {
        use crate::report::fixtures::{incident_report, MIN, T0};
        let r = incident_report();
        let w = &r.incident_window;
        assert!(w.found);
        let inside = first_besides_error_rate(&r.findings);
        let mut outside = inside.clone();
        outside.title = "Spike ×9.0: nightly backup slow".into();
        outside.start_ms = Some(T0 + 5 * MIN);
        outside.end_ms = Some(T0 + 10 * MIN);
        outside.score = inside.score + 10.0;
        let mut ranked = vec![outside.clone()];
        ranked.extend(r.findings.iter().cloned());
        let h = headline(&ranked, w, &r.overview);
        // Not the report's top finding, so not called that.
        assert!(
            h.contains(&format!("; at its onset: {}", inside.title)),
            "{h}"
        );
        assert!(!h.contains("nightly backup"), "{h}");
        assert!(!h.contains("top finding"), "{h}");
        // The top one is named as such when it is the one inside.
        let h = headline(&r.findings, w, &r.overview);
        assert!(
            h.contains(&format!("; top finding: {}", inside.title)),
            "{h}"
        );
        let h = headline(&alone_with_window(outside, &r.findings), w, &r.overview);
        assert!(
            h.contains("top finding (outside that window): Spike ×9.0: nightly backup slow"),
            "{h}"
        );
    }

    /// An upstream's finding, whose title starts with its host, is not followed by
    /// "calling" that host again; a finding that names its upstream only in the field is.
    #[test]
    fn headline_names_an_upstream_once() {
        use crate::report::fixtures::incident_report;
        let r = incident_report();
        let w = &r.incident_window;
        let mut up = first_besides_error_rate(&r.findings);
        up.kind = FindingKind::UpstreamTimeout;
        up.title = "payments.example: 46 timeouts in 26m".into();
        up.upstream = Some("payments.example".into());
        let h = headline(&alone_with_window(up.clone(), &r.findings), w, &r.overview);
        assert!(
            h.contains("top finding: payments.example: 46 timeouts"),
            "{h}"
        );
        assert_eq!(h.matches("payments.example").count(), 1, "{h}");
        up.title = "Timeouts of the payment provider".into();
        let h = headline(&alone_with_window(up, &r.findings), w, &r.overview);
        assert!(h.contains("calling payments.example"), "{h}");
    }

    /// A finding that started hours before the error rate rose, still going on in the
    /// window, is not named as its cause when another one starts with it.
    #[test]
    fn headline_prefers_a_finding_that_starts_with_the_window() {
        use crate::report::fixtures::{incident_report, MIN};
        let r = incident_report();
        let w = &r.incident_window;
        let ws = w.start_ms.expect("window start");
        let cause = first_besides_error_rate(&r.findings);
        assert!(starts_with_window(&cause, w), "{cause:?}");
        let mut old = cause.clone();
        old.title = "New error: cache warm-up failed".into();
        old.start_ms = Some(ws - 300 * MIN);
        old.end_ms = None;
        old.score = cause.score + 10.0;
        let mut ranked = vec![old.clone()];
        ranked.extend(r.findings.iter().cloned());
        let h = headline(&ranked, w, &r.overview);
        assert!(
            h.contains(&format!("; at its onset: {}", cause.title)),
            "{h}"
        );
        // Without one starting there, the one still going on is named.
        let h = headline(&alone_with_window(old.clone(), &r.findings), w, &r.overview);
        assert!(
            h.contains("; top finding: New error: cache warm-up failed"),
            "{h}"
        );
        // ... also below a higher-ranked one outside the window, labelled as chosen.
        let mut outside = cause.clone();
        outside.title = "Spike ×9.0: nightly backup slow".into();
        outside.start_ms = Some(ws - 200 * MIN);
        outside.end_ms = Some(ws - 190 * MIN);
        outside.score = old.score + 10.0;
        let mut ranked = alone_with_window(old, &r.findings);
        ranked.insert(0, outside);
        let h = headline(&ranked, w, &r.overview);
        assert!(
            h.contains("; top finding in that window: New error: cache warm-up failed"),
            "{h}"
        );
    }

    /// In a window that lasts for the rest of the day, a later incident inside it (ranked
    /// higher) is not named as the cause of the rise: what started at the onset is.
    #[test]
    fn headline_names_what_started_at_the_onset_of_a_long_window() {
        use crate::report::fixtures::{incident_report, MIN};
        let r = incident_report();
        let mut w = r.incident_window.clone();
        w.end_ms = None;
        w.end = None;
        let ws = w.start_ms.expect("window start");
        let cause = first_besides_error_rate(&r.findings);
        assert!(starts_at_onset(&cause, &w, SHARED_ENTITY_MS), "{cause:?}");
        let mut later = cause.clone();
        later.title = "Spike ×3735: payment timeouts".into();
        later.start_ms = Some(ws + 14 * 60 * MIN);
        later.end_ms = Some(ws + 15 * 60 * MIN);
        later.score = cause.score + 10.0;
        let mut ranked = vec![later.clone()];
        ranked.extend(r.findings.iter().cloned());
        let h = headline(&ranked, &w, &r.overview);
        assert!(
            h.contains(&format!("; at its onset: {}", cause.title)),
            "{h}"
        );
        // Alone in the window, the later one is still named (it is inside it).
        let h = headline(&alone_with_window(later, &r.findings), &w, &r.overview);

        assert!(h.contains("top finding: Spike ×3735"), "{h}");
    }

    /// Of two findings as severe within the grouping's slack of the onset, the one right at
    /// it is named, not the higher-ranked consequence nine minutes later (a disk's I/O errors,
    /// not the read-only file system they lead to); a less severe one at the onset is not.
    #[test]
    fn headline_names_what_started_right_at_the_onset() {
        use crate::report::fixtures::{incident_report, MIN};
        let r = incident_report();
        let mut w = r.incident_window.clone();
        w.end_ms = None;
        w.onset_interval_ms = None;
        let ws = w.start_ms.expect("window start");
        let base = first_besides_error_rate(&r.findings);
        let mut symptom = base.clone();
        symptom.title = "New error: flush failed: read-only file system".into();
        symptom.start_ms = Some(ws + 9 * MIN);
        symptom.severity = Severity::Critical;
        symptom.score = base.score + 10.0;
        let mut cause = base.clone();
        cause.title = "New error: Buffer I/O error on dev sda1".into();
        cause.start_ms = Some(ws + MIN / 4);
        cause.severity = Severity::Critical;
        let ranked = |c: &FindingRow| {
            let mut v = vec![symptom.clone(), c.clone()];
            v.extend(
                r.findings
                    .iter()
                    .filter(|f| f.kind == FindingKind::ErrorRateSpike)
                    .cloned(),
            );
            v
        };
        let h = headline(&ranked(&cause), &w, &r.overview);
        assert!(
            h.contains("; at its onset: New error: Buffer I/O error on dev sda1"),
            "{h}"
        );
        let mut weak = cause.clone();
        weak.severity = Severity::Low;
        let h = headline(&ranked(&weak), &w, &r.overview);
        assert!(h.contains("; top finding: New error: flush failed"), "{h}");
    }

    #[test]
    fn splits_locations() {
        assert_eq!(
            split_location("app.log:12: ERROR x: y"),
            Some(("app.log", "ERROR x: y"))
        );
        assert_eq!(
            split_location("b.tgz:logs/api.log:7: boom"),
            Some(("b.tgz:logs/api.log", "boom"))
        );
        assert_eq!(split_location("no location here"), None);
    }

    /// Times print without a date only when the whole input lies within a day: in a
    /// three-day log, `11:05:05Z` would not say which day.
    #[test]
    fn bare_times_only_for_an_input_within_a_day() {
        let t = 1_795_773_600_000;
        let ov = |end: i64| Overview {
            start_ms: Some(t),
            end_ms: Some(end),
            ..Overview::default()
        };
        let short = ov(t + 6 * 3_600_000);
        assert_eq!(short.day_reference(), Some(t));
        assert_eq!(
            short_time(t + 3_600_000, short.day_reference()),
            "11:00:00Z"
        );
        let long = ov(t + 3 * 86_400_000);
        assert_eq!(long.day_reference(), None);
        assert_eq!(
            short_time(t + 3_600_000, long.day_reference()),
            "2026-11-27T11:00:00Z"
        );
        assert_eq!(Overview::default().day_reference(), None);
        // Under a day, but across midnight: which day 00:30 is would be a guess.
        let night = Overview {
            start_ms: Some(t + 12 * 3_600_000),
            end_ms: Some(t + 15 * 3_600_000),
            ..Overview::default()
        };
        assert_eq!(night.day_reference(), None);
    }

    #[test]
    fn short_times_within_a_day() {
        let t = 1_795_773_600_000;
        assert_eq!(short_time(t + 61_000, Some(t)), "10:01:01Z");
        assert_eq!(
            short_time(t + 2 * 86_400_000, Some(t)),
            "2026-11-29T10:00:00Z"
        );
        assert_eq!(short_time(t, None), "2026-11-27T10:00:00Z");
        assert_eq!(
            short_time(t + 14 * 3_600_000, Some(t)),
            "2026-11-28T00:00:00Z"
        );
    }
}
