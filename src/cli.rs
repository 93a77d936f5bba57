//! Command-line entry point.

/// Runs the program and returns the process exit code.
pub fn run() -> i32 {
    0
}
