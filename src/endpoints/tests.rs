//! Unit tests of the endpoint table with constructed events (the real parsers produce the
//! same `Event` fields).

use std::borrow::Cow;

use super::view::finalize;
use super::*;
use crate::record::{Event, Http};

fn req<'a>(
    line: u64,
    t: i64,
    method: &'a str,
    path: &'a str,
    status: u16,
    ms: Option<f64>,
) -> Event<'a> {
    let mut ev = Event::bare(line, path.as_bytes());
    ev.time = Some(t);
    ev.http = Http {
        method: Some(Cow::Borrowed(method.as_bytes())),
        path: Some(Cow::Borrowed(path.as_bytes())),
        status: Some(status),
        latency_ms: ms,
        upstream: None,
    };
    ev
}

fn table_of(events: &[Event<'_>], res: i64) -> EndpointTable {
    let mut t = EndpointTable::default();
    t.begin_chunk(
        &std::sync::Arc::from("app.log"),
        crate::record::Format::Json,
    );
    for ev in events {
        let level = if ev.http.status.is_some_and(|s| s >= 500) {
            Some(Level::Error)
        } else {
            None
        };
        t.observe(ev, 0, level);
    }
    t.finish_chunk(res);
    t
}

fn sample() -> Vec<Event<'static>> {
    let mut evs = Vec::new();
    for i in 0..200u64 {
        let t = 1_700_000_000_000 + i as i64 * 1000;
        let path: &'static str = Box::leak(format!("/api/v1/orders/{}", 1000 + i).into_boxed_str());
        evs.push(req(i + 1, t, "GET", path, 200, Some(10.0 + (i % 7) as f64)));
        let status = if i >= 150 { 502 } else { 200 };
        evs.push(req(
            i + 1,
            t,
            "POST",
            "/api/v1/checkout?cart=9",
            status,
            Some(50.0),
        ));
    }
    evs
}

#[test]
fn counts_routes_statuses_and_series() {
    let t = table_of(&sample(), 1000);
    assert_eq!(t.routes.len(), 2);
    let get = &t.routes[0];
    assert_eq!(get.key(), "GET /api/v1/orders/{id}");
    assert_eq!(get.requests, 200);
    assert_eq!(get.classes[2], 200);
    assert_eq!(get.latency.count(), 200);
    let post = &t.routes[1];
    assert_eq!(post.key(), "POST /api/v1/checkout");
    assert_eq!(post.failed, 50);
    assert_eq!(post.statuses, vec![(200, 150), (502, 50)]);
    assert_eq!(post.series.total(), 200);
    assert_eq!(post.fail_series.total(), 50);
    assert_eq!(post.fail_examples.len(), EXAMPLES);
    assert_eq!(post.fail_examples[0].line, 151);
    assert_eq!(&*post.fail_examples[0].source, "app.log");
}

#[test]
fn merging_chunks_equals_one_pass() {
    let evs = sample();
    let whole = table_of(&evs, 1000);
    for cut in [1, 37, 200, 399] {
        let mut a = table_of(&evs[..cut], 1000);
        let b = table_of(&evs[cut..], 1000);
        a.merge(b, &[0]);
        assert_eq!(a, whole, "cut at {cut}");
    }
}

#[test]
fn latency_samples_keep_two_requests_per_band_whatever_the_chunks() {
    // Latencies from 0.5 ms to about 8 s; every seventh request fails (never kept).
    let evs: Vec<Event<'static>> = (0..600u64)
        .map(|i| {
            let ms = 0.5 * 1.017f64.powi(i as i32 % 577);
            let status = if i % 7 == 0 { 503 } else { 200 };
            req(
                i + 1,
                1_700_000_000_000 + i as i64 * 1000,
                "GET",
                "/search",
                status,
                Some(ms),
            )
        })
        .collect();
    let whole = table_of(&evs, 1000);
    let kept = &whole.routes[0].latency_samples;
    let bands: Vec<u32> = kept.iter().map(|s| octave(s.us)).collect();
    let mut want: Vec<u32> = evs
        .iter()
        .filter(|e| e.http.status == Some(200))
        .filter_map(|e| e.http.latency_ms.and_then(ms_to_us).map(octave))
        .collect();
    want.sort_unstable();
    let mut per_band = want.clone();
    per_band.dedup_by_key(|b| *b);
    let want: Vec<u32> = per_band
        .iter()
        .flat_map(|&b| {
            std::iter::repeat_n(b, want.iter().filter(|&&x| x == b).count().min(PER_BAND))
        })
        .collect();
    assert_eq!(bands, want, "two per band, slowest band last");
    assert!(kept
        .windows(2)
        .all(|w| (octave(w[0].us), w[0].sample.key()) < (octave(w[1].us), w[1].sample.key())));
    // Per band, the smallest sample ranks of its successful requests.
    let seed = crate::summary::sig_hash(b"app.log");
    for &b in &per_band {
        let mut ranks: Vec<u64> = evs
            .iter()
            .filter(|e| e.http.status == Some(200))
            .filter(|e| e.http.latency_ms.and_then(ms_to_us).map(octave) == Some(b))
            .map(|e| crate::summary::sample_rank(seed, e.line))
            .collect();
        ranks.sort_unstable();
        ranks.truncate(PER_BAND);
        let got: Vec<u64> = kept
            .iter()
            .filter(|s| octave(s.us) == b)
            .map(|s| s.sample.rank)
            .collect();
        assert_eq!(got, ranks, "band {b}");
    }
    for s in kept {
        let ev = &evs[s.sample.example.line as usize - 1];
        assert_eq!(
            ev.http.status,
            Some(200),
            "failing requests are not latency evidence"
        );
        assert_eq!(ev.http.latency_ms.and_then(ms_to_us), Some(s.us));
    }
    for cut in [1, 100, 333, 599] {
        let mut a = table_of(&evs[..cut], 1000);
        a.merge(table_of(&evs[cut..], 1000), &[0]);
        assert_eq!(a.routes[0].latency_samples, *kept, "cut at {cut}");
    }
}

#[test]
fn snapshot_round_trip() {
    let t = table_of(&sample(), 1000);
    let json = serde_json::to_string(&t).unwrap();
    let mut back: EndpointTable = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    // The index is rebuilt lazily: merging into a loaded table finds existing routes.
    back.merge(table_of(&sample(), 1000), &[0]);
    assert_eq!(back.routes.len(), 2);
    assert_eq!(back.routes[1].requests, 400);
}

#[test]
fn rebucket_keeps_totals() {
    let mut t = table_of(&sample(), 1000);
    t.rebucket(1000, 60_000);
    let post = &t.routes[1];
    assert_eq!(post.series.total(), 200);
    assert!(post.series.0.len() <= 5);
    // Latency over time keeps successful requests only (150 of 200).
    let bins: u64 = post.lat_bins.0.iter().map(|e| e.2).sum();
    assert_eq!(bins, 150);
    assert_eq!(post.latency.count(), 200);
}

#[test]
fn links_errors_by_trace_id_across_chunks() {
    // Error logged before the request line, in an earlier chunk.
    let mut err = Event::bare(1, b"payment declined by provider");
    err.time = Some(1_000);
    err.trace_id = Some(Cow::Borrowed(b"abc"));
    let mut a = EndpointTable::default();
    a.observe(&err, 3, Some(Level::Error));
    a.finish_chunk(1000);
    let mut r = req(2, 2_000, "POST", "/pay", 500, None);
    r.trace_id = Some(Cow::Borrowed(b"abc"));
    let mut b = EndpointTable::default();
    b.observe(&r, 0, Some(Level::Error));
    // A second error after the request, same chunk: linked directly.
    let mut err2 = Event::bare(3, b"retry failed");
    err2.trace_id = Some(Cow::Borrowed(b"abc"));
    b.observe(&err2, 1, Some(Level::Error));
    b.finish_chunk(1000);
    // `a` has signatures 0..=3 mapped to 10..=13; `b`'s remap is given by the summary merge.
    a.merge(b, &[20, 21]);
    let route = &a.routes[0];
    let mut sigs = route.sigs.clone();
    sigs.sort();
    // sig 3 from `a` (same index space), sig 1 of `b` → 21. The request line itself is not
    // an application error (its message names the path) so sig 0 → 20 is not counted.
    assert_eq!(sigs, vec![(3, 1), (21, 1)]);
    assert_eq!(a.pending_unlinked(), 0);
}

#[test]
fn upstreams_from_fields_and_messages() {
    let mut t = EndpointTable::default();
    t.begin_chunk(
        &std::sync::Arc::from("svc.log"),
        crate::record::Format::Json,
    );
    for i in 0..10 {
        let mut ev = req(
            i,
            1_000 * i as i64,
            "GET",
            "/quote",
            if i < 7 { 200 } else { 429 },
            Some(5.0),
        );
        ev.http.upstream = Some(Cow::Borrowed(b"https://api.partner.com/v2/rates"));
        t.observe(&ev, 0, None);
    }
    let mut m = Event::bare(20, b"Call to payments.example.com timed out after 30000ms");
    m.time = Some(20_000);
    t.observe(&m, 1, Some(Level::Error));
    let m2 = Event::bare(
        21,
        b"HTTP 429 Too Many Requests from api.partner.com, Retry-After: 30",
    );
    t.observe(&m2, 2, Some(Level::Warn));
    let plain = Event::bare(22, b"user logged in");
    t.observe(&plain, 3, None);
    t.finish_chunk(1000);
    assert_eq!(t.upstreams.len(), 2);
    let p = &t.upstreams[0];
    assert_eq!(p.host, "api.partner.com");
    assert_eq!(p.calls, 10);
    assert_eq!(p.events, 11);
    assert_eq!(p.ok, 7);
    assert_eq!(p.rate_limited, 4);
    assert_eq!(p.retry_after_max_s, Some(30));
    assert_eq!(p.routes, vec![("GET /quote".to_string(), 10)]);
    let pay = &t.upstreams[1];
    assert_eq!(pay.host, "payments.example.com");
    assert_eq!(pay.timeouts, 1);
    assert_eq!(pay.timeout_first, Some(20_000));
    assert_eq!(pay.timeout_series.total(), 1);
    // The route's field contrast names the upstream.
    let route = &t.routes[0];
    assert!(route.fields.iter().any(|f| f.key == "upstream"));
}

#[test]
fn finalize_collapses_sorts_and_contrasts() {
    let mut evs = Vec::new();
    let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "niaj",
    ];
    for (i, n) in names.iter().enumerate() {
        let p: &'static str = Box::leak(format!("/users/{n}").into_boxed_str());
        evs.push(req(i as u64, 0, "GET", p, 200, Some(3.0)));
    }
    let mut t = table_of(&evs, 1000);
    // A failing route whose failures all come from one region.
    for i in 0..40u64 {
        let mut ev = req(
            100 + i,
            0,
            "POST",
            "/checkout",
            if i % 2 == 0 { 503 } else { 200 },
            None,
        );
        let region: &'static [u8] = if i % 2 == 0 {
            b"eu-west-1"
        } else if i % 4 == 1 {
            b"us-east-1"
        } else {
            b"eu-west-1x"
        };
        ev.fields = vec![(Cow::Borrowed(&b"region"[..]), Cow::Borrowed(region))];
        t.observe(&ev, 0, None);
    }
    t.finish_chunk(1000);
    let rep = finalize(&t, 1000);
    assert_eq!(rep.routes[0].key, "POST /checkout");
    assert_eq!(rep.routes[0].failed, 20);
    assert!((rep.routes[0].error_rate - 0.5).abs() < 1e-9);
    assert_eq!(rep.routes[1].key, "GET /users/{name}");
    assert_eq!(rep.routes[1].requests, 12);
    assert_eq!(rep.routes[1].variants, 12);
    let c = rep.routes[0].contrast(false);
    assert_eq!(c[0].field, "region");
    assert_eq!(c[0].value, "eu-west-1");
    assert!((c[0].failing_share - 1.0).abs() < 1e-9);
    assert!(c[0].working_share < 1e-9);
    // Region is the only field, so the only contrast.
    assert_eq!(c.len(), 1);
    // A route where every request fails has nothing to contrast its failures with.
    let gone: Vec<Event<'_>> = (0..10u64)
        .map(|i| {
            let mut ev = req(i, 0, "GET", "/gone", 404, None);
            ev.fields = vec![(Cow::Borrowed(&b"region"[..]), Cow::Borrowed(&b"eu"[..]))];
            ev
        })
        .collect();
    let rep2 = finalize(&table_of(&gone, 1000), 1000);
    assert_eq!(rep2.routes[0].client_errors, 10);
    assert!(rep2.routes[0].contrast(true).is_empty());
    let p = rep.routes[1].latency.as_ref().unwrap();
    assert!((p.p99 - 3.0).abs() < 0.01);
}

#[test]
fn messy_input_never_panics() {
    let mut t = EndpointTable::default();
    let paths: [&[u8]; 8] = [
        b"",
        b"?",
        b"//",
        b"\xff\xfe/x",
        b"/%00/\x1b[31m",
        b"*",
        b"http://",
        b"/a/../../b",
    ];
    for (i, p) in paths.iter().enumerate() {
        let mut ev = Event::bare(i as u64, p);
        ev.http.path = Some(Cow::Borrowed(p));
        ev.http.method = Some(Cow::Borrowed(b"G\xffT"));
        ev.http.latency_ms = Some(f64::NAN);
        ev.http.upstream = Some(Cow::Borrowed(b"\xff"));
        ev.trace_id = Some(Cow::Borrowed(b""));
        t.observe(&ev, u32::MAX, Some(Level::Fatal));
    }
    t.finish_chunk(0);
    let rep = finalize(&t, 1000);
    assert_eq!(rep.total_requests, 8);
}

#[test]
fn structured_upstream_without_status_takes_outcome_from_error_fields() {
    let mut t = EndpointTable::default();
    let mut ev = Event::bare(1, b"upstream call failed");
    ev.http.upstream = Some(Cow::Borrowed(b"api.shipfast.example"));
    ev.fields = vec![
        (
            Cow::Borrowed(&b"error"[..]),
            Cow::Borrowed(&b"429 Too Many Requests"[..]),
        ),
        (
            Cow::Borrowed(&b"retry_after_s"[..]),
            Cow::Borrowed(&b"30"[..]),
        ),
    ];
    t.observe(&ev, 0, Some(Level::Error));
    let mut ev2 = Event::bare(2, b"upstream call failed");
    ev2.http.upstream = Some(Cow::Borrowed(b"api.shipfast.example"));
    t.observe(&ev2, 0, Some(Level::Error));
    t.finish_chunk(1000);
    let u = &t.upstreams[0];
    assert_eq!(u.rate_limited, 1);
    assert_eq!(u.retry_after_max_s, Some(30));
    // No status, no words: an error-level call is a server-side failure.
    assert_eq!(u.server_errors, 1);
    assert_eq!(u.server_errors_inbound, 0);
}

#[test]
fn trace_links_follow_routes_through_compaction() {
    // A table filled with distinct slugs, one of them traced; it is compacted when a new
    // route comes; an error logged later with that trace id links to the compacted route.
    let mut acc = EndpointTable::default();
    let paths: Vec<String> = (0..MAX_ROUTES)
        .map(|i| {
            let mut s = String::from("/item/s-");
            let mut n = i;
            for _ in 0..4 {
                s.push((b'a' + (n % 26) as u8) as char);
                n /= 26;
            }
            s
        })
        .collect();
    let mut a = EndpointTable::default();
    a.begin_chunk(&std::sync::Arc::from("a.log"), crate::record::Format::Json);
    for (i, p) in paths.iter().enumerate() {
        let mut r = req(i as u64 + 1, 1_000 + i as i64, "GET", p, 200, None);
        if i == 7 {
            r.trace_id = Some(Cow::Borrowed(b"t7"));
        }
        a.observe(&r, 0, None);
    }
    a.finish_chunk(1000);
    acc.merge(a, &[0]);
    assert_eq!(acc.routes.len(), MAX_ROUTES);
    let mut b = EndpointTable::default();
    b.begin_chunk(&std::sync::Arc::from("a.log"), crate::record::Format::Json);
    b.observe(
        &req(1, 50_000, "POST", "/new", 503, None),
        0,
        Some(Level::Error),
    );
    let mut err = Event::bare(2, b"payment declined");
    err.time = Some(50_001);
    err.trace_id = Some(Cow::Borrowed(b"t7"));
    b.observe(&err, 1, Some(Level::Error));
    b.finish_chunk(1000);
    acc.merge(b, &[0, 5]);
    let keys: Vec<String> = acc.routes.iter().map(|r| r.key()).collect();
    assert_eq!(keys, vec!["GET /item/{name}", "POST /new"], "{keys:?}");
    assert_eq!(acc.routes[0].requests, MAX_ROUTES as u64);
    assert_eq!(acc.routes[0].sigs, vec![(5, 1)]);
    assert_eq!(acc.pending_unlinked(), 0);
}

/// A route new to the table is taken whole from the chunk's table; that must equal merging
/// it into an empty route, signature remapping included (one signature overflowed).
#[test]
fn adopting_a_new_route_equals_merging_it() {
    let mut b = EndpointTable::default();
    b.begin_chunk(&std::sync::Arc::from("a.log"), crate::record::Format::Json);
    for (i, (status, ms)) in [(200, 12.0), (503, 900.0), (200, 15.0), (502, 30.0)]
        .into_iter()
        .enumerate()
    {
        let level = (status >= 500).then_some(Level::Error);
        let mut r = req(
            i as u64 + 1,
            1_000 * i as i64,
            "POST",
            "/pay",
            status,
            Some(ms),
        );
        let trace = [b"t0", b"t1", b"t2", b"t3"][i];
        r.trace_id = Some(Cow::Borrowed(trace));
        b.observe(&r, 0, level);
    }
    // Errors linked to the route by trace id, under signatures 0 and 1.
    for (i, (trace, sig)) in [(b"t1", 0), (b"t3", 1), (b"t1", 0)].into_iter().enumerate() {
        let mut err = Event::bare(10 + i as u64, b"payment declined");
        err.time = Some(5_000);
        err.trace_id = Some(Cow::Borrowed(trace));
        b.observe(&err, sig, Some(Level::Error));
    }
    b.finish_chunk(1000);
    let remap = [7, u32::MAX];
    let mut want = RouteStats {
        method: "POST".into(),
        path: "/pay".into(),
        view: "json".into(),
        ..Default::default()
    };
    want.merge(&b.routes[0], Some(&remap));
    assert!(
        !want.sigs.is_empty() && want.other_sig_events > 0,
        "{want:?}"
    );
    let mut acc = EndpointTable::default();
    acc.merge(b, &remap);
    assert_eq!(
        serde_json::to_value(&*acc.routes[0]).unwrap(),
        serde_json::to_value(&want).unwrap()
    );
}

/// A give-up line (`failed after 3 retries: 429`, a record with `"attempts": 3`) reports a
/// call whose attempts may be logged too: counted apart, and used as the count only when no
/// attempt was logged, whichever views logged what.
#[test]
fn give_ups_are_counted_apart_from_logged_attempts() {
    let attempt = |line: u64, t: i64| {
        let mut ev = Event::bare(
            line,
            b"Rate limited by api.shipfast.example: HTTP 429 Too Many Requests, Retry-After: 30",
        );
        ev.time = Some(t);
        ev
    };
    let gave_up = |line: u64, t: i64| {
        let mut ev = Event::bare(
            line,
            b"Shipping quote failed after 3 retries: 429 Too Many Requests from api.shipfast.example",
        );
        ev.time = Some(t);
        ev
    };
    let record = |line: u64, t: i64| {
        let mut ev = Event::bare(line, b"upstream call failed");
        ev.time = Some(t);
        ev.http.upstream = Some(Cow::Borrowed(b"api.shipfast.example"));
        ev.fields = vec![
            (
                Cow::Borrowed(&b"error"[..]),
                Cow::Borrowed(&b"429 Too Many Requests"[..]),
            ),
            (Cow::Borrowed(&b"attempts"[..]), Cow::Borrowed(&b"3"[..])),
        ];
        ev
    };
    let table = |format: crate::record::Format, evs: &[Event<'_>]| {
        let mut t = EndpointTable::default();
        t.begin_chunk(&std::sync::Arc::from("app.log"), format);
        for ev in evs {
            t.observe(ev, 0, Some(Level::Warn));
        }
        t.finish_chunk(1000);
        t
    };
    let report = |t: &EndpointTable| finalize(t, 1000).upstreams[0].clone();
    // Three calls, each tried three times: nine attempts logged, then three give-ups.
    let mut plain = Vec::new();
    for c in 0..3u64 {
        for a in 0..3u64 {
            plain.push(attempt(c * 4 + a, (c * 4 + a) as i64 * 1000));
        }
        plain.push(gave_up(c * 4 + 3, (c * 4 + 3) as i64 * 1000));
    }
    let t = table(crate::record::Format::Plain, &plain);
    let raw = &t.upstreams[0];
    assert_eq!((raw.rate_limited, raw.gave_up.rate_limited), (9, 3));
    assert_eq!(raw.rate_series.total(), 9);
    assert_eq!(raw.gave_up.rate_series.total(), 3);
    let u = report(&t);
    assert_eq!(u.rate_limited, 9);
    assert_eq!(super::view::gave_up_apart(&u.stats), [0, 3, 0]);
    assert!(!u.stats.gave_up.counted[1]);
    // Only the give-ups logged: each is one rate-limited call.
    let only: Vec<Event<'_>> = (0..3).map(|c| gave_up(c, c as i64 * 1000)).collect();
    let u = report(&table(crate::record::Format::Plain, &only));
    assert_eq!(u.rate_limited, 3);
    assert_eq!(u.stats.rate_series.total(), 3);
    assert!(u.stats.gave_up.counted[1]);
    assert_eq!(super::view::gave_up_apart(&u.stats), [0, 0, 0]);
    // The JSON records with `attempts: 3` are give-ups too; with the plain log's attempts
    // in another view, the host counts 9 rate-limited calls and 3 give-ups, not 12.
    let json: Vec<Event<'_>> = (0..3).map(|c| record(100 + c, c as i64 * 4000)).collect();
    let mut both = table(crate::record::Format::Plain, &plain);
    both.merge(table(crate::record::Format::Json, &json), &[0]);
    let u = report(&both);
    assert_eq!(u.rate_limited, 9);
    assert_eq!(super::view::gave_up_apart(&u.stats), [0, 3, 0]);
    // Alone, the records are the calls: 3 rate limited, and 3 calls known.
    let u = report(&table(crate::record::Format::Json, &json));
    assert_eq!((u.rate_limited, u.calls), (3, 3));
}

/// Rails-style two-part requests: `Started` (method, path), `Completed` (status, duration),
/// sharing a request id, interleaved with other events of the request.
fn two_part_log() -> Vec<Event<'static>> {
    let leak = |s: String| -> &'static [u8] { Box::leak(s.into_boxed_str()).as_bytes() };
    let start = |line: u64, id: &'static [u8], path: &'static str| {
        let mut ev = Event::bare(line, path.as_bytes());
        ev.time = Some(1_700_000_000_000 + line as i64 * 100);
        ev.http.method = Some(Cow::Borrowed(b"GET"));
        ev.http.path = Some(Cow::Borrowed(path.as_bytes()));
        ev.trace_id = Some(Cow::Borrowed(id));
        ev
    };
    let completion = |line: u64, id: &'static [u8], status: u16| {
        let mut ev = Event::bare(line, b"Completed");
        ev.time = Some(1_700_000_000_000 + line as i64 * 100);
        ev.http.status = Some(status);
        ev.http.latency_ms = Some(5.0 + (line % 11) as f64);
        ev.trace_id = Some(Cow::Borrowed(id));
        ev
    };
    let mut evs = vec![
        // Completed more than the window later: not paired.
        start(1, b"far", "/far"),
        // Completed 6,000 events later: paired, whatever falls between.
        start(2, b"near", "/near"),
        // Completed exactly the window later (paired) and one event more (not).
        start(3, b"edge", "/edge"),
        start(4, b"past-edge", "/past-edge"),
    ];
    let mut open = std::collections::VecDeque::new();
    for i in 5..12_000u64 {
        let id = leak(format!("req-{:04}", i % 3000));
        match i % 3 {
            0 => {
                let path = if i % 2 == 0 { "/orders/42" } else { "/cart" };
                evs.push(start(i, id, path));
                open.push_back(id);
            }
            1 if open.len() > 2 => {
                let id = open.pop_front().unwrap_or_default();
                evs.push(completion(i, id, if i % 7 == 1 { 500 } else { 200 }));
            }
            _ => {
                let mut ev = Event::bare(i, b"Processing by OrdersController#show");
                ev.trace_id = Some(Cow::Borrowed(id));
                evs.push(ev);
            }
        }
        if i == 6_002 {
            evs.push(completion(i, b"near", 503));
        }
        // (Ordinals: "edge" started at 2, "past-edge" at 3.)
        if evs.len() as u64 == 2 + PAIR_WINDOW {
            evs.push(completion(i, b"edge", 200));
        }
        if evs.len() as u64 == 3 + PAIR_WINDOW + 1 {
            evs.push(completion(i, b"past-edge", 200));
        }
    }
    // A second completion of an id already paired, and one never started.
    let done = open.pop_front().unwrap_or_default();
    evs.push(completion(12_000, done, 200));
    evs.push(completion(12_001, done, 200));
    evs.push(completion(12_002, b"never-started", 200));
    evs.push(completion(12_003, b"far", 200));
    evs
}

/// Merges `parts` (in input order) as a tree: halves first, then the two.
fn merge_tree(mut parts: Vec<EndpointTable>) -> EndpointTable {
    if parts.len() == 1 {
        return parts.remove(0);
    }
    let right = parts.split_off(parts.len() / 2);
    let mut left = merge_tree(parts);
    left.merge(merge_tree(right), &[0]);
    left
}

#[test]
fn two_part_requests_pair_by_request_id_whatever_the_chunking() {
    let evs = two_part_log();
    let whole = table_of(&evs, 1000);
    let requests: u64 = whole.routes.iter().map(|r| r.requests).sum();
    let completions = evs
        .iter()
        .filter(|e| e.http.status.is_some() && e.http.path.is_none())
        .count() as u64;
    // Every completion is counted under its start's route, except the second one of an id,
    // the one never started, and the ones whose start is more than the window back.
    assert_eq!(whole.unpaired_completions(), 4);
    assert_eq!(requests, completions - 4);
    assert!(requests > 3000, "{requests}");
    let route = |t: &EndpointTable, p: &str| -> Option<RouteStats> {
        t.routes.iter().find(|r| r.path == p).map(|r| (**r).clone())
    };
    let near = route(&whole, "/near").expect("the /near route");
    assert_eq!((near.requests, near.failed), (1, 1));
    assert_eq!(route(&whole, "/far").map(|r| r.requests), Some(0));
    assert_eq!(route(&whole, "/edge").map(|r| r.requests), Some(1));
    assert_eq!(route(&whole, "/past-edge").map(|r| r.requests), Some(0));
    let orders = route(&whole, "/orders/{id}").expect("the /orders route");
    assert!(orders.failed > 0 && orders.latency.count() == orders.requests);

    for cuts in [
        vec![1],
        vec![2, 3, 4],
        vec![500, 501, 9_999, 10_001],
        vec![4_000, 8_000, 11_990],
        (1..evs.len()).step_by(997).collect::<Vec<_>>(),
    ] {
        let mut parts = Vec::new();
        let mut from = 0;
        for &c in cuts.iter().chain(std::iter::once(&evs.len())) {
            parts.push(table_of(&evs[from..c], 1000));
            from = c;
        }
        let mut folded = parts[0].clone();
        for p in &parts[1..] {
            folded.merge(p.clone(), &[0]);
        }
        for merged in [folded, merge_tree(parts)] {
            assert_eq!(merged.routes, whole.routes, "cuts {cuts:?}");
            assert_eq!(merged.unpaired_completions(), 4, "cuts {cuts:?}");
        }
    }
}
