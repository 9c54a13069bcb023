//! CSV rows as `csv::Reader::read_byte_record` reads them (comma, double
//! quote, CR, LF or CRLF ends a record, blank lines skipped, any number of
//! fields), a plain line handed on as it stands.
//!
//! `csv_core`'s state machine reads a byte at a time, some seventeen
//! instructions a byte of a plain export; the record it fills was then
//! copied field by field into the job: on the reader's thread, the one
//! serial stage of a CSV run, that was three fifths of the instructions
//! (a plain line handed on whole, the reader's time on 1,000,000 claims
//! went from 0.79 to 0.61 s; BENCHMARKS.md, session 19). A line with no
//! quote and no carriage return (but one before its line feed) is handed on
//! as it stands (`Row::Plain`: its fields are what lies between its
//! commas, and the reader copies it whole); any other record, one split by
//! the end of the bytes read, and the first (a byte order mark before it is
//! dropped) are read by `csv_core` as the csv crate reads them.
//!
//! A record is held up to the record size limit (`Rows::new`'s `limit`):
//! past it, the rest of its fields are read and counted, not kept
//! (`Row::Long`), so that a line of gigabytes costs no more memory than the
//! limit.

use std::io::{self, Read};

use memchr::{memchr, memchr2};

/// Bytes read from the source at a time.
const CHUNK: usize = 256 << 10;

/// A row as read.
pub(crate) enum Row<'a> {
    /// A line whose fields are what lies between its commas (not empty;
    /// without its line end).
    Plain(&'a [u8]),
    /// A record read by `csv_core`: its fields' bytes end to end, and
    /// where each ends.
    Fields(&'a [u8], &'a [usize]),
    /// A record over the size limit: the fields of its start that are held
    /// (as in `Fields`), and how many bytes of fields (`size`, commas and
    /// quotes not counted) and fields it has in all.
    Long {
        bytes: &'a [u8],
        ends: &'a [usize],
        size: usize,
        fields: usize,
    },
    /// No more rows.
    End,
}

impl Row<'_> {
    /// The row's fields into `rec` (after those in it; a long row's held
    /// fields).
    pub(crate) fn to_record(&self, rec: &mut csv::ByteRecord) {
        match *self {
            Row::Plain(line) => {
                for field in line.split(|&b| b == b',') {
                    rec.push_field(field);
                }
            }
            Row::Fields(bytes, ends) | Row::Long { bytes, ends, .. } => {
                let mut start = 0;
                for &end in ends {
                    rec.push_field(&bytes[start..end]);
                    start = end;
                }
            }
            Row::End => {}
        }
    }
}

pub(crate) struct Rows<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// The source is read to its end.
    eof: bool,
    /// Reading is over (its end, or an I/O error, was told).
    done: bool,
    /// The first record is read (by `csv_core`, which drops a UTF-8 byte
    /// order mark at the start of the input).
    started: bool,
    core: csv_core::Reader,
    /// A record `csv_core` is reading: its fields' bytes and their ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The most bytes of fields, and the most fields, a record holds: past
    /// either, it is `Row::Long` (a record one past it may fit the room
    /// held, and be read whole).
    limit: usize,
}

/// What `Rows::slow` read.
enum Slow {
    /// A record: how much of `out` and `ends` it fills.
    Record(usize, usize),
    /// A record over the limit: the bytes and ends of its held fields, and
    /// its size and fields in all.
    Long {
        held: (usize, usize),
        size: usize,
        fields: usize,
    },
    End,
}

/// Room for what `csv_core` writes of a record past the limit (not kept).
const SCRATCH: usize = 4096;

impl<R: Read> Rows<R> {
    /// Rows of `src`; a record of more than `limit` bytes of fields, or
    /// more than `limit` fields, is read as `Row::Long` (or, one past it,
    /// may be read whole).
    pub(crate) fn new(src: R, limit: usize) -> Rows<R> {
        Rows {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            done: false,
            started: false,
            core: csv_core::Reader::new(),
            out: vec![0; 1024.min(limit.saturating_add(1))],
            ends: vec![0; 64.min(limit.saturating_add(1))],
            limit,
        }
    }

    /// The next record into `rec`, as the csv crate reads it: `Ok(false)`
    /// at the end (and after an I/O error, as the csv crate's reader). A
    /// record over the limit is an error of kind `InvalidData` (reading
    /// goes on after it).
    pub(crate) fn read_byte_record(&mut self, rec: &mut csv::ByteRecord) -> io::Result<bool> {
        rec.clear();
        match self.next_row()? {
            Row::End => Ok(false),
            Row::Long { size, fields, .. } => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a record of {fields} field(s) and {size} bytes is over the record size limit"
                ),
            )),
            row => {
                row.to_record(rec);
                Ok(true)
            }
        }
    }

    /// The next row: a plain line, or a record read by `csv_core`.
    pub(crate) fn next_row(&mut self) -> io::Result<Row<'_>> {
        if self.done {
            return Ok(Row::End);
        }
        if self.started {
            loop {
                let avail = &self.buf[self.pos..self.end];
                let Some(nl) = memchr(b'\n', avail) else {
                    break;
                };
                let whole = &avail[..nl];
                let line = whole.strip_suffix(b"\r").unwrap_or(whole);
                if line.is_empty() {
                    // A blank line: no record (`csv_core` skips it).
                    self.pos += nl + 1;
                    continue;
                }
                if memchr2(b'"', b'\r', line).is_some() {
                    break;
                }
                let (start, len) = (self.pos, line.len());
                self.pos += nl + 1;
                return Ok(Row::Plain(&self.buf[start..start + len]));
            }
        }
        self.started = true;
        Ok(match self.slow()? {
            Slow::Record(outlen, endlen) => Row::Fields(&self.out[..outlen], &self.ends[..endlen]),
            Slow::Long {
                held: (outlen, endlen),
                size,
                fields,
            } => Row::Long {
                bytes: &self.out[..outlen],
                ends: &self.ends[..endlen],
                size,
                fields,
            },
            Slow::End => Row::End,
        })
    }

    /// The next record read by `csv_core`, from `pos`, into `out` and
    /// `ends`. Past the limit, the fields read so far are held (`held`)
    /// and the rest are written over each other in the room after them,
    /// counted: `csv_core` counts a field's end from the record's start, so
    /// the last one is the record's size.
    fn slow(&mut self) -> io::Result<Slow> {
        use csv_core::ReadRecordResult::*;
        let (mut outlen, mut endlen) = (0, 0);
        let mut held: Option<(usize, usize)> = None;
        let (mut dropped, mut last) = (0, 0);
        loop {
            if self.pos == self.end && !self.eof {
                if let Err(e) = self.fill() {
                    self.done = true;
                    return Err(e);
                }
            }
            let input = &self.buf[self.pos..self.end];
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..]);
            self.pos += nin;
            outlen += nout;
            endlen += nend;
            if nend > 0 {
                last = self.ends[endlen - 1];
            }
            match res {
                InputEmpty => continue,
                OutputFull | OutputEndsFull => {
                    let full = matches!(res, OutputFull);
                    if let Some((mark, keep)) = held {
                        if full {
                            outlen = mark;
                        } else {
                            dropped += endlen - keep;
                            endlen = keep;
                        }
                    } else if (if full { outlen } else { endlen }) > self.limit {
                        // Over the limit: hold the whole fields read, and
                        // make room for the rest to pass through.
                        let mark = endlen.checked_sub(1).map_or(0, |i| self.ends[i]);
                        held = Some((mark, endlen));
                        if full {
                            outlen = mark;
                        }
                        if self.out.len() < mark + SCRATCH {
                            self.out.resize(mark + SCRATCH, 0);
                        }
                        if self.ends.len() < endlen + SCRATCH / 8 {
                            self.ends.resize(endlen + SCRATCH / 8, 0);
                        }
                    } else if full {
                        let n = self.out.len();
                        self.out.resize((n * 2).min(self.limit + 1).max(n + 1), 0);
                    } else {
                        let n = self.ends.len();
                        self.ends.resize((n * 2).min(self.limit + 1).max(n + 1), 0);
                    }
                }
                Record => {
                    let Some(held) = held else {
                        return Ok(Slow::Record(outlen, endlen));
                    };
                    // The room made for the rest goes (the held fields are
                    // within the limit), so that the next record over the
                    // limit is found over it too.
                    self.out.truncate(self.limit.saturating_add(1).max(held.0));
                    self.ends.truncate(self.limit.saturating_add(1).max(held.1));
                    return Ok(Slow::Long {
                        held,
                        size: last,
                        fields: dropped + endlen,
                    });
                }
                End => {
                    self.done = true;
                    return Ok(Slow::End);
                }
            }
        }
    }

    /// Read more, once every byte read is taken (`csv_core` holds what it
    /// has read of a record); at the source's end, `eof`.
    fn fill(&mut self) -> io::Result<()> {
        debug_assert_eq!(self.pos, self.end);
        (self.pos, self.end) = (0, 0);
        loop {
            match self.src.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end = n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Records = Vec<Vec<Vec<u8>>>;

    /// A record as `Rows` read it: its fields (a long one's held fields),
    /// for a long one its size and fields in all, and whether it was read
    /// as a plain line.
    type Held = (Vec<Vec<u8>>, Option<(usize, usize)>, bool);

    /// Records as the csv crate reads them (the reader `Rows` stands in
    /// for), and as `Rows` reads them (a plain line split at its commas),
    /// through reads of `size` bytes, with a record size limit of `limit`.
    fn both_within(input: &[u8], size: usize, limit: usize) -> (Records, Vec<Held>) {
        use crate::input::Reads;
        let fields = |r: &csv::ByteRecord| r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>();
        let mut theirs = Vec::new();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Reads(input, size));
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            theirs.push(fields(&rec));
        }
        let mut ours = Vec::new();
        let mut rows = Rows::new(Reads(input, size), limit);
        loop {
            let row = rows.next_row().unwrap();
            let long = match row {
                Row::End => break,
                Row::Long { size, fields, .. } => Some((size, fields)),
                _ => None,
            };
            let plain = matches!(row, Row::Plain(_));
            rec.clear();
            row.to_record(&mut rec);
            ours.push((fields(&rec), long, plain));
            // What is held of a record stays near the limit.
            assert!(rows.out.len() <= (limit + 1 + SCRATCH).max(1024));
            assert!(rows.ends.len() <= (limit + 1 + SCRATCH / 8).max(64));
        }
        assert!(
            matches!(rows.next_row().unwrap(), Row::End),
            "ended, and stays ended"
        );
        (theirs, ours)
    }

    /// Records as the csv crate reads them, and as `Rows` reads them with
    /// no record over its limit.
    fn both(input: &[u8], size: usize) -> (Records, Records) {
        let (theirs, ours) = both_within(input, size, usize::MAX >> 1);
        let ours = ours
            .into_iter()
            .map(|(fields, long, _)| {
                assert_eq!(long, None);
                fields
            })
            .collect();
        (theirs, ours)
    }

    /// A record over the limit is its held first fields, and its size and
    /// fields in all; a record within the limit is read whole.
    fn check_within(input: &[u8], size: usize, limit: usize) -> Result<(), TestCaseError> {
        let (theirs, ours) = both_within(input, size, limit);
        prop_assert_eq!(theirs.len(), ours.len());
        for (t, (o, long, plain)) in theirs.iter().zip(&ours) {
            let bytes: usize = t.iter().map(Vec::len).sum();
            // Over the limit in bytes or fields (a record one over it may
            // fit the room held for the limit). A plain line is whole in
            // the read buffer: not held apart.
            if long.is_some() {
                prop_assert!(bytes > limit || t.len() > limit, "{:?}", t);
            }
            if !plain && (bytes > limit + 1 || t.len() > limit + 1) {
                prop_assert!(long.is_some(), "{:?}", t);
            }
            match long {
                None => prop_assert_eq!(o, t),
                Some((s, n)) => {
                    prop_assert_eq!((*s, *n), (bytes, t.len()));
                    prop_assert!(o.len() < t.len() || o.is_empty());
                    prop_assert_eq!(&o[..], &t[..o.len()]);
                }
            }
        }
        Ok(())
    }

    #[test]
    fn reads_records_as_the_csv_crate_does() {
        for input in [
            &b""[..],
            b"\n\n\r\n",
            b"a,b,c\n1,2,3\n",
            b"a,b,c\r\n1,2,3\r\n\r\n4,5,6",
            b"a,b,c\r1,2,3\r",
            b"a,,\n,\n,,,\n",
            b"\xef\xbb\xbfclaim_id,units\nC1,1",
            b"h\na,\"b,c\",d\n\"multi\nline\",x\n",
            b"h\na,\"say \"\"hi\"\"\",b\r\n\"\",\n",
            b"h\na\"b,c\n\"unterminated,x\n",
            b"h\n  ,\t, x \n\n\n y\n",
            b"h\n\xff\xfe,\x80\n",
            b"h\na,b\r\r\nc\n",
            b"h\na\rb\nc\n",
        ] {
            for size in [1, 2, 3, 7, 64, 1 << 20] {
                let (theirs, ours) = both(input, size);
                assert_eq!(
                    ours,
                    theirs,
                    "{:?} in reads of {size}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    /// The generated export's rows after the header are plain lines.
    #[test]
    fn an_exports_rows_are_plain() {
        let mut input = b"claim_id,units\r\n".to_vec();
        for i in 0..5000 {
            input.extend_from_slice(format!("C{i},1\r\n").as_bytes());
        }
        let mut rows = Rows::new(&input[..], 1 << 20);
        assert!(matches!(rows.next_row().unwrap(), Row::Fields(..)));
        let (mut plain, mut records) = (0, 0);
        loop {
            match rows.next_row().unwrap() {
                Row::Plain(_) => plain += 1,
                Row::Fields(..) | Row::Long { .. } => records += 1,
                Row::End => break,
            }
        }
        assert_eq!((plain, records), (5000, 0));
    }

    proptest! {
        /// Any mix of the bytes that matter to a CSV reader reads the
        /// same, in reads of any size.
        #[test]
        fn any_bytes_read_as_the_csv_crate_reads_them(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'a'), Just(b' '), Just(0xc3u8)],
                0..200,
            ),
            size in 1usize..50,
        ) {
            let (theirs, ours) = both(&bytes, size);
            prop_assert_eq!(ours, theirs);
        }

        /// With a record size limit, a record over it is held in part and
        /// counted whole, and the records after it read as they are.
        #[test]
        fn a_record_over_the_limit_is_counted_not_held(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'a'), Just(b'a'), Just(b'a')],
                0..3000,
            ),
            size in 1usize..600,
            limit in 0usize..80,
        ) {
            check_within(&bytes, size, limit)?;
        }
    }

    /// A line of megabytes, quoted or not, is held up to the limit: the
    /// rows after it read whole, and `read_byte_record` says what it was.
    #[test]
    fn a_long_line_is_held_to_the_limit() {
        for quoted in [false, true] {
            let mut input = b"id,note\nC1,short\nC2,".to_vec();
            let q: &[u8] = if quoted { b"\"" } else { b"" };
            input.extend_from_slice(q);
            input.extend(std::iter::repeat_n(b'x', 3_000_000));
            input.extend_from_slice(q);
            input.extend_from_slice(b"\nC3,after\n");
            check_within(&input, 1 << 16, 1000).unwrap();
            let mut rows = Rows::new(&input[..], 1000);
            let mut rec = csv::ByteRecord::new();
            for _ in 0..2 {
                assert!(rows.read_byte_record(&mut rec).unwrap());
            }
            let err = rows.read_byte_record(&mut rec).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert_eq!(
                err.to_string(),
                "a record of 2 field(s) and 3000002 bytes is over the record size limit"
            );
            assert!(rows.read_byte_record(&mut rec).unwrap());
            assert_eq!(&rec[1], b"after");
            assert!(rows.out.len() < 1001 + SCRATCH);
        }
    }

    /// A read error is told once; reading is over after it.
    #[test]
    fn a_read_error_ends_the_rows() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk gone"));
                }
                self.0 -= 1;
                b[..4].copy_from_slice(b"a,b\n");
                Ok(4)
            }
        }
        let mut rows = Rows::new(Failing(2), 1 << 20);
        let mut rec = csv::ByteRecord::new();
        assert!(rows.read_byte_record(&mut rec).unwrap());
        assert!(rows.read_byte_record(&mut rec).unwrap());
        assert_eq!(
            rows.read_byte_record(&mut rec).unwrap_err().to_string(),
            "disk gone"
        );
        assert!(!rows.read_byte_record(&mut rec).unwrap());
    }
}
