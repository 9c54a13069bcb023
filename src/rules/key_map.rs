//! The ledgers' table (and the CSV reader's claim ids seen, X009): 64-bit
//! hash keys to small values, one run long.
//!
//! The ledgers meet one to three new keys a claim, in input order, on the
//! serial stage; their tables outgrow the caches (a 1,000,000-claim run: 10
//! to 15 MB each), so nearly every lookup waited on memory. On that run the
//! serial stage took 1.9-2.1 s of 5.1-5.2 s, 0.41-0.46 s of it without the
//! ledgers. Here a key's slot can be fetched ahead (`prefetch`): the
//! pipeline asks for the next chunk's slots while it observes this one, and
//! the waits overlap; the keys themselves are hashed by the checkers
//! (`Rule::ledger_keys`). Serial stage: 1.25-1.57 s.
//!
//! Open addressing with linear probing: a slot is the key and its value side
//! by side (a lookup reads adjacent slots only), the home slot is the key
//! scaled to the capacity (`key * capacity >> 64`: keys are hashes already,
//! spread evenly, and the capacity need not be a power of two), key 0 marks
//! an empty slot (the value of key 0 itself is kept apart). A table is made
//! with room for what it is told to expect and grows by half when nine
//! tenths are used: a power-of-two capacity held up to twice the slots
//! needed, and every page of a table is in memory (`slots`), so the ledgers'
//! memory was mostly empty slots (BENCHMARKS.md, session 16).
//!
//! A slot's key is two 32-bit halves, so that a slot is aligned to 4 bytes,
//! not 8: with a 4-byte value it takes 12 bytes, not 16. And the map is
//! sixteen tables (`SHARDS`), chosen by the key's top bits, each grown on
//! its own: a table grown whole held its old and its new slots at once, 2.5
//! times its size, and the peak of a 1,000,000-claim run was that moment
//! (BENCHMARKS.md, session 18); a shard's growth holds a sixteenth of that.

/// Keys held, at most, per 10 slots before a table grows: nine (a lookup
/// of a new key then reads some 50 slots, 5-10 cache lines next to each
/// other, the first of them fetched ahead; at seven or eight tenths the
/// tables were a tenth to a fifth larger and the run no faster:
/// BENCHMARKS.md, session 18).
const MAX_LOAD_TENTHS: usize = 9;

/// Tables of a map: its keys' top `SHARD_BITS` bits choose one.
const SHARD_BITS: u32 = 4;
const SHARDS: usize = 1 << SHARD_BITS;

/// A map from 64-bit hash keys to `V`.
pub(crate) struct KeyMap<V> {
    shards: Box<[Table<V>]>,
    /// The value of key 0.
    zero: Option<V>,
}

/// One shard: open addressing, linear probing.
struct Table<V> {
    slots: Vec<Slot<V>>,
    /// Keys in `slots`.
    len: usize,
}

/// A key (0: empty) and its value; the key in halves, for 4-byte alignment.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Slot<V> {
    key: [u32; 2],
    value: V,
}

impl<V> Slot<V> {
    #[inline]
    fn key(&self) -> u64 {
        u64::from(self.key[0]) | u64::from(self.key[1]) << 32
    }

    #[inline]
    fn set_key(&mut self, key: u64) {
        self.key = [key as u32, (key >> 32) as u32];
    }
}

/// The shard of `key`.
#[inline]
fn shard(key: u64) -> usize {
    (key >> (64 - SHARD_BITS)) as usize
}

impl<V: Copy + Default> KeyMap<V> {
    /// Room for about `n` keys before the first growth (each table then
    /// about eight tenths full: an estimate a little short still fits).
    pub fn with_capacity(n: usize) -> Self {
        // A shard's share, and three standard deviations more (keys fall
        // into shards at random): 1.2% more for 1,000,000 keys.
        let share = n / SHARDS;
        let share = share + 3 * (share as f64).sqrt() as usize + 1;
        let cap = (share.saturating_mul(10) / 8).max(16);
        KeyMap {
            shards: (0..SHARDS)
                .map(|_| Table {
                    slots: slots(cap),
                    len: 0,
                })
                .collect(),
            zero: None,
        }
    }

    /// Ask the CPU for `key`'s home slot now, for a lookup soon after.
    #[inline]
    pub fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let table = &self.shards[shard(key)];
            let p = table.slots[table.home(key)..].as_ptr();
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
        self.shards[shard(key)].entry(key)
    }

    /// Keys held (key 0 included).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|t| t.len).sum::<usize>() + usize::from(self.zero.is_some())
    }
}

impl<V: Copy + Default> Table<V> {
    /// `key`'s home slot: the key's bits below the shard's, scaled.
    #[inline]
    fn home(&self, key: u64) -> usize {
        ((u128::from(key << SHARD_BITS) * self.slots.len() as u128) >> 64) as usize
    }

    #[inline]
    fn entry(&mut self, key: u64) -> (&mut V, bool) {
        if (self.len + 1) * 10 > self.slots.len() * MAX_LOAD_TENTHS {
            self.grow();
        }
        let cap = self.slots.len();
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].key();
            if k == key {
                return (&mut self.slots[i].value, true);
            }
            if k == 0 {
                self.len += 1;
                self.slots[i].set_key(key);
                return (&mut self.slots[i].value, false);
            }
            i += 1;
            if i == cap {
                i = 0;
            }
        }
    }

    /// Half as many slots again, the keys placed anew.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let cap = old.len() + old.len() / 2;
        self.slots = slots(cap);
        for slot in old.into_iter().filter(|s| s.key() != 0) {
            let mut i = self.home(slot.key());
            while self.slots[i].key() != 0 {
                i += 1;
                if i == cap {
                    i = 0;
                }
            }
            self.slots[i] = slot;
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
/// 0.90-1.33 s, lower in each of six paired runs (BENCHMARKS.md, session
/// 13). The table's keys are hashes, spread evenly: every page of it is
/// written within the first few thousand claims anyway, so this makes no
/// table larger in memory than it becomes.
fn slots<V: Copy + Default>(cap: usize) -> Vec<Slot<V>> {
    let mut slots = vec![Slot::default(); cap];
    let per_page = (4096 / std::mem::size_of::<Slot<V>>()).max(1);
    for s in slots.iter_mut().step_by(per_page) {
        // SAFETY: `s.key[0]` is a valid, aligned u32 of `slots`. Volatile,
        // so that the store of a zero to memory known to be zero is kept.
        unsafe { std::ptr::write_volatile(&mut s.key[0], 0) };
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn caps<V>(map: &KeyMap<V>) -> Vec<usize> {
        map.shards.iter().map(|t| t.slots.len()).collect()
    }

    /// A new table is in memory whole (its pages written), not left mapped
    /// to the zero page for the first lookups to fault in twice.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_new_table_is_written_through() {
        let page = 4096usize;
        let map: KeyMap<(u32, u32)> = KeyMap::with_capacity(1 << 22); // 64 MiB
        for table in map.shards.iter() {
            let start = table.slots.as_ptr() as usize;
            let end = start + std::mem::size_of_val(&table.slots[..]);
            let first = start.div_ceil(page) * page;
            let pages = (end - first) / page;
            let mut resident = vec![0u8; pages];
            // SAFETY: `first..first + pages * page` lies within the table's
            // own allocation, page-aligned; `resident` has a byte per page.
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
    }

    /// A slot is its value and eight bytes, aligned to four: a 4-byte value
    /// takes 12 bytes, not 16.
    #[test]
    fn a_slot_is_the_key_and_the_value_unpadded() {
        assert_eq!(std::mem::size_of::<Slot<()>>(), 8);
        assert_eq!(std::mem::size_of::<Slot<u32>>(), 12);
        assert_eq!(std::mem::size_of::<Slot<i32>>(), 12);
        assert_eq!(std::mem::size_of::<Slot<(u32, u32)>>(), 16);
    }

    /// A map told to expect `n` keys holds them without growing, in about
    /// `n / 0.8` slots (not the power of two above: up to twice as many).
    #[test]
    fn holds_what_it_was_told_to_expect_without_growing() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0usize, 1, 11, 12, 100, 1000, 65_537, 300_000, 1_000_000] {
            let mut map: KeyMap<()> = KeyMap::with_capacity(n);
            let before = caps(&map);
            let total: usize = before.iter().sum();
            // Up to 5% over n / 0.8 for many keys; for few, the
            // shards' margins and their 16 slots at least.
            let most = if n >= 65_536 {
                n * 10 / 8 * 105 / 100
            } else {
                n * 10 / 8 * 2 + SHARDS * 16
            };
            assert!(total <= most, "n = {n}: {total} slots");
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                map.entry(x | 1);
            }
            assert_eq!(caps(&map), before, "grew before {n} keys");
            assert_eq!(map.len(), n);
        }
        // Past nine tenths full, a table grows by half; the others stay.
        let mut map: KeyMap<()> = KeyMap::with_capacity(70);
        assert_eq!(caps(&map), vec![16; SHARDS]);
        for k in 1..=14u64 {
            map.entry(k << 40); // all in the first shard
        }
        assert_eq!(caps(&map), vec![16; SHARDS]);
        map.entry(15 << 40);
        let mut want = vec![16; SHARDS];
        want[0] = 24;
        assert_eq!(caps(&map), want);
    }

    /// Against std's map, keys chosen to collide: many share their top bits
    /// (the home slot), one is 0, and the tables grow several times.
    #[test]
    fn behaves_as_a_map_through_collisions_and_growth() {
        let mut ours: KeyMap<u32> = KeyMap::with_capacity(4);
        let mut std: HashMap<u64, u32> = HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in 0..40_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = match n % 6 {
                0 => 0,
                1 => x & 0xffff,            // home slot 0 for every capacity here
                2 => u64::MAX - (x & 0xff), // all at the end: probes wrap around
                3 => x,                     // any shard
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
        for t in ours.shards.iter() {
            assert!(t.slots.len() > 16 && t.len * 10 <= t.slots.len() * 9);
        }
    }
}
