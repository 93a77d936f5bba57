//! One module per subcommand: each turns its flags into configuration, runs the pipeline and
//! renders the result.

pub mod events;

use crate::input::{InputStats, NoticeKind};
use crate::sanitize;

/// Prints what was skipped or damaged to stderr (unless quiet) and says whether any input
/// could not be read at all, which makes the exit code 2.
pub fn report_notices(stats: &InputStats, quiet: bool) -> bool {
    if !quiet {
        for n in &stats.notices {
            let what = match n.kind {
                NoticeKind::Skipped => "skipped",
                NoticeKind::Damaged => "warning",
                NoticeKind::Error => "error",
            };
            eprintln!(
                "faultline: {what}: {}: {}",
                sanitize::terminal(&n.source),
                sanitize::terminal(&n.message)
            );
        }
        if stats.truncated_lines > 0 {
            eprintln!(
                "faultline: warning: {} line(s) longer than --max-line were truncated",
                stats.truncated_lines
            );
        }
    }
    stats.has_errors()
}
