//! The `sigillo` binary: parse arguments, run, map errors to exit codes.
fn main() {
    std::process::exit(sigillo::cli::main());
}
