//! Mines templates from a file with one message per line and prints, for every input line in
//! order, `{"template": "...", "id": "..."}`. This is the harness for the Loghub accuracy
//! scorer (`../shared/eval/loghub_eval.py --cmd target/release/examples/mine_lines`).
//!
//! `mine_lines --mask-speed FILE` instead times `Masker::mask` alone over the file's lines
//! (repeated to at least 200 MB, or `MINE_SPEED_MB`) and prints MB/s on stderr.

use faultline::mine::{cluster, ClusterConfig, Masker};
use rustc_hash::FxHashMap;
use std::io::Write;

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args_os()
        .last()
        .filter(|_| std::env::args_os().len() > 1)
    else {
        eprintln!("usage: mine_lines FILE");
        return std::process::ExitCode::from(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mine_lines: cannot read {}: {e}", path.to_string_lossy());
            return std::process::ExitCode::from(2);
        }
    };
    let masker = Masker::new(Vec::new());
    if std::env::args().nth(1).as_deref() == Some("--mask-speed") {
        mask_speed(&masker, &data);
        return std::process::ExitCode::SUCCESS;
    }
    let mut sig_index: FxHashMap<Vec<u8>, usize> = FxHashMap::default();
    let mut sigs: Vec<(Vec<u8>, u64)> = Vec::new();
    let mut line_sig = Vec::new();
    let mut buf = Vec::new();
    let body = data.strip_suffix(b"\n").unwrap_or(&data);
    if !data.is_empty() {
        for line in body.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            masker.mask(line, &mut buf);
            let idx = match sig_index.get(&buf) {
                Some(&i) => i,
                None => {
                    sigs.push((buf.clone(), 0));
                    sig_index.insert(buf.clone(), sigs.len() - 1);
                    sigs.len() - 1
                }
            };
            sigs[idx].1 += 1;
            line_sig.push(idx);
        }
    }
    let input: Vec<(&[u8], u64)> = sigs.iter().map(|(s, c)| (s.as_slice(), *c)).collect();
    let result = cluster(&input, &ClusterConfig::default());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for idx in line_sig {
        let t = &result.templates[result.assignment[idx] as usize];
        let obj = serde_json::json!({"template": t.text, "id": t.id});
        if writeln!(out, "{obj}").is_err() {
            return std::process::ExitCode::from(2);
        }
    }
    if out.flush().is_err() {
        return std::process::ExitCode::from(2);
    }
    std::process::ExitCode::SUCCESS
}

/// Times the masker alone: single thread, lines of `data`, repeated to at least 200 MB.
fn mask_speed(masker: &Masker, data: &[u8]) {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut out = Vec::new();
    let mut bytes = 0usize;
    let mut sink = 0usize;
    let start = std::time::Instant::now();
    let target: usize = std::env::var("MINE_SPEED_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    while bytes < target << 20 && !data.is_empty() {
        for l in &lines {
            masker.mask(l, &mut out);
            sink = sink.wrapping_add(out.len());
            bytes += l.len() + 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "mask: {:.1} MB/s ({} MB in {:.2}s, checksum {sink})",
        bytes as f64 / 1e6 / secs,
        bytes >> 20,
        secs
    );
}
