//! The HTML report's structure: one self-contained page with the findings table, the
//! error-rate chart with the incident window, sparklines, and everything from the logs
//! escaped. (The real-browser check is `tests/browser/check_html.sh`.)

mod summary_util;

use summary_util::*;

fn html_for(d: &Dir, args: &[&str]) -> String {
    let o = run(d, args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
}

/// Every opening tag of `name` is closed (a cheap well-formedness check for our own markup).
fn balanced(html: &str, name: &str) -> bool {
    let open =
        html.matches(&format!("<{name}>")).count() + html.matches(&format!("<{name} ")).count();
    let close = html.matches(&format!("</{name}>")).count();
    open == close
}

#[test]
fn page_is_well_formed_without_timestamps() {
    let d = Dir::new();
    d.write(
        "a.log",
        b"ERROR <b>bold</b> & \"quoted\" failed\nINFO fine\n",
    );
    let h = html_for(&d, &["a.log", "-o", "html"]);
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.trim_end().ends_with("</html>"));
    for tag in [
        "html", "head", "body", "main", "section", "table", "tr", "td", "th", "svg", "pre", "code",
        "div",
    ] {
        assert!(balanced(&h, tag), "unbalanced <{tag}>");
    }
    assert!(
        h.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"),
        "{h}"
    );
    assert!(!h.contains("<b>bold"));
    // No time: the page says so instead of drawing an empty chart.
    assert!(h.contains("no event has a timestamp"), "{h}");
    assert!(!h.contains("id=\"timeline-chart\""));
    assert!(h.contains("id=\"findings\""));
    assert!(h.contains("id=\"input\""));
}

#[test]
fn findings_have_badges_evidence_and_sparklines() {
    // A baseline gives findings without needing timestamps.
    let d = Dir::new();
    d.write("base.log", b"INFO ok\nINFO ok\n");
    d.write(
        "cur.log",
        b"INFO ok\nERROR disk <full> on /var\nERROR disk <full> on /var\n",
    );
    let h = html_for(&d, &["cur.log", "--baseline", "base.log", "-o", "html"]);
    assert!(h.contains("<table class=\"findings\">"), "{h}");
    assert!(
        h.contains("class=\"finding\" data-kind=\"new_error\""),
        "{h}"
    );
    assert!(h.contains("class=\"badge sev-"), "{h}");
    assert!(
        h.contains("<span class=\"loc\">cur.log:2</span>: ERROR disk &lt;full&gt; on /var"),
        "{h}"
    );
    assert!(balanced(&h, "tr") && balanced(&h, "table"));
}

#[test]
fn chart_marks_the_incident_window() {
    if !parser_has_time("chart_marks_the_incident_window") {
        return;
    }
    let d = Dir::new();
    d.write(
        "app.log",
        incident_log("<script>alert('x')</script>").as_bytes(),
    );
    let h = html_for(&d, &["app.log", "-o", "html"]);
    assert!(h.contains("id=\"timeline-chart\""), "no chart");
    assert!(h.contains("class=\"window\""), "incident window not marked");
    assert!(h.contains("class=\"rate\""), "no error-rate line");
    assert!(h.matches("class=\"spark\"").count() >= 2, "no sparklines");
    assert!(!h.to_lowercase().contains("<script"));
    assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(balanced(&h, "svg") && balanced(&h, "section"));
}
