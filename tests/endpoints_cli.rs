//! `faultline endpoints` on generated scenario logs of every kind: access logs, JSON request
//! logs, logfmt router logs and mixed inputs. One route starts failing at a known minute, an
//! external API times out or rate-limits; both must head the findings with the right onset,
//! and percentiles must match a direct computation (nearest rank) within 1%.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const START: i64 = 1_795_687_200; // 2026-11-27T10:00:00Z
const ONSET_MIN: i64 = 40;
const TIMEOUT_MIN: i64 = 45;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One generated request.
struct Req {
    t: i64,
    method: &'static str,
    path: String,
    status: u16,
    /// Latency in whole milliseconds (exactly representable in every format).
    ms: u64,
    trace: String,
    region: &'static str,
}

/// 60 minutes of traffic: orders by id, user profiles by name, checkout failing with 502
/// for ~30% of requests from minute 40, all from region eu-west-1.
fn scenario() -> Vec<Req> {
    let mut rng = Lcg(42);
    let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
        "xena", "yolanda", "zoe",
    ];
    let mut out = Vec::new();
    for s in 0..3600i64 {
        let t = START + s;
        out.push(Req {
            t,
            method: "GET",
            path: format!("/api/v1/orders/{}?expand=items", 10_000 + rng.below(90_000)),
            status: if rng.below(1000) == 0 { 404 } else { 200 },
            ms: 5 + rng.below(60) + if rng.below(50) == 0 { 400 } else { 0 },
            trace: format!("o{s}"),
            region: if rng.below(2) == 0 {
                "us-east-1"
            } else {
                "eu-west-1"
            },
        });
        if s % 3 == 0 {
            let region = if rng.below(2) == 0 {
                "us-east-1"
            } else {
                "eu-west-1"
            };
            let failing = s >= ONSET_MIN * 60 && region == "eu-west-1" && rng.below(10) < 6;
            out.push(Req {
                t,
                method: "POST",
                path: "/api/v1/checkout".into(),
                status: if failing { 502 } else { 200 },
                ms: if failing { 30_000 } else { 80 + rng.below(120) },
                trace: format!("c{s}"),
                region,
            });
        }
        if s % 7 == 0 {
            out.push(Req {
                t,
                method: "GET",
                path: format!("/users/{}", names[rng.below(names.len() as u64) as usize]),
                status: 200,
                ms: 3 + rng.below(10),
                trace: format!("u{s}"),
                region: "us-east-1",
            });
        }
    }
    out
}

fn rfc3339(t: i64) -> String {
    let ts = jiff::Timestamp::from_second(t).unwrap();
    format!("{ts:.0}")
}

fn clf_time(t: i64) -> String {
    let z = jiff::Timestamp::from_second(t)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC);
    z.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

fn access_log(reqs: &[Req]) -> String {
    let mut s = String::new();
    for r in reqs {
        s.push_str(&format!(
            "10.1.{}.{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"-\" \"Mozilla/5.0\" {}.{:03}\n",
            r.t % 7,
            r.t % 250,
            clf_time(r.t),
            r.method,
            r.path,
            r.status,
            100 + r.ms,
            r.ms / 1000,
            r.ms % 1000
        ));
    }
    s
}

/// The requests as an Azure App Service IIS log: W3C columns named by the `#Fields:`
/// directive (not IIS's default 15), time-taken in ms, the region's server as
/// `s-computername`.
fn w3c_log(reqs: &[Req]) -> String {
    let mut s = String::from(
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n\
         #Fields: date time s-sitename s-computername cs-method cs-uri-stem cs-uri-query s-port \
         cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus \
         sc-win32-status sc-bytes cs-bytes time-taken\n",
    );
    for r in reqs {
        let ts = jiff::Timestamp::from_second(r.t)
            .unwrap()
            .strftime("%Y-%m-%d %H:%M:%S");
        let (stem, query) = r.path.split_once('?').unwrap_or((&r.path, "-"));
        let server = if r.region == "eu-west-1" {
            "RD-EU-7"
        } else {
            "RD-US-2"
        };
        s.push_str(&format!(
            "{ts} SHOP {server} {} {stem} {query} 443 - 10.1.{}.{} Mozilla/5.0+(X11) - \
             shop.example.com {} 0 0 {} 300 {}\n",
            r.method,
            r.t % 7,
            r.t % 250,
            r.status,
            100 + r.ms,
            r.ms
        ));
    }
    s
}

fn json_log(reqs: &[Req]) -> String {
    let mut s = String::new();
    for r in reqs {
        if r.status == 502 {
            // The application error, logged before the request line, linked by trace id.
            s.push_str(&format!(
                "{{\"ts\":\"{}\",\"level\":\"error\",\"msg\":\"charge failed: payment backend returned bad gateway\",\"trace_id\":\"{}\"}}\n",
                rfc3339(r.t),
                r.trace
            ));
        }
        s.push_str(&format!(
            "{{\"ts\":\"{}\",\"level\":\"{}\",\"msg\":\"request completed\",\"method\":\"{}\",\"path\":\"{}\",\"status\":{},\"duration_ms\":{},\"trace_id\":\"{}\",\"region\":\"{}\"}}\n",
            rfc3339(r.t),
            if r.status >= 500 { "error" } else { "info" },
            r.method,
            r.path,
            r.status,
            r.ms,
            r.trace,
            r.region
        ));
    }
    s
}

fn logfmt_log(reqs: &[Req]) -> String {
    let mut s = String::new();
    for r in reqs {
        if r.status >= 500 {
            s.push_str(&format!(
                "time={} at=error code=H12 desc=\"Request timeout\" method={} path=\"{}\" host=shop.herokuapp.com request_id={} fwd=\"10.0.0.1\" dyno=web.2 connect=1ms service=30000ms status=503 bytes=0\n",
                rfc3339(r.t), r.method, r.path, r.trace
            ));
        } else {
            s.push_str(&format!(
                "time={} at=info method={} path=\"{}\" host=shop.herokuapp.com request_id={} fwd=\"10.0.0.1\" dyno=web.{} connect=1ms service={}ms status={} bytes=120\n",
                rfc3339(r.t), r.method, r.path, r.trace, 1 + r.t % 2, r.ms, r.status
            ));
        }
    }
    s
}

/// Application log: payments.example.com times out from minute 45; the partner API
/// rate-limits a few times an hour all along.
fn app_log() -> String {
    let mut s = String::new();
    for m in 0..60i64 {
        let t = START + m * 60;
        s.push_str(&format!("{} INFO worker heartbeat ok\n", rfc3339(t)));
        if m >= TIMEOUT_MIN {
            for k in 0..4 {
                s.push_str(&format!(
                    "{} ERROR Call to payments.example.com timed out after 30000ms\n",
                    rfc3339(t + k * 15)
                ));
            }
        }
        if m % 20 == 5 {
            s.push_str(&format!(
                "{} WARN HTTP 429 Too Many Requests from api.partner.com, Retry-After: 30\n",
                rfc3339(t + 7)
            ));
        }
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn faultline(args: &[&str], paths: &[&Path]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .args(paths)
        .output()
        .expect("run faultline");
    assert!(
        out.status.code().is_some(),
        "killed by a signal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

fn endpoints_json(paths: &[&Path], extra: &[&str]) -> Value {
    let mut args = vec!["endpoints", "--output", "json", "--quiet"];
    args.extend_from_slice(extra);
    let (out, code) = faultline(&args, paths);
    assert_eq!(code, 0, "{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad json ({e}): {out}"))
}

/// The string `field` of every object in the array `list`.
fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap())
        .collect()
}

/// No route of the `endpoints` document has `part` in its name.
fn assert_no_route_containing(doc: &Value, part: &str) {
    assert!(
        !strings(&doc["routes"], "route")
            .iter()
            .any(|r| r.contains(part)),
        "{part}: {:#}",
        doc["routes"]
    );
}

fn route<'a>(doc: &'a Value, key: &str) -> &'a Value {
    doc["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == key)
        .unwrap_or_else(|| panic!("no route {key} in {:#}", doc["routes"]))
}

fn nearest_rank(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((q * v.len() as f64).ceil() as usize).max(1) - 1]
}

fn check_percentiles(doc: &Value, key: &str, reqs: &[Req], pred: impl Fn(&Req) -> bool) {
    let mut lat: Vec<f64> = reqs
        .iter()
        .filter(|r| pred(r))
        .map(|r| r.ms as f64)
        .collect();
    let l = &route(doc, key)["latency"];
    for (name, q) in [
        ("p50_ms", 0.5),
        ("p90_ms", 0.9),
        ("p99_ms", 0.99),
        ("max_ms", 1.0),
    ] {
        let exact = nearest_rank(&mut lat, q);
        let got = l[name]
            .as_f64()
            .unwrap_or_else(|| panic!("{name} missing: {l}"));
        assert!(
            (got - exact).abs() <= exact * 0.01,
            "{key} {name}: got {got}, exact {exact}"
        );
    }
}

/// Time (s) of the first failing checkout: the true onset.
/// The failing-route finding and its over-represented value of `field`.
fn failing_route_contrast<'a>(doc: &'a Value, field: &str) -> (&'a Value, &'a Value) {
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "failing_route")
        .expect("failing route finding");
    let over = f["details"]["over_represented"].as_array().unwrap();
    let c = over
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("{field} contrast: {over:#?}"));
    (f, c)
}

fn first_failure(reqs: &[Req]) -> i64 {
    reqs.iter()
        .filter(|r| r.status >= 500)
        .map(|r| r.t)
        .min()
        .unwrap()
}

fn check_failing_checkout(doc: &Value, reqs: &[Req]) {
    let findings = doc["findings"].as_array().unwrap();
    let fr = findings
        .iter()
        .position(|f| f["kind"] == "failing_route")
        .expect("failing route finding");
    assert!(
        fr <= 1,
        "failing route should head the findings: {findings:#?}"
    );
    let f = &findings[fr];
    assert_eq!(f["route"], "POST /api/v1/checkout");
    let onset = f["start"].as_i64().unwrap() / 1000;
    // Within two buckets (the series resolution is 2 s for one hour) of the first failure.
    let first = first_failure(reqs);
    assert!(first - START >= ONSET_MIN * 60);
    assert!(
        (onset - first).abs() <= 4,
        "onset {} s after start, first failure at {}",
        onset - START,
        first - START
    );
    assert!(f["end"].is_null(), "still failing at the end");
    assert_eq!(doc["routes"][0]["route"], "POST /api/v1/checkout");
}

#[test]
fn access_log_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let p = write(dir.path(), "access.log", &access_log(&reqs));
    let doc = endpoints_json(&[&p], &[]);
    check_failing_checkout(&doc, &reqs);
    route(&doc, "GET /api/v1/orders/{id}");
    route(&doc, "GET /users/{name}");
    check_percentiles(&doc, "GET /api/v1/orders/{id}", &reqs, |r| {
        r.path.starts_with("/api/v1/orders/")
    });
    check_percentiles(&doc, "POST /api/v1/checkout", &reqs, |r| {
        r.path == "/api/v1/checkout"
    });
    let checkout = route(&doc, "POST /api/v1/checkout");
    let failed = reqs.iter().filter(|r| r.status == 502).count() as u64;
    assert_eq!(checkout["failed"].as_u64(), Some(failed));
    assert_eq!(checkout["statuses"][1]["status"], 502);
}

#[test]
fn w3c_log_with_its_own_columns() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let p = write(dir.path(), "u_ex240305.log", &w3c_log(&reqs));
    let doc = endpoints_json(&[&p], &[]);
    check_failing_checkout(&doc, &reqs);
    route(&doc, "GET /users/{name}");
    check_percentiles(&doc, "GET /api/v1/orders/{id}", &reqs, |r| {
        r.path.starts_with("/api/v1/orders/")
    });
    check_percentiles(&doc, "POST /api/v1/checkout", &reqs, |r| {
        r.path == "/api/v1/checkout"
    });
    // The failures all come from one server, which the contrast names.
    let (_, server) = failing_route_contrast(&doc, "s-computername");
    assert_eq!(server["value"], "RD-EU-7");
    assert_eq!(server["failing_share"].as_f64(), Some(1.0));
    // The summary's error-rate finding names the route, not the `POST <PATH>` template.
    let (out, code) = faultline(&["summary", "-o", "json"], &[&p]);
    assert_eq!(code, 0);
    let sum: Value = serde_json::from_str(&out).unwrap();
    let rate = sum["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "error_rate_spike")
        .unwrap_or_else(|| panic!("error rate finding: {sum:#}"));
    assert_eq!(rate["route"], "POST /api/v1/checkout", "{rate:#}");
}

#[test]
fn json_request_log_scenario_links_errors_and_contrasts() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let p = write(dir.path(), "requests.jsonl", &json_log(&reqs));
    let doc = endpoints_json(&[&p], &[]);
    check_failing_checkout(&doc, &reqs);
    check_percentiles(&doc, "GET /api/v1/orders/{id}", &reqs, |r| {
        r.path.starts_with("/api/v1/orders/")
    });
    let checkout = route(&doc, "POST /api/v1/checkout");
    let tpl = checkout["error_templates"].as_array().unwrap();
    assert!(
        tpl.iter().any(|t| t["template"]
            .as_str()
            .unwrap_or("")
            .contains("charge failed")),
        "linked error template: {tpl:#?}"
    );
    let (f, region) = failing_route_contrast(&doc, "region");
    assert_eq!(region["value"], "eu-west-1");
    assert_eq!(region["failing_share"].as_f64(), Some(1.0));
    // ...and says so in words where the reader looks first.
    let working = region["working_share"].as_f64().unwrap();
    let note = format!(
        "failing requests: region=eu-west-1 in 100% (working requests: {:.0}%)",
        100.0 * working
    );
    let notes = f["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n == note.as_str()), "{notes:#?}");
}

/// A JSON request log writes `request completed` for every request, at error for a 5xx; the
/// application's own error comes for only some of the failures. The finding's template is
/// the error, though the generic request record is linked more often.
#[test]
fn failing_route_names_the_error_not_the_request_record() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let text: String = json_log(&reqs)
        .lines()
        .enumerate()
        .filter(|(i, l)| !l.contains("charge failed") || i % 3 == 0)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let p = write(dir.path(), "requests.jsonl", &text);
    let doc = endpoints_json(&[&p], &[]);
    let (f, _) = failing_route_contrast(&doc, "region");
    let tpl = f["details"]["error_templates"].as_array().unwrap();
    assert_eq!(tpl[1]["template"], "request completed", "{tpl:#?}");
    assert!(
        tpl[1]["count"].as_u64() > tpl[0]["count"].as_u64(),
        "{tpl:#?}"
    );
    assert!(
        f["template"]
            .as_str()
            .is_some_and(|t| t.starts_with("charge failed")),
        "{f:#}"
    );
}

#[test]
fn logfmt_router_log_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let p = write(dir.path(), "router.log", &logfmt_log(&reqs));
    let doc = endpoints_json(&[&p], &[]);
    check_failing_checkout(&doc, &reqs);
    let checkout = route(&doc, "POST /api/v1/checkout");
    assert_eq!(checkout["statuses"][1]["status"], 503);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "failing_route")
        .unwrap();
    let over = f["details"]["over_represented"].as_array().unwrap();
    assert!(
        over.iter()
            .any(|c| c["field"] == "code" && c["value"] == "H12"),
        "H12 over-represented: {over:#?}"
    );
}

/// The same requests in an access log, a JSON request log and a router log are counted once
/// (from the view that saw most, here a tie broken by name: access), with the others named;
/// two shards of one access log add up.
#[test]
fn same_traffic_in_several_logs_is_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let a = write(dir.path(), "access.log", &access_log(&reqs));
    let j = write(dir.path(), "requests.jsonl", &json_log(&reqs));
    let l = write(dir.path(), "router.log", &logfmt_log(&reqs));
    let n = |key: &str| reqs.iter().filter(|r| r.path.starts_with(key)).count() as u64;
    let alone = endpoints_json(&[&a], &[]);
    let doc = endpoints_json(&[&a, &j, &l], &[]);
    let checkout = route(&doc, "POST /api/v1/checkout");
    assert_eq!(checkout["requests"].as_u64(), Some(n("/api/v1/checkout")));
    assert_eq!(checkout["counted_from"], "access");
    assert_eq!(strings(&checkout["also_seen"], "log"), ["json", "logfmt"]);
    assert_eq!(doc["requests"], alone["requests"]);
    assert_eq!(
        checkout["failed"],
        route(&alone, "POST /api/v1/checkout")["failed"]
    );
    check_failing_checkout(&doc, &reqs);
    // Shards: the first and second half of the access log, as two files.
    let half = reqs.len() / 2;
    let s1 = write(dir.path(), "web1-access.log", &access_log(&reqs[..half]));
    let s2 = write(dir.path(), "web2-access.log", &access_log(&reqs[half..]));
    let shards = endpoints_json(&[&s1, &s2], &[]);
    assert_eq!(
        route(&shards, "POST /api/v1/checkout")["requests"].as_u64(),
        Some(n("/api/v1/checkout"))
    );
    assert_eq!(shards["requests"], alone["requests"]);
    // The table says where the counts come from.
    let (out, code) = faultline(&["endpoints", "--quiet"], &[&a, &j, &l]);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "counted once, from the one that saw most of them (access); also seen in: json, logfmt"
        ),
        "{out}"
    );
}

#[test]
fn mixed_inputs_name_failing_route_and_timing_out_api() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let a = write(dir.path(), "access.log", &access_log(&reqs));
    let b = write(dir.path(), "app.log", &app_log());
    let doc = endpoints_json(&[&a, &b], &[]);
    let findings = doc["findings"].as_array().unwrap();
    let kinds: Vec<&str> = findings
        .iter()
        .take(2)
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"failing_route"), "{kinds:?}");
    assert!(kinds.contains(&"upstream_timeout"), "{kinds:?}");
    let up = findings
        .iter()
        .find(|f| f["kind"] == "upstream_timeout")
        .unwrap();
    assert_eq!(up["upstream"], "payments.example.com");
    assert_eq!(up["count"], 60);
    assert_eq!(
        up["start"].as_i64(),
        Some((START + TIMEOUT_MIN * 60) * 1000)
    );
    let rl = findings
        .iter()
        .find(|f| f["kind"] == "rate_limited")
        .expect("rate limited");
    assert_eq!(rl["upstream"], "api.partner.com");
    assert_eq!(rl["details"]["retry_after_max_s"], 30);
    assert_eq!(
        strings(&doc["upstreams"], "host")[0],
        "payments.example.com"
    );
}

#[test]
fn same_result_for_any_thread_count_and_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let a = write(dir.path(), "requests.jsonl", &json_log(&reqs));
    let b = write(dir.path(), "app.log", &app_log());
    let one = endpoints_json(&[&a, &b], &["--threads", "1"]);
    let many = endpoints_json(&[&a, &b], &["--threads", "4", "--chunk-size", "20000"]);
    assert_eq!(one, many);
    assert!(!one["routes"].as_array().unwrap().is_empty());
}

#[test]
fn route_filter_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = scenario();
    let p = write(dir.path(), "access.log", &access_log(&reqs));
    let doc = endpoints_json(&[&p], &["--route", "/users"]);
    let routes = doc["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0]["route"], "GET /users/{name}");
    let (md, code) = faultline(&["endpoints", "--output", "markdown", "--quiet"], &[&p]);
    assert_eq!(code, 0);
    assert!(md.contains("| `POST /api/v1/checkout` |"), "{md}");
    let (table, code) = faultline(&["endpoints", "--quiet"], &[&p]);
    assert_eq!(code, 0);
    assert!(table.contains("POST /api/v1/checkout"), "{table}");
}

#[test]
fn upstreams_from_plain_error_messages() {
    // Works with any record parser: the messages themselves name the hosts. (Right after a
    // stamped line, a bare `Error:` line would be that event's Node.js stack.)
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "error.log",
        "2026/11/27 10:00:01 [error] 31#31: *5 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: shop.example.com, request: \"POST /api/v1/checkout HTTP/1.1\", upstream: \"http://10.0.0.7:8080/api/v1/checkout\", host: \"shop.example.com\"\n\
         2026/11/27 10:00:02 [error] 31#31: *6 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: shop.example.com, request: \"POST /api/v1/checkout HTTP/1.1\", upstream: \"http://10.0.0.7:8080/api/v1/checkout\", host: \"shop.example.com\"\n\
         2026/11/27 10:00:03 [error] 31#31: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: shop.example.com, request: \"GET /api/v1/cart HTTP/1.1\", upstream: \"http://10.0.0.8:8080/api/v1/cart\", host: \"shop.example.com\"\n\
         HTTP 429 Too Many Requests from api.partner.com, Retry-After: 30\n\
         Error: connect ECONNREFUSED 10.0.0.8:8080\n\
         user alice logged in\n",
    );
    let doc = endpoints_json(&[&p], &[]);
    let ups = doc["upstreams"].as_array().unwrap();
    let find = |h: &str| {
        ups.iter()
            .find(|u| u["host"] == h)
            .unwrap_or_else(|| panic!("{h}: {ups:#?}"))
    };
    assert_eq!(find("10.0.0.7:8080")["timeouts"], 2);
    assert_eq!(find("10.0.0.8:8080")["refused"], 2);
    assert_eq!(find("api.partner.com")["rate_limited"], 1);
    assert_eq!(find("api.partner.com")["retry_after_max_s"], 30);
    assert_eq!(ups.len(), 3, "{ups:#?}");
}

/// An app log whose lines quote the requests it served (a Python WSGI server behind its
/// logging header): the routes, statuses and latencies are found in it.
#[test]
fn requests_quoted_in_an_app_log_are_routes() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for i in 0..40 {
        let (status, time) = if i % 4 == 0 { (503, 1.5) } else { (200, 0.25) };
        log.push_str(&format!(
            "2024-03-05 10:{i:02}:00.008 25746 INFO api.wsgi.server [req-{i}] 10.0.0.1 \
             \"GET /v2/items/{} HTTP/1.1\" status: {status} len: 1893 time: {time}\n",
            1000 + i
        ));
        log.push_str(&format!(
            "2024-03-05 10:{i:02}:30,123 INFO werkzeug: 127.0.0.1 - - \"POST /login HTTP/1.1\" 401 -\n"
        ));
    }
    let p = write(dir.path(), "api.log", &log);
    let doc = endpoints_json(&[&p], &[]);
    let items = route(&doc, "GET /v2/items/{id}");
    assert_eq!(items["requests"], 40);
    assert_eq!(items["failed"], 10, "{items:#}");
    assert_eq!(items["latency"]["p99_ms"], 1500.0, "{items:#}");
    let login = route(&doc, "POST /login");
    assert_eq!(
        (&login["requests"], &login["client_errors"]),
        (&40.into(), &40.into())
    );
}

#[test]
fn no_http_fields_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "plain.log", "hello world\nstarting worker 3\n");
    let (out, code) = faultline(&["endpoints", "--quiet"], &[&p]);
    assert_eq!(code, 0);
    assert!(out.contains("No HTTP requests"), "{out}");
}

#[test]
fn committed_fixtures_parse_without_error() {
    // Small fixtures of each kind (testdata/endpoints, see its README): the command must
    // never fail on them, in any output format.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/endpoints");
    for name in [
        "access.log",
        "requests.jsonl",
        "router.log",
        "nginx_error.log",
        "app.log",
    ] {
        let p = root.join(name);
        assert!(p.exists(), "{name} missing");
        for fmt in ["table", "json", "markdown"] {
            let (out, code) = faultline(&["endpoints", "--output", fmt, "--quiet"], &[&p]);
            assert_eq!(code, 0, "{name} {fmt}: {out}");
            assert!(!out.trim().is_empty(), "{name} {fmt}: no output");
        }
    }
    // The two message-only fixtures: each upstream with what went wrong, as the lines say.
    let upstreams = |name: &str| {
        let doc = endpoints_json(&[&root.join(name)], &[]);
        let ups = doc["upstreams"].as_array().expect("upstreams").clone();
        let mut got: Vec<(String, u64, u64, u64)> = ups
            .iter()
            .map(|u| {
                let n = |k: &str| u[k].as_u64().unwrap_or_else(|| panic!("{k}: {u:#}"));
                (
                    u["host"].as_str().expect("host").to_string(),
                    n("timeouts"),
                    n("refused"),
                    n("rate_limited"),
                )
            })
            .collect();
        got.sort();
        (got, ups)
    };
    let row =
        |h: &str, timeouts, refused, rate_limited| (h.to_string(), timeouts, refused, rate_limited);
    let (got, _) = upstreams("nginx_error.log");
    assert_eq!(
        got,
        vec![row("10.0.0.7:8080", 1, 0, 0), row("10.0.0.8:8080", 0, 1, 0)]
    );
    let (got, ups) = upstreams("app.log");
    assert_eq!(
        got,
        vec![
            // The default port is dropped.
            row("10.0.0.5", 0, 1, 0),
            row("api.partner.com", 0, 0, 1),
            row("payments.example.com", 1, 0, 0),
        ]
    );
    let partner = ups.iter().find(|u| u["host"] == "api.partner.com");
    assert_eq!(partner.map(|u| &u["retry_after_max_s"]), Some(&30.into()));
}

#[test]
fn committed_fixtures_name_routes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/endpoints");
    let doc = endpoints_json(&[&root.join("access.log")], &[]);
    route(&doc, "GET /api/v1/orders/{id}");
    route(&doc, "GET /api/v1/orders/recent");
    let doc = endpoints_json(&[&root.join("requests.jsonl")], &[]);
    route(&doc, "POST /api/v1/checkout");
    let doc = endpoints_json(&[&root.join("router.log")], &[]);
    route(&doc, "POST /x");
}

/// A site with more distinct paths than the route table holds (20,001 product slugs, each
/// requested once, the last one filling it; then one of them again), then a new route that
/// fails: the slugs become one route, the new route is there with its failures (not in an
/// overflow bucket), and the result is the same for every thread count and chunk size.
#[test]
fn a_full_route_table_makes_room_for_later_routes() {
    let dir = tempfile::tempdir().unwrap();
    let slug = |mut i: usize| {
        let mut s = String::from("slug-");
        for _ in 0..4 {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
        }
        s
    };
    let req = |t: i64, method: &'static str, path: String, status: u16| Req {
        t: START + t,
        method,
        path,
        status,
        ms: 5,
        trace: String::new(),
        region: "eu",
    };
    let mut reqs: Vec<Req> = (0..20_001usize)
        .map(|i| req(i as i64, "GET", format!("/products/{}", slug(i)), 200))
        .collect();
    // A slug seen before the table filled, requested again after: it joins its route.
    reqs.extend((0..100).map(|i| req(20_001 + i, "GET", format!("/products/{}", slug(7)), 200)));
    reqs.extend((0..40).map(|i| {
        let status = if i % 4 == 0 { 200 } else { 502 };
        req(20_101 + i, "POST", "/api/v2/checkout".to_string(), status)
    }));
    let p = write(dir.path(), "access.log", &access_log(&reqs));
    let base = endpoints_json(&[&p], &["--threads", "1"]);
    let products = route(&base, "GET /products/{name}");
    assert_eq!(products["requests"], 20_101, "{products:#}");
    assert_no_route_containing(&base, "/products/slug-");
    let checkout = route(&base, "POST /api/v2/checkout");
    assert_eq!(checkout["requests"], 40, "{checkout:#}");
    assert_eq!(checkout["failed"], 30, "{checkout:#}");
    assert_no_route_containing(&base, "other routes");
    for (threads, chunk) in [
        ("2", "65536"),
        ("2", "300000"),
        ("3", "1048576"),
        ("1", "9000"),
    ] {
        let o = endpoints_json(&[&p], &["--threads", threads, "--chunk-size", chunk]);
        assert_eq!(o, base, "--threads {threads} --chunk-size {chunk}");
    }
}

/// A proxy's error log names the backend on every line it writes about it (`upstream:
/// "http://10.0.3.7:8080/..."`), but only about trouble (and buffering warnings): those lines
/// are no record of the calls, so they give no call count and no failing share (which would
/// read 90% for a backend that served thousands of requests fine), only the trouble.
#[test]
fn a_proxy_error_log_reports_trouble_not_calls() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut log = String::new();
    for i in 0..40 {
        let s = i % 60;
        if i % 4 == 0 {
            log.push_str(&format!(
                "2026/11/27 10:00:{s:02} [warn] 31#31: *{i} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/1/00/0000000{i:03} while reading upstream, client: 10.0.0.9, server: shop.example.com, request: \"GET /api/v1/export HTTP/1.1\", upstream: \"http://10.0.3.7:8080/api/v1/export\", host: \"shop.example.com\"\n"
            ));
        } else {
            log.push_str(&format!(
                "2026/11/27 10:00:{s:02} [error] 31#31: *{i} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: shop.example.com, request: \"POST /api/v1/checkout HTTP/1.1\", upstream: \"http://10.0.3.7:8080/api/v1/checkout\", host: \"shop.example.com\"\n"
            ));
        }
    }
    let p = write(dir.path(), "error.log", &log);
    let doc = endpoints_json(&[&p], &[]);
    let ups = doc["upstreams"].as_array().expect("upstreams");
    assert_eq!(ups.len(), 1, "{ups:#?}");
    let u = &ups[0];
    assert_eq!(u["host"], "10.0.3.7:8080");
    assert_eq!(u["timeouts"], 30, "{u:#}");
    assert_eq!(u["calls"], 0, "{u:#}");
    assert!(u["failing_call_share"].is_null(), "{u:#}");
}

/// One bad server behind HAProxy (`be_api/api-3` answers 503 to everything from minute 30):
/// every route it serves fails a third of its requests. The report names the server (not
/// just the backend `be_api`) and tells one incident, not one per route.
#[test]
fn routes_failing_on_one_haproxy_server_are_one_incident_naming_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let paths = [
        "/api/v1/orders",
        "/api/v1/cart",
        "/api/v1/search",
        "/api/v1/users/42",
    ];
    let mut log = String::new();
    for i in 0..6000u32 {
        let ms = i * 600;
        let (m, s, milli) = (ms / 60_000, ms / 1000 % 60, ms % 1000);
        let srv = ["api-1", "api-2", "api-3"][(i % 3) as usize];
        let bad = srv == "api-3" && m >= 30;
        let (status, ta, state) = if bad {
            (503, 3001, "sH--")
        } else {
            (200, 20 + i % 50, "----")
        };
        let path = paths[(i / 3 % 4) as usize];
        log.push_str(&format!(
            "Mar  5 10:{m:02}:{s:02} lb1 haproxy[1234]: 10.0.0.{}:{} [05/Mar/2024:10:{m:02}:{s:02}.{milli:03}] fe_https~ be_api/{srv} 0/0/1/{}/{ta} {status} 212 - - {state} 10/10/2/1/0 0/0 \"GET {path} HTTP/1.1\"\n",
            i % 200 + 1,
            30000 + i,
            ta - 1
        ));
    }
    let p = write(dir.path(), "haproxy.log", &log);
    let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["summary", "-q", "-o", "json"])
        .arg(&p)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let routes: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "failing_route")
        .collect();
    assert_eq!(routes.len(), 1, "{:#}", doc["findings"]);
    let f = routes[0];
    let related = f["details"]["related"].as_array().expect("related");
    let related_routes = related
        .iter()
        .filter(|r| r["kind"] == "failing_route")
        .count();
    assert_eq!(related_routes, 3, "{f:#}");
    let top = &f["details"]["over_represented"][0];
    assert_eq!(top["field"], "upstream", "{f:#}");
    assert_eq!(top["value"], "be_api/api-3", "{f:#}");
    // The incident, and the headline, lead with the server.
    let title = f["title"].as_str().unwrap_or_default();
    assert!(
        title.starts_with("be_api/api-3: 4 failing routes, e.g. GET "),
        "{title}"
    );
    assert!(
        doc["headline"]
            .as_str()
            .is_some_and(|h| h.contains("be_api/api-3: 4 failing routes")),
        "{}",
        doc["headline"]
    );
}
