//! JSON renderer: the [`Report`] document as it is (schema in `docs/json-schema.md`).

use std::io::Write;

use super::{Renderer, Report};

pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        crate::sanitize::write_json(out, report, true)?;
        writeln!(out)
    }
}
