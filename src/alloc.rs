//! The allocator of the binary (and of the benches, so that their figures
//! match what `check` does).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc, called the way its own `malloc` is. A claim is checked and
/// freed on a checker thread, but the reader's buffers and the batches'
/// vectors cross threads; glibc malloc serialised that traffic on its arena
/// locks (half the profile of a 200,000-claim run), mimalloc frees locally.
///
/// The `mimalloc` crate's allocator passes every request to
/// `mi_malloc_aligned`, whose fast path gives up whenever the size's page
/// has no free block at hand: 42% of the 394,574 allocations of a
/// 20,000-claim check took its generic path (callgrind). An alignment that
/// mimalloc's blocks have anyway (at most 16 and at most the size: every
/// block is aligned to its size up to 16) goes to `mi_malloc` instead.
pub struct Mimalloc;

/// What every mimalloc block of at least this size is aligned to
/// (`MI_MAX_ALIGN_SIZE`).
const NATURAL: usize = 16;

#[inline]
fn natural(align: usize, size: usize) -> bool {
    align <= NATURAL && align <= size
}

// SAFETY: every pointer comes from mimalloc and goes back to it; a block is
// aligned as its layout asks: by mimalloc's guarantee where `natural`
// holds, by its aligned calls otherwise.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if natural(l.align(), l.size()) {
            mi::mi_malloc(l.size()).cast()
        } else {
            mi::mi_malloc_aligned(l.size(), l.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if natural(l.align(), l.size()) {
            mi::mi_zalloc(l.size()).cast()
        } else {
            mi::mi_zalloc_aligned(l.size(), l.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, _: Layout) {
        mi::mi_free(p.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        if natural(l.align(), new_size) {
            mi::mi_realloc(p.cast::<c_void>(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(p.cast::<c_void>(), new_size, l.align()).cast()
        }
    }
}

/// Transparent huge pages off for this process (Linux; elsewhere nothing).
///
/// mimalloc marks its arenas `MADV_HUGEPAGE`, which the kernel's usual
/// `madvise` mode honours: a 2 MiB page is resident whole as soon as one
/// byte of it is touched, and is zeroed whole on the fault. On the
/// 1,000,000-claim 837P that made the peak RSS 203-222 MB and spent 0.9 s
/// of system time; with huge pages off, 177-187 MB and 0.3 s, user time
/// the same (BENCHMARKS.md, session 12). mimalloc's own `allow_thp` option
/// is read when it starts, before `main`, so the binary asks the kernel
/// (`PR_SET_THP_DISABLE`, which holds for the whole process).
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer and sets a flag of this
    // process; the unused arguments are zero, as prctl(2) asks.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`, v3: the sixteenth
/// option, 15 from 0).
const PURGE_DELAY: std::ffi::c_int = 15;

/// How long freed memory stays mapped before mimalloc gives it back, in
/// milliseconds (`purge_soon`).
const PURGE_AFTER_MS: std::ffi::c_long = 250;

extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// Memory freed is given back to the kernel after a quarter of a second,
/// not after a second (mimalloc v3's default). The run frees claims every
/// few milliseconds, and a second's worth of freed pages stayed resident:
/// on the 1,000,000-claim 837P, peak RSS 131-135 MB → 117-126 MB (report
/// only), 149-154 → 139-143 MB (every output), time the same (7 paired
/// rounds, median -2.9%); 10 ms gave back more (112-119 MB) for a second of
/// system time and 10% more wall time (BENCHMARKS.md, session 17).
/// `MIMALLOC_PURGE_DELAY` in the environment still decides, where set.
pub fn purge_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's options, an integer it reads when
        // it purges; any value is valid for this one.
        unsafe { mi_option_set(PURGE_DELAY, PURGE_AFTER_MS) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option set is the purge delay: mimalloc v3's own default for it
    /// (1,000 ms, the only option of that default) is at that index before,
    /// ours after.
    #[test]
    fn the_purge_delay_is_the_option_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an option; any index below the last is valid.
        let get = || unsafe { mi_option_get(PURGE_DELAY) };
        assert_eq!(get(), 1000);
        purge_soon();
        assert_eq!(get(), PURGE_AFTER_MS);
    }

    /// Every size and alignment comes back aligned as asked, and a realloc
    /// keeps the bytes (both the `natural` and the aligned calls).
    #[test]
    fn blocks_are_aligned_as_their_layouts_ask() {
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 3, 8, 16, 24, 40, 48, 100, 1000, 5000, 70_000] {
                let size = size.next_multiple_of(align);
                let l = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    for p in [Mimalloc.alloc(l), Mimalloc.alloc_zeroed(l)] {
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                        std::ptr::write_bytes(p, 0xA5, size);
                        let bigger = size * 3;
                        let q = Mimalloc.realloc(p, l, bigger);
                        assert_eq!(q as usize % align, 0, "realloc to {bigger}, align {align}");
                        assert!(std::slice::from_raw_parts(q, size)
                            .iter()
                            .all(|&b| b == 0xA5));
                        Mimalloc.dealloc(q, Layout::from_size_align(bigger, align).unwrap());
                    }
                    let z = Mimalloc.alloc_zeroed(l);
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    Mimalloc.dealloc(z, l);
                }
            }
        }
    }
}
