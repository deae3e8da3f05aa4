//! Night counts from hourly counts (issue 16, part 1): the cases of the issue, computed by
//! hand beside each test, the errors, and the synthetic truth recovered.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use deltid::{
    CountsOptions, Error, Line, Location, Measure, Place, Plan, Run, Selection, read_counts,
    read_scenario, synth::Synth,
};

use crate::util::{assert_close, data, deltid, folder, stderr, stdout};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A scenario of Hol and Gol, uplift 0, 2 500 residents each, with `[night]` lines `night`.
fn scenario(night: &str) -> String {
    format!(
        r#"
name = "Two"
uplift = 0
counts = "counts.csv"
[deductions]
commuters = 100
transit = 100
day_visitors = 100
[[area]]
code = "3044"
name = "Hol"
residents = 2500
[[area]]
code = "3041"
name = "Gol"
residents = 2500
{night}
"#
    )
}

/// Counts of a scenario and counts file written into a folder.
fn read(night: &str, counts: &str) -> Result<deltid::Counts, Error> {
    let dir = folder(&[("plan.toml", &scenario(night)), ("counts.csv", counts)]);
    let scenario = read_scenario(dir.path().join("plan.toml"))?;
    read_counts(
        dir.path().join("counts.csv"),
        &CountsOptions::default(),
        &scenario,
    )
}

#[test]
fn the_25_hour_night_keeps_both_0200_counts() {
    // 2024-10-27 in Oslo: the clocks go back at 03:00 summer time. UTC 23:00, 00:00, 01:00,
    // 02:00, 03:00 are local 01, 02 (summer), 02 (winter), 03, 04: five hours in 01:00-05:00.
    let counts = "ts,area,count\n\
        2024-10-26T23:00:00Z,3044,900\n\
        2024-10-27T00:00:00Z,3044,880\n\
        2024-10-27T01:00:00Z,3044,870\n\
        2024-10-27T02:00:00Z,3044,860\n\
        2024-10-27T03:00:00Z,3044,865\n";
    let evening = date(2024, 10, 26);
    for (rule, expected) in [
        ("minimum", 860.0),
        // (900 + 880 + 870 + 860 + 865) / 5 = 4 375 / 5 = 875
        ("mean", 875.0),
        // sorted 860 865 870 880 900: the middle one
        ("median", 870.0),
        // the first 02:00 in time (summer time, UTC 00:00)
        ("hour:02", 880.0),
    ] {
        let read = read(&format!("[night]\nrule = \"{rule}\""), counts).unwrap();
        let nights = read.nights().expect("night counts");
        assert_eq!(nights.hours(0, evening), Some(5), "{rule}");
        assert_eq!(
            read.get(Place::Area(0), evening),
            Some((expected, 0.0)),
            "{rule}"
        );
        assert_eq!(read.len(), 1, "one night of one area");
    }
    // The same instants written as local times with their offsets.
    let local = "ts,area,count\n\
        2024-10-27T01:00:00+02:00,3044,900\n\
        2024-10-27T02:00:00+02:00,3044,880\n\
        2024-10-27T02:00:00+01:00,3044,870\n\
        2024-10-27T03:00:00+01:00,3044,860\n\
        2024-10-27T04:00:00+01:00,3044,865\n";
    let read = read("[night]\nrule = \"mean\"", local).unwrap();
    assert_eq!(read.nights().unwrap().hours(0, evening), Some(5));
    assert_eq!(read.get(Place::Area(0), evening), Some((875.0, 0.0)));
}

#[test]
fn the_23_hour_night_has_three_hours_and_no_error() {
    // 2025-03-30 in Oslo: 02:00 is skipped. UTC 00:00, 01:00, 02:00 are local 01, 03, 04.
    let utc = "ts,area,count\n\
        2025-03-30T00:00:00Z,3044,700\n\
        2025-03-30T01:00:00Z,3044,690\n\
        2025-03-30T02:00:00Z,3044,695\n";
    // The same as naive local times in the scenario's zone (none of them ambiguous).
    let local = "ts,area,count\n\
        2025-03-30 01:00,3044,700\n\
        2025-03-30 03:00,3044,690\n\
        2025-03-30 04:00,3044,695\n";
    let evening = date(2025, 3, 29);
    for counts in [utc, local] {
        for (rule, expected) in [("minimum", 690.0), ("mean", (700.0 + 690.0 + 695.0) / 3.0)] {
            let read = read(&format!("[night]\nrule = \"{rule}\""), counts).unwrap();
            assert_eq!(read.nights().unwrap().hours(0, evening), Some(3));
            assert_eq!(read.get(Place::Area(0), evening), Some((expected, 0.0)));
        }
        assert_close(
            read("[night]\nrule = \"mean\"", counts)
                .unwrap()
                .get(Place::Area(0), evening)
                .unwrap()
                .0,
            695.0,
        );
        // The count at 02:00 does not exist that night: no count for it, no error; the next
        // night has its 02:00.
        let more = format!("{counts}2025-03-31T00:00:00Z,3044,650\n");
        let read = read("[night]\nrule = \"hour:02\"", &more).unwrap();
        assert_eq!(read.get(Place::Area(0), evening), None);
        assert_eq!(
            read.get(Place::Area(0), date(2025, 3, 30)),
            Some((650.0, 0.0))
        );
    }
}

#[test]
fn a_count_at_0300_on_1_february_belongs_to_31_january() {
    let dir = folder(&[
        ("plan.toml", &scenario("")),
        ("counts.csv", "ts,area,count\n2024-02-01 03:00,3044,500\n"),
    ]);
    let run = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    let estimate = run.estimate();
    assert_eq!(estimate.plan().measure(), Measure::Night);
    let nights: Vec<(NaiveDate, f64)> = estimate
        .area_days(0)
        .map(|(d, lines)| (d, lines[Line::Observed]))
        .collect();
    assert_eq!(nights, vec![(date(2024, 1, 31), 500.0)]);
    // January's total: 500 − 2 500 residents; February has none.
    let january: f64 = estimate
        .area_days(0)
        .filter(|(d, _)| d.month0() == 0)
        .map(|(_, l)| l[Line::PartTime])
        .sum();
    assert_close(january, -2_000.0);
}

/// Hol by day 5 000 and by night 3 000; Gol by day 2 000 and by night 4 000.
const HOL_GOL: &str = "ts,area,count\n\
    2024-06-01 12:00,3044,5000\n\
    2024-06-01 12:00,3041,2000\n\
    2024-06-02 03:00,3044,3000\n\
    2024-06-02 03:00,3041,4000\n";

#[test]
fn night_counts_put_the_guests_where_they_sleep() {
    let dir = folder(&[("plan.toml", &scenario("")), ("counts.csv", HOL_GOL)]);
    let run = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    let summary = run.summary();
    assert_eq!(summary.measure(), Measure::Night);
    let per_day = |i: usize| summary.areas()[i].mean()[Line::PartTime];
    // Uplift 0: 3 000 − 2 500 = 500 in Hol, 4 000 − 2 500 = 1 500 in Gol; the commuters,
    // transit and day visitors of the scenario (100 each) are not deducted at night.
    assert_close(per_day(0), 500.0);
    assert_close(per_day(1), 1_500.0);
    assert_close(summary.region().mean()[Line::PartTime], 2_000.0);
    for deduction in [Line::Commuters, Line::Transit, Line::DayVisitors] {
        assert_eq!(summary.region().mean()[deduction], 0.0);
    }
    // The daytime excess, reported and never deducted: 5 000 − 3 000 and 2 000 − 4 000.
    let night = summary.night().expect("night summary");
    let excess: Vec<Option<f64>> = night.areas.iter().map(|a| a.2.mean_excess()).collect();
    assert_eq!(excess, vec![Some(2_000.0), Some(-2_000.0)]);
    assert_eq!(night.region_excess, Some(0.0));

    // The day method on the day counts puts them in Hol: the region's 300 of commuters,
    // transit and day visitors shared by present persons (5/7 and 2/7):
    // 5 000 − 2 500 − 300 × 5/7 and 2 000 − 2 500 − 300 × 2/7.
    let day = folder(&[
        ("plan.toml", &scenario("")),
        (
            "counts.csv",
            "date,area,count\n2024-06-01,3044,5000\n2024-06-01,3041,2000\n",
        ),
    ]);
    let run = Run::new(
        &day.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    assert_eq!(run.summary().measure(), Measure::Day);
    let day = run.summary();
    assert_close(
        day.areas()[0].mean()[Line::PartTime],
        2_500.0 - 300.0 * 5.0 / 7.0,
    );
    assert_close(
        day.areas()[1].mean()[Line::PartTime],
        -500.0 - 300.0 * 2.0 / 7.0,
    );
    // 7 000 − 5 000 − 300: the region's 2 000 less what the day method deducts besides.
    assert_close(day.region().mean()[Line::PartTime], 1_700.0);
}

#[test]
fn one_plan_two_measures() {
    // The same daily counts by the plan for days and for nights: only the deductions differ.
    let dir = folder(&[
        ("plan.toml", &scenario("")),
        ("counts.csv", "date,area,count\n2024-06-01,3044,3000\n"),
    ]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let counts = read_counts(
        dir.path().join("counts.csv"),
        &CountsOptions::default(),
        &scenario,
    )
    .unwrap();
    let selection = Selection::default();
    let day = Plan::for_measure(&scenario, &selection, Measure::Day).unwrap();
    let night = Plan::for_measure(&scenario, &selection, Measure::Night).unwrap();
    let part_time = |plan: &Plan| {
        plan.estimate(&counts)
            .unwrap()
            .area_day(0, date(2024, 6, 1))
            .unwrap()[Line::PartTime]
    };
    // 3 000 − 2 500 − 3 × 100 by day; 3 000 − 2 500 at night.
    assert_close(part_time(&day), 200.0);
    assert_close(part_time(&night), 500.0);
    // A scenario with [night] compiles for nights.
    let declared = read_scenario_text(&scenario_text_with_night(), dir.path());
    assert_eq!(
        Plan::new(&declared, &selection).unwrap().measure(),
        Measure::Night
    );
    // Night counts and a plan for days: refused, not day numbers.
    let hourly = read("", HOL_GOL).unwrap();
    let err = day.estimate(&hourly).unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    // The SQL query of the plan for nights reads hourly counts and deducts only residents
    // (tests/sql.rs runs it); of the plan for days, daily counts.
    let sql = |plan: &Plan| {
        deltid::sql::to_sql(
            plan,
            deltid::sql::Dialect::DuckDb,
            &deltid::sql::SqlOptions::default(),
        )
        .unwrap()
    };
    assert!(sql(&night).contains("(ts, area, count: hourly or time-point counts)"));
    assert!(sql(&day).contains("(date, area, count: one row per area and day)"));
}

fn scenario_text_with_night() -> String {
    scenario("[night]\nwindow = \"00:00-06:00\"")
}

fn read_scenario_text(text: &str, dir: &Path) -> deltid::Scenario {
    deltid::scenario_from_toml(text, &dir.join("night.toml")).unwrap()
}

#[test]
fn bad_and_ambiguous_times_name_file_line_column_and_value() {
    // 02:30 on 2024-10-27 happens twice in Oslo; without an offset it is refused.
    let err = read(
        "",
        "ts,area,count\n2024-10-27 01:00,3044,900\n2024-10-27 02:30,3044,880\n",
    )
    .unwrap_err();
    match &err {
        Error::LocalTime {
            path,
            at,
            column,
            value,
            zone,
            ambiguous,
            offsets,
        } => {
            assert!(path.ends_with("counts.csv"));
            assert_eq!(*at, Location::Line(3));
            assert_eq!(column, "ts");
            assert_eq!(value, "2024-10-27 02:30");
            assert_eq!(zone, "Europe/Oslo");
            assert!(*ambiguous);
            // First in summer time (UTC+2, 00:30 UTC), then in winter time (UTC+1, 01:30 UTC).
            assert_eq!(
                offsets,
                &["2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00"]
            );
        }
        other => panic!("expected LocalTime, got {other}"),
    }
    let message = err.to_string();
    assert!(
        message.ends_with("counts.csv: line 3, column `ts`: the local time \"2024-10-27 02:30\" occurs twice in Europe/Oslo (the clocks go back that night): write it with its offset, 2024-10-27T02:30:00+02:00 (the first) or 2024-10-27T02:30:00+01:00 (the second)"),
        "{message}"
    );
    // 02:30 on 2025-03-30 never happens in Oslo: the clocks went from UTC+1 to UTC+2, and no
    // offset is offered as if it did exist.
    let err = read("", "ts,area,count\n2025-03-30 02:30,3044,880\n").unwrap_err();
    assert!(
        matches!(
            &err,
            Error::LocalTime {
                ambiguous: false,
                at: Location::Line(2),
                offsets,
                ..
            } if offsets == &["+01:00", "+02:00"]
        ),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("line 2, column `ts`: the local time \"2025-03-30 02:30\" does not exist in Europe/Oslo: the clocks went forward that night (from UTC+01:00 to UTC+02:00), so no count is at that time; check the times, or write the instant meant with its offset (RFC 3339)"),
        "{err}"
    );
    // Another zone, its own dates and offsets: New York went back on 2024-11-03 at 02:00 EDT
    // (01:30 occurs at UTC−4, then at UTC−5) and forward on 2024-03-10 at 02:00 EST.
    let in_new_york = |counts: &str| {
        let dir = folder(&[
            (
                "plan.toml",
                &format!("time_zone = \"America/New_York\"\n{}", scenario("")),
            ),
            ("counts.csv", counts),
        ]);
        let plan = read_scenario(dir.path().join("plan.toml")).unwrap();
        read_counts(
            dir.path().join("counts.csv"),
            &CountsOptions::default(),
            &plan,
        )
        .unwrap_err()
    };
    let err = in_new_york("ts,area,count\n2024-11-03 01:30,3044,1\n");
    assert!(
        err.to_string().ends_with("occurs twice in America/New_York (the clocks go back that night): write it with its offset, 2024-11-03T01:30:00-04:00 (the first) or 2024-11-03T01:30:00-05:00 (the second)"),
        "{err}"
    );
    let err = in_new_york("ts,area,count\n2024-03-10T02:15:00,3044,1\n");
    assert!(
        err.to_string().contains("does not exist in America/New_York: the clocks went forward that night (from UTC-05:00 to UTC-04:00)"),
        "{err}"
    );
    // Not a timestamp at all, in a column named by its Norwegian name.
    let err = read(
        "",
        "tidspunkt,area,count\n2024-06-01 03:00,3044,1\n01.06.2024 kl 3,3044,2\n",
    )
    .unwrap_err();
    match &err {
        Error::ParseTime {
            at, column, value, ..
        } => {
            assert_eq!(*at, Location::Line(3));
            assert_eq!(column, "tidspunkt");
            assert_eq!(value, "01.06.2024 kl 3");
        }
        other => panic!("expected ParseTime, got {other}"),
    }
    // A second count of one area at one instant (two spellings of it, a row between): both
    // lines, the column, the instant as read (03:00 summer time is 01:00 UTC) and both counts.
    let err = read(
        "",
        "ts,area,count\n2024-06-01T01:00:00Z,3044,1\n2024-06-01T01:00:00Z,3041,7\n\
         2024-06-01T03:00:00+02:00,3044,2.5\n",
    )
    .unwrap_err();
    match &err {
        Error::SameInstant {
            path,
            at,
            first,
            column,
            value,
            area,
            instant,
            local,
            zone,
            counts,
        } => {
            assert!(path.ends_with("counts.csv"));
            assert_eq!((at, first), (&Location::Line(4), &Location::Line(2)));
            assert_eq!(column, "ts");
            assert_eq!(value, "2024-06-01T03:00:00");
            assert_eq!(area, "3044");
            assert_eq!(instant, "2024-06-01T01:00:00+00:00");
            assert_eq!(
                (local.as_str(), zone.as_str()),
                ("2024-06-01 03:00:00", "Europe/Oslo")
            );
            assert_eq!(counts, "1 and 2.5");
        }
        other => panic!("expected SameInstant, got {other}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 4, column `ts`: a second count of area 3044 at 2024-06-01 03:00:00 local time (Europe/Oslo), 2024-06-01T01:00:00+00:00 (UTC); the first is at line 2 (1 and 2.5 persons)",
            err.path().unwrap().display()
        )
    );
    // Read in chunks of a few bytes on two threads, the lines are the same.
    let counts = "ts,area,count\n2024-06-01T00:00:00Z,3041,5\n2024-06-01T01:00:00Z,3044,1\n\
        2024-06-01T01:00:00Z,3041,7\n2024-06-01T02:00:00Z,3041,8\n\
        2024-06-01T03:00:00+02:00,3044,2.5\n2024-06-01T04:00:00+02:00,3044,3\n";
    let dir = folder(&[("plan.toml", &scenario("")), ("counts.csv", counts)]);
    let plan = read_scenario(dir.path().join("plan.toml")).unwrap();
    for (bytes, threads) in [(7, 2), (40, 1), (1 << 20, 2)] {
        let reading = deltid::read_counts_in_chunks(
            &dir.path().join("counts.csv"),
            &CountsOptions::default(),
            &plan,
            bytes,
            threads,
        )
        .unwrap();
        assert_eq!(reading.problems().len(), 1, "{bytes} bytes");
        let err = &reading.problems()[0];
        assert!(
            matches!(
                &err,
                Error::SameInstant {
                    at: Location::Line(6),
                    first: Location::Line(3),
                    ..
                }
            ),
            "{bytes} bytes: {err}"
        );
    }
    // A zone the database does not know.
    let dir = folder(&[(
        "plan.toml",
        &format!("time_zone = \"Europe/Olso\"\n{}", scenario("")),
    )]);
    let err = read_scenario(dir.path().join("plan.toml")).unwrap_err();
    assert_eq!(err.column(), Some("time_zone"), "{err}");
    // A rule the reader does not know.
    let dir = folder(&[("plan.toml", &scenario("[night]\nrule = \"hour:24\""))]);
    let err = read_scenario(dir.path().join("plan.toml")).unwrap_err();
    assert_eq!(err.column(), Some("night.rule"), "{err}");
}

#[test]
fn the_synthetic_truth_is_recovered() {
    // Two weeks over the autumn change of clocks: every night's estimate is the guests the
    // generator put to bed there.
    let synth = Synth::hallingdal(date(2024, 10, 20), 14, 16, 0.0);
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("hourly.csv");
    synth
        .write_hourly_csv(std::fs::File::create(&counts).unwrap())
        .unwrap();
    std::fs::write(
        dir.path().join("plan.toml"),
        synth.hourly_scenario_toml(Some("hourly.csv")),
    )
    .unwrap();
    let run = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    let truth = synth.night_truth().unwrap();
    assert_eq!(truth.len(), 14 * 6);
    let mut total = 0.0;
    for (evening, area, guests) in &truth {
        let lines = run.estimate().area_day(*area, *evening).unwrap();
        assert_close(lines[Line::PartTime], *guests as f64);
        total += *guests as f64;
    }
    assert!(total > 0.0);
    // The night of the 26th has 25 hours: 5 counts in 01:00-05:00.
    let nights = run.estimate().counts().nights().unwrap();
    assert_eq!(nights.hours(0, date(2024, 10, 26)), Some(5));
    assert_eq!(nights.hours(0, date(2024, 10, 25)), Some(4));
    // Day visitors only by day: a positive daytime excess in every area.
    for (_, _, stats) in &run.summary().night().unwrap().areas {
        assert!(stats.mean_excess().unwrap() > 0.0);
    }
}

#[test]
fn the_cli_prints_the_plans_table_for_nights() {
    let scenario = data("hourly/scenario.toml");
    let dir = tempfile::tempdir().unwrap();
    for (lang, words) in [
        (
            "en",
            ["night counts", "guest-nights, mean per night", "minimum"],
        ),
        (
            "nn",
            ["netteljingar", "Gjestedøgn snitt pr. natt", "minimum"],
        ),
        (
            "nb",
            ["nattellinger", "Gjestedøgn snitt pr. natt", "minimum"],
        ),
    ] {
        let out = deltid(
            dir.path(),
            &[
                "estimate",
                "--scenario",
                scenario.to_str().unwrap(),
                "--lang",
                lang,
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        for word in words {
            assert!(text.contains(word), "{lang}: {word} not in\n{text}");
        }
        assert!(text.contains("01:00-05:00"), "{text}");
        // Commuters, transit and day visitors are not lines of the table at night.
        assert!(!text.contains("commuters in"), "{text}");
        // The run record names the plan for nights and the hourly rows read (3 036).
        assert!(text.contains("nights: plan for nights"), "{text}");
        assert!(text.contains("3036 counts read"), "{text}");
    }
}

#[test]
fn every_path_to_the_nights_agrees() {
    // The shipped hourly counts read whole, in small chunks on several threads, and as a
    // spreadsheet's text cells; and their nights written out per evening date and read back by
    // a scenario with [night]: one estimate.
    let scenario = read_scenario(data("hourly/scenario.toml")).unwrap();
    let path = data("hourly/counts.csv");
    let whole = read_counts(&path, &CountsOptions::default(), &scenario).unwrap();
    let chunked = deltid::read_counts_in_chunks(&path, &CountsOptions::default(), &scenario, 97, 3)
        .unwrap()
        .into_counts()
        .unwrap();
    let nights = |c: &deltid::Counts| c.nights().unwrap().counts().to_vec();
    assert_eq!(nights(&whole), nights(&chunked));
    assert_eq!(whole.len(), 21 * 6);

    // The nights as daily rows (evening date, area, count).
    let dir = tempfile::tempdir().unwrap();
    let mut daily = String::from("date,area,count\n");
    for night in whole.nights().unwrap().counts() {
        daily.push_str(&format!(
            "{},{},{}\n",
            deltid::Nights::evening(night),
            scenario.areas()[night.key].code,
            night.persons
        ));
    }
    let daily_path = dir.path().join("nights.csv");
    std::fs::write(&daily_path, daily).unwrap();
    let from_daily = read_counts(&daily_path, &CountsOptions::default(), &scenario).unwrap();
    assert_eq!(from_daily.measure(), Measure::Day, "no hourly rows");

    // The same counts as a workbook with the timestamps as text.
    let book = dir.path().join("hourly.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let text = std::fs::read_to_string(&path).unwrap();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            match (r, c, cell.parse::<f64>()) {
                (r, 2, Ok(n)) if r > 0 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
            };
        }
    }
    workbook.save(&book).unwrap();
    let from_sheet = read_counts(&book, &CountsOptions::default(), &scenario).unwrap();
    assert_eq!(nights(&whole), nights(&from_sheet));

    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    assert_eq!(
        plan.measure(),
        Measure::Night,
        "the scenario declares [night]"
    );
    let summaries: Vec<deltid::Summary> = [&whole, &chunked, &from_daily, &from_sheet]
        .iter()
        .map(|c| plan.estimate(c).unwrap().summary())
        .collect();
    for other in &summaries[1..] {
        for line in Line::ALL {
            assert_close(
                other.region().mean()[line],
                summaries[0].region().mean()[line],
            );
            for (a, b) in other.areas().iter().zip(summaries[0].areas()) {
                assert_close(a.mean()[line], b.mean()[line]);
            }
        }
    }
}

/// Writes the CSV `csv` (ts, area, count) as Parquet at `parquet`, the `ts` column as the SQL
/// expression `ts` of the text column `t` (DuckDB writes `TIMESTAMPTZ` as a timestamp adjusted
/// to UTC, `TIMESTAMP` as one that is not).
fn duckdb_parquet(csv: &Path, parquet: &Path, ts: &str) {
    let script = format!(
        "import duckdb, sys\ncon = duckdb.connect()\ncon.execute(\"SET TimeZone = 'UTC'\")\n\
         con.execute(\"COPY (SELECT {ts} AS ts, area, count FROM read_csv(?, header = true, \
         columns = {{'t': 'VARCHAR', 'area': 'VARCHAR', 'count': 'DOUBLE'}})) TO '{}' (FORMAT parquet)\", \
         [sys.argv[1]])\n",
        parquet.display()
    );
    crate::util::python_duckdb(&script, &[csv]);
}

#[test]
fn hourly_counts_in_parquet_are_read_as_in_csv() {
    // The shipped hourly counts (with offsets) as Parquet: timestamps adjusted to UTC, and the
    // same text; both give the nights of the CSV file, 21 × 6.
    let scenario = read_scenario(data("hourly/scenario.toml")).unwrap();
    let csv = data("hourly/counts.csv");
    let from_csv = read_counts(&csv, &CountsOptions::default(), &scenario).unwrap();
    let nights = |c: &deltid::Counts| c.nights().unwrap().counts().to_vec();
    let dir = tempfile::tempdir().unwrap();
    for (name, ts) in [
        ("utc.parquet", "CAST(t AS TIMESTAMPTZ)"),
        ("text.parquet", "t"),
    ] {
        let parquet = dir.path().join(name);
        duckdb_parquet(&csv, &parquet, ts);
        let counts = read_counts(&parquet, &CountsOptions::default(), &scenario)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(nights(&counts), nights(&from_csv), "{name}");
        assert_eq!(counts.nights().unwrap().rows(), 3036, "{name}");
    }

    // Local times (a timestamp not adjusted to UTC) are in the scenario's zone, as a CSV cell
    // without an offset: the 25-hour night's two 02:00 counts cannot be told apart, and the
    // two (rows 2 and 3) are refused with their row, column and value.
    let issue = dir.path().join("issue.csv");
    std::fs::write(
        &issue,
        "t,area,count\n2024-10-26T23:00:00Z,3044,900\n2024-10-27T00:00:00Z,3044,880\n\
         2024-10-27T01:00:00Z,3044,870\n2024-10-27T02:00:00Z,3044,860\n\
         2024-10-27T03:00:00Z,3044,865\n",
    )
    .unwrap();
    let two = scenario_dir();
    let scenario = read_scenario(two.path().join("plan.toml")).unwrap();
    let local = dir.path().join("local.parquet");
    duckdb_parquet(
        &issue,
        &local,
        "timezone('Europe/Oslo', CAST(t AS TIMESTAMPTZ))",
    );
    let err = read_counts(&local, &CountsOptions::default(), &scenario).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("2024-10-27T02:00:00"), "{text}");
    assert!(text.contains("row 2") && text.contains("row 3"), "{text}");
    let Error::Many { errors, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors.len(), 2);
    assert!(errors.iter().all(|e| matches!(
        e,
        Error::LocalTime { ambiguous: true, column, .. } if column == "ts"
    )));
    // Adjusted to UTC, the five hours are read: minimum 860, 5 hours (the issue's case).
    let utc = dir.path().join("issue.parquet");
    duckdb_parquet(&issue, &utc, "CAST(t AS TIMESTAMPTZ)");
    let counts = read_counts(&utc, &CountsOptions::default(), &scenario).unwrap();
    let night = counts.nights().unwrap().counts()[0];
    assert_eq!((night.persons, night.hours), (860.0, 5));
    assert_eq!(deltid::Nights::evening(&night), date(2024, 10, 26));
}

/// A folder with the two-area scenario for nights (`plan.toml`).
fn scenario_dir() -> tempfile::TempDir {
    folder(&[("plan.toml", &scenario("[night]\nrule = \"minimum\"\n"))])
}

/// Night counts given per night (evening date) for Hol and Gol, uplift 0.1, with `[night]`
/// lines `night`.
fn baseline_dir(night: &str) -> tempfile::TempDir {
    let counts = "date,area,count\n\
        2024-06-03,3044,2000\n2024-06-04,3044,2200\n2024-06-05,3044,2100\n2024-06-10,3044,3000\n\
        2024-06-03,3041,1000\n2024-06-04,3041,1100\n2024-06-10,3041,1500\n";
    let text = scenario(&format!("[night]\n{night}")).replace("uplift = 0", "uplift = 0.1");
    folder(&[("plan.toml", &text), ("counts.csv", counts)])
}

#[test]
fn residents_at_home_from_a_baseline_of_quiet_nights() {
    // Present persons = count × 1.1. Hol's reference nights 3, 4, 5 June: 2 200, 2 420,
    // 2 310, median 2 310; Gol's (5 June not counted): 1 100, 1 210, median 1 155 from 2
    // nights. On 10 June: Hol 3 300 − 2 310 = 990, Gol 1 650 − 1 155 = 495 guest-nights
    // (with the registered 2 500: 800 and −850).
    let dir = baseline_dir(
        "residents = \"baseline\"\nreference = [\"2024-06-03\", \"2024-06-04\", \"2024-06-05\"]",
    );
    let run = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    let baseline = run.summary().residents_baseline().unwrap();
    assert_eq!(baseline.reference.len(), 3);
    let figures: Vec<(&str, f64, u32, Option<f64>)> = baseline
        .areas
        .iter()
        .map(|(code, _, f)| (code.as_str(), f.persons, f.nights, f.registered))
        .collect();
    assert_eq!(figures.len(), 2);
    assert_eq!(figures[0].0, "3044");
    assert_close(figures[0].1, 2310.0);
    assert_eq!((figures[0].2, figures[0].3), (3, Some(2500.0)));
    assert_eq!(figures[1].0, "3041");
    assert_close(figures[1].1, 1155.0);
    assert_eq!((figures[1].2, figures[1].3), (2, Some(2500.0)));
    let june10 = date(2024, 6, 10);
    let hol = run.estimate().area_day(0, june10).unwrap();
    assert_close(hol[Line::Residents], 2310.0);
    assert_close(hol[Line::PartTime], 990.0);
    assert_close(
        run.estimate().area_day(1, june10).unwrap()[Line::PartTime],
        495.0,
    );
    // Commuters, transit and day visitors are still not deducted.
    assert_eq!(
        hol[Line::Commuters] + hol[Line::Transit] + hol[Line::DayVisitors],
        0.0
    );
    // The registered figure, for comparison: 3 300 − 2 500 = 800.
    let registered = baseline_dir("");
    let run_registered = Run::new(
        &registered.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    assert!(run_registered.summary().residents_baseline().is_none());
    assert_close(
        run_registered.estimate().area_day(0, june10).unwrap()[Line::PartTime],
        800.0,
    );

    // What a user sees: the text (en, nn), the JSON and the run record show the baseline
    // beside the registered figure.
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("minus residents at home (baseline of quiet nights)"),
        "{text}"
    );
    assert!(
        text.contains(
            "- Hol: 2 310 residents at home (from 3 reference nights counted); registered 2 500"
        ),
        "{text}"
    );
    // The run record names the figures deducted as the baseline's.
    assert!(
        text.contains(
            "- residents: per area: 2310, 1155 (at night: the baseline of the reference nights, see nights)"
        ),
        "{text}"
    );
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--lang", "nn"],
    );
    assert!(
        stdout(&out).contains(
            "- Gol: 1 155 innbyggjarar heime (frå 2 referansenetter med teljing); registrerte 2 500"
        ),
        "{}",
        stdout(&out)
    );
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "plan.toml", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let areas = &json["summary"]["residents_baseline"]["areas"];
    assert_eq!(
        areas[0][2]["persons"].as_f64().map(f64::round),
        Some(2310.0),
        "{json}"
    );
    assert_eq!(areas[0][2]["registered"].as_f64(), Some(2500.0));
    let nights = json["run"]["methods"]["nights"]
        .as_str()
        .unwrap_or_default();
    assert!(
        nights.contains("3044 2310.0 against 2500 registered"),
        "{json}"
    );
    // The SQL export takes the baseline from the counts, not the registered figure (run in
    // DuckDB by tests/sql.rs).
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let plan = Plan::new(&scenario, &Selection::default()).unwrap();
    let sql = deltid::sql::to_sql(
        &plan,
        deltid::sql::Dialect::DuckDb,
        &deltid::sql::SqlOptions::default(),
    )
    .unwrap();
    assert!(sql.contains("\"baseline\" AS ("), "{sql}");
    assert!(!sql.contains("2500"), "{sql}");
}

#[test]
fn a_baseline_needs_counted_reference_nights() {
    // No count on 1 January 2023: refused, naming the area, the nights and the file.
    let dir = baseline_dir("residents = \"baseline\"\nreference = \"2023-01-01..2023-01-02\"");
    let err = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(
        matches!(&err, Error::InvalidScenario { key, .. } if key == "night.reference"),
        "{err:?}"
    );
    assert!(
        text.contains("Hol (3044)") && text.contains("2023-01-01, 2023-01-02"),
        "{text}"
    );
    assert!(text.contains("counts.csv"), "{text}");
    // The scenario's own mistakes.
    for (night, key, words) in [
        (
            "residents = \"baseline\"",
            "night.residents",
            "reference nights",
        ),
        (
            "reference = [\"2024-06-03\"]",
            "night.reference",
            "residents = \"baseline\"",
        ),
        ("residents = \"census\"", "night.residents", "\"census\""),
        (
            "residents = \"baseline\"\nreference = \"2024-06-05..2024-06-03\"",
            "night.reference",
            "ends before",
        ),
        (
            "residents = \"baseline\"\nreference = [\"3 June\"]",
            "night.reference",
            "yyyy-mm-dd",
        ),
    ] {
        let dir = baseline_dir(night);
        let err = read_scenario(dir.path().join("plan.toml")).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidScenario { key: k, .. } if k == key),
            "{night}: {err:?}"
        );
        assert!(err.to_string().contains(words), "{night}: {err}");
    }
}

#[test]
fn the_daytime_excess_is_one_figure_in_present_persons_everywhere() {
    // Uplift 0.1, the two days of the planners' view below. Counts: Hol 5 000 − 3 000 and
    // 6 000 − 3 500, mean 2 250; Gol 2 000 − 4 000 and 2 500 − 3 000, mean −1 250. In present
    // persons (× 1.1): Hol 2 475, Gol −1 375, the region 1 100. The planners' view: 1 June
    // 7 700 − 7 700 = 0, 2 June 9 350 − 7 150 = 2 200; their mean is the region's 1 100.
    let counts = format!(
        "{HOL_GOL}2024-06-02 12:00,3044,6000\n2024-06-02 12:00,3041,2500\n\
         2024-06-03 03:00,3044,3500\n2024-06-03 03:00,3041,3000\n"
    );
    let text = scenario("").replace("uplift = 0", "uplift = 0.1");
    let dir = folder(&[("plan.toml", &text), ("counts.csv", &counts)]);
    let run = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    let night = run.summary().night().expect("night summary");
    let excess: Vec<f64> = night
        .areas
        .iter()
        .filter_map(|a| a.2.mean_excess())
        .collect();
    assert_close(excess[0], 2_475.0);
    assert_close(excess[1], -1_375.0);
    assert_close(night.region_excess.unwrap(), 1_100.0);
    let view = run
        .population(&deltid::analysis::PopulationOptions::default())
        .unwrap();
    let days: Vec<f64> = view.day_peaks.iter().filter_map(|d| d.excess).collect();
    assert_eq!(days.len(), 2);
    assert_close(days[0], 2_200.0);
    assert_close(days[1], 0.0);
    assert_close((days[0] + days[1]) / 2.0, night.region_excess.unwrap());
}

#[test]
fn the_planners_view_of_night_counts_has_day_and_night_peaks() {
    // Uplift 0. 1 June: Hol 5 000 and Gol 2 000 at 12:00 (day peak 7 000), then the night:
    // 3 000 and 4 000 at 03:00 (7 000). 2 June: Hol 6 000 and Gol 2 500 by day (8 500), and
    // the night 3 500 + 3 000 = 6 500. Busiest nights: 1 June (7 000), 2 June (6 500);
    // busiest days by day peak: 2 June (8 500, excess 8 500 − 6 500 = 2 000), 1 June (7 000,
    // excess 0).
    let counts = format!(
        "{HOL_GOL}2024-06-02 12:00,3044,6000\n2024-06-02 12:00,3041,2500\n\
         2024-06-03 03:00,3044,3500\n2024-06-03 03:00,3041,3000\n"
    );
    let dir = folder(&[("plan.toml", &scenario("")), ("counts.csv", &counts)]);
    let run = Run::new(
        &dir.path().join("plan.toml"),
        None,
        &CountsOptions::default(),
        &Selection::default(),
    )
    .unwrap();
    let view = run
        .population(&deltid::analysis::PopulationOptions::default())
        .unwrap();
    assert_eq!(view.measure, Measure::Night);
    let nights: Vec<(NaiveDate, f64)> = view
        .region
        .peaks
        .iter()
        .map(|d| (d.date, d.present))
        .collect();
    assert_eq!(
        nights,
        [(date(2024, 6, 1), 7000.0), (date(2024, 6, 2), 6500.0)]
    );
    let days: Vec<(NaiveDate, f64, Option<f64>, Option<f64>)> = view
        .day_peaks
        .iter()
        .map(|d| (d.date, d.day, d.night, d.excess))
        .collect();
    assert_eq!(
        days,
        [
            (date(2024, 6, 2), 8500.0, Some(6500.0), Some(2000.0)),
            (date(2024, 6, 1), 7000.0, Some(7000.0), Some(0.0)),
        ]
    );
    // What planners read: nights, not days, where the figures are per night (en, nn, nb).
    for (lang, nights_word, busiest_days, day_word) in [
        (
            "en",
            "Busiest nights",
            "Busiest days by day peak",
            "per day",
        ),
        (
            "nn",
            "Travlaste netter",
            "Travlaste dagar etter dagstopp",
            "per dag",
        ),
        (
            "nb",
            "Travleste netter",
            "Travleste dager etter dagstopp",
            "per dag",
        ),
    ] {
        let out = deltid(
            dir.path(),
            &["population", "--scenario", "plan.toml", "--lang", lang],
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(text.contains(nights_word), "{lang}: {text}");
        assert!(text.contains(busiest_days), "{lang}: {text}");
        // The run record after the view repeats the scenario's figures (per day) as given.
        let view_text = text.split("\n- deltid: ").next().unwrap_or_default();
        assert!(!view_text.contains(day_word), "{lang}: {view_text}");
        assert!(
            text.contains(" 8 500 ") && text.contains(" 2 000 "),
            "{lang}: {text}"
        );
    }
}

#[test]
fn validate_speaks_of_nights_for_night_counts() {
    // The shipped hourly counts: 21 nights, findings about nights ("outlier on the night of
    // …, against … on the counted night before"), no "day" anywhere in the report.
    let dir = tempfile::tempdir().unwrap();
    let scenario = data("hourly/scenario.toml");
    let out = deltid(
        dir.path(),
        &["validate", "--scenario", scenario.to_str().unwrap()],
    );
    let text = stdout(&out);
    assert!(
        text.contains("6 areas, counts from 2024-10-14 to 2024-11-03 (21 nights, each night labelled by its evening date)"),
        "{text}"
    );
    assert!(text.contains("missing nights"), "{text}");
    assert!(text.contains("on the counted night before"), "{text}");
    assert!(!text.contains("day"), "{text}");
}

#[test]
fn the_report_has_a_nights_section() {
    // data/hourly: the nights section says what was counted (rule, window, zone), the hours
    // present and the daytime excess per area, and the busiest days by day peak; the figures
    // elsewhere are per night (en, nn).
    let dir = tempfile::tempdir().unwrap();
    let scenario = data("hourly/scenario.toml");
    for (lang, words) in [
        (
            "en",
            [
                "<h2>Nights</h2>",
                "night count: the minimum of the counts from 01:00-05:00 local time (Europe/Oslo)",
                "Hol: 21 nights counted, 4 to 5 hours present (mean 4.05); daytime excess 658 persons per day",
                "Busiest days by day peak",
                "guest-nights per night (mean)",
                "The plan&#39;s table, whole persons per night",
            ],
        ),
        (
            "nn",
            [
                "<h2>Netter</h2>",
                "netteljing: minimum av teljingane frå 01:00-05:00 lokal tid (Europe/Oslo)",
                "Hol: 21 netter talde, 4 til 5 timar med teljing (snitt 4,05); dagsoverskot 658 personar per dag",
                "Travlaste dagar etter dagstopp",
                "gjestedøgn per natt (snitt)",
                "heile personar per natt",
            ],
        ),
    ] {
        let html = dir.path().join(format!("report-{lang}.html"));
        let out = deltid(
            dir.path(),
            &[
                "report",
                "--scenario",
                scenario.to_str().unwrap(),
                "--lang",
                lang,
                "--output",
                html.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = std::fs::read_to_string(&html).unwrap();
        for word in words {
            assert!(text.contains(word), "{lang}: {word:?} not in the report");
        }
        // The day peaks' first row: 2024-10-19, 33 870 by day, 30 792 the night after.
        assert!(text.contains("<td>2024-10-19</td>"), "{lang}");
        assert!(text.contains("33 870") && text.contains("3 078"), "{lang}");
    }
}

/// An .xlsx of hourly counts: a `Tidspunkt` column of date-time cells (`dd.mm.yyyy hh:mm`),
/// area codes and counts, written as a user's spreadsheet program would.
fn hourly_xlsx(path: &Path, rows: &[(&str, &str, f64)]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let format = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    for (c, name) in ["Tidspunkt", "area", "count"].iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    for (i, (time, area, count)) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        let cell = ExcelDateTime::parse_from_str(time).expect("a date and time");
        sheet.write_with_format(row, 0, &cell, &format).unwrap();
        sheet.write(row, 1, *area).unwrap();
        sheet.write(row, 2, *count).unwrap();
    }
    workbook.save(path).unwrap();
}

#[test]
fn date_time_cells_in_a_spreadsheet_are_local_times_in_the_zone() {
    let dir = folder(&[("plan.toml", &scenario("[night]\nrule = \"minimum\""))]);
    let scenario = read_scenario(dir.path().join("plan.toml")).unwrap();
    let xlsx = dir.path().join("hourly.xlsx");
    // The night of 2024-03-01 (winter time): local 00:00 (before the window, read, not used),
    // 01:00 900, 03:00 870, 04:00 880: three hours, minimum 870. The 23-hour night of
    // 2025-03-29 as the issue has it: local 01:00 700, 03:00 690, 04:00 695 (02:00 skipped):
    // three hours, minimum 690.
    hourly_xlsx(
        &xlsx,
        &[
            ("2024-03-02 00:00:00", "3044", 990.0),
            ("2024-03-02 01:00:00", "3044", 900.0),
            ("2024-03-02 03:00:00", "3044", 870.0),
            ("2024-03-02 04:00:00", "3044", 880.0),
            ("2025-03-30 01:00:00", "3044", 700.0),
            ("2025-03-30 03:00:00", "3044", 690.0),
            ("2025-03-30 04:00:00", "3044", 695.0),
        ],
    );
    let counts = read_counts(&xlsx, &CountsOptions::default(), &scenario).unwrap();
    let nights = counts.nights().expect("night counts");
    assert_eq!(nights.hours(0, date(2024, 3, 1)), Some(3));
    assert_eq!(
        counts.get(Place::Area(0), date(2024, 3, 1)),
        Some((870.0, 0.0))
    );
    assert_eq!(nights.hours(0, date(2025, 3, 29)), Some(3));
    assert_eq!(
        counts.get(Place::Area(0), date(2025, 3, 29)),
        Some((690.0, 0.0))
    );
    assert_eq!(counts.len(), 2, "two nights of one area");
    // The same counts as text in a CSV file read the same.
    let csv = dir.path().join("hourly.csv");
    std::fs::write(
        &csv,
        "Tidspunkt,area,count\n2024-03-02 00:00,3044,990\n2024-03-02 01:00,3044,900\n\
         2024-03-02 03:00,3044,870\n2024-03-02 04:00,3044,880\n2025-03-30 01:00,3044,700\n\
         2025-03-30 03:00,3044,690\n2025-03-30 04:00,3044,695\n",
    )
    .unwrap();
    let from_csv = read_counts(&csv, &CountsOptions::default(), &scenario).unwrap();
    for evening in [date(2024, 3, 1), date(2025, 3, 29)] {
        assert_eq!(
            from_csv.get(Place::Area(0), evening),
            counts.get(Place::Area(0), evening)
        );
    }
    // 02:30 on 2024-10-27 happens twice in Oslo: a date-time cell holds no offset, so it is
    // refused as in a CSV file, naming the cell.
    hourly_xlsx(
        &xlsx,
        &[
            ("2024-10-27 01:00:00", "3044", 900.0),
            ("2024-10-27 02:30:00", "3044", 880.0),
        ],
    );
    let err = read_counts(&xlsx, &CountsOptions::default(), &scenario).unwrap_err();
    match &err {
        Error::LocalTime {
            at,
            value,
            ambiguous,
            ..
        } => {
            assert_eq!(
                *at,
                Location::Cell {
                    sheet: "Sheet1".to_owned(),
                    cell: "A3".to_owned()
                }
            );
            assert_eq!(value, "2024-10-27T02:30:00");
            assert!(*ambiguous);
        }
        other => panic!("expected LocalTime, got {other}"),
    }
}

#[test]
fn the_nights_section_is_written_to_csv_and_xlsx() {
    // Hol and Gol (uplift 0), residents at home from a baseline of the nights of 10 and 11 July.
    // Hol: day of the 10th peaks at 5 200 (12:00 5 000, 15:00 5 200); its night 01:00 3 100,
    // 02:00 3 000, 03:00 3 050: 3 hours, minimum 3 000, excess 5 200 − 3 000 = 2 200. The
    // night of the 11th: 2 800, 2 900: 2 hours, minimum 2 800, no day count. So 2 nights, 2 to
    // 3 hours (mean 2.5), excess 2 200; baseline median(3 000, 2 800) = 2 900 from 2 nights.
    // Gol: day peak 2 000, night 4 000, 4 100, 4 050, 4 020: 4 hours, minimum 4 000, excess
    // −2 000; baseline 4 000 from 1 night. Region excess 2 200 − 2 000 = 200.
    let counts = "ts,area,count\n\
        2024-07-10T12:00:00+02:00,3044,5000\n2024-07-10T15:00:00+02:00,3044,5200\n\
        2024-07-11T01:00:00+02:00,3044,3100\n2024-07-11T02:00:00+02:00,3044,3000\n\
        2024-07-11T03:00:00+02:00,3044,3050\n\
        2024-07-12T01:00:00+02:00,3044,2800\n2024-07-12T02:00:00+02:00,3044,2900\n\
        2024-07-10T12:00:00+02:00,3041,2000\n\
        2024-07-11T01:00:00+02:00,3041,4000\n2024-07-11T02:00:00+02:00,3041,4100\n\
        2024-07-11T03:00:00+02:00,3041,4050\n2024-07-11T04:00:00+02:00,3041,4020\n";
    let plan =
        scenario("[night]\nresidents = \"baseline\"\nreference = [\"2024-07-10\", \"2024-07-11\"]");
    let dir = folder(&[("plan.toml", &plan), ("counts.csv", counts)]);
    let expected_en = [
        "area,name,nights_counted,hours_min,hours_max,hours_mean,daytime_excess,daytime_excess_whole,residents_at_home_baseline,residents_at_home_baseline_whole,baseline_nights,residents_registered,residents_registered_whole",
        "3044,Hol,2,2,3,2.5,2200.0,2200,2900.0,2900,2,2500.0,2500",
        "3041,Gol,1,4,4,4.0,-2000.0,-2000,4000.0,4000,1,2500.0,2500",
        ",Two,,,,,200.0,200,,,,,",
    ];
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--format",
            "csv",
            "-o",
            "out.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("out.nights.csv")).unwrap();
    assert_eq!(csv.lines().collect::<Vec<_>>(), expected_en, "{csv}");
    // In Nynorsk: the columns named in the language (numbers as --csv-decimal says).
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--format",
            "csv",
            "--lang",
            "nn",
            "-o",
            "nn.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.path().join("nn.nights.csv")).unwrap();
    assert!(
        csv.starts_with("område,namn,netter_med_teljing,timar_minst,timar_flest,timar_snitt,overskot_dagtid,overskot_dagtid_heile,innbyggjarar_heime_grunnlinje,"),
        "{csv}"
    );
    assert!(
        csv.contains("\n3044,Hol,2,2,3,2.5,2200.0,2200,2900.0,"),
        "{csv}"
    );
    // The workbook has the same sheet, with numbers as numbers.
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "plan.toml",
            "--format",
            "xlsx",
            "-o",
            "out.xlsx",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out.xlsx")).unwrap();
    let sheet = book.worksheet_range("nights").expect("a nights sheet");
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[0][2], Data::String("nights_counted".to_owned()));
    let number = |row: usize, column: usize| match &rows[row][column] {
        Data::Float(x) => *x,
        Data::Int(x) => *x as f64,
        other => panic!("row {row} column {column}: {other:?}"),
    };
    // Hol: 2 nights, 2 to 3 hours, mean 2.5, excess 2 200, baseline 2 900 from 2 nights.
    assert_eq!(
        [2, 3, 4, 5, 6, 8, 10, 11].map(|c| number(1, c)),
        [2.0, 2.0, 3.0, 2.5, 2200.0, 2900.0, 2.0, 2500.0]
    );
    assert_eq!(
        [2, 3, 4, 5, 6, 8, 10].map(|c| number(2, c)),
        [1.0, 4.0, 4.0, 4.0, -2000.0, 4000.0, 1.0]
    );
    assert_eq!(number(3, 6), 200.0);
}

#[test]
fn hourly_rows_that_give_no_night_say_so() {
    // Three daytime counts (12:00, 14:00, 16:00 local), none in 01:00-05:00: rows were read,
    // no night has a count.
    let daytime = "ts,area,count\n2024-06-01 12:00,3044,10\n2024-06-01 14:00,3044,11\n\
        2024-06-01 16:00,3041,12\n";
    let err = read("[night]\nrule = \"minimum\"", daytime).unwrap_err();
    match &err {
        Error::NoNightCounts {
            rows,
            in_window,
            window,
            hour,
            zone,
            ..
        } => {
            assert_eq!((*rows, *in_window), (3, 0));
            assert_eq!(window, "01:00-05:00");
            assert_eq!(hour, &None);
            assert_eq!(zone, "Europe/Oslo");
        }
        other => panic!("expected NoNightCounts, got {other}"),
    }
    let message = err.to_string();
    assert!(
        message.ends_with("counts.csv: 3 rows read, but none falls in the night window 01:00-05:00 local time (Europe/Oslo; the night labelled by its evening date D is counted on the morning of D + 1): no night counts"),
        "{message}"
    );
    // Two counts in the window (01:00 and 03:00), none at 04:00, the hour the rule takes.
    let early = "ts,area,count\n2024-06-02 01:00,3044,10\n2024-06-02 03:00,3044,11\n\
        2024-06-02 12:00,3044,30\n";
    let err = read("[night]\nrule = \"hour:04\"", early).unwrap_err();
    let message = err.to_string();
    assert!(
        message.ends_with("counts.csv: 3 rows read, but no count at 04:00 local time (Europe/Oslo), the hour the night rule takes (2 in the night window 01:00-05:00): no night counts"),
        "{message}"
    );
    // A header alone is still a file with no data rows.
    let err = read("", "ts,area,count\n").unwrap_err();
    assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    // The CLI says the same.
    let dir = folder(&[("plan.toml", &scenario("")), ("counts.csv", daytime)]);
    let out = deltid(dir.path(), &["estimate", "--scenario", "plan.toml"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("3 rows read, but none falls in the night window 01:00-05:00"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn compare_keeps_open_bounds_and_counts_its_ways() {
    // Hol and Gol (uplift 0, 2 500 residents each). Day: 5 000 and 2 000; night of the 10th:
    // 3 000 and 4 000. Split on the 11th by where people slept: Hol's sleepers are 2 800 in
    // Hol plus a cell in Gol marked −1 (0 to under k = 5): 2 800 to under 2 805, guest-nights
    // 300 to under 305. Gol's: 3 700 + 300 = 4 000 exactly, 1 500. Night − home zone for Hol:
    // 500 − [300, 305) = (195, 200]: its low end is the one left out.
    let plan = "name = \"Two\"\nuplift = 0\ntime_zone = \"Europe/Oslo\"\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"3044\"\nname = \"Hol\"\nresidents = 2500\n[[area]]\ncode = \"3041\"\nname = \"Gol\"\nresidents = 2500\n[origin]\nkind = \"previous-night\"\nmin_count = 5\n";
    let dir = folder(&[
        ("plan.toml", plan),
        (
            "day.csv",
            "date,area,count\n2024-07-10,3044,5000\n2024-07-10,3041,2000\n",
        ),
        (
            "hourly.csv",
            "ts,area,count\n2024-07-11T00:00:00Z,3044,3000\n2024-07-11T00:00:00Z,3041,4000\n",
        ),
        (
            "split.csv",
            "date,area,origin,count\n2024-07-11,3044,3044,2800\n2024-07-11,3044,3041,300\n\
             2024-07-11,3041,3041,3700\n2024-07-11,3041,3044,-1\n",
        ),
    ]);
    let compare = |files: &[&str], format: &str| {
        let mut args = vec!["compare", "--scenario", "plan.toml", "--format", format];
        for f in files {
            args.extend(["--counts", f]);
        }
        let out = deltid(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let csv = compare(&["day.csv", "hourly.csv", "split.csv"], "csv");
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "date,area,name,residual,deducted,night,home_zone_low,home_zone_high,home_zone_high_excluded,residual_minus_night,daytime_excess,night_minus_home_zone_low,night_minus_home_zone_low_excluded,night_minus_home_zone_high",
            "2024-07-10,3044,Hol,2500.0,0.0,500.0,300.0,305.0,true,2000.0,2000.0,195.0,true,200.0",
            "2024-07-10,3041,Gol,-500.0,0.0,1500.0,1500.0,1500.0,false,-2000.0,-2000.0,0.0,false,0.0",
            "2024-07-10,,,2000.0,0.0,2000.0,1800.0,1805.0,true,0.0,0.0,195.0,true,200.0",
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&compare(&["day.csv", "hourly.csv", "split.csv"], "json")).unwrap();
    let hol = &json["comparison"][0];
    assert_eq!(hol["home_zone"]["high_excluded"], true);
    assert_eq!(hol["night_minus_home_zone"]["low_excluded"], true);
    assert_eq!(hol["night_minus_home_zone"]["high_excluded"], false);
    // The title counts the estimates compared.
    let text = compare(&["day.csv", "hourly.csv"], "table");
    assert!(
        text.starts_with("Two: guest-nights two ways, side by side"),
        "{text}"
    );
    let text = compare(&["hourly.csv", "split.csv"], "table");
    assert!(
        text.starts_with("Two: guest-nights two ways, side by side"),
        "{text}"
    );
    let text = compare(&["day.csv", "hourly.csv", "split.csv"], "table");
    assert!(
        text.starts_with("Two: guest-nights three ways, side by side"),
        "{text}"
    );
}

#[test]
fn an_unknown_daytime_excess_has_no_unit() {
    // Night counts only (02:00 local), no count in the day window: the excess is unknown, said
    // without "persons per day" after it.
    let dir = folder(&[
        ("plan.toml", &scenario("")),
        (
            "counts.csv",
            "ts,area,count\n2024-07-11T00:00:00Z,3044,3000\n2024-07-12T00:00:00Z,3044,3100\n",
        ),
    ]);
    for (lang, line) in [
        (
            "en",
            "- Hol: 2 nights counted, 1 to 1 hours present (mean 1); daytime excess unknown (no day with both a day peak and a night count)\n",
        ),
        (
            "nn",
            "- Hol: 2 netter talde, 1 til 1 timar med teljing (snitt 1); dagsoverskot ukjent (ingen dag med både dagstopp og netteljing)\n",
        ),
        (
            "nb",
            "- Hol: 2 netter talt, 1 til 1 timer med telling (snitt 1); dagsoverskudd ukjent (ingen dag med både dagstopp og nattelling)\n",
        ),
    ] {
        let out = deltid(
            dir.path(),
            &["estimate", "--scenario", "plan.toml", "--lang", lang],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(line), "{lang}: {}", stdout(&out));
    }
}

/// Under small-count protection the night figures made from an area's counts (its daytime
/// excess, a baseline of residents at home) are published as the area's mean is: suppressed
/// with it (empty in the nights CSV, ':' in the text), else rounded to the base.
#[test]
fn night_figures_are_published_under_small_count_protection() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = data("hourly/scenario.toml");
    let csv_rows = |name: &str| -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        text.lines()
            .skip(1)
            .map(|l| {
                // The region's name is quoted (it holds a comma): split outside quotes.
                let mut cells = Vec::new();
                let (mut cell, mut quoted) = (String::new(), false);
                for c in l.chars() {
                    match c {
                        '"' => quoted = !quoted,
                        ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                        _ => cell.push(c),
                    }
                }
                cells.push(cell);
                cells
            })
            .collect()
    };
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec!["estimate", "--scenario", scenario.to_str().unwrap()];
        args.extend(extra);
        args.extend(["--format", "csv", "--output", out]);
        let done = deltid(dir.path(), &args);
        assert!(done.status.success(), "{}", stderr(&done));
    };
    run("plain.csv", &[]);
    run("round.csv", &["--round-to", "10"]);
    run("min.csv", &["--min-count", "1000"]);
    // Column 6 of the nights file is the daytime excess (persons), 7 its whole persons.
    let plain = csv_rows("plain.nights.csv");
    let rounded = csv_rows("round.nights.csv");
    assert_eq!(plain.len(), 7, "6 areas and the region");
    for (p, r) in plain.iter().zip(&rounded) {
        let excess: f64 = p[6].parse().unwrap();
        // Rounded to the base 10, as every published persons figure.
        assert_eq!(
            r[6].parse::<f64>().unwrap(),
            (excess / 10.0).round() * 10.0,
            "{p:?}"
        );
    }
    // Suppressed exactly where the area's mean is (the summary's `suppressed` column).
    let summary = csv_rows("min.csv");
    let nights = csv_rows("min.nights.csv");
    let mut suppressed_areas = 0;
    for (s, n) in summary.iter().zip(&nights) {
        assert_eq!(s[0], n[0], "same area order");
        let hidden = s.last().unwrap() == "true";
        assert_eq!(n[6].is_empty(), hidden, "{n:?}");
        suppressed_areas += usize::from(hidden && !s[0].is_empty());
    }
    assert!(
        suppressed_areas >= 2,
        "k = 1 000 suppresses small areas' means"
    );
    let text = stdout(&deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            scenario.to_str().unwrap(),
            "--min-count",
            "1000",
        ],
    ));
    let hidden_lines = text
        .lines()
        .filter(|l| l.contains("daytime excess : persons"))
        .count();
    assert_eq!(hidden_lines, suppressed_areas, "{text}");
}
