//! Small-count protection for publication: which figures of an estimate are suppressed, so
//! that no figure of fewer than `k` persons is published and none can be worked out from the
//! figures that are.
//!
//! # The published table
//! Every figure of an estimate is an affine function (public coefficients: the uplift, the
//! deductions) of its cells: an area's count on a day. So the publication is one table: rows
//! are the areas and the region, columns are the days and the mean over the days. Each day
//! column adds up (the region's day is the sum of its areas', or, with the region's own count,
//! the areas' present persons are revealed by their shares of the deductions, so their sum is
//! taken as published too), each row adds up to its mean times its days, and the region's mean
//! is the sum of its areas' means. A cell is suppressed with all its lines.
//!
//! # Primary suppression
//! A cell (an area's or the region's day, an area's or the region's mean) is suppressed when
//! its observed count, present persons or part-time residents is small: `0 < |value| < k`.
//! Zero is published (it discloses no person); a negative figure is small by its magnitude.
//!
//! # Secondary suppression
//! With some cells suppressed, the others and the totals form a linear system; a suppressed
//! cell can be pinned down exactly when it is a bridge of the graph whose nodes are the rows
//! and columns and whose edges are the suppressed cells (Gusfield, "A graph theoretic approach
//! to statistical data security", SIAM J. Computing 17(3), 1988). So for each suppressed cell
//! that is a bridge, the cheapest published cells that close a cycle through it are suppressed
//! too (another day of the area and another area's cells those two days, preferring cells
//! already suppressed and small ones, an area's mean or a region's day only when nothing else
//! closes a cycle), until no suppressed cell is a bridge. The rule of a node is taken
//! conservatively where it is not an exact sum: the areas' mean column is split by the number
//! of days each area has (a cycle through means of areas with different numbers of days would
//! pin them down), and every day column adds up even when the region has no figure that day.
//! With the region's day suppressed and deductions shared by present persons, every area's
//! cell that day is suppressed too (their shares would reveal the day's total). A region made
//! as the sum of its areas whose own mean is small publishes nothing: its mean is the sum of
//! the areas' means, and hiding it would take hiding everything.
//!
//! # Aggregates
//! Figures outside this table (calendar years, yearly figures by another method, percentiles,
//! busiest days, negative-day sums, intervals, plausibility ratios) of an area are suppressed
//! when any of the area's cells or its mean is suppressed; the region's when any of its days
//! or its mean is suppressed, and when the figure is made from the areas' days (the region as
//! the sum of its areas' yearly figures, the intervals) when any cell is suppressed.

use std::collections::{BinaryHeap, HashMap, HashSet};

use chrono::NaiveDate;
use deltid_model::{AreaCode, DayLines, Disclosure, Estimate, RegionRule, Summary};

use super::population::ratio;
use super::{AreaPopulation, Population, PopulationDay, Yearly};
use serde::Serialize;

/// Candidates taken at each end of a suppressed cell when looking for a cycle through it.
const CANDIDATES: usize = 24;

/// The cost of suppressing an area's mean (its whole table) instead of a day: far above any
/// day's count, so that a mean is taken only when no day closes a cycle.
const MEAN_COST: f64 = 1e12;

/// The cost of suppressing a region's day: above an area's mean.
const REGION_DAY_COST: f64 = 1e15;

/// A figure as published under a [`Protection`]: a value (rounded to the rule's base), or
/// suppressed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Published {
    /// The figure, rounded to the rule's base if it has one.
    Value(f64),
    /// Suppressed: never shown as 0.
    Suppressed,
}

impl Published {
    /// The value, `None` when suppressed.
    pub fn value(self) -> Option<f64> {
        match self {
            Published::Value(v) => Some(v),
            Published::Suppressed => None,
        }
    }
}

/// A node of the table's graph: a row, a column, or the free node that stands for every row
/// or column whose total is not published (with the region's own count: the days' region
/// cells and the areas' means; and the region's mean).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Area(u32),
    Region,
    Day(u32),
    /// The areas' means with a given number of days (a part of the mean column).
    Group(u32),
    Free,
}

/// A cell of the table: an edge of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Edge {
    /// An area's day (area, day).
    Cell(u32, u32),
    /// The region's day.
    RegionDay(u32),
    /// An area's mean (its table).
    Mean(u32),
    /// The region's mean (its table).
    RegionMean,
}

/// Which figures of an estimate are suppressed for publication, and how published figures are
/// rounded.
///
/// The publication is one table: areas and the region by days and the mean over the days.
/// **Primary:** a day or a mean whose observed count, present persons or part-time residents
/// is small (`0 < |value| < k`, see [`Disclosure::is_small`]) is suppressed with all its lines.
/// **Secondary:** a suppressed cell can be worked out exactly when it is a bridge of the graph
/// of suppressed cells between rows and columns (Gusfield, "A graph theoretic approach to
/// statistical data security", SIAM J. Computing 17(3), 1988); the cheapest published cells
/// that close a cycle through each such cell are suppressed too. **Aggregates** (calendar
/// years, yearly figures, negative-day sums) are suppressed with any day or mean they are
/// made from.
///
/// Made once per run by [`Protection::new`]; every output consults it.
#[derive(Clone, Debug, PartialEq)]
pub struct Protection {
    rule: Disclosure,
    /// Codes of the summary's areas, in its order.
    codes: HashMap<AreaCode, u32>,
    /// The days of the period with any count, in date order.
    dates: Vec<NaiveDate>,
    suppressed: HashSet<Edge>,
    primary: usize,
    /// Areas with a suppressed day.
    areas_with_days: HashSet<u32>,
    region_days: bool,
}

/// The table of an estimate as the search for cycles reads it.
struct Table<'a> {
    estimate: &'a Estimate,
    /// Each summary area's position among the scenario's areas.
    positions: Vec<usize>,
    /// Each summary area's group in the mean column.
    group_of: Vec<u32>,
    groups: Vec<Vec<u32>>,
    dates: Vec<NaiveDate>,
    /// The region's observed persons on each day, if the region has that day.
    region: Vec<Option<f64>>,
    own: bool,
    shares_by_present: bool,
}

impl Table<'_> {
    fn cell(&self, area: u32, day: u32) -> Option<DayLines> {
        self.estimate
            .area_day(self.positions[area as usize], self.dates[day as usize])
    }

    /// The edge's ends before free rows and columns are merged.
    fn ends(&self, edge: Edge) -> (Node, Node) {
        match edge {
            Edge::Cell(a, d) => (Node::Area(a), Node::Day(d)),
            Edge::RegionDay(_) if self.own => (Node::Region, Node::Free),
            Edge::RegionDay(d) => (Node::Region, Node::Day(d)),
            Edge::Mean(a) if self.own => (Node::Area(a), Node::Free),
            Edge::Mean(a) => (Node::Area(a), Node::Group(self.group_of[a as usize])),
            Edge::RegionMean => (Node::Region, Node::Free),
        }
    }
}

/// The pattern while it is made.
struct Pattern<'a> {
    table: Table<'a>,
    suppressed: HashSet<Edge>,
}

impl Pattern<'_> {
    fn ends(&self, edge: Edge) -> (Node, Node) {
        self.table.ends(edge)
    }

    /// The cost of suppressing an edge: 0 if it is already, else what is lost.
    fn cost(&self, edge: Edge) -> f64 {
        if self.suppressed.contains(&edge) {
            return 0.0;
        }
        match edge {
            Edge::Cell(a, d) => 1.0 + self.table.cell(a, d).map_or(0.0, |l| l.observed().abs()),
            Edge::Mean(_) => MEAN_COST,
            Edge::RegionDay(_) => REGION_DAY_COST,
            Edge::RegionMean => f64::INFINITY,
        }
    }

    /// The edges at a node before merging.
    fn raw_edges(&self, node: Node, out: &mut Vec<Edge>) {
        let t = &self.table;
        let days = t.dates.len() as u32;
        match node {
            Node::Area(a) => {
                out.extend(
                    (0..days)
                        .filter(|&d| t.cell(a, d).is_some())
                        .map(|d| Edge::Cell(a, d)),
                );
                out.push(Edge::Mean(a));
            }
            Node::Day(d) => {
                let areas = t.positions.len() as u32;
                out.extend(
                    (0..areas)
                        .filter(|&a| t.cell(a, d).is_some())
                        .map(|a| Edge::Cell(a, d)),
                );
                if !t.own && t.region[d as usize].is_some() {
                    out.push(Edge::RegionDay(d));
                }
            }
            Node::Region => {
                out.extend(
                    (0..days)
                        .filter(|&d| t.region[d as usize].is_some())
                        .map(Edge::RegionDay),
                );
                out.push(Edge::RegionMean);
            }
            Node::Group(g) => out.extend(t.groups[g as usize].iter().map(|&a| Edge::Mean(a))),
            Node::Free => {
                if t.own {
                    out.extend((0..t.positions.len() as u32).map(Edge::Mean));
                    out.extend(
                        (0..days)
                            .filter(|&d| t.region[d as usize].is_some())
                            .map(Edge::RegionDay),
                    );
                }
                out.push(Edge::RegionMean);
            }
        }
    }

    /// The edges at a node (merged), each with its other end and cost; self-loops left out.
    fn neighbours(&self, node: Node) -> Vec<(Node, Edge, f64)> {
        let mut raw = Vec::new();
        self.raw_edges(node, &mut raw);
        raw.sort_unstable();
        raw.dedup();
        raw.into_iter()
            .filter_map(|edge| {
                let (u, v) = self.ends(edge);
                let other = if u == node {
                    v
                } else if v == node {
                    u
                } else {
                    return None;
                };
                (u != v).then(|| (other, edge, self.cost(edge)))
            })
            .filter(|(_, _, cost)| cost.is_finite())
            .collect()
    }

    /// The cheapest edge between two nodes other than those in `not`.
    fn between(&self, x: Node, y: Node, not: &[Edge]) -> Option<(Edge, f64)> {
        if let (Node::Area(a), Node::Day(d)) | (Node::Day(d), Node::Area(a)) = (x, y) {
            let edge = Edge::Cell(a, d);
            return (self.table.cell(a, d).is_some() && !not.contains(&edge))
                .then(|| (edge, self.cost(edge)));
        }
        self.neighbours(x)
            .into_iter()
            .filter(|(other, edge, _)| *other == y && !not.contains(edge))
            .map(|(_, edge, cost)| (edge, cost))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The suppressed edges that are bridges of the graph of suppressed edges.
    fn bridges(&self) -> Vec<Edge> {
        let mut edges: Vec<Edge> = self.suppressed.iter().copied().collect();
        edges.sort_unstable();
        let mut index: HashMap<Node, usize> = HashMap::new();
        let mut ends = Vec::with_capacity(edges.len());
        for &edge in &edges {
            let (u, v) = self.ends(edge);
            let mut id = |n: Node| {
                let next = index.len();
                *index.entry(n).or_insert(next)
            };
            ends.push((id(u), id(v)));
        }
        let mut adjacent: Vec<Vec<(usize, usize)>> = vec![Vec::new(); index.len()];
        for (e, &(u, v)) in ends.iter().enumerate() {
            if u != v {
                adjacent[u].push((v, e));
                adjacent[v].push((u, e));
            }
        }
        bridges(&adjacent).into_iter().map(|e| edges[e]).collect()
    }

    /// The cheapest published edges closing a cycle through `edge`: a path of at most three
    /// edges between its ends from the cheapest candidates, else the cheapest path of all.
    fn cycle(&self, edge: Edge) -> Option<Vec<Edge>> {
        let (u, v) = self.ends(edge);
        let near = |node: Node| {
            let mut list: Vec<(Node, Edge, f64)> = self
                .neighbours(node)
                .into_iter()
                .filter(|(_, e, _)| *e != edge)
                .collect();
            list.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.1.cmp(&b.1)));
            list.truncate(CANDIDATES);
            list
        };
        let (from_u, from_v) = (near(u), near(v));
        let mut best: Option<(f64, Vec<Edge>)> = None;
        let mut consider = |cost: f64, path: Vec<Edge>| {
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, path));
            }
        };
        for &(w1, e1, c1) in &from_u {
            if w1 == v {
                consider(c1, vec![e1]);
                continue;
            }
            for &(w2, e3, c3) in &from_v {
                if e3 == e1 {
                    continue;
                }
                if w1 == w2 {
                    consider(c1 + c3, vec![e1, e3]);
                } else if let Some((e2, c2)) = self.between(w1, w2, &[edge, e1, e3]) {
                    consider(c1 + c2 + c3, vec![e1, e2, e3]);
                }
            }
        }
        best.map(|(_, path)| path)
            .or_else(|| self.cheapest_path(u, v, edge))
    }

    /// The cheapest path between two nodes avoiding `edge` (Dijkstra over the whole table).
    fn cheapest_path(&self, from: Node, to: Node, edge: Edge) -> Option<Vec<Edge>> {
        #[derive(PartialEq)]
        struct Item(f64, Node);
        impl Eq for Item {}
        impl PartialOrd for Item {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Item {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
            }
        }
        let mut distance: HashMap<Node, (f64, Option<(Node, Edge)>)> = HashMap::new();
        distance.insert(from, (0.0, None));
        let mut heap = BinaryHeap::from([Item(0.0, from)]);
        while let Some(Item(d, node)) = heap.pop() {
            if distance.get(&node).is_some_and(|(best, _)| d > *best) {
                continue;
            }
            if node == to {
                let mut path = Vec::new();
                let mut at = to;
                while let Some((_, Some((previous, e)))) = distance.get(&at) {
                    path.push(*e);
                    at = *previous;
                }
                return Some(path);
            }
            for (other, e, cost) in self.neighbours(node) {
                if e == edge {
                    continue;
                }
                let next = d + cost;
                if distance.get(&other).is_none_or(|(best, _)| next < *best) {
                    distance.insert(other, (next, Some((node, e))));
                    heap.push(Item(next, other));
                }
            }
        }
        None
    }

    /// Secondary suppression: closes a cycle through every suppressed cell that is a bridge,
    /// until none is; publishes nothing when a cell cannot be put on a cycle.
    fn protect(&mut self) {
        loop {
            let bridges = self.bridges();
            if bridges.is_empty() {
                break;
            }
            let before = self.suppressed.len();
            for (i, edge) in bridges.into_iter().enumerate() {
                // An earlier cycle of this round may have closed this one.
                if i > 0 && !self.bridges().contains(&edge) {
                    continue;
                }
                match self.cycle(edge) {
                    Some(path) => self.suppressed.extend(path),
                    None => {
                        self.suppress_all();
                        return;
                    }
                }
            }
            self.close_columns();
            if self.suppressed.len() == before {
                // Nothing could close a cycle: publish nothing rather than a figure that can
                // be worked out.
                self.suppress_all();
                break;
            }
        }
    }

    /// With deductions shared by present persons and the region's day suppressed, every
    /// area's cell that day too (their shares would reveal the day's total).
    fn close_columns(&mut self) {
        if !self.table.shares_by_present || self.table.own {
            return;
        }
        let days: Vec<u32> = self
            .suppressed
            .iter()
            .filter_map(|e| match e {
                Edge::RegionDay(d) => Some(*d),
                _ => None,
            })
            .collect();
        for d in days {
            for a in 0..self.table.positions.len() as u32 {
                if self.table.cell(a, d).is_some() {
                    self.suppressed.insert(Edge::Cell(a, d));
                }
            }
        }
    }

    /// Every cell, every day and every mean suppressed: nothing published.
    fn suppress_all(&mut self) {
        let t = &self.table;
        for d in 0..t.dates.len() as u32 {
            for a in 0..t.positions.len() as u32 {
                if t.cell(a, d).is_some() {
                    self.suppressed.insert(Edge::Cell(a, d));
                }
            }
            if t.region[d as usize].is_some() {
                self.suppressed.insert(Edge::RegionDay(d));
            }
        }
        for a in 0..t.positions.len() as u32 {
            self.suppressed.insert(Edge::Mean(a));
        }
        self.suppressed.insert(Edge::RegionMean);
    }
}

/// The bridges of a multigraph given as adjacency lists of (neighbour, edge id): Tarjan's
/// low-link, iterative (the graph of suppressed cells may be long).
fn bridges(adjacent: &[Vec<(usize, usize)>]) -> Vec<usize> {
    let n = adjacent.len();
    let mut order = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut found = Vec::new();
    let mut counter = 0;
    for start in 0..n {
        if order[start] != usize::MAX {
            continue;
        }
        // (node, the edge it was reached by, next neighbour to look at)
        let mut stack = vec![(start, usize::MAX, 0)];
        order[start] = counter;
        low[start] = counter;
        counter += 1;
        while let Some(&mut (node, via, ref mut next)) = stack.last_mut() {
            if let Some(&(other, edge)) = adjacent[node].get(*next) {
                *next += 1;
                if edge == via {
                    continue;
                }
                if order[other] == usize::MAX {
                    order[other] = counter;
                    low[other] = counter;
                    counter += 1;
                    stack.push((other, edge, 0));
                } else {
                    low[node] = low[node].min(order[other]);
                }
            } else {
                stack.pop();
                if let Some(&(parent, _, _)) = stack.last() {
                    low[parent] = low[parent].min(low[node]);
                    if low[node] > order[parent] {
                        found.push(via);
                    }
                }
            }
        }
    }
    found
}

/// Whether a day's or a mean's lines are small under the rule: observed, present or part-time
/// residents with `0 < |value| < k`.
fn small(rule: &Disclosure, lines: &DayLines) -> bool {
    [lines.observed(), lines.present(), lines.part_time()]
        .into_iter()
        .any(|v| rule.is_small(v))
}

impl Protection {
    /// The suppression pattern of an estimate under a rule.
    ///
    /// Costs a pass over the estimate's days, and for each suppressed cell that could be
    /// pinned down a look at its area's days and its day's areas: little when few cells are
    /// small, however many areas and days.
    pub fn new(estimate: &Estimate, summary: &Summary, rule: Disclosure) -> Protection {
        let scenario = estimate.scenario();
        let positions: Vec<usize> = summary
            .areas()
            .iter()
            .filter_map(|a| a.code().and_then(|c| scenario.position(c.as_str())))
            .collect();
        let codes = summary
            .areas()
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((a.code()?.clone(), i as u32)))
            .collect();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut group_index: HashMap<u32, u32> = HashMap::new();
        let mut group_of = Vec::new();
        for (i, area) in summary.areas().iter().enumerate() {
            let next = groups.len() as u32;
            let g = *group_index.entry(area.days()).or_insert(next);
            if g == next {
                groups.push(Vec::new());
            }
            groups[g as usize].push(i as u32);
            group_of.push(g);
        }
        let mut dates = Vec::new();
        let mut region = Vec::new();
        let mut suppressed = HashSet::new();
        let slots: Vec<Option<u32>> = estimate
            .plan()
            .selected()
            .iter()
            .map(|p| positions.iter().position(|q| q == p).map(|i| i as u32))
            .collect();
        for day in estimate.days() {
            let d = dates.len() as u32;
            dates.push(day.date);
            region.push(day.region.as_ref().map(|r| r.lines.observed()));
            for (slot, lines) in slots.iter().zip(&day.areas) {
                if let (Some(a), Some(lines)) = (slot, lines)
                    && small(&rule, lines)
                {
                    suppressed.insert(Edge::Cell(*a, d));
                }
            }
            if let Some(r) = &day.region
                && small(&rule, &r.lines)
            {
                suppressed.insert(Edge::RegionDay(d));
            }
        }
        for (a, area) in summary.areas().iter().enumerate() {
            if small(&rule, area.mean()) {
                suppressed.insert(Edge::Mean(a as u32));
            }
        }
        if small(&rule, summary.region().mean()) {
            suppressed.insert(Edge::RegionMean);
        }
        let primary = suppressed.len();
        // A region (as the sum of its areas) whose mean is small can be protected only by
        // hiding so much that nothing is left: publish nothing.
        let degenerate = suppressed.contains(&Edge::RegionMean)
            && estimate.region_rule() == RegionRule::SumOfAreas;
        let mut pattern = Pattern {
            table: Table {
                estimate,
                positions,
                group_of,
                groups,
                dates,
                region,
                own: estimate.region_rule() == RegionRule::OwnCount,
                shares_by_present: estimate.plan().shares_by_present(),
            },
            suppressed,
        };
        if degenerate {
            pattern.suppress_all();
        }
        pattern.close_columns();
        if !degenerate {
            pattern.protect();
        }
        let areas_with_days = pattern
            .suppressed
            .iter()
            .filter_map(|e| match e {
                Edge::Cell(a, _) => Some(*a),
                _ => None,
            })
            .collect();
        let region_days = pattern
            .suppressed
            .iter()
            .any(|e| matches!(e, Edge::RegionDay(_)));
        Protection {
            rule,
            codes,
            dates: pattern.table.dates,
            suppressed: pattern.suppressed,
            primary,
            areas_with_days,
            region_days,
        }
    }

    /// The rule applied.
    pub fn rule(&self) -> Disclosure {
        self.rule
    }

    /// Cells suppressed because they are small (days and means of areas and the region).
    pub fn primary(&self) -> usize {
        self.primary
    }

    /// Cells suppressed so that the small ones cannot be worked out from the rest.
    pub fn secondary(&self) -> usize {
        self.suppressed.len() - self.primary
    }

    fn area(&self, code: Option<&AreaCode>) -> Option<u32> {
        code.and_then(|c| self.codes.get(c).copied())
    }

    fn day(&self, date: NaiveDate) -> Option<u32> {
        self.dates.binary_search(&date).ok().map(|d| d as u32)
    }

    /// Whether a day of an area (`Some(code)`) or of the region (`None`) is suppressed: every
    /// line of it.
    pub fn is_day_suppressed(&self, area: Option<&AreaCode>, date: NaiveDate) -> bool {
        let Some(d) = self.day(date) else {
            return false;
        };
        match area {
            None => self.suppressed.contains(&Edge::RegionDay(d)),
            Some(_) => self
                .area(area)
                .is_some_and(|a| self.suppressed.contains(&Edge::Cell(a, d))),
        }
    }

    /// Whether the mean of an area (`Some(code)`) or of the region (`None`) is suppressed: its
    /// means, its table and its guest-nights per year by the plan's rule.
    pub fn is_mean_suppressed(&self, area: Option<&AreaCode>) -> bool {
        match area {
            None => self.suppressed.contains(&Edge::RegionMean),
            Some(_) => self
                .area(area)
                .is_some_and(|a| self.suppressed.contains(&Edge::Mean(a))),
        }
    }

    /// Whether the figures of an area (`Some(code)`) or the region (`None`) made from its days
    /// beyond the mean (calendar years, yearly figures, percentiles, busiest days, sums of
    /// negative days) are suppressed: when any of its days or its mean is. For the region,
    /// also when the figure is made from the areas' days (`from_areas`) and any area's is.
    pub fn is_aggregate_suppressed(&self, area: Option<&AreaCode>, from_areas: bool) -> bool {
        match area {
            Some(_) => self.area(area).is_some_and(|a| {
                self.areas_with_days.contains(&a) || self.suppressed.contains(&Edge::Mean(a))
            }),
            None => {
                self.region_days
                    || self.suppressed.contains(&Edge::RegionMean)
                    || (from_areas && self.any())
            }
        }
    }

    /// Yearly figures as published: an area's (or the region's) figures NaN (suppressed) when
    /// its aggregates are ([`Protection::is_aggregate_suppressed`]; the region's as the sum of
    /// its areas' when any area's is), its figure by the plan's rule when its mean is, the
    /// others rounded to the base.
    pub fn yearly(&self, yearly: &Yearly, rule: RegionRule) -> Yearly {
        let mut out = yearly.clone();
        let from_areas = rule == RegionRule::SumOfAreas;
        for area in out.areas.iter_mut().chain([&mut out.region]) {
            let hidden = self.is_aggregate_suppressed(area.code.as_ref(), from_areas);
            let show = |v: f64| if hidden { f64::NAN } else { self.rule.round(v) };
            area.guest_nights_per_year = area.guest_nights_per_year.map(show);
            // The plan's rule is the mean × 365, as published in the table.
            area.plan = if self.is_mean_suppressed(area.code.as_ref()) {
                f64::NAN
            } else {
                self.rule.round(area.plan)
            };
            for year in &mut area.years {
                year.counted = show(year.counted);
                year.filled = show(year.filled);
            }
            if hidden {
                area.model = None;
                area.filled_peaks.clear();
            }
        }
        out
    }

    /// The planners' view as published: an area's (or the region's) percentiles,
    /// dimensioning figure, typical year, mean residents, means and maxima per month and label
    /// NaN (suppressed, never 0), its days above the threshold `None`, its busiest days left
    /// out and [`AreaPopulation::suppressed`] set when its aggregates are
    /// ([`Protection::is_aggregate_suppressed`]: any of its days or its mean suppressed; the
    /// region's percentiles are of its own days); the others rounded to the base. The busiest
    /// days by day peak of night counts are left out.
    pub fn population(&self, population: &Population) -> Population {
        let mut out = population.clone();
        for area in out.areas.iter_mut().chain([&mut out.region]) {
            self.protect_population(area);
        }
        // The day peaks come from hourly counts the protection does not judge: left out.
        out.day_peaks.clear();
        out
    }

    fn protect_population(&self, area: &mut AreaPopulation) {
        let hidden = self.is_aggregate_suppressed(area.code.as_ref(), false);
        let show = |v: &mut f64| {
            *v = if hidden {
                f64::NAN
            } else {
                self.rule.round(*v)
            }
        };
        area.suppressed = hidden;
        show(&mut area.residents);
        show(&mut area.dimensioning);
        let p = &mut area.percentiles;
        for v in [&mut p.p50, &mut p.p90, &mut p.p95, &mut p.p99, &mut p.max] {
            show(v);
        }
        if let Some(year) = &mut area.typical_year {
            show(&mut year.dimensioning);
            let p = &mut year.percentiles;
            for v in [&mut p.p50, &mut p.p90, &mut p.p95, &mut p.p99, &mut p.max] {
                show(v);
            }
        }
        for group in area.by_month.iter_mut().chain(&mut area.by_label) {
            show(&mut group.mean);
            show(&mut group.max);
        }
        if hidden {
            area.days_above = None;
            area.peaks.clear();
        } else {
            // Every day of an area whose aggregates are published is published.
            for day in &mut area.peaks {
                *day = self.population_day(day.clone());
            }
        }
    }

    /// A day of the planners' view as published: its persons NaN (suppressed, never 0) and
    /// its ratio `None` when the day is suppressed ([`Protection::is_day_suppressed`]), else
    /// rounded to the base and the ratio of the rounded figures.
    pub fn population_day(&self, mut day: PopulationDay) -> PopulationDay {
        if self.is_day_suppressed(day.area.as_ref(), day.date) {
            day.present = f64::NAN;
            day.residents = f64::NAN;
            day.part_time = f64::NAN;
            day.ratio = None;
        } else {
            day.present = self.rule.round(day.present);
            day.residents = self.rule.round(day.residents);
            day.part_time = self.rule.round(day.part_time);
            day.ratio = ratio(day.present, day.residents);
        }
        day
    }

    /// Whether anything is suppressed.
    pub fn any(&self) -> bool {
        !self.suppressed.is_empty()
    }

    /// A figure of persons as published: rounded to the rule's base, or suppressed.
    pub fn publish(&self, value: f64, suppressed: bool) -> Published {
        if suppressed {
            Published::Suppressed
        } else {
            Published::Value(self.rule.round(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bridges;

    #[test]
    fn bridges_of_a_path_a_cycle_and_parallel_edges() {
        // 0-1-2 path: both bridges; 2-3-4-2 triangle: none; 4=5 parallel: none.
        let edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 2), (4, 5), (4, 5)];
        let mut adjacent = vec![Vec::new(); 6];
        for (e, &(u, v)) in edges.iter().enumerate() {
            adjacent[u].push((v, e));
            adjacent[v].push((u, e));
        }
        let mut found = bridges(&adjacent);
        found.sort_unstable();
        assert_eq!(found, vec![0, 1]);
    }
}
