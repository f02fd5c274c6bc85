//! Command-line interface (in progress).

/// Run the CLI and return the exit code.
pub fn main() -> i32 {
    0
}
