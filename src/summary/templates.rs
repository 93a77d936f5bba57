//! From signatures to templates: clusters the distinct signatures of a (merged) summary once,
//! and adds up their statistics per template.

use serde::Serialize;

use super::{
    add_levels, max_opt, min_opt, Example, LevelCounts, Sample, Series, Summary, EXAMPLES_PER_SIG,
};

/// Sampled events kept per template (from its signatures' samples).
pub const SAMPLES_PER_TEMPLATE: usize = 8;
use crate::mine::{cluster, template_id, ClusterConfig, TemplateInfo, OTHER_TEMPLATE};
use crate::record::Level;

/// Statistics of one template (one cluster of signatures).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TemplateStats {
    pub id: String,
    pub text: String,
    /// The bucket for what did not fit under the template or signature caps.
    pub is_other: bool,
    pub count: u64,
    pub levels: LevelCounts,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    /// The time of the first error or fatal event.
    #[serde(skip)]
    pub first_error: Option<i64>,
    pub series: Series,
    /// The error and fatal events of `series`.
    #[serde(skip)]
    pub error_series: Series,
    pub untimed: u64,
    pub examples: Vec<Example>,
    pub before_first: Option<Example>,
    /// Indexes of the summary's signatures in this template, in input order.
    #[serde(skip)]
    pub sigs: Vec<u32>,
    /// A uniform sample of the template's events (its signatures' samples, smallest rank
    /// first): evidence from anywhere in the input, where `examples` are the first events.
    #[serde(skip)]
    pub samples: Vec<Sample>,
}

impl TemplateStats {
    /// A template with no events yet.
    pub fn empty(id: String, text: String, is_other: bool) -> TemplateStats {
        TemplateStats {
            id,
            text,
            is_other,
            count: 0,
            levels: [0; 7],
            first_time: None,
            last_time: None,
            first_error: None,
            series: Series::default(),
            error_series: Series::default(),
            untimed: 0,
            examples: Vec::new(),
            before_first: None,
            sigs: Vec::new(),
            samples: Vec::new(),
        }
    }

    /// Evidence for a finding about this template, at most [`EXAMPLES_PER_SIG`] events from
    /// its first and sampled ones, earliest first. Of these, the first non-empty group is
    /// shown: at `at_least` or above and inside `window` (`[from, to)`), at that level
    /// anywhere, inside the window at any level, any. So a template of requests that mostly
    /// succeed shows failing ones for an error finding, and a burst shows events from inside.
    pub fn evidence(
        &self,
        at_least: Option<Level>,
        window: Option<(i64, Option<i64>)>,
    ) -> Vec<Example> {
        let mut pool: Vec<&Example> = self
            .examples
            .iter()
            .chain(self.samples.iter().map(|s| &s.example))
            .collect();
        pool.sort_by(|a, b| {
            (a.time.is_none(), a.time, &a.source, a.line).cmp(&(
                b.time.is_none(),
                b.time,
                &b.source,
                b.line,
            ))
        });
        pool.dedup_by(|a, b| a.source == b.source && a.line == b.line);
        let leveled = |e: &Example| at_least.is_none_or(|min| e.level.is_some_and(|l| l >= min));
        let inside = |e: &Example| {
            window.is_none_or(|(from, to)| {
                e.time
                    .is_some_and(|t| t >= from && to.is_none_or(|end| t < end))
            })
        };
        let group = |lv: bool, win: bool| -> Vec<Example> {
            pool.iter()
                .filter(|e| (!lv || leveled(e)) && (!win || inside(e)))
                .take(EXAMPLES_PER_SIG)
                .map(|e| (*e).clone())
                .collect()
        };
        [(true, true), (true, false), (false, true), (false, false)]
            .into_iter()
            .map(|(lv, win)| group(lv, win))
            .find(|g| !g.is_empty())
            .unwrap_or_default()
    }

    /// The most severe level seen.
    pub fn max_level(&self) -> Option<Level> {
        Level::ALL
            .iter()
            .rev()
            .copied()
            .find(|l| self.levels[l.index()] > 0)
    }

    /// The level that describes the template's events: the most severe level held by at
    /// least a quarter of the events that have one (else the most severe seen). A request
    /// template that is 97% `info` and 3% `warn` is an info template; one whose events are
    /// all errors is an error template.
    pub fn typical_level(&self) -> Option<Level> {
        let known: u64 = Level::ALL.iter().map(|l| self.levels[l.index()]).sum();
        Level::ALL
            .iter()
            .rev()
            .copied()
            .find(|l| self.levels[l.index()] > 0 && self.levels[l.index()] * 4 >= known)
            .or_else(|| self.max_level())
    }

    /// Events at warn level or above.
    pub fn warn_or_worse(&self) -> u64 {
        self.levels[Level::Warn.index()..=Level::Fatal.index()]
            .iter()
            .sum()
    }

    /// Events at error level or above.
    pub fn errors(&self) -> u64 {
        self.levels[Level::Error.index()..=Level::Fatal.index()]
            .iter()
            .sum()
    }
}

/// All templates of a summary, most frequent first.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    pub list: Vec<TemplateStats>,
    /// For each signature of the summary, the index of its template in `list`
    /// (`u32::MAX` for none).
    pub by_sig: Vec<u32>,
}

impl Templates {
    pub fn by_id(&self, id: &str) -> Option<&TemplateStats> {
        self.list.iter().find(|t| t.id == id)
    }
}

/// Examples and samples gathered for one template before they are cut to size.
const COMPACT_AT: usize = 64;

/// Earliest examples first (by time where known, then input order), at most
/// [`EXAMPLES_PER_SIG`].
fn keep_earliest(v: &mut Vec<Example>) {
    v.sort_by_key(|e| (e.time.is_none(), e.time));
    v.truncate(EXAMPLES_PER_SIG);
}

/// The [`SAMPLES_PER_TEMPLATE`] samples of smallest rank.
fn keep_smallest_ranks(v: &mut Vec<Sample>) {
    v.sort_by_key(Sample::key);
    v.truncate(SAMPLES_PER_TEMPLATE);
}

/// Clusters the summary's signatures into templates and aggregates their statistics.
pub fn finalize(sum: &Summary, cfg: &ClusterConfig) -> Templates {
    let sigs: Vec<(&[u8], u64)> = sum
        .sigs
        .iter()
        .map(|s| (s.sig.as_bytes(), s.count))
        .collect();
    let clustering = cluster(&sigs, cfg);
    aggregate(sum, &clustering.assignment, &clustering.templates)
}

/// Adds up the statistics of `sum`'s signatures per template, given each signature's template
/// (`assignment[i]` indexes `infos`). Every template of `infos` is listed, with count 0 when
/// none of its signatures is in `sum` (so two summaries aggregated over one joint clustering
/// list the same templates; see `detect::pair`).
pub fn aggregate(sum: &Summary, assignment: &[u32], infos: &[TemplateInfo]) -> Templates {
    let mut list: Vec<TemplateStats> = infos
        .iter()
        .map(|t| TemplateStats::empty(t.id.clone(), t.text.clone(), t.is_other))
        .collect();
    for (si, &ti) in assignment.iter().enumerate() {
        let s = &sum.sigs[si];
        let t = &mut list[ti as usize];
        t.count += s.count;
        add_levels(&mut t.levels, &s.levels);
        t.first_time = min_opt(t.first_time, s.first_time);
        t.last_time = max_opt(t.last_time, s.last_time);
        t.first_error = min_opt(t.first_error, s.first_error_time());
        t.series.merge(&s.series);
        t.error_series.merge(s.errors_in());
        t.untimed += s.untimed;
        // Signatures are in input order, so the first one holds the first occurrence.
        if t.sigs.is_empty() {
            t.before_first = s.before_first.clone();
        }
        t.sigs.push(si as u32);
        t.examples.extend(s.examples.iter().cloned());
        t.samples.extend(s.samples.iter().cloned());
        // A template of many signatures (the `other` bucket of 150,000 folded ones) would
        // gather all their examples first: keep the earliest now and then. A stable sort
        // and cut keeps exactly what one at the end would (ties stay in signature order).
        if t.examples.len() >= COMPACT_AT {
            keep_earliest(&mut t.examples);
        }
        if t.samples.len() >= COMPACT_AT {
            keep_smallest_ranks(&mut t.samples);
        }
    }
    if sum.overflow.events > 0 {
        let other = match list.iter().position(|t| t.is_other) {
            Some(i) => i,
            None => {
                list.push(TemplateStats::empty(
                    template_id(OTHER_TEMPLATE),
                    OTHER_TEMPLATE.to_string(),
                    true,
                ));
                list.len() - 1
            }
        };
        let t = &mut list[other];
        t.count += sum.overflow.events;
        add_levels(&mut t.levels, &sum.overflow.levels);
        t.series.merge(&sum.overflow.series);
        t.error_series.merge(&sum.overflow.error_series);
    }
    for t in &mut list {
        keep_earliest(&mut t.examples);
        keep_smallest_ranks(&mut t.samples);
    }
    // Most frequent first; ties by id so the order is the same everywhere.
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by(|&a, &b| {
        list[b]
            .count
            .cmp(&list[a].count)
            .then_with(|| list[a].id.cmp(&list[b].id))
    });
    let mut new_pos = vec![0u32; list.len()];
    for (pos, &old) in order.iter().enumerate() {
        new_pos[old] = pos as u32;
    }
    let mut slots: Vec<Option<TemplateStats>> = list.into_iter().map(Some).collect();
    let list: Vec<TemplateStats> = order.iter().filter_map(|&i| slots[i].take()).collect();
    let by_sig = assignment.iter().map(|&t| new_pos[t as usize]).collect();
    Templates { list, by_sig }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(line: u64, time: i64, level: Level) -> Example {
        Example::named("a.log", line, Some(time), b"x").with_level(Some(level))
    }

    #[test]
    fn a_template_of_many_signatures_keeps_the_evidence_of_one_cut_at_the_end() {
        // Examples and samples are cut to size while a template's signatures are added up;
        // what is kept is what sorting all of them once would keep, ties included.
        let mut sum = Summary::default();
        let (mut all_ex, mut all_samples) = (Vec::new(), Vec::new());
        for i in 0..500u64 {
            let mut s = super::super::SigStats::new(format!("sig {i}"));
            s.count = 1;
            for k in 0..2 {
                let time = (i % 3 != 0).then_some(((i * 37 + k * 11) % 50) as i64);
                let e = Example::named("a.log", i * 2 + k + 1, time, b"x");
                s.examples.push(e.clone());
                all_ex.push(e.clone());
                let smp = Sample {
                    rank: (i * 7919 + k) % 300,
                    example: e,
                };
                s.samples.push(smp.clone());
                all_samples.push(smp);
            }
            sum.push_sig(super::super::sig_hash(s.sig.as_bytes()), s);
        }
        let info = TemplateInfo {
            text: "sig <*>".into(),
            id: "x".into(),
            is_other: false,
        };
        let t = aggregate(&sum, &vec![0; 500], std::slice::from_ref(&info));
        all_ex.sort_by_key(|e| (e.time.is_none(), e.time));
        all_ex.truncate(EXAMPLES_PER_SIG);
        all_samples.sort_by_key(Sample::key);
        all_samples.truncate(SAMPLES_PER_TEMPLATE);
        assert_eq!(t.list[0].examples, all_ex);
        assert_eq!(t.list[0].samples, all_samples);
    }

    #[test]
    fn evidence_prefers_the_level_then_the_window() {
        let mut t = TemplateStats::empty("id".into(), "GET <PATH>".into(), false);
        t.examples = vec![
            ex(1, 100, Level::Info),
            ex(2, 200, Level::Info),
            ex(3, 300, Level::Info),
        ];
        t.samples = [
            (9, ex(40, 4_000, Level::Error)),
            (5, ex(50, 5_000, Level::Info)),
        ]
        .into_iter()
        .map(|(rank, example)| Sample { rank, example })
        .collect();
        t.samples.push(Sample {
            rank: 7,
            example: ex(60, 6_000, Level::Error),
        });
        let lines = |v: Vec<Example>| v.iter().map(|e| e.line).collect::<Vec<_>>();
        // Errors only, earliest first, for an error finding.
        assert_eq!(lines(t.evidence(Some(Level::Error), None)), [40, 60]);
        // ...from inside the window when one is there, else from anywhere.
        assert_eq!(
            lines(t.evidence(Some(Level::Error), Some((5_000, None)))),
            [60]
        );
        assert_eq!(
            lines(t.evidence(Some(Level::Error), Some((0, Some(1_000))))),
            [40, 60]
        );
        // No level asked: the window decides; no example inside it: the first ones.
        assert_eq!(lines(t.evidence(None, Some((4_500, None)))), [50, 60]);
        assert_eq!(lines(t.evidence(None, Some((9_000, None)))), [1, 2, 3]);
        // No example at the level (a snapshot from before levels were kept): any.
        assert_eq!(lines(t.evidence(Some(Level::Fatal), None)), [1, 2, 3]);
        // An example that is also a sample is shown once.
        t.samples.push(Sample {
            rank: 1,
            example: ex(1, 100, Level::Info),
        });
        assert_eq!(lines(t.evidence(None, None)), [1, 2, 3]);
    }
}
