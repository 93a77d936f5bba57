//! Rendering results for people and tools: terminal tables, JSON, Markdown, HTML.
//!
//! Every renderer escapes log content for its medium (see `sanitize`): control characters on
//! a terminal, markup in HTML, pipes in Markdown tables.

pub mod table;

use std::io::IsTerminal;

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
        Err(_) => ms.to_string(),
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

/// Width to lay tables out for: the terminal's, or 100 columns when not a terminal.
pub fn term_width() -> u16 {
    if std::io::stdout().is_terminal() {
        if let Some(w) = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
        {
            return w.max(40);
        }
        return 80;
    }
    100
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
    fn formats_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[0, 1, 7, 14]), " ▁▄█");
        assert_eq!(squeeze(&[1, 2, 3, 4, 5], 2), vec![6, 9]);
    }
}
