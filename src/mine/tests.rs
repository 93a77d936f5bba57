//! Tests for the mining module: one per masking kind, the clustering properties the pipeline
//! relies on (constant words stay apart, variable values merge, order and thread independence,
//! bounded output), stack traces, id stability, robustness on arbitrary bytes, and grouping
//! accuracy on the labelled fixture in `testdata/mine/`.

use super::*;
use crate::testrng::{Lcg, XorShift};
use rustc_hash::FxHashMap;

fn sig(m: &Masker, s: &str) -> String {
    let mut out = Vec::new();
    m.mask(s.as_bytes(), &mut out);
    String::from_utf8(out).unwrap()
}

fn masked(s: &str) -> String {
    sig(&Masker::new(Vec::new()), s)
}

#[test]
fn masks_numbers() {
    assert_eq!(masked("retry 3 of 10"), "retry <NUM> of <NUM>");
    assert_eq!(masked("ratio -0.75 now"), "ratio <NUM> now");
    assert_eq!(masked("took 1.5e3 units"), "took <NUM> units");
}

#[test]
fn masks_numbers_glued_to_words() {
    // blk_-123 and blk_456 must read the same: the '-' after a separator is a sign.
    assert_eq!(masked("block blk_-6952295868487656571"), "block blk_<NUM>");
    assert_eq!(masked("block blk_38865049064139660"), "block blk_<NUM>");
    assert_eq!(
        masked("app appattempt_1445144423722_0020_000001"),
        "app appattempt_<NUM>_<NUM>_<NUM>"
    );
    assert_eq!(masked("user123 logged"), "user<NUM> logged");
    // Short digit runs inside names stay: ext4, u0.
    assert_eq!(masked("mount ext4 u0 e820"), "mount ext4 u0 e820");
    assert_eq!(masked("Scaffold v1.5 loaded"), "Scaffold <VERSION> loaded");
}

#[test]
fn masks_hex() {
    assert_eq!(masked("flags=0x1f"), "flags=<HEX>");
    assert_eq!(masked("commit 9f4ef63a"), "commit <HEX>");
    assert_eq!(masked("mask ffffffff"), "mask <HEX>");
    assert_eq!(
        masked("sha da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        "sha <HEX>"
    );
    // Words made of a-f letters are words.
    assert_eq!(masked("a facade"), "a facade");
}

#[test]
fn masks_ips() {
    assert_eq!(masked("from 10.251.73.220"), "from <IP>");
    assert_eq!(masked("peer 10.0.0.1:50010 up"), "peer <IP>:<NUM> up");
    assert_eq!(masked("req /10.10.34.11:45307"), "req /<IP>:<NUM>");
    assert_eq!(masked("v6 fe80::1ff:fe23:4567:890a"), "v6 <IP>");
    assert_eq!(masked("v6 ::1"), "v6 <IP>");
}

#[test]
fn masks_uuid() {
    assert_eq!(
        masked("job 123e4567-e89b-12d3-a456-426614174000 done"),
        "job <UUID> done"
    );
}

#[test]
fn masks_timestamps() {
    assert_eq!(masked("at 2024-01-31T12:34:56.789Z ok"), "at <TS> ok");
    assert_eq!(masked("at 2024-01-31 ok"), "at <TS> ok");
    assert_eq!(masked("at 12:34:56 ok"), "at <TS> ok");
    assert_eq!(masked("at 2024-01-31T12:34:56+02:00"), "at <TS>");
    assert_eq!(
        masked("connection at Mon Jun 20 03:40:59 2005"),
        "connection at <TS>"
    );
    assert_eq!(masked("since 17 Jun 2005 07:07:00, ok"), "since <TS>, ok");
    assert_eq!(masked("2017-07-10 12:03:21.123 ERROR x"), "<TS> ERROR x");
    assert_eq!(
        masked("status=M Fri Jul 01 08:16:53 PDT 2005"),
        "status=M <TS>"
    );
    assert_eq!(
        masked("- [17/May/2015:10:05:03 +0000] \"GET"),
        "- [<TS>] \"GET"
    );
    // A month name without a day is just a word.
    assert_eq!(masked("May I help"), "May I help");
}

#[test]
fn masks_durations_and_sizes() {
    assert_eq!(masked("took 30s"), "took <DURATION>");
    assert_eq!(masked("took 120ms"), "took <DURATION>");
    assert_eq!(masked("took 1.5h"), "took <DURATION>");
    assert_eq!(masked("took 1h30m"), "took <DURATION>");
    assert_eq!(masked("read 10KB"), "read <SIZE>");
    assert_eq!(masked("heap 3.2GiB"), "heap <SIZE>");
    // A number and a separate unit word keep the unit: it is a constant word of the template.
    assert_eq!(masked("sent 0 bytes"), "sent <NUM> bytes");
    // ...but a size unit is part of the size, so `B` and `KB` values do not split a template.
    assert_eq!(masked("heap 3.2 GiB"), "heap <SIZE>");
    assert_eq!(
        masked("(estimated size 296.0 B, free 5.2 KB)"),
        "(estimated size <SIZE>, free <SIZE>)"
    );
    assert_eq!(masked("wrote 12 Blocks"), "wrote <NUM> Blocks");
    // Every size unit, with trailing punctuation kept; a unit-like word that is none is not.
    for unit in [
        "B", "kB", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB",
    ] {
        assert_eq!(
            masked(&format!("used 7 {unit}, then")),
            "used <SIZE>, then",
            "{unit}"
        );
    }
    for word in ["Bytes", "Kb", "M", "GB2", "Pi", "kb"] {
        assert_eq!(
            masked(&format!("used 7 {word} then")),
            format!("used <NUM> {word} then"),
            "{word}"
        );
    }
    // Only a whole number takes a unit: `v7 MB` and `7x MB` are not sizes.
    assert_eq!(masked("got 7x MB"), "got 7x MB");
}

#[test]
fn masks_generated_ids() {
    assert_eq!(masked("jA9J1UvC004306: from=root"), "<ID>: from=root");
    assert_eq!(masked("code X9Y8Z7Q6 sent"), "code <ID> sent");
    // At least 8 letters and digits that change kind at least three times.
    assert_eq!(masked("id xy1zw2uv ok"), "id <ID> ok"); // 4 changes, 8 long
    assert_eq!(masked("id xy1zwuvq2 ok"), "id <ID> ok"); // 3 changes
    assert_eq!(masked("id xyzwuvq12 ok"), "id xyzwuvq12 ok"); // 1 change
    assert_eq!(masked("id xyz12wuvq ok"), "id xyz12wuvq ok"); // 2 changes
    assert_eq!(masked("id x1y2z3w ok"), "id x1y2z3w ok"); // 7 long
                                                          // Names with a digit or two are words.
    assert_eq!(
        masked("utf8 log4j ipv6 Base64Encoder h2o"),
        "utf8 log4j ipv6 Base64Encoder h2o"
    );
}

#[test]
fn masks_urls_emails_paths_hosts() {
    assert_eq!(masked("GET https://example.com/a?b=1 ok"), "GET <URL> ok");
    assert_eq!(masked("mail to ops@example.com now"), "mail to <EMAIL> now");
    assert_eq!(
        masked("open /etc/httpd/conf/workers2.properties"),
        "open <PATH>"
    );
    assert_eq!(masked("open ./logs/app.log"), "open <PATH>");
    assert_eq!(masked("open C:\\temp\\x.txt"), "open <PATH>");
    // UNC paths: a share, the `\\?\` long-path prefix, a named pipe.
    assert_eq!(masked("copy \\\\fs01\\reports$\\q3.xlsx"), "copy <PATH>");
    assert_eq!(
        masked("from path '\\\\?\\GLOBALROOT\\Device\\X\\SOFTWARE'."),
        "from path '<PATH>'."
    );
    assert_eq!(masked("pipe \\\\.\\pipe\\sql\\query"), "pipe <PATH>");
    // Escaped bytes are no path.
    assert_ne!(masked("bytes \\\\x00\\\\x01"), "bytes <PATH>");
    assert_eq!(masked("via proxy.cse.cuhk.edu.hk:5070"), "via <HOST>:<NUM>");
    assert_eq!(
        masked("old msra-sa-41/10.190.173.170:9000"),
        "old <HOST>/<IP>:<NUM>"
    );
    assert_eq!(
        masked("to msra-sa-41:8030. Already"),
        "to <HOST>:<NUM>. Already"
    );
    // Class names and file names are not hosts.
    assert_eq!(
        masked("in org.apache.Foo and x.py"),
        "in org.apache.Foo and x.py"
    );
}

#[test]
fn masks_quoted_and_key_values() {
    assert_eq!(masked("tag=\"View Lock\", name=x"), "tag=\"<*>\", name=x");
    assert_eq!(
        masked("uid=0 euid=0 ok=true"),
        "uid=<NUM> euid=<NUM> ok=<*>"
    );
    assert_eq!(masked("ready=true,policy=3"), "ready=<*>,policy=<NUM>");
    // A quoted HTTP request line keeps its method and protocol.
    assert_eq!(
        masked("10.1.1.1 \"GET /v2/servers/detail HTTP/1.1\" status: 200"),
        "<IP> \"GET <PATH> HTTP/<NUM>\" status: <NUM>"
    );
    // Apostrophes in text do not open a quote.
    assert_eq!(masked("can't open it's fine"), "can't open it's fine");
}

#[test]
fn collapses_whitespace() {
    assert_eq!(masked("  a \t b  \r\n c  "), "a b c");
    assert_eq!(masked(""), "");
}

#[test]
fn user_masks_apply_first() {
    let re = regex::bytes::Regex::new(r"order-[A-Z]{3}\d+").unwrap();
    let m = Masker::new(vec![("ORDER".to_string(), re)]);
    assert_eq!(
        sig(&m, "shipped order-ABC12 to 10.0.0.1"),
        "shipped <ORDER> to <IP>"
    );
    assert_eq!(sig(&m, "order-XYZ9,done"), "<ORDER>,done");
}

#[test]
fn mask_never_panics_on_arbitrary_bytes() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let alphabet =
        b" \t\n\r0123456789abcdefxX.:-_/\\\"'=,;()[]{}<>@#%+~*ZTmsKMGBhu\xc2\xb5\xff\x00";
    let m = Masker::new(Vec::new());
    let mut out = Vec::new();
    for _ in 0..20_000 {
        let len = (rng.next() % 64) as usize;
        let mut msg = Vec::with_capacity(len);
        for _ in 0..len {
            let x = rng.next();
            let b = if x.is_multiple_of(4) {
                (x >> 8) as u8
            } else {
                alphabet[((x >> 8) % alphabet.len() as u64) as usize]
            };
            msg.push(b);
        }
        m.mask(&msg, &mut out);
        let first = out.clone();
        // Whitespace is collapsed and trimmed: never a space at either end.
        assert!(
            !first.starts_with(b" ") && !first.ends_with(b" "),
            "{msg:?} -> {first:?}"
        );
        // Idempotent on its own output is not required, but it must not panic either.
        m.mask(&first, &mut out);
        // Deterministic: the same input gives the same signature, also after other input
        // went through the token cache in between.
        m.mask(&msg, &mut out);
        assert_eq!(out, first, "{msg:?}");
    }
}

proptest::proptest! {
    #[test]
    fn mask_total_on_any_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let mut out = Vec::new();
        Masker::new(Vec::new()).mask(&bytes, &mut out);
        proptest::prop_assert!(!out.starts_with(b" ") && !out.ends_with(b" "));
    }
}

/// Masks lines, dedups, clusters; returns each line's template text.
fn mine(lines: &[&str]) -> Vec<String> {
    let m = Masker::new(Vec::new());
    let mut index: FxHashMap<Vec<u8>, usize> = FxHashMap::default();
    let mut sigs: Vec<(Vec<u8>, u64)> = Vec::new();
    let mut per_line = Vec::new();
    let mut buf = Vec::new();
    for l in lines {
        m.mask(l.as_bytes(), &mut buf);
        let i = *index.entry(buf.clone()).or_insert_with(|| {
            sigs.push((buf.clone(), 0));
            sigs.len() - 1
        });
        sigs[i].1 += 1;
        per_line.push(i);
    }
    let input: Vec<(&[u8], u64)> = sigs.iter().map(|(s, c)| (s.as_slice(), *c)).collect();
    let c = cluster(&input, &ClusterConfig::default());
    per_line
        .into_iter()
        .map(|i| c.templates[c.assignment[i] as usize].text.clone())
        .collect()
}

#[test]
fn constant_words_stay_apart() {
    let mut lines = Vec::new();
    for i in 0..50 {
        lines.push(format!("VM Started on node{i}x"));
        lines.push(format!("VM Paused on node{i}x"));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert_eq!(t[0], "VM Started on <*>");
    assert_eq!(t[1], "VM Paused on <*>");
}

/// Drain's classic mistake: a few capitalised state words in one slot, each a single
/// signature, are the event's name, not a variable (OpenStack's lifecycle events).
#[test]
fn few_capitalised_states_stay_apart() {
    let mut lines = Vec::new();
    for (state, n) in [
        ("Started", 2),
        ("Paused", 2),
        ("Resumed", 4),
        ("Stopped", 1),
    ] {
        for i in 0..n {
            lines.push(format!(
                "[instance: b9000564-fe1a-409b-b8cc-1e88b294cd{i:02}] VM {state} (Lifecycle Event)"
            ));
        }
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert_eq!(t[0], "[instance: <UUID>] VM Started (Lifecycle Event)");
    assert_eq!(t[2], "[instance: <UUID>] VM Paused (Lifecycle Event)");
    assert_eq!(t[8], "[instance: <UUID>] VM Stopped (Lifecycle Event)");
    // Lower-case names in the same shape still generalise.
    let users: Vec<String> = ["alice", "bob", "carol", "dave", "erin"]
        .iter()
        .map(|u| format!("session opened for {u} by admin"))
        .collect();
    let refs: Vec<&str> = users.iter().map(String::as_str).collect();
    assert!(mine(&refs)
        .iter()
        .all(|t| t == "session opened for <*> by admin"));
}

#[test]
fn two_big_groups_differing_in_one_word_stay_apart() {
    let mut lines = vec!["cache warmup finished"; 500];
    lines.extend(vec!["cache warmup aborted"; 300]);
    let t = mine(&lines);
    assert_eq!(t[0], "cache warmup finished");
    assert_eq!(t[500], "cache warmup aborted");
}

#[test]
fn varying_words_become_wildcards() {
    let users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"];
    let lines: Vec<String> = users
        .iter()
        .map(|u| format!("Invalid user {u} from 10.0.0.1"))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert!(t.iter().all(|x| x == "Invalid user <*> from <IP>"), "{t:?}");
}

#[test]
fn variable_length_values_do_not_split() {
    let lines = [
        "tag=\"View Lock\" acquired",
        "tag=\"audio\" acquired",
        "tag=\"a much longer tag name\" acquired",
    ];
    let t = mine(&lines);
    assert!(t.iter().all(|x| *x == t[0]), "{t:?}");
    // Adjacent wildcards of different lengths are one value.
    let sigs: Vec<(&[u8], u64)> = vec![
        (b"copied <PATH> to <PATH> done", 10),
        (b"copied <PATH> <PATH> to <PATH> done", 3),
    ];
    let c = cluster(&sigs, &ClusterConfig::default());
    assert_eq!(c.assignment[0], c.assignment[1]);
}

/// Lines made mostly of a list of ids: the list's tokens are each in one signature only,
/// and used to outvote the constant words, so every line with four or more items was a
/// template of its own.
#[test]
fn lists_longer_than_the_sentence_do_not_split() {
    let mut rng = crate::testrng::Lcg(1);
    let mut lines = Vec::new();
    for _ in 0..40 {
        let n = 1 + rng.next() % 6;
        let files: Vec<String> = (0..n)
            .map(|_| {
                format!(
                    "f{}_{}.txt",
                    rng.next() % 1000,
                    ["log", "tmp", "bak"][(rng.next() % 3) as usize]
                )
            })
            .collect();
        lines.push(format!("Removed {n} files: {}", files.join(" ")));
        lines.push(format!("User u{} logged in", rng.next() % 5));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    for (line, tpl) in lines.iter().zip(&t).step_by(2) {
        // The shared `.txt` stays a file extension.
        assert_eq!(tpl, "Removed <NUM> files: <*>.txt", "{line}");
    }
    // Not a licence to merge: a lone unrelated line with one id-like word stays itself.
    let mut lines = vec!["disk sda1 mounted on /data ok"; 3];
    lines.push("kernel taint flag 0x1 set by module nvidia");
    let t = mine(&lines);
    assert_eq!(t[3], "kernel taint flag <HEX> set by module nvidia");
}

#[test]
fn order_and_thread_independent() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/mine/labelled.log"
    ))
    .unwrap();
    let m = Masker::new(Vec::new());
    let mut set: FxHashMap<Vec<u8>, u64> = FxHashMap::default();
    let mut buf = Vec::new();
    for l in text.lines() {
        m.mask(l.as_bytes(), &mut buf);
        *set.entry(buf.clone()).or_default() += 1;
    }
    let mut sigs: Vec<(Vec<u8>, u64)> = set.into_iter().collect();
    sigs.sort();
    let run = |sigs: &[(Vec<u8>, u64)], threads: usize| -> Vec<(Vec<u8>, String)> {
        let input: Vec<(&[u8], u64)> = sigs.iter().map(|(s, c)| (s.as_slice(), *c)).collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let c = pool.install(|| cluster(&input, &ClusterConfig::default()));
        let mut v: Vec<(Vec<u8>, String)> = sigs
            .iter()
            .zip(&c.assignment)
            .map(|((s, _), &a)| (s.clone(), c.templates[a as usize].text.clone()))
            .collect();
        v.sort();
        v
    };
    let base = run(&sigs, 1);
    let mut shuffled = sigs.clone();
    let mut rng = Lcg(42);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.next() as usize % (i + 1));
    }
    assert_eq!(run(&shuffled, 1), base);
    assert_eq!(run(&shuffled, 4), base);
    shuffled.reverse();
    assert_eq!(run(&shuffled, 2), base);
}

const JAVA_A1: &str = "java.lang.IllegalStateException: order 123 not found\n\
\tat com.shop.orders.OrderService.load(OrderService.java:42)\n\
\tat com.shop.orders.OrderController.get(OrderController.java:17)\n\
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n\
\tat java.base/java.lang.Thread.run(Thread.java:833)\n\
Caused by: java.sql.SQLException: connection closed\n\
\tat com.shop.db.Pool.get(Pool.java:88)\n\
\t... 12 more";

#[test]
fn stack_traces_group_by_crash() {
    // Same crash, other values and line numbers.
    let a2 = JAVA_A1
        .replace("123", "98765")
        .replace(":42)", ":44)")
        .replace("... 12 more", "... 9 more");
    // Same first line and exception, different code path.
    let b = JAVA_A1.replace("OrderController.get", "AdminController.purge");
    // Same code path, different exception type.
    let c = JAVA_A1.replace("IllegalStateException", "IllegalArgumentException");
    assert!(is_stack_trace(JAVA_A1.as_bytes()));
    assert!(!is_stack_trace(b"plain message\nsecond line"));
    let t = mine(&[JAVA_A1, &a2, &b, &c]);
    assert_eq!(t[0], t[1]);
    assert_ne!(t[0], t[2]);
    assert_ne!(t[0], t[3]);
    assert!(
        t[0].starts_with("java.lang.IllegalStateException: order <NUM> not found [exc="),
        "{}",
        t[0]
    );
    assert!(t[0].contains("java.sql.SQLException"), "{}", t[0]);
}

#[test]
fn python_and_go_and_dotnet_traces() {
    let py = |f: &str, v: &str| {
        format!(
            "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/runpy.py\", line 198, in _run\n  File \"app/jobs.py\", line {v}, in {f}\n    x = int(s)\nValueError: invalid literal for int() with base 10: '{v}'"
        )
    };
    let (p1, p2, p3) = (py("parse", "3"), py("parse", "77"), py("render", "3"));
    let go = "panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.handler(0xc000010000)\n\t/src/app/main.go:12 +0x1d\nruntime.main()\n\t/usr/local/go/src/runtime/proc.go:250 +0x1c7";
    let go2 = go.replace("[5]", "[9]").replace("main.go:12", "main.go:13");
    let net = "System.NullReferenceException: Object reference not set\n   at Shop.Orders.Load(Int32 id) in C:\\src\\Orders.cs:line 5\n   at Shop.Api.Get() in C:\\src\\Api.cs:line 9";
    let net2 = net.replace("line 5", "line 7");
    for s in [&p1, go, net] {
        assert!(is_stack_trace(s.as_bytes()), "{s}");
    }
    let t = mine(&[&p1, &p2, &p3, go, &go2, net, &net2]);
    assert_eq!(t[0], t[1]);
    assert_ne!(t[0], t[2]);
    assert_eq!(t[3], t[4]);
    assert_eq!(t[5], t[6]);
    assert!(t[0].contains("ValueError"), "{}", t[0]);
}

#[test]
fn ruby_and_rails_traces() {
    // Rails' exception report (the event's message from its first line with text): the
    // class before its message, gem frames (as the backtrace cleaner writes them) skipped.
    let rails = |line: &str, method: &str| {
        format!(
            "ActiveRecord::RecordNotFound (Couldn't find Order with 'id'=42):\n  \n\
             activerecord (7.0.4) lib/active_record/core.rb:284:in `find'\n\
             app/models/order.rb:{line}:in `{method}'\n\
             app/controllers/orders_controller.rb:12:in `show'"
        )
    };
    let (a1, a2, b) = (
        rails("42", "load"),
        rails("47", "load"),
        rails("42", "reload"),
    );
    // Ruby's own report of an uncaught exception, then `from` frames.
    let crash = |n: &str| {
        format!(
            "Job raised exception\n/app/app/workers/sync_worker.rb:{n}:in `perform': undefined method `id' for nil:NilClass (NoMethodError)\n\
             \tfrom /usr/local/bundle/gems/sidekiq-7.2.0/lib/sidekiq/processor.rb:202:in `execute_job'"
        )
    };
    let (c1, c2) = (crash("9"), crash("11"));
    for s in [&a1, &c1] {
        assert!(is_stack_trace(s.as_bytes()), "{s}");
    }
    let t = mine(&[&a1, &a2, &b, &c1, &c2]);
    assert_eq!(t[0], t[1], "line numbers do not split a crash");
    assert_ne!(t[0], t[2], "another code path is another crash");
    assert_eq!(t[3], t[4]);
    let s = masked(&a1);
    assert!(
        s.contains("[exc=ActiveRecord::RecordNotFound;frames="),
        "{s}"
    );
    assert!(!s.contains("frames=-"), "{s}");
    let s = masked(&c1);
    assert!(
        s.starts_with("Job raised exception [exc=NoMethodError;frames="),
        "{s}"
    );
    assert!(!s.contains("frames=-"), "{s}");
}

#[test]
fn php_monolog_traces() {
    let laravel = |line: &str, func: &str| {
        format!(
            "SQLSTATE[HY000] [2002] Connection refused {{\"exception\":\"[object] (Illuminate\\\\Database\\\\QueryException(code: 2002): refused at /var/www/vendor/laravel/framework/src/Illuminate/Database/Connection.php:760)\n\
             [stacktrace]\n\
             #0 /var/www/vendor/laravel/framework/src/Illuminate/Database/Connection.php(720): Illuminate\\\\Database\\\\Connection->runQueryCallback()\n\
             #1 /var/www/app/Http/Controllers/OrderController.php({line}): Illuminate\\\\Database\\\\Connection->{func}('x')\n\
             #2 {{main}}\n\"}}"
        )
    };
    let (a1, a2, b) = (
        laravel("31", "select"),
        laravel("35", "select"),
        laravel("31", "insert"),
    );
    assert!(is_stack_trace(a1.as_bytes()), "{a1}");
    let t = mine(&[&a1, &a2, &b]);
    assert_eq!(t[0], t[1], "line numbers do not split a crash");
    assert_ne!(t[0], t[2], "another call is another crash");
    let s = masked(&a1);
    assert!(
        s.contains("[exc=Illuminate\\\\Database\\\\QueryException;frames="),
        "{s}"
    );
    assert!(!s.contains("frames=-"), "{s}");
}

#[test]
fn exception_types_of_any_name_and_none() {
    // Python's last line names the exception even when it does not end in Error.
    let py = |ty: &str| {
        format!(
            "Traceback (most recent call last):\n  File \"app/mail.py\", line 9, in send\n    s.send(m)\n\
             During handling of the above exception, another exception occurred:\n{ty}: Connection unexpectedly closed"
        )
    };
    let s = masked(&py("smtplib.SMTPServerDisconnected"));
    assert!(
        s.contains("[exc=smtplib.SMTPServerDisconnected;frames="),
        "{s}"
    );
    let t = mine(&[&py("smtplib.SMTPServerDisconnected"), &py("socket.timeout")]);
    assert_ne!(t[0], t[1]);
    let s = masked(
        "Traceback (most recent call last):\n  File \"app/main.py\", line 3, in run\n    loop()\nKeyboardInterrupt",
    );
    assert!(s.contains("[exc=KeyboardInterrupt;"), "{s}");
    // A Go panic has no exception type: `exc=-`, not an empty list.
    let go = "runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\n\ngoroutine 1 [running]:\nmain.handler(0xc000010000)\n\t/src/app/main.go:12 +0x1d";
    let s = masked(go);
    assert!(s.contains("[exc=-;frames="), "{s}");
}

#[test]
fn template_id_is_stable() {
    // Fixed expected values: ids are persisted in summaries and compared across machines.
    assert_eq!(template_id(""), "cbf29ce48422");
    assert_eq!(template_id("VM Started on <*>"), "b2e82936f2c3");
    assert_eq!(template_id("a"), "af63dc4c8601");
}

#[test]
fn folds_rarest_into_other() {
    // Ten templates (the first word of a message names the event, so they stay apart) with
    // counts 10, 9, ..., 1.
    let names = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    ];
    let texts: Vec<String> = names.iter().map(|n| format!("{n} happened")).collect();
    let sigs: Vec<(&[u8], u64)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_bytes(), 10 - i as u64))
        .collect();
    let cfg = ClusterConfig { max_templates: 4 };
    let c = cluster(&sigs, &cfg);
    let kept = c.templates.iter().filter(|t| !t.is_other).count();
    assert_eq!(c.templates.len(), 4, "{:?}", c.templates);
    let other = c
        .templates
        .iter()
        .position(|t| t.is_other)
        .expect("other bucket");
    assert!(kept >= 1);
    let folded: u64 = sigs
        .iter()
        .zip(&c.assignment)
        .filter(|(_, &a)| a as usize == other)
        .map(|((_, n), _)| n)
        .sum();
    assert_eq!(folded, c.folded_into_other);
    assert!(folded > 0);
    // The most frequent signature is never folded.
    assert_ne!(c.assignment[0] as usize, other);
}

#[test]
fn empty_input() {
    let c = cluster(&[], &ClusterConfig::default());
    assert!(c.assignment.is_empty() && c.templates.is_empty() && c.folded_into_other == 0);
}

#[test]
fn labelled_fixture_grouping_accuracy() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/mine/");
    let log = std::fs::read_to_string(format!("{dir}labelled.log")).unwrap();
    let truth = std::fs::read_to_string(format!("{dir}labelled.truth")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let labels: Vec<&str> = truth.lines().collect();
    assert_eq!(lines.len(), labels.len());
    let pred = mine(&lines);
    // Grouping accuracy as Loghub defines it: a line counts when its true group and its
    // predicted group are exactly the same set of lines.
    let mut by_truth: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    let mut by_pred: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, (t, p)) in labels.iter().zip(&pred).enumerate() {
        by_truth.entry(t).or_default().push(i);
        by_pred.entry(p.as_str()).or_default().push(i);
    }
    let correct: usize = by_truth
        .values()
        .filter(|idx| by_pred[pred[idx[0]].as_str()] == **idx)
        .map(|idx| idx.len())
        .sum();
    let ga = correct as f64 / lines.len() as f64;
    assert!(ga >= 0.9, "grouping accuracy {ga:.3}");
}

#[test]
fn established_words_split_even_when_many() {
    // Five verbs, each seen with many different users and documents: five templates.
    let verbs = ["created", "deleted", "updated", "viewed", "shared"];
    let names = ["ann", "ben", "cat", "dan", "eve", "fay", "gus"];
    let mut lines = Vec::new();
    for v in verbs {
        for (i, u) in names.iter().enumerate() {
            let d = names[(i + 3) % names.len()];
            lines.push(format!("user {u} {v} document {d}x"));
        }
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert_eq!(t[0], "user <*> created document <*>");
    assert_eq!(t[7], "user <*> deleted document <*>");
}

#[test]
fn long_pathological_lines_stay_linear() {
    // Unclosed quotes everywhere: each would rescan the rest of the line without the window.
    let line = "k=\"v ".repeat(100_000);
    let m = Masker::new(Vec::new());
    let mut out = Vec::new();
    let start = std::time::Instant::now();
    m.mask(line.as_bytes(), &mut out);
    assert!(!out.is_empty());
    // Many user-mask matches on one line.
    let re = regex::bytes::Regex::new(r"k=").unwrap();
    let re2 = regex::bytes::Regex::new(r"zzz").unwrap();
    let m = Masker::new(vec![("K".to_string(), re), ("Z".to_string(), re2)]);
    m.mask(line.as_bytes(), &mut out);
    assert!(out.starts_with(b"<K>"));
    // Generous bound: quadratic behaviour would take minutes.
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn names_seen_as_values_elsewhere_generalise_small_columns() {
    // Only three users open sessions, but the same names fill a many-valued slot elsewhere.
    let mut lines = Vec::new();
    for u in ["cyrus", "news", "test"] {
        for _ in 0..40 {
            lines.push(format!("session opened for user {u} by (uid=0)"));
        }
    }
    for u in ["cyrus", "news", "test", "root", "ftp", "mail"] {
        lines.push(format!("password changed for {u}"));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert_eq!(t[0], "session opened for user <*> by (uid=<NUM>)");
    assert_eq!(t[40], t[0]);
    assert_eq!(t[120], "password changed for <*>");
}

/// Two templates whose constant words line up column by column (`MDNS: IPV4 Addr:` and
/// `keepalive: Remote IP:`) look like one template with a four-valued slot until they are
/// split: those words are no user names, and must not turn `Remote`/`Local` into a value.
#[test]
fn words_of_a_mix_that_splits_are_not_learned_as_values() {
    let mut lines = Vec::new();
    for i in 0..6 {
        lines.push(format!("wl0: MDNS: IPV4 Addr: 10.0.0.{i}"));
        lines.push(format!("wl0: MDNS: IPV6 Addr: fe80::{i}"));
        lines.push(format!("wl0: keepalive: Remote IP: 10.1.0.{i}"));
        lines.push(format!("wl0: keepalive: Local IP: 10.2.0.{i}"));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    let distinct: std::collections::BTreeSet<&String> = t.iter().collect();
    assert_eq!(distinct.len(), 4, "{distinct:#?}");
    assert_eq!(t[2], "wl0: keepalive: Remote IP: <IP>");
    assert_eq!(t[3], "wl0: keepalive: Local IP: <IP>");
}

/// Qualified names that differ are the message's subject (`com.tencent.mm/.ui.LauncherUI`),
/// but one ending in an upper-case constant is an enum constant that names the event: a
/// broadcast of `TIME_TICK` is not one of `SCREEN_ON`, however many of each there are.
#[test]
fn dotted_enum_constants_stay_apart_package_names_vary() {
    let mut lines = Vec::new();
    for _ in 0..5 {
        for a in ["TIME_TICK", "SCREEN_ON", "SCREEN_OFF", "BATTERY_CHANGED"] {
            lines.push(format!("onReceive action: android.intent.action.{a}"));
        }
        for (i, p) in ["com.tencent.mm", "com.android.phone", "org.mozilla.firefox"]
            .iter()
            .enumerate()
        {
            lines.push(format!("Start proc {p}.ui.Main for activity uid {i}"));
        }
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert_eq!(t[0], "onReceive action: android.intent.action.TIME_TICK");
    assert_eq!(t[1], "onReceive action: android.intent.action.SCREEN_ON");
    assert_ne!(t[2], t[3]);
    assert!(t[4].starts_with("Start proc <*>"), "{}", t[4]);
    // Glued to its key as well.
    let glued = mine(&[
        "processHandleBroadcastAction action:android.intent.action.TIME_TICK",
        "processHandleBroadcastAction action:android.intent.action.SCREEN_ON",
        "processHandleBroadcastAction action:android.intent.action.TIME_TICK",
    ]);
    assert_ne!(glued[0], glued[1]);
    assert_eq!(glued[0], glued[2]);
    assert_eq!(t[5], t[4]);
    assert_eq!(t[6], t[4]);
}

#[test]
fn known_names_generalise_the_first_column() {
    let mut lines = Vec::new();
    for u in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        lines.push(format!("quota exceeded for {u}"));
    }
    for u in ["alice", "bob"] {
        lines.push(format!("{u} logged out"));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = mine(&refs);
    assert_eq!(t[6], "<*> logged out");
    assert_eq!(t[7], t[6]);
}

#[test]
fn cluster_never_panics_on_odd_signatures() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let mut next = || rng.next();
    let words: [&[u8]; 12] = [
        b"a",
        b"<NUM>",
        b"<*>",
        b"k=v",
        b"k=<NUM>",
        b"x......<NUM>",
        b"<",
        b">",
        b"",
        b"  ",
        b"NEW",
        b"com.a.b/c",
    ];
    for round in 0..200 {
        let n = 1 + (next() % 60) as usize;
        let owned: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                let len = (next() % 6) as usize;
                let mut s = Vec::new();
                for k in 0..len {
                    if k > 0 {
                        s.push(b' ');
                    }
                    s.extend_from_slice(words[(next() % words.len() as u64) as usize]);
                }
                s
            })
            .collect();
        // Duplicates are allowed and must merge.
        let sigs: Vec<(&[u8], u64)> = owned
            .iter()
            .map(|s| (s.as_slice(), 1 + next() % 5))
            .collect();
        let cfg = ClusterConfig {
            max_templates: (round % 7) as usize,
        };
        let c = cluster(&sigs, &cfg);
        assert_eq!(c.assignment.len(), sigs.len());
        assert!(c
            .assignment
            .iter()
            .all(|&a| (a as usize) < c.templates.len()));
        if cfg.max_templates > 0 {
            assert!(c.templates.len() <= cfg.max_templates);
        }
    }
}

#[test]
fn stack_signature_shape() {
    // First line masked, then one token with the exception types and a 12-hex frame fingerprint.
    let s = masked(JAVA_A1);
    assert_eq!(
        s,
        "java.lang.IllegalStateException: order <NUM> not found \
         [exc=java.lang.IllegalStateException,java.sql.SQLException;frames="
            .to_string()
            + &s[s.len() - 13..]
    );
    assert!(s.ends_with(']'));
}

#[test]
fn optional_value_annotations_do_not_split() {
    let lines = [
        "conn to db.example.com:80 closed, 0 bytes sent, lifetime 00:01",
        "conn to db.example.com:80 closed, 5120 bytes (5 KB) sent, lifetime <1 sec",
        "conn to 10.0.0.7:443 closed, 20 bytes sent, lifetime 01:10",
    ];
    let t = mine(&lines);
    assert!(t.iter().all(|x| *x == t[0]), "{t:?}");
    assert_eq!(masked("lifetime <1 sec, done"), "lifetime <DURATION>, done");
}

#[test]
fn many_keys_cluster_quickly() {
    // 20,000 distinct field names: a key split must partition in one pass, not one per key.
    let owned: Vec<Vec<u8>> = (0..20_000)
        .map(|i| format!("set field{}x=<NUM> done", i).into_bytes())
        .collect();
    let sigs: Vec<(&[u8], u64)> = owned.iter().map(|s| (s.as_slice(), 1)).collect();
    let start = std::time::Instant::now();
    let c = cluster(&sigs, &ClusterConfig::default());
    assert_eq!(c.assignment.len(), sigs.len());
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn exception_line_is_the_first_exception_after_the_message() {
    let java = "ERROR Payment failed for order 42\norg.springframework.web.client.ResourceAccessException: I/O error on POST\n\tat com.acme.Pay.call(Pay.java:12)\nCaused by: java.net.SocketTimeoutException: Read timed out\n\tat java.base/x.y(z.java:1)";
    assert_eq!(
        exception_line(java),
        Some("org.springframework.web.client.ResourceAccessException: I/O error on POST")
    );
    let dotnet = "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]\n      An unhandled exception has occurred while executing the request.\n      Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.\n       ---> System.ComponentModel.Win32Exception (258): The wait operation timed out.\n         at Shop.Data.Repo.Insert() in /src/Repo.cs:line 57";
    assert_eq!(
        exception_line(dotnet),
        Some("Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.")
    );
    let inner_only = "fail: X[1]\n      Request failed\n       ---> System.TimeoutException: gave up\n         at A.B() in /src/A.cs:line 1";
    assert_eq!(
        exception_line(inner_only),
        Some("System.TimeoutException: gave up")
    );
    let caused = "ERROR job failed\n\tat com.acme.Job.run(Job.java:3)\nCaused by: java.io.IOException: disk full";
    assert_eq!(
        exception_line(caused),
        Some("java.io.IOException: disk full")
    );
    // Python's last line, whatever the exception's name ends with; code lines are not it.
    let python = "ERROR sending mail\nTraceback (most recent call last):\n  File \"/app/mail.py\", line 9, in send\n    raise SMTPServerDisconnected('gone')\nsmtplib.SMTPServerDisconnected: Connection unexpectedly closed";
    assert_eq!(
        exception_line(python),
        Some("smtplib.SMTPServerDisconnected: Connection unexpectedly closed")
    );
    // The first line is never it (the title has it already); no exception, no line.
    assert_eq!(
        exception_line("java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)"),
        None
    );
    assert_eq!(exception_line("ERROR plain\nsecond line of text"), None);
}

#[test]
fn zap_go_stacks_group_by_the_apps_frames() {
    // zap's stack: function names without arguments, each with its file; library frames
    // (GOROOT, the module cache) do not tell crashes apart, the app's do.
    let zap = |port: &str, line: &str, func: &str, lib_line: &str| {
        format!(
            "request failed: dial tcp 10.0.3.2:{port}: connect: connection refused\nnet/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2136\ngithub.com/go-chi/chi/v5.(*Mux).routeHTTP\n\t/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.12/mux.go:{lib_line}\nmain.(*Server).{func}\n\t/app/api/handler.go:{line}\nmain.main\n\t/app/main.go:30"
        )
    };
    let a = zap("5432", "120", "handleCheckout", "444");
    let a2 = zap("5433", "122", "handleCheckout", "450");
    let b = zap("5432", "120", "handleRefund", "444");
    assert!(is_stack_trace(a.as_bytes()));
    let t = mine(&[&a, &a2, &b]);
    assert_eq!(t[0], t[1]);
    assert_ne!(t[0], t[2]);
    assert!(t[0].contains(" [exc=-;frames="), "{}", t[0]);
    assert_eq!(go_app_frame(&a), Some("main.(*Server).handleCheckout"));
    // A panic's frames carry arguments; the name is without them.
    let panic = "panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.lookup(...)\n\t/app/main.go:12\nmain.main()\n\t/app/main.go:20 +0x1d";
    assert_eq!(go_app_frame(panic), Some("main.lookup"));
    // Without a Go file line under it, a dotted word is no frame.
    assert_eq!(go_app_frame("x\nmain.lookup\nsomething else"), None);
}

#[test]
fn node_traces_group_by_the_apps_frames() {
    let node = |port: &str, line: &str, caller: &str| {
        format!(
            "Unhandled rejection in GET /api/cart/7\nError: connect ECONNREFUSED 10.0.4.12:{port}\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n    at RedisClient.get (/app/node_modules/ioredis/built/Redis.js:120:15)\n    at {caller} (/app/src/services/cart.js:{line}:23)\n    at async CartController.show (/app/src/controllers/cart.js:17:18)"
        )
    };
    let a = node("6379", "42", "CartService.load");
    // Other values and line numbers: the same crash.
    let a2 = node("6380", "44", "CartService.load");
    // Another function of the app: another crash.
    let b = node("6379", "42", "CartService.save");
    assert!(is_stack_trace(a.as_bytes()));
    let t = mine(&[&a, &a2, &b]);
    assert_eq!(t[0], t[1]);
    assert_ne!(t[0], t[2]);
    assert!(
        t[0].starts_with("Unhandled rejection in GET <PATH> [exc=Error;frames="),
        "{}",
        t[0]
    );
    assert_eq!(
        exception_line(&a),
        Some("Error: connect ECONNREFUSED 10.0.4.12:6379")
    );
    // Frames without a function, and lines that only look like frames.
    assert_eq!(
        stack::node_frame(b"at /app/src/index.js:10:5"),
        Some((&b"/app/src/index.js"[..], &b""[..]))
    );
    assert_eq!(stack::node_frame(b"at com.foo.Bar.baz(Bar.java:42)"), None);
    assert_eq!(stack::node_frame(b"at the end of the day (see: 1:2)"), None);
}
