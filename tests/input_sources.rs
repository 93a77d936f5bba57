//! Sources and containers: files, directories, stdin, gzip (multi-member), zstd, xz, bzip2,
//! tar, tar.gz with a .gz inside, zip; every event knows `source` and `line`.

mod common;

use std::io::Read;

use common::*;

fn sources_and_lines(o: &std::process::Output) -> Vec<(String, u64, String)> {
    json_lines(o)
        .into_iter()
        .map(|v| {
            (
                v["source"].as_str().unwrap_or("").to_string(),
                v["line"].as_u64().unwrap_or(0),
                v["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn reads_stdin_when_path_is_dash_and_when_no_path_given() {
    let o = run(
        &["events", "--input-format", "line", "-"],
        Some(b"one\ntwo\n"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let ev = sources_and_lines(&o);
    assert_eq!(
        ev,
        vec![("-".into(), 1, "one".into()), ("-".into(), 2, "two".into())]
    );
    let o = run(&["events", "--input-format", "line"], Some(b"three\n"));
    assert_eq!(sources_and_lines(&o), vec![("-".into(), 1, "three".into())]);
}

#[test]
fn gzip_is_detected_by_magic_and_multi_member_is_read_whole() {
    let t = TestDir::new();
    let mut data = gzip(b"first\nsecond\n");
    data.extend(gzip(b"third\n"));
    // No .gz extension: detection must use the magic bytes.
    let p = t.write("rotated.1", &data);
    let o = run(&["events", "--input-format", "line", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let msgs: Vec<String> = sources_and_lines(&o).into_iter().map(|e| e.2).collect();
    assert_eq!(msgs, ["first", "second", "third"]);
}

/// zstd (logrotate's `compresscmd zstd`, journald exports), xz (sosreport's `.tar.xz`) and
/// bzip2 are read like gzip: by their magic bytes, concatenated streams whole (pzstd,
/// pbzip2, `cat a.xz b.xz`), inside tar archives and from stdin; the text inside is named
/// without the suffix.
#[test]
fn zstd_xz_and_bzip2_are_read_like_gzip() {
    let t = TestDir::new();
    let text = b"first\nsecond\nthird\n";
    for ext in ["zst", "xz", "bz2"] {
        // Two streams, as parallel compressors write them.
        let mut data = compress(ext, b"first\nsecond\n");
        data.extend(compress(ext, b"third\n"));
        let named = t.write(&format!("app.log.{ext}"), &data);
        let bare = t.write(&format!("rotated-{ext}.1"), &data);
        let o = run(
            &[
                "events",
                "--input-format",
                "line",
                path_str(&named),
                path_str(&bare),
            ],
            None,
        );
        assert!(o.status.success(), "{ext}: {}", stderr(&o));
        let ev = sources_and_lines(&o);
        let inner = path_str(&named)
            .strip_suffix(&format!(".{ext}"))
            .expect("suffix");
        let msgs: Vec<&str> = ev.iter().map(|e| e.2.as_str()).collect();
        assert_eq!(msgs, ["first", "second", "third"].repeat(2), "{ext}");
        assert!(ev[..3].iter().all(|e| e.0 == inner), "{ext}: {ev:?}");
        assert_eq!(ev[3].0, path_str(&bare), "{ext}: no suffix to drop");
        assert!(stderr(&o).is_empty(), "{ext}: {}", stderr(&o));

        let o = run(&["events", "--input-format", "line"], Some(&data));
        let msgs: Vec<String> = sources_and_lines(&o).into_iter().map(|e| e.2).collect();
        assert_eq!(msgs, ["first", "second", "third"], "{ext} on stdin");

        // A bundle (`.tar.zst`) with a member compressed another way.
        let other = if ext == "xz" { "bz2" } else { "xz" };
        let tar = tar_bytes(&[
            ("var/log/app.log", text.to_vec()),
            (
                &format!("var/log/old.log.{other}"),
                compress(other, b"old one\n"),
            ),
        ]);
        let p = t.write(&format!("sos.tar.{ext}"), &compress(ext, &tar));
        let o = run(&["events", "--input-format", "line", path_str(&p)], None);
        assert!(o.status.success(), "{ext}: {}", stderr(&o));
        let bundle = path_str(&p);
        assert_eq!(
            sources_and_lines(&o),
            vec![
                (format!("{bundle}:var/log/app.log"), 1, "first".into()),
                (format!("{bundle}:var/log/app.log"), 2, "second".into()),
                (format!("{bundle}:var/log/app.log"), 3, "third".into()),
                (format!("{bundle}:var/log/old.log"), 1, "old one".into()),
            ],
            "{ext}"
        );
    }
}

/// Compression formats faultline does not decode are named when skipped, not called binary.
#[test]
fn unsupported_compression_is_named_when_skipped() {
    let t = TestDir::new();
    let lz4 = t.write(
        "app.log.lz4",
        b"\x04\x22\x4d\x18\x64\x40\xa7\x00\x00\x00\x00",
    );
    let seven = t.write("logs.7z", b"7z\xbc\xaf\x27\x1c\x00\x04\x00\x00\x00\x00");
    let plain = t.write("app.log", b"one\n");
    let o = run(
        &[
            "events",
            "--input-format",
            "line",
            path_str(&lz4),
            path_str(&seven),
            path_str(&plain),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("app.log.lz4: lz4 data, which faultline does not read"),
        "{err}"
    );
    assert!(err.contains("logs.7z: 7-Zip archive data"), "{err}");
    assert!(!err.contains("binary"), "{err}");
    assert_eq!(sources_and_lines(&o).len(), 1);
}

fn tar_bytes(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        // Written raw: `set_path` would drop a leading `./`, which `tar -C dir .` keeps.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, data.as_slice()).expect("tar append");
    }
    b.into_inner().expect("tar finish")
}

#[test]
fn tar_gz_bundle_with_gz_member_names_each_source() {
    let t = TestDir::new();
    let tar = tar_bytes(&[
        ("app/api.log", b"api one\napi two\n".to_vec()),
        ("app/old.log.gz", gzip(b"old one\n")),
        ("app/.hidden", b"skip me\n".to_vec()),
        ("./app/dot.log", b"dot one\n".to_vec()),
    ]);
    let p = t.write("bundle.tgz", &gzip(&tar));
    let o = run(&["events", "--input-format", "line", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let ev = sources_and_lines(&o);
    let bundle = path_str(&p).to_string();
    assert_eq!(
        ev,
        vec![
            (format!("{bundle}:app/api.log"), 1, "api one".into()),
            (format!("{bundle}:app/api.log"), 2, "api two".into()),
            (format!("{bundle}:app/old.log"), 1, "old one".into()),
            (format!("{bundle}:app/dot.log"), 1, "dot one".into()),
        ]
    );
}

/// A compressed tar's checksum comes after the tar's end-of-archive blocks: it is read and
/// checked, so damage that still decodes (a flipped bit, a cut trailer) is warned about as
/// for a plain `.gz`, not taken silently.
#[test]
fn compressed_tar_checksum_is_checked_after_the_last_member() {
    let t = TestDir::new();
    // Larger than the decoder's reads, so the tar's end is found long before the stream's.
    let body: String = (0..20_000)
        .map(|i| format!("request {i} served in {}ms\n", i * 7919 % 997))
        .collect();
    let tgz = gzip(&tar_bytes(&[("app.log", body.into_bytes())]));
    let whole = t.write("ok.tgz", &tgz);
    let o = run(&["events", "--count", path_str(&whole)], None);
    assert_eq!(stdout(&o).trim(), "20000");
    assert!(!stderr(&o).contains("corrupt"), "{}", stderr(&o));

    let mut bad_crc = tgz.clone();
    let at = bad_crc.len() - 8; // gzip's trailer: CRC-32, then the length
    bad_crc[at] ^= 1;
    let cut = &tgz[..tgz.len() - 5];
    for (name, data) in [("crc.tgz", &bad_crc[..]), ("cut.tgz", cut)] {
        let p = t.write(name, data);
        let o = run(&["events", "--count", path_str(&p)], None);
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{name}: gzip data is truncated or corrupt")),
            "{name}: {err}"
        );
        // A warning, as for a plain .gz: what was read is kept.
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
        assert_eq!(stdout(&o).trim(), "20000", "{name}");
    }
}

/// Long member names (GNU long-name and PAX entries) are read; but the `tar` crate reads such
/// an entry whole into memory at the size its header claims, so a crafted one (a few MB
/// gzipped, gigabytes declared) took gigabytes of RAM. Past 4 MiB of headers before a member,
/// the archive is reported damaged, and what came before is kept.
#[test]
fn tar_long_names_are_read_and_a_giant_one_is_damage() {
    let t = TestDir::new();
    let long = format!("app/{}/api.log", "deep".repeat(60));
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("first.log", &b"before\n"[..]),
        (long.as_str(), &b"long\n"[..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).expect("tar append");
    }
    let mut pax = tar::Header::new_ustar();
    pax.set_size(5);
    pax.set_mode(0o644);
    pax.set_cksum();
    let pax_name = format!("pax/{}/b.log", "p".repeat(150));
    b.append_pax_extensions([("path", pax_name.as_bytes())])
        .expect("pax");
    b.append_data(&mut pax, "pax/short.log", &b"pax!\n"[..])
        .expect("tar append");
    // A long-name entry of 6 MiB before the last member.
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_path("././@LongLink").expect("path");
    h.set_size(6 << 20);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, std::io::repeat(b'a').take(6 << 20))
        .expect("tar append");
    let mut h = tar::Header::new_gnu();
    h.set_size(6);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "after.log", &b"after\n"[..])
        .expect("tar append");
    let tar = b.into_inner().expect("tar finish");
    let p = t.write("bundle.tar.gz", &gzip(&tar));
    let o = run(&["events", "--input-format", "line", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    // Members are named after the archive file on disk, `.gz` and all.
    let bundle = path_str(&p).to_string();
    let ev = sources_and_lines(&o);
    assert_eq!(
        ev,
        vec![
            (format!("{bundle}:first.log"), 1, "before".into()),
            (format!("{bundle}:{long}"), 1, "long".into()),
            (format!("{bundle}:{pax_name}"), 1, "pax!".into()),
        ]
    );
    let err = stderr(&o);
    assert!(
        err.contains("more than 4 MiB of headers") && err.contains("kept the members before"),
        "{err}"
    );
}

#[test]
fn zip_bundle_members_are_read_in_name_order() {
    use std::io::Write;
    let t = TestDir::new();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("b.log", opts).expect("zip");
        z.write_all(b"bee\n").expect("zip");
        z.start_file("a.log", opts).expect("zip");
        z.write_all(b"ay\n").expect("zip");
        z.finish().expect("zip");
    }
    let p = t.write("logs.zip", buf.get_ref());
    let o = run(&["events", "--input-format", "line", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let ev = sources_and_lines(&o);
    let z = path_str(&p).to_string();
    assert_eq!(
        ev,
        vec![
            (format!("{z}:a.log"), 1, "ay".into()),
            (format!("{z}:b.log"), 1, "bee".into())
        ]
    );
}

/// A zip cut short (an interrupted download or upload of a log bundle) has no central
/// directory; its members before the cut are read from their local headers, the one cut
/// in its data up to the cut, and both are reported damaged.
#[test]
fn truncated_zip_keeps_the_members_before_the_cut() {
    let lines = |tag: &str| -> String { (0..400).map(|i| format!("{tag} line {i}\n")).collect() };
    let deflated = zip::write::SimpleFileOptions::default();
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    let members = [
        ("app/a.log", deflated, lines("alpha")),
        ("app/", deflated, String::new()),
        ("b.log", stored, lines("beta")),
        ("c.log", deflated, lines("gamma")),
    ];
    let t = TestDir::new();
    // Written to a file (sizes in the local headers) and to a pipe (sizes after the data).
    for streamed in [false, true] {
        let data = if streamed {
            let mut z = zip::ZipWriter::new_stream(Vec::new());
            add_members(&mut z, &members);
            z.finish().expect("zip").into_inner()
        } else {
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            add_members(&mut z, &members);
            z.finish().expect("zip").into_inner()
        };
        // Cut inside the stored member's text, then inside the last deflate stream.
        let beta = memchr::memmem::find(&data, b"beta line 200").expect("stored text");
        let gamma = memchr::memmem::find(&data, b"c.log").expect("third header") + 60;
        for (cut, want_beta, gammas) in [(beta, 200, 0..1), (gamma, 400, 0..400)] {
            let p = t.write(&format!("cut-{streamed}-{cut}.zip"), &data[..cut]);
            let o = run(&["events", "--input-format", "line", path_str(&p)], None);
            assert!(o.status.success(), "damage is not an error: {}", stderr(&o));
            let msgs: Vec<String> = sources_and_lines(&o).into_iter().map(|e| e.2).collect();
            let count = |tag: &str| msgs.iter().filter(|m| m.starts_with(tag)).count();
            assert_eq!(count("alpha"), 400, "streamed {streamed}, cut {cut}");
            assert_eq!(count("beta"), want_beta, "streamed {streamed}, cut {cut}");
            assert!(
                gammas.contains(&count("gamma")),
                "streamed {streamed}, cut {cut}"
            );
            let err = stderr(&o);
            assert!(
                err.contains("without a readable directory") && err.contains("cut short"),
                "{err}"
            );
            assert!(!err.contains(":app/:"), "a directory is no member: {err}");
        }
    }
}

fn add_members<W: std::io::Write + std::io::Seek>(
    z: &mut zip::ZipWriter<W>,
    members: &[(&str, zip::write::SimpleFileOptions, String)],
) {
    use std::io::Write;
    for (name, opts, text) in members {
        if name.ends_with('/') {
            z.add_directory(*name, *opts).expect("zip");
        } else {
            z.start_file(*name, *opts).expect("zip");
            z.write_all(text.as_bytes()).expect("zip");
        }
    }
}

/// `events --input-format line PATH`: the run and its events' messages, in order.
fn line_messages(path: &std::path::Path) -> (std::process::Output, Vec<String>) {
    let o = run(&["events", "--input-format", "line", path_str(path)], None);
    let msgs = sources_and_lines(&o).into_iter().map(|e| e.2).collect();
    (o, msgs)
}

#[test]
fn directories_are_read_recursively_in_sorted_order() {
    let t = TestDir::new();
    t.write("logs/b/2.log", b"two\n");
    t.write("logs/a.log", b"one\n");
    t.write("logs/b/1.log", b"mid\n");
    let (_, msgs) = line_messages(&t.path("logs"));
    assert_eq!(msgs, ["one", "mid", "two"]);
}

/// Inside a directory, links are not followed (a loop back up the tree, a link to `/`) and
/// FIFOs are not opened (they would wait forever): each is skipped with a note, the files
/// are read once, and skipping is no error. Named on the command line, a link is read.
#[test]
fn directory_walks_skip_links_and_fifos_with_a_note() {
    let t = TestDir::new();
    t.write("logs/sub/a.log", b"one\n");
    std::os::unix::fs::symlink("..", t.path("logs/sub/up")).expect("symlink");
    std::os::unix::fs::symlink("/", t.path("logs/root")).expect("symlink");
    std::os::unix::fs::symlink("sub/a.log", t.path("logs/current.log")).expect("symlink");
    let fifo = t.path("logs/pipe.log");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let (o, msgs) = line_messages(&t.path("logs"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(msgs, ["one"]);
    let err = stderr(&o);
    for name in ["logs/sub/up", "logs/root", "logs/current.log"] {
        assert!(
            err.lines()
                .any(|l| l.contains(name) && l.contains("symbolic link, not followed")),
            "{name}: {err}"
        );
    }
    if made.is_ok_and(|s| s.success()) {
        assert!(err.contains("pipe.log: not a regular file"), "{err}");
    }
    // Named on the command line, a link is read.
    let (_, msgs) = line_messages(&t.path("logs/current.log"));
    assert_eq!(msgs, ["one"]);
}

/// The same file named twice on the command line (`a.log a.log`, a directory and a file in
/// it, a hard link or a symlink to it) is read once, with a note naming the first name, so
/// its counts are not doubled; a different file with the same content is read.
#[test]
fn the_same_file_named_twice_is_read_once() {
    let t = TestDir::new();
    t.write("logs/a.log", b"one\ntwo\n");
    t.write("copy.log", b"one\ntwo\n");
    std::fs::hard_link(t.path("logs/a.log"), t.path("hard.log")).expect("hard link");
    std::os::unix::fs::symlink("logs/a.log", t.path("soft.log")).expect("symlink");
    let names = |v: &[&str]| v.iter().map(|n| t.path(n)).collect::<Vec<_>>();
    for (paths, want) in [
        (names(&["logs/a.log", "logs/a.log"]), 2),
        (names(&["logs", "logs/a.log"]), 2),
        (names(&["logs/a.log", "hard.log", "soft.log"]), 2),
        (names(&["logs/a.log", "copy.log"]), 4),
    ] {
        let mut args = vec!["events", "--input-format", "line"];
        args.extend(paths.iter().map(|p| path_str(p)));
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(sources_and_lines(&o).len(), want, "{args:?}");
        if want == 2 {
            assert!(
                stderr(&o).contains("the same file as") && stderr(&o).contains("logs/a.log"),
                "{}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn count_counts_events_without_printing_them() {
    let t = TestDir::new();
    let p = t.write("a.log", b"a\nb\nc");
    let o = run(
        &["events", "--count", "--input-format", "line", path_str(&p)],
        None,
    );
    assert_eq!(stdout(&o).trim(), "3");
}

#[test]
fn head_stops_after_n_events() {
    let t = TestDir::new();
    let body: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
    let p = t.write("a.log", body.as_bytes());
    let o = run(
        &[
            "events",
            "--head",
            "5",
            "--chunk-size",
            "64",
            "--input-format",
            "line",
            path_str(&p),
        ],
        None,
    );
    assert!(o.status.success());
    let ev = sources_and_lines(&o);
    assert_eq!(ev.len(), 5);
    assert_eq!(ev[4].2, "line 4");
}

#[test]
fn per_line_templates_line_up_with_input_lines() {
    let t = TestDir::new();
    let text = "2026-11-27 10:00:00,001 ERROR [main] c.a.Svc - failed order 1\n\
                java.lang.IllegalStateException: boom\n\
                \tat c.a.Svc.run(Svc.java:10)\n\
                2026-11-27 10:00:01,001 INFO [main] c.a.Svc - handled request 2\n\
                2026-11-27 10:00:02,001 INFO [main] c.a.Svc - handled request 3\n";
    let p = t.write("app.log", text.as_bytes());
    let o = run(&["templates", "--per-line", path_str(&p)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert_eq!(rows.len(), 5, "one object per physical line");
    // The three lines of the joined stack trace share its template.
    assert_eq!(rows[0], rows[1]);
    assert_eq!(rows[1], rows[2]);
    assert_ne!(rows[2], rows[3]);
    assert_eq!(rows[3], rows[4]);
    assert!(rows[3]["template"]
        .as_str()
        .is_some_and(|t| t.contains("handled request")));
}
