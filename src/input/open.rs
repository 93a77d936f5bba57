//! Opening sources: paths, directories, stdin, compressed streams, tar and zip, nested.
//!
//! Containers are recognised by their magic bytes, not their names: gzip, zstd, xz and bzip2
//! (see [`Codec`]), zip (`PK\x03\x04`), tar (`ustar` at offset 257). A compressed stream is
//! decompressed (all members) and looked at again, so `.tar.gz`, `.tar.zst` and a `.gz` inside a
//! tar all work. Each plain-text stream
//! that comes out is sampled for format detection, then cut into chunks by the [`Chunker`].

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use encoding_rs_io::DecodeReaderBytesBuilder;

use super::chunker::{Chunker, StreamEnd};
use super::codec::{unsupported, Codec};
use super::{Chunk, InputConfig, InputStats, Notice, NoticeKind, SourceMeta, SourceStats};
use crate::record::detect_format;

/// Most bytes a tar archive may take between two members: headers, GNU long names, PAX
/// records (real ones are a few KiB).
const TAR_META_LIMIT: u64 = 4 << 20;

/// A tar archive's reader, with a budget (`Some`: bytes left) while the `tar` crate looks for
/// the next member; past it, reading fails and the archive is reported damaged.
struct MetaBudget<R> {
    inner: R,
    left: std::rc::Rc<std::cell::Cell<Option<u64>>>,
}

impl<R: Read> Read for MetaBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(left) = self.left.get() else {
            return self.inner.read(buf);
        };
        if left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "more than 4 MiB of headers (long names, PAX records) before a member",
            ));
        }
        let max = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left.set(Some(left - n as u64));
        Ok(n)
    }
}

/// Reads the rest of a tar member (a skipped one, or one whose reading stopped early), so
/// the search for the next member reads only headers. An error here (a truncated archive)
/// shows again, and is reported, when the next member is looked for.
fn drain(entry: &mut impl Read) {
    let _ = io::copy(entry, &mut io::sink());
}

/// How many layers of archives and compression may nest, each counted (a `.tgz` is two: gzip,
/// then tar); a support bundle of per-host `.tgz` files holding rotated `.gz` logs is five.
/// Guards against zip bombs of nesting.
const MAX_NESTING: usize = 8;

/// Reads every input in order and hands its chunks to `sink` (false from the sink stops
/// reading). Problems with one path are recorded in the returned stats; the rest is still read.
pub fn read_inputs(cfg: &InputConfig, sink: &mut dyn FnMut(Chunk) -> bool) -> InputStats {
    let mut r = Reader::new(cfg, sink);
    if cfg.paths.is_empty() {
        r.read_stdin();
    }
    for path in &cfg.paths {
        if r.stopped {
            break;
        }
        if path.as_os_str() == "-" {
            r.read_stdin();
        } else {
            r.read_path(path);
        }
    }
    r.stats
}

/// Reads one already opened stream named `name` (the first `n` bytes of a followed file, say)
/// as [`read_inputs`] reads a file.
pub fn read_reader(
    cfg: &InputConfig,
    name: &str,
    reader: &mut dyn Read,
    sink: &mut dyn FnMut(Chunk) -> bool,
) -> InputStats {
    let mut r = Reader::new(cfg, sink);
    r.read_stream(name, reader, 0, false, None);
    r.stats
}

struct Reader<'a> {
    cfg: &'a InputConfig,
    stats: InputStats,
    seq: u64,
    stopped: bool,
    sink: &'a mut dyn FnMut(Chunk) -> bool,
    /// Bytes of zip archives held in memory now (a zip inside a zip holds both).
    in_memory: u64,
    /// When the file (or tar member) being read was last changed, in milliseconds since
    /// the epoch: it dates times of day without a date ([`SourceMeta::modified`]).
    modified: Option<i64>,
    /// Regular files read so far: the same file named twice (`a.log a.log`, `dir
    /// dir/a.log`, a link to it) is read once.
    files_read: SeenFiles,
}

/// Regular files read so far, by (device, inode), and the name each was first read under.
#[derive(Default)]
pub struct SeenFiles(std::collections::HashMap<(u64, u64), String>);

impl SeenFiles {
    /// The name the file of `meta` was first read under, when it was read before; else it
    /// is recorded under `name`. None too for files without an identity (FIFOs, stdin).
    pub fn repeat_of(&mut self, meta: &std::fs::Metadata, name: String) -> Option<String> {
        let id = file_id(meta)?;
        if let Some(first) = self.0.get(&id) {
            return Some(first.clone());
        }
        self.0.insert(id, name);
        None
    }
}

/// A directory's entries that are read as input, in sorted order (the same on every
/// machine), and those passed over with the reason.
#[derive(Debug, Default)]
pub struct Listing {
    pub entries: Vec<PathBuf>,
    pub skipped: Vec<(PathBuf, &'static str)>,
}

/// Lists directory `dir` for reading. Hidden files and directories (.git, editor swap files)
/// are not logs and are left out silently. Inside a directory, as in ripgrep and fd, a
/// symbolic link is not followed (a link back up the tree would read the same files over and
/// over, one to `/` the whole filesystem, and a `current -> app.log` link would count its
/// target twice) and a FIFO, socket or device is not read (a FIFO would wait forever); both
/// are listed in `skipped`. Named on the command line, they are read.
pub fn list_dir(dir: &Path) -> io::Result<Listing> {
    let mut out = Listing::default();
    for e in std::fs::read_dir(dir)?.flatten() {
        let p = e.path();
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_symlink() => out.skipped.push((
                p,
                "symbolic link, not followed inside a directory (name it to read it)",
            )),
            Ok(t) if t.is_file() || t.is_dir() => out.entries.push(p),
            Ok(_) => out
                .skipped
                .push((p, "not a regular file (FIFO, socket or device)")),
            Err(_) => out.entries.push(p),
        }
    }
    out.entries.sort();
    out.skipped.sort();
    Ok(out)
}

/// A regular file's identity (device, inode); None for other files (a FIFO or
/// `/dev/stdin` named twice is two reads) and where there is no inode.
#[cfg(unix)]
pub fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    meta.is_file().then(|| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
pub fn file_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

impl<'a> Reader<'a> {
    fn new(cfg: &'a InputConfig, sink: &'a mut dyn FnMut(Chunk) -> bool) -> Reader<'a> {
        Reader {
            cfg,
            stats: InputStats::default(),
            seq: 0,
            stopped: false,
            sink,
            in_memory: 0,
            modified: None,
            files_read: SeenFiles::default(),
        }
    }

    fn notice(&mut self, source: &str, kind: NoticeKind, message: impl Into<String>) {
        self.stats.notices.push(Notice {
            source: source.to_string(),
            kind,
            message: message.into(),
            recorded: false,
        });
    }

    fn read_stdin(&mut self) {
        let stdin = io::stdin();
        let mut lock = Counting {
            inner: stdin.lock(),
            counter: self.cfg.bytes_read.clone(),
        };
        self.read_stream("-", &mut lock, 0, true, None);
    }

    fn read_path(&mut self, path: &Path) {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let msg = format!("cannot read: {e}");
                self.notice(&display(path), NoticeKind::Error, msg);
                return;
            }
        };
        if meta.is_dir() {
            self.read_dir(path);
            return;
        }
        if let Some(first) = self.files_read.repeat_of(&meta, display(path)) {
            let msg = format!("the same file as {first} (named twice, or a link to it): read once");
            self.notice(&display(path), NoticeKind::Skipped, msg);
            return;
        }
        match File::open(path) {
            Ok(f) => {
                let counted = Counting {
                    inner: f,
                    counter: self.cfg.bytes_read.clone(),
                };
                let mut reader = BufReader::with_capacity(256 << 10, counted);
                self.modified = meta.modified().ok().and_then(|t| {
                    let since = t.duration_since(std::time::UNIX_EPOCH).ok()?;
                    i64::try_from(since.as_millis()).ok()
                });
                self.read_stream(&display(path), &mut reader, 0, false, None);
                self.modified = None;
            }
            Err(e) => {
                let msg = format!("cannot open: {e}");
                self.notice(&display(path), NoticeKind::Error, msg);
            }
        }
    }

    /// Reads a directory recursively, in sorted order so that output is the same everywhere.
    fn read_dir(&mut self, dir: &Path) {
        let listing = match list_dir(dir) {
            Ok(listing) => listing,
            Err(e) => {
                let msg = format!("cannot list directory: {e}");
                self.notice(&display(dir), NoticeKind::Error, msg);
                return;
            }
        };
        for (p, why) in listing.skipped {
            self.notice(&display(&p), NoticeKind::Skipped, why);
        }
        for p in listing.entries {
            if self.stopped {
                return;
            }
            self.read_path(&p);
        }
    }

    /// Reads one stream of unknown kind: sniffs it, then unwraps containers or chunks text.
    /// `unpacked`: the stream is the content of the compressed file `name`; text read from it
    /// is named without the suffix (`app.log.gz` holds `app.log`), an archive keeps the name
    /// of the file that is on disk (`bundle.tar.gz:app/api.log`).
    fn read_stream(
        &mut self,
        name: &str,
        reader: &mut dyn Read,
        depth: usize,
        is_stdin: bool,
        unpacked: Option<Codec>,
    ) {
        let mut head = Vec::with_capacity(self.cfg.sample_size);
        if let Err(e) = read_up_to(reader, &mut head, self.cfg.sample_size.max(1024)) {
            let kind = if is_stdin || depth > 0 {
                NoticeKind::Damaged
            } else {
                NoticeKind::Error
            };
            self.notice(name, kind, format!("read failed: {e}"));
            if head.is_empty() {
                return;
            }
        }
        if head.is_empty() {
            self.notice(name, NoticeKind::Skipped, "empty");
            return;
        }
        if let Some((kind, msg)) =
            skip_nul_hole_noticed(reader, &mut head, self.cfg.sample_size.max(1024))
        {
            self.notice(name, kind, msg);
            if head.is_empty() {
                return;
            }
        }
        if depth >= MAX_NESTING && is_container(&head) {
            let msg = format!(
                "archives and compression nested more than {MAX_NESTING} layers deep (a .tgz is two); unpack it first"
            );
            self.notice(name, NoticeKind::Skipped, msg);
            return;
        }
        if depth < MAX_NESTING {
            if let Some(codec) = Codec::sniff(&head) {
                let chained = Cursor::new(head).chain(reader);
                let mut decoder = match codec.decoder(chained) {
                    Ok(d) => d,
                    Err(e) => {
                        let msg = format!("cannot start the {} decoder: {e}", codec.name());
                        self.notice(name, NoticeKind::Damaged, msg);
                        return;
                    }
                };
                let mut guard = DecodeGuard::new(&mut decoder);
                self.read_stream(name, &mut guard, depth + 1, is_stdin, Some(codec));
                if let Some(e) = guard.error {
                    // Damage before any text: the stream is not "empty", it is damaged.
                    let empty = self.stats.notices.last().is_some_and(|n| {
                        n.kind == NoticeKind::Skipped && n.source == name && n.message == "empty"
                    });
                    if empty {
                        self.stats.notices.pop();
                    }
                    self.notice(
                        name,
                        NoticeKind::Damaged,
                        format!(
                            "{} data is truncated or corrupt ({e}); kept what was decoded before the damage, {}",
                            codec.name(),
                            codec.loss()
                        ),
                    );
                }
                return;
            }
            if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
                self.read_zip(name, head, reader, depth);
                return;
            }
            if is_tar(&head) {
                let chained = Cursor::new(head).chain(reader);
                self.read_tar(name, chained, depth);
                return;
            }
        }
        if depth < MAX_NESTING {
            if let Some(encoding) = utf16_encoding(&head) {
                // Windows writes UTF-16 (PowerShell 5's `>`, SQL Server's ERRORLOG, exported
                // event logs): every other byte of its ASCII text is NUL. Decoded to UTF-8
                // (lone surrogates become U+FFFD) and looked at again, as gzip is.
                let chained = Cursor::new(head).chain(reader);
                let mut decoded = DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding))
                    .build(chained);
                self.read_stream(name, &mut decoded, depth + 1, is_stdin, unpacked);
                return;
            }
        }
        if head.starts_with(crate::snapshot::MAGIC) {
            // A snapshot piped in (`ssh host faultline snapshot -o - | faultline summary -`),
            // or kept in a directory or a bundle beside the logs: read as a snapshot, as it is
            // when named on the command line.
            let mut chained = Cursor::new(head).chain(reader);
            match crate::snapshot::read_from(&mut chained, Path::new(name)) {
                Ok((sum, meta)) => {
                    self.stats
                        .snapshots
                        .push((name.to_string(), Box::new(sum), meta))
                }
                Err(e) => {
                    // The notice names the source; the error's own "path: " prefix would repeat it.
                    let msg = e.to_string();
                    let prefix = format!("{name}: ");
                    let msg = msg.strip_prefix(&prefix).unwrap_or(&msg).to_string();
                    self.notice(name, NoticeKind::Error, msg);
                }
            }
            return;
        }
        if let Some(kind) = unsupported(&head) {
            let msg = format!("{kind} data, which faultline does not read; unpack it first");
            self.notice(name, NoticeKind::Skipped, msg);
            return;
        }
        if looks_binary(&head) {
            self.notice(
                name,
                NoticeKind::Skipped,
                "binary data (NUL bytes), not a log",
            );
            return;
        }
        let name = match unpacked {
            Some(codec) => codec.inner_name(name),
            None => name,
        };
        self.chunk_text(name, head, reader);
    }

    fn chunk_text(&mut self, name: &str, mut head: Vec<u8>, reader: &mut dyn Read) {
        if cr_line_ends(&head) {
            // Lines ended by a bare CR (classic Mac OS, some serial consoles and device
            // exports) would otherwise be one event for the whole file.
            cr_to_lf(&mut head);
            let mut lf = CrAsLf { inner: reader };
            return self.chunk_lines(name, head, &mut lf);
        }
        self.chunk_lines(name, head, reader)
    }

    fn chunk_lines(&mut self, name: &str, head: Vec<u8>, reader: &mut dyn Read) {
        let (format, detected) = match self.cfg.parse.format {
            Some(f) => (f, false),
            None => (detect_format(sample_lines(&head)), true),
        };
        let mut source = SourceMeta::new(
            self.stats.sources.len() as u32,
            name.to_string(),
            format,
            detected,
            sample_lines(&head),
        );
        source.modified = self.modified;
        // A source whose first lines carry timestamps: its events without one (a crash dump,
        // a stray line) follow the timed event before them, across chunks too.
        let times = super::TimeCarry::for_sample(
            sample_lines(&head),
            format,
            source.w3c.as_deref(),
            &source.parse_config(&self.cfg.parse),
        );
        source.dates_times_of_day = times.as_ref().is_some_and(super::TimeCarry::dates);
        let source = Arc::new(source);
        let chunker =
            Chunker::new(source, self.cfg.chunk_size, self.cfg.max_line).with_times(times);
        let sink = &mut *self.sink;
        let (st, end) = chunker.run(head, reader, &mut self.seq, sink);
        self.stats.bytes += st.bytes;
        self.stats.truncated_lines += st.truncated_lines;
        self.stats.sources.push(SourceStats {
            name: name.to_string(),
            format,
            bytes: st.bytes,
            lines: st.lines,
        });
        match end {
            StreamEnd::Eof => {}
            StreamEnd::Stopped => self.stopped = true,
            StreamEnd::Failed(e) => {
                // DecodeGuard turns decoding damage into a clean end and reports it itself.
                self.notice(
                    name,
                    NoticeKind::Damaged,
                    format!(
                        "read failed after {} bytes: {e}; kept what came before",
                        st.bytes
                    ),
                );
            }
        }
    }

    fn read_tar(&mut self, name: &str, reader: impl Read, depth: usize) {
        // The `tar` crate reads a GNU long-name or PAX entry whole into memory, at whatever
        // size its header claims: what it reads between two members is capped. Each member
        // is read to its end here, so that is all it reads there.
        let budget = std::rc::Rc::new(std::cell::Cell::new(None));
        let mut archive = tar::Archive::new(MetaBudget {
            inner: reader,
            left: std::rc::Rc::clone(&budget),
        });
        let mut entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => {
                self.notice(name, NoticeKind::Damaged, format!("cannot read tar: {e}"));
                return;
            }
        };
        loop {
            if self.stopped {
                return;
            }
            budget.set(Some(TAR_META_LIMIT));
            let next = entries.next();
            budget.set(None);
            let Some(entry) = next else {
                break;
            };
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.notice(
                        name,
                        NoticeKind::Damaged,
                        format!("tar archive is truncated or corrupt ({e}); kept the members before the damage"),
                    );
                    return;
                }
            };
            if !entry.header().entry_type().is_file() {
                drain(&mut entry);
                continue;
            }
            let member = match entry.path() {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(_) => String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
            };
            let hidden = Path::new(&member)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                drain(&mut entry);
                continue;
            }
            // `tar -C dir .` stores `./app/api.log`: the member is `app/api.log`.
            let member = member.trim_start_matches("./");
            let full = format!("{name}:{member}");
            // A member's own time (a bundle's logs were changed at different times); the
            // archive's for one that has none.
            let outer = self.modified;
            if let Some(secs) = entry.header().mtime().ok().filter(|&s| s > 0) {
                self.modified = i64::try_from(secs).ok().map(|s| s.saturating_mul(1000));
            }
            self.read_stream(&full, &mut entry, depth + 1, false, None);
            self.modified = outer;
            if self.stopped {
                return;
            }
            drain(&mut entry);
        }
        // The end-of-archive blocks are not the end of the stream: a compressed tar's
        // checksum (gzip's CRC, zstd's, bzip2's) comes after them, and damage that still
        // decodes is only caught there. Reading on to the end lets the decoder check it
        // (its error is reported by the caller, as for any compressed log).
        drain(&mut archive.into_inner().inner);
    }

    fn read_zip(&mut self, name: &str, head: Vec<u8>, reader: &mut dyn Read, depth: usize) {
        // Zip needs random access (the directory is at the end), so the archive is buffered
        // in memory, up to a cap. Plain zip files on disk are re-opened for seeking instead.
        let mut data = head;
        // One budget for all the zips held at once, however deep they nest.
        let cap = self.cfg.max_member_in_memory.saturating_sub(self.in_memory);
        if let Err(e) = reader.take(cap + 1).read_to_end(&mut data) {
            self.notice(name, NoticeKind::Damaged, format!("cannot read zip: {e}"));
            return;
        }
        if data.len() as u64 > cap {
            self.notice(
                name,
                NoticeKind::Skipped,
                format!("zip archive larger than {cap} bytes; unpack it and pass the files"),
            );
            return;
        }
        let held = data.len() as u64;
        self.in_memory += held;
        self.read_zip_members(name, data, depth);
        self.in_memory -= held;
    }

    fn read_zip_members(&mut self, name: &str, data: Vec<u8>, depth: usize) {
        let mut archive = match zip::ZipArchive::new(Cursor::new(data.as_slice())) {
            Ok(a) => a,
            Err(e) => return self.salvage_zip(name, &data, depth, &e.to_string()),
        };
        // The zip reader keys members by name: of two with the same name only the last is
        // listed. The end record's count says how many the directory holds.
        let eocd_from = data.len().saturating_sub(22 + u16::MAX as usize);
        let declared = memchr::memmem::rfind(&data[eocd_from..], b"PK\x05\x06")
            .and_then(|i| data.get(eocd_from + i + 10..eocd_from + i + 12))
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])));
        if let Some(n) = declared.filter(|&n| n != usize::from(u16::MAX) && n > archive.len()) {
            self.notice(
                name,
                NoticeKind::Damaged,
                format!(
                    "{} of its {n} members have the name of a later member and were not read",
                    n - archive.len()
                ),
            );
        }
        // Listed raw (not decrypted): an encrypted member is listed, and said to be skipped.
        // A member whose entry cannot be opened (a damaged local header) is said, by the
        // name the central directory gives it, not dropped without a word.
        let mut unreadable: Vec<(String, String)> = Vec::new();
        let mut names: Vec<(String, usize, bool)> = Vec::new();
        for i in 0..archive.len() {
            let listed = archive.name_for_index(i).map(|n| match n {
                Ok(n) => n.into_owned(),
                Err(_) => format!("member #{}", i + 1),
            });
            let listed = listed.unwrap_or_else(|| format!("member #{}", i + 1));
            match archive.by_index_raw(i) {
                Ok(f) if f.is_dir() => {}
                Ok(f) => match f.name() {
                    Ok(n) => names.push((n.to_string(), i, f.encrypted())),
                    Err(e) => unreadable.push((listed, e.to_string())),
                },
                Err(e) => unreadable.push((listed, e.to_string())),
            }
        }
        names.sort();
        unreadable.sort();
        for (member, why) in unreadable {
            self.notice(
                &format!("{name}:{member}"),
                NoticeKind::Damaged,
                format!("cannot read zip member: {why}"),
            );
        }
        if names.is_empty() && declared.is_none_or(|n| n <= archive.len()) {
            self.notice(name, NoticeKind::Skipped, "empty zip archive");
            return;
        }
        for (member, i, encrypted) in names {
            if self.stopped {
                return;
            }
            let full = format!("{name}:{member}");
            if encrypted {
                self.notice(
                    &full,
                    NoticeKind::Skipped,
                    "encrypted zip member; unpack it with its password and pass the files",
                );
                continue;
            }
            match archive.by_index(i) {
                // In fixed steps: a member that decodes past its declared size fails at the
                // same byte however the chunker reads.
                Ok(f) => self.read_stream(&full, &mut StepReader::new(f), depth + 1, false, None),
                Err(e) => self.notice(
                    &full,
                    NoticeKind::Damaged,
                    format!("cannot read zip member: {e}"),
                ),
            }
        }
    }
}

impl Reader<'_> {
    /// Reads the members of a zip archive without a readable central directory (a download
    /// or upload cut short) from their local headers, in archive order, up to the damage: a
    /// deflated member until its deflate stream ends (also when its sizes follow its data), a
    /// stored one by the size in its header, or, when that follows its data, up to the next
    /// zip signature. (An intact archive's members are read in name order.)
    fn salvage_zip(&mut self, name: &str, data: &[u8], depth: usize, why: &str) {
        let mut at = 0;
        let mut members = 0;
        let mut rest = "";
        while let Some(h) = next_local_header(data, at) {
            let Some(head) = data.get(h..h + 30) else {
                break;
            };
            let le16 = |i: usize| usize::from(u16::from_le_bytes([head[i], head[i + 1]]));
            let le32 = |i: usize| {
                u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]) as usize
            };
            let (flags, method, size) = (le16(6), le16(8), le32(18));
            let body = h + 30 + le16(26) + le16(28);
            let Some(raw_name) = data.get(h + 30..h + 30 + le16(26)) else {
                break;
            };
            if body > data.len() {
                break;
            }
            let member = String::from_utf8_lossy(raw_name);
            let member = member.trim_start_matches("./");
            let full = format!("{name}:{member}");
            // Zip64 keeps the sizes in an extra field: deflate needs none, stored text ends
            // at the next signature.
            let sized = flags & 8 == 0 && size != u32::MAX as usize;
            let is_dir = member.ends_with('/');
            if flags & 1 != 0 || !(method == 8 || method == 0) {
                // Encrypted, or compressed in a way only the directory's sizes can skip.
                if !sized {
                    rest = "; the members after an unreadable one with no size are lost";
                    break;
                }
                self.notice(
                    &full,
                    NoticeKind::Skipped,
                    format!("zip member compressed with method {method} or encrypted"),
                );
                at = body.saturating_add(size);
                continue;
            }
            members += usize::from(!is_dir);
            if method == 8 {
                let mut inflate = flate2::bufread::DeflateDecoder::new(&data[body..]);
                let mut guard = DecodeGuard::new(&mut inflate);
                if !is_dir {
                    self.read_stream(&full, &mut guard, depth + 1, false, None);
                }
                drain(&mut guard);
                if let Some(e) = guard.error {
                    self.notice(
                        &full,
                        NoticeKind::Damaged,
                        format!("zip member cut short ({e}); kept what was decoded before the damage, less up to 64 KiB just before it"),
                    );
                    break;
                }
                at = body + inflate.total_in() as usize;
            } else {
                let (end, whole) = if sized {
                    let end = body.saturating_add(size);
                    (end.min(data.len()), end <= data.len())
                } else {
                    // Its size follows it; a text member holds none of these signatures.
                    let signatures = [&b"PK\x07\x08"[..], b"PK\x03\x04", b"PK\x01\x02"];
                    let next = signatures
                        .iter()
                        .filter_map(|sig| memchr::memmem::find(&data[body..], sig))
                        .min();
                    next.map_or((data.len(), false), |n| (body + n, true))
                };
                if !is_dir {
                    self.read_stream(&full, &mut &data[body..end], depth + 1, false, None);
                }
                if !whole {
                    self.notice(
                        &full,
                        NoticeKind::Damaged,
                        "zip member cut short; kept its start",
                    );
                    break;
                }
                at = end;
            }
            if self.stopped {
                return;
            }
        }
        self.notice(
            name,
            NoticeKind::Damaged,
            format!(
                "zip archive without a readable directory ({why}): read {members} member{} from their local headers{rest}",
                if members == 1 { "" } else { "s" }
            ),
        );
    }
}

/// Where the zip local file header at or just after `at` starts: a member's data may be
/// followed by a data descriptor (12 to 24 bytes, with or without its own signature).
fn next_local_header(data: &[u8], at: usize) -> Option<usize> {
    let window = data.get(at..)?;
    let window = &window[..window.len().min(32)];
    memchr::memmem::find(window, b"PK\x03\x04").map(|i| at + i)
}

/// A stream whose first bytes end their lines with a bare CR: no LF at all, and at least two
/// CRs before the last byte (one CR could be a stray one in a single line).
pub fn cr_line_ends(head: &[u8]) -> bool {
    memchr::memchr(b'\n', head).is_none()
        && memchr::memchr_iter(b'\r', &head[..head.len().saturating_sub(1)])
            .nth(1)
            .is_some()
}

fn cr_to_lf(buf: &mut [u8]) {
    for b in buf.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

/// Reads a stream with bare-CR line ends as LF lines. A CRLF further on becomes an empty
/// line, which is no event.
pub struct CrAsLf<'a> {
    pub inner: &'a mut dyn Read,
}

impl Read for CrAsLf<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        cr_to_lf(&mut buf[..n]);
        Ok(n)
    }
}

/// The UTF-16 encoding of a text stream: by its byte-order mark, or, without one, as text
/// that is mostly printable Latin-1 (at least 3 in 4 code units, a NUL in no more than 1 in
/// 100 low bytes) with at least one newline code unit. An array of small binary numbers has
/// NUL high bytes too, but not printable low ones.
pub fn utf16_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if head.starts_with(b"\xFF\xFE") {
        return Some(encoding_rs::UTF_16LE);
    }
    if head.starts_with(b"\xFE\xFF") {
        return Some(encoding_rs::UTF_16BE);
    }
    let units = head[..head.len().min(8 << 10)].chunks_exact(2);
    let total = units.len();
    if total < 16 {
        return None;
    }
    let printable = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e | 0xa0..);
    let (mut low_nul, mut latin, mut newline) = ([0usize; 2], [0usize; 2], [false; 2]);
    for u in units {
        // [little-endian reading, big-endian reading]
        for (e, (lo, hi)) in [(u[0], u[1]), (u[1], u[0])].into_iter().enumerate() {
            low_nul[e] += usize::from(lo == 0);
            latin[e] += usize::from(hi == 0 && printable(lo));
            newline[e] |= lo == b'\n' && hi == 0;
        }
    }
    let is = |e: usize| newline[e] && latin[e] * 4 >= total * 3 && low_nul[e] * 100 <= total;
    if is(0) {
        Some(encoding_rs::UTF_16LE)
    } else if is(1) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Adds the bytes read from a file or stdin to the progress counter, if there is one.
struct Counting<R: Read> {
    inner: R,
    counter: Option<Arc<std::sync::atomic::AtomicU64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(c) = &self.counter {
            c.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Turns a decoding error (gzip, zstd, xz, bzip2) into end-of-stream, remembering it, so that everything decoded
/// before the damage is still chunked and the damage is reported once, by name.
///
/// The decoder is asked for [`GZ_STEP`] bytes at a time, whatever its reader asks for: when
/// it meets damage, the output of the call that met it is lost with the error, so a large
/// read would lose everything decoded in it (a small damaged file: all of it), and reads
/// sized by the chunker would make what is kept depend on `--chunk-size`.
struct DecodeGuard<'a, R: Read + ?Sized> {
    inner: StepReader<&'a mut R>,
    error: Option<io::Error>,
}

impl<'a, R: Read + ?Sized> DecodeGuard<'a, R> {
    fn new(inner: &'a mut R) -> Self {
        DecodeGuard {
            inner: StepReader::new(inner),
            error: None,
        }
    }
}

impl<R: Read + ?Sized> Read for DecodeGuard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.error = Some(e);
                Ok(0)
            }
        }
    }
}

/// Reads its inner reader [`GZ_STEP`] bytes at a time into a buffer of its own and serves
/// reads of any size from it: the inner reader sees the same calls whoever reads, so a
/// decoder that fails part-way (a zip member longer than its declared size) fails at the
/// same byte for every `--chunk-size`.
pub struct StepReader<R> {
    inner: R,
    buf: Vec<u8>,
    at: usize,
    len: usize,
}

impl<R: Read> StepReader<R> {
    pub fn new(inner: R) -> Self {
        StepReader {
            inner,
            buf: Vec::new(),
            at: 0,
            len: 0,
        }
    }
}

impl<R: Read> Read for StepReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.at == self.len {
            if self.buf.is_empty() {
                self.buf = vec![0u8; GZ_STEP];
            }
            self.len = self.inner.read(&mut self.buf)?;
            self.at = 0;
        }
        let n = out.len().min(self.len - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The most a decoder read asks for (see [`DecodeGuard`]): at most this much decoded text before a
/// damaged spot is lost with it.
pub const GZ_STEP: usize = 64 << 10;

/// Shortest run of NUL bytes at the start of a stream taken for a hole (UTF-16BE text
/// without a byte order mark starts with a single one).
const MIN_NUL_HOLE: usize = 64;

/// A file truncated while a process that does not append went on writing at its old offset
/// (logrotate's `copytruncate` under such a writer) starts with a hole of NUL bytes before
/// its first line. Skips such a run at the start of `head` (reading on while `head` holds
/// nothing else, then topping it up to `sample` bytes) and returns how many were skipped;
/// `head` is left empty when the stream held only NULs.
pub fn skip_nul_hole(reader: &mut dyn Read, head: &mut Vec<u8>, sample: usize) -> io::Result<u64> {
    let mut lead = head.iter().position(|&b| b != 0).unwrap_or(head.len());
    if lead == 0 || lead < MIN_NUL_HOLE.min(head.len()) {
        return Ok(0);
    }
    let mut skipped = 0u64;
    loop {
        skipped += lead as u64;
        head.drain(..lead);
        // Topped up to `sample` once past the hole; refilled while still inside it.
        read_up_to(reader, head, sample.saturating_sub(head.len()))?;
        if head.is_empty() || head[0] != 0 {
            return Ok(skipped);
        }
        lead = head.iter().position(|&b| b != 0).unwrap_or(head.len());
    }
}

/// [`skip_nul_hole`] and what to say of it, if anything: the notice's kind and message.
/// `head` is left empty when nothing is left to read.
pub fn skip_nul_hole_noticed(
    reader: &mut dyn Read,
    head: &mut Vec<u8>,
    sample: usize,
) -> Option<(NoticeKind, String)> {
    match skip_nul_hole(reader, head, sample) {
        Ok(0) => None,
        Ok(n) if head.is_empty() => Some((NoticeKind::Skipped, format!("only NUL bytes ({n})"))),
        Ok(n) => Some((NoticeKind::Damaged, nul_hole_message(n))),
        Err(e) => Some((NoticeKind::Damaged, format!("read failed: {e}"))),
    }
}

/// The notice for [`skip_nul_hole`]'s `n` skipped bytes.
pub fn nul_hole_message(n: u64) -> String {
    format!(
        "skipped {n} NUL bytes at its start (the hole a file truncated while a process went on \
         writing to it keeps, as logrotate's copytruncate leaves it); read the lines after them"
    )
}

/// Reads until `buf` holds `n` bytes or the stream ends.
fn read_up_to(reader: &mut dyn Read, buf: &mut Vec<u8>, n: usize) -> io::Result<()> {
    let mut tmp = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        match reader.read(&mut tmp[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.extend_from_slice(&tmp[..filled]);
                return Err(e);
            }
        }
    }
    buf.extend_from_slice(&tmp[..filled]);
    Ok(())
}

fn is_tar(head: &[u8]) -> bool {
    head.len() >= 262 && &head[257..262] == b"ustar"
}

/// Whether a stream starting with `head` is compressed or an archive (zip, tar): read by
/// [`read_reader`], which unpacks it.
pub fn is_container(head: &[u8]) -> bool {
    Codec::sniff(head).is_some()
        || head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || is_tar(head)
}

/// Text logs have no NUL bytes; binary files (images, executables, databases) nearly always do.
/// Looks at the first 8 KiB only, so one stray NUL later in a log does not discard it.
pub fn looks_binary(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8 << 10)];
    let nuls = memchr::memchr_iter(0, sample).count();
    // (A single stray NUL does not make a short log binary.)
    nuls > 8 || (nuls > 1 && nuls * 1000 >= sample.len())
}

/// The sample for format detection, cut at the last complete line.
fn sample_lines(head: &[u8]) -> &[u8] {
    match memchr::memrchr(b'\n', head) {
        Some(i) if i > 0 => &head[..i],
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        // Stored, so sizes are what they look like.
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in members {
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    fn read(cfg: &InputConfig, data: &[u8]) -> (Vec<String>, InputStats) {
        let mut names = Vec::new();
        let stats = read_reader(cfg, "in.zip", &mut &data[..], &mut |c: Chunk| {
            names.push(c.source.name.clone());
            true
        });
        names.dedup();
        (names, stats)
    }

    /// Zips in a stream are held in memory to be read; a zip inside a zip is held with its
    /// parent, under one budget, so nesting cannot multiply the memory used.
    #[test]
    fn utf16_is_known_by_its_bom_or_its_latin_text() {
        let le: Vec<u8> = "a log line\nand another one\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = le.chunks(2).flat_map(|u| [u[1], u[0]]).collect();
        assert_eq!(utf16_encoding(&le), Some(encoding_rs::UTF_16LE));
        assert_eq!(utf16_encoding(&be), Some(encoding_rs::UTF_16BE));
        assert_eq!(utf16_encoding(b"\xFF\xFEx"), Some(encoding_rs::UTF_16LE));
        assert_eq!(utf16_encoding(b"\xFE\xFFx"), Some(encoding_rs::UTF_16BE));
        // Not without a newline, not UTF-8 text, not NULs, not small binary numbers.
        let one_line: Vec<u8> = "a long log line that has no newline at all"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(utf16_encoding(&one_line), None);
        assert_eq!(utf16_encoding(b"a log line\nand another one\n"), None);
        assert_eq!(utf16_encoding(&[0u8; 4096]), None);
        let numbers: Vec<u8> = (0u16..2000).flat_map(|i| (i % 40).to_le_bytes()).collect();
        assert_eq!(utf16_encoding(&numbers), None);
    }

    #[test]
    fn bare_cr_line_ends_need_two_crs_and_no_lf() {
        assert!(cr_line_ends(b"a\rb\rc"));
        assert!(!cr_line_ends(b"a\rb\r"));
        assert!(!cr_line_ends(b"a\rb\rc\n"));
        assert!(!cr_line_ends(b"a\r\nb\r\n"));
    }

    /// What is kept of a damaged compressed stream does not depend on `--chunk-size`: a zip
    /// member that decodes past its declared size (found by fuzzing: the kept bytes varied
    /// with the chunker's read sizes) and a gzip stream cut short.
    #[test]
    fn damaged_streams_keep_the_same_bytes_for_any_chunk_size() {
        let log: Vec<u8> = (0..40_000)
            .flat_map(|i| {
                format!("2026-11-27 01:00:00,000 INFO [main] a.B - line {i:06}\n").into_bytes()
            })
            .collect();
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("app.log", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&log).unwrap();
        z.finish().unwrap();
        let mut zipped = buf.into_inner();
        let fake = (log.len() as u32 - 100_000).to_le_bytes();
        zipped[22..26].copy_from_slice(&fake);
        let central = memchr::memmem::find(&zipped, b"PK\x01\x02").unwrap();
        zipped[central + 24..central + 28].copy_from_slice(&fake);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&log).unwrap();
        let mut gzipped = gz.finish().unwrap();
        gzipped.truncate(gzipped.len() * 2 / 3);
        for data in [&zipped, &gzipped] {
            let kept: Vec<u64> = [4096, 65_536, 300_000, 4 << 20]
                .iter()
                .map(|&chunk_size| {
                    let cfg = InputConfig {
                        chunk_size,
                        ..InputConfig::default()
                    };
                    let (_, stats) = read(&cfg, data);
                    assert!(!stats.notices.is_empty(), "the damage is said");
                    stats.bytes
                })
                .collect();
            assert!(kept[0] > 0 && kept[0] < log.len() as u64, "{kept:?}");
            assert!(kept.iter().all(|&k| k == kept[0]), "{kept:?}");
        }
    }

    /// Nesting deeper than [`MAX_NESTING`] is said as such (found by fuzzing: it was
    /// reported as "binary data"); up to it, the log inside is read.
    #[test]
    fn nesting_too_deep_is_named() {
        let gz = |data: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        let mut data = b"2026-11-27 01:00:00 ERROR deep\n".to_vec();
        for _ in 0..MAX_NESTING {
            data = gz(&data);
        }
        let (names, stats) = read(&InputConfig::default(), &data);
        assert_eq!(names.len(), 1, "{:?}", stats.notices);
        let (names, stats) = read(&InputConfig::default(), &gz(&data));
        assert!(names.is_empty());
        // A bundle of per-host .tgz files holding rotated .gz logs (five layers) is read.
        let tar = |name: &str, data: &[u8]| {
            let mut b = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, data).unwrap();
            b.into_inner().unwrap()
        };
        let rotated = gz(b"2026-11-27 01:00:00 ERROR rotated\n");
        let host = gz(&tar("app.log.1.gz", &rotated));
        let bundle = gz(&tar("host1.tgz", &host));
        let (names, stats_bundle) = read(&InputConfig::default(), &bundle);
        assert_eq!(
            names,
            vec!["in.zip:host1.tgz:app.log.1".to_string()],
            "{:?}",
            stats_bundle.notices
        );
        assert!(
            stats
                .notices
                .iter()
                .any(|n| n.message.contains("nested more than")),
            "{:?}",
            stats.notices
        );
    }

    /// Two members of one name: the zip reader lists only the last, and the one not read is
    /// said (found by fuzzing: it vanished silently).
    #[test]
    fn members_hidden_by_a_later_one_of_the_same_name_are_said() {
        let mut data = zip_of(&[
            ("a.log", b"2026-11-27 01:00:00 ERROR first\n"),
            ("b.log", b"2026-11-27 01:00:01 ERROR second\n"),
        ]);
        for at in memchr::memmem::find_iter(&data.clone(), b"b.log") {
            data[at] = b'a';
        }
        let (names, stats) = read(&InputConfig::default(), &data);
        assert_eq!(names, vec!["in.zip:a.log".to_string()]);
        assert!(
            stats.notices.iter().any(|n| n
                .message
                .contains("1 of its 2 members have the name of a later member")),
            "{:?}",
            stats.notices
        );
        let (_, stats) = read(&InputConfig::default(), &zip_of(&[("a.log", b"x\n")]));
        assert!(stats.notices.is_empty(), "{:?}", stats.notices);
        // No member at all is said too.
        let (_, stats) = read(&InputConfig::default(), &zip_of(&[]));
        assert_eq!(stats.notices.len(), 1, "{:?}", stats.notices);
        assert_eq!(stats.notices[0].message, "empty zip archive");
    }

    /// An encrypted member is said to be skipped, by name (it used to vanish silently: the
    /// listing decrypted each member and dropped the ones it could not open).
    #[test]
    fn encrypted_zip_members_are_skipped_with_a_notice() {
        let mut data = zip_of(&[
            ("a.log", b"2026-11-27 01:00:00 ERROR plain\n"),
            ("b.log", b"2026-11-27 01:00:01 ERROR secret\n"),
        ]);
        // Mark b.log encrypted (general purpose flag bit 0) in its local and central headers.
        let second = |data: &[u8], sig: &[u8]| {
            memchr::memmem::find_iter(data, sig)
                .nth(1)
                .expect("second header")
        };
        let local = second(&data, b"PK\x03\x04");
        data[local + 6] |= 1;
        let central = second(&data, b"PK\x01\x02");
        data[central + 8] |= 1;
        let (names, stats) = read(&InputConfig::default(), &data);
        assert_eq!(names, vec!["in.zip:a.log".to_string()]);
        let n = stats
            .notices
            .iter()
            .find(|n| n.source == "in.zip:b.log")
            .expect("a notice for the encrypted member");
        assert_eq!(n.kind, NoticeKind::Skipped);
        assert!(n.message.contains("encrypted"), "{}", n.message);
    }

    /// A member whose local header is damaged is named in a notice, the others read.
    #[test]
    fn zip_member_with_a_damaged_local_header_is_said() {
        let mut data = zip_of(&[
            ("a.log", b"2026-11-27 01:00:00 ERROR one\n"),
            ("b.log", b"2026-11-27 01:00:01 ERROR two\n"),
            ("c.log", b"2026-11-27 01:00:02 ERROR three\n"),
        ]);
        let local = memchr::memmem::find_iter(&data, b"PK\x03\x04")
            .nth(1)
            .expect("second header");
        data[local..local + 4].copy_from_slice(b"XXXX");
        let (names, stats) = read(&InputConfig::default(), &data);
        assert_eq!(
            names,
            vec!["in.zip:a.log".to_string(), "in.zip:c.log".to_string()]
        );
        let n = stats
            .notices
            .iter()
            .find(|n| n.source == "in.zip:b.log")
            .expect("a notice for the damaged member");
        assert_eq!(n.kind, NoticeKind::Damaged);
        assert!(
            n.message.contains("cannot read zip member"),
            "{}",
            n.message
        );
    }

    #[test]
    fn nested_zips_share_one_memory_budget() {
        let mut log = vec![b'x'; 100];
        log.push(b'\n');
        let inner = zip_of(&[("a.log", &log)]);
        let outer = zip_of(&[("inner.zip", &inner), ("b.log", &log)]);
        let mut cfg = InputConfig {
            max_member_in_memory: outer.len() as u64 + inner.len() as u64 + 10,
            ..InputConfig::default()
        };
        let (names, stats) = read(&cfg, &outer);
        assert_eq!(names, ["in.zip:b.log", "in.zip:inner.zip:a.log"]);
        assert!(stats.notices.is_empty(), "{:?}", stats.notices);
        // Room for the outer zip but not for both: the inner one is skipped, with a notice.
        cfg.max_member_in_memory = outer.len() as u64 + 10;
        let (names, stats) = read(&cfg, &outer);
        assert_eq!(names, ["in.zip:b.log"]);
        assert_eq!(stats.notices.len(), 1, "{:?}", stats.notices);
        assert_eq!(stats.notices[0].source, "in.zip:inner.zip");
        assert!(stats.notices[0].message.contains("larger than"));
    }
}
