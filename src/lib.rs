//! faultline: turn huge production logs into "what changed".
//!
//! Data flows one way (see README "Architecture"):
//! `input` (bytes → line-aligned chunks) → `record` (chunks → events) → `mine` (messages →
//! templates) → `summary` (mergeable per-chunk summaries) → `detect` (findings) → `report`.

/// A `memchr::memmem::Finder` for a constant needle, built once per call site: building one
/// (`memmem::find` does it on every call) costs more than searching a short message.
macro_rules! finder {
    ($needle:expr) => {{
        static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
            std::sync::OnceLock::new();
        FINDER.get_or_init(|| memchr::memmem::Finder::new($needle))
    }};
}

pub mod cli;
pub mod commands;
pub mod detect;
pub mod endpoints;
pub mod engine;
pub mod input;
pub mod mine;
pub mod pipeline;
pub mod progress;
pub mod record;
pub mod report;
pub mod sanitize;
pub mod snapshot;
pub mod summary;
#[cfg(test)]
mod testrng;
pub mod watch;
