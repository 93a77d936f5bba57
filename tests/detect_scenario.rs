//! Detection on a generated normal day and incident day, through the library: every injected
//! incident is found with its onset within two display buckets, and none of the noise
//! (steady warnings, hourly cron bursts, the rare background error) is reported.
//!
//! Summaries are built from the generated events directly (`common::summary_of`), so these
//! tests do not depend on the record parser.

mod common;

use common::*;
use faultline::detect::{self, diff, pair, timeline::Grid, DetectConfig, Finding, FindingKind};
use faultline::mine::ClusterConfig;
use faultline::summary::templates::finalize;

fn day(incident: bool, seed: u64) -> (faultline::summary::Summary, Option<Injected>) {
    let (ev, inj) = scenario(if incident { 1 } else { 0 }, 12, incident, seed);
    (
        summary_of(
            &ev,
            if incident {
                "incident.log"
            } else {
                "normal.log"
            },
        ),
        inj,
    )
}

fn grid_of(s: &faultline::summary::Summary) -> Grid {
    Grid::for_summary(s, None).unwrap()
}

fn about<'a>(f: &'a [Finding], kind: FindingKind, needle: &str) -> Vec<&'a Finding> {
    f.iter()
        .filter(|x| x.kind == kind && x.template.as_deref().is_some_and(|t| t.contains(needle)))
        .collect()
}

fn noise_free(f: &[Finding]) {
    for needle in [
        CACHE_MISS,
        DEPRECATED,
        CRON_SYNC,
        CRON_SKU,
        "InventorySyncJob",
    ] {
        let hits: Vec<&Finding> = f
            .iter()
            .filter(|x| x.template.as_deref().is_some_and(|t| t.contains(needle)))
            .collect();
        assert!(
            hits.is_empty(),
            "noise {needle:?} reported: {:#?}",
            hits.iter().map(|h| &h.title).collect::<Vec<_>>()
        );
    }
}

fn within_buckets(found: Option<i64>, injected: i64, width: i64, n: i64) {
    let found = found.expect("finding has an onset");
    assert!(
        (found - injected).abs() <= n * width,
        "onset {} vs injected {} (bucket {width} ms)",
        iso(found),
        iso(injected)
    );
}

#[test]
fn incident_day_alone_finds_incidents_and_no_noise() {
    for seed in [1, 7, 42] {
        let (sum, inj) = day(true, seed);
        let inj = inj.unwrap();
        let t = finalize(&sum, &ClusterConfig::default());
        let cfg = DetectConfig::default();
        let grid = Grid::for_summary(&sum, None).unwrap();
        let f = detect::analyze(&sum, &t, &cfg, None);
        let titles: Vec<&str> = f.iter().map(|x| x.title.as_str()).collect();

        let npe = about(&f, FindingKind::NewError, NPE);
        assert_eq!(npe.len(), 1, "seed {seed}: {titles:#?}");
        assert_eq!(npe[0].start, Some(inj.new_error));
        let preceded = npe[0].details.get("preceded_by").expect("preceded_by");
        assert!(
            preceded.to_string().contains("Deploying version"),
            "{preceded}"
        );

        let spike = about(&f, FindingKind::Spike, DB_TIMEOUT);
        assert_eq!(spike.len(), 1, "seed {seed}: {titles:#?}");
        within_buckets(spike[0].start, inj.spike, grid.width, 2);
        within_buckets(spike[0].end, inj.spike_end, grid.width, 2);
        assert!(spike[0].factor.unwrap() >= 5.0, "{:?}", spike[0].factor);

        // The rate-limit burst is new: reported as a new warning (its spike is folded in).
        let rl = about(&f, FindingKind::NewError, RATE_LIMIT);
        assert_eq!(rl.len(), 1, "seed {seed}: {titles:#?}");
        within_buckets(rl[0].start, inj.rate_limit, grid.width, 0);

        noise_free(&f);
    }
}

#[test]
fn spikes_alone_find_the_burst_of_the_rare_error_and_the_rate_limiting() {
    let (sum, inj) = day(true, 3);
    let inj = inj.unwrap();
    let t = finalize(&sum, &ClusterConfig::default());
    let f = detect::spikes::find(&sum, &t, &DetectConfig::default(), None);
    let grid = Grid::for_summary(&sum, None).unwrap();
    let rl = about(&f, FindingKind::Spike, RATE_LIMIT);
    assert_eq!(
        rl.len(),
        1,
        "{:#?}",
        f.iter().map(|x| &x.title).collect::<Vec<_>>()
    );
    within_buckets(rl[0].start, inj.rate_limit, grid.width, 2);
    // Refined on the fine series: within two minutes.
    within_buckets(rl[0].start, inj.rate_limit, 60_000, 2);
    within_buckets(rl[0].end, inj.rate_limit_end, grid.width, 2);
    assert!(rl[0].count >= 40, "{}", rl[0].count);
    assert_eq!(about(&f, FindingKind::Spike, DB_TIMEOUT).len(), 1);
    // The error rate jumps when the new error starts.
    let er: Vec<&Finding> = f
        .iter()
        .filter(|x| x.kind == FindingKind::ErrorRateSpike)
        .collect();
    assert!(!er.is_empty());
    assert!(er.iter().any(
        |e| (e.start.unwrap() - inj.new_error).abs() <= 2 * grid.width
            || (e.start.unwrap() - inj.spike).abs() <= 2 * grid.width
    ));
    noise_free(&f);
    // Every spike carries a display series over the whole window.
    for x in &f {
        assert_eq!(x.series.len(), grid.len);
        assert_eq!(x.bucket_ms, Some(grid.width));
    }
}

#[test]
fn normal_day_reports_nothing() {
    for seed in [2, 5, 11] {
        let (sum, _) = day(false, seed);
        let t = finalize(&sum, &ClusterConfig::default());
        let f = detect::analyze(&sum, &t, &DetectConfig::default(), None);
        assert!(
            f.is_empty(),
            "seed {seed}: {:#?}",
            f.iter().map(|x| &x.title).collect::<Vec<_>>()
        );
    }
}

#[test]
fn with_a_baseline_only_the_incidents_remain() {
    let (base, _) = day(false, 9);
    let (cur, inj) = day(true, 10);
    let inj = inj.unwrap();
    let (bt, ct) = pair::joint_templates(&base, &cur, &ClusterConfig::default());
    let f = detect::analyze(&cur, &ct, &DetectConfig::default(), Some((&base, &bt)));
    let titles: Vec<&str> = f.iter().map(|x| x.title.as_str()).collect();
    assert_eq!(
        about(&f, FindingKind::NewError, NPE).len(),
        1,
        "{titles:#?}"
    );
    assert_eq!(
        about(&f, FindingKind::NewError, RATE_LIMIT).len(),
        1,
        "{titles:#?}"
    );
    let spike = about(&f, FindingKind::Spike, DB_TIMEOUT);
    assert_eq!(spike.len(), 1, "{titles:#?}");
    within_buckets(spike[0].start, inj.spike, grid_of(&cur).width, 2);
    // The deploy line is itself new against the baseline, but info level: not an error.
    assert!(about(&f, FindingKind::NewError, DEPLOY).is_empty());
    noise_free(&f);
    // The top finding is one of the incidents.
    // (An error-rate spike names the template behind it in its title.)
    let top = f[0].title.as_str();
    assert!(
        top.contains("NullPointer") || top.contains("Timeout") || top.contains("Rate limited"),
        "{titles:#?}"
    );
}

#[test]
fn a_cron_run_that_goes_wrong_is_still_a_spike() {
    // Same cron schedule on both days, but today one run logs ten times as many warnings.
    let (ev_b, _) = scenario(0, 12, false, 21);
    let (mut ev_c, _) = scenario(1, 12, false, 22);
    let run = START + 24 * HOUR + 6 * HOUR;
    for i in 0..300 {
        ev_c.push(Ev {
            t: run + 200 + i * 150,
            level: faultline::record::Level::Warn,
            msg: format!("SKU {} {CRON_SKU}", 20_000 + i),
        });
    }
    ev_c.sort_by_key(|e| e.t);
    let base = summary_of(&ev_b, "normal.log");
    let cur = summary_of(&ev_c, "today.log");
    let (bt, ct) = pair::joint_templates(&base, &cur, &ClusterConfig::default());
    for baseline in [None, Some((&base, &bt))] {
        let f = detect::spikes::find(&cur, &ct, &DetectConfig::default(), baseline);
        let sku = about(&f, FindingKind::Spike, CRON_SKU);
        assert_eq!(
            sku.len(),
            1,
            "{:#?}",
            f.iter().map(|x| &x.title).collect::<Vec<_>>()
        );
        within_buckets(sku[0].start, run, 60_000, 2);
        assert!(about(&f, FindingKind::Spike, CRON_SYNC).is_empty());
    }
}

#[test]
fn diff_ranks_the_real_changes_first() {
    let (base, _) = day(false, 31);
    let (cur, _) = day(true, 32);
    let (bt, ct) = pair::joint_templates(&base, &cur, &ClusterConfig::default());
    let r = diff::compare(&base, &bt, &cur, &ct, &diff::DiffConfig::default());
    assert_eq!(r.unit, diff::RateUnit::PerHour);
    let top: Vec<&str> = r.rows.iter().take(3).map(|x| x.template.as_str()).collect();
    assert!(top.iter().any(|t| t.contains("NullPointer")), "{top:#?}");
    assert!(top.iter().any(|t| t.contains("Rate limited")), "{top:#?}");
    let npe = r
        .rows
        .iter()
        .find(|x| x.template.contains("NullPointer"))
        .unwrap();
    assert_eq!(npe.change, diff::Change::New);
    assert!(npe.p_value < 1e-6);
    // Noise is unchanged.
    for needle in [CACHE_MISS, DEPRECATED, CRON_SYNC] {
        let row = r.rows.iter().find(|x| x.template.contains(needle)).unwrap();
        assert_eq!(row.change, diff::Change::Unchanged, "{needle}: {row:?}");
    }
    // Sorted by significance.
    assert!(r.rows.windows(2).all(|w| w[0].g >= w[1].g));
    // Every template of both sides has exactly one row, matched by id.
    let mut ids: Vec<&str> = r.rows.iter().map(|x| x.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), r.rows.len());
}

/// Clustering runs on rayon: the templates, and the findings made from them, must not depend
/// on how many threads it had.
#[test]
fn detection_does_not_depend_on_clustering_threads() {
    let (sum, _) = day(true, 5);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            let t = finalize(&sum, &ClusterConfig::default());
            let f = detect::analyze(&sum, &t, &DetectConfig::default(), None);
            (t, f)
        })
    };
    let (t1, a) = on(1);
    let (t4, b) = on(4);
    assert!(a.len() >= 4, "{a:#?}");
    assert!(t1.list.len() >= 10, "{} templates", t1.list.len());
    assert_eq!(t1.list, t4.list);
    assert_eq!(t1.by_sig, t4.by_sig);
    assert_eq!(a, b);
}
