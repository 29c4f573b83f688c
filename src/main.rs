//! The `capsim` binary: all logic lives in the library.

fn main() {
    std::process::exit(capsim::cli::main());
}
