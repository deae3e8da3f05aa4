//! The simulation studies behind the README's coverage and fill figures: not a timed
//! benchmark, a script that prints tables (docs/statistics.md quotes them).
//!
//! ```sh
//! cargo bench -p deltid --no-default-features --bench studies --profile dev             # all
//! cargo bench -p deltid --no-default-features --bench studies --profile dev -- --quick  # 10-20 × fewer
//! cargo bench -p deltid --no-default-features --bench studies --profile dev -- fill     # one study
//! ```
//!
//! The studies are `coverage`, `baseline` and `fill`. `--no-default-features` keeps polars,
//! spreadsheets and charts out of the build. Unoptimised (`--profile dev`), the full run took
//! 19 CPU minutes for `coverage`, 3 for `fill` and half a minute for `baseline`; an optimised
//! build should print the same numbers (no fast-math, no parallel sums), faster. Fixed seeds:
//! every run prints the same numbers.
//!
//! 1. **Sampling interval of the mean per day** ([`moving_block_bootstrap`]): AR(1) series
//!    with known mean, several φ, lengths and shapes; for each setting 10 batches of series
//!    (seeds 1 to 10), the coverage of the 90 % interval over all and its range over the
//!    batches, the share refused an interval and the mean block.
//! 2. **Baseline**: the rule it replaced (fixed ⌈n^(1/3)⌉-day blocks, at least 7) on the same
//!    365-day series.
//! 3. **Season-balanced fill** ([`TypicalYear`]): cabin-shaped series with days and a month
//!    removed; the figure's error against the full series' truth (mean, standard deviation,
//!    largest, share within ±1 %), the plan's rule's error beside it, and the coverage of the
//!    90 % fill-error interval.

#[path = "study.rs"]
mod study;

use study::{Gap, Noise, Season, fill_case, fixed_block_coverage, mean_coverage, spread};

/// Batches (seeds) per setting of the coverage study.
const BATCHES: u64 = 10;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = |study: &str| {
        let named = ["coverage", "baseline", "fill"];
        !args.iter().any(|a| named.contains(&a.as_str())) || args.iter().any(|a| a == study)
    };
    let series_per_batch: u32 = if quick { 20 } else { 200 };
    let fill_seeds: u64 = if quick { 10 } else { 200 };
    let draws: u32 = 1_000;

    if only("coverage") {
        coverage(series_per_batch, draws);
    }
    if only("baseline") {
        baseline(series_per_batch, draws);
    }
    if only("fill") {
        fill(fill_seeds, draws);
    }
}

/// The coverage study of the mean per day's sampling interval.
fn coverage(series_per_batch: u32, draws: u32) {
    println!(
        "1. Sampling interval of the mean per day: 90 % moving-block bootstrap, block length by Politis & White (2004) / Patton, Politis & White (2009), calibrated width; {draws} resamples; {BATCHES} batches of {series_per_batch} series (seeds 1-{BATCHES})\n"
    );
    println!("| shape | days | φ | coverage | batches' range | no interval | mean block (days) |");
    println!("|---|---:|---:|---:|---|---:|---:|");
    let mut settings: Vec<(Noise, usize, f64)> = Vec::new();
    for noise in [Noise::Gaussian, Noise::Skewed, Noise::Weekly] {
        for phi in [0.0, 0.3, 0.5, 0.7, 0.9] {
            settings.push((noise, 365, phi));
        }
    }
    for days in [90, 180, 548, 730] {
        for phi in [0.3, 0.7, 0.9] {
            settings.push((Noise::Gaussian, days, phi));
        }
    }
    for (noise, days, phi) in settings {
        let batches: Vec<study::Coverage> = (1..=BATCHES)
            .map(|seed| {
                mean_coverage(
                    phi,
                    days,
                    noise,
                    series_per_batch,
                    draws,
                    seed * 1_000 + (phi * 10.0) as u64,
                )
            })
            .collect();
        let covered: u32 = batches.iter().map(|b| b.covered).sum();
        let given: u32 = batches.iter().map(|b| b.with_interval).sum();
        let series: u32 = batches.iter().map(|b| b.series).sum();
        let rates: Vec<f64> = batches.iter().map(study::Coverage::rate).collect();
        let low = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let high = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let blocks: f64 = batches.iter().map(|b| b.blocks).sum();
        let refused = 100.0 * (1.0 - f64::from(given) / f64::from(series));
        if given == 0 {
            println!(
                "| {} | {days} | {phi} | - | - | {refused:.1} % | - |",
                noise.name()
            );
            continue;
        }
        println!(
            "| {} | {days} | {phi} | {:.1} % | {:.1}-{:.1} % | {refused:.1} % | {:.1} |",
            noise.name(),
            100.0 * f64::from(covered) / f64::from(given),
            100.0 * low,
            100.0 * high,
            blocks / f64::from(given),
        );
    }
}

/// The rule before issue 13 (fixed ⌈n^(1/3)⌉-day blocks, at least 7, no calibration) on the
/// same series as the coverage study's 365-day rows.
fn baseline(series_per_batch: u32, draws: u32) {
    println!(
        "\n2. The rule it replaced on the same series: 8-day blocks (⌈365^(1/3)⌉, at least 7), plain percentile interval; {draws} resamples; {BATCHES} batches of {series_per_batch} series\n"
    );
    println!("| shape | days | φ | coverage | batches' range |");
    println!("|---|---:|---:|---:|---|");
    for noise in [Noise::Gaussian, Noise::Skewed, Noise::Weekly] {
        for phi in [0.0, 0.3, 0.5, 0.7, 0.9] {
            let batches: Vec<study::Coverage> = (1..=BATCHES)
                .map(|seed| {
                    fixed_block_coverage(
                        phi,
                        365,
                        noise,
                        series_per_batch,
                        draws,
                        seed * 1_000 + (phi * 10.0) as u64,
                    )
                })
                .collect();
            let covered: u32 = batches.iter().map(|b| b.covered).sum();
            let given: u32 = batches.iter().map(|b| b.with_interval).sum();
            let rates: Vec<f64> = batches.iter().map(study::Coverage::rate).collect();
            let low = rates.iter().copied().fold(f64::INFINITY, f64::min);
            let high = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            println!(
                "| {} | 365 | {phi} | {:.1} % | {:.1}-{:.1} % |",
                noise.name(),
                100.0 * f64::from(covered) / f64::from(given.max(1)),
                100.0 * low,
                100.0 * high,
            );
        }
    }
}

/// The fill study: the season-balanced figure's error and its interval's coverage.
fn fill(fill_seeds: u64, draws: u32) {
    println!(
        "\n3. Season-balanced fill: {fill_seeds} seeds per row (1-{fill_seeds}); errors of the yearly figure against the full series' typical year; 90 % fill-error interval with {draws} draws\n"
    );
    println!(
        "| shape | gap | error: mean | sd | largest | within ±1 % | plan's rule: mean error | interval coverage | mean width |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for season in [
        Season::Cabin,
        Season::SharpPeaks,
        Season::Hallingdal,
        Season::PeakInGap,
    ] {
        for gap in [Gap::OneYearJuly, Gap::TwoYearsJuly, Gap::TwoYearsFebruary] {
            let cases: Vec<study::FillCase> = (1..=fill_seeds)
                .map(|seed| fill_case(season, gap, seed, draws))
                .collect();
            let errors: Vec<f64> = cases.iter().map(|c| 100.0 * c.error()).collect();
            let plan: Vec<f64> = cases.iter().map(|c| 100.0 * c.plan_error()).collect();
            let (mean, sd, largest) = spread(&errors);
            let within = errors.iter().filter(|e| e.abs() <= 1.0).count();
            let covered: Vec<bool> = cases.iter().filter_map(study::FillCase::covered).collect();
            let widths: Vec<f64> = cases
                .iter()
                .filter_map(|c| c.interval.map(|(l, h)| 100.0 * (h - l) / c.truth))
                .collect();
            println!(
                "| {} | {} | {mean:+.2} % | {sd:.2} % | {largest:.2} % | {:.1} % | {:+.2} % | {:.0} % ({} of {}) | {:.2} % |",
                season.name(),
                gap.name(),
                100.0 * within as f64 / errors.len() as f64,
                spread(&plan).0,
                100.0 * covered.iter().filter(|c| **c).count() as f64 / covered.len().max(1) as f64,
                covered.iter().filter(|c| **c).count(),
                covered.len(),
                spread(&widths).0,
            );
        }
    }
}
