//! Messy input is normal input: nothing panics, the rest of the data is kept, what was
//! skipped is said, and exit codes follow the README.

mod common;

use common::*;
use std::io::Read;

#[test]
fn invalid_utf8_is_decoded_lossily_and_flagged() {
    let t = TestDir::new();
    let p = t.write("bad.log", b"ok line\nbad \xff\xfe bytes\nafter\n");
    let o = run(&["events", "--input-format", "line", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let ev = json_lines(&o);
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[1]["message"], "bad \u{fffd}\u{fffd} bytes");
    assert_eq!(ev[2]["message"], "after");
}

#[test]
fn binary_files_in_a_directory_are_skipped_with_a_note() {
    let t = TestDir::new();
    t.write("d/app.log", b"hello\n");
    let mut junk = vec![0u8; 4096];
    for (i, b) in junk.iter_mut().enumerate() {
        *b = (i * 7 % 256) as u8;
    }
    t.write("d/core.bin", &junk);
    let o = run(
        &["events", "--input-format", "line", path_str(&t.path("d"))],
        None,
    );
    assert!(
        o.status.success(),
        "skipping is not an error: {}",
        stderr(&o)
    );
    assert_eq!(json_lines(&o).len(), 1);
    let err = stderr(&o);
    assert!(err.contains("core.bin") && err.contains("binary"), "{err}");
}

#[test]
fn overlong_lines_are_truncated_and_counted_and_the_rest_is_kept() {
    let t = TestDir::new();
    let mut data = b"before\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 3 << 20));
    data.extend_from_slice(b"\nafter\n");
    let p = t.write("long.log", &data);
    for chunk in ["4096", "2097152"] {
        let o = run(
            &[
                "events",
                "--input-format",
                "line",
                "--max-line",
                "1024",
                "--chunk-size",
                chunk,
                path_str(&p),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let ev = json_lines(&o);
        assert_eq!(ev.len(), 3, "chunk {chunk}");
        assert_eq!(ev[1]["message"].as_str().map(str::len), Some(1024));
        assert_eq!(ev[2]["message"], "after");
        assert_eq!(ev[2]["line"], 3);
        assert!(
            stderr(&o).contains("1 line(s) longer than --max-line"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn truncated_compressed_files_keep_what_came_before_and_warn() {
    let t = TestDir::new();
    let body: String = (0..200_000)
        .map(|i| format!("event number {i} with some text {}\n", i * 7919 % 10007))
        .collect();
    for (ext, name) in [
        ("gz", "gzip"),
        ("zst", "zstd"),
        ("xz", "xz"),
        ("bz2", "bzip2"),
    ] {
        let packed = compress(ext, body.as_bytes());
        let file = format!("cut.log.{ext}");
        let p = t.write(&file, &packed[..packed.len() / 2]);
        let o = run(&["events", "--input-format", "line", path_str(&p)], None);
        let events = json_lines(&o);
        let n = events.len();
        // Half the compressed bytes hold about half the text; what is lost besides the
        // second half is the decoder's last read or block (bzip2's blocks are ~900 kB).
        assert!(n > 60_000 && n < 110_000, "{ext}: kept {n} events");
        // The kept events are the text's first lines, in order (the last one may be cut).
        for (i, e) in events[..n - 1].iter().enumerate() {
            let want = format!("event number {i} with some text {}", i * 7919 % 10007);
            assert_eq!(e["message"], want.as_str(), "{ext}");
        }
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "cut.log.{ext}: {name} data is truncated or corrupt"
            )),
            "{ext}: {err}"
        );
        // Damaged input is a warning, not an error: the data before the damage is good.
        assert_eq!(o.status.code(), Some(0), "{ext}");

        // Cut inside its first block: nothing decodes, and it is damaged, not "empty".
        let p = t.write(&format!("head.log.{ext}"), &packed[..16]);
        let o = run(&["events", "--input-format", "line", path_str(&p)], None);
        let err = stderr(&o);
        assert!(err.contains("truncated or corrupt"), "{ext}: {err}");
        assert!(!err.contains("empty"), "{ext}: {err}");
    }
}

#[test]
fn missing_path_is_an_error_but_the_rest_is_read() {
    let t = TestDir::new();
    let p = t.write("ok.log", b"fine\n");
    let missing = t.path("nope.log");
    let o = run(
        &[
            "events",
            "--input-format",
            "line",
            path_str(&missing),
            path_str(&p),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json_lines(&o).len(), 1);
    assert!(stderr(&o).contains("nope.log"), "{}", stderr(&o));
}

#[test]
fn empty_input_says_no_events() {
    let t = TestDir::new();
    let p = t.write("empty.log", b"");
    let o = run(&["events", path_str(&p)], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("no events"), "{}", stderr(&o));
}

#[test]
fn random_bytes_never_panic() {
    let t = TestDir::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut data = Vec::with_capacity(1 << 20);
    for _ in 0..(1 << 20) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Mostly printable with newlines, some high bytes, no NULs (so it is not "binary").
        let b = (x % 97) as u8;
        data.push(match b {
            0..=5 => b'\n',
            6..=10 => 0x80 + (x >> 8) as u8 % 0x7f,
            11 => b'{',
            12 => b'"',
            13 => b'\t',
            _ => b' ' + b % 90,
        });
    }
    let p = t.write("junk.log", &data);
    for fmt in ["json", "logfmt", "access", "syslog", "plain", "line"] {
        let o = run(
            &[
                "events",
                "--count",
                "--input-format",
                fmt,
                "--chunk-size",
                "1000",
                path_str(&p),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{fmt}: {}", stderr(&o));
        let n: u64 = stdout(&o)
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("{fmt}: count {:?}: {e}", stdout(&o)));
        assert!(n > 0, "{fmt}: no events");
    }
    let o = run(&["templates", "--top", "3", path_str(&p)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Stamps no real event has (a 25-digit epoch, Go's zero time, year 0) used to stretch the
/// timeline over centuries: reports then tried to allocate billions of time buckets and
/// aborted. Such an event is kept, without a time, and said so.
#[test]
fn absurd_timestamps_are_no_time_not_a_crash() {
    let t = TestDir::new();
    let p = t.write(
        "g.jsonl",
        b"{\"time\":\"2024-03-05T10:00:00Z\",\"level\":\"error\",\"msg\":\"a\",\"path\":\"/x\",\"status\":500}\n\
          {\"time\":\"10000000000000000000000000\",\"level\":\"error\",\"msg\":\"b\",\"path\":\"/x\",\"status\":500}\n\
          {\"time\":\"0001-01-01T00:00:00Z\",\"level\":\"error\",\"msg\":\"c\"}\n\
          {\"time\":\"2024-03-05T10:00:05Z\",\"level\":\"info\",\"msg\":\"d\"}\n",
    );
    for cmd in ["summary", "templates", "endpoints", "spikes"] {
        let o = run(&[cmd, path_str(&p)], None);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
    }
    let o = run(&["summary", "-o", "json", path_str(&p)], None);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let ov = &doc["overview"];
    assert_eq!(ov["events"], 4, "{ov:#}");
    assert_eq!(ov["untimed_events"], 2, "{ov:#}");
    assert_eq!(ov["start"], "2024-03-05T10:00:00Z", "{ov:#}");
    assert_eq!(ov["end"], "2024-03-05T10:00:05Z", "{ov:#}");
    let data = std::fs::read(&p).expect("read");
    let o = run(&["watch", "--plain", "-"], Some(&data));
    assert!(o.status.success(), "watch: {}", stderr(&o));
}

/// Markup in log content (a message, a route's path) is text in every Markdown output: no
/// tag, link or emphasis a renderer would act on. `<` is only ever written escaped.
#[test]
fn markdown_outputs_escape_markup_from_the_logs() {
    let t = TestDir::new();
    let evil = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** &lt;";
    let mut log = String::new();
    for s in (0..3600).step_by(5) {
        log.push_str(&format!(
            "{{\"ts\":\"2026-01-05T{:02}:{:02}:{:02}Z\",\"level\":\"info\",\"msg\":\"request done\",\"method\":\"GET\",\"path\":\"/ok\",\"status\":200,\"duration_ms\":10}}\n",
            10 + s / 3600, s / 60 % 60, s % 60
        ));
    }
    for s in (1800..3600).step_by(3) {
        let at = format!("2026-01-05T10:{:02}:{:02}Z", s / 60 % 60, s % 60);
        log.push_str(&format!(
            "{{\"ts\":\"{at}\",\"level\":\"error\",\"msg\":\"render failed {}\"}}\n",
            evil.replace('"', "\\\"")
        ));
        log.push_str(&format!(
            "{{\"ts\":\"{at}\",\"level\":\"error\",\"msg\":\"request failed\",\"method\":\"POST\",\"path\":\"/r/<img src=x onerror=alert(1)>/[click](javascript:alert(1))\",\"status\":503,\"duration_ms\":900}}\n"
        ));
    }
    let p = t.write("md.jsonl", log.as_bytes());
    let mut saw_markup = 0;
    for cmd in ["summary", "spikes", "endpoints", "templates"] {
        let o = run(&[cmd, "-o", "markdown", path_str(&p)], None);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        for line in out.lines() {
            // Inside a code span markup is inert; elsewhere every `<` and `[` is escaped.
            let bare: String = line.split('`').step_by(2).collect();
            if bare.contains("img src") || bare.contains("click") {
                saw_markup += 1;
            }
            for (i, _) in bare.match_indices(['<', '[']) {
                let escaped = bare[..i].ends_with('\\');
                let own = bare[i..].starts_with("<sub>") || bare[i..].starts_with("</sub>");
                assert!(escaped || own, "{cmd}: unescaped markup in {line:?}");
            }
            assert!(!bare.contains("**bold**"), "{cmd}: {line:?}");
            assert!(
                !bare.contains(" &lt;"),
                "{cmd}: entity left live in {line:?}"
            );
        }
    }
    assert!(
        saw_markup > 0,
        "the log's markup is shown somewhere outside code spans"
    );
}

/// Error messages name paths, and a path can hold escape sequences as log lines can.
#[test]
fn paths_in_errors_are_escaped_for_the_terminal() {
    let t = TestDir::new();
    let p = t.write("snap\x1b]0;PWNED\x07\x1b[2J.flt", b"FLTSNAP\x01\x1f\x8bxx");
    let o = run(&["summary", path_str(&p)], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("snap\\e]0;PWNED\\x07\\e[2J.flt"), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
}

/// JSON output printed to a terminal (`events`, `-o json`) is as inert as the table: C1
/// controls (U+009B is a CSI) and invisible characters from the logs are `\u` escapes.
#[test]
fn json_output_escapes_c1_controls() {
    let t = TestDir::new();
    let p = t.write(
        "c1.log",
        "2024-03-05T10:00:00Z ERROR boom \u{9b}2J \u{202e}evil \u{200b}x\n".as_bytes(),
    );
    let raw = |b: &[u8]| {
        let s = String::from_utf8_lossy(b);
        s.contains('\u{9b}') || s.contains('\u{202e}') || s.contains('\u{200b}')
    };
    for args in [
        &["events", path_str(&p)][..],
        &["summary", "-o", "json", path_str(&p)][..],
        &["templates", "-o", "json", path_str(&p)][..],
        &["templates", "--per-line", path_str(&p)][..],
    ] {
        let o = run(args, None);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(!raw(&o.stdout), "{args:?}: raw control in output");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("\\u009b2J"), "{args:?}: {out}");
    }
    // `watch -o json`: the alert for the new error and the end report.
    let mut data = String::new();
    for s in 0..600 {
        data.push_str(&format!(
            "2024-03-05T10:{:02}:{:02}Z INFO request served\n",
            s / 60,
            s % 60
        ));
    }
    for s in 0..20 {
        data.push_str(&format!("2024-03-05T10:10:{s:02}Z ERROR boom "));
        data.push_str("\u{9b}2J \u{202e}evil\n");
    }
    data.push_str("2024-03-05T10:12:00Z INFO request served\n");
    let o = run(
        &["watch", "-o", "json", "--warmup", "1m", "-"],
        Some(data.as_bytes()),
    );
    assert!(o.status.success(), "watch: {}", stderr(&o));
    assert!(!raw(&o.stdout), "watch: raw control in output");
    let out = String::from_utf8_lossy(&o.stdout);
    let alert = out
        .lines()
        .find(|l| l.contains("\"alert\""))
        .unwrap_or_else(|| panic!("an alert line: {out}"));
    assert!(alert.contains("\\u009b2J"), "{alert}");
}

/// A latency no clock gives (`1e400` seconds overflows to infinity) is no latency: the event
/// is kept, its JSON stays JSON.
#[test]
fn an_infinite_latency_is_dropped_and_the_json_stays_valid() {
    let t = TestDir::new();
    let nines = "9".repeat(400);
    let access = format!(
        "10.0.0.1 - - [27/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 12 \"-\" \"curl\" {nines}.5\n"
    );
    let p = t.write("a.log", access.as_bytes());
    let q = t.write(
        "a.jsonl",
        format!("{{\"ts\":\"2026-11-27T10:00:00Z\",\"msg\":\"GET /a\",\"status\":200,\"duration\":\"{nines}h\"}}\n").as_bytes(),
    );
    for f in [&p, &q] {
        let o = run(&["events", path_str(f)], None);
        assert!(o.status.success(), "{}", stderr(&o));
        let ev = json_lines(&o);
        assert_eq!(ev.len(), 1);
        assert!(ev[0]["http"]["latency_ms"].is_null(), "{}", ev[0]);
    }
}

/// Damage near the end of a small gzip file (read in one go) still keeps the text decoded
/// before it.
#[test]
fn corrupt_gzip_keeps_the_text_before_the_damage() {
    let t = TestDir::new();
    // Text that compresses poorly, so that the damage lies within the first read.
    let mut x: u64 = 1;
    let body: String = (0..4_000)
        .map(|i| {
            let words: Vec<String> = (0..6)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    format!("{:x}", x >> 40)
                })
                .collect();
            format!("event {i} {}\n", words.join(" "))
        })
        .collect();
    let good = gzip(body.as_bytes());
    // The first byte flip from 90% on that breaks the deflate stream itself (most
    // flips only garble text until the checksum at the end).
    let gz = (good.len() * 9 / 10..good.len() - 8)
        .map(|at| {
            let mut gz = good.clone();
            gz[at] ^= 0x5a;
            gz
        })
        .find(|gz| {
            let mut out = Vec::new();
            let r = flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out);
            r.is_err_and(|e| !e.to_string().contains("checksum"))
        })
        .expect("a flip that breaks the stream");
    let p = t.write("bad.log.gz", &gz);
    let o = run(
        &["events", "--count", "--input-format", "line", path_str(&p)],
        None,
    );
    let n: u64 = stdout(&o).trim().parse().expect("count");
    let err = stderr(&o);
    // The damage lies about 90% in: all but the last 64 KiB before it is kept (the whole
    // stream decoded in one read would keep only the 64 KiB sample read first).
    assert!(n > 2_500 && n < 4_000, "kept {n} events; {err}");
    assert!(err.contains("deflate"), "{err}");
    assert!(
        err.contains("bad.log.gz") && err.contains("corrupt"),
        "{err}"
    );
    assert_eq!(o.status.code(), Some(0));
}

/// A clock that was never set (a line at the Unix epoch, `"ts": 0`) is not an event time:
/// one such line among a day's events must not stretch the timeline over decades. The
/// report equals the one without it, apart from the event count; the line is untimed.
#[test]
fn an_unset_clock_does_not_stretch_the_timeline() {
    let t = TestDir::new();
    let app = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/example/incident/app.log"
    ))
    .unwrap();
    let mut lines: Vec<&str> = app.lines().collect();
    let clean = t.write("clean/app.log", (lines.join("\n") + "\n").as_bytes());
    lines.insert(
        lines.len() / 2,
        "1970-01-01 00:00:00,000 ERROR [boot] c.acme.Rtc - clock not set",
    );
    let dirty = t.write("dirty/app.log", (lines.join("\n") + "\n").as_bytes());
    let report = |p: &std::path::Path| {
        let o = run(&["summary", "-q", "-o", "json", path_str(p)], None);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        v
    };
    let (a, b) = (report(&clean), report(&dirty));
    assert_eq!(a["incident_window"], b["incident_window"]);
    assert!(
        a["incident_window"]["found"].as_bool().unwrap_or(false),
        "{}",
        a["incident_window"]
    );
    let titles = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["title"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(titles(&a), titles(&b));
    assert_eq!(
        b["overview"]["untimed_events"].as_u64(),
        Some(a["overview"]["untimed_events"].as_u64().unwrap_or(0) + 1),
        "{}",
        b["overview"]
    );
}

/// A baseline with no event would make every template "new": every command that takes one
/// refuses it with exit 2 and says why.
#[test]
fn an_empty_baseline_is_refused() {
    let t = TestDir::new();
    let empty = t.write("empty.log", b"");
    let cur = t.write("app.log", b"2026-11-27 10:00:00 ERROR boom\n");
    for cmd in ["summary", "diff", "spikes"] {
        let o = run(
            &[cmd, "-q", "--baseline", path_str(&empty), path_str(&cur)],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no events to compare against"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    let o = run(
        &["watch", "--plain", "--baseline", path_str(&empty)],
        Some(b"2026-11-27 10:00:00 ERROR boom\n"),
    );
    assert_eq!(o.status.code(), Some(2), "watch: {}", stderr(&o));
}

/// A `--max-line` shorter than a header would cut every message to nothing; it is a flag
/// error, as is one too large to hold.
#[test]
fn max_line_is_bounded() {
    let t = TestDir::new();
    let p = t.write("a.log", b"2026-11-27 00:00:00 INFO started\n");
    for bad in ["0", "16", "255", "1073741825", "lots"] {
        let o = run(&["summary", "--max-line", bad, path_str(&p)], None);
        assert_eq!(o.status.code(), Some(2), "--max-line {bad}");
        assert!(stderr(&o).contains("256 to 1073741824"), "{}", stderr(&o));
    }
    let o = run(&["summary", "-q", "--max-line", "256", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Events whose line is all header have an empty message; findings about them say so
/// rather than leaving the title blank.
#[test]
fn a_template_of_empty_messages_is_labelled() {
    let t = TestDir::new();
    let mut log = String::new();
    for i in 0..3000u32 {
        let (h, m, s) = (i * 20 / 3600, i * 20 / 60 % 60, i * 20 % 60);
        log.push_str(&format!(
            "2026-11-27 {h:02}:{m:02}:{s:02} INFO request ok id={i}\n"
        ));
        if (2000..2100).contains(&i) {
            for _ in 0..5 {
                log.push_str(&format!("2026-11-27 {h:02}:{m:02}:{s:02} ERROR \n"));
            }
        }
    }
    let p = t.write("empty.log", log.as_bytes());
    let o = run(&["summary", "--output", "json", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let top = &v["findings"][0];
    assert_eq!(top["template"], "", "{top}");
    assert!(
        top["title"]
            .as_str()
            .is_some_and(|t| t.ends_with(": (empty message)")),
        "{top}"
    );
    let o = run(&["templates", path_str(&p)], None);
    assert!(stdout(&o).contains("(empty message)"), "{}", stdout(&o));
}

/// The events of `path` without their source name.
fn events_of(args: &[&str], stdin: Option<&[u8]>) -> Vec<serde_json::Value> {
    let mut full = vec!["events"];
    full.extend_from_slice(args);
    let o = run(&full, stdin);
    assert!(o.status.success(), "{}", stderr(&o));
    json_lines(&o)
        .into_iter()
        .map(|mut e| {
            e.as_object_mut().map(|m| m.remove("source"));
            e
        })
        .collect()
}

fn timed_lines() -> String {
    let mut s = String::new();
    for i in 0..300 {
        s.push_str(&format!(
            "2026-11-30 10:{:02}:{:02} INFO user café-{i} 日本 🚀 handled in {}ms\n",
            i / 60,
            i % 60,
            i * 3
        ));
    }
    s.push_str("2026-11-30 10:05:00 ERROR payment failed: upstream timeout\n");
    s
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = (if bom { "\u{feff}" } else { "" }).encode_utf16();
    for u in units.chain(text.encode_utf16()) {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_logs_are_decoded_not_skipped_as_binary() {
    let text = timed_lines();
    let t = TestDir::new();
    let want = events_of(&[path_str(&t.write("utf8.log", text.as_bytes()))], None);
    assert_eq!(want.len(), 301);
    assert_eq!(
        want[7]["message"], "user café-7 日本 🚀 handled in 21ms",
        "{want:?}"
    );
    let cases = [
        ("le-bom.log", utf16(&text, false, true)),
        ("be-bom.log", utf16(&text, true, true)),
        ("le.log", utf16(&text, false, false)),
        ("be.log", utf16(&text, true, false)),
        ("crlf.log", utf16(&text.replace('\n', "\r\n"), false, true)),
        ("zipped.log.gz", gzip(&utf16(&text, false, true))),
    ];
    for (name, data) in &cases {
        let p = t.write(name, data);
        for chunk in ["1", "4096", "1048576"] {
            let got = events_of(&["--chunk-size", chunk, path_str(&p)], None);
            assert_eq!(got, want, "{name}, chunk size {chunk}");
        }
        let o = run(&["events", path_str(&p)], None);
        assert!(!stderr(&o).contains("binary"), "{name}: {}", stderr(&o));
    }
    // From stdin too, and a lone surrogate is U+FFFD, not the end of the stream.
    let mut data = utf16("2026-11-30 10:00:00 ERROR bad ", false, true);
    data.extend_from_slice(&0xd800u16.to_le_bytes());
    data.extend_from_slice(&utf16(
        " unit\n2026-11-30 10:00:01 INFO after\n",
        false,
        false,
    ));
    let got = events_of(&["-"], Some(&data));
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0]["message"], "bad \u{fffd} unit");
    assert_eq!(got[1]["message"], "after");
}

#[test]
fn bare_cr_line_ends_are_lines() {
    let text = timed_lines();
    let t = TestDir::new();
    let want = events_of(&[path_str(&t.write("lf.log", text.as_bytes()))], None);
    let cr = text.replace('\n', "\r");
    let p = t.write("cr.log", cr.as_bytes());
    for chunk in ["1", "4096", "1048576"] {
        let got = events_of(&["--chunk-size", chunk, path_str(&p)], None);
        assert_eq!(got, want, "chunk size {chunk}");
    }
    assert_eq!(events_of(&["-"], Some(cr.as_bytes())), want);
    // One CR inside a line of an LF log stays part of the line.
    let p = t.write("lf-cr.log", b"a\rb\nc\n");
    let got = events_of(&["--input-format", "line", path_str(&p)], None);
    assert_eq!(got.len(), 2, "{got:?}");
}

/// A file truncated while a process went on writing at its old offset (logrotate's
/// `copytruncate` under a writer that does not append) starts with a hole of NUL bytes:
/// the hole is skipped with a warning and the lines after it are read, from a file, from a
/// gzip member and from a pipe (found by fuzzing: the whole log was skipped as binary). A
/// file of NULs only is skipped, and a single stray NUL does not make a short log binary.
#[test]
fn a_nul_hole_at_the_start_is_skipped_and_the_lines_after_it_read() {
    let t = TestDir::new();
    let lines: String = (0..50)
        .map(|i| {
            format!(
                "2026-11-27 01:00:{:02},000 ERROR [main] a.B - boom {i}\n",
                i % 60
            )
        })
        .collect();
    let mut holed = vec![0u8; 70_000];
    holed.extend_from_slice(lines.as_bytes());
    let p = t.write("app.log", &holed);
    let gz = t.write("app.log.1.gz", &gzip(&holed));
    for (args, stdin) in [
        (vec!["events", path_str(&p)], None),
        (vec!["events", path_str(&gz)], None),
        (vec!["events"], Some(&holed[..])),
    ] {
        let o = run(&args, stdin);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let ev = json_lines(&o);
        assert_eq!(ev.len(), 50, "{args:?}");
        assert_eq!(ev[0]["line"], 1);
        assert_eq!(ev[0]["message"], "boom 0");
        assert!(
            stderr(&o).contains("skipped 70000 NUL bytes at its start"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let zeros = t.write("zeros.log", &[0u8; 300]);
    let o = run(&["events", path_str(&zeros)], None);
    assert!(
        stderr(&o).contains("only NUL bytes (300)"),
        "{}",
        stderr(&o)
    );
    let stray = t.write(
        "stray.jsonl",
        b"{\"level\":\"error\",\"msg\":\"a\"}\n{\"level\":\"error\",\"msg\":\"b\0\"}\n",
    );
    let o = run(&["events", path_str(&stray)], None);
    assert_eq!(json_lines(&o).len(), 2, "{}", stderr(&o));
}
