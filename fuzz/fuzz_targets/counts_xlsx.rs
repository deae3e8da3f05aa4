//! Arbitrary bytes as the worksheet XML of an otherwise valid .xlsx workbook (so the input
//! reaches calamine's sheet parser and deltid's cell handling rather than stopping at the zip
//! layer): `read_counts` returns an error or sound counts, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: deltid_fuzz::init(), |data: &[u8]| {
    deltid_fuzz::read_and_check(&deltid_fuzz::xlsx(data), "xlsx");
});
