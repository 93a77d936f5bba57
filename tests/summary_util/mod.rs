//! Shared helpers for the `summary` and `html` integration tests: a temp dir per test, a
//! command builder for the real binary, and generators for small timestamped logs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("create temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        let mut f = std::fs::File::create(&p).expect("create file");
        f.write_all(data).expect("write file");
        p
    }
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
    c.env_remove("NO_COLOR").env_remove("COLUMNS");
    c.stdin(Stdio::null());
    c
}

/// Runs the binary with `args` (paths are relative to `dir`).
pub fn run(dir: &Dir, args: &[&str]) -> Output {
    bin()
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("run faultline")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// Asserts that the record parser gives timestamps to `2026-11-27T10:00:00Z ERROR ...`
/// lines: every test that needs times checks this first, so a parser regression fails loudly
/// with this message instead of as a confusing missing finding.
pub fn parser_has_time(test: &str) -> bool {
    let d = Dir::new();
    d.write("probe.log", b"2026-11-27T10:00:00Z ERROR probe failed\n");
    let o = run(&d, &["events", "probe.log"]);
    let ok = stdout(&o).contains("\"time\":\"2026-11-27T10:00:00");
    assert!(
        ok,
        "{test}: the record parser gave no timestamp to a plain RFC 3339 line"
    );
    ok
}

/// Formats epoch seconds as RFC 3339 UTC.
pub fn ts(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| format!("{t:.0}"))
        .unwrap_or_default()
}

/// 2026-11-27T10:00:00Z.
pub const T0: i64 = 1_795_773_600;

/// A deterministic hour of `plain` logs (about 5 events a second): info traffic with a low
/// background of one known error; from minute 40 to 50 a new error floods in (3 a second,
/// first in each second), right after a deploy line. Returns the log text.
pub fn incident_log(extra_error_text: &str) -> String {
    let mut s = String::new();
    let mut x: u64 = 42;
    let mut rnd = || {
        // xorshift: deterministic, no dependency.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for sec in 0..3600 {
        let t = ts(T0 + sec);
        if (2400..3000).contains(&sec) {
            for _ in 0..3 {
                s.push_str(&format!(
                    "{t} ERROR connection refused to db-primary port {} {extra_error_text}\n",
                    5432
                ));
            }
        }
        for _ in 0..5 {
            let r = rnd() % 1000;
            if r < 700 {
                s.push_str(&format!(
                    "{t} INFO GET /api/orders/{} 200 in {}ms\n",
                    rnd() % 900 + 1,
                    rnd() % 80 + 5
                ));
            } else if r < 990 {
                s.push_str(&format!(
                    "{t} INFO user {} logged in\n",
                    rnd() % 90_000 + 1000
                ));
            } else {
                s.push_str(&format!(
                    "{t} ERROR payment gateway slow response after {}ms\n",
                    rnd() % 2000 + 1000
                ));
            }
        }
        if sec == 2399 {
            s.push_str(&format!("{t} INFO deploy v2.3.1 finished\n"));
        }
    }
    s
}
