//! Any bytes to the table and policy loaders: a table or an error naming
//! its source, never a panic. The first byte picks the loader.
#![no_main]

use claimscrub::input::minutes::MinutesTable;
use claimscrub::policy::lexicon::Lexicon;
use claimscrub::policy::mue::MueTable;
use claimscrub::policy::ncci::NcciTable;
use claimscrub::policy::PolicySet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 5 {
        0 => {
            let mut t = NcciTable::default();
            if let Err(e) = t.read_part(rest, "ncci") {
                assert!(e.to_string().contains("ncci"));
            }
        }
        1 => {
            if let Err(e) = MueTable::parse(rest, "mue") {
                assert!(e.to_string().contains("mue"));
            }
        }
        2 => {
            if let Err(e) = MinutesTable::parse(rest, "minutes") {
                assert!(e.to_string().contains("minutes"));
            }
        }
        3 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                if let Err(e) = PolicySet::parse(text, "policy") {
                    assert!(e.to_string().contains("policy"));
                }
            }
        }
        _ => {
            // The note reader over any text, with the embedded lexicon.
            if let Ok(text) = std::str::from_utf8(rest) {
                thread_local!(static LEX: Lexicon = Lexicon::embedded());
                LEX.with(|l| {
                    let f = l.read(text);
                    for s in f.exercise().iter().chain(f.time.iter()) {
                        let _ = claimscrub::policy::lexicon::quote(text, *s);
                    }
                });
            }
        }
    }
});
