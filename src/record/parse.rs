//! Parsers for each [`Format`], and the multi-line joining rule.

use super::{Event, Format, ParseConfig};

/// Whether a line continues the previous event (stack frame, `Caused by:`, indented line).
/// Looks only at the start of the line. The chunker relies on this to cut between events.
pub fn is_continuation(line: &[u8]) -> bool {
    matches!(line.first(), Some(b' ') | Some(b'\t'))
        || line.starts_with(b"Caused by:")
        || line.starts_with(b"... ")
}

/// Parses every event of `chunk` (whole lines; its first line is `first_line` of the source)
/// and hands them to `f` in order.
pub fn parse_chunk<'a>(
    chunk: &'a [u8],
    first_line: u64,
    format: Format,
    cfg: &ParseConfig,
    f: &mut dyn FnMut(Event<'a>),
) {
    let _ = cfg;
    let mut line_no = first_line;
    let mut start = 0usize;
    let lines: Vec<&[u8]> = chunk.split(|&b| b == b'\n').collect();
    let n = if chunk.ends_with(b"\n") {
        lines.len() - 1
    } else {
        lines.len()
    };
    let mut i = 0;
    while i < n {
        let first = i;
        i += 1;
        if format.joins_lines() {
            while i < n && is_continuation(lines[i]) {
                i += 1;
            }
        }
        let len: usize = lines[first..i].iter().map(|l| l.len() + 1).sum::<usize>() - 1;
        let raw = &chunk[start..start + len];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut ev = Event::bare(line_no, raw);
        ev.lines = (i - first) as u32;
        f(ev);
        start += len + 1;
        line_no += (i - first) as u64;
    }
}
