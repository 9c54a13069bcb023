//! The NCCI pairs of a claim's visits that involve 97530, shared by M007,
//! M008 and M009: which two lines, which is column two (the line a modifier
//! must bypass, and the line a payer denies), and whether any modifier may.

use super::Cx;
use crate::model::THERAPEUTIC_ACTIVITIES;

pub(crate) struct Pair {
    /// The 97530 line of the pair.
    pub line_97530: usize,
    /// Which of the two lines is column one / column two of the edit.
    pub column1: usize,
    pub column2: usize,
    /// 1: a bypass modifier on the column-two line may bypass it; 0: none may.
    pub indicator: u8,
    /// The payer denies the pair whatever the modifier (`never_bypass`).
    pub never: bool,
    pub source: String,
}

/// The pairs, found once a claim (three rules ask).
pub(crate) fn pairs<'c>(cx: &'c Cx<'_>) -> &'c [Pair] {
    cx.ncci.get_or_init(|| find(cx))
}

fn find(cx: &Cx<'_>) -> Vec<Pair> {
    let lines = &cx.claim.lines;
    let mut out: Vec<Pair> = Vec::new();
    for v in cx.visits {
        let Some(date) = v.date else { continue };
        for &l in v.lines.iter().filter(|&&i| lines[i].is_97530()) {
            for &p in v.lines.iter().filter(|&&i| !lines[i].is_97530()) {
                let code = lines[p].procedure.as_str();
                let never = cx.policy.never_bypasses(THERAPEUTIC_ACTIVITIES, code);
                let (column2_is_97530, indicator, source) = match cx.tables.ncci.edit(code, date) {
                    Some(e) => (
                        e.column2 == THERAPEUTIC_ACTIVITIES,
                        e.indicator,
                        e.source.clone(),
                    ),
                    None if never => {
                        // Only the payer's list: its second code is column two.
                        let col2 = cx
                            .policy
                            .never_bypass
                            .iter()
                            .find(|[a, b]| {
                                (a == THERAPEUTIC_ACTIVITIES && b == code)
                                    || (a == code && b == THERAPEUTIC_ACTIVITIES)
                            })
                            .map(|[_, b]| b.as_str() == THERAPEUTIC_ACTIVITIES)
                            .unwrap_or(true);
                        (
                            col2,
                            0,
                            format!("the {} policy's never_bypass list", cx.policy.name),
                        )
                    }
                    None => continue,
                };
                let (column1, column2) = if column2_is_97530 { (p, l) } else { (l, p) };
                // A handful of pairs a claim: a scan beats a hash set.
                if !out
                    .iter()
                    .any(|q| (q.column1, q.column2) == (column1, column2))
                {
                    out.push(Pair {
                        line_97530: l,
                        column1,
                        column2,
                        indicator: if never { 0 } else { indicator },
                        never,
                        source,
                    });
                }
            }
        }
    }
    out
}

impl Pair {
    /// "97140 (line 2) / 97530 (line 1)": column one, then column two.
    pub fn describe(&self, cx: &Cx<'_>) -> String {
        let l = &cx.claim.lines;
        format!(
            "NCCI pair column 1 {} (line {}) / column 2 {} (line {})",
            l[self.column1].procedure,
            l[self.column1].number,
            l[self.column2].procedure,
            l[self.column2].number
        )
    }
}
