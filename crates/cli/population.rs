//! `deltid population`: present population per day, its peaks and percentiles, for planners.

use std::path::PathBuf;
use std::str::FromStr;

use deltid::analysis::{PopulationOptions, Threshold, TypicalYearView};
use deltid::output::{
    ChartFormat, Daily, Format, PopulationSection, write_chart, write_population,
    write_population_section,
};
use deltid::{PercentileMethod, Run};

use crate::Failure;
use crate::input::Input;
use crate::output::{Output, commit};

/// Present population per day: the busiest days, percentiles, days above a threshold, a chart.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid population --scenario data/hallingdal/plan-2021.toml \
    --top 10 --chart peaks.png\n  deltid population --scenario data/hallingdal/ssb-2020.toml \
    --above 3x --dimensioning 0.99 --format csv\n  deltid population --scenario data/hallingdal/plan-2021.toml \
    --annualise season-balanced"
)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    protection: crate::estimate::Protection,
    /// How many of the busiest days to list (at least 1).
    #[arg(long, default_value_t = 10, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    top: u32,
    /// Percentile method: linear interpolation (Excel PERCENTILE.INC) or nearest rank.
    #[arg(long, value_enum, default_value_t = Method::Linear)]
    percentile_method: Method,
    /// Percentile of present population to dimension for, as a fraction (0.95 = P95).
    #[arg(
        long,
        default_value_t = 0.95,
        value_name = "FRACTION",
        allow_negative_numbers = true
    )]
    dimensioning: f64,
    /// Count days above this: persons (40000) or a multiple of residents (2x).
    #[arg(long, value_name = "PERSONS|Kx", allow_negative_numbers = true)]
    above: Option<ThresholdArg>,
    /// Also give the percentiles for a season-balanced typical year beside the period's: each
    /// calendar month counts by its days in a year, so two winters in 18 months do not pull
    /// the dimensioning figure up.
    #[arg(long, value_enum, value_name = "METHOD")]
    annualise: Option<Annualise>,
    /// Also draw a chart (.png or .svg); an existing file needs --force.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Annualise {
    /// A season-balanced typical year.
    SeasonBalanced,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Method {
    Linear,
    NearestRank,
}

#[derive(Clone, Copy)]
struct ThresholdArg(Threshold);

impl FromStr for ThresholdArg {
    type Err = String;
    fn from_str(s: &str) -> Result<ThresholdArg, String> {
        let s = s.trim();
        let (number, times) = match s.strip_suffix(['x', 'X', '×']) {
            Some(n) => (n.trim(), true),
            None => (s, false),
        };
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                format!("expected persons (40000) or a multiple of residents (2x), got {s:?}")
            })?;
        Ok(ThresholdArg(if times {
            Threshold::TimesResidents(value)
        } else {
            Threshold::Persons(value)
        }))
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.input.resolve(args.chart.is_some())?;
    let chart = match args.chart {
        Some(path) => {
            let format = ChartFormat::from_path(&path)?;
            let output = Output::new(Some(path), input.force)?;
            output.refuse_same(&input.output, ("--chart", "--output"))?;
            output.refuse_inputs_of("--chart", &input.inputs)?;
            Some((format, output))
        }
        None => None,
    };
    let options = PopulationOptions {
        top: args.top as usize,
        method: match args.percentile_method {
            Method::Linear => PercentileMethod::Linear,
            Method::NearestRank => PercentileMethod::NearestRank,
        },
        dimensioning: args.dimensioning,
        threshold: args.above.map(|t| t.0),
        typical_year: match args.annualise {
            Some(Annualise::SeasonBalanced) => TypicalYearView::SeasonBalanced,
            None => TypicalYearView::Omit,
        },
    };
    // The tables beside a CSV output that surely come, checked before any work.
    let mut beside = vec![
        PopulationSection::Peaks,
        PopulationSection::ByLabel,
        PopulationSection::ByMonth,
        PopulationSection::Notes,
    ];
    if input.daily == Daily::Include {
        beside.push(PopulationSection::Percentiles);
    }
    for section in beside {
        input.beside(section.key())?;
    }
    let mut run: Run = crate::estimate::run_with_progress(&input)?;
    run.set_command(crate::input::command_line());
    if let Some(language) = input.language {
        run.set_language(language);
    }
    args.protection.add_to(&mut run)?;
    let view = run.population(&options)?;
    // Every output is written before any lands: a chart that cannot be drawn or written
    // leaves no table behind, and the other way round.
    // The chart first: standard output, written at once, comes last.
    let mut staged = Vec::new();
    if let Some((format, output)) = &chart {
        staged.push(output.stage(|out| write_chart(*format, &run, &view, out))?);
    }
    // A CSV file holds one table: the others go to files beside it, staged with it.
    if let Format::Csv(style) = input.format {
        let mut left_out = Vec::new();
        for section in PopulationSection::beside_csv(&view, input.daily) {
            match input.beside(section.key())? {
                Some(output) => staged.push(
                    output
                        .stage(|out| write_population_section(&view, &run, section, style, out))?,
                ),
                None => left_out.push(section.key()),
            }
        }
        if !left_out.is_empty() {
            eprintln!(
                "note: CSV on standard output holds one table; give --output FILE.csv for the others ({}) in files beside it, or use --format json or xlsx",
                left_out.join(", ")
            );
        }
    }
    let record = run.record().with_population(&view);
    staged.extend(input.stage(&record, |out| {
        write_population(&view, &run, input.format, input.daily, out)
    })?);
    commit(staged)?;
    Ok(())
}
