//! Writing findings: the report (CSV or JSON lines, a public contract like
//! the codes), the readable listing for a terminal, and the run summary.
//!
//! Owns the report's columns and formats. It does not decide anything about
//! claims; it renders what the engine concluded.

pub mod ack;
mod direct;
pub mod html;
pub mod split;
pub mod staging;
mod summary;

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;

pub use summary::{Summary, Tally};

use crate::finding::Finding;
use crate::model::{Claim, LinePlace, Origin, ServiceLine};
use crate::rules;

/// The report's columns, in order (RULES.md, The report).
pub const COLUMNS: [&str; 17] = [
    "file",
    "claim_id",
    "patient_id",
    "payer_id",
    "date_of_service",
    "line",
    "line_control",
    "procedure",
    "modifiers",
    "units",
    "minutes",
    "rule",
    "severity",
    "message",
    "carc",
    "rarc",
    "location",
];

/// One report row: a finding with the claim and line it is about.
#[derive(Debug, Serialize, PartialEq)]
pub struct Row<'a> {
    pub file: &'a str,
    pub claim_id: &'a str,
    pub patient_id: &'a str,
    pub payer_id: &'a str,
    pub date_of_service: String,
    pub line: String,
    pub line_control: &'a str,
    pub procedure: &'a str,
    pub modifiers: String,
    pub units: &'a str,
    pub minutes: String,
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub carc: &'static str,
    pub rarc: &'static str,
    pub location: String,
}

/// Where a finding is told: its own place, else its line's within its
/// claim's, else its claim's.
fn place_of<'a>(
    f: &'a Finding,
    claim: Option<&'a Claim>,
    line: Option<&ServiceLine>,
) -> (Option<&'a Origin>, LinePlace) {
    match (&f.origin, claim) {
        (Some(o), _) => (Some(o), LinePlace::Claim),
        (None, Some(c)) => (Some(&c.origin), line.map_or(LinePlace::Claim, |l| l.place)),
        (None, None) => (None, LinePlace::Claim),
    }
}

impl<'a> Row<'a> {
    pub fn new(claim: Option<&'a Claim>, f: &'a Finding) -> Row<'a> {
        let line = claim.zip(f.line).and_then(|(c, i)| c.lines.get(i));
        let info = rules::find(f.code).map(|r| r.info());
        let (origin, place) = place_of(f, claim, line);
        let file = origin.map_or("", |o| &o.file);
        Row {
            file,
            claim_id: claim.map_or("", |c| &c.id),
            patient_id: claim.map_or("", |c| &c.patient_id),
            payer_id: claim.map_or("", |c| &c.payer.id),
            date_of_service: line.map_or(String::new(), |l| l.date.iso()),
            line: line.map_or(String::new(), |l| l.number.to_string()),
            line_control: line.map_or("", |l| &l.control),
            procedure: line.map_or("", |l| &l.procedure),
            modifiers: line.map_or(String::new(), |l| l.modifiers.joined()),
            units: line.map_or("", |l| &l.units.raw),
            minutes: line
                .and_then(|l| l.minutes)
                .map_or(String::new(), |m| m.to_string()),
            rule: f.code.as_str(),
            severity: f.severity.as_str(),
            message: &f.message,
            carc: info.map_or("", |i| i.carc),
            rarc: info.map_or("", |i| i.rarc),
            location: origin.map_or(String::new(), |o| {
                let mut s = String::new();
                o.describe_at_into(place, &mut s);
                s
            }),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    /// The readable listing (stdout, when no `--report` is given).
    Human,
}

impl Format {
    /// `.jsonl` / `.json` → JSON lines; anything else → CSV.
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl") | Some("json") | Some("ndjson") => Format::Jsonl,
            _ => Format::Csv,
        }
    }
}

/// Where findings go.
pub struct Sink {
    format: Format,
    out: Box<dyn Write + Send>,
    /// A CSV row being put together (CSV format only).
    row: Vec<u8>,
    /// The report file being written (renamed into place on `finish`).
    pending: Option<staging::TmpFile>,
    buf: String,
    scratch: RowScratch,
}

/// Reused buffers for the report's computed columns: a CSV row costs no
/// allocation.
#[derive(Default)]
pub struct RowScratch {
    date: String,
    line: String,
    modifiers: String,
    minutes: String,
    location: String,
    /// Messages that never vary (`&'static str`), by address and length,
    /// as the report writes them (quoted and escaped once, not per row).
    fixed: Vec<(usize, usize, Box<[u8]>)>,
}

/// One CSV report row appended to `row`, written field by field from the
/// claim and finding (the same columns and text as `Row`, which the JSON
/// and text forms use). Rendered by the sink itself, or on the checkers and
/// handed to `Sink::write_rendered`.
pub fn csv_row(row: &mut Vec<u8>, claim: Option<&Claim>, f: &Finding, sc: &mut RowScratch) {
    csv_row_parts(row, claim, f, sc);
}

/// The CSV rows of a claim's findings, appended to `rows`: `csv_row` for
/// each, but a finding on the same line as the one before (and with no
/// place of its own) copies that row's first eleven columns, which are the
/// line's, instead of rendering them again.
pub fn csv_rows(rows: &mut Vec<u8>, claim: &Claim, findings: &[Finding], sc: &mut RowScratch) {
    // The last row's line, where it starts and how long its line columns are.
    let mut last: Option<(Option<usize>, usize, usize)> = None;
    for f in findings {
        match last {
            Some((line, start, len)) if line == f.line && f.origin.is_none() => {
                rows.extend_from_within(start..start + len);
                csv_row_end(rows, f, &sc.location, &mut sc.fixed);
            }
            _ => {
                let start = rows.len();
                let len = csv_row_parts(rows, Some(claim), f, sc);
                last = f.origin.is_none().then_some((f.line, start, len));
            }
        }
    }
}

/// `csv_row`; the length of the row's first eleven columns (with their comma).
fn csv_row_parts(
    row: &mut Vec<u8>,
    claim: Option<&Claim>,
    f: &Finding,
    sc: &mut RowScratch,
) -> usize {
    let line = claim.zip(f.line).and_then(|(c, i)| c.lines.get(i));
    let (origin, place) = place_of(f, claim, line);
    let RowScratch {
        date,
        line: number,
        modifiers,
        minutes,
        location,
        fixed,
    } = sc;
    for b in [
        &mut *date,
        &mut *number,
        &mut *modifiers,
        &mut *minutes,
        &mut *location,
    ] {
        b.clear();
    }
    if let Some(l) = line {
        match l.date.date {
            Some(d) => crate::model::push_iso_date(date, d),
            None => date.push_str(&l.date.raw),
        }
        crate::model::push_decimal(number, u64::from(l.number));
        for (i, m) in l.modifiers.0.iter().enumerate() {
            if i > 0 {
                modifiers.push(' ');
            }
            modifiers.push_str(m);
        }
        if let Some(m) = l.minutes {
            crate::model::push_decimal(minutes, u64::from(m));
        }
    }
    if let Some(o) = origin {
        o.describe_at_into(place, location);
    }
    let start = row.len();
    csv_fields(
        row,
        &[
            origin.map_or("", |o| &o.file),
            claim.map_or("", |c| &c.id),
            claim.map_or("", |c| &c.patient_id),
            claim.map_or("", |c| &c.payer.id),
            date.as_str(),
            number.as_str(),
            line.map_or("", |l| &l.control),
            line.map_or("", |l| &l.procedure),
            modifiers.as_str(),
            line.map_or("", |l| &l.units.raw),
            minutes.as_str(),
        ],
    );
    row.push(b',');
    let len = row.len() - start;
    csv_row_end(row, f, location, fixed);
    len
}

/// The columns of a row after the line's: the finding's, and where. A
/// message that never varies is escaped once and kept in `fixed`.
fn csv_row_end(
    row: &mut Vec<u8>,
    f: &Finding,
    location: &str,
    fixed: &mut Vec<(usize, usize, Box<[u8]>)>,
) {
    let info = rules::find(f.code).map(|r| r.info());
    csv_fields(row, &[f.code.as_str(), f.severity.as_str()]);
    row.push(b',');
    match &f.message {
        Cow::Borrowed(m) => {
            let key = (m.as_ptr() as usize, m.len());
            match fixed.iter().find(|e| (e.0, e.1) == key) {
                Some(e) => row.extend_from_slice(&e.2),
                None => {
                    let at = row.len();
                    csv_fields(row, &[m]);
                    // A few such messages exist; keep the first sixteen.
                    if fixed.len() < 16 {
                        fixed.push((key.0, key.1, row[at..].into()));
                    }
                }
            }
        }
        Cow::Owned(m) => csv_fields(row, &[m]),
    }
    row.push(b',');
    csv_record(
        row,
        &[
            info.map_or("", |i| i.carc),
            info.map_or("", |i| i.rarc),
            location,
        ],
    );
}

/// A CSV record as the csv crate writes one by default (quote style
/// "necessary"): a field is quoted when it holds a comma, a quote, CR or
/// LF, and its quotes are doubled; LF ends the record. Written here with
/// memchr: the csv crate's byte-by-byte writer was most of a row's cost,
/// paid on the serial stage. `tests` hold it to the csv crate.
fn csv_record(out: &mut Vec<u8>, fields: &[&str]) {
    csv_fields(out, fields);
    out.push(b'\n');
}

/// `csv_record` without the line end.
fn csv_fields(out: &mut Vec<u8>, fields: &[&str]) {
    const NEEDS_QUOTES: [bool; 256] = {
        let mut t = [false; 256];
        t[b',' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\n' as usize] = true;
        t[b'\r' as usize] = true;
        t
    };
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let b = f.as_bytes();
        // A table for short fields (memchr's setup costs more there), memchr
        // for long ones (messages).
        let needs = if b.len() < 64 {
            b.iter().any(|&c| NEEDS_QUOTES[usize::from(c)])
        } else {
            memchr::memchr3(b',', b'"', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some()
        };
        if !needs {
            out.extend_from_slice(b);
            continue;
        }
        out.push(b'"');
        let mut rest = b;
        while let Some(q) = memchr::memchr(b'"', rest) {
            out.extend_from_slice(&rest[..=q]);
            out.push(b'"');
            rest = &rest[q + 1..];
        }
        out.extend_from_slice(rest);
        out.push(b'"');
    }
}

impl Sink {
    /// A report at `path`, written to a temporary file beside it and renamed
    /// into place by `finish`: an interrupted run leaves no half report.
    pub fn file(path: &Path, format: Format) -> io::Result<Sink> {
        let (tmp, f) = staging::TmpFile::create(path)?;
        let out: Box<dyn Write + Send> = Box::new(BufWriter::with_capacity(256 << 10, f));
        let mut s = Sink::new(out, format)?;
        s.pending = Some(tmp);
        Ok(s)
    }

    pub fn new(out: Box<dyn Write + Send>, format: Format) -> io::Result<Sink> {
        let mut s = Sink {
            format,
            out: Box::new(io::sink()),
            row: Vec::with_capacity(512),
            pending: None,
            buf: String::new(),
            scratch: RowScratch::default(),
        };
        s.out = out;
        if format == Format::Csv {
            csv_record(&mut s.row, &COLUMNS);
            s.out.write_all(&s.row)?;
        }
        Ok(s)
    }

    pub fn write(&mut self, claim: Option<&Claim>, f: &Finding) -> io::Result<()> {
        if self.format == Format::Csv {
            self.row.clear();
            csv_row(&mut self.row, claim, f, &mut self.scratch);
            return self.out.write_all(&self.row);
        }
        let row = Row::new(claim, f);
        match self.format {
            Format::Csv => unreachable!("CSV rows are written above"),
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, &row)?;
                self.out.write_all(b"\n")
            }
            Format::Human => {
                self.buf.clear();
                human(&row, f.is_review_flag(), &mut self.buf);
                self.out.write_all(self.buf.as_bytes())
            }
        }
    }

    /// Whether rows rendered by `csv_row` can be handed to `write_rendered`.
    pub fn renders_csv(&self) -> bool {
        self.format == Format::Csv
    }

    /// Rows rendered by `csv_row` (CSV format only: see `renders_csv`).
    pub fn write_rendered(&mut self, rows: &[u8]) -> io::Result<()> {
        debug_assert!(self.format == Format::Csv);
        self.out.write_all(rows)
    }

    /// Flush, and move a report file into place.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()?;
        // Closed before the rename.
        self.out = Box::new(io::sink());
        match self.pending.take() {
            Some(tmp) => tmp.commit(),
            None => Ok(()),
        }
    }

    /// Remove a half-written report (the run failed).
    pub fn abandon(self) {}
}

/// `file [location] claim ID line N PROC: severity CODE message`
fn human(r: &Row<'_>, review: bool, s: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(s, "{}", r.file);
    if !r.location.is_empty() {
        let _ = write!(s, " [{}]", r.location);
    }
    if !r.claim_id.is_empty() {
        let _ = write!(s, " claim {}", r.claim_id);
    }
    if !r.line.is_empty() {
        let _ = write!(s, " line {} {}", r.line, r.procedure);
        if !r.modifiers.is_empty() {
            let _ = write!(s, " {}", r.modifiers.replace(' ', ":"));
        }
    }
    let flag = if review { " (review)" } else { "" };
    let _ = writeln!(s, ": {}{flag} {} {}", r.severity, r.rule, r.message);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A claim's rows rendered at once (copying a line's columns from the
    /// row before on the same line) are its rows rendered one by one.
    #[test]
    fn rows_of_a_claim_are_its_rows_one_by_one() {
        use crate::finding::{Code, Severity};
        use crate::model::{Origin, OriginKind};
        use crate::rules::testing::{claim, line_97530};
        let mut second = line_97530();
        second.number = 2;
        second.control = "L-2".into();
        second.minutes = Some(23);
        second.place = LinePlace::Csv { row: 7 };
        let c = claim(vec![line_97530(), second]);
        let own = Origin {
            file: "elsewhere.837".into(),
            kind: OriginKind::File,
        };
        let f = |code, line: Option<usize>, msg: &'static str| Finding {
            line,
            ..Finding::new(code, Severity::Warning, msg)
        };
        let mut placed = f(Code::N003, Some(1), "a place of its own");
        placed.origin = Some(own);
        let findings = vec![
            f(Code::C001, None, "claim, \"quoted\""),
            f(Code::C003, None, "claim again"),
            f(Code::N002, Some(0), "first line"),
            f(Code::N006, Some(0), "first line, again"),
            f(Code::N002, Some(1), "second line"),
            placed,
            f(Code::N006, Some(1), "second line, again"),
            f(Code::N004, Some(0), "first line after the second"),
        ];
        let (mut at_once, mut one_by_one) = (Vec::new(), Vec::new());
        let mut sc = RowScratch::default();
        csv_rows(&mut at_once, &c, &findings, &mut sc);
        for x in &findings {
            csv_row(&mut one_by_one, Some(&c), x, &mut sc);
        }
        assert_eq!(
            String::from_utf8(at_once).unwrap(),
            String::from_utf8(one_by_one).unwrap()
        );
    }

    /// A message that never varies is escaped once and then copied: its
    /// rows are those of the same text given as an owned message, and a
    /// shorter message at the same address is not taken for it.
    #[test]
    fn fixed_messages_are_written_as_owned_ones() {
        use crate::finding::{Code, Severity};
        use crate::rules::testing::{claim, line_97530};
        const FIXED: &str = "names no \"min assist\", no cues";
        let c = claim(vec![line_97530()]);
        let finding =
            |m: Cow<'static, str>| Finding::new(Code::N002, Severity::Warning, m).on_line(0);
        let fixed = [finding(FIXED.into()), finding(FIXED[..9].into())];
        let owned = [
            finding(FIXED.to_string().into()),
            finding(FIXED[..9].to_string().into()),
        ];
        assert!(matches!(fixed[0].message, Cow::Borrowed(_)));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut sc = RowScratch::default();
        for _ in 0..3 {
            for (x, y) in fixed.iter().zip(&owned) {
                csv_row(&mut a, Some(&c), x, &mut sc);
                csv_row(&mut b, Some(&c), y, &mut RowScratch::default());
            }
        }
        assert_eq!(
            String::from_utf8(a).unwrap(),
            String::from_utf8(b.clone()).unwrap()
        );
        assert_eq!(sc.fixed.len(), 2);
        let text = String::from_utf8(b).unwrap();
        assert!(
            text.contains(",\"names no \"\"min assist\"\", no cues\","),
            "{text}"
        );
        assert!(text.contains(",names no ,"), "{text}");
    }

    fn by_csv_crate(fields: &[String]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.write_record(fields).unwrap();
        w.into_inner().unwrap()
    }

    proptest::proptest! {
        /// Our CSV records are the csv crate's, byte for byte.
        #[test]
        fn csv_records_match_the_csv_crate(
            fields in proptest::collection::vec("[a-z ,\"\r\n;'é]{0,12}", 2..20)
        ) {
            let mut ours = Vec::new();
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            csv_record(&mut ours, &refs);
            proptest::prop_assert_eq!(ours, by_csv_crate(&fields));
        }
    }

    #[test]
    fn quotes_what_needs_it() {
        let mut out = Vec::new();
        csv_record(&mut out, &["a", "b,c", "say \"hi\"", "", "x\ny", "r\r"]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\",,\"x\ny\",\"r\r\"\n"
        );
    }
}
