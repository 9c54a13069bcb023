//! M004 discipline-mismatches-provider: GP from an OT, GO from a PT.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct DisciplineMismatchesProvider;

/// The discipline of a taxonomy code, as far as the rules need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Discipline {
    Pt,
    Pta,
    Ot,
    Ota,
    Slp,
}

impl Discipline {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Discipline::Pt => "physical therapist",
            Discipline::Pta => "physical therapist assistant",
            Discipline::Ot => "occupational therapist",
            Discipline::Ota => "occupational therapy assistant",
            Discipline::Slp => "speech-language pathologist",
        }
    }
}

pub(crate) fn discipline(taxonomy: &str) -> Option<Discipline> {
    // Asked for every 97530 line by M004 and M005: compared in place, not
    // uppercased into a new String.
    let t = crate::model::trim(taxonomy).as_bytes();
    let starts = |p: &str| t.len() >= p.len() && t[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    Some(if t.eq_ignore_ascii_case(b"225200000X") {
        Discipline::Pta
    } else if starts("2251") {
        Discipline::Pt
    } else if starts("225X") {
        Discipline::Ot
    } else if starts("224Z") {
        Discipline::Ota
    } else if starts("235Z") {
        Discipline::Slp
    } else {
        return None;
    })
}

static INFO: RuleInfo = RuleInfo {
    code: Code::M004,
    name: "discipline-mismatches-provider",
    title: "discipline does not match the rendering provider",
    severity: Severity::Error,
    carc: "8",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Modifiers, Data::Taxonomy],
    explanation: "\
## What it checks
The discipline modifier of a 97530 line against the rendering provider's
taxonomy: GP with an occupational therapist or OT assistant taxonomy (225X*,
224Z*), or GO with a physical therapist or PT assistant taxonomy (2251*,
225200000X). The line's own rendering provider (2420A) is used, else the
claim's (2310B), else the billing provider's (2000A PRV).

## Why it matters
The modifier says under whose plan of care the service was given; a PT
cannot bill under an OT plan. Payers deny the mismatch as inconsistent with
the provider type (CARC 8).

## Fails
NM1*82 ... PRV*PE*PXC*225X00000X (OT) and SV1*HC:97530:GP*45*UN*1***1

## Passes
NM1*82 ... PRV*PE*PXC*225X00000X (OT) and SV1*HC:97530:GO*45*UN*1***1

## Source
CMS CR 10176; NUCC health care provider taxonomy code set (2251, 2252, 225X, 224Z, 235Z).
",
};

impl Rule for DisciplineMismatchesProvider {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, line) in cx.lines_97530() {
            let taxonomy = &cx.claim.rendering_for(line).taxonomy;
            let Some(d) = discipline(taxonomy) else {
                continue;
            };
            let clash = match d {
                Discipline::Ot | Discipline::Ota if line.modifiers.has("GP") => {
                    Some("GP (physical therapy)")
                }
                Discipline::Pt | Discipline::Pta if line.modifiers.has("GO") => {
                    Some("GO (occupational therapy)")
                }
                _ => None,
            };
            if let Some(m) = clash {
                let msg = format!(
                    "{m} billed by a rendering {} (taxonomy {taxonomy})",
                    d.name()
                );
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_disciplines_in_any_case() {
        for (t, want) in [
            ("225200000X", Some(Discipline::Pta)),
            ("225200000x", Some(Discipline::Pta)),
            (" 225100000X ", Some(Discipline::Pt)),
            ("2251x0800x", Some(Discipline::Pt)),
            ("225X00000X", Some(Discipline::Ot)),
            ("225x00000x", Some(Discipline::Ot)),
            ("224Z00000X", Some(Discipline::Ota)),
            ("224z00000x", Some(Discipline::Ota)),
            ("235Z00000X", Some(Discipline::Slp)),
            ("207Q00000X", None),
            ("225", None),
            ("", None),
            ("2252000000X", None),
        ] {
            assert_eq!(discipline(t), want, "{t:?}");
        }
    }
}
