//! Honest yearly figures: the season-balanced figure recovers a known truth from gappy data.

use chrono::{Datelike, NaiveDate};
use deltid::Selection;
use deltid::analysis::{Annualisation, NegativePolicy, Yearly};
use deltid::synth::Synth;

use crate::util::data;

/// Guest-nights per year of the region, by a method, for counts in `csv`.
fn yearly(csv: &str, method: Annualisation) -> Yearly {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("counts.csv");
    std::fs::write(&path, csv).expect("written");
    let run = crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        Some(&path),
        &Selection::default(),
    )
    .expect("estimated");
    Yearly::new(run.estimate(), method, NegativePolicy::Keep)
}

#[test]
fn season_balanced_recovers_the_year_when_days_and_july_are_missing() {
    // Truth: two full synthetic years (2021, 2022; Hallingdal's shape, mean 46 724 a day);
    // the true typical year is the mean of the two years' guest-nights.
    let start = NaiveDate::from_ymd_opt(2021, 1, 1).expect("a date");
    let mut full = Vec::new();
    Synth::hallingdal(start, 730, 7, 46_724.0)
        .write_csv(&mut full)
        .expect("generated");
    let full = String::from_utf8(full).expect("utf-8");
    let truth = yearly(&full, Annualisation::Calendar);
    let true_year = truth.region.guest_nights_per_year.expect("two full years");

    // Remove every day of July 2022 and one day in ten, chosen by a fixed rule of the date
    // (a multiplicative hash, so weekdays and seasons are hit alike).
    let removed = |date: NaiveDate| {
        let july = date.year() == 2022 && date.month() == 7;
        let hash = (date.num_days_from_ce() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        july || hash.is_multiple_of(10)
    };
    let gappy: String = full
        .lines()
        .filter(|line| {
            NaiveDate::parse_from_str(&line[..10.min(line.len())], "%Y-%m-%d")
                .map_or(true, |d| !removed(d))
        })
        .map(|l| format!("{l}\n"))
        .collect();

    let balanced = yearly(&gappy, Annualisation::SeasonBalanced);
    let plan = yearly(&gappy, Annualisation::Plan);
    let estimate = balanced.region.guest_nights_per_year.expect("a figure");
    let error = (estimate - true_year) / true_year;
    let plan_error = (plan.region.plan - true_year) / true_year;
    println!(
        "truth {true_year:.0}, season-balanced {estimate:.0} ({:+.2} %), plan's mean × 365 {:.0} ({:+.2} %), filled share {:.1} %",
        error * 100.0,
        plan.region.plan,
        plan_error * 100.0,
        balanced.region.filled_share * 100.0
    );
    assert!(
        error.abs() < 0.01,
        "season-balanced is off by {:.2} %",
        error * 100.0
    );
    // July 2022 is reported missing as one range.
    let year_2022 = &balanced.region.years[1];
    let july = (
        NaiveDate::from_ymd_opt(2022, 7, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2022, 7, 31).expect("a date"),
    );
    assert!(
        year_2022.missing.contains(&july)
            || year_2022
                .missing
                .iter()
                .any(|r| r.0 <= july.0 && r.1 >= july.1)
    );
    // About 10 % of days plus July are filled.
    assert!(balanced.region.filled_share > 0.1 && balanced.region.filled_share < 0.2);
    // The calendar method has no fully counted year to give.
    assert_eq!(
        yearly(&gappy, Annualisation::Calendar)
            .region
            .guest_nights_per_year,
        None
    );
}

#[test]
fn estimate_shows_the_yearly_figure_beside_the_plans_rule() {
    let dir = tempfile::tempdir().expect("a folder");
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let out = crate::util::deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--annualise",
            "calendar",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    let text = crate::util::stdout(&out);
    assert!(text.contains("Guest-nights per year, sum over a fully counted calendar year; negative days kept as they are:"), "{text}");
    // The region's line: the 2020 sum (the only full year) beside the plan's 9 682 516 (exact
    // 26 527.44 × 365, rounded), with the coverage of each year.
    let region = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("region"))
        .expect("the region's line");
    assert!(region.contains("9 682 516"), "{region}");
    assert!(
        region.contains("2019: 122 of 365, 2020: 366 of 366, 2021: 59 of 365"),
        "{region}"
    );
    // --negative needs --annualise.
    let out = crate::util::deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--negative",
            "clamp-day",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_yearly_figure_from_few_days_carries_a_caution() {
    // Regression: one counted day gave a yearly figure with no warning; 365 of 366 days of
    // 2020 were then filled by the model (99.7 %). Such a day now gives no figure (too few
    // months for the model), and so no caution of a fill either (the table said "99.7 %
    // filled" beside "-"). Six months do give one, resting mostly on the model: by hand,
    // 2019 has 122 of 365 days counted (67 % filled), 2020 (to 2020-02-29) 59 of 366 (84 %),
    // 72.2 % of the region's typical year with the years weighted by their counted share.
    let dir = tempfile::tempdir().expect("a folder");
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let run = |from: &str, to: &str| {
        let out = crate::util::deltid(
            dir.path(),
            &[
                "estimate",
                "--scenario",
                &scenario,
                "--from",
                from,
                "--to",
                to,
                "--annualise",
                "season-balanced",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
        crate::util::stdout(&out)
    };
    let one_day = run("2020-07-15", "2020-07-16");
    assert!(
        one_day.contains("- no season-balanced figure for"),
        "{one_day}"
    );
    assert!(!one_day.contains("caution"), "{one_day}");
    let half_year = run("2019-09-01", "2020-02-29");
    assert!(
        half_year.contains("- caution: 72.2 % of the region's days are filled by the model"),
        "{half_year}"
    );
}

#[test]
fn the_regions_yearly_figure_is_the_sum_of_its_areas_when_one_has_gaps() {
    // Regression: with Hol's winter missing, the region's season-balanced figure came from the
    // days with every area only (8.42 M) while its areas summed to 8.75 M.
    let counts = std::fs::read_to_string(data("hallingdal/counts.csv")).expect("counts");
    let gappy: String = counts
        .lines()
        .filter(|l| {
            let hol = l.get(11..15) == Some("3044");
            let date = l.get(..10).unwrap_or("");
            !(hol && (("2019-11-01".."2020-04-01").contains(&date) || date >= "2020-12-01"))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    for method in [Annualisation::Plan, Annualisation::SeasonBalanced] {
        let result = yearly(&gappy, method);
        let areas: f64 = result
            .areas
            .iter()
            .map(|a| a.guest_nights_per_year.expect("a figure"))
            .sum();
        let region = result.region.guest_nights_per_year.expect("a figure");
        assert!(
            (region - areas).abs() < 1e-6 * areas,
            "{method:?}: {region} vs {areas}"
        );
        // Hol's missing winter shows as missing region days across the new year.
        let year_2020 = &result.region.years[1];
        assert_eq!(
            year_2020.missing[0],
            (
                NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date"),
                NaiveDate::from_ymd_opt(2020, 3, 31).expect("a date")
            )
        );
    }
}

#[test]
fn partial_years_weigh_by_their_counted_share_and_show_what_was_filled() {
    // Regression: the typical year averaged 2019 (122 days counted), 2020 (366) and 2021
    // (59) equally. Each year now weighs its counted share, and its filled share is shown.
    let dir = tempfile::tempdir().expect("a folder");
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let args = [
        "estimate",
        "--scenario",
        &scenario,
        "--annualise",
        "season-balanced",
    ];
    let out = crate::util::deltid(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    let text = crate::util::stdout(&out);
    for expected in [
        "2019: 122 of 365 (67 % filled), 2020: 366 of 366, 2021: 59 of 365 (84 % filled)",
        "each calendar year weighs by the share of its days counted",
        "2019 0.33, 2020 1.00, 2021 0.16",
        "chosen by leave-one-month-out cross-validation",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = crate::util::deltid(dir.path(), &json_args);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let yearly = &doc["yearly"];
    let mut areas_total = 0.0;
    for area in yearly["areas"].as_array().expect("areas") {
        // The figure is the years' totals, each scaled to 365 days, averaged with the
        // counted shares as weights.
        let years = area["years"].as_array().expect("years");
        let (mut weighted, mut weights) = (0.0, 0.0);
        for y in years {
            let days = y["days_in_year"].as_f64().expect("days");
            let weight = y["weight"].as_f64().expect("a weight");
            assert!((weight - y["days_observed"].as_f64().expect("days") / days).abs() < 1e-12);
            weighted += weight * y["filled"].as_f64().expect("filled") * 365.0 / days;
            weights += weight;
        }
        let figure = area["guest_nights_per_year"].as_f64().expect("a figure");
        assert!(
            (weighted / weights - figure).abs() < 1e-6 * figure,
            "{area}"
        );
        // Filled share of the typical year: (0.334 × 0.666 + 0.162 × 0.838) / 1.496 = 23.9 %.
        let share = area["filled_share"].as_f64().expect("a share");
        assert!((share - 0.239).abs() < 0.001, "{share}");
        areas_total += figure;
    }
    let region = yearly["region"]["guest_nights_per_year"]
        .as_f64()
        .expect("a figure");
    assert!((region - areas_total).abs() < 1e-6 * region);
}

#[test]
fn clamping_negative_days_keeps_the_region_the_sum_of_its_areas_and_says_so() {
    // Two areas: A is 50 below its residents on 1 March and 50 above on 2 March; B is 200
    // and 100 above. The region's daily sums are +150 both days, so clamping them would give
    // 150 × 365 = 54 750. The rule clamps each area (A: 0 and 50, mean 25; B: mean 150) and
    // sums them: 175 × 365 = 63 875, and says so.
    let scenario = r#"
name = "Two"
uplift = 0
counts = "counts.csv"
[deductions]
commuters = 0
transit = 0
day_visitors = 0
[[area]]
code = "0001"
name = "A"
residents = 150
[[area]]
code = "0002"
name = "B"
residents = 100
"#;
    let counts = "date,area,count\n2021-03-01,0001,100\n2021-03-01,0002,300\n\
                  2021-03-02,0001,200\n2021-03-02,0002,200\n";
    let dir = crate::util::folder(&[("scenario.toml", scenario), ("counts.csv", counts)]);
    let run = crate::util::run(
        &dir.path().join("scenario.toml"),
        None,
        &Selection::default(),
    )
    .expect("estimated");
    let yearly = Yearly::new(
        run.estimate(),
        Annualisation::Plan,
        NegativePolicy::ClampDay,
    );
    assert!((yearly.areas[0].plan - 25.0 * 365.0).abs() < 1e-9);
    assert!((yearly.region.plan - 175.0 * 365.0).abs() < 1e-9);
    assert!((yearly.region.guest_nights_per_year.expect("a figure") - 63_875.0).abs() < 1e-9);
    // The region's counted guest-nights are its areas' as clamped: 0 + 200 + 50 + 100.
    assert!((yearly.region.years[0].counted - 350.0).abs() < 1e-9);
    assert!(
        yearly
            .negative
            .contains("in each area, then the areas summed")
    );
    let out = crate::util::deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "scenario.toml",
            "--annualise",
            "plan",
            "--negative",
            "clamp-day",
        ],
    );
    let text = crate::util::stdout(&out);
    assert!(
        text.contains("negative days counted as 0 in each area, then the areas summed"),
        "{text}"
    );
    let region = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("region"))
        .expect("the region's line");
    assert!(region.contains("63 875"), "{region}");
}

/// 21 autumn nights are too few for the seasonal model to fill a year (it gave Flå −531 433
/// guest-nights a year): no season-balanced figure, the reason in the notes, the plan's rule
/// beside it; on a split, the years are the sums over the days counted, marked as such.
#[test]
fn too_few_months_give_no_season_balanced_figure() {
    let dir = crate::util::folder(&[]);
    let run = |scenario: &str, output: &[&str]| {
        let scenario = crate::util::data(scenario).display().to_string();
        let mut args = vec![
            "estimate",
            "--scenario",
            &scenario,
            "--annualise",
            "season-balanced",
        ];
        args.extend(output);
        let out = crate::util::deltid(dir.path(), &args);
        assert!(out.status.success(), "{}", crate::util::stderr(&out));
        crate::util::stdout(&out)
    };
    let json: serde_json::Value =
        serde_json::from_str(&run("hourly/scenario.toml", &["--format", "json"])).unwrap();
    let yearly = &json["yearly"];
    assert!(
        yearly["region"]["guest_nights_per_year"].is_null(),
        "{yearly}"
    );
    for area in yearly["areas"].as_array().unwrap() {
        assert!(area["guest_nights_per_year"].is_null(), "{area}");
        assert!(area["plan"].as_f64().unwrap() > 0.0);
    }
    let text = run("hourly/scenario.toml", &["--format", "table"]);
    assert!(
        text.contains("fewer than 6 calendar months with 7 days counted each"),
        "{text}"
    );
    // Nothing is said to be filled where nothing is (found by a new-user helper: the table
    // showed "filled 98.1 %" beside "-", and a caution that the figure rests on the model).
    assert!(!text.contains("filled by the model"), "{text}");
    let region = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("region"))
        .expect("the region's line");
    assert!(
        !region.contains('%') && !region.contains("filled"),
        "{region}"
    );
    // Nor is the model's fill of the year published in the coverage table.
    run("hourly/scenario.toml", &["--output", "y.csv"]);
    let yearly = std::fs::read_to_string(dir.path().join("y.yearly.csv")).unwrap();
    assert!(
        yearly.starts_with("area,name,") && yearly.ends_with(",\n"),
        "{yearly}"
    );
    let coverage = std::fs::read_to_string(dir.path().join("y.yearly_coverage.csv")).unwrap();
    assert!(
        coverage.contains("\n3039,Flå,2024,21,366,8471.0,8471,,,"),
        "{coverage}"
    );
    let split = run("home-split/scenario.toml", &["--format", "table"]);
    assert!(
        split.contains("21 / 366") && split.contains(" †"),
        "{split}"
    );
    assert!(
        split.contains("the sum over the days counted only"),
        "{split}"
    );
}
