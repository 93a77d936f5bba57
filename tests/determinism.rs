//! Same input, same output: for any thread count and any chunk size.

mod common;

use common::*;
use proptest::prelude::*;

fn fixture() -> String {
    let mut s = String::new();
    for i in 0..400 {
        s.push_str(&format!(
            "2026-11-27 10:{:02}:{:02},123 INFO [main] c.a.Svc - handled request {i} in {}ms\n",
            i / 60 % 60,
            i % 60,
            i % 17
        ));
        if i % 37 == 0 {
            s.push_str(&format!(
                "2026-11-27 10:{:02}:{:02},500 ERROR [main] c.a.Svc - failed order {i}\n",
                i / 60 % 60,
                i % 60
            ));
            s.push_str("java.lang.IllegalStateException: boom\n\tat c.a.Svc.run(Svc.java:10)\n\tat c.a.Main.main(Main.java:3)\nCaused by: java.io.IOException: io\n\t... 2 more\n");
        }
    }
    s
}

#[test]
fn events_identical_for_threads_and_chunk_sizes() {
    let t = TestDir::new();
    let p = t.write("app.log", fixture().as_bytes());
    let base = run(&["events", "--threads", "1", path_str(&p)], None);
    assert!(base.status.success());
    assert!(!base.stdout.is_empty());
    for (threads, chunk) in [("2", "2097152"), ("8", "7"), ("3", "100"), ("1", "4096")] {
        let o = run(
            &[
                "events",
                "--threads",
                threads,
                "--chunk-size",
                chunk,
                path_str(&p),
            ],
            None,
        );
        assert!(
            o.stdout == base.stdout,
            "events differ with --threads {threads} --chunk-size {chunk}"
        );
    }
}

#[test]
fn templates_identical_for_threads_and_chunk_sizes() {
    let t = TestDir::new();
    let p = t.write("app.log", fixture().as_bytes());
    for args in [
        vec!["templates", "--output", "json"],
        vec!["templates", "--per-line"],
    ] {
        let mut a = args.clone();
        a.extend(["--threads", "1", path_str(&p)]);
        let base = run(&a, None);
        assert!(base.status.success());
        assert!(!base.stdout.is_empty(), "{args:?}: no output");
        for (threads, chunk) in [("2", "64"), ("4", "9"), ("2", "1000000")] {
            let mut a = args.clone();
            a.extend(["--threads", threads, "--chunk-size", chunk, path_str(&p)]);
            let o = run(&a, None);
            assert!(
                o.stdout == base.stdout,
                "{args:?} differ with --threads {threads} --chunk-size {chunk}"
            );
        }
    }
}

#[test]
fn summary_identical_for_file_order_threads_and_chunk_sizes() {
    // Four logs of one incident, given in different orders: the report (findings, their
    // examples and the event before each first occurrence, templates, routes, upstreams) is
    // the same; only the list of sources follows the command line.
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = format!("{root}/testdata/example/incident");
    let f = |n: &str| format!("{dir}/{n}");
    let (app, api, access, router) = (
        f("app.log"),
        f("api.jsonl"),
        f("access.log"),
        f("router.log"),
    );
    let (app, api, access, router) = (app.as_str(), api.as_str(), access.as_str(), router.as_str());
    let report = |files: [&str; 4], threads: &str, chunk: &str| {
        let mut a = vec![
            "summary",
            "-q",
            "-o",
            "json",
            "--threads",
            threads,
            "--chunk-size",
            chunk,
        ];
        a.extend(files);
        let o = run(&a, None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("summary JSON");
        v["overview"]["sources"] = serde_json::Value::Null;
        v
    };
    let base = report([app, api, access, router], "1", "4194304");
    assert!(
        base["findings"].as_array().is_some_and(|f| f.len() >= 4),
        "{base}"
    );
    for (files, threads, chunk) in [
        ([router, access, api, app], "2", "4194304"),
        ([api, router, app, access], "2", "65536"),
        ([access, app, router, api], "3", "1000"),
    ] {
        let o = report(files, threads, chunk);
        for k in [
            "headline",
            "findings",
            "templates",
            "endpoints",
            "upstreams",
            "overview",
        ] {
            assert_eq!(
                o[k], base[k],
                "{k} differs for {files:?}, --threads {threads} --chunk-size {chunk}"
            );
        }
        assert_eq!(o, base);
    }
}

/// In-process: the chunker + parser give the same events for every chunk size, on random
/// mixes of header lines, continuation lines, blank lines, CRLF and long lines.
fn events_with_chunk_size(data: &[u8], chunk_size: usize) -> Vec<(u64, u32, Vec<u8>)> {
    use faultline::input::{read_inputs, InputConfig};
    use faultline::record::{parse_chunk, Format, ParseConfig};
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("x.log");
    std::fs::write(&p, data).expect("write");
    let cfg = InputConfig {
        paths: vec![p],
        chunk_size,
        max_line: 200,
        parse: ParseConfig {
            format: Some(Format::Plain),
            ..ParseConfig::default()
        },
        ..InputConfig::default()
    };
    let mut out = Vec::new();
    let parse = cfg.parse.clone();
    read_inputs(&cfg, &mut |chunk| {
        parse_chunk(
            &chunk.data,
            chunk.first_line,
            chunk.source.format,
            chunk.w3c.as_deref(),
            &parse,
            &mut |ev| {
                out.push((ev.line, ev.lines, ev.raw.to_vec()));
            },
        );
        true
    });
    out
}

/// Short lines are cut into chunks of at most `MAX_CHUNK_LINES` lines (not only by bytes),
/// at an event start: the events are the same as with chunks cut by size alone.
#[test]
fn chunks_of_short_lines_are_cut_by_line_count_with_the_same_events() {
    use faultline::input::{read_inputs, InputConfig, MAX_CHUNK_LINES};
    use faultline::record::{Format, ParseConfig};
    let mut text = String::new();
    for i in 0..100_000 {
        if i % 7 == 3 {
            text.push_str("\tat x.Y(Z.java:1)\n");
        } else {
            text.push_str(&format!("2026-01-01 00:00:00 INFO m{i}\n"));
        }
    }
    // By size alone, 1 MiB would hold about 40,000 of these lines.
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("x.log");
    std::fs::write(&p, &text).expect("write");
    let cfg = InputConfig {
        paths: vec![p],
        chunk_size: 1 << 20,
        parse: ParseConfig {
            format: Some(Format::Plain),
            ..ParseConfig::default()
        },
        ..InputConfig::default()
    };
    let mut lines_per_chunk = Vec::new();
    read_inputs(&cfg, &mut |chunk| {
        lines_per_chunk.push(memchr_count(&chunk.data));
        true
    });
    assert!(lines_per_chunk.len() >= 4, "{lines_per_chunk:?}");
    assert!(
        lines_per_chunk.iter().all(|&n| n <= MAX_CHUNK_LINES),
        "{lines_per_chunk:?}"
    );
    assert_eq!(lines_per_chunk.iter().sum::<usize>(), 100_000);
    let whole = events_with_chunk_size(text.as_bytes(), 1 << 20);
    assert_eq!(whole.len(), (0..100_000).filter(|i| i % 7 != 3).count());
    assert_eq!(whole, events_with_chunk_size(text.as_bytes(), 4096));
}

fn memchr_count(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count()
}

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z ]{0,30}".prop_map(|s| format!("2026-01-01 00:00:00 INFO {s}")),
        2 => "[a-z.]{1,20}".prop_map(|s| format!("\tat {s}(X.java:1)")),
        1 => Just("Caused by: java.lang.Exception: x".to_string()),
        1 => Just("\t... 3 more".to_string()),
        1 => Just(String::new()),
        1 => "[a-z]{0,10}".prop_map(|s| format!("  indented {s}\r")),
        1 => Just("y".repeat(450)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn chunking_never_changes_events(lines in proptest::collection::vec(line_strategy(), 1..60), chunk in 1usize..300, trailing_nl in any::<bool>()) {
        let mut text = lines.join("\n");
        if trailing_nl {
            text.push('\n');
        }
        let whole = events_with_chunk_size(text.as_bytes(), 1 << 20);
        let cut = events_with_chunk_size(text.as_bytes(), chunk);
        prop_assert_eq!(whole, cut);
    }
}

/// A service's log with crash output that carries no timestamp (a Go panic and its
/// goroutine dump, then the restart), and a JSON log with stray plain lines: the untimed
/// events take the time of the timed event before them in their source, across chunk
/// boundaries too, so the report is the same for any chunk size and thread count, and the
/// crashes are a finding placed where they happened.
#[test]
fn untimed_crash_output_follows_the_time_before_it_for_any_chunking() {
    let dir = TestDir::new();
    let mut go = String::new();
    let mut json = String::new();
    let mut crashes = 0;
    for s in (0..3600).step_by(2) {
        let ts = format!("2026-11-27T03:{:02}:{:02}.000Z", s / 60, s % 60);
        go.push_str(&format!(
            "{ts} INFO handled request path=/api/v1/items/{} status=200\n",
            s % 97
        ));
        json.push_str(&format!(
            "{{\"ts\":\"{ts}\",\"level\":\"info\",\"msg\":\"tick {}\"}}\n",
            s % 7
        ));
        if s >= 2400 && s % 240 == 0 {
            crashes += 1;
            go.push_str(
                "panic: runtime error: invalid memory address or nil pointer dereference\n\
                 [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a3b2c]\n\n\
                 goroutine 42 [running]:\n\
                 main.(*OrderService).Checkout(0x0, 0xc000123456)\n\
                 \t/app/orders/service.go:118 +0x2c\n",
            );
            go.push_str(&format!("{ts} INFO starting server version=1.4.2\n"));
            json.push_str("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n");
        }
    }
    let go = dir.write("svc.log", go.as_bytes());
    let json = dir.write("api.jsonl", json.as_bytes());
    let report = |threads: &str, chunk: &str| {
        let o = run(
            &[
                "summary",
                "-q",
                "-o",
                "json",
                "--threads",
                threads,
                "--chunk-size",
                chunk,
                path_str(&go),
                path_str(&json),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("summary JSON")
    };
    let base = report("1", "4194304");
    assert_eq!(
        base["overview"]["time_inherited_events"],
        2 * crashes,
        "{}",
        base["overview"]
    );
    assert_eq!(base["overview"]["untimed_events"], 0);
    let findings = base["findings"].as_array().expect("findings");
    // A finding, or one told under another as the same incident (both crash at once).
    let mut all: Vec<&serde_json::Value> = findings.iter().collect();
    for f in findings {
        all.extend(f["details"]["related"].as_array().into_iter().flatten());
    }
    for needle in ["invalid memory address", "heap out of memory"] {
        let f = all
            .iter()
            .find(|f| f["title"].as_str().is_some_and(|t| t.contains(needle)))
            .unwrap_or_else(|| panic!("no finding for {needle}: {findings:#?}"));
        assert_eq!(f["kind"], "new_error", "{f:#}");
        assert_eq!(f["count"], crashes, "{f:#}");
        // The first crash follows the request logged at 03:40:00 (the related findings
        // keep the detector's epoch milliseconds).
        assert!(
            f["start"] == "2026-11-27T03:40:00Z" || f["start"] == 1_795_750_800_000i64,
            "{f:#}"
        );
    }
    for (threads, chunk) in [("2", "7"), ("3", "100"), ("2", "4096"), ("1", "65536")] {
        assert_eq!(
            report(threads, chunk),
            base,
            "differs with --threads {threads} --chunk-size {chunk}"
        );
    }
}

/// Times of day without a date are dated from the timed event before them, whatever gave
/// that event its time (an epoch number, a full date) and wherever the chunks are cut: a
/// line whose stamp was not taken (`I1127 …` that is no glog header) dates nothing, and an
/// epoch-stamped line moves the day as a dated one does (found by fuzzing: both used to
/// date the times of day after them differently inside a chunk than across a cut).
#[test]
fn times_of_day_are_dated_the_same_for_any_chunking() {
    let dir = TestDir::new();
    let mut log = String::new();
    for i in 0..400u64 {
        let h = (i / 20) % 24;
        log.push_str(&format!(
            "{h:02}:{:02}:00 ERROR payment {i} declined\n",
            i % 60
        ));
        match i % 7 {
            0 => log.push_str("I1127 01:02:03.123456 not a glog header\n"),
            // 2025-11-27T01:02:03.123Z, as epoch milliseconds.
            3 => log.push_str("ts=1764205323123 level=error msg=\"upstream failed\"\n"),
            5 => log.push_str("2026-11-30 23:59:00 WARN full stamp\n"),
            _ => {}
        }
    }
    let mixed = dir.write("tod.log", log.as_bytes());
    let short = dir.write(
        "short.log",
        b"10:00:00 ERROR a\nts=1764205323123 level=error msg=\"up\"\n10:05:00 ERROR b\n",
    );
    let events = |p: &std::path::Path, chunk: &str| {
        let o = run(
            &["events", "-q", "-j1", "--chunk-size", chunk, path_str(p)],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    // After the epoch stamp, the next time of day is on its day.
    let base = events(&short, "4194304");
    assert!(base.contains("\"time\":\"2025-11-27T10:05:00"), "{base}");
    for chunk in ["10", "30", "60"] {
        assert_eq!(
            events(&short, chunk),
            base,
            "short.log, --chunk-size {chunk}"
        );
    }
    let base = events(&mixed, "4194304");
    for chunk in ["10", "100", "1000", "4099"] {
        assert_eq!(events(&mixed, chunk), base, "tod.log, --chunk-size {chunk}");
    }
}
