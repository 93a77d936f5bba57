//! Rendering results for people and tools: terminal tables, JSON, Markdown, HTML.
//!
//! Every renderer escapes log content for its medium (see `sanitize`): control characters on
//! a terminal, markup in HTML, pipes in Markdown tables.
//!
//! `faultline summary` builds one [`Report`] document (`model`, assembled in `build`, with the
//! incident window from `incident`) and hands it to a [`Renderer`]: `terminal`, `json`,
//! `markdown` or `html`.

pub mod build;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod html;
pub mod incident;
pub mod json;
pub mod markdown;
pub mod model;
#[cfg(test)]
mod render_tests;
mod svg;
pub mod table;
pub mod terminal;

use std::io::{IsTerminal, Write};

pub use model::Report;

/// One way of writing a [`Report`] (like hyperfine's `Exporter`): every renderer gets the same
/// document and escapes log content for its medium.
pub trait Renderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()>;
}

/// The renderer for an output format. `color` and `width` matter only for the terminal.
pub fn renderer(format: OutputFormat, color: bool, width: u16) -> Box<dyn Renderer> {
    match format {
        OutputFormat::Table => Box::new(terminal::TerminalRenderer { color, width }),
        OutputFormat::Json => Box::new(json::JsonRenderer),
        OutputFormat::Markdown => Box::new(markdown::MarkdownRenderer),
        OutputFormat::Html => Box::new(html::HtmlRenderer),
    }
}

/// Output format flag shared by the commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Markdown,
    Html,
}

/// Formats epoch milliseconds as RFC 3339 UTC with second precision (`2026-11-27T10:15:03Z`).
pub fn rfc3339(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => format!("{ts:.0}"),
        // A jiff timestamp stops a day short of the end of year 9999 (room for offsets),
        // where a parsed `9999-12-31T23:59:59Z` lies: the civil date-time still reads it.
        Err(_) => jiff::civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0)
            .checked_add(jiff::SignedDuration::from_millis(ms))
            .map_or_else(|_| ms.to_string(), |dt| format!("{dt:.0}Z")),
    }
}

/// Like [`rfc3339`], for optional times (`-` when unknown).
pub fn rfc3339_opt(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".to_string(), rfc3339)
}

/// Whether colour may be used on stdout: a terminal, and `NO_COLOR` not set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Width to lay tables out for: on a terminal, `COLUMNS` when exported, else the terminal's
/// own width (shells rarely export `COLUMNS`), else 80; 100 columns when not a terminal, so
/// piped output is the same everywhere.
pub fn term_width() -> u16 {
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        let w = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
            .or_else(|| terminal_size::terminal_size_of(&stdout).map(|(w, _)| w.0))
            .unwrap_or(80);
        return w.max(40);
    }
    100
}

/// An upstream's known calls, `-` when none are known (only trouble messages name it).
pub fn fmt_calls(calls: u64) -> String {
    if calls == 0 {
        "-".to_string()
    } else {
        fmt_count(calls)
    }
}

/// Failed calls with their share of the known calls: `194 (4.7%)`, or `85` alone.
pub fn fmt_failed(failures: u64, rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{} ({})", fmt_count(failures), incident::pct(r)),
        None => fmt_count(failures),
    }
}

/// A count with thousands separators: `12,345`.
pub fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration in seconds, short: `45s`, `12m`, `1h30m`, `2d4h`.
pub fn fmt_duration(secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        if s.is_multiple_of(60) {
            format!("{}m", s / 60)
        } else {
            format!("{}m{:02}s", s / 60, s % 60)
        }
    } else if s < 86_400 {
        let m = (s % 3600) / 60;
        if m == 0 {
            format!("{}h", s / 3600)
        } else {
            format!("{}h{:02}m", s / 3600, m)
        }
    } else {
        format!("{}d{}h", s / 86_400, (s % 86_400) / 3600)
    }
}

/// A rate given per minute, in the unit that keeps it readable: `120/min`, `2.5/min`,
/// `3.2/h`, `1.5/day`. A rare error (a dozen in a week) is not printed as `0.0/min`.
/// A finding's factor against normal: `×12.3 normal`, or `normal: none` when nothing of the
/// kind happened outside the finding (or in the baseline): the factor is then only a capped
/// stand-in (see `detect::endpoints::MAX_FACTOR_FROM_ZERO`), not a measured ratio.
pub fn fmt_factor(factor: f64, baseline_rate: Option<f64>) -> String {
    if baseline_rate.is_some_and(|b| b <= 0.0) {
        "normal: none".to_string()
    } else {
        format!("×{factor:.1} normal")
    }
}

/// A finding's rate as the reports print it: a spike's is its peak bucket's (the burst's own
/// average is lower), and says so.
pub fn fmt_finding_rate(kind: crate::detect::FindingKind, per_min: f64) -> String {
    use crate::detect::FindingKind;
    match kind {
        FindingKind::Spike | FindingKind::ErrorRateSpike => format!("peak {}", fmt_rate(per_min)),
        _ => fmt_rate(per_min),
    }
}

pub fn fmt_rate(per_min: f64) -> String {
    if !per_min.is_finite() || per_min <= 0.0 {
        return "0/min".to_string();
    }
    if per_min >= 99.5 {
        format!("{per_min:.0}/min")
    } else if per_min >= 0.95 {
        format!("{per_min:.1}/min")
    } else if per_min * 60.0 >= 0.95 {
        format!("{:.1}/h", per_min * 60.0)
    } else if per_min * 1440.0 >= 0.095 {
        format!("{:.1}/day", per_min * 1440.0)
    } else {
        "<0.1/day".to_string()
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A template's text for a title or table cell, cut to `max` characters; a template of
/// events with no message text (a line that is all header) reads `(empty message)`
/// instead of nothing.
pub fn template_label(text: &str, max: usize) -> String {
    if text.trim().is_empty() {
        return EMPTY_MESSAGE.to_string();
    }
    ellipsize(text, max)
}

/// A template's label in a finding's title. For a stack trace's template whose first line
/// does not name the exception (`An unhandled exception has occurred while executing the
/// request. [exc=Microsoft.Data.SqlClient.SqlException;frames=…]`), the `[exc=…]` token gives
/// way to the exception line of one of its error events (see [`stack_label`]).
pub fn template_title(t: &crate::summary::templates::TemplateStats, max: usize) -> String {
    let label = exception_label(&t.text, &t.examples).or_else(|| exception_first(&t.text, max));
    template_label(label.as_deref().unwrap_or(&t.text), max)
}

/// A stack trace's template whose first line names the exception only past the first three
/// quarters of `max` characters (Spring's `Servlet.service() for servlet [dispatcherServlet]
/// in context with path [] threw exception [Request processing failed:
/// java.lang.NullPointerException: …] with root cause`): the exception and its text first,
/// up to the bracket that closes them, then the line (`NullPointerException: Cannot invoke
/// … — Servlet.service() for servlet …`), so a cut title still says what was thrown. None
/// when the name is seen early enough, or is not in the first line.
fn exception_first(text: &str, max: usize) -> Option<String> {
    let cut = text.find(" [exc=")?;
    let head = &text[..cut];
    let exc = text[cut + 6..].split([';', ']']).next()?;
    // (A dotted class name, as Java, .NET and Python print it in the line; PHP's
    // `Illuminate\\Database\\QueryException` in a Monolog context comes after the
    // driver's own words, `SQLSTATE[HY000] [2002] Connection refused`, which say it.)
    let short = exc.rsplit_once('.')?.1;
    let (at, len) = (head.find(exc)?, exc.len());
    if short.is_empty() || head[..at + len].chars().count() <= max * 3 / 4 || at == 0 {
        return None;
    }
    let after = &head[at + len..];
    let after = after.split(']').next().unwrap_or(after);
    Some(format!("{short}{after} — {}", head[..at].trim_end()))
}

/// [`stack_label`] of template `text` from the first error-or-worse event of `examples`,
/// else the first one.
pub fn exception_label(text: &str, examples: &[crate::summary::Example]) -> Option<String> {
    let error = examples
        .iter()
        .find(|e| e.level.is_some_and(|l| l >= crate::record::Level::Error));
    let example = error.or(examples.first())?;
    stack_label(text, Some(&example.text))
}

/// A stack trace template `text` with its `[exc=…]` token replaced by the exception line of
/// `example`, its class without the namespace, masked: `… — SqlException (<HEX>): Execution
/// Timeout Expired. …`, what went wrong; for a Go stack, the application's function it
/// failed in (`… — in main.(*Server).checkout`). None when the first line names the exception
/// already or the example has no exception line.
pub fn stack_label(text: &str, example: Option<&str>) -> Option<String> {
    let cut = text.find(" [exc=")?;
    let example = example?;
    let Some(line) = crate::mine::exception_line(example) else {
        // A Go stack names no exception: the function it failed in does.
        let frame = crate::mine::go_app_frame(example)?;
        return Some(format!("{} — in {frame}", &text[..cut]));
    };
    let name = line.split([':', ' ']).next().unwrap_or(line);
    // The class without its namespace: the title has little room.
    let short = name
        .rsplit('.')
        .next()
        .filter(|c| !c.is_empty())
        .unwrap_or(name);
    let head = &text[..cut];
    if head.contains(short) {
        return None;
    }
    let line = format!("{short}{}", &line[name.len()..]);
    let mut masked = Vec::new();
    crate::mine::Masker::new(Vec::new()).mask(line.as_bytes(), &mut masked);
    Some(format!("{head} — {}", String::from_utf8_lossy(&masked)))
}

/// How [`template_label`] shows a template with no message text.
pub const EMPTY_MESSAGE: &str = "(empty message)";

/// Block-character sparkline of counts (`▁▂▃▄▅▆▇█`), scaled to the largest value.
pub fn sparkline(values: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if max == 0 || v == 0 {
                ' '
            } else {
                BARS[((v * 7) / max) as usize]
            }
        })
        .collect()
}

/// Fewest events a chart bucket needs for its error rate to be drawn: a tenth of the median
/// busy bucket's, and at least 3. A bucket of two events, both errors, is not a 100% peak
/// that flattens the real one to nothing.
pub fn min_rate_events(events: &[u64]) -> u64 {
    let mut busy: Vec<u64> = events.iter().copied().filter(|&n| n > 0).collect();
    busy.sort_unstable();
    let median = busy.get(busy.len() / 2).copied().unwrap_or(0);
    (median / 10).max(3)
}

/// Compresses `values` into at most `width` cells by summing neighbours.
pub fn squeeze(values: &[u64], width: usize) -> Vec<u64> {
    if values.len() <= width || width == 0 {
        return values.to_vec();
    }
    let per = values.len().div_ceil(width);
    values.chunks(per).map(|c| c.iter().sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exception_named_late_in_its_line_leads_the_title() {
        let spring = "Servlet.service() for servlet [dispatcherServlet] in context with path [] \
            threw exception [Request processing failed: java.lang.NullPointerException: Cannot \
            invoke \"Coupon.getPercent()\"] with root cause \
            [exc=java.lang.NullPointerException;frames=2f0657a24443]";
        assert_eq!(
            exception_first(spring, 120).as_deref(),
            Some(
                "NullPointerException: Cannot invoke \"Coupon.getPercent()\" — Servlet.service() \
                 for servlet [dispatcherServlet] in context with path [] threw exception \
                 [Request processing failed:"
            )
        );
        // Seen early enough, not in the line, or no trace: as it is.
        assert_eq!(exception_first(spring, 400), None);
        assert_eq!(
            exception_first("Unhandled error [exc=java.io.IOException;frames=1]", 120),
            None
        );
        assert_eq!(
            exception_first(
                "java.io.IOException: boom [exc=java.io.IOException;frames=1]",
                20
            ),
            None
        );
        assert_eq!(exception_first("connection refused", 20), None);
    }

    #[test]
    fn a_bucket_of_a_few_events_gives_no_rate() {
        assert_eq!(min_rate_events(&[200, 180, 0, 220, 2]), 20);
        assert_eq!(min_rate_events(&[10, 12, 0, 1]), 3);
        assert_eq!(min_rate_events(&[]), 3);
    }

    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20Z");
        // The last day of year 9999 is past jiff's timestamps but still a time.
        assert_eq!(rfc3339(253_402_300_799_000), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[0, 1, 7, 14]), " ▁▄█");
        assert_eq!(squeeze(&[1, 2, 3, 4, 5], 2), vec![6, 9]);
    }

    #[test]
    fn formats_counts_and_durations() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1_234_567), "1,234,567");
        assert_eq!(fmt_duration(45.0), "45s");
        assert_eq!(fmt_duration(720.0), "12m");
        assert_eq!(fmt_duration(5400.0), "1h30m");
        assert_eq!(fmt_duration(3600.0), "1h");
        assert_eq!(fmt_duration(187_200.0), "2d4h");
    }

    #[test]
    fn formats_rates_in_a_readable_unit() {
        assert_eq!(fmt_rate(120.4), "120/min");
        assert_eq!(fmt_rate(2.54), "2.5/min");
        assert_eq!(fmt_rate(0.5), "30.0/h");
        // A dozen in a week is not "0.0/min".
        assert_eq!(fmt_rate(12.0 / (7.0 * 1440.0)), "1.7/day");
        assert_eq!(fmt_rate(1e-7), "<0.1/day");
        assert_eq!(fmt_rate(0.0), "0/min");
    }
}
