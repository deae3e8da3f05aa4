//! Real-world files in: every well-formed variant of the corpus gives the same estimate as its
//! tidy twin, and every bad one its own message (data/golden/inputs/, see data/README.md).

use std::path::{Path, PathBuf};

use deltid::{CountsOptions, DateFormat, Encoding, Run, Selection, SourceOptions, Summary};

use crate::util::{assert_close, data, deltid, stderr};

fn corpus(name: &str) -> PathBuf {
    data("golden/inputs").join(name)
}

fn summary_of(counts: &Path, options: &CountsOptions) -> deltid::Result<Summary> {
    Run::new(
        &corpus("scenario.toml"),
        Some(counts),
        options,
        &Selection::default(),
    )
    .map(|r| r.summary().clone())
}

/// Asserts two summaries agree on every area's and the region's means and plan table.
pub(crate) fn assert_same(actual: &Summary, expected: &Summary, what: &str) {
    assert_eq!(actual.areas().len(), expected.areas().len(), "{what}");
    for (a, e) in actual
        .areas()
        .iter()
        .chain([actual.region()])
        .zip(expected.areas().iter().chain([expected.region()]))
    {
        assert_eq!(a.code(), e.code(), "{what}");
        assert_eq!(a.days(), e.days(), "{what}: {:?}", a.code());
        assert_close(a.mean().observed(), e.mean().observed());
        assert_close(a.mean().part_time(), e.mean().part_time());
        assert_eq!(a.table(), e.table(), "{what}: {:?}", a.code());
    }
}

fn tidy() -> Summary {
    summary_of(&corpus("tidy.csv"), &CountsOptions::default()).expect("the tidy twin")
}

#[test]
fn tidy_twin_by_hand() {
    // Observed, region: (9000 + 11000 + 9100.5 + 11500 + 12000 + 15000 + 11000 + 14000.25) / 4
    // = 92600.75 / 4 = 23150.1875 persons per day; 4 days, leap day included.
    let summary = tidy();
    assert_eq!(summary.region().days(), 4);
    assert_close(summary.region().mean().observed(), 23_150.187_5);
    // Uplift "6 %" read as 0.06.
    assert_close(summary.uplift().fraction(), 0.06);
}

#[test]
fn every_dialect_gives_the_tidy_estimate() {
    let expected = tidy();
    for file in [
        "semicolon_comma_bom_crlf.csv",
        "latin1_names_tab.csv",
        "excel_serial_dates.csv",
        "wide_codes.csv",
        "wide_names_slashes.csv",
        "old_and_labelled_codes.csv",
        "quoted_fields.csv",
        // Regression: a title line with as many fields as the data, and a mostly empty
        // column, made a data row the header.
        "title_row_and_sparse_column.csv",
    ] {
        let summary = summary_of(&corpus(file), &CountsOptions::default())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_same(&summary, &expected, file);
    }
}

/// The tidy rows: (date, area, count).
fn tidy_rows() -> Vec<(chrono::NaiveDate, &'static str, f64)> {
    let day = |d: u32, m: u32| chrono::NaiveDate::from_ymd_opt(2020, m, d).expect("a date");
    vec![
        (day(27, 2), "3043", 9000.0),
        (day(27, 2), "3044", 11000.0),
        (day(28, 2), "3043", 9100.5),
        (day(28, 2), "3044", 11500.0),
        (day(29, 2), "3043", 12000.0),
        (day(29, 2), "3044", 15000.0),
        (day(1, 3), "3043", 11000.0),
        (day(1, 3), "3044", 14000.25),
    ]
}

#[test]
fn spreadsheets_and_parquet_give_the_tidy_estimate() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().expect("a folder");
    let expected = tidy();

    // An .xlsx with a title row above the header, real Excel dates, on a second sheet.
    let xlsx = dir.path().join("counts.xlsx");
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("notes").expect("a name");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Counts").expect("a name");
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    sheet
        .write(0, 0, "Daily counts, Hallingdal")
        .expect("a cell");
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(2, c as u16, *name).expect("a cell");
    }
    for (i, (date, area, count)) in tidy_rows().into_iter().enumerate() {
        let row = 3 + i as u32;
        let excel = ExcelDateTime::parse_from_str(&date.to_string()).expect("a date");
        sheet
            .write_with_format(row, 0, &excel, &date_format)
            .expect("a cell");
        sheet.write(row, 1, area).expect("a cell");
        sheet.write(row, 2, count).expect("a cell");
    }
    workbook.save(&xlsx).expect("saved");
    let in_sheet = CountsOptions {
        source: SourceOptions {
            sheet: Some("Counts".to_owned()),
            ..SourceOptions::default()
        },
        ..CountsOptions::default()
    };
    let summary = summary_of(&xlsx, &in_sheet).expect("the xlsx reads");
    assert_same(&summary, &expected, "xlsx");

    // An unknown sheet names the sheets there are.
    let wrong = CountsOptions {
        source: SourceOptions {
            sheet: Some("Telling".to_owned()),
            ..SourceOptions::default()
        },
        ..CountsOptions::default()
    };
    let err = summary_of(&xlsx, &wrong)
        .expect_err("no such sheet")
        .to_string();
    assert!(
        err.contains("no sheet \"Telling\" (sheets: \"notes\", \"Counts\")"),
        "{err}"
    );

    // A bad cell is named by sheet and cell: the count of the first row (C4) made text.
    let bad = dir.path().join("bad.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Counts").expect("a name");
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).expect("a cell");
    }
    sheet.write(1, 0, "2020-02-27").expect("a cell");
    sheet.write(1, 1, "3043").expect("a cell");
    sheet.write(1, 2, "many").expect("a cell");
    workbook.save(&bad).expect("saved");
    let err = summary_of(&bad, &CountsOptions::default())
        .expect_err("bad")
        .to_string();
    assert!(
        err.contains("sheet \"Counts\", cell C2, column `count`: cannot parse number \"many\""),
        "{err}"
    );

    // Parquet with a real Date column.
    use polars::prelude::*;
    let rows = tidy_rows();
    let mut frame = df!(
        "date" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "area" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "count" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )
    .expect("a frame");
    let parquet = dir.path().join("counts.parquet");
    let file = std::fs::File::create(&parquet).expect("a file");
    ParquetWriter::new(file)
        .finish(&mut frame)
        .expect("written");
    let summary = summary_of(&parquet, &CountsOptions::default()).expect("the parquet reads");
    assert_same(&summary, &expected, "parquet");
}

#[test]
fn each_bad_input_gets_its_own_message() {
    let cases: [(&str, &str); 7] = [
        (
            "bad_ambiguous_dates.csv",
            "column `date`: dates such as \"01/02/2020\" read both as dd/mm/yyyy and mm/dd/yyyy: declare the date format",
        ),
        (
            "bad_impossible_date.csv",
            // A date in the column's format naming no day: its own error (NoSuchDay).
            "line 3, column `date`: no such day \"30.02.2020\" (dd.mm.yyyy)",
        ),
        (
            "bad_ambiguous_number.csv",
            "line 2, column `count`: \"1,500\" is ambiguous (a decimal mark or a thousands separator?)",
        ),
        (
            "bad_unknown_name.csv",
            "line 3: area \"Bergen\" is not in the scenario",
        ),
        (
            "bad_duplicate_after_mapping.csv",
            "line 3: second row for area 3043 on 2020-02-27 (first at line 2)",
        ),
        (
            "bad_many_values.csv",
            "25 problems (the first 20 shown):\n  - ",
        ),
        // Regression: "12 34 5" was read as 12 345.
        (
            "bad_thousands_grouping.csv",
            "line 2, column `count`: cannot parse number \"12 34 5\"",
        ),
    ];
    for (file, message) in cases {
        let err = summary_of(&corpus(file), &CountsOptions::default())
            .expect_err(file)
            .to_string();
        assert!(err.contains(file), "{err}");
        assert!(
            err.contains(message),
            "{file}: expected {message:?} in {err:?}"
        );
    }
    // The many-values file lists line 2's value first and stops at 20 values.
    let err = summary_of(&corpus("bad_many_values.csv"), &CountsOptions::default())
        .expect_err("bad")
        .to_string();
    assert!(
        err.contains("line 2, column `count`: cannot parse number \"x1\""),
        "{err}"
    );
    assert_eq!(err.matches("\n  - ").count(), 20);
}

#[test]
fn declared_formats_resolve_what_detection_refuses() {
    // Day-first declared: 01/02/2020 is 1 February.
    let options = CountsOptions {
        dates: DateFormat::Pattern("%d/%m/%Y".to_owned()),
        ..CountsOptions::default()
    };
    let summary = summary_of(&corpus("bad_ambiguous_dates.csv"), &options).expect("declared");
    // The file counts area 3043 only, so the region (3043 and 3044) has no day of its own:
    // the span and the area's first day tell how the dates were read.
    assert_eq!(summary.first().to_string(), "2020-02-01");
    assert_eq!(summary.areas()[0].first().to_string(), "2020-02-01");
    assert_eq!(summary.last().to_string(), "2020-02-03");
    // UTF-8 declared for a Latin-1 file: refused with the line of the first bad byte.
    let options = CountsOptions {
        source: SourceOptions {
            encoding: Encoding::Utf8,
            ..SourceOptions::default()
        },
        ..CountsOptions::default()
    };
    let err = summary_of(&corpus("latin1_names_tab.csv"), &options).expect_err("latin-1");
    assert!(err.to_string().contains("line 2: not valid UTF-8"), "{err}");
}

#[test]
fn statistics_norway_export_reads_as_a_residents_table() {
    // data/ssb/…latin1.csv: 106 single years of age per municipality, summed per municipality:
    // the 2023 populations of data/ssb/hallingdal_population_jan1_2015_2026.csv.
    let run = crate::util::run(
        &data("hallingdal/ssb-2023-table.toml"),
        None,
        &Selection::default(),
    )
    .expect("the SSB table reads");
    let residents = run.scenario().registered_residents().expect("per area");
    assert_eq!(residents, [1097.0, 3299.0, 4767.0, 2645.0, 4862.0, 4506.0]);
    // Every day deducts the same 21 176 residents for the region.
    assert_close(
        run.summary()
            .region()
            .mean()
            .deduction(deltid::Deduction::Residents),
        21_176.0,
    );
}

#[test]
fn cli_reads_a_spreadsheet_style_csv_with_declared_options() {
    let dir = tempfile::tempdir().expect("a folder");
    let scenario = corpus("scenario.toml").display().to_string();
    let counts = corpus("semicolon_comma_bom_crlf.csv").display().to_string();
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--counts",
            &counts,
            "--counts-delimiter",
            ";",
            "--counts-decimal",
            "comma",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Declaring the wrong separator gives the header hint and exit 1.
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--counts",
            &counts,
            "--counts-delimiter",
            ",",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(the header holds `;`: is that the separator?)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn all_three_hallingdal_numberings_read_as_one() {
    // data/hallingdal/codes.csv maps 06xx (before 2020) and 33xx (from 2024) to 30xx; "616"
    // is padded to 0616; an SSB label and a name resolve too.
    let dir = tempfile::tempdir().expect("a folder");
    let counts = dir.path().join("mixed.csv");
    std::fs::write(
        &counts,
        "date,area,count\n2020-01-01,0619,5000\n2020-01-01,3330,6000\n2020-01-01,3039,1000\n\
         2020-01-01,616,3000\n2020-01-01,K-3041 Gol,4000\n2020-01-01,Hemsedal,2500\n",
    )
    .expect("written");
    let summary = crate::util::summary(&data("hallingdal/ssb-2020.toml"), Some(&counts))
        .expect("every numbering resolves");
    let observed: Vec<(String, f64)> = summary
        .areas()
        .iter()
        .map(|a| {
            (
                a.code().map(ToString::to_string).unwrap_or_default(),
                a.mean().observed(),
            )
        })
        .collect();
    let expected = [
        ("3039", 1000.0),
        ("3040", 3000.0),
        ("3041", 4000.0),
        ("3042", 2500.0),
        ("3043", 5000.0),
        ("3044", 6000.0),
    ];
    for ((code, value), (want_code, want)) in observed.iter().zip(expected) {
        assert_eq!(code, want_code);
        assert_close(*value, want);
    }
}

#[test]
fn a_far_away_cell_does_not_exhaust_memory() {
    // Regression (found by fuzzing): a workbook with one value at XFD1048576, the last cell of
    // a sheet, made the spreadsheet reader allocate the whole sheet (549 GB) and abort. Cells
    // are now read one by one: the far cell is just an extra column of one row.
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("far.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).expect("a cell");
    }
    sheet.write(1, 0, "2020-02-27").expect("a cell");
    sheet.write(1, 1, "3043").expect("a cell");
    sheet.write(1, 2, 9000).expect("a cell");
    sheet.write(1_048_575, 16_383, 1).expect("the last cell");
    workbook.save(&path).expect("saved");
    // The far row is a row of 16 384 cells under a header of 3: an error naming its first
    // cell, not an abort.
    let err = summary_of(&path, &CountsOptions::default())
        .expect_err("the far row does not fit the header")
        .to_string();
    assert!(
        err.contains("cell A1048576: 16384 fields where the header has 3"),
        "{err}"
    );
}

/// The progress reports of reading `path` against `scenario`, in order.
fn progress_of(path: &Path, scenario: &deltid::Scenario) -> Vec<deltid::Progress> {
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |p: deltid::Progress| seen.lock().unwrap().push(p);
    let reading =
        deltid::read_counts_with(path, &CountsOptions::default(), scenario, Some(&record))
            .unwrap();
    assert!(reading.problems().is_empty());
    seen.into_inner().unwrap()
}

#[test]
fn reading_reports_progress_in_rows_and_bytes() {
    // Regression: the bytes read were counted from the header's end, not from what the first
    // block (1 MiB) had read, so a smaller file ended at the header's 16 bytes and a larger
    // one 1 MiB short of its size.
    let scenario = deltid::read_scenario(data("hallingdal/plan-2021.toml")).unwrap();
    let path = data("hallingdal/counts.csv");
    let size = std::fs::metadata(&path).unwrap().len();
    let seen = progress_of(&path, &scenario);
    // 547 days × 6 areas, the whole file read, by the last report.
    assert_eq!(
        seen.last(),
        Some(&deltid::Progress {
            bytes: size,
            total: Some(size),
            rows: 3_282,
        })
    );
    assert!(seen.windows(2).all(|w| w[0].rows <= w[1].rows));

    // 120 areas × 500 days: 60 000 rows, over 1 MiB.
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let synth = deltid::synth::Synth::generic(120, start, 500, 3, 500_000.0);
    let dir = crate::util::folder(&[]);
    let path = dir.path().join("c.csv");
    synth
        .write_csv(std::fs::File::create(&path).unwrap())
        .unwrap();
    let scenario = deltid::scenario_from_toml(
        &synth.scenario_toml(Some("c.csv")).unwrap(),
        &dir.path().join("s.toml"),
    )
    .unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 1 << 20, "{size} bytes");
    let seen = progress_of(&path, &scenario);
    assert_eq!(
        seen.last(),
        Some(&deltid::Progress {
            bytes: size,
            total: Some(size),
            rows: 60_000,
        })
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0].bytes <= w[1].bytes && w[0].rows <= w[1].rows)
    );
}
