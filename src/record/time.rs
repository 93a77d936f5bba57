//! Timestamp parsing: hand-written fast paths for common layouts, UTC milliseconds out.
