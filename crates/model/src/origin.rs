//! Counts split by origin (`date, area, origin, count`): the one definition of what such a
//! split gives per area and day, of its sums under suppression, and of guest-nights by the
//! rule that fits the origin's definition.
//!
//! # The input
//! Per day `d` and area `a`, persons present split by an origin `o`, extrapolated by the
//! operator to the whole population (decimals). What `o` means is declared in the scenario
//! (`[origin] kind`, [`OriginKind`]):
//! - **previous night** (Telia's home zone, re-set daily): where the person slept the night
//!   before `d` (the place of the longest stay before 09:00);
//! - **long-term home** (multimno's home label, FlowKit's modal home): where the person lives;
//! - **SIM country**: the country of the SIM (roamers), nothing finer.
//!
//! An origin code is an area of the scenario, another Norwegian municipality (four digits),
//! a country (two letters; `NO` is a Norwegian SIM whose home is not given) or the area's
//! unsplit total (`total`, `totalt`, `all`, `alle`, `*`). See [`Origin::read`].
//!
//! # Suppression
//! The operator removes combinations of fewer than `k` persons (`[origin] min_count`, 5 by
//! default): the row is deleted or its count is written `-1`. A published value under `k`
//! (4.97 after extrapolation rounds to 5 but is under 5) is taken as suppressed too
//! ([`is_suppressed`]); a published 0 is an exact 0 (operators write 0 for "none"). A suppressed cell never enters a sum as a value. Per area and day the
//! origins fall in three parts: **local** `L` (the area itself; for SIM countries the
//! Norwegian SIMs), **domestic from elsewhere** `D` and **foreign** `F` (a country other than
//! Norway). With `P_X` the published sum of part `X`:
//! - **with the unsplit total `T`**, the suppressed mass is exact: `S = T − Σ published`. Each
//!   part gets `[P_X + max(0, S − Σ_{Y≠X} cap_Y), P_X + min(S, cap_X)]`, where `cap_L` is 0
//!   when the local cell is published and `k` when it is not (one cell), and `cap_D`, `cap_F`
//!   are unbounded (how many rows were deleted is unknown). Persons from elsewhere are
//!   `T − L`: exact when the local cell is published.
//! - **without a total**, each part is `[P_X, P_X + k × n_X)`, half-open: `n_X` is the number
//!   of cells of `X` that may hold a suppressed count by the one rule of
//!   [`may_hold_suppressed`], which the previous-night sums below use too: the `-1` markers
//!   and values under `k`; an absent row whose origin is an area of the scenario (previous
//!   night, long-term home); an absent row whose origin the file gives for this area on some
//!   other day. Any other origin the file never names for the area is assumed absent.
//!
//! Why an area of the scenario is a possible cell though never named: a deleted row leaves no
//! trace, so a flow that stays under `k` every day (a few persons from a neighbouring area)
//! is never named. The scenario's areas are a short, known list that every area's split is
//! asked about: the previous-night guest-nights of `A` sum the cells of origin `A` in every
//! area, and taking a never-named one as 0 would call a figure exact that may be short by up
//! to `k` per area (the local cell, also an area of the scenario, has always been taken so).
//! Other municipalities (some 350) and countries (some 250) cannot all be counted as
//! possible cells without bounds too wide to use, so there the file's own naming is the
//! evidence; that is an assumption, and figures from elsewhere may be low by the persons of
//! origins suppressed on every day (with a total they are not: the mass is exact).
//! - **multimno's convention** (suppressed = 0) is `P_X`, given beside as
//!   [`OriginDay::zero_filled`]: it is biased down by up to the suppressed mass.
//!
//! Residents away = registered residents − local (its bounds reversed); only for the
//! long-term home, where local means residents present. It is negative where more residents
//! are present than registered (moved in since the register's date, or the operator's
//! extrapolation above the register) and is given as it is, not raised to 0: outputs say so.
//!
//! # Guest-nights
//! - **Previous night.** A person counted on day `d` in any area with origin `A` slept in `A`
//!   the night before. So the persons who slept in `A` on the night with evening date `d − 1`
//!   are the column sum over the region's areas, `N(A, d−1) = Σ_a count(d, a, o = A)`, and
//!   guest-nights in `A` that night are `N(A, d−1) − registered residents of A`. Each cell of the
//!   sum is exact when published; where it may hold a suppressed count ([`may_hold_suppressed`]:
//!   marked, under `k`, or absent, as an area of the scenario always is) it is in `[0, k)` (or
//!   `[0, S_a]` when area `a`'s suppressed mass `S_a` is smaller), so each cell enters the
//!   parts of area `a` and the sum alike. Persons who slept in `A` and spent `d`
//!   outside the region are not seen (the sum is low by them); residents away make the figure
//!   low as in the plan's method, with no day visitors, commuters or transit to deduct: they
//!   slept at home. Nights are given only where every area of the scenario has a split on
//!   `d`. The bounds never go below what the published cells prove (`N ≥` the published cells
//!   of origin `A`); guest-nights are negative where the registered residents exceed the
//!   persons seen to have slept there (outputs say so), and are not raised to 0.
//! - **Long-term home.** Persons present on `d` whose home is elsewhere: `elsewhere(a, d)`.
//!   This still holds day visitors, commuters and transit (a daytime presence); it is an
//!   upper figure of the guests present, labelled by the day.
//! - **SIM country.** The origin tells foreign from Norwegian SIMs only: foreign visitors are
//!   given, guest-nights are not.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::area::{Area, AreaResolver, Resolution};
use crate::day::{Day, from_epoch_day};

/// The officially assigned ISO 3166-1 alpha-2 country codes (249), sorted.
pub const COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Eurostat's country codes that are not ISO 3166-1 alpha-2's assigned ones, also origins:
/// `EL` (Greece), `UK` (United Kingdom), `XK` (Kosovo).
pub const EUROSTAT_COUNTRY_CODES: [&str; 3] = ["EL", "UK", "XK"];

/// The Norwegian municipality codes an origin may name, as numbers: 0101 to 5699 (the county
/// numbers 01-56 of 1972-2024 and their municipalities), always written with four digits.
pub const MUNICIPALITY_CODES: std::ops::RangeInclusive<u32> = 101..=5699;

/// What the origin of a split count means (`[origin] kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OriginKind {
    /// Where the person slept the night before (`"previous-night"`).
    PreviousNight,
    /// The person's long-term home (`"home"`).
    Home,
    /// The SIM's country (`"sim-country"`).
    SimCountry,
}

impl OriginKind {
    /// The kind named as in a scenario: `previous-night`, `home` or `sim-country`.
    pub fn parse(text: &str) -> Option<OriginKind> {
        match text.trim() {
            "previous-night" => Some(OriginKind::PreviousNight),
            "home" => Some(OriginKind::Home),
            "sim-country" => Some(OriginKind::SimCountry),
            _ => None,
        }
    }

    /// The kind's name as a scenario writes it.
    pub fn key(self) -> &'static str {
        match self {
            OriginKind::PreviousNight => "previous-night",
            OriginKind::Home => "home",
            OriginKind::SimCountry => "sim-country",
        }
    }
}

/// The smallest count an operator publishes by default (Telia, Eurostat's multimno), persons.
pub const DEFAULT_ORIGIN_MIN_COUNT: f64 = 5.0;

/// `[origin]`: what the origin means and the operator's suppression threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OriginSettings {
    /// What the origin means.
    pub kind: OriginKind,
    /// The operator's `k`, persons: combinations under it are not published.
    pub min_count: f64,
}

impl OriginSettings {
    /// Settings of `kind` with the default `k` ([`DEFAULT_ORIGIN_MIN_COUNT`]).
    pub fn new(kind: OriginKind) -> OriginSettings {
        OriginSettings {
            kind,
            min_count: DEFAULT_ORIGIN_MIN_COUNT,
        }
    }
}

/// Whether an operator's value (persons, after extrapolation) is under `k` and so not
/// published: the one rule, `0 < value < k` (4.97 is suppressed under `k` = 5 though it
/// rounds to 5). A published 0 is an exact 0: operators write 0 for "none", and a cell they
/// suppress is deleted or marked `-1`, never written as 0.
pub fn is_suppressed(value: f64, k: f64) -> bool {
    value < k && value != 0.0
}

/// Whether one cell of a split (area `a`, origin `o`, day `d`) may hold a suppressed count: the
/// one rule of the parts' bounds without a total and of the previous-night sums (and of the
/// SQL query, which renders it). `cell` is the row's value where the file has the row;
/// `named_another_day` says whether the file names `o` for `a` on some other day.
/// - A row with a `-1` marker or a value under `k` ([`is_suppressed`]) may; a published value
///   (a published 0 too) is exact and may not.
/// - An absent row (deleted, or none) may, where `k` > 0, when its origin is an area of the scenario (under
///   the previous-night or long-term-home origin: the split's own areas are cells of every
///   area's split, as the local cell is; the previous-night guest-nights sum them), or when
///   the file names that origin for `a` on another day. Any other origin the file never names
///   for `a` is taken as absent (a deleted row leaves no trace, and the municipalities and
///   countries cannot all be counted as possible).
///
/// `o` is a part's origin, never [`Origin::Total`] (for which it says `false`).
pub fn may_hold_suppressed(
    settings: &OriginSettings,
    origin: &Origin,
    cell: Option<SplitValue>,
    named_another_day: bool,
) -> bool {
    match (origin, cell) {
        (Origin::Total, _) => false,
        (_, Some(SplitValue::Marked)) => true,
        (_, Some(SplitValue::Published(v))) => is_suppressed(v, settings.min_count),
        // k = 0 suppresses nothing: an absent row is none.
        (_, None) if settings.min_count <= 0.0 => false,
        (Origin::Area(_), None) if settings.kind != OriginKind::SimCountry => true,
        (_, None) => named_another_day,
    }
}

/// The origin cells that name an area's unsplit total, compared in lower case ([`Origin::read`]).
pub const TOTAL_WORDS: [&str; 5] = ["total", "totalt", "all", "alle", "*"];

/// The count cells (trimmed) that mark a suppressed cell: `-1`, also with a minus sign or a
/// decimal (`−1`, `-1.0`, `-1,0`).
pub const SUPPRESSED_MARKERS: [&str; 4] = ["-1", "\u{2212}1", "-1.0", "-1,0"];

/// The part of a split an origin falls in, per area and day (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The area itself (for SIM countries: every Norwegian SIM).
    Local,
    /// Elsewhere in Norway.
    Domestic,
    /// A country other than Norway.
    Foreign,
}

impl Part {
    /// The three parts, in the order local, domestic, foreign.
    pub const ALL: [Part; 3] = [Part::Local, Part::Domestic, Part::Foreign];

    /// The part of `origin` in a split of `kind` counted in `area` (by position); `None` for
    /// the unsplit total, which is no part.
    pub fn of(kind: OriginKind, area: usize, origin: &Origin) -> Option<Part> {
        Some(match (kind, origin) {
            (_, Origin::Total) => return None,
            (_, Origin::Country(_)) => Part::Foreign,
            (OriginKind::SimCountry, _) => Part::Local,
            (_, Origin::Area(i)) if *i == area => Part::Local,
            _ => Part::Domestic,
        })
    }

    fn index(self) -> usize {
        match self {
            Part::Local => LOCAL,
            Part::Domestic => DOMESTIC,
            Part::Foreign => FOREIGN,
        }
    }
}

/// Where persons of a split count come from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// An area of the scenario, by position.
    Area(usize),
    /// Another Norwegian municipality, by code.
    Municipality(String),
    /// A Norwegian SIM whose home is not given (`NO`).
    Norway,
    /// A country other than Norway, by its two-letter code (upper case).
    Country(String),
    /// The area's unsplit total.
    Total,
}

impl Origin {
    /// An origin cell as an origin, by the rules of area cells where it names a municipality:
    /// - a total: `total`, `totalt`, `all`, `alle`, `*`, in any case;
    /// - an area of the scenario, as its area cells are read by `resolver` (codes, codes
    ///   missing leading zeros by the scenario's digits, Statistics Norway's labels
    ///   `K-3044 Hol`, names);
    /// - another Norwegian municipality: the cell's code (its leading code,
    ///   [`leading_code`](crate::area::leading_code), padded to the scenario's digits as area
    ///   cells are: `301` → `0301`, `K-0301 Oslo` → `0301`), four digits from 0101 to 5699
    ///   (the county numbers 01-56 of 1972-2024 and their municipalities);
    /// - a country: two letters, an ISO 3166-1 alpha-2 code ([`COUNTRY_CODES`]) or Eurostat's
    ///   `EL` (Greece), `UK` (United Kingdom) and `XK` (Kosovo), in any case; `NO` is Norway.
    ///
    /// # Errors
    /// What the cell is not, in words, for anything else (`XX`, `9999`, a name of no area).
    pub fn read(text: &str, resolver: &AreaResolver) -> Result<Origin, &'static str> {
        let text = crate::area::trim_cell(text);
        let lower = text.to_lowercase();
        if TOTAL_WORDS.contains(&lower.as_str()) {
            return Ok(Origin::Total);
        }
        if text.is_empty() {
            return Err(
                "an empty origin: an area of the scenario, another municipality (four digits), a country (two letters) or `total`",
            );
        }
        if let Resolution::Area(i) = resolver.resolve(text) {
            return Ok(Origin::Area(i));
        }
        let mut code = crate::area::leading_code(text).unwrap_or(text).to_owned();
        if let Some(digits) = resolver.digits()
            && code.bytes().all(|b| b.is_ascii_digit())
            && code.len() < digits
        {
            code = format!("{code:0>digits$}");
        }
        if code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) {
            let number: u32 = code.parse().unwrap_or(0);
            return if MUNICIPALITY_CODES.contains(&number) {
                Ok(Origin::Municipality(code))
            } else {
                Err(
                    "not a Norwegian municipality code (four digits from 0101 to 5699) nor an area of the scenario",
                )
            };
        }
        if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
            let code = text.to_ascii_uppercase();
            if code == "NO" {
                return Ok(Origin::Norway);
            }
            return if COUNTRY_CODES.binary_search(&code.as_str()).is_ok()
                || EUROSTAT_COUNTRY_CODES.contains(&code.as_str())
            {
                Ok(Origin::Country(code))
            } else {
                Err("not a country code (ISO 3166-1 alpha-2, or Eurostat's EL, UK, XK)")
            };
        }
        Err(
            "not an origin: an area of the scenario, another municipality (four digits), a country (two letters) or `total`",
        )
    }

    /// The origin's code for outputs (`areas` the scenario's).
    pub fn code(&self, areas: &[Area]) -> String {
        match self {
            Origin::Area(i) => areas[*i].code.to_string(),
            Origin::Municipality(code) | Origin::Country(code) => code.clone(),
            Origin::Norway => "NO".to_owned(),
            Origin::Total => "total".to_owned(),
        }
    }
}

/// A split count's value as the operator delivered it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SplitValue {
    /// A value, persons (it may still be under `k`: see [`is_suppressed`]).
    Published(f64),
    /// A `-1` marker: suppressed.
    Marked,
}

/// One row of a split: area (position), day (since 1970), origin and value.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitRow {
    /// The area counted in, by position in the scenario.
    pub area: usize,
    /// The day, since 1970-01-01.
    pub day: Day,
    /// Where the persons come from.
    pub origin: Origin,
    /// How many (or suppressed).
    pub value: SplitValue,
}

/// Counts split by origin, as read: every row, each area, day and origin once.
#[derive(Clone, Debug, PartialEq)]
pub struct OriginSplit {
    settings: OriginSettings,
    rows: Vec<SplitRow>,
}

/// Why rows cannot form a split: each names rows by their position in the rows given.
#[derive(Clone, Debug, PartialEq)]
pub enum SplitProblem {
    /// The same area, day and origin twice: the first row and the repeat.
    Repeat {
        /// The first row.
        first: usize,
        /// The repeat.
        second: usize,
    },
    /// An area's unsplit total is below the sum of its published cells (values of at least
    /// `k`) that day, persons: the suppressed mass would be negative.
    TotalBelowPublished {
        /// The total's row.
        row: usize,
        /// The total, persons.
        total: f64,
        /// The published sum, persons.
        published: f64,
    },
    /// A `-1` marker under `k` = 0: a marker means a cell suppressed for being under `k`, and
    /// `k` = 0 suppresses nothing.
    MarkerWithoutThreshold {
        /// The marker's row.
        row: usize,
    },
    /// A municipality (an area of the scenario or another) as the origin of a split by SIM
    /// country, which tells countries only.
    MunicipalityUnderSimCountry {
        /// The row.
        row: usize,
    },
}

/// Relative slack for a total below its published sum: rounding of the operator's decimals
/// (a total is refused when `total < published − TOTAL_SLACK × |published|`).
pub const TOTAL_SLACK: f64 = 1e-9;

impl OriginSplit {
    /// The split of `rows` under `settings`, sorted by day, area and origin.
    ///
    /// # Errors
    /// Every [`SplitProblem`], in the order of the rows given (a repeat at its second row).
    pub fn new(
        settings: OriginSettings,
        rows: Vec<SplitRow>,
    ) -> Result<OriginSplit, Vec<SplitProblem>> {
        let mut problems = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if row.value == SplitValue::Marked && settings.min_count <= 0.0 {
                problems.push(SplitProblem::MarkerWithoutThreshold { row: i });
            }
            if settings.kind == OriginKind::SimCountry
                && matches!(row.origin, Origin::Area(_) | Origin::Municipality(_))
            {
                problems.push(SplitProblem::MunicipalityUnderSimCountry { row: i });
            }
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let key = |i: usize| (rows[i].day, rows[i].area, &rows[i].origin);
        order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
        for w in order.windows(2) {
            if key(w[0]) == key(w[1]) {
                problems.push(SplitProblem::Repeat {
                    first: w[0],
                    second: w[1],
                });
            }
        }
        // Each area-day's total against its published sum.
        let mut start = 0;
        while start < order.len() {
            let (day, area) = (rows[order[start]].day, rows[order[start]].area);
            let end = start
                + order[start..]
                    .iter()
                    .take_while(|&&i| (rows[i].day, rows[i].area) == (day, area))
                    .count();
            let group = &order[start..end];
            let published: f64 = group
                .iter()
                .filter(|&&i| rows[i].origin != Origin::Total)
                .filter_map(|&i| match rows[i].value {
                    SplitValue::Published(v) if !is_suppressed(v, settings.min_count) => Some(v),
                    _ => None,
                })
                .sum();
            for &i in group {
                if let (Origin::Total, SplitValue::Published(total)) =
                    (&rows[i].origin, rows[i].value)
                    && total < published - TOTAL_SLACK * published.abs()
                {
                    problems.push(SplitProblem::TotalBelowPublished {
                        row: i,
                        total,
                        published,
                    });
                }
            }
            start = end;
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| match p {
                SplitProblem::Repeat { second: row, .. }
                | SplitProblem::TotalBelowPublished { row, .. }
                | SplitProblem::MarkerWithoutThreshold { row }
                | SplitProblem::MunicipalityUnderSimCountry { row } => *row,
            });
            return Err(problems);
        }
        let mut rows = rows;
        rows.sort_by(|a, b| (a.day, a.area, &a.origin).cmp(&(b.day, b.area, &b.origin)));
        Ok(OriginSplit { settings, rows })
    }

    /// The settings it was read under.
    pub fn settings(&self) -> &OriginSettings {
        &self.settings
    }

    /// Its rows, by day, area and origin.
    pub fn rows(&self) -> &[SplitRow] {
        &self.rows
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Bounds of a figure, persons: `low ..= high` with each end open where a suppressed cell's
/// `< k` makes it so. Exact when `low == high` and both ends closed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// The lowest value, persons.
    pub low: f64,
    /// The highest value, persons.
    pub high: f64,
    /// Whether `low` itself is excluded.
    pub low_open: bool,
    /// Whether `high` itself is excluded (`[500, 515)`).
    pub high_open: bool,
}

/// Bounds this close, relative to their size (and to 1 person at least), meet: the same
/// figure reached by sums in another order (deltid's, an SQL engine's) differs in its last
/// bits only, and is still exact.
pub const EXACT_WITHIN: f64 = 1e-9;

impl Bounds {
    /// An exact figure.
    pub fn exact(value: f64) -> Bounds {
        Bounds {
            low: value,
            high: value,
            low_open: false,
            high_open: false,
        }
    }

    /// Whether the figure is known exactly: closed bounds that meet, to [`EXACT_WITHIN`].
    pub fn is_exact(&self) -> bool {
        let size = self.low.abs().max(self.high.abs()).max(1.0);
        (self.high - self.low).abs() <= EXACT_WITHIN * size && !self.low_open && !self.high_open
    }

    /// `self − value`.
    pub fn minus(self, value: f64) -> Bounds {
        Bounds {
            low: self.low - value,
            high: self.high - value,
            ..self
        }
    }

    /// The sum of two bounded figures.
    pub fn plus(self, other: Bounds) -> Bounds {
        Bounds {
            low: self.low + other.low,
            high: self.high + other.high,
            low_open: self.low_open || other.low_open,
            high_open: self.high_open || other.high_open,
        }
    }

    /// `value − self`: the bounds reversed.
    pub fn subtracted_from(self, value: f64) -> Bounds {
        Bounds {
            low: value - self.high,
            high: value - self.low,
            low_open: self.high_open,
            high_open: self.low_open,
        }
    }
}

/// The three parts of a day's split, each by multimno's convention (suppressed = 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZeroFilled {
    /// Published local persons.
    pub local: f64,
    /// Published persons from elsewhere (domestic and foreign).
    pub elsewhere: f64,
    /// Published foreign persons.
    pub foreign: f64,
}

/// What a split gives for one area and day, persons.
#[derive(Clone, Debug, PartialEq)]
pub struct OriginDay {
    /// The area, by position in the scenario.
    pub area: usize,
    /// The day.
    pub date: NaiveDate,
    /// The unsplit total, when the split gives one.
    pub total: Option<f64>,
    /// The sum of the published cells (values of at least `k`).
    pub published: f64,
    /// Cells marked `-1` or published under `k`.
    pub suppressed_cells: u32,
    /// The suppressed mass `total − published`, when a total is given.
    pub suppressed: Option<f64>,
    /// Local persons: residents present (home), persons who slept here (previous night),
    /// Norwegian SIMs (SIM country).
    pub local: Bounds,
    /// Persons from elsewhere, domestic and foreign.
    pub elsewhere: Bounds,
    /// Foreign visitors (a country other than Norway).
    pub foreign: Bounds,
    /// Residents away: registered − local (home only, where registered residents are known).
    pub away: Option<Bounds>,
    /// The same parts with suppressed cells as 0 (multimno's convention), for comparison.
    pub zero_filled: ZeroFilled,
}

/// Guest-nights of one area: for the previous-night origin the night with evening `date`,
/// for the long-term home the day `date`.
#[derive(Clone, Debug, PartialEq)]
pub struct GuestNight {
    /// The area, by position in the scenario.
    pub area: usize,
    /// The evening date of the night (previous night) or the day (home).
    pub date: NaiveDate,
    /// Persons who slept in the area (previous night) or present from elsewhere (home).
    pub persons: Bounds,
    /// Registered residents deducted (previous night), persons.
    pub registered: Option<f64>,
    /// Guest-nights, nights.
    pub guest_nights: Bounds,
    /// Guest-nights with suppressed cells as 0 (multimno's convention).
    pub zero_filled: f64,
}

/// What a split gives: per area and day, guest-nights by the origin's rule, and the region's
/// guest-nights per night (or day).
#[derive(Clone, Debug, PartialEq)]
pub struct OriginEstimate {
    settings: OriginSettings,
    days: Vec<OriginDay>,
    guests: Vec<GuestNight>,
    region: Vec<(NaiveDate, Bounds, f64)>,
    incomplete: Vec<NaiveDate>,
    residents_unknown: bool,
    partial: bool,
}

/// The split cells of one area and day, sorted into parts.
#[derive(Default)]
struct Parts {
    total: Option<f64>,
    /// Published sums and suppressed cells (markers and values under k): local, domestic
    /// from elsewhere, foreign.
    published: [f64; 3],
    suppressed: [u32; 3],
    local_published: bool,
    /// The values of the area's rows that day, by origin (the total apart).
    cells: BTreeMap<Origin, SplitValue>,
}

const LOCAL: usize = 0;
const DOMESTIC: usize = 1;
const FOREIGN: usize = 2;

impl OriginEstimate {
    /// The figures of `split` for a scenario of `areas` areas whose registered residents of
    /// an area on a date are `registered` (persons; `None` where not known). The plan gives
    /// both: [`Plan::origin_estimate`](crate::Plan::origin_estimate).
    pub fn new(
        split: &OriginSplit,
        areas: usize,
        registered: impl Fn(usize, NaiveDate) -> Option<f64>,
    ) -> OriginEstimate {
        let settings = *split.settings();
        let k = settings.min_count;
        // Only the total is no part, and it is kept apart before any part is asked for.
        let part_of = |area: usize, origin: &Origin| {
            Part::of(settings.kind, area, origin).map_or(DOMESTIC, Part::index)
        };
        // The cells of each (day, area), and each area's origins over the file.
        let mut cells: BTreeMap<(Day, usize), Parts> = BTreeMap::new();
        let mut seen: HashMap<usize, BTreeSet<Origin>> = HashMap::new();
        for row in split.rows() {
            let parts = cells.entry((row.day, row.area)).or_default();
            if row.origin == Origin::Total {
                if let SplitValue::Published(v) = row.value {
                    parts.total = Some(v);
                }
                continue;
            }
            seen.entry(row.area).or_default().insert(row.origin.clone());
            parts.cells.insert(row.origin.clone(), row.value);
            let part = part_of(row.area, &row.origin);
            match row.value {
                SplitValue::Published(v) if !is_suppressed(v, k) => {
                    parts.published[part] += v;
                    if part == LOCAL {
                        parts.local_published = true;
                    }
                }
                _ => parts.suppressed[part] += 1,
            }
        }
        let mut days = Vec::new();
        let mut residents_unknown = false;
        for (&(day, area), parts) in &cells {
            let date = from_epoch_day(day);
            let published: f64 = parts.published.iter().sum();
            let [pl, pd, pf] = parts.published;
            let zero_filled = ZeroFilled {
                local: pl,
                elsewhere: pd + pf,
                foreign: pf,
            };
            let (local, elsewhere, foreign, suppressed) = match parts.total {
                Some(total) => {
                    let mass = (total - published).max(0.0);
                    // Only the local part is one cell; deleted rows elsewhere are unbounded.
                    let cap_local = if parts.local_published {
                        0.0
                    } else {
                        k.min(mass)
                    };
                    let local = Bounds {
                        low: pl,
                        high: pl + cap_local,
                        low_open: false,
                        // Under k, and under the mass: `< k` binds when k ≤ mass.
                        high_open: cap_local > 0.0 && k <= mass,
                    };
                    let elsewhere = local.subtracted_from(total);
                    let foreign = Bounds {
                        low: pf,
                        high: pf + mass,
                        low_open: false,
                        high_open: false,
                    };
                    (local, elsewhere, foreign, Some(mass))
                }
                None => {
                    // The cells that may hold a suppressed count, by the one rule: the rows,
                    // the origins of other days, the scenario's areas.
                    let mut possible = [0u32; 3];
                    let named = seen.get(&area);
                    let candidates: BTreeSet<Origin> = parts
                        .cells
                        .keys()
                        .cloned()
                        .chain(named.into_iter().flatten().cloned())
                        .chain((0..areas).map(Origin::Area))
                        .collect();
                    for origin in &candidates {
                        let cell = parts.cells.get(origin).copied();
                        let named = named.is_some_and(|n| n.contains(origin));
                        if may_hold_suppressed(&settings, origin, cell, named) {
                            possible[part_of(area, origin)] += 1;
                        }
                    }
                    let part = |x: usize| Bounds {
                        low: parts.published[x],
                        high: parts.published[x] + k * f64::from(possible[x]),
                        low_open: false,
                        high_open: possible[x] > 0,
                    };
                    (
                        part(LOCAL),
                        part(DOMESTIC).plus(part(FOREIGN)),
                        part(FOREIGN),
                        None,
                    )
                }
            };
            // SIM countries tell foreign from Norwegian SIMs only: everyone from elsewhere is
            // foreign, to the same bounds (the suppressed mass is foreign too).
            let foreign = match settings.kind {
                OriginKind::SimCountry => elsewhere,
                _ => foreign,
            };
            let away = match settings.kind {
                OriginKind::Home => match registered(area, date) {
                    Some(registered) => Some(local.subtracted_from(registered)),
                    None => {
                        residents_unknown = true;
                        None
                    }
                },
                _ => None,
            };
            days.push(OriginDay {
                area,
                date,
                total: parts.total,
                published,
                suppressed_cells: parts.suppressed.iter().sum(),
                suppressed,
                local,
                elsewhere,
                foreign,
                away,
                zero_filled,
            });
        }
        let mut guests = Vec::new();
        let mut incomplete = Vec::new();
        match settings.kind {
            OriginKind::SimCountry => {}
            OriginKind::Home => {
                for day in &days {
                    guests.push(GuestNight {
                        area: day.area,
                        date: day.date,
                        persons: day.elsewhere,
                        registered: None,
                        guest_nights: day.elsewhere,
                        zero_filled: day.zero_filled.elsewhere,
                    });
                }
            }
            OriginKind::PreviousNight => {
                let by_day: BTreeSet<Day> = cells.keys().map(|(d, _)| *d).collect();
                for day in by_day {
                    if (0..areas).any(|a| !cells.contains_key(&(day, a))) {
                        incomplete.push(from_epoch_day(day));
                        continue;
                    }
                    let night = from_epoch_day(day - 1);
                    for home in 0..areas {
                        let mut slept = Bounds::exact(0.0);
                        let mut zero = 0.0;
                        for a in 0..areas {
                            let origin = Origin::Area(home);
                            let parts = &cells[&(day, a)];
                            let cell = parts.cells.get(&origin).copied();
                            let named = seen.get(&a).is_some_and(|n| n.contains(&origin));
                            let bounds = match cell {
                                Some(SplitValue::Published(v)) if !is_suppressed(v, k) => {
                                    zero += v;
                                    Bounds::exact(v)
                                }
                                _ if may_hold_suppressed(&settings, &origin, cell, named) => {
                                    let mass = parts.total.map_or(k, |t| {
                                        (t - parts.published.iter().sum::<f64>()).max(0.0)
                                    });
                                    Bounds {
                                        low: 0.0,
                                        high: k.min(mass),
                                        low_open: false,
                                        high_open: mass >= k && k > 0.0,
                                    }
                                }
                                // Absent, and by the rule no suppressed count.
                                _ => Bounds::exact(0.0),
                            };
                            slept = slept.plus(bounds);
                        }
                        let registered = registered(home, night);
                        let Some(residents) = registered else {
                            residents_unknown = true;
                            continue;
                        };
                        guests.push(GuestNight {
                            area: home,
                            date: night,
                            persons: slept,
                            registered,
                            guest_nights: slept.minus(residents),
                            zero_filled: zero - residents,
                        });
                    }
                }
            }
        }
        let mut region: BTreeMap<NaiveDate, (Bounds, f64, usize)> = BTreeMap::new();
        for g in &guests {
            let entry = region.entry(g.date).or_insert((Bounds::exact(0.0), 0.0, 0));
            entry.0 = entry.0.plus(g.guest_nights);
            entry.1 += g.zero_filled;
            entry.2 += 1;
        }
        let region = region
            .into_iter()
            .filter(|(_, (_, _, n))| *n == areas)
            .map(|(date, (b, z, _))| (date, b, z))
            .collect();
        OriginEstimate {
            settings,
            days,
            guests,
            region,
            incomplete,
            residents_unknown,
            partial: false,
        }
    }

    /// The figures of the areas at positions `areas` only, each as the whole split gives it
    /// (guest-nights by the previous night sum over every area of the region, so the choice
    /// does not change them); the region's guest-nights are left out, as they are not the
    /// sum of the areas kept. `areas` listing every area leaves the estimate as it is, by
    /// areas `0..n` of the `n` the estimate was made for.
    #[must_use]
    pub fn only(mut self, areas: &[usize]) -> OriginEstimate {
        self.days.retain(|d| areas.contains(&d.area));
        self.guests.retain(|g| areas.contains(&g.area));
        self.region.clear();
        self.partial = true;
        self
    }

    /// Whether only some areas are kept ([`OriginEstimate::only`]): no region figures.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// The settings of the split.
    pub fn settings(&self) -> &OriginSettings {
        &self.settings
    }

    /// Per area and day, by day then area.
    pub fn days(&self) -> &[OriginDay] {
        &self.days
    }

    /// Guest-nights per area, by date then area (none for SIM countries).
    pub fn guests(&self) -> &[GuestNight] {
        &self.guests
    }

    /// The region's guest-nights per night (or day) where every area has a figure: bounds and
    /// multimno's convention.
    pub fn region(&self) -> &[(NaiveDate, Bounds, f64)] {
        &self.region
    }

    /// Days left out of the previous-night sums because some area has no split that day.
    pub fn incomplete(&self) -> &[NaiveDate] {
        &self.incomplete
    }

    /// Whether registered residents per area were needed and are not in the scenario (they
    /// are shared out by present persons), so residents away or guest-nights are not given.
    pub fn residents_unknown(&self) -> bool {
        self.residents_unknown
    }
}

impl OriginSplit {
    /// The rows whose figures fall in a period (`in_period`, such as
    /// [`Period::contains`](crate::Period::contains)), as counts of nights and days are
    /// selected: for the previous-night origin, the rows of day `d` whose night (evening date
    /// `d − 1`) is in the period, so the guest-nights are those of the nights from the
    /// period's first evening to its last, as hourly counts give them; for the other kinds,
    /// the rows of the days in the period.
    pub fn within(&self, in_period: impl Fn(NaiveDate) -> bool) -> OriginSplit {
        let shift = i32::from(self.settings.kind == OriginKind::PreviousNight);
        OriginSplit {
            settings: self.settings,
            rows: self
                .rows
                .iter()
                .filter(|row| in_period(from_epoch_day(row.day - shift)))
                .cloned()
                .collect(),
        }
    }

    /// The value of one cell, if the split has its row.
    pub fn cell(&self, day: Day, area: usize, origin: &Origin) -> Option<SplitValue> {
        self.rows
            .binary_search_by(|r| (r.day, r.area, &r.origin).cmp(&(day, area, origin)))
            .ok()
            .map(|i| self.rows[i].value)
    }
}
