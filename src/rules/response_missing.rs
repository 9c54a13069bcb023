//! N006 response-missing: the note says nothing of how the patient responded.

use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::lexicon::Cat;

pub(crate) struct ResponseMissing;

static INFO: RuleInfo = RuleInfo {
    code: Code::N006,
    name: "response-missing",
    title: "patient response missing",
    severity: Severity::Info,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Notes],
    explanation: "\
## What it checks
The note of each 97530 line says how the patient responded: tolerance
(\"tolerated well\"), pain, fatigue or rest breaks, progress or improvement
(\"decreased cues\", \"improved\"), what the patient reported, or
performance (\"able to\", \"difficulty\").

## Why it matters
A treatment note records the patient's response to the intervention; it is
what shows the service was effective and that the plan is updated. Its
absence is a common documentation gap rather than a denial on its own, so
the default severity is info (`--show-info` shows it).

## Fails
\"Transfers with min assist, verbal cues for hand placement.\"

## Passes
\"Transfers with min assist, verbal cues for hand placement; tolerated well,
fewer cues than last visit.\"

## Source
Medicare Benefit Policy Manual (Pub. 100-02) ch. 15 §220.3 (treatment
notes); APTA Defensible Documentation.
",
};

impl Rule for ResponseMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in cx.noted_97530() {
            if n.facts.first(Cat::Response).is_some() {
                continue;
            }
            let msg = if n.facts.empty {
                "the note is empty: no patient response"
            } else {
                "the note states no patient response (looked for tolerance, pain, fatigue, \
                 progress or improvement, what the patient reported)"
            };
            out.push(cx.finding(&INFO, msg).on_line(n.index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{noted, run};

    fn check(note: &str) -> Vec<Finding> {
        run(&ResponseMissing, &noted(note))
    }

    #[test]
    fn response_words() {
        assert_eq!(check("Transfers with min assist, verbal cues.").len(), 1);
        assert!(check("Transfers with min assist; tolerated well.").is_empty());
        assert!(check("Transfers with min assist; reports 3/10 knee pain.").is_empty());
        assert!(check("Transfers; fewer cues than last visit.").is_empty());
    }
}
