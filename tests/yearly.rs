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
    // 2020 are then filled by the model (99.7 %).
    let dir = tempfile::tempdir().expect("a folder");
    let scenario = data("hallingdal/plan-2021.toml").display().to_string();
    let out = crate::util::deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            &scenario,
            "--from",
            "2020-07-15",
            "--to",
            "2020-07-16",
            "--annualise",
            "season-balanced",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    let text = crate::util::stdout(&out);
    assert!(
        text.contains("Caution: 99.7 % of the region's days are filled by the model"),
        "{text}"
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
