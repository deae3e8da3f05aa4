//! Every kind of bad input gets its own error naming file, line, column and value.

use deltid::{Counts, CountsOptions, Deduction, Error, Place, Scenario, read_scenario};

use crate::util::folder;

const SCENARIO: &str = r#"
uplift = 0.06
[deductions]
residents = 100
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "0301"
name = "Oslo"
"#;

/// The scenario above, as read from `s.toml` in `dir`.
fn scenario_in(dir: &tempfile::TempDir) -> Scenario {
    std::fs::write(dir.path().join("s.toml"), SCENARIO).unwrap();
    read_scenario(dir.path().join("s.toml")).unwrap()
}

/// Counts read against the scenario above (counts are always read against a scenario).
fn read_counts(text: &str) -> (tempfile::TempDir, deltid::Result<Counts>) {
    let dir = folder(&[("counts.csv", text)]);
    let scenario = scenario_in(&dir);
    let result = deltid::read_counts(
        dir.path().join("counts.csv"),
        &CountsOptions::default(),
        &scenario,
    );
    (dir, result)
}

fn message(text: &str) -> String {
    let (_dir, result) = read_counts(text);
    match result {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn counts_errors_name_line_column_and_value() {
    let cases: [(&str, &str); 12] = [
        (
            "date,area\n2020-01-01,0301\n",
            // Header names are echoed quoted, as every value from a file is (deltid::quoted).
            "no column `count` in the header (found: \"date\", \"area\")",
        ),
        (
            // Regression: a two-digit year was read as the year 20.
            "date,area,count\n2020-01-01,0301,5\n01.02.20,0301,5\n",
            "line 3, column `date`: cannot parse date \"01.02.20\" (expected yyyy-mm-dd)",
        ),
        // A date in the column's format naming no day is an error of its own (NoSuchDay).
        (
            "date,area,count\n2020-02-30,0301,5\n",
            "line 2, column `date`: no such day \"2020-02-30\"",
        ),
        (
            "date,area,count\n2020-01-01,0301,12 34x\n",
            "line 2, column `count`: cannot parse number \"12 34x\"",
        ),
        (
            "date,area,count\n2020-01-01,0301,NaN\n",
            "line 2, column `count`: cannot parse number \"NaN\"",
        ),
        (
            "date,area,count\n2020-01-01,0301,-3\n",
            "line 2, column `count`: negative number of persons \"-3\"",
        ),
        (
            "date,area,count\n2020-01-01,0301,1\n2020-01-02,0301,1\n2020-01-01,0301,2\n",
            "line 4: second row for area 0301 on 2020-01-01 (first at line 2)",
        ),
        ("date,area,count\n", "no data rows"),
        // Regression: 1e19 persons overflowed the table's whole-person sums and panicked.
        (
            "date,area,count\n2020-01-01,0301,1e19\n",
            "line 2, column `count`: \"1e19\" persons is more than any real count",
        ),
        // Regression: a repeated column was taken silently.
        (
            "date,area,count,count\n2020-01-01,0301,1,2\n",
            "column `count` appears twice in the header",
        ),
        // "1,234" is a decimal to some writers and a thousand to others.
        (
            "date,area,count\n2020-01-01,0301,\"1,234\"\n",
            "line 2, column `count`: \"1,234\" is ambiguous",
        ),
        (
            "date,area,count\n2020-01-01,0301\n",
            "line 2, column `count`: cannot parse number \"\"",
        ),
    ];
    for (text, expected) in cases {
        let got = message(text);
        assert!(got.contains("counts.csv"), "{got}");
        assert!(got.contains(expected), "expected {expected:?} in {got:?}");
    }
}

#[test]
fn a_folder_given_as_counts_is_named_as_such() {
    // Regression: a folder was reported as "line 0: malformed CSV".
    let dir = folder(&[]);
    let scenario = scenario_in(&dir);
    let err = deltid::read_counts(dir.path(), &CountsOptions::default(), &scenario).unwrap_err();
    assert!(matches!(err, Error::ReadFile { .. }), "{err}");
    let cause = std::error::Error::source(&err)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert_eq!(cause, "is a folder, not a file");
}

#[test]
fn leading_zeros_in_area_codes_survive() -> deltid::Result<()> {
    let dir = folder(&[("counts.csv", "date,area,count\n2020-01-01,0301,5\n")]);
    let scenario = scenario_in(&dir);
    let counts = deltid::read_counts(
        dir.path().join("counts.csv"),
        &CountsOptions::default(),
        &scenario,
    )?;
    let day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    assert_eq!(counts.get(Place::Area(0), day), Some((5.0, 0.0)));
    let summary = crate::util::summary(
        &dir.path().join("s.toml"),
        Some(&dir.path().join("counts.csv")),
    )?;
    assert_eq!(
        summary.areas()[0].code().map(deltid::AreaCode::as_str),
        Some("0301")
    );
    Ok(())
}

#[test]
fn unknown_area_names_its_first_line() {
    // Counts are read against the scenario, so the reader itself names the unknown area.
    let (_dir, result) = read_counts("date,area,count\n2020-01-01,0301,5\n2020-01-01,301,5\n");
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnknownArea {
                at: deltid::Location::Line(3),
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("line 3: area \"301\" is not in the scenario"),
        "{err}"
    );
}

fn scenario_error(toml: &str) -> String {
    let dir = folder(&[("s.toml", toml)]);
    match read_scenario(dir.path().join("s.toml")) {
        Ok(_) => panic!("expected an error for {toml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn scenario_errors_name_the_key() {
    let cases = [
        (
            SCENARIO.replace("0.06", "6"),
            "`uplift`: 6 is not a fraction from 0 up to 1 (write 0.06 or \"6 %\" for 6 %",
        ),
        (
            SCENARIO.replace("residents = 100", "residents = -1"),
            "`deductions.residents`: -1 is not a non-negative number",
        ),
        (
            SCENARIO.replace("transit = 0\n", ""),
            "`deductions.transit`: not given",
        ),
        (
            SCENARIO.replace("name = \"Oslo\"", "name = \"Oslo\"\nresidents = 5"),
            "`deductions.residents`: given both for the region and for 1 area(s)",
        ),
        (
            SCENARIO.replace("uplift = 0.06", "uplift = 0.06\nallocation = \"residents\""),
            "`allocation`: \"residents\" needs residents per area",
        ),
        (SCENARIO.replace("uplift", "upflit"), "cannot read scenario"),
        (
            SCENARIO.replace("code = \"0301\"", "code = 301"),
            "cannot read scenario",
        ),
        (
            format!("{SCENARIO}\n[[area]]\ncode = \"0301\"\nname = \"Oslo again\"\n"),
            "`area[2].code`: area code \"0301\" is area[1]'s code too (written \"0301\" there)",
        ),
        // Regression: a misspelt key beside `table` was ignored.
        (
            SCENARIO.replace("transit = 0", "transit = { table = \"t.csv\", fil = 0 }"),
            "`deductions.transit`: unknown key `fil`",
        ),
        (
            SCENARIO.replace("transit = 0", "transit = { tabel = \"t.csv\" }"),
            "`deductions.transit`: unknown key `tabel`",
        ),
        (
            SCENARIO.replace("transit = 0", "transit = \"many\""),
            "`deductions.transit`: expected a number of persons per day",
        ),
        (
            SCENARIO.replace("transit = 0", "transit = 1e11"),
            "`deductions.transit`: 100000000000 is not a non-negative number of persons per day",
        ),
    ];
    for (toml, expected) in cases {
        let got = scenario_error(&toml);
        assert!(got.contains("s.toml"), "{got}");
        assert!(got.contains(expected), "expected {expected:?} in {got:?}");
    }
}

#[test]
fn deduction_table_missing_a_date_is_an_error_unless_filled() -> deltid::Result<()> {
    let with_table = SCENARIO.replace("transit = 0", "transit = { table = \"transit.csv\" }");
    let dir = folder(&[
        ("s.toml", &with_table),
        ("transit.csv", "date,persons\n2020-01-01,3\n"),
        (
            "counts.csv",
            "date,area,count\n2020-01-01,0301,500\n2020-01-02,0301,500\n",
        ),
    ]);
    let scenario = read_scenario(dir.path().join("s.toml"))?;
    let counts = deltid::read_counts(
        dir.path().join("counts.csv"),
        &CountsOptions::default(),
        &scenario,
    )?;
    let err = deltid::Plan::new(&scenario, &deltid::Selection::default())?
        .estimate(&counts)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("transit.csv: no transit figure for 2020-01-02"),
        "{err}"
    );

    let filled = with_table.replace("\"transit.csv\" }", "\"transit.csv\", fill = 1 }");
    std::fs::write(dir.path().join("s.toml"), filled)?;
    let summary = crate::util::summary(
        &dir.path().join("s.toml"),
        Some(&dir.path().join("counts.csv")),
    )?;
    // Transit 3 then 1 (fill): mean 2.
    crate::util::assert_close(summary.region().mean().deduction(Deduction::Transit), 2.0);
    Ok(())
}

/// The error of reading `counts` against the SSB scenario (six Hallingdal municipalities,
/// `[area_codes] digits = 4`), with `options`.
fn ssb_error(counts: &[u8], options: &CountsOptions) -> Error {
    let dir = folder(&[]);
    let path = dir.path().join("counts.csv");
    std::fs::write(&path, counts).unwrap();
    let scenario = read_scenario(crate::util::data("hallingdal/ssb-2020.toml")).unwrap();
    deltid::read_counts(&path, options, &scenario).unwrap_err()
}

#[test]
fn bytes_that_are_not_utf8_are_named_by_line() {
    // Regression: with UTF-8 declared, a bad byte in a date cell was reported as a date that
    // does not parse ("2020-01-0\u{fffd}"), with a hint to declare the date format; area and
    // count cells reported the encoding.
    let counts = b"date,area,count\n2020-01-01,3040,5\n2020-01-02,3040,7\n2020-01-0\xe5,3040,7\n";
    // UTF-8 declared: the line of the first bad byte.
    let utf8 = CountsOptions {
        source: deltid::SourceOptions {
            encoding: deltid::Encoding::Utf8,
            ..deltid::SourceOptions::default()
        },
        ..CountsOptions::default()
    };
    let err = ssb_error(counts, &utf8);
    assert!(matches!(err, Error::Encoding { line: 4, .. }), "{err}");
    assert!(err.to_string().contains("line 4: not valid UTF-8"), "{err}");
    // Detected: the cell reads as Windows-1252, "2020-01-0å", which is no date.
    let text = ssb_error(counts, &CountsOptions::default()).to_string();
    assert!(
        text.contains("line 4, column `date`: cannot parse date \"2020-01-0å\""),
        "{text}"
    );
}
