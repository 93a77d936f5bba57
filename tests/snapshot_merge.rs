//! Snapshots through the binary: shards summarized separately and merged equal the summary
//! of the whole; snapshots stand in for logs in every command; damaged snapshots are errors
//! naming the file (exit 2).
//!

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use faultline::snapshot;
use faultline::summary::Summary;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let out = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run faultline");
    out
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "faultline {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The incident-day scenario as one log, and the same lines cut into `n` consecutive parts.
fn logs(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let (ev, _) = scenario(1, 6, true, 77);
    let text = plain_lines(&ev);
    let whole = dir.join("whole.log");
    std::fs::write(&whole, &text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let per = lines.len().div_ceil(n);
    let mut parts = Vec::new();
    for (i, c) in lines.chunks(per).enumerate() {
        let name = format!("part{i}.log");
        std::fs::write(dir.join(&name), c.join("\n") + "\n").unwrap();
        parts.push(name);
    }
    (whole, parts)
}

/// `faultline snapshot --input-format plain LOG -o OUT` in `d`.
fn snapshot_of(d: &Path, log: &str, out: &str) {
    ok(d, &["snapshot", "--input-format", "plain", log, "-o", out]);
}

fn load(p: &Path) -> Summary {
    snapshot::read(p).expect("read snapshot").0
}

/// Everything that must not depend on how the input was sharded.
fn assert_same_summary(a: &Summary, b: &Summary) {
    assert_eq!(a.events, b.events);
    assert_eq!(a.untimed, b.untimed);
    assert_eq!(a.time_min, b.time_min);
    assert_eq!(a.time_max, b.time_max);
    assert_eq!(a.resolution_ms, b.resolution_ms);
    assert_eq!(a.levels, b.levels);
    assert_eq!(a.level_series, b.level_series);
    assert_eq!(a.sigs.len(), b.sigs.len());
    for s in &a.sigs {
        let i = b
            .sig_index(&s.sig)
            .unwrap_or_else(|| panic!("{:?} missing", s.sig));
        let t = &b.sigs[i as usize];
        assert_eq!(s.count, t.count, "{}", s.sig);
        assert_eq!(s.levels, t.levels, "{}", s.sig);
        assert_eq!(s.first_time, t.first_time, "{}", s.sig);
        assert_eq!(s.last_time, t.last_time, "{}", s.sig);
        assert_eq!(s.series, t.series, "{}", s.sig);
        assert_eq!(s.untimed, t.untimed, "{}", s.sig);
        let texts = |x: &faultline::summary::SigStats| {
            x.examples
                .iter()
                .map(|e| e.text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(s), texts(t), "{}", s.sig);
    }
}

#[test]
fn shards_merged_equal_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, parts) = logs(d, 3);
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "whole.flt",
        ],
    );
    let mut shards = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let out = format!("p{i}.flt");
        ok(d, &["snapshot", "--input-format", "plain", p, "-o", &out]);
        shards.push(out);
    }
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend(["-o", "merged.flt"]);
    ok(d, &args);
    let whole = load(&d.join("whole.flt"));
    let merged = load(&d.join("merged.flt"));
    assert!(whole.events > 1000);
    assert_same_summary(&whole, &merged);
    // Merging is associative: (p0 + p1) + p2 == p0 + (p1 + p2).
    ok(d, &["merge", "p0.flt", "p1.flt", "-o", "a.flt"]);
    ok(d, &["merge", "a.flt", "p2.flt", "-o", "left.flt"]);
    ok(d, &["merge", "p1.flt", "p2.flt", "-o", "b.flt"]);
    ok(d, &["merge", "p0.flt", "b.flt", "-o", "right.flt"]);
    assert_same_summary(&load(&d.join("left.flt")), &load(&d.join("right.flt")));
    // Any command reading the merged snapshot sees the same templates as from the log.
    let from_log = ok(
        d,
        &[
            "templates",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "json",
        ],
    );
    let from_snap = ok(d, &["templates", "merged.flt", "-o", "json"]);
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        for t in v["templates"].as_array_mut().unwrap() {
            t.as_object_mut().unwrap().remove("examples");
        }
        v
    };
    assert_eq!(strip(&from_log), strip(&from_snap));
}

/// What was skipped or damaged when the shards were read stays in the report of the merged
/// shards, as in the whole's; it is said on stderr when the snapshot is made, not again each
/// time the snapshot is read (and an unreadable path then is not an error of a later run).
#[test]
fn skipped_input_stays_listed_through_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = |i: usize| {
        format!(
            "2026-11-27T10:{:02}:00Z ERROR disk full on node {i}\n",
            i % 60
        )
    };
    let text: String = (0..200).map(line).collect();
    std::fs::write(d.join("ok.log"), &text).unwrap();
    std::fs::write(
        d.join("bin.log"),
        b"\x00\x01\x02\x00binary\x00\x00\x00\x00\x00\x00\x00",
    )
    .unwrap();
    let gz = gzip(text.as_bytes());
    std::fs::write(d.join("cut.log.gz"), &gz[..gz.len() / 2]).unwrap();
    let notices = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v["overview"]["notices"].clone()
    };
    // The whole, read directly (the missing path makes it exit 2).
    let whole = run(
        d,
        &[
            "summary",
            "-o",
            "json",
            "ok.log",
            "bin.log",
            "cut.log.gz",
            "gone.log",
        ],
    );
    assert_eq!(whole.status.code(), Some(2));
    let want = notices(&String::from_utf8_lossy(&whole.stdout));
    let kinds: Vec<&str> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["skipped", "damaged", "error"], "{want}");

    // Two shards, merged.
    ok(d, &["snapshot", "ok.log", "bin.log", "-o", "a.flt"]);
    let b = run(d, &["snapshot", "cut.log.gz", "gone.log", "-o", "b.flt"]);
    assert_eq!(b.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&b.stderr).contains("gone.log"));
    ok(d, &["merge", "a.flt", "b.flt", "-o", "m.flt"]);
    for snaps in [&["m.flt"][..], &["a.flt", "b.flt"]] {
        let mut args = vec!["summary", "-o", "json"];
        args.extend(snaps);
        let o = run(d, &args);
        // Listed, not said again, not an error now.
        assert_eq!(o.status.code(), Some(0), "{snaps:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), "", "{snaps:?}");
        assert_eq!(
            notices(&String::from_utf8_lossy(&o.stdout)),
            want,
            "{snaps:?}"
        );
    }
}

#[test]
fn snapshot_does_not_depend_on_threads_or_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    logs(d, 1);
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "a.flt",
            "-j",
            "1",
        ],
    );
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "b.flt",
            "-j",
            "3",
            "--chunk-size",
            "4096",
        ],
    );
    let (a, b) = (load(&d.join("a.flt")), load(&d.join("b.flt")));
    assert_same_summary(&a, &b);
    // Examples and the event before each first occurrence keep input order too.
    for s in &a.sigs {
        let t = &b.sigs[b.sig_index(&s.sig).unwrap() as usize];
        assert_eq!(s.examples, t.examples);
        assert_eq!(s.before_first, t.before_first, "{}", s.sig);
    }
}

#[test]
fn snapshot_and_logs_mix_in_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, parts) = logs(d, 2);
    snapshot_of(d, &parts[0], "first.flt");
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "first.flt",
            &parts[1],
            "-o",
            "mixed.flt",
        ],
    );
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "whole.flt",
        ],
    );
    let (mixed, whole) = (load(&d.join("mixed.flt")), load(&d.join("whole.flt")));
    assert_eq!(mixed.events, whole.events);
    assert_same_summary(&whole, &mixed);
    // diff against a snapshot baseline equals diff against the logs it was made from.
    let a = ok(
        d,
        &[
            "diff",
            "--input-format",
            "plain",
            "-o",
            "json",
            "--all",
            "--baseline",
            &parts[0],
            "--",
            &parts[1],
        ],
    );
    let b = ok(
        d,
        &[
            "diff",
            "--input-format",
            "plain",
            "--baseline",
            "first.flt",
            &parts[1],
            "-o",
            "json",
            "--all",
        ],
    );
    let rows = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["rows"].clone();
    let (ra, rb) = (rows(&a), rows(&b));
    for r in [&ra, &rb] {
        assert!(r.as_array().is_some_and(|v| !v.is_empty()), "{r}");
    }
    assert_eq!(ra, rb);
}

#[test]
fn damaged_snapshots_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, parts) = logs(d, 2);
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            &parts[0],
            "-o",
            "good.flt",
        ],
    );
    let good = std::fs::read(d.join("good.flt")).unwrap();
    std::fs::write(d.join("junk.flt"), b"this is not a snapshot\n").unwrap();
    let mut future = good.clone();
    future[7] = snapshot::FORMAT_VERSION + 1;
    std::fs::write(d.join("future.flt"), &future).unwrap();
    std::fs::write(d.join("cut.flt"), &good[..good.len() / 2]).unwrap();
    // A file that starts with the magic bytes is a snapshot whatever its name.
    std::fs::write(d.join("cut.bin"), &good[..good.len() - 3]).unwrap();
    for (file, says) in [
        ("junk.flt", "not a faultline snapshot"),
        ("future.flt", "newer"),
        ("cut.flt", "corrupt or truncated"),
        ("cut.bin", "corrupt or truncated"),
    ] {
        for args in [
            vec!["merge", "good.flt", file, "-o", "out.flt"],
            vec!["templates", file],
            vec!["diff", "--baseline", file, "--", &parts[1]],
            vec!["spikes", file],
        ] {
            let out = run(d, &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(file) && err.contains(says), "{args:?}: {err}");
        }
    }
    assert!(!d.join("out.flt").exists(), "no output from a failed merge");
    // merge refuses logs: shards must be snapshots.
    let out = run(d, &["merge", "good.flt", &parts[1], "-o", "out.flt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&parts[1]) && err.contains("not a faultline snapshot"),
        "{err}"
    );
    assert!(!d.join("out.flt").exists(), "no output from a failed merge");
}

#[test]
fn bad_bucket_flag_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    logs(d, 1);
    let out = run(d, &["spikes", "--bucket", "5 parsecs", "whole.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bucket"));
}

#[test]
fn snapshots_go_through_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    logs(d, 1);
    let out = run(
        d,
        &[
            "snapshot",
            "-q",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(&out.stdout[..7], snapshot::MAGIC);
    let mut child = bin()
        .current_dir(d)
        .args(["merge", "-q", "-", "-o", "piped.flt"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&out.stdout).unwrap();
    }
    assert!(child.wait().unwrap().success());
    ok(
        d,
        &[
            "snapshot",
            "--input-format",
            "plain",
            "whole.log",
            "-o",
            "direct.flt",
        ],
    );
    assert_same_summary(&load(&d.join("direct.flt")), &load(&d.join("piped.flt")));
}

/// A snapshot or a report written over the log it is made from would destroy the log:
/// refused with exit 2, the log untouched. A snapshot input may be replaced (it is read
/// whole first): that is how a baseline is updated.
#[test]
fn outputs_never_replace_an_input_log() {
    let d = tempfile::tempdir().unwrap();
    let (whole, _) = logs(d.path(), 1);
    let before = std::fs::read(&whole).unwrap();
    std::fs::create_dir(d.path().join("logs")).unwrap();
    let inner = d.path().join("logs/app.log");
    std::fs::write(&inner, &before).unwrap();
    // Other names of the same files: hard links beside them and outside the directory.
    std::fs::hard_link(&whole, d.path().join("report.txt")).unwrap();
    std::fs::hard_link(&inner, d.path().join("inner-report.txt")).unwrap();
    for args in [
        &["snapshot", "-q", "whole.log", "-o", "whole.log"][..],
        &["summary", "-q", "--out", "report.txt", "whole.log"][..],
        &["summary", "-q", "--out", "inner-report.txt", "logs"][..],
        &["snapshot", "-q", "logs", "-o", "inner-report.txt"][..],
        // A log of an input directory, the --baseline log, the watched log.
        &["snapshot", "-q", "logs", "-o", "logs/app.log"][..],
        &["summary", "-q", "--out", "logs/app.log", "logs"][..],
        &[
            "summary",
            "-q",
            "--baseline",
            "logs/app.log",
            "--out",
            "logs/app.log",
            "whole.log",
        ][..],
        &["watch", "-q", "--snapshot", "whole.log", "whole.log"][..],
        &[
            "summary",
            "-q",
            "-o",
            "html",
            "--out",
            "./whole.log",
            "whole.log",
        ][..],
    ] {
        let out = run(d.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("over one of the inputs"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read(&whole).unwrap(), before, "{args:?}");
        assert_eq!(std::fs::read(&inner).unwrap(), before, "{args:?}");
    }
    ok(d.path(), &["snapshot", "-q", "whole.log", "-o", "base.flt"]);
    ok(
        d.path(),
        &["snapshot", "-q", "base.flt", "whole.log", "-o", "base.flt"],
    );
    let twice = load(&d.path().join("base.flt"));
    let once = {
        ok(d.path(), &["snapshot", "-q", "whole.log", "-o", "once.flt"]);
        load(&d.path().join("once.flt"))
    };
    assert_eq!(twice.events, 2 * once.events);
}

/// A snapshot written to a symlink replaces the file it points to (the link stays a link),
/// and one written to a FIFO goes through it, not over it: `-o` names where the bytes go.
#[cfg(unix)]
#[test]
fn snapshots_write_through_symlinks_and_fifos() {
    let d = tempfile::tempdir().unwrap();
    logs(d.path(), 1);
    std::fs::write(d.path().join("target.flt"), b"old").unwrap();
    std::os::unix::fs::symlink("target.flt", d.path().join("link.flt")).unwrap();
    ok(d.path(), &["snapshot", "-q", "whole.log", "-o", "link.flt"]);
    let link = std::fs::symlink_metadata(d.path().join("link.flt")).unwrap();
    assert!(link.file_type().is_symlink());
    let direct = {
        ok(
            d.path(),
            &["snapshot", "-q", "whole.log", "-o", "direct.flt"],
        );
        load(&d.path().join("direct.flt"))
    };
    assert_same_summary(&load(&d.path().join("target.flt")), &direct);
    // A FIFO: a reader on the other end gets the snapshot; the FIFO stays a FIFO.
    let fifo = d.path().join("out.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    ok(d.path(), &["snapshot", "-q", "whole.log", "-o", "out.fifo"]);
    let got = reader.join().unwrap();
    std::fs::write(d.path().join("got.flt"), got).unwrap();
    assert_same_summary(&load(&d.path().join("got.flt")), &direct);
    let m = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&m.file_type()));
}

/// `-j` beyond what any machine uses is a flag error, not a hundred thousand threads.
#[test]
fn thread_count_is_bounded() {
    let d = tempfile::tempdir().unwrap();
    logs(d.path(), 1);
    let out = run(d.path(), &["summary", "-j", "100000", "whole.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 1024"));
    ok(d.path(), &["summary", "-q", "-j", "3", "whole.log"]);
}

/// A snapshot written to a pipe that is closed early (`-o - | head -c 100`) ends quietly
/// with 0, as every command's output does (found by fuzzing: the closed pipe's error came
/// back wrapped and was reported, exit 2).
#[test]
fn snapshot_to_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example/incident");
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &["snapshot", "-q", root.to_str().unwrap(), "-o", "day.flt"],
    );
    // Larger than a pipe holds, so the write meets the closed end.
    assert!(std::fs::metadata(d.path().join("day.flt")).unwrap().len() > 100_000);
    // (A copy: the same file named twice is merged once.)
    std::fs::copy(d.path().join("day.flt"), d.path().join("day2.flt")).unwrap();
    for args in [
        &["snapshot", "-q", root.to_str().unwrap(), "-o", "-"][..],
        &["merge", "day.flt", "day2.flt", "-o", "-"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(args)
            .current_dir(d.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A snapshot is read wherever logs are: piped into stdin (`ssh host faultline snapshot -o - |
/// faultline summary -`), kept in a directory, or packed in a bundle; damaged there, it is an
/// error naming it (exit 2), not "binary data" skipped.
#[test]
fn snapshots_are_read_from_stdin_directories_and_archives() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, parts) = logs(d, 2);
    snapshot_of(d, &parts[0], "first.flt");
    let snap = std::fs::read(d.join("first.flt")).unwrap();
    let fmt = ["--input-format", "plain", "-o", "json"];
    let piped = {
        let mut child = bin()
            .current_dir(d)
            .args([&["summary"], &fmt[..], &["-"]].concat())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(&snap).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let alone = ok(d, &[&["summary"], &fmt[..], &["first.flt"]].concat());
    assert_eq!(piped, alone);
    let events = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s).unwrap()["overview"]["events"].clone()
    };
    assert!(events(&piped).as_u64().is_some_and(|n| n > 0), "{piped}");

    // In a directory beside the second half: the same as naming both.
    std::fs::create_dir(d.join("bundle")).unwrap();
    std::fs::copy(d.join("first.flt"), d.join("bundle/first.flt")).unwrap();
    std::fs::copy(d.join(&parts[1]), d.join("bundle").join(&parts[1])).unwrap();
    let second = format!("bundle/{}", parts[1]);
    let a = ok(
        d,
        &[&["summary"], &fmt[..], &[&second, "bundle/first.flt"]].concat(),
    );
    let b = ok(d, &[&["summary"], &fmt[..], &["bundle"]].concat());
    assert_eq!(a, b);
    assert!(events(&b).as_u64() > events(&alone).as_u64());

    // Packed in a tar.gz: read as well.
    let mut t = tar::Builder::new(Vec::new());
    for name in ["bundle/first.flt", second.as_str()] {
        t.append_path_with_name(d.join(name), name).unwrap();
    }
    std::fs::write(d.join("bundle.tar.gz"), gzip(&t.into_inner().unwrap())).unwrap();
    let c = ok(d, &[&["summary"], &fmt[..], &["bundle.tar.gz"]].concat());
    assert_eq!(events(&b), events(&c));

    // Cut short inside the directory: an error naming it, the rest still read.
    std::fs::write(d.join("bundle/first.flt"), &snap[..snap.len() / 2]).unwrap();
    let out = run(d, &[&["summary"], &fmt[..], &["bundle"]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bundle/first.flt: snapshot is corrupt or truncated"),
        "{err}"
    );
    assert!(!err.contains("binary"), "{err}");
}

/// The same snapshot named twice, or through a link, is merged once (as a log named twice is
/// read once), with a note saying so.
#[test]
fn the_same_snapshot_named_twice_is_merged_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    logs(d, 1);
    snapshot_of(d, "whole.log", "a.flt");
    std::os::unix::fs::symlink(d.join("a.flt"), d.join("link.flt")).unwrap();
    let events = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s).unwrap()["overview"]["events"]
            .as_u64()
            .unwrap()
    };
    let once = events(&ok(d, &["summary", "-o", "json", "a.flt"]));
    let out = run(d, &["summary", "-o", "json", "a.flt", "link.flt", "a.flt"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(events(&String::from_utf8_lossy(&out.stdout)), once);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("the same snapshot as a.flt").count(),
        2,
        "{err}"
    );
    let out = run(d, &["merge", "a.flt", "link.flt", "-o", "m.flt"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 snapshots"));
    assert_eq!(load(&d.join("m.flt")).events, once);
}

/// A snapshot made by another faultline version is merged with a warning: its signatures
/// may not line up with this version's.
#[test]
fn a_snapshot_from_another_version_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    logs(d, 1);
    snapshot_of(d, "whole.log", "a.flt");
    let (sum, mut meta) = snapshot::read(&d.join("a.flt")).unwrap();
    meta.faultline_version = "0.0.1-old".into();
    snapshot::write(&d.join("old.flt"), &sum, &meta).unwrap();
    for args in [
        &["summary", "old.flt"][..],
        &["merge", "old.flt", "-o", "m.flt"][..],
    ] {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("made by faultline 0.0.1-old"),
            "{args:?}: {err}"
        );
    }
    let out = run(d, &["summary", "a.flt"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("made by faultline"));
}
