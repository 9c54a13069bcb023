//! The `claimscrub` binary: parse arguments, run the library, exit.

#[global_allocator]
static GLOBAL: claimscrub::alloc::Mimalloc = claimscrub::alloc::Mimalloc;

fn main() {
    claimscrub::alloc::no_huge_pages();
    claimscrub::alloc::purge_soon();
    std::process::exit(claimscrub::cli::main());
}
