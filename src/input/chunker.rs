//! Cuts one byte stream into line-aligned chunks.
//!
//! Cuts only ever fall at the start of a line, and for formats that join lines (stack traces)
//! only at the start of a line that begins a new event, so the events parsed from the chunks
//! are the same for every chunk size. Lines longer than the cap are truncated to the cap (and
//! counted) so that one 100 MB line cannot make a chunk, or memory, grow without bound.

use std::io::{self, Read};
use std::sync::Arc;

use memchr::{memchr, memchr_iter, memrchr};

use super::{Chunk, SourceMeta};

/// Most lines in one chunk. A chunk of short lines is cut here before it reaches the chunk
/// size: every distinct message of a chunk costs a few hundred bytes of statistics until the
/// chunk is merged, and 2 MiB of 5-byte lines is 400,000 events and up to 200,000 distinct
/// messages (some 70 MB) in each of the chunks in flight. Lines of 64 bytes or more (on
/// average) never reach it.
pub const MAX_CHUNK_LINES: usize = 32 << 10;

/// What one stream yielded.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChunkerStats {
    pub bytes: u64,
    pub lines: u64,
    pub truncated_lines: u64,
}

/// Cuts a stream into chunks; see the module doc.
pub struct Chunker {
    source: Arc<SourceMeta>,
    chunk_size: usize,
    max_line: usize,
    /// A multi-line event is cut anyway once it reaches this size.
    max_event: usize,
    buf: Vec<u8>,
    next_line: u64,
    stats: ChunkerStats,
    /// W3C columns in effect at the next chunk (see [`Chunk::w3c`]).
    w3c: Option<Arc<crate::record::w3c::W3cFields>>,
    /// The time before the next chunk, when the source's events carry timestamps (see
    /// [`Chunker::with_times`]).
    times: Option<super::TimeCarry>,
}

/// Why reading a stream stopped early.
pub enum StreamEnd {
    /// The stream ended normally.
    Eof,
    /// The sink asked to stop (e.g. `--head N` reached).
    Stopped,
    /// A read error; everything before it was delivered.
    Failed(io::Error),
}

/// One pass over a buffer's line ends, up to the [`MAX_CHUNK_LINES`]th: it tells where a
/// chunk of that many lines ends, and how many lines a chunk cut before it has and how long
/// the longest may be, without a second pass over the chunk.
#[derive(Debug, PartialEq)]
struct LineScan {
    /// Line ends seen.
    ends: usize,
    /// Just after the last line end seen (0 when none).
    to: usize,
    /// The longest line seen, without its newline.
    longest: usize,
    /// The [`MAX_CHUNK_LINES`]th line end, where the scan stopped.
    nth: Option<usize>,
}

impl LineScan {
    fn of(buf: &[u8]) -> LineScan {
        Self::up_to(buf, MAX_CHUNK_LINES)
    }

    fn of_all(buf: &[u8]) -> LineScan {
        Self::up_to(buf, usize::MAX)
    }

    fn up_to(buf: &[u8], max: usize) -> LineScan {
        let mut s = LineScan {
            ends: 0,
            to: 0,
            longest: 0,
            nth: None,
        };
        for i in memchr_iter(b'\n', buf) {
            s.longest = s.longest.max(i - s.to);
            s.ends += 1;
            s.to = i + 1;
            if s.ends == max {
                s.nth = Some(i);
                break;
            }
        }
        s
    }

    /// The lines of `buf[..cut]` (`cut` at a line start or the end of `buf`) and an upper
    /// bound of the longest one's length (the scan's longest: at most too long a line of the
    /// rest, which only costs a check), when the scan reached `cut`.
    fn lines_before(&self, buf: &[u8], cut: usize) -> Option<(u64, usize)> {
        if cut <= self.to {
            let after = memchr_iter(b'\n', &buf[cut..self.to]).count();
            Some(((self.ends - after) as u64, self.longest))
        } else if self.nth.is_none() {
            // The whole buffer was scanned: the rest is its last line, without a newline.
            Some(((self.ends + 1) as u64, self.longest.max(cut - self.to)))
        } else {
            None
        }
    }
}

impl Chunker {
    pub fn new(source: Arc<SourceMeta>, chunk_size: usize, max_line: usize) -> Chunker {
        let chunk_size = chunk_size.max(1);
        let max_line = max_line.max(16);
        Chunker {
            w3c: source.w3c.clone(),
            source,
            chunk_size,
            max_line,
            max_event: chunk_size.max(max_line).saturating_mul(4),
            buf: Vec::new(),
            next_line: 1,
            stats: ChunkerStats::default(),
            times: None,
        }
    }

    /// Tells each chunk the time of the source's last timed event before it
    /// ([`Chunk::time_before`]): for a source whose events carry timestamps.
    pub fn with_times(mut self, times: Option<super::TimeCarry>) -> Chunker {
        self.times = times;
        self
    }

    /// Reads `reader` to the end, starting with bytes already read from it (`prefix`), and
    /// hands each chunk to `sink`, which returns false to stop. `seq` numbers chunks across
    /// sources.
    pub fn run(
        mut self,
        prefix: Vec<u8>,
        reader: &mut dyn Read,
        seq: &mut u64,
        sink: &mut dyn FnMut(Chunk) -> bool,
    ) -> (ChunkerStats, StreamEnd) {
        self.buf = prefix;
        let mut target = self.chunk_size;
        let mut eof = false;
        let mut failure = None;
        // Bytes of an over-long line still to be discarded up to its newline.
        let mut skipping = false;
        loop {
            while !eof && self.buf.len() < target {
                let want = (target - self.buf.len()).clamp(8 << 10, 1 << 20);
                let old = self.buf.len();
                // Room for the whole chunk at once: grown read by read, the buffer was
                // copied to a larger one each time it doubled.
                self.buf.reserve(want.max(target - old));
                // `read_to_end` on a `take` fills the spare capacity without zeroing a whole
                // megabyte first for every read (a gzip stream hands out 64 KiB at a time),
                // and reads until `want` bytes or the end.
                match (&mut *reader).take(want as u64).read_to_end(&mut self.buf) {
                    Ok(n) => eof = n < want,
                    Err(e) => {
                        // What was read before the error is kept (it is good data).
                        eof = true;
                        failure = Some(e);
                    }
                }
                if skipping {
                    // Drop the rest of the truncated line.
                    match memchr(b'\n', &self.buf[old..]) {
                        Some(i) => {
                            self.buf.drain(old..old + i + 1);
                            skipping = false;
                        }
                        None => self.buf.truncate(old),
                    }
                }
            }
            if self.buf.is_empty() {
                break;
            }
            let scan = LineScan::of(&self.buf);
            let cut = match self.line_limited_cut(&scan) {
                Some(c) => Some(c),
                None if eof => Some(self.buf.len()),
                None => self.find_cut(),
            };
            let mut scanned = true;
            let cut = match cut {
                Some(c) => c,
                None => {
                    // No place to cut yet: one line (or event) fills the buffer.
                    if memchr(b'\n', &self.buf).is_none() && self.buf.len() >= self.max_line {
                        // A single over-long line: keep its head, drop the rest.
                        self.buf.truncate(self.max_line);
                        self.buf.push(b'\n');
                        self.stats.truncated_lines += 1;
                        skipping = true;
                        scanned = false;
                        self.buf.len()
                    } else if self.buf.len() >= self.max_event {
                        // A giant multi-line event: cut at its last line end.
                        memrchr(b'\n', &self.buf).map_or(self.buf.len(), |i| i + 1)
                    } else {
                        target = self.buf.len() * 2;
                        continue;
                    }
                }
            };
            target = self.chunk_size;
            let counted = scan.lines_before(&self.buf, cut).filter(|_| scanned);
            let rest = self.buf.split_off(cut);
            let data = std::mem::replace(&mut self.buf, rest);
            if !self.emit(data, counted, seq, sink) {
                return (self.stats, StreamEnd::Stopped);
            }
        }
        let end = match failure {
            Some(e) => StreamEnd::Failed(e),
            None => StreamEnd::Eof,
        };
        (self.stats, end)
    }

    /// Where to cut the buffer after at most [`MAX_CHUNK_LINES`] lines, when it holds more
    /// (and, for formats that join lines, one of them starts an event).
    fn line_limited_cut(&self, scan: &LineScan) -> Option<usize> {
        let nl = scan.nth?;
        if !self.source.format.joins_lines() {
            return Some(nl + 1);
        }
        let start = self.source.format.last_event_start(&self.buf, nl);
        (start > 0).then_some(start)
    }

    /// Where to cut the buffer (exclusive end of the chunk), or None if no line end fits.
    fn find_cut(&self) -> Option<usize> {
        let last_nl = memrchr(b'\n', &self.buf)?;
        if !self.source.format.joins_lines() {
            return Some(last_nl + 1);
        }
        // Cut before the last complete line that starts a new event; a cut at 0 is no cut.
        let start = self.source.format.last_event_start(&self.buf, last_nl);
        (start > 0).then_some(start)
    }

    /// Hands `data` on as the next chunk; `counted` is its lines and an upper bound of its
    /// longest line's length, when the [`LineScan`] knows (else they are counted here).
    fn emit(
        &mut self,
        mut data: Vec<u8>,
        counted: Option<(u64, usize)>,
        seq: &mut u64,
        sink: &mut dyn FnMut(Chunk) -> bool,
    ) -> bool {
        let (lines, longest) = counted.unwrap_or_else(|| {
            let scan = LineScan::of_all(&data);
            scan.lines_before(&data, data.len()).unwrap_or_default()
        });
        if longest > self.max_line {
            data = self.truncate_long_lines(&data);
        }
        self.stats.bytes += data.len() as u64;
        self.stats.lines += lines;
        let mut chunk = Chunk::new(
            self.source.clone(),
            *seq,
            self.next_line,
            data,
            &mut self.w3c,
        );
        if let Some(times) = &mut self.times {
            times.mark(&mut chunk);
        }
        *seq += 1;
        self.next_line += lines;
        sink(chunk)
    }

    fn truncate_long_lines(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            data.len()
                .min(self.chunk_size.saturating_add(self.max_line)),
        );
        for line in data.split_inclusive(|&b| b == b'\n') {
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            if body.len() > self.max_line {
                out.extend_from_slice(&body[..self.max_line]);
                self.stats.truncated_lines += 1;
                if line.len() > body.len() {
                    out.push(b'\n');
                }
            } else {
                out.extend_from_slice(line);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of `buf[..cut]` and the longest one's length, counted the plain way.
    fn naive(buf: &[u8], cut: usize) -> (u64, usize) {
        let part = &buf[..cut];
        let lines: Vec<&[u8]> = part.split(|&c| c == b'\n').collect();
        // (`split` yields an empty piece after a final newline, which is no line.)
        let n = lines.len() - usize::from(lines.last().is_some_and(|l| l.is_empty()));
        (n as u64, lines.iter().map(|l| l.len()).max().unwrap_or(0))
    }

    proptest::proptest! {
        #[test]
        fn one_scan_counts_the_lines_before_any_cut(
            lens in proptest::collection::vec(0usize..40, 0..30),
            last in 0usize..5,
            pick in 0usize..64,
        ) {
            let mut buf = Vec::new();
            for (i, n) in lens.iter().enumerate() {
                buf.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, *n));
                buf.push(b'\n');
            }
            buf.extend(std::iter::repeat_n(b'z', last));
            // Cuts at each line start and at the end.
            let mut cuts: Vec<usize> = std::iter::once(0)
                .chain(memchr_iter(b'\n', &buf).map(|i| i + 1))
                .collect();
            cuts.push(buf.len());
            let cut = cuts[pick % cuts.len()];
            let scan = LineScan::of(&buf);
            let (lines, longest) = scan.lines_before(&buf, cut).expect("scanned");
            let (want_lines, want_longest) = naive(&buf, cut);
            proptest::prop_assert_eq!(lines, want_lines);
            // An upper bound of the chunk's longest line, exact for a cut at the end.
            proptest::prop_assert!(longest >= want_longest);
            if cut == buf.len() {
                proptest::prop_assert_eq!(longest, want_longest);
            }
        }
    }

    #[test]
    fn the_scan_stops_at_the_chunk_line_limit() {
        let buf = b"ab\n".repeat(MAX_CHUNK_LINES + 5);
        let scan = LineScan::of(&buf);
        assert_eq!(scan.ends, MAX_CHUNK_LINES);
        assert_eq!(scan.nth, Some(3 * MAX_CHUNK_LINES - 1));
        // Before the limit the count is known; past it, not.
        assert_eq!(scan.lines_before(&buf, 30), Some((10, 2)));
        assert_eq!(scan.lines_before(&buf, buf.len()), None);
        assert_eq!(LineScan::of_all(&buf).ends, MAX_CHUNK_LINES + 5);
    }
}
