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
    let cases: [(&str, &str); 21] = [
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
        // Regression: 11 to 15 plain digits above the largest count were dropped silently
        // (the row left out, the run going on without it).
        (
            "date,area,count\n2020-01-01,0301,10000000001\n",
            "line 2, column `count`: \"10000000001\" persons is more than any real count",
        ),
        (
            "date,area,count\n2020-01-01,0301,999999999999999\n",
            "line 2, column `count`: \"999999999999999\" persons is more than any real count",
        ),
        // Regression: after a header ending in CRLF every line was numbered one too high.
        (
            "date,area,count\r\n2020-01-01,0301,NaN\r\n2020-01-02,0301,5\r\n",
            "line 2, column `count`: cannot parse number \"NaN\"",
        ),
        (
            "date,area,count\r\n2020-01-01,0301,5\r\n2020-01-02,0301,x",
            "line 3, column `count`: cannot parse number \"x\"",
        ),
        (
            "date,area,count\r\n2020-01-01,0301,1\r\n\r\n2020-01-01,0301,2\r\n",
            "line 4: second row for area 0301 on 2020-01-01 (first at line 2)",
        ),
        // Regression: counts in columns under a blank header cell were left out, the run
        // going on ("no count in the period" for the areas they were meant for).
        (
            "date,0301,\n2020-01-01,5,7\n",
            "line 2, column 3: the value \"7\" has no area: the column's header cell is blank",
        ),
        (
            "date,,0301\n2020-01-01,4,5\n",
            "line 2, column 2: the value \"4\" has no area",
        ),
        // Regression: a row of counts in columns cut short read as days without a count.
        (
            "date,0301,0301x\n2020-01-01,5\n",
            "line 2: 2 fields where the header has 3 (a row cut short?)",
        ),
        // Regression: a sign got past the check of 1.234 and 1,234 (thousand or decimal?).
        (
            "date,area,count\n2020-01-01,0301,+1.234\n",
            "line 2, column `count`: \"+1.234\" is ambiguous",
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
fn counts_in_columns_take_a_blank_trailing_header_cell_and_short_rows_of_blanks() {
    // A separator at the end of every line (a blank header cell over blank cells) is no
    // column; neither is a blank header cell over nothing. 0301 counted 5 and 7.
    for text in [
        "date;0301;\n2020-01-01;5;\n2020-01-02;7;\n",
        "date;0301;\n2020-01-01;5\n2020-01-02;7\n",
    ] {
        let (_dir, counts) = read_counts(text);
        let counts = counts.unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let scenario = read_scenario(_dir.path().join("s.toml")).unwrap();
        let summary = deltid::Plan::new(&scenario, &deltid::Selection::default())
            .unwrap()
            .estimate(&counts)
            .unwrap()
            .summary();
        assert_eq!(summary.areas()[0].days(), 2, "{text:?}");
        assert_eq!(summary.areas()[0].mean().observed(), 6.0, "{text:?}");
    }
}

#[test]
fn a_file_of_lone_carriage_returns_past_the_first_block_finds_its_header() {
    // Regression: the first 1 MiB was cut at its last `\n` only, so a file with one title
    // line ended by `\n` and the rest by a lone `\r` (old Mac) had no header in it.
    let mut text = String::from("Source: operator\ndate,area,count\r");
    let first = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let mut day = 0;
    while text.len() < 1_200_000 {
        let date = first + chrono::Duration::days(day);
        text.push_str(&format!("{date},0301,{}\r", day % 100));
        day += 1;
    }
    let (_dir, counts) = read_counts(&text);
    let counts = counts.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.days_counted().len() as i64, day);
}

#[test]
fn a_deduction_tables_named_column_must_be_in_it() {
    // Regression: a column the scenario names for areas (or dates) but the file lacks made
    // the table one figure for the region, shared out by present persons, silently.
    let scenario = |area: &str| {
        SCENARIO.replace(
            "residents = 100",
            &format!("residents = {{ table = \"res.csv\", area = \"{area}\" }}"),
        )
    };
    let dir = folder(&[
        ("typo.toml", &scenario("kommune_x")),
        ("right.toml", &scenario("kommune")),
        ("res.csv", "kommune,persons\n0301,50\n"),
    ]);
    let err = read_scenario(dir.path().join("typo.toml")).unwrap_err();
    assert!(
        matches!(&err, Error::MissingColumn { column, .. } if column == "kommune_x"),
        "{err}"
    );
    assert!(
        err.to_string().contains(
            "res.csv: no column `kommune_x` in the header (found: \"kommune\", \"persons\")"
        ),
        "{err}"
    );
    read_scenario(dir.path().join("right.toml")).expect("the named column is there");
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
            .contains("line 3, column `area`: area \"301\" is not in the scenario"),
        "{err}"
    );
    // With how such cells are read.
    assert!(
        err.to_string().ends_with(
            "(did you mean \"0301\"? 1 area known); codes of 4 digits with their leading zeros dropped are read so with `[area_codes] digits = 4` in the scenario"
        ),
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
            "`uplift`: 6 read as a fraction is 600 %, most likely a percentage meant (a fraction is below 1): write 0.06 or \"6 %\" for 6 %",
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
fn bad_values_in_long_csv_name_line_column_and_value() {
    // Two bad numbers: both reported, in file order.
    let text = ssb_error(
        b"date,area,count\n2020-01-01,3040,100\n2020-01-02,3040,1 2x\n2020-01-03,3040,oops\n",
        &CountsOptions::default(),
    )
    .to_string();
    assert!(text.contains("2 problems:\n"), "{text}");
    assert!(
        text.contains("line 3, column `count`: cannot parse number \"1 2x\""),
        "{text}"
    );
    assert!(
        text.contains("line 4, column `count`: cannot parse number \"oops\""),
        "{text}"
    );
    for (counts, expected) in [
        (
            "date,area,count\n2020-01-01,3040,100\n2020-13-02,3040,5\n",
            "line 3, column `date`: cannot parse date \"2020-13-02\" (expected yyyy-mm-dd)",
        ),
        (
            "date,area,count\n2020-01-01,3040,100\n2020-01-02,3040,-5\n",
            "line 3, column `count`: negative number of persons \"-5\"",
        ),
        (
            "date,area,count\n2020-01-01,3040,100\n2020-01-02,9999,5\n",
            "line 3, column `area`: area \"9999\" is not in the scenario",
        ),
        (
            "date,area,count\n2020-01-01,3040,100\n2020-01-01,3040,5\n",
            "line 3: second row for area 3040 on 2020-01-01 (first at line 2)",
        ),
        (
            "date,area,persons\n2020-01-01,3040,100\n",
            "no column `count` in the header",
        ),
        (
            // A thousands dot or a decimal? Refused unless declared.
            "date,area,count\n2020-01-01,3040,9.500\n",
            "line 2, column `count`: \"9.500\" is ambiguous",
        ),
        (
            "date,area,count\n2020-01-01,3040,NaN\n",
            "line 2, column `count`: cannot parse number \"NaN\"",
        ),
        (
            "date,area,count\n2020-01-01,3040,inf\n",
            "line 2, column `count`: cannot parse number \"inf\"",
        ),
        (
            "date,area,count,count\n2020-01-01,3040,5,1868\n",
            "column `count` appears twice in the header",
        ),
        // `6,506` unquoted is two fields: refused, not read as 6.
        (
            "date,area,count\n2019-09-01,3040,6,506\n2019-09-02,3040,7000\n",
            "line 2: 4 fields where the header has 3",
        ),
        // A footer line is named by its line.
        ("date,area,count\n2019-09-01,3040,5\nTotal 5\n", "line 3"),
        // A date every day-first and month-first reading fits: refused, never guessed.
        (
            "date,area,count\n09/01/2019,3040,1000\n09/02/2019,3040,2000\n",
            "column `date`: dates such as \"09/01/2019\" read both as dd/mm/yyyy and mm/dd/yyyy",
        ),
        // The column named as the header names it (it named `date` for a column `Dato`).
        (
            "Dato;Kommune;Antall\n09/01/2019;3040;1000\n09/02/2019;3040;2000\n",
            "column `Dato`: dates such as \"09/01/2019\" read both",
        ),
    ] {
        let text = ssb_error(counts.as_bytes(), &CountsOptions::default()).to_string();
        assert!(text.contains("counts.csv"), "{text}");
        assert!(text.contains(expected), "expected {expected:?} in {text:?}");
    }
}

#[test]
fn many_problems_are_listed_up_to_the_limit() {
    let mut counts = "date,area,count\n".to_owned();
    for day in 1..=25 {
        counts.push_str(&format!("2020-01-{day:02},3040,-1\n"));
    }
    let Error::Many { errors, more, .. } = ssb_error(counts.as_bytes(), &CountsOptions::default())
    else {
        panic!("expected several problems");
    };
    assert_eq!((errors.len(), more), (deltid::MAX_REPORTED, 5));
    // The first in file order: line 2.
    assert!(
        matches!(
            &errors[0],
            Error::NegativeNumber {
                at: deltid::Location::Line(2),
                ..
            }
        ),
        "{}",
        errors[0]
    );
}

#[test]
fn dates_outside_the_years_taken_and_days_that_do_not_exist_are_refused() {
    // A mistyped year would make the span of days, and the memory for it, huge.
    let err = ssb_error(
        b"date,area,count\n2020-01-01,3040,5\n9999-12-31,3040,5\n",
        &CountsOptions::default(),
    );
    assert!(matches!(err, Error::DateOutOfRange { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("line 3, column `date`: date 9999-12-31 is outside 1900-01-01 to 2199-12-31"),
        "{err}"
    );
    let err = ssb_error(
        b"date,area,count\n1899-12-31,3040,5\n",
        &CountsOptions::default(),
    );
    assert!(matches!(err, Error::DateOutOfRange { .. }), "{err}");
    // 29 February of a year that is no leap year: a date in the format that names no day.
    let err = ssb_error(
        b"date,area,count\n28.02.2023,3040,5\n29.02.2023,3040,5\n",
        &CountsOptions::default(),
    );
    assert!(matches!(err, Error::NoSuchDay { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("line 3, column `date`: no such day \"29.02.2023\""),
        "{err}"
    );
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

#[test]
fn foreign_sims_written_as_text_are_checked_as_counts() {
    let options = CountsOptions {
        columns: deltid::CountsColumns {
            foreign: Some("foreign".to_owned()),
            ..deltid::CountsColumns::default()
        },
        ..CountsOptions::default()
    };
    let text = ssb_error(
        b"date,area,count,foreign\n2020-01-01,3040,5000,1.234\n",
        &options,
    )
    .to_string();
    assert!(
        text.contains("line 2, column `foreign`: \"1.234\" is ambiguous"),
        "{text}"
    );
}

/// The shipped counts with `edit` applied to the data line at `index` (0 = first data line).
fn shipped_with(
    dir: &std::path::Path,
    edit: impl Fn(usize, &str) -> Option<String>,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(crate::util::data("hallingdal/counts.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        match i.checked_sub(1).and_then(|row| edit(row, line)) {
            Some(replaced) => out.push_str(&replaced),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    let path = dir.join("counts.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_repeated_day_is_refused_in_an_area_not_selected() {
    // A repeated row of 3043 would change 3039's share of the region's deductions: refused
    // even with only 3039 selected. Data line 100 is line 102 of the file: 2019-09-17, 3043.
    let dir = folder(&[]);
    let counts = shipped_with(dir.path(), |row, line| {
        (row == 100).then(|| format!("{line}\n{line}"))
    });
    let selection = deltid::Selection {
        areas: vec![deltid::AreaCode::new("3039")],
        ..deltid::Selection::default()
    };
    let err = crate::util::run(
        &crate::util::data("hallingdal/plan-2021.toml"),
        Some(&counts),
        &selection,
    )
    .unwrap_err();
    assert!(matches!(err, Error::DuplicateRow { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("line 103: second row for area 3043 on 2019-09-17 (first at line 102)"),
        "{err}"
    );
}

#[test]
fn a_row_without_a_date_is_reported_when_a_period_is_selected() {
    // Line 1000 loses its date; with a period selected the row is still reported, not dropped.
    let dir = folder(&[]);
    let counts = shipped_with(dir.path(), |row, line| {
        (row == 998).then(|| format!(",{}", line.split_once(',').unwrap().1))
    });
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let selection = deltid::Selection {
        period: deltid::Period::new(d(2020, 1, 1), None).unwrap(),
        ..deltid::Selection::default()
    };
    let err = crate::util::run(
        &crate::util::data("hallingdal/plan-2021.toml"),
        Some(&counts),
        &selection,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("line 1000, column `date`: cannot parse date \"\""),
        "{err}"
    );
}

/// Writes a Parquet file of `columns` into `dir` as `name`.
fn parquet(
    dir: &std::path::Path,
    name: &str,
    columns: Vec<polars::prelude::Column>,
) -> std::path::PathBuf {
    use polars::prelude::*;
    let mut frame = DataFrame::new_infer_height(columns).unwrap();
    let path = dir.join(name);
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    path
}

/// The error of reading a Parquet file against the SSB scenario.
fn parquet_error(path: &std::path::Path) -> Error {
    let scenario = read_scenario(crate::util::data("hallingdal/ssb-2020.toml")).unwrap();
    deltid::read_counts(path, &CountsOptions::default(), &scenario).unwrap_err()
}

#[test]
fn parquet_counts_over_row_groups_are_stored_whole_and_a_repeat_named() {
    // 5 areas × 400 days = 2 000 rows in row groups of 300: counts are stored as they are
    // read, 256 at a time, across the groups' ends.
    use polars::prelude::*;
    let scenario = read_scenario(crate::util::data("hallingdal/ssb-2020.toml")).unwrap();
    let dir = folder(&[]);
    let codes = ["3039", "3040", "3041", "3042", "3043"];
    let first = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let (mut dates, mut areas, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    for day in 0..400i64 {
        for (a, code) in codes.iter().enumerate() {
            dates.push((first + chrono::Duration::days(day)).to_string());
            areas.push(code.to_string());
            // Area a counts 1 000·(a + 1) + day: its mean is 1 000·(a + 1) + 199.5.
            counts.push(1_000.0 * (a as f64 + 1.0) + day as f64);
        }
    }
    let write = |name: &str, dates: &[String], areas: &[String], counts: &[f64]| {
        let mut frame = DataFrame::new_infer_height(vec![
            Column::new("date".into(), dates),
            Column::new("area".into(), areas),
            Column::new("count".into(), counts),
        ])
        .unwrap();
        let path = dir.path().join(name);
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .with_row_group_size(Some(300))
            .finish(&mut frame)
            .unwrap();
        path
    };
    let path = write("groups.parquet", &dates, &areas, &counts);
    let read = deltid::read_counts(&path, &CountsOptions::default(), &scenario);
    let run = deltid::Plan::new(&scenario, &deltid::Selection::default())
        .unwrap()
        .estimate(&read.unwrap())
        .unwrap()
        .summary();
    for (a, area) in run.areas().iter().enumerate() {
        assert_eq!(area.days(), 400);
        assert_eq!(area.mean().observed(), 1_000.0 * (a as f64 + 1.0) + 199.5);
    }
    // Row 1 801 (in the seventh group) repeats row 7: 2020-01-02 in 3040.
    let (mut dates, mut areas, mut counts) = (dates, areas, counts);
    dates[1800] = dates[6].clone();
    areas[1800] = areas[6].clone();
    counts[1800] = 5.0;
    let path = write("repeat.parquet", &dates, &areas, &counts);
    let err = deltid::read_counts(&path, &CountsOptions::default(), &scenario).unwrap_err();
    assert!(matches!(err, Error::DuplicateRow { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("row 1801: second row for area 3040 on 2020-01-02 (first at row 7)"),
        "{err}"
    );
}

#[test]
fn bad_values_in_parquet_name_row_column_and_value() {
    use polars::prelude::*;
    let dir = folder(&[]);
    let date = |days: Vec<i32>| {
        Column::new("date".into(), days)
            .cast(&DataType::Date)
            .unwrap()
    };
    // Text columns, read by the rules of a CSV cell: row 2's count and row 3's date.
    let path = parquet(
        dir.path(),
        "text.parquet",
        vec![
            Column::new("date".into(), ["2020-01-01", "2020-01-02", "2020-13-03"]),
            Column::new("area".into(), ["3040", "3040", "3040"]),
            Column::new("count".into(), ["5", "oops", "7"]),
        ],
    );
    let text = parquet_error(&path).to_string();
    assert!(text.contains("text.parquet: 2 problems:\n"), "{text}");
    assert!(
        text.contains("row 2, column `count`: cannot parse number \"oops\""),
        "{text}"
    );
    assert!(
        text.contains("row 3, column `date`: cannot parse date \"2020-13-03\""),
        "{text}"
    );
    // Typed columns: a negative count, an unknown area, a repeated day.
    for (counts, areas, expected) in [
        (
            vec![5.0, -5.0],
            vec!["3040", "3041"],
            "row 2, column `count`: negative number of persons \"-5\"",
        ),
        (
            vec![5.0, 7.0],
            vec!["3040", "9999"],
            "row 2, column `area`: area \"9999\" is not in the scenario",
        ),
        (
            vec![5.0, 7.0],
            vec!["3040", "3040"],
            "row 2: second row for area 3040 on 2020-01-01 (first at row 1)",
        ),
        (
            vec![5.0, f64::NAN],
            vec!["3040", "3041"],
            "row 2, column `count`: cannot parse number \"NaN\"",
        ),
        (
            vec![5.0, 1e12],
            vec!["3040", "3041"],
            "row 2, column `count`: \"1000000000000\" persons is more than any real count",
        ),
    ] {
        let path = parquet(
            dir.path(),
            "typed.parquet",
            vec![
                date(vec![18_262, 18_262]),
                Column::new("area".into(), areas),
                Column::new("count".into(), counts),
            ],
        );
        let text = parquet_error(&path).to_string();
        assert!(text.contains("typed.parquet"), "{text}");
        assert!(text.contains(expected), "expected {expected:?} in {text:?}");
    }
    // A day beyond the years deltid takes (day 1 000 000 after 1970 is in 4707).
    let path = parquet(
        dir.path(),
        "far.parquet",
        vec![
            date(vec![18_262, 1_000_000]),
            Column::new("area".into(), ["3040", "3041"]),
            Column::new("count".into(), [5.0, 7.0]),
        ],
    );
    let text = parquet_error(&path).to_string();
    assert!(text.contains("row 2, column `date`: date "), "{text}");
    assert!(text.contains("is outside"), "{text}");
}

#[test]
fn parquet_counts_in_columns_under_a_blank_name_are_refused() {
    use polars::prelude::*;
    let dir = folder(&[]);
    let path = parquet(
        dir.path(),
        "wide.parquet",
        vec![
            Column::new("date".into(), vec![18_262])
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("3040".into(), [5.0]),
            Column::new("".into(), [7.0]),
        ],
    );
    let text = parquet_error(&path).to_string();
    assert!(
        text.contains("wide.parquet: row 1, column 3: the value \"7\" has no area"),
        "{text}"
    );
}

#[test]
fn typed_parquet_areas_longer_than_a_view_are_read_as_short_ones() {
    // An Arrow view holds up to 12 bytes in place; a padded code of 16 bytes lies in a buffer.
    // Both are the same area: 3040 counted 5 and 7 on two days, 3041 counted 9 on one.
    use polars::prelude::*;
    let dir = folder(&[]);
    let path = parquet(
        dir.path(),
        "long.parquet",
        vec![
            Column::new("date".into(), vec![18_262, 18_263, 18_262])
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("area".into(), ["3040", "  3040          ", "3041"]),
            Column::new("count".into(), [5.0, 7.0, 9.0]),
        ],
    );
    let scenario = read_scenario(crate::util::data("hallingdal/ssb-2020.toml")).unwrap();
    let counts = deltid::read_counts(&path, &CountsOptions::default(), &scenario).unwrap();
    let summary = deltid::Plan::new(&scenario, &deltid::Selection::default())
        .unwrap()
        .estimate(&counts)
        .unwrap()
        .summary();
    let means: Vec<(u32, f64)> = summary
        .areas()
        .iter()
        .map(|a| (a.days(), a.mean().observed()))
        .collect();
    assert_eq!(means, [(2, 6.0), (1, 9.0)]);
}

#[test]
fn parquet_columns_of_small_integers_are_refused_by_name() {
    // DuckDB writes USMALLINT as Parquet's 16-bit unsigned integer; polars (as deltid builds
    // it) makes no column of it. Regression: "cannot create series from UInt16".
    let dir = folder(&[]);
    let path = dir.path().join("small.parquet");
    let script = "import duckdb, sys\nduckdb.execute(\"COPY (SELECT DATE '2020-01-01' AS date, \
                  3040::USMALLINT AS area, 5.0 AS count) TO '\" + sys.argv[1] + \"' (FORMAT parquet)\")\n";
    crate::util::python_duckdb(script, &[&path]);
    let err = parquet_error(&path).to_string();
    assert!(
        err.contains(
            "small.parquet: column `area` is of type uint16, which deltid does not read (write the column as 32- or 64-bit integers, INT32 or INT64)"
        ),
        "{err}"
    );
}

#[test]
fn parquet_columns_of_types_deltid_does_not_read_are_refused() {
    use polars::prelude::*;
    let dir = folder(&[]);
    let date = || {
        Column::new("date".into(), [18_262i32, 18_263])
            .cast(&DataType::Date)
            .unwrap()
    };
    let area = || Column::new("area".into(), ["3040", "3040"]);
    let count = || Column::new("count".into(), [5.0, 7.0]);
    for (name, columns, column, found) in [
        (
            "bool_count.parquet",
            vec![date(), area(), Column::new("count".into(), [true, false])],
            "count",
            "bool",
        ),
        (
            "float_date.parquet",
            vec![
                Column::new("date".into(), [43_831.0, 43_832.0]),
                area(),
                count(),
            ],
            "date",
            "f64",
        ),
        (
            "float_area.parquet",
            vec![
                date(),
                Column::new("area".into(), [3040.0, 3040.0]),
                count(),
            ],
            "area",
            "f64",
        ),
    ] {
        let path = parquet(dir.path(), name, columns);
        let err = parquet_error(&path);
        assert!(
            matches!(&err, Error::ColumnType { column: c, found: f, .. } if c == column && f == found),
            "{name}: {err}"
        );
        assert!(
            err.to_string().contains(&format!(
                "{name}: column `{column}` is of type {found}: expected"
            )),
            "{err}"
        );
    }
    // Whole numbers as dates are read as text cells, never as days since some epoch:
    // 20190901 is no date in any format deltid detects.
    let path = parquet(
        dir.path(),
        "int_date.parquet",
        vec![
            Column::new("date".into(), [20_190_901i64, 20_190_902]),
            area(),
            count(),
        ],
    );
    let text = parquet_error(&path).to_string();
    assert!(
        text.contains("row 1, column `date`: cannot parse date \"20190901\""),
        "{text}"
    );
}

#[test]
fn an_uplift_of_one_must_be_written_as_a_percent() {
    // `uplift = 1` most likely means 1 %, not a doubling: refused. "100 %" is a doubling.
    let got = scenario_error(&SCENARIO.replace("uplift = 0.06", "uplift = 1"));
    assert!(
        got.contains("`uplift`: 1 read as a fraction is 100 %, most likely a percentage meant (a fraction is below 1): write 0.06 or \"6 %\" for 6 %, or \"100 %\" if that is meant"),
        "{got}"
    );
    let dir = folder(&[(
        "s.toml",
        &SCENARIO.replace("uplift = 0.06", "uplift = \"100 %\""),
    )]);
    let scenario = read_scenario(dir.path().join("s.toml")).unwrap();
    assert_eq!(scenario.uplift().fraction(), 1.0);
    // Just below 1 as a fraction is a fraction.
    let dir = folder(&[(
        "s.toml",
        &SCENARIO.replace("uplift = 0.06", "uplift = 0.99"),
    )]);
    let scenario = read_scenario(dir.path().join("s.toml")).unwrap();
    assert_eq!(scenario.uplift().fraction(), 0.99);
}

#[test]
fn padded_codes_are_one_area() {
    // With `[area_codes] digits = 4`, the scenario's own codes are padded too: "301" and
    // "0301" are the same area, listed twice.
    let toml = format!(
        "{SCENARIO}\n[[area]]\ncode = \"301\"\nname = \"Oslo again\"\n[area_codes]\ndigits = 4\n"
    );
    let got = scenario_error(&toml);
    assert!(
        got.contains(
            "`area[2].code`: area code \"301\" is area[1]'s code too (written \"0301\" there)"
        ),
        "{got}"
    );
    // Without `digits` they are two codes (and "301" in counts is not "0301").
    let toml = format!("{SCENARIO}\n[[area]]\ncode = \"301\"\nname = \"Oslo again\"\n");
    let dir = folder(&[("s.toml", &toml)]);
    assert_eq!(
        read_scenario(dir.path().join("s.toml"))
            .unwrap()
            .areas()
            .len(),
        2
    );
    // With `digits`, a scenario code written short is padded: counts of "0301" are its.
    let toml = SCENARIO.replace("code = \"0301\"", "code = \"301\"") + "[area_codes]\ndigits = 4\n";
    let dir = folder(&[
        ("s.toml", &toml),
        ("counts.csv", "date,area,count\n2020-01-01,0301,5\n"),
    ]);
    let summary = crate::util::summary(
        &dir.path().join("s.toml"),
        Some(&dir.path().join("counts.csv")),
    )
    .unwrap();
    assert_eq!(
        summary.areas()[0].code().map(deltid::AreaCode::as_str),
        Some("0301")
    );
}

#[test]
fn a_mapping_that_splits_one_old_code_is_refused() {
    // One old code to two new ones cannot be mapped by code (a split municipality).
    let toml = format!(
        "{SCENARIO}\n[[area]]\ncode = \"3301\"\nname = \"Drammen\"\n[area_codes]\nmapping = \"codes.csv\"\n"
    );
    let dir = folder(&[
        ("s.toml", &toml),
        ("codes.csv", "from,to\n0602,0301\n0602,3301\n0625,3301\n"),
    ]);
    let got = read_scenario(dir.path().join("s.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        got.contains("`area_codes.mapping`")
            && got.contains(
                "codes.csv: old code \"0602\" maps to 0301 at line 2 and to 3301 at line 3"
            ),
        "{got}"
    );
    // The same pair twice, and two old codes to one new code (a merger), are fine.
    std::fs::write(
        dir.path().join("codes.csv"),
        "from,to\n0602,3301\n0602,3301\n0625,3301\n",
    )
    .unwrap();
    let scenario = read_scenario(dir.path().join("s.toml")).unwrap();
    assert_eq!(scenario.position("0625"), Some(1));
    assert_eq!(scenario.position("0602"), Some(1));
}

#[test]
fn a_national_mapping_serves_a_scenario_of_fewer_areas() {
    // Rows to codes the scenario does not list (3040 here) are left out; their old codes stay
    // unknown. A table with no row for the scenario is refused, naming its first row.
    let toml = format!(
        "{SCENARIO}\n[[area]]\ncode = \"3301\"\nname = \"Drammen\"\n[area_codes]\nmapping = \"codes.csv\"\n"
    );
    let dir = folder(&[
        ("s.toml", &toml),
        ("codes.csv", "from,to\n0616,3040\n0602,3301\n"),
    ]);
    let scenario = read_scenario(dir.path().join("s.toml")).unwrap();
    assert_eq!(scenario.position("0602"), Some(1));
    assert_eq!(scenario.position("0616"), None);
    std::fs::write(
        dir.path().join("codes.csv"),
        "from,to\n0616,3040\n0617,3041\n",
    )
    .unwrap();
    let got = read_scenario(dir.path().join("s.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        got.contains("codes.csv: line 2, column `to`: area \"3040\" is not in the scenario"),
        "{got}"
    );
    // A row with a code missing maps nothing: refused, not passed over.
    for (rows, expected) in [
        (
            "0602,3301\n0617,\n",
            "codes.csv: line 3, column `to`: empty area code",
        ),
        (
            "0602,3301\n9999\n",
            "codes.csv: line 3, column `to`: empty area code",
        ),
        (
            " ,3301\n",
            "codes.csv: line 2, column `from`: empty area code",
        ),
    ] {
        std::fs::write(dir.path().join("codes.csv"), format!("from,to\n{rows}")).unwrap();
        let got = read_scenario(dir.path().join("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(got.contains(expected), "{rows:?}: {got}");
    }
}

#[test]
fn a_declared_date_format_needs_a_year_a_month_and_a_day() {
    use deltid::DateFormat;
    assert_eq!(
        DateFormat::pattern("%d/%m/%Y"),
        Ok(DateFormat::Pattern("%d/%m/%Y".to_owned()))
    );
    assert!(DateFormat::pattern("%d %B %Y").is_ok());
    for (pattern, expected) in [
        ("%d.%m", "has no four-digit year (%Y)"),
        ("%Y-%m", "needs a month (%m) and a day (%d)"),
        ("%Y-%d", "needs a month (%m) and a day (%d)"),
        ("%Q", "is not a date pattern"),
    ] {
        let err = DateFormat::pattern(pattern).unwrap_err();
        assert!(err.contains(expected), "{pattern}: {err}");
    }
}

#[test]
fn an_areas_tables_code_empty_or_listed_twice_is_named_at_its_line() {
    // Codes are compared as the scenario reads them (padded to `digits`), so `1` and `0001`
    // are one code; the message names the table's lines, not an `[[area]]` entry.
    let toml = "uplift = 0.06\nareas = \"areas.csv\"\n[deductions]\nresidents = 100\n\
                commuters = 0\ntransit = 0\nday_visitors = 0\n[area_codes]\ndigits = 4\n";
    let dir = folder(&[
        ("s.toml", toml),
        ("areas.csv", "code,name\n0001,A\n0002,B\n1,C\n"),
    ]);
    let got = read_scenario(dir.path().join("s.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        got.contains(
            "areas.csv: line 4, column `code`: area code \"1\" is listed twice (first at line 2)"
        ),
        "{got}"
    );
    std::fs::write(dir.path().join("areas.csv"), "code,name\n0001,A\n  ,B\n").unwrap();
    let got = read_scenario(dir.path().join("s.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        got.contains("areas.csv: line 3, column `code`: empty area code"),
        "{got}"
    );
}
