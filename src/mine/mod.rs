//! Template mining: turns messages into templates.
//!
//! Two stages, split so that the expensive one runs once per *distinct* signature:
//!
//! - [`Masker::mask`] (hot path, per event): masks the variables it recognises (numbers, hex,
//!   IPs, UUIDs, timestamps, durations, sizes, URLs, emails, paths, quoted values) into a
//!   signature; multi-line stack traces get a signature built from their first line, exception
//!   types and application frames ([`is_stack_trace`]).
//! - [`cluster`] (per distinct signature, with counts): generalises what masking missed and
//!   returns one template per group, deterministically whatever the input order or thread count.
//!
//! [`template_id`] gives each template a short id that is stable across runs and machines.

mod cluster;
mod mask;
mod stack;

#[cfg(test)]
mod tests;

pub use cluster::{cluster, ClusterConfig, Clustering, TemplateInfo, OTHER_TEMPLATE};
pub(crate) use mask::is_uuid;
pub use mask::Masker;
pub use stack::{exception_line, go_app_frame, is_stack_trace};
pub(crate) use stack::{java_frame, ruby_exception};

/// 64-bit FNV-1a: tiny, fixed and the same on every platform, which is all an id needs.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Stable short id of a template: the top 48 bits of the FNV-1a hash of its text, as 12 hex
/// characters. Same text, same id, on every machine and in every version that keeps this hash.
pub fn template_id(text: &str) -> String {
    format!("{:012x}", fnv1a64(text.as_bytes()) >> 16)
}
