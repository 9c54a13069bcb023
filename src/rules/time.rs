//! The time analysis the T rules share: for each visit with a 97530 line,
//! the units billed against the allocation its minutes support under the
//! claim's payer method. Made once per claim (cached in `Cx`).

use super::Cx;
use crate::model::ServiceLine;
use crate::policy::UnitMethod;
use crate::units::{allocate, is_timed, Allocation};

pub(crate) struct VisitTime {
    /// The visit's 97530 lines, in claim order (a visit has one or two:
    /// held inline, not allocated for every claim).
    pub lines: smallvec::SmallVec<[usize; 2]>,
    pub state: TimeState,
}

pub(crate) enum TimeState {
    /// The method needs minutes that a line does not have (that line).
    Unknown {
        line: usize,
    },
    /// Units on a timed line are not a whole number: D002's business; the
    /// time rules do not judge the visit.
    BadUnits,
    Known(Known),
}

pub(crate) struct Known {
    pub alloc: Allocation,
    /// 97530 units billed in the visit (all its lines).
    pub billed: u32,
    pub min: u32,
    pub max: u32,
    pub minutes_97530: u32,
    /// Units billed on all timed lines of the visit (cms: compared with the total).
    pub timed_billed: u32,
}

impl Known {
    /// T003: 97530 billed where its minutes give it no unit.
    pub fn under_eight(&self) -> bool {
        self.billed >= 1 && self.max == 0
    }

    /// T001: more 97530 units than any valid allocation gives it.
    pub fn exceeds(&self) -> bool {
        self.billed > self.max && !self.under_eight()
    }

    /// Describe the allocation, for messages.
    pub fn explain(&self) -> String {
        let shares: Vec<String> = self
            .alloc
            .shares
            .iter()
            .map(|s| {
                let u = if s.min_units == s.max_units {
                    s.units.to_string()
                } else {
                    format!("{}-{}", s.min_units, s.max_units)
                };
                format!("{} {}min→{u}", s.code, s.minutes)
            })
            .collect();
        match self.alloc.method {
            UnitMethod::Cms => format!(
                "cms: {} timed minutes → {} unit(s): {}",
                self.alloc.total_minutes,
                self.alloc.total_units,
                shares.join(", ")
            ),
            UnitMethod::PerCode => format!("per_code: {}", shares.join(", ")),
        }
    }
}

/// Units billed on a line: SV104 for UN; for a line reported in minutes (MJ,
/// D007) the units those minutes make, since the line states no units.
fn whole(line: &ServiceLine) -> Option<u32> {
    if line.unit_basis == "MJ" {
        return line.minutes.map(crate::units::units_for);
    }
    // A timed service documented but not billed (0 units) still counts.
    if line.units.value == Some(0.0) {
        return Some(0);
    }
    line.units.whole()
}

pub(crate) fn analyze(cx: &Cx<'_>) -> smallvec::SmallVec<[VisitTime; 1]> {
    let claim = cx.claim;
    let method = cx.policy.unit_method;
    let mut out = smallvec::SmallVec::new();
    for visit in cx.visits {
        let lines: smallvec::SmallVec<[usize; 2]> = visit
            .lines
            .iter()
            .copied()
            .filter(|&i| claim.lines[i].is_97530())
            .collect();
        if lines.is_empty() {
            continue;
        }
        // Which lines the method needs minutes for.
        let needed: smallvec::SmallVec<[usize; 4]> = match method {
            UnitMethod::Cms => visit
                .lines
                .iter()
                .copied()
                .filter(|&i| is_timed(&claim.lines[i].procedure))
                .collect(),
            UnitMethod::PerCode => lines.iter().copied().collect(),
        };
        let state = if needed.iter().any(|&i| whole(&claim.lines[i]).is_none()) {
            TimeState::BadUnits
        } else if let Some(&line) = needed.iter().find(|&&i| claim.lines[i].minutes.is_none()) {
            TimeState::Unknown { line }
        } else {
            let codes: smallvec::SmallVec<[(&str, u32); 4]> = needed
                .iter()
                .map(|&i| {
                    (
                        claim.lines[i].procedure.as_str(),
                        claim.lines[i].minutes.unwrap_or(0),
                    )
                })
                .collect();
            let alloc = allocate(&codes, method);
            let share = alloc.share(crate::model::THERAPEUTIC_ACTIVITIES).cloned();
            let (min, max, minutes_97530) =
                share.map_or((0, 0, 0), |s| (s.min_units, s.max_units, s.minutes));
            TimeState::Known(Known {
                billed: lines.iter().filter_map(|&i| whole(&claim.lines[i])).sum(),
                timed_billed: needed.iter().filter_map(|&i| whole(&claim.lines[i])).sum(),
                alloc,
                min,
                max,
                minutes_97530,
            })
        };
        out.push(VisitTime { lines, state });
    }
    out
}

impl Cx<'_> {
    pub(crate) fn time(&self) -> &[VisitTime] {
        self.time.get_or_init(|| analyze(self))
    }
}

#[cfg(test)]
mod props {
    //! Properties over random visits, run through the whole engine.
    use std::sync::Arc;

    use proptest::prelude::*;

    use crate::finding::Code;
    use crate::model::{Available, Claim, Modifiers, ServiceDate, ServiceLine, Units};
    use crate::policy::{PolicySet, Tables, UnitMethod};
    use crate::rules::{Engine, Selection};
    use crate::units::{allocate, units_for, TIMED};

    fn engine(method: &str) -> Engine {
        let toml = format!(
            "[[policy]]\nname = \"p\"\nfallback = true\nunit_method = \"{method}\"\ntimely_filing_days = 365\n"
        );
        Engine::new(
            PolicySet::parse(&toml, "t").unwrap(),
            Selection::new(&["T001,T002,T003,T004".into()], &[]).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            true,
            &Available::ALL,
            Arc::new(Tables::default()),
        )
    }

    fn claim(lines: &[(&str, u32, u32)]) -> Claim {
        Claim {
            id: "P".into(),
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, &(code, minutes, units))| ServiceLine {
                    number: i as u32 + 1,
                    procedure: code.into(),
                    modifiers: Modifiers(smallvec::smallvec!["GP".into()]),
                    units: Units::parse(&units.to_string()),
                    minutes: Some(minutes),
                    date: ServiceDate::parse_single("20261102"),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn codes(e: &Engine, lines: &[(&str, u32, u32)]) -> Vec<Code> {
        e.check(&claim(lines), Vec::new())
            .findings
            .iter()
            .map(|f| f.code)
            .collect()
    }

    /// A visit: 97530 and up to three other distinct timed codes, with minutes,
    /// and a seed for choosing among tied allocations.
    fn visit() -> impl Strategy<Value = (Vec<(&'static str, u32)>, u64)> {
        let others = proptest::sample::subsequence(
            TIMED
                .iter()
                .copied()
                .filter(|c| *c != "97530")
                .collect::<Vec<_>>(),
            0..=3,
        );
        (
            0u32..80,
            others,
            proptest::collection::vec(0u32..80, 3),
            any::<u64>(),
        )
            .prop_map(|(m, others, ms, seed)| {
                let mut v = vec![("97530", m)];
                v.extend(others.into_iter().zip(ms));
                (v, seed)
            })
    }

    /// Units per code of a valid allocation, choosing among ties by `seed`.
    fn valid(v: &[(&'static str, u32)], method: UnitMethod, seed: u64) -> Vec<u32> {
        if method == UnitMethod::PerCode {
            return v.iter().map(|&(_, m)| units_for(m)).collect();
        }
        let a = allocate(v, method);
        let left = a.total_units - v.iter().map(|&(_, m)| m / 15).sum::<u32>();
        // Codes sorted by leftover, ties broken by the seed.
        let mut order: Vec<usize> = (0..v.len()).filter(|&i| v[i].1 % 15 > 0).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(v[i].1 % 15), (seed >> (i * 8)) & 0xff));
        let mut units: Vec<u32> = v.iter().map(|&(_, m)| m / 15).collect();
        for &i in order.iter().take(left as usize) {
            units[i] += 1;
        }
        units
    }

    proptest! {
        #[test]
        fn allocation_sums_to_the_tables_total((v, _) in visit()) {
            let a = allocate(&v, UnitMethod::Cms);
            prop_assert_eq!(a.shares.iter().map(|s| s.units).sum::<u32>(), units_for(a.total_minutes));
            for s in &a.shares {
                prop_assert!(s.min_units <= s.units && s.units <= s.max_units);
            }
        }

        #[test]
        fn any_valid_allocation_passes_and_one_more_or_one_fewer_does_not(
            (v, seed) in visit(),
            method in prop_oneof![Just(UnitMethod::Cms), Just(UnitMethod::PerCode)],
        ) {
            let e = engine(if method == UnitMethod::Cms { "cms" } else { "per_code" });
            let units = valid(&v, method, seed);
            let lines = |u530: u32| -> Vec<(&str, u32, u32)> {
                v.iter().zip(&units).enumerate().map(|(i, (&(c, m), &u))| (c, m, if i == 0 { u530 } else { u })).collect()
            };
            let u = units[0];
            if u >= 1 {
                prop_assert_eq!(codes(&e, &lines(u)), Vec::<Code>::new(), "valid allocation {:?}", lines(u));
                let fewer = codes(&e, &lines(u - 1));
                let a = allocate(&v, method);
                if u - 1 < a.share("97530").unwrap().min_units {
                    prop_assert_eq!(fewer, vec![Code::T002], "one fewer {:?}", lines(u - 1));
                }
            }
            let more = codes(&e, &lines(u + 1));
            prop_assert!(
                more.len() == 1 && [Code::T001, Code::T003, Code::T004].contains(&more[0]),
                "one more {:?} gave {:?}", lines(u + 1), more
            );
        }
    }
}
