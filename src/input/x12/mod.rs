//! The 837P reader: envelopes (ISA/GS/ST), the loop state machine and
//! claim assembly, streaming over `tokenizer`.
//!
//! Owns everything that knows X12 segment names, and the X001-X007
//! findings. A transaction's claims are held until its SE, so that a wrong
//! segment count or control number rejects every claim it touches. The
//! reader thread copies each transaction into a `TxJob` (envelopes are its
//! own); the pipeline keeps a few jobs in flight, so memory is bounded by a
//! few transactions, never the file.

mod tokenizer;

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::Arc;

pub use tokenizer::{isa_delims, text, Delims, Segment, Token, Tokenizer, ISA_LEN};

use super::{
    ClaimSource, Item, LevelCode, Limits, Party, Piece, RawClaim, RawEvent, RawSegs, ReadClaim,
    ReadStats,
};
use crate::finding::{Code, Finding, Severity};
use crate::model::{
    Available, Claim, Controls, LinePlace, Money, Origin, OriginKind, Payer, Provider, ServiceDate,
    ServiceLine, Text, Units,
};

/// Versions (GS08) this reader accepts: the 837P professional guide.
const ACCEPTED_VERSIONS: [&[u8]; 3] = [b"005010X222A1", b"005010X222A2", b"005010X222"];

/// Reads an 837P stream. Its own thread only tokenizes and follows the
/// envelopes (ISA/GS/ST/SE/GE/IEA); each transaction's segments are copied
/// into a [`TxJob`] whose loop parsing and claim assembly run wherever the
/// caller likes (`next_piece`), or in line (the iterator).
pub struct X12Reader<R> {
    tok: Tokenizer<R>,
    p: Parser,
    done: bool,
    /// Iterator mode: items of a job parsed in line, and the jobs' counts.
    queue: VecDeque<Item>,
    parsed: ReadStats,
    /// The envelope segments' elements (the tokenizer splits ids only).
    elems: Vec<(u32, u32)>,
}

impl<R: Read> X12Reader<R> {
    pub fn new(file: Arc<str>, src: R, limits: Limits) -> Self {
        let mut p = Parser::new(file, limits.keep_raw, limits.parties, limits.segments);
        p.split = true;
        p.max_held = limits.max_held;
        X12Reader {
            tok: Tokenizer::new(src, limits.max_record).lazy(),
            elems: Vec::with_capacity(32),
            p,
            done: false,
            queue: VecDeque::new(),
            parsed: ReadStats::default(),
        }
    }
}

impl<R: Read + Send> ClaimSource for X12Reader<R> {
    fn available(&self) -> Available {
        // Minutes come from MJ lines or a side file; where they do not,
        // T005 says so claim by claim.
        Available {
            notes: false,
            goals: false,
            ..Available::ALL
        }
    }

    fn stats(&self) -> ReadStats {
        let mut s = self.p.stats.clone();
        s.add(&self.parsed);
        s
    }

    fn next_piece(&mut self) -> Option<Piece> {
        self.next_piece_inner()
    }
}

impl<R: Read> Iterator for X12Reader<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            match self.next_piece_inner()? {
                Piece::Item(i) => return Some(i),
                piece => {
                    let (items, stats) = piece.into_items();
                    self.parsed.add(&stats);
                    self.queue.extend(items);
                }
            }
        }
    }
}

impl<R: Read> X12Reader<R> {
    fn next_piece_inner(&mut self) -> Option<Piece> {
        loop {
            if let Some(piece) = self.p.out.pop_front() {
                return Some(piece);
            }
            if self.done {
                return None;
            }
            if let Some(job) = &mut self.p.job {
                // The body of an open transaction, in runs, straight into
                // its job (what `Parser::segment` does with each).
                self.p.stats.records += self.tok.body_run(job);
            }
            match self.tok.next_token() {
                Token::Segment(s) => {
                    self.p.stats.records += 1;
                    // This thread reads the envelopes, and only the ids of
                    // the rest (they go to a job whole).
                    if tokenizer::is_envelope(s.id()) {
                        let full =
                            Segment::from_bytes(s.bytes, s.offset, s.delims, &mut self.elems);
                        self.p.segment(&full);
                    } else {
                        self.p.segment(&s);
                    }
                }
                Token::Garbage {
                    offset,
                    len,
                    reason,
                } => self.p.garbage(offset, len, reason),
                Token::TooLong { offset, len } => self.p.too_long(offset, len),
                Token::Unterminated { offset, len } => {
                    let msg = format!("input ends inside a segment at byte {offset} ({len} bytes with no segment terminator)");
                    self.p.close_all(offset, &msg);
                }
                Token::Eof => {
                    let err = self.tok.io_error().map(str::to_string);
                    self.p.finish(err);
                    self.done = true;
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Billing,
    Subscriber,
    Patient,
    Other,
}

struct Hl {
    level: Level,
    parent: Option<usize>,
    /// X005 for this HL (bad or missing parent, repeated id); copied onto
    /// every claim beneath it. Boxed: rare, and an HL is kept for the whole
    /// transaction (a transaction of 1,000,000 claims has as many HLs).
    problem: Option<Box<Finding>>,
    problem_used: bool,
    /// Shared with the HLs beneath (set in the billing provider's own loop;
    /// an HL is kept for the whole transaction).
    billing: Arc<Provider>,
    /// Inline text (no allocation for an id of up to 24 bytes): copied
    /// onto every claim beneath.
    member_id: Text,
    payer: Payer,
    /// The patient loop's name and id (NM1*QC), boxed: most HLs are
    /// subscribers' (and an HL is kept for the whole transaction).
    patient: Option<Box<(String, Text)>>,
    /// HL01 as a number (0 when it is not one), to name the loop.
    id: u32,
    /// Which of its level's required segments its own loop had: `SBR_SEEN`,
    /// `IL_SEEN`, `PR_SEEN` (a subscriber's), `NM1_85_SEEN` (a billing
    /// provider's).
    seen: u8,
}

/// A subscriber loop's required segments (`Hl::seen`): SBR (2000B), the
/// subscriber's NM1*IL (2010BA) and the payer's NM1*PR (2010BB); and a
/// billing provider loop's: its NM1*85 (2010AA).
const SBR_SEEN: u8 = 1;
const IL_SEEN: u8 = 2;
const PR_SEEN: u8 = 4;
const NM1_85_SEEN: u8 = 8;

/// Which loop the last segments belonged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Header,
    /// Inside an HL, before any claim (2000A-C and their 2010 loops).
    Hl,
    /// 2300 claim segments.
    Claim,
    /// 2310B rendering provider.
    ClaimRendering,
    /// Other 2310 loops, and 2320/2330 other payers: passed over.
    ClaimOther,
    /// 2400 service line.
    Line,
    /// 2420A line rendering provider.
    LineRendering,
    /// 2410, 2420B-G, 2430, 2440: passed over.
    LineOther,
}

struct Interchange {
    control: Arc<str>,
    groups: u32,
}

struct Group {
    control: Arc<str>,
    transactions: u32,
    version: Vec<u8>,
}

struct Transaction {
    control: Arc<str>,
    segments: u32,
    /// Why the transaction is skipped whole (X007), if it is.
    skip: Option<String>,
    clm_skipped: u64,
    /// Claims and findings held until SE, in input order.
    items: Vec<Item>,
    /// Findings about the whole transaction, copied onto each of its claims.
    findings: Vec<Finding>,
    hls: Vec<Hl>,
    hl_ids: HlIds,
    cur_hl: Option<usize>,
    ctx: Ctx,
    claim: Option<Box<ReadClaim>>,
    /// Keep raw segments; `raw_hl` is the item holding the current HL's.
    keep_raw: bool,
    /// Read each HL loop's party as its segments are kept (`Party`).
    parties: bool,
    /// Keep the claims' and loops' own segments, not only the structure.
    keep_segments: bool,
    raw_hl: Option<usize>,
    /// The open claim's kept segments not yet added to it: one stretch of
    /// the job's buffer `src` (from, to, segments), added when the claim
    /// ends or a segment does not follow it. A call per segment was a
    /// tenth of what keeping the structure costs the parse.
    run: (u32, u32, u32),
    /// The open claim's last service line has had its SV1.
    line_sv1: bool,
    src: Option<Arc<RawBuf>>,
    /// The place of the transaction's segments but for their number and
    /// byte (`Transaction::origin`): made once, cloned only for a place
    /// that is kept (a claim's, a line's, a finding's).
    place: Origin,
    /// `findings` are whole from the start (a job's SE, or where it was cut,
    /// read ahead: `TxJob::parse_each`): each claim takes them as it ends,
    /// and the items before `final_len` can be handed on before SE.
    findings_known: bool,
    /// Items before this are final: nothing adds to them any more.
    final_len: usize,
    /// Claims handed on already (`TxJob::parse_each`).
    claims_out: bool,
}

struct Parser {
    file: Arc<str>,
    empty: Arc<str>,
    out: VecDeque<Piece>,
    /// The reader thread's parser: transactions become jobs (`job`), not
    /// `tx`. A job's own parser has `split` off.
    split: bool,
    job: Option<TxJob>,
    spare: Spare,
    stats: ReadStats,
    isa: Option<Interchange>,
    gs: Option<Group>,
    tx: Option<Transaction>,
    /// Anything at all was read (to tell an empty file).
    seen: bool,
    keep_raw: bool,
    parties: bool,
    segments: bool,
    /// HLs and claims of the transaction to come, when known (a job).
    sizes: (usize, usize),
    /// Items a transaction's list holds at first, at most: a job parsed in
    /// parts hands its items on before the list grows past two parts.
    part_items: usize,
    /// A job's buffer, and where in it the segment being parsed stands
    /// (with its terminator): kept segments are stretches of it.
    src: Option<Arc<RawBuf>>,
    at: (u32, u32),
    /// `Limits::max_held`, for the jobs it starts.
    max_held: usize,
}

fn is(b: &[u8], s: &str) -> bool {
    b == s.as_bytes()
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Parser {
    fn new(file: Arc<str>, keep_raw: bool, parties: bool, segments: bool) -> Self {
        Parser {
            keep_raw,
            parties: keep_raw && parties,
            segments: keep_raw && segments,
            split: false,
            job: None,
            spare: Spare::default(),
            file,
            empty: Arc::from(""),
            out: VecDeque::new(),
            stats: ReadStats::default(),
            isa: None,
            gs: None,
            tx: None,
            seen: false,
            sizes: (0, 0),
            part_items: usize::MAX,
            src: None,
            at: (0, 0),
            max_held: Limits::default().max_held,
        }
    }

    /// The place of the segment at `byte`: in a transaction, its own
    /// (`Transaction::origin`), else the envelopes open around it.
    fn origin(&self, byte: u64) -> Origin {
        match &self.tx {
            Some(tx) => tx.origin(byte),
            None => self.place(self.empty.clone(), byte),
        }
    }

    /// The envelopes open now, with `st02`, at segment 0 and `byte`.
    fn place(&self, st02: Arc<str>, byte: u64) -> Origin {
        let ctl = |o: Option<&Arc<str>>| o.cloned().unwrap_or_else(|| self.empty.clone());
        Origin {
            file: self.file.clone(),
            kind: OriginKind::X12 {
                controls: Arc::new(Controls {
                    isa13: ctl(self.isa.as_ref().map(|i| &i.control)),
                    gs06: ctl(self.gs.as_ref().map(|g| &g.control)),
                    st02,
                }),
                segment: 0,
                byte,
            },
        }
    }

    fn finding(
        &self,
        code: Code,
        byte: u64,
        msg: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Finding {
        Finding::new(code, Severity::Error, msg).at(self.origin(byte))
    }

    /// Structure for the clean and rejected files, in input order.
    fn raw(&mut self, ev: RawEvent) {
        if !self.keep_raw {
            return;
        }
        match &mut self.tx {
            Some(tx) => tx.items.push(Item::Raw(ev)),
            None => self.out.push_back(Piece::Item(Item::Raw(ev))),
        }
    }

    /// A finding that belongs to no claim, in input order.
    fn emit(&mut self, f: Finding) {
        match &mut self.tx {
            Some(tx) => tx.items.push(Item::Finding(f)),
            None => self.out.push_back(Piece::Item(Item::Finding(f))),
        }
    }

    /// A transaction is open (here, or as the job being filled).
    fn in_tx(&self) -> bool {
        self.tx.is_some() || self.job.is_some()
    }

    fn segment(&mut self, s: &Segment<'_>) {
        self.seen = true;
        if let Some(job) = &mut self.job {
            // Envelope segments are this thread's; the rest is the job's.
            let id = s.id();
            if !matches!(id, b"ISA" | b"GS" | b"ST" | b"GE" | b"IEA") {
                job.push(s);
                if id == b"SE" {
                    let job = self.job.take().expect("a job is open");
                    if job.spill.is_none() {
                        job.spare.note(job.buf.len(), job.segs.len());
                    }
                    self.out.push_back(Piece::Deferred(job));
                }
                return;
            }
        }
        let id = s.id();
        if id.is_empty() {
            // Two terminators in a row: not a segment, not counted in SE01.
            let f = self.finding(
                Code::X005,
                s.offset,
                "empty segment (two segment terminators in a row)",
            );
            return match self.tx.as_mut().and_then(|t| t.claim.as_mut()) {
                Some(c) => c.findings.push(f),
                None => self.emit(f),
            };
        }
        if let Some(tx) = &mut self.tx {
            tx.segments += 1;
        }
        match id {
            b"ISA" => return self.isa(s),
            b"GS" => return self.gs(s),
            b"ST" => return self.st(s),
            b"SE" => return self.se(s),
            b"GE" => return self.ge(s),
            b"IEA" => return self.iea(s),
            _ => {}
        }
        if self.tx.is_none() {
            if is(id, "TA1") && self.gs.is_none() {
                return;
            }
            let f = self.finding(
                Code::X005,
                s.offset,
                format!(
                    "segment {} outside a transaction (no ST before it)",
                    show(id)
                ),
            );
            return self.emit(f);
        }
        let skip = self.tx.as_ref().is_some_and(|t| t.skip.is_some());
        if skip {
            if is(id, "CLM") {
                self.tx.as_mut().unwrap().clm_skipped += 1;
            }
            return;
        }
        self.body(s);
    }

    /// A segment inside an 837P transaction.
    fn body(&mut self, s: &Segment<'_>) {
        // A place (four Arc clones) is made only where it is kept: a
        // claim's, a line's, a finding's; not for every HL and SV1.
        let id = s.id();
        let tx = self.tx.as_mut().expect("inside a transaction");
        match id {
            b"HL" => {
                tx.finish_claim();
                tx.hl(s);
            }
            b"CLM" => {
                tx.finish_claim();
                tx.clm(s);
            }
            b"LX" => match &mut tx.claim {
                Some(_) => {
                    tx.line_without_sv1();
                    tx.line_sv1 = false;
                    let c = tx.claim.as_mut().expect("open");
                    let number = number(s.el(1)).unwrap_or(0);
                    c.claim.lines.push(ServiceLine {
                        number,
                        place: LinePlace::X12 {
                            segment: tx.segments,
                            byte: s.offset,
                        },
                        ..Default::default()
                    });
                    tx.ctx = Ctx::Line;
                }
                None => {
                    let f = Finding::new(
                        Code::X005,
                        Severity::Error,
                        "LX before any CLM: the service line belongs to no claim",
                    )
                    .at(tx.origin(s.offset));
                    tx.items.push(Item::Finding(f));
                    tx.ctx = Ctx::LineOther;
                }
            },
            b"SV1" => tx.sv1(s),
            _ => tx.other(s),
        }
        // The 999 alone needs no loop's segments: only those before the
        // first HL (the transaction's header) are kept for it. The 277CA
        // needs the HL loops' (their parties), not a claim's: those are
        // passed over here, not one call each (20,000 claims, 277CA alone:
        // 550.8 -> 543.0 M instructions).
        if tx.keep_raw
            && id != b"HL"
            && (tx.keep_segments || (tx.claim.is_none() && (tx.parties || tx.hls.is_empty())))
        {
            tx.keep(s, self.src.as_ref(), self.at);
        }
    }

    fn isa(&mut self, s: &Segment<'_>) {
        if self.isa.is_some() {
            let c = self.isa.as_ref().unwrap().control.clone();
            self.close_all(
                s.offset,
                &format!("interchange ISA13 {c} has no IEA before the next ISA"),
            );
        }
        self.isa = Some(Interchange {
            control: Arc::from(s.text(13).as_str()),
            groups: 0,
        });
        let eol = s.delims.eol;
        self.raw(RawEvent::Interchange {
            isa: s.bytes.to_vec(),
            delims: s.delims,
            eol,
        });
    }

    fn gs(&mut self, s: &Segment<'_>) {
        if self.in_tx() {
            self.close_tx(s.offset, "transaction has no SE before the next GS");
        }
        if let Some(g) = &self.gs {
            let msg = format!(
                "functional group GS06 {} has no GE before the next GS",
                g.control
            );
            let f = self.finding(Code::X006, s.offset, msg);
            self.emit(f);
            self.raw(RawEvent::GroupEnd);
        }
        if self.isa.is_none() {
            let f = self.finding(
                Code::X005,
                s.offset,
                "GS outside an interchange (no ISA before it)",
            );
            self.emit(f);
        }
        if let Some(i) = &mut self.isa {
            i.groups += 1;
        }
        self.gs = Some(Group {
            control: Arc::from(s.text(6).as_str()),
            transactions: 0,
            version: s.el(8).to_vec(),
        });
        self.raw(RawEvent::Group {
            gs: s.bytes.to_vec(),
        });
    }

    fn st(&mut self, s: &Segment<'_>) {
        if self.split {
            if let Some(job) = &self.job {
                let why = format!(
                    "transaction ST02 {} has no SE before the next ST",
                    job.control
                );
                self.close_tx(s.offset, &why);
            }
            if let Some(g) = &mut self.gs {
                g.transactions += 1;
            }
            let (buf, segs) = self.spare.take();
            let mut job = TxJob {
                spare: self.spare.clone(),
                file: self.file.clone(),
                keep_raw: self.keep_raw,
                parties: self.parties,
                segments: self.segments,
                isa: self.isa.as_ref().map(|i| i.control.clone()),
                gs: self
                    .gs
                    .as_ref()
                    .map(|g| (g.control.clone(), g.version.clone())),
                control: s.text(2).to_string(),
                delims: s.delims,
                buf,
                pending: 0,
                segs,
                base: s.offset,
                far: Vec::new(),
                long: Vec::new(),
                end: None,
                hls: 0,
                clms: 0,
                empty: 0,
                limit: self.max_held.min(LONG as usize),
                spill: None,
            };
            job.push(s);
            self.job = Some(job);
            return;
        }
        if self.tx.is_some() {
            let c = self.tx.as_ref().unwrap().control.clone();
            self.close_tx(
                s.offset,
                &format!("transaction ST02 {c} has no SE before the next ST"),
            );
        }
        let mut findings = Vec::new();
        let skip = match &self.gs {
            None => {
                findings.push(self.finding(
                    Code::X005,
                    s.offset,
                    "ST outside a functional group (no GS before it)",
                ));
                None
            }
            Some(g) if !ACCEPTED_VERSIONS.contains(&g.version.as_slice()) => Some(format!(
                "GS08 `{}` is not 005010X222A1/A2 (837P 5010)",
                show(&g.version)
            )),
            Some(_) => None,
        };
        let skip = skip.or_else(|| {
            if !is(s.el(1), "837") {
                Some(format!("ST01 `{}` is not 837", show(s.el(1))))
            } else if !s.el(3).is_empty() && !s.el(3).starts_with(b"005010X222") {
                Some(format!(
                    "ST03 `{}` is not 005010X222A1/A2 (837P 5010)",
                    show(s.el(3))
                ))
            } else {
                None
            }
        });
        if let Some(g) = &mut self.gs {
            g.transactions += 1;
        }
        let control: Arc<str> = Arc::from(s.text(2).as_str());
        let place = self.place(control.clone(), 0);
        self.tx = Some(Transaction {
            control,
            segments: 1,
            skip,
            clm_skipped: 0,
            // A claim is an item; with its structure kept, so is each HL.
            items: Vec::with_capacity(
                (self.sizes.1 + if self.keep_raw { self.sizes.0 + 2 } else { 0 })
                    .min(self.part_items),
            ),
            findings: Vec::new(),
            hls: Vec::with_capacity(self.sizes.0),
            hl_ids: HlIds::with_capacity(self.sizes.0),
            cur_hl: None,
            ctx: Ctx::Header,
            claim: None,
            keep_raw: self.keep_raw,
            parties: self.parties,
            keep_segments: self.segments,
            raw_hl: None,
            run: (0, 0, 0),
            line_sv1: true,
            src: self.src.clone(),
            findings_known: false,
            final_len: 0,
            claims_out: false,
            place,
        });
        let mut header = RawSegs::default();
        keep_in(&mut header, s.bytes, &s.delims, self.src.as_ref(), self.at);
        self.raw(RawEvent::Transaction { segments: header });
        // Findings made before the transaction existed carry no ST02: redo them.
        let origin = self.origin(s.offset);
        let tx = self.tx.as_mut().unwrap();
        for mut f in findings {
            f.origin = Some(origin.clone());
            tx.findings.push(f);
        }
    }

    fn se(&mut self, s: &Segment<'_>) {
        let Some(tx) = &self.tx else {
            let f = self.finding(
                Code::X005,
                s.offset,
                "SE with no open transaction (no ST before it)",
            );
            return self.emit(f);
        };
        if !tx.findings_known {
            let count = tx.segments;
            let found = self.se_findings(s, count);
            self.tx.as_mut().unwrap().findings.extend(found);
        }
        self.end_tx(s.offset);
    }

    /// X003 and X002: what SE `s` says against the open transaction, which
    /// holds `count` segments to SE.
    fn se_findings(&mut self, s: &Segment<'_>, count: u32) -> Vec<Finding> {
        let tx = self.tx.as_mut().expect("a transaction is open");
        // The findings' place is SE's: the segment number `count`.
        let held = std::mem::replace(&mut tx.segments, count);
        let mut found = Vec::new();
        let declared = s.text(1);
        if declared.parse::<u32>().ok() != Some(count) {
            let msg = format!("SE01 says {declared} segments; ST to SE holds {count}");
            found.push(self.finding(Code::X003, s.offset, msg));
        }
        let st02 = self.tx.as_ref().unwrap().control.clone();
        if *s.text(2) != *st02 {
            let msg = format!("SE02 `{}` does not match ST02 `{st02}`", s.text(2));
            found.push(self.finding(Code::X002, s.offset, msg));
        }
        self.tx.as_mut().unwrap().segments = held;
        found
    }

    /// X006 for the open transaction, cut short at `byte` after `count`
    /// segments.
    fn cut_finding(&mut self, byte: u64, why: &str, count: u32) -> Finding {
        let tx = self.tx.as_mut().expect("a transaction is open");
        // The finding's place is the cut's: the segment number `count`.
        let held = std::mem::replace(&mut tx.segments, count);
        let msg = format!("transaction ST02 {} is not whole: {why}", tx.control);
        let f = self.finding(Code::X006, byte, msg);
        self.tx.as_mut().unwrap().segments = held;
        f
    }

    fn ge(&mut self, s: &Segment<'_>) {
        if self.in_tx() {
            self.close_tx(s.offset, "transaction has no SE before GE");
        }
        let Some(g) = &self.gs else {
            let f = self.finding(
                Code::X005,
                s.offset,
                "GE with no open functional group (no GS before it)",
            );
            return self.emit(f);
        };
        let mut fs = Vec::new();
        let declared = s.text(1);
        if declared.parse::<u32>().ok() != Some(g.transactions) {
            let msg = format!(
                "GE01 says {declared} transactions; group GS06 {} holds {}",
                g.control, g.transactions
            );
            fs.push(self.finding(Code::X004, s.offset, msg));
        }
        if *s.text(2) != *g.control {
            let msg = format!("GE02 `{}` does not match GS06 `{}`", s.text(2), g.control);
            fs.push(self.finding(Code::X002, s.offset, msg));
        }
        fs.into_iter().for_each(|f| self.emit(f));
        self.raw(RawEvent::GroupEnd);
        self.gs = None;
    }

    fn iea(&mut self, s: &Segment<'_>) {
        if self.in_tx() {
            self.close_tx(s.offset, "transaction has no SE before IEA");
        }
        if let Some(g) = &self.gs {
            let msg = format!("functional group GS06 {} has no GE before IEA", g.control);
            let f = self.finding(Code::X006, s.offset, msg);
            self.emit(f);
            self.raw(RawEvent::GroupEnd);
            self.gs = None;
        }
        let Some(i) = &self.isa else {
            let f = self.finding(Code::X005, s.offset, "IEA with no open interchange");
            return self.emit(f);
        };
        let mut fs = Vec::new();
        let declared = s.text(1);
        if declared.parse::<u32>().ok() != Some(i.groups) {
            let msg = format!(
                "IEA01 says {declared} groups; interchange ISA13 {} holds {}",
                i.control, i.groups
            );
            fs.push(self.finding(Code::X004, s.offset, msg));
        }
        if *s.text(2) != *i.control {
            let msg = format!("IEA02 `{}` does not match ISA13 `{}`", s.text(2), i.control);
            fs.push(self.finding(Code::X002, s.offset, msg));
        }
        fs.into_iter().for_each(|f| self.emit(f));
        self.raw(RawEvent::InterchangeEnd);
        self.isa = None;
    }

    /// Close the open transaction as cut short: X006 on each of its claims.
    fn close_tx(&mut self, byte: u64, why: &str) {
        if let Some(mut job) = self.job.take() {
            job.end = Some((byte, why.to_string()));
            self.out.push_back(Piece::Deferred(job));
            return;
        }
        if let Some(tx) = &self.tx {
            if !tx.findings_known {
                let count = tx.segments;
                let f = self.cut_finding(byte, why, count);
                self.tx.as_mut().unwrap().findings.push(f);
            }
            self.end_tx(byte);
        }
    }

    /// Close the transaction: settle its findings onto its claims and hand
    /// everything on in input order.
    fn end_tx(&mut self, byte: u64) {
        let Some(mut tx) = self.tx.take() else { return };
        tx.finish_claim();
        if let Some(why) = &tx.skip {
            self.stats.transactions_skipped += 1;
            self.stats.claims_skipped += tx.clm_skipped;
            let msg = format!(
                "transaction ST02 {} skipped: {why}; {} claim(s) in it not checked",
                tx.control, tx.clm_skipped
            );
            let mut f = Finding::new(Code::X007, Severity::Error, msg);
            f.origin = Some(Origin {
                kind: match self.origin(byte).kind {
                    OriginKind::X12 { controls, byte, .. } => OriginKind::X12 {
                        controls: Arc::new(Controls {
                            st02: tx.control.clone(),
                            ..(*controls).clone()
                        }),
                        segment: 1,
                        byte,
                    },
                    k => k,
                },
                file: self.file.clone(),
            });
            tx.findings.insert(0, f);
        }
        // HL problems that no claim carried are still reported.
        for hl in &mut tx.hls {
            if let (Some(p), false) = (&hl.problem, hl.problem_used) {
                tx.items.push(Item::Finding((**p).clone()));
            }
        }
        let has_claims = tx.claims_out || tx.items.iter().any(|i| matches!(i, Item::Claim(_)));
        if !has_claims {
            for f in tx.findings.drain(..) {
                self.out.push_back(Piece::Item(Item::Finding(f)));
            }
        } else if !tx.findings_known {
            // (Read ahead, each claim took them as it ended.)
            for item in &mut tx.items {
                if let Item::Claim(c) = item {
                    c.findings.extend(tx.findings.iter().cloned());
                }
            }
        }
        if self.keep_raw {
            tx.items.push(Item::Raw(RawEvent::TransactionEnd));
        }
        self.out.push_back(Piece::Items(tx.items));
    }

    /// Close whatever is open (the input stopped or was cut): X006.
    fn close_all(&mut self, byte: u64, why: &str) {
        if self.in_tx() {
            self.close_tx(byte, why);
        }
        if let Some(g) = &self.gs {
            let msg = format!("functional group GS06 {} is not whole: {why}", g.control);
            let f = self.finding(Code::X006, byte, msg);
            self.emit(f);
            self.raw(RawEvent::GroupEnd);
            self.gs = None;
        }
        if let Some(i) = &self.isa {
            let msg = format!("interchange ISA13 {} is not whole: {why}", i.control);
            let f = self.finding(Code::X006, byte, msg);
            self.emit(f);
            self.raw(RawEvent::InterchangeEnd);
            self.isa = None;
        }
    }

    fn garbage(&mut self, offset: u64, len: u64, reason: String) {
        if self.isa.is_some() {
            self.close_all(offset, "unreadable data follows");
        }
        self.seen = true;
        let f = self.finding(Code::X001, offset, format!("{reason}; {len} bytes skipped"));
        self.emit(f);
    }

    fn too_long(&mut self, offset: u64, len: u64) {
        if let Some(job) = &mut self.job {
            job.too_long(offset, len);
            return;
        }
        let msg = format!(
            "segment at byte {offset} is {len} bytes, over the segment size limit: skipped"
        );
        let f = self.finding(Code::X005, offset, msg);
        match self.tx.as_mut().and_then(|t| {
            t.segments += 1;
            t.claim.as_mut()
        }) {
            Some(c) => c.findings.push(f),
            None => self.emit(f),
        }
    }

    fn finish(&mut self, io_error: Option<String>) {
        if let Some(e) = io_error {
            self.close_all(0, &format!("read error: {e}"));
            let f = self.finding(Code::X006, 0, format!("read error: {e}"));
            self.emit(f);
            return;
        }
        if !self.seen {
            let f = Finding::new(Code::X001, Severity::Error, "empty input: no interchange")
                .at(Origin::file(self.file.clone()));
            self.out.push_back(Piece::Item(Item::Finding(f)));
        }
        self.close_all(0, "the input ends here");
    }
}

/// One transaction's input (ST up to SE, or up to where it was cut short),
/// copied by the reader thread, parsed by whichever thread takes the job.
pub struct TxJob {
    spare: Spare,
    file: Arc<str>,
    keep_raw: bool,
    parties: bool,
    segments: bool,
    /// ISA13, and GS06 with GS08, of the envelopes around it (if open).
    isa: Option<Arc<str>>,
    gs: Option<(Arc<str>, Vec<u8>)>,
    /// ST02, for the reader's own messages.
    control: String,
    delims: Delims,
    /// The segments held, each followed by its terminator and line end
    /// (so that a run of segments laid out that way in the input is
    /// copied in one piece: `BodySink`).
    buf: Vec<u8>,
    /// Bytes of segments told to `laid_out` that their `run` has not
    /// brought yet (they follow `buf`).
    pending: usize,
    segs: Vec<Seg>,
    /// Where ST starts in the input: a segment's offset is told from it.
    base: u64,
    /// The offsets of segments `FAR` from `base`, in order.
    far: Vec<u64>,
    /// The lengths of the segments skipped as too long, in order.
    long: Vec<u64>,
    /// Where and why the transaction was cut short (no SE).
    end: Option<(u64, String)>,
    /// HL and CLM segments in it, counted as they are pushed: the parser
    /// sizes its lists once (growing them copied a transaction's HLs and
    /// claims over and over).
    hls: usize,
    clms: usize,
    /// Segments with no id (two terminators in a row): not counted in SE01.
    empty: u32,
    /// Where `push_bytes` turns to `push_far`: at `Limits::max_held` bytes
    /// (the job then goes to a scratch file, so that memory does not grow
    /// with the largest transaction: one of 1,000,000 claims, 435 MB, held
    /// whole peaked at 1.0 GB; 5,000 claims are about 2 MB); 0 once it is
    /// there; `LONG` where no file could be made.
    limit: usize,
    /// The transaction's segments in a scratch file, once past `SPILL_AT`.
    spill: Option<Box<Spilled>>,
}

/// Bytes written to a scratch file at a time, and read back at a time
/// (small in unit tests: many blocks and windows, claims across them).
const SPILL_BLOCK: usize = if cfg!(test) { 100 } else { 1 << 20 };
const SPILL_WINDOW: usize = if cfg!(test) { 64 } else { 4 << 20 };

/// A transaction's segments in a scratch file (`crate::scratch`), in input
/// order: each as its bytes, the segment terminator and, when the raw
/// segments are kept, the line end (`TxJob::tail`), so that they split
/// again at the terminators. A segment skipped as too long is not in it.
struct Spilled {
    file: std::fs::File,
    /// Bytes not written yet.
    staged: Vec<u8>,
    /// Bytes in the file.
    written: u64,
    /// Segments pushed, the too long ones included.
    count: u32,
    /// Where the next segment starts in the input if it follows the last
    /// one (past its terminator and the usual line end), and the segments
    /// that start elsewhere: (number, offset).
    next: u64,
    jumps: Vec<(u32, u64)>,
    /// Numbers of the segments skipped as too long (their lengths are in
    /// `TxJob::long`).
    longs: Vec<u32>,
    /// SE: its bytes and offset, for the findings read ahead.
    se: Option<(Vec<u8>, u64)>,
    /// A write failed (the disk is full, say): the file holds what was
    /// written before, and `staged` the rest of the transaction, in memory
    /// as if there were no file (its claims are not lost to a full disk).
    failed: bool,
}

impl Spilled {
    /// The place of segment number `count` at `offset`, `len` bytes long.
    fn place(&mut self, offset: u64, len: usize, eol: usize) {
        if offset != self.next {
            self.jumps.push((self.count, offset));
        }
        self.next = offset + (len + 1 + eol) as u64;
        self.count += 1;
    }

    /// Add a segment's bytes, its terminator and (`eol`) the line end; a
    /// block written out when full, unless the file failed (then the rest
    /// stays here).
    fn stage(&mut self, bytes: &[u8], d: &Delims, eol: bool) {
        self.staged.extend_from_slice(bytes);
        self.staged.push(d.segment);
        if eol {
            self.staged.extend_from_slice(d.eol);
        }
        if self.staged.len() >= SPILL_BLOCK && !self.failed {
            self.failed = self.flush().is_err();
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        use std::io::Write;
        self.file.write_all(&self.staged)?;
        self.written += self.staged.len() as u64;
        self.staged.clear();
        Ok(())
    }
}

/// Buffers of parsed jobs, handed back to the reader for the next ones: a
/// transaction's copy then costs no fresh pages (zeroing them showed in the
/// profile at a tenth of the run).
/// (With the clean and rejected files, a job's bytes come back only when
/// the last claim kept from them is written.)
#[derive(Clone, Default)]
struct Spare(Arc<std::sync::Mutex<Pools>>);

/// Spare segment bytes, spare lists of segment places, and the largest
/// job's bytes and segments so far (`Spare::note`).
type Pools = (Vec<Vec<u8>>, Vec<Vec<Seg>>, (usize, usize));

impl Spare {
    /// Kept at most: enough for the jobs in flight.
    const KEEP: usize = 4;
    /// Buffers larger than this go back to the allocator.
    const MAX_BYTES: usize = 32 << 20;

    /// A job's segment bytes and their places: spare ones, else new ones
    /// the size of the largest job so far. (With the clean and rejected
    /// files few buffers come back in time; grown by doubling from a small
    /// start, each new one was copied some six times: 15 M instructions of a
    /// 20,000-claim run.)
    fn take(&self) -> (Vec<u8>, Vec<Seg>) {
        let (buf, segs, (bytes, count)) = match self.0.lock() {
            Ok(mut v) => (v.0.pop(), v.1.pop(), v.2),
            Err(_) => (None, None, (0, 0)),
        };
        (
            buf.unwrap_or_else(|| Vec::with_capacity(bytes.clamp(64 << 10, Self::MAX_BYTES))),
            segs.unwrap_or_else(|| {
                Vec::with_capacity(count.clamp(1024, Self::MAX_BYTES / size_of::<Seg>()))
            }),
        )
    }

    /// A job is complete with `bytes` of segments, `count` of them.
    fn note(&self, bytes: usize, count: usize) {
        if let Ok(mut v) = self.0.lock() {
            v.2 = (v.2 .0.max(bytes), v.2 .1.max(count));
        }
    }

    fn give_bytes(&self, mut buf: Vec<u8>) {
        if buf.capacity() > Self::MAX_BYTES {
            return;
        }
        buf.clear();
        if let Ok(mut v) = self.0.lock() {
            if v.0.len() < Self::KEEP {
                v.0.push(buf);
            }
        }
    }

    fn give_segs(&self, mut segs: Vec<Seg>) {
        segs.clear();
        if let Ok(mut v) = self.0.lock() {
            if v.1.len() < Self::KEEP {
                v.1.push(segs);
            }
        }
    }
}

/// A segment of a job: its bytes end at `end` in the buffer and start where
/// the one before ended; it starts at `at` past the job's `base` in the
/// input. 8 bytes a segment (a 5,000-claim transaction has 90,000 of them;
/// with its offset in full and a flag, 16 were more than a third of the
/// memory of the jobs in flight).
#[derive(Clone, Copy)]
struct Seg {
    at: u32,
    /// The end, and `LONG` if it was skipped as over the size limit (its
    /// length is in `TxJob::long`).
    end: u32,
}

/// `Seg::end`'s flag of a segment skipped as too long.
const LONG: u32 = 1 << 31;
/// `Seg::at` of a segment 4 GiB or more past the job's start (its offset is
/// in `TxJob::far`).
const FAR: u32 = u32::MAX;

impl Seg {
    fn end(self) -> usize {
        (self.end & !LONG) as usize
    }

    fn long(self) -> bool {
        self.end & LONG != 0
    }
}

/// The body of a transaction, from the tokenizer: a run of segments laid
/// out as `buf` holds them is copied in one piece (copied one by one, with
/// their terminators put back, they were a tenth of an 837P run's
/// instructions, in `push_bytes` and its copy calls).
impl tokenizer::BodySink for TxJob {
    #[inline]
    fn laid_out(&mut self, len: usize, id: &[u8], offset: u64) -> bool {
        let tail = self.tail();
        let end = self.buf.len() + self.pending + len;
        if end + tail >= self.limit {
            return false;
        }
        let at = self.at(offset);
        self.segs.push(Seg {
            at,
            end: end as u32,
        });
        self.pending += len + tail;
        self.count(id);
        true
    }

    #[inline]
    fn run(&mut self, bytes: &[u8]) {
        debug_assert_eq!(bytes.len(), self.pending);
        self.buf.extend_from_slice(bytes);
        self.pending = 0;
    }

    #[inline]
    fn segment(&mut self, bytes: &[u8], id: &[u8], offset: u64) {
        debug_assert_eq!(self.pending, 0);
        self.push_bytes(bytes, id, offset);
    }
}

impl TxJob {
    /// Counted as pushed: the HL and CLM segments (to size the parser's
    /// lists) and those with no id.
    #[inline]
    fn count(&mut self, id: &[u8]) {
        match id {
            b"HL" => self.hls += 1,
            b"CLM" => self.clms += 1,
            b"" => self.empty += 1,
            _ => {}
        }
    }

    /// Kept with its terminator and line end (the raw segments are
    /// written from this buffer as they stand).
    fn push(&mut self, s: &Segment<'_>) {
        self.push_bytes(s.bytes, s.id(), s.offset);
    }

    /// `push`, of a segment's bytes (without terminator), id and offset.
    fn push_bytes(&mut self, bytes: &[u8], id: &[u8], offset: u64) {
        let tail = self.tail();
        let end = self.buf.len() + bytes.len();
        if end + tail >= self.limit {
            return self.push_far(bytes, id, offset);
        }
        let end = end as u32;
        self.buf.extend_from_slice(bytes);
        // Fixed-size pushes for the usual line ends (none, LF, CRLF): no
        // copy call per segment for one to three bytes.
        let t = self.delims.segment;
        match *self.delims.eol {
            [] => self.buf.push(t),
            [a] => self.buf.extend_from_slice(&[t, a]),
            [a, b] => self.buf.extend_from_slice(&[t, a, b]),
            ref long => {
                self.buf.push(t);
                self.buf.extend_from_slice(long);
            }
        }
        let at = self.at(offset);
        self.segs.push(Seg { at, end });
        self.count(id);
    }

    /// `push_bytes` past `limit`: into the scratch file (made now if it is
    /// not yet), else, past 2 GiB in memory, told as too long.
    #[cold]
    #[inline(never)]
    fn push_far(&mut self, bytes: &[u8], id: &[u8], offset: u64) {
        if self.spill.is_none() && self.limit < LONG as usize {
            self.start_spill();
        }
        let Some(sp) = self.spill.as_mut() else {
            if self.buf.len() + bytes.len() + self.tail() >= LONG as usize {
                // A transaction past 2 GiB: what does not fit is told as too long.
                return self.too_long(offset, bytes.len() as u64);
            }
            // No scratch file could be made: held in memory (`limit` is
            // `LONG` now).
            return self.push_bytes(bytes, id, offset);
        };
        let d = self.delims;
        sp.place(offset, bytes.len(), d.eol.len());
        if id == b"SE" {
            sp.se = Some((bytes.to_vec(), offset));
        }
        sp.stage(bytes, &d, self.keep_raw);
        self.count(id);
    }

    /// Move what is held to a scratch file, and the rest of the transaction
    /// after it (`push_far`); where none can be made, it all stays here.
    fn start_spill(&mut self) {
        self.limit = LONG as usize;
        let Some(file) = crate::scratch::file() else {
            return;
        };
        let mut sp = Box::new(Spilled {
            file,
            staged: Vec::with_capacity(SPILL_BLOCK + (64 << 10)),
            written: 0,
            count: 0,
            next: self.base,
            jumps: Vec::new(),
            longs: Vec::new(),
            se: None,
            failed: false,
        });
        let (d, tail) = (self.delims, self.tail());
        let (mut start, mut far, mut long) = (0, self.far.iter(), self.long.iter());
        for &seg in &self.segs {
            let offset = self.offset(seg, &mut far);
            if seg.long() {
                let len = long.next().copied().unwrap_or(0);
                sp.longs.push(sp.count);
                sp.place(offset, len as usize, d.eol.len());
                continue;
            }
            let end = seg.end();
            sp.place(offset, end - start, d.eol.len());
            sp.stage(&self.buf[start..end], &d, self.keep_raw);
            start = end + tail;
        }
        // The memory goes back: a transaction this large is rare.
        self.buf = Vec::new();
        self.segs = Vec::new();
        self.far = Vec::new();
        self.spill = Some(sp);
        // Every segment from here goes through `push_far`.
        self.limit = 0;
    }

    fn too_long(&mut self, offset: u64, len: u64) {
        if let Some(sp) = &mut self.spill {
            sp.longs.push(sp.count);
            sp.place(offset, len as usize, self.delims.eol.len());
            self.long.push(len);
            return;
        }
        let end = self.segs.last().map_or(0, |s| s.end & !LONG);
        let at = self.at(offset);
        self.segs.push(Seg {
            at,
            end: end | LONG,
        });
        self.long.push(len);
    }

    /// A segment's `Seg::at` for its `offset` (kept in `far` if `FAR`).
    fn at(&mut self, offset: u64) -> u32 {
        match u32::try_from(offset.wrapping_sub(self.base)) {
            Ok(at) if at != FAR && offset >= self.base => at,
            _ => {
                self.far.push(offset);
                FAR
            }
        }
    }

    /// The offset of `seg`, the `far` ones taken in order from `far`.
    fn offset(&self, seg: Seg, far: &mut std::slice::Iter<'_, u64>) -> u64 {
        if seg.at == FAR {
            far.next().copied().unwrap_or(self.base)
        } else {
            self.base + u64::from(seg.at)
        }
    }

    /// What follows each segment in `buf`: its terminator and line end.
    fn tail(&self) -> usize {
        1 + self.delims.eol.len()
    }

    /// What follows each segment in the scratch file: its terminator, and
    /// the line end when the raw segments are kept.
    fn spill_tail(&self) -> usize {
        if self.keep_raw {
            1 + self.delims.eol.len()
        } else {
            1
        }
    }

    /// Input bytes held (to size batches).
    pub fn weight(&self) -> usize {
        let spilled = self
            .spill
            .as_ref()
            .map_or(0, |sp| sp.written as usize + sp.staged.len());
        self.buf.len() + self.segs.len() * 2 + spilled
    }

    /// Parse the transaction: its claims and findings in input order (with
    /// its structure when kept), and the counts it adds.
    pub fn parse(self) -> (Vec<Item>, ReadStats) {
        let mut items = Vec::new();
        let stats = self.parse_each(usize::MAX, |mut part| {
            if items.is_empty() {
                items = part;
            } else {
                items.append(&mut part);
            }
        });
        (items, stats)
    }

    /// `parse`, its items handed to `each` in input order, in parts as they
    /// become final (at least `part` items each but the last), so that a
    /// transaction's claims need not all be held at once: its SE (or where
    /// it was cut) is read first, for the findings about the whole
    /// transaction that each of its claims carries. `usize::MAX`: one part.
    pub fn parse_each(mut self, part: usize, mut each: impl FnMut(Vec<Item>)) -> ReadStats {
        // Fresh copies of the shared names: every origin clones them, and
        // an Arc counted from two threads at once costs a cache line's trip.
        let own = |a: &Arc<str>| Arc::<str>::from(&**a);
        let mut p = Parser::new(own(&self.file), self.keep_raw, self.parties, self.segments);
        p.seen = true;
        p.sizes = (self.hls, self.clms);
        p.part_items = part.saturating_mul(2);
        p.isa = self.isa.as_ref().map(|control| Interchange {
            control: own(control),
            groups: 1,
        });
        p.gs = self.gs.as_ref().map(|(control, version)| Group {
            control: own(control),
            transactions: 0,
            version: version.clone(),
        });
        let mut parts = Parts {
            part,
            ahead: false,
            due: 0,
        };
        if let Some(sp) = self.spill.take() {
            self.parse_spilled(*sp, &mut p, &mut parts, &mut each);
        } else {
            self.parse_held(&mut p, &mut parts, &mut each);
        }
        if let Some((byte, why)) = &self.end {
            p.close_tx(*byte, why);
        }
        p.src = None;
        self.spare.give_segs(std::mem::take(&mut self.segs));
        // Most often one piece: the transaction's items, taken as they are.
        let mut items = Vec::new();
        for piece in p.out {
            match piece {
                Piece::Items(v) if items.is_empty() => items = v,
                piece => items.extend(piece_items(piece)),
            }
        }
        each(items);
        p.stats
    }

    /// `parse_each` of a job held in memory.
    fn parse_held(&mut self, p: &mut Parser, parts: &mut Parts, each: &mut impl FnMut(Vec<Item>)) {
        let tail = self.tail();
        let buf = Arc::new(RawBuf {
            bytes: std::mem::take(&mut self.buf),
            spare: self.spare.clone(),
        });
        if self.keep_raw {
            p.src = Some(buf.clone());
        }
        let mut elems = Vec::with_capacity(32);
        // Checked once for the whole transaction (a few words a cycle): an
        // element of an ASCII buffer is text as it is.
        let ascii = buf.bytes.is_ascii();
        let (mut start, mut long, mut far) = (0usize, self.long.iter(), self.far.iter());
        for &seg in &self.segs {
            let end = seg.end();
            let offset = self.offset(seg, &mut far);
            if seg.long() {
                p.too_long(offset, long.next().copied().unwrap_or(0));
            } else {
                let bytes = &buf.bytes[start..end];
                let s = if ascii {
                    // SAFETY: the whole buffer is ASCII (checked above), so
                    // is this stretch of it.
                    unsafe {
                        Segment::from_ascii_in(
                            &buf.bytes,
                            start,
                            end,
                            offset,
                            self.delims,
                            &mut elems,
                        )
                    }
                } else {
                    Segment::from_bytes(bytes, offset, self.delims, &mut elems)
                };
                p.at = (start as u32, (end + tail) as u32);
                p.segment(&s);
                start = end + tail;
            }
            parts.after(p, each, |p| {
                // SE is the last segment: where the one before it ended (a
                // segment too long ends where the one before it did), past
                // its terminator. A far offset is the last of `far`.
                let se = match (&self.end, self.segs.last()) {
                    (None, Some(&se)) => {
                        let from = match self.segs.len() {
                            1 => 0,
                            n => self.segs[n - 2].end() + tail,
                        };
                        let far = &self.far[self.far.len().saturating_sub(1)..];
                        let offset = self.offset(se, &mut far.iter());
                        Some((&buf.bytes[from..se.end()], offset))
                    }
                    _ => None,
                };
                read_ahead(self, p, se, self.segs.len() as u32)
            });
        }
    }

    /// `parse_each` of a job in a scratch file: read back in windows of
    /// whole segments, each a buffer of its own (a claim across two is
    /// kept as two stretches).
    fn parse_spilled(
        &mut self,
        mut sp: Spilled,
        p: &mut Parser,
        parts: &mut Parts,
        each: &mut impl FnMut(Vec<Item>),
    ) {
        use std::io::{Read, Seek};
        if !sp.failed {
            // The last block; where the file fails, it stays in memory.
            sp.failed = sp.flush().is_err();
        }
        // What the file does not hold is read after it, from memory.
        let mut staged = std::mem::take(&mut sp.staged);
        let (tail, d) = (self.spill_tail(), self.delims);
        let eol = d.eol.len();
        let mut file = &sp.file;
        let mut left = sp.written;
        let mut lost = None;
        if let Err(e) = file.rewind() {
            lost = Some(format!("its scratch file could not be read back ({e})"));
            left = 0;
        }
        let (mut jumps, mut longs) = (sp.jumps.iter().peekable(), sp.longs.iter().peekable());
        let mut lens = self.long.iter();
        let (mut number, mut next) = (0u32, self.base);
        // The offset of segment `number` (`len` bytes long), and the next's.
        let mut place = |number: u32, len: usize| {
            let offset = match jumps.peek() {
                Some(&&(n, at)) if n == number => {
                    jumps.next();
                    at
                }
                _ => next,
            };
            next = offset + (len + 1 + eol) as u64;
            offset
        };
        let mut elems = Vec::with_capacity(32);
        let mut carry: Vec<u8> = Vec::new();
        // The transaction's own findings, read ahead (`Parts::after`).
        let se = sp.se.as_ref().map(|(b, o)| (&b[..], *o));
        let ahead = |p: &mut Parser| read_ahead(self, p, se, sp.count);
        // Segments skipped as too long stand between those in the file:
        // those before segment `number`.
        macro_rules! longs_before {
            () => {
                while longs.peek() == Some(&&number) {
                    longs.next();
                    let len = lens.next().copied().unwrap_or(0);
                    let offset = place(number, len as usize);
                    p.too_long(offset, len);
                    number += 1;
                    parts.after(p, each, ahead);
                }
            };
        }
        loop {
            longs_before!();
            if lost.is_some() || (left == 0 && carry.is_empty() && staged.is_empty()) {
                break;
            }
            // A window: what the last one left, then more of the file, up
            // to the end of its last whole segment; past the file, the
            // segments held in memory (whole: a block ends after one).
            let room = (SPILL_WINDOW as u64).min(left) as usize + carry.len();
            let mut window = Vec::with_capacity(room);
            window.append(&mut carry);
            let mut cut = 0;
            if left == 0 && window.is_empty() {
                window = std::mem::take(&mut staged);
                cut = window.len();
            }
            while cut == 0 {
                let want = (SPILL_WINDOW as u64).min(left) as usize;
                let have = window.len();
                window.resize(have + want, 0);
                if let Err(e) = file.read_exact(&mut window[have..]) {
                    window.truncate(have);
                    lost = Some(format!("its scratch file could not be read back ({e})"));
                    left = 0;
                    break;
                }
                left -= want as u64;
                // Past the last terminator that its line end follows whole.
                let mut at = cut;
                while let Some(i) = memchr::memchr(d.segment, &window[at..]) {
                    if at + i + tail > window.len() {
                        break;
                    }
                    at += i + tail;
                }
                cut = at;
                if cut > 0 || left == 0 {
                    break;
                }
            }
            if cut == 0 {
                // Bytes with no terminator at the very end: not whole.
                break;
            }
            carry.extend_from_slice(&window[cut..]);
            window.truncate(cut);
            let buf = Arc::new(RawBuf {
                bytes: window,
                spare: Spare::default(),
            });
            if self.keep_raw {
                // The open claim's stretch so far is in the last window.
                if let Some(tx) = p.tx.as_mut() {
                    tx.add_run();
                    tx.src = Some(buf.clone());
                }
                p.src = Some(buf.clone());
            }
            let ascii = buf.bytes.is_ascii();
            let mut start = 0;
            while let Some(i) = memchr::memchr(d.segment, &buf.bytes[start..]) {
                longs_before!();
                let end = start + i;
                let bytes = &buf.bytes[start..end];
                let offset = place(number, bytes.len());
                let s = if ascii {
                    // SAFETY: the whole window is ASCII (checked above), so
                    // is this stretch of it.
                    unsafe { Segment::from_ascii_in(&buf.bytes, start, end, offset, d, &mut elems) }
                } else {
                    Segment::from_bytes(bytes, offset, d, &mut elems)
                };
                p.at = (start as u32, (end + tail) as u32);
                p.segment(&s);
                start = end + tail;
                number += 1;
                parts.after(p, each, ahead);
            }
            if lost.is_some() {
                break;
            }
        }
        let Some(why) = lost else { return };
        if !p.in_tx() {
            // Not even its ST came back.
            let msg = format!("transaction ST02 {} is not whole: {why}", self.control);
            let f = p.finding(Code::X006, self.base, msg);
            return p.emit(f);
        }
        // Its findings were read ahead: the claim open here, or the
        // transaction, carries the cut.
        let count = p.tx.as_ref().map_or(0, |t| t.segments);
        let f = p.cut_finding(next, &why, count);
        match p.tx.as_mut().and_then(|t| t.claim.as_mut()) {
            Some(c) => c.findings.push(f),
            None => p.emit(f),
        }
        p.close_tx(next, &why);
    }
}

/// Handing a transaction's items on in parts as they become final.
struct Parts {
    /// At least this many items a part; `usize::MAX`: one part, at the end.
    part: usize,
    /// Whether the findings were read ahead; segments until the next look
    /// for a part that is done (not at every segment: a part is hundreds).
    ahead: bool,
    due: u32,
}

impl Parts {
    /// After each segment: once ST is read, the transaction's own findings
    /// (`ahead`, read ahead); then, every so often, the items that are
    /// final, handed to `each`.
    #[inline]
    fn after(
        &mut self,
        p: &mut Parser,
        each: &mut impl FnMut(Vec<Item>),
        ahead: impl FnOnce(&mut Parser) -> Vec<Finding>,
    ) {
        if self.part == usize::MAX {
            return;
        }
        if self.ahead {
            self.due -= 1;
            if self.due > 0 {
                return;
            }
        }
        self.due = 32;
        if p.tx.is_none() {
            return;
        }
        if !self.ahead {
            self.ahead = true;
            // Just after ST: the transaction's own findings, read ahead.
            let found = ahead(p);
            let tx = p.tx.as_mut().expect("open");
            tx.findings.extend(found);
            tx.findings_known = true;
            return;
        }
        let part = self.part;
        let tx = p.tx.as_mut().expect("open");
        if tx.final_len >= part {
            // The part keeps the list; what is not final yet (an HL's
            // loop, at most) moves to a new one.
            let mut done = std::mem::replace(&mut tx.items, Vec::with_capacity(2 * part));
            tx.items.extend(done.drain(tx.final_len..));
            tx.raw_hl = tx.raw_hl.and_then(|h| h.checked_sub(tx.final_len));
            tx.final_len = 0;
            tx.claims_out |= done.iter().any(|i| matches!(i, Item::Claim(_)));
            for piece in p.out.drain(..) {
                each(piece_items(piece));
            }
            each(done);
        }
    }
}

/// What SE says of a job's transaction (X003, X002), or that it was cut
/// short (X006), read before its body: the findings `Parser::se` and
/// `Parser::close_tx` make at its end, for the transaction opened in `p`.
/// `se`: SE's bytes and offset (none when the job was cut short).
/// `count`: the job's segments, as `TxJob::segs` counts them.
fn read_ahead(job: &TxJob, p: &mut Parser, se: Option<(&[u8], u64)>, count: u32) -> Vec<Finding> {
    // Segments to SE as `Parser::segment` counts them: every one with an id
    // (two terminators in a row are none), too long or not, ST included.
    let count = count - job.empty;
    match (&job.end, se) {
        (Some((byte, why)), _) => vec![p.cut_finding(*byte, why, count)],
        (None, Some((bytes, offset))) => {
            let mut elems = Vec::new();
            let se = Segment::from_bytes(bytes, offset, job.delims, &mut elems);
            p.se_findings(&se, count)
        }
        (None, None) => Vec::new(),
    }
}

/// A piece's items (a transaction job's own parser makes no other kind).
fn piece_items(piece: Piece) -> Vec<Item> {
    match piece {
        Piece::Item(i) => vec![i],
        Piece::Items(v) => v,
        Piece::Deferred(_) | Piece::Rows(_) => Vec::new(),
    }
}

/// Keep a segment in `segs`: as a stretch of the job's buffer `src` (at
/// `at`, terminator included) when parsed from one, else copied.
fn keep_in(
    segs: &mut RawSegs,
    bytes: &[u8],
    delims: &Delims,
    src: Option<&Arc<RawBuf>>,
    at: (u32, u32),
) {
    match src {
        Some(buf) => segs.push_shared(buf, at.0, at.1),
        None => segs.push(bytes, delims),
    }
}

/// `note_party` for a segment as the parser split it. Where its bytes have
/// no whitespace around them (all but always), its elements are the ones
/// `note_party` would split, and are read as they are (no second pass, and
/// no UTF-8 check in an ASCII transaction).
fn note_party_of(party: &mut Option<Party>, s: &Segment<'_>) {
    let space = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
    if space(s.bytes.first()) || space(s.bytes.last()) {
        return note_party(party, s.bytes, s.delims.element);
    }
    let entity = s.el(1);
    if !(s.len() > 2 && s.id() == b"NM1" && entity.len() == 2) {
        return;
    }
    if !(matches!(entity, b"85" | b"IL" | b"QC") && (party.is_none() || entity == b"QC")) {
        return;
    }
    if s.ascii() {
        *party = Some(Party::new(s.str_as_is(3), s.str_as_is(4), s.str_as_is(9)));
    } else {
        let t = |i: usize| String::from_utf8_lossy(s.el(i));
        *party = Some(Party::new(&t(3), &t(4), &t(9)));
    }
}

/// Take in one of an HL loop's kept segments (without its terminator; `e`
/// is the element separator): an `NM1` with entity 85, IL or QC names the
/// loop's party, unless one is named already and this is not QC.
fn note_party(party: &mut Option<Party>, seg: &[u8], e: u8) {
    // Most of a loop's segments are not NM1: passed over on their first
    // bytes, before any trimming.
    let lead = seg.iter().take_while(|b| b.is_ascii_whitespace()).count();
    if seg.get(lead..lead + 3) != Some(b"NM1".as_slice()) {
        return;
    }
    let seg = seg.trim_ascii();
    // NM1*85*, NM1*IL*, NM1*QC*: the entity code is bytes 4 and 5.
    if !(seg.len() > 6 && seg.starts_with(b"NM1") && seg[3] == e && seg[6] == e) {
        return;
    }
    let entity = &seg[4..6];
    if !(matches!(entity, b"85" | b"IL" | b"QC") && (party.is_none() || entity == b"QC")) {
        return;
    }
    let mut f = [&[][..]; 10];
    for (slot, el) in f.iter_mut().zip(seg.split(|&b| b == e)) {
        *slot = el;
    }
    let g = |i: usize| String::from_utf8_lossy(f[i]);
    *party = Some(Party::new(&g(3), &g(4), &g(9)));
}

/// A parsed job's buffer, shared by the raw segments kept from it (the
/// clean and rejected files write them from here); handed back to the
/// reader for a later job when the last of them is dropped.
pub struct RawBuf {
    bytes: Vec<u8>,
    spare: Spare,
}

impl RawBuf {
    /// A buffer handed back to no one.
    #[cfg(test)]
    pub(crate) fn new(bytes: Vec<u8>) -> RawBuf {
        RawBuf {
            bytes,
            spare: Spare::default(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl std::fmt::Debug for RawBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawBuf({} bytes)", self.bytes.len())
    }
}

impl Drop for RawBuf {
    fn drop(&mut self) {
        self.spare.give_bytes(std::mem::take(&mut self.bytes));
    }
}

impl Transaction {
    /// The place of the segment at `at` (the one being parsed).
    fn origin(&self, at: u64) -> Origin {
        let mut o = self.place.clone();
        if let OriginKind::X12 { segment, byte, .. } = &mut o.kind {
            *segment = self.segments;
            *byte = at;
        }
        o
    }

    /// Keep a body segment's bytes with what it belongs to: the open claim,
    /// else the current HL's loop, else the transaction header.
    #[inline]
    fn keep(&mut self, s: &Segment<'_>, src: Option<&Arc<RawBuf>>, at: (u32, u32)) {
        // A claim's segments follow one another in the job's buffer: its
        // stretch grows here, in the parse loop (a call for each of the
        // twenty or so segments of a claim was a seventh of what keeping the
        // structure cost the checker: 4.8 of 33 M instructions, 20,000
        // claims).
        // An HL's loop's segments likewise (its SBR and NM1s), for the
        // clean and rejected files; the 277CA reads each for its party.
        if self.src.is_some() && self.run.2 > 0 && self.run.1 == at.0 {
            self.run.1 = at.1;
            self.run.2 += 1;
            if self.parties && self.claim.is_none() {
                self.note_party(s);
            }
            return;
        }
        self.keep_other(s, src, at);
    }

    /// Read segment `s` of the current HL's loop for its party.
    fn note_party(&mut self, s: &Segment<'_>) {
        if let Some(Item::Raw(RawEvent::Hl { party, .. })) =
            self.raw_hl.and_then(|i| self.items.get_mut(i))
        {
            note_party_of(party, s);
        }
    }

    /// `keep`, but for a claim's segment that follows its stretch.
    #[inline(never)]
    fn keep_other(&mut self, s: &Segment<'_>, src: Option<&Arc<RawBuf>>, at: (u32, u32)) {
        let (bytes, delims) = (s.bytes, &s.delims);
        // A claim's own segments, and its loops', only for the clean and
        // rejected files (`Parser::body` passes them over for the
        // acknowledgments, which need the structure alone).
        debug_assert!(self.claim.is_none() || self.keep_segments);
        if self.claim.is_some() && self.src.is_some() {
            // A claim's first segment, or one its stretch does not reach.
            self.add_run();
            self.run = (at.0, at.1, 1);
            return;
        }
        if let Some(RawClaim::X12 { segments, .. }) =
            self.claim.as_mut().and_then(|c| c.raw.as_mut())
        {
            return keep_in(segments, bytes, delims, src, at);
        }
        let i = self.raw_hl.unwrap_or(0);
        match self.items.get_mut(i) {
            Some(Item::Raw(RawEvent::Hl {
                segments, party, ..
            })) => {
                // The loop's first segment, or one its stretch does not
                // reach, begins a new stretch (`keep` grows it).
                let stretch = self.keep_segments && self.src.is_some() && self.raw_hl.is_some();
                if self.keep_segments && !stretch {
                    keep_in(segments, bytes, delims, src, at);
                }
                if self.parties {
                    note_party_of(party, s);
                }
                if stretch {
                    self.add_run();
                    self.run = (at.0, at.1, 1);
                }
            }
            Some(Item::Raw(RawEvent::Transaction { segments })) => {
                keep_in(segments, bytes, delims, src, at)
            }
            _ => {}
        }
    }

    /// Add the pending stretch of kept segments to what it belongs to: the
    /// open claim, else the current HL's loop (`keep_other` began it).
    fn add_run(&mut self) {
        let (from, to, n) = std::mem::take(&mut self.run);
        if n == 0 {
            return;
        }
        let Some(buf) = &self.src else { return };
        let segments = match &mut self.claim {
            Some(c) => match c.raw.as_mut() {
                Some(RawClaim::X12 { segments, .. }) => segments,
                _ => return,
            },
            None => match self.raw_hl.and_then(|i| self.items.get_mut(i)) {
                Some(Item::Raw(RawEvent::Hl { segments, .. })) => segments,
                _ => return,
            },
        };
        segments.push_shared_run(buf, from, to, n);
    }

    /// The open claim's last line (opened by its LX) had no SV1: X005 on it
    /// (not on a claim the reader could not read whole, whose SV1 may be
    /// the segment it passed over).
    fn line_without_sv1(&mut self) {
        if std::mem::replace(&mut self.line_sv1, true) {
            return;
        }
        if let Some(c) = self.claim.as_mut().filter(|c| !c.claim.incomplete) {
            if let Some(i) = c.claim.lines.len().checked_sub(1) {
                let f = Finding::new(
                    Code::X005,
                    Severity::Error,
                    "the service line (LX) has no SV1: it bills nothing",
                );
                c.findings.push(f.on_line(i));
            }
        }
    }

    fn finish_claim(&mut self) {
        // A claim the input's end cut short is told that (X006), not what
        // the cut took from it.
        let cut = self.findings.iter().any(|f| f.code == Code::X006);
        if cut {
            self.line_sv1 = true;
        } else {
            self.line_without_sv1();
        }
        self.add_run();
        if let Some(mut c) = self.claim.take() {
            // A claim waits for its transaction's SE and for its turn to be
            // written: room for four lines where it has one or two was a
            // quarter of the memory in flight.
            c.claim.lines.shrink_to_fit();
            if c.claim.lines.is_empty() && !c.claim.incomplete && !cut {
                let f = Finding::new(
                    Code::X005,
                    Severity::Error,
                    "the claim has no service line (loop 2400: LX, SV1): at least one is required",
                );
                let f = f.at(c.claim.origin.clone());
                c.findings.push(f);
            }
            if self.findings_known {
                c.findings.extend(self.findings.iter().cloned());
            }
            self.items.push(Item::Claim(c));
            // Its HL's loop took its last segment before the claim began.
            self.final_len = self.items.len();
        }
    }

    fn hl(&mut self, s: &Segment<'_>) {
        self.ctx = Ctx::Hl;
        let level = match s.el(3) {
            b"20" => Level::Billing,
            b"22" => Level::Subscriber,
            b"23" => Level::Patient,
            _ => Level::Other,
        };
        let id = number(s.el(1));
        let parent_raw = s.el(2);
        let mut problem = None;
        let parent = if parent_raw.is_empty() {
            if level != Level::Billing {
                problem = Some(format!(
                    "HL {} (level {}) has no parent",
                    show(s.el(1)),
                    show(s.el(3))
                ));
            }
            None
        } else {
            let p = number(parent_raw);
            match p.and_then(|p| self.hl_ids.get(p)) {
                Some(i) => Some(i),
                None => {
                    problem = Some(format!(
                        "HL {} names parent {}, which no earlier HL has",
                        show(s.el(1)),
                        show(parent_raw)
                    ));
                    None
                }
            }
        };
        let index = self.hls.len();
        match id {
            None => problem = Some(format!("HL01 `{}` is not a number", show(s.el(1)))),
            Some(id) => {
                if self.hl_ids.insert(id, index) {
                    let twice = format!("HL id {id} is used twice in the transaction");
                    problem = Some(match problem {
                        Some(p) => format!("{p}; {twice}"),
                        None => twice,
                    });
                }
            }
        }
        // Inherit what the parent knows: billing provider, subscriber.
        let (billing, member_id, payer) = match parent.map(|p| &self.hls[p]) {
            Some(p) => (p.billing.clone(), p.member_id.clone(), p.payer.clone()),
            None => Default::default(),
        };
        self.hls.push(Hl {
            level,
            parent,
            problem: problem.map(|m| {
                Box::new(Finding::new(Code::X005, Severity::Error, m).at(self.origin(s.offset)))
            }),
            problem_used: false,
            billing,
            member_id,
            payer,
            patient: None,
            id: id.unwrap_or(0),
            seen: 0,
        });
        self.cur_hl = Some(index);
        // HL loops are kept for the clean and rejected files and the
        // 277CA (their parties), not for the 999 alone.
        if self.parties || self.keep_segments {
            self.items.push(Item::Raw(RawEvent::Hl {
                parent,
                level: LevelCode::new(s.el(3)),
                segments: RawSegs::default(),
                party: None,
            }));
            self.raw_hl = Some(self.items.len() - 1);
        }
    }

    fn clm(&mut self, s: &Segment<'_>) {
        self.ctx = Ctx::Claim;
        let mut findings = Vec::new();
        let mut claim = Claim {
            id: s.text(1),
            total: if s.ascii() {
                Money::parse(s.str_as_is(2))
            } else {
                std::str::from_utf8(s.el(2)).ok().and_then(Money::parse)
            },
            origin: self.origin(s.offset),
            // Every field named: `..Default::default()` made a whole
            // default claim (its origin's file name among it) and dropped
            // the fields named here.
            patient_id: Text::default(),
            payer: Payer::default(),
            billing: Provider::default(),
            rendering: None,
            diagnoses: Default::default(),
            lines: Vec::new(),
            incomplete: false,
        };
        if claim.id.is_empty() {
            findings.push(
                Finding::new(
                    Code::X005,
                    Severity::Error,
                    "CLM01, the claim's id, is empty: required (the payer and the 277CA name the claim by it)",
                )
                .at(claim.origin.clone()),
            );
        }
        match self.cur_hl {
            None => findings.push(
                Finding::new(Code::X005, Severity::Error, "CLM before any subscriber HL")
                    .at(claim.origin.clone()),
            ),
            Some(h) => {
                let hl = &self.hls[h];
                if !matches!(hl.level, Level::Subscriber | Level::Patient) {
                    findings.push(
                        Finding::new(
                            Code::X005,
                            Severity::Error,
                            "CLM under an HL that is not a subscriber (22) or patient (23)",
                        )
                        .at(claim.origin.clone()),
                    );
                }
                claim.billing = (*hl.billing).clone();
                claim.payer = hl.payer.clone();
                claim.patient_id = if hl.level == Level::Patient {
                    match hl.patient.as_deref() {
                        Some((_, id)) if !id.is_empty() => id.clone(),
                        p => format!("{}/{}", hl.member_id, p.map_or("", |p| &p.0)).into(),
                    }
                } else {
                    hl.member_id.clone()
                };
                // A patient loop's name (2010CA) is required where there is
                // a patient loop.
                let no_patient = (hl.level == Level::Patient && hl.patient.is_none()).then(|| {
                    format!(
                        "the patient loop (HL {}) has no patient name NM1*QC (loop 2010CA): required in every 837P",
                        hl.id
                    )
                });
                for missing in [
                    self.billing_missing(h),
                    self.subscriber_missing(h),
                    no_patient,
                ]
                .into_iter()
                .flatten()
                {
                    findings.push(
                        Finding::new(Code::X005, Severity::Error, missing).at(claim.origin.clone()),
                    );
                }
                // Problems of this HL and its ancestors touch this claim.
                let mut at = Some(h);
                while let Some(i) = at {
                    let hl = &mut self.hls[i];
                    if let Some(p) = &hl.problem {
                        findings.push((**p).clone());
                        hl.problem_used = true;
                    }
                    at = hl.parent;
                }
            }
        }
        let raw = (self.parties || self.keep_segments).then(|| RawClaim::X12 {
            segments: RawSegs::default(),
            hl: self.cur_hl,
        });
        self.claim = Some(Box::new(ReadClaim {
            claim,
            findings,
            raw,
        }));
    }

    /// The loop of level `level` that a claim's HL `h` is or hangs from.
    fn above(&self, h: usize, level: Level) -> Option<&Hl> {
        let mut at = Some(h);
        loop {
            let hl = self.hls.get(at?)?;
            if hl.level == level {
                return Some(hl);
            }
            at = hl.parent;
        }
    }

    /// The billing provider loop above a claim's HL `h` has no NM1*85
    /// (2010AA, required: the billing provider's name and NPI): what to
    /// say. `None` when it has one, or when no billing provider HL is above
    /// (an HL with no parent is told apart, as X005 too).
    fn billing_missing(&self, h: usize) -> Option<String> {
        let hl = self.above(h, Level::Billing)?;
        if hl.seen & NM1_85_SEEN == 0 {
            return Some(format!(
                "the billing provider loop (HL {}) has no billing provider name NM1*85 (loop 2010AA): required in every 837P",
                hl.id
            ));
        }
        hl.billing.npi.is_empty().then(|| {
            format!(
                "the billing provider's NM1*85 (HL {}) has no NPI (NM108 XX, NM109): required in every 837P",
                hl.id
            )
        })
    }

    /// What the subscriber loop above a claim's HL `h` (its own, or its
    /// patient HL's parent) lacks of SBR, NM1*IL and NM1*PR, all required
    /// in every 837P: without them the claim names no subscriber or payer,
    /// and a payer turns it back. `None` when it has them all, or when
    /// there is no subscriber HL above (told apart, as X005 too).
    fn subscriber_missing(&self, h: usize) -> Option<String> {
        let sub = self.above(h, Level::Subscriber)?;
        if sub.seen == SBR_SEEN | IL_SEEN | PR_SEEN {
            return None;
        }
        let names = [
            (SBR_SEEN, "SBR (loop 2000B)"),
            (IL_SEEN, "subscriber name NM1*IL (loop 2010BA)"),
            (PR_SEEN, "payer name NM1*PR (loop 2010BB)"),
        ];
        // One at least is missing (the whole loop returned above).
        let missing: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| sub.seen & bit == 0)
            .map(|&(_, name)| name)
            .collect();
        Some(format!(
            "the subscriber loop (HL {}) has no {}: required in every 837P",
            sub.id,
            missing.join(", no ")
        ))
    }

    fn sv1(&mut self, s: &Segment<'_>) {
        let Some(rc) = &self.claim else {
            let f = Finding::new(
                Code::X005,
                Severity::Error,
                "SV1 outside any claim (no CLM before it)",
            )
            .at(self.origin(s.offset));
            self.items.push(Item::Finding(f));
            return;
        };
        let need_line = match self.ctx {
            Ctx::Line => rc
                .claim
                .lines
                .last()
                .is_some_and(|l| !l.procedure.is_empty()),
            _ => true,
        };
        // The SV1's place is kept only when it opens a line of its own.
        let opens = need_line.then(|| self.origin(s.offset));
        let rc = self.claim.as_mut().expect("a claim is open");
        if let Some(origin) = opens {
            let why = if self.ctx == Ctx::Line {
                "a second SV1 in one service line (no LX between)"
            } else {
                "SV1 before any LX of this claim"
            };
            rc.findings
                .push(Finding::new(Code::X005, Severity::Error, why).at(origin.clone()));
            let number = rc.claim.lines.len() as u32 + 1;
            rc.claim.lines.push(ServiceLine {
                number,
                place: LinePlace::of(&origin),
                ..Default::default()
            });
            self.ctx = Ctx::Line;
        }
        self.line_sv1 = true;
        let at = rc.claim.lines.len() - 1;
        let line = rc.claim.lines.last_mut().expect("a line is open");
        // SV101 in one pass: qualifier, procedure, then up to four
        // modifiers, pushed where they stay (collected, then moved in over
        // the old ones, they were a twentieth of the run).
        let mut sv101 = s.el(1).split(|&b| b == s.delims.component).skip(1);
        line.procedure = s.text_of(sv101.next().unwrap_or_default());
        if line.procedure.is_empty() {
            // Told where it stands, with what SV101 holds: a file whose
            // components are split by another character than its ISA16
            // reads as a qualifier alone.
            let msg = format!(
                "SV101 `{}` has no procedure code (SV101-2, after the qualifier; components are split at `{}`, ISA16)",
                show(s.el(1)),
                char::from(s.delims.component)
            );
            rc.findings
                .push(Finding::new(Code::X005, Severity::Error, msg).on_line(at));
        }
        let modifiers = &mut line.modifiers.0;
        modifiers.clear();
        for m in sv101.take(4).filter(|m| !m.is_empty()) {
            modifiers.push(s.text_of(m));
        }
        // (An ASCII segment's elements are text as they stand: no check.)
        line.charge = if s.ascii() {
            Money::parse(s.str_as_is(2))
        } else {
            std::str::from_utf8(s.el(2)).ok().and_then(Money::parse)
        };
        line.unit_basis = s.text(3);
        line.units = if s.ascii() {
            Units::parse(s.str_as_is(4))
        } else {
            Units::parse(&String::from_utf8_lossy(s.el(4)))
        };
        if line.unit_basis == "MJ" {
            line.minutes = line
                .units
                .value
                .filter(|v| *v >= 0.0 && v.fract() == 0.0)
                .map(|v| v as u32);
        }
        line.place_of_service = s.text(5);
        // Pushed where they stay, as the modifiers are.
        let pointers = &mut line.diagnosis_pointers;
        pointers.clear();
        for p in s.comps(7) {
            pointers.push(s.text_of(p));
        }
    }

    /// Every other segment of the transaction body.
    fn other(&mut self, s: &Segment<'_>) {
        let id = s.id();
        let q = s.el(1);
        let claim_open = self.claim.is_some();
        match id {
            b"NM1" => {
                let npi = if is(s.el(8), "XX") {
                    s.text(9)
                } else {
                    Text::default()
                };
                match (self.ctx, q) {
                    (Ctx::Hl, b"85") => {
                        if let Some(h) = self.cur_hl {
                            Arc::make_mut(&mut self.hls[h].billing).npi = npi;
                            self.hls[h].seen |= NM1_85_SEEN;
                        }
                    }
                    (Ctx::Hl, b"IL") => {
                        if let Some(h) = self.cur_hl {
                            self.hls[h].member_id = s.text(9);
                            self.hls[h].seen |= IL_SEEN;
                        }
                    }
                    (Ctx::Hl, b"PR") => {
                        if let Some(h) = self.cur_hl {
                            self.hls[h].payer.id = s.text(9);
                            self.hls[h].seen |= PR_SEEN;
                        }
                    }
                    (Ctx::Hl, b"QC") => {
                        if let Some(h) = self.cur_hl {
                            let name = format!("{},{}", s.text(3), s.text(4));
                            self.hls[h].patient = Some(Box::new((name, s.text(9))));
                        }
                    }
                    (Ctx::Hl, _) => {}
                    (Ctx::Claim | Ctx::ClaimRendering, b"82") if claim_open => {
                        let c = &mut self.claim.as_mut().unwrap().claim;
                        c.rendering = Some(Provider {
                            npi,
                            taxonomy: String::new().into(),
                        });
                        self.ctx = Ctx::ClaimRendering;
                    }
                    (Ctx::Claim | Ctx::ClaimRendering | Ctx::ClaimOther, _) => {
                        self.ctx = Ctx::ClaimOther
                    }
                    (Ctx::Line | Ctx::LineRendering, b"82") if claim_open => {
                        let c = &mut self.claim.as_mut().unwrap().claim;
                        if let Some(l) = c.lines.last_mut() {
                            l.rendering = Some(Provider {
                                npi,
                                taxonomy: String::new().into(),
                            });
                        }
                        self.ctx = Ctx::LineRendering;
                    }
                    (Ctx::Line | Ctx::LineRendering | Ctx::LineOther, _) => {
                        self.ctx = Ctx::LineOther
                    }
                    (Ctx::Header, _) => {}
                }
            }
            b"PRV" => {
                let taxonomy = s.text(3);
                match (self.ctx, q) {
                    (Ctx::Hl, b"BI") => {
                        if let Some(h) = self.cur_hl {
                            Arc::make_mut(&mut self.hls[h].billing).taxonomy = taxonomy;
                        }
                    }
                    (Ctx::ClaimRendering, b"PE") => {
                        if let Some(r) =
                            self.claim.as_mut().and_then(|c| c.claim.rendering.as_mut())
                        {
                            r.taxonomy = taxonomy;
                        }
                    }
                    (Ctx::LineRendering, b"PE") => {
                        if let Some(r) = self
                            .claim
                            .as_mut()
                            .and_then(|c| c.claim.lines.last_mut())
                            .and_then(|l| l.rendering.as_mut())
                        {
                            r.taxonomy = taxonomy;
                        }
                    }
                    _ => {}
                }
            }
            b"SBR" => match self.ctx {
                Ctx::Hl => {
                    if let Some(h) = self.cur_hl {
                        self.hls[h].payer.filing_indicator = s.text(9);
                        self.hls[h].seen |= SBR_SEEN;
                    }
                }
                Ctx::Claim | Ctx::ClaimRendering | Ctx::ClaimOther => self.ctx = Ctx::ClaimOther,
                _ => {}
            },
            b"HI" if matches!(self.ctx, Ctx::Claim | Ctx::ClaimRendering | Ctx::ClaimOther) => {
                if let Some(c) = &mut self.claim {
                    for i in 1..s.len() {
                        let qual = s.comp(i, 0);
                        if matches!(qual, b"ABK" | b"ABF" | b"BK" | b"BF") {
                            c.claim.diagnoses.push(s.comp_text(i, 1));
                        }
                    }
                }
            }
            b"DTP" if self.ctx == Ctx::Line && is(q, "472") => {
                if let Some(c) = self.claim.as_mut() {
                    // A claim's lines mostly share a date: the line before's,
                    // where its text is the same (and not a range, so that
                    // its form, D8 or RD8, decides nothing).
                    let raw = s.el(3);
                    let date = match &c.claim.lines[..] {
                        [.., before, _]
                            if before.date.raw.as_bytes() == raw && !raw.contains(&b'-') =>
                        {
                            before.date.clone()
                        }
                        _ => service_date(s.el(2), s.text(3)),
                    };
                    if let Some(l) = c.claim.lines.last_mut() {
                        l.date = date;
                    }
                }
            }
            b"REF" if self.ctx == Ctx::Line && is(q, "6R") => {
                if let Some(l) = self.claim.as_mut().and_then(|c| c.claim.lines.last_mut()) {
                    l.control = s.text(2);
                }
            }
            b"NTE" if self.ctx == Ctx::Line => {
                if let Some(l) = self.claim.as_mut().and_then(|c| c.claim.lines.last_mut()) {
                    l.note = Some(s.text(2).as_str().into());
                }
            }
            b"LIN" | b"SVD" | b"LQ"
                if matches!(self.ctx, Ctx::Line | Ctx::LineRendering | Ctx::LineOther) =>
            {
                self.ctx = Ctx::LineOther;
            }
            _ => {}
        }
    }
}

/// DTP*472: D8 CCYYMMDD, or RD8 CCYYMMDD-CCYYMMDD (a range unless both ends agree).
fn service_date(format: &[u8], raw: Text) -> ServiceDate {
    if is(format, "RD8") {
        if let Some((from, to)) = raw.split_once('-') {
            let mut d = ServiceDate::parse_single(from);
            d.raw = raw.clone();
            d.is_range = from != to;
            if d.date.is_some() && crate::model::parse_date(to).is_none() {
                d.date = None;
            }
            return d;
        }
    }
    ServiceDate {
        date: crate::model::parse_date(&raw),
        raw,
        is_range: false,
    }
}

/// A number element (LX01, HL01, HL02) as `str::parse` reads it, trimmed:
/// up to nine plain digits (every one in a well-formed file) read directly,
/// any other shape (spaces, a sign, too long) through `parse`.
fn number(b: &[u8]) -> Option<u32> {
    if !b.is_empty() && b.len() <= 9 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')));
    }
    std::str::from_utf8(b)
        .ok()
        .and_then(|t| t.trim().parse().ok())
}

#[cfg(test)]
mod tests;

/// Each HL id's index in a transaction's HLs. Ids are nearly always 1, 2,
/// 3...: those up to twice the HLs so far are kept in a list by id (4
/// bytes an HL, where a hash table of a 1,000,000-HL transaction took some
/// 34 MB), any other in a hash table.
struct HlIds {
    /// Index + 1 by id; 0 where none.
    dense: Vec<u32>,
    sparse: HashMap<u32, usize, std::hash::BuildHasherDefault<IdHash>>,
}

impl HlIds {
    fn with_capacity(n: usize) -> HlIds {
        HlIds {
            dense: Vec::with_capacity(n + 2),
            sparse: HashMap::default(),
        }
    }

    fn get(&self, id: u32) -> Option<usize> {
        match self.dense.get(id as usize) {
            Some(&i) if i > 0 => Some(i as usize - 1),
            _ => self.sparse.get(&id).copied(),
        }
    }

    /// Whether `id` was there already (its index is `index` now).
    fn insert(&mut self, id: u32, index: usize) -> bool {
        let at = id as usize;
        let dense_ok =
            u32::try_from(index + 1).is_ok() && (at < self.dense.len() || at <= 2 * (index + 16));
        if !dense_ok {
            return self.sparse.insert(id, index).is_some();
        }
        if at >= self.dense.len() {
            self.dense.resize(at + 1, 0);
        }
        let was = std::mem::replace(&mut self.dense[at], index as u32 + 1);
        // Kept in the table before the list reached it: there, too.
        was > 0 || self.sparse.remove(&id).is_some()
    }
}

/// The hasher of HL ids (small integers, one lookup per HL): a multiply,
/// where SipHash showed in the profile.
#[derive(Default)]
struct IdHash(u64);

impl std::hash::Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
