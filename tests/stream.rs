//! The streaming path gives the in-memory path's summary, and the reader's errors.

use std::path::Path;

use deltid::stream::{self, Progress};
use deltid::{
    AreaCode, AreaSummary, Counts, CountsColumns, CountsOptions, Error, Line, Period, Scenario,
    Selection, Summary, estimate,
};
use polars::prelude::*;

use crate::util::{assert_close, data, folder};

/// The in-memory path's summary of a CSV counts file.
fn in_memory(scenario: &Scenario, counts: &Path, selection: &Selection) -> Summary {
    let counts = Counts::read_csv(counts, &CountsColumns::default()).unwrap();
    Summary::new(scenario, &estimate(scenario, &counts, selection).unwrap()).unwrap()
}

fn streamed(scenario: &Scenario, counts: &Path, selection: &Selection) -> deltid::Result<Summary> {
    stream::summarise(
        scenario,
        counts,
        &CountsOptions::default(),
        selection,
        &|_| {},
    )
}

#[track_caller]
fn assert_same_area(a: &AreaSummary, b: &AreaSummary) {
    assert_eq!(a.code, b.code);
    assert_eq!(a.name, b.name);
    assert_eq!(
        (a.days, a.first, a.last, a.missing_days),
        (b.days, b.first, b.last, b.missing_days)
    );
    assert_eq!(a.negative_days, b.negative_days);
    assert_eq!(a.negative_dates, b.negative_dates);
    assert_close(a.negative_sum, b.negative_sum);
    for (x, y) in [
        (a.mean.observed, b.mean.observed),
        (a.mean.uplift, b.mean.uplift),
        (a.mean.present, b.mean.present),
        (a.mean.residents, b.mean.residents),
        (a.mean.commuters, b.mean.commuters),
        (a.mean.transit, b.mean.transit),
        (a.mean.day_visitors, b.mean.day_visitors),
        (a.mean.part_time, b.mean.part_time),
    ] {
        assert_close(x, y);
    }
    assert_eq!(a.calendar_years.len(), b.calendar_years.len());
    for (x, y) in a.calendar_years.iter().zip(&b.calendar_years) {
        assert_eq!((x.year, x.days_observed), (y.year, y.days_observed));
        assert_close(x.guest_nights, y.guest_nights);
    }
    let rounded = |s: &AreaSummary| {
        s.waterfall
            .lines
            .iter()
            .map(|l| l.rounded)
            .collect::<Vec<_>>()
    };
    assert_eq!(rounded(a), rounded(b));
}

#[track_caller]
fn assert_same(a: &Summary, b: &Summary) {
    assert_eq!(a.areas.len(), b.areas.len());
    assert_same_area(&a.region, &b.region);
    for (x, y) in a.areas.iter().zip(&b.areas) {
        assert_same_area(x, y);
    }
    assert_eq!(a.incomplete_region_days, b.incomplete_region_days);
    assert_eq!((a.first, a.last), (b.first, b.last));
    assert_eq!(a.selection, b.selection);
}

#[test]
fn streaming_gives_the_plans_table_and_the_in_memory_summary() {
    // The plan's scenario: region-level deductions shared by present persons (one pass for
    // the day totals, one for the estimate).
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let counts = data("hallingdal/counts.csv");
    let all = Selection::default();
    let summary = streamed(&scenario, &counts, &all).unwrap();
    let table = &summary.region.waterfall;
    assert_eq!(table.line(Line::Observed).rounded, 46_724);
    assert_eq!(table.line(Line::GuestNightsPerDay).rounded, 26_527);
    assert_eq!(table.line(Line::GuestNightsPerYear).rounded, 9_682_355);
    assert_same(&summary, &in_memory(&scenario, &counts, &all));

    // Residents per area from SSB: no day totals needed.
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    assert_same(
        &streamed(&scenario, &counts, &all).unwrap(),
        &in_memory(&scenario, &counts, &all),
    );
}

#[test]
fn streaming_selects_days_and_areas_as_the_in_memory_path_does() {
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let counts = data("hallingdal/counts.csv");
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let selection = Selection {
        period: Period::new(d(2020, 1, 1), d(2021, 1, 1)).unwrap(),
        areas: vec![AreaCode::new("3040"), AreaCode::new("3044")],
    };
    let summary = streamed(&scenario, &counts, &selection).unwrap();
    assert_eq!(summary.areas.len(), 2);
    // 2020 is a leap year: 366 days, all counted.
    assert_eq!(summary.region.days, 366);
    assert_same(&summary, &in_memory(&scenario, &counts, &selection));
}

/// The shipped counts (six rows a day) with area 3044 missing on every 10th day and 3040 on
/// the 7th of each month: the region's days are incomplete, so region-level deductions take
/// the usual shares (two more passes over the file). Returns the file and its incomplete days.
fn with_gaps(dir: &Path) -> (std::path::PathBuf, u32) {
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
    let path = dir.join("gaps.csv");
    std::fs::write(&path, out).unwrap();
    (path, incomplete.len() as u32)
}

#[test]
fn streaming_shares_region_deductions_on_incomplete_days_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (counts, incomplete) = with_gaps(dir.path());
    // 55 days without 3044 (every 10th of 547) and 18 without 3040 (the 7th, Sep 2019 to
    // Feb 2021), less the days in both.
    assert!((55..=73).contains(&incomplete));
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let all = Selection::default();
    let summary = streamed(&scenario, &counts, &all).unwrap();
    assert_eq!(summary.incomplete_region_days, incomplete);
    assert_same(&summary, &in_memory(&scenario, &counts, &all));
}

#[test]
fn streaming_reads_parquet_like_csv() {
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let csv = data("hallingdal/counts.csv");
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("counts.parquet");
    let mut frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema_overwrite(Some(Arc::new(Schema::from_iter([
            Field::new("date".into(), DataType::Date),
            Field::new("area".into(), DataType::String),
        ]))))
        .try_into_reader_with_file_path(Some(csv.clone()))
        .unwrap()
        .finish()
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut frame)
        .unwrap();
    let all = Selection::default();
    assert_same(
        &streamed(&scenario, &parquet, &all).unwrap(),
        &in_memory(&scenario, &csv, &all),
    );
}

#[test]
fn streaming_reports_progress_in_rows() {
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    stream::summarise(
        &scenario,
        &data("hallingdal/counts.csv"),
        &CountsOptions::default(),
        &Selection::default(),
        &|p| seen.lock().unwrap().push(p),
    )
    .unwrap();
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&Progress::DayTotals));
    // 547 days × 6 areas, all done by the last report.
    assert_eq!(seen.last(), Some(&Progress::Rows(3_282)));
}

fn stream_error(counts: &str) -> Error {
    let dir = folder(&[("counts.csv", counts)]);
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    streamed(
        &scenario,
        &dir.path().join("counts.csv"),
        &Selection::default(),
    )
    .unwrap_err()
}

#[test]
fn streaming_names_line_column_and_value_of_bad_values() {
    // A number polars cannot parse: the file is read again to find it.
    let text = stream_error(
        "date,area,count\n2020-01-01,3040,100\n2020-01-02,3040,1 2x\n2020-01-03,3040,oops\n",
    )
    .to_string();
    assert!(
        text.contains("line 3, column `count`: cannot parse number \"1 2x\""),
        "{text}"
    );
    assert!(
        text.contains("line 4, column `count`: cannot parse number \"oops\""),
        "{text}"
    );

    let text =
        stream_error("date,area,count\n2020-01-01,3040,100\n2020-13-02,3040,5\n").to_string();
    assert!(
        text.contains("line 3, column `date`: cannot parse date \"2020-13-02\""),
        "{text}"
    );

    let text =
        stream_error("date,area,count\n2020-01-01,3040,100\n2020-01-02,3040,-5\n").to_string();
    assert!(
        text.contains("line 3, column `count`: negative number of persons \"-5\""),
        "{text}"
    );

    let text =
        stream_error("date,area,count\n2020-01-01,3040,100\n2020-01-02,9999,5\n").to_string();
    assert!(
        text.contains("line 3: area \"9999\" is not in the scenario"),
        "{text}"
    );

    let text =
        stream_error("date,area,count\n2020-01-01,3040,100\n2020-01-01,3040,5\n").to_string();
    assert!(
        text.contains("line 3: area 3040 has 2020-01-01 twice in the file"),
        "{text}"
    );

    let text = stream_error("date,area,persons\n2020-01-01,3040,100\n").to_string();
    assert!(text.contains("no column `count`"), "{text}");
}

#[test]
fn streaming_lists_many_problems_at_once() {
    let mut counts = "date,area,count\n".to_owned();
    for day in 1..=25 {
        counts.push_str(&format!("2020-01-{day:02},3040,-1\n"));
    }
    let Error::Many { errors, more, .. } = stream_error(&counts) else {
        panic!("expected several problems");
    };
    assert_eq!((errors.len(), more), (deltid::MAX_REPORTED, 5));
}

#[test]
fn cli_stream_writes_the_in_memory_csv_and_nothing_on_a_piped_stderr() {
    let dir = folder(&[]);
    let plan = data("hallingdal/plan-2021.toml");
    let plan = plan.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["estimate", "--scenario", plan, "--format", "csv"];
        args.extend(extra);
        crate::util::deltid(dir.path(), &args)
    };
    let (memory, streamed) = (run(&[]), run(&["--stream"]));
    assert_eq!(
        streamed.status.code(),
        Some(0),
        "{}",
        crate::util::stderr(&streamed)
    );
    // The progress indicator draws only on a terminal.
    assert_eq!(crate::util::stderr(&streamed), "");
    // The same cells; numbers up to the order the day totals were summed in.
    let (a, b) = (crate::util::stdout(&streamed), crate::util::stdout(&memory));
    assert_eq!(a.lines().count(), b.lines().count());
    for (x, y) in a.lines().zip(b.lines()) {
        for (x, y) in x.split(',').zip(y.split(',')) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert_close(x, y),
                _ => assert_eq!(x, y),
            }
        }
    }
    // The region's row: the plan's 9 682 355 guest-nights a year, as the last column.
    assert!(
        crate::util::stdout(&streamed)
            .trim_end()
            .ends_with(",9682355")
    );
}

#[test]
fn cli_stream_refuses_what_needs_the_daily_rows() {
    let dir = folder(&[]);
    let plan = data("hallingdal/plan-2021.toml");
    let plan = plan.to_str().unwrap();
    for (extra, expected) in [
        (
            &["--daily", "--format", "csv"][..],
            "--stream gives the summary only",
        ),
        (&["--annualise", "plan"][..], "cannot be used with"),
        (
            &["--counts-delimiter", ";"][..],
            "not another separator than the comma",
        ),
    ] {
        let mut args = vec!["estimate", "--scenario", plan, "--stream"];
        args.extend(extra);
        let out = crate::util::deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            crate::util::stderr(&out).contains(expected),
            "{}",
            crate::util::stderr(&out)
        );
    }
}

/// The shipped counts with `edit` applied to the data line at `index` (0 = first data line).
fn shipped_with(
    dir: &Path,
    name: &str,
    edit: impl Fn(usize, &str) -> Option<String>,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(data("hallingdal/counts.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        match i.checked_sub(1).and_then(|row| edit(row, line)) {
            Some(replaced) => out.push_str(&replaced),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn streaming_refuses_a_repeated_day_in_an_area_not_selected() {
    // A repeated row of 3043 would change 3039's share of the region's deductions: refused
    // as in memory, even with only 3039 selected. Data line 100 is 2019-09-17, area 3043.
    let dir = tempfile::tempdir().unwrap();
    let counts = shipped_with(dir.path(), "dup.csv", |row, line| {
        (row == 100).then(|| format!("{line}\n{line}"))
    });
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let selection = Selection {
        areas: vec![AreaCode::new("3039")],
        ..Selection::default()
    };
    let text = streamed(&scenario, &counts, &selection)
        .unwrap_err()
        .to_string();
    assert!(text.contains("area 3043 has 2019-09-17 twice"), "{text}");
}

#[test]
fn streaming_checks_rows_without_a_date_when_a_period_is_selected() {
    // Line 1000 loses its date; with --from the row must still be reported, not dropped.
    let dir = tempfile::tempdir().unwrap();
    let counts = shipped_with(dir.path(), "nodate.csv", |row, line| {
        (row == 998).then(|| format!(",{}", line.split_once(',').unwrap().1))
    });
    let scenario = Scenario::from_path(data("hallingdal/plan-2021.toml")).unwrap();
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let selection = Selection {
        period: Period::new(d(2020, 1, 1), None).unwrap(),
        ..Selection::default()
    };
    let text = streamed(&scenario, &counts, &selection)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("line 1000, column `date`: cannot parse date \"\""),
        "{text}"
    );
}

#[test]
fn streaming_reads_counts_as_the_in_memory_reader_does() {
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    for (count, expected) in [
        // A thousands dot or a decimal? Refused unless declared, as in memory.
        ("9.500", "line 2, column `count`: \"9.500\" is ambiguous"),
        ("NaN", "line 2, column `count`: cannot parse number \"NaN\""),
        ("inf", "line 2, column `count`: cannot parse number \"inf\""),
    ] {
        let dir = folder(&[(
            "counts.csv",
            &format!("date,area,count\n2020-01-01,3040,{count}\n2020-01-02,3040,5\n"),
        )]);
        let error = streamed(
            &scenario,
            &dir.path().join("counts.csv"),
            &Selection::default(),
        );
        let text = error.unwrap_err().to_string();
        assert!(text.contains(expected), "{count}: {text}");
    }
    // Spaces around a number: polars does not read it, so it is refused with a pointer to
    // the in-memory path, which does.
    let dir = folder(&[("counts.csv", "date,area,count\n2020-01-01,3040, 12\n")]);
    let error = streamed(
        &scenario,
        &dir.path().join("counts.csv"),
        &Selection::default(),
    );
    let text = error.unwrap_err().to_string();
    assert!(
        text.contains("line 2, column `count`: \" 12\" is not a plain number"),
        "{text}"
    );
    // Written otherwise but plain: the same number as in memory.
    let dir = folder(&[(
        "counts.csv",
        "date,area,count\n2020-01-01,3040,9.5\n2020-01-02,3040,1e3\n2020-01-03,3040,+7\n",
    )]);
    let path = dir.path().join("counts.csv");
    let all = Selection::default();
    assert_same(
        &streamed(&scenario, &path, &all).unwrap(),
        &in_memory(&scenario, &path, &all),
    );
}

#[test]
fn streaming_refuses_a_repeated_column_and_skips_blank_lines() {
    let text = stream_error("date,area,count,count\n2020-01-01,3040,5,1868\n").to_string();
    assert!(text.contains("column `count` appears twice"), "{text}");

    // Blank lines at the end and in the middle are skipped, as in memory.
    let dir = folder(&[(
        "counts.csv",
        "date,area,count\n2020-01-01,3040,5\n\n2020-01-02,3040,7\n2020-01-03,3040,9\n\n",
    )]);
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    let path = dir.path().join("counts.csv");
    let all = Selection::default();
    let summary = streamed(&scenario, &path, &all).unwrap();
    assert_eq!(summary.region.days, 3);
    // (5 + 7 + 9) / 3 = 7 persons a day.
    assert_close(summary.region.mean.observed, 7.0);
    assert_same(&summary, &in_memory(&scenario, &path, &all));

    // Lines after a blank line are counted right, by both paths: the bad rows are lines 4
    // and 5 of the file.
    for (counts, expected) in [
        (
            "date,area,count\n2020-01-01,3040,5\n\n2020-01-02,3040,7,extra\n",
            "line 4: 4 fields",
        ),
        (
            "date,area,count\n2020-01-01,3040,5\n\n\n2020-01-02,3040,-7\n",
            "line 5, column `count`: negative",
        ),
    ] {
        let text = stream_error(counts).to_string();
        assert!(text.contains(expected), "streamed: {text}");
        let dir = folder(&[("counts.csv", counts)]);
        let text = Counts::read_csv(dir.path().join("counts.csv"), &CountsColumns::default())
            .unwrap_err()
            .to_string();
        assert!(text.contains(expected), "in memory: {text}");
    }
}

#[test]
fn streaming_refuses_far_off_dates_and_names_non_utf8_lines() {
    // A mistyped year would make the span of days, and the memory for it, huge.
    let text = stream_error("date,area,count\n2020-01-01,3040,5\n9999-12-31,3040,5\n").to_string();
    assert!(text.contains("line 3, column `date`: cannot parse date \"9999-12-31\" (expected yyyy-mm-dd, 1900 to 2199)"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counts.csv");
    std::fs::write(
        &path,
        b"date,area,count\n2020-01-01,3040,5\n2020-01-02,3040,7\n2020-01-0\xe5,3040,7\n",
    )
    .unwrap();
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    let text = streamed(&scenario, &path, &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(text.contains("line 4: not valid UTF-8"), "{text}");

    let Error::ReadFile { source, .. } =
        streamed(&scenario, dir.path(), &Selection::default()).unwrap_err()
    else {
        panic!("a folder is not a counts file");
    };
    assert_eq!(source.to_string(), "a folder, not a file");
}

#[test]
fn streaming_refuses_parquet_types_it_would_misread() {
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, date: Column, count: Column| {
        let area = Column::new("area".into(), ["3040", "3040"]);
        let mut frame = DataFrame::new_infer_height(vec![date, area, count]).unwrap();
        let path = dir.path().join(name);
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut frame)
            .unwrap();
        path
    };
    let counts = || Column::new("count".into(), [5.0, 7.0]);
    // Dates as whole numbers (20190901 or Excel serials) and counts as true/false.
    let cases = [
        (
            write(
                "intdate.parquet",
                Column::new("date".into(), [20_190_901i64, 20_190_902]),
                counts(),
            ),
            "column `date` is i64",
        ),
        (
            write(
                "bool.parquet",
                Column::new("date".into(), [18_262i32, 18_263])
                    .cast(&DataType::Date)
                    .unwrap(),
                Column::new("count".into(), [true, false]),
            ),
            "column `count` is bool",
        ),
    ];
    for (path, expected) in cases {
        let text = streamed(&scenario, &path, &Selection::default())
            .unwrap_err()
            .to_string();
        assert!(text.contains(expected), "{text}");
    }
}

#[test]
fn synth_writes_a_scenario_that_streams_like_it_reads_in_memory() {
    // 40 areas x 30 days = 1 200 rows, with the scenario that fits them.
    let dir = folder(&[]);
    let out = crate::util::deltid(
        dir.path(),
        &[
            "synth",
            "--areas",
            "40",
            "--days",
            "30",
            "--mean",
            "312000",
            "--output",
            "c.csv",
            "--scenario",
            "s.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    let scenario = Scenario::from_path(dir.path().join("s.toml")).unwrap();
    assert_eq!(scenario.areas().len(), 40);
    let counts = dir.path().join("c.csv");
    let all = Selection::default();
    let summary = streamed(&scenario, &counts, &all).unwrap();
    assert_eq!(summary.region.days, 30);
    // synth meets the region's mean per day exactly.
    assert_close(summary.region.mean.observed, 312_000.0);
    assert_same(&summary, &in_memory(&scenario, &counts, &all));
}

#[test]
fn streaming_takes_iso_dates_only_and_refuses_extra_fields_as_in_memory() {
    // Slash dates: polars would read them day-first without a word.
    let text =
        stream_error("date,area,count\n09/01/2019,3040,1000\n09/02/2019,3040,2000\n").to_string();
    assert!(
        text.contains("line 2, column `date`: cannot parse date \"09/01/2019\""),
        "{text}"
    );
    assert!(text.contains("ISO dates only"), "{text}");

    // `6,506` unquoted is two fields: refused by both paths, not read as 6.
    let bad = "date,area,count\n2019-09-01,3040,6,506\n2019-09-02,3040,7000\n";
    let text = stream_error(bad).to_string();
    assert!(
        text.contains("line 2: 4 fields where the header has 3"),
        "{text}"
    );
    let dir = folder(&[("counts.csv", bad)]);
    let text = Counts::read_csv(dir.path().join("counts.csv"), &CountsColumns::default())
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("line 2: 4 fields where the header has 3"),
        "{text}"
    );

    // A footer line names its line too.
    let text = stream_error("date,area,count\n2019-09-01,3040,5\nTotal 5\n").to_string();
    assert!(text.contains("line 3"), "{text}");
}

#[test]
fn streaming_reads_the_edges_of_its_date_range_and_declared_decimal_points() {
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    let dir = folder(&[(
        "counts.csv",
        "date,area,count\n1900-01-01,3040,1.234\n2199-12-31,3040,7\n",
    )]);
    let path = dir.path().join("counts.csv");
    // 1.234 is ambiguous unless the decimal point is declared.
    let text = streamed(&scenario, &path, &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(text.contains("\"1.234\" is ambiguous"), "{text}");
    let options = CountsOptions {
        numbers: deltid::NumberStyle {
            decimal: Some(deltid::DecimalMark::Point),
            thousands_dot: false,
        },
        ..CountsOptions::default()
    };
    let summary =
        stream::summarise(&scenario, &path, &options, &Selection::default(), &|_| {}).unwrap();
    assert_eq!(summary.region.days, 2);
    // (1.234 + 7) / 2 persons a day.
    assert_close(summary.region.mean.observed, 4.117);
    let counts = Counts::read(&path, &options, Some(scenario.area_resolver())).unwrap();
    let memory = Summary::new(
        &scenario,
        &estimate(&scenario, &counts, &Selection::default()).unwrap(),
    )
    .unwrap();
    assert_same(&summary, &memory);
}

#[test]
fn streaming_knows_parquet_by_its_bytes_and_refuses_spreadsheets() {
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A Parquet file named .pq, with a column named `row` besides.
    let path = dir.path().join("counts.pq");
    let mut frame = DataFrame::new_infer_height(vec![
        Column::new("date".into(), [18_262i32, 18_263])
            .cast(&DataType::Date)
            .unwrap(),
        Column::new("area".into(), ["3040", "3040"]),
        Column::new("count".into(), [5.0, 7.0]),
        Column::new("row".into(), [1u32, 2]),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let summary = streamed(&scenario, &path, &Selection::default()).unwrap();
    assert_close(summary.region.mean.observed, 6.0);

    // A zip file (xlsx, ods) is a spreadsheet, whatever its name.
    let sheet = dir.path().join("counts.csv");
    std::fs::write(&sheet, b"PK\x03\x04rest of a workbook").unwrap();
    let text = streamed(&scenario, &sheet, &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(text.contains("is a spreadsheet"), "{text}");
}

#[test]
fn streaming_checks_foreign_sims_written_as_text() {
    let scenario = Scenario::from_path(data("hallingdal/ssb-2020.toml")).unwrap();
    let options = CountsOptions {
        columns: CountsColumns {
            foreign: Some("foreign".to_owned()),
            ..CountsColumns::default()
        },
        ..CountsOptions::default()
    };
    let dir = folder(&[(
        "counts.csv",
        "date,area,count,foreign\n2020-01-01,3040,5000,1.234\n",
    )]);
    let text = stream::summarise(
        &scenario,
        &dir.path().join("counts.csv"),
        &options,
        &Selection::default(),
        &|_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(
        text.contains("line 2, column `foreign`: \"1.234\" is ambiguous"),
        "{text}"
    );
}

#[test]
fn streaming_refuses_the_regions_own_count_and_leaves_it_to_the_in_memory_path() {
    let toml = "name = \"R\"\nuplift = 0.06\nregion_code = \"3000\"\n[deductions]\n\
                residents = 10\ncommuters = 0\ntransit = 0\nday_visitors = 0\n\
                [[area]]\ncode = \"3040\"\nname = \"Nesbyen\"\n";
    let scenario = Scenario::from_toml_str(toml, Path::new("r.toml")).unwrap();
    let dir = folder(&[("counts.csv", "date,area,count\n2020-01-01,3040,5\n")]);
    let error = streamed(
        &scenario,
        &dir.path().join("counts.csv"),
        &Selection::default(),
    );
    let Err(Error::NotStreamable { reason }) = error else {
        panic!("expected a refusal, got {error:?}");
    };
    assert!(reason.contains("region_code"), "{reason}");
}
