//! Route normalization: request paths → routes a person would name.
//!
//! Two stages:
//! 1. [`normalize_path`], per request on the hot path (no allocation beyond the caller's
//!    reused buffer): drops the query string and fragment, strips `scheme://host` from
//!    absolute-form request targets, and replaces segments that are variable by their shape
//!    with placeholders: numbers `{id}`, UUIDs `{uuid}`, hex hashes `{hash}`, emails
//!    `{email}`, dates `{date}`, long opaque tokens `{token}`; a numeric or hash file name
//!    keeps its extension (`/invoices/123.pdf` → `/invoices/{id}.pdf`).
//! 2. [`collapse`], once on the merged table (so the result does not depend on chunking):
//!    at every path prefix, when more than [`MIN_TAIL`] distinct literal segments each carry
//!    only a small share of the prefix's requests (the long tail of user names, slugs, file
//!    names), those segments become one placeholder — `{name}`, or `{file}.ext` per file
//!    extension — while the values that carry real traffic keep their names
//!    (`/blog/tags/puppet` stays next to `/blog/tags/{name}`).

use std::collections::BTreeMap;

use crate::mine::is_uuid;

/// Longest route kept, in bytes; longer paths are cut at a segment boundary and end in `/…`.
pub const MAX_ROUTE_BYTES: usize = 200;
/// Most segments kept.
pub const MAX_SEGMENTS: usize = 12;

/// Writes the stage-1 route of `path` into `out` (cleared first).
pub fn normalize_path(path: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut p = path;
    // Absolute-form targets (proxies): keep only the path.
    for scheme in [&b"http://"[..], b"https://"] {
        if p.len() >= scheme.len() && p[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let rest = &p[scheme.len()..];
            p = match memchr::memchr(b'/', rest) {
                Some(i) => &rest[i..],
                None => b"/",
            };
            break;
        }
    }
    if let Some(i) = memchr::memchr3(b'?', b'#', b';', p) {
        p = &p[..i];
    }
    if p.first() != Some(&b'/') {
        // `*` (OPTIONS *), garbage, or a relative path: keep a short literal form.
        if p.is_empty() {
            out.push(b'/');
        } else {
            out.extend_from_slice(&p[..p.len().min(64)]);
        }
        return;
    }
    let mut segs = 0;
    let mut rest = &p[1..];
    loop {
        let end = memchr::memchr(b'/', rest).unwrap_or(rest.len());
        let seg = &rest[..end];
        if segs >= MAX_SEGMENTS || out.len() + seg.len() > MAX_ROUTE_BYTES {
            out.extend_from_slice("/…".as_bytes());
            return;
        }
        out.push(b'/');
        segment(seg, out);
        segs += 1;
        if end == rest.len() {
            break;
        }
        rest = &rest[end + 1..];
    }
}

/// Appends the normalized form of one segment.
fn segment(seg: &[u8], out: &mut Vec<u8>) {
    if seg.is_empty() {
        return;
    }
    if let Some(ph) = placeholder(seg) {
        out.extend_from_slice(ph.as_bytes());
        return;
    }
    // A variable file name with an extension: `123.pdf`, `<hash>.js`.
    if let Some(dot) = memchr::memrchr(b'.', seg) {
        let (stem, ext) = (&seg[..dot], &seg[dot..]);
        if dot > 0 && is_extension(&ext[1..]) {
            if let Some(ph) = placeholder(stem) {
                out.extend_from_slice(ph.as_bytes());
                out.extend_from_slice(ext);
                return;
            }
            // A cache-busting content hash after the name: `main.8d3f2a1b.js`,
            // `index-4f3a2b1c.chunk.js`, `application-<64 hex>.css`.
            let mut parts = stem.split(|&b| matches!(b, b'.' | b'-' | b'_'));
            if let Some(name) = parts.next() {
                if parts.any(|p| stem_value(p).is_some()) {
                    out.extend_from_slice(&stem[..name.len()]);
                    let mut at = name.len();
                    while at < stem.len() {
                        out.push(stem[at]); // the separator
                        at += 1;
                        let len = stem[at..]
                            .iter()
                            .position(|&b| matches!(b, b'.' | b'-' | b'_'))
                            .unwrap_or(stem.len() - at);
                        let part = &stem[at..at + len];
                        match stem_value(part) {
                            Some(ph) => out.extend_from_slice(ph.as_bytes()),
                            None => out.extend_from_slice(part),
                        }
                        at += len;
                    }
                    out.extend_from_slice(ext);
                    return;
                }
            }
        }
    }
    out.extend_from_slice(seg);
}

/// The placeholder for a part of a file name after its first (`8d3f2a1b` in
/// `main.8d3f2a1b.js`): a hex hash of at least 8 characters with letters and digits, a
/// number of at least 8 digits (a build time), or a mixed-case base64url hash of at least 8
/// (`index-BKj3k2Lm.js`). Versions (`1.3.2`) and words with a digit (`sms1`) stay.
fn stem_value(p: &[u8]) -> Option<&'static str> {
    if p.len() < 8 {
        return None;
    }
    let digits = p.iter().filter(|b| b.is_ascii_digit()).count();
    if digits == p.len() {
        return Some("{id}");
    }
    if digits == 0 || !p.iter().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    if p.iter().all(|b| b.is_ascii_hexdigit()) && !has_mixed_case(p) {
        return Some("{hash}");
    }
    let switches = p
        .windows(2)
        .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
        .count();
    (has_mixed_case(p) && switches >= 2).then_some("{hash}")
}

fn is_extension(e: &[u8]) -> bool {
    (1..=5).contains(&e.len())
        && e.iter().all(|b| b.is_ascii_alphanumeric())
        && e.iter().any(|b| b.is_ascii_alphabetic())
}

/// The placeholder for a segment whose shape says it is a value, if any. One pass over the
/// bytes collects what every rule needs (this runs for every path segment of every request).
pub fn placeholder(seg: &[u8]) -> Option<&'static str> {
    let n = seg.len();
    if n == 0 {
        return None;
    }
    let (mut digits, mut letters, mut alternations, mut run, mut longest_run) = (0, 0, 0, 0, 0);
    let (mut all_hex, mut tokenish, mut at, mut dot) = (true, true, None, false);
    let mut prev = 0u8; // 0 other, 1 letter, 2 digit
    for (i, &b) in seg.iter().enumerate() {
        let class = if b.is_ascii_digit() {
            digits += 1;
            run = 0;
            2
        } else if b.is_ascii_alphabetic() {
            letters += 1;
            run += 1;
            longest_run = longest_run.max(run);
            1
        } else {
            run = 0;
            match b {
                b'@' if at.is_none() => at = Some(i),
                b'.' => dot = true,
                _ => {}
            }
            if !matches!(b, b'-' | b'_' | b'=' | b'%') {
                tokenish = false;
            }
            0
        };
        if class != 0 && prev != 0 && class != prev {
            alternations += 1;
        }
        prev = class;
        if !b.is_ascii_hexdigit() {
            all_hex = false;
        }
    }
    if digits == n {
        return Some("{id}");
    }
    // Words: every other placeholder needs a digit or an `@`.
    if digits == 0 && at.is_none() {
        return None;
    }
    if is_uuid(seg) {
        return Some("{uuid}");
    }
    if is_date(seg) {
        return Some("{date}");
    }
    if all_hex && n >= 16 && digits > 0 {
        return Some("{hash}");
    }
    if let Some(at) = at {
        if at > 0 && memchr::memchr(b'.', &seg[at..]).is_some() {
            return Some("{email}");
        }
    }
    // Numbers with a short prefix or separators: `ord_48213`, `u-1234567`, `1234-5678`.
    if digits >= 4 && digits * 2 >= n && !dot && alternations <= 2 {
        return Some("{id}");
    }
    // Long opaque tokens: base64/url-safe ids, API keys, session ids. Slugs made of words
    // (`logstash-puppetconf-2012`) are names, not tokens: a token has no long letter run
    // and switches between letters and digits often.
    if tokenish && n >= 16 && digits >= 3 && letters >= 3 && longest_run <= 6 && alternations >= 4 {
        return Some("{token}");
    }
    if tokenish && n >= 24 && digits >= 2 && has_mixed_case(seg) && longest_run <= 10 {
        return Some("{token}");
    }
    None
}

fn has_mixed_case(s: &[u8]) -> bool {
    s.iter().any(|b| b.is_ascii_lowercase()) && s.iter().any(|b| b.is_ascii_uppercase())
}

/// `2024-01-31`, `2024_01_31`.
fn is_date(s: &[u8]) -> bool {
    s.len() == 10
        && s.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-' || b == b'_',
            _ => b.is_ascii_digit(),
        })
}

/// At a prefix, at least this many distinct low-traffic literal segments make the position
/// variable.
pub const MIN_TAIL: usize = 10;
/// A segment is in the tail when it carries at most this share of the prefix's requests
/// (or at most [`TAIL_ABS`] requests).
pub const TAIL_SHARE: f64 = 0.005;
pub const TAIL_ABS: u64 = 5;
/// With at least this many literal leaf values at one prefix, every value up to twice the
/// mean count is a value (so `/users/alice` … collapse even when each user is busy).
pub const MANY_LEAVES: usize = 20;
/// Fewest distinct values one placeholder stands for.
pub const MIN_PER_PLACEHOLDER: usize = 3;

#[derive(Default)]
struct Node {
    count: u64,
    children: BTreeMap<String, Node>,
    /// Paths (stage-1 routes) that end exactly here.
    ends: Vec<usize>,
}

/// Stage 2: given stage-1 routes (paths without method) with their request counts, returns
/// for each the collapsed route. Deterministic: depends only on the multiset of inputs.
pub fn collapse(paths: &[(&str, u64)]) -> Vec<String> {
    let mut root = trie(paths.iter().copied());
    let grand_total = root.count;
    collapse_node(&mut root, 0, grand_total);
    routes_of(&root, paths.len())
}

/// The trie of `paths` (with their request counts) by segment; each path's index is kept at
/// the node it ends at. A path without a leading `/` is one child of the root.
fn trie<'a>(paths: impl Iterator<Item = (&'a str, u64)>) -> Node {
    let mut root = Node::default();
    for (i, (p, c)) in paths.enumerate() {
        let mut node = &mut root;
        node.count += c;
        if let Some(rest) = p.strip_prefix('/') {
            for seg in rest.split('/') {
                node = node.children.entry(seg.to_string()).or_default();
                node.count += c;
            }
        } else {
            node = node.children.entry(format!("\u{0}{p}")).or_default();
            node.count += c;
        }
        node.ends.push(i);
    }
    root
}

/// Each of the `n` paths of a trie, written back from the node it ends at.
fn routes_of(root: &Node, n: usize) -> Vec<String> {
    let mut out = vec![String::new(); n];
    write_routes(root, &mut Vec::new(), &mut out);
    out
}

fn collapse_node(node: &mut Node, depth: usize, grand_total: u64) {
    let total = node.count;
    // Many leaf values of similar size (user names, slugs): none stands out, so all are
    // values, however busy each is.
    let leaves: Vec<u64> = node
        .children
        .iter()
        .filter(|(name, n)| n.children.is_empty() && !name.starts_with('{') && !name.is_empty())
        .map(|(_, n)| n.count)
        .collect();
    let uniform_cap = if leaves.len() >= MANY_LEAVES {
        2 * leaves.iter().sum::<u64>() / leaves.len() as u64
    } else {
        0
    };
    let is_tail = |name: &str, n: &Node| {
        let c = n.count;
        if n.children.is_empty() && c <= uniform_cap {
            return !name.starts_with('{') && !name.is_empty();
        }
        // Static files (leaves with an extension) are rare against the whole site, not just
        // their directory: a deck's 25 slide images each loaded once per visit collapse.
        let base = if n.children.is_empty() && has_extension(name) {
            total.max(grand_total)
        } else {
            total
        };
        !name.starts_with('{')
            && !name.starts_with('\u{0}')
            && !name.is_empty()
            && (c <= TAIL_ABS || (c as f64) <= TAIL_SHARE * base as f64)
    };
    // Top-level names (`/robots.txt`, `/icons/`) are the site's own layout: never collapsed.
    if depth > 0 {
        let tail: Vec<&String> = node
            .children
            .iter()
            .filter(|(n, c)| is_tail(n, c))
            .map(|(n, _)| n)
            .collect();
        // Leaves (file names, slugs) collapse together; directories only when they look
        // alike (share a child name with another tail directory, as `/users/{name}/profile`
        // do), so `/icons/blank.gif` and `/files/x.tgz` keep their directory names.
        let mut child_names: std::collections::BTreeMap<&str, usize> = Default::default();
        for n in &tail {
            for c in node.children[*n].children.keys() {
                *child_names.entry(c.as_str()).or_default() += 1;
            }
        }
        let leaves: Vec<String> = tail
            .iter()
            .filter(|n| node.children[**n].children.is_empty())
            .map(|n| n.to_string())
            .collect();
        let dirs: Vec<String> = tail
            .iter()
            .filter(|n| {
                let ch = &node.children[**n].children;
                !ch.is_empty() && ch.keys().any(|c| child_names[c.as_str()] >= 2)
            })
            .map(|n| n.to_string())
            .collect();
        for group in [leaves, dirs] {
            if group.len() < MIN_TAIL {
                continue;
            }
            // A placeholder stands for several values: a lone `.pdf` among many `.png`
            // keeps its name.
            let mut per_target: std::collections::BTreeMap<String, Vec<String>> =
                Default::default();
            for name in group {
                let has_children = !node.children[&name].children.is_empty();
                per_target
                    .entry(tail_placeholder(&name, has_children))
                    .or_default()
                    .push(name);
            }
            for (ph, names) in per_target {
                if names.len() < MIN_PER_PLACEHOLDER {
                    continue;
                }
                for name in names {
                    if let Some(child) = node.children.remove(&name) {
                        absorb(node.children.entry(ph.clone()).or_default(), child);
                    }
                }
            }
        }
    }
    for child in node.children.values_mut() {
        collapse_node(child, depth + 1, grand_total);
    }
}

/// At a path prefix, this many distinct literal segments make the position a value when the
/// route table is full (see [`compact`]).
pub const COMPACT_SIBLINGS: usize = 32;

/// Making room in a full route table: like [`collapse`], but from the set of paths alone, not
/// their counts, so that the result depends only on which paths were seen (the first ones in
/// input order when the table filled), not on how the input was cut into chunks. Below every
/// prefix but the root, when at least [`COMPACT_SIBLINGS`] distinct literal segments follow,
/// each becomes its placeholder (`{name}`, or `{file}.ext` for file names): a site's product
/// slugs or user names share one route, and the table has room for routes that come later.
///
/// Also returns the prefixes whose segments became values (as compacted paths, `/u` or
/// `/users/{name}/files`): a path that comes later is written the same way by [`rewrite`].
pub fn compact(paths: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut root = trie(paths.iter().map(|&p| (p, 0)));
    let mut rules = Vec::new();
    compact_node(&mut root, &mut String::new(), &mut rules);
    (routes_of(&root, paths.len()), rules)
}

/// `path` written with the value positions `rules` name (from [`compact`]).
pub fn rewrite(path: &str, rules: &std::collections::BTreeSet<String>) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let mut out = String::with_capacity(path.len());
    let mut changed = false;
    let mut segs = rest.split('/').peekable();
    while let Some(seg) = segs.next() {
        let literal = !seg.starts_with('{') && !seg.is_empty();
        if literal && !out.is_empty() && rules.contains(&out) {
            out.push('/');
            out.push_str(&tail_placeholder(seg, segs.peek().is_some()));
            changed = true;
        } else {
            out.push('/');
            out.push_str(seg);
        }
    }
    changed.then_some(out)
}

fn compact_node(node: &mut Node, prefix: &mut String, rules: &mut Vec<String>) {
    if !prefix.is_empty() {
        let literal: Vec<String> = node
            .children
            .keys()
            .filter(|n| !n.starts_with('{') && !n.starts_with('\u{0}') && !n.is_empty())
            .cloned()
            .collect();
        if literal.len() >= COMPACT_SIBLINGS {
            for name in literal {
                if let Some(child) = node.children.remove(&name) {
                    let ph = tail_placeholder(&name, !child.children.is_empty());
                    absorb(node.children.entry(ph).or_default(), child);
                }
            }
            rules.push(prefix.clone());
        }
    }
    for (name, child) in node.children.iter_mut() {
        if name.starts_with('\u{0}') {
            continue;
        }
        let len = prefix.len();
        prefix.push('/');
        prefix.push_str(name);
        compact_node(child, prefix, rules);
        prefix.truncate(len);
    }
}

fn has_extension(name: &str) -> bool {
    name.rfind('.')
        .is_some_and(|dot| dot > 0 && is_extension(&name.as_bytes()[dot + 1..]))
}

/// `{file}.png` for file names with an extension (leaves), else `{name}`.
fn tail_placeholder(name: &str, has_children: bool) -> String {
    if !has_children {
        if let Some(dot) = name.rfind('.') {
            let ext = &name[dot + 1..];
            if dot > 0 && is_extension(ext.as_bytes()) {
                return format!("{{file}}.{}", ext.to_ascii_lowercase());
            }
        }
    }
    "{name}".to_string()
}

fn absorb(target: &mut Node, src: Node) {
    target.count += src.count;
    target.ends.extend(src.ends);
    for (name, child) in src.children {
        absorb(target.children.entry(name).or_default(), child);
    }
}

fn write_routes(node: &Node, prefix: &mut Vec<String>, out: &mut [String]) {
    for &i in &node.ends {
        out[i] = if prefix.len() == 1 && prefix[0].starts_with('\u{0}') {
            prefix[0][1..].to_string()
        } else {
            format!("/{}", prefix.join("/"))
        };
    }
    for (name, child) in &node.children {
        prefix.push(name.clone());
        write_routes(child, prefix, out);
        prefix.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(p: &str) -> String {
        let mut out = Vec::new();
        normalize_path(p.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shapes_become_placeholders() {
        assert_eq!(norm("/api/v1/orders/12345"), "/api/v1/orders/{id}");
        assert_eq!(norm("/api/v1/orders/67890?x=1"), "/api/v1/orders/{id}");
        assert_eq!(norm("/api/v1/orders/recent"), "/api/v1/orders/recent");
        assert_eq!(
            norm("/users/3f2504e0-4f89-11d3-9a0c-0305e82c3301/cart"),
            "/users/{uuid}/cart"
        );
        assert_eq!(
            norm("/blobs/9f86d081884c7d659a2feaa0c55ad015"),
            "/blobs/{hash}"
        );
        assert_eq!(norm("/u/alice@example.com/settings"), "/u/{email}/settings");
        assert_eq!(norm("/reports/2024-01-31"), "/reports/{date}");
        assert_eq!(norm("/invoices/123.pdf"), "/invoices/{id}.pdf");
        assert_eq!(norm("/s/aZ3kL9pQ2xW7yB1nM4vC"), "/s/{token}");
        assert_eq!(norm("/orders/ord_48213"), "/orders/{id}");
        assert_eq!(
            norm("/blog/year-in-review-2011.html"),
            "/blog/year-in-review-2011.html"
        );
        assert_eq!(norm("/sess/k3j4h5g6f7d8s9a0q1w2"), "/sess/{token}");
        assert_eq!(norm("/"), "/");
        assert_eq!(norm(""), "/");
        assert_eq!(norm("/projects/xdotool/"), "/projects/xdotool/");
        assert_eq!(norm("http://example.com/a/1?q"), "/a/{id}");
        assert_eq!(norm("/x;jsessionid=ABC"), "/x");
        // Versions and readable names with digits stay.
        assert_eq!(norm("/api/v2/items"), "/api/v2/items");
        assert_eq!(
            norm("/files/logstash/logstash-1.3.2-monolithic.jar"),
            "/files/logstash/logstash-1.3.2-monolithic.jar"
        );
        assert_eq!(norm("/images/nagios-sms1.png"), "/images/nagios-sms1.png");
        // Cache-busting content hashes in file names; the name and extension stay.
        assert_eq!(
            norm("/static/js/main.8d3f2a1b.js"),
            "/static/js/main.{hash}.js"
        );
        assert_eq!(
            norm("/static/js/2.a1b2c3d4.chunk.js"),
            "/static/js/2.{hash}.chunk.js"
        );
        assert_eq!(norm("/assets/index-BKj3k2Lm.js"), "/assets/index-{hash}.js");
        assert_eq!(
            norm("/assets/application-9f86d081884c7d659a2feaa0c55ad015.css"),
            "/assets/application-{hash}.css"
        );
        assert_eq!(norm("/dl/nightly.20241131.tar"), "/dl/nightly.{id}.tar");
        assert_eq!(norm("/js/jquery.3.6.0.min.js"), "/js/jquery.3.6.0.min.js");
        assert_eq!(norm("/img/deadbeef-cafe.png"), "/img/deadbeef-cafe.png");
        assert_eq!(norm("/doc/user-Handbook.pdf"), "/doc/user-Handbook.pdf");
        assert_eq!(norm("/doc/guide-Windows10.pdf"), "/doc/guide-Windows10.pdf");
        assert_eq!(
            norm("/presentations/logstash-scale11x/"),
            "/presentations/logstash-scale11x/"
        );
    }

    #[test]
    fn long_paths_are_cut() {
        let long = format!("/{}", "a/".repeat(40));
        let r = norm(&long);
        assert!(r.ends_with("/…"), "{r}");
        assert!(r.len() <= MAX_ROUTE_BYTES + 4);
        assert_eq!(norm("*"), "*");
    }

    #[test]
    fn many_rare_names_collapse_but_heavy_ones_stay() {
        let mut input: Vec<(String, u64)> = Vec::new();
        for i in 0..30 {
            input.push((
                format!("/users/user{}x/profile", (b'a' + i as u8) as char),
                2,
            ));
        }
        input.push(("/users/recent".to_string(), 400));
        input.push(("/users/me/profile".to_string(), 300));
        for i in 0..15 {
            input.push((
                format!("/static/img/pic-{}.png", (b'a' + i as u8) as char),
                1,
            ));
        }
        input.push(("/static/img/logo.png".to_string(), 200));
        let refs: Vec<(&str, u64)> = input.iter().map(|(p, c)| (p.as_str(), *c)).collect();
        let out = collapse(&refs);
        assert_eq!(out[0], "/users/{name}/profile");
        assert_eq!(out[29], "/users/{name}/profile");
        assert_eq!(out[30], "/users/recent");
        assert_eq!(out[31], "/users/me/profile");
        assert_eq!(out[32], "/static/img/{file}.png");
        assert_eq!(out[47], "/static/img/logo.png");
    }

    #[test]
    fn many_similar_busy_leaves_collapse() {
        let names: Vec<String> = (0..22)
            .map(|i| format!("/users/name{}", (b'a' + i) as char))
            .collect();
        let mut refs: Vec<(&str, u64)> = names
            .iter()
            .map(|p| (p.as_str(), 20 + (p.len() as u64 % 7)))
            .collect();
        refs.push(("/users/me", 2000));
        let out = collapse(&refs);
        assert!(out[..22].iter().all(|r| r == "/users/{name}"), "{out:?}");
        assert_eq!(out[22], "/users/me");
    }

    #[test]
    fn few_values_or_busy_values_do_not_collapse() {
        // An API with 12 resources, each busy: not variable.
        let names: Vec<String> = (0..12)
            .map(|i| format!("/api/v1/res{}", (b'a' + i) as char))
            .collect();
        let refs: Vec<(&str, u64)> = names.iter().map(|p| (p.as_str(), 500)).collect();
        let out = collapse(&refs);
        assert_eq!(out, names);
        // Few rare ones: not enough evidence.
        let refs = [("/users/alice", 1), ("/users/bob", 1), ("/users/carol", 2)];
        assert_eq!(
            collapse(&refs),
            vec!["/users/alice", "/users/bob", "/users/carol"]
        );
    }

    #[test]
    fn compact_merges_many_siblings_whatever_their_counts() {
        let name = |i: usize| format!("{}{}", (b'a' + (i % 26) as u8) as char, i / 26);
        let mut input: Vec<String> = Vec::new();
        for i in 0..40 {
            input.push(format!("/products/slug-{}", name(i)));
            input.push(format!("/users/{}/orders", name(i)));
            input.push(format!("/img/{}.png", name(i)));
        }
        for i in 0..26 {
            input.push(format!("/category/{}", name(i)));
        }
        input.push("/health".to_string());
        input.push("/products".to_string());
        let refs: Vec<&str> = input.iter().map(String::as_str).collect();
        let (out, rules) = compact(&refs);
        assert_eq!(rules, vec!["/img", "/products", "/users"]);
        // A later path is written the same way.
        let rules: std::collections::BTreeSet<String> = rules.into_iter().collect();
        assert_eq!(
            rewrite("/products/new-one", &rules).as_deref(),
            Some("/products/{name}")
        );
        assert_eq!(
            rewrite("/users/zed/orders", &rules).as_deref(),
            Some("/users/{name}/orders")
        );
        assert_eq!(
            rewrite("/img/new.PNG", &rules).as_deref(),
            Some("/img/{file}.png")
        );
        assert_eq!(rewrite("/category/new", &rules), None);
        assert_eq!(rewrite("/products", &rules), None);
        assert_eq!(out[0], "/products/{name}");
        assert_eq!(out[1], "/users/{name}/orders");
        assert_eq!(out[2], "/img/{file}.png");
        assert_eq!(out[119], "/img/{file}.png");
        // 26 categories are under the bar; the root's own names are never values.
        assert_eq!(out[120], "/category/a0");
        assert_eq!(out[146], "/health");
        assert_eq!(out[147], "/products");
        // The order of the input does not matter.
        let mut rev = refs.clone();
        rev.reverse();
        let (mut out_rev, _) = compact(&rev);
        out_rev.reverse();
        assert_eq!(out, out_rev);
    }

    #[test]
    fn collapse_is_order_independent() {
        let mut input: Vec<(String, u64)> = (0..20)
            .map(|i| (format!("/t/tag{}", (b'a' + i as u8) as char), 1 + i % 3))
            .collect();
        input.push(("/t/big".to_string(), 1000));
        let refs: Vec<(&str, u64)> = input.iter().map(|(p, c)| (p.as_str(), *c)).collect();
        let a = collapse(&refs);
        let mut rev = refs.clone();
        rev.reverse();
        let mut b = collapse(&rev);
        b.reverse();
        assert_eq!(a, b);
    }
}
