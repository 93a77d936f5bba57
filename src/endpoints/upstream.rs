//! Outbound calls: which external host an event is about, and what went wrong.
//!
//! Two sources: the structured `http.upstream` field (host or URL), and free-text messages
//! such as `Call to payments.example.com timed out after 30000ms`, `connect ECONNREFUSED
//! 10.0.0.5:443`, nginx's `upstream timed out ... upstream: "http://10.0.0.7:8080/api"` or
//! `HTTP 429 Too Many Requests from api.partner.com, Retry-After: 30`.
//!
//! Scanning is cheap: one ASCII-case-insensitive Aho-Corasick pass (SIMD prefilter) over the
//! first [`SCAN_BYTES`] of the message finds the trouble keywords; only messages that have
//! one are tokenized to find the host. Messages without a recognizable host are ignored
//! (a timeout with no host cannot be attributed).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// The longest Retry-After taken as one (ten years, in seconds).
pub const MAX_RETRY_AFTER_S: u64 = 10 * 366 * 86_400;

/// Only this much of a message is scanned.
pub const SCAN_BYTES: usize = 2048;

/// What happened on an outbound call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Ok,
    Timeout,
    Refused,
    RateLimited,
    ServerError,
    ClientError,
}

/// What a message says about an external host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub host: String,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub retry_after_s: Option<u64>,
}

#[derive(Clone, Copy)]
enum Kw {
    Timeout,
    Refused,
    Rate,
    RetryAfter,
    Server,
    Code,
    /// A name that did not resolve: a connection never made, counted with the refused ones;
    /// matched inside identifiers too (`java.net.UnknownHostException`).
    Dns,
}

const KEYWORDS: &[(&str, Kw)] = &[
    ("timed out", Kw::Timeout),
    ("timeout", Kw::Timeout),
    ("time-out", Kw::Timeout),
    ("etimedout", Kw::Timeout),
    ("deadline exceeded", Kw::Timeout),
    ("econnrefused", Kw::Refused),
    ("connection refused", Kw::Refused),
    ("econnreset", Kw::Refused),
    ("connection reset", Kw::Refused),
    // A connection the called service dropped, in client libraries' own words: Node's
    // `socket hang up` (its ECONNRESET), Python's `RemoteDisconnected('Remote end closed
    // connection without response')`, aiohttp's `Server disconnected`, Nginx's `upstream
    // prematurely closed connection`.
    ("socket hang up", Kw::Refused),
    ("remote end closed connection", Kw::Refused),
    ("server disconnected", Kw::Refused),
    ("prematurely closed connection", Kw::Refused),
    ("ehostunreach", Kw::Refused),
    ("no route to host", Kw::Refused),
    // A connection that was never made (Hadoop's `Retrying connect to server: host:8030`,
    // `Could not connect to proxy host:5070`): counted with the refused ones.
    ("could not connect", Kw::Refused),
    ("couldn't connect", Kw::Refused),
    ("failed to connect", Kw::Refused),
    ("unable to connect", Kw::Refused),
    ("cannot connect", Kw::Refused),
    ("can't connect", Kw::Refused),
    ("retrying connect to", Kw::Refused),
    // A name that does not resolve: the connection is never made (counted with the refused
    // ones). Node's `getaddrinfo ENOTFOUND host`, Go's `lookup host on 10.96.0.10:53: no
    // such host`, glibc's, curl's, Java's `UnknownHostException: host`.
    ("enotfound", Kw::Dns),
    ("eai_again", Kw::Dns),
    ("no such host", Kw::Dns),
    ("server misbehaving", Kw::Dns),
    ("name or service not known", Kw::Dns),
    ("nodename nor servname", Kw::Dns),
    ("temporary failure in name resolution", Kw::Dns),
    ("could not resolve host", Kw::Dns),
    ("unknownhostexception", Kw::Dns),
    ("name resolution failed", Kw::Dns),
    ("too many requests", Kw::Rate),
    ("rate limit", Kw::Rate),
    ("rate-limit", Kw::Rate),
    ("ratelimit", Kw::Rate),
    ("throttl", Kw::Rate),
    ("retry-after", Kw::RetryAfter),
    ("bad gateway", Kw::Server),
    ("service unavailable", Kw::Server),
    ("internal server error", Kw::Server),
    ("http ", Kw::Code),
    ("status", Kw::Code),
    ("returned ", Kw::Code),
    ("responded ", Kw::Code),
    ("response ", Kw::Code),
];

fn matcher() -> Option<&'static AhoCorasick> {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            // A DFA: the pattern set is small, and per-byte speed is what matters here.
            .kind(Some(AhoCorasickKind::DFA))
            .build(KEYWORDS.iter().map(|(k, _)| k))
            .ok()
    })
    .as_ref()
}

/// Looks for an outbound-call problem in `msg`; `None` for the vast majority of messages.
/// `inbound`: the message is an inbound request's own record (it has a route), so its
/// `host=`/`server:` fields name this service, not one it calls.
pub fn scan_message(msg: &[u8], inbound: bool) -> Option<Mention> {
    let msg = &msg[..msg.len().min(SCAN_BYTES)];
    let (outcome, status, retry_after_s) = classify(msg)?;
    let host = find_host(msg, inbound)?;
    Some(Mention {
        host,
        outcome,
        status,
        retry_after_s,
    })
}

/// What kind of trouble a text describes (timeout, refused, 429, 5xx), without looking for
/// a host: for error fields of events whose upstream is structured.
pub fn classify(msg: &[u8]) -> Option<(Outcome, Option<u16>, Option<u64>)> {
    let msg = &msg[..msg.len().min(SCAN_BYTES)];
    let ac = matcher()?;
    // The keywords are lowercase and matched against a lowercased copy: a case-sensitive
    // automaton can use its SIMD prefilter, which an ASCII-case-insensitive one cannot
    // (same matches at the same offsets; non-ASCII bytes are left as they are).
    // (Most messages are short: zero a small buffer for them, not the whole window.)
    let mut small = [0u8; 256];
    let mut large;
    let lower = if msg.len() <= small.len() {
        &mut small[..msg.len()]
    } else {
        large = [0u8; SCAN_BYTES];
        &mut large[..msg.len()]
    };
    for (d, s) in lower.iter_mut().zip(msg) {
        *d = s.to_ascii_lowercase();
    }
    let mut timeout = false;
    let mut refused = false;
    let mut rate = false;
    let mut server = false;
    let mut retry_after = None;
    let mut status: Option<u16> = None;
    for m in ac.find_iter(&*lower) {
        let kw = KEYWORDS[m.pattern().as_usize()].1;
        // A keyword inside an identifier (`payments.timeout`, `read-timeout`) is a name,
        // not an event.
        if !matches!(kw, Kw::Code | Kw::Dns)
            && m.start() > 0
            && matches!(msg[m.start() - 1], b'.' | b'-' | b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9')
        {
            continue;
        }
        match kw {
            Kw::Timeout => timeout = true,
            Kw::Refused | Kw::Dns => refused = true,
            Kw::Rate => rate = true,
            Kw::RetryAfter => {
                rate = true;
                // (Seconds: a number beyond ten years is no delay a server asked for.)
                retry_after = retry_after.or_else(|| {
                    leading_number(&msg[m.end()..]).filter(|&s| s <= MAX_RETRY_AFTER_S)
                });
            }
            Kw::Server => server = true,
            Kw::Code => {
                if status.is_none() {
                    status = status_after(&msg[m.end()..]);
                }
            }
        }
    }
    let outcome = match status {
        Some(429) => Outcome::RateLimited,
        Some(504) | Some(408) => Outcome::Timeout,
        _ if rate => Outcome::RateLimited,
        _ if timeout => Outcome::Timeout,
        _ if refused => Outcome::Refused,
        Some(s) if s >= 500 => Outcome::ServerError,
        _ if server => Outcome::ServerError,
        _ => return None,
    };
    Some((
        outcome,
        status.or(if rate { Some(429) } else { None }),
        retry_after,
    ))
}

/// A status code right after a keyword: `HTTP 503`, `status=502`, `status code: 429`,
/// `returned 500`. Only 4xx/5xx count (a `200` is not trouble).
fn status_after(s: &[u8]) -> Option<u16> {
    let mut i = 0;
    let skip = |b: u8| matches!(b, b' ' | b':' | b'=' | b'"' | b'\'' | b'/' | b'(');
    // Allow `status code: 503` and `HTTP/1.1 503`.
    while i < s.len() && i < 16 && (skip(s[i]) || s[i].is_ascii_alphabetic() || s[i] == b'.') {
        if s[i].is_ascii_digit() {
            break;
        }
        i += 1;
    }
    // `HTTP/1.1 503`: skip a version number.
    if i + 3 < s.len() && s[i].is_ascii_digit() && s[i + 1] == b'.' {
        i += 3;
        while i < s.len() && s[i] == b' ' {
            i += 1;
        }
    }
    let d = &s[i..];
    if d.len() >= 3
        && d[..3].iter().all(|b| b.is_ascii_digit())
        && d.get(3).is_none_or(|b| !b.is_ascii_alphanumeric())
    {
        let code = (d[0] - b'0') as u16 * 100 + (d[1] - b'0') as u16 * 10 + (d[2] - b'0') as u16;
        if (400..600).contains(&code) {
            return Some(code);
        }
    }
    None
}

fn leading_number(s: &[u8]) -> Option<u64> {
    let s = &s[..s.len().min(24)];
    let start = s.iter().position(|b| b.is_ascii_digit())?;
    if s[..start].iter().any(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let digits: &[u8] = &s[start..];
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    std::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

/// The external host named in a message: nginx's `upstream: "URL"` first, then any URL,
/// then an IP address (with port), then a host name. With `inbound` (the message is a
/// request's own record), the value of a `host=`/`server:`-style field is the request's own
/// host and is skipped.
pub fn find_host(msg: &[u8], inbound: bool) -> Option<String> {
    if let Some(i) = finder!(b"upstream: \"").find(msg) {
        if let Some(h) = host_of(&msg[i + 11..]) {
            return Some(h);
        }
    }
    if let Some(h) = libpq_host(msg) {
        return Some(h);
    }
    if let Some(h) = unresolved_host(msg) {
        return Some(h);
    }
    // The first URL that is not a pointer to documentation (Hadoop's `For more details
    // see: http://wiki.apache.org/hadoop/NoRouteToHost`).
    for i in finder!(b"://").find_iter(msg) {
        if is_doc_link(&msg[..i]) {
            continue;
        }
        if let Some(h) = host_of(&msg[i.saturating_sub(5)..]) {
            return Some(h);
        }
        break;
    }
    let mut name: Option<String> = None;
    // `to NAME:PORT` names the callee even without a domain (`Connection to
    // db-replica-2:5432 timed out`, `to msra-sa-41:9000 failed`): a service name, as in
    // Kubernetes and Docker networks. So do `by` and `from` (`Connection refused by
    // queue-broker:5672`, `no response from redis-master:6379`) in a message about trouble.
    let mut after_to = false;
    // The address after `client` (`Client 10.1.2.3 exceeded the rate limit`, `client=...`,
    // Heroku's `fwd="..."`) is the caller, not a service this one calls.
    let mut after_peer = false;
    // A stack trace's frame lines (`at com.acme.Foo.bar(Foo.java:42)`, `... 12 more`) name
    // code, never a host, and are most of a long exception's bytes: they are not scanned.
    let lines = lines(msg).filter(|l| !is_frame_line(l));
    let tokens = lines.flat_map(|line| {
        line.split(|&b| {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'"' | b'\''
                        | b'('
                        | b')'
                        | b','
                        | b';'
                        | b'['
                        | b']'
                        | b'<'
                        | b'>'
                        | b'='
                        | b'@'
                )
        })
    });
    for tok in tokens {
        // The byte after the token: `=` or `:` makes it a field's key.
        let end = tok.as_ptr() as usize - msg.as_ptr() as usize + tok.len();
        let is_key = tok.ends_with(b":") || matches!(msg.get(end), Some(b'=' | b':'));
        let tok = trim_token(tok);
        if tok.is_empty() {
            continue;
        }
        let skip_next = is_peer_word(tok) || (inbound && is_key && is_own_host_key(tok));
        if std::mem::replace(&mut after_peer, skip_next) {
            continue;
        }
        if let Some(ip) = ip_with_port(tok).or_else(|| java_socket_address(tok)) {
            return Some(ip);
        }
        // `to server: NAME:PORT`, `to proxy NAME:PORT`: the word naming the role is skipped.
        let role = after_to && is_role_word(tok);
        let names_callee = tok.eq_ignore_ascii_case(b"to")
            || tok.eq_ignore_ascii_case(b"by")
            || tok.eq_ignore_ascii_case(b"from");
        if std::mem::replace(&mut after_to, role || names_callee) && !role {
            if let Some(h) = service_with_port(tok) {
                return Some(h);
            }
        }
        // `pool.get()`, `requests.post(url)`: a call in a traceback's code line, not a host.
        let is_call = msg.get(end) == Some(&b'(');
        if name.is_none() && !is_call && is_hostname(tok) {
            name = Some(strip_default_port(
                &String::from_utf8_lossy(tok).to_ascii_lowercase(),
            ));
        }
    }
    name
}

/// A JVM stack trace's frame line: `at NAME(...)` (no space before the parenthesis; logback
/// may add ` ~[app.jar:1.0]` after it) or the `... 12 more` of an elided tail, with any
/// leading indentation.
fn is_frame_line(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    if t.starts_with(b"at ") {
        return crate::mine::java_frame(t).is_some();
    }
    t.strip_prefix(b"... ").is_some_and(|rest| {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        n > 0 && rest[n..].starts_with(b" more")
    })
}

/// The lines of `b`, found with `memchr`.
fn lines(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(b);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => rest.take(),
        }
    })
}

/// The server a PostgreSQL client (libpq: psql, psycopg2, Rails' `pg`) failed to reach, as
/// `NAME:PORT`: libpq 14+ writes `connection to server at "db-primary" (10.0.3.7), port 5432
/// failed`, older ones `Is the server running on host "db-primary" (10.0.3.7) and accepting
/// TCP/IP connections on port 5432?`. The name the app asked for, not the address it
/// resolved to, which the generic scan would take (a bare IP in parentheses).
fn libpq_host(msg: &[u8]) -> Option<String> {
    let markers = [
        finder!(b"connection to server at \""),
        finder!(b"server running on host \""),
    ];
    let (i, marker) = markers
        .iter()
        .find_map(|m| m.find(msg).map(|i| (i, m.needle())))?;
    let rest = &msg[i + marker.len()..];
    let end = memchr::memchr(b'"', &rest[..rest.len().min(256)])?;
    let name = &rest[..end];
    let ok = !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'));
    if !ok {
        return None;
    }
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    // The port follows within the sentence: `, port 5432 failed`, `on port 5432?`.
    let after = &rest[end..rest.len().min(end + 160)];
    let port = memchr::memmem::find(after, b"port ")
        .and_then(|p| leading_number(&after[p + 5..]))
        .filter(|&p| (1..=65535).contains(&p));
    Some(match port {
        Some(p) if !name.contains(':') => format!("{name}:{p}"),
        _ => name,
    })
}

/// Whether a request whose path is `path` and whose upstream is `host` (normalized) is an
/// outbound call: its path an absolute URL to that host, not an inbound route.
pub fn is_outbound(path: &[u8], host: &str) -> bool {
    (path.starts_with(b"http://") || path.starts_with(b"https://"))
        && host_of(path).is_some_and(|ph| ph == host)
}

/// Words that say what the host after `to` is (`connect to server: NAME:PORT`).
fn is_role_word(t: &[u8]) -> bool {
    const ROLES: [&[u8]; 5] = [b"server", b"proxy", b"host", b"broker", b"master"];
    ROLES.iter().any(|p| t.eq_ignore_ascii_case(p))
}

/// Words that name the other end of an inbound connection.
fn is_peer_word(t: &[u8]) -> bool {
    const PEERS: [&[u8]; 14] = [
        b"local",
        b"local_addr",
        b"client",
        b"clientip",
        b"client_ip",
        b"remote",
        b"remote_addr",
        b"remote_ip",
        b"peer",
        b"fwd",
        b"forwarded",
        b"forwarded_for",
        b"x_forwarded_for",
        b"x-forwarded-for",
    ];
    PEERS.iter().any(|p| t.eq_ignore_ascii_case(p))
}

/// Field keys that, in a request's own record, name the host the request was sent to (this
/// service): Heroku's `host=`, nginx's `server:`/`host:`.
fn is_own_host_key(t: &[u8]) -> bool {
    const OWN: [&[u8]; 6] = [
        b"host",
        b"hostname",
        b"server",
        b"server_name",
        b"vhost",
        b"http_host",
    ];
    OWN.iter().any(|p| t.eq_ignore_ascii_case(p))
}

fn trim_token(t: &[u8]) -> &[u8] {
    let mut t = t;
    while let Some((&last, rest)) = t.split_last() {
        if matches!(last, b'.' | b':' | b'!' | b'?') {
            t = rest;
        } else {
            break;
        }
    }
    t
}

/// The host (and non-default port) of a URL or `host[:port][/path]` at the start of `s`.
pub fn host_of(s: &[u8]) -> Option<String> {
    let mut s = s;
    if let Some(i) = memchr::memmem::find(&s[..s.len().min(16)], b"://") {
        s = &s[i + 3..];
    }
    let end = s
        .iter()
        .position(|&b| {
            matches!(
                b,
                b'/' | b'"' | b'\'' | b' ' | b'?' | b'#' | b',' | b')' | b']'
            )
        })
        .unwrap_or(s.len());
    let mut h = &s[..end];
    if let Some(at) = memchr::memrchr(b'@', h) {
        h = &h[at + 1..];
    }
    let h = trim_token(h);
    if h.is_empty()
        || h.len() > 255
        || !h.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'_' | b'[' | b']')
        })
    {
        return None;
    }
    Some(strip_default_port(
        &String::from_utf8_lossy(h).to_ascii_lowercase(),
    ))
}

/// The name a failed DNS lookup was for: the word after Node's `ENOTFOUND` / `EAI_AGAIN`,
/// Go's `lookup`, curl's `Could not resolve host:`, Java's `UnknownHostException:`. (Go's
/// message also names the DNS server, `on 10.96.0.10:53`, which is not the callee.) A
/// service name without a domain counts (`lookup redis-master`), as in Kubernetes.
fn unresolved_host(msg: &[u8]) -> Option<String> {
    const BEFORE: &[&[u8]] = &[
        b"enotfound ",
        b"eai_again ",
        b"lookup ",
        b"could not resolve host: ",
        b"unknownhostexception: ",
    ];
    // Only in a message that says a lookup failed (a [`Kw::Dns`] keyword): `lookup` is an
    // ordinary word too.
    let lower = msg.to_ascii_lowercase();
    let failed = matcher().is_some_and(|ac| {
        ac.find_iter(&lower)
            .any(|m| matches!(KEYWORDS[m.pattern().as_usize()].1, Kw::Dns))
    });
    if !failed {
        return None;
    }
    for b in BEFORE {
        let Some(i) = memchr::memmem::find(&lower, b) else {
            continue;
        };
        let rest = &msg[i + b.len()..];
        let end = rest
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_')))
            .unwrap_or(rest.len());
        let name = rest[..end].trim_ascii_end();
        let name = name.strip_suffix(b".").unwrap_or(name);
        // A name: letters first, not a word of the sentence (`lookup failed`).
        let plausible = name.len() >= 2
            && name[0].is_ascii_alphabetic()
            && (name.contains(&b'.') || name.contains(&b'-') || name.contains(&b'_'));
        if plausible {
            return Some(String::from_utf8_lossy(name).to_ascii_lowercase());
        }
    }
    None
}

/// Normalizes a host from the `http.upstream` field: URL or host, lowercased, default port
/// dropped. `None` for values that name no host (`-`, empty).
pub fn normalize_upstream(v: &[u8]) -> Option<String> {
    let v = v.trim_ascii();
    // nginx `$upstream_addr` may list several tried servers: `10.0.0.1:80, 10.0.0.2:80`.
    let first = v
        .split(|&b| b == b',' || b == b' ')
        .find(|t| !t.is_empty())?;
    if first == b"-" {
        return None;
    }
    // HAProxy's `backend/server` (`be_api/api-3`): the server is what fails, and cutting at
    // the slash as for `host/path` would name only the backend. A backend name has no dot;
    // a host (`api.partner.com/v2`) nearly always has one.
    if let Some(slash) = memchr::memchr(b'/', first) {
        let (be, srv) = (&first[..slash], &first[slash + 1..]);
        let ident = |s: &[u8]| {
            !s.is_empty()
                && s.len() <= 128
                && s.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        };
        if ident(be) && !be.contains(&b'.') && !be.contains(&b':') && ident(srv) {
            return Some(String::from_utf8_lossy(first).to_ascii_lowercase());
        }
    }
    host_of(first)
}

/// Whether a trouble message reports the end of a retried call rather than one attempt:
/// `Shipping quote failed after 3 retries: 429 ...`, `giving up after 5 attempts`,
/// `Max retries exceeded with url: ...`, `retries exhausted`. An app that logs every attempt
/// and then the give-up line would otherwise have each failed call counted once more than
/// it was made. `after 1 attempt` is the one attempt itself.
pub fn gave_up_text(msg: &[u8]) -> bool {
    /// Phrases that say so outright; the last pattern, `after `, starts `after N retries`.
    const PHRASES: [&str; 11] = [
        "giving up",
        "gave up",
        "give up",
        "retries exhausted",
        "exhausted retries",
        "exhausted all retries",
        "max retries",
        "maximum retries",
        "retry limit",
        "retries exceeded",
        "after ",
    ];
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let Some(ac) = AC
        .get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(PHRASES)
                .ok()
        })
        .as_ref()
    else {
        return false;
    };
    let msg = &msg[..msg.len().min(SCAN_BYTES)];
    ac.find_iter(msg).any(|m| {
        if m.pattern().as_usize() != PHRASES.len() - 1 {
            return true;
        }
        // `after N retries|attempts|tries`.
        let rest = &msg[m.end()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let Some(n) = (1..=4)
            .contains(&digits)
            .then(|| {
                std::str::from_utf8(&rest[..digits])
                    .ok()?
                    .parse::<u32>()
                    .ok()
            })
            .flatten()
        else {
            return false;
        };
        let word = rest[digits..].trim_ascii_start();
        let starts = |p: &[u8]| word.len() >= p.len() && word[..p.len()].eq_ignore_ascii_case(p);
        (starts(b"retr") && n >= 1) || ((starts(b"attempt") || starts(b"tries")) && n >= 2)
    })
}

/// Whether an event about a troubled call reports the call's final outcome after retries:
/// its message ([`gave_up_text`]) or a structured count of attempts ([`gave_up_field`]).
pub fn gave_up<K: AsRef<[u8]>, V: AsRef<[u8]>>(msg: &[u8], fields: &[(K, V)]) -> bool {
    gave_up_text(msg)
        || fields
            .iter()
            .any(|(k, v)| gave_up_field(k.as_ref(), v.as_ref()))
}

/// Whether a structured record reports a retried call's final outcome: a count of
/// `attempts` of 2 or more, or of `retries` of 1 or more. (`attempt`, singular, numbers the
/// attempt the record is about.)
pub fn gave_up_field(key: &[u8], value: &[u8]) -> bool {
    let n = || -> Option<u64> { std::str::from_utf8(value).ok()?.trim().parse().ok() };
    const ATTEMPTS: [&[u8]; 4] = [b"attempts", b"tries", b"attempt_count", b"num_attempts"];
    const RETRIES: [&[u8]; 4] = [b"retries", b"retry_count", b"retried", b"num_retries"];
    if ATTEMPTS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        return n().is_some_and(|n| n >= 2);
    }
    if RETRIES.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        return n().is_some_and(|n| n >= 1);
    }
    false
}

fn strip_default_port(h: &str) -> String {
    h.strip_suffix(":443")
        .or_else(|| h.strip_suffix(":80"))
        .unwrap_or(h)
        .to_string()
}

/// Whether the text before a URL says the URL is documentation to read (the words `see`,
/// `details`, `docs`, `documentation`, `visit`, `refer`, `info`, `help`, `wiki` among the
/// few ahead of it), not the service called. Whole words: `seems` is not `see`.
fn is_doc_link(before: &[u8]) -> bool {
    let tail = &before[before.len().saturating_sub(32)..];
    // The URL's scheme is part of `before`: look at the words ahead of it.
    let tail = match tail.iter().rposition(|b| b.is_ascii_whitespace()) {
        Some(i) => &tail[..i],
        None => return false,
    };
    const DOC_WORDS: [&[u8]; 9] = [
        b"see",
        b"details",
        b"docs",
        b"documentation",
        b"visit",
        b"refer",
        b"info",
        b"help",
        b"wiki",
    ];
    tail.split(|b| !b.is_ascii_alphabetic())
        .any(|w| DOC_WORDS.iter().any(|d| w.eq_ignore_ascii_case(d)))
}

/// `name:port` with a service name (a letter first, see [`is_service_name`]) and a port
/// (80-65535, or a well-known one below): what follows "to" when a service is named without
/// its domain.
fn service_with_port(t: &[u8]) -> Option<String> {
    let i = memchr::memrchr(b':', t)?;
    let (name, port) = (&t[..i], &t[i + 1..]);
    // Low numbers are steps and counts (`to step:2`), not ports, but for the well-known
    // ones below 80 (ftp, ssh, telnet, smtp, dns).
    let port_ok = port_number(port)
        .is_some_and(|p| (80..=65535).contains(&p) || matches!(p, 21 | 22 | 23 | 25 | 53));
    let name_ok = name.len() >= 2 && name[0].is_ascii_alphabetic() && is_service_name(name);
    (port_ok && name_ok)
        .then(|| strip_default_port(&String::from_utf8_lossy(t).to_ascii_lowercase()))
}

/// Java's socket address, `name/10.0.0.5:9092` or `/10.0.0.5:9092` (`Connection refused:
/// kafka-1/10.0.0.5:9092`): the name with the port when there is one, else the address. A
/// port is required: `MININT-FNANLI5/127.0.0.1` is a host's own name and address.
fn java_socket_address(t: &[u8]) -> Option<String> {
    let slash = memchr::memchr(b'/', t)?;
    let (name, addr) = (&t[..slash], &t[slash + 1..]);
    memchr::memchr(b':', addr)?;
    let ip = ip_with_port(addr)?;
    if name.is_empty() {
        return Some(ip);
    }
    if !(name.iter().any(u8::is_ascii_alphabetic) && is_service_name(name)) {
        return None;
    }
    // The port as `ip_with_port` kept it: none when it is ephemeral or the default.
    let mut host = String::from_utf8_lossy(name).to_ascii_lowercase();
    if let Some(i) = ip.rfind(':') {
        host.push_str(&ip[i..]);
    }
    Some(host)
}

/// A host or service name's characters: letters, digits, `-`, `_`, `.`; at most 253.
fn is_service_name(name: &[u8]) -> bool {
    name.len() <= 253
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A port written as 1-5 digits, as a number (not checked against 65535).
fn port_number(p: &[u8]) -> Option<u32> {
    if !(1..=5).contains(&p.len()) || !p.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(p).ok()?.parse().ok()
}

fn ip_with_port(t: &[u8]) -> Option<String> {
    let (ip, port) = match memchr::memchr(b':', t) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    // (Most tokens fail at the first byte: checked before splitting.)
    if !ip.first().is_some_and(u8::is_ascii_digit)
        || ip.split(|&b| b == b'.').count() != 4
        || !ip
            .split(|&b| b == b'.')
            .all(|p| (1..=3).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    if let Some(p) = port {
        // An ephemeral port (32768 and up, Linux's and Windows' ranges) names one
        // connection, not a service: `socket to 172.16.96.116:33569` on every line with
        // another port is one peer, not a new upstream each time.
        if port_number(p)? >= EPHEMERAL_PORTS {
            return Some(String::from_utf8_lossy(ip).into_owned());
        }
    }
    Some(strip_default_port(&String::from_utf8_lossy(t)))
}

/// The first port of the ephemeral range (IANA's 49152 and Linux's 32768: the lower).
const EPHEMERAL_PORTS: u32 = 32768;

/// Looks like a DNS name: lowercase labels with at least one dot, last label a plausible
/// TLD (letters), and not a file name or a Java/Python module path.
fn is_hostname(t: &[u8]) -> bool {
    let (name, port) = match memchr::memchr(b':', t) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    if port.is_some_and(|p| port_number(p).is_none()) {
        return false;
    }
    if name.len() < 4
        || !name.contains(&b'.')
        || !name
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return false;
    }
    if name.split(|&b| b == b'.').any(<[u8]>::is_empty) {
        return false;
    }
    // Configuration keys look like host names: `max.poll.records`, `min.insync.replicas`,
    // `enable.auto.commit` (a Kafka client's advice in its warnings).
    const KEY_PREFIXES: &[&[u8]] = &[
        b"max", b"min", b"enable", b"disable", b"default", b"num", b"use", b"allow", b"auto",
    ];
    let first = name.split(|&b| b == b'.').next().unwrap_or(name);
    if KEY_PREFIXES.contains(&first) {
        return false;
    }
    let tld = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
    const NOT_TLDS: &[&[u8]] = &[
        b"java",
        b"py",
        b"rb",
        b"js",
        b"ts",
        b"go",
        b"rs",
        b"php",
        b"log",
        b"txt",
        b"json",
        b"xml",
        b"yaml",
        b"yml",
        b"html",
        b"htm",
        b"css",
        b"png",
        b"jpg",
        b"gif",
        b"svg",
        b"exe",
        b"so",
        b"dll",
        b"jar",
        b"class",
        b"cs",
        b"kt",
        b"sh",
        b"conf",
        b"ini",
        b"gz",
        b"zip",
        b"tar",
        b"sql",
        b"csv",
        b"md",
        b"h",
        b"c",
        b"cc",
        b"cpp",
        b"pdf",
        b"sock",
        b"pid",
        b"lock",
        b"tmp",
        b"bak",
        b"err",
        b"out",
        b"db",
        // Configuration keys look like host names: `payments.timeout`, `pool.size`.
        b"timeout",
        b"retries",
        b"retry",
        b"enabled",
        b"disabled",
        b"size",
        b"max",
        b"min",
        b"interval",
        b"count",
        b"url",
        b"host",
        b"port",
        b"level",
        b"name",
        b"path",
        b"type",
        b"mode",
        b"key",
        b"value",
        b"limit",
        b"ms",
        b"records",
        b"bytes",
        b"seconds",
        b"threads",
        b"factor",
        b"ratio",
        b"policy",
        b"strategy",
    ];
    (2..=10).contains(&tld.len())
        && tld.iter().all(u8::is_ascii_lowercase)
        && !NOT_TLDS.contains(&tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Option<(String, Outcome, Option<u16>, Option<u64>)> {
        scan_message(s.as_bytes(), false).map(|m| (m.host, m.outcome, m.status, m.retry_after_s))
    }

    /// The automaton is case-sensitive over a lowercased copy: every keyword must be
    /// lowercase, and any casing of the text must read the same.
    #[test]
    fn keywords_match_in_any_case() {
        for (k, _) in KEYWORDS {
            assert_eq!(*k, k.to_ascii_lowercase(), "keyword {k:?} is not lowercase");
        }
        for msg in [
            "Call to api.x.com:443 TIMED OUT after 30s",
            "POST https://pay.example/v1 returned HTTP 503 Service Unavailable",
            "Rate Limited by api.shipfast.example: Retry-After: 30",
            "connect ECONNREFUSED 10.0.0.7:5432",
            "upstream Überlast: Connection Refused by queue-broker:5672",
        ] {
            let upper = msg.to_ascii_uppercase();
            let lower = msg.to_ascii_lowercase();
            let outcome = |m: &str| classify(m.as_bytes());
            assert!(outcome(msg).is_some(), "{msg}");
            assert_eq!(outcome(msg), outcome(&upper), "{msg}");
            assert_eq!(outcome(msg), outcome(&lower), "{msg}");
        }
    }

    /// A name that does not resolve is a failed connection to that name (not to the DNS
    /// server Go's message also names); a configuration key in a warning is no host.
    #[test]
    fn dns_failures_name_the_host_and_config_keys_are_no_hosts() {
        for (msg, host) in [
            ("payment call failed: getaddrinfo ENOTFOUND payments.internal", "payments.internal"),
            (
                "Post \"http://payments.internal/v1\": dial tcp: lookup payments.internal on 10.96.0.10:53: no such host",
                "payments.internal",
            ),
            ("dial tcp: lookup redis-master on 10.96.0.10:53: no such host", "redis-master"),
            ("java.net.UnknownHostException: ledger.svc.cluster.local", "ledger.svc.cluster.local"),
            ("curl: (6) Could not resolve host: api.partner.com", "api.partner.com"),
            ("getaddrinfo EAI_AGAIN search-es.prod", "search-es.prod"),
        ] {
            let got = scan(msg);
            assert_eq!(
                got.as_ref().map(|g| (g.0.as_str(), g.1)),
                Some((host, Outcome::Refused)),
                "{msg}"
            );
        }
        let kafka = "consumer poll timeout has expired. You can address this either by \
                     increasing max.poll.interval.ms or by reducing the maximum size of \
                     batches returned in poll() with max.poll.records.";
        assert_eq!(scan(kafka), None);
        // `lookup` as an ordinary word names no host.
        assert_eq!(
            scan("profile lookup user-cache timed out calling api.x.com").map(|g| g.0),
            Some("api.x.com".to_string())
        );
        assert!(!is_hostname(b"min.insync.replicas"));
        assert!(is_hostname(b"api.partner.com"));
    }

    /// A Retry-After beyond ten years is no delay (and summed, it would overflow).
    #[test]
    fn absurd_retry_after_is_not_taken() {
        let m = "429 Too Many Requests from api.x.com, Retry-After: 18446744073709551615";
        assert_eq!(scan(m).map(|g| g.3), Some(None));
        let m = "429 Too Many Requests from api.x.com, Retry-After: 30";
        assert_eq!(scan(m).map(|g| g.3), Some(Some(30)));
    }

    #[test]
    fn give_up_lines_are_told_from_attempts() {
        for gave_up in [
            "Shipping quote failed after 3 retries: 429 Too Many Requests from api.shipfast.example",
            "Failed to connect to redis-master:6379 after 3 attempts",
            "giving up on api.partner.com: HTTP 503 Service Unavailable",
            "HTTPSConnectionPool(host='api.x.com', port=443): Max retries exceeded with url: /v1 (Caused by ConnectTimeoutError)",
            "Retries exhausted calling payments.example.com: timed out",
            "request to api.x.com failed after 1 retry: 502 Bad Gateway",
            "gave up after 4 tries: connect ECONNREFUSED 10.0.0.5:443",
        ] {
            assert!(gave_up_text(gave_up.as_bytes()), "{gave_up}");
        }
        for attempt in [
            "Rate limited by api.shipfast.example: HTTP 429 Too Many Requests, Retry-After: 30",
            "Retrying (Retry(total=2, connect=None)) after connection broken by 'ConnectTimeoutError'",
            "call to api.x.com failed after 1 attempt: 503",
            "upstream timed out after 30000ms",
            "request failed after 3 seconds: 504 from api.x.com",
        ] {
            assert!(!gave_up_text(attempt.as_bytes()), "{attempt}");
        }
        assert!(gave_up_field(b"attempts", b"3"));
        assert!(gave_up_field(b"Retries", b" 2 "));
        assert!(!gave_up_field(b"attempts", b"1"));
        assert!(!gave_up_field(b"retries", b"0"));
        // `attempt` numbers the attempt the record is about.
        assert!(!gave_up_field(b"attempt", b"3"));
        assert!(!gave_up_field(b"attempts", b"three"));
    }

    #[test]
    fn libpq_names_the_server_it_was_asked_for() {
        let refused = |h: &str| Some((h.to_string(), Outcome::Refused, None, None));
        assert_eq!(
            scan("psycopg2.OperationalError: connection to server at \"db-primary\" (10.0.3.7), port 5432 failed: Connection refused"),
            refused("db-primary:5432")
        );
        assert_eq!(
            scan("could not connect to server: Connection refused\n\tIs the server running on host \"DB.internal\" (10.0.3.7) and accepting\n\tTCP/IP connections on port 6432?"),
            refused("db.internal:6432")
        );
        assert_eq!(
            scan("connection to server at \"10.0.3.7\", port 5432 failed: timeout expired")
                .map(|m| m.0),
            Some("10.0.3.7:5432".to_string())
        );
        // A Unix socket names no host.
        assert_eq!(
            scan("connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: Connection refused"),
            None
        );
    }

    #[test]
    fn a_connection_never_made_counts_with_the_refused() {
        let refused = |h: &str| Some((h.to_string(), Outcome::Refused, None, None));
        assert_eq!(
            scan("Could not connect to proxy proxy.cse.cuhk.edu.hk:5070 - Could not resolve proxy.cse.cuhk.edu.hk error 11001"),
            refused("proxy.cse.cuhk.edu.hk:5070")
        );
        assert_eq!(
            scan("Retrying connect to server: msra-sa-41:8030. Already tried 0 time(s)"),
            refused("msra-sa-41:8030")
        );
        assert_eq!(
            scan("Failed to connect to redis-master:6379 after 3 attempts"),
            refused("redis-master:6379")
        );
        // The same words inside a name are not an event.
        assert_eq!(
            scan("config key failed_to_connect_retries=3 for db.example.com"),
            None
        );
    }

    #[test]
    fn a_call_in_a_traceback_is_no_host() {
        let tb = |code: &str| {
            format!(
                "Exception on /checkout [POST]\nTraceback (most recent call last):\n  File \"/app/models.py\", line 41, in create\n    {code}\nConnectionRefusedError: [Errno 111] Connection refused"
            )
        };
        assert_eq!(find_host(tb("conn = pool.get()").as_bytes(), false), None);
        assert_eq!(
            find_host(tb("r = session.post(url, timeout=3)").as_bytes(), false),
            None
        );
        // A host the message names still counts, wherever it is.
        assert_eq!(
            find_host(
                tb("conn = pool.get(\"db.internal.example\")").as_bytes(),
                false
            ),
            Some("db.internal.example".to_string())
        );
    }

    #[test]
    fn recognizes_outbound_trouble() {
        assert_eq!(
            scan("Call to payments.example.com timed out after 30000ms"),
            Some(("payments.example.com".into(), Outcome::Timeout, None, None))
        );
        assert_eq!(
            scan("Error: connect ECONNREFUSED 10.0.0.5:443"),
            Some(("10.0.0.5".into(), Outcome::Refused, None, None))
        );
        assert_eq!(
            scan("upstream timed out (110: Connection timed out) while reading response header from upstream, client: 1.2.3.4, server: shop.example.com, request: \"GET /api HTTP/1.1\", upstream: \"http://10.0.0.7:8080/api\", host: \"shop.example.com\""),
            Some(("10.0.0.7:8080".into(), Outcome::Timeout, None, None))
        );
        assert_eq!(
            scan("Rate limited by api.partner.com (429) for client 10.0.0.1"),
            Some((
                "api.partner.com".into(),
                Outcome::RateLimited,
                Some(429),
                None
            ))
        );
        assert_eq!(
            scan("HTTP 429 Too Many Requests from api.partner.com, Retry-After: 30"),
            Some((
                "api.partner.com".into(),
                Outcome::RateLimited,
                Some(429),
                Some(30)
            ))
        );
        assert_eq!(
            scan("request to https://billing.internal/v1/charge failed: status 503"),
            Some((
                "billing.internal".into(),
                Outcome::ServerError,
                Some(503),
                None
            ))
        );
        assert_eq!(
            scan("POST https://api.stripe.com/v1/charges returned 502 Bad Gateway"),
            Some((
                "api.stripe.com".into(),
                Outcome::ServerError,
                Some(502),
                None
            ))
        );
    }

    #[test]
    fn ignores_ordinary_messages() {
        assert_eq!(scan("User alice logged in from 10.0.0.1"), None);
        // Inbound rate limiting names the client, not an upstream.
        assert_eq!(
            scan("Client 10.65.12.149 exceeded soft rate limit (53479 req/min), allowing"),
            None
        );
        assert_eq!(scan("rate limit exceeded client=10.0.0.9"), None);
        assert_eq!(scan("processed 500 items in 5000ms"), None);
        assert_eq!(scan("Request timed out"), None); // no host to blame
        assert_eq!(
            scan("java.lang.IllegalStateException: timeout in pool"),
            None
        );
        assert_eq!(scan("status 200 from api.example.com"), None);
        assert_eq!(
            scan("Property 'payments.timeout' is deprecated, use 'payments.client.read-timeout' instead"),
            None
        );
    }

    #[test]
    fn an_inbound_requests_own_host_and_client_are_not_upstreams() {
        // Heroku router: the dyno timed out (H12); `fwd` is the client, `host` this app.
        let h12 = b"at=error code=H12 desc=\"Request timeout\" method=POST path=\"/api/v1/checkout\" host=shop.acme.example request_id=4d2e976b fwd=\"212.177.77.128\" dyno=web.4 connect=2ms service=30000ms status=503";
        assert!(scan_message(h12, true).is_none());
        // Outside a request record `host=` may well name the service called.
        assert_eq!(
            scan_message(b"connect timed out host=db-1.internal", false).map(|m| m.host),
            Some("db-1.internal".into())
        );
        assert_eq!(
            scan_message(b"connect timed out host=db-1.internal", true).map(|m| m.host),
            None
        );
        // nginx error line without an upstream: `server:` is this server.
        let ngx = b"upstream timed out (110: Connection timed out), client: 1.2.3.4, server: shop.example.com, request: \"GET /api HTTP/1.1\"";
        assert!(scan_message(ngx, true).is_none());
        // A called host named in the prose of a request's record is still found.
        assert_eq!(
            scan_message(
                b"checkout failed: call to payments.example.com timed out host=shop.example.com",
                true
            )
            .map(|m| m.host),
            Some("payments.example.com".into())
        );
        assert_eq!(
            scan_message(
                b"request failed: x_forwarded_for=10.0.0.1 connection refused",
                false
            ),
            None
        );
    }

    #[test]
    fn services_named_after_to_and_documentation_links() {
        assert_eq!(
            scan("Connection to db-replica-2:5432 timed out after 3000ms"),
            Some(("db-replica-2:5432".into(), Outcome::Timeout, None, None))
        );
        // Hadoop: the callee is `msra-sa-41:9000`, the URL is the manual.
        assert_eq!(
            scan("java.net.NoRouteToHostException: No Route to Host from  MININT-FNANLI5/127.0.0.1 to msra-sa-41:9000 failed on socket timeout exception: java.net.NoRouteToHostException: No route to host: no further information; For more details see:  http://wiki.apache.org/hadoop/NoRouteToHost").map(|m| m.0),
            Some("msra-sa-41:9000".into())
        );
        assert_eq!(
            scan("connection refused, see https://docs.example.com/errors/refused").map(|m| m.0),
            None
        );
        // A word that merely begins like one does not make the URL documentation.
        assert_eq!(
            scan("request seems to have timed out: https://api.partner.com/v1/quote").map(|m| m.0),
            Some("api.partner.com".into())
        );
        // A name without a port after "to" is prose, not a service.
        assert_eq!(scan("failed to connect to database: timed out"), None);
        assert_eq!(scan("Timeout while switching to step:2"), None);
        assert_eq!(
            scan("Could not connect to redis:6379: Connection refused").map(|m| m.0),
            Some("redis:6379".into())
        );
        assert_eq!(
            scan("ssh: connect to sftp-gw:22 timed out").map(|m| m.0),
            Some("sftp-gw:22".into())
        );
        assert_eq!(
            scan("worker 3: connection refused by queue-broker:5672"),
            Some(("queue-broker:5672".into(), Outcome::Refused, None, None))
        );
        assert_eq!(
            scan("no response from redis-master:6379 within 2s: timed out").map(|m| m.0),
            Some("redis-master:6379".into())
        );
        // Without a port, or a small number (a step, a count), it is prose.
        assert_eq!(scan("Connection reset by peer"), None);
        assert_eq!(scan("request timed out, killed by watchdog"), None);
        assert_eq!(scan("retry timed out from step:3"), None);
    }

    #[test]
    fn dropped_connections_in_client_libraries_words() {
        for (line, host) in [
            (
                "rates lookup failed: request to https://rates.partner.example/v2/rates failed, reason: socket hang up",
                "rates.partner.example",
            ),
            (
                "HTTPConnectionPool(host='inventory.internal', port=8080): Max retries exceeded with url: /stock (Caused by ProtocolError('Connection aborted.', RemoteDisconnected('Remote end closed connection without response')))",
                "inventory.internal",
            ),
            (
                "aiohttp.client_exceptions.ServerDisconnectedError: Server disconnected calling http://geo.svc:9000/lookup",
                "geo.svc:9000",
            ),
        ] {
            assert_eq!(
                scan(line).map(|m| (m.0, m.1)),
                Some((host.to_string(), Outcome::Refused)),
                "{line}"
            );
        }
        // Said of nothing reachable, the phrase alone names no service.
        assert_eq!(scan("socket hang up"), None);
    }

    #[test]
    fn an_ephemeral_port_is_a_connection_not_a_service() {
        // BGL: one peer, a new port on every line.
        for port in [33569, 41060, 52839] {
            let line = format!("ciod: failed to read message prefix on control stream (CioStream socket to 172.16.96.116:{port}: Connection reset by peer");
            assert_eq!(
                scan_message(line.as_bytes(), false).map(|m| m.host),
                Some("172.16.96.116".into())
            );
        }
        assert_eq!(
            scan("connect ECONNREFUSED 10.0.0.5:8080").map(|m| m.0),
            Some("10.0.0.5:8080".into())
        );
    }

    #[test]
    fn stack_frames_are_not_scanned_for_hosts() {
        // A frame's file name can look like a host (Clojure's `core.clj:3214`); the host
        // is in the `Caused by:` line after the frames.
        let trace = "Request failed: upstream timed out\n\
            \tat clojure.core$eval.invoke(core.clj:3214) ~[app.jar:1.0]\n\
            \tat java.base/java.lang.Thread.run(Thread.java:833)\n\
            Caused by: java.net.SocketTimeoutException: read timed out, host billing.internal.example\n\
            \t... 12 more";
        assert_eq!(
            scan(trace).map(|m| m.0),
            Some("billing.internal.example".into())
        );
        for frame in [
            "\tat com.acme.Foo.bar(Foo.java:42)",
            "    at app.main(main.kt:10) ~[app.jar:1.0]",
            "at x(Unknown Source)",
            "\t... 12 more",
        ] {
            assert!(is_frame_line(frame.as_bytes()), "{frame}");
        }
        for line in [
            "at db-1:5432 (after 3 retries)",
            "at (x)",
            "... more",
            "... 12 others",
            "Connection timed out at 10.0.0.5:5432",
        ] {
            assert!(!is_frame_line(line.as_bytes()), "{line}");
        }
        // Not a frame: its address is read.
        assert_eq!(
            scan("Gave up waiting\n  at db-1.internal:5432 (after 3 retries): timed out")
                .map(|m| m.0),
            Some("db-1.internal:5432".into())
        );
    }

    #[test]
    fn java_socket_addresses() {
        assert_eq!(
            scan("java.net.ConnectException: Connection refused: kafka-1/10.0.0.5:9092")
                .map(|m| m.0),
            Some("kafka-1:9092".into())
        );
        assert_eq!(
            scan("io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: /10.0.0.7:6379")
                .map(|m| m.0),
            Some("10.0.0.7:6379".into())
        );
        assert_eq!(
            scan("Connection refused: broker-2/10.0.0.6:45123").map(|m| m.0),
            Some("broker-2".into())
        );
        // HDFS: `local=` is this node, `remote=` the peer that called it.
        assert_eq!(
            scan("java.net.SocketTimeoutException: 60000 millis timeout while waiting for channel to be ready for read. ch : java.nio.channels.SocketChannel[connected local=/10.251.91.84:50010 remote=/10.251.91.84:42365]"),
            None
        );
        // A host's own name and address, no port: not a callee.
        assert_eq!(
            scan("No Route to Host from MININT-FNANLI5/127.0.0.1 timed out"),
            None
        );
    }

    #[test]
    fn normalizes_upstream_fields() {
        assert_eq!(
            normalize_upstream(b"http://Api.Partner.com:443/x"),
            Some("api.partner.com".into())
        );
        assert_eq!(
            normalize_upstream(b"10.0.0.1:8080, 10.0.0.2:8080"),
            Some("10.0.0.1:8080".into())
        );
        assert_eq!(normalize_upstream(b"-"), None);
        assert_eq!(normalize_upstream(b"payments"), Some("payments".into()));
        // HAProxy's `backend/server` names the server; a host with a path is the host.
        assert_eq!(
            normalize_upstream(b"be_api/API-3"),
            Some("be_api/api-3".into())
        );
        assert_eq!(
            normalize_upstream(b"api.partner.com/v2/rates"),
            Some("api.partner.com".into())
        );
        assert_eq!(
            normalize_upstream(b"10.0.0.7:8080/api"),
            Some("10.0.0.7:8080".into())
        );
    }
}
