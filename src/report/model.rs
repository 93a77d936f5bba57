//! The report document: everything `faultline summary` shows, computed once from the summary,
//! the templates and the findings, then drawn by every renderer (terminal, JSON, Markdown,
//! HTML). Its serde form *is* the JSON output; the schema is documented in
//! `docs/json-schema.md` and versioned by [`SCHEMA_VERSION`].
//!
//! Times are RFC 3339 UTC strings in the JSON; the renderers also need them as epoch
//! milliseconds, which are kept in `#[serde(skip)]` fields next to them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::detect::{FindingKind, Severity};

/// Version of the JSON document. Bumped on any change that can break a consumer (a field
/// removed, renamed or changing type); new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u32,
    /// `faultline <version>`.
    pub tool: String,
    /// One sentence: what broke, since when, where (or that nothing stands out).
    pub headline: String,
    pub overview: Overview,
    /// Most important first (see `detect::rank`).
    pub findings: Vec<FindingRow>,
    pub incident_window: IncidentWindow,
    pub timeline: Timeline,
    /// Templates with the most error-or-worse events.
    pub top_error_templates: Vec<TemplateRow>,
    /// The most frequent templates overall.
    pub templates: Vec<TemplateRow>,
    /// Templates in the input (the lists above are cut to the top few).
    pub templates_total: usize,
    pub endpoints: Vec<EndpointRow>,
    pub upstreams: Vec<UpstreamRow>,
}

/// What was read, and anything skipped and why.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overview {
    pub sources: Vec<SourceRow>,
    /// Number of sources per detected (or forced) format.
    pub formats: BTreeMap<String, usize>,
    /// Bytes of (decompressed) log data.
    pub bytes: u64,
    pub events: u64,
    /// Events without a usable timestamp (counted, never given an invented time).
    pub untimed_events: u64,
    /// Events without a timestamp of their own placed at the time of the timed event
    /// before them in their source (not in `untimed_events`).
    pub time_inherited_events: u64,
    /// Events whose timestamp is a time of day without a date (logback's `HH:mm:ss.SSS`):
    /// their date was supplied (`--date`, or their file's last change), not read.
    pub time_dated_events: u64,
    pub invalid_utf8_events: u64,
    pub truncated_lines: u64,
    /// W3C directive lines of access logs (`#Fields: …`, `#Date: …`): the log's own header,
    /// read for its column names, not counted as events.
    pub directive_lines: u64,
    pub start: Option<String>,
    pub end: Option<String>,
    pub span_seconds: Option<f64>,
    /// Events per level: trace, debug, info, warn, error, fatal, unknown.
    pub levels: BTreeMap<String, u64>,
    pub notices: Vec<NoticeRow>,
    /// `--since` / `--until`, when given.
    pub time_filter: Option<TimeFilterRow>,
    /// `--baseline`, when given.
    pub baseline: Option<BaselineRow>,
    /// Honest caveats about the whole report (no timestamps, few events, ...).
    pub notes: Vec<String>,
    #[serde(skip)]
    pub start_ms: Option<i64>,
    #[serde(skip)]
    pub end_ms: Option<i64>,
}

impl Overview {
    /// The reference for [`short_time`](super::build::short_time): the input's start when
    /// all of it lies within one day, so times print without their date (`03:05:17Z`);
    /// `None` for a longer input, where a bare time would not say which day it is.
    pub fn day_reference(&self) -> Option<i64> {
        super::build::day_reference(self.start_ms, self.end_ms)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceRow {
    pub name: String,
    pub format: String,
    pub bytes: u64,
    pub lines: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct NoticeRow {
    pub source: String,
    /// `skipped`, `damaged` or `error`.
    pub kind: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimeFilterRow {
    pub since: Option<String>,
    pub until: Option<String>,
    /// Timed events dropped because they fell outside the window.
    pub events_outside: u64,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaselineRow {
    pub sources: Vec<String>,
    pub events: u64,
    pub start: Option<String>,
    pub end: Option<String>,
    pub templates: usize,
}

/// One finding, as shown.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    /// 1-based position in the ranked list.
    pub rank: usize,
    pub kind: FindingKind,
    pub title: String,
    pub severity: Severity,
    pub score: f64,
    pub template: Option<String>,
    pub template_id: Option<String>,
    pub route: Option<String>,
    pub upstream: Option<String>,
    /// Onset of the abnormal window.
    pub start: Option<String>,
    /// End of the abnormal window; null while it is still going on at the end of the input.
    pub end: Option<String>,
    pub ongoing: bool,
    /// Bucket with the highest rate.
    pub peak: Option<String>,
    /// Events or requests affected.
    pub count: u64,
    /// Normal rate and rate in the window (per minute, or per 1,000 events without time).
    pub baseline_rate: Option<f64>,
    pub rate: Option<f64>,
    pub factor: Option<f64>,
    /// Evidence lines: `file:line: text`.
    pub examples: Vec<String>,
    /// The event just before the first occurrence: `file:line: text`.
    pub before_first: Option<String>,
    /// Counts per bucket for a sparkline.
    pub series: Vec<u64>,
    pub series_start: Option<String>,
    pub bucket_seconds: Option<f64>,
    pub details: serde_json::Map<String, serde_json::Value>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub start_ms: Option<i64>,
    #[serde(skip)]
    pub end_ms: Option<i64>,
}

/// Events and errors per display bucket, over the whole time span of the input.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timeline {
    /// Start of the first bucket; null when no event had a timestamp.
    pub start: Option<String>,
    /// Bucket width: a multiple of the summary's resolution.
    pub bucket_seconds: f64,
    pub events: Vec<u64>,
    /// Error and fatal events.
    pub errors: Vec<u64>,
    pub warnings: Vec<u64>,
    #[serde(skip)]
    pub start_ms: i64,
    #[serde(skip)]
    pub bucket_ms: i64,
}

impl Timeline {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Start time (epoch ms) of bucket `i`.
    pub fn bucket_start(&self, i: usize) -> i64 {
        self.start_ms + i as i64 * self.bucket_ms
    }

    /// Error rate (0..1) of bucket `i`; None for an empty bucket.
    pub fn error_rate(&self, i: usize) -> Option<f64> {
        let n = *self.events.get(i)?;
        (n > 0).then(|| self.errors[i] as f64 / n as f64)
    }
}

/// When things started to go wrong overall, from the error-rate timeline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IncidentWindow {
    /// False when no clear window stands out (`explanation` says why).
    pub found: bool,
    pub start: Option<String>,
    /// End of the window; null while still elevated at the end of the input.
    pub end: Option<String>,
    pub ongoing: bool,
    /// Already elevated in the first bucket: the real onset may be before the input starts.
    pub started_before_input: bool,
    /// Normal error rate (0..1), robust estimate (median of bucket rates).
    pub normal_error_rate: Option<f64>,
    /// Error rate over the whole window.
    pub window_error_rate: Option<f64>,
    pub peak_error_rate: Option<f64>,
    pub peak: Option<String>,
    pub events: u64,
    pub errors: u64,
    /// Errors above what the normal rate predicts for the window's traffic.
    pub excess_errors: u64,
    /// How the window was found, or why none was.
    pub explanation: String,
    /// When the data leave the onset open over more than two buckets: its 95% likelihood
    /// interval `[earliest, latest]`.
    pub onset_interval: Option<[String; 2]>,
    #[serde(skip)]
    pub onset_interval_ms: Option<(i64, i64)>,
    #[serde(skip)]
    pub start_ms: Option<i64>,
    #[serde(skip)]
    pub end_ms: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TemplateRow {
    pub id: String,
    pub template: String,
    pub count: u64,
    /// Error-or-worse events.
    pub errors: u64,
    pub warnings: u64,
    /// Share of all events (0..1).
    pub share: f64,
    pub levels: BTreeMap<String, u64>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The first error-or-worse event (the error-template tables show it as "first seen").
    pub first_error: Option<String>,
    /// `file:line: text`.
    pub examples: Vec<String>,
    /// An error-or-worse event of the template (`file:line: text`): the earliest among the
    /// examples, else from the uniform sample; `None` when neither holds one. A request
    /// template's examples are its first requests, mostly successes.
    pub error_example: Option<String>,
    /// Counts per timeline bucket (same buckets as `timeline`).
    pub series: Vec<u64>,
}

/// One route: requests, failures and latency. Filled from the endpoints module.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EndpointRow {
    /// Normalized route, e.g. `GET /api/orders/{id}`.
    pub route: String,
    pub requests: u64,
    /// 5xx responses.
    pub server_errors: u64,
    /// 4xx responses.
    pub client_errors: u64,
    /// 5xx share of requests (0..1).
    pub error_rate: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Responses per status code (`"200"`, `"503"`, ...).
    pub statuses: BTreeMap<String, u64>,
    pub first_error: Option<String>,
    /// The kind of log the counts come from (`access`, `json`, ...): of those that logged
    /// this route's requests, the one that saw the most (the others are not added up).
    pub counted_from: String,
}

/// One external host called by the service. Filled from the endpoints module.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UpstreamRow {
    pub host: String,
    /// Calls known from structured records (an `upstream` field); 0 when only messages
    /// about trouble name the host, so the share of calls that failed is unknown.
    pub calls: u64,
    /// Failed calls of any kind (5xx, timeouts, refused, 429).
    pub failures: u64,
    /// Calls that timed out.
    pub timeouts: u64,
    /// Connections refused, reset, or never made (a name that did not resolve, no route).
    pub refused: u64,
    pub rate_limited: u64,
    /// Calls the app reported as given up after retries, counted apart from the attempts
    /// above (0 when the attempts were not logged: the give-ups are then the counts).
    pub gave_up: u64,
    /// Failure share of calls (0..1); `None` when no calls are known.
    pub failure_rate: Option<f64>,
    pub p99_ms: Option<f64>,
    pub statuses: BTreeMap<String, u64>,
}
