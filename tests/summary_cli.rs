//! `faultline summary` end to end: the default command, every output format, escaping of log
//! content, `--fail-on` exit codes, `--out`, colour rules, and the incident window, new errors and `--since`/`--until`.
//!
//! Tests that need timestamps first assert, with `parser_has_time`, that the parser gives them.

mod summary_util;

use summary_util::*;

const ESC: u8 = 0x1b;

fn small_log() -> Vec<u8> {
    let mut s = Vec::new();
    for i in 0..20 {
        s.extend_from_slice(
            format!("2026-11-27T10:00:{i:02}Z INFO request served ok\n").as_bytes(),
        );
    }
    s.extend_from_slice(
        b"2026-11-27T10:00:30Z ERROR upstream failed: <script>alert(1)</script> | pipe `tick`\n",
    );
    // An escape sequence (erase line) and a bell, without digits so that no miner masks the
    // token away: it must show up escaped wherever the line or its template is printed.
    s.extend_from_slice(b"2026-11-27T10:00:31Z ERROR \x1b[Kpwned\x07 terminal attack failed\n");
    s
}

/// `secs` (Unix seconds) written with `strftime` format `fmt`.
fn stamp(secs: i64, fmt: &str) -> String {
    stamp_ms(secs * 1000, fmt)
}

/// `ms` (Unix milliseconds) written with `strftime` format `fmt`.
fn stamp_ms(ms: i64, fmt: &str) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .expect("time")
        .strftime(fmt)
        .to_string()
}

#[test]
fn bare_paths_run_summary() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let a = run(&d, &["a.log", "--output", "json"]);
    let b = run(&d, &["summary", "a.log", "--output", "json"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(stdout(&a), stdout(&b));
    // Flags before the path work too, and help/version still reach clap.
    let c = run(&d, &["-q", "--output", "json", "a.log"]);
    assert_eq!(stdout(&c), stdout(&a));
    let h = run(&d, &["--help"]);
    assert!(stdout(&h).contains("summary"), "{}", stdout(&h));
    let v = run(&d, &["--version"]);
    assert!(stdout(&v).starts_with("faultline "), "{}", stdout(&v));
}

/// `templates --per-line` prints JSON lines: another --output is refused, not ignored.
#[test]
fn per_line_refuses_other_outputs() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    for out in ["markdown", "html"] {
        let o = run(&d, &["templates", "--per-line", "-o", out, "a.log"]);
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(
            stderr(&o).contains("--per-line prints JSON lines"),
            "{}",
            stderr(&o)
        );
    }
    let a = run(&d, &["templates", "--per-line", "a.log"]);
    let b = run(&d, &["templates", "--per-line", "-o", "json", "a.log"]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(stdout(&a), stdout(&b));
}

/// Runs faultline with `args`, `input` piped to its stdin.
fn run_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    bin()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut ch| {
            if let Some(mut si) = ch.stdin.take() {
                si.write_all(input)?;
            }
            ch.wait_with_output()
        })
        .expect("run")
}

#[test]
fn stdin_is_read_when_no_path_is_given() {
    let out = run_stdin(&["--output", "json"], &small_log());
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["overview"]["events"], 22);
    assert_eq!(v["overview"]["sources"][0]["name"], "-");
}

#[test]
fn json_has_the_documented_shape() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let o = run(&d, &["summary", "a.log", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert!(v["tool"]
        .as_str()
        .is_some_and(|t| t.starts_with("faultline ")));
    assert!(v["headline"].is_string());
    for key in [
        "findings",
        "top_error_templates",
        "templates",
        "endpoints",
        "upstreams",
    ] {
        assert!(v[key].is_array(), "{key} is not a list: {}", v[key]);
    }
    let ov = &v["overview"];
    assert_eq!(ov["events"], 22);
    assert_eq!(ov["sources"][0]["name"], "a.log");
    assert!(ov["formats"].is_object());
    assert!(ov["levels"].is_object());
    assert!(ov["notices"].is_array());
    assert!(v["incident_window"]["found"].is_boolean());
    assert!(v["incident_window"]["explanation"].is_string());
    assert!(v["timeline"]["events"].is_array());
    assert!(v["timeline"]["errors"].is_array());
    // Both error lines are in the top error templates, with examples as `file:line: text`.
    let tops = v["top_error_templates"].as_array().expect("list");
    assert_eq!(tops.len(), 2, "{tops:?}");
    let ex = tops
        .iter()
        .flat_map(|t| t["examples"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect::<Vec<_>>();
    assert!(
        ex.iter()
            .any(|e| e.starts_with("a.log:21: ") && e.contains("<script>")),
        "{ex:?}"
    );
    // Terminal escape sequences are stripped from examples (they are evidence to read);
    // other control characters survive in JSON (escaped by JSON itself), not mangled.
    assert!(ex.iter().any(|e| e.contains("ERROR pwned\u{7}")), "{ex:?}");
}

/// An access log's request template is mostly successes: its errors begin when the incident
/// does, not with the first request. The error-template tables say when the errors began;
/// `first_seen` stays the template's first event, and a snapshot keeps the first error.
#[test]
fn error_templates_show_when_their_errors_began() {
    let d = Dir::new();
    let t0 = 1_795_773_600; // 2026-11-27T10:00:00Z
    let mut log = String::new();
    for i in 0..600 {
        let t = t0 + i * 3;
        // Failures from 10 minutes into the log on.
        let status = if i >= 200 && i % 2 == 0 { 503 } else { 200 };
        log.push_str(&format!(
            "10.0.0.{} - - [{}] \"GET /api/orders/{} HTTP/1.1\" {status} 512 \"-\" \"curl\"\n",
            i % 7,
            stamp(t, "%d/%b/%Y:%H:%M:%S +0000"),
            i % 50
        ));
    }
    d.write("access.log", log.as_bytes());
    let o = run(&d, &["summary", "access.log", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let tops = v["top_error_templates"].as_array().expect("list");
    assert_eq!(tops.len(), 1, "{tops:?}");
    assert_eq!(tops[0]["first_seen"], "2026-11-27T10:00:00Z");
    assert_eq!(tops[0]["first_error"], "2026-11-27T10:10:00Z");
    assert_eq!(tops[0]["errors"], 200);
    // Its examples are its first requests (successes); its error example is a failure.
    let first = tops[0]["examples"][0].as_str().expect("example");
    assert!(first.contains("\" 200 "), "{first}");
    let bad = tops[0]["error_example"].as_str().expect("error example");
    assert!(
        bad.starts_with("access.log:") && bad.contains("\" 503 "),
        "{bad}"
    );
    let html = stdout(&run(&d, &["summary", "access.log", "-o", "html"]));
    let table = html
        .split("Top error templates")
        .nth(1)
        .expect("error table");
    assert!(
        table.contains("503") && !table.contains("HTTP/1.1&quot; 200"),
        "{table}"
    );
    let text = stdout(&run(&d, &["summary", "access.log"]));
    let table = text
        .split("TOP ERROR TEMPLATES")
        .nth(1)
        .expect("error template table");
    assert!(
        table.contains("10:10:00Z") && !table.contains("10:00:00Z"),
        "{text}"
    );
    let md = stdout(&run(&d, &["summary", "access.log", "-o", "markdown"]));
    assert!(md.contains("| 200 | 2026-11-27T10:10:00Z |"), "{md}");
    // Through a snapshot.
    let s = run(&d, &["snapshot", "access.log", "-o", "a.flt"]);
    assert_eq!(s.status.code(), Some(0), "{}", stderr(&s));
    let v = json(&run(&d, &["summary", "a.flt", "-o", "json"]));
    assert_eq!(
        v["top_error_templates"][0]["first_error"],
        "2026-11-27T10:10:00Z"
    );
}

/// A log without levels: errors are guessed from their words, and the evidence picked at
/// error level (the error-rate finding's, the error template's) is those same events.
#[test]
fn unleveled_errors_are_evidence_at_the_level_they_are_counted() {
    let d = Dir::new();
    let t0 = 1_795_773_600; // 2026-11-27T10:00:00Z
    let mut log = String::new();
    for i in 0..3600 {
        let t = stamp(t0 + i, "%Y-%m-%d %H:%M:%S");
        log.push_str(&format!("{t} worker {} processed job {i}\n", i % 9));
        if (1800..2400).contains(&i) && i % 2 == 0 {
            log.push_str(&format!(
                "{t} worker {}: connection refused by the broker\n",
                i % 9
            ));
        }
    }
    d.write("w.log", log.as_bytes());
    let v = json(&run(&d, &["summary", "w.log", "-o", "json"]));
    let f = v["findings"].as_array().expect("findings");
    let rate = f
        .iter()
        .find(|f| f["kind"] == "error_rate_spike")
        .unwrap_or_else(|| panic!("no error-rate finding: {f:?}"));
    let ex = rate["examples"][0].as_str().unwrap_or_default();
    assert!(
        ex.starts_with("w.log:1802: ") && ex.contains("refused"),
        "{rate}"
    );
    let top = &v["top_error_templates"][0];
    assert_eq!(top["errors"], 300);
    assert_eq!(
        top["error_example"],
        "w.log:1802: 2026-11-27 10:30:00 worker 0: connection refused by the broker"
    );
}

#[test]
fn terminal_output_escapes_control_characters_and_has_no_color_when_piped() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let o = run(&d, &["a.log"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !o.stdout.contains(&ESC) && !o.stdout.contains(&0x07),
        "raw escape or bell reached the terminal:\n{}",
        stdout(&o)
    );
    let s = stdout(&o);
    assert!(s.contains("pwned\\x07"), "{s}");
    assert!(s.contains("TOP ERROR TEMPLATES"), "{s}");
    assert!(s.contains("INPUT"), "{s}");
}

#[test]
fn terminal_output_fits_80_columns() {
    let d = Dir::new();
    d.write("a.log", incident_log("x").as_bytes());
    let o = bin()
        .current_dir(d.path())
        .env("COLUMNS", "80")
        .args(["a.log"])
        .output()
        .expect("run");
    // Piped output is laid out at 100 columns; COLUMNS applies to terminals. Check the
    // TTY path with `script` where available.
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("TOP ERROR TEMPLATES"), "{}", stdout(&o));
    let Some(tty) = run_in_tty(&d, "COLUMNS=80 NO_COLOR=1", "a.log") else {
        return;
    };
    // The report itself, not an error message, was laid out.
    for section in ["TOP ERROR TEMPLATES", "INPUT"] {
        assert!(tty.contains(section), "no {section}:\n{tty}");
    }
    assert!(
        tty.contains("connection refused to db-primary"),
        "no error template:\n{tty}"
    );
    for line in screen_lines(&tty) {
        let w = line.chars().count();
        assert!(
            w <= 80,
            "line of {w} columns:\n{line}\n\nfull output:\n{tty}"
        );
    }
}

/// What a terminal shows for `raw`: each carriage return starts the line over and the
/// erase-line sequence (`ESC [2K`, used by the progress line on stderr, which shares the
/// terminal in these runs) takes no columns. Every piece written over is returned, so that
/// a progress line wider than the terminal would be caught too.
fn screen_lines(raw: &str) -> Vec<String> {
    raw.split('\n')
        .flat_map(|line| line.split('\r'))
        .map(|piece| piece.replace("\x1b[2K", ""))
        .collect()
}

/// Whether `s` holds an SGR (colour/style) sequence, `ESC [ <digits and ;> m`.
fn has_sgr(s: &str) -> bool {
    s.match_indices("\x1b[").any(|(i, _)| {
        let rest = &s.as_bytes()[i + 2..];
        let n = rest
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b';')
            .count();
        rest.get(n) == Some(&b'm')
    })
}

#[test]
fn screen_lines_and_sgr_detection() {
    let raw = "\r\x1b[2Kfaultline: reading 1 MiB\r\x1b[2Kreport line\r\nnext";
    assert_eq!(
        screen_lines(raw),
        ["", "faultline: reading 1 MiB", "report line", "", "next"]
    );
    assert!(!has_sgr(raw));
    assert!(has_sgr("a \x1b[1;31mred\x1b[0m"));
    assert!(has_sgr("\x1b[m"));
    assert!(!has_sgr("\x1b[2J \x1b[31"));
}

/// Runs the binary on a pseudo-terminal with util-linux `script`; returns its output. On
/// Linux `script` is always there (Debian's essential `bsdutils`), so its absence fails the
/// test; elsewhere (BSD `script` takes other flags) the TTY check is skipped (`None`).
fn run_in_tty(d: &Dir, env: &str, args: &str) -> Option<String> {
    let usable = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !usable {
        if cfg!(target_os = "linux") {
            panic!("util-linux `script` is needed for the terminal tests");
        }
        eprintln!("SKIPPED: no util-linux `script` on this system");
        return None;
    }
    let cmd = format!(
        "env -u NO_COLOR {env} {} {args} < /dev/null",
        env!("CARGO_BIN_EXE_faultline")
    );
    let o = std::process::Command::new("script")
        .current_dir(d.path())
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("run script");
    assert!(o.status.success(), "script: {o:?}");
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn color_only_on_a_terminal_without_no_color() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let Some(colored) = run_in_tty(&d, "COLUMNS=100", "a.log") else {
        return;
    };
    assert!(has_sgr(&colored), "no colour on a TTY:\n{colored}");
    let plain = run_in_tty(&d, "COLUMNS=100 NO_COLOR=1", "a.log").unwrap_or_default();
    // No SGR sequences; the progress line's erase-line (`ESC [2K`) is not colour.
    assert!(!has_sgr(&plain), "colour despite NO_COLOR:\n{plain}");
    assert!(plain.contains("TOP ERROR TEMPLATES"), "{plain}");
}

#[test]
fn markdown_is_pasteable_and_escaped() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let o = run(&d, &["a.log", "-o", "markdown"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.starts_with("### Incident summary\n"), "{s}");
    assert!(s.contains("**Top error templates**"), "{s}");
    // Log content sits in code spans with pipes and backticks neutralized.
    assert!(s.contains("\\| pipe 'tick'"), "{s}");
    assert!(!s.contains("`tick`"), "{s}");
    assert!(!s.as_bytes().contains(&ESC), "{s}");
    assert!(s.contains("22 events from 1 source"), "{s}");
}

#[test]
fn html_is_escaped_and_self_contained() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let o = run(&d, &["a.log", "-o", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.starts_with("<!DOCTYPE html>"),
        "{}",
        &s[..s.len().min(200)]
    );
    assert!(
        s.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "log content not escaped"
    );
    assert!(
        !s.to_lowercase().contains("<script"),
        "a script element in the page"
    );
    assert!(
        !s.contains(" src=") && !s.contains(" href="),
        "external reference"
    );
    assert!(s.contains("default-src 'none'"), "no CSP");
    assert!(!s.as_bytes().contains(&ESC));
    assert!(s.contains("pwned\\x07"));
}

#[test]
fn out_writes_a_file_and_nothing_to_stdout() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let o = run(&d, &["a.log", "-o", "html", "--out", "report.html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let html = std::fs::read_to_string(d.path().join("report.html")).expect("report written");
    assert!(html.contains("id=\"findings\""));
    assert!(stderr(&o).contains("wrote report.html"), "{}", stderr(&o));
    let o = run(
        &d,
        &["a.log", "--out", "/nonexistent-dir/x.json", "-o", "json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot write /nonexistent-dir/x.json"),
        "{}",
        stderr(&o)
    );
}

/// With a baseline, a warn-or-worse template absent from it is a new error — this works even
/// without timestamps, so it runs on any parser.
#[test]
fn fail_on_exit_codes_with_a_baseline() {
    let d = Dir::new();
    let mut base = String::new();
    let mut cur = String::new();
    for i in 0..50 {
        base.push_str(&format!("INFO request {i} served ok\n"));
        cur.push_str(&format!("INFO request {i} served ok\n"));
    }
    for _ in 0..5 {
        cur.push_str("ERROR database connection refused\n");
    }
    d.write("base.log", base.as_bytes());
    d.write("cur.log", cur.as_bytes());
    let o = run(&d, &["cur.log", "--baseline", "base.log", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let f = &v["findings"][0];
    assert_eq!(f["kind"], "new_error", "{v}");
    assert_eq!(f["count"], 5);
    assert_eq!(f["rank"], 1);
    assert!(f["template"]
        .as_str()
        .is_some_and(|t| t.contains("connection refused")));
    assert!(f["examples"][0]
        .as_str()
        .is_some_and(|e| e.starts_with("cur.log:51: ")));
    let sev = f["severity"].as_str().unwrap_or("");
    assert!(["low", "medium", "high"].contains(&sev), "severity {sev}");
    assert_eq!(v["overview"]["baseline"]["events"], 50);

    let o = run(
        &d,
        &["cur.log", "--baseline", "base.log", "--fail-on", "low"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(
        &d,
        &["cur.log", "--baseline", "base.log", "--fail-on", "critical"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Same logs as baseline: nothing new, nothing to fail on.
    let o = run(
        &d,
        &["base.log", "--baseline", "base.log", "--fail-on", "info"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // An unreadable input is exit 2 even when findings exist.
    let o = run(
        &d,
        &[
            "cur.log",
            "missing.log",
            "--baseline",
            "base.log",
            "--fail-on",
            "low",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn skipped_input_is_listed_in_the_overview() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    d.write("b.bin", &[0u8; 4096]);
    let o = run(&d, &["a.log", "b.bin", "missing.log", "-o", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    let notices = v["overview"]["notices"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        notices
            .iter()
            .any(|n| n["source"] == "b.bin" && n["kind"] == "skipped"),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|n| n["source"] == "missing.log" && n["kind"] == "error"),
        "{notices:?}"
    );
}

#[test]
fn bad_time_flags_are_errors() {
    let d = Dir::new();
    d.write("a.log", &small_log());
    let o = run(&d, &["a.log", "--since", "yesterday-ish"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--since"), "{}", stderr(&o));
}

// ---- needs the real record parser (timestamps and levels from `plain` lines) ----

#[test]
fn incident_window_and_new_error_are_found() {
    if !parser_has_time("incident_window_and_new_error_are_found") {
        return;
    }
    let d = Dir::new();
    d.write("app.log", incident_log("").as_bytes());
    let o = run(&d, &["app.log", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let w = &v["incident_window"];
    assert_eq!(w["found"], true, "{w}");
    let start = w["start"].as_str().unwrap_or("");
    let end = w["end"].as_str().unwrap_or("");
    // Onset at 10:40 within one display bucket (15 s for an hour), end near 10:50.
    assert!(
        ("2026-11-27T10:39:45Z".."2026-11-27T10:40:16Z").contains(&start),
        "start {start}"
    );
    assert!(
        ("2026-11-27T10:49:45Z".."2026-11-27T10:50:31Z").contains(&end),
        "end {end}"
    );
    assert_eq!(w["ongoing"], false);
    // The new error is a finding with its onset, evidence and the event before it.
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    let new = findings
        .iter()
        .find(|f| f["kind"] == "new_error")
        .unwrap_or_else(|| panic!("no new_error finding: {findings:?}"));
    assert!(new["template"]
        .as_str()
        .is_some_and(|t| t.contains("connection refused")));
    assert_eq!(new["start"], "2026-11-27T10:40:00Z");
    assert_eq!(new["count"], 1800);
    assert!(new["before_first"]
        .as_str()
        .is_some_and(|b| b.contains("deploy v2.3.1")));
    assert!(findings.iter().any(|f| f["kind"] == "error_rate_spike"));
    // The background error that was always there is not new.
    assert!(!findings.iter().any(|f| f["kind"] == "new_error"
        && f["template"]
            .as_str()
            .is_some_and(|t| t.contains("payment"))));
    // Timeline: 60..300 buckets, width a whole number of seconds.
    let n = v["timeline"]["events"].as_array().map_or(0, |a| a.len());
    assert!((60..=300).contains(&n), "{n} buckets");
    let headline = v["headline"].as_str().unwrap_or("");
    assert!(headline.contains("10:40"), "{headline}");
}

#[test]
fn steady_logs_have_no_incident_window() {
    if !parser_has_time("steady_logs_have_no_incident_window") {
        return;
    }
    let d = Dir::new();
    let text: String = incident_log("")
        .lines()
        .filter(|l| !l.contains("connection refused"))
        .map(|l| format!("{l}\n"))
        .collect();
    d.write("app.log", text.as_bytes());
    let o = run(&d, &["app.log", "-o", "json", "--fail-on", "low"]);
    let v = json(&o);
    assert_eq!(
        v["incident_window"]["found"], false,
        "{}",
        v["incident_window"]
    );
    assert!(v["incident_window"]["explanation"]
        .as_str()
        .is_some_and(|e| e.starts_with("no clear incident window")));
    assert_eq!(
        v["findings"].as_array().map_or(0, |a| a.len()),
        0,
        "{}",
        v["findings"]
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn since_and_until_limit_the_window() {
    if !parser_has_time("since_and_until_limit_the_window") {
        return;
    }
    let d = Dir::new();
    d.write("app.log", incident_log("").as_bytes());
    let all = json(&run(&d, &["app.log", "-o", "json"]));
    let total = all["overview"]["events"].as_u64().unwrap_or(0);
    let o = run(
        &d,
        &[
            "app.log",
            "-o",
            "json",
            "--since",
            "2026-11-27T10:30:00Z",
            "--until",
            "2026-11-27T10:35:00Z",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["overview"]["start"], "2026-11-27T10:30:00Z");
    assert_eq!(v["overview"]["end"], "2026-11-27T10:34:59Z");
    let kept = v["overview"]["events"].as_u64().unwrap_or(0);
    let outside = v["overview"]["time_filter"]["events_outside"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(kept, 300 * 5, "5 events a second for 5 minutes");
    assert_eq!(kept + outside, total);
    // Relative: the last 15 minutes before the end of the input.
    let v = json(&run(&d, &["app.log", "-o", "json", "--since", "15m"]));
    // The input ends at 10:59:59, so the window starts at 10:44:59.
    assert_eq!(v["overview"]["start"], "2026-11-27T10:44:59Z");
    assert!(v["overview"]["time_filter"]["since"]
        .as_str()
        .is_some_and(|s| s.contains("15m before the end")));
}

#[test]
fn fail_on_counts_findings_without_a_baseline() {
    if !parser_has_time("fail_on_counts_findings_without_a_baseline") {
        return;
    }
    let d = Dir::new();
    d.write("app.log", incident_log("").as_bytes());
    let o = run(&d, &["app.log", "--fail-on", "high", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&d, &["app.log"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn json_lines_work_like_plain_lines() {
    if !parser_has_time("json_lines_work_like_plain_lines") {
        return;
    }
    let d = Dir::new();
    let mut s = String::new();
    for sec in 0..600 {
        let t = ts(T0 + sec);
        s.push_str(&format!(
            "{{\"time\":\"{t}\",\"level\":\"info\",\"msg\":\"served request\"}}\n"
        ));
        if sec >= 400 {
            s.push_str(&format!(
                "{{\"time\":\"{t}\",\"level\":\"error\",\"msg\":\"cache cluster unreachable\"}}\n"
            ));
        }
    }
    d.write("app.json", s.as_bytes());
    let v = json(&run(&d, &["app.json", "-o", "json"]));
    assert_eq!(v["overview"]["formats"]["json"], 1, "{}", v["overview"]);
    let f = v["findings"].as_array().cloned().unwrap_or_default();
    assert!(
        f.iter().any(|f| f["kind"] == "new_error"
            && f["template"]
                .as_str()
                .is_some_and(|t| t.contains("unreachable"))),
        "{f:?}"
    );
    // The onset is the start of the display bucket holding 10:06:40 (3 s buckets here).
    let start = v["incident_window"]["start"].as_str().unwrap_or("");
    assert!(
        ("2026-11-27T10:06:37Z"..="2026-11-27T10:06:40Z").contains(&start),
        "start {start}"
    );
    assert_eq!(v["incident_window"]["ongoing"], true);
}

/// Every field the JSON output has is described in docs/json-schema.md.
#[test]
fn json_fields_are_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-schema.md"))
        .expect("docs/json-schema.md");
    let d = Dir::new();
    d.write("base.log", b"INFO ok\n");
    d.write("cur.log", b"INFO ok\nERROR disk full\n");
    let v = json(&run(
        &d,
        &["cur.log", "--baseline", "base.log", "-o", "json"],
    ));
    let objects = [
        ("top level", &v),
        ("finding", &v["findings"][0]),
        ("overview", &v["overview"]),
        ("incident_window", &v["incident_window"]),
        ("timeline", &v["timeline"]),
        ("template", &v["templates"][0]),
    ];
    for (what, obj) in objects {
        let map = obj
            .as_object()
            .unwrap_or_else(|| panic!("{what} is not an object: {obj}"));
        for key in map.keys() {
            assert!(
                doc.contains(&format!("`{key}`")),
                "{what} field `{key}` is not documented in docs/json-schema.md"
            );
        }
    }
}

#[test]
fn relative_since_on_stdin_counts_back_from_the_end_of_the_data() {
    if !parser_has_time("relative_since_on_stdin_counts_back_from_the_end_of_the_data") {
        return;
    }
    let log = incident_log("");
    let out = run_stdin(&["--since", "15m", "-o", "json"], log.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["overview"]["start"], "2026-11-27T10:44:59Z");
    // Evidence points at stdin, not at the temporary copy.
    assert_eq!(v["overview"]["sources"][0]["name"], "-");
    let ex = v["findings"][0]["examples"][0].as_str().unwrap_or("");
    assert!(ex.starts_with("-:"), "{ex}");
}

#[test]
fn time_filtered_stdin_is_named_stdin_in_all_evidence() {
    // An access log piped in with --since is read twice from a temporary copy: route,
    // upstream and sampled evidence name stdin too, not the copy.
    let log = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/example/incident/access.log"
    ))
    .expect("example access log");
    let out = run_stdin(&["--since", "3h", "-o", "json"], &log);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"-:"), "{text}");
    assert!(!text.contains("faultline-stdin"), "{text}");
}

/// Runs `args` with each `(threads, chunk size)` and asserts stdout equals `reference`'s.
fn assert_same_for_chunkings(
    d: &Dir,
    args: &[&str],
    reference: &std::process::Output,
    runs: &[(&str, &str)],
) {
    for &(threads, chunk) in runs {
        let mut a = args.to_vec();
        a.extend(["-j", threads, "--chunk-size", chunk]);
        let o = run(d, &a);
        assert!(
            o.stdout == reference.stdout,
            "{args:?} output differs with -j {threads} --chunk-size {chunk}"
        );
    }
}

/// Same input → same report, for any thread count and chunk size (every format).
#[test]
fn output_does_not_depend_on_threads_or_chunking() {
    let d = Dir::new();
    d.write("app.log", incident_log("").as_bytes());
    d.write("base.log", &small_log());
    for fmt in ["json", "markdown", "html", "table"] {
        let reference = run(
            &d,
            &["app.log", "--baseline", "base.log", "-o", fmt, "-j", "1"],
        );
        assert_eq!(reference.status.code(), Some(0), "{}", stderr(&reference));
        assert_same_for_chunkings(
            &d,
            &["app.log", "--baseline", "base.log", "-o", fmt],
            &reference,
            &[("2", "4096"), ("3", "65536"), ("1", "777")],
        );
    }
}

/// A template that is rare all day and bursts late: the spike's examples come from inside the
/// burst (sampled occurrences), not only from the template's first events hours before.
#[test]
fn late_spike_examples_come_from_inside_the_burst() {
    if !parser_has_time("late_spike_examples_come_from_inside_the_burst") {
        return;
    }
    let d = Dir::new();
    let t0 = 1_795_000_000i64; // seconds
    let mut lines: Vec<(i64, String)> = Vec::new();
    for i in 0..(6 * 360) {
        lines.push((
            t0 + i * 10,
            format!("INFO request served ok in {}ms", 5 + i % 7),
        ));
    }
    // Rare background: one timeout every 40 minutes.
    for k in 0..9 {
        lines.push((
            t0 + 60 + k * 2400,
            format!("ERROR Connection to db-replica-2:5432 timed out after 3000ms (try {k})"),
        ));
    }
    // The burst: 40 timeouts in ten minutes, four and a half hours in.
    let burst = t0 + 4 * 3600 + 1800;
    for k in 0..40 {
        lines.push((
            burst + k * 15,
            format!("ERROR Connection to db-replica-2:5432 timed out after 3000ms (try {k})"),
        ));
    }
    lines.sort();
    let text: String = lines
        .iter()
        .map(|(t, m)| {
            let ts = jiff::Timestamp::from_second(*t).expect("time");
            format!("{ts} {m}\n")
        })
        .collect();
    d.write("app.log", text.as_bytes());
    let reference = run(&d, &["app.log", "-o", "json", "-j", "1"]);
    // The sample is the same for any chunking and thread count.
    assert_same_for_chunkings(
        &d,
        &["app.log", "-o", "json"],
        &reference,
        &[("2", "999"), ("3", "65536")],
    );
    let v = json(&reference);
    // The template masks the host its lines name: the database's timeouts lead the incident
    // and the spike is told under them, in `details.related` (the detector's own form).
    let findings = v["findings"].as_array().expect("findings");
    let related = findings
        .iter()
        .filter_map(|f| f["details"]["related"].as_array())
        .flatten();
    let spike = findings
        .iter()
        .chain(related)
        .find(|x| {
            x["kind"] == "spike"
                && x["template"]
                    .as_str()
                    .is_some_and(|t| t.contains("timed out"))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no spike finding: {}", v["findings"]));
    let examples = spike["examples"].as_array().expect("examples");
    assert!(!examples.is_empty());
    let inside = examples
        .iter()
        .filter(|e| {
            // `app.log:LINE: <time> ERROR ...`, or `{"text": "<time> ERROR ...", ...}`.
            let text = match e.as_str() {
                Some(s) => s.split(": ").nth(1).unwrap_or(""),
                None => e["text"].as_str().unwrap_or(""),
            };
            let ts = text.split(' ').next();
            ts.and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .is_some_and(|t| t.as_second() >= burst && t.as_second() < burst + 600)
        })
        .count();
    assert!(inside >= 2, "examples outside the burst: {examples:?}");
    assert!(
        !spike["notes"].to_string().contains("from before the burst"),
        "{}",
        spike["notes"]
    );
}

/// A normal day's report does not headline a weak finding as the incident.
#[test]
fn normal_day_headline_says_no_clear_incident() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/example/normal");
    let d = Dir::new();
    let v = json(&run(&d, &[dir, "-o", "json"]));
    let h = v["headline"].as_str().unwrap_or("");
    assert!(h.starts_with("No clear incident"), "{h}");
}

/// Access logs template every request of a method as `GET <PATH> HTTP/<NUM>`: an error-rate
/// finding driven by one route's 5xx names that route, and counts failing requests, not all
/// requests of the template.
#[test]
fn error_rate_on_access_logs_names_the_failing_route() {
    let d = Dir::new();
    let mut text = String::new();
    let t0 = 1_795_000_000i64;
    for i in 0..(3 * 3600 / 5) {
        let t = t0 + i * 5;
        let ts = stamp(t, "%d/%b/%Y:%H:%M:%S +0000");
        let burst = (t0 + 7200..t0 + 8400).contains(&t);
        let items_status = if burst && i % 2 == 0 { 503 } else { 200 };
        text.push_str(&format!(
            "10.0.0.{} - - [{ts}] \"GET /api/items/{} HTTP/1.1\" {items_status} 512 \"-\" \"curl/8\"\n",
            i % 200,
            1000 + i % 37
        ));
        text.push_str(&format!(
            "10.0.1.{} - - [{ts}] \"GET /static/app.js HTTP/1.1\" 200 9000 \"-\" \"curl/8\"\n",
            i % 200
        ));
    }
    d.write("access.log", text.as_bytes());
    let v = json(&run(&d, &["access.log", "-o", "json"]));
    let f = finding_of_kind(&v, "error_rate_spike");
    let title = f["title"].as_str().unwrap_or("");
    assert!(title.contains("mostly GET /api/items/"), "{title}");
    assert!(!title.contains("<PATH>"), "{title}");
    // Failing requests only: 120 of the template's ~480 requests in the window.
    let top = &f["details"]["top_templates"][0];
    assert_eq!(top["template"], "GET <PATH> HTTP/<NUM>");
    let n = top["count"].as_u64().unwrap_or(0);
    assert!((100..=130).contains(&n), "{top}");
}

/// A template of request records that mostly succeed (`request completed`, level from the
/// status) counts only its error records in an error-rate finding, exactly: each signature
/// keeps its error events' series apart, so nothing is scaled from the template's overall
/// error share.
#[test]
fn error_rate_counts_a_mixed_templates_errors_exactly() {
    let d = Dir::new();
    let mut text = String::new();
    let t0 = 1_795_000_000i64;
    let (from, to) = (t0 + 7200, t0 + 7800);
    let mut in_window = 0u64;
    for i in 0..(3 * 3600 / 2) {
        let t = t0 + i * 2;
        let ts = jiff::Timestamp::from_second(t).expect("time");
        for k in 0..3 {
            let burst = (from..to).contains(&t);
            let failed = (burst && (i + k) % 2 == 0) || (i * 3 + k) % 211 == 0;
            if failed && burst {
                in_window += 1;
            }
            let (level, status) = if failed {
                ("error", 500)
            } else {
                ("info", 200)
            };
            text.push_str(&format!(
                "{{\"time\":\"{ts}\",\"level\":\"{level}\",\"msg\":\"request completed\",\"method\":\"GET\",\"path\":\"/api/items/{}\",\"status\":{status},\"duration_ms\":{}}}\n",
                1000 + (i * 7 + k) % 300,
                5 + (i + k) % 70
            ));
        }
    }
    d.write("app.log", text.as_bytes());
    let v = json(&run(&d, &["app.log", "-o", "json"]));
    let f = finding_of_kind(&v, "error_rate_spike");
    assert_eq!(
        f["start"],
        jiff::Timestamp::from_second(from).expect("t").to_string()
    );
    let top = f["details"]["top_templates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(top.len(), 1, "{top:?}");
    assert_eq!(top[0]["template"], "request completed");
    assert_eq!(top[0]["count"].as_u64(), Some(in_window), "{top:?}");
    assert!(top[0].get("estimated").is_none(), "{top:?}");
    assert_eq!(f["count"].as_u64(), Some(in_window));
    let title = f["title"].as_str().unwrap_or("");
    assert!(
        title.ends_with("errors, mostly request completed"),
        "{title}"
    );
}

/// A Rails production.log: the request-id tag is no template, and an exception report (a
/// blank FATAL line, the exception, its backtrace) is one event named by its exception, so
/// the report leads with the cause, not with `[<UUID>]` or an empty message.
#[test]
fn a_rails_log_leads_with_the_exception() {
    let d = Dir::new();
    let mut text = String::new();
    let t0 = 1_795_000_000i64;
    for i in 0..(2 * 3600 / 3) {
        let t = t0 + i * 3;
        let ts = stamp(t, "%Y-%m-%dT%H:%M:%S.%6f");
        let id = format!("{:08x}-c555-4cba-995f-{:012x}", i * 7919, i);
        let pid = 4100 + i % 4;
        let head = |l: &str, w: &str| format!("{l}, [{ts} #{pid}] {w:>5} -- : [{id}] ");
        text.push_str(&format!(
            "{}Started GET \"/orders/{}\" for 10.0.0.{} at 2026-01-01 00:00:00 +0000\n",
            head("I", "INFO"),
            i % 500,
            i % 250
        ));
        let failing = (t0 + 5400..t0 + 6000).contains(&t) && i % 3 != 0;
        if failing {
            text.push_str(&format!(
                "{}Completed 500 Internal Server Error in 5003ms (ActiveRecord: 0.0ms | Allocations: 912)\n",
                head("I", "INFO")
            ));
            text.push_str(&format!(
                "{}  \n[{id}] ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds (waited 5.00{} seconds); all pooled connections were in use):\n[{id}]   \n[{id}] activerecord (7.0.4) lib/active_record/connection_adapters/abstract/connection_pool/queue.rb:128:in `block in wait_poll'\n[{id}] app/models/order.rb:42:in `find_for_user'\n",
                head("F", "FATAL"),
                i % 10
            ));
        } else {
            text.push_str(&format!(
                "{}Completed 200 OK in {}ms (Views: 1.0ms | ActiveRecord: 2.0ms | Allocations: 1234)\n",
                head("I", "INFO"),
                10 + i % 50
            ));
        }
    }
    d.write("production.log", text.as_bytes());
    let v = json(&run(&d, &["production.log", "-o", "json"]));
    let top = &v["findings"][0];
    let title = top["title"].as_str().unwrap_or("");
    assert!(
        title.contains("ActiveRecord::ConnectionTimeoutError (could not obtain"),
        "{title}"
    );
    assert_eq!(top["count"].as_u64(), Some(133), "{top}");
    // Evidence is the exception's line, not the report's blank first line.
    let ex = top["examples"][0].as_str().unwrap_or("");
    assert!(
        ex.contains("] ActiveRecord::ConnectionTimeoutError"),
        "{ex}"
    );
    let all = v["findings"].to_string();
    assert!(!all.contains("[<UUID>]"), "{all}");
    assert!(!all.contains("(empty message)"), "{all}");
}

/// Rails with lograge (one logfmt line per request through the Ruby Logger): the requests
/// are the endpoint table's, so the failing route is found and named.
#[test]
fn rails_lograge_requests_find_the_failing_route() {
    let d = Dir::new();
    let mut text = String::new();
    let t0 = 1_795_000_000i64;
    for i in 0..(2 * 3600 / 2) {
        let t = t0 + i * 2;
        let ts = stamp(t, "%Y-%m-%dT%H:%M:%S.%6f");
        let failing = (t0 + 5400..t0 + 6000).contains(&t) && i % 2 == 0;
        let (path, controller) = if i % 2 == 0 {
            (format!("/orders/{}", 1000 + i % 300), "OrdersController")
        } else {
            (
                format!("/products/{}", 1000 + i % 300),
                "ProductsController",
            )
        };
        let (status, duration) = if failing { (500, 5003.2) } else { (200, 12.5) };
        text.push_str(&format!(
            "I, [{ts} #{}]  INFO -- : [{:08x}-c555-4cba-995f-{i:012x}] method=GET path={path} format=json controller={controller} action=show status={status} duration={duration} view=0.00 db=0.00\n",
            4100 + i % 4,
            i * 7919
        ));
    }
    d.write("production.log", text.as_bytes());
    let v = json(&run(&d, &["production.log", "-o", "json"]));
    let f = finding_of_kind(&v, "failing_route");
    assert_eq!(f["route"], "GET /orders/{id}", "{f}");
    assert_eq!(f["rank"], 1, "{f}");
}

/// A plain Rails production.log (no lograge): the route is only in `Started GET "/orders/42"`
/// and the status only in `Completed 500 … in 5003ms`, paired by the request-id tag. Requests
/// overlap (a slow one completes after the next has started), and the pairs are the same for
/// any chunk size and thread count.
#[test]
fn rails_started_and_completed_lines_pair_into_routes() {
    let d = Dir::new();
    let mut text = String::new();
    let t0 = 1_795_000_000i64;
    let line = |t: f64, lvl: &str, id: &str, msg: &str| {
        let ts = stamp_ms((t * 1000.0) as i64, "%Y-%m-%dT%H:%M:%S.%6f");
        format!("{}, [{ts} #4101] {lvl:>5} -- : [{id}] {msg}\n", &lvl[..1])
    };
    let mut pending: Option<(f64, String, String)> = None;
    for i in 0..(2 * 3600 / 2) {
        let t = (t0 + i * 2) as f64;
        let id = format!("{:08x}-c555-4cba-995f-{i:012x}", i * 7919);
        let orders = i % 2 == 0;
        let path = if orders {
            format!("/orders/{}", 1000 + i % 300)
        } else {
            format!("/products/{}", 1000 + i % 300)
        };
        let failing = orders && (t0 + 5400..t0 + 6000).contains(&(t as i64));
        text.push_str(&line(
            t,
            "INFO",
            &id,
            &format!("Started GET \"{path}\" for 10.0.0.7 at 2026-11-18 10:00:00 +0000"),
        ));
        // The previous request completes after this one started.
        if let Some((pt, pid, msg)) = pending.take() {
            text.push_str(&line(pt, "INFO", &pid, &msg));
        }
        text.push_str(&line(
            t + 0.01,
            "INFO",
            &id,
            "Processing by OrdersController#show as JSON",
        ));
        let done = if failing {
            "Completed 500 Internal Server Error in 5003ms (ActiveRecord: 0.0ms | Allocations: 912)"
        } else {
            "Completed 200 OK in 12ms (Views: 3.1ms | ActiveRecord: 4.2ms | Allocations: 2012)"
        };
        pending = Some((t + 1.5, id.clone(), done.to_string()));
        if failing {
            text.push_str(&line(t + 1.6, "FATAL", &id, "  "));
            text.push_str(&format!("[{id}] ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds):\n[{id}]   \n[{id}] app/models/order.rb:42:in `find_for_user'\n"));
        }
    }
    d.write("production.log", text.as_bytes());
    let v = json(&run(&d, &["production.log", "-o", "json"]));
    // The exception leads, with the failing route (known only from the pairs) in its group.
    let top = &v["findings"][0];
    let title = top["title"].as_str().unwrap_or("");
    assert!(
        title.contains("ActiveRecord::ConnectionTimeoutError"),
        "{title}"
    );
    let related = top["details"]["related"]
        .as_array()
        .expect("related findings");
    let route = related
        .iter()
        .find(|r| r["kind"] == "failing_route")
        .unwrap_or_else(|| panic!("no failing route in {top}"));
    assert_eq!(route["route"], "GET /orders/{id}", "{route}");
    assert_eq!(route["details"]["failed"], 150, "{route}");
    let endpoints = |extra: &[&str]| {
        let mut a = vec!["endpoints", "production.log", "-o", "json"];
        a.extend(extra);
        let o = run(&d, &a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    let base = endpoints(&["--threads", "1"]);
    let e: serde_json::Value = serde_json::from_slice(&base).expect("endpoints JSON");
    let routes = e["routes"].as_array().expect("routes");
    let requests: u64 = routes.iter().filter_map(|r| r["requests"].as_u64()).sum();
    // Every request but the last (its completion is never written) is counted once.
    assert_eq!(requests, 3600 - 1, "{e}");
    assert_eq!(e["unpaired_completions"], 0, "{e}");
    for (threads, chunk) in [("2", "4096"), ("3", "333"), ("2", "100000")] {
        assert!(
            endpoints(&["--threads", threads, "--chunk-size", chunk]) == base,
            "endpoints differ with --threads {threads} --chunk-size {chunk}"
        );
    }
}

/// Rails 8's default logger (tags, no stamp, no level): the halves pair into routes and
/// each failing request's exception report is linked to its route by the request id.
#[test]
fn rails8_requests_pair_and_link_their_exceptions() {
    let d = Dir::new();
    let fixture = format!("{}/testdata/formats/rails8.log", env!("CARGO_MANIFEST_DIR"));
    let o = run(&d, &["endpoints", &fixture, "-o", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("endpoints JSON");
    let route = |name: &str| {
        v["routes"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["route"] == name))
            .unwrap_or_else(|| panic!("no {name} in {v}"))
            .clone()
    };
    let orders = route("GET /orders/{id}");
    assert_eq!(
        (orders["requests"].as_u64(), orders["failed"].as_u64()),
        (Some(1), Some(1))
    );
    let linked = |r: &serde_json::Value, prefix: &str| {
        r["error_templates"].as_array().is_some_and(|t| {
            t.iter()
                .any(|t| t["template"].as_str().unwrap_or("").starts_with(prefix))
        })
    };
    assert!(
        linked(&orders, "ActiveRecord::ConnectionTimeoutError"),
        "{orders}"
    );
    let checkout = route("POST /cart/checkout");
    assert!(
        linked(&checkout, "ActionView::Template::Error"),
        "{checkout}"
    );
    assert_eq!(route("GET /up")["failed"], 0);
    // The last request never completed: its start names a route with no requests.
    assert_eq!(v["requests"], 3, "{v}");
    assert_eq!(v["unpaired_completions"], 0, "{v}");
}

/// A Laravel log (Monolog): the exception context's lines are one event at the header's
/// level, so a burst of them is one new error, not `[stacktrace]` and `#<NUM> {main}`.
#[test]
fn a_laravel_log_leads_with_the_exception() {
    let d = Dir::new();
    let mut text = String::new();
    let t0 = 1_795_000_000i64;
    for i in 0..(2 * 3600 / 2) {
        let t = t0 + i * 2;
        let ts = stamp(t, "%Y-%m-%d %H:%M:%S");
        if (t0 + 5400..t0 + 6000).contains(&t) && i % 2 == 0 {
            text.push_str(&format!(
                "[{ts}] production.ERROR: SQLSTATE[HY000] [2002] Connection refused (SQL: select * from `orders` where `id` = {i} limit 1) {{\"userId\":{},\"exception\":\"[object] (Illuminate\\\\Database\\\\QueryException(code: 2002): Connection refused at /var/www/vendor/laravel/framework/src/Illuminate/Database/Connection.php:760)\n[stacktrace]\n#0 /var/www/app/Http/Controllers/OrderController.php(31): Illuminate\\\\Database\\\\Connection->select()\n#1 {{main}}\n\"}}\n",
                i % 50
            ));
        } else {
            text.push_str(&format!(
                "[{ts}] production.INFO: Order {i} viewed {{\"user_id\":{}}}\n",
                i % 50
            ));
        }
    }
    d.write("laravel.log", text.as_bytes());
    let v = json(&run(&d, &["laravel.log", "-o", "json"]));
    let top = &v["findings"][0];
    let title = top["title"].as_str().unwrap_or("");
    assert!(title.starts_with("New error: SQLSTATE"), "{title}");
    assert_eq!(top["count"].as_u64(), Some(150), "{top}");
    for f in v["findings"].as_array().cloned().unwrap_or_default() {
        let t = f["title"].as_str().unwrap_or("");
        assert!(!t.contains("[stacktrace]") && !t.contains("{main}"), "{t}");
    }
    assert_eq!(top["severity"], "critical", "{top}");
}

/// The first finding of `kind` in a summary's JSON.
fn finding_of_kind(v: &serde_json::Value, kind: &str) -> serde_json::Value {
    v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["kind"] == kind))
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} finding: {}", v["findings"]))
}

/// ASP.NET Core's console logger: a request log whose POST route starts failing because of a
/// SQL timeout, logged as the middleware's generic "An unhandled exception has occurred".
fn aspnet_sql_timeout_log() -> String {
    let mut s = String::new();
    for i in 0..3000i64 {
        let t = T0 + i;
        let stamp = format!("{}.000Z", &ts(t)[..19]);
        let (method, path) = match i % 3 {
            0 => ("GET", format!("/api/products/{}", i % 97)),
            1 => ("POST", "/api/orders".to_string()),
            _ => ("GET", "/health".to_string()),
        };
        s.push_str(&format!(
            "{stamp} info: Microsoft.AspNetCore.Hosting.Diagnostics[1]\n      Request starting HTTP/1.1 {method} http://shop:8080{path} - -\n"
        ));
        let failing = method == "POST" && i >= 2400;
        if failing {
            s.push_str(&format!(
                "{stamp} fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]\n      An unhandled exception has occurred while executing the request.\n      Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.\n       ---> System.ComponentModel.Win32Exception (258): The wait operation timed out.\n         at Microsoft.Data.SqlClient.SqlConnection.OnError(SqlException exception, Boolean breakConnection)\n         at Shop.Data.OrderRepository.InsertAsync(Order order) in /src/Shop/Data/OrderRepository.cs:line 57\n         at Shop.Api.OrdersController.Create(OrderDto dto) in /src/Shop/Api/OrdersController.cs:line 31\n"
            ));
        }
        let (status, ms) = if failing {
            (500, 30000 + i % 7)
        } else {
            (200, 5 + i % 40)
        };
        s.push_str(&format!(
            "{stamp} info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 {method} http://shop:8080{path} - {status} - application/json {ms}.1234ms\n"
        ));
    }
    s
}

/// A stack trace whose first line is a framework's generic message is named by its
/// exception in the findings (and so in the "same incident" note of the failing route it
/// explains); evidence of a logger that puts the message under a header line shows both.
#[test]
fn generic_exception_messages_are_named_by_their_exception() {
    let d = Dir::new();
    d.write("shop.log", aspnet_sql_timeout_log().as_bytes());
    let o = run(&d, &["summary", "shop.log", "--output", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let mut titles: Vec<String> = Vec::new();
    for f in v["findings"].as_array().into_iter().flatten() {
        titles.extend(f["title"].as_str().map(String::from));
        for r in f["details"]["related"].as_array().into_iter().flatten() {
            titles.extend(r["title"].as_str().map(String::from));
        }
    }
    let named = "An unhandled exception has occurred while executing the request. — SqlException (<HEX>): Execution Timeout Expired.";
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("New error: ") && t.contains(named)),
        "{titles:#?}"
    );
    // The headline names the failing route and, with it, the exception it was logged with.
    let headline = v["headline"].as_str().unwrap_or_default();
    assert!(
        headline.contains("top finding: POST /api/orders")
            && headline.contains(", logged with SqlException (<HEX>): Execution Timeout Expired."),
        "{headline}"
    );
    assert!(
        !headline.contains("…."),
        "a cut sentence ends at its cut: {headline}"
    );
    // The template keeps its signature token.
    let templates = v["templates"].as_array().cloned().unwrap_or_default();
    assert!(
        templates.iter().any(|t| t["template"]
            .as_str()
            .is_some_and(|s| s.contains("request. [exc=Microsoft.Data.SqlClient.SqlException"))),
        "{templates:#?}"
    );
    let o = run(&d, &["summary", "shop.log"]);
    let out = stdout(&o);
    assert!(out.contains("— SqlException (<HEX>)"), "{out}");
    assert!(
        out.contains("Microsoft.AspNetCore.Hosting.Diagnostics[2] Request finished"),
        "{out}"
    );
}

/// A route that starts failing when its handler cannot publish to Kafka: the headline names
/// the failing route (what broke) and the new error its failures came with (why).
#[test]
fn a_failing_routes_headline_says_the_error_it_came_with() {
    let mut log = String::new();
    for k in 0..3600i64 {
        let t = ts(T0 + k);
        let failing = k >= 2400 && k % 4 == 0;
        if failing {
            log.push_str(&format!(
                "{{\"level\":\"error\",\"ts\":\"{t}\",\"msg\":\"failed to publish event\",\"error\":\"kafka: client has run out of available brokers to talk to\"}}\n"
            ));
        }
        let (path, status) = match k % 2 {
            0 => ("/v1/orders", if failing { 503 } else { 201 }),
            _ => ("/healthz", 200),
        };
        let method = if path == "/v1/orders" { "POST" } else { "GET" };
        log.push_str(&format!(
            "{{\"level\":\"info\",\"ts\":\"{t}\",\"msg\":\"request\",\"method\":\"{method}\",\"path\":\"{path}\",\"status\":{status},\"duration_ms\":12}}\n"
        ));
    }
    let d = Dir::new();
    d.write("api.jsonl", log.as_bytes());
    let o = run(&d, &["summary", "-q", "-o", "json", "api.jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        v["findings"][0]["kind"], "failing_route",
        "{:#}",
        v["findings"][0]
    );
    let headline = v["headline"].as_str().unwrap_or_default();
    assert!(
        headline.contains("top finding: POST /v1/orders")
            && headline.ends_with(
                ", logged with failed to publish event: kafka: client has run out of available brokers to talk to."
            ),
        "{headline}"
    );
}

/// `stern api` output: every pod's lines behind `POD CONTAINER `. One replica of three starts
/// failing; the failing route's finding says which one (the pod is a field of each event).
#[test]
fn one_bad_pod_in_stern_output_is_named() {
    let pods = [
        "api-7d9f8c5b6-x2kq9",
        "api-7d9f8c5b6-bcdfg",
        "api-7d9f8c5b6-zq7wp",
    ];
    let log = replicas_log(&pods.map(|p| format!("{p} app ")));
    let o = run_stdin(&["summary", "--output", "json", "-"], log.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let top = &v["findings"][0];
    assert_eq!(top["route"], "GET /api/orders", "{top}");
    let notes: Vec<&str> = top["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("failing requests: pod=api-7d9f8c5b6-zq7wp in 100%")),
        "{notes:?}"
    );
    // The headline says where, as well as what and why.
    let headline = v["headline"].as_str().expect("headline");
    assert!(
        headline.contains("events, pod=api-7d9f8c5b6-zq7wp in 100% of failures)"),
        "{headline}"
    );
    // And the Markdown summary's "Where:".
    let o = run_stdin(&["summary", "--output", "markdown", "-"], log.as_bytes());
    let md = stdout(&o);
    assert!(
        md.contains(
            "- **Where:** route `GET /api/orders`, pod=api-7d9f8c5b6-zq7wp in 100% of failures, "
        ),
        "{md}"
    );
}

/// A JSON service's log through three replicas' `prefixes`, the third failing the route's
/// requests from about 70% of the way on.
fn replicas_log(prefixes: &[String; 3]) -> String {
    let start = 1_764_493_200_000_i64; // 2025-11-30T09:00:00Z
    let mut log = String::new();
    for i in 0..7200_i64 {
        let ts = stamp_ms(start + i * 500, "%Y-%m-%dT%H:%M:%S%.3fZ");
        let k = (i * 7 % 3) as usize;
        let prefix = &prefixes[k];
        if i > 5000 && k == 2 && i % 5 != 0 {
            log.push_str(&format!(
                "{prefix}{{\"level\":\"error\",\"ts\":\"{ts}\",\"msg\":\"query failed\",\"error\":\"pq: too many connections\",\"method\":\"GET\",\"path\":\"/api/orders\",\"status\":500}}\n"
            ));
        } else {
            log.push_str(&format!(
                "{prefix}{{\"level\":\"info\",\"ts\":\"{ts}\",\"msg\":\"request done\",\"method\":\"GET\",\"path\":\"/api/orders\",\"status\":200,\"duration_ms\":{}}}\n",
                5 + i % 40
            ));
        }
    }
    log
}

/// `docker compose logs` of three replicas, one failing: the headline names its container.
#[test]
fn one_bad_replica_in_docker_compose_output_is_named() {
    let log = replicas_log(&["api-1  | ", "api-2  | ", "api-3  | "].map(String::from));
    let o = run_stdin(&["summary", "--output", "json", "-"], log.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["findings"][0]["route"], "GET /api/orders",
        "{}",
        v["findings"][0]
    );
    let headline = v["headline"].as_str().expect("headline");
    assert!(
        headline.contains("container=api-3 in 100% of failures)"),
        "{headline}"
    );
}

/// A Phoenix app logged with Elixir's default console format: times of day without a date,
/// `request_id` metadata, each request as `GET /path` then `Sent 500 in 2003ms`. Its payments
/// route starts failing: without dating the times of day there was no timeline at all ("no
/// findings"), and without pairing the halves no route.
#[test]
fn a_phoenix_apps_failing_route_is_found_in_time_of_day_logs() {
    let mut log = String::new();
    let paths = ["/api/users/7", "/api/orders", "/api/payments"];
    for i in 0..3000_i64 {
        let t = 8 * 3_600_000 + i * 900;
        let ts = format!(
            "{:02}:{:02}:{:02}.{:03}",
            t / 3_600_000,
            t / 60_000 % 60,
            t / 1000 % 60,
            t % 1000
        );
        let rid = format!("F{:019x}", i * 7919 + 17);
        let path = paths[(i * 7 % 3) as usize];
        log.push_str(&format!("{ts} request_id={rid} [info] GET {path}\n"));
        if i > 2200 && path == "/api/payments" {
            log.push_str(&format!(
                "{ts} request_id={rid} [error] ** (DBConnection.ConnectionError) connection not available and request was dropped from queue after 2000ms\n    (db_connection 2.6.0) lib/db_connection.ex:1000: DBConnection.run/3\n"
            ));
            log.push_str(&format!(
                "{ts} request_id={rid} [info] Sent 500 in 2003ms\n"
            ));
        } else {
            log.push_str(&format!(
                "{ts} request_id={rid} [info] Sent 200 in {}ms\n",
                3 + i % 40
            ));
        }
    }
    let o = run_stdin(&["summary", "--output", "json", "-"], log.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let top = &v["findings"][0];
    assert_eq!(top["route"], "GET /api/payments", "{top}");
    let headline = v["headline"].as_str().expect("headline");
    assert!(headline.contains("GET /api/payments"), "{headline}");
    assert!(
        headline.contains("DBConnection.ConnectionError"),
        "{headline}"
    );
    assert_eq!(
        v["overview"]["time_dated_events"], 6267,
        "{}",
        v["overview"]
    );
}

/// A Go service (zap's console encoder) whose checkout starts failing with a stack under each
/// error: the headline names the route and what its errors say, not the Go function the
/// finding's title ends with (`— in main.(*Server).handleCheckout`).
#[test]
fn a_go_routes_headline_says_its_error_not_its_function() {
    let start = 1_764_496_800_000_i64;
    let mut log = String::new();
    for i in 0..6000_i64 {
        let ts = stamp_ms(start + i * 600, "%Y-%m-%dT%H:%M:%S%.3fZ");
        if i > 4000 && i % 2 == 0 {
            log.push_str(&format!(
                "{ts}\tERROR\tapi/handler.go:120\trequest failed\t{{\"method\": \"POST\", \"path\": \"/checkout\", \"status\": 500, \"error\": \"pq: too many connections\"}}\nmain.(*Server).handleCheckout\n\t/app/api/handler.go:120\nnet/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2136\n"
            ));
        } else {
            log.push_str(&format!(
                "{ts}\tINFO\tapi/handler.go:88\trequest served\t{{\"method\": \"POST\", \"path\": \"/checkout\", \"status\": 200, \"latency\": \"{}ms\"}}\n",
                3 + i % 37
            ));
        }
    }
    let o = run_stdin(&["summary", "--output", "json", "-"], log.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let headline = v["headline"].as_str().expect("headline");
    assert!(
        headline.contains("top finding: POST /checkout: "),
        "{headline}"
    );
    assert!(
        headline.ends_with(", logged with request failed: pq: too many connections."),
        "{headline}"
    );
}

/// A service in a crash loop after a deploy logs its start line on every restart, so that
/// line is no one-off; the new value of its `version` field is the lead, for any thread
/// count and chunk size, in every output.
#[test]
fn a_crash_loop_names_the_version_it_started_with() {
    let start = 1_764_496_800_000_i64;
    let mut log = String::new();
    let line = |log: &mut String, ms: i64, rest: &str| {
        let ts = stamp_ms(start + ms, "%Y-%m-%dT%H:%M:%S%.3fZ");
        log.push_str(&format!("time=\"{ts}\" {rest}\n"));
    };
    line(
        &mut log,
        0,
        "level=info msg=\"starting orders\" version=1.8.2 commit=ab12cd",
    );
    let deploy = 3_600_000;
    for i in 1..10_800_i64 {
        let ms = i * 1_000;
        if ms == deploy {
            line(
                &mut log,
                ms,
                "level=info msg=\"starting orders\" version=1.9.0 commit=ef34aa",
            );
        } else if ms > deploy && (ms - deploy) % 300_000 == 90_000 {
            log.push_str("panic: assignment to entry in nil map\n\ngoroutine 7 [running]:\nmain.(*Store).Put(...)\n\t/src/store.go:57\n");
            line(
                &mut log,
                ms,
                "level=info msg=\"starting orders\" version=1.9.0 commit=ef34aa",
            );
        }
        line(
            &mut log,
            ms,
            &format!("level=info msg=\"request handled\" path=/orders/{i} status=200"),
        );
    }
    let d = Dir::new();
    d.write("orders.log", log.as_bytes());
    // (The panic has no time of its own: it takes the line before it, a second earlier.)
    let want = "first seen 1m29s after commit=ef34aa (was ab12cd), version=1.9.0 (was 1.8.2) first appeared: orders.log:3601: ";
    let mut seen = Vec::new();
    for extra in [&["-j", "1"][..], &["-j", "2", "--chunk-size", "3000"]] {
        let mut args = vec!["summary", "orders.log", "--output", "json"];
        args.extend_from_slice(extra);
        let o = run(&d, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let f = v["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["kind"] == "new_error"))
            .unwrap_or_else(|| panic!("no new error: {v}"));
        let notes: Vec<&str> = f["notes"]
            .as_array()
            .map(|n| n.iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        assert!(notes.iter().any(|n| n.starts_with(want)), "{notes:?}");
        seen.push(o.stdout);
    }
    assert_eq!(seen[0], seen[1]);
    let md = run(&d, &["summary", "orders.log", "--output", "markdown"]);
    assert!(
        stdout(&md).contains("version=1.9.0 (was 1.8.2)"),
        "{}",
        stdout(&md)
    );
}

/// `docker logs` of a Flask app that prints no time: its tracebacks start 70 % into the log,
/// a hundred lines after a worker restart. With one log, line order is event order: the new
/// error is found by position, with the restart as its lead, the same for any chunking and
/// from a pipe; steady warnings and errors are not new; the code line `pool.get()` in the
/// traceback names no upstream.
#[test]
fn an_untimed_logs_new_error_is_found_by_line_order() {
    let mut log = String::new();
    for i in 0..5_000 {
        if i >= 3_500 && i % 15 == 0 {
            log.push_str(concat!(
                "ERROR:app:Exception on /checkout [POST]\n",
                "Traceback (most recent call last):\n",
                "  File \"/app/app/views.py\", line 88, in checkout\n",
                "    order = Order.create(cart)\n",
                "  File \"/app/app/models.py\", line 41, in create\n",
                "    conn = pool.get()\n",
                "psycopg2.OperationalError: could not connect to server: Connection refused\n",
            ));
        } else if i == 3_400 {
            log.push_str("INFO:gunicorn:Booting worker with pid: 4242\n");
        } else if i % 50 == 7 {
            log.push_str(&format!("WARNING:app:slow query took {}ms\n", 1_000 + i));
        } else if i % 300 == 11 {
            log.push_str(&format!("ERROR:app:payment declined for order {i}\n"));
        } else {
            log.push_str(&format!("INFO:app:GET /api/orders/{} 200\n", i % 977));
        }
    }
    let d = Dir::new();
    d.write("app.log", log.as_bytes());
    let findings = |o: &std::process::Output| -> Vec<serde_json::Value> {
        assert!(o.status.success(), "{}", stderr(o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        v["findings"].as_array().cloned().unwrap_or_default()
    };
    let mut seen = Vec::new();
    for extra in [&["-j", "1"][..], &["-j", "2", "--chunk-size", "3000"]] {
        let mut args = vec!["summary", "app.log", "--output", "json"];
        args.extend_from_slice(extra);
        let o = run(&d, &args);
        let f = findings(&o);
        let titles: Vec<&str> = f.iter().filter_map(|f| f["title"].as_str()).collect();
        assert_eq!(f.len(), 1, "{titles:?}");
        assert_eq!(f[0]["kind"], "new_error");
        assert_eq!(f[0]["count"], 100);
        assert!(
            titles[0].contains("could not connect to server"),
            "{titles:?}"
        );
        assert_eq!(
            f[0]["notes"][0],
            "no timestamps: new by line order, first seen at line 3511 of 5600 (63% into the log)"
        );
        // The restart it followed, by lines.
        assert_eq!(
            f[0]["notes"][1],
            "first seen 110 line(s) after app.log:3401: INFO:gunicorn:Booting worker with pid: 4242"
        );
        assert!(f[0]["examples"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("app.log:3511: ERROR:app:Exception on /checkout")));
        seen.push(o.stdout);
    }
    assert_eq!(seen[0], seen[1]);
    let piped = run_stdin(&["summary", "--output", "json"], log.as_bytes());
    assert_eq!(findings(&piped).len(), 1);
    // (The same notes, the pipe's lines being `-:N`.)
    assert_eq!(
        findings(&piped)[0]["notes"]
            .to_string()
            .replace("-:3401", "app.log:3401"),
        findings_first_notes(&seen[0]).to_string()
    );
    let text = run(&d, &["summary", "app.log"]);
    assert!(
        stdout(&text).contains("▶ New error: Exception on <PATH> [POST]"),
        "{}",
        stdout(&text)
    );
    // Two untimed logs have no common order: nothing is called new without a baseline.
    d.write("other.log", b"INFO:app:GET /health 200\n");
    let both = run(&d, &["summary", "app.log", "other.log", "--output", "json"]);
    assert!(findings(&both).iter().all(|f| f["kind"] != "new_error"));
    let v: serde_json::Value = serde_json::from_slice(&both.stdout).expect("json");
    assert!(
        v["overview"]["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("several logs have no common order")),
        "{v}"
    );
    // One untimed log with only steady errors: nothing new, and the report says how it looked.
    let steady: String = log.lines().take(3_000).map(|l| format!("{l}\n")).collect();
    d.write("steady.log", steady.as_bytes());
    let o = run(&d, &["summary", "steady.log"]);
    assert!(
        stdout(&o).contains("by line order no warn-or-worse template is new"),
        "{}",
        stdout(&o)
    );
    let o = run(&d, &["summary", "steady.log", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(
        v["overview"]["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("new errors are judged by line order")),
        "{v}"
    );
}

fn findings_first_notes(out: &[u8]) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(out).expect("json");
    v["findings"][0]["notes"].clone()
}

/// A bundle: a gateway's timed log failing to reach the worker, and the worker's previous
/// container's output, which has no timestamps (a crash loop at import time). The crash is
/// listed as errors of unknown age, not dropped and not called new, and the failing
/// upstream's finding names it; a stray untimed line in the timed log is not "a log without
/// timestamps".
#[test]
fn a_crash_in_an_untimed_log_of_a_bundle_is_listed() {
    let start = 1_764_496_800_000_i64;
    let mut gw = String::from("gateway starting\nERROR early config warning before logging\n");
    for i in 0..3_600_i64 {
        let ts = stamp_ms(start + i * 1_000, "%Y-%m-%dT%H:%M:%S%.3fZ");
        if i > 2_400 && i % 3 == 0 {
            gw.push_str(&format!("{{\"time\":\"{ts}\",\"level\":\"error\",\"msg\":\"upstream request failed\",\"upstream\":\"http://worker.default.svc:8080/jobs\",\"error\":\"connect ECONNREFUSED 10.0.4.12:8080\"}}\n"));
        } else {
            gw.push_str(&format!("{{\"time\":\"{ts}\",\"level\":\"info\",\"msg\":\"request completed\",\"path\":\"/api/jobs/{}\",\"status\":200}}\n", i % 97));
        }
    }
    let crash = concat!(
        "Starting worker v2.4.0\n",
        "Traceback (most recent call last):\n",
        "  File \"/app/worker.py\", line 3, in <module>\n",
        "    from jobs.queue import consume\n",
        "ModuleNotFoundError: No module named 'redis_helpers'\n",
    );
    let d = Dir::new();
    d.write("gateway.log", gw.as_bytes());
    d.write("worker-previous.log", crash.repeat(5).as_bytes());
    let mut seen = Vec::new();
    for extra in [&["-j", "1"][..], &["-j", "2", "--chunk-size", "3000"]] {
        let mut args = vec![
            "summary",
            "gateway.log",
            "worker-previous.log",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = run(&d, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let f: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .map(|f| f.iter().filter(|f| f["kind"] == "untimed_errors").collect())
            .unwrap_or_default();
        assert_eq!(f.len(), 1, "{v}");
        assert_eq!(
            f[0]["title"],
            "Errors in worker-previous.log (no timestamps): Starting worker <VERSION> — \
             ModuleNotFoundError: No module named 'redis_helpers'"
        );
        assert_eq!(f[0]["count"], 5);
        assert_eq!(f[0]["severity"], "info");
        assert!(f[0]["notes"][0]
            .as_str()
            .is_some_and(|n| n.starts_with("no timestamps: cannot say whether")));
        // The gateway's own trouble still leads, and names the log of the service it calls.
        let top = &v["findings"][0];
        assert_eq!(top["upstream"], "worker.default.svc:8080", "{v}");
        assert!(
            top["notes"].as_array().is_some_and(|n| n.iter().any(|n| n
                == "worker-previous.log, named like this host, has errors of unknown age \
                    (no timestamps): Starting worker <VERSION> — ModuleNotFoundError: No \
                    module named 'redis_helpers'")),
            "{top}"
        );
        assert!(f[0]["notes"][1].as_str().is_some_and(|n| n
            .starts_with("its log is named like worker.default.svc:8080, a failing upstream: ")));
        seen.push(o.stdout);
    }
    assert_eq!(seen[0], seen[1]);
    // Against a baseline, a template absent from it is new, times or not.
    d.write(
        "base.log",
        gw.lines()
            .take(100)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    );
    let o = run(
        &d,
        &[
            "summary",
            "gateway.log",
            "worker-previous.log",
            "--baseline",
            "base.log",
            "-o",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(!kinds.contains(&"untimed_errors"), "{kinds:?}");
}
