//! Benchmarks of the pipeline stages: reading counts, estimating, summarising, and the
//! planners' population view.
//!
//! One group per stage, each swept over three sizes of seeded synthetic counts
//! ([`Synth::generic`]): Hallingdal (6 areas × 550 days, the size of the plan's data), all 357
//! Norwegian municipalities for ten years (357 × 3 650) and Europe's ~100 000 LAU regions for
//! a year (100 000 × 365 = 36.5 M rows). Throughput is in rows, one row per area and day.
//! Setup (generating, writing, reading, estimating the input of the stage) happens outside
//! the timed closures. The last group, `stream`, is the whole job from a file with polars'
//! streaming engine ([`deltid::stream::summarise`]), from CSV and from Parquet.
//!
//! The in-memory stages (read, estimate, summarise, population) sweep the first two sizes
//! only: their reader holds about 600 bytes a row, so the LAU size (36.5 M rows) would need
//! some 22 GiB — that is what the streaming path is for, and the `stream` group sweeps all
//! three. Run with `cargo bench --bench estimate`; add `-- --quick` for a short run, or a
//! filter such as `-- hallingdal` or `-- stream/` for some of it. Targets, measured on the machine described
//! in benches/compare-results.md: the Hallingdal case under 100 ms end to end; the streaming
//! path at least as fast as DuckDB at 10 M rows (benches/compare/).
#![allow(
    clippy::expect_used,
    reason = "a bench's inputs are generated here, not read from data; a failed setup should stop the run"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use deltid::population::{Population, PopulationOptions};
use deltid::synth::Synth;
use deltid::{
    Counts, CountsColumns, CountsOptions, Scenario, Selection, Summary, estimate, stream,
};
use polars::prelude::{
    DataType, Field, LazyCsvReader, LazyFileListReader, LazyFrame, ParquetWriter, PlRefPath, Schema,
};

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

    fn id(&self) -> BenchmarkId {
        BenchmarkId::new(self.label, format!("{}x{}", self.areas, self.days))
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
    fn scenario(&self) -> Scenario {
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
        Scenario::from_toml_str(&toml, Path::new("bench.toml"))
            .expect("the bench scenario is valid")
    }

    fn counts(&self) -> Counts {
        self.synth()
            .to_counts(Path::new("synthetic"))
            .expect("synthetic counts are valid")
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

/// The sizes the in-memory stages sweep (see the module docs).
const IN_MEMORY_SIZES: &[Size] = SIZES.split_at(2).0;

/// Applies the group settings shared by all stages: few samples, and a few seconds each.
fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
}

/// `Counts::read_csv` on a file written by `Synth::write_csv`.
fn read_counts(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let files: Vec<PathBuf> = IN_MEMORY_SIZES
        .iter()
        .map(|size| {
            let path = dir.path().join(format!("{}x{}.csv", size.areas, size.days));
            let file = std::fs::File::create(&path).expect("the counts file can be created");
            size.synth()
                .write_csv(file)
                .expect("synthetic counts can be written");
            path
        })
        .collect();
    let columns = CountsColumns::default();

    let mut group = c.benchmark_group("read_counts");
    configure(&mut group);
    for (size, path) in IN_MEMORY_SIZES.iter().zip(&files) {
        group.throughput(Throughput::Elements(size.rows()));
        group.bench_with_input(size.id(), path, |b, path| {
            b.iter(|| Counts::read_csv(black_box(path), &columns).expect("the file reads"));
        });
    }
    group.finish();
}

/// `deltid::estimate` on counts from `Synth::to_counts`, all days and areas.
fn estimate_stage(c: &mut Criterion) {
    let selection = Selection::default();
    let mut group = c.benchmark_group("estimate");
    configure(&mut group);
    for size in IN_MEMORY_SIZES {
        let input = (size.scenario(), size.counts());
        group.throughput(Throughput::Elements(size.rows()));
        group.bench_with_input(size.id(), &input, |b, (scenario, counts)| {
            b.iter(|| {
                estimate(black_box(scenario), black_box(counts), &selection)
                    .expect("the estimate runs")
            });
        });
    }
    group.finish();
}

/// `Summary::new` on an estimate of all days and areas.
fn summarise(c: &mut Criterion) {
    let mut group = c.benchmark_group("summarise");
    configure(&mut group);
    for size in IN_MEMORY_SIZES {
        let scenario = size.scenario();
        let daily =
            estimate(&scenario, &size.counts(), &Selection::default()).expect("the estimate runs");
        let input = (scenario, daily);
        group.throughput(Throughput::Elements(size.rows()));
        group.bench_with_input(size.id(), &input, |b, (scenario, daily)| {
            b.iter(|| Summary::new(black_box(scenario), black_box(daily)).expect("it summarises"));
        });
    }
    group.finish();
}

/// `Population::new` (peaks, percentiles, calendar labels) on an estimate of all days and areas.
fn population(c: &mut Criterion) {
    let options = PopulationOptions::default();
    let mut group = c.benchmark_group("population");
    configure(&mut group);
    for size in IN_MEMORY_SIZES {
        let scenario = size.scenario();
        let daily =
            estimate(&scenario, &size.counts(), &Selection::default()).expect("the estimate runs");
        let input = (scenario, daily);
        group.throughput(Throughput::Elements(size.rows()));
        group.bench_with_input(size.id(), &input, |b, (scenario, daily)| {
            b.iter(|| {
                Population::new(black_box(daily), black_box(scenario), &options)
                    .expect("the view builds")
            });
        });
    }
    group.finish();
}

/// [`stream::summarise`] from a CSV file and from a Parquet file, start to finish: scan, day
/// totals (the scenario's deductions are region-level), estimate, checks, summary.
fn stream_stage(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let mut group = c.benchmark_group("stream");
    configure(&mut group);
    for size in &SIZES {
        let scenario = size.scenario();
        let csv = dir.path().join(format!("{}x{}.csv", size.areas, size.days));
        let file = std::fs::File::create(&csv).expect("the counts file can be created");
        size.synth()
            .write_csv(file)
            .expect("synthetic counts can be written");
        let parquet = csv.with_extension("parquet");
        // From the CSV file as written (three columns), not through deltid's reader.
        let mut frame = LazyCsvReader::new(PlRefPath::new(csv.to_string_lossy().as_ref()))
            .with_has_header(true)
            .with_dtype_overwrite(Some(std::sync::Arc::new(Schema::from_iter([
                Field::new("date".into(), DataType::Date),
                Field::new("area".into(), DataType::String),
            ]))))
            .finish()
            .and_then(LazyFrame::collect)
            .expect("the counts convert");
        let file = std::fs::File::create(&parquet).expect("the Parquet file can be created");
        ParquetWriter::new(file)
            .finish(&mut frame)
            .expect("the Parquet file is written");
        group.throughput(Throughput::Elements(size.rows()));
        for (format, path) in [("csv", &csv), ("parquet", &parquet)] {
            let id = BenchmarkId::new(
                format!("{}_{format}", size.label),
                format!("{}x{}", size.areas, size.days),
            );
            group.bench_with_input(id, path, |b, path| {
                b.iter(|| {
                    stream::summarise(
                        black_box(&scenario),
                        black_box(path),
                        &CountsOptions::default(),
                        &Selection::default(),
                        &|_| {},
                    )
                    .expect("the file streams")
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
        super::read_counts,
        super::estimate_stage,
        super::summarise,
        super::population,
        super::stream_stage
    );
}

criterion_main!(groups::benches);
