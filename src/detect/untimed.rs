//! Errors in logs without timestamps, where nothing can say whether they are new.
//!
//! In: a [`Summary`] and its [`Templates`]. Out: [`Finding`]s of kind `UntimedErrors`.
//!
//! A bundle often holds a log whose app prints no time beside logs that do: `kubectl logs
//! --previous` of a pod in a crash loop, a `docker logs` dump, a job's stderr. Its events
//! are counted but placed nowhere in time, so neither the new-error rule (a silence before
//! the first sighting) nor a spike can see them, and the crash that explains the other
//! services' failures would be missing from the findings. Each such log with error-or-worse
//! templates gets one finding that says what it holds and that its age is unknown: weak
//! evidence by construction (its score is halved), ranked below what the clock supports.
//!
//! It applies without a baseline (with one, a template absent from it is a new error,
//! timestamps or not) and when the input is not a single untimed log (whose line order
//! stands in for time, see `newerr`).

use super::{Finding, FindingKind};
use crate::record::Level;
use crate::summary::templates::{TemplateStats, Templates};
use crate::summary::Summary;

/// Templates named in a finding's examples, most severe and frequent first.
const MAX_TEMPLATES_SHOWN: usize = 3;

/// One finding per log without timestamps that holds error-or-worse templates, unranked.
pub fn find(sum: &Summary, templates: &Templates, baseline: bool) -> Vec<Finding> {
    if baseline || sum.untimed_log().is_some() {
        return Vec::new();
    }
    // (log, templates): every template whose events all lack a time and that has an error,
    // under the log of its first event.
    let mut by_log: Vec<(&str, Vec<&TemplateStats>)> = Vec::new();
    for t in templates.list.iter().filter(|t| untimed_error(t)) {
        let Some(first) = t.examples.iter().min_by(|a, b| a.key().cmp(&b.key())) else {
            continue;
        };
        // (An untimed event in a timed log is a stray line or a bad stamp, not this.)
        if sum.timed_sources.contains(&*first.source) {
            continue;
        }
        match by_log.iter_mut().find(|(s, _)| *s == &*first.source) {
            Some((_, v)) => v.push(t),
            None => by_log.push((&first.source, vec![t])),
        }
    }
    by_log.sort_by(|a, b| a.0.cmp(b.0));
    by_log
        .into_iter()
        .map(|(log, mut ts)| {
            ts.sort_by(|a, b| {
                b.max_level()
                    .cmp(&a.max_level())
                    .then(b.count.cmp(&a.count))
                    .then_with(|| a.id.cmp(&b.id))
            });
            finding(log, &ts)
        })
        .collect()
}

/// Links each `untimed_errors` finding with the upstream findings whose host names the
/// service its log comes from (`worker.default.svc:8080` and `pods/worker-5c6b-previous.log`,
/// a Kubernetes pod being its deployment's name and a hash): a crash loop without times is
/// likely why the calls to that service fail. A note on both; scores unchanged.
pub fn link(findings: &mut [Finding]) {
    let mut notes: Vec<(usize, String)> = Vec::new();
    for (i, u) in findings.iter().enumerate() {
        if u.kind != FindingKind::UntimedErrors {
            continue;
        }
        let detail = |k: &str| u.details.get(k).and_then(|s| s.as_str());
        let (Some(log), Some(error)) = (detail("source"), detail("error")) else {
            continue;
        };
        for (j, f) in findings.iter().enumerate() {
            let Some(host) = f.upstream.as_deref() else {
                continue;
            };
            if !super::group::is_endpoint(f.kind) || !names_the_log(host, log) {
                continue;
            }
            notes.push((
                j,
                format!(
                    "{log}, named like this host, has errors of unknown age (no timestamps): \
                     {error}"
                ),
            ));
            notes.push((
                i,
                format!(
                    "its log is named like {host}, a failing upstream: {}",
                    f.title
                ),
            ));
        }
    }
    for (i, n) in notes {
        if let Some(f) = findings.get_mut(i) {
            f.notes.push(n);
        }
    }
}

/// Whether upstream `host`'s service name (its first label: `worker` of
/// `worker.default.svc:8080`, `redis-master` of `redis-master:6379`) starts the file name
/// of `log`, followed by `-`, `_` or `.`: `worker-5c6b-previous.log`, `redis-master-0.log`.
fn names_the_log(host: &str, log: &str) -> bool {
    let service = host.split(['.', ':']).next().unwrap_or_default();
    if service.len() < 3 || !service.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    let file = log
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(log)
        .as_bytes();
    // (Bytes: a file name's non-ASCII letter must not be cut in two.)
    file.len() > service.len()
        && file[..service.len()].eq_ignore_ascii_case(service.as_bytes())
        && matches!(file[service.len()], b'-' | b'_' | b'.')
}

/// A template that could be a new error ([`super::newerr::candidate`]: warn-or-worse by
/// majority), with an error or fatal event, and no event with a time.
fn untimed_error(t: &TemplateStats) -> bool {
    super::newerr::candidate(t)
        && t.untimed == t.count
        && t.max_level().is_some_and(|l| l >= Level::Error)
}

/// The finding for one log's templates (most severe and frequent first).
fn finding(log: &str, ts: &[&TemplateStats]) -> Finding {
    let top = ts[0];
    let count: u64 = ts.iter().map(|t| t.count).sum();
    let more = match ts.len() {
        1 => String::new(),
        n => format!(" (and {} more error template(s))", n - 1),
    };
    let error = crate::report::template_title(top, 100);
    let mut f = Finding::new(
        FindingKind::UntimedErrors,
        format!("Errors in {log} (no timestamps): {error}{more}"),
    );
    f.details.insert("error".into(), error.into());
    f.template = Some(top.text.clone());
    f.template_id = Some(top.id.clone());
    f.count = count;
    f.examples = ts
        .iter()
        .take(MAX_TEMPLATES_SHOWN)
        .filter_map(|t| t.evidence(t.max_level(), None).into_iter().next())
        .collect();
    f.details.insert("source".into(), log.into());
    f.details.insert(
        "templates".into(),
        ts.iter()
            .map(|t| serde_json::json!({"id": t.id, "template": t.text, "count": t.count}))
            .collect::<Vec<_>>()
            .into(),
    );
    f.rescore(top.max_level());
    f.discount(0.5);
    f.notes.push(
        "no timestamps: cannot say whether these errors are new or when they happened; \
         the log is not compared in time with the others"
            .into(),
    );
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::newerr::tests::tmpl;
    use crate::input::SourceStats;
    use crate::summary::Example;

    fn untimed(id: &str, level: Level, count: u64, log: &str) -> TemplateStats {
        let mut t = tmpl(id, level, &[]);
        t.count = count;
        t.levels = [0; 7];
        t.levels[level.index()] = count;
        t.untimed = count;
        t.examples = vec![Example::named(log, 3, None, id.as_bytes())];
        t
    }

    fn source(name: &str) -> SourceStats {
        SourceStats {
            name: name.into(),
            format: crate::record::Format::Plain,
            bytes: 1_000,
            lines: 100,
        }
    }

    #[test]
    fn a_log_named_like_a_failing_upstream_is_linked() {
        assert!(names_the_log(
            "worker.default.svc:8080",
            "b.tgz:pods/worker-5c6b-previous.log"
        ));
        assert!(names_the_log(
            "redis-master:6379",
            "logs/redis-master-0.log"
        ));
        assert!(names_the_log("Worker:80", "worker.log"));
        assert!(!names_the_log(
            "worker.default.svc:8080",
            "pods/workers-5c6b.log"
        ));
        assert!(!names_the_log(
            "worker.default.svc:8080",
            "pods/gateway-worker.log"
        ));
        assert!(!names_the_log("10.0.4.12:8080", "10.0.4.12-dump.log"));
        assert!(!names_the_log("db:5432", "db-0.log"));
        assert!(!names_the_log("abcdef:80", "abcdeé-1.log"));
        let mut u = Finding::new(FindingKind::UntimedErrors, "Errors in w (no timestamps): x");
        u.details
            .insert("source".into(), "pods/worker-5c6b-previous.log".into());
        u.details.insert("error".into(), "x".into());
        let mut up = Finding::new(
            FindingKind::UpstreamTimeout,
            "worker.default.svc:8080: 9 refused",
        );
        up.upstream = Some("worker.default.svc:8080".into());
        let mut other = up.clone();
        other.upstream = Some("billing.default.svc:8080".into());
        let mut fs = vec![up, other, u];
        link(&mut fs);
        assert_eq!(
            fs[0].notes,
            ["pods/worker-5c6b-previous.log, named like this host, has errors of unknown age (no timestamps): x"]
        );
        assert!(fs[1].notes.is_empty());
        assert_eq!(
            fs[2].notes,
            ["its log is named like worker.default.svc:8080, a failing upstream: worker.default.svc:8080: 9 refused"]
        );
    }

    #[test]
    fn one_finding_per_untimed_log_with_errors() {
        let mut sum = Summary::default();
        sum.input.sources = vec![source("gw.log"), source("worker.log")];
        sum.time_min = Some(0);
        sum.time_max = Some(3_600_000);
        sum.timed_sources.insert("gw.log".into());
        let mut timed = tmpl("timed", Level::Error, &[1_000, 2_000]);
        timed.examples = vec![Example::named("gw.log", 1, Some(1_000), b"x")];
        let ts = Templates {
            list: vec![
                timed,
                untimed("crash", Level::Error, 5, "worker.log"),
                untimed("panic", Level::Fatal, 1, "worker.log"),
                untimed("slow", Level::Warn, 40, "worker.log"),
                untimed("other", Level::Error, 2, "jobs.log"),
            ],
            by_sig: Vec::new(),
        };
        let f = find(&sum, &ts, false);
        assert_eq!(f.len(), 2);
        assert!(f[0]
            .title
            .starts_with("Errors in jobs.log (no timestamps): "));
        let w = &f[1];
        assert_eq!(w.kind, FindingKind::UntimedErrors);
        // The fatal one first; the warnings are no error.
        assert_eq!(w.template_id.as_deref(), Some("panic"));
        assert!(
            w.title.ends_with("(and 1 more error template(s))"),
            "{}",
            w.title
        );
        assert_eq!(w.count, 6);
        assert_eq!(w.examples.len(), 2);
        assert!(w.notes[0].starts_with("no timestamps: cannot say"));
        let full = crate::detect::score(6, None, false, Some(Level::Fatal));
        assert!((w.score - full / 2.0).abs() < 1e-9);
        // An untimed event in a timed log is a stray line, no log without timestamps.
        sum.timed_sources.insert("jobs.log".into());
        assert_eq!(find(&sum, &ts, false).len(), 1);
        // With a baseline, absence from it decides; one untimed log goes by line order.
        assert!(find(&sum, &ts, true).is_empty());
        sum.time_min = None;
        sum.input.sources.pop();
        assert!(find(&sum, &ts, false).is_empty());
    }
}
