//! Hostile and quirky inputs (issue 12): nothing injected into outputs, nothing raw echoed to
//! a terminal, no panic, no silently wrong number; and the corpus under data/hostile/ walked
//! through the binary.

use crate::util::{data, deltid, folder, stderr, stdout};

/// A scenario of two areas whose names are spreadsheet formulas, and a region named like one.
const FORMULA_SCENARIO: &str = r#"
name = "=1+1"
uplift = 0.06
counts = "counts.csv"
[deductions]
residents = 100
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "0001"
name = "=HYPERLINK(\"http://x.invalid\",\"click\")"
[[area]]
code = "0002"
name = "+cmd|' /C calc'!A0"
[[area]]
code = "0003"
name = "@SUM(1)"
[[area]]
code = "0004"
name = "\tTab"
"#;

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_written_as_text() {
    let dir = folder(&[
        ("s.toml", FORMULA_SCENARIO),
        (
            "counts.csv",
            "date,area,count\n2020-01-01,0001,10\n2020-01-01,0002,10\n2020-01-01,0003,10\n2020-01-01,0004,10\n",
        ),
    ]);
    for daily in [false, true] {
        let mut args = vec!["estimate", "--scenario", "s.toml", "--format", "csv"];
        if daily {
            args.push("--daily");
        }
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let mut reader = csv::ReaderBuilder::new().from_reader(out.stdout.as_slice());
        let names: Vec<String> = reader
            .records()
            .map(|r| {
                r.unwrap()
                    .get(if daily { 2 } else { 1 })
                    .unwrap()
                    .to_owned()
            })
            .collect();
        for expected in [
            "'=HYPERLINK(\"http://x.invalid\",\"click\")",
            "'+cmd|' /C calc'!A0",
            "'@SUM(1)",
            "'\tTab",
            "'=1+1",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected:?} in {names:?}"
            );
        }
        assert!(
            names.iter().all(|n| n.starts_with('\'')),
            "every name here is defused: {names:?}"
        );
    }
    // Numbers stay numbers: the region's residents line is -100 in the summary, unquoted.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "s.toml", "--format", "csv"],
    );
    let text = stdout(&out);
    let region = text.lines().last().unwrap();
    assert!(region.contains(",-100,"), "{region}");
    assert!(!text.contains("'-"), "{text}");
}

#[test]
fn values_from_a_file_are_escaped_and_cut_in_every_message() {
    // A wide file whose header cell is an area code followed by terminal escapes (retitle,
    // clear screen) and a bidirectional override; the cell below it is no number.
    let header = "3039 \u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}";
    let long = "9".repeat(1_000_000);
    let dir = folder(&[
        ("wide.csv", &format!("date,{header}\n2020-01-01,x{long}\n")),
        (
            "dup.csv",
            &format!("date,area,{header},{header}\n2020-01-01,3039,1,2\n"),
        ),
        (
            "s.toml",
            "uplift = 0.06\n[deductions]\nresidents = 1\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3039\"\nname = \"Flå\"\n",
        ),
        // A TOML error whose parser quotes the line: escapes and a 100 000-character line.
        (
            "bad.toml",
            &format!("uplift = \u{1b}[2J{}\n", "x".repeat(100_000)),
        ),
    ]);
    for (args, expected) in [
        (
            vec!["estimate", "--scenario", "s.toml", "--counts", "wide.csv"],
            "line 2, column `3039 \\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e}`: cannot parse number \"x999",
        ),
        (
            vec![
                "estimate",
                "--scenario",
                "s.toml",
                "--counts",
                "dup.csv",
                "--count-column",
                header,
            ],
            "column `3039 \\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e}` appears twice",
        ),
        (
            vec!["estimate", "--scenario", "bad.toml"],
            "bad.toml: cannot read scenario",
        ),
    ] {
        let out = deltid(dir.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(expected), "{expected:?} in {err:?}");
        assert!(
            !err.contains(['\u{1b}', '\u{7}', '\u{202e}', '\0']),
            "raw control characters in {err:?}"
        );
        // A million-character cell is cut to 80 characters, a long line to 200.
        assert!(err.len() < 2_000, "{} bytes: {err:.300}", err.len());
    }
}

/// Each file of the corpus under data/hostile/ (made by data/hostile/make.py), with the exit
/// code `deltid estimate` must give on it and a part of what it must say. Every file is read
/// against the Hallingdal plan's scenario.
const CORPUS: &[(&str, i32, &str)] = &[
    ("bad_sheet_xml.xlsx", 1, "cannot read the spreadsheet"),
    ("bom_only.csv", 1, "no data rows"),
    ("crlf_cr.csv", 0, ""),
    (
        "date_max.parquet",
        1,
        "row 2, column `date`: date 2147483647 days after 1970-01-01 is outside",
    ),
    (
        "decimal_count.parquet",
        1,
        "column `count` is of type decimal(10, 2), which deltid does not read",
    ),
    ("empty.csv", 1, "no data rows"),
    (
        "esc_header.csv",
        1,
        "no column `date` in the header (found: \"\\u{1b}]0;pwned\\u{7}\\u{1b}[2Jdate\"",
    ),
    (
        "footer_huge_list.parquet",
        1,
        "cannot read the Parquet file: damaged metadata in the footer: it declares 2147483647 items where 364 bytes are left",
    ),
    (
        "formula_area.csv",
        1,
        "line 2, column `area`: area \"=HYPERLINK(",
    ),
    ("garbage.csv", 1, "no column `date` in the header"),
    ("header_only.csv", 1, "no data rows"),
    (
        "huge_count.csv",
        1,
        "line 2, column `count`: cannot parse number \"1e400\"",
    ),
    ("long_cell.csv", 1, "…(20000 characters)\""),
    ("negative_count.csv", 1, "negative number of persons \"-5\""),
    (
        "no_such_day.csv",
        1,
        "line 3, column `date`: no such day \"29.02.2023\"",
    ),
    ("nul_header.csv", 1, "(found: \"da\\0te\""),
    // A page claiming -283 values where it holds 282: a read limited to the group's rows.
    ("page_values_negative.parquet", 0, ""),
    ("parquet_named.csv", 0, ""),
    (
        "placeholder_date.csv",
        1,
        "line 5, column `date`: date 9999-12-31 is outside 1900-01-01 to 2199-12-31",
    ),
    // Columns declared REQUIRED (no definition levels): read as the CSV is.
    ("required_columns.parquet", 0, ""),
    (
        "stray_date.csv",
        1,
        "line 5, column `date`: date 2150-06-30 lies 47660 days outside the other dates (2020-01-01 to 2020-01-03)",
    ),
    ("timestamp_oslo.parquet", 0, ""),
    ("truncated.parquet", 1, "cannot read the Parquet file"),
    ("truncated.xlsx", 1, "cannot read the spreadsheet"),
    (
        "unterminated_quote.csv",
        1,
        "line 2: malformed CSV: column `area`: the cell \"3039,5\\n2020-01-02,3039,6\\n\" runs over a line end",
    ),
    ("utf16.csv", 1, "the file is UTF-16 text"),
    // Columns read in the file's order: the area column's error before the damaged dates.
    (
        "utf8_before_damaged_date.parquet",
        1,
        "cannot read the Parquet file: parquet: File out of specification: String data contained invalid UTF-8",
    ),
    ("xlsx_named.csv", 0, ""),
    ("zip_not_workbook.csv", 1, "cannot read the spreadsheet"),
];

#[test]
fn every_hostile_input_gets_its_exit_code_no_panic_and_leaves_no_file() {
    let corpus = data("hostile");
    let mut files: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "make.py")
        .collect();
    files.sort();
    let listed: Vec<&str> = CORPUS.iter().map(|c| c.0).collect();
    assert_eq!(
        files, listed,
        "every corpus file has its line in CORPUS, and only those"
    );
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    for (name, code, expected) in CORPUS {
        let dir = folder(&[]);
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let counts = corpus.join(name).display().to_string();
        for format in ["csv", "xlsx"] {
            let output = format!("out/out.{format}");
            let out = deltid(
                dir.path(),
                &[
                    "estimate",
                    "--scenario",
                    &scenario,
                    "--counts",
                    &counts,
                    "--format",
                    format,
                    "-o",
                    &output,
                ],
            );
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(*code), "{name}: {err}");
            assert!(err.contains(expected), "{name}: {expected:?} in {err:?}");
            for panic in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
                assert!(!err.contains(panic), "{name}: {err}");
            }
            assert!(
                !err.contains(['\u{1b}', '\0', '\u{7}']),
                "{name}: raw control characters"
            );
            assert!(err.len() < 4_000, "{name}: {} bytes on stderr", err.len());
            let mut left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            left.sort();
            // A CSV or Parquet output lands with its run record beside it; a CSV estimate with
            // its calendar years and notes too.
            let expected_left = if *code == 0 && format == "csv" {
                vec![
                    "out.calendar_years.csv".to_owned(),
                    format!("out.{format}"),
                    format!("out.{format}.run.json"),
                    "out.notes.csv".to_owned(),
                ]
            } else if *code == 0 {
                vec![format!("out.{format}")]
            } else {
                vec![]
            };
            assert_eq!(
                left, expected_left,
                "{name}: files left in the output folder"
            );
            std::fs::remove_dir_all(dir.path().join("out")).unwrap();
            std::fs::create_dir(dir.path().join("out")).unwrap();
        }
        // validate says the same, with the same exit code.
        let out = deltid(
            dir.path(),
            &["validate", "--scenario", &scenario, "--counts", &counts],
        );
        assert_eq!(out.status.code(), Some(*code), "{name}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{name}");
    }
}

#[test]
fn parquet_timestamps_with_a_time_zone_read_as_local_dates() {
    // Local midnight in Europe/Oslo is 23:00 UTC the day before: read in the stored zone, the
    // dates are 2020-01-01 to 2020-01-03 (as UTC dates they would fall a day early).
    let out = deltid(
        &data("hostile"),
        &[
            "estimate",
            "--scenario",
            &data("hallingdal/plan-2021.toml").display().to_string(),
            "--counts",
            "timestamp_oslo.parquet",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let flaa = stdout(&out).lines().nth(1).unwrap().to_owned();
    // (1 868 + 1 870 + 1 902) / 3 = 1 880 persons a day.
    assert!(
        flaa.starts_with("3039,Flå,3,2020-01-01,2020-01-03,0,"),
        "{flaa}"
    );
    assert!(flaa.contains(",1880.0,"), "{flaa}");
}

#[test]
fn a_date_far_outside_the_others_is_an_error_in_estimate_and_validate() {
    // Ten days of 2020 and one stray row of 2030: an error naming the row, not a yearly
    // figure over 3 650 "missing" days.
    let mut text = String::from("date,area,count\n");
    for day in 1..=10 {
        text.push_str(&format!("2020-01-{day:02},3039,5\n"));
    }
    text.push_str("2030-01-01,3039,5\n");
    let dir = folder(&[("counts.csv", &text)]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    for command in ["estimate", "validate"] {
        let out = deltid(
            dir.path(),
            &[command, "--scenario", &scenario, "--counts", "counts.csv"],
        );
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        let said = stdout(&out) + &stderr(&out);
        assert!(
            said.contains("line 12, column `date`: date 2030-01-01 lies 3644 days outside the other dates (2020-01-01 to 2020-01-10): a typing error?"),
            "{command}: {said}"
        );
    }
    // Two years counted in full with a year between them are two spans, not a stray.
    let mut text = String::from("date,area,count\n");
    for start in ["2019-01-01", "2021-01-01"] {
        let start: chrono::NaiveDate = start.parse().unwrap();
        for day in start.iter_days().take(365) {
            text.push_str(&format!("{day},3039,5\n"));
        }
    }
    std::fs::write(dir.path().join("counts.csv"), text).unwrap();
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--counts",
            "counts.csv",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("3039,Flå,730,2019-01-01,2021-12-31,366,"));
}

#[test]
fn synth_and_draws_beyond_their_limits_are_usage_errors() {
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    for (args, expected) in [
        (
            vec!["synth", "--mean", "1e300", "--days", "10"],
            "expected persons per day from 0 to 1e9",
        ),
        (
            vec!["synth", "--areas", "4294967295"],
            "a number of areas from 1 to 1000000",
        ),
        (
            vec!["synth", "--days", "400000"],
            "400000 is not in 1..=365250",
        ),
        (
            vec!["synth", "--seed", "-1"],
            "expected a whole number from 0 to 18446744073709551615, got \"-1\"",
        ),
        (
            vec![
                "estimate",
                "--scenario",
                &scenario,
                "--uncertainty",
                "--draws",
                "1000000000",
            ],
            "1000000000 is not in 100..=1000000",
        ),
        // The report takes the same analysis options, with the same limits.
        (
            vec![
                "report",
                "--scenario",
                &scenario,
                "--uncertainty",
                "--draws",
                "1000000000",
                "--output",
                "r.html",
            ],
            "1000000000 is not in 100..=1000000",
        ),
        (
            vec![
                "estimate",
                "--scenario",
                &scenario,
                "--uncertainty",
                "--seed",
                "-1",
            ],
            "expected a whole number from 0",
        ),
    ] {
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "", "{args:?}: nothing written");
    }
    // The library refuses the same requests (no count of 2^64 - 1, no huge allocation).
    use deltid::synth::Synth;
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for synth in [
        Synth::generic(2, start, 10, 1, 1e300),
        Synth::generic(u32::MAX, start, 10, 1, 100.0),
    ] {
        let err = synth.write_csv(std::io::sink()).unwrap_err().to_string();
        assert!(err.contains("at most"), "{err}");
    }
    assert!(deltid::analysis::UncertaintyOptions::new(1_000_000_001, 1).is_err());
}

#[test]
fn the_sheet_read_is_named_in_the_notes() {
    let out = deltid(
        &data("hostile"),
        &[
            "estimate",
            "--scenario",
            &data("hallingdal/plan-2021.toml").display().to_string(),
            "--counts",
            "xlsx_named.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("- counts read from the sheet \"counts\" of the workbook"),
        "{}",
        stdout(&out)
    );
    let json = deltid(
        &data("hostile"),
        &[
            "estimate",
            "--scenario",
            &data("hallingdal/plan-2021.toml").display().to_string(),
            "--counts",
            "xlsx_named.csv",
            "--format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["sheet"], "counts");
}

#[test]
fn messages_say_what_is_wrong_and_hint_only_what_helps() {
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let dir = folder(&[
        ("serial.csv", "date,area,count\n60,3039,5\n61,3039,5\n"),
        (
            "big.toml",
            "uplift = 0.06\n[deductions]\nresidents = 99999999999999999999999\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3039\"\nname = \"Flå\"\n",
        ),
    ]);
    // Excel's serial 60 (its 29 February 1900) with the format declared: no such day, and no
    // hint to declare the format that was declared.
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--counts",
            "serial.csv",
            "--date-format",
            "excel",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 2, column `date`: no such day \"60\""),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("hint"), "{}", stderr(&out));
    // A number too large for TOML: said so, without the parser's "i128".
    let out = deltid(dir.path(), &["estimate", "--scenario", "big.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a number too large to read: persons are at most 10 000 000 000")
    );
    assert!(!stderr(&out).contains("i128"), "{}", stderr(&out));
    // A scenario saved as UTF-16.
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain("uplift = 0.06\n".encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(dir.path().join("u16.toml"), utf16).unwrap();
    let out = deltid(dir.path(), &["estimate", "--scenario", "u16.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("u16.toml: cannot read scenario: the file is UTF-16 text: save it as UTF-8"),
        "{}",
        stderr(&out)
    );
}
