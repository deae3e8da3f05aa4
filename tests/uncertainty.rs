//! Uncertainty: the Monte Carlo over the scenario's ranges, the sensitivity table and the
//! block-bootstrap interval for the mean per day.

use deltid::analysis::{Uncertainty, UncertaintyOptions, moving_block_bootstrap};
use deltid::output::{Daily, Format, write_run};
use deltid::{Deduction, Parameter, Run, Selection, scenario_from_toml};

use crate::util::{EPS, data, deltid, folder, stderr, stdout};

/// Monte Carlo means must lie within this many of their standard errors of the analytic
/// mean: a draw this far off happens by chance about once in 16 000 runs (normal tails).
const STANDARD_ERRORS: f64 = 4.0;

/// Days per year by the plan's rule.
const YEAR: f64 = 365.0;

/// The region's mean observed per day in data/hallingdal/counts.csv (the plan's 46 724).
const OBSERVED: f64 = 46_724.0;

/// The plan's scenario with the uplift and the commuters given as ranges.
fn scenario_text() -> String {
    format!(
        r#"
        name = "Hallingdal"
        uplift = {{ uniform = [0.04, 0.08] }}
        counts = "{}"
        [deductions]
        residents = 20000
        commuters = {{ triangular = [500, 1000, 1500] }}
        transit = 1000
        day_visitors = 1000
        [[area]]
        code = "3039"
        name = "Flå"
        [[area]]
        code = "3040"
        name = "Nesbyen"
        [[area]]
        code = "3041"
        name = "Gol"
        [[area]]
        code = "3042"
        name = "Hemsedal"
        [[area]]
        code = "3043"
        name = "Ål"
        [[area]]
        code = "3044"
        name = "Hol"
        "#,
        data("hallingdal/counts.csv")
            .display()
            .to_string()
            .replace('\\', "/")
    )
}

fn report() -> (tempfile::TempDir, Run) {
    let dir = folder(&[("ranges.toml", &scenario_text())]);
    let run = crate::util::run(&dir.path().join("ranges.toml"), None, &Selection::default())
        .expect("estimated");
    (dir, run)
}

fn uncertainty(report: &Run, seed: u64) -> Uncertainty {
    let options = UncertaintyOptions::new(10_000, seed).expect("valid options");
    Uncertainty::new(report.estimate(), report.summary(), &options).expect("uncertainty")
}

#[test]
fn monte_carlo_mean_matches_the_analytic_mean() {
    let (_dir, report) = report();
    assert!((report.summary().region().mean().observed() - OBSERVED).abs() < EPS * OBSERVED);
    // At the means (uplift 0.06, commuters 1000), by hand:
    // 365 × (46 724 × 1.06 − 20 000 − 1 000 − 1 000 − 1 000) = 365 × 26 527.44 = 9 682 515.6.
    let analytic = 9_682_515.6;
    let u = uncertainty(&report, 1);
    assert!((u.per_day_at_means * YEAR - analytic).abs() < EPS * analytic);
    // Standard deviation per year, by hand: uplift U(0.04, 0.08) has sd 0.04/√12, times
    // 365 × 46 724 = 196 926; commuters Tri(500, 1000, 1500) has variance
    // (500² + 1000² + 1500² − 500·1000 − 500·1500 − 1000·1500)/18 = 41 667, sd 204.1, times
    // 365 = 74 507; together √(196 926² + 74 507²) = 210 550, so the standard error of 10 000
    // draws is 2 105.5.
    let expected_se = 2_105.5;
    assert!(
        (u.per_year.standard_error / expected_se - 1.0).abs() < 0.05,
        "standard error {}",
        u.per_year.standard_error
    );
    let tolerance = STANDARD_ERRORS * u.per_year.standard_error;
    assert!(
        (u.per_year.mean - analytic).abs() < tolerance,
        "Monte Carlo mean {} vs analytic {analytic} (tolerance {tolerance})",
        u.per_year.mean
    );
    assert!((u.per_day.mean * YEAR - u.per_year.mean).abs() < EPS * analytic);
}

#[test]
fn monte_carlo_is_reproducible_by_seed() {
    let (_dir, report) = report();
    let (a, b, c) = (
        uncertainty(&report, 7),
        uncertainty(&report, 7),
        uncertainty(&report, 8),
    );
    assert_eq!(a, b);
    assert_ne!(a.per_year, c.per_year);
    assert_ne!(a.sampling, c.sampling);
}

#[test]
fn percentiles_are_ordered_and_straddle_the_estimate() {
    let (_dir, report) = report();
    let u = uncertainty(&report, 1);
    for p in [u.per_day, u.per_year] {
        assert!(p.p5 < p.p50 && p.p50 < p.p95, "{p:?}");
    }
    let at_means = u.per_day_at_means * YEAR;
    assert!(u.per_year.p5 < at_means && at_means < u.per_year.p95);
    let sampling = u.sampling.expect("547 days");
    assert!(sampling.low < sampling.mean && sampling.mean < sampling.high);
}

#[test]
fn sensitivity_puts_the_uplift_first() {
    let (_dir, report) = report();
    let u = uncertainty(&report, 1);
    let order: Vec<Parameter> = u.sensitivity.iter().map(|s| s.parameter).collect();
    assert_eq!(
        order,
        [
            Parameter::Uplift,
            Parameter::Deduction(Deduction::Commuters)
        ]
    );
    // Uplift: P95 − P5 of U(0.04, 0.08) = 0.9 × 0.04 = 0.036; × 365 × 46 724 = 613 953.36.
    let uplift = 0.036 * YEAR * OBSERVED;
    // Commuters: the symmetric triangle's P5 is 500 + √(0.05 × 1000 × 500) = 658.11, its P95
    // 1341.89; P95 − P5 = 1000 − 2√25 000 = 683.77, × 365 = 249 576.9 (fewer guest-nights
    // with more commuters, so the P95 end is the lower one).
    let commuters = (1000.0 - 2.0 * 25_000f64.sqrt()) * YEAR;
    for (row, swing) in u.sensitivity.iter().zip([uplift, commuters]) {
        assert!(
            (row.swing - swing).abs() < 1e-6 * swing,
            "{:?}: {} vs {swing}",
            row.parameter,
            row.swing
        );
    }
    let commuters_row = &u.sensitivity[1];
    assert!(commuters_row.per_year_at_high < commuters_row.per_year_at_low);
}

#[test]
fn ranges_are_read_at_their_means_and_checked() {
    let (_dir, report) = report();
    assert!((report.scenario().uplift().fraction() - 0.06).abs() < EPS);
    assert_eq!(report.scenario().uncertain().len(), 2);
    let wrong = [
        // A percent where a fraction belongs.
        (
            "uplift = { uniform = [0.04, 0.08] }",
            "uplift = { uniform = [4, 8] }",
            "`uplift`",
        ),
        (
            "commuters = { triangular = [500, 1000, 1500] }",
            "commuters = { normal = [1000, 0] }",
            "`deductions.commuters`",
        ),
        (
            "commuters = { triangular = [500, 1000, 1500] }",
            "commuters = { uniform = [-10, 10] }",
            "`deductions.commuters`",
        ),
        // Regression: a normal range's mean ± 3 sd must stay within the limits (an uplift of
        // N(0.06, 0.5) drew −76 %).
        (
            "uplift = { uniform = [0.04, 0.08] }",
            "uplift = { normal = [0.06, 0.5] }",
            "`uplift`",
        ),
        (
            "commuters = { triangular = [500, 1000, 1500] }",
            "commuters = { normal = [100, 300] }",
            "`deductions.commuters`",
        ),
    ];
    for (from, to, key) in wrong {
        let text = scenario_text().replace(from, to);
        let err = scenario_from_toml(&text, "ranges.toml".as_ref()).expect_err(to);
        assert!(err.to_string().contains(key), "{to}: {err}");
    }
}

#[test]
fn estimate_with_uncertainty_prints_intervals_and_the_tornado() {
    let dir = folder(&[("ranges.toml", &scenario_text())]);
    let run = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "ranges.toml",
            "--uncertainty",
            "--draws",
            "2000",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let out = stdout(&run);
    // The plan's table keeps its shape, at the means.
    assert!(out.contains("26 527"), "{out}");
    for expected in [
        "Uncertainty (90 % intervals",
        "guest-nights per year",
        "Sensitivity",
        "uplift",
        "deductions.commuters",
        "Künsch 1989",
    ] {
        assert!(out.contains(expected), "no {expected:?} in\n{out}");
    }
    let uplift = out.find("\n uplift").expect("an uplift row");
    let commuters = out
        .find("\n deductions.commuters")
        .expect("a commuters row");
    assert!(uplift < commuters, "the uplift swings most:\n{out}");

    let json = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "ranges.toml",
            "--uncertainty",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(doc["uncertainty"]["parameters"][0]["parameter"], "uplift");
    assert!(doc["uncertainty"]["per_year"]["p95"].as_f64().is_some());

    let few = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "ranges.toml",
            "--uncertainty",
            "--draws",
            "10",
        ],
    );
    assert_eq!(few.status.code(), Some(2), "{}", stderr(&few));
}

#[test]
fn report_write_leaves_the_table_alone_without_uncertainty() {
    let run = crate::util::run(
        &data("hallingdal/plan-2021.toml"),
        None,
        &Selection::default(),
    )
    .expect("estimated");
    let mut text = Vec::new();
    write_run(&run, Format::Table, Daily::Omit, &mut text).expect("written");
    assert!(!String::from_utf8_lossy(&text).contains("Uncertainty"));
}

#[test]
fn season_balanced_interval_is_centred_on_the_season_balanced_figure() {
    // At the parameters' means (uplift 0.06, commuters 1 000) the season-balanced figure of the
    // Monte Carlo equals the one deltid::analysis::Yearly computes; the draws straddle it, and the
    // uplift's range moves it by about its share of the year, as for the plan's rule.
    use deltid::analysis::{Annualisation, NegativePolicy, Yearly};
    let (_dir, report) = report();
    let u = uncertainty(&report, 1);
    let yearly = Yearly::new(
        report.estimate(),
        Annualisation::SeasonBalanced,
        NegativePolicy::Keep,
    );
    let figure = yearly.region.guest_nights_per_year.expect("a figure");
    let at_means = u
        .season_balanced_at_means
        .expect("a season-balanced figure");
    assert!(
        (at_means - figure).abs() < 1e-6 * figure,
        "{at_means} vs {figure}"
    );
    let b = &u.season_balanced_per_year.expect("its draws");
    assert!(b.p5 < figure && figure < b.p95);
    // The interval's width is close to the plan's (the uplift dominates both).
    let plan_width = u.per_year.p95 - u.per_year.p5;
    assert!(((b.p95 - b.p5) / plan_width - 1.0).abs() < 0.1);
    // Its sampling interval (the error of the filled days: residuals of the seasonal model,
    // resampled in blocks, the fill refitted) holds the figure and is narrower than the plan's,
    // whose bootstrap treats the seasons as noise.
    let (low, high) = u.season_balanced_sampling.expect("enough days");
    assert!(low < figure && figure < high, "{low} {figure} {high}");
    let sampling = u.sampling.expect("547 days");
    let plan_sampling = (sampling.high - sampling.low) * 365.0;
    assert!(
        high - low < plan_sampling,
        "{} vs {plan_sampling}",
        high - low
    );
}

#[test]
fn parameters_and_sampling_are_combined_in_one_set_of_draws() {
    // Regression: the parameter ranges and the sampling interval were shown side by side and
    // never combined. Both parts are still shown, and the combined interval, from one
    // simulation drawing both, is wider than either and narrower than their widths added
    // (independent parts add in variance).
    let (_dir, report) = report();
    let u = uncertainty(&report, 3);
    let width = |p: (f64, f64)| p.1 - p.0;
    for (parameters, sampling, combined) in [
        (
            (u.per_day.p5, u.per_day.p95),
            u.sampling
                .map(|s| (s.low, s.high))
                .expect("a sampling interval"),
            u.per_day_combined.map(|p| (p.p5, p.p95)).expect("combined"),
        ),
        (
            u.season_balanced_per_year
                .map(|p| (p.p5, p.p95))
                .expect("season-balanced draws"),
            u.season_balanced_sampling.expect("a fill interval"),
            u.season_balanced_combined
                .map(|p| (p.p5, p.p95))
                .expect("combined"),
        ),
    ] {
        let (p, s, c) = (width(parameters), width(sampling), width(combined));
        assert!(
            c > p.max(s) && c < p + s,
            "parameters {p}, sampling {s}, combined {c}"
        );
        // Independent normal-like parts: √(p² + s²) within a tenth.
        assert!(
            (c / (p * p + s * s).sqrt() - 1.0).abs() < 0.1,
            "{p} {s} {c}"
        );
    }
    let per_year = u.per_year_combined.expect("combined");
    let per_day = u.per_day_combined.expect("combined");
    assert!((per_year.p95 - per_day.p95 * YEAR).abs() < 1e-6 * per_year.p95);
}

#[test]
fn draws_are_the_resamples_too() {
    // Regression: --draws said it set the bootstrap's resamples, which were capped at 2 000.
    let dir = folder(&[("ranges.toml", &scenario_text())]);
    let run = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "ranges.toml",
            "--uncertainty",
            "--draws",
            "3000",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(doc["uncertainty"]["draws"], 3000);
    assert_eq!(doc["uncertainty"]["sampling"]["resamples"], 3000);
    let help = deltid(dir.path(), &["estimate", "--help"]);
    let help = stdout(&help)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("so this is also the number of resamples"),
        "{help}"
    );
    assert!(!help.contains("at most 2 000"), "{help}");
}

#[test]
fn a_week_of_counts_gets_no_sampling_interval() {
    // Regression: 7 days gave "sampling 90 % 5 209 to 5 209".
    let dir = folder(&[("ranges.toml", &scenario_text())]);
    let run = deltid(
        dir.path(),
        &[
            "estimate",
            "--scenario",
            "ranges.toml",
            "--from",
            "2020-03-02",
            "--to",
            "2020-03-09",
            "--uncertainty",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        out.contains(
            "no sampling interval from 7 days: a sampling interval needs at least 180 days"
        ),
        "{out}"
    );
    let per_day = out
        .lines()
        .find(|l| l.trim_start().starts_with("guest-nights per day"))
        .expect("the per-day row");
    assert!(per_day.trim_end().ends_with('-'), "{per_day}");
    // The library says the same.
    let days: Vec<_> =
        crate::util::run(&dir.path().join("ranges.toml"), None, &Selection::default())
            .expect("estimated")
            .estimate()
            .region_days()
            .take(7)
            .map(|d| (d.date, d.lines.part_time()))
            .collect();
    assert!(moving_block_bootstrap(&days, 500, 1).is_err());
}
