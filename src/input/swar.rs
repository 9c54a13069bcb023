//! Finding every place of one byte in a short stretch, eight bytes at a
//! time in a `u64` (SWAR): fields and elements are a few bytes long, where
//! a search call per hit costs more than it saves and a byte at a time
//! costs a compare and a branch a byte.

/// Calls `hit` with the index of every byte of `hay` equal to `needle`, in
/// order.
#[inline]
pub(crate) fn each(hay: &[u8], needle: u8, mut hit: impl FnMut(usize)) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let splat = u64::from_ne_bytes([needle; 8]);
    // Bytes equal to `needle` are zero in `t`: exactly those get their top
    // bit in the mask (no carry crosses a byte: each is at most 0xff).
    let mask = |word: &[u8]| {
        let t = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ splat;
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
                if b == needle {
                    take(i, 0x80);
                }
            }
        }
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
        }
    }
}
