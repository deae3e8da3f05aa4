//! The main job in one value: read → check → estimate → summarise, then the analyses asked
//! for.

use std::path::Path;

use deltid_io::{CountsOptions, Progress, read_counts_with, read_scenario};
use deltid_model::{
    Disclosure, Error, Estimate, Language, Measure, Plan, Result, Scenario, Selection, Summary,
};

use crate::analysis::{
    Annualisation, NegativePolicy, Plausibility, Population, PopulationOptions, Protection,
    Uncertainty, UncertaintyOptions, Yearly,
};
use crate::record::RunRecord;

/// A scenario and its counts, estimated and summarised, with the analyses asked for.
#[derive(Clone, Debug)]
pub struct Run {
    estimate: Estimate,
    summary: Summary,
    sheet: Option<String>,
    yearly: Option<Yearly>,
    /// How the yearly figures treat negative days.
    negative: NegativePolicy,
    /// Made with the run, while the inputs are hashed.
    plausibility: Option<Plausibility>,
    uncertainty: Option<Uncertainty>,
    record: RunRecord,
    language: Language,
    /// Small-count protection, when the scenario or [`Run::set_disclosure`] asks for it.
    protection: Option<Protection>,
}

impl Run {
    /// Reads the scenario and the counts (the `counts` path given, else the scenario's),
    /// checks them, estimates and summarises: read → check → estimate → summarise. Hourly
    /// counts are reduced to nights and estimated by the plan for nights
    /// ([`Measure::Night`]).
    ///
    /// # Errors
    /// [`Error::NoCounts`] if no counts file is given or named by the scenario; every error of
    /// [`read_scenario`], [`deltid_io::read_counts`], [`Plan::new`] and [`Plan::estimate`].
    ///
    /// # Examples
    /// ```
    /// use deltid::{CountsOptions, Run, Selection, TableRow};
    /// let run = Run::new(
    ///     "../../data/hallingdal/plan-2021.toml".as_ref(),
    ///     None,
    ///     &CountsOptions::default(),
    ///     &Selection::default(),
    /// )?;
    /// let table = run.summary().region().table();
    /// assert_eq!(table.row(TableRow::GuestNightsPerYear).rounded, 9_682_355);
    /// # Ok::<(), deltid::Error>(())
    /// ```
    pub fn new(
        scenario: &Path,
        counts: Option<&Path>,
        options: &CountsOptions,
        selection: &Selection,
    ) -> Result<Run> {
        Run::with_progress(scenario, counts, options, selection, None)
    }

    /// [`Run::new`], reporting the read's progress to `progress`.
    ///
    /// # Errors
    /// As [`Run::new`].
    pub fn with_progress(
        scenario: &Path,
        counts: Option<&Path>,
        options: &CountsOptions,
        selection: &Selection,
        progress: Option<&(dyn Fn(Progress) + Sync)>,
    ) -> Result<Run> {
        let scenario = read_scenario(scenario)?;
        Run::from_scenario(&scenario, counts, options, selection, progress)
    }

    /// [`Run::with_progress`] for a scenario already read (or built in code).
    ///
    /// # Errors
    /// As [`Run::new`], except those of reading the scenario.
    pub fn from_scenario(
        scenario: &Scenario,
        counts: Option<&Path>,
        options: &CountsOptions,
        selection: &Selection,
        progress: Option<&(dyn Fn(Progress) + Sync)>,
    ) -> Result<Run> {
        let path = counts
            .or(scenario.counts())
            .ok_or_else(|| Error::NoCounts {
                scenario: scenario.path().to_owned(),
            })?;
        // The selection is checked before the counts are read.
        let plan = Plan::new(scenario, selection)?;
        let reading = read_counts_with(path, options, scenario, progress)?;
        let sheet = reading.sheet().map(str::to_owned);
        let counts = reading.into_counts()?;
        if counts.origins().is_some() {
            return Err(Error::SplitNotPlanned {
                scenario: scenario.path().to_owned(),
                counts: path.to_owned(),
            });
        }
        // Hourly counts were reduced to nights: the plan for nights estimates them.
        let plan = if counts.measure() == Measure::Night && plan.measure() == Measure::Day {
            Plan::for_measure(scenario, selection, Measure::Night)?
        } else {
            plan
        };
        Ok(Run::from_estimate(plan.estimate(&counts)?, sheet))
    }

    /// A run of an estimate made by other means (counts built in memory).
    ///
    /// Its [`RunRecord`] is made here: the scenario's files and the counts file are hashed.
    pub fn from_estimate(estimate: Estimate, sheet: Option<String>) -> Run {
        // Hashing the inputs (a pass over each file) and the summary (a pass over the counts)
        // run side by side.
        // The plausibility checks (every output of an estimate shows them) also run while
        // the inputs are hashed.
        let (summary, record, plausibility) = std::thread::scope(|scope| {
            let record = scope.spawn(|| RunRecord::new(&estimate));
            let summary = estimate.summary();
            let plausibility = Plausibility::new(&estimate, &summary);
            let record = record
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (summary, record, plausibility)
        });
        let language = estimate.scenario().language().unwrap_or_default();
        let rule = estimate.scenario().disclosure();
        let mut run = Run {
            record,
            language,
            estimate,
            summary,
            sheet,
            yearly: None,
            negative: NegativePolicy::Keep,
            plausibility,
            uncertainty: None,
            protection: None,
        };
        run.set_disclosure(rule);
        run
    }

    /// Publishes every output under a small-count rule instead of the scenario's
    /// `[disclosure]` (see [`Protection`]): figures under its smallest count suppressed, with
    /// the cells that would reveal them, and figures rounded to its base. A rule that protects
    /// nothing turns protection off.
    pub fn set_disclosure(&mut self, rule: Disclosure) {
        self.protection =
            (!rule.is_off()).then(|| Protection::new(&self.estimate, &self.summary, rule));
        self.record.set_disclosure(self.protection.as_ref());
    }

    /// The small-count protection every output is published under, if any.
    pub fn protection(&self) -> Option<&Protection> {
        self.protection.as_ref()
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        self.estimate.scenario()
    }

    /// The estimate.
    pub fn estimate(&self) -> &Estimate {
        &self.estimate
    }

    /// Its summary.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The sheet read, when the counts came from a workbook.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// Yearly figures, when asked for with [`Run::annualise`].
    pub fn yearly(&self) -> Option<&Yearly> {
        self.yearly.as_ref()
    }

    /// Checks against holiday homes and commercial guest-nights, when the scenario gives them.
    pub fn plausibility(&self) -> Option<&Plausibility> {
        self.plausibility.as_ref()
    }

    /// Intervals, when asked for with [`Run::quantify_uncertainty`].
    pub fn uncertainty(&self) -> Option<&Uncertainty> {
        self.uncertainty.as_ref()
    }

    /// The run record: version, command line, inputs with their BLAKE3 hash, selection, methods.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// The language outputs are written in: the scenario's `language`, English if it names
    /// none, or the one set with [`Run::set_language`].
    pub fn language(&self) -> Language {
        self.language
    }

    /// Writes outputs in `language` instead of the scenario's.
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    /// Records the command line that made the run (program name first), for the run record.
    pub fn set_command(&mut self, command: Vec<String>) {
        self.record.set_command(command);
    }

    /// Adds yearly figures by `method`, with negative days treated by `negative`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for negative days clamped beside intervals
    /// ([`Run::quantify_uncertainty`]), which are of the figures with negative days as they
    /// are: they would not be intervals of the yearly figure published.
    pub fn annualise(&mut self, method: Annualisation, negative: NegativePolicy) -> Result<()> {
        if negative != NegativePolicy::Keep && self.uncertainty.is_some() {
            return Err(clamped_beside_intervals());
        }
        let yearly = Yearly::new(&self.estimate, method, negative);
        self.record.set_yearly(&yearly);
        self.yearly = Some(yearly);
        self.negative = negative;
        Ok(())
    }

    /// Adds the uncertainty of the region's guest-nights.
    ///
    /// # Errors
    /// As [`Uncertainty::new`]; [`Error::InvalidOption`] beside yearly figures with negative
    /// days clamped (see [`Run::annualise`]).
    pub fn quantify_uncertainty(&mut self, options: &UncertaintyOptions) -> Result<()> {
        if self.negative != NegativePolicy::Keep {
            return Err(clamped_beside_intervals());
        }
        let uncertainty = Uncertainty::new(&self.estimate, &self.summary, options)?;
        self.record.set_uncertainty(&uncertainty);
        self.uncertainty = Some(uncertainty);
        Ok(())
    }

    /// The emergency planners' view, as published: under small-count protection
    /// ([`Run::protection`]) an area's (or the region's) figures suppressed when any of its
    /// days or its mean is, the others rounded to the base ([`Protection::population`]).
    ///
    /// # Errors
    /// As [`Population::new`].
    pub fn population(&self, options: &PopulationOptions) -> Result<Population> {
        let population = Population::new(&self.estimate, &self.summary, options)?;
        Ok(match &self.protection {
            Some(protection) => protection.population(&population),
            None => population,
        })
    }
}

/// Intervals (of the figures with negative days as they are) beside yearly figures with
/// negative days clamped: refused, as they would not be intervals of the figure published.
fn clamped_beside_intervals() -> Error {
    Error::InvalidOption {
        option: "negative".to_owned(),
        reason: "intervals of guest-nights are of the figures with negative days counted as they are; with negative days clamped they would not be intervals of the yearly figure published: keep negative days, or leave the intervals out".to_owned(),
    }
}
