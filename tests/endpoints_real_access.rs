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
    t.begin_chunk("access.log");
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
