//! Scripted streams through the live core, with constructed events carrying their own times:
//! the detector's clock is event time, so nothing here sleeps.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::detector::PoissonDetector;
use super::live::{Alert, AlertPhase, Live, LiveConfig, Obs, TemplateMap, TplInfo};
use crate::detect::FindingKind;
use crate::mine::template_id;
use crate::record::{Event, Http, Level};

const T0: i64 = 1_795_600_800_000; // 2026-11-25T10:00:00Z
const MIN: i64 = 60_000;

/// Stands in for the summary and clustering: one template per distinct message.
struct Harness {
    live: Live,
    sigs: Vec<String>,
    first: Vec<i64>,
    /// Events and highest level per message.
    counts: Vec<(u64, Option<Level>)>,
    index: FxHashMap<String, u32>,
    alerts: Vec<Alert>,
    /// Messages the "baseline" knows.
    known: Vec<String>,
    /// The clock is held back (files read side by side): ticks close nothing.
    held: bool,
}

impl Harness {
    fn new(cfg: LiveConfig) -> Harness {
        let det = PoissonDetector::new(cfg.bucket_ms);
        Harness {
            live: Live::new(cfg, Box::new(det)),
            sigs: Vec::new(),
            first: Vec::new(),
            counts: Vec::new(),
            index: FxHashMap::default(),
            alerts: Vec::new(),
            known: Vec::new(),
            held: false,
        }
    }

    fn push(&mut self, ev: &Event<'_>) {
        self.push_view(ev, "plain");
    }

    fn push_view(&mut self, ev: &Event<'_>, view: &str) {
        let msg = String::from_utf8_lossy(&ev.message).into_owned();
        let t = ev.time.unwrap_or(0);
        let sig = match self.index.get(&msg) {
            Some(&i) => {
                self.first[i as usize] = self.first[i as usize].min(t);
                i
            }
            None => {
                let i = self.sigs.len() as u32;
                self.index.insert(msg.clone(), i);
                self.sigs.push(msg);
                self.first.push(t);
                self.counts.push((0, None));
                i
            }
        };
        let c = &mut self.counts[sig as usize];
        c.0 += 1;
        c.1 = c.1.max(ev.level);
        self.live
            .observe(&Obs::from_event(ev, "test.log", view, sig, t));
        self.tick(if self.held { i64::MIN } else { t });
    }

    fn map(
        sigs: &[String],
        first: &[i64],
        counts: &[(u64, Option<Level>)],
        known: &[String],
    ) -> TemplateMap {
        TemplateMap {
            by_sig: (0..sigs.len() as u32).collect(),
            list: sigs
                .iter()
                .zip(first)
                .zip(counts)
                .map(|((s, &f), &(count, level))| TplInfo {
                    id: template_id(s),
                    text: s.clone(),
                    first_time: Some(f),
                    known: known.contains(s),
                    provisional: false,
                    count,
                    level,
                })
                .collect(),
        }
    }

    fn tick(&mut self, now: i64) {
        let (sigs, first, counts, known) = (&self.sigs, &self.first, &self.counts, &self.known);
        self.live
            .tick(now, &mut || Harness::map(sigs, first, counts, known));
        self.alerts.extend(self.live.take_alerts());
    }

    fn finish(&mut self) -> Vec<Alert> {
        let (sigs, first, counts, known) = (&self.sigs, &self.first, &self.counts, &self.known);
        self.live
            .finish(&mut || Harness::map(sigs, first, counts, known));
        self.alerts.extend(self.live.take_alerts());
        std::mem::take(&mut self.alerts)
    }
}

/// An error of template `sig` at `time`, as the feed hands it to [`Live`].
fn obs(time: i64, sig: u32) -> Obs<'static> {
    Obs {
        time,
        level: Some(Level::Error),
        sig,
        method: None,
        path: None,
        status: None,
        upstream: None,
        message: b"x",
        fields: &[],
        source: "t",
        view: "plain",
        line: 1,
        raw: b"x",
    }
}

fn ev(t: i64, level: Level, msg: &str) -> Event<'_> {
    let mut e = Event::bare(1, msg.as_bytes());
    e.time = Some(t);
    e.level = Some(level);
    e
}

/// A `request completed` record of `POST /api/v1/checkout` answered with `status` (an error
/// when 5xx).
fn checkout(t: i64, status: u16) -> Event<'static> {
    let level = if status >= 500 {
        Level::Error
    } else {
        Level::Info
    };
    let mut e = ev(t, level, "request completed");
    e.http = Http {
        method: Some(Cow::Borrowed(b"POST")),
        path: Some(Cow::Borrowed(b"/api/v1/checkout")),
        status: Some(status),
        ..Http::default()
    };
    e
}

/// A merged, time-ordered script of events.
fn script(parts: Vec<Vec<(i64, Level, &'static str)>>) -> Vec<(i64, Level, &'static str)> {
    let mut all: Vec<_> = parts.into_iter().flatten().collect();
    all.sort_by_key(|e| e.0);
    all
}

fn every(
    from: i64,
    to: i64,
    step: i64,
    level: Level,
    msg: &'static str,
) -> Vec<(i64, Level, &'static str)> {
    (0..)
        .map(|i| from + i * step)
        .take_while(|&t| t < to)
        .map(|t| (t, level, msg))
        .collect()
}

fn summary(alerts: &[Alert]) -> Vec<(AlertPhase, FindingKind, String)> {
    alerts
        .iter()
        .map(|a| {
            (
                a.phase,
                a.finding.kind,
                a.finding.template.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn incident_script() -> Vec<(i64, Level, &'static str)> {
    script(vec![
        // Steady noise for 45 minutes.
        every(T0, T0 + 45 * MIN, 2_000, Level::Info, "request handled"),
        every(
            T0 + 7_000,
            T0 + 45 * MIN,
            30_000,
            Level::Warn,
            "cache miss, loading from db",
        ),
        // A rare error that is normal (seen during the warm-up).
        vec![
            (T0 + MIN, Level::Error, "db timeout"),
            (T0 + 8 * MIN, Level::Error, "db timeout"),
            (T0 + 15 * MIN, Level::Error, "db timeout"),
        ],
        // New error from T+12m on, every 20 s.
        every(
            T0 + 12 * MIN,
            T0 + 45 * MIN,
            20_000,
            Level::Error,
            "NPE in mapper",
        ),
        // Spike of the rare error from T+20m to T+30m.
        every(
            T0 + 20 * MIN,
            T0 + 30 * MIN,
            10_000,
            Level::Error,
            "db timeout",
        ),
    ])
}

#[test]
fn scripted_incident_gives_exactly_the_expected_alerts() {
    let mut h = Harness::new(LiveConfig::default());
    for (t, l, m) in incident_script() {
        h.push(&ev(t, l, m));
    }
    let alerts = h.finish();
    let got = summary(&alerts);
    assert_eq!(
        got,
        vec![
            (
                AlertPhase::Start,
                FindingKind::NewError,
                "NPE in mapper".to_string()
            ),
            (
                AlertPhase::Start,
                FindingKind::Spike,
                "db timeout".to_string()
            ),
            (
                AlertPhase::End,
                FindingKind::Spike,
                "db timeout".to_string()
            ),
        ],
        "{alerts:#?}"
    );
    let new = &alerts[0];
    assert_eq!(new.finding.start, Some(T0 + 12 * MIN));
    assert!(
        new.at - (T0 + 12 * MIN) <= 2 * MIN,
        "new error alerted late: {}",
        new.at - T0
    );
    let start = &alerts[1];
    let onset = start.finding.start.expect("onset");
    assert!(
        (onset - (T0 + 20 * MIN)).abs() <= MIN,
        "onset {}",
        onset - T0
    );
    assert!(
        start.at - (T0 + 20 * MIN) <= 2 * MIN,
        "spike alerted late: {}",
        start.at - T0
    );
    assert!(
        start.finding.factor.is_some_and(|f| f >= 3.0),
        "{:?}",
        start.finding
    );
    let end = &alerts[2];
    let end_t = end.finding.end.expect("end");
    assert!((end_t - (T0 + 30 * MIN)).abs() <= MIN, "end {}", end_t - T0);
    assert!(end.at >= end_t);
    assert!(end.finding.count >= 55, "{:?}", end.finding);
}

/// The status block's findings are kept current: a new error that keeps coming shows its
/// events so far and the severity they earn (the start alert said what was known then), and
/// the most severe finding is listed first.
#[test]
fn active_findings_show_the_condition_as_it_stands() {
    let mut h = Harness::new(LiveConfig::default());
    for (t, l, m) in incident_script()
        .into_iter()
        .filter(|e| e.0 < T0 + 28 * MIN)
    {
        h.push(&ev(t, l, m));
    }
    h.tick(T0 + 28 * MIN);
    let started = |tpl: &str| {
        h.alerts
            .iter()
            .find(|a| a.phase == AlertPhase::Start && a.finding.template.as_deref() == Some(tpl))
            .map(|a| a.finding.clone())
            .expect(tpl)
    };
    let (new_at_start, spike_at_start) = (started("NPE in mapper"), started("db timeout"));
    let active = h.live.active_findings();
    assert_eq!(active.len(), 2, "{active:#?}");
    let new = active
        .iter()
        .find(|f| f.kind == FindingKind::NewError)
        .expect("new error active");
    // Every 20 s from T+12m: 48 events before T+28m; all but the last bucket's are counted.
    assert!(
        (46..=48).contains(&new.count) && new.count > new_at_start.count,
        "{} then {}",
        new_at_start.count,
        new.count
    );
    assert!(
        new.severity > new_at_start.severity,
        "{:?} then {:?}",
        new_at_start.severity,
        new.severity
    );
    let spike = active
        .iter()
        .find(|f| f.kind == FindingKind::Spike)
        .expect("spike active");
    assert!(spike.count > spike_at_start.count + 20, "{}", spike.count);
    assert!(
        spike.rate.is_some_and(|r| (5.0..=7.0).contains(&r)),
        "{:?}",
        spike.rate
    );
    assert!(active[0].score >= active[1].score, "{active:#?}");
}

#[test]
fn steady_noise_alerts_nothing() {
    let mut h = Harness::new(LiveConfig::default());
    let s = script(vec![
        every(T0, T0 + 3 * 60 * MIN, 1_000, Level::Info, "request handled"),
        every(
            T0 + 500,
            T0 + 3 * 60 * MIN,
            15_000,
            Level::Warn,
            "cache miss, loading from db",
        ),
        // A background error about every 20 minutes, first seen after the warm-up: not new.
        every(
            T0 + 9 * MIN,
            T0 + 3 * 60 * MIN,
            20 * MIN,
            Level::Error,
            "email send failed",
        ),
        // An hourly info burst (cron): info templates do not spike.
        every(
            T0 + 60 * MIN,
            T0 + 61 * MIN,
            200,
            Level::Info,
            "synced batch",
        ),
        every(
            T0 + 120 * MIN,
            T0 + 121 * MIN,
            200,
            Level::Info,
            "synced batch",
        ),
    ]);
    for (t, l, m) in s {
        h.push(&ev(t, l, m));
    }
    let alerts = h.finish();
    assert!(alerts.is_empty(), "{:#?}", summary(&alerts));
}

/// A quiet night (a request every 10 s): a background error first seen after two hours of
/// it is not news at its first occurrence (two hours are 720 events, too few for an error
/// that logs once in thousands to have come up), nor is a rare warning whose second event
/// happens to follow its first within minutes. The same error right after a deploy is; after
/// a one-off line that names no change, it is not.
#[test]
fn a_first_error_after_a_quiet_night_waits_unless_a_change_precedes_it() {
    let quiet_night = |extra: Vec<(i64, Level, &'static str)>| {
        let mut h = Harness::new(LiveConfig::default());
        let mut parts = vec![
            every(
                T0,
                T0 + 3 * 60 * MIN,
                10_000,
                Level::Info,
                "request handled",
            ),
            vec![(
                T0 + 125 * MIN,
                Level::Error,
                "search query failed: breaker open",
            )],
            vec![
                (T0 + 100 * MIN, Level::Warn, "thread starvation detected"),
                (T0 + 104 * MIN, Level::Warn, "thread starvation detected"),
            ],
        ];
        parts.push(extra);
        for (t, l, m) in script(parts) {
            h.push(&ev(t, l, m));
        }
        summary(&h.finish())
    };
    let alerts = quiet_night(Vec::new());
    assert!(alerts.is_empty(), "{alerts:#?}");
    // A one-off info line that names no change (a cache warm-up, a report) is no reason.
    let alerts = quiet_night(vec![(
        T0 + 124 * MIN,
        Level::Info,
        "cache warmed with 412 entries",
    )]);
    assert!(alerts.is_empty(), "{alerts:#?}");
    let alerts = quiet_night(vec![(
        T0 + 124 * MIN,
        Level::Info,
        "Deploying version 1.5.0 (build 8812)",
    )]);
    assert_eq!(
        alerts,
        vec![(
            AlertPhase::Start,
            FindingKind::NewError,
            "search query failed: breaker open".to_string()
        )]
    );
}

#[test]
fn a_held_clock_lets_a_file_that_is_behind_catch_up() {
    // Files read side by side: while one is an hour behind the other, the clock is held
    // (`i64::MIN`, no overflow), nothing closes, and its events count, the earliest first.
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    h.held = true;
    h.push(&ev(T0 + 3_600_000, Level::Info, "tick"));
    for i in 0..60 {
        h.push(&ev(T0 + i * 1_000, Level::Info, "tick"));
    }
    assert_eq!(h.live.stats().buckets_closed, 0);
    h.held = false;
    h.finish();
    assert_eq!(h.live.stats().late_dropped, 0);
    assert_eq!(h.live.stats().events, 61);
    assert!(h.live.stats().buckets_closed > 0);
}

#[test]
fn late_events_within_tolerance_are_bucketed_not_dropped() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    // The very first event is not the earliest one: 20 s earlier is still in time.
    h.push(&ev(T0 + 20_000, Level::Info, "tick"));
    h.push(&ev(T0, Level::Info, "tick"));
    assert_eq!(h.live.stats().late_dropped, 0);
    // In order up to T+60s, then an event 25 s in the past (inside the 30 s tolerance), then
    // one 90 s in the past (outside).
    for i in 0..60 {
        h.push(&ev(T0 + i * 1_000, Level::Info, "tick"));
    }
    h.push(&ev(T0 + 35_000, Level::Info, "tick"));
    assert_eq!(h.live.stats().late_dropped, 0);
    h.push(&ev(T0 + 61_000, Level::Info, "tick"));
    h.push(&ev(T0 - 30_000, Level::Info, "tick"));
    assert_eq!(h.live.stats().late_dropped, 1);
    h.finish();
    let (events, _) = h.live.series();
    // Bucket T0+30..40s holds its 10 events plus the late one.
    let total: u64 = events.iter().sum();
    assert_eq!(total, 64);
    assert!(events.contains(&11), "{events:?}");
}

#[test]
fn stalled_clock_still_ends_spikes() {
    // A dense spike then silence: ticking the clock forward (as the wall clock does on a
    // stalled input) closes the quiet buckets and ends the spike without any new event.
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let s = script(vec![
        every(T0, T0 + 30 * MIN, 30_000, Level::Error, "upstream slow"),
        every(
            T0 + 30 * MIN,
            T0 + 33 * MIN,
            1_000,
            Level::Error,
            "upstream slow",
        ),
    ]);
    for (t, l, m) in s {
        h.push(&ev(t, l, m));
    }
    let last = T0 + 33 * MIN;
    for k in 1..=60 {
        h.tick(last + k * 10_000);
    }
    let got = summary(&std::mem::take(&mut h.alerts));
    assert_eq!(
        got,
        vec![
            (
                AlertPhase::Start,
                FindingKind::Spike,
                "upstream slow".to_string()
            ),
            (
                AlertPhase::End,
                FindingKind::Spike,
                "upstream slow".to_string()
            ),
        ]
    );
}

#[test]
fn upstream_rate_limiting_and_route_failures_alert() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let mut evs: Vec<Event<'static>> = Vec::new();
    for i in 0..(40 * 6) {
        let t = T0 + i * 10_000;
        let mut ok = ev(t, Level::Info, "request completed");
        ok.http = Http {
            method: Some(Cow::Borrowed(b"POST")),
            path: Some(Cow::Borrowed(b"/api/v1/checkout")),
            status: Some(201),
            ..Http::default()
        };
        evs.push(ok);
        if i >= 20 * 6 {
            let mut rl = ev(t + 1, Level::Warn, "upstream rate limited");
            rl.http = Http {
                status: Some(429),
                upstream: Some(Cow::Borrowed(b"api.shipfast.example")),
                ..Http::default()
            };
            evs.push(rl);
            let mut fail = ev(t + 2, Level::Error, "request failed");
            fail.http = Http {
                method: Some(Cow::Borrowed(b"POST")),
                path: Some(Cow::Owned(
                    format!("/api/v1/orders/{}/pay?id={i}", 7000 + i).into_bytes(),
                )),
                status: Some(503),
                ..Http::default()
            };
            evs.push(fail);
        }
    }
    for e in &evs {
        h.push(e);
    }
    let alerts = h.finish();
    let kinds: Vec<(FindingKind, Option<String>, Option<String>)> = alerts
        .iter()
        .filter(|a| a.phase == AlertPhase::Start)
        .map(|a| {
            (
                a.finding.kind,
                a.finding.route.clone(),
                a.finding.upstream.clone(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&(
            FindingKind::RateLimited,
            None,
            Some("api.shipfast.example".into())
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(
            FindingKind::FailingRoute,
            // Named as the endpoint table names it (`route::normalize_path`).
            Some("POST /api/v1/orders/{id}/pay".into()),
            None
        )),
        "{kinds:?}"
    );
    for a in alerts
        .iter()
        .filter(|a| a.finding.kind != FindingKind::NewError)
    {
        let onset = a.finding.start.expect("start");
        assert!((onset - (T0 + 20 * MIN)).abs() <= MIN, "{:?}", a.finding);
    }
}

/// An upstream named only in the error's text (`Error 111 connecting to
/// redis-master:6379. Connection refused.`, no structured field), as the batch endpoint
/// table reads it: a live upstream alert, its normal rate none (nothing of it before) and no
/// ratio against the detector's prior. The same words in an info line, or a request's own
/// 5xx line, are no upstream's trouble.
#[test]
fn an_upstream_named_in_error_messages_alerts_with_no_normal_rate() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let mut evs: Vec<Event<'static>> = Vec::new();
    for i in 0..(40 * 6) {
        let t = T0 + i * 10_000;
        evs.push(ev(t, Level::Info, "cache warm"));
        evs.push(ev(
            t + 1,
            Level::Info,
            "retrying: Connection refused by backup-cache:6379",
        ));
        if (20 * 6..30 * 6).contains(&i) {
            evs.push(ev(
                t + 2,
                Level::Error,
                "cache lookup failed: Error 111 connecting to redis-master:6379. Connection refused.",
            ));
            let mut own = ev(
                t + 3,
                Level::Error,
                "GET /api/orders/7 HTTP/1.1 503 Service Unavailable",
            );
            own.http = Http {
                method: Some(Cow::Borrowed(b"GET")),
                path: Some(Cow::Borrowed(b"/api/orders/7")),
                status: Some(503),
                ..Http::default()
            };
            evs.push(own);
        }
    }
    for e in &evs {
        h.push(e);
    }
    let alerts = h.finish();
    let ups: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.finding.upstream.is_some())
        .collect();
    assert_eq!(ups.len(), 2, "{:?}", summary(&alerts));
    let (start, end) = (&ups[0].finding, &ups[1].finding);
    assert_eq!(
        (ups[0].phase, ups[1].phase),
        (AlertPhase::Start, AlertPhase::End)
    );
    assert_eq!(start.kind, FindingKind::UpstreamTimeout);
    assert_eq!(start.upstream.as_deref(), Some("redis-master:6379"));
    assert_eq!(start.title, "Connections failing to redis-master:6379");
    assert!((start.start.expect("start") - (T0 + 20 * MIN)).abs() <= MIN);
    assert_eq!(start.baseline_rate, Some(0.0));
    // The start alert's numbers are those of its own moment: the events since the onset, at
    // the rate they came in since then (one every 10 s), not spread over a window that began
    // before the onset or whose last bucket is still filling.
    let since = (ups[0].at - start.start.expect("start")) as f64 / 60_000.0;
    assert!(
        start.rate.is_some_and(
            |r| (r - start.count as f64 / since).abs() < 1e-9 && (5.0..=7.0).contains(&r)
        ),
        "{} events in {since} min, {:?}/min",
        start.count,
        start.rate
    );
    assert_eq!(end.count, 60);
    let line = super::render::alert_line(ups[0]);
    assert!(line.contains("/min (normal: none)"), "{line}");
    assert!(!line.contains("(x"), "{line}");
}

/// An app's JSON call records (the upstream in a field) and its plain error lines (the host
/// in the text) report the same failing calls: one alert, with one log's count, as the
/// batch table counts an upstream per kind of log.
#[test]
fn an_upstream_failing_in_two_views_alerts_once() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    for i in 0..(40 * 6) {
        let t = T0 + i * 10_000;
        h.push(&ev(t, Level::Info, "tick"));
        if (20 * 6..30 * 6).contains(&i) {
            let mut rec = ev(t + 1, Level::Error, "upstream call timed out");
            rec.http.upstream = Some(Cow::Borrowed(b"payments.example"));
            h.push_view(&rec, "json");
            h.push_view(
                &ev(
                    t + 2,
                    Level::Error,
                    "Payment failed: upstream payments.example timed out after 30000ms",
                ),
                "plain",
            );
        }
    }
    let alerts = h.finish();
    let ups: Vec<(AlertPhase, u64)> = alerts
        .iter()
        .filter(|a| a.finding.upstream.as_deref() == Some("payments.example"))
        .map(|a| (a.phase, a.finding.count))
        .collect();
    assert_eq!(ups.len(), 2, "{:?}", summary(&alerts));
    assert_eq!(ups[0].0, AlertPhase::Start);
    assert_eq!(ups[1], (AlertPhase::End, 60));
}

/// A failing route whose requests pause for four minutes (no events at all) has not
/// recovered: one start, one end after the failures really stop, not an end in the pause
/// and silence while it fails again.
#[test]
fn a_pause_in_the_traffic_does_not_end_a_failing_route() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let mut evs: Vec<Event<'static>> = Vec::new();
    for i in 0..(60 * 30) {
        let t = T0 + i * 2_000;
        let m = (t - T0) / MIN;
        if (30..34).contains(&m) {
            continue;
        }
        let failing = (22..50).contains(&m) && i % 3 == 0 || i % 150 == 0;
        evs.push(checkout(t, if failing { 503 } else { 200 }));
    }
    for e in &evs {
        h.push(e);
    }
    let alerts = h.finish();
    let route: Vec<_> = alerts
        .iter()
        .filter(|a| a.finding.kind == FindingKind::FailingRoute)
        .collect();
    assert_eq!(route.len(), 2, "{route:#?}");
    assert_eq!(route[0].phase, AlertPhase::Start);
    assert_eq!(route[1].phase, AlertPhase::End);
    let end = route[1].finding.end.expect("an end");
    assert!(end >= T0 + 49 * MIN, "ended at {}", (end - T0) / 1000);
    // The failed requests' own records ("request completed" at error level) are the route's
    // failures: no second alert as a spike of their template.
    assert!(
        alerts.iter().all(|a| a.finding.kind != FindingKind::Spike),
        "{alerts:#?}"
    );
}

/// A give-up record (`"attempts": 3`) after logged attempts is not one more trouble call:
/// the host whose attempts are logged gets no failure track of its give-ups, and its
/// rate-limit count is the attempts'; a host known only from give-ups still alerts.
#[test]
fn give_up_records_after_logged_attempts_are_not_counted_again() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let gave_up = |t: i64, host: &'static [u8]| {
        let mut e = ev(t, Level::Error, "upstream call failed");
        e.http.upstream = Some(Cow::Borrowed(host));
        e.fields = vec![
            (
                Cow::Borrowed(&b"error"[..]),
                Cow::Borrowed(&b"503 Service Unavailable"[..]),
            ),
            (Cow::Borrowed(&b"attempts"[..]), Cow::Borrowed(&b"3"[..])),
        ];
        e
    };
    let mut evs: Vec<Event<'static>> = Vec::new();
    let mut attempts = 0;
    for i in 0..(40 * 6) {
        let t = T0 + i * 10_000;
        evs.push(ev(t, Level::Info, "request completed"));
        if (20 * 6..30 * 6).contains(&i) {
            for a in 0..3 {
                let mut rl = ev(t + 1 + a, Level::Warn, "upstream rate limited");
                rl.http.status = Some(429);
                rl.http.upstream = Some(Cow::Borrowed(b"api.shipfast.example"));
                evs.push(rl);
                attempts += 1;
            }
            evs.push(gave_up(t + 5, b"api.shipfast.example"));
            evs.push(gave_up(t + 6, b"payments.example.com"));
        }
    }
    for e in &evs {
        h.push(e);
    }
    let alerts = h.finish();
    let of = |host: &str, kind: FindingKind| {
        alerts
            .iter()
            .filter(|a| a.finding.kind == kind && a.finding.upstream.as_deref() == Some(host))
            .collect::<Vec<_>>()
    };
    assert!(
        of("api.shipfast.example", FindingKind::UpstreamFailure).is_empty(),
        "{alerts:?}"
    );
    let rate = of("api.shipfast.example", FindingKind::RateLimited);
    let end = rate
        .iter()
        .find(|a| a.phase == AlertPhase::End)
        .expect("the rate limiting ends");
    assert_eq!(end.finding.count, attempts, "{:?}", end.finding);
    assert!(
        !of("payments.example.com", FindingKind::UpstreamFailure).is_empty(),
        "{alerts:?}"
    );
}

/// The proxy and the app both log every request, failing in minutes `access` and `json`
/// (10 s apart): the route's alerts (checked to be one start and one end), and the failures
/// of the access view.
fn two_view_route_alerts(
    access: std::ops::Range<i64>,
    json: std::ops::Range<i64>,
) -> (Vec<Alert>, u64) {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let request = |t: i64, status: u16| {
        let mut e = ev(
            t,
            if status >= 500 {
                Level::Error
            } else {
                Level::Info
            },
            "request",
        );
        e.http = Http {
            method: Some(Cow::Borrowed(b"POST")),
            path: Some(Cow::Borrowed(b"/api/v1/checkout")),
            status: Some(status),
            ..Http::default()
        };
        e
    };
    let mut failures = 0u64;
    for i in 0..(60 * 6) {
        let t = T0 + i * 10_000;
        let m = i / 6;
        failures += u64::from(access.contains(&m));
        let status = |r: &std::ops::Range<i64>| if r.contains(&m) { 503 } else { 201 };
        h.push_view(&request(t, status(&access)), "access");
        h.push_view(&request(t + 1, status(&json)), "json");
    }
    let route: Vec<Alert> = h
        .finish()
        .into_iter()
        .filter(|a| a.finding.kind == FindingKind::FailingRoute)
        .collect();
    // One condition, one alert and its end.
    let phases: Vec<AlertPhase> = route.iter().map(|a| a.phase).collect();
    assert_eq!(
        phases,
        vec![AlertPhase::Start, AlertPhase::End],
        "{route:#?}"
    );
    (route, failures)
}

/// A route failing in two views is one alert, counted from one view (not the sum of the
/// logs that saw it), and ends once.
#[test]
fn a_route_failing_in_two_views_alerts_once_with_one_views_count() {
    let (route, failures) = two_view_route_alerts(20..30, 20..30);
    assert_eq!(
        route[0].finding.route.as_deref(),
        Some("POST /api/v1/checkout")
    );
    let counted = route[1].finding.count;
    assert!(
        counted <= failures && counted + 6 >= failures,
        "{counted} counted for {failures} failed requests"
    );
}

/// When the alerting view recovers while another still fails, the alert stays open and
/// ends when the last view recovers.
#[test]
fn a_route_alert_ends_when_the_last_view_recovers() {
    let (route, _) = two_view_route_alerts(20..26, 20..34);
    let end = route[1].finding.end.expect("end");
    assert!(
        (end - (T0 + 34 * MIN)).abs() <= 2 * MIN,
        "ended {}",
        (end - T0) / MIN
    );
}

#[test]
fn reclustering_moves_state_to_the_new_template() {
    // Two signatures first mapped to their own templates, then clustered into one: the
    // merged template keeps the counts of both.
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut live = Live::new(cfg, Box::new(PoissonDetector::new(10_000)));
    let sep = |n: usize| TemplateMap {
        by_sig: (0..n as u32).collect(),
        list: (0..n)
            .map(|i| TplInfo {
                id: format!("t{i}"),
                text: format!("tpl {i}"),
                first_time: Some(T0),
                known: true,
                provisional: false,
                count: 100,
                level: Some(Level::Error),
            })
            .collect(),
    };
    for i in 0..20 {
        for sig in 0..2u32 {
            live.observe(&obs(T0 + i * 1_000, sig));
        }
    }
    live.tick(T0 + 3 * MIN, &mut || sep(2));
    assert_eq!(live.template_counts("t0"), Some((20, 20)));
    assert_eq!(live.template_counts("t1"), Some((20, 20)));
    let merged = TemplateMap {
        by_sig: vec![0, 0],
        list: vec![TplInfo {
            id: "both".into(),
            text: "tpl <*>".into(),
            first_time: Some(T0),
            known: true,
            provisional: false,
            count: 200,
            level: Some(Level::Error),
        }],
    };
    live.set_templates(&merged);
    // The merged track has all 40 events in its window; the old tracks are gone.
    assert_eq!(live.template_counts("both"), Some((40, 40)));
    assert_eq!(live.template_counts("t0"), None);
    assert_eq!(live.template_counts("t1"), None);
    // Later events of either signature count to the merged template, and nothing panics on
    // the old, merged-away slots.
    for i in 0..5 {
        live.observe(&obs(T0 + 4 * MIN + i, 1));
    }
    live.tick(T0 + 6 * MIN, &mut || merged.clone());
    assert_eq!(live.template_counts("both"), Some((45, 45)));
    assert!(live.take_alerts().is_empty());
    // A burst (after the ten minutes of history a spike needs) is alerted on the merged
    // template, not on either old one.
    for i in 0..300 {
        live.observe(&obs(T0 + 20 * MIN + i * 200, (i % 2) as u32));
    }
    live.tick(T0 + 22 * MIN, &mut || merged.clone());
    let alerts = live.take_alerts();
    assert!(!alerts.is_empty(), "no alert for the burst");
    for a in &alerts {
        assert_eq!(a.finding.template_id.as_deref(), Some("both"), "{a:#?}");
    }
    assert_eq!(live.template_counts("both").map(|c| c.0), Some(345));
}

#[test]
fn provisional_templates_are_not_reported_new_until_clustered() {
    let mut live = Live::new(
        LiveConfig::default(),
        Box::new(PoissonDetector::new(10_000)),
    );
    let info = |id: &str, first: i64, provisional: bool| TplInfo {
        id: id.into(),
        text: id.into(),
        first_time: Some(first),
        known: false,
        provisional,
        count: 100,
        level: Some(Level::Error),
    };
    // Two hours of one known error, then a new signature at T+2h.
    for m in 0..120 {
        live.observe(&obs(T0 + m * MIN, 0));
    }
    let new_at = T0 + 120 * MIN;
    live.observe(&obs(new_at, 1));
    let provisional = TemplateMap {
        by_sig: vec![0, 1],
        list: vec![info("known", T0, false), info("variant", new_at, true)],
    };
    live.tick(new_at + MIN, &mut || provisional.clone());
    assert!(
        live.take_alerts().is_empty(),
        "a stand-in template is not news"
    );
    // The real clustering puts the variant into the known template: still nothing.
    let merged = TemplateMap {
        by_sig: vec![0, 0],
        list: vec![info("known", T0, false)],
    };
    live.set_templates(&merged);
    live.observe(&obs(new_at + 2 * MIN, 1));
    live.tick(new_at + 4 * MIN, &mut || merged.clone());
    assert!(live.take_alerts().is_empty());
    // A signature that really is a new template, an error right after a deploy, is
    // reported once clustered.
    live.observe(&obs(new_at + 5 * MIN, 2));
    let deploy = TplInfo {
        count: 1,
        level: Some(Level::Info),
        ..info("Deploying version 2.4.1", new_at + 4 * MIN, false)
    };
    let real = TemplateMap {
        by_sig: vec![0, 0, 1],
        list: vec![
            info("known", T0, false),
            info("brand new", new_at + 5 * MIN, false),
            deploy,
        ],
    };
    live.tick(new_at + 7 * MIN, &mut || real.clone());
    let alerts = live.take_alerts();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0].finding.kind, FindingKind::NewError);
    assert_eq!(alerts[0].finding.template_id.as_deref(), Some("brand new"));
}

#[test]
fn baseline_rates_let_spikes_alert_without_live_history() {
    let run = |seeded: bool| {
        let cfg = LiveConfig {
            warmup_ms: 0,
            ..LiveConfig::default()
        };
        let mut h = Harness::new(cfg);
        if seeded {
            // Yesterday: one "db timeout" a minute among 60 events a minute, for 6 hours.
            let mut rates = FxHashMap::default();
            rates.insert(template_id("db timeout"), 1.0 / 60_000.0);
            h.live.seed(6 * 60 * MIN, 61.0 / 60_000.0, rates);
        }
        h.known = vec!["db timeout".into(), "request handled".into()];
        let s = script(vec![
            every(T0, T0 + 10 * MIN, 1_000, Level::Info, "request handled"),
            every(T0, T0 + 10 * MIN, 5_000, Level::Error, "db timeout"),
        ]);
        for (t, l, m) in s {
            h.push(&ev(t, l, m));
        }
        h.finish()
    };
    let seeded = run(true);
    assert!(
        !seeded.is_empty(),
        "12/min against a known 1/min is a spike"
    );
    assert_eq!(seeded[0].finding.kind, FindingKind::Spike);
    assert!(
        seeded[0].at <= T0 + 2 * MIN,
        "alerted at +{}s",
        (seeded[0].at - T0) / 1000
    );
    assert!(
        run(false).is_empty(),
        "without history nothing is known to be abnormal"
    );
}

/// A warning that comes in similar clumps at irregular times (a datanode's transfer warnings)
/// is alerted for its first clumps only: once three of them span hours, the next one of that
/// size is its habit. A clump three times the usual size is alerted after all, when it gets
/// there, with the usual size in the finding.
#[test]
fn a_template_that_comes_in_clumps_stops_alerting_once_that_is_its_habit() {
    const MSG: &str = "transfer to datanode interrupted";
    let clump = |at: i64, n: i64| -> Vec<(i64, Level, &'static str)> {
        (0..n)
            .map(|k| (T0 + at * MIN + k * (20 * MIN / n) + 300, Level::Warn, MSG))
            .collect()
    };
    let mut parts = vec![
        every(
            T0,
            T0 + 13 * 60 * MIN,
            2_000,
            Level::Info,
            "request handled",
        ),
        every(T0 + 1_000, T0 + 13 * 60 * MIN, 50 * MIN, Level::Warn, MSG),
    ];
    for (at, n) in [
        (100, 25),
        (250, 28),
        (330, 24),
        (480, 26),
        (600, 25),
        (700, 90),
    ] {
        parts.push(clump(at, n));
    }
    let mut h = Harness::new(LiveConfig::default());
    for (t, l, m) in script(parts) {
        h.push(&ev(t, l, m));
    }
    let alerts = h.finish();
    let starts: Vec<i64> = alerts
        .iter()
        .filter(|a| a.phase == AlertPhase::Start && a.finding.kind == FindingKind::Spike)
        .map(|a| (a.finding.start.unwrap_or(0) - T0) / MIN)
        .collect();
    assert_eq!(starts.len(), 4, "{starts:?} {:#?}", summary(&alerts));
    for (s, want) in starts.iter().zip([100, 250, 330, 700]) {
        assert!((want..want + 5).contains(s), "{starts:?}");
    }
    let last = alerts
        .iter()
        .rfind(|a| a.phase == AlertPhase::Start)
        .map(|a| &a.finding)
        .unwrap_or_else(|| panic!("{:#?}", summary(&alerts)));
    assert!(last.count > 75, "{last:#?}");
    assert!(
        last.notes
            .iter()
            .any(|n| n.starts_with("this template comes in clumps of ~2")),
        "{last:#?}"
    );
    // Every spike alerted ends, and nothing else is alerted.
    let ends = alerts.iter().filter(|a| a.phase == AlertPhase::End).count();
    assert_eq!(ends, 4, "{:#?}", summary(&alerts));
    assert_eq!(alerts.len(), 8, "{:#?}", summary(&alerts));
}

/// An access log's failing requests are the route's alert, named by route: the request-line
/// template they share (`POST <PATH> HTTP/<NUM>`) does not alert a spike of its own.
#[test]
fn request_line_templates_leave_failures_to_the_route() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    for i in 0..(90 * 6) {
        let t = T0 + i * 10_000;
        let m = i / 6;
        // A 503 every ten minutes for an hour and a half, then half of them for 20 minutes.
        let failing = (60..80).contains(&m) && i % 2 == 0 || i % 60 == 7;
        let mut e = ev(
            t,
            if failing { Level::Error } else { Level::Info },
            "POST <PATH> HTTP/<NUM>",
        );
        e.http = Http {
            method: Some(Cow::Borrowed(b"POST")),
            path: Some(Cow::Borrowed(b"/api/v1/checkout")),
            status: Some(if failing { 503 } else { 201 }),
            ..Http::default()
        };
        h.push_view(&e, "access");
    }
    let alerts = h.finish();
    let kinds: Vec<(AlertPhase, FindingKind)> =
        alerts.iter().map(|a| (a.phase, a.finding.kind)).collect();
    assert!(
        kinds.contains(&(AlertPhase::Start, FindingKind::FailingRoute)),
        "{kinds:?}"
    );
    assert!(
        !kinds.iter().any(|k| k.1 == FindingKind::Spike),
        "{:#?}",
        summary(&alerts)
    );
}

#[test]
fn a_far_future_timestamp_does_not_walk_the_gap_bucket_by_bucket() {
    // A garbled stamp a year ahead, then a normal event: the clock jumps, and the year of
    // empty buckets before the far one is skipped, not closed one at a time (with
    // `9999-12-31` it never ended).
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let far = T0 + 365 * 86_400_000;
    h.push(&ev(T0, Level::Info, "tick"));
    h.push(&ev(far, Level::Error, "garbled"));
    h.push(&ev(T0 + 1_000, Level::Info, "tick"));
    h.tick(far);
    assert!(
        h.live.stats().buckets_closed < 1_000,
        "{:?}",
        h.live.stats()
    );
    h.finish();
    assert!(
        h.live.stats().buckets_closed < 1_000,
        "{:?}",
        h.live.stats()
    );
}

/// A route's alert shows failures of its own time: not a background failure from two
/// minutes before it, still among the recent examples when the condition starts.
#[test]
fn an_alerts_examples_are_from_its_own_time() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let mut evs: Vec<Event<'static>> = Vec::new();
    for i in 0..(60 * 30) {
        let t = T0 + i * 2_000;
        let failing = i == 38 * 30 || (i >= 40 * 30 && i % 2 == 0);
        evs.push(checkout(t, if failing { 503 } else { 201 }));
    }
    for e in &evs {
        h.push(e);
    }
    let alerts = h.finish();
    let start = alerts
        .iter()
        .find(|a| a.phase == AlertPhase::Start && a.finding.kind == FindingKind::FailingRoute)
        .unwrap_or_else(|| panic!("no route alert: {:?}", summary(&alerts)));
    let onset = start.finding.start.expect("start");
    assert!(onset >= T0 + 39 * MIN, "{:?}", start.finding);
    assert!(!start.finding.examples.is_empty());
    for e in &start.finding.examples {
        assert!(e.time.is_some_and(|t| t >= onset), "{e:?} before {onset}");
    }
}

/// Calls that name their upstream in a field and their trouble only in an error field, in
/// a client library's words (`socket hang up`): the live tracker reads them as the batch
/// table does (refused or reset), not by a keyword list of its own that missed them; and a
/// call that merely logs "failed" at info level is no failure in either.
#[test]
fn a_structured_calls_error_field_is_read_as_the_batch_table_reads_it() {
    let cfg = LiveConfig {
        warmup_ms: 0,
        ..LiveConfig::default()
    };
    let mut h = Harness::new(cfg);
    let call = |t: i64, level: Level, msg: &'static str, error: Option<&'static str>| {
        let mut e = ev(t, level, msg);
        e.http.upstream = Some(Cow::Borrowed(b"rates.partner.example"));
        if let Some(err) = error {
            e.fields = vec![(Cow::Borrowed(&b"error"[..]), Cow::Borrowed(err.as_bytes()))];
        }
        e
    };
    let mut evs: Vec<Event<'static>> = Vec::new();
    for i in 0..(40 * 6) {
        let t = T0 + i * 10_000;
        evs.push(ev(t, Level::Info, "request completed"));
        evs.push(call(
            t + 1,
            Level::Info,
            "lookup failed over to cache",
            None,
        ));
        if (20 * 6..30 * 6).contains(&i) {
            evs.push(call(
                t + 2,
                Level::Warn,
                "rates call",
                Some("socket hang up"),
            ));
        }
    }
    for e in &evs {
        h.push(e);
    }
    let alerts = h.finish();
    let ups: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.finding.upstream.as_deref() == Some("rates.partner.example"))
        .collect();
    assert_eq!(ups.len(), 2, "{:?}", summary(&alerts));
    assert_eq!(ups[0].finding.kind, FindingKind::UpstreamTimeout);
    assert_eq!(
        ups[0].finding.title,
        "Connections failing to rates.partner.example"
    );
    assert!((ups[0].finding.start.expect("start") - (T0 + 20 * MIN)).abs() <= MIN);
    assert_eq!(ups[1].phase, AlertPhase::End);
    assert_eq!(ups[1].finding.count, 60);
}
