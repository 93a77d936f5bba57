//! The README's examples are real output. Every `$ faultline ...` line in one of its code
//! blocks is run here (through `sh`, in a directory where `testdata/` is the project's, with
//! the built binary first on `PATH`) and its output compared with the lines the README shows
//! under it: all of them, or, when the command's comment says the example is cut ("first
//! rows", "cut"), the first lines, a line ending in `…` standing for any line it begins. The
//! walkthrough's terminal report, the Markdown headline and the JSON example (whose `"..."`
//! stand for what was cut) are checked the same way. So a change that alters what faultline
//! prints fails here until the README says what it now prints.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../README.md");
const SCHEMA: &str = include_str!("../docs/json-schema.md");

/// A command from the README with the output lines shown under it.
struct Example {
    line: usize,
    cmd: String,
    shown: Vec<String>,
}

/// The `$ ` examples of every fenced code block, in order.
fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    // The example the block's lines belong to: the last `$ ` line of the same block.
    let mut current: Option<usize> = None;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            current = None;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                line: i + 1,
                cmd: cmd.to_string(),
                shown: Vec::new(),
            });
            current = Some(out.len() - 1);
        } else if let Some(c) = current {
            out[c].shown.push(line.to_string());
        }
    }
    out
}

/// The lines of the first fenced block after the README line containing `anchor`.
fn block_after(readme: &str, anchor: &str) -> Vec<String> {
    let start = readme
        .lines()
        .position(|l| l.contains(anchor))
        .unwrap_or_else(|| panic!("README no longer says {anchor:?}: update this test"));
    readme
        .lines()
        .skip(start)
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .map(str::to_string)
        .collect()
}

/// A directory to run the examples in: `testdata` is the project's.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    std::os::unix::fs::symlink(testdata, dir.path().join("testdata")).expect("symlink testdata");
    dir
}

/// Runs `cmd` with `sh -c` in `dir`, faultline on the `PATH`; its stdout.
fn sh(dir: &Path, cmd: &str) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_faultline"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("binary dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("run sh");
    assert!(
        o.status.success(),
        "README command `{cmd}` failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// Whether the README's `shown` lines begin the real output (a `…` at the end of a shown
/// line stands for the rest of that line).
fn check_prefix(what: &str, shown: &[String], real: &str) {
    assert!(!shown.is_empty(), "{what}: the README shows no output");
    let real: Vec<&str> = real.lines().collect();
    assert!(
        real.len() >= shown.len(),
        "{what}: the README shows {} lines, faultline prints {}:\n{}",
        shown.len(),
        real.len(),
        real.join("\n")
    );
    for (n, (s, r)) in shown.iter().zip(&real).enumerate() {
        let ok = match s.strip_suffix('…') {
            Some(head) => r.starts_with(head),
            None => s == r,
        };
        assert!(
            ok,
            "{what}, output line {}:\nREADME:    {s}\nfaultline: {r}",
            n + 1
        );
    }
}

fn is_cut(cmd: &str) -> bool {
    cmd.split_once('#')
        .is_some_and(|(_, comment)| comment.contains("first") || comment.contains("cut"))
}

#[test]
fn every_command_example_prints_what_the_readme_shows() {
    let dir = workdir();
    let examples = examples(README);
    // The README's command examples: events, templates, snapshot (twice), diff, endpoints,
    // watch (twice). Fewer means the parser above lost some.
    assert!(examples.len() >= 8, "{} examples found", examples.len());
    let mut compared = 0;
    for ex in &examples {
        let real = sh(dir.path(), &ex.cmd);
        let what = format!("README.md:{} `{}`", ex.line, ex.cmd);
        if is_cut(&ex.cmd) {
            check_prefix(&what, &ex.shown, &real);
        } else {
            let shown = ex
                .shown
                .iter()
                .map(|l| format!("{l}\n"))
                .collect::<String>();
            assert!(
                shown == real,
                "{what}: the README shows\n{shown}\nfaultline prints\n{real}"
            );
        }
        compared += !ex.shown.is_empty() as usize;
    }
    assert!(compared >= 6, "{compared} examples with output");
}

#[test]
fn walkthrough_and_markdown_headline_are_real_output() {
    let dir = workdir();
    let report = sh(dir.path(), "faultline testdata/example/incident/");
    check_prefix(
        "walkthrough report",
        &block_after(README, "real output, cut after the third finding"),
        &report,
    );
    let window = block_after(README, "The report goes on with the incident window");
    assert!(window[0].starts_with("INCIDENT WINDOW"), "{window:?}");
    let at = report
        .lines()
        .position(|l| l == window[0])
        .expect("the report has an incident window");
    check_prefix(
        "walkthrough incident window",
        &window,
        &report.lines().skip(at).collect::<Vec<_>>().join("\n"),
    );
    let md = sh(
        dir.path(),
        "faultline -o markdown testdata/example/incident/",
    );
    check_prefix(
        "Markdown headline",
        &block_after(README, "The Markdown starts with a headline"),
        &md,
    );
}

/// Whether `shown` (the README's JSON, `"..."` standing for what was cut) is part of `real`:
/// every key it shows has the value shown, array elements in order, a string ending in `…`
/// being the start of the real string.
fn json_within(path: &str, shown: &serde_json::Value, real: &serde_json::Value) {
    use serde_json::Value;
    match (shown, real) {
        (Value::Object(s), Value::Object(r)) => {
            for (k, v) in s {
                if k == "..." {
                    continue;
                }
                let rv = r
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: not in the real output"));
                json_within(&format!("{path}.{k}"), v, rv);
            }
        }
        (Value::Array(s), Value::Array(r)) => {
            for (i, v) in s.iter().enumerate() {
                if v == "..." {
                    continue;
                }
                let rv = r
                    .get(i)
                    .unwrap_or_else(|| panic!("{path}[{i}]: not in the real output"));
                json_within(&format!("{path}[{i}]"), v, rv);
            }
            if s.last() != Some(&Value::String("...".into())) {
                assert_eq!(s.len(), r.len(), "{path}: array length");
            }
        }
        (Value::String(s), Value::String(r)) if s.ends_with('…') => {
            assert!(
                r.starts_with(s.trim_end_matches('…')),
                "{path}: README {s:?}, real {r:?}"
            );
        }
        (Value::Number(s), Value::Number(r)) => {
            let (a, b) = (
                s.as_f64().unwrap_or(f64::NAN),
                r.as_f64().unwrap_or(f64::NAN),
            );
            assert!(a == b, "{path}: README {s}, real {r}");
        }
        _ => assert_eq!(shown, real, "{path}"),
    }
}

/// The JSON example of the README and of `docs/json-schema.md`.
#[test]
fn json_example_is_real_output() {
    let dir = workdir();
    let real = sh(
        dir.path(),
        "faultline testdata/example/incident/app.log -o json",
    );
    let real: serde_json::Value = serde_json::from_str(&real).expect("faultline JSON");
    for (name, doc) in [("README.md", README), ("docs/json-schema.md", SCHEMA)] {
        let shown = block_after(
            doc,
            "`faultline testdata/example/incident/app.log -o json`, real output",
        )
        .join("\n");
        let shown: serde_json::Value =
            serde_json::from_str(&shown).unwrap_or_else(|e| panic!("{name}: JSON example: {e}"));
        json_within(name, &shown, &real);
        // The cut example still shows the parts a reader looks for.
        assert!(shown["findings"][0]["title"].is_string(), "{name}");
        assert!(shown["headline"].is_string(), "{name}");
    }
}

#[test]
fn the_example_parser_reads_cut_and_full_examples() {
    let md = "text\n```sh\n$ faultline a   # (first rows)\nx\ny\n$ faultline b\n```\n$ not code\n```text\nz\n$ faultline c\nw\n```\n```\nv\n```\n";
    let ex = examples(md);
    let got: Vec<(&str, Vec<&str>, bool)> = ex
        .iter()
        .map(|e| {
            (
                e.cmd.as_str(),
                e.shown.iter().map(String::as_str).collect(),
                is_cut(&e.cmd),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("faultline a   # (first rows)", vec!["x", "y"], true),
            ("faultline b", vec![], false),
            ("faultline c", vec!["w"], false),
        ]
    );
    check_prefix("cut", &["ab…".to_string()], "abc\nd\n");
    let r = std::panic::catch_unwind(|| check_prefix("cut", &["ax…".to_string()], "abc\n"));
    assert!(r.is_err());
}
