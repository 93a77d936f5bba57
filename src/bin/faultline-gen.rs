//! `faultline-gen`: deterministic synthetic log generator for faultline's tests and benchmarks.
//!
//! Sub-commands:
//! * `scenario` – one realistic day of service logs (`app.log`, `api.jsonl`, `access.log`,
//!   `router.log`) with benign noise, optionally with injected incidents, plus `DIR.manifest.json`
//!   describing exactly what was injected so tests can assert "found these, none of the noise".
//! * `bench` – streams a large log of a requested size/line count as fast as possible.
//! * `bundle` – packs a scenario into `.tar.gz` / `.tgz` / `.tar`, with one rotated `.gz` inside.
//! * `messy` – malformed-input fixtures (invalid UTF-8, NULs, huge line, truncated gzip, ...).
//!
//! Everything is driven by a hand-written SplitMix64 PRNG and integer arithmetic, so a given
//! `--seed` produces the same bytes on every run and every machine (no wall clock, no hash-map
//! iteration order, no floating-point formatting from the platform).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and good enough statistically for synthetic data. We implement it
/// ourselves so output never changes because a dependency changed its algorithm.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    /// Independent stream derived from this seed and a label, so that adding draws to one
    /// stream never shifts another (normal and incident days share their background).
    fn derive(seed: u64, label: u64) -> Self {
        let mut r = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ label);
        r.next_u64();
        r
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (multiply-shift; the tiny bias is irrelevant here).
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
    #[inline]
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// Uniform in [0, 1).
    #[inline]
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    #[inline]
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    #[inline]
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// Approximately standard normal: Irwin-Hall sum of four uniforms, rescaled. Uses only
    /// IEEE basic arithmetic (correctly rounded everywhere), unlike libm's `ln`/`cos`, whose
    /// last-bit differences between platforms could change output bytes.
    #[inline]
    fn normal(&mut self) -> f64 {
        let s = self.unit() + self.unit() + self.unit() + self.unit();
        (s - 2.0) * 1.732_050_807_568_877_2
    }
    /// Log-normal latency in microseconds with the given median (ms) and shape, plus a rare
    /// heavy tail, which is what real per-route latency histograms look like.
    fn latency_us(&mut self, median_ms: f64, sigma: f64) -> u64 {
        let mut v = median_ms * 1000.0 * exp_det(sigma * self.normal());
        if self.chance(0.01) {
            v *= 4.0 + 6.0 * self.unit();
        }
        v.max(150.0) as u64
    }
    /// Poisson-ish count with the given mean (Knuth for small means, normal approx otherwise).
    fn poisson(&mut self, mean: f64) -> u64 {
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let l = exp_det(-mean);
        let (mut k, mut p) = (0u64, 1.0);
        loop {
            p *= self.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

/// `e^x` from basic arithmetic only (see `Rng::normal` for why): 2^k range reduction plus a
/// Taylor series, accurate to ~1e-15 relative for the |x| < 700 we use.
fn exp_det(x: f64) -> f64 {
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = x - k * std::f64::consts::LN_2;
    let (mut term, mut sum) = (1.0, 1.0);
    for i in 1..=16 {
        term = term * r / f64::from(i);
        sum += term;
    }
    // Scale by 2^k through repeated multiplication by exact powers of two.
    let mut k = k as i64;
    while k > 0 {
        let step = k.min(60);
        sum *= (1u64 << step) as f64;
        k -= step;
    }
    while k < 0 {
        let step = (-k).min(60);
        sum /= (1u64 << step) as f64;
        k += step;
    }
    sum
}

/// `cos(x)` from basic arithmetic only: reduce to [-pi, pi], then a Taylor series.
fn cos_det(x: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    let r = x - (x / tau).round() * tau;
    let r2 = r * r;
    let (mut term, mut sum) = (1.0, 1.0);
    for i in 1..=14 {
        term = -term * r2 / f64::from((2 * i - 1) * (2 * i));
        sum += term;
    }
    sum
}

/// Weighted choice over a slice of weights (linear scan; tables are short).
fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.below(u64::from(total)) as u32;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

// ---------------------------------------------------------------------------------------------
// Byte formatting helpers (no per-call allocation; this is the hot path of `bench`)
// ---------------------------------------------------------------------------------------------

#[inline]
fn put_u64(b: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

#[inline]
fn put_pad(b: &mut Vec<u8>, v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    let mut v = v;
    while v > 0 {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let start = (tmp.len() - width).min(i);
    b.extend_from_slice(&tmp[start..]);
}

/// Fixed-point decimal: `v / 10^decimals` printed with exactly `decimals` digits.
#[inline]
fn put_fixed(b: &mut Vec<u8>, v: u64, decimals: u32) {
    let p = 10u64.pow(decimals);
    put_u64(b, v / p);
    if decimals > 0 {
        b.push(b'.');
        put_pad(b, v % p, decimals as usize);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[inline]
fn put_hex(b: &mut Vec<u8>, v: u64, digits: usize) {
    for i in (0..digits).rev() {
        b.push(HEX[((v >> (i * 4)) & 0xf) as usize]);
    }
}

fn put_uuid(b: &mut Vec<u8>, rng: &mut Rng) {
    let a = rng.next_u64();
    let c = rng.next_u64();
    put_hex(b, a >> 32, 8);
    b.push(b'-');
    put_hex(b, (a >> 16) & 0xffff, 4);
    b.push(b'-');
    put_hex(b, 0x4000 | (a & 0x0fff), 4);
    b.push(b'-');
    put_hex(b, 0x8000 | ((c >> 48) & 0x3fff), 4);
    b.push(b'-');
    put_hex(b, c & 0xffff_ffff_ffff, 12);
}

fn put_ip(b: &mut Vec<u8>, ip: u32) {
    for (i, shift) in [24, 16, 8, 0].iter().enumerate() {
        if i > 0 {
            b.push(b'.');
        }
        put_u64(b, u64::from((ip >> shift) & 0xff));
    }
}

/// Query strings are form-encoded: spaces from word lists become `+` (from `from` onwards).
fn url_spaces(b: &mut [u8], from: usize) {
    for c in &mut b[from..] {
        if *c == b' ' {
            *c = b'+';
        }
    }
}

/// JSON string body escaping for the few characters our generated text can contain.
fn put_json_str(b: &mut Vec<u8>, s: &[u8]) {
    for &c in s {
        match c {
            b'"' => b.extend_from_slice(b"\\\""),
            b'\\' => b.extend_from_slice(b"\\\\"),
            b'\n' => b.extend_from_slice(b"\\n"),
            b'\t' => b.extend_from_slice(b"\\t"),
            _ => b.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Time (UTC only; epoch milliseconds)
// ---------------------------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

struct Tm {
    y: u64,
    mo: u64,
    d: u64,
    h: u64,
    mi: u64,
    s: u64,
    ms: u64,
}

/// Howard Hinnant's days-from-civil, so we don't depend on any timezone database.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn split_ms(ms: i64) -> Tm {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000) as u64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Tm {
        y: y as u64,
        mo: m as u64,
        d: d as u64,
        h: rem / 3_600_000,
        mi: rem / 60_000 % 60,
        s: rem / 1000 % 60,
        ms: rem % 1000,
    }
}

fn put_date_time(b: &mut Vec<u8>, t: &Tm, sep: u8) {
    put_pad(b, t.y, 4);
    b.push(b'-');
    put_pad(b, t.mo, 2);
    b.push(b'-');
    put_pad(b, t.d, 2);
    b.push(sep);
    put_pad(b, t.h, 2);
    b.push(b':');
    put_pad(b, t.mi, 2);
    b.push(b':');
    put_pad(b, t.s, 2);
}

/// `2026-11-27T10:15:03.123Z`
fn put_iso(b: &mut Vec<u8>, ms: i64) {
    let t = split_ms(ms);
    put_date_time(b, &t, b'T');
    b.push(b'.');
    put_pad(b, t.ms, 3);
    b.push(b'Z');
}

/// `2026-11-27 10:15:03,123` (log4j / logback default)
fn put_log4j(b: &mut Vec<u8>, ms: i64) {
    let t = split_ms(ms);
    put_date_time(b, &t, b' ');
    b.push(b',');
    put_pad(b, t.ms, 3);
}

/// `2026-11-27T10:15:03.123456+00:00` (Heroku / Python isoformat); `us` = sub-ms micros.
fn put_iso_us(b: &mut Vec<u8>, ms: i64, us: u64) {
    let t = split_ms(ms);
    put_date_time(b, &t, b'T');
    b.push(b'.');
    put_pad(b, t.ms * 1000 + us % 1000, 6);
    b.extend_from_slice(b"+00:00");
}

/// `27/Nov/2026:10:15:03 +0000` (nginx `$time_local` on a UTC host)
fn put_clf(b: &mut Vec<u8>, ms: i64) {
    let t = split_ms(ms);
    put_pad(b, t.d, 2);
    b.push(b'/');
    b.extend_from_slice(MONTHS[(t.mo - 1) as usize].as_bytes());
    b.push(b'/');
    put_pad(b, t.y, 4);
    b.push(b':');
    put_pad(b, t.h, 2);
    b.push(b':');
    put_pad(b, t.mi, 2);
    b.push(b':');
    put_pad(b, t.s, 2);
    b.extend_from_slice(b" +0000");
}

/// `Nov 27 10:15:03` (RFC 3164 syslog; day is space-padded)
fn put_syslog_ts(b: &mut Vec<u8>, ms: i64) {
    let t = split_ms(ms);
    b.extend_from_slice(MONTHS[(t.mo - 1) as usize].as_bytes());
    b.push(b' ');
    if t.d < 10 {
        b.push(b' ');
    }
    put_u64(b, t.d);
    b.push(b' ');
    put_pad(b, t.h, 2);
    b.push(b':');
    put_pad(b, t.mi, 2);
    b.push(b':');
    put_pad(b, t.s, 2);
}

fn iso_string(ms: i64) -> String {
    let mut b = Vec::new();
    let t = split_ms(ms);
    put_date_time(&mut b, &t, b'T');
    b.push(b'Z');
    String::from_utf8_lossy(&b).into_owned()
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (the only form we need for `--start`).
fn parse_start(s: &str) -> io::Result<i64> {
    let bad = || io::Error::new(io::ErrorKind::InvalidInput, format!("bad --start {s:?}"));
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> io::Result<i64> {
        s.get(r).and_then(|x| x.parse().ok()).ok_or_else(bad)
    };
    let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    Ok(days * 86_400_000 + num(11..13)? * 3_600_000 + num(14..16)? * 60_000 + num(17..19)? * 1000)
}

// ---------------------------------------------------------------------------------------------
// Mini template language: literal text with `{var}` slots filled from the PRNG
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Var {
    Int,
    Small,
    Ms,
    Money,
    Uuid,
    Hex8,
    Hex16,
    Ip,
    User,
    Email,
    Order,
    Sku,
    Cust,
    Zip,
    Word,
    Carrier,
    Table,
    Field,
    Rule,
    EvType,
    Pool,
    Path,
    Host,
    Bytes,
    Pct,
}

const VARS: &[(&str, Var)] = &[
    ("int", Var::Int),
    ("small", Var::Small),
    ("ms", Var::Ms),
    ("money", Var::Money),
    ("uuid", Var::Uuid),
    ("hex8", Var::Hex8),
    ("hex16", Var::Hex16),
    ("ip", Var::Ip),
    ("user", Var::User),
    ("email", Var::Email),
    ("order", Var::Order),
    ("sku", Var::Sku),
    ("cust", Var::Cust),
    ("zip", Var::Zip),
    ("word", Var::Word),
    ("carrier", Var::Carrier),
    ("table", Var::Table),
    ("field", Var::Field),
    ("rule", Var::Rule),
    ("evtype", Var::EvType),
    ("pool", Var::Pool),
    ("path", Var::Path),
    ("host", Var::Host),
    ("bytes", Var::Bytes),
    ("pct", Var::Pct),
];

const WORDS: &[&str] = &[
    "shoes",
    "jacket",
    "wireless headphones",
    "coffee",
    "desk lamp",
    "backpack",
    "usb-c cable",
    "running",
    "gift card",
    "sofa",
    "monitor",
    "kettle",
    "yoga mat",
    "lego",
    "tent",
    "watch",
];
const USERS: &[&str] = &[
    "alice", "bob", "carol", "dmitri", "eve", "farah", "gustavo", "hana", "ivan", "jun", "kofi",
    "lena", "mateo", "nadia", "oskar", "priya", "quinn", "rosa", "sven", "tariq",
];
const CARRIERS: &[&str] = &["dhl", "ups", "dpd", "gls", "fedex", "postnl"];
const TABLES: &[&str] = &[
    "orders",
    "order_items",
    "customers",
    "payments",
    "inventory",
    "carts",
    "audit_log",
];
const FIELDS: &[&str] = &[
    "email",
    "shippingAddress.zip",
    "items[0].qty",
    "currency",
    "phone",
];
const RULES: &[&str] = &[
    "BLACKFRIDAY25",
    "BUNDLE3",
    "NEWCUSTOMER10",
    "FREESHIP50",
    "VIP",
];
const EVTYPES: &[&str] = &[
    "payment_intent.succeeded",
    "charge.refunded",
    "payment_intent.payment_failed",
    "customer.updated",
];
const PATHS: &[&str] = &[
    "/api/v1/products",
    "/api/v1/cart",
    "/api/v1/orders",
    "/api/v1/users/me",
    "/api/v1/search",
    "/api/v1/shipping/quote",
];
const HOSTS: &[&str] = &[
    "db-primary",
    "db-replica-1",
    "redis-cache-0",
    "es-node-2",
    "kafka-1",
    "auth-svc",
    "catalog-svc",
];

#[derive(Clone)]
enum Piece {
    Lit(Box<[u8]>),
    Var(Var),
}

/// A parsed message template: constant text a template miner should recover, plus variables.
#[derive(Clone)]
struct Template(Vec<Piece>);

impl Template {
    /// Parses `{name}` slots; unknown names are kept literally (helps catch typos in review).
    fn parse(s: &str) -> Template {
        let mut pieces = Vec::new();
        let mut lit = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            let (before, after) = rest.split_at(open);
            lit.extend_from_slice(before.as_bytes());
            let var = after.find('}').and_then(|close| {
                VARS.iter()
                    .find(|(n, _)| *n == &after[1..close])
                    .map(|v| (close, v.1))
            });
            match var {
                Some((close, v)) => {
                    if !lit.is_empty() {
                        pieces.push(Piece::Lit(std::mem::take(&mut lit).into_boxed_slice()));
                    }
                    pieces.push(Piece::Var(v));
                    rest = &after[close + 1..];
                }
                None => {
                    lit.push(b'{');
                    rest = &after[1..];
                }
            }
        }
        lit.extend_from_slice(rest.as_bytes());
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit.into_boxed_slice()));
        }
        Template(pieces)
    }

    #[inline]
    fn render(&self, rng: &mut Rng, b: &mut Vec<u8>) {
        for p in &self.0 {
            match p {
                Piece::Lit(s) => b.extend_from_slice(s),
                Piece::Var(v) => put_var(b, rng, *v),
            }
        }
    }
}

#[inline]
fn put_var(b: &mut Vec<u8>, rng: &mut Rng, v: Var) {
    match v {
        Var::Int => put_u64(b, rng.range(1, 99_999)),
        Var::Small => put_u64(b, rng.range(1, 12)),
        Var::Ms => put_u64(b, rng.latency_us(25.0, 0.9) / 1000),
        Var::Money => put_fixed(b, rng.range(299, 89_999), 2),
        Var::Uuid => put_uuid(b, rng),
        Var::Hex8 => put_hex(b, rng.next_u64(), 8),
        Var::Hex16 => put_hex(b, rng.next_u64(), 16),
        Var::Ip => put_ip(b, (rng.next_u64() >> 32) as u32),
        Var::User => {
            b.extend_from_slice(rng.pick(USERS).as_bytes());
            put_u64(b, rng.below(1000));
        }
        Var::Email => {
            b.extend_from_slice(rng.pick(USERS).as_bytes());
            b.push(b'.');
            put_u64(b, rng.below(1000));
            b.extend_from_slice(b"@mail.example");
        }
        Var::Order => {
            b.extend_from_slice(b"ORD-");
            put_u64(b, 4_000_000 + rng.below(900_000));
        }
        Var::Sku => {
            b.extend_from_slice(b"SKU-");
            put_pad(b, rng.below(100_000), 5);
        }
        Var::Cust => {
            b.extend_from_slice(b"cus_");
            put_hex(b, rng.next_u64(), 12);
        }
        Var::Zip => put_pad(b, rng.range(1000, 99_999), 5),
        Var::Word => b.extend_from_slice(rng.pick(WORDS).as_bytes()),
        Var::Carrier => b.extend_from_slice(rng.pick(CARRIERS).as_bytes()),
        Var::Table => b.extend_from_slice(rng.pick(TABLES).as_bytes()),
        Var::Field => b.extend_from_slice(rng.pick(FIELDS).as_bytes()),
        Var::Rule => b.extend_from_slice(rng.pick(RULES).as_bytes()),
        Var::EvType => b.extend_from_slice(rng.pick(EVTYPES).as_bytes()),
        Var::Pool => put_u64(b, rng.range(10, 20)),
        Var::Path => {
            b.extend_from_slice(rng.pick(PATHS).as_bytes());
            b.push(b'/');
            put_u64(b, rng.range(1, 999_999));
        }
        Var::Host => b.extend_from_slice(rng.pick(HOSTS).as_bytes()),
        Var::Bytes => put_u64(b, rng.range(200, 2_000_000)),
        Var::Pct => put_fixed(b, rng.below(1000), 1),
    }
}

// ---------------------------------------------------------------------------------------------
// Scenario content tables
// ---------------------------------------------------------------------------------------------

const SERVICE_HOST: &str = "shop.acme.example";
const PAYMENTS_HOST: &str = "payments.stripe-like.example";
const SHIPPING_HOST: &str = "api.shipfast.example";
const DB_TIMEOUT_MSG: &str = "Connection to db-replica-2:5432 timed out after 3000ms";
const PAYMENT_TIMEOUT_MSG: &str =
    "Payment provider call failed: upstream payments.stripe-like.example timed out after 30000ms";
const NPE_MSG: &str = "NullPointerException in OrderMapper.toDto";
const CHECKOUT_ROUTE: &str = "/api/v1/checkout";

/// JSON log shape per service, because real fleets mix logging libraries.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// `{"ts","level","msg","service","http":{...}}` (Java/logstash-encoder style)
    Logstash,
    /// `{"time","severity","message","http":{"request":{..},"response":{..}}}` (Python)
    Python,
    /// `{"level","ts":<epoch float>,"caller","msg",...}` (Go zap)
    Zap,
    /// Not logged by an application (static assets, health checks).
    None,
}

struct Route {
    method: &'static str,
    path: &'static str,
    weight: u32,
    median_ms: f64,
    service: &'static str,
    shape: Shape,
}

const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/api/v1/products/{int}",
        weight: 200,
        median_ms: 18.0,
        service: "catalog",
        shape: Shape::Python,
    },
    Route {
        method: "GET",
        path: "/api/v1/products?category={word}&page={small}",
        weight: 90,
        median_ms: 35.0,
        service: "catalog",
        shape: Shape::Python,
    },
    Route {
        method: "GET",
        path: "/api/v1/search?q={word}&limit=20",
        weight: 80,
        median_ms: 80.0,
        service: "search",
        shape: Shape::Python,
    },
    Route {
        method: "GET",
        path: "/api/v1/cart/{uuid}",
        weight: 80,
        median_ms: 15.0,
        service: "checkout",
        shape: Shape::Logstash,
    },
    Route {
        method: "POST",
        path: "/api/v1/cart/{uuid}/items",
        weight: 50,
        median_ms: 25.0,
        service: "checkout",
        shape: Shape::Logstash,
    },
    Route {
        method: "DELETE",
        path: "/api/v1/cart/{uuid}/items/{small}",
        weight: 10,
        median_ms: 20.0,
        service: "checkout",
        shape: Shape::Logstash,
    },
    Route {
        method: "POST",
        path: CHECKOUT_ROUTE,
        weight: 45,
        median_ms: 240.0,
        service: "checkout",
        shape: Shape::Logstash,
    },
    Route {
        method: "GET",
        path: "/api/v1/orders/{int}",
        weight: 60,
        median_ms: 22.0,
        service: "orders",
        shape: Shape::Logstash,
    },
    Route {
        method: "POST",
        path: "/api/v1/orders",
        weight: 25,
        median_ms: 120.0,
        service: "orders",
        shape: Shape::Logstash,
    },
    Route {
        method: "GET",
        path: "/api/v1/users/{int}/profile",
        weight: 50,
        median_ms: 14.0,
        service: "auth",
        shape: Shape::Zap,
    },
    Route {
        method: "PUT",
        path: "/api/v1/users/{int}/address",
        weight: 8,
        median_ms: 30.0,
        service: "auth",
        shape: Shape::Zap,
    },
    Route {
        method: "POST",
        path: "/api/v1/auth/login",
        weight: 30,
        median_ms: 90.0,
        service: "auth",
        shape: Shape::Zap,
    },
    Route {
        method: "POST",
        path: "/api/v1/auth/refresh",
        weight: 40,
        median_ms: 9.0,
        service: "auth",
        shape: Shape::Zap,
    },
    Route {
        method: "GET",
        path: "/api/v1/shipping/quote?zip={zip}&weight={small}",
        weight: 30,
        median_ms: 140.0,
        service: "checkout",
        shape: Shape::Logstash,
    },
    Route {
        method: "GET",
        path: "/api/v1/inventory/{sku}",
        weight: 30,
        median_ms: 20.0,
        service: "catalog",
        shape: Shape::Python,
    },
    Route {
        method: "GET",
        path: "/api/v1/recommendations?user={int}",
        weight: 25,
        median_ms: 60.0,
        service: "search",
        shape: Shape::Python,
    },
    Route {
        method: "POST",
        path: "/webhooks/stripe",
        weight: 15,
        median_ms: 30.0,
        service: "checkout",
        shape: Shape::Logstash,
    },
    Route {
        method: "GET",
        path: "/health",
        weight: 60,
        median_ms: 1.0,
        service: "-",
        shape: Shape::None,
    },
    Route {
        method: "GET",
        path: "/static/js/app.{hex8}.js",
        weight: 50,
        median_ms: 3.0,
        service: "-",
        shape: Shape::None,
    },
    Route {
        method: "GET",
        path: "/favicon.ico",
        weight: 10,
        median_ms: 1.0,
        service: "-",
        shape: Shape::None,
    },
];

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "AcmeShop/4.12.0 (iOS 18.1; iPhone15,2)",
    "okhttp/4.12.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "python-requests/2.32.3",
    "curl/8.5.0",
];
const REFERERS: &[&str] = &[
    "-",
    "https://shop.acme.example/",
    "https://shop.acme.example/cart",
    "https://www.google.com/",
];

/// Where a multi-line app.log entry gets its stack trace from.
#[derive(Clone, Copy)]
enum Trace {
    None,
    DbTimeout,
    Mail,
    IllegalState,
    Python,
    Npe,
    PaymentTimeout,
}

/// One app.log message kind (weight is only used for the background mix).
struct AppKind<'a> {
    level: &'a str,
    logger: &'a str,
    msg: &'a str,
    weight: u32,
    trace: Trace,
}

/// One extra logstash-shaped api.jsonl message; `extra` is raw JSON members (a template).
struct Js<'a> {
    level: &'a str,
    service: &'a str,
    msg: &'a str,
    extra: &'a str,
}

const fn ak(
    level: &'static str,
    logger: &'static str,
    msg: &'static str,
    weight: u32,
) -> AppKind<'static> {
    akt(level, logger, msg, weight, Trace::None)
}
const fn akt<'a>(
    level: &'a str,
    logger: &'a str,
    msg: &'a str,
    weight: u32,
    trace: Trace,
) -> AppKind<'a> {
    AppKind {
        level,
        logger,
        msg,
        weight,
        trace,
    }
}

/// Background app.log mix. Weights are per 100k lines: ERROR kinds sum to ~500 (≈0.5%).
const APP_KINDS: &[AppKind<'static>] = &[
    ak("INFO", "c.acme.checkout.OrderService", "Order {order} created for customer {cust} total={money} EUR items={small}", 9000),
    ak("INFO", "c.acme.checkout.PaymentClient", "Payment authorized for order {order} provider=payments.stripe-like.example amount={money} in {ms}ms", 7000),
    ak("INFO", "c.acme.catalog.ProductController", "Fetched product {sku} from cache in {ms}ms", 12000),
    ak("INFO", "c.acme.auth.SessionManager", "User {user} logged in from {ip}", 6000),
    ak("INFO", "c.acme.auth.TokenService", "Refreshed access token for user {user} (expires in 3600s)", 6000),
    ak("INFO", "c.acme.inventory.StockService", "Reserved {small} units of {sku} for order {order}", 5000),
    ak("INFO", "c.acme.shipping.QuoteClient", "Shipping quote for zip {zip}: {money} EUR via {carrier} in {ms}ms", 4000),
    ak("INFO", "c.acme.checkout.CartService", "Cart {uuid} updated: {small} items", 8000),
    ak("INFO", "c.acme.search.SearchService", "Query '{word}' returned {int} hits in {ms}ms", 6000),
    ak("INFO", "c.acme.notify.EmailSender", "Sent order confirmation email to {email} (messageId={hex16})", 3000),
    ak("INFO", "c.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Pool stats (total={pool}, active={small}, idle={small}, waiting=0)", 2000),
    ak("INFO", "c.acme.checkout.WebhookHandler", "Received webhook event {evtype} id=evt_{hex16}", 2500),
    ak("INFO", "c.acme.featureflags.FlagClient", "Refreshed {small} feature flags in {ms}ms", 800),
    ak("INFO", "c.acme.checkout.OrderService", "Order {order} status changed from PENDING to PAID", 4000),
    ak("INFO", "c.acme.orders.OrderController", "Returning order {order} with {small} line items", 3000),
    ak("INFO", "c.acme.web.AuditLogger", "user={user} action=view_order order={order} ip={ip}", 2000),
    ak("DEBUG", "c.acme.catalog.PriceCalculator", "Applied discount rule {rule} to {sku}: {money} -> {money}", 3000),
    ak("DEBUG", "org.hibernate.SQL", "select o1_0.id,o1_0.customer_id,o1_0.status from orders o1_0 where o1_0.id=?", 3000),
    ak("DEBUG", "c.acme.cache.RedisCache", "GET product:{sku} hit=true ttl={int}s", 2000),
    ak("WARN", "c.acme.catalog.ProductCache", "Cache miss for key product:{sku}, loading from database", 2500),
    ak("WARN", "c.acme.web.RateLimitFilter", "Client {ip} exceeded soft rate limit ({int} req/min), allowing", 300),
    ak("WARN", "c.acme.auth.SessionManager", "Invalid password for user {user} from {ip}", 600),
    ak("WARN", "c.acme.checkout.PaymentClient", "Payment declined for order {order}: card_declined (insufficient_funds)", 500),
    ak("WARN", "c.acme.inventory.StockService", "Low stock for {sku}: {small} units left", 400),
    ak("WARN", "c.acme.web.GlobalExceptionHandler", "Request validation failed: field '{field}' must not be null", 500),
    ak("WARN", "c.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={int}ms).", 30),
    ak("WARN", "c.acme.checkout.OrderService", "Optimistic lock failure updating order {order} (version {small}), retrying", 200),
    ak("ERROR", "c.acme.checkout.PaymentClient", "Payment provider call failed: HTTP 500 from payments.stripe-like.example (request_id=req_{hex16})", 120),
    akt("ERROR", "c.acme.notify.EmailSender", "Failed to send email to {email}: 421 4.7.0 Try again later", 90, Trace::Mail),
    akt("ERROR", "c.acme.web.GlobalExceptionHandler", "Unhandled exception processing request {uuid}", 80, Trace::IllegalState),
    ak("ERROR", "c.acme.shipping.QuoteClient", "Shipping API returned 500 for zip {zip}", 80),
    ak("ERROR", "c.acme.search.SearchService", "Elasticsearch query failed: circuit_breaking_exception [parent] Data too large", 60),
    akt("ERROR", "catalog.indexer", "Failed to index product {sku}", 40, Trace::Python),
    ak("ERROR", "c.acme.checkout.OrderService", "Could not publish OrderCreated event for {order} to kafka-1: NOT_LEADER_OR_FOLLOWER", 30),
];

fn app_thread(rng: &mut Rng, b: &mut Vec<u8>) {
    b.extend_from_slice(b"http-nio-8080-exec-");
    put_u64(b, rng.range(1, 40));
}

fn put_trace(b: &mut Vec<u8>, t: Trace) {
    let s: &str = match t {
        Trace::None => return,
        Trace::DbTimeout => concat!(
            "\norg.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection",
            "\n\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)",
            "\n\tat com.acme.db.ReplicaRouter.route(ReplicaRouter.java:88)",
            "\n\tat com.acme.catalog.ProductRepository.findBySku(ProductRepository.java:42)",
            "\n\tat com.acme.catalog.ProductController.get(ProductController.java:35)",
            "\nCaused by: java.net.SocketTimeoutException: Connect timed out",
            "\n\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)",
            "\n\tat java.base/java.net.Socket.connect(Socket.java:751)",
            "\n\tat org.postgresql.core.PGStream.createSocket(PGStream.java:243)",
            "\n\t... 58 more",
        ),
        Trace::Mail => concat!(
            "\njakarta.mail.MessagingException: 421 4.7.0 Try again later",
            "\n\tat org.eclipse.angus.mail.smtp.SMTPTransport.issueSendCommand(SMTPTransport.java:2434)",
            "\n\tat org.eclipse.angus.mail.smtp.SMTPTransport.sendMessage(SMTPTransport.java:1326)",
            "\n\tat com.acme.notify.EmailSender.send(EmailSender.java:71)",
            "\n\t... 12 more",
        ),
        Trace::IllegalState => concat!(
            "\njava.lang.IllegalStateException: Cart is already checked out",
            "\n\tat com.acme.checkout.CartService.addItem(CartService.java:118)",
            "\n\tat com.acme.checkout.CartController.addItem(CartController.java:64)",
            "\n\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
            "\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
            "\n\t... 41 more",
        ),
        Trace::Python => concat!(
            "\nTraceback (most recent call last):",
            "\n  File \"/app/catalog/indexer.py\", line 88, in index_product",
            "\n    doc = build_document(product)",
            "\n  File \"/app/catalog/documents.py\", line 41, in build_document",
            "\n    \"price\": float(product[\"price\"]),",
            "\nKeyError: 'price'",
        ),
        Trace::Npe => concat!(
            "\njava.lang.NullPointerException: Cannot invoke \"com.acme.orders.Address.getCountry()\" because \"order.shippingAddress\" is null",
            "\n\tat com.acme.orders.OrderMapper.toDto(OrderMapper.java:57)",
            "\n\tat com.acme.orders.OrderController.getOrder(OrderController.java:41)",
            "\n\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
            "\n\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)",
            "\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
            "\n\t... 48 more",
        ),
        Trace::PaymentTimeout => concat!(
            "\njava.net.SocketTimeoutException: Read timed out",
            "\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)",
            "\n\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)",
            "\n\tat okhttp3.internal.http1.Http1ExchangeCodec.readResponseHeaders(Http1ExchangeCodec.kt:178)",
            "\n\tat com.acme.checkout.PaymentClient.capture(PaymentClient.java:133)",
            "\nCaused by: java.io.InterruptedIOException: timeout",
            "\n\tat okhttp3.internal.connection.RealCall.timeoutExit(RealCall.kt:398)",
            "\n\t... 23 more",
        ),
    };
    b.extend_from_slice(s.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// Scenario generation
// ---------------------------------------------------------------------------------------------

/// Default onsets as a fraction of the window so short windows still get spread-out incidents.
const DEFAULT_PERMILLE: [i64; 5] = [200, 350, 500, 650, 800];
/// Durations in minutes (`new_error` lasts until the end of the window: it is a regression).
const DURATIONS_MIN: [i64; 5] = [0, 30, 20, 30, 25];

#[derive(Args, Clone)]
struct ScenarioArgs {
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// `normal` = background + benign noise only; `incident` = plus injected incidents.
    #[arg(long, default_value = "incident", value_parser = ["normal", "incident"])]
    day: String,
    /// Number of background HTTP requests in the window (each appears in access.log and
    /// router.log; app.log and api.jsonl get correlated lines).
    #[arg(long, default_value_t = 200_000)]
    events: u64,
    #[arg(long, default_value = "2026-11-27T00:00:00Z")]
    start: String,
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    hours: u32,
    #[arg(long, default_value = "all", value_parser = ["plain", "json", "access", "logfmt", "all"])]
    format: String,
    /// Incident onsets in minutes after --start, comma-separated, in the order
    /// new_error,spike,rate_limit,endpoint_failure,upstream_timeout. Default: 20%,35%,50%,65%,80%
    /// of the window.
    #[arg(long, value_delimiter = ',')]
    offsets: Vec<u32>,
    /// Lines logged by the hourly cron burst (default scales with traffic, 20..=200).
    #[arg(long)]
    cron_lines: Option<u64>,
}

/// One log file being assembled: records are appended out of order and sorted by time at the
/// end (stable, so a multi-part event keeps its order).
#[derive(Default)]
struct Sink {
    buf: Vec<u8>,
    idx: Vec<(i64, usize, usize)>,
    start: usize,
}

impl Sink {
    fn begin(&mut self) -> &mut Vec<u8> {
        self.start = self.buf.len();
        &mut self.buf
    }
    fn end(&mut self, ts: i64) {
        self.buf.push(b'\n');
        self.idx.push((ts, self.start, self.buf.len()));
    }
    fn finish(mut self) -> Vec<u8> {
        self.idx.sort_by_key(|r| r.0);
        let mut out = Vec::with_capacity(self.buf.len());
        for &(_, a, z) in &self.idx {
            out.extend_from_slice(&self.buf[a..z]);
        }
        out
    }
}

struct Files {
    app: Sink,
    json: Sink,
    access: Sink,
    router: Sink,
}

/// One HTTP request as seen by every layer (router → nginx → service).
struct Req {
    ts: i64,
    route: usize,
    status: u16,
    lat_us: u64,
    /// Heroku router error code if the router itself failed the request.
    h_code: Option<&'static str>,
    /// Per-request seed: rendering draws only from this, so changing one request's status on
    /// the incident day never perturbs any other line.
    seed: u64,
}

struct Incidents {
    onset: [i64; 5],
    end: [i64; 5],
}

struct Scenario {
    a: ScenarioArgs,
    start: i64,
    end: i64,
    incident: Option<Incidents>,
    clients: Vec<u32>,
}

/// Default incident onsets stay clear of the benign noise so tests can attribute findings
/// unambiguously: whole minute + 17 s, moved off the hourly cron burst (:58..:05) and off the
/// nightly backup (02:00..02:10).
fn default_onset(t: i64) -> i64 {
    let mut t = t / 60_000 * 60_000;
    let min_of_hour = t.rem_euclid(3_600_000) / 60_000;
    if min_of_hour >= 58 {
        t += (65 - min_of_hour) * 60_000;
    } else if min_of_hour < 5 {
        t += (5 - min_of_hour) * 60_000;
    }
    let of_day = t.rem_euclid(86_400_000);
    if (7_200_000..7_800_000).contains(&of_day) {
        t += 8_100_000 - of_day;
    }
    t + 17_000
}

/// Relative traffic at a time of day: trough ~03:00, peak mid-afternoon, small lunch bump.
fn daily_curve(ms: i64) -> f64 {
    let h = ms.rem_euclid(86_400_000) as f64 / 3_600_000.0;
    let base = 0.55 - 0.45 * cos_det((h - 3.0) / 24.0 * std::f64::consts::TAU);
    let lunch = 0.15 * exp_det(-((h - 12.5) * (h - 12.5)) / 2.0);
    base + lunch
}

fn status_for(rng: &mut Rng, route: &Route) -> u16 {
    // ~0.5% background 5xx on application routes, route-specific 3xx/4xx.
    if route.shape != Shape::None && rng.chance(0.005) {
        return *rng.pick(&[500, 500, 502, 503, 504]);
    }
    let x = rng.unit();
    match route.path {
        p if p.starts_with("/static") => {
            if x < 0.45 {
                304
            } else {
                200
            }
        }
        "/favicon.ico" => {
            if x < 0.3 {
                404
            } else {
                200
            }
        }
        "/api/v1/auth/login" => {
            if x < 0.08 {
                401
            } else if x < 0.10 {
                302
            } else {
                200
            }
        }
        p if p.starts_with("/api/v1/products/") || p.starts_with("/api/v1/orders/") => {
            if x < 0.03 {
                404
            } else {
                200
            }
        }
        CHECKOUT_ROUTE => {
            if x < 0.02 {
                422
            } else if x < 0.03 {
                400
            } else {
                201
            }
        }
        _ => {
            if x < 0.01 {
                400
            } else if x < 0.015 {
                401
            } else {
                200
            }
        }
    }
}

impl Scenario {
    fn new(a: ScenarioArgs) -> io::Result<Self> {
        let start = parse_start(&a.start)?;
        let end = start + i64::from(a.hours) * 3_600_000;
        let span = end - start;
        let incident = if a.day == "incident" {
            let mut onset = [0i64; 5];
            for i in 0..5 {
                onset[i] = match a.offsets.get(i) {
                    Some(m) => start + i64::from(*m) * 60_000,
                    None => default_onset(start + span * DEFAULT_PERMILLE[i] / 1000),
                };
            }
            let mut end_t = [0i64; 5];
            for i in 0..5 {
                end_t[i] = if DURATIONS_MIN[i] == 0 {
                    end
                } else {
                    (onset[i] + DURATIONS_MIN[i] * 60_000).min(end)
                };
            }
            Some(Incidents { onset, end: end_t })
        } else {
            None
        };
        let mut rng = Rng::derive(a.seed, 1);
        // A fixed client population, so IPs repeat like real traffic does.
        const FIRST: [u32; 12] = [81, 93, 176, 185, 203, 198, 51, 62, 88, 91, 109, 212];
        let clients = (0..400)
            .map(|_| (FIRST[rng.below(12) as usize] << 24) | (rng.next_u64() as u32 & 0x00ff_ffff))
            .collect();
        Ok(Scenario {
            a,
            start,
            end,
            incident,
            clients,
        })
    }

    fn in_window(&self, kind: usize, ts: i64) -> bool {
        self.incident
            .as_ref()
            .is_some_and(|i| ts >= i.onset[kind] && ts < i.end[kind])
    }

    fn version(&self, ts: i64) -> &'static str {
        match &self.incident {
            Some(i) if ts >= i.onset[0] - 40_000 => "1.5.0",
            _ => "1.4.2",
        }
    }

    /// Samples `n` timestamps following the daily curve (rejection sampling), sorted.
    fn sample_times(&self, rng: &mut Rng, n: u64) -> Vec<i64> {
        let span = (self.end - self.start) as u64;
        let mut v = Vec::with_capacity(n as usize);
        while (v.len() as u64) < n {
            let t = self.start + rng.below(span) as i64;
            if rng.unit() * 1.2 < daily_curve(t) {
                v.push(t);
            }
        }
        v.sort_unstable();
        v
    }

    fn generate(&self) -> (BTreeMap<&'static str, Vec<u8>>, serde_json::Value) {
        let mut f = Files {
            app: Sink::default(),
            json: Sink::default(),
            access: Sink::default(),
            router: Sink::default(),
        };
        let mut bg = Rng::derive(self.a.seed, 2);
        let mut inc = Rng::derive(self.a.seed, 3);
        let weights: Vec<u32> = ROUTES.iter().map(|r| r.weight).collect();
        let app_weights: Vec<u32> = APP_KINDS.iter().map(|k| k.weight).collect();

        // Background requests plus their correlated app lines.
        for ts in self.sample_times(&mut bg, self.a.events) {
            let route_i = weighted(&mut bg, &weights);
            let seed = bg.next_u64();
            let mut r = Rng::new(seed);
            let route = &ROUTES[route_i];
            let mut req = Req {
                ts,
                route: route_i,
                status: status_for(&mut r, route),
                lat_us: r.latency_us(route.median_ms, 0.55),
                h_code: None,
                seed,
            };
            if route.path == CHECKOUT_ROUTE && self.in_window(3, ts) {
                // Incident draws come from the incident stream so the background is unchanged.
                self.fail_checkout(&mut inc, &mut req);
            }
            self.emit_request(&mut f, &req);
            if bg.chance(0.5) {
                let k = weighted(&mut bg, &app_weights);
                let seed = bg.next_u64();
                Self::app_line(
                    &mut f.app,
                    ts + 1 + (seed % 40) as i64,
                    "",
                    &APP_KINDS[k],
                    &mut Rng::new(seed),
                );
            }
        }

        let cron_lines = self.a.cron_lines.unwrap_or_else(|| {
            (self.a.events * 3 / (u64::from(self.a.hours).max(1) * 20)).clamp(20, 200)
        });
        let noise = self.emit_noise(&mut f, &mut Rng::derive(self.a.seed, 4), cron_lines);
        let incidents = self.emit_incidents(&mut f, &mut inc);

        let fmt = self.a.format.as_str();
        let mut files = BTreeMap::new();
        let want = |k: &str| fmt == "all" || fmt == k;
        if want("plain") {
            files.insert("app.log", f.app.finish());
        }
        if want("json") {
            files.insert("api.jsonl", f.json.finish());
        }
        if want("access") {
            files.insert("access.log", f.access.finish());
        }
        if want("logfmt") {
            files.insert("router.log", f.router.finish());
        }
        let names: Vec<&str> = files.keys().copied().collect();
        // Restrict entries to the files actually written (`--format`), dropping entries that
        // would be invisible, so tests can assert "found exactly these".
        let keep = |mut v: serde_json::Value| -> Option<serde_json::Value> {
            let arr = v.get_mut("files").and_then(|x| x.as_array_mut())?;
            arr.retain(|x| x.as_str().is_some_and(|s| names.contains(&s)));
            (!arr.is_empty()).then_some(v)
        };
        let manifest = json!({
            "generator": "faultline-gen",
            "schema_version": 1,
            "seed": self.a.seed,
            "day": self.a.day,
            "start": iso_string(self.start),
            "end": iso_string(self.end),
            "events": self.a.events,
            "files": files.iter().map(|(k, v)| json!({
                "name": k,
                "format": match *k { "app.log" => "plain", "api.jsonl" => "json", "access.log" => "access", _ => "logfmt" },
                "lines": v.iter().filter(|&&c| c == b'\n').count(),
                "bytes": v.len(),
            })).collect::<Vec<_>>(),
            "incidents": incidents.into_iter().filter_map(keep).collect::<Vec<_>>(),
            "noise": noise.into_iter().filter_map(keep).collect::<Vec<_>>(),
        });
        (files, manifest)
    }

    fn fail_checkout(&self, inc: &mut Rng, req: &mut Req) {
        // Latency degrades for everyone during the incident (p99 rises), ~30% fail.
        req.lat_us = req.lat_us * 2 + inc.range(0, 400_000);
        if inc.chance(0.30) {
            if inc.chance(0.4) {
                req.status = 502;
                req.lat_us = req.lat_us.max(inc.range(1_000_000, 5_000_000));
            } else {
                req.status = 503;
                if inc.chance(0.5) {
                    req.h_code = Some("H12");
                    req.lat_us = 30_000_000;
                } else {
                    req.h_code = Some("H13");
                    req.lat_us = inc.range(2_000_000, 9_000_000);
                }
            }
        }
    }

    fn emit_request(&self, f: &mut Files, q: &Req) {
        let route = &ROUTES[q.route];
        let mut r = Rng::new(q.seed ^ 0xA5A5);
        let mut path = Vec::with_capacity(64);
        Template::parse(route.path).render(&mut r, &mut path);
        url_spaces(&mut path, 0);
        let ip = *r.pick(&self.clients);
        // Bots and probes only GET; mutations come from browsers and the mobile app.
        let ua = if route.path == "/health" {
            "kube-probe/1.31"
        } else if route.method == "GET" {
            *r.pick(USER_AGENTS)
        } else {
            *r.pick(&USER_AGENTS[..6])
        };
        let bytes = match q.status {
            304 | 204 => 0,
            s if s >= 500 => r.range(150, 600),
            _ => r.range(300, 48_000),
        };
        let ms_total = q.lat_us / 1000;
        let mut rid = Vec::with_capacity(36);
        put_uuid(&mut rid, &mut r);
        let trace = r.next_u64();
        let trace2 = r.next_u64();

        // access.log: nginx combined + $request_time (logged when the response finishes)
        let done = q.ts + ms_total as i64;
        let b = f.access.begin();
        put_ip(b, ip);
        b.extend_from_slice(b" - - [");
        put_clf(b, done);
        b.extend_from_slice(b"] \"");
        b.extend_from_slice(route.method.as_bytes());
        b.push(b' ');
        b.extend_from_slice(&path);
        b.extend_from_slice(b" HTTP/1.1\" ");
        put_u64(b, u64::from(q.status));
        b.push(b' ');
        put_u64(b, bytes);
        b.extend_from_slice(b" \"");
        b.extend_from_slice(r.pick(REFERERS).as_bytes());
        b.extend_from_slice(b"\" \"");
        b.extend_from_slice(ua.as_bytes());
        b.extend_from_slice(b"\" ");
        put_fixed(b, q.lat_us / 1000, 3);
        f.access.end(done);

        // router.log: Heroku router logfmt
        let b = f.router.begin();
        put_iso_us(b, done, r.below(1000));
        b.extend_from_slice(b" heroku[router]: ");
        match q.h_code {
            Some(code) => {
                b.extend_from_slice(b"at=error code=");
                b.extend_from_slice(code.as_bytes());
                b.extend_from_slice(if code == "H12" {
                    b" desc=\"Request timeout\" "
                } else {
                    b" desc=\"Connection closed without response\" "
                });
            }
            None => b.extend_from_slice(b"at=info "),
        }
        b.extend_from_slice(b"method=");
        b.extend_from_slice(route.method.as_bytes());
        b.extend_from_slice(b" path=\"");
        b.extend_from_slice(&path);
        b.extend_from_slice(b"\" host=");
        b.extend_from_slice(SERVICE_HOST.as_bytes());
        b.extend_from_slice(b" request_id=");
        b.extend_from_slice(&rid);
        b.extend_from_slice(b" fwd=\"");
        put_ip(b, ip);
        b.extend_from_slice(b"\" dyno=web.");
        put_u64(b, r.range(1, 4));
        b.extend_from_slice(b" connect=");
        put_u64(b, r.below(3));
        b.extend_from_slice(b"ms service=");
        put_u64(b, ms_total);
        b.extend_from_slice(b"ms status=");
        put_u64(b, u64::from(q.status));
        b.extend_from_slice(b" bytes=");
        put_u64(b, if q.h_code.is_some() { 0 } else { bytes });
        b.extend_from_slice(b" protocol=https");
        f.router.end(done);

        // api.jsonl: services log errors, slow requests and a ~40% sample of the rest
        // (mirrors typical log sampling; keeps JSON volume realistic).
        if route.shape == Shape::None || q.h_code.is_some() {
            return;
        }
        let sample = q.status >= 400 || q.lat_us > 1_000_000 || r.chance(0.4);
        if !sample {
            return;
        }
        let level = match q.status {
            s if s >= 500 => "error",
            s if s >= 400 => "warn",
            _ if q.lat_us > 1_000_000 => "warn",
            _ => "info",
        };
        let msg = if q.status >= 500 {
            "request failed"
        } else if q.lat_us > 1_000_000 {
            "slow request"
        } else {
            "request completed"
        };
        let b = f.json.begin();
        let ms = q.ts + ms_total as i64;
        match route.shape {
            Shape::Logstash => {
                b.extend_from_slice(b"{\"ts\":\"");
                put_iso(b, ms);
                b.extend_from_slice(b"\",\"level\":\"");
                b.extend_from_slice(level.as_bytes());
                b.extend_from_slice(b"\",\"msg\":\"");
                b.extend_from_slice(msg.as_bytes());
                b.extend_from_slice(b"\",\"service\":\"");
                b.extend_from_slice(route.service.as_bytes());
                b.extend_from_slice(b"\",\"http\":{\"method\":\"");
                b.extend_from_slice(route.method.as_bytes());
                b.extend_from_slice(b"\",\"path\":\"");
                put_json_str(b, &path);
                b.extend_from_slice(b"\",\"status\":");
                put_u64(b, u64::from(q.status));
                b.extend_from_slice(b",\"latency_ms\":");
                put_fixed(b, q.lat_us / 100, 1);
                b.push(b'}');
                if route.path == CHECKOUT_ROUTE {
                    b.extend_from_slice(b",\"upstream\":\"");
                    b.extend_from_slice(PAYMENTS_HOST.as_bytes());
                    b.push(b'"');
                } else if route.path.starts_with("/api/v1/shipping") {
                    b.extend_from_slice(b",\"upstream\":\"");
                    b.extend_from_slice(SHIPPING_HOST.as_bytes());
                    b.push(b'"');
                }
                b.extend_from_slice(b",\"trace_id\":\"");
                put_hex(b, trace, 16);
                put_hex(b, trace2, 16);
                b.extend_from_slice(b"\",\"region\":\"eu-west-1\",\"version\":\"");
                b.extend_from_slice(self.version(ms).as_bytes());
                b.extend_from_slice(b"\"}");
            }
            Shape::Python => {
                b.extend_from_slice(b"{\"time\":\"");
                put_iso_us(b, ms, r.below(1000));
                b.extend_from_slice(b"\",\"severity\":\"");
                for c in level.bytes() {
                    b.push(c.to_ascii_uppercase());
                }
                if level == "warn" {
                    b.extend_from_slice(b"ING");
                }
                b.extend_from_slice(b"\",\"message\":\"");
                b.extend_from_slice(msg.as_bytes());
                b.extend_from_slice(b"\",\"logger\":\"");
                b.extend_from_slice(route.service.as_bytes());
                b.extend_from_slice(b".views\",\"http\":{\"request\":{\"method\":\"");
                b.extend_from_slice(route.method.as_bytes());
                b.extend_from_slice(b"\",\"path\":\"");
                put_json_str(b, &path);
                b.extend_from_slice(b"\"},\"response\":{\"status_code\":");
                put_u64(b, u64::from(q.status));
                b.extend_from_slice(b"}},\"duration_ms\":");
                put_fixed(b, q.lat_us / 10, 2);
                b.extend_from_slice(b",\"trace_id\":\"");
                put_hex(b, trace, 16);
                put_hex(b, trace2, 16);
                b.extend_from_slice(b"\",\"service\":\"");
                b.extend_from_slice(route.service.as_bytes());
                b.extend_from_slice(b"\"}");
            }
            Shape::Zap => {
                b.extend_from_slice(b"{\"level\":\"");
                b.extend_from_slice(level.as_bytes());
                b.extend_from_slice(b"\",\"ts\":");
                put_fixed(b, ms as u64, 3);
                b.extend_from_slice(b",\"caller\":\"auth/handler.go:");
                put_u64(b, 80 + (q.route as u64) * 7);
                b.extend_from_slice(b"\",\"msg\":\"");
                b.extend_from_slice(msg.as_bytes());
                b.extend_from_slice(b"\",\"service\":\"auth\",\"method\":\"");
                b.extend_from_slice(route.method.as_bytes());
                b.extend_from_slice(b"\",\"path\":\"");
                put_json_str(b, &path);
                b.extend_from_slice(b"\",\"status\":");
                put_u64(b, u64::from(q.status));
                b.extend_from_slice(b",\"latency\":\"");
                put_fixed(b, q.lat_us / 100, 1);
                b.extend_from_slice(b"ms\",\"request_id\":\"");
                b.extend_from_slice(&rid);
                b.extend_from_slice(b"\"}");
            }
            Shape::None => {}
        }
        f.json.end(ms);
    }

    /// Writes one app.log entry (with its stack trace, if any). An empty `thread` means a
    /// request-handling thread picked at random.
    fn app_line(sink: &mut Sink, ts: i64, thread: &str, k: &AppKind, r: &mut Rng) {
        let b = sink.begin();
        put_log4j(b, ts);
        b.push(b' ');
        b.extend_from_slice(k.level.as_bytes());
        if k.level.len() == 4 {
            b.push(b' ');
        }
        b.extend_from_slice(b" [");
        if !thread.is_empty() {
            b.extend_from_slice(thread.as_bytes());
        } else if k.logger == "catalog.indexer" {
            b.extend_from_slice(b"indexer-worker-");
            put_u64(b, r.range(1, 4));
        } else {
            app_thread(r, b);
        }
        b.extend_from_slice(b"] ");
        b.extend_from_slice(k.logger.as_bytes());
        b.extend_from_slice(b" - ");
        Template::parse(k.msg).render(r, b);
        put_trace(b, k.trace);
        sink.end(ts);
    }

    /// Writes one logstash-shaped JSON line with extra raw fields.
    fn json_line(&self, sink: &mut Sink, ts: i64, m: &Js, r: &mut Rng) {
        let b = sink.begin();
        b.extend_from_slice(b"{\"ts\":\"");
        put_iso(b, ts);
        b.extend_from_slice(b"\",\"level\":\"");
        b.extend_from_slice(m.level.as_bytes());
        b.extend_from_slice(b"\",\"msg\":\"");
        let mut text = Vec::new();
        Template::parse(m.msg).render(r, &mut text);
        put_json_str(b, &text);
        b.extend_from_slice(b"\",\"service\":\"");
        b.extend_from_slice(m.service.as_bytes());
        b.push(b'"');
        if !m.extra.is_empty() {
            b.push(b',');
            Template::parse(m.extra).render(r, b);
        }
        b.extend_from_slice(b",\"trace_id\":\"");
        put_hex(b, r.next_u64(), 16);
        put_hex(b, r.next_u64(), 16);
        b.extend_from_slice(b"\",\"region\":\"eu-west-1\",\"version\":\"");
        b.extend_from_slice(self.version(ts).as_bytes());
        b.extend_from_slice(b"\"}");
        sink.end(ts);
    }

    /// Benign noise present on both days. Returns manifest entries.
    fn emit_noise(&self, f: &mut Files, r: &mut Rng, cron_lines: u64) -> Vec<serde_json::Value> {
        let all = ["app.log", "api.jsonl", "access.log", "router.log"];
        // 1) Steady deprecation warning every 10 minutes (config refresh), both app and JSON.
        let mut t = self.start + 3 * 60_000 + 17_000;
        while t < self.end {
            Self::app_line(&mut f.app, t, "config-refresh-1", &akt("WARN", "c.acme.config.LegacyConfigLoader", "Property 'payments.timeout' is deprecated, use 'payments.client.read-timeout' instead", 0, Trace::None), r);
            self.json_line(
                &mut f.json,
                t + 5,
                &Js {
                    level: "warn",
                    service: "checkout",
                    msg: "deprecated config key payments.timeout in use",
                    extra: "",
                },
                r,
            );
            t += 600_000;
        }
        // 2) Hourly cron burst at :00 — inventory sync, N lines within one minute, some WARN.
        let mut h = self.start.div_euclid(3_600_000) * 3_600_000;
        if h < self.start {
            h += 3_600_000;
        }
        let mut hours = Vec::new();
        while h < self.end {
            hours.push(h);
            let batches = cron_lines.saturating_sub(2).max(1);
            Self::app_line(
                &mut f.app,
                h + 50,
                "scheduling-1",
                &akt(
                    "INFO",
                    "c.acme.jobs.InventorySyncJob",
                    "Starting InventorySyncJob (run {hex8})",
                    0,
                    Trace::None,
                ),
                r,
            );
            for i in 0..batches {
                let ts = h + 100 + (i * 58_000 / batches) as i64 + r.below(200) as i64;
                if r.chance(0.1) {
                    Self::app_line(
                        &mut f.app,
                        ts,
                        "scheduling-1",
                        &akt(
                            "WARN",
                            "c.acme.jobs.InventorySyncJob",
                            "SKU {sku} missing in warehouse feed, skipping",
                            0,
                            Trace::None,
                        ),
                        r,
                    );
                } else {
                    Self::app_line(
                        &mut f.app,
                        ts,
                        "scheduling-1",
                        &akt(
                            "INFO",
                            "c.acme.jobs.InventorySyncJob",
                            "Synced batch of {int} SKUs from warehouse feed in {ms}ms",
                            0,
                            Trace::None,
                        ),
                        r,
                    );
                }
            }
            Self::app_line(
                &mut f.app,
                h + 59_000,
                "scheduling-1",
                &akt(
                    "INFO",
                    "c.acme.jobs.InventorySyncJob",
                    "InventorySyncJob finished: {int} SKUs updated, {small} skipped",
                    0,
                    Trace::None,
                ),
                r,
            );
            let b = f.router.begin();
            put_iso_us(b, h + 20, r.below(1000));
            b.extend_from_slice(b" heroku[scheduler.");
            put_u64(b, r.range(1000, 9999));
            b.extend_from_slice(b"]: Starting process with command `bin/rake inventory:sync` by user scheduler@addons.heroku.com");
            f.router.end(h + 20);
            h += 3_600_000;
        }
        // 3) Nightly backup at 02:00 every day in the window (~7 minutes, with a benign WARN).
        let mut backups = Vec::new();
        let mut d = self.start.div_euclid(86_400_000) * 86_400_000 + 2 * 3_600_000 + 30_000;
        while d < self.end {
            if d >= self.start {
                backups.push(d);
                Self::app_line(
                    &mut f.app,
                    d,
                    "backup-1",
                    &akt(
                        "INFO",
                        "c.acme.ops.BackupJob",
                        "Starting nightly backup of db-primary to s3://acme-backups/nightly/",
                        0,
                        Trace::None,
                    ),
                    r,
                );
                for (i, table) in TABLES.iter().enumerate() {
                    let ts = d + 20_000 + i as i64 * 55_000;
                    if i == 3 {
                        Self::app_line(
                            &mut f.app,
                            ts - 5000,
                            "backup-1",
                            &akt(
                                "WARN",
                                "c.acme.ops.BackupJob",
                                "Table payments is locked by autovacuum, waiting 5s",
                                0,
                                Trace::None,
                            ),
                            r,
                        );
                    }
                    let msg = format!("Dumped table {table} ({{int}} rows) in {{ms}}ms");
                    Self::app_line(
                        &mut f.app,
                        ts,
                        "backup-1",
                        &akt("INFO", "c.acme.ops.BackupJob", &msg, 0, Trace::None),
                        r,
                    );
                }
                Self::app_line(
                    &mut f.app,
                    d + 420_000,
                    "backup-1",
                    &akt(
                        "INFO",
                        "c.acme.ops.BackupJob",
                        "Backup completed: 18.{small} GB in 4{small}0s",
                        0,
                        Trace::None,
                    ),
                    r,
                );
            }
            d += 86_400_000;
        }
        // 4) Rare existing errors at a low absolute rate (per-minute Poisson): the spike
        //    template must exist before the incident, and payment timeouts happen occasionally.
        let mut m = self.start;
        while m < self.end {
            if r.chance(1.0 / 45.0) {
                let ts = m + r.below(60_000) as i64;
                Self::app_line(
                    &mut f.app,
                    ts,
                    "",
                    &akt(
                        "ERROR",
                        "c.acme.db.ReplicaRouter",
                        DB_TIMEOUT_MSG,
                        0,
                        Trace::DbTimeout,
                    ),
                    r,
                );
            }
            if r.chance(1.0 / 240.0) {
                let ts = m + r.below(60_000) as i64;
                self.payment_timeout(f, ts, r);
            }
            m += 60_000;
        }
        // Background ERROR templates with variables shown as `<*>` (template-miner notation).
        let error_patterns: Vec<String> = APP_KINDS
            .iter()
            .filter(|k| k.level == "ERROR")
            .map(|k| {
                let mut p = String::new();
                for piece in &Template::parse(k.msg).0 {
                    match piece {
                        Piece::Lit(l) => p.push_str(&String::from_utf8_lossy(l)),
                        Piece::Var(_) => p.push_str("<*>"),
                    }
                }
                p
            })
            .collect();
        let hour_list: Vec<String> = hours.iter().map(|&h| iso_string(h)).collect();
        vec![
            json!({"kind": "steady_warning", "pattern": "Property 'payments.timeout' is deprecated, use 'payments.client.read-timeout' instead", "schedule": "every 10 minutes", "files": ["app.log", "api.jsonl"]}),
            json!({"kind": "steady_warning", "pattern": "Cache miss for key product:<*>, loading from database", "schedule": "~2.5% of app lines", "files": ["app.log"]}),
            json!({"kind": "cron_burst", "pattern": "Synced batch of <*> SKUs from warehouse feed in <*>ms", "schedule": "hourly at :00 for 1 minute", "lines_per_run": cron_lines, "runs": hour_list, "files": ["app.log", "router.log"]}),
            json!({"kind": "nightly_backup", "pattern": "Starting nightly backup of db-primary to s3://acme-backups/nightly/", "schedule": "daily at 02:00:30 for ~7 minutes", "runs": backups.iter().map(|&d| iso_string(d)).collect::<Vec<_>>(), "files": ["app.log"]}),
            json!({"kind": "random_errors", "pattern": "background ERROR templates at ~0.5% of app lines, 5xx at ~0.5% of requests", "patterns": error_patterns, "schedule": "random", "files": all}),
            json!({"kind": "rare_error", "pattern": DB_TIMEOUT_MSG, "schedule": "~1 per 45 minutes", "files": ["app.log"]}),
            json!({"kind": "rare_error", "pattern": PAYMENT_TIMEOUT_MSG, "schedule": "~1 per 4 hours", "files": ["app.log", "api.jsonl"]}),
        ]
    }

    fn payment_timeout(&self, f: &mut Files, ts: i64, r: &mut Rng) {
        Self::app_line(&mut f.app, ts, "payment-capture-3", &akt("ERROR", "c.acme.checkout.PaymentClient", concat!("Payment provider call failed: upstream payments.stripe-like.example timed out after 30000ms", " (order {order})"), 0, Trace::PaymentTimeout), r);
        self.json_line(&mut f.json, ts + 2, &Js { level: "error", service: "checkout", msg: "upstream call timed out", extra: "\"upstream\":\"payments.stripe-like.example\",\"timeout_ms\":30000,\"latency_ms\":300{pool}.5,\"order_id\":\"{order}\"" }, r);
    }

    /// Injected incidents (incident day only). Returns manifest entries.
    fn emit_incidents(&self, f: &mut Files, r: &mut Rng) -> Vec<serde_json::Value> {
        let Some(inc) = &self.incident else {
            return Vec::new();
        };
        let minutes = |k: usize| (inc.onset[k]..inc.end[k]).step_by(60_000);

        // (a) deploy, then a brand-new error within a minute that keeps recurring.
        let deploy = inc.onset[0] - 40_000;
        Self::app_line(
            &mut f.app,
            deploy,
            "main",
            &akt(
                "INFO",
                "c.acme.Application",
                "Deploying version 1.5.0 (build 8812)",
                0,
                Trace::None,
            ),
            r,
        );
        Self::app_line(
            &mut f.app,
            deploy + 23_400,
            "main",
            &akt(
                "INFO",
                "c.acme.Application",
                "Started Application v1.5.0 in 23.4 seconds (process running for 25.1)",
                0,
                Trace::None,
            ),
            r,
        );
        self.json_line(
            &mut f.json,
            deploy,
            &Js {
                level: "info",
                service: "checkout",
                msg: "deploy started",
                extra: "\"deploy\":{\"version\":\"1.5.0\",\"build\":\"8812\"}",
            },
            r,
        );
        for (dt, line) in [
            (2_000, "heroku[web.1]: Restarting"),
            (2_400, "heroku[web.1]: State changed from up to starting"),
            (24_100, "heroku[web.1]: State changed from starting to up"),
        ] {
            let b = f.router.begin();
            put_iso_us(b, deploy + dt, r.below(1000));
            b.push(b' ');
            b.extend_from_slice(line.as_bytes());
            f.router.end(deploy + dt);
        }
        let req_per_min = self.a.events as f64 / (f64::from(self.a.hours.max(1)) * 60.0);
        let npe_rate = 0.02 * req_per_min;
        let mut first = true;
        for m in minutes(0) {
            // First occurrence exactly at onset, then ~2% of requests (at least 0.2/min),
            // following the daily curve: it recurs but doesn't drown a small fixture.
            let n = if first {
                1
            } else {
                r.poisson((npe_rate * daily_curve(m)).max(0.2))
            };
            for j in 0..n {
                let ts = if first {
                    m
                } else {
                    m + r.below(60_000) as i64 + j as i64
                };
                Self::app_line(
                    &mut f.app,
                    ts,
                    "",
                    &akt(
                        "ERROR",
                        "c.acme.orders.OrderMapper",
                        "NullPointerException in OrderMapper.toDto for order {order}",
                        0,
                        Trace::Npe,
                    ),
                    r,
                );
                self.json_line(&mut f.json, ts + 1, &Js { level: "error", service: "orders", msg: "NullPointerException in OrderMapper.toDto", extra: "\"error\":{\"type\":\"java.lang.NullPointerException\",\"message\":\"order.shippingAddress is null\"},\"http\":{\"request\":{\"method\":\"GET\",\"path\":\"/api/v1/orders/{int}\"},\"response\":{\"status\":500}}" }, r);
            }
            first = false;
        }
        // (b) spike of the normally rare db-replica timeout (~25x baseline).
        for m in minutes(1) {
            for _ in 0..r.poisson(0.55).max(u64::from(m == inc.onset[1])) {
                let ts = if m == inc.onset[1] {
                    m
                } else {
                    m + r.below(60_000) as i64
                };
                Self::app_line(
                    &mut f.app,
                    ts,
                    "",
                    &akt(
                        "ERROR",
                        "c.acme.db.ReplicaRouter",
                        DB_TIMEOUT_MSG,
                        0,
                        Trace::DbTimeout,
                    ),
                    r,
                );
            }
        }
        // (c) partner rate limiting: 429 + Retry-After, retries, then failed upstream calls.
        for m in minutes(2) {
            for i in 0..r.poisson(3.0).max(u64::from(m == inc.onset[2])) {
                let ts = if m == inc.onset[2] && i == 0 {
                    m
                } else {
                    m + r.below(60_000) as i64
                };
                Self::app_line(&mut f.app, ts, "", &akt("WARN", "c.acme.shipping.QuoteClient", "Rate limited by api.shipfast.example: HTTP 429 Too Many Requests, Retry-After: 30 (zip {zip})", 0, Trace::None), r);
                self.json_line(&mut f.json, ts + 1, &Js { level: "warn", service: "checkout", msg: "upstream rate limited", extra: "\"upstream\":\"api.shipfast.example\",\"http\":{\"method\":\"GET\",\"url\":\"https://api.shipfast.example/v2/rates?zip={zip}\",\"status\":429},\"retry_after_s\":30" }, r);
                if r.chance(0.5) {
                    Self::app_line(&mut f.app, ts + 900, "", &akt("ERROR", "c.acme.shipping.QuoteClient", "Shipping quote failed after 3 retries: 429 Too Many Requests from api.shipfast.example", 0, Trace::None), r);
                    self.json_line(&mut f.json, ts + 901, &Js { level: "error", service: "checkout", msg: "upstream call failed", extra: "\"upstream\":\"api.shipfast.example\",\"error\":\"429 Too Many Requests\",\"attempts\":3" }, r);
                }
            }
        }
        // (d) POST /api/v1/checkout failing: background requests in the window are already
        //     degraded; add client retries so even small fixtures show it clearly.
        let checkout = ROUTES
            .iter()
            .position(|x| x.path == CHECKOUT_ROUTE)
            .unwrap_or(0);
        for m in minutes(3) {
            for i in 0..r.poisson(3.0).max(u64::from(m == inc.onset[3])) {
                let ts = if m == inc.onset[3] && i == 0 {
                    m
                } else {
                    m + r.below(60_000) as i64
                };
                let seed = r.next_u64();
                let mut q = Rng::new(seed);
                let mut req = Req {
                    ts,
                    route: checkout,
                    status: 201,
                    lat_us: q.latency_us(240.0, 0.55),
                    h_code: None,
                    seed,
                };
                self.fail_checkout(r, &mut req);
                if m == inc.onset[3] && i == 0 {
                    req.status = 503;
                    req.h_code = Some("H12");
                    req.lat_us = 30_000_000;
                }
                self.emit_request(f, &req);
            }
        }
        // (e) payments provider timing out after 30000ms.
        for m in minutes(4) {
            for i in 0..r.poisson(2.0).max(u64::from(m == inc.onset[4])) {
                let ts = if m == inc.onset[4] && i == 0 {
                    m
                } else {
                    m + r.below(60_000) as i64
                };
                self.payment_timeout(f, ts, r);
            }
        }

        let o = |k: usize| iso_string(inc.onset[k]);
        let e = |k: usize| iso_string(inc.end[k]);
        vec![
            json!({"kind": "new_error", "pattern": NPE_MSG, "level": "ERROR", "onset": o(0), "end": e(0),
                   "deploy": {"at": iso_string(deploy), "version": "1.5.0", "build": "8812", "pattern": "Deploying version 1.5.0 (build 8812)"},
                   "files": ["app.log", "api.jsonl"]}),
            json!({"kind": "spike", "pattern": DB_TIMEOUT_MSG, "level": "ERROR", "baseline_per_hour": 1.33, "factor": 25, "onset": o(1), "end": e(1),
                   "files": ["app.log"]}),
            json!({"kind": "rate_limit", "pattern": "Rate limited by api.shipfast.example: HTTP 429 Too Many Requests, Retry-After: 30", "upstream": SHIPPING_HOST, "status": 429,
                   "onset": o(2), "end": e(2), "files": ["app.log", "api.jsonl"]}),
            json!({"kind": "endpoint_failure", "route": "POST /api/v1/checkout", "method": "POST", "path": CHECKOUT_ROUTE, "statuses": [502, 503], "error_fraction": 0.3,
                   "onset": o(3), "end": e(3), "files": ["access.log", "router.log", "api.jsonl"]}),
            json!({"kind": "upstream_timeout", "pattern": PAYMENT_TIMEOUT_MSG, "upstream": PAYMENTS_HOST, "timeout_ms": 30000,
                   "onset": o(4), "end": e(4), "files": ["app.log", "api.jsonl"]}),
        ]
    }
}

fn cmd_scenario(a: ScenarioArgs) -> io::Result<()> {
    let t0 = Instant::now();
    let out = a.out.clone();
    let (files, manifest) = Scenario::new(a)?.generate();
    fs::create_dir_all(&out)?;
    let mut total = 0;
    for (name, data) in &files {
        fs::write(out.join(name), data)?;
        total += data.len();
    }
    let mut m = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    m.push(b'\n');
    fs::write(manifest_path(&out), m)?;
    report_speed("scenario", total as u64, t0);
    Ok(())
}

/// `OUT.manifest.json` beside the scenario's directory or bundle `OUT`: outside it, so that
/// reading it reads the logs and not the answer key (whose patterns would be counted as events).
fn manifest_path(out: &std::path::Path) -> std::path::PathBuf {
    let dir = out.components().as_path();
    let mut name = dir.as_os_str().to_owned();
    name.push(".manifest.json");
    std::path::PathBuf::from(name)
}

fn report_speed(what: &str, bytes: u64, t0: Instant) {
    let s = t0.elapsed().as_secs_f64();
    eprintln!(
        "faultline-gen {what}: {:.1} MB in {:.2}s ({:.0} MB/s)",
        bytes as f64 / 1e6,
        s,
        bytes as f64 / 1e6 / s.max(1e-9)
    );
}

// ---------------------------------------------------------------------------------------------
// Bench: large, fast, varied
// ---------------------------------------------------------------------------------------------

#[derive(Args)]
struct BenchArgs {
    #[arg(long)]
    out: PathBuf,
    /// Approximate output size: bytes or with K/M/G suffix (powers of 1024).
    #[arg(long, default_value = "1G")]
    size: String,
    /// Stop after this many lines instead of --size (multi-line entries count as one line each).
    #[arg(long)]
    lines: Option<u64>,
    #[arg(long, default_value = "plain", value_parser = ["plain", "json", "access", "logfmt", "syslog"])]
    format: String,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Make every physical line unique: embeds a sequence number as a variable field
    /// (`seq=N`, JSON `"seq"`, or `_=N` query parameter) and omits stack traces.
    #[arg(long)]
    unique: bool,
    #[arg(long, default_value = "2026-11-27T00:00:00Z")]
    start: String,
}

fn parse_size(s: &str) -> io::Result<u64> {
    let s = s.trim();
    let (num, mul) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .map(|n| n * mul)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("bad --size {s:?}")))
}

const BENCH_PATTERNS: &[(&str, &str)] = &[
    ("INFO", "Processed {N} batch {int} in {ms}ms"),
    ("INFO", "Loaded {int} {N} records from {host} in {ms}ms"),
    (
        "INFO",
        "{N} request {uuid} completed with status 200 in {ms}ms",
    ),
    ("INFO", "User {user} updated {N} settings"),
    ("INFO", "Scheduled {N} task {hex8} to run in {small}s"),
    (
        "INFO",
        "Cache refresh for {N}: {int} entries, {pct}% hit ratio",
    ),
    (
        "INFO",
        "Published {N} event {uuid} to topic {N}-events partition {small}",
    ),
    ("INFO", "Accepted connection from {ip} for {N} stream"),
    ("INFO", "Flushed {bytes} bytes of {N} data to disk"),
    ("INFO", "{N} health check passed ({ms}ms)"),
    ("DEBUG", "Resolved {N} handler for path {path}"),
    (
        "DEBUG",
        "{N} query plan chosen: index scan on {table} (cost={int})",
    ),
    ("DEBUG", "Acquired lock {N}:{hex8} after {ms}ms"),
    ("DEBUG", "Serialized {N} payload of {bytes} bytes"),
    (
        "WARN",
        "Slow {N} query on {table}: {ms}ms (threshold 500ms)",
    ),
    ("WARN", "{N} retry {small}/5 after error from {host}"),
    ("WARN", "Deprecated {N} API called by client {ip}"),
    ("WARN", "{N} queue depth {int} above soft limit"),
    ("WARN", "Cache miss for {N} key {hex16}"),
    (
        "ERROR",
        "Failed to process {N} message {uuid}: timeout after {ms}ms",
    ),
    ("ERROR", "{N} connection to {host}:5432 refused"),
    (
        "ERROR",
        "Could not deserialize {N} payload from {ip}: unexpected end of input at offset {int}",
    ),
    (
        "ERROR",
        "{N} worker {small} crashed: out of memory (heap {bytes} bytes)",
    ),
    (
        "INFO",
        "Order {order} {N} step finished for customer {cust}",
    ),
    ("INFO", "Sent {N} notification to {email}"),
    ("INFO", "Computed {N} aggregate for {sku}: {money}"),
    ("INFO", "{N} sync cursor advanced to {int}"),
    ("DEBUG", "{N} span {hex16} parent {hex16} duration {ms}ms"),
    ("WARN", "{N} token for {user} expires in {small} minutes"),
    (
        "INFO",
        "Rebalanced {N} consumers: {small} partitions assigned",
    ),
];
const BENCH_NOUNS: &[&str] = &[
    "billing",
    "invoice",
    "shipment",
    "catalog",
    "inventory",
    "pricing",
    "session",
    "profile",
    "search",
    "review",
    "coupon",
    "warehouse",
    "ledger",
    "refund",
    "payout",
    "audit",
    "report",
    "export",
    "import",
    "thumbnail",
    "recommendation",
    "fraud",
    "tax",
    "loyalty",
];
const BENCH_COMPONENTS: &[&str] = &[
    "c.acme.billing.InvoiceService",
    "c.acme.shipping.Dispatcher",
    "c.acme.catalog.Indexer",
    "c.acme.pricing.Engine",
    "c.acme.auth.SessionStore",
    "c.acme.search.QueryPlanner",
    "o.a.kafka.clients.consumer.KafkaConsumer",
    "c.zaxxer.hikari.pool.HikariPool",
    "c.acme.jobs.ExportJob",
    "c.acme.fraud.Scorer",
    "c.acme.ledger.Writer",
    "c.acme.web.Api",
];
const SYSLOG_PROGS: &[&str] = &[
    "sshd",
    "cron",
    "kernel",
    "systemd",
    "dockerd",
    "nginx",
    "postfix/smtp",
    "acme-worker",
];

struct BenchTemplate {
    level: &'static str,
    logger: &'static str,
    msg: Template,
}

/// ~700 templates: each pattern × several nouns, with the noun baked into the constant text.
fn bench_templates(seed: u64) -> Vec<BenchTemplate> {
    let mut r = Rng::derive(seed, 10);
    let mut v = Vec::new();
    for (pi, (level, pat)) in BENCH_PATTERNS.iter().enumerate() {
        for (ni, noun) in BENCH_NOUNS.iter().enumerate() {
            let noun2 = BENCH_NOUNS[(ni + pi + 7) % BENCH_NOUNS.len()];
            let text = pat.replacen("{N}", noun, 1).replacen("{N}", noun2, 1);
            v.push(BenchTemplate {
                level,
                logger: BENCH_COMPONENTS[r.below(BENCH_COMPONENTS.len() as u64) as usize],
                msg: Template::parse(&text),
            });
        }
    }
    // Shuffle so the skewed popularity below doesn't follow pattern order.
    for i in (1..v.len()).rev() {
        let j = r.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

fn cmd_bench(a: BenchArgs) -> io::Result<()> {
    let t0 = Instant::now();
    let size = parse_size(&a.size)?;
    let limit_lines = a.lines.unwrap_or(u64::MAX);
    let limit_bytes = if a.lines.is_some() { u64::MAX } else { size };
    let start = parse_start(&a.start)?;
    let est_lines = a.lines.unwrap_or(size / 150).max(1);
    // Spread the output over ~24h whatever its size.
    let step_us = (86_400_000_000 / est_lines).max(1);
    let templates = bench_templates(a.seed);
    let n_t = templates.len() as f64;
    let mut r = Rng::derive(a.seed, 11);
    let clients: Vec<u32> = (0..2000)
        .map(|_| (r.next_u64() >> 32) as u32 | 0x0100_0000)
        .collect();
    let route_tpls: Vec<Template> = ROUTES.iter().map(|x| Template::parse(x.path)).collect();
    let route_w: Vec<u32> = ROUTES.iter().map(|x| x.weight).collect();

    let file = File::create(&a.out)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut b: Vec<u8> = Vec::with_capacity(2 << 20);
    let (mut written, mut lines, mut t_us) = (0u64, 0u64, start as u64 * 1000);
    let fmt = a.format.as_str();
    while written < limit_bytes && lines < limit_lines {
        t_us += r.below(step_us * 2 + 1);
        let ms = (t_us / 1000) as i64;
        // Cubic skew gives a few very hot templates and a long tail, like real logs.
        let u = r.unit();
        let tpl = &templates[(u * u * u * n_t) as usize];
        let before = b.len();
        match fmt {
            "plain" => {
                put_log4j(&mut b, ms);
                b.push(b' ');
                b.extend_from_slice(tpl.level.as_bytes());
                if tpl.level.len() == 4 {
                    b.push(b' ');
                }
                b.extend_from_slice(b" [worker-");
                put_u64(&mut b, r.below(32));
                b.extend_from_slice(b"] ");
                b.extend_from_slice(tpl.logger.as_bytes());
                b.extend_from_slice(b" - ");
                tpl.msg.render(&mut r, &mut b);
                if a.unique {
                    b.extend_from_slice(b" seq=");
                    put_u64(&mut b, lines);
                }
                // Stack-trace lines repeat by nature, so --unique leaves them out.
                if !a.unique && tpl.level == "ERROR" && r.chance(0.2) {
                    let t = *r.pick(&[
                        Trace::DbTimeout,
                        Trace::Mail,
                        Trace::IllegalState,
                        Trace::Python,
                    ]);
                    put_trace(&mut b, t);
                }
            }
            "json" => {
                b.extend_from_slice(b"{\"ts\":\"");
                put_iso(&mut b, ms);
                b.extend_from_slice(b"\",\"level\":\"");
                for c in tpl.level.bytes() {
                    b.push(c.to_ascii_lowercase());
                }
                b.extend_from_slice(b"\",\"logger\":\"");
                b.extend_from_slice(tpl.logger.as_bytes());
                b.extend_from_slice(b"\",\"msg\":\"");
                tpl.msg.render(&mut r, &mut b);
                b.extend_from_slice(b"\",\"trace_id\":\"");
                put_hex(&mut b, r.next_u64(), 16);
                if a.unique {
                    b.extend_from_slice(b"\",\"seq\":");
                    put_u64(&mut b, lines);
                    b.extend_from_slice(b",\"region\":\"eu-west-1\"}");
                } else {
                    b.extend_from_slice(b"\",\"region\":\"eu-west-1\"}");
                }
            }
            "access" => {
                let ri = weighted(&mut r, &route_w);
                let route = &ROUTES[ri];
                put_ip(&mut b, *r.pick(&clients));
                b.extend_from_slice(b" - - [");
                put_clf(&mut b, ms);
                b.extend_from_slice(b"] \"");
                b.extend_from_slice(route.method.as_bytes());
                b.push(b' ');
                let p0 = b.len();
                route_tpls[ri].render(&mut r, &mut b);
                url_spaces(&mut b, p0);
                if a.unique {
                    b.extend_from_slice(if route.path.contains('?') {
                        b"&_="
                    } else {
                        b"?_="
                    });
                    put_u64(&mut b, lines);
                }
                b.extend_from_slice(b" HTTP/1.1\" ");
                let status = status_for(&mut r, route);
                put_u64(&mut b, u64::from(status));
                b.push(b' ');
                put_u64(&mut b, r.range(200, 40_000));
                b.extend_from_slice(b" \"");
                b.extend_from_slice(r.pick(REFERERS).as_bytes());
                b.extend_from_slice(b"\" \"");
                b.extend_from_slice(r.pick(USER_AGENTS).as_bytes());
                b.extend_from_slice(b"\" ");
                put_fixed(&mut b, r.latency_us(route.median_ms, 0.6) / 1000, 3);
            }
            "logfmt" => {
                put_iso_us(&mut b, ms, r.below(1000));
                if r.chance(0.5) {
                    let ri = weighted(&mut r, &route_w);
                    let route = &ROUTES[ri];
                    b.extend_from_slice(b" heroku[router]: at=info method=");
                    b.extend_from_slice(route.method.as_bytes());
                    b.extend_from_slice(b" path=\"");
                    let p0 = b.len();
                    route_tpls[ri].render(&mut r, &mut b);
                    url_spaces(&mut b, p0);
                    b.extend_from_slice(b"\" host=shop.acme.example request_id=");
                    put_uuid(&mut b, &mut r);
                    b.extend_from_slice(b" fwd=\"");
                    put_ip(&mut b, *r.pick(&clients));
                    b.extend_from_slice(b"\" dyno=web.");
                    put_u64(&mut b, r.range(1, 8));
                    b.extend_from_slice(b" connect=");
                    put_u64(&mut b, r.below(3));
                    b.extend_from_slice(b"ms service=");
                    put_u64(&mut b, r.latency_us(route.median_ms, 0.6) / 1000);
                    b.extend_from_slice(b"ms status=");
                    put_u64(&mut b, u64::from(status_for(&mut r, route)));
                    b.extend_from_slice(b" bytes=");
                    put_u64(&mut b, r.range(200, 40_000));
                    b.extend_from_slice(b" protocol=https");
                } else {
                    b.extend_from_slice(b" app[worker.");
                    put_u64(&mut b, r.range(1, 4));
                    b.extend_from_slice(b"]: level=");
                    for c in tpl.level.bytes() {
                        b.push(c.to_ascii_lowercase());
                    }
                    b.extend_from_slice(b" component=");
                    b.extend_from_slice(tpl.logger.as_bytes());
                    b.extend_from_slice(b" msg=\"");
                    tpl.msg.render(&mut r, &mut b);
                    b.extend_from_slice(b"\" duration_ms=");
                    put_u64(&mut b, r.latency_us(12.0, 0.8) / 1000);
                }
                if a.unique {
                    b.extend_from_slice(b" seq=");
                    put_u64(&mut b, lines);
                }
            }
            _ => {
                // RFC 3164 syslog: <PRI>Mmm dd hh:mm:ss host prog[pid]: msg
                let sev = match tpl.level {
                    "ERROR" => 3,
                    "WARN" => 4,
                    "INFO" => 6,
                    _ => 7,
                };
                b.push(b'<');
                put_u64(&mut b, 8 + sev);
                b.push(b'>');
                put_syslog_ts(&mut b, ms);
                b.extend_from_slice(b" ip-10-0-");
                put_u64(&mut b, r.below(4));
                b.push(b'-');
                put_u64(&mut b, r.range(10, 250));
                b.push(b' ');
                b.extend_from_slice(r.pick(SYSLOG_PROGS).as_bytes());
                b.push(b'[');
                put_u64(&mut b, r.range(300, 65_000));
                b.extend_from_slice(b"]: ");
                tpl.msg.render(&mut r, &mut b);
                if a.unique {
                    b.extend_from_slice(b" seq=");
                    put_u64(&mut b, lines);
                }
            }
        }
        b.push(b'\n');
        written += (b.len() - before) as u64;
        lines += 1;
        if b.len() >= 1 << 20 {
            w.write_all(&b)?;
            b.clear();
        }
    }
    w.write_all(&b)?;
    w.flush()?;
    report_speed("bench", written, t0);
    eprintln!("faultline-gen bench: {lines} lines");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bundle
// ---------------------------------------------------------------------------------------------

#[derive(Args)]
struct BundleArgs {
    /// `.tar.gz`, `.tgz`, `.tar` or `.zip`.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    scenario: BundleScenario,
}

#[derive(Args)]
struct BundleScenario {
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value = "incident", value_parser = ["normal", "incident"])]
    day: String,
    #[arg(long, default_value_t = 20_000)]
    events: u64,
    #[arg(long, default_value = "2026-11-27T00:00:00Z")]
    start: String,
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    hours: u32,
}

fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    // GzEncoder writes mtime 0 and a fixed OS byte, so output is reproducible.
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data)?;
    e.finish()
}

fn cmd_bundle(a: BundleArgs) -> io::Result<()> {
    let t0 = Instant::now();
    let s = a.scenario;
    let args = ScenarioArgs {
        out: PathBuf::new(),
        seed: s.seed,
        day: s.day,
        events: s.events,
        start: s.start,
        hours: s.hours,
        format: "all".into(),
        offsets: Vec::new(),
        cron_lines: None,
    };
    let scn = Scenario::new(args)?;
    let (mut files, mut manifest) = scn.generate();
    // Rotate app.log at the window midpoint: the older half becomes app.log.1.gz.
    let mid = scn.start + (scn.end - scn.start) / 2;
    let app = files.remove("app.log").unwrap_or_default();
    let cut = find_rotation_point(&app, mid);
    let rotated = gzip(&app[..cut])?;
    manifest["rotated"] =
        json!([{"file": "app.log.1.gz", "original": "app.log", "until": iso_string(mid)}]);
    let mut m = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    m.push(b'\n');

    // The answer key goes beside the bundle, not in it: read as input, its patterns would be
    // counted as events.
    fs::write(manifest_path(&a.out), m)?;
    let mut entries: Vec<(String, Vec<u8>)> =
        vec![("scenario/app.log".into(), app[cut..].to_vec())];
    entries.push(("scenario/app.log.1.gz".into(), rotated));
    for (k, v) in files {
        entries.push((format!("scenario/{k}"), v));
    }
    let mtime = (scn.start / 1000) as u64;
    let out = a.out;
    match BundleKind::of(&out)? {
        BundleKind::Tar => {
            write_tar(BufWriter::new(File::create(&out)?), &entries, mtime)?.flush()?
        }
        BundleKind::TarGz => {
            let gz = GzEncoder::new(BufWriter::new(File::create(&out)?), Compression::default());
            write_tar(gz, &entries, mtime)?.finish()?.flush()?
        }
        BundleKind::Zip => {
            write_zip(BufWriter::new(File::create(&out)?), &entries, scn.start)?.flush()?
        }
    }
    report_speed("bundle", entries.iter().map(|e| e.1.len() as u64).sum(), t0);
    Ok(())
}

enum BundleKind {
    Tar,
    TarGz,
    Zip,
}

impl BundleKind {
    /// Decided from the extension before creating the file, so a typo leaves nothing behind.
    fn of(p: &std::path::Path) -> io::Result<Self> {
        let name = p.to_string_lossy();
        if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Ok(BundleKind::TarGz)
        } else if name.ends_with(".tar") {
            Ok(BundleKind::Tar)
        } else if name.ends_with(".zip") {
            Ok(BundleKind::Zip)
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bundle --out must end in .tar.gz, .tgz, .tar or .zip",
            ))
        }
    }
}

fn write_zip<W: Write + io::Seek>(
    w: W,
    entries: &[(String, Vec<u8>)],
    start_ms: i64,
) -> io::Result<W> {
    // Fixed timestamp: zip's default would otherwise depend on crate features/wall clock.
    let t = split_ms(start_ms);
    let dt = zip::DateTime::from_date_and_time(
        t.y as u16, t.mo as u8, t.d as u8, t.h as u8, t.mi as u8, t.s as u8,
    )
    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(dt)
        .unix_permissions(0o644);
    let mut z = zip::ZipWriter::new(w);
    for (name, data) in entries {
        z.start_file(name.as_str(), opts)
            .map_err(io::Error::other)?;
        z.write_all(data)?;
    }
    z.finish().map_err(io::Error::other)
}

/// First byte offset of an entry at or after `ts` (entries start with a log4j timestamp;
/// continuation lines of stack traces never do, so traces are never split).
fn find_rotation_point(app: &[u8], ts: i64) -> usize {
    let mut key = Vec::new();
    put_log4j(&mut key, ts);
    let mut pos = 0;
    while pos < app.len() {
        if app[pos..].len() >= key.len()
            && app[pos].is_ascii_digit()
            && app[pos..pos + key.len()] >= key[..]
        {
            return pos;
        }
        pos += app[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(app.len() - pos, |i| i + 1);
    }
    app.len()
}

fn write_tar<W: Write>(w: W, entries: &[(String, Vec<u8>)], mtime: u64) -> io::Result<W> {
    let mut t = tar::Builder::new(w);
    t.mode(tar::HeaderMode::Deterministic);
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(mtime);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        t.append_data(&mut h, name, data.as_slice())?;
    }
    t.into_inner()
}

// ---------------------------------------------------------------------------------------------
// Messy inputs
// ---------------------------------------------------------------------------------------------

#[derive(Args)]
struct MessyArgs {
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Size of the single huge line in `long_line.log`; 0 skips that file (for committed fixtures).
    #[arg(long, default_value_t = 3 << 20)]
    long_line_bytes: u64,
    /// Normal lines per file around the malformed ones.
    #[arg(long, default_value_t = 200)]
    lines: u64,
}

fn plain_lines(r: &mut Rng, start: i64, n: u64) -> Vec<Vec<u8>> {
    let weights: Vec<u32> = APP_KINDS.iter().map(|k| k.weight).collect();
    (0..n)
        .map(|i| {
            let k = &APP_KINDS[weighted(r, &weights)];
            let mut b = Vec::new();
            put_log4j(&mut b, start + i as i64 * 1500 + r.below(1000) as i64);
            b.push(b' ');
            b.extend_from_slice(format!("{:<5} [main] {} - ", k.level, k.logger).as_bytes());
            Template::parse(k.msg).render(r, &mut b);
            b
        })
        .collect()
}

fn cmd_messy(a: MessyArgs) -> io::Result<()> {
    let mut r = Rng::derive(a.seed, 20);
    let start = parse_start("2026-11-27T00:00:00Z")?;
    fs::create_dir_all(&a.out)?;
    let join = |v: &[Vec<u8>], eol: &[u8]| -> Vec<u8> {
        let mut o = Vec::new();
        for l in v {
            o.extend_from_slice(l);
            o.extend_from_slice(eol);
        }
        o
    };

    // Invalid UTF-8: stray continuation bytes, overlong encodings, truncated multi-byte
    // sequences at end of line, Latin-1 text, and a UTF-16LE BOM.
    let mut v = plain_lines(&mut r, start, a.lines);
    let bad: [&[u8]; 6] = [
        b"\xff\xfe",
        b"caf\xe9 cr\xe8me",
        b"\xc0\xaf overlong slash",
        b"\x80\x81\x82",
        b"user=\xe2\x82",
        b"\xed\xa0\x80 surrogate",
    ];
    for (i, bad) in bad.iter().enumerate() {
        let at = (i as u64 * a.lines / 6 + 3).min(v.len() as u64 - 1) as usize;
        v[at].extend_from_slice(b" ");
        v[at].extend_from_slice(bad);
    }
    fs::write(a.out.join("invalid_utf8.log"), join(&v, b"\n"))?;

    // Binary file full of NULs with a few newlines, like a core dump or a mis-globbed .db.
    let mut bin = Vec::with_capacity(64 << 10);
    for _ in 0..(64 << 10) {
        let x = r.below(100);
        bin.push(match x {
            0..=59 => 0,
            60 => b'\n',
            _ => (r.next_u64() & 0xff) as u8,
        });
    }
    fs::write(a.out.join("binary.bin"), bin)?;

    // One huge line (default 3 MiB) between normal lines.
    if a.long_line_bytes > 0 {
        let mut v = plain_lines(&mut r, start, 10);
        let mut long = Vec::with_capacity(a.long_line_bytes as usize);
        put_log4j(&mut long, start + 20_000);
        long.extend_from_slice(
            b" ERROR [main] c.acme.web.RequestLogger - Request body: {\"items\":[",
        );
        while (long.len() as u64) < a.long_line_bytes - 3 {
            long.extend_from_slice(b"{\"sku\":\"SKU-");
            put_pad(&mut long, r.below(100_000), 5);
            long.extend_from_slice(b"\",\"qty\":1},");
        }
        long.truncate(a.long_line_bytes as usize - 2);
        long.extend_from_slice(b"]}");
        v.insert(5, long);
        fs::write(a.out.join("long_line.log"), join(&v, b"\n"))?;
    }

    // Truncated gzip: two complete members, then a third cut off mid-stream.
    let mut gz = Vec::new();
    for m in 0..3 {
        let member = gzip(&join(
            &plain_lines(&mut r, start + m * 3_600_000, a.lines),
            b"\n",
        ))?;
        if m < 2 {
            gz.extend_from_slice(&member);
        } else {
            gz.extend_from_slice(&member[..member.len() / 2]);
        }
    }
    fs::write(a.out.join("truncated.log.gz"), gz)?;

    fs::write(a.out.join("empty.log"), b"")?;

    // CRLF line endings, with a final line lacking any terminator.
    let v = plain_lines(&mut r, start, a.lines);
    let mut crlf = join(&v, b"\r\n");
    crlf.extend_from_slice(
        b"2026-11-27 23:59:59,999 INFO  [main] c.acme.Application - no trailing newline",
    );
    fs::write(a.out.join("crlf.log"), crlf)?;

    // Mixed formats in one file (e.g. a container's stdout aggregated).
    let mut mixed = Vec::new();
    let plain = plain_lines(&mut r, start, a.lines);
    for (i, l) in plain.iter().enumerate() {
        let ts = start + i as i64 * 1500;
        match i % 5 {
            0 => mixed.extend_from_slice(l),
            1 => {
                mixed.extend_from_slice(b"{\"ts\":\"");
                put_iso(&mut mixed, ts);
                mixed.extend_from_slice(b"\",\"level\":\"info\",\"msg\":\"request completed\",\"http\":{\"status\":200}}");
            }
            2 => {
                put_ip(&mut mixed, (r.next_u64() >> 32) as u32);
                mixed.extend_from_slice(b" - - [");
                put_clf(&mut mixed, ts);
                mixed.extend_from_slice(b"] \"GET /api/v1/products/");
                put_u64(&mut mixed, r.below(9999));
                mixed.extend_from_slice(b" HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\" 0.004");
            }
            3 => {
                put_iso_us(&mut mixed, ts, 0);
                mixed.extend_from_slice(b" heroku[router]: at=info method=GET path=\"/health\" host=shop.acme.example status=200 service=1ms");
            }
            _ => {
                mixed.extend_from_slice(b"<30>");
                put_syslog_ts(&mut mixed, ts);
                mixed.extend_from_slice(
                    b" ip-10-0-1-17 systemd[1]: Started Daily apt download activities.",
                );
            }
        }
        mixed.push(b'\n');
        if i == 7 {
            mixed.extend_from_slice(b"\tat com.acme.Orphan.stackFrame(Orphan.java:1)\n   \n\n");
        }
    }
    fs::write(a.out.join("mixed.log"), mixed)?;

    // Timestamps that look like timestamps but are not parseable / plausible.
    let bad_ts: &[&str] = &[
        "2026-13-45 25:61:61,999 ERROR [main] c.acme.X - month 13",
        "2026-02-30 10:00:00,000 WARN  [main] c.acme.X - February 30th",
        "yesterday 10:15 INFO  [main] c.acme.X - relative time",
        "1795780503 INFO epoch seconds without a format",
        "1795780503123 INFO epoch millis without a format",
        "27/11/2026 10:15:03 INFO day-first date",
        "2026-11-27T10:15:03+25:00 INFO impossible offset",
        "2026-11-27T10:15:03.123456789012Z INFO too many fraction digits",
        "--:--:-- ERROR [main] c.acme.X - placeholder timestamp",
        "INFO [main] c.acme.X - no timestamp at all",
        "0000-00-00 00:00:00,000 ERROR [main] c.acme.X - zero date",
        "9999-12-31 23:59:59,999 INFO  [main] c.acme.X - far future",
    ];
    let mut v = plain_lines(&mut r, start, a.lines);
    for (i, l) in bad_ts.iter().enumerate() {
        let at = (i as u64 * a.lines / bad_ts.len() as u64) as usize;
        v.insert(at + i, l.as_bytes().to_vec());
    }
    fs::write(a.out.join("bad_timestamps.log"), join(&v, b"\n"))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

#[derive(Parser)]
#[command(
    name = "faultline-gen",
    about = "Deterministic synthetic logs for faultline tests and benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// One day of service logs (+ DIR.manifest.json beside DIR) with benign noise and optional incidents.
    Scenario(ScenarioArgs),
    /// A large log of roughly --size bytes for benchmarks.
    Bench(BenchArgs),
    /// A scenario packed as .tar.gz/.tgz/.tar/.zip with a rotated app.log.1.gz inside
    /// (+ OUT.manifest.json beside it).
    Bundle(BundleArgs),
    /// Malformed-input fixtures.
    Messy(MessyArgs),
}

fn main() -> io::Result<()> {
    match Cli::parse().cmd {
        Cmd::Scenario(a) => cmd_scenario(a),
        Cmd::Bench(a) => cmd_bench(a),
        Cmd::Bundle(a) => cmd_bundle(a),
        Cmd::Messy(a) => cmd_messy(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_math_matches_libm() {
        for x in [-30.0, -2.5, -0.3, 0.0, 0.7, 1.0, 5.5, 40.0] {
            let (a, b) = (exp_det(x), f64::exp(x));
            assert!(((a - b) / b).abs() < 1e-12, "exp({x}) {a} vs {b}");
        }
        for x in [-7.0, -1.0, 0.0, 0.5, 3.0, 6.2, 20.0] {
            assert!((cos_det(x) - f64::cos(x)).abs() < 1e-12, "cos({x})");
        }
    }

    #[test]
    fn time_formatting_round_trips() {
        let ms = parse_start("2026-11-27T10:15:03Z").unwrap() + 123;
        let mut b = Vec::new();
        put_log4j(&mut b, ms);
        b.push(b'|');
        put_clf(&mut b, ms);
        b.push(b'|');
        put_iso(&mut b, ms);
        b.push(b'|');
        put_syslog_ts(&mut b, ms);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "2026-11-27 10:15:03,123|27/Nov/2026:10:15:03 +0000|2026-11-27T10:15:03.123Z|Nov 27 10:15:03"
        );
        assert_eq!(
            iso_string(parse_start("2024-02-29T23:59:59Z").unwrap()),
            "2024-02-29T23:59:59Z"
        );
    }

    fn args(day: &str) -> ScenarioArgs {
        ScenarioArgs {
            out: PathBuf::new(),
            seed: 9,
            day: day.into(),
            events: 2000,
            start: "2026-11-27T00:00:00Z".into(),
            hours: 6,
            format: "all".into(),
            offsets: Vec::new(),
            cron_lines: None,
        }
    }

    #[test]
    fn scenario_is_deterministic_and_incidents_only_add() {
        let (a, ma) = Scenario::new(args("incident")).unwrap().generate();
        let (b, mb) = Scenario::new(args("incident")).unwrap().generate();
        assert_eq!(a, b);
        assert_eq!(ma, mb);
        assert_eq!(ma["incidents"].as_array().map(Vec::len), Some(5));
        let (n, mn) = Scenario::new(args("normal")).unwrap().generate();
        assert_eq!(mn["incidents"].as_array().map(Vec::len), Some(0));
        // The access log of the normal day is a line-subset of the incident day's, except for
        // requests degraded by the endpoint failure.
        let inc = String::from_utf8_lossy(&a["access.log"]).into_owned();
        let missing = String::from_utf8_lossy(&n["access.log"])
            .lines()
            .filter(|l| !inc.contains(l))
            .filter(|l| !l.contains("/api/v1/checkout"))
            .count();
        assert_eq!(missing, 0);
        // Every incident shows in app.log and api.jsonl when it names them: its pattern
        // literally in app.log; in api.jsonl a record inside the incident's window that is
        // the pattern as its message, or (structured) a record of its upstream's 429s or
        // timeouts, or of its route failing.
        let records: Vec<serde_json::Value> = String::from_utf8_lossy(&a["api.jsonl"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let secs = |v: &serde_json::Value| -> i64 {
            match v {
                serde_json::Value::String(s) => s.parse::<jiff::Timestamp>().unwrap().as_second(),
                v => v.as_f64().unwrap() as i64,
            }
        };
        let app = String::from_utf8_lossy(&a["app.log"]).into_owned();
        let mut checked = 0;
        for i in ma["incidents"].as_array().into_iter().flatten() {
            let kind = i["kind"].as_str().unwrap();
            let pat = i["pattern"].as_str();
            let (onset, end) = (secs(&i["onset"]), secs(&i["end"]));
            for f in i["files"].as_array().into_iter().flatten() {
                match f.as_str().unwrap() {
                    "app.log" => {
                        let pat = pat.unwrap();
                        assert!(app.contains(pat), "{pat} missing from app.log");
                    }
                    "api.jsonl" => {
                        let shows = |r: &serde_json::Value| {
                            let msg = r.get("msg").or_else(|| r.get("message"));
                            let http = &r["http"];
                            let status = http
                                .get("status")
                                .or_else(|| http.pointer("/response/status"))
                                .and_then(serde_json::Value::as_u64);
                            match kind {
                                "new_error" => msg.and_then(|m| m.as_str()) == pat,
                                "rate_limit" => {
                                    r["upstream"] == i["upstream"] && status == Some(429)
                                }
                                "upstream_timeout" => {
                                    r["upstream"] == i["upstream"]
                                        && r["timeout_ms"] == i["timeout_ms"]
                                }
                                "endpoint_failure" => {
                                    http["method"] == i["method"]
                                        && http["path"] == i["path"]
                                        && i["statuses"]
                                            .as_array()
                                            .unwrap()
                                            .iter()
                                            .any(|s| s.as_u64() == status)
                                }
                                k => panic!("no api.jsonl check for {k}"),
                            }
                        };
                        let hits = records
                            .iter()
                            .filter(|r| {
                                let t = secs(r.get("ts").unwrap_or(&r["time"]));
                                (onset..=end).contains(&t)
                            })
                            .filter(|r| shows(r))
                            .count();
                        assert!(hits > 0, "{kind} not in api.jsonl");
                    }
                    _ => continue,
                }
                checked += 1;
            }
        }
        // new_error, spike, rate_limit and upstream_timeout in app.log; all but the spike in
        // api.jsonl.
        assert_eq!(checked, 8);
        let app = String::from_utf8_lossy(&n["app.log"]).into_owned();
        assert!(!app.contains("NullPointerException"));
        assert!(app.contains(DB_TIMEOUT_MSG));
    }
}
