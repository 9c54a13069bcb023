//! N003 goal-link-missing: the note names no functional task and no goal.

use super::notes::push_quoted;
use super::{Cx, Data, Rule, RuleInfo, Stage};
use crate::finding::{Code, Finding, Severity};
use crate::policy::lexicon::Cat;

pub(crate) struct GoalLinkMissing;

static INFO: RuleInfo = RuleInfo {
    code: Code::N003,
    name: "goal-link-missing",
    title: "no link to a functional goal",
    severity: Severity::Warning,
    carc: "",
    rarc: "",
    stage: Stage::Claim,
    needs: &[Data::Notes, Data::Goals],
    explanation: "\
## What it checks
In an export with `note` and `goal` columns, the note of each 97530 line
refers to the plan of care (\"goal\", \"STG\", \"LTG\", \"POC\", \"plan of
care\"), names a functional task (transfers, bed mobility, reaching,
lifting, carrying, stairs, gait on uneven ground, community mobility,
ADL/IADL and their kin), or shares a word of five letters or more with the
line's `goal` text.

## Why it matters
97530 is dynamic activity to improve function. Work that is not tied to a
functional goal of the plan of care reads as exercise or as maintenance, and
is denied or recoded.

## Fails
Note \"Worked on balance with CGA, tolerated well.\" with goal \"Patient will
ascend 12 steps with one rail.\"

## Passes
Note \"Patient practiced transfers for 15 minutes.\" (\"transfers\" is a
functional task).

## Source
Medicare Benefit Policy Manual (Pub. 100-02) ch. 15 §220.1.2 (plan of care
goals) and §220.3 (treatment notes); the seed pair in RULES.md.
",
};

/// Words of a goal too common to link a note to it.
const STOP: [&str; 12] = [
    "patient", "will", "would", "with", "without", "within", "weeks", "order", "their", "other",
    "improve", "increase",
];

impl Rule for GoalLinkMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in cx.noted_97530() {
            if n.facts.first(Cat::Task).is_some() || n.facts.first(Cat::GoalRef).is_some() {
                continue;
            }
            let goal = n.line.goal.as_deref().unwrap_or("");
            if shares_a_word(n.note, goal) {
                continue;
            }
            let mut msg = String::with_capacity(200);
            msg.push_str(if n.facts.empty {
                "the note is empty"
            } else {
                "the note names no functional task (e.g. transfers, bed mobility, reaching, stairs, ADL) \
                 and no plan-of-care goal"
            });
            if goal.is_empty() {
                msg.push_str("; the goal column is empty");
            } else {
                msg.push_str(", and shares no word with the goal ");
                push_quoted(&mut msg, goal);
            }
            out.push(cx.finding(&INFO, msg).on_line(n.index));
        }
    }
}

/// The words of five letters or more that are not stop words, as written
/// (ASCII letters and digits; compared without regard to ASCII case, so
/// nothing is allocated).
fn words(s: &str) -> impl Iterator<Item = &[u8]> + '_ {
    s.as_bytes()
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 5)
        .filter(|w| !STOP.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(w)))
}

fn shares_a_word(note: &str, goal: &str) -> bool {
    let mut goal_words: [&[u8]; 32] = [&[]; 32];
    let mut n = 0;
    for w in words(goal) {
        if n == goal_words.len() {
            // A long goal: compare with all of it, allocating this once.
            let all: Vec<&[u8]> = words(goal).collect();
            return words(note).any(|w| all.iter().any(|g| g.eq_ignore_ascii_case(w)));
        }
        goal_words[n] = w;
        n += 1;
    }
    let goal_words = &goal_words[..n];
    n > 0 && words(note).any(|w| goal_words.iter().any(|g| g.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{claim, line_97530, run};

    fn check(note: &str, goal: &str) -> Vec<Finding> {
        let mut l = line_97530();
        l.note = Some(note.into());
        l.goal = Some(goal.into());
        run(&GoalLinkMissing, &claim(vec![l]))
    }

    #[test]
    fn seed_pair_names_transfers() {
        assert!(check("Patient practiced transfers for 15 minutes.", "").is_empty());
    }

    #[test]
    fn no_task_no_goal_fails_and_says_what_it_looked_for() {
        let f = check(
            "Worked on balance with CGA, tolerated well.",
            "Patient will ascend 12 steps with one rail.",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("ascend 12 steps"), "{}", f[0].message);
        assert!(check("Balance work toward STG 2 with CGA.", "").is_empty());
    }

    #[test]
    fn a_word_shared_with_the_goal_links() {
        assert!(check(
            "Standing balance with CGA for sweeping simulation.",
            "Return to sweeping the porch without loss of balance."
        )
        .is_empty());
        // case does not matter, and a long goal is compared whole
        assert!(check("ZORBING with CGA.", "return to zorbing").is_empty());
        assert_eq!(check("Quaffing with CGA.", "return to zorbing").len(), 1);
        let long_goal = format!("{} zorbing", "balance ".repeat(40));
        assert!(check("Zorbing with CGA.", &long_goal).is_empty());
        assert_eq!(check("Quaffing with CGA.", &long_goal).len(), 1);
        // short and common words do not link
        assert_eq!(
            check("Balance with CGA.", "Patient will improve with it.").len(),
            1
        );
        assert_eq!(check("IMPROVE with CGA.", "Patient will improve.").len(), 1);
        assert_eq!(check("Quaffinga with CGA.", "return to quaffingb").len(), 1);
        assert!(check("QUAFFINGA with CGA.", "return to quaffinga").is_empty());
    }
}
