//! Where live input comes from: stdin (or any pipe) read as it arrives, files followed like
//! `tail -F`, and files read once (rotated compressed files, or paths given without `-F`).
//!
//! Out: [`Feed`] messages on a bounded channel (backpressure: a slow consumer blocks the
//! readers, memory stays bounded): whole lines as they arrive, whole chunks from files read
//! once, notices (rotation, truncation, errors) and end of each source.
//!
//! Following is poll-based (every [`POLL`]), which works the same on every platform and file
//! system (inotify misses changes on network file systems). Each followed path keeps its open
//! handle, its device/inode and offset: when the path points at a different inode (rotation by
//! rename + recreate), the old handle is drained to its end first, then the new file is read
//! from its start; when the file got shorter than the offset (truncation, `copytruncate`),
//! reading restarts at its start. A path that does not exist yet is waited for.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::Sender;

use crate::input::{
    cr_line_ends, is_container, list_dir, looks_binary, nul_hole_message, read_inputs, read_reader,
    skip_nul_hole_noticed, unsupported, utf16_encoding, Chunk, Codec, CrAsLf, InputConfig,
    InputStats, NoticeKind, GZ_STEP,
};
use crate::record::ParseConfig;

/// How often followed files are polled.
pub const POLL: Duration = Duration::from_millis(250);

/// What readers hand to the main loop.
#[derive(Debug)]
pub enum Feed {
    /// Whole lines (each ending in `\n`) from source `source`; `truncated` of them were
    /// cut to `--max-line`.
    Lines {
        source: usize,
        data: Vec<u8>,
        truncated: u64,
    },
    /// A whole chunk from a source read once.
    Chunk(Chunk),
    /// Something to tell the user (rotation, truncation, unreadable path), worded and
    /// classed as the batch reader's notices are.
    Notice {
        source: String,
        kind: NoticeKind,
        message: String,
    },
    /// Source `source` ended (stdin closed).
    End { source: usize },
    /// Sources read once are finished; their statistics.
    OnceDone(InputStats),
    /// Files read once side by side ([`spawn_once_merged`]): every file still being read is
    /// past this event time (`None`: no file holds the clock back any more). Buckets after it
    /// must stay open, or the events of a file that is behind would arrive too late.
    Hold(Option<i64>),
}

/// Cuts a byte stream into whole lines; lines longer than `max_line` are cut to it (and
/// counted), the rest of such a line is dropped.
#[derive(Debug)]
pub struct LineSplitter {
    carry: Vec<u8>,
    skipping: bool,
    max_line: usize,
    truncated: u64,
}

impl LineSplitter {
    pub fn new(max_line: usize) -> LineSplitter {
        LineSplitter {
            carry: Vec::new(),
            skipping: false,
            max_line: max_line.max(16),
            truncated: 0,
        }
    }

    /// Adds bytes; returns the complete lines now available (possibly empty).
    pub fn push(&mut self, mut data: &[u8]) -> Vec<u8> {
        if self.skipping {
            match memchr::memchr(b'\n', data) {
                Some(i) => {
                    self.skipping = false;
                    data = &data[i + 1..];
                }
                None => return Vec::new(),
            }
        }
        let out = match memchr::memrchr(b'\n', data) {
            Some(last) => {
                let mut out = std::mem::take(&mut self.carry);
                out.extend_from_slice(&data[..=last]);
                self.carry.extend_from_slice(&data[last + 1..]);
                self.cap_lines(out)
            }
            None => {
                self.carry.extend_from_slice(data);
                Vec::new()
            }
        };
        if self.carry.len() > self.max_line {
            // One over-long line without its end yet: keep its head as a line of its own.
            let mut out = out;
            out.extend_from_slice(&self.carry[..self.max_line]);
            out.push(b'\n');
            self.carry.clear();
            self.truncated += 1;
            self.skipping = true;
            return out;
        }
        out
    }

    /// How many lines were cut since the last call.
    pub fn take_truncated(&mut self) -> u64 {
        std::mem::take(&mut self.truncated)
    }

    /// The last line of a stream that ended without a newline.
    pub fn finish(&mut self) -> Vec<u8> {
        self.skipping = false;
        let mut rest = std::mem::take(&mut self.carry);
        if !rest.is_empty() {
            rest.push(b'\n');
        }
        self.cap_lines(rest)
    }

    fn cap_lines(&mut self, data: Vec<u8>) -> Vec<u8> {
        let mut prev = 0;
        let too_long = memchr::memchr_iter(b'\n', &data).any(|i| {
            let long = i - prev > self.max_line;
            prev = i + 1;
            long
        });
        if !too_long {
            return data;
        }
        let mut out = Vec::with_capacity(data.len());
        for line in data.split_inclusive(|&b| b == b'\n') {
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            if body.len() > self.max_line {
                out.extend_from_slice(&body[..self.max_line]);
                out.push(b'\n');
                self.truncated += 1;
            } else {
                out.extend_from_slice(line);
            }
        }
        out
    }
}

/// Reads stdin as data arrives (a pipe returns what is available; nothing waits for a full
/// buffer) and sends whole lines.
/// Like the batch reader, a compressed stream on stdin (gzip, zstd, xz, bzip2) is decompressed
/// as it arrives, UTF-16 is
/// decoded, bare-CR line ends are line ends, and binary data is refused.
pub fn spawn_stdin(source: usize, cfg: InputConfig, tx: Sender<Feed>) {
    let max_line = cfg.max_line;
    std::thread::spawn(move || {
        let say = |kind: NoticeKind, message: String| {
            let _ = tx.send(Feed::Notice {
                source: "-".into(),
                kind,
                message,
            });
        };
        // Said, and the source ends.
        let notice = |kind: NoticeKind, message: String| {
            say(kind, message);
            let _ = tx.send(Feed::End { source });
        };
        let stdin = io::stdin();
        let mut lock = stdin.lock();
        let mut head = vec![0u8; 8 << 10];
        let n = loop {
            match lock.read(&mut head) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    notice(NoticeKind::Damaged, format!("read failed: {e}"));
                    return;
                }
            }
        };
        if n == 0 {
            notice(NoticeKind::Skipped, "empty".into());
            return;
        }
        head.truncate(n);
        if let Some((kind, msg)) = skip_nul_hole_noticed(&mut lock, &mut head, 8 << 10) {
            if head.is_empty() {
                notice(kind, msg);
                return;
            }
            say(kind, msg);
        }
        if is_container(&head) {
            // Compressed, or an archive (`cat logs.tgz | faultline watch`): unpacked by the
            // batch reader (before the text checks below: compressed bytes can look like
            // bare-CR text or UTF-16), its chunks fed in as they are read.
            let mut chained = io::Cursor::new(head).chain(lock);
            let mut sink = |c: Chunk| tx.send(Feed::Chunk(c)).is_ok();
            let stats = read_reader(&cfg, "-", &mut chained, &mut sink);
            for n in stats.notices {
                let _ = tx.send(Feed::Notice {
                    source: n.source,
                    kind: n.kind,
                    message: n.message,
                });
            }
            let _ = tx.send(Feed::End { source });
            return;
        }
        if let Some(encoding) = utf16_encoding(&head) {
            let chained = io::Cursor::new(head).chain(lock);
            let mut decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(chained);
            read_stream(source, &mut decoded, None, max_line, &tx);
            return;
        }
        if cr_line_ends(&head) {
            let mut chained = io::Cursor::new(head).chain(lock);
            let mut lf = CrAsLf {
                inner: &mut chained,
            };
            read_stream(source, &mut lf, None, max_line, &tx);
            return;
        }
        if let Some(kind) = unsupported(&head) {
            let msg = format!("{kind} data, which faultline does not read; unpack it first");
            notice(NoticeKind::Skipped, msg);
            return;
        }
        if looks_binary(&head) {
            notice(
                NoticeKind::Skipped,
                "binary data (NUL bytes), not a log".into(),
            );
            return;
        }
        let mut chained = io::Cursor::new(head).chain(lock);
        read_stream(source, &mut chained, None, max_line, &tx);
    });
}

/// Sends the lines of `r` as they come; `codec`: `r` decodes a stream compressed with it.
/// A last line without its newline is sent as it is, so the bytes counted are the bytes read.
fn read_stream(
    source: usize,
    r: &mut dyn Read,
    codec: Option<Codec>,
    max_line: usize,
    tx: &Sender<Feed>,
) {
    let mut split = LineSplitter::new(max_line);
    // A decoder's output of the read that meets damage is lost with it: small reads, as the
    // batch reader makes them (see `Codec::loss`).
    let mut buf = vec![0u8; if codec.is_some() { GZ_STEP } else { 256 << 10 }];
    let mut ends_line = true;
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                ends_line = buf[n - 1] == b'\n';
                let data = split.push(&buf[..n]);
                if !data.is_empty() {
                    let lines = Feed::Lines {
                        source,
                        data,
                        truncated: split.take_truncated(),
                    };
                    if tx.send(lines).is_err() {
                        return;
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let message = match codec {
                    Some(c) => format!(
                        "{} data is truncated or corrupt ({e}); kept what was decoded before the damage, {}",
                        c.name(),
                        c.loss()
                    ),
                    None => format!("read failed: {e}; kept what came before"),
                };
                let _ = tx.send(Feed::Notice {
                    source: "-".into(),
                    kind: NoticeKind::Damaged,
                    message,
                });
                break;
            }
        }
    }
    let mut data = split.finish();
    if !ends_line && data.last() == Some(&b'\n') {
        data.pop();
    }
    if !data.is_empty() {
        let _ = tx.send(Feed::Lines {
            source,
            data,
            truncated: split.take_truncated(),
        });
    }
    let _ = tx.send(Feed::End { source });
}

/// Reads `paths` once, whole (directories, archives, `.gz` included), with the batch reader.
pub fn spawn_once(cfg: InputConfig, tx: Sender<Feed>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut sink = |c: Chunk| !stop.load(Ordering::Relaxed) && tx.send(Feed::Chunk(c)).is_ok();
        let stats = read_inputs(&cfg, &mut sink);
        let _ = tx.send(Feed::OnceDone(stats));
    });
}

/// Most files read side by side; a longer list is read one file after another.
pub const MAX_MERGED: usize = 64;

/// The files `paths` stand for (directories listed recursively by [`list_dir`], as the batch
/// reader does), when there are at most [`MAX_MERGED`] of them
/// and every directory could be listed.
pub fn expand_files(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Option<()> {
        if !p.is_dir() {
            out.push(p.to_path_buf());
            return (out.len() <= MAX_MERGED).then_some(());
        }
        for e in list_dir(p).ok()?.entries {
            walk(&e, out)?;
        }
        Some(())
    }
    let mut out = Vec::new();
    for p in paths {
        walk(p, &mut out)?;
    }
    Some(out)
}

/// What one reader of [`spawn_once_merged`] reads.
pub enum Part {
    /// A file (or archive), whole.
    Whole(PathBuf),
    /// What a followed file held when watching began; its follower goes on from there.
    Head(Start),
}

/// Where a followed file's follower starts: after its first `len` bytes, if it is still the
/// file `id` (else, rotated meanwhile, at the start of the new one).
#[derive(Clone, Debug)]
pub struct Start {
    pub path: PathBuf,
    pub len: u64,
    pub id: (u64, u64),
}

impl Start {
    /// The file at `path` as it is now, up to its last whole line (a line being written is
    /// left to the follower); `None` when it does not exist (yet).
    pub fn now(path: &Path) -> Option<Start> {
        let mut f = File::open(path).ok()?;
        let m = f.metadata().ok().filter(|m| m.is_file())?;
        let tail = m.len().min(64 << 10);
        let mut buf = Vec::with_capacity(tail as usize);
        f.seek(SeekFrom::Start(m.len() - tail)).ok()?;
        f.take(tail).read_to_end(&mut buf).ok()?;
        // No line end in the last 64 KiB: a giant line in the making; the follower has it all.
        let len = memchr::memrchr(b'\n', &buf).map_or(0, |i| m.len() - tail + i as u64 + 1);
        Some(Start {
            path: path.to_path_buf(),
            len,
            id: file_id(&m),
        })
    }
}

/// The time of the last timestamped event of `chunk` (looking back at most 64 events).
fn chunk_time(chunk: &Chunk, parse: &ParseConfig) -> Option<i64> {
    crate::record::parse::last_event_time(
        &chunk.data,
        chunk.source.format,
        chunk.w3c.as_deref(),
        parse,
        64,
    )
}

/// Reads `parts` (whole files, and what followed files held when watching began) once, side
/// by side in event time, as `tail -F` of them would have shown them: each part has its own
/// reader, and the next chunk is always taken from the one furthest behind, so the stream
/// does not go back hours at each file. After each chunk, a [`Feed::Hold`] tells how far every
/// file still being read has come. (The members of one archive are still read one after
/// another.)
pub fn spawn_once_merged(
    cfg: InputConfig,
    parts: Vec<Part>,
    tx: Sender<Feed>,
    stop: Arc<AtomicBool>,
) {
    enum Msg {
        Chunk(Chunk),
        Done(InputStats),
    }
    struct Lane {
        rx: crossbeam_channel::Receiver<Msg>,
        at: Option<i64>,
        done: bool,
    }
    let mut lanes = Vec::with_capacity(parts.len());
    for part in parts {
        let (ltx, lrx) = crossbeam_channel::bounded::<Msg>(1);
        let mut c = cfg.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut sink =
                |ch: Chunk| !stop.load(Ordering::Relaxed) && ltx.send(Msg::Chunk(ch)).is_ok();
            let stats = match part {
                Part::Whole(f) => {
                    c.paths = vec![f];
                    read_inputs(&c, &mut sink)
                }
                Part::Head(f) => {
                    let name = display(&f.path);
                    let mut stats = match File::open(&f.path) {
                        Ok(file) if file.metadata().is_ok_and(|m| file_id(&m) == f.id) => {
                            let mut r = io::BufReader::new(file.take(f.len));
                            read_reader(&c, &name, &mut r, &mut sink)
                        }
                        // Rotated since: the follower reads the new file from its start.
                        _ => InputStats::default(),
                    };
                    // The follower's source: its bytes and lines are counted as they come.
                    stats.sources.clear();
                    stats
                }
            };
            let _ = ltx.send(Msg::Done(stats));
        });
        lanes.push(Lane {
            rx: lrx,
            at: None,
            done: false,
        });
    }
    let parse = cfg.parse.clone();
    std::thread::spawn(move || {
        let mut stats = InputStats::default();
        // A file not yet heard from comes first; then the one furthest behind.
        while let Some(i) = (0..lanes.len())
            .filter(|&i| !lanes[i].done)
            .min_by_key(|&i| lanes[i].at.map_or((0, 0), |t| (1, t)))
        {
            match lanes[i].rx.recv() {
                Ok(Msg::Chunk(c)) => {
                    if let Some(t) = chunk_time(&c, &parse) {
                        lanes[i].at = Some(lanes[i].at.map_or(t, |a| a.max(t)));
                    }
                    if tx.send(Feed::Chunk(c)).is_err() {
                        return;
                    }
                }
                Ok(Msg::Done(st)) => {
                    lanes[i].done = true;
                    stats.merge(st);
                }
                Err(_) => lanes[i].done = true,
            }
            // A file still being read that has shown no time yet holds everything; none left
            // being read holds nothing.
            let hold = lanes
                .iter()
                .filter(|l| !l.done)
                .map(|l| l.at.unwrap_or(i64::MIN))
                .min();
            if tx.send(Feed::Hold(hold)).is_err() {
                return;
            }
        }
        let _ = tx.send(Feed::Hold(None));
        let _ = tx.send(Feed::OnceDone(stats));
    });
}

/// Identity of a file: device and inode on Unix (elsewhere rotation is seen as truncation
/// or not at all).
#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_id(_m: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// What one poll of a followed file found, besides data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowEvent {
    Opened,
    Rotated,
    Truncated,
    /// This many NUL bytes at the start of the file were skipped: the hole a writer that
    /// does not append leaves when the file is truncated under it (`copytruncate`).
    Hole(u64),
    /// The name is gone (deleted, or moved away) and nothing took its place yet.
    Gone,
}

/// One followed path; see the module doc.
pub struct Followed {
    pub path: PathBuf,
    file: Option<File>,
    id: (u64, u64),
    offset: u64,
    split: LineSplitter,
    /// Start reading at the current end when the file is first opened (`--from-end`).
    from_end: bool,
    /// Start reading after what was already read of the file (see [`Start`]).
    start: Option<Start>,
    /// Reading from the file's start (opened, or truncated): NUL bytes before its first
    /// other byte are a hole, skipped.
    hole: bool,
    /// NUL bytes skipped since the last poll.
    skipped: u64,
    /// The name was found gone (deleted, or moved away and not recreated) and said so;
    /// said again only after it is back.
    gone: bool,
}

impl Followed {
    pub fn new(path: PathBuf, max_line: usize, from_end: bool) -> Followed {
        Followed {
            path,
            file: None,
            id: (0, 0),
            offset: 0,
            split: LineSplitter::new(max_line),
            from_end,
            start: None,
            hole: false,
            skipped: 0,
            gone: false,
        }
    }

    /// Following a file whose first bytes were read already.
    pub fn after(start: Start, max_line: usize) -> Followed {
        let mut f = Followed::new(start.path.clone(), max_line, false);
        f.start = Some(start);
        f
    }

    /// Reads everything new; `out` gets whole lines, the return value what happened to the
    /// file. Errors other than "not there (yet)" are returned.
    pub fn poll(&mut self, out: &mut Vec<u8>) -> io::Result<Vec<FollowEvent>> {
        let mut events = Vec::new();
        if self.file.is_none() {
            match File::open(&self.path) {
                Ok(mut f) => {
                    let m = f.metadata()?;
                    if m.is_dir() {
                        // Not kept open: a file may take the name again (it is retried).
                        return Err(io::Error::new(
                            io::ErrorKind::IsADirectory,
                            "is a directory",
                        ));
                    }
                    self.id = file_id(&m);
                    self.offset = 0;
                    if self.from_end {
                        self.offset = f.seek(SeekFrom::End(0))?;
                    } else if let Some(s) = self.start.take() {
                        if s.id == self.id && m.len() >= s.len {
                            self.offset = f.seek(SeekFrom::Start(s.len))?;
                        }
                    }
                    self.from_end = false;
                    self.start = None;
                    self.hole = self.offset == 0;
                    self.file = Some(f);
                    events.push(FollowEvent::Opened);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(events),
                Err(e) => return Err(e),
            }
        }
        self.drain(out)?;
        match std::fs::metadata(&self.path) {
            Ok(m) => {
                self.gone = false;
                if file_id(&m) != self.id {
                    // Rotated: the old file is complete once drained (done above and again
                    // here for what was written between the read and the stat).
                    self.drain(out)?;
                    out.extend_from_slice(&self.split.finish());
                    self.file = None;
                    events.push(FollowEvent::Rotated);
                    let mut more = self.poll(out)?;
                    more.retain(|e| *e != FollowEvent::Opened);
                    events.extend(more);
                } else if m.len() < self.offset {
                    if let Some(f) = self.file.as_mut() {
                        f.seek(SeekFrom::Start(0))?;
                    }
                    self.offset = 0;
                    self.hole = true;
                    // A partial line before the truncation is finished as it was.
                    out.extend_from_slice(&self.split.finish());
                    events.push(FollowEvent::Truncated);
                    self.drain(out)?;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Moved away and not recreated yet: keep the handle; it is drained each poll.
                if !std::mem::replace(&mut self.gone, true) {
                    events.push(FollowEvent::Gone);
                }
            }
            Err(e) => return Err(e),
        }
        if self.skipped > 0 {
            events.push(FollowEvent::Hole(std::mem::take(&mut self.skipped)));
        }
        Ok(events)
    }

    fn drain(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        let mut buf = [0u8; 64 << 10];
        loop {
            match f.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    self.offset += n as u64;
                    let mut data = &buf[..n];
                    if self.hole {
                        let lead = data.iter().position(|&b| b != 0).unwrap_or(n);
                        self.skipped += lead as u64;
                        data = &data[lead..];
                        self.hole = data.is_empty();
                    }
                    out.extend_from_slice(&self.split.push(data));
                    if out.len() >= 4 << 20 {
                        // Hand big backlogs over in pieces; the rest comes next poll.
                        return Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Follows `paths` (source ids `first_source..`) until `stop` is set.
pub fn spawn_follow(
    paths: Vec<PathBuf>,
    starts: Vec<Option<Start>>,
    first_source: usize,
    max_line: usize,
    from_end: bool,
    tx: Sender<Feed>,
    stop: Arc<AtomicBool>,
) {
    std::thread::spawn(move || {
        let mut starts = starts.into_iter();
        let mut files: Vec<Followed> = paths
            .into_iter()
            .map(|p| match starts.next().flatten() {
                Some(s) => Followed::after(s, max_line),
                None => Followed::new(p, max_line, from_end),
            })
            .collect();
        let mut failed = vec![false; files.len()];
        while !stop.load(Ordering::Relaxed) {
            let mut busy = false;
            for (i, f) in files.iter_mut().enumerate() {
                let mut out = Vec::new();
                match f.poll(&mut out) {
                    Ok(events) => {
                        failed[i] = false;
                        for e in events {
                            let message = match e {
                                FollowEvent::Opened => continue,
                                FollowEvent::Rotated => "rotated; reading the new file".into(),
                                FollowEvent::Truncated => {
                                    "truncated; reading from the start".into()
                                }
                                FollowEvent::Hole(n) => nul_hole_message(n),
                                FollowEvent::Gone => "deleted or moved away; read to its end, \
                                     and read again from its start if the name comes back"
                                    .into(),
                            };
                            let _ = tx.send(Feed::Notice {
                                source: display(&f.path),
                                kind: NoticeKind::Damaged,
                                message,
                            });
                        }
                    }
                    Err(e) => {
                        if !failed[i] {
                            let _ = tx.send(Feed::Notice {
                                source: display(&f.path),
                                kind: NoticeKind::Damaged,
                                message: format!("cannot read: {e}; retrying"),
                            });
                        }
                        failed[i] = true;
                    }
                }
                if !out.is_empty() {
                    busy |= out.len() >= 4 << 20;
                    if tx
                        .send(Feed::Lines {
                            source: first_source + i,
                            data: out,
                            truncated: f.split.take_truncated(),
                        })
                        .is_err()
                    {
                        return;
                    }
                }
            }
            if !busy {
                std::thread::sleep(POLL);
            }
        }
        // Stopped: what is left of each file, its last line even without a newline.
        for (i, f) in files.iter_mut().enumerate() {
            let mut out = Vec::new();
            let _ = f.drain(&mut out);
            out.extend_from_slice(&f.split.finish());
            if !out.is_empty() {
                let _ = tx.send(Feed::Lines {
                    source: first_source + i,
                    data: out,
                    truncated: f.split.take_truncated(),
                });
            }
            let _ = tx.send(Feed::End {
                source: first_source + i,
            });
        }
    });
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn expand_files_lists_directories_like_the_batch_reader() {
        let dir = std::env::temp_dir().join(format!("fl-merge-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("web2")).expect("mkdir");
        for f in ["b.log", "a.log", ".swp", "web2/access.log"] {
            std::fs::write(dir.join(f), "x\n").expect("write");
        }
        let got = expand_files(std::slice::from_ref(&dir)).expect("three files");
        let names: Vec<_> = got
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap_or(p).to_path_buf())
            .collect();
        let want: Vec<PathBuf> = ["a.log", "b.log", "web2/access.log"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(names, want);
        // A list too long to read side by side is read as it is.
        let many: Vec<PathBuf> = (0..=MAX_MERGED).map(|_| dir.join("a.log")).collect();
        assert!(expand_files(&many).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn follower_starts_after_the_last_whole_line() {
        let dir = std::env::temp_dir().join(format!("fl-start-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let p = dir.join("app.log");
        std::fs::write(&p, "one\ntwo\nthr").expect("write");
        let start = Start::now(&p).expect("exists");
        assert_eq!(start.len, 8);
        append(&p, b"ee\nfour\n");
        let mut f = Followed::after(start, 1 << 20);
        let mut out = Vec::new();
        f.poll(&mut out).expect("poll");
        assert_eq!(out, b"three\nfour\n");
        assert!(Start::now(&dir.join("missing.log")).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn splitter_gives_whole_lines_only() {
        let mut s = LineSplitter::new(16);
        assert_eq!(s.push(b"ab"), b"");
        assert_eq!(s.push(b"c\nde"), b"abc\n");
        assert_eq!(s.push(b"f\ng\n"), b"def\ng\n");
        assert_eq!(s.push(b"tail"), b"");
        assert_eq!(s.finish(), b"tail\n");
        assert_eq!(s.finish(), b"");
    }

    #[test]
    fn splitter_caps_long_lines() {
        let mut s = LineSplitter::new(16);
        let long = [b'x'; 40];
        let out = s.push(&long);
        assert_eq!(out, [&[b'x'; 16][..], b"\n"].concat());
        assert_eq!(s.push(b"xxxx\nok\n"), b"ok\n");
        let mut one = vec![b'y'; 20];
        one.push(b'\n');
        assert_eq!(s.push(&one), [&[b'y'; 16][..], b"\n"].concat());
        assert_eq!(s.truncated, 2);
    }

    fn append(p: &Path, data: &[u8]) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .expect("open");
        f.write_all(data).expect("write");
    }

    #[test]
    fn follows_rotation_and_truncation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("app.log");
        let mut f = Followed::new(p.clone(), 1 << 20, false);
        let mut out = Vec::new();
        assert!(f.poll(&mut out).expect("poll").is_empty(), "not there yet");
        append(&p, b"one\ntw");
        assert_eq!(f.poll(&mut out).expect("poll"), vec![FollowEvent::Opened]);
        assert_eq!(out, b"one\n");
        out.clear();
        append(&p, b"o\n");
        f.poll(&mut out).expect("poll");
        assert_eq!(out, b"two\n");
        out.clear();
        // Rotation: rename, a last line lands in the old file, then a new file appears.
        let rotated = dir.path().join("app.log.1");
        std::fs::rename(&p, &rotated).expect("rename");
        append(&rotated, b"last of old\n");
        // The name gone is said once (a deleted log is not followed in silence).
        assert_eq!(f.poll(&mut out).expect("poll"), vec![FollowEvent::Gone]);
        assert_eq!(
            out, b"last of old\n",
            "old handle drained while the path is gone"
        );
        out.clear();
        assert!(f.poll(&mut out).expect("poll").is_empty(), "said once");
        append(&p, b"new 1\n");
        let ev = f.poll(&mut out).expect("poll");
        assert_eq!(ev, vec![FollowEvent::Rotated]);
        assert_eq!(out, b"new 1\n");
        out.clear();
        // Truncation: shorter than what was read.
        std::fs::write(&p, b"t\n").expect("truncate");
        let ev = f.poll(&mut out).expect("poll");
        assert_eq!(ev, vec![FollowEvent::Truncated]);
        assert_eq!(out, b"t\n");
        out.clear();
        assert!(f.poll(&mut out).expect("poll").is_empty());
        assert!(out.is_empty(), "nothing read twice");
        // copytruncate under a writer that does not append: truncated, then written at the
        // writer's old offset, the bytes before it a hole of NULs.
        let mut holed = vec![0u8; 5000];
        holed.extend_from_slice(b"after hole\n");
        std::fs::write(&p, b"").expect("truncate");
        assert_eq!(
            f.poll(&mut out).expect("poll"),
            vec![FollowEvent::Truncated]
        );
        append(&p, &holed);
        assert_eq!(
            f.poll(&mut out).expect("poll"),
            vec![FollowEvent::Hole(5000)]
        );
        assert_eq!(out, b"after hole\n");
        out.clear();
        // For a while a directory has the name (found by fuzzing: its handle was kept and
        // the file that took the name back was never read): an error, then the file.
        std::fs::remove_file(&p).expect("rm");
        std::fs::create_dir(&p).expect("mkdir");
        assert!(f.poll(&mut out).is_err());
        assert!(f.poll(&mut out).is_err(), "still a directory");
        std::fs::remove_dir(&p).expect("rmdir");
        append(&p, b"back\n");
        assert_eq!(f.poll(&mut out).expect("poll"), vec![FollowEvent::Opened]);
        assert_eq!(out, b"back\n");
    }

    #[test]
    fn from_end_skips_existing_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.log");
        append(&p, b"old\n");
        let mut f = Followed::new(p.clone(), 1 << 20, true);
        let mut out = Vec::new();
        f.poll(&mut out).expect("poll");
        assert!(out.is_empty());
        append(&p, b"new\n");
        f.poll(&mut out).expect("poll");
        assert_eq!(out, b"new\n");
    }
}
