//! Progress on stderr while input is read: bytes read, rate, and percent and ETA when the
//! total size is known (the sum of the input files' sizes, taken up front).
//!
//! In: a shared byte counter that the input reader bumps (`InputConfig::bytes_read`). Out: one
//! self-overwriting line on stderr, only when stderr is a terminal and not `--quiet`, and only
//! once reading has taken more than a moment (so quick runs print nothing). The line is
//! erased when the guard is dropped.
//!
//! Written by hand rather than with `indicatif`: one line of text on a timer is all that is
//! needed, and it keeps the dependency tree (and build time on shared machines) small.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Wait this long before showing anything.
const DELAY: Duration = Duration::from_millis(700);
/// Redraw interval.
const TICK: Duration = Duration::from_millis(250);

/// A running progress display; stops and erases its line when dropped.
pub struct Progress {
    stop: Arc<(Mutex<bool>, Condvar)>,
    drawn: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts a display for `counter` if stderr is a terminal and `enabled`; `total` is the
    /// expected number of bytes, when known. `label` names the phase ("reading", "baseline").
    pub fn start(
        label: &str,
        counter: Arc<AtomicU64>,
        total: Option<u64>,
        enabled: bool,
    ) -> Option<Progress> {
        if !enabled || !std::io::stderr().is_terminal() {
            return None;
        }
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let drawn = Arc::new(AtomicBool::new(false));
        let label = label.to_string();
        let (stop2, drawn2) = (Arc::clone(&stop), Arc::clone(&drawn));
        let handle = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                let started = Instant::now();
                let (lock, cv) = &*stop2;
                let mut wait = DELAY;
                loop {
                    let Ok(guard) = lock.lock() else { return };
                    let Ok((guard, _)) = cv.wait_timeout_while(guard, wait, |s| !*s) else {
                        return;
                    };
                    if *guard {
                        return;
                    }
                    drop(guard);
                    wait = TICK;
                    let done = counter.load(Ordering::Relaxed);
                    let line = render_line(&label, done, total, started.elapsed());
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K{line}");
                    let _ = err.flush();
                    drawn2.store(true, Ordering::Relaxed);
                }
            })
            .ok()?;
        Some(Progress {
            stop,
            drawn,
            handle: Some(handle),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        let (lock, cv) = &*self.stop;
        if let Ok(mut s) = lock.lock() {
            *s = true;
        }
        cv.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        if self.drawn.load(Ordering::Relaxed) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

/// The progress line: `reading 1.2 GiB / 3.4 GiB (35%)  410 MiB/s  ETA 6s`.
pub fn render_line(label: &str, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(0.001);
    let rate = done as f64 / secs;
    let mut s = format!("faultline: {label} {}", bytes(done));
    match total {
        Some(t) if t > 0 && done >= t => {
            s = format!("faultline: {label} {} done, summarizing…", bytes(done));
        }
        Some(t) if t > 0 => {
            let frac = (done as f64 / t as f64).min(1.0);
            s.push_str(&format!(" / {} ({:.0}%)", bytes(t), frac * 100.0));
            s.push_str(&format!("  {}/s", bytes(rate as u64)));
            if rate > 0.0 && done < t {
                let eta = (t - done) as f64 / rate;
                s.push_str(&format!("  ETA {}", duration(eta)));
            }
        }
        _ => s.push_str(&format!("  {}/s", bytes(rate as u64))),
    }
    s
}

/// Bytes in binary units with one decimal.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Seconds as `45s`, `3m05s`, `2h10m`.
pub fn duration(secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

/// Total size of the given paths (files, recursively through directories), or None when it
/// cannot be known up front (stdin, unreadable paths).
pub fn total_size(paths: &[std::path::PathBuf]) -> Option<u64> {
    if paths.is_empty() {
        return None;
    }
    let mut total = 0u64;
    for p in paths {
        if p.as_os_str() == "-" {
            return None;
        }
        total += size_of(p, 0)?;
    }
    Some(total)
}

fn size_of(p: &Path, depth: usize) -> Option<u64> {
    let m = std::fs::metadata(p).ok()?;
    if m.is_file() {
        return Some(m.len());
    }
    if !m.is_dir() || depth > 32 {
        return Some(0);
    }
    let mut total = 0;
    // What the reader reads: not the links and special files it passes over.
    for e in crate::input::list_dir(p).ok()?.entries {
        total += size_of(&e, depth + 1).unwrap_or(0);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_with_and_without_total() {
        let l = render_line("reading", 512 << 20, Some(1 << 30), Duration::from_secs(2));
        assert_eq!(
            l,
            "faultline: reading 512.0 MiB / 1.0 GiB (50%)  256.0 MiB/s  ETA 2s"
        );
        let l = render_line("reading", 1000, None, Duration::from_secs(1));
        assert_eq!(l, "faultline: reading 1000 B  1000 B/s");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(5.4), "5s");
        assert_eq!(duration(185.0), "3m05s");
        assert_eq!(duration(7800.0), "2h10m");
    }
}
