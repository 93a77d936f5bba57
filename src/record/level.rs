//! Level normalization: words, single header letters, syslog severities and bunyan/pino numbers
//! all map onto the six [`Level`]s.

use super::Level;

/// A level word in any case (`ERROR`, `Warning`, `crit`, `information`...).
#[inline]
pub fn from_word(w: &[u8]) -> Option<Level> {
    // Cheap rejection first: this runs on several header tokens of every plain line.
    if w.len() < 3
        || w.len() > 13
        || !matches!(
            w[0] | 0x20,
            b't' | b'f' | b'v' | b'd' | b'i' | b'n' | b'c' | b'w' | b'e' | b's' | b'p' | b'a'
        )
    {
        return None;
    }
    let mut buf = [0u8; 13];
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    Some(match &buf[..w.len()] {
        b"trace" | b"trc" | b"trce" | b"finest" | b"finer" | b"verbose" => Level::Trace,
        b"debug" | b"dbg" | b"dbug" | b"fine" => Level::Debug,
        b"info" | b"inf" | b"information" | b"informational" | b"notice" | b"config" => Level::Info,
        b"warn" | b"warning" | b"wrn" => Level::Warn,
        b"error" | b"err" | b"eror" | b"severe" | b"fail" | b"failure" => Level::Error,
        b"fatal" | b"critical" | b"crit" | b"panic" | b"emerg" | b"emergency" | b"alert"
        | b"ftl" => Level::Fatal,
        _ => return None,
    })
}

/// Like [`from_word`] but only for words written in upper case (`ERROR`, `WARN`), used where
/// a capitalized ordinary word (`Error reading file`) must not be taken for a level header.
pub fn from_upper_word(w: &[u8]) -> Option<Level> {
    if w.iter().any(u8::is_ascii_lowercase) {
        return None;
    }
    from_word(w)
}

/// `ERROR`, `error`: a level word in one case. Capitalized `Error` is more often prose.
pub fn one_case_level(t: &[u8]) -> Option<Level> {
    if t.iter().any(u8::is_ascii_uppercase) && t.iter().any(u8::is_ascii_lowercase) {
        return None;
    }
    from_word(t)
}

/// A single header letter (glog `E0101`, Rails `E, [`, logcat ` E Tag:`).
pub fn from_letter(c: u8) -> Option<Level> {
    Some(match c {
        b'T' | b'V' => Level::Trace,
        b'D' => Level::Debug,
        b'I' | b'N' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' | b'C' | b'A' => Level::Fatal,
        _ => return None,
    })
}

/// Syslog severity (PRI % 8).
pub fn from_syslog_severity(sev: u32) -> Level {
    match sev {
        0..=2 => Level::Fatal,
        3 => Level::Error,
        4 => Level::Warn,
        5 | 6 => Level::Info,
        _ => Level::Debug,
    }
}

/// The level a request's HTTP status implies, as access logs have none: 5xx error, 4xx
/// warn, else info.
pub fn from_http_status(status: u16) -> Level {
    match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    }
}

/// A numeric level: bunyan/pino (10 trace … 60 fatal); small numbers are read as syslog
/// severities (0 emerg … 7 debug), which is what GELF and journald use.
pub fn from_number(n: f64) -> Option<Level> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let n = n as u32;
    Some(match n {
        0..=7 => from_syslog_severity(n),
        8..=19 => Level::Trace,
        20..=29 => Level::Debug,
        30..=39 => Level::Info,
        40..=49 => Level::Warn,
        50..=59 => Level::Error,
        60..=100 => Level::Fatal,
        _ => return None,
    })
}

/// A level value from a structured field: a word, a number, a number in a string, or one
/// upper-case letter (MongoDB's `"s":"W"`, logcat-style exports).
pub fn from_value(v: &[u8]) -> Option<Level> {
    if let Some(l) = from_word(v) {
        return Some(l);
    }
    if let [c @ b'A'..=b'Z'] = v {
        return from_letter(*c);
    }
    if !v.is_empty() && v.iter().all(u8::is_ascii_digit) {
        return from_number(std::str::from_utf8(v).ok()?.parse().ok()?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let cases: &[(&str, Level)] = &[
            ("TRACE", Level::Trace),
            ("debug", Level::Debug),
            ("INFO", Level::Info),
            ("Information", Level::Info),
            ("NOTICE", Level::Info),
            ("warn", Level::Warn),
            ("WARNING", Level::Warn),
            ("ERROR", Level::Error),
            ("err", Level::Error),
            ("SEVERE", Level::Error),
            ("CRITICAL", Level::Fatal),
            ("crit", Level::Fatal),
            ("FATAL", Level::Fatal),
            ("panic", Level::Fatal),
            ("EMERG", Level::Fatal),
            ("alert", Level::Fatal),
        ];
        for (w, l) in cases {
            assert_eq!(from_word(w.as_bytes()), Some(*l), "{w}");
        }
        assert_eq!(from_word(b"hello"), None);
        assert_eq!(from_upper_word(b"Error"), None);
        assert_eq!(from_upper_word(b"ERROR"), Some(Level::Error));
    }

    #[test]
    fn numbers() {
        assert_eq!(from_value(b"10"), Some(Level::Trace));
        assert_eq!(from_value(b"20"), Some(Level::Debug));
        assert_eq!(from_value(b"30"), Some(Level::Info));
        assert_eq!(from_value(b"40"), Some(Level::Warn));
        assert_eq!(from_value(b"50"), Some(Level::Error));
        assert_eq!(from_value(b"60"), Some(Level::Fatal));
        assert_eq!(from_value(b"3"), Some(Level::Error));
        assert_eq!(from_value(b"W"), Some(Level::Warn));
        assert_eq!(from_value(b"x"), None);
        assert_eq!(from_syslog_severity(165 % 8), Level::Info);
        assert_eq!(from_syslog_severity(34 % 8), Level::Fatal);
    }
}
