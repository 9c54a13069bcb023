//! The `claimscrub` binary: parse arguments, run the library, exit.

// Claims are built on the reader thread and freed on the checker threads;
// glibc malloc serialises that cross-thread traffic on its arena locks
// (half the profile of a 200,000-claim run). mimalloc frees locally.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(claimscrub::cli::main());
}
