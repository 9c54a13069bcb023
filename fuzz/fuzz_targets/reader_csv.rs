//! Any bytes to the CSV reader: items and findings, never a panic.
#![no_main]

use std::sync::Arc;

use claimscrub::input::csv::CsvReader;
use claimscrub::input::{Item, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Everything kept (the outputs' raw segments and rows, the 277CA's
    // parties), and a small record limit, so that long segments and rows
    // are met often.
    let limits = Limits {
        max_record: 256,
        keep_raw: true,
        parties: true,
        segments: true,
        ..Limits::default()
    };
    for item in CsvReader::new(Arc::from("fuzz"), data, limits) {
        if let Item::Finding(f) = item {
            assert!(f.origin.is_some(), "a finding with no place: {f:?}");
        }
    }
});
