//! Snapshot-style checks of every renderer on one hand-built incident (no parser involved):
//! structure, escaping of log content for each medium, and layout limits.

use super::fixtures::incident_report;
use super::{renderer, OutputFormat};

fn render(format: OutputFormat, color: bool, width: u16) -> String {
    render_report(&incident_report(), format, color, width)
}

fn render_report(r: &super::Report, format: OutputFormat, color: bool, width: u16) -> String {
    let mut out = Vec::new();
    renderer(format, color, width)
        .render(r, &mut out)
        .expect("render to memory");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn report_ranks_the_incident() {
    let r = incident_report();
    assert!(r.incident_window.found, "{}", r.incident_window.explanation);
    assert_eq!(
        r.incident_window.start.as_deref(),
        Some("2026-11-27T10:40:00Z")
    );
    assert_eq!(
        r.incident_window.end.as_deref(),
        Some("2026-11-27T10:50:00Z")
    );
    assert!(r.findings.len() >= 2);
    assert_eq!(r.findings[0].rank, 1);
    assert!(
        r.headline.starts_with("Error rate rose from"),
        "{}",
        r.headline
    );
    assert!(r.headline.contains("10:40:00Z"), "{}", r.headline);
    assert_eq!(r.timeline.len(), 60);
    assert_eq!(r.top_error_templates[0].errors, 300);
}

#[test]
fn terminal_plain_fits_80_columns_and_escapes() {
    let s = render(OutputFormat::Table, false, 80);
    assert!(!s.contains('\x1b'), "raw escape in plain output:\n{s}");
    assert!(s.contains("\\e[31m"), "{s}");
    for line in s.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    for heading in [
        "FINDINGS (",
        "INCIDENT WINDOW",
        "TOP ERROR TEMPLATES",
        "INPUT",
    ] {
        assert!(s.contains(heading), "missing {heading}:\n{s}");
    }
    assert!(s.contains("10:40:00Z → 10:50:00Z"), "{s}");
    assert!(s.contains("CRITICAL") || s.contains("HIGH"), "{s}");
}

#[test]
fn terminal_color_uses_sgr_and_block_sparklines() {
    let s = render(OutputFormat::Table, true, 100);
    assert!(s.contains("\x1b[1m"), "no bold headings");
    assert!(s.contains('█'), "no sparkline");
    // Colour codes come from us; the log's own escape is still shown escaped.
    assert!(s.contains("\\e[31m"));
    assert!(!s.contains("\x1b[31m |"), "log escape reached the terminal");
}

#[test]
fn markdown_leads_with_what_since_where() {
    let s = render(OutputFormat::Markdown, false, 100);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[0], "### Incident summary");
    assert!(lines[2].starts_with("**Error rate rose"), "{s}");
    let what = lines
        .iter()
        .position(|l| l.starts_with("- **What broke:**"));
    let since = lines
        .iter()
        .position(|l| l.starts_with("- **Since:** 2026-11-27T10:40:00Z"));
    let wher = lines.iter().position(|l| l.starts_with("- **Where:**"));
    assert!(what < since && since < wher && what.is_some(), "{s}");
    // Template in a code span, with pipes and backticks neutralized and the escape shown.
    assert!(
        s.contains("`db refused <script>x</script> \\e[31m | 'tick' *star*`"),
        "{s}"
    );
    assert!(!s.contains('\x1b'));
    assert!(s.contains("**Findings**"));
    // In the table, the pipe is escaped.
    assert!(
        s.contains("| `db refused <script>x</script> \\e[31m \\| 'tick' *star*` |"),
        "{s}"
    );
    assert!(s.lines().count() < 40, "not short:\n{s}");
}

#[test]
fn html_escapes_and_draws_the_window() {
    let s = render(OutputFormat::Html, false, 100);
    assert!(
        s.contains("db refused &lt;script&gt;x&lt;/script&gt; \\e[31m"),
        "not escaped"
    );
    assert!(!s.contains("<script"));
    assert!(!s.contains('\x1b'));
    assert!(s.contains("id=\"timeline-chart\""));
    assert!(s.contains("class=\"window\""));
    assert!(s.contains("<table class=\"findings\">"));
    assert!(s.contains("default-src 'none'"));
}

#[test]
fn json_round_trips_with_findings_first() {
    let s = render(OutputFormat::Json, false, 100);
    let v: serde_json::Value = serde_json::from_str(&s).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    for key in [
        "kind", "title", "severity", "start", "end", "count", "examples",
    ] {
        assert!(!f[key].is_null(), "finding lacks {key}: {f}");
    }
    assert!(f["examples"][0]
        .as_str()
        .is_some_and(|e| e.starts_with("app.log:140: ")));
    assert_eq!(v["incident_window"]["found"], true);
}

#[test]
fn endpoint_and_upstream_tables_are_drawn_when_filled() {
    use super::model::{EndpointRow, UpstreamRow};
    let mut r = incident_report();
    r.endpoints.push(EndpointRow {
        route: "POST /api/checkout/<script>".into(),
        requests: 1200,
        server_errors: 360,
        error_rate: 0.3,
        p99_ms: Some(2500.0),
        ..EndpointRow::default()
    });
    r.upstreams.push(UpstreamRow {
        host: "payments.example.com".into(),
        calls: 800,
        failures: 200,
        timeouts: 120,
        refused: 30,
        rate_limited: 50,
        failure_rate: Some(0.25),
        ..UpstreamRow::default()
    });
    let t = render_report(&r, OutputFormat::Table, false, 80);
    assert!(
        t.contains("ROUTES") && t.contains("POST /api/checkout/<script>"),
        "{t}"
    );
    assert!(
        t.contains("UPSTREAMS") && t.contains("payments.example.com"),
        "{t}"
    );
    let m = render_report(&r, OutputFormat::Markdown, false, 80);
    assert!(
        m.contains("**Routes**")
            && m.contains("| `payments.example.com` | 800 | 200 (25%) | 120 | 30 | 50 |"),
        "{m}"
    );
    assert!(t.contains("refused"), "{t}");
    let h = render_report(&r, OutputFormat::Html, false, 80);
    assert!(h.contains("id=\"endpoints\"") && h.contains("POST /api/checkout/&lt;script&gt;"));
    assert!(h.contains("id=\"upstreams\""));
    let j = render_report(&r, OutputFormat::Json, false, 80);
    let v: serde_json::Value = serde_json::from_str(&j).expect("json");
    assert_eq!(v["endpoints"][0]["server_errors"], 360);
    assert_eq!(v["upstreams"][0]["timeouts"], 120);
    assert_eq!(v["upstreams"][0]["refused"], 30);
}

/// A finding's caveats ("few samples", "examples from before the burst") reach every
/// medium, Markdown included: the pasted summary must not sound surer than the terminal.
/// A factor against a normal of zero is a capped stand-in, not a measured ratio: every
/// renderer says there was none, and only a real ratio reads `×N normal`.
#[test]
fn a_factor_against_nothing_reads_normal_none() {
    let mut r = incident_report();
    r.findings[0].factor = Some(100.0);
    r.findings[0].baseline_rate = Some(0.0);
    r.findings.truncate(1);
    for f in [
        OutputFormat::Table,
        OutputFormat::Markdown,
        OutputFormat::Html,
    ] {
        let s = render_report(&r, f, false, 120);
        assert!(s.contains("normal: none"), "{f:?}:\n{s}");
        assert!(!s.contains("×100.0 normal"), "{f:?}:\n{s}");
    }
    r.findings[0].baseline_rate = Some(0.4);
    r.findings[0].factor = Some(12.5);
    let s = render_report(&r, OutputFormat::Table, false, 120);
    assert!(s.contains("×12.5 normal"), "{s}");
}

#[test]
fn notes_are_in_terminal_markdown_and_html() {
    let mut r = incident_report();
    r.findings[0]
        .notes
        .push("few samples (2): weak evidence, may be a one-off".into());
    r.findings[0].count = 1;
    for f in [
        OutputFormat::Table,
        OutputFormat::Markdown,
        OutputFormat::Html,
    ] {
        let s = render_report(&r, f, false, 120);
        assert!(s.contains("few samples (2): weak evidence"), "{f:?}:\n{s}");
    }
    let m = render_report(&r, OutputFormat::Markdown, false, 120);
    assert!(
        m.contains(" — 1 event,") || m.contains(" — 1 event\n"),
        "{m}"
    );
}

#[test]
fn an_uncertain_onset_is_shown_in_terminal_markdown_and_html() {
    let mut r = incident_report();
    let base = r.incident_window.start_ms.unwrap_or(0);
    r.incident_window.onset_interval_ms = Some((base - 120_000, base));
    r.incident_window.onset_interval = Some([
        "2026-11-27T10:38:00Z".to_string(),
        "2026-11-27T10:40:00Z".to_string(),
    ]);
    let t = render_report(&r, OutputFormat::Table, false, 100);
    assert!(
        t.contains("the rise began between 10:38:00Z and 10:40:00Z"),
        "{t}"
    );
    let m = render_report(&r, OutputFormat::Markdown, false, 100);
    assert!(
        m.contains("; the rise began between 2026-11-27T10:38:00Z and 2026-11-27T10:40:00Z)"),
        "{m}"
    );
    let h = render_report(&r, OutputFormat::Html, false, 100);
    assert!(
        h.contains("The rise began between 2026-11-27T10:38:00Z and 2026-11-27T10:40:00Z"),
        "{h}"
    );
    // Without one, neither says anything of the kind.
    let plain = render(OutputFormat::Table, false, 100);
    assert!(!plain.contains("the rise began"), "{plain}");
}

/// A last bucket of two events, both errors, is not drawn as the error-rate peak: the real
/// peak (the incident's buckets) stays the top of the scale, in the terminal and the SVG.
#[test]
fn a_bucket_of_a_few_events_does_not_set_the_rate_scale() {
    let mut r = incident_report();
    r.timeline.events.push(2);
    r.timeline.errors.push(2);
    r.timeline.warnings.push(0);
    let s = render_report(&r, OutputFormat::Table, false, 120);
    let line = s
        .lines()
        .find(|l| l.trim_start().starts_with("error rate "))
        .unwrap_or_else(|| panic!("no rate line:\n{s}"));
    let cells = line.trim_start().trim_start_matches("error rate").trim();
    assert!(cells.contains('9'), "{line}");
    assert!(cells.ends_with('.'), "{line}");
    // The chart's rate axis tops out near the incident's rate, not at 100%.
    let h = render_report(&r, OutputFormat::Html, false, 120);
    assert!(
        !h.contains(">100%<"),
        "rate axis scaled to the 2-event bucket"
    );
}
