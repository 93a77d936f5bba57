//! Live mode (`faultline watch`): reads an endless stream and reports changes as they happen.
//!
//! ```text
//! stdin / followed files ──► source (reader threads: whole lines, rotation, truncation)
//!        ──► main loop (batches lines per source into Chunks: ≤ N lines or ~200 ms)
//!        ──► feed::Watcher ──► summary::ChunkBuilder + Summary::merge   (final report, snapshot)
//!                          └─► live::Live (event-time buckets, per-key tracks, state machines)
//!                                   └─► detector::Detector (spike / end / new rules: the seam)
//!        ──► render (alert lines / JSON / status block) ──► report (final report, snapshot)
//! ```
//!
//! Memory is bounded: the summary caps signatures and coarsens its series with the time span,
//! live tracks keep a fixed ring per key (keys capped), open buckets only span the late
//! tolerance, and readers hand over lines through a bounded channel.

pub mod clock;
pub mod detector;
pub mod feed;
pub mod live;
pub mod render;
pub mod report;
pub mod ring;
pub mod source;
pub mod state;

#[cfg(test)]
mod tests;

pub use feed::{Baseline, Watcher};
pub use live::{Alert, AlertPhase, Live, LiveConfig, Obs, TemplateMap, TplInfo};
