//! W3C extended log format: IIS, Azure App Service and AWS CloudFront request logs, whose
//! `#Fields:` directive names the columns (`#Fields: date time s-ip cs-method cs-uri-stem …`).
//!
//! Which columns a server writes is its administrator's choice (Azure App Service adds
//! `s-sitename`, `cs-host`, `sc-bytes`…; CloudFront writes 33 columns), so a source's layout is
//! read from the first `#Fields:` line of its sample ([`W3cFields::from_sample`]). IIS writes
//! a new header when its logging fields change: whoever cuts a source into chunks passes on
//! the layout of the last `#Fields:` before each chunk ([`last_directive`],
//! `Chunk::w3c`), and a directive inside a chunk switches it for the lines after, so every
//! line is read with the same layout whatever the chunk size. Without a directive (a file
//! read from its middle, a pipe) IIS's default fields are assumed ([`iis_default`]).
//!
//! Values never contain the separator: IIS writes `+` for a space, CloudFront URL-encodes and
//! separates columns with tabs where IIS uses spaces; a line is split on tabs when it has one.
//! `time-taken` is whole milliseconds in IIS and seconds with a decimal point in CloudFront
//! (`0.002`, W3C's own unit): a value with a point is read as seconds.
//!
//! Read: `date` and `time` (UTC, as the format defines them), `cs-method`, `cs-uri-stem` (or
//! `cs-uri`), `sc-status`, `time-taken`; the server and site columns (`s-sitename`,
//! `s-computername`, `cs-host`/`cs(Host)`, `x-edge-location`) and CloudFront's
//! `x-edge-detailed-result-type` (`OriginCommError`…) become fields, so the endpoint contrast
//! can say that failures come from one server, site or edge, and why.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::access::{is_method, status_or_absent};
use super::time::{parse_prefix, TimeCtx};
use super::{Event, Level};

/// What a column holds, for the columns that are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Skip,
    Date,
    Time,
    Method,
    Uri,
    Status,
    Taken,
    /// A column kept as a field, by its index in [`FIELD_KEYS`].
    Field(u8),
}

/// Columns kept as fields: (name in `#Fields:`, key of the event field).
const FIELD_KEYS: [(&str, &str); 6] = [
    ("s-sitename", "s-sitename"),
    ("s-computername", "s-computername"),
    ("cs-host", "host"),
    ("cs(Host)", "host"),
    ("x-edge-location", "x-edge-location"),
    // CloudFront's reason for an error (`OriginCommError`, `OriginDnsError`…).
    ("x-edge-detailed-result-type", "x-edge-detailed-result-type"),
];

/// Most columns a layout may have.
pub const MAX_COLUMNS: usize = 128;

/// A source's columns, from its `#Fields:` directive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct W3cFields {
    roles: Vec<Role>,
    /// Index of the `cs-method` column (`None` if absent) and of the URI column.
    method: Option<usize>,
    uri: usize,
}

impl W3cFields {
    /// The layout a `#Fields: …` line names, when it has what a request needs: `date`,
    /// `time`, a URI (`cs-uri-stem` or `cs-uri`) and `sc-status`.
    pub fn from_directive(line: &[u8]) -> Option<W3cFields> {
        let rest = line.strip_prefix(b"#Fields:")?;
        let mut roles: Vec<Role> = Vec::new();
        for name in rest
            .split(|&c| c == b' ' || c == b'\t' || c == b'\r')
            .filter(|n| !n.is_empty())
        {
            if roles.len() == MAX_COLUMNS {
                return None;
            }
            let is = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
            let role = if is("date") {
                Role::Date
            } else if is("time") {
                Role::Time
            } else if is("cs-method") {
                Role::Method
            } else if is("cs-uri-stem") || is("cs-uri") {
                Role::Uri
            } else if is("sc-status") {
                Role::Status
            } else if is("time-taken") {
                Role::Taken
            } else if let Some(k) = FIELD_KEYS.iter().position(|(n, _)| is(n)) {
                Role::Field(k as u8)
            } else {
                Role::Skip
            };
            // Only the first column of each kind is read (time-taken and fields: any).
            let once = !matches!(role, Role::Skip | Role::Taken | Role::Field(_));
            roles.push(if once && roles.contains(&role) {
                Role::Skip
            } else {
                role
            });
        }
        let at = |role: Role| roles.iter().position(|&r| r == role);
        at(Role::Date)?;
        at(Role::Time)?;
        at(Role::Status)?;
        let (method, uri) = (at(Role::Method), at(Role::Uri)?);
        Some(W3cFields { roles, method, uri })
    }

    /// The layout of the first `#Fields:` line among the first lines of `sample`.
    pub fn from_sample(sample: &[u8]) -> Option<W3cFields> {
        let sample = sample.strip_prefix(super::parse::BOM).unwrap_or(sample);
        sample
            .split(|&b| b == b'\n')
            .take(super::detect::MAX_LINES)
            .find(|l| l.starts_with(b"#Fields:"))
            .and_then(W3cFields::from_directive)
    }
}

/// The layout named by the last `#Fields:` line of `data` (whole lines), when it has one:
/// `Some(None)` when that directive does not name a request's columns. A server writes a new
/// header block when its logging fields change; the lines after it have the new columns.
pub fn last_directive(data: &[u8]) -> Option<Option<W3cFields>> {
    let data = data.strip_prefix(super::parse::BOM).unwrap_or(data);
    let at = match memchr::memmem::rfind(data, b"\n#Fields:") {
        Some(i) => i + 1,
        None if data.starts_with(b"#Fields:") => 0,
        None => return None,
    };
    let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |e| at + e);
    Some(W3cFields::from_directive(&data[at..end]))
}

/// Whether `line` is a W3C directive (`#Version:`, `#Fields:`, `#Software:`, `#Date:`,
/// `#Start-Date:`, `#End-Date:`, `#Remark:`): the log's own header, written at the top of
/// each file and again after each server restart, not a request.
pub fn is_directive(line: &[u8]) -> bool {
    const NAMES: [&[u8]; 7] = [
        b"Version",
        b"Fields",
        b"Software",
        b"Date",
        b"Start-Date",
        b"End-Date",
        b"Remark",
    ];
    let Some(rest) = line.strip_prefix(b"#") else {
        return false;
    };
    let Some(colon) = memchr::memchr(b':', rest) else {
        return false;
    };
    let name = &rest[..colon];
    NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// IIS's default fields: `date time s-ip cs-method cs-uri-stem cs-uri-query s-port
/// cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status
/// time-taken`, for lines without a directive.
pub fn iis_default() -> &'static W3cFields {
    const LINE: &[u8] = b"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port \
        cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";
    // The directive above is a constant that parses; the empty default (which matches no
    // line) only keeps this free of a panic path.
    static DEFAULT: LazyLock<W3cFields> =
        LazyLock::new(|| W3cFields::from_directive(LINE).unwrap_or_default());
    &DEFAULT
}

/// Reads one line of `layout`; `None` (nothing set) when the line is not one: a directive,
/// another column count, a bad date, status, method, URI or time taken.
pub fn parse<'a>(b: &'a [u8], ev: &mut Event<'a>, tc: &TimeCtx, layout: &W3cFields) -> Option<()> {
    if b.first() == Some(&b'#') {
        return None;
    }
    let sep = if memchr::memchr(b'\t', b).is_some() {
        b'\t'
    } else {
        b' '
    };
    let mut cols: [&'a [u8]; 4] = [b""; 4]; // date, time, method, uri
    let (mut status, mut taken) = (None, None);
    let mut fields: [(u8, &'a [u8]); FIELD_KEYS.len()] = [(0, b""); FIELD_KEYS.len()];
    let mut n_fields = 0;
    let mut i = 0;
    // Spaces may be doubled; a tab-separated line keeps its empty columns.
    for col in b
        .split(|&c| c == sep)
        .filter(|c| sep == b'\t' || !c.is_empty())
    {
        match *layout.roles.get(i)? {
            Role::Skip => {}
            Role::Date => cols[0] = col,
            Role::Time => cols[1] = col,
            Role::Method => cols[2] = col,
            Role::Uri => cols[3] = col,
            Role::Status => status = Some(status_or_absent(col, b"-")?),
            Role::Taken => {
                if col != b"-" {
                    taken = Some(taken_ms(col)?);
                }
            }
            Role::Field(k) => {
                if col != b"-" && !col.is_empty() && n_fields < fields.len() {
                    fields[n_fields] = (k, col);
                    n_fields += 1;
                }
            }
        }
        i += 1;
    }
    if i != layout.roles.len() {
        return None;
    }
    let [date, time, method, uri] = cols;
    let time = stamp(b, date, time, sep, tc)?;
    if layout.method.is_some() && !is_method(method) {
        return None;
    }
    if !(uri.starts_with(b"/") || uri.starts_with(b"http")) {
        return None;
    }
    // Commit: the line is a request of this layout.
    let status = status.flatten();
    ev.time = Some(time);
    ev.http.status = status;
    ev.level = Some(status.map_or(Level::Info, super::level::from_http_status));
    let adjacent = sep == b' ' && layout.method.map(|m| m + 1) == Some(layout.uri);
    ev.message = request_line(b, method, uri, adjacent);
    if layout.method.is_some() {
        ev.http.method = Some(Cow::Borrowed(method));
    }
    ev.http.path = Some(Cow::Borrowed(uri));
    ev.http.latency_ms = taken;
    for &(k, v) in &fields[..n_fields] {
        let key = FIELD_KEYS[usize::from(k)].1.as_bytes();
        ev.fields.push((Cow::Borrowed(key), Cow::Borrowed(v)));
    }
    Some(())
}

/// The message: `METHOD /uri`, borrowed from the line when the two columns are adjacent and
/// one space apart.
fn request_line<'a>(b: &'a [u8], method: &'a [u8], uri: &'a [u8], adjacent: bool) -> Cow<'a, [u8]> {
    if method.is_empty() {
        return Cow::Borrowed(uri);
    }
    if adjacent {
        let start = method.as_ptr() as usize - b.as_ptr() as usize;
        let end = uri.as_ptr() as usize - b.as_ptr() as usize + uri.len();
        if end == start + method.len() + 1 + uri.len() {
            if let Some(s) = b.get(start..end) {
                return Cow::Borrowed(s);
            }
        }
    }
    Cow::Owned(super::access::method_path(method, uri))
}

/// `date` and `time` columns (`2024-03-05`, `10:00:00`) as one UTC time.
fn stamp(b: &[u8], date: &[u8], time: &[u8], sep: u8, tc: &TimeCtx) -> Option<i64> {
    if date.len() != 10 || time.len() < 8 {
        return None;
    }
    let d = date.as_ptr() as usize - b.as_ptr() as usize;
    let t = time.as_ptr() as usize - b.as_ptr() as usize;
    let whole = if sep == b' ' && t == d + 11 {
        b.get(d..t + time.len())?
    } else {
        &[][..]
    };
    let mut buf = [0u8; 40];
    let text: &[u8] = if !whole.is_empty() {
        whole
    } else {
        let len = 11 + time.len();
        let out = buf.get_mut(..len)?;
        out[..10].copy_from_slice(date);
        out[10] = b' ';
        out[11..].copy_from_slice(time);
        out
    };
    let (t, n) = parse_prefix(text, tc)?;
    (n == text.len()).then_some(t)
}

/// `time-taken` in milliseconds: IIS's whole milliseconds, or seconds with a decimal point.
fn taken_ms(v: &[u8]) -> Option<f64> {
    if v.is_empty() || !v.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return None;
    }
    let x: f64 = std::str::from_utf8(v).ok()?.parse().ok()?;
    Some(if v.contains(&b'.') { x * 1000.0 } else { x })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ParseConfig;

    #[test]
    fn the_last_fields_directive_of_a_chunk() {
        let a = b"#Fields: date time cs-uri-stem sc-status\n";
        let b = b"#Fields: date time cs-method cs-uri-stem sc-status time-taken\r\n";
        let rows = b"2024-03-05 10:00:00 /x 200\n";
        assert_eq!(last_directive(rows), None);
        let mut data = a.to_vec();
        data.extend_from_slice(rows);
        assert_eq!(
            last_directive(&data),
            Some(W3cFields::from_directive(&a[..a.len() - 1]))
        );
        data.extend_from_slice(b);
        data.extend_from_slice(rows);
        let got = last_directive(&data).flatten().expect("a layout");
        assert_eq!(got.roles.len(), 6);
        assert_eq!(got.method, Some(2));
        // A directive without a request's columns: no layout after it.
        data.extend_from_slice(b"#Fields: date time c-ip\n");
        assert_eq!(last_directive(&data), Some(None));
        // Not at the start of a line: not a directive.
        assert_eq!(
            last_directive(b"x #Fields: date time cs-uri sc-status\n"),
            None
        );
    }

    fn run<'a>(line: &'a str, layout: &W3cFields) -> Option<Event<'a>> {
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let mut ev = Event::bare(1, line.as_bytes());
        parse(line.as_bytes(), &mut ev, &tc, layout).map(|()| ev)
    }

    #[test]
    fn the_directive_names_the_columns() {
        // Azure App Service: the site, host and byte counts between IIS's defaults.
        let l = W3cFields::from_directive(b"#Fields: date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken").expect("layout");
        let ev = run("2024-03-05 10:00:07 shop-api POST /api/v1/checkout - 443 - 10.1.2.3 Mozilla/5.0+(X11) - - shop.example.com 503 0 64 512 900 30012", &l).expect("line");
        assert_eq!(ev.time, Some(1_709_632_807_000));
        assert_eq!(ev.http.status, Some(503));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(&*ev.message, b"POST /api/v1/checkout");
        assert!(matches!(ev.message, Cow::Borrowed(_)));
        assert_eq!(ev.http.path.as_deref(), Some(&b"/api/v1/checkout"[..]));
        assert_eq!(ev.http.latency_ms, Some(30012.0));
        let fields: Vec<_> = ev.fields.iter().map(|(k, v)| (&**k, &**v)).collect();
        assert_eq!(
            fields,
            [
                (&b"s-sitename"[..], &b"shop-api"[..]),
                (&b"host"[..], &b"shop.example.com"[..])
            ]
        );
        // The default IIS positions do not fit this line: it is no request there.
        assert!(run("2024-03-05 10:00:07 shop-api POST /api/v1/checkout - 443 - 10.1.2.3 Mozilla/5.0+(X11) - - shop.example.com 503 0 64 512 900 30012", iis_default()).is_none());
    }

    #[test]
    fn cloudfront_tabs_and_seconds() {
        let l = W3cFields::from_directive(b"#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken").expect("layout");
        let line = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t502\t-\tMozilla/5.0\t-\t-\tError\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.250";
        let ev = run(line, &l).expect("line");
        assert_eq!(ev.time, Some(1_575_493_351_000));
        assert_eq!(&*ev.message, b"GET /index.html");
        assert_eq!(ev.http.status, Some(502));
        assert_eq!(ev.http.latency_ms, Some(250.0));
        let keys: Vec<_> = ev.fields.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, [&b"x-edge-location"[..], &b"host"[..]]);
        assert_eq!(ev.fields.len(), 2, "only the columns the directive has");
        // `000`: the viewer went away before a response; still a request.
        let aborted = line.replace("\t502\t", "\t000\t");
        let ev = run(&aborted, &l).expect("line");
        assert_eq!(ev.http.status, Some(0));
    }

    #[test]
    fn what_is_not_a_request_of_the_layout() {
        let l = iis_default();
        let ok = "2024-03-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 Mozilla/5.0+(Windows) - 500 0 0 1234";
        assert!(run(ok, l).is_some());
        // A doubled space is still one separator, and not part of the message.
        let doubled = ok.replace("GET /", "GET  /");
        let ev = run(&doubled, l).expect("doubled space");
        assert_eq!(&*ev.message, b"GET /api/orders");
        for bad in [
            "#Fields: date time s-ip cs-method cs-uri-stem",
            "2024-03-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 - 500 0 0 1234",
            "2024-03-05 10:00:00 10.0.0.5 get /api/orders id=5 443 - 1.2.3.4 x - 500 0 0 1234",
            "2024-03-05 10:00:00 10.0.0.5 GET api/orders id=5 443 - 1.2.3.4 x - 500 0 0 1234",
            "2024-03-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 x - 5000 0 0 1234",
            "2024-03-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 x - 500 0 0 slow",
            "2024-13-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 x - 500 0 0 1234",
            "",
        ] {
            assert!(run(bad, l).is_none(), "{bad}");
        }
        // A layout without a status or a URI reads nothing.
        assert!(W3cFields::from_directive(b"#Fields: date time cs-method cs-uri-stem").is_none());
        assert!(W3cFields::from_directive(b"#Fields: date time sc-status").is_none());
        assert!(W3cFields::from_directive(b"#Software: IIS").is_none());
    }

    #[test]
    fn damaged_lines_never_panic() {
        // Bytes of a tab-separated and a space-separated line overwritten, cut and doubled:
        // each result is a request of the layout or nothing, never a panic.
        let cf = W3cFields::from_directive(b"#Fields: date time x-edge-location cs-method cs(Host) cs-uri-stem sc-status time-taken").expect("layout");
        let lines: [(&[u8], &W3cFields); 2] = [
            (b"2019-12-04\t21:02:31\tLAX1\tGET\td1.cloudfront.net\t/a\t504\t30.002", &cf),
            (b"2024-03-05 10:00:00 10.0.0.5 GET /api/orders id=5 443 - 1.2.3.4 UA - 500 0 0 1234", iis_default()),
        ];
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let mut rng = crate::testrng::Lcg(7);
        let alphabet = b" \t-:./0123456789#GETx\xff";
        for _ in 0..20_000 {
            let (line, layout) = lines[(rng.next() % 2) as usize];
            let mut b = line.to_vec();
            for _ in 0..1 + rng.next() % 3 {
                let at = (rng.next() as usize) % b.len();
                match rng.next() % 3 {
                    0 => b[at] = alphabet[(rng.next() as usize) % alphabet.len()],
                    1 => b.truncate(at),
                    _ => b.insert(at, b[at]),
                }
                if b.is_empty() {
                    b.push(b' ');
                }
            }
            let mut ev = Event::bare(1, &b);
            if parse(&b, &mut ev, &tc, layout).is_some() {
                assert!(ev.time.is_some() && ev.http.path.is_some());
            } else {
                assert_eq!(
                    ev,
                    Event::bare(1, &b),
                    "nothing set on a line that is not one"
                );
            }
        }
    }

    #[test]
    fn the_first_directive_of_the_sample_counts() {
        let sample = b"#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time cs-method cs-uri-stem sc-status\n2024-03-05 10:00:00 GET / 200\n#Fields: date time cs-uri-stem sc-status\n";
        let l = W3cFields::from_sample(sample).expect("layout");
        assert_eq!(l.roles.len(), 5);
        assert!(W3cFields::from_sample(b"2024-03-05 10:00:00 GET / 200\n").is_none());
        // A byte order mark before a directive on the first line.
        let bom = b"\xEF\xBB\xBF#Fields: date time cs-uri-stem sc-status\r\n";
        assert_eq!(W3cFields::from_sample(bom).map(|l| l.roles.len()), Some(4));
    }
}
