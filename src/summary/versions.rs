//! Values of version-like fields (`version`, `service.version`, `appVersion`, `release`,
//! `commit`, `revision`) per source, each with the event it was first seen in: a value that
//! first appears after another one is a deploy, the lead for an error that starts right
//! after it (a service restarting in a crash loop logs its start line again and again, so
//! that line is no one-off; the new version is).
//!
//! Deterministic for any chunking: every value's first event is the earliest by
//! [`example_order`](super::example_order), and a key with more than [`MAX_VALUES`] distinct
//! values in a source (a per-object "version", not a build) is dropped as soon as any part
//! of the input shows that many, which the union of the parts then shows too.

use serde::{Deserialize, Serialize};

use super::Example;

/// Distinct values a key may have in one source and still be read as versions.
pub const MAX_VALUES: usize = 16;

/// (Source, key) pairs followed (a directory of many logs: each has its own), the first
/// met in input order: with [`MAX_VALUES`] examples each, a few MB at most.
const MAX_KEYS: usize = 1024;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    pub keys: Vec<VersionKey>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionKey {
    pub source: String,
    pub key: String,
    /// More than [`MAX_VALUES`] values: not a version; `values` is emptied.
    pub saturated: bool,
    pub values: Vec<VersionValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionValue {
    pub value: String,
    /// The event it was first seen in (timed events only).
    pub first: Example,
}

/// Whether a field's key names a version of the running code: its last part, after `.`,
/// `_` or `-`, or its end in camelCase, is `version`, `release`, `revision` or `commit`.
pub fn is_version_key(key: &[u8]) -> bool {
    const ENDS: [&[u8]; 4] = [b"version", b"release", b"revision", b"commit"];
    if key.len() > 40 {
        return false;
    }
    ENDS.iter().any(|end| {
        key.len() >= end.len() && {
            let at = key.len() - end.len();
            let tail = &key[at..];
            let whole = tail.eq_ignore_ascii_case(end);
            // `version`, `service.version`, `app_version`: the whole last part; `appVersion`:
            // a capital starting it.
            whole
                && (at == 0
                    || matches!(key[at - 1], b'.' | b'_' | b'-')
                    || (tail[0].is_ascii_uppercase() && key[at - 1].is_ascii_lowercase()))
        }
    })
}

/// Whether a value can be a version, build or commit: short, one word, not a flag or an
/// empty placeholder (`auto_commit=true` then `false` is no deploy).
fn is_version_value(v: &[u8]) -> bool {
    const NOT: [&[u8]; 9] = [
        b"true", b"false", b"yes", b"no", b"on", b"off", b"null", b"none", b"unknown",
    ];
    (1..=64).contains(&v.len())
        && v.iter().any(u8::is_ascii_alphanumeric)
        && !v
            .iter()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        && !NOT.iter().any(|n| v.eq_ignore_ascii_case(n))
}

impl Versions {
    /// Counts one timed event's version-like fields. `example` builds the event's example
    /// (only called when it is kept).
    pub fn observe<'e>(
        &mut self,
        source: &std::sync::Arc<str>,
        time: i64,
        line: u64,
        fields: &[crate::record::Field<'e>],
        example: impl Fn() -> Example,
    ) {
        for (k, v) in fields {
            if !is_version_key(k) || !is_version_value(v) {
                continue;
            }
            let (Ok(key), Ok(value)) = (std::str::from_utf8(k), std::str::from_utf8(v)) else {
                continue;
            };
            if let Some(e) = self.entry(source, key) {
                e.offer(value, (Some(time), source, line), &example);
            }
        }
    }

    fn entry(&mut self, source: &str, key: &str) -> Option<&mut VersionKey> {
        let i = match self
            .keys
            .iter()
            .position(|e| e.key == key && e.source == source)
        {
            Some(i) => i,
            None if self.keys.len() < MAX_KEYS => {
                self.keys.push(VersionKey {
                    source: source.to_string(),
                    key: key.to_string(),
                    saturated: false,
                    values: Vec::new(),
                });
                self.keys.len() - 1
            }
            None => return None,
        };
        self.keys.get_mut(i)
    }

    /// Adds another part of the input's versions: each value's earliest first event.
    pub fn merge(&mut self, other: Versions) {
        for o in other.keys {
            let Some(e) = self.entry(&o.source, &o.key) else {
                continue;
            };
            if o.saturated {
                e.saturated = true;
                e.values.clear();
                continue;
            }
            for v in o.values {
                let at = v.first.key();
                e.offer(&v.value, at, || v.first.clone());
            }
        }
    }

    /// The version changes: every value of a key first seen after another value of it in
    /// the same source (or, with `known`, a baseline's versions, after none the baseline
    /// had), with the value it followed; in no particular order.
    pub fn changes<'a>(
        &'a self,
        known: Option<&'a Versions>,
    ) -> impl Iterator<Item = VersionChange<'a>> + 'a {
        self.keys
            .iter()
            .filter(|e| !e.saturated)
            .flat_map(move |e| {
                let before = known.and_then(|k| {
                    k.keys
                        .iter()
                        .find(|b| b.key == e.key && b.source == e.source && !b.saturated)
                });
                e.values.iter().filter_map(move |v| {
                    let earlier = |x: &&VersionValue| {
                        super::example_order(x.first.key(), v.first.key())
                            == std::cmp::Ordering::Less
                    };
                    let previous = match before {
                        Some(b) if b.values.iter().any(|x| x.value == v.value) => return None,
                        Some(b) => b
                            .values
                            .iter()
                            .max_by(|x, y| super::example_order(x.first.key(), y.first.key())),
                        None => e
                            .values
                            .iter()
                            .filter(earlier)
                            .max_by(|x, y| super::example_order(x.first.key(), y.first.key())),
                    }?;
                    Some(VersionChange {
                        key: &e.key,
                        value: &v.value,
                        previous: &previous.value,
                        first: &v.first,
                    })
                })
            })
    }
}

impl VersionKey {
    /// `value` seen at `at` ([`example_order`](super::example_order)'s key) in the event
    /// `first` makes: kept as its first event when it is the earliest; a value past
    /// [`MAX_VALUES`] saturates the key.
    fn offer(
        &mut self,
        value: &str,
        at: (Option<i64>, &str, u64),
        first: impl FnOnce() -> Example,
    ) {
        if self.saturated {
            return;
        }
        let n = self.values.len();
        match self.values.iter_mut().find(|x| x.value == value) {
            Some(x) => {
                if super::example_order(at, x.first.key()) == std::cmp::Ordering::Less {
                    x.first = first();
                }
            }
            None if n < MAX_VALUES => self.values.push(VersionValue {
                value: value.to_string(),
                first: first(),
            }),
            None => {
                self.saturated = true;
                self.values.clear();
            }
        }
    }
}

/// A value of a version key first seen after another one: `key=value (was previous)`.
#[derive(Debug, PartialEq)]
pub struct VersionChange<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub previous: &'a str,
    pub first: &'a Example,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn version_keys() {
        for k in [
            "version",
            "Version",
            "service.version",
            "app_version",
            "appVersion",
            "dd.version",
            "release",
            "git-commit",
            "revision",
        ] {
            assert!(is_version_key(k.as_bytes()), "{k}");
        }
        for k in [
            "versions",
            "subversion",
            "prerelease",
            "commits",
            "msg",
            "conversion",
        ] {
            assert!(!is_version_key(k.as_bytes()), "{k}");
        }
        for v in ["1.9.0", "ef34aa", "2026.11.30-3", "42"] {
            assert!(is_version_value(v.as_bytes()), "{v}");
        }
        for v in ["true", "False", "", "-", "1.9 beta", "null"] {
            assert!(!is_version_value(v.as_bytes()), "{v}");
        }
    }

    fn observe(v: &mut Versions, src: &str, t: i64, line: u64, pairs: &[(&str, &str)]) {
        let source: std::sync::Arc<str> = std::sync::Arc::from(src);
        let fields: Vec<crate::record::Field<'_>> = pairs
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_bytes()), Cow::Borrowed(v.as_bytes())))
            .collect();
        v.observe(&source, t, line, &fields, || {
            Example::new(&source, line, Some(t), format!("line {line}").as_bytes())
        });
    }

    /// Any split of the events into parts, merged in any order, gives the same versions, and
    /// the change is the new value after the old one, in its own source only.
    #[test]
    fn changes_are_the_same_however_the_input_is_split() {
        let events: Vec<(&str, i64, u64, &str)> = (0..40)
            .map(|i| {
                let v = if i < 25 { "1.8.2" } else { "1.9.0" };
                (
                    if i % 3 == 0 { "b.log" } else { "a.log" },
                    1_000 * i,
                    i as u64,
                    v,
                )
            })
            .collect();
        let whole = {
            let mut v = Versions::default();
            for &(s, t, l, x) in &events {
                observe(&mut v, s, t, l, &[("version", x), ("msg", "hi")]);
            }
            v
        };
        for cut in [1, 7, 20, 26, 39] {
            let (mut a, mut b) = (Versions::default(), Versions::default());
            for &(s, t, l, x) in &events[..cut] {
                observe(&mut a, s, t, l, &[("version", x)]);
            }
            for &(s, t, l, x) in &events[cut..] {
                observe(&mut b, s, t, l, &[("version", x)]);
            }
            let mut ab = a.clone();
            ab.merge(b.clone());
            let mut ba = b;
            ba.merge(a);
            for m in [ab, ba] {
                let mut got: Vec<_> = m.changes(None).map(|c| (c.first.line, c.value)).collect();
                got.sort();
                let mut want: Vec<_> = whole
                    .changes(None)
                    .map(|c| (c.first.line, c.value))
                    .collect();
                want.sort();
                assert_eq!(got, want, "cut {cut}");
            }
        }
        let mut c: Vec<_> = whole
            .changes(None)
            .map(|c| {
                (
                    c.first.source.to_string(),
                    c.first.line,
                    c.value,
                    c.previous,
                )
            })
            .collect();
        c.sort();
        assert_eq!(
            c,
            [
                ("a.log".to_string(), 25, "1.9.0", "1.8.2"),
                ("b.log".to_string(), 27, "1.9.0", "1.8.2")
            ]
        );
        // Against a baseline that had 1.9.0 already, nothing changed; against one with
        // 1.7.0 in a.log, a.log's 1.8.2 is new too (b.log, not in it, is read as before).
        assert_eq!(whole.changes(Some(&whole)).count(), 0);
        let mut old = Versions::default();
        observe(&mut old, "a.log", 0, 1, &[("version", "1.7.0")]);
        let mut vs: Vec<_> = whole
            .changes(Some(&old))
            .map(|c| (c.first.source.to_string(), c.value, c.previous))
            .collect();
        vs.sort();
        assert_eq!(
            vs,
            [
                ("a.log".to_string(), "1.8.2", "1.7.0"),
                ("a.log".to_string(), "1.9.0", "1.7.0"),
                ("b.log".to_string(), "1.9.0", "1.8.2")
            ]
        );
    }

    /// A key with many values is no version, however the values were split.
    #[test]
    fn a_key_with_many_values_is_dropped() {
        let mut parts = [Versions::default(), Versions::default()];
        for i in 0..=MAX_VALUES {
            observe(
                &mut parts[i % 2],
                "a.log",
                i as i64,
                i as u64,
                &[("version", &i.to_string())],
            );
        }
        assert!(parts.iter().all(|p| !p.keys[0].saturated));
        let [mut a, b] = parts;
        a.merge(b);
        assert!(a.keys[0].saturated && a.keys[0].values.is_empty());
        assert_eq!(a.changes(None).count(), 0);
    }
}
