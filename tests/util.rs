//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Tolerance for sums of floating-point persons that are equal in exact arithmetic.
pub const EPS: f64 = 1e-9;

/// The repository's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under data/.
pub fn data(path: &str) -> PathBuf {
    root().join("data").join(path)
}

/// Runs the built `deltid` binary in `dir`.
pub fn deltid(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deltid"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the deltid binary runs")
}

/// Stdout of a run, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr of a run, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes files into a fresh temporary folder.
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("a test file is written");
    }
    dir
}

/// Asserts two numbers of persons agree within [`EPS`] (relative to their size).
#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    let scale = expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= EPS * scale,
        "expected {expected}, got {actual}"
    );
}

/// Reads a scenario and its counts (`counts`, else the file the scenario names) with the
/// default reading options, and estimates and summarises them for `selection`.
pub fn run(
    scenario: &Path,
    counts: Option<&Path>,
    selection: &deltid::Selection,
) -> deltid::Result<deltid::Run> {
    deltid::Run::new(
        scenario,
        counts,
        &deltid::CountsOptions::default(),
        selection,
    )
}

/// The summary of a scenario file and its counts (as [`run`] reads them), for all areas and
/// days.
pub fn summary(scenario: &Path, counts: Option<&Path>) -> deltid::Result<deltid::Summary> {
    run(scenario, counts, &deltid::Selection::default()).map(|r| r.summary().clone())
}

/// A CRC-32 (IEEE), as zip files carry.
pub fn crc32(bytes: &[u8]) -> u32 {
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
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: usize) {
        out.extend_from_slice(&u16::try_from(v).unwrap().to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: usize) {
        out.extend_from_slice(&u32::try_from(v).unwrap().to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len();
        let crc = crc32(data) as usize;
        // Version 2.0, no flags, stored, 1980-01-01 00:00.
        let common = |h: &mut Vec<u8>| {
            u16le(h, 20);
            u16le(h, 0);
            u16le(h, 0);
            u16le(h, 0);
            u16le(h, 0x21);
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
        u16le(&mut central, 0); // comment
        u16le(&mut central, 0); // disk
        u16le(&mut central, 0); // internal attributes
        u32le(&mut central, 0); // external attributes
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

/// A minimal .xlsx workbook with one sheet, `counts`, holding `sheet` as its XML.
pub fn xlsx(sheet: &[u8]) -> Vec<u8> {
    workbook(sheet, false)
}

/// A minimal .xlsx workbook in the 1904 date system (as Excel for Mac wrote them) with one
/// sheet, `counts`, holding `sheet` as its XML; cells with `s="1"` are dates (built-in number
/// format 14).
pub fn xlsx_1904(sheet: &[u8]) -> Vec<u8> {
    workbook(sheet, true)
}

/// [`xlsx`] of a workbook that asks to be recalculated when opened (`<calcPr
/// fullCalcOnLoad="1"/>`, as xlsxwriter writes it).
pub fn xlsx_recalculated(sheet: &[u8]) -> Vec<u8> {
    workbook_with(
        sheet,
        false,
        r#"<calcPr calcId="124519" fullCalcOnLoad="1"/>"#,
    )
}

fn workbook(sheet: &[u8], date1904: bool) -> Vec<u8> {
    workbook_with(sheet, date1904, "")
}

fn workbook_with(sheet: &[u8], date1904: bool, calculation: &str) -> Vec<u8> {
    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELATIONSHIPS: &str =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PACKAGE: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const OFFICE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let styles_type = if date1904 {
        format!(r#"<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>"#)
    } else {
        String::new()
    };
    let types = format!(
        r#"{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>{styles_type}</Types>"#
    );
    let rels = format!(
        r#"{HEAD}<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let properties = if date1904 {
        r#"<workbookPr date1904="1"/>"#
    } else {
        ""
    };
    let workbook = format!(
        r#"{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">{properties}<sheets><sheet name="counts" sheetId="1" r:id="rId1"/></sheets>{calculation}</workbook>"#
    );
    let styles_rel = if date1904 {
        format!(r#"<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>"#)
    } else {
        String::new()
    };
    let workbook_rels = format!(
        r#"{HEAD}<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>{styles_rel}</Relationships>"#
    );
    // Style 1: built-in number format 14, a date.
    let styles = format!(
        r#"{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if date1904 {
        entries.push(("xl/styles.xml", styles.as_bytes()));
    }
    zip(&entries)
}

/// Runs a Python `script` (DuckDB for Python importable: `python3 -m pip install -r
/// tests/requirements.txt`) with `args`; its standard output. Panics, naming the requirements,
/// if Python or the script fails.
pub fn python_duckdb<S: AsRef<std::ffi::OsStr>>(script: &str, args: &[S]) -> Vec<u8> {
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "DuckDB for Python is needed (python3 -m pip install -r tests/requirements.txt): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
