//! `syslog`: RFC 3164 (`<34>Oct 11 22:14:15 host app[123]: msg`, PRI optional, RFC 3339
//! stamps from rsyslog accepted too) and RFC 5424 (`<165>1 2003-10-11T22:14:15.003Z host app
//! 123 ID47 [sd] msg`).
//!
//! In: one line. Out: time, level from the PRI severity (PRI % 8), logger = program (the
//! `app` of `app[pid]`), message after the tag; for RFC 5424 the MSGID goes to the fields.

use std::borrow::Cow;

use super::level::from_syslog_severity;
use super::time::{parse_prefix, TimeCtx};
use super::Event;

/// The parts of an RFC 3164 line.
pub struct Sys<'a> {
    pub time: Option<i64>,
    pub program: Option<&'a [u8]>,
    /// Offset of the message.
    pub msg: usize,
}

/// `<PRI>` at the start: (severity, bytes used).
fn pri(b: &[u8]) -> Option<(u32, usize)> {
    if b.first() != Some(&b'<') {
        return None;
    }
    let mut v = 0u32;
    let mut i = 1;
    while let Some(c @ b'0'..=b'9') = b.get(i) {
        v = v * 10 + u32::from(c - b'0');
        i += 1;
        if i > 4 {
            return None;
        }
    }
    if i == 1 || b.get(i) != Some(&b'>') || v > 191 {
        return None;
    }
    Some((v % 8, i + 1))
}

fn token(b: &[u8], i: usize) -> Option<(&[u8], usize)> {
    let rest = b.get(i..)?;
    let n = memchr::memchr(b' ', rest).unwrap_or(rest.len());
    if n == 0 {
        return None;
    }
    Some((&rest[..n], i + n))
}

/// RFC 3164 after an optional PRI. With `need_tag`, a line without `prog:`/`prog[pid]:` after
/// the host is rejected (used by `plain`, where a bare `Jun 14 15:16:01 text` is better read as
/// timestamp + message).
pub fn rfc3164<'a>(b: &'a [u8], tc: &TimeCtx, need_tag: bool) -> Option<Sys<'a>> {
    let (t, n) = parse_prefix(b, tc)?;
    if b.get(n) != Some(&b' ') {
        return None;
    }
    let (host, after_host) = token(b, n + 1)?;
    let level_word = match host.strip_suffix(b":") {
        // `2026-11-27T00:00:00.000Z error: msg` (Winston's default), `... Warning: msg`: a
        // level and its colon right after the stamp, where the tag would be, not a program.
        Some(word) => super::level::from_word(word),
        None => super::level::from_upper_word(host),
    };
    if level_word.is_some() {
        // `Nov 27 00:00:01 ERROR payment declined`: a level where the host would be.
        return None;
    }
    if host.first() == Some(&b'[') {
        // `2024/03/05 17:00:00 [error] 1234#1234: msg` (Nginx's error log): a level, not a
        // host; `2024-03-05 10:00:01.123 UTC [4321] ERROR:  msg` (PostgreSQL): a pid.
        return None;
    }
    // No host field: the first token already is the tag.
    let (tag, after_tag) = if host.ends_with(b":") {
        (&host[..host.len() - 1], after_host)
    } else {
        match token(b, after_host + 1) {
            Some((tag, e)) if tag.ends_with(b":") => (&tag[..tag.len() - 1], e),
            Some((tag, e)) if qualified_tag(tag, b, e).is_some() => {
                // `prog[pid] (detail): msg` / `prog 1.4.1: msg`: the program is the first word.
                (tag, qualified_tag(tag, b, e).unwrap_or(e))
            }
            _ => match spaced_tag(b, after_host + 1) {
                Some(r) => r,
                None if need_tag => return None,
                None => {
                    return Some(Sys {
                        time: Some(t),
                        program: None,
                        msg: (after_host + 1).min(b.len()),
                    })
                }
            },
        }
    };
    let program = match memchr::memrchr(b'[', tag) {
        Some(i) if tag.ends_with(b"]") => &tag[..i],
        _ => tag,
    };
    let level_word = if program.len() == tag.len() {
        super::level::one_case_level(program)
    } else {
        super::level::from_upper_word(program)
    };
    if program.is_empty() || program.len() > 64 || level_word.is_some() {
        // `host ERROR: msg`, `host error: msg`: a level, not a program (`error[12]:`, with a
        // pid, names one).
        return None;
    }
    let mut msg = (after_tag + 1).min(b.len());
    if program == b"kernel" {
        msg += kernel_uptime(&b[msg..]);
    }
    Some(Sys {
        time: Some(t),
        program: Some(program),
        msg,
    })
}

/// Length of the kernel's uptime stamp (`[33120.123456] `) at the start of a `kernel:`
/// message: header, not message (every line would otherwise start with `[<NUM>]`).
fn kernel_uptime(m: &[u8]) -> usize {
    let Some(rest) = m.strip_prefix(b"[") else {
        return 0;
    };
    let Some(close) = memchr::memchr(b']', rest) else {
        return 0;
    };
    let inner = rest[..close].trim_ascii();
    // printk writes seconds and microseconds (`[%5lu.%06lu]`): a bare `[0]` is message text.
    let stamp = inner.contains(&b'.')
        && inner.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && inner.iter().any(u8::is_ascii_digit);
    if !stamp {
        return 0;
    }
    let after = close + 2;
    after + rest[after - 1..].iter().take_while(|c| **c == b' ').count()
}

/// A program name with spaces and a pid (macOS `Google Chrome Helper[31322]:`, optionally
/// followed by ` (detail):`), starting at `i` after the host. Returns (the tag without its
/// colon, the end of the tag).
fn spaced_tag(b: &[u8], mut i: usize) -> Option<(&[u8], usize)> {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let window = b.get(i..)?;
    let window = &window[..window.len().min(64)];
    let lb = memchr::memchr(b'[', window)?;
    let name = &window[..lb];
    let ok_name = name.first().is_some_and(|c| !c.is_ascii_whitespace())
        && !name.ends_with(b" ")
        && name.iter().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b' ' | b'.' | b'_' | b'-' | b'(' | b')' | b'/')
        });
    if !ok_name {
        return None;
    }
    let digits = window[lb + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let rb = lb + 1 + digits;
    if digits == 0 || window.get(rb) != Some(&b']') {
        return None;
    }
    let tag = &b[i..i + rb + 1];
    if b.get(i + rb + 1) == Some(&b':') {
        return Some((tag, i + rb + 2));
    }
    let end = qualified_tag(tag, b, i + rb + 1)?;
    Some((tag, end))
}

/// A tag followed by one qualifier column ending in `:`: macOS `prog[pid] (sub.system):` or a
/// version `prog 1.4.1:`. Returns the end of the qualifier.
fn qualified_tag(tag: &[u8], b: &[u8], e: usize) -> Option<usize> {
    let (q, end) = token(b, e + 1)?;
    let q = q.strip_suffix(b":")?;
    let detail = tag.ends_with(b"]") && q.starts_with(b"(") && q.ends_with(b")");
    let version = !q.is_empty()
        && q[0].is_ascii_digit()
        && q.iter().all(|c| c.is_ascii_digit() || *c == b'.');
    (detail || version).then_some(end)
}

/// Parses a syslog line; returns whether it was syslog (RFC 5424, or RFC 3164 with a PRI or a
/// program tag).
pub fn parse<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> bool {
    let (sev, start) = match pri(b) {
        Some((s, n)) => (Some(s), n),
        None => (None, 0),
    };
    let body = &b[start..];
    if sev.is_some() {
        if let Some(ok) = rfc5424(body, ev, tc) {
            ev.level = sev.map(from_syslog_severity);
            return ok;
        }
    }
    let Some(s) = rfc3164(body, tc, sev.is_none()) else {
        return false;
    };
    ev.time = s.time;
    ev.level = sev
        .map(from_syslog_severity)
        .or_else(|| leading_level(&body[s.msg..]));
    ev.logger = s.program.map(Cow::Borrowed);
    ev.message = Cow::Borrowed(&body[s.msg..]);
    true
}

/// A level written first in a syslog message (`app[12]: ERROR payment declined`,
/// `[error] …`, `<warn> …`, `WARNING: …`). Upper case unless bracketed, so `Error reading
/// file` stays prose. The word stays in the message: behind the program tag, the text is
/// the program's own.
pub fn leading_level(msg: &[u8]) -> Option<crate::record::Level> {
    if error_code_line(msg) {
        return Some(crate::record::Level::Error);
    }
    let e = memchr::memchr(b' ', msg)?;
    match &msg[..e] {
        [b'[', inner @ .., b']'] | [b'<', inner @ .., b'>'] => super::level::from_word(inner),
        tok => super::level::from_upper_word(tok.strip_suffix(b":").unwrap_or(tok)),
    }
}

/// Whether `msg` starts with `Error` and an error code (`R14`, `H12`, `1045`), as Heroku's
/// dyno manager writes `heroku[web.1]: Error R14 (Memory quota exceeded)`.
pub fn error_code_line(msg: &[u8]) -> bool {
    let Some(rest) = msg.strip_prefix(b"Error ") else {
        return false;
    };
    let code = &rest[..memchr::memchr(b' ', rest).unwrap_or(rest.len())];
    let letter = code.first().is_some_and(u8::is_ascii_uppercase);
    let digits = &code[usize::from(letter)..];
    (digits.len() >= 3 || letter && digits.len() >= 2) && digits.iter().all(u8::is_ascii_digit)
}

/// `1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg` (after the PRI).
fn rfc5424<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx) -> Option<bool> {
    let (ver, i) = token(b, 0)?;
    if ver.is_empty() || ver.len() > 2 || !ver.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (ts, i) = token(b, i + 1)?;
    let (_host, i) = token(b, i + 1)?;
    let (app, i) = token(b, i + 1)?;
    let (_procid, i) = token(b, i + 1)?;
    let (msgid, i) = token(b, i + 1)?;
    let mut i = i + 1;
    // Structured data: `-` or one or more `[id k="v" ...]` (values may hold `\]`).
    if b.get(i) == Some(&b'-') {
        i += 1;
    } else {
        while b.get(i) == Some(&b'[') {
            let mut j = i + 1;
            let mut in_quotes = false;
            loop {
                match b.get(j)? {
                    b'\\' => j += 1,
                    b'"' => in_quotes = !in_quotes,
                    b']' if !in_quotes => break,
                    _ => {}
                }
                j += 1;
            }
            i = j + 1;
        }
    }
    if ts != b"-" {
        ev.time = parse_prefix(ts, tc).map(|r| r.0);
    }
    if app != b"-" {
        ev.logger = Some(Cow::Borrowed(app));
    }
    if msgid != b"-" {
        ev.fields
            .push((Cow::Borrowed(&b"msgid"[..]), Cow::Borrowed(msgid)));
    }
    let mut msg = b.get(i + 1..).unwrap_or_default();
    msg = msg.strip_prefix("\u{feff}".as_bytes()).unwrap_or(msg);
    ev.message = Cow::Borrowed(msg);
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Level, ParseConfig};

    fn run(line: &str) -> (bool, Event<'_>) {
        let cfg = ParseConfig {
            default_year: 2024,
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        let mut ev = Event::bare(1, line.as_bytes());
        let ok = parse(line.as_bytes(), &mut ev, &tc);
        (ok, ev)
    }

    fn ms(s: &str) -> Option<i64> {
        s.parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond())
    }

    #[test]
    fn rfc3164_with_and_without_pri() {
        let (ok, ev) = run("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick");
        assert!(ok);
        assert_eq!(ev.level, Some(Level::Fatal));
        assert_eq!(ev.time, ms("2024-10-11T22:14:15Z"));
        assert_eq!(ev.logger.as_deref(), Some(&b"su"[..]));
        assert_eq!(&*ev.message, b"'su root' failed for lonvick");
        let (ok, ev) = run("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass");
        assert!(ok);
        assert_eq!(ev.level, None);
        assert_eq!(ev.logger.as_deref(), Some(&b"sshd(pam_unix)"[..]));
        assert_eq!(&*ev.message, b"check pass");
        let (ok, _) = run("hello world");
        assert!(!ok);
    }

    #[test]
    fn a_leading_level_word_or_error_code() {
        use crate::record::Level::{Error, Warn};
        assert_eq!(leading_level(b"ERROR payment declined"), Some(Error));
        assert_eq!(leading_level(b"[warn] disk"), Some(Warn));
        assert_eq!(leading_level(b"Error reading file"), None, "prose");
        // Heroku's dyno manager's error codes.
        assert_eq!(
            leading_level(b"Error R14 (Memory quota exceeded)"),
            Some(Error)
        );
        assert_eq!(leading_level(b"Error H12"), Some(Error));
        assert_eq!(
            leading_level(b"Error 1045 (28000): Access denied"),
            Some(Error)
        );
        assert_eq!(leading_level(b"Error R1 x"), None);
        assert_eq!(leading_level(b"Error 42 times"), None);
    }

    #[test]
    fn kernel_uptime_is_header() {
        let (ok, ev) = run(
            "Aug 14 09:12:00 web-3 kernel: [ 3312.004] Out of memory: Killed process 4000 (java)",
        );
        assert!(ok);
        assert_eq!(&*ev.message, b"Out of memory: Killed process 4000 (java)");
        // Only a number in the bracket, and only for the kernel.
        let (_, ev) = run("Aug 14 09:12:00 web-3 kernel: [drm] GPU reset");
        assert_eq!(&*ev.message, b"[drm] GPU reset");
        let (_, ev) = run("Aug 14 09:12:00 web-3 app[7]: [12.5] ratio");
        assert_eq!(&*ev.message, b"[12.5] ratio");
        let (_, ev) = run("Aug 14 09:12:00 web-3 kernel: [12.5]");
        assert_eq!(&*ev.message, b"");
        let (_, ev) = run("Aug 14 09:12:00 web-3 kernel: [0] queue");
        assert_eq!(&*ev.message, b"[0] queue");
    }

    #[test]
    fn a_bracketed_level_is_no_host() {
        // Nginx's error log is `plain` (its level would be lost as a syslog host).
        let (ok, _) = run("2026/08/14 13:47:00 [warn] 31#31: *4500 upstream timed out");
        assert!(!ok);
        assert_eq!(
            crate::record::detect::detect_format(
                b"2026/08/14 13:47:00 [warn] 31#31: *1 an upstream response is buffered\n"
            ),
            crate::record::Format::Plain
        );
        // PostgreSQL: a pid in brackets, then the level; neither is a host or a program.
        let (ok, _) = run("2024-03-05 10:00:01.123 UTC [4321] ERROR:  duplicate key");
        assert!(!ok);
        let (ok, _) = run("Mar  2 04:00:01 box ERROR: disk full");
        assert!(!ok);
    }

    /// `stamp level: msg` (Winston's default format, `printf`-style scripts): the word is a
    /// level, in either case, with or without a host before it; a tag with a pid is a
    /// program whatever its name.
    #[test]
    fn a_level_and_colon_is_no_tag() {
        for line in [
            "2026-11-27T00:00:00.000Z error: connect ECONNREFUSED 10.0.0.5:5432",
            "2026-11-27 00:00:00 warn: slow",
            "Nov 27 00:00:00 info: started",
            "Nov 27 00:00:00 web1 error: x",
            "Nov 27 00:00:00 web1 WARN: x",
        ] {
            let (ok, ev) = run(line);
            assert!(!ok, "{line}: {:?}", ev.logger);
        }
        let (ok, ev) = run("Nov 27 00:00:00 web1 error[12]: x");
        assert!(ok);
        assert_eq!(ev.logger.as_deref(), Some(&b"error"[..]));
        let (ok, _) = run("2026-11-27 00:00:00 Warning: low disk");
        assert!(!ok);
        // After a host, a capitalized word may name a program.
        let (ok, ev) = run("Nov 27 00:00:00 web1 Notice: x");
        assert!(ok);
        assert_eq!(ev.logger.as_deref(), Some(&b"Notice"[..]));
    }

    #[test]
    fn qualified_tags() {
        let (ok, ev) = run("Jul  3 09:01:02 mac-17 com.example.agent[412] (com.example.agent.xpc.77): Service exited with code 1");
        assert!(ok);
        assert_eq!(ev.time, ms("2024-07-03T09:01:02Z"));
        assert_eq!(ev.logger.as_deref(), Some(&b"com.example.agent"[..]));
        assert_eq!(&*ev.message, b"Service exited with code 1");
        let (ok, ev) = run("Mar  2 04:00:01 box syslogd 2.3.1: restart.");
        assert!(ok);
        assert_eq!(ev.logger.as_deref(), Some(&b"syslogd"[..]));
        assert_eq!(&*ev.message, b"restart.");
        // A word that is not a version or detail is message text.
        let (ok, _) = run("Mar  2 04:00:01 box syslogd restarted: ok");
        assert!(!ok);
        let (ok, ev) = run(
            "Mar  2 04:00:01 box kernel[0]: ARPT: 6201.0113: Brcm::syncPowerState: WWEN[enabled]",
        );
        assert!(ok);
        assert_eq!(
            &*ev.message,
            b"ARPT: 6201.0113: Brcm::syncPowerState: WWEN[enabled]"
        );
    }

    #[test]
    fn rfc5424() {
        let (ok, ev) = run(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\\]lication\"] An application event",
        );
        assert!(ok);
        assert_eq!(ev.level, Some(Level::Info));
        assert_eq!(ev.time, ms("2003-10-11T22:14:15.003Z"));
        assert_eq!(ev.logger.as_deref(), Some(&b"evntslog"[..]));
        assert_eq!(&*ev.message, b"An application event");
        let (ok, ev) = run("<34>1 2003-10-11T22:14:15.003Z host su - - - 'su root' failed");
        assert!(ok);
        assert_eq!(&*ev.message, b"'su root' failed");
    }
}
