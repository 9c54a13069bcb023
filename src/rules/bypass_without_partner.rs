//! M007 bypass-without-partner: 59/X on 97530 with no NCCI partner that day.

use super::ncci_pairs::pairs;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};

pub(crate) struct BypassWithoutPartner;

static INFO: RuleInfo = RuleInfo {
    code: Code::M007,
    name: "bypass-without-partner",
    title: "59/X without a paired code",
    severity: Severity::Warning,
    carc: "4",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Modifiers],
    explanation: "\
## What it checks
A 97530 line carrying a bypass modifier (the policy's `bypass_modifiers`,
by default 59, XE, XS, XP, XU) when no code billed in the same visit forms
an NCCI pair with 97530 on that date (the shipped pairs, or the `--ncci`
files). Never reported for a pair that M008 or M009 reports.

## Why it matters
59 and the X modifiers say 'distinct from a code it would otherwise bundle
with'. With no such code, the modifier is unjustified: auditors treat routine
59 use as a red flag, and payers deny it as an invalid modifier (CARC 4).

## Fails
SV1*HC:97530:GP:59*45*UN*1***1 alone on the date.

## Passes
SV1*HC:97140:GP*40*UN*1***1 and SV1*HC:97530:GP:59*45*UN*1***1 the same date.

## Source
CMS NCCI Policy Manual ch. 1 §E (modifier 59); CMS CR 8863 (X{EPSU}).
",
};

impl Rule for BypassWithoutPartner {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let mut paired: Option<Vec<usize>> = None;
        for (i, line) in cx.lines_97530() {
            let Some(m) = line.modifiers.iter().find(|m| cx.policy.is_bypass(m)) else {
                continue;
            };
            let paired =
                paired.get_or_insert_with(|| pairs(cx).iter().map(|p| p.line_97530).collect());
            if !paired.contains(&i) {
                let msg = format!(
                    "{m} on 97530 but no code billed the same visit forms an NCCI pair with it"
                );
                out.push(cx.finding(&INFO, msg).on_line(i));
            }
        }
    }
}
