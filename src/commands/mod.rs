//! One module per subcommand: each turns its flags into configuration, runs the pipeline and
//! renders the result.

pub mod diff;
pub mod endpoints;
pub mod events;
pub mod merge;
pub mod snapshot;
pub mod spikes;

use crate::input::{InputStats, Notice, NoticeKind};
use crate::sanitize;

/// A baseline with no event (an empty file, a directory of binaries) would make everything
/// "new": refused (exit 2) rather than compared against.
pub fn usable_baseline(base: &crate::summary::Summary) -> anyhow::Result<()> {
    if base.events == 0 {
        anyhow::bail!("--baseline has no events to compare against; check the paths");
    }
    Ok(())
}

/// One notice on stderr: `faultline: skipped|warning|error: SOURCE: MESSAGE`.
pub fn print_notice(n: &Notice) {
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

/// Prints what was skipped or damaged to stderr (unless quiet) and says whether any input
/// could not be read at all, which makes the exit code 2.
pub fn report_notices(stats: &InputStats, quiet: bool) -> bool {
    if !quiet {
        for n in stats.notices.iter().filter(|n| !n.recorded) {
            print_notice(n);
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

pub mod summary;
pub mod templates;
pub mod watch;

use clap::Args;

/// Template-mining flags shared by every command that groups messages.
#[derive(Args, Debug, Clone)]
pub struct MineArgs {
    /// Extra variable mask NAME=REGEX (repeatable): matches become <NAME> in templates.
    #[arg(long, value_name = "NAME=REGEX")]
    pub mask: Vec<String>,

    /// Most templates kept; the rarest beyond it are folded into one "other" template.
    #[arg(long, default_value_t = 50_000, value_name = "N")]
    pub max_templates: usize,
}

impl MineArgs {
    pub fn masker(&self) -> anyhow::Result<crate::mine::Masker> {
        let mut masks = Vec::new();
        for m in &self.mask {
            let (name, re) = m
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--mask {m:?}: expected NAME=REGEX"))?;
            let name = name.trim();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                anyhow::bail!("--mask {m:?}: NAME must be letters, digits or _");
            }
            let re = regex::bytes::Regex::new(re)
                .map_err(|e| anyhow::anyhow!("--mask {m:?}: invalid regex: {e}"))?;
            masks.push((name.to_ascii_uppercase(), re));
        }
        Ok(crate::mine::Masker::new(masks))
    }
}
