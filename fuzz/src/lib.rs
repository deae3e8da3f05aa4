//! Shared by the fuzz targets: reading bytes as a counts file and checking what comes back.

use std::path::PathBuf;
use std::sync::OnceLock;

use deltid::{Counts, CountsOptions, Place, Scenario, read_counts, scenario_from_toml};

/// One temporary folder for the whole run; each input overwrites the same file.
fn folder() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
}

/// The scenario the inputs are read for: two areas, `0001` A and `0002` B, with the region's
/// own count under `REG`, so codes, names and the region code all resolve.
fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let toml = "uplift = 0.06\nregion_code = \"REG\"\n[deductions]\nresidents = 100\n\
            commuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"0001\"\n\
            name = \"A\"\n[[area]]\ncode = \"0002\"\nname = \"B\"\n";
        scenario_from_toml(toml, "fuzz.toml".as_ref()).expect("the fuzz scenario is valid")
    })
}

/// Lets deltid catch a panic of a library it calls (it turns calamine's and polars' panics on
/// damaged files into errors): libfuzzer-sys's hook aborts on any panic, caught or not. A panic
/// that escapes `read_counts` still reaches libfuzzer-sys, which aborts.
pub fn init() {
    let _ = std::panic::take_hook();
}

/// Reads `bytes` as `counts.<extension>` with the default (detecting) options, and checks
/// that an error can be shown and a result is sound.
pub fn read_and_check(bytes: &[u8], extension: &str) {
    let path: PathBuf = folder().path().join(format!("counts.{extension}"));
    std::fs::write(&path, bytes).expect("the input is written");
    match read_counts(&path, &CountsOptions::default(), scenario()) {
        Err(e) => assert!(!e.to_string().is_empty()),
        Ok(counts) => check(&counts),
    }
}

/// A result has counts, and every count is finite and not negative.
fn check(counts: &Counts) {
    assert!(!counts.is_empty(), "a result without counts");
    let mut seen = 0u64;
    for place in [Place::Area(0), Place::Area(1), Place::Region] {
        for (_, count) in counts.series(place) {
            assert!(count.is_finite() && count >= 0.0, "count {count}");
            seen += 1;
        }
    }
    assert_eq!(seen, counts.len(), "counts that no place holds");
}

/// A CRC-32 (IEEE), as zip files carry.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip archive of stored (uncompressed) entries.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: usize) {
        out.extend_from_slice(&(v as u16).to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: usize) {
        out.extend_from_slice(&(v as u32).to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len();
        let crc = crc32(data) as usize;
        // Version 2.0, no flags, stored, 1980-01-01 00:00.
        let common = |h: &mut Vec<u8>| {
            for v in [20, 0, 0, 0, 0x21] {
                u16le(h, v);
            }
            u32le(h, crc);
            u32le(h, data.len());
            u32le(h, data.len());
            u16le(h, name.len());
            u16le(h, 0);
        };
        u32le(&mut out, 0x0403_4b50);
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, 20);
        common(&mut central);
        // Comment length, disk, internal and external attributes, offset.
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_at = out.len();
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, entries.len());
    u16le(&mut out, entries.len());
    u32le(&mut out, central.len());
    u32le(&mut out, central_at);
    u16le(&mut out, 0);
    out
}

/// A minimal .xlsx workbook whose one sheet ("counts") holds `sheet` as its worksheet XML.
pub fn xlsx(sheet: &[u8]) -> Vec<u8> {
    const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="counts" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    zip(&[
        ("[Content_Types].xml", TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}
