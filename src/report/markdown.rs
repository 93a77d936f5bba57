//! Markdown renderer (placeholder while being written).
use std::io::Write;

use super::{Renderer, Report};

pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{}", report.headline)
    }
}
