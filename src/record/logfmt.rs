//! `logfmt`: `key=value key2="quoted value"` lines (Heroku router, Go kit, logrus text).
//!
//! Keys map to event fields through the same table as JSON ([`keys`](super::keys)); `at=`
//! (Heroku) is a level too, and Heroku's `service=30000ms` is the request latency, not a
//! service name. Quoted values borrow from the line unless they hold escapes. Without a
//! `msg`/`message` key the message is the whole line (the template miner masks the values).

use std::borrow::Cow;

use super::keys::{go_duration_ms, Assign, Role, Unit, UserKeys};
use super::time::TimeCtx;
use super::{level, Event};

/// One `key=value` pair at `i`: (key, value, value was quoted with escapes, next index).
type Pair<'a> = (&'a [u8], &'a [u8], bool, usize);

fn pair(b: &[u8], mut i: usize) -> Option<Pair<'_>> {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let ks = i;
    while i < b.len() && !matches!(b[i], b'=' | b' ' | b'"') {
        i += 1;
    }
    if i == ks || b.get(i) != Some(&b'=') {
        return None;
    }
    let key = &b[ks..i];
    if !is_key(key) {
        return None;
    }
    i += 1;
    // `"quoted"`, or `'quoted'` as Python's structlog writes a string's repr.
    if matches!(b.get(i), Some(b'"' | b'\'')) {
        let (v, esc, end) = quoted(b, i)?;
        return Some((key, v, esc, end));
    }
    let vs = i;
    while i < b.len() && b[i] != b' ' {
        i += 1;
    }
    if super::keys::is_error_text_key(key) {
        // An error's text unquoted, spaces and all (Rust's `tracing` writes `error=connection
        // refused` for a displayed error): the words up to the next pair.
        while b.get(i) == Some(&b' ') && b.get(i + 1).is_some_and(|&c| c != b' ') {
            let word_end = memchr::memchr(b' ', &b[i + 1..]).map_or(b.len(), |e| i + 1 + e);
            let word = &b[i + 1..word_end];
            let eq = memchr::memchr(b'=', word);
            if eq.is_some_and(|e| e > 0 && is_key(&word[..e])) {
                break;
            }
            i = word_end;
        }
    }
    // A number and its unit after a space (tower-http's `latency=12 ms`).
    let number = i > vs && b[vs..i].iter().all(|&c| c.is_ascii_digit() || c == b'.');
    if number {
        for unit in [&b" ms"[..], b" s", b" us", b" \xc2\xb5s", b" ns"] {
            if b[i..].starts_with(unit)
                && matches!(b.get(i + unit.len()), None | Some(b' ' | b'\r'))
            {
                i += unit.len();
                break;
            }
        }
    }
    Some((key, &b[vs..i], false, i))
}

/// The quoted string whose quote (`"` or `'`) is at `open`: its text, whether it holds
/// backslash escapes, and the index after its closing quote. None when it does not close.
pub fn quoted(b: &[u8], open: usize) -> Option<(&[u8], bool, usize)> {
    let q = *b.get(open)?;
    let mut j = open + 1;
    let mut esc = false;
    loop {
        match *b.get(j)? {
            b'\\' => {
                esc = true;
                j += 2;
            }
            c if c == q => break,
            _ => j += 1,
        }
    }
    Some((&b[open + 1..j], esc, j + 1))
}

/// Whether `tok` is one `key=value` pair and nothing else, its value unquoted (Elixir's
/// `request_id=F2f1…` metadata column).
pub fn bare_pair(tok: &[u8]) -> bool {
    pair(tok, 0).is_some_and(|(k, v, _, end)| {
        end == tok.len() && !v.is_empty() && !matches!(tok[k.len() + 1], b'"' | b'\'')
    })
}

/// Whether `k` can be a logfmt key: an identifier (`level`, `http.method`, `req-id`,
/// `@timestamp`), not punctuation or a header that happens to precede `=`.
fn is_key(k: &[u8]) -> bool {
    matches!(k[0], b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'@')
        && k.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/' | b'@'))
}

fn unescape(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'\\' && i + 1 < v.len() {
            out.push(match v[i + 1] {
                b'n' => b'\n',
                b't' => b'\t',
                c => c,
            });
            i += 2;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    out
}

/// Whether `b` looks like logfmt: it starts with a pair and at least two tokens are pairs.
pub fn looks_like(b: &[u8]) -> bool {
    let mut n = 0;
    let mut i = 0;
    while let Some((_, _, _, e)) = pair(b, i) {
        n += 1;
        i = e;
        if n >= 2 {
            return true;
        }
    }
    false
}

/// A pair's value, unescaped when its quotes held escapes.
pub fn value(v: &[u8], esc: bool) -> Cow<'_, [u8]> {
    if esc {
        Cow::Owned(unescape(v))
    } else {
        Cow::Borrowed(v)
    }
}

/// Keeps a value no role took as a field (an error field as its first line; long values are
/// not kept); returns whether `k` is an error key.
fn keep_field<'a>(ev: &mut Event<'a>, k: &'a [u8], unused: Option<Cow<'a, [u8]>>) -> bool {
    let error = super::keys::is_error_key(k);
    let unused = match unused {
        Some(v) if error => Some(super::keys::error_line(v)),
        other => other,
    };
    if let Some(val) = unused.filter(|v| v.len() <= 200) {
        ev.fields.push((Cow::Borrowed(k), val));
    }
    error
}

/// Where a run of `key=value` pairs that ends `b` starts, after a space and some text, and
/// how many pairs it has: `request failed path=/checkout status=502` → (15, 2). None when `b`
/// does not end with pairs. A comma-separated list (`tag="View Lock", uid=10037, pid=2227`,
/// as Android's services write) is no run of pairs: its values end with the commas.
pub fn pair_tail(b: &[u8]) -> Option<(usize, usize)> {
    pair_tail_from(b, true)
}

/// [`pair_tail`], trying only the words that hold a `=` (`jump`) or every word (the tests'
/// reference).
fn pair_tail_from(b: &[u8], jump: bool) -> Option<(usize, usize)> {
    let eq = memchr::memchr(b'=', b)?;
    let listed =
        |v: &[u8], e: usize| v.ends_with(b",") || v.ends_with(b";") || b.get(e) == Some(&b',');
    let mut tries = 0;
    // The first word that can be a pair holds the first `=` (and the first word is text).
    let first = memchr::memchr(b' ', b)? + 1;
    let mut i = memchr::memrchr(b' ', &b[..eq]).map_or(first, |sp| (sp + 1).max(first));
    while i < b.len() && tries < 32 {
        if b[i] != b' ' {
            if let Some((_, _, _, mut e)) = pair(b, i).filter(|&(_, v, _, e)| !listed(v, e)) {
                tries += 1;
                let mut n = 1;
                loop {
                    if b[e..].iter().all(|&c| c == b' ' || c == b'\r') {
                        return Some((i, n));
                    }
                    match pair(b, e).filter(|&(_, v, _, e)| !listed(v, e)) {
                        Some((_, _, _, next)) => {
                            e = next;
                            n += 1;
                        }
                        None => break,
                    }
                }
            }
        }
        // On to the next word that holds a `=` (no other can start a pair), or the next word.
        let Some(sp) = memchr::memchr(b' ', &b[i..]) else {
            break;
        };
        if !jump {
            i += sp + 1;
            continue;
        }
        let Some(eq) = memchr::memchr(b'=', &b[i + sp + 1..]) else {
            break;
        };
        let eq = i + sp + 1 + eq;
        i = memchr::memrchr(b' ', &b[..eq]).map_or(eq, |s| s + 1);
    }
    None
}

/// Whether `b` starts with a `key=value` pair.
pub fn starts_with_pair(b: &[u8]) -> bool {
    b.first().is_some_and(u8::is_ascii_alphabetic) && pair(b, 0).is_some()
}

/// Whether `b` is nothing but `key=value` pairs (klog's tail after its quoted message).
pub fn all_pairs(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some((_, _, _, e)) = pair(b, i) {
        i = e;
    }
    i > 0 && b[i..].iter().all(|&c| c == b' ' || c == b'\r')
}

/// Reads `key=value` pairs that follow a message (its fields, as structlog or zerolog's
/// console writer print them) into `ev`: HTTP, trace id, logger and upstream roles as in a
/// logfmt line, the rest as fields; keys for the message, time or level are fields here (the
/// header gave those), and so is a logger key when the header named one (`has_logger`).
/// Returns how many pairs had a role other than the logger's or were an error field.
pub fn read_pairs<'a>(
    b: &'a [u8],
    ev: &mut Event<'a>,
    tc: &TimeCtx,
    user: &UserKeys,
    has_logger: bool,
) -> usize {
    let mut assign = Assign::default();
    let mut known = 0;
    let mut i = 0;
    while let Some((k, v, esc, e)) = pair(b, i) {
        i = e;
        let val = value(v, esc);
        let unused = match user.lookup(k) {
            Some((Role::Message | Role::Time | Role::Level, _)) | None => Some(val),
            // The header named the logger: a `name=` pair is the object's (klog's
            // `name="web"`), a field.
            Some((Role::Logger, _)) if has_logger => Some(val),
            Some((role, prio)) => {
                // A logger-like key (`name`, `module`) says less that these are fields.
                known += usize::from(role != Role::Logger);
                assign.offer(ev, role, prio, val, tc)
            }
        };
        let error = unused.is_some() && keep_field(ev, k, unused);
        known += usize::from(error);
    }
    known
}

/// When `ev`'s message (as a header parser left it, borrowed from the line) is logfmt, parses
/// it into `ev`, keeping the outer time, level and logger where the pairs have none: Heroku's
/// `<ts> heroku[router]: at=error code=H12 method=POST path=... status=503 service=30000ms`,
/// or logfmt shipped through syslog. Otherwise `ev` stays as it is.
pub fn parse_embedded<'a>(ev: &mut Event<'a>, tc: &TimeCtx, user: &UserKeys) {
    let Cow::Borrowed(body) = ev.message else {
        return;
    };
    if !looks_like(body) {
        return;
    }
    let outer = (ev.time, ev.level, ev.logger.take());
    let mut inner = Event::bare(ev.line, ev.raw);
    if parse(body, &mut inner, tc, user) {
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

/// Parses a logfmt line; returns whether it was one.
pub fn parse<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx, user: &UserKeys) -> bool {
    if !looks_like(b) {
        return false;
    }
    let mut assign = Assign::default();
    let mut i = 0;
    let (mut elapsed, mut bare) = (None, false);
    while i < b.len() {
        let Some((k, v, esc, e)) = pair(b, i) else {
            // Sidekiq's `pid=7 tid=2yv class=ChargeJob jid=… elapsed=1.2 INFO: done`: the
            // job context's pairs, then the level and the message. Its `elapsed` is seconds.
            let sidekiq = (!bare && !assign.has_message() && ev.level.is_none())
                .then(|| level_colon(b[i..].trim_ascii_start()))
                .flatten();
            if let Some((lvl, msg)) = sidekiq {
                ev.level = Some(lvl);
                if let Some(s) = elapsed.and_then(|v| super::keys::latency_ms(v, Unit::S)) {
                    ev.http.latency_ms = Some(s);
                }
                ev.message = Cow::Borrowed(msg);
                return true;
            }
            // A bare word between pairs: skip it (and the spaces before it: a run of spaces
            // is skipped once, not once per space).
            bare = true;
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
            match memchr::memchr(b' ', &b[i..]) {
                Some(n) => {
                    i += n + 1;
                    continue;
                }
                None => break,
            }
        };
        i = e;
        if k == b"elapsed" {
            elapsed = Some(v);
        }
        let val = value(v, esc);
        let unused = match (k, user.lookup(k)) {
            (b"at", _) => match level::from_word(v) {
                Some(l) => {
                    ev.level = ev.level.or(Some(l));
                    None
                }
                None => Some(val),
            },
            (b"service", _) if v.last().is_some_and(u8::is_ascii_alphabetic) => {
                match go_duration_ms(v) {
                    Some(ms) => {
                        ev.http.latency_ms = Some(ms);
                        None
                    }
                    None => assign.offer(ev, Role::Logger, 2, val, tc),
                }
            }
            (_, Some((role, prio))) => assign.offer(ev, role, prio, val, tc),
            (_, None) => Some(val),
        };
        keep_field(ev, k, unused);
    }
    if !assign.has_message() {
        ev.message = Cow::Borrowed(b);
    } else {
        super::keys::with_error_text(ev);
    }
    true
}

/// Whether `line` is `key=value` pairs, then an upper-case level and a colon (Sidekiq's
/// `pid=7 tid=2yw class=ChargeJob jid=… INFO: start`).
pub fn pairs_then_level(line: &[u8]) -> bool {
    let mut i = 0;
    while let Some((_, _, _, e)) = pair(line, i) {
        i = e;
    }
    i > 0 && level_colon(line[i..].trim_ascii_start()).is_some()
}

/// The level and message after it when `rest` is an upper-case level and a colon (`INFO:
/// done`).
fn level_colon(rest: &[u8]) -> Option<(super::Level, &[u8])> {
    let colon = memchr::memchr(b':', &rest[..rest.len().min(9)])?;
    let lvl = level::from_upper_word(&rest[..colon])?;
    Some((lvl, rest.get(colon + 1..)?.strip_prefix(b" ")?))
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// Skipping the words without a `=` finds the same tail as trying each word.
        #[test]
        fn pair_tail_skips_only_words_that_cannot_start_a_pair(
            words in proptest::collection::vec(
                "([a-z_.]{1,6}=([a-z0-9:/.-]{0,6}|\"[a-z =]{0,6}\"|'[a-z ]{0,4}')[,;]?|[a-z]{1,6}|=|[a-z\"]{1,3}=[a-z]{0,3}|error=[a-z ]{1,8}|12 ms|)",
                0..14,
            ),
            seps in proptest::collection::vec("( |  |\r)", 14),
        ) {
            let mut line = String::new();
            for (w, sep) in words.iter().zip(&seps) {
                line.push_str(w);
                line.push_str(sep);
            }
            let b = line.as_bytes();
            proptest::prop_assert_eq!(pair_tail(b), pair_tail_from(b, false), "{:?}", line);
        }
    }

    use super::*;
    use crate::record::{Level, ParseConfig};

    /// `line` read as a logfmt line with the default configuration (it must be one).
    fn run(line: &str) -> Event<'_> {
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let mut ev = Event::bare(1, line.as_bytes());
        assert!(parse(line.as_bytes(), &mut ev, &tc, &UserKeys::new(&cfg)));
        ev
    }

    /// Trailing spaces after the pairs (found by fuzzing: each space started a new search
    /// for a pair to the end of the line, minutes for a 1 MB line).
    #[test]
    fn a_run_of_spaces_after_the_pairs_is_skipped_once() {
        let line = format!(
            "ts=2026-11-27T01:00:00Z level=error msg=x{}",
            " ".repeat(200_000)
        );
        let ev = run(&line);
        assert_eq!(&ev.message[..], b"x");
        assert_eq!(ev.level, Some(Level::Error));
        let line = format!("level=error msg=x{}stray word=1", " ".repeat(200_000));
        assert_eq!(&run(&line).message[..], b"x");
    }

    #[test]
    fn keys_are_identifiers() {
        assert!(looks_like(b"level=info msg=hi"));
        assert!(looks_like(b"@timestamp=1 http.method=GET req-id=7"));
        // Punctuation or a `|`-separated header before `=` is not a key.
        assert!(!looks_like(b".=a #="));
        assert!(!looks_like(
            b"20231114-22:13:20:5|Sensor_Hub|40001234|.=a b=c"
        ));
    }

    #[test]
    fn pair_tails_end_a_message() {
        assert_eq!(
            pair_tail(b"request failed path=/x status=502"),
            Some((15, 2))
        );
        assert_eq!(pair_tail(b"cache miss      key=user:42"), Some((16, 1)));
        assert_eq!(
            pair_tail(b"failed   error='read timeout' id=7"),
            Some((9, 2)),
            "single quotes"
        );
        // Pairs must run to the end; a list of them with commas is not a run.
        assert_eq!(pair_tail(b"Order created total=683.91 EUR"), None);
        assert_eq!(pair_tail(b"acquire a=1, b=2, c=3"), Some((18, 1)));
        assert_eq!(pair_tail(b"no pairs here"), None);
        assert_eq!(pair_tail(b"k=v"), None, "no text before");
        // A number's unit after a space; an error's text unquoted, to the next pair.
        assert_eq!(pair_tail(b"done latency=12 ms status=200"), Some((5, 2)));
        assert_eq!(pair_tail(b"done latency=12 msx status=200"), Some((20, 1)));
        assert_eq!(
            pair(b"error=connection refused status=500", 0),
            Some((&b"error"[..], &b"connection refused"[..], false, 24))
        );
        assert_eq!(
            pair_tail(b"failed error=connection reset by peer attempt=3"),
            Some((7, 2))
        );
        assert_eq!(pair(b"path=/a b", 0).map(|p| p.1), Some(&b"/a"[..]));
    }

    #[test]
    fn heroku_router() {
        let line = r#"at=error code=H12 desc="Request timeout" method=POST path="/x" host=app.herokuapp.com request_id=8601b555 fwd="1.2.3.4" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0"#;
        let ev = run(line);
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.http.method.as_deref(), Some(&b"POST"[..]));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/x"[..]));
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.http.latency_ms, Some(30000.0));
        assert_eq!(ev.trace_id.as_deref(), Some(&b"8601b555"[..]));
        assert!(ev
            .fields
            .iter()
            .any(|(k, v)| &**k == b"code" && &**v == b"H12"));
        assert!(ev
            .fields
            .iter()
            .any(|(k, v)| &**k == b"desc" && &**v == b"Request timeout"));
        assert_eq!(&*ev.message, line.as_bytes());
    }

    #[test]
    fn heroku_router_of_a_crashed_app_has_empty_values() {
        // H10: no dyno answered, so `dyno=`, `connect=` and `service=` are empty; an empty
        // `service` is neither a latency nor the event's logger.
        let line = r#"at=error code=H10 desc="App crashed" method=GET path="/x" host=a.herokuapp.com request_id=r2 fwd="1.2.3.4" dyno= connect= service= status=503 bytes= protocol=https"#;
        let ev = run(line);
        assert_eq!(ev.logger, None);
        assert_eq!(ev.http.latency_ms, None);
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.level, Some(Level::Error));
    }

    #[test]
    fn msg_level_time() {
        let line = r#"time=2024-01-01T10:00:00Z level=warn msg="slow \"query\"" took=1500 db=main"#;
        let ev = run(line);
        assert_eq!(ev.level, Some(Level::Warn));
        assert_eq!(ev.time, Some(1_704_103_200_000));
        assert_eq!(&*ev.message, br#"slow "query""#);
        assert_eq!(ev.http.latency_ms, Some(1500.0));
        assert!(!looks_like(b"hello world"));
        assert!(!looks_like(b"2024-01-01 a=b c=d"));
    }

    #[test]
    fn the_err_field_joins_the_message() {
        let line = r#"level=error msg="query failed" err="dial tcp 10.0.3.7:5432: connect: connection refused" path=/api/orders/7"#;
        let ev = run(line);
        assert_eq!(
            &*ev.message,
            b"query failed: dial tcp 10.0.3.7:5432: connect: connection refused"
        );
        let ev = run(r#"level=info msg="retry ok" err=<nil>"#);
        assert_eq!(&*ev.message, b"retry ok");
    }
}
