//! An upstream's trouble leads its incident when the app logs it as JSON, with the host in a
//! field (`{"msg":"upstream call timed out","upstream":"payments.example"}`) rather than in
//! the message: the report's top finding and headline name the host in every output
//! format, and an error about something else that starts in the same minute keeps the lead.

mod summary_util;

use summary_util::*;

/// 2026-11-27T00:00:00Z.
const DAY: i64 = 1_795_737_600;

fn line(secs: i64, fields: &str) -> String {
    format!("{{\"ts\":\"{}\",{fields}}}\n", ts(DAY + secs))
}

/// Six hours of a checkout service's JSON log: a call to `payments.example` every 20 s, a
/// cache refresh a minute, and three timeouts of that upstream over the first hours. From
/// 04:00, 40 events in 25 minutes of `burst` (`{"level":…,"msg":…}` fields), and `extra`
/// timeouts of the upstream at the same time.
fn day(burst: &str, extra: usize) -> String {
    const OK: &str = r#""level":"info","msg":"request completed","service":"checkout","http":{"method":"POST","path":"/api/v1/checkout","status":201,"latency_ms":150.0},"upstream":"payments.example""#;
    const CACHE: &str = r#""level":"info","msg":"cache refreshed","service":"orders""#;
    const TIMEOUT: &str = r#""level":"error","msg":"upstream call timed out","service":"checkout","upstream":"payments.example","timeout_ms":30000"#;
    let mut ev: Vec<(i64, &str)> = Vec::new();
    ev.extend((0..6 * 3600).step_by(20).map(|s| (s, OK)));
    ev.extend((7..6 * 3600).step_by(60).map(|s| (s, CACHE)));
    ev.extend([2403, 6603, 11403].map(|s| (s, TIMEOUT)));
    ev.extend((0..40).map(|k| (4 * 3600 + 11 + k * 37, burst)));
    ev.extend((0..extra as i64).map(|k| (4 * 3600 + 15 + k * 90, TIMEOUT)));
    ev.sort_by_key(|&(s, _)| s);
    ev.into_iter().map(|(s, f)| line(s, f)).collect()
}

fn summary(d: &Dir, format: &str) -> String {
    let o = run(d, &["summary", "-q", "-o", format, "api.jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn an_upstream_named_in_a_json_field_leads_its_incident() {
    let d = Dir::new();
    d.write(
        "api.jsonl",
        day(
            r#""level":"error","msg":"upstream call timed out","service":"checkout","upstream":"payments.example","timeout_ms":30000"#,
            0,
        )
        .as_bytes(),
    );
    let doc: serde_json::Value = serde_json::from_str(&summary(&d, "json")).expect("JSON");
    let top = &doc["findings"][0];
    assert_eq!(top["kind"], "upstream_timeout", "{top:#}");
    assert_eq!(top["upstream"], "payments.example");
    let title = top["title"].as_str().expect("title");
    assert!(title.starts_with("payments.example: "), "{title}");
    // The app's template is the same incident, told under it.
    let related = top["details"]["related"].as_array().expect("related");
    assert!(
        related
            .iter()
            .any(|r| r["template"] == "upstream call timed out"),
        "{related:#?}"
    );
    let headline = doc["headline"].as_str().expect("headline");
    assert!(
        headline.contains(&format!(
            "top finding: {title} (since 04:00:00Z, 40 events)"
        )),
        "{headline}"
    );
    // The app's line only says the same again: the headline does not repeat it.
    assert!(!headline.contains("logged with"), "{headline}");
    // The other formats say the same.
    let md = summary(&d, "markdown");
    assert!(md.contains(&format!("**What broke:** {title}")), "{md}");
    assert!(md.contains(&format!("1. **CRITICAL** {title}")), "{md}");
    // The terminal wraps the headline: read its lines as one.
    let table = summary(&d, "table");
    let headline: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with('▶'))
        .take_while(|l| !l.is_empty())
        .map(str::trim)
        .collect();
    assert!(
        headline
            .join(" ")
            .contains(&format!("top finding: {title}")),
        "{table}"
    );
    assert!(
        table.contains("│ 1 ┆ CRITICAL ┆ payments.example: "),
        "{table}"
    );
    assert!(summary(&d, "html").contains(&format!("top finding: {title}")));
}

#[test]
fn an_error_about_something_else_in_the_same_minute_keeps_the_lead() {
    // A new NullPointerException from 04:00, and 12 timeouts of the upstream meanwhile: one
    // incident, but the exception's lines name no host, so it stays what the report leads with.
    let d = Dir::new();
    d.write(
        "api.jsonl",
        day(
            r#""level":"error","msg":"NullPointerException in OrderMapper.toDto","service":"orders""#,
            12,
        )
        .as_bytes(),
    );
    let doc: serde_json::Value = serde_json::from_str(&summary(&d, "json")).expect("JSON");
    let top = &doc["findings"][0];
    assert_eq!(top["kind"], "new_error", "{top:#}");
    assert!(
        top["title"]
            .as_str()
            .is_some_and(|t| t.contains("NullPointerException")),
        "{top:#}"
    );
    let related = top["details"]["related"].as_array().expect("related");
    assert!(
        related.iter().any(|r| r["upstream"] == "payments.example"),
        "{related:#?}"
    );
}

/// A Django app whose database refuses connections: Django logs `Internal Server Error:
/// /api/orders/` with a traceback ending in libpq's `connection to server at "db-primary"
/// (10.0.3.7), port 5432 failed: Connection refused`. The report leads with the server the
/// app asked for (not the address it resolved to) and says the exception it was logged with.
#[test]
fn a_database_refusing_connections_is_named_as_the_app_named_it() {
    let mut log = String::new();
    for k in 0..3600i64 {
        let stamp = ts(DAY + k);
        let stamp = format!("{} {},000", &stamp[..10], &stamp[11..19]);
        let failing = k >= 2700 && k % 3 == 0;
        if failing {
            log.push_str(&format!(
                "{stamp} ERROR Internal Server Error: /api/orders/\nTraceback (most recent call last):\n  File \"/app/orders/views.py\", line 41, in create\n    order.save()\npsycopg2.OperationalError: connection to server at \"db-primary\" (10.0.3.7), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
            ));
        } else {
            log.push_str(&format!("{stamp} INFO order {k} listed in 12ms\n"));
        }
    }
    let d = Dir::new();
    d.write("app.log", log.as_bytes());
    let o = run(&d, &["summary", "-q", "-o", "json", "app.log"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let top = &v["findings"][0];
    assert_eq!(top["upstream"], "db-primary:5432", "{top:#}");
    let headline = v["headline"].as_str().unwrap_or_default();
    assert!(
        headline.contains("top finding: db-primary:5432: 300 failed connections")
            && headline.contains("logged with OperationalError: connection to server at"),
        "{headline}"
    );
    assert!(!headline.contains("10.0.3.7"), "{headline}");
}

/// Nginx in front of an app that stopped accepting connections: the access log's route
/// fails with 502 and the error log names the backend. The headline names the route and,
/// with it, the backend's refused connections.
#[test]
fn a_failing_routes_headline_names_the_backend_refusing_it() {
    let (mut access, mut error) = (String::new(), String::new());
    for k in 0..3600i64 {
        let t = ts(DAY + k);
        let (date, time) = (&t[..10], &t[11..19]);
        let clf_date = format!("{}/Nov/2026:{time} +0000", &date[8..10]);
        let (path, bad) = match k % 3 {
            0 => ("/api/orders", k >= 3000),
            1 => ("/api/products/7", false),
            _ => ("/static/app.js", false),
        };
        let status = if bad { 502 } else { 200 };
        access.push_str(&format!(
            "10.0.0.9 - - [{clf_date}] \"POST {path} HTTP/1.1\" {status} 157 \"-\" \"curl/8.0\"\n"
        ));
        if bad {
            error.push_str(&format!(
                "{} {time} [error] 31#31: *{k} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: shop.example, request: \"POST {path} HTTP/1.1\", upstream: \"http://10.0.2.15:8080{path}\", host: \"shop.example\"\n",
                date.replace('-', "/")
            ));
        }
    }
    let d = Dir::new();
    d.write("access.log", access.as_bytes());
    d.write("error.log", error.as_bytes());
    let o = run(
        &d,
        &["summary", "-q", "-o", "json", "access.log", "error.log"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let headline = v["headline"].as_str().unwrap_or_default();
    assert!(
        headline.contains("top finding: POST /api/orders: 100.0% of requests failing (502)")
            && headline.ends_with(", with 10.0.2.15:8080: 200 failed connections."),
        "{headline}"
    );
}
