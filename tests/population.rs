//! The emergency planners' view: peaks, percentiles, thresholds, calendar labels, charts.

use deltid::analysis::{PopulationOptions, Threshold, TypicalYearView};
use deltid::output::{ChartFormat, chart_size, write_chart};
use deltid::{Label, PercentileMethod, Run, Selection};

use crate::util::{assert_close, data, deltid, folder, stderr, stdout};

fn plan() -> Run {
    crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        None,
        &Selection::default(),
    )
    .expect("the plan's run")
}

#[test]
fn peaks_of_the_shipped_data_fall_on_the_generators_holidays() {
    // The generator (synth.rs) fills holiday homes most from Maundy Thursday to Easter Monday
    // (0.95), on winter-holiday weekends (0.95) and from Boxing Day to New Year (0.85); the ten
    // busiest region days must all carry one of those labels.
    let view = plan()
        .population(&PopulationOptions::default())
        .expect("view");
    assert_eq!(view.region.peaks.len(), 10);
    let busy = [
        Label::MaundyThursday,
        Label::GoodFriday,
        Label::EasterSaturday,
        Label::EasterSunday,
        Label::EasterMonday,
        Label::WinterHoliday,
        Label::BoxingDay,
        Label::ChristmasHoliday,
        Label::NewYearsDay,
    ];
    for day in &view.region.peaks {
        assert!(busy.contains(&day.label), "{} {}", day.date, day.label);
    }
    // Busiest first; the maximum is the first peak.
    let presents: Vec<f64> = view.region.peaks.iter().map(|d| d.present).collect();
    assert!(presents.windows(2).all(|w| w[0] >= w[1]));
    assert_close(view.region.percentiles.max, presents[0]);
    // The region's median day is ordinary: a weekday or weekend label dominates the year.
    let weekdays = view
        .region
        .by_label
        .iter()
        .find(|g| g.group == "weekday")
        .expect("weekdays");
    assert!(weekdays.mean < view.region.percentiles.p90);
}

#[test]
fn percentiles_thresholds_and_days_by_hand() {
    // Counts of area B (two-area case): observed 200, 200, 100, 300, 50; uplift 10 %:
    // present 220, 220, 110, 330, 55; sorted 55, 110, 220, 220, 330.
    // Linear: P50 h = 2 → 220; P90 h = 3.6 → 220 + 0.6 × 110 = 286; P95 h = 3.8 → 308.
    // Nearest rank: P90 rank ⌈4.5⌉ = 5 → 330; P50 rank ⌈2.5⌉ = 3 → 220.
    // Residents of B are 100 a day: above 2× residents (200) on 3 days; above 300 persons on 1.
    let dir = folder(&[
        (
            "counts.csv",
            "date,area,count\n2020-02-27,0001,100\n2020-02-27,0002,200\n2020-02-28,0001,100\n2020-02-28,0002,200\n2020-02-29,0001,200\n2020-02-29,0002,100\n2020-03-01,0001,0\n2020-03-01,0002,300\n2020-03-02,0001,150\n2020-03-02,0002,50\n",
        ),
        (
            "s.toml",
            "uplift = 0.1\ncounts = \"counts.csv\"\n[deductions]\ncommuters = 0\ntransit = 0\nday_visitors = 0\n[[area]]\ncode = \"0001\"\nname = \"A\"\nresidents = 50\n[[area]]\ncode = \"0002\"\nname = \"B\"\nresidents = 100\n",
        ),
    ]);
    let report =
        crate::util::run(&dir.path().join("s.toml"), None, &Selection::default()).expect("run");
    let linear = PopulationOptions {
        top: 2,
        threshold: Some(Threshold::TimesResidents(2.0)),
        dimensioning: 0.9,
        ..PopulationOptions::default()
    };
    let view = report.population(&linear).expect("view");
    let b = &view.areas[1];
    assert_close(b.percentiles.p50, 220.0);
    assert_close(b.percentiles.p90, 286.0);
    assert_close(b.percentiles.p95, 308.0);
    assert_close(b.percentiles.max, 330.0);
    assert_close(b.dimensioning, 286.0);
    assert_eq!(b.days_above, Some(3));
    // The two busiest days of B: 2020-03-01 (330, the Sunday ending ISO week 9, Buskerud's
    // winter holiday) and 2020-02-27 (220, the earlier of the two 220s).
    let peaks: Vec<String> = b.peaks.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(peaks, ["2020-03-01", "2020-02-27"]);
    assert_eq!(b.peaks[0].label, Label::WinterHoliday);
    assert_close(b.peaks[0].ratio.expect("residents"), 3.3);

    let nearest = PopulationOptions {
        method: PercentileMethod::NearestRank,
        threshold: Some(Threshold::Persons(300.0)),
        ..linear
    };
    let view = report.population(&nearest).expect("view");
    let b = &view.areas[1];
    assert_close(b.percentiles.p50, 220.0);
    assert_close(b.percentiles.p90, 330.0);
    assert_eq!(b.days_above, Some(1));
    assert!(view.method.starts_with("nearest rank"));
    assert!(view.residents.contains("as given in the scenario"));
}

#[test]
fn charts_have_the_right_size_and_content() {
    let report = plan();
    let view = report
        .population(&PopulationOptions::default())
        .expect("view");
    let (width, height) = chart_size(6);
    // Two rows of three areas, the bars and the source line: 560 + 2 × 240 + 420 + 30.
    assert_eq!((width, height), (1400, 1490));

    let mut png = Vec::new();
    write_chart(ChartFormat::Png, &report, &view, &mut png).expect("png");
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("a PNG");
    let info = reader.info();
    assert_eq!((info.width, info.height), (width, height));
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    reader.next_frame(&mut pixels).expect("pixels");
    // Something is drawn: the present-population blue (31, 78, 140) appears.
    assert!(pixels.chunks(3).any(|p| p == [31, 78, 140]));

    let mut svg = Vec::new();
    write_chart(ChartFormat::Svg, &report, &view, &mut svg).expect("svg");
    let svg = String::from_utf8(svg).expect("utf-8");
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains(r#"width="1400" height="1490""#));
    // The bars carry the table's yearly figures (whole persons per day × 365), not the
    // unrounded mean × 365: Flå 1 731 × 365 = 631 815 (unrounded: 632 548), Hol 6 721 × 365 =
    // 2 453 165 (unrounded: 2 453 313).
    let flaa = &report.summary().areas()[0];
    assert_eq!(
        flaa.table()
            .row(deltid::TableRow::GuestNightsPerYear)
            .rounded,
        631_815
    );
    assert!(!svg.contains("632 548") && !svg.contains("2 453 313"));
    for text in [
        "Hallingdal: present population per day",
        "Busiest days (5 of the 10 marked):",
        "dimensioning population (P95)",
        "commuters, transit and day visitors (deducted)",
        "persons per day",
        "Guest-nights per year per area, as in the table",
        "guest-nights per year",
        "Source: daily telecom counts of persons present, 2019-09-01 to 2021-02-28 (547 days), file counts.csv (BLAKE3 ",
        "Hemsedal",
        "Ål",
        "631 815",
        "2 453 165",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }
}

#[test]
fn population_command_prints_peaks_and_percentiles_and_writes_a_chart() {
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let args = [
        "population",
        "--scenario",
        &scenario,
        "--top",
        "10",
        "--chart",
        "peaks.png",
    ];
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Busiest days, Hallingdal:"));
    assert!(text.contains(" 10 "), "ten ranks");
    assert!(text.contains("Maundy Thursday") && text.contains("winter holiday"));
    assert!(text.contains("P50") && text.contains("P99") && text.contains("dimensioning (P95)"));
    assert!(text.contains("linear interpolation between order statistics"));
    let chart = std::fs::read(dir.path().join("peaks.png")).expect("the chart");
    assert!(chart.starts_with(b"\x89PNG"));

    // The chart is not replaced without --force, before any work is done.
    let out = deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("peaks.png exists"));
    // A chart in an unknown format is a usage error.
    let out = deltid(
        dir.path(),
        &["population", "--scenario", &scenario, "--chart", "x.pdf"],
    );
    assert_eq!(out.status.code(), Some(2));
    // Thresholds: persons or a multiple of residents.
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            &scenario,
            "--above",
            "2x",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("area,name,days,residents,p50,p90,p95,p99,max,dimensioning_percentile,dimensioning,days_above,percentile_method\n"));
    let out = deltid(
        dir.path(),
        &["population", "--scenario", &scenario, "--above", "lots"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn daily_population_rows_carry_their_calendar_label() {
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            &scenario,
            "--format",
            "csv",
            "--daily",
            "--area",
            "3042",
            "--from",
            "2020-04-12",
            "--to",
            "2020-04-13",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "date,weekday,label,area,name,present,residents,part_time,ratio"
    );
    assert!(
        lines[1].starts_with("2020-04-12,Sun,Easter Sunday,3042,Hemsedal,"),
        "{}",
        lines[1]
    );
    // The region's row: with one area selected the region is that area, named after it
    // (Plan::region_name; with several, "Hallingdal, selected areas").
    assert!(
        lines[2].starts_with("2020-04-12,Sun,Easter Sunday,,Hemsedal,"),
        "{}",
        lines[2]
    );
    // The region's row repeats the area's figures.
    assert_eq!(
        lines[1].split_once(",Hemsedal,").map(|(_, rest)| rest),
        lines[2].split_once(",Hemsedal,").map(|(_, rest)| rest)
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn planners_usage_errors_are_caught_before_any_output() {
    // Regression: `-o out.txt --chart nodir/x.png` wrote out.txt and then failed on the chart,
    // and `--chart same.png -o same.png` put the text report in the chart's file.
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let cases: [(&[&str], &str); 6] = [
        (
            &["-o", "out.txt", "--chart", "nodir/x.png"],
            "no folder nodir",
        ),
        (
            &["-o", "same.png", "--chart", "same.png"],
            "--chart and --output name the same file",
        ),
        (
            &["--chart", "x.jpg"],
            "x.jpg: a chart must be a .png or .svg file",
        ),
        (&["--top", "0"], "--top"),
        (
            &["--dimensioning", "-1"],
            "invalid option `dimensioning`: percentile -1 is not a fraction",
        ),
        (
            &["--above", "-5"],
            "expected persons (40000) or a multiple of residents (2x)",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["population", "--scenario", &scenario];
        args.extend_from_slice(extra);
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(message),
            "{extra:?}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "", "{extra:?}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(left.is_empty(), "a refused run left files behind");
}

#[test]
fn missing_area_days_are_flagged_in_the_population_view() {
    // Regression: a missing count for one area silently shrank the region's day and dropped
    // it from the busiest days, with no note.
    let counts = std::fs::read_to_string(data("hallingdal/counts.csv")).expect("counts");
    let holes: String = counts
        .lines()
        .filter(|l| !l.starts_with("2020-04-12,3044,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = folder(&[("holes.csv", &holes)]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let out = deltid(
        dir.path(),
        &[
            "population",
            "--scenario",
            &scenario,
            "--counts",
            "holes.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Hallingdal: not among the region's days: 1 day with no count for some area (or without the region's own count); its busiest days and percentiles may miss a peak"),
        "{}",
        stdout(&out)
    );

    // The region's days are the days with every area counted: 547 − 1 = 546, and Easter
    // Sunday 2020, one of the ten busiest days with every area counted, is not among them.
    let easter = chrono::NaiveDate::from_ymd_opt(2020, 4, 12).unwrap();
    let full = plan()
        .population(&PopulationOptions::default())
        .expect("view");
    assert!(full.region.peaks.iter().any(|d| d.date == easter));
    let run = crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        Some(&dir.path().join("holes.csv")),
        &Selection::default(),
    )
    .expect("run");
    let view = run.population(&PopulationOptions::default()).expect("view");
    assert_eq!((view.region.days, view.incomplete_region_days), (546, 1));
    assert!(view.region.peaks.iter().all(|d| d.date != easter));
    // Hol itself has 546 days; the other areas keep all 547.
    let days: Vec<u32> = view.areas.iter().map(|a| a.days).collect();
    assert_eq!(days, [547, 547, 547, 547, 547, 546]);
}

#[test]
fn one_area_and_json_labels_are_consistent() {
    let report = crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        None,
        &Selection {
            areas: vec![deltid::AreaCode::new("3044")],
            ..Selection::default()
        },
    )
    .expect("run");
    let view = report
        .population(&PopulationOptions::default())
        .expect("view");
    // One area: a chart of the right size still draws, a single panel and the source line.
    assert_eq!(chart_size(1), (1400, 560 + 30));
    let mut png = Vec::new();
    write_chart(ChartFormat::Png, &report, &view, &mut png).expect("png");
    let info = png::Decoder::new(std::io::Cursor::new(&png))
        .read_info()
        .expect("a PNG");
    assert_eq!((info.info().width, info.info().height), chart_size(1));
    // Labels are written the same way in peaks and in the per-label summary.
    let json = serde_json::to_value(&view.region).expect("json");
    let peak_label = json["peaks"][0]["label"]
        .as_str()
        .expect("a label")
        .to_owned();
    assert!(
        json["by_label"]
            .as_array()
            .expect("groups")
            .iter()
            .any(|g| g["group"] == peak_label.as_str())
    );
}

#[test]
fn typical_year_percentiles_weigh_each_month_once() {
    // The shipped data count September to February twice (2019-20 and 2020-21) and March to
    // August once. Over 2020 alone (each month counted once) the typical year is the period,
    // for both percentile methods; over all 547 days the second winter no longer pulls the
    // dimensioning figure up.
    for method in [PercentileMethod::Linear, PercentileMethod::NearestRank] {
        let options = PopulationOptions {
            method,
            typical_year: TypicalYearView::SeasonBalanced,
            ..PopulationOptions::default()
        };
        let year_2020 = deltid::Selection {
            period: deltid::Period::new(
                chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
                chrono::NaiveDate::from_ymd_opt(2021, 1, 1),
            )
            .expect("a period"),
            ..Selection::default()
        };
        let run =
            crate::util::run(&data("hallingdal/plan-2021.toml"), None, &year_2020).expect("2020");
        let view = run.population(&options).expect("view");
        for area in view.areas.iter().chain([&view.region]) {
            let typical = area.typical_year.as_ref().expect("a typical year");
            let (p, t) = (&area.percentiles, &typical.percentiles);
            // 2020 has 366 days: 29 February counts as one of February's 28 quantiles, so the
            // percentiles agree to a fraction of a day's spread.
            for (a, b) in [
                (p.p50, t.p50),
                (p.p90, t.p90),
                (p.p95, t.p95),
                (p.max, t.max),
            ] {
                assert!(
                    (a - b).abs() < 0.01 * a,
                    "{method:?} {}: {a} {b}",
                    area.name
                );
            }
            assert!(typical.filled_months.is_empty());
        }
        let view = plan().population(&options).expect("view");
        let typical = view.region.typical_year.as_ref().expect("a typical year");
        assert!(
            typical.dimensioning < view.region.dimensioning,
            "{} vs {}",
            typical.dimensioning,
            view.region.dimensioning
        );
        // The busiest day is a counted day either way.
        assert_close(typical.percentiles.max, view.region.percentiles.max);
    }
    // Without the option, none.
    let view = plan()
        .population(&PopulationOptions::default())
        .expect("view");
    assert!(view.region.typical_year.is_none());
}

#[test]
fn population_command_adds_typical_year_percentiles_with_annualise() {
    let dir = folder(&[]);
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let args = [
        "population",
        "--scenario",
        &scenario,
        "--annualise",
        "season-balanced",
    ];
    let run = deltid(dir.path(), &args);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        out.contains("Present population per day in a season-balanced typical year"),
        "{out}"
    );
    assert!(
        out.contains("so two winters in the period weigh as one"),
        "{out}"
    );
    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let csv = stdout(&deltid(dir.path(), &csv_args));
    let header = csv.lines().next().expect("a header");
    assert!(
        header.ends_with("percentile_method,typical_year_p50,typical_year_p90,typical_year_p95,typical_year_p99,typical_year_max,typical_year_dimensioning"),
        "{header}"
    );
    // Without it the CSV keeps its columns; other methods are refused.
    let plain = stdout(&deltid(
        dir.path(),
        &["population", "--scenario", &scenario, "--format", "csv"],
    ));
    assert!(
        plain
            .lines()
            .next()
            .expect("a header")
            .ends_with("percentile_method")
    );
    let wrong = deltid(
        dir.path(),
        &["population", "--scenario", &scenario, "--annualise", "plan"],
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
}

#[test]
fn a_single_area_chart_is_titled_with_its_name_and_draws_its_threshold() {
    let report = crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        None,
        &Selection {
            areas: vec![deltid::AreaCode::new("3044")],
            ..Selection::default()
        },
    )
    .expect("run");
    let options = PopulationOptions {
        threshold: Some(Threshold::TimesResidents(3.0)),
        ..PopulationOptions::default()
    };
    let view = report.population(&options).expect("view");
    let mut svg = Vec::new();
    write_chart(ChartFormat::Svg, &report, &view, &mut svg).expect("svg");
    let svg = String::from_utf8(svg).expect("utf-8");
    assert!(svg.contains(r#"width="1400" height="590""#));
    // Titled Hol, one panel: no small multiple repeating it, no bar chart of one bar.
    assert!(svg.contains("Hol: present population per day"));
    assert!(!svg.contains("selected areas"));
    assert!(!svg.contains("Guest-nights per year per area"));
    assert_eq!(svg.matches(">Hol<").count(), 0);
    // Its yearly figure is the table's: 6 721 whole persons per day × 365 = 2 453 165.
    assert!(svg.contains("Guest-nights per year (as in the table, mean per day × 365): 2 453 165"));
    for text in [
        "threshold: 3 × registered residents",
        "commuters, transit and day visitors (deducted)",
        "persons per day",
        "Source: daily telecom counts",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }
}

#[test]
fn charts_draw_the_threshold_on_every_panel_and_name_their_source() {
    let report = plan();
    let options = PopulationOptions {
        threshold: Some(Threshold::TimesResidents(3.0)),
        ..PopulationOptions::default()
    };
    let view = report.population(&options).expect("view");
    let mut svg = Vec::new();
    write_chart(ChartFormat::Svg, &report, &view, &mut svg).expect("svg");
    let svg = String::from_utf8(svg).expect("utf-8");
    // The threshold's dashes (red, one pixel) in the small multiples too: below the region's
    // panel (560 pixels) and above the bars (560 + 2 × 240).
    let dashes_below: Vec<f64> = svg
        .split("<polyline")
        .skip(1)
        .filter(|p| p.contains(r##"stroke="#C81E1E" stroke-width="1""##))
        .flat_map(|p| {
            let points = p.split("points=\"").nth(1).unwrap_or("");
            let points = points.split('"').next().unwrap_or("").to_owned();
            points
                .split_whitespace()
                .filter_map(|xy| xy.split(',').nth(1)?.parse::<f64>().ok())
                .collect::<Vec<_>>()
        })
        .filter(|y| (560.0..1040.0).contains(y))
        .collect();
    assert!(
        dashes_below.len() > 100,
        "{} threshold points in the small multiples",
        dashes_below.len()
    );
    // The source line names the counts file and the start of its BLAKE3 hash.
    let counts = report
        .record()
        .inputs
        .iter()
        .find(|i| i.role == "counts")
        .expect("the counts");
    let sha = &counts.blake3.as_ref().expect("a hash")[..12];
    assert!(
        svg.contains(&format!("file counts.csv (BLAKE3 {sha})")),
        "no source file in the SVG"
    );
}

#[test]
fn charts_speak_nynorsk() {
    let mut report = plan();
    report.set_language(deltid::Language::Nynorsk);
    let view = report
        .population(&PopulationOptions::default())
        .expect("view");
    let mut svg = Vec::new();
    write_chart(ChartFormat::Svg, &report, &view, &mut svg).expect("svg");
    let svg = String::from_utf8(svg).expect("utf-8");
    for text in [
        "Hallingdal: folk til stades per dag (toppar: dei 10 travlaste dagane)",
        "Travlaste dagar (5 av dei 10 merkte):",
        "personar per dag",
        "deltidsinnbyggjarar til stades (gjestedøgn)",
        "pendlarar, gjennomgangstrafikk og dagsturistar (trekte frå)",
        "Gjestedøgn per år per område, som i tabellen",
        "Kjelde: daglege mobilteljingar",
        "fila counts.csv",
        // The busiest day, Easter Saturday 2020, with its weekday and label in nynorsk.
        "1. 2020-04-11 la. (påskeaftan)",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }
    // Month names on the time axis are Norwegian: some "<month> 2020" of the catalogue's.
    assert!(
        [
            "jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
            "des."
        ]
        .iter()
        .any(|m| svg.contains(&format!("\n{m} 2020\n"))),
        "no Norwegian month on the axis"
    );
}

/// The tables beside a CSV file: every table the text and JSON carry is in a file of its own
/// (`NAME.peaks.csv`, `NAME.by_label.csv`, `NAME.by_month.csv`, `NAME.notes.csv`; for night
/// counts `NAME.day_peaks.csv`; with `--daily` the percentiles beside the days), with the
/// JSON's figures.
#[test]
fn population_csv_writes_every_table_beside_it() {
    let dir = folder(&[]);
    let run = |scenario: &str, extra: &[&str]| {
        let scenario = data(scenario).display().to_string();
        let mut args = vec!["population", "--scenario", &scenario];
        args.extend(extra);
        let out = deltid(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let json: serde_json::Value =
        serde_json::from_str(&run("hourly/scenario.toml", &["--format", "json"])).unwrap();
    run(
        "hourly/scenario.toml",
        &["--format", "csv", "--output", "n.csv", "--daily"],
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let rows = |name: &str| -> Vec<Vec<String>> {
        read(name)
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    };
    // The region's busiest day by day peak, as JSON has it.
    let day_peaks = rows("n.day_peaks.csv");
    assert_eq!(
        day_peaks[0],
        [
            "rank",
            "date",
            "weekday",
            "label",
            "day_peak",
            "night_after",
            "daytime_excess"
        ]
    );
    let first = &json["day_peaks"][0];
    assert_eq!(day_peaks[1][1], first["date"].as_str().unwrap());
    let number = |text: &str| text.parse::<f64>().unwrap();
    assert_close(number(&day_peaks[1][4]), first["day"].as_f64().unwrap());
    assert_close(number(&day_peaks[1][6]), first["excess"].as_f64().unwrap());
    // The region's last month row (the region comes after the areas), as JSON has it; its
    // name holds a comma, so the fields are taken from the end.
    let months = rows("n.by_month.csv");
    assert_eq!(months[0], ["area", "name", "month", "days", "mean", "max"]);
    let region_months = json["region"]["by_month"].as_array().unwrap();
    let last = months.last().unwrap();
    let expected = region_months.last().unwrap();
    assert_eq!(last[0], "");
    let n = last.len();
    assert_eq!(last[n - 4], expected["group"].as_str().unwrap());
    assert_close(number(&last[n - 2]), expected["mean"].as_f64().unwrap());
    // 6 areas and the region, each with its busiest days (10 by default) and its labels.
    let areas = json["areas"].as_array().unwrap().len();
    let peaks: usize = std::iter::once(&json["region"])
        .chain(json["areas"].as_array().unwrap())
        .map(|a| a["peaks"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows("n.peaks.csv").len(), 1 + peaks);
    assert_eq!(rows("n.percentiles.csv").len(), 1 + areas + 1);
    assert!(read("n.notes.csv").starts_with("note\n"));
    assert!(read("n.csv").starts_with("date,weekday,label,area,"));
    // Daily counts: no day peaks, no percentiles beside the main table (it is that table).
    run(
        "hallingdal/plan-2021.toml",
        &["--format", "csv", "--output", "d.csv"],
    );
    assert!(dir.path().join("d.by_label.csv").exists());
    assert!(!dir.path().join("d.day_peaks.csv").exists());
    assert!(!dir.path().join("d.percentiles.csv").exists());
}
