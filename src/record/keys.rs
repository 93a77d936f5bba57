//! Which structured key (JSON or logfmt) feeds which [`Event`] field.
//!
//! One `match` on the key bytes (the compiler turns it into length + memcmp checks, no hash
//! and no allocation). Nested JSON keys are matched by their dotted path (`http.status_code`).
//! The number returned with a role is its priority: when several keys of one role are present,
//! the lowest number wins (`msg` over `log`, `latency_ms` over `duration`). User keys from
//! `--message-key`/`--time-key`/`--level-key` are checked first ([`UserKeys`]).
//!
//! Latency units, decided by the key: `*_ms`, `took`, `response_time`/`responseTime`
//! (pino-http, morgan) are milliseconds; `*_us` microseconds; `*_ns` and ECS `event.duration`
//! nanoseconds; `*_s`, `duration_seconds` and Nginx's `request_time` seconds. Unit-less
//! `duration`/`latency`/`elapsed`: a number is milliseconds (the most common choice of
//! app loggers; Caddy, loggers `http.log.…` and `http.handlers.…`, writes seconds and Traefik's
//! `Duration` nanoseconds, and they are read so), a string is a Go duration (`1.5s`,
//! `250ms`, `1m2s`) as zap/logrus and GCP's `httpRequest.latency` write it. Any latency key
//! holding a Go duration string is read as one; Echo's `latency_human` (its `latency` in
//! nanoseconds as a Go duration) wins over `latency`.

use std::borrow::Cow;

use super::time::{self, TimeCtx};
use super::{level, Event, ParseConfig};

/// Unit of a latency key's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Ms,
    Us,
    Ns,
    S,
    /// No unit in the name: a number is milliseconds, a string a Go duration (`1.5s`).
    Auto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Message,
    Time,
    Level,
    Method,
    Path,
    Status,
    Latency(Unit),
    Upstream,
    /// An outbound URL whose host is the upstream.
    UpstreamUrl,
    /// A whole request line (`GET /path HTTP/1.1`, Nginx's `$request` in a JSON log_format):
    /// method and path unless keys of their own give them.
    RequestLine,
    Logger,
    TraceId,
}

/// The role of a (dotted) key, with its priority.
pub fn role(key: &[u8]) -> Option<(Role, u8)> {
    use Role::*;
    use Unit::*;
    Some(match key {
        b"msg" => (Message, 0),
        b"message" => (Message, 1),
        b"@message" => (Message, 2),
        b"@m" | b"@mt" => (Message, 3),
        b"text" => (Message, 4),
        b"log" => (Message, 5),
        b"event" => (Message, 6),
        // Google Cloud Logging's payloads.
        b"textPayload" | b"jsonPayload.message" => (Message, 7),
        // `journalctl -o json`.
        b"MESSAGE" => (Message, 8),
        // .NET: the JSON console formatter (`Message`), Serilog's `JsonFormatter`.
        b"Message" | b"RenderedMessage" => (Message, 9),
        b"MessageTemplate" => (Message, 10),
        // Sidekiq's job-failure context (`{"context":"Job raised exception","job":{…}}`).
        b"context" => (Message, 11),
        // GELF (Graylog; Spring Boot's `gelf` structured logging).
        b"short_message" => (Message, 12),
        // OpenTelemetry's log record (the OTLP JSON's `body.stringValue`, exporters' `body`).
        b"body" | b"body.stringValue" => (Message, 13),

        b"ts" => (Time, 0),
        b"time" => (Time, 1),
        b"timestamp" => (Time, 2),
        b"@timestamp" => (Time, 3),
        b"t" | b"@t" => (Time, 4),
        b"date" | b"datetime" => (Time, 5),
        b"time_local" | b"time_iso8601" | b"timeMillis" => (Time, 6),
        b"t.$date" => (Time, 7),
        b"__REALTIME_TIMESTAMP" => (Time, 8),
        b"Timestamp" => (Time, 9),
        // python-json-logger's `%(asctime)s`.
        b"asctime" => (Time, 10),
        // Envoy's and Istio's JSON access log.
        b"start_time" => (Time, 11),
        // OpenTelemetry's log record: nanoseconds since the epoch (as a string in OTLP JSON).
        b"timeUnixNano" | b"time_unix_nano" => (Time, 12),
        b"observedTimeUnixNano" | b"observed_time_unix_nano" => (Time, 13),
        // Log4j 2's `JsonLayout`: `"instant":{"epochSecond":…,"nanoOfSecond":…}`.
        b"instant.epochSecond" => (Time, 14),

        b"level" => (Level, 0),
        b"severity" => (Level, 1),
        b"lvl" => (Level, 2),
        b"loglevel" | b"log_level" | b"logLevel" => (Level, 3),
        b"log.level" => (Level, 4),
        b"levelname" | b"level_name" | b"levelName" => (Level, 5),
        b"@l" | b"@level" | b"severity_text" | b"severityText" => (Level, 6),
        // MongoDB's one-letter severity; a value that is no level stays a plain field.
        b"s" => (Level, 7),
        b"PRIORITY" => (Level, 8),
        b"LogLevel" | b"Level" => (Level, 9),

        b"http.request.method" => (Method, 0),
        b"http.method" => (Method, 1),
        b"req.method" => (Method, 2),
        b"request.method" => (Method, 3),
        b"method" | b"http_method" | b"request_method" => (Method, 4),
        b"httpRequest.requestMethod" => (Method, 5),
        // Serilog's ASP.NET Core request logging.
        b"RequestMethod" => (Method, 6),
        // .NET's JSON console formatter (the hosting log's state), Serilog's `JsonFormatter`.
        b"State.Method" | b"Properties.RequestMethod" => (Method, 7),

        b"url" => (Path, 0),
        b"path" => (Path, 1),
        b"uri" => (Path, 2),
        b"http.url" | b"http.target" | b"http.path" | b"http.uri" => (Path, 3),
        b"request.path" | b"request.url" | b"request.uri" => (Path, 4),
        b"req.url" | b"req.path" | b"req.originalUrl" => (Path, 5),
        b"url.path" | b"url.original" | b"http.request.path" => (Path, 6),
        b"request_uri" | b"request_path" => (Path, 7),
        b"httpRequest.requestUrl" => (Path, 8),
        b"RequestPath" => (Path, 9),
        b"State.Path" | b"Properties.RequestPath" => (Path, 10),

        b"status" => (Status, 0),
        b"status_code" | b"statusCode" => (Status, 1),
        b"http.status_code" | b"http.status" => (Status, 2),
        b"res.statusCode" | b"res.status" => (Status, 3),
        b"http.response.status_code" => (Status, 4),
        b"response.status" | b"response.status_code" | b"response.statusCode" => (Status, 5),
        b"http_status" | b"response_code" | b"httpRequest.status" => (Status, 6),
        b"StatusCode" => (Status, 7),
        // Traefik's access log.
        b"DownstreamStatus" => (Status, 8),
        b"State.StatusCode" | b"Properties.StatusCode" => (Status, 9),

        b"latency_ms" | b"duration_ms" | b"elapsed_ms" => (Latency(Ms), 0),
        b"response_time_ms" | b"took_ms" | b"time_ms" | b"request_time_ms" => (Latency(Ms), 1),
        b"responseTime" | b"response_time" | b"took" | b"Elapsed" => (Latency(Ms), 2),
        b"latency_us" | b"duration_us" | b"elapsed_us" => (Latency(Us), 3),
        b"latency_ns" | b"duration_ns" | b"elapsed_ns" | b"event.duration" => (Latency(Ns), 3),
        b"latency_s" | b"duration_s" | b"elapsed_s" | b"duration_seconds" => (Latency(S), 3),
        b"request_time" => (Latency(S), 4),
        // Echo's request logger: `latency` in nanoseconds, and the same as a Go duration.
        b"latency_human" => (Latency(Auto), 4),
        b"latency" | b"duration" | b"elapsed" | b"httpRequest.latency" => (Latency(Auto), 5),
        b"Duration" => (Latency(Auto), 6),
        b"ElapsedMilliseconds" | b"State.ElapsedMilliseconds" => (Latency(Ms), 7),
        b"Properties.Elapsed" => (Latency(Ms), 7),

        b"upstream" | b"upstream_host" => (Upstream, 0),
        b"peer.service" | b"upstream_addr" => (Upstream, 1),
        b"peer.hostname" | b"net.peer.name" | b"server.address" => (Upstream, 2),
        b"upstream_url" | b"target_url" | b"outbound_url" => (UpstreamUrl, 3),
        b"request" => (RequestLine, 0),

        b"logger" | b"logger_name" | b"loggerName" | b"log.logger" => (Logger, 0),
        b"service" | b"service.name" | b"service_name" => (Logger, 1),
        b"app" | b"application" | b"program" => (Logger, 2),
        b"component" | b"module" => (Logger, 3),
        b"name" => (Logger, 4),
        b"SYSLOG_IDENTIFIER" => (Logger, 5),
        b"_SYSTEMD_UNIT" => (Logger, 6),
        // .NET: the JSON console formatter's category, Serilog's source context.
        b"Category" | b"SourceContext" | b"Properties.SourceContext" => (Logger, 7),
        // Rust's tracing-subscriber JSON: the event's target, a module path.
        b"target" => (Logger, 8),
        b"_log_logger" | b"_logger_name" => (Logger, 9),
        // OpenTelemetry's resource attribute, as exporters write it beside the record.
        b"resource.service.name" => (Logger, 10),
        // Monolog's JSON formatter (Laravel, Symfony).
        b"channel" => (Logger, 11),

        b"trace_id" | b"traceId" | b"traceid" | b"trace.id" => (TraceId, 0),
        b"request_id" | b"requestId" | b"req_id" | b"reqId" => (TraceId, 1),
        b"x-request-id" | b"x_request_id" | b"X-Request-Id" => (TraceId, 2),
        b"correlation_id" | b"correlationId" | b"correlation-id" => (TraceId, 3),
        b"dd.trace_id" | b"span.trace_id" => (TraceId, 4),
        b"logging.googleapis.com/trace" => (TraceId, 5),
        // Serilog's compact `@tr`, ASP.NET Core's request id (Serilog's properties, the
        // JSON console formatter's Kestrel state).
        b"@tr" | b"TraceId" | b"Properties.TraceId" => (TraceId, 6),
        b"RequestId" | b"Properties.RequestId" | b"State.TraceIdentifier" => (TraceId, 7),

        _ => return None,
    })
}

/// A latency value in milliseconds: a number in `unit`, or a Go-style duration string
/// (`1.5s`, `250ms`, `1m2.5s`, `120µs`, `30000ms`) whatever the key says.
pub fn latency_ms(v: &[u8], unit: Unit) -> Option<f64> {
    let v = v.trim_ascii();
    if v.is_empty() {
        return None;
    }
    if v.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        let n: f64 = std::str::from_utf8(v).ok()?.parse().ok()?;
        return Some(match unit {
            Unit::Ms | Unit::Auto => n,
            Unit::Us => n / 1e3,
            Unit::Ns => n / 1e6,
            Unit::S => n * 1e3,
        });
    }
    go_duration_ms(v)
}

/// Go `time.Duration` string → milliseconds.
pub fn go_duration_ms(v: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut total = 0.0;
    let mut any = false;
    while i < v.len() {
        let s = i;
        while i < v.len() && (v[i].is_ascii_digit() || v[i] == b'.') {
            i += 1;
        }
        if s == i {
            return None;
        }
        let n: f64 = std::str::from_utf8(&v[s..i]).ok()?.parse().ok()?;
        if v.get(i) == Some(&b' ') {
            // `12 ms`
            i += 1;
        }
        let u = i;
        while i < v.len() && !(v[i].is_ascii_digit() || v[i] == b'.') {
            i += 1;
        }
        let mult = match &v[u..i] {
            b"h" => 3_600_000.0,
            b"m" => 60_000.0,
            b"s" => 1_000.0,
            b"ms" => 1.0,
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1e-3,
            b"ns" => 1e-6,
            _ => return None,
        };
        total += n * mult;
        any = true;
    }
    any.then_some(total)
}

/// Host of a URL (`https://api.example.com:443/x` → `api.example.com:443`), or the value
/// itself when it has no scheme.
pub fn url_host(v: &[u8]) -> &[u8] {
    let rest = match memchr::memmem::find(v, b"://") {
        Some(i) => &v[i + 3..],
        None => v,
    };
    let end = rest
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    match memchr::memchr(b'@', host) {
        Some(i) => &host[i + 1..],
        None => host,
    }
}

/// Rank of a key whose value says what went wrong (zap/logrus `err`/`error`, ECS
/// `error.message`, an exception's type), best first; `None` for other keys.
fn error_rank(key: &[u8]) -> Option<u8> {
    Some(match key {
        b"err" | b"error" => 0,
        // (MongoDB's error object: `{"code":6,"codeName":"HostUnreachable","errmsg":…}`.)
        b"error.message" | b"err.message" | b"error.msg" | b"err.msg" | b"error.errmsg"
        | b"thrown.message" => 1,
        b"error_message" | b"errorMessage" | b"error_msg" | b"exception.message"
        | b"_error_message" => 2,
        b"exception" | b"exc" | b"exc_info" | b"Exception" | b"@x" => 3,
        b"error.type" | b"error.kind" | b"exception.type" | b"error_type" | b"errorType"
        | b"_error_type" | b"error.codeName" | b"thrown.name" | b"exception.class" => 4,
        // pino's and bunyan's serialized error: `err.stack`.
        b"stack_trace" | b"stacktrace" | b"stack" | b"error.stack_trace" | b"error.stack"
        | b"err.stack" => 5,
        _ => return None,
    })
}

/// Whether a structured key holds what went wrong (see [`with_error_text`]).
pub fn is_error_key(key: &[u8]) -> bool {
    error_rank(key).is_some()
}

/// Whether a structured key holds an error's text (not its type or stack trace).
pub fn is_error_text_key(key: &[u8]) -> bool {
    error_rank(key).is_some_and(|r| r <= 2)
}

/// Longest error text kept from a field.
const MAX_ERROR_TEXT: usize = 200;

/// The line of an error field's value that says what went wrong: a Python traceback's last
/// line (`redis.exceptions.ConnectionError: Error 111 connecting to redis-master:6379.`), else
/// the first (a Java stack's `java.lang.IllegalStateException: boom`), at most 200 bytes.
pub fn error_line(v: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    if v.len() <= MAX_ERROR_TEXT && memchr::memchr(b'\n', &v).is_none() {
        return v;
    }
    let mut lines = v
        .split(|&c| c == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .filter(|l| !l.trim_ascii().is_empty());
    // Every slice taken here must lie inside `v` (see `sub`): an empty value gives `v[..0]`.
    let first = lines.next().unwrap_or(&v[..0]);
    let line = if first
        .trim_ascii()
        .starts_with(b"Traceback (most recent call last)")
    {
        lines
            .rfind(|l| !l.first().is_some_and(u8::is_ascii_whitespace))
            .unwrap_or(first)
    } else {
        first
    };
    let line = line.trim_ascii();
    let line = &line[..line.len().min(MAX_ERROR_TEXT)];
    sub(&v, line)
}

/// Appends the error field of a structured event to its message: `msg="query failed"
/// err="dial tcp 10.0.3.7:5432: connect: connection refused"` is templated (and shown) as
/// `query failed: dial tcp <IP>:<NUM>: connect: connection refused`. Services log a generic
/// message and put the cause in a field; without it, "query failed" from a refused connection
/// and from a syntax error would be one template. The field stays among the event's fields.
/// Values that say nothing (`true`, `null`, `nil`, empty) and text the message already holds
/// are left out. Call after the message key was assigned.
pub fn with_error_text(ev: &mut Event<'_>) {
    let mut best: Option<(u8, usize)> = None;
    for (i, (k, v)) in ev.fields.iter().enumerate() {
        let Some(r) = error_rank(k) else {
            continue;
        };
        let v = v.trim_ascii();
        let empty = v.len() <= 5
            && [
                &b""[..],
                b"true",
                b"false",
                b"null",
                b"nil",
                b"<nil>",
                b"none",
                b"-",
                b"0",
                b"ok",
                b"n/a",
            ]
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w));
        if !empty && best.is_none_or(|(b, _)| r < b) {
            best = Some((r, i));
        }
    }
    let Some((_, i)) = best else {
        return;
    };
    let err = ev.fields[i].1.trim_ascii();
    if memchr::memmem::find(&ev.message, err).is_some() {
        return;
    }
    let mut m = Vec::with_capacity(ev.message.len() + 2 + err.len());
    m.extend_from_slice(ev.message.trim_ascii_end());
    m.extend_from_slice(b": ");
    m.extend_from_slice(err);
    ev.message = Cow::Owned(m);
}

/// Keys given with `--message-key`/`--time-key`/`--level-key`, checked before the built-ins.
#[derive(Default)]
pub struct UserKeys {
    keys: Vec<(Vec<u8>, Role)>,
}

impl UserKeys {
    pub fn new(cfg: &ParseConfig) -> UserKeys {
        let mut keys = Vec::new();
        for (list, role) in [
            (&cfg.message_keys, Role::Message),
            (&cfg.time_keys, Role::Time),
            (&cfg.level_keys, Role::Level),
        ] {
            keys.extend(list.iter().map(|k| (k.as_bytes().to_vec(), role)));
        }
        UserKeys { keys }
    }

    /// The role of a (dotted) key: user keys first (priority 0), then the built-in table.
    #[inline]
    pub fn lookup(&self, key: &[u8]) -> Option<(Role, u8)> {
        if !self.keys.is_empty() {
            if let Some((_, r)) = self.keys.iter().find(|(k, _)| k == key) {
                return Some((*r, 0));
            }
        }
        role(key).map(|(r, p)| (r, p + 1))
    }
}

/// Assigns values to event fields, keeping for each role the value of the best-priority key.
pub struct Assign {
    best: [u8; 11],
    /// The latency came from a unit-less key holding a bare number (read as milliseconds).
    pub latency_unitless: bool,
}

impl Default for Assign {
    fn default() -> Self {
        Assign {
            best: [u8::MAX; 11],
            latency_unitless: false,
        }
    }
}

fn slot(r: Role) -> usize {
    match r {
        Role::Message => 0,
        Role::Time => 1,
        Role::Level => 2,
        Role::Method => 3,
        Role::Path => 4,
        Role::Status => 5,
        Role::Latency(_) => 6,
        Role::Upstream | Role::UpstreamUrl => 7,
        Role::Logger => 8,
        Role::TraceId => 9,
        Role::RequestLine => 10,
    }
}

/// Whether `v` can be an HTTP method: 3 to 12 letters, all upper or all lower case.
fn http_method(v: &[u8]) -> bool {
    (3..=12).contains(&v.len())
        && (v.iter().all(u8::is_ascii_uppercase) || v.iter().all(u8::is_ascii_lowercase))
}

/// A sub-slice of a borrowed-or-owned value, still borrowed when the value was. `part` should
/// lie inside `v`; if it does not, it is copied rather than trusted.
fn sub<'a>(v: &Cow<'a, [u8]>, part: &[u8]) -> Cow<'a, [u8]> {
    if let Cow::Borrowed(b) = v {
        let inside = (part.as_ptr() as usize)
            .checked_sub(b.as_ptr() as usize)
            .and_then(|start| b.get(start..start.checked_add(part.len())?));
        if let Some(s) = inside {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(part.to_vec())
}

impl Assign {
    /// Offers `v` for `role`. Returns it back when it was not used (a time that is no time),
    /// so the caller can keep it as a plain field without having cloned it.
    pub fn offer<'a>(
        &mut self,
        ev: &mut Event<'a>,
        role: Role,
        prio: u8,
        v: Cow<'a, [u8]>,
        tc: &TimeCtx,
    ) -> Option<Cow<'a, [u8]>> {
        let s = slot(role);
        if prio >= self.best[s] {
            // A better key already filled this role; a worse one is still no plain field.
            return None;
        }
        // An empty or `-` name is no name: Heroku's router writes `service=` (its latency)
        // empty when the app crashed, Nginx JSON formats `"upstream":"-"` without one.
        if matches!(role, Role::Logger | Role::TraceId | Role::Upstream)
            && matches!(v.trim_ascii(), b"" | b"-")
        {
            return Some(v);
        }
        match role {
            Role::Message => ev.message = v,
            Role::Time => match time::parse_value(&v, tc) {
                Some(t) => ev.time = Some(t),
                None => {
                    ev.time_rejected = true;
                    return Some(v);
                }
            },
            Role::Level => match level::from_value(v.trim_ascii()) {
                Some(l) => ev.level = Some(l),
                None => return Some(v),
            },
            // A method is one word of letters (`GET`, `PROPFIND`, axios' `get`); hashicorp's
            // `method=Catalog.Register` is an RPC's name.
            Role::Method if !http_method(v.trim_ascii()) => return Some(v),
            Role::Method => ev.http.method = Some(v),
            Role::Path => ev.http.path = Some(v),
            // In free-form JSON, `status` may be any number; only real HTTP codes count.
            Role::Status => match super::access::status_code(v.trim_ascii()) {
                Some(n) if (100..=599).contains(&n) => ev.http.status = Some(n),
                _ => {
                    // Datadog's `status` is the level (`"status":"warn"`), unless a level
                    // key says otherwise; it stays a field too.
                    let lvl = slot(Role::Level);
                    if self.best[lvl] == u8::MAX {
                        if let Some(l) = level::from_value(v.trim_ascii()) {
                            ev.level = Some(l);
                            self.best[lvl] = u8::MAX - 1;
                        }
                    }
                    return Some(v);
                }
            },
            Role::Latency(unit) => match latency_ms(&v, unit) {
                Some(ms) => {
                    ev.http.latency_ms = Some(ms);
                    self.latency_unitless = unit == Unit::Auto
                        && v.trim_ascii()
                            .iter()
                            .all(|c| c.is_ascii_digit() || *c == b'.');
                }
                None => return Some(v),
            },
            Role::Upstream => ev.http.upstream = Some(v),
            Role::UpstreamUrl => {
                let host = url_host(&v);
                if host.is_empty() {
                    return Some(v);
                }
                ev.http.upstream = Some(sub(&v, host));
            }
            Role::Logger => ev.logger = Some(v),
            Role::TraceId => ev.trace_id = Some(v),
            Role::RequestLine => {
                let Some((m, p)) = super::access::request_parts(&v) else {
                    return Some(v);
                };
                if !p.starts_with(b"/") && !p.contains(&b':') {
                    return Some(v);
                }
                // Keys of their own (`request_method`, `uri`) win whenever they come.
                const WEAK: u8 = u8::MAX - 1;
                if self.best[slot(Role::Method)] == u8::MAX {
                    ev.http.method = Some(sub(&v, m));
                    self.best[slot(Role::Method)] = WEAK;
                }
                if self.best[slot(Role::Path)] == u8::MAX {
                    ev.http.path = Some(sub(&v, p));
                    self.best[slot(Role::Path)] = WEAK;
                }
            }
        }
        self.best[s] = prio;
        None
    }

    /// Whether a message key was seen.
    pub fn has_message(&self) -> bool {
        self.best[0] != u8::MAX
    }

    /// Whether the message came from Serilog's compact `@m`/`@mt`.
    pub fn compact_message(&self) -> bool {
        self.filled_by(b"@m")
    }

    /// Whether the time came from Log4j 2's `instant.epochSecond` (whole seconds; its
    /// `nanoOfSecond` is the rest).
    pub fn time_of_instant(&self) -> bool {
        self.filled_by(b"instant.epochSecond")
    }

    /// Whether the built-in key `key` filled its role.
    fn filled_by(&self, key: &[u8]) -> bool {
        // (A built-in key's priority as `UserKeys::lookup` gives it.)
        role(key).is_some_and(|(r, p)| self.best[slot(r)] == p + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_methods_are_one_word_of_letters() {
        for m in ["GET", "POST", "PROPFIND", "get", "delete"] {
            assert!(http_method(m.as_bytes()), "{m}");
        }
        for m in [
            "Catalog.Register",
            "Get",
            "GO",
            "/pkg.Svc/Call",
            "GET /x",
            "",
        ] {
            assert!(!http_method(m.as_bytes()), "{m}");
        }
    }

    #[test]
    fn error_line_picks_the_line_that_names_the_error() {
        let line = |v: &str| {
            String::from_utf8_lossy(&error_line(Cow::Borrowed(v.as_bytes()))).into_owned()
        };
        assert_eq!(line("connection refused"), "connection refused");
        assert_eq!(
            line("Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    g()\nKeyError: 'user'\n"),
            "KeyError: 'user'"
        );
        assert_eq!(
            line("java.io.IOException: broken pipe\n\tat a.B.c(B.java:1)\nCaused by: x"),
            "java.io.IOException: broken pipe"
        );
        // A long one-line value is cut, never dropped; a value of blank lines stays empty.
        assert_eq!(line(&"x".repeat(500)).len(), MAX_ERROR_TEXT);
        assert_eq!(line("\n \n"), "");
    }

    #[test]
    fn durations() {
        assert_eq!(latency_ms(b"1.5s", Unit::Auto), Some(1500.0));
        assert_eq!(latency_ms(b"30000ms", Unit::Auto), Some(30000.0));
        assert_eq!(latency_ms(b"1m2s", Unit::Auto), Some(62000.0));
        assert_eq!(latency_ms("120µs".as_bytes(), Unit::Auto), Some(0.12));
        assert_eq!(latency_ms(b"12", Unit::Auto), Some(12.0));
        assert_eq!(latency_ms(b"0.25", Unit::S), Some(250.0));
        assert_eq!(latency_ms(b"2500", Unit::Us), Some(2.5));
        assert_eq!(latency_ms(b"3000000", Unit::Ns), Some(3.0));
        assert_eq!(latency_ms(b"fast", Unit::Auto), None);
    }

    #[test]
    fn hosts() {
        assert_eq!(
            url_host(b"https://api.stripe.com/v1/charges"),
            b"api.stripe.com"
        );
        assert_eq!(url_host(b"http://u:p@db:5432"), b"db:5432");
        assert_eq!(url_host(b"payments"), b"payments");
    }
}
