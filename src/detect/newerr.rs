//! New error types: warn-or-worse templates that did not exist before.
//!
//! In: a [`Summary`] with its [`Templates`], a [`DetectConfig`], optionally a baseline summary
//! and templates clustered together with the current ones (same ids, see `detect::pair`).
//! Out: [`Finding`]s of kind `NewError`.
//!
//! A template is a candidate when at least half of its events are at warn level or above
//! (levels from the log, or guessed from words like "error", "exception", "failed" when the
//! event had none — see `summary::build::guess_level`). It is *new*:
//!
//! - **with a baseline**: when the baseline has no event of it (matched across both sides by
//!   clustering their signatures together);
//! - **without one**: when its first timestamped occurrence comes after the *warm-up*, the
//!   first `warmup_fraction` (default 15 %) of the window's time span: everything logged in
//!   the warm-up is taken as the normal repertoire, unless its first sighting ends a silence
//!   a hundred times less likely than the usual bar, or ends a silence under 5 % likely within
//!   15 minutes of a one-off change line (a deploy an hour into a log that starts at midnight:
//!   the night's few requests make the silence alone weak evidence). Without any timestamp,
//!   an input that is one log is judged by line order (see [`by_position`]); several
//!   untimed logs have no common order, so nothing in them is called new without a baseline.
//!
//! A new template seen only once or twice is weak evidence: its score is halved and it carries
//! a "few samples" note. Each finding has the first-seen time, count, rate since then, and the
//! event just before the first occurrence (often the deploy or config change).

use super::timeline::Grid;
use super::{DetectConfig, Finding, FindingKind};
use crate::record::Level;
use crate::summary::templates::{TemplateStats, Templates};
use crate::summary::{Example, Summary};

/// Why a template counts as new.
pub(crate) fn candidate(t: &TemplateStats) -> bool {
    !t.is_other && t.count > 0 && t.warn_or_worse() * 2 >= t.count && t.warn_or_worse() > 0
}

/// New warn-or-worse templates, unranked.
pub fn find(
    sum: &Summary,
    templates: &Templates,
    cfg: &DetectConfig,
    baseline: Option<(&Summary, &Templates)>,
) -> Vec<Finding> {
    let grid = Grid::for_summary(sum, cfg.bucket_ms);
    let warmup_end = match (sum.time_min, sum.time_max) {
        (Some(a), Some(b)) => Some(a + ((b - a) as f64 * cfg.warmup_fraction) as i64),
        _ => None,
    };
    // Every warn-or-worse template is one more chance for a steady one to miss the warm-up
    // by chance: the silence threshold is shared among them (Bonferroni, 5 % in all).
    let candidates = templates.list.iter().filter(|t| candidate(t)).count();
    let max_p = silence_threshold(candidates);
    let cues: std::cell::OnceCell<RestartCues> = std::cell::OnceCell::new();
    let mut out = Vec::new();
    for t in templates.list.iter().filter(|t| candidate(t)) {
        let mut position_note = None;
        let mut restarted: Option<String> = None;
        let reason = match baseline {
            Some((_, bt)) => {
                if bt.by_id(&t.id).is_some_and(|b| b.count > 0) {
                    continue;
                }
                "absent from the baseline".to_string()
            }
            None => match (t.first_time, warmup_end) {
                (Some(first), Some(w)) => {
                    // A rare steady template can miss the warm-up by chance: it is new only
                    // if its own rate would have shown it before.
                    let from = sum.time_min.unwrap_or(first);
                    let quiet_events = events_between(sum, from, first);
                    let p0 = silence_probability(t, sum, from, first, quiet_events);
                    if first > w && p0 < max_p {
                        format!(
                            "first seen after the warm-up (first {:.0}% of the window, until {})",
                            cfg.warmup_fraction * 100.0,
                            crate::report::rfc3339(w)
                        )
                    } else if first <= w && p0 < max_p * WARMUP_P_FACTOR {
                        // Inside the warm-up, only a silence no steady template would keep.
                        format!(
                            "first seen {} into the window, after a silence its rate since \
                             makes a {:.0e} chance",
                            crate::report::fmt_duration((first - from) as f64 / 1000.0),
                            p0
                        )
                    } else if let Some((restart, at)) = (first > w)
                        .then(|| {
                            let cues = cues.get_or_init(|| RestartCues::new(templates));
                            restart_after(t, cues, sum)
                        })
                        .flatten()
                    {
                        let again = format!(
                            "the process started again {} later ({})",
                            crate::report::fmt_duration((at - first) as f64 / 1000.0),
                            crate::report::template_label(&restart.text, 80)
                        );
                        restarted = Some(format!("{again}: a crash and restart"));
                        // One crash is one event: no rate can make its silence before
                        // significant, but the process starting again right after it can.
                        format!(
                            "first seen after the warm-up (first {:.0}% of the window, until {}), \
                             and {again}",
                            cfg.warmup_fraction * 100.0,
                            crate::report::rfc3339(w),
                        )
                    } else if first <= w && p0 < CHANGE_SILENCE_P {
                        // Or a silence that was probably real, ended right after a change: a
                        // deploy's error an hour into a log that starts at midnight, when the
                        // night's few requests make the silence itself weak evidence.
                        let Some(change) = change_before(t, templates, from) else {
                            continue;
                        };
                        format!(
                            "first seen {} into the window, {} after a change ({})",
                            crate::report::fmt_duration((first - from) as f64 / 1000.0),
                            crate::report::fmt_duration(
                                (first - change.first_time.unwrap_or(first)) as f64 / 1000.0
                            ),
                            crate::report::template_label(&change.text, 80)
                        )
                    } else {
                        continue;
                    }
                }
                (None, None) => match by_position(t, sum, cfg.warmup_fraction, max_p) {
                    Some((reason, note)) => {
                        position_note = Some(note);
                        reason
                    }
                    None => continue,
                },
                _ => continue,
            },
        };
        // With a baseline: was the baseline long enough to have shown it at today's rate?
        let weak_absence = match baseline {
            Some((bs, _)) => match (bs.time_min, bs.time_max) {
                (Some(a), Some(b)) => {
                    let events = bs.events.saturating_sub(bs.untimed);
                    silence_probability(t, sum, a, b, events) >= MAX_SILENCE_P
                }
                _ => false,
            },
            None => false,
        };
        let level = t.max_level();
        let what = match level {
            Some(Level::Fatal) => "New fatal error",
            Some(Level::Error) => "New error",
            _ => "New warning",
        };
        let mut f = Finding::new(
            FindingKind::NewError,
            format!("{what}: {}", crate::report::template_title(t, 120)),
        );
        f.template = Some(t.text.clone());
        f.template_id = Some(t.id.clone());
        f.count = t.count;
        f.start = t.first_time;
        // The first events at the level the finding names (a template of requests that
        // mostly succeed shows its first failing ones).
        f.examples = t.evidence(level, None);
        f.before_first = t.before_first.clone();
        f.details.insert("reason".into(), reason.into());
        f.details.insert(
            "first_seen".into(),
            t.first_time
                .map(crate::report::rfc3339)
                .map_or(serde_json::Value::Null, Into::into),
        );
        if let (Some(first), Some(tmax)) = (t.first_time, sum.time_max) {
            let g_w = grid.map_or(60_000, |g| g.width);
            let span = (tmax - first).max(g_w);
            // Still going on when last seen within the last two display buckets, or within
            // five of its own mean gaps: an error every five minutes has not stopped because
            // the last quarter of an hour happened to be quiet. The gap is measured between
            // its own events (from three on): five errors in eighteen minutes, then hours of
            // silence, have stopped.
            let last = t.last_time.unwrap_or(first);
            let mean_gap = if t.count >= 3 {
                (last - first) / (t.count - 1) as i64
            } else {
                span / t.count.max(1) as i64
            };
            let quiet = (2 * g_w).max(5 * mean_gap);
            f.end = t.last_time.filter(|&l| l < tmax - quiet);
            // Its rate while it lasted, not diluted over the hours after it stopped.
            let active = f.end.map_or(span, |e| (e - first).max(g_w));
            // (One event has no rate: over a log's last two seconds it would read "30/min".)
            f.rate = (t.count >= 2).then(|| t.count as f64 * 60_000.0 / active as f64);
        }
        if let Some(g) = grid {
            f.series = g.dense(&t.series);
            f.series_start = Some(g.start_ms(0));
            f.bucket_ms = Some(g.width);
        }
        let changes = preceded_by(t, templates, baseline, warmup_end);
        if !changes.is_empty() {
            f.details.insert("preceded_by".into(), changes.into());
        }
        if let Some(note) = change_note(t, sum, templates, baseline, warmup_end) {
            f.notes.push(note);
        }
        if let Some(note) = position_note {
            f.notes.push(note);
            if let Some(lead) = position_lead(t, sum, templates, cfg.warmup_fraction) {
                f.notes.push(lead);
            }
        } else if t.untimed > 0 {
            f.notes
                .push(format!("{} event(s) without timestamp", t.untimed));
        }
        f.rescore(level);
        if weak_absence {
            f.notes
                .push("rare: at this rate the baseline could have missed it by chance".to_string());
            f.discount(0.5);
        }
        if let Some(note) = restarted {
            // A crash: one event, but the process went down with it. At least medium; over
            // once the process is back.
            f.notes.push(note);
            f.end = t.last_time;
            f.score = f.score.max(CRASH_SCORE);
            f.severity = super::Severity::from_score(f.score);
        } else if t.count <= 2 {
            f.notes.push(format!(
                "few samples ({}): weak evidence, may be a one-off",
                t.count
            ));
            f.discount(0.5);
        }
        out.push(f);
    }
    out
}

/// Word stems of what changes a running system (lowercase, matched anywhere): deploys,
/// versions and builds, starts and restarts, config reloads, migrations, failovers.
const CHANGE_WORDS: &[&str] = &[
    "deploy",
    "version",
    "release",
    "build",
    "rollout",
    "rolled out",
    "rollback",
    "rolled back",
    "upgrad",
    "start",
    "restart",
    "stop",
    "shutdown",
    "shutting down",
    "boot",
    "listening",
    "initializ",
    "reload",
    "config",
    "migrat",
    "failover",
    "promot",
    "elected",
    "feature flag",
];

/// Whether a template's text says it is a change (see [`CHANGE_WORDS`]): a one-off new info
/// line that does not ("cache warmed", "report generated") is no reason to trust an error
/// that follows it at first sight.
pub fn names_a_change(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    CHANGE_WORDS.iter().any(|w| lower.contains(w))
}

/// Inside the warm-up, a template that follows a change needs only a silence this unlikely
/// under its own rate (see [`change_before`]).
const CHANGE_SILENCE_P: f64 = 0.05;

/// Inside the warm-up, the silence bar is this much lower (the warm-up is where the normal
/// repertoire shows itself, so being absent from its start is weaker evidence).
const WARMUP_P_FACTOR: f64 = 0.01;

/// Largest chance of the observed silence under the template's own rate for it to count as
/// new (see [`silence_probability`]), for up to five candidate templates; and for judging
/// whether a baseline was long enough to show a template.
pub const MAX_SILENCE_P: f64 = 0.01;

/// The silence threshold when `candidates` warn-or-worse templates are tested: 5 % shared
/// among them, and never above [`MAX_SILENCE_P`].
pub fn silence_threshold(candidates: usize) -> f64 {
    (0.05 / candidates.max(1) as f64).min(MAX_SILENCE_P)
}

/// Probability that the template, at its own rate since its first sighting, would have
/// produced no event in a silence `[from, to)` holding `quiet_events` events of any kind:
/// `exp(−expected)` under the two models the spike detector uses, and the larger of the two
/// (the silence must be unlikely under both):
///
/// - following the clock: `expected = count / max(time since first sighting, one bucket)
///   × (to − from)`;
/// - following the traffic: `expected = count / (other events since first sighting)
///   × quiet_events`. A request error that logs 0.06 % of lines is silent through a quiet
///   night by chance: against the clock the night looks like 5 hours of absence, against the
///   traffic like a few thousand lines of it.
///
/// Small means the earlier silence is real evidence that the template is new.
pub fn silence_probability(
    t: &TemplateStats,
    sum: &Summary,
    from: i64,
    to: i64,
    quiet_events: u64,
) -> f64 {
    let (Some(first), Some(tmax)) = (t.first_time, sum.time_max) else {
        return 1.0;
    };
    let active = (tmax - first).max(sum.resolution_ms).max(1) as f64;
    let timed = t.count.saturating_sub(t.untimed) as f64;
    let by_time = timed / active * (to - from).max(0) as f64;
    let others = events_between(sum, first, tmax.saturating_add(1)).saturating_sub(timed as u64);
    let by_traffic = if others > 0 {
        timed / others as f64 * quiet_events as f64
    } else {
        f64::INFINITY
    };
    (-by_time.min(by_traffic)).exp()
}

/// Novelty by position, for an input that is one log without any timestamp (`docker logs`
/// of an app that prints no time, a piped build or job log): its line order is the order
/// of events, so the warm-up is its first `warmup` share of lines, and a template first seen
/// after it is new when its events, spread evenly over the log, would all have fallen after
/// its first one only by a chance below `max_p`: `(1 − x)^count`, `x` the share of lines
/// before it. The reason and a short note, or None when it is not new or the rule does not
/// apply (several logs have no common order; a timed event gives the input a clock).
fn by_position(
    t: &TemplateStats,
    sum: &Summary,
    warmup: f64,
    max_p: f64,
) -> Option<(String, String)> {
    let src = sum.untimed_log()?;
    if t.untimed != t.count || src.lines == 0 {
        return None;
    }
    let first = t.examples.iter().map(|e| e.line).min()?;
    let x = (first.saturating_sub(1) as f64 / src.lines as f64).min(1.0);
    let p = (1.0 - x).powf(t.count as f64);
    (x > warmup && p < max_p).then(|| {
        let at = format!(
            "line {first} of {} ({:.0}% into the log)",
            src.lines,
            x * 100.0
        );
        (
            format!(
                "no timestamps: first seen at {at}, after the first {:.0}% of its lines (the \
                 warm-up); spread evenly, its events would all come after it by a {p:.0e} \
                 chance",
                warmup * 100.0
            ),
            format!("no timestamps: new by line order, first seen at {at}"),
        )
    })
}

/// For a template new by line order ([`by_position`]): the change it followed, the closest
/// one-off change line before its first event ([`MAX_CHANGE_EVENTS`] events at most, below
/// warning level, naming a change) that is itself after the warm-up, new by position too;
/// with how many lines before it. None when there is none, or when it is the line just
/// before the first event (shown already).
fn position_lead(
    t: &TemplateStats,
    sum: &Summary,
    templates: &Templates,
    warmup: f64,
) -> Option<String> {
    let first = t.examples.iter().map(|e| e.line).min()?;
    let lines = sum.untimed_log()?.lines;
    let warm = (lines as f64 * warmup) as u64;
    let e = templates
        .list
        .iter()
        .filter(|c| c.id != t.id && !c.is_other && c.count > 0 && c.count <= MAX_CHANGE_EVENTS)
        .filter(|c| c.warn_or_worse() == 0 && names_a_change(&c.text))
        .filter_map(|c| c.examples.iter().min_by_key(|e| e.line))
        .filter(|e| e.line > warm && e.line < first)
        .max_by_key(|e| e.line)?;
    if t.before_first.as_ref().is_some_and(|b| b.line == e.line) {
        return None;
    }
    Some(format!(
        "first seen {} line(s) after {}: {}",
        first - e.line,
        e.location(),
        crate::report::template_label(&e.text, 120)
    ))
}

/// Timestamped events of any kind in `[from, to)`, at the summary's resolution.
fn events_between(sum: &Summary, from: i64, to: i64) -> u64 {
    sum.level_series
        .iter()
        .map(|s| super::spikes::count_between(s, sum.resolution_ms, from, to))
        .sum()
}

/// How far before a new error a one-off new event (deploy, restart, config reload) is
/// reported as a likely cause.
pub const CHANGE_LOOKBACK_MS: i64 = 15 * 60_000;

/// Most events a one-off template (a deploy, a restart, a config reload) has.
pub const MAX_CHANGE_EVENTS: u64 = 3;

/// One-off templates (at most [`MAX_CHANGE_EVENTS`] events, any level) first seen within
/// [`CHANGE_LOOKBACK_MS`] before `t`'s first sighting, with that time: the candidates for
/// what `t` follows.
fn one_offs_before<'t>(
    t: &'t TemplateStats,
    templates: &'t Templates,
) -> impl Iterator<Item = (i64, &'t TemplateStats)> + 't {
    let first = t.first_time;
    // (The numbers first, the id last: this runs once per new template over all of them.)
    templates
        .list
        .iter()
        .filter(move |c| c.count > 0 && c.count <= MAX_CHANGE_EVENTS && !c.is_other)
        .filter_map(move |c| {
            let (ft, first) = (c.first_time?, first?);
            (ft <= first && first - ft <= CHANGE_LOOKBACK_MS && c.id != t.id).then_some((ft, c))
        })
}

/// The change `t` follows, for a template first seen inside the warm-up: a one-off below
/// warning level whose text names a change ([`names_a_change`]: a deploy, a restart, a
/// config reload), first seen after the input's start (`from`), in the log where `t` was
/// first seen. The latest such one.
///
/// The same log, because this is the weakest evidence a new error is accepted on: in a
/// bundle of several services' logs, a batch job starting in one ("Starting nightly
/// backup") two minutes before another service's first background "request failed" is a
/// coincidence, while a deploy and the error it brings share the service's log.
fn change_before<'t>(
    t: &'t TemplateStats,
    templates: &'t Templates,
    from: i64,
) -> Option<&'t TemplateStats> {
    let first_log = t.examples.iter().min_by(|a, b| a.key().cmp(&b.key()))?;
    one_offs_before(t, templates)
        .filter(|&(ft, c)| ft > from && c.warn_or_worse() == 0 && names_a_change(&c.text))
        .filter(|(_, c)| c.examples.iter().any(|e| e.source == first_log.source))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.id.cmp(&a.1.id)))
        .map(|(_, c)| c)
}

/// The least score of a new error the process restarted after (medium severity): one event
/// has little weight by count, but it took the process down.
const CRASH_SCORE: f64 = 7.0;

/// How soon after an error a process start counts as the restart that followed it.
pub const RESTART_LOOKAHEAD_MS: i64 = 5 * 60_000;

/// Word stems of a process starting (lowercase, matched anywhere).
const START_WORDS: &[&str] = &["start", "boot", "listening", "initializ", "ready to accept"];

/// Word stems of a planned stop: a restart after one is a deploy or maintenance, not a crash.
const PLANNED_WORDS: &[&str] = &[
    "deploy",
    "version",
    "release",
    "rollout",
    "rolling",
    "upgrad",
    "sigterm",
    "graceful",
    "shutdown",
    "shutting down",
    "stopping",
];

/// What [`restart_after`] looks at, found once per input (not once per candidate: an input
/// of thousands of one-off errors over 50,000 templates): the rare start templates, and
/// when rare planned-stop lines were first seen.
pub(crate) struct RestartCues<'t> {
    starts: Vec<&'t TemplateStats>,
    planned: Vec<i64>,
}

impl<'t> RestartCues<'t> {
    pub(crate) fn new(templates: &'t Templates) -> RestartCues<'t> {
        let rare = templates
            .list
            .iter()
            .filter(|c| !c.is_other && c.count > 0 && c.count <= MAX_CHANGE_EVENTS);
        let mut starts = Vec::new();
        let mut planned = Vec::new();
        for c in rare {
            let lower = c.text.to_ascii_lowercase();
            if PLANNED_WORDS.iter().any(|w| lower.contains(w)) {
                planned.extend(c.first_time);
            }
            if c.warn_or_worse() == 0 && START_WORDS.iter().any(|w| lower.contains(w)) {
                starts.push(c);
            }
        }
        RestartCues { starts, planned }
    }
}

/// The restart that followed `t`, for a rare (at most [`MAX_CHANGE_EVENTS`] events) error-or-
/// worse template: a rare template below warning level that names a start ("Started
/// OrdersApplication in 9.4 seconds", "Listening on :8080"; at most [`MAX_CHANGE_EVENTS`]
/// events, so not a job started every hour) with an event within [`RESTART_LOOKAHEAD_MS`]
/// after `t`'s first one, in the same log (or one numbered like it beside it: Kubernetes
/// writes a restarted container to `1.log` beside `0.log`), with no planned stop
/// or deploy line in the quarter of an hour before `t`. The start template and when it
/// started; the earliest such one.
fn restart_after<'t>(
    t: &TemplateStats,
    cues: &RestartCues<'t>,
    sum: &Summary,
) -> Option<(&'t TemplateStats, i64)> {
    let first = t.first_time?;
    if t.count > MAX_CHANGE_EVENTS || t.max_level() < Some(Level::Error) {
        return None;
    }
    let first_ex = t.examples.iter().min_by(|a, b| a.key().cmp(&b.key()))?;
    // The same file, or a file numbered like it in the same directory (Kubernetes writes a
    // restarted container's log to `1.log` beside `0.log`): not another program's log beside
    // it (a scheduler starting a job every hour).
    fn split(s: &str) -> (&str, String) {
        let (d, f) = s.rsplit_once('/').unwrap_or(("", s));
        (d, f.chars().filter(|c| !c.is_ascii_digit()).collect())
    }
    let home = split(&first_ex.source);
    let same_log = |s: &str| s == &*first_ex.source || split(s) == home;
    let planned = cues
        .planned
        .iter()
        .any(|&ft| ft <= first && first - ft <= CHANGE_LOOKBACK_MS);
    if planned {
        return None;
    }
    cues.starts
        .iter()
        .copied()
        .filter(|c| c.id != t.id)
        .filter(|c| c.examples.iter().any(|e| same_log(&e.source)))
        .filter_map(|c| {
            // Its first start after the error, from its series (the examples are its first
            // few events, which may all be the start at the top of the log).
            let after = c
                .series
                .0
                .iter()
                .map(|&(b, _)| b.saturating_mul(sum.resolution_ms));
            let at = after
                .filter(|&b| b + sum.resolution_ms > first && b <= first + RESTART_LOOKAHEAD_MS)
                .map(|b| {
                    c.examples
                        .iter()
                        .filter_map(|e| e.time)
                        .filter(|&et| et >= b && et > first)
                        .min()
                        .unwrap_or(b.max(first))
                })
                .next()?;
            Some((c, at))
        })
        .min_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)))
}

/// [`one_offs_before`] `t` that are themselves new: absent from the baseline, or, without
/// a baseline, first seen after the warm-up.
fn new_one_offs_before<'t>(
    t: &'t TemplateStats,
    templates: &'t Templates,
    baseline: Option<(&'t Summary, &'t Templates)>,
    warmup_end: Option<i64>,
) -> impl Iterator<Item = (i64, &'t TemplateStats)> + 't {
    one_offs_before(t, templates).filter(move |(ft, c)| match baseline {
        Some((_, bt)) => bt.by_id(&c.id).is_none_or(|b| b.count == 0),
        None => warmup_end.is_some_and(|w| *ft > w),
    })
}

/// One-off templates that are themselves new and first appeared within
/// [`CHANGE_LOOKBACK_MS`] before `t`: in a busy log the line just before the first
/// error is usually unrelated traffic, while "Deploying version 1.5.0" a minute earlier is
/// the lead an on-call engineer wants. Closest first, at most 3.
fn preceded_by(
    t: &TemplateStats,
    templates: &Templates,
    baseline: Option<(&Summary, &Templates)>,
    warmup_end: Option<i64>,
) -> Vec<serde_json::Value> {
    let mut v: Vec<(i64, &TemplateStats)> =
        new_one_offs_before(t, templates, baseline, warmup_end).collect();
    let order = |a: &(i64, &TemplateStats), b: &(i64, &TemplateStats)| {
        b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id))
    };
    // Only the closest three are shown: selected, not all sorted (a log of nothing but
    // distinct lines has thousands of one-offs in the window of each new template).
    if v.len() > 3 {
        v.select_nth_unstable_by(2, order);
        v.truncate(3);
    }
    v.sort_by(order);
    v.iter()
        .take(3)
        .map(|(ft, c)| {
            serde_json::json!({
                "template": c.text,
                "id": c.id,
                "time": crate::report::rfc3339(*ft),
                "example": c.examples.first().map(|e| format!("{}: {}", e.location(), e.text)),
            })
        })
        .collect()
}

/// The change a new template most likely followed, as a note every output shows (the
/// `preceded_by` detail is JSON's), with the line itself, whose values (`v1.5.0`) the
/// template masks. The candidates, within [`CHANGE_LOOKBACK_MS`] before its first event:
/// the new one-offs that name a change ([`names_a_change`]), and the values of version
/// fields first seen after another value of theirs ([`version_leads`]; against the
/// baseline's with one), which a crash loop's restarts, logging their start line again and
/// again, do not hide. One in the log where the template was first seen, else any, the
/// closest. None without one, or when it is a one-off that is the event just before the
/// first one (shown already).
fn change_note(
    t: &TemplateStats,
    sum: &Summary,
    templates: &Templates,
    baseline: Option<(&Summary, &Templates)>,
    warmup_end: Option<i64>,
) -> Option<String> {
    let first = t.first_time?;
    let first_log = t.examples.iter().min_by(|a, b| a.key().cmp(&b.key()))?;
    let same_log = |e: &Example| e.source == first_log.source;
    // (same log, first seen, a version's, the note): see [`best_lead`].
    let mut leads: Vec<(bool, i64, bool, String)> = Vec::new();
    for (ft, c) in new_one_offs_before(t, templates, baseline, warmup_end)
        .filter(|(_, c)| c.warn_or_worse() == 0 && names_a_change(&c.text))
    {
        let Some(e) = c.examples.iter().min_by(|a, b| a.key().cmp(&b.key())) else {
            continue;
        };
        if t.before_first
            .as_ref()
            .is_some_and(|b| b.line == e.line && b.source == e.source)
        {
            continue;
        }
        leads.push((same_log(e), ft, false, one_off_lead(first, ft, e)));
    }
    for (same, ft, text) in version_leads(
        &sum.versions,
        baseline.map(|(b, _)| &b.versions),
        first,
        same_log,
    ) {
        leads.push((same, ft, true, text));
    }
    best_lead(leads)
}

/// Of leads (in the error's own log, first seen, a version's, the note), the best: one in
/// the error's own log first, then the closest, then, on the same event, the version's
/// (`deploy started` says less than `version=1.5.0 (was 1.4.2)`).
pub fn best_lead(leads: Vec<(bool, i64, bool, String)>) -> Option<String> {
    leads
        .into_iter()
        .max_by(|a, b| {
            (a.0, a.1, a.2)
                .cmp(&(b.0, b.1, b.2))
                .then_with(|| b.3.cmp(&a.3))
        })
        .map(|(_, _, _, text)| text)
}

/// The note for a new error first seen at `first` after a change line `e`, first seen at
/// `ft`.
pub fn one_off_lead(first: i64, ft: i64, e: &Example) -> String {
    format!(
        "first seen {} after {}: {}",
        crate::report::fmt_duration((first - ft) as f64 / 1000.0),
        e.location(),
        crate::report::template_label(&e.text, 120)
    )
}

/// The version changes ([`Versions::changes`](crate::summary::versions::Versions::changes),
/// against `known`'s with a baseline) within [`CHANGE_LOOKBACK_MS`] before `first`, as
/// notes, one per event they were first seen in (`version` and `commit` change together:
/// `version=1.9.0 (was 1.8.2), commit=ef34aa (was ab12cd)`): (in the error's own log, as
/// `same_log` says; first seen; the note).
pub fn version_leads(
    versions: &crate::summary::versions::Versions,
    known: Option<&crate::summary::versions::Versions>,
    first: i64,
    same_log: impl Fn(&Example) -> bool,
) -> Vec<(bool, i64, String)> {
    let mut changes: Vec<_> = versions
        .changes(known)
        .filter(|v| {
            v.first
                .time
                .is_some_and(|ft| ft <= first && first - ft <= CHANGE_LOOKBACK_MS)
        })
        .collect();
    changes.sort_by(|a, b| {
        crate::summary::example_order(a.first.key(), b.first.key())
            .then_with(|| a.first.source.cmp(&b.first.source))
            .then_with(|| (a.key, a.value).cmp(&(b.key, b.value)))
    });
    changes
        .chunk_by(|a, b| a.first.line == b.first.line && a.first.source == b.first.source)
        .map(|group| {
            let e = group[0].first;
            let ft = e.time.unwrap_or(first);
            let what: Vec<String> = group
                .iter()
                .map(|v| format!("{}={} (was {})", v.key, v.value, v.previous))
                .collect();
            let text = format!(
                "first seen {} after {} first appeared: {}: {}",
                crate::report::fmt_duration((first - ft) as f64 / 1000.0),
                what.join(", "),
                e.location(),
                crate::report::template_label(&e.text, 120)
            );
            (same_log(e), ft, text)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::summary::templates::TemplateStats;
    use crate::summary::{Example, Series};

    pub(crate) fn tmpl(id: &str, level: Level, times: &[i64]) -> TemplateStats {
        let mut levels = [0u64; 7];
        levels[level.index()] = times.len() as u64;
        let mut b: Vec<i64> = times.iter().map(|t| t.div_euclid(1_000)).collect();
        TemplateStats {
            id: id.to_string(),
            text: format!("template {id}"),
            is_other: false,
            count: times.len() as u64,
            levels,
            first_time: times.iter().copied().min(),
            last_time: times.iter().copied().max(),
            first_error: None,
            series: Series::from_buckets(&mut b),
            error_series: Series::default(),
            untimed: 0,
            examples: vec![Example::named("app.log", 7, times.first().copied(), b"x")],
            before_first: Some(Example::named("app.log", 6, None, b"Deploying 1.5.0")),
            sigs: Vec::new(),
            samples: Vec::new(),
        }
    }

    fn summary(tmin: i64, tmax: i64) -> Summary {
        let mut s = Summary::default();
        s.time_min = Some(tmin);
        s.time_max = Some(tmax);
        s.resolution_ms = 1_000;
        s
    }

    #[test]
    fn late_first_sighting_is_new_early_is_not() {
        let sum = summary(0, 1_000_000);
        let t = Templates {
            list: vec![
                tmpl(
                    "late",
                    Level::Error,
                    &(0..10).map(|i| 500_000 + i * 30_000).collect::<Vec<_>>(),
                ),
                tmpl("early", Level::Error, &[10_000, 600_000]),
                tmpl("info", Level::Info, &[500_000, 600_000, 700_000]),
            ],
            by_sig: Vec::new(),
        };
        let f = find(&sum, &t, &DetectConfig::default(), None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].template_id.as_deref(), Some("late"));
        assert_eq!(f[0].start, Some(500_000));
        assert_eq!(f[0].count, 10);
        assert!(f[0]
            .before_first
            .as_ref()
            .unwrap()
            .text
            .contains("Deploying"));
        assert!(f[0].notes.iter().all(|n| !n.contains("few samples")));
    }

    /// A deploy an hour into a day that starts at midnight: its error is first seen inside
    /// the warm-up. Right after a change, a silence its rate makes unlikely is enough; without
    /// the change, or without the silence (the error from the first minutes), it is not new.
    #[test]
    fn an_error_right_after_a_change_inside_the_warm_up_is_new() {
        const MIN: i64 = 60_000;
        let sum = summary(0, 24 * 60 * MIN);
        let npe = |from: i64| {
            tmpl(
                "npe",
                Level::Error,
                &(0..)
                    .map(|i| from + i * 10 * MIN)
                    .take_while(|&t| t < 24 * 60 * MIN)
                    .collect::<Vec<_>>(),
            )
        };
        let mut deploy = tmpl("deploy", Level::Info, &[59 * MIN]);
        deploy.text = "Deploying version 1.5.0 (build 8812)".into();
        let mut chatter = tmpl("chatter", Level::Info, &[59 * MIN]);
        chatter.text = "Cache warmed in 3s".into();
        let found = |list: Vec<TemplateStats>| {
            let t = Templates {
                list,
                by_sig: Vec::new(),
            };
            find(&sum, &t, &DetectConfig::default(), None)
        };
        let f = found(vec![npe(60 * MIN), deploy.clone()]);
        assert_eq!(f.len(), 1, "{f:?}");
        let reason = f[0].details["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("after a change (Deploying version"),
            "{reason}"
        );
        // No change before it: an hour of silence at six an hour is not proof enough.
        assert!(found(vec![npe(60 * MIN), chatter]).is_empty());
        // A change in another service's log is no lead for this one's error.
        let mut elsewhere = deploy.clone();
        elsewhere.examples = vec![Example::named("backup.log", 3, Some(59 * MIN), b"x")];
        assert!(found(vec![npe(60 * MIN), elsewhere]).is_empty());
        // There from the start: no silence, not new, deploy or not.
        let mut early_deploy = deploy;
        early_deploy.first_time = Some(MIN);
        assert!(found(vec![npe(2 * MIN), early_deploy]).is_empty());
    }

    /// A new error's note names the change it followed, with the line (the version the
    /// template masks): one in its own log before a closer one elsewhere, and never a
    /// one-off that names no change, nor the line already shown as the one just before it.
    #[test]
    fn a_new_error_names_the_change_it_followed() {
        const MIN: i64 = 60_000;
        let sum = summary(0, 24 * 60 * MIN);
        let at = 10 * 60 * MIN;
        let npe = tmpl(
            "npe",
            Level::Error,
            &(0..20).map(|i| at + i * 10 * MIN).collect::<Vec<_>>(),
        );
        let one_off = |id: &str, log: &str, line: u64, t: i64, text: &str| {
            let mut c = tmpl(id, Level::Info, &[t]);
            c.text = text.into();
            c.examples = vec![Example::named(log, line, Some(t), text.as_bytes())];
            c
        };
        let deploy = one_off(
            "deploy",
            "app.log",
            3,
            at - 2 * MIN,
            "Deploying version 1.5.0 (build 8812)",
        );
        let router = one_off(
            "router",
            "router.log",
            9,
            at - MIN / 2,
            "State changed from starting to up",
        );
        let chatter = one_off("chatter", "app.log", 5, at - MIN / 6, "Cache warmed in 3s");
        let notes = |list: Vec<TemplateStats>| {
            let t = Templates {
                list,
                by_sig: Vec::new(),
            };
            let f = find(&sum, &t, &DetectConfig::default(), None);
            assert_eq!(f.len(), 1, "{f:?}");
            f[0].notes
                .iter()
                .filter(|n| n.starts_with("first seen"))
                .cloned()
                .collect::<Vec<_>>()
        };
        let all = vec![npe.clone(), deploy.clone(), router.clone(), chatter.clone()];
        assert_eq!(
            notes(all),
            ["first seen 2m after app.log:3: Deploying version 1.5.0 (build 8812)"]
        );
        assert_eq!(
            notes(vec![npe.clone(), router, chatter.clone()]),
            ["first seen 30s after router.log:9: State changed from starting to up"]
        );
        assert!(notes(vec![npe.clone(), chatter]).is_empty());
        // The deploy is the event just before the first error: shown as such already.
        let mut right_after = npe;
        right_after.before_first = deploy.examples.first().cloned();
        assert!(notes(vec![right_after, deploy]).is_empty());
    }

    /// A version field's new value is the lead over the one-off line of the same event
    /// ("deploy started" says less than `version=1.5.0 (was 1.4.2)`).
    #[test]
    fn a_new_version_is_the_better_lead() {
        const MIN: i64 = 60_000;
        let mut sum = summary(0, 24 * 60 * MIN);
        let at = 10 * 60 * MIN;
        let npe = tmpl(
            "npe",
            Level::Error,
            &(0..20).map(|i| at + i * 10 * MIN).collect::<Vec<_>>(),
        );
        let mut deploy = tmpl("deploy", Level::Info, &[at - 2 * MIN]);
        deploy.text = "deploy started".into();
        deploy.examples = vec![Example::named(
            "app.log",
            30,
            Some(at - 2 * MIN),
            b"deploy started",
        )];
        let source: std::sync::Arc<str> = std::sync::Arc::from("app.log");
        let mut seen = |t: i64, line: u64, v: &'static str| {
            let fields = [(
                std::borrow::Cow::Borrowed(&b"version"[..]),
                std::borrow::Cow::Borrowed(v.as_bytes()),
            )];
            sum.versions.observe(&source, t, line, &fields, || {
                Example::named("app.log", line, Some(t), b"deploy started")
            });
        };
        seen(MIN, 2, "1.4.2");
        seen(at - 2 * MIN, 30, "1.5.0");
        let t = Templates {
            list: vec![npe, deploy],
            by_sig: Vec::new(),
        };
        let f = find(&sum, &t, &DetectConfig::default(), None);
        assert_eq!(f.len(), 1, "{f:?}");
        let notes: Vec<&String> = f[0]
            .notes
            .iter()
            .filter(|n| n.starts_with("first seen"))
            .collect();
        assert_eq!(
            notes,
            ["first seen 2m after version=1.5.0 (was 1.4.2) first appeared: app.log:30: deploy started"]
        );
    }

    /// An error every ten minutes whose last event came half an hour before the end
    /// is still going on; one that stopped hours before the end has ended.
    #[test]
    fn a_sparse_new_error_is_ongoing_until_it_has_really_stopped() {
        const MIN: i64 = 60_000;
        let sum = summary(0, 24 * 60 * MIN);
        let every_10_min = |from: i64, to: i64| {
            (0..)
                .map(|i| from + i * 10 * MIN)
                .take_while(|&t| t <= to)
                .collect::<Vec<_>>()
        };
        let t = Templates {
            list: vec![
                tmpl(
                    "sparse",
                    Level::Error,
                    &every_10_min(12 * 60 * MIN, 23 * 60 * MIN + 30 * MIN),
                ),
                tmpl(
                    "stopped",
                    Level::Error,
                    &every_10_min(12 * 60 * MIN, 16 * 60 * MIN),
                ),
            ],
            by_sig: Vec::new(),
        };
        let f = find(&sum, &t, &DetectConfig::default(), None);
        let end = |id: &str| {
            f.iter()
                .find(|x| x.template_id.as_deref() == Some(id))
                .map(|x| x.end)
        };
        assert_eq!(end("sparse"), Some(None), "{f:?}");
        assert_eq!(end("stopped"), Some(Some(16 * 60 * MIN)), "{f:?}");
    }

    /// Five errors in eighteen minutes at 15:47, then eight hours without one: it has
    /// stopped, and its rate is the burst's, not five a day.
    #[test]
    fn a_burst_that_stopped_hours_before_the_end_is_not_ongoing() {
        const MIN: i64 = 60_000;
        let sum = summary(0, 24 * 60 * MIN);
        let at: Vec<i64> = [0, 4, 9, 13, 18]
            .iter()
            .map(|m| (15 * 60 + 47 + m) * MIN)
            .collect();
        let t = Templates {
            list: vec![tmpl("h13", Level::Error, &at)],
            by_sig: Vec::new(),
        };
        let f = find(&sum, &t, &DetectConfig::default(), None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].end, Some(at[4]), "{f:?}");
        let rate = f[0].rate.unwrap_or(0.0);
        assert!((rate - 5.0 / 18.0).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn rare_template_missing_the_warm_up_by_chance_is_not_new() {
        // Three events over the second half: at that rate the first half could well be empty.
        let sum = summary(0, 1_000_000);
        let t = Templates {
            list: vec![tmpl("rare", Level::Error, &[400_000, 700_000, 990_000])],
            by_sig: Vec::new(),
        };
        assert!(find(&sum, &t, &DetectConfig::default(), None).is_empty());
    }

    #[test]
    fn baseline_decides_novelty() {
        let sum = summary(0, 1_000_000);
        let cur = Templates {
            list: vec![
                tmpl("a", Level::Error, &[10_000, 20_000, 30_000]),
                tmpl("b", Level::Warn, &[10_000]),
            ],
            by_sig: Vec::new(),
        };
        let base = Templates {
            list: vec![tmpl("b", Level::Warn, &[5_000])],
            by_sig: Vec::new(),
        };
        let f = find(&sum, &cur, &DetectConfig::default(), Some((&sum, &base)));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].template_id.as_deref(), Some("a"));
    }

    #[test]
    fn one_off_is_weak() {
        let sum = summary(0, 1_000_000);
        let t = Templates {
            list: vec![
                tmpl("one", Level::Error, &[900_000]),
                tmpl(
                    "many",
                    Level::Error,
                    &(0..40).map(|i| 500_000 + i * 1000).collect::<Vec<_>>(),
                ),
            ],
            by_sig: Vec::new(),
        };
        let mut f = find(&sum, &t, &DetectConfig::default(), None);
        crate::detect::rank(&mut f);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].template_id.as_deref(), Some("many"));
        assert!(f[1].notes.iter().any(|n| n.contains("few samples")));
        assert!(f[1].score < f[0].score / 2.0);
    }

    /// One error, then the process starting again: a crash, new although one event's
    /// silence before proves nothing; not after a planned stop, nor with a start logged
    /// elsewhere.
    #[test]
    fn a_one_off_error_followed_by_a_restart_is_a_crash() {
        let sum = summary(0, 7_200_000);
        let crash = tmpl("oom", Level::Error, &[4_000_000]);
        let mut start = tmpl("start", Level::Info, &[1_000, 4_040_000]);
        start.text = "Started OrdersApplication in <NUM> seconds".into();
        let chatter = tmpl(
            "req",
            Level::Info,
            &(0..7_200).map(|i| i * 1_000).collect::<Vec<_>>(),
        );
        let list = |extra: Vec<TemplateStats>| Templates {
            list: [vec![crash.clone(), chatter.clone()], extra].concat(),
            by_sig: Vec::new(),
        };
        let cfg = DetectConfig::default();
        // Without the restart, one event is no evidence.
        assert!(find(&sum, &list(vec![]), &cfg, None).is_empty());
        let f = find(&sum, &list(vec![start.clone()]), &cfg, None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].template_id.as_deref(), Some("oom"));
        assert!(f[0].severity >= crate::detect::Severity::Medium, "{f:?}");
        assert_eq!(f[0].end, Some(4_000_000));
        assert!(
            f[0].notes
                .iter()
                .any(|n| n.contains("started again 40s later")),
            "{:?}",
            f[0].notes
        );
        // A start more than five minutes later is not its restart.
        let mut late = start.clone();
        late.series = Series::from_buckets(&mut [1, 4_400]);
        assert!(find(&sum, &list(vec![late]), &cfg, None).is_empty());
        // A planned stop before it: a deploy's restart, not a crash.
        let mut stop = tmpl("stop", Level::Info, &[3_990_000]);
        stop.text = "Shutting down gracefully".into();
        assert!(find(&sum, &list(vec![start.clone(), stop]), &cfg, None).is_empty());
        // Another service's start, in another directory or another log beside it.
        for other in ["other/app.log", "router.log"] {
            let mut elsewhere = start.clone();
            elsewhere.examples[0].source = other.into();
            assert!(find(&sum, &list(vec![elsewhere]), &cfg, None).is_empty());
        }
        // A restarted container's log numbered beside the first one is the same log.
        let (mut crash0, mut start1) = (crash.clone(), start.clone());
        crash0.examples[0].source = "pod/app/0.log".into();
        start1.examples[0].source = "pod/app/1.log".into();
        let l = Templates {
            list: vec![crash0, chatter.clone(), start1],
            by_sig: Vec::new(),
        };
        assert_eq!(find(&sum, &l, &cfg, None).len(), 1);
        // A job started every hour is no restart.
        let mut hourly = tmpl(
            "job",
            Level::Info,
            &(0..6).map(|h| h * 3_600_000 + 600_000).collect::<Vec<_>>(),
        );
        hourly.text = "Starting process with command <*>".into();
        assert!(find(&sum, &list(vec![hourly]), &cfg, None).is_empty());
    }

    #[test]
    fn no_timestamps_no_novelty_without_baseline() {
        let sum = Summary::default();
        let mut t = tmpl("x", Level::Error, &[]);
        t.count = 5;
        t.levels[Level::Error.index()] = 5;
        t.untimed = 5;
        let ts = Templates {
            list: vec![t],
            by_sig: Vec::new(),
        };
        assert!(find(&sum, &ts, &DetectConfig::default(), None).is_empty());
    }

    /// The change a template new by line order followed: the closest one-off change line
    /// after the warm-up, not a warning, not the line just before it (shown already).
    #[test]
    fn position_lead_is_the_closest_new_change_line_before() {
        let at = |id: &str, level: Level, line: u64, text: &str| {
            let mut t = tmpl(id, level, &[]);
            t.text = text.to_string();
            t.count = 1;
            t.levels = [0; 7];
            t.levels[level.index()] = 1;
            t.untimed = 1;
            t.examples = vec![Example::named("app.log", line, None, text.as_bytes())];
            t.before_first = None;
            t
        };
        let mut err = at("err", Level::Error, 700, "boom");
        err.count = 50;
        let mut sum = Summary::default();
        sum.input.sources = vec![crate::input::SourceStats {
            name: "app.log".into(),
            format: crate::record::Format::Plain,
            bytes: 50_000,
            lines: 1_000,
        }];
        let lead = |list: Vec<TemplateStats>, err: &TemplateStats| {
            let ts = Templates {
                list,
                by_sig: Vec::new(),
            };
            position_lead(err, &sum, &ts, 0.15)
        };
        let early = at("early", Level::Info, 100, "config reloaded");
        let restart = at("restart", Level::Info, 600, "Restarting worker 3");
        let warn = at("warn", Level::Warn, 650, "deploy check failed");
        let other = at("other", Level::Info, 690, "cache warmed");
        assert_eq!(
            lead(vec![early.clone(), restart.clone(), warn, other], &err).as_deref(),
            Some("first seen 100 line(s) after app.log:600: Restarting worker 3")
        );
        // Inside the warm-up (the first 15 % of lines): the normal start of the log.
        assert_eq!(lead(vec![early.clone()], &err), None);
        // The line just before is the finding's "before" line already.
        err.before_first = Some(Example::named("app.log", 600, None, b"Restarting worker 3"));
        assert_eq!(lead(vec![early, restart], &err), None);
    }

    /// One log without timestamps: line order is event order.
    #[test]
    fn untimed_single_log_novelty_by_line_order() {
        let untimed = |first: u64, count: u64| {
            let mut t = tmpl("x", Level::Error, &[]);
            t.count = count;
            t.levels[Level::Error.index()] = count;
            t.untimed = count;
            t.examples = vec![
                Example::named("app.log", first + 40, None, b"x"),
                Example::named("app.log", first, None, b"x"),
            ];
            Templates {
                list: vec![t],
                by_sig: Vec::new(),
            }
        };
        let source = |name: &str| crate::input::SourceStats {
            name: name.into(),
            format: crate::record::Format::Plain,
            bytes: 50_000,
            lines: 1_000,
        };
        let mut sum = Summary::default();
        sum.input.sources = vec![source("app.log")];
        let cfg = DetectConfig::default();
        // 50 errors from line 701 on: all after the first 70 % of lines by a 0.3^50 chance.
        let f = find(&sum, &untimed(701, 50), &cfg, None);
        assert_eq!(f.len(), 1);
        assert!(f[0].notes.iter().any(|n| {
            n
            == "no timestamps: new by line order, first seen at line 701 of 1000 (70% into the log)"
        }));
        let reason = f[0].details["reason"].as_str().unwrap_or("");
        assert!(reason.contains("by a 7e-27 chance"), "{reason}");
        assert_eq!(f[0].start, None);
        // Three from line 701 on: 0.3^3 = 2.7 %, a steady rare error could do that.
        assert!(find(&sum, &untimed(701, 3), &cfg, None).is_empty());
        // Inside the warm-up (the first 15 % of lines): the normal repertoire.
        assert!(find(&sum, &untimed(140, 900), &cfg, None).is_empty());
        assert_eq!(find(&sum, &untimed(160, 900), &cfg, None).len(), 1);
        // Two logs have no common order; a timed event gives the input a clock.
        sum.input.sources.push(source("other.log"));
        assert!(find(&sum, &untimed(701, 50), &cfg, None).is_empty());
        sum.input.sources.pop();
        sum.time_min = Some(0);
        sum.time_max = Some(1_000_000);
        assert!(find(&sum, &untimed(701, 50), &cfg, None).is_empty());
    }
}
