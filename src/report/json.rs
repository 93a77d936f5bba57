//! JSON renderer: the [`Report`] document as it is (schema in `docs/json-schema.md`).

use std::io::Write;

use super::{Renderer, Report};

pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
