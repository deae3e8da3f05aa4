//! Benchmarks of the pipeline stages: reading counts (CSV and Parquet), estimating and
//! summarising, the planners' population view, and the whole job a user runs by default.
//!
//! One group per stage, each swept over three sizes of seeded synthetic counts
//! ([`Synth::generic`]): Hallingdal (6 areas × 550 days, the size of the plan's data), all 357
//! Norwegian municipalities for ten years (357 × 3 650 = 1.3 M rows) and Europe's ~100 000 LAU
//! regions for a year (100 000 × 365 = 36.5 M rows). Throughput is in rows, one row per area
//! and day. Setup (generating and writing the files, reading the input of a stage) happens
//! outside the timed closures; the LAU files take a minute and some 1.6 GB of temporary disk
//! to write.
//!
//! Run with `cargo bench --bench estimate`; add `-- --quick` for a short run, or a filter such
//! as `-- hallingdal` or `-- job/` for some of it. The targets (the Hallingdal job under
//! 100 ms; the job at 10 M rows at least 1.5× as fast as a hand-written DuckDB or polars
//! query) are checked against other tools by `benches/compare/`, whose results are in
//! `benches/compare-results.md`.
#![allow(
    clippy::expect_used,
    reason = "a bench's inputs are generated here, not read from data; a failed setup should stop the run"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use deltid::analysis::{Population, PopulationOptions};
use deltid::synth::Synth;
use deltid::{
    Counts, CountsOptions, Plan, Scenario, Selection, read_counts, read_scenario,
    scenario_from_toml,
};
use polars::prelude::{Column, DataFrame, DataType, ParquetWriter};

/// Seed of the synthetic counts; fixed, so every run measures the same data.
const SEED: u64 = 2021;

/// Persons present per area and day on average (Hallingdal's plan: 46 724 / 6 ≈ 7 787).
const MEAN_PER_AREA: f64 = 7_800.0;

/// Region-level deductions as fractions of the region's mean present persons, close to the
/// plan's (residents 20 000 and 1 000 each for commuters, transit and day visitors, of 46 724).
const RESIDENTS_SHARE: f64 = 0.43;
const OTHER_DEDUCTION_SHARE: f64 = 0.02;

/// A size of input: areas × days.
struct Size {
    /// What the size stands for, in the benchmark id.
    label: &'static str,
    areas: u32,
    days: u32,
}

impl Size {
    fn rows(&self) -> u64 {
        u64::from(self.areas) * u64::from(self.days)
    }

    fn synth(&self) -> Synth {
        let start = NaiveDate::from_ymd_opt(2019, 9, 1).expect("2019-09-01 is a date");
        Synth::generic(
            self.areas,
            start,
            self.days,
            SEED,
            f64::from(self.areas) * MEAN_PER_AREA,
        )
    }

    /// A scenario listing the areas `Synth::generic` makes (codes `0001`, `0002`, …), with
    /// region-level deductions allocated by present share, as in the plan.
    fn scenario_toml(&self) -> String {
        let mean = f64::from(self.areas) * MEAN_PER_AREA;
        let mut toml = format!(
            "name = \"Bench\"\n\
             uplift = 0.06\n\
             allocation = \"present\"\n\
             [deductions]\n\
             residents = {residents}\n\
             commuters = {other}\n\
             transit = {other}\n\
             day_visitors = {other}\n",
            residents = (mean * RESIDENTS_SHARE).round(),
            other = (mean * OTHER_DEDUCTION_SHARE).round(),
        );
        for i in 1..=self.areas {
            toml.push_str(&format!(
                "[[area]]\ncode = \"{i:04}\"\nname = \"Area {i}\"\n"
            ));
        }
        toml
    }

    fn scenario(&self) -> Scenario {
        scenario_from_toml(&self.scenario_toml(), Path::new("bench.toml"))
            .expect("the bench scenario is valid")
    }

    fn counts(&self, scenario: &Scenario) -> Counts {
        self.synth()
            .to_counts(scenario, Path::new("synthetic"))
            .expect("synthetic counts are valid")
    }

    /// Writes the counts as CSV and as Parquet (columns `date` as a date, `area` as text and
    /// `count` as a whole number, in one polars write) and the scenario beside them; returns
    /// (scenario, CSV, Parquet).
    fn files(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let stem = format!("{}x{}", self.areas, self.days);
        let csv = dir.join(format!("{stem}.csv"));
        let file = std::fs::File::create(&csv).expect("the counts file can be created");
        self.synth()
            .write_csv(std::io::BufWriter::new(file))
            .expect("synthetic counts can be written");
        let scenario = dir.join(format!("{stem}.toml"));
        std::fs::write(&scenario, self.scenario_toml()).expect("the scenario can be written");
        let parquet = csv.with_extension("parquet");
        let synth = self.synth();
        let rows = synth.generate().expect("synthetic counts are valid");
        let epoch = NaiveDate::default();
        let days: Vec<i32> = rows
            .iter()
            .map(|(date, _, _)| date.signed_duration_since(epoch).num_days() as i32)
            .collect();
        let areas: Vec<String> = rows
            .iter()
            .map(|(_, area, _)| format!("{:04}", area + 1))
            .collect();
        let counts: Vec<i64> = rows.iter().map(|(_, _, count)| *count as i64).collect();
        let height = rows.len();
        drop(rows);
        let columns = vec![
            Column::new("date".into(), days)
                .cast(&DataType::Date)
                .expect("days cast to dates"),
            Column::new("area".into(), areas),
            Column::new("count".into(), counts),
        ];
        let mut frame = DataFrame::new(height, columns).expect("the frame builds");
        let file = std::fs::File::create(&parquet).expect("the Parquet file can be created");
        ParquetWriter::new(file)
            .finish(&mut frame)
            .expect("the Parquet file is written");
        (scenario, csv, parquet)
    }
}

const SIZES: [Size; 3] = [
    Size {
        label: "hallingdal",
        areas: 6,
        days: 550,
    },
    Size {
        label: "norway_10y",
        areas: 357,
        days: 3650,
    },
    Size {
        label: "lau_1y",
        areas: 100_000,
        days: 365,
    },
];

/// Applies the group settings shared by all stages: few samples, and a few seconds each.
fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
}

/// Inputs made once per size, when a benchmark of that size first runs (so a filter such as
/// `-- hallingdal` makes only the small ones).
struct Inputs {
    _dir: tempfile::TempDir,
    /// The scenario's file, the counts as CSV and as Parquet.
    scenario: PathBuf,
    csv: PathBuf,
    parquet: PathBuf,
    /// The estimate of all days and areas, and its summary.
    estimate: deltid::Estimate,
    summary: deltid::Summary,
}

fn inputs(index: usize) -> &'static Inputs {
    static INPUTS: [std::sync::OnceLock<Inputs>; 3] = [const { std::sync::OnceLock::new() }; 3];
    INPUTS[index].get_or_init(|| {
        let size = &SIZES[index];
        let dir = tempfile::tempdir().expect("a temporary folder can be made");
        let (scenario, csv, parquet) = size.files(dir.path());
        let parsed = size.scenario();
        let counts = size.counts(&parsed);
        let estimate = Plan::new(&parsed, &Selection::default())
            .and_then(|plan| plan.estimate(&counts))
            .expect("the estimate runs");
        let summary = estimate.summary();
        Inputs {
            _dir: dir,
            scenario,
            csv,
            parquet,
            estimate,
            summary,
        }
    })
}

/// A benchmark id: the size's label (with the input's format, if any) and its shape.
fn id(size: &Size, format: Option<&str>) -> BenchmarkId {
    let label = match format {
        Some(format) => format!("{}_{format}", size.label),
        None => size.label.to_owned(),
    };
    BenchmarkId::new(label, format!("{}x{}", size.areas, size.days))
}

/// [`read_counts`] of a CSV and a Parquet file into the model's compact counts.
fn read(c: &mut Criterion) {
    let mut group = c.benchmark_group("read");
    configure(&mut group);
    for (index, size) in SIZES.iter().enumerate() {
        group.throughput(Throughput::Elements(size.rows()));
        for format in ["csv", "parquet"] {
            group.bench_function(id(size, Some(format)), |b| {
                let inputs = inputs(index);
                let scenario = read_scenario(&inputs.scenario).expect("the scenario reads");
                let path = if format == "csv" {
                    &inputs.csv
                } else {
                    &inputs.parquet
                };
                b.iter(|| {
                    read_counts(black_box(path), &CountsOptions::default(), &scenario)
                        .expect("the file reads")
                });
            });
        }
    }
    group.finish();
}

/// [`Plan::estimate`] and its summary (the plan's table per area and for the region) on
/// counts in memory, all days and areas.
fn estimate(c: &mut Criterion) {
    let mut group = c.benchmark_group("estimate");
    configure(&mut group);
    for (index, size) in SIZES.iter().enumerate() {
        group.throughput(Throughput::Elements(size.rows()));
        group.bench_function(id(size, None), |b| {
            let estimate = &inputs(index).estimate;
            let plan = estimate.plan();
            let counts = estimate.counts();
            b.iter(|| {
                plan.estimate(black_box(counts))
                    .expect("the estimate runs")
                    .summary()
            });
        });
    }
    group.finish();
}

/// [`Population::new`] (peaks, percentiles, calendar labels) on an estimate of all days and
/// areas.
fn population(c: &mut Criterion) {
    let options = PopulationOptions::default();
    let mut group = c.benchmark_group("population");
    configure(&mut group);
    for (index, size) in SIZES.iter().enumerate() {
        group.throughput(Throughput::Elements(size.rows()));
        group.bench_function(id(size, None), |b| {
            let inputs = inputs(index);
            b.iter(|| {
                Population::new(black_box(&inputs.estimate), &inputs.summary, &options)
                    .expect("the view builds")
            });
        });
    }
    group.finish();
}

/// The whole job of `deltid estimate --scenario s.toml --counts c.csv`, as the library runs
/// it: read the scenario, read the counts, estimate, summarise.
fn job(c: &mut Criterion) {
    let mut group = c.benchmark_group("job");
    configure(&mut group);
    for (index, size) in SIZES.iter().enumerate() {
        group.throughput(Throughput::Elements(size.rows()));
        for format in ["csv", "parquet"] {
            group.bench_function(id(size, Some(format)), |b| {
                let inputs = inputs(index);
                let path = if format == "csv" {
                    &inputs.csv
                } else {
                    &inputs.parquet
                };
                b.iter(|| {
                    let scenario = read_scenario(&inputs.scenario).expect("the scenario reads");
                    let counts = read_counts(black_box(path), &CountsOptions::default(), &scenario)
                        .expect("the file reads");
                    Plan::new(&scenario, &Selection::default())
                        .and_then(|plan| plan.estimate(&counts))
                        .expect("the estimate runs")
                        .summary()
                });
            });
        }
    }
    group.finish();
}

/// The groups, in pipeline order (a private module, as `criterion_group!` makes a public,
/// undocumented function).
mod groups {
    use criterion::criterion_group;

    criterion_group!(
        benches,
        super::read,
        super::estimate,
        super::population,
        super::job
    );
}

criterion_main!(groups::benches);
