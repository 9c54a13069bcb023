//! The CSV export reader: headers (with aliases) → columns, consecutive rows
//! of one claim id → one `Claim`.
//!
//! Owns everything that knows CSV headers, and the X008/X009 findings. A
//! row that cannot be read rejects the claim it names (X008) and reading
//! goes on; a claim id that comes back after other claims is X009.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::sync::Arc;

use super::csv_rows::Row;
use super::{trim, ClaimSource, Item, Limits, Piece, RawClaim, RawEvent, ReadClaim, ReadStats};
use crate::finding::{Code, Finding, Severity};
use crate::model::{
    parse_date, Available, Claim, LinePlace, Modifiers, Money, Origin, OriginKind, Payer, Provider,
    ServiceDate, ServiceLine, Text, Units,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    ClaimId,
    PatientId,
    DateOfService,
    Procedure,
    Units,
    Modifiers,
    Modifier(usize),
    Minutes,
    StartTime,
    EndTime,
    Charge,
    ClaimTotal,
    PayerId,
    FilingIndicator,
    BillingNpi,
    RenderingNpi,
    RenderingTaxonomy,
    PlaceOfService,
    DiagnosisCodes,
    DiagnosisPointers,
    LineControl,
    Note,
    Goal,
}

const REQUIRED: [(Col, &str); 5] = [
    (Col::ClaimId, "claim_id"),
    (Col::PatientId, "patient_id"),
    (Col::DateOfService, "date_of_service"),
    (Col::Procedure, "procedure_code"),
    (Col::Units, "units"),
];

/// Claims in the start of a CSV export (`head`; `whole` when it is the
/// whole file): the claim id changing from row to row, and the bytes those
/// rows take. `None` without a claim id column. A sample's last row may be
/// cut short: it is left out, and so is the claim it would start.
pub(crate) fn sample_claims(head: &[u8], whole: bool) -> Option<(u64, u64)> {
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut rec = ::csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).ok()? {
        return None;
    }
    let id = rec
        .iter()
        .position(|h| column(&String::from_utf8_lossy(h)) == Some(Col::ClaimId))?;
    let start = rdr.position().byte();
    let (mut claims, mut end, mut last) = (0u64, start, Vec::new());
    let mut pending: Option<(bool, u64)> = None;
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        // The row before this one was whole: count it.
        if let Some((new, at)) = pending.take() {
            claims += u64::from(new);
            end = at;
        }
        let this = rec.get(id).unwrap_or_default();
        let new = this != last.as_slice();
        if new {
            last.clear();
            last.extend_from_slice(this);
        }
        pending = Some((new, rdr.position().byte()));
    }
    if let Some((new, at)) = pending.filter(|_| whole) {
        claims += u64::from(new);
        end = at;
    }
    Some((claims, end - start))
}

/// A header name → column, matched case-insensitively ignoring spaces, `_`, `-`.
fn column(header: &str) -> Option<Col> {
    let n: String = header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match n.as_str() {
        "claimid" | "claim" | "claimnumber" | "encounterid" => Col::ClaimId,
        "patientid" | "memberid" | "subscriberid" => Col::PatientId,
        "dateofservice" | "dos" | "servicedate" => Col::DateOfService,
        "procedurecode" | "cpt" | "hcpcs" | "code" => Col::Procedure,
        "units" => Col::Units,
        "modifiers" => Col::Modifiers,
        "modifier1" | "mod1" => Col::Modifier(0),
        "modifier2" | "mod2" => Col::Modifier(1),
        "modifier3" | "mod3" => Col::Modifier(2),
        "modifier4" | "mod4" => Col::Modifier(3),
        "minutes" => Col::Minutes,
        "starttime" => Col::StartTime,
        "endtime" => Col::EndTime,
        "charge" => Col::Charge,
        "claimtotal" => Col::ClaimTotal,
        "payerid" => Col::PayerId,
        "claimfilingindicator" => Col::FilingIndicator,
        "billingnpi" => Col::BillingNpi,
        "renderingnpi" => Col::RenderingNpi,
        "renderingtaxonomy" => Col::RenderingTaxonomy,
        "placeofservice" => Col::PlaceOfService,
        "diagnosiscodes" => Col::DiagnosisCodes,
        "diagnosispointers" => Col::DiagnosisPointers,
        "linecontrol" => Col::LineControl,
        "note" => Col::Note,
        "goal" => Col::Goal,
        _ => return None,
    })
}

/// Separators of list columns (modifiers, diagnosis codes and pointers).
fn split_list(s: &str) -> impl Iterator<Item = &str> {
    // Split at the bytes, not the chars: a split by a set of chars decoded
    // every char of every list (modifiers and pointers on every row).
    s.as_bytes()
        .split(|b| matches!(b, b' ' | b',' | b':' | b';'))
        .filter(|x| !x.is_empty())
        // SAFETY: `s` is UTF-8 and split only at ASCII bytes, which never
        // stand inside a character: each piece is UTF-8.
        .map(|x| unsafe { std::str::from_utf8_unchecked(x) })
}

/// HH:MM (24-hour) → minutes after midnight.
fn clock(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    // `then`, not `then_some`: the sum must not be computed for an hour
    // out of range (a huge hour overflowed it).
    (h < 24 && m < 60).then(|| h * 60 + m)
}

/// Where the header put each known column: what a checker needs to turn
/// rows into claims.
struct Shape {
    /// Index of each known column in the record.
    index: [Option<usize>; 32],
    header_len: usize,
    max_record: usize,
    /// Keep each claim's rows (and rows of no claim) for the clean and
    /// rejected files.
    keep_raw: bool,
}

impl Shape {
    fn of(&self, c: Col) -> Option<usize> {
        self.index[slot(c)]
    }
}

/// The reader: the header, then rows. The rows are read here (the CSV
/// parse, by `csv_rows::Rows`, and the claim boundaries, X009 with them)
/// and handed on in jobs of whole claims (`CsvJob`); turning a job's rows
/// into claims runs on the checkers (`CsvJob::parse`). On the reader's
/// thread, the one serial stage of a CSV run, that was two fifths of the
/// work.
pub struct CsvReader<R: Read> {
    file: Arc<str>,
    rdr: super::csv_rows::Rows<R>,
    cols: Vec<Option<Col>>,
    shape: Arc<Shape>,
    available: Available,
    /// A row read but not yet put in a job (it starts the next one): its
    /// bytes and its fields' ends in them.
    pending: Pending,
    carry: Vec<u8>,
    carry_ends: Vec<usize>,
    /// The last job's fields and rows: the next one's lists are made that
    /// size at once (grown by doubling from nothing, a job's list of field
    /// ends was copied a dozen times: 19 M instructions of a 20,000-claim
    /// run, 3%).
    last_sizes: (usize, usize),
    row: u64,
    /// The claim id of the claim the rows are on, if one is open.
    open: Option<Text>,
    /// Hashes of claim ids already seen (X009; an id is seen again only
    /// after its claim is finished: rows that continue it are its own). A
    /// ledger table, looked up a job's new ids at a time with their slots
    /// fetched ahead: a 1,000,000-claim set outgrows the caches, and a
    /// lookup and an insert a claim, each waiting on memory, were a tenth of
    /// a CSV run's samples, on the reading thread.
    seen: crate::rules::key_map::KeyMap<()>,
    out: VecDeque<Item>,
    stats: ReadStats,
    done: bool,
    /// The header is handed on (`RawEvent::CsvHeader`) for the outputs;
    /// the rows only with `Limits::segments` (`Shape::keep_raw`).
    keep_header: bool,
}

/// About how many bytes of fields a job holds before it ends at the next
/// claim: 128 KiB, about 150 claims of the generated export with notes and
/// 450 without, a batch of its own (as the 512 claims of a batch were when
/// the reader built them).
const JOB_BYTES: usize = 1 << 17;

fn slot(c: Col) -> usize {
    match c {
        Col::ClaimId => 0,
        Col::PatientId => 1,
        Col::DateOfService => 2,
        Col::Procedure => 3,
        Col::Units => 4,
        Col::Modifiers => 5,
        Col::Modifier(i) => 6 + i,
        Col::Minutes => 10,
        Col::StartTime => 11,
        Col::EndTime => 12,
        Col::Charge => 13,
        Col::ClaimTotal => 14,
        Col::PayerId => 15,
        Col::FilingIndicator => 16,
        Col::BillingNpi => 17,
        Col::RenderingNpi => 18,
        Col::RenderingTaxonomy => 19,
        Col::PlaceOfService => 20,
        Col::DiagnosisCodes => 21,
        Col::DiagnosisPointers => 22,
        Col::LineControl => 23,
        Col::Note => 24,
        Col::Goal => 25,
    }
}

impl<R: Read> CsvReader<R> {
    pub fn new(file: Arc<str>, src: R, limits: Limits) -> Self {
        let rdr = super::csv_rows::Rows::new(src, limits.max_record);
        let mut r = CsvReader {
            file,
            rdr,
            cols: Vec::new(),
            shape: Arc::new(Shape {
                index: [None; 32],
                header_len: 0,
                max_record: limits.max_record,
                keep_raw: limits.keep_raw && limits.segments,
            }),
            available: Available::NONE,
            pending: Pending::No,
            carry: Vec::new(),
            carry_ends: Vec::new(),
            last_sizes: (0, 0),
            row: 0,
            open: None,
            seen: crate::rules::key_map::KeyMap::with_capacity(limits.claims.max(1 << 12)),
            out: VecDeque::new(),
            stats: ReadStats::default(),
            done: false,
            keep_header: limits.keep_raw,
        };
        r.read_header();
        r
    }

    fn origin(&self, row: u64) -> Origin {
        Origin {
            file: self.file.clone(),
            kind: OriginKind::Csv { row },
        }
    }

    fn read_header(&mut self) {
        let mut header = csv::ByteRecord::new();
        match self.rdr.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                let f = Finding::new(
                    Code::X008,
                    Severity::Error,
                    "empty CSV: no header row (row 1 is missing)",
                )
                .at(self.origin(1));
                self.out.push_back(Item::Finding(f));
                self.done = true;
                return;
            }
            Err(e) => {
                let f = Finding::new(
                    Code::X008,
                    Severity::Error,
                    format!("CSV header unreadable: {e}"),
                )
                .at(self.origin(1));
                self.out.push_back(Item::Finding(f));
                self.done = true;
                return;
            }
        }
        self.row = 1;
        let keep_raw = self.shape.keep_raw;
        let mut index = [None; 32];
        if self.keep_header {
            self.out
                .push_back(Item::Raw(RawEvent::CsvHeader(header.clone())));
        }
        for (i, h) in header.iter().enumerate() {
            let c = column(&String::from_utf8_lossy(h));
            if let Some(c) = c {
                index[slot(c)].get_or_insert(i);
            }
            self.cols.push(c);
        }
        self.shape = Arc::new(Shape {
            index,
            header_len: header.len(),
            max_record: self.shape.max_record,
            keep_raw,
        });
        let has = |c: Col| index[slot(c)].is_some();
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|(c, _)| !has(*c))
            .map(|(_, n)| *n)
            .collect();
        if !missing.is_empty() {
            // Count the rows left unread so the summary can say what was lost.
            let mut rows = 0u64;
            let mut rec = csv::ByteRecord::new();
            loop {
                match self.rdr.next_row() {
                    Ok(Row::End) | Err(_) => break,
                    // A row over the size limit is not held.
                    Ok(Row::Long { .. }) => {}
                    Ok(row) => {
                        if keep_raw {
                            rec.clear();
                            row.to_record(&mut rec);
                            self.out.push_back(Item::Raw(RawEvent::CsvRow(rec.clone())));
                        }
                    }
                }
                rows += 1;
            }
            self.stats.records = rows;
            let msg = format!(
                "CSV header lacks required column(s) {}: none of the file's {rows} row(s) can be read",
                missing.join(", ")
            );
            let f = Finding::new(Code::X008, Severity::Error, msg).at(self.origin(1));
            self.out.push_back(Item::Finding(f));
            self.done = true;
            return;
        }
        let mods = has(Col::Modifiers) || (0..4).any(|i| has(Col::Modifier(i)));
        self.available = Available {
            modifiers: mods,
            charge: has(Col::Charge),
            claim_total: has(Col::ClaimTotal),
            diagnosis_pointers: has(Col::DiagnosisPointers) && has(Col::DiagnosisCodes),
            unit_basis: false,
            npi: has(Col::BillingNpi) || has(Col::RenderingNpi),
            taxonomy: has(Col::RenderingTaxonomy),
            minutes: has(Col::Minutes) || (has(Col::StartTime) && has(Col::EndTime)),
            notes: has(Col::Note),
            goals: has(Col::Goal),
        };
    }

    /// The rows up to the end of the first claim after `JOB_BYTES`: a job
    /// of whole claims, with what only reading in order can tell (the row
    /// numbers, whether a claim id came back, rows the CSV parse refused).
    fn job(&mut self) -> Option<CsvJob> {
        let mut job = CsvJob {
            file: self.file.clone(),
            shape: self.shape.clone(),
            bytes: Vec::with_capacity(JOB_BYTES + (JOB_BYTES >> 2)),
            ends: Vec::with_capacity(self.last_sizes.0 + (self.last_sizes.0 >> 3)),
            marks: Vec::with_capacity(self.last_sizes.1 + (self.last_sizes.1 >> 3)),
        };
        // Rows that start a claim: their mark, and their id's hash.
        let mut new_ids: Vec<(usize, u64)> = Vec::with_capacity(self.last_sizes.1 / 2);
        while !self.done {
            // The row, put in the job as it stands: a plain line (its fields
            // are what lies between its commas), or a record's fields end to
            // end.
            let (start, first_end) = (job.bytes.len(), job.ends.len());
            let (comma, ascii, long) = match std::mem::replace(&mut self.pending, Pending::No) {
                Pending::Row { comma, ascii, long } => {
                    job.bytes.extend_from_slice(&self.carry);
                    job.ends.extend(self.carry_ends.iter().map(|e| start + e));
                    (comma, ascii, long)
                }
                Pending::No => {
                    let read = self.rdr.next_row();
                    if !matches!(read, Ok(Row::End)) {
                        self.row += 1;
                    }
                    match read {
                        Ok(Row::Plain(line)) => {
                            self.stats.records += 1;
                            job.bytes.extend_from_slice(line);
                            // Eight bytes at a time: fields are short, and
                            // a search call for each comma cost more than a
                            // byte at a time (this function was a tenth of a
                            // CSV run's samples with that loop).
                            let ascii = super::swar::each(line, b',', |i| job.ends.push(start + i));
                            job.ends.push(job.bytes.len());
                            (true, ascii, None)
                        }
                        Ok(Row::Fields(bytes, ends)) => {
                            self.stats.records += 1;
                            job.bytes.extend_from_slice(bytes);
                            job.ends.extend(ends.iter().map(|e| start + e));
                            (false, false, None)
                        }
                        Ok(Row::Long {
                            bytes,
                            ends,
                            size,
                            fields,
                        }) => {
                            // Its held fields only (its claim id among them,
                            // unless that comes late in a long row).
                            self.stats.records += 1;
                            job.bytes.extend_from_slice(bytes);
                            job.ends.extend(ends.iter().map(|e| start + e));
                            (false, false, Some(Box::new(Long { size, fields })))
                        }
                        Ok(Row::End) => {
                            self.done = true;
                            break;
                        }
                        Err(e) => {
                            // An I/O error: nothing after it can be read
                            // (the row it ended is one with no fields). A
                            // row that is not UTF-8 is read, and its fields
                            // replaced.
                            job.marks.push(Mark::Unreadable {
                                row: self.row,
                                message: format!("CSV unreadable: {e}"),
                            });
                            self.close();
                            self.done = true;
                            (false, false, None)
                        }
                    }
                }
            };
            let fields = job.ends.len() - first_end;
            // As the checker will: a row on another claim id ends the open
            // claim and (unless its id is empty: then it is unusable)
            // starts a new one.
            let field = self.shape.of(Col::ClaimId).and_then(|i| {
                let (from, end) = span(start, &job.ends[first_end..], usize::from(comma), i)?;
                Some(&job.bytes[from..end])
            });
            // Compared as it stands; made a claim id only when it is new.
            let id_str = claim_id_str(field, ascii);
            let same = self
                .open
                .as_ref()
                .is_some_and(|open| open.as_str() == id_str);
            if !same && start >= JOB_BYTES {
                self.carry.clear();
                self.carry.extend_from_slice(&job.bytes[start..]);
                self.carry_ends.clear();
                self.carry_ends
                    .extend(job.ends[first_end..].iter().map(|e| e - start));
                job.bytes.truncate(start);
                job.ends.truncate(first_end);
                self.pending = Pending::Row { comma, ascii, long };
                break;
            }
            if !same {
                self.close();
                let id = Text::from(id_str);
                if !id.is_empty() {
                    new_ids.push((job.marks.len(), hash(&id)));
                    self.open = Some(id);
                }
            }
            job.marks.push(Mark::Row {
                row: self.row,
                start,
                fields,
                again: false,
                comma,
                ascii,
                long,
            });
        }
        // The job's new claim ids, in order: each seen before starts a
        // claim again (X009). Slots fetched some ids ahead of their lookup.
        const AHEAD: usize = 16;
        for &(_, h) in new_ids.iter().take(AHEAD) {
            self.seen.prefetch(h);
        }
        for (k, &(mark, h)) in new_ids.iter().enumerate() {
            if let Some(&(_, next)) = new_ids.get(k + AHEAD) {
                self.seen.prefetch(next);
            }
            if self.seen.entry(h).1 {
                if let Some(Mark::Row { again, .. }) = job.marks.get_mut(mark) {
                    *again = true;
                }
            }
        }
        self.last_sizes = (job.ends.len(), job.marks.len());
        (!job.marks.is_empty()).then_some(job)
    }

    /// The open claim is finished (its id is in `seen` since it opened).
    fn close(&mut self) {
        self.open = None;
    }
}

/// Whether two short texts (claim ids) are the same, byte by byte in line
/// (a call to memcmp a row was 3% of a CSV run's samples).
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A claim id field as the claim will have it (`ascii`: its row's bytes
/// are all ASCII).
fn claim_id_str(field: Option<&[u8]>, ascii: bool) -> &str {
    let field = field.map(|b| {
        trim(if ascii {
            debug_assert!(b.is_ascii());
            // SAFETY: ASCII is UTF-8.
            unsafe { std::str::from_utf8_unchecked(b) }
        } else {
            std::str::from_utf8(b).unwrap_or("\u{fffd}")
        })
    });
    field.unwrap_or("")
}

/// A row read and not yet in a job (`comma`: a line as it stood).
enum Pending {
    No,
    Row {
        comma: bool,
        ascii: bool,
        long: Option<Box<Long>>,
    },
}

/// A row over the record size limit: its fields' bytes (commas and quotes
/// not counted) and its fields, of which only the first are held.
struct Long {
    size: usize,
    fields: usize,
}

/// Rows of whole claims, read in order by the reader and turned into
/// claims by a checker: `parse` gives what the reader's own iterator gives
/// for them.
pub struct CsvJob {
    file: Arc<str>,
    shape: Arc<Shape>,
    /// The rows' fields, end to end.
    bytes: Vec<u8>,
    /// Where each field ends in `bytes`.
    ends: Vec<usize>,
    marks: Vec<Mark>,
}

enum Mark {
    /// A row: its number, where its fields start in `bytes` and how many
    /// there are (the next of `ends`), and whether it starts a claim whose
    /// id was finished before (X009).
    Row {
        row: u64,
        start: usize,
        fields: usize,
        again: bool,
        /// The row is a line as it stood: a comma after each field but the
        /// last.
        comma: bool,
        /// Every byte of the row is ASCII (known for a line as it stood).
        ascii: bool,
        /// The row is over the record size limit (its first fields held).
        long: Option<Box<Long>>,
    },
    /// Where reading stopped: the input could not be read further.
    Unreadable { row: u64, message: String },
}

impl CsvJob {
    /// About how many input bytes the job stands for (to size batches).
    pub fn weight(&self) -> usize {
        self.bytes.len() + self.ends.len()
    }

    /// The job's claims and findings (and rows, when kept) in input order.
    /// Its rows were counted by the reader.
    pub fn parse(self) -> (Vec<Item>, ReadStats) {
        // A fresh copy of the name: every origin clones it, and an Arc
        // counted from two threads at once costs a cache line's trip.
        let file: Arc<str> = Arc::from(&*self.file);
        let mut b = Builder {
            file,
            shape: &self.shape,
            current: None,
            out: Vec::with_capacity(self.marks.len()),
        };
        let mut k = 0;
        for m in self.marks {
            match m {
                Mark::Row {
                    row,
                    start,
                    fields,
                    again,
                    comma,
                    ascii,
                    long,
                } => {
                    let ends = &self.ends[k..k + fields];
                    k += fields;
                    let end = ends.last().copied().unwrap_or(start);
                    let bytes = &self.bytes[start..end];
                    let f = Fields {
                        ascii,
                        text: if ascii {
                            debug_assert!(bytes.is_ascii());
                            // SAFETY: ASCII is UTF-8.
                            Some(unsafe { std::str::from_utf8_unchecked(bytes) })
                        } else {
                            std::str::from_utf8(bytes).ok()
                        },
                        bytes,
                        start,
                        ends,
                        sep: usize::from(comma),
                        long: long.as_deref(),
                    };
                    b.row(row, &f, again);
                }
                Mark::Unreadable { row, message } => {
                    let f = Finding::new(Code::X008, Severity::Error, message).at(b.origin(row));
                    match &mut b.current {
                        Some(c) => c.findings.push(f),
                        None => b.out.push(Item::Finding(f)),
                    }
                }
            }
        }
        b.finish_claim();
        (b.out, ReadStats::default())
    }
}

/// Where field `i` of a row is in a job's bytes: the row starts at
/// `start`, its fields end at `ends`, `sep` bytes (a comma, or none) before
/// each field but the first.
fn span(start: usize, ends: &[usize], sep: usize, i: usize) -> Option<(usize, usize)> {
    let e = *ends.get(i)?;
    let s = if i == 0 { start } else { ends[i - 1] + sep };
    Some((s, e))
}

/// One row's fields, in a job's bytes.
struct Fields<'a> {
    /// The row's bytes when all of them are UTF-8 (checked once for the
    /// row, not once per field).
    text: Option<&'a str>,
    /// Every byte of the row is ASCII: any stretch of it is text as it
    /// stands (a field need not be checked for character boundaries).
    ascii: bool,
    bytes: &'a [u8],
    /// Where the row starts in the job's bytes, and its fields end.
    start: usize,
    ends: &'a [usize],
    /// Bytes between a field's end and the next's start (a comma, or none).
    sep: usize,
    /// The row is over the record size limit: these are its first fields.
    long: Option<&'a Long>,
}

impl Fields<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The row's fields, and their bytes (without the commas between
    /// them), in all.
    fn size(&self) -> (usize, usize) {
        match self.long {
            Some(l) => (l.fields, l.size),
            None => (
                self.len(),
                self.bytes.len() - self.sep * self.len().saturating_sub(1),
            ),
        }
    }

    /// Where field `i` is in the row's bytes.
    fn span(&self, i: usize) -> Option<(usize, usize)> {
        let (s, e) = span(self.start, self.ends, self.sep, i)?;
        Some((s - self.start, e - self.start))
    }

    /// Field `i`, trimmed; a field that is not UTF-8 reads as U+FFFD.
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        let (s, e) = self.span(i)?;
        // A field that starts or ends inside a character of a row that is
        // UTF-8 as a whole is not UTF-8 on its own.
        let text = match self.text {
            Some(_) if self.ascii => {
                let b = &self.bytes[s..e];
                debug_assert!(b.is_ascii());
                // SAFETY: every byte of the row is ASCII, and ASCII is UTF-8.
                Some(unsafe { std::str::from_utf8_unchecked(b) })
            }
            Some(t) => t.get(s..e),
            None => std::str::from_utf8(&self.bytes[s..e]).ok(),
        };
        Some(trim(text.unwrap_or("\u{fffd}")))
    }

    /// The row as the csv crate reads one (for the clean and rejected files).
    fn record(&self) -> csv::ByteRecord {
        let mut r = csv::ByteRecord::with_capacity(self.bytes.len(), self.len());
        for i in 0..self.len() {
            let (s, e) = self.span(i).expect("a field of the row");
            r.push_field(&self.bytes[s..e]);
        }
        r
    }
}

/// Turns a job's rows into claims, in order.
struct Builder<'a> {
    file: Arc<str>,
    shape: &'a Shape,
    /// Boxed from the start: a claim is some 400 bytes, and boxed when it
    /// ended it was copied whole (callgrind, 20,000 CSV claims: 416.5 ->
    /// 414.5 M instructions).
    current: Option<Box<ReadClaim>>,
    out: Vec<Item>,
}

impl Builder<'_> {
    fn origin(&self, row: u64) -> Origin {
        Origin {
            file: self.file.clone(),
            kind: OriginKind::Csv { row },
        }
    }

    #[inline]
    fn field<'f>(&self, f: &'f Fields<'_>, c: Col) -> Option<&'f str> {
        f.get(self.shape.of(c)?)
    }

    fn text(&self, f: &Fields<'_>, c: Col) -> Text {
        Text::from(self.field(f, c).unwrap_or(""))
    }

    fn finish_claim(&mut self) {
        if let Some(c) = self.current.take() {
            self.out.push(Item::Claim(c));
        }
    }

    /// One data row.
    fn row(&mut self, row: u64, f: &Fields<'_>, again: bool) {
        // Compared as it stands (most rows continue the open claim): made a
        // claim id only for a new claim.
        let claim_id = self.field(f, Col::ClaimId).unwrap_or("");
        let same = self
            .current
            .as_ref()
            .is_some_and(|c| same_text(&c.claim.id, claim_id));
        if !same && !claim_id.is_empty() {
            self.finish_claim();
            let mut findings = Vec::new();
            if again {
                let msg = format!(
                    "claim id {claim_id} seen again after other claims: its rows are not together"
                );
                findings.push(Finding::new(Code::X009, Severity::Error, msg).at(self.origin(row)));
            }
            let total = match self.field(f, Col::ClaimTotal) {
                Some(t) if !t.is_empty() => Money::parse(t),
                _ => None,
            };
            let diagnoses = self
                .field(f, Col::DiagnosisCodes)
                .map(|d| split_list(d).map(Text::from).collect())
                .unwrap_or_default();
            let claim = Claim {
                id: claim_id.into(),
                total,
                patient_id: self.text(f, Col::PatientId),
                payer: Payer {
                    id: self.text(f, Col::PayerId),
                    filing_indicator: self.text(f, Col::FilingIndicator),
                },
                billing: Provider {
                    npi: self.text(f, Col::BillingNpi),
                    taxonomy: String::new().into(),
                },
                rendering: None,
                diagnoses,
                lines: Vec::new(),
                origin: self.origin(row),
                incomplete: false,
            };
            let raw = self.shape.keep_raw.then(|| RawClaim::Csv(Vec::new()));
            self.current = Some(Box::new(ReadClaim {
                claim,
                findings,
                raw,
            }));
        }
        match self.line(row, f) {
            Ok(line) => {
                let c = self.current.as_mut().expect("a claim is open");
                let mut line = line;
                line.number = c.claim.lines.len() as u32 + 1;
                c.claim.lines.push(line);
            }
            Err(why) => {
                let finding = Finding::new(Code::X008, Severity::Error, why).at(self.origin(row));
                match (&mut self.current, claim_id.is_empty()) {
                    (Some(c), false) => {
                        c.claim.incomplete = true;
                        c.findings.push(finding);
                    }
                    _ => {
                        self.finish_claim();
                        self.out.push(Item::Finding(finding));
                    }
                }
            }
        }
        // A row over the record size limit is skipped (as an 837P segment
        // over it is): not held whole, it is not written out.
        if self.shape.keep_raw && f.long.is_none() && f.size().1 <= self.shape.max_record {
            let rec = f.record();
            match self.current.as_mut().and_then(|c| c.raw.as_mut()) {
                Some(RawClaim::Csv(rows)) if !claim_id.is_empty() => rows.push(rec),
                _ => self.out.push(Item::Raw(RawEvent::CsvRow(rec))),
            }
        }
    }

    /// The row's service line, or why the row is unusable.
    fn line(&self, row: u64, f: &Fields<'_>) -> Result<ServiceLine, String> {
        let (fields, bytes) = f.size();
        if fields != self.shape.header_len {
            return Err(format!(
                "row has {fields} fields; the header has {}",
                self.shape.header_len
            ));
        }
        if bytes > self.shape.max_record {
            return Err(format!(
                "row of {bytes} bytes is over the record size limit ({} bytes): skipped",
                self.shape.max_record
            ));
        }
        for (c, name) in REQUIRED {
            if self.field(f, c).is_none_or(str::is_empty) {
                return Err(format!("required column {name} is empty"));
            }
        }
        let dos = self.field(f, Col::DateOfService).unwrap_or("");
        // A claim's rows mostly share a date: the row before's, where its
        // text is the same.
        let before = self
            .current
            .as_ref()
            .and_then(|c| c.claim.lines.last())
            .filter(|l| l.date.raw == dos)
            .and_then(|l| l.date.date);
        let date = match before {
            Some(d) => d,
            None => parse_date(dos).ok_or_else(|| {
                format!(
                    "date_of_service `{dos}` is not a date (YYYY-MM-DD, MM/DD/YYYY or CCYYMMDD)"
                )
            })?,
        };
        let units_raw = self.field(f, Col::Units).unwrap_or("");
        let units = Units::parse(units_raw);
        if units.value.is_none() {
            return Err(format!("units `{units_raw}` is not a number"));
        }
        let mut minutes = match self.field(f, Col::Minutes) {
            Some(m) if !m.is_empty() => Some(
                m.parse::<u32>()
                    .map_err(|_| format!("minutes `{m}` is not a whole number"))?,
            ),
            _ => None,
        };
        if minutes.is_none() {
            if let (Some(s), Some(e)) = (self.field(f, Col::StartTime), self.field(f, Col::EndTime))
            {
                if !s.is_empty() || !e.is_empty() {
                    let a = clock(s).ok_or_else(|| format!("start_time `{s}` is not HH:MM"))?;
                    let b = clock(e).ok_or_else(|| format!("end_time `{e}` is not HH:MM"))?;
                    if b < a {
                        return Err(format!("end_time {e} is before start_time {s}"));
                    }
                    minutes = Some(b - a);
                }
            }
        }
        let charge = match self.field(f, Col::Charge) {
            Some(c) if !c.is_empty() => {
                Some(Money::parse(c).ok_or_else(|| format!("charge `{c}` is not an amount"))?)
            }
            _ => None,
        };
        let upper = |s: &str| {
            let mut t = Text::from(s);
            t.make_ascii_uppercase();
            t
        };
        // Pushed one by one (collected, they went through the generic
        // extend of a list of unknown length).
        let mut modifiers = crate::model::Texts::new();
        for m in split_list(self.field(f, Col::Modifiers).unwrap_or("")) {
            modifiers.push(upper(m));
        }
        for i in 0..4 {
            if let Some(m) = self.field(f, Col::Modifier(i)).filter(|m| !m.is_empty()) {
                modifiers.push(upper(m));
            }
        }
        let mut diagnosis_pointers = crate::model::Pointers::new();
        for p in split_list(self.field(f, Col::DiagnosisPointers).unwrap_or("")) {
            diagnosis_pointers.push(p.into());
        }
        let rendering = self
            .field(f, Col::RenderingNpi)
            .filter(|n| !n.is_empty())
            .map(|npi| Provider {
                npi: npi.into(),
                taxonomy: self.text(f, Col::RenderingTaxonomy),
            });
        Ok(ServiceLine {
            number: 0,
            control: self.text(f, Col::LineControl),
            procedure: upper(self.field(f, Col::Procedure).unwrap_or("")),
            modifiers: Modifiers(modifiers),
            charge,
            unit_basis: String::new().into(),
            units,
            minutes,
            date: ServiceDate {
                raw: dos.into(),
                date: Some(date),
                is_range: false,
            },
            diagnosis_pointers,
            rendering,
            place_of_service: self.text(f, Col::PlaceOfService),
            note: self.field(f, Col::Note).map(Box::from),
            goal: self.field(f, Col::Goal).map(Box::from),
            place: LinePlace::Csv { row },
        })
    }
}

fn hash(s: &str) -> u64 {
    let mut h = crate::rules::key_hasher();
    s.hash(&mut h);
    h.finish()
}

impl<R: Read> Iterator for CsvReader<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                return Some(item);
            }
            let job = self.job()?;
            self.out.extend(job.parse().0);
        }
    }
}

impl<R: Read + Send> ClaimSource for CsvReader<R> {
    fn available(&self) -> Available {
        self.available
    }

    fn stats(&self) -> ReadStats {
        self.stats.clone()
    }

    fn next_piece(&mut self) -> Option<Piece> {
        if let Some(item) = self.out.pop_front() {
            return Some(Piece::Item(item));
        }
        self.job().map(Piece::Rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Item> {
        read_bytes(text.as_bytes())
    }

    fn read_bytes(bytes: &[u8]) -> Vec<Item> {
        CsvReader::new(Arc::from("t.csv"), bytes, Limits::default()).collect()
    }

    fn claims(items: &[Item]) -> Vec<&ReadClaim> {
        items.iter().filter_map(Item::claim).collect()
    }

    /// A list splits as a split by its separator chars does, non-ASCII
    /// text included.
    #[test]
    fn a_list_splits_at_its_separators() {
        for s in [
            "",
            "GP",
            "GP 59",
            "GP,59;KX:XE",
            ",,GP  ,;59:",
            "Ü1:ñ2;日本 x",
            " : ; , ",
            "a\u{a0}b c",
        ] {
            let by_chars: Vec<&str> = s
                .split([' ', ',', ':', ';'])
                .filter(|x| !x.is_empty())
                .collect();
            assert_eq!(split_list(s).collect::<Vec<_>>(), by_chars, "{s:?}");
        }
    }

    #[test]
    fn clock_reads_hh_mm_and_refuses_the_rest() {
        assert_eq!(clock("09:31"), Some(571));
        assert_eq!(clock(" 23:59 "), Some(1439));
        assert_eq!(clock("0:00"), Some(0));
        for bad in ["24:00", "12:60", "", ":", "12", "a:b", "-1:00"] {
            assert_eq!(clock(bad), None, "{bad:?}");
        }
        // An hour that overflows when multiplied by 60 is refused, not a
        // panic (the property test found 4294967295:00's kind).
        assert_eq!(clock("4294967295:00"), None);
        assert_eq!(clock("71582789:00"), None);
    }

    #[test]
    fn aliases_dates_modifiers_and_times() {
        let items = read(
            "Claim Number,Member-ID,DOS,CPT,Units,Mod1,mod2,Start_Time,End Time,Charge\n\
             C1,P1,03/09/2026,97530,2,gp,59,09:00,09:31,90.00\n\
             C1,P1,20260309,97110,1,GP,,09:31,09:45,45\n\
             C2,P2,2026-03-10,97530,1,GO,,,,45\n",
        );
        let cs = claims(&items);
        assert_eq!(cs.len(), 2);
        let c1 = &cs[0].claim;
        assert_eq!(c1.id, "C1");
        assert_eq!(c1.patient_id, "P1");
        assert_eq!(c1.lines.len(), 2);
        assert_eq!(c1.lines[0].modifiers.0[..], ["GP", "59"]);
        assert_eq!(c1.lines[0].minutes, Some(31));
        assert_eq!(c1.lines[1].minutes, Some(14));
        assert_eq!(c1.lines[1].number, 2);
        assert_eq!(c1.lines[0].date.iso(), "2026-03-09");
        assert_eq!(c1.lines[0].charge, Some(Money(9000)));
        assert_eq!(cs[1].claim.lines[0].minutes, None);
        assert!(cs.iter().all(|c| c.findings.is_empty()));
    }

    /// A row's date is the row before's where the text is the same, and
    /// read anew where it differs: each line's date is its own text's, and a
    /// bad date after a good one is still unusable (X008).
    #[test]
    fn a_date_shared_by_rows_reads_as_each_rows_own() {
        let dates = [
            "2026-03-10",
            "2026-03-10",
            "03/11/2026",
            "03/11/2026",
            "2026-03-10",
            "20260312",
        ];
        let mut text = "claim_id,patient_id,date_of_service,procedure_code,units\n".to_string();
        for d in dates {
            text.push_str(&format!("C1,P1,{d},97530,1\n"));
        }
        text.push_str("C1,P1,2026-02-30,97530,1\n");
        let items = read(&text);
        let cs = claims(&items);
        let lines = &cs[0].claim.lines;
        assert_eq!(lines.len(), dates.len());
        for (l, d) in lines.iter().zip(dates) {
            assert_eq!(
                (l.date.raw.as_str(), l.date.date),
                (d, parse_date(d)),
                "{d}"
            );
        }
        assert!(
            cs[0]
                .findings
                .iter()
                .any(|f| f.code == Code::X008 && f.message.contains("2026-02-30")),
            "{:?}",
            cs[0].findings
        );
    }

    #[test]
    fn a_field_not_utf8_is_replaced_and_the_rows_around_it_read_whole() {
        // Latin-1 "é" (0xE9) in C2's patient id; C1 and C3 are UTF-8.
        let mut bytes = b"claim_id,patient_id,date_of_service,procedure_code,units,note\n".to_vec();
        bytes.extend_from_slice("C1,Zoë,2026-03-09,97530,1,\"sit \u{d7}3, min A\"\n".as_bytes());
        bytes.extend_from_slice(b"C2,Jos\xe9,2026-03-09,97530,2,ok\n");
        bytes.extend_from_slice(b"C3,P3,2026-03-09,97530,3, x \n");
        let items = read_bytes(&bytes);
        let cs = claims(&items);
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[0].claim.patient_id, "Zoë");
        assert_eq!(
            cs[0].claim.lines[0].note.as_deref(),
            Some("sit \u{d7}3, min A")
        );
        assert_eq!(cs[1].claim.patient_id, "\u{fffd}");
        assert_eq!(cs[1].claim.lines[0].units.raw, "2");
        assert_eq!(cs[1].claim.lines[0].note.as_deref(), Some("ok"));
        assert_eq!(cs[2].claim.patient_id, "P3");
        assert_eq!(cs[2].claim.lines[0].note.as_deref(), Some("x"));
    }

    #[test]
    fn one_modifier_column_with_separators() {
        let items = read("claim_id,patient_id,date_of_service,procedure_code,units,modifiers\nC1,P1,2026-03-09,97530,1,GP;59 KX:CQ\n");
        assert_eq!(
            claims(&items)[0].claim.lines[0].modifiers.0[..],
            ["GP", "59", "KX", "CQ"]
        );
        // More than the four a line holds in place: all kept, in order
        // (M010 and the report see every one).
        let items = read("claim_id,patient_id,date_of_service,procedure_code,units,modifiers,diagnosis_codes,diagnosis_pointers\nC1,P1,2026-03-09,97530,1,GP 59 KX CQ XU GA,A B C D E,1 2 3 4 5\n");
        let line = &claims(&items)[0].claim.lines[0];
        assert_eq!(line.modifiers.0[..], ["GP", "59", "KX", "CQ", "XU", "GA"]);
        assert_eq!(line.modifiers.joined(), "GP 59 KX CQ XU GA");
        assert_eq!(line.diagnosis_pointers[..], ["1", "2", "3", "4", "5"]);
    }

    #[test]
    fn bad_rows_reject_their_claim_and_reading_goes_on() {
        let items = read(
            "claim_id,patient_id,date_of_service,procedure_code,units\n\
             C1,P1,2026-02-30,97530,1\n\
             C1,P1,2026-02-27,97530,x\n\
             C2,P1,2026-02-27,97530,1,extra\n\
             ,P1,2026-02-27,97530,1\n\
             C3,P1,2026-02-27,97530,1\n",
        );
        let cs = claims(&items);
        assert_eq!(
            cs.iter().map(|c| c.claim.id.as_str()).collect::<Vec<_>>(),
            ["C1", "C2", "C3"]
        );
        let codes: Vec<(Code, String)> = cs[0]
            .findings
            .iter()
            .map(|f| (f.code, f.origin.as_ref().unwrap().describe()))
            .collect();
        assert_eq!(
            codes,
            [(Code::X008, "row 2".into()), (Code::X008, "row 3".into())]
        );
        assert!(
            cs[1].findings[0].message.contains("6 fields"),
            "{:?}",
            cs[1].findings
        );
        let standalone: Vec<&Finding> = items
            .iter()
            .filter_map(|i| match i {
                Item::Finding(f) => Some(f),
                _ => None,
            })
            .collect();
        assert_eq!(standalone.len(), 1);
        assert!(standalone[0].message.contains("claim_id is empty"));
        assert!(cs[2].findings.is_empty());
    }

    #[test]
    fn claim_rows_apart_is_x009() {
        let items = read("claim_id,patient_id,date_of_service,procedure_code,units\nC1,P,2026-01-02,97530,1\nC2,P,2026-01-02,97530,1\nC1,P,2026-01-02,97530,1\n");
        let cs = claims(&items);
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[2].findings[0].code, Code::X009);
        assert!(cs[0].findings.is_empty() && cs[1].findings.is_empty());
    }

    #[test]
    fn missing_required_column_is_one_finding_with_row_count() {
        let items = read("claim_id,patient_id,date_of_service,procedure_code\nC1,P,2026-01-02,97530\nC2,P,2026-01-02,97530\n");
        assert_eq!(items.len(), 1);
        let Item::Finding(f) = &items[0] else {
            panic!()
        };
        assert_eq!(f.code, Code::X008);
        assert!(
            f.message.contains("units") && f.message.contains("2 row(s)"),
            "{}",
            f.message
        );
    }

    /// `rows` rows a claim, claims C0..C{n}, each row's note `note_len`
    /// bytes long.
    fn export(claims: usize, rows: usize, note_len: usize) -> String {
        let mut s = String::from("claim_id,patient_id,date_of_service,procedure_code,units,note\n");
        let note = "n".repeat(note_len);
        for c in 0..claims {
            for _ in 0..rows {
                s.push_str(&format!("C{c},P,2026-01-02,97530,1,\"{note}, min A\"\n"));
            }
        }
        s
    }

    /// A row over the record size limit is counted and told with its row,
    /// its claim rejected, and neither held whole nor written out; the
    /// rows after it read as they are.
    #[test]
    fn a_row_over_the_size_limit_is_told_and_skipped() {
        let limits = Limits {
            max_record: 1000,
            keep_raw: true,
            segments: true,
            ..Limits::default()
        };
        for quote in ["", "\""] {
            let mut text =
                String::from("claim_id,patient_id,date_of_service,procedure_code,units,note\n");
            text.push_str("C1,P,2026-01-02,97530,1,fine\n");
            text.push_str(&format!(
                "C1,P,2026-01-02,97530,1,{quote}{}{quote}\n",
                "x".repeat(3_000_000)
            ));
            text.push_str(&format!("C1,P,2026-01-02,97530,1,{}\n", ",".repeat(1999)));
            text.push_str("C2,P,2026-01-02,97530,1,fine\n");
            let mut r = CsvReader::new(Arc::from("t.csv"), text.as_bytes(), limits);
            let mut items = Vec::new();
            while let Some(piece) = r.next_piece() {
                items.extend(piece.into_items().0);
            }
            assert_eq!(r.stats().records, 4);
            let cs = claims(&items);
            assert_eq!(cs.len(), 2);
            let told: Vec<(String, String)> = cs[0]
                .findings
                .iter()
                .map(|f| (f.origin.as_ref().unwrap().describe(), f.message.to_string()))
                .collect();
            assert_eq!(
                told,
                [
                    (
                        "row 3".to_string(),
                        "row of 3000019 bytes is over the record size limit (1000 bytes): skipped"
                            .to_string()
                    ),
                    (
                        "row 4".to_string(),
                        "row has 2005 fields; the header has 6".to_string()
                    ),
                ]
            );
            assert_eq!(cs[0].claim.lines.len(), 1);
            assert!(cs[0].claim.incomplete);
            let held = |c: &ReadClaim| match &c.raw {
                Some(RawClaim::Csv(rows)) => {
                    rows.iter().map(|r| r.as_slice().len()).collect::<Vec<_>>()
                }
                _ => panic!("rows kept"),
            };
            assert_eq!(held(cs[0]), [23, 19], "rows 2 and 4 held whole");
            assert_eq!(held(cs[1]), [23]);
        }
        // A header over the limit: nothing can be read.
        let text = format!("claim_id,{}\nC1\n", "h".repeat(5000));
        let items: Vec<Item> =
            CsvReader::new(Arc::from("t.csv"), text.as_bytes(), limits).collect();
        assert_eq!(items.len(), 1, "{items:?}");
        let Item::Finding(f) = &items[0] else {
            panic!("a finding")
        };
        assert_eq!(
            f.message,
            "CSV header unreadable: a record of 2 field(s) and 5008 bytes is over the record size limit"
        );
    }

    #[test]
    fn claims_stay_whole_across_jobs_and_jobs_read_as_the_iterator() {
        // About 1.2 MB of rows: ten jobs or so.
        let text = export(400, 3, 1000);
        let mut r = CsvReader::new(Arc::from("t.csv"), text.as_bytes(), Limits::default());
        let mut jobs = 0;
        let mut items = Vec::new();
        while let Some(piece) = r.next_piece() {
            jobs += usize::from(matches!(piece, Piece::Rows(_)));
            items.extend(piece.into_items().0);
        }
        assert!(jobs >= 8, "{jobs} jobs");
        assert_eq!(r.stats().records, 1200);
        let cs = claims(&items);
        assert_eq!(cs.len(), 400);
        for (k, c) in cs.iter().enumerate() {
            assert_eq!(c.claim.id, format!("C{k}"));
            assert_eq!(c.claim.lines.len(), 3, "{}", c.claim.id);
            assert!(c.findings.is_empty(), "{:?}", c.findings);
            let rows: Vec<String> = c
                .claim
                .lines
                .iter()
                .map(|l| c.claim.line_location(l))
                .collect();
            assert_eq!(
                rows,
                (0..3)
                    .map(|i| format!("row {}", 3 * k + i + 2))
                    .collect::<Vec<_>>()
            );
        }
        let by_iter = read(&text);
        assert_eq!(by_iter.len(), items.len());
        for (a, b) in claims(&by_iter).iter().zip(&cs) {
            assert_eq!(format!("{:?}", a.claim), format!("{:?}", b.claim));
        }
    }

    #[test]
    fn a_claim_id_back_after_a_job_is_still_x009() {
        let mut text = export(300, 1, 1000);
        text.push_str("C0,P,2026-01-02,97530,1,again\n");
        let items = read(&text);
        let cs = claims(&items);
        assert_eq!(cs.len(), 301);
        assert_eq!(cs[300].claim.id, "C0");
        assert_eq!(cs[300].findings.len(), 1);
        assert_eq!(cs[300].findings[0].code, Code::X009);
        assert!(cs[..300].iter().all(|c| c.findings.is_empty()));
    }

    #[test]
    fn a_character_split_between_two_fields_is_in_neither() {
        // The two fields end to end are "×" (C3 97); each alone is not UTF-8.
        let mut bytes =
            b"claim_id,patient_id,date_of_service,procedure_code,units,note\nC1,P".to_vec();
        bytes.extend_from_slice(b"\xC3,\x97,97530,1,ok\n");
        let items = read_bytes(&bytes);
        let cs = claims(&items);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].claim.patient_id, "\u{fffd}");
        assert_eq!(cs[0].findings[0].code, Code::X008);
        assert!(
            cs[0].findings[0].message.contains("date_of_service"),
            "{:?}",
            cs[0].findings
        );
    }

    /// A source that fails after its first `ok` bytes.
    struct Failing {
        data: Vec<u8>,
        at: usize,
        ok: usize,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.at >= self.ok {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = buf.len().min(self.ok - self.at).min(7);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_is_told_on_the_open_claim_and_ends_the_file() {
        let text = export(3, 2, 10);
        // Fail inside claim C1's second row.
        let ok =
            text.find("C1,").unwrap() + text[text.find("C1,").unwrap()..].find('\n').unwrap() + 5;
        let src = Failing {
            data: text.into_bytes(),
            at: 0,
            ok,
        };
        let items: Vec<Item> = CsvReader::new(Arc::from("t.csv"), src, Limits::default()).collect();
        let cs = claims(&items);
        assert_eq!(
            cs.iter().map(|c| c.claim.id.as_str()).collect::<Vec<_>>(),
            ["C0", "C1"]
        );
        assert!(cs[0].findings.is_empty());
        assert_eq!(cs[1].claim.lines.len(), 1);
        assert_eq!(cs[1].findings.len(), 1);
        assert_eq!(cs[1].findings[0].code, Code::X008);
        assert!(
            cs[1].findings[0].message.contains("disk gone"),
            "{:?}",
            cs[1].findings
        );
    }

    #[test]
    fn bom_and_crlf() {
        let items = read("\u{feff}claim_id,patient_id,date_of_service,procedure_code,units\r\nC1,P,2026-01-02,97530,1\r\n");
        let cs = claims(&items);
        assert_eq!(cs.len(), 1);
        assert!(cs[0].findings.is_empty());
        assert_eq!(cs[0].claim.lines[0].units.whole(), Some(1));
    }
}
