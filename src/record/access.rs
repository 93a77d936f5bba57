//! `access`: Apache/Nginx common and combined logs, with optional trailing fields.
//!
//! `host ident user [10/Oct/2000:13:55:36 -0700] "GET /path HTTP/1.1" 200 2326 ["referer"
//! "user agent"] [extra...]`. The message is the raw request line (`GET /path HTTP/1.1`): it
//! keeps method and path for templates without the status, which is its own field. Level:
//! 5xx error, 4xx warn, else info. Trailing extras: a bare number at the end is the request
//! time (with a dot: Nginx `$request_time` seconds; an integer: Apache `%D` microseconds);
//! `key=value` extras are read for `rt`/`request_time`/`urt`/`upstream_response_time`
//! (seconds), `upstream_addr`/`upstream`/`ua` and `request_id`/`trace_id`/`req_id`.

use std::borrow::Cow;

use super::time::{parse_prefix, TimeCtx};
use super::{Event, Level};

fn skip_token(b: &[u8], i: usize) -> Option<usize> {
    let n = memchr::memchr(b' ', b.get(i..)?)?;
    Some(i + n + 1)
}

/// A `"..."` string at `i` (backslash escapes skipped): (inner, index after the closing quote).
fn quoted(b: &[u8], i: usize) -> Option<(&[u8], usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some((&b[i + 1..j], j + 1)),
            _ => j += 1,
        }
    }
}

fn parse_f64(b: &[u8]) -> Option<f64> {
    if b.is_empty() || !b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// A three-digit HTTP status code (any: access logs write `000` or `499` too).
pub fn status_code(b: &[u8]) -> Option<u16> {
    if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u16, |a, c| a * 10 + u16::from(c - b'0')))
}

/// Method and path from a request line (`GET /path HTTP/1.1`), when it looks like one.
pub fn set_request<'a>(request: &'a [u8], ev: &mut Event<'a>) {
    let mut parts = request.splitn(3, |&c| c == b' ');
    if let (Some(m), Some(p)) = (parts.next(), parts.next()) {
        if !m.is_empty() && m.len() <= 16 && m.iter().all(u8::is_ascii_uppercase) {
            ev.http.method = Some(Cow::Borrowed(m));
            ev.http.path = Some(Cow::Borrowed(p));
        }
    }
}

/// Parses an access log line; returns whether it was one.
pub fn parse<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> bool {
    parse_inner(b, ev, tc).is_some()
}

fn parse_inner<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> Option<()> {
    // host, ident, then the user up to the `[` (users with spaces exist in the wild).
    let i = skip_token(b, 0)?;
    let i = skip_token(b, i)?;
    let open = i + memchr::memchr(b'[', b.get(i..)?)?;
    if open - i > 64 {
        return None;
    }
    let close = open + memchr::memchr(b']', &b[open..])?;
    let stamp = &b[open + 1..close];
    let (time, _) = parse_prefix(stamp, tc)?;
    let (request, mut i) = quoted(b, close + 2)?;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let status_end = i + memchr::memchr(b' ', &b[i..]).unwrap_or(b.len() - i);
    let status_b = &b[i..status_end];
    let status = if let Some(s) = status_code(status_b) {
        Some(s)
    } else if status_b == b"-" {
        None
    } else {
        return None;
    };
    // Commit: from here on the line is an access log line.
    ev.time = Some(time);
    ev.http.status = status;
    ev.level = Some(match status {
        Some(500..) => Level::Error,
        Some(400..=499) => Level::Warn,
        _ => Level::Info,
    });
    ev.message = Cow::Borrowed(request);
    set_request(request, ev);
    // Bytes, then optional quoted referer and agent, then extras.
    let mut i = status_end + 1;
    if i >= b.len() {
        return Some(());
    }
    i = skip_token(b, i).unwrap_or(b.len());
    // The request time is the last bare number after the quoted fields; `k=v` extras may
    // follow it.
    let mut last_bare: Option<&[u8]> = None;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            match quoted(b, i) {
                Some((_, e)) => {
                    i = e;
                    continue;
                }
                None => break,
            }
        }
        let e = i + memchr::memchr(b' ', &b[i..]).unwrap_or(b.len() - i);
        let tok = &b[i..e];
        if let Some(eq) = memchr::memchr(b'=', tok) {
            let (k, mut v) = (&tok[..eq], &tok[eq + 1..]);
            if v.len() >= 2 && v.starts_with(b"\"") && v.ends_with(b"\"") {
                v = &v[1..v.len() - 1];
            }
            match k {
                b"rt" | b"request_time" => {
                    if let Some(s) = parse_f64(v) {
                        ev.http.latency_ms = Some(s * 1000.0);
                    }
                }
                b"upstream_addr" | b"upstream" | b"ua" | b"upstream_host" if v != b"-" => {
                    ev.http.upstream = Some(Cow::Borrowed(v));
                }
                b"request_id" | b"trace_id" | b"req_id" | b"x_request_id" if v != b"-" => {
                    ev.trace_id = Some(Cow::Borrowed(v));
                }
                _ if !k.is_empty() && v.len() <= 200 => {
                    ev.fields.push((Cow::Borrowed(k), Cow::Borrowed(v)));
                }
                _ => {}
            }
        } else if parse_f64(tok).is_some() {
            last_bare = Some(tok);
        }
        i = e;
    }
    if ev.http.latency_ms.is_none() {
        if let Some(v) = last_bare.and_then(|t| parse_f64(t).map(|f| (t, f))) {
            ev.http.latency_ms = Some(if v.0.contains(&b'.') {
                v.1 * 1000.0
            } else {
                v.1 / 1000.0
            });
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ParseConfig;

    fn run(line: &str) -> Option<Event<'_>> {
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let mut ev = Event::bare(1, line.as_bytes());
        parse(line.as_bytes(), &mut ev, &tc).then_some(ev)
    }

    #[test]
    fn common_and_combined() {
        let ev = run(
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#,
        );
        let ev = ev.expect("common log line");
        assert_eq!(ev.time, Some(971_211_336_000));
        assert_eq!(ev.http.method.as_deref(), Some(&b"GET"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/apache_pb.gif"[..]));
        assert_eq!(ev.http.status, Some(200));
        assert_eq!(ev.level, Some(Level::Info));
        assert_eq!(&*ev.message, b"GET /apache_pb.gif HTTP/1.0");
        let ev = run(r#"10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "POST /api/x?id=1 HTTP/1.1" 503 12 "-" "curl/8.0" 0.250"#).expect("combined");
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.http.latency_ms, Some(250.0));
        let ev = run(r#"10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 404 12 "-" "Mozilla/5.0 (X11)" 1500"#).expect("apache %D");
        assert_eq!(ev.http.latency_ms, Some(1.5));
        assert_eq!(ev.level, Some(Level::Warn));
        let ev = run(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 502 0 "-" "ua" rt=0.004 upstream_addr=10.1.1.1:8080 request_id=abc"#).expect("nginx kv");
        assert_eq!(ev.http.latency_ms, Some(4.0));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.1.1.1:8080"[..]));
        assert_eq!(ev.trace_id.as_deref(), Some(&b"abc"[..]));
        let ev = run(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 502 0 "-" "ua" 1.503 upstream_addr=10.0.3.7:9000"#).expect("time then kv");
        assert_eq!(ev.http.latency_ms, Some(1503.0));
        assert!(run("not an access line").is_none());
        assert!(run(r#"1.2.3.4 - - [garbage] "GET / HTTP/1.1" 200 1"#).is_none());
    }
}
