//! `detect::endpoints::compare` on the committed example days (testdata/example, made by
//! faultline-gen): the incident day against the normal day must name the failing checkout
//! route and the troubled external APIs, and a day against itself must report nothing.

use std::path::Path;

use faultline::detect::endpoints::compare;
use faultline::detect::FindingKind;
use faultline::engine::{summarize, EngineOptions};
use faultline::input::InputConfig;
use faultline::mine::Masker;
use faultline::summary::Summary;

fn summary_of(dir: &str) -> Summary {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/example")
        .join(dir);
    let cfg = InputConfig {
        paths: vec![root],
        ..InputConfig::default()
    };
    summarize(&cfg, &EngineOptions::new(Masker::new(Vec::new()), 2))
        .expect("summarize")
        .summary
}

#[test]
fn incident_day_against_normal_day() {
    let normal = summary_of("normal");
    let incident = summary_of("incident");
    let f = compare(&normal, &incident, None);
    let has = |kind: FindingKind, route: Option<&str>, upstream: Option<&str>| {
        f.iter().any(|x| {
            x.kind == kind
                && (route.is_none() || x.route.as_deref() == route)
                && (upstream.is_none() || x.upstream.as_deref() == upstream)
        })
    };
    assert!(
        has(
            FindingKind::FailingRoute,
            Some("POST /api/v1/checkout"),
            None
        ),
        "{f:#?}"
    );
    assert!(
        has(FindingKind::RateLimited, None, Some("api.shipfast.example")),
        "{f:#?}"
    );
    assert!(
        has(
            FindingKind::UpstreamTimeout,
            None,
            Some("payments.stripe-like.example")
        ),
        "{f:#?}"
    );
    // The three incidents head the list.
    let top: Vec<FindingKind> = f.iter().take(3).map(|x| x.kind).collect();
    assert!(top.contains(&FindingKind::FailingRoute), "{top:?}");
    assert!(compare(&normal, &normal, None).is_empty());
}
