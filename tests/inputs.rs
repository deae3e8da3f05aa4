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
            "line 3, column `area`: area \"Bergen\" is not in the scenario",
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
    assert_eq!(
        summary.areas()[0].first().unwrap().to_string(),
        "2020-02-01"
    );
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
    // The far row has no date and no count: errors naming its cells, not an abort.
    let err = summary_of(&path, &CountsOptions::default())
        .expect_err("the far row is incomplete")
        .to_string();
    assert!(
        err.contains("cell A1048576, column `date`: cannot parse date \"\""),
        "{err}"
    );
}

#[test]
fn spreadsheet_number_cells_are_read_as_numbers_whatever_the_text_style() {
    // Regression: number cells were read as their text, so 12.345 became 12 345 with a dot
    // declared between thousands, and 1.234 was refused as ambiguous when nothing was
    // declared. Ål (3043) counted 12.345 and 1.25 (mean 6.7975), Hol (3044) 1.234.
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbers.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    for (row, (date, area, count)) in [
        ("2020-02-27", "3043", 12.345),
        ("2020-02-28", "3043", 1.25),
        ("2020-02-27", "3044", 1.234),
    ]
    .into_iter()
    .enumerate()
    {
        let row = row as u32 + 1;
        sheet.write(row, 0, date).unwrap();
        sheet.write(row, 1, area).unwrap();
        sheet.write(row, 2, count).unwrap();
    }
    workbook.save(&path).unwrap();
    let declared = CountsOptions {
        numbers: deltid::NumberStyle {
            decimal: Some(deltid::DecimalMark::Comma),
            thousands_dot: true,
        },
        ..CountsOptions::default()
    };
    for options in [CountsOptions::default(), declared] {
        let summary = summary_of(&path, &options).expect("number cells read");
        let means: Vec<f64> = summary
            .areas()
            .iter()
            .map(|a| a.mean().observed())
            .collect();
        assert_eq!(means, [(12.345 + 1.25) / 2.0, 1.234], "{options:?}");
    }
}

#[test]
fn a_note_beside_a_spreadsheet_row_is_not_read() {
    // Regression: the one reader refused a workbook with a note to the right of the table
    // ("cell A3: 5 fields where the header has 3 (a number with a comma, such as 6,506, that
    // is not in quotes?)"), a CSV rule: in a spreadsheet, cells beyond the header's columns
    // are cells, not a split number.
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("note.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    for (i, (date, area, count)) in tidy_rows().into_iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write(row, 0, date.to_string()).unwrap();
        sheet.write(row, 1, area).unwrap();
        sheet.write(row, 2, count).unwrap();
    }
    sheet.write(2, 4, "checked by KO").unwrap();
    workbook.save(&path).unwrap();
    let summary = summary_of(&path, &CountsOptions::default()).expect("the notes are not read");
    assert_same(&summary, &tidy(), "a note beside a row");
    // In CSV the same row is refused: there an extra field is most often a split number.
    let csv = crate::util::folder(&[(
        "counts.csv",
        "date,area,count\n2020-02-27,3043,6,506\n2020-02-27,3044,11000\n",
    )]);
    let err = summary_of(&csv.path().join("counts.csv"), &CountsOptions::default())
        .expect_err("a split number");
    assert!(
        err.to_string()
            .contains("line 2: 4 fields where the header has 3"),
        "{err}"
    );
}

/// Rows of a long counts CSV (`date,area,count`, ISO dates, a header line first) as a Parquet
/// file: date (Date), area (String), count (f64).
pub(crate) fn parquet_copy(csv: &str, path: &Path) {
    use polars::prelude::*;
    let epoch = chrono::NaiveDate::default();
    let (mut days, mut areas, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let date: chrono::NaiveDate = cells[0].parse().expect("an ISO date");
        days.push((date - epoch).num_days() as i32);
        areas.push(cells[1].to_owned());
        counts.push(cells[2].parse::<f64>().expect("a count"));
    }
    let mut frame = DataFrame::new_infer_height(vec![
        Column::new("date".into(), days)
            .cast(&DataType::Date)
            .unwrap(),
        Column::new("area".into(), areas),
        Column::new("count".into(), counts),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut frame)
        .unwrap();
}

/// The summary of the Parquet and the CSV copy of the same counts, for a scenario and a
/// selection.
fn both_copies(scenario: &str, csv: &Path, selection: &Selection) -> (Summary, Summary) {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("counts.parquet");
    parquet_copy(&std::fs::read_to_string(csv).unwrap(), &parquet);
    let summary = |counts: &Path| {
        crate::util::run(&data(scenario), Some(counts), selection)
            .unwrap()
            .summary()
            .clone()
    };
    (summary(&parquet), summary(csv))
}

#[test]
fn parquet_and_csv_copies_of_the_shipped_counts_give_the_same_summary() {
    // The plan's scenario (region-level deductions shared by present persons) and the SSB
    // one (residents per area): the one reader gives the same counts from either file.
    let counts = data("hallingdal/counts.csv");
    let all = Selection::default();
    let (parquet, csv) = both_copies("hallingdal/plan-2021.toml", &counts, &all);
    assert_eq!(parquet, csv);
    let table = parquet.region().table();
    assert_eq!(table.row(deltid::TableRow::Observed).rounded, 46_724);
    assert_eq!(
        table.row(deltid::TableRow::GuestNightsPerDay).rounded,
        26_527
    );
    assert_eq!(
        table.row(deltid::TableRow::GuestNightsPerYear).rounded,
        9_682_355
    );
    let (parquet, csv) = both_copies("hallingdal/ssb-2020.toml", &counts, &all);
    assert_eq!(parquet, csv);

    // Days and areas selected: 2020 (a leap year, 366 days, all counted), Nesbyen and Hol.
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let selection = Selection {
        period: deltid::Period::new(d(2020, 1, 1), d(2021, 1, 1)).unwrap(),
        areas: vec![deltid::AreaCode::new("3040"), deltid::AreaCode::new("3044")],
    };
    let (parquet, csv) = both_copies("hallingdal/plan-2021.toml", &counts, &selection);
    assert_eq!(parquet, csv);
    assert_eq!(parquet.areas().len(), 2);
    assert_eq!(parquet.region().days(), 366);
}

#[test]
fn parquet_and_csv_copies_with_gaps_give_the_same_summary() {
    // The shipped counts with Hol (3044) missing on every 10th day and Nesbyen (3040) on the
    // 7th of each month: region-level deductions are shared on incomplete days by the usual
    // shares, and those days are not region days.
    let text = std::fs::read_to_string(data("hallingdal/counts.csv")).unwrap();
    let mut out = String::new();
    let mut incomplete = std::collections::BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let day = i.saturating_sub(1) / 6;
        let gap = i > 0
            && ((fields[1] == "3044" && day % 10 == 0)
                || (fields[1] == "3040" && fields[0].ends_with("-07")));
        if gap {
            incomplete.insert(fields[0].to_owned());
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    // 55 days without 3044 (every 10th of 547) and 18 without 3040 (the 7th, Sep 2019 to
    // Feb 2021), less the days in both.
    let incomplete = incomplete.len() as u32;
    assert!((55..=73).contains(&incomplete));
    let dir = tempfile::tempdir().unwrap();
    let gaps = dir.path().join("gaps.csv");
    std::fs::write(&gaps, out).unwrap();
    let (parquet, csv) = both_copies("hallingdal/plan-2021.toml", &gaps, &Selection::default());
    assert_eq!(parquet, csv);
    assert_eq!(parquet.incomplete_region_days(), incomplete);
    assert_eq!(parquet.region().days(), 547 - incomplete);
    assert_eq!(parquet.days(), 547);
}

/// The progress reports of reading `path` against `scenario`, in order.
fn progress_of(path: &Path, scenario: &deltid::Scenario) -> Vec<deltid::Progress> {
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |p: deltid::Progress| seen.lock().unwrap().push(p);
    let reading =
        deltid::read_counts_with(path, &CountsOptions::default(), scenario, Some(&record)).unwrap();
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

#[test]
fn files_are_known_by_their_first_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let expected = tidy();
    let tidy_text = std::fs::read_to_string(corpus("tidy.csv")).unwrap();

    // Parquet named .csv and .pq: read as Parquet.
    for name in ["parquet.csv", "counts.pq"] {
        let path = dir.path().join(name);
        parquet_copy(&tidy_text, &path);
        let summary =
            summary_of(&path, &CountsOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same(&summary, &expected, name);
    }

    // An .xlsx workbook named .csv: read as a workbook.
    use rust_xlsxwriter::Workbook;
    let path = dir.path().join("workbook.csv");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    for (i, (date, area, count)) in tidy_rows().into_iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write(row, 0, date.to_string()).unwrap();
        sheet.write(row, 1, area).unwrap();
        sheet.write(row, 2, count).unwrap();
    }
    workbook.save(&path).unwrap();
    let summary = summary_of(&path, &CountsOptions::default()).expect("the workbook reads");
    assert_same(&summary, &expected, "workbook.csv");

    // A zip archive that is no workbook, named .csv: a spreadsheet error, not CSV garbage.
    let path = dir.path().join("broken.csv");
    std::fs::write(&path, b"PK\x03\x04rest of a workbook").unwrap();
    let err = summary_of(&path, &CountsOptions::default()).expect_err("no workbook");
    assert!(matches!(err, deltid::Error::ReadSheet { .. }), "{err}");

    // A Parquet file with a column besides date, area and count (named `row`): ignored.
    use polars::prelude::*;
    let path = dir.path().join("extra.parquet");
    let mut frame = DataFrame::new_infer_height(vec![
        Column::new("date".into(), [18_319i32, 18_320])
            .cast(&DataType::Date)
            .unwrap(),
        Column::new("area".into(), ["3043", "3043"]),
        Column::new("count".into(), [5.0, 7.0]),
        Column::new("row".into(), [1u32, 2]),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let summary = summary_of(&path, &CountsOptions::default()).unwrap();
    // Days 18 319 and 18 320 are 2020-02-27 and 2020-02-28; (5 + 7) / 2 = 6 persons a day.
    assert_eq!(summary.first().to_string(), "2020-02-27");
    assert_close(summary.areas()[0].mean().observed(), 6.0);
}

#[test]
fn the_first_visible_worksheet_is_read_by_default() {
    // A hidden first sheet (notes, no counts) before the sheet of counts: read without naming
    // the sheet, the visible one is read.
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hidden.xlsx");
    let mut workbook = Workbook::new();
    let notes = workbook.add_worksheet();
    notes.set_name("notes").unwrap();
    notes.write(0, 0, "not counts").unwrap();
    notes.set_hidden(true);
    let sheet = workbook.add_worksheet();
    sheet.set_name("Counts").unwrap();
    sheet.set_active(true);
    for (c, name) in ["date", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    for (i, (date, area, count)) in tidy_rows().into_iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write(row, 0, date.to_string()).unwrap();
        sheet.write(row, 1, area).unwrap();
        sheet.write(row, 2, count).unwrap();
    }
    workbook.save(&path).unwrap();
    let run = Run::new(
        &corpus("scenario.toml"),
        Some(&path),
        &CountsOptions::default(),
        &Selection::default(),
    )
    .expect("the visible sheet reads");
    assert_eq!(run.sheet(), Some("Counts"));
    assert_same(run.summary(), &tidy(), "hidden first sheet");
}

#[test]
fn a_1904_date_system_workbook_reads_its_dates_right() {
    // Excel for Mac's 1904 date system counts days from 1904-01-01: 2020-02-27 is serial
    // 42 426 there (43 888 in the 1900 system, 1 462 days apart). Read as 1900 serials the
    // dates would fall four years and a day early, in 2016.
    let epoch = chrono::NaiveDate::from_ymd_opt(1904, 1, 1).unwrap();
    assert_eq!(
        (chrono::NaiveDate::from_ymd_opt(2020, 2, 27).unwrap() - epoch).num_days(),
        42_426
    );
    let text = |r: &str, s: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{s}</t></is></c>"#);
    let mut rows = format!(
        r#"<row r="1">{}{}{}</row>"#,
        text("A1", "date"),
        text("B1", "area"),
        text("C1", "count")
    );
    for (i, (date, area, count)) in tidy_rows().into_iter().enumerate() {
        let n = i + 2;
        rows.push_str(&format!(
            r#"<row r="{n}"><c r="A{n}" s="1"><v>{}</v></c>{}<c r="C{n}"><v>{count}</v></c></row>"#,
            (date - epoch).num_days(),
            text(&format!("B{n}"), area),
        ));
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mac.xlsx");
    std::fs::write(&path, crate::util::xlsx_1904(sheet.as_bytes())).unwrap();
    let summary = summary_of(&path, &CountsOptions::default()).expect("the 1904 workbook reads");
    assert_eq!(summary.first().to_string(), "2020-02-27");
    assert_eq!(summary.last().to_string(), "2020-03-01");
    assert_same(&summary, &tidy(), "1904 dates");
    // Regression: the same serials as plain numbers (not formatted as dates) were read on
    // the 1900 calendar, four years and a day early (2016-02-26).
    let plain = sheet.replace(r#" s="1""#, "");
    std::fs::write(&path, crate::util::xlsx_1904(plain.as_bytes())).unwrap();
    for dates in [DateFormat::Auto, DateFormat::ExcelSerial] {
        let options = CountsOptions {
            dates,
            ..CountsOptions::default()
        };
        let summary = summary_of(&path, &options).expect("plain serials read");
        assert_eq!(summary.first().to_string(), "2020-02-27");
        assert_same(&summary, &tidy(), "1904 serials as plain numbers");
    }
}

/// The SSB scenario (six Hallingdal municipalities, residents per area) over counts `text`.
fn ssb_summary(text: &str, options: &CountsOptions) -> deltid::Result<Summary> {
    let dir = crate::util::folder(&[("counts.csv", text)]);
    Run::new(
        &data("hallingdal/ssb-2020.toml"),
        Some(&dir.path().join("counts.csv")),
        options,
        &Selection::default(),
    )
    .map(|r| r.summary().clone())
}

#[test]
fn numbers_written_otherwise_read_as_the_same_persons() {
    // Spaces around a number, a decimal point, an exponent and a plus sign: 12, 9.5, 1 000
    // and 7 persons, mean (12 + 9.5 + 1 000 + 7) / 4 = 257.125.
    let summary = ssb_summary(
        "date,area,count\n2020-01-01,3040, 12\n2020-01-02,3040,9.5\n2020-01-03,3040,1e3\n\
         2020-01-04,3040,+7\n",
        &CountsOptions::default(),
    )
    .unwrap();
    assert_eq!(summary.areas()[0].days(), 4);
    assert_close(summary.areas()[0].mean().observed(), 257.125);
}

#[test]
fn blank_lines_are_skipped_and_the_lines_after_them_counted() {
    // Blank lines in the middle and at the end are skipped: (5 + 7 + 9) / 3 = 7 a day.
    let summary = ssb_summary(
        "date,area,count\n2020-01-01,3040,5\n\n2020-01-02,3040,7\n2020-01-03,3040,9\n\n",
        &CountsOptions::default(),
    )
    .unwrap();
    assert_eq!(summary.areas()[0].days(), 3);
    assert_close(summary.areas()[0].mean().observed(), 7.0);
    // The bad rows after blank lines are named by their lines in the file: 4 and 5.
    for (counts, expected) in [
        (
            "date,area,count\n2020-01-01,3040,5\n\n2020-01-02,3040,7,extra\n",
            "line 4: 4 fields where the header has 3",
        ),
        (
            "date,area,count\n2020-01-01,3040,5\n\n\n2020-01-02,3040,-7\n",
            "line 5, column `count`: negative number of persons \"-7\"",
        ),
    ] {
        let text = ssb_summary(counts, &CountsOptions::default())
            .unwrap_err()
            .to_string();
        assert!(text.contains(expected), "{text}");
    }
}

#[test]
fn the_edges_of_the_date_range_and_a_declared_decimal_point() {
    // 1900-01-01 and 2199-12-31 are the first and last days taken; 1.234 is ambiguous (a
    // decimal or 1 234?) until the decimal point is declared.
    let counts = "date,area,count\n1900-01-01,3040,1.234\n2199-12-31,3040,7\n";
    let text = ssb_summary(counts, &CountsOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("line 2, column `count`: \"1.234\" is ambiguous"),
        "{text}"
    );
    let options = CountsOptions {
        numbers: deltid::NumberStyle {
            decimal: Some(deltid::DecimalMark::Point),
            thousands_dot: false,
        },
        ..CountsOptions::default()
    };
    let summary = ssb_summary(counts, &options).unwrap();
    assert_eq!(summary.areas()[0].days(), 2);
    assert_eq!(summary.first().to_string(), "1900-01-01");
    assert_eq!(summary.last().to_string(), "2199-12-31");
    // (1.234 + 7) / 2 = 4.117 persons a day.
    assert_close(summary.areas()[0].mean().observed(), 4.117);
}

#[test]
fn a_time_of_day_after_a_date_is_read_and_must_be_one() {
    // ISO dates with a time of day (as exports of timestamps have them) read as their day.
    let summary = ssb_summary(
        "date,area,count\n2020-01-01 00:00,3040,5\n2020-01-02T23:59:59,3040,7\n",
        &CountsOptions::default(),
    )
    .unwrap();
    assert_eq!(summary.first().to_string(), "2020-01-01");
    assert_eq!(summary.last().to_string(), "2020-01-02");
    // A time that is no time of day is refused, not cut off.
    let text = ssb_summary(
        "date,area,count\n2020-01-01 00:00,3040,5\n2020-01-02 25:61,3040,7\n",
        &CountsOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        text.contains("line 3, column `date`: cannot parse date \"2020-01-02 25:61\""),
        "{text}"
    );
}

#[test]
fn areas_from_a_table_give_the_scenario_of_area_entries() {
    // ssb-2020.toml lists its six municipalities as [[area]] entries with residents per area;
    // the same areas as a table (a semicolon CSV from Excel, with a figure column it does not
    // need left empty) must give the same scenario and the same estimate to the last digit.
    let original = data("hallingdal/ssb-2020.toml");
    let text = std::fs::read_to_string(&original).unwrap();
    let head = &text[..text.find("[[area]]").unwrap()];
    let tail = &text[text.find("# School holidays").unwrap()..];
    let dir = tempfile::tempdir().unwrap();
    let areas = "code;name;residents;holiday_homes\n3039;Flå;1050;\n3040;Nesbyen;3273;\n\
        3041;Gol;4608;\n3042;Hemsedal;2486;\n3043;Ål;4674;\n3044;Hol;4441;\n";
    std::fs::write(dir.path().join("areas.csv"), areas).unwrap();
    let counts = data("hallingdal/counts.csv").display().to_string();
    let codes = data("hallingdal/codes.csv").display().to_string();
    // `areas` is a top-level key, so it goes before the first table.
    let toml = format!("areas = \"areas.csv\"\n{head}{tail}")
        .replace("counts = \"counts.csv\"", &format!("counts = {counts:?}"))
        .replace("mapping = \"codes.csv\"", &format!("mapping = {codes:?}"));
    let scenario = dir.path().join("table.toml");
    std::fs::write(&scenario, &toml).unwrap();
    let run = |path: &Path| {
        Run::new(path, None, &CountsOptions::default(), &Selection::default())
            .unwrap()
            .summary()
            .clone()
    };
    let (from_table, from_entries) = (run(&scenario), run(&original));
    assert_eq!(from_table.areas().len(), 6);
    assert_eq!(from_table.areas()[4].name(), "Ål");
    assert_eq!(
        from_table.region().mean().to_array(),
        from_entries.region().mean().to_array()
    );
    assert_eq!(from_table, from_entries);

    // Both ways at once is refused; a figure that is not persons names file, line, column
    // and value.
    std::fs::write(
        &scenario,
        format!("{toml}\n[[area]]\ncode = \"9999\"\nname = \"X\"\n"),
    )
    .unwrap();
    let err = deltid::read_scenario(&scenario).unwrap_err().to_string();
    assert!(
        err.contains("`areas`") && err.contains("give them one way"),
        "{err}"
    );
    std::fs::write(&scenario, &toml).unwrap();
    std::fs::write(dir.path().join("areas.csv"), areas.replace("4608", "4 6O8")).unwrap();
    let err = deltid::read_scenario(&scenario).unwrap_err().to_string();
    assert!(err.contains("areas.csv") && err.contains("line 4"), "{err}");
    assert!(err.contains("residents") && err.contains("4 6O8"), "{err}");

    // The error of the scenario with `table` as its areas.
    let error_with = |table: String| {
        std::fs::write(dir.path().join("areas.csv"), table).unwrap();
        deltid::read_scenario(&scenario).unwrap_err().to_string()
    };
    // An empty or repeated code is named at its line of the table, not as an `[[area]]` entry.
    let err = error_with(areas.replace("3041;Gol", " ;Gol"));
    assert!(
        err.contains("areas.csv: line 4, column `code`: empty area code"),
        "{err}"
    );
    let err = error_with(areas.replace("3043;Ål", "3040;Ål"));
    assert!(
        err.contains(
            "areas.csv: line 6, column `code`: area code \"3040\" is listed twice (first at line 3)"
        ),
        "{err}"
    );
    // Column names in any case, as a spreadsheet may write them; a column twice is refused.
    std::fs::write(
        dir.path().join("areas.csv"),
        areas.replacen(
            "code;name;residents;holiday_homes",
            "Code;Name;Residents;HOLIDAY_HOMES",
            1,
        ),
    )
    .unwrap();
    assert_eq!(run(&scenario), from_entries);
    // Names with their marks as combining characters (Unicode's decomposed form, as some
    // systems export text) are held composed: the same summary, "Ål" one letter.
    std::fs::write(
        dir.path().join("areas.csv"),
        areas
            .replace("Flå", "Fla\u{30a}")
            .replace("Ål", "A\u{30a}l"),
    )
    .unwrap();
    let decomposed = run(&scenario);
    assert_eq!(decomposed.areas()[4].name(), "\u{c5}l");
    assert_eq!(decomposed, from_entries);
    let err = error_with(areas.replacen("holiday_homes", "Residents", 1));
    assert!(
        err.contains("areas.csv: column `residents` appears twice"),
        "{err}"
    );
    // A column of no figure deltid takes is refused, as an unknown key of an [[area]] is: a
    // misspelt figure would otherwise be passed over for the scenario's own. With the
    // closest name where one is a few edits away ("residens" is one from "residents",
    // "holiday_homes" one from "holiday homes"; "ferieboliger" is far from all).
    for (header, named) in [
        ("Residens", "(did you mean `residents`?)"),
        ("Holiday homes", "(did you mean `holiday_homes`?)"),
        (
            "Ferieboliger",
            "areas table: it takes code (or area), name, residents,",
        ),
    ] {
        let err = error_with(areas.replacen("holiday_homes", header, 1));
        let column = format!("areas.csv: column `{header}` is not a column of an areas table");
        assert!(err.contains(&column) && err.contains(named), "{err}");
    }
    // A separator at each line's end (as Excel may save) makes a column without a name or a
    // value: no column, the same scenario. With a value under no name, refused by number.
    let trailing: String = areas.lines().map(|l| format!("{l};\n")).collect();
    std::fs::write(dir.path().join("areas.csv"), &trailing).unwrap();
    assert_eq!(run(&scenario), from_entries);
    let err = error_with(trailing.replacen("3041;Gol;4608;;", "3041;Gol;4608;;7", 1));
    assert!(
        err.contains(
            "areas.csv: column 5, whose header cell is blank, is not a column of an areas table"
        ),
        "{err}"
    );
    // A quote left open takes the lines after it into one name: refused at its line.
    let err = error_with(areas.replace("3041;Gol", "3041;\"Gol"));
    assert!(
        err.contains("areas.csv: line 4: malformed CSV: a quoted cell runs over several lines"),
        "{err}"
    );
}

#[test]
fn norwegian_headers_are_recognised() {
    // The tidy twin's rows under the headers Norwegian offices write.
    let rows = "2020-02-27,3043,9000\n2020-02-27,3044,11000\n2020-02-28,3043,9100.5\n\
                2020-02-28,3044,11500\n2020-02-29,3043,12000\n2020-02-29,3044,15000\n\
                2020-03-01,3043,11000\n2020-03-01,3044,14000.25\n";
    let dir = tempfile::tempdir().expect("a folder");
    for header in [
        "dato,kommunenr,antall",
        "Dato,Kommunenummer,Personer",
        "dato,kommune,personer",
        // deltid's own tables in Norwegian name the area column `område`.
        "Dato;Område;Antall",
        // A municipality number is preferred to a name column beside it.
        "dato,kommunenr,antall,kommunenamn",
    ] {
        let extra = if header.ends_with("kommunenamn") {
            rows.replace('\n', ",x\n")
        } else {
            rows.to_owned()
        };
        let extra = if header.contains(';') {
            extra.replace(',', ";")
        } else {
            extra
        };
        let path = dir.path().join("counts.csv");
        std::fs::write(&path, format!("{header}\n{extra}")).expect("write");
        let summary = summary_of(&path, &CountsOptions::default()).expect(header);
        assert_same(&summary, &tidy(), header);
        // (9000 + 11000 + 9100.5 + 11500 + 12000 + 15000 + 11000 + 14000.25) / 4 = 23150.1875
        assert_close(summary.region().mean().observed(), 23_150.187_5);
    }
}

#[test]
fn a_header_that_matches_nothing_gets_the_flags_in_the_cli_only() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("counts.csv");
    std::fs::write(&path, "dag,stad,tal\n2020-02-27,3043,9000\n").expect("write");
    let error = summary_of(&path, &CountsOptions::default()).expect_err("no date column");
    let message = error.to_string();
    assert!(
        message.ends_with(
            r#"counts.csv: no column `date` in the header (found: "dag", "stad", "tal")"#
        ),
        "{message}"
    );
    assert!(
        !message.contains("--"),
        "the library names no flag: {message}"
    );
    let scenario = corpus("scenario.toml").display().to_string();
    let counts = path.display().to_string();
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", &scenario, "--counts", &counts],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("no column `date`"), "{text}");
    assert!(
        text.contains("--date-column")
            && text.contains("--area-column")
            && text.contains("kommunenr"),
        "{text}"
    );
}

/// A formula whose value was never saved (as scripts write them: `<f>` and no `<v>`) is no
/// missing day: its cell's error names it; an error cell reads as Excel shows it (`#N/A`).
#[test]
fn unsaved_formulas_and_error_cells_are_named_not_missing() {
    let sheet = |count_cell: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c><c r="B1" t="inlineStr"><is><t>area</t></is></c><c r="C1" t="inlineStr"><is><t>count</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>2020-01-01</t></is></c><c r="B2" t="inlineStr"><is><t>3043</t></is></c><c r="C2"><v>1200</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>2020-01-02</t></is></c><c r="B3" t="inlineStr"><is><t>3043</t></is></c>{count_cell}</row></sheetData></worksheet>"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counts.xlsx");
    for (cell, shown) in [
        (
            r#"<c r="C3"><f>C2+100</f></c>"#,
            // Whole, not cut short as a long value is.
            "\"a formula with no saved value (open and save the file in a spreadsheet program)\"",
        ),
        (r#"<c r="C3" t="e"><v>#N/A</v></c>"#, "\"#N/A\""),
    ] {
        std::fs::write(&path, crate::util::xlsx(sheet(cell).as_bytes())).unwrap();
        let message = summary_of(&path, &CountsOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("C3") && message.contains(shown),
            "{cell}: {message}"
        );
    }
    // With its value saved, the formula's cell is read as that value.
    std::fs::write(
        &path,
        crate::util::xlsx(sheet(r#"<c r="C3"><f>C2+100</f><v>1300</v></c>"#).as_bytes()),
    )
    .unwrap();
    let summary = summary_of(&path, &CountsOptions::default()).unwrap();
    assert_close(summary.areas()[0].mean().observed(), 1250.0);
    // Regression: in a workbook that asks to be recalculated on opening (xlsxwriter's), a
    // formula's saved value is a placeholder, 0, and was read as a count of 0.
    std::fs::write(
        &path,
        crate::util::xlsx_recalculated(sheet(r#"<c r="C3"><f>C2+100</f><v>0</v></c>"#).as_bytes()),
    )
    .unwrap();
    let message = summary_of(&path, &CountsOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("cell C3, column `count`")
            && message.contains("a formula never calculated"),
        "{message}"
    );
}
