//! Reading claims: format sniffing and the two readers (`x12`, `csv`).
//!
//! Owns turning bytes into `model::Claim`s and the findings about the file
//! itself (the X rules). It does not check claims (that is `rules`). Only
//! `input::x12` knows X12 segment names; only `input::csv` knows headers.

pub mod csv;
mod csv_rows;
pub mod minutes;
mod swar;
pub mod x12;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::finding::Finding;
use crate::model::{Available, Claim, Text};

/// Limits a reader keeps to so that memory stays bounded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest segment (X12) or record (CSV) read, in bytes.
    pub max_record: usize,
    /// Keep each claim's input (and the structure around it) for the clean
    /// and rejected files.
    pub keep_raw: bool,
    /// With `keep_raw`: read the party each HL loop names (`Party`), for
    /// the 277CA.
    pub parties: bool,
    /// With `keep_raw`: keep the claims' own segments (CSV rows) and their
    /// loops', for the clean and rejected files. Without it only the
    /// structure is kept (envelopes, transaction headers, HL levels), which
    /// is all the acknowledgments need.
    pub segments: bool,
    /// Input bytes of one 837P transaction held in memory; past this, the
    /// transaction goes to a scratch file as it is read, and comes back
    /// from it in windows when parsed (`crate::scratch`).
    pub max_held: usize,
    /// Claims the input is expected to hold (`claims_hint`; 0 when not
    /// known), to size the reader's tables once rather than grow them.
    pub claims: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record: 1 << 20,
            keep_raw: false,
            parties: false,
            segments: false,
            max_held: 32 << 20,
            claims: 0,
        }
    }
}

/// A claim as read, with what the reader found wrong about it.
#[derive(Debug)]
pub struct ReadClaim {
    pub claim: Claim,
    pub findings: Vec<Finding>,
    /// The claim's own input, kept when clean/rejected files are written.
    pub raw: Option<RawClaim>,
}

/// A claim's input as it stood, for the clean and rejected files.
#[derive(Debug, Clone)]
pub enum RawClaim {
    /// Its segments (without terminators) from CLM up to the next HL, CLM
    /// or SE, and the index of its HL among the transaction's HLs.
    X12 {
        segments: RawSegs,
        hl: Option<usize>,
    },
    /// Its CSV records.
    Csv(Vec<::csv::ByteRecord>),
}

/// Segments as they stood, each followed by its terminator and line end,
/// end to end. Parsed from a transaction job, they are a stretch of the
/// job's own buffer (shared, not copied: a claim costs no copy of its
/// bytes); built any other way, one buffer of their own.
#[derive(Clone, Default)]
pub struct RawSegs {
    data: RawData,
    pub count: u32,
}

/// The segments as they stand, not how they are stored (shared or owned).
impl std::fmt::Debug for RawSegs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSegs")
            .field("bytes", &String::from_utf8_lossy(self.bytes()))
            .field("count", &self.count)
            .finish()
    }
}

#[derive(Debug, Clone)]
enum RawData {
    Owned(Vec<u8>),
    Shared(Arc<x12::RawBuf>, u32, u32),
}

impl Default for RawData {
    fn default() -> Self {
        RawData::Owned(Vec::new())
    }
}

impl RawSegs {
    /// The segments' bytes, terminators and line ends included.
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            RawData::Owned(v) => v,
            RawData::Shared(buf, a, b) => &buf.bytes()[*a as usize..*b as usize],
        }
    }

    pub fn push(&mut self, segment: &[u8], delims: &x12::Delims) {
        let v = self.owned();
        v.extend_from_slice(segment);
        v.push(delims.segment);
        v.extend_from_slice(delims.eol);
        self.count += 1;
    }

    /// Add the segment at `from..to` of `buf` (its terminator and line end
    /// included): the stretch grows where the segment follows it, as the
    /// segments of a claim, a loop or a header do.
    pub(crate) fn push_shared(&mut self, buf: &Arc<x12::RawBuf>, from: u32, to: u32) {
        self.push_shared_run(buf, from, to, 1);
    }

    /// Add `n` segments that stand together at `from..to` of `buf`.
    pub(crate) fn push_shared_run(&mut self, buf: &Arc<x12::RawBuf>, from: u32, to: u32, n: u32) {
        match &mut self.data {
            RawData::Shared(b, _, end) if *end == from && Arc::ptr_eq(b, buf) => *end = to,
            RawData::Owned(v) if v.is_empty() => {
                self.data = RawData::Shared(buf.clone(), from, to);
            }
            _ => self
                .owned()
                .extend_from_slice(&buf.bytes()[from as usize..to as usize]),
        }
        self.count += n;
    }

    /// Its bytes as a buffer of its own (copied out of a shared one).
    fn owned(&mut self) -> &mut Vec<u8> {
        if let RawData::Shared(buf, a, b) = &self.data {
            let v = buf.bytes()[*a as usize..*b as usize].to_vec();
            self.data = RawData::Owned(v);
        }
        match &mut self.data {
            RawData::Owned(v) => v,
            RawData::Shared(..) => unreachable!("made owned above"),
        }
    }

    /// The first segment, without its terminator.
    pub fn first(&self, delims: &x12::Delims) -> &[u8] {
        self.bytes()
            .split(|&b| b == delims.segment)
            .next()
            .unwrap_or(&[])
    }
}

/// An HL's level code (HL03) as it stood: held in place when short (it is
/// one or two characters in a valid file), so that an HL costs no
/// allocation; kept whole when longer.
#[derive(Debug, Clone)]
pub enum LevelCode {
    Short([u8; 15], u8),
    Long(Box<[u8]>),
}

impl LevelCode {
    pub fn new(b: &[u8]) -> LevelCode {
        let mut short = [0u8; 15];
        match short.get_mut(..b.len()) {
            Some(s) => {
                s.copy_from_slice(b);
                LevelCode::Short(short, b.len() as u8)
            }
            None => LevelCode::Long(b.into()),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            LevelCode::Short(b, n) => &b[..usize::from(*n)],
            LevelCode::Long(b) => b,
        }
    }
}

/// The party an HL's loop names, as the 277CA echoes it: its billing
/// provider, subscriber or patient (which wins over the others). Read by
/// the X12 reader from the loop's segments while they are kept, on the
/// thread that parses them (`x12::note_party`).
///
/// Its last name, first name and id are held end to end in one text: inline
/// (no allocation) where they come to 24 bytes, as a subscriber's mostly
/// do; three texts in a box cost an allocation a claim on the checker and
/// its free on another thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    text: Text,
    first_at: u32,
    id_at: u32,
}

impl Party {
    /// No one named.
    pub const NONE: Party = Party {
        text: Text::const_new(""),
        first_at: 0,
        id_at: 0,
    };

    pub fn new(last: &str, first: &str, id: &str) -> Party {
        let len = last.len() + first.len() + id.len();
        let text = if len <= 24 {
            // Put together on the stack and copied in once (pushed part by
            // part, the text checked where it was held at every push).
            let mut b = [0u8; 24];
            let mut at = 0;
            for part in [last, first, id] {
                b[at..at + part.len()].copy_from_slice(part.as_bytes());
                at += part.len();
            }
            // SAFETY: three whole strs end to end are UTF-8.
            Text::from(unsafe { std::str::from_utf8_unchecked(&b[..len]) })
        } else {
            Text::from([last, first, id].concat())
        };
        // An element is within a segment, and a segment within 2 GiB.
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Party {
            text,
            first_at: at(last.len()),
            id_at: at(last.len() + first.len()),
        }
    }

    pub fn last(&self) -> &str {
        self.text.get(..self.first_at as usize).unwrap_or_default()
    }

    pub fn first(&self) -> &str {
        let (from, to) = (self.first_at as usize, self.id_at as usize);
        self.text.get(from..to).unwrap_or_default()
    }

    pub fn id(&self) -> &str {
        self.text.get(self.id_at as usize..).unwrap_or_default()
    }
}

/// The structure around the claims, in input order, for rebuilding files.
#[derive(Debug, Clone)]
pub enum RawEvent {
    Interchange {
        isa: Vec<u8>,
        delims: x12::Delims,
        eol: &'static [u8],
    },
    Group {
        gs: Vec<u8>,
    },
    /// ST and the header segments before the first HL.
    Transaction {
        segments: RawSegs,
    },
    /// An HL (its own segment first) and the segments of its loop before
    /// the first claim; `parent` is the index of its parent HL.
    Hl {
        parent: Option<usize>,
        level: LevelCode,
        segments: RawSegs,
        /// The party the loop names, read from its segments as they are
        /// kept (for the 277CA).
        party: Option<Party>,
    },
    TransactionEnd,
    GroupEnd,
    InterchangeEnd,
    CsvHeader(::csv::ByteRecord),
    /// A CSV row that belongs to no claim (its claim id is empty).
    CsvRow(::csv::ByteRecord),
}

/// What a reader yields, in input order.
// Claims are nearly every item: boxing them would add an allocation per
// claim on the hot path to shrink the rare finding variant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item {
    /// Boxed: items move through several queues, and a claim is large.
    Claim(Box<ReadClaim>),
    /// A finding about the file, an interchange, group or transaction that
    /// belongs to no single claim. Its `origin` is set.
    Finding(Finding),
    /// Input structure, only when `Limits::keep_raw` is set.
    Raw(RawEvent),
}

impl Item {
    /// The claim, if this item is one (`items.iter().filter_map(Item::claim)`).
    pub fn claim(&self) -> Option<&ReadClaim> {
        match self {
            Item::Claim(c) => Some(c),
            _ => None,
        }
    }
}

/// What a reader hands the pipeline: an item ready as it is, or a stretch
/// of input whose parsing may run on any thread (an 837P transaction, or
/// the rows of whole claims of a CSV export).
/// Parsing the deferred pieces in order gives exactly the items of the
/// reader's own iterator.
#[allow(clippy::large_enum_variant)]
pub enum Piece {
    Item(Item),
    /// A parsed transaction's items, in order, as one piece: handed on as
    /// items one by one, each went through a queue of pieces twice its size.
    Items(Vec<Item>),
    Deferred(x12::TxJob),
    Rows(csv::CsvJob),
}

impl Piece {
    /// The piece's items in input order (parsing a deferred one), and the
    /// counts its parsing adds.
    pub fn into_items(self) -> (Vec<Item>, ReadStats) {
        match self {
            Piece::Item(i) => (vec![i], ReadStats::default()),
            Piece::Items(v) => (v, ReadStats::default()),
            Piece::Deferred(job) => job.parse(),
            Piece::Rows(job) => job.parse(),
        }
    }

    /// About how many input bytes the piece stands for (to size batches).
    pub fn weight(&self) -> usize {
        match self {
            Piece::Item(_) => 512,
            Piece::Items(v) => 512 * v.len(),
            Piece::Deferred(job) => job.weight(),
            Piece::Rows(job) => job.weight(),
        }
    }
}

/// Counts a reader keeps besides its claims.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Transactions skipped whole (X007) and the CLM segments they held.
    pub transactions_skipped: u64,
    pub claims_skipped: u64,
    /// Input rows (CSV) or segments (X12) read.
    pub records: u64,
}

impl ReadStats {
    pub fn add(&mut self, o: &ReadStats) {
        self.transactions_skipped += o.transactions_skipped;
        self.claims_skipped += o.claims_skipped;
        self.records += o.records;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    X12,
    Csv,
}

/// A source of claims: an iterator of `Item`s plus what it could give.
pub trait ClaimSource: Iterator<Item = Item> + Send {
    fn available(&self) -> Available;
    /// Counts so far; with `next_piece`, not those of the deferred pieces
    /// (their `parse` returns them).
    fn stats(&self) -> ReadStats;
    /// The next piece, leaving the parsing of deferred pieces to the caller
    /// (and its threads). Use either this or the iterator, not both.
    fn next_piece(&mut self) -> Option<Piece> {
        self.next().map(Piece::Item)
    }
}

/// A `Read` that counts the bytes it hands out (for the progress bar).
pub struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Why an input could not be opened at all (a fatal error: exit 2).
#[derive(Debug)]
pub struct OpenError {
    pub path: String,
    pub cause: String,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path, self.cause)
    }
}

impl std::error::Error for OpenError {}

/// Open `path` (`-` for stdin), decide its format from its first bytes, and
/// return a claim source. `count` receives the bytes read.
pub fn open(
    path: &str,
    limits: Limits,
    count: Arc<AtomicU64>,
) -> Result<Box<dyn ClaimSource>, OpenError> {
    let err = |cause: String| OpenError {
        path: path.to_string(),
        cause,
    };
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err(err("is a directory".into()));
        }
        Box::new(File::open(p).map_err(|e| err(e.to_string()))?)
    };
    // Count the bytes of the file itself (the progress bar's unit), then
    // decompress a `.gz` on the fly.
    let counted = Counted { inner: raw, count };
    let gz = path.to_ascii_lowercase().ends_with(".gz");
    let inner: Box<dyn Read + Send> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            256 << 10,
            counted,
        )))
    } else {
        Box::new(counted)
    };
    let mut reader = BufReader::with_capacity(256 << 10, inner);
    let head = reader.fill_buf().map_err(|e| err(e.to_string()))?;
    let name = if gz { &path[..path.len() - 3] } else { path };
    let format = sniff(head, name);
    let file: Arc<str> = Arc::from(path);
    Ok(match format {
        Format::X12 => Box::new(x12::X12Reader::new(file, reader, limits)),
        Format::Csv => Box::new(csv::CsvReader::new(file, reader, limits)),
    })
}

/// About how many claims a file holds, to size the batch ledger's tables
/// before the first claim: its claims in the first MiB (an 837P's `CLM`
/// segments, a CSV export's claim ids changing from row to row), scaled to
/// its size (the whole count for a smaller file; a table has room for a
/// seventh more than it is told). Real 837P claims run from 400 to over
/// 1,000 bytes, and a CSV export's from 300 to 900 with notes: a size per
/// claim would size a table for twice or three times the claims of some
/// files. Without a count (no ISA, no claim id column), 430 bytes an 837P
/// claim and 300 a CSV one. A compressed file or stdin counts for little or
/// nothing: the tables grow as claims come.
pub fn claims_hint(path: &str) -> usize {
    const SAMPLE: usize = 1 << 20;
    if path == "-" {
        return 0;
    }
    // Only a regular file is opened and read ahead: what is read from a
    // pipe (`<(zcat …)`, `/dev/stdin`) is gone for the reader, and opening
    // a named pipe waits for, and pairs with, its writer.
    let len = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        _ => return 0,
    };
    let Ok(f) = File::open(path) else {
        return 0;
    };
    let mut head = Vec::with_capacity(SAMPLE.min(len as usize));
    if f.take(SAMPLE as u64).read_to_end(&mut head).is_err() {
        return 0;
    }
    let whole = head.len() as u64 >= len;
    let (claims, bytes) = match sniff(&head, path) {
        Format::Csv => csv::sample_claims(&head, whole).unwrap_or((len / 300, len)),
        Format::X12 => match count_claims(&head) {
            0 => (len / 430, len),
            n => (n as u64, head.len() as u64),
        },
    };
    let est = if whole || bytes == 0 {
        claims
    } else {
        (len as f64 * claims as f64 / bytes as f64) as u64
    };
    usize::try_from(est).unwrap_or(usize::MAX)
}

/// `CLM` segments in the start of an interchange (its ISA gives the element
/// separator and the segment terminator).
fn count_claims(head: &[u8]) -> usize {
    let h = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let h = h.trim_ascii_start();
    let (Some(&element), Some(&terminator)) = (h.get(3), h.get(105)) else {
        return 0;
    };
    if !h.starts_with(b"ISA") {
        return 0;
    }
    memchr::memmem::find_iter(h, &[b'C', b'L', b'M', element])
        .filter(|&i| {
            let before = h[..i].trim_ascii_end();
            before.last() == Some(&terminator)
        })
        .count()
}

/// X12 when the first non-blank bytes are `ISA` (after an optional UTF-8
/// BOM); CSV when the name ends in `.csv` or the first line holds a comma;
/// otherwise X12, whose reader then says why the file is not an interchange.
pub fn sniff(head: &[u8], path: &str) -> Format {
    let h = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = h
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(h.len());
    if h[start..].starts_with(b"ISA") {
        return Format::X12;
    }
    if path.to_ascii_lowercase().ends_with(".csv") {
        return Format::Csv;
    }
    let first_line = h.split(|&b| b == b'\n').next().unwrap_or(&[]);
    if !h.is_empty() && first_line.contains(&b',') && !first_line.contains(&0) {
        Format::Csv
    } else {
        Format::X12
    }
}

pub(crate) use crate::model::trim;

/// A source that gives at most `.1` bytes a read (for readers' tests: the
/// same input in reads of any size).
#[cfg(test)]
pub(crate) struct Reads<'a>(pub &'a [u8], pub usize);

#[cfg(test)]
impl Read for Reads<'_> {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(self.1).min(b.len());
        b[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A party's three parts come back as given: empty ones, non-ASCII
    /// ones, and parts that together pass the 24 bytes held inline.
    #[test]
    fn a_partys_parts_come_back_as_given() {
        for (last, first, id) in [
            ("RIVERA", "ANA", "M000000000"),
            ("", "", ""),
            ("", "ANA", ""),
            ("RIVERA", "", "M1"),
            ("SYNTHETIC REHAB GROUP", "", "1840330892"),
            ("MÜLLER-LÜDENSCHEIDT", "JOSÉ", "ÄÖÜ"),
        ] {
            let p = Party::new(last, first, id);
            assert_eq!((p.last(), p.first(), p.id()), (last, first, id));
        }
        let none = Party::NONE;
        assert_eq!((none.last(), none.first(), none.id()), ("", "", ""));
        assert_eq!(Party::default(), Party::NONE);
    }

    #[test]
    fn claims_are_estimated_from_a_sample_or_the_size() {
        /// The folder, removed when the test ends, passed or failed.
        struct Gone(std::path::PathBuf);
        impl Drop for Gone {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
        let gone = Gone(std::env::temp_dir().join(format!("cs-hint-{}", std::process::id())));
        let dir = &gone.0;
        std::fs::create_dir_all(dir).unwrap();
        let x12 = dir.join("a.txt");
        let csv = dir.join("b.txt");
        std::fs::write(&x12, format!("ISA*00*{}", " ".repeat(4293))).unwrap();
        std::fs::write(&csv, format!("procedure,units\n{}", "x".repeat(2985))).unwrap();
        assert_eq!(
            claims_hint(x12.to_str().unwrap()),
            10,
            "837P: 430 bytes a claim"
        );
        assert_eq!(
            claims_hint(csv.to_str().unwrap()),
            10,
            "CSV without a claim id column: 300 bytes a claim"
        );
        // An 837P is sampled: every claim of a small one counted; a large
        // one's first MiB scaled to its size, a CLM inside an element (its
        // NTE here) not counted (counted, the estimate would double).
        let demo =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.837")).unwrap();
        assert_eq!(
            claims_hint(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.837")),
            11
        );
        let mut big = demo[..106].to_vec();
        for i in 0..5000 {
            big.extend(format!("CLM*C{i:04}*100~\nNTE*ADD*CLM*{}~\n", "x".repeat(480)).as_bytes());
        }
        let big_path = dir.join("big.837");
        std::fs::write(&big_path, &big).unwrap();
        assert!(big.len() > 2 << 20);
        let est = claims_hint(big_path.to_str().unwrap());
        assert!((4950..=5050).contains(&est), "{est}");
        // A CSV export too: claim ids changing from row to row (three rows
        // a claim here, with notes quoted over lines), a large one scaled.
        let mut csv_big = String::from("claim_id,line,note\n");
        for i in 0..3000 {
            for l in 0..3 {
                let note = "n".repeat(100 + (i * 7 + l * 13) % 300);
                csv_big.push_str(&format!("C{i},{l},\"{note},\n{note}\"\n"));
            }
        }
        let csv_path = dir.join("big.csv");
        std::fs::write(&csv_path, &csv_big).unwrap();
        assert!(csv_big.len() > 2 << 20);
        let est = claims_hint(csv_path.to_str().unwrap());
        assert!((2940..=3060).contains(&est), "{est}");
        let small: String = csv_big
            .lines()
            .take(1 + 9 * 2)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&csv_path, &small).unwrap();
        assert_eq!(claims_hint(csv_path.to_str().unwrap()), 3, "{small}");
        assert_eq!(claims_hint(dir.join("missing").to_str().unwrap()), 0);
        assert_eq!(claims_hint("-"), 0, "stdin is not sized");
        // Nor is a named pipe, which is not even opened (that waits for a
        // writer: a test that hangs here is that bug).
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(claims_hint(fifo.to_str().unwrap()), 0);
    }

    #[test]
    fn sniffs() {
        assert_eq!(sniff(b"ISA*00*", "a.txt"), Format::X12);
        assert_eq!(sniff(b"\xEF\xBB\xBF\r\nISA*00*", "a.csv"), Format::X12);
        assert_eq!(sniff(b"claim_id,patient_id\n", "export"), Format::Csv);
        assert_eq!(sniff(b"claim_id;patient_id\n", "export.CSV"), Format::Csv);
        assert_eq!(sniff(b"", "empty"), Format::X12);
        assert_eq!(sniff(b"\x00\x01,\x02", "bin"), Format::X12);
    }
}

#[cfg(test)]
mod raw_tests {
    use super::*;

    #[test]
    fn raw_segments_are_a_stretch_of_the_job_buffer_or_a_copy() {
        let buf = Arc::new(x12::RawBuf::new(b"CLM*1~\nSV1*x~\nHL*2~\nLX*1~\n".to_vec()));
        let mut a = RawSegs::default();
        a.push_shared(&buf, 0, 7);
        a.push_shared(&buf, 7, 14);
        assert_eq!((a.bytes(), a.count), (b"CLM*1~\nSV1*x~\n".as_slice(), 2));
        assert_eq!(Arc::strong_count(&buf), 2, "shared, not copied");
        // A segment that does not follow the stretch: copied, in order.
        a.push_shared(&buf, 20, 26);
        assert_eq!(a.bytes(), b"CLM*1~\nSV1*x~\nLX*1~\n");
        assert_eq!(a.count, 3);
        assert_eq!(Arc::strong_count(&buf), 1, "the copy holds no share");
        let d = x12::Delims {
            eol: b"\n",
            ..x12::Delims::usual()
        };
        assert_eq!(a.first(&d), b"CLM*1");
        a.push(b"SE*9*1", &d);
        assert_eq!(a.bytes(), b"CLM*1~\nSV1*x~\nLX*1~\nSE*9*1~\n");
        // Pushed onto a shared stretch, a segment copies it first.
        let mut b = RawSegs::default();
        b.push_shared(&buf, 14, 20);
        b.push(b"X", &d);
        assert_eq!((b.bytes(), b.count), (b"HL*2~\nX~\n".as_slice(), 2));
    }

    #[test]
    fn level_codes_keep_their_bytes() {
        for code in [
            &b""[..],
            b"22",
            b"123456789012345",
            b"1234567890123456",
            b"\xff9",
        ] {
            assert_eq!(LevelCode::new(code).as_bytes(), code);
        }
    }
}
