//! The `claimscrub` binary: parse arguments, run the library, exit.

fn main() {
    std::process::exit(claimscrub::cli::main());
}
