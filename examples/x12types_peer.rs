//! The peer in scripts/bench: x12-types 0.12 parsing the same 837P file,
//! counting claims and service lines. It holds the whole file in memory and
//! reads only `*`/`~` delimiters, as the brief measured.

use x12_types::util::Parser;
use x12_types::v005010::{Transmission, _837};

fn main() {
    let path = std::env::args().nth(1).expect("usage: x12types_peer FILE");
    let text = std::fs::read_to_string(&path).expect("read the file");
    // x12-types does not skip line breaks between segments.
    let text = text.replace("~\n", "~");
    let (_, t) = Transmission::<_837>::parse(&text).expect("x12-types parses the file");
    let mut claims = 0usize;
    let mut lines = 0usize;
    for fg in &t.functional_group {
        for doc in &fg.segments {
            for l in &doc.loop_2000 {
                for c in &l.loop_2300 {
                    claims += 1;
                    lines += c.loop_2400.len();
                }
            }
        }
    }
    println!("{claims} claims, {lines} lines");
}
