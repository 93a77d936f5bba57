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
    pub series: Series,
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
            series: Series::default(),
            untimed: 0,
            examples: Vec::new(),
            before_first: None,
            sigs: Vec::new(),
            samples: Vec::new(),
        }
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
        t.series.merge(&s.series);
        t.untimed += s.untimed;
        // Signatures are in input order, so the first one holds the first occurrence.
        if t.sigs.is_empty() {
            t.before_first = s.before_first.clone();
        }
        t.sigs.push(si as u32);
        t.examples.extend(s.examples.iter().cloned());
        t.samples.extend(s.samples.iter().cloned());
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
    }
    for t in &mut list {
        // Earliest examples first (by time where known, then input order).
        t.examples.sort_by_key(|e| (e.time.is_none(), e.time));
        t.examples.truncate(EXAMPLES_PER_SIG);
        t.samples.sort_by_key(Sample::key);
        t.samples.truncate(SAMPLES_PER_TEMPLATE);
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
