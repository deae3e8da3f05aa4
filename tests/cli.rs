//! The real binary: output, formats, files and exit codes.

use crate::util::{data, deltid, folder, root, stderr, stdout};

fn plan() -> String {
    data("hallingdal/plan-2021.toml").display().to_string()
}

/// `estimate` of `plan` as CSV into `out.csv`.
fn csv_to_out(plan: &str) -> [&str; 7] {
    [
        "estimate",
        "--scenario",
        plan,
        "--format",
        "csv",
        "--output",
        "out.csv",
    ]
}

#[test]
fn estimate_prints_the_plans_table_with_six_municipalities() {
    let dir = folder(&[]);
    let out = deltid(dir.path(), &["estimate", "--scenario", &plan()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for (label, value) in [
        ("mean persons per day from telecom data", "46 724"),
        (
            "plus 6 % for people without a phone and SIM deviations",
            "2 803",
        ),
        ("minus registered residents", "-20 000"),
        ("guest-nights, mean per day", "26 527"),
        ("guest-nights per year (mean per day × 365)", "9 682 355"),
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"));
        assert!(line.trim_end().ends_with(value), "{line}");
    }
    for name in ["Flå", "Nesbyen", "Gol", "Hemsedal", "Ål", "Hol"] {
        assert!(text.contains(name), "{name} missing");
    }
    assert!(
        text.contains("share of present persons"),
        "allocation rule not named"
    );
}

#[test]
fn csv_summary_has_a_row_per_area_and_the_region() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", &plan(), "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 6 + 1);
    assert!(
        lines[0].starts_with("area,name,days,first,last,missing_days,negative_days,mean_observed")
    );
    let region = lines[7];
    assert!(
        region.starts_with(",Hallingdal,547,2019-09-01,2021-02-28,0,"),
        "{region}"
    );
    assert!(
        region.ends_with(",46724,2803,-20000,-1000,-1000,-1000,26527,9682355"),
        "{region}"
    );
}

#[test]
fn json_with_daily_rows_holds_summary_and_days() {
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "json",
            "--daily",
            "--area",
            "3042",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["summary"]["areas"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["summary"]["areas"][0]["name"], "Hemsedal");
    // 547 days of Hemsedal and 547 region days (the region is Hemsedal alone here).
    assert_eq!(doc["daily"].as_array().map(Vec::len), Some(2 * 547));
    assert_eq!(doc["daily"][0]["date"], "2019-09-01");
    assert_eq!(doc["daily"][0]["area"], "3042");
    // The region's days come after the area's: no area code, the region's name (the one
    // area's, Plan::region_name), the same lines.
    assert_eq!(doc["daily"][547]["area"], serde_json::Value::Null);
    assert_eq!(doc["daily"][547]["name"], "Hemsedal");
    assert_eq!(doc["daily"][547]["observed"], doc["daily"][0]["observed"]);

    // Field names are serde's of the summary's structs.
    let summary = &doc["summary"];
    for key in [
        "region_name",
        "uplift",
        "scaling",
        "region_rule",
        "overlap",
        "allocation",
        "selection",
        "first",
        "last",
        "region",
        "incomplete_region_days",
        "days",
        "areas",
        "areas_without_counts",
    ] {
        assert!(summary.get(key).is_some(), "no {key} in the summary");
    }
    assert_eq!(summary["region_rule"], "sum-of-areas");
    assert_eq!(summary["overlap"], serde_json::Value::Null);
    assert_eq!(summary["incomplete_region_days"], 0);
    assert_eq!(summary["days"], 547);
    let area = &summary["areas"][0];
    for key in [
        "code",
        "name",
        "days",
        "first",
        "last",
        "mean",
        "mean_foreign",
        "missing_days",
        "negative_days",
        "negative_sum",
        "negative_dates",
        "guest_nights_per_year_plan",
        "calendar_years",
        "table",
    ] {
        assert!(area.get(key).is_some(), "no {key} in an area's summary");
    }
    assert_eq!(area["code"], "3042");
    assert_eq!(area["days"], 547);
    // The means are keyed by the lines' names; the table's lines carry row, label, whole
    // persons and the exact value.
    let mut mean: Vec<&str> = area["mean"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    mean.sort_unstable();
    let mut expected = deltid::Line::ALL.map(deltid::Line::key);
    expected.sort_unstable();
    assert_eq!(mean, expected);
    let lines = area["table"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["row"], "observed");
    assert_eq!(
        lines[2]["row"],
        serde_json::json!({"deduction": "residents"})
    );
    assert_eq!(lines[7]["row"], "guest_nights_per_year");
    assert_eq!(lines[2]["label"], "minus registered residents");
    // The region is Hemsedal alone: its table is the area's.
    assert_eq!(summary["region"]["table"], area["table"]);
    assert_eq!(
        area["calendar_years"][1],
        serde_json::json!({
            "year": 2020,
            "days_observed": 366,
            "days_in_year": 366,
            "guest_nights": area["calendar_years"][1]["guest_nights"]
        })
    );
}

#[test]
fn output_file_is_not_overwritten_without_force() {
    let dir = folder(&[("out.csv", "precious")]);
    let plan = plan();
    let args = csv_to_out(&plan);
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("out.csv exists; not overwriting it (add --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv"))
            .ok()
            .as_deref(),
        Some("precious")
    );

    let mut forced = args.to_vec();
    forced.push("--force");
    let out = deltid(dir.path(), &forced);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("out.csv")).expect("written");
    assert!(written.starts_with("area,name,"));
}

// Found by a new-user helper: a run with --annualise writes out.yearly.csv beside out.csv; a
// run after it without --annualise (and --force) left that file as it was, looking like part
// of the new set. It is still left (deltid removes nothing it was not asked to write), but said.
#[test]
fn files_beside_the_output_from_an_earlier_run_are_named() {
    let dir = folder(&[("out.yearly.csv", "an earlier run's")]);
    let plan = plan();
    let args = csv_to_out(&plan);
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "note: out.yearly.csv is from an earlier run: this run has no yearly section"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("calendar_years"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.yearly.csv"))
            .ok()
            .as_deref(),
        Some("an earlier run's")
    );
}

#[test]
fn failed_run_leaves_no_output_file() {
    let dir = folder(&[(
        "counts.csv",
        "date,area,count\n2020-01-01,3039,5\n2020-01-01,9999,5\n",
    )]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--counts",
            "counts.csv",
            "--output",
            "out.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("counts.csv: line 3, column `area`: area \"9999\" is not in the scenario"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(left.len(), 1, "only counts.csv should remain");
}

#[test]
fn exit_codes_separate_usage_from_data_errors() {
    let dir = folder(&[("bad.csv", "date,area,count\n2020-13-01,3039,5\n")]);
    // Usage: unknown flag, inverted period, --daily with the table format.
    for args in [
        vec!["estimate", "--scenario", &plan(), "--bogus"],
        vec![
            "estimate",
            "--scenario",
            &plan(),
            "--from",
            "2020-02-01",
            "--to",
            "2020-01-01",
        ],
        vec!["estimate", "--scenario", &plan(), "--daily"],
    ] {
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    // Data: a bad date in the counts, with file, line, column and value.
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", &plan(), "--counts", "bad.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("bad.csv: line 2, column `date`: cannot parse date \"2020-13-01\""),
        "{}",
        stderr(&out)
    );
    // A missing scenario gives the cause chain.
    let out = deltid(dir.path(), &["estimate", "--scenario", "nope.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read nope.toml"));
    assert!(stderr(&out).contains("caused by:"));
}

#[test]
fn help_shows_an_example() {
    let out = deltid(&root(), &["estimate", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("deltid estimate --scenario data/hallingdal/plan-2021.toml"));
}

#[test]
fn synth_hits_its_mean_exactly() {
    // 3 areas × 10 days at a mean of 1 000 persons per day: the counts add up to 10 000.
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "synth", "--areas", "3", "--days", "10", "--seed", "5", "--mean", "1000",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let total: u64 = text
        .lines()
        .skip(1)
        .map(|l| {
            l.rsplit(',')
                .next()
                .and_then(|c| c.parse::<u64>().ok())
                .expect("a count")
        })
        .sum();
    assert_eq!(text.lines().count(), 1 + 30);
    assert_eq!(total, 10_000);
    // The same seed gives the same file; another seed another.
    let again = deltid(
        dir.path(),
        &[
            "synth", "--areas", "3", "--days", "10", "--seed", "5", "--mean", "1000",
        ],
    );
    assert_eq!(again.stdout, out.stdout);
    let other = deltid(
        dir.path(),
        &[
            "synth", "--areas", "3", "--days", "10", "--seed", "6", "--mean", "1000",
        ],
    );
    assert_ne!(other.stdout, out.stdout);
}

#[test]
fn csv_daily_rows_are_written() {
    // Regression: the daily CSV failed with "serializing maps is not supported".
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "csv",
            "--daily",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "date,area,name,observed,uplift,present,residents,commuters,transit,day_visitors,part_time"
        )
    );
    // First row: Flå counted 1 868 persons on 2019-09-01; uplift 1 868 × 0.06 = 112.08.
    let first = lines.next().unwrap_or("");
    assert!(
        first.starts_with("2019-09-01,3039,Flå,1868.0,112.08,1980.08,"),
        "{first}"
    );
    // Six areas and the region, 547 days each.
    assert_eq!(text.lines().count(), 1 + 7 * 547);
}

#[test]
fn closed_pipe_is_not_an_error() {
    // Regression: `deltid … --daily | head` printed "Broken pipe" and exited 1.
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_deltid"))
        .args([
            "estimate",
            "--scenario",
            &plan(),
            "--format",
            "csv",
            "--daily",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a line");
    // The reader was dropped above, closing the pipe.
    let out = child.wait_with_output().expect("exits");
    assert!(first.starts_with("date,"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn missing_days_and_selected_areas_are_reported() {
    // Gol lacks 2020-01-02: one missing day; the sum line is named as a selection.
    let dir = folder(&[(
        "gap.csv",
        "date,area,count\n2020-01-01,3041,100\n2020-01-03,3041,100\n\
         2020-01-01,3044,50\n2020-01-02,3044,50\n2020-01-03,3044,50\n",
    )]);
    let args = ["estimate", "--scenario", &plan(), "--counts", "gap.csv"];
    let mut selected = args.to_vec();
    selected.extend(["--area", "3041,3044"]);
    let out = deltid(dir.path(), &selected);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Gol: 1 day without a count between 2020-01-01 and 2020-01-03"),
        "{text}"
    );
    assert!(
        text.contains("Hallingdal, selected areas: 1 day with no count for some area"),
        "{text}"
    );

    let mut csv = args.to_vec();
    csv.extend(["--format", "csv"]);
    let text = stdout(&deltid(dir.path(), &csv));
    let gol = text.lines().find(|l| l.starts_with("3041,")).unwrap_or("");
    // area,name,days,first,last,missing_days,…
    assert!(
        gol.starts_with("3041,Gol,2,2020-01-01,2020-01-03,1,"),
        "{gol}"
    );
}

#[test]
fn force_needs_an_output_file() {
    let out = deltid(&root(), &["estimate", "--scenario", &plan(), "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--output"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn output_files_get_ordinary_permissions() {
    // Regression: files were written with the temporary file's private mode 0600.
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(&[("kept.csv", "old")]);
    let path = |name: &str| dir.path().join(name);
    let mode =
        |name: &str| std::fs::metadata(path(name)).map_or(0, |m| m.permissions().mode() & 0o777);
    std::fs::set_permissions(path("kept.csv"), std::fs::Permissions::from_mode(0o640))
        .expect("chmod");
    let out = deltid(dir.path(), &["synth", "--days", "2", "--output", "new.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A new file gets 0666 less the umask: readable by others under the usual umask 022.
    assert_ne!(mode("new.csv") & 0o044, 0, "mode {:o}", mode("new.csv"));
    // A replaced file keeps its mode.
    let out = deltid(
        dir.path(),
        &["synth", "--days", "2", "--output", "kept.csv", "--force"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode("kept.csv"), 0o640);
}

#[test]
fn synth_writes_a_scenario_that_reads_its_counts() {
    // 40 areas × 30 days = 1 200 rows, with the scenario that fits them.
    let dir = folder(&[]);
    let out = deltid(
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
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let toml = std::fs::read_to_string(dir.path().join("s.toml")).unwrap();
    // The codes are all digits, so the scenario pads codes that lost their leading zeros.
    assert!(toml.contains("\n[area_codes]\ndigits = 4\n"), "{toml}");
    let scenario = deltid::read_scenario(dir.path().join("s.toml")).unwrap();
    assert_eq!(scenario.areas().len(), 40);
    assert_eq!(scenario.areas()[0].code.as_str(), "0001");
    let summary = crate::util::summary(&dir.path().join("s.toml"), None).unwrap();
    assert_eq!(summary.region().days(), 30);
    assert_eq!(summary.areas().len(), 40);
    // synth meets the region's mean per day exactly.
    crate::util::assert_close(summary.region().mean().observed(), 312_000.0);

    // The counts with their leading zeros lost (as a spreadsheet drops them) read the same.
    let csv = std::fs::read_to_string(dir.path().join("c.csv")).unwrap();
    let mut lines = csv.lines();
    let mut stripped = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let (date, rest) = line.split_once(',').unwrap();
        let (area, count) = rest.split_once(',').unwrap();
        stripped.push_str(&format!(
            "{date},{},{count}\n",
            area.trim_start_matches('0')
        ));
    }
    assert!(stripped.contains(",1,"), "{}", &stripped[..200]);
    std::fs::write(dir.path().join("stripped.csv"), stripped).unwrap();
    let again = crate::util::summary(
        &dir.path().join("s.toml"),
        Some(&dir.path().join("stripped.csv")),
    )
    .unwrap();
    assert_eq!(again, summary);
}

#[test]
fn stream_and_in_memory_are_accepted_and_change_nothing() {
    // The one reader reads every file in one pass; scripts that still ask for a path get the
    // same output and a note.
    let dir = folder(&[]);
    let plan = plan();
    let run = |extra: &[&str]| {
        let mut args = vec!["estimate", "--scenario", &plan, "--format", "csv"];
        args.extend(extra);
        deltid(dir.path(), &args)
    };
    let plain = run(&[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert_eq!(stderr(&plain), "");
    for flag in ["--stream", "--in-memory"] {
        for extra in [&[flag][..], &[flag, "--daily"]] {
            let out = run(extra);
            assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
            assert_eq!(
                stderr(&out),
                "note: --stream and --in-memory are no longer needed: every counts file is read in one pass\n"
            );
            if extra.len() == 1 {
                assert_eq!(out.stdout, plain.stdout, "{extra:?}");
            } else {
                assert!(stdout(&out).starts_with("date,area,name,"), "{extra:?}");
            }
        }
    }
    // The region's row: the plan's 9 682 355 guest-nights a year, as the last column.
    assert!(stdout(&plain).trim_end().ends_with(",9682355"));
}

#[test]
fn a_date_format_without_year_month_and_day_is_a_usage_error() {
    let dir = folder(&[("counts.csv", "date,area,count\n01.02,3039,5\n")]);
    for (format, expected) in [
        (
            "%d.%m",
            "--date-format \"%d.%m\" has no four-digit year (%Y)",
        ),
        (
            "%Y-%m",
            "--date-format \"%Y-%m\" needs a month (%m) and a day (%d)",
        ),
    ] {
        let out = deltid(
            dir.path(),
            &[
                "estimate",
                "--scenario",
                &plan(),
                "--counts",
                "counts.csv",
                "--date-format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{format}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn an_area_without_any_count_is_left_out_of_the_region_and_named() {
    // The corpus scenario has Ål (3043) and Hol (3044); these counts have Ål only, on
    // 2020-02-01..03 (day-first dates declared). Hol has no count at all, so the region is Ål
    // alone: its days are Ål's three (not none, and never a made-up 1970-01-01), and the
    // table's notes name Hol.
    let dir = folder(&[]);
    let inputs = data("golden/inputs");
    let scenario = inputs.join("scenario.toml").display().to_string();
    let counts = inputs.join("bad_ambiguous_dates.csv").display().to_string();
    let run = |format: &str| {
        let out = deltid(
            dir.path(),
            &[
                "estimate",
                "--scenario",
                &scenario,
                "--counts",
                &counts,
                "--date-format",
                "%d/%m/%Y",
                "--format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let csv = run("csv");
    let mut rows = csv.lines().skip(1);
    let al = rows.next().unwrap();
    let region = rows.next().unwrap();
    assert!(al.starts_with("3043,Ål,3,2020-02-01,2020-02-03,"), "{al}");
    assert!(
        region.starts_with(",Corpus,3,2020-02-01,2020-02-03,"),
        "{region}"
    );
    // Past the dates, the region's figures are Ål's.
    let figures = |row: &str| row.splitn(6, ',').last().unwrap().to_owned();
    assert_eq!(figures(region), figures(al));
    assert!(rows.next().is_none(), "{csv}");
    let table = run("table");
    assert!(
        table
            .contains("- Hol (3044) has no count in the period: it is not in the region's figures"),
        "{table}"
    );
}

#[test]
fn a_region_without_a_day_of_its_own_shows_no_dates() {
    // A counts 100 on 2020-01-01, B 100 on 2020-01-02: no day has both, so the region has no
    // day of its own; its means are still A's and B's summed (200). Its first and last days
    // are empty cells, not made-up dates.
    let scenario = "uplift = 0\n[deductions]\nresidents = 0\ncommuters = 0\ntransit = 0\n\
        day_visitors = 0\n[[area]]\ncode = \"0001\"\nname = \"A\"\n[[area]]\ncode = \"0002\"\nname = \"B\"\n";
    let counts = "date,area,count\n2020-01-01,0001,100\n2020-01-02,0002,100\n";
    let dir = folder(&[("s.toml", scenario), ("c.csv", counts)]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "s.toml",
            "--counts",
            "c.csv",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let region = text.lines().last().unwrap();
    // 0 days, no first or last, 2 days missing of the span, 0 negative days, mean observed 200.
    assert!(region.starts_with(",Region,0,,,2,0,200.0,"), "{region}");
    let json = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "s.toml",
            "--counts",
            "c.csv",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(json["summary"]["region"]["first"], serde_json::Value::Null);
    assert_eq!(json["summary"]["region"]["mean"]["part_time"], 200.0);
}

#[test]
fn a_region_with_its_own_count_missing_a_day_says_where_its_means_come_from() {
    // Regression: the note said the region's means were "still its areas' means summed",
    // which holds only for a region that is the sum of its areas. Here the region's own count
    // R is 1 200 and 1 440 on the days it has one (mean 1 320); A and B summed are 1 500.
    let scenario = "uplift = 0\nregion_code = \"R\"\n[deductions]\nresidents = 0\ncommuters = 0\n\
        transit = 0\nday_visitors = 0\n[[area]]\ncode = \"0001\"\nname = \"A\"\n\
        [[area]]\ncode = \"0002\"\nname = \"B\"\n";
    let counts = "date,area,count\n2020-01-01,0001,1000\n2020-01-01,0002,500\n2020-01-01,R,1200\n\
        2020-01-02,0001,1000\n2020-01-02,0002,500\n2020-01-02,R,1440\n\
        2020-01-03,0001,1000\n2020-01-03,0002,500\n";
    let dir = folder(&[("s.toml", scenario), ("c.csv", counts)]);
    let out = deltid(
        dir.path(),
        &["estimate", "--scenario", "s.toml", "--counts", "c.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("1 day without the region's own count, left out of the region's days (its means, busiest days, negative days and calendar years are from the days with its own count)"),
        "{text}"
    );
    assert!(!text.contains("means are still"), "{text}");
    let json = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "s.toml",
            "--counts",
            "c.csv",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(json["summary"]["region"]["mean"]["observed"], 1320.0);
    // Every area selected by name is the region itself: not labelled "selected areas" while
    // its own count is shown (regression); A alone is A.
    for (areas, label, observed) in [("0001,0002", "Region", "1320.0"), ("0001", "A", "1000.0")] {
        let out = deltid(
            dir.path(),
            &[
                "estimate",
                "--scenario",
                "s.toml",
                "--counts",
                "c.csv",
                "--area",
                areas,
                "--format",
                "csv",
            ],
        );
        let text = stdout(&out);
        let region = text.lines().last().unwrap_or_default();
        assert!(
            region.starts_with(&format!(",{label},")) && region.contains(&format!(",{observed},")),
            "{areas}: {region}"
        );
    }
}

#[test]
fn small_count_protection_is_refused_where_it_is_not_applied() {
    // Regression: on counts split by origin, --min-count (or [disclosure]) was silently not
    // applied, and `deltid compare` never applied the scenario's [disclosure]: unprotected
    // figures were published as if protected. Both are now refused, writing nothing.
    let scenario = data("home-split/scenario.toml");
    let scenario = scenario.to_str().unwrap();
    let dir = folder(&[]);
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            scenario,
            "--min-count",
            "10",
            "--output",
            "o.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("small-count protection ([disclosure], --min-count or --round-to) is not applied to counts split by origin"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("o.csv").exists());
    let text = std::fs::read_to_string(data("home-split/scenario.toml")).unwrap()
        + "\n[disclosure]\nmin_count = 10\n";
    let dir = folder(&[("s.toml", &text)]);
    let split = data("home-split/split.csv");
    let daily = data("hallingdal/counts.csv");
    let out = deltid(
        dir.path(),
        &[
            "compare",
            "--scenario",
            "s.toml",
            "--counts",
            daily.to_str().unwrap(),
            "--counts",
            split.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("which `deltid compare` does not apply"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn parquet_output_names_the_sections_it_leaves_out() {
    // Regression: --format parquet with --annualise wrote the daily rows and said nothing of
    // the yearly figures asked for.
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml");
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            scenario.to_str().unwrap(),
            "--annualise",
            "calendar",
            "--format",
            "parquet",
            "--output",
            "d.parquet",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("note: Parquet holds the daily rows only; the summary and the other sections (calendar_years, yearly, yearly_coverage, notes)"),
        "{}",
        stderr(&out)
    );
    assert!(dir.path().join("d.parquet").exists());
}

#[test]
fn json_leaves_out_a_filled_year_the_tables_leave_out() {
    // Regression: with too few months for the seasonal model (the hourly example's three
    // weeks), the text and CSV give no season-balanced figure and no filled year, but the JSON
    // carried each year's "filled" total anyway (Flå: -532 889).
    let dir = folder(&[]);
    let scenario = data("hourly/scenario.toml");
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            scenario.to_str().unwrap(),
            "--annualise",
            "season-balanced",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let yearly = &json["yearly"];
    let areas = yearly["areas"].as_array().unwrap();
    for area in areas.iter().chain([&yearly["region"]]) {
        assert_eq!(area["fills"], false, "{area}");
        for year in area["years"].as_array().unwrap() {
            assert!(year["counted"].is_number(), "{year}");
            assert_eq!(year["filled"], serde_json::Value::Null, "{year}");
        }
    }
}

#[test]
fn intervals_are_refused_beside_clamped_yearly_figures() {
    // Regression: with --negative clamp-day the season-balanced figure published was the
    // clamped one, while --uncertainty's interval of the same name was of the unclamped
    // figure, and did not contain it.
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml");
    let out = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            scenario.to_str().unwrap(),
            "--annualise",
            "season-balanced",
            "--negative",
            "clamp-day",
            "--uncertainty",
            "--output",
            "o.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "--uncertainty gives intervals of the figures with negative days counted as they are"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("o.csv").exists());
}

#[test]
fn validate_offers_no_flags_it_refuses() {
    // Regression: `validate --help` listed --from, --to and --area, which validate refuses
    // (it checks the whole file); estimate still offers them.
    let dir = folder(&[]);
    let help = stdout(&deltid(dir.path(), &["validate", "--help"]));
    for flag in ["--from", "--to ", "--area "] {
        assert!(!help.contains(flag), "{flag} in {help}");
    }
    let help = stdout(&deltid(dir.path(), &["estimate", "--help"]));
    assert!(
        help.contains("--from") && help.contains("--area "),
        "{help}"
    );
}

#[test]
fn population_leaves_out_a_typical_year_the_estimate_would_not_fill() {
    // Regression: with counts in February and March only, `estimate --annualise
    // season-balanced` gives no figure (too few months for the seasonal model), but
    // `population --annualise season-balanced` filled ten months from that model and
    // published a typical year. It now leaves it out, and says why.
    let mut counts = String::from("date,area,count\n");
    let first = chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
    for day in 0..59 {
        let date = first + chrono::Duration::days(day);
        for (area, count) in [
            ("3039", 1900),
            ("3040", 4700),
            ("3041", 6000),
            ("3042", 7000),
            ("3043", 6500),
            ("3044", 9000),
        ] {
            counts.push_str(&format!("{date},{area},{}\n", count + day));
        }
    }
    let dir = folder(&[("c.csv", &counts)]);
    let scenario = data("hallingdal/plan-2021.toml");
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            scenario.to_str().unwrap(),
            "--counts",
            "c.csv",
            "--annualise",
            "season-balanced",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["typical_year_left_out"], true, "{json}");
    // The JSON carries the notes the text ends with (regression: it had none).
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("typical year: left out")),
        "{notes:?}"
    );
    assert_eq!(json["region"]["typical_year"], serde_json::Value::Null);
    let text = stdout(&deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            scenario.to_str().unwrap(),
            "--counts",
            "c.csv",
            "--annualise",
            "season-balanced",
        ],
    ));
    assert!(
        text.contains(
            "typical year: left out where the counts miss calendar months and cover fewer than 6"
        ),
        "{text}"
    );
}
