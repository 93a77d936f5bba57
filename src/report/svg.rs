//! Inline SVG charts for the HTML report.
