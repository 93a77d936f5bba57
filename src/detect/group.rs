//! Grouping findings that describe one incident.
//!
//! One outage shows up several ways: an upstream's timeouts, the new error template the app
//! logs for them, and the same error logged again by a second service. Listing each as its
//! own headline pushes other incidents out of the top of the report. Findings are grouped
//! when they start together and name the same thing:
//!
//! - the same template id; or
//! - onsets within [`SAME_ONSET_MS`] of each other, when one is about an upstream or a route
//!   and the other is a new error or a spike (cause and symptom in the same minute); or
//! - onsets within [`SHARED_ENTITY_MS`], when one names an upstream host or route that the
//!   other's template, title or evidence mentions; or
//! - onsets within [`SAME_ONSET_MS`], when the words of one template are nearly all in the
//!   other (the same error logged by two services, one with more detail); or
//! - two template findings that start and end in the same minute with nearly the same
//!   count (one event logged several ways: an OOM kill, the exit, the restart).
//!
//! The highest-scoring finding of a group stays in the list; the others move into its
//! `details.related` (the best-ranked [`MAX_RELATED`]; how many more there were is
//! `details.related_omitted`) and are named in a note. One exception: an
//! upstream's finding leads instead of the app's template for the same calls, one whose text
//! or events name the host (see `promote_upstream`). The overall error-rate spike is an aggregate: when specific findings
//! start inside its window it is explained by them, and its score is halved so that the
//! specific causes rank above it.

use super::{rank, Finding, FindingKind, Severity};
use crate::endpoints::upstream::{classify, normalize_upstream, scan_message, Outcome};

/// Onsets this close count as the same moment.
pub const SAME_ONSET_MS: i64 = 60_000;
/// Onsets this close may be the same incident when the findings share an entity.
pub const SHARED_ENTITY_MS: i64 = 10 * 60_000;
/// Most related findings listed in a head's `details.related`, best-ranked first; the rest
/// are only counted (`details.related_omitted`). A log of thousands of distinct one-off lines
/// in one minute is thousands of findings of one incident: listed in full, each with its
/// examples, they made a 60 MB report.
pub const MAX_RELATED: usize = 10;

pub fn is_endpoint(k: FindingKind) -> bool {
    matches!(
        k,
        FindingKind::FailingRoute
            | FindingKind::LatencyRegression
            | FindingKind::UpstreamTimeout
            | FindingKind::RateLimited
            | FindingKind::UpstreamFailure
    )
}

fn is_template(k: FindingKind) -> bool {
    matches!(k, FindingKind::NewError | FindingKind::Spike)
}

fn onset_gap(a: &Finding, b: &Finding) -> Option<i64> {
    Some((a.start? - b.start?).abs())
}

/// Whether `text` (lowercased by the caller) mentions the entity `name`.
fn mentions(f: &Finding, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    // A route is named by its path; the method alone would match anything.
    let key = name.split_once(' ').map_or(name.as_str(), |(_, p)| p);
    if key.len() < 4 {
        return false;
    }
    let hit = |s: &str| s.to_ascii_lowercase().contains(key);
    f.template.as_deref().is_some_and(hit)
        || hit(&f.title)
        || f.examples.iter().any(|e| hit(&e.text))
}

/// The literal words (3+ letters, no placeholders) of a finding's template.
fn words(f: &Finding) -> Vec<String> {
    let mut w: Vec<String> = f
        .template
        .as_deref()
        .unwrap_or("")
        .split(|c: char| !c.is_alphanumeric() && c != '<' && c != '>')
        .filter(|w| w.len() >= 3 && !w.starts_with('<'))
        .map(str::to_ascii_lowercase)
        .collect();
    w.sort();
    w.dedup();
    w
}

/// Whether at least 80% of the shorter template's words (at least three) are in the other.
fn same_words(a: &Finding, b: &Finding) -> bool {
    let (wa, wb) = (words(a), words(b));
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if short.len() < 3 {
        return false;
    }
    let shared = short
        .iter()
        .filter(|w| long.binary_search(w).is_ok())
        .count();
    shared * 5 >= short.len() * 4
}

/// Two template findings that start in the same minute, end in the same minute (or both go
/// on) and count nearly the same events (within 1.5×): one event logged several ways, as
/// the kernel's OOM kill, the service's exit and its restart are, five times over.
fn move_together(a: &Finding, b: &Finding) -> bool {
    if !(is_template(a.kind) && is_template(b.kind)) {
        return false;
    }
    let ends = match (a.end, b.end) {
        (Some(x), Some(y)) => (x - y).abs() <= SAME_ONSET_MS,
        (None, None) => true,
        _ => false,
    };
    let (lo, hi) = (a.count.min(b.count), a.count.max(b.count));
    ends && lo > 0 && hi as f64 <= 1.5 * lo as f64
}

fn entity(f: &Finding) -> Option<&str> {
    f.upstream.as_deref().or(f.route.as_deref())
}

/// Whether `a` and `b` report the same incident (see the module doc).
pub fn related(a: &Finding, b: &Finding) -> bool {
    if a.kind == FindingKind::ErrorRateSpike || b.kind == FindingKind::ErrorRateSpike {
        return false;
    }
    if a.template_id.is_some() && a.template_id == b.template_id {
        return true;
    }
    let Some(gap) = onset_gap(a, b) else {
        return false;
    };
    if gap <= SAME_ONSET_MS && same_words(a, b) {
        return true;
    }
    let cross = (is_endpoint(a.kind) && is_template(b.kind))
        || (is_template(a.kind) && is_endpoint(b.kind));
    if cross && gap <= SAME_ONSET_MS {
        return true;
    }
    if gap <= SAME_ONSET_MS && move_together(a, b) {
        return true;
    }
    if gap <= SHARED_ENTITY_MS && same_culprit(a, b) {
        return true;
    }
    if gap <= SHARED_ENTITY_MS {
        if let Some(e) = entity(a) {
            if mentions(b, e) {
                return true;
            }
        }
        if let Some(e) = entity(b) {
            if mentions(a, e) {
                return true;
            }
        }
    }
    false
}

/// Two failing routes whose failing requests nearly all went to the same backend (HAProxy's
/// `be_api/api-3`, an Nginx `upstream_addr`, a load balancer's target) that their working
/// requests mostly did not: one bad server behind the proxy, not N route incidents.
fn same_culprit(a: &Finding, b: &Finding) -> bool {
    matches!((culprit(a), culprit(b)), (Some(x), Some(y)) if x == y)
}

/// The backend a failing route's failures single out: `(field, value)` of its contrast
/// (`upstream`/`target`) in at least 80% of the failing requests and at least twice the
/// share of the working ones.
fn culprit(f: &Finding) -> Option<(String, String)> {
    const FIELDS: [&str; 2] = ["upstream", "target"];
    if f.kind != FindingKind::FailingRoute {
        return None;
    }
    f.details
        .get("over_represented")?
        .as_array()?
        .iter()
        .find(|c| {
            let share = |k: &str| c.get(k).and_then(|v| v.as_f64()).unwrap_or(0.0);
            c.get("field")
                .and_then(|v| v.as_str())
                .is_some_and(|k| FIELDS.contains(&k))
                && share("failing_share") >= 0.8
                && share("failing_share") >= 2.0 * share("working_share")
        })
        .and_then(|c| {
            Some((
                c.get("field")?.as_str()?.to_string(),
                c.get("value")?.as_str()?.to_string(),
            ))
        })
}

/// A group of failing routes that one backend server explains leads with that server's
/// name: `be_api/api-3: 4 failing routes, e.g. GET /search: 34.9% of requests failing…`.
fn name_culprit(h: &mut Finding, m: &[Finding]) {
    let Some(c) = culprit(h) else {
        return;
    };
    let others = m.iter().filter(|r| culprit(r).as_ref() == Some(&c)).count();
    if others > 0 {
        h.title = format!("{}: {} failing routes, e.g. {}", c.1, others + 1, h.title);
    }
}

/// Groups related findings (see the module doc) and re-ranks. `findings` must be ranked.
///
/// Groups are the connected parts of the "related" relation over all pairs, so the outcome
/// does not depend on which finding was looked at first: a refused-connection upstream and a
/// failing route that are each related to the app's new error are one incident, though the
/// two name nothing in common.
pub fn group(findings: Vec<Finding>) -> Vec<Finding> {
    let n = findings.len();
    // Union-find; the root of a group is its best-ranked finding (smallest index).
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for j in 1..n {
        for i in 0..j {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b && related(&findings[i], &findings[j]) {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut heads: Vec<Finding> = Vec::new();
    let mut members: Vec<Vec<Finding>> = Vec::new();
    let mut slot_of: Vec<usize> = vec![usize::MAX; n];
    for (i, f) in findings.into_iter().enumerate() {
        let r = root(&mut parent, i);
        if r == i {
            slot_of[i] = heads.len();
            heads.push(f);
            members.push(Vec::new());
        } else {
            // The root has a smaller index: already placed.
            members[slot_of[r]].push(f);
        }
    }
    for (h, mut m) in heads.iter_mut().zip(members) {
        if m.is_empty() {
            continue;
        }
        promote_upstream(h, &mut m);
        name_culprit(h, &m);
        for r in m.iter().take(3) {
            let same_series = r.kind == h.kind
                && r.template_id == h.template_id
                && r.route == h.route
                && r.upstream == h.upstream;
            // The head's own title again would read as a duplicate: say which other stretch.
            let what = match r.start {
                Some(s) if same_series => format!(
                    "another burst since {}, {} events",
                    crate::report::rfc3339(s),
                    r.count
                ),
                _ => r.title.clone(),
            };
            h.notes
                .push(format!("same incident: {what} ({})", r.severity.as_str()));
        }
        if m.len() > 3 {
            h.notes.push(format!(
                "same incident: {} more related finding(s)",
                m.len() - 3
            ));
        }
        let severity = m.iter().map(|r| r.severity).fold(h.severity, Severity::max);
        h.severity = severity;
        let related: Vec<serde_json::Value> = m
            .iter()
            .take(MAX_RELATED)
            .map(|r| serde_json::to_value(r).unwrap_or(serde_json::Value::Null))
            .collect();
        h.details.insert("related".into(), related.into());
        if m.len() > MAX_RELATED {
            h.details
                .insert("related_omitted".into(), (m.len() - MAX_RELATED).into());
        }
    }
    explain_error_rate(&mut heads);
    rank(&mut heads);
    heads
}

/// Upstream trouble reported by the app's own error template: the upstream's finding leads
/// the group when it is as severe as the template's and the template's events are calls to
/// that host (see [`reports_calls_to`]). It names the failing dependency and counts its calls
/// across every log (once per call, not once per log), where the template is one log's
/// wording of the same calls. The group keeps the best score of the two, so the incident's
/// rank does not change.
fn promote_upstream(h: &mut Finding, m: &mut Vec<Finding>) {
    if !is_template(h.kind) {
        return;
    }
    let template = h.template.as_deref().unwrap_or("").to_ascii_lowercase();
    // The head's examples, read as outbound calls only when a candidate needs them.
    let mut calls: Option<Vec<Option<Call>>> = None;
    let mut best = None;
    for (i, r) in m.iter().enumerate() {
        let Some(host) = r.upstream.as_deref().filter(|_| {
            matches!(
                r.kind,
                FindingKind::UpstreamTimeout
                    | FindingKind::RateLimited
                    | FindingKind::UpstreamFailure
            ) && r.severity >= h.severity
        }) else {
            continue;
        };
        let host = host.to_ascii_lowercase();
        if names_host(&template, &host) {
            best = Some(i);
            break;
        }
        let calls =
            calls.get_or_insert_with(|| h.examples.iter().map(|e| call_of(&e.text)).collect());
        if reports_calls_to(h, r, &host, calls) {
            best = Some(i);
            break;
        }
    }
    if let Some(i) = best {
        let score = h.score;
        let mut up = m.remove(i);
        up.score = up.score.max(score);
        m.insert(0, std::mem::replace(h, up));
    }
}

/// Whether `text` (lowercase) names `host` (lowercase) as a whole host name: not as part of
/// a longer one (`api.x.example` is not named by `api.x.example.internal` or
/// `eu-api.x.example`). A port after it (`:8443`) or a full stop ending a sentence is fine.
fn names_host(text: &str, host: &str) -> bool {
    if host.is_empty() {
        return false;
    }
    let part = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_');
    let t = text.as_bytes();
    text.match_indices(host).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| t[i]);
        let after = t.get(at + host.len()).copied();
        let after2 = t.get(at + host.len() + 1).copied();
        // Inside a longer name: a name character or dot before it, a name character after
        // it, or a dot that goes on with one.
        let longer = before.is_some_and(|b| part(b) || b == b'.')
            || after.is_some_and(part)
            || (after == Some(b'.') && after2.is_some_and(part));
        !longer
    })
}

/// An outbound call as one event tells it: the host (lowercase) and what happened, when
/// the event says.
type Call = (String, Option<Outcome>);

/// Reads an example event (its raw text) as the endpoint table does: the host of a
/// structured upstream field (`"upstream":"payments.example"`, `upstream_url=…`), with the
/// outcome its status or message gives; else a host the message names next to trouble
/// words (`Call to payments.example timed out`). None when it names no host.
fn call_of(text: &str) -> Option<Call> {
    let raw = text.as_bytes();
    let format = crate::record::detect_format(raw);
    let cfg = crate::record::ParseConfig::default();
    let mut call = None;
    crate::record::parse_chunk(raw, 1, format, None, &cfg, &mut |ev| {
        if call.is_some() {
            return;
        }
        let structured = ev.http.upstream.as_deref().and_then(normalize_upstream);
        call = match structured {
            Some(host) => {
                let outcome = match ev.http.status {
                    Some(429) => Some(Outcome::RateLimited),
                    Some(504 | 408) => Some(Outcome::Timeout),
                    Some(500..=599) => Some(Outcome::ServerError),
                    Some(400..=499) => Some(Outcome::ClientError),
                    Some(_) => Some(Outcome::Ok),
                    None => classify(&ev.message).map(|(o, _, _)| o),
                };
                Some((host, outcome))
            }
            None => scan_message(&ev.message, ev.http.path.is_some())
                .map(|m| (m.host.to_ascii_lowercase(), Some(m.outcome))),
        };
    });
    call
}

/// Whether an example's outcome is the trouble an upstream finding of `kind` counts.
fn is_trouble_of(kind: FindingKind, o: Outcome) -> bool {
    match kind {
        FindingKind::UpstreamTimeout => matches!(o, Outcome::Timeout | Outcome::Refused),
        FindingKind::RateLimited => o == Outcome::RateLimited,
        FindingKind::UpstreamFailure => o == Outcome::ServerError,
        _ => false,
    }
}

/// Whether the template finding `h` reports the calls that upstream finding `up` (about
/// `host`) counts, where its template does not name the host (JSON logs keep it in a field:
/// `{"msg":"upstream call timed out","upstream":"payments.example"}`):
///
/// - most of `h`'s examples (`calls`, read with [`call_of`]) are calls to exactly that host
///   with the trouble `up` counts (a timeout for a timeout finding...); an error about
///   something else logged in the same minute names no host, or not with that trouble;
/// - the two windows overlap;
/// - `up` counts at least half as many events as `h`: the upstream's trouble accounts for
///   the template's events, not for a few of them.
fn reports_calls_to(h: &Finding, up: &Finding, host: &str, calls: &[Option<Call>]) -> bool {
    let (Some(hs), Some(us)) = (h.start, up.start) else {
        return false;
    };
    let overlap = hs < up.end.unwrap_or(i64::MAX) && us < h.end.unwrap_or(i64::MAX);
    if !overlap || up.count.saturating_mul(2) < h.count {
        return false;
    }
    let named = calls
        .iter()
        .flatten()
        .filter(|(c, o)| c == host && o.is_some_and(|o| is_trouble_of(up.kind, o)))
        .count();
    named * 2 > calls.len()
}

/// Halves the score of an error-rate spike when specific findings start inside its window,
/// or up to [`SHARED_ENTITY_MS`] before it: a cause can show before the aggregate's onset
/// (an upstream's first timeouts come minutes before enough errors pile up to move the
/// overall rate) and then runs on inside it.
fn explain_error_rate(findings: &mut [Finding]) {
    let windows: Vec<(usize, i64, i64)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FindingKind::ErrorRateSpike)
        .filter_map(|(i, f)| Some((i, f.start?, f.end.unwrap_or(i64::MAX))))
        .collect();
    for (i, start, end) in windows {
        let explained: Vec<String> = findings
            .iter()
            .filter(|f| f.kind != FindingKind::ErrorRateSpike)
            .filter(|f| {
                f.start.is_some_and(|s| {
                    s >= start - SHARED_ENTITY_MS && s <= end && f.end.is_none_or(|e| e > start)
                })
            })
            .map(|f| f.title.clone())
            .take(3)
            .collect();
        if explained.is_empty() {
            continue;
        }
        let f = &mut findings[i];
        f.score /= 2.0;
        f.severity = Severity::from_score(f.score);
        f.notes.push(format!(
            "explained by {} specific finding(s) in its window, e.g. {}",
            explained.len(),
            explained[0]
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Example;

    fn finding(kind: FindingKind, title: &str, start: i64, score: f64) -> Finding {
        let mut f = Finding::new(kind, title);
        f.start = Some(start);
        f.score = score;
        f.severity = Severity::from_score(score);
        f
    }

    #[test]
    fn routes_failing_on_one_backend_server_are_one_incident() {
        let route = |path: &str, start: i64, value: &str, failing: f64, working: f64| {
            let mut f = finding(
                FindingKind::FailingRoute,
                &format!("GET {path}: 33% of requests failing"),
                start,
                20.0,
            );
            f.route = Some(format!("GET {path}"));
            f.details.insert(
                "over_represented".into(),
                serde_json::json!([{"field": "upstream", "value": value,
                    "failing_share": failing, "working_share": working}]),
            );
            f
        };
        let grouped = group(vec![
            route("/search", 0, "be_api/api-3", 1.0, 0.2),
            route("/orders", 3 * 60_000, "be_api/api-3", 0.97, 0.25),
            route("/cart", 90_000, "be_api/api-3", 1.0, 0.2),
        ]);
        assert_eq!(grouped.len(), 1, "{grouped:#?}");
        assert!(
            grouped[0]
                .title
                .starts_with("be_api/api-3: 3 failing routes, e.g. GET /search"),
            "{}",
            grouped[0].title
        );
        // Another server, or a backend the failures do not single out, is another story.
        assert_eq!(
            group(vec![
                route("/search", 0, "be_api/api-3", 1.0, 0.2),
                route("/orders", 3 * 60_000, "be_api/api-1", 1.0, 0.2),
            ])
            .len(),
            2
        );
        assert_eq!(
            group(vec![
                route("/search", 0, "be_api/api-3", 1.0, 0.2),
                route("/orders", 3 * 60_000, "be_api/api-3", 0.6, 0.4),
            ])
            .len(),
            2
        );
    }

    #[test]
    fn cause_and_symptom_in_the_same_minute_are_one_incident() {
        let mut up = finding(
            FindingKind::UpstreamTimeout,
            "payments: 86 timeouts",
            1_000_000,
            30.0,
        );
        up.upstream = Some("payments.example".into());
        let mut new = finding(
            FindingKind::NewError,
            "New error: call failed",
            1_020_000,
            20.0,
        );
        new.template_id = Some("aaa".into());
        let mut named = finding(
            FindingKind::NewError,
            "New error: provider payments.example timed out",
            1_200_000,
            19.0,
        );
        named.template_id = Some("bbb".into());
        let other = finding(FindingKind::Spike, "Spike: db timeouts", 5_000_000, 18.0);
        let out = group(vec![up, new, named, other]);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].kind, FindingKind::UpstreamTimeout);
        assert_eq!(out[0].details["related"].as_array().map(Vec::len), Some(2));
        assert!(out[0].notes.iter().any(|n| n.contains("call failed")));
        assert_eq!(out[1].title, "Spike: db timeouts");
    }

    #[test]
    fn an_upstream_leads_the_app_template_that_names_it() {
        let spike = |title: &str, template: &str, score: f64| {
            let mut f = finding(FindingKind::Spike, title, 1_000_000, score);
            f.template = Some(template.into());
            f.template_id = Some(format!("{score}"));
            f
        };
        let up = |severity_score: f64| {
            let mut f = finding(
                FindingKind::UpstreamTimeout,
                "payments.example: 55 timeouts",
                1_010_000,
                severity_score,
            );
            f.upstream = Some("payments.example".into());
            f
        };
        let named = "Call failed: upstream payments.example timed out after <DURATION>";
        // As severe, and named by the template: the upstream leads, with the group's score.
        let out = group(vec![spike("Spike: call failed", named, 35.0), up(31.0)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, FindingKind::UpstreamTimeout, "{out:#?}");
        assert_eq!(out[0].score, 35.0);
        assert!(
            out[0].notes[0].contains("Spike: call failed"),
            "{:?}",
            out[0].notes
        );
        // Less severe: the template stays the lead.
        let out = group(vec![spike("Spike: call failed", named, 35.0), up(6.0)]);
        assert_eq!(out[0].kind, FindingKind::Spike);
        // A template that does not name the host: grouped, but it leads.
        let other = "NullPointerException in OrderMapper.toDto";
        let out = group(vec![spike("New error: NPE", other, 35.0), up(31.0)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, FindingKind::Spike);
    }

    /// A spike of the app's template with `examples` (raw lines), and an upstream's
    /// timeouts for `host` in the same minutes: grouped, the spike ranked first.
    fn spike_and_upstream(
        template: &str,
        examples: &[&str],
        kind: FindingKind,
        host: &str,
    ) -> (Finding, Finding) {
        let mut spike = finding(
            FindingKind::Spike,
            "Spike ×690: the app's template",
            0,
            31.0,
        );
        spike.template = Some(template.into());
        spike.template_id = Some("t".into());
        spike.end = Some(26 * 60_000);
        spike.count = 46;
        spike.examples = examples
            .iter()
            .enumerate()
            .map(|(i, e)| Example::named("api.jsonl", 6698 + i as u64, Some(0), e.as_bytes()))
            .collect();
        let mut up = finding(kind, &format!("{host}: 46 timeouts in 26m"), 30_000, 28.0);
        up.upstream = Some(host.into());
        up.end = Some(26 * 60_000);
        up.count = 46;
        (spike, up)
    }

    fn json_line(msg: &str, extra: &str) -> String {
        format!(
            r#"{{"ts":"2026-11-27T19:16:19.656Z","level":"error","msg":"{msg}","service":"checkout"{extra}}}"#
        )
    }

    fn lead_kind(spike: Finding, up: Finding) -> FindingKind {
        let out = group(vec![spike, up]);
        assert_eq!(out.len(), 1, "{out:#?}");
        out[0].kind
    }

    #[test]
    fn an_upstream_leads_the_json_template_whose_events_name_it_in_a_field() {
        let timeout = json_line(
            "upstream call timed out",
            r#","upstream":"payments.example","timeout_ms":30000"#,
        );
        let ex = [timeout.as_str(), timeout.as_str(), timeout.as_str()];
        let (spike, up) = spike_and_upstream(
            "upstream call timed out",
            &ex,
            FindingKind::UpstreamTimeout,
            "payments.example",
        );
        let out = group(vec![spike.clone(), up.clone()]);
        assert_eq!(out[0].kind, FindingKind::UpstreamTimeout, "{out:#?}");
        assert_eq!(out[0].score, 31.0);
        assert!(out[0].notes[0].contains("Spike ×690"), "{:?}", out[0].notes);
        // The upstream's count must account for the template's events: 20 of 46 do not.
        let mut few = up.clone();
        few.count = 20;
        assert_eq!(lead_kind(spike.clone(), few), FindingKind::Spike);
        // Windows that do not meet: grouped (the spike's lines name the host), but the
        // timeouts came after the spike was over.
        let mut short = spike.clone();
        short.end = Some(5 * 60_000);
        let mut later = up.clone();
        later.start = Some(6 * 60_000);
        assert_eq!(lead_kind(short, later), FindingKind::Spike);
        // A URL field names the host too.
        let url = json_line(
            "upstream call timed out",
            r#","upstream_url":"https://payments.example/v1/charges""#,
        );
        let (spike, up) = spike_and_upstream(
            "upstream call timed out",
            &[url.as_str(), url.as_str()],
            FindingKind::UpstreamTimeout,
            "payments.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::UpstreamTimeout);
    }

    #[test]
    fn an_upstream_does_not_lead_an_error_about_something_else() {
        // The NullPointerException that arrived at the same time: no host in its lines.
        let npe = json_line("NullPointerException in OrderMapper.toDto", "");
        let (spike, up) = spike_and_upstream(
            "NullPointerException in OrderMapper.toDto",
            &[npe.as_str(), npe.as_str()],
            FindingKind::UpstreamTimeout,
            "payments.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::Spike);
        // Its lines carry the host as context, but say nothing of a timeout.
        let npe = json_line(
            "NullPointerException in OrderMapper.toDto",
            r#","upstream":"payments.example""#,
        );
        let (spike, up) = spike_and_upstream(
            "NullPointerException in OrderMapper.toDto",
            &[npe.as_str(), npe.as_str()],
            FindingKind::UpstreamTimeout,
            "payments.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::Spike);
        // Timeouts of another host whose name merely starts with the upstream's.
        let other = json_line(
            "upstream call timed out",
            r#","upstream":"payments.example.internal""#,
        );
        let (spike, up) = spike_and_upstream(
            "upstream call timed out",
            &[other.as_str(), other.as_str()],
            FindingKind::UpstreamTimeout,
            "payments.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::Spike);
        // Only one example of three names it: most of the template is about other calls.
        let mine = json_line(
            "upstream call timed out",
            r#","upstream":"payments.example""#,
        );
        let (spike, up) = spike_and_upstream(
            "upstream call timed out",
            &[mine.as_str(), other.as_str(), other.as_str()],
            FindingKind::UpstreamTimeout,
            "payments.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::Spike);
    }

    #[test]
    fn the_examples_must_show_the_trouble_the_upstream_finding_counts() {
        let limited = json_line(
            "upstream call failed",
            r#","upstream":"api.shipfast.example","error":"429 Too Many Requests""#,
        );
        let ex = [limited.as_str(), limited.as_str()];
        let template = "upstream call failed: <NUM> Too Many Requests";
        let (spike, up) = spike_and_upstream(
            template,
            &ex,
            FindingKind::RateLimited,
            "api.shipfast.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::RateLimited);
        // The same host's timeouts are another finding than these 429s.
        let (spike, up) = spike_and_upstream(
            template,
            &ex,
            FindingKind::UpstreamTimeout,
            "api.shipfast.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::Spike);
        // A 503 status on a structured call is a server error of that host.
        let failed = json_line(
            "payment call failed",
            r#","upstream":"payments.example","status":503"#,
        );
        let (spike, up) = spike_and_upstream(
            "payment call failed",
            &[failed.as_str()],
            FindingKind::UpstreamFailure,
            "payments.example",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::UpstreamFailure);
    }

    #[test]
    fn an_upstream_leads_a_plain_template_that_masked_its_host() {
        // `Connection to db-replica-2:5432 timed out` is templated with the host masked.
        let line = "2026-11-27 02:15:17,000 ERROR [exec-32] c.acme.db.ReplicaRouter - \
                    Connection to db-replica-2:5432 timed out after 3000ms";
        let (spike, up) = spike_and_upstream(
            "Connection to <HOST>:<NUM> timed out after <DURATION>",
            &[line, line],
            FindingKind::UpstreamTimeout,
            "db-replica-2:5432",
        );
        assert_eq!(lead_kind(spike, up), FindingKind::UpstreamTimeout);
    }

    #[test]
    fn a_template_names_a_host_only_as_a_whole_name() {
        let host = "api.x.example";
        assert!(names_host("call to api.x.example timed out", host));
        assert!(names_host("call to api.x.example:8443 timed out", host));
        assert!(names_host("timed out calling api.x.example.", host));
        assert!(names_host(
            "upstream \"https://api.x.example/v1\" failed",
            host
        ));
        assert!(!names_host(
            "call to api.x.example.internal timed out",
            host
        ));
        assert!(!names_host("call to eu-api.x.example timed out", host));
        assert!(!names_host("call to west.api.x.example timed out", host));
        assert!(!names_host("call to api.x.examples timed out", host));
        assert!(!names_host("anything", ""));
        // So a template about the longer name does not hand the lead to the shorter one.
        let mut spike = finding(FindingKind::Spike, "Spike: internal", 0, 35.0);
        spike.template = Some("Call to api.x.example.internal timed out".into());
        spike.template_id = Some("i".into());
        let mut up = finding(
            FindingKind::UpstreamTimeout,
            "api.x.example: 9 timeouts",
            0,
            31.0,
        );
        up.upstream = Some(host.into());
        assert_eq!(lead_kind(spike, up), FindingKind::Spike);
    }

    #[test]
    fn the_same_error_from_two_services_is_one_incident() {
        let mut a = finding(
            FindingKind::NewError,
            "New error: NPE in OrderMapper.toDto",
            0,
            20.0,
        );
        a.template = Some("NullPointerException in OrderMapper.toDto".into());
        a.template_id = Some("a".into());
        let mut b = finding(
            FindingKind::NewError,
            "New error: NPE for order",
            2_000,
            19.0,
        );
        b.template = Some("NullPointerException in OrderMapper.toDto for order ORD-<NUM>".into());
        b.template_id = Some("b".into());
        let mut c = finding(FindingKind::NewError, "New error: cache", 3_000, 18.0);
        c.template = Some("Cache miss storm in OrderMapper for <NUM> keys".into());
        c.template_id = Some("c".into());
        let out = group(vec![a, b, c]);
        assert_eq!(out.len(), 2, "{out:#?}");
        // `a` heads the incident with `b` related to it; the cache error stays on its own.
        assert_eq!(out[0].template_id.as_deref(), Some("a"), "{out:#?}");
        let related = out[0].details["related"].as_array().expect("related");
        assert_eq!(related.len(), 1, "{out:#?}");
        assert_eq!(related[0]["template_id"], "b");
        assert!(out[0].notes.iter().any(|n| n.contains("NPE for order")));
        assert_eq!(out[1].title, "New error: cache");
        assert!(!out[1].details.contains_key("related"), "{out:#?}");
    }

    #[test]
    fn a_second_burst_of_the_same_template_is_named_by_its_time_not_its_title() {
        let mut a = finding(FindingKind::Spike, "Spike ×30: disk full", 0, 20.0);
        a.template_id = Some("d".into());
        a.count = 90;
        let mut b = finding(FindingKind::Spike, "Spike ×12: disk full", 300_000, 12.0);
        b.template_id = Some("d".into());
        b.count = 40;
        let out = group(vec![a, b]);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(
            out[0].notes,
            vec!["same incident: another burst since 1970-01-01T00:05:00Z, 40 events (medium)"]
        );
    }

    #[test]
    fn findings_linked_only_through_a_third_are_one_incident() {
        // The route and the refused upstream name nothing in common; each goes with the new
        // error logged in the same minute. Ranked route, upstream, error: one group all the
        // same, whichever was looked at first.
        let mut route = finding(
            FindingKind::FailingRoute,
            "GET /api/orders/{id} failing",
            0,
            30.0,
        );
        route.route = Some("GET /api/orders/{id}".into());
        let mut up = finding(
            FindingKind::UpstreamFailure,
            "10.0.3.7:5432 refused",
            0,
            25.0,
        );
        up.upstream = Some("10.0.3.7:5432".into());
        let mut err = finding(
            FindingKind::NewError,
            "New error: query failed",
            2_000,
            20.0,
        );
        err.template_id = Some("q".into());
        let later = finding(FindingKind::NewError, "New error: other", 3_600_000, 10.0);
        let out = group(vec![route.clone(), up.clone(), err.clone(), later.clone()]);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].title, route.title);
        assert_eq!(out[0].details["related"].as_array().map(Vec::len), Some(2));
        assert_eq!(out[1].title, later.title);
    }

    #[test]
    fn templates_that_start_end_and_count_together_are_one_incident() {
        let mk = |title: &str, id: &str, start: i64, end: i64, count: u64, score: f64| {
            let mut f = finding(FindingKind::NewError, title, start, score);
            f.template_id = Some(id.into());
            f.end = Some(end);
            f.count = count;
            f
        };
        let oom = mk(
            "New error: Out of memory: Killed process",
            "o",
            0,
            1_700_000,
            5,
            20.0,
        );
        let exit = mk(
            "New error: app.service: Main process exited",
            "e",
            200,
            1_700_200,
            5,
            19.0,
        );
        let restart = mk("Spike: Started App Service.", "r", 6_000, 1_706_000, 6, 8.0);
        // Same minute, but far more events, or a different end: other incidents.
        let busy = mk("Spike: GET /api/items", "g", 0, 1_700_000, 900, 18.0);
        let short = mk("New error: disk quota", "d", 0, 120_000, 5, 17.0);
        let out = group(vec![oom, exit, busy, short, restart]);
        let titles: Vec<&str> = out.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(out.len(), 3, "{titles:?}");
        assert_eq!(out[0].details["related"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn a_huge_incident_lists_a_few_related_findings_and_counts_the_rest() {
        // Thousands of one-off lines in the same minute move together: one incident. Its
        // head lists the best-ranked few in full and counts the others.
        let n = 500;
        let findings: Vec<Finding> = (0..n)
            .map(|i| {
                let mut f = finding(
                    FindingKind::NewError,
                    &format!("New error: line {i}"),
                    i as i64,
                    20.0 - i as f64 / 100.0,
                );
                f.template_id = Some(format!("t{i}"));
                f.end = Some(60_000);
                f.count = 1;
                f
            })
            .collect();
        let out = group(findings);
        assert_eq!(out.len(), 1);
        let related = out[0].details["related"].as_array().expect("related");
        assert_eq!(related.len(), MAX_RELATED);
        assert_eq!(related[0]["title"], "New error: line 1");
        assert_eq!(out[0].details["related_omitted"], n - 1 - MAX_RELATED);
        assert!(
            out[0]
                .notes
                .iter()
                .any(|x| x == &format!("same incident: {} more related finding(s)", n - 4)),
            "{:?}",
            out[0].notes
        );
        // A small incident lists all of them and has nothing to count.
        let few = group(vec![
            finding(FindingKind::UpstreamTimeout, "x: 3 timeouts", 0, 9.0),
            finding(FindingKind::NewError, "New error: x", 0, 8.0),
        ]);
        assert_eq!(few[0].details["related"].as_array().map(Vec::len), Some(1));
        assert!(!few[0].details.contains_key("related_omitted"));
    }

    #[test]
    fn unrelated_findings_in_the_same_minute_stay_apart() {
        let a = finding(FindingKind::NewError, "New error: a", 0, 10.0);
        let b = finding(FindingKind::NewError, "New error: b", 30_000, 9.0);
        // Two new errors in the same minute are not merged by time alone.
        assert_eq!(group(vec![a, b]).len(), 2);
    }

    #[test]
    fn related_findings_far_apart_in_time_stay_apart() {
        // An upstream's timeouts and a new error naming that upstream: one incident when
        // they start minutes apart, two when over [`SHARED_ENTITY_MS`] apart.
        let pair = |gap: i64| {
            let mut up = finding(
                FindingKind::UpstreamTimeout,
                "payments.example: 40 timeouts",
                0,
                20.0,
            );
            up.upstream = Some("payments.example".into());
            let mut err = finding(
                FindingKind::NewError,
                "New error: call to payments.example failed",
                gap,
                15.0,
            );
            err.template_id = Some("e".into());
            group(vec![up, err])
        };
        assert_eq!(pair(5 * 60_000).len(), 1);
        assert_eq!(pair(SHARED_ENTITY_MS + 60_000).len(), 2);
        // The same error logged by two services: one incident in the same minute, not when
        // an hour apart.
        let twins = |gap: i64| {
            let mut a = finding(FindingKind::NewError, "New error: NPE", 0, 20.0);
            a.template = Some("NullPointerException in OrderMapper.toDto".into());
            a.template_id = Some("a".into());
            let mut b = finding(FindingKind::NewError, "New error: NPE again", gap, 19.0);
            b.template = Some("NullPointerException in OrderMapper.toDto for order <NUM>".into());
            b.template_id = Some("b".into());
            group(vec![a, b])
        };
        assert_eq!(twins(30_000).len(), 1);
        assert_eq!(twins(3_600_000).len(), 2);
    }

    #[test]
    fn an_explained_error_rate_spike_ranks_below_its_causes() {
        let mut rate = finding(FindingKind::ErrorRateSpike, "Error rate ×30", 0, 31.0);
        rate.end = Some(3_600_000);
        let cause = finding(FindingKind::Spike, "Spike: db", 600_000, 20.0);
        let out = group(vec![rate, cause]);
        assert_eq!(out[0].title, "Spike: db");
        assert!(out[1].score < 20.0);
        assert!(out[1].notes.iter().any(|n| n.contains("explained by")));
    }

    #[test]
    fn a_cause_that_starts_minutes_before_the_error_rate_explains_it() {
        // An upstream's timeouts from 19:12, the overall error rate up from 19:14.
        let at = |m: i64| m * 60_000;
        let mut rate = finding(FindingKind::ErrorRateSpike, "Error rate ×7.8", at(14), 18.0);
        rate.end = Some(at(37));
        let mut cause = finding(
            FindingKind::UpstreamTimeout,
            "upstream: 132 timeouts",
            at(12),
            40.0,
        );
        cause.end = Some(at(38));
        let out = group(vec![rate.clone(), cause]);
        assert!(out[1].score < 18.0, "{out:#?}");
        // One that ended before the rise explains nothing.
        let mut over = finding(FindingKind::Spike, "Spike: earlier", at(5), 20.0);
        over.end = Some(at(10));
        let out = group(vec![rate, over]);
        let r = out
            .iter()
            .find(|f| f.kind == FindingKind::ErrorRateSpike)
            .unwrap();
        assert_eq!(r.score, 18.0);
    }
}
