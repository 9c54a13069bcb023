//! The `claimscrub` binary: parse arguments, run the library, exit.

#[global_allocator]
static GLOBAL: claimscrub::alloc::Mimalloc = claimscrub::alloc::Mimalloc;

fn main() {
    std::process::exit(claimscrub::cli::main());
}
