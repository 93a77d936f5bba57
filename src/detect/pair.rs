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
