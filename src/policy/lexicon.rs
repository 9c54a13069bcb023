//! The documentation lexicon of the N rules: phrases by category, loaded
//! from the embedded `lexicon.toml` plus a policy file's `[lexicon]` table,
//! and the reader that finds them in a note.
//!
//! No model and no network: a note is split into lowercase words and
//! clauses, the phrases are matched word by word (with `word*` prefixes and
//! `~` gaps), and negation ("no verbal cues"), aspiration ("goal of
//! independent transfers") and devices ("independent with walker") are
//! judged within a clause. What is found is kept as byte ranges of the
//! note, so a finding can quote the note's own words.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Deserialize;

/// The embedded lexicon.
pub const DEFAULT_LEXICON: &str = include_str!("lexicon.toml");

/// The lexicon as written: phrase lists by key. A policy file's `[lexicon]`
/// table has the same keys; its phrases are added to the embedded ones.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconSpec {
    #[serde(default)]
    pub assistance: Vec<String>,
    #[serde(default)]
    pub independent: Vec<String>,
    #[serde(default)]
    pub modified_independent: Vec<String>,
    #[serde(default)]
    pub devices: Vec<String>,
    #[serde(default)]
    pub cues: Vec<String>,
    #[serde(default)]
    pub skilled_input: Vec<String>,
    #[serde(default)]
    pub functional_tasks: Vec<String>,
    #[serde(default)]
    pub goal_refs: Vec<String>,
    #[serde(default)]
    pub exercise: Vec<String>,
    #[serde(default)]
    pub response: Vec<String>,
    #[serde(default)]
    pub negation_before: Vec<String>,
    #[serde(default)]
    pub negation_after: Vec<String>,
    #[serde(default)]
    pub aspiration: Vec<String>,
    #[serde(default)]
    pub intention: Vec<String>,
}

/// What a phrase is evidence of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cat {
    Assistance,
    Independent,
    ModifiedIndependent,
    Device,
    Cue,
    Skilled,
    Task,
    GoalRef,
    Exercise,
    Response,
}

const CATS: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(Box<str>),
    Prefix(Box<str>),
    Gap,
}

#[derive(Clone, Debug)]
struct Phrase {
    cat: Cat,
    toks: Vec<Tok>,
}

/// FNV-1a: the keys are short words; SipHash would cost more than the match.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// The compiled lexicon.
#[derive(Clone, Debug)]
pub struct Lexicon {
    phrases: Vec<Phrase>,
    /// Phrases by their first word (exact).
    by_word: FastMap<Box<str>, Vec<u32>>,
    /// Phrases whose first word is a prefix.
    by_prefix: Vec<(Box<str>, u32)>,
    negation_before: FastSet<Box<str>>,
    negation_after: FastSet<Box<str>>,
    aspiration: FastSet<Box<str>>,
    intention: FastSet<Box<str>>,
}

/// A span of the note, in bytes.
pub type Span = (u32, u32);

/// What the lexicon found in one note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteFacts {
    /// First affirmed match per category, as a span of the note.
    first: [Option<Span>; CATS],
    /// Up to three exercise phrases (sets × reps included), for quoting.
    pub exercise: Vec<Span>,
    /// The first negated assistance, cue or skilled-input phrase, with its
    /// negation ("no verbal cues"): said in N002's message.
    pub negated: Option<Span>,
    /// The first time statement ("17 minutes", "10:05-10:20").
    pub time: Option<Span>,
    /// Whether the note has any word at all.
    pub empty: bool,
}

impl NoteFacts {
    pub fn first(&self, cat: Cat) -> Option<Span> {
        self.first[cat as usize]
    }

    /// A level of assistance or skilled input of any kind (N002 satisfied).
    pub fn skilled_evidence(&self) -> Option<Span> {
        [
            Cat::Assistance,
            Cat::Cue,
            Cat::Skilled,
            Cat::ModifiedIndependent,
            Cat::Independent,
        ]
        .iter()
        .filter_map(|c| self.first(*c))
        .min()
    }
}

/// The text of a span, for quoting.
pub fn quote(note: &str, s: Span) -> &str {
    let (mut a, mut b) = (s.0 as usize, (s.1 as usize).min(note.len()));
    while a > 0 && !note.is_char_boundary(a) {
        a -= 1;
    }
    while b < note.len() && !note.is_char_boundary(b) {
        b += 1;
    }
    note.get(a..b).unwrap_or("")
}

#[derive(Clone, Copy, Debug)]
struct Word {
    start: u32,
    end: u32,
    clause: u32,
}

#[derive(Clone, Copy, Debug)]
struct Hit {
    cat: Cat,
    first: usize,
    /// One past the last word.
    last: usize,
}

#[derive(Default)]
struct Scratch {
    low: Vec<u8>,
    words: Vec<Word>,
    hits: Vec<Hit>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Abbreviations whose full stop does not end a clause ("min. assist").
const ABBREVIATIONS: [&str; 10] = [
    "min", "mod", "max", "pt", "approx", "w", "assist", "asst", "dr", "indep",
];

const TIME_WORDS: [&str; 9] = [
    "min", "mins", "minute", "minutes", "mn", "hour", "hours", "hr", "hrs",
];

impl Lexicon {
    /// The embedded lexicon.
    pub fn embedded() -> Lexicon {
        Lexicon::build(&[LexiconSpec::parse(DEFAULT_LEXICON).expect("embedded lexicon parses")])
            .expect("embedded lexicon is valid")
    }

    /// The embedded lexicon with a policy file's additions.
    pub fn with(extra: &LexiconSpec) -> Result<Lexicon, String> {
        let base = LexiconSpec::parse(DEFAULT_LEXICON).expect("embedded lexicon parses");
        Lexicon::build(&[base, extra.clone()])
    }

    pub fn build(specs: &[LexiconSpec]) -> Result<Lexicon, String> {
        let mut lex = Lexicon {
            phrases: Vec::new(),
            by_word: FastMap::default(),
            by_prefix: Vec::new(),
            negation_before: FastSet::default(),
            negation_after: FastSet::default(),
            aspiration: FastSet::default(),
            intention: FastSet::default(),
        };
        for spec in specs {
            let lists: [(&str, Cat, &Vec<String>); CATS] = [
                ("assistance", Cat::Assistance, &spec.assistance),
                ("independent", Cat::Independent, &spec.independent),
                (
                    "modified_independent",
                    Cat::ModifiedIndependent,
                    &spec.modified_independent,
                ),
                ("devices", Cat::Device, &spec.devices),
                ("cues", Cat::Cue, &spec.cues),
                ("skilled_input", Cat::Skilled, &spec.skilled_input),
                ("functional_tasks", Cat::Task, &spec.functional_tasks),
                ("goal_refs", Cat::GoalRef, &spec.goal_refs),
                ("exercise", Cat::Exercise, &spec.exercise),
                ("response", Cat::Response, &spec.response),
            ];
            for (key, cat, list) in lists {
                for p in list {
                    let toks = parse_phrase(p).map_err(|e| format!("lexicon.{key}: `{p}`: {e}"))?;
                    let id = lex.phrases.len() as u32;
                    match &toks[0] {
                        Tok::Word(w) => lex.by_word.entry(w.clone()).or_default().push(id),
                        Tok::Prefix(w) => lex.by_prefix.push((w.clone(), id)),
                        Tok::Gap => unreachable!("parse_phrase refuses a leading gap"),
                    }
                    lex.phrases.push(Phrase { cat, toks });
                }
            }
            for (key, list, set) in [
                (
                    "negation_before",
                    &spec.negation_before,
                    &mut lex.negation_before,
                ),
                (
                    "negation_after",
                    &spec.negation_after,
                    &mut lex.negation_after,
                ),
                ("aspiration", &spec.aspiration, &mut lex.aspiration),
                ("intention", &spec.intention, &mut lex.intention),
            ] {
                for w in list {
                    let toks = parse_phrase(w).map_err(|e| format!("lexicon.{key}: `{w}`: {e}"))?;
                    match toks.as_slice() {
                        [Tok::Word(one)] => {
                            set.insert(one.clone());
                        }
                        _ => return Err(format!("lexicon.{key}: `{w}`: one plain word expected")),
                    }
                }
            }
        }
        Ok(lex)
    }

    /// Read a note: what it shows, with where.
    pub fn read(&self, note: &str) -> NoteFacts {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch { low, words, hits } = &mut *s;
            split_words(note, low, words);
            self.read_words(low, words, hits)
        })
    }

    fn read_words(&self, low: &[u8], words: &[Word], hits: &mut Vec<Hit>) -> NoteFacts {
        let mut facts = NoteFacts {
            empty: words.is_empty(),
            ..NoteFacts::default()
        };
        let text = |i: usize| -> &[u8] { &low[words[i].start as usize..words[i].end as usize] };
        hits.clear();
        for i in 0..words.len() {
            let w = text(i);
            if let Some(ids) = std::str::from_utf8(w)
                .ok()
                .and_then(|w| self.by_word.get(w))
            {
                for &id in ids {
                    self.try_phrase(id, i, low, words, hits);
                }
            }
            for (p, id) in &self.by_prefix {
                if w.starts_with(p.as_bytes()) {
                    self.try_phrase(*id, i, low, words, hits);
                }
            }
        }
        // Numbers and sets × reps, time statements.
        for i in 0..words.len() {
            let w = text(i);
            let next = (i + 1 < words.len() && words[i + 1].clause == words[i].clause)
                .then(|| text(i + 1));
            let next_is_time = next.is_some_and(|n| TIME_WORDS.iter().any(|t| t.as_bytes() == n));
            let digits = |b: &[u8]| !b.is_empty() && b.iter().all(u8::is_ascii_digit);
            let num = digits(w);
            let xnum = w.len() > 1 && w[0] == b'x' && digits(&w[1..]);
            let glued_time = w
                .iter()
                .position(|b| !b.is_ascii_digit())
                .is_some_and(|k| k > 0 && TIME_WORDS.iter().any(|t| t.as_bytes() == &w[k..]));
            if facts.time.is_none() && (((num || xnum) && next_is_time) || glued_time) {
                let end = if glued_time { i } else { i + 1 };
                facts.time = Some((words[i].start, words[end].end));
                continue;
            }
            if (num || xnum) && next_is_time {
                continue;
            }
            // "3x10", "x10", "3 x 10"
            let glued_reps = w
                .iter()
                .position(|&b| b == b'x')
                .is_some_and(|k| w[..k].iter().all(u8::is_ascii_digit) && digits(&w[k + 1..]));
            let spaced = num
                && next == Some(b"x".as_slice())
                && i + 2 < words.len()
                && words[i + 2].clause == words[i].clause
                && digits(text(i + 2))
                && !(i + 3 < words.len() && TIME_WORDS.iter().any(|t| t.as_bytes() == text(i + 3)));
            if glued_reps || spaced {
                let last = if spaced { i + 3 } else { i + 1 };
                hits.push(Hit {
                    cat: Cat::Exercise,
                    first: i,
                    last,
                });
            }
        }
        if facts.time.is_none() {
            facts.time = clock_range(low);
        }
        hits.sort_by_key(|h| (h.first, std::cmp::Reverse(h.last)));
        let span = |h: &Hit| (words[h.first].start, words[h.last - 1].end);
        for h in hits.iter() {
            let mut cat = h.cat;
            let negatable = matches!(
                cat,
                Cat::Assistance
                    | Cat::Cue
                    | Cat::Skilled
                    | Cat::Independent
                    | Cat::ModifiedIndependent
            );
            if let Some(neg) = negatable.then(|| self.negation(h, low, words)).flatten() {
                if cat != Cat::Independent && facts.negated.is_none() {
                    let (a, b) = (neg.min(h.first), neg.max(h.last - 1));
                    facts.negated = Some((words[a].start, words[b].end));
                }
                continue;
            }
            if cat == Cat::Assistance && text(h.first).starts_with(b"min") && h.first > 0 {
                let prev = text(h.first - 1);
                if prev.iter().all(u8::is_ascii_digit)
                    || (prev.first() == Some(&b'x') && prev[1..].iter().all(u8::is_ascii_digit))
                {
                    continue;
                }
            }
            if cat == Cat::Response
                && h.first > 0
                && words[h.first - 1].clause == words[h.first].clause
                && std::str::from_utf8(text(h.first - 1)).is_ok_and(|w| self.intention.contains(w))
            {
                continue;
            }
            if cat == Cat::Independent {
                if self.aspired(h, low, words) {
                    continue;
                }
                let clause = words[h.first].clause;
                let device = hits.iter().any(|d| {
                    d.cat == Cat::Device
                        && d.first >= h.last
                        && d.first <= h.last + 4
                        && words[d.first].clause == clause
                });
                if device {
                    cat = Cat::ModifiedIndependent;
                }
            }
            if cat == Cat::Exercise && facts.exercise.len() < 3 {
                let s = span(h);
                if !facts.exercise.iter().any(|e| e.0 <= s.0 && s.1 <= e.1) {
                    facts.exercise.push(s);
                }
            }
            let slot = &mut facts.first[cat as usize];
            if slot.is_none() {
                *slot = Some(span(h));
            }
        }
        facts
    }

    fn try_phrase(&self, id: u32, at: usize, low: &[u8], words: &[Word], hits: &mut Vec<Hit>) {
        let p = &self.phrases[id as usize];
        if let Some(last) = match_toks(&p.toks, at, words[at].clause, low, words) {
            hits.push(Hit {
                cat: p.cat,
                first: at,
                last,
            });
        }
    }

    /// The word that negates a hit, if one does.
    fn negation(&self, h: &Hit, low: &[u8], words: &[Word]) -> Option<usize> {
        let clause = words[h.first].clause;
        let is_in = |set: &FastSet<Box<str>>, k: usize| {
            words[k].clause == clause
                && std::str::from_utf8(&low[words[k].start as usize..words[k].end as usize])
                    .is_ok_and(|w| set.contains(w))
        };
        (h.first.saturating_sub(3)..h.first)
            .find(|&k| is_in(&self.negation_before, k))
            .or_else(|| {
                (h.last..(h.last + 3).min(words.len())).find(|&k| is_in(&self.negation_after, k))
            })
    }

    fn aspired(&self, h: &Hit, low: &[u8], words: &[Word]) -> bool {
        let clause = words[h.first].clause;
        (h.first.saturating_sub(5)..h.first).any(|k| {
            words[k].clause == clause
                && std::str::from_utf8(&low[words[k].start as usize..words[k].end as usize])
                    .is_ok_and(|w| self.aspiration.contains(w))
        })
    }
}

/// Match a phrase's words from word `at`; the index one past its last word.
fn match_toks(toks: &[Tok], at: usize, clause: u32, low: &[u8], words: &[Word]) -> Option<usize> {
    let Some((tok, rest)) = toks.split_first() else {
        return Some(at);
    };
    if let Tok::Gap = tok {
        for skip in 0..=2 {
            let k = at + skip;
            if k > words.len() || (skip > 0 && words[k - 1].clause != clause) {
                break;
            }
            if let Some(end) = match_toks(rest, k, clause, low, words) {
                return Some(end);
            }
        }
        return None;
    }
    let w = words.get(at).filter(|w| w.clause == clause)?;
    let text = &low[w.start as usize..w.end as usize];
    let ok = match tok {
        Tok::Word(x) => text == x.as_bytes(),
        Tok::Prefix(x) => text.starts_with(x.as_bytes()),
        Tok::Gap => unreachable!(),
    };
    if ok {
        match_toks(rest, at + 1, clause, low, words)
    } else {
        None
    }
}

fn parse_phrase(p: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    for part in p.split_whitespace() {
        if part == "~" {
            toks.push(Tok::Gap);
            continue;
        }
        let (body, prefix) = match part.strip_suffix('*') {
            Some(b) => (b, true),
            None => (part, false),
        };
        if body.is_empty()
            || !body
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'\'')
        {
            return Err("words are lowercase letters, digits and `'`; `~` and a final `*` are the only signs".into());
        }
        toks.push(if prefix {
            Tok::Prefix(body.into())
        } else {
            Tok::Word(body.into())
        });
    }
    match toks.first() {
        None => Err("empty phrase".into()),
        Some(Tok::Gap) => Err("a phrase cannot start with `~`".into()),
        _ if toks.last() == Some(&Tok::Gap) => Err("a phrase cannot end with `~`".into()),
        _ => Ok(toks),
    }
}

/// Lowercase the note byte for byte (other bytes become spaces, so spans
/// stay the note's) and split it into words and clauses.
fn split_words(note: &str, low: &mut Vec<u8>, words: &mut Vec<Word>) {
    low.clear();
    words.clear();
    let bytes = note.as_bytes();
    low.extend(bytes.iter().map(|&b| {
        if b.is_ascii_alphanumeric() || b == b'\'' {
            b.to_ascii_lowercase()
        } else if b.is_ascii() {
            b
        } else {
            b' '
        }
    }));
    // "×" (U+00D7, bytes C3 97) is a times sign: "3×10" reads "3 x10".
    for k in memchr::memmem::find_iter(bytes, "\u{d7}".as_bytes()) {
        low[k + 1] = b'x';
    }
    let mut clause = 0u32;
    let mut i = 0;
    while i < low.len() {
        let b = low[i];
        if b.is_ascii_alphanumeric() || b == b'\'' {
            let start = i;
            while i < low.len() && (low[i].is_ascii_alphanumeric() || low[i] == b'\'') {
                i += 1;
            }
            words.push(Word {
                start: start as u32,
                end: i as u32,
                clause,
            });
            continue;
        }
        let ends_clause = match b {
            b',' | b';' | b'!' | b'?' | b'\n' => true,
            b'.' => {
                let prev_digit = i > 0 && low[i - 1].is_ascii_digit();
                let next_digit = low.get(i + 1).is_some_and(u8::is_ascii_digit);
                let abbrev = words.last().is_some_and(|w| {
                    w.end as usize == i
                        && ABBREVIATIONS
                            .iter()
                            .any(|a| a.as_bytes() == &low[w.start as usize..w.end as usize])
                });
                !(abbrev || (prev_digit && next_digit))
            }
            _ => false,
        };
        if ends_clause {
            clause += 1;
        }
        i += 1;
    }
}

/// "10:05-10:20" or "10:05 to 10:20": two clock times in a note.
fn clock_range(low: &[u8]) -> Option<Span> {
    let mut times = Vec::new();
    let mut i = 0;
    while i + 3 < low.len() && times.len() < 2 {
        let d = |k: usize| low.get(k).is_some_and(u8::is_ascii_digit);
        if low[i] == b':' && i > 0 && d(i - 1) && d(i + 1) && d(i + 2) && !d(i + 3) {
            let start = if i >= 2 && d(i - 2) { i - 2 } else { i - 1 };
            times.push((start as u32, (i + 3) as u32));
            i += 3;
        } else {
            i += 1;
        }
    }
    match times.as_slice() {
        [a, b] if (b.0 as usize) - (a.1 as usize) <= 6 => Some((a.0, b.1)),
        _ => None,
    }
}

impl LexiconSpec {
    pub fn parse(text: &str) -> Result<LexiconSpec, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }
}
