//! D003 diagnosis-pointer-invalid: each 97530 line points at a diagnosis
//! the claim has.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct DiagnosisPointerInvalid;

static INFO: RuleInfo = RuleInfo {
    code: Code::D003,
    name: "diagnosis-pointer-invalid",
    title: "diagnosis pointer invalid",
    severity: Severity::Error,
    carc: "16",
    rarc: "MA130",
    stage: Stage::Claim,
    needs: &[Data::DiagnosisPointers],
    explanation: "\
## What it checks
The diagnosis code pointers of each 97530 line (837P SV107, CSV
`diagnosis_pointers`): at least one, each a number from 1 to 12 that points at
a diagnosis code present on the claim (837P HI, CSV `diagnosis_codes`).

## Why it matters
The pointer ties the therapy to the condition treated; medical necessity is
judged on it. A line without a valid pointer is rejected (CARC 16, RARC MA130).

## Fails
HI*ABK:M6281 (one code) with SV1*HC:97530:GP*45*UN*1***2

## Passes
HI*ABK:M6281 with SV1*HC:97530:GP*45*UN*1***1

## Source
005010X222A1 2400 SV107 (required; points at 2300 HI, at most 12 codes).
",
};

impl Rule for DiagnosisPointerInvalid {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let have = cx.claim.diagnoses.len();
        for (i, line) in cx.lines_97530() {
            if line.diagnosis_pointers.is_empty() {
                out.push(cx.finding(&INFO, "no diagnosis pointer").on_line(i));
                continue;
            }
            for p in &line.diagnosis_pointers {
                let ok = matches!(p.parse::<usize>(), Ok(n) if (1..=12).contains(&n) && n <= have);
                if !ok {
                    let msg = format!("diagnosis pointer `{p}` does not point at one of the claim's {have} diagnosis code(s)");
                    out.push(cx.finding(&INFO, msg).on_line(i));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn pointer_beyond_codes_fails() {
        assert!(run(&DiagnosisPointerInvalid, &claim(vec![line_97530()])).is_empty());
        for p in [vec!["2"], vec![], vec!["A"], vec!["13"], vec!["1", "0"]] {
            let mut l = line_97530();
            l.diagnosis_pointers = p.iter().map(|s| (*s).into()).collect();
            assert_eq!(
                run(&DiagnosisPointerInvalid, &claim(vec![l])).len(),
                1,
                "{p:?}"
            );
        }
    }
}
