//! HTML renderer (placeholder while being written).
use std::io::Write;

use super::{Renderer, Report};

pub struct HtmlRenderer;

impl Renderer for HtmlRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{}", crate::sanitize::html(&report.headline))
    }
}
