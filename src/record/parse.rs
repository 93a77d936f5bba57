//! The chunk loop, the multi-line joining rule, and dispatch to each [`Format`]'s parser.
//!
//! In: a chunk of whole lines (whole events for `plain` and `json`). Out: [`Event`]s in order,
//! through a callback. One `memchr` pass finds line ends; no per-line allocation happens here.
//! The joining rule ([`Format::joins`]: [`is_continuation`] on a line, or a container
//! runtime's partial record before it; and a container stream a partial record left open a
//! few lines before, [`Format::stream_open_before`]) is also what the chunker uses to decide
//! where it may cut, which is why it looks at two adjacent lines and a bounded look-back
//! only: joining in here must never be looser than cutting there, or events would depend on
//! the chunk size.

use std::borrow::Cow;

use memchr::memchr;

use super::keys::UserKeys;
use super::time::TimeCtx;
use super::w3c::W3cFields;
use super::{access, json, logfmt, plain, syslog, Event, Format, ParseConfig, MAX_INTERLEAVED};

/// Whether a line continues the previous event. Decided from the line alone:
///
/// - blank lines and lines starting with a space or tab (Java `\tat`, Python `  File`, .NET
///   `   at`, Go `\t/path/file.go:12`, wrapped text), but for koa-logger's request lines
///   (`  --> GET /x 200 12ms 1kb`);
/// - Java `Caused by:` / `Suppressed:` / `... 12 more`, .NET `--- End of …` and `---> `;
/// - Python `Traceback (most recent call last):` and the chained-exception sentences;
/// - Go `goroutine 1 [running]:`, `created by …`, and frame lines like `main.main()` or
///   `net/http.(*conn).serve(0xc000)`, `panic({0x6b1f20, 0x8d6e30})`, `[signal SIGSEGV: …]`;
/// - an exception line without a header: a dotted or CamelCase name ending in `Error`,
///   `Exception`, `Throwable`, `Interrupt`, `Exit`, `Iteration` or `Warning`, alone or followed
///   by `: message` (Python's final `ValueError: bad`, logback's `java.lang.X: msg` after the
///   log line), or any package-qualified class (`django.core.exceptions.Improperly…: x`,
///   lower-case package first) followed by `: ` or .NET's ` (0x80131904): `. A bare
///   `Error: x` or `Exception: x` does not count: in header-less logs those are often events
///   of their own.
pub fn is_continuation(line: &[u8]) -> bool {
    // Kubernetes writes every line of a container's output as its own CRI record, and
    // `kubectl logs --prefix` puts `[pod/NAME/CONTAINER] ` before each: a stack trace's frames
    // are continuation lines behind those prefixes.
    let line = super::plain::container_body(line).unwrap_or(line);
    let Some(&c) = line.first() else {
        return true;
    };
    match c {
        // (koa-logger indents its request lines by two spaces.)
        b' ' => access::koa_arrow(line).is_none(),
        b'\t' | b'\r' => true,
        b'.' => line.starts_with(b"... "),
        b'-' => line.starts_with(b"--- ") || line.starts_with(b"---> "),
        b'C' if line.starts_with(b"Caused by:") => true,
        b'S' if line.starts_with(b"Suppressed:") => true,
        b'T' if line.starts_with(b"Traceback (most recent call last):") => true,
        b'D' if line.starts_with(b"During handling of the above exception") => true,
        b'T' if line.starts_with(b"The above exception was the direct cause") => true,
        b'g' if line.starts_with(b"goroutine ") && goroutine_header(line) => true,
        b'c' if line.starts_with(b"created by ") => true,
        b'[' if line.starts_with(b"[signal ") => true,
        // Monolog's exception context (Laravel, Symfony): `[stacktrace]`, `#0 /app/x.php(12):
        // …`, `[previous exception] [object] (…)`, and the `"}` closing its context.
        b'[' if line.starts_with(b"[stacktrace]") || line.starts_with(b"[previous exception] ") => {
            true
        }
        b'#' => php_frame(line),
        b'"' => line.starts_with(b"\"}"),
        // The end of an object printed over several lines (Node's error properties after
        // its stack: `  code: 'ECONNREFUSED'` … `}`), a caret under a source line, and the
        // version Node prints after an uncaught exception's report.
        b'}' | b']' => line
            .trim_ascii_end()
            .iter()
            .all(|c| matches!(c, b'}' | b']' | b')' | b',' | b';')),
        b'^' => super::plain::caret_line(line),
        b'N' => line.starts_with(b"Node.js v") && line.get(9).is_some_and(u8::is_ascii_digit),
        b'0'..=b'9' => numbered_frame(line),
        _ => exception_line(line) || go_frame(line),
    }
}

/// A frame of ClickHouse's stack trace under an exception: `0. DB::Exception::Exception(…)
/// @ 0x000000000c4fd597 in /usr/bin/clickhouse`.
pub(crate) fn numbered_frame(line: &[u8]) -> bool {
    // (A stamp's `2026-` has no `.` in its first four bytes: cheap for every dated line.)
    let Some(n) = line.iter().take(4).position(|&c| c == b'.') else {
        return false;
    };
    line[..n].iter().all(u8::is_ascii_digit)
        && line.get(n + 1) == Some(&b' ')
        && memchr::memmem::find(line, b" @ 0x").is_some()
}

/// `goroutine 1 [running]:`
fn goroutine_header(line: &[u8]) -> bool {
    let rest = &line[b"goroutine ".len()..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && rest.get(digits..digits + 2) == Some(b" [") && line.ends_with(b":")
}

/// `ValueError: msg`, `java.lang.IllegalStateException: boom`, `KeyboardInterrupt`,
/// `System.Data.SqlClient.SqlException (0x80131904): msg`,
/// `django.core.exceptions.ImproperlyConfigured: msg`.
fn exception_line(line: &[u8]) -> bool {
    if !line[0].is_ascii_alphabetic() {
        return false;
    }
    let name_len = line
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
        .count();
    let name = &line[..name_len];
    let rest = &line[name_len..];
    let colon = rest.starts_with(b":") || rest.starts_with(b" (0x");
    if !(colon || rest.is_empty() || rest == b"\r") {
        return false;
    }
    let last = name.rsplit(|&c| c == b'.').next().unwrap_or(name);
    if !last.first().is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    let dotted = name.len() > last.len();
    // A package-qualified class followed by a message is an exception whatever its name.
    if dotted && colon && line[0].is_ascii_lowercase() {
        return true;
    }
    const SUFFIXES: [&[u8]; 7] = [
        b"Error",
        b"Exception",
        b"Throwable",
        b"Interrupt",
        b"Exit",
        b"Iteration",
        b"Warning",
    ];
    SUFFIXES
        .iter()
        .any(|s| last.ends_with(s) && (last.len() > s.len() || dotted))
}

/// A Ruby backtrace frame, `app/models/order.rb:42:in `find_for_user'` (Ruby 3.4:
/// `in 'Order#find_for_user'`), also as Rails' backtrace cleaner writes a gem's frames
/// (`activerecord (7.0.4) lib/active_record/base.rb:12:in …`) and after Ruby's `from `:
/// (the file, the method).
pub fn ruby_frame(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let t = line.strip_suffix(b"\r").unwrap_or(line);
    if t.last() != Some(&b'\'') {
        return None;
    }
    let t = t.trim_ascii_start();
    let t = t.strip_prefix(b"from ").unwrap_or(t);
    let at = memchr::memmem::find(t, b":in ")?;
    if !matches!(t.get(at + 4), Some(b'`' | b'\'')) {
        return None;
    }
    let head = &t[..at];
    let colon = memchr::memrchr(b':', head)?;
    let digits = &head[colon + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let path = &head[..colon];
    // `gem (version) path`: the path after the version.
    let file = match memchr::memmem::find(path, b") ") {
        Some(p) if path[..p].contains(&b'(') => &path[p + 2..],
        _ => path,
    };
    if file.is_empty() || file.contains(&b' ') {
        return None;
    }
    // (`x.rb:1:in '` has no method: empty, not a slice past its end.)
    Some((path, t.get(at + 5..t.len() - 1).unwrap_or_default()))
}

/// Ruby's report of an uncaught exception: `app/x.rb:9:in `perform': undefined method
/// `id' for nil:NilClass (NoMethodError)`, a frame, a message and the class in parentheses.
pub fn ruby_report(line: &[u8]) -> bool {
    let t = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(inner) = t.strip_suffix(b")") else {
        return false;
    };
    let Some(open) = memchr::memrchr(b'(', inner) else {
        return false;
    };
    let class = &inner[open + 1..];
    // The class first: a cheap test that turns away most lines ending in `)`.
    if !(class.first().is_some_and(u8::is_ascii_uppercase)
        && class
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':')))
    {
        return false;
    }
    // `path:line:in ` up to the first space.
    let Some(head) = memchr::memchr(b' ', &t[..open]).and_then(|sp| t[..sp].strip_suffix(b":in"))
    else {
        return false;
    };
    memchr::memrchr(b':', head).is_some_and(|c| {
        c > 0 && head[c + 1..].iter().all(u8::is_ascii_digit) && c + 1 < head.len()
    })
}

/// A PHP stack frame line: `#0 /var/www/app/Foo.php(31): Foo->bar()`, `#1 [internal
/// function]: …`, `#2 {main}`.
pub fn php_frame(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"#") else {
        return false;
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b' ') {
        return false;
    }
    let t = &rest[digits + 1..];
    t.starts_with(b"{main}")
        || t.starts_with(b"[internal function]")
        || ((t.starts_with(b"/") || t.get(1..3) == Some(b":\\"))
            && memchr::memmem::find(t, b".php(").is_some())
}

/// Go stack frame function lines: `main.main()`, `net/http.(*conn).serve(0xc0001)`.
fn go_frame(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if !line.ends_with(b")") || !line[0].is_ascii_lowercase() {
        return false;
    }
    let Some(paren) = memchr(b'(', line) else {
        return false;
    };
    // `main.(*T).M(...)`: the first `(` may open the receiver; the name before it has a dot.
    let head = &line[..paren];
    (head.contains(&b'.') || head == b"panic") && !head.contains(&b' ')
}

/// UTF-8 byte order mark, written at the start of files by some Windows tools.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Per-chunk parsing state: the resolved time settings, (for JSON) the key table and (for
/// W3C access logs) the source's columns.
pub struct Ctx<'c> {
    pub time: TimeCtx<'c>,
    pub keys: UserKeys,
    pub w3c: Option<W3cFields>,
}

impl<'c> Ctx<'c> {
    pub fn new(cfg: &'c ParseConfig, format: Format) -> Ctx<'c> {
        Ctx::with_columns(cfg, format, None)
    }

    /// As [`Ctx::new`], for a source whose `#Fields:` directive named its columns.
    pub fn with_columns(cfg: &'c ParseConfig, format: Format, w3c: Option<&W3cFields>) -> Ctx<'c> {
        // Plain needs the keys too: JSON lines inside Kubernetes CRI records.
        let structured = !matches!(format, Format::Line | Format::Access | Format::Syslog);
        Ctx {
            time: TimeCtx::new(cfg),
            keys: if structured {
                UserKeys::new(cfg)
            } else {
                UserKeys::default()
            },
            w3c: w3c.filter(|_| format == Format::Access).cloned(),
        }
    }

    /// Whether `line` (without its `\r`) is a W3C directive: the log's header, not an event.
    /// A `#Fields:` directive names the columns of the lines after it (a server writes a new
    /// header when its logging fields change), so it becomes this context's layout.
    pub fn directive(&mut self, line: &[u8]) -> bool {
        if line.first() != Some(&b'#') || !super::w3c::is_directive(line) {
            return false;
        }
        if line.starts_with(b"#Fields:") {
            self.w3c = W3cFields::from_directive(line);
        }
        true
    }
}

/// Parses one event (`raw`: its lines, without the final newline; `first`: its first line) in
/// `format`. Returns whether the format's own layout was recognized (detection counts these);
/// when it was not, the event is what another format's parser makes of it ([`other_layout`]),
/// or else carries the whole text as its message.
pub fn parse_event<'a>(
    format: Format,
    first: &'a [u8],
    raw: &'a [u8],
    ev: &mut Event<'a>,
    ctx: &Ctx,
) -> bool {
    let recognized = parse_layout(format, first, raw, ev, ctx);
    if raw.len() > first.len() && matches!(format, Format::Plain | Format::Json) {
        plain::node_crash(ev);
    }
    // A latency no clock gives (`1e400` seconds is infinite, a negative one is garbage) is
    // no latency: it would poison the percentiles and is not even JSON.
    if ev
        .http
        .latency_ms
        .is_some_and(|ms| !ms.is_finite() || ms < 0.0)
    {
        ev.http.latency_ms = None;
    }
    recognized
}

fn parse_layout<'a>(
    format: Format,
    first: &'a [u8],
    raw: &'a [u8],
    ev: &mut Event<'a>,
    ctx: &Ctx,
) -> bool {
    match format {
        Format::Line => {
            // One event per physical line, but a timestamped header is still read: with the
            // headers left on, `--input-format line` finds the message the way `plain` does.
            // Without a timestamp the line stays whole: `ERROR IN CONTACTING RM.` or
            // `error: Received disconnect` is a message that starts with a level word.
            let mut parsed = ev.bare_like(raw);
            if plain::parse(first, raw, &mut parsed, ctx) && parsed.time.is_some() {
                *ev = parsed;
            }
            true
        }
        Format::Plain => {
            // An Envoy access line among a proxy's own log lines (an Istio sidecar's output).
            if first.first() == Some(&b'[') && access::envoy(first, ev, &ctx.time).is_some() {
                append_tail(first, raw, ev);
                return true;
            }
            let pod = plain::pod_of(first);
            // A JSON line behind `kubectl logs --prefix`'s or stern's pod prefix.
            let pod_json = pod
                .as_ref()
                .map(|p| p.body)
                .filter(|b| first.len() == raw.len() && b.first() == Some(&b'{'));
            // An access line (an Nginx or ingress container's) behind the prefix, also
            // behind `--timestamps`' stamp.
            let pod_access = pod
                .as_ref()
                .map(|p| plain::stamp_body(p.body).unwrap_or(p.body))
                .filter(|b| first.len() == raw.len() && b.first().is_some_and(u8::is_ascii_digit));
            let parsed = match (pod_json, pod_access) {
                (Some(body), _) if json::parse(body, ev, ctx) => true,
                (_, Some(body)) if access::parse(body, ev, &ctx.time, None) => true,
                _ => {
                    let ok = plain::parse(first, raw, ev, ctx);
                    if ok {
                        plain::kv_tail(ev, ctx);
                    }
                    ok
                }
            };
            // A framework's request line without a header of its own (Gin, morgan); Koa
            // prints a failed request's stack, indented, under koa-logger's line for it.
            let parsed = parsed
                || (first.len() == raw.len() || access::koa_arrow(first).is_some())
                    && access::request_with_lines(first, &raw[first.len()..], ev, &ctx.time);
            if parsed {
                if let Some(p) = &pod {
                    pod_fields(ev, p);
                }
                return true;
            }
            if let Some(p) = &pod {
                // Behind the prefix, a line without a header of its own (plain words, a
                // bare `Error:` and its stack, a logfmt line): read without the prefixes.
                let single = first.len() == raw.len();
                let mut e = ev.bare_like(raw);
                let known = single
                    && logfmt::starts_with_pair(p.body)
                    && logfmt::parse(p.body, &mut e, &ctx.time, &ctx.keys);
                if !known {
                    // (What a failed logfmt reading set is dropped.)
                    e = ev.bare_like(raw);
                    e.message = if single {
                        Cow::Borrowed(p.body)
                    } else {
                        let mut msg = p.body.to_vec();
                        append_lines(&raw[first.len()..], &mut msg, |l| {
                            plain::container_body(l).unwrap_or(l)
                        });
                        // (A blank line behind the prefix joined last: it ends nothing.)
                        msg.truncate(msg.trim_ascii_end().len());
                        Cow::Owned(msg)
                    };
                }
                *ev = e;
                pod_fields(ev, p);
                return known;
            }
            other_layout(format, first, raw, ev, ctx);
            false
        }
        Format::Syslog => {
            if syslog::parse(first, ev, &ctx.time) {
                // `app[1]: {"level":"error",...}`: the program logs JSON through syslog.
                json::parse_embedded(ev, ctx);
                logfmt::parse_embedded(ev, &ctx.time, &ctx.keys);
                access::haproxy_embedded(ev, &ctx.time);
                plain::parse_embedded(ev, ctx);
                append_tail(first, raw, ev);
                return true;
            }
            other_layout(format, first, raw, ev, ctx);
            false
        }
        Format::Access => {
            if access::parse(first, ev, &ctx.time, ctx.w3c.as_ref()) {
                append_tail(first, raw, ev);
                return true;
            }
            other_layout(format, first, raw, ev, ctx);
            false
        }
        Format::Logfmt => {
            if logfmt::parse(first, ev, &ctx.time, &ctx.keys) {
                append_tail(first, raw, ev);
                return true;
            }
            other_layout(format, first, raw, ev, ctx);
            false
        }
        Format::Json => {
            let ok = if raw.len() > first.len() {
                json::parse_joined(first, raw, ev, ctx)
            } else {
                json::parse(raw, ev, ctx)
            };
            if !ok {
                other_layout(format, first, raw, ev, ctx);
            }
            ok
        }
    }
}

/// The names a pod's, container's or process's prefix gives (`pod_of`) as fields, unless
/// the event has them already.
fn pod_fields<'a>(ev: &mut Event<'a>, p: &plain::PodPrefix<'a>) {
    // (Docker Compose names a container only, pm2 an app.)
    let key: &[u8] = if p.pod.is_some() { b"pod" } else { p.name_key };
    if ev.fields.iter().any(|(k, _)| &**k == key) {
        return;
    }
    if let Some(pod) = p.pod {
        ev.fields
            .push((Cow::Borrowed(&b"pod"[..]), Cow::Borrowed(pod)));
    }
    ev.fields
        .push((Cow::Borrowed(p.name_key), Cow::Borrowed(p.container)));
}

/// The lines that joined a one-line format's event (a raw stack trace after a logfmt or
/// syslog line in a mixed stream) follow its message, as they follow a `plain` header's.
fn append_tail<'a>(first: &'a [u8], raw: &'a [u8], ev: &mut Event<'a>) {
    let Some(tail) = raw.get(first.len()..).filter(|t| !t.is_empty()) else {
        return;
    };
    let mut msg = std::mem::take(&mut ev.message).into_owned();
    append_lines(tail, &mut msg, |l| l);
    ev.message = Cow::Owned(msg);
}

/// Appends the lines of `rest` (which starts with the `\n` after an event's first line) to
/// `msg`, each after a newline, without the `\r` of CRLF endings and seen through `body` (a
/// prefix every line carries taken off).
pub(super) fn append_lines(rest: &[u8], msg: &mut Vec<u8>, body: impl Fn(&[u8]) -> &[u8]) {
    for line in rest.split(|&b| b == b'\n').skip(1) {
        msg.push(b'\n');
        msg.extend_from_slice(body(strip_cr(line)));
    }
}

/// A line in another layout than its source's (an access or syslog source with an error
/// line or a banner, a JSON service that prints plain lines and raw stack traces, logs of
/// several kinds piped together): read by the first other parser that knows it (a JSON
/// object, an access-log line, a `plain` timestamp/level header), so it still gets its time,
/// level and fields. It does not count as recognized, and is left as it is when no parser
/// knows it.
fn other_layout<'a>(format: Format, first: &'a [u8], raw: &'a [u8], ev: &mut Event<'a>, ctx: &Ctx) {
    let single = first.len() == raw.len();
    if format != Format::Json && single && first.first() == Some(&b'{') {
        let mut e = ev.bare_like(raw);
        if json::parse(raw, &mut e, ctx) {
            *ev = e;
            return;
        }
    }
    if format != Format::Access && single && first.first().is_some_and(u8::is_ascii_alphanumeric) {
        let mut e = ev.bare_like(raw);
        if access::parse(raw, &mut e, &ctx.time, ctx.w3c.as_ref()) {
            *ev = e;
            return;
        }
    }
    if format != Format::Logfmt && single && logfmt::starts_with_pair(first) {
        // A logfmt line among a plain log's lines (logrus's `time="…" level=error msg=…`).
        let mut e = ev.bare_like(raw);
        if logfmt::parse(raw, &mut e, &ctx.time, &ctx.keys) {
            *ev = e;
            return;
        }
    }
    if format != Format::Plain {
        let mut e = ev.bare_like(raw);
        if plain::parse(first, raw, &mut e, ctx) {
            *ev = e;
        }
    }
}

/// The time of the last event of `data` (whole lines of one source) that has one, looking
/// back event by event (the events `parse_chunk` would make of them), at most `max_events`
/// events: what the next chunk's events without a time of their own follow.
pub fn last_event_time(
    data: &[u8],
    format: Format,
    w3c: Option<&W3cFields>,
    cfg: &ParseConfig,
    max_events: usize,
) -> Option<i64> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    let mut end = data.len();
    for _ in 0..max_events {
        let start = if format.joins_lines() {
            format.last_event_start(data, end)
        } else {
            memchr::memrchr(b'\n', &data[..end]).map_or(0, |i| i + 1)
        };
        let mut time = None;
        parse_chunk(&data[start..end], 1, format, w3c, cfg, &mut |ev| {
            time = ev.time.or(time);
        });
        if time.is_some() || start == 0 {
            return time;
        }
        end = start - 1;
    }
    None
}

/// Parses every event of `chunk` (whole lines; its first line is `first_line` of the source)
/// and hands them to `f` in order. `w3c`: the W3C columns in effect at the chunk's start
/// ([`Chunk::w3c`](crate::input::Chunk::w3c)); a `#Fields:` directive in the chunk changes
/// them for the lines after it.
///
/// In an access log, W3C directive lines (`#Fields: …`, `#Date: …`: the header IIS and
/// CloudFront write at the top of a file and after each restart) are not events: they are
/// skipped, and their number is returned so the report can say so.
pub fn parse_chunk<'a>(
    chunk: &'a [u8],
    first_line: u64,
    format: Format,
    w3c: Option<&W3cFields>,
    cfg: &ParseConfig,
    f: &mut dyn FnMut(Event<'a>),
) -> u64 {
    let mut ctx = Ctx::with_columns(cfg, format, w3c);
    let joins = format.joins_lines();
    let len = chunk.len();
    let line_end = |from: usize| memchr(b'\n', &chunk[from..]).map_or(len, |i| from + i);
    let mut line_no = first_line;
    // A UTF-8 byte order mark at the start of a file is not part of the first event.
    let mut start = if first_line == 1 && chunk.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    // End of the line starting at `start`, when the previous look-ahead already found it.
    let mut known_end: Option<usize> = None;
    // One validation of the whole chunk is much cheaper than one per event; only a chunk with
    // invalid bytes is checked event by event.
    let chunk_valid = std::str::from_utf8(chunk).is_ok();
    let directives = format == Format::Access;
    let mut skipped = 0u64;
    // Colour codes are looked for once per chunk; only a chunk that has some pays per event.
    let escapes = super::ansi::has_escape(chunk);
    let mut scratch = Vec::new();
    let has_streams = matches!(format, Format::Plain | Format::Json);
    while start < len {
        let first_end = known_end.take().unwrap_or_else(|| line_end(start));
        if directives && ctx.directive(strip_cr(&chunk[start..first_end])) {
            skipped += 1;
            line_no += 1;
            start = first_end + 1;
            continue;
        }
        let mut end = first_end;
        let mut next = first_end + 1;
        let mut n_lines = 1u32;
        // From an event's second line on, in a container log: its records' streams.
        let mut tracking = false;
        let mut streams = Streams::default();
        if joins {
            let mut last = start;
            while next < len {
                let e = line_end(next);
                let joined = format.joins(&chunk[..end], last, &chunk[next..e])
                    || (tracking && streams.open_at(n_lines));
                if !joined {
                    known_end = Some(e);
                    break;
                }
                if has_streams {
                    if !tracking {
                        tracking = true;
                        streams.add(format, &chunk[start..first_end]);
                    }
                    streams.add(format, &chunk[next..e]);
                }
                last = next;
                end = e;
                next = e + 1;
                n_lines += 1;
            }
        }
        if tracking && streams.interleaved {
            // Records of the other stream inside a line the runtime split: the line is whole
            // again, and each of them is an event of its own.
            let base = EventBase {
                line: line_no,
                chunk_valid,
                escapes,
            };
            emit_interleaved(chunk, (start, end), base, format, &ctx, &mut scratch, f);
            line_no += u64::from(n_lines);
            start = next;
            continue;
        }
        let first = strip_cr(&chunk[start..first_end]);
        let mut raw = strip_cr(&chunk[start..end]);
        if n_lines > 1 {
            // Blank lines join an event (Go panics have them); trailing ones say nothing.
            raw = trim_trailing_blank_lines(raw, first.len());
        }
        let mut ev = Event::bare(line_no, raw);
        ev.lines = n_lines;
        ev.invalid_utf8 = !chunk_valid && std::str::from_utf8(raw).is_err();
        let day = ctx.time.dated_state();
        if escapes && super::ansi::has_escape(raw) {
            parse_stripped(format, first, raw, &mut ev, &ctx, &mut scratch);
        } else {
            parse_event(format, first, raw, &mut ev, &ctx);
        }
        if ev.time.is_some_and(|t| !super::time::plausible(t)) {
            ev.time = None;
            ev.time_rejected = true;
        }
        ctx.time.settle(day, ev.time);
        f(ev);
        line_no += u64::from(n_lines);
        start = next;
    }
    skipped
}

/// The records of one multi-line event of a container log (Kubernetes CRI, Docker
/// json-file), by stream: the joining rule's state (a stream left open by a partial record
/// holds the event open for [`MAX_INTERLEAVED`] lines, as [`Format::stream_open_before`]
/// sees it looking back), and which part of the event each record belongs to.
///
/// A part is the event's main text or a record of the other stream written while a line
/// was open (the runtime writes stdout and stderr to one file, so a stderr line can fall
/// between the parts of a long stdout line): such a record starts a part of its own, and
/// the open stream's parts after it still continue theirs. A record that joins while no
/// stream is open (a stack trace's next frame, on either stream) continues its stream's
/// last part, or the main text. A part is named by the index of its first record.
#[derive(Clone, Copy, Default)]
struct Streams {
    /// Records seen.
    n: u32,
    /// Per stream (stdout, stderr): (part, record index) of its latest record if partial.
    open: [Option<(u32, u32)>; 2],
    /// Per stream: the part of its latest record.
    last: [Option<u32>; 2],
    /// Whether a record started a part of its own.
    interleaved: bool,
}

impl Streams {
    /// Whether a partial record among the [`MAX_INTERLEAVED`] before record `i` is still
    /// waiting for its stream's next record.
    fn open_at(&self, i: u32) -> bool {
        self.open
            .iter()
            .flatten()
            .any(|&(_, at)| i - at <= MAX_INTERLEAVED as u32)
    }

    /// Adds the event's next line; returns the part it belongs to.
    fn add(&mut self, format: Format, line: &[u8]) -> u32 {
        let i = self.n;
        self.n += 1;
        let Some((stream, partial)) = format.stream_record(strip_cr(line)) else {
            // Not a record: the main text's, as the parsers read it.
            return 0;
        };
        let s = usize::from(stream);
        let live = |o: Option<(u32, u32)>| o.filter(|&(_, at)| i - at <= MAX_INTERLEAVED as u32);
        let part = if let Some((p, _)) = live(self.open[s]) {
            p
        } else if live(self.open[1 - s]).is_some() {
            self.interleaved = true;
            i
        } else {
            self.last[s].unwrap_or(0)
        };
        self.open[s] = partial.then_some((part, i));
        self.last[s] = Some(part);
        part
    }
}

/// Where an event's lines start in its source, and what is known of its chunk.
#[derive(Clone, Copy)]
struct EventBase {
    line: u64,
    chunk_valid: bool,
    escapes: bool,
}

/// Emits the parts of the event `chunk[start..end]` whose container records interleave
/// ([`Streams`]) as events of their own, in the order of their first lines: each part's
/// records are parsed as one event of consecutive lines would be, and its raw bytes are the
/// lines from its first record to its last. Their line counts add up to the event's.
fn emit_interleaved<'a>(
    chunk: &'a [u8],
    (start, end): (usize, usize),
    base: EventBase,
    format: Format,
    ctx: &Ctx,
    scratch: &mut Vec<u8>,
    f: &mut dyn FnMut(Event<'a>),
) {
    // (start, end of its line, part) per record, as the joining loop assigned them.
    let mut streams = Streams::default();
    let mut records = Vec::new();
    let mut from = start;
    while from <= end {
        let to = memchr(b'\n', &chunk[from..end]).map_or(end, |i| from + i);
        records.push((from, to, streams.add(format, &chunk[from..to])));
        from = to + 1;
    }
    let mut text = Vec::new();
    for (k, &(first_from, first_to, part)) in records.iter().enumerate() {
        if part != k as u32 {
            continue;
        }
        text.clear();
        let mut lines = 0u32;
        let mut last_to = first_to;
        for &(from, to, p) in &records[k..] {
            if p != part {
                continue;
            }
            if lines > 0 {
                text.push(b'\n');
            }
            text.extend_from_slice(strip_cr(&chunk[from..to]));
            lines += 1;
            last_to = to;
        }
        let first_len = strip_cr(&chunk[first_from..first_to]).len();
        let raw = strip_cr(&chunk[first_from..last_to]);
        let (first, whole) = (&text[..first_len], &text[..]);
        let mut ev = Event::bare(base.line + k as u64, whole);
        ev.lines = lines;
        ev.invalid_utf8 = !base.chunk_valid && std::str::from_utf8(whole).is_err();
        let day = ctx.time.dated_state();
        if base.escapes && super::ansi::has_escape(whole) {
            parse_stripped(format, first, whole, &mut ev, ctx, scratch);
        } else {
            parse_event(format, first, whole, &mut ev, ctx);
        }
        let mut ev = ev.detach(raw);
        if ev.time.is_some_and(|t| !super::time::plausible(t)) {
            ev.time = None;
            ev.time_rejected = true;
        }
        ctx.time.settle(day, ev.time);
        f(ev);
    }
}

/// [`parse_event`] for an event with terminal escape sequences (colour codes): they are
/// stripped (into `scratch`, reused across events) and the clean text is parsed, so its
/// header, level and message are the text's. The event's fields are then owned; `raw` stays
/// the bytes as they were. Returns what `parse_event` returned.
pub fn parse_stripped<'a>(
    format: Format,
    first: &'a [u8],
    raw: &'a [u8],
    ev: &mut Event<'a>,
    ctx: &Ctx,
    scratch: &mut Vec<u8>,
) -> bool {
    scratch.clear();
    super::ansi::strip_into(first, scratch);
    let first_len = scratch.len();
    super::ansi::strip_into(raw.get(first.len()..).unwrap_or_default(), scratch);
    let (s_first, s_raw) = (&scratch[..first_len], &scratch[..]);
    let mut clean = Event::bare(ev.line, s_raw);
    clean.lines = ev.lines;
    clean.invalid_utf8 = ev.invalid_utf8;
    let ok = parse_event(format, s_first, s_raw, &mut clean, ctx);
    *ev = clean.detach(raw);
    ok
}

fn strip_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Drops trailing whitespace-only lines, but never into the first line (`keep` bytes).
fn trim_trailing_blank_lines(raw: &[u8], keep: usize) -> &[u8] {
    let mut end = raw.len();
    while end > keep && raw[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    // Keep the last non-blank line whole (its trailing spaces included).
    match memchr(b'\n', &raw[end..]) {
        Some(i) => strip_cr(&raw[..end + i]),
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_and_php_frame_shapes() {
        assert_eq!(
            ruby_frame(b"app/models/order.rb:42:in `find'"),
            Some((&b"app/models/order.rb"[..], &b"find"[..]))
        );
        assert_eq!(
            ruby_frame(b"\tfrom activerecord (7.0.4) lib/a/b.rb:12:in 'Order#x'"),
            Some((&b"activerecord (7.0.4) lib/a/b.rb"[..], &b"Order#x"[..]))
        );
        // Degenerate and truncated frames do not panic.
        for junk in [
            &b"x.rb:1:in '"[..],
            b":in '",
            b"'",
            b"a:b:in 'c'",
            b"x.rb::in 'y'",
        ] {
            let _ = ruby_frame(junk);
            let _ = ruby_report(junk);
        }
        assert!(ruby_report(
            b"app/x.rb:9:in `perform': undefined method `id' for nil (NoMethodError)"
        ));
        assert!(!ruby_report(b"took a while (slow)"));
        assert!(php_frame(b"#0 /var/www/app/A.php(31): A->b()"));
        assert!(php_frame(b"#12 {main}"));
        assert!(!php_frame(b"#1 item"));
        assert!(!php_frame(b"# heading"));
    }

    #[test]
    fn continuation_rule() {
        for l in [
            "\tat com.foo.Bar.baz(Bar.java:12)",
            "  File \"x.py\", line 3, in <module>",
            "Caused by: java.io.IOException: x",
            "... 12 more",
            "Traceback (most recent call last):",
            "ValueError: bad value",
            "KeyboardInterrupt",
            "java.lang.IllegalStateException: boom",
            "System.InvalidOperationException: nope ---> x",
            "System.Data.SqlClient.SqlException (0x80131904): Timeout expired",
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY missing",
            "psycopg2.OperationalError",
            "--- End of inner exception stack trace ---",
            "goroutine 1 [running]:",
            "main.main()",
            "net/http.(*conn).serve(0xc000112000, {0x6b1f20, 0xc0000a6000})",
            "created by net/http.(*Server).Serve",
            "panic({0x6b1f20, 0x8d6e30})",
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2f1c]",
            "",
            "\r",
        ] {
            assert!(is_continuation(l.as_bytes()), "{l:?}");
        }
        for l in [
            "2024-01-01 10:00:00 ERROR x",
            "Error: connection refused",
            "Exception: x",
            "INFO starting",
            "Jun 14 15:16:01 combo sshd[1]: x",
            "main started ok",
            "{\"a\":1}",
            "panic: runtime error: index out of range",
            "Server: started",
            "MyApp.Startup: ready",
        ] {
            assert!(!is_continuation(l.as_bytes()), "{l:?}");
        }
    }

    /// `f` of each event of `text` parsed as `format`.
    fn parsed<T>(text: &str, format: Format, mut f: impl FnMut(&Event) -> T) -> Vec<T> {
        let mut out = Vec::new();
        parse_chunk(
            text.as_bytes(),
            1,
            format,
            None,
            &ParseConfig::default(),
            &mut |ev| out.push(f(&ev)),
        );
        out
    }

    fn events(text: &str, format: Format) -> Vec<(u64, u32, String)> {
        parsed(text, format, |ev| {
            (
                ev.line,
                ev.lines,
                String::from_utf8_lossy(&ev.message).into_owned(),
            )
        })
    }

    #[test]
    fn joins_java_trace() {
        let t = "2024-01-01 10:00:00,000 ERROR [main] c.a.Foo - failed\n\
                 java.lang.IllegalStateException: boom\n\
                 \tat c.a.Foo.run(Foo.java:10)\n\
                 Caused by: java.io.IOException: disk\n\
                 \t... 3 more\n\
                 2024-01-01 10:00:01,000 INFO [main] c.a.Foo - next\n";
        let ev = events(t, Format::Plain);
        assert_eq!(ev.len(), 2);
        assert_eq!((ev[0].0, ev[0].1), (1, 5));
        assert!(ev[0]
            .2
            .starts_with("failed\njava.lang.IllegalStateException"));
        assert_eq!((ev[1].0, ev[1].1, ev[1].2.as_str()), (6, 1, "next"));
    }

    #[test]
    fn joins_python_traceback() {
        let t = "2024-01-01 10:00:00,123 - app - ERROR - boom\n\
                 Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    f()\n\
                 ValueError: bad\n\
                 2024-01-01 10:00:01,123 - app - INFO - ok\n";
        let ev = events(t, Format::Plain);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].1, 5);
        assert!(ev[0].2.ends_with("ValueError: bad"));
    }

    #[test]
    fn joins_go_panic_and_dotnet() {
        let t = "2024/01/01 10:00:00 handler crashed\n\
                 panic: runtime error: invalid memory address\n\
                 \n\
                 goroutine 1 [running]:\n\
                 main.main()\n\
                 \t/app/main.go:12 +0x1d\n\
                 2024-01-01 10:00:00.000 ERROR Unhandled\n\
                 System.InvalidOperationException: nope\n   at A.B() in C:\\a.cs:line 3\n\
                 --- End of stack trace from previous location ---\n\n";
        let ev = events(t, Format::Plain);
        let lines: Vec<u32> = ev.iter().map(|e| e.1).collect();
        assert_eq!(lines, vec![1, 5, 5]);
        assert!(ev[2].2.ends_with("previous location ---"));
    }

    #[test]
    fn joins_java_trace_behind_kubectl_prefix() {
        let t = "[pod/api-7f9c-abcde/api] 2024-01-01 10:00:00,000 ERROR [main] c.a.Foo - failed\n\
                 [pod/api-7f9c-abcde/api] java.lang.IllegalStateException: boom\n\
                 [pod/api-7f9c-abcde/api] \tat c.a.Foo.run(Foo.java:10)\n\
                 [pod/api-85d2-klmno/api] 2024-01-01 10:00:01,000 INFO [main] c.a.Foo - next\n";
        let ev = events(t, Format::Plain);
        assert_eq!(ev.len(), 2, "{ev:?}");
        assert_eq!((ev[0].0, ev[0].1), (1, 3));
        assert_eq!(
            ev[0].2,
            "failed\njava.lang.IllegalStateException: boom\n\tat c.a.Foo.run(Foo.java:10)"
        );
        assert_eq!((ev[1].0, ev[1].1, ev[1].2.as_str()), (4, 1, "next"));
        // Only that prefix: a bracketed word is no pod.
        assert!(!is_continuation(b"[main] \tat x"));
    }

    #[test]
    fn kubectl_timestamps_before_the_apps_header() {
        // `kubectl logs --timestamps`: the app's own time, level, logger and message are read
        // behind kubectl's stamp, and a trace's stamped lines join the event.
        let t = "2024-01-01T10:00:00.000123456Z 2024-01-01 10:00:00,000 ERROR [main] c.a.Foo - failed\n\
                 2024-01-01T10:00:00.000223456Z java.lang.IllegalStateException: boom\n\
                 2024-01-01T10:00:00.000323456Z \tat c.a.Foo.run(Foo.java:10)\n\
                 2024-01-01T10:00:01.000123456Z 2024-01-01 10:00:01,000 INFO [main] c.a.Foo - next\n";
        let mut evs = Vec::new();
        parse_chunk(
            t.as_bytes(),
            1,
            Format::Plain,
            None,
            &ParseConfig::default(),
            &mut |ev| {
                evs.push((
                    ev.lines,
                    ev.level,
                    ev.logger
                        .as_deref()
                        .map(|l| String::from_utf8_lossy(l).into_owned()),
                    String::from_utf8_lossy(&ev.message).into_owned(),
                ))
            },
        );
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(evs[0].0, 3);
        assert_eq!(evs[0].1, Some(crate::record::Level::Error));
        assert_eq!(evs[0].2.as_deref(), Some("c.a.Foo"));
        assert_eq!(
            evs[0].3,
            "failed\njava.lang.IllegalStateException: boom\n\tat c.a.Foo.run(Foo.java:10)"
        );
        assert_eq!(
            (evs[1].0, evs[1].1, evs[1].3.as_str()),
            (1, Some(crate::record::Level::Info), "next")
        );
        // A log whose own lines carry such stamps: an indented message is an event of its own.
        let own = "2024-01-01T10:00:00Z INFO a\n2024-01-01T10:00:01Z   indented b\n";
        assert_eq!(events(own, Format::Plain).len(), 2);
    }

    #[test]
    fn raw_traces_join_logfmt_access_and_syslog_lines() {
        let trace = "java.lang.IllegalStateException: boom\r\n\tat c.a.Foo.run(Foo.java:10)\n";
        let logfmt = format!(
            "ts=2024-01-01T10:00:00Z level=error msg=\"job failed\"\n{trace}\
             ts=2024-01-01T10:00:01Z level=info msg=next\n"
        );
        let access = format!(
            "1.2.3.4 - - [01/Jan/2024:10:00:00 +0000] \"GET /a HTTP/1.1\" 500 5 \"-\" \"c\"\n\
             2024-01-01 10:00:00,000 ERROR [main] c.a.Foo - failed\n{trace}\
             1.2.3.4 - - [01/Jan/2024:10:00:01 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"c\"\n"
        );
        let syslog = format!(
            "Jan  1 10:00:00 web1 app[12]: job failed\n{trace}Jan  1 10:00:01 web1 app[12]: next\n"
        );
        for (text, format, failed_at) in [
            (&logfmt, Format::Logfmt, 0),
            (&access, Format::Access, 1),
            (&syslog, Format::Syslog, 0),
        ] {
            let ev = events(text, format);
            assert_eq!(ev.len(), failed_at + 2, "{format:?}: {ev:?}");
            let (line, lines, msg) = &ev[failed_at];
            assert_eq!((*line, *lines), (failed_at as u64 + 1, 3), "{format:?}");
            // (`plain`, which reads the access source's app line, keeps a CRLF's `\r`.)
            assert!(
                msg.replace('\r', "").ends_with(
                    "failed\njava.lang.IllegalStateException: boom\n\tat c.a.Foo.run(Foo.java:10)"
                ),
                "{format:?}: {msg:?}"
            );
            assert_eq!(ev[failed_at + 1].1, 1);
        }
    }

    #[test]
    fn w3c_directives_are_skipped_in_access_logs_only() {
        let text = "#Software: Microsoft Internet Information Services 10.0\r\n\
                    #Fields: date time cs-method cs-uri-stem sc-status time-taken\r\n\
                    2024-03-05 10:00:01 GET /a 200 5\r\n\
                    #remark: restarted\n\
                    #not a directive\n\
                    2024-03-05 10:00:02 GET /b 500 7\n\
                    #Date: 2024-03-05 10:00:03\n";
        let cfg = ParseConfig::default();
        let layout = crate::record::w3c::W3cFields::from_sample(text.as_bytes());
        assert!(layout.is_some());
        let mut got = Vec::new();
        let skipped = parse_chunk(
            text.as_bytes(),
            1,
            Format::Access,
            layout.as_ref(),
            &cfg,
            &mut |ev| got.push((ev.line, ev.http.status)),
        );
        assert_eq!(skipped, 4);
        // Events keep their own line numbers; a `#` line that is no directive stays an event.
        assert_eq!(got, vec![(3, Some(200)), (5, None), (6, Some(500))]);
        for format in [Format::Line, Format::Plain] {
            let mut n = 0;
            let skipped = parse_chunk(text.as_bytes(), 1, format, None, &cfg, &mut |_| n += 1);
            assert_eq!((skipped, n), (0, 7), "{format:?}");
        }
    }

    #[test]
    fn times_no_event_can_have_are_dropped() {
        let text = "{\"time\":\"0001-01-01T00:00:00Z\",\"msg\":\"go zero time\"}\n\
                    {\"time\":\"10000000000000000000000000\",\"msg\":\"25 digits\"}\n\
                    {\"time\":\"2300-01-01T00:00:00Z\",\"msg\":\"far future\"}\n\
                    {\"time\":0,\"msg\":\"epoch\"}\n\
                    {\"time\":\"1999-12-31T23:59:59Z\",\"msg\":\"unset clock\"}\n\
                    {\"time\":946684800,\"msg\":\"first\"}\n\
                    {\"time\":\"2199-12-31T23:59:59Z\",\"msg\":\"last\"}\n";
        let cfg = ParseConfig::default();
        let mut got = Vec::new();
        parse_chunk(text.as_bytes(), 1, Format::Json, None, &cfg, &mut |ev| {
            got.push(ev.time)
        });
        assert_eq!(
            got,
            vec![
                None,
                None,
                None,
                None,
                None,
                Some(946_684_800_000),
                Some(7_258_118_399_000)
            ]
        );
        let logfmt = b"time=0000-01-01T00:00:00Z level=error msg=a\n";
        let mut got = Vec::new();
        parse_chunk(logfmt, 1, Format::Logfmt, None, &cfg, &mut |ev| {
            got.push((ev.time, ev.level))
        });
        assert_eq!(got, vec![(None, Some(crate::record::Level::Error))]);
    }

    use crate::record::Level;

    /// (level, message) of each line of `text` parsed as `format`.
    fn levels(text: &str, format: Format) -> Vec<(Option<Level>, String)> {
        parsed(text, format, |ev| {
            (ev.level, String::from_utf8_lossy(&ev.message).into_owned())
        })
    }

    /// A number after the level is a pid only when more header follows it; followed by
    /// words it is the message's own (`429 Too Many Requests`).
    #[test]
    fn a_number_after_the_level_is_a_pid_only_before_more_header() {
        let got = levels(
            "2026-11-27 10:00:00,123 ERROR [client] 429 Too Many Requests from api.example\n\
             2026-11-27 10:00:01 WARN 3 retries failed\n\
             2026-11-27 10:00:02 ERROR 77 [worker-1] pool exhausted\n\
             2026-11-27 10:00:03.123  INFO 12345 --- [main] starting\n",
            Format::Plain,
        );
        let msgs: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "429 Too Many Requests from api.example",
                "3 retries failed",
                "pool exhausted",
                "starting"
            ]
        );
    }

    /// Syslog lines whose message starts with a level word, or whose level stands where
    /// the host would: the level is read (the word stays in a tagged program's message).
    #[test]
    fn syslog_messages_that_start_with_a_level() {
        let plain = levels(
            "Nov 27 00:00:01 ERROR payment declined\n\
             Nov 27 00:00:02 web1 ERROR payment declined\n\
             Nov 27 00:00:03 web1 Error reading file\n",
            Format::Plain,
        );
        assert_eq!(
            plain,
            [
                (Some(Level::Error), "payment declined".to_string()),
                (Some(Level::Error), "ERROR payment declined".to_string()),
                (None, "Error reading file".to_string()),
            ]
        );
        let sys = levels(
            "Nov 27 00:00:01 web1 app[12]: WARN: disk 91% full\n\
             Nov 27 00:00:02 web1 app[12]: [error] payment declined\n\
             Nov 27 00:00:03 web1 sshd[1]: Accepted key for root\n",
            Format::Syslog,
        );
        assert_eq!(
            sys.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [Some(Level::Warn), Some(Level::Error), None]
        );
        assert_eq!(sys[1].1, "[error] payment declined");
    }

    /// Colour codes are stripped before the header is read, in every format; the event's
    /// raw bytes stay as they were.
    #[test]
    fn colour_codes_are_stripped_before_parsing() {
        let text = "\x1b[2m2026-11-27 10:00:00.058\x1b[0;39m \x1b[31mERROR\x1b[0;39m \x1b[2m[main]\x1b[0;39m \x1b[36mc.a.Foo\x1b[0;39m - took 39ms\n\
                    \tat \x1b[1mc.a.Foo.run(Foo.java:1)\x1b[0m\n\
                    plain \x1b[0mline\n";
        let cfg = ParseConfig::default();
        for format in [Format::Plain, Format::Line, Format::Syslog, Format::Json] {
            let mut got = Vec::new();
            parse_chunk(text.as_bytes(), 1, format, None, &cfg, &mut |ev| {
                got.push((
                    ev.time,
                    ev.level,
                    String::from_utf8_lossy(&ev.message).into_owned(),
                    ev.raw.contains(&0x1b),
                ))
            });
            let (time, level, msg, raw_esc) = &got[0];
            assert_eq!(*time, Some(1_795_773_600_058), "{format:?}");
            assert_eq!(*level, Some(Level::Error), "{format:?}");
            assert!(msg.starts_with("took 39ms"), "{format:?}: {msg:?}");
            assert!(!msg.contains('\x1b'), "{format:?}: {msg:?}");
            assert!(raw_esc, "{format:?}");
            assert_eq!(got.last().map(|g| g.2.as_str()), Some("plain line"));
        }
        assert_eq!(
            crate::record::detect_format(text.as_bytes()),
            Format::Plain,
            "detected from the text"
        );
    }

    /// A line a container runtime split (CRI `P` records, Docker records without their
    /// newline) is joined only with its own stream's records: a record of the other stream
    /// between its parts is an event of its own, and the chunker never cuts inside.
    #[test]
    fn split_lines_join_their_own_stream_only() {
        let cri = "2026-11-27T10:00:01.0Z stdout F {\"level\":\"info\",\"msg\":\"start\"}\n\
                   2026-11-27T10:00:05.0Z stdout P {\"level\":\"error\",\"msg\":\"batch \n\
                   2026-11-27T10:00:05.1Z stderr F W1127 10:00:05.100000 7 x.go:1] slow disk\n\
                   2026-11-27T10:00:05.2Z stderr F E1127 10:00:05.200000 7 x.go:2] no space\n\
                   2026-11-27T10:00:05.3Z stdout P failed\", \"items\": [1, \n\
                   2026-11-27T10:00:05.4Z stdout F 2]}\n\
                   2026-11-27T10:00:05.5Z stderr F \tat x.y(Z.java:1)\n\
                   2026-11-27T10:00:06.0Z stdout F {\"level\":\"info\",\"msg\":\"done\"}\n";
        let rec = |log: &str, stream: &str| {
            format!(
                "{{\"log\":{},\"stream\":\"{stream}\",\"time\":\"2026-11-27T10:00:05Z\"}}\n",
                serde_json::to_string(log).unwrap_or_default()
            )
        };
        let docker = [
            rec("{\"level\":\"info\",\"msg\":\"start\"}\n", "stdout"),
            rec("{\"level\":\"error\",\"msg\":\"batch ", "stdout"),
            rec("W1127 10:00:05.100000 7 x.go:1] slow disk\n", "stderr"),
            rec("E1127 10:00:05.200000 7 x.go:2] no space\n", "stderr"),
            rec("failed\", \"items\": [1, ", "stdout"),
            rec("2]}\n", "stdout"),
            rec("\tat x.y(Z.java:1)\n", "stderr"),
            rec("{\"level\":\"info\",\"msg\":\"done\"}\n", "stdout"),
        ]
        .concat();
        for (text, format) in [(cri, Format::Plain), (docker.as_str(), Format::Json)] {
            let got = parsed(text, format, |ev| {
                (
                    ev.line,
                    ev.lines,
                    ev.level,
                    String::from_utf8_lossy(&ev.message).into_owned(),
                )
            });
            let want = [
                (1, 1, Some(Level::Info), "start"),
                // The split JSON line, whole again.
                (2, 3, Some(Level::Error), "batch failed"),
                (3, 1, Some(Level::Warn), "slow disk"),
                // A trace line after the split line, once no stream is open, joins its own
                // stream's last line.
                (4, 2, Some(Level::Error), "no space\n\tat x.y(Z.java:1)"),
                (8, 1, Some(Level::Info), "done"),
            ];
            let got: Vec<_> = got
                .iter()
                .map(|(a, b, c, d)| (*a, *b, *c, d.as_str()))
                .collect();
            assert_eq!(got, want, "{format:?}");
            // The chunker cuts only where an event starts.
            let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
            let starts: Vec<usize> = ends
                .iter()
                .map(|&e| format.last_event_start(text.as_bytes(), e))
                .collect();
            let line_start = |n: usize| if n == 1 { 0 } else { ends[n - 2] + 1 };
            assert_eq!(
                starts,
                [1, 2, 2, 2, 2, 2, 2, 8].map(line_start),
                "{format:?}"
            );
        }
        // Stream state only lasts MAX_INTERLEAVED lines: a continuation after more records
        // of the other stream is an event of its own.
        let mut long = String::from("2026-11-27T10:00:05.0Z stdout P part one \n");
        for _ in 0..crate::record::MAX_INTERLEAVED {
            long.push_str("2026-11-27T10:00:05.1Z stderr F noise\n");
        }
        long.push_str("2026-11-27T10:00:05.2Z stdout F part two\n");
        let got = events(&long, Format::Plain);
        assert_eq!(got.len(), 2 + crate::record::MAX_INTERLEAVED, "{got:?}");
        assert_eq!(got[0].2, "part one ");
        assert_eq!(got.last().map(|e| e.2.as_str()), Some("part two"));
    }

    #[test]
    fn bom_is_skipped() {
        let ev = events("\u{feff}2024-01-01 10:00:00 INFO a\nb\n", Format::Plain);
        assert_eq!(ev[0].2, "a");
        assert_eq!(detect_format_bom(), Format::Json);
    }

    fn detect_format_bom() -> Format {
        crate::record::detect_format("\u{feff}{\"msg\":\"a\"}\n".as_bytes())
    }

    #[test]
    fn leading_continuation_is_own_event_and_line_format_never_joins() {
        let t = "\tat x.y(Z.java:1)\nINFO a\n\tat b\n";
        assert_eq!(events(t, Format::Plain).len(), 2);
        let ev = events("a\r\n\tb\r\nc", Format::Line);
        assert_eq!(ev.len(), 3);
        assert_eq!(ev[0].2, "a");
        assert_eq!(ev[1].2, "\tb");
    }

    #[test]
    fn json_inside_syslog() {
        let t = "<11>Mar  5 10:00:00 web1 api[42]: {\"level\":\"warn\",\"msg\":\"slow\",\"status\":504}\n\
                 <11>Mar  5 10:00:01 web1 api[42]: {not json\n";
        let cfg = ParseConfig::default();
        let mut out = Vec::new();
        parse_chunk(t.as_bytes(), 1, Format::Syslog, None, &cfg, &mut |ev| {
            out.push((
                ev.level,
                ev.logger.map(|l| l.into_owned()),
                ev.message.into_owned(),
                ev.http.status,
            ))
        });
        use crate::record::Level;
        assert_eq!(
            out[0],
            (
                Some(Level::Warn),
                Some(b"api".to_vec()),
                b"slow".to_vec(),
                Some(504)
            )
        );
        assert_eq!(
            out[1],
            (
                Some(Level::Error),
                Some(b"api".to_vec()),
                b"{not json".to_vec(),
                None
            )
        );
    }

    const ALL: [Format; 6] = [
        Format::Json,
        Format::Logfmt,
        Format::Access,
        Format::Syslog,
        Format::Plain,
        Format::Line,
    ];

    /// Parses `bytes` in every format; checks that every line is accounted for exactly once.
    fn parse_everything(bytes: &[u8]) {
        let _ = crate::record::detect_format(bytes);
        let total_lines = bytes.split(|&b| b == b'\n').count() as u64
            - u64::from(bytes.ends_with(b"\n") || bytes.is_empty());
        for format in ALL {
            for tz in ["UTC", "America/New_York"] {
                let cfg = ParseConfig {
                    tz: jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC),
                    ..ParseConfig::default()
                };
                // Events come in the order of their first lines; they follow each other, but
                // for records of one container stream interleaved in another's split line,
                // which are events of their own inside it.
                let mut next_line = 1;
                let mut last_line = 0;
                parse_chunk(bytes, 1, format, None, &cfg, &mut |ev| {
                    assert!(ev.line > last_line && ev.line <= next_line);
                    last_line = ev.line;
                    next_line = next_line.max(ev.line) + u64::from(ev.lines);
                });
                assert_eq!(next_line - 1, total_lines, "{format:?}");
            }
        }
    }

    #[test]
    fn junk_never_panics() {
        let cases: &[&[u8]] = &[
            b"",
            b"\n\n\n",
            b"{",
            b"{\"",
            b"{\"a\":",
            b"{\"a\":\"\\",
            b"{\"log\":\"\\n\",\"stream\":\"x\"}",
            b"{\"log\":\"{\\\"a\\\":\",\"stream\":\"x\"}",
            b"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1",
            b"<999>Oct 11 22:14:15 h a: x",
            b"<1>1 2003-10-11T22:14:15.003Z h a p m [unterminated",
            b"<",
            b"<34>",
            b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET",
            b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-",
            b"1.2.3.4 - - [",
            b"a=\"unterminated",
            b"a= b= =c",
            b"E, [",
            b"E0101 ",
            b"E0101 10:00:00.1 1 x",
            b"- 1117838570 2005.06.03",
            b"[",
            b"[[[[[[[[]",
            b"2024-01-01T10:00:00+99:99 x",
            b"9999-12-31T23:59:59Z",
            b"0000-01-01 00:00:00",
            b"Feb 29 10:00:00 h p: x",
            b"\xff\xfe\x00\x01 binary \x80\n\x1b[31mred\r\n",
            b"\tat x\n\tat y",
            b"{\"ts\":1e400,\"level\":1e400,\"status\":-1,\"duration\":\"1.5.5s\"}",
            b"{\"time\":\"\\ud800\"}",
            b"- 1700000000",
            b"- 1700000000 2024.01.01",
            b"- 1700000000 2024.01.01 n Jan  1 10:00:00",
            b"1 a 1700000000",
            b"1 a 1700000000 1",
            b"x.log 2024-01-01",
            b"x.log 2024-01-01 10:00:00",
            b"20240101-10:00:00:",
            b"20240101-10:00:00|",
            b"20240101-10:00:00||||",
            b"Jan  1 10:00:00 h a b[1] (",
            b"Jan  1 10:00:00 h [1]:",
            b"Jan  1 10:00:00 h  a[1]",
            b"[01.01 10:00:00] a *6 -",
            b"2024-01-01 10:00:00, Info  ",
            b"2024-01-01 10:00:00 INFO a.b [",
            // A level, a word and a number ending the line: Django's module/pid columns.
            b"INFO ok 57",
            b"2026-11-30 10:00:00 INFO retry 3",
        ];
        for c in cases {
            parse_everything(c);
        }
        assert!(parse_chunk_invalid_utf8_flagged());
    }

    fn parse_chunk_invalid_utf8_flagged() -> bool {
        let mut flags = Vec::new();
        parse_chunk(
            b"ok line\nbad \xff line\n",
            1,
            Format::Line,
            None,
            &ParseConfig::default(),
            &mut |ev| flags.push(ev.invalid_utf8),
        );
        flags == [false, true]
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            parse_everything(&bytes);
        }

        #[test]
        fn random_text_never_panics(text in "[ -~\t\n\\[\\]{}\"<>:=,.0-9]{0,300}") {
            parse_everything(text.as_bytes());
        }
    }

    proptest::proptest! {
        // (Cheap cases, and the shapes that reach a column parser are a small share of them.)
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10_000))]

        /// Lines made of the pieces headers are made of (stamps, levels, words, numbers,
        /// brackets, separators), cut anywhere: random text seldom builds a header, and
        /// a parser that looks for the column after one must stop at the line's end.
        #[test]
        fn header_like_lines_never_panic(
            tokens in proptest::collection::vec(proptest::sample::select(HEADER_PIECES), 1..9),
            cut in 0usize..200,
        ) {
            let line = tokens.join(" ");
            parse_everything(&line.as_bytes()[..cut.min(line.len())]);
            parse_everything(line.as_bytes());
        }
    }

    const HEADER_PIECES: &[&str] = &[
        "2026-11-30",
        "10:00:00",
        "2026-11-30T10:00:00.123Z",
        "10:00:00,123",
        "Nov",
        "30",
        "[main]",
        "[",
        "]",
        "INFO",
        "ERROR",
        "WARN",
        "E1130",
        "level=info",
        "msg=\"x\"",
        "ok",
        "57",
        "1234",
        "123456789",
        "retry",
        "---",
        "-",
        ":",
        "|",
        "app.module:",
        "(1234):",
        "*5",
        "<Error>",
        "[pid",
        "12]",
        "from",
        "in",
        "{\"a\":1}",
        "at=error",
        "\t",
        "",
    ];
}
