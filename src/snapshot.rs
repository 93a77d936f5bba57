//! Snapshots: a [`Summary`] saved to a file, to be merged, compared or used as a baseline
//! later or on another machine.
//!
//! Format (version 1): the 7 magic bytes `FLTSNAP`, one byte format version, then a gzip
//! stream (flate2) of one JSON document `{"faultline_version", "masks", "summary"}`. JSON keeps
//! the format inspectable (`tail -c +9 x.flt | zcat | jq .`) and tolerant of added fields;
//! gzip makes it compact (signatures and sparse series compress well) and its CRC-32 and
//! length trailer catch truncation and corruption. Readers reject a newer format version
//! with a message saying to upgrade.
//!
//! Every command that reads logs also reads snapshots in their place: the engine recognises a
//! snapshot by its magic bytes (or a `.flt` name) and merges its summary instead of parsing
//! it (see `engine`). Merging is the same associative merge used between chunks, so the
//! summary of shards merged equals the summary of the whole.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::summary::Summary;

/// First bytes of every snapshot file.
pub const MAGIC: &[u8; 7] = b"FLTSNAP";
/// Format version written by this build (and the newest it reads).
pub const FORMAT_VERSION: u8 = 1;
/// File name extension used for snapshots.
pub const EXTENSION: &str = "flt";

/// Why a snapshot could not be read or written. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    // (`io`, not `source`: the OS error is in the message, and would be printed twice as
    // its cause.)
    #[error("{path}: cannot read snapshot: {io}")]
    Read { path: PathBuf, io: std::io::Error },
    #[error("{path}: cannot write snapshot: {io}")]
    Write { path: PathBuf, io: std::io::Error },
    #[error(
        "{path}: not a faultline snapshot (bad magic bytes); make one with `faultline snapshot LOGS -o FILE`"
    )]
    BadMagic { path: PathBuf },
    #[error(
        "{path}: snapshot format version {found} is newer than this faultline reads (up to {FORMAT_VERSION}); upgrade faultline"
    )]
    FutureVersion { path: PathBuf, found: u8 },
    #[error(
        "{path}: snapshot is corrupt or truncated ({detail}); re-create it with `faultline snapshot`"
    )]
    Corrupt { path: PathBuf, detail: String },
}

/// What is stored besides the summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    /// Version of faultline that wrote the snapshot.
    pub faultline_version: String,
    /// The `--mask NAME=REGEX` flags the signatures were made with: snapshots made with
    /// different masks do not line up template for template.
    pub masks: Vec<String>,
}

impl SnapshotMeta {
    /// When the snapshot was made by another faultline version: what to warn ("made by
    /// faultline 0.9.0, this is 1.0.0: templates may not line up").
    pub fn other_version(&self) -> Option<String> {
        let ours = env!("CARGO_PKG_VERSION");
        (self.faultline_version != ours).then(|| {
            format!(
                "made by faultline {}, this is {ours}: templates may not line up",
                self.faultline_version
            )
        })
    }

    pub fn current(masks: &[String]) -> SnapshotMeta {
        SnapshotMeta {
            faultline_version: env!("CARGO_PKG_VERSION").to_string(),
            masks: masks.to_vec(),
        }
    }
}

#[derive(Serialize)]
struct DocOut<'a> {
    #[serde(flatten)]
    meta: &'a SnapshotMeta,
    summary: &'a Summary,
}

#[derive(Deserialize)]
struct DocIn {
    #[serde(flatten)]
    meta: SnapshotMeta,
    summary: Summary,
}

/// Whether `path` looks like a snapshot: it starts with the magic bytes, or is named `*.flt`.
/// (A `.flt` file without the magic is then reported as a bad snapshot, not read as a log.)
pub fn is_snapshot(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == EXTENSION) {
        return true;
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let mut head = [0u8; 7];
    match File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head == MAGIC,
        Err(_) => false,
    }
}

/// Writes `sum` to `w` in the snapshot format.
pub fn write_to(w: &mut dyn Write, sum: &Summary, meta: &SnapshotMeta) -> std::io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&[FORMAT_VERSION])?;
    let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::new(6));
    // (`io::Error::from` gives back the writer's own error, a closed pipe's `BrokenPipe`
    // included, which `io::Error::other` would hide from the caller.)
    serde_json::to_writer(&mut gz, &DocOut { meta, summary: sum }).map_err(std::io::Error::from)?;
    gz.finish()?.flush()
}

/// Writes a snapshot file; it appears under `path` only when complete (written to a
/// temporary name beside it, then renamed), so a killed job never leaves half a snapshot.
/// `-` writes to stdout (`ssh host faultline snapshot /var/log/app -o - > host.flt`).
pub fn write(path: &Path, sum: &Summary, meta: &SnapshotMeta) -> Result<(), SnapshotError> {
    let err = |io| SnapshotError::Write {
        path: path.to_path_buf(),
        io,
    };
    if path.as_os_str() == "-" {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            return Err(err(std::io::Error::other(
                "refusing to write a binary snapshot to a terminal; redirect stdout to a file",
            )));
        }
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        return write_to(&mut w, sum, meta)
            .and_then(|()| w.flush())
            .map_err(err);
    }
    let (path, st) = destination(path);
    if st.is_some_and(|st| !st.is_file() && !st.is_dir()) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(err)?;
        let mut w = BufWriter::new(f);
        return write_to(&mut w, sum, meta)
            .and_then(|()| w.flush())
            .map_err(err);
    }
    let tmp = temp_beside(&path);
    let res = File::create(&tmp).and_then(|f| {
        let mut w = BufWriter::new(f);
        write_to(&mut w, sum, meta)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    if let Err(e) = res.and_then(|()| std::fs::rename(&tmp, &path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

/// Where [`write`] puts `path`, and what is there now: a symlink's target is the file that is
/// replaced (the link stays); a FIFO, a device (`/dev/null`) or a terminal is written to, not
/// replaced by a file renamed over it.
fn destination(path: &Path) -> (PathBuf, Option<std::fs::Metadata>) {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let st = std::fs::metadata(&target).ok();
    (target, st)
}

/// The temporary name a snapshot is written under beside `path` before the rename.
fn temp_beside(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    PathBuf::from(tmp)
}

/// The notice for a snapshot named twice.
pub fn repeat_message(first: &str) -> String {
    format!("the same snapshot as {first} (named twice, or a link to it): read once")
}

/// Checks that [`write`] could create `path` (stdout, a device or a FIFO need nothing): its
/// directory exists and takes a new file. A long run (`watch --snapshot`) checks this at its
/// start rather than losing its state at the end.
pub fn check_writable(path: &Path) -> Result<(), SnapshotError> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let err = |io| SnapshotError::Write {
        path: path.to_path_buf(),
        io,
    };
    let (path, st) = destination(path);
    if let Some(st) = st {
        if st.is_dir() {
            return Err(err(std::io::Error::other("is a directory")));
        }
        if !st.is_file() {
            return Ok(());
        }
    }
    let probe = temp_beside(&path);
    File::create(&probe).map_err(err)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Reads a snapshot from `r`; `path` is only used in error messages.
pub fn read_from(r: &mut dyn Read, path: &Path) -> Result<(Summary, SnapshotMeta), SnapshotError> {
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(io) => {
                return Err(SnapshotError::Read {
                    path: path.to_path_buf(),
                    io,
                })
            }
        }
    }
    if got < MAGIC.len() || &head[..7] != MAGIC {
        return Err(SnapshotError::BadMagic {
            path: path.to_path_buf(),
        });
    }
    if got < 8 {
        return Err(SnapshotError::Corrupt {
            path: path.to_path_buf(),
            detail: "file ends after the magic bytes".into(),
        });
    }
    let version = head[7];
    if version > FORMAT_VERSION {
        return Err(SnapshotError::FutureVersion {
            path: path.to_path_buf(),
            found: version,
        });
    }
    if version == 0 {
        return Err(SnapshotError::Corrupt {
            path: path.to_path_buf(),
            detail: "format version 0".into(),
        });
    }
    let gz = flate2::read::GzDecoder::new(r);
    let doc: DocIn =
        serde_json::from_reader(BufReader::new(gz)).map_err(|e| SnapshotError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    let mut sum = doc.summary;
    validate(&sum).map_err(|detail| SnapshotError::Corrupt {
        path: path.to_path_buf(),
        detail,
    })?;
    sum.reindex();
    Ok((sum, doc.meta))
}

/// Reads a snapshot file (`-`: stdin).
pub fn read(path: &Path) -> Result<(Summary, SnapshotMeta), SnapshotError> {
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        return read_from(&mut lock, Path::new("<stdin>"));
    }
    let f = File::open(path).map_err(|io| SnapshotError::Read {
        path: path.to_path_buf(),
        io,
    })?;
    read_from(&mut BufReader::new(f), path)
}

/// Checks invariants later stages rely on, so a hand-edited or damaged-but-parseable
/// snapshot gives an error rather than a panic or nonsense.
fn validate(sum: &Summary) -> Result<(), String> {
    // 2^48 events (28 PB of 100-byte lines) is more than any log holds; merging counts near
    // 2^64 would wrap around.
    const MAX_COUNT: u64 = 1 << 48;
    let counts = [
        sum.events,
        sum.untimed,
        sum.invalid_utf8,
        sum.directive_lines,
        sum.filtered_out,
    ];
    if counts.iter().any(|&c| c > MAX_COUNT)
        || sum
            .sigs
            .iter()
            .any(|s| s.count > MAX_COUNT || s.untimed > s.count)
        || sum.sigs.iter().fold(0u64, |a, s| a.saturating_add(s.count)) > MAX_COUNT
    {
        return Err("event counts larger than any log".into());
    }
    // Counts by level add up to at most the events they count (a merge of such counts would
    // otherwise wrap around), and a route's failures and timed requests to its requests.
    let level_sum = |l: &[u64]| l.iter().fold(0u64, |a, &c| a.saturating_add(c));
    if level_sum(&sum.levels) > sum.events
        || level_sum(&sum.overflow.levels) > sum.overflow.events
        || sum.sigs.iter().any(|s| level_sum(&s.levels) > s.count)
    {
        return Err("level counts larger than the events they count".into());
    }
    let route_ok = |r: &crate::endpoints::RouteStats| {
        r.requests <= MAX_COUNT
            && r.failed <= r.requests
            && r.client_errors <= r.requests
            && r.latency.count() <= r.requests
    };
    if !sum.endpoints.routes.iter().all(|r| route_ok(r)) {
        return Err(
            "route counts that no log could give (more failed or timed requests than requests)"
                .into(),
        );
    }
    if !crate::summary::series::LADDER_MS.contains(&sum.resolution_ms) {
        return Err(format!(
            "resolution {} ms is not on the ladder",
            sum.resolution_ms
        ));
    }
    if sum.level_series.len() != 7 {
        return Err("level series missing".into());
    }
    let series_ok = |s: &crate::summary::Series| s.0.windows(2).all(|w| w[0].0 < w[1].0);
    if !sum.level_series.iter().all(series_ok)
        || !series_ok(&sum.overflow.series)
        || !series_ok(&sum.overflow.error_series)
    {
        return Err("unsorted series".into());
    }
    let mut seen = std::collections::HashSet::new();
    for s in &sum.sigs {
        if !series_ok(&s.series) || !series_ok(&s.error_series) {
            return Err("unsorted series".into());
        }
        if !seen.insert(s.sig.as_str()) {
            return Err(format!("duplicate signature {:?}", s.sig));
        }
    }
    let (a, b) = match (sum.time_min, sum.time_max) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => (0, -1),
        _ => return Err("time range half missing".into()),
    };
    if b >= a {
        use crate::record::time::plausible;
        if !plausible(a) || !plausible(b) {
            return Err("time range outside 2000-2200".into());
        }
        // Merging keeps at most this many buckets over the span: a finer resolution would
        // make reports allocate bucket arrays for nothing.
        if sum.resolution_ms < crate::summary::series::resolution_for(b - a) {
            return Err(format!(
                "resolution {} ms too fine for the time range",
                sum.resolution_ms
            ));
        }
    }
    // Every series bucket lies within the time range (none at all without one), and every
    // latency bin is one a latency can fall in.
    let (lo, hi) = (
        a.div_euclid(sum.resolution_ms),
        b.div_euclid(sum.resolution_ms),
    );
    let mut bounds: Vec<(i64, i64)> = sum
        .level_series
        .iter()
        .chain([&sum.overflow.series, &sum.overflow.error_series])
        .chain(sum.sigs.iter().flat_map(|s| [&s.series, &s.error_series]))
        .filter_map(|s| Some((s.0.first()?.0, s.0.last()?.0)))
        .collect();
    bounds.extend(sum.endpoints.bucket_bounds());
    if bounds.iter().any(|&(f, l)| f < lo || l > hi) {
        return Err("series bucket outside the time range".into());
    }
    // Series totals: no bucket count beyond what the counts they break down allow (a merge
    // of such buckets would wrap around, and the report print a count no log gave).
    let total =
        |s: &crate::summary::Series| s.0.iter().fold(0u64, |a, &(_, c)| a.saturating_add(c));
    let level_total = sum
        .level_series
        .iter()
        .fold(0u64, |a, s| a.saturating_add(total(s)));
    if level_total > sum.events
        || total(&sum.overflow.series) > sum.overflow.events
        || sum
            .sigs
            .iter()
            .any(|s| total(&s.series) > s.count || total(&s.error_series) > s.count)
    {
        return Err("series counts larger than the events they count".into());
    }
    // Upstream counts: each kind of outcome at most the host's events, all within reason.
    let up_ok = |u: &crate::endpoints::UpstreamStats| {
        let kinds = [
            u.calls,
            u.ok,
            u.timeouts,
            u.refused,
            u.rate_limited,
            u.server_errors,
            u.server_errors_inbound,
            u.client_errors,
            u.untimed,
            u.retry_after_n,
        ];
        u.events <= MAX_COUNT
            && kinds.iter().all(|&k| k <= u.events.max(u.calls))
            && u.calls <= MAX_COUNT
            && u.statuses.iter().all(|&(_, c)| c <= u.events.max(u.calls))
            && u.retry_after_max_s
                .is_none_or(|r| r <= crate::endpoints::upstream::MAX_RETRY_AFTER_S)
            && u.retry_after_sum_s
                <= crate::endpoints::upstream::MAX_RETRY_AFTER_S.saturating_mul(u.retry_after_n)
            && [
                &u.series,
                &u.timeout_series,
                &u.rate_series,
                &u.error_series,
            ]
            .iter()
            .all(|s| total(s) <= u.events.max(u.calls))
    };
    if !sum.endpoints.upstreams.iter().all(up_ok) {
        return Err("upstream counts that no log could give".into());
    }
    // First and last times inside the time range.
    let inside = |t: Option<i64>| t.is_none_or(|t| b >= a && t >= a && t <= b);
    let times_ok = sum
        .sigs
        .iter()
        .all(|s| inside(s.first_time) && inside(s.last_time) && inside(s.first_error))
        && sum
            .endpoints
            .routes
            .iter()
            .all(|r| inside(r.first_time) && inside(r.last_time))
        && sum
            .endpoints
            .upstreams
            .iter()
            .all(|u| inside(u.first_time) && inside(u.last_time));
    if !times_ok {
        return Err("first or last times outside the time range".into());
    }
    // Bytes: 2^56 (64 PiB) is more than any input.
    const MAX_BYTES: u64 = 1 << 56;
    if sum.input.bytes > MAX_BYTES
        || sum
            .input
            .sources
            .iter()
            .any(|s| s.bytes > MAX_BYTES || s.lines > MAX_COUNT)
    {
        return Err("byte counts larger than any input".into());
    }
    let max_bin = crate::endpoints::latency::bin_of(u64::MAX);
    let bins_ok = sum
        .endpoints
        .routes
        .iter()
        .all(|r| r.lat_bins.0.iter().all(|&(_, bin, _)| bin <= max_bin));
    if !bins_ok {
        return Err("latency bin out of range".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Summary {
        let mut s = Summary::default();
        s.events = 3;
        s.time_min = Some(1_795_000_000_000);
        s.time_max = Some(1_795_000_004_000);
        s
    }

    /// The summary of the bundled incident's access and app logs: signatures with series and
    /// examples, routes with latency histograms, upstreams.
    fn populated() -> Summary {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/example/incident");
        let cfg = crate::input::InputConfig {
            paths: vec![
                PathBuf::from(format!("{dir}/access.log")),
                PathBuf::from(format!("{dir}/app.log")),
            ],
            ..crate::input::InputConfig::default()
        };
        let opts = crate::engine::EngineOptions::new(crate::mine::Masker::new(Vec::new()), 1);
        let mut sum = crate::engine::summarize(&cfg, &opts).unwrap().summary;
        // Stitching state for chunks still to come, not part of the format.
        sum.tails.clear();
        sum
    }

    #[test]
    fn round_trips() {
        let mut buf = Vec::new();
        let meta = SnapshotMeta::current(&["ID=x\\d+".to_string()]);
        write_to(&mut buf, &sample(), &meta).unwrap();
        assert_eq!(&buf[..7], MAGIC);
        let (s, m) = read_from(&mut buf.as_slice(), Path::new("t.flt")).unwrap();
        assert_eq!(s, sample());
        assert_eq!(m, meta);

        let full = populated();
        assert!(full.events > 1_000, "{}", full.events);
        assert!(full.sigs.len() > 10, "{}", full.sigs.len());
        assert!(full.sigs.iter().all(|s| !s.examples.is_empty()));
        assert!(full.sigs.iter().any(|s| s.series.0.len() > 10));
        assert!(full.level_series.iter().any(|s| !s.0.is_empty()));
        assert!(full.endpoints.routes.len() > 3);
        assert!(!full.endpoints.upstreams.is_empty());
        assert!(full.first_event.is_some());
        let mut buf = Vec::new();
        write_to(&mut buf, &full, &meta).unwrap();
        let (s, m) = read_from(&mut buf.as_slice(), Path::new("t.flt")).unwrap();
        assert_eq!(m, meta);
        assert_eq!(s.sigs, full.sigs);
        assert_eq!(s.endpoints, full.endpoints);
        assert_eq!(s.level_series, full.level_series);
        assert_eq!(s.first_event, full.first_event);
        // The rest (counts, input stats, the index); whole, its Debug is megabytes.
        assert!(s == full, "round trip changed the summary");
        // The index is rebuilt: signatures are found by their text.
        for (i, g) in full.sigs.iter().enumerate() {
            assert_eq!(s.sig_index(&g.sig), Some(i as u32));
        }
    }

    #[test]
    fn rejects_bad_input_with_the_file_name() {
        let p = Path::new("day1.flt");
        let e = read_from(&mut &b"hello world"[..], p).unwrap_err();
        assert!(matches!(e, SnapshotError::BadMagic { .. }));
        assert!(e.to_string().contains("day1.flt"));

        let mut buf = Vec::new();
        write_to(&mut buf, &sample(), &SnapshotMeta::default()).unwrap();
        let mut future = buf.clone();
        future[7] = FORMAT_VERSION + 1;
        let e = read_from(&mut future.as_slice(), p).unwrap_err();
        assert!(matches!(e, SnapshotError::FutureVersion { .. }), "{e}");

        for cut in [8, 20, buf.len() / 2, buf.len() - 4] {
            let e = read_from(&mut &buf[..cut], p).unwrap_err();
            assert!(matches!(e, SnapshotError::Corrupt { .. }), "cut {cut}: {e}");
        }
        let mut flipped = buf.clone();
        let mid = buf.len() / 2;
        flipped[mid] ^= 0x55;
        assert!(read_from(&mut flipped.as_slice(), p).is_err());
    }

    /// A snapshot that parses but whose times or buckets would make reports allocate
    /// billions of buckets (or overflow) is refused, naming what is wrong.
    #[test]
    fn rejects_times_and_buckets_no_log_can_have() {
        let good = populated();
        assert_eq!(validate(&good), Ok(()));
        let p = Path::new("x.flt");
        let check = |sum: &Summary, want: &str| {
            let mut buf = Vec::new();
            write_to(&mut buf, sum, &SnapshotMeta::default()).unwrap();
            let e = read_from(&mut buf.as_slice(), p).unwrap_err();
            assert!(e.to_string().contains(want), "{e}");
        };
        let mut s = good.clone();
        s.time_min = Some(-9_000_000_000_000_000_000);
        check(&s, "outside 2000-2200");
        let mut s = good.clone();
        s.time_max = Some(i64::MAX);
        check(&s, "outside 2000-2200");
        let mut s = good.clone();
        s.time_max = None;
        check(&s, "half missing");
        // A year of data at one-second resolution.
        let mut s = good.clone();
        s.time_max = s.time_min.map(|t| t + 365 * 86_400_000);
        s.resolution_ms = 1_000;
        check(&s, "too fine");
        let mut s = good.clone();
        let past = s.time_max.unwrap() / s.resolution_ms + 10;
        s.sigs[0].series.0.push((past, 1));
        check(&s, "series bucket outside");
        let mut s = good.clone();
        let route = s.endpoints.routes.first_mut().expect("a route");
        let last = route.series.0.first().map(|e| e.0).unwrap();
        route.fail_series.0.insert(0, (last - 1_000_000, 1));
        check(&s, "series bucket outside");
        let mut s = good.clone();
        let route = s
            .endpoints
            .routes
            .iter_mut()
            .find(|r| !r.lat_bins.0.is_empty())
            .expect("a route with latencies");
        route.lat_bins.0[0].1 = u16::MAX;
        check(&s, "latency bin out of range");
        // Counts near 2^64 would wrap around when merged.
        let mut s = good.clone();
        s.events = u64::MAX;
        check(&s, "larger than any log");
        let mut s = good.clone();
        s.sigs[0].count = u64::MAX / 2;
        check(&s, "larger than any log");
        // Level counts beyond the events they count (u64::MAX errors in 25,959 events).
        assert!(validate(&good).is_ok());
        let mut s = good.clone();
        s.levels[crate::record::Level::Error.index()] = u64::MAX;
        check(&s, "level counts larger");
        let mut s = good.clone();
        s.sigs[0].levels[crate::record::Level::Info.index()] += s.sigs[0].count + 1;
        check(&s, "level counts larger");
        // A route with more failures than requests ("1000% failing").
        let mut s = good.clone();
        let route = s.endpoints.routes.first_mut().expect("a route");
        route.failed = route.requests + 1;
        check(&s, "route counts");
        // Found by fuzzing: hand-edited upstream, series, time and byte fields gave
        // "9223372036854775808 timeouts", counts wrapped to 0 by a merge, and times printed
        // as raw integers.
        let mut s = good.clone();
        s.endpoints.upstreams[0].timeouts = 1 << 63;
        check(&s, "upstream counts");
        let mut s = good.clone();
        s.endpoints.upstreams[0].retry_after_max_s = Some(u64::MAX);
        check(&s, "upstream counts");
        let mut s = good.clone();
        let err = s
            .level_series
            .iter_mut()
            .find(|x| !x.0.is_empty())
            .expect("a level series");
        err.0[0].1 = 1 << 63;
        check(&s, "series counts larger");
        let mut s = good.clone();
        s.sigs[0].first_time = Some(i64::MIN);
        check(&s, "outside the time range");
        let mut s = good.clone();
        s.sigs[0].first_error = Some(i64::MAX);
        check(&s, "outside the time range");
        let mut s = good.clone();
        s.input.bytes = u64::MAX;
        check(&s, "byte counts");
    }
}
