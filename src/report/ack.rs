//! Acknowledgments of an 837P batch, in the formats the trade uses:
//! `--ack-999` (005010X231A1: per functional group, AK2/IK5 accepted or
//! rejected per transaction on the X rules, AK9 for the group) and
//! `--ack-277ca` (005010X214: one claim-level STC per claim, A2 accepted or
//! A7 rejected with the rule code in free text, echoing CLM01 and the line
//! control numbers of rejected lines).
//!
//! Both are rendered with x12-types' typed 999 and 277 structures, so the
//! typed library holds our structure, except each claim's 277CA loops
//! (2000D and below), written as text by `claim_loops` and held byte for
//! byte to the typed rendering in tests/acks.rs; each input functional group gets an
//! interchange of its own (one ISA/GS pair), which x12-types reads back.
//! x12-types 0.12 lacks three elements the guides use: AK103 and AK203
//! (the version and the implementation convention echoed) and STC12 (the
//! free text). Each is appended, with its separator, to the last element
//! the typed segment has (AK102, AK202, STC10); x12-types reads such a
//! segment back and keeps its own elements, and the tests read the
//! appended ones with our reader.
//!
//! Fed by the pipeline in input order with the same raw structure events as
//! the clean/rejected split. Each claim's 277CA loops are rendered as the
//! claim comes (`Tx::render`, into its billing provider's group; gathered
//! into an ack per claim and rendered on another thread at the
//! transaction's end, they cost more: BENCHMARKS.md, session 19); the
//! typed loops of a transaction, the claims' HL segments (numbered only
//! then) and the writing are done on a thread of its own (`Out277`), at
//! most two transactions waiting.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use x12_types::util::X12Element;
use x12_types::v005010 as x;

use crate::finding::{Code, Finding, Severity};
use crate::input::x12::Delims;
use crate::input::{Party, RawEvent, RawSegs};
use crate::model::Text;
use crate::model::{push_decimal, Claim, Controls, Money, OriginKind};
use crate::report::split::Staged;
use crate::rules::Outcome;

fn el<T: X12Element>(s: &str) -> T {
    T::from_x12(s)
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The envelope of an input interchange, as the acks echo it.
#[derive(Clone, Default)]
struct Envelope {
    sender_qual: String,
    sender: String,
    receiver_qual: String,
    receiver: String,
    control: String,
    usage: String,
}

#[derive(Clone, Default)]
struct Group {
    functional_id: String,
    sender: String,
    receiver: String,
    control: String,
    version: String,
    transactions: Vec<TxHead>,
}

#[derive(Clone, Default)]
struct TxHead {
    id: String,
    control: String,
    convention: String,
}

/// An HL of the current transaction: its level, parent and the party its
/// loop names (read by the parser).
#[derive(Clone, Default)]
struct Hl {
    parent: Option<usize>,
    /// HL03 is 20: a billing provider's loop (the one level the 277CA asks
    /// of an HL).
    provider: bool,
    party: Party,
}

/// The HL of a claim that hangs from none.
static NO_HL: Hl = Hl {
    parent: None,
    provider: false,
    party: Party::NONE,
};

struct LineAck {
    control: Text,
    procedure: Text,
    modifiers: Vec<Text>,
    charge: Option<Money>,
    units: Text,
    date: Text,
    reason: Option<(Code, Cow<'static, str>)>,
}

struct ClaimAck {
    id: Text,
    hl: Option<usize>,
    /// Its billing provider's group in the transaction (`Tx::add`).
    group: usize,
    patient_id: Text,
    charge: Money,
    date: Text,
    /// The first error finding: the rejection reason.
    reason: Option<(Code, Cow<'static, str>)>,
    lines: Vec<LineAck>,
}

#[derive(Default)]
struct Tx {
    head: TxHead,
    reference: String,
    submitter: (String, String),
    receiver: (String, String),
    hls: Vec<Hl>,
    /// Every claim's ack, for x12-types to render (`Acks::typed_claims`).
    claims: Vec<ClaimAck>,
    /// The claims by billing provider, counted, and (but for `claims`)
    /// their loops rendered as they came.
    groups: Vec<Group277>,
    /// The group of each provider HL (by HL index), and of claims under none.
    group_of: Vec<usize>,
    no_group: Option<usize>,
    /// Claims in the transaction, and their tally.
    count: usize,
    all: Tally,
}

/// The claims of one billing provider (or of none) in a transaction: their
/// 2000D loops, rendered as each claim came but for its HL segment (whose
/// number is known only when the transaction ends: every provider's 2000C
/// loop comes before the first patient's).
#[derive(Default)]
struct Group277 {
    /// The provider's HL (index).
    provider: Option<usize>,
    tally: Tally,
    /// The claims' loops after their HL, end to end.
    loops: String,
    /// Where each claim's loops end in `loops`.
    ends: Vec<usize>,
    /// Segments in `loops`.
    segments: usize,
}

impl Tx {
    /// Count a claim, in the transaction and in its billing provider's
    /// group (opened at its first claim, in order of first claim): the
    /// group's index. `size_hint`: claims expected, to size the first
    /// group's loops (0 when none are rendered).
    fn add(&mut self, hl: Option<usize>, charge: Money, rejected: bool, size_hint: usize) -> usize {
        self.count += 1;
        self.all.add(charge, rejected);
        let g = match provider_of(&self.hls, hl) {
            Some(p) => {
                if self.group_of.len() <= p {
                    self.group_of.resize(p + 1, usize::MAX);
                }
                let slot = &mut self.group_of[p];
                if *slot == usize::MAX {
                    *slot = self.groups.len();
                    self.groups.push(Group277 {
                        provider: Some(p),
                        ..Group277::default()
                    });
                }
                *slot
            }
            None => *self.no_group.get_or_insert_with(|| {
                self.groups.push(Group277::default());
                self.groups.len() - 1
            }),
        };
        let group = &mut self.groups[g];
        if g == 0 && group.tally.acc.0 + group.tally.rej.0 == 0 {
            // The first group, at its first claim. About 130 bytes a
            // claim's loops: sized once from the last transaction.
            group.loops.reserve(size_hint.saturating_mul(144));
            group.ends.reserve(size_hint);
        }
        group.tally.add(charge, rejected);
        g
    }

    /// Render a claim's loops into its group (`add` counted it).
    fn render(&mut self, c: &ClaimAck, fixed: &Fixed) {
        let group = &mut self.groups[c.group];
        let patient = c.hl.and_then(|h| self.hls.get(h)).unwrap_or(&NO_HL);
        group.segments += claim_loops(&mut group.loops, &patient.party, c, fixed);
        group.ends.push(group.loops.len());
    }

    /// `render` for an accepted claim of group `g`, from the claim itself.
    fn render_accepted(
        &mut self,
        g: usize,
        claim: &Claim,
        hl: Option<usize>,
        charge: Money,
        fixed: &Fixed,
    ) {
        let group = &mut self.groups[g];
        let patient = hl.and_then(|h| self.hls.get(h)).unwrap_or(&NO_HL);
        let date = claim.lines.iter().find_map(|l| l.date.date).map(ccyymmdd);
        group.segments += accepted_loops(
            &mut group.loops,
            &patient.party,
            &claim.id,
            &claim.patient_id,
            charge,
            date.as_deref().unwrap_or_default(),
            fixed,
        );
        group.ends.push(group.loops.len());
    }
}

/// The billing provider (HL 20 level) a claim's HL hangs from, if any.
fn provider_of(hls: &[Hl], hl: Option<usize>) -> Option<usize> {
    let mut at = hl;
    while let Some(h) = at {
        let node = hls.get(h)?;
        if node.provider {
            return Some(h);
        }
        at = node.parent;
    }
    None
}

type TxKey = (Arc<str>, Arc<str>, Arc<str>);

pub struct Acks {
    f999: Option<Staged>,
    f277: Option<Out277>,
    delims: Option<Delims>,
    envelope: Envelope,
    group: Option<Group>,
    tx: Option<Tx>,
    /// 277CA transactions written in the open group.
    written_277: u32,
    /// Render each claim's 277CA loops with x12-types too (slow; the
    /// reference the fast writer is tested against): `CLAIMSCRUB_TYPED_277=1`.
    typed_claims: bool,
    /// The run's date (CCYYMMDD), and what every claim's 277CA loops share.
    fixed: Fixed,
    /// Interchanges written to each ack file: ISA13 counts 1, 2, ... in its
    /// file (unique there, and the same for any `--threads`).
    isa_999: u32,
    isa_277: u32,
    /// IK5 verdicts from the X findings: `R` or `E` with IK502, by (ISA13, GS06, ST02).
    verdicts: HashMap<TxKey, (char, &'static str)>,
    /// Group-level problems (GE count or control): AK905, by (ISA13, GS06).
    group_errors: HashMap<(Arc<str>, Arc<str>), &'static str>,
    pub csv_inputs: u32,
    /// HLs and claims of the last transaction: a new one's lists start at
    /// that size (grown from empty, they were copied a dozen times each).
    last_sizes: (usize, usize),
}

impl Acks {
    pub fn create(
        ack_999: Option<&Path>,
        ack_277: Option<&Path>,
        as_of: NaiveDate,
    ) -> io::Result<Acks> {
        Ok(Acks {
            f999: ack_999.map(Staged::create).transpose()?,
            f277: ack_277
                .map(|p| Staged::create(p).and_then(Out277::start))
                .transpose()?,
            delims: None,
            envelope: Envelope::default(),
            group: None,
            tx: None,
            written_277: 0,
            typed_claims: std::env::var_os("CLAIMSCRUB_TYPED_277").is_some_and(|v| v == "1"),
            fixed: Fixed::new(&as_of.format("%Y%m%d").to_string()),
            isa_999: 0,
            isa_277: 0,
            verdicts: HashMap::new(),
            group_errors: HashMap::new(),
            csv_inputs: 0,
            last_sizes: (0, 0),
        })
    }

    fn ymd(&self) -> String {
        self.fixed.ymd.clone()
    }

    pub fn event(&mut self, ev: &mut RawEvent) -> io::Result<()> {
        match ev {
            RawEvent::Interchange { isa, delims, .. } => {
                self.delims = Some(*delims);
                let f: Vec<String> = isa
                    .split(|&b| b == delims.element)
                    .map(|e| String::from_utf8_lossy(e).trim().to_string())
                    .collect();
                let g = |i: usize| f.get(i).cloned().unwrap_or_default();
                self.envelope = Envelope {
                    sender_qual: g(5),
                    sender: g(6),
                    receiver_qual: g(7),
                    receiver: g(8),
                    control: g(13),
                    usage: g(15),
                };
            }
            RawEvent::Group { gs } => {
                let Some(d) = self.delims else {
                    return Ok(());
                };
                let f = fields(gs, d.element);
                let g = |i: usize| f.get(i).cloned().unwrap_or_default();
                self.group = Some(Group {
                    functional_id: g(1),
                    sender: g(2),
                    receiver: g(3),
                    control: g(6),
                    version: g(8),
                    transactions: Vec::new(),
                });
                self.written_277 = 0;
            }
            RawEvent::Transaction { segments } => {
                let Some(d) = self.delims else {
                    return Ok(());
                };
                let mut tx = Tx {
                    hls: Vec::with_capacity(self.last_sizes.0),
                    claims: Vec::with_capacity(if self.typed_claims {
                        self.last_sizes.1
                    } else {
                        0
                    }),
                    ..Tx::default()
                };
                for seg in segs(segments, d) {
                    let f = fields(seg, d.element);
                    let g = |i: usize| f.get(i).cloned().unwrap_or_default();
                    match f.first().map(String::as_str) {
                        Some("ST") => {
                            tx.head = TxHead {
                                id: g(1),
                                control: g(2),
                                convention: g(3),
                            }
                        }
                        Some("BHT") => tx.reference = g(3),
                        Some("NM1") if g(1) == "41" => tx.submitter = (g(3), g(9)),
                        Some("NM1") if g(1) == "40" => tx.receiver = (g(3), g(9)),
                        _ => {}
                    }
                }
                if let Some(grp) = &mut self.group {
                    grp.transactions.push(tx.head.clone());
                }
                self.tx = Some(tx);
            }
            RawEvent::Hl {
                parent,
                level,
                party,
                ..
            } => {
                if self.delims.is_none() || self.f277.is_none() {
                    return Ok(());
                }
                let hl = Hl {
                    parent: *parent,
                    provider: level.as_bytes() == b"20",
                    party: party.take().unwrap_or_default(),
                };
                if let Some(tx) = &mut self.tx {
                    tx.hls.push(hl);
                }
            }
            RawEvent::TransactionEnd => self.end_transaction()?,
            RawEvent::GroupEnd => self.end_group()?,
            RawEvent::InterchangeEnd => {}
            RawEvent::CsvHeader(_) => self.csv_inputs += 1,
            RawEvent::CsvRow(_) => {}
        }
        Ok(())
    }

    /// A claim and what the check concluded; `hl` is the index of the HL
    /// it hangs from in its transaction.
    pub fn claim(&mut self, claim: &Claim, outcome: &Outcome, hl: Option<usize>) {
        for f in &outcome.findings {
            self.note_structure(f, Some(claim));
        }
        if self.f277.is_none() {
            return;
        }
        let Some(tx) = &mut self.tx else {
            return;
        };
        let charge = claim
            .total
            .unwrap_or_else(|| claim.lines.iter().filter_map(|l| l.charge).sum());
        let size_hint = if self.typed_claims {
            0
        } else {
            self.last_sizes.1
        };
        let group = tx.add(hl, charge, outcome.rejected, size_hint);
        if !outcome.rejected && !self.typed_claims {
            // Nearly every claim: its loops written from the claim itself.
            tx.render_accepted(group, claim, hl, charge, &self.fixed);
            return;
        }
        let reason = |f: &Finding| (f.code, f.message.clone());
        let first_error = outcome
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error);
        // Lines are echoed only where a rejected claim's line has an error.
        let lines = if outcome.rejected {
            claim
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| LineAck {
                    control: l.control.clone(),
                    procedure: l.procedure.clone(),
                    modifiers: l.modifiers.0.to_vec(),
                    charge: l.charge,
                    units: l.units.raw.clone(),
                    date: l.date.date.map(ccyymmdd).unwrap_or_default(),
                    reason: outcome
                        .findings
                        .iter()
                        .find(|f| f.severity == Severity::Error && f.line == Some(i))
                        .map(reason),
                })
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        let ack = ClaimAck {
            id: claim.id.clone(),
            hl,
            group,
            patient_id: claim.patient_id.clone(),
            charge,
            date: claim
                .lines
                .iter()
                .find_map(|l| l.date.date)
                .map(ccyymmdd)
                .unwrap_or_default(),
            reason: if outcome.rejected {
                Some(
                    first_error
                        .map(reason)
                        .unwrap_or((Code::X005, "rejected".into())),
                )
            } else {
                None
            },
            lines,
        };
        if self.typed_claims {
            tx.claims.push(ack);
        } else {
            tx.render(&ack, &self.fixed);
        }
    }

    /// A finding that belongs to no claim.
    pub fn finding(&mut self, f: &Finding) {
        self.note_structure(f, None);
    }

    /// Remember what an X finding says of its transaction or group.
    fn note_structure(&mut self, f: &Finding, claim: Option<&Claim>) {
        if f.severity != Severity::Error || !f.code.as_str().starts_with('X') {
            return;
        }
        let origin = f.origin.as_ref().or(claim.map(|c| &c.origin));
        let Some(OriginKind::X12 { controls, .. }) = origin.map(|o| &o.kind) else {
            return;
        };
        let Controls { isa13, gs06, st02 } = &**controls;
        if st02.is_empty() {
            let code = match f.code {
                Code::X004 => "5",
                Code::X002 => "4",
                _ => "",
            };
            if !code.is_empty() {
                self.group_errors
                    .entry((isa13.clone(), gs06.clone()))
                    .or_insert(code);
            }
            return;
        }
        let verdict = match f.code {
            Code::X007 => ('R', "1"),
            Code::X006 => ('R', "2"),
            Code::X002 => ('R', "3"),
            Code::X003 => ('R', "4"),
            // A segment in error inside one claim: that claim is rejected,
            // the transaction's other claims go on.
            _ => ('E', "5"),
        };
        let key = (isa13.clone(), gs06.clone(), st02.clone());
        let e = self.verdicts.entry(key).or_insert(verdict);
        if e.0 == 'E' && verdict.0 == 'R' {
            *e = verdict;
        }
    }

    fn isa(&self, control: &str) -> x::ISA {
        let e = &self.envelope;
        let ymd = self.ymd();
        x::ISA {
            _01: el("00"),
            _02: " ".repeat(10),
            _03: el("00"),
            _04: " ".repeat(10),
            _05: el(if e.receiver_qual.is_empty() {
                "ZZ"
            } else {
                &e.receiver_qual
            }),
            _06: format!("{:<15}", e.receiver),
            _07: el(if e.sender_qual.is_empty() {
                "ZZ"
            } else {
                &e.sender_qual
            }),
            _08: format!("{:<15}", e.sender),
            _09: el(&ymd[2..]),
            _10: el("0000"),
            _11: el("^"),
            _12: el("00501"),
            _13: el(&format!(
                "{:0>9}",
                control
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            )),
            _14: el("0"),
            _15: el(if e.usage.is_empty() { "P" } else { &e.usage }),
            _16: ":".to_string(),
        }
    }

    fn gs(&self, functional_id: &str, version: &str) -> x::GS {
        let g = self.group.clone().unwrap_or_default();
        x::GS {
            _01: functional_id.to_string(),
            _02: g.receiver,
            _03: g.sender,
            _04: self.ymd(),
            _05: "0000".to_string(),
            _06: g.control,
            _07: "X".to_string(),
            _08: version.to_string(),
        }
    }

    fn iea(&self, control: &str) -> x::IEA {
        x::IEA {
            _01: el("1"),
            _02: el(&format!(
                "{:0>9}",
                control
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            )),
        }
    }

    fn end_group(&mut self) -> io::Result<()> {
        if self.tx.is_some() {
            self.end_transaction()?;
        }
        let Some(group) = self.group.clone() else {
            return Ok(());
        };
        let control = self.isa_277.to_string();
        if self.written_277 > 0 {
            let ge = x::GE {
                _01: self.written_277.to_string(),
                _02: group.control.clone(),
            };
            let tail = format!("{ge}{}", self.iea(&control));
            if let Some(f) = &mut self.f277 {
                f.send(Msg277::Text(tail))?;
            }
        }
        self.written_277 = 0;
        if !group.transactions.is_empty() && self.f999.is_some() {
            let doc = self.render_999(&group).to_string();
            self.isa_999 += 1;
            if let Some(f) = &mut self.f999 {
                f.out.write_all(doc.as_bytes())?;
            }
        }
        self.group = None;
        Ok(())
    }

    fn render_999(&self, group: &Group) -> x::Transmission<x::_999> {
        let isa13: Arc<str> = self.envelope.control.as_str().into();
        let gs06: Arc<str> = group.control.as_str().into();
        let mut loops = Vec::new();
        let mut accepted = 0;
        for t in &group.transactions {
            let key = (isa13.clone(), gs06.clone(), Arc::from(t.control.as_str()));
            let (code, why) = self.verdicts.get(&key).copied().unwrap_or(('A', ""));
            if code != 'R' {
                accepted += 1;
            }
            loops.push(x::_999LoopAK2 {
                ak2: x::AK2 {
                    _01: opt(&t.id),
                    // AK203 (x12-types 0.12 stops at AK202)
                    _02: Some(format!("{}*{}", t.control, t.convention)),
                },
                loop_ik3: Vec::new(),
                ik5: x::IK5 {
                    _01: Some(code.to_string()),
                    _02: opt(why),
                    ..Default::default()
                },
            });
        }
        let n = group.transactions.len();
        let group_error = self.group_errors.get(&(isa13, gs06)).copied();
        let ak901 = match (group_error, accepted) {
            (Some(_), _) | (None, 0) => "R",
            _ if accepted == n => {
                if loops.iter().any(|l| l.ik5._01.as_deref() == Some("E")) {
                    "E"
                } else {
                    "A"
                }
            }
            _ => "P",
        };
        let segments = 4 + loops.len() * 2;
        let st = x::ST {
            _01: "999".into(),
            _02: "0001".into(),
            _03: Some("005010X231A1".into()),
        };
        let doc = x::_999 {
            st,
            ak1: x::AK1 {
                _01: opt(&group.functional_id),
                // AK103 (x12-types 0.12 stops at AK102)
                _02: Some(format!("{}*{}", group.control, group.version)),
            },
            loop_ak2: loops,
            ak9: x::AK9 {
                _01: Some(ak901.into()),
                _02: Some(n.to_string()),
                _03: Some(n.to_string()),
                _04: Some(accepted.to_string()),
                _05: group_error.map(str::to_string),
                ..Default::default()
            },
            se: x::SE {
                _01: segments.to_string(),
                _02: "0001".into(),
            },
        };
        let control = (self.isa_999 + 1).to_string();
        x::Transmission {
            isa: self.isa(&control),
            functional_group: vec![x::FunctionalGroup {
                gs: self.gs("FA", "005010X231A1"),
                segments: vec![doc],
                ge: x::GE {
                    _01: "1".into(),
                    _02: group.control.clone(),
                },
            }],
            iea: self.iea(&control),
        }
    }

    fn end_transaction(&mut self) -> io::Result<()> {
        let Some(tx) = self.tx.take() else {
            return Ok(());
        };
        self.last_sizes = (tx.hls.len(), tx.count);
        if self.f277.is_none() || tx.count == 0 {
            return Ok(());
        }
        let mut head = String::new();
        if self.written_277 == 0 {
            self.isa_277 += 1;
            let control = self.isa_277.to_string();
            head = format!("{}{}", self.isa(&control), self.gs("HN", "005010X214"));
        }
        self.written_277 += 1;
        let job = Msg277::Transaction {
            head,
            tx: Box::new(tx),
            number: self.written_277,
            ymd: self.ymd(),
        };
        match &mut self.f277 {
            Some(f) => f.send(job),
            None => Ok(()),
        }
    }
}

/// What the 277CA thread writes, in order.
enum Msg277 {
    /// A transaction to render, after `head` (ISA and GS when it opens an
    /// interchange).
    Transaction {
        head: String,
        tx: Box<Tx>,
        number: u32,
        ymd: String,
    },
    /// Envelope trailers (GE, IEA).
    Text(String),
}

/// The 277CA file, written by a thread of its own: a transaction's typed
/// loops are rendered there, and its claims' loops written, while the
/// serial stage goes on with the next claims.
struct Out277 {
    send: Option<std::sync::mpsc::SyncSender<Msg277>>,
    thread: Option<std::thread::JoinHandle<io::Result<Staged>>>,
}

impl Out277 {
    fn start(mut file: Staged) -> io::Result<Out277> {
        let (send, recv) = std::sync::mpsc::sync_channel::<Msg277>(2);
        let thread = std::thread::Builder::new()
            .name("cs-277ca".into())
            .spawn(move || {
                for msg in recv {
                    let wrote = match msg {
                        Msg277::Transaction {
                            head,
                            tx,
                            number,
                            ymd,
                        } => file
                            .out
                            .write_all(head.as_bytes())
                            .and_then(|()| write_transaction_277(&mut file.out, &tx, number, &ymd)),
                        Msg277::Text(t) => file.out.write_all(t.as_bytes()),
                    };
                    if let Err(e) = wrote {
                        file.abandon();
                        return Err(e);
                    }
                }
                Ok(file)
            })?;
        Ok(Out277 {
            send: Some(send),
            thread: Some(thread),
        })
    }

    /// Hand on; an error here is the thread's (a failed write), told on `close`.
    fn send(&mut self, msg: Msg277) -> io::Result<()> {
        if self.send.as_ref().is_some_and(|s| s.send(msg).is_ok()) {
            return Ok(());
        }
        // The thread ended early only on a failed write: that error.
        Err(self
            .close()
            .err()
            .unwrap_or_else(|| io::Error::other("the 277CA writer stopped")))
    }

    /// Wait for everything sent to be written; the file, still staged.
    fn close(&mut self) -> io::Result<Staged> {
        self.send = None;
        super::direct::join(self.thread.take(), "277CA")
    }
}

/// Dropped unclosed (a later output failed): the thread is let finish and
/// its staged file is dropped with it, which removes it.
impl Drop for Out277 {
    fn drop(&mut self) {
        self.send = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Write one 277CA transaction, ST to SE: the typed loops, then the claims'
/// loops rendered as they came (`Tx::render`; x12-types renders the 2000D
/// loops last), each after its HL segment, then SE, its count kept as the
/// loops are written. (Claims gathered as acks are among the typed loops,
/// and their groups hold no loops.)
fn write_transaction_277(out: &mut impl Write, tx: &Tx, number: u32, ymd: &str) -> io::Result<()> {
    let doc = render_277(tx, number, ymd);
    let placeholder = doc.se.to_string();
    let mut doc = doc.to_string();
    doc.truncate(doc.len() - placeholder.len());
    // The typed part's segments, the claims' loops' and SE.
    let mut segments = memchr::memchr_iter(b'~', doc.as_bytes()).count() + 1;
    out.write_all(doc.as_bytes())?;
    let mut next = 3 + tx.groups.len();
    let mut hl = String::with_capacity(32);
    for (g, group) in tx.groups.iter().enumerate() {
        let provider_hl = 3 + g;
        let mut from = 0;
        for &end in &group.ends {
            hl.clear();
            hl.push_str("HL*");
            push_decimal(&mut hl, next as u64);
            hl.push('*');
            push_decimal(&mut hl, provider_hl as u64);
            hl.push_str("*PT~\n");
            out.write_all(hl.as_bytes())?;
            out.write_all(&group.loops.as_bytes()[from..end])?;
            from = end;
            next += 1;
        }
        segments += group.ends.len() + group.segments;
    }
    let se = x::SE {
        _01: segments.to_string(),
        _02: format!("{number:04}"),
    };
    out.write_all(se.to_string().as_bytes())
}

/// What every claim's loops share, put together once.
struct Fixed {
    ymd: String,
    /// An accepted claim's STC up to its amount.
    accepted: String,
}

impl Fixed {
    fn new(ymd: &str) -> Fixed {
        Fixed {
            ymd: ymd.to_string(),
            accepted: format!("STC*A2:20*{ymd}*WQ*"),
        }
    }
}

/// The 277CA as typed x12-types segments; its claims' 2000D loops too
/// only for the claims gathered as acks (`Acks::typed_claims`), else they
/// are written as text by `claim_loops` (the same bytes, tested in
/// tests/acks.rs, at a fraction of the cost: x12-types builds a String for
/// every element).
fn render_277(tx: &Tx, number: u32, ymd: &str) -> x::_277 {
    let ymd = ymd.to_string();
    let st02 = format!("{number:04}");
    let money = |m: Money| m.to_string();
    let totals = |t: &Tally| {
        let mut qty = Vec::new();
        let mut amt = Vec::new();
        if t.acc.0 > 0 {
            qty.push(x::QTY {
                _01: el("90"),
                _02: Some(t.acc.0.to_string()),
                ..Default::default()
            });
            amt.push(x::AMT {
                _01: el("YU"),
                _02: money(t.acc.1),
                _03: None,
            });
        }
        if t.rej.0 > 0 {
            qty.push(x::QTY {
                _01: el("AA"),
                _02: Some(t.rej.0.to_string()),
                ..Default::default()
            });
            amt.push(x::AMT {
                _01: el("YY"),
                _02: money(t.rej.1),
                _03: None,
            });
        }
        (qty, amt)
    };
    let all = &tx.all;
    // HL04 on the levels with children; the patient level has none.
    let hl = |id: usize, parent: Option<usize>, level: &str, child: bool| x::HL {
        _01: id.to_string(),
        _02: parent.map(|p| p.to_string()),
        _03: el(level),
        _04: child.then(|| el("1")),
    };
    let mut doc = x::_277 {
        st: x::ST {
            _01: "277".into(),
            _02: st02.clone(),
            _03: Some("005010X214".into()),
        },
        bht: x::BHT {
            _01: el("0085"),
            _02: el("08"),
            _03: Some(if tx.reference.is_empty() {
                tx.head.control.clone()
            } else {
                tx.reference.clone()
            }),
            _04: Some(el(&ymd)),
            _05: Some(el("0000")),
            _06: Some(el("TH")),
        },
        ..Default::default()
    };
    doc.loop_2000a = x::_277Loop2000A {
        hl: hl(1, None, "20", true),
        loop_2100a: x::_277Loop2100A {
            nm1: nm1(
                "PR",
                "2",
                &or(&tx.receiver.0, "CLAIMSCRUB"),
                "",
                "46",
                &or(&tx.receiver.1, "CLAIMSCRUB"),
            ),
            trn: Some(trn("1", &tx.head.control)),
            dtp: vec![dtp("050", &ymd), dtp("009", &ymd)],
            ..Default::default()
        },
    };
    let (qty, amt) = totals(all);
    doc.loop_2000b.push(x::_277Loop2000B {
        hl: hl(2, Some(1), "21", true),
        loop_2100b: x::_277Loop2100B {
            nm1: nm1(
                "41",
                "2",
                &or(&tx.submitter.0, "SUBMITTER"),
                "",
                "46",
                &or(&tx.submitter.1, "UNKNOWN"),
            ),
            ..Default::default()
        },
        loop_2200b: vec![x::_277Loop2200B {
            trn: trn("2", &or(&tx.reference, &tx.head.control)),
            stc: vec![stc("A1:19", &ymd, "WQ", &money(all.all), None)],
            qty,
            amt,
            ..Default::default()
        }],
    });
    // Billing providers (HL 20 level of the 837) in order of first claim
    // (`Tx::add`), each with its claims' tally and, typed, its claims in
    // input order.
    let mut mine: Vec<Vec<&ClaimAck>> = vec![Vec::new(); tx.groups.len()];
    for c in &tx.claims {
        mine[c.group].push(c);
    }
    // HL ids count up in the order the loops are written: x12-types writes
    // every provider's 2000C loop before the first patient's 2000D, so the
    // providers take 3, 4, ... and the patients follow (numbered by provider
    // as they went, two providers made HL 3, 6, 4, 5, 7: out of sequence).
    let mut next = 3 + tx.groups.len();
    for (g, (group, mine)) in tx.groups.iter().zip(mine).enumerate() {
        let node = group
            .provider
            .and_then(|h| tx.hls.get(h))
            .cloned()
            .unwrap_or_default();
        let provider_hl = 3 + g;
        let (mut qty, amt) = totals(&group.tally);
        for q in &mut qty {
            q._01 = el(if q._01.to_string() == "90" {
                "QA"
            } else {
                "QC"
            });
        }
        doc.loop_2000c.push(x::_277Loop2000C {
            hl: hl(provider_hl, Some(2), "19", true),
            loop_2100c: x::_277Loop2100C {
                nm1: nm1(
                    "85",
                    "2",
                    &or(node.party.last(), "BILLING PROVIDER"),
                    "",
                    "XX",
                    &or(node.party.id(), "UNKNOWN"),
                ),
                ..Default::default()
            },
            loop_2200c: vec![x::_277Loop2200C {
                trn: Some(trn("1", "0")),
                qty,
                amt,
                ..Default::default()
            }],
        });
        for c in mine {
            let patient = c.hl.and_then(|h| tx.hls.get(h)).unwrap_or(&NO_HL);
            let (status, action, text) = match &c.reason {
                None => ("A2:20", "WQ", None),
                Some((code, msg)) => ("A7:21", "U", Some(free_text(*code, msg))),
            };
            let mut svc = Vec::new();
            if c.reason.is_some() {
                for l in c.lines.iter().filter(|l| l.reason.is_some()) {
                    let (code, msg) = l.reason.as_ref().expect("filtered");
                    let mut comp = format!("HC:{}", l.procedure);
                    for m in &l.modifiers {
                        comp.push(':');
                        comp.push_str(m);
                    }
                    svc.push(x::_277Loop2220D {
                        svc: vec![x::SVC {
                            _01: comp,
                            _02: l.charge.map(money).unwrap_or_else(|| "0".into()),
                            _07: opt(&l.units),
                            ..Default::default()
                        }],
                        stc: vec![stc("A7:21", &ymd, "U", "", Some(free_text(*code, msg)))],
                        r#ref: if l.control.is_empty() {
                            Vec::new()
                        } else {
                            vec![x::REF {
                                _01: el("FJ"),
                                _02: Some(l.control.to_string()),
                                ..Default::default()
                            }]
                        },
                        dtp: if l.date.is_empty() {
                            Vec::new()
                        } else {
                            vec![dtp("472", &l.date)]
                        },
                    });
                }
            }
            doc.loop_2000d.push(x::_277Loop2000D {
                hl: hl(next, Some(provider_hl), "PT", false),
                loop_2100d: x::_277Loop2100D {
                    nm1: x::NM1 {
                        _01: el("QC"),
                        _02: el("1"),
                        _03: Some(or(patient.party.last(), "UNKNOWN")),
                        _04: opt(patient.party.first()),
                        _08: Some(el("MI")),
                        _09: Some(or(patient.party.id(), &c.patient_id)),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                loop_2200d: vec![x::_277Loop2200D {
                    trn: vec![trn("2", &c.id)],
                    stc: vec![stc(status, &ymd, action, &money(c.charge), text)],
                    r#ref: Vec::new(),
                    dtp: if c.date.is_empty() {
                        Vec::new()
                    } else {
                        vec![dtp("472", &c.date)]
                    },
                    svc,
                }],
            });
            next += 1;
        }
    }
    doc.se = x::SE {
        // SE01 is counted on the rendered text by the caller.
        _01: "0".into(),
        _02: st02,
    };
    doc
}

impl Acks {
    pub fn finish(mut self) -> io::Result<()> {
        self.end_group()?;
        let f277 = match self.f277.take() {
            Some(mut f) => Some(f.close()?),
            None => None,
        };
        for f in [self.f999.take(), f277].into_iter().flatten() {
            f.finish()?;
        }
        Ok(())
    }

    pub fn abandon(mut self) {
        let f277 = self.f277.take().and_then(|mut f| f.close().ok());
        for f in [self.f999.take(), f277].into_iter().flatten() {
            f.abandon();
        }
    }
}

/// Claims (count, charges) accepted and rejected.
#[derive(Clone, Default)]
struct Tally {
    acc: (usize, Money),
    rej: (usize, Money),
    /// Every claim's charges, summed in input order.
    all: Money,
}

impl Tally {
    fn add(&mut self, charge: Money, rejected: bool) {
        let side = if rejected {
            &mut self.rej
        } else {
            &mut self.acc
        };
        side.0 += 1;
        side.1 = side.1 + charge;
        self.all = self.all + charge;
    }
}

fn or(s: &str, default: &str) -> String {
    if s.is_empty() {
        default.to_string()
    } else {
        s.to_string()
    }
}

/// STC12's free text: the rule code first, then its message, within the
/// element's 264 characters and with no X12 delimiter in it.
fn free_text(code: Code, msg: &str) -> String {
    const MAX: usize = 264;
    if !msg.is_ascii() {
        let clean: String = msg.chars().map(text_char).collect();
        let mut t = format!("{code} {clean}");
        t.truncate(MAX);
        return t;
    }
    // All but always: copied and fixed a byte at a time, not pushed char
    // by char (20,000 claims, every output: 2.3 -> 0.7 M instructions).
    let code = code.as_str().as_bytes();
    let mut t = Vec::with_capacity(MAX.min(code.len() + 1 + msg.len()));
    t.extend_from_slice(code);
    t.push(b' ');
    let room = MAX - t.len();
    t.extend(
        msg.bytes()
            .take(room)
            .map(|b| text_char(char::from(b)) as u8),
    );
    String::from_utf8(t).expect("ASCII")
}

/// A free-text character of a 277CA: a delimiter or a non-ASCII one is a
/// space.
fn text_char(c: char) -> char {
    if matches!(c, '*' | '~' | ':' | '^') || !c.is_ascii() {
        ' '
    } else {
        c
    }
}

fn nm1(entity: &str, kind: &str, name: &str, first: &str, qual: &str, id: &str) -> x::NM1 {
    x::NM1 {
        _01: el(entity),
        _02: el(kind),
        _03: Some(name.to_string()),
        _04: opt(first),
        _08: Some(el(qual)),
        _09: Some(id.to_string()),
        ..Default::default()
    }
}

fn trn(kind: &str, id: &str) -> x::TRN {
    x::TRN {
        _01: kind.into(),
        _02: if id.is_empty() { "0".into() } else { id.into() },
        _03: None,
        _04: None,
    }
}

fn dtp(qual: &str, ymd: &str) -> x::DTP {
    x::DTP {
        _01: el(qual),
        _02: el("D8"),
        _03: ymd.to_string(),
    }
}

/// An STC; with `text`, STC11 (empty) and STC12 (the text) follow STC10,
/// which x12-types 0.12's STC does not reach.
fn stc(status: &str, ymd: &str, action: &str, amount: &str, text: Option<String>) -> x::STC {
    x::STC {
        _01: status.into(),
        _02: Some(ymd.into()),
        _03: Some(action.into()),
        _04: opt(amount),
        _10: text.map(|t| format!("**{t}")),
        ..Default::default()
    }
}

/// An accepted claim's loops after its HL segment (`claim_loops`), from
/// its parts: the claim need not be gathered into a `ClaimAck` first.
fn accepted_loops(
    out: &mut String,
    party: &Party,
    id: &str,
    patient_id: &str,
    charge: Money,
    date: &str,
    fixed: &Fixed,
) -> usize {
    let mut segments = nm1_trn(out, party, id, patient_id);
    out.push_str(&fixed.accepted);
    charge.push_to(out);
    out.push_str("~\n");
    segments += 1;
    if !date.is_empty() {
        out.push_str("DTP*472*D8*");
        out.push_str(date);
        out.push_str("~\n");
        segments += 1;
    }
    segments
}

/// A claim's NM1 (its patient) and TRN (its CLM01): two segments.
fn nm1_trn(out: &mut String, party: &Party, id: &str, patient_id: &str) -> usize {
    // Plain pushes: `write!` cost more than the rest of the loop together.
    out.push_str("NM1*QC*1*");
    let last = party.last();
    out.push_str(if last.is_empty() { "UNKNOWN" } else { last });
    out.push('*');
    out.push_str(party.first());
    out.push_str("****MI*");
    let party_id = party.id();
    out.push_str(if party_id.is_empty() {
        patient_id
    } else {
        party_id
    });
    out.push_str("~\nTRN*2*");
    out.push_str(if id.is_empty() { "0" } else { id });
    out.push_str("~\n");
    2
}

/// One claim's 277CA loops (2000D, 2100D, 2200D and a 2220D for each line
/// in error) after its HL segment, byte for byte what x12-types renders for
/// them; the number of segments written.
fn claim_loops(out: &mut String, party: &Party, c: &ClaimAck, fixed: &Fixed) -> usize {
    let Some((code, msg)) = &c.reason else {
        return accepted_loops(out, party, &c.id, &c.patient_id, c.charge, &c.date, fixed);
    };
    let mut segments = nm1_trn(out, party, &c.id, &c.patient_id);
    write_stc(
        out,
        "A7:21",
        &fixed.ymd,
        "U",
        Some(c.charge),
        Some(&free_text(*code, msg)),
    );
    segments += 1;
    if !c.date.is_empty() {
        out.push_str("DTP*472*D8*");
        out.push_str(&c.date);
        out.push_str("~\n");
        segments += 1;
    }
    for l in c.lines.iter().filter(|l| l.reason.is_some()) {
        let (code, msg) = l.reason.as_ref().expect("filtered");
        out.push_str("SVC*HC:");
        out.push_str(&l.procedure);
        for m in &l.modifiers {
            out.push(':');
            out.push_str(m);
        }
        out.push('*');
        match l.charge {
            Some(m) => m.push_to(out),
            None => out.push('0'),
        }
        if !l.units.is_empty() {
            out.push_str("*****");
            out.push_str(&l.units);
        }
        out.push_str("~\n");
        write_stc(
            out,
            "A7:21",
            &fixed.ymd,
            "U",
            None,
            Some(&free_text(*code, msg)),
        );
        segments += 2;
        if !l.control.is_empty() {
            for part in ["REF*FJ*", &l.control, "~\n"] {
                out.push_str(part);
            }
            segments += 1;
        }
        if !l.date.is_empty() {
            for part in ["DTP*472*D8*", &l.date, "~\n"] {
                out.push_str(part);
            }
            segments += 1;
        }
    }
    segments
}

/// An STC as `stc` builds it, as text: STC12 after two empty elements.
fn write_stc(
    out: &mut String,
    status: &str,
    ymd: &str,
    action: &str,
    amount: Option<Money>,
    text: Option<&str>,
) {
    out.push_str("STC*");
    out.push_str(status);
    out.push('*');
    out.push_str(ymd);
    out.push('*');
    out.push_str(action);
    match text {
        None => {
            if let Some(m) = amount {
                out.push('*');
                m.push_to(out);
            }
        }
        Some(t) => {
            out.push('*');
            if let Some(m) = amount {
                m.push_to(out);
            }
            out.push_str("********");
            out.push_str(t);
        }
    }
    out.push_str("~\n");
}

/// CCYYMMDD, digit by digit (once a claim, in the serial stage: a format
/// string cost a thousand instructions).
fn ccyymmdd(d: NaiveDate) -> Text {
    let (y, m, day) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    let mut b = [0u8; 8];
    for (i, v) in [
        (0, y / 1000),
        (1, y / 100 % 10),
        (2, y / 10 % 10),
        (3, y % 10),
    ] {
        b[i] = b'0' + v as u8;
    }
    for (i, v) in [(4, m / 10), (5, m % 10), (6, day / 10), (7, day % 10)] {
        b[i] = b'0' + v as u8;
    }
    // SAFETY: eight ASCII digits, made just above, are UTF-8.
    Text::from(unsafe { std::str::from_utf8_unchecked(&b) })
}

fn fields(seg: &[u8], sep: u8) -> Vec<String> {
    seg.split(|&b| b == sep)
        .map(|e| String::from_utf8_lossy(e).to_string())
        .collect()
}

fn segs(raw: &RawSegs, d: Delims) -> impl Iterator<Item = &[u8]> {
    segs_in(raw.bytes(), d)
}

/// `segs` of bytes.
fn segs_in(bytes: &[u8], d: Delims) -> impl Iterator<Item = &[u8]> {
    let mut rest: &[u8] = bytes;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(d.segment, rest).unwrap_or(rest.len());
        let seg = rest[..end].trim_ascii();
        rest = rest.get(end + 1..).unwrap_or(&[]);
        if !seg.is_empty() {
            return Some(seg);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy-and-fix path for ASCII gives what the definition does: each
    /// char a delimiter or non-ASCII is a space, cut to 264 bytes.
    #[test]
    fn free_text_is_its_definition() {
        let by_char = |code: Code, msg: &str| {
            let clean: String = msg.chars().map(text_char).collect();
            let mut t = format!("{code} {clean}");
            t.truncate(264);
            t
        };
        let long = "units 4 * 15 ~ minutes: 52 ^ ".repeat(20);
        for msg in [
            "",
            "plain words",
            "59*X~a:b^c",
            "caf\u{e9} \u{1f600} ok",
            long.as_str(),
            &format!("{long}\u{e9}"),
        ] {
            assert_eq!(
                free_text(Code::M001, msg),
                by_char(Code::M001, msg),
                "{msg}"
            );
        }
        assert_eq!(free_text(Code::M006, "59*X~a:b^c"), "M006 59 X a b c");
        assert_eq!(free_text(Code::M006, "caf\u{e9}!"), "M006 caf !");
        assert_eq!(free_text(Code::M001, &long).len(), 264);
    }
}
