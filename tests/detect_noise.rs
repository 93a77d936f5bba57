//! Pure noise must give no findings: hundreds of templates logging at constant Poisson
//! rates (frequent and sparse) over a day — chance clusters among many series are exactly
//! what the multiple-testing correction of the burst scan is for.

mod common;

use common::*;
use faultline::detect::{self, DetectConfig};
use faultline::record::Level;
use faultline::summary::templates::finalize;

#[test]
fn constant_rate_templates_give_no_findings() {
    for seed in [5u64, 6, 7] {
        let mut r = Rng::new(seed);
        let mut ev = Vec::new();
        for m in 0..(24 * 60) {
            for k in 0..400u64 {
                let (rate, level) = match k % 20 {
                    0 => (2.0, Level::Info),
                    1 => (0.05, Level::Error),
                    2 => (0.2, Level::Warn),
                    _ => (0.04, Level::Info),
                };
                for _ in 0..r.poisson(rate) {
                    // A distinct key per k: the miner keeps `key=` fields with different keys
                    // apart, so every k is its own template.
                    let name: String = format!("{k:03}")
                        .bytes()
                        .map(|d| (b'a' + (d - b'0')) as char)
                        .collect();
                    ev.push(Ev {
                        t: START + m * MIN + r.below(MIN as u64) as i64,
                        level,
                        msg: format!("event {name}=ok happened"),
                    });
                }
            }
        }
        ev.sort_by_key(|e| e.t);
        let sum = summary_of(&ev, "noise.log");
        let t = finalize(&sum, &Default::default());
        assert!(t.list.len() >= 350, "{}", t.list.len());
        let f = detect::analyze(&sum, &t, &DetectConfig::default(), None);
        assert!(
            f.is_empty(),
            "seed {seed}: {:#?}",
            f.iter().map(|x| (&x.title, &x.details)).collect::<Vec<_>>()
        );
    }
}
