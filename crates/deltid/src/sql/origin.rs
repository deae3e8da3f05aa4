//! Counts split by origin as one SQL query: the figures of [`Plan::origin_estimate`] (the one
//! definition: [`deltid_model::origin`]) over a table `date, area, origin, count`, one row per
//! date, area and figure as the tidy table of
//! [`write_origin`](crate::output::write_origin).
//!
//! The model's rules come from its shared items, rendered into the query, never restated:
//! [`Part::of`] for the parts, [`TOTAL_WORDS`], [`SUPPRESSED_MARKERS`], [`COUNTRY_CODES`] and
//! [`EUROSTAT_COUNTRY_CODES`], [`MUNICIPALITY_CODES`], [`TOTAL_SLACK`]; the rule of
//! [`deltid_model::is_suppressed`] (`0 < v < k`) is the one expression `under_k`; which cells
//! may hold a suppressed count ([`may_hold_suppressed`]) is rendered by kind of origin into
//! the CTE `split_possible`, which the parts and the previous-night sums both read. Origin cells
//! are read by the area cells' rule (the leading code of a label, padded to the scenario's
//! digits) as [`Origin::read`] reads them, so no origin cell is read otherwise than by
//! deltid: what the reader refuses stops the query with a `deltid:` message
//! ([`deltid_model::SplitProblem`]: a total below the published cells, a marker under k = 0,
//! a municipality under SIM countries; and cells that are no origin).

use chrono::NaiveDate;
use deltid_model::{
    COUNTRY_CODES, Deduction, DeductionSource, EUROSTAT_COUNTRY_CODES, Error, MAX_PERSONS,
    MAX_YEAR, MIN_YEAR, MUNICIPALITY_CODES, Measure, Origin, OriginKind, OriginSettings, Part,
    Plan, Result, SUPPRESSED_MARKERS, SplitValue, TOTAL_SLACK, TOTAL_WORDS, may_hold_suppressed,
};

use super::{
    AREA, CELL, COUNT, DATE, Dialect, KEY, LEAD, NAME, ORDER, Query, REGION_MARK, SqlOptions,
};

/// The columns of the rows, as the tidy table of
/// [`write_origin`](crate::output::write_origin): `date`, `area` (NULL for the region),
/// `name`, `figure`, `low`, `high` (persons, or nights for `guest_nights`), `exact`,
/// `high_excluded`, `low_excluded` (booleans: whether that end is left out) and `zero_filled`
/// (multimno's suppressed = 0; NULL where it has none).
pub const SPLIT_COLUMNS: [&str; 10] = [
    "date",
    "area",
    "name",
    "figure",
    "low",
    "high",
    "exact",
    "high_excluded",
    "low_excluded",
    "zero_filled",
];

// Columns of the query's own tables.
const ORIGIN: &str = "origin";
const ORIGIN_CELL: &str = "origin_cell";
const KIND: &str = "kind";
const CODE: &str = "code";
const VALUE: &str = "value";
const MARKED: &str = "marked";
const SUPPRESSED: &str = "suppressed";
const PART: &str = "part";
const REGISTERED: &str = "registered";
const TOTAL: &str = "total";
const PUBLISHED: &str = "published";

/// The kinds of origin as the query names them (column `kind`).
const K_TOTAL: &str = "total";
const K_AREA: &str = "area";
const K_MUNICIPALITY: &str = "municipality";
const K_NORWAY: &str = "norway";
const K_COUNTRY: &str = "country";

/// A part's number in the query, and its column suffix.
fn part_number(part: Part) -> u8 {
    match part {
        Part::Local => 0,
        Part::Domestic => 1,
        Part::Foreign => 2,
    }
}

fn part_suffix(part: Part) -> &'static str {
    match part {
        Part::Local => "local",
        Part::Domestic => "domestic",
        Part::Foreign => "foreign",
    }
}

/// Refuses what the query cannot do for a split under `plan`: a plan for nights, and
/// registered residents from a table by date (the origins that need them: previous night,
/// long-term home).
pub(super) fn check(plan: &Plan, settings: &OriginSettings) -> Result<()> {
    let scenario = plan.scenario();
    if plan.measure() == Measure::Night {
        // The split's nights are its own (the previous-night origin); a plan for night counts
        // would read hourly counts.
        return Err(Error::Unsupported {
            scenario: scenario.path().to_owned(),
            what: "the SQL query for counts split by origin with a plan for nights".to_owned(),
            reason: "a split is read by date, area and origin, not by the hour: estimate it with the plan for days (the previous-night origin gives guest-nights per night)".to_owned(),
        });
    }
    if settings.kind != OriginKind::SimCountry
        && let DeductionSource::Table(table) = scenario.deduction(Deduction::Residents)
        && table.is_dated()
    {
        return Err(Error::Unsupported {
            scenario: scenario.path().to_owned(),
            what: "the SQL query for counts split by origin".to_owned(),
            reason: format!(
                "registered residents from a table by date ({}) are not written into the query: give them per area in the scenario, or estimate the split with deltid itself (the plan's origin estimate)",
                table.path().display()
            ),
        });
    }
    Ok(())
}

impl Query<'_> {
    /// The split's query: comment lines, then one statement.
    pub(super) fn write_split(&self, settings: &OriginSettings, options: &SqlOptions) -> String {
        let mut ctes: Vec<(String, String)> = Vec::new();
        self.split_areas(&mut ctes);
        let (mapped, named) = self.area_tables(&mut ctes);
        self.split_cells(options, &mut ctes);
        self.split_places((mapped, named), &mut ctes);
        self.split_rows(settings, &mut ctes);
        self.split_days(settings, &mut ctes);
        let select = self.split_figures(settings, &mut ctes);
        let mut sql = String::new();
        for line in self.split_header(settings, options) {
            sql.push_str(&leading_comment(&line));
        }
        self.finish(sql, &ctes, &select)
    }

    fn split_header(&self, settings: &OriginSettings, options: &SqlOptions) -> Vec<String> {
        let scenario = self.plan.scenario();
        let mut lines = vec![
            format!(
                "deltid {}: counts split by origin for {}, per area and day, bounded where suppressed cells leave a figure open",
                env!("CARGO_PKG_VERSION"),
                scenario.name(),
            ),
            format!(
                "scenario {}, dialect {}, table {} (date, area, origin, count: one row per date, area and origin, count -1 for a suppressed cell)",
                scenario.path().display(),
                self.d.name(),
                options.table().join("."),
            ),
            format!(
                "origin: {}, k = {:?} (a value above 0 and under k is suppressed, a published 0 is exact)",
                settings.kind.key(),
                settings.min_count
            ),
            format!(
                "rows: {} per date, area and figure, then guest-nights per area and the region's (area NULL)",
                SPLIT_COLUMNS.join(", ")
            ),
            "the query stops on rows it cannot place, the region's own code, an origin that is no area, municipality (0101-5699), country (ISO 3166-1 alpha-2, EL, UK, XK) or total, a municipality under sim-country, a -1 marker under k = 0, a count that is empty, text but no number, below 0 (other than -1), above 1e10 or NaN, a date that is not yyyy-mm-dd or dd.mm.yyyy, a second row for a date, area and origin, and an area's total below its published cells that day".to_owned(),
        ];
        let period = self.plan.selection().period;
        if period.from().is_some() || period.to().is_some() {
            lines.push(match settings.kind {
                OriginKind::PreviousNight => format!(
                    "period: the nights with evening dates {period} (the rows of the day after each)"
                ),
                OriginKind::Home | OriginKind::SimCountry => format!("period: the days {period}"),
            });
        }
        lines
    }

    /// The scenario's areas (CTE `areas`): code, name, order and registered residents (NULL
    /// where the plan has no registered figure for the area).
    fn split_areas(&self, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let scenario = self.plan.scenario();
        // Registered residents by date are refused (`check`): any date gives the figure.
        let date = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap_or_default();
        let rows: Vec<Vec<String>> = scenario
            .areas()
            .iter()
            .enumerate()
            .map(|(i, area)| {
                vec![
                    d.text(area.code.as_str()),
                    d.text(&area.name),
                    i.to_string(),
                    self.plan.registered_residents(i, date).map_or_else(
                        || format!("CAST(NULL AS {})", d.double_type()),
                        |r| d.double(r),
                    ),
                ]
            })
            .collect();
        ctes.push((
            "areas".to_owned(),
            d.values("v", &[AREA, NAME, ORDER, REGISTERED], &rows),
        ));
    }

    /// The table's rows (CTE `split_cells`): date read, area and origin cells trimmed, the
    /// `-1` marker, the value (a count that is empty stops the query).
    fn split_cells(&self, options: &SqlOptions, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let text = d.text_type();
        let trimmed = |column: &str| d.trim(&format!("CAST({} AS {text})", self.c("c", column)));
        let count = self.count_text("c");
        let markers: Vec<String> = SUPPRESSED_MARKERS.iter().map(|m| d.text(m)).collect();
        let marked = format!("COALESCE({count} IN ({}), FALSE)", markers.join(", "));
        let empty = d.fail(&d.concat(&[
            d.string("deltid: the count of area \""),
            format!("COALESCE({}, '')", trimmed(AREA)),
            d.string("\", origin \""),
            format!("COALESCE({}, '')", trimmed(ORIGIN)),
            d.string("\" is empty (write -1 for a suppressed cell)"),
        ]));
        let table: Vec<String> = options.table().iter().map(|p| self.q(p)).collect();
        ctes.push((
            "split_cells".to_owned(),
            format!(
                "SELECT {date} AS {date_},\n    {area} AS {cell},\n    {origin} AS {origin_cell},\n    \
                 {marked} AS {marked_},\n    \
                 CASE WHEN {marked} THEN NULL WHEN {raw} IS NULL OR {count} = '' THEN {empty}\n      \
                 ELSE {read} END AS {value}\n  \
                 FROM {table} AS {c}",
                date = self.read_date("c"),
                date_ = self.q(DATE),
                area = trimmed(AREA),
                cell = self.q(CELL),
                origin = trimmed(ORIGIN),
                origin_cell = self.q(ORIGIN_CELL),
                marked_ = self.q(MARKED),
                raw = self.c("c", COUNT),
                read = self.read_count(
                    &count,
                    &[
                        d.string(" of area \""),
                        format!("COALESCE({}, '')", trimmed(AREA)),
                        d.string("\", origin \""),
                        format!("COALESCE({}, '')", trimmed(ORIGIN)),
                        d.string("\" on \""),
                        format!("COALESCE({}, '')", trimmed(DATE)),
                        d.string("\""),
                    ],
                ),
                value = self.q(VALUE),
                table = table.join("."),
                c = self.q("c"),
            ),
        ));
    }

    /// Each area cell placed among the scenario's areas (CTE `placed`: `cell`, `area`), and
    /// each origin cell read as [`Origin::read`] reads it (CTE `origins`: `cell`, `kind`,
    /// `code`, `kind` NULL for a cell that is no origin).
    fn split_places(&self, tables: (bool, bool), ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        for (cells, keyed, column) in [
            ("area_cells", "area_keyed", CELL),
            ("origin_cells", "origin_keyed", ORIGIN_CELL),
        ] {
            ctes.push((
                cells.to_owned(),
                format!(
                    "SELECT DISTINCT {column} AS {cell} FROM {split} AS {s}",
                    column = self.c("s", column),
                    cell = self.q(CELL),
                    split = self.q("split_cells"),
                    s = self.q("s"),
                ),
            ));
            ctes.push((
                keyed.to_owned(),
                format!(
                    "SELECT {e}.*, {key} AS {key_}\n  FROM (SELECT {a}.*, {lead} AS {lead_} FROM {cells} AS {a}) AS {e}",
                    e = self.q("e"),
                    key = self.key(&self.c("e", LEAD), &self.c("e", CELL)),
                    key_ = self.q(KEY),
                    a = self.q("a"),
                    lead = self.lead(&self.c("a", CELL)),
                    lead_ = self.q(LEAD),
                    cells = self.q(cells),
                ),
            ));
        }
        let (joins, found) = self.lookup("k", tables, true);
        ctes.push((
            "placed".to_owned(),
            format!(
                "SELECT {cell}, COALESCE({found}) AS {area}\n  FROM {keyed} AS {k}\n  {joins}",
                cell = self.c("k", CELL),
                found = found.join(",\n      "),
                area = self.q(AREA),
                keyed = self.q("area_keyed"),
                k = self.q("k"),
                joins = joins.join("\n  "),
            ),
        ));
        // An origin as `Origin::read` reads it: a total word (any case), an area of the
        // scenario (not the region's own code), the cell's key (its leading code padded to the
        // scenario's digits, as area cells are read) as another municipality's four digits in
        // the model's range, two letters: `NO` Norway, a country of the model's lists.
        let (joins, found) = self.lookup("k", tables, false);
        let cell = self.c("k", CELL);
        let key = self.c("k", KEY);
        let area = format!("COALESCE({})", found.join(", "));
        let words: Vec<String> = TOTAL_WORDS.iter().map(|w| d.text(w)).collect();
        let countries: Vec<String> = COUNTRY_CODES
            .iter()
            .chain(EUROSTAT_COUNTRY_CODES.iter())
            .filter(|c| **c != "NO")
            .map(|c| d.string(c))
            .collect();
        // Four ASCII digits compare as text as they do as numbers.
        let (first, last) = (
            format!("{:04}", MUNICIPALITY_CODES.start()),
            format!("{:04}", MUNICIPALITY_CODES.end()),
        );
        let kind = format!(
            "CASE WHEN {cell} IS NULL OR {cell} = '' THEN NULL\n      \
             WHEN LOWER({cell}) IN ({words}) THEN '{K_TOTAL}'\n      \
             WHEN {area} IS NOT NULL AND {area} <> {mark} THEN '{K_AREA}'\n      \
             WHEN {four} THEN CASE WHEN {key} >= '{first}' AND {key} <= '{last}' THEN '{K_MUNICIPALITY}' END\n      \
             WHEN {two} AND UPPER({cell}) = 'NO' THEN '{K_NORWAY}'\n      \
             WHEN {two} AND UPPER({cell}) IN ({countries}) THEN '{K_COUNTRY}' END",
            words = words.join(", "),
            mark = d.text(REGION_MARK),
            four = d.matches(&key, "^[0-9]{4}$"),
            two = d.matches(&cell, "^[A-Za-z]{2}$"),
            countries = countries.join(", "),
        );
        ctes.push((
            "origins".to_owned(),
            format!(
                "SELECT {cell}, {kind_} AS {kind},\n    \
                 CASE WHEN {kind_} = '{K_AREA}' THEN {area} WHEN {kind_} = '{K_MUNICIPALITY}' THEN {key}\n      \
                 ELSE UPPER({cell}) END AS {code}\n  \
                 FROM {keyed} AS {k}\n  {joins}",
                kind_ = kind,
                kind = self.q(KIND),
                code = self.q(CODE),
                keyed = self.q("origin_keyed"),
                k = self.q("k"),
                joins = joins.join("\n  "),
            ),
        ));
    }

    /// The rows placed and checked (CTE `split_rows`: `date`, `area`, `kind`, `code`, `marked`,
    /// `value`, `suppressed`, `part`), in the plan's period; what deltid's reader refuses stops
    /// the query.
    fn split_rows(&self, settings: &OriginSettings, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let text = d.text_type();
        // The part of each kind of origin by the model's rule (`Part::of`), for an area (0)
        // counted in itself and in another area (1).
        let part = |origin: &Origin, area: usize| {
            Part::of(settings.kind, area, origin)
                .map_or_else(|| "NULL".to_owned(), |p| part_number(p).to_string())
        };
        let same = format!("{} = {}", self.c("o", CODE), self.c("p", AREA));
        let part = format!(
            "CASE {kind} WHEN '{K_COUNTRY}' THEN {country} WHEN '{K_NORWAY}' THEN {norway}\n      \
             WHEN '{K_MUNICIPALITY}' THEN {municipality}\n      \
             WHEN '{K_AREA}' THEN CASE WHEN {same} THEN {own} ELSE {other} END END",
            kind = self.c("o", KIND),
            country = part(&Origin::Country("DE".to_owned()), 0),
            norway = part(&Origin::Norway, 0),
            municipality = part(&Origin::Municipality("0301".to_owned()), 0),
            own = part(&Origin::Area(0), 0),
            other = part(&Origin::Area(1), 0),
        );
        let day = self.c("s", DATE);
        let day_checked = format!(
            "CASE WHEN {day} < DATE '{MIN_YEAR}-01-01' OR {day} > DATE '{MAX_YEAR}-12-31' THEN {fail} ELSE {day} END",
            fail = d.fail_date(&d.concat(&[
                d.string("deltid: date "),
                format!("CAST({day} AS {text})"),
                d.string(&format!(
                    " is not a day from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31"
                )),
            ])),
        );
        ctes.push((
            "split_joined".to_owned(),
            format!(
                "SELECT {day_checked} AS {date}, {s}.{cell}, {s}.{origin_cell}, {p_area} AS {area},\n    \
                 {o_kind} AS {kind}, {o_code} AS {code}, {s}.{marked}, {s}.{value},\n    \
                 {part} AS {part_}\n  \
                 FROM {split} AS {s}\n  \
                 LEFT JOIN {placed} AS {p} ON {p_cell} = {s}.{cell}\n  \
                 LEFT JOIN {origins} AS {o} ON {o_cell} = {s}.{origin_cell}",
                date = self.q(DATE),
                s = self.q("s"),
                cell = self.q(CELL),
                origin_cell = self.q(ORIGIN_CELL),
                p_area = self.c("p", AREA),
                area = self.q(AREA),
                o_kind = self.c("o", KIND),
                kind = self.q(KIND),
                o_code = self.c("o", CODE),
                code = self.q(CODE),
                marked = self.q(MARKED),
                value = self.q(VALUE),
                part_ = self.q(PART),
                split = self.q("split_cells"),
                placed = self.q("placed"),
                p = self.q("p"),
                p_cell = self.c("p", CELL),
                origins = self.q("origins"),
                o = self.q("o"),
                o_cell = self.c("o", CELL),
            ),
        ));
        // The problems: rows of no area, rows of the region's own code, cells that are no
        // origin, a municipality under SIM countries, a marker under k = 0 (the last two as
        // `OriginSplit::new` refuses them); each with its number and one example.
        let j = |column: &str| self.c("j", column);
        let k = d.double(settings.min_count);
        let zero = d.double(0.0);
        let mut problem_columns = vec![
            format!(
                "SUM(CASE WHEN {area} IS NULL THEN 1 ELSE 0 END) AS {unplaced}",
                area = j(AREA),
                unplaced = self.q("unplaced"),
            ),
            format!(
                "MIN(CASE WHEN {area} IS NULL THEN COALESCE({cell}, '') END) AS {unplaced_cell}",
                area = j(AREA),
                cell = j(CELL),
                unplaced_cell = self.q("unplaced_cell"),
            ),
            format!(
                "SUM(CASE WHEN {area} = {mark} THEN 1 ELSE 0 END) AS {region}",
                area = j(AREA),
                mark = d.text(REGION_MARK),
                region = self.q("region"),
            ),
            format!(
                "SUM(CASE WHEN {kind} IS NULL THEN 1 ELSE 0 END) AS {bad}",
                kind = j(KIND),
                bad = self.q("bad"),
            ),
            format!(
                "MIN(CASE WHEN {kind} IS NULL THEN COALESCE({origin_cell}, '') END) AS {bad_cell}",
                kind = j(KIND),
                origin_cell = j(ORIGIN_CELL),
                bad_cell = self.q("bad_cell"),
            ),
        ];
        let municipal = settings.kind == OriginKind::SimCountry;
        if municipal {
            let of = format!("{} IN ('{K_AREA}', '{K_MUNICIPALITY}')", j(KIND));
            problem_columns.push(format!(
                "SUM(CASE WHEN {of} THEN 1 ELSE 0 END) AS {n}",
                n = self.q("municipal"),
            ));
            problem_columns.push(format!(
                "MIN(CASE WHEN {of} THEN {cell} END) AS {example}",
                cell = j(ORIGIN_CELL),
                example = self.q("municipal_cell"),
            ));
        }
        // A marker means "under k": k = 0 suppresses nothing.
        let markers = settings.min_count <= 0.0;
        if markers {
            problem_columns.push(format!(
                "SUM(CASE WHEN {marked} THEN 1 ELSE 0 END) AS {n}",
                marked = j(MARKED),
                n = self.q("markers"),
            ));
            problem_columns.push(format!(
                "MIN(CASE WHEN {marked} THEN {date} END) AS {example}",
                marked = j(MARKED),
                date = j(DATE),
                example = self.q("marker_date"),
            ));
        }
        ctes.push((
            "split_problems".to_owned(),
            format!(
                "SELECT {columns}\n  FROM {joined} AS {j_}",
                columns = problem_columns.join(",\n    "),
                joined = self.q("split_joined"),
                j_ = self.q("j"),
            ),
        ));
        ctes.push((
            "split_repeated".to_owned(),
            format!(
                "SELECT COUNT(*) AS {n}, MIN({t_date}) AS {date}\n  \
                 FROM (SELECT {date_}, {area_}, {kind_}, {code_} FROM {joined} AS {j_}\n    \
                 WHERE {area_} IS NOT NULL AND {kind_} IS NOT NULL\n    \
                 GROUP BY {date_}, {area_}, {kind_}, {code_} HAVING COUNT(*) > 1) AS {t}",
                n = self.q("n"),
                t_date = self.c("t", DATE),
                date = self.q(DATE),
                date_ = j(DATE),
                area_ = j(AREA),
                kind_ = j(KIND),
                code_ = j(CODE),
                joined = self.q("split_joined"),
                j_ = self.q("j"),
                t = self.q("t"),
            ),
        ));
        // Each area's total against the sum of its published cells that day, over the whole
        // table (the reader checks every row, whatever the period): a total below it by more
        // than the model's slack stops the query (`SplitProblem::TotalBelowPublished`).
        let value = j(VALUE);
        let published_cell = format!(
            "{kind} <> '{K_TOTAL}' AND NOT {marked} AND NOT {suppressed}",
            kind = j(KIND),
            marked = j(MARKED),
            suppressed = under_k(&value, &k, &zero),
        );
        ctes.push((
            "split_totals".to_owned(),
            format!(
                "SELECT {date}, {area},\n    \
                 MAX(CASE WHEN {kind} = '{K_TOTAL}' AND NOT {marked} THEN {value} END) AS {total},\n    \
                 SUM(CASE WHEN {published_cell} THEN {value} ELSE {zero} END) AS {published}\n  \
                 FROM {joined} AS {j_}\n  \
                 WHERE {area} IS NOT NULL AND {kind} IS NOT NULL\n  \
                 GROUP BY {date}, {area}",
                date = j(DATE),
                area = j(AREA),
                kind = j(KIND),
                marked = j(MARKED),
                total = self.q(TOTAL),
                published = self.q(PUBLISHED),
                joined = self.q("split_joined"),
                j_ = self.q("j"),
            ),
        ));
        let b = |column: &str| self.c("b", column);
        ctes.push((
            "split_below".to_owned(),
            format!(
                "SELECT COUNT(*) AS {n},\n    \
                 MIN({example}) AS {example_}\n  \
                 FROM {totals} AS {b_}\n  \
                 WHERE {total} < {published} - {slack} * ABS({published})",
                n = self.q("n"),
                example = d.concat(&[
                    format!("CAST({} AS {text})", b(DATE)),
                    d.string(" for area "),
                    b(AREA),
                    d.string(": total "),
                    format!("CAST({} AS {text})", b(TOTAL)),
                    d.string(", published "),
                    format!("CAST({} AS {text})", b(PUBLISHED)),
                ]),
                example_ = self.q("example"),
                totals = self.q("split_totals"),
                b_ = self.q("b"),
                total = b(TOTAL),
                published = b(PUBLISHED),
                slack = d.double(TOTAL_SLACK),
            ),
        ));
        let problem = |parts: &[String]| {
            let mut all = vec![d.string("deltid: ")];
            all.extend_from_slice(parts);
            d.fail(&d.concat(&all))
        };
        let area_shown = format!("COALESCE({}, '')", j(CELL));
        let mut branches = vec![
            (
                format!("{} > 0", self.c("u", "unplaced")),
                problem(&[
                    format!("CAST({} AS {text})", self.c("u", "unplaced")),
                    d.string(" rows name no area of the scenario, such as \""),
                    self.c("u", "unplaced_cell"),
                    d.string("\""),
                ]),
            ),
            (
                format!("{} > 0", self.c("u", "region")),
                problem(&[
                    format!("CAST({} AS {text})", self.c("u", "region")),
                    d.string(" rows are the region's own count, which cannot be split by origin: give the split per area (such as on "),
                    format!("CAST({} AS {text})", j(DATE)),
                    d.string(")"),
                ]),
            ),
            (
                format!("{} > 0", self.c("u", "bad")),
                problem(&[
                    format!("CAST({} AS {text})", self.c("u", "bad")),
                    d.string(&format!(
                        " rows have an origin that is not an area of the scenario, another municipality (four digits from {:04} to {:04}), a country (ISO 3166-1 alpha-2, or {}) or total, such as \"",
                        MUNICIPALITY_CODES.start(),
                        MUNICIPALITY_CODES.end(),
                        EUROSTAT_COUNTRY_CODES.join(", "),
                    )),
                    self.c("u", "bad_cell"),
                    d.string("\""),
                ]),
            ),
        ];
        if municipal {
            branches.push((
                format!("{} > 0", self.c("u", "municipal")),
                problem(&[
                    format!("CAST({} AS {text})", self.c("u", "municipal")),
                    d.string(" rows have a municipality as origin, such as \""),
                    self.c("u", "municipal_cell"),
                    d.string("\", but [origin] kind = \"sim-country\" has countries only (two letters, NO for Norwegian SIMs): declare kind = \"home\" or \"previous-night\" if the origins are homes"),
                ]),
            ));
        }
        if markers {
            branches.push((
                format!("{} > 0", self.c("u", "markers")),
                problem(&[
                    format!("CAST({} AS {text})", self.c("u", "markers")),
                    d.string(" counts are -1 markers (such as on "),
                    format!("CAST({} AS {text})", self.c("u", "marker_date")),
                    d.string("), but a marker is a cell suppressed for being under the operator's k, and [origin] min_count = 0 suppresses nothing: give the operator's smallest published count"),
                ]),
            ));
        }
        branches.push((
            format!("{} > 0", self.c("t", "n")),
            problem(&[
                d.string("a date, area and origin is in the table twice, first on "),
                format!("CAST({} AS {text})", self.c("t", DATE)),
                d.string(" (and "),
                format!("CAST({} - 1 AS {text})", self.c("t", "n")),
                d.string(" more)"),
            ]),
        ));
        branches.push((
            format!("{} > 0", self.c("v", "n")),
            problem(&[
                format!("CAST({} AS {text})", self.c("v", "n")),
                d.string(" area-days have a total below the sum of their published cells (values of at least k, and 0), such as on "),
                self.c("v", "example"),
                d.string(": the suppressed mass cannot be negative"),
            ]),
        ));
        branches.push((j(MARKED), "NULL".to_owned()));
        branches.push((
            format!(
                "{value} >= {zero} AND {value} <= {max}",
                max = d.double(MAX_PERSONS)
            ),
            value.clone(),
        ));
        let count = problem(&[
            d.string("count "),
            format!("CAST({value} AS {text})"),
            d.string(" for area "),
            area_shown,
            d.string(" on "),
            format!("CAST({} AS {text})", j(DATE)),
            d.string(&format!(
                " is not a number of persons from 0 to {MAX_PERSONS:.0} nor -1 (suppressed)"
            )),
        ]);
        let checked = format!(
            "CASE {branches}\n      ELSE {count} END",
            branches = branches
                .iter()
                .map(|(when, then)| format!("WHEN {when} THEN {then}"))
                .collect::<Vec<_>>()
                .join("\n      "),
        );
        // The period as `OriginSplit::within` selects rows: for the previous-night origin, the
        // rows whose night (evening date, the day before) is in it.
        let period = match settings.kind {
            OriginKind::PreviousNight => self.period(&self.day_before(&j(DATE))),
            OriginKind::Home | OriginKind::SimCountry => self.period(&j(DATE)),
        };
        ctes.push((
            "split_rows".to_owned(),
            format!(
                "SELECT {date}, {area}, {kind}, {code}, {marked}, {checked} AS {value_},\n    \
                 {marked} OR {under} AS {suppressed},\n    {part} AS {part_}\n  \
                 FROM {joined} AS {j_}\n  CROSS JOIN {problems} AS {u}\n  \
                 CROSS JOIN {repeated} AS {t}\n  CROSS JOIN {below} AS {v}{period}",
                date = j(DATE),
                area = j(AREA),
                kind = j(KIND),
                code = j(CODE),
                marked = j(MARKED),
                value_ = self.q(VALUE),
                under = under_k(&value, &k, &zero),
                suppressed = self.q(SUPPRESSED),
                part = j(PART),
                part_ = self.q(PART),
                joined = self.q("split_joined"),
                j_ = self.q("j"),
                problems = self.q("split_problems"),
                u = self.q("u"),
                repeated = self.q("split_repeated"),
                t = self.q("t"),
                below = self.q("split_below"),
                v = self.q("v"),
                period = if period.is_empty() {
                    String::new()
                } else {
                    format!("\n  WHERE {period}")
                },
            ),
        ));
    }

    /// Per area and day, the parts' published sums (CTE `split_parts`), the cells that may
    /// hold a suppressed count ([`Query::split_possible`]), and every figure's bounds (CTE
    /// `split_days`), as
    /// [`deltid_model::OriginEstimate::new`] takes them.
    fn split_days(&self, settings: &OriginSettings, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let r = |column: &str| self.c("r", column);
        let zero = d.double(0.0);
        let not_total = format!("{} <> '{K_TOTAL}'", r(KIND));
        let mut sums = vec![
            format!(
                "MAX(CASE WHEN {kind} = '{K_TOTAL}' AND NOT {marked} THEN {value} END) AS {total}",
                kind = r(KIND),
                marked = r(MARKED),
                value = r(VALUE),
                total = self.q(TOTAL),
            ),
            format!(
                "SUM(CASE WHEN {not_total} AND NOT {suppressed} THEN {value} ELSE {zero} END) AS {published}",
                suppressed = r(SUPPRESSED),
                value = r(VALUE),
                published = self.q(PUBLISHED),
            ),
        ];
        for part in Part::ALL {
            let n = part_number(part);
            let s = part_suffix(part);
            let of = format!("{not_total} AND {} = {n}", r(PART));
            sums.push(format!(
                "SUM(CASE WHEN {of} AND NOT {sup} THEN {value} ELSE {zero} END) AS {p}",
                sup = r(SUPPRESSED),
                value = r(VALUE),
                p = self.q(&format!("p_{s}")),
            ));
            sums.push(format!(
                "SUM(CASE WHEN {of} AND NOT {sup} THEN 1 ELSE 0 END) AS {pc}",
                sup = r(SUPPRESSED),
                pc = self.q(&format!("published_{s}")),
            ));
        }
        ctes.push((
            "split_parts".to_owned(),
            format!(
                "SELECT {date}, {area},\n    {sums}\n  FROM {rows} AS {r_} GROUP BY {date}, {area}",
                date = r(DATE),
                area = r(AREA),
                sums = sums.join(",\n    "),
                rows = self.q("split_rows"),
                r_ = self.q("r"),
            ),
        ));
        self.split_possible(settings, ctes);
        let x = |column: &str| self.c("x", column);
        let k = d.double(settings.min_count);
        let mass = format!("GREATEST({} - {}, {zero})", x(TOTAL), x(PUBLISHED));
        let local_published = format!("{} > 0", x("published_local"));
        ctes.push((
            "split_caps".to_owned(),
            format!(
                "SELECT {x_}.*, {w_registered} AS {registered}, {w_name} AS {name}, {w_order} AS {order},\n    \
                 {mass} AS {mass_},\n    \
                 CASE WHEN {local_published} THEN {zero} ELSE LEAST({k}, {mass}) END AS {cap},\n    \
                 {pl} AS {possible_local},\n    {pd} AS {possible_domestic},\n    {pf} AS {possible_foreign}\n  \
                 FROM {parts} AS {x_}\n  JOIN {seen} AS {w} ON {w_date} = {x_date} AND {w_area} = {x_area}\n  \
                 JOIN {areas} AS {a} ON {a_area} = {x_area}",
                x_ = self.q("x"),
                w_registered = self.c("a", REGISTERED),
                registered = self.q(REGISTERED),
                w_name = self.c("a", NAME),
                name = self.q(NAME),
                w_order = self.c("a", ORDER),
                order = self.q(ORDER),
                mass_ = self.q("mass"),
                cap = self.q("cap_local"),
                pl = self.c("w", "possible_local"),
                pd = self.c("w", "possible_domestic"),
                pf = self.c("w", "possible_foreign"),
                possible_local = self.q("possible_local"),
                possible_domestic = self.q("possible_domestic"),
                possible_foreign = self.q("possible_foreign"),
                parts = self.q("split_parts"),
                seen = self.q("split_possible_parts"),
                w = self.q("w"),
                w_date = self.c("w", DATE),
                x_date = x(DATE),
                w_area = self.c("w", AREA),
                x_area = x(AREA),
                areas = self.q("areas"),
                a = self.q("a"),
                a_area = self.c("a", AREA),
            ),
        ));
        // The bounds: [low, high], with the local high end and the elsewhere low end open
        // where a whole k fits in the local cell (with a total), each part's high end open
        // where a cell may be suppressed (without one).
        let y = |column: &str| self.c("y", column);
        let with_total = format!("{} IS NOT NULL", y(TOTAL));
        let (pl, pd, pf) = (y("p_local"), y("p_domestic"), y("p_foreign"));
        let (nl, nd, nf) = (
            y("possible_local"),
            y("possible_domestic"),
            y("possible_foreign"),
        );
        let (total, cap, mass) = (y(TOTAL), y("cap_local"), y("mass"));
        // Under k, and under the mass: `< k` binds when k ≤ mass (a deleted local cell is
        // open at k when the suppressed mass is k).
        let local_high_open = format!("({cap} > {zero} AND {k} <= {mass})");
        let columns = [
            ("local_low", pl.clone()),
            (
                "local_high",
                format!("CASE WHEN {with_total} THEN {pl} + {cap} ELSE {pl} + {k} * {nl} END"),
            ),
            (
                "local_high_open",
                format!("CASE WHEN {with_total} THEN {local_high_open} ELSE {nl} > 0 END"),
            ),
            (
                "elsewhere_low",
                format!(
                    "CASE WHEN {with_total} THEN {total} - ({pl} + {cap}) ELSE {pd} + {pf} END"
                ),
            ),
            (
                "elsewhere_high",
                format!(
                    "CASE WHEN {with_total} THEN {total} - {pl} ELSE ({pd} + {k} * {nd}) + ({pf} + {k} * {nf}) END"
                ),
            ),
            (
                "elsewhere_low_open",
                format!("CASE WHEN {with_total} THEN {local_high_open} ELSE FALSE END"),
            ),
            (
                "elsewhere_high_open",
                format!("CASE WHEN {with_total} THEN FALSE ELSE {nd} > 0 OR {nf} > 0 END"),
            ),
            ("foreign_low", pf.clone()),
            (
                "foreign_high",
                format!("CASE WHEN {with_total} THEN {pf} + {mass} ELSE {pf} + {k} * {nf} END"),
            ),
            (
                "foreign_high_open",
                format!("CASE WHEN {with_total} THEN FALSE ELSE {nf} > 0 END"),
            ),
        ];
        let columns: Vec<String> = columns
            .iter()
            .map(|(name, value)| format!("{value} AS {}", self.q(name)))
            .collect();
        ctes.push((
            "split_days".to_owned(),
            format!(
                "SELECT {y_}.*,\n    {columns}\n  FROM {caps} AS {y_}",
                y_ = self.q("y"),
                columns = columns.join(",\n    "),
                caps = self.q("split_caps"),
            ),
        ));
    }

    /// The cells of each area-day, and whether each may hold a suppressed count by the model's
    /// one rule ([`may_hold_suppressed`], rendered here): the area's rows, the origins it
    /// names on any day and the scenario's areas (CTE `split_possible`: `date`, `area`, `kind`,
    /// `code`, `part`, `published_cell`, `value`, `possible`), and how many may, per part (CTE
    /// `split_possible_parts`: `possible_local`, `possible_domestic`, `possible_foreign`).
    fn split_possible(&self, settings: &OriginSettings, ctes: &mut Vec<(String, String)>) {
        let d = self.d;
        let r = |column: &str| self.c("r", column);
        let n = |column: &str| self.c("n", column);
        let x = |column: &str| self.c("x", column);
        let c = |column: &str| self.c("c", column);
        let u = |column: &str| self.c("u", column);
        ctes.push((
            "split_named".to_owned(),
            format!(
                "SELECT DISTINCT {area}, {kind}, {code}, {part}\n  FROM {rows} AS {r_} WHERE {kind} <> '{K_TOTAL}'",
                area = r(AREA),
                kind = r(KIND),
                code = r(CODE),
                part = r(PART),
                rows = self.q("split_rows"),
                r_ = self.q("r"),
            ),
        ));
        // A scenario's area's part counted in an area, by the model's rule (`Part::of`).
        let part = |origin: &Origin| {
            Part::of(settings.kind, 0, origin)
                .map_or_else(|| "NULL".to_owned(), |p| part_number(p).to_string())
        };
        let named = self.q("named");
        ctes.push((
            "split_candidates".to_owned(),
            format!(
                "SELECT {u_date} AS {date}, {u_area} AS {area}, {u_kind} AS {kind}, {u_code} AS {code},\n    \
                 {u_part} AS {part}, MAX({u_named}) AS {named}\n  \
                 FROM (SELECT {x_date} AS {date}, {x_area} AS {area}, {n_kind} AS {kind}, {n_code} AS {code},\n      \
                 {n_part} AS {part}, 1 AS {named}\n    \
                 FROM {parts} AS {x_} JOIN {named_t} AS {n_} ON {n_area} = {x_area}\n    \
                 UNION ALL\n    \
                 SELECT {x_date}, {x_area}, '{K_AREA}', {h_area},\n      \
                 CASE WHEN {h_area} = {x_area} THEN {own} ELSE {other} END, 0\n    \
                 FROM {parts} AS {x_} CROSS JOIN {areas} AS {h_}) AS {u_}\n  \
                 GROUP BY {u_date}, {u_area}, {u_kind}, {u_code}, {u_part}",
                u_date = u(DATE),
                u_area = u(AREA),
                u_kind = u(KIND),
                u_code = u(CODE),
                u_part = u(PART),
                u_named = u("named"),
                date = self.q(DATE),
                area = self.q(AREA),
                kind = self.q(KIND),
                code = self.q(CODE),
                part = self.q(PART),
                x_date = x(DATE),
                x_area = x(AREA),
                n_kind = n(KIND),
                n_code = n(CODE),
                n_part = n(PART),
                n_area = n(AREA),
                parts = self.q("split_parts"),
                x_ = self.q("x"),
                named_t = self.q("split_named"),
                n_ = self.q("n"),
                h_area = self.c("h", AREA),
                own = part(&Origin::Area(0)),
                other = part(&Origin::Area(1)),
                areas = self.q("areas"),
                h_ = self.q("h"),
                u_ = self.q("u"),
            ),
        ));
        // The rule: a row's cell may when marked or under k; an absent one by its kind of
        // origin and whether the area names it on another day.
        let truth = |b: bool| if b { "TRUE" } else { "FALSE" };
        let absent = |named: bool| {
            let of = |origin: &Origin| truth(may_hold_suppressed(settings, origin, None, named));
            format!(
                "CASE {kind} WHEN '{K_AREA}' THEN {area} WHEN '{K_MUNICIPALITY}' THEN {municipality}\n        \
                 WHEN '{K_NORWAY}' THEN {norway} WHEN '{K_COUNTRY}' THEN {country} ELSE FALSE END",
                kind = c(KIND),
                area = of(&Origin::Area(0)),
                municipality = of(&Origin::Municipality("0301".to_owned())),
                norway = of(&Origin::Norway),
                country = of(&Origin::Country("DE".to_owned())),
            )
        };
        let marked = truth(may_hold_suppressed(
            settings,
            &Origin::Norway,
            Some(SplitValue::Marked),
            false,
        ));
        let zero = d.double(0.0);
        let k = d.double(settings.min_count);
        ctes.push((
            "split_possible".to_owned(),
            format!(
                "SELECT {c_}.*, CASE WHEN {r_kind} IS NULL THEN FALSE ELSE NOT {r_sup} END AS {published_cell},\n    \
                 {r_value} AS {value},\n    \
                 CASE WHEN {r_kind} IS NOT NULL THEN CASE WHEN {r_marked} THEN {marked} ELSE {under} END\n      \
                 WHEN {c_named} = 1 THEN {named}\n      ELSE {unnamed} END AS {possible}\n  \
                 FROM {candidates} AS {c_}\n  \
                 LEFT JOIN {rows} AS {r_} ON {r_date} = {c_date} AND {r_area} = {c_area}\n    \
                 AND {r_kind} = {c_kind} AND {r_code} = {c_code}",
                c_ = self.q("c"),
                r_kind = r(KIND),
                r_sup = r(SUPPRESSED),
                published_cell = self.q("published_cell"),
                r_value = r(VALUE),
                value = self.q(VALUE),
                r_marked = r(MARKED),
                under = under_k(&r(VALUE), &k, &zero),
                c_named = c("named"),
                named = absent(true),
                unnamed = absent(false),
                possible = self.q("possible"),
                candidates = self.q("split_candidates"),
                rows = self.q("split_rows"),
                r_ = self.q("r"),
                r_date = r(DATE),
                c_date = c(DATE),
                r_area = r(AREA),
                c_area = c(AREA),
                c_kind = c(KIND),
                r_code = r(CODE),
                c_code = c(CODE),
            ),
        ));
        let counts: Vec<String> = Part::ALL
            .iter()
            .map(|&p| {
                format!(
                    "SUM(CASE WHEN {part} = {n} AND {possible} THEN 1 ELSE 0 END) AS {name}",
                    part = c(PART),
                    n = part_number(p),
                    possible = c("possible"),
                    name = self.q(&format!("possible_{}", part_suffix(p))),
                )
            })
            .collect();
        ctes.push((
            "split_possible_parts".to_owned(),
            format!(
                "SELECT {date}, {area},\n    {counts}\n  FROM {cells} AS {c_} GROUP BY {date}, {area}",
                date = c(DATE),
                area = c(AREA),
                counts = counts.join(",\n    "),
                cells = self.q("split_possible"),
                c_ = self.q("c"),
            ),
        ));
    }

    /// The rows: each day's figures, guest-nights per area by the origin's rule, the region's
    /// guest-nights where every area has a figure (CTEs `day_figures`, `guests`, `region`);
    /// the final `SELECT`.
    fn split_figures(&self, settings: &OriginSettings, ctes: &mut Vec<(String, String)>) -> String {
        let d = self.d;
        let double = d.double_type();
        let null = format!("CAST(NULL AS {double})");
        let y = |column: &str| self.c("y", column);
        let zero = d.double(0.0);
        let k = d.double(settings.min_count);
        // One figure of a day: name, rank, low, high, low open, high open, zero-filled, and
        // when it is given.
        let exact = |low: &str, high: &str, zero_filled: &str, when: Option<String>| {
            (
                low.to_owned(),
                high.to_owned(),
                "FALSE".to_owned(),
                "FALSE".to_owned(),
                zero_filled.to_owned(),
                when,
            )
        };
        let mut figures = vec![
            (
                "total",
                exact(
                    &y(TOTAL),
                    &y(TOTAL),
                    &null,
                    Some(format!("{} IS NOT NULL", y(TOTAL))),
                ),
            ),
            (
                "suppressed",
                exact(
                    &y("mass"),
                    &y("mass"),
                    &null,
                    Some(format!("{} IS NOT NULL", y(TOTAL))),
                ),
            ),
            (
                "local",
                (
                    y("local_low"),
                    y("local_high"),
                    "FALSE".to_owned(),
                    y("local_high_open"),
                    y("p_local"),
                    None,
                ),
            ),
            (
                "elsewhere",
                (
                    y("elsewhere_low"),
                    y("elsewhere_high"),
                    y("elsewhere_low_open"),
                    y("elsewhere_high_open"),
                    format!("{} + {}", y("p_domestic"), y("p_foreign")),
                    None,
                ),
            ),
            // SIM countries: everyone from elsewhere is foreign, to the same bounds.
            if settings.kind == OriginKind::SimCountry {
                (
                    "foreign",
                    (
                        y("elsewhere_low"),
                        y("elsewhere_high"),
                        y("elsewhere_low_open"),
                        y("elsewhere_high_open"),
                        y("p_foreign"),
                        None,
                    ),
                )
            } else {
                (
                    "foreign",
                    (
                        y("foreign_low"),
                        y("foreign_high"),
                        "FALSE".to_owned(),
                        y("foreign_high_open"),
                        y("p_foreign"),
                        None,
                    ),
                )
            },
        ];
        if settings.kind == OriginKind::Home {
            // Residents away = registered − local, its bounds reversed.
            let registered = y(REGISTERED);
            figures.push((
                "residents_away",
                (
                    format!("{registered} - {}", y("local_high")),
                    format!("{registered} - {}", y("local_low")),
                    y("local_high_open"),
                    "FALSE".to_owned(),
                    null.clone(),
                    Some(format!("{registered} IS NOT NULL")),
                ),
            ));
        }
        let figure_columns =
            |date: &str,
             area: &str,
             name: &str,
             order: &str,
             section: u8,
             rank: usize,
             f: &str,
             b: &(String, String, String, String, String, Option<String>)| {
                format!(
                    "SELECT {date} AS {date_}, {area} AS {area_}, {name} AS {name_}, {f} AS {figure},\n    \
                 {low} AS {low_}, {high} AS {high_}, {low_open} AS {low_open_}, {high_open} AS {high_open_},\n    \
                 {zf} AS {zero_filled}, {section} AS {section_}, {order} AS {order_}, {rank} AS {rank_}",
                    date_ = self.q(DATE),
                    area_ = self.q(AREA),
                    name_ = self.q(NAME),
                    f = d.string(f),
                    figure = self.q("figure"),
                    low = b.0,
                    low_ = self.q("low"),
                    high = b.1,
                    high_ = self.q("high"),
                    low_open = b.2,
                    low_open_ = self.q("low_open"),
                    high_open = b.3,
                    high_open_ = self.q("high_open"),
                    zf = b.4,
                    zero_filled = self.q("zero_filled"),
                    section_ = self.q("section"),
                    order_ = self.q(ORDER),
                    rank_ = self.q("rank"),
                )
            };
        let mut selects: Vec<String> = Vec::new();
        for (rank, (f, b)) in figures.iter().enumerate() {
            let mut select = figure_columns(&y(DATE), &y(AREA), &y(NAME), &y(ORDER), 0, rank, f, b);
            select.push_str(&format!(
                "\n  FROM {} AS {}",
                self.q("split_days"),
                self.q("y")
            ));
            if let Some(when) = &b.5 {
                select.push_str(&format!("\n  WHERE {when}"));
            }
            selects.push(select);
        }
        // Guest-nights per area: CTE `guests` (date, area, name, order, low, high, opens, zero).
        let g = |column: &str| self.c("g", column);
        let guests = match settings.kind {
            OriginKind::SimCountry => None,
            OriginKind::Home => Some(format!(
                "SELECT {date} AS {date_}, {area} AS {area_}, {name} AS {name_}, {order} AS {order_},\n    \
                 {low} AS {low_}, {high} AS {high_}, {low_open} AS {low_open_}, {high_open} AS {high_open_},\n    \
                 {pd} + {pf} AS {zero_filled}\n  FROM {days} AS {y_}",
                date = y(DATE),
                area = y(AREA),
                name = y(NAME),
                order = y(ORDER),
                low = y("elsewhere_low"),
                high = y("elsewhere_high"),
                low_open = y("elsewhere_low_open"),
                high_open = y("elsewhere_high_open"),
                pd = y("p_domestic"),
                pf = y("p_foreign"),
                date_ = self.q(DATE),
                area_ = self.q(AREA),
                name_ = self.q(NAME),
                order_ = self.q(ORDER),
                low_ = self.q("low"),
                high_ = self.q("high"),
                low_open_ = self.q("low_open"),
                high_open_ = self.q("high_open"),
                zero_filled = self.q("zero_filled"),
                days = self.q("split_days"),
                y_ = self.q("y"),
            )),
            OriginKind::PreviousNight => {
                // The days on which every area of the scenario has a split.
                let areas = self.plan.scenario().areas().len();
                ctes.push((
                    "complete_days".to_owned(),
                    format!(
                        "SELECT {date} AS {date_} FROM {days} AS {y_} GROUP BY {date} HAVING COUNT(*) = {areas}",
                        date = y(DATE),
                        date_ = self.q(DATE),
                        days = self.q("split_days"),
                        y_ = self.q("y"),
                    ),
                ));
                // Each cell (day, area counted in, home): exact when published; where it may
                // hold a suppressed count (the one rule, `split_possible`) in [0, min(k, the
                // area's suppressed mass)] (k without a total), open at the top where the
                // whole k fits; else 0.
                let cell_mass = format!(
                    "CASE WHEN {total} IS NULL THEN {k} ELSE GREATEST({total} - {published}, {zero}) END",
                    total = y(TOTAL),
                    published = y(PUBLISHED),
                );
                let published = self.c("e", "published_cell");
                let possible = self.c("e", "possible");
                ctes.push((
                    "slept_cells".to_owned(),
                    format!(
                        "SELECT {y_date} AS {date}, {e_code} AS {home},\n    \
                         CASE WHEN {published} THEN {value} ELSE {zero} END AS {low},\n    \
                         CASE WHEN {published} THEN {value} WHEN {possible} THEN LEAST({k}, {mass}) ELSE {zero} END AS {high},\n    \
                         CASE WHEN {published} THEN 0 WHEN {possible} AND {mass} >= {k} AND {k} > {zero} THEN 1 ELSE 0 END AS {high_open},\n    \
                         CASE WHEN {published} THEN {value} ELSE {zero} END AS {zero_filled}\n  \
                         FROM {days} AS {y_}\n  JOIN {complete} AS {c} ON {c_date} = {y_date}\n  \
                         JOIN {cells} AS {e} ON {e_date} = {y_date} AND {e_area} = {y_area}\n    \
                         AND {e_kind} = '{K_AREA}'",
                        y_date = y(DATE),
                        date = self.q(DATE),
                        e_code = self.c("e", CODE),
                        home = self.q("home"),
                        value = self.c("e", VALUE),
                        low = self.q("low"),
                        high = self.q("high"),
                        mass = cell_mass,
                        high_open = self.q("high_open"),
                        zero_filled = self.q("zero_filled"),
                        days = self.q("split_days"),
                        y_ = self.q("y"),
                        complete = self.q("complete_days"),
                        c = self.q("c"),
                        c_date = self.c("c", DATE),
                        cells = self.q("split_possible"),
                        e = self.q("e"),
                        e_date = self.c("e", DATE),
                        e_area = self.c("e", AREA),
                        y_area = y(AREA),
                        e_kind = self.c("e", KIND),
                    ),
                ));
                // Persons who slept in the home area the night before, minus its registered
                // residents (areas without a registered figure give none).
                let e = |column: &str| self.c("e", column);
                Some(format!(
                    "SELECT {night} AS {date}, {a_area} AS {area}, {a_name} AS {name}, {a_order} AS {order},\n    \
                     SUM({low}) - {registered} AS {low_},\n    SUM({high}) - {registered} AS {high_},\n    \
                     FALSE AS {low_open},\n    MAX({open}) > 0 AS {high_open},\n    \
                     SUM({zf}) - {registered} AS {zero_filled}\n  \
                     FROM {cells} AS {e_}\n  JOIN {areas} AS {a} ON {a_area} = {home}\n  \
                     WHERE {registered} IS NOT NULL\n  \
                     GROUP BY {e_date}, {a_area}, {a_name}, {a_order}, {registered}",
                    night = self.day_before(&e(DATE)),
                    date = self.q(DATE),
                    a_area = self.c("a", AREA),
                    area = self.q(AREA),
                    a_name = self.c("a", NAME),
                    name = self.q(NAME),
                    a_order = self.c("a", ORDER),
                    order = self.q(ORDER),
                    low = e("low"),
                    high = e("high"),
                    open = e("high_open"),
                    zf = e("zero_filled"),
                    registered = self.c("a", REGISTERED),
                    low_ = self.q("low"),
                    high_ = self.q("high"),
                    low_open = self.q("low_open"),
                    high_open = self.q("high_open"),
                    zero_filled = self.q("zero_filled"),
                    cells = self.q("slept_cells"),
                    e_ = self.q("e"),
                    areas = self.q("areas"),
                    a = self.q("a"),
                    home = e("home"),
                    e_date = e(DATE),
                ))
            }
        };
        if let Some(guests) = guests {
            ctes.push(("guests".to_owned(), guests));
            let b = (
                g("low"),
                g("high"),
                g("low_open"),
                g("high_open"),
                g("zero_filled"),
                None,
            );
            let mut select = figure_columns(
                &g(DATE),
                &g(AREA),
                &g(NAME),
                &g(ORDER),
                1,
                0,
                "guest_nights",
                &b,
            );
            select.push_str(&format!("\n  FROM {} AS {}", self.q("guests"), self.q("g")));
            selects.push(select);
            // The region's: where every area has guest-nights that day.
            let areas = self.plan.scenario().areas().len();
            ctes.push((
                "region".to_owned(),
                format!(
                    "SELECT {date} AS {date_}, SUM({low}) AS {low_}, SUM({high}) AS {high_},\n    \
                     MAX(CASE WHEN {low_open} THEN 1 ELSE 0 END) > 0 AS {low_open_},\n    \
                     MAX(CASE WHEN {high_open} THEN 1 ELSE 0 END) > 0 AS {high_open_},\n    \
                     SUM({zf}) AS {zero_filled}\n  \
                     FROM {guests} AS {g_} GROUP BY {date} HAVING COUNT(*) = {areas}",
                    date = g(DATE),
                    date_ = self.q(DATE),
                    low = g("low"),
                    low_ = self.q("low"),
                    high = g("high"),
                    high_ = self.q("high"),
                    low_open = g("low_open"),
                    low_open_ = self.q("low_open"),
                    high_open = g("high_open"),
                    high_open_ = self.q("high_open"),
                    zf = g("zero_filled"),
                    zero_filled = self.q("zero_filled"),
                    guests = self.q("guests"),
                    g_ = self.q("g"),
                ),
            ));
            let text = d.text_type();
            let n = |column: &str| self.c("n", column);
            let b = (
                n("low"),
                n("high"),
                n("low_open"),
                n("high_open"),
                n("zero_filled"),
                None,
            );
            let mut select = figure_columns(
                &n(DATE),
                &format!("CAST(NULL AS {text})"),
                &format!("CAST(NULL AS {text})"),
                "0",
                2,
                0,
                "guest_nights",
                &b,
            );
            select.push_str(&format!("\n  FROM {} AS {}", self.q("region"), self.q("n")));
            selects.push(select);
        }
        ctes.push(("figures".to_owned(), selects.join("\n  UNION ALL\n  ")));
        let f = |column: &str| self.c("f", column);
        format!(
            "SELECT {date} AS {date_}, {area} AS {area_}, {name} AS {name_}, {figure} AS {figure_},\n  \
             {low} AS {low_}, {high} AS {high_},\n  \
             ABS({high} - {low}) <= {within} * GREATEST(ABS({low}), ABS({high}), 1) AND NOT {low_open} AND NOT {high_open} AS {exact},\n  \
             {high_open} AS {high_excluded}, {low_open} AS {low_excluded}, {zf} AS {zero_filled}\n\
             FROM {figures} AS {f_}\n\
             ORDER BY {section}, {date}, {order}, {rank}",
            date = f(DATE),
            date_ = self.q(SPLIT_COLUMNS[0]),
            area = f(AREA),
            area_ = self.q(SPLIT_COLUMNS[1]),
            name = f(NAME),
            name_ = self.q(SPLIT_COLUMNS[2]),
            figure = f("figure"),
            figure_ = self.q(SPLIT_COLUMNS[3]),
            low = f("low"),
            low_ = self.q(SPLIT_COLUMNS[4]),
            high = f("high"),
            high_ = self.q(SPLIT_COLUMNS[5]),
            low_open = f("low_open"),
            high_open = f("high_open"),
            exact = self.q(SPLIT_COLUMNS[6]),
            within = self.d.double(deltid_model::EXACT_WITHIN),
            high_excluded = self.q(SPLIT_COLUMNS[7]),
            low_excluded = self.q(SPLIT_COLUMNS[8]),
            zf = f("zero_filled"),
            zero_filled = self.q(SPLIT_COLUMNS[9]),
            figures = self.q("figures"),
            f_ = self.q("f"),
            section = f("section"),
            order = f(ORDER),
            rank = f("rank"),
        )
    }

    /// The date before a `DATE` expression.
    fn day_before(&self, date: &str) -> String {
        match self.d {
            Dialect::DuckDb => format!("CAST({date} - INTERVAL 1 DAY AS DATE)"),
            Dialect::Postgres => format!("({date} - 1)"),
            Dialect::Spark => format!("date_sub({date}, 1)"),
        }
    }
}

/// Whether a published value (a `DOUBLE` expression) is under `k` and so suppressed, as
/// [`deltid_model::is_suppressed`] has it: `0 < value < k` (a published 0 is an exact 0).
fn under_k(value: &str, k: &str, zero: &str) -> String {
    format!("({value} < {k} AND {value} <> {zero})")
}

/// A comment line: `-- ` and the text on one line, with no `;` (some tools split scripts at
/// every `;`), as the plan's query writes its comments.
fn leading_comment(line: &str) -> String {
    let line: String = line
        .chars()
        .map(|ch| match ch {
            ';' => ',',
            ch if ch.is_control() => ' ',
            ch => ch,
        })
        .collect();
    format!("-- {line}\n")
}
