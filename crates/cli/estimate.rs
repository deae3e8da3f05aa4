//! `deltid estimate`: the plan's table for a scenario and its counts.

use clap::ValueEnum;
use deltid::Run;
use deltid::analysis::{self, Annualisation, NegativePolicy, UncertaintyOptions};
use deltid::output::{Format, Section, write_run, write_section};

use crate::Failure;
use crate::input::{Input, Resolved};
use crate::output::commit;

/// Estimate present population, part-time residents and guest-nights.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  deltid estimate --scenario data/hallingdal/plan-2021.toml\n  \
    deltid estimate --scenario data/hallingdal/plan-2021.toml --annualise season-balanced\n  \
    deltid estimate --scenario data/hallingdal/ssb-2020.toml --from 2020-01-01 --to 2021-01-01 \
    --format csv --daily --output daily-2020.csv\n  \
    deltid estimate --scenario national.toml --counts national.parquet --format csv"
)]
pub struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    analyses: Analyses,
    /// No longer needed: every counts file is read in one pass, in memory that grows with
    /// areas and days, not with the file. Accepted and ignored.
    #[arg(long, hide = true)]
    stream: bool,
    /// No longer needed (see --stream). Accepted and ignored.
    #[arg(long, hide = true)]
    in_memory: bool,
}

/// The analyses `estimate` and `report` add to the summary: yearly figures and intervals.
#[derive(clap::Args)]
pub struct Analyses {
    /// Also give guest-nights per year by this method, with coverage, beside the plan's rule
    /// (in every format: CSV writes it to files beside --output, see the README).
    #[arg(long, value_enum, value_name = "METHOD")]
    annualise: Option<Method>,
    /// Negative days (more deducted than present) in the yearly figures.
    #[arg(long, value_enum, value_name = "POLICY", requires = "annualise")]
    negative: Option<Policy>,
    /// Also give intervals: a Monte Carlo over the scenario's ranges (P5, P50, P95, and which
    /// parameter moves the result most), sampling intervals (a block bootstrap of the days;
    /// for the season-balanced figure, the error of its filled days) and both combined.
    #[arg(long)]
    uncertainty: bool,
    /// Draws for --uncertainty: each draw takes the scenario's ranges, a block-bootstrap
    /// resample of the days and a resample of the fill's residuals together, so this is also
    /// the number of resamples.
    #[arg(long, value_name = "N", requires = "uncertainty", default_value_t = analysis::DEFAULT_DRAWS,
        value_parser = clap::value_parser!(u32).range(i64::from(analysis::MIN_DRAWS)..=i64::from(analysis::MAX_DRAWS)))]
    draws: u32,
    /// Seed of the draws for --uncertainty: the same seed gives the same intervals.
    #[arg(long, value_name = "N", requires = "uncertainty", default_value_t = analysis::DEFAULT_SEED,
        allow_negative_numbers = true, value_parser = crate::seed)]
    seed: u64,
    #[command(flatten)]
    protection: Protection,
}

/// The small-count protection flags, over the scenario's `[disclosure]`.
#[derive(clap::Args)]
pub struct Protection {
    /// Small-count protection: suppress figures under K persons (0 < |value| < K) in every
    /// output, with the figures that would reveal them (instead of the scenario's
    /// `[disclosure] min_count`). Operators use 5 (Telia, Eurostat's multimno) to 16 (FlowKit).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=i64::from(deltid::MAX_MIN_COUNT)))]
    min_count: Option<u32>,
    /// Round published person figures to 5 or 10 (instead of the scenario's
    /// `[disclosure] rounding`).
    #[arg(long, value_name = "5|10", value_parser = ["5", "10"])]
    round_to: Option<String>,
}

impl Protection {
    /// Whether small-count protection is asked for, by the flags or the scenario.
    pub fn asked(&self, scenario: &deltid::Scenario) -> bool {
        self.min_count.is_some() || self.round_to.is_some() || !scenario.disclosure().is_off()
    }

    /// Sets the rule the flags give (each part over the scenario's) on `run`.
    pub fn add_to(&self, run: &mut Run) -> Result<(), Failure> {
        if self.min_count.is_some() || self.round_to.is_some() {
            let rounding = self.round_to.as_deref().and_then(|r| r.parse().ok());
            let flags = deltid::Disclosure::new(self.min_count, rounding)
                .map_err(|e| Failure::usage(anyhow::anyhow!("{e}")))?;
            run.set_disclosure(run.scenario().disclosure().overridden_by(flags));
        }
        Ok(())
    }
}

impl Analyses {
    /// Adds small-count protection, the yearly figures and the intervals asked for to `run`.
    pub fn add_to(&self, run: &mut Run) -> Result<(), Failure> {
        if self.uncertainty && matches!(self.negative, Some(Policy::ClampDay | Policy::ClampPeriod))
        {
            return Err(Failure::usage(anyhow::anyhow!(
                "--uncertainty gives intervals of the figures with negative days counted as they are; with --negative clamp-day or clamp-period they would not be intervals of the yearly figure published: leave out one of the two"
            )));
        }
        self.protection.add_to(run)?;
        if let Some(method) = self.annualise {
            let (method, negative) = annualisation(method, self.negative);
            run.annualise(method, negative)?;
        }
        if self.uncertainty {
            run.quantify_uncertainty(&UncertaintyOptions::new(self.draws, self.seed)?)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Method {
    /// Mean per day × 365.
    Plan,
    /// Sum over a fully counted calendar year.
    Calendar,
    /// Missing days filled from a seasonal model; years averaged.
    SeasonBalanced,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Policy {
    Keep,
    ClampDay,
    ClampPeriod,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.input.resolve(false)?;
    if input.scenario.origin().is_some() {
        return run_origin(&input, &input.scenario, &args.analyses);
    }
    if args.stream || args.in_memory {
        eprintln!(
            "note: --stream and --in-memory are no longer needed: every counts file is read in one pass"
        );
    }
    // The sections' files beside a CSV output that surely come, checked before any work.
    let mut expected = vec![Section::CalendarYears, Section::Notes];
    if args.analyses.annualise.is_some() {
        expected.extend([Section::Yearly, Section::YearlyCoverage]);
    }
    if args.analyses.uncertainty {
        expected.push(Section::Uncertainty);
    }
    for section in expected {
        input.beside(section.key())?;
    }
    let mut run = run_with_progress(&input)?;
    run.set_command(crate::input::command_line());
    if let Some(language) = input.language {
        run.set_language(language);
    }
    args.analyses.add_to(&mut run)?;
    // Parquet holds the daily rows: sections asked for are said to be left out, not dropped
    // without a word.
    if matches!(input.format, Format::Parquet)
        && (run.yearly().is_some() || run.uncertainty().is_some())
    {
        let sections: Vec<&str> = Section::of(&run).iter().map(|s| s.key()).collect();
        eprintln!(
            "note: Parquet holds the daily rows only; the summary and the other sections ({}) are in --format csv (with --output, files beside it), json or xlsx",
            sections.join(", ")
        );
    }
    // A CSV file holds one table: the other sections go to files beside it, staged with it,
    // so all land together or none does.
    let mut beside = Vec::new();
    if let Format::Csv(style) = input.format {
        let mut left_out = Vec::new();
        for section in Section::of(&run) {
            match input.beside(section.key())? {
                Some(output) => beside.push((output, section, style)),
                None => left_out.push(section.key()),
            }
        }
        let asked = run.yearly().is_some() || run.uncertainty().is_some();
        if asked && !left_out.is_empty() {
            eprintln!(
                "note: CSV on standard output holds one table; give --output FILE.csv for the others ({}) in files beside it, or use --format json or xlsx",
                left_out.join(", ")
            );
        }
    }
    // Each file beside is written in a thread of its own while the main output is written:
    // at 10 000 areas they hold twice the main output's bytes (calendar years, notes,
    // plausibility).
    let (sections, main) = std::thread::scope(|scope| {
        let run = &run;
        let sections: Vec<_> = beside
            .into_iter()
            .map(|(output, section, style)| {
                scope.spawn(move || output.stage(|out| write_section(run, section, style, out)))
            })
            .collect();
        let main = input.stage(run.record(), |out| {
            write_run(run, input.format, input.daily, out)
        });
        let sections = sections
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<anyhow::Result<Vec<_>>>();
        (sections, main)
    });
    let mut staged = sections?;
    staged.extend(main?);
    commit(staged)?;
    // Files beside the output from an earlier run with other sections are left as they are,
    // but said, so that they are not read as part of this run's set.
    if let Format::Csv(_) = input.format {
        let written = Section::of(&run);
        for section in Section::ALL.iter().filter(|s| !written.contains(s)) {
            if let Some(path) = input.beside_path(section.key()).filter(|p| p.exists()) {
                eprintln!(
                    "note: {} is from an earlier run: this run has no {} section (remove it, or keep it apart)",
                    path.display(),
                    section.key()
                );
            }
        }
    }
    // The process ends here and its memory goes back whole: the counts and the summary are not
    // freed a piece at a time (5 ms of a 0.3 s run at 10 000 areas).
    std::mem::forget(run);
    Ok(())
}

/// `estimate` on counts split by origin (the scenario declares `[origin]`): the split's parts
/// per area and day, and guest-nights by the origin's rule.
fn run_origin(
    input: &Resolved,
    scenario: &deltid::Scenario,
    analyses: &Analyses,
) -> Result<(), Failure> {
    if analyses.uncertainty {
        return Err(Failure::usage(anyhow::anyhow!(
            "--uncertainty works on the plan's estimate, not on counts split by origin ([origin] in the scenario): a split's figures are bounds from its suppressed cells, and the scenario's ranges and a bootstrap of the days have no defined meaning on bounds yet"
        )));
    }
    if analyses.negative.is_some() {
        return Err(Failure::usage(anyhow::anyhow!(
            "--negative does not apply to counts split by origin: a split's yearly guest-nights are the sums of its days' bounds, shown as they are"
        )));
    }
    // Refused rather than publish unprotected figures (as `deltid sql` does).
    if analyses.protection.asked(scenario) {
        return Err(Failure::usage(anyhow::anyhow!(
            "{}: small-count protection ([disclosure], --min-count or --round-to) is not applied to counts split by origin: their figures are bounds from the operator's own suppression; remove [disclosure] and the flags for these figures, unprotected",
            scenario.path().display()
        )));
    }
    let path = input
        .counts
        .as_deref()
        .or(scenario.counts())
        .ok_or_else(|| deltid::Error::NoCounts {
            scenario: scenario.path().to_owned(),
        })?;
    let counts = deltid::read_counts(path, &input.counts_options, scenario)?;
    let Some(split) = counts.origins() else {
        return Err(
            anyhow::anyhow!("{}: no counts split by origin were read", path.display()).into(),
        );
    };
    let plan = deltid::Plan::new(scenario, &input.selection)?;
    // --from and --to select the split's days, and for the previous-night origin its nights
    // by their evening date as for hourly counts (a night is seen on the day after it).
    let period = &input.selection.period;
    let split = split.within(|date| period.contains(date));
    if split.is_empty() {
        let rows = counts.origins().map_or(&[][..], deltid::OriginSplit::rows);
        return Err(anyhow::anyhow!(
            "{}: no counts split by origin in the period selected ({}); the split runs {} to {}",
            path.display(),
            period,
            rows.first()
                .map_or_else(String::new, |r| deltid::from_epoch_day(r.day).to_string()),
            rows.last()
                .map_or_else(String::new, |r| deltid::from_epoch_day(r.day).to_string()),
        )
        .into());
    }
    let split = &split;
    let estimate = plan.origin_estimate(split);
    let mut record = deltid::RunRecord::of_split(&plan, &counts, split, &estimate);
    record.set_command(crate::input::command_line());
    let settings = split.settings();
    let language = input.language.or(scenario.language()).unwrap_or_default();
    eprintln!(
        "deltid: {}",
        deltid::output::split_note(
            language,
            path,
            settings,
            split.rows().len(),
            estimate.days().len()
        )
    );
    // Guest-nights per year: one rule for a split, whatever method is named (the sums of the
    // days' bounds over each calendar year, missing days filled as season-balanced fills).
    let yearly = analyses.annualise.map(|method| {
        if !matches!(method, Method::SeasonBalanced) {
            eprintln!(
                "note: --annualise on counts split by origin gives each calendar year's sums of the days' low and high guest-nights, with missing days filled as season-balanced fills them"
            );
        }
        deltid::analysis::SplitYearly::new(&estimate, scenario.calendar())
    });
    if yearly.as_ref().is_some_and(|y| y.areas.is_empty()) {
        eprintln!(
            "note: --annualise: counts split by SIM country give no guest-nights, so no yearly figures"
        );
    }
    // The record beside a CSV or Parquet output (FILE.run.json), staged with it.
    let mut staged = input.stage(&record, |out| {
        deltid::output::write_origin_with(
            &estimate,
            yearly.as_ref(),
            scenario,
            &record,
            input.format,
            language,
            out,
        )
    })?;
    if let Some(yearly) = &yearly {
        match input.beside_table("yearly")? {
            Some(output) => staged.push(output.stage(|out| {
                deltid::output::write_origin_yearly(yearly, scenario, input.format, language, out)
            })?),
            None if matches!(input.format, Format::Csv(_) | Format::Parquet) => eprintln!(
                "note: CSV on standard output holds one table; give --output FILE.csv for the yearly figures in a file beside it, or use --format json or xlsx"
            ),
            None => {}
        }
    }
    // CSV and Parquet hold one table: the per-area means go to a file beside it.
    if let Some(output) = input.beside_table("means")? {
        staged.push(output.stage(|out| {
            deltid::output::write_origin_means(&estimate, scenario, input.format, language, out)
        })?);
    }
    commit(staged)?;
    Ok(())
}

/// The library's annualisation and negative policy for the arguments.
pub fn annualisation(method: Method, negative: Option<Policy>) -> (Annualisation, NegativePolicy) {
    let method = match method {
        Method::Plan => Annualisation::Plan,
        Method::Calendar => Annualisation::Calendar,
        Method::SeasonBalanced => Annualisation::SeasonBalanced,
    };
    let negative = match negative.unwrap_or(Policy::Keep) {
        Policy::Keep => NegativePolicy::Keep,
        Policy::ClampDay => NegativePolicy::ClampDay,
        Policy::ClampPeriod => NegativePolicy::ClampPeriod,
    };
    (method, negative)
}

/// Reads, checks, estimates and summarises, with a progress bar on a terminal.
pub fn run_with_progress(input: &Resolved) -> Result<Run, Failure> {
    let bar = crate::progress::bar();
    let report = bar.as_ref().map(crate::progress::reporter);
    let run = Run::from_scenario(
        &input.scenario,
        input.counts.as_deref(),
        &input.counts_options,
        &input.selection,
        report
            .as_ref()
            .map(|r| r as &(dyn Fn(deltid::Progress) + Sync)),
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(run?)
}
