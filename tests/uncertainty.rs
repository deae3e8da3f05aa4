//! Uncertainty: the Monte Carlo over the scenario's ranges, the sensitivity table and the
//! block-bootstrap interval for the mean per day.

use deltid::analysis::{Uncertainty, UncertaintyOptions, block_length, moving_block_bootstrap};
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
    let options = UncertaintyOptions::new(10_000, 500, seed).expect("valid options");
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
    assert!(u.sampling.low < u.sampling.mean && u.sampling.mean < u.sampling.high);
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

/// A seeded generator for the tests' AR(1) series (SplitMix64, Steele, Lea and Flood 2014).
struct SplitMix(u64);

impl SplitMix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal number (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (a, b) = (self.unit(), self.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
}

#[test]
fn block_bootstrap_intervals_cover_the_true_mean_about_90_percent_of_years() {
    // 200 simulated years of an AR(1) series with a known mean, started in its stationary
    // distribution: x(d) = mean + φ (x(d−1) − mean) + ε, ε ~ N(0, sd²).
    const YEARS: usize = 200;
    const DAYS: usize = 365;
    const RESAMPLES: u32 = 200;
    let (mean, phi, sd) = (26_527.0, 0.5, 3_000.0);
    let mut rng = SplitMix(2024);
    let mut covered = 0;
    for year in 0..YEARS {
        let mut x = mean + rng.normal() * sd / (1.0f64 - phi * phi).sqrt();
        let series: Vec<f64> = (0..DAYS)
            .map(|_| {
                x = mean + phi * (x - mean) + rng.normal() * sd;
                x
            })
            .collect();
        let interval = moving_block_bootstrap(&series, block_length(DAYS), RESAMPLES, year as u64)
            .expect("an interval");
        if interval.low <= mean && mean <= interval.high {
            covered += 1;
        }
    }
    let share = covered as f64 / YEARS as f64;
    // With 200 years the share covering has a binomial sd of √(0.9 × 0.1 / 200) = 0.021 around
    // 0.90. The bootstrap with 8-day blocks slightly underestimates the long-run variance of
    // an AR(1) with φ = 0.5 (the variance within blocks misses lags beyond the block, bias of
    // order 1/block; expected coverage about 0.87), and 200 resamples add noise to the ends.
    // 0.82..0.96 is 0.87 − 2.5 sd to 0.90 + 3 sd: it fails a bootstrap that ignores the
    // dependence (an iid bootstrap covers about 0.66 here) and one far too wide.
    assert!(
        (0.82..=0.96).contains(&share),
        "{covered} of {YEARS} intervals cover the true mean"
    );
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
    assert!(
        (u.season_balanced_at_means - figure).abs() < 1e-6 * figure,
        "{} vs {figure}",
        u.season_balanced_at_means
    );
    let b = &u.season_balanced_per_year;
    assert!(b.p5 < figure && figure < b.p95);
    // The interval's width is close to the plan's (the uplift dominates both).
    let plan_width = u.per_year.p95 - u.per_year.p5;
    assert!(((b.p95 - b.p5) / plan_width - 1.0).abs() < 0.1);
    // Its sampling interval (residuals of the seasonal model, resampled in blocks) holds the
    // figure and is narrower than the plan's, whose bootstrap treats the seasons as noise.
    let (low, high) = u.season_balanced_sampling.expect("enough days");
    assert!(low < figure && figure < high, "{low} {figure} {high}");
    let plan_sampling = (u.sampling.high - u.sampling.low) * 365.0;
    assert!(
        high - low < plan_sampling,
        "{} vs {plan_sampling}",
        high - low
    );
}
