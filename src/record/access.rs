//! `access`: web server, proxy and load balancer request logs.
//!
//! Apache/Nginx common and combined: `host ident user [10/Oct/2000:13:55:36 -0700] "GET
//! /path HTTP/1.1" 200 2326 ["referer" "user agent"] [extra...]`. The message is the raw
//! request line (`GET /path HTTP/1.1`): it keeps method and path for templates without the
//! status, which is its own field. Level: 5xx error, 4xx warn, else info. Trailing extras:
//! the request time is a duration with its unit (Traefik's last field, `30001ms`), else the
//! first bare number with a dot (Nginx `$request_time`, seconds; of `$request_time
//! $upstream_response_time` the first), else the last bare integer (Apache `%D`,
//! microseconds); a URL quoted after the referer and user agent is the server the request
//! went to (Traefik's); `key=value` extras are read for `rt`/`request_time` (seconds),
//! `upstream_addr`/`upstream`/`ua` and `request_id`/`trace_id`/`req_id`; ingress-nginx's
//! `[$proxy_upstream_name]` marks its own tail (`ingress_nginx`).
//!
//! Other layouts with the same fields, each recognised by its fixed shape: Envoy and Istio
//! (`envoy`, `[START_TIME] "GET /x HTTP/1.1" 503 UF ...`), AWS ALB (`alb`, `https <ISO
//! time> app/...`), W3C extended logs (IIS, Azure App Service, CloudFront: [`w3c`], with the
//! source's `#Fields:` columns, or IIS's defaults), and HAProxy's HTTP log line inside a
//! syslog message ([`haproxy_embedded`]).

use std::borrow::Cow;

use super::time::{parse_prefix, TimeCtx};
use super::w3c::{self, W3cFields};
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

/// Most fields [`fields`] reads from one line.
const MAX_FIELDS: usize = 24;

/// The fields of one line in a fixed array (no allocation per line): `(text, was quoted)`.
struct Fields<'b> {
    toks: [(&'b [u8], bool); MAX_FIELDS],
    n: usize,
}

impl<'b> std::ops::Deref for Fields<'b> {
    type Target = [(&'b [u8], bool)];
    fn deref(&self) -> &Self::Target {
        &self.toks[..self.n]
    }
}

/// The space-separated fields of `b` from `from` on, at most `max` (and [`MAX_FIELDS`]): a
/// quoted field without its quotes. `None` when a quote is not closed.
fn fields(b: &[u8], from: usize, max: usize) -> Option<Fields<'_>> {
    let mut f = Fields {
        toks: [(&b""[..], false); MAX_FIELDS],
        n: 0,
    };
    let max = max.min(MAX_FIELDS);
    let mut j = from;
    while j < b.len() && f.n < max {
        if b[j] == b' ' {
            j += 1;
            continue;
        }
        if b[j] == b'"' {
            let (inner, e) = quoted(b, j)?;
            f.toks[f.n] = (inner, true);
            j = e;
        } else {
            let e = j + memchr::memchr(b' ', &b[j..]).unwrap_or(b.len() - j);
            f.toks[f.n] = (&b[j..e], false);
            j = e;
        }
        f.n += 1;
    }
    Some(f)
}

pub(super) fn parse_f64(b: &[u8]) -> Option<f64> {
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

/// A status field that may hold the layout's "no response" marker (`-`, Envoy's `0`,
/// HAProxy's `-1`): `Some(Some(code))`, `Some(None)` for the marker, `None` when the field is
/// neither (the line is not of this layout).
pub(super) fn status_or_absent(b: &[u8], absent: &[u8]) -> Option<Option<u16>> {
    match status_code(b) {
        Some(s) => Some(Some(s)),
        None if b == absent => Some(None),
        None => None,
    }
}

/// An HTTP method token: 1 to 16 upper-case letters (`GET`, `PROPFIND`).
pub fn is_method(m: &[u8]) -> bool {
    !m.is_empty() && m.len() <= 16 && m.iter().all(u8::is_ascii_uppercase)
}

/// Method and path of a request line (`GET /path HTTP/1.1`), when it looks like one.
pub fn request_parts(request: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut parts = request.splitn(3, |&c| c == b' ');
    let (m, p) = (parts.next()?, parts.next()?);
    is_method(m).then_some((m, p))
}

/// Method and path from a request line (`GET /path HTTP/1.1`), when it looks like one.
pub fn set_request<'a>(request: &'a [u8], ev: &mut Event<'a>) {
    if let Some((m, p)) = request_parts(request) {
        ev.http.method = Some(Cow::Borrowed(m));
        ev.http.path = Some(Cow::Borrowed(p));
    }
}

/// The rest of an ingress-nginx line from after its `[$proxy_upstream_name]` (ending at
/// `at`): `time` is the bare number before that bracket (`$request_time`, seconds); the
/// upstream is the first address after the alternative upstream's bracket (several are
/// separated by `, `), the request id the last field.
fn ingress_nginx<'a>(b: &'a [u8], at: usize, time: Option<&[u8]>, ev: &mut Event<'a>) {
    if let Some(s) = time.filter(|t| t.contains(&b'.')).and_then(parse_f64) {
        ev.http.latency_ms = Some(s * 1000.0);
    }
    let Some(rest) = fields(b, at, 24) else {
        return;
    };
    let mut rest = rest.iter().map(|t| t.0).peekable();
    // The alternative upstream's bracket (`[]` when none).
    if rest
        .peek()
        .is_some_and(|t| t.starts_with(b"[") && t.ends_with(b"]"))
    {
        rest.next();
    }
    if let Some(addr) = rest.next().map(|a| a.strip_suffix(b",").unwrap_or(a)) {
        if addr != b"-" && addr.contains(&b':') {
            ev.http.upstream = Some(Cow::Borrowed(addr));
        }
    }
    if let Some(id) = rest
        .last()
        .filter(|id| id.len() >= 16 && id.iter().all(u8::is_ascii_hexdigit))
    {
        ev.trace_id = Some(Cow::Borrowed(id));
    }
}

/// What every access line sets: time, status, the level the status implies (5xx error, 4xx
/// warn, else info) and the request line as the message.
fn commit<'a>(ev: &mut Event<'a>, time: i64, request: &'a [u8], status: Option<u16>) {
    ev.time = Some(time);
    ev.http.status = status;
    ev.level = Some(status.map_or(Level::Info, super::level::from_http_status));
    ev.message = Cow::Borrowed(request);
}

/// uWSGI's request line (its default log format), among the app's own output in a uWSGI
/// log: `[pid: 12|app: 0|req: 5/9] 10.0.3.4 () {40 vars in 700 bytes} [Mon Nov 30 12:42:35
/// 2026] GET /api/checkout => generated 0 bytes in 30001 msecs (HTTP/1.1 504) 2 headers in
/// 70 bytes (1 switches on core 0)`: time, method and path (the message), status, duration
/// (`msecs`, or `micros` with `--log-micros`). Returns whether `b` was one.
pub fn uwsgi<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> bool {
    let Some(at) = uwsgi_generated(b) else {
        return false;
    };
    let head = &b[..at];
    let Some(close) = memchr::memrchr(b']', head) else {
        return false;
    };
    let Some(open) = memchr::memrchr(b'[', &head[..close]) else {
        return false;
    };
    let Some((time, _)) = parse_prefix(&head[open + 1..close], tc) else {
        return false;
    };
    let request = head[close + 1..].trim_ascii();
    let Some((method, path)) = request_parts(request) else {
        return false;
    };
    let tail = &b[at + 14..];
    let status = memchr::memmem::find(tail, b"(HTTP/").and_then(|h| {
        let after = &tail[h..];
        let sp = memchr::memchr(b' ', after)?;
        let code = after.get(sp + 1..sp + 4)?;
        (after.get(sp + 4) == Some(&b')')).then(|| status_code(code))?
    });
    let took = memchr::memmem::find(tail, b" bytes in ").and_then(|i| {
        let rest = &tail[i + 10..];
        let sp = memchr::memchr(b' ', rest)?;
        let n = parse_f64(&rest[..sp])?;
        let unit = &rest[sp + 1..];
        if unit.starts_with(b"msecs") {
            Some(n)
        } else if unit.starts_with(b"micros") {
            Some(n / 1000.0)
        } else {
            None
        }
    });
    commit(ev, time, request, status);
    ev.http.method = Some(Cow::Borrowed(method));
    ev.http.path = Some(Cow::Borrowed(path));
    ev.http.latency_ms = took;
    true
}

/// A web framework's own request line, as its default logger writes it to stdout, read from
/// an event's single-line message `m`:
///
/// - Gin: `[GIN] 2026/11/30 - 10:00:00 | 503 |  30.001234s |  10.0.0.1 | POST  "/api/pay"`
///   (its own time, local, taken when the event has none);
/// - Fiber, after its `10:00:02 ` time: `500 |   12ms |  10.0.0.1 | GET  | /api/users/7`;
/// - Express's morgan, `dev` (`GET /api/orders 200 12.345 ms - 1234`) and `tiny`
///   (`GET /api/orders 200 1234 - 12.345 ms`), and a Go middleware's `GET /api/orders 200
///   12.345ms` (a `time.Duration` after the status);
/// - go-chi's `middleware.Logger` ([`chi`]);
/// - koa-logger's response lines ([`koa`]).
///
/// Sets method, path, status, latency, the level from the status when the event has none, and
/// the message (`METHOD path`, so the request is templated as an access line's). Returns
/// whether `m` was one.
#[inline]
pub fn app_request<'a>(m: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> bool {
    // (Cheap for any other message, inline: `[GIN]`, a status and its column bar, a method's
    // first two capitals.)
    match m.first() {
        Some(b'[') if m.starts_with(b"[GIN] ") => gin(&m[6..], ev, tc),
        Some(c) if c.is_ascii_digit() && m.get(3..6) == Some(b" | ") => columns(m, None, ev),
        Some(c) if c.is_ascii_uppercase() && m.get(1).is_some_and(u8::is_ascii_uppercase) => {
            morgan(m, ev)
        }
        Some(b'"') if m.get(1).is_some_and(u8::is_ascii_uppercase) => chi(m, ev),
        Some(b' ' | b'-' | b'x' | b'<') => koa(m, ev),
        _ => false,
    }
}

/// [`app_request`] of an event's first line when lines joined it (Koa's stack under
/// koa-logger's line for a failed request): the request's message, then `below`, the joined
/// lines from the newline that ends `line` on.
pub fn request_with_lines<'a>(
    line: &'a [u8],
    below: &[u8],
    ev: &mut Event<'a>,
    tc: &TimeCtx,
) -> bool {
    if !app_request(line, ev, tc) {
        return false;
    }
    if !below.is_empty() {
        let mut msg = ev.message.to_vec();
        msg.extend_from_slice(below);
        ev.message = Cow::Owned(msg);
    }
    true
}

/// koa-logger's arrow, `  --> ` (served), `  xxx ` (failed) or `  -x- ` (closed by the
/// client), and `  <-- ` (received): the length of the prefix, two spaces included.
pub fn koa_arrow(line: &[u8]) -> Option<usize> {
    let at = usize::from(line.starts_with(b"  ")) * 2;
    let arrow = line.get(at..at + 4)?;
    if !matches!(arrow, b"--> " | b"xxx " | b"-x- " | b"<-- ") {
        return None;
    }
    // A method and a path (rustc's `  --> src/main.rs:4:5` is no request).
    let rest = &line[at + 4..];
    let sp = rest.iter().take(17).position(|&c| c == b' ')?;
    (is_method(&rest[..sp]) && rest.get(sp + 1) == Some(&b'/')).then_some(at + 4)
}

/// koa-logger's response line, `  --> GET /api/orders 200 12ms 1.2kb` (`xxx` when the
/// handler threw, `-x-` when the client went away; the time `5,002ms` or `30s`). Its
/// `  <-- GET /api/orders` request line is no request of its own: the response line
/// reports it.
fn koa<'a>(m: &'a [u8], ev: &mut Event<'a>) -> bool {
    let Some(at) = koa_arrow(m) else {
        return false;
    };
    if m[at - 4] == b'<' {
        return false;
    }
    let mut t = m[at..].split(|&c| c == b' ');
    let (Some(method), Some(path), Some(status), Some(took), Some(_size), None) =
        (t.next(), t.next(), t.next(), t.next(), t.next(), t.next())
    else {
        return false;
    };
    if !is_method(method) || !path.starts_with(b"/") {
        return false;
    }
    let (num, mult) = match took.strip_suffix(b"ms") {
        Some(n) => (n, 1.0),
        None => (took.strip_suffix(b"s").unwrap_or_default(), 1000.0),
    };
    // (Thousands are grouped: `5,002ms`.)
    let ms = (num.first().is_some_and(u8::is_ascii_digit)
        && num.iter().all(|&c| c.is_ascii_digit() || c == b','))
    .then(|| {
        num.iter()
            .filter(|c| c.is_ascii_digit())
            .fold(0.0, |v, &c| v * 10.0 + f64::from(c - b'0'))
            * mult
    });
    let (Some(status), Some(ms)) = (status_code(status), ms) else {
        return false;
    };
    let request = &m[at..at + method.len() + 1 + path.len()];
    request_found(ev, Cow::Borrowed(request), method, path, status, ms);
    true
}

/// go-chi's `middleware.Logger`: `"GET http://host/api/orders HTTP/1.1" from 10.0.0.7:40000 -
/// 503 19B in 5.002s` (the path is the URL's, without scheme and host).
fn chi<'a>(m: &'a [u8], ev: &mut Event<'a>) -> bool {
    let Some(q) = memchr::memchr(b'"', &m[1..]).map(|q| q + 1) else {
        return false;
    };
    let Some((method, url)) = request_parts(&m[1..q]) else {
        return false;
    };
    let Some(path) = memchr::memmem::find(url, b"://")
        .and_then(|s| memchr::memchr(b'/', &url[s + 3..]).map(|p| &url[s + 3 + p..]))
    else {
        return false;
    };
    let Some(rest) = m[q + 1..].strip_prefix(b" from ") else {
        return false;
    };
    let Some(dash) = memchr::memmem::find(rest, b" - ") else {
        return false;
    };
    let mut t = rest[dash + 3..].split(|&c| c == b' ');
    let (Some(status), Some(size), Some(b"in"), Some(took), None) =
        (t.next(), t.next(), t.next(), t.next(), t.next())
    else {
        return false;
    };
    let (Some(status), Some(ms)) = (status_code(status), super::keys::go_duration_ms(took)) else {
        return false;
    };
    if size.last() != Some(&b'B') {
        return false;
    }
    let msg = Cow::Owned(method_path(method, path));
    request_found(ev, msg, method, path, status, ms);
    true
}

/// Gin's line after `[GIN] `: `2026/11/30 - 10:00:00 | 503 | …`, its stamp read as
/// `2026/11/30 10:00:00`.
fn gin<'a>(r: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> bool {
    let (Some(d), Some(b" - "), Some(t)) = (r.get(..10), r.get(10..13), r.get(13..21)) else {
        return false;
    };
    let mut buf = [0u8; 19];
    buf[..10].copy_from_slice(d);
    buf[10] = b' ';
    buf[11..].copy_from_slice(t);
    match parse_prefix(&buf, tc) {
        Some((time, 19)) => match r[21..].strip_prefix(b" |") {
            Some(cols) => columns(cols, Some(time), ev),
            None => false,
        },
        _ => false,
    }
}

/// Gin's and Fiber's columns: `status | latency | client | METHOD "path"` (Gin) or
/// `… | METHOD | path` (Fiber).
fn columns<'a>(cols: &'a [u8], time: Option<i64>, ev: &mut Event<'a>) -> bool {
    let mut cols = cols.split(|&c| c == b'|').map(<[u8]>::trim_ascii);
    let (Some(status), Some(took), Some(_client), Some(req)) =
        (cols.next(), cols.next(), cols.next(), cols.next())
    else {
        return false;
    };
    let (Some(status), Some(ms)) = (status_code(status), super::keys::go_duration_ms(took)) else {
        return false;
    };
    let (method, path) = match memchr::memchr(b' ', req) {
        Some(sp) => {
            let p = req[sp..].trim_ascii();
            (
                &req[..sp],
                p.strip_prefix(b"\"").and_then(|p| p.strip_suffix(b"\"")),
            )
        }
        None => (req, cols.next()),
    };
    let Some(path) = path.filter(|p| p.starts_with(b"/") && is_method(method)) else {
        return false;
    };
    if ev.time.is_none() {
        ev.time = time;
    }
    let msg = Cow::Owned(method_path(method, path));
    request_found(ev, msg, method, path, status, ms);
    true
}

/// morgan's `dev` (`GET /a 200 12.345 ms - 1234`) and `tiny` (`GET /a 200 1234 - 12.345
/// ms`) lines.
fn morgan<'a>(m: &'a [u8], ev: &mut Event<'a>) -> bool {
    let mut t = m.split(|&c| c == b' ');
    let (Some(method), Some(path)) = (t.next(), t.next()) else {
        return false;
    };
    if !is_method(method) || !path.starts_with(b"/") {
        return false;
    }
    let (Some(status), Some(a)) = (t.next(), t.next()) else {
        return false;
    };
    let ms = match (a, t.next(), t.next(), t.next(), t.next()) {
        (n, Some(b"ms"), Some(b"-"), Some(_), None)
        | (_, Some(b"-"), Some(n), Some(b"ms"), None) => parse_f64(n),
        // A Go middleware's `log.Printf("%s %s %d %s", …)` of a `time.Duration`:
        // `GET /api/orders 200 12.345ms`.
        (d, None, ..) if d.last().is_some_and(u8::is_ascii_alphabetic) => {
            super::keys::go_duration_ms(d)
        }
        _ => None,
    };
    let (Some(status), Some(ms)) = (status_code(status), ms) else {
        return false;
    };
    // The message is the line's `METHOD path`.
    let request = &m[..method.len() + 1 + path.len()];
    request_found(ev, Cow::Borrowed(request), method, path, status, ms);
    true
}

/// `METHOD path`: the message of a request line that is not the line's own text.
pub fn method_path(method: &[u8], path: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(method.len() + 1 + path.len());
    msg.extend_from_slice(method);
    msg.push(b' ');
    msg.extend_from_slice(path);
    msg
}

/// Fills `ev` with a request an app's line reported, named `msg`.
fn request_found<'a>(
    ev: &mut Event<'a>,
    msg: Cow<'a, [u8]>,
    method: &'a [u8],
    path: &'a [u8],
    status: u16,
    ms: f64,
) {
    ev.http.method = Some(Cow::Borrowed(method));
    ev.http.path = Some(Cow::Borrowed(path));
    ev.http.status = Some(status);
    ev.http.latency_ms = Some(ms);
    if ev.level.is_none() {
        ev.level = Some(super::level::from_http_status(status));
    }
    ev.message = msg;
}

/// Whether `line` is a uWSGI request line ([`uwsgi`]): nothing joins it.
pub fn uwsgi_line(line: &[u8]) -> bool {
    uwsgi_generated(line).is_some()
}

/// Where ` => generated ` is in a line that starts as a uWSGI request line.
fn uwsgi_generated(b: &[u8]) -> Option<usize> {
    static GENERATED: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    if !b.starts_with(b"[pid: ") {
        return None;
    }
    GENERATED
        .get_or_init(|| memchr::memmem::Finder::new(b" => generated "))
        .find(b)
}

/// Parses an access log line; returns whether it was one. `columns`: the source's W3C
/// columns (from its `#Fields:` directive), tried first when there are some.
pub fn parse<'a>(
    b: &'a [u8],
    ev: &mut Event<'a>,
    tc: &TimeCtx,
    columns: Option<&W3cFields>,
) -> bool {
    if let Some(layout) = columns {
        if w3c::parse(b, ev, tc, layout).is_some() {
            return true;
        }
    }
    parse_inner(b, ev, tc).is_some()
}

fn parse_inner<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> Option<()> {
    if b.first() == Some(&b'[') {
        return envoy(b, ev, tc);
    }
    if matches!(b.first(), Some(b'h' | b'w' | b'g')) {
        if let Some(()) = alb(b, ev, tc) {
            return Some(());
        }
    }
    if b.get(4) == Some(&b'-') && b.get(10) == Some(&b' ') {
        if let Some(()) = w3c::parse(b, ev, tc, w3c::iis_default()) {
            return Some(());
        }
    }
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
    let status = status_or_absent(status_b, b"-")?;
    // Commit: from here on the line is an access log line.
    commit(ev, time, request, status);
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
    let mut first_decimal: Option<&[u8]> = None;
    // A duration with its unit (Traefik's last field, `30001ms`).
    let mut with_unit: Option<f64> = None;
    let mut n_quoted = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            match quoted(b, i) {
                Some((inner, e)) => {
                    // After the referer and user agent, a URL is the server the request went
                    // to (Traefik's `"http://10.0.0.5:80"`).
                    let url = inner.starts_with(b"http://") || inner.starts_with(b"https://");
                    if n_quoted >= 2 && url && ev.http.upstream.is_none() {
                        ev.http.upstream = Some(Cow::Borrowed(super::keys::url_host(inner)));
                    }
                    n_quoted += 1;
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
            if first_decimal.is_none() && tok.contains(&b'.') {
                first_decimal = Some(tok);
            }
        } else if tok.first().is_some_and(u8::is_ascii_digit) && tok.ends_with(b"s") {
            with_unit = super::keys::go_duration_ms(tok).or(with_unit);
        } else if tok.starts_with(b"[") && tok.ends_with(b"]") {
            // ingress-nginx's default format: `... $request_length $request_time
            // [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr
            // $upstream_response_length $upstream_response_time $upstream_status $req_id`:
            // the request time is the number before the first bracket, not the last one.
            ingress_nginx(b, e, last_bare, ev);
            break;
        }
        i = e;
    }
    if ev.http.latency_ms.is_none() {
        ev.http.latency_ms = with_unit;
    }
    if ev.http.latency_ms.is_none() {
        if let Some(v) = first_decimal
            .or(last_bare)
            .and_then(|t| parse_f64(t).map(|f| (t, f)))
        {
            ev.http.latency_ms = Some(if v.0.contains(&b'.') {
                v.1 * 1000.0
            } else {
                v.1 / 1000.0
            });
        }
    }
    Some(())
}

/// AWS Application Load Balancer access log: `type time elb client:port target:port
/// request_processing_time target_processing_time response_processing_time elb_status_code
/// target_status_code received_bytes sent_bytes "request" "user_agent" ...`. Latency is the
/// sum of the three processing times (seconds; `-1` when the target never answered, then
/// none); the target is the upstream; the `Root=` X-Amzn-Trace-Id is the trace id.
fn alb<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> Option<()> {
    let (kind, rest) = b.split_at(memchr::memchr(b' ', &b[..b.len().min(6)])?);
    if !matches!(kind, b"http" | b"https" | b"h2" | b"grpcs" | b"ws" | b"wss") {
        return None;
    }
    let toks = fields(rest, 1, 20)?;
    // time, elb, client, target, 3 times, 2 statuses, 2 byte counts, "request".
    if toks.len() < 12 || toks[..11].iter().any(|t| t.1) || !toks[11].1 {
        return None;
    }
    let (time, n) = parse_prefix(toks[0].0, tc)?;
    if n != toks[0].0.len() {
        return None;
    }
    let mut secs = [0f64; 3];
    for (s, t) in secs.iter_mut().zip(&toks[4..7]) {
        *s = std::str::from_utf8(t.0).ok()?.parse::<f64>().ok()?;
    }
    let status = status_or_absent(toks[7].0, b"-")?;
    let request = toks[11].0;
    commit(ev, time, request, status);
    set_request(request, ev);
    if secs.iter().all(|&s| s >= 0.0) {
        ev.http.latency_ms = Some(secs.iter().sum::<f64>() * 1000.0);
    }
    if toks[3].0 != b"-" {
        ev.http.upstream = Some(Cow::Borrowed(toks[3].0));
    }
    if let Some(t) = toks[12..].iter().find(|t| t.1 && t.0.starts_with(b"Root=")) {
        ev.trace_id = Some(Cow::Borrowed(t.0));
    }
    Some(())
}

/// HAProxy's HTTP log line (usually behind a syslog header, `haproxy[1234]: ...`):
/// `client:port [accept_date] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes cookie
/// cookie state conns queues ["{headers}"] "request"`. When `ev`'s message is one, the event
/// becomes the request: time from the accept date, total time `Ta` as latency (none when
/// negative: the request was aborted), `backend/server` as the upstream.
pub fn haproxy_embedded<'a>(ev: &mut Event<'a>, tc: &TimeCtx) {
    let Cow::Borrowed(m) = ev.message else {
        return;
    };
    if !m.first().is_some_and(u8::is_ascii_digit) && m.first() != Some(&b'[') {
        return;
    }
    let Some(all) = fields(m, 0, 24) else {
        return;
    };
    // The request is the last quoted field (captured headers `{...}` may come before it).
    let Some(&(request, true)) = all.last() else {
        return;
    };
    let mut toks = [&b""[..]; MAX_FIELDS];
    let mut n = 0;
    for t in all.iter().filter(|t| !t.1) {
        toks[n] = t.0;
        n += 1;
    }
    let toks = &toks[..n];
    if toks.len() < 11 || !toks[0].contains(&b':') {
        return;
    }
    let Some(stamp) = toks[1]
        .strip_prefix(b"[")
        .and_then(|t| t.strip_suffix(b"]"))
    else {
        return;
    };
    let Some((time, n)) = parse_prefix(stamp, tc) else {
        return;
    };
    // Tq/Tw/Tc/Tr/Ta (or Tt): four or five timers, the last the total.
    let timers = toks[4].split(|&c| c == b'/').count();
    if n != stamp.len() || !(4..=5).contains(&timers) || !toks[3].contains(&b'/') {
        return;
    }
    let Some(status) = status_or_absent(toks[5], b"-1") else {
        return;
    };
    let total = toks[4].rsplit(|&c| c == b'/').next().unwrap_or(toks[4]);
    let total = total.strip_prefix(b"+").unwrap_or(total);
    commit(ev, time, request, status);
    set_request(request, ev);
    if let Some(ms) = parse_f64(total) {
        ev.http.latency_ms = Some(ms);
    }
    if !toks[3].ends_with(b"<NOSRV>") {
        ev.http.upstream = Some(Cow::Borrowed(toks[3]));
    }
}

/// Envoy's default access log, also Istio's sidecars' (the `kubectl logs` of a mesh):
/// `[START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS [DETAILS...] BYTES_RECEIVED BYTES_SENT
/// DURATION UPSTREAM_TIME "X-FORWARDED-FOR" "USER-AGENT" "X-REQUEST-ID" "AUTHORITY"
/// "UPSTREAM_HOST" ...`. Istio puts response-code details and a quoted transport failure
/// reason between the flags and the byte counts, so the numbers are found as the first run
/// of three integers. Duration is in milliseconds; the request id is the trace id; the
/// upstream host is the upstream, as Nginx's `upstream_addr`; the response flags (`UF`,
/// `UT`, `URX`, `NR`...) are kept as a field.
pub fn envoy<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> Option<()> {
    let close = memchr::memchr(b']', &b[..b.len().min(48)])?;
    if b.get(close + 1..close + 3) != Some(b" \"") {
        return None;
    }
    let stamp = &b[1..close];
    let (time, n) = parse_prefix(stamp, tc)?;
    if n != stamp.len() {
        return None;
    }
    let (request, i) = quoted(b, close + 2)?;
    let mut parts = request.splitn(3, |&c| c == b' ');
    let (Some(m), Some(p), Some(proto)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    if !is_method(m) || p.is_empty() {
        return None;
    }
    if !(proto.starts_with(b"HTTP/") || proto == b"-") || b.get(i) != Some(&b' ') {
        return None;
    }
    let status_end = i + 1 + memchr::memchr(b' ', &b[i + 1..])?;
    let status_b = &b[i + 1..status_end];
    // Envoy writes 0 when the client left before a response.
    let status = status_or_absent(status_b, b"0")?;
    // The tokens after the status: flags, Istio's details, the byte counts and duration,
    // the upstream time, then the quoted fields.
    let toks = fields(b, status_end + 1, 24)?;
    let int = |t: &(&[u8], bool)| !t.1 && !t.0.is_empty() && t.0.iter().all(u8::is_ascii_digit);
    let run = toks.windows(3).position(|w| w.iter().all(int))?;
    let flags = toks.first().filter(|t| !t.1 && run > 0).map(|t| t.0);
    let duration = parse_f64(toks[run + 2].0)?;
    // After the upstream time (a number or `-`): X-Forwarded-For, user agent, request id,
    // authority, upstream host.
    let mut quoted_after = toks[run + 3..]
        .iter()
        .skip_while(|t| !t.1)
        .take_while(|t| t.1)
        .map(|t| t.0);
    let present = |v: &&[u8]| !v.is_empty() && *v != b"-";
    let request_id = quoted_after.nth(2).filter(present);
    let upstream_host = quoted_after.nth(1).filter(present);
    commit(ev, time, request, status);
    ev.http.method = Some(Cow::Borrowed(m));
    ev.http.path = Some(Cow::Borrowed(p));
    ev.http.latency_ms = Some(duration);
    if let Some(id) = request_id {
        ev.trace_id = Some(Cow::Borrowed(id));
    }
    if let Some(up) = upstream_host {
        ev.http.upstream = Some(Cow::Borrowed(up));
    }
    if let Some(f) = flags.filter(|f| *f != b"-") {
        ev.fields
            .push((Cow::Borrowed(&b"response_flags"[..]), Cow::Borrowed(f)));
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
        parse(line.as_bytes(), &mut ev, &tc, None).then_some(ev)
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
        // `$request_time $upstream_response_time`: the first is the request's.
        let ev = run(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /b HTTP/1.1" 504 512 "-" "curl/8" 60.004 60.001 ."#).expect("timed_combined");
        assert_eq!(ev.http.latency_ms, Some(60004.0));
        let ev = run(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /b HTTP/1.1" 200 512 "-" "curl/8" 0.004 -"#).expect("static file");
        assert_eq!(ev.http.latency_ms, Some(4.0));
        // Traefik's CLF: request count, router, server URL, then the duration with its
        // unit; a referer URL is no upstream.
        let ev = run(r#"10.0.0.1 - - [30/Nov/2026:12:00:00 +0000] "GET /api/orders/7 HTTP/1.1" 502 11 "https://shop.example.com/" "curl/8.0" 123 "api@docker" "http://10.0.0.5:80" 30001ms"#).expect("traefik");
        assert_eq!(ev.http.latency_ms, Some(30001.0));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.0.0.5:80"[..]));
        let ev = run(r#"10.0.0.1 - - [30/Nov/2026:12:00:00 +0000] "GET / HTTP/1.1" 200 11 "https://shop.example.com/" "curl/8.0""#).expect("combined");
        assert!(ev.http.upstream.is_none());
        // ingress-nginx: the request time is before the upstream's bracket, not last.
        let ev = run(r#"10.244.0.1 - - [05/Mar/2024:10:00:01 +0000] "POST /api/v1/checkout HTTP/1.1" 504 160 "-" "okhttp/4" 300 60.001 [shop-api-8080] [] 10.244.1.7:8080 0 60.000 504 1a2b3c4d5e6f708192a3b4c5d6e7f809"#).expect("ingress-nginx");
        assert_eq!(ev.http.latency_ms, Some(60001.0));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.244.1.7:8080"[..]));
        assert_eq!(
            ev.trace_id.as_deref(),
            Some(&b"1a2b3c4d5e6f708192a3b4c5d6e7f809"[..])
        );
        let ev = run(r#"10.244.0.1 - - [05/Mar/2024:10:00:02 +0000] "GET /healthz HTTP/1.1" 502 150 "-" "kube-probe/1.29" 80 0.001 [shop-api-8080] [] 10.244.1.7:8080, 10.244.1.8:8080 0, 0 0.000, 0.001 502, 502 aa"#).expect("retried upstreams");
        assert_eq!(ev.http.latency_ms, Some(1.0));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.244.1.7:8080"[..]));
        assert_eq!(ev.trace_id, None);
        // Envoy's default format, and Istio's with details and a transport failure reason.
        let ev = run(r#"[2024-03-05T10:00:07.123Z] "GET /api/v1/x?q=1 HTTP/1.1" 503 UF 0 91 30001 - "-" "curl/8" "abc-123" "shop.example" "10.0.0.3:8080""#).expect("envoy");
        assert_eq!(ev.time, Some(1_709_632_807_123));
        assert_eq!(ev.http.method.as_deref(), Some(&b"GET"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/v1/x?q=1"[..]));
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.http.latency_ms, Some(30001.0));
        assert_eq!(ev.trace_id.as_deref(), Some(&b"abc-123"[..]));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.0.0.3:8080"[..]));
        assert_eq!(&*ev.message, b"GET /api/v1/x?q=1 HTTP/1.1");
        assert!(ev
            .fields
            .iter()
            .any(|(k, v)| &**k == b"response_flags" && &**v == b"UF"));
        let ev = run(r#"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#).expect("istio");
        assert_eq!(ev.http.status, Some(418));
        assert_eq!(ev.http.latency_ms, Some(4.0));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.44.1.27:80"[..]));
        assert_eq!(
            ev.trace_id.as_deref(),
            Some(&b"84961386-6d84-929d-98bd-c5aee93b5c88"[..])
        );
        assert!(ev.fields.is_empty());
        // A client that left before the response: status 0, no status.
        let ev = run(
            r#"[2024-03-05T10:00:07.123Z] "POST /a HTTP/2" 0 DC 12 0 5 - "-" "ua" "r" "h" "-""#,
        )
        .expect("status 0");
        assert_eq!(ev.http.status, None);
        assert_eq!(ev.http.upstream, None);
        // HAProxy's HTTP log line, as the syslog parser hands it over.
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let msg = r#"10.0.0.1:51234 [05/Mar/2024:10:00:00.123] fe_https~ be_api/api2 0/0/1/250/251 503 212 - - sH-- 10/10/2/1/0 0/0 "GET /api/v1/orders HTTP/1.1""#;
        let mut ev = Event::bare(1, msg.as_bytes());
        haproxy_embedded(&mut ev, &tc);
        assert_eq!(ev.time, Some(1_709_632_800_123));
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.http.latency_ms, Some(251.0));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"be_api/api2"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/v1/orders"[..]));
        assert_eq!(&*ev.message, b"GET /api/v1/orders HTTP/1.1");
        let msg = r#"10.0.0.1:51234 [05/Mar/2024:10:00:00.123] fe be/<NOSRV> -1/-1/-1/-1/+5 -1 0 - - CR-- 1/1/0/0/0 0/0 "<BADREQ>""#;
        let mut ev = Event::bare(1, msg.as_bytes());
        haproxy_embedded(&mut ev, &tc);
        assert_eq!(ev.http.status, None);
        assert_eq!(ev.http.upstream, None);
        assert_eq!(ev.http.latency_ms, Some(5.0));
        let msg = "Proxy be_api started.";
        let mut ev = Event::bare(1, msg.as_bytes());
        haproxy_embedded(&mut ev, &tc);
        assert_eq!(ev.time, None);
        // IIS with its default fields.
        let ev = run("2024-03-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 Mozilla/5.0+(Windows) - 500 0 0 1234").expect("iis");
        assert_eq!(ev.time, Some(1_709_632_800_000));
        assert_eq!(ev.http.status, Some(500));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/orders"[..]));
        assert_eq!(ev.http.latency_ms, Some(1234.0));
        assert_eq!(&*ev.message, b"GET /api/orders");
        assert!(
            run("2024-03-05 10:00:00 INFO GET /api/orders id=5 443 - 1.2.3.4 ua - 500 0 0 x")
                .is_none()
        );
        assert!(run("2024-03-05 10:00:00 ERROR something failed").is_none());
        // AWS ALB: the three processing times add up; -1 means the target never answered.
        let ev = run(r#"https 2024-03-05T10:00:00.123456Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.001 0.251 0.000 502 502 34 366 "GET https://shop.example:443/api/v1/orders?x=1 HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "shop.example" "-" 0 2024-03-05T10:00:00.120000Z "forward" "-" "-" "10.0.0.1:80" "502" "-" "-""#).expect("alb");
        assert_eq!(ev.time, Some(1_709_632_800_123));
        assert_eq!(ev.http.status, Some(502));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.http.latency_ms, Some(252.0));
        assert_eq!(ev.http.method.as_deref(), Some(&b"GET"[..]));
        assert_eq!(
            ev.http.path.as_deref(),
            Some(&b"https://shop.example:443/api/v1/orders?x=1"[..])
        );
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.0.0.1:80"[..]));
        assert_eq!(
            ev.trace_id.as_deref(),
            Some(&b"Root=1-58337281-1d84f3d73c47ec4e58577259"[..])
        );
        let ev = run(r#"http 2024-03-05T10:00:01.000000Z app/my-lb/50dc 10.1.1.1:2817 - -1 -1 -1 504 - 34 0 "POST http://shop.example:80/pay HTTP/1.1" "ua" - - - "Root=1-2-3""#).expect("alb timeout");
        assert_eq!(ev.http.status, Some(504));
        assert_eq!(ev.http.latency_ms, None);
        assert_eq!(ev.http.upstream, None);
        assert!(run("https is a protocol 1 2 3 4 5 6 7 8 9 10 \"x\"").is_none());
        // A bracketed stamp before other text is not an access line.
        assert!(run("[2024-03-05T10:00:07.123Z] ERROR boom").is_none());
        assert!(run(r#"[2024-03-05 10:00:02] "quoted" message 200 1 2 3"#).is_none());
        assert!(run(r#"1.2.3.4 - - [garbage] "GET / HTTP/1.1" 200 1"#).is_none());
    }
}
