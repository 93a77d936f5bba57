//! `faultline watch` end to end: a scripted stream piped through the real binary, the final
//! report, following files across rotation and truncation, snapshots.
//!
//! Streams carry their own timestamps and the detector's clock is event time, so piping a whole
//! scripted hour at once gives the same alerts as living through it; nothing here sleeps except
//! where file polling needs time to notice a change.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{path_str, run, stderr, stdout, TestDir};

const T0: i64 = 1_795_600_800; // 2026-11-25T10:00:00Z, seconds

fn ts(secs: i64) -> String {
    jiff::Timestamp::from_second(T0 + secs)
        .map(|t| format!("{t:.0}"))
        .unwrap_or_default()
}

/// The incident script as JSON lines: 45 minutes of steady info/warn traffic, a rare error
/// seen during the warm-up, a new error from T+12m, a spike of the rare error T+20m..T+30m.
fn incident_jsonl() -> String {
    let mut evs: Vec<(i64, &str, &str)> = Vec::new();
    for s in (0..45 * 60).step_by(2) {
        evs.push((s, "info", "request handled in 12ms"));
    }
    for s in (7..45 * 60).step_by(30) {
        evs.push((s, "warn", "cache miss for key product, loading from db"));
    }
    for s in [60, 480, 900] {
        evs.push((s, "error", "db replica timed out"));
    }
    for s in (12 * 60..45 * 60).step_by(20) {
        evs.push((s, "error", "NullPointerException in OrderMapper.toDto"));
    }
    for s in (20 * 60..30 * 60).step_by(10) {
        evs.push((s, "error", "db replica timed out"));
    }
    evs.sort_by_key(|e| e.0);
    let mut out = String::new();
    for (s, level, msg) in evs {
        out.push_str(&format!(
            "{{\"ts\":\"{}\",\"level\":\"{level}\",\"msg\":\"{msg}\"}}\n",
            ts(s)
        ));
    }
    out
}

fn alert_lines(out: &str) -> Vec<&str> {
    out.lines()
        .take_while(|l| !l.starts_with("── faultline watch"))
        .filter(|l| l.starts_with("20"))
        .collect()
}

#[test]
fn piped_incident_alerts_exactly_new_error_spike_and_end() {
    let data = incident_jsonl();
    let o = run(&["watch", "--plain"], Some(data.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts = alert_lines(&out);
    assert_eq!(alerts.len(), 3, "{out}");
    assert!(alerts[0].contains(" START new_error "), "{}", alerts[0]);
    assert!(alerts[0].contains("NullPointerException"), "{}", alerts[0]);
    assert!(alerts[1].contains(" START spike "), "{}", alerts[1]);
    assert!(alerts[1].contains("db replica timed out"), "{}", alerts[1]);
    assert!(alerts[2].contains(" END   spike "), "{}", alerts[2]);
    // Detected within two minutes of onset (event time), the end reported at T+30m.
    let at = |l: &str| {
        let t: jiff::Timestamp = l.split(' ').next().unwrap_or("").parse().expect("time");
        t.as_second() - T0
    };
    assert!(
        (12 * 60..=14 * 60).contains(&at(alerts[0])),
        "{}",
        alerts[0]
    );
    assert!(
        (20 * 60..=22 * 60).contains(&at(alerts[1])),
        "{}",
        alerts[1]
    );
    assert!(
        alerts[2].contains(&format!("→ {}", ts(30 * 60))),
        "{}",
        alerts[2]
    );
    assert!(out.contains("end of input"), "{out}");
}

#[test]
fn json_alerts_carry_finding_fields_with_rfc3339_times() {
    let data = incident_jsonl();
    let o = run(&["watch", "--output", "json"], Some(data.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let objs = common::json_lines(&o);
    let alerts: Vec<&serde_json::Value> =
        objs.iter().filter(|v| v.get("alert").is_some()).collect();
    let kinds: Vec<(String, String)> = alerts
        .iter()
        .map(|a| {
            (
                a["alert"].as_str().unwrap_or("").into(),
                a["kind"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("start".into(), "new_error".into()),
            ("start".into(), "spike".into()),
            ("end".into(), "spike".into())
        ]
    );
    for a in &alerts {
        for key in [
            "kind",
            "title",
            "severity",
            "template",
            "template_id",
            "route",
            "upstream",
            "start",
            "end",
            "count",
            "factor",
            "examples",
        ] {
            assert!(a.get(key).is_some(), "missing {key} in {a}");
        }
        assert!(a["start"].as_str().is_some_and(|s| s.ends_with('Z')), "{a}");
    }
    assert_eq!(alerts[2]["end"].as_str(), Some(ts(30 * 60).as_str()));
    assert!(alerts[0]["examples"]
        .as_array()
        .is_some_and(|e| !e.is_empty()));
    assert!(
        objs.last().and_then(|v| v.get("summary")).is_some(),
        "final summary object"
    );
}

#[test]
fn steady_noise_alerts_nothing() {
    let mut data = String::new();
    for s in (0..2 * 3600).step_by(1) {
        data.push_str(&format!("{} INFO request handled in {}ms\n", ts(s), s % 50));
        if s % 15 == 0 {
            data.push_str(&format!("{} WARN cache miss for key product:{s}\n", ts(s)));
        }
        if s % 1200 == 540 {
            data.push_str(&format!(
                "{} ERROR failed to send email to user{s}@example.com\n",
                ts(s)
            ));
        }
    }
    let o = run(&["watch", "--plain"], Some(data.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(alert_lines(&out).is_empty(), "{out}");
    // ...having read all of it: 7,200 requests, 480 cache misses, 6 errors.
    assert!(out.contains("\n7,686 events · 1 source"), "{out}");
}

/// Events without a time of their own (a bare `FATAL ...` line amid timestamped ones) count
/// when they arrive: a new error made of them is dated by the stream's clock, never by a
/// placeholder.
#[test]
fn untimed_new_error_is_dated_by_the_stream() {
    let mut data = String::new();
    for s in 0..600 {
        data.push_str(&format!("{} INFO request handled in {}ms\n", ts(s), s % 50));
        if s == 480 {
            for w in 0..5 {
                data.push_str(&format!("FATAL untimed crash in worker {w}\n"));
            }
        }
    }
    let o = run(
        &["watch", "--plain", "--warmup", "1m"],
        Some(data.as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts = alert_lines(&out);
    assert_eq!(alerts.len(), 1, "{out}");
    assert!(
        alerts[0].contains("New fatal error: untimed crash in worker <NUM>"),
        "{out}"
    );
    let since = format!("since {}", ts(480));
    assert!(alerts[0].contains(&since), "{out}");
}

/// The report at the end of input is `faultline summary` of the same data.
#[test]
fn end_of_input_report_matches_batch() {
    let dir = TestDir::new();
    let mut data = String::new();
    for i in 0..3000 {
        data.push_str(&format!(
            "2026-11-27T10:{:02}:{:02}Z INFO user {i} logged in\n",
            (i / 60) % 60,
            i % 60
        ));
        if i % 7 == 0 {
            data.push_str(&format!(
                "2026-11-27T10:{:02}:{:02}Z ERROR payment {i} declined\n",
                (i / 60) % 60,
                i % 60
            ));
        }
    }
    let _ = dir.write("app.log", data.as_bytes());
    let batch = run(&["summary"], Some(data.as_bytes()));
    assert!(batch.status.success(), "{}", stderr(&batch));
    let live = run(&["watch", "--plain"], Some(data.as_bytes()));
    assert!(live.status.success(), "{}", stderr(&live));
    let out = stdout(&live);
    let report = out
        .split_once("report of everything seen ──\n")
        .map(|x| x.1)
        .expect("report marker");
    assert_eq!(report, stdout(&batch));
    // Small batches (many chunks) give the same report.
    let small = run(
        &["watch", "--plain", "--batch-lines", "7"],
        Some(data.as_bytes()),
    );
    let small_out = stdout(&small);
    let small_report = small_out
        .split_once("report of everything seen ──\n")
        .map(|x| x.1)
        .expect("report marker");
    assert_eq!(small_report, stdout(&batch));

    // A line over --max-line, piped in: cut, and counted in the report as in batch mode
    // (the live reader's count was lost; found by fuzzing).
    let mut long = data.clone();
    long.push_str(&format!(
        "2026-11-27T10:59:59Z ERROR payload {}\n",
        "x".repeat(400)
    ));
    long.push_str("2026-11-27T10:59:59Z INFO after the long line\n");
    let args = ["--max-line", "256"];
    let batch = run(&[&["summary"][..], &args].concat(), Some(long.as_bytes()));
    assert!(
        stdout(&batch).contains("1 truncated lines"),
        "{}",
        stdout(&batch)
    );
    for extra in [&["--plain"][..], &["--output", "json"]] {
        let live = run(
            &[&["watch"][..], &args, extra].concat(),
            Some(long.as_bytes()),
        );
        assert!(
            stderr(&live).contains("1 line(s) longer than --max-line were truncated"),
            "{extra:?}: {}",
            stderr(&live)
        );
        let out = stdout(&live);
        if extra == ["--plain"] {
            let report = out
                .split_once("report of everything seen ──\n")
                .map(|x| x.1)
                .expect("report marker");
            assert_eq!(report, stdout(&batch));
        } else {
            assert!(out.contains("\"truncated_lines\":1"), "{out}");
        }
    }
}

fn wait_for(child_out: &std::path::Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::fs::read_to_string(child_out).is_ok_and(|s| s.contains(what)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn append(p: &std::path::Path, data: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .expect("open");
    f.write_all(data.as_bytes()).expect("append");
}

/// `faultline watch --plain ARGS` in the background, its output going to the two files.
fn spawn_watch(args: &[&str], out: &std::path::Path, err: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["watch", "--plain"])
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).expect("out"))
        .stderr(std::fs::File::create(err).expect("err"))
        .spawn()
        .expect("spawn")
}

fn interrupt(child: &std::process::Child) {
    // SAFETY: kill(2) with a valid pid of our own child and SIGINT has no memory effects.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
}

/// With -F, what the files already hold is read side by side in event time before they are
/// followed (not one file after the other, which would leave the second hours behind the
/// clock): a new error in the second file, two hours before the first one ends, is alerted;
/// then the followers go on from where that reading stopped, each line read once.
#[test]
fn follow_reads_what_files_hold_side_by_side() {
    let dir = TestDir::new();
    let (a, b) = (dir.path("a.log"), dir.path("b.log"));
    let (mut da, mut db) = (String::new(), String::new());
    for s in (0..3 * 3600).step_by(5) {
        da.push_str(&format!("{} INFO request handled in {}ms\n", ts(s), s % 50));
        db.push_str(&format!("{} INFO job step {} done\n", ts(s), s % 7));
        if (3600..3630).contains(&s) {
            db.push_str(&format!(
                "{} ERROR disk quota exceeded by {} bytes\n",
                ts(s),
                s * 7
            ));
        }
    }
    append(&a, &da);
    append(&b, &db);
    let (out_path, err_path) = (dir.path("stdout.txt"), dir.path("stderr.txt"));
    let mut child = spawn_watch(&["-F", path_str(&a), path_str(&b)], &out_path, &err_path);
    wait_for(&out_path, "disk quota");
    append(
        &a,
        &format!("{} INFO request handled in 1ms\n", ts(3 * 3600)),
    );
    std::thread::sleep(Duration::from_millis(800));
    interrupt(&child);
    let status = child.wait().expect("wait");
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(status.success(), "{err}");
    let alerts = alert_lines(&out);
    assert_eq!(alerts.len(), 1, "{out}");
    assert!(
        alerts[0].contains("New error: disk quota exceeded by <NUM> bytes"),
        "{out}"
    );
    assert!(alerts[0].contains(&format!("since {}", ts(3600))), "{out}");
    // 2160 + 2166 lines held, 1 appended: each read once.
    assert!(out.contains("\n4,327 events · 2 sources"), "{out}");
}

/// Lines are read across rotation (rename + recreate) and truncation; `.gz` and `.zst` files
/// are read once.
#[test]
fn follow_survives_rotation_and_truncation() {
    let dir = TestDir::new();
    let log = dir.path("app.log");
    let old_gz = dir.write("app.log.2.gz", &common::gzip(b"old one\nold two\n"));
    let old_zst = dir.write(
        "app.log.3.zst",
        &common::compress("zst", b"older one\nolder two\nolder three\n"),
    );
    append(&log, "first a\nfirst b\n");
    let (out_path, err_path) = (dir.path("stdout.txt"), dir.path("stderr.txt"));
    let mut child = spawn_watch(
        &["-F", path_str(&log), path_str(&old_gz), path_str(&old_zst)],
        &out_path,
        &err_path,
    );
    // Polling needs time to see each change; the markers in stderr say when it did.
    std::thread::sleep(Duration::from_millis(600));
    append(&log, "second c\n");
    std::thread::sleep(Duration::from_millis(600));
    std::fs::rename(&log, dir.path("app.log.1")).expect("rotate");
    append(&dir.path("app.log.1"), "late in old file\n");
    append(&log, "after rotation d\n");
    wait_for(&err_path, "rotated");
    std::thread::sleep(Duration::from_millis(600));
    std::fs::write(&log, "t\n").expect("truncate");
    wait_for(&err_path, "truncated");
    // A last line without its newline is read at Ctrl-C too (a writer's last words).
    append(&log, "last words");
    std::thread::sleep(Duration::from_millis(600));
    interrupt(&child);
    let status = child.wait().expect("wait");
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(status.success(), "{err}");
    assert!(err.contains("rotated"), "{err}");
    assert!(err.contains("truncated"), "{err}");
    assert!(out.contains("interrupted"), "{out}");
    // 2 + 1 + 1 + 1 + 1 + 1 followed lines, 2 from the gz and 3 from the zst: each once.
    assert!(out.contains("\n12 events · 3 sources"), "{out}");
}

/// Requests every 10 s from `from` for `minutes`, and from `error_from` seconds on the disk
/// filling up every 30 s.
fn disk_full_log(from: i64, minutes: i64, error_from: i64) -> String {
    let mut s = String::new();
    for t in (0..minutes * 60).step_by(10) {
        s.push_str(&format!("{} INFO request handled in 12ms\n", ts(from + t)));
        if t >= error_from && t % 30 == 0 {
            s.push_str(&format!("{} ERROR disk full on /var\n", ts(from + t + 1)));
        }
    }
    s
}

#[test]
fn snapshot_is_written_and_reads_back_as_baseline() {
    let dir = TestDir::new();
    let snap = dir.path("state.json");
    // Yesterday: two hours with the error all along. 720 requests, 240 errors.
    let yesterday = disk_full_log(-86_400, 120, 0);
    let o = run(
        &["watch", "--plain", "--snapshot", path_str(&snap)],
        Some(yesterday.as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (sum, _) = faultline::snapshot::read(&snap).expect("snapshot reads back");
    assert_eq!(sum.events, 960);
    let disk: Vec<_> = sum
        .sigs
        .iter()
        .filter(|s| s.sig.contains("disk full on"))
        .collect();
    assert_eq!(disk.len(), 1, "{:?}", sum.sigs);
    assert_eq!(disk[0].count, 240);
    // Today the error starts after the warm-up: news without a baseline...
    let today = disk_full_log(0, 30, 15 * 60);
    let o = run(&["watch", "--plain"], Some(today.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts = alert_lines(&out);
    assert_eq!(alerts.len(), 1, "{out}");
    assert!(
        alerts[0].contains("new_error") && alerts[0].contains("disk full on"),
        "{out}"
    );
    // ...known against yesterday's snapshot, or yesterday's log itself.
    let logs = dir.write("yesterday.log", yesterday.as_bytes());
    for base in [&snap, &logs] {
        let o = run(
            &["watch", "--plain", "--baseline", path_str(base)],
            Some(today.as_bytes()),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert_eq!(alert_lines(&out), Vec::<&str>::new(), "{base:?}: {out}");
        assert!(out.contains("\n210 events"), "{out}");
    }
}

#[test]
fn baseline_makes_known_errors_not_new_and_alerts_without_warmup() {
    let dir = TestDir::new();
    let mut base = String::new();
    // Two hours of yesterday: long enough that a never-seen error is news at once.
    for s in (0..7200).step_by(30) {
        base.push_str(&format!("{} ERROR db replica timed out\n", ts(s - 86_400)));
    }
    let b = dir.write("yesterday.log", base.as_bytes());
    let mut live = String::new();
    for s in (0..600).step_by(20) {
        live.push_str(&format!("{} ERROR db replica timed out\n", ts(s)));
        live.push_str(&format!(
            "{} ERROR brand new failure in checkout\n",
            ts(s + 5)
        ));
    }
    let o = run(
        &["watch", "--plain", "--baseline", path_str(&b)],
        Some(live.as_bytes()),
    );
    let out = stdout(&o);
    let alerts = alert_lines(&out);
    assert_eq!(alerts.len(), 1, "{out}");
    assert!(
        alerts[0].contains("new_error") && alerts[0].contains("brand new failure"),
        "{out}"
    );
    // Against the baseline there is no warm-up: alerted within a minute.
    let t: jiff::Timestamp = alerts[0]
        .split(' ')
        .next()
        .unwrap_or("")
        .parse()
        .expect("time");
    assert!(t.as_second() - T0 <= 60, "{}", alerts[0]);
}

#[test]
fn bad_flags_exit_2() {
    // Each error names the flag, and the bad value or what is accepted instead.
    for (flag, value, says) in [
        ("--warmup", "soon", "soon"),
        ("--output", "html", "--output html is not"),
        ("--output", "markdown", "table or json"),
    ] {
        let o = run(&["watch", flag, value], None);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        let err = stderr(&o);
        assert!(
            err.contains(flag) && err.contains(says),
            "{flag} {value}: {err}"
        );
    }
}

#[test]
fn compressed_stdin_is_decompressed_and_binary_refused() {
    let data = "2026-11-27T10:00:00Z INFO one\n2026-11-27T10:00:01Z ERROR two\n";
    for ext in ["gz", "zst", "xz", "bz2"] {
        let o = run(
            &["watch", "--plain"],
            Some(&common::compress(ext, data.as_bytes())),
        );
        assert!(o.status.success(), "{ext}: {}", stderr(&o));
        assert!(stdout(&o).contains("\n2 events"), "{ext}: {}", stdout(&o));
    }
    // (Binary all through: a run of NULs at the start only is a hole before lines.)
    let mut bin: Vec<u8> = (0..4096).map(|i| (i * 7 % 256) as u8).collect();
    bin.extend_from_slice(b"\x01\x02 not text\n");
    let o = run(&["watch", "--plain"], Some(&bin));
    assert!(o.status.success());
    assert!(stderr(&o).contains("binary data"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("not text"), "{}", stdout(&o));
}

#[test]
fn a_generic_stack_trace_alert_names_its_exception() {
    let mut log = String::new();
    for s in (0..20 * 60).step_by(2) {
        log.push_str(&format!("{} INFO request handled in 12ms\n", ts(s)));
        if s >= 12 * 60 && s % 20 == 0 {
            log.push_str(&format!(
                "{} ERROR Request failed\njava.sql.SQLTimeoutException: query timed out after 30000 ms\n\tat com.acme.orders.Repo.find(Repo.java:41)\n\tat com.acme.orders.Api.get(Api.java:12)\n",
                ts(s)
            ));
        }
    }
    let o = run(&["watch", "--plain"], Some(log.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts = alert_lines(&out);
    assert!(
        alerts.iter().any(|a| a.contains(
            " START new_error medium New error: Request failed — SQLTimeoutException: query timed out after <NUM> ms |"
        )),
        "{out}"
    );
}

#[test]
fn utf16_and_bare_cr_on_stdin_read_as_their_lines() {
    let data = incident_jsonl();
    let want = run(&["watch", "--plain"], Some(data.as_bytes()));
    assert!(want.status.success(), "{}", stderr(&want));
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(data.encode_utf16().flat_map(u16::to_le_bytes));
    let cr = data.replace('\n', "\r");
    for (name, input) in [("UTF-16", utf16), ("CR", cr.into_bytes())] {
        let o = run(&["watch", "--plain"], Some(&input));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), stdout(&want), "{name}");
        assert_eq!(alert_lines(&stdout(&o)).len(), 3, "{name}");
    }
}

/// Evidence must belong to the alert: every template alert's example contains the literal
/// words of its template. The bundled log has multi-line stack traces, which once shifted
/// the signature attached to each event in live mode.
#[test]
fn alert_examples_belong_to_their_template() {
    let log = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/example/incident/app.log"
    ))
    .expect("bundled example");
    let o = run(&["watch", "-o", "json"], Some(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    let mut checked = 0;
    for line in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON alert line");
        if v.get("alert").is_none() {
            continue;
        }
        let (Some(template), Some(example)) = (
            v["template"].as_str(),
            v["examples"].get(0).and_then(|e| e["text"].as_str()),
        ) else {
            continue;
        };
        // Literal words of the template's first line (placeholders and fingerprints left out).
        let head = template.split(" [exc=").next().unwrap_or(template);
        for w in head
            .split_whitespace()
            .filter(|w| !w.contains('<') && w.len() >= 4)
        {
            assert!(
                example.contains(w),
                "alert {template:?} has example {example:?}"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} template alerts checked:\n{}",
        stdout(&o)
    );
}

/// The "start" alerts among `watch -o json` output lines.
fn start_alerts(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["alert"] == "start")
        .collect()
}

/// A directory of logs (the bundled incident day: access, JSON, app and router logs) is read
/// side by side in event time, not one file after the other (which would leave every file
/// but the first hours behind the clock, too late for live detection): every injected
/// incident is alerted, the dense ones within two to three minutes of onset, in time order, nothing
/// before the first; and the report at the end has the findings `faultline summary` has.
#[test]
fn directory_is_watched_in_event_time_across_files() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = format!("{root}/testdata/example/incident");
    let o = run(&["watch", "-o", "json", &dir], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts = start_alerts(&out);
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let out: String = alerts
        .iter()
        .map(|a| format!("{} {} {}\n", s(&a["at"]), s(&a["kind"]), s(&a["title"])))
        .collect();
    let secs = |v: &serde_json::Value| {
        s(v).parse::<jiff::Timestamp>()
            .map(|t| t.as_second())
            .unwrap_or_else(|e| panic!("bad time {v}: {e}"))
    };
    let onset = |t: &str| secs(&serde_json::Value::String(t.to_string()));
    let first = |what: &dyn Fn(&serde_json::Value) -> bool| {
        alerts
            .iter()
            .find(|a| what(a))
            .map(|a| secs(&a["at"]))
            .unwrap_or_else(|| panic!("not alerted:\n{out}"))
    };
    let npe = first(&|a| a["kind"] == "new_error" && s(&a["template"]).contains("NullPointer"));
    let replica =
        first(&|a| a["kind"] == "spike" && s(&a["template"]).starts_with("Connection to"));
    let rate = first(&|a| a["kind"] == "rate_limited" && a["upstream"] == "api.shipfast.example");
    let route = first(&|a| a["kind"] == "failing_route" && a["route"] == "POST /api/v1/checkout");
    let timeout = first(&|a| {
        a["kind"] == "upstream_timeout" && a["upstream"] == "payments.stripe-like.example"
    });
    for (at, on, slack) in [
        (npe, "2026-11-27T01:12:17Z", 120),
        (replica, "2026-11-27T02:15:17Z", 900),
        (rate, "2026-11-27T03:05:17Z", 120),
        (route, "2026-11-27T03:54:17Z", 240),
        (timeout, "2026-11-27T04:48:17Z", 180),
    ] {
        let d = at - onset(on);
        assert!(
            (0..=slack).contains(&d),
            "{on}: alerted {d} s after onset\n{out}"
        );
    }
    let times: Vec<i64> = alerts.iter().map(|a| secs(&a["at"])).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{out}");
    assert!(times[0] >= onset("2026-11-27T01:12:17Z"), "{out}");
    // The end-of-input report: the same findings as the batch command's.
    let findings = |doc: &serde_json::Value| -> Vec<(String, String, u64)> {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    s(&f["kind"]),
                    s(&f["title"]),
                    f["count"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    let b = run(&["summary", "-q", "-o", "json", &dir], None);
    assert!(b.status.success(), "{}", stderr(&b));
    let batch = findings(&serde_json::from_str(&stdout(&b)).expect("summary JSON"));
    let last: serde_json::Value = stdout(&o)
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .expect("report line");
    let live = findings(&last["summary"]);
    assert!(!batch.is_empty());
    assert_eq!(live, batch);
    // And the whole report is the batch one: examples are the earliest events whatever the
    // order files are read in, every number printed as computed.
    let batch_doc: serde_json::Value = serde_json::from_str(&stdout(&b)).expect("summary JSON");
    assert_eq!(last["summary"], batch_doc);
}

/// A garbled stamp at the very end of year 9999 before a normal line: no event has such a
/// time, so the line is an event without one; the stream ends and the report's time range is
/// the real line's.
#[test]
fn a_year_9999_stamp_is_no_time() {
    let data = "9999-12-31T23:59:59Z\n2026-11-27T10:00:00Z ERROR x\n";
    let o = run(&["watch", "--plain"], Some(data.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("2 events · 1 source · 2026-11-27T10:00:00Z → 10:00:00Z"),
        "{out}"
    );
    assert!(out.contains("1 without time"), "{out}");
}

/// An access stream whose lines name the upstream serving each request (Envoy's upstream
/// host, as Nginx's `upstream_addr`): a route's 5xx is the route's failure, as in the batch
/// endpoint table, not a failure of the one backend every request goes to.
#[test]
fn failing_route_behind_a_named_upstream_is_the_routes_alert() {
    let mut log = String::new();
    for i in 0..3600 {
        let s = i64::from(i);
        let (method, path) = match i % 4 {
            0 => ("GET", format!("/api/v1/orders/{}", 1000 + i % 97)),
            1 => ("GET", "/api/v1/cart".to_string()),
            2 => ("POST", "/api/v1/checkout".to_string()),
            _ => ("GET", "/healthz".to_string()),
        };
        let failing = path == "/api/v1/checkout" && s >= 40 * 60 && i % 8 == 2;
        let (status, flags, ms) = if failing {
            (503, "UT", 30000)
        } else {
            (200, "-", 12)
        };
        log.push_str(&format!(
            "[{}] \"{method} {path} HTTP/1.1\" {status} {flags} 0 91 {ms} - \"-\" \"okhttp/4\" \"r{i}\" \"shop:8080\" \"10.0.0.3:8080\"\n",
            ts(s)
        ));
    }
    let starts = route_alert_starts(&log, "POST /api/v1/checkout");
    assert!(
        !starts.iter().any(|a| a["kind"] == "upstream_failure"),
        "{starts:?}"
    );
}

/// The start alerts of `watch -o json` on `log`, which include a failing-route alert for
/// `route`.
fn route_alert_starts(log: &str, route: &str) -> Vec<serde_json::Value> {
    let o = run(&["watch", "-o", "json"], Some(log.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let starts = start_alerts(&stdout(&o));
    let kinds: Vec<String> = starts
        .iter()
        .map(|a| format!("{} {}", a["kind"], a["title"]))
        .collect();
    assert!(
        starts
            .iter()
            .any(|a| a["kind"] == "failing_route" && a["route"] == route),
        "no failing-route alert for {route}: {kinds:?}"
    );
    starts
}

/// A Rails log without lograge: the route is in `Started`, the status in `Completed`, paired
/// by the request-id tag as the endpoint table pairs them, so a failing route alerts live.
#[test]
fn rails_started_and_completed_make_a_live_route_alert() {
    let mut log = String::new();
    for i in 0..3600 {
        let s = i64::from(i);
        let stamp = ts(s);
        let stamp = stamp.trim_end_matches('Z');
        let id = format!("{i:08x}-c555-4cba-995f-69777afcd35b");
        let path = if i % 2 == 0 { "/orders/42" } else { "/cart" };
        let failing = path == "/orders/42" && s >= 40 * 60;
        log.push_str(&format!(
            "I, [{stamp}.000000 #41]  INFO -- : [{id}] Started GET \"{path}\" for 10.0.0.7 at {stamp}\n"
        ));
        let done = if failing {
            "Completed 500 Internal Server Error in 5003ms (ActiveRecord: 0.0ms)"
        } else {
            "Completed 200 OK in 12ms (Views: 3.1ms)"
        };
        log.push_str(&format!(
            "I, [{stamp}.500000 #41]  INFO -- : [{id}] {done}\n"
        ));
        if failing {
            log.push_str(&format!(
                "F, [{stamp}.600000 #41] FATAL -- : [{id}]   \n[{id}] ActiveRecord::ConnectionTimeoutError (could not obtain a connection):\n[{id}]   \n[{id}] app/models/order.rb:42:in `find'\n"
            ));
        }
    }
    let starts = route_alert_starts(&log, "GET /orders/{id}");
    // The exception's alert shows the report from its first line with text (the header's
    // message is blank), as the summary's examples do.
    let new = starts
        .iter()
        .find(|a| a["kind"] == "new_error")
        .unwrap_or_else(|| panic!("no new-error alert: {starts:?}"));
    let text = new["examples"][0]["text"].as_str().unwrap_or("");
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.contains("ActiveRecord::ConnectionTimeoutError ("),
        "{new}"
    );
}

/// The start alert of the new error "order mapper failed" in `watch --plain` of `data`.
fn order_mapper_alert(data: &str) -> String {
    let o = run(
        &["watch", "--plain", "--warmup", "1m"],
        Some(data.as_bytes()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    alert_lines(&out)
        .into_iter()
        .find(|a| a.contains("New error: order mapper failed"))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string()
}

/// A new error's alert names the deploy it followed: the first event with a new value of a
/// version field (a JSON service's `version`), as the batch finding does.
#[test]
fn a_new_errors_alert_names_the_version_it_followed() {
    let mut data = String::new();
    for s in 0..1200 {
        let v = if s < 600 { "1.4.2" } else { "1.5.0" };
        data.push_str(&format!(
            "{{\"ts\":\"{}\",\"level\":\"info\",\"msg\":\"request handled\",\"version\":\"{v}\"}}\n",
            ts(s)
        ));
        if s >= 640 && s % 20 == 0 {
            data.push_str(&format!(
                "{{\"ts\":\"{}\",\"level\":\"error\",\"msg\":\"order mapper failed\",\"version\":\"{v}\"}}\n",
                ts(s)
            ));
        }
    }
    let new = order_mapper_alert(&data);
    assert!(
        new.contains(" | first seen 40s after version=1.5.0 (was 1.4.2) | "),
        "{new}"
    );
}

/// A one-off line that names a change (a deploy written as text) is a new error's lead in
/// its alert too.
#[test]
fn a_new_errors_alert_names_the_deploy_line_it_followed() {
    let mut data = String::new();
    for s in 0..1200 {
        data.push_str(&format!("{} INFO request handled in {}ms\n", ts(s), s % 50));
        if s == 600 {
            data.push_str(&format!(
                "{} INFO Deploying version 2.0.0 (build 77)\n",
                ts(s)
            ));
        }
        if s >= 650 && s % 20 == 10 {
            data.push_str(&format!("{} ERROR order mapper failed\n", ts(s)));
        }
    }
    let new = order_mapper_alert(&data);
    assert!(
        new.contains(" | first seen 50s after -:602: ")
            && new.contains("INFO Deploying version 2.0.0 (build 77) | "),
        "{new}"
    );
}

/// Messy input piped in: the report at the end and the notices on stderr are those of
/// `faultline summary` on the same pipe (a truncated gzip stream, an empty pipe, binary data,
/// a last line without its newline).
#[test]
fn messy_stdin_reports_as_batch() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/messy");
    for name in [
        "truncated.log.gz",
        "empty.log",
        "binary.bin",
        "crlf.log",
        "invalid_utf8.log",
    ] {
        let mut data = std::fs::read(root.join(name)).expect("fixture");
        // Both stop reading binary data after its first bytes: less than a pipe holds.
        if name == "binary.bin" {
            data.truncate(16 << 10);
        }
        let batch = run(&["summary", "-o", "json"], Some(&data));
        let live = run(&["watch", "-o", "json"], Some(&data));
        assert_eq!(batch.status.code(), live.status.code(), "{name}");
        let batch_doc: serde_json::Value =
            serde_json::from_str(&stdout(&batch)).expect("summary JSON");
        let out = stdout(&live);
        let last: serde_json::Value = out
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .rfind(|v| v.get("summary").is_some())
            .expect("final summary object");
        assert_eq!(last["summary"], batch_doc, "{name}");
        // Every notice the batch command prints, watch prints too, in the same words.
        let live_err = stderr(&live);
        for line in stderr(&batch).lines().filter(|l| l.contains(": -: ")) {
            assert!(
                live_err.contains(line),
                "{name}: {line:?} not in {live_err}"
            );
        }
    }
}

/// `-F` on a directory: its files are read once, and a note says so and how to follow them.
#[test]
fn follow_of_a_directory_says_it_reads_it_once() {
    let dir = TestDir::new();
    let _ = dir.write("logs/app.log", b"2026-11-27T10:00:00Z INFO one\n");
    let logs = dir.path("logs");
    let o = run(&["watch", "--plain", "-F", path_str(&logs)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read once, not followed"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("\n1 events"), "{}", stdout(&o));
}

/// `docker stop`, `kubectl delete pod` and `timeout` send SIGTERM (a closed terminal SIGHUP):
/// the watch ends as on Ctrl-C, with the report and the snapshot. A snapshot path that
/// cannot be written is refused at the start, not found out when the day's state is lost.
#[test]
fn sigterm_and_sighup_end_with_the_report_and_the_snapshot() {
    let dir = TestDir::new();
    let log = dir.path("app.log");
    append(&log, &disk_full_log(0, 10, 0));
    for (sig, name) in [(libc::SIGTERM, "term"), (libc::SIGHUP, "hup")] {
        let snap = dir.path(&format!("{name}.flt"));
        let (out_path, err_path) = (
            dir.path(&format!("{name}.out")),
            dir.path(&format!("{name}.err")),
        );
        let mut child = spawn_watch(
            &["-F", path_str(&log), "--snapshot", path_str(&snap)],
            &out_path,
            &err_path,
        );
        std::thread::sleep(Duration::from_millis(800));
        // SAFETY: kill(2) with a valid pid of our own child has no memory effects.
        unsafe {
            libc::kill(child.id() as libc::pid_t, sig);
        }
        let status = child.wait().expect("wait");
        let out = std::fs::read_to_string(&out_path).unwrap_or_default();
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        assert!(status.success(), "{name}: {status:?} {err}");
        assert!(out.contains("interrupted"), "{name}: {out}");
        let (sum, _) = faultline::snapshot::read(&snap).expect("snapshot written");
        assert_eq!(sum.events, 80, "{name}");
    }
    let missing = dir.path("no/such/dir/state.flt");
    let o = run(
        &["watch", "--plain", "--snapshot", path_str(&missing)],
        Some(b"x\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("cannot write snapshot"), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

/// A compressed stream or an archive piped into `watch` is unpacked as `summary` unpacks it
/// (compressed bytes were taken for bare-CR text, a tar for binary data), and the end
/// report says the same.
#[test]
fn compressed_and_archived_stdin_is_unpacked() {
    let mut log = String::new();
    for i in 0..600 {
        log.push_str(&format!("{} INFO request {} done\n", ts(i), i * 7));
    }
    let mut t = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(log.len() as u64);
    h.set_mode(0o644);
    t.append_data(&mut h, "app.log", log.as_bytes())
        .expect("tar");
    let tarball = t.into_inner().expect("tar");
    for (what, data) in [
        ("gzip", common::gzip(log.as_bytes())),
        ("tar", tarball.clone()),
        ("tgz", common::gzip(&tarball)),
    ] {
        let live = run(&["watch", "--plain"], Some(&data));
        assert!(live.status.success(), "{what}: {}", stderr(&live));
        let out = stdout(&live);
        let report = out
            .split_once("report of everything seen ──\n")
            .map(|x| x.1)
            .unwrap_or_else(|| panic!("{what}: no report marker in {out}"));
        assert!(report.contains("600 events"), "{what}: {report}");
        assert!(
            !stderr(&live).contains("binary"),
            "{what}: {}",
            stderr(&live)
        );
        let batch = run(&["summary"], Some(&data));
        assert_eq!(report, stdout(&batch), "{what}");
    }
}
