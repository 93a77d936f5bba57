//! Runs `faultline events` on the fixtures in `testdata/formats/` and checks the parsed fields,
//! and checks that events do not depend on the chunk size (the chunker cuts only between
//! events, using the same joining rule as the parser).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/formats")
        .join(name)
}

/// Runs `faultline events <args>` and returns stdout (panics with stderr on failure).
fn run_raw(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("events")
        .args(args)
        .output()
        .expect("run faultline");
    assert!(
        out.status.success(),
        "faultline events {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn events(args: &[&str]) -> Vec<Value> {
    run_raw(args)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Chunk boundaries never split an event: `path` gives `want` at small chunk sizes too.
fn same_at_any_chunk_size(path: &str, want: &[Value]) {
    for size in ["10", "100", "333"] {
        assert_eq!(
            events(&["--chunk-size", size, path]),
            want,
            "chunk size {size}"
        );
    }
}

/// (time, level, message) of each event.
fn time_level_message(ev: &[Value]) -> Vec<(&str, &str, &str)> {
    ev.iter()
        .map(|e| (s(e, "/time"), s(e, "/level"), s(e, "/message")))
        .collect()
}

fn events_of(name: &str) -> Vec<Value> {
    let path = fixture(name);
    events(&[path.to_str().expect("utf-8 path")])
}

/// A log written to a temporary directory, removed when this is dropped.
struct TempLog {
    _dir: tempfile::TempDir,
    path: String,
}

impl TempLog {
    fn new(name: &str, text: &str) -> TempLog {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        let path = p.to_str().expect("utf-8 path").to_string();
        TempLog { _dir: dir, path }
    }
}

/// The templates of `path` (`templates --output json`) that start with `prefix`.
fn templates_starting(path: &str, prefix: &str) -> Vec<String> {
    let out = faultline_out(&["templates", "--output", "json", path]);
    let v: Value = serde_json::from_str(&out).expect("json");
    v["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .filter_map(|t| t["template"].as_str())
        .filter(|t| t.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

fn s<'v>(v: &'v Value, ptr: &str) -> &'v str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_else(|| {
        panic!("no string at {ptr} in {v}");
    })
}

/// The string at `ptr`, or "" where there is none (a `null`).
fn s_or<'v>(v: &'v Value, ptr: &str) -> &'v str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, ptr: &str) -> f64 {
    v.pointer(ptr)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("no number at {ptr} in {v}"))
}

#[test]
fn java_trace_joins() {
    let ev = events_of("java.log");
    assert_eq!(ev.len(), 4);
    let e = &ev[1];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/time"), "2024-03-05T09:12:03.417Z");
    assert_eq!(s(e, "/logger"), "com.shop.checkout.CheckoutService");
    assert_eq!(n(e, "/lines"), 8.0);
    assert!(s(e, "/message").starts_with("Payment authorization failed for order 88123\n"));
    assert!(s(e, "/message").ends_with("\t... 12 more"));
    assert_eq!(n(&ev[2], "/line"), 10.0);
}

#[test]
fn python_go_dotnet_traces_join() {
    let ev = events_of("python.log");
    assert_eq!(ev.len(), 3);
    assert_eq!(n(&ev[1], "/lines"), 7.0);
    assert!(s(&ev[1], "/message").ends_with("ValueError: bad size -3"));
    assert_eq!(s(&ev[2], "/level"), "warn");

    let ev = events_of("go.log");
    let lines: Vec<f64> = ev
        .iter()
        .map(|e| e["lines"].as_f64().unwrap_or(1.0))
        .collect();
    assert_eq!(lines, vec![1.0, 11.0, 1.0]);
    assert_eq!(s(&ev[2], "/message"), "shutting down");

    let ev = events_of("dotnet.log");
    assert_eq!(ev.len(), 3);
    assert_eq!(n(&ev[1], "/lines"), 6.0);
    assert_eq!(s(&ev[1], "/level"), "error");
}

#[test]
fn gunicorn_and_flask_default_formats() {
    let ev = events_of("gunicorn_flask.log");
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(
        lines,
        [1.0, 2.0, 3.0, 4.0, 5.0, 12.0, 13.0, 14.0, 19.0, 20.0, 21.0]
    );
    // Gunicorn's `[stamp] [pid] [LEVEL] msg`.
    assert_eq!(s(&ev[0], "/message"), "Starting gunicorn 21.2.0");
    assert_eq!(s(&ev[6], "/level"), "fatal");
    // Flask's `[stamp] LEVEL in module: msg`: the module is the logger, the traceback joins.
    let flask = &ev[4];
    assert_eq!(s(flask, "/logger"), "app");
    assert_eq!(s(flask, "/level"), "error");
    assert_eq!(s(flask, "/time"), "2026-11-30T10:00:02.123Z");
    assert!(s(flask, "/message").starts_with("Exception on /api/orders/42 [GET]\nTraceback"));
    assert!(s(flask, "/message").ends_with("KeyError: 42"));
    // `in` and a word that is no module name followed by `:` stays in the message.
    assert!(ev[9]["logger"].is_null());
    assert_eq!(s(&ev[9], "/message"), "in payment processing: retry 2");
    assert_eq!(
        s(&ev[10], "/message"),
        "in orders.views: stays in the message"
    );
    // The access lines between them are requests.
    assert_eq!(n(&ev[5], "/http/status"), 500.0);
}

#[test]
fn json_fields() {
    let ev = events_of("json.log");
    assert_eq!(ev.len(), 6);
    let e = &ev[0];
    assert_eq!(s(e, "/time"), "2024-03-05T13:00:00.250Z");
    assert_eq!(s(e, "/message"), "request done");
    assert_eq!(s(e, "/logger"), "api");
    assert_eq!(s(e, "/trace_id"), "r-1");
    assert_eq!(s(e, "/http/method"), "GET");
    assert_eq!(s(e, "/http/path"), "/users/42");
    assert_eq!(n(e, "/http/status"), 200.0);
    assert_eq!(n(e, "/http/latency_ms"), 12.5);
    assert_eq!(s(e, "/fields/user_id"), "42");

    let e = &ev[1];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/time"), "2024-03-05T13:00:00.500Z");
    assert_eq!(s(e, "/message"), "upstream \"payments\" unavailable");
    assert_eq!(n(e, "/http/status"), 503.0);
    assert_eq!(s(e, "/http/upstream"), "payments.internal:8443");
    assert_eq!(s(e, "/fields/req.id"), "9");

    let e = &ev[2];
    assert_eq!(s(e, "/time"), "2024-03-05T13:00:01.000Z");
    assert_eq!(s(e, "/level"), "warn");
    assert_eq!(s(e, "/http/method"), "PUT");
    assert_eq!(s(e, "/http/path"), "/carts/7");
    assert_eq!(n(e, "/http/status"), 409.0);
    assert_eq!(n(e, "/http/latency_ms"), 2.5);
    assert_eq!(s(e, "/trace_id"), "4bf92f3577b34da6");

    assert_eq!(n(&ev[3], "/http/latency_ms"), 1500.0);
    assert_eq!(s(&ev[3], "/time"), "2024-03-05T13:00:02.000Z");
    // Invalid JSON and a plain line are kept whole.
    assert_eq!(
        s(&ev[4], "/message"),
        "{\"msg\": \"broken line\", \"level\": "
    );
    assert_eq!(s(&ev[5], "/message"), "plain line in a json file");
}

#[test]
fn docker_json_file() {
    let ev = events_of("docker.log");
    assert_eq!(ev.len(), 3);
    assert_eq!(s(&ev[0], "/message"), "job failed");
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T15:00:00.100Z");
    assert_eq!(s(&ev[0], "/fields/stream"), "stderr");
    assert_eq!(s(&ev[1], "/message"), "cache \"miss\" storm");
    assert_eq!(s(&ev[1], "/trace_id"), "t-9");
    assert_eq!(s(&ev[2], "/message"), "no header at all");
    assert_eq!(s(&ev[2], "/time"), "2024-03-05T15:00:02.000Z");
}

/// Terminal colour codes (a coloured console log written to a file, or through Docker and
/// Kubernetes) are no part of the text: the header under them is read, and messages,
/// templates and examples are clean, whatever the format.
#[test]
fn colour_codes_are_stripped_before_parsing() {
    let path = fixture("ansi.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(s(&ev[0], "/time"), "2026-11-27T10:00:00.058Z");
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(s(&ev[0], "/logger"), "c.a.s.web.OrderController");
    assert_eq!(s(&ev[0], "/message"), "Order 99628 listed in 45 ms");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(ev[1]["lines"], 3);
    assert!(s(&ev[1], "/message").starts_with("Charge failed for order 7\njava.lang"));
    assert_eq!(s(&ev[2], "/level"), "warn");
    // zap's console encoder with colour: its columns are read once the codes are gone.
    assert_eq!(s(&ev[2], "/message"), "served request");
    assert_eq!(s(&ev[2], "/logger"), "http/server.go");
    // CRI, with an OSC hyperlink and an erase-line sequence.
    assert_eq!(s(&ev[3], "/level"), "error");
    assert_eq!(s(&ev[3], "/message"), "db unreachable");
    same_at_any_chunk_size(path, &ev);
    let line = events(&["--input-format", "line", path]);
    assert_eq!(s(&line[0], "/message"), "Order 99628 listed in 45 ms");
    assert_eq!(
        s(&line[2], "/message"),
        "java.lang.IllegalStateException: card_declined"
    );

    // The same console lines in Docker's json-file records, ESC escaped as `\u001b`.
    let text = std::fs::read_to_string(path).expect("read");
    let docker: String = text
        .lines()
        .map(|l| {
            let rec = serde_json::json!({
                "log": format!("{l}\n"),
                "stream": "stdout",
                "time": "2026-11-27T10:00:09Z",
            });
            format!("{rec}\n")
        })
        .collect();
    assert!(docker.contains("\\u001b[31mERROR"), "{docker}");
    let log = TempLog::new("docker-ansi.log", &docker);
    let dv = events(&[&log.path]);
    assert_eq!(dv.len(), 4, "{dv:?}");
    for (d, p) in dv.iter().zip(&ev) {
        for key in ["/time", "/level", "/message"] {
            assert_eq!(d.pointer(key), p.pointer(key), "{key} of {d}");
        }
    }
    same_at_any_chunk_size(&log.path, &dv);

    // No escape in templates or examples.
    for p in [path, log.path.as_str()] {
        let out = faultline_out(&["summary", "-o", "json", p]);
        assert!(!out.contains("\\u001b"), "{out}");
        assert!(out.contains("Charge failed for order <NUM>"), "{out}");
        let out = faultline_out(&["templates", "-o", "json", p]);
        assert!(
            !out.contains("\\u001b") && !out.contains("<DURATION>"),
            "{out}"
        );
    }
}

/// Winston's default `2026-11-27T10:00:00.153Z error: msg`: the word and its colon are the
/// level, not a syslog program tag, so the source is `plain` and every event has a level.
#[test]
fn winston_level_and_colon() {
    let path = fixture("winston.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let levels: Vec<&str> = ev.iter().map(|e| s(e, "/level")).collect();
    assert_eq!(levels, ["info", "warn", "error", "debug", "info"], "{ev:?}");
    assert!(ev.iter().all(|e| e.get("logger").is_none()), "{ev:?}");
    assert_eq!(s(&ev[0], "/time"), "2026-11-27T10:00:00.153Z");
    assert_eq!(s(&ev[0], "/message"), "GET /api/items/475 200 - 80 ms");
    assert_eq!(ev[2]["lines"], 2);
    assert!(s(&ev[2], "/message").starts_with("connect ECONNREFUSED 10.0.0.5:5432\n    at "));
    same_at_any_chunk_size(path, &ev);
    let one = faultline_stdin(&["events", "-"], b"2026-11-27 00:00:00 error: x\n");
    let one: Value = serde_json::from_str(one.trim()).expect("json");
    assert_eq!((s(&one, "/level"), s(&one, "/message")), ("error", "x"));
    assert!(one.get("logger").is_none(), "{one}");
}

/// zap's console encoder (Go): the caller column is the logger's file and a field, the JSON
/// object's fields are read (an error joins the message, HTTP fields make a request), and the
/// Go stack zap adds at error level (function lines, then tab-indented file lines) is part of
/// its entry.
#[test]
fn times_of_day_are_dated_by_the_files_last_change_and_roll_over_midnight() {
    let text = std::fs::read_to_string(fixture("clock_only.log")).expect("fixture");
    let log = TempLog::new("app.log", &text);
    // Written until just after midnight UTC on 30 November.
    let changed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_997_405);
    std::fs::File::options()
        .write(true)
        .open(&log.path)
        .and_then(|f| f.set_modified(changed))
        .expect("set mtime");
    let ev = events(&[&log.path]);
    let times: Vec<&str> = ev.iter().map(|e| s(e, "/time")).collect();
    assert_eq!(
        times,
        [
            "2026-11-29T23:59:58.120Z",
            "2026-11-29T23:59:59.870Z",
            "2026-11-30T00:00:00.315Z",
            // Stamped before midnight, written after it: the day before, not the next.
            "2026-11-29T23:59:59.990Z",
            "2026-11-30T00:00:02.500Z",
            "2026-11-30T00:00:03.001Z",
            "2026-11-30T00:00:03.052Z",
            "2026-11-30T00:00:03.060Z",
            "2026-11-30T00:00:04.100Z",
            "2026-11-30T00:00:04.101Z",
            "2026-11-30T00:00:05.000Z",
        ]
    );
    // logback's columns as before.
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[2], "/logger"), "c.e.shop.PaymentClient");
    assert_eq!(ev[2]["lines"], 4);
    // Elixir's metadata and level; Phoenix's request in two halves, paired by request id.
    assert_eq!(s(&ev[5], "/level"), "info");
    assert_eq!(s(&ev[5], "/message"), "GET /orders/42");
    assert_eq!(s(&ev[5], "/http/method"), "GET");
    assert_eq!(s(&ev[5], "/http/path"), "/orders/42");
    assert_eq!(s(&ev[5], "/trace_id"), "F3bq8c1mz3x0ybEAAAOB");
    assert_eq!(s(&ev[6], "/level"), "error");
    assert_eq!(ev[6]["lines"], 3);
    assert_eq!(n(&ev[7], "/http/status"), 500.0);
    assert_eq!(n(&ev[7], "/http/latency_ms"), 2059.0);
    assert_eq!(s(&ev[7], "/trace_id"), "F3bq8c1mz3x0ybEAAAOB");
    assert_eq!(n(&ev[9], "/http/latency_ms"), 0.812);
    // More than one metadata pair.
    assert_eq!(s(&ev[8], "/fields/user_id"), "7");
    assert_eq!(s(&ev[8], "/http/path"), "/orders");
    assert_eq!(s(&ev[8], "/trace_id"), "F3bq9a0aa1x0ybEAAAOC");
    // A pair without a level after it stays in the message.
    assert_eq!(s(&ev[10], "/message"), "user=alice logged in");
    same_at_any_chunk_size(&log.path, &ev);

    // `--date`: the first one's date; later ones roll over.
    let ev = events(&["--date", "2026-02-28", &log.path]);
    assert_eq!(s(&ev[0], "/time"), "2026-02-28T23:59:58.120Z");
    assert_eq!(s(&ev[2], "/time"), "2026-03-01T00:00:00.315Z");
    // Piped in: dated from now, in the same order and spacing.
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("events")
        .stdin(std::fs::File::open(&log.path).expect("open"))
        .output()
        .expect("run");
    let ev: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let at = |i: usize| {
        s(&ev[i], "/time")
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_millisecond()
    };
    assert_eq!(at(2) - at(0), 2_195);
    assert_eq!(at(10) - at(3), 5_010);

    // The report says the dates were supplied.
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["summary", "--output", "json", &log.path])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["overview"]["time_dated_events"], 11, "{v}");
    assert_eq!(v["overview"]["start"], "2026-11-29T23:59:58Z");

    // Only a source whose first lines are times of day has them dated (so each is dated
    // from the one before it at any chunk size); elsewhere they have no time of their own
    // (the report places them at the time before them).
    // (Past the 64 KiB read for detection.)
    let mut text = "2026-11-30 10:00:00.000 INFO started a worker\n".repeat(2000);
    text.push_str("23:59:59.000 [main] INFO  a.B - late\n00:00:01.000 [main] INFO  a.B - after\n");
    let mixed = TempLog::new("mixed.log", &text);
    let ev = events(&[&mixed.path]);
    assert_eq!(ev.len(), 2002);
    for e in &ev[2000..] {
        assert!(e["time"].is_null(), "{e}");
    }
    assert_eq!(s(&ev[2001], "/message"), "after");
    for size in ["100", "4096"] {
        assert_eq!(events(&["--chunk-size", size, &mixed.path]), ev);
    }
}

/// A time of day after a full date (a dated line among undated ones, a container runtime's
/// stamp before the app's `HH:mm:ss.SSS`) is on that date, not on the day of the file's last
/// change: it was dated from the last change, days off (found by fuzzing).
#[test]
fn times_of_day_follow_the_full_date_before_them() {
    let changed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_126_400); // 2026-12-01T12:00:00Z
    let touch = |log: &TempLog| {
        std::fs::File::options()
            .write(true)
            .open(&log.path)
            .and_then(|f| f.set_modified(changed))
            .expect("set mtime");
    };
    let mut text = String::from("2026-11-20 10:00:01,000 INFO [main] a.B - full date first\n");
    for i in 0..40 {
        text.push_str(&format!(
            "10:{:02}:02.000 [main] INFO a.B - tick {i}\n",
            i + 1
        ));
    }
    // Another full date later on, then times of day again.
    text.push_str("2026-11-24 23:59:58,000 INFO [main] a.B - dated again\n");
    text.push_str("23:59:59.500 [main] WARN a.B - just before midnight\n");
    text.push_str("00:00:00.250 [main] INFO a.B - just after\n");
    let log = TempLog::new("mixed.log", &text);
    touch(&log);
    let ev = events(&[&log.path]);
    assert_eq!(ev.len(), 44);
    assert_eq!(s(&ev[1], "/time"), "2026-11-20T10:01:02.000Z");
    assert_eq!(s(&ev[40], "/time"), "2026-11-20T10:40:02.000Z");
    assert_eq!(s(&ev[42], "/time"), "2026-11-24T23:59:59.500Z");
    assert_eq!(s(&ev[43], "/time"), "2026-11-25T00:00:00.250Z");
    same_at_any_chunk_size(&log.path, &ev);

    // Kubernetes CRI lines around logback's default (time of day) layout.
    let cri = "2026-11-27T10:00:00.000Z stdout F 10:00:00.000 [main] ERROR a.B - tod behind CRI\n\
               2026-11-27T10:00:01.000Z stdout F 10:00:01.000 [main] INFO a.B - second\n";
    let log = TempLog::new("cri.log", cri);
    touch(&log);
    let ev = events(&[&log.path]);
    assert_eq!(
        time_level_message(&ev),
        [
            ("2026-11-27T10:00:00.000Z", "error", "tod behind CRI"),
            ("2026-11-27T10:00:01.000Z", "info", "second"),
        ]
    );
    same_at_any_chunk_size(&log.path, &ev);

    // Behind `kubectl logs --timestamps`' stamp: the app's level, logger and message are
    // read, the time is the stamp's.
    let kubectl = "2026-11-27T10:00:00.123456789Z 10:00:00.120 [main] ERROR a.B - behind kubectl\n\
                   2026-11-27T10:00:01.000000000Z 10:00:00.998 [main] INFO  a.B - next\n";
    let log = TempLog::new("kubectl.log", kubectl);
    touch(&log);
    let ev = events(&[&log.path]);
    assert_eq!(
        time_level_message(&ev),
        [
            ("2026-11-27T10:00:00.123Z", "error", "behind kubectl"),
            ("2026-11-27T10:00:01.000Z", "info", "next"),
        ]
    );
    assert_eq!(s(&ev[0], "/logger"), "a.B");
}

#[test]
fn times_of_day_in_brackets() {
    let path = fixture("clock_brackets.log");
    let path = path.to_str().expect("path");
    let ev = events(&["--date", "2026-11-30", path]);
    assert_eq!(ev.len(), 6, "{ev:?}");
    let times: Vec<&str> = ev[..5].iter().map(|e| s(e, "/time")).collect();
    assert_eq!(
        times,
        [
            "2026-11-30T12:00:00.000Z",
            "2026-11-30T12:00:01.000Z",
            "2026-11-30T12:00:02.250Z",
            "2026-11-30T12:00:03.000Z",
            "2026-11-30T12:00:04.000Z",
        ]
    );
    // Serilog's level after the time, the exception joined.
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(s(&ev[0], "/message"), "Starting web host");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(ev[1]["lines"], 3);
    // pino-pretty's process is header, not message.
    assert_eq!(s(&ev[2], "/level"), "warn");
    assert_eq!(s(&ev[2], "/message"), "slow query");
    assert_eq!(s(&ev[3], "/message"), "server listening");
    assert_eq!(s(&ev[4], "/message"), "(12) items left");
    // `[10:00]` is no time of day (no seconds).
    assert!(ev[5]["time"].is_null(), "{}", ev[5]);
    assert_eq!(s(&ev[5], "/message"), "[10:00] not a stamp");

    // zerolog's console writer: Go's `time.Kitchen`, minutes only.
    let log = TempLog::new(
        "zerolog.log",
        "11:58PM INF server listening addr=:8080\n12:05AM ERR request failed error=\"connection refused\" path=/api/x status=502\n13:00PM not a time\n",
    );
    let ev = events(&["--date", "2026-11-29", &log.path]);
    assert_eq!(s(&ev[0], "/time"), "2026-11-29T23:58:00.000Z");
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(s(&ev[1], "/time"), "2026-11-30T00:05:00.000Z");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[1], "/message"), "request failed: connection refused");
    assert_eq!(n(&ev[1], "/http/status"), 502.0);
    assert!(ev[2]["time"].is_null(), "{}", ev[2]);
}

#[test]
fn django_verbose_columns_and_runserver_requests() {
    let path = fixture("django.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 6, "{ev:?}");
    // `{module} {process} {thread}` are header: the module is the logger.
    assert_eq!(s(&ev[0], "/logger"), "log");
    assert!(s(&ev[0], "/message").starts_with("Internal Server Error: /api/orders/42\nTraceback"));
    assert_eq!(s(&ev[2], "/message"), "Not Found: /favicon.ico");
    // Request lines without a level take their status's, as access lines do.
    assert_eq!(n(&ev[1], "/http/status"), 500.0);
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[3], "/level"), "warn");
    assert_eq!(s(&ev[4], "/level"), "info");
    assert_eq!(s(&ev[4], "/http/path"), "/health");
    // A word and two short numbers are the message's own.
    assert_eq!(s(&ev[5], "/message"), "retry 3 5 times");
    assert!(ev[5].get("logger").is_none(), "{}", ev[5]);
    same_at_any_chunk_size(path, &ev);
}

#[test]
fn uwsgi_request_lines_among_its_own_output() {
    let path = fixture("uwsgi.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 9, "{ev:?}");
    assert_eq!(s(&ev[2], "/time"), "2026-11-30T12:00:01.000Z");
    assert_eq!(s(&ev[2], "/message"), "GET /api/orders?page=2");
    assert_eq!(s(&ev[2], "/http/path"), "/api/orders?page=2");
    assert_eq!(n(&ev[2], "/http/status"), 200.0);
    assert_eq!(n(&ev[2], "/http/latency_ms"), 55.0);
    assert_eq!(s(&ev[3], "/http/method"), "POST");
    assert_eq!(n(&ev[3], "/http/status"), 504.0);
    assert_eq!(n(&ev[3], "/http/latency_ms"), 30001.0);
    assert_eq!(s(&ev[3], "/level"), "error");
    assert_eq!(s(&ev[4], "/time"), "2026-11-30T12:00:32.000Z");
    // `--log-micros`.
    assert_eq!(n(&ev[5], "/http/latency_ms"), 0.812);
    // The app's traceback after a request line is its own event, not hidden in the request.
    assert!(ev[5].get("lines").is_none(), "{}", ev[5]);
    assert!(s(&ev[6], "/message").starts_with("Traceback (most recent call last):\n"));
    assert_eq!(ev[6]["lines"], 4);
    // Cut short (no byte count): no duration, the rest is read.
    assert_eq!(n(&ev[7], "/http/status"), 200.0);
    assert!(ev[7]["http"].get("latency_ms").is_none(), "{}", ev[7]);
    // No time in its brackets: not a request line.
    assert!(ev[8].get("http").is_none(), "{}", ev[8]);
    same_at_any_chunk_size(path, &ev);

    // HARAKIRI (a worker killed at its timeout) is an error.
    let out = faultline_out(&["templates", "--output", "json", path]);
    let v: Value = serde_json::from_str(&out).expect("json");
    let harakiri = v["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .find(|t| {
            t["template"]
                .as_str()
                .is_some_and(|t| t.contains("HARAKIRI"))
        })
        .expect("a HARAKIRI template");
    assert_eq!(
        harakiri["levels"],
        serde_json::json!({"error": 1}),
        "{harakiri}"
    );
}

#[test]
fn klog_structured_lines_are_message_and_fields() {
    let path = fixture("klog.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 9, "{ev:?}");
    // The quoted message is the message, not a string the miner would mask.
    assert_eq!(s(&ev[0], "/message"), "Syncing deployment");
    assert_eq!(s(&ev[0], "/logger"), "controller.go");
    assert_eq!(s(&ev[0], "/fields/deployment"), "default/web-1");
    // The error joins it; the object's `name` is a field (the header named the logger).
    assert_eq!(
        s(&ev[1], "/message"),
        "Reconciler error: failed to get secret default/db-creds: context deadline exceeded"
    );
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[1], "/fields/name"), "web-3");
    assert_eq!(s(&ev[1], "/fields/controller"), "deployment");
    assert_eq!(s(&ev[1], "/logger"), "controller.go");
    assert!(s(&ev[2], "/message").ends_with("\"web-2\": the object has been modified"));
    assert_eq!(s(&ev[3], "/level"), "warn");
    assert_eq!(s(&ev[5], "/message"), "Event occurred");
    assert_eq!(s(&ev[5], "/fields/reason"), "ScalingReplicaSet");
    // Escapes inside the quoted message are resolved.
    assert_eq!(s(&ev[6], "/message"), "Quoted \"word\" in the message");
    // Text after the closing quote, or no quotes: the line's text stays.
    assert_eq!(
        s(&ev[7], "/message"),
        "\"starts quoted\" but then plain text"
    );
    assert_eq!(
        s(&ev[8], "/message"),
        "plain glog message with k=v at the end"
    );
    same_at_any_chunk_size(path, &ev);

    // Two reconcile errors are two templates, named by their errors.
    let texts = templates_starting(path, "Reconciler error: ");
    assert_eq!(texts.len(), 2, "{texts:?}");
}

#[test]
fn zap_console_columns_fields_and_stacks() {
    let path = fixture("zap.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let lines: Vec<u64> = ev
        .iter()
        .map(|e| e["lines"].as_u64().unwrap_or(1))
        .collect();
    assert_eq!(lines, [1, 1, 7, 1, 3, 1, 1, 1], "{ev:?}");
    assert_eq!(s(&ev[0], "/message"), "listening");
    assert_eq!(s(&ev[0], "/logger"), "api/server.go");
    assert_eq!(s(&ev[0], "/fields/caller"), "api/server.go:41");
    assert_eq!(s(&ev[0], "/fields/addr"), ":8080");
    assert_eq!(s(&ev[1], "/http/path"), "/orders/558");
    assert_eq!(n(&ev[1], "/http/status"), 200.0);
    assert_eq!(n(&ev[1], "/http/latency_ms"), 11.2);
    assert_eq!(s(&ev[1], "/trace_id"), "ea7b5bf55eb561a4");
    // A named logger: NAME, then the caller.
    assert_eq!(s(&ev[2], "/logger"), "checkout");
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(n(&ev[2], "/http/status"), 502.0);
    assert!(
        s(&ev[2], "/message").starts_with(
            "request failed: dial tcp 10.0.3.2:5432: connect: connection refused\nmain.(*Server).handleCheckout\n\t/app/api/handler.go:120\n"
        ),
        "{}",
        s(&ev[2], "/message")
    );
    assert!(s(&ev[4], "/message").starts_with("request failed: context deadline exceeded\n"));
    // No JSON object: the message runs to the end of the line.
    assert_eq!(s(&ev[5], "/message"), "job done in 3 s");
    // No caller: MESSAGE and the object.
    assert_eq!(s(&ev[6], "/message"), "plain message, no caller");
    assert_eq!(s(&ev[6], "/fields/attempt"), "2");
    assert!(ev[6].get("logger").is_none(), "{}", ev[6]);
    // A file name alone on a line after a stamped line is no Go frame.
    assert_eq!(s(&ev[7], "/message"), "main.go");
    same_at_any_chunk_size(path, &ev);

    // The two failures are two templates (the error field tells them apart), each titled by
    // the application's function it failed in, not the library frames after it.
    let texts = templates_starting(path, "request failed");
    assert_eq!(texts.len(), 2, "{texts:?}");
    // Where they become a finding, its title names that function instead of the
    // `[exc=-;frames=…]` token, and not the library frames after it.
    let mut log = String::new();
    for t in (0..30 * 60).step_by(2) {
        let stamp = format!("2026-11-30T10:{:02}:{:02}.000Z", t / 60, t % 60);
        log.push_str(&format!(
            "{stamp}\tINFO\tapi/handler.go:88\trequest served\t{{\"status\": 200}}\n"
        ));
        if t >= 20 * 60 && t % 10 == 0 {
            log.push_str(&format!(
                "{stamp}\tERROR\tapi/handler.go:120\trequest failed\t{{\"error\": \"context deadline exceeded\"}}\nnet/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2136\nmain.(*Server).handleCheckout\n\t/app/api/handler.go:120\n"
            ));
        }
    }
    let summary = faultline_stdin(&["summary", "--output", "json", "-"], log.as_bytes());
    let v: Value = serde_json::from_str(&summary).expect("json");
    let titles: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.ends_with(
            "request failed: context deadline exceeded — in main.(*Server).handleCheckout"
        )),
        "{titles:?}"
    );
}

/// structlog, zerolog's console writer and Rust's tracing print fields as `key=value` after
/// the message: read as fields (HTTP fields make a request, an error joins the message), the
/// message is the text before them. A comma-separated list or a lone pair stays text.
#[test]
fn key_value_tails_after_a_message_are_fields() {
    let path = fixture("kv_tail.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let msgs: Vec<&str> = ev.iter().map(|e| s(e, "/message")).collect();
    assert_eq!(ev.len(), 13, "{msgs:?}");
    assert_eq!(msgs[0], "request served");
    assert_eq!(s(&ev[0], "/http/path"), "/orders/42");
    assert_eq!(n(&ev[0], "/http/status"), 200.0);
    assert_eq!(n(&ev[0], "/http/latency_ms"), 12.5);
    assert_eq!(s(&ev[0], "/trace_id"), "ab12");
    // structlog quotes a string with its repr: 'connection refused'.
    assert_eq!(msgs[1], "request failed: connection refused");
    assert_eq!(msgs[2], "request failed: read timeout");
    // Padded (structlog aligns its fields): one pair is enough.
    assert_eq!(msgs[3], "cache miss");
    assert_eq!(s(&ev[3], "/fields/key"), "user:42");
    // A traceback under the line stays under the message.
    assert!(msgs[4].starts_with("job crashed\nTraceback"), "{}", msgs[4]);
    assert_eq!(s(&ev[4], "/fields/job"), "nightly-report");
    assert_eq!(msgs[5], "request failed: context deadline exceeded");
    assert_eq!(n(&ev[5], "/http/status"), 504.0);
    // Rust's tracing: the target is the logger; a lone pair stays text.
    assert_eq!(s(&ev[6], "/logger"), "api::server");
    assert_eq!(msgs[6], "listening addr=0.0.0.0:8080");
    assert_eq!(msgs[7], "upstream failed");
    assert_eq!(n(&ev[7], "/http/status"), 503.0);
    assert!(msgs[8].ends_with("name=com.android.systemui, ws=null, uid=10037, pid=2227"));
    assert!(ev[8].get("fields").is_none(), "{}", ev[8]);
    assert_eq!(msgs[9], "Order ORD-1 created total=683.91 EUR items=6");
    // Two pairs, none an HTTP, trace or error field: the message keeps them.
    assert_eq!(msgs[10], "Order ORD-2 shipped carrier=dhl parcels=2");
    // logrus's text formatter on a terminal: seconds since start (no time), or a full stamp.
    assert_eq!(s(&ev[11], "/level"), "error");
    assert!(ev[11]["time"].is_null(), "{}", ev[11]);
    assert_eq!(
        msgs[11],
        "request failed: dial tcp 10.0.0.5:5432: connect: connection refused"
    );
    assert_eq!(s(&ev[11], "/http/path"), "/checkout");
    assert_eq!(s(&ev[12], "/time"), "2026-11-30T10:00:13.000Z");
    assert_eq!(msgs[12], "shutting down");
    same_at_any_chunk_size(path, &ev);

    // The two failures are two templates, where `error='<*>'` would have made them one.
    let texts = templates_starting(path, "request failed");
    assert_eq!(texts.len(), 4, "{texts:?}");
}

/// Rust's `tracing` default format: the level padded to five columns (` INFO`, ` WARN`: a
/// header, not an indented continuation of the line before), the spans before the target
/// (their fields are the event's: a request span's method and URI make a request), the
/// target as logger, `error=` unquoted with spaces, tower-http's `latency=5003 ms`.
#[test]
fn rust_tracing_spans_targets_and_fields() {
    let path = fixture("tracing.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let msgs: Vec<&str> = ev.iter().map(|e| s(e, "/message")).collect();
    assert_eq!(ev.len(), 12, "{msgs:?}");
    assert_eq!(msgs[0], "started processing request");
    assert_eq!(s(&ev[0], "/logger"), "tower_http::trace::on_request");
    assert_eq!(s(&ev[0], "/http/method"), "GET");
    assert_eq!(s(&ev[0], "/http/path"), "/v1/orders/7");
    // Two spans, one with a quoted field; the message keeps a lone pair that is no error.
    assert_eq!(s(&ev[1], "/level"), "warn");
    assert_eq!(s(&ev[1], "/logger"), "orders::db");
    assert_eq!(msgs[1], "slow acquire waited_ms=812");
    assert_eq!(s(&ev[1], "/fields/pool"), "main");
    assert_eq!(
        msgs[2],
        "query failed: pool timed out while waiting for an open connection"
    );
    assert_eq!(msgs[3], "finished processing request");
    assert_eq!(n(&ev[3], "/http/status"), 500.0);
    assert_eq!(n(&ev[3], "/http/latency_ms"), 5003.0);
    assert_eq!(s(&ev[3], "/http/path"), "/v1/orders/7");
    // tracing-actix-web's span; a crate's root as the target.
    assert_eq!(s(&ev[4], "/logger"), "users");
    assert_eq!(msgs[4], "user loaded");
    assert_eq!(s(&ev[4], "/http/path"), "/v1/users/9");
    assert_eq!(s(&ev[4], "/trace_id"), "7f3a");
    assert_eq!(msgs[5], "indexing failed: connection reset by peer");
    assert_eq!(s(&ev[5], "/fields/name"), "reindex");
    assert_eq!(s(&ev[5], "/fields/attempt"), "3");
    // `Error:` after a target is message text, not a span.
    assert_eq!(msgs[6], "Error: shutting down");
    assert_eq!(s(&ev[7], "/logger"), "hyper::proto::h1::io");
    // env_logger's default `[stamp LEVEL target] msg`: the level and the target (the logger)
    // are in the stamp's bracket, the target may be turned off; other words there are not.
    assert_eq!(s(&ev[9], "/level"), "error");
    assert_eq!(s(&ev[9], "/logger"), "my_app::db");
    assert_eq!(msgs[9], "connection refused: 10.0.0.5:5432");
    assert_eq!(s(&ev[8], "/level"), "info");
    assert_eq!(s(&ev[10], "/level"), "warn");
    assert!(ev[10]["logger"].is_null(), "{}", ev[10]);
    assert_eq!(s(&ev[10], "/time"), "2026-11-30T10:00:07.123Z");
    assert!(ev[11]["level"].is_null(), "{}", ev[11]);
    same_at_any_chunk_size(path, &ev);
}

/// Sidekiq's default lines: the job context's `key=value` pairs, then `LEVEL: message`
/// (the level was lost among the pairs, so a Redis outage counted no error); its `elapsed`
/// is seconds; a backtrace under a context line stays its message; a failed job's JSON
/// context is read as JSON.
#[test]
fn sidekiq_job_context_before_the_level() {
    let path = fixture("sidekiq.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let msgs: Vec<&str> = ev.iter().map(|e| s(e, "/message")).collect();
    assert_eq!(ev.len(), 8, "{msgs:?}");
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(msgs[0], "start");
    assert_eq!(s(&ev[0], "/fields/class"), "ChargeJob");
    assert_eq!(s(&ev[0], "/fields/jid"), "abc123");
    assert_eq!(n(&ev[1], "/http/latency_ms"), 1200.0);
    // The job-failure context's JSON: its text is the message, the job's keys fields.
    assert_eq!(s(&ev[3], "/level"), "warn");
    assert_eq!(msgs[3], "Job raised exception");
    assert_eq!(s(&ev[3], "/fields/job.class"), "ChargeJob");
    assert_eq!(s(&ev[4], "/level"), "warn");
    assert_eq!(
        msgs[4],
        "Stripe::APIConnectionError: Could not connect to Stripe (https://api.stripe.com)"
    );
    assert_eq!(s(&ev[5], "/level"), "warn");
    assert!(msgs[5].starts_with("/app/app/jobs/charge_job.rb:10:in `perform'\n/usr/local/"));
    assert_eq!(n(&ev[5], "/lines"), 3.0);
    assert_eq!(n(&ev[6], "/http/latency_ms"), 4.0);
    assert_eq!(s(&ev[7], "/level"), "error");
    assert_eq!(
        msgs[7],
        "Error fetching job: Error connecting to Redis on redis:6379 (Errno::ECONNREFUSED)"
    );
    same_at_any_chunk_size(path, &ev);
}

/// `heroku logs`: the router's logfmt lines, and each dyno's output behind `app[web.3]: `,
/// whose own header (the Ruby Logger's `E, [stamp #4] ERROR -- :`, Sidekiq's stamp and
/// context) gives the level, which was lost, and the message; the dyno manager's `Error R14`
/// is an error.
#[test]
fn heroku_app_lines_with_their_own_headers() {
    let path = fixture("heroku.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let msgs: Vec<&str> = ev.iter().map(|e| s(e, "/message")).collect();
    assert_eq!(ev.len(), 7, "{msgs:?}");
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(s(&ev[0], "/logger"), "app");
    assert_eq!(s(&ev[0], "/http/path"), "/orders/550");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert!(msgs[1].starts_with("ActiveRecord::ConnectionTimeoutError (could not"));
    assert_eq!(n(&ev[2], "/http/status"), 500.0);
    assert_eq!(n(&ev[2], "/http/latency_ms"), 5003.0);
    assert_eq!(n(&ev[3], "/http/status"), 500.0);
    assert_eq!(s(&ev[3], "/logger"), "heroku");
    // The dyno manager's error code.
    assert_eq!(s(&ev[4], "/level"), "error");
    assert_eq!(s(&ev[4], "/message"), "Error R14 (Memory quota exceeded)");
    assert_eq!(s(&ev[5], "/level"), "error");
    assert_eq!(s(&ev[5], "/time"), "2026-11-30T11:45:07.001Z");
    assert!(msgs[5].starts_with("Error fetching job"));
    assert!(ev[6]["level"].is_null(), "{}", ev[6]);
    assert_eq!(msgs[6], "a message of the app's own without a header");
    same_at_any_chunk_size(path, &ev);
    // The same read as plain lines (a source whose other lines are not syslog's).
    let plain = events(&["--input-format", "plain", path]);
    let levels =
        |ev: &[Value]| -> Vec<String> { ev.iter().map(|e| e["level"].to_string()).collect() };
    assert_eq!(levels(&plain), levels(&ev));
    assert_eq!(s(&plain[1], "/logger"), "app");
    assert_eq!(s(&plain[1], "/message"), msgs[1]);
}

/// JBoss logging (Quarkus, WildFly) writes `LEVEL [logger] (thread) message`: the bracket is
/// the logger and the thread is no message text. uvicorn's and CoreDNS's `IP:port - …` is a
/// client's address, not a `logger - message` column.
#[test]
fn jboss_logger_and_thread_and_uvicorn_clients() {
    let path = fixture("jboss.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let msgs: Vec<&str> = ev.iter().map(|e| s(e, "/message")).collect();
    assert_eq!(ev.len(), 4, "{msgs:?}");
    assert_eq!(s(&ev[0], "/logger"), "io.quarkus");
    assert!(msgs[0].starts_with("shop 1.0.0 on JVM"));
    assert_eq!(
        s(&ev[1], "/logger"),
        "io.qua.ver.htt.run.QuarkusErrorHandler"
    );
    assert!(msgs[1].starts_with("HTTP Request to /orders/5 failed"));
    assert_eq!(n(&ev[1], "/lines"), 2.0);
    assert_eq!(s(&ev[2], "/logger"), "org.jboss.as.controller");
    assert_eq!(msgs[2], "WFLYCTL0013: Operation (\"deploy\") failed");
    // A thread bracket (no dotted name) keeps the parentheses after it.
    assert_eq!(
        msgs[3],
        "(see below) a thread bracket, then text in parentheses"
    );
    same_at_any_chunk_size(path, &ev);

    let ev = events_of("uvicorn.log");
    assert_eq!(ev.len(), 8);
    assert!(ev[4].get("logger").is_none(), "{}", ev[4]);
    assert_eq!(
        s(&ev[5], "/message"),
        "10.0.0.5:52346 - \"POST /orders HTTP/1.1\" 500 Internal Server Error"
    );
    assert_eq!(n(&ev[5], "/http/status"), 500.0);
    assert_eq!(s(&ev[6], "/level"), "error");
    assert!(
        s(&ev[6], "/message").ends_with("TooManyConnectionsError: sorry, too many clients already")
    );
}

/// loguru's default `stamp | LEVEL    | module:function:line - message` (the module is the
/// logger, one whatever line logged) and log4net's `stamp [thread] LEVEL logger [NDC] -
/// message` (the NDC bracket and the separator are no message text).
#[test]
fn loguru_and_log4net_columns() {
    let path = fixture("loguru_log4net.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let msgs: Vec<&str> = ev.iter().map(|e| s(e, "/message")).collect();
    assert_eq!(msgs, ["payment failed", "ok", "payment failed", "ok"]);
    let loggers: Vec<&str> = ev.iter().map(|e| s(e, "/logger")).collect();
    assert_eq!(
        loggers,
        [
            "app.main",
            "app.main",
            "Acme.Orders.Controller",
            "Acme.Orders.Controller"
        ]
    );
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[2], "/time"), "2026-11-30T12:00:02.123Z");
}

/// A logfmt line among a plain log's lines (logrus's text formatter, `time="…"` first, in a
/// file other programs also write to) is read as logfmt, not as a header-less message.
#[test]
fn a_logfmt_line_among_plain_lines() {
    let log = TempLog::new(
        "mixed.log",
        concat!(
            "2026-11-30T12:00:00.123Z [main] ERROR com.acme.App - failed to start\n",
            "2026-11-30 12:00:00 [ERROR] [app] payment failed: card declined\n",
            "time=\"2026-11-30T12:00:01Z\" level=error msg=\"failed to pull image\" error=\"manifest unknown\" image=\"acme/api:1.2\"\n",
            "a line of text = no pairs\n",
        ),
    );
    let ev = events(&[&log.path]);
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[2], "/time"), "2026-11-30T12:00:01.000Z");
    assert_eq!(
        s(&ev[2], "/message"),
        "failed to pull image: manifest unknown"
    );
    assert_eq!(s(&ev[2], "/fields/image"), "acme/api:1.2");
    assert_eq!(s(&ev[3], "/message"), "a line of text = no pairs");
}

/// stern's `POD CONTAINER ` prefix (and `kubectl logs --prefix`'s) before each line: the
/// app's header, stack trace and JSON are read behind it, and the pod is a field, so a
/// failure on one replica shows in the contrast. A plain line starting with two words is not
/// taken for stern's.
#[test]
fn an_apps_own_header_inside_a_syslog_message() {
    let log = TempLog::new(
        "journal.log",
        concat!(
            "Nov 30 12:00:00 web-3 java[123]: 2026-11-30 13:00:00.123 ERROR [main] c.e.X - boom\n",
            "Nov 30 12:00:01 web-3 java[123]: 2026-11-30 12:00:01.456  INFO 1 --- [main] c.e.Y : retry after failed attempt\n",
            "2026-11-30T12:00:02+00:00 web-3 nginx[99]: 2026/11/30 12:00:02 [error] 99#99: *7 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: _, request: \"GET /api/x HTTP/1.1\", upstream: \"http://127.0.0.1:8080/api/x\", host: \"example.com\"\n",
            "Nov 30 12:00:03 web-3 app[9]: 2026/11/30 12:00:03 plain go log, no level\n",
            "Nov 30 12:00:04 web-3 app[9]: 2026-11-27 10:00:00,000 WARN a stamp days off\n",
        ),
    );
    let ev = events(&["--year", "2026", &log.path]);
    assert_eq!(ev.len(), 5, "{ev:?}");
    // The app's level and logger, not a level guessed from "failed".
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(s(&ev[0], "/logger"), "c.e.X");
    assert_eq!(s(&ev[0], "/message"), "boom");
    // The app's clock an hour off (its zone): its milliseconds, in the record's zone.
    assert_eq!(s(&ev[0], "/time"), "2026-11-30T12:00:00.123Z");
    assert_eq!(s(&ev[1], "/level"), "info");
    assert_eq!(s(&ev[1], "/message"), "retry after failed attempt");
    assert_eq!(s(&ev[1], "/time"), "2026-11-30T12:00:01.456Z");
    // Nginx's error line: its level and the request it names.
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[2], "/logger"), "nginx");
    assert_eq!(s(&ev[2], "/http/path"), "/api/x");
    // No level in the app's header: the syslog record as it was.
    assert!(ev[3]["level"].is_null(), "{}", ev[3]);
    assert_eq!(s(&ev[3], "/logger"), "app");
    // A stamp days off is not the time.
    assert_eq!(s(&ev[4], "/level"), "warn");
    assert_eq!(s(&ev[4], "/time"), "2026-11-30T12:00:04.000Z");
    assert_eq!(s(&ev[4], "/logger"), "app");
}

#[test]
fn aws_logs_tail_stream_names() {
    let log = TempLog::new(
        "tail.log",
        concat!(
            "2026-11-30T12:00:00.123000+00:00 ecs/api/3f1c2b9a8d7e4f60 {\"level\":\"error\",\"msg\":\"request failed\",\"err\":\"timeout\",\"path\":\"/api/x\",\"status\":504}\n",
            "2026-11-30T12:00:01.123000+00:00 ecs/api/3f1c2b9a8d7e4f60 2026-11-30 12:00:01,000 ERROR [main] c.e.X - boom\n",
            "2026-11-30T12:00:02.123000+00:00 2026/11/30/[$LATEST]8f0e1d2c3b4a5968 START RequestId: 8f0e1d2c Version: $LATEST\n",
            "2026/11/30 12:00:03 handlers/user.go: not a stream before text\n",
            // A stack trace: each line carries the stamp and stream.
            "2026-11-30T12:00:04.123000+00:00 ecs/api/3f1c2b9a8d7e4f60 2026-11-30 12:00:04,123 ERROR [main] c.e.X - charge failed\n",
            "2026-11-30T12:00:04.124000+00:00 ecs/api/3f1c2b9a8d7e4f60 java.net.ConnectException: Connection refused\n",
            "2026-11-30T12:00:04.124000+00:00 ecs/api/3f1c2b9a8d7e4f60 \tat com.acme.OrderService.charge(OrderService.java:42)\n",
            // Lambda's Python runtime, `[LEVEL]\tSTAMP\tREQUEST-ID\tmessage`, and its traceback.
            "2026-11-30T12:00:05.000000+00:00 2026/11/30/[$LATEST]8f0e1d2c3b4a5968 [ERROR]\t2026-11-30T12:00:05.000Z\t5e1c2b3a-1111-2222-3333-444455556666\tcharge failed\n",
            "2026-11-30T12:00:05.000000+00:00 2026/11/30/[$LATEST]8f0e1d2c3b4a5968 Traceback (most recent call last):\n",
            "2026-11-30T12:00:05.000000+00:00 2026/11/30/[$LATEST]8f0e1d2c3b4a5968   File \"/var/task/app.py\", line 10, in handler\n",
            "2026-11-30T12:00:05.000000+00:00 2026/11/30/[$LATEST]8f0e1d2c3b4a5968 ValueError: boom\n",
            "2026-11-30T12:00:06.000000+00:00 2026/11/30/[$LATEST]8f0e1d2c3b4a5968 END RequestId: 5e1c2b3a\n",
        ),
    );
    let ev = events(&[&log.path]);
    assert_eq!(ev.len(), 7, "{ev:?}");
    assert_eq!(s(&ev[4], "/level"), "error");
    assert_eq!(
        s(&ev[4], "/message"),
        "charge failed\njava.net.ConnectException: Connection refused\n\tat com.acme.OrderService.charge(OrderService.java:42)"
    );
    assert_eq!(s(&ev[5], "/level"), "error");
    assert_eq!(s(&ev[5], "/time"), "2026-11-30T12:00:05.000Z");
    assert_eq!(
        s(&ev[5], "/message"),
        "charge failed\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 10, in handler\nValueError: boom"
    );
    assert_eq!(
        s(&ev[5], "/fields/log_stream"),
        "2026/11/30/[$LATEST]8f0e1d2c3b4a5968"
    );
    same_at_any_chunk_size(&log.path, &ev);
    // The stream's JSON, and the stream as a field.
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(s(&ev[0], "/message"), "request failed: timeout");
    assert_eq!(n(&ev[0], "/http/status"), 504.0);
    assert_eq!(s(&ev[0], "/fields/log_stream"), "ecs/api/3f1c2b9a8d7e4f60");
    // The app's own header behind the stream.
    assert_eq!(s(&ev[1], "/time"), "2026-11-30T12:00:01.000Z");
    assert_eq!(s(&ev[1], "/logger"), "c.e.X");
    assert_eq!(s(&ev[1], "/message"), "boom");
    assert_eq!(s(&ev[1], "/fields/log_stream"), "ecs/api/3f1c2b9a8d7e4f60");
    // Text after the stream stays text; a path before text is no stream.
    assert!(s(&ev[2], "/message").starts_with("2026/11/30/[$LATEST]"));
    assert_eq!(
        s(&ev[3], "/message"),
        "handlers/user.go: not a stream before text"
    );
    assert!(ev[3].get("fields").is_none(), "{}", ev[3]);
}

#[test]
fn docker_compose_prefixes() {
    let path = fixture("compose.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 8, "{ev:?}");
    let containers: Vec<&str> = ev[..7].iter().map(|e| s(e, "/fields/container")).collect();
    assert_eq!(
        containers,
        [
            "api-1",
            "worker-1",
            "db-1",
            "shop_api_2",
            "web-1",
            "api-2",
            "web-2"
        ]
    );
    // JSON behind the prefix.
    assert_eq!(s(&ev[0], "/message"), "request done");
    assert_eq!(n(&ev[0], "/http/status"), 200.0);
    // A stack trace whose lines each carry the prefix joins, without them.
    assert_eq!(
        s(&ev[1], "/message"),
        "job failed\njava.lang.IllegalStateException: queue closed\n    at com.example.Worker.run(Worker.java:42)"
    );
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[2], "/message"), "checkpoint complete");
    assert_eq!(s(&ev[3], "/level"), "warn");
    // `docker compose logs -t`: the stamp, then an access line.
    assert_eq!(n(&ev[4], "/http/status"), 200.0);
    assert_eq!(s(&ev[4], "/http/path"), "/health");
    assert_eq!(s(&ev[5], "/message"), "still here");
    // A line without a header: the container's text, not the prefix, is the message.
    assert_eq!(s(&ev[6], "/message"), "plain words without a header");
    // No replica number: a line with a bar in it, not a container's.
    assert_eq!(s(&ev[7], "/message"), "status | ok");
    assert!(ev[7].get("fields").is_none(), "{}", ev[7]);
    same_at_any_chunk_size(path, &ev);
}

#[test]
fn pm2_logs_prefixes() {
    let path = fixture("pm2.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(
        lines,
        [1.0, 2.0, 3.0, 4.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]
    );
    let apps: Vec<&str> = ev
        .iter()
        .map(|e| {
            e.pointer("/fields/app")
                .and_then(Value::as_str)
                .unwrap_or("-")
        })
        .collect();
    assert_eq!(
        apps,
        [
            "-",
            "api",
            "api",
            "api",
            "worker",
            "checkout-service",
            "worker",
            "-",
            "-",
            "worker",
            "api",
            "worker",
            "api"
        ]
    );
    // pm2's own time (`time: true`) behind the prefix.
    assert_eq!(s(&ev[1], "/time"), "2026-11-30T10:00:00.000Z");
    assert_eq!(s(&ev[1], "/message"), "Server listening on 3000");
    // pino's JSON behind the prefix.
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[2], "/time"), "2026-11-30T10:00:01.000Z");
    // A bare error and its stack, each line behind the prefix, joined without them; the
    // blank line after it ends nothing.
    assert_eq!(n(&ev[3], "/lines"), 4.0);
    assert_eq!(
        s(&ev[3], "/message"),
        "Error: connect ECONNREFUSED 10.0.0.5:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n    at Protocol._enqueue (/app/node_modules/mysql/lib/protocol/Protocol.js:144:48)"
    );
    // A plain header, an access line and a logfmt line behind it.
    assert_eq!(s(&ev[5], "/level"), "error");
    assert_eq!(n(&ev[6], "/http/status"), 502.0);
    assert_eq!(s(&ev[9], "/message"), "job failed: timeout");
    assert_eq!(s(&ev[9], "/level"), "error");
    // A number and words before the bar are no pm2 process.
    assert_eq!(
        s(&ev[8], "/message"),
        "10|20 retries left | not pm2: a number after the bar"
    );
    // Interleaved apps: api's frame after worker's line continues nothing of worker's.
    assert_eq!(s(&ev[11], "/message"), "tick");
    assert_eq!(s(&ev[12], "/message"), "    at f (/app/x.js:1:1)");
    same_at_any_chunk_size(path, &ev);
}

#[test]
fn pod_prefixes_of_stern_and_kubectl() {
    let path = fixture("pods.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(n(&ev[0], "/lines"), 3.0);
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(s(&ev[0], "/logger"), "c.a.Checkout");
    assert_eq!(
        s(&ev[0], "/message"),
        "charge failed\njava.lang.IllegalStateException: boom\n\tat c.a.Checkout.charge(Checkout.java:42)"
    );
    assert_eq!(s(&ev[0], "/fields/pod"), "api-7d9f8c5b6-x2kq9");
    assert_eq!(s(&ev[0], "/fields/container"), "app");
    assert_eq!(s(&ev[1], "/time"), "2026-11-30T10:00:02.000Z");
    assert_eq!(
        s(&ev[1], "/message"),
        "db down: dial tcp 10.0.3.7:5432: connect: connection refused"
    );
    assert_eq!(s(&ev[1], "/fields/pod"), "api-7d9f8c5b6-bcdfg");
    assert_eq!(n(&ev[2], "/http/status"), 502.0);
    // An access line behind the prefix is one, with its pod.
    assert_eq!(s(&ev[2], "/message"), "GET /api/x HTTP/1.1");
    assert_eq!(s(&ev[2], "/fields/container"), "nginx");
    assert_eq!(s(&ev[3], "/message"), "ok");
    assert_eq!(s(&ev[3], "/fields/pod"), "api-7f9c-abcde");
    assert_eq!(s(&ev[3], "/fields/container"), "api");
    assert!(s(&ev[4], "/message").starts_with("web-server app 2026-11-30"));
    // With `--timestamps`: the runtime's stamp after the prefix, the app's header after it,
    // and the trace's lines joined behind both.
    assert_eq!(ev.len(), 8, "{ev:?}");
    for e in [&ev[5], &ev[7]] {
        assert_eq!(s(e, "/level"), "error");
        assert_eq!(s(e, "/logger"), "c.a.Checkout");
        assert_eq!(
            s(e, "/message"),
            "charge failed\njava.lang.IllegalStateException: boom"
        );
    }
    assert_eq!(s(&ev[6], "/message"), "db down");
    assert_eq!(s(&ev[6], "/time"), "2026-11-30T10:00:01.000Z");
    same_at_any_chunk_size(path, &ev);
}

#[test]
fn logfmt_heroku_router() {
    let ev = events_of("logfmt.log");
    assert_eq!(ev.len(), 3);
    let e = &ev[1];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/http/method"), "POST");
    assert_eq!(s(e, "/http/path"), "/checkout");
    assert_eq!(n(e, "/http/status"), 503.0);
    assert_eq!(n(e, "/http/latency_ms"), 30000.0);
    assert_eq!(s(e, "/trace_id"), "8601b555");
    assert_eq!(s(e, "/fields/code"), "H12");
    assert_eq!(s(&ev[2], "/message"), "retrying \"charge\"");
    assert_eq!(s(&ev[2], "/time"), "2024-03-05T16:00:00.000Z");
}

#[test]
fn access_log() {
    let ev = events_of("access.log");
    assert_eq!(ev.len(), 5);
    assert_eq!(s(&ev[0], "/message"), "GET /products/15?ref=home HTTP/1.1");
    assert_eq!(n(&ev[0], "/http/latency_ms"), 23.0);
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T17:00:01.000Z");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(n(&ev[1], "/http/latency_ms"), 1503.0);
    assert_eq!(s(&ev[1], "/http/upstream"), "10.0.3.7:9000");
    assert_eq!(s(&ev[2], "/level"), "warn");
    assert_eq!(n(&ev[2], "/http/latency_ms"), 1.84);
    assert!(ev[3]["http"].get("latency_ms").is_none());
    // ingress-nginx: `$request_time` sits before `[$proxy_upstream_name]`.
    assert_eq!(n(&ev[4], "/http/latency_ms"), 60001.0);
    assert_eq!(s(&ev[4], "/http/upstream"), "10.244.1.7:8080");
    assert_eq!(s(&ev[4], "/trace_id"), "1a2b3c4d5e6f708192a3b4c5d6e7f809");
}

#[test]
fn envoy_and_istio_access_lines() {
    let ev = events_of("envoy.log");
    assert_eq!(ev.len(), 4);
    let e = &ev[0];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:07.123Z");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(
        s(e, "/message"),
        "GET /api/v1/orders/88?expand=items HTTP/1.1"
    );
    assert_eq!(s(e, "/http/path"), "/api/v1/orders/88?expand=items");
    assert_eq!(n(e, "/http/status"), 503.0);
    assert_eq!(n(e, "/http/latency_ms"), 30001.0);
    assert_eq!(s(e, "/http/upstream"), "10.0.0.3:8080");
    assert_eq!(s(e, "/trace_id"), "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc");
    assert_eq!(s(e, "/fields/response_flags"), "UF");
    // The proxy's own log line among them keeps its plain header.
    assert_eq!(s(&ev[1], "/level"), "warn");
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T10:00:07.500Z");
    // Istio's longer default format: details and a quoted reason before the numbers.
    let e = &ev[2];
    assert_eq!(s(e, "/http/method"), "POST");
    assert_eq!(n(e, "/http/status"), 200.0);
    assert_eq!(n(e, "/http/latency_ms"), 42.0);
    assert_eq!(s(e, "/http/upstream"), "10.44.1.27:8080");
    // Status 0 (the client left first) is no status.
    assert!(ev[3]["http"].get("status").is_none());
    assert_eq!(n(&ev[3], "/http/latency_ms"), 3.0);
}

#[test]
fn load_balancer_lines() {
    // AWS ALB: the three processing times (seconds) add up; -1 means no answer.
    let ev = events_of("alb.log");
    assert_eq!(ev.len(), 2);
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T10:00:00.123Z");
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(n(&ev[0], "/http/status"), 502.0);
    assert_eq!(n(&ev[0], "/http/latency_ms"), 252.0);
    assert_eq!(s(&ev[0], "/http/upstream"), "10.0.0.1:80");
    assert_eq!(
        s(&ev[0], "/trace_id"),
        "Root=1-58337281-1d84f3d73c47ec4e58577259"
    );
    assert_eq!(n(&ev[1], "/http/status"), 504.0);
    assert!(ev[1]["http"].get("latency_ms").is_none());
    assert_eq!(s(&ev[1], "/http/path"), "http://shop.example:80/api/v1/pay");
    // IIS with its default W3C fields (time-taken in ms); the `#` directive lines are the
    // log's header, not events, and the events keep their own line numbers.
    let ev = events_of("iis.log");
    assert_eq!(ev.len(), 2);
    assert_eq!(n(&ev[0], "/line"), 5.0);
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(s(&ev[0], "/http/path"), "/api/orders");
    assert_eq!(n(&ev[0], "/http/latency_ms"), 1234.0);
    assert_eq!(n(&ev[1], "/line"), 6.0);
    assert_eq!(n(&ev[1], "/http/status"), 200.0);
    // Other W3C columns, as the `#Fields:` directive names them: Azure App Service's 19
    // (site, host and byte counts between IIS's defaults), and CloudFront's 33, tab-separated
    // with time-taken in seconds. Every chunk reads with the columns from the file's start.
    // The header block again after a restart (lines 8-11) is skipped as well.
    let ev = events_of("iis_azure.log");
    assert_eq!(ev.len(), 4);
    assert_eq!(s(&ev[1], "/message"), "POST /api/v1/checkout");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(n(&ev[1], "/http/status"), 502.0);
    assert_eq!(n(&ev[1], "/http/latency_ms"), 30011.0);
    assert_eq!(s(&ev[1], "/fields/s-sitename"), "SHOP-API");
    assert_eq!(s(&ev[2], "/fields/host"), "shop-api.azurewebsites.net");
    assert!(ev[2]["http"].get("latency_ms").is_none());
    assert_eq!(n(&ev[3], "/line"), 12.0);
    assert_eq!(s(&ev[3], "/http/method"), "DELETE");
    assert_eq!(s(&ev[3], "/level"), "warn");
    let path = fixture("iis_azure.log");
    same_at_any_chunk_size(path.to_str().expect("path"), &ev);
    let ev = events_of("cloudfront.log");
    assert_eq!(ev.len(), 3);
    assert_eq!(s(&ev[1], "/time"), "2019-12-04T21:02:31.000Z");
    assert_eq!(s(&ev[1], "/message"), "GET /api/catalog");
    assert_eq!(n(&ev[1], "/http/status"), 504.0);
    assert_eq!(n(&ev[1], "/http/latency_ms"), 30002.0);
    assert_eq!(
        s(&ev[1], "/fields/x-edge-detailed-result-type"),
        "OriginCommError"
    );
    assert_eq!(s(&ev[2], "/fields/x-edge-location"), "SEA19-C1");
    let path = fixture("cloudfront.log");
    same_at_any_chunk_size(path.to_str().expect("path"), &ev);
    // The same lines piped in, and with `--input-format access`: the directive at the start
    // of the stream still names the columns.
    let text = std::fs::read(fixture("cloudfront.log")).expect("fixture");
    for args in [&["-"][..], &["--input-format", "access", "-"][..]] {
        let mut all = vec!["events"];
        all.extend_from_slice(args);
        let piped: Vec<Value> = faultline_stdin(&all, &text)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(piped.len(), 3, "{args:?}");
        assert_eq!(n(&piped[1], "/http/latency_ms"), 30002.0, "{args:?}");
    }
    // HAProxy's HTTP log behind syslog: the request, its accept date (with the year) and
    // total time; other HAProxy lines stay syslog lines.
    let ev = events_of("haproxy.log");
    assert_eq!(ev.len(), 3);
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T10:00:00.123Z");
    assert_eq!(s(&ev[0], "/message"), "GET /api/v1/orders HTTP/1.1");
    assert_eq!(n(&ev[0], "/http/status"), 503.0);
    assert_eq!(n(&ev[0], "/http/latency_ms"), 251.0);
    assert_eq!(s(&ev[0], "/http/upstream"), "be_api/api2");
    assert_eq!(s(&ev[0], "/logger"), "haproxy");
    assert_eq!(s(&ev[1], "/http/path"), "/api/v1/cart/7");
    assert_eq!(s(&ev[1], "/level"), "info");
    assert!(s(&ev[2], "/message").starts_with("Server be_api/api2 is DOWN"));
    assert!(ev[2].get("http").is_none());
}

/// Runs `faultline <args>` with `input` on stdin and returns stdout.
fn faultline_stdin(args: &[&str], input: &[u8]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(input)?;
            c.wait_with_output()
        })
        .expect("run faultline");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `faultline <args>` (any command) and returns stdout.
fn faultline_out(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .output()
        .expect("run faultline");
    assert!(
        out.status.success(),
        "faultline {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn w3c_directive_lines_are_the_header_not_events() {
    let path = fixture("iis_azure.log");
    let path = path.to_str().expect("path");
    // The report counts them apart: no event without a time, no `unknown` level.
    let doc: Value =
        serde_json::from_str(&faultline_out(&["summary", "-o", "json", path])).expect("JSON");
    let ov = &doc["overview"];
    assert_eq!(ov["events"], 4, "{ov:#}");
    assert_eq!(ov["directive_lines"], 8, "{ov:#}");
    assert_eq!(ov["untimed_events"], 0, "{ov:#}");
    assert!(ov["levels"].get("unknown").is_none(), "{ov:#}");
    let text = faultline_out(&["summary", path]);
    assert!(
        text.contains("8 W3C directive lines (#Fields:, #Date: …): the log's header, not events"),
        "{text}"
    );
    assert!(!text.contains("no timestamp"), "{text}");
    let md = faultline_out(&["summary", "-o", "markdown", path]);
    assert!(md.contains("8 W3C directive lines (not events)"), "{md}");
    // `templates --per-line` still gives one object per physical line, the directives with
    // a template of their own, at any chunk size and thread count.
    let per_line = faultline_out(&["templates", "--per-line", path]);
    let tpl: Vec<String> = per_line
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            v["template"].as_str().expect("template").to_string()
        })
        .collect();
    let directive = "#<directive>: <*>";
    let want: Vec<&str> = vec![
        directive,
        directive,
        directive,
        directive,
        "GET <PATH>",
        "POST <PATH>",
        "GET <PATH>",
        directive,
        directive,
        directive,
        directive,
        "DELETE <PATH>",
    ];
    assert_eq!(tpl, want);
    for args in [
        &["--chunk-size", "10"][..],
        &["--chunk-size", "333", "--threads", "1"][..],
    ] {
        let mut a = vec!["templates", "--per-line"];
        a.extend_from_slice(args);
        a.push(path);
        assert_eq!(faultline_out(&a), per_line, "{args:?}");
    }
    // With `--input-format line` every physical line is an event, directives included.
    let line = faultline_out(&["summary", "-o", "json", "--input-format", "line", path]);
    let doc: Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(doc["overview"]["events"], 12);
    assert_eq!(doc["overview"]["directive_lines"], 0);
}

/// IIS writes a new header block when its logging fields change: the lines after a later
/// `#Fields:` are read with its columns, at any chunk size, from a file or a pipe, and in
/// `watch`.
#[test]
fn w3c_fields_changing_part_way_are_followed() {
    let path = fixture("iis_fields_change.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 5);
    assert_eq!(n(&ev[1], "/line"), 6.0);
    assert_eq!(n(&ev[1], "/http/status"), 502.0);
    assert!(ev[1]["http"].get("latency_ms").is_none());
    assert!(ev[1].get("fields").is_none());
    assert_eq!(n(&ev[3], "/line"), 12.0);
    assert_eq!(s(&ev[3], "/message"), "POST /api/v1/checkout");
    assert_eq!(n(&ev[3], "/http/status"), 503.0);
    assert_eq!(n(&ev[3], "/http/latency_ms"), 30002.0);
    assert_eq!(s(&ev[3], "/fields/s-computername"), "RD0003FF2");
    same_at_any_chunk_size(path, &ev);
    for size in ["40", "70"] {
        assert_eq!(
            events(&["--chunk-size", size, path]),
            ev,
            "chunk size {size}"
        );
    }
    let text = std::fs::read(path).expect("fixture");
    let piped: Vec<Value> = faultline_stdin(&["events", "--chunk-size", "50", "-"], &text)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(piped.len(), 5);
    assert_eq!(piped[3]["http"], ev[3]["http"]);
    // `watch` cuts its own chunks: its report has the same latency for the route.
    let batch: Value =
        serde_json::from_str(&faultline_out(&["summary", "-o", "json", path])).expect("JSON");
    let last: Value = faultline_stdin(&["watch", "-o", "json"], &text)
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .expect("report line");
    let routes = |doc: &Value| doc["endpoints"].clone();
    assert_eq!(routes(&last["summary"]), routes(&batch));
    let checkout = batch["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|r| r["route"] == "POST /api/v1/checkout")
        .cloned()
        .expect("checkout route");
    assert_eq!(checkout["requests"], 2, "{checkout:#}");
    assert_eq!(checkout["p99_ms"].as_f64(), Some(30002.0), "{checkout:#}");
}

#[test]
fn postgres_reports_and_lambda_lines() {
    let ev = events_of("postgres.log");
    assert_eq!(ev.len(), 7);
    // An error's DETAIL and STATEMENT lines (same prefix: time and pid) join it, without
    // their prefixes; another backend's line does not.
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(n(&ev[0], "/lines"), 3.0);
    assert_eq!(
        s(&ev[0], "/message"),
        "duplicate key value violates unique constraint \"users_pkey\"\nDETAIL:  Key (id)=(5) already exists.\nSTATEMENT:  INSERT INTO users VALUES (5)"
    );
    assert_eq!(n(&ev[1], "/line"), 4.0);
    assert_eq!(s(&ev[2], "/level"), "info");
    assert_eq!(s(&ev[2], "/message"), "checkpoint starting: time");
    assert_eq!(s(&ev[3], "/level"), "fatal");
    // A deadlock report: the HINT, CONTEXT and STATEMENT lines after the DETAIL's
    // tab-indented line join it too, and so do the statement's own tab-indented lines.
    let e = &ev[4];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(n(e, "/lines"), 8.0);
    assert_eq!(
        s(e, "/message"),
        "deadlock detected\nDETAIL:  Process 4500 waits for ShareLock on transaction 901; blocked by process 4501.\n\tProcess 4501 waits for ShareLock on transaction 900; blocked by process 4500.\nHINT:  See server log for query details.\nCONTEXT:  PL/pgSQL function f() line 3 at RAISE\nSTATEMENT:  SELECT a\n\tFROM t\n\tWHERE x"
    );
    // Another backend's line after the tab-indented ones stays apart; a new report of the
    // same backend is an event of its own.
    assert_eq!(n(&ev[5], "/line"), 15.0);
    assert!(s(&ev[5], "/message").starts_with("HINT:  "), "{}", ev[5]);
    assert_eq!(n(&ev[6], "/line"), 16.0);
    assert_eq!(s(&ev[6], "/level"), "info");

    // Amazon RDS's `%t:%r:%u@%d:[%p]:` prefix: time, level and the message after it (the
    // client's port stays out of it), report lines joined as behind `%m [%p] `.
    let ev = events_of("postgres_rds.log");
    assert_eq!(ev.len(), 7);
    let e = &ev[0];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:01.000Z");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(n(e, "/lines"), 4.0);
    assert_eq!(
        s(e, "/message"),
        "duplicate key value violates unique constraint \"users_pkey\"\nDETAIL:  Key (id)=(5) already exists.\nSTATEMENT:  INSERT INTO users\n\tVALUES (5)"
    );
    assert_eq!(
        s(&ev[1], "/message"),
        "duplicate key value violates unique constraint \"users_pkey\""
    );
    // A report line after another backend's line stays apart, and says what it is.
    assert_eq!(n(&ev[2], "/line"), 6.0);
    assert!(ev[2]["level"].is_null());
    assert!(s(&ev[2], "/message").starts_with("HINT:  "));
    // `[local]` for the client; an empty user and database.
    assert_eq!(s(&ev[3], "/level"), "info");
    assert!(s(&ev[3], "/message").starts_with("connection authorized"));
    assert_eq!(s(&ev[4], "/message"), "checkpoint starting: time");
    assert_eq!(s(&ev[5], "/level"), "warn");
    assert_eq!(s(&ev[6], "/level"), "fatal");

    // AWS Lambda: the request id between the stamp and the level.
    let ev = events_of("lambda.log");
    assert_eq!(ev.len(), 6);
    // The Python runtime's `[LEVEL]\tSTAMP\tREQUEST-ID\tmessage`: its time, and the
    // message without the stamp and request id.
    assert_eq!(s(&ev[5], "/level"), "error");
    assert_eq!(s(&ev[5], "/time"), "2024-03-05T10:00:01.500Z");
    assert!(s(&ev[5], "/message").starts_with("charge failed\nTraceback"));
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T10:00:00.123Z");
    // The Node runtime's `Invoke Error \t{json}`: the object's fields are read, its
    // errorMessage joins the message (as zap's console encoder's objects are read).
    assert_eq!(s(&ev[1], "/message"), "Invoke Error: x is undefined");
    assert_eq!(s(&ev[1], "/fields/errorType"), "TypeError");
    assert_eq!(s(&ev[2], "/message"), "processed 3 records");
    assert!(s(&ev[3], "/message").starts_with("END RequestId"));
}

#[test]
fn rails_tags_and_exception_reports() {
    let ev = events_of("rails.log");
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(
        lines,
        [1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 15.0, 19.0, 22.0, 23.0]
    );
    // The request-id tag is no part of the message: it is the event's trace id.
    assert_eq!(
        s(&ev[0], "/message"),
        "Started GET \"/orders/42\" for 10.0.0.7 at 2024-03-05 10:00:00 +0000"
    );
    assert_eq!(
        s(&ev[0], "/trace_id"),
        "9bb9e9fb-c555-4cba-995f-69777afcd35b"
    );
    // The two halves of a request: `Started` has the route, `Completed` the status and the
    // duration (the endpoint table pairs them by the trace id).
    assert_eq!(s(&ev[0], "/http/method"), "GET");
    assert_eq!(s(&ev[0], "/http/path"), "/orders/42");
    assert!(ev[0]["http"].get("status").is_none(), "{}", ev[0]);
    assert!(ev[1].get("http").is_none(), "{}", ev[1]);
    assert_eq!(n(&ev[2], "/http/status"), 500.0);
    assert_eq!(n(&ev[2], "/http/latency_ms"), 5004.0);
    assert!(ev[2]["http"].get("path").is_none(), "{}", ev[2]);
    assert_eq!(n(&ev[8], "/http/status"), 200.0);
    assert_eq!(n(&ev[8], "/http/latency_ms"), 31.0);
    // Rails 5+: one FATAL message, blank first line, each further line behind the tag.
    assert_eq!(s(&ev[3], "/level"), "fatal");
    assert_eq!(n(&ev[3], "/lines"), 6.0);
    let m = s(&ev[3], "/message");
    assert!(
        m.starts_with("ActiveRecord::ConnectionTimeoutError (could not"),
        "{m}"
    );
    assert!(
        m.ends_with("\napp/controllers/orders_controller.rb:12:in `show'"),
        "{m}"
    );
    assert!(!m.contains("[9bb9e9fb"), "{m}");
    // Tags that are words (ActiveJob's) go too; the job id is the trace id.
    assert!(s(&ev[4], "/message").starts_with("Performed SendReceiptJob (Job ID:"));
    assert_eq!(
        s(&ev[4], "/trace_id"),
        "0f9c2d1e-77aa-4b1c-9e0d-3c5b7a1f2e44"
    );
    // Untagged: the further lines have no prefix at all.
    assert_eq!(n(&ev[5], "/lines"), 4.0);
    assert!(s(&ev[5], "/message").starts_with("ActionController::RoutingError (No route"));
    // Rails 4: every line of the report with a header of its own.
    assert_eq!(n(&ev[6], "/lines"), 4.0);
    assert_eq!(
        s(&ev[6], "/message"),
        "NoMethodError (undefined method `total' for nil:NilClass):\n\napp/models/cart.rb:17:in `checkout'"
    );
    // Ruby's report of an uncaught exception after Sidekiq's line joins it.
    assert_eq!(s(&ev[7], "/level"), "error");
    assert_eq!(n(&ev[7], "/lines"), 3.0);
    assert_eq!(
        s(&ev[8], "/trace_id"),
        "3fd42359-92ed-4f45-9a1a-fe878b33e968"
    );
    // lograge's one line per request, through the Ruby Logger: a request record.
    assert_eq!(s(&ev[9], "/http/method"), "GET");
    assert_eq!(s(&ev[9], "/http/path"), "/orders/42");
    assert_eq!(n(&ev[9], "/http/status"), 500.0);
    assert_eq!(n(&ev[9], "/http/latency_ms"), 5003.21);
    assert_eq!(s(&ev[9], "/fields/controller"), "OrdersController");
    assert_eq!(
        s(&ev[9], "/trace_id"),
        "5b2e77c1-0d4f-4e2a-8c3b-2f1a9e6d7c80"
    );
    assert_eq!(s(&ev[9], "/time"), "2024-03-05T10:00:11.000Z");
    same_at_any_chunk_size(fixture("rails.log").to_str().expect("path"), &ev);
    // The same app logging to stdout in Kubernetes: every line behind a CRI prefix (node
    // logs) or `kubectl logs --timestamps`' stamp.
    same_behind_k8s_prefixes("rails.log", &ev, false);
}

/// The fixture `name` with every line behind a CRI prefix, then behind `kubectl logs
/// --timestamps`' stamp, gives the events `want` (times aside with `ignore_time`: the
/// prefix's stamp is the time of lines that have none) at any chunk size.
fn same_behind_k8s_prefixes(name: &str, want: &[Value], ignore_time: bool) {
    same_behind_prefixes(name, &[" stdout F", ""], want, ignore_time);
}

/// [`same_behind_k8s_prefixes`] for the given CRI tags (`""`: the stamp alone).
fn same_behind_prefixes(name: &str, tags: &[&str], want: &[Value], ignore_time: bool) {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    for tag in tags {
        let wrapped: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| format!("2024-03-05T10:00:{i:02}.000000000Z{tag} {l}\n"))
            .collect();
        let log = TempLog::new("k8s.log", &wrapped);
        let mut got = events(&[&log.path]);
        for e in &mut got {
            e["source"] = want[0]["source"].clone();
            if ignore_time {
                e["time"] = Value::Null;
            }
        }
        let want: Vec<Value> = want
            .iter()
            .cloned()
            .map(|mut e| {
                if ignore_time {
                    e["time"] = Value::Null;
                }
                e
            })
            .collect();
        assert_eq!(got, want, "{name} behind {tag:?}");
        same_at_any_chunk_size(&log.path, &events(&[&log.path]));
    }
}

#[test]
fn node_crash_report_is_one_fatal_event() {
    // Node's report of an uncaught exception: the source line and a caret, a blank line,
    // the error with its stack and properties, the version. One event, fatal, read from the
    // error's line.
    let ev = events_of("node_crash.log");
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(lines, [1.0, 2.0, 3.0, 17.0, 18.0, 27.0]);
    let e = &ev[2];
    assert_eq!(s(e, "/level"), "fatal");
    assert_eq!(n(e, "/lines"), 14.0);
    assert!(s(e, "/message").starts_with("Error: connect ECONNREFUSED 10.0.0.5:5432\n    at "));
    assert!(s(e, "/message").ends_with("}\n\nNode.js v20.11.0"));
    let e = &ev[4];
    assert_eq!(s(e, "/level"), "fatal");
    assert!(s(e, "/message").starts_with("[UnhandledPromiseRejection: "));
    // A bare `Error:` line elsewhere is a message of its own.
    assert_eq!(ev[5]["level"], Value::Null);
    assert_eq!(s(&ev[5], "/message"), "Error: not after a crash report");
    let path = fixture("node_crash.log");
    same_at_any_chunk_size(path.to_str().expect("path"), &ev);
    // The same behind a container runtime's prefix, and in Docker's json-file records.
    // (Not behind `kubectl logs --timestamps`' stamp alone: see the README's known limits.)
    same_behind_prefixes("node_crash.log", &[" stderr F"], &ev, true);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let docker: String = text
        .lines()
        .map(|l| {
            let log = serde_json::to_string(&format!("{l}\n")).expect("json");
            format!("{{\"log\":{log},\"stream\":\"stderr\",\"time\":\"2024-03-05T10:00:00Z\"}}\n")
        })
        .collect();
    let log = TempLog::new("docker.log", &docker);
    let got = events(&[&log.path]);
    let shape = |v: &[Value]| -> Vec<(Value, Value, Value)> {
        v.iter()
            .map(|e| (e["line"].clone(), e["level"].clone(), e["message"].clone()))
            .collect()
    };
    assert_eq!(shape(&got), shape(&ev));
    same_at_any_chunk_size(&log.path, &got);
    // Evidence shows the error's line.
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["templates", "-o", "json", path.to_str().expect("path")])
        .output()
        .expect("run faultline");
    let t: Value = serde_json::from_slice(&out.stdout).expect("json");
    let crash = t["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .find(|t| {
            t["template"]
                .as_str()
                .is_some_and(|x| x.starts_with("Error: connect"))
        })
        .expect("the crash's template");
    assert_eq!(
        crash["template"],
        "Error: connect ECONNREFUSED <IP>:<NUM> [exc=Error;frames=-]"
    );
    assert!(crash["examples"][0]
        .as_str()
        .is_some_and(|x| x.contains("node_crash.log:7: Error: connect")));
    // So does the refused upstream's.
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["endpoints", "-o", "json", path.to_str().expect("path")])
        .output()
        .expect("run faultline");
    let e: Value = serde_json::from_slice(&out.stdout).expect("json");
    let up = &e["upstreams"][0];
    assert_eq!(up["host"], "10.0.0.5:5432");
    assert!(up["examples"][0]["location"]
        .as_str()
        .is_some_and(|x| x.ends_with("node_crash.log:7")));
}

#[test]
fn rails8_tagged_lines_without_a_header() {
    // Rails 8's default production logger writes the request-id tag and the message, no
    // stamp and no level: every line is an event of its own (interleaved requests are not
    // joined by their tag) except an exception report's, which is one event.
    let ev = events_of("rails8.log");
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(
        lines,
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 23.0]
    );
    assert_eq!(
        s(&ev[0], "/message"),
        "Started GET \"/orders/42\" for 10.0.0.7 at 2025-03-05 10:00:00 +0000"
    );
    assert_eq!(
        s(&ev[0], "/trace_id"),
        "9bb9e9fb-c555-4cba-995f-69777afcd35b"
    );
    assert_eq!(s(&ev[0], "/http/path"), "/orders/42");
    assert_eq!(
        s(&ev[3], "/trace_id"),
        "0f9c2d1e-77aa-4b1c-9e0d-3c5b7a1f2e44"
    );
    // `Completed` has the status and duration, and its level from the status.
    assert_eq!(n(&ev[4], "/http/status"), 500.0);
    assert_eq!(n(&ev[4], "/http/latency_ms"), 5004.0);
    assert_eq!(s(&ev[4], "/level"), "error");
    assert_eq!(s(&ev[6], "/level"), "info");
    // The report: from the class line, the tags gone, fatal as Rails logs it.
    assert_eq!(n(&ev[5], "/lines"), 5.0);
    assert_eq!(s(&ev[5], "/level"), "fatal");
    assert_eq!(
        s(&ev[5], "/message"),
        "ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds):\n  \napp/models/order.rb:42:in 'Order.find_for_user'\napp/controllers/orders_controller.rb:12:in 'OrdersController#show'"
    );
    // A template error's source excerpt is part of its report.
    assert_eq!(n(&ev[11], "/lines"), 7.0);
    assert!(s(&ev[11], "/message").starts_with("ActionView::Template::Error (undefined"));
    // Indented lines of the request's own (`  Parameters:`, `  Rendered …`) are messages.
    assert!(s(&ev[2], "/message").starts_with("  Parameters: "));
    assert!(s(&ev[9], "/message").starts_with("  Rendered carts/"));
    same_at_any_chunk_size(fixture("rails8.log").to_str().expect("path"), &ev);
    // Behind a CRI prefix or `kubectl logs --timestamps`' stamp (the stamp is the time).
    same_behind_k8s_prefixes("rails8.log", &ev, true);
}

#[test]
fn monolog_channel_levels_and_exception_context() {
    // Laravel / Symfony (Monolog's LineFormatter): `[stamp] channel.LEVEL: msg`, and an
    // exception's context with its `[stacktrace]`, `#N` frames, `[previous exception]` and
    // the closing `"}` is one event.
    let ev = events_of("monolog.log");
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(lines, [1.0, 2.0, 13.0, 14.0, 15.0, 16.0]);
    let levels: Vec<&str> = ev.iter().map(|e| s(e, "/level")).collect();
    assert_eq!(levels, ["info", "error", "warn", "debug", "fatal", "info"]);
    let loggers: Vec<&str> = ev.iter().map(|e| s(e, "/logger")).collect();
    assert_eq!(
        loggers,
        [
            "production",
            "production",
            "production",
            "local",
            "request",
            "app"
        ]
    );
    assert_eq!(s(&ev[0], "/message"), "Order 42 placed {\"user_id\":7}");
    assert_eq!(n(&ev[1], "/lines"), 11.0);
    assert!(s(&ev[1], "/message").ends_with("#1 {main}\n\"}"));
    assert_eq!(s(&ev[4], "/time"), "2024-03-05T10:00:04.123Z");
    assert_eq!(s(&ev[5], "/message"), "User 7 logged in [] []");
}

#[test]
fn aspnet_core_request_finished_lines_are_requests() {
    // ASP.NET Core's console logger: `level: Category[EventId]`, the message on the indented
    // line after it; the hosting layer's `Request finished` names method, URL, status and
    // duration (ASP.NET Core 6+).
    let log = TempLog::new(
        "aspnet.log",
        "2026-11-30T08:00:00.741Z info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      \
         Request finished HTTP/1.1 GET http://api:8080/api/orders/42 - 500 0 application/json 5012.3456ms\n\
         2026-11-30T08:00:01.000Z info: Microsoft.AspNetCore.Hosting.Diagnostics[1]\n      \
         Request starting HTTP/1.1 GET http://api:8080/api/orders/43 - -\n",
    );
    let ev = events(&[&log.path]);
    assert_eq!(ev.len(), 2);
    assert_eq!(s(&ev[0], "/http/method"), "GET");
    assert_eq!(s(&ev[0], "/http/path"), "http://api:8080/api/orders/42");
    assert_eq!(n(&ev[0], "/http/status"), 500.0);
    assert_eq!(n(&ev[0], "/http/latency_ms"), 5012.346);
    // A request starting has no status: no request record.
    assert!(ev[1].pointer("/http").is_none(), "{}", ev[1]);
}

#[test]
fn celery_and_mysql_levels() {
    // Celery: `[stamp: LEVEL/process] msg`, a task's traceback joined.
    let ev = events_of("celery.log");
    assert_eq!(ev.len(), 4);
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(s(&ev[0], "/logger"), "MainProcess");
    assert_eq!(s(&ev[0], "/message"), "Connected to redis://redis:6379//");
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T10:00:01.456Z");
    assert_eq!(s(&ev[1], "/level"), "warn");
    assert_eq!(s(&ev[1], "/logger"), "ForkPoolWorker-1");
    assert!(s(&ev[1], "/message").starts_with("Task tasks.send_email["));
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(n(&ev[2], "/lines"), 5.0);
    assert!(s(&ev[3], "/message").starts_with("consumer: Cannot connect"));
    assert_eq!(s(&ev[3], "/level"), "error");

    // MySQL 8's error log: `[System]` and `[Note]` are info, `[Warning]` and `[ERROR]` as
    // written; the thread id and bracket columns stay out of the message.
    let ev = events_of("mysql.log");
    let levels: Vec<&str> = ev.iter().map(|e| s(e, "/level")).collect();
    assert_eq!(levels, ["info", "info", "warn", "error", "info"]);
    assert_eq!(
        s(&ev[0], "/message"),
        "/usr/sbin/mysqld (mysqld 8.0.36) starting as process 1"
    );
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T10:00:01.123Z");
    assert_eq!(s(&ev[3], "/message"), "Unable to lock ./ibdata1 error: 11");
    assert_eq!(s(&ev[4], "/message"), "Shutting down plugin 'mysqlx'");
}

#[test]
fn java_servers_php_and_redis_headers() {
    let ev = events_of("tomcat.log");
    assert_eq!(ev.len(), 5);
    // Tomcat's one-line format, with a stack trace joined.
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T10:00:08.123Z");
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(n(&ev[0], "/lines"), 3.0);
    assert_eq!(s(&ev[1], "/level"), "info");
    // java.util.logging's two-line records: time and logger from the first line, level and
    // message from the second, the stack trace after it.
    let e = &ev[2];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:10.000Z");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(
        s(e, "/logger"),
        "org.apache.catalina.core.StandardWrapperValve invoke"
    );
    assert!(s(e, "/message").starts_with(
        "Servlet.service() for servlet [jsp] threw exception\njava.lang.IllegalStateException"
    ));
    assert_eq!(n(e, "/lines"), 4.0);
    assert_eq!(s(&ev[3], "/time"), "2024-03-05T13:00:11.000Z");
    assert_eq!(
        s(&ev[3], "/message"),
        "Starting ProtocolHandler [\"http-nio-8080\"]"
    );
    // A level line without the header before it stays an event of its own.
    assert_eq!(n(&ev[4], "/line"), 11.0);
    assert_eq!(s(&ev[4], "/level"), "warn");
    assert!(ev[4]["time"].is_null());

    // Elasticsearch's bracketed columns; Cassandra's level, thread, then the stamp.
    let ev = events_of("cassandra_es.log");
    assert_eq!(ev.len(), 4);
    assert_eq!(s(&ev[0], "/level"), "warn");
    assert_eq!(s(&ev[0], "/message"), "high disk watermark [90%] exceeded");
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T10:00:02.123Z");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(n(&ev[1], "/lines"), 3.0);
    assert!(s(&ev[1], "/message").starts_with("Exception encountered during startup\n"));
    assert_eq!(s(&ev[2], "/time"), "2024-03-05T10:00:03.000Z");
    assert_eq!(s(&ev[2], "/message"), "Cassandra version: 4.0.1");

    let ev = events_of("php.log");
    let levels: Vec<&str> = ev.iter().map(|e| s(e, "/level")).collect();
    assert_eq!(levels, ["fatal", "warn", "info", "warn"]);
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T10:00:08.000Z");
    assert!(s(&ev[0], "/message").starts_with("PHP Fatal error:  Uncaught Error"));
    assert_eq!(
        s(&ev[3], "/message"),
        "server reached pm.max_children setting (5), consider raising it"
    );

    let ev = events_of("redis.log");
    let levels: Vec<&str> = ev.iter().map(|e| s(e, "/level")).collect();
    assert_eq!(levels, ["info", "warn", "info", "debug"]);
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T10:00:02.123Z");
    assert_eq!(
        s(&ev[1], "/message"),
        "WARNING Memory overcommit must be enabled!"
    );
}

#[test]
fn json_of_nginx_caddy_traefik_google_cloud_serilog_and_journald() {
    let ev = events_of("json_vendors.log");
    assert_eq!(ev.len(), 32);
    // Caddy writes its duration in seconds.
    assert_eq!(n(&ev[0], "/http/latency_ms"), 1500.0);
    assert_eq!(s(&ev[0], "/http/path"), "/api/v1/checkout?step=2");
    assert_eq!(n(&ev[0], "/http/status"), 502.0);
    // Google Cloud Logging: httpRequest, and the message in jsonPayload or textPayload.
    assert_eq!(s(&ev[1], "/message"), "upstream timed out");
    assert_eq!(n(&ev[1], "/http/latency_ms"), 2500.0);
    assert_eq!(s(&ev[2], "/message"), "Connection reset by peer");
    assert_eq!(s(&ev[2], "/level"), "error");
    // Serilog's request logging: the message template and its properties.
    let e = &ev[3];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:03.123Z");
    assert_eq!(s(e, "/http/method"), "GET");
    assert_eq!(s(e, "/http/path"), "/api/users/5");
    assert_eq!(n(e, "/http/status"), 500.0);
    assert_eq!(n(e, "/http/latency_ms"), 12.3);
    // Any other logger's unit-less duration stays milliseconds.
    assert_eq!(n(&ev[4], "/http/latency_ms"), 1.5);
    // `journalctl -o json`: microsecond time, syslog priority, identifier.
    let e = &ev[5];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:00.123Z");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/logger"), "nginx");
    assert_eq!(s(e, "/message"), "worker process 42 exited on signal 9");
    // Traefik's access log: status, duration in nanoseconds, and an empty message that the
    // request names.
    let e = &ev[6];
    assert_eq!(n(e, "/http/status"), 502.0);
    assert_eq!(n(e, "/http/latency_ms"), 30001.235);
    assert_eq!(s(e, "/message"), "POST /api/v1/pay");
    // Nginx's JSON log_format: `$request` gives method and path unless keys of their own do;
    // with no message and no level, the request names the event and its status the level.
    let e = &ev[7];
    assert_eq!(s(e, "/http/method"), "GET");
    assert_eq!(s(e, "/http/path"), "/api/v1/orders/5?x=1");
    assert_eq!(s(e, "/message"), "GET /api/v1/orders/5?x=1");
    assert_eq!(s(e, "/level"), "info");
    assert_eq!(n(e, "/http/latency_ms"), 12.0);
    assert_eq!(s(&ev[8], "/level"), "error");
    assert_eq!(s(&ev[8], "/message"), "POST /api/v1/checkout");
    assert_eq!(n(&ev[8], "/http/latency_ms"), 60001.0);
    assert_eq!(s(&ev[9], "/message"), "GET /x");
    // journald's `MESSAGE` as a byte array (text that is not UTF-8) is that text, decoded
    // lossily; `null` is an empty message.
    assert_eq!(
        s(&ev[10], "/message"),
        "disk /dev/sda: bad sector \u{fffd} at 0x1f"
    );
    assert_eq!(s(&ev[10], "/level"), "fatal");
    assert_eq!(s(&ev[10], "/logger"), "kernel");
    assert_eq!(s(&ev[11], "/message"), "");
    assert_eq!(s(&ev[11], "/logger"), "app");
    // .NET's JSON console formatter: PascalCase keys, the request in the hosting log's state.
    let e = &ev[12];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:12.500Z");
    assert_eq!(s(e, "/level"), "info");
    assert_eq!(s(e, "/logger"), "Microsoft.AspNetCore.Hosting.Diagnostics");
    assert_eq!(
        s(e, "/message"),
        "Request finished HTTP/1.1 GET http://shop:8080/api/orders/42 - 500 0 - 5087.1234ms"
    );
    assert_eq!(s(e, "/http/method"), "GET");
    assert_eq!(s(e, "/http/path"), "/api/orders/42");
    assert_eq!(n(e, "/http/status"), 500.0);
    assert_eq!(n(e, "/http/latency_ms"), 5087.123);
    // Serilog's `JsonFormatter`: the rendered message, the request in `Properties`.
    let e = &ev[13];
    assert_eq!(s(e, "/time"), "2024-03-05T10:00:13.000Z");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(
        s(e, "/logger"),
        "Serilog.AspNetCore.RequestLoggingMiddleware"
    );
    assert_eq!(
        s(e, "/message"),
        "HTTP \"POST\" \"/api/pay\" responded 502 in 30001.2000 ms"
    );
    assert_eq!(s(e, "/http/method"), "POST");
    assert_eq!(s(e, "/http/path"), "/api/pay");
    assert_eq!(n(e, "/http/status"), 502.0);
    assert_eq!(n(e, "/http/latency_ms"), 30001.2);
    assert_eq!(s(e, "/trace_id"), "0HN1:00000002");
    // Serilog's compact JSON leaves `@l` out at Information.
    assert_eq!(s(&ev[14], "/level"), "info");
    assert_eq!(s(&ev[14], "/message"), "Order {OrderId} shipped");
    // python-json-logger's `asctime`.
    assert_eq!(s(&ev[15], "/time"), "2024-03-05T10:00:15.250Z");
    assert_eq!(s(&ev[15], "/level"), "error");
    // Rust's tracing-subscriber JSON: the message and the event's fields under `fields`, the
    // span's request under `span`, the target as logger.
    let e = &ev[16];
    assert_eq!(s(e, "/message"), "request failed: connection refused");
    assert_eq!(s(e, "/logger"), "my_app::handlers");
    assert_eq!(s(e, "/http/path"), "/v1/orders/7");
    assert_eq!(s(e, "/fields/error"), "connection refused");
    let e = &ev[17];
    assert_eq!(n(e, "/http/status"), 200.0);
    assert_eq!(n(e, "/http/latency_ms"), 12.0);
    // GELF (Spring Boot's `gelf` structured logging): `short_message`, the syslog level, the
    // logger and error fields, the stack trace in `full_message` under the message.
    let e = &ev[18];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/logger"), "com.acme.OrderService");
    assert_eq!(
        s(e, "/message"),
        "charge failed: Connection refused\njava.net.ConnectException: Connection refused\n\tat com.acme.OrderService.charge(OrderService.java:42)"
    );
    assert_eq!(s(&ev[19], "/message"), "started");
    assert_eq!(s(&ev[19], "/level"), "info");
    // Envoy's and Istio's JSON access log: `start_time`.
    let e = &ev[20];
    assert_eq!(s(e, "/time"), "2026-11-30T12:00:00.000Z");
    assert_eq!(n(e, "/http/status"), 503.0);
    assert_eq!(s(e, "/http/upstream"), "10.0.0.5:8080");
    // express-winston: the request under `meta`.
    let e = &ev[21];
    assert_eq!(s(e, "/http/path"), "/orders/5");
    assert_eq!(n(e, "/http/status"), 500.0);
    assert_eq!(n(e, "/http/latency_ms"), 12.0);
    // MongoDB: `t.$date`, the one-letter severity, the attributes under `attr` by their own
    // names, its error object's `errmsg` joined to the message.
    let e = &ev[22];
    assert_eq!(s(e, "/time"), "2026-11-30T12:00:02.123Z");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(
        s(e, "/message"),
        "Failed to connect to sync source: Connection refused"
    );
    assert_eq!(s(e, "/fields/syncSource"), "db-2:27017");
    assert_eq!(s(e, "/fields/error.codeName"), "HostUnreachable");
    assert_eq!(s(&ev[23], "/level"), "fatal");
    assert_eq!(s(&ev[23], "/fields/reason"), "No space left on device");
    // OpenTelemetry's log record: nanoseconds in a string, `body`, `severityText`.
    let e = &ev[24];
    assert_eq!(s(e, "/time"), "2026-11-30T12:00:04.123Z");
    assert_eq!(s(e, "/message"), "payment declined");
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/trace_id"), "5b8efff798038103d269b633813fc60c");
    let e = &ev[25];
    assert_eq!(s(e, "/message"), "retrying");
    assert_eq!(s(e, "/logger"), "checkout");
    // Log4j 2's `JsonLayout`: the instant's seconds and nanoseconds, the `thrown` error.
    let e = &ev[26];
    assert_eq!(s(e, "/time"), "2026-11-30T12:00:06.123Z");
    assert_eq!(s(e, "/message"), "charge failed: Connection refused");
    assert_eq!(s(e, "/logger"), "com.acme.OrderService");
    // Datadog's `status` is a level, unless a level key says otherwise.
    assert_eq!(s(&ev[27], "/level"), "warn");
    assert_eq!(s(&ev[28], "/level"), "info");
    assert_eq!(s(&ev[28], "/fields/status"), "error");
    // Monolog's JSON formatter: the channel, the exception under `context`, the web
    // processor's request under `extra`.
    let e = &ev[29];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/logger"), "production");
    assert_eq!(
        s(e, "/message"),
        "charge failed: cURL error 7: Failed to connect to pay.example.com port 443"
    );
    assert_eq!(s(e, "/http/method"), "POST");
    assert_eq!(s(e, "/http/path"), "/checkout");
    // Caddy's error log and its reverse proxy's own lines: seconds too.
    assert_eq!(s(&ev[30], "/logger"), "http.log.error.log0");
    assert_eq!(n(&ev[30], "/http/latency_ms"), 2.0);
    assert_eq!(n(&ev[31], "/http/latency_ms"), 750.0);
    assert_eq!(s(&ev[31], "/http/upstream"), "10.0.0.9:8080");
}

#[test]
fn hashicorp_hclog_names_and_pairs() {
    // Consul, Nomad, Vault: `STAMP [LEVEL]  name: message: key=value …`.
    let ev = events_of("hclog.log");
    assert_eq!(ev.len(), 4);
    let e = &ev[1];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(s(e, "/logger"), "agent.client");
    // The `:` before the pairs is no part of the message; an RPC's `method` is no HTTP method.
    assert_eq!(
        s(e, "/message"),
        "RPC failed to server: rpc error: lead thread didn't get connection"
    );
    assert_eq!(e.pointer("/http/method"), None);
    assert_eq!(s(e, "/fields/method"), "Catalog.Register");
    assert_eq!(s(&ev[2], "/logger"), "agent.router.manager");
    let e = &ev[3];
    assert_eq!(s(e, "/message"), "Request error: Permission denied");
    assert_eq!(s(e, "/http/method"), "GET");
    assert_eq!(s(e, "/http/path"), "/v1/kv/app/config");
}

#[test]
fn kafka_logger_after_the_message() {
    // Kafka's `[%d] %p %m (%c)%n`: the class in parentheses is the logger.
    let ev = events_of("kafka.log");
    assert_eq!(ev.len(), 5);
    assert_eq!(s(&ev[0], "/message"), "Starting");
    assert_eq!(s(&ev[0], "/logger"), "kafka.server.ReplicaFetcherThread");
    // A stack trace stays under the message.
    let e = &ev[1];
    assert_eq!(s(e, "/level"), "warn");
    assert_eq!(s(e, "/logger"), "kafka.server.ReplicaFetcherThread");
    assert!(s(e, "/message")
        .starts_with("Error in response for fetch request\njava.io.IOException: Connection to 2"));
    assert_eq!(s(&ev[2], "/logger"), "kafka.controller.KafkaController");
    assert_eq!(s(&ev[2], "/message"), "Error while electing leader");
    // A host name or words in parentheses are the message's.
    assert_eq!(
        s(&ev[3], "/message"),
        "Connected to the wrong cluster (db.prod.internal)"
    );
    assert_eq!(ev[3].pointer("/logger"), None);
    assert_eq!(
        s(&ev[4], "/message"),
        "Cannot read config (see docs.Kafka.Config)"
    );
}

#[test]
fn clickhouse_and_airflow_headers() {
    let ev = events_of("clickhouse_airflow.log");
    let lines: Vec<f64> = ev.iter().map(|e| n(e, "/line")).collect();
    assert_eq!(lines, [1.0, 2.0, 7.0, 8.0, 9.0]);
    // ClickHouse: `YYYY.MM.DD` stamp, `[ thread ] {query-id} <Level> logger: msg`, its
    // numbered stack frames joined.
    let e = &ev[0];
    assert_eq!(s(e, "/time"), "2026-11-30T10:00:00.123Z");
    assert_eq!(s(e, "/level"), "info");
    assert_eq!(s(e, "/logger"), "executeQuery");
    assert_eq!(s(e, "/message"), "Read 10 rows, 1.00 KiB in 0.002 sec.");
    let e = &ev[1];
    assert_eq!(s(e, "/level"), "error");
    assert_eq!(n(e, "/lines"), 5.0);
    assert!(s(e, "/message").starts_with("Code: 60. DB::Exception: Table default.x"));
    assert_eq!(s(&ev[2], "/level"), "warn");
    assert_eq!(s(&ev[2], "/logger"), "Application");
    // Airflow: `[YYYY-MM-DD, HH:MM:SS UTC] {file.py:12} LEVEL - msg`.
    let e = &ev[4];
    assert_eq!(s(e, "/time"), "2026-11-30T10:00:01.000Z");
    assert_eq!(s(e, "/level"), "error");
    assert!(s(e, "/message").starts_with("Task failed with exception\nTraceback"));
    same_at_any_chunk_size(
        fixture("clickhouse_airflow.log").to_str().expect("path"),
        &ev,
    );
}

#[test]
fn gin_fiber_and_morgan_request_lines() {
    // Web frameworks' default request loggers: each line is a request.
    let ev = events_of("app_requests.log");
    assert_eq!(ev.len(), 18);
    assert_eq!(ev[0]["http"], Value::Null);
    let req = |e: &Value| {
        (
            s(e, "/http/method").to_string(),
            s(e, "/http/path").to_string(),
            n(e, "/http/status"),
            n(e, "/http/latency_ms"),
            s(e, "/level").to_string(),
            s(e, "/message").to_string(),
        )
    };
    let want = |m: &str, p: &str, st: f64, ms: f64, l: &str| {
        (m.into(), p.into(), st, ms, l.into(), format!("{m} {p}"))
    };
    // Gin: its own time, the Go duration.
    assert_eq!(s(&ev[1], "/time"), "2026-11-30T10:00:00.000Z");
    assert_eq!(
        req(&ev[1]),
        want("GET", "/api/orders/42", 200.0, 12.345, "info")
    );
    assert_eq!(
        req(&ev[2]),
        want("POST", "/api/pay", 503.0, 30001.234, "error")
    );
    // Fiber, after its time of day.
    assert_eq!(
        req(&ev[3]),
        want("GET", "/api/users/7", 500.0, 12.0, "error")
    );
    assert_eq!(req(&ev[4]), want("GET", "/health", 200.0, 1.5, "info"));
    // morgan's `dev` and `tiny`.
    assert_eq!(
        req(&ev[5]),
        want("GET", "/api/orders", 200.0, 12.345, "info")
    );
    assert_eq!(req(&ev[6]), want("POST", "/api/pay", 503.0, 1.2, "error"));
    assert_eq!(req(&ev[7]), want("GET", "/x", 404.0, 0.456, "warn"));
    assert_eq!(ev[8]["http"], Value::Null);
    assert_eq!(s(&ev[8], "/message"), "GET is not a request 200 ok");
    // Fly.io's `app[machine] region [level] `, a morgan line behind it.
    assert_eq!(
        req(&ev[9]),
        want("GET", "/api/orders", 200.0, 12.345, "info")
    );
    assert_eq!(s(&ev[9], "/logger"), "app");
    assert_eq!(s(&ev[10], "/level"), "error");
    assert_eq!(s(&ev[10], "/logger"), "proxy");
    assert_eq!(
        s(&ev[10], "/message"),
        "could not find a good candidate within 90 attempts at load balancing"
    );
    assert_eq!(s(&ev[11], "/logger"), "sshd");
    // A Go middleware's `METHOD path status duration` behind Go's `log` stamp.
    assert_eq!(
        req(&ev[12]),
        want("POST", "/api/orders", 502.0, 30001.0, "error")
    );
    assert_eq!(s(&ev[12], "/time"), "2026-11-30T10:00:07.000Z");
    assert_eq!(req(&ev[13]), want("GET", "/healthz", 200.0, 0.035, "info"));
    assert_eq!(ev[14]["http"], Value::Null);
    // go-chi's `middleware.Logger`, also in its colours: the URL's path.
    assert_eq!(
        req(&ev[15]),
        want("POST", "/api/pay", 503.0, 5002.0, "error")
    );
    assert_eq!(req(&ev[16]), want("GET", "/", 200.0, 0.035, "info"));
    assert_eq!(ev[17]["http"], Value::Null);
    // Behind a container runtime's prefix too (whose stamp is the time).
    same_behind_prefixes("app_requests.log", &[" stdout F"], &ev, true);
}

#[test]
fn trace_ids_in_header_brackets() {
    let ev = events_of("correlation.log");
    assert_eq!(ev.len(), 7);
    // Spring Boot 3: application name, thread and `[traceId-spanId]` brackets before the
    // padded logger column; a blank correlation bracket when there is no span.
    let e = &ev[0];
    assert_eq!(s(e, "/logger"), "c.a.web.OrderController");
    assert_eq!(s(e, "/message"), "order placed");
    assert_eq!(s(e, "/trace_id"), "6c2f3a8b9d0e1f2a6c2f3a8b9d0e1f2a");
    assert_eq!(s(&ev[1], "/message"), "charge failed");
    assert_eq!(ev[1]["trace_id"], Value::Null);
    // Spring Cloud Sleuth's `LEVEL [app,traceId,spanId] pid --- [thread] logger : msg`.
    let e = &ev[2];
    assert_eq!(s(e, "/logger"), "c.a.web.OrderController");
    assert_eq!(s(e, "/message"), "sleuth style");
    assert_eq!(s(e, "/trace_id"), "6c2f3a8b9d0e1f2a");
    // OpenTelemetry's Python logging format: the bracket's pairs; `trace_id=0` is none.
    let e = &ev[3];
    assert_eq!(s(e, "/message"), "charge failed: timeout");
    assert_eq!(s(e, "/trace_id"), "5b8efff798038103d269b633813fc60c");
    assert_eq!(s(e, "/fields/span_id"), "eee19b7ec3c1b174");
    assert_eq!(ev[4]["trace_id"], Value::Null);
    // Phoenix's `request_id` metadata, also behind a container runtime's prefix.
    assert_eq!(s(&ev[5], "/trace_id"), "F1abc");
    assert_eq!(s(&ev[6], "/trace_id"), "F1abc");
    same_behind_prefixes("correlation.log", &[" stdout F"], &ev, true);
}

#[test]
fn akka_stamp_after_the_level() {
    // Akka's `[LEVEL] [MM/dd/yyyy HH:mm:ss.SSS] [dispatcher] [source] msg`, also after a
    // marker bracket.
    let ev = events_of("akka.log");
    let got = time_level_message(&ev);
    assert_eq!(
        got,
        [
            ("2026-11-30T10:00:00.123Z", "error", "Order lookup failed"),
            (
                "2026-11-30T10:00:01.456Z",
                "warn",
                "Connection pool exhausted"
            ),
            (
                "2026-11-30T10:00:02.000Z",
                "info",
                "Cluster Node [akka://system@10.0.0.5:25520] - is moving node to Up"
            ),
            ("2026-05-11T10:00:00.123Z", "error", "month first"),
        ]
    );
}

#[test]
fn serilog_file_sink_zone_and_level() {
    // Serilog's file sink, `{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message}`:
    // the offset after a space is the stamp's, the level follows it, the exception joins.
    let ev = events_of("serilog_file.log");
    assert_eq!(
        time_level_message(&ev),
        [
            ("2026-11-30T10:00:00.123Z", "info", "Starting web host"),
            (
                "2026-11-30T10:00:01.456Z",
                "error",
                "Payment failed for order 42\nSystem.TimeoutException: The operation has timed \
                 out.\n   at Acme.Payments.Client.ChargeAsync(Order order) in /src/Client.cs:line 88"
            ),
            ("2026-11-30T15:00:02.789Z", "warn", "Slow response 1200 ms"),
        ]
    );
}

#[test]
fn koa_logger_lines() {
    // koa-logger indents its lines by two spaces: each is an event, not a continuation; the
    // response lines (`-->`, `xxx`, `-x-`) are requests, Koa's indented stack under a failed
    // one joins it.
    let ev = events_of("koa.log");
    let got: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| (s_or(e, "/level"), s_or(e, "/message")))
        .collect();
    assert_eq!(
        got,
        [
            ("", "server listening on 3000"),
            ("", "  <-- GET /api/orders"),
            ("info", "GET /api/orders"),
            ("", "  <-- POST /api/pay"),
            (
                "error",
                "POST /api/pay\n\n  Error: db down\n      at pay (/app/routes.js:10:11)"
            ),
            ("", "  <-- GET /api/report"),
            ("info", "GET /api/report"),
            ("info", "GET /api/stream"),
            ("warn", "unused variable\n  --> src/main.rs:4:5"),
        ]
    );
    let req = |e: &Value| {
        (
            s(e, "/http/method").to_string(),
            s(e, "/http/path").to_string(),
            n(e, "/http/status"),
            n(e, "/http/latency_ms"),
        )
    };
    assert_eq!(
        req(&ev[2]),
        ("GET".into(), "/api/orders".into(), 200.0, 12.0)
    );
    assert_eq!(
        req(&ev[4]),
        ("POST".into(), "/api/pay".into(), 500.0, 5002.0)
    );
    assert_eq!(req(&ev[6]).3, 30000.0);
    assert_eq!(req(&ev[7]).2, 200.0);
    assert_eq!(ev[1]["http"], Value::Null);
    same_behind_prefixes("koa.log", &[" stdout F"], &ev, true);
}

#[test]
fn nestjs_logger_lines() {
    // NestJS's ConsoleLogger, in its colours: the date as the locale writes it (en-US with
    // AM/PM, U+202F before it as Node 20 prints it, en-GB, de-DE), the level, the context as
    // the logger, the `+5ms` since the previous line dropped; an error's stack joins it.
    let ev = events_of("nest.log");
    let got: Vec<(&str, &str, &str)> = ev
        .iter()
        .map(|e| (s_or(e, "/time"), s_or(e, "/level"), s_or(e, "/message")))
        .collect();
    assert_eq!(
        got,
        [
            (
                "2026-11-30T10:00:00.000Z",
                "info",
                "Starting Nest application..."
            ),
            ("2026-11-30T10:00:00.000Z", "info", "AppController {/api}:"),
            (
                "2026-11-30T22:00:05.000Z",
                "error",
                "connect ECONNREFUSED 10.0.0.9:5432\nError: connect ECONNREFUSED 10.0.0.9:5432\n    \
                 at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"
            ),
            (
                "2026-11-30T22:00:06.000Z",
                "warn",
                "slow query took +3ms over budget"
            ),
            ("2026-11-30T00:00:07.000Z", "fatal", "unhandled rejection"),
            ("2026-11-30T22:00:08.000Z", "trace", "miss for key orders:42"),
            ("2026-11-30T22:00:09.000Z", "debug", "hit"),
            ("", "", "[Nest] 12345  - soon    LOG [Cache] not a stamp"),
        ]
    );
    let loggers: Vec<&str> = ev.iter().map(|e| s_or(e, "/logger")).collect();
    assert_eq!(
        loggers,
        [
            "NestFactory",
            "RoutesResolver",
            "ExceptionsHandler",
            "OrdersService",
            "",
            "Cache",
            "Cache",
            ""
        ]
    );
    same_behind_prefixes("nest.log", &[" stderr F"], &ev, true);
}

#[test]
fn syslog_both_rfcs() {
    let ev = events_of("syslog.log");
    assert_eq!(ev.len(), 3);
    assert_eq!(s(&ev[0], "/logger"), "sshd");
    assert_eq!(s(&ev[0], "/level"), "fatal");
    assert!(s(&ev[0], "/message").starts_with("Failed password"));
    assert_eq!(s(&ev[1], "/time"), "2024-03-05T19:00:01.003Z");
    assert_eq!(s(&ev[1], "/logger"), "postfix");
    assert_eq!(s(&ev[1], "/message"), "connect from unknown[192.0.2.1]");
    assert_eq!(s(&ev[2], "/logger"), "CRON");
    assert!(ev[2]["level"].is_null());
}

#[test]
fn plain_headers() {
    let ev = events_of("plain_misc.log");
    let got: Vec<(Option<&str>, &str)> = ev
        .iter()
        .map(|e| (e["level"].as_str(), s(e, "/message")))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("error"),
                "ActiveRecord::ConnectionTimeoutError (could not obtain a connection)"
            ),
            (Some("info"), "Completed 200 OK in 12ms"),
            (Some("error"), "sync \"default/web\" failed: conflict"),
            (Some("warn"), "cache nearly full"),
            (Some("info"), "service ready"),
            (
                Some("error"),
                "[client 192.0.2.9] File does not exist: /var/www/favicon.ico"
            ),
            (
                Some("error"),
                "[client 192.0.2.9:5555] AH01114: HTTP: failed to make connection to backend: \
                 10.0.0.9"
            ),
            (Some("error"), "Order lookup failed"),
            (Some("warn"), "from the queue in 5s - retrying"),
            (None, "no header here, just text"),
        ]
    );
    // Play's file pattern: `[LEVEL] from logger in thread - msg`.
    assert_eq!(s(&ev[7], "/logger"), "application");
    assert_eq!(ev[8]["logger"], Value::Null);
    // Apache 2.4's `[module:level]`: the module is the logger; 2.2's `[error]` names none.
    assert_eq!(ev[5]["logger"], Value::Null);
    assert_eq!(s(&ev[6], "/logger"), "proxy_http");
    assert_eq!(s(&ev[6], "/time"), "2024-03-05T20:00:05.123Z");
}

type Fields<'v> = (Option<&'v str>, Option<&'v str>, Option<&'v str>, &'v str);

/// (time without its year, level, logger, message) of every event: year-less stamps take
/// the current year or the one before (see `yearless_syslog_years`).
fn fields(ev: &[Value]) -> Vec<Fields<'_>> {
    ev.iter()
        .map(|e| {
            (
                e["time"].as_str().and_then(|t| t.get(4..)),
                e["level"].as_str(),
                e["logger"].as_str(),
                s(e, "/message"),
            )
        })
        .collect()
}

#[test]
fn column_layouts() {
    let ev = events_of("columns.log");
    let t = |x| Some(x);
    assert_eq!(
        fields(&ev),
        vec![
            (
                t("-03-05T10:11:12.345Z"),
                None,
                Some("Sensor_Hub"),
                "onStepCountChanged 812"
            ),
            (
                t("-03-05T10:00:00.123Z"),
                Some("info"),
                Some("svc.api.wsgi.server"),
                "10.0.0.5 \"GET /v2/tenants HTTP/1.1\" status: 200 len: 512"
            ),
            (
                t("-03-05T10:05:00.000Z"),
                None,
                Some("crond(pam_unix)"),
                "session opened for user nobody"
            ),
            (
                t("-03-05T10:05:01.000Z"),
                Some("fatal"),
                Some("KERNEL"),
                "data storage interrupt"
            ),
            (
                t("-03-05T10:05:02.000Z"),
                None,
                None,
                "Component State Change: Component fan3 is unavailable (HWID=12)"
            ),
            (
                t("-03-05T10:05:03.000Z"),
                Some("info"),
                Some("CBS"),
                "Loaded Servicing Stack v1.2.3 with Core: C:\\Windows\\x.dll"
            ),
            (
                t("-03-05T10:05:04.000Z"),
                None,
                Some("browser.exe"),
                "host.example.org:443 open through proxy p.example.org:8080 HTTPS"
            ),
            (
                t("-03-05T10:05:05.000Z"),
                None,
                Some("updater.exe"),
                "10.0.0.1:135 error : could not connect - refused"
            ),
            (
                t("-03-05T10:05:06.000Z"),
                None,
                Some("com.acme.Foo"),
                "started worker 3"
            ),
            (
                t("-03-05T10:05:07.000Z"),
                Some("warn"),
                None,
                "LEADING - ELECTION TOOK - 12"
            ),
        ]
    );
    // Epoch columns give the year too.
    assert_eq!(s(&ev[2], "/time"), "2024-03-05T10:05:00.000Z");
    assert_eq!(s(&ev[4], "/time"), "2024-03-05T10:05:02.000Z");
}

#[test]
fn macos_syslog_tags() {
    let ev = events_of("macos.log");
    let got: Vec<(Option<&str>, &str)> = ev
        .iter()
        .map(|e| (e["logger"].as_str(), s(e, "/message")))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("kernel"),
                "WLAN: 6201.0113: Brcm::syncPowerState: WWEN[enabled]"
            ),
            (Some("com.example.agent"), "Service exited with code 1"),
            (Some("Finder"), "Sandbox: deny file-read-data /private/x"),
            (Some("Web Browser Helper"), "CoreText note: font fallback"),
            (None, "--- last message repeated 1 time ---"),
            (Some("syslogd"), "restart."),
        ]
    );
}

#[test]
fn line_format_keeps_every_line() {
    let path = fixture("java.log");
    let ev = events(&["--input-format", "line", path.to_str().expect("path")]);
    // One event per physical line: the stack trace is not joined...
    assert_eq!(ev.len(), 11);
    // ...but a timestamped header is still read, as `plain` reads it.
    assert_eq!(s(&ev[0], "/message"), "Starting checkout service v2.3.1");
    assert_eq!(s(&ev[0], "/level"), "info");
    assert_eq!(s(&ev[0], "/time"), "2024-03-05T09:12:01.001Z");
    assert_eq!(
        s(&ev[3], "/message"),
        "\tat com.shop.payments.GatewayClient.authorize(GatewayClient.java:88)"
    );
}

/// Kubernetes node logs (CRI) prefix every line of a container's output: a Java stack trace
/// is still one event, its message without the prefixes, and it groups by crash.
#[test]
fn cri_stack_traces_join_into_one_event() {
    let mut text = String::new();
    for (i, frame) in ["Foo.bar(Foo.java:10)", "Foo.baz(Foo.java:20)"]
        .iter()
        .enumerate()
    {
        text.push_str(&format!(
            "2026-11-27T10:00:0{i}.000000001Z stdout F 2026-11-27 10:00:0{i},001 ERROR [main] c.a.Foo - Boom {i}\n\
             2026-11-27T10:00:0{i}.000000002Z stdout F java.lang.IllegalStateException: bad\n\
             2026-11-27T10:00:0{i}.000000003Z stdout F \tat com.acme.{frame}\n\
             2026-11-27T10:00:0{i}.000000004Z stderr F \tat com.acme.Main.main(Main.java:5)\n"
        ));
    }
    text.push_str("2026-11-27T10:00:05.000000001Z stdout F 2026-11-27 10:00:05,001 INFO [main] c.a.Foo - ok\n");
    let log = TempLog::new("pod.log", &text);
    let path = log.path.as_str();
    let ev = events(&[path]);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(
        s(&ev[0], "/message"),
        "Boom 0\njava.lang.IllegalStateException: bad\n\tat com.acme.Foo.bar(Foo.java:10)\n\tat com.acme.Main.main(Main.java:5)"
    );
    assert_eq!(s(&ev[0], "/level"), "error");
    same_at_any_chunk_size(path, &ev);
}

/// JSON loggers put an exception's stack in a field (logstash-logback-encoder's
/// `stack_trace`, .NET's JSON console `Exception`, structlog's `exception`): the stack goes
/// under the message, so crashes group by exception type and application frames as in a
/// plain-text log. .NET's `NullReferenceException` has the same message wherever it is thrown:
/// only the frames tell the two crash sites apart; line numbers do not split a site.
#[test]
fn json_stack_fields_group_by_crash() {
    let mut text = String::new();
    let java = |at: &str, line: u32| {
        format!(
            "java.lang.NullPointerException: null\n\tat com.acme.{at}(X.java:{line})\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n"
        )
    };
    let dotnet = |at: &str, line: u32| {
        format!(
            "System.NullReferenceException: Object reference not set to an instance of an object.\n   at Shop.{at}() in /src/Shop.cs:line {line}\n   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.Execute()"
        )
    };
    for i in 0..12u32 {
        let (site, n) = if i % 3 == 0 {
            ("PaymentClient.charge", 3)
        } else {
            ("OrderService.load", 2)
        };
        let rec = serde_json::json!({
            "@timestamp": format!("2026-11-27T10:00:{i:02}.000Z"),
            "level": "ERROR",
            "logger_name": "com.acme.Api",
            "message": "request failed",
            "stack_trace": java(site, 40 + i * n),
        });
        text.push_str(&format!("{rec}\n"));
        let site = if i % 2 == 0 {
            "Cart.Total"
        } else {
            "Checkout.Pay"
        };
        let rec = serde_json::json!({
            "Timestamp": format!("2026-11-27T10:01:{i:02}.000Z"),
            "EventId": 1,
            "LogLevel": "Error",
            "Category": "Shop.Api",
            "Message": "Unhandled exception",
            "Exception": dotnet(site, 10 + i),
        });
        text.push_str(&format!("{rec}\n"));
        // pino's serialized error: the Node stack in `err.stack`.
        let site = if i % 2 == 0 { "load" } else { "save" };
        let rec = serde_json::json!({
            "level": 50,
            "time": 1_795_744_920_000u64 + u64::from(i) * 1000,
            "msg": "request failed",
            "err": {
                "type": "Error",
                "message": format!("connect ECONNREFUSED 10.0.4.12:{}", 6379 + i),
                "stack": format!("Error: connect ECONNREFUSED 10.0.4.12:{}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n    at CartService.{site} (/app/src/services/cart.js:{}:23)", 6379 + i, 40 + i),
            },
        });
        text.push_str(&format!("{rec}\n"));
    }
    let log = TempLog::new("app.json", &text);
    let out: Value = serde_json::from_str(&faultline_out(&[
        "templates",
        &log.path,
        "--output",
        "json",
    ]))
    .expect("json");
    let mut got: Vec<(String, u64)> = out["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .map(|t| {
            let tpl = t["template"].as_str().expect("template");
            // The frames' fingerprint is a hash: keep the exception types.
            let cut = tpl.find(";frames=").unwrap_or(tpl.len());
            (tpl[..cut].to_string(), t["count"].as_u64().expect("count"))
        })
        .collect();
    got.sort();
    let java =
        "request failed: java.lang.NullPointerException: <*> [exc=java.lang.NullPointerException";
    let dotnet = "Unhandled exception: System.NullReferenceException: Object reference not set to an instance of an object. [exc=System.NullReferenceException";
    let node = "request failed: connect ECONNREFUSED <IP>:<NUM> [exc=Error";
    assert_eq!(
        got,
        [
            (dotnet.to_string(), 6),
            (dotnet.to_string(), 6),
            (node.to_string(), 6),
            (node.to_string(), 6),
            (java.to_string(), 4),
            (java.to_string(), 8)
        ],
        "{out:#}"
    );
    // The level and logger come from the keys, the event's time too.
    let ev = events(&[&log.path]);
    // (logstash-logback-encoder's stack ends in a newline; the message does not.)
    assert!(s(&ev[0], "/message").ends_with("(FrameworkServlet.java:897)"));
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[1], "/logger"), "Shop.Api");
    assert_eq!(s(&ev[1], "/time"), "2026-11-27T10:01:00.000Z");
    same_at_any_chunk_size(&log.path, &ev);
}

/// Apps in containers often stamp their lines in local time without a zone; the container
/// runtime's stamp (CRI, `kubectl logs --timestamps`, Docker's `time`) is UTC and taken
/// moments later. The app's stamp is moved into the runtime's zone (a whole number of quarter
/// hours), keeping its milliseconds; a zoned app stamp, or one that is off by no zone's
/// offset (a skewed clock), stays as it is.
#[test]
fn zone_less_app_stamps_take_the_container_runtimes_zone() {
    // (runtime stamp, app line, the event's time)
    let lines = [
        // New York (UTC-5), a Spring Boot line.
        (
            "2026-11-27T15:00:00.123456789Z",
            "2026-11-27 10:00:00.120  ERROR 1 --- [main] c.a.Foo : Boom",
            "2026-11-27T15:00:00.120Z",
        ),
        // India (UTC+5:30), Python logging.
        (
            "2026-11-27T15:00:01.000000000Z",
            "2026-11-27 20:30:00,990 ERROR app: Boom",
            "2026-11-27T15:00:00.990Z",
        ),
        // A JSON line with a zone-less time, Berlin (UTC+1), a day later in local time.
        (
            "2026-11-27T23:30:00.000000000Z",
            r#"{"time":"2026-11-28T00:30:00.000","level":"error","msg":"Boom"}"#,
            "2026-11-27T23:30:00.000Z",
        ),
        // A Ruby Logger header (Rails), Los Angeles (UTC-8).
        (
            "2026-11-27T18:00:02.000000000Z",
            "E, [2026-11-27T10:00:01.500000 #1] ERROR -- : Boom",
            "2026-11-27T18:00:01.500Z",
        ),
        // A zoned app stamp stays, even minutes off the runtime's.
        (
            "2026-11-27T15:00:03.000000000Z",
            "2026-11-27T16:03:00.000+01:00 ERROR app: Boom",
            "2026-11-27T15:03:00.000Z",
        ),
        // A zone-less stamp seven minutes off (a skewed clock, no zone's offset) stays.
        (
            "2026-11-27T15:00:04.000000000Z",
            "2026-11-27 15:07:04,000 ERROR app: Boom",
            "2026-11-27T15:07:04.000Z",
        ),
    ];
    let want: Vec<&str> = lines.iter().map(|l| l.2).collect();
    let mut cri = String::new();
    let mut kubectl = String::new();
    let mut docker = String::new();
    for (rt, app, _) in lines {
        cri.push_str(&format!("{rt} stdout F {app}\n"));
        kubectl.push_str(&format!("{rt} {app}\n"));
        docker.push_str(&format!(
            "{{\"log\":{},\"stream\":\"stdout\",\"time\":\"{rt}\"}}\n",
            serde_json::to_string(&format!("{app}\n")).expect("json")
        ));
    }
    for (name, text) in [
        ("cri.log", cri),
        ("kubectl.log", kubectl),
        ("docker.log", docker),
    ] {
        let log = TempLog::new(name, &text);
        let ev = events(&[&log.path]);
        let got: Vec<&str> = ev.iter().map(|e| s(e, "/time")).collect();
        assert_eq!(got, want, "{name}");
        assert!(
            ev.iter().all(|e| s(e, "/level") == "error"),
            "{name}: {ev:?}"
        );
        same_at_any_chunk_size(&log.path, &ev);
    }
}

/// Docker's json-file driver writes every line of a container's output as its own JSON
/// record: a Java stack trace and a Python traceback still become one event each, the message
/// being the unescaped lines, whatever the chunk size.
#[test]
fn docker_stack_traces_join_into_one_event() {
    let rec = |log: &str, stream: &str, t: u32| {
        format!(
            "{{\"log\":{},\"stream\":\"{stream}\",\"time\":\"2026-11-27T10:00:0{t}.000000001Z\"}}\n",
            serde_json::to_string(&format!("{log}\n")).expect("json")
        )
    };
    let mut text = String::new();
    text.push_str(&rec(
        "2026-11-27 10:00:00,001 ERROR [main] c.a.Foo - Boom",
        "stderr",
        0,
    ));
    text.push_str(&rec(
        "java.lang.IllegalStateException: bad \"x\"",
        "stderr",
        0,
    ));
    text.push_str(&rec("\tat com.acme.Foo.bar(Foo.java:10)", "stderr", 0));
    text.push_str(&rec("\t... 3 more", "stderr", 0));
    text.push_str(&rec(
        "2026-11-27 10:00:01,001 INFO [main] c.a.Foo - ok",
        "stdout",
        1,
    ));
    text.push_str(&rec("ERROR:root:handler crashed", "stderr", 2));
    text.push_str(&rec("Traceback (most recent call last):", "stderr", 2));
    text.push_str(&rec("  File \"app.py\", line 3, in <module>", "stderr", 2));
    text.push_str(&rec("ValueError: bad", "stderr", 2));
    // A record Docker would write with `\u0009` for the tab still continues the event.
    text.push_str(
        "{\"log\":\"\\u0009at com.acme.Main.main(Main.java:5)\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-27T10:00:02.5Z\"}\n",
    );
    text.push_str(&rec("{\"level\":\"info\",\"msg\":\"done\"}", "stdout", 3));
    let log = TempLog::new("container-json.log", &text);
    let path = log.path.as_str();
    let ev = events(&[path]);
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(
        s(&ev[0], "/message"),
        "Boom\njava.lang.IllegalStateException: bad \"x\"\n\tat com.acme.Foo.bar(Foo.java:10)\n\t... 3 more"
    );
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(ev[0]["lines"], 4);
    assert_eq!(s(&ev[1], "/message"), "ok");
    assert_eq!(
        s(&ev[2], "/message"),
        "handler crashed\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nValueError: bad\n\tat com.acme.Main.main(Main.java:5)"
    );
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[3], "/message"), "done");
    assert_eq!(s(&ev[3], "/level"), "info");
    same_at_any_chunk_size(path, &ev);
}

/// Syslog stamps carry no year: `--year` gives one; by default a stamp gets the current year
/// unless that would put it after tomorrow, so none is ever dated in the future and a
/// December-to-January log keeps its order when read in the new year.
#[test]
fn yearless_syslog_years() {
    let log = TempLog::new(
        "messages",
        "Dec 31 23:59:58 gw01 sshd[1]: Failed password for root\n\
         Jan  1 00:00:02 gw01 sshd[1]: Failed password for root\n",
    );
    let path = log.path.as_str();
    let ev = events(&["--year", "2024", path]);
    assert_eq!(ev.len(), 2);
    assert_eq!(s(&ev[0], "/time"), "2024-12-31T23:59:58.000Z");
    assert_eq!(s(&ev[1], "/time"), "2024-01-01T00:00:02.000Z");
    let today = jiff::Zoned::now().date();
    let ev = events(&[path]);
    assert_eq!(ev.len(), 2);
    let now = jiff::Timestamp::now().as_second();
    let secs = |e: &Value| {
        s(e, "/time")
            .parse::<jiff::Timestamp>()
            .expect("RFC 3339 time")
            .as_second()
    };
    for e in &ev {
        let t = secs(e);
        assert!(t <= now + 2 * 86_400, "{e} is in the future");
        assert!(t + 367 * 86_400 > now, "{e} is over a year old");
    }
    // In order: Dec 31 of one year, then Jan 1 of the next, 4 seconds later. (Only read
    // on Dec 30 do both stamps get the current year: Dec 31 is tomorrow, Jan 1 past.)
    if (today.month(), today.day()) != (12, 30) {
        assert_eq!(secs(&ev[1]) - secs(&ev[0]), 4, "{ev:?}");
    }
}

/// Lines over 16 KiB are split by the runtime: CRI `P` records, Docker records whose `log`
/// lacks its newline. The parts are one event again, the line whole (a JSON app line is then
/// parsed as JSON), at every chunk size.
#[test]
fn split_long_lines_are_rejoined() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = "x".repeat(300);
    let json_line = format!(r#"{{"level":"error","msg":"payload rejected","body":"{big}"}}"#);
    let (a, b) = json_line.split_at(40);
    let (b, c) = b.split_at(150);
    let cri = dir.path().join("pod.log");
    std::fs::write(
        &cri,
        format!(
            "2026-11-27T10:00:00.000000001Z stdout F 2026-11-27 10:00:00,001 INFO [main] c.a.Foo - before\n\
             2026-11-27T10:00:01.000000001Z stdout P {a}\n\
             2026-11-27T10:00:01.000000002Z stdout P {b}\n\
             2026-11-27T10:00:01.000000003Z stdout F {c}\n\
             2026-11-27T10:00:02.000000001Z stdout P 2026-11-27 10:00:02,001 WARN [main] c.a.Foo - long {big}\n\
             2026-11-27T10:00:02.000000002Z stdout F  tail\n\
             2026-11-27T10:00:03.000000001Z stdout F 2026-11-27 10:00:03,001 INFO [main] c.a.Foo - after\n"
        ),
    )
    .expect("write");
    let rec = |log: &str| {
        format!(
            "{{\"log\":{},\"stream\":\"stdout\",\"time\":\"2026-11-27T10:00:01.5Z\"}}\n",
            serde_json::to_string(log).expect("json")
        )
    };
    let docker = dir.path().join("container-json.log");
    std::fs::write(
        &docker,
        [
            rec("2026-11-27 10:00:00,001 INFO [main] c.a.Foo - before\n"),
            rec(a),
            rec(b),
            rec(&format!("{c}\n")),
            rec("2026-11-27 10:00:03,001 INFO [main] c.a.Foo - after\n"),
        ]
        .concat(),
    )
    .expect("write");
    let cri_path = cri.to_str().expect("path");
    let ev = events(&[cri_path]);
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(s(&ev[1], "/message"), "payload rejected");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!(s(&ev[1], "/time"), "2026-11-27T10:00:01.000Z");
    assert_eq!(ev[1]["lines"], 3);
    assert_eq!(s(&ev[2], "/message"), format!("long {big} tail"));
    assert_eq!(s(&ev[2], "/level"), "warn");
    let docker_path = docker.to_str().expect("path");
    let dv = events(&[docker_path]);
    assert_eq!(dv.len(), 3, "{dv:?}");
    assert_eq!(s(&dv[1], "/message"), "payload rejected");
    assert_eq!(s(&dv[1], "/level"), "error");
    assert_eq!(s(&dv[1], "/time"), "2026-11-27T10:00:01.500Z");
    assert_eq!(s(&dv[2], "/message"), "after");
    same_at_any_chunk_size(cri_path, &ev);
    same_at_any_chunk_size(docker_path, &dv);
}

/// The runtime writes stdout and stderr to one file, so a record of one stream can fall
/// between the parts of the other's split line: the parts are joined without it, and it
/// is an event of its own, in CRI and Docker logs alike, at every chunk size. Every line
/// still gets one template with `--per-line`.
#[test]
fn split_lines_join_their_own_stream_only() {
    let path = fixture("cri_interleaved.log");
    let path = path.to_str().expect("path");
    let ev = events(&[path]);
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(s(&ev[1], "/message"), "batch failed");
    assert_eq!(s(&ev[1], "/level"), "error");
    assert_eq!((&ev[1]["line"], &ev[1]["lines"]), (&2.into(), &3.into()));
    assert_eq!(
        s(&ev[2], "/message"),
        "watch of *v1.Pod ended with: too old resource version"
    );
    assert_eq!(s(&ev[2], "/level"), "warn");
    assert_eq!(ev[2]["line"], 3);
    assert_eq!(s(&ev[3], "/message"), "done");
    same_at_any_chunk_size(path, &ev);
    let per_line = faultline_out(&["templates", "--per-line", path]);
    assert_eq!(per_line.lines().count(), 6, "{per_line}");

    let text = std::fs::read_to_string(path).expect("read");
    let docker: String = text
        .lines()
        .map(|l| {
            let (head, body) = l.split_at(40);
            let rec = serde_json::json!({
                "log": if head.ends_with("P ") { body.to_string() } else { format!("{body}\n") },
                "stream": &head[31..37],
                "time": &head[..30],
            });
            format!("{rec}\n")
        })
        .collect();
    let log = TempLog::new("docker-interleaved.log", &docker);
    let dv = events(&[&log.path]);
    assert_eq!(dv.len(), 4, "{dv:?}");
    for (d, c) in dv.iter().zip(&ev) {
        for key in ["/line", "/lines", "/level", "/message"] {
            assert_eq!(d.pointer(key), c.pointer(key), "{key} of {d}");
        }
    }
    same_at_any_chunk_size(&log.path, &dv);
}

/// A plain log run through Docker's json-file driver or a Kubernetes runtime (one record per
/// line, stack traces included, lines over 60 bytes split into partial records as the
/// runtimes split lines over 16 KiB) gives exactly the templates of the plain log: same ids,
/// same counts, and the same example text (the app's lines, as `kubectl logs` and `docker
/// logs` show them, not the runtime's records).
#[test]
fn container_wrapped_log_templates_like_the_plain_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let templates = |path: &Path| -> Vec<(String, u64, Vec<String>)> {
        let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(["templates", "--top", "1000", "-o", "json"])
            .arg(path)
            .output()
            .expect("run faultline");
        assert!(out.status.success());
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        doc["templates"]
            .as_array()
            .expect("templates")
            .iter()
            .map(|t| {
                // `file:line: text`: the text (the records' lines differ from the plain log's).
                let examples = t["examples"]
                    .as_array()
                    .expect("examples")
                    .iter()
                    .map(|e| {
                        let e = e.as_str().expect("example");
                        e.split_once(".log:")
                            .or_else(|| e.split_once(".jsonl:"))
                            .and_then(|(_, rest)| rest.split_once(": "))
                            .map_or_else(|| e.to_string(), |(_, text)| text.to_string())
                    })
                    .collect();
                (
                    s(t, "/id").to_string(),
                    t["count"].as_u64().unwrap_or(0),
                    examples,
                )
            })
            .collect()
    };
    // A Java/log4j log with stack traces, and a JSON request log.
    for name in ["app.log", "api.jsonl"] {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/example/incident")
            .join(name);
        let (docker, cri) = container_wrapped(&std::fs::read(&src).expect("read"));
        let plain = templates(&src);
        assert!(plain.len() > 5, "{plain:?}");
        for (kind, text) in [("docker", docker), ("cri", cri)] {
            let p = dir.path().join(format!("{kind}-{name}"));
            std::fs::write(&p, text).expect("write");
            assert_eq!(templates(&p), plain, "{kind} {name}");
        }
    }
}

/// `text` as Docker json-file records and as CRI records, lines over 60 bytes split into
/// partial records. The runtime stamps a record as the app writes it: with the time of the
/// app's last stamped line (its header's, or a JSON line's `time`), in UTC.
fn container_wrapped(text: &[u8]) -> (String, String) {
    let (mut docker, mut cri) = (String::new(), String::new());
    let mut stamp = "2026-11-27T00:00:00.000".to_string();
    for (i, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(line);
        let body = line.trim_end_matches('\n');
        let own = body
            .strip_prefix(r#"{"time":""#)
            .or_else(|| body.strip_prefix(r#"{"ts":""#))
            .unwrap_or(body)
            .get(..23)
            .filter(|t| t.starts_with("2026-") && t.as_bytes()[13] == b':');
        if let Some(t) = own {
            stamp = format!("{}T{}.{}", &t[..10], &t[11..19], &t[20..23]);
        }
        let stream = if i % 2 == 0 { "stdout" } else { "stderr" };
        let mut parts: Vec<&str> = Vec::new();
        let mut rest = body;
        while rest.len() > 60 {
            let mut cut = 60;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            parts.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        parts.push(rest);
        for (k, part) in parts.iter().enumerate() {
            let last = k + 1 == parts.len();
            let log = if last {
                format!("{part}\n")
            } else {
                part.to_string()
            };
            let rec = serde_json::json!({
                "log": log,
                "stream": stream,
                "time": format!("{stamp}000000Z"),
            });
            docker.push_str(&rec.to_string());
            docker.push('\n');
            let tag = if last { 'F' } else { 'P' };
            cri.push_str(&format!("{stamp}000001Z {stream} {tag} {part}\n"));
        }
    }
    (docker, cri)
}

/// Lines in another layout than their source's (a JSON service printing plain lines and a
/// raw stack trace, an access-log line piped in with them) still get their time, level and
/// fields, and the stack trace joins its line, at every chunk size.
#[test]
fn mixed_layouts_in_one_source() {
    let log = TempLog::new(
        "mixed.log",
        "{\"ts\":\"2026-11-27T10:00:00Z\",\"level\":\"info\",\"msg\":\"started\"}\n\
         {\"ts\":\"2026-11-27T10:00:01Z\",\"level\":\"info\",\"msg\":\"listening\"}\n\
         {\"ts\":\"2026-11-27T10:00:02Z\",\"level\":\"warn\",\"msg\":\"slow\"}\n\
         2026-11-27 10:00:03,001 ERROR [main] c.a.Foo - Request failed\n\
         java.lang.IllegalStateException: boom\n\
         \tat com.acme.Foo.bar(Foo.java:10)\n\
         10.0.0.1 - - [27/Nov/2026:10:00:04 +0000] \"GET /health HTTP/1.1\" 503 12\n\
         {\"ts\":\"2026-11-27T10:00:05Z\",\"level\":\"info\",\"msg\":\"done\"}\n",
    );
    let path = log.path.as_str();
    let ev = events(&[path]);
    assert_eq!(ev.len(), 6, "{ev:?}");
    assert_eq!(
        s(&ev[3], "/message"),
        "Request failed\njava.lang.IllegalStateException: boom\n\tat com.acme.Foo.bar(Foo.java:10)"
    );
    assert_eq!(s(&ev[3], "/level"), "error");
    assert_eq!(s(&ev[3], "/time"), "2026-11-27T10:00:03.001Z");
    assert_eq!(s(&ev[4], "/time"), "2026-11-27T10:00:04.000Z");
    assert_eq!(s(&ev[4], "/level"), "error");
    assert_eq!(ev[4]["http"]["status"], 503);
    assert_eq!(s(&ev[5], "/message"), "done");
    same_at_any_chunk_size(path, &ev);
    // A JSON line in a plain source is read as JSON.
    let plain = TempLog::new(
        "plain.log",
        "2026-11-27 10:00:00,001 INFO [main] c.a.Foo - started\n\
         2026-11-27 10:00:01,001 INFO [main] c.a.Foo - listening\n\
         {\"ts\":\"2026-11-27T10:00:02Z\",\"level\":\"error\",\"msg\":\"from json\"}\n",
    );
    let ev = events(&[&plain.path]);
    assert_eq!(s(&ev[2], "/message"), "from json");
    assert_eq!(s(&ev[2], "/level"), "error");
    assert_eq!(s(&ev[2], "/time"), "2026-11-27T10:00:02.000Z");
}

/// Zone abbreviations after a stamp (`2024-01-01 10:00:00 PST`, `date`'s and Java's
/// `Mon Jan 01 10:00:00 PST 2024`) set the offset, and a level word after a ctime stamp is a
/// level, not a syslog host.
#[test]
fn zone_names_and_ctime_levels() {
    let log = TempLog::new(
        "tz.log",
        "Mon Jan 01 10:00:00 PST 2024 ERROR something broke\n\
         Sun Dec 04 04:47:44 2005 WARN disk low\n\
         2024-07-01 10:00:00 CEST INFO started\n",
    );
    let ev = events(&[&log.path]);
    let got = time_level_message(&ev);
    assert_eq!(
        got,
        [
            ("2024-01-01T18:00:00.000Z", "error", "something broke"),
            ("2005-12-04T04:47:44.000Z", "warn", "disk low"),
            ("2024-07-01T08:00:00.000Z", "info", "started"),
        ]
    );
}

/// Without a timestamp a line is a message as it is, even one that starts with a level word
/// (the accuracy scorer's content mode feeds such lines).
#[test]
fn line_format_keeps_untimed_lines_whole() {
    let log = TempLog::new(
        "content.log",
        "ERROR IN CONTACTING RM.\nerror: Received disconnect from 10.0.0.1: 3\n20171223-22:16:0:119|Step_LSC|30002312|onStandStepChanged 3579\n",
    );
    let ev = events(&["--input-format", "line", &log.path]);
    assert_eq!(ev.len(), 3);
    assert_eq!(s(&ev[0], "/message"), "ERROR IN CONTACTING RM.");
    assert_eq!(
        s(&ev[1], "/message"),
        "error: Received disconnect from 10.0.0.1: 3"
    );
    // A compact stamp that does not zero-pad its seconds is still a header.
    assert_eq!(s(&ev[2], "/message"), "onStandStepChanged 3579");
    assert_eq!(s(&ev[2], "/time"), "2017-12-23T22:16:00.119Z");
}

#[test]
fn tz_and_custom_keys() {
    let log = TempLog::new(
        "custom.log",
        "{\"when\":\"2024-07-01 10:00:00\",\"sev\":\"crit\",\"body\":\"boom\"}\n",
    );
    let p = log.path.as_str();
    let ev = events(&[
        "--tz",
        "Europe/Berlin",
        "--time-key",
        "when",
        "--level-key",
        "sev",
        "--message-key",
        "body",
        p,
    ]);
    assert_eq!(s(&ev[0], "/time"), "2024-07-01T08:00:00.000Z");
    assert_eq!(s(&ev[0], "/level"), "fatal");
    assert_eq!(s(&ev[0], "/message"), "boom");
}

#[test]
fn fixtures_do_not_depend_on_chunk_size() {
    for name in [
        "java.log",
        "python.log",
        "go.log",
        "zap.log",
        "kv_tail.log",
        "pods.log",
        "dotnet.log",
        "json.log",
        "plain_misc.log",
        "gunicorn_flask.log",
        "pm2.log",
        "columns.log",
        "macos.log",
        "envoy.log",
        "tomcat.log",
        "redis.log",
        "postgres.log",
        "postgres_rds.log",
        "celery.log",
        "mysql.log",
        "rails.log",
        "rails8.log",
        "node_crash.log",
        "monolog.log",
        "haproxy.log",
        "cassandra_es.log",
        "nest.log",
        "koa.log",
        "serilog_file.log",
    ] {
        let path = fixture(name);
        let p = path.to_str().expect("path");
        let want = run_raw(&[p]);
        for size in ["1", "7", "64"] {
            assert_eq!(
                run_raw(&["--chunk-size", size, p]),
                want,
                "{name} at {size}"
            );
        }
    }
}

/// Pieces a generated log is made of: single lines, traces, and junk that must not break it.
const PIECES: &[&str] = &[
    "2024-03-05 09:12:01,001 INFO [main] com.shop.A - started\n",
    "2024-03-05 09:12:02,000 ERROR [main] com.shop.A - failed\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: y\n\t... 3 more\n",
    "2024-03-05 10:00:00,456 - w - ERROR - crashed\nTraceback (most recent call last):\n  File \"a.py\", line 1, in f\n    g()\nValueError: bad\n",
    "2024/03/05 11:00:07 panic\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:7 +0x1\n\n",
    "/app/server.js:12\n    throw err\n    ^\n\nError: boom\n    at f (/app/server.js:12:5) {\n  code: 'E'\n}\n\nNode.js v20.1.0\n",
    "[Nest] 7  - 11/30/2026, 10:00:05 PM   ERROR [X] down +5ms\nError: down\n    at f (/app/a.js:1:1)\n",
    "2024-03-05T09:12:04.000000003Z stderr F Error: boom\n",
    "\tstray indented line\n",
    "no header line\n",
    "\n",
    "WARN something\r\n",
    "2024-03-05T09:12:03.000000001Z stdout P {\"level\":\"error\",\"msg\":\"long\n",
    "2024-03-05T09:12:03.000000002Z stdout F  line\"}\n",
    "2024-03-05T09:12:04.000000001Z stderr F \tat a.B.c(B.java:1)\n",
    "Mar 05, 2024 10:00:10 AM org.a.B invoke\n",
    "SEVERE: failed\n",
    "2024-03-05 10:00:01.123 UTC [4321] ERROR:  duplicate key\n",
    "2024-03-05 10:00:01.123 UTC [4321] DETAIL:  Key (id)=(5) already exists.\n",
    "\tFROM t\n",
    "2024-03-05 10:00:01 UTC:10.0.1.23(52344):app@orders:[4321]:ERROR:  duplicate key\n",
    "2024-03-05 10:00:01 UTC:10.0.1.23(52344):app@orders:[4321]:DETAIL:  Key (id)=(5)\n",
    "2024-03-05 10:00:01.123 UTC [4321] HINT:  See server log.\n",
    "2024-03-05 10:00:01.123 UTC [4322] CONTEXT:  another backend\n",
    "[2024-03-05T10:00:07.123Z] \"GET /a HTTP/1.1\" 503 UF 0 91 30001 - \"-\" \"ua\" \"r\" \"h\" \"10.0.0.3:8080\"\n",
    "F, [2024-03-05T10:00:05.106000 #41] FATAL -- : [9bb9e9fb-c555-4cba-995f] \n",
    "[9bb9e9fb-c555-4cba-995f] NoMethodError (undefined method `x' for nil):\n",
    "[9bb9e9fb-c555-4cba-995f] app/models/order.rb:42:in `find'\n",
    "F, [2024-03-05T10:00:05.106000 #41] FATAL -- :   \n",
    "I, [2024-03-05T10:00:05.107000 #41]  INFO -- : [ActiveJob] [9bb9e9fb-c555-4cba-995f] done\n",
    "app/x.rb:9:in `perform': undefined method `id' for nil:NilClass (NoMethodError)\n",
    "[2024-03-05 10:00:01] production.ERROR: refused {\"exception\":\"[object] (E(code: 1): x at /a.php:1)\n",
    "[stacktrace]\n#0 /var/www/app/A.php(31): A->b()\n#1 {main}\n\"}\n",
    "x.rb:1:in '\n",
    "[9bb9e9fb-c555-4cba-995f] Started GET \"/a\" for 10.0.0.7 at 2025-03-05 10:00:00 +0000\n",
    "[9bb9e9fb-c555-4cba-995f]   \n[9bb9e9fb-c555-4cba-995f] E (x):\n",
    "[9bb9e9fb-c555-4cba-995f]     1: <h1>\n",
    "[9bb9e9fb-c555-4cba-995f]   \n",
    "[9bb9e9fb-c555-4cba-995f] Completed 500 Internal Server Error in 3ms\n",
];

/// The same for JSON sources: Docker json-file records (whole lines, stack-trace records, split
/// long lines), other JSON, and plain lines and raw stack traces among them.
const DOCKER_PIECES: &[&str] = &[
    "{\"log\":\"2024-03-05 09:12:01,001 INFO [main] A - started\\n\",\"stream\":\"stdout\",\"time\":\"2024-03-05T09:12:01Z\"}\n",
    "{\"log\":\"java.lang.IllegalStateException: x\\n\",\"stream\":\"stderr\",\"time\":\"2024-03-05T09:12:02Z\"}\n",
    "{\"log\":\"\\tat a.B.c(B.java:1)\\n\",\"stream\":\"stderr\",\"time\":\"2024-03-05T09:12:02Z\"}\n",
    "{\"log\":\"{\\\"level\\\":\\\"warn\\\",\",\"stream\":\"stdout\",\"time\":\"2024-03-05T09:12:03Z\"}\n",
    "{\"log\":\"\\\"msg\\\":\\\"split\\\"}\\n\",\"stream\":\"stdout\",\"time\":\"2024-03-05T09:12:03Z\"}\n",
    "{\"level\":\"info\",\"msg\":\"plain json\"}\n",
    "not json at all\n",
    "\n",
    "2024-03-05 09:12:09,001 ERROR [main] A - plain line\n",
    "\tat a.B.c(B.java:1)\n",
    "Caused by: java.io.IOException: y\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Any mix of events gives the same events for any chunk size.
    #[test]
    fn events_identical_for_any_chunk_size(
        picks in proptest::collection::vec(0..PIECES.len(), 1..40),
        size in 1usize..200,
    ) {
        let (whole, cut) = whole_and_cut(PIECES, &picks, "plain", size);
        prop_assert_eq!(cut, whole);
    }

    /// Docker json-file records, joined or not, give the same events for any chunk size.
    #[test]
    fn docker_events_identical_for_any_chunk_size(
        picks in proptest::collection::vec(0..DOCKER_PIECES.len(), 1..40),
        size in 1usize..200,
    ) {
        let (whole, cut) = whole_and_cut(DOCKER_PIECES, &picks, "json", size);
        prop_assert_eq!(cut, whole);
    }
}

/// `faultline events` output for the log made of `pieces[picks]`, read in `format` whole and
/// with chunks of `size` bytes.
fn whole_and_cut(pieces: &[&str], picks: &[usize], format: &str, size: usize) -> (String, String) {
    let text: String = picks.iter().map(|&i| pieces[i]).collect();
    let log = TempLog::new("gen.log", &text);
    let p = log.path.as_str();
    let size = size.to_string();
    (
        run_raw(&["--input-format", format, p]),
        run_raw(&["--input-format", format, "--chunk-size", &size, p]),
    )
}

/// Messages that must come out whole behind any header: numbers, brackets, dashes, colons,
/// pipes, level words and double spaces at their start.
const TRICKY_MESSAGES: &[&str] = &[
    "session closed for user nobody",
    "12 apples and 3 pears",
    "1 - one",
    "- starts with a dash",
    "A/a {",
    "A  a=#",
    "[x.c:1831]: No topology change",
    "(root) CMD (run-parts /etc/cron.hourly)",
    "INFO this is not the level",
    "error: something failed",
    "Component State Change: Component fan3 is unavailable (HWID=12)",
    "key=value other=\"quoted value\"",
    "a|b|c piped",
    "10.0.0.1:135 open through proxy p:8080 HTTPS",
    "WWEN[enabled] ARPT: 6201.0113: x::y",
    "Foo  bar with double spaces",
    "onExtend:1514038530000 14 0 4",
    "\"GET /v2/x HTTP/1.1\" status: 200 len: 1893 time: 0.2477829",
    "x",
    // Numbers then a single capital: logcat's `pid D`, but message text behind `name - `.
    "0 V",
];

/// Header layouts, each with `{}` where the message goes (synthetic values).
const LAYOUTS: &[&str] = &[
    "- 1700000000 2023.11.14 cn42 Nov 14 22:13:20 cn42/cn42 crond(pam_unix)[3001]: {}",
    "ECC 1700000000 2023.11.14 cn42 Nov 14 22:13:20 local@cn42 kernel: {}",
    "- 1700000000 2023.11.14 R07-M0-N4 2023-11-14-22.13.20.123456 R07-M0-N4 RAS KERNEL INFO {}",
    "52113 node-7 unix.hw state_change.unavailable 1700000000 1 {}",
    "2023-11-14 22:13:20, Info                  CBS    {}",
    "20231114-22:13:20:5|Sensor_Hub|40001234|{}",
    "svc.log.1.2023-11-14_22:13:20 2023-11-14 22:13:20.123 4242 INFO svc.api.server [req-1 2 3 - - -] {}",
    "Nov  4 22:13:20 mac-17 Web Browser Helper[31322]: {}",
    "Nov 14 22:13:20 mac-17 agent[412] (com.example.agent.77): {}",
    "23/11/14 22:13:20 WARN storage.BlockManager: {}",
    "[11.14 22:13:20] browser.exe - {}",
    "2023-11-14 22:13:20,000 - INFO  [Main:Leader@100] - {}",
    "2023-11-14 22:13:20,000 ERROR [main] com.acme.Foo - {}",
];

/// Every layout keeps every message intact, through format detection and the chunk parser,
/// whatever the other lines of the source are.
#[test]
fn layouts_keep_messages_whole() {
    use faultline::record::{detect_format, parse_chunk, ParseConfig};
    for layout in LAYOUTS {
        let lines: Vec<String> = TRICKY_MESSAGES
            .iter()
            .map(|m| layout.replace("{}", m))
            .collect();
        let text = lines.join("\n") + "\n";
        let format = detect_format(text.as_bytes());
        let mut got = Vec::new();
        parse_chunk(
            text.as_bytes(),
            1,
            format,
            None,
            &ParseConfig::default(),
            &mut |ev| {
                assert!(
                    ev.time.is_some(),
                    "no time in {:?}",
                    String::from_utf8_lossy(ev.raw)
                );
                got.push(String::from_utf8_lossy(&ev.message).into_owned());
            },
        );
        assert_eq!(got, TRICKY_MESSAGES, "{layout} ({format:?})");
    }
}

/// Parses `text` as its detected format and returns the messages.
fn messages_of(text: &str) -> Vec<String> {
    use faultline::record::{detect_format, parse_chunk, ParseConfig};
    let format = detect_format(text.as_bytes());
    let mut got = Vec::new();
    parse_chunk(
        text.as_bytes(),
        1,
        format,
        None,
        &ParseConfig::default(),
        &mut |ev| got.push(String::from_utf8_lossy(&ev.message).into_owned()),
    );
    got
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random messages (no ` - ` in them: behind `name - `, `LEVEL - msg` is Python's layout)
    /// come out whole behind every layout.
    #[test]
    fn random_messages_stay_whole(
        msgs in proptest::collection::vec("[A-Za-z0-9\\[\\]():=|/._\"<>*#@,;'!?+%&{}~^`$][ -~]{0,40}", 1..12),
    ) {
        let msgs: Vec<String> = msgs.into_iter().filter(|m| !m.contains(" - ")).collect();
        for layout in LAYOUTS {
            let text: String = msgs.iter().map(|m| layout.replace("{}", m) + "\n").collect();
            prop_assert_eq!(&messages_of(&text), &msgs, "{}", layout);
        }
    }
}

#[test]
fn a_node_error_after_a_stamped_line_is_part_of_its_event() {
    // winston's `${timestamp} ${level}: ${message}` and then the error's stack: the bare
    // `Error:` line and its frames belong to the stamped line's event.
    let log = TempLog::new(
        "node.log",
        "2026-11-30T09:40:00.241Z error: Unhandled rejection in GET /api/cart/172\n\
         Error: connect ECONNREFUSED 10.0.4.12:6379\n    \
         at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n    \
         at CartService.load (/app/src/services/cart.js:42:23)\n\
         2026-11-30T09:40:01.000Z info: GET /api/products/7 200 12ms\n",
    );
    let ev = events(&[&log.path]);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert_eq!(s(&ev[0], "/level"), "error");
    assert_eq!(n(&ev[0], "/lines"), 4.0);
    assert!(s(&ev[0], "/message").contains("\nError: connect ECONNREFUSED"));
    same_at_any_chunk_size(&log.path, &ev);
    // Also behind a container runtime's prefix, each line behind its own.
    let text = std::fs::read_to_string(&log.path).expect("log");
    let cri: String = text
        .lines()
        .map(|l| format!("2026-11-30T09:40:02.5Z stderr F {l}\n"))
        .collect();
    let log = TempLog::new("cri.log", &cri);
    let behind = events(&[&log.path]);
    assert_eq!(behind.len(), 2, "{behind:#?}");
    assert_eq!(behind[0]["message"], ev[0]["message"]);
    // Without stamps, `Error:` lines are messages of their own, also behind a prefix.
    let log = TempLog::new("cli.log", "starting\nError: no config\nError: no port\n");
    assert_eq!(events(&[&log.path]).len(), 3);
    let log = TempLog::new(
        "cli.log",
        "2026-11-30T09:40:02.5Z stderr F starting\n2026-11-30T09:40:02.6Z stderr F Error: no config\n",
    );
    assert_eq!(events(&[&log.path]).len(), 2);
}

/// A JSON record indented by a shipper (`  {"level":"error",…}`) is an event of its own, not
/// a continuation line of the record before it (its error was an info's message text).
#[test]
fn an_indented_json_record_is_its_own_event() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("indented.jsonl");
    std::fs::write(
        &p,
        concat!(
            "{\"ts\":\"2026-11-27T10:00:00Z\",\"level\":\"info\",\"msg\":\"first\"}\n",
            "  {\"ts\":\"2026-11-27T10:00:01Z\",\"level\":\"error\",\"msg\":\"indented json\"}\n",
            "{\"ts\":\"2026-11-27T10:00:02Z\",\"level\":\"info\",\"msg\":\"third\"}\n",
            "\tat com.acme.Foo.bar(Foo.java:12)\n",
        ),
    )
    .unwrap();
    let path = p.to_str().unwrap();
    let ev = events(&[path]);
    assert_eq!(
        time_level_message(&ev),
        [
            ("2026-11-27T10:00:00.000Z", "info", "first"),
            ("2026-11-27T10:00:01.000Z", "error", "indented json"),
            (
                "2026-11-27T10:00:02.000Z",
                "info",
                "third\n\tat com.acme.Foo.bar(Foo.java:12)"
            ),
        ]
    );
    same_at_any_chunk_size(path, &ev);
}
