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
    /// No more rows.
    End,
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
}

impl<R: Read> Rows<R> {
    pub(crate) fn new(src: R) -> Rows<R> {
        Rows {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            done: false,
            started: false,
            core: csv_core::Reader::new(),
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The next record into `rec`, as the csv crate reads it: `Ok(false)`
    /// at the end (and after an I/O error, as the csv crate's reader).
    pub(crate) fn read_byte_record(&mut self, rec: &mut csv::ByteRecord) -> io::Result<bool> {
        rec.clear();
        Ok(match self.next_row()? {
            Row::Plain(line) => {
                for field in line.split(|&b| b == b',') {
                    rec.push_field(field);
                }
                true
            }
            Row::Fields(bytes, ends) => {
                let mut start = 0;
                for &end in ends {
                    rec.push_field(&bytes[start..end]);
                    start = end;
                }
                true
            }
            Row::End => false,
        })
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
            Some((outlen, endlen)) => Row::Fields(&self.out[..outlen], &self.ends[..endlen]),
            None => Row::End,
        })
    }

    /// The next record read by `csv_core`, from `pos`, into `out` and
    /// `ends`: how much of each it fills.
    fn slow(&mut self) -> io::Result<Option<(usize, usize)>> {
        use csv_core::ReadRecordResult::*;
        let (mut outlen, mut endlen) = (0, 0);
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
            match res {
                InputEmpty => continue,
                OutputFull => {
                    let n = self.out.len();
                    self.out.resize(n * 2, 0);
                }
                OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                Record => return Ok(Some((outlen, endlen))),
                End => {
                    self.done = true;
                    return Ok(None);
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

    /// Records as the csv crate reads them (the reader `Rows` stands in
    /// for), and as `Rows` reads them (a plain line split at its commas),
    /// through reads of `size` bytes.
    fn both(input: &[u8], size: usize) -> (Records, Records) {
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
        let mut rows = Rows::new(Reads(input, size));
        loop {
            match rows.next_row().unwrap() {
                Row::Plain(line) => {
                    ours.push(line.split(|&b| b == b',').map(<[u8]>::to_vec).collect())
                }
                Row::Fields(bytes, ends) => {
                    let mut start = 0;
                    ours.push(
                        ends.iter()
                            .map(|&end| {
                                let f = bytes[start..end].to_vec();
                                start = end;
                                f
                            })
                            .collect(),
                    );
                }
                Row::End => break,
            }
        }
        assert!(
            matches!(rows.next_row().unwrap(), Row::End),
            "ended, and stays ended"
        );
        (theirs, ours)
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
        let mut rows = Rows::new(&input[..]);
        assert!(matches!(rows.next_row().unwrap(), Row::Fields(..)));
        let (mut plain, mut records) = (0, 0);
        loop {
            match rows.next_row().unwrap() {
                Row::Plain(_) => plain += 1,
                Row::Fields(..) => records += 1,
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
        let mut rows = Rows::new(Failing(2));
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
