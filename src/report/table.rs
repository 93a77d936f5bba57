//! Terminal tables: comfy-table with one look everywhere, sized to the terminal.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width};

/// A table with the house style, laid out to `width` columns.
pub fn new_table(header: &[&str], width: u16) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header.to_vec());
    t
}

/// Column `col` of `t` at least `w` characters wide (padding included).
pub fn at_least(t: &mut Table, col: usize, w: u16) {
    if let Some(c) = t.column_mut(col) {
        c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w)));
    }
}

/// Column `col` of `t` at most `w` characters wide (padding included).
pub fn at_most(t: &mut Table, col: usize, w: u16) {
    if let Some(c) = t.column_mut(col) {
        c.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(w)));
    }
}
