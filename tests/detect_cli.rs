//! `faultline spikes` and `faultline diff` through the binary, on generated plain logs
//! (`2026-11-27T10:00:00.000Z ERROR message`).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run faultline")
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// normal.log (day 0) and incident.log (day 1), 12 hours each.
fn days(dir: &Path) -> Injected {
    let (n, _) = scenario(0, 12, false, 101);
    let (i, inj) = scenario(1, 12, true, 102);
    write_log(dir, "normal.log", &n);
    write_log(dir, "incident.log", &i);
    inj.expect("incident day has incidents")
}

/// Writes `(time, "LEVEL message")` lines, sorted by time, as a plain log.
fn write_timed(dir: &Path, name: &str, mut lines: Vec<(i64, String)>) {
    lines.sort();
    let text: String = lines
        .iter()
        .map(|(t, m)| format!("{} {m}\n", iso(*t)))
        .collect();
    std::fs::write(dir.join(name), text).unwrap();
}

fn titles(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap_or("").to_string())
        .collect()
}

fn time_of(f: &serde_json::Value, key: &str) -> i64 {
    f[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} missing in {f}"))
}

const NOISE: [&str; 5] = [
    CACHE_MISS,
    DEPRECATED,
    CRON_SYNC,
    CRON_SKU,
    "InventorySyncJob",
];

#[test]
fn diff_puts_the_new_error_first_and_noise_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    days(d);
    let v = json(
        d,
        &[
            "diff",
            "-o",
            "json",
            "--all",
            "--baseline",
            "normal.log",
            "incident.log",
        ],
    );
    let rows = v["rows"].as_array().unwrap();
    let top: Vec<&str> = rows
        .iter()
        .take(3)
        .map(|r| r["template"].as_str().unwrap())
        .collect();
    assert!(top.iter().any(|t| t.contains(NPE)), "{top:#?}");
    let npe = rows
        .iter()
        .find(|r| r["template"].as_str().unwrap().contains(NPE))
        .unwrap();
    assert_eq!(npe["change"], "new");
    for n in [CACHE_MISS, DEPRECATED, CRON_SYNC] {
        let r = rows
            .iter()
            .find(|r| r["template"].as_str().unwrap().contains(n))
            .unwrap();
        assert_eq!(r["change"], "unchanged", "{n}: {r}");
    }
    // Rows are sorted by significance.
    let g: Vec<f64> = rows.iter().map(|r| r["g"].as_f64().unwrap()).collect();
    assert!(g.windows(2).all(|w| w[0] >= w[1]));
    // Markdown and table render the same rows.
    let md = run(
        d,
        &[
            "diff",
            "-o",
            "markdown",
            "--baseline",
            "normal.log",
            "--",
            "incident.log",
        ],
    );
    assert_eq!(md.status.code(), Some(0));
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("| change |"), "{md}");
    assert!(md.contains("NullPointerException"));
    let table = run(
        d,
        &["diff", "--baseline", "normal.log", "--", "incident.log"],
    );
    assert!(String::from_utf8_lossy(&table.stdout).contains("NullPointerException"));
}

#[test]
fn diff_without_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    days(d);
    let out = run(d, &["diff", "incident.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--baseline"));
}

#[test]
fn fail_on_sets_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    days(d);
    let out = run(
        d,
        &[
            "diff",
            "--fail-on",
            "low",
            "--baseline",
            "normal.log",
            "incident.log",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        d,
        &[
            "diff",
            "--fail-on",
            "low",
            "--baseline",
            "normal.log",
            "normal.log",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn spikes_finds_the_injected_bursts_and_no_noise() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inj = days(d);
    let v = json(
        d,
        &[
            "spikes",
            "--input-format",
            "plain",
            "-o",
            "json",
            "incident.log",
        ],
    );
    let bucket = v["bucket_ms"].as_i64().expect("bucket_ms");
    assert!(bucket > 0);
    let findings = v["findings"].as_array().unwrap();
    let find = |needle: &str| -> &serde_json::Value {
        findings
            .iter()
            .find(|f| {
                f["kind"] == "spike" && f["template"].as_str().is_some_and(|t| t.contains(needle))
            })
            .unwrap_or_else(|| panic!("no spike of {needle}: {:#?}", titles(&v)))
    };
    let db = find(DB_TIMEOUT);
    assert!((time_of(db, "start") - inj.spike).abs() <= 2 * bucket);
    let rl = find(RATE_LIMIT);
    assert!((time_of(rl, "start") - inj.rate_limit).abs() <= 2 * 60_000);
    assert!((time_of(rl, "end") - inj.rate_limit_end).abs() <= 2 * bucket);
    // The table gives times without their date when the input lies within a day: the
    // onset column stays narrow.
    let table = run(d, &["spikes", "--input-format", "plain", "incident.log"]);
    let table = String::from_utf8_lossy(&table.stdout);
    let bare = |f: &serde_json::Value, k: &str| {
        let t = jiff::Timestamp::from_millisecond(time_of(f, k)).expect("time in range");
        t.strftime("%H:%M:%SZ").to_string()
    };
    assert!(
        table.contains(&format!("┆ {}", bare(rl, "start")))
            && table.contains(&format!("┆ → {}", bare(rl, "end"))),
        "{table}"
    );
    for f in findings {
        let t = f["template"].as_str().unwrap_or("");
        assert!(!NOISE.iter().any(|n| t.contains(n)), "noise reported: {t}");
        assert!(f["series"].as_array().unwrap().len() as i64 * bucket >= 12 * HOUR);
    }
    // --bucket forces the width.
    let v = json(
        d,
        &[
            "spikes",
            "--input-format",
            "plain",
            "-o",
            "json",
            "--bucket",
            "10m",
            "incident.log",
        ],
    );
    assert_eq!(v["bucket_ms"], 600_000);
    // A normal day has no spikes.
    let v = json(
        d,
        &[
            "spikes",
            "--input-format",
            "plain",
            "-o",
            "json",
            "normal.log",
        ],
    );
    assert!(titles(&v).is_empty(), "{:#?}", titles(&v));
}

#[test]
fn spikes_with_a_snapshot_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inj = days(d);
    let out = run(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "normal.log",
            "-o",
            "yesterday.flt",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json(
        d,
        &[
            "spikes",
            "--input-format",
            "plain",
            "-o",
            "json",
            "--baseline",
            "yesterday.flt",
            "incident.log",
        ],
    );
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| {
            f["template"]
                .as_str()
                .is_some_and(|t| t.contains(DB_TIMEOUT))
                && (time_of(f, "start") - inj.spike).abs() <= 2 * v["bucket_ms"].as_i64().unwrap()
        }),
        "{:#?}",
        titles(&v)
    );
    for f in findings {
        let t = f["template"].as_str().unwrap_or("");
        assert!(!NOISE.iter().any(|n| t.contains(n)), "noise reported: {t}");
    }
    // diff with per-hour rates once timestamps are parsed.
    let v = json(
        d,
        &[
            "diff",
            "--input-format",
            "plain",
            "-o",
            "json",
            "--baseline",
            "yesterday.flt",
            "incident.log",
        ],
    );
    assert_eq!(v["unit"], "per_hour");
}

#[test]
fn spikes_without_timestamps_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x.log"), "error one\nerror two\nall good\n").unwrap();
    let out = run(d, &["spikes", "--input-format", "line", "x.log"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("No spikes found"), "{s}");
    assert!(
        s.contains("without timestamp") || s.contains("no timestamps"),
        "{s}"
    );
}

/// A sparse template's burst in a quiet stretch of traffic: against the other events alone
/// its normal expectation collapses to almost nothing there, and the factor shown must be
/// the one both exposure models support (the clock's, here), not the traffic model's
/// thousands.
#[test]
fn spike_factor_is_the_one_both_models_support() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<(i64, String)> = Vec::new();
    let min = 60_000i64;
    let t0 = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
                                   // Requests: 20 a minute, except 0.2 a minute from 05:00 to 08:00.
    for m in 0..12 * 60 {
        let quiet = (5 * 60..8 * 60).contains(&m);
        let n = if quiet { i64::from(m % 5 == 0) } else { 20 };
        for k in 0..n {
            let t = t0 + m * min + k * (min / n.max(1));
            lines.push((t, format!("INFO request served id={}", m * 100 + k)));
        }
    }
    // The sparse template: every 15 minutes all day, and 10 in five minutes at 06:00.
    for q in 0..12 * 4 {
        let t = t0 + q * 15 * min + 7 * min;
        lines.push((t, format!("WARN cache refresh stalled on shard {}", q % 7)));
    }
    for k in 0..10 {
        let t = t0 + 6 * 60 * min + k * 30_000 + 1_000;
        lines.push((t, format!("WARN cache refresh stalled on shard {k}")));
    }
    write_timed(dir.path(), "quiet.log", lines);
    let v = json(dir.path(), &["spikes", "-o", "json", "quiet.log"]);
    let findings = v["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| {
            f["kind"] == "spike"
                && f["template"]
                    .as_str()
                    .is_some_and(|t| t.contains("cache refresh stalled"))
        })
        .unwrap_or_else(|| panic!("no spike of the stalled cache: {:#?}", titles(&v)));
    let factor = f["factor"].as_f64().unwrap();
    let by_traffic = f["details"]["peak_factor_vs_traffic"].as_f64().unwrap();
    let by_time = f["details"]["peak_factor_vs_time"].as_f64().unwrap();
    // The scenario does what it is for: traffic alone makes the burst look enormous.
    assert!(by_traffic > 5.0 * by_time, "{}", f["details"]);
    assert!((factor - by_time.min(by_traffic)).abs() < 0.01, "{f}");
    // 4 a minute at the peak against 4 an hour: tens, not thousands.
    assert!((10.0..=200.0).contains(&factor), "{f}");
    // What is printed agrees with itself: rate now / normal rate = factor.
    let (rate, normal) = (
        f["rate"].as_f64().unwrap(),
        f["baseline_rate"].as_f64().unwrap(),
    );
    assert!((rate / normal - factor).abs() < 0.01 * factor, "{f}");
    assert!(
        f["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Spike ×{factor:.1}"))
            || factor >= 100.0
    );
}

/// A template that comes in similar clumps at irregular times all day (a datanode's transfer
/// warnings) is not reported as spikes; a clump three times their size among them is.
#[test]
fn recurring_clumps_are_habit_and_only_an_outsized_one_is_a_spike() {
    let min = 60_000i64;
    let t0 = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
    let day = |clumps: &[(i64, i64)]| {
        let mut lines: Vec<(i64, String)> = Vec::new();
        for m in 0..24 * 60 {
            for k in 0..10 {
                lines.push((
                    t0 + m * min + k * 6_000,
                    format!("INFO request served id={m}{k}"),
                ));
            }
            if m % 50 == 7 {
                lines.push((
                    t0 + m * min + 500,
                    "WARN transfer to datanode 7 interrupted".into(),
                ));
            }
        }
        for &(at, n) in clumps {
            for k in 0..n {
                let t = t0 + at * min + k * (20 * min / n) + 250;
                lines.push((
                    t,
                    format!("WARN transfer to datanode {} interrupted", k % 9),
                ));
            }
        }
        lines
    };
    let spikes_of = |dir: &Path| -> Vec<serde_json::Value> {
        let v = json(dir, &["spikes", "-o", "json", "day.log"]);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["template"]
                    .as_str()
                    .is_some_and(|t| t.contains("interrupted"))
            })
            .cloned()
            .collect()
    };
    let habit = [(110, 24), (395, 30), (610, 26), (1_010, 28), (1_300, 25)];
    let dir = tempfile::tempdir().unwrap();
    write_timed(dir.path(), "day.log", day(&habit));
    let found = spikes_of(dir.path());
    assert!(found.is_empty(), "{found:#?}");
    // The same day with one clump of 90.
    let mut odd = habit;
    odd[2].1 = 90;
    write_timed(dir.path(), "day.log", day(&odd));
    let found = spikes_of(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(time_of(f, "start") / min, 610 + t0 / min, "{f}");
    assert_eq!(f["details"]["recurrent_bursts_suppressed"], 4, "{f}");
    assert!(
        f["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .is_some_and(|n| n.starts_with("this template comes in clumps"))),
        "{f}"
    );
}

/// A request error that follows the traffic is silent through a quiet night by chance: not a
/// new error type, though the clock alone would call five hours of silence unlikely. An
/// error that really starts at noon, after hours of daytime traffic, still is one.
#[test]
fn a_traffic_following_error_silent_at_night_is_not_new() {
    let dir = tempfile::tempdir().unwrap();
    let min = 60_000i64;
    let t0 = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
    let mut lines: Vec<(i64, String)> = Vec::new();
    for m in 0..24 * 60 {
        // 10 requests an hour at night (00-06), 1,000 an hour by day.
        let per_hour = if m < 6 * 60 { 10 } else { 1_000 };
        let n = per_hour / 60 + i64::from((m * per_hour) % 60 < per_hour % 60);
        for k in 0..n {
            let t = t0 + m * min + k * (min / n.max(1));
            lines.push((t, format!("INFO request served id={}", m * 100 + k)));
        }
        // The steady error: one in 450 requests, by day only by chance of the draw.
        if m >= 6 * 60 + 10 && m % 27 == 0 {
            lines.push((
                t0 + m * min + 500,
                "ERROR search backend query failed: circuit breaker open".into(),
            ));
        }
        // The new one: from noon, as often.
        if m >= 12 * 60 && m % 27 == 13 {
            lines.push((
                t0 + m * min + 700,
                "ERROR payment capture failed: card network unreachable".into(),
            ));
        }
    }
    write_timed(dir.path(), "day.log", lines);
    let v = json(dir.path(), &["summary", "-o", "json", "day.log"]);
    let new: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "new_error")
        .filter_map(|f| f["template"].as_str())
        .collect();
    assert!(
        new.iter().any(|t| t.contains("payment capture failed")),
        "{new:?}"
    );
    assert!(!new.iter().any(|t| t.contains("search backend")), "{new:?}");
}

/// The templates table gives the template the room: whole ids, times without their date
/// when the input lies within a day.
#[test]
fn templates_table_keeps_ids_whole_and_times_short() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    days(d);
    let v = json(
        d,
        &[
            "templates",
            "--input-format",
            "plain",
            "-o",
            "json",
            "incident.log",
        ],
    );
    let first = &v["templates"][0];
    let id = first["id"].as_str().expect("id");
    assert_eq!(id.len(), 12);
    let out = run(d, &["templates", "--input-format", "plain", "incident.log"]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("id {id} not whole in\n{table}"));
    let seen = first["first_seen"].as_str().expect("first_seen");
    assert!(
        row.contains(&format!("┆ {}Z", &seen[11..19])),
        "{row}\n{seen}"
    );
    assert!(!row.contains(seen), "{row}");
}

/// A bucket wider than a week is refused as a bad flag (exit 2), not attempted: the grid's
/// cost grows with the width, and a width of years would abort on allocation.
#[test]
fn a_bucket_wider_than_a_week_is_a_bad_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a.log"),
        "2026-11-27T10:00:00Z ERROR boom\n",
    )
    .expect("write");
    let o = run(dir.path(), &["spikes", "--bucket", "9999999d", "a.log"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at most 7d"));
    let o = run(dir.path(), &["spikes", "--bucket", "7d", "a.log"]);
    assert_eq!(o.status.code(), Some(0));
}

/// "Not seen outside it" is said only when the burst holds every event of its template: a
/// message that only ever comes in bursts (two of them) is "seen only in bursts".
#[test]
fn a_burst_says_not_seen_outside_only_when_that_is_true() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t0 = 1_795_737_600_000; // 2026-11-27T00:00:00Z
    let mut lines: Vec<(i64, String)> = (0..2880)
        .map(|i| (t0 + i * 30_000, "INFO heartbeat ok".to_string()))
        .collect();
    for i in 0..30 {
        lines.push((
            t0 + 10 * HOUR + i * 10_000,
            "ERROR disk full on /data".into(),
        ));
        lines.push((
            t0 + 14 * HOUR + i * 10_000,
            "ERROR fan failure in rack 7".into(),
        ));
    }
    for i in 0..20 {
        lines.push((
            t0 + 18 * HOUR + i * 10_000,
            "ERROR disk full on /data".into(),
        ));
    }
    write_timed(dir.path(), "a.log", lines);
    let v = json(dir.path(), &["spikes", "-o", "json", "a.log"]);
    let titles = titles(&v);
    let fan: Vec<&String> = titles
        .iter()
        .filter(|t| t.contains("fan failure"))
        .collect();
    let disk: Vec<&String> = titles.iter().filter(|t| t.contains("disk full")).collect();
    assert!(!fan.is_empty() && !disk.is_empty(), "{titles:#?}");
    assert!(
        fan.iter().all(|t| t.contains("(not seen outside it)")),
        "{fan:#?}"
    );
    assert!(
        disk.iter()
            .all(|t| !t.contains("not seen outside") && t.contains("seen only in bursts")),
        "{disk:#?}"
    );
}

/// Flag values that could only give an empty or meaningless answer are refused (exit 2)
/// before any input is read (found by fuzzing: NaN thresholds found nothing, a window that
/// ends before it starts reported an empty input).
#[test]
fn meaningless_thresholds_and_windows_are_flag_errors() {
    let day = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/example/incident");
    for (args, says) in [
        (&["spikes", "--min-factor", "NaN", day][..], "--min-factor"),
        (&["spikes", "--min-factor", "0.5", day], "--min-factor"),
        (&["spikes", "--warmup", "1.5", day], "--warmup"),
        (
            &["diff", "--min-factor", "inf", "--baseline", day, day],
            "--min-factor",
        ),
        (
            &[
                "summary",
                "--since",
                "2026-11-27T10:00:00Z",
                "--until",
                "2026-11-27T09:00:00Z",
                day,
            ],
            "--since must be before --until",
        ),
        (
            &["summary", "--since", "1h", "--until", "2h", day],
            "--since must be before",
        ),
    ] {
        let o = run(Path::new(day), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let o = run(
        Path::new(day),
        &["summary", "-q", "--since", "2h", "--until", "1h", day],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}
