//! Terminal escape sequences in log lines: colour codes (`ESC[32m INFO ESC[0;39m`) that
//! Spring Boot, zap's development encoder, Winston, Rails and others write when they believe
//! they talk to a terminal, and which end up in files and container logs anyway.
//!
//! They are no part of the text: left in, a timestamp behind `ESC[2m` is not found, a level
//! word inside `ESC[31mERRORESC[0m` is not read, and the miner masks `39m` as a duration. The
//! parser strips them from an event (after JSON decoding, for JSON-wrapped lines) before its
//! header is read, only when the event holds an ESC byte at all.
//!
//! Removed: CSI sequences (`ESC [`, parameter bytes `0x30..=0x3F`, intermediate bytes
//! `0x20..=0x2F`, a final byte `0x40..=0x7E`: SGR colours, cursor moves, erase line), OSC
//! sequences (`ESC ]` … BEL or `ESC \`: terminal titles, hyperlinks) within the line and
//! before any other ESC, and the
//! short escapes `ESC` + intermediates + a final byte (`ESC(B`, which `tput sgr0` writes). An
//! ESC that starts none of these is dropped alone. Line ends are never part of a sequence, so
//! stripping a whole event equals stripping each of its lines.

/// The escape byte.
pub const ESC: u8 = 0x1b;

/// Whether `b` holds an escape byte (the only case where stripping changes anything).
#[inline]
pub fn has_escape(b: &[u8]) -> bool {
    memchr::memchr(ESC, b).is_some()
}

/// Length of the escape sequence starting at the ESC at `b[0]` (1 when it starts none).
fn sequence_len(b: &[u8]) -> usize {
    match b.get(1) {
        Some(b'[') => {
            let mut i = 2;
            while b.get(i).is_some_and(|c| (0x30..=0x3f).contains(c)) {
                i += 1;
            }
            while b.get(i).is_some_and(|c| (0x20..=0x2f).contains(c)) {
                i += 1;
            }
            match b.get(i) {
                Some(c) if (0x40..=0x7e).contains(c) => i + 1,
                _ => 1,
            }
        }
        Some(b']') => {
            // Up to BEL or ST (`ESC \`), never past the line nor another sequence's ESC (so
            // a line of unterminated `ESC ]`s is read once, not once per ESC).
            let mut i = 2;
            loop {
                match b.get(i) {
                    Some(0x07) => return i + 1,
                    Some(&ESC) if b.get(i + 1) == Some(&b'\\') => return i + 2,
                    Some(&ESC | b'\n' | b'\r') | None => return 1,
                    Some(_) => i += 1,
                }
            }
        }
        _ => {
            let mut i = 1;
            while b.get(i).is_some_and(|c| (0x20..=0x2f).contains(c)) {
                i += 1;
            }
            match b.get(i) {
                Some(c) if (0x30..=0x7e).contains(c) => i + 1,
                _ => 1,
            }
        }
    }
}

/// Appends `src` to `out` without its escape sequences.
pub fn strip_into(src: &[u8], out: &mut Vec<u8>) {
    let mut from = 0;
    while let Some(k) = memchr::memchr(ESC, &src[from..]) {
        let at = from + k;
        out.extend_from_slice(&src[from..at]);
        from = at + sequence_len(&src[at..]);
    }
    out.extend_from_slice(&src[from..]);
}

/// Whether [`strip_for_display`] may change `b`.
pub fn shown_with_escapes(b: &[u8]) -> bool {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    has_escape(b)
        || FINDER
            .get_or_init(|| memchr::memmem::Finder::new(b"\\u001"))
            .find(b)
            .is_some()
}

/// Appends `src` to `out` for display as evidence: without its escape sequences, also those
/// written JSON-escaped (`\u001b[31m` in a Docker json-file record's `log`). Not for the hot
/// path: it looks at every backslash.
pub fn strip_for_display(src: &[u8], out: &mut Vec<u8>) {
    let mut from = 0;
    while let Some(k) = memchr::memchr2(ESC, b'\\', &src[from..]) {
        let at = from + k;
        let len = if src[at] == ESC {
            sequence_len(&src[at..])
        } else if src
            .get(at + 1..at + 6)
            .is_some_and(|u| u.eq_ignore_ascii_case(b"u001b"))
        {
            // `\u001b` stands for the ESC; the sequence is read from its last byte on.
            5 + sequence_len(&src[at + 5..])
        } else {
            // Another escape: keep it (and the byte it escapes) as it is.
            out.extend_from_slice(&src[from..(at + 2).min(src.len())]);
            from = (at + 2).min(src.len());
            continue;
        };
        out.extend_from_slice(&src[from..at]);
        from = at + len;
    }
    out.extend_from_slice(&src[from..]);
}

/// Removes the escape sequences of `v` in place.
pub fn strip_in_place(v: &mut Vec<u8>) {
    let Some(first) = memchr::memchr(ESC, v) else {
        return;
    };
    let mut w = first;
    let mut r = first;
    while r < v.len() {
        if v[r] == ESC {
            r += sequence_len(&v[r..]);
        } else {
            v[w] = v[r];
            w += 1;
            r += 1;
        }
    }
    v.truncate(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        strip_into(s, &mut out);
        let mut v = s.to_vec();
        strip_in_place(&mut v);
        assert_eq!(out, v, "both ways agree on {s:?}");
        out
    }

    #[test]
    fn strips_colours_and_other_sequences() {
        let cases: &[(&[u8], &[u8])] = &[
            (
                b"\x1b[2m2026-11-27 00:00:00.058\x1b[0;39m \x1b[32m INFO\x1b[0;39m x",
                b"2026-11-27 00:00:00.058  INFO x",
            ),
            (b"\x1b[34mINFO\x1b[0m\tmsg", b"INFO\tmsg"),
            (b"\x1b[1;38;5;196mred\x1b[m", b"red"),
            (b"a\x1b[2Kb\x1b[1Gc", b"abc"),
            (b"\x1b]8;;http://x\x07link\x1b]8;;\x1b\\ text", b"link text"),
            (b"\x1b(B\x1b[mplain", b"plain"),
            (b"no escapes", b"no escapes"),
            // Broken sequences: only the ESC goes; a line end is never swallowed.
            (b"a\x1b[31", b"a[31"),
            (b"a\x1b", b"a"),
            (b"a\x1b[3\nb", b"a[3\nb"),
            (b"a\x1b]title\nb", b"a]title\nb"),
            (b"a\x1b\x1b[0mb", b"ab"),
            // An OSC ends at the next sequence's ESC when nothing ended it before.
            (b"a\x1b]0;t\x1b[31mb", b"a]0;tb"),
            (b"a\x1b]\x1b]b\x07c", b"a]c"),
        ];
        for (src, want) in cases {
            assert_eq!(
                String::from_utf8_lossy(&strip(src)),
                String::from_utf8_lossy(want),
                "{src:?}"
            );
        }
    }

    /// A long line of unterminated OSC openings (found by fuzzing: each was read to the end
    /// of the line, minutes for a 1 MB line): every ESC goes, the rest stays.
    #[test]
    fn unterminated_osc_sequences_are_read_once() {
        let line = b"\x1b]0;t".repeat(100_000);
        assert_eq!(strip(&line), b"]0;t".repeat(100_000));
    }

    #[test]
    fn display_strips_json_escaped_sequences_too() {
        let show = |s: &[u8]| {
            let mut out = Vec::new();
            strip_for_display(s, &mut out);
            String::from_utf8_lossy(&out).into_owned()
        };
        assert_eq!(
            show(br#"{"log":"\u001b[2m10:00\u001B[0;39m \u001b[31mERROR\u001b[0m x\n","s":"a\\u001b"}"#),
            r#"{"log":"10:00 ERROR x\n","s":"a\\u001b"}"#
        );
        assert_eq!(show(b"\x1b[31mred\x1b[0m \\"), "red \\");
        assert_eq!(show(b"a\\u001b"), "a");
        assert_eq!(show(b"end\\"), "end\\");
    }

    #[test]
    fn stripping_lines_one_by_one_equals_stripping_the_whole() {
        let text: &[u8] = b"\x1b[31mERR\x1b[0m a\n\x1b[3\n\tat \x1b[2mx\x1b[0m\r\n\x1b]t\x07z";
        let whole = strip(text);
        let mut parts = Vec::new();
        for (i, line) in text.split(|&c| c == b'\n').enumerate() {
            if i > 0 {
                parts.push(b'\n');
            }
            strip_into(line, &mut parts);
        }
        assert_eq!(whole, parts);
    }
}
