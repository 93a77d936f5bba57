//! Test-only oracle: a frozen copy of the masker as it was before the speed work (commit
//! 03fab1e), so the optimised scanner in `mask.rs` can be checked byte for byte against it on
//! real and generated corpora. Only `mask_line` is copied: stack-trace handling in `stack.rs` is
//! unchanged and calls `mask_line` for the first line. Rules added since (spaced sizes, mixed
//! ids, UNC paths) are frozen copies too, at the same point of the flow, so the oracle never
//! compares the masker with itself.
#![allow(dead_code, clippy::all)]

use memchr::memchr;

/// The reference `Masker::mask_line`.
pub(super) fn mask_line(
    user_masks: &[(Vec<u8>, regex::bytes::Regex)],
    line: &[u8],
    out: &mut Vec<u8>,
) {
    out.clear();
    let mut em = Emitter {
        out,
        pending_space: false,
    };
    if user_masks.is_empty() {
        mask_text(line, &mut em);
    } else {
        mask_with_user(user_masks, line, &mut em);
    }
}

fn mask_with_user(
    user_masks: &[(Vec<u8>, regex::bytes::Regex)],
    line: &[u8],
    em: &mut Emitter<'_>,
) {
    let mut next: Vec<Option<(usize, usize)>> = user_masks
        .iter()
        .map(|(_, re)| find_non_empty(re, line, 0))
        .collect();
    let mut pos = 0;
    while pos < line.len() {
        for (k, (_, re)) in user_masks.iter().enumerate() {
            if next[k].is_some_and(|(s, _)| s < pos) {
                next[k] = find_non_empty(re, line, pos);
            }
        }
        let best = next
            .iter()
            .enumerate()
            .filter_map(|(k, m)| m.map(|(s, e)| (s, e, k)))
            .min_by_key(|&(s, _, k)| (s, k));
        match best {
            Some((s, e, k)) => {
                mask_text(&line[pos..s], em);
                if s > 0 && is_space(line[s - 1]) {
                    em.space();
                }
                em.push(&user_masks[k].0);
                if e < line.len() && is_space(line[e]) {
                    em.space();
                }
                pos = e;
            }
            None => {
                mask_text(&line[pos..], em);
                pos = line.len();
            }
        }
    }
}

/// First non-empty match of `re` in `line` starting at or after `from`.
fn find_non_empty(
    re: &regex::bytes::Regex,
    line: &[u8],
    mut from: usize,
) -> Option<(usize, usize)> {
    while from <= line.len() {
        let m = re.find_at(line, from)?;
        if m.end() > m.start() {
            return Some((m.start(), m.end()));
        }
        from = m.end() + 1;
    }
    None
}

/// Writes tokens, collapsing any whitespace run into one space and never leading or trailing.
struct Emitter<'a> {
    out: &'a mut Vec<u8>,
    pending_space: bool,
}

impl Emitter<'_> {
    #[inline]
    fn space(&mut self) {
        if !self.out.is_empty() {
            self.pending_space = true;
        }
    }
    #[inline]
    fn push(&mut self, b: &[u8]) {
        if b.is_empty() {
            return;
        }
        if self.pending_space {
            self.out.push(b' ');
            self.pending_space = false;
        }
        self.out.extend_from_slice(b);
    }
    #[inline]
    fn byte(&mut self, b: u8) {
        self.push(std::slice::from_ref(&b));
    }
}

/// Byte classes, looked up once per byte in the hot loops.
const C_SPACE: u8 = 1;
const C_QUOTE: u8 = 2;
const C_DIGIT: u8 = 4;
const C_ALPHA: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
            C_SPACE
        } else if b == b'"' || b == b'\'' {
            C_QUOTE
        } else if b.is_ascii_digit() {
            C_DIGIT
        } else if b.is_ascii_alphabetic() {
            C_ALPHA
        } else {
            0
        };
        i += 1;
    }
    t
};

#[inline]
fn is_space(b: u8) -> bool {
    CLASS[b as usize] & C_SPACE != 0
}

/// Quoted text longer than this is not treated as one value (it is probably a broken quote).
const MAX_QUOTED: usize = 512;

/// Masks a run of text: splits at whitespace, except that a quoted value containing whitespace
/// is masked as one `<*>` so values of varying word count do not change the token count.
fn mask_text(text: &[u8], em: &mut Emitter<'_>) {
    let mut i = 0;
    let n = text.len();
    while i < n {
        if is_space(text[i]) {
            em.space();
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0u8;
        while i < n {
            let c = CLASS[text[i] as usize];
            if c & C_SPACE != 0 {
                break;
            }
            seen |= c;
            i += 1;
        }
        let quotes = seen & C_QUOTE != 0;
        let tok = &text[start..i];
        // `3.2 GiB`: a number and its size unit in two tokens are one size.
        if tok[0].is_ascii_digit() {
            if let Some((end, last)) = spaced_size(text, tok, i) {
                em.push(b"<SIZE>");
                em.push(trailing_punct(last));
                i = end;
                continue;
            }
        }
        // `2024-01-31 12:34:56.789`: a date and a time in two tokens are one timestamp.
        if tok[0].is_ascii_digit() && date_len(tok) == Some(tok.len()) {
            if let Some((ts, te)) = next_token(text, i) {
                let t2 = &text[ts..te];
                let w2 = &t2[..t2.len() - trailing_punct(t2).len()];
                if time_len(w2).is_some_and(|l| tz_len(&w2[l..]).is_some_and(|z| l + z == w2.len()))
                {
                    em.push(b"<TS>");
                    em.push(trailing_punct(t2));
                    i = te;
                    continue;
                }
            }
        }
        // Dates written with words (`Mon Jun 17 07:07:00 2005`, `17 Jun 2005 07:07:00`) span
        // several tokens: mask them as one so the token count does not depend on the format.
        if tok.len() <= 11 && may_start_worded_date(tok) {
            if let Some((end, last)) = worded_timestamp(text, start) {
                let a = tok.iter().take_while(|&&b| b == b'[' || b == b'(').count();
                em.push(&tok[..a]);
                em.push(b"<TS>");
                em.push(trailing_punct(last));
                i = end;
                continue;
            }
        }
        // `[17/May/2015:10:05:03 +0000]`: a zone offset in its own token belongs to the time.
        if tok.len() >= 8 && tok.contains(&b':') {
            let core = tok.strip_prefix(b"[").unwrap_or(tok);
            if core.first().is_some_and(u8::is_ascii_digit) && is_timestamp(core) {
                if let Some((zs, ze)) = next_token(text, i) {
                    let z = &text[zs..ze];
                    let zc = &z[..z.len() - trailing_punct_or_bracket(z).len()];
                    if zc.len() == 5 && (zc[0] == b'+' || zc[0] == b'-') && digits(&zc[1..]) == 4 {
                        em.push(&tok[..tok.len() - core.len()]);
                        em.push(b"<TS>");
                        em.push(trailing_punct_or_bracket(z));
                        i = ze;
                        continue;
                    }
                }
            }
        }
        // `<1 sec`, `>500 ms`: a bound with its unit is one value, whatever the unit word.
        if let Some((end, last)) = bounded_quantity(text, tok, i) {
            em.push(b"<DURATION>");
            em.push(trailing_punct(last));
            i = end;
            continue;
        }
        // An opening quote whose closing quote lies beyond the token means the quoted value
        // contains whitespace: mask it whole.
        if let Some(q) = if quotes { unclosed_quote(tok) } else { None } {
            let qc = tok[q];
            // Only look a bounded distance ahead: an unclosed quote must not make every later
            // token rescan the rest of a long line.
            // A token longer than the window leaves nothing to search (slicing `i..` past
            // the window's end would panic). (The one change from 03fab1e: this slice panicked when the token itself ran past the
            // window; the fix is the same in both copies.)
            let window = text
                .get(i..n.min(start + q + MAX_QUOTED))
                .unwrap_or_default();
            if let Some(close) = memchr(qc, window).map(|c| i + c) {
                if opens_quote(tok, q) && !http_request_line(&text[start + q + 1..close]) {
                    mask_token(&tok[..q], em);
                    em.byte(qc);
                    em.push(b"<*>");
                    // Continue with the closing quote and whatever is glued to it.
                    let mut j = close;
                    while j < n && !is_space(text[j]) {
                        j += 1;
                    }
                    mask_token(&text[close..j], em);
                    i = j;
                    continue;
                }
            }
        }
        mask_token(tok, em);
    }
}

/// Position of the last quote character in `tok` that is left unclosed inside the token.
fn unclosed_quote(tok: &[u8]) -> Option<usize> {
    let mut open: Option<usize> = None;
    for (k, &b) in tok.iter().enumerate() {
        if b == b'"' || b == b'\'' {
            match open {
                Some(o) if tok[o] == b => open = None,
                Some(_) => {}
                None => open = Some(k),
            }
        }
    }
    open
}

/// A quote opens a value only at the token start or after `=`, `:`, `(`, `[`, `{` or `,` —
/// this keeps apostrophes in English text (`can't`) from swallowing the rest of the line.
fn opens_quote(tok: &[u8], q: usize) -> bool {
    q == 0 || matches!(tok[q - 1], b'=' | b':' | b'(' | b'[' | b'{' | b',')
}

/// Placeholder for a whole piece, if the piece as a whole is a recognisable value.
fn classify(s: &[u8]) -> Option<&'static [u8]> {
    if s.is_empty() {
        return None;
    }
    // One pass over the bytes decides which of the (costlier) checkers can possibly match.
    let (mut digits, mut alpha, mut dots, mut colons) = (0usize, 0usize, 0usize, 0usize);
    let (mut slash, mut at) = (false, false);
    for &b in s {
        let c = CLASS[b as usize];
        if c & C_DIGIT != 0 {
            digits += 1;
        } else if c & C_ALPHA != 0 {
            alpha += 1;
        } else {
            match b {
                b'.' => dots += 1,
                b':' => colons += 1,
                b'/' | b'\\' => slash = true,
                b'@' => at = true,
                _ => {}
            }
        }
    }
    if alpha == s.len() {
        if is_bool_or_null(s) {
            return Some(b"<*>");
        }
        return (s.len() >= 8 && is_hex(s)).then_some(&b"<HEX>"[..]);
    }
    let b0 = s[0];
    if digits > 0
        && (b0.is_ascii_digit() || ((b0 == b'-' || b0 == b'+' || b0 == b'.') && s.len() > 1))
    {
        if is_number(s) {
            return Some(b"<NUM>");
        }
        if let Some(ph) = classify_numeric_like(s) {
            return Some(ph);
        }
    }
    if (b0 == b'v' || b0 == b'V') && digits > 0 && dots > 0 && is_version(&s[1..]) {
        return Some(b"<VERSION>");
    }
    if s.len() == 36 && is_uuid(s) {
        return Some(b"<UUID>");
    }
    if s.len() >= 3 && digits + alpha == s.len() && is_hex(s) {
        return Some(b"<HEX>");
    }
    if s.len() >= 8 && digits >= 2 && alpha >= 2 && digits + alpha == s.len() && is_mixed_id(s) {
        return Some(b"<ID>");
    }
    if colons > 0 && slash && is_url(s) {
        return Some(b"<URL>");
    }
    if at && is_email(s) {
        return Some(b"<EMAIL>");
    }
    if (slash || b0 == b'~') && is_path(s) {
        return Some(b"<PATH>");
    }
    if dots > 0 && alpha > 0 && s.len() >= 4 && is_hostname(s) {
        return Some(b"<HOST>");
    }
    if colons + dots == 0 && s.len() >= 11 && is_hex_pairs(s) {
        return Some(if s.len() == 17 { b"<MAC>" } else { b"<HEX>" });
    }
    if colons >= 3 && is_hex_pairs(s) {
        return Some(if s.len() == 17 { b"<MAC>" } else { b"<HEX>" });
    }
    if colons >= 2 && is_ipv6(s) {
        return Some(b"<IP>");
    }
    None
}

/// `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E`, `FF:F2:9F:16:E2:23:00:0D:60:E9:1D:DC`: pairs of hex
/// digits joined by one kind of separator (MAC addresses, chip and card ids).
fn is_hex_pairs(s: &[u8]) -> bool {
    if s.len() < 11 || (s.len() + 1) % 3 != 0 {
        return false;
    }
    let sep = s[2];
    (sep == b':' || sep == b'-')
        && s.chunks(3).all(|c| {
            c[0].is_ascii_hexdigit() && c[1].is_ascii_hexdigit() && (c.len() == 2 || c[2] == sep)
        })
}

/// Things that start with a digit: timestamps, dates, durations, sizes, IPv4.
fn classify_numeric_like(s: &[u8]) -> Option<&'static [u8]> {
    if is_timestamp(s) {
        return Some(b"<TS>");
    }
    if is_duration(s) {
        return Some(b"<DURATION>");
    }
    if is_size(s) {
        return Some(b"<SIZE>");
    }
    if let Some(l) = ipv4_len(s) {
        if l == s.len() {
            return Some(b"<IP>");
        }
    }
    None
}

/// Length of the leading run of ASCII digits.
#[inline]
fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `[+-]?\d+(\.\d+)?([eE][+-]?\d+)?` or `[+-]?\.\d+`, with nothing after.
fn number_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        i += 1;
    }
    let d = digits(&s[i..]);
    i += d;
    if i < s.len() && s[i] == b'.' {
        let f = digits(&s[i + 1..]);
        if f > 0 {
            i += 1 + f;
        } else if d == 0 {
            return None;
        }
    } else if d == 0 {
        return None;
    }
    if i + 1 < s.len() && (s[i] == b'e' || s[i] == b'E') {
        let mut j = i + 1;
        if s[j] == b'-' || s[j] == b'+' {
            j += 1;
        }
        let e = digits(&s[j..]);
        if e > 0 && e <= 3 {
            i = j + e;
        }
    }
    Some(i)
}

fn is_number(s: &[u8]) -> bool {
    number_len(s) == Some(s.len())
}

fn is_hex(s: &[u8]) -> bool {
    if s.len() > 2 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
        return s[2..].iter().all(|b| b.is_ascii_hexdigit());
    }
    // Bare hex runs: hashes, object ids, addresses. Require a digit and a letter so that plain
    // words made of a-f letters (`accede`, `facade`) and plain numbers stay what they are.
    if s.len() < 6 {
        return false;
    }
    let mut has_digit = false;
    let mut has_alpha = false;
    for &b in s {
        if b.is_ascii_digit() {
            has_digit = true;
        } else if b.is_ascii_hexdigit() {
            has_alpha = true;
        } else {
            return false;
        }
    }
    // Eight or more a-f letters are not an English word; `ffffffff` is a mask.
    (has_digit && has_alpha) || (!has_digit && s.len() >= 8)
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Length of a leading dotted-quad IPv4 address (no port).
fn ipv4_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    for part in 0..4 {
        let d = digits(&s[i..]);
        if d == 0 || d > 3 {
            return None;
        }
        i += d;
        if part < 3 {
            if i >= s.len() || s[i] != b'.' {
                return None;
            }
            i += 1;
        }
    }
    Some(i)
}

fn is_ipv6(s: &[u8]) -> bool {
    // hex groups separated by ':' with at least two colons, and something that rules out a
    // clock time (a hex letter or `::`); an embedded IPv4 tail is allowed.
    let mut colons = 0;
    let mut hex_alpha = false;
    let mut double = false;
    let mut group = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b':' {
            colons += 1;
            if i > 0 && s[i - 1] == b':' {
                double = true;
            }
            group = 0;
        } else if b.is_ascii_hexdigit() {
            group += 1;
            if group > 4 {
                return false;
            }
            if !b.is_ascii_digit() {
                hex_alpha = true;
            }
        } else if b == b'.' {
            // v4-mapped tail such as ::ffff:10.0.0.1
            let start = s[..i].iter().rposition(|&c| c == b':').map_or(0, |p| p + 1);
            return colons >= 2 && ipv4_len(&s[start..]) == Some(s.len() - start);
        } else {
            return false;
        }
    }
    (2..=7).contains(&colons) && (hex_alpha || double)
}

/// Dates, clock times and combinations: `2024-01-31`, `2024/01/31`, `31/01/2024`, `12:34`,
/// `12:34:56.789`, `2024-01-31T12:34:56Z`, `2024-01-31T12:34:56+02:00`, `20240131T123456`.
fn is_timestamp(s: &[u8]) -> bool {
    let mut i = date_len(s).unwrap_or(0);
    if i == s.len() && i > 0 {
        return true;
    }
    if i > 0 {
        // `:` joins date and time in the common log format (`17/May/2015:10:05:03`).
        if s[i] != b'T' && s[i] != b'_' && s[i] != b'-' && s[i] != b':' {
            return false;
        }
        i += 1;
    }
    match time_len(&s[i..]) {
        Some(t) => {
            i += t;
            tz_len(&s[i..]).is_some_and(|z| i + z == s.len())
        }
        None => false,
    }
}

fn date_len(s: &[u8]) -> Option<usize> {
    let a = digits(s);
    if a == 0 || a >= s.len() {
        return None;
    }
    let sep = s[a];
    if sep != b'-' && sep != b'/' && sep != b'.' {
        return None;
    }
    let mut b = digits(&s[a + 1..]);
    // `17/May/2015`, `17-May-2015`: a month name in the middle.
    if b == 0 && sep != b'.' && s.len() >= a + 4 && month(&s[a + 1..a + 4]) {
        b = 3;
    }
    if b == 0 || b > 3 {
        return None;
    }
    let p = a + 1 + b;
    if p >= s.len() || s[p] != sep {
        return None;
    }
    let c = digits(&s[p + 1..]);
    let ok = (a == 4 && (1..=2).contains(&c)) || (a <= 2 && (c == 4 || c == 2));
    ok.then_some(p + 1 + c)
}

fn time_len(s: &[u8]) -> Option<usize> {
    let h = digits(s);
    if h == 0 || h > 2 || h >= s.len() || s[h] != b':' {
        return None;
    }
    let m = digits(&s[h + 1..]);
    if m != 2 {
        return None;
    }
    let mut i = h + 3;
    if i < s.len() && s[i] == b':' {
        let sec = digits(&s[i + 1..]);
        if sec != 2 {
            return None;
        }
        i += 3;
        if i < s.len() && (s[i] == b'.' || s[i] == b',') {
            let f = digits(&s[i + 1..]);
            if f > 0 {
                i += 1 + f;
            }
        }
    }
    Some(i)
}

fn tz_len(s: &[u8]) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    if s[0] == b'Z' || s[0] == b'z' {
        return Some(1);
    }
    if s[0] == b'+' || s[0] == b'-' {
        let d = digits(&s[1..]);
        if d == 4 {
            return Some(5);
        }
        if d == 2 {
            if s.len() > 3 && s[3] == b':' && digits(&s[4..]) == 2 {
                return Some(6);
            }
            return Some(3);
        }
    }
    None
}

/// `30s`, `120ms`, `1.5h`, `1h30m`, `2m30.5s`, `500us`, `3µs`, `10sec`, `5min`.
fn is_duration(s: &[u8]) -> bool {
    let mut i = 0;
    let mut parts = 0;
    while i < s.len() {
        let n = match number_len(&s[i..]) {
            Some(n) if n > 0 => n,
            _ => return false,
        };
        if parts > 0 && (s[i] == b'-' || s[i] == b'+') {
            return false;
        }
        i += n;
        let rest = &s[i..];
        let u = [
            &b"\xc2\xb5s"[..],
            b"nsec",
            b"usec",
            b"msec",
            b"secs",
            b"sec",
            b"mins",
            b"min",
            b"hrs",
            b"hr",
            b"ns",
            b"us",
            b"ms",
            b"s",
            b"m",
            b"h",
            b"d",
        ]
        .iter()
        .find(|u| rest.starts_with(u))
        .map(|u| u.len());
        match u {
            Some(u) => i += u,
            None => return false,
        }
        parts += 1;
    }
    parts > 0
}

/// `10KB`, `3.2GiB`, `512b`, `64k`, `100bytes`.
fn is_size(s: &[u8]) -> bool {
    let n = match number_len(s) {
        Some(n) if n > 0 && n < s.len() => n,
        _ => return false,
    };
    let u = &s[n..];
    if u.eq_ignore_ascii_case(b"bytes") || u.eq_ignore_ascii_case(b"b") {
        return true;
    }
    let (p, rest) = (u[0].to_ascii_uppercase(), &u[1..]);
    matches!(p, b'K' | b'M' | b'G' | b'T' | b'P')
        && (rest.is_empty()
            || rest == b"B"
            || rest == b"b"
            || rest == b"iB"
            || rest == b"ib"
            || rest == b"bps")
}

fn is_url(s: &[u8]) -> bool {
    match memchr::memmem::find(s, b"://") {
        Some(p) if p > 0 => s[..p]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'-' || *b == b'.'),
        _ => false,
    }
}

fn is_email(s: &[u8]) -> bool {
    let at = match memchr(b'@', s) {
        Some(a) if a > 0 => a,
        _ => return false,
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    local
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+' | b'%'))
        && domain.len() >= 3
        && memchr(b'.', domain).is_some_and(|d| d > 0 && d + 1 < domain.len())
        && domain
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')
}

/// Absolute or explicitly relative paths: `/var/log/x`, `./a/b`, `../a`, `~/x`, `C:\x\y`.
fn is_path(s: &[u8]) -> bool {
    // Added since: UNC paths (frozen copy of the rule below).
    if is_unc_path(s) {
        return true;
    }
    let body = if s.len() >= 2 && s[0] == b'/' && s[1] != b'/' {
        &s[1..]
    } else if s.starts_with(b"./") || s.starts_with(b"~/") {
        &s[2..]
    } else if s.starts_with(b"../")
        || (s.len() > 3 && s[0].is_ascii_alphabetic() && &s[1..3] == b":\\")
    {
        &s[3..]
    } else {
        return false;
    };
    // A lone `/word` with no further separator is a path too (`/tmp`), but must contain a
    // letter, digit or dot; it must not look like a fraction such as `/2`.
    !body.is_empty()
        && body
            .iter()
            .any(|b| b.is_ascii_alphabetic() || *b == b'.' || *b == b'_')
}

/// Characters that separate values inside one whitespace-free token.
#[inline]
fn is_strong_delim(b: u8) -> bool {
    matches!(
        b,
        b',' | b';'
            | b'='
            | b'|'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'<'
            | b'>'
            | b'"'
            | b'\''
    )
}

/// Masks one whitespace-free token.
fn mask_token(tok: &[u8], em: &mut Emitter<'_>) {
    if tok.is_empty() {
        return;
    }
    // Fast path for the commonest tokens: a plain word, possibly followed by `,` `.` `:` `;`
    // `)` or `]`. The general path would give the same result, several times slower.
    let word_end = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|b| matches!(b, b',' | b'.' | b':' | b';' | b')' | b']'))
            .count();
    let word = &tok[..word_end];
    if !word.is_empty() && word.iter().all(u8::is_ascii_alphabetic) {
        emit_word(word, em);
        em.push(&tok[word_end..]);
        return;
    }
    // The whole token first: URLs, IPv6 and timestamps contain delimiters.
    if classify_trimmed(tok, em).is_some() {
        return;
    }
    if !tok.iter().any(|&b| is_strong_delim(b)) {
        // Already classified as a whole: go straight to its parts.
        mask_piece_parts(tok, em);
        return;
    }
    let mut start = 0;
    for i in 0..tok.len() {
        let b = tok[i];
        if is_strong_delim(b) {
            mask_piece(&tok[start..i], em);
            em.byte(b);
            start = i + 1;
        }
    }
    mask_piece(&tok[start..], em);
}

/// A run of ASCII letters: a word, unless it is a boolean/null or a long a-f hex run.
#[inline]
fn emit_word(word: &[u8], em: &mut Emitter<'_>) {
    if (4..=5).contains(&word.len()) && is_bool_or_null(word) {
        em.push(b"<*>");
    } else if word.len() >= 8 && is_hex(word) {
        em.push(b"<HEX>");
    } else {
        em.push(word);
    }
}

/// Classifies the token without its surrounding punctuation; on success emits
/// `lead + placeholder + trail` and returns the placeholder.
fn classify_trimmed(tok: &[u8], em: &mut Emitter<'_>) -> Option<&'static [u8]> {
    let mut a = 0;
    let mut z = tok.len();
    while a < z && matches!(tok[a], b'(' | b'[' | b'{' | b'"' | b'\'' | b'<') {
        a += 1;
    }
    while z > a
        && matches!(
            tok[z - 1],
            b')' | b']' | b'}' | b'"' | b'\'' | b'>' | b',' | b';' | b'.' | b':' | b'!' | b'?'
        )
    {
        z -= 1;
    }
    let core = &tok[a..z];
    // `/10.0.0.1:80` (Java's InetSocketAddress) and `host:port` with an IP: keep the port as
    // its own number so `ip:port` reads the same as elsewhere.
    let ph = classify(core).or_else(|| {
        if let Some(mut l) = ipv4_len(core) {
            if l < core.len() && core[l] == b':' && is_number(&core[l + 1..]) {
                l = core.len();
            }
            (l == core.len()).then_some(&b"<IP>"[..])
        } else {
            None
        }
    })?;
    if ph == b"<PATH>" && core.len() > 1 {
        // A path that is really `/IP:port`.
        let rest = &core[1..];
        if let Some(l) = ipv4_len(rest) {
            if l == rest.len() || (rest[l] == b':' && is_number(&rest[l + 1..])) {
                em.push(&tok[..a + 1]);
                emit_ip_port(rest, l, em);
                em.push(&tok[z..]);
                return Some(b"<IP>");
            }
        }
    }
    // `<1`, `>5`: a comparator in front of a number belongs to the value.
    let lead = match tok[..a].last() {
        Some(b'<') if core.first().is_some_and(|b| b.is_ascii_digit()) => &tok[..a - 1],
        _ => &tok[..a],
    };
    em.push(lead);
    if ph == b"<IP>" {
        if let Some(l) = ipv4_len(core) {
            emit_ip_port(core, l, em);
            em.push(&tok[z..]);
            return Some(ph);
        }
    }
    em.push(ph);
    // A path or URL ends where the token ends: a file name may itself end in '.', so the
    // trailing dot is taken as part of the value rather than as a sentence end.
    let trail = &tok[z..];
    let trail = match (ph, trail.first()) {
        (b"<PATH>" | b"<URL>", Some(b'.')) => &trail[1..],
        _ => trail,
    };
    em.push(trail);
    Some(ph)
}

fn emit_ip_port(s: &[u8], l: usize, em: &mut Emitter<'_>) {
    em.push(b"<IP>");
    if l < s.len() {
        em.push(b":<NUM>");
    }
}

/// Masks a piece between strong delimiters: whole-piece kinds first, then `a:b` parts, then
/// numbers glued to words.
fn mask_piece(p: &[u8], em: &mut Emitter<'_>) {
    if p.is_empty() {
        return;
    }
    if p.iter().all(u8::is_ascii_alphabetic) {
        emit_word(p, em);
        return;
    }
    if classify_trimmed(p, em).is_some() {
        return;
    }
    mask_piece_parts(p, em);
}

/// [`mask_piece`] once the piece as a whole is known not to be a value.
fn mask_piece_parts(p: &[u8], em: &mut Emitter<'_>) {
    if let Some(rest) = host_prefix(p) {
        em.push(b"<HOST>");
        mask_piece(rest, em);
        return;
    }
    if memchr(b':', p).is_some() {
        let mut start = 0;
        for i in 0..p.len() {
            if p[i] == b':' {
                mask_word(&p[start..i], em);
                em.byte(b':');
                start = i + 1;
            }
        }
        mask_word(&p[start..], em);
        return;
    }
    mask_word_parts(p, em);
}

/// Masks a word that has no strong delimiters and no `:`.
fn mask_word(w: &[u8], em: &mut Emitter<'_>) {
    if w.is_empty() {
        return;
    }
    if let Some(ph) = classify(w) {
        em.push(ph);
        return;
    }
    mask_word_parts(w, em);
}

/// [`mask_word`] once the word as a whole is known not to be a value.
fn mask_word_parts(w: &[u8], em: &mut Emitter<'_>) {
    if memchr(b'/', w).is_some() {
        let mut start = 0;
        for i in 0..w.len() {
            if w[i] == b'/' {
                mask_word(&w[start..i], em);
                em.byte(b'/');
                start = i + 1;
            }
        }
        mask_word(&w[start..], em);
        return;
    }
    mask_glued(w, em);
}

/// Shortest digit run glued to letters (`user123`, `t761`) that is masked; shorter runs
/// (`ext4`, `u0`, `log4j`) are usually part of a name, and clustering still generalises them
/// when the data shows they vary.
const MIN_GLUED_DIGITS: usize = 3;

/// Masks numbers inside a word: alphanumeric runs that are numbers or hex become
/// placeholders, and a long digit run glued to letters is masked on its own.
fn mask_glued(w: &[u8], em: &mut Emitter<'_>) {
    let n = w.len();
    let mut i = 0;
    while i < n {
        let b = w[i];
        if !b.is_ascii_alphanumeric() {
            // A '-' that starts a number after a separator is a sign, not text: `blk_-123` and
            // `blk_123` must give the same signature.
            let sign = b == b'-'
                && i + 1 < n
                && w[i + 1].is_ascii_digit()
                && (i == 0 || !w[i - 1].is_ascii_alphanumeric());
            if !sign {
                em.byte(b);
            }
            i += 1;
            continue;
        }
        let s = i;
        while i < n && w[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &w[s..i];
        let d = run.iter().filter(|b| b.is_ascii_digit()).count();
        if d == 0 {
            em.push(run);
        } else if d == run.len() {
            em.push(b"<NUM>");
        } else if is_hex(run) {
            em.push(b"<HEX>");
        } else {
            let lead = digits(run);
            let trail = run.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let mid = &run[lead..run.len() - trail];
            // One letter and digits (`e820`, `t761`, `x86`) is a name, not a counter.
            let letters = run.len() - d;
            let (lead, trail) = if letters >= 2 { (lead, trail) } else { (0, 0) };
            let mid = if letters >= 2 { mid } else { run };
            if lead >= MIN_GLUED_DIGITS {
                em.push(b"<NUM>");
            } else {
                em.push(&run[..lead]);
            }
            em.push(mid);
            if trail >= MIN_GLUED_DIGITS {
                em.push(b"<NUM>");
            } else {
                em.push(&run[run.len() - trail..]);
            }
        }
    }
}

fn is_bool_or_null(s: &[u8]) -> bool {
    matches!(
        s,
        b"true" | b"false" | b"True" | b"False" | b"TRUE" | b"FALSE" | b"null" | b"NULL" | b"Null"
    )
}

/// Top-level domains common enough that `a.b.<tld>` is almost surely a host name.
const TLDS: &[&[u8]] = &[
    b"com",
    b"net",
    b"org",
    b"edu",
    b"gov",
    b"mil",
    b"int",
    b"info",
    b"biz",
    b"io",
    b"local",
    b"lan",
    b"internal",
    b"corp",
    b"home",
    b"arpa",
    b"cloud",
    b"dev",
    b"app",
];

/// `host.example.com`, `5-36-59-76.dsl.example.net.om`: dot-separated DNS labels ending in a
/// well-known TLD, or in a two-letter country code after at least two more labels (so that
/// `file.py` stays a file name and `com.foo.Bar` stays a class name).
fn is_hostname(s: &[u8]) -> bool {
    let mut labels = 0;
    let mut last: &[u8] = b"";
    for label in s.split(|&b| b == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    if labels < 2 || !last.iter().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    TLDS.contains(&last) || (last.len() == 2 && labels >= 3)
}

/// The token without trailing punctuation that follows a value (`,`, `)`, `]`, ...).
fn trailing_punct(tok: &[u8]) -> &[u8] {
    let z = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|b| {
                matches!(
                    b,
                    b')' | b']' | b'}' | b'"' | b'\'' | b',' | b';' | b'.' | b':'
                )
            })
            .count();
    &tok[z..]
}

/// The next whitespace-separated token at or after `i`: (start, end).
fn next_token(text: &[u8], mut i: usize) -> Option<(usize, usize)> {
    while i < text.len() && is_space(text[i]) {
        i += 1;
    }
    if i >= text.len() {
        return None;
    }
    let s = i;
    while i < text.len() && !is_space(text[i]) {
        i += 1;
    }
    Some((s, i))
}

fn month(w: &[u8]) -> bool {
    const M: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    const FULL: [&[u8]; 12] = [
        b"january",
        b"february",
        b"march",
        b"april",
        b"may",
        b"june",
        b"july",
        b"august",
        b"september",
        b"october",
        b"november",
        b"december",
    ];
    // Capitalised (`Jun`, `JUNE`), as dates are written; lower-case `may` is a verb.
    w.len() >= 3
        && w[0].is_ascii_uppercase()
        && (M.iter().any(|m| w.eq_ignore_ascii_case(m))
            || w.eq_ignore_ascii_case(b"sept")
            || FULL.iter().any(|m| w.eq_ignore_ascii_case(m)))
}

fn weekday(w: &[u8]) -> bool {
    const D: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    const FULL: [&[u8]; 7] = [
        b"monday",
        b"tuesday",
        b"wednesday",
        b"thursday",
        b"friday",
        b"saturday",
        b"sunday",
    ];
    !w.is_empty()
        && w[0].is_ascii_uppercase()
        && (D.iter().any(|d| w.eq_ignore_ascii_case(d))
            || FULL.iter().any(|d| w.eq_ignore_ascii_case(d)))
}

/// Cheap filter for [`worded_timestamp`]: a 1-2 digit day, or a word starting with the
/// three letters of a month or weekday (optionally after `[` or `(`).
fn may_start_worded_date(tok: &[u8]) -> bool {
    let t = tok
        .strip_prefix(b"[")
        .or_else(|| tok.strip_prefix(b"("))
        .unwrap_or(tok);
    if t.first().is_some_and(u8::is_ascii_digit) {
        let d = digits(t);
        return (1..=2).contains(&d) && t[d..].iter().all(|&b| b == b',');
    }
    if t.len() < 3 || !t[0].is_ascii_uppercase() {
        return false;
    }
    let p = [
        t[0].to_ascii_lowercase(),
        t[1].to_ascii_lowercase(),
        t[2].to_ascii_lowercase(),
    ];
    matches!(
        &p,
        b"jan"
            | b"feb"
            | b"mar"
            | b"apr"
            | b"may"
            | b"jun"
            | b"jul"
            | b"aug"
            | b"sep"
            | b"oct"
            | b"nov"
            | b"dec"
            | b"mon"
            | b"tue"
            | b"wed"
            | b"thu"
            | b"fri"
            | b"sat"
            | b"sun"
    )
}

/// A date written with a month name, starting at `start`: `[Wkd[,]] Mon D[,] [YYYY] [time]
/// [YYYY]` or `[Wkd,] D Mon YYYY [time]`, needing a day and a time or year. Returns the end
/// of the last token consumed and that token.
fn worded_timestamp(text: &[u8], start: usize) -> Option<(usize, &[u8])> {
    let strip = |t: &'_ [u8]| -> usize {
        t.len()
            - t.iter()
                .rev()
                .take_while(|b| matches!(b, b',' | b']' | b')' | b'.'))
                .count()
    };
    let lead = |t: &'_ [u8]| t.iter().take_while(|&&b| b == b'[' || b == b'(').count();
    let mut pos = start;
    let (s, e) = next_token(text, pos)?;
    let t = &text[s..e];
    let mut w = &t[lead(t)..strip(t)];
    let mut tok_end = e;
    if weekday(w) {
        let (s2, e2) = next_token(text, e)?;
        let t2 = &text[s2..e2];
        w = &t2[..strip(t2)];
        pos = e2;
        tok_end = e2;
    } else {
        pos = e;
    }
    let is_day = |w: &[u8]| (1..=2).contains(&w.len()) && w.iter().all(|b| b.is_ascii_digit());
    let is_year = |w: &[u8]| w.len() == 4 && w.iter().all(|b| b.is_ascii_digit());
    let is_time =
        |w: &[u8]| time_len(w).is_some_and(|l| tz_len(&w[l..]).is_some_and(|z| l + z == w.len()));
    let mut have_time = false;
    let mut have_year = false;
    let mut last_end;
    if month(w) {
        let (s2, e2) = next_token(text, pos)?;
        let t2 = &text[s2..e2];
        if !is_day(&t2[..strip(t2)]) {
            return None;
        }
        last_end = e2;
    } else if is_day(w) {
        let (s2, e2) = next_token(text, pos)?;
        let t2 = &text[s2..e2];
        if !month(&t2[..strip(t2)]) {
            return None;
        }
        last_end = e2;
    } else {
        return None;
    }
    let _ = tok_end;
    // Optional year and time (with a zone name), in either order.
    for _ in 0..3 {
        let Some((s3, e3)) = next_token(text, last_end) else {
            break;
        };
        let t3 = &text[s3..e3];
        let w3 = &t3[..strip(t3)];
        if !have_year && is_year(w3) {
            have_year = true;
            last_end = e3;
        } else if !have_time && is_time(w3) {
            have_time = true;
            last_end = e3;
        } else if have_time && (2..=5).contains(&w3.len()) && w3.iter().all(u8::is_ascii_uppercase)
        {
            // A zone name after the time: `08:16:53 PDT 2005`.
            last_end = e3;
        } else {
            break;
        }
    }
    if !(have_time || have_year) {
        return None;
    }
    let ls = text[..last_end]
        .iter()
        .rposition(|&b| is_space(b))
        .map_or(0, |p| p + 1);
    Some((last_end, &text[ls..last_end]))
}

/// A host name made of one label with letters, digits and a hyphen (`msra-sa-41`,
/// `MININT-FNANLI5`) is recognisable only by what follows it: a port (`:9000`) or, in Java's
/// `InetAddress` form, `/` and an IP. Returns the rest after the host label.
fn host_prefix(p: &[u8]) -> Option<&[u8]> {
    let end = p
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.'))?;
    let (host, rest) = p.split_at(end);
    let has_alpha = host.iter().any(|b| b.is_ascii_alphabetic());
    let has_digit = host.iter().any(|b| b.is_ascii_digit());
    let has_sep = host.iter().any(|b| *b == b'-' || *b == b'.');
    if !(has_alpha && has_digit && has_sep) || host[0] == b'-' || host[host.len() - 1] == b'-' {
        return None;
    }
    let after = &rest[1..];
    let port = &after[..after.len() - trailing_punct(after).len()];
    let ok = match rest[0] {
        b':' => (1..=5).contains(&port.len()) && port.iter().all(|b| b.is_ascii_digit()),
        b'/' => ipv4_len(after).is_some(),
        _ => false,
    };
    ok.then_some(rest)
}

/// `1.2`, `2.6.5`: dotted numbers after a `v` (`v1.5`).
fn is_version(s: &[u8]) -> bool {
    !s.is_empty()
        && s.split(|&b| b == b'.')
            .all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
}

/// `GET /path HTTP/1.1`: a quoted HTTP request line keeps its method and protocol words
/// instead of becoming one `<*>` (the path is masked on its own).
fn http_request_line(q: &[u8]) -> bool {
    const METHODS: &[&[u8]] = &[
        b"GET ",
        b"POST ",
        b"PUT ",
        b"DELETE ",
        b"HEAD ",
        b"PATCH ",
        b"OPTIONS ",
        b"CONNECT ",
    ];
    METHODS.iter().any(|m| q.starts_with(m))
}

/// `<1 sec`, `>500 ms`, `~2 min`: a comparator, a number and a time unit word. Returns where
/// the unit token ends and the unit token. (A plain `30 seconds` keeps its unit word: it is
/// usually a constant word of the template.)
fn bounded_quantity<'t>(text: &'t [u8], tok: &[u8], end: usize) -> Option<(usize, &'t [u8])> {
    if tok.len() < 2 || !matches!(tok[0], b'<' | b'>' | b'~') || !is_number(&tok[1..]) {
        return None;
    }
    let (us, ue) = next_token(text, end)?;
    let unit_tok = &text[us..ue];
    let unit = &unit_tok[..unit_tok.len() - trailing_punct(unit_tok).len()];
    const UNITS: &[&[u8]] = &[
        b"ns", b"us", b"ms", b"s", b"sec", b"secs", b"second", b"seconds", b"min", b"mins",
        b"minute", b"minutes", b"h", b"hr", b"hrs", b"hour", b"hours", b"day", b"days",
    ];
    UNITS.contains(&unit).then_some((ue, unit_tok))
}

/// Trailing `]`, `)` and punctuation of a token.
fn trailing_punct_or_bracket(tok: &[u8]) -> &[u8] {
    let z = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|b| matches!(b, b')' | b']' | b'}' | b',' | b';' | b'.' | b':' | b'"'))
            .count();
    &tok[z..]
}

// Rules added after 03fab1e, frozen as they were when they were added (the masker's own
// copies may be optimised; these must not change).

/// `3.2 GiB`: a number token followed by a size unit token; where the unit token ends and it.
fn spaced_size<'t>(text: &'t [u8], tok: &[u8], end: usize) -> Option<(usize, &'t [u8])> {
    if text.get(end) != Some(&b' ') || number_len(tok) != Some(tok.len()) {
        return None;
    }
    let (us, ue) = next_token(text, end)?;
    let unit_tok = &text[us..ue];
    let unit = &unit_tok[..unit_tok.len() - trailing_punct(unit_tok).len()];
    const UNITS: &[&[u8]] = &[
        b"B", b"kB", b"KB", b"MB", b"GB", b"TB", b"PB", b"KiB", b"MiB", b"GiB", b"TiB", b"PiB",
    ];
    UNITS.contains(&unit).then_some((ue, unit_tok))
}

/// Letters and digits alternating at least three times (`a1b2`, `x86y7z`).
fn is_mixed_id(s: &[u8]) -> bool {
    let changes = s
        .windows(2)
        .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
        .count();
    changes >= 3
}

/// `\\server\share`, `\\?\C:`, `\\.\pipe`.
fn is_unc_path(s: &[u8]) -> bool {
    let Some(rest) = s.strip_prefix(b"\\\\") else {
        return false;
    };
    let Some(sep) = memchr(b'\\', rest) else {
        return false;
    };
    let server = &rest[..sep];
    let server_ok = server == b"?"
        || server == b"."
        || (!server.is_empty()
            && server
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'$')));
    let next_ok = match rest.get(sep + 1) {
        Some(b) => b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.'),
        None => false,
    };
    server_ok && next_ok
}
