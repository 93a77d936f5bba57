//! Endpoint detection on constructed summaries (events built directly, as the real parsers
//! will produce them).

use std::borrow::Cow;

use super::*;
use crate::endpoints::EndpointTable;
use crate::record::{Event, Http};
use crate::summary::series::resolution_for;
use crate::testrng::Lcg;

const T0: i64 = 1_764_000_000_000;

struct Req {
    t: i64,
    method: &'static str,
    path: String,
    status: u16,
    ms: f64,
}

fn summary_of(reqs: &[Req], messages: &[(i64, &'static str)]) -> Summary {
    let mut sum = Summary::default();
    let tmin = reqs
        .iter()
        .map(|r| r.t)
        .chain(messages.iter().map(|m| m.0))
        .min()
        .unwrap();
    let tmax = reqs
        .iter()
        .map(|r| r.t)
        .chain(messages.iter().map(|m| m.0))
        .max()
        .unwrap();
    let res = resolution_for(tmax - tmin);
    let mut t = EndpointTable::default();
    t.begin_chunk(
        &std::sync::Arc::from("scenario.log"),
        crate::record::Format::Json,
    );
    for (i, r) in reqs.iter().enumerate() {
        let mut ev = Event::bare(i as u64 + 1, r.path.as_bytes());
        ev.time = Some(r.t);
        ev.http = Http {
            method: Some(Cow::Borrowed(r.method.as_bytes())),
            path: Some(Cow::Borrowed(r.path.as_bytes())),
            status: Some(r.status),
            latency_ms: Some(r.ms),
            upstream: None,
        };
        t.observe(&ev, u32::MAX, None);
    }
    for (i, (time, msg)) in messages.iter().enumerate() {
        let mut ev = Event::bare(100_000 + i as u64, msg.as_bytes());
        ev.time = Some(*time);
        t.observe(&ev, u32::MAX, Some(Level::Error));
    }
    t.finish_chunk(res);
    // Every event in the level series, as the summary builder counts them: requests at
    // info, messages at error.
    let mut info: Vec<i64> = reqs.iter().map(|r| r.t.div_euclid(res)).collect();
    let mut error: Vec<i64> = messages.iter().map(|m| m.0.div_euclid(res)).collect();
    sum.level_series[Level::Info.index()] = Series::from_buckets(&mut info);
    sum.level_series[Level::Error.index()] = Series::from_buckets(&mut error);
    sum.resolution_ms = res;
    sum.time_min = Some(tmin);
    sum.time_max = Some(tmax);
    sum.events = (reqs.len() + messages.len()) as u64;
    sum.endpoints = t;
    sum
}

/// 60 minutes; checkout fails 40% from minute 40; one rare route fails once; orders fine.
fn scenario() -> (Vec<Req>, Vec<(i64, &'static str)>) {
    let mut reqs = Vec::new();
    let mut rng = Lcg(7);
    for s in 0..3600i64 {
        let t = T0 + s * 1000;
        let r = rng.next() % 100;
        reqs.push(Req {
            t,
            method: "GET",
            path: format!("/api/v1/orders/{}", 10_000 + s),
            status: 200,
            ms: 10.0 + r as f64,
        });
        if s % 2 == 0 {
            let failing = s >= 2400 && r < 40;
            reqs.push(Req {
                t,
                method: "POST",
                path: "/api/v1/checkout".into(),
                status: if failing { 502 } else { 200 },
                ms: 80.0 + r as f64,
            });
        }
    }
    reqs.push(Req {
        t: T0 + 100_000,
        method: "GET",
        path: "/admin/rare".into(),
        status: 500,
        ms: 5.0,
    });
    let mut msgs = Vec::new();
    for k in 0..30 {
        msgs.push((
            T0 + 2_700_000 + k * 20_000,
            "Call to payments.example.com timed out after 30000ms",
        ));
    }
    (reqs, msgs)
}

#[test]
fn failing_route_and_upstream_head_the_findings_with_onset() {
    let (reqs, msgs) = scenario();
    let sum = summary_of(&reqs, &msgs);
    let a = analyze(&sum, None);
    assert_eq!(a.report.routes[0].key, "POST /api/v1/checkout");
    let f = &a.findings;
    assert!(f.len() >= 2, "{f:#?}");
    let kinds: Vec<FindingKind> = f.iter().take(2).map(|x| x.kind).collect();
    assert!(kinds.contains(&FindingKind::FailingRoute), "{kinds:?}");
    assert!(kinds.contains(&FindingKind::UpstreamTimeout), "{kinds:?}");
    let fr = f
        .iter()
        .find(|x| x.kind == FindingKind::FailingRoute)
        .unwrap();
    assert_eq!(fr.route.as_deref(), Some("POST /api/v1/checkout"));
    // Onset at minute 40, within a few buckets (the first failure may come a bit after).
    let onset = fr.start.unwrap();
    assert!(
        (onset - (T0 + 2_400_000)).abs() <= 10_000,
        "onset {}",
        onset - T0
    );
    assert_eq!(fr.end, None);
    // 40% of 30 checkouts a minute fail: about 12 a minute, a share near 0.4.
    let share = fr.details["share"].as_f64().unwrap();
    assert!(share > 0.3 && share < 0.5, "{share}");
    assert!(
        fr.rate.unwrap() > 8.0 && fr.rate.unwrap() < 16.0,
        "{:?}",
        fr.rate
    );
    assert_eq!(fr.baseline_rate, Some(0.0));
    assert!(fr.factor.unwrap() > 10.0);
    assert!(!fr.series.is_empty());
    assert_eq!(fr.details["statuses"][0]["status"], 200);
    // Its examples are from the failing stretch: no note about them.
    assert!(!fr.notes.iter().any(|n| n.contains("from before the onset")));
    let up = f
        .iter()
        .find(|x| x.kind == FindingKind::UpstreamTimeout)
        .unwrap();
    assert_eq!(up.upstream.as_deref(), Some("payments.example.com"));
    assert_eq!(up.count, 30);
    assert_eq!(up.start, Some(T0 + 2_700_000));
    // The single failure on a rare route ranks below both (or is not reported at all).
    if let Some(pos) = f
        .iter()
        .position(|x| x.route.as_deref() == Some("GET /admin/rare"))
    {
        assert!(pos >= 2);
    }
}

/// Three background failures early on are the route's first failing requests; the uniform
/// sample of failing requests gives evidence from inside the failure, which comes first.
#[test]
fn route_evidence_comes_from_inside_the_failure() {
    let (mut reqs, msgs) = scenario();
    for s in [100i64, 500, 900] {
        reqs.push(Req {
            t: T0 + s * 1000,
            method: "POST",
            path: "/api/v1/checkout".into(),
            status: 500,
            ms: 90.0,
        });
    }
    reqs.sort_by_key(|r| r.t);
    let sum = summary_of(&reqs, &msgs);
    let f = detect(&sum, None);
    let fr = f
        .iter()
        .find(|x| x.kind == FindingKind::FailingRoute)
        .unwrap_or_else(|| panic!("no failing route: {f:#?}"));
    // The earliest failing requests are all before the onset...
    let route = &analyze(&sum, None).report.routes[0];
    assert_eq!(route.key, "POST /api/v1/checkout");
    let early = route.fail_examples();
    assert!(!early.is_empty());
    assert!(early.iter().all(|e| e.time.is_some() && e.time < fr.start));
    // ...but the evidence shown starts inside it, in time order.
    assert!(fr.examples[0].time >= fr.start, "{:?}", fr.examples);
    assert!(!fr.notes.iter().any(|n| n.contains("from before the onset")));
}

/// Timeouts now and then all hour, then a burst: the title counts the burst (the count column's
/// number) against the total, and the evidence is from inside the burst, not the first
/// background timeouts.
#[test]
fn upstream_burst_title_and_evidence_are_the_bursts() {
    let (reqs, _) = scenario();
    let mut msgs = Vec::new();
    for k in 0..8 {
        msgs.push((
            T0 + 60_000 + k * 240_000,
            "Call to payments.example.com timed out after 30000ms",
        ));
    }
    for k in 0..40 {
        msgs.push((
            T0 + 3_000_000 + k * 15_000,
            "Call to payments.example.com timed out after 30000ms",
        ));
    }
    let sum = summary_of(&reqs, &msgs);
    let f = detect(&sum, None);
    let up = f
        .iter()
        .find(|x| x.kind == FindingKind::UpstreamTimeout)
        .unwrap_or_else(|| panic!("no upstream finding: {f:#?}"));
    let start = up.start.unwrap();
    assert!((start - (T0 + 3_000_000)).abs() <= 60_000, "{}", start - T0);
    assert_eq!(up.count, 40, "{up:#?}");
    assert_eq!(up.details["outside_window"], 8);
    assert_eq!(
        up.title,
        "payments.example.com: 40 timeouts in 10m (48 timeouts in all)"
    );
    // The first kept timeouts are the background ones...
    let u = &analyze(&sum, None).report.upstreams[0];
    let early = &u.stats.timeout_examples;
    assert!(!early.is_empty());
    assert!(early.iter().all(|e| e.time.is_some() && e.time < up.start));
    // ...the evidence shown is from the burst.
    assert!(up.examples[0].time >= up.start, "{:?}", up.examples);
    assert!(!up.notes.iter().any(|n| n.contains("from before the onset")));
}

/// When nothing kept is from the finding's time, the examples say where they are from.
#[test]
fn route_examples_from_before_the_onset_are_named_as_such() {
    let ex = |t: i64, line: u64| Example {
        source: std::sync::Arc::from("a.log"),
        line,
        time: Some(t),
        text: format!("req {line}").into(),
        level: None,
    };
    let earliest = [ex(10, 1), ex(20, 2), ex(30, 3)];
    let sample = [ex(500, 50), ex(25, 2)];
    // The sampled request at 500 is inside a finding from 400: it alone is shown, not made
    // up to three with requests from before the onset that nothing would tell apart.
    let got = examples_from(Some(400), None, &earliest, sample.iter());
    let lines: Vec<u64> = got.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![50]);
    // From 20 on: the earliest at 20 and 30, the sampled 500 (the sampled 25 is line 2 again).
    let got = examples_from(Some(20), None, &earliest, sample.iter());
    let lines: Vec<u64> = got.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3, 50]);
    // From 600 nothing kept is inside: the earliest, with a note.
    let mut f = Finding::new(FindingKind::FailingRoute, "x");
    f.start = Some(600);
    f.examples = examples_from(f.start, f.end, &earliest, sample.iter());
    assert_eq!(f.examples.len(), 3);
    note_examples_before_onset(&mut f, "route's first failing requests");
    assert_eq!(
        f.notes,
        vec!["examples are this route's first failing requests, from before the onset"]
    );
}

#[test]
fn percentiles_match_direct_computation() {
    let (reqs, msgs) = scenario();
    let sum = summary_of(&reqs, &msgs);
    let a = analyze(&sum, None);
    let orders = a
        .report
        .routes
        .iter()
        .find(|r| r.key == "GET /api/v1/orders/{id}")
        .unwrap();
    let mut lat: Vec<f64> = reqs
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/v1/orders/"))
        .map(|r| r.ms)
        .collect();
    lat.sort_by(f64::total_cmp);
    let nr = |q: f64| lat[((q * lat.len() as f64).ceil() as usize).max(1) - 1];
    let p = orders.latency.as_ref().unwrap();
    for (got, q) in [(p.p50, 0.5), (p.p90, 0.9), (p.p99, 0.99), (p.max, 1.0)] {
        let exact = nr(q);
        assert!(
            (got - exact).abs() / exact <= 0.01,
            "q{q}: {got} vs {exact}"
        );
    }
}

#[test]
fn latency_regression_found_with_onset() {
    let mut reqs = Vec::new();
    for s in 0..1800i64 {
        let slow = s >= 1200;
        // A few outliers long before the onset, slower than anything in the regression.
        let outlier = s % 400 == 77;
        reqs.push(Req {
            t: T0 + s * 1000,
            method: "GET",
            path: "/search".into(),
            status: 200,
            ms: if outlier {
                5000.0
            } else if slow {
                400.0 + (s % 50) as f64
            } else {
                20.0 + (s % 10) as f64
            },
        });
    }
    let sum = summary_of(&reqs, &[]);
    let f = detect(&sum, None);
    let lr = f
        .iter()
        .find(|x| x.kind == FindingKind::LatencyRegression)
        .expect("latency finding");
    assert_eq!(lr.route.as_deref(), Some("GET /search"));
    let onset = lr.start.unwrap();
    assert!(
        (onset - (T0 + 1_200_000)).abs() <= 60_000,
        "onset {}",
        onset - T0
    );
    assert!(lr.factor.unwrap() > 5.0);
    assert!(!f.iter().any(|x| x.kind == FindingKind::FailingRoute));
    // The evidence is slow requests of the regression, not the route's first (fast) ones
    // nor the outliers.
    assert!(!lr.examples.is_empty());
    for e in &lr.examples {
        let r = &reqs[e.line as usize - 1];
        assert!(
            r.t >= onset && (400.0..450.0).contains(&r.ms),
            "{e:?}: {} ms",
            r.ms
        );
    }
    assert!(!lr.notes.iter().any(|n| n.contains("before the onset")));
}

#[test]
fn steady_healthy_traffic_has_no_findings() {
    let mut reqs = Vec::new();
    for s in 0..1800i64 {
        reqs.push(Req {
            t: T0 + s * 1000,
            method: "GET",
            path: format!("/items/{}", s % 97),
            status: if s % 500 == 0 { 500 } else { 200 },
            ms: 20.0 + (s % 13) as f64,
        });
    }
    let sum = summary_of(&reqs, &[]);
    let f = detect(&sum, None);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn compare_against_baseline() {
    let (reqs, msgs) = scenario();
    let cur = summary_of(&reqs, &msgs);
    let base_reqs: Vec<Req> = reqs
        .iter()
        .map(|r| Req {
            t: r.t - 86_400_000,
            method: r.method,
            path: r.path.clone(),
            status: 200,
            ms: r.ms,
        })
        .collect();
    let base = summary_of(&base_reqs, &[]);
    let f = compare(&base, &cur, None);
    let fr = f
        .iter()
        .find(|x| x.kind == FindingKind::FailingRoute)
        .expect("failing route");
    assert_eq!(fr.route.as_deref(), Some("POST /api/v1/checkout"));
    assert_eq!(fr.baseline_rate, Some(0.0));
    assert_eq!(fr.details["baseline_share"].as_f64(), Some(0.0));
    assert!(f.iter().any(|x| x.kind == FindingKind::UpstreamTimeout));
    // Nothing changed between two identical windows.
    assert!(compare(&cur, &cur, None).is_empty());
}

#[test]
fn rate_limited_upstream_from_messages() {
    let msgs: Vec<(i64, &'static str)> = (0..20)
        .map(|k| {
            (
                T0 + 600_000 + k * 5_000,
                "HTTP 429 Too Many Requests from api.partner.com, Retry-After: 30",
            )
        })
        .collect();
    let reqs = vec![Req {
        t: T0,
        method: "GET",
        path: "/".into(),
        status: 200,
        ms: 1.0,
    }];
    let sum = summary_of(&reqs, &msgs);
    let f = detect(&sum, None);
    let rl = f
        .iter()
        .find(|x| x.kind == FindingKind::RateLimited)
        .expect("rate limited");
    assert_eq!(rl.upstream.as_deref(), Some("api.partner.com"));
    assert_eq!(rl.count, 20);
    assert_eq!(rl.details["retry_after_max_s"], 30);
    assert!(rl.factor.unwrap() > 1.0);
}

#[test]
fn compare_finds_slower_successful_requests() {
    let mk = |t0: i64, base_ms: f64| -> Vec<Req> {
        (0..600i64)
            .map(|s| Req {
                t: t0 + s * 1000,
                method: "GET",
                path: "/search".into(),
                status: 200,
                ms: base_ms + (s % 10) as f64,
            })
            .collect()
    };
    let base = summary_of(&mk(T0 - 86_400_000, 20.0), &[]);
    let cur = summary_of(&mk(T0, 300.0), &[]);
    let f = compare(&base, &cur, None);
    let lr = f
        .iter()
        .find(|x| x.kind == FindingKind::LatencyRegression)
        .expect("latency regression");
    assert_eq!(lr.route.as_deref(), Some("GET /search"));
    assert!(lr.factor.unwrap() > 8.0, "{:?}", lr.factor);
    assert_eq!(lr.count, 600);
    assert!(compare(&cur, &base, None).is_empty());
}

/// Requests: 2 a minute for three hours, then 20 a minute for three more; the provider fails
/// about one call in fifty all along, so its 5xx are ten times as frequent in the busy half.
fn traffic_day() -> (Vec<Req>, Vec<(i64, &'static str)>) {
    let mut reqs = Vec::new();
    let mut msgs = Vec::new();
    let mut n = 0u64;
    for minute in 0..360i64 {
        let per_min = if minute < 180 { 2 } else { 20 };
        for j in 0..per_min {
            let t = T0 + minute * 60_000 + j * (60_000 / per_min);
            reqs.push(Req {
                t,
                method: "POST",
                path: "/api/pay".into(),
                status: 200,
                ms: 20.0,
            });
            n += 1;
            if n.is_multiple_of(50) {
                msgs.push((
                    t + 1,
                    "request to https://billing.internal/v1/charge failed: status 503",
                ));
            }
        }
    }
    (reqs, msgs)
}

/// Trouble that rises with the traffic is a steady share of it, not a burst: no onset.
#[test]
fn upstream_trouble_following_the_traffic_has_no_onset() {
    let (reqs, msgs) = traffic_day();
    let sum = summary_of(&reqs, &msgs);
    let f = detect(&sum, None);
    let up = f
        .iter()
        .find(|x| x.kind == FindingKind::UpstreamFailure)
        .unwrap_or_else(|| panic!("no upstream finding: {f:#?}"));
    assert_eq!(up.count, msgs.len() as u64, "{up:#?}");
    assert!(up.end.is_none() && up.factor.is_none(), "{up:#?}");
    assert!(
        up.notes
            .iter()
            .any(|n| n.starts_with("follows the traffic")),
        "{:?}",
        up.notes
    );
    // Against time alone the busy half is a burst: the traffic model is what says otherwise.
    let k: Vec<u64> = {
        let res = sum.resolution_ms;
        let s = &analyze(&sum, None).report.upstreams[0].stats.error_series;
        let b0 = sum.time_min.unwrap().div_euclid(res);
        s.dense(b0, sum.time_max.unwrap().div_euclid(res))
    };
    assert!(scan_poisson(&k).is_some_and(|iv| iv.llr >= MIN_LLR));
}

/// Two timeouts seconds apart among ten spread over six hours, each logged by the app and by
/// its JSON request log: four events in a burst, but the same evidence logged twice.
#[test]
fn trouble_logged_twice_is_not_twice_the_evidence() {
    let reqs: Vec<Req> = (0..360 * 6)
        .map(|i| Req {
            t: T0 + i * 10_000,
            method: "GET",
            path: "/api/items".into(),
            status: 200,
            ms: 5.0,
        })
        .collect();
    let msg = "Call to payments.example.com timed out after 30000ms";
    let mut msgs: Vec<(i64, &'static str)> = (0..10)
        .map(|i| (T0 + 1_000_000 + i * 2_000_000, msg))
        .collect();
    msgs.push((T0 + 12_000_000, msg));
    msgs.push((T0 + 12_005_000, msg));
    msgs.sort();
    let once = summary_of(&reqs, &msgs);
    let mut twice = summary_of(&reqs, &msgs);
    let mut plain = EndpointTable::default();
    plain.begin_chunk(
        &std::sync::Arc::from("app.log"),
        crate::record::Format::Plain,
    );
    for (i, (time, m)) in msgs.iter().enumerate() {
        let mut ev = Event::bare(500_000 + i as u64, m.as_bytes());
        ev.time = Some(*time);
        plain.observe(&ev, u32::MAX, Some(Level::Error));
    }
    plain.finish_chunk(twice.resolution_ms);
    twice.endpoints.merge(plain, &[]);
    let mut err: Vec<i64> = msgs
        .iter()
        .map(|m| m.0.div_euclid(twice.resolution_ms))
        .collect();
    let e = Level::Error.index();
    twice.level_series[e].merge(&Series::from_buckets(&mut err));
    let up_of = |sum: &Summary| {
        detect(sum, None)
            .into_iter()
            .find(|x| x.kind == FindingKind::UpstreamTimeout)
            .expect("upstream finding")
    };
    let (a, b) = (up_of(&once), up_of(&twice));
    // The same twelve timeouts, not twenty-four: the views are not added up.
    assert_eq!((a.count, b.count), (12, 12));
    let ups = &analyze(&twice, None).report.upstreams;
    assert_eq!(ups.len(), 1);
    assert_eq!((ups[0].timeouts, ups[0].events), (12, 12));
    // Neither reads as a burst: the same timeouts logged twice are not new evidence.
    for f in [&a, &b] {
        assert!(f.factor.is_none(), "{f:#?}");
        assert!(
            f.notes.iter().any(|n| n.starts_with("steady")),
            "{:?}",
            f.notes
        );
    }
}

/// A route whose 4xx surge comes late, after a few early 4xx: the evidence is from the surge
/// (the uniform sample of 4xx requests), not the route's first 4xx.
#[test]
fn client_error_evidence_comes_from_inside_the_surge() {
    let mut reqs = Vec::new();
    let mut rng = Lcg(11);
    for s in 0..3600i64 {
        let r = rng.next() % 100;
        let early = [100, 500, 900].contains(&s);
        let surge = s >= 2400 && r < 40;
        reqs.push(Req {
            t: T0 + s * 1000,
            method: "GET",
            path: "/api/v1/coupons".into(),
            status: if early || surge { 404 } else { 200 },
            ms: 10.0,
        });
    }
    let sum = summary_of(&reqs, &[]);
    let f = detect(&sum, None);
    let fr = f
        .iter()
        .find(|x| x.kind == FindingKind::FailingRoute)
        .unwrap_or_else(|| panic!("no 4xx finding: {f:#?}"));
    assert_eq!(fr.details["class"], "4xx");
    let route = &analyze(&sum, None).report.routes[0];
    let early = route.client_examples();
    assert!(!early.is_empty());
    assert!(early.iter().all(|e| e.time.is_some() && e.time < fr.start));
    assert!(fr.examples[0].time >= fr.start, "{:?}", fr.examples);
    assert!(!fr.notes.iter().any(|n| n.contains("from before the onset")));
}

#[test]
fn p99_from_the_tail_is_the_nearest_rank_p99() {
    let mut rng = Lcg(11);
    for _ in 0..2000 {
        let nb = 1 + (rng.next() % 40) as usize;
        let counts: Vec<u64> = (0..nb)
            .map(|_| match rng.next() % 4 {
                0 => 0,
                1 => rng.next() % 3,
                _ => rng.next() % 500,
            })
            .collect();
        let n: u64 = counts.iter().sum();
        let want = crate::endpoints::latency::bins_quantile_ms(&counts, 0.99);
        let got = tail_q99_bin(n, nb, |b| counts[b])
            .map(|b| crate::endpoints::latency::bin_mid_us(b as u16) / 1000.0);
        assert_eq!(got, want, "{counts:?}");
    }
}
