//! Arbitrary bytes as a counts CSV file: `read_counts` returns an error or sound counts,
//! never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: deltid_fuzz::init(), |data: &[u8]| {
    deltid_fuzz::read_and_check(data, "csv");
});
