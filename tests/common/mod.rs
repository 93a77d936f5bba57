//! Shared helpers for integration tests: a temp dir per test and a runner for the real
//! binary; and a compact deterministic scenario generator (a normal day and an incident day
//! with injected incidents and benign noise), writing logs as plain lines
//! `2026-11-27T10:00:00.000Z ERROR message`, with a builder that turns generated events into a
//! `Summary` directly (for library tests that must not depend on the record parser).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct TestDir {
    pub dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> TestDir {
        TestDir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, data).expect("write fixture");
        p
    }
}

/// Runs faultline with `args`, stdin closed (or fed `stdin`), and returns its output.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.args(args).env("NO_COLOR", "1");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    match stdin {
        Some(data) => {
            cmd.stdin(Stdio::piped());
            let mut child = cmd.spawn().expect("spawn faultline");
            {
                use std::io::Write;
                let mut si = child.stdin.take().expect("stdin");
                si.write_all(data).expect("write stdin");
            }
            child.wait_with_output().expect("wait")
        }
        None => {
            cmd.stdin(Stdio::null());
            cmd.output().expect("run faultline")
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses JSON lines output.
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip finish")
}

/// `data` compressed as a file with extension `ext` would be: `gz`, `zst`, `xz` or `bz2`.
pub fn compress(ext: &str, data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    match ext {
        "gz" => gzip(data),
        "zst" => zstd::stream::encode_all(data, 3).expect("zstd"),
        "xz" => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(data).expect("xz");
            e.finish().expect("xz finish")
        }
        "bz2" => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            e.write_all(data).expect("bzip2");
            e.finish().expect("bzip2 finish")
        }
        _ => panic!("no compressor for {ext}"),
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

// ---- scenario generator ----

use std::collections::HashMap;

use faultline::mine::Masker;
use faultline::record::Level;
use faultline::summary::series::{resolution_for, Series};
use faultline::summary::{level_slot, sample_rank, sig_hash, Example, SigStats, Summary};

/// 2026-11-27T00:00:00Z in epoch ms.
pub const START: i64 = 1_795_737_600_000;
pub const HOUR: i64 = 3_600_000;
pub const MIN: i64 = 60_000;

/// One generated event.
#[derive(Clone, Debug)]
pub struct Ev {
    pub t: i64,
    pub level: Level,
    pub msg: String,
}

/// Deterministic xorshift generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Poisson sample (Knuth), for small means.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        let l = (-mean).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

/// Where each injected incident starts (epoch ms) and the deploy line before the new error.
#[derive(Clone, Debug)]
pub struct Injected {
    pub deploy: i64,
    pub new_error: i64,
    pub spike: i64,
    pub spike_end: i64,
    pub rate_limit: i64,
    pub rate_limit_end: i64,
}

pub const NPE: &str = "NullPointerException in OrderMapper.toDto for order";
pub const DB_TIMEOUT: &str = "Timeout acquiring connection from replica pool";
pub const RATE_LIMIT: &str = "Rate limited by api.shipfast.example";
pub const CACHE_MISS: &str = "Cache miss for key";
pub const DEPRECATED: &str = "Property payments.timeout is deprecated";
pub const CRON_SYNC: &str = "Synced batch of";
pub const CRON_SKU: &str = "missing in warehouse feed, skipping";
pub const DEPLOY: &str = "Deploying version 1.5.0";

/// A scenario day: `hours` hours from [`START`] (+ `day` days), with incidents when
/// `incident` is true. Benign noise is the same kind on both days: steady warnings, an hourly
/// cron burst with some warnings, a rare error.
pub fn scenario(day: i64, hours: i64, incident: bool, seed: u64) -> (Vec<Ev>, Option<Injected>) {
    let start = START + day * 24 * HOUR;
    let end = start + hours * HOUR;
    let span = end - start;
    let mut r = Rng::new(seed);
    let mut ev: Vec<Ev> = Vec::new();
    let mut push = |t: i64, level: Level, msg: String| ev.push(Ev { t, level, msg });
    // Background traffic: ~20 events per minute, following a smooth daily curve.
    let mut m = start;
    while m < end {
        let h = ((m - START).rem_euclid(24 * HOUR)) as f64 / HOUR as f64;
        let curve = 1.0 - 0.5 * ((h - 3.0) / 24.0 * std::f64::consts::TAU).cos();
        for _ in 0..r.poisson(20.0 * curve) {
            let t = m + r.below(MIN as u64) as i64;
            let id = r.below(100_000);
            let ms = r.below(900) + 5;
            let msg = match r.below(4) {
                0 => format!("GET /api/v1/products/{id} completed in {ms} ms"),
                1 => format!(
                    "User {id} logged in from 10.0.{}.{}",
                    r.below(255),
                    r.below(255)
                ),
                2 => format!("Order {id} created with {} items", r.below(9) + 1),
                _ => format!(
                    "Payment authorized for order {id} amount {}.{:02} EUR",
                    r.below(500),
                    r.below(100)
                ),
            };
            push(t, Level::Info, msg);
            // Steady warning: ~2.5 % of traffic.
            if r.chance(0.025) {
                push(
                    t + 1,
                    Level::Warn,
                    format!("{CACHE_MISS} product:{id}, loading from database"),
                );
            }
        }
        // Rare error, about once per 45 minutes.
        if r.chance(1.0 / 45.0) {
            let t = m + r.below(MIN as u64) as i64;
            push(
                t,
                Level::Error,
                format!("{DB_TIMEOUT} db-replica-{} after 5000 ms", r.below(3) + 1),
            );
        }
        m += MIN;
    }
    // Steady deprecation warning every 10 minutes.
    let mut t = start + 3 * MIN + 17_000;
    while t < end {
        push(
            t,
            Level::Warn,
            format!("{DEPRECATED}, use payments.client.read-timeout instead"),
        );
        t += 10 * MIN;
    }
    // Hourly cron burst at :00 for one minute: ~60 lines, some warnings.
    let mut h = start;
    while h < end {
        push(
            h + 50,
            Level::Info,
            format!("Starting InventorySyncJob run {:08x}", r.next() as u32),
        );
        for i in 0..60 {
            let t = h + 100 + i * 950 + r.below(200) as i64;
            if r.chance(0.1) {
                push(
                    t,
                    Level::Warn,
                    format!("SKU {} {CRON_SKU}", r.below(90_000) + 10_000),
                );
            } else {
                push(
                    t,
                    Level::Info,
                    format!(
                        "{CRON_SYNC} {} SKUs from warehouse feed in {} ms",
                        r.below(500),
                        r.below(3000)
                    ),
                );
            }
        }
        h += HOUR;
    }
    let mut injected = None;
    if incident {
        let at = |frac: f64| start + ((span as f64 * frac) as i64) / MIN * MIN + 17_000;
        let (new_error, spike, rate_limit) = (at(0.20), at(0.35), at(0.50));
        let deploy = new_error - 40_000;
        push(deploy, Level::Info, format!("{DEPLOY} (build 8812)"));
        // (a) a brand-new error after the deploy, ~1.5 per minute to the end.
        push(
            new_error,
            Level::Error,
            format!("{NPE} {}", r.below(1_000_000)),
        );
        let mut m = new_error - 17_000 + MIN;
        while m < end {
            for _ in 0..r.poisson(1.5) {
                push(
                    m + r.below(MIN as u64) as i64,
                    Level::Error,
                    format!("{NPE} {}", r.below(1_000_000)),
                );
            }
            m += MIN;
        }
        // (b) the rare db timeout spikes ~25× for 30 minutes.
        let spike_end = spike + 30 * MIN;
        push(
            spike,
            Level::Error,
            format!("{DB_TIMEOUT} db-replica-2 after 5000 ms"),
        );
        let mut m = spike - 17_000 + MIN;
        while m < spike_end {
            for _ in 0..r.poisson(0.55) {
                push(
                    m + r.below(MIN as u64) as i64,
                    Level::Error,
                    format!("{DB_TIMEOUT} db-replica-{} after 5000 ms", r.below(3) + 1),
                );
            }
            m += MIN;
        }
        // (c) a burst of rate limiting for 20 minutes, ~3 per minute.
        let rate_limit_end = rate_limit + 20 * MIN;
        push(
            rate_limit,
            Level::Warn,
            format!(
                "{RATE_LIMIT}: HTTP 429 Too Many Requests, Retry-After: 30 (zip {})",
                r.below(90_000) + 10_000
            ),
        );
        let mut m = rate_limit - 17_000 + MIN;
        while m < rate_limit_end {
            for _ in 0..r.poisson(3.0) {
                push(
                    m + r.below(MIN as u64) as i64,
                    Level::Warn,
                    format!(
                        "{RATE_LIMIT}: HTTP 429 Too Many Requests, Retry-After: 30 (zip {})",
                        r.below(90_000) + 10_000
                    ),
                );
            }
            m += MIN;
        }
        injected = Some(Injected {
            deploy,
            new_error,
            spike,
            spike_end,
            rate_limit,
            rate_limit_end,
        });
    }
    ev.retain(|e| e.t >= start && e.t < end);
    ev.sort_by_key(|e| e.t);
    (ev, injected)
}

/// RFC 3339 UTC with milliseconds.
pub fn iso(ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms).expect("valid time");
    format!("{ts:.3}")
}

fn level_word(l: Level) -> &'static str {
    match l {
        Level::Trace => "TRACE",
        Level::Debug => "DEBUG",
        Level::Info => "INFO",
        Level::Warn => "WARN",
        Level::Error => "ERROR",
        Level::Fatal => "FATAL",
    }
}

/// The events as plain log lines.
pub fn plain_lines(ev: &[Ev]) -> String {
    let mut s = String::new();
    for e in ev {
        s.push_str(&iso(e.t));
        s.push(' ');
        s.push_str(level_word(e.level));
        s.push(' ');
        s.push_str(&e.msg);
        s.push('\n');
    }
    s
}

/// Writes the events as a plain log file `dir/name`.
pub fn write_log(dir: &Path, name: &str, ev: &[Ev]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, plain_lines(ev)).expect("write log");
    p
}

/// A `Summary` of the events as the record parser would deliver them (time, level, message),
/// built the way `summary::build` does: signatures by the masker, series at the ladder width
/// for the span, examples, samples, the event before each first occurrence.
pub fn summary_of(ev: &[Ev], source: &str) -> Summary {
    let masker = Masker::new(Vec::new());
    let mut sum = Summary::default();
    let (tmin, tmax) = (ev.iter().map(|e| e.t).min(), ev.iter().map(|e| e.t).max());
    let res = resolution_for(tmax.unwrap_or(0) - tmin.unwrap_or(0));
    sum.resolution_ms = res;
    sum.time_min = tmin;
    sum.time_max = tmax;
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut buckets: Vec<Vec<i64>> = Vec::new();
    let mut error_buckets: Vec<Vec<i64>> = Vec::new();
    let mut level_buckets: Vec<Vec<i64>> = vec![Vec::new(); 7];
    let mut scratch = Vec::new();
    for (i, e) in ev.iter().enumerate() {
        let line = i as u64 + 1;
        let raw = format!("{} {} {}", iso(e.t), level_word(e.level), e.msg);
        masker.mask(e.msg.as_bytes(), &mut scratch);
        let sig = String::from_utf8_lossy(&scratch).into_owned();
        let slot = level_slot(Some(e.level));
        let si = *index.entry(sig.clone()).or_insert_with(|| {
            sum.sigs.push(SigStats {
                sig: sig.clone(),
                count: 0,
                levels: [0; 7],
                first_time: None,
                last_time: None,
                first_error: None,
                series: Series::default(),
                error_series: Series::default(),
                untimed: 0,
                examples: Vec::new(),
                before_first: i.checked_sub(1).map(|p| {
                    let pe = &ev[p];
                    let raw = format!("{} {} {}", iso(pe.t), level_word(pe.level), pe.msg);
                    Example::named(source, line - 1, Some(pe.t), raw.as_bytes())
                }),
                samples: Vec::new(),
            });
            buckets.push(Vec::new());
            error_buckets.push(Vec::new());
            sum.sigs.len() - 1
        });
        let s = &mut sum.sigs[si];
        s.count += 1;
        s.levels[slot] += 1;
        s.first_time = Some(s.first_time.map_or(e.t, |f: i64| f.min(e.t)));
        s.last_time = Some(s.last_time.map_or(e.t, |l: i64| l.max(e.t)));
        if e.level >= Level::Error {
            s.first_error = Some(s.first_error.map_or(e.t, |f: i64| f.min(e.t)));
        }
        if s.examples.len() < 3 {
            s.examples.push(
                Example::named(source, line, Some(e.t), raw.as_bytes()).with_level(Some(e.level)),
            );
        }
        s.offer_sample(sample_rank(sig_hash(source.as_bytes()), line), line, || {
            Example::named(source, line, Some(e.t), raw.as_bytes()).with_level(Some(e.level))
        });
        buckets[si].push(e.t.div_euclid(res));
        if e.level >= Level::Error {
            error_buckets[si].push(e.t.div_euclid(res));
        }
        level_buckets[slot].push(e.t.div_euclid(res));
        sum.events += 1;
        sum.levels[slot] += 1;
        if i == 0 {
            sum.first_event = Some(Example::named(source, line, Some(e.t), raw.as_bytes()));
        }
        if i + 1 == ev.len() {
            sum.tails = vec![Example::named(source, line, Some(e.t), raw.as_bytes())];
        }
    }
    for ((s, mut b), mut e) in sum.sigs.iter_mut().zip(buckets).zip(error_buckets) {
        s.series = Series::from_buckets(&mut b);
        // Kept apart only for a signature of mixed levels, as the engine does.
        if s.errors() < s.count {
            s.error_series = Series::from_buckets(&mut e);
        }
    }
    for (slot, mut b) in level_buckets.into_iter().enumerate() {
        sum.level_series[slot] = Series::from_buckets(&mut b);
    }
    sum.reindex();
    sum
}
