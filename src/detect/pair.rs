//! Matching templates across two summaries (baseline and current).
//!
//! Clustering each side alone could split or name the same template differently; so the
//! distinct signatures of *both* sides are clustered together once, and each side's counts,
//! series and examples are then added up per joint template. The two returned [`Templates`]
//! hold the same templates (same ids); a template missing on one side has count 0 there.

use crate::mine::{cluster, ClusterConfig};
use crate::summary::templates::{aggregate, Templates};
use crate::summary::Summary;

/// Templates of `base` and `cur`, clustered together: `(base, cur)`.
pub fn joint_templates(
    base: &Summary,
    cur: &Summary,
    cfg: &ClusterConfig,
) -> (Templates, Templates) {
    // Union of signatures: the baseline's in its order, then the current side's new ones.
    let mut sigs: Vec<(&[u8], u64)> = base
        .sigs
        .iter()
        .map(|s| (s.sig.as_bytes(), s.count))
        .collect();
    let mut cur_pos: Vec<u32> = Vec::with_capacity(cur.sigs.len());
    for s in &cur.sigs {
        match base.sig_index(&s.sig) {
            Some(i) => {
                sigs[i as usize].1 += s.count;
                cur_pos.push(i);
            }
            None => {
                cur_pos.push(sigs.len() as u32);
                sigs.push((s.sig.as_bytes(), s.count));
            }
        }
    }
    let clustering = cluster(&sigs, cfg);
    let base_assign: Vec<u32> = clustering.assignment[..base.sigs.len()].to_vec();
    let cur_assign: Vec<u32> = cur_pos
        .iter()
        .map(|&p| clustering.assignment[p as usize])
        .collect();
    (
        aggregate(base, &base_assign, &clustering.templates),
        aggregate(cur, &cur_assign, &clustering.templates),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{Series, SigStats};

    fn summary(sigs: &[(&str, u64)]) -> Summary {
        let mut s = Summary::default();
        for (sig, n) in sigs {
            s.sigs.push(SigStats {
                sig: sig.to_string(),
                count: *n,
                levels: [0, 0, *n, 0, 0, 0, 0],
                first_time: None,
                last_time: None,
                first_error: None,
                error_series: Series::default(),
                series: Series::default(),
                untimed: *n,
                examples: Vec::new(),
                before_first: None,
                samples: Vec::new(),
            });
            s.events += n;
        }
        s.reindex();
        s
    }

    #[test]
    fn both_sides_list_the_same_templates() {
        let base = summary(&[("a <NUM>", 5), ("gone", 2)]);
        let cur = summary(&[("new one", 3), ("a <NUM>", 7)]);
        let (bt, ct) = joint_templates(&base, &cur, &ClusterConfig::default());
        let ids = |t: &Templates| {
            let mut v: Vec<String> = t.list.iter().map(|x| x.id.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&bt), ids(&ct));
        assert_eq!(ct.list.len(), 3);
        let a_b = bt.list.iter().find(|t| t.text == "a <NUM>").unwrap();
        let a_c = ct.list.iter().find(|t| t.text == "a <NUM>").unwrap();
        assert_eq!((a_b.count, a_c.count), (5, 7));
        assert_eq!(a_b.id, a_c.id);
        assert_eq!(ct.list.iter().find(|t| t.text == "gone").unwrap().count, 0);
        assert_eq!(
            bt.list.iter().find(|t| t.text == "new one").unwrap().count,
            0
        );
        // by_sig maps each side's own signatures.
        assert_eq!(ct.by_sig.len(), 2);
        assert_eq!(ct.list[ct.by_sig[1] as usize].text, "a <NUM>");
    }
}
