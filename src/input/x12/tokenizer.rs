//! The streaming X12 tokenizer: delimiters from the ISA, segments from a
//! reused buffer, elements as offsets into it. No allocation per segment
//! or element; a segment is a borrowed slice until the next call.
//!
//! It knows the ISA's fixed layout and nothing else of X12: which segment
//! means what is the parser's business.

use std::io::Read;

use memchr::{memchr, memmem};

/// ISA element separator positions (the byte before each of ISA01-ISA16).
const ISA_SEPARATORS: [usize; 16] = [
    3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
];
pub const ISA_LEN: usize = 106;
const CHUNK: usize = 256 << 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delims {
    pub element: u8,
    pub component: u8,
    /// ISA11 in 00501 and later; `None` where ISA11 is a standards id (`U`).
    pub repetition: Option<u8>,
    pub segment: u8,
    /// What followed the ISA's terminator: CRLF, LF, CR or nothing (kept
    /// when files are rewritten).
    pub eol: &'static [u8],
}

#[cfg(test)]
impl Delims {
    /// `*`, `:`, no repetition separator, `~`, no line end: the tests' own.
    pub(crate) fn usual() -> Delims {
        Delims {
            element: b'*',
            component: b':',
            repetition: None,
            segment: b'~',
            eol: b"",
        }
    }
}

/// One segment, borrowed from the tokenizer's buffer.
pub struct Segment<'a> {
    pub bytes: &'a [u8],
    /// Byte offset of the segment's first byte in the input.
    pub offset: u64,
    pub delims: Delims,
    /// Each element's span; unused (empty) where `mask` is.
    elems: &'a [(u32, u32)],
    /// A segment of at most 64 bytes (most are): its element separators
    /// as bits (`swar::mask_within`), an element found from them when asked
    /// for. Spans for every element of every segment were a tenth of a
    /// run's instructions (190 a segment), where the parser asks for two
    /// or three.
    mask: Option<u64>,
    /// Every byte of the segment is ASCII (known from its job's buffer,
    /// checked once): its elements are text without a UTF-8 check.
    ascii: bool,
}

impl<'a> Segment<'a> {
    pub fn id(&self) -> &'a [u8] {
        self.el(0)
    }

    /// Element `i` (0 is the segment id); empty when absent.
    #[inline]
    pub fn el(&self, i: usize) -> &'a [u8] {
        if let Some(mask) = self.mask {
            return self.el_short(mask, i);
        }
        match self.elems.get(i) {
            Some(&(s, e)) => &self.bytes[s as usize..e as usize],
            None => &[],
        }
    }

    /// `el` of a segment with a `mask`: past the `i`th separator, up to
    /// the next.
    #[inline]
    fn el_short(&self, mask: u64, i: usize) -> &'a [u8] {
        let mut m = mask;
        let start = if i == 0 {
            0
        } else {
            for _ in 1..i {
                m &= m.wrapping_sub(1);
            }
            if m == 0 {
                return &[];
            }
            let at = m.trailing_zeros() as usize;
            m &= m - 1;
            at + 1
        };
        let end = if m == 0 {
            self.bytes.len()
        } else {
            m.trailing_zeros() as usize
        };
        &self.bytes[start..end]
    }

    /// Number of elements, the id included.
    pub fn len(&self) -> usize {
        if let Some(mask) = self.mask {
            return mask.count_ones() as usize + 1;
        }
        self.elems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mask.is_none() && self.elems.is_empty()
    }

    /// Component `k` (0-based) of element `i`; empty when absent.
    pub fn comp(&self, i: usize, k: usize) -> &'a [u8] {
        self.el(i)
            .split(|&b| b == self.delims.component)
            .nth(k)
            .unwrap_or(&[])
    }

    /// The components of element `i`.
    pub fn comps(&self, i: usize) -> impl Iterator<Item = &'a [u8]> {
        let c = self.delims.component;
        let e = self.el(i);
        e.split(move |&b| b == c).filter(move |_| !e.is_empty())
    }

    /// Element `i` as owned text, trimmed.
    pub fn text(&self, i: usize) -> crate::model::Text {
        self.text_of(self.el(i))
    }

    /// Whether every byte of this segment is ASCII (known from its buffer).
    pub fn ascii(&self) -> bool {
        self.ascii
    }

    /// Element `i` as it stands, of an `ascii` segment (empty otherwise).
    pub fn str_as_is(&self, i: usize) -> &'a str {
        if !self.ascii {
            return "";
        }
        let b = self.el(i);
        debug_assert!(b.is_ascii());
        // SAFETY: as in `text_of`: every byte of an `ascii` segment is
        // ASCII, and ASCII is UTF-8.
        unsafe { std::str::from_utf8_unchecked(b) }
    }

    /// Component `k` of element `i` as owned text, trimmed.
    pub fn comp_text(&self, i: usize, k: usize) -> crate::model::Text {
        self.text_of(self.comp(i, k))
    }

    /// Bytes of this segment as owned text, trimmed (not checked as UTF-8
    /// again in an ASCII transaction).
    pub fn text_of(&self, b: &[u8]) -> crate::model::Text {
        if self.ascii {
            debug_assert!(b.is_ascii());
            // SAFETY: `ascii` is set only by `from_ascii_in`, whose
            // caller vouches that every byte is ASCII; ASCII is UTF-8.
            let s = unsafe { std::str::from_utf8_unchecked(b) };
            return crate::input::trim(s).into();
        }
        text(b)
    }
}

impl<'a> Segment<'a> {
    /// A segment from its bytes (without terminator), its elements split
    /// into `elems` (reused between calls).
    pub fn from_bytes(
        bytes: &'a [u8],
        offset: u64,
        delims: Delims,
        elems: &'a mut Vec<(u32, u32)>,
    ) -> Segment<'a> {
        Segment::split(bytes, offset, delims, elems, false)
    }

    /// `from_bytes` of the segment at `start..end` of `buf`, its bytes known
    /// to be all ASCII (the caller checked a buffer that holds them): `text`
    /// makes text of its elements without checking them for UTF-8 one by
    /// one. One of at most 64 bytes, with room for the steps that read them
    /// in `buf`, is `short` (its separators a mask; the bytes past `end`
    /// are read, not taken).
    ///
    /// # Safety
    /// Every byte of `buf[start..end]` is ASCII: `text` reads its elements
    /// as `str` unchecked.
    #[inline]
    pub(crate) unsafe fn from_ascii_in(
        buf: &'a [u8],
        start: usize,
        end: usize,
        offset: u64,
        delims: Delims,
        elems: &'a mut Vec<(u32, u32)>,
    ) -> Segment<'a> {
        let bytes = &buf[start..end];
        debug_assert!(bytes.is_ascii());
        match crate::input::swar::mask_within(&buf[start..], bytes.len(), delims.element) {
            Some(mask) => Segment {
                bytes,
                offset,
                delims,
                elems: &[],
                mask: Some(mask),
                ascii: true,
            },
            None => Segment::split(bytes, offset, delims, elems, true),
        }
    }

    fn split(
        bytes: &'a [u8],
        offset: u64,
        delims: Delims,
        elems: &'a mut Vec<(u32, u32)>,
        ascii: bool,
    ) -> Segment<'a> {
        split_elements(bytes, delims.element, elems);
        Segment {
            bytes,
            offset,
            delims,
            elems,
            mask: None,
            ascii,
        }
    }
}

/// Each element's span. The separators are found eight bytes at a time
/// (`input::swar::each`): segments are tens of bytes, where `memchr_iter`'s
/// setup per element cost more than it saved; a byte at a time, the loop
/// was a tenth of a run's instructions (`split_elements_bytewise`, the
/// reference in tests).
fn split_elements(bytes: &[u8], element: u8, elems: &mut Vec<(u32, u32)>) {
    elems.clear();
    let mut last = 0u32;
    crate::input::swar::each(bytes, element, |i| {
        elems.push((last, i as u32));
        last = i as u32 + 1;
    });
    elems.push((last, bytes.len() as u32));
}

/// Whether a segment id is one of the envelope's (ISA, GS, ST, SE, GE,
/// IEA): the reader's own thread reads these; every other segment of a
/// transaction goes to its job unread.
/// Where `Tokenizer::body_run` hands the segments it reads.
pub trait BodySink {
    /// A segment of `len` bytes laid out as a job keeps it (followed by
    /// its terminator and the line end): told now, its bytes come with the
    /// next `run`, with those of the segments told after it. `false`: not
    /// taken (`segment` is then given it).
    fn laid_out(&mut self, len: usize, id: &[u8], offset: u64) -> bool;
    /// The bytes of the segments told since the last `run`, as they stand.
    fn run(&mut self, bytes: &[u8]);
    /// A segment on its own: its bytes, without terminator.
    fn segment(&mut self, bytes: &[u8], id: &[u8], offset: u64);
}

/// Hand `sink` the run of laid-out segments that began at `run` and ends
/// where `buf` does.
#[inline]
fn flush(run: &mut Option<usize>, buf: &[u8], sink: &mut impl BodySink) {
    if let Some(from) = run.take() {
        sink.run(&buf[from..]);
    }
}

/// The segment terminators of a stretch, 64 bytes at a time as the bits of
/// a word (`swar::mask_within`): a segment is some 20 bytes, where a
/// search call for each one's end cost some 50 instructions.
#[derive(Default)]
struct Terminators {
    /// Where the 64 bytes of `mask` begin, when it is set.
    block: Option<usize>,
    mask: u64,
}

impl Terminators {
    /// The place of the first `term` in `buf` from `from` on.
    #[inline]
    fn next(&mut self, buf: &[u8], mut from: usize, term: u8) -> Option<usize> {
        loop {
            let block = match self.block {
                Some(b) if (b..b + 64).contains(&from) => b,
                _ => {
                    let Some(mask) = buf
                        .get(from..)
                        .and_then(|room| crate::input::swar::mask_within(room, 64, term))
                    else {
                        // Under 64 bytes left (or no SSE2): searched.
                        self.block = None;
                        return memchr(term, buf.get(from..)?).map(|i| from + i);
                    };
                    self.block = Some(from);
                    self.mask = mask;
                    from
                }
            };
            let m = self.mask & (!0u64 << (from - block));
            if m != 0 {
                return Some(block + m.trailing_zeros() as usize);
            }
            from = block + 64;
        }
    }
}

/// The bytes `skip_blank` passes over between segments.
#[inline]
fn is_blank(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | b'\t' | b' ')
}

pub fn is_envelope(id: &[u8]) -> bool {
    matches!(id, b"ISA" | b"GS" | b"ST" | b"SE" | b"GE" | b"IEA")
}

/// Bytes as owned text, trimmed; invalid UTF-8 is replaced, never an error.
pub fn text(b: &[u8]) -> crate::model::Text {
    match std::str::from_utf8(b) {
        Ok(s) => crate::input::trim(s).into(),
        Err(_) => String::from_utf8_lossy(b).trim().into(),
    }
}

/// What the tokenizer hands the parser.
pub enum Token<'a> {
    Segment(Segment<'a>),
    /// Bytes that are not part of any interchange, skipped up to the next
    /// `ISA` or the end of input.
    Garbage {
        offset: u64,
        len: u64,
        reason: String,
    },
    /// A segment longer than the limit, skipped up to its terminator.
    TooLong {
        offset: u64,
        len: u64,
    },
    /// The input ended inside a segment (no terminator).
    Unterminated {
        offset: u64,
        len: u64,
    },
    Eof,
}

pub struct Tokenizer<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    eof: bool,
    delims: Option<Delims>,
    elems: Vec<(u32, u32)>,
    max_segment: usize,
    io_error: Option<String>,
    /// Split only the segment id, not the elements (`lazy`).
    id_only: bool,
}

impl<R: Read> Tokenizer<R> {
    pub fn new(src: R, max_segment: usize) -> Self {
        Tokenizer {
            src,
            buf: vec![0; CHUNK * 2],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            delims: None,
            elems: Vec::with_capacity(32),
            max_segment: max_segment.max(ISA_LEN),
            io_error: None,
            id_only: false,
        }
    }

    /// Segments then carry their id only (`el(0)`); the caller splits the
    /// ones it reads with [`Segment::from_bytes`]. For a reader that hands
    /// most segments on unread.
    pub fn lazy(mut self) -> Self {
        self.id_only = true;
        self
    }

    pub fn delims(&self) -> Option<Delims> {
        self.delims
    }

    /// An I/O error that ended the input early, if one happened.
    pub fn io_error(&self) -> Option<&str> {
        self.io_error.as_deref()
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Read more input, keeping `buf[pos..end]`. Returns false at end of input.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.base += self.pos as u64;
            self.pos = 0;
        }
        if self.buf.len() - self.end < CHUNK {
            self.buf.resize(self.end + CHUNK, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.end += n;
                    return true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.io_error = Some(e.to_string());
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    /// Make at least `n` bytes available from `pos` if the input has them.
    fn want(&mut self, n: usize) -> bool {
        while self.end - self.pos < n {
            if !self.fill() {
                return false;
            }
        }
        true
    }

    /// Skip CR, LF, tabs and spaces between segments (and a UTF-8 BOM at the start).
    fn skip_blank(&mut self) {
        loop {
            self.skip_blank_held();
            if self.pos < self.end {
                if self.base == 0
                    && self.pos == 0
                    && self.want(3)
                    && self.buf[..3] == *b"\xEF\xBB\xBF"
                {
                    self.pos = 3;
                    continue;
                }
                return;
            }
            if !self.fill() {
                return;
            }
        }
    }

    /// Skip CR, LF, tabs and spaces among the bytes already read.
    fn skip_blank_held(&mut self) {
        while self.pos < self.end && is_blank(self.buf[self.pos]) {
            self.pos += 1;
        }
    }

    pub fn next_token(&mut self) -> Token<'_> {
        self.skip_blank();
        if self.pos >= self.end && !self.want(1) {
            return Token::Eof;
        }
        let starts_isa = self.want(4)
            && self.buf[self.pos..].starts_with(b"ISA")
            && !self.buf[self.pos + 3].is_ascii_alphanumeric();
        if starts_isa || self.delims.is_none() {
            if let Some(t) = self.read_isa() {
                return t;
            }
        }
        let d = self.delims.expect("delimiters are set after an ISA");
        let mut scanned = 0;
        let term = loop {
            if let Some(i) = memchr(d.segment, &self.buf[self.pos + scanned..self.end]) {
                break self.pos + scanned + i;
            }
            scanned = self.end - self.pos;
            if scanned > self.max_segment {
                return self.skip_too_long(d.segment);
            }
            if !self.fill() {
                let len = (self.end - self.pos) as u64;
                let offset = self.offset();
                self.pos = self.end;
                return Token::Unterminated { offset, len };
            }
        };
        let s = self.pos;
        self.pos = term + 1;
        if term - s > self.max_segment {
            return Token::TooLong {
                offset: self.base + s as u64,
                len: (term - s) as u64,
            };
        }
        let bytes = &self.buf[s..term];
        // A segment may end in CR/LF before the terminator when the
        // terminator is itself a newline; trim trailing CR.
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if self.id_only {
            let id = bytes
                .iter()
                .position(|&b| b == d.element)
                .unwrap_or(bytes.len());
            self.elems.clear();
            self.elems.push((0, id as u32));
        } else {
            split_elements(bytes, d.element, &mut self.elems);
        }
        if bytes.starts_with(b"IEA") && self.elems[0].1 == 3 {
            self.delims = None;
        }
        Token::Segment(Segment {
            bytes,
            offset: self.base + s as u64,
            delims: d,
            elems: &self.elems,
            mask: None,
            ascii: false,
        })
    }

    /// The segments that follow, handed to `sink` straight from the read
    /// buffer (a run of those laid out as a job keeps them in one piece,
    /// any other on its own), for as long as they are ordinary body
    /// segments already in it: what `next_token` would give for each, without
    /// its checks for the rare cases. Stops, consuming nothing more, before
    /// an envelope segment (ISA, GS, ST, SE, GE, IEA), a segment over the
    /// size limit, or one that runs past the bytes read so far: `next_token`
    /// takes it from there. Returns how many segments it handed on.
    ///
    /// The reader's thread spends most of its time here (it is the one serial
    /// stage of an 837P run), so this is kept to a scan for the terminator
    /// and a look at the id.
    pub fn body_run(&mut self, sink: &mut impl BodySink) -> u64 {
        let Some(d) = self.delims else {
            return 0;
        };
        let mut n = 0;
        // Where the segments told to `sink.laid_out` and not yet handed
        // over begin: they go in one `run`, the bytes as they stand.
        let mut run: Option<usize> = None;
        let mut terminators = Terminators::default();
        loop {
            if self.pos < self.end && is_blank(self.buf[self.pos]) {
                flush(&mut run, &self.buf[..self.pos], sink);
                self.skip_blank_held();
            }
            let at = terminators.next(&self.buf[..self.end], self.pos, d.segment);
            let rest = &self.buf[self.pos..self.end];
            let term = match at.map(|at| at - self.pos) {
                Some(term) if term <= self.max_segment => term,
                _ => {
                    flush(&mut run, &self.buf[..self.pos], sink);
                    return n;
                }
            };
            let raw = &rest[..term];
            let bytes = raw.strip_suffix(b"\r").unwrap_or(raw);
            let e = d.element;
            // Ids are two or three letters: looked at, not searched for.
            let id_len = match bytes {
                [a, b, c, ..] if *c == e && *a != e && *b != e => 2,
                [a, b, c, f, ..] if *f == e && *a != e && *b != e && *c != e => 3,
                _ => bytes.iter().position(|&b| b == e).unwrap_or(bytes.len()),
            };
            let id = &bytes[..id_len];
            // (Envelope ids begin with G, I or S: most ids are passed on
            // at the first letter.)
            if matches!(bytes.first(), Some(b'G' | b'I' | b'S'))
                && (is_envelope(id) || bytes.starts_with(b"ISA"))
            {
                flush(&mut run, &self.buf[..self.pos], sink);
                return n;
            }
            let offset = self.base + self.pos as u64;
            // Laid out as a job keeps it: its bytes, the terminator, the
            // line end (the usual line ends compared as bytes, not by a
            // call).
            let after = &rest[term + 1..];
            let laid = bytes.len() == term
                && match *d.eol {
                    [] => true,
                    [a] => after.first() == Some(&a),
                    [a, b] => after.get(..2) == Some(&[a, b]),
                    ref eol => after.starts_with(eol),
                };
            if laid && sink.laid_out(term, id, offset) {
                run.get_or_insert(self.pos);
                self.pos += term + 1 + d.eol.len();
            } else {
                flush(&mut run, &self.buf[..self.pos], sink);
                sink.segment(bytes, id, offset);
                self.pos += term + 1;
            }
            n += 1;
        }
    }

    /// Skip a segment longer than the limit without holding it.
    fn skip_too_long(&mut self, term: u8) -> Token<'static> {
        let offset = self.offset();
        // The length without the terminator, as `next_token` tells a long
        // segment it holds whole (the same file read in other pieces, say
        // from a pipe, tells the same length).
        let mut terminated = 0;
        loop {
            if let Some(i) = memchr(term, &self.buf[self.pos..self.end]) {
                self.pos += i + 1;
                terminated = 1;
                break;
            }
            self.pos = self.end;
            if !self.fill() {
                break;
            }
        }
        Token::TooLong {
            offset,
            len: self.offset() - offset - terminated,
        }
    }

    /// At a place where an ISA must stand: read its delimiters, or skip to
    /// the next `ISA` and say why. `None` when a valid ISA was found (the
    /// caller then reads it as an ordinary segment).
    fn read_isa(&mut self) -> Option<Token<'static>> {
        let offset = self.offset();
        let have = self.want(ISA_LEN);
        self.want(ISA_LEN + 2);
        let avail = &self.buf[self.pos..self.end];
        let reason = match isa_delims(avail) {
            Ok(d) if have => {
                let after = &avail[ISA_LEN..];
                let eol: &'static [u8] = if after.starts_with(b"\r\n") {
                    b"\r\n"
                } else if after.starts_with(b"\n") {
                    b"\n"
                } else if after.starts_with(b"\r") {
                    b"\r"
                } else {
                    b""
                };
                self.delims = Some(Delims { eol, ..d });
                return None;
            }
            Ok(_) => "input ends inside the ISA".to_string(),
            Err(r) => r,
        };
        // Skip to the next ISA (not at this position) or to the end.
        let mut skipped: u64 = 0;
        let finder = memmem::Finder::new(b"ISA");
        let mut from = 1;
        loop {
            let hay = &self.buf[self.pos + from.min(self.end - self.pos)..self.end];
            if let Some(i) = finder.find(hay) {
                let at = from + i;
                skipped += at as u64;
                self.pos += at;
                break;
            }
            // Keep two bytes in case `ISA` straddles the refill.
            let keep = (self.end - self.pos).min(2);
            let consumed = self.end - self.pos - keep;
            skipped += consumed as u64;
            self.pos += consumed;
            from = 0;
            if !self.fill() {
                skipped += (self.end - self.pos) as u64;
                self.pos = self.end;
                break;
            }
        }
        self.delims = None;
        Some(Token::Garbage {
            offset,
            len: skipped,
            reason,
        })
    }
}

/// The delimiters of an ISA at the start of `b`, or why it is not one.
pub fn isa_delims(b: &[u8]) -> Result<Delims, String> {
    if b.is_empty() {
        return Err("empty input".into());
    }
    if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
        return Err("UTF-16 text: X12 must be ASCII or UTF-8".into());
    }
    if !b.starts_with(b"ISA") {
        let shown: String = b
            .iter()
            .take(16)
            .map(|&c| {
                if c.is_ascii_graphic() || c == b' ' {
                    c as char
                } else {
                    '.'
                }
            })
            .collect();
        let binary = b
            .iter()
            .take(512)
            .any(|&c| c == 0 || (c < 0x20 && !matches!(c, b'\r' | b'\n' | b'\t')));
        return Err(if binary {
            format!("binary data where an ISA segment must start (`{shown}`)")
        } else {
            format!("no ISA segment where an interchange must start (found `{shown}`)")
        });
    }
    if b.len() < ISA_LEN {
        return Err(format!("ISA is {} bytes; it must be {ISA_LEN}", b.len()));
    }
    let e = b[3];
    for (n, &p) in ISA_SEPARATORS.iter().enumerate() {
        if b[p] != e {
            return Err(format!(
                "ISA element separator `{}` not found before ISA{:02} at byte {p}: the ISA must be {ISA_LEN} characters with fixed-width elements",
                e as char,
                n + 1
            ));
        }
    }
    let component = b[104];
    let segment = b[105];
    let version = &b[84..89];
    let rep = b[82];
    let repetition = (version >= &b"00501"[..] && !rep.is_ascii_alphanumeric()).then_some(rep);
    let mut seps = vec![e, component, segment];
    seps.extend(repetition);
    for &s in &seps {
        if s.is_ascii_alphanumeric() || s == b' ' {
            return Err(format!(
                "delimiter `{}` is a letter, digit or space",
                s as char
            ));
        }
    }
    for i in 0..seps.len() {
        for j in i + 1..seps.len() {
            if seps[i] == seps[j] {
                return Err(format!(
                    "two ISA delimiters are the same character `{}`",
                    seps[i] as char
                ));
            }
        }
    }
    if b[..ISA_LEN - 1].contains(&segment) {
        return Err("the segment terminator appears inside the ISA".into());
    }
    Ok(Delims {
        element: e,
        component,
        repetition,
        segment,
        eol: b"",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*1200*^*00501*000000001*0*P*:~";

    /// The reference: a byte at a time.
    fn split_elements_bytewise(bytes: &[u8], element: u8) -> Vec<(u32, u32)> {
        let mut elems = Vec::new();
        let mut last = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            if b == element {
                elems.push((last, i as u32));
                last = i as u32 + 1;
            }
        }
        elems.push((last, bytes.len() as u32));
        elems
    }

    /// Eight bytes at a time, the same elements as a byte at a time: every
    /// length around the word size, separators of every value (0x00, 0x7f,
    /// 0x80, 0xff among them: where a borrow or carry could cross a byte),
    /// next to each other, at both ends, and bytes one off the separator.
    #[test]
    fn elements_split_by_words_as_by_bytes() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut elems = Vec::new();
        for sep in [b'*', b'|', 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] {
            for len in 0..40 {
                for _ in 0..200 {
                    let bytes: Vec<u8> = (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            match x % 4 {
                                0 => sep,
                                1 => sep.wrapping_add(1),
                                2 => sep.wrapping_sub(1),
                                _ => (x >> 32) as u8,
                            }
                        })
                        .collect();
                    split_elements(&bytes, sep, &mut elems);
                    assert_eq!(
                        elems,
                        split_elements_bytewise(&bytes, sep),
                        "{bytes:?} by {sep}"
                    );
                }
            }
        }
    }

    /// A short segment (separators as a mask) gives every element, its
    /// components and its count as one split into spans: lengths 0 to 70
    /// (past 64 it is split), separators side by side and at both ends,
    /// with and without room after it, elements asked for past the last.
    #[test]
    fn a_short_segments_elements_are_those_split_into_spans() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let d = Delims::usual();
        let (mut e1, mut e2) = (Vec::new(), Vec::new());
        let mut shorts = 0;
        for len in 0..70 {
            for _ in 0..100 {
                let buf: Vec<u8> = (0..len + 70)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        b"**:AB1 "[(x % 7) as usize]
                    })
                    .collect();
                for room in [len, len + 70] {
                    let buf = &buf[..room];
                    // SAFETY: every byte above is ASCII.
                    let short = unsafe { Segment::from_ascii_in(buf, 0, len, 0, d, &mut e1) };
                    let split = Segment::from_bytes(&buf[..len], 0, d, &mut e2);
                    shorts += usize::from(short.mask.is_some());
                    assert_eq!(short.len(), split.len(), "{buf:?} {len}");
                    for i in 0..split.len() + 3 {
                        assert_eq!(short.el(i), split.el(i), "{buf:?} {len} el {i}");
                        assert_eq!(short.comp(i, 1), split.comp(i, 1));
                    }
                    assert_eq!(short.id(), split.id());
                }
            }
        }
        assert!(shorts > 5000, "{shorts} short segments");
    }

    fn ids(input: &[u8], max: usize) -> Vec<String> {
        let mut t = Tokenizer::new(input, max);
        let mut out = Vec::new();
        loop {
            match t.next_token() {
                Token::Segment(s) => out.push(String::from_utf8_lossy(s.id()).into_owned()),
                Token::Garbage { reason, .. } => out.push(format!("garbage:{reason}")),
                Token::TooLong { .. } => out.push("toolong".into()),
                Token::Unterminated { .. } => out.push("unterminated".into()),
                Token::Eof => return out,
            }
        }
    }

    #[test]
    fn isa_is_106_bytes() {
        assert_eq!(ISA.len(), ISA_LEN);
        let d = isa_delims(ISA.as_bytes()).unwrap();
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            (b'*', b':', Some(b'^'), b'~')
        );
    }

    #[test]
    fn segments_with_any_line_ending() {
        for sep in ["", "\n", "\r\n", "\r"] {
            let input = format!(
                "{ISA}{sep}GS*HC~{sep}ST*837*1~{sep}SE*2*1~{sep}GE*1*1~{sep}IEA*1*000000001~{sep}"
            );
            assert_eq!(
                ids(input.as_bytes(), 1 << 20),
                ["ISA", "GS", "ST", "SE", "GE", "IEA"],
                "{sep:?}"
            );
        }
    }

    #[test]
    fn elements_and_components() {
        let input = format!("{ISA}SV1*HC:97530:GP:59*45*UN*1***1:2~");
        let mut t = Tokenizer::new(input.as_bytes(), 1 << 20);
        assert!(matches!(t.next_token(), Token::Segment(_)));
        let Token::Segment(s) = t.next_token() else {
            panic!()
        };
        assert_eq!(s.id(), b"SV1");
        assert_eq!(s.comp(1, 1), b"97530");
        assert_eq!(
            s.comps(1).collect::<Vec<_>>(),
            vec![&b"HC"[..], b"97530", b"GP", b"59"]
        );
        assert_eq!(s.el(2), b"45");
        assert_eq!(s.el(6), b"");
        assert_eq!(s.comps(7).count(), 2);
        assert_eq!(s.el(99), b"");
        assert_eq!(s.offset, ISA_LEN as u64);
    }

    #[test]
    fn other_delimiters_and_a_second_interchange() {
        let other = ISA.replace('*', "|").replace(":~", ">\n");
        let input = format!("{ISA}GS*HC~IEA*1*1~{other}GS|HC\nIEA|1|1\n");
        assert_eq!(
            ids(input.as_bytes(), 1 << 20),
            ["ISA", "GS", "IEA", "ISA", "GS", "IEA"]
        );
    }

    #[test]
    fn garbage_too_long_and_unterminated() {
        let got = ids(b"hello world", 1 << 20);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("garbage:no ISA"), "{got:?}");
        let long = format!("{ISA}GS*{}~ST*1~", "x".repeat(5000));
        assert_eq!(ids(long.as_bytes(), 1000), ["ISA", "toolong", "ST"]);
        let cut = format!("{ISA}GS*HC~ST*83");
        assert_eq!(ids(cut.as_bytes(), 1 << 20), ["ISA", "GS", "unterminated"]);
        let bin = ids(b"\x00\x01\x02ISA", 1 << 20);
        assert!(bin[0].contains("binary"), "{bin:?}");
        assert!(ids(b"\xFF\xFEI\0S\0A\0", 1 << 20)[0].contains("UTF-16"));
    }

    #[test]
    fn bad_isa_skips_to_next_isa() {
        let bad = "ISA*00*00*ZZ*S*ZZ*R*261127*1200*^*00501*1*0*P*:~GS*HC~";
        let input = format!("{bad}{ISA}GS*HC~");
        let got = ids(input.as_bytes(), 1 << 20);
        assert!(got[0].contains("element separator"), "{got:?}");
        assert_eq!(&got[1..], ["ISA", "GS"]);
    }

    #[test]
    fn segment_across_buffer_refills() {
        // Many segments through a reader that returns one byte at a time.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() || b.is_empty() {
                    return Ok(0);
                }
                b[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let mut input = ISA.to_string();
        for i in 0..2000 {
            input.push_str(&format!("LX*{i}~"));
        }
        let mut t = Tokenizer::new(Slow(input.as_bytes()), 1 << 20);
        let mut n = 0;
        while let Token::Segment(s) = t.next_token() {
            if s.id() == b"LX" {
                assert_eq!(s.el(1), n.to_string().as_bytes());
                n += 1;
            }
        }
        assert_eq!(n, 2000);
    }

    /// What `body_run` hands on, shown as `next_token`'s segments are: a
    /// run's bytes are split at the lengths told, each checked to be
    /// followed by its terminator and line end.
    #[derive(Default)]
    struct Shown {
        shown: Vec<String>,
        told: Vec<(Vec<u8>, usize, u64)>,
        eol: &'static [u8],
        runs: usize,
        laid: usize,
        alone: usize,
    }

    impl BodySink for Shown {
        fn laid_out(&mut self, len: usize, id: &[u8], offset: u64) -> bool {
            self.told.push((id.to_vec(), len, offset));
            true
        }

        fn run(&mut self, mut bytes: &[u8]) {
            assert!(!self.told.is_empty(), "a run of no segment");
            self.runs += 1;
            for (id, len, offset) in std::mem::take(&mut self.told) {
                let (seg, rest) = bytes.split_at(len);
                assert_eq!(rest[0], b'~', "a terminator after {seg:?}");
                assert!(
                    rest[1..].starts_with(self.eol),
                    "the line end after {seg:?}"
                );
                bytes = &rest[1 + self.eol.len()..];
                assert!(seg.starts_with(&id));
                self.shown.push(format!(
                    "{} {} @{offset}",
                    String::from_utf8_lossy(&id),
                    String::from_utf8_lossy(seg)
                ));
                self.laid += 1;
            }
            assert!(bytes.is_empty(), "bytes past the segments told");
        }

        fn segment(&mut self, bytes: &[u8], id: &[u8], offset: u64) {
            assert!(self.told.is_empty(), "a segment on its own inside a run");
            self.alone += 1;
            self.shown.push(format!(
                "{} {} @{offset}",
                String::from_utf8_lossy(id),
                String::from_utf8_lossy(bytes)
            ));
        }
    }

    /// `Terminators::next` finds what a search finds, from any place and
    /// from places in order (as `body_run` asks), across its 64-byte blocks.
    #[test]
    fn terminators_are_found_as_a_search_finds_them() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..400 {
            let len = (rand() % 300) as usize;
            // Sparse, dense and no terminators at all.
            let every = [3, 20, 90, u64::MAX][round % 4];
            let buf: Vec<u8> = (0..len)
                .map(|_| if rand() % every == 0 { b'~' } else { b'a' })
                .collect();
            let mut t = Terminators::default();
            let mut from = 0;
            while from <= len {
                let want = memchr(b'~', &buf[from..]).map(|i| from + i);
                assert_eq!(t.next(&buf, from, b'~'), want, "from {from} of {buf:?}");
                from = match want {
                    Some(at) if rand() % 4 > 0 => at + 1,
                    _ => from + 1 + (rand() % 70) as usize,
                };
            }
            for _ in 0..20 {
                let from = (rand() as usize) % (len + 1);
                let want = memchr(b'~', &buf[from..]).map(|i| from + i);
                assert_eq!(t.next(&buf, from, b'~'), want, "from {from} of {buf:?}");
            }
        }
    }

    /// `body_run` then `next_token`, as the reader calls them, give the
    /// segments `next_token` alone gives: the same bytes, ids and offsets,
    /// and the same rare tokens, whatever the size of the reads.
    #[test]
    fn body_runs_read_as_next_token_alone() {
        use crate::input::Reads;
        fn show(t: Token<'_>) -> Option<String> {
            Some(match t {
                Token::Segment(s) => format!(
                    "{} {} @{}",
                    String::from_utf8_lossy(s.id()),
                    String::from_utf8_lossy(s.bytes),
                    s.offset
                ),
                Token::Eof => return None,
                Token::Garbage {
                    offset,
                    len,
                    reason,
                } => format!("Garbage {offset} {len} {reason}"),
                Token::TooLong { offset, len } => format!("TooLong {offset} {len}"),
                Token::Unterminated { offset, len } => format!("Unterminated {offset} {len}"),
            })
        }
        let body = "HL*1**20*1~NM1*85*2*CLINIC~~CLM*A*100~\r\n*X*1~A*1~AB*~A**1~ABCD*1~AB~ABC~LX*1~SV1*HC:97530:GP*50*UN*2~ \t\nISAX*1~GSA*1~\
                    SEX~NTE*ADD*a note that runs on and on, longer than the limit of the smaller runs below (ISA_LEN, 106 bytes) and then some~LX*2~";
        let input = format!(
            "{ISA}GS*HC*S*R~ST*837*1~{body}SE*12*1~ST*837*2~{body}\r\n{body}SE*22*2~GE*2*1~\
             IEA*1*000000001~{ISA}\nGS*HC~ST*837*3~{body}LX*3"
        );
        // The limit is at least ISA_LEN (106): the NTE is over it.
        for max in [106, 1 << 20] {
            let mut alone = Vec::new();
            let mut t = Tokenizer::new(input.as_bytes(), max).lazy();
            while let Some(s) = show(t.next_token()) {
                alone.push(s);
            }
            assert_eq!(alone.iter().any(|s| s.starts_with("TooLong")), max == 106);
            for size in [1, 3, 7, 64, 4096] {
                let mut t = Tokenizer::new(Reads(input.as_bytes(), size), max).lazy();
                let mut sink = Shown::default();
                let mut ran = 0;
                loop {
                    sink.eol = t.delims.map_or(b"", |d| d.eol);
                    ran += t.body_run(&mut sink);
                    assert!(sink.told.is_empty(), "every segment told came in a run");
                    match show(t.next_token()) {
                        Some(s) => sink.shown.push(s),
                        None => break,
                    }
                }
                assert_eq!(sink.shown, alone, "reads of {size} bytes, limit {max}");
                if size == 4096 {
                    assert!(ran > 20, "body_run took {ran} segments");
                    // Both ways are taken: runs as they stand, and segments
                    // on their own (a CR before the line end, blanks).
                    assert!(sink.runs > 1 && sink.laid > 10, "{} runs", sink.runs);
                    assert!(sink.alone > 3, "{} on their own", sink.alone);
                }
            }
        }
    }
}
