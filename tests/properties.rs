//! Property tests: arbitrary bytes, and arbitrary damage to valid files, read to an error or a
//! result, never a panic; and a result that is read is sound (dates valid, counts finite and
//! non-negative).

use chrono::{Datelike, NaiveDate};
use deltid::{Counts, CountsOptions, MAX_PERSONS, MAX_YEAR, MIN_YEAR, Place, scenario_from_toml};
use polars::prelude::*;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::util::xlsx;

/// Cases per property: enough to find shallow panics, few enough for a quick debug suite.
/// `PROPTEST_CASES=10000 cargo test --test integration properties` runs more.
const CASES: u32 = 64;
/// The seed of the suite's cases.
const SEED: u64 = 3;

/// [`CASES`] cases from a fixed seed, so the suite gives the same answer on every run; with
/// `PROPTEST_CASES` or `PROPTEST_RNG_SEED` set, proptest's own (random-seed) configuration.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    let explore = ["PROPTEST_CASES", "PROPTEST_RNG_SEED"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if !explore {
        config.cases = CASES;
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(SEED);
    }
    config
}

/// Long counts, 2 areas × 5 days, as Excel writes them in Norway: BOM, `;`, decimal comma,
/// CRLF.
const LONG_CSV: &str = "\u{feff}date;area;count\r\n\
    2024-01-01;3324;1200,5\r\n2024-01-01;3326;900\r\n\
    2024-01-02;3324;1210\r\n2024-01-02;3326;905\r\n\
    2024-01-03;3324;1190\r\n2024-01-03;3326;910\r\n\
    2024-01-04;3324;1300\r\n2024-01-04;3326;880\r\n\
    2024-01-05;3324;1250\r\n2024-01-05;3326;875\r\n";

/// The same counts wide, day-first dates, tab-separated, quoted headers.
const WIDE_CSV: &str = "date\t\"3324\"\t\"3326\"\n\
    01.01.2024\t1200,5\t900\n02.01.2024\t1210\t905\n03.01.2024\t1190\t910\n\
    04.01.2024\t1300\t880\n05.01.2024\t1250\t875\n\n";

const SCENARIO: &str = r#"name = "Hallingdal"
uplift = "6 %"
counts = "counts.csv"
allocation = "present"

[deductions]
residents = 20000
commuters = 1000
transit = 1000.5
day_visitors = 0

[[area]]
code = "3324"
name = "Gol"

[[area]]
code = "3326"
name = "Ål"

[calendar]
winter_holiday_weeks = [8, 9]
"#;

/// Bytes that steer a reader: separators, quotes, line ends, digits, signs, the BOM, Latin-1
/// and UTF-8 letters, spaces that group thousands.
const INTERESTING: &[u8] =
    b";,\t\"\r\n0123456789-+.:/% eE\xef\xbb\xbf\xa0\xc3\xa5\xe6\xf8\xe2\x80\xaf<>=[]#'";

/// Whole tokens worth inserting: edge-case numbers, dates and spaces.
const TOKENS: &[&str] = &[
    "2024-02-30",
    "2024-13-01",
    "31.12.2024",
    "12/31/2024",
    "45292",
    "-45292",
    "2958466",
    "1e308",
    "1e400",
    "-0",
    "NaN",
    "inf",
    "-inf",
    "99999999999999999999999",
    "1.234",
    "1,234",
    "1 234,5",
    "6 %",
    "\u{a0}",
    "\u{202f}",
    "\u{feff}",
    "\"",
    "\"\"",
    "\r\n",
    "date",
    "area",
    "count",
    "\u{0}",
    "é",
    "💥",
];

/// One change to a file's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    /// Flip some bits of one byte.
    Flip(Index, u8),
    /// Overwrite one byte.
    Set(Index, u8),
    /// Insert bytes.
    Insert(Index, Vec<u8>),
    /// Delete up to this many bytes.
    Delete(Index, usize),
    /// Cut the file.
    Truncate(Index),
    /// Copy a run of bytes to another place.
    Copy(Index, usize, Index),
}

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![any::<u8>(), prop::sample::select(INTERESTING)]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1..=255u8).prop_map(|(at, bits)| Mutation::Flip(at, bits)),
        2 => (any::<Index>(), byte()).prop_map(|(at, b)| Mutation::Set(at, b)),
        2 => (any::<Index>(), prop::collection::vec(byte(), 1..8))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        2 => (any::<Index>(), prop::sample::select(TOKENS))
            .prop_map(|(at, t)| Mutation::Insert(at, t.as_bytes().to_vec())),
        2 => (any::<Index>(), 1..16usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), 1..64usize, any::<Index>())
            .prop_map(|(from, n, to)| Mutation::Copy(from, n, to)),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..6)
}

/// Applies changes in order (an index is taken modulo the current length).
fn mutate(mut bytes: Vec<u8>, changes: &[Mutation]) -> Vec<u8> {
    for change in changes {
        let len = bytes.len();
        match change {
            Mutation::Insert(at, new) => {
                let at = at.index(len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            _ if len == 0 => {}
            Mutation::Flip(at, bits) => bytes[at.index(len)] ^= bits,
            Mutation::Set(at, b) => bytes[at.index(len)] = *b,
            Mutation::Delete(at, n) => {
                let at = at.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Truncate(at) => bytes.truncate(at.index(len)),
            Mutation::Copy(from, n, to) => {
                let from = from.index(len);
                let run = bytes[from..(from + n).min(len)].to_vec();
                let to = to.index(len + 1);
                bytes.splice(to..to, run);
            }
        }
    }
    bytes
}

/// A file's bytes, shown as hex and as text so a failing case can be reproduced.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        write!(
            f,
            "{} bytes, hex {hex}, text {:?}",
            self.0.len(),
            String::from_utf8_lossy(&self.0)
        )
    }
}

/// Up to 512 arbitrary bytes.
fn arbitrary() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..512).prop_map(Bytes)
}

/// `valid` damaged by a few mutations (shrinking to fewer and smaller ones).
fn damaged(valid: Vec<u8>) -> impl Strategy<Value = Bytes> {
    mutations().prop_map(move |changes| Bytes(mutate(valid.clone(), &changes)))
}

/// Reads `bytes` as a counts file with the given extension, default options, against the
/// scenario [`SCENARIO`] (areas 3324 and 3326).
fn read(bytes: &[u8], extension: &str) -> deltid::Result<Counts> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("counts.{extension}"));
    std::fs::write(&path, bytes).unwrap();
    let scenario = scenario_from_toml(SCENARIO, &dir.path().join("plan.toml")).unwrap();
    deltid::read_counts(&path, &CountsOptions::default(), &scenario)
}

/// An error can be shown; a result has counts, each of one of the scenario's two areas on a
/// valid date within the years taken, finite, non-negative and at most [`MAX_PERSONS`].
fn check(result: &deltid::Result<Counts>) -> Result<(), TestCaseError> {
    let counts = match result {
        Ok(counts) => counts,
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            let _ = format!("{e:?}");
            return Ok(());
        }
    };
    prop_assert!(!counts.is_empty());
    prop_assert_eq!(counts.areas(), 2);
    let mut held = 0u64;
    for area in 0..counts.areas() {
        for (date, count) in counts.series(Place::Area(area)) {
            held += 1;
            prop_assert!(
                (MIN_YEAR..=MAX_YEAR).contains(&date.year()),
                "date {} outside the years taken",
                date
            );
            prop_assert!(
                count.is_finite() && (0.0..=MAX_PERSONS).contains(&count),
                "count {}",
                count
            );
            let (observed, foreign) = counts.get(Place::Area(area), date).unwrap();
            prop_assert_eq!(observed, count);
            prop_assert_eq!(foreign, 0.0);
        }
    }
    // Every count is one of an area's: the scenario names no region code.
    prop_assert_eq!(held, counts.len());
    prop_assert!(counts.get(Place::Region, NaiveDate::default()).is_none());
    if let Some((first, last)) = counts.span() {
        prop_assert!(first <= last);
    } else {
        prop_assert!(false, "counts without a span");
    }
    Ok(())
}

/// The sheet of [`LONG_CSV`] as worksheet XML: text headers and dates, numeric counts.
fn sheet_xml() -> String {
    let text = |r: &str, s: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{s}</t></is></c>"#);
    let mut rows = format!(
        r#"<row r="1">{}{}{}</row>"#,
        text("A1", "date"),
        text("B1", "area"),
        text("C1", "count")
    );
    for (i, line) in LONG_CSV.lines().skip(1).enumerate() {
        let n = i + 2;
        let cells: Vec<&str> = line.trim_end().split(';').collect();
        rows.push_str(&format!(
            r#"<row r="{n}">{}{}<c r="C{n}"><v>{}</v></c></row>"#,
            text(&format!("A{n}"), cells[0]),
            text(&format!("B{n}"), cells[1]),
            cells[2].replace(',', ".")
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// [`LONG_CSV`] as Parquet, written by polars: date (Date), area (String), count (f64).
fn parquet() -> Vec<u8> {
    let mut days = Vec::new();
    let mut areas = Vec::new();
    let mut counts = Vec::new();
    for line in LONG_CSV.lines().skip(1) {
        let cells: Vec<&str> = line.trim_end().split(';').collect();
        let date = NaiveDate::parse_from_str(cells[0], "%Y-%m-%d").unwrap();
        days.push(date.signed_duration_since(NaiveDate::default()).num_days() as i32);
        areas.push(cells[1]);
        counts.push(cells[2].replace(',', ".").parse::<f64>().unwrap());
    }
    let mut frame = DataFrame::new_infer_height(vec![
        Column::new("date".into(), days)
            .cast(&DataType::Date)
            .unwrap(),
        Column::new("area".into(), areas),
        Column::new("count".into(), counts),
    ])
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
    bytes
}

#[test]
fn the_files_to_damage_are_valid() {
    for (bytes, extension) in [
        (LONG_CSV.as_bytes().to_vec(), "csv"),
        (WIDE_CSV.as_bytes().to_vec(), "csv"),
        (xlsx(sheet_xml().as_bytes()), "xlsx"),
        (parquet(), "parquet"),
    ] {
        let counts = read(&bytes, extension)
            .unwrap_or_else(|e| panic!("a valid .{extension} file is read: {e}"));
        assert_eq!(counts.len(), 10, ".{extension}");
        check(&Ok(counts)).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    scenario_from_toml(SCENARIO, &dir.path().join("plan.toml")).unwrap();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_as_csv_never_panic(bytes in arbitrary()) {
        check(&read(&bytes.0, "csv"))?;
    }

    #[test]
    fn arbitrary_text_as_csv_never_panics(text in "[a-z0-9;,\t\"\r\n .:/%-]{0,200}") {
        check(&read(text.as_bytes(), "csv"))?;
    }

    #[test]
    fn arbitrary_bytes_as_xlsx_never_panic(bytes in arbitrary()) {
        check(&read(&bytes.0, "xlsx"))?;
    }

    #[test]
    fn arbitrary_bytes_as_ods_never_panic(bytes in arbitrary()) {
        check(&read(&bytes.0, "ods"))?;
    }

    #[test]
    fn arbitrary_bytes_as_parquet_never_panic(bytes in arbitrary()) {
        check(&read(&bytes.0, "parquet"))?;
    }

    #[test]
    fn damaged_long_csv_never_panics(bytes in damaged(LONG_CSV.into())) {
        check(&read(&bytes.0, "csv"))?;
    }

    #[test]
    fn damaged_wide_csv_never_panics(bytes in damaged(WIDE_CSV.into())) {
        check(&read(&bytes.0, "csv"))?;
    }

    #[test]
    fn damaged_xlsx_sheet_never_panics(sheet in damaged(sheet_xml().into_bytes())) {
        check(&read(&xlsx(&sheet.0), "xlsx"))?;
    }

    #[test]
    fn damaged_xlsx_file_never_panics(bytes in damaged(xlsx(sheet_xml().as_bytes()))) {
        check(&read(&bytes.0, "xlsx"))?;
    }

    #[test]
    fn damaged_parquet_never_panics(bytes in damaged(parquet())) {
        check(&read(&bytes.0, "parquet"))?;
    }

    #[test]
    fn arbitrary_text_as_scenario_never_panics(text in "\\PC{0,300}") {
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = scenario_from_toml(&text, &dir.path().join("plan.toml")) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn damaged_scenario_never_panics(bytes in damaged(SCENARIO.into())) {
        let text = String::from_utf8_lossy(&bytes.0);
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = scenario_from_toml(&text, &dir.path().join("plan.toml")) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

/// Found by `damaged_parquet_never_panics`: a well-formed Parquet file whose Date is beyond
/// chrono's range (day 100 000 000, about year 275 760) panics in polars' Date → String cast
/// ("out-of-range date", polars-arrow temporal_conversions.rs:47) in `read_parquet`; the
/// reader now turns that panic into an error. The reader reads Date columns as days and
/// refuses a day outside the years taken, naming its row.
#[test]
fn parquet_date_beyond_chrono_is_an_error() {
    let mut frame = DataFrame::new_infer_height(vec![
        Column::new("date".into(), vec![100_000_000i32])
            .cast(&DataType::Date)
            .unwrap(),
        Column::new("area".into(), vec!["3324"]),
        Column::new("count".into(), vec![1.0f64]),
    ])
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
    let err = read(&bytes, "parquet").unwrap_err();
    assert!(matches!(err, deltid::Error::DateOutOfRange { .. }), "{err}");
    assert!(
        err.to_string().contains(
            "row 1, column `date`: date 100000000 days after 1970-01-01 is outside 1900-01-01 to 2199-12-31"
        ),
        "{err}"
    );
}
