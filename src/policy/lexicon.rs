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
use std::collections::HashMap;
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
    /// A whole word, with its `word_key`.
    Word(Box<str>, u64),
    Prefix(Prefix),
    Gap,
}

/// A `word*` prefix, with its first eight bytes (zero-padded) and their
/// mask, so that a word is matched on its `head` without a byte compare.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Prefix {
    head: u64,
    mask: u64,
    len: u32,
    bytes: Box<[u8]>,
}

impl Prefix {
    fn new(p: &[u8]) -> Prefix {
        let n = p.len().min(8);
        Prefix {
            head: load(p, 0, n),
            mask: if n == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * n)) - 1
            },
            len: p.len() as u32,
            bytes: p.into(),
        }
    }

    /// Whether the word `w` (its bytes in `low`) starts with the prefix.
    #[inline]
    fn starts(&self, w: &Word, low: &[u8]) -> bool {
        w.end - w.start >= self.len
            && w.head & self.mask == self.head
            && (self.len <= 8 || low[w.start as usize..].starts_with(&self.bytes))
    }
}

#[derive(Clone, Debug)]
struct Phrase {
    cat: Cat,
    toks: Vec<Tok>,
    /// The key of the second word when it is a plain word ("hip flexion"),
    /// else 0: checked before the phrase is matched word by word ("hip"
    /// starts six phrases and is tried about 30,000 times in 20,000 notes,
    /// nearly always failing on the second word).
    second: u64,
}

/// The keys are short words; SipHash would cost more than the match.
#[derive(Default)]
struct WordHash(u64);

impl Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }
    /// Eight bytes at a time (the Fx mix of rustc): words are short.
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHash>>;

/// The compiled lexicon.
#[derive(Clone, Debug)]
pub struct Lexicon {
    phrases: Vec<Phrase>,
    /// Entries by the `word_key` of their word, for reading notes.
    table: KeyTable,
    /// What a word of the vocabulary is: the phrases it starts, its flags.
    entries: Vec<Entry>,
    /// The phrases each entry starts, entry by entry (`Entry::starts`):
    /// each with the key of its second word (as `Phrase::second`), so that
    /// a phrase whose second word is not the note's next is passed over
    /// without its `Phrase` being looked at.
    starts: Vec<(u64, u32)>,
    /// Phrases whose first word is a prefix, by `start_key` of the prefix
    /// (sorted on it, in lexicon order within a key).
    by_prefix: Vec<(u16, Prefix, u32)>,
    /// A bit for each vocabulary word, at `vocab_bit` of its key: most
    /// words of a note are in no phrase and are passed over on one bit (a
    /// word whose bit is set is looked up in `table`).
    vocab_bits: Vec<u64>,
    /// A bit for each (first byte, second byte) a first word that is a
    /// prefix (`word*`) starts with.
    prefix_starts: Vec<u64>,
    /// Set bits of `prefix_starts` before each of its words: a key's rank
    /// among the set bits, so that its prefixes are found without a search.
    prefix_rank: Vec<u32>,
    /// By rank: the range of `by_prefix` with that key.
    prefix_ranges: Vec<(u32, u32)>,
}

#[derive(Clone, Debug, Default)]
struct Entry {
    /// The word itself (a long word's key is a hash: checked against it).
    word: Box<[u8]>,
    /// Its range of `Lexicon::starts`.
    starts: (u32, u32),
    flags: u8,
}

/// The vocabulary by `word_key`: open addressing, at most half full, key 0
/// marks a free slot (no key is 0).
#[derive(Clone, Debug, Default)]
struct KeyTable {
    slots: Vec<(u64, u32)>,
    shift: u32,
}

impl KeyTable {
    fn build(keys: impl ExactSizeIterator<Item = (u64, u32)>) -> KeyTable {
        let size = (keys.len() * 2).next_power_of_two().max(16);
        let mut t = KeyTable {
            slots: vec![(0, 0); size],
            shift: 64 - size.trailing_zeros(),
        };
        for (k, v) in keys {
            let mut i = t.home(k);
            while t.slots[i].0 != 0 {
                i = (i + 1) & (size - 1);
            }
            t.slots[i] = (k, v);
        }
        t
    }

    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    fn get(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

/// A word's key. A word of up to seven bytes is its own key (its bytes, and
/// its length in the top byte); a longer one is a hash with the top bit set,
/// so the two kinds never meet and only a long word needs its bytes checked.
fn word_key(w: &[u8]) -> u64 {
    word_key_in(w, 0, w.len())
}

/// `word_key` of `buf[start..end]`, reading eight bytes at a time where the
/// buffer goes on far enough.
#[inline]
fn word_key_in(buf: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if len <= 7 {
        return load(buf, start, len) | (len as u64) << 56;
    }
    let mut h = len as u64;
    let mut at = start;
    while at < end {
        let n = (end - at).min(8);
        h = (h.rotate_left(5) ^ load(buf, at, n)).wrapping_mul(0x517c_c1b7_2722_0a95);
        at += n;
    }
    h | 1 << 63
}

/// `n` (at most 8) bytes of `buf` from `at`, little-endian, zero above.
#[inline]
fn load(buf: &[u8], at: usize, n: usize) -> u64 {
    if let Some(eight) = buf.get(at..at + 8) {
        let v = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        if n == 8 {
            v
        } else {
            v & ((1u64 << (8 * n)) - 1)
        }
    } else {
        buf[at..at + n]
            .iter()
            .rev()
            .fold(0u64, |k, &b| k << 8 | u64::from(b))
    }
}

/// Whether a word with `key` and bytes `w` is the vocabulary word `word`
/// whose key is `key` too.
fn same_word(key: u64, w: &[u8], word: &[u8]) -> bool {
    key >> 63 == 0 || w == word
}

const NEGATION_BEFORE: u8 = 1;
const NEGATION_AFTER: u8 = 2;
const ASPIRATION: u8 = 4;
const INTENTION: u8 = 8;
/// Set by the splitter on a word that starts with a digit, or with `x` and
/// a digit: only such a word can start a time or a count.
const NUMERIC: u8 = 16;

/// A span of the note, in bytes.
pub type Span = (u32, u32);

/// What the lexicon found in one note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteFacts {
    /// First affirmed match per category, as a span of the note.
    first: [Option<Span>; CATS],
    /// Up to three exercise phrases (sets × reps included), for quoting:
    /// see `exercise()`.
    exercise: [Span; 3],
    exercise_len: u8,
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

    /// The exercise phrases found (at most three), in note order.
    pub fn exercise(&self) -> &[Span] {
        &self.exercise[..usize::from(self.exercise_len)]
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
    /// `word_key` of the (lowercased) word.
    key: u64,
    /// Its first eight bytes, zero-padded (see `Prefix`).
    head: u64,
    start: u32,
    end: u32,
    clause: u32,
    /// The vocabulary flags of the word (negation, aspiration, intention),
    /// and `NUMERIC`.
    flags: u8,
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
        let mut vocab = FastMap::default();
        // (first-word entry, phrase) of every phrase that starts with a word.
        let mut firsts: Vec<(u32, u32)> = Vec::new();
        let mut lex = Lexicon {
            phrases: Vec::new(),
            table: KeyTable::default(),
            entries: Vec::new(),
            starts: Vec::new(),
            by_prefix: Vec::new(),
            vocab_bits: vec![0; 1024],
            prefix_starts: vec![0; 1024],
            prefix_rank: Vec::new(),
            prefix_ranges: Vec::new(),
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
                        Tok::Word(w, _) => firsts.push((lex.entry(&mut vocab, w.as_bytes()), id)),
                        Tok::Prefix(p) => {
                            let k = start_key(p.head);
                            lex.prefix_starts[k / 64] |= 1 << (k % 64);
                            lex.by_prefix.push((k as u16, p.clone(), id))
                        }
                        Tok::Gap => unreachable!("parse_phrase refuses a leading gap"),
                    }
                    let second = match toks.get(1) {
                        Some(Tok::Word(_, key)) => *key,
                        _ => 0,
                    };
                    lex.phrases.push(Phrase { cat, toks, second });
                }
            }
            for (key, list, flag) in [
                ("negation_before", &spec.negation_before, NEGATION_BEFORE),
                ("negation_after", &spec.negation_after, NEGATION_AFTER),
                ("aspiration", &spec.aspiration, ASPIRATION),
                ("intention", &spec.intention, INTENTION),
            ] {
                for w in list {
                    let toks = parse_phrase(w).map_err(|e| format!("lexicon.{key}: `{w}`: {e}"))?;
                    match toks.as_slice() {
                        [Tok::Word(one, _)] => {
                            let e = lex.entry(&mut vocab, one.as_bytes());
                            lex.entries[e as usize].flags |= flag;
                        }
                        _ => return Err(format!("lexicon.{key}: `{w}`: one plain word expected")),
                    }
                }
            }
        }
        // Stable: within a key, prefixes are tried in lexicon order.
        lex.by_prefix.sort_by_key(|p| p.0);
        let mut seen = 0;
        for bits in &lex.prefix_starts {
            lex.prefix_rank.push(seen);
            seen += bits.count_ones();
        }
        let mut at = 0;
        while at < lex.by_prefix.len() {
            let key = lex.by_prefix[at].0;
            let end = at
                + lex.by_prefix[at..]
                    .iter()
                    .take_while(|p| p.0 == key)
                    .count();
            lex.prefix_ranges.push((at as u32, end as u32));
            at = end;
        }
        lex.table = KeyTable::build(vocab.iter().map(|(w, &i)| (word_key(w), i)));
        // Stable: an entry's phrases stay in lexicon order.
        firsts.sort_by_key(|&(e, _)| e);
        let mut at = 0;
        for (e, entry) in lex.entries.iter_mut().enumerate() {
            let from = lex.starts.len() as u32;
            while let Some(&(_, id)) = firsts.get(at).filter(|f| f.0 as usize == e) {
                lex.starts.push((lex.phrases[id as usize].second, id));
                at += 1;
            }
            entry.starts = (from, lex.starts.len() as u32);
        }
        Ok(lex)
    }

    /// The index of a word's vocabulary entry, made on first use; `vocab`
    /// holds the entries by word while the lexicon is built.
    fn entry(&mut self, vocab: &mut FastMap<Box<[u8]>, u32>, w: &[u8]) -> u32 {
        let b = vocab_bit(word_key(w));
        self.vocab_bits[b / 64] |= 1 << (b % 64);
        let next = self.entries.len() as u32;
        let i = *vocab.entry(w.into()).or_insert(next);
        if i == next {
            self.entries.push(Entry {
                word: w.into(),
                ..Entry::default()
            });
        }
        i
    }

    /// Read a note: what it shows, with where.
    pub fn read(&self, note: &str) -> NoteFacts {
        self.read_some(note, true, true)
    }

    /// Read a note whose line states its minutes: what it shows, without
    /// looking for a time statement (`time` stays `None`; only N001 reads it,
    /// and only for a line without minutes).
    pub fn read_untimed(&self, note: &str) -> NoteFacts {
        self.read_some(note, true, false)
    }

    /// Read only whether a note states a time (and whether it is empty):
    /// all N001 needs of a line that is not 97530.
    pub fn read_time(&self, note: &str) -> NoteFacts {
        self.read_some(note, false, true)
    }

    fn read_some(&self, note: &str, words_too: bool, time: bool) -> NoteFacts {
        let time = if time {
            time_stated(note.as_bytes())
        } else {
            None
        };
        if !words_too {
            return NoteFacts {
                time,
                empty: !note.bytes().any(|b| b.is_ascii_alphanumeric()),
                ..NoteFacts::default()
            };
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch { low, words, hits } = &mut *s;
            split_words(note, low, words);
            let mut facts = self.read_words(low, words, hits);
            facts.time = time;
            facts
        })
    }

    fn read_words(&self, low: &[u8], words: &mut [Word], hits: &mut Vec<Hit>) -> NoteFacts {
        let mut facts = NoteFacts {
            empty: words.is_empty(),
            ..NoteFacts::default()
        };
        hits.clear();
        for i in 0..words.len() {
            let Word { key, head, .. } = words[i];
            let k = start_key(head);
            let b = vocab_bit(key);
            if self.vocab_bits[b / 64] & (1 << (b % 64)) != 0 {
                if let Some(e) = self.table.get(key) {
                    let e = &self.entries[e as usize];
                    let w = &low[words[i].start as usize..words[i].end as usize];
                    if same_word(key, w, &e.word) {
                        words[i].flags |= e.flags;
                        // The next word's key, if in the same clause (no key is 0).
                        let next = match words.get(i + 1) {
                            Some(n) if n.clause == words[i].clause => n.key,
                            _ => 0,
                        };
                        let (from, to) = e.starts;
                        for &(second, id) in &self.starts[from as usize..to as usize] {
                            if second == 0 || second == next {
                                self.match_phrase(id, i, low, words, hits);
                            }
                        }
                    }
                }
            }
            if self.prefix_starts[k / 64] & (1 << (k % 64)) == 0 {
                continue;
            }
            let below = self.prefix_starts[k / 64] & ((1u64 << (k % 64)) - 1);
            let rank = self.prefix_rank[k / 64] + below.count_ones();
            let (from, to) = self.prefix_ranges[rank as usize];
            for (_, p, id) in &self.by_prefix[from as usize..to as usize] {
                if p.starts(&words[i], low) {
                    self.try_phrase(*id, i, low, words, hits);
                }
            }
        }
        let words: &[Word] = words;
        let text = |i: usize| -> &[u8] { &low[words[i].start as usize..words[i].end as usize] };
        // Numbers and sets × reps, time statements.
        for i in 0..words.len() {
            // Only a word that starts with a digit, or x and a digit, can
            // start a time or a count.
            if words[i].flags & NUMERIC == 0 {
                continue;
            }
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
            // A time ("15 min", "x15 min", "12min") is not a count.
            if ((num || xnum) && next_is_time) || glued_time {
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
            if let Some(neg) = negatable.then(|| self.negation(h, words)).flatten() {
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
                && words[h.first - 1].flags & INTENTION != 0
            {
                continue;
            }
            if cat == Cat::Independent {
                if self.aspired(h, words) {
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
            if cat == Cat::Exercise && facts.exercise_len < 3 {
                let s = span(h);
                if !facts.exercise().iter().any(|e| e.0 <= s.0 && s.1 <= e.1) {
                    facts.exercise[usize::from(facts.exercise_len)] = s;
                    facts.exercise_len += 1;
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
        if p.second != 0
            && !words
                .get(at + 1)
                .is_some_and(|w| w.key == p.second && w.clause == words[at].clause)
        {
            return;
        }
        self.match_phrase(id, at, low, words, hits);
    }

    /// `try_phrase` once its second word is known to fit.
    fn match_phrase(&self, id: u32, at: usize, low: &[u8], words: &[Word], hits: &mut Vec<Hit>) {
        let p = &self.phrases[id as usize];
        // The caller matched the first word (by the vocabulary or a prefix).
        if let Some(last) = match_toks(&p.toks[1..], at + 1, words[at].clause, low, words) {
            hits.push(Hit {
                cat: p.cat,
                first: at,
                last,
            });
        }
    }

    /// The word that negates a hit, if one does.
    fn negation(&self, h: &Hit, words: &[Word]) -> Option<usize> {
        let clause = words[h.first].clause;
        let is_in = |flag: u8, k: usize| words[k].clause == clause && words[k].flags & flag != 0;
        (h.first.saturating_sub(3)..h.first)
            .find(|&k| is_in(NEGATION_BEFORE, k))
            .or_else(|| (h.last..(h.last + 3).min(words.len())).find(|&k| is_in(NEGATION_AFTER, k)))
    }

    fn aspired(&self, h: &Hit, words: &[Word]) -> bool {
        let clause = words[h.first].clause;
        (h.first.saturating_sub(5)..h.first)
            .any(|k| words[k].clause == clause && words[k].flags & ASPIRATION != 0)
    }
}

/// Where a vocabulary word's key sets its bit in `vocab_bits` (65,536 bits).
fn vocab_bit(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 48) as usize
}

/// The prefilter key of a word or prefix, from its `head`: its first two
/// bytes (a one-letter word: its byte and 0). A prefix of one letter would
/// need every second byte; the parser keeps prefixes to two letters or more.
fn start_key(head: u64) -> usize {
    ((head & 0xff) << 8 | (head >> 8) & 0xff) as usize
}

/// Match a phrase's words from word `at`; the index one past its last word.
/// Word by word in a loop; a gap (`~`) tries the rest of the phrase after
/// each of up to two skipped words.
fn match_toks(toks: &[Tok], at: usize, clause: u32, low: &[u8], words: &[Word]) -> Option<usize> {
    let mut at = at;
    for (j, tok) in toks.iter().enumerate() {
        let ok = match tok {
            Tok::Gap => {
                let rest = &toks[j + 1..];
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
            Tok::Word(x, key) => {
                let w = words.get(at).filter(|w| w.clause == clause)?;
                w.key == *key
                    && same_word(*key, &low[w.start as usize..w.end as usize], x.as_bytes())
            }
            Tok::Prefix(p) => {
                let w = words.get(at).filter(|w| w.clause == clause)?;
                p.starts(w, low)
            }
        };
        if !ok {
            return None;
        }
        at += 1;
    }
    Some(at)
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
        if prefix && body.len() < 2 {
            return Err("a prefix (`word*`) needs two letters or more".into());
        }
        toks.push(if prefix {
            Tok::Prefix(Prefix::new(body.as_bytes()))
        } else {
            Tok::Word(body.into(), word_key(body.as_bytes()))
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
///
/// The note is lowercased sixteen bytes at a time (`lower`) and classified
/// sixty-four at a time (`Block::of`: a bit per byte for word bytes, one
/// for punctuation); words start and end where the word bits change, and
/// only punctuation is looked at byte by byte.
fn split_words(note: &str, low: &mut Vec<u8>, words: &mut Vec<Word>) {
    words.clear();
    let bytes = note.as_bytes();
    let n = bytes.len();
    // Zeros (not word bytes) after the note up to a whole block, and eight
    // more: a block is classified whole and a word's head loaded whole.
    low.clear();
    low.resize(n.div_ceil(64) * 64 + 8, 0);
    lower(bytes, &mut low[..n]);
    // "×" (U+00D7, bytes C3 97) is a times sign: "3×10" reads "3 x10".
    if let Some(first) = memchr::memchr(0xC3, bytes) {
        for k in first..n.saturating_sub(1) {
            if bytes[k] == 0xC3 && bytes[k + 1] == 0x97 {
                low[k + 1] = b'x';
            }
        }
    }
    let mut clause = 0u32;
    // The word being read (its start), and whether the last byte of the
    // block before was a word byte.
    let mut open = 0usize;
    let mut carry = 0u64;
    for base in (0..n).step_by(64) {
        let b = Block::of(low[base..base + 64].try_into().expect("a block"));
        let before = b.word << 1 | carry;
        let starts = b.word & !before;
        let ends = !b.word & before;
        carry = b.word >> 63;
        // In byte order: a word ends on the byte after it (which may be
        // punctuation, looked at once the word is in), the next starts.
        let mut events = starts | ends | b.punct;
        while events != 0 {
            let k = events.trailing_zeros();
            events &= events - 1;
            let at = base + k as usize;
            let bit = 1u64 << k;
            if ends & bit != 0 {
                push_word(low, open, at, clause, words);
            }
            if b.punct & bit != 0 {
                clause += u32::from(ends_clause(low, at, words));
            }
            if starts & bit != 0 {
                open = at;
            }
        }
    }
    if carry != 0 {
        // A word up to the end of a note of whole blocks.
        push_word(low, open, n, clause, words);
    }
    low.truncate(n);
}

/// Add the word at `s..e` of `low` (which goes on eight bytes past it).
#[inline]
fn push_word(low: &[u8], s: usize, e: usize, clause: u32, words: &mut Vec<Word>) {
    let len = e - s;
    let first = u64::from_le_bytes(low[s..s + 8].try_into().expect("eight bytes"));
    let head = match len {
        8.. => first,
        _ => first & ((1u64 << (8 * len)) - 1),
    };
    let key = if len <= 7 {
        head | (len as u64) << 56
    } else {
        word_key_in(low, s, e)
    };
    let b0 = low[s];
    let numeric = b0.is_ascii_digit() || (b0 == b'x' && low[s + 1].is_ascii_digit());
    words.push(Word {
        key,
        head,
        start: s as u32,
        end: e as u32,
        clause,
        flags: if numeric { NUMERIC } else { 0 },
    });
}

/// Whether the punctuation byte at `k` ends a clause: `,;!?` and a line
/// end do; a full stop does unless it ends an abbreviation ("min.") or
/// stands between digits ("3.5"). `low` goes on past `k`.
fn ends_clause(low: &[u8], k: usize, words: &[Word]) -> bool {
    if low[k] != b'.' {
        return true;
    }
    let digits = k > 0 && low[k - 1].is_ascii_digit() && low[k + 1].is_ascii_digit();
    let abbrev = words.last().is_some_and(|w| {
        w.end as usize == k
            && ABBREVIATIONS
                .iter()
                .any(|a| a.as_bytes() == &low[w.start as usize..k])
    });
    !(abbrev || digits)
}

/// The bits of one 64-byte block of a lowercased note: bit `k` of `word`
/// for a word byte (`WORD`), of `punct` for `,;.!?` or a line end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Block {
    word: u64,
    punct: u64,
}

impl Block {
    /// The bits of 64 lowercased bytes, sixteen at a time.
    #[cfg(target_arch = "x86_64")]
    fn of(b: &[u8; 64]) -> Block {
        use std::arch::x86_64::*;
        let mut out = Block::default();
        for (q, chunk) in b.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is part of x86_64; the load reads the sixteen
            // bytes of `chunk` (unaligned loads are allowed).
            let (w, p) = unsafe {
                let x = _mm_loadu_si128(chunk.as_ptr().cast());
                let is = |c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
                // Lowercased bytes are below 0x80: signed compares hold.
                let within = |lo: u8, hi: u8| {
                    _mm_and_si128(
                        _mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1)),
                        _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1)),
                    )
                };
                let word = _mm_or_si128(
                    _mm_or_si128(within(b'a', b'z'), within(b'0', b'9')),
                    is(b'\''),
                );
                let punct = _mm_or_si128(
                    _mm_or_si128(
                        _mm_or_si128(is(b','), is(b';')),
                        _mm_or_si128(is(b'.'), is(b'!')),
                    ),
                    _mm_or_si128(is(b'?'), is(b'\n')),
                );
                (
                    _mm_movemask_epi8(word) as u16,
                    _mm_movemask_epi8(punct) as u16,
                )
            };
            out.word |= u64::from(w) << (16 * q);
            out.punct |= u64::from(p) << (16 * q);
        }
        out
    }

    /// The bits of 64 lowercased bytes, a byte at a time.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn of_bytewise(b: &[u8; 64]) -> Block {
        let mut out = Block::default();
        for (k, &c) in b.iter().enumerate() {
            out.word |= u64::from(WORD[usize::from(c)]) << k;
            out.punct |= u64::from(matches!(c, b',' | b';' | b'.' | b'!' | b'?' | b'\n')) << k;
        }
        out
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of(b: &[u8; 64]) -> Block {
        Block::of_bytewise(b)
    }
}

/// `LOWER` of each byte of `from`, into `to` (as long): sixteen bytes at a
/// time where it can, the rest by the table.
fn lower(from: &[u8], to: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    let done = {
        use std::arch::x86_64::*;
        let mut done = 0;
        for (src, dst) in from.chunks_exact(16).zip(to.chunks_exact_mut(16)) {
            // SAFETY: SSE2 is part of x86_64; the load and the store are of
            // the sixteen bytes of their chunks (unaligned is allowed).
            unsafe {
                let x = _mm_loadu_si128(src.as_ptr().cast());
                let upper = _mm_and_si128(
                    _mm_cmpgt_epi8(x, _mm_set1_epi8(b'A' as i8 - 1)),
                    _mm_cmplt_epi8(x, _mm_set1_epi8(b'Z' as i8 + 1)),
                );
                let x = _mm_or_si128(x, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
                // Bytes from 0x80 up (negative as signed) become spaces.
                let high = _mm_cmplt_epi8(x, _mm_setzero_si128());
                let x = _mm_or_si128(
                    _mm_andnot_si128(high, x),
                    _mm_and_si128(high, _mm_set1_epi8(b' ' as i8)),
                );
                _mm_storeu_si128(dst.as_mut_ptr().cast(), x);
            }
            done += 16;
        }
        done
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = 0;
    for (t, &f) in to[done..].iter_mut().zip(&from[done..]) {
        *t = LOWER[usize::from(f)];
    }
}

/// The top bit of each of eight bytes (little-endian) `b` with
/// `lo < b < hi` ("hasbetween" of Bit Twiddling Hacks; bytes of 0x80 and up
/// never count; `hi` at most 128). Exact byte by byte: no byte's sum or
/// difference carries into the next.
#[inline]
fn between(x: u64, lo: u8, hi: u8) -> u64 {
    const ONES: u64 = u64::MAX / 255;
    let low7 = x & (ONES * 127);
    (ONES * (127 + u64::from(hi))).wrapping_sub(low7)
        & !x
        & low7.wrapping_add(ONES * (127 - u64::from(lo)))
        & (ONES * 128)
}

/// Bytes of a word: ASCII letters and digits, and `'` (`Block::of` finds
/// them sixteen at a time on x86_64).
#[cfg(any(test, not(target_arch = "x86_64")))]
const WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'\'';
        b += 1;
    }
    t
};

/// A note byte as the reader sees it: lowercase ASCII; other bytes a space.
const LOWER: [u8; 256] = {
    let mut t = [b' '; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).to_ascii_lowercase();
        b += 1;
    }
    t
};

/// The first time statement of a note: a number (or `x` and a number) with
/// a time word ("17 minutes", "x15 min", "12min", "1 hr"), else a clock
/// range ("10:05-10:20").
fn time_stated(b: &[u8]) -> Option<Span> {
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_digit() {
            // Most of a note has no digit: look at eight bytes at a time and
            // go straight to the first digit among them, if any.
            i += match b.get(i..i + 8) {
                Some(eight) => match digit_mask(eight) {
                    0 => 8,
                    m => m.trailing_zeros() as usize / 8,
                },
                None => 1,
            };
            continue;
        }
        let x_before = i > 0 && (b[i - 1] | 0x20) == b'x';
        let s = if x_before { i - 1 } else { i };
        let boundary = s == 0 || !b[s - 1].is_ascii_alphanumeric();
        while i < n && b[i].is_ascii_digit() {
            i += 1;
        }
        if !boundary {
            continue;
        }
        let mut j = i;
        while j < n && b[j] == b' ' {
            j += 1;
        }
        let unit_start = j;
        while j < n && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        let unit = &b[unit_start..j];
        let ends = j == n || !b[j].is_ascii_alphanumeric();
        if ends
            && !unit.is_empty()
            && TIME_WORDS
                .iter()
                .any(|t| t.len() == unit.len() && t.bytes().zip(unit).all(|(a, u)| a == (u | 0x20)))
        {
            return Some((s as u32, j as u32));
        }
    }
    clock_range(b)
}

/// Whether eight bytes hold an ASCII digit.
#[cfg(test)]
fn has_digit(eight: &[u8]) -> bool {
    digit_mask(eight) != 0
}

/// The top bit of each of eight bytes (little-endian) that is an ASCII
/// digit (0x30-0x39), all at once: the lowest set bit is the first digit.
fn digit_mask(eight: &[u8]) -> u64 {
    between(
        u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])),
        0x2F,
        0x3A,
    )
}

/// "10:05-10:20" or "10:05 to 10:20": two clock times in a note.
fn clock_range(low: &[u8]) -> Option<Span> {
    let d = |k: usize| low.get(k).is_some_and(u8::is_ascii_digit);
    let mut times = Vec::new();
    for i in memchr::memchr_iter(b':', low) {
        if i > 0 && d(i - 1) && d(i + 1) && d(i + 2) && !d(i + 3) {
            let start = if i >= 2 && d(i - 2) { i - 2 } else { i - 1 };
            times.push((start as u32, (i + 3) as u32));
            if times.len() == 2 {
                break;
            }
        }
    }
    match times.as_slice() {
        // Two separate times a few bytes apart ("3:33:33" is one run of
        // digits and colons, its two matches overlap: not a range).
        [a, b] if b.0 >= a.1 && b.0 - a.1 <= 6 => Some((a.0, b.1)),
        _ => None,
    }
}

impl LexiconSpec {
    pub fn parse(text: &str) -> Result<LexiconSpec, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowercase text and words (start, end, clause, key).
    type Split = (Vec<u8>, Vec<(u32, u32, u32, u64)>);

    /// `split_words` as it was, a byte at a time (the test's reference).
    fn split_words_bytewise(note: &str) -> Split {
        let low: Vec<u8> = note.bytes().map(|b| LOWER[usize::from(b)]).collect();
        let mut low = low;
        for k in 0..note.len().saturating_sub(1) {
            if note.as_bytes()[k] == 0xC3 && note.as_bytes()[k + 1] == 0x97 {
                low[k + 1] = b'x';
            }
        }
        let (mut words, mut clause, mut i) = (Vec::new(), 0u32, 0);
        while i < low.len() {
            if WORD[usize::from(low[i])] {
                let s = i;
                while i < low.len() && WORD[usize::from(low[i])] {
                    i += 1;
                }
                words.push((s as u32, i as u32, clause, word_key(&low[s..i])));
                continue;
            }
            clause += u32::from(match low[i] {
                b',' | b';' | b'!' | b'?' | b'\n' => true,
                b'.' => {
                    let digits = i > 0
                        && low[i - 1].is_ascii_digit()
                        && low.get(i + 1).is_some_and(u8::is_ascii_digit);
                    let abbrev = words.last().is_some_and(|w: &(u32, u32, u32, u64)| {
                        w.1 as usize == i
                            && ABBREVIATIONS
                                .iter()
                                .any(|a| a.as_bytes() == &low[w.0 as usize..i])
                    });
                    !(abbrev || digits)
                }
                _ => false,
            });
            i += 1;
        }
        (low, words)
    }

    /// Around the ends of blocks: a note of every length from 1 to 200
    /// bytes, its last word running to its end, split as byte by byte.
    #[test]
    fn words_across_and_at_the_ends_of_blocks() {
        let text = "Sit-to-stand x10, min A. Pt tolerated well; 3.5 min. cues!? ok".repeat(4);
        for n in 1..=200 {
            let note = &text[..n];
            let (mut low, mut words) = (Vec::new(), Vec::new());
            split_words(note, &mut low, &mut words);
            let got: Vec<_> = words
                .iter()
                .map(|w| (w.start, w.end, w.clause, w.key))
                .collect();
            let (want_low, want) = split_words_bytewise(note);
            assert_eq!((low, got), (want_low, want), "{n} bytes: {note:?}");
        }
    }

    proptest::proptest! {
        /// Words found on a block's bits are the words found byte by byte:
        /// the same spans, clauses and keys, and the same lowercase text; a
        /// word's head is its first eight bytes. Notes run to several
        /// blocks, and may end on a block's last byte.
        #[test]
        fn words_split_as_byte_by_byte(
            note in "([A-Za-z0-9']{1,12}|[ ,;.!?\n-]|min\\.|3\\.5|×|é|\u{7f}){0,40}"
        ) {
            let (mut low, mut words) = (Vec::new(), Vec::new());
            split_words(&note, &mut low, &mut words);
            let (want_low, want) = split_words_bytewise(&note);
            proptest::prop_assert_eq!(&low, &want_low);
            let got: Vec<_> = words.iter().map(|w| (w.start, w.end, w.clause, w.key)).collect();
            proptest::prop_assert_eq!(got, want);
            for w in &words {
                let text = &low[w.start as usize..w.end as usize];
                let n = text.len().min(8);
                proptest::prop_assert_eq!(w.head, load(text, 0, n));
            }
        }

        /// A block's bits found sixteen bytes at a time are its bits found
        /// byte by byte; a note lowercased sixteen bytes at a time is the
        /// table's lowercasing.
        #[test]
        fn blocks_classify_and_lower_as_byte_by_byte(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..100)
        ) {
            let mut low = vec![0u8; bytes.len()];
            lower(&bytes, &mut low);
            let want: Vec<u8> = bytes.iter().map(|&b| LOWER[usize::from(b)]).collect();
            proptest::prop_assert_eq!(&low, &want);
            low.resize(128, 0);
            for b in low.chunks_exact(64) {
                let b: &[u8; 64] = b.try_into().unwrap();
                proptest::prop_assert_eq!(Block::of(b), Block::of_bytewise(b));
            }
        }

        /// A word's key read in place (eight bytes at a time) is the key
        /// of its bytes; keys of different words differ (short words are
        /// their own keys; long ones are compared by bytes besides).
        #[test]
        fn word_keys_read_in_place(buf in "[a-z0-9' ]{0,40}", a in 0usize..40, b in 0usize..40) {
            let buf = buf.as_bytes();
            let (a, b) = (a.min(buf.len()), b.min(buf.len()));
            let (s, e) = (a.min(b), a.max(b));
            proptest::prop_assume!(s < e);
            let w = &buf[s..e];
            proptest::prop_assert_eq!(word_key_in(buf, s, e), word_key(w));
            proptest::prop_assert_eq!(word_key_in(buf, s, e), word_key_bytewise(w));
            if w.len() <= 7 {
                let other = &buf[s..e - 1];
                proptest::prop_assert_ne!(word_key(w), word_key(other));
            }
        }

        #[test]
        fn has_digit_is_exact(bytes in proptest::array::uniform8(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(has_digit(&bytes), bytes.iter().any(u8::is_ascii_digit));
            let each: Vec<bool> = (0..8).map(|k| digit_mask(&bytes) >> (8 * k + 7) & 1 == 1).collect();
            let want: Vec<bool> = bytes.iter().map(u8::is_ascii_digit).collect();
            proptest::prop_assert_eq!(each, want);
        }

        /// The eight-at-a-time scan finds what a byte-by-byte one does.
        #[test]
        fn time_scan_skips_nothing(s in "(min|Mins|hr|hours|[0-9]{1,3}|x|[a-zA-Z]{1,9}| |:|-|\\.|é){0,40}") {
            proptest::prop_assert_eq!(time_stated(s.as_bytes()), time_stated_bytewise(s.as_bytes()));
        }
    }

    /// `word_key`, one byte at a time: the reference.
    fn word_key_bytewise(w: &[u8]) -> u64 {
        let pack = |c: &[u8]| c.iter().rev().fold(0u64, |k, &b| k << 8 | u64::from(b));
        if w.len() <= 7 {
            return pack(w) | (w.len() as u64) << 56;
        }
        let mut h = w.len() as u64;
        for c in w.chunks(8) {
            h = (h.rotate_left(5) ^ pack(c)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        h | 1 << 63
    }

    /// `time_stated` as it was before the skip: the reference.
    fn time_stated_bytewise(b: &[u8]) -> Option<Span> {
        let n = b.len();
        let mut i = 0;
        while i < n {
            if !b[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let x_before = i > 0 && (b[i - 1] | 0x20) == b'x';
            let s = if x_before { i - 1 } else { i };
            let boundary = s == 0 || !b[s - 1].is_ascii_alphanumeric();
            while i < n && b[i].is_ascii_digit() {
                i += 1;
            }
            if !boundary {
                continue;
            }
            let mut j = i;
            while j < n && b[j] == b' ' {
                j += 1;
            }
            let unit_start = j;
            while j < n && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            let unit = &b[unit_start..j];
            let ends = j == n || !b[j].is_ascii_alphanumeric();
            if ends
                && !unit.is_empty()
                && TIME_WORDS.iter().any(|t| {
                    t.len() == unit.len() && t.bytes().zip(unit).all(|(a, u)| a == (u | 0x20))
                })
            {
                return Some((s as u32, j as u32));
            }
        }
        clock_range(b)
    }

    #[test]
    fn clock_ranges() {
        let t = |s: &str| time_stated(s.as_bytes()).map(|sp| quote(s, sp).to_string());
        assert_eq!(
            t("Transfers 10:05-10:20 with CGA").as_deref(),
            Some("10:05-10:20")
        );
        assert_eq!(t("from 9:05 to 9:20").as_deref(), Some("9:05 to 9:20"));
        assert_eq!(t("at 10:05 only"), None);
        // Found by cargo-fuzz (loaders): overlapping matches underflowed.
        assert_eq!(t("3:33:33"), None);
        let lex = Lexicon::embedded();
        lex.read("Siz\0\0\0\0\u{3}3:33:33>3L NHSEn\u{8}");
    }

    #[test]
    fn times_and_counts() {
        let t = |s: &str| time_stated(s.as_bytes()).map(|sp| quote(s, sp).to_string());
        assert_eq!(t("Gait x15 min with SBA").as_deref(), Some("x15 min"));
        assert_eq!(t("12min of transfers").as_deref(), Some("12min"));
        assert_eq!(t("3x10 LAQ"), None);
        let lex = Lexicon::embedded();
        assert_eq!(lex.read("3x10 LAQ, 2 × 15 SLR").exercise().len(), 3);
        assert!(lex.read("Balance x15 min").exercise().is_empty());
    }

    #[test]
    fn a_note_read_without_its_time_reads_the_same_otherwise() {
        let lex = Lexicon::embedded();
        for note in [
            "Transfers x15 min with CGA and verbal cues; pt tolerated well.",
            "3x10 LAQ, 2 × 15 SLR for 12min, no cues needed",
            "Sit to stand 10:05-10:20, min A",
            "",
        ] {
            let full = lex.read(note);
            let untimed = lex.read_untimed(note);
            assert_eq!(untimed.time, None, "{note}");
            assert_eq!(
                NoteFacts {
                    time: None,
                    ..full.clone()
                },
                untimed,
                "{note}"
            );
            let time = lex.read_time(note);
            assert_eq!((time.time, time.empty), (full.time, full.empty), "{note}");
        }
        assert!(lex.read("Transfers x15 min").time.is_some());
    }
}
