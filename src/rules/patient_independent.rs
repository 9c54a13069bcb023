//! N005 patient-independent: the note says the patient did it alone.

use super::notes::quoted;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::lexicon::{quote, Cat};

pub(crate) struct PatientIndependent;

static INFO: RuleInfo = RuleInfo {
    code: Code::N005,
    name: "patient-independent",
    title: "patient independent in the activity",
    severity: Severity::Warning,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Notes],
    explanation: "\
## What it checks
The note of each 97530 line says the patient performed the activity with
complete independence (\"independently\", \"without assistance\", \"no cues
needed\", \"did not require assist\") and names no assistance, cueing or
other skilled input besides. Not counted: a negated statement (\"not yet
independent\"), an aim (\"goal of independent home transfers\", \"will be
independent\"), and modified independence (\"mod I\", \"independent with
walker\"), where training the device or the method is still skilled work.

## Why it matters
A patient who does the activity alone does not need a therapist for it:
the skilled need is in doubt, and a payer may deny the service as not
reasonable and necessary, or as a maintenance program the patient can do
without the therapist.

## Fails
\"Patient performed transfers independently, 15 minutes.\"

## Passes
\"Transfers independent with rolling walker; verbal cues for hand
placement.\" — and the seed's strong note, whose \"independent\" is its goal.

## Source
Medicare Benefit Policy Manual (Pub. 100-02) ch. 15 §220.2 (skilled need)
and §220.3.
",
};

impl Rule for PatientIndependent {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in cx.noted_97530() {
            let Some(ind) = n.facts.first(Cat::Independent) else {
                continue;
            };
            let helped = [
                Cat::Assistance,
                Cat::Cue,
                Cat::Skilled,
                Cat::ModifiedIndependent,
            ]
            .iter()
            .any(|c| n.facts.first(*c).is_some());
            if helped {
                continue;
            }
            let msg = format!(
                "the note says the patient was independent ({}) and names no assistance or cueing: \
                 the skilled need is in doubt",
                quoted(quote(n.note, ind))
            );
            out.push(cx.finding(&INFO, msg).on_line(n.index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{noted, run};

    fn check(note: &str) -> Vec<Finding> {
        run(&PatientIndependent, &noted(note))
    }

    #[test]
    fn independence_fails_with_a_quote() {
        let f = check("Patient performed transfers independently, 15 minutes.");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("\"independently\""),
            "{}",
            f[0].message
        );
        assert_eq!(check("Stairs x4 without assistance.").len(), 1);
        assert_eq!(check("Bed mobility, no verbal cues needed.").len(), 1);
    }

    #[test]
    fn negation_aims_and_devices_are_not_independence() {
        for note in [
            "Patient is not yet independent with transfers; CGA.",
            "Transfers toward goal of independent home transfers.",
            "Patient will be independent with stairs in 4 weeks.",
            "Transfers independent with rolling walker.",
            "Gait in community mod I.",
            "Independent with sit to stand, verbal cues for hand placement.",
        ] {
            assert!(check(note).is_empty(), "{note}");
        }
    }
}
