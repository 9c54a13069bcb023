//! Any bytes to the 837P reader: items and findings, never a panic.
#![no_main]

use std::sync::Arc;

use claimscrub::input::x12::X12Reader;
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
    let items: Vec<Item> = X12Reader::new(Arc::from("fuzz"), data, limits).collect();
    for item in &items {
        if let Item::Finding(f) = item {
            assert!(f.origin.is_some(), "a finding with no place: {f:?}");
        }
    }
    // A transaction past 200 bytes goes to a scratch file: read the same.
    let spilled = Limits {
        max_held: 200,
        ..limits
    };
    let from_file: Vec<Item> = X12Reader::new(Arc::from("fuzz"), data, spilled).collect();
    assert_eq!(format!("{items:?}"), format!("{from_file:?}"));
});
