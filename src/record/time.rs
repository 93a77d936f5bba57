//! Timestamp parsing: hand-written fast paths for common layouts, UTC milliseconds out.
//!
//! In: the bytes at the start of a header (or a whole JSON time value) and a [`TimeCtx`] built
//! once per chunk from the [`ParseConfig`]. Out: milliseconds since the Unix epoch (UTC) and how
//! many bytes the timestamp used. Every layout is matched by fixed positions and digit checks;
//! no regex and no general-purpose parser runs on the hot path. Zone-less stamps are read in
//! `--tz` (UTC by default, which is plain days-from-civil arithmetic; other zones go through
//! jiff, with the UTC offset cached per hour of local time because it almost never changes
//! within a chunk). Anything that does not look like a valid stamp gives `None`, never an error.

use std::cell::Cell;

use super::{DayRef, ParseConfig, YearRef};

/// The earliest time an event may have: 2000-01-01T00:00:00Z. Earlier stamps in a production
/// log are a clock that was never set (a device booting at the Unix epoch, `"ts": 0`, a
/// 1980 DOS date) or an uptime read as an epoch; one such line among a day's events would
/// stretch the timeline over decades and coarsen every series to weeks.
pub const MIN_MS: i64 = 946_684_800_000;
/// The latest time an event may have: 2200-01-01T00:00:00Z.
pub const MAX_MS: i64 = 7_258_118_400_000;

/// Whether `ms` is a time an event may have ([`MIN_MS`]..=[`MAX_MS`]). Stamps outside (Go's
/// zero time `0001-01-01`, the Unix epoch, a 25-digit epoch number, a year 9999 placeholder) are not real
/// event times: such an event is kept without a time rather than stretching the timeline over
/// centuries, and every span of event times fits comfortably in an `i64`.
pub fn plausible(ms: i64) -> bool {
    (MIN_MS..=MAX_MS).contains(&ms)
}

/// What timestamp parsing needs from the config, resolved once per chunk.
pub struct TimeCtx<'c> {
    tz: &'c jiff::tz::TimeZone,
    utc: bool,
    /// Year for stamps that carry none (syslog `Jun 14 15:16:01`, glog `E0101 ...`)...
    pub default_year: i32,
    /// ...unless that would put them after this day (days since the epoch) plus one.
    today: Option<i64>,
    /// Last (local hour key, offset seconds) resolved through jiff, for non-UTC zones.
    cache: Cell<(i64, i64)>,
    /// Last (year, month, day) → days since the epoch: consecutive lines share their date.
    last_date: Cell<(i32, u32, u32, i64)>,
    /// For times of day without a date ([`DayRef`]): the reference day (days since the
    /// epoch, local) and its time of day in milliseconds (`--date`'s: the whole day).
    day_ref: Option<(i64, i64)>,
    /// The last time of day dated, as local milliseconds since the epoch: the next is
    /// dated from it (its day, or the next once midnight passed).
    last_dated: Cell<Option<i64>>,
    /// The latest year a stamp's optional year may name: next year (by the clock, or
    /// `--year` when that is later). Logs are not written in the future, and a syslog
    /// host named `2048` is not a year.
    latest_year: i32,
}

const DAY_MS: i64 = 86_400_000;

/// For times of day without a date: the first is on the reference instant's day when that
/// puts it at most this long after the instant (a clock a little ahead), else on the day
/// before; a later one this much before the one before it is out of order, not the next day.
const BACK_MS: i64 = 3_600_000;

impl<'c> TimeCtx<'c> {
    pub fn new(cfg: &'c ParseConfig) -> TimeCtx<'c> {
        let (default_year, today) = match cfg.year_ref {
            YearRef::Fixed => (i32::from(cfg.default_year), None),
            YearRef::NotAfter(day) => (i32::from(cfg.default_year), Some(day)),
            YearRef::Clock => {
                let now = jiff::Zoned::now();
                let day = now.date();
                let days =
                    days_from_civil(i32::from(day.year()), day.month() as u32, day.day() as u32);
                (i32::from(day.year()), Some(days))
            }
        };
        let local = |ms: i64| {
            let off = jiff::Timestamp::from_millisecond(ms)
                .map_or(0, |t| i64::from(cfg.tz.to_offset(t).seconds()));
            ms + off * 1000
        };
        let split = |l: i64| Some((l.div_euclid(DAY_MS), l.rem_euclid(DAY_MS)));
        let (day_ref, last_dated) = match cfg.day_ref {
            DayRef::Off => (None, None),
            DayRef::Date(d) => (Some((d, DAY_MS)), None),
            DayRef::Before(ms) => (split(local(ms)), None),
            DayRef::Clock => (split(local(jiff::Timestamp::now().as_millisecond())), None),
            DayRef::After(ms) => (split(local(ms)), Some(local(ms))),
        };
        TimeCtx {
            tz: &cfg.tz,
            utc: cfg.tz.iana_name() == Some("UTC"),
            default_year,
            today,
            cache: Cell::new((i64::MIN, 0)),
            last_date: Cell::new((0, 0, 0, 0)),
            day_ref,
            last_dated: Cell::new(last_dated),
            latest_year: default_year.max(clock_year()) + 1,
        }
    }

    /// The day state before an event is parsed (see [`TimeCtx::settle`]).
    pub fn dated_state(&self) -> Option<i64> {
        self.last_dated.get()
    }

    /// After an event was parsed (`state`: [`TimeCtx::dated_state`] before it, `time`: its
    /// time): the next time of day is dated from this event's time, whichever stamp gave
    /// it (an epoch number too), and an event left without a time leaves the day where it
    /// was (a stamp read by a layout that was then not taken, `I1127 01:02:03` that is no
    /// glog header, dates nothing). Across chunks only the last timed event's time is
    /// carried ([`DayRef::After`]): this makes a chunk's inside agree with it.
    pub fn settle(&self, state: Option<i64>, time: Option<i64>) {
        match time {
            None => self.last_dated.set(state),
            Some(t) if self.day_ref.is_some() => {
                let off = if self.utc {
                    0
                } else {
                    self.zone_offset(t.div_euclid(1000)).unwrap_or(0)
                };
                self.last_dated.set(Some(t + off * 1000));
            }
            Some(_) => {}
        }
    }

    /// Milliseconds since the epoch for a time of day without a date, dated as the config's
    /// [`DayRef`] says; `None` when it says not to.
    pub fn dateless_ms(&self, h: u32, mi: u32, s: u32, ms: u32) -> Option<i64> {
        let (day, at) = self.day_ref?;
        if h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let tod = i64::from(h * 3600 + mi * 60 + s) * 1000 + i64::from(ms);
        let local = match self.last_dated.get() {
            Some(prev) => {
                // Logs go forward: on the day of the time before it unless that is more than
                // an hour back (midnight passed), or nearly a day ahead (a line stamped just
                // before midnight written just after it).
                let t = prev.div_euclid(DAY_MS) * DAY_MS + tod;
                if t < prev - BACK_MS {
                    t + DAY_MS
                } else if t > prev + DAY_MS - BACK_MS {
                    t - DAY_MS
                } else {
                    t
                }
            }
            None if tod <= at + BACK_MS => day * DAY_MS + tod,
            None => (day - 1) * DAY_MS + tod,
        };
        self.last_dated.set(Some(local));
        let off = self.local_offset(local.div_euclid(1000), None)?;
        Some(local - off * 1000)
    }

    /// The UTC offset, in seconds, of a local time (seconds since the epoch as if it were
    /// UTC): the stamp's own `offset`, else `--tz`'s.
    fn local_offset(&self, local: i64, offset: Option<i32>) -> Option<i64> {
        match offset {
            Some(o) => Some(i64::from(o)),
            None if self.utc => Some(0),
            None => self.zone_offset(local),
        }
    }

    /// Milliseconds since the epoch for a civil date-time. `offset` is the stamp's own UTC
    /// offset in seconds; `None` means the stamp had no zone and `--tz` applies.
    #[allow(clippy::too_many_arguments)]
    pub fn civil_ms(
        &self,
        y: i32,
        mo: u32,
        d: u32,
        h: u32,
        mi: u32,
        s: u32,
        ms: u32,
        offset: Option<i32>,
    ) -> Option<i64> {
        if h > 23 || mi > 59 || !(1..=12).contains(&mo) || d == 0 || d > 31 {
            return None;
        }
        if d > 28 && d > days_in_month(y, mo) {
            return None;
        }
        // A leap second (":60") is folded into the next second rather than rejected.
        if s > 60 {
            return None;
        }
        let (ly, lm, ld, ldays) = self.last_date.get();
        let days = if (ly, lm, ld) == (y, mo, d) {
            ldays
        } else {
            let days = days_from_civil(y, mo, d);
            self.last_date.set((y, mo, d, days));
            days
        };
        let local = days * 86_400 + i64::from(h * 3600 + mi * 60 + s);
        let off = self.local_offset(local, offset)?;
        let utc = (local - off) * 1000 + i64::from(ms);
        if self.day_ref.is_some() {
            // A source that also has times of day without a date (a container runtime's
            // stamp before the app's `HH:mm:ss.SSS`, a dated line among undated ones): the
            // next one is dated from this stamp, not from the source's last change.
            let wall = match offset {
                None => local * 1000 + i64::from(ms),
                Some(_) if self.utc => utc,
                Some(_) => utc + self.zone_offset(utc.div_euclid(1000)).unwrap_or(0) * 1000,
            };
            self.last_dated.set(Some(wall));
        }
        Some(utc)
    }

    /// UTC offset of `--tz` at a local time (seconds since the epoch as if it were UTC).
    fn zone_offset(&self, local: i64) -> Option<i64> {
        let key = local.div_euclid(3600);
        let (k, off) = self.cache.get();
        if k == key {
            return Some(off);
        }
        let at = |local: i64| -> Option<i64> {
            let dt = jiff::Timestamp::from_second(local)
                .ok()?
                .to_zoned(jiff::tz::TimeZone::UTC)
                .datetime();
            Some(local - self.tz.to_timestamp(dt).ok()?.as_second())
        };
        let hour_start = key * 3600;
        let off = at(hour_start)?;
        // Most zones change offset on the hour; one that does not (Lord Howe's 02:00 →
        // 02:30) has two offsets within the hour: that hour is not cached.
        if at(hour_start + 3599)? != off {
            return at(local);
        }
        self.cache.set((key, off));
        Some(off)
    }
}

/// This year by the clock (UTC).
fn clock_year() -> i32 {
    i32::from(
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .year(),
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[inline]
fn digit(b: &[u8], i: usize) -> Option<u32> {
    match b.get(i) {
        Some(c @ b'0'..=b'9') => Some(u32::from(c - b'0')),
        _ => None,
    }
}

#[inline]
fn num2(b: &[u8], i: usize) -> Option<u32> {
    Some(digit(b, i)? * 10 + digit(b, i + 1)?)
}

fn num4(b: &[u8], i: usize) -> Option<u32> {
    Some(num2(b, i)? * 100 + num2(b, i + 2)?)
}

/// Month number from an English three-letter abbreviation (any case).
pub fn month_abbr(b: &[u8]) -> Option<u32> {
    let m = [b.first()? | 0x20, b.get(1)? | 0x20, b.get(2)? | 0x20];
    Some(match &m {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

/// Whether `b` starts with an English weekday abbreviation (`Mon`...`Sun`).
pub fn is_weekday(b: &[u8]) -> bool {
    matches!(
        b.get(..3),
        Some(b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun")
    )
}

/// `HH:MM:SS` at `i`, then an optional `.fff`/`,fff` fraction. Returns (h, m, s, ms, end).
fn clock(b: &[u8], i: usize) -> Option<(u32, u32, u32, u32, usize)> {
    let h = num2(b, i)?;
    if b.get(i + 2) != Some(&b':') {
        return None;
    }
    let mi = num2(b, i + 3)?;
    let mut end = i + 5;
    let mut s = 0;
    if b.get(end) == Some(&b':') {
        s = num2(b, end + 1)?;
        end += 3;
    }
    let (ms, end) = fraction(b, end);
    Some((h, mi, s, ms, end))
}

/// A time of day alone, `HH:MM:SS` with an optional fraction (logback's `%d{HH:mm:ss.SSS}`),
/// dated by the config's [`DayRef`]: (milliseconds, end).
pub fn time_of_day(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let (h, mi, s, ms, end) = clock(b, 0)?;
    Some((tc.dateless_ms(h, mi, s, ms)?, end))
}

/// An optional `.ddd…` or `,ddd…` fraction at `i`: (milliseconds, end). Digits past the third
/// are consumed and truncated.
fn fraction(b: &[u8], i: usize) -> (u32, usize) {
    if !matches!(b.get(i), Some(b'.' | b',')) || digit(b, i + 1).is_none() {
        return (0, i);
    }
    let mut j = i + 1;
    let mut ms = 0;
    let mut n = 0;
    while let Some(d) = digit(b, j) {
        if n < 3 {
            ms = ms * 10 + d;
        }
        n += 1;
        j += 1;
    }
    while n < 3 {
        ms *= 10;
        n += 1;
    }
    (ms, j)
}

/// An optional zone at `i`: `Z`, `+hh:mm`, `+hhmm`, `+hh`, ` UTC`/` GMT`, or ` +hhmm`.
/// Returns (offset seconds or None, end).
fn zone(b: &[u8], i: usize) -> (Option<i32>, usize) {
    match b.get(i) {
        Some(b'Z' | b'z') => (Some(0), i + 1),
        Some(&c @ (b'+' | b'-')) => {
            let sign = if c == b'-' { -1 } else { 1 };
            let Some(h) = num2(b, i + 1) else {
                return (None, i);
            };
            let (m, end) = if b.get(i + 3) == Some(&b':') {
                match num2(b, i + 4) {
                    Some(m) => (m, i + 6),
                    None => return (None, i),
                }
            } else if let Some(m) = num2(b, i + 3) {
                (m, i + 5)
            } else {
                (0, i + 3)
            };
            if h > 23 || m > 59 {
                return (None, i);
            }
            (Some(sign * (h as i32 * 3600 + m as i32 * 60)), end)
        }
        Some(b' ') => match zone_abbr(&b[i + 1..]) {
            Some((off, n)) => (Some(off), i + 1 + n),
            // ` +0100`, and Serilog's file sink ` +01:00` (`yyyy-MM-dd HH:mm:ss.fff zzz`).
            _ if matches!(b.get(i + 1), Some(b'+' | b'-'))
                && (num4(b, i + 2).is_some() && !b.get(i + 6).is_some_and(u8::is_ascii_digit)
                    || num2(b, i + 2).is_some()
                        && b.get(i + 4) == Some(&b':')
                        && num2(b, i + 5).is_some()
                        && !b.get(i + 7).is_some_and(u8::is_ascii_digit)) =>
            {
                let (o, e) = zone(b, i + 1);
                if o.is_some() {
                    (o, e)
                } else {
                    (None, i)
                }
            }
            _ => (None, i),
        },
        _ => (None, i),
    }
}

/// A zone abbreviation at the start of `b` (followed by a non-alphanumeric byte): (offset
/// seconds, length). Only names that mean one offset in practice: UTC/GMT, the North
/// American zones (`CST` is US Central, as Java's and `date`'s output in US setups has it),
/// central/eastern/western Europe, Japan, eastern Australia. `BST` and `IST` are ambiguous
/// and not read.
fn zone_abbr(b: &[u8]) -> Option<(i32, usize)> {
    let n = b
        .iter()
        .take(5)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    if !(2..=4).contains(&n) || b.get(n).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let hours = match &b[..n] {
        b"UTC" | b"GMT" | b"UT" | b"WET" => 0,
        b"EST" => -5,
        b"EDT" | b"AST" => -4,
        b"CST" => -6,
        b"CDT" => -5,
        b"MST" => -7,
        b"MDT" => -6,
        b"PST" => -8,
        b"PDT" => -7,
        b"AKST" => -9,
        b"AKDT" => -8,
        b"HST" => -10,
        b"CET" | b"WEST" => 1,
        b"CEST" | b"EET" => 2,
        b"EEST" | b"MSK" => 3,
        b"JST" | b"KST" => 9,
        b"AEST" => 10,
        b"AEDT" => 11,
        _ => return None,
    };
    Some((hours * 3600, n))
}

/// Parses a timestamp at the start of `b`; returns (UTC millis, bytes used).
///
/// Layouts: ISO 8601 / RFC 3339 (`T` or space, `.`/`,` fraction, optional zone), `YYYY/MM/DD
/// HH:MM:SS`, access-log `10/Oct/2000:13:55:36 -0700`, syslog `Jun 14 15:16:01`, ctime
/// `Sun Dec 04 04:47:44 2005`, Loghub/HDFS `081109 203615`, logcat `03-17 16:13:38.811`,
/// Proxifier `10.30 16:49:06`, Spark `17/06/09 20:10:40`, compact `20171223-22:15:29:606`,
/// Tomcat/PHP `05-Mar-2024 10:00:08.123`, Redis `05 Mar 2024 10:00:02.123`, java.util.logging
/// `Mar 05, 2024 10:00:08 AM`.
pub fn parse_prefix(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let c0 = *b.first()?;
    if c0.is_ascii_digit() {
        if let Some(r) = iso(b, tc) {
            return Some(r);
        }
        if let Some(r) = clf(b, tc) {
            return Some(r);
        }
        if let Some(r) = yymmdd(b, tc).or_else(|| short_slash(b, tc)) {
            return Some(r);
        }
        return logcat(b, tc).or_else(|| compact(b, tc));
    }
    if c0.is_ascii_uppercase() {
        if is_weekday(b) && b.get(3) == Some(&b' ') {
            if let Some(r) = ctime(b, tc) {
                return Some(r);
            }
        }
        return syslog_stamp(b, tc).or_else(|| us_date(b, tc));
    }
    None
}

/// java.util.logging's `SimpleFormatter` (Tomcat's older `catalina.out`): `Mar 05, 2024
/// 10:00:08 AM` or `Mar 5, 2024 9:00:08 PM` (12-hour clock).
fn us_date(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let mo = month_abbr(b)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (d, i) = short_num(b, 4, 2)?;
    if b.get(i..i + 2) != Some(b", ") {
        return None;
    }
    let y = num4(b, i + 2)?;
    if b.get(i + 6) != Some(&b' ') {
        return None;
    }
    let (h, j) = short_num(b, i + 7, 2)?;
    if b.get(j) != Some(&b':') {
        return None;
    }
    let mi = num2(b, j + 1)?;
    let s = if b.get(j + 3) == Some(&b':') {
        num2(b, j + 4)?
    } else {
        return None;
    };
    let (ms, end) = fraction(b, j + 6);
    let pm = match b.get(end..end + 3) {
        Some(x) if x.eq_ignore_ascii_case(b" AM") => false,
        Some(x) if x.eq_ignore_ascii_case(b" PM") => true,
        _ => return None,
    };
    if !(1..=12).contains(&h) {
        return None;
    }
    let h = h % 12 + if pm { 12 } else { 0 };
    Some((tc.civil_ms(y as i32, mo, d, h, mi, s, ms, None)?, end + 3))
}

/// `YYYY-MM-DD[T ]HH:MM[:SS][.frac][zone]`, `YYYY/MM/DD HH:MM:SS`, ClickHouse's
/// `YYYY.MM.DD HH:MM:SS.ffffff` and Airflow's `YYYY-MM-DD, HH:MM:SS UTC`.
fn iso(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let (y, mo, d, (h, mi, s, ms), off, end) = iso_fields(b)?;
    Some((tc.civil_ms(y as i32, mo, d, h, mi, s, ms, off)?, end))
}

/// An ISO 8601 stamp at the start of `b`: (UTC millis, bytes used, whether it carries its own
/// zone, `Z` or an offset, as container runtimes and `kubectl logs --timestamps` write it;
/// a stamp without one depends on `--tz`).
pub fn iso_zoned(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize, bool)> {
    let (y, mo, d, (h, mi, s, ms), off, end) = iso_fields(b)?;
    Some((
        tc.civil_ms(y as i32, mo, d, h, mi, s, ms, off)?,
        end,
        off.is_some(),
    ))
}

/// The time of an app's own stamp (`app`) on a line a container runtime stamped (`runtime`,
/// a zoned stamp: CRI, `kubectl logs --timestamps`). Apps in containers often write local
/// time without a zone, which is read as `--tz` (UTC by default); the runtime's stamp is
/// taken moments after the app's. So when the two differ by a whole number of quarter hours
/// (every zone's offset is one), give or take two minutes of delay, the app's stamp was in
/// that zone and is moved by it: its own precision and order are kept, the runtime's zone is
/// used. Any other difference (a skewed clock, a line replayed much later) keeps the app's
/// stamp as it is.
pub fn zone_corrected(app: i64, runtime: i64) -> i64 {
    const QUARTER: i64 = 15 * 60 * 1000;
    const DELAY: i64 = 2 * 60 * 1000;
    // Zones run from UTC-12 to UTC+14.
    const WIDEST: i64 = 14 * 3_600_000 + DELAY;
    let d = app.saturating_sub(runtime);
    if d.saturating_abs() <= DELAY || d.saturating_abs() > WIDEST {
        return app;
    }
    let shift = (d + d.signum() * QUARTER / 2) / QUARTER * QUARTER;
    if shift == 0 || (d - shift).abs() > DELAY {
        return app;
    }
    app - shift
}

/// The fields of an ISO stamp: (year, month, day, (hour, minute, second, millis), its zone's
/// offset if it has one, bytes used).
#[allow(clippy::type_complexity)]
fn iso_fields(b: &[u8]) -> Option<(u32, u32, u32, (u32, u32, u32, u32), Option<i32>, usize)> {
    let y = num4(b, 0)?;
    let sep = *b.get(4)?;
    if !matches!(sep, b'-' | b'/' | b'.') || b.get(7) != Some(&sep) {
        return None;
    }
    let mo = num2(b, 5)?;
    let d = num2(b, 8)?;
    let at = match b.get(10) {
        Some(b'T' | b' ' | b't') => 11,
        // Airflow's `2026-11-30, 10:00:00 UTC`.
        Some(b',') if b.get(11) == Some(&b' ') => 12,
        _ => return None,
    };
    let (mut h, mi, s, ms, mut end) = clock(b, at)?;
    // A 12-hour clock (.NET's `yyyy-MM-dd hh:mm:ss tt`, PHP's `Y-m-d h:i:s A`).
    if let Some(pm) = am_pm(b, end) {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
        end += 3;
    }
    let (off, end) = zone(b, end);
    Some((y, mo, d, (h, mi, s, ms), off, end))
}

/// ` AM`/` PM` (any case) at `i`, as a word: whether it is PM.
#[inline]
fn am_pm(b: &[u8], i: usize) -> Option<bool> {
    if b.get(i) != Some(&b' ') {
        return None;
    }
    let pm = match b.get(i + 1)? | 0x20 {
        b'a' => false,
        b'p' => true,
        _ => return None,
    };
    let word = b.get(i + 2)? | 0x20 == b'm' && !b.get(i + 3).is_some_and(u8::is_ascii_alphanumeric);
    word.then_some(pm)
}

/// Common Log Format `10/Oct/2000:13:55:36 -0700`, and the same day-month-year order with
/// dashes or spaces: Tomcat and PHP `05-Mar-2024 10:00:08.123`, Redis `05 Mar 2024
/// 10:00:02.123`.
fn clf(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let d = num2(b, 0)?;
    let sep = *b.get(2)?;
    if !matches!(sep, b'/' | b'-' | b' ')
        || b.get(6) != Some(&sep)
        || !matches!(b.get(11), Some(b':' | b' '))
    {
        return None;
    }
    let mo = month_abbr(b.get(3..6)?)?;
    let y = num4(b, 7)?;
    let (h, mi, s, ms, end) = clock(b, 12)?;
    let (off, end) = zone(b, end);
    Some((tc.civil_ms(y as i32, mo, d, h, mi, s, ms, off)?, end))
}

/// Loghub HDFS-style `081109 203615` (YYMMDD HHMMSS, 20YY).
fn yymmdd(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    if b.get(6) != Some(&b' ') || b.get(13).is_some_and(|c| !c.is_ascii_whitespace()) {
        return None;
    }
    let (y, mo, d) = (num2(b, 0)?, num2(b, 2)?, num2(b, 4)?);
    let (h, mi, s) = (num2(b, 7)?, num2(b, 9)?, num2(b, 11)?);
    Some((tc.civil_ms(2000 + y as i32, mo, d, h, mi, s, 0, None)?, 13))
}

/// Spark/log4j `17/06/09 20:10:40` (YY/MM/DD, 20YY), or C's `%D %T` `11/27/26 10:00:00`
/// (MM/DD/YY).
fn short_slash(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    if b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') || b.get(8) != Some(&b' ') {
        return None;
    }
    let (a, c, e) = (num2(b, 0)?, num2(b, 3)?, num2(b, 6)?);
    let (h, mi, s, ms, end) = clock(b, 9)?;
    // Also C's `%D` (MM/DD/YY): the reading that is a date, or, when both are, the one
    // whose year is nearer the year taken for stamps without one, so that one log is read
    // one way (`03/05/26` and `11/27/26` are both 2026).
    let valid = |y: u32, m: u32, d: u32| {
        (1..=12).contains(&m) && d >= 1 && d <= days_in_month(2000 + y as i32, m)
    };
    let (y, mo, d) = match (valid(a, c, e), valid(e, a, c)) {
        (true, true) => {
            let near = |y: u32| (2000 + y as i32 - tc.default_year).abs();
            if near(e) < near(a) {
                (e, a, c)
            } else {
                (a, c, e)
            }
        }
        (true, false) => (a, c, e),
        (false, true) => (e, a, c),
        (false, false) => return None,
    };
    Some((
        tc.civil_ms(2000 + y as i32, mo, d, h, mi, s, ms, None)?,
        end,
    ))
}

/// Akka's `11/30/2026 10:00:00.123` (MM/DD/YYYY, as its default logger writes it), filling
/// the whole of `b`. Not tried as a line's leading stamp: elsewhere `05/11/2026` may be
/// day first.
pub fn us_slash_date(b: &[u8], tc: &TimeCtx) -> Option<i64> {
    if b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') || b.get(10) != Some(&b' ') {
        return None;
    }
    let (mo, d, y) = (num2(b, 0)?, num2(b, 3)?, num4(b, 6)?);
    let (h, mi, s, ms, end) = clock(b, 11)?;
    (end == b.len()).then_some(())?;
    tc.civil_ms(y as i32, mo, d, h, mi, s, ms, None)
}

/// JavaScript's `Date.toLocaleString()`, as NestJS's logger prints it: en-US `11/30/2026,
/// 10:00:05 PM` (month first, 12-hour clock; Node 20's ICU writes U+202F before `AM`/`PM`),
/// or a 24-hour clock after a day-first date, en-GB `30/11/2026, 22:00:05` or de-DE
/// `30.11.2026, 22:00:05`: (UTC millis, bytes used).
pub fn js_locale(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let (a, i) = short_num(b, 0, 2)?;
    let sep = *b.get(i)?;
    if !matches!(sep, b'/' | b'.') {
        return None;
    }
    let (c, i) = short_num(b, i + 1, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    let y = num4(b, i + 1)?;
    if b.get(i + 5..i + 7) != Some(b", ") {
        return None;
    }
    let (h, j) = short_num(b, i + 7, 2)?;
    if b.get(j) != Some(&b':') || b.get(j + 3) != Some(&b':') {
        return None;
    }
    let (mi, s) = (num2(b, j + 1)?, num2(b, j + 4)?);
    let end = j + 6;
    let gap = match b.get(end) {
        Some(b' ') => 1,
        _ if b.get(end..end + 3) == Some("\u{202f}".as_bytes()) => 3,
        _ => 0,
    };
    let pm = match b.get(end + gap..end + gap + 2) {
        Some(b"AM") if gap > 0 => Some(false),
        Some(b"PM") if gap > 0 => Some(true),
        _ => None,
    };
    let (mo, d, h, end) = match pm {
        Some(_) if sep != b'/' || !(1..=12).contains(&h) => return None,
        Some(pm) => (a, c, h % 12 + if pm { 12 } else { 0 }, end + gap + 2),
        None => (c, a, h, end),
    };
    Some((tc.civil_ms(y as i32, mo, d, h, mi, s, 0, None)?, end))
}

/// Android logcat `03-17 16:13:38.811` and Proxifier `10.30 16:49:06` (no year:
/// `default_year`).
fn logcat(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    if !matches!(b.get(2), Some(b'-' | b'.')) || b.get(5) != Some(&b' ') {
        return None;
    }
    let (mo, d) = (num2(b, 0)?, num2(b, 3)?);
    let (h, mi, s, ms, end) = clock(b, 6)?;
    Some((
        tc.civil_ms(tc.yearless(mo, d), mo, d, h, mi, s, ms, None)?,
        end,
    ))
}

/// Compact `YYYYMMDD-HH:MM:SS[:mmm]` (also with `T` or a space after the date): Android apps'
/// own loggers write the milliseconds after a colon.
fn compact(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    if !matches!(b.get(8), Some(b'-' | b'T' | b' ')) {
        return None;
    }
    let (y, mo, d) = (num4(b, 0)?, num2(b, 4)?, num2(b, 6)?);
    if let Some((h, mi, s, ms, end)) = clock(b, 9) {
        if !(end == 17 && b.get(17) == Some(&b':')) {
            return Some((tc.civil_ms(y as i32, mo, d, h, mi, s, ms, None)?, end));
        }
    }
    // These loggers do not always zero-pad: `20171223-22:16:0:119` (seconds 0), with the
    // milliseconds after a colon as a count of one to three digits, not a fraction.
    let (h, i) = short_num(b, 9, 2)?;
    let (mi, i) = short_num(b, i + 1, 2).filter(|_| b.get(i) == Some(&b':'))?;
    let (s, i) = short_num(b, i + 1, 2).filter(|_| b.get(i) == Some(&b':'))?;
    let (ms, end) = match short_num(b, i + 1, 3).filter(|_| b.get(i) == Some(&b':')) {
        Some((ms, e)) => (ms, e),
        None => (0, i),
    };
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some((tc.civil_ms(y as i32, mo, d, h, mi, s, ms, None)?, end))
}

/// One to `max` digits at `i` (not followed by another): (value, end).
fn short_num(b: &[u8], i: usize, max: usize) -> Option<(u32, usize)> {
    let n = b
        .get(i..)?
        .iter()
        .take(max + 1)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=max).contains(&n) {
        return None;
    }
    Some((
        b[i..i + n]
            .iter()
            .fold(0, |v, &c| v * 10 + u32::from(c - b'0')),
        i + n,
    ))
}

/// glog `MMDD HH:MM:SS.ffffff` (after the level letter; no year: `default_year`).
pub fn glog_stamp(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let (mo, d) = (num2(b, 0)?, num2(b, 2)?);
    if b.get(4) != Some(&b' ') {
        return None;
    }
    let (h, mi, s, ms, end) = clock(b, 5)?;
    Some((
        tc.civil_ms(tc.yearless(mo, d), mo, d, h, mi, s, ms, None)?,
        end,
    ))
}

impl TimeCtx<'_> {
    /// The year of a stamp that carries none. With a reference day: the latest of the default
    /// year, the one after and the one before that does not put the date after tomorrow (logs
    /// are not written in the future), so a December-to-January log read in January rolls
    /// over. Otherwise, or when none fits (Feb 29), the default year as `leap_safe_year`
    /// adjusts it.
    pub fn yearless(&self, mo: u32, d: u32) -> i32 {
        let y = self.default_year;
        if let Some(today) = self.today {
            for c in [y + 1, y, y - 1] {
                if d <= days_in_month(c, mo) && days_from_civil(c, mo, d) <= today + 1 {
                    return c;
                }
            }
            return leap_safe_year(y - 1, mo, d);
        }
        leap_safe_year(y, mo, d)
    }
}

/// The year for a year-less stamp: `default`, unless the stamp is Feb 29 and `default` has
/// none, then the latest leap year before it (a Feb 29 line was written in a leap year).
fn leap_safe_year(default: i32, mo: u32, d: u32) -> i32 {
    if mo != 2 || d != 29 || days_in_month(default, 2) == 29 {
        return default;
    }
    let mut y = default - 1;
    while days_in_month(y, 2) != 29 {
        y -= 1;
    }
    y
}

/// Syslog `Jun 14 15:16:01` / `Jun  4 15:16:01` (optional fraction, optional ` YYYY`).
fn syslog_stamp(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let mo = month_abbr(b)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (d, at) = if b.get(4) == Some(&b' ') {
        (digit(b, 5)?, 6)
    } else if let Some(d) = num2(b, 4) {
        (d, 6)
    } else {
        (digit(b, 4)?, 5)
    };
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let (h, mi, s, ms, mut end) = clock(b, at + 1)?;
    let mut y = tc.yearless(mo, d);
    // Some syslog variants append the year (`Jun 14 15:16:01 2024`).
    if b.get(end) == Some(&b' ') && b.get(end + 5).is_none_or(|c| c.is_ascii_whitespace()) {
        if let Some(yy) = num4(b, end + 1).filter(|&yy| yy as i32 <= tc.latest_year) {
            y = yy as i32;
            end += 5;
        }
    }
    Some((tc.civil_ms(y, mo, d, h, mi, s, ms, None)?, end))
}

/// ctime / Apache error log `Sun Dec 04 04:47:44 2005` (optionally `04:47:44.123456`).
fn ctime(b: &[u8], tc: &TimeCtx) -> Option<(i64, usize)> {
    let mo = month_abbr(b.get(4..7)?)?;
    if b.get(7) != Some(&b' ') {
        return None;
    }
    let (d, at) = if b.get(8) == Some(&b' ') {
        (digit(b, 9)?, 10)
    } else {
        (num2(b, 8)?, 10)
    };
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let (h, mi, s, ms, end) = clock(b, at + 1)?;
    // `date` and Java's `Date.toString()` put a zone before the year: `... 10:00:00 PST 2024`.
    let (off, end) = match b.get(end + 1..).and_then(zone_abbr) {
        Some((off, n)) if b.get(end) == Some(&b' ') => (Some(off), end + 1 + n),
        _ => (None, end),
    };
    if b.get(end) != Some(&b' ') {
        return None;
    }
    let y = num4(b, end + 1)?;
    Some((tc.civil_ms(y as i32, mo, d, h, mi, s, ms, off)?, end + 5))
}

/// Epoch number → millis, deciding the unit by magnitude: below 1e11 seconds (until year
/// 5138), below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
pub fn epoch_to_ms(v: f64) -> Option<i64> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let ms = if v < 1e11 {
        v * 1000.0
    } else if v < 1e14 {
        v
    } else if v < 1e17 {
        v / 1000.0
    } else {
        v / 1_000_000.0
    };
    Some(ms as i64)
}

/// A whole time value from a structured field (JSON, logfmt): an epoch number (plain or in a
/// string) or any stamp [`parse_prefix`] reads.
pub fn parse_value(b: &[u8], tc: &TimeCtx) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        // Integers exactly (f64 loses nanosecond precision but keeps milliseconds).
        if !b.contains(&b'.') && b.len() <= 19 {
            let n: i64 = std::str::from_utf8(b).ok()?.parse().ok()?;
            return Some(match n {
                n if n < 100_000_000_000 => n * 1000,
                n if n < 100_000_000_000_000 => n,
                n if n < 100_000_000_000_000_000 => n / 1000,
                n => n / 1_000_000,
            });
        }
        return epoch_to_ms(std::str::from_utf8(b).ok()?.parse().ok()?);
    }
    if let Some((ms, _)) = parse_prefix(b, tc) {
        return Some(ms);
    }
    // Off the fast path (rare in structured logs): RFC 2822 `Tue, 05 Mar 2024 10:00:00 +0000`.
    if b.get(3) == Some(&b',') {
        static RFC2822: jiff::fmt::rfc2822::DateTimeParser =
            jiff::fmt::rfc2822::DateTimeParser::new();
        return RFC2822.parse_timestamp(b).ok().map(|t| t.as_millisecond());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<i64> {
        let cfg = ParseConfig {
            default_year: 2024,
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        parse_prefix(s.as_bytes(), &tc).map(|r| r.0)
    }

    fn ms(s: &str) -> i64 {
        jiff::Timestamp::from_str_iso(s)
    }

    trait FromIso {
        fn from_str_iso(s: &str) -> i64;
    }
    impl FromIso for jiff::Timestamp {
        fn from_str_iso(s: &str) -> i64 {
            s.parse::<jiff::Timestamp>()
                .map_or(0, |t| t.as_millisecond())
        }
    }

    /// Found by fuzzing: a 12-hour clock after an ISO date was read as 24-hour (PM events
    /// 12 h early, the level lost); `NN/NN/NN` was always Spark's YY/MM/DD, so C's MM/DD/YY
    /// lines were 23 years off or untimed, line by line; a syslog host named `2048` was
    /// taken for an appended year.
    #[test]
    fn am_pm_us_short_dates_and_implausible_years() {
        let cfg = ParseConfig {
            default_year: 2026,
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        let p = |s: &str| parse_prefix(s.as_bytes(), &tc);
        assert_eq!(
            p("2026-03-01 10:00:00 PM ERROR x"),
            Some((ms("2026-03-01T22:00:00Z"), 22))
        );
        assert_eq!(
            p("2026-03-01 12:15:00 AM x").map(|r| r.0),
            Some(ms("2026-03-01T00:15:00Z"))
        );
        assert_eq!(
            p("2026-03-01 12:15:00 PM x").map(|r| r.0),
            Some(ms("2026-03-01T12:15:00Z"))
        );
        assert_eq!(
            p("2026-03-01 09:00:00.123 pm x").map(|r| r.0),
            Some(ms("2026-03-01T21:00:00.123Z"))
        );
        // Not a 12-hour clock: a word that starts with `am`, or an hour past 12.
        assert_eq!(
            p("2026-03-01 10:00:00 amqp down"),
            Some((ms("2026-03-01T10:00:00Z"), 19))
        );
        assert_eq!(p("2026-03-01 13:00:00 PM x"), None);

        // Spark's YY/MM/DD where only it is a date, or where its year is nearer.
        assert_eq!(
            p("17/06/09 20:10:40 INFO").map(|r| r.0),
            Some(ms("2017-06-09T20:10:40Z"))
        );
        assert_eq!(
            p("15/09/01 10:00:00 INFO").map(|r| r.0),
            Some(ms("2015-09-01T10:00:00Z"))
        );
        // MM/DD/YY, however its fields happen to fall.
        for (s, want) in [
            ("03/05/26 10:00:00 ERROR", "2026-03-05T10:00:00Z"),
            ("03/13/26 10:00:00 ERROR", "2026-03-13T10:00:00Z"),
            ("11/27/26 10:00:00 ERROR", "2026-11-27T10:00:00Z"),
            ("12/01/26 10:00:00 ERROR", "2026-12-01T10:00:00Z"),
        ] {
            assert_eq!(p(s).map(|r| r.0), Some(ms(want)), "{s}");
        }
        assert_eq!(p("13/13/13 10:00:00 x"), None);

        // A year after a syslog stamp only when it is not in the future.
        assert_eq!(
            p("Nov 27 10:00:01 2024 host app: x"),
            Some((ms("2024-11-27T10:00:01Z"), 20))
        );
        assert_eq!(
            p("Nov 27 10:00:01 2048 kernel: x"),
            Some((ms("2026-11-27T10:00:01Z"), 15))
        );
    }

    #[test]
    fn iso_layouts() {
        let want = ms("2015-10-18T18:01:47.978Z");
        for s in [
            "2015-10-18 18:01:47,978 ERROR",
            "2015-10-18T18:01:47.978Z",
            "2015-10-18T18:01:47.978123456Z x",
            "2015-10-18T20:01:47.978+02:00",
            "2015-10-18T20:01:47.978+0200",
            "2015-10-18T20:01:47.978+02",
            "2015-10-18T16:01:47.978-02:00",
            "2015-10-18 18:01:47.978 UTC",
            "2015-10-18 18:01:47.978 +0000",
            // Serilog's file sink: `yyyy-MM-dd HH:mm:ss.fff zzz`.
            "2015-10-18 19:01:47.978 +01:00 [ERR] x",
            "2015-10-18 18:01:47.978 +00:00",
            // ClickHouse; Airflow (whole seconds below).
            "2015.10.18 18:01:47.978123 [ 12 ]",
        ] {
            assert_eq!(at(s), Some(want), "{s}");
        }
        // A number after the stamp is the message's, not a zone.
        assert_eq!(
            at("2024-01-01 10:00:00 +01:005 x"),
            Some(ms("2024-01-01T10:00:00Z"))
        );
        assert_eq!(
            at("2024/01/01 10:00:00 msg"),
            Some(ms("2024-01-01T10:00:00Z"))
        );
        assert_eq!(at("2024-01-01T10:00"), Some(ms("2024-01-01T10:00:00Z")));
        assert_eq!(
            at("2024-01-01, 10:00:00 UTC] {x.py:1}"),
            Some(ms("2024-01-01T10:00:00Z"))
        );
        assert_eq!(at("2024-01-01,10:00:00"), None);
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        assert_eq!(
            us_slash_date(b"11/30/2026 10:00:00.123", &tc),
            Some(ms("2026-11-30T10:00:00.123Z"))
        );
        assert_eq!(us_slash_date(b"11/30/2026 10:00:00.123 x", &tc), None);
        assert_eq!(us_slash_date(b"30/11/2026 10:00:00", &tc), None);
        // Never a line's leading stamp (day-first elsewhere).
        assert_eq!(at("11/30/2026 10:00:00 x"), None);
        // JavaScript's `toLocaleString()`: en-US with AM/PM (also behind U+202F), en-GB, de-DE.
        let js = |s: &str| js_locale(s.as_bytes(), &tc);
        let t = |s: &str, n: usize| Some((ms(s), n));
        assert_eq!(
            js("11/30/2026, 10:00:05 PM  x"),
            t("2026-11-30T22:00:05Z", 23)
        );
        assert_eq!(js("1/5/2026, 12:00:05 AM"), t("2026-01-05T00:00:05Z", 21));
        assert_eq!(
            js("11/30/2026, 10:00:05\u{202f}AM"),
            t("2026-11-30T10:00:05Z", 25)
        );
        assert_eq!(js("30/11/2026, 22:00:05 x"), t("2026-11-30T22:00:05Z", 20));
        assert_eq!(js("30.11.2026, 22:00:05"), t("2026-11-30T22:00:05Z", 20));
        for bad in [
            "11/30/2026, 13:00:05 PM",
            "30.11.2026, 10:00:05 PM",
            "11/30/2026 10:00:05 PM",
            "11/30/26, 10:00:05 PM",
            "11/30/2026, 10:00 PM",
        ] {
            assert_eq!(js(bad), None, "{bad}");
        }
    }

    #[test]
    fn day_month_year_and_twelve_hour_layouts() {
        let tc_cfg = ParseConfig::default();
        let tc = TimeCtx::new(&tc_cfg);
        for (line, want, used) in [
            // Tomcat 8.5+ OneLineFormatter, PHP error log, Redis.
            (
                "05-Mar-2024 10:00:08.123 SEVERE [main] x",
                "2024-03-05T10:00:08.123Z",
                24,
            ),
            (
                "05-Mar-2024 10:00:08 UTC] PHP Fatal",
                "2024-03-05T10:00:08Z",
                24,
            ),
            (
                "05 Mar 2024 10:00:02.123 # WARNING",
                "2024-03-05T10:00:02.123Z",
                24,
            ),
            // java.util.logging SimpleFormatter: 12-hour clock, 12 AM is midnight.
            (
                "Mar 05, 2024 10:00:08 AM org.a.B c",
                "2024-03-05T10:00:08Z",
                24,
            ),
            (
                "Mar 5, 2024 9:00:08 PM org.a.B c",
                "2024-03-05T21:00:08Z",
                22,
            ),
            ("Mar 5, 2024 12:00:08 AM x", "2024-03-05T00:00:08Z", 23),
            ("Mar 5, 2024 12:30:00 PM x", "2024-03-05T12:30:00Z", 23),
        ] {
            assert_eq!(
                parse_prefix(line.as_bytes(), &tc),
                Some((ms(want), used)),
                "{line}"
            );
        }
        for line in [
            "05-Mar-2024",
            "05-Mar/2024 10:00:08",
            "05 March 2024 10:00:08",
            "Mar 05, 2024 10:00:08 x",
            "Mar 05, 2024 13:00:08 PM",
            "Mar 05 2024 10:00:08 AM",
        ] {
            assert_eq!(parse_prefix(line.as_bytes(), &tc), None, "{line}");
        }
    }

    #[test]
    fn zone_abbreviations() {
        assert_eq!(
            at("2024-01-01 10:00:00 PST ERROR x"),
            Some(ms("2024-01-01T18:00:00Z"))
        );
        assert_eq!(
            at("2024-07-01 10:00:00.5 CEST x"),
            Some(ms("2024-07-01T08:00:00.500Z"))
        );
        assert_eq!(
            at("2024-01-01 10:00:00 UTC x"),
            Some(ms("2024-01-01T10:00:00Z"))
        );
        assert_eq!(
            at("Mon Jan 01 10:00:00 PST 2024 x"),
            Some(ms("2024-01-01T18:00:00Z"))
        );
        assert_eq!(
            at("Sat Nov 28 06:51:22 UTC 2026"),
            Some(ms("2026-11-28T06:51:22Z"))
        );
        // Ambiguous or unknown names, and words, are not zones: the stamp is read as it is.
        let tc_cfg = ParseConfig::default();
        let tc = TimeCtx::new(&tc_cfg);
        for (line, end) in [
            ("2024-01-01 10:00:00 IST x", 19),
            ("2024-01-01 10:00:00 ESTIMATE x", 19),
            ("2024-01-01 10:00:00 ERROR x", 19),
            ("2024-01-01 10:00:00 PSTx", 19),
        ] {
            let (t, n) = parse_prefix(line.as_bytes(), &tc).expect(line);
            assert_eq!((t, n), (ms("2024-01-01T10:00:00Z"), end), "{line}");
        }
        let (_, n) = parse_prefix(b"2024-01-01 10:00:00 PST x", &tc).expect("pst");
        assert_eq!(n, 23);
    }

    #[test]
    fn yearless_stamps_are_not_in_the_future() {
        let on = |today: &str, stamp: &str| {
            let t = ms(&format!("{today}T00:00:00Z")) / 86_400_000;
            let cfg = ParseConfig {
                default_year: today[..4].parse().expect("year"),
                year_ref: YearRef::NotAfter(t),
                ..ParseConfig::default()
            };
            let tc = TimeCtx::new(&cfg);
            parse_prefix(stamp.as_bytes(), &tc).map(|r| r.0)
        };
        // A December-to-January syslog read on Jan 2 rolls over.
        assert_eq!(
            on("2027-01-02", "Dec 31 23:59:59 h p: x"),
            Some(ms("2026-12-31T23:59:59Z"))
        );
        assert_eq!(
            on("2027-01-02", "Jan  1 00:00:01 h p: x"),
            Some(ms("2027-01-01T00:00:01Z"))
        );
        // Tomorrow is allowed (zones), the day after is last year's.
        assert_eq!(
            on("2027-01-02", "Jan  3 08:00:00 h p: x"),
            Some(ms("2027-01-03T08:00:00Z"))
        );
        assert_eq!(
            on("2027-01-02", "Jan  4 08:00:00 h p: x"),
            Some(ms("2026-01-04T08:00:00Z"))
        );
        // Read on New Year's Eve, a line from just after midnight is next year's.
        assert_eq!(
            on("2026-12-31", "Jan  1 00:00:01 h p: x"),
            Some(ms("2027-01-01T00:00:01Z"))
        );
        // Other year-less layouts follow the same rule; Feb 29 finds its leap year.
        assert_eq!(
            on("2026-11-28", "12-01 10:00:00.000 "),
            Some(ms("2025-12-01T10:00:00Z"))
        );
        assert_eq!(
            on("2026-03-01", "Feb 29 10:00:00 h p: x"),
            Some(ms("2024-02-29T10:00:00Z"))
        );
        // `--year` (Fixed) is taken as it is.
        let cfg = ParseConfig {
            default_year: 2024,
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        assert_eq!(
            parse_prefix(b"Dec 31 23:59:59 h p: x", &tc).map(|r| r.0),
            Some(ms("2024-12-31T23:59:59Z"))
        );
    }

    #[test]
    fn other_layouts() {
        assert_eq!(
            at("10/Oct/2000:13:55:36 -0700"),
            Some(ms("2000-10-10T20:55:36Z"))
        );
        assert_eq!(
            at("Jun 14 15:16:01 combo"),
            Some(ms("2024-06-14T15:16:01Z"))
        );
        assert_eq!(
            at("Jun  4 15:16:01 combo"),
            Some(ms("2024-06-04T15:16:01Z"))
        );
        assert_eq!(
            at("Sun Dec 04 04:47:44 2005"),
            Some(ms("2005-12-04T04:47:44Z"))
        );
        assert_eq!(at("081109 203615 148"), Some(ms("2008-11-09T20:36:15Z")));
        // default_year 2024 is a leap year; 2025 is not, so Feb 29 goes to 2024.
        let cfg = ParseConfig {
            default_year: 2025,
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        assert_eq!(
            parse_prefix(b"Feb 29 10:00:00 h p: x", &tc).map(|r| r.0),
            Some(ms("2024-02-29T10:00:00Z"))
        );
        assert_eq!(
            at("03-17 16:13:38.811 "),
            Some(ms("2024-03-17T16:13:38.811Z"))
        );
        assert_eq!(
            at("20240305-10:11:12:345|x"),
            Some(ms("2024-03-05T10:11:12.345Z"))
        );
        assert_eq!(at("20240305 10:11:12 x"), Some(ms("2024-03-05T10:11:12Z")));
        assert_eq!(
            at("20240305-10:11:12:34|x"),
            Some(ms("2024-03-05T10:11:12.034Z"))
        );
        // Not zero-padded: seconds, minutes, hours.
        assert_eq!(
            at("20240305-10:11:0:119|x"),
            Some(ms("2024-03-05T10:11:00.119Z"))
        );
        assert_eq!(
            at("20240305-1:2:3:4|x"),
            Some(ms("2024-03-05T01:02:03.004Z"))
        );
        assert_eq!(at("20240305-10:61:0:1|x"), None);
        assert_eq!(at("20241305-10:11:12"), None);
        assert_eq!(at("12345678-10:11:12"), None);
    }

    #[test]
    fn rejects_junk() {
        for s in [
            "",
            "2015",
            "2015-13-01 00:00:00",
            "2015-02-30 00:00:00",
            "Jun 99 15:16:01",
            "hello",
            "12345",
            "2015-10-18x18:01:47",
            "Foo 14 15:16:01",
        ] {
            assert_eq!(at(s), None, "{s}");
        }
    }

    #[test]
    fn epochs_by_magnitude() {
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let want = 1_700_000_000_000;
        for s in [
            "1700000000",
            "1700000000000",
            "1700000000000000",
            "1700000000000000000",
            "1700000000.0",
        ] {
            assert_eq!(parse_value(s.as_bytes(), &tc), Some(want), "{s}");
        }
        assert_eq!(epoch_to_ms(1_700_000_000.5), Some(want + 500));
        assert_eq!(
            parse_value(b"Tue, 14 Nov 2023 22:13:20 +0000", &tc),
            Some(want)
        );
    }

    #[test]
    fn tz_applies_to_zoneless_only() {
        let cfg = ParseConfig {
            tz: jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC),
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        let p = |s: &str| parse_prefix(s.as_bytes(), &tc).map(|r| r.0);
        // Winter: UTC+1, summer: UTC+2.
        assert_eq!(p("2024-01-01 10:00:00"), Some(ms("2024-01-01T09:00:00Z")));
        assert_eq!(p("2024-07-01 10:00:00"), Some(ms("2024-07-01T08:00:00Z")));
        assert_eq!(p("2024-07-01 10:00:00Z"), Some(ms("2024-07-01T10:00:00Z")));
    }

    /// A zone whose offset changes off the hour: Lord Howe goes from +10:30 to +11:00 at
    /// 02:00 local on 2026-10-04 (02:00-02:30 do not exist). The offset was cached per
    /// local hour, read at its start, so 02:45 was taken as +10:30 (found by fuzzing).
    #[test]
    fn tz_offset_changing_off_the_hour() {
        let cfg = ParseConfig {
            tz: jiff::tz::TimeZone::get("Australia/Lord_Howe").expect("bundled tzdb"),
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        let p = |s: &str| parse_prefix(s.as_bytes(), &tc).map(|r| r.0);
        assert_eq!(p("2026-10-04 01:59:00"), Some(ms("2026-10-03T15:29:00Z")));
        assert_eq!(p("2026-10-04 02:45:00"), Some(ms("2026-10-03T15:45:00Z")));
        assert_eq!(p("2026-10-04 02:50:00"), Some(ms("2026-10-03T15:50:00Z")));
        assert_eq!(p("2026-10-04 03:10:00"), Some(ms("2026-10-03T16:10:00Z")));
        // The cache still serves ordinary hours.
        assert_eq!(p("2026-10-05 12:00:00"), Some(ms("2026-10-05T01:00:00Z")));
        assert_eq!(p("2026-10-05 12:30:00"), Some(ms("2026-10-05T01:30:00Z")));
    }

    #[test]
    fn zoned_iso_needs_a_zone() {
        let cfg = ParseConfig::default();
        let tc = TimeCtx::new(&cfg);
        let z = |s: &str| {
            iso_zoned(s.as_bytes(), &tc)
                .filter(|r| r.2)
                .map(|r| (r.0, r.1))
        };
        assert_eq!(
            z("2024-01-01T10:00:00.123456789Z stdout F x"),
            Some((ms("2024-01-01T10:00:00.123Z"), 30))
        );
        assert_eq!(
            z("2024-01-01T10:00:00+05:30 x").map(|r| r.0),
            Some(ms("2024-01-01T04:30:00Z"))
        );
        assert_eq!(z("2024-01-01T10:00:00.123 x"), None);
        assert_eq!(z("2024-01-01 10:00:00 x"), None);
        assert_eq!(z("Jan  1 10:00:00 host x"), None);
    }

    #[test]
    fn zone_corrected_moves_a_local_stamp_by_its_zone() {
        let rt = ms("2024-01-01T10:00:00.500Z");
        let c = |app: &str| zone_corrected(ms(app), rt);
        // The app's stamp a few ms before the runtime's: kept as it is.
        assert_eq!(
            c("2024-01-01T10:00:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        // New York (UTC-5), India (UTC+5:30), Nepal (UTC+5:45), Chatham (UTC+13:45),
        // Baker Island (UTC-12), Kiribati (UTC+14): a zone-less local stamp read as UTC.
        assert_eq!(
            c("2024-01-01T05:00:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        assert_eq!(
            c("2024-01-01T15:30:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        assert_eq!(
            c("2024-01-01T15:45:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        assert_eq!(
            c("2024-01-01T23:45:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        assert_eq!(
            c("2023-12-31T22:00:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        assert_eq!(
            c("2024-01-02T00:00:00.480Z"),
            ms("2024-01-01T10:00:00.480Z")
        );
        // Written a minute before the runtime stamped it (a buffered line), in UTC-5.
        assert_eq!(
            c("2024-01-01T04:59:00.000Z"),
            ms("2024-01-01T09:59:00.000Z")
        );
        // Not a zone's offset: a skewed clock (7 minutes), a stamp 40 minutes off, a line
        // replayed days later: the app's stamp stays.
        for odd in [
            "2024-01-01T10:07:00.000Z",
            "2024-01-01T09:20:00.000Z",
            "2024-01-01T05:07:30.000Z",
            "2023-12-28T10:00:00.000Z",
        ] {
            assert_eq!(c(odd), ms(odd), "{odd}");
        }
        assert_eq!(zone_corrected(i64::MAX, i64::MIN), i64::MAX);
        assert_eq!(zone_corrected(i64::MIN, i64::MAX), i64::MIN);
    }

    #[test]
    fn days_from_civil_matches_jiff() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (1969, 12, 31), (2038, 1, 19)] {
            let j = jiff::civil::date(y as i16, m as i8, d as i8)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_or(0, |z| z.timestamp().as_second());
            assert_eq!(days_from_civil(y, m, d) * 86400, j);
        }
    }

    /// The times of day of `stamps` (`HH:MM:SS.mmm`), dated as `day_ref` says, one context
    /// as a chunk reads them in order.
    fn dated(day_ref: DayRef, tz: &str, stamps: &[&str]) -> Vec<Option<i64>> {
        let cfg = ParseConfig {
            day_ref,
            tz: jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC),
            ..ParseConfig::default()
        };
        let tc = TimeCtx::new(&cfg);
        stamps
            .iter()
            .map(|s| time_of_day(s.as_bytes(), &tc).map(|r| r.0))
            .collect()
    }

    #[test]
    fn times_of_day_are_dated_from_a_reference_and_roll_over_midnight() {
        let off = dated(DayRef::Off, "UTC", &["10:00:00.000"]);
        assert_eq!(off, [None]);
        // The reference (a file's last change): its day for a first time up to an hour
        // after it, the day before for a later one.
        let end = ms("2026-11-30T00:10:05Z");
        let got = dated(DayRef::Before(end), "UTC", &["01:00:00.500"]);
        assert_eq!(got, [Some(ms("2026-11-30T01:00:00.500Z"))]);
        let got = dated(
            DayRef::Before(end),
            "UTC",
            &[
                "23:50:01.250",
                "23:59:59.900",
                "00:00:00.100",
                "23:59:59.950",
                "00:10:00",
            ],
        );
        let want = [
            "2026-11-29T23:50:01.250Z",
            "2026-11-29T23:59:59.900Z",
            // Past midnight...
            "2026-11-30T00:00:00.100Z",
            // ...a line stamped before it but written after it is not a day later...
            "2026-11-29T23:59:59.950Z",
            "2026-11-30T00:10:00Z",
        ];
        assert_eq!(got, want.map(|w| Some(ms(w))));
        // Out of order within the hour stays on its day; more than an hour back is the
        // next day (midnight passed, as after a quiet evening).
        let got = dated(
            DayRef::After(ms("2026-11-30T18:00:00Z")),
            "UTC",
            &["17:30:00", "06:00:00", "05:59:00"],
        );
        let want = [
            "2026-11-30T17:30:00Z",
            "2026-12-01T06:00:00Z",
            "2026-12-01T05:59:00Z",
        ];
        assert_eq!(got, want.map(|w| Some(ms(w))));
        // `--date`: the first on that day whatever its time; later ones roll.
        let day = days_from_civil(2026, 3, 29);
        let got = dated(DayRef::Date(day), "UTC", &["23:00:00", "01:00:00"]);
        let want = ["2026-03-29T23:00:00Z", "2026-03-30T01:00:00Z"];
        assert_eq!(got, want.map(|w| Some(ms(w))));
        // Local times in `--tz` (CET before the change to summer time).
        let got = dated(DayRef::Date(day), "Europe/Berlin", &["01:30:00"]);
        assert_eq!(got, [Some(ms("2026-03-29T00:30:00Z"))]);
        // Not a time of day.
        assert_eq!(dated(DayRef::Date(day), "UTC", &["24:00:00"]), [None]);
    }
}
