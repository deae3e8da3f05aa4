//! Every path gives the same numbers, or every path refuses: a differential test on random
//! scenarios and counts.
//!
//! Each case is a random scenario (areas with codes of one to four characters, region-level,
//! per-area and table deductions, both allocations, scaling, sometimes a region count of its
//! own, `[area_codes] digits` and a code mapping) and random counts (gaps, zero and decimal
//! counts, negative days, area cells spelled every way deltid reads them: padded and unpadded
//! codes, labels, names in another case, old codes, odd Unicode white space). Some cases carry
//! one fault deltid must refuse (an unknown area, a repeated day, a negative count, a missing
//! deduction figure, an ambiguous name). Every case runs through:
//!
//! - an independent oracle written here from the formulas of DOMAIN.md and the plan's docs;
//! - the CSV reader with its default chunks, and with tiny chunks on one to three threads;
//! - the same counts as Parquet;
//! - the query of `deltid sql` in DuckDB (Python's `duckdb`, tests/requirements.txt).
//!
//! The summaries (days and the eight means of every area and of the region) must agree to
//! 1e-9 relative, or every path must refuse. `DELTID_PATH_CASES` sets the number of cases
//! (256 by default), `DELTID_PATH_SEED` the first seed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use deltid::sql::{Dialect, Rows, SqlOptions, to_sql};
use deltid::{CountsOptions, Line, Plan, Selection, Summary, read_counts, read_scenario};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// Relative agreement of every path.
const TOLERANCE: f64 = 1e-9;

/// A small random generator over a seeded ChaCha stream.
struct Random(ChaCha8Rng);

impl Random {
    fn new(seed: u64) -> Random {
        Random(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Persons: a whole number or one with two decimals, up to `high`.
    fn persons(&mut self, high: u64) -> f64 {
        let whole = self.below(high + 1) as f64;
        if self.chance(0.3) {
            whole + self.below(100) as f64 / 100.0
        } else {
            whole
        }
    }
}

/// How a deduction is given.
#[derive(Clone, Debug)]
enum Given {
    /// One figure for the region.
    Region(f64),
    /// One per area.
    PerArea(Vec<f64>),
    /// A table by date for the region (missing dates take `fill`).
    ByDate(BTreeMap<NaiveDate, f64>, Option<f64>),
    /// A table by area without dates (missing areas take `fill`).
    ByArea(BTreeMap<usize, f64>, Option<f64>),
}

/// A fault deltid must refuse.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    UnknownArea,
    RepeatedDay,
    NegativeCount,
    MissingFigure,
    AmbiguousName,
}

/// One random case.
#[derive(Debug)]
struct Case {
    seed: u64,
    codes: Vec<String>,
    names: Vec<String>,
    uplift: f64,
    scaling: (Option<f64>, Option<f64>),
    deductions: [Given; 4],
    residents_allocation: bool,
    digits: Option<usize>,
    /// Old code → area.
    mapping: Vec<(String, usize)>,
    region_code: Option<String>,
    /// (date, place: area or None for the region's own count, count, cell as written).
    rows: Vec<(NaiveDate, Option<usize>, f64, String)>,
    dotted_dates: bool,
    delimiter: u8,
    fault: Option<Fault>,
}

const WHITE: [char; 6] = ['\u{2009}', '\u{3000}', '\u{b}', '\u{a0}', ' ', '\t'];

impl Case {
    fn random(seed: u64) -> Case {
        let mut r = Random::new(seed);
        let areas = 1 + r.below(4) as usize;
        let digits = (r.chance(0.5)).then(|| 1 + r.below(4) as usize);
        let mut codes: Vec<String> = Vec::new();
        while codes.len() < areas {
            let code = match digits {
                // All-digit codes of exactly `digits` digits, leading zeros likely.
                Some(n) => format!("{:0>n$}", r.below(10u64.pow(n as u32).min(60))),
                None if r.chance(0.5) => format!("{:04}", r.below(40)),
                None => format!("A{}", r.below(50)),
            };
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let pool = [
            "Flå", "Gol", "Ål", "Hol", "Nes", "Hemsedal", "Nesbyen", "Bø",
        ];
        let mut names: Vec<String> = Vec::new();
        for _ in 0..areas {
            let name = loop {
                let name = (*r.pick(&pool)).to_owned();
                if !names.contains(&name) {
                    break name;
                }
            };
            names.push(name);
        }
        let mut fault = None;
        if r.chance(0.15) {
            fault = Some(*r.pick(&[
                Fault::UnknownArea,
                Fault::RepeatedDay,
                Fault::NegativeCount,
                Fault::MissingFigure,
                Fault::AmbiguousName,
            ]));
        }
        if fault == Some(Fault::AmbiguousName) {
            if areas < 2 {
                fault = None;
            } else {
                names[1] = names[0].clone();
            }
        }
        let first = NaiveDate::from_ymd_opt(2019, 12, 20).unwrap()
            + chrono::TimeDelta::days(r.below(30) as i64);
        let days = 1 + r.below(25) as i64;
        let dates: Vec<NaiveDate> = (0..days)
            .map(|d| first + chrono::TimeDelta::days(d))
            .collect();
        let gaps = r.chance(0.5);
        let mut rows = Vec::new();
        for &date in &dates {
            for area in 0..areas {
                if gaps && r.chance(0.25) {
                    continue;
                }
                rows.push((date, Some(area), r.persons(3_000), String::new()));
            }
        }
        let region_code = r.chance(0.2).then(|| "REG".to_owned());
        if region_code.is_some() {
            for &date in &dates {
                if r.chance(0.85) {
                    rows.push((date, None, r.persons(8_000), String::new()));
                }
            }
        }
        let mut mapping = Vec::new();
        if r.chance(0.3) {
            for (area, code) in codes.iter().enumerate() {
                if r.chance(0.6) {
                    mapping.push((format!("X{area}{code}"), area));
                }
            }
        }
        // Deductions, each given one way.
        let given = |r: &mut Random, high: u64| -> Given {
            match r.below(5) {
                0 => Given::Region(0.0),
                1 => Given::Region(r.persons(high * areas as u64)),
                2 => Given::PerArea((0..areas).map(|_| r.persons(high)).collect()),
                3 => {
                    let fill = r.chance(0.5).then(|| r.persons(high));
                    let mut table = BTreeMap::new();
                    for (i, d) in dates.iter().enumerate() {
                        if fill.is_none() || i == 0 || r.chance(0.7) {
                            table.insert(*d, r.persons(high * areas as u64));
                        }
                    }
                    Given::ByDate(table, fill)
                }
                _ => {
                    let fill = r.chance(0.5).then(|| r.persons(high));
                    let mut table = BTreeMap::new();
                    for a in 0..areas {
                        if fill.is_none() || a == 0 || r.chance(0.7) {
                            table.insert(a, r.persons(high));
                        }
                    }
                    Given::ByArea(table, fill)
                }
            }
        };
        let mut deductions = [
            given(&mut r, 1_500),
            given(&mut r, 200),
            given(&mut r, 200),
            given(&mut r, 300),
        ];
        if fault == Some(Fault::MissingFigure) {
            // A table by date without a fill and without one day that is counted.
            let day = *r.pick(&dates);
            let mut table: BTreeMap<NaiveDate, f64> = dates.iter().map(|d| (*d, 100.0)).collect();
            table.remove(&day);
            deductions[1 + r.below(3) as usize] = Given::ByDate(table, None);
            if !rows.iter().any(|row| row.0 == day && row.1.is_some()) {
                rows.push((day, Some(0), 10.0, String::new()));
            }
        }
        // Residents by resident share need residents per area.
        let residents_allocation = match &deductions[0] {
            Given::PerArea(values) => r.chance(0.5) && values.iter().sum::<f64>() > 0.0,
            Given::ByArea(table, _) => {
                r.chance(0.5) && table.len() == areas && table.values().sum::<f64>() > 0.0
            }
            _ => false,
        };
        let mut case = Case {
            seed,
            codes,
            names,
            uplift: *r.pick(&[0.0, 0.06, 0.25]),
            scaling: (r.chance(0.3).then_some(0.9), r.chance(0.3).then_some(0.75)),
            deductions,
            residents_allocation,
            digits,
            mapping,
            region_code,
            rows,
            dotted_dates: r.chance(0.3),
            delimiter: *r.pick(b",;"),
            fault,
        };
        case.spell(&mut r);
        case
    }

    /// Writes each row's area cell one of the ways deltid reads it, and puts in the fault.
    fn spell(&mut self, r: &mut Random) {
        for i in 0..self.rows.len() {
            let (_, place, _, _) = self.rows[i].clone();
            let cell = match place {
                None => self.region_code.clone().unwrap_or_default(),
                Some(area) => {
                    let code = &self.codes[area];
                    let name = &self.names[area];
                    let unique = self.names.iter().filter(|n| *n == name).count() == 1;
                    let digits = code.bytes().all(|b| b.is_ascii_digit());
                    let mut ways = vec![code.clone()];
                    if digits {
                        ways.push(format!("K-{code} {name}"));
                        ways.push(format!("{code} {name}"));
                        if self.digits.is_some() {
                            let bare = code.trim_start_matches('0');
                            ways.push(if bare.is_empty() {
                                "0".to_owned()
                            } else {
                                bare.to_owned()
                            });
                        }
                    }
                    if unique {
                        ways.push(name.to_uppercase());
                    }
                    if let Some((old, _)) = self.mapping.iter().find(|m| m.1 == area) {
                        ways.push(old.clone());
                    }
                    r.pick(&ways).clone()
                }
            };
            // Odd white space around it, now and then.
            let cell = if r.chance(0.2) {
                format!("{}{cell}{}", r.pick(&["", " "]), r.pick(&WHITE))
            } else {
                cell
            };
            self.rows[i].3 = cell;
        }
        match self.fault {
            Some(Fault::UnknownArea) => {
                let i = r.below(self.rows.len() as u64) as usize;
                self.rows[i].3 = "9999x".to_owned();
            }
            Some(Fault::RepeatedDay) => {
                let i = r.below(self.rows.len() as u64) as usize;
                let mut row = self.rows[i].clone();
                row.2 += 1.0;
                self.rows.push(row);
            }
            Some(Fault::NegativeCount) => {
                let i = r.below(self.rows.len() as u64) as usize;
                self.rows[i].2 = -(1.0 + self.rows[i].2);
            }
            Some(Fault::AmbiguousName) => {
                // A row of area 0 or 1 spelled by their shared name.
                if let Some(row) = self
                    .rows
                    .iter_mut()
                    .find(|row| matches!(row.1, Some(0 | 1)))
                {
                    row.3 = self.names[0].clone();
                }
            }
            Some(Fault::MissingFigure) | None => {}
        }
        // Rows in a shuffled order: no reader may count on sorted files.
        for i in (1..self.rows.len()).rev() {
            let j = r.below(i as u64 + 1) as usize;
            self.rows.swap(i, j);
        }
    }

    /// The scenario file and its tables, in `dir`.
    fn write(&self, dir: &Path) -> PathBuf {
        let mut toml = String::new();
        let _ = writeln!(toml, "name = \"Region {}\"", self.seed);
        let _ = writeln!(toml, "uplift = {:?}", self.uplift);
        let _ = writeln!(toml, "counts = \"counts.csv\"");
        if self.residents_allocation {
            let _ = writeln!(toml, "allocation = \"residents\"");
        }
        if let Some(code) = &self.region_code {
            let _ = writeln!(toml, "region_code = \"{code}\"");
        }
        let _ = writeln!(toml, "[deductions]");
        for (i, (given, key)) in self.deductions.iter().zip(KEYS).enumerate() {
            match given {
                Given::Region(v) => {
                    let _ = writeln!(toml, "{key} = {v:?}");
                }
                Given::PerArea(_) => {}
                Given::ByDate(table, fill) => {
                    let file = format!("table{i}.csv");
                    let mut csv = "date,persons\n".to_owned();
                    for (d, v) in table {
                        let _ = writeln!(csv, "{d},{v:?}");
                    }
                    std::fs::write(dir.join(&file), csv).unwrap();
                    let fill = fill.map(|f| format!(", fill = {f:?}")).unwrap_or_default();
                    let _ = writeln!(toml, "{key} = {{ table = \"{file}\"{fill} }}");
                }
                Given::ByArea(table, fill) => {
                    let file = format!("table{i}.csv");
                    let mut csv = "area,persons\n".to_owned();
                    for (a, v) in table {
                        let _ = writeln!(csv, "{},{v:?}", self.codes[*a]);
                    }
                    std::fs::write(dir.join(&file), csv).unwrap();
                    let fill = fill.map(|f| format!(", fill = {f:?}")).unwrap_or_default();
                    let _ = writeln!(toml, "{key} = {{ table = \"{file}\"{fill} }}");
                }
            }
        }
        for (area, code) in self.codes.iter().enumerate() {
            let _ = writeln!(
                toml,
                "[[area]]\ncode = \"{code}\"\nname = \"{}\"",
                self.names[area]
            );
            for (given, key) in self.deductions.iter().zip(KEYS) {
                if let Given::PerArea(values) = given {
                    let _ = writeln!(toml, "{key} = {:?}", values[area]);
                }
            }
        }
        if self.digits.is_some() || !self.mapping.is_empty() {
            let _ = writeln!(toml, "[area_codes]");
            if let Some(n) = self.digits {
                let _ = writeln!(toml, "digits = {n}");
            }
            if !self.mapping.is_empty() {
                let mut csv = "from,to\n".to_owned();
                for (old, area) in &self.mapping {
                    let _ = writeln!(csv, "{old},{}", self.codes[*area]);
                }
                std::fs::write(dir.join("codes.csv"), csv).unwrap();
                let _ = writeln!(toml, "mapping = \"codes.csv\"");
            }
        }
        if self.scaling.0.is_some() || self.scaling.1.is_some() {
            let _ = writeln!(toml, "[scaling]");
            if let Some(d) = self.scaling.0 {
                let _ = writeln!(toml, "deduplication = {d:?}");
            }
            if let Some(m) = self.scaling.1 {
                let _ = writeln!(toml, "market_share = {m:?}");
            }
        }
        let path = dir.join("scenario.toml");
        std::fs::write(&path, toml).unwrap();
        let d = self.delimiter as char;
        let mut csv = format!("date{d}area{d}count\n");
        for (date, _, count, cell) in &self.rows {
            let date = if self.dotted_dates {
                date.format("%d.%m.%Y").to_string()
            } else {
                date.to_string()
            };
            let _ = writeln!(csv, "{date}{d}{cell}{d}{count:?}");
        }
        std::fs::write(dir.join("counts.csv"), csv).unwrap();
        path
    }

    /// The expected summary, computed here from the formulas, or `None` if deltid must refuse
    /// the case.
    fn oracle(&self) -> Option<Expected> {
        if self.fault.is_some() {
            return None;
        }
        let areas = self.codes.len();
        let ratio = self.scaling.0.unwrap_or(1.0) / self.scaling.1.unwrap_or(1.0);
        let per_domestic = if ratio == 1.0 {
            self.uplift
        } else {
            (1.0 + self.uplift) * ratio - 1.0
        };
        let present = |observed: f64| observed + observed * per_domestic;
        // Counts by day.
        let mut days: BTreeMap<NaiveDate, (Vec<Option<f64>>, Option<f64>)> = BTreeMap::new();
        for (date, place, count, _) in &self.rows {
            let day = days.entry(*date).or_insert((vec![None; areas], None));
            match place {
                Some(a) => day.0[*a] = Some(*count),
                None => day.1 = Some(*count),
            }
        }
        let shared = |g: &Given| match g {
            Given::Region(v) => *v != 0.0,
            Given::ByDate(..) => true,
            _ => false,
        };
        let by_present = !self.residents_allocation && self.deductions.iter().any(shared);
        // Shares of present persons, and the usual shares when some day lacks an area.
        let base = |day: &Vec<Option<f64>>, a: usize| {
            let total: f64 = day.iter().flatten().map(|o| present(*o)).sum();
            let counted = day.iter().flatten().count() as f64;
            if total > 0.0 {
                present(day[a].unwrap_or(0.0)) / total
            } else {
                1.0 / counted
            }
        };
        // A day is complete when every area with a count on some day is counted (an area
        // without any count is left out of the region and does not make days incomplete).
        let has_counts: Vec<bool> = (0..areas)
            .map(|a| days.values().any(|(d, _)| d[a].is_some()))
            .collect();
        let complete = |day: &Vec<Option<f64>>| {
            day.iter()
                .zip(&has_counts)
                .all(|(count, has)| count.is_some() || !has)
        };
        let any_incomplete = days
            .values()
            .any(|(d, _)| !complete(d) && d.iter().any(Option::is_some));
        let complete_days: Vec<&Vec<Option<f64>>> = days
            .values()
            .map(|(d, _)| d)
            .filter(|d| complete(d))
            .collect();
        let usual: Option<Vec<f64>> = (by_present && any_incomplete && !complete_days.is_empty())
            .then(|| {
                (0..areas)
                    .map(|a| {
                        complete_days.iter().map(|d| base(d, a)).sum::<f64>()
                            / complete_days.len() as f64
                    })
                    .collect()
            });
        let residents: Vec<f64> = match &self.deductions[0] {
            Given::PerArea(v) => v.clone(),
            Given::ByArea(t, _) => (0..areas)
                .map(|a| t.get(&a).copied().unwrap_or(0.0))
                .collect(),
            _ => Vec::new(),
        };
        let share = |day: &Vec<Option<f64>>, a: usize| -> f64 {
            if self.residents_allocation {
                return residents[a] / residents.iter().sum::<f64>();
            }
            let raw = base(day, a);
            match &usual {
                Some(usual) if !complete(day) => {
                    let sum: f64 = (0..areas)
                        .filter(|&b| day[b].is_some())
                        .map(|b| usual[b])
                        .sum();
                    if sum > 0.0 { raw * sum } else { raw }
                }
                _ => raw,
            }
        };
        let figure = |g: &Given, date: NaiveDate, a: usize, s: f64| -> f64 {
            match g {
                Given::Region(v) if *v == 0.0 => 0.0,
                Given::Region(v) => v * s,
                Given::PerArea(v) => v[a],
                Given::ByDate(t, fill) => t.get(&date).copied().or(*fill).unwrap_or(f64::NAN) * s,
                Given::ByArea(t, fill) => t.get(&a).copied().or(*fill).unwrap_or(f64::NAN),
            }
        };
        let lines = |observed: f64, deductions: [f64; 4]| -> [f64; 8] {
            let p = present(observed);
            let [r, c, t, d] = deductions;
            [
                observed,
                observed * per_domestic,
                p,
                r,
                c,
                t,
                d,
                p - r - c - t - d,
            ]
        };
        let mut area_days: Vec<Vec<[f64; 8]>> = vec![Vec::new(); areas];
        let mut complete_region = Vec::new();
        for (date, (day, _)) in &days {
            let mut sum = [0.0; 8];
            for a in 0..areas {
                let Some(observed) = day[a] else { continue };
                let s = share(day, a);
                let deductions = [0, 1, 2, 3].map(|k| figure(&self.deductions[k], *date, a, s));
                let l = lines(observed, deductions);
                for (x, y) in sum.iter_mut().zip(l) {
                    *x += y;
                }
                area_days[a].push(l);
            }
            if complete(day) {
                complete_region.push(sum);
            }
        }
        // A missing figure on a counted day (no fill) is refused.
        if area_days
            .iter()
            .flatten()
            .any(|l| l.iter().any(|v| v.is_nan()))
        {
            return None;
        }
        let mean = |rows: &[[f64; 8]]| -> [f64; 8] {
            let mut m = [0.0; 8];
            for row in rows {
                for (x, y) in m.iter_mut().zip(row) {
                    *x += y;
                }
            }
            m.map(|x| x / rows.len().max(1) as f64)
        };
        let area_summaries: Vec<(usize, u32, [f64; 8])> = area_days
            .iter()
            .enumerate()
            .filter(|(_, rows)| !rows.is_empty())
            .map(|(a, rows)| (a, rows.len() as u32, mean(rows)))
            .collect();
        let own: Vec<[f64; 8]> = days
            .iter()
            .filter_map(|(date, (_, region))| {
                let observed = (*region)?;
                let deductions = [0, 1, 2, 3].map(|k| match &self.deductions[k] {
                    Given::Region(v) => *v,
                    Given::PerArea(v) => v.iter().sum(),
                    Given::ByDate(t, fill) => t.get(date).copied().or(*fill).unwrap_or(f64::NAN),
                    Given::ByArea(t, fill) => (0..areas)
                        .map(|a| t.get(&a).copied().or(*fill).unwrap_or(f64::NAN))
                        .sum(),
                });
                Some(lines(observed, deductions))
            })
            .collect();
        let region = if self.region_code.is_some() && !own.is_empty() {
            if own.iter().any(|l| l.iter().any(|v| v.is_nan())) {
                return None;
            }
            (own.len() as u32, mean(&own))
        } else {
            let mut sum = [0.0; 8];
            for (_, _, m) in &area_summaries {
                for (x, y) in sum.iter_mut().zip(m) {
                    *x += y;
                }
            }
            (complete_region.len() as u32, sum)
        };
        Some(Expected {
            areas: area_summaries
                .into_iter()
                .map(|(a, days, m)| (self.codes[a].clone(), days, m))
                .collect(),
            region,
        })
    }
}

/// The deductions' keys in the plan's order.
const KEYS: [&str; 4] = ["residents", "commuters", "transit", "day_visitors"];

/// A summary as the paths are compared: per area (code, days, eight means), and the region.
#[derive(Debug)]
struct Expected {
    areas: Vec<(String, u32, [f64; 8])>,
    region: (u32, [f64; 8]),
}

impl Expected {
    fn of(summary: &Summary) -> Expected {
        Expected {
            areas: summary
                .areas()
                .iter()
                .map(|a| {
                    let code = a.code().map(ToString::to_string).unwrap_or_default();
                    (code, a.days(), a.mean().to_array())
                })
                .collect(),
            region: (summary.region().days(), summary.region().mean().to_array()),
        }
    }

    /// Whether `other` agrees, or what differs.
    fn check(&self, other: &Expected, path: &str) -> Result<(), String> {
        let close = |a: f64, b: f64| (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0);
        if self.areas.len() != other.areas.len() {
            return Err(format!(
                "{path}: {} areas, expected {}",
                other.areas.len(),
                self.areas.len()
            ));
        }
        for (want, got) in self.areas.iter().zip(&other.areas) {
            if want.0 != got.0 || want.1 != got.1 {
                return Err(format!(
                    "{path}: area {} with {} days, expected {} with {}",
                    got.0, got.1, want.0, want.1
                ));
            }
            for (line, (w, g)) in Line::ALL.iter().zip(want.2.iter().zip(&got.2)) {
                if !close(*w, *g) {
                    return Err(format!("{path}: area {} {line}: {g}, expected {w}", want.0));
                }
            }
        }
        if self.region.0 != other.region.0 {
            return Err(format!(
                "{path}: region days {}, expected {}",
                other.region.0, self.region.0
            ));
        }
        for (line, (w, g)) in Line::ALL
            .iter()
            .zip(self.region.1.iter().zip(&other.region.1))
        {
            if !close(*w, *g) {
                return Err(format!("{path}: region {line}: {g}, expected {w}"));
            }
        }
        Ok(())
    }
}

/// A path's result: the summary, or the refusal.
fn library(dir: &Path, counts: &Path, chunks: Option<(usize, usize)>) -> Result<Expected, String> {
    let scenario = read_scenario(dir.join("scenario.toml")).map_err(|e| e.to_string())?;
    let counts = match chunks {
        None => read_counts(counts, &CountsOptions::default(), &scenario),
        Some((bytes, threads)) => deltid::read_counts_in_chunks(
            counts,
            &CountsOptions::default(),
            &scenario,
            bytes,
            threads,
        )
        .and_then(deltid::Reading::into_counts),
    }
    .map_err(|e| e.to_string())?;
    let plan = Plan::new(&scenario, &Selection::default()).map_err(|e| e.to_string())?;
    let estimate = plan.estimate(&counts).map_err(|e| e.to_string())?;
    Ok(Expected::of(&estimate.summary()))
}

/// Writes the case's rows as Parquet: dates as dates (or text when the CSV has dotted ones),
/// area cells as text, counts as doubles.
fn write_parquet(case: &Case, path: &Path) {
    use polars::prelude::*;
    let dates: Vec<i32> = case
        .rows
        .iter()
        .map(|r| (r.0 - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32)
        .collect();
    let date = if case.dotted_dates {
        Column::new(
            "date".into(),
            case.rows
                .iter()
                .map(|r| r.0.format("%d.%m.%Y").to_string())
                .collect::<Vec<_>>(),
        )
    } else {
        Column::new("date".into(), dates)
            .cast(&DataType::Date)
            .unwrap()
    };
    let mut frame = DataFrame::new(
        case.rows.len(),
        vec![
            date,
            Column::new(
                "area".into(),
                case.rows.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "count".into(),
                case.rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            ),
        ],
    )
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
}

/// Runs each (counts CSV, query, delimiter, date type) in DuckDB, in one Python process: each
/// result is the rows (text fields) or the error.
fn duckdb(jobs: &[(PathBuf, PathBuf, u8, &str)]) -> Vec<Result<Vec<Vec<String>>, String>> {
    const SCRIPT: &str = r#"
import sys, json
try:
    import duckdb
except ImportError as e:
    print(e, file=sys.stderr)
    sys.exit(3)
results = []
for csv, sql, delim, date in json.load(open(sys.argv[1])):
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE counts AS SELECT * FROM read_csv(?, header = true, delim = ?, "
                    "quote = '', escape = '', strict_mode = false, "
                    "columns = {'date': '" + date + "', 'area': 'VARCHAR', 'count': 'DOUBLE'})",
                    [csv, delim])
        rows = con.execute(open(sql, encoding="utf-8").read()).fetchall()
        results.append({"rows": [[repr(v) if isinstance(v, float) else str(v) for v in row] for row in rows]})
    except Exception as e:
        results.append({"error": str(e)})
json.dump(results, open(sys.argv[2], "w"))
"#;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("jobs.json");
    let output = dir.path().join("results.json");
    let jobs_json: Vec<serde_json::Value> = jobs
        .iter()
        .map(|(csv, sql, delim, date)| {
            serde_json::json!([csv, sql, (*delim as char).to_string(), date])
        })
        .collect();
    std::fs::write(&input, serde_json::to_string(&jobs_json).unwrap()).unwrap();
    crate::util::python_duckdb(SCRIPT, &[&input, &output]);
    let results: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    results
        .into_iter()
        .map(|r| match r.get("rows") {
            Some(rows) => Ok(serde_json::from_value(rows.clone()).unwrap()),
            None => Err(r["error"].as_str().unwrap_or_default().to_owned()),
        })
        .collect()
}

/// The summary rows of the query as compared.
fn from_sql(rows: &[Vec<String>]) -> Expected {
    let number = |s: &String| s.parse::<f64>().unwrap_or(f64::NAN);
    let means = |row: &Vec<String>| std::array::from_fn(|i| number(&row[5 + i]));
    let (region, areas) = rows.split_last().expect("the region's row");
    Expected {
        areas: areas
            .iter()
            .map(|row| (row[0].clone(), row[2].parse().unwrap_or(0), means(row)))
            .collect(),
        region: (region[2].parse().unwrap_or(0), means(region)),
    }
}

#[test]
fn every_path_gives_the_same_summary_or_all_refuse() {
    let cases: u64 = std::env::var("DELTID_PATH_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    let first: u64 = std::env::var("DELTID_PATH_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let root = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut jobs = Vec::new();
    let mut expected = Vec::new();
    let mut refused = 0;
    for seed in first..first + cases {
        let case = Case::random(seed);
        let dir = root.path().join(format!("case-{seed}"));
        std::fs::create_dir_all(&dir).unwrap();
        case.write(&dir);
        let oracle = case.oracle();
        refused += usize::from(oracle.is_none());
        let csv = dir.join("counts.csv");
        let parquet = dir.join("counts.parquet");
        write_parquet(&case, &parquet);
        let mut r = Random::new(seed ^ 0xc4a5);
        let chunks = (1 + r.below(96) as usize, 1 + r.below(3) as usize);
        for (path, result) in [
            ("csv", library(&dir, &csv, None)),
            ("csv in chunks", library(&dir, &csv, Some(chunks))),
            ("parquet", library(&dir, &parquet, None)),
        ] {
            let verdict = match (&oracle, &result) {
                (Some(want), Ok(got)) => want.check(got, path),
                (None, Err(_)) => Ok(()),
                (Some(_), Err(e)) => Err(format!("{path} refused: {e}")),
                (None, Ok(_)) => Err(format!(
                    "{path} gave a summary for a case with {:?}",
                    case.fault
                )),
            };
            if let Err(e) = verdict {
                failures.push(format!("seed {seed}: {e}"));
            }
        }
        // The query, when the scenario reads (else every path refused already).
        if let Ok(scenario) = read_scenario(dir.join("scenario.toml"))
            && let Ok(plan) = Plan::new(&scenario, &Selection::default())
        {
            let sql = to_sql(
                &plan,
                Dialect::DuckDb,
                &SqlOptions::new("counts", Rows::Summary).unwrap(),
            );
            match sql {
                Ok(sql) => {
                    let query = dir.join("query.sql");
                    std::fs::write(&query, sql).unwrap();
                    let date = if case.dotted_dates { "VARCHAR" } else { "DATE" };
                    jobs.push((csv.clone(), query, case.delimiter, date));
                    expected.push((seed, case.fault, oracle));
                }
                Err(e) => failures.push(format!("seed {seed}: no query: {e}")),
            }
        }
    }
    for (result, (seed, fault, oracle)) in duckdb(&jobs).into_iter().zip(expected) {
        let verdict = match (&oracle, &result) {
            (Some(want), Ok(rows)) => want.check(&from_sql(rows), "sql"),
            (None, Err(_)) => Ok(()),
            (Some(_), Err(e)) => Err(format!("sql refused: {e}")),
            (None, Ok(_)) => Err(format!("sql gave rows for a case with {fault:?}")),
        };
        if let Err(e) = verdict {
            failures.push(format!("seed {seed}: {e}"));
        }
    }
    // Both kinds of case are exercised.
    assert!(
        refused > 0 && refused < cases as usize,
        "{refused} of {cases} refused"
    );
    if !failures.is_empty() {
        // Keep the cases for a look.
        let kept = root.keep();
        panic!(
            "{} of {cases} cases disagree (files in {}):\n{}",
            failures.len(),
            kept.display(),
            failures
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The nights of random hourly counts as an oracle computes them, independently of deltid's
/// reader: each instant's local time is the instant plus Oslo's offset then; a count belongs to
/// the night of evening date D when its local time is in the window (on D + 1, or from the
/// start on D when the window wraps); the night count is the rule over those counts, in time
/// order. Per area (Hol, Gol): (nights, mean observed, mean guest-nights), with the plan for
/// nights: present = observed × (1 + uplift), minus 2 500 residents, or with a baseline the
/// median of the area's present persons on the reference nights it has a count on (all of its
/// nights, whatever the period; linear between the middle two).
fn hourly_oracle(case: &crate::sql::HourlyCase) -> Vec<(String, u32, f64, f64)> {
    let (start, end) = case.window.split_once('-').unwrap();
    let minutes = |t: &str| {
        let (h, m) = t.split_once(':').unwrap();
        h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
    };
    let (start, end) = (minutes(start), minutes(end));
    let wraps = start > end;
    let mut nights: BTreeMap<(&str, i64), Vec<(i64, f64)>> = BTreeMap::new();
    let mut rows = case.rows.clone();
    rows.sort_by_key(|r| r.0);
    for &(utc, area, persons) in &rows {
        let local = utc + crate::sql::oslo_offset(utc);
        let (day, minute) = (local.div_euclid(86_400), local.rem_euclid(86_400) / 60);
        let inside = if wraps {
            minute >= start || minute < end
        } else {
            minute >= start && minute < end
        };
        if !inside {
            continue;
        }
        let evening = if wraps && minute >= start {
            day
        } else {
            day - 1
        };
        nights
            .entry((area, evening))
            .or_default()
            .push((minute / 60, persons));
    }
    let mut per_area: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut reference_present: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let reference: Vec<i64> = case
        .reference
        .iter()
        .flatten()
        .map(|n| {
            let date: chrono::NaiveDate = n.parse().unwrap();
            date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() / 86_400
        })
        .collect();
    for ((area, evening), values) in nights {
        let mut sorted: Vec<f64> = values.iter().map(|v| v.1).collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let count = match case.rule {
            "minimum" => sorted[0],
            "mean" => sorted.iter().sum::<f64>() / n as f64,
            "median" if n % 2 == 1 => sorted[n / 2],
            "median" => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
            hour => {
                let h: i64 = hour.trim_start_matches("hour:").parse().unwrap();
                match values.iter().find(|v| v.0 == h) {
                    Some(v) => v.1,
                    None => continue,
                }
            }
        };
        per_area.entry(area).or_default().push(count);
        if reference.contains(&evening) {
            reference_present
                .entry(area)
                .or_default()
                .push(count + count * case.uplift);
        }
    }
    ["3044", "3041"]
        .iter()
        .filter_map(|&code| {
            let counts = per_area.get(code)?;
            let n = counts.len() as f64;
            let observed = counts.iter().sum::<f64>() / n;
            let residents = match &case.reference {
                None => 2500.0,
                Some(_) => {
                    let mut present = reference_present.get(code).cloned().unwrap_or_default();
                    assert!(!present.is_empty(), "{code}: a reference night counted");
                    present.sort_by(f64::total_cmp);
                    let m = present.len();
                    if m % 2 == 1 {
                        present[m / 2]
                    } else {
                        (present[m / 2 - 1] + present[m / 2]) / 2.0
                    }
                }
            };
            let part_time = counts
                .iter()
                .map(|c| c + c * case.uplift - residents)
                .sum::<f64>()
                / n;
            Some((code.to_owned(), counts.len() as u32, observed, part_time))
        })
        .collect()
}

#[test]
fn every_path_to_random_hourly_counts_agrees() {
    // Random hourly counts over both changes of clocks (tests/sql.rs makes them): read whole,
    // in chunks, from Parquet (the timestamps as text, and as instants adjusted to UTC), and
    // reduced in SQL by DuckDB, each gives the oracle's nights.
    let root = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    let mut wanted = Vec::new();
    let mut baselines = 0;
    for seed in 1..=12u64 {
        let case = crate::sql::random_hourly(seed);
        baselines += usize::from(case.reference.is_some());
        let oracle = hourly_oracle(&case);
        assert!(!oracle.is_empty(), "seed {seed}: some nights");
        let dir = root.path().join(format!("hourly-{seed}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("scenario.toml"), &case.scenario).unwrap();
        let csv = dir.join("counts.csv");
        std::fs::write(&csv, &case.counts).unwrap();
        // The same instants written in UTC, for a Parquet column of TIMESTAMPTZ.
        let mut utc = String::from("ts,area,count\n");
        for (instant, area, persons) in &case.rows {
            let t = chrono::DateTime::from_timestamp(*instant, 0).unwrap();
            writeln!(utc, "{},{area},{persons:?}", t.format("%Y-%m-%dT%H:%M:%SZ")).unwrap();
        }
        let utc_csv = dir.join("utc.csv");
        std::fs::write(&utc_csv, utc).unwrap();
        let text_parquet = dir.join("text.parquet");
        let utc_parquet = dir.join("utc.parquet");
        let script = format!(
            "import duckdb\ncon = duckdb.connect()\n\
             for src, ts, dst in [('{}', 't', '{}'), ('{}', 'CAST(t AS TIMESTAMPTZ)', '{}')]:\n    \
             con.execute(\"COPY (SELECT \" + ts + \" AS ts, area, count FROM read_csv(?, header = true, \
             columns = {{'t': 'VARCHAR', 'area': 'VARCHAR', 'count': 'DOUBLE'}})) TO '\" + dst + \"' (FORMAT parquet)\", [src])\n",
            csv.display(),
            text_parquet.display(),
            utc_csv.display(),
            utc_parquet.display()
        );
        crate::util::python_duckdb::<&str>(&script, &[]);
        let check = |path: &str, summary: &Summary| {
            let got: Vec<(String, u32, f64, f64)> = summary
                .areas()
                .iter()
                .map(|a| {
                    (
                        a.code().map(ToString::to_string).unwrap_or_default(),
                        a.days(),
                        a.mean().observed(),
                        a.mean().part_time(),
                    )
                })
                .collect();
            assert_eq!(got.len(), oracle.len(), "seed {seed} {path}: {got:?}");
            for (g, w) in got.iter().zip(&oracle) {
                assert_eq!((&g.0, g.1), (&w.0, w.1), "seed {seed} {path}");
                for (a, b) in [(g.2, w.2), (g.3, w.3)] {
                    assert!(
                        (a - b).abs() <= TOLERANCE * a.abs().max(1.0),
                        "seed {seed} {path} {}: {a} against the oracle's {b} ({} {})",
                        g.0,
                        case.rule,
                        case.window
                    );
                }
            }
        };
        let scenario = read_scenario(dir.join("scenario.toml")).unwrap();
        let plan = Plan::new(&scenario, &Selection::default()).unwrap();
        let options = CountsOptions::default();
        for (path, counts) in [
            ("csv", read_counts(&csv, &options, &scenario)),
            (
                "csv in chunks",
                deltid::read_counts_in_chunks(&csv, &options, &scenario, 61, 3)
                    .and_then(|r| r.into_counts()),
            ),
            (
                "parquet text",
                read_counts(&text_parquet, &options, &scenario),
            ),
            (
                "parquet utc",
                read_counts(&utc_parquet, &options, &scenario),
            ),
        ] {
            let counts = counts.unwrap_or_else(|e| panic!("seed {seed} {path}: {e}"));
            check(path, &plan.estimate(&counts).unwrap().summary());
        }
        let query = dir.join("query.sql");
        let sql = to_sql(
            &plan,
            Dialect::DuckDb,
            &SqlOptions::new("counts", Rows::Summary).unwrap(),
        )
        .unwrap();
        std::fs::write(&query, sql).unwrap();
        jobs.push((csv, query, b',', "VARCHAR"));
        wanted.push((seed, oracle));
    }
    assert!(
        (3..=9).contains(&baselines),
        "some cases deduct a baseline of residents at home, some the registered: {baselines}"
    );
    // The query's table: `date` is the script's first column; here the timestamps.
    for (result, (seed, oracle)) in duckdb_hourly(&jobs).into_iter().zip(wanted) {
        let rows = result.unwrap_or_else(|e| panic!("seed {seed}: the query fails: {e}"));
        let got = from_sql(&rows);
        assert_eq!(got.areas.len(), oracle.len(), "seed {seed} sql");
        for (g, w) in got.areas.iter().zip(&oracle) {
            assert_eq!((&g.0, g.1), (&w.0, w.1), "seed {seed} sql");
            let (observed, part_time) = (g.2[0], g.2[7]);
            assert!(
                (observed - w.2).abs() <= TOLERANCE * w.2.abs().max(1.0),
                "seed {seed} sql"
            );
            assert!(
                (part_time - w.3).abs() <= TOLERANCE * w.3.abs().max(1.0),
                "seed {seed} sql"
            );
        }
    }
}

/// [`duckdb`] for tables of hourly counts: the CSV's first column is `ts`.
fn duckdb_hourly(jobs: &[(PathBuf, PathBuf, u8, &str)]) -> Vec<Result<Vec<Vec<String>>, String>> {
    let dir = tempfile::tempdir().unwrap();
    let renamed: Vec<(PathBuf, PathBuf, u8, &str)> = jobs
        .iter()
        .enumerate()
        .map(|(i, (csv, sql, delim, kind))| {
            // The script names the first column `date`: the query reads `ts`, so the header
            // is rewritten to `date` and the query to read it.
            let text = std::fs::read_to_string(csv)
                .unwrap()
                .replacen("ts,", "date,", 1);
            let copy = dir.path().join(format!("{i}.csv"));
            std::fs::write(&copy, text).unwrap();
            let query = std::fs::read_to_string(sql)
                .unwrap()
                .replace("\"c\".\"ts\"", "\"c\".\"date\"");
            let query_copy = dir.path().join(format!("{i}.sql"));
            std::fs::write(&query_copy, query).unwrap();
            (copy, query_copy, *delim, *kind)
        })
        .collect();
    duckdb(&renamed)
}
