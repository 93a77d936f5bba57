//! `plain`: free text with a header (a leading timestamp and/or level, maybe a thread, pid and
//! logger) that is stripped from the message.
//!
//! In: an event's first line (the header lives there) and its raw bytes (continuation lines
//! included). Out: time, level, logger, and the message as a slice of the raw bytes starting
//! after the header. Specific layouts with a fixed shape are tried first (Rails, glog,
//! syslog-like `Jun 14 15:16:01 host prog[pid]:`); then a generic scan reads a timestamp (bare
//! or in brackets) and looks at the next few tokens for a level word, skipping separators
//! (`-`, `|`, `---`), pids and `[thread]` groups, and takes a following logger:
//! `logger.Name:`, `Name -`, a dotted name before a `[context]` bracket (dropped with it), or
//! a word in a padded column. Without a level, a `name - ` column after the stamp is the
//! program. A separator after a bracket ends the header; pipe-separated columns right after
//! the stamp are read as columns.
//!
//! Lines that start with columns before any of that (an alert tag or record id with an
//! epoch-seconds column, or a file/host name before a stamp) are read by
//! `leading_columns`, which only runs when the generic scan found no header, so ordinary
//! lines pay nothing for it. Every rule is positional: token shapes, no regex, no names of
//! particular programs.

use std::borrow::Cow;

use super::level::{from_letter, from_upper_word, from_word, one_case_level};
use super::parse::Ctx;
use super::time::{glog_stamp, iso_zoned, parse_prefix, zone_corrected, TimeCtx};
use super::{json, logfmt, syslog, Event, Level};

/// What a header told us. `msg` is the offset of the message in the first line.
#[derive(Default, Debug, PartialEq)]
struct Header<'a> {
    time: Option<i64>,
    level: Option<Level>,
    logger: Option<&'a [u8]>,
    msg: usize,
    /// An Nginx error log line, whose tail names the request and the upstream.
    nginx: bool,
    /// The line's leading RFC 3339 stamp, when it carries a zone: a container runtime's
    /// (CRI, `kubectl logs --timestamps`, a shipper's) when the app's own time follows.
    runtime: Option<i64>,
    /// A glog header, after which Kubernetes' klog writes its structured form.
    glog: bool,
    /// `time` is a time of day whose date was supplied ([`super::DayRef`]).
    dated: bool,
    /// `key=value` metadata columns before the level (Elixir's `request_id=…`), or in a
    /// bracket after it (OpenTelemetry's Python logging format).
    meta: Option<&'a [u8]>,
    /// A trace id in a bracket after the level (Spring Boot's `[traceId-spanId]`, Sleuth's
    /// `[app,traceId,spanId]`).
    trace: Option<&'a [u8]>,
    /// NestJS's logger: a `+4ms` after the message's first line (the time since its previous
    /// line), which is no part of the message.
    since_last: bool,
}

/// Parses the header of `first` and fills `ev`; the message runs from after the header to the
/// end of `raw`. Returns whether a header (timestamp or level) was recognized.
pub fn parse<'a>(first: &'a [u8], raw: &'a [u8], ev: &mut Event<'a>, ctx: &Ctx) -> bool {
    if raw.len() > first.len() && cri_partial(first) {
        return cri_rejoined(first, raw, ev, ctx);
    }
    let tc = &ctx.time;
    if raw.len() > first.len() && jul(first, raw, ev, tc) {
        return true;
    }
    if super::access::uwsgi(first, ev, tc) {
        return true;
    }
    // stern's `POD CONTAINER ` (or Docker Compose's `NAME  | `) before the container's line.
    let lead = stern_body(first).map_or(0, |b| first.len() - b.len());
    let Some(mut h) = header(&first[lead..], tc) else {
        return false;
    };
    h.msg += lead;
    // `kubectl logs --timestamps`' stamp before a dated line of the app's own.
    // (Or before a time of day only, logback's default `HH:mm:ss.SSS [thread] LEVEL`: the
    // runtime's stamp dates it.)
    let body = stamp_body(first);
    let tod_body = body.is_some_and(|b| time_of_day(b).is_some());
    let stamped =
        tod_body || body.is_some_and(|b| dated(b) || rails_shape(b) || request_tag(b).is_some());
    // `aws logs tail`: `STAMP STREAM LINE`, the CloudWatch log stream's name (an ECS task's
    // `prefix/container/task-id`, a Lambda's `2026/11/30/[$LATEST]…`) before the app's JSON
    // or its own dated line.
    let mut stream = None;
    if h.level.is_none() && h.time.is_some() && !stamped {
        let at = h.msg.min(first.len());
        if let Some(n) = aws_stream(&first[at..]) {
            let body = &first[at + n..];
            // (A JSON object's shape: a message `a/b {` keeps its first word.)
            let json = body.starts_with(b"{\"") && body.trim_ascii_end().ends_with(b"}");
            if json || dated(body) || lambda_python_line(body) {
                stream = Some(&first[at..at + n - 1]);
                h.msg = at + n;
                if let Some(inner) = header(body, tc).filter(|i| i.time.is_some()) {
                    h = Header {
                        msg: at + n + inner.msg,
                        runtime: h.runtime,
                        ..inner
                    };
                }
            }
        }
    }
    // Heroku's `STAMP app[web.1]: ` before the app's own line with its header (the Ruby
    // Logger's `E, [stamp #4] ERROR -- : …`, a dated line).
    let tagged = h.level.is_none() && !stamped && h.logger.is_some() && h.time.is_some() && {
        let body = first.get(h.msg..).unwrap_or_default();
        dated(body) || rails_shape(body)
    };
    if h.level.is_none() && (stamped || tagged) {
        // `kubectl logs --timestamps` (or a shipper) before the app's own header: the app's
        // time, level, logger and message.
        let at = h.msg.min(first.len());
        let inner = header(&first[at..], tc)
            .filter(|i| i.time.is_some() || (tod_body && i.level.is_some()));
        if let Some(inner) = inner {
            h = Header {
                msg: at + inner.msg,
                runtime: h.runtime,
                logger: inner.logger.filter(|l| !l.is_empty()).or(h.logger),
                // A time of day is dated by the runtime's stamp, which is exact (UTC).
                time: if tod_body { h.time } else { inner.time },
                dated: !tod_body && inner.dated,
                ..inner
            };
        }
    }
    ev.time = h.time;
    ev.time_dated = h.dated;
    ev.level = h.level;
    if let Some(meta) = h.meta.filter(|_| h.level.is_some()) {
        // Elixir's metadata: its `request_id` pairs a Phoenix request's two lines.
        let mut inner = Event::bare(ev.line, ev.raw);
        logfmt::read_pairs(meta, &mut inner, tc, &ctx.keys, true);
        ev.trace_id = inner.trace_id;
        ev.fields = inner.fields;
    }
    if let Some(l) = h.logger.filter(|l| !l.is_empty()) {
        ev.logger = Some(Cow::Borrowed(l));
    }
    if let Some(t) = h.trace.filter(|_| ev.trace_id.is_none()) {
        ev.trace_id = Some(Cow::Borrowed(t));
    }
    if ev
        .trace_id
        .as_deref()
        .is_some_and(|t| t.iter().all(|&c| c == b'0'))
    {
        // (OpenTelemetry's `trace_id=0` outside any span.)
        ev.trace_id = None;
    }
    let app = app_line(first);
    if let Some(l) = rails_shape(app).then(|| rails_layout(app)).flatten() {
        // Rails' request-id tag among the tags.
        let mut at = l.tags;
        while at < l.msg && app[at] == b'[' {
            if let Some(n) = request_tag(&app[at..]) {
                ev.trace_id = Some(Cow::Borrowed(&app[at + 1..at + n - 2]));
                break;
            }
            match memchr::memchr(b']', &app[at..l.msg]) {
                Some(i) => at = skip_spaces(app, at + i + 1),
                None => break,
            }
        }
    } else if let Some(n) = first.get(h.msg..).and_then(request_tag) {
        // Tags and no Ruby Logger header (Rails 8): the request id is the trace id.
        ev.trace_id = Some(Cow::Borrowed(&first[h.msg + 1..h.msg + n - 2]));
        h.msg = skip_tags(first, h.msg);
    }
    ev.message = Cow::Borrowed(raw.get(h.msg.min(first.len())..).unwrap_or_default());
    // Joined lines that each carry a prefix (`kubectl logs --timestamps`' stamp, `--prefix`'s
    // pod): the message is the app's lines without it.
    let prefix: Option<LinePrefix> = if raw.len() == first.len() {
        None
    } else if stamped && (rails_shape(app) || request_tag(app).is_some()) {
        Some(stamped_rails_body)
    } else if stamped {
        Some(stamp_body)
    } else if stream.is_some() {
        Some(stream_body)
    } else if kubectl_body(first).is_some() {
        Some(kubectl_body)
    } else if lead > 0 {
        Some(stern_body)
    } else if rails_shape(first) || request_tag(first).is_some() {
        Some(rails_body)
    } else {
        None
    };
    let prefix = prefix.or_else(|| {
        let second = &raw[first.len()..];
        let second = second.strip_prefix(b"\r").unwrap_or(second);
        let second = second.strip_prefix(b"\n")?;
        // The first joined line that is not a tab-indented continuation (a multi-line
        // message can come before a PostgreSQL report's DETAIL line).
        let next = second
            .split(|&c| c == b'\n')
            .find(|l| l.first() != Some(&b'\t'))?;
        pg_continuation(first, next).then_some(pg_body as LinePrefix)
    });
    if let Some(body) = prefix {
        let mut msg = first.get(h.msg..).unwrap_or_default().to_vec();
        super::parse::append_lines(&raw[first.len()..], &mut msg, |l| body(l).unwrap_or(l));
        trim_blank_end(&mut msg);
        ev.message = Cow::Owned(msg);
    } else if raw.len() > first.len() && cri_body(first).is_some() {
        // The joined lines of a multi-line event in a Kubernetes CRI log each carry the CRI
        // prefix: the message is the container's lines without them, and a line the runtime
        // split (`P` records) is whole again.
        // (A first record that is a `P` part went to `cri_rejoined`.)
        let mut msg = first.get(h.msg..).unwrap_or_default().to_vec();
        cri_append(&raw[first.len()..], true, &mut msg);
        if cri_body(first).is_some_and(|b| rails_shape(b) || request_tag(b).is_some()) {
            // A Rails report's further lines behind their headers or request-id tags.
            let mut lines = msg.split(|&c| c == b'\n');
            let mut out = lines.next().unwrap_or_default().to_vec();
            for l in lines {
                out.push(b'\n');
                out.extend_from_slice(rails_body(l).unwrap_or(l));
            }
            msg = out;
        }
        trim_blank_end(&mut msg);
        ev.message = Cow::Owned(msg);
    }
    if raw.len() > first.len() {
        if let Some((lines, at)) = blank_head(&ev.message) {
            skip_head(ev, lines, at);
        }
    }
    if h.since_last {
        ev.message = without_since_last(std::mem::take(&mut ev.message));
    }
    if h.nginx {
        nginx_tail(first, ev);
    }
    if h.level.is_some() && h.msg > 0 && first.get(h.msg - 1) == Some(&b'\t') {
        zap_console(ev, ctx);
    }
    if h.glog {
        klog_structured(ev, ctx);
    }
    if h.level.is_some() && ev.logger.is_none() {
        rust_target(ev, ctx);
        if ev.logger.is_none() {
            logger_after(ev);
        }
    }
    if ev.level.is_none() {
        ev.level = php_level(&ev.message);
    }
    if ev.level.is_none() && ev.blank_head.0 > 0 && rails_report_head(&ev.message) {
        // A Rails exception report without a level (Rails 8's default logger writes none):
        // Rails logs it as fatal.
        ev.level = Some(Level::Fatal);
    }
    // Rails' lograge writes each request as one JSON or logfmt line through the Ruby Logger
    // (`I, [stamp #pid]  INFO -- : [id] method=GET path=/orders/42 … status=500 duration=…`).
    let lograge = rails_shape(app) && first.len() == raw.len();
    // Sidekiq's job context before its level (`pid=7 tid=2yw WARN: …`) heads a backtrace too.
    let context =
        h.level.is_none() && logfmt::pairs_then_level(first.get(h.msg..).unwrap_or_default());
    if (h.level.is_none() || lograge) && first.len() == raw.len() || context {
        // A JSON app line inside a Kubernetes CRI record (the usual production setup) or
        // behind a shipper's timestamp.
        let tag = ev.trace_id.take();
        json::parse_embedded(ev, ctx);
        logfmt::parse_embedded(ev, tc, &ctx.keys);
        if context && ev.message.first() == Some(&b'{') {
            // Sidekiq's `WARN: {"context":"Job raised exception","job":{…}}`.
            json::parse_embedded(ev, ctx);
        }
        if ev.trace_id.is_none() {
            ev.trace_id = tag;
        }
    }
    if ev.http.method.is_none() && ev.http.status.is_none() {
        embedded_request(first.get(h.msg..).unwrap_or_default(), ev);
    }
    if ev.http.method.is_none() && ev.http.status.is_none() && raw.len() == first.len() {
        // Gin's, Fiber's and morgan's request lines, also behind a container's prefix.
        if let Cow::Borrowed(m) = ev.message {
            super::access::app_request(m, ev, tc);
        }
    } else if ev.http.method.is_none() && ev.http.status.is_none() {
        // koa-logger's line of a failed request, and Koa's stack under it.
        let line = first.get(h.msg..).unwrap_or_default();
        if super::access::koa_arrow(line).is_some() {
            let joined = std::mem::take(&mut ev.message);
            let below = memchr::memchr(b'\n', &joined).map_or(&b""[..], |nl| &joined[nl..]);
            if !super::access::request_with_lines(line, below, ev, tc) {
                ev.message = joined;
            }
        }
    }
    if ev.http.status.is_none() && ev.http.path.is_none() {
        if let Cow::Borrowed(m) = ev.message {
            aspnet_request(m, ev);
            rails_request(m, ev);
        }
    }
    let category = h
        .level
        .and(first.get(h.msg..))
        .and_then(aspnet_category)
        .filter(|_| raw.len() > first.len());
    if let Some(name) = category {
        // ASP.NET Core's console logger: the category is the logger, the message is the
        // lines after it, without the six spaces they are indented by.
        ev.logger = Some(Cow::Borrowed(name));
        let msg = std::mem::take(&mut ev.message);
        let mut out = Vec::with_capacity(msg.len());
        for (i, line) in msg.split(|&c| c == b'\n').skip(1).enumerate() {
            if i > 0 {
                out.push(b'\n');
            }
            let pad = line.iter().take(6).take_while(|&&c| c == b' ').count();
            out.extend_from_slice(&line[pad..]);
        }
        if ev.http.status.is_none() && ev.http.path.is_none() {
            // Behind a CRI prefix the joined message was built, not borrowed: its request
            // line is read from the copy.
            if let Some(Finished(method, url, status, ms)) = aspnet_finished(&out) {
                ev.http.method = Some(Cow::Owned(method.to_vec()));
                ev.http.path = Some(Cow::Owned(url.to_vec()));
                ev.http.status = Some(status);
                ev.http.latency_ms = ms;
            }
        }
        ev.message = Cow::Owned(out);
    }
    if let (Some(t), Some(r)) = (ev.time, h.runtime) {
        // The app's own time (its header behind the runtime's stamp, a JSON or logfmt time)
        // in the runtime stamp's zone; the stamp's own time stays as it is.
        ev.time = Some(zone_corrected(t, r));
    }
    if let Some(name) = stream {
        ev.fields
            .push((Cow::Borrowed(&b"log_stream"[..]), Cow::Borrowed(name)));
    }
    true
}

/// A CloudWatch log stream's name and the space after it, as `aws logs tail` prints it
/// after the stamp: a name with a `/` in it (`ecs/api/3f1c2b9a8d7e4f60`,
/// `2026/11/30/[$LATEST]8f0e…`) and no quotes or `=`. Its length with the space.
fn aws_stream(b: &[u8]) -> Option<usize> {
    let sp = memchr::memchr(b' ', &b[..b.len().min(512)])?;
    let name = &b[..sp];
    let ok = name.len() > 2
        && name.contains(&b'/')
        && !name.ends_with(b"/")
        && name
            .iter()
            .all(|&c| c.is_ascii_graphic() && !matches!(c, b'"' | b'\'' | b'=' | b'{'));
    ok.then_some(sp + 1)
}

/// zap's console encoder (Go's `zap.NewDevelopment()`, or a production config set to
/// `console`): `STAMP\tLEVEL\t[NAME\t]CALLER\tMESSAGE[\t{"key": value, …}]`, the caller as
/// `dir/file.go:LINE`, the JSON object only when the entry has fields. The logger is NAME,
/// or else the caller's file; the caller is a field; the object's fields are read as a JSON
/// log's (an error field joins the message, so "request failed" from a refused connection
/// and from a timeout are two templates; HTTP fields make the entry a request); a stack zap
/// added stays under the message. Without a caller (`EncoderConfig.CallerKey` empty), only an
/// entry with a JSON object is read this way.
fn zap_console<'a>(ev: &mut Event<'a>, ctx: &Ctx) {
    let Cow::Borrowed(msg) = ev.message else {
        return;
    };
    let line_end = memchr::memchr(b'\n', msg).unwrap_or(msg.len());
    let line = &msg[..line_end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut cols = [&b""[..]; 4];
    let mut n = 0;
    let mut rest = line;
    // NAME, CALLER, MESSAGE, OBJECT at most: split at the first three tabs.
    while n < 3 {
        let Some(t) = memchr::memchr(b'\t', rest) else {
            break;
        };
        cols[n] = &rest[..t];
        rest = &rest[t + 1..];
        n += 1;
    }
    cols[n] = rest;
    let cols = &cols[..=n];
    let object = |c: &[u8]| c.first() == Some(&b'{') && c.last() == Some(&b'}');
    let name_like = |c: &[u8]| !c.is_empty() && !c.contains(&b' ') && !object(c);
    let caller = cols.iter().take(2).position(|c| go_caller(c));
    let tail = cols.last().copied().filter(|c| cols.len() > 1 && object(c));
    let (name, caller, message) = match (caller, tail.is_some()) {
        (Some(0), _) if cols.len() >= 2 => (None, Some(cols[0]), cols[1]),
        (Some(1), _) if cols.len() >= 3 && name_like(cols[0]) => {
            (Some(cols[0]), Some(cols[1]), cols[2])
        }
        // No caller: MESSAGE and OBJECT, or NAME, MESSAGE and OBJECT.
        (None, true) if cols.len() == 2 => (None, None, cols[0]),
        (None, true) if cols.len() == 3 && name_like(cols[0]) => (Some(cols[0]), None, cols[1]),
        _ => return,
    };
    // Four columns split at three tabs: a message with a tab of its own keeps it.
    let message_end = tail.map_or(line.len(), |t| {
        t.as_ptr() as usize - line.as_ptr() as usize - 1
    });
    let from = message.as_ptr() as usize - msg.as_ptr() as usize;
    let message = &msg[from..message_end.max(from)];
    if let Some(obj) = tail {
        let mut inner = Event::bare(ev.line, ev.raw);
        if !json::parse(obj, &mut inner, ctx) {
            return;
        }
        ev.http = inner.http;
        ev.trace_id = inner.trace_id.or(ev.trace_id.take());
        ev.fields = inner.fields;
    }
    if let Some(c) = caller {
        ev.fields
            .push((Cow::Borrowed(&b"caller"[..]), Cow::Borrowed(c)));
    }
    if ev.logger.is_none() {
        ev.logger = name
            .or_else(|| caller.map(|c| &c[..memchr::memrchr(b':', c).unwrap_or(c.len())]))
            .map(Cow::Borrowed);
    }
    if tail.is_some() {
        message_with_error(ev, Cow::Borrowed(message), &msg[line_end..]);
    } else {
        // MESSAGE runs to the end of the line: the stack after it is still contiguous.
        ev.message = Cow::Borrowed(&msg[from..]);
    }
}

/// The message is `text`, then the event's error field (as a JSON log's, see
/// [`with_error_text`](super::keys::with_error_text)), then the lines `below` it (a stack
/// trace, starting with its newline).
fn message_with_error<'a>(ev: &mut Event<'a>, text: Cow<'a, [u8]>, below: &[u8]) {
    ev.message = text;
    super::keys::with_error_text(ev);
    if !below.is_empty() {
        let mut m = std::mem::take(&mut ev.message).into_owned();
        m.extend_from_slice(below);
        ev.message = Cow::Owned(m);
    }
}

/// structlog's console renderer (`[error    ] request failed    path=/checkout
/// error='connection refused'`), zerolog's console writer and Rust's `tracing` print an event's
/// fields after its message as `key=value` pairs. Read as a logfmt line's: HTTP fields make a
/// request, an error field joins the message (so two causes are two templates, where the
/// miner would make `error=<*>` of both), the rest are fields, and the message is the text
/// before them. Only when the pairs are clearly fields: after padding (two spaces or more, as
/// structlog and logrus align them), or two or more pairs of which one is an HTTP, trace,
/// upstream or error field; a log4j message ending `… items=6` keeps its text.
pub fn kv_tail<'a>(ev: &mut Event<'a>, ctx: &Ctx) {
    let Cow::Borrowed(msg) = ev.message else {
        return;
    };
    if !ev.fields.is_empty() || ev.http.status.is_some() || ev.http.path.is_some() {
        return;
    }
    // (A one-line event's message has no newline to look for.)
    let line_end = match ev.lines {
        0 | 1 => msg.len(),
        _ => memchr::memchr(b'\n', msg).unwrap_or(msg.len()),
    };
    let line = &msg[..line_end];
    let Some((start, pairs)) = logfmt::pair_tail(line) else {
        return;
    };
    // (hashicorp's hclog ends the message with `:` before its pairs: `RPC failed: error=…`.)
    let text = line[..start].trim_ascii_end();
    let text = text.strip_suffix(b":").unwrap_or(text);
    if !text.iter().any(u8::is_ascii_alphabetic) {
        return;
    }
    // (structlog pads the event to 30 columns, logrus its message to 44: a short text and
    // two spaces, `A  a=b`, is a message of its own.)
    let padded = line[..start].ends_with(b"  ") && start >= 20;
    let mut inner = Event::bare(ev.line, ev.raw);
    let known = logfmt::read_pairs(
        &line[start..],
        &mut inner,
        &ctx.time,
        &ctx.keys,
        ev.logger.is_some(),
    );
    // A lone error pair is the error's text (`request failed error=connection refused`).
    let lone_error = pairs == 1
        && super::keys::is_error_text_key(
            line[start..]
                .split(|&c| c == b'=')
                .next()
                .unwrap_or_default(),
        );
    if !(padded || (pairs >= 2 && known > 0) || lone_error) {
        return;
    }
    // A stack trace under the line stays under the message.
    with_pairs(ev, inner, Cow::Borrowed(text), &msg[line_end..]);
}

/// The pairs read into `inner` (after a message: [`kv_tail`], [`klog_structured`]) are the
/// event's request, trace id, fields and, when the header named none, logger; the message
/// is `text` with the error field joined, then the lines `below` it.
fn with_pairs<'a>(ev: &mut Event<'a>, inner: Event<'a>, text: Cow<'a, [u8]>, below: &[u8]) {
    ev.http = inner.http;
    ev.fields = inner.fields;
    ev.trace_id = inner.trace_id.or(ev.trace_id.take());
    if ev.logger.is_none() {
        ev.logger = inner.logger;
    }
    message_with_error(ev, text, below);
}

/// Kubernetes' klog writes structured lines as a quoted message and `key=value` pairs after
/// its glog header: `"Reconciler error" err="context deadline exceeded" controller="deployment"
/// name="web"`. The message is the quoted text (the miner would make `"<*>"` of it), the
/// error joins it, the rest are fields.
fn klog_structured<'a>(ev: &mut Event<'a>, ctx: &Ctx) {
    let Cow::Borrowed(msg) = ev.message else {
        return;
    };
    let line_end = memchr::memchr(b'\n', msg).unwrap_or(msg.len());
    let line = &msg[..line_end];
    if line.first() != Some(&b'"') {
        return;
    }
    let Some((text, esc, end)) = logfmt::quoted(line, 0) else {
        return;
    };
    let pairs = line.get(end..).unwrap_or_default();
    let pairs = pairs.strip_suffix(b"\r").unwrap_or(pairs);
    if !(pairs.trim_ascii().is_empty() || pairs.starts_with(b" ") && logfmt::all_pairs(pairs)) {
        return;
    }
    let mut inner = Event::bare(ev.line, ev.raw);
    logfmt::read_pairs(pairs, &mut inner, &ctx.time, &ctx.keys, ev.logger.is_some());
    with_pairs(ev, inner, logfmt::value(text, esc), &msg[line_end..]);
}

/// Rust's `tracing` (and `env_logger`'s `[… ERROR api::handler] …` is read by the bracket
/// rule): `STAMP LEVEL api::handler: message` names its target, a module path, before the
/// message; it is the logger. The spans the event is in come first, each with its fields:
/// `request{method=GET uri=/orders/7}:db{pool=main}: api::db: pool timeout`; their fields are
/// the event's (a request span's method and URI make a request), then the message's own.
fn rust_target<'a>(ev: &mut Event<'a>, ctx: &Ctx) {
    let Cow::Borrowed(msg) = ev.message else {
        return;
    };
    let Some(end) = tracing_spans(msg).filter(|_| ev.fields.is_empty() && ev.http.is_empty())
    else {
        module_target(ev, msg, false);
        return;
    };
    let mut spans = Event::bare(ev.line, ev.raw);
    let mut i = 0;
    while let Some((fields, next)) = tracing_span(msg, i).filter(|_| i < end) {
        if let Some(fields) = fields {
            logfmt::read_pairs(fields, &mut spans, &ctx.time, &ctx.keys, true);
        }
        i = next;
    }
    module_target(ev, &msg[end..], true);
    // The message's own `key=value` fields, then the spans' under them.
    kv_tail(ev, ctx);
    let own = std::mem::take(&mut ev.fields);
    ev.fields = spans.fields;
    for (k, v) in own {
        match ev.fields.iter_mut().find(|(sk, _)| *sk == k) {
            Some(slot) => slot.1 = v,
            None => ev.fields.push((k, v)),
        }
    }
    ev.http.fill_from(spans.http);
    ev.trace_id = ev.trace_id.take().or(spans.trace_id);
}

/// `msg` as the message, after its `target: ` (a module path, the logger) when it starts
/// with one. After spans the target may be a crate's root (`users: user loaded`); without,
/// it must be a path (`api::handler: …`), not a word before a colon.
fn module_target<'a>(ev: &mut Event<'a>, msg: &'a [u8], after_spans: bool) {
    ev.message = Cow::Borrowed(msg);
    let Some(colon) = memchr::memmem::find(&msg[..msg.len().min(160)], b": ") else {
        return;
    };
    let target = &msg[..colon];
    let module = target.first().is_some_and(u8::is_ascii_lowercase)
        && (after_spans || memchr::memmem::find(target, b"::").is_some())
        && !target.ends_with(b":")
        && target
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b':');
    if module {
        ev.logger = Some(Cow::Borrowed(target));
        ev.message = Cow::Borrowed(&msg[colon + 2..]);
    }
}

/// Kafka's log4j layout (`[%d] %p %m (%c)%n`) names the logger after the message:
/// `Error in fetch (kafka.server.ReplicaFetcherThread)`. A class's full name in parentheses
/// at the end of the first line (two dots or more, the class capitalised) is the logger, and
/// no part of the message.
fn logger_after(ev: &mut Event<'_>) {
    let msg: &[u8] = &ev.message;
    let line_end = memchr::memchr(b'\n', msg).unwrap_or(msg.len());
    let line = msg[..line_end].trim_ascii_end();
    let Some(inner) = line.strip_suffix(b")") else {
        return;
    };
    let Some(open) = memchr::memrchr(b'(', inner) else {
        return;
    };
    let name = &inner[open + 1..];
    let class = name.rsplit(|&c| c == b'.').next().unwrap_or_default();
    let java = open > 0
        && inner[open - 1] == b' '
        && name.iter().filter(|&&c| c == b'.').count() >= 2
        && name.split(|&c| c == b'.').all(|p| {
            p.first().is_some_and(u8::is_ascii_alphabetic)
                && p.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$'))
        })
        && class.first().is_some_and(u8::is_ascii_uppercase);
    let text = inner[..open].trim_ascii_end();
    if !java || text.is_empty() {
        return;
    }
    let logger = name.to_vec();
    let mut m = text.to_vec();
    m.extend_from_slice(&msg[line_end..]);
    ev.logger = Some(Cow::Owned(logger));
    ev.message = Cow::Owned(m);
}

/// Where the spans `tracing` writes before an event's target end (after their `: `), when
/// the message starts with them: one or more `name{fields}` or `name` joined by `:`, at least
/// one with fields (`Error: text` is no span).
fn tracing_spans(msg: &[u8]) -> Option<usize> {
    let mut i = 0;
    let mut braced = false;
    loop {
        let (fields, next) = tracing_span(msg, i)?;
        braced |= fields.is_some();
        if msg.get(next - 1) == Some(&b' ') {
            return braced.then_some(next);
        }
        i = next;
    }
}

/// One span at `i` of a `tracing` span list: its fields (the text in its braces; None for a
/// span without) and the index after the `:` ending it, and after the space when that ends
/// the list.
fn tracing_span(msg: &[u8], i: usize) -> Option<(Option<&[u8]>, usize)> {
    let rest = msg.get(i..)?;
    if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    // A span's name: an identifier (tracing-actix-web's `HTTP request` has a space).
    let name = rest
        .iter()
        .take(64)
        .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b' '))
        .count();
    let (fields, after) = if rest.get(name) == Some(&b'{') {
        // The fields, to the brace that closes them (quoted values may hold braces).
        let mut j = name + 1;
        let mut depth = 1;
        while depth > 0 {
            match *rest.get(j)? {
                b'"' => j = logfmt::quoted(rest, j)?.2,
                b'{' => {
                    depth += 1;
                    j += 1;
                }
                b'}' => {
                    depth -= 1;
                    j += 1;
                }
                b'\n' => return None,
                _ => j += 1,
            }
        }
        (Some(&rest[name + 1..j - 1]), j)
    } else {
        if rest[..name].contains(&b' ') {
            return None;
        }
        (None, name)
    };
    if rest.get(after) != Some(&b':') {
        return None;
    }
    match rest.get(after + 1) {
        Some(b' ') => Some((fields, i + after + 2)),
        Some(c) if c.is_ascii_alphabetic() => Some((fields, i + after + 1)),
        _ => None,
    }
}

/// zap's caller: `api/handler.go:120`, `main.go:12`.
fn go_caller(c: &[u8]) -> bool {
    go_location(c) && !c.contains(&b' ')
}

/// `path/file.go:LINE`.
fn go_location(c: &[u8]) -> bool {
    let Some(colon) = memchr::memrchr(b':', c) else {
        return false;
    };
    let digits = &c[colon + 1..];
    c[..colon].ends_with(b".go") && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// A leading timestamp: (time, bytes used, the time again when it is a zoned RFC 3339 stamp,
/// as a container runtime or shipper writes before an app's line).
fn leading_stamp(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize, Option<i64>)> {
    if b.get(10) == Some(&b'T') {
        if let Some((t, n, zoned)) = iso_zoned(b, tc) {
            return Some((t, n, zoned.then_some(t)));
        }
    }
    parse_prefix(b, tc).map(|(t, n)| (t, n, None))
}

/// The first line of an event's text as one line of evidence: with the line after it when
/// the first is only a header whose message is on the next line (ASP.NET Core's console
/// logger, `info: Microsoft.AspNetCore.Hosting.Diagnostics[2]`; java.util.logging's
/// `Mar 05, 2024 10:00:08 AM com.example.Class method`), as `header message`.
pub fn evidence_line(text: &str) -> Cow<'_, str> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    let header_only = || {
        let b = first.as_bytes();
        let mut words = b.rsplitn(3, |&c| c == b' ');
        let (last, level) = (words.next(), words.next());
        let aspnet = matches!((level, last), (Some(l), Some(c))
            if matches!(l, b"trce:" | b"dbug:" | b"info:" | b"warn:" | b"fail:" | b"crit:")
                && aspnet_category(c).is_some());
        // The JUL header after a `file:line: ` location or alone.
        let jul = || {
            let at = memchr::memmem::find(b, b": ").map_or(0, |i| i + 2);
            jul_first_line(&b[at..]).is_some() || jul_first_line(b).is_some()
        };
        aspnet || jul()
    };
    match lines.next() {
        Some(next) if !next.trim().is_empty() && header_only() => {
            Cow::Owned(format!("{first} {}", next.trim_start()))
        }
        _ => Cow::Borrowed(first),
    }
}

/// The category of ASP.NET Core's console logger line `fail: Microsoft.AspNetCore.Server.
/// Kestrel[13]` after its level (`rest`): the name before the event id.
fn aspnet_category(rest: &[u8]) -> Option<&[u8]> {
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    let inner = rest.strip_suffix(b"]")?;
    let open = memchr::memrchr(b'[', inner)?;
    let (name, id) = (&inner[..open], &inner[open + 1..]);
    let ok = name.first().is_some_and(u8::is_ascii_alphabetic)
        && !id.is_empty()
        && id.iter().all(u8::is_ascii_digit)
        && name
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'`' | b'+'));
    ok.then_some(name)
}

/// The first line of a Rails exception report: `ActiveRecord::RecordNotFound (Couldn't find
/// Post with 'id'=9):`, the class and the message in parentheses (as the stack signature
/// reads Ruby's exception lines).
fn rails_report_head(msg: &[u8]) -> bool {
    let line = &msg[..memchr::memchr(b'\n', msg).unwrap_or(msg.len())];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.ends_with(b"):") && crate::mine::ruby_exception(line).is_some()
}

/// Rails' two request lines (ActionPack's log subscriber): `Started GET "/orders/42" for
/// 10.0.0.7 at 2024-03-05 10:00:00 +0000` (method and path) and `Completed 500 Internal
/// Server Error in 5004ms (ActiveRecord: 0.0ms | Allocations: 912)` (status and duration).
/// The endpoint table pairs them by their request-id tag. Phoenix's alike (Plug.Logger, with
/// Elixir's `request_id` metadata): `GET /orders/42`, then `Sent 500 in 2003ms`.
fn rails_request<'a>(msg: &'a [u8], ev: &mut Event<'a>) {
    if let Some(rest) = msg.strip_prefix(b"Started ") {
        let Some(sp) = memchr::memchr(b' ', rest) else {
            return;
        };
        let method = &rest[..sp];
        let Some(quoted) = rest[sp + 1..].strip_prefix(b"\"") else {
            return;
        };
        let Some(close) = memchr::memchr(b'"', quoted) else {
            return;
        };
        let path = &quoted[..close];
        let method_ok = method.len() >= 3 && method.iter().all(u8::is_ascii_uppercase);
        if method_ok
            && quoted[close + 1..].starts_with(b" for ")
            && (path.starts_with(b"/") || path.starts_with(b"http"))
        {
            ev.http.method = Some(Cow::Borrowed(method));
            ev.http.path = Some(Cow::Borrowed(path));
            // Rails 8's default logger writes no level.
            ev.level = ev.level.or(Some(Level::Info));
        }
    } else if let Some(rest) = msg.strip_prefix(b"Sent ") {
        // Phoenix (Plug.Logger): `Sent 500 in 2003ms` / `in 512µs`, after `GET /path`.
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        let Some((code, took)) = line.split_at_checked(3) else {
            return;
        };
        let Some(took) = took.strip_prefix(b" in ") else {
            return;
        };
        let Some(status) = super::access::status_code(code).filter(|s| (100..=599).contains(s))
        else {
            return;
        };
        let ms = if let Some(us) = took
            .strip_suffix("µs".as_bytes())
            .or_else(|| took.strip_suffix(b"us"))
        {
            super::access::parse_f64(us).map(|v| v / 1000.0)
        } else {
            took.strip_suffix(b"ms").and_then(super::access::parse_f64)
        };
        if let Some(ms) = ms {
            request_done(ev, status, ms);
        }
    } else if let Some(rest) = msg.strip_prefix(b"Completed ") {
        let Some(status) = rest
            .get(..4)
            .filter(|s| s[3] == b' ')
            .and_then(|s| super::access::status_code(&s[..3]))
            .filter(|s| (100..=599).contains(s))
        else {
            return;
        };
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        let Some(at) = memchr::memmem::find(line, b" in ") else {
            return;
        };
        let took = &line[at + 4..];
        let took = &took[..token_end(took, 0)];
        if let Some(ms) = took.strip_suffix(b"ms").and_then(super::access::parse_f64) {
            request_done(ev, status, ms);
        }
    } else if ev.trace_id.is_some() && memchr::memchr(b'\n', msg).is_none() {
        // Phoenix's request line: `GET /orders/42`, nothing after it.
        let Some(sp) = memchr::memchr(b' ', msg) else {
            return;
        };
        let (method, path) = (&msg[..sp], &msg[sp + 1..]);
        let path = path.strip_suffix(b"\r").unwrap_or(path);
        if super::access::is_method(method) && path.starts_with(b"/") && !path.contains(&b' ') {
            ev.http.method = Some(Cow::Borrowed(method));
            ev.http.path = Some(Cow::Borrowed(path));
        }
    }
}

/// The completion half of a two-part request: its status and duration, and without a level
/// of its own, the status's, as an access line's.
fn request_done(ev: &mut Event<'_>, status: u16, ms: f64) {
    ev.http.status = Some(status);
    ev.http.latency_ms = Some(ms);
    ev.level = ev.level.or(Some(super::level::from_http_status(status)));
}

/// A multi-line message whose first line is blank (a Rails exception report starts with
/// one) reads from its first line with text: how many lines, and bytes, come before it.
fn blank_head(msg: &[u8]) -> Option<(usize, usize)> {
    let first_end = memchr::memchr(b'\n', msg).unwrap_or(msg.len());
    if !blank(&msg[..first_end]) {
        return None;
    }
    let (mut start, mut skipped) = (0, 0);
    for line in msg.split(|&c| c == b'\n') {
        if !blank(line) {
            break;
        }
        start += line.len() + 1;
        skipped += 1;
    }
    (start < msg.len()).then_some((skipped, start))
}

/// Leaves the first `lines` lines of the event's message (`at` bytes) out of it, and shows
/// the event from the raw line after them ([`Event::shown`]; each message line is one raw
/// line). Nothing changes when no line would be left.
fn skip_head(ev: &mut Event<'_>, lines: usize, at: usize) -> bool {
    let bytes: usize = ev
        .raw
        .split(|&c| c == b'\n')
        .take(lines)
        .map(|l| l.len() + 1)
        .sum();
    if lines == 0 || bytes >= ev.raw.len() || at >= ev.message.len() {
        return false;
    }
    match &mut ev.message {
        Cow::Borrowed(b) => *b = &b[at..],
        Cow::Owned(v) => {
            v.drain(..at);
        }
    }
    ev.blank_head = (
        u32::try_from(lines).unwrap_or(0),
        u32::try_from(bytes).unwrap_or(0),
    );
    true
}

/// A request line quoted in an app's message with its status after it, as Python WSGI
/// servers and others log requests: `"GET /a HTTP/1.1" 200 1234` (Werkzeug, Django,
/// gunicorn), `"GET /a HTTP/1.1" status: 200 len: 1893 time: 0.2477829` (OpenStack's
/// eventlet, `time` in seconds), `"GET /a HTTP/1.1" 200 OK` (uvicorn). Gives method, path
/// and status, and the latency when it is labelled `time:`. A quoted request line without a
/// status after it is not a request the line reports.
fn embedded_request<'a>(msg: &'a [u8], ev: &mut Event<'a>) {
    static PROTO: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    let proto = PROTO.get_or_init(|| memchr::memmem::Finder::new(b" HTTP/"));
    let Some(p) = proto.find(msg) else {
        return;
    };
    let (Some(open), Some(close)) = (
        memchr::memrchr(b'"', &msg[..p]),
        memchr::memchr(b'"', &msg[p..]).map(|c| p + c),
    ) else {
        return;
    };
    let Some((method, path)) = super::access::request_parts(&msg[open + 1..close]) else {
        return;
    };
    if !(path.starts_with(b"/") || path.starts_with(b"http")) {
        return;
    }
    let rest = &msg[close + 1..];
    let rest = &rest[skip_spaces(rest, 0)..];
    let rest = rest
        .strip_prefix(b"status: ")
        .or_else(|| rest.strip_prefix(b"status="))
        .unwrap_or(rest);
    let status = super::access::status_code(&rest[..token_end(rest, 0)]);
    let Some(status) = status.filter(|s| (100..=599).contains(s)) else {
        return;
    };
    ev.http.method = Some(Cow::Borrowed(method));
    ev.http.path = Some(Cow::Borrowed(path));
    ev.http.status = Some(status);
    // Without a level of its own (Django's runserver, Werkzeug), the status's, as an access
    // line's: a 500 is an error.
    ev.level = ev.level.or(Some(super::level::from_http_status(status)));
    if let Some(t) = memchr::memmem::find(rest, b" time: ") {
        let v = &rest[t + 7..];
        if let Some(s) = super::access::parse_f64(&v[..token_end(v, 0)]) {
            ev.http.latency_ms = Some(s * 1000.0);
        }
    }
}

/// ASP.NET Core's request log (`Microsoft.AspNetCore.Hosting.Diagnostics[2]`): `Request
/// finished HTTP/1.1 GET http://host/api/orders/42 - 500 0 - 12.3456ms` (protocol, method,
/// URL, `-`, status, length, content type, duration).
fn aspnet_request<'a>(msg: &'a [u8], ev: &mut Event<'a>) {
    if let Some(Finished(method, url, status, ms)) = aspnet_finished(msg) {
        ev.http.method = Some(Cow::Borrowed(method));
        ev.http.path = Some(Cow::Borrowed(url));
        ev.http.status = Some(status);
        ev.http.latency_ms = ms;
    }
}

/// An ASP.NET Core `Request finished` line: method, URL, status and duration.
struct Finished<'a>(&'a [u8], &'a [u8], u16, Option<f64>);

/// [`aspnet_request`]'s reading.
fn aspnet_finished(msg: &[u8]) -> Option<Finished<'_>> {
    // Only the hosting layer's own message (with its category before it, as the console
    // logger writes it): a prefix test, not a search through every event.
    const CATEGORY: &[u8] = b"Microsoft.AspNetCore.Hosting.Diagnostics[";
    const FINISHED: &[u8] = b"Request finished HTTP/";
    let at = if msg.starts_with(FINISHED) {
        0
    } else if msg.starts_with(CATEGORY) {
        memchr::memmem::find(msg, FINISHED)?
    } else {
        return None;
    };
    let rest = &msg[at + b"Request finished ".len()..];
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut tokens = line.split(|&c| c == b' ').filter(|t| !t.is_empty());
    let (Some(_proto), Some(method), Some(url), Some(b"-"), Some(status)) = (
        tokens.next(),
        tokens.next(),
        tokens.next(),
        tokens.next(),
        tokens.next(),
    ) else {
        return None;
    };
    let method_ok = method.len() >= 3 && method.iter().all(u8::is_ascii_uppercase);
    let status = super::access::status_code(status).filter(|s| (100..=599).contains(s))?;
    if !method_ok || !(url.starts_with(b"http") || url.starts_with(b"/")) {
        return None;
    }
    let last = line.rsplit(|&c| c == b' ').next().unwrap_or_default();
    let ms = last.strip_suffix(b"ms").and_then(super::access::parse_f64);
    Some(Finished(method, url, status, ms))
}

/// The level a PHP error log line names after its stamp: `PHP Fatal error:  ...`, `PHP
/// Warning:  ...`, `PHP Notice:  ...`, `PHP Deprecated:  ...`, `PHP Parse error:  ...`.
fn php_level(msg: &[u8]) -> Option<Level> {
    let rest = msg.strip_prefix(b"PHP ")?;
    let kind = &rest[..memchr::memchr(b':', &rest[..rest.len().min(40)])?];
    let has = |w: &[u8]| kind.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    Some(if kind.starts_with(b"Fatal") {
        Level::Fatal
    } else if has(b"error") {
        Level::Error
    } else if has(b"warning") {
        Level::Warn
    } else if has(b"notice") || has(b"deprecated") || has(b"strict") {
        Level::Info
    } else {
        return None;
    })
}

/// PostgreSQL's report lines after an error (`... [4321] DETAIL:  Key (id)=(5) already
/// exists.`, also `HINT`, `STATEMENT`, `CONTEXT`, `QUERY`, `LOCATION`): where the part after the
/// `log_line_prefix` starts, if `line` is one.
fn pg_part(line: &[u8]) -> Option<usize> {
    let (ws, k) = pg_word(line)?;
    pg_report_word(&line[ws..k]).then_some(ws)
}

/// The word before the first `:  ` in the first 256 bytes of `line` (PostgreSQL puts two
/// spaces after its level and report words), after a space or a colon: its start and end.
fn pg_word(line: &[u8]) -> Option<(usize, usize)> {
    let head = &line[..line.len().min(256)];
    // The first `:  ` (PostgreSQL puts two spaces after the level).
    let mut from = 0;
    let k = loop {
        let k = from + memchr::memchr(b':', &head[from..])?;
        if head.get(k + 1..k + 3) == Some(b"  ") {
            break k;
        }
        from = k + 1;
    };
    // After a space (`%m [%p] `) or a colon (`%t:%r:%u@%d:[%p]:`).
    let ws = head[..k]
        .iter()
        .rposition(|&c| c == b' ' || c == b':')
        .map_or(0, |i| i + 1);
    Some((ws, k))
}

/// A PostgreSQL level word: `LOG`, `DEBUG1` … `DEBUG5`, `ERROR`, `FATAL`, `PANIC`…
fn pg_level(name: &[u8]) -> Option<Level> {
    match name {
        b"LOG" => Some(Level::Info),
        _ if name.starts_with(b"DEBUG") => Some(Level::Debug),
        _ => from_upper_word(name),
    }
}

/// The rest of a PostgreSQL `log_line_prefix` of `%t:%r:%u@%d:[%p]:` (Amazon RDS's, and a
/// common setting) from the colon after its stamp at `at`: `:10.0.1.23(52344):app@orders:
/// [4321]:ERROR:  msg`, also with `[local]` for the client and an empty user and database
/// (`::@:[4321]:LOG:  msg`). Returns the level and where the message starts: after
/// `LEVEL:  `, or at `DETAIL:` (and the other report words, which are no level) so that
/// a report line that stands alone still says what it is.
fn pg_colon_prefix(b: &[u8], at: usize) -> Option<(Option<Level>, usize)> {
    let head = &b[at..b.len().min(at + 256)];
    if head.first() != Some(&b':') {
        return None;
    }
    // The `:[pid]:` column: the first `]:` closing a bracket of digits after a colon.
    let mut from = 0;
    let word = loop {
        let close = from + memchr::memmem::find(&head[from..], b"]:")?;
        let open = memchr::memrchr(b'[', &head[..close])?;
        let pid = &head[open + 1..close];
        if open > 0
            && head[open - 1] == b':'
            && !pid.is_empty()
            && pid.iter().all(u8::is_ascii_digit)
        {
            break close + 2;
        }
        from = close + 2;
    };
    // The client, user and database columns hold no spaces.
    if head[..word].contains(&b' ') {
        return None;
    }
    let len = head[word..]
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .count();
    let end = word + len;
    if len == 0 || head.get(end..end + 3) != Some(b":  ") {
        return None;
    }
    let name = &head[word..end];
    if pg_report_word(name) {
        return Some((None, at + word));
    }
    match pg_level(name) {
        Some(level) => Some((Some(level), at + end + 3)),
        None => Some((None, at + word)),
    }
}

/// The words of PostgreSQL's report lines after an error's first line.
fn pg_report_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"DETAIL" | b"HINT" | b"STATEMENT" | b"CONTEXT" | b"QUERY" | b"LOCATION"
    )
}

/// A PostgreSQL report line that continues the message before it: PostgreSQL writes the
/// same prefix (time and pid) before every line of one report, so a `DETAIL:` line whose
/// prefix is its predecessor's joins it. Only lines that share the predecessor's first 23
/// bytes (its stamp to the millisecond, or to the second and a zone) are looked at further.
#[inline]
fn pg_continuation(prev: &[u8], line: &[u8]) -> bool {
    if line.len() < 24 || prev.len() < 24 || !line[0].is_ascii_digit() || prev[..23] != line[..23] {
        return false;
    }
    pg_part(line).is_some_and(|ws| prev.starts_with(&line[..ws]))
}

/// Whether `line` continues the PostgreSQL report whose lines end with the one starting at
/// `prev_start` of `before` (`before` ends where that line ends): its prefix is that of the
/// last line before it that is not a tab-indented continuation. PostgreSQL indents the
/// further lines of a multi-line message with a tab (a statement's SQL, a deadlock's
/// processes), and the report's next `HINT:` or `CONTEXT:` line still belongs to it.
///
/// A function of the lines before `line` back to that report line, all of which join: the
/// chunker, looking back from any cut, and the parser, going forward through an event, see
/// the same lines.
pub fn pg_joins(before: &[u8], prev_start: usize, line: &[u8]) -> bool {
    // Nearly every line: the one before is no tab-indented continuation, and the cheap
    // prefix comparison comes first (this runs for every line of a plain log).
    if before.get(prev_start) != Some(&b'\t') {
        return pg_continuation(&before[prev_start..], line);
    }
    if line.len() < 24 || !line[0].is_ascii_digit() || pg_part(line).is_none() {
        return false;
    }
    let (mut start, mut end) = (prev_start, before.len());
    while start > 0 && before.get(start) == Some(&b'\t') {
        end = start - 1;
        start = memchr::memrchr(b'\n', &before[..end]).map_or(0, |i| i + 1);
    }
    pg_continuation(&before[start..end], line)
}

/// The part of a joined PostgreSQL report line after its prefix (`DETAIL:  ...`).
fn pg_body(line: &[u8]) -> Option<&[u8]> {
    pg_part(line).map(|ws| &line[ws..])
}

/// java.util.logging's level line, the second line of each `SimpleFormatter` record
/// (`SEVERE: msg`): its level and where the message starts.
fn jul_level(line: &[u8]) -> Option<(Level, usize)> {
    const LEVELS: [(&[u8], Level); 7] = [
        (b"SEVERE: ", Level::Error),
        (b"WARNING: ", Level::Warn),
        (b"INFO: ", Level::Info),
        (b"CONFIG: ", Level::Info),
        (b"FINE: ", Level::Debug),
        (b"FINER: ", Level::Trace),
        (b"FINEST: ", Level::Trace),
    ];
    if !matches!(line.first(), Some(b'S' | b'W' | b'I' | b'C' | b'F')) {
        return None;
    }
    LEVELS
        .iter()
        .find(|(w, _)| line.starts_with(w))
        .map(|&(w, l)| (l, w.len()))
}

/// The shape of a `SimpleFormatter` record's first line, `Mar 05, 2024 10:00:08 AM
/// com.example.Class method`: where the class starts. Checked by shape only (the
/// continuation rule asks it without a time context; the parser reads the stamp).
fn jul_first_line(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    super::time::month_abbr(line)?;
    if line.get(3) != Some(&b' ') {
        return None;
    }
    let head = &line[..line.len().min(32)];
    let ampm = head.windows(4).position(|w| w == b" AM " || w == b" PM ")?;
    let comma = head.windows(2).position(|w| w == b", ")?;
    let class = ampm + 4;
    // The class and the method: two tokens, nothing after them.
    let rest = &line[class..];
    (comma < ampm && (5..=6).contains(&comma) && rest.split(|&c| c == b' ').count() == 2)
        .then_some(class)
}

/// Whether `line` is the level line of the `SimpleFormatter` record that `prev` starts.
#[inline]
pub fn jul_continuation(prev: &[u8], line: &[u8]) -> bool {
    jul_level(line).is_some() && jul_first_line(prev).is_some()
}

/// A `SimpleFormatter` record (Tomcat's older `catalina.out`, any java.util.logging app):
/// time from its first line, `class method` as the logger, level and message from the
/// second line on (a stack trace after it stays in the message).
fn jul<'a>(first: &'a [u8], raw: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> bool {
    let Some(class) = jul_first_line(first) else {
        return false;
    };
    let Some(nl) = memchr::memchr(b'\n', &raw[first.len()..]) else {
        return false;
    };
    let second = first.len() + nl + 1;
    let Some((level, off)) = jul_level(&raw[second..]) else {
        return false;
    };
    let Some((time, _)) = parse_prefix(first, tc) else {
        return false;
    };
    ev.time = Some(time);
    ev.level = Some(level);
    ev.logger = Some(Cow::Borrowed(&first[class..]));
    ev.message = Cow::Borrowed(&raw[second + off..]);
    true
}

/// Drops the blank lines a joined message ends with (a blank record behind a container's
/// prefix after a stack, as the same lines without prefixes leave none).
fn trim_blank_end(msg: &mut Vec<u8>) {
    while msg.last() == Some(&b'\n') {
        msg.pop();
    }
}

/// Appends the container's lines of the CRI records in `rest` (which starts with the `\n`
/// after the previous record) to `msg`: a newline between lines, none after a `P` record.
fn cri_append(rest: &[u8], mut whole: bool, msg: &mut Vec<u8>) {
    for line in rest.split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if whole {
            msg.push(b'\n');
        }
        let (partial, body) = cri_split(line).unwrap_or((false, line));
        msg.extend_from_slice(body);
        whole = !partial;
    }
}

/// The container's own text of a CRI event (`raw`, records each behind the runtime's
/// `stamp stream F|P ` prefix): the app's lines as `kubectl logs` shows them, split lines
/// whole again. `None` when `raw` is not a CRI record.
pub fn cri_text(raw: &[u8]) -> Option<Vec<u8>> {
    let (first, rest) = super::first_record(raw);
    let (partial, body) = cri_split(first)?;
    let mut text = body.to_vec();
    if !rest.is_empty() {
        cri_append(rest, !partial, &mut text);
    }
    Some(text)
}

/// A CRI event whose first record is a `P` part: the app's line is only known once its parts
/// are joined, so its header is read from the joined line (owned), with the record's
/// timestamp as the fallback time.
fn cri_rejoined<'a>(first: &'a [u8], raw: &'a [u8], ev: &mut Event<'a>, ctx: &Ctx) -> bool {
    let Some((body, stamp)) = cri_body(first).zip(parse_prefix(first, &ctx.time)) else {
        return false;
    };
    let mut msg = body.to_vec();
    cri_append(&raw[first.len()..], false, &mut msg);
    ev.time = Some(stamp.0);
    json::parse_owned_body(msg, ev, ctx);
    if let Some(t) = ev.time {
        ev.time = Some(zone_corrected(t, stamp.0));
    }
    true
}

/// `HH:MM:SS[.fff]` followed by a space: the end of the clock.
fn time_of_day(b: &[u8]) -> Option<usize> {
    let ok = b.len() > 8
        && b[2] == b':'
        && b[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit());
    if !ok {
        return None;
    }
    let mut i = 8;
    if matches!(b[i], b'.' | b',') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    (b.get(i) == Some(&b' ')).then_some(i)
}

/// Where a run of `key=value` metadata columns at `p` ends, when a bracket follows it
/// (Elixir's `request_id=F… user_id=7 [info]`).
fn meta_run(b: &[u8], p: usize) -> Option<usize> {
    let mut e = token_end(b, p);
    if !logfmt::bare_pair(&b[p..e]) {
        return None;
    }
    for _ in 0..16 {
        if b[e..].starts_with(b" [") {
            return Some(e);
        }
        let next = e + 1;
        let end = token_end(b, next);
        if b.get(e) != Some(&b' ') || !logfmt::bare_pair(&b[next..end]) {
            return None;
        }
        e = end;
    }
    None
}

/// Go's `time.Kitchen`, `3:04PM` then a space, as zerolog's console writer prints the time:
/// (hour of the day, minute, where it ends).
fn kitchen(b: &[u8]) -> Option<(u32, u32, usize)> {
    let colon = memchr::memchr(b':', &b[..b.len().min(3)])?;
    let hour = b[..colon].iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })?;
    let min = b.get(colon + 1..colon + 3)?;
    if colon == 0 || !(1..=12).contains(&hour) || !min.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let min = u32::from(min[0] - b'0') * 10 + u32::from(min[1] - b'0');
    let pm = match b.get(colon + 3..colon + 5)? {
        b"AM" => false,
        b"PM" => true,
        _ => return None,
    };
    if min > 59 || b.get(colon + 5) != Some(&b' ') {
        return None;
    }
    Some((hour % 12 + if pm { 12 } else { 0 }, min, colon + 5))
}

/// `1234#1234:` (pid#tid of an Nginx error log line).
fn nginx_pid(tok: &[u8]) -> bool {
    let Some(t) = tok.strip_suffix(b":") else {
        return false;
    };
    match memchr::memchr(b'#', t) {
        Some(i) => {
            i > 0
                && i + 1 < t.len()
                && t[..i].iter().all(u8::is_ascii_digit)
                && t[i + 1..].iter().all(u8::is_ascii_digit)
        }
        None => false,
    }
}

/// The `key: "value"` pairs at the end of an Nginx error line: `request: "GET /a HTTP/1.1"`
/// gives method and path, `upstream: "http://10.0.0.1:8080/a"` the upstream host.
fn nginx_tail<'a>(line: &'a [u8], ev: &mut Event<'a>) {
    let quoted_after = |key: &[u8]| -> Option<&'a [u8]> {
        let i = memchr::memmem::find(line, key)? + key.len();
        let n = memchr::memchr(b'"', &line[i..])?;
        Some(&line[i..i + n])
    };
    if let Some(req) = quoted_after(b", request: \"") {
        super::access::set_request(req, ev);
    }
    if let Some(up) = quoted_after(b", upstream: \"") {
        let host = super::keys::url_host(up);
        if !host.is_empty() {
            ev.http.upstream = Some(Cow::Borrowed(host));
        }
    }
}

/// Python's default `logging.basicConfig` layout: `ERROR:name.sub:message`.
fn python_basic(b: &[u8]) -> Option<Header<'_>> {
    // Level names are short: only look for the colon among the first bytes.
    let c1 = b.iter().take(10).position(|&c| c == b':')?;
    let level = from_upper_word(&b[..c1])?;
    let rest = &b[c1 + 1..];
    let c2 = memchr::memchr(b':', rest)?;
    let name = &rest[..c2];
    if name.is_empty() || name.contains(&b' ') {
        return None;
    }
    Some(Header {
        time: None,
        level: Some(level),
        logger: Some(name),
        msg: c1 + 1 + c2 + 1,
        ..Header::default()
    })
}

/// logrus's text formatter on a terminal (or with `ForceColors`): `ERRO[0012] msg`, the
/// seconds since the program started (no time), or `INFO[2026-11-30T10:00:03Z] msg` with
/// `FullTimestamp`; the fields after the padded message are read by [`kv_tail`].
fn logrus_text<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    const LEVELS: [(&[u8; 4], Level); 7] = [
        (b"TRAC", Level::Trace),
        (b"DEBU", Level::Debug),
        (b"INFO", Level::Info),
        (b"WARN", Level::Warn),
        (b"ERRO", Level::Error),
        (b"FATA", Level::Fatal),
        (b"PANI", Level::Fatal),
    ];
    if b.get(4) != Some(&b'[') {
        return None;
    }
    let level = LEVELS.iter().find(|(w, _)| b.starts_with(*w))?.1;
    let close = 5 + memchr::memchr(b']', &b[5..b.len().min(48)])?;
    let inner = &b[5..close];
    let time = if !inner.is_empty() && inner.iter().all(u8::is_ascii_digit) {
        None
    } else {
        match parse_prefix(inner, tc) {
            Some((t, n)) if n == inner.len() => Some(t),
            _ => return None,
        }
    };
    Some(Header {
        time,
        level: Some(level),
        logger: None,
        msg: skip_spaces(b, close + 1),
        ..Header::default()
    })
}

fn header<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    let c0 = *b.first()?;
    if c0 == b'[' {
        if let Some(h) = nest(b, tc) {
            return Some(h);
        }
    }
    if c0.is_ascii_uppercase() {
        if let Some(h) = rails(b, tc).or_else(|| glog(b, tc)) {
            return Some(h);
        }
        // A ctime stamp (`Sun Dec 04 04:47:44 2005 ERROR ...`) has no host after it.
        let ctime = super::time::is_weekday(b) && b.get(3) == Some(&b' ');
        if let Some(s) = syslog::rfc3164(b, tc, false).filter(|_| !ctime) {
            return Some(Header {
                time: s.time,
                level: b.get(s.msg..).and_then(syslog::leading_level),
                logger: s.program,
                msg: s.msg,
                ..Header::default()
            });
        }
    }
    generic(b, tc)
        .or_else(|| redis(b, tc))
        .or_else(|| leading_columns(b, tc))
}

/// NestJS's `ConsoleLogger`: `[Nest] 12345  - 11/30/2026, 10:00:05 PM   ERROR [ExceptionsHandler]
/// msg +5ms`: the app's name, its pid, the date as the locale writes it (see
/// [`super::time::js_locale`]), the level padded to seven columns, the context (the logger).
fn nest<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    let at = nest_prefix(b)?;
    let (time, n) = super::time::js_locale(&b[at..], tc)?;
    let l = skip_spaces(b, at + n);
    let e = token_end(b, l);
    let level = match &b[l..e] {
        b"LOG" => Level::Info,
        b"ERROR" => Level::Error,
        b"WARN" => Level::Warn,
        b"DEBUG" => Level::Debug,
        b"VERBOSE" => Level::Trace,
        b"FATAL" => Level::Fatal,
        _ => return None,
    };
    let mut msg = (e + 1).min(b.len());
    let mut logger = None;
    if b.get(msg) == Some(&b'[') {
        if let Some(c) = memchr::memchr(b']', &b[msg..]) {
            logger = Some(&b[msg + 1..msg + c]);
            msg = (msg + c + 2).min(b.len());
        }
    }
    Some(Header {
        time: Some(time),
        level: Some(level),
        logger,
        msg,
        since_last: true,
        ..Header::default()
    })
}

/// NestJS's `[Nest] 12345  - ` before its date (see [`nest`]): where the date starts.
fn nest_prefix(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'[') {
        return None;
    }
    let close = memchr::memchr(b']', &b[..b.len().min(40)])?;
    let name = &b[1..close];
    if name.is_empty() || name.contains(&b' ') || b.get(close + 1) != Some(&b' ') {
        return None;
    }
    let pid = b[close + 2..]
        .iter()
        .take(12)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let at = skip_spaces(b, close + 2 + pid);
    (pid > 0 && b.get(at..at + 2) == Some(b"- ")).then_some(at + 2)
}

/// Whether `b` starts as a NestJS logger line, `[Nest] 12345  - 1…`.
fn nest_shape(b: &[u8]) -> bool {
    nest_prefix(b).is_some_and(|at| b.get(at).is_some_and(u8::is_ascii_digit))
}

/// `msg` without NestJS's ` +5ms` at the end of its first line.
fn without_since_last(msg: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let end = memchr::memchr(b'\n', &msg).unwrap_or(msg.len());
    let first = msg[..end].strip_suffix(b"\r").unwrap_or(&msg[..end]);
    let Some(n) = first
        .strip_suffix(b"ms")
        .map(|f| f.iter().rev().take_while(|c| c.is_ascii_digit()).count() + 2)
    else {
        return msg;
    };
    let at = first.len() - n;
    if n == 2 || !first[..at].ends_with(b" +") {
        return msg;
    }
    let cut = at - 2..first.len();
    match msg {
        Cow::Borrowed(m) if cut.end == m.len() => Cow::Borrowed(&m[..cut.start]),
        m => {
            let mut out = m[..cut.start].to_vec();
            out.extend_from_slice(&m[cut.end..]);
            Cow::Owned(out)
        }
    }
}

/// Redis: `pid:role DD Mon YYYY HH:MM:SS.mmm <level> message`, the role one of `X C S M`
/// (sentinel, child, replica, master) and the level one character: `.` debug, `-` verbose,
/// `*` notice, `#` warning.
fn redis<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    let pid = b.iter().take(10).take_while(|c| c.is_ascii_digit()).count();
    if b.get(pid) != Some(&b':')
        || !matches!(b.get(pid + 1), Some(b'X' | b'C' | b'S' | b'M'))
        || b.get(pid + 2) != Some(&b' ')
    {
        return None;
    }
    let at = pid + 3;
    let (time, n) = parse_prefix(&b[at..], tc)?;
    let e = at + n;
    if b.get(e) != Some(&b' ') || b.get(e + 2).is_some_and(|&c| c != b' ') {
        return None;
    }
    let level = match b.get(e + 1)? {
        b'#' => Level::Warn,
        b'*' => Level::Info,
        b'-' | b'.' => Level::Debug,
        _ => return None,
    };
    Some(Header {
        time: Some(time),
        level: Some(level),
        logger: None,
        msg: (e + 3).min(b.len()),
        ..Header::default()
    })
}

/// After a timestamp ending at `n`, the rest of a Kubernetes CRI prefix
/// (`2024-01-01T10:00:00.123456789Z stdout F `): the offset of the app's line.
fn cri_after(b: &[u8], n: usize) -> Option<usize> {
    cri_tag(b.get(n..)?).then_some(n + 10)
}

/// Whether `rest` starts with a CRI stream and tag (` stdout F `, ` stderr P `: 10 bytes).
fn cri_tag(rest: &[u8]) -> bool {
    rest.len() >= 10
        && (rest.starts_with(b" stdout ") || rest.starts_with(b" stderr "))
        && matches!(&rest[8..10], b"F " | b"P ")
}

/// The container's own line inside a Kubernetes CRI log record
/// (`2024-01-01T10:00:00.123456789Z stdout F <line>`), if `line` is one. Cheaper than a
/// header parse: the continuation rule asks this of every line.
#[inline]
pub fn cri_body(line: &[u8]) -> Option<&[u8]> {
    cri_split(line).map(|(_, body)| body)
}

/// Whether `line` is a CRI record holding the first part of a long line (tag `P`: the
/// runtime splits lines over 16 KiB): the next record continues it.
pub fn cri_partial(line: &[u8]) -> bool {
    cri_split(line).is_some_and(|(partial, _)| partial)
}

/// Finds the app's line behind a prefix that every line of a stream carries.
type LinePrefix = fn(&[u8]) -> Option<&[u8]>;

/// The line behind a bare RFC 3339 stamp and one space (`2026-11-27T10:00:00.123456789Z `,
/// as `kubectl logs --timestamps` and log shippers put before every line), if `line` starts
/// with one, also behind a pod prefix (`kubectl logs --prefix --timestamps`, `stern
/// --timestamps`).
pub fn stamp_body(line: &[u8]) -> Option<&[u8]> {
    let line = kubectl_body(line)
        .or_else(|| stern_body(line))
        .unwrap_or(line);
    let digits = |r: std::ops::Range<usize>| {
        line.get(r)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let stamp = line.len() > 21
        && digits(0..4)
        && line[4] == b'-'
        && line[10] == b'T'
        && digits(11..13)
        && line[13] == b':';
    if !stamp {
        return None;
    }
    let sp = memchr::memchr(b' ', &line[..line.len().min(40)])?;
    let end = line[sp - 1];
    (end == b'Z' || end.is_ascii_digit()).then(|| &line[sp + 1..])
}

/// Whether `body` starts with a level padded to five columns (` INFO `, ` WARN `, as Rust's
/// `tracing` writes them after its stamp): a header, not an indented continuation.
fn padded_level(body: &[u8]) -> bool {
    let word = body.trim_ascii_start();
    let Some(sp) = memchr::memchr(b' ', &word[..word.len().min(8)]) else {
        return false;
    };
    body.len() - word.len() <= 2 && from_upper_word(&word[..sp]).is_some()
}

/// Whether `body` starts with a date of its own (`2026-11-27 ...`, `2026/11/27 ...`): the
/// app's header behind a shipper's stamp.
#[inline]
fn dated(body: &[u8]) -> bool {
    body.len() > 10
        && body[..4].iter().all(u8::is_ascii_digit)
        && matches!(body[4], b'-' | b'/')
        && body[5..7].iter().all(u8::is_ascii_digit)
        // (A Lambda's log stream, `2026/11/30/[$LATEST]…`, is no stamp.)
        && body[10] != b'/'
}

/// A program's own dated log line as a syslog message (an app under systemd writing its
/// logback or Nginx lines to stdout, read back with `journalctl`; a Ruby Logger line as
/// Heroku's `app[web.1]: E, [stamp #4] ERROR -- : …`): its header's level and
/// logger, and what its message says (an Nginx error's request and upstream), rather than a
/// level guessed from words in it. The time is the app's (for its milliseconds) when it is
/// within a minute of the syslog record's, after moving it by a zone's offset if it differs
/// by one; else the record's.
pub fn parse_embedded<'a>(ev: &mut Event<'a>, ctx: &Ctx) {
    let Cow::Borrowed(msg) = ev.message else {
        return;
    };
    if ev.level.is_some() || !ev.http.is_empty() || !(dated(msg) || rails_shape(msg)) {
        return;
    }
    let first = &msg[..memchr::memchr(b'\n', msg).unwrap_or(msg.len())];
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    let mut inner = Event::bare(ev.line, ev.raw);
    if !parse(first, msg, &mut inner, ctx) || inner.level.is_none() {
        return;
    }
    inner.time = match (inner.time, ev.time) {
        (Some(app), Some(outer)) => {
            let app = zone_corrected(app, outer);
            Some(if (app - outer).abs() <= 60_000 {
                app
            } else {
                outer
            })
        }
        (app, outer) => outer.or(app),
    };
    inner.logger = inner.logger.or(ev.logger.take());
    inner.lines = ev.lines;
    inner.invalid_utf8 = ev.invalid_utf8;
    *ev = inner;
}

/// Node.js prints an error as `Error: message` and its `    at …` frames; after a stamped line
/// (winston's `${timestamp} ${level}: ${message}` then the error's `stack`), a bare `Error:`
/// line continues that event. Other error classes (`TypeError: …`) continue any event, as
/// exception lines; a bare `Error:` only after a stamped line, since in an untimed log such
/// lines are messages of their own.
///
/// Node's report of an uncaught exception puts the throwing source line and a caret under it
/// first (`/app/node_modules/pg/lib/client.js:526`, `        throw err`, `        ^`), a
/// blank line, then the error: its first line continues that report.
pub fn node_error_continuation(before: &[u8], prev_start: usize, line: &[u8]) -> bool {
    // (Each line may carry a container runtime's or kubectl's prefix.)
    let body = |l| container_body(l).unwrap_or(l);
    let prev = &before[prev_start..];
    if body(line).starts_with(b"Error: ") && {
        let prev = body(prev);
        dated(prev) || nest_shape(prev)
    } {
        return true;
    }
    // After the caret and a blank line, whatever Node printed of the error (`Error: …`,
    // `TypeError: …`, `[UnhandledPromiseRejection: …] {`).
    // (A blank line behind a prefix is short: most lines are not looked into.)
    let blank_prev = blank(prev) || prev.len() <= 100 && blank(body(prev));
    let Some(above_end) = prev_start.checked_sub(1).filter(|_| blank_prev) else {
        return false;
    };
    let above_start = memchr::memrchr(b'\n', &before[..above_end]).map_or(0, |i| i + 1);
    caret_line(body(&before[above_start..above_end])) && !blank(body(line))
}

/// A line that is only `^` under a source line (Node's crash report, Python 3.11's
/// tracebacks).
pub fn caret_line(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    !t.is_empty() && t.iter().all(|&c| c == b'^')
}

/// Node's report of an uncaught exception, the process's last words on stderr:
///
/// ```text
/// /app/node_modules/pg/lib/client.js:526
///         throw err
///         ^
///
/// Error: connect ECONNREFUSED 10.0.0.5:5432
///     at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)
/// ```
///
/// An event whose message (its lines without any container prefix) is such a report, with
/// no level, is fatal and reads from the error's line: the lines before it, its source,
/// are left out of the message as a Rails report's blank line is ([`Event::shown`]).
pub fn node_crash(ev: &mut Event<'_>) {
    let msg: &[u8] = &ev.message;
    let first_end = match memchr::memchr(b'\n', msg) {
        Some(i) if ev.level.is_none() => i,
        _ => return,
    };
    let head = msg[..first_end].trim_ascii_end();
    let Some(colon) = memchr::memrchr(b':', head) else {
        return;
    };
    let (file, line_no) = (&head[..colon], &head[colon + 1..]);
    let script = [&b".js"[..], b".mjs", b".cjs", b".ts"]
        .iter()
        .any(|x| file.ends_with(x));
    if line_no.is_empty()
        || !line_no.iter().all(u8::is_ascii_digit)
        || !(script && (file.starts_with(b"/") || file.starts_with(b"file://"))
            || file.starts_with(b"node:"))
    {
        return;
    }
    let (mut at, mut caret) = (0, false);
    for (n, line) in msg.split(|&c| c == b'\n').enumerate().take(8) {
        if caret && !blank(line) {
            if skip_head(ev, n, at) {
                ev.level = Some(Level::Fatal);
            }
            return;
        }
        caret |= n > 0 && caret_line(line);
        at += line.len() + 1;
    }
}

/// zap's console encoder (`zap.NewDevelopment()`, and `zap.AddStacktrace` at error level) and
/// `debug.Stack()` after a message print a Go stack as function names without arguments, each
/// followed by its `\t/path/file.go:LINE`: `main.(*Server).checkout` then `\t/app/api.go:120`.
/// The indented file lines continue any event; a function line continues the event when it
/// follows a frame's file line, or a stamped line (the stack's first frame) when it is
/// clearly a Go function: in a package path (`/`), a method (`(*T)`) or in `main`, and not a
/// file name (`main.go`).
pub fn go_function_continuation(prev: &[u8], line: &[u8]) -> bool {
    if !go_function_line(line) {
        return false;
    }
    if go_file_line(prev) {
        return true;
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let clearly = line.contains(&b'/') || line.contains(&b'(') || line.starts_with(b"main.");
    clearly && !line.ends_with(b".go") && dated(prev)
}

/// `main.main`, `net/http.HandlerFunc.ServeHTTP`, `github.com/acme/api.(*Server).Checkout`,
/// `main.handler.func1`: a package path's last element with a dot, identifier characters only.
fn go_function_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > 512 || !line.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    let last = line.rsplit(|&c| c == b'/').next().unwrap_or(line);
    last.contains(&b'.')
        && !line.ends_with(b".")
        && line.iter().all(|&c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'.' | b'/' | b'_' | b'-' | b'(' | b')' | b'*' | b'[' | b']' | b'~'
                )
        })
}

/// `\t/app/api/handler.go:120` (zap), `\t/app/main.go:12 +0x1d` (a panic's trace).
pub fn go_file_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"\t") else {
        return false;
    };
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    let rest = match finder!(b" +0x").find(rest) {
        Some(i) => &rest[..i],
        None => rest,
    };
    go_location(rest)
}

/// Every line stamped (`kubectl logs --timestamps`): `line`, behind its stamp, continues the
/// event before it, whose line `prev` is the app's header behind a stamp (or a continuation
/// behind one). Only such double-stamped logs: in a log of stamped lines of its own, an
/// indented message after the stamp is no continuation.
pub fn stamped_continuation(prev: &[u8], line: &[u8]) -> bool {
    use super::parse::is_continuation;
    let Some(body) = stamp_body(line) else {
        return false;
    };
    // `aws logs tail`'s log stream name after the stamp.
    let body = behind_stream(body, is_continuation);
    if !is_continuation(body) || padded_level(body) {
        return false;
    }
    let header_or_more = |b: &[u8]| dated(b) || lambda_python_line(b) || is_continuation(b);
    stamp_body(prev).is_some_and(|p| header_or_more(behind_stream(p, header_or_more)))
}

/// [`super::Format::joins`] in a plain log for the pair of lines nearly every plain log is
/// made of: both start with a digit (a date, a time) and neither is an RFC 3339 stamp (`T`
/// at byte 10: a CRI record, `kubectl logs --timestamps`) or `pm2 logs`' prefix. Then no
/// container prefix can be in front of either, so of the rules only ClickHouse's numbered frame, PostgreSQL's
/// repeated prefix and the Ruby Logger's frame lines can join `line`; the others each need
/// a prefix, a stamp, a letter or a blank line there. None when the pair is not of that
/// shape: every rule is asked.
#[inline]
pub fn dated_pair_joins(before: &[u8], prev_start: usize, line: &[u8]) -> Option<bool> {
    let prev = &before[prev_start..];
    let dated = |l: &[u8]| {
        l.first().is_some_and(u8::is_ascii_digit) && l.get(10) != Some(&b'T') && !pm2_shaped(l)
    };
    if !(dated(prev) && dated(line)) {
        return None;
    }
    // (`rails_joins`' own first test, for lines that are no Ruby Logger lines.)
    let last = |l: &[u8]| l.strip_suffix(b"\r").unwrap_or(l).last().copied();
    let rails =
        matches!(last(line), Some(b'\'' | b')')) || matches!(last(prev), Some(b':' | b'\''));
    Some(
        super::parse::numbered_frame(line)
            || pg_joins(before, prev_start, line)
            || (rails && rails_joins(before, prev_start, line)),
    )
}

/// `body` behind `aws logs tail`'s log stream name when what follows the name is `what`.
fn behind_stream(body: &[u8], what: impl Fn(&[u8]) -> bool) -> &[u8] {
    match aws_stream(body) {
        Some(n) if what(&body[n..]) => &body[n..],
        _ => body,
    }
}

/// A line behind `aws logs tail`'s stamp and log stream name ([`LinePrefix`]).
fn stream_body(line: &[u8]) -> Option<&[u8]> {
    let body = stamp_body(line)?;
    Some(&body[aws_stream(body)?..])
}

/// `[ERROR]\t2026-…`: AWS Lambda's Python runtime's header ([`lambda_python`]).
fn lambda_python_line(b: &[u8]) -> bool {
    b.first() == Some(&b'[')
        && close_bracket(b, 0)
            .is_some_and(|c| bracket_level(&b[1..c]).is_some() && b.get(c + 1) == Some(&b'\t'))
}

/// The pod, container and container's line of a line behind `kubectl logs --prefix`'s
/// `[pod/NAME/CONTAINER] `, stern's `POD CONTAINER ` or Docker Compose's `NAME  | ` (a
/// container, no pod): which replica logged it, for the failing-vs-working contrast (one bad
/// pod among healthy ones).
pub fn pod_of(line: &[u8]) -> Option<PodPrefix<'_>> {
    let prefix = |pod, container, body| PodPrefix {
        pod,
        container,
        name_key: b"container",
        body,
    };
    if let Some(body) = kubectl_body(line) {
        let name = &line[5..line.len() - body.len() - 2];
        let slash = memchr::memrchr(b'/', name)?;
        return Some(prefix(Some(&name[..slash]), &name[slash + 1..], body));
    }
    if pm2_shaped(line) {
        let (name, body) = pm2_prefix(line)?;
        return Some(PodPrefix {
            name_key: b"app",
            ..prefix(None, name, body)
        });
    }
    // (Compose's and stern's names are lower case: most lines are done here.)
    if !line.first().is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    if let Some((name, body)) = compose_prefix(line) {
        return Some(prefix(None, name, body));
    }
    let body = stern_pod_body(line)?;
    let head = &line[..line.len() - body.len() - 1];
    let sp = memchr::memchr(b' ', head)?;
    Some(prefix(Some(&head[..sp]), &head[sp + 1..], body))
}

/// Whether `prev` and `line` both carry a pod's, container's or pm2 app's prefix
/// ([`pod_of`]) and the two name different ones.
pub fn other_prefix(prev: &[u8], line: &[u8]) -> bool {
    // (`prev` is only looked at when `line` has a prefix: most lines have none.)
    let Some(a) = pod_of(line) else {
        return false;
    };
    pod_of(prev).is_some_and(|b| (a.pod, a.container) != (b.pod, b.container))
}

/// What a pod or container prefix says ([`pod_of`]).
pub struct PodPrefix<'a> {
    /// None behind Docker Compose's prefix, which names a container only, and pm2's.
    pub pod: Option<&'a [u8]>,
    /// The container's name (pm2's app's).
    pub container: &'a [u8],
    /// The field `container` goes into: `container`, or `app` for a pm2 app.
    pub name_key: &'static [u8],
    /// The container's line.
    pub body: &'a [u8],
}

/// The container's line behind stern's `POD CONTAINER ` (`stern api` tails every pod of a
/// deployment this way), if `line` has that prefix: a pod name as a Deployment makes them,
/// `NAME-<ReplicaSet hash>-<5 characters>` in Kubernetes' vowel-free alphabet
/// (`api-7d9f8c5b6-x2kq9`), then a container name. A plain line that starts with two words
/// is not taken for one. Also behind Docker Compose's `NAME  | ` ([`compose_prefix`]) and
/// `pm2 logs`' `ID|NAME      | ` ([`pm2_prefix`]).
#[inline(always)]
pub fn stern_body(line: &[u8]) -> Option<&[u8]> {
    // Every line is asked (continuation lines too): most start with a digit, an upper-case
    // level, a bracket or a brace, and are done here.
    if !line.first().is_some_and(u8::is_ascii_lowercase) {
        if pm2_shaped(line) {
            return pm2_prefix(line).map(|(_, body)| body);
        }
        return None;
    }
    stern_rest(line)
}

/// Whether `line` may start with `pm2 logs`' prefix: a digit, and a `|` among the next
/// four bytes (no date or time has one there).
#[inline(always)]
fn pm2_shaped(line: &[u8]) -> bool {
    line.first().is_some_and(u8::is_ascii_digit) && line.iter().take(5).skip(1).any(|&c| c == b'|')
}

/// `pm2 logs`' prefix: the process's id, `|`, its name padded to ten columns, ` | ` (Node
/// apps run under pm2 on plain hosts): the name and the app's line behind it. An empty line
/// may have lost the space after the bar.
#[inline(never)]
fn pm2_prefix(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let bar = memchr::memchr(b'|', &line[..line.len().min(5)])?;
    if bar == 0 || !line[..bar].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let rest = &line[bar + 1..];
    let (end, body) = match memchr::memmem::find(&rest[..rest.len().min(256)], b" | ") {
        Some(end) => (end, &rest[end + 3..]),
        None if rest.ends_with(b" |") => (rest.len() - 2, &rest[rest.len()..]),
        None => return None,
    };
    let name = rest[..end].trim_ascii_end();
    let ok = !name.is_empty() && name.iter().all(|c| c.is_ascii_graphic() && *c != b'|');
    ok.then_some((name, body))
}

#[inline(never)]
fn stern_rest(line: &[u8]) -> Option<&[u8]> {
    compose_prefix(line)
        .map(|(_, body)| body)
        .or_else(|| stern_pod_body(line))
}

/// The line behind stern's own `POD CONTAINER ` prefix ([`stern_body`]).
fn stern_pod_body(line: &[u8]) -> Option<&[u8]> {
    if !line.first().is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    let sp = memchr::memchr(b' ', &line[..line.len().min(260)])?;
    let pod = &line[..sp];
    let mut parts = pod.rsplitn(3, |&c| c == b'-');
    let (suffix, hash, name) = (parts.next()?, parts.next()?, parts.next()?);
    // The alphabet of `rand.SafeEncodeString`: no vowels, no 0, 1 or 3.
    let safe = |s: &[u8]| s.iter().all(|c| b"bcdfghjklmnpqrstvwxz2456789".contains(c));
    let dns = |s: &[u8]| {
        !s.is_empty()
            && s.len() <= 63
            && s.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.'))
    };
    if suffix.len() != 5
        || !(6..=10).contains(&hash.len())
        || !safe(suffix)
        || !safe(hash)
        || !dns(name)
    {
        return None;
    }
    let rest = &line[sp + 1..];
    let sp2 = memchr::memchr(b' ', &rest[..rest.len().min(64)])?;
    let container = &rest[..sp2];
    (dns(container) && !container.contains(&b'.')).then(|| &rest[sp2 + 1..])
}

/// `docker compose logs`' (and `docker-compose up`'s) `NAME  | ` before each container's
/// line: the container's name (`api-1`, `shop-api-1`, Compose v1's `shop_api_1`: a replica
/// number last), padding, then `| `. (The container name, and its line.)
fn compose_prefix(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let bar = memchr::memchr(b'|', &line[..line.len().min(80)])?;
    let name = line[..bar].trim_ascii_end();
    if name.len() == bar || !matches!(line.get(bar + 1), None | Some(b' ')) {
        return None;
    }
    let ok = name.first().is_some_and(u8::is_ascii_lowercase)
        && name.iter().all(|&c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.')
        });
    let index = name.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    let numbered =
        index > 0 && index < name.len() && matches!(name[name.len() - index - 1], b'-' | b'_');
    (ok && numbered).then(|| (name, line.get(bar + 2..).unwrap_or_default()))
}

/// The container's line behind a Kubernetes CRI prefix, `kubectl logs --prefix`'s
/// `[pod/NAME/CONTAINER] ` or stern's pod and container, when it carries one.
#[inline]
pub fn container_body(line: &[u8]) -> Option<&[u8]> {
    cri_body(line)
        .or_else(|| kubectl_body(line))
        .or_else(|| stern_body(line))
}

/// The container's line behind `kubectl logs --prefix`'s `[pod/NAME/CONTAINER] `, if `line`
/// has that prefix: the continuation rule looks behind it, as behind a CRI prefix.
#[inline(always)]
pub fn kubectl_body(line: &[u8]) -> Option<&[u8]> {
    // (Asked of every line, several times: the first test inline, the rest out of line.)
    if !line.starts_with(b"[pod/") {
        return None;
    }
    kubectl_rest(line)
}

#[inline(never)]
fn kubectl_rest(line: &[u8]) -> Option<&[u8]> {
    let end = memchr::memchr(b']', &line[..line.len().min(320)])?;
    let name = &line[5..end];
    let ok = name.contains(&b'/') && !name.contains(&b' ');
    (ok && line.get(end + 1) == Some(&b' ')).then(|| &line[end + 2..])
}

/// (partial, the container's line) of a CRI record.
#[inline]
fn cri_split(line: &[u8]) -> Option<(bool, &[u8])> {
    let sp = cri_space(line)?;
    Some((line[sp + 8] == b'P', &line[sp + 10..]))
}

/// Where the space after a CRI record's timestamp is, if `line` is a CRI record.
#[inline(always)]
fn cri_space(line: &[u8]) -> Option<usize> {
    if line.len() < 30 || !line[0].is_ascii_digit() || line[10] != b'T' {
        return None;
    }
    cri_space_rest(line)
}

#[inline(never)]
fn cri_space_rest(line: &[u8]) -> Option<usize> {
    let sp = memchr::memchr(b' ', &line[..line.len().min(40)])?;
    cri_tag(&line[sp..]).then_some(sp)
}

/// (stream, partial) of a CRI record: stream 0 is stdout, 1 stderr.
pub fn cri_record(line: &[u8]) -> Option<(u8, bool)> {
    let sp = cri_space(line)?;
    Some((u8::from(line[sp + 4] == b'e'), line[sp + 8] == b'P'))
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// End of the token at `i`. Header tokens are short, so a plain loop beats memchr here.
#[inline]
fn token_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Index of the `]` closing the `[` at `i` (nested brackets allowed), within 256 bytes.
fn close_bracket(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0u32;
    for (j, &c) in b.iter().enumerate().skip(i).take(256) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// Django's `verbose` log format's `{module} {process:d} {thread:d}` at `p`: a module name,
/// a process id and a thread id (long, as Python's are), then the message. Where they end.
fn django_columns(b: &[u8], p: usize) -> Option<usize> {
    // (A module's name, ended by a space: most tokens fail at their first bytes.)
    if !b
        .get(p)
        .is_some_and(|c| c.is_ascii_lowercase() || *c == b'_')
    {
        return None;
    }
    let e = p + b[p..]
        .iter()
        .take_while(|&&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        .count();
    if b.get(e) != Some(&b' ') {
        return None;
    }
    let number = |from: usize| {
        let from = from.min(b.len());
        let end = token_end(b, from);
        let n = &b[from..end];
        (!n.is_empty() && n.len() <= 20 && n.iter().all(u8::is_ascii_digit)).then_some((n, end))
    };
    let (_, pid_end) = number(e + 1)?;
    let (tid, tid_end) = number(pid_end + 1)?;
    (tid.len() >= 5 && b.get(tid_end) == Some(&b' ')).then(|| tid_end + 1)
}

/// pino-pretty's process after the level, `(1234):` or `(1234 on api-7f9c):`: where it
/// ends.
fn pino_pid(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'(') || !b.get(1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let close = memchr::memchr(b')', &b[..b.len().min(96)])?;
    let inner = &b[1..close];
    let digits = inner.iter().take_while(|c| c.is_ascii_digit()).count();
    let pid_only = digits == inner.len() || inner[digits..].starts_with(b" on ");
    (pid_only && b.get(close + 1) == Some(&b':')).then_some(close + 2)
}

/// `HH:MM:SS` (with an optional fraction) at the start of a bracket's text, ending it or
/// followed by a space: the time, dated ([`super::DayRef`]), and where it ends.
fn bracket_time_of_day(inner: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    if inner.get(5) != Some(&b':') {
        return None;
    }
    super::time::time_of_day(inner, tc).filter(|&(_, n)| matches!(inner.get(n), None | Some(b' ')))
}

/// A level inside brackets: `[error]`, `[INFO ]`, `[core:error]`, Serilog `[10:00:00 INF]`.
fn bracket_level(inner: &[u8]) -> Option<Level> {
    let t = inner.trim_ascii();
    from_word(t)
        .or_else(|| from_word(t.rsplit(|&c| c == b':').next()?))
        .or_else(|| from_upper_word(t.rsplit(|&c| c == b' ').next()?))
}

/// The level (and process) in a bracket after its stamp, as Celery writes it:
/// `[2024-03-05 10:00:01,123: WARNING/ForkPoolWorker-1]`, also without the `/process`.
fn stamp_level_tail(tail: &[u8]) -> Option<(Level, Option<&[u8]>)> {
    let tail = tail.strip_prefix(b": ")?;
    let (word, name) = match memchr::memchr(b'/', tail) {
        Some(i) => (&tail[..i], Some(&tail[i + 1..]).filter(|n| !n.is_empty())),
        None => (tail, None),
    };
    Some((from_upper_word(word)?, name))
}

/// The level and target in a bracket after its stamp, as Rust's `env_logger` writes them by
/// default: `[2026-11-30T10:00:01Z ERROR my_app::db] msg` (the level padded to five
/// columns; no target when it is turned off).
fn env_logger_tail(tail: &[u8]) -> Option<(Level, Option<&[u8]>)> {
    let t = tail.strip_prefix(b" ")?;
    let sp = memchr::memchr(b' ', t).unwrap_or(t.len());
    let level = from_upper_word(&t[..sp])?;
    let target = t[sp..].trim_ascii();
    let path = target
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.'));
    path.then_some((level, Some(target).filter(|t| !t.is_empty())))
}

/// MySQL's informational labels, which are no level words: `[Note]` (5.7 and 8), and
/// `[System]` when a MySQL 8 error code follows (`[System] [MY-010116] [Server] ...`).
fn mysql_info(inner: &[u8], after: &[u8]) -> Option<Level> {
    (inner == b"Note" || (inner == b"System" && after.starts_with(b" [MY-"))).then_some(Level::Info)
}

/// Monolog's `channel.LEVEL:` (`production.ERROR:`, `request.CRITICAL:`): the channel and
/// the level.
fn monolog_level(tok: &[u8]) -> Option<(&[u8], Level)> {
    let word = tok.strip_suffix(b":")?;
    let dot = memchr::memrchr(b'.', word)?;
    let (channel, level) = (&word[..dot], &word[dot + 1..]);
    let ok = !channel.is_empty()
        && channel
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    ok.then(|| from_upper_word(level).map(|l| (channel, l)))?
}

fn is_separator(t: &[u8]) -> bool {
    matches!(t, b"-" | b"|" | b"--" | b"---" | b":" | b"," | b"::")
}

fn generic<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    generic_with(b, tc, true)
}

/// [`generic`], with or without the shortcut for log4j's columns ([`log4j_columns`]): the
/// tests hold the two equal.
fn generic_with<'a>(b: &'a [u8], tc: &TimeCtx, shortcut: bool) -> Option<Header<'a>> {
    let mut h = Header::default();
    let mut pos: usize;
    if b.first() == Some(&b'[') {
        let close = close_bracket(b, 0)?;
        let inner = &b[1..close];
        match parse_prefix(inner, tc) {
            Some((t, n)) => {
                h.time = Some(t);
                let tail = &inner[n..];
                if let Some((level, logger)) =
                    stamp_level_tail(tail).or_else(|| env_logger_tail(tail))
                {
                    return Some(Header {
                        time: Some(t),
                        level: Some(level),
                        logger,
                        msg: skip_spaces(b, close + 1),
                        ..Header::default()
                    });
                }
            }
            None => {
                // A time of day alone (pino-pretty's `[10:00:00.123] INFO`), or before the
                // level (Serilog's console default `[10:00:00 INF]`): dated as `--date` or
                // the log's last change says.
                let tod = bracket_time_of_day(inner, tc);
                match bracket_level(inner) {
                    Some(l) => h.level = Some(l),
                    None if tod.is_some_and(|(_, n)| n == inner.len()) => {}
                    // Rails 8's default logger: `[request-id] Started GET …`, tags and
                    // nothing else (`parse` reads them).
                    None if request_tag(b).is_some() => return Some(Header::default()),
                    None => return None,
                }
                h.time = tod.map(|(t, _)| t);
                h.dated = h.time.is_some();
                if let Some(msg) = lambda_python(b, close + 1, &mut h, tc) {
                    return Some(Header { msg, ..h });
                }
            }
        }
        pos = close + 1;
    } else if let Some((t, n, runtime)) = leading_stamp(b, tc) {
        if let Some(off) = cri_after(b, n) {
            // Kubernetes CRI: the app's own line follows; its header wins when it has one.
            let mut h = header(&b[off..], tc).unwrap_or_default();
            h.time = h.time.or(Some(t));
            h.msg += off;
            h.runtime = runtime;
            return Some(h);
        }
        if let Some((level, msg)) = pg_colon_prefix(b, n) {
            return Some(Header {
                time: Some(t),
                level,
                logger: None,
                msg,
                ..Header::default()
            });
        }
        if let Some((level, logger, msg)) = log4j_columns(b, n).filter(|_| shortcut) {
            return Some(Header {
                time: Some(t),
                level: Some(level),
                logger: Some(logger),
                msg,
                runtime,
                ..Header::default()
            });
        }
        h.time = Some(t);
        h.runtime = runtime;
        pos = n;
    } else if let Some(n) = time_of_day(b) {
        // Logback's default `10:00:00.123 [main] INFO c.a.Foo - msg`: no date; dated as
        // `--date` or the log's last change says.
        pos = n;
        h.time = super::time::time_of_day(b, tc).map(|(t, _)| t);
        h.dated = h.time.is_some();
    } else if let Some((hour, min, n)) = kitchen(b) {
        // zerolog's console writer: `3:04PM INF msg key=value` (Go's `time.Kitchen`).
        pos = n;
        h.time = tc.dateless_ms(hour, min, 0, 0);
        h.dated = h.time.is_some();
    } else if let Some(h) = python_basic(b).or_else(|| logrus_text(b, tc)) {
        return Some(h);
    } else {
        // `INFO 2024-... msg`, `ERROR: msg`, `error: msg`.
        let e = token_end(b, 0);
        let tok = &b[..e];
        let (word, colon) = match tok.strip_suffix(b":") {
            Some(w) => (w, true),
            None => (tok, false),
        };
        h.level = Some(if colon {
            one_case_level(word)?
        } else {
            from_upper_word(word)?
        });
        pos = e;
        let p = skip_spaces(b, pos);
        if let Some((t, n)) = parse_prefix(&b[p..], tc) {
            h.time = Some(t);
            pos = p + n;
        } else if b.get(p) == Some(&b'[') {
            if let Some(close) = close_bracket(b, p) {
                if let Some((t, _)) = parse_prefix(&b[p + 1..close], tc) {
                    h.time = Some(t);
                    pos = close + 1;
                } else {
                    // Cassandra's `%-5level [%thread] %date %F:%L - %msg`: the stamp after
                    // the thread.
                    let q = skip_spaces(b, close + 1);
                    if let Some((t, n)) = parse_prefix(&b[q..], tc) {
                        h.time = Some(t);
                        pos = q + n;
                    }
                }
            }
        }
    }

    if h.time.is_some() && b.get(pos) == Some(&b'|') {
        // `20240305-10:11:12:345|Component|1234|msg`: pipe-separated columns, no spaces.
        pipe_columns(b, pos, &mut h);
        return Some(h);
    }

    let mut saw_pid = false;
    let mut single_letter = false;
    if h.level.is_none() {
        let mut pre_logger = None;
        // Where the message starts after a `name - ` column (Proxifier-style `prog - msg`,
        // log4j `%d [%t] %c - %m`), if no level turns up behind it.
        let mut dash_msg = None;
        // Whether a column (not a separator) was seen: only the first may be a level word in
        // any case (`2016-01-01 10:00:00, Info  Comp  msg`); later ones must be one case.
        let mut seen = false;
        // Where the message starts if no level turns up: after the timestamp, leading
        // separators and a `prog[pid]:` tag, but not after skipped numbers or brackets (in
        // `10:00:00 404 not found` the number is part of the message).
        let mut fallback = pos;
        let mut contiguous = true;
        for _ in 0..5 {
            let p = skip_spaces(b, pos);
            if p >= b.len() {
                break;
            }
            if b[p] == b'[' {
                let Some(close) = close_bracket(b, p) else {
                    break;
                };
                seen = true;
                let level = bracket_level(&b[p + 1..close])
                    .or_else(|| mysql_info(&b[p + 1..close], &b[close + 1..]));
                if let Some(l) = level {
                    h.level = Some(l);
                    pos = close + 1;
                    // Apache 2.4's `[proxy_http:error]`: the module is the logger.
                    let inner = &b[p + 1..close];
                    if let Some(c) = memchr::memchr(b':', inner).filter(|&c| c > 0) {
                        let module = &inner[..c];
                        if h.logger.is_none()
                            && module
                                .iter()
                                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
                        {
                            h.logger = Some(module);
                        }
                    }
                    break;
                }
                // `[thread]` / `[pid 12]` before the level.
                pos = close + 1;
                continue;
            }
            let e = token_end(b, p);
            let tok = &b[p..e];
            if !seen {
                if let Some((channel, l)) = monolog_level(tok) {
                    // Monolog (Laravel, Symfony): `[stamp] channel.LEVEL: msg`.
                    h.level = Some(l);
                    h.logger = Some(channel);
                    pos = e;
                    break;
                }
            }
            if let Some(v) = tok
                .strip_prefix(b"level=")
                .or_else(|| tok.strip_prefix(b"lvl="))
            {
                // `2024-01-01T10:00:00Z level=info msg=...`: a level, the rest stays as is.
                if let Some(l) = from_word(v.strip_prefix(b"\"").unwrap_or(v).trim_ascii_end()) {
                    h.level = Some(l);
                    h.msg = p;
                    return Some(h);
                }
            }
            let word = tok.strip_suffix(b":").unwrap_or(tok);
            let lvl = if seen {
                one_case_level(word)
            } else {
                from_word(word)
            };
            // PostgreSQL's `LOG:` (its ordinary messages); `log` alone is too often prose.
            let lvl = lvl.or_else(|| (tok == b"LOG:").then_some(Level::Info));
            // Behind `name - `, a level is only a column when ` - ` follows it too (Python's
            // `name - LEVEL - msg`); otherwise the message just starts with that word.
            let lvl = lvl.filter(|_| dash_msg.is_none() || b[e..].starts_with(b" - "));
            if let Some(l) = lvl {
                h.level = Some(l);
                pos = e;
                h.logger = pre_logger;
                break;
            }
            if saw_pid && word.len() == 1 && dash_msg.is_none() {
                // logcat: `pid tid D Tag: msg` (behind `name - `, `0 V` is message text).
                if let Some(l) = from_letter(word[0]) {
                    h.level = Some(l);
                    single_letter = true;
                    pos = e;
                    break;
                }
            }
            if is_separator(tok) {
                pos = e;
                if contiguous {
                    fallback = e;
                }
                continue;
            }
            contiguous = false;
            seen = true;
            if tok.iter().all(u8::is_ascii_digit) {
                saw_pid = true;
                pos = e;
                continue;
            }
            if let Some(end) = meta_run(b, p).filter(|_| h.meta.is_none()) {
                // Elixir's Logger `$time $metadata[$level] $message` (Phoenix's default):
                // `request_id=F… [info] GET /`; kept in the message when no level follows.
                h.meta = Some(&b[p..end]);
                pos = end;
                continue;
            }
            if crate::mine::is_uuid(tok) || query_id(tok) {
                // AWS Lambda's `stamp\trequest-id\tLEVEL\tmsg`: the request id before the
                // level (kept in the message when no level follows); ClickHouse's
                // `[ thread ] {query-id} <Error>`, Airflow's `{file.py:12} ERROR - `.
                pos = e;
                continue;
            }
            if let Some(l) = angle_level(tok) {
                // ClickHouse's `<Error> executeQuery: msg`: the logger after the level.
                h.level = Some(l);
                pos = e;
                let q = skip_spaces(b, e);
                let t = token_end(b, q);
                let name = b[q..t].strip_suffix(b":").filter(|n| {
                    n.first().is_some_and(u8::is_ascii_alphabetic)
                        && n.iter()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_'))
                });
                if let Some(name) = name {
                    h.logger = Some(name);
                    h.msg = skip_spaces(b, t);
                    return Some(h);
                }
                break;
            }
            if let Some(tag) = tok.strip_suffix(b"]:") {
                // Heroku/syslog-style `app[web.1]:` tag after the timestamp.
                if let Some(i) = memchr::memchr(b'[', tag).filter(|&i| i > 0) {
                    pre_logger = Some(&tag[..i]);
                    h.logger = pre_logger;
                    pos = e;
                    fallback = e;
                    let msg = skip_spaces(b, e);
                    if syslog::error_code_line(&b[msg..]) {
                        // Heroku's `heroku[web.1]: Error R14 (Memory quota exceeded)`.
                        h.level = Some(Level::Error);
                        h.msg = msg;
                        return Some(h);
                    }
                    continue;
                }
            }
            if let Some(i) = fly_tag(tok).filter(|_| pre_logger.is_none()) {
                // Fly.io's `app[3d8d7e1c] ams [info] msg`: the process group, the machine,
                // the region, then the app's level.
                pre_logger = Some(&tok[..i]);
                h.logger = pre_logger;
                let r = skip_spaces(b, e);
                let re = token_end(b, r);
                let region = &b[r..re];
                pos = if (2..=4).contains(&region.len())
                    && region.iter().all(u8::is_ascii_lowercase)
                    && b.get(re..re + 2) == Some(b" [")
                {
                    re
                } else {
                    e
                };
                continue;
            }
            let dash = if b[e..].starts_with(b" - ") {
                Some(e)
            } else {
                qualified_dash(b, e)
            };
            if let (Some(d), None) = (dash, pre_logger) {
                // Python logging `%(asctime)s - %(name)s - %(levelname)s - %(message)s`, or
                // a logger/program column before the message.
                pre_logger = Some(tok);
                if !saw_pid {
                    dash_msg = Some(d + 3);
                }
                pos = d;
                continue;
            }
            break;
        }
        if let (None, Some(m)) = (h.level, dash_msg) {
            h.logger = pre_logger;
            h.msg = skip_spaces(b, m);
            return Some(h);
        }
        if h.level.is_none() {
            // A timestamp alone (Go `2024/01/01 10:00:00 msg`): the message follows it.
            h.msg = skip_spaces(b, fallback);
            if b.get(h.msg) == Some(&b'[') {
                // PostgreSQL's `%m [%p] ` with more before the level (Debian's `%m [%p]
                // %q%u@%d `): `[4321] app@orders LOG:  msg`. A report line that joined no
                // error (`STATEMENT:  …`) starts at its report word, as behind RDS's prefix.
                if let Some((ws, k)) = pg_word(b).filter(|&(ws, _)| ws > h.msg) {
                    if pg_report_word(&b[ws..k]) {
                        h.msg = ws;
                    } else if let Some(l) = pg_level(&b[ws..k]) {
                        h.level = Some(l);
                        h.msg = k + 3;
                    }
                }
            }
            return Some(h);
        }
    }

    // After the level: separators, pids and `[thread]` groups, then maybe a logger.
    let mut after_bracket = false;
    // A level padded to a wide column (more than `%-5p` gives) says the header is a table of
    // padded columns, so a word followed by padding is the next column, not prose.
    let padded = b.get(pos..pos + 3) == Some(b"   ");
    // (Spring Boot 3: `pid --- [app] [thread] [trace-span] logger : msg`.)
    for _ in 0..7 {
        let p = skip_spaces(b, pos);
        if p >= b.len() {
            pos = p;
            break;
        }
        if b[p] == b'[' {
            match close_bracket(b, p) {
                Some(close) if !message_bracket(&b[p + 1..close]) => {
                    let name = &b[p + 1..close];
                    if h.time.is_none() && name.first().is_some_and(u8::is_ascii_digit) {
                        // Akka's `[ERROR] [11/30/2026 10:00:00.123] [dispatcher] [path] msg`.
                        h.time = super::time::us_slash_date(name, tc);
                    }
                    // (A thread's name, `[worker-11]`, is neither: one memchr each.)
                    if h.trace.is_none() {
                        h.trace = bracket_trace(name);
                    }
                    if h.meta.is_none()
                        && memchr::memchr(b'=', name).is_some()
                        && logfmt::starts_with_pair(name)
                        && logfmt::all_pairs(name)
                    {
                        // OpenTelemetry's Python logging format: `[trace_id=… span_id=…
                        // resource.service.name=… trace_sampled=True]`.
                        h.meta = Some(name);
                    }
                    let thread = paren_thread(b, close + 1);
                    if let Some(end) = thread.filter(|_| h.logger.is_none() && dotted_name(name)) {
                        // JBoss logging (Quarkus, WildFly): `LEVEL [logger] (thread) msg`.
                        h.logger = Some(name);
                        pos = end;
                        break;
                    }
                    pos = close + 1;
                    after_bracket = true;
                    continue;
                }
                _ => break,
            }
        }
        if let Some(end) = pino_pid(&b[p..]) {
            // pino-pretty's `LEVEL (1234 on host):` before the message.
            pos = p + end;
            break;
        }
        if let Some(end) = django_columns(b, p).filter(|_| h.logger.is_none()) {
            // Django's `verbose` format: `LEVEL stamp module process thread message`.
            h.logger = Some(&b[p..token_end(b, p)]);
            pos = end;
            break;
        }
        let e = token_end(b, p);
        let tok = &b[p..e];
        if is_separator(tok) {
            pos = e;
            if after_bracket {
                // log4j `%p [%t:%C@%L] - %m`: the separator after the bracket ends the
                // header, so `NAME - rest` behind it is message text.
                break;
            }
            continue;
        }
        if tok.iter().all(u8::is_ascii_digit) {
            // A pid (Spring Boot `INFO 12345 --- [main]`, `ERROR 7 [worker]`, pid and tid)
            // is followed by more header; a number followed by words is the message's own
            // (`ERROR [client] 429 Too Many Requests`, `WARN 3 retries failed`).
            let n = skip_spaces(b, e);
            let next = &b[n..token_end(b, n)];
            if n >= b.len()
                || b[n] == b'['
                || is_separator(next)
                || next.iter().all(u8::is_ascii_digit)
            {
                pos = e;
                // (Sleuth's `LEVEL [app,trace,span] pid --- [thread]`: the separator after
                // the pid does not end the header.)
                after_bracket = false;
                continue;
            }
            break;
        }
        if let Some((logger, end)) = play_columns(b, tok, e).filter(|_| h.logger.is_none()) {
            // Play's file appender: `[LEVEL] from logger in thread - msg`.
            h.logger = Some(logger);
            pos = end;
            break;
        }
        if let Some((module, end)) = flask_module(b, tok, e).filter(|_| h.logger.is_none()) {
            // Flask's default handler: `[stamp] LEVEL in module: msg`.
            h.logger = Some(module);
            pos = end;
            break;
        }
        if nginx_pid(tok) {
            // Nginx error log `1234#1234: *5 msg`; the request/upstream are in the message.
            // The connection number `*5` is the header's too.
            h.nginx = true;
            pos = e;
            let c = skip_spaces(b, e);
            let ce = token_end(b, c);
            if ce > c + 1 && b[c] == b'*' && b[c + 1..ce].iter().all(u8::is_ascii_digit) {
                pos = ce;
            }
            continue;
        }
        if h.logger.is_none() && !tok.iter().any(|&c| c == b'=' || c == b'"') {
            let rest = &b[e..];
            let colon = skip_spaces(b, e);
            if (rest.starts_with(b" - ") || rest.starts_with(b" : "))
                && !tok.ends_with(b":")
                && !client_address(tok)
            {
                h.logger = Some(module_of_call_site(tok));
                pos = e + 3;
            } else if after_bracket
                && colon > e + 1
                && b[colon..].starts_with(b": ")
                && !tok.ends_with(b":")
            {
                // Spring Boot pads the logger column: `--- [main] c.a.Foo      : msg`.
                h.logger = Some(tok);
                pos = colon + 2;
            } else if rest.starts_with(b" [") && dotted_name(tok) {
                // Python oslo.log `LEVEL name.sub [context] msg`: the context bracket (request
                // and user ids, `[req-… - - -]`, `[-]` when none) belongs to the header, and
                // so does a separator after a one-word one (log4net's `%logger
                // [%property{NDC}] - %message`, `[(null)]` when none).
                h.logger = Some(tok);
                let close = close_bracket(b, e + 1);
                pos = close.map_or(e, |c| c + 1);
                let one_word = close.is_some_and(|c| {
                    let ndc = &b[e + 2..c];
                    !ndc.contains(&b' ') && ndc != b"-"
                });
                if one_word && b[pos..].starts_with(b" - ") {
                    pos += 3;
                }
            } else if padded && rest.starts_with(b"  ") && column_name(tok) {
                // A padded component column (`Info       CBS    msg`).
                h.logger = Some(tok);
                pos = e;
            } else if let Some(name) = tok.strip_suffix(b":") {
                if single_letter
                    || name
                        .iter()
                        .any(|c| matches!(c, b'.' | b'$' | b'_' | b'[' | b'/'))
                {
                    h.logger = Some(name);
                    pos = e;
                }
            }
        }
        break;
    }
    h.msg = skip_spaces(b, pos);
    Some(h)
}

/// The columns after a leading stamp (ending at `pos`) in the layout most Java services log
/// in, log4j's and logback's `%d %-5p [%t] %c - %m` (`2026-11-27 00:00:01,013 INFO
/// [worker-11] c.acme.Dispatcher - msg`), also without the `[%t]`: the level, the logger and
/// where the message starts. A shortcut past the rules [`generic`] tries on every column, for
/// the lines on which none of them can apply: an upper-case level word, a thread's name in
/// brackets (short, no spaces, `=`, or brackets: no trace id, metadata or client address),
/// then a name that starts with a letter (no pid, no client's `IP:port`), followed by ` - `,
/// and is not one of the words other layouts put there (Play's `from`, Flask's `in`), a
/// `key=value`, a quote or a `name:`. `None` otherwise: `generic` reads the line. Tested equal
/// to `generic` without it on every line of the test logs and on generated ones.
fn log4j_columns(b: &[u8], pos: usize) -> Option<(Level, &[u8], usize)> {
    let p = skip_spaces(b, pos);
    let e = token_end(b, p);
    let word = &b[p..e];
    if word.is_empty() || !word.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let level = from_word(word)?;
    let mut q = skip_spaces(b, e);
    if b.get(q) == Some(&b'[') {
        let inner = b.get(q + 1..)?;
        let close = inner.iter().take(34).position(|&c| c == b']')?;
        if inner[..close]
            .iter()
            .any(|&c| matches!(c, b'[' | b' ' | b'\t' | b'='))
        {
            return None;
        }
        q = skip_spaces(b, q + 1 + close + 1);
    }
    if !b.get(q).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let e = token_end(b, q);
    let name = &b[q..e];
    let plain_name = !matches!(name, b"from" | b"in")
        && !name.iter().any(|&c| c == b'=' || c == b'"')
        && !name.ends_with(b":")
        && b[e..].starts_with(b" - ");
    plain_name.then(|| (level, module_of_call_site(name), skip_spaces(b, e + 3)))
}

/// Play's default file pattern after the level, `from application in
/// application-akka.actor.default-dispatcher-5 - msg`, `tok` being its `from` (ending at `e`):
/// the logger and where the message starts.
fn play_columns<'a>(b: &'a [u8], tok: &[u8], e: usize) -> Option<(&'a [u8], usize)> {
    if tok != b"from" || b.get(e) != Some(&b' ') {
        return None;
    }
    let le = token_end(b, e + 1);
    let logger = &b[e + 1..le];
    let thread = b[le..].strip_prefix(b" in ")?;
    let te = le + 4 + token_end(thread, 0);
    (!logger.is_empty() && te > le + 4 && b[te..].starts_with(b" - ")).then_some((logger, te + 3))
}

/// Flask's default log format, `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`,
/// after the level, `tok` being its `in` (ending at `e`): the module (the logger) and where
/// the message starts. Only behind a bracketed stamp, as Flask writes it, and a module's
/// name, one Python identifier.
fn flask_module<'a>(b: &'a [u8], tok: &[u8], e: usize) -> Option<(&'a [u8], usize)> {
    if tok != b"in" || b.first() != Some(&b'[') || b.get(e) != Some(&b' ') {
        return None;
    }
    let me = token_end(b, e + 1);
    let module = b[e + 1..me].strip_suffix(b":")?;
    let ok = module
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && module
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    ok.then_some((module, me))
}

/// After a name column ending at `e`: ` *64 - `, a short non-word qualifier of the name (a
/// 64-bit process marker, `(2)`) and then the ` - ` separator. Returns where the separator
/// starts.
fn qualified_dash(b: &[u8], e: usize) -> Option<usize> {
    let rest = b.get(e..e + 9)?;
    let q_end = 1 + rest[1..].iter().position(|&c| c == b' ')?;
    let q = &rest[1..q_end];
    let ok = rest[0] == b' '
        && !q.is_empty()
        && !q.iter().any(u8::is_ascii_alphabetic)
        && !q.iter().all(u8::is_ascii_digit);
    (ok && b[e + q_end..].starts_with(b" - ")).then_some(e + q_end)
}

/// A bracket after the level that is part of the message: a client address (`[client
/// 192.0.2.1]`, `[client 192.0.2.1:5050]`), which is what the message is about.
fn message_bracket(inner: &[u8]) -> bool {
    // (Brackets are short, a thread's name has no space: a plain loop, no memchr call.)
    let Some(sp) = inner.iter().position(|&c| c == b' ') else {
        return false;
    };
    let addr = &inner[sp + 1..];
    let dots = addr.iter().filter(|&&c| c == b'.').count();
    !inner[..sp].iter().any(u8::is_ascii_digit)
        && (dots == 3 || addr.contains(&b':'))
        && addr.first().is_some_and(u8::is_ascii_hexdigit)
        && addr
            .iter()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':'))
}

/// `nova.api.server`, `app_main.db`: a dotted logger name.
/// Fly.io's `app[3d8d7e1c]` (a process group and its machine's id): where the `[` is.
fn fly_tag(t: &[u8]) -> Option<usize> {
    let inner = t.strip_suffix(b"]")?;
    let i = memchr::memchr(b'[', inner).filter(|&i| i > 0)?;
    let (name, id) = (&inner[..i], &inner[i + 1..]);
    let ok = name.iter().all(|c| c.is_ascii_lowercase() || *c == b'-')
        && id.len() >= 8
        && id.iter().all(u8::is_ascii_hexdigit)
        // (Not a pid: `sshd[12345678]`.)
        && id.iter().any(u8::is_ascii_lowercase);
    ok.then_some(i)
}

/// The trace id in a bracket after the level: Spring Boot 3's correlation `[traceId-spanId]`
/// (32 and 16 hex digits), Spring Cloud Sleuth's `[app,traceId,spanId]` (16 or 32 hex).
fn bracket_trace(inner: &[u8]) -> Option<&[u8]> {
    let hex = |t: &[u8], n: &[usize]| n.contains(&t.len()) && t.iter().all(u8::is_ascii_hexdigit);
    if inner.len() < 35 {
        return None;
    }
    if inner.len() == 49
        && inner[32] == b'-'
        && hex(&inner[..32], &[32])
        && hex(&inner[33..], &[16])
    {
        return Some(&inner[..32]);
    }
    let mut parts = inner.split(|&c| c == b',');
    let (_app, trace, span) = (parts.next()?, parts.next()?, parts.next()?);
    (hex(trace, &[16, 32]) && hex(span, &[16])).then_some(trace)
}

/// ClickHouse's query id column (`{}`, `{3f0c…-…}`) and Airflow's call site
/// (`{taskinstance.py:1234}`): a name in braces, no quotes or spaces.
fn query_id(t: &[u8]) -> bool {
    t.strip_prefix(b"{")
        .and_then(|t| t.strip_suffix(b"}"))
        .is_some_and(|id| {
            id.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
        })
}

/// A level in angle brackets, as ClickHouse writes it: `<Error>`, `<Information>`.
fn angle_level(t: &[u8]) -> Option<Level> {
    from_word(t.strip_prefix(b"<")?.strip_suffix(b">")?)
}

fn dotted_name(t: &[u8]) -> bool {
    t.first().is_some_and(u8::is_ascii_alphabetic)
        && t.contains(&b'.')
        && !t.ends_with(b".")
        && t.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$' | b'-'))
}

/// AWS Lambda's Python runtime: `[ERROR]\tSTAMP\tREQUEST-ID\tmessage` after its bracketed
/// level (at `i`, the tab after the bracket). Sets the time; the message's offset.
fn lambda_python(b: &[u8], i: usize, h: &mut Header<'_>, tc: &TimeCtx) -> Option<usize> {
    if h.time.is_some() || b.get(i) != Some(&b'\t') {
        return None;
    }
    let (t, n) = iso_zoned(&b[i + 1..], tc).map(|(t, n, _)| (t, n))?;
    let at = i + 1 + n;
    let rest = b.get(at..)?.strip_prefix(b"\t")?;
    let id = memchr::memchr(b'\t', rest)?;
    if !crate::mine::is_uuid(&rest[..id]) {
        return None;
    }
    h.time = Some(t);
    Some(at + 1 + id + 1)
}

/// Where the message starts after a thread name in parentheses at `i` (` (executor-thread-1)
/// `, ` (MSC service thread 1-2) `), as JBoss logging writes it after the logger.
fn paren_thread(b: &[u8], i: usize) -> Option<usize> {
    let rest = b.get(i..)?.strip_prefix(b" (")?;
    let close = memchr::memchr2(b')', b'(', &rest[..rest.len().min(100)])?;
    let ok = rest[close] == b')' && close > 0 && rest.get(close + 1) == Some(&b' ');
    ok.then_some(i + 2 + close + 2)
}

/// loguru's `{name}:{function}:{line}` column (`app.main:checkout:42`): the module, so one
/// logger is one logger whatever line logged; any other name as it is.
fn module_of_call_site(tok: &[u8]) -> &[u8] {
    // (A call site ends in its line number: most names are done at their last byte.)
    if !tok.last().is_some_and(u8::is_ascii_digit) || memchr::memchr(b':', tok).is_none() {
        return tok;
    }
    let mut parts = tok.rsplitn(3, |&c| c == b':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(line), Some(func), Some(module))
            if !line.is_empty()
                && line.iter().all(u8::is_ascii_digit)
                && !func.is_empty()
                && !module.is_empty() =>
        {
            module
        }
        _ => tok,
    }
}

/// A client's `IP:port` (uvicorn's and CoreDNS's `10.0.0.5:52345 - "GET / …"`): the address
/// before a ` - `, no logger.
fn client_address(t: &[u8]) -> bool {
    // (A port ends it: cheap for a logger's name.)
    if !t.last().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let Some(colon) = memchr::memrchr(b':', t) else {
        return false;
    };
    let (host, port) = (&t[..colon], &t[colon + 1..]);
    let ipv4 = host.iter().all(|&c| c.is_ascii_digit() || c == b'.') && host.contains(&b'.');
    let ipv6 = host.starts_with(b"[") && host.ends_with(b"]");
    !port.is_empty() && port.iter().all(u8::is_ascii_digit) && (ipv4 || ipv6)
}

/// A short identifier fit to be a component column: letters, digits, `._-`.
fn column_name(t: &[u8]) -> bool {
    t.len() <= 48
        && t.first().is_some_and(u8::is_ascii_alphabetic)
        && t.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// Pipe-separated header columns right after the stamp at `pos` (`|Component|1234|msg`):
/// up to three space-free columns, each followed by `|`; a level word is the level, a
/// number is a pid and ends the header, anything else names the logger.
fn pipe_columns<'a>(b: &'a [u8], mut pos: usize, h: &mut Header<'a>) {
    for _ in 0..3 {
        let start = pos + 1;
        let Some(n) = b[start..]
            .iter()
            .take(128)
            .position(|&c| matches!(c, b'|' | b' ' | b'\t'))
        else {
            break;
        };
        if b[start + n] != b'|' || n == 0 {
            break;
        }
        let col = &b[start..start + n];
        pos = start + n;
        if let Some(l) = from_word(col).filter(|_| h.level.is_none()) {
            h.level = Some(l);
        } else if col.iter().all(u8::is_ascii_digit) {
            break;
        } else if h.logger.is_none() {
            h.logger = Some(col);
        }
    }
    h.msg = skip_spaces(b, pos + 1);
}

/// Ruby Logger: `E, [2024-01-01T10:00:00.123456 #1234] ERROR -- progname: msg`, the
/// message after Rails' tags (`[request-id] `, ActiveSupport::TaggedLogging).
fn rails<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    let l = rails_layout(b)?;
    let letter = from_letter(b[0])?;
    let (t, _) = parse_prefix(&b[4..l.close], tc)?;
    let level = from_word(&b[l.level.clone()]).unwrap_or(letter);
    Some(Header {
        time: Some(t),
        level: Some(level),
        logger: l.logger.map(|r| &b[r]),
        msg: l.msg,
        ..Header::default()
    })
}

/// Where the parts of a Ruby Logger line are (no time parsed).
struct RailsLayout {
    /// The `]` closing `[stamp #pid`.
    close: usize,
    level: std::ops::Range<usize>,
    logger: Option<std::ops::Range<usize>>,
    /// Where the tags start (`msg` when there are none).
    tags: usize,
    /// The message, past the tags.
    msg: usize,
}

/// A Ruby Logger line's shape: a severity letter, `, [`.
#[inline]
fn rails_shape(b: &[u8]) -> bool {
    b.len() > 8 && b[0].is_ascii_uppercase() && &b[1..4] == b", ["
}

fn rails_layout(b: &[u8]) -> Option<RailsLayout> {
    if !rails_shape(b) {
        return None;
    }
    let close = close_bracket(b, 3)?;
    let mut pos = skip_spaces(b, close + 1);
    let e = token_end(b, pos);
    let level = pos..e;
    pos = skip_spaces(b, e);
    let mut logger = None;
    if b[pos..].starts_with(b"-- ") {
        pos += 3;
        if let Some(colon) = memchr::memmem::find(&b[pos..], b": ") {
            logger = Some(pos..pos + colon);
            pos += colon + 2;
        } else if b[pos..].starts_with(b":") {
            pos += 1;
        }
    }
    let tags = skip_spaces(b, pos);
    Some(RailsLayout {
        close,
        level,
        logger,
        tags,
        msg: skip_spaces(b, skip_tags(b, tags)),
    })
}

/// The `#pid` of a Ruby Logger line's `[stamp #pid]`.
fn rails_pid(b: &[u8], close: usize) -> &[u8] {
    let head = &b[..close];
    memchr::memrchr(b'#', head).map_or(&b""[..], |i| &head[i..])
}

/// Past ActiveSupport::TaggedLogging's tags at `i` (`[f3a9…] [api] `): bracketed words
/// without spaces, each followed by a space or the end of the line.
fn skip_tags(b: &[u8], mut i: usize) -> usize {
    for _ in 0..8 {
        if b.get(i) != Some(&b'[') {
            break;
        }
        let window = &b[i + 1..b.len().min(i + 130)];
        let Some(len) = memchr::memchr(b']', window) else {
            break;
        };
        let tag = &window[..len];
        if tag.is_empty() || tag.iter().any(|&c| matches!(c, b' ' | b'[' | b'\t')) {
            break;
        }
        let after = i + 1 + len + 1;
        match b.get(after) {
            Some(b' ') => i = after + 1,
            None => i = after,
            _ => break,
        }
    }
    i
}

/// The length of the request-id tag at the start of `line` (`[0f9c…-…] `, with its
/// space): a bracketed run of at least 16 hex digits and dashes, as Rails tags lines with
/// `config.log_tags = [:request_id]`. The lines of a multi-line message after the first
/// carry it alone.
fn request_tag(line: &[u8]) -> Option<usize> {
    if line.first() != Some(&b'[') {
        return None;
    }
    let n = line[1..]
        .iter()
        .take(64)
        .take_while(|c| c.is_ascii_hexdigit() || **c == b'-')
        .count();
    (n >= 16 && line.get(1 + n) == Some(&b']') && line.get(2 + n) == Some(&b' ')).then_some(3 + n)
}

/// A line of a Ruby Logger message after its header: what it holds without the header and
/// tags (a Rails 4 backtrace logs each frame with a header of its own), or without the
/// request-id tag Rails puts before each further line of a message.
fn rails_body(line: &[u8]) -> Option<&[u8]> {
    if let Some(l) = rails_layout(line) {
        return Some(&line[l.msg.min(line.len())..]);
    }
    request_tag(line).map(|n| &line[n..])
}

/// The app's line behind a CRI prefix or a bare stamp, if it has one.
#[inline]
fn app_line(l: &[u8]) -> &[u8] {
    if !maybe_stamped(l) {
        return l;
    }
    cri_body(l).or_else(|| stamp_body(l)).unwrap_or(l)
}

/// Whether `l` may start with an RFC 3339 stamp (a CRI record's or a bare one): the one-byte
/// test that spares every other line the full look.
#[inline]
fn maybe_stamped(l: &[u8]) -> bool {
    l.len() > 21 && l[10] == b'T' && l[0].is_ascii_digit()
}

/// [`rails_body`] behind `kubectl logs --timestamps`' stamp.
fn stamped_rails_body(line: &[u8]) -> Option<&[u8]> {
    let b = stamp_body(line).unwrap_or(line);
    Some(rails_body(b).unwrap_or(b))
}

fn blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

/// Whether `line` continues the Ruby Logger (Rails) event whose last line starts at
/// `prev_start` of `before` (`prev`):
/// - a Rails exception report is one message that starts with a blank line (`FATAL -- :
///   [id]   `, then `ActiveRecord::…Error (…):`, a blank line and the backtrace), its
///   further lines without a header, each behind the request id when lines are tagged;
/// - Rails 4 logged each of those lines with a header of its own: a blank line, or a
///   frame, of the same process at the same level joins, and so does the line after a
///   blank one;
/// - a Ruby backtrace frame (`app/models/order.rb:42:in 'find'`), or Ruby's report of an
///   uncaught exception (`app/x.rb:9:in 'perform': undefined method … (NoMethodError)`, as
///   Sidekiq logs it after its own line), continues anything.
///
/// Decided by the two lines alone, cheaply for lines of other logs (the last byte of a
/// frame, the first of a tag, the shape of the line before), except that a line behind the
/// same request-id tag alone as `prev` looks back for the report's header
/// ([`tagged_joins`]).
pub fn rails_joins(before: &[u8], prev_start: usize, line: &[u8]) -> bool {
    let prev = &before[prev_start..];
    // Also behind the Kubernetes CRI prefix (a Rails app logging to stdout) or `kubectl
    // logs --timestamps`' stamp.
    let (line, prev) = (app_line(line), app_line(prev));
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let prev = prev.strip_suffix(b"\r").unwrap_or(prev);
    if !rails_shape(prev)
        && line.first() != Some(&b'[')
        && !matches!(line.last(), Some(b'\'' | b')'))
        && !matches!(prev.last(), Some(b':' | b'\''))
    {
        return false;
    }
    match (rails_layout(prev), rails_layout(line)) {
        (Some(p), Some(l)) => {
            let (pm, lm) = (
                &prev[p.msg.min(prev.len())..],
                &line[l.msg.min(line.len())..],
            );
            prev[0] == line[0]
                && rails_pid(prev, p.close) == rails_pid(line, l.close)
                && (blank(pm) || blank(lm) || super::parse::ruby_frame(lm).is_some())
        }
        (None, Some(_)) => false,
        (p, None) => {
            let tag = request_tag(line);
            let body = &line[tag.unwrap_or(0)..];
            p.as_ref()
                .is_some_and(|p| blank(&prev[p.msg.min(prev.len())..]))
                || super::parse::ruby_frame(body).is_some()
                // A blank or indented line inside a report, behind a stamp or CRI prefix
                // (without one it is a continuation anyway).
                || (super::parse::is_continuation(body)
                    && (prev.ends_with(b"):") || super::parse::ruby_frame(prev).is_some()))
                || super::parse::ruby_report(body)
                || (p.is_none()
                    && tag.is_some_and(|n| {
                        prev.get(..n) == line.get(..n)
                            && tagged_joins(before, prev_start, &prev[..n], &prev[n..], body)
                    }))
        }
    }
}

/// Whether a line behind a request-id tag joins the line before it, behind the same tag
/// (`prev_body`, `body`: the two without it). Behind a Ruby Logger report's header (`F, [… ]
/// FATAL -- : [id]   `) every such line does: Rails writes the further lines of a message
/// behind the tag alone. Without a header on any line (Rails 8's default logger writes `[id]
/// Started GET …`, no stamp, no level), each line is a message of its own unless it
/// continues an exception report: the class line after the report's blank first line, the
/// blank line and source excerpt (`    12: <%= … %>`) after it (frames join anyway).
fn tagged_joins(
    before: &[u8],
    prev_start: usize,
    tag: &[u8],
    prev_body: &[u8],
    body: &[u8],
) -> bool {
    if blank(prev_body) && !blank(body) {
        return true;
    }
    let excerpt = |b: &[u8]| {
        let t = b.trim_ascii_start();
        b.len() > t.len() && {
            let digits = t.iter().take_while(|c| c.is_ascii_digit()).count();
            digits > 0 && t.get(digits) == Some(&b':')
        }
    };
    if super::parse::is_continuation(body) && excerpt(prev_body) {
        return true;
    }
    // Back over the lines behind the tag alone, to the line that has more (a bounded look;
    // when it is the report's header, each line since joined it, so they are in this chunk).
    let mut start = prev_start;
    for _ in 0..64 {
        if start == 0 {
            return false;
        }
        let end = start - 1;
        start = memchr::memrchr(b'\n', &before[..end]).map_or(0, |i| i + 1);
        let l = app_line(&before[start..end]);
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if !l.starts_with(tag) {
            // The report's header: a Ruby Logger line whose message is blank (only then did
            // every line since join it).
            return rails_layout(l).is_some_and(|h| blank(&l[h.msg.min(l.len())..]));
        }
    }
    false
}

/// glog: `E0101 10:00:00.123456 1234 file.go:12] msg`.
fn glog<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    if !matches!(b[0], b'I' | b'W' | b'E' | b'F') || !b.get(1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (t, n) = glog_stamp(&b[1..], tc)?;
    let mut pos = skip_spaces(b, 1 + n);
    while b.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos = skip_spaces(b, pos);
    let e = token_end(b, pos);
    let src = b[pos..e].strip_suffix(b"]")?;
    let file = src.rsplit_once_colon();
    Some(Header {
        time: Some(t),
        level: from_letter(b[0]),
        logger: Some(file),
        msg: skip_spaces(b, e),
        glog: true,
        ..Header::default()
    })
}

trait SplitColon {
    fn rsplit_once_colon(&self) -> &Self;
}

impl SplitColon for [u8] {
    /// `file.go:12` → `file.go`.
    fn rsplit_once_colon(&self) -> &[u8] {
        match memchr::memrchr(b':', self) {
            Some(i) => &self[..i],
            None => self,
        }
    }
}

/// Leading columns in front of the real header, as cluster and supercomputer logs and log
/// shippers write them. Two shapes, each checked column by column without a regex:
///
/// - an alert tag (`-` or an upper-case word) or a numeric record id, then a few id-like
///   columns and a column of epoch seconds (after a tag: right after it, and followed by a
///   date column `YYYY.MM.DD`). What follows the epoch decides the rest: a later
///   recognised timestamp within three columns (the original line, e.g. syslog
///   `Mon D HH:MM:SS host prog[pid]: msg`) is parsed as a header of its own; after an alert
///   tag, an upper-case level word within six columns ends the header (`... RAS KERNEL INFO
///   msg`, the word before it is the logger); after a record id, a small flag column
///   (`-1`, `0`, `1`) must follow, and the message follows it;
/// - one or two file- or host-name columns (holding a digit or `.`/`-`/`_`/`/`/`@`), then a
///   recognised timestamp: the header is parsed from the timestamp on.
///
/// The epoch gives the time (it is exact and zone-free); without one, the inner stamp does.
fn leading_columns<'a>(b: &'a [u8], tc: &TimeCtx) -> Option<Header<'a>> {
    let e0 = token_end(b, 0);
    let first = &b[..e0];
    if first.is_empty() || first.len() > 128 {
        return None;
    }
    let tag = first == b"-" || first.iter().all(|c| c.is_ascii_uppercase() || *c == b'_');
    let id = first.iter().all(u8::is_ascii_digit);
    let named = !tag && !id && name_column(first);
    if !(tag || id || named) {
        return None;
    }
    let mut pos = e0;
    for k in 1..=5 {
        let p = skip_spaces(b, pos);
        if p >= b.len() {
            return None;
        }
        let e = token_end(b, p);
        let tok = &b[p..e];
        if (id || (tag && k == 1)) && epoch_secs(tok).is_some() {
            let secs = epoch_secs(tok)?;
            return after_epoch(b, e, secs, tag, tc);
        }
        if named && k <= 2 {
            if let Some(h) = inner_header(b, p, tc) {
                return Some(h);
            }
            if !name_column(tok) {
                return None;
            }
        }
        if tag || tok.ends_with(b":") || tok.iter().any(|&c| c == b'=' || c == b'"') {
            // A tag's epoch comes right after it; a colon or a key=value is message text.
            return None;
        }
        pos = e;
    }
    None
}

/// A column naming a file or host (`app.log.1`, `node-12`, `web/1`): no trailing colon, and a
/// digit or one of `.-_/@` in it, so a capitalized word of prose never counts.
fn name_column(t: &[u8]) -> bool {
    !t.ends_with(b":")
        && !t.ends_with(b",")
        && t.iter()
            .any(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'_' | b'/' | b'@'))
        && !t.iter().any(|&c| c == b'=' || c == b'"')
}

/// A whole header starting with a recognised timestamp at `p` (which ends at a column
/// boundary), with offsets moved to the whole line.
fn inner_header<'a>(b: &'a [u8], p: usize, tc: &TimeCtx) -> Option<Header<'a>> {
    let (t, n) = parse_prefix(&b[p..], tc)?;
    if !matches!(b.get(p + n), None | Some(b' ' | b'\t' | b'|' | b',' | b']')) {
        return None;
    }
    let mut h = header(&b[p..], tc)?;
    h.msg += p;
    h.time = h.time.or(Some(t));
    Some(h)
}

/// Epoch seconds between 2001 and 2099 written as one ten-digit column.
fn epoch_secs(t: &[u8]) -> Option<i64> {
    if t.len() != 10 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = t.iter().fold(0i64, |v, &c| v * 10 + i64::from(c - b'0'));
    (v < 4_102_444_800).then_some(v)
}

/// `-1`, `0`, `1`, `12`: a flag or state column.
fn small_flag(t: &[u8]) -> bool {
    let d = t.strip_prefix(b"-").unwrap_or(t);
    (1..=2).contains(&d.len()) && d.iter().all(u8::is_ascii_digit)
}

/// The header after an epoch column ending at `e` (see [`leading_columns`]).
fn after_epoch<'a>(
    b: &'a [u8],
    e: usize,
    secs: i64,
    tag: bool,
    tc: &TimeCtx,
) -> Option<Header<'a>> {
    let time = Some(secs * 1000);
    let p1 = skip_spaces(b, e);
    let e1 = token_end(b, p1);
    let date = &b[p1..e1];
    let is_date = date.len() == 10
        && date[4] == date[7]
        && matches!(date[4], b'.' | b'-' | b'/')
        && date.iter().filter(|c| c.is_ascii_digit()).count() == 8;
    if tag && !is_date {
        // An alert tag and an epoch are followed by the date they were logged on.
        return None;
    }
    let mut pos = e;
    for _ in 0..3 {
        let p = skip_spaces(b, pos);
        if p >= b.len() {
            break;
        }
        if let Some(mut h) = inner_header(b, p, tc) {
            h.time = time;
            return Some(h);
        }
        pos = token_end(b, p);
    }
    if tag {
        let mut pos = e1;
        let mut prev: Option<&[u8]> = None;
        for _ in 0..6 {
            let p = skip_spaces(b, pos);
            let e = token_end(b, p);
            if p >= e {
                break;
            }
            let tok = &b[p..e];
            if let Some(l) = from_upper_word(tok) {
                return Some(Header {
                    time,
                    level: Some(l),
                    logger: prev,
                    msg: skip_spaces(b, e),
                    ..Header::default()
                });
            }
            prev = Some(tok);
            pos = e;
        }
        // No level: the message follows the date column.
        return Some(Header {
            time,
            msg: skip_spaces(b, e1),
            ..Header::default()
        });
    }
    // After a record id the flag column is required: without it, a number that looks like an
    // epoch in a sentence starting with a number would pass for a header.
    (small_flag(&b[p1..e1]) && e1 < b.len()).then(|| Header {
        time,
        msg: skip_spaces(b, e1),
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Format, ParseConfig};

    #[test]
    fn go_function_lines_continue_stamped_lines_and_frames() {
        let stamped = b"2026-11-30T10:00:02.410Z\tERROR\tapi/handler.go:120\trequest failed";
        let file = b"\t/app/api/handler.go:120";
        for f in [
            &b"main.(*Server).handleCheckout"[..],
            b"main.main",
            b"github.com/acme/api/handler.(*Server).Checkout",
            b"net/http.HandlerFunc.ServeHTTP\r",
        ] {
            assert!(go_function_continuation(stamped, f), "{f:?}");
            assert!(go_function_continuation(file, f), "{f:?}");
        }
        // After a frame's file line any Go function shape; after a stamped line only a
        // clear one; never a file name, a sentence or a line after an unstamped one.
        assert!(go_function_continuation(file, b"runtime.goexit"));
        assert!(!go_function_continuation(stamped, b"runtime.goexit"));
        assert!(!go_function_continuation(stamped, b"main.go"));
        assert!(!go_function_continuation(stamped, b"main.go is missing"));
        assert!(!go_function_continuation(b"starting up", b"main.main"));
        assert!(!go_function_continuation(stamped, b"Main.main"));
        assert!(go_file_line(b"\t/app/main.go:12 +0x1d"));
        assert!(go_file_line(b"\tC:/src/app/main.go:12"));
        assert!(!go_file_line(b"\t/app/main.go"));
        assert!(!go_file_line(b"    /app/main.go:12"));
    }

    struct Got {
        time: Option<i64>,
        level: Option<Level>,
        logger: Option<String>,
        msg: String,
    }

    #[test]
    fn container_text_drops_the_runtime_framing() {
        let cri = b"2026-11-27T10:00:00.1Z stderr F Boom\r\n2026-11-27T10:00:00.2Z stderr P \tat com.acme.Fo\r\n2026-11-27T10:00:00.3Z stderr F o.bar(Foo.java:1)";
        assert_eq!(
            cri_text(cri).as_deref(),
            Some(&b"Boom\n\tat com.acme.Foo.bar(Foo.java:1)"[..])
        );
        assert_eq!(
            cri_text(b"2026-11-27T10:00:00.1Z stdout F ok").as_deref(),
            Some(&b"ok"[..])
        );
        assert_eq!(cri_text(b"2026-11-27 10:00:00 INFO ok"), None);
        let docker = b"{\"log\":\"Boom\\n\",\"stream\":\"stderr\"}\r\n{\"log\":\"\\tat com.acme.Fo\",\"stream\":\"stderr\"}\n{\"log\":\"o.bar()\\n\",\"stream\":\"stderr\"}";
        assert_eq!(
            super::super::json::docker_text(docker).as_deref(),
            Some(&b"Boom\n\tat com.acme.Foo.bar()"[..])
        );
        assert_eq!(super::super::json::docker_text(b"{\"msg\":\"x\"}"), None);
    }

    #[test]
    fn logfmt_behind_a_header_gives_http_fields() {
        let line = "2026-11-27T03:54:47.000444+00:00 heroku[router]: at=error code=H12 desc=\"Request timeout\" method=POST path=\"/api/v1/checkout\" request_id=4d2e dyno=web.4 service=30000ms status=503";
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let mut ev = Event::bare(1, line.as_bytes());
        assert!(parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.time, Some(1_795_751_687_000));
        assert_eq!(ev.http.method.as_deref(), Some(&b"POST"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/v1/checkout"[..]));
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.http.latency_ms, Some(30000.0));
        assert_eq!(ev.trace_id.as_deref(), Some(&b"4d2e"[..]));
        // A plain sentence behind a header stays a sentence.
        let line = "2026-11-27T03:54:47Z heroku[api]: Release v42 created by user a@b.c";
        let mut ev = Event::bare(1, line.as_bytes());
        parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx);
        assert!(ev.http.is_empty());
        assert_eq!(&*ev.message, &b"Release v42 created by user a@b.c"[..]);
    }

    #[test]
    fn evidence_lines_join_a_header_only_first_line_with_its_message() {
        let aspnet = "app.log:7: 2026-11-30T09:40:02.116Z info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 POST http://shop/api/orders - 500 - - 30000.1ms";
        assert_eq!(
            evidence_line(aspnet),
            "app.log:7: 2026-11-30T09:40:02.116Z info: Microsoft.AspNetCore.Hosting.Diagnostics[2] Request finished HTTP/1.1 POST http://shop/api/orders - 500 - - 30000.1ms"
        );
        let jul = "app.log:3: Mar 05, 2024 10:00:08 AM com.example.OrderService place\nSEVERE: Order failed";
        assert_eq!(
            evidence_line(jul),
            "app.log:3: Mar 05, 2024 10:00:08 AM com.example.OrderService place SEVERE: Order failed"
        );
        // Lines whose message is on them stay alone; so does a header with nothing after it.
        let java = "app.log:1: 2026-11-30 ERROR [main] c.a.B - failed: x[2]\n\tat a.B.c(B.java:1)";
        assert_eq!(evidence_line(java), java.lines().next().unwrap_or_default());
        assert_eq!(
            evidence_line("info: Microsoft.Hosting.Lifetime[0]"),
            "info: Microsoft.Hosting.Lifetime[0]"
        );
    }

    #[test]
    fn aspnet_console_category_is_the_logger() {
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let raw = "fail: Microsoft.AspNetCore.Server.Kestrel[13]\n      Connection id \"0HN1\": An unhandled exception was thrown by the application.\n      System.InvalidOperationException: Sequence contains no elements\n         at Orders.Api.Repo.Get(Int32 id) in /src/Repo.cs:line 41";
        let first = &raw[..raw.find('\n').unwrap_or(raw.len())];
        let mut ev = Event::bare(1, raw.as_bytes());
        assert!(parse(first.as_bytes(), raw.as_bytes(), &mut ev, &ctx));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(
            ev.logger.as_deref(),
            Some(&b"Microsoft.AspNetCore.Server.Kestrel"[..])
        );
        assert_eq!(
            String::from_utf8_lossy(&ev.message),
            "Connection id \"0HN1\": An unhandled exception was thrown by the application.\nSystem.InvalidOperationException: Sequence contains no elements\n   at Orders.Api.Repo.Get(Int32 id) in /src/Repo.cs:line 41"
        );
        // Behind Kubernetes' CRI prefix, the hosting layer's request line is a request.
        let raw = "2024-03-05T10:00:00.1Z stdout F info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n2024-03-05T10:00:00.1Z stdout F       Request finished HTTP/1.1 GET http://h/orders/17 - 500 0 - 12.5ms";
        let first = &raw[..raw.find('\n').unwrap_or(raw.len())];
        let mut ev = Event::bare(1, raw.as_bytes());
        assert!(parse(first.as_bytes(), raw.as_bytes(), &mut ev, &ctx));
        assert_eq!(ev.http.path.as_deref(), Some(&b"http://h/orders/17"[..]));
        assert_eq!(
            (ev.http.status, ev.http.latency_ms),
            (Some(500), Some(12.5))
        );
        assert!(ev.message.starts_with(b"Request finished HTTP/1.1"));
        // `trce` is ASP.NET Core's trace level.
        let raw = "trce: App.Worker[0]\n      tick";
        let mut ev = Event::bare(1, raw.as_bytes());
        assert!(parse(b"trce: App.Worker[0]", raw.as_bytes(), &mut ev, &ctx));
        assert_eq!((ev.level, &*ev.message), (Some(Level::Trace), &b"tick"[..]));
        for (rest, want) in [
            (
                "Microsoft.AspNetCore.Hosting.Diagnostics[2]",
                Some("Microsoft.AspNetCore.Hosting.Diagnostics"),
            ),
            ("App.Worker`1[7]\r", Some("App.Worker`1")),
            ("[13]", None),
            ("Kestrel[]", None),
            ("Kestrel[1x]", None),
            ("disk full [13]", None),
            ("Kestrel[13] more", None),
            ("]", None),
        ] {
            let got =
                aspnet_category(rest.as_bytes()).map(|n| String::from_utf8_lossy(n).into_owned());
            assert_eq!(got.as_deref(), want, "{rest}");
        }
    }

    #[test]
    fn rails_request_halves_and_junk() {
        let fields = |msg: &str| {
            let mut ev = Event::bare(1, msg.as_bytes());
            rails_request(msg.as_bytes(), &mut ev);
            let s = |c: Option<Cow<'_, [u8]>>| c.map(|c| String::from_utf8_lossy(&c).into_owned());
            (
                s(ev.http.method),
                s(ev.http.path),
                ev.http.status,
                ev.http.latency_ms,
            )
        };
        assert_eq!(
            fields(
                "Started POST \"/api/v1/orders?page=2\" for 10.0.0.7 at 2024-03-05 10:00:00 +0000"
            ),
            (
                Some("POST".into()),
                Some("/api/v1/orders?page=2".into()),
                None,
                None
            )
        );
        assert_eq!(
            fields("Completed 422 Unprocessable Entity in 12.5ms (Views: 0.2ms)"),
            (None, None, Some(422), Some(12.5))
        );
        assert_eq!(
            fields("Completed 200 OK in 31ms (Views: 10.3ms | ActiveRecord: 15.5ms)"),
            (None, None, Some(200), Some(31.0))
        );
        // Phoenix's (Plug.Logger).
        assert_eq!(
            fields("Sent 503 in 2003ms"),
            (None, None, Some(503), Some(2003.0))
        );
        assert_eq!(
            fields("Sent 200 in 250µs"),
            (None, None, Some(200), Some(0.25))
        );
        for junk in [
            "Started",
            "Started ",
            "Started GET",
            "Started GET \"",
            "Started GET \"/x",
            "Started GET \"/x\"",
            "Started GET \"/x\" from 10.0.0.7",
            "Started get \"/x\" for 10.0.0.7",
            "Started GET \"x\" for 10.0.0.7",
            "Started sidekiq worker",
            "Completed",
            "Completed 50",
            "Completed 500",
            "Completed 5000 in 3ms",
            "Completed 999 X in 3ms",
            "Completed 500 Internal Server Error in ",
            "Completed 500 Internal Server Error in ms",
            "Completed 500 Internal Server Error in 5s",
            "Sent",
            "Sent 500",
            "Sent 500 in ",
            "Sent 500 in 3",
            "Sent 500 in 3s",
            "Sent 5000 in 3ms",
            "Sent 999 in 3ms",
            "Sent to queue in 3ms",
            "Sent 500 in 3ms to the client",
            // A request line needs the request id that pairs it (Elixir's metadata).
            "GET /orders/42",
            "Completed job 42 in 3ms",
        ] {
            assert_eq!(fields(junk), (None, None, None, None), "{junk}");
        }
    }

    #[test]
    fn a_request_line_quoted_in_a_message_with_its_status_is_a_request() {
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let http = |line: &str| {
            let mut ev = Event::bare(1, line.as_bytes());
            assert!(
                parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx),
                "{line}"
            );
            let s = |c: Option<Cow<'_, [u8]>>| c.map(|c| String::from_utf8_lossy(&c).into_owned());
            (
                s(ev.http.method),
                s(ev.http.path),
                ev.http.status,
                ev.http.latency_ms,
            )
        };
        let req = |m: &str, p: &str, st: u16, lat: Option<f64>| {
            (Some(m.to_string()), Some(p.to_string()), Some(st), lat)
        };
        // OpenStack (eventlet): `status: N len: N time: seconds`.
        let os = "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b - - -] 10.11.10.1 \"GET /v2/54fadb41/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829";
        let (m, p, st, lat) = http(os);
        let want = req("GET", "/v2/54fadb41/servers/detail", 200, None);
        assert_eq!((m, p, st), (want.0, want.1, want.2));
        assert!(lat.is_some_and(|l| (l - 247.7829).abs() < 1e-6), "{lat:?}");
        // Werkzeug / Django behind Python logging, uvicorn's `200 OK`.
        assert_eq!(
            http("2024-03-05 10:00:01,123 INFO werkzeug: 127.0.0.1 - - [05/Mar/2024 10:00:01] \"POST /api/login HTTP/1.1\" 401 -"),
            req("POST", "/api/login", 401, None)
        );
        assert_eq!(
            http("2024-03-05 10:00:01,123 INFO uvicorn.access: 10.0.0.1:5321 - \"GET /health HTTP/1.1\" 200 OK"),
            req("GET", "/health", 200, None)
        );
        // A quoted request line without a status after it, or not a request line: nothing.
        for line in [
            "2024-03-05 10:00:01,123 ERROR app: bad request \"GET /a HTTP/1.1\" from 10.0.0.1",
            "2024-03-05 10:00:01,123 INFO app: said \"hello HTTP/1.1\" 200 times",
            "2024-03-05 10:00:01,123 INFO app: \"GET /a HTTP/1.1\" 2000 bytes",
            "2024-03-05 10:00:01,123 INFO app: \"GET /a HTTP/1.1\" 999 x",
            "2024-03-05 10:00:01,123 INFO app: proxy says HTTP/1.1 200",
        ] {
            assert_eq!(http(line), (None, None, None, None), "{line}");
        }
    }

    /// (first line, line count, message) of each event `parse_chunk` makes of `text` in
    /// `plain`, and the start of the last event as the chunker sees it.
    fn events_of(text: &str) -> (Vec<(u64, u32, String)>, usize) {
        let mut got = Vec::new();
        let cfg = ParseConfig::default();
        let fmt = crate::record::Format::Plain;
        crate::record::parse_chunk(text.as_bytes(), 1, fmt, None, &cfg, &mut |ev| {
            got.push((
                ev.line,
                ev.lines,
                String::from_utf8_lossy(&ev.message).into_owned(),
            ));
        });
        let last = fmt.last_event_start(text.as_bytes(), text.len() - 1);
        (got, last)
    }

    #[test]
    fn postgres_report_lines_join_past_tab_indented_lines() {
        let p = "2024-03-05 10:00:01.123 UTC [4321] ";
        let q = "2024-03-05 10:00:01.123 UTC [4322] ";
        let text = format!(
            "{p}ERROR:  deadlock detected\n{p}DETAIL:  Process 1 waits.\n\tProcess 2 waits.\n{p}HINT:  See log.\n{p}STATEMENT:  SELECT a\n\tFROM t\n{p}CONTEXT:  f()\n{q}HINT:  other backend\n\tx\n{p}CONTEXT:  after another backend\n"
        );
        let (got, last) = events_of(&text);
        assert_eq!(
            got,
            vec![
                (
                    1,
                    7,
                    "deadlock detected\nDETAIL:  Process 1 waits.\n\tProcess 2 waits.\nHINT:  See log.\nSTATEMENT:  SELECT a\n\tFROM t\nCONTEXT:  f()".to_string()
                ),
                // Lines that join no error start at their report word, not at the pid.
                (8, 2, "HINT:  other backend\n\tx".to_string()),
                (10, 1, "CONTEXT:  after another backend".to_string()),
            ]
        );
        // The chunker looks back the same way: the last event starts at line 10.
        assert_eq!(
            last,
            text.match_indices('\n').nth(8).map_or(0, |(i, _)| i + 1)
        );
        // A new ERROR of the same backend after tab-indented lines starts a new event.
        let text = format!("{p}LOG:  statement: SELECT a\n\tFROM t\n{p}ERROR:  boom\n");
        let (got, _) = events_of(&text);
        assert_eq!(got.len(), 2);
    }

    fn p(line: &str) -> Got {
        let cfg = ParseConfig {
            default_year: 2024,
            ..ParseConfig::default()
        };
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let mut ev = Event::bare(1, line.as_bytes());
        parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx);
        Got {
            time: ev.time,
            level: ev.level,
            logger: ev.logger.map(|l| String::from_utf8_lossy(&l).into_owned()),
            msg: String::from_utf8_lossy(&ev.message).into_owned(),
        }
    }

    fn ms(s: &str) -> Option<i64> {
        s.parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond())
    }

    fn check(line: &str, time: &str, level: Option<Level>, logger: Option<&str>, msg: &str) {
        let g = p(line);
        assert_eq!(g.time, ms(time), "time of {line}");
        assert_eq!(g.level, level, "level of {line}");
        assert_eq!(g.logger.as_deref(), logger, "logger of {line}");
        assert_eq!(g.msg, msg, "message of {line}");
    }

    #[test]
    fn celery_and_mysql_levels() {
        use Level::*;
        let t = "2024-03-05T10:00:01.123Z";
        check(
            "[2024-03-05 10:00:01,123: WARNING/ForkPoolWorker-1] Task tasks.send_email[3f2a] retry: Retry in 10s",
            t,
            Some(Warn),
            Some("ForkPoolWorker-1"),
            "Task tasks.send_email[3f2a] retry: Retry in 10s",
        );
        check(
            "[2024-03-05 10:00:01,123: ERROR/MainProcess] consumer: Cannot connect to redis://redis:6379//: Error 111",
            t,
            Some(Error),
            Some("MainProcess"),
            "consumer: Cannot connect to redis://redis:6379//: Error 111",
        );
        check(
            "[2024-03-05 10:00:01,123: INFO] ready.",
            t,
            Some(Info),
            None,
            "ready.",
        );
        check(
            "2024-03-05T10:00:01.123456Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1",
            t,
            Some(Info),
            None,
            "/usr/sbin/mysqld (mysqld 8.0.36) starting as process 1",
        );
        check(
            "2024-03-05T10:00:01.123456Z 0 [Note] [MY-010000] [Server] note",
            t,
            Some(Info),
            None,
            "note",
        );
        check(
            "2024-03-05T10:00:01.123456Z 0 [ERROR] [MY-012574] [InnoDB] Unable to lock ./ibdata1 error: 11",
            t,
            Some(Error),
            None,
            "Unable to lock ./ibdata1 error: 11",
        );
        // `[System]` without a MySQL code after it is no level.
        assert_eq!(p("2024-03-05 10:00:01 [System] started").level, None);
    }

    #[test]
    fn postgres_colon_prefix() {
        use Level::*;
        let t = "2024-03-05T10:00:01.000Z";
        check(
            "2024-03-05 10:00:01 UTC:10.0.1.23(52344):app@orders:[4321]:ERROR:  duplicate key",
            t,
            Some(Error),
            None,
            "duplicate key",
        );
        check(
            "2024-03-05 10:00:01 UTC:::1(5432):a@b:[7]:PANIC:  could not write",
            t,
            Some(Fatal),
            None,
            "could not write",
        );
        check(
            "2024-03-05 10:00:01 UTC:[local]:postgres@postgres:[4400]:DEBUG2:  x",
            t,
            Some(Debug),
            None,
            "x",
        );
        check(
            "2024-03-05 10:00:01 UTC::@:[4321]:NOTICE:  relation exists",
            t,
            Some(Info),
            None,
            "relation exists",
        );
        check(
            "2024-03-05 10:00:01 UTC::@:[4321]:CONTEXT:  f()",
            t,
            None,
            None,
            "CONTEXT:  f()",
        );
        // `%m [%p] ` with the user and database after the pid (Debian's default
        // `%m [%p] %q%u@%d `), and a report line that stands alone behind `%m [%p] `.
        check(
            "2024-03-05 10:00:01 UTC [4321] app@orders LOG:  connection authorized",
            t,
            Some(Info),
            None,
            "connection authorized",
        );
        check(
            "2024-03-05 10:00:01 UTC [4321] app@orders FATAL:  password authentication failed",
            t,
            Some(Fatal),
            None,
            "password authentication failed",
        );
        check(
            "2024-03-05 10:00:01 UTC [4321] STATEMENT:  select 1",
            t,
            None,
            None,
            "STATEMENT:  select 1",
        );
        // Not PostgreSQL: a bracket, then words and no level before `:  `.
        check(
            "2024-03-05 10:00:01 UTC [worker] Totals:  3 jobs",
            t,
            None,
            None,
            "[worker] Totals:  3 jobs",
        );
        // Not that prefix: a colon column with spaces, no `LEVEL:  ` after the pid.
        let g = p("2024-03-05 10:00:01 UTC:a b:[4321]:ERROR:  x");
        assert_eq!(g.level, None);
        let g = p("2024-03-05 10:00:01 UTC:h:[4321]:ERROR: x");
        assert_eq!(g.level, None);
    }

    #[test]
    fn common_headers() {
        use Level::*;
        check(
            "2015-10-18 18:01:47,978 ERROR [main] c.a.Foo - Connection lost",
            "2015-10-18T18:01:47.978Z",
            Some(Error),
            Some("c.a.Foo"),
            "Connection lost",
        );
        check(
            "2024-01-01 10:00:00,123 - myapp.db - ERROR - query failed",
            "2024-01-01T10:00:00.123Z",
            Some(Error),
            Some("myapp.db"),
            "query failed",
        );
        check(
            "2024/01/01 10:00:00 listening on :8080",
            "2024-01-01T10:00:00Z",
            None,
            None,
            "listening on :8080",
        );
        check(
            "E, [2024-01-01T10:00:00.123456 #1234] ERROR -- : boom",
            "2024-01-01T10:00:00.123Z",
            Some(Error),
            None,
            "boom",
        );
        check(
            "I, [2024-01-01T10:00:00.123456 #1234]  INFO -- web: Started GET",
            "2024-01-01T10:00:00.123Z",
            Some(Info),
            Some("web"),
            "Started GET",
        );
        check(
            "[2024-01-01 10:00:00] ERROR something broke",
            "2024-01-01T10:00:00Z",
            Some(Error),
            None,
            "something broke",
        );
        check(
            "INFO 2024-01-01T10:00:00Z server started",
            "2024-01-01T10:00:00Z",
            Some(Info),
            None,
            "server started",
        );
        check(
            "E0101 10:00:00.123456 1234 server.go:12] dial failed",
            "2024-01-01T10:00:00.123Z",
            Some(Error),
            Some("server.go"),
            "dial failed",
        );
        check(
            "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.MRAppMaster: Created MRAppMaster",
            "2015-10-18T18:01:47.978Z",
            Some(Info),
            Some("org.apache.hadoop.MRAppMaster"),
            "Created MRAppMaster",
        );
        check(
            "2024-01-01 10:00:00.123  INFO 4242 --- [           main] c.e.demo.App : Started App",
            "2024-01-01T10:00:00.123Z",
            Some(Info),
            Some("c.e.demo.App"),
            "Started App",
        );
        // Spring Boot's padded logger column, also with 3.4's application name bracket.
        check(
            "2024-01-01T10:00:00.123Z ERROR 1 --- [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() threw exception",
            "2024-01-01T10:00:00.123Z",
            Some(Error),
            Some("o.a.c.c.C.[.[.[/].[dispatcherServlet]"),
            "Servlet.service() threw exception",
        );
        check(
            "2024-01-01T10:00:00.123+01:00  WARN 1 --- [shop] [           main] c.a.Foo                                  : Pool is 90%: full",
            "2024-01-01T09:00:00.123Z",
            Some(Warn),
            Some("c.a.Foo"),
            "Pool is 90%: full",
        );
    }

    #[test]
    fn loghub_headers() {
        use Level::*;
        check(
            "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]",
            "2017-06-09T20:10:40Z",
            Some(Info),
            Some("executor.CoarseGrainedExecutorBackend"),
            "Registered signal handlers for [TERM, HUP, INT]",
        );
        check(
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating",
            "2008-11-09T20:36:15Z",
            Some(Info),
            Some("dfs.DataNode$PacketResponder"),
            "PacketResponder 1 terminating",
        );
        check(
            "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
            "2005-12-04T04:47:44Z",
            Some(Error),
            None,
            "mod_jk child workerEnv in error state 6",
        );
        check(
            "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
            "2005-06-03T22:42:50Z",
            Some(Info),
            Some("KERNEL"),
            "instruction cache parity error corrected",
        );
        check(
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown",
            "2024-06-14T15:16:01Z",
            None,
            Some("sshd(pam_unix)"),
            "check pass; user unknown",
        );
        check(
            "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
            "2015-07-29T17:41:44.747Z",
            Some(Info),
            None,
            "Notification time out: 3200",
        );
        check(
            "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs",
            "2024-03-17T16:13:38.811Z",
            Some(Debug),
            Some("WindowManager"),
            "printFreezingDisplayLogs",
        );
    }

    #[test]
    fn more_headers() {
        use Level::*;
        check(
            "WARNING:urllib3.connectionpool:Retrying (Retry(total=2)) after connection broken",
            "",
            Some(Warn),
            Some("urllib3.connectionpool"),
            "Retrying (Retry(total=2)) after connection broken",
        );
        check(
            "2024-01-01T10:00:00Z level=error msg=\"db down\" attempt=3",
            "2024-01-01T10:00:00Z",
            Some(Error),
            None,
            "level=error msg=\"db down\" attempt=3",
        );
        check(
            "[2024-01-01T10:00:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark",
            "2024-01-01T10:00:00.123Z",
            Some(Warn),
            None,
            "high disk watermark",
        );
        let line = "2024/03/05 17:00:00 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 192.0.2.1, server: shop, request: \"GET /api/cart HTTP/1.1\", upstream: \"http://10.0.0.12:8080/api/cart\", host: \"shop\"";
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let mut ev = Event::bare(1, line.as_bytes());
        assert!(parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx));
        assert_eq!(ev.level, Some(Error));
        assert!(
            ev.message.starts_with(b"connect() failed"),
            "{:?}",
            ev.message
        );
        assert_eq!(ev.http.method.as_deref(), Some(&b"GET"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/cart"[..]));
        assert_eq!(ev.http.upstream.as_deref(), Some(&b"10.0.0.12:8080"[..]));
    }

    #[test]
    fn clock_only_tags_and_numbers() {
        check(
            "10:00:00.123 [main] INFO  c.a.Foo - started",
            "",
            Some(Level::Info),
            Some("c.a.Foo"),
            "started",
        );
        // (A Rails request's `Completed` line: its level from its status.)
        check(
            "2024-03-05T10:00:00.123456+00:00 app[web.1]: Completed 500 in 12ms",
            "2024-03-05T10:00:00.123Z",
            Some(Level::Error),
            Some("app"),
            "Completed 500 in 12ms",
        );
        check(
            "2024/03/05 10:00:00 404 not found",
            "2024-03-05T10:00:00Z",
            None,
            None,
            "404 not found",
        );
        check(
            "2024-03-05 10:00:00 user error occurred",
            "2024-03-05T10:00:00Z",
            None,
            None,
            "user error occurred",
        );
    }

    #[test]
    fn kubernetes_cri() {
        check(
            "2024-03-05T10:00:00.123456789Z stderr F 2024-03-05 10:00:01,000 ERROR [main] c.a.B - boom",
            "2024-03-05T10:00:01Z",
            Some(Level::Error),
            Some("c.a.B"),
            "boom",
        );
        check(
            "2024-03-05T10:00:00.123456789Z stdout F plain text",
            "2024-03-05T10:00:00.123Z",
            None,
            None,
            "plain text",
        );
        let line = r#"2024-03-05T10:00:00.5Z stdout F {"level":"warn","msg":"slow","status":504}"#;
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let mut ev = Event::bare(1, line.as_bytes());
        assert!(parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx));
        assert_eq!(ev.level, Some(Level::Warn));
        assert_eq!(&*ev.message, b"slow");
        assert_eq!(ev.http.status, Some(504));
        assert_eq!(ev.time, Some(1_709_632_800_500));
        let line = r#"2024-03-05T10:00:00Z web-1 {"lvl":"error","msg":"x"}"#;
        let mut ev = Event::bare(1, line.as_bytes());
        parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx);
        assert_eq!(
            &*ev.message, br#"web-1 {"lvl":"error","msg":"x"}"#,
            "only right after the header"
        );
        let line = r#"2024-03-05T10:00:00Z {"lvl":"error","msg":"x"}"#;
        let mut ev = Event::bare(1, line.as_bytes());
        parse(line.as_bytes(), line.as_bytes(), &mut ev, &ctx);
        assert_eq!((ev.level, &*ev.message), (Some(Level::Error), &b"x"[..]));
    }

    /// Synthetic lines in the shapes of other Loghub-2.0 layouts (invented values).
    #[test]
    fn column_layouts() {
        use Level::*;
        // Compact stamp with colon milliseconds, then pipe columns: component | pid | msg.
        check(
            "20240305-10:11:12:345|Sensor_Hub|40001234|onStepCountChanged 812",
            "2024-03-05T10:11:12.345Z",
            None,
            Some("Sensor_Hub"),
            "onStepCountChanged 812",
        );
        check(
            "20240305-10:11:12:345|Sensor_Hub|40001234|flush",
            "2024-03-05T10:11:12.345Z",
            None,
            Some("Sensor_Hub"),
            "flush",
        );
        // A file-name column before an oslo.log line; the context bracket is header.
        check(
            "svc-api.log.2.2024-03-05_10:00:00 2024-03-05 10:00:00.123 4242 INFO svc.api.wsgi.server [req-0c5a1f9e-8f7e-4b9a-9d3c-2b1e4f6a7c8d 0a1b2c3d4e5f 9f8e7d6c5b4a - - -] 10.0.0.5 \"GET /v2/tenants HTTP/1.1\" status: 200 len: 512",
            "2024-03-05T10:00:00.123Z",
            Some(Info),
            Some("svc.api.wsgi.server"),
            "10.0.0.5 \"GET /v2/tenants HTTP/1.1\" status: 200 len: 512",
        );
        check(
            "2024-03-05 10:00:00.123 4242 WARNING svc.compute.manager [-] [instance: 1b2c3d4e] VM Stopped",
            "2024-03-05T10:00:00.123Z",
            Some(Warn),
            Some("svc.compute.manager"),
            "[instance: 1b2c3d4e] VM Stopped",
        );
        // Alert tag, epoch, date, node, then a syslog line: the epoch gives the time.
        check(
            "- 1700000000 2023.11.14 cn42 Nov 14 22:13:20 cn42/cn42 crond(pam_unix)[3001]: session opened for user nobody",
            "2023-11-14T22:13:20Z",
            None,
            Some("crond(pam_unix)"),
            "session opened for user nobody",
        );
        check(
            "ECC 1700000000 2023.11.14 cn42 Nov 14 22:13:20 local@cn42 kernel: EDAC MC0: bus error",
            "2023-11-14T22:13:20Z",
            None,
            Some("kernel"),
            "EDAC MC0: bus error",
        );
        // Record id, id-like columns, epoch, flag, message.
        check(
            "52113 node-7 unix.hw state_change.unavailable 1100000000 1 Component State Change: Component fan3 is unavailable (HWID=12)",
            "2004-11-09T11:33:20Z",
            None,
            None,
            "Component State Change: Component fan3 is unavailable (HWID=12)",
        );
        check(
            "90210 node-33 action start 1100000001 -1 clusterAddMember (command 77)",
            "2004-11-09T11:33:21Z",
            None,
            None,
            "clusterAddMember (command 77)",
        );
        // Level after `, ` and a padded component column.
        check(
            "2024-03-05 10:00:00, Info                  CBS    Loaded Servicing Stack v1.2.3 with Core: C:\\Windows\\x.dll",
            "2024-03-05T10:00:00Z",
            Some(Info),
            Some("CBS"),
            "Loaded Servicing Stack v1.2.3 with Core: C:\\Windows\\x.dll",
        );
        check(
            "2024-03-05 10:00:01, Error                 CSI    00000007 (F) open failed",
            "2024-03-05T10:00:01Z",
            Some(Error),
            Some("CSI"),
            "00000007 (F) open failed",
        );
        // `program - msg` after a bracketed stamp; a short qualifier may follow the name.
        check(
            "[03.05 10:11:12] browser.exe - host.example.org:443 open through proxy p.example.org:8080 HTTPS",
            "2024-03-05T10:11:12Z",
            None,
            Some("browser.exe"),
            "host.example.org:443 open through proxy p.example.org:8080 HTTPS",
        );
        check(
            "[03.05 10:11:12] updater.exe *64 - 10.0.0.1:135 error : could not connect - refused",
            "2024-03-05T10:11:12Z",
            None,
            Some("updater.exe"),
            "10.0.0.1:135 error : could not connect - refused",
        );
        // log4j `%d %c - %m` and `%d [%t] %c - %m`.
        check(
            "2024-03-05 10:00:00,000 com.acme.Foo - started worker 3",
            "2024-03-05T10:00:00Z",
            None,
            Some("com.acme.Foo"),
            "started worker 3",
        );
        check(
            "2024-03-05 10:00:00,000 [main] com.acme.Foo - started worker 3",
            "2024-03-05T10:00:00Z",
            None,
            Some("com.acme.Foo"),
            "started worker 3",
        );
        // `%d - %p [%t:%C@%L] - %m`: what follows the separator is message, dashes and all.
        check(
            "2024-03-05 10:00:00,000 - INFO  [Main[id=2]/0.0.0.0:2181:Leader@100] - LEADING - ELECTION TOOK - 12",
            "2024-03-05T10:00:00Z",
            Some(Info),
            None,
            "LEADING - ELECTION TOOK - 12",
        );
        // Apache: a client address bracket is what the message is about.
        check(
            "[Tue Mar 05 10:00:00 2024] [error] [client 192.0.2.7] File does not exist: /srv/x",
            "2024-03-05T10:00:00Z",
            Some(Error),
            None,
            "[client 192.0.2.7] File does not exist: /srv/x",
        );
    }

    #[test]
    fn prose_is_not_columns() {
        // Double spaces in prose after a `%-5p` level are not a component column.
        check(
            "2024-03-05 10:00:00 INFO  Failed  to connect",
            "2024-03-05T10:00:00Z",
            Some(Level::Info),
            None,
            "Failed  to connect",
        );
        for line in [
            "Backup started at 2024-03-05 10:00:00 on host db1",
            "- item one",
            "v2.1 released today",
            "42 is the answer 1700000000 times",
            "GET 1700000000 /x",
        ] {
            let g = p(line);
            assert_eq!((g.time, g.level), (None, None), "{line}");
            assert_eq!(g.msg, line);
        }
    }

    #[test]
    fn no_header_is_whole_line() {
        let g = p("just some text: with a colon");
        assert_eq!((g.time, g.level), (None, None));
        assert_eq!(g.msg, "just some text: with a colon");
        let g = p("Error reading file");
        assert_eq!(g.level, None);
        let g = p("WARN disk almost full");
        assert_eq!(
            (g.level, g.msg.as_str()),
            (Some(Level::Warn), "disk almost full")
        );
    }

    /// Every line of the bundled test logs (all formats, messy input too).
    fn fixture_lines() -> Vec<Vec<u8>> {
        fn walk(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            entries.sort();
            for p in entries {
                if p.is_dir() {
                    walk(&p, out);
                } else if let Ok(data) = std::fs::read(&p) {
                    out.extend(data.split(|&c| c == b'\n').take(2000).map(<[u8]>::to_vec));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
            &mut out,
        );
        out
    }

    fn joins_agree(prev: &[u8], line: &[u8], above: &[u8]) {
        // (`above` before `prev`: the PostgreSQL and Rails rules look back.)
        let mut before = above.to_vec();
        before.push(b'\n');
        let start = before.len();
        before.extend_from_slice(prev);
        let f = Format::Plain;
        assert_eq!(
            f.joins(&before, start, line),
            f.joins_by_every_rule(&before, start, line),
            "{:?} then {:?}",
            String::from_utf8_lossy(prev),
            String::from_utf8_lossy(line)
        );
    }

    #[test]
    fn dated_pair_shortcut_agrees_with_every_rule_on_the_test_logs() {
        let lines = fixture_lines();
        assert!(lines.len() > 1000, "{}", lines.len());
        let dated: Vec<&Vec<u8>> = lines
            .iter()
            .filter(|l| l.first().is_some_and(u8::is_ascii_digit))
            .collect();
        let mut shortcut = 0;
        for w in lines.windows(3) {
            joins_agree(&w[1], &w[2], &w[0]);
            shortcut += usize::from(dated_pair_joins(&w[1], 0, &w[2]).is_some());
        }
        // Each dated line after every 7th other line and before it.
        for (i, a) in dated.iter().enumerate() {
            for b in lines.iter().skip(i % 7).step_by(7) {
                joins_agree(a, b, b"");
                joins_agree(b, a, a);
            }
        }
        assert!(shortcut > 100, "{shortcut}");
        // Ruby's report of an uncaught exception and a Ruby frame in a path that starts with
        // a digit join a dated line before them (the Ruby Logger rule, for lines ending in
        // `)` and `'`).
        let dated = b"2026-11-30 10:00:00 INFO worker started";
        for line in [
            &b"2fa/app/jobs/sync.rb:9:in 'perform': undefined method 'id' for nil (NoMethodError)"
                [..],
            b"2fa/app/models/order.rb:42:in 'find'",
        ] {
            assert!(Format::Plain.joins(dated, 0, line));
            joins_agree(dated, line, b"");
        }
    }

    /// `generic` with and without the log4j shortcut agree on `line` and on what follows
    /// each of its first spaces (a line behind a prefix); how often the shortcut answered.
    fn log4j_shortcut_agrees(line: &[u8], tc: &TimeCtx) -> usize {
        let mut used = 0;
        let starts = std::iter::once(0).chain(
            line.iter()
                .take(120)
                .enumerate()
                .filter(|(_, &c)| c == b' ')
                .map(|(i, _)| i + 1),
        );
        for at in starts {
            let b = &line[at..];
            assert_eq!(
                generic_with(b, tc, true),
                generic_with(b, tc, false),
                "{:?}",
                String::from_utf8_lossy(b)
            );
            if let Some((_, n, _)) = leading_stamp(b, tc) {
                used += usize::from(log4j_columns(b, n).is_some());
            }
        }
        used
    }

    #[test]
    fn log4j_shortcut_agrees_with_generic_on_the_test_logs() {
        let cfg = ParseConfig::default();
        let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
        let tc = &ctx.time;
        let used: usize = fixture_lines()
            .iter()
            .map(|l| log4j_shortcut_agrees(l, tc))
            .sum();
        assert!(used > 200, "{used}");
        // Each thing that keeps a line off the shortcut, next to its shortcut twin.
        let twins: [(&[u8], &[u8]); 14] = [
            (b"INFO  [main] c.a.Foo - x", b"Info  [main] c.a.Foo - x"),
            (b"ERROR [main] app - x", b"ERROR [main] from - x"),
            (b"ERROR [main] app - x", b"ERROR [main] in - x"),
            (b"WARN [worker-1] c.a.B - x", b"WARN [worker 1] c.a.B - x"),
            (b"WARN [t] c.a.B - x", b"WARN [k=v] c.a.B - x"),
            (b"WARN [t] c.a.B - x", b"WARN [t] (exec-1) c.a.B - x"),
            (b"WARN [t] c.a.B - x", b"WARN [t] c.a.B: - x"),
            (b"INFO api - x", b"INFO 10.0.0.5:5050 - x"),
            (b"INFO api - x", b"INFO api : x"),
            (b"INFO api - x", b"INFO 1234 - x"),
            (b"WARN [t] ab - x", b"WARN [t] a\"b - x"),
            (b"WARN [t] ab - x", b"WARN [t] (12): x"),
            (b"WARN [t] ab - x", b"WARN [t] a=b - x"),
            (
                b"WARN [a,0123456789abcdef,0123456789abcd] c.a.B - x",
                b"WARN [a,0123456789abcdef,0123456789abcdef] c.a.B - x",
            ),
        ];
        for (on, off) in twins {
            for (cols, shortcut) in [(on, true), (off, false)] {
                let line = [&b"2026-11-30 10:00:00,123 "[..], cols].concat();
                assert_eq!(log4j_columns(&line, 23).is_some(), shortcut, "{cols:?}");
                assert_eq!(log4j_shortcut_agrees(&line, tc) > 0, shortcut);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn log4j_shortcut_agrees_with_generic(
            stamp in "(2026-11-30[ T]10:00:00(,123|\\.456Z|Z)?|10:00:00)",
            pad in "[ \t]{1,3}",
            level in "(INFO|WARN|ERROR|DEBUG|TRACE|FATAL|WARNING|Info|GET|LOG|[A-Z]{1,6})",
            thread in "(\\[[a-z0-9 =\\[\\](:.,-]{0,8}\\][ \t(]{1,2}|\\[[a-f0-9,-]{30,50}\\] |\\[[ -~]{0,40}\\] )?",
            name in "(from|in|c\\.a\\.Foo|app:fn:12|10\\.0\\.0\\.5:80|[ -~]{1,12})",
            sep in "( - | : |  - | -|-| -  )",
            tail in "[ -~]{0,20}",
        ) {
            let line = format!("{stamp}{pad}{level}{pad}{thread}{name}{sep}{tail}");
            let cfg = ParseConfig::default();
            let ctx = Ctx::new(&cfg, crate::record::Format::Plain);
            log4j_shortcut_agrees(line.as_bytes(), &ctx.time);
        }
    }

    proptest::proptest! {
        #[test]
        fn dated_pair_shortcut_agrees_with_every_rule(
            above in "[0-9\t][ -~]{0,40}",
            prev in "[0-9][-0-9/ :.,T]{0,24}[ -~]{0,30}[):'\r]{0,2}",
            line in "[0-9][-0-9/ :.,T@x]{0,24}[ -~]{0,30}[):'\r]{0,2}",
        ) {
            joins_agree(prev.as_bytes(), line.as_bytes(), above.as_bytes());
            let same = format!("{}{}", &prev[..prev.len().min(24)], &line[line.len().min(24)..]);
            joins_agree(prev.as_bytes(), same.as_bytes(), above.as_bytes());
        }
    }
}
