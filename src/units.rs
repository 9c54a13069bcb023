//! The 8-minute rule arithmetic: timed codes, units for minutes, and the
//! allocation of a visit's units to its codes under the two methods.
//!
//! Pure functions over (code, minutes) pairs: the T rules and the `units`
//! calculator both use them, so the front desk's reconciliation and the
//! scrubber agree by construction.

use crate::policy::UnitMethod;

/// Timed codes: 15-minute units, their minutes add up to the visit's total.
pub const TIMED: [&str; 21] = [
    "97032", "97033", "97034", "97035", "97036", "97110", "97112", "97113", "97116", "97124",
    "97140", "97530", "97533", "97535", "97537", "97542", "97750", "97755", "97760", "97761",
    "97763",
];

/// Untimed codes: one unit a day; their minutes never count.
pub const UNTIMED: [&str; 19] = [
    "97010", "97012", "97014", "97016", "97018", "97022", "97024", "97026", "97028", "97150",
    "97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168", "G0283",
];

/// `TIMED` (every one a 97xxx code) as bits, by the code's last three
/// digits: made from the list when compiled.
const TIMED_97: [u64; 16] = {
    let mut bits = [0u64; 16];
    let mut i = 0;
    while i < TIMED.len() {
        let b = TIMED[i].as_bytes();
        assert!(b.len() == 5 && b[0] == b'9' && b[1] == b'7');
        let n = (b[2] - b'0') as usize * 100 + (b[3] - b'0') as usize * 10 + (b[4] - b'0') as usize;
        bits[n / 64] |= 1 << (n % 64);
        i += 1;
    }
    bits
};

pub fn is_timed(code: &str) -> bool {
    // Read as a number, not compared with each of `TIMED` in turn (asked
    // for every line of every visit, twice).
    match *code.as_bytes() {
        [b'9', b'7', a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let n =
                usize::from(a - b'0') * 100 + usize::from(b - b'0') * 10 + usize::from(c - b'0');
            TIMED_97[n / 64] >> (n % 64) & 1 == 1
        }
        _ => false,
    }
}

/// Units for `m` minutes of one timed service: 0 under 8, then one unit per
/// 15 minutes counted from 8 (8-22 → 1, 23-37 → 2, 38-52 → 3 ...).
pub fn units_for(m: u32) -> u32 {
    if m < 8 {
        0
    } else {
        (m + 7) / 15
    }
}

/// One code's share of a visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    /// The code (inline text: a share was an allocation a code).
    pub code: crate::model::Text,
    pub minutes: u32,
    /// The units this allocation gives the code.
    pub units: u32,
    /// The fewest and most units any valid allocation gives it (they differ
    /// only where leftover minutes tie under the `cms` method).
    pub min_units: u32,
    pub max_units: u32,
}

/// A visit's allocation of units to codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub method: UnitMethod,
    pub total_minutes: u32,
    /// Units the minutes support in all (cms: of the total; per_code: the sum).
    pub total_units: u32,
    /// One share per distinct code, in first-seen order.
    pub shares: Vec<Share>,
}

impl Allocation {
    pub fn share(&self, code: &str) -> Option<&Share> {
        self.shares.iter().find(|s| s.code == code)
    }
}

/// Allocate units to the timed codes of one visit. Minutes of a code that
/// appears more than once are added together; untimed codes are left out.
pub fn allocate(codes: &[(&str, u32)], method: UnitMethod) -> Allocation {
    let mut shares: Vec<Share> = Vec::new();
    for &(code, m) in codes.iter().filter(|(c, _)| is_timed(c)) {
        match shares.iter_mut().find(|s| s.code == code) {
            Some(s) => s.minutes += m,
            None => shares.push(Share {
                code: code.into(),
                minutes: m,
                units: 0,
                min_units: 0,
                max_units: 0,
            }),
        }
    }
    let total_minutes: u32 = shares.iter().map(|s| s.minutes).sum();
    match method {
        UnitMethod::PerCode => {
            for s in &mut shares {
                s.units = units_for(s.minutes);
                s.min_units = s.units;
                s.max_units = s.units;
            }
            let total_units = shares.iter().map(|s| s.units).sum();
            Allocation {
                method,
                total_minutes,
                total_units,
                shares,
            }
        }
        UnitMethod::Cms => {
            let total_units = units_for(total_minutes);
            let whole: u32 = shares.iter().map(|s| s.minutes / 15).sum();
            let left = total_units - whole; // never negative: see units_for
            for s in &mut shares {
                s.units = s.minutes / 15;
            }
            // Remaining units, one at a time, to the most leftover minutes.
            let mut order: smallvec::SmallVec<[usize; 8]> = (0..shares.len())
                .filter(|&i| shares[i].minutes % 15 > 0)
                .collect();
            order.sort_by_key(|&i| std::cmp::Reverse(shares[i].minutes % 15));
            for &i in order.iter().take(left as usize) {
                shares[i].units += 1;
            }
            // Where leftovers tie at the cut, either code may take the unit.
            for i in 0..shares.len() {
                let l = shares[i].minutes % 15;
                let whole = shares[i].minutes / 15;
                let above = shares.iter().filter(|s| s.minutes % 15 > l).count() as u32;
                let level = shares.iter().filter(|s| s.minutes % 15 == l).count() as u32;
                let (min_extra, max_extra) = if l == 0 || left == 0 {
                    (0, 0)
                } else {
                    (u32::from(above + level <= left), u32::from(above < left))
                };
                shares[i].min_units = whole + min_extra;
                shares[i].max_units = whole + max_extra;
            }
            Allocation {
                method,
                total_minutes,
                total_units,
                shares,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use UnitMethod::{Cms, PerCode};

    /// `is_timed` says what `TIMED` lists, for every five-character code
    /// near them and a few shapes that are not codes.
    #[test]
    fn is_timed_is_the_list() {
        let mut codes: Vec<String> = (0..100_000).map(|n| format!("{n:05}")).collect();
        codes.extend(UNTIMED.iter().map(|c| c.to_string()));
        codes.extend(["", "9753", "975300", "97a30", "9753O", " 97530", "G0283"].map(String::from));
        for c in &codes {
            assert_eq!(is_timed(c), TIMED.contains(&c.as_str()), "{c:?}");
        }
        assert!(TIMED.iter().all(|c| is_timed(c)));
    }

    fn units(a: &Allocation) -> Vec<(&str, u32)> {
        a.shares
            .iter()
            .map(|s| (s.code.as_str(), s.units))
            .collect()
    }

    #[test]
    fn the_table() {
        let want = [
            (0, 0),
            (7, 0),
            (8, 1),
            (22, 1),
            (23, 2),
            (37, 2),
            (38, 3),
            (52, 3),
            (53, 4),
            (67, 4),
            (68, 5),
        ];
        for (m, u) in want {
            assert_eq!(units_for(m), u, "{m} minutes");
        }
    }

    #[test]
    fn rules_md_worked_examples() {
        // 24 97112 + 23 97110 = 47 → 3: 2×97112, 1×97110.
        let a = allocate(&[("97112", 24), ("97110", 23)], Cms);
        assert_eq!((a.total_minutes, a.total_units), (47, 3));
        assert_eq!(units(&a), [("97112", 2), ("97110", 1)]);
        // 20 + 20 = 40 → 3: 2 and 1, either way round.
        let a = allocate(&[("97112", 20), ("97110", 20)], Cms);
        assert_eq!(a.total_units, 3);
        for s in &a.shares {
            assert_eq!((s.min_units, s.max_units), (1, 2), "{}", s.code);
        }
        assert_eq!(a.shares.iter().map(|s| s.units).sum::<u32>(), 3);
        // 33 97110 + 7 97140 = 40 → 3: 2×97110, 1×97140.
        let a = allocate(&[("97110", 33), ("97140", 7)], Cms);
        assert_eq!(units(&a), [("97110", 2), ("97140", 1)]);
        assert_eq!(a.share("97140").unwrap().min_units, 1);
        // 18 + 13 + 10 + 8 = 49 → 3: one each of 97110, 97140, 97116; 97035 none.
        let a = allocate(
            &[("97110", 18), ("97140", 13), ("97116", 10), ("97035", 8)],
            Cms,
        );
        assert_eq!(a.total_units, 3);
        assert_eq!(
            units(&a),
            [("97110", 1), ("97140", 1), ("97116", 1), ("97035", 0)]
        );
        assert_eq!(a.share("97035").unwrap().max_units, 0);
        // 10 97110 + 10 97530 = 20 → 1 unit in all under cms; 1 each per code.
        let a = allocate(&[("97110", 10), ("97530", 10)], Cms);
        assert_eq!(a.total_units, 1);
        assert_eq!(
            a.share("97530").map(|s| (s.min_units, s.max_units)),
            Some((0, 1))
        );
        let p = allocate(&[("97110", 10), ("97530", 10)], PerCode);
        assert_eq!(units(&p), [("97110", 1), ("97530", 1)]);
        assert_eq!(p.total_units, 2);
    }

    #[test]
    fn untimed_codes_and_repeats() {
        let a = allocate(&[("97530", 10), ("97150", 30), ("97530", 10)], Cms);
        assert_eq!(units(&a), [("97530", 1)]);
        assert_eq!(a.total_minutes, 20);
    }
}
