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

/// Steady templates that fall silent part-way (the routine `charge ok` that stops when an
/// incident cuts the traffic off, a job that finished) are no "burst" from the start of the
/// input to where they stopped; one that starts part-way and stops again still is.
#[test]
fn templates_that_stop_are_no_bursts() {
    let mut r = Rng::new(11);
    let mut ev = Vec::new();
    for m in 0..(8 * 60) {
        // (per minute) a frequent info that stops at 4h, a sparse warning (first event a few
        // minutes in) that stops at 6h50, background that goes on.
        let emit = |rate: f64, level, msg: &str, r: &mut Rng, ev: &mut Vec<Ev>| {
            for _ in 0..r.poisson(rate) {
                ev.push(Ev {
                    t: START + m * MIN + r.below(MIN as u64) as i64,
                    level,
                    msg: msg.to_string(),
                });
            }
        };
        if m < 4 * 60 {
            emit(20.0, Level::Info, "charge ok", &mut r, &mut ev);
        }
        if m < 6 * 60 + 50 {
            emit(0.6, Level::Warn, "card declined", &mut r, &mut ev);
        }
        emit(10.0, Level::Info, "request served", &mut r, &mut ev);
        if (5 * 60..5 * 60 + 20).contains(&m) {
            emit(3.0, Level::Error, "lock wait timeout", &mut r, &mut ev);
        }
    }
    ev.sort_by_key(|e| e.t);
    let sum = summary_of(&ev, "stops.log");
    let t = finalize(&sum, &Default::default());
    let f = detect::analyze(&sum, &t, &DetectConfig::default(), None);
    let spikes: Vec<_> = f
        .iter()
        .filter(|x| x.kind == detect::FindingKind::Spike)
        .map(|x| (&x.title, x.start))
        .collect();
    assert!(
        spikes.iter().all(|(t, _)| t.contains("lock wait timeout")),
        "{spikes:#?}"
    );
    assert!(
        f.iter().any(|x| x.title.contains("lock wait timeout")),
        "{:#?}",
        f.iter().map(|x| &x.title).collect::<Vec<_>>()
    );
}
