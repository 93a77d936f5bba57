//! Manual check on a real Apache/Nginx access log, before the real access parser lands:
//! `FAULTLINE_ACCESS_LOG=path cargo test --test endpoints_real_access -- --ignored --nocapture`
//! prints the route table as `faultline endpoints` would compute it. The tiny combined-format
//! parser below is a throwaway test helper, not a second parser for the product.

use std::borrow::Cow;

use faultline::endpoints::view::finalize;
use faultline::endpoints::EndpointTable;
use faultline::record::{Event, Http};

fn parse_line(line: &[u8]) -> Option<(&[u8], &[u8], u16)> {
    let q1 = memchr_pos(line, b'"')?;
    let rest = &line[q1 + 1..];
    let q2 = memchr_pos(rest, b'"')?;
    let req = &rest[..q2];
    let mut parts = req.split(|&b| b == b' ');
    let method = parts.next()?;
    let path = parts.next()?;
    let after = &rest[q2 + 1..];
    let status = std::str::from_utf8(after.get(1..4)?).ok()?.parse().ok()?;
    Some((method, path, status))
}

fn memchr_pos(h: &[u8], b: u8) -> Option<usize> {
    h.iter().position(|&x| x == b)
}

#[test]
#[ignore]
fn real_access_log_routes() {
    let Ok(path) = std::env::var("FAULTLINE_ACCESS_LOG") else {
        eprintln!("set FAULTLINE_ACCESS_LOG to run");
        return;
    };
    let data = std::fs::read(path).unwrap();
    let mut t = EndpointTable::default();
    t.begin_chunk(
        &std::sync::Arc::from("access.log"),
        faultline::record::Format::Access,
    );
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        let Some((m, p, s)) = parse_line(line) else {
            continue;
        };
        let mut ev = Event::bare(i as u64 + 1, line);
        ev.http = Http {
            method: Some(Cow::Borrowed(m)),
            path: Some(Cow::Borrowed(p)),
            status: Some(s),
            latency_ms: None,
            upstream: None,
        };
        t.observe(&ev, u32::MAX, None);
    }
    t.finish_chunk(1000);
    let rep = finalize(&t, 1000);
    println!(
        "{} routes from {} stage-1 routes",
        rep.routes.len(),
        t.routes.len()
    );
    let mut by_req: Vec<_> = rep.routes.iter().collect();
    by_req.sort_by_key(|r| std::cmp::Reverse(r.requests));
    for r in by_req.iter().take(80) {
        println!(
            "{:>6} {:>4} {:>4} v{:<4} {}",
            r.requests, r.classes[4], r.classes[5], r.variants, r.key
        );
    }
}

/// Hot-path cost: `FAULTLINE_ACCESS_LOG=path cargo test --release --test endpoints_real_access
/// -- --ignored --nocapture observe_cost` prints nanoseconds per `observe` call for request
/// events and for plain messages (the upstream keyword scan).
#[test]
#[ignore]
fn observe_cost() {
    let Ok(path) = std::env::var("FAULTLINE_ACCESS_LOG") else {
        eprintln!("set FAULTLINE_ACCESS_LOG to run");
        return;
    };
    let data = std::fs::read(path).unwrap();
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut events = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((m, p, s)) = parse_line(line) else {
            continue;
        };
        let mut ev = Event::bare(i as u64 + 1, line);
        ev.time = Some(1_700_000_000_000 + i as i64 * 100);
        ev.http = Http {
            method: Some(Cow::Borrowed(m)),
            path: Some(Cow::Borrowed(p)),
            status: Some(s),
            latency_ms: Some((i % 500) as f64 * 0.7),
            upstream: None,
        };
        events.push(ev);
    }
    let rounds = 20;
    let t0 = std::time::Instant::now();
    for _ in 0..rounds {
        let mut t = EndpointTable::default();
        t.begin_chunk(
            &std::sync::Arc::from("access.log"),
            faultline::record::Format::Access,
        );
        for ev in &events {
            t.observe(ev, 0, None);
        }
        t.finish_chunk(1000);
        std::hint::black_box(&t);
    }
    let per = t0.elapsed().as_nanos() as f64 / (rounds * events.len()) as f64;
    println!("request events: {per:.0} ns/event (incl. finish_chunk)");
    // Plain messages: the access lines as free text (keyword scan, no path).
    let plain: Vec<Event> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| Event::bare(i as u64, l))
        .collect();
    let t0 = std::time::Instant::now();
    for _ in 0..rounds {
        let mut t = EndpointTable::default();
        for ev in &plain {
            t.observe(ev, 0, None);
        }
        t.finish_chunk(1000);
        std::hint::black_box(&t);
    }
    let per = t0.elapsed().as_nanos() as f64 / (rounds * plain.len()) as f64;
    println!("plain messages: {per:.0} ns/event");
}
