//! Format detection from a sample of a source's first lines.
//!
//! Every format's parser is tried on each non-continuation line of the sample (at most
//! [`MAX_LINES`]); the format that recognizes the most lines wins. On a tie the more specific
//! format wins, in the order json, access, syslog, logfmt, plain (a syslog line is also a
//! plain line with a timestamp; an access line is never json). When nothing is recognized the
//! source is `plain`, where a line without any header is still an event (message = line).
//! `line` is never detected: it is only chosen with `--input-format line`.

use super::ansi::{has_escape, strip_into};
use super::parse::{is_continuation, parse_event, Ctx};
use super::w3c::W3cFields;
use super::{Event, Format, ParseConfig};

/// Lines of the sample looked at.
pub const MAX_LINES: usize = 200;

/// Candidates, most specific first (ties go to the earlier one).
const CANDIDATES: [Format; 5] = [
    Format::Json,
    Format::Access,
    Format::Syslog,
    Format::Logfmt,
    Format::Plain,
];

/// Picks the format that parses most of the sample's lines.
pub fn detect_format(sample: &[u8]) -> Format {
    let cfg = ParseConfig::default();
    // A W3C log's lines are read with the columns its `#Fields:` directive names.
    let columns = W3cFields::from_sample(sample);
    let mut ctxs = CANDIDATES.map(|f| Ctx::with_columns(&cfg, f, columns.as_ref()));
    let mut counts = [0usize; CANDIDATES.len()];
    let access = CANDIDATES
        .iter()
        .position(|&f| f == Format::Access)
        .unwrap_or(0);
    let sample = sample.strip_prefix(super::parse::BOM).unwrap_or(sample);
    for line in sample
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !is_continuation(l))
        .take(MAX_LINES)
    {
        // A W3C header line counts for access (and a `#Fields:` one sets its columns).
        if ctxs[access].directive(line) {
            counts[access] += 1;
            continue;
        }
        // A coloured console line is read as its text.
        let clean;
        let line = if has_escape(line) {
            let mut v = Vec::with_capacity(line.len());
            strip_into(line, &mut v);
            clean = v;
            &clean[..]
        } else {
            line
        };
        for (k, f) in CANDIDATES.iter().enumerate() {
            let mut ev = Event::bare(1, line);
            if parse_event(*f, line, line, &mut ev, &ctxs[k]) {
                counts[k] += 1;
            }
        }
    }
    let mut best = Format::Plain;
    let mut best_n = 0;
    for (k, f) in CANDIDATES.iter().enumerate() {
        if counts[k] > best_n {
            best = *f;
            best_n = counts[k];
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let cases: &[(&str, Format)] = &[
            ("{\"level\":\"info\",\"msg\":\"a\"}\n{\"level\":\"warn\",\"msg\":\"b\"}\n", Format::Json),
            ("{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-01T00:00:00Z\"}\n", Format::Json),
            ("at=info method=GET path=/ status=200\nat=error code=H12 desc=\"x\"\n", Format::Logfmt),
            ("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n", Format::Access),
            ("<34>Oct 11 22:14:15 host su[1]: x\n<13>1 2024-01-01T00:00:00Z h app - - - y\n", Format::Syslog),
            ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass\n", Format::Syslog),
            ("2024-01-01 10:00:00,000 INFO x\n\tat a.b(C.java:1)\n2024-01-01 10:00:01,000 ERROR y\n", Format::Plain),
            ("2026-11-27T00:00:00.000Z info: a\n2026-11-27T00:00:01.000Z error: b\n", Format::Plain),
            ("hello\nworld\n", Format::Plain),
            ("", Format::Plain),
        ];
        for (s, f) in cases {
            assert_eq!(detect_format(s.as_bytes()), *f, "{s}");
        }
    }

    #[test]
    fn majority_wins_on_mixed_sample() {
        let s = "{\"msg\":\"a\"}\nplain words here\n{\"msg\":\"b\"}\n{\"msg\":\"c\"}\n2024-01-01 10:00:00 INFO x\n";
        assert_eq!(detect_format(s.as_bytes()), Format::Json);
        let s = "2024-01-01 10:00:00 INFO x\n2024-01-01 10:00:01 INFO y\n{\"msg\":\"a\"}\n";
        assert_eq!(detect_format(s.as_bytes()), Format::Plain);
    }
}
