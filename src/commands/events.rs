//! `faultline events`: the parsed events as JSON lines, so a user can see exactly how their
//! logs were understood (format, time, level, message, HTTP fields), or just their count.

use std::borrow::Cow;
use std::io::Write;

use clap::Args;

use crate::cli::{InputArgs, EXIT_ERROR, EXIT_OK};
use crate::input::Chunk;
use crate::pipeline;
use crate::record::{parse_chunk, Event};

#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print only the first N events.
    #[arg(long, value_name = "N")]
    pub head: Option<u64>,

    /// Print only the number of events (and nothing per event).
    #[arg(long)]
    pub count: bool,
}

pub fn run(args: &EventsArgs) -> anyhow::Result<i32> {
    let cfg = args.input.to_config()?;
    let parse = cfg.parse.clone();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(256 << 10, stdout.lock());
    let mut total: u64 = 0;
    let mut io_err: Option<std::io::Error> = None;
    let head = args.head.unwrap_or(u64::MAX);
    let count_only = args.count;
    let stats = pipeline::run(
        &cfg,
        args.input.threads(),
        |chunk: &Chunk| {
            let mut buf = Vec::new();
            let mut lines = Vec::new();
            let mut n = 0u64;
            parse_chunk(
                &chunk.data,
                chunk.first_line,
                chunk.source.format,
                chunk.w3c.as_deref(),
                &chunk.parse_config(&parse),
                &mut |ev| {
                    n += 1;
                    if !count_only {
                        let start = buf.len();
                        write_event_json(&mut buf, &chunk.source.name, &ev);
                        lines.push(start);
                    }
                },
            );
            (n, buf, lines)
        },
        |_chunk, (n, buf, line_starts)| {
            if count_only {
                total += n;
                return true;
            }
            let remaining = head - total;
            let take = n.min(remaining);
            let end = if take < n {
                line_starts[take as usize]
            } else {
                buf.len()
            };
            total += take;
            if let Err(e) = out.write_all(&buf[..end]) {
                io_err = Some(e);
                return false;
            }
            total < head
        },
    )?;
    if let Some(e) = io_err {
        return Err(e.into());
    }
    if count_only {
        writeln!(out, "{total}")?;
    }
    out.flush()?;
    let errors = super::report_notices(&stats, args.input.quiet);
    if total == 0 && !args.input.quiet {
        eprintln!("faultline: no events in the input");
    }
    Ok(if errors { EXIT_ERROR } else { EXIT_OK })
}

fn lossy(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

fn json_str(buf: &mut Vec<u8>, s: &[u8]) {
    // serde_json escapes control characters and quotes, and C1 controls and invisible
    // characters are escaped too; invalid UTF-8 becomes U+FFFD.
    let start = buf.len();
    let _ = serde_json::to_writer(&mut *buf, &lossy(s));
    crate::sanitize::json_inert_from(buf, start);
}

/// Writes one event as a JSON object line. Field order is fixed (documented in the README).
pub fn write_event_json(buf: &mut Vec<u8>, source: &str, ev: &Event<'_>) {
    buf.extend_from_slice(b"{\"source\":");
    json_str(buf, source.as_bytes());
    let _ = write!(buf, ",\"line\":{}", ev.line);
    buf.extend_from_slice(b",\"time\":");
    match ev
        .time
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
    {
        Some(ts) => {
            let _ = write!(buf, "\"{ts:.3}\"");
        }
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b",\"level\":");
    match ev.level {
        Some(l) => {
            let _ = write!(buf, "\"{}\"", l.as_str());
        }
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b",\"message\":");
    json_str(buf, &ev.message);
    if let Some(l) = &ev.logger {
        buf.extend_from_slice(b",\"logger\":");
        json_str(buf, l);
    }
    let h = &ev.http;
    if !h.is_empty() {
        buf.extend_from_slice(b",\"http\":{");
        let mut first = true;
        let mut key = |buf: &mut Vec<u8>, k: &str| {
            if !first {
                buf.push(b',');
            }
            first = false;
            let _ = write!(buf, "\"{k}\":");
        };
        if let Some(m) = &h.method {
            key(buf, "method");
            json_str(buf, m);
        }
        if let Some(p) = &h.path {
            key(buf, "path");
            json_str(buf, p);
        }
        if let Some(s) = h.status {
            key(buf, "status");
            let _ = write!(buf, "{s}");
        }
        if let Some(l) = h.latency_ms {
            key(buf, "latency_ms");
            let _ = write!(buf, "{}", (l * 1000.0).round() / 1000.0);
        }
        if let Some(u) = &h.upstream {
            key(buf, "upstream");
            json_str(buf, u);
        }
        buf.push(b'}');
    }
    if let Some(t) = &ev.trace_id {
        buf.extend_from_slice(b",\"trace_id\":");
        json_str(buf, t);
    }
    if !ev.fields.is_empty() {
        buf.extend_from_slice(b",\"fields\":{");
        for (i, (k, v)) in ev.fields.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            json_str(buf, k);
            buf.push(b':');
            json_str(buf, v);
        }
        buf.push(b'}');
    }
    if ev.lines > 1 {
        let _ = write!(buf, ",\"lines\":{}", ev.lines);
    }
    if ev.invalid_utf8 {
        buf.extend_from_slice(b",\"invalid_utf8\":true");
    }
    buf.extend_from_slice(b"}\n");
}
