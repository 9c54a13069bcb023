//! Finding every place of one byte in a short stretch, eight bytes at a
//! time in a `u64` (SWAR): fields and elements are a few bytes long, where
//! a search call per hit costs more than it saves and a byte at a time
//! costs a compare and a branch a byte.

/// Calls `hit` with the index of every byte of `hay` equal to `needle`, in
/// order; whether every byte of `hay` is ASCII (told by the words read
/// anyway: a CSV row's own UTF-8 check was a call of some 160 instructions).
#[inline]
pub(crate) fn each(hay: &[u8], needle: u8, hit: impl FnMut(usize)) -> bool {
    #[cfg(target_arch = "x86_64")]
    if hay.len() >= 16 {
        return each_sse2(hay, needle, hit);
    }
    each_swar(hay, needle, hit)
}

/// `each` sixteen bytes a step (SSE2, in every x86_64): a CSV line is some
/// 120 bytes, eight steps of a compare and two masks instead of sixteen of
/// the eight-byte word's arithmetic. `hay` is at least sixteen bytes long.
#[cfg(target_arch = "x86_64")]
#[inline]
fn each_sse2(hay: &[u8], needle: u8, mut hit: impl FnMut(usize)) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let n = hay.len();
    debug_assert!(n >= 16);
    // SAFETY: SSE2 is part of x86_64; every load reads sixteen bytes
    // within `hay` (at `at`, with `at + 16 <= n`, or at `n - 16`, `n >= 16`).
    unsafe {
        let splat = _mm_set1_epi8(needle as i8);
        let load = |at: usize| _mm_loadu_si128(hay.as_ptr().add(at).cast::<__m128i>());
        let mut high = 0;
        let mut take = |at: usize, mut m: u32| {
            while m != 0 {
                hit(at + m.trailing_zeros() as usize);
                m &= m - 1;
            }
        };
        let mut at = 0;
        while at + 16 <= n {
            let v = load(at);
            high |= _mm_movemask_epi8(v);
            take(at, _mm_movemask_epi8(_mm_cmpeq_epi8(v, splat)) as u32);
            at += 16;
        }
        if at < n {
            // The last sixteen bytes, without those already taken.
            let v = load(n - 16);
            high |= _mm_movemask_epi8(v);
            let seen = 16 - (n - at);
            let m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, splat)) as u32;
            take(n - 16, m >> seen << seen);
        }
        high == 0
    }
}

/// `each` eight bytes at a time in a `u64`.
#[inline]
fn each_swar(hay: &[u8], needle: u8, mut hit: impl FnMut(usize)) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let splat = u64::from_ne_bytes([needle; 8]);
    let mut any = 0u64;
    // Bytes equal to `needle` are zero in `t`: exactly those get their top
    // bit in the mask (no carry crosses a byte: each is at most 0xff).
    let mut mask = |word: &[u8]| {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        any |= w;
        let t = w ^ splat;
        !(((t & LOW7) + LOW7) | t | LOW7)
    };
    let mut take = |at: usize, mut m: u64| {
        while m != 0 {
            hit(at + (m.trailing_zeros() / 8) as usize);
            m &= m - 1;
        }
    };
    let n = hay.len();
    let mut at = 0;
    while at + 8 <= n {
        take(at, mask(&hay[at..at + 8]));
        at += 8;
    }
    if at < n {
        if n >= 8 {
            // The last eight bytes, without those already taken.
            let seen = (8 - (n - at)) * 8;
            take(n - 8, mask(&hay[n - 8..]) >> seen << seen);
        } else {
            for (i, &b) in hay.iter().enumerate() {
                any |= u64::from(b);
                if b == needle {
                    take(i, 0x80);
                }
            }
        }
    }
    any & !LOW7 == 0
}

/// The places of `needle` in `room[..n]` as the bits of a `u64`, for a
/// stretch of at most 64 bytes: sixteen bytes a step (SSE2, in every
/// x86_64), reading on into `room[n..]`, whose bytes are left out. `None`
/// where `n` is over 64, where `room` does not reach the last step's end,
/// or on another architecture.
#[inline]
pub(crate) fn mask_within(room: &[u8], n: usize, needle: u8) -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let steps = n.div_ceil(16);
        if n > 64 || steps * 16 > room.len() {
            return None;
        }
        let mut mask = 0u64;
        // SAFETY: SSE2 is in every x86_64 processor; each load is of
        // sixteen bytes inside `room` (checked above), unaligned.
        unsafe {
            let splat = _mm_set1_epi8(needle as i8);
            for k in 0..steps {
                let v = _mm_loadu_si128(room.as_ptr().add(16 * k).cast::<__m128i>());
                let m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, splat)) as u32 as u64;
                mask |= m << (16 * k);
            }
        }
        if n < 64 {
            mask &= (1u64 << n) - 1;
        }
        Some(mask)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (room, n, needle);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(hay: &[u8], needle: u8) -> Vec<usize> {
        let mut v = Vec::new();
        each(hay, needle, |i| v.push(i));
        v
    }

    fn bytewise(hay: &[u8], needle: u8) -> Vec<usize> {
        (0..hay.len()).filter(|&i| hay[i] == needle).collect()
    }

    #[test]
    fn every_length_and_place() {
        for n in 0..40 {
            for at in 0..n {
                let mut hay = vec![b'a'; n];
                hay[at] = b',';
                assert_eq!(found(&hay, b','), [at], "length {n}, at {at}");
            }
            assert_eq!(found(&vec![b','; n], b','), (0..n).collect::<Vec<_>>());
            assert!(found(&vec![b'a'; n], b',').is_empty());
        }
        // Every byte is ASCII, but for one byte anywhere, in any length.
        for n in 0..40 {
            assert!(each(&vec![b'a'; n], b',', |_| {}), "length {n}");
            for at in 0..n {
                let mut hay = vec![b'a'; n];
                hay[at] = 0x80;
                assert!(!each(&hay, b',', |_| {}), "length {n}, at {at}");
            }
        }
        // Bytes with the top bit set, and next to the needle's value.
        let hay = [0xff, b',' - 1, b',', b',' + 1, 0x80, 0xac, b',', 0];
        assert_eq!(found(&hay, b','), [2, 6]);
        assert_eq!(found(&hay, 0xff), [0]);
        assert_eq!(found(&hay, 0), [7]);
    }

    proptest! {
        #[test]
        fn finds_what_a_byte_at_a_time_finds(
            hay in proptest::collection::vec(prop_oneof![Just(b','), Just(0u8), Just(0xffu8), any::<u8>()], 0..100),
            needle in prop_oneof![Just(b','), Just(0u8), Just(0xffu8), any::<u8>()],
        ) {
            prop_assert_eq!(found(&hay, needle), bytewise(&hay, needle));
            prop_assert_eq!(each(&hay, needle, |_| {}), hay.is_ascii());
            let mut swar = Vec::new();
            prop_assert_eq!(each_swar(&hay, needle, |i| swar.push(i)), hay.is_ascii());
            prop_assert_eq!(swar, bytewise(&hay, needle));
        }

        #[test]
        fn a_mask_has_the_bits_a_byte_at_a_time_finds(
            room in proptest::collection::vec(prop_oneof![Just(b','), Just(0u8), Just(0xffu8), any::<u8>()], 0..100),
            n in 0usize..80,
            needle in prop_oneof![Just(b','), Just(0u8), Just(0xffu8), any::<u8>()],
        ) {
            let fits = n <= 64 && n.div_ceil(16) * 16 <= room.len();
            match mask_within(&room, n, needle) {
                Some(mask) => {
                    prop_assert!(fits);
                    let bits: Vec<usize> = (0..64).filter(|b| mask >> b & 1 == 1).collect();
                    prop_assert_eq!(bits, bytewise(&room[..n], needle));
                }
                None => prop_assert!(!fits || cfg!(not(target_arch = "x86_64"))),
            }
        }
    }
}
