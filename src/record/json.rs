//! `json`: JSON lines, including Docker's json-file wrapper.
//!
//! In: one line. Out: the event's fields, borrowed from the line. A small hand-written scanner
//! walks the object once: strings are found with `memchr2` on `"`/`\` and borrowed as they are
//! unless they hold escapes (then serde_json unescapes them into an owned value); numbers and
//! literals are borrowed as their text. Keys are matched against [`keys`](super::keys) by dotted
//! path, two levels deep (`http.request.method`); other scalars of the top level and of one
//! nested level go to `fields` (skipping values over 200 bytes). No tree is built and nothing is
//! allocated for a line without escapes and without nested fields.
//!
//! Docker json-file (`{"log":"...\n","stream":"stderr","time":"..."}`): the inner `log` is
//! parsed again, as JSON when it is an object, else as a `plain` line (header stripped); the
//! Docker `time` is used when the inner line has none. Invalid JSON leaves the event as a bare
//! message (the whole line), so nothing is dropped.
//!
//! Docker writes each line of a container's output as its own record, so a stack trace is one
//! record per frame. A record whose line continues the previous event by the `plain` rule
//! ([`docker_continuation`]: `\tat ...`, `Caused by: ...`, `Traceback ...`) joins it, and so
//! does the record after one whose `log` lacks its newline (Docker splits lines over 16 KiB,
//! [`docker_partial`]). The event's message is the records' lines, split lines made whole
//! again, parsed as the app wrote them ([`parse_joined`]).

use std::borrow::Cow;

use memchr::memchr2;

use super::keys::{Assign, UserKeys};
use super::parse::Ctx;
use super::{plain, Event};

/// Deepest nesting the scanner follows before calling the line invalid (stack safety).
const MAX_DEPTH: u32 = 64;
/// Values longer than this are not kept as fields (they are payloads, not attributes).
const MAX_FIELD: usize = 200;

#[derive(Clone, Copy)]
enum Val<'a> {
    Str {
        inner: &'a [u8],
        esc: bool,
    },
    /// A number or `true`/`false`, as written.
    Scalar(&'a [u8]),
    Null,
    Obj(&'a [u8]),
    /// An array, brackets included.
    Arr(&'a [u8]),
}

#[inline]
fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// A string starting at the `"` at `i`: (inner bytes, has escapes, index after the `"`).
#[inline]
fn string(b: &[u8], i: usize) -> Option<(&[u8], bool, usize)> {
    let mut j = i + 1;
    let mut esc = false;
    // Keys and short values end within a few bytes, where a plain loop beats memchr's setup.
    let short_end = (j + 16).min(b.len());
    while j < short_end {
        match b[j] {
            b'"' => return Some((&b[i + 1..j], esc, j + 1)),
            b'\\' => {
                esc = true;
                j += 2;
            }
            _ => j += 1,
        }
    }
    loop {
        j += memchr2(b'"', b'\\', b.get(j..)?)?;
        if b[j] == b'"' {
            return Some((&b[i + 1..j], esc, j + 1));
        }
        esc = true;
        j += 2;
    }
}

fn value(b: &[u8], i: usize, depth: u32) -> Option<(Val<'_>, usize)> {
    match *b.get(i)? {
        b'"' => {
            let (inner, esc, e) = string(b, i)?;
            Some((Val::Str { inner, esc }, e))
        }
        b'{' => {
            let e = members(b, i, depth + 1, &mut |_, _, _| {})?;
            Some((Val::Obj(&b[i..e]), e))
        }
        b'[' => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut j = ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return Some((Val::Arr(&b[i..j + 1]), j + 1));
            }
            loop {
                let (_, e) = value(b, j, depth + 1)?;
                j = ws(b, e);
                match b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b']' => return Some((Val::Arr(&b[i..j + 1]), j + 1)),
                    _ => return None,
                }
            }
        }
        b'-' | b'0'..=b'9' => {
            let mut j = i + 1;
            while matches!(
                b.get(j),
                Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            ) {
                j += 1;
            }
            Some((Val::Scalar(&b[i..j]), j))
        }
        b't' if b[i..].starts_with(b"true") => Some((Val::Scalar(&b[i..i + 4]), i + 4)),
        b'f' if b[i..].starts_with(b"false") => Some((Val::Scalar(&b[i..i + 5]), i + 5)),
        b'n' if b[i..].starts_with(b"null") => Some((Val::Null, i + 4)),
        _ => None,
    }
}

/// Walks the object at `i` (which must be `{`), calling `f(key, key_has_escapes, value)` per
/// member; returns the index after the closing `}`.
fn members<'a, F: FnMut(&'a [u8], bool, Val<'a>)>(
    b: &'a [u8],
    i: usize,
    depth: u32,
    f: &mut F,
) -> Option<usize> {
    if depth > MAX_DEPTH || b.get(i) != Some(&b'{') {
        return None;
    }
    let mut j = ws(b, i + 1);
    if b.get(j) == Some(&b'}') {
        return Some(j + 1);
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return None;
        }
        let (key, kesc, e) = string(b, j)?;
        j = ws(b, e);
        if b.get(j) != Some(&b':') {
            return None;
        }
        j = ws(b, j + 1);
        let (v, e) = value(b, j, depth)?;
        f(key, kesc, v);
        j = ws(b, e);
        match b.get(j)? {
            b',' => j = ws(b, j + 1),
            b'}' => return Some(j + 1),
            _ => return None,
        }
    }
}

/// Unescapes the inside of a JSON string; invalid escapes give the bytes as they are.
/// Terminal colour codes (`\u001b[31m`, a coloured console line in a Docker `log`) are
/// dropped: they are no part of the text ([`ansi`](super::ansi)).
fn unescape(inner: &[u8]) -> Vec<u8> {
    let mut quoted = Vec::with_capacity(inner.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(inner);
    quoted.push(b'"');
    let mut v = match serde_json::from_slice::<String>(&quoted) {
        Ok(s) => s.into_bytes(),
        Err(_) => inner.to_vec(),
    };
    super::ansi::strip_in_place(&mut v);
    v
}

fn str_val(inner: &[u8], esc: bool) -> Cow<'_, [u8]> {
    if esc {
        Cow::Owned(unescape(inner))
    } else {
        Cow::Borrowed(inner)
    }
}

/// Whether `b` is one JSON object (and nothing else but whitespace).
pub fn looks_like(b: &[u8]) -> bool {
    let i = ws(b, 0);
    b.get(i) == Some(&b'{')
        && members(b, i, 0, &mut |_, _, _| {}).is_some_and(|e| ws(b, e) == b.len())
}

/// State of one object walk.
struct Walk<'a, 'k> {
    assign: Assign,
    keys: &'k UserKeys,
    docker_log: Option<(&'a [u8], bool)>,
    docker_stream: bool,
    /// The first error field holding a whole stack trace (logstash-logback-encoder's
    /// `stack_trace`, .NET's `Exception`, Python's `exc_info`): its frames tell crashes apart.
    stack: Option<Cow<'a, [u8]>>,
}

/// Parses a JSON line; returns whether it was a JSON object.
pub fn parse<'a>(b: &'a [u8], ev: &mut Event<'a>, ctx: &Ctx) -> bool {
    let start = ws(b, 0);
    if b.get(start) != Some(&b'{') {
        return false;
    }
    let mut w = Walk {
        assign: Assign::default(),
        keys: &ctx.keys,
        docker_log: None,
        docker_stream: false,
        stack: None,
    };
    // One pass that validates and assigns; an invalid line is reset to a bare message, so
    // half-filled fields never leak out.
    let obj = &b[start..];
    if walk(obj, None, 0, ev, ctx, &mut w).is_none_or(|e| ws(obj, e) != obj.len()) {
        let (line, lines, bad) = (ev.line, ev.lines, ev.invalid_utf8);
        *ev = Event::bare(line, ev.raw);
        ev.lines = lines;
        ev.invalid_utf8 = bad;
        return false;
    }
    if let (Some((inner, esc)), true) = (w.docker_log, w.docker_stream) {
        docker_inner(inner, esc, ev, ctx);
    } else if !w.assign.has_message() {
        // No message key: the whole object is the message (the miner masks its values),
        // unless it is a request log (below).
        ev.message = Cow::Borrowed(b);
    } else {
        if ev.level.is_none() && w.assign.compact_message() {
            // Serilog's compact JSON leaves `@l` out at Information.
            ev.level = Some(super::Level::Info);
        }
        super::keys::with_error_text(ev);
        if let Some(stack) = w
            .stack
            .filter(|_| memchr::memchr(b'\n', &ev.message).is_none())
        {
            // The stack goes under the message, as in a plain-text log: the event's template
            // is its first line plus the exception types and application frames
            // (`mine::stack`), so the same crash groups and different crashes stay apart.
            let mut m = std::mem::take(&mut ev.message).into_owned();
            m.push(b'\n');
            m.extend_from_slice(stack.trim_ascii_end());
            ev.message = Cow::Owned(m);
        }
    }
    if let Some(t) = ev.time.filter(|_| w.assign.time_of_instant()) {
        let nanos = ev
            .fields
            .iter()
            .find(|(k, _)| &**k == b"instant.nanoOfSecond")
            .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse::<i64>().ok())
            .filter(|n| (0..1_000_000_000).contains(n));
        if let Some(n) = nanos {
            ev.time = Some(t + n / 1_000_000);
        }
    }
    if w.assign.latency_unitless {
        // Caddy writes `duration` in seconds (its access log, `http.log.access…`, its error
        // log, `http.log.error…`, and its handlers' logs, `http.handlers.reverse_proxy`),
        // Traefik's `Duration` nanoseconds. Zap's production encoder writes its `ts` as
        // float epoch seconds and a `zap.Duration` (ginzap's `latency`) as float seconds.
        let caddy = ev
            .logger
            .as_deref()
            .is_some_and(|l| l.starts_with(b"http.log.") || l.starts_with(b"http.handlers."));
        let traefik = ev
            .fields
            .iter()
            .any(|(k, _)| matches!(&**k, b"RouterName" | b"entryPointName"));
        if caddy || zap_epoch_seconds(ev.raw) {
            ev.http.latency_ms = ev.http.latency_ms.map(|s| s * 1000.0);
        } else if traefik {
            ev.http.latency_ms = ev.http.latency_ms.map(|ns| ns / 1e6);
        }
    }
    if let (Some(m), Some(p)) = (&ev.http.method, &ev.http.path) {
        // A request log without a message (Nginx's JSON `log_format`, Traefik's `"msg":""`):
        // the request names it, and its status gives the level, as in an access log.
        if !w.assign.has_message() || ev.message.trim_ascii().is_empty() {
            ev.message = Cow::Owned(super::access::method_path(m, p));
        }
        if ev.level.is_none() {
            ev.level = ev.http.status.map(super::level::from_http_status);
        }
    }
    true
}

/// Whether `line` is a whole JSON object after leading white space (`  {"a":1}`).
pub fn indented_record(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.len() < line.len() && t.starts_with(b"{\"") && t.ends_with(b"}")
}

/// Whether a JSON record's `ts` is epoch seconds with a fraction (`"ts":1773136800.727969`),
/// as zap's production encoder writes it.
fn zap_epoch_seconds(raw: &[u8]) -> bool {
    let Some(at) = memchr::memmem::find(raw, b"\"ts\":") else {
        return false;
    };
    let v = raw[at + 5..].trim_ascii_start();
    let digits = v.iter().take_while(|c| c.is_ascii_digit()).count();
    digits == 10 && v.get(10) == Some(&b'.')
}

/// When `ev`'s message (as another format's parser left it, borrowed from the line) is a JSON
/// object, parses it into `ev`, keeping the outer time, level and logger where the JSON has
/// none (a syslog program, a CRI timestamp). Otherwise `ev` stays as it is.
pub fn parse_embedded<'a>(ev: &mut Event<'a>, ctx: &Ctx) {
    let Cow::Borrowed(obj) = ev.message else {
        return;
    };
    if obj.first() != Some(&b'{') {
        return;
    }
    let outer = (ev.time, ev.level, ev.logger.take());
    let mut inner = Event::bare(ev.line, ev.raw);
    if parse(obj, &mut inner, ctx) {
        inner.lines = ev.lines;
        inner.invalid_utf8 = ev.invalid_utf8;
        inner.time = inner.time.or(outer.0);
        inner.level = inner.level.or(outer.1);
        inner.logger = inner.logger.or(outer.2);
        *ev = inner;
    } else {
        ev.logger = outer.2;
    }
}

/// Walks one object (`obj` starts with `{`), `prefix` being its dotted path; returns the
/// index after the object, or None when it is not valid JSON.
fn walk<'a>(
    obj: &'a [u8],
    prefix: Option<&[u8]>,
    depth: u32,
    ev: &mut Event<'a>,
    ctx: &Ctx,
    w: &mut Walk<'a, '_>,
) -> Option<usize> {
    let mut nested: [Option<(&'a [u8], &'a [u8])>; 8] = [None; 8];
    let mut n_nested = 0;
    // Dotted paths of nested keys are built here, once per object rather than per member.
    let mut buf = [0u8; 128];
    let end = members(obj, 0, 0, &mut |key, kesc, v| {
        let key_owned;
        let key: &[u8] = if kesc {
            key_owned = unescape(key);
            &key_owned
        } else {
            key
        };
        let Some(path) = dotted(&mut buf, prefix, key) else {
            return;
        };
        let val: Cow<'a, [u8]> = match v {
            Val::Str { inner, esc } => {
                if depth == 0 {
                    if path == b"log" {
                        w.docker_log = Some((inner, esc));
                    } else if path == b"stream" {
                        w.docker_stream = true;
                    }
                }
                str_val(inner, esc)
            }
            Val::Scalar(s) => Cow::Borrowed(s),
            // journald's `MESSAGE` that is no string: a byte array for text that is not
            // UTF-8 or has control characters, `null` for an empty message.
            Val::Null if depth == 0 && path == b"MESSAGE" => Cow::Borrowed(&b""[..]),
            Val::Arr(arr) if depth == 0 && path == b"MESSAGE" => match byte_array(arr) {
                Some(bytes) => Cow::Owned(bytes),
                None => return,
            },
            Val::Null | Val::Arr(_) => return,
            Val::Obj(span) => {
                if depth < 2 && n_nested < nested.len() && !kesc {
                    // The borrowed key, to build the nested prefix after this walk.
                    nested[n_nested] = Some((key_slice(obj, key), span));
                    n_nested += 1;
                }
                return;
            }
        };
        let mut found = w.keys.lookup(path);
        let mut own = None;
        if found.is_none() {
            // Rust's tracing-subscriber JSON: the event's own fields under `fields`, its span's
            // under `span` (express-winston's under `meta`); they have their roles there
            // too, after any top-level key's.
            own = wrapped_key(path);
            found = own
                .and_then(|k| w.keys.lookup(k))
                .map(|(role, prio)| (role, prio.saturating_add(16)));
        }
        let unused = match found {
            Some((role, prio)) => w.assign.offer(ev, role, prio, val, &ctx.time),
            None => Some(val),
        };
        let Some(val) = unused else {
            return;
        };
        // An error field's long value (a stack trace) is kept as the line that names the error.
        // (GELF's `full_message` holds the stack trace when Spring Boot logs an exception;
        // it is no error text of its own.)
        let error_key = super::keys::is_error_key(own.unwrap_or(path));
        let val = if error_key || path == b"full_message" {
            if w.stack.is_none()
                && memchr::memchr(b'\n', &val).is_some()
                && crate::mine::is_stack_trace(&val)
            {
                w.stack = Some(val.clone());
            }
            super::keys::error_line(val)
        } else {
            val
        };
        // (A wrapped error object's members, MongoDB's `attr.error.errmsg`, one level deeper.)
        if (depth <= 1 || depth == 2 && error_key && own.is_some()) && val.len() <= MAX_FIELD {
            let k: Cow<'a, [u8]> = if prefix.is_none() && !kesc {
                Cow::Borrowed(key_slice(obj, key))
            } else {
                // (An event's own field under tracing's `fields` or MongoDB's `attr`, and
                // any wrapped error field, by its own name.)
                Cow::Owned(
                    own.filter(|_| {
                        error_key || path.starts_with(b"fields.") || path.starts_with(b"attr.")
                    })
                    .unwrap_or(path)
                    .to_vec(),
                )
            };
            ev.fields.push((k, val));
        }
    });
    for (key, span) in nested.iter().take(n_nested).flatten() {
        if let Some(path) = dotted(&mut buf, prefix, key) {
            walk(span, Some(path), depth + 1, ev, ctx, w)?;
        }
    }
    end
}

/// The key inside an object a logger wraps an event's keys in: tracing-subscriber's JSON
/// `fields` or `span` (not the span's name), MongoDB's `attr`, Monolog's `context` and
/// `extra` (`context.exception.message`, the web processor's `extra.http_method`),
/// express-winston's `meta` (`meta.req.method`).
fn wrapped_key(path: &[u8]) -> Option<&[u8]> {
    path.strip_prefix(b"fields.")
        .or_else(|| path.strip_prefix(b"attr."))
        .or_else(|| path.strip_prefix(b"context."))
        .or_else(|| path.strip_prefix(b"extra."))
        .or_else(|| path.strip_prefix(b"span.").filter(|k| *k != b"name"))
        .or_else(|| path.strip_prefix(b"meta."))
}

/// The bytes of a JSON array of integers 0..=255 (`[72,105]`), as journald writes a field
/// that is not text; None for any other array.
fn byte_array(arr: &[u8]) -> Option<Vec<u8>> {
    let inner = arr.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let mut out = Vec::with_capacity(inner.len() / 3);
    if inner.trim_ascii().is_empty() {
        return Some(out);
    }
    for item in inner.split(|&c| c == b',') {
        let item = item.trim_ascii();
        if item.is_empty() || item.len() > 3 || !item.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = item.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        out.push(u8::try_from(n).ok()?);
    }
    Some(out)
}

/// `prefix.key` built in `buf` (or `key` itself at the top level); None when too long to be
/// a key worth matching.
#[inline]
fn dotted<'b>(buf: &'b mut [u8; 128], prefix: Option<&[u8]>, key: &'b [u8]) -> Option<&'b [u8]> {
    let Some(p) = prefix else {
        return Some(key);
    };
    let n = p.len() + 1 + key.len();
    if n > buf.len() {
        return None;
    }
    buf[..p.len()].copy_from_slice(p);
    buf[p.len()] = b'.';
    buf[p.len() + 1..n].copy_from_slice(key);
    Some(&buf[..n])
}

/// Re-borrows `key` (a sub-slice of `obj`) with `obj`'s lifetime.
fn key_slice<'a>(obj: &'a [u8], key: &[u8]) -> &'a [u8] {
    let base = obj.as_ptr() as usize;
    let at = key.as_ptr() as usize;
    if at >= base && at + key.len() <= base + obj.len() {
        &obj[at - base..at - base + key.len()]
    } else {
        &[]
    }
}

/// How every Docker json-file record starts (Docker writes no spaces; a re-serialised file may
/// have one after the colon).
const DOCKER_LOG: &[u8] = b"{\"log\":";

/// Index of the `"` opening the `log` string of a Docker json-file record.
fn docker_quote(line: &[u8]) -> Option<usize> {
    if !line.starts_with(DOCKER_LOG) {
        return None;
    }
    let q = ws(line, DOCKER_LOG.len());
    (line.get(q) == Some(&b'"')).then_some(q)
}

/// Whether `line` is a Docker json-file record whose `log` line continues the previous event
/// by [`is_continuation`](super::parse::is_continuation). Only the start of the line is
/// unescaped (into a stack buffer): the rule looks at little more than the first word.
pub fn docker_continuation(line: &[u8]) -> bool {
    let Some(q) = docker_quote(line) else {
        return false;
    };
    let body = &line[q + 1..];
    const NOT_ASCII: u8 = 0xFF;
    let mut buf = [0u8; 160];
    let mut n = 0;
    let mut i = 0;
    while n < buf.len() {
        let c = match body.get(i) {
            None | Some(b'"') => break,
            Some(b'\\') => {
                i += 2;
                match body.get(i - 1) {
                    Some(b'n') | None => break,
                    Some(b't') => b'\t',
                    Some(b'r') => b'\r',
                    Some(&c @ (b'"' | b'\\' | b'/')) => c,
                    Some(b'u') => {
                        // `\u0009`: only ASCII is decoded; anything else stands for a
                        // non-ASCII byte (no rule matches one) and ends the prefix.
                        let hex = body.get(i..i + 4).and_then(|h| std::str::from_utf8(h).ok());
                        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                            Some(c) if c.is_ascii() => {
                                i += 4;
                                c
                            }
                            _ => NOT_ASCII,
                        }
                    }
                    _ => NOT_ASCII,
                }
            }
            Some(&c) => {
                i += 1;
                c
            }
        };
        buf[n] = c;
        n += 1;
        if c == NOT_ASCII {
            break;
        }
    }
    super::parse::is_continuation(&buf[..n])
}

/// Whether the `log` string inside `inner` (escaped) ends with an escaped newline. Docker
/// splits a line longer than 16 KiB over several records; all but the last lack it.
fn ends_line(inner: &[u8]) -> bool {
    let Some(head) = inner.strip_suffix(b"n") else {
        return false;
    };
    // `\n` is a newline only behind an odd number of backslashes (`\\n` is `\` then `n`).
    head.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

/// Whether `line` is a Docker json-file record holding the first part of a long line (its
/// `log` does not end with a newline): the next record continues it.
pub fn docker_partial(line: &[u8]) -> bool {
    docker_quote(line)
        .and_then(|q| string(line, q))
        .is_some_and(|(inner, _, _)| !ends_line(inner))
}

/// Whether the Docker json-file record `line` is the error's first line in Node's report of
/// an uncaught exception, after a blank record and the caret under the source line in the
/// record before it ([`plain::node_error_continuation`]); `prev_start` is where the last
/// record of `before` starts.
pub fn docker_node_error(before: &[u8], prev_start: usize, line: &[u8]) -> bool {
    // (Cheap for every other record: the blank record before it, `{"log":"\n",…`.)
    let prev = &before[prev_start..];
    let blank_prev = docker_quote(prev).is_some_and(|q| prev[q + 1..].starts_with(b"\\n\""));
    let Some(above_end) = prev_start.checked_sub(1).filter(|_| blank_prev) else {
        return false;
    };
    if docker_line(line).is_none_or(|(l, _)| l.trim_ascii().is_empty()) {
        return false;
    }
    let above_start = memchr::memrchr(b'\n', &before[..above_end]).map_or(0, |i| i + 1);
    docker_line(&before[above_start..above_end]).is_some_and(|(a, _)| plain::caret_line(&a))
}

/// (stream, partial) of a Docker json-file record: stream 0 is stdout, 1 stderr; partial
/// when its `log` lacks the newline. None when it is no such record or names no stream.
pub fn docker_record(line: &[u8]) -> Option<(u8, bool)> {
    let (inner, _, after) = string(line, docker_quote(line)?)?;
    // Docker writes `stream` right after `log`.
    let rest = &line[after..];
    let k = memchr::memmem::find(&rest[..rest.len().min(64)], b"\"stream\"")?;
    let i = ws(rest, k + 8);
    if rest.get(i) != Some(&b':') {
        return None;
    }
    let v = rest.get(ws(rest, i + 1)..)?;
    let stream = if v.starts_with(b"\"stdout\"") {
        0
    } else if v.starts_with(b"\"stderr\"") {
        1
    } else {
        return None;
    };
    Some((stream, !ends_line(inner)))
}

/// The `log` line of a Docker json-file record, unescaped and without its line end, and
/// whether it had one.
fn docker_line(line: &[u8]) -> Option<(Cow<'_, [u8]>, bool)> {
    let (inner, esc, _) = string(line, docker_quote(line)?)?;
    let whole = ends_line(inner);
    let mut body = str_val(inner, esc);
    while body.last().is_some_and(|c| matches!(c, b'\n' | b'\r')) {
        body.to_mut().pop();
    }
    Some((body, whole))
}

/// An event of several Docker json-file records (`first`, then records up to the end of
/// `raw` that continue it: stack-trace lines, the rest of a split long line): the wrapper's
/// fields come from the first record, and the app's lines, joined, are parsed as one line
/// would be (JSON or a `plain` header). Returns whether the first record was JSON.
pub fn parse_joined<'a>(first: &'a [u8], raw: &'a [u8], ev: &mut Event<'a>, ctx: &Ctx) -> bool {
    let ok = parse(first, ev, ctx);
    let rest = &raw[first.len()..];
    let Some((body, whole)) = docker_line(first).filter(|_| ok) else {
        // Not a Docker record: its own message, then the app's lines of the others.
        let mut msg = if ok {
            ev.message.to_vec()
        } else {
            first.to_vec()
        };
        docker_append(rest, true, &mut msg);
        ev.message = Cow::Owned(msg);
        return ok;
    };
    let mut text = body.into_owned();
    docker_append(rest, whole, &mut text);
    // `parse` filled the event from the first record alone: start again from the wrapper.
    let wrapper_time = parse_wrapper_time(first, ctx);
    let fields: Vec<_> = std::mem::take(&mut ev.fields)
        .into_iter()
        .filter(|(k, _)| matches!(&**k, b"stream" | b"attrs"))
        .collect();
    let (line, lines, bad) = (ev.line, ev.lines, ev.invalid_utf8);
    *ev = Event::bare(line, ev.raw);
    ev.lines = lines;
    ev.invalid_utf8 = bad;
    ev.time = wrapper_time;
    parse_owned_body(text, ev, ctx);
    ev.fields.extend(fields);
    true
}

/// The container's own text of a Docker json-file event (`raw`, one record per line): the
/// records' `log` lines unescaped, split lines whole again. `None` when `raw` does not start
/// with a Docker record.
pub fn docker_text(raw: &[u8]) -> Option<Vec<u8>> {
    let (first, rest) = super::first_record(raw);
    let (body, whole) = docker_line(first)?;
    let mut text = body.into_owned();
    if !rest.is_empty() {
        docker_append(rest, whole, &mut text);
    }
    Some(text)
}

/// Appends the app's lines of the records in `rest` (which starts with the `\n` after the
/// previous record) to `out`: a newline between lines, none after a record whose line was
/// split (`whole` false); a line that is not a Docker record as it is.
fn docker_append(rest: &[u8], mut whole: bool, out: &mut Vec<u8>) {
    for line in rest.split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if whole {
            out.push(b'\n');
        }
        match docker_line(line) {
            Some((body, w)) => {
                out.extend_from_slice(&body);
                whole = w;
            }
            None => {
                out.extend_from_slice(line);
                whole = true;
            }
        }
    }
}

/// The Docker wrapper's own `time`.
fn parse_wrapper_time(first: &[u8], ctx: &Ctx) -> Option<i64> {
    let mut time = None;
    members(first, ws(first, 0), 0, &mut |key, _, v| {
        if let (b"time", Val::Str { inner, .. }) = (key, v) {
            time = super::time::parse_value(inner, &ctx.time);
        }
    });
    time
}

/// Parses an owned app line (JSON or a `plain` header) into `ev`, keeping `ev`'s time where
/// the line has none.
pub fn parse_owned_body<'a>(v: Vec<u8>, ev: &mut Event<'a>, ctx: &Ctx) {
    let outer_time = ev.time;
    let mut inner_ev = Event::bare(ev.line, &v);
    inner_parse(&v, &mut inner_ev, ctx);
    inner_ev.lines = ev.lines;
    inner_ev.invalid_utf8 = ev.invalid_utf8;
    let owned = inner_ev.detach(ev.raw);
    merge(ev, owned);
    if ev.time.is_none() {
        ev.time = outer_time;
    }
}

/// Docker json-file: parse the inner `log` line and let it fill the event.
fn docker_inner<'a>(inner: &'a [u8], esc: bool, ev: &mut Event<'a>, ctx: &Ctx) {
    let docker_time = ev.time;
    // Nearly every Docker line ends in an escaped newline and has no other escape: borrow it.
    let body: Cow<'a, [u8]> = match inner.strip_suffix(b"\\n") {
        Some(s) if !s.contains(&b'\\') => Cow::Borrowed(s),
        _ if !esc => Cow::Borrowed(inner),
        _ => {
            let mut v = unescape(inner);
            while v.last().is_some_and(|c| matches!(c, b'\n' | b'\r')) {
                v.pop();
            }
            Cow::Owned(v)
        }
    };
    // Keep Docker's own attributes (`stream`, ...) but nothing taken from the wrapper's keys.
    let fields = std::mem::take(&mut ev.fields);
    match body {
        Cow::Borrowed(s) => {
            let mut inner_ev = Event::bare(ev.line, s);
            inner_parse(s, &mut inner_ev, ctx);
            merge(ev, inner_ev);
        }
        Cow::Owned(v) => {
            ev.time = None;
            parse_owned_body(v, ev, ctx);
        }
    }
    ev.fields.extend(fields);
    ev.time = match (ev.time, docker_time) {
        // Docker stamps in UTC: an app's zone-less local stamp is moved into it.
        (Some(app), Some(docker)) => Some(super::time::zone_corrected(app, docker)),
        (app, docker) => app.or(docker),
    };
}

fn inner_parse<'a>(s: &'a [u8], ev: &mut Event<'a>, ctx: &Ctx) {
    if s.first() == Some(&b'{') && parse(s, ev, ctx) {
        return;
    }
    // The header is on the first line; the message runs to the end (joined records).
    let first = memchr::memchr(b'\n', s).map_or(s, |i| &s[..i]);
    if !plain::parse(first, s, ev, ctx) && first.len() == s.len() {
        // A framework's request line without a header (Gin, morgan).
        super::access::app_request(s, ev, &ctx.time);
    }
}

/// Moves the parsed fields of `inner` into `ev` (keeping `ev`'s line, raw and flags).
fn merge<'a>(ev: &mut Event<'a>, inner: Event<'a>) {
    ev.time = inner.time;
    ev.level = inner.level;
    ev.message = inner.message;
    ev.logger = inner.logger;
    ev.http = inner.http;
    ev.trace_id = inner.trace_id;
    ev.fields = inner.fields;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Format, Level, ParseConfig};

    fn run(line: &str) -> (bool, Event<'_>) {
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, Format::Json);
        let mut ev = Event::bare(1, line.as_bytes());
        let ok = parse(line.as_bytes(), &mut ev, &ctx);
        (ok, ev)
    }

    fn field<'e>(ev: &'e Event<'_>, k: &str) -> Option<&'e [u8]> {
        ev.fields
            .iter()
            .find(|(fk, _)| &**fk == k.as_bytes())
            .map(|(_, v)| &**v)
    }

    #[test]
    fn flat_keys() {
        let (ok, ev) = run(
            r#"{"ts":1700000000.5,"level":"error","msg":"payment failed","service":"billing","trace_id":"abc","method":"POST","path":"/pay","status":502,"latency_ms":1234.5,"upstream_url":"https://api.stripe.com/v1/charges","user":"u1","big":null}"#,
        );
        assert!(ok);
        assert_eq!(ev.time, Some(1_700_000_000_500));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(&*ev.message, b"payment failed");
        assert_eq!(ev.logger.as_deref(), Some(&b"billing"[..]));
        assert_eq!(ev.trace_id.as_deref(), Some(&b"abc"[..]));
        assert_eq!(ev.http.method.as_deref(), Some(&b"POST"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/pay"[..]));
        assert_eq!(ev.http.status, Some(502));
        assert_eq!(ev.http.latency_ms, Some(1234.5));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"api.stripe.com"[..]));
        assert_eq!(field(&ev, "user"), Some(&b"u1"[..]));
        assert_eq!(ev.fields.len(), 1);
    }

    #[test]
    fn empty_names_are_no_names() {
        // Nginx JSON `log_format`s print `-` for an unset variable; an empty logger key
        // leaves a lower-priority one to name the logger.
        let (_, ev) = run(
            r#"{"msg":"x","logger":"","service":"billing","request_id":"-","upstream_addr":"-"}"#,
        );
        assert_eq!(ev.logger.as_deref(), Some(&b"billing"[..]));
        assert_eq!(ev.trace_id, None);
        assert_eq!(ev.http.upstream, None);
        assert_eq!(field(&ev, "upstream_addr"), Some(&b"-"[..]));
    }

    #[test]
    fn the_error_field_joins_the_message() {
        // zap: a generic message, the cause in `error`.
        let (_, ev) = run(
            r#"{"level":"error","msg":"query failed","error":"dial tcp 10.0.3.7:5432: connect: connection refused","table":"orders"}"#,
        );
        assert_eq!(
            &*ev.message,
            b"query failed: dial tcp 10.0.3.7:5432: connect: connection refused"
        );
        assert!(field(&ev, "error").is_some());
        // ECS-style object: its message beats its type.
        let (_, ev) = run(
            r#"{"msg":"NPE in toDto","error":{"type":"java.lang.NullPointerException","message":"order.address is null"}}"#,
        );
        assert_eq!(&*ev.message, b"NPE in toDto: order.address is null");
        let (_, ev) =
            run(r#"{"msg":"NPE in toDto","error":{"type":"java.lang.NullPointerException"}}"#);
        assert_eq!(
            &*ev.message,
            b"NPE in toDto: java.lang.NullPointerException"
        );
        // Nothing to add: no error, a flag, or text the message already holds.
        for (line, want) in [
            (r#"{"msg":"request failed","error":true}"#, "request failed"),
            (
                r#"{"msg":"request failed","err":null,"error":""}"#,
                "request failed",
            ),
            (
                r#"{"msg":"request failed","error":"None","err":"OK"}"#,
                "request failed",
            ),
            (
                r#"{"msg":"request failed: timeout","error":"timeout"}"#,
                "request failed: timeout",
            ),
            (r#"{"msg":"request failed"}"#, "request failed"),
        ] {
            let (_, ev) = run(line);
            assert_eq!(String::from_utf8_lossy(&ev.message), want, "{line}");
        }
        // A stack trace in the field: the line that names the error, then the trace under
        // the message (as a plain-text log has it), the field keeping that line only.
        let first_line = |ev: &Event| {
            let m: &[u8] = &ev.message;
            String::from_utf8_lossy(m.split(|&c| c == b'\n').next().unwrap_or_default())
                .into_owned()
        };
        let (_, ev) = run(
            r#"{"event":"cache lookup failed","exception":"Traceback (most recent call last):\n  File \"/app/cache.py\", line 88, in get\n    return self.client.get(key)\nredis.exceptions.ConnectionError: Error 111 connecting to redis-master:6379. Connection refused."}"#,
        );
        assert_eq!(
            first_line(&ev),
            "cache lookup failed: redis.exceptions.ConnectionError: Error 111 connecting to redis-master:6379. Connection refused."
        );
        assert!(ev.message.ends_with(b"\nTraceback (most recent call last):\n  File \"/app/cache.py\", line 88, in get\n    return self.client.get(key)\nredis.exceptions.ConnectionError: Error 111 connecting to redis-master:6379. Connection refused."));
        assert_eq!(
            field(&ev, "exception"),
            Some(&b"redis.exceptions.ConnectionError: Error 111 connecting to redis-master:6379. Connection refused."[..])
        );
        let (_, ev) = run(
            r#"{"message":"job crashed","stack_trace":"java.lang.IllegalStateException: pool closed\n\tat com.acme.Pool.get(Pool.java:42)\n\tat com.acme.Job.run(Job.java:7)"}"#,
        );
        assert_eq!(
            &*ev.message,
            b"job crashed: java.lang.IllegalStateException: pool closed\njava.lang.IllegalStateException: pool closed\n\tat com.acme.Pool.get(Pool.java:42)\n\tat com.acme.Job.run(Job.java:7)"
        );
        // Multi-line text that is no stack trace stays out of the message, and a message
        // that has lines of its own keeps them.
        let (_, ev) = run(r#"{"msg":"x failed","error":"line one\nline two"}"#);
        assert_eq!(&*ev.message, b"x failed: line one");
        let (_, ev) = run(
            r#"{"msg":"x failed\njava.lang.IllegalStateException: a\n\tat com.acme.A.a(A.java:1)","error":"java.lang.IllegalStateException: b\n\tat com.acme.B.b(B.java:2)"}"#,
        );
        assert_eq!(
            &*ev.message,
            b"x failed\njava.lang.IllegalStateException: a\n\tat com.acme.A.a(A.java:1): java.lang.IllegalStateException: b"
        );
        // Without a message key the whole object is the message, as before.
        let (_, ev) = run(r#"{"error":"boom","code":7}"#);
        assert_eq!(&*ev.message, br#"{"error":"boom","code":7}"#);
    }

    #[test]
    fn nested_and_pino() {
        let (_, ev) = run(
            r#"{"level":50,"time":1700000000123,"pid":1,"hostname":"h","req":{"method":"GET","url":"/a?b=1","id":7},"res":{"statusCode":500},"responseTime":12,"msg":"request \"failed\""}"#,
        );
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.time, Some(1_700_000_000_123));
        assert_eq!(ev.http.method.as_deref(), Some(&b"GET"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/a?b=1"[..]));
        assert_eq!(ev.http.status, Some(500));
        assert_eq!(ev.http.latency_ms, Some(12.0));
        assert_eq!(&*ev.message, br#"request "failed""#);
        assert_eq!(field(&ev, "req.id"), Some(&b"7"[..]));
        let (_, ev) = run(
            r#"{"@timestamp":"2024-01-01T10:00:00.000Z","log.level":"WARN","message":"slow","http":{"request":{"method":"PUT"},"response":{"status_code":404}},"event":{"duration":2500000}}"#,
        );
        assert_eq!(ev.level, Some(Level::Warn));
        assert_eq!(ev.http.method.as_deref(), Some(&b"PUT"[..]));
        assert_eq!(ev.http.status, Some(404));
        assert_eq!(ev.http.latency_ms, Some(2.5));
        assert_eq!(ev.time, Some(1_704_103_200_000));
    }

    #[test]
    fn gcp_http_request() {
        let (_, ev) = run(
            r#"{"severity":"ERROR","message":"upstream failed","httpRequest":{"requestMethod":"GET","requestUrl":"/api/x","status":502,"latency":"0.250s"},"logging.googleapis.com/trace":"projects/p/traces/abc"}"#,
        );
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.http.method.as_deref(), Some(&b"GET"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/x"[..]));
        assert_eq!(ev.http.status, Some(502));
        assert_eq!(ev.http.latency_ms, Some(250.0));
        assert_eq!(ev.trace_id.as_deref(), Some(&b"projects/p/traces/abc"[..]));
    }

    #[test]
    fn zap_durations_are_seconds() {
        // ginzap with zap's production encoder: `ts` float epoch seconds, `latency` a
        // `zap.Duration` in float seconds. The same key beside an ISO time is milliseconds.
        let (_, ev) = run(
            r#"{"level":"info","ts":1773136800.727969,"caller":"api/middleware.go:67","msg":"request completed","method":"GET","path":"/api/orders/31117","status":200,"latency":0.02252}"#,
        );
        assert_eq!(ev.time, Some(1_773_136_800_727));
        let ms = ev.http.latency_ms.unwrap_or_default();
        assert!((ms - 22.52).abs() < 1e-9, "{ms}");
        let (_, ev) = run(
            r#"{"time":"2026-03-10T10:00:00Z","msg":"request completed","method":"GET","path":"/a","status":200,"latency":22.5}"#,
        );
        assert_eq!(ev.http.latency_ms, Some(22.5));
    }

    #[test]
    fn echo_request_log() {
        // Echo's `middleware.Logger()`: `latency` is nanoseconds, `latency_human` says so.
        let (_, ev) = run(
            r#"{"time":"2026-11-30T10:00:01.123456789Z","id":"","remote_ip":"10.0.0.1","host":"localhost:1323","method":"POST","uri":"/api/pay","status":502,"error":"dial tcp 10.0.0.9:443: i/o timeout","latency":30001234567,"latency_human":"30.001234567s","bytes_in":0,"bytes_out":13}"#,
        );
        assert_eq!(ev.http.method.as_deref(), Some(&b"POST"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/pay"[..]));
        assert_eq!(ev.http.status, Some(502));
        let ms = ev.http.latency_ms.unwrap_or_default();
        assert!((ms - 30001.234567).abs() < 1e-6, "{ms}");
        assert_eq!(ev.trace_id, None);
    }

    #[test]
    fn mongodb() {
        let (_, ev) = run(
            r#"{"t":{"$date":"2024-03-05T10:00:00.123+00:00"},"s":"W","c":"NETWORK","id":22943,"ctx":"listener","msg":"Connection refused"}"#,
        );
        assert_eq!(ev.time, Some(1_709_632_800_123));
        assert_eq!(ev.level, Some(Level::Warn));
        assert_eq!(&*ev.message, b"Connection refused");
        assert_eq!(field(&ev, "c"), Some(&b"NETWORK"[..]));
    }

    #[test]
    fn docker_wrapper() {
        let (_, ev) = run(
            r#"{"log":"2024-01-01 10:00:00,123 ERROR [main] c.a.Foo - boom\n","stream":"stderr","time":"2024-01-01T10:00:05.000000001Z"}"#,
        );
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(&*ev.message, b"boom");
        assert_eq!(ev.time, Some(1_704_103_200_123));
        assert_eq!(field(&ev, "stream"), Some(&b"stderr"[..]));
        let (_, ev) = run(
            r#"{"log":"{\"level\":\"warn\",\"msg\":\"disk \\\"low\\\"\"}\n","stream":"stdout","time":"2024-01-01T10:00:05Z"}"#,
        );
        assert_eq!(ev.level, Some(Level::Warn));
        assert_eq!(&*ev.message, br#"disk "low""#);
        assert_eq!(ev.time, Some(1_704_103_205_000));
        let (_, ev) =
            run(r#"{"log":"plain text\n","stream":"stdout","time":"2024-01-01T10:00:05Z"}"#);
        assert_eq!(&*ev.message, b"plain text");
    }

    #[test]
    fn docker_continuation_lines() {
        for l in [
            r#"{"log":"\tat com.acme.Foo.bar(Foo.java:10)\n","stream":"stderr","time":"t"}"#,
            r#"{"log":"\u0009at com.acme.Foo.bar(Foo.java:10)\n","stream":"stderr"}"#,
            r#"{"log": "Caused by: java.io.IOException: x\n","stream":"stderr"}"#,
            r#"{"log":"  File \"app.py\", line 3, in <module>\n","stream":"stderr"}"#,
            r#"{"log":"java.lang.IllegalStateException: bad\n","stream":"stderr"}"#,
            r#"{"log":"\n","stream":"stdout"}"#,
        ] {
            assert!(docker_continuation(l.as_bytes()), "{l}");
        }
        for l in [
            r#"{"log":"2024-01-01 10:00:00 ERROR boom\n","stream":"stderr"}"#,
            r#"{"log":"{\"level\":\"info\"}\n","stream":"stdout"}"#,
            r#"{"level":"info","log":"\tat x"}"#,
            r#"{"log":"Error: plain\n"}"#,
            r#"{"log":"\u00e9t\u00e9\n"}"#,
            r#"{"log":"#,
            "",
        ] {
            assert!(!docker_continuation(l.as_bytes()), "{l}");
        }
    }

    #[test]
    fn docker_joined_message() {
        let first = r#"{"log":"2024-01-01 10:00:00,123 ERROR [main] c.a.Foo - boom\n","stream":"stderr","time":"2024-01-01T10:00:00Z"}"#;
        let raw = format!(
            "{first}\n{}\r\nnot json",
            r#"{"log":"\tat a.B.c(B.java:1)\r\n","stream":"stderr","time":"2024-01-01T10:00:00Z"}"#
        );
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, Format::Json);
        let mut ev = Event::bare(1, raw.as_bytes());
        assert!(parse_joined(
            first.as_bytes(),
            raw.as_bytes(),
            &mut ev,
            &ctx
        ));
        assert_eq!(&*ev.message, b"boom\n\tat a.B.c(B.java:1)\nnot json");
        assert_eq!(ev.level, Some(Level::Error));
        // A first record that is not JSON keeps its line as it is.
        let raw = "oops\n{\"log\":\"\\tat x\\n\"}";
        let mut ev = Event::bare(1, raw.as_bytes());
        assert!(!parse_joined(b"oops", raw.as_bytes(), &mut ev, &ctx));
        assert_eq!(&*ev.message, b"oops\n\tat x");
    }

    #[test]
    fn journald_message_bytes_and_null() {
        let (ok, ev) = run(r#"{"PRIORITY":"3","MESSAGE":[72,105,32,27,91,255],"_PID":"1"}"#);
        assert!(ok);
        assert_eq!(&*ev.message, b"Hi \x1b[\xff");
        assert_eq!(ev.level, Some(Level::Error));
        let (_, ev) = run(r#"{"PRIORITY":"6","MESSAGE":null,"_PID":"1"}"#);
        assert_eq!(&*ev.message, b"");
        let (_, ev) = run(r#"{"MESSAGE":[ ],"_PID":"1"}"#);
        assert_eq!(&*ev.message, b"");
        // An array that is not bytes is no message (the object stays the message), and other
        // keys' arrays are not read as bytes.
        for line in [
            r#"{"MESSAGE":[72,256],"_PID":"1"}"#,
            r#"{"MESSAGE":[72,-1],"_PID":"1"}"#,
            r#"{"MESSAGE":["a"],"_PID":"1"}"#,
            r#"{"MESSAGE":[1.5],"_PID":"1"}"#,
            r#"{"msg":[72,105],"_PID":"1"}"#,
        ] {
            let (ok, ev) = run(line);
            assert!(ok, "{line}");
            assert_eq!(&*ev.message, line.as_bytes(), "{line}");
        }
        // A message key that ranks before `MESSAGE` still wins.
        let (_, ev) = run(r#"{"MESSAGE":[72],"msg":"real"}"#);
        assert_eq!(&*ev.message, b"real");
    }

    #[test]
    fn invalid_is_bare() {
        for l in [
            r#"{"a":1"#,
            r#"{"a":}"#,
            "{",
            r#"{"a":1} x"#,
            "[1,2]",
            r#"{"a":"\"}"#,
        ] {
            let (ok, ev) = run(l);
            assert!(!ok, "{l}");
            assert_eq!(&*ev.message, l.as_bytes());
            assert!(ev.fields.is_empty());
        }
    }
}
