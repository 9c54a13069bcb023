//! The note reading the N rules share: what the lexicon finds in each
//! line's note, read once per claim (cached in `Cx`).

use super::Cx;
use crate::model::ServiceLine;
use crate::policy::lexicon::NoteFacts;
use crate::units::is_timed;

/// A line with its note and what the note shows.
pub(crate) struct NotedLine<'a> {
    pub index: usize,
    pub line: &'a ServiceLine,
    pub note: &'a str,
    pub facts: &'a NoteFacts,
}

impl<'a> Cx<'a> {
    /// What each line's note shows: all of it for 97530 lines (but the time
    /// only where the line has no minutes), only the time for the other
    /// timed lines without minutes of a claim with 97530 (N001), nothing for
    /// the rest or where there is no note.
    fn note_facts(&self) -> &[Option<NoteFacts>] {
        self.notes.get_or_init(|| {
            let any_97530 = self.claim.has_97530();
            self.claim
                .lines
                .iter()
                .map(|l| {
                    let note = l.note.as_deref()?;
                    // A time statement matters only to N001, and only on a
                    // line without minutes.
                    if l.is_97530() {
                        Some(match l.minutes {
                            Some(_) => self.lexicon.read_untimed(note),
                            None => self.lexicon.read(note),
                        })
                    } else if any_97530 && is_timed(&l.procedure) && l.minutes.is_none() {
                        Some(self.lexicon.read_time(note))
                    } else {
                        None
                    }
                })
                .collect()
        })
    }

    /// The timed lines of the visits that have a 97530 line, with their notes
    /// (a line other than 97530 only when it has no minutes: N001 passes it).
    pub(crate) fn noted_timed_lines(&self) -> impl Iterator<Item = NotedLine<'_>> + '_ {
        let facts = self.note_facts();
        self.visits
            .iter()
            .filter(|v| v.lines().any(|(_, l)| l.is_97530()))
            .flat_map(|v| v.lines.iter().copied())
            .filter_map(move |i| self.noted(i, facts))
    }

    /// The 97530 lines with their notes.
    pub(crate) fn noted_97530(&self) -> impl Iterator<Item = NotedLine<'_>> + '_ {
        let facts = self.note_facts();
        (0..self.claim.lines.len())
            .filter(|&i| self.claim.lines[i].is_97530())
            .filter_map(move |i| self.noted(i, facts))
    }

    fn noted<'s>(&'s self, i: usize, facts: &'s [Option<NoteFacts>]) -> Option<NotedLine<'s>> {
        let line = &self.claim.lines[i];
        Some(NotedLine {
            index: i,
            line,
            note: line.note.as_deref()?,
            facts: facts[i].as_ref()?,
        })
    }
}

/// `"words"` of a note, quoted for a message (long quotes shortened).
pub(crate) fn quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len().min(64) + 5);
    push_quoted(&mut s, text);
    s
}

/// `quoted`, written onto `out`.
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    const MAX: usize = 60;
    out.push('"');
    if text.len() <= MAX {
        out.push_str(text);
    } else {
        let mut end = MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&text[..end]);
        out.push('…');
    }
    out.push('"');
}
