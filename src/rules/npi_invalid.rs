//! C002 npi-invalid: billing and rendering NPIs must be 10 digits with a
//! valid Luhn check digit (over the prefix 80840).

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct NpiInvalid;

static INFO: RuleInfo = RuleInfo {
    code: Code::C002,
    name: "npi-invalid",
    title: "NPI invalid",
    severity: Severity::Error,
    carc: "16",
    rarc: "N290",
    stage: Stage::Claim,
    needs: &[Data::Npi],
    explanation: "\
## What it checks
Every billing (2010AA) and rendering (2310B, 2420A) NPI present on the claim:
it must be exactly 10 digits, and its last digit must be the Luhn check digit
computed over the prefix 80840 followed by the first nine digits.

## Why it matters
An NPI that fails the check digit is a typo: the payer cannot match the
provider and rejects the claim (CARC 16, RARC N290 missing/invalid rendering
provider identifier).

## Fails
NM1*85*2*CLINIC*****XX*1234567890 (check digit should be 3).

## Passes
NM1*85*2*CLINIC*****XX*1234567893

## Source
CMS, NPI check digit: Luhn formula over the card issuer prefix 80840 (45 CFR 162.406; ISO 7812).
",
};

/// True for a 10-digit NPI whose check digit is right.
pub fn npi_is_valid(npi: &str) -> bool {
    let b = npi.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Luhn over 80840 + the ten digits: the whole 15-digit number must sum
    // to 0 mod 10. The prefix's share is a constant, 24 (its digits stand
    // at positions 10-14 from the right: 0, 4·2, 8, 0·2, 8); the ten are
    // added in a fixed loop (an iterator chain over both was re-inlined
    // differently by unrelated changes, costing up to twice as much).
    let mut sum = 24u32;
    for (i, &c) in b.iter().rev().enumerate() {
        let d = u32::from(c - b'0');
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
    }
    sum % 10 == 0
}

impl Rule for NpiInvalid {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let claim = cx.claim;
        let mut bad = |npi: &str, role: &str, line: Option<usize>| {
            if !npi.is_empty() && !npi_is_valid(npi) {
                let f = cx.finding(&INFO, format!("{role} NPI `{npi}` is not a valid NPI"));
                out.push(match line {
                    Some(i) => f.on_line(i),
                    None => f,
                });
            }
        };
        bad(&claim.billing.npi, "billing", None);
        if let Some(r) = &claim.rendering {
            bad(&r.npi, "rendering", None);
        }
        // The lines' NPIs told so far (held inline: a list was an
        // allocation a CSV claim, whose lines each name one).
        let mut seen: smallvec::SmallVec<[&str; 4]> = smallvec::SmallVec::new();
        for (i, line) in claim.lines.iter().enumerate() {
            if let Some(r) = &line.rendering {
                let same_as_claim = claim.rendering.as_ref().is_some_and(|c| c.npi == r.npi);
                if !same_as_claim && !seen.contains(&r.npi.as_str()) {
                    seen.push(&r.npi);
                    bad(&r.npi, "line rendering", Some(i));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provider;
    use crate::rules::testing::*;

    #[test]
    fn check_digit() {
        assert!(npi_is_valid("1234567893"));
        assert!(npi_is_valid("1912301953"));
        assert!(!npi_is_valid("1234567890"));
        assert!(!npi_is_valid("123456789"));
        assert!(!npi_is_valid("12345678931"));
        assert!(!npi_is_valid("12345678A3"));
    }

    /// Against the Luhn check written out over the whole 15 digits (80840
    /// and the NPI): for many nine-digit stems, the one check digit that
    /// passes is the same.
    #[test]
    fn check_digit_agrees_with_luhn_over_fifteen_digits() {
        let luhn15 = |npi: &str| {
            let all = format!("80840{npi}");
            let sum: u32 = all
                .bytes()
                .rev()
                .enumerate()
                .map(|(i, c)| {
                    let d = u32::from(c - b'0');
                    if i % 2 == 1 {
                        (d * 2) / 10 + (d * 2) % 10
                    } else {
                        d
                    }
                })
                .sum();
            sum % 10 == 0
        };
        let mut stem = 123_456_789u64;
        for _ in 0..500 {
            stem = (stem * 6_364_136_223 + 1_442_695_040) % 1_000_000_000;
            let passing: Vec<u32> = (0..10)
                .filter(|d| {
                    let npi = format!("{stem:09}{d}");
                    assert_eq!(npi_is_valid(&npi), luhn15(&npi), "{npi}");
                    npi_is_valid(&npi)
                })
                .collect();
            assert_eq!(passing.len(), 1, "{stem:09}");
        }
    }

    #[test]
    fn each_role_checked_once() {
        let mut c = claim(vec![line_97530(), line_97530()]);
        assert!(run(&NpiInvalid, &c).is_empty());
        c.billing.npi = "1234567890".into();
        let bad = Provider {
            npi: "9999999999".into(),
            taxonomy: String::new().into(),
        };
        c.lines[0].rendering = Some(bad.clone());
        c.lines[1].rendering = Some(bad);
        let f = run(&NpiInvalid, &c);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].message.starts_with("billing"));
        assert_eq!(f[1].line, Some(0));
    }
}
