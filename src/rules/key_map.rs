//! The ledgers' table: 64-bit hash keys to small values, one run long.
//!
//! The ledgers meet one to three new keys a claim, in input order, on the
//! serial stage; their tables outgrow the caches (a 1,000,000-claim run: 16
//! to 32 MB each), so nearly every lookup waited on memory. On that run the
//! serial stage took 1.9-2.1 s of 5.1-5.2 s, 0.41-0.46 s of it without the
//! ledgers. Here a key's slot can be fetched ahead (`prefetch`): the
//! pipeline asks for the next chunk's slots while it observes this one, and
//! the waits overlap; the keys themselves are hashed by the checkers
//! (`Rule::ledger_keys`). Serial stage: 1.25-1.57 s.
//!
//! Open addressing with linear probing: a slot is the key and its value side
//! by side (one cache line for a lookup, usually), the home slot is the key
//! scaled to the capacity (`key * capacity >> 64`: keys are hashes already,
//! spread evenly, and the capacity need not be a power of two), key 0 marks
//! an empty slot (the value of key 0 itself is kept apart). A table is made
//! with room for what it is told to expect and grows by half when four
//! fifths are used: a power-of-two capacity held up to twice the slots
//! needed, and every page of a table is in memory (`slots`), so the ledgers'
//! memory was mostly empty slots (BENCHMARKS.md, session 16).

/// Keys held, at most, per 5 slots before the table grows.
const MAX_LOAD_FIFTHS: usize = 4;

/// A map from 64-bit hash keys to `V`.
pub(crate) struct KeyMap<V> {
    slots: Vec<(u64, V)>,
    /// Keys in `slots` (key 0 not counted).
    len: usize,
    /// The value of key 0.
    zero: Option<V>,
}

impl<V: Copy + Default> KeyMap<V> {
    /// Room for about `n` keys before the first growth (the table is then
    /// seven tenths full: an estimate a little short still fits).
    pub fn with_capacity(n: usize) -> Self {
        KeyMap {
            slots: slots((n.saturating_mul(10) / 7).max(16)),
            len: 0,
            zero: None,
        }
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        ((u128::from(key) * self.slots.len() as u128) >> 64) as usize
    }

    /// Ask the CPU for `key`'s home slot now, for a lookup soon after.
    #[inline]
    pub fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let p = self.slots[self.home(key)..].as_ptr();
            // SAFETY: a prefetch is a hint, it reads nothing and cannot fault;
            // the pointer is to an element of `slots` all the same.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    /// `prefetch` each of `keys` (a claim's keys for one ledger rule).
    #[inline]
    pub fn prefetch_all(&self, keys: &[u64]) {
        keys.iter().for_each(|&k| self.prefetch(k));
    }

    /// The value of `key`, inserted as `V::default()` if it is new, and
    /// whether it was there before.
    #[inline]
    pub fn entry(&mut self, key: u64) -> (&mut V, bool) {
        if key == 0 {
            let had = self.zero.is_some();
            return (self.zero.get_or_insert_with(V::default), had);
        }
        if (self.len + 1) * 5 > self.slots.len() * MAX_LOAD_FIFTHS {
            self.grow();
        }
        let cap = self.slots.len();
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].0;
            if k == key {
                return (&mut self.slots[i].1, true);
            }
            if k == 0 {
                self.len += 1;
                self.slots[i].0 = key;
                return (&mut self.slots[i].1, false);
            }
            i += 1;
            if i == cap {
                i = 0;
            }
        }
    }

    /// Keys held (key 0 included).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len + usize::from(self.zero.is_some())
    }

    /// Half as many slots again, the keys placed anew.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let cap = old.len() + old.len() / 2;
        self.slots = slots(cap);
        for (key, value) in old.into_iter().filter(|s| s.0 != 0) {
            let mut i = self.home(key);
            while self.slots[i].0 != 0 {
                i += 1;
                if i == cap {
                    i = 0;
                }
            }
            self.slots[i] = (key, value);
        }
    }
}

/// `cap` empty slots, every page of them written once now.
///
/// The slots come zeroed from the system, mapped to its one zero page
/// until written. A lookup's read of such a slot maps the zero page; the
/// insert then writes it, and the kernel swaps in a page of its own and
/// flushes the other cores' address caches (an interrupt to each core that
/// runs a checker). Written first, a page takes one fault and no flush: on
/// the 1,000,000-claim 837P the serial stage went from 1.07-1.54 s to
/// 0.90-1.33 s, lower in each of six paired runs (BENCHMARKS.md, session 13). The table's keys are hashes, spread evenly: every
/// page of it is written within the first few thousand claims anyway, so
/// this makes no table larger in memory than it becomes.
fn slots<V: Copy + Default>(cap: usize) -> Vec<(u64, V)> {
    let mut slots = vec![(0, V::default()); cap];
    let per_page = (4096 / std::mem::size_of::<(u64, V)>()).max(1);
    for s in slots.iter_mut().step_by(per_page) {
        // SAFETY: `s.0` is a valid, aligned u64 of `slots`. Volatile, so
        // that the store of a zero to memory known to be zero is kept.
        unsafe { std::ptr::write_volatile(&mut s.0, 0) };
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A new table is in memory whole (its pages written), not left mapped
    /// to the zero page for the first lookups to fault in twice.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_new_table_is_written_through() {
        let page = 4096usize;
        let map: KeyMap<(u32, u32)> = KeyMap::with_capacity(1 << 22); // 64 MiB
        let start = map.slots.as_ptr() as usize;
        let end = start + map.slots.len() * std::mem::size_of::<(u64, (u32, u32))>();
        let first = start.div_ceil(page) * page;
        let pages = (end - first) / page;
        let mut resident = vec![0u8; pages];
        // SAFETY: `first..first + pages * page` lies within the table's own
        // allocation, page-aligned; `resident` has a byte per page.
        let rc = unsafe {
            libc::mincore(
                first as *mut libc::c_void,
                pages * page,
                resident.as_mut_ptr(),
            )
        };
        assert_eq!(rc, 0);
        let absent = resident.iter().filter(|&&b| b & 1 == 0).count();
        assert_eq!(absent, 0, "{absent} of {pages} pages not in memory");
    }

    /// A table told to expect `n` keys holds them without growing, in about
    /// `n / 0.7` slots (not the power of two above: up to twice as many).
    #[test]
    fn holds_what_it_was_told_to_expect_without_growing() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0usize, 1, 11, 12, 100, 1000, 65_537, 300_000] {
            let mut map: KeyMap<()> = KeyMap::with_capacity(n);
            let cap = map.slots.len();
            assert_eq!(cap, (n * 10 / 7).max(16), "n = {n}");
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                map.entry(x | 1);
            }
            assert_eq!(map.slots.len(), cap, "grew before {n} keys");
            assert_eq!(map.len(), n);
        }
        // Past four fifths full, it grows by half.
        let mut map: KeyMap<()> = KeyMap::with_capacity(70);
        assert_eq!(map.slots.len(), 100);
        for k in 1..=80u64 {
            map.entry(k << 40);
        }
        assert_eq!(map.slots.len(), 100);
        map.entry(81 << 40);
        assert_eq!(map.slots.len(), 150);
    }

    /// Against std's map, keys chosen to collide: many share their top bits
    /// (the home slot), one is 0, and the table grows several times.
    #[test]
    fn behaves_as_a_map_through_collisions_and_growth() {
        let mut ours: KeyMap<u32> = KeyMap::with_capacity(4);
        let mut std: HashMap<u64, u32> = HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = match n % 5 {
                0 => 0,
                1 => x & 0xffff,            // home slot 0 for every capacity here
                2 => u64::MAX - (x & 0xff), // all at the end: probes wrap around
                _ => x % 3000,              // repeats
            };
            let (v, had) = ours.entry(key);
            let before = std.get(&key).copied();
            assert_eq!(had, before.is_some(), "key {key}");
            assert_eq!(*v, before.unwrap_or(0), "key {key}");
            *v += n;
            *std.entry(key).or_insert(0) += n;
            ours.prefetch(key ^ x);
        }
        assert_eq!(ours.len(), std.len());
        for (&k, &v) in &std {
            assert_eq!(*ours.entry(k).0, v);
        }
        assert!(ours.slots.len() > 16 && ours.len * 5 <= ours.slots.len() * 4);
    }
}
