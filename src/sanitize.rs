//! Escaping log content for the places it is shown.
//!
//! Log lines are untrusted: they can carry terminal escape sequences that recolour, move the
//! cursor or retitle the window, and HTML that would run in a report page.

use std::fmt::Write;

/// Escapes control characters (except none: tab and newline too) so that text is inert on a
/// terminal: `\t`, `\n`, `\r`, `\e` and `\xNN` / `\u{NNNN}` for the rest, including C1 controls,
/// bidirectional marks and overrides, and invisible characters (zero-width spaces and
/// joiners, soft hyphen, line and paragraph separators, byte order mark) that would make two
/// different texts look the same or hide part of one.
pub fn terminal(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            c if needs_escape(c) => {
                let v = c as u32;
                if v < 0x100 {
                    let _ = write!(out, "\\x{v:02x}");
                } else {
                    let _ = write!(out, "\\u{{{v:04x}}}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Whether JSON output writes `c` as `\uXXXX` beyond what JSON requires: DEL, C1 controls and
/// the invisible and bidirectional characters [`terminal`] escapes. serde_json escapes C0
/// controls itself; these it leaves raw, and a terminal showing `events` or `-o json` output
/// would act on a C1 control such as U+009B (CSI).
fn json_escape_extra(c: char) -> bool {
    c >= '\u{7f}' && needs_escape(c)
}

/// Rewrites `buf[start..]` (serialized JSON) with those characters as `\uXXXX` escapes. They
/// can only occur inside JSON strings, where the escape stands for the same character, so the
/// document means the same.
pub fn json_inert_from(buf: &mut Vec<u8>, start: usize) {
    let Some(tail) = buf.get(start..) else {
        return;
    };
    if tail.iter().all(|&b| b < 0x7f) {
        return;
    }
    let Ok(s) = std::str::from_utf8(tail) else {
        return;
    };
    if !s.chars().any(json_escape_extra) {
        return;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if json_escape_extra(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    buf.truncate(start);
    buf.extend_from_slice(out.as_bytes());
}

/// Writes `value` as JSON (indented when `pretty`), inert on a terminal ([`json_inert_from`]).
pub fn write_json<W: std::io::Write + ?Sized>(
    w: &mut W,
    value: &impl serde::Serialize,
    pretty: bool,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    if pretty {
        serde_json::to_writer_pretty(&mut buf, value)?;
    } else {
        serde_json::to_writer(&mut buf, value)?;
    }
    json_inert_from(&mut buf, 0);
    w.write_all(&buf)
}

/// Escapes `& < > " '` for HTML text and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell or inline code span: pipes and backticks, and
/// control characters as for a terminal.
pub fn markdown_cell(s: &str) -> String {
    terminal(s).replace('|', "\\|").replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_escape_sequences() {
        assert_eq!(terminal("a\x1b[31mred\x07"), "a\\e[31mred\\x07");
        assert_eq!(terminal("tab\there"), "tab\\there");
        assert_eq!(terminal("plain é"), "plain é");
        assert_eq!(terminal("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(terminal("\u{9b}2J"), "\\x9b2J");
        // Invisible characters that make different texts look alike.
        assert_eq!(
            terminal("ad\u{200b}min\u{61c}\u{2028}\u{ad}X\u{feff}"),
            "ad\\u{200b}min\\u{061c}\\u{2028}\\xadX\\u{feff}"
        );
    }

    #[test]
    fn json_output_escapes_c1_controls_and_invisible_characters() {
        let doc = serde_json::json!({"m": "a\u{9b}2J\u{202e}b\u{7f}é\u{1b}"});
        let mut out = Vec::new();
        write_json(&mut out, &doc, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, r#"{"m":"a\u009b2J\u202eb\u007fé\u001b"}"#);
        // The same document.
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            doc
        );
        // Only the tail from `start` is rewritten; plain text is left as it is.
        let mut buf = b"\xc2\x9b".to_vec();
        buf.extend_from_slice("\"x\u{200b}\"".as_bytes());
        json_inert_from(&mut buf, 2);
        assert_eq!(buf, b"\xc2\x9b\"x\\u200b\"");
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
