//! The clean and rejected files (`--clean-out`, `--rejected-out`): every
//! claim read goes to exactly one of them, in input order.
//!
//! For 837P input both are rebuilt as valid interchanges with the original
//! delimiters and control numbers: an HL left with no claim beneath it is
//! dropped, HL ids are renumbered with their parent links and HL04 child
//! codes corrected, SE01, GE01 and IEA01 are recounted, and transactions,
//! groups and interchanges left empty are dropped. For CSV input both files
//! are CSV with the original header and the claims' rows.

use std::io::{self, Write};
use std::path::Path;

use super::direct::OutFile;
use super::staging::TmpFile;

use crate::input::x12::Delims;
use crate::input::{LevelCode, RawClaim, RawEvent, RawSegs};

/// A file written beside its target and renamed into place when complete
/// (the acknowledgments use it too). Dropped unfinished, its temporary file
/// is removed (`staging::TmpFile`).
pub(crate) struct Staged {
    pub(crate) out: OutFile,
    tmp: TmpFile,
}

impl Staged {
    pub(crate) fn create(path: &Path) -> io::Result<Staged> {
        let (tmp, file) = TmpFile::create(path)?;
        Ok(Staged {
            out: OutFile::new(file)?,
            tmp,
        })
    }

    pub(crate) fn finish(self) -> io::Result<()> {
        let Staged { out, tmp } = self;
        // Written out and closed before the rename.
        out.finish()?;
        tmp.commit()
    }

    pub(crate) fn abandon(self) {}
}

/// One output (clean or rejected) and the envelope state it has written.
struct Side {
    file: Staged,
    isa_written: bool,
    groups: u32,
    gs_written: bool,
    transactions: u32,
    csv_header_written: bool,
    claims: u64,
}

enum Node {
    Hl {
        parent: Option<usize>,
        level: LevelCode,
        segments: RawSegs,
    },
    Claim {
        segments: RawSegs,
        hl: Option<usize>,
        rejected: bool,
    },
}

/// Splits the claims of a run into the clean and rejected files.
pub struct Split {
    sides: [Option<Side>; 2],
    delims: Option<Delims>,
    isa: Vec<u8>,
    gs: Vec<u8>,
    header: RawSegs,
    nodes: Vec<Node>,
    in_tx: bool,
}

const CLEAN: usize = 0;
const REJECTED: usize = 1;

impl Split {
    pub fn create(clean: Option<&Path>, rejected: Option<&Path>) -> io::Result<Split> {
        let side = |p: Option<&Path>| -> io::Result<Option<Side>> {
            p.map(|p| {
                Staged::create(p).map(|file| Side {
                    file,
                    isa_written: false,
                    groups: 0,
                    gs_written: false,
                    transactions: 0,
                    csv_header_written: false,
                    claims: 0,
                })
            })
            .transpose()
        };
        Ok(Split {
            sides: [side(clean)?, side(rejected)?],
            delims: None,
            isa: Vec::new(),
            gs: Vec::new(),
            header: RawSegs::default(),
            nodes: Vec::new(),
            in_tx: false,
        })
    }

    /// Claims written to (clean, rejected).
    pub fn counts(&self) -> (Option<u64>, Option<u64>) {
        (
            self.sides[CLEAN].as_ref().map(|s| s.claims),
            self.sides[REJECTED].as_ref().map(|s| s.claims),
        )
    }

    pub fn event(&mut self, ev: RawEvent) -> io::Result<()> {
        match ev {
            RawEvent::Interchange { isa, delims, .. } => {
                self.end_interchange()?;
                self.delims = Some(delims);
                self.isa = isa;
            }
            RawEvent::Group { gs } => {
                self.end_group()?;
                self.gs = gs;
            }
            RawEvent::Transaction { segments } => {
                self.header = segments;
                self.nodes.clear();
                self.in_tx = true;
            }
            RawEvent::Hl {
                parent,
                level,
                segments,
                ..
            } => self.nodes.push(Node::Hl {
                parent,
                level,
                segments,
            }),
            RawEvent::TransactionEnd => self.end_transaction()?,
            RawEvent::GroupEnd => self.end_group()?,
            RawEvent::InterchangeEnd => self.end_interchange()?,
            RawEvent::CsvHeader(h) => {
                for side in self.sides.iter_mut().flatten() {
                    if !side.csv_header_written {
                        write_csv_record(&mut side.file.out, &h)?;
                        side.csv_header_written = true;
                    }
                }
            }
            RawEvent::CsvRow(r) => {
                if let Some(side) = &mut self.sides[REJECTED] {
                    write_csv_record(&mut side.file.out, &r)?;
                }
            }
        }
        Ok(())
    }

    pub fn claim(&mut self, raw: RawClaim, rejected: bool) -> io::Result<()> {
        match raw {
            RawClaim::X12 { segments, hl } => {
                if self.in_tx {
                    self.nodes.push(Node::Claim {
                        segments,
                        hl,
                        rejected,
                    });
                }
            }
            RawClaim::Csv(rows) => {
                if let Some(side) = &mut self.sides[if rejected { REJECTED } else { CLEAN }] {
                    side.claims += 1;
                    for r in &rows {
                        write_csv_record(&mut side.file.out, r)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn end_transaction(&mut self) -> io::Result<()> {
        if !self.in_tx {
            return Ok(());
        }
        self.in_tx = false;
        let Some(d) = self.delims else { return Ok(()) };
        // Each HL's parent, by HL index (the same for both files).
        let parents: Vec<Option<usize>> = self
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Hl { parent, .. } => Some(*parent),
                _ => None,
            })
            .collect();
        for which in [CLEAN, REJECTED] {
            let Some(side) = &mut self.sides[which] else {
                continue;
            };
            let wanted = |r: bool| r == (which == REJECTED);
            // The HLs some wanted claim hangs from, with their ancestors.
            let mut needed = vec![false; parents.len()];
            let mut any = false;
            for n in &self.nodes {
                if let Node::Claim { hl, rejected, .. } = n {
                    if wanted(*rejected) {
                        any = true;
                        let mut at = *hl;
                        while let Some(h) = at.filter(|&h| h < needed.len() && !needed[h]) {
                            needed[h] = true;
                            at = parents[h];
                        }
                    }
                }
            }
            if !any {
                continue;
            }
            let out = &mut side.file.out;
            if !side.isa_written {
                segment(out, &self.isa, d)?;
                side.isa_written = true;
            }
            if !side.gs_written {
                segment(out, &self.gs, d)?;
                side.gs_written = true;
                side.groups += 1;
            }
            // New HL ids, in order, for the HLs kept.
            let mut new_id = vec![0u32; needed.len()];
            let mut next = 0;
            for (h, keep) in needed.iter().enumerate() {
                if *keep {
                    next += 1;
                    new_id[h] = next;
                }
            }
            let mut has_child = vec![false; needed.len()];
            for c in (0..needed.len()).filter(|&c| needed[c]) {
                if let Some(p) = parents[c] {
                    has_child[p] = true;
                }
            }
            out.write_all(self.header.bytes())?;
            let mut count = self.header.count;
            let mut hl_seg = Vec::with_capacity(64);
            let mut hl_index = 0;
            for n in &self.nodes {
                match n {
                    Node::Hl {
                        parent,
                        level,
                        segments,
                    } => {
                        let h = hl_index;
                        hl_index += 1;
                        if !needed[h] {
                            continue;
                        }
                        // HL*id*parent*level*child, put together here and
                        // written once (bytes, not chars: a delimiter may be
                        // any byte).
                        let e = d.element;
                        let mut digits = itoa::Buffer::new();
                        hl_seg.clear();
                        hl_seg.extend_from_slice(b"HL");
                        hl_seg.push(e);
                        hl_seg.extend_from_slice(digits.format(new_id[h]).as_bytes());
                        hl_seg.push(e);
                        if let Some(p) = parent {
                            hl_seg.extend_from_slice(digits.format(new_id[*p]).as_bytes());
                        }
                        hl_seg.push(e);
                        hl_seg.extend_from_slice(level.as_bytes());
                        hl_seg.push(e);
                        hl_seg.push(if has_child[h] { b'1' } else { b'0' });
                        hl_seg.push(d.segment);
                        hl_seg.extend_from_slice(d.eol);
                        out.write_all(&hl_seg)?;
                        out.write_all(segments.bytes())?;
                        count += 1 + segments.count;
                    }
                    Node::Claim {
                        segments, rejected, ..
                    } if wanted(*rejected) => {
                        side.claims += 1;
                        out.write_all(segments.bytes())?;
                        count += segments.count;
                    }
                    Node::Claim { .. } => {}
                }
            }
            let st02 = element(self.header.first(&d), d.element, 2);
            count += 1;
            let se = [
                b"SE".as_slice(),
                &[d.element],
                count.to_string().as_bytes(),
                &[d.element],
                st02,
            ]
            .concat();
            segment(out, &se, d)?;
            side.transactions += 1;
        }
        self.nodes.clear();
        Ok(())
    }

    fn end_group(&mut self) -> io::Result<()> {
        self.end_transaction()?;
        let Some(d) = self.delims else { return Ok(()) };
        let gs06 = element(&self.gs, d.element, 6).to_vec();
        for side in self.sides.iter_mut().flatten() {
            if side.gs_written {
                let ge = [
                    b"GE".as_slice(),
                    &[d.element],
                    side.transactions.to_string().as_bytes(),
                    &[d.element],
                    &gs06,
                ]
                .concat();
                segment(&mut side.file.out, &ge, d)?;
                side.gs_written = false;
                side.transactions = 0;
            }
        }
        Ok(())
    }

    fn end_interchange(&mut self) -> io::Result<()> {
        self.end_group()?;
        let Some(d) = self.delims else { return Ok(()) };
        let isa13 = element(&self.isa, d.element, 13).to_vec();
        for side in self.sides.iter_mut().flatten() {
            if side.isa_written {
                let iea = [
                    b"IEA".as_slice(),
                    &[d.element],
                    side.groups.to_string().as_bytes(),
                    &[d.element],
                    &isa13,
                ]
                .concat();
                segment(&mut side.file.out, &iea, d)?;
                side.isa_written = false;
                side.groups = 0;
            }
        }
        Ok(())
    }

    /// Close what is open and move the files into place.
    pub fn finish(mut self) -> io::Result<()> {
        self.end_interchange()?;
        for side in self.sides.into_iter().flatten() {
            side.file.finish()?;
        }
        Ok(())
    }

    pub fn abandon(self) {
        for side in self.sides.into_iter().flatten() {
            side.file.abandon();
        }
    }
}

fn segment(out: &mut impl Write, bytes: &[u8], d: Delims) -> io::Result<()> {
    out.write_all(bytes)?;
    out.write_all(&[d.segment])?;
    out.write_all(d.eol)
}

fn element(seg: &[u8], sep: u8, n: usize) -> &[u8] {
    seg.split(|&b| b == sep).nth(n).unwrap_or(&[])
}

fn write_csv_record(out: &mut impl Write, r: &csv::ByteRecord) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_byte_record(r).map_err(io::Error::other)?;
    w.flush()
}
