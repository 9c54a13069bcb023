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

/// ASCII letters and digits: the bytes of a word here.
const ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// The words of five letters or more, as written (ASCII letters and digits;
/// compared without regard to ASCII case, so nothing is allocated): a byte
/// loop on a table, which costs a third of `split` with a predicate.
fn long_words(s: &str) -> impl Iterator<Item = &[u8]> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            while i < b.len() && !ALNUM[usize::from(b[i])] {
                i += 1;
            }
            let start = i;
            while i < b.len() && ALNUM[usize::from(b[i])] {
                i += 1;
            }
            if i - start >= 5 {
                return Some(&b[start..i]);
            }
        }
        None
    })
}

/// `long_words` that are not stop words.
fn words(s: &str) -> impl Iterator<Item = &[u8]> + '_ {
    long_words(s).filter(|w| !STOP.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(w)))
}

/// Whether a word of the note is a word of the goal. The note's words are
/// not held to the stop words: one equal to a word of the goal is none
/// (the goal's words are not, and case counts in neither test). A note's
/// word is compared only with goal words of its length.
fn shares_a_word(note: &str, goal: &str) -> bool {
    let mut goal_words: [&[u8]; 32] = [&[]; 32];
    let mut n = 0;
    let mut lengths = 0u64;
    let length_bit = |w: &[u8]| 1u64 << w.len().min(63);
    for w in words(goal) {
        if n == goal_words.len() {
            // A long goal: compare with all of it, allocating this once.
            let all: Vec<&[u8]> = words(goal).collect();
            return long_words(note).any(|w| all.iter().any(|g| g.eq_ignore_ascii_case(w)));
        }
        goal_words[n] = w;
        lengths |= length_bit(w);
        n += 1;
    }
    let goal_words = &goal_words[..n];
    n > 0
        && long_words(note).any(|w| {
            lengths & length_bit(w) != 0 && goal_words.iter().any(|g| g.eq_ignore_ascii_case(w))
        })
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

    /// The words as `split` on a predicate finds them, with the stop words
    /// left out of both sides (the rule as first written).
    fn shares_a_word_by_split(note: &str, goal: &str) -> bool {
        fn words(s: &str) -> Vec<&[u8]> {
            s.as_bytes()
                .split(|b| !b.is_ascii_alphanumeric())
                .filter(|w| w.len() >= 5)
                .filter(|w| !STOP.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(w)))
                .collect()
        }
        let (n, g) = (words(note), words(goal));
        n.iter()
            .any(|w| g.iter().any(|x| x.eq_ignore_ascii_case(w)))
    }

    proptest::proptest! {
        #[test]
        fn shares_a_word_as_split_finds_it(
            note in "(Patient|WILL|improve|balance|Bal4nce|transfers|zorbing|x10|é|[a-zA-Z]{1,9}|[ ,.'-]){0,30}",
            goal in "(patient|will|Improve|BALANCE|bal4nce|transfer|Zorbing|é|[a-zA-Z]{1,9}|[ ,.'-]){0,40}",
        ) {
            proptest::prop_assert_eq!(shares_a_word(&note, &goal), shares_a_word_by_split(&note, &goal));
        }
    }
}
