"""deltid in Python: guest-nights and present population from daily telecom counts.

The method is the Hallingdal regional plan's (strategic plan 2021-2024, table "gjestedøgn"):
telecom counts per area and day, plus an uplift for people the data misses, minus registered
residents, commuters, transit traffic and day visitors. Every number comes from the deltid
library (the same as the command-line tool's, to the last digit); this package returns them as
polars DataFrames (``.to_pandas()`` for pandas) and plain Python values.

Units: persons (per day) for the daily lines and means, nights for guest-nights per year,
fractions 0..1 for the uplift, shares and percentiles' levels.

Example::

    import deltid
    result = deltid.estimate("data/hallingdal/plan-2021.toml")
    result.table()             # the plan's table for the region: 26 527 guest-nights a day
    result.summary             # one row per area and the region
    result.population().peaks  # the busiest days
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import json as _json
import os as _os
import tempfile as _tempfile
from dataclasses import dataclass as _dataclass
from typing import Any

import polars as pl

from deltid._deltid import DeltidError, Scenario
from deltid._deltid import Estimate as _Estimate
from deltid._deltid import estimate as _estimate

__all__ = ["DeltidError", "Scenario", "Result", "Population", "estimate"]

LINES = [
    "observed",
    "uplift",
    "present",
    "residents",
    "commuters",
    "transit",
    "day_visitors",
    "part_time",
]
"""The eight daily lines, in the plan's order, persons per day."""


def _is_frame(counts: Any) -> bool:
    module = type(counts).__module__
    return module.startswith("polars") or module.startswith("pandas")


def estimate(
    scenario: str | _os.PathLike | Scenario,
    counts: str | _os.PathLike | pl.DataFrame | Any | None = None,
    *,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
    areas: list[str] | None = None,
    **options: Any,
) -> Result:
    """Estimates a scenario's counts.

    ``scenario`` is a scenario file (TOML) or a :class:`Scenario`. ``counts`` is a counts file
    deltid reads (CSV in any common dialect, ``.xlsx``/``.xls``/``.ods``, Parquet), a polars or
    pandas DataFrame with the same columns (``date``, ``area``, ``count`` by default; read by
    the same rules as a file), or ``None`` for the scenario's own counts file.

    ``start`` (included) and ``end`` (excluded) select days; ``areas`` selects areas by code.
    Other keyword arguments are the command line's reading options: ``date_column``,
    ``area_column``, ``count_column``, ``foreign_column``, ``shape`` (``auto``, ``long``,
    ``wide``), ``sheet``, ``delimiter``, ``encoding``, ``decimal`` (``auto``, ``point``, ``comma``),
    ``thousands_dot``, ``date_format`` (``auto``, ``excel`` or a chrono pattern).

    Raises :class:`DeltidError` for bad input, with ``file``, ``line``/``row``/``cell``,
    ``column`` and ``value`` attributes where they apply.
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario(_os.fspath(scenario))
    start, end = _date(start), _date(end)
    if counts is not None and _is_frame(counts):
        if isinstance(counts, pl.LazyFrame):
            counts = counts.collect()
        frame = counts if isinstance(counts, pl.DataFrame) else pl.from_pandas(counts)
        # Written as Parquet and read by deltid's reader, so a DataFrame's cells are read by
        # exactly the rules of a file's; errors name the row of the DataFrame (1-based).
        with _tempfile.TemporaryDirectory(prefix="deltid-") as folder:
            path = _os.path.join(folder, "dataframe.parquet")
            frame.write_parquet(path)
            try:
                inner = _estimate(scenario, path, start=start, end=end, areas=areas, **options)
            except DeltidError as error:
                # Named as the DataFrame it is, not the temporary file.
                if error.file == path:
                    error.file = "DataFrame"
                error.args = tuple(str(a).replace(path, "DataFrame") for a in error.args)
                raise
    else:
        file = None if counts is None else _os.fspath(counts)  # type: ignore[arg-type]
        inner = _estimate(scenario, file, start=start, end=end, areas=areas, **options)
    return Result(inner, scenario)


def _date(value: _dt.date | str | None) -> _dt.date | None:
    if isinstance(value, str):
        return _dt.date.fromisoformat(value)
    return value


@_dataclass(frozen=True)
class Population:
    """The emergency planners' view (``deltid population``): per area and for the region,
    percentiles of present population per day (persons), the dimensioning population, days
    above a threshold, and the busiest days with their calendar labels."""

    percentiles: pl.DataFrame
    """One row per area and the region: p50, p90, p95, p99, max, dimensioning, days above (and
    ``typical_year_p50`` ... ``typical_year_dimensioning`` with ``annualise``)."""
    peaks: pl.DataFrame
    """The busiest days of each area and the region, in order of present population."""
    method: str
    """How percentiles are taken (linear interpolation or nearest rank), in words."""
    raw: dict
    """The JSON of ``deltid population --format json``, parsed."""


class Result:
    """A scenario's counts estimated and summarised (``deltid estimate``).

    ``summary`` is one row per area and the region; :meth:`table` the plan's table;
    :meth:`daily` the daily rows; :meth:`population`, :meth:`yearly` and
    :meth:`uncertainty` the analyses. ``json()`` is exactly the command line's JSON.
    """

    def __init__(self, inner: _Estimate, scenario: Scenario) -> None:
        self._inner = inner
        self.scenario = scenario
        self._json: dict | None = None

    def json(self, daily: bool = False) -> dict:
        """The JSON of ``deltid estimate --format json`` (with ``--daily`` if asked), parsed."""
        if daily:
            return _json.loads(self._inner.json(True))
        if self._json is None:
            self._json = _json.loads(self._inner.json(False))
        return self._json

    @property
    def summary(self) -> pl.DataFrame:
        """One row per selected area, then the region (``area`` null): days counted, first
        and last day, missing and negative days, the mean of each line per day (persons) and
        guest-nights per year by the plan's rule (mean × 365, nights)."""
        summary = self.json()["summary"]
        rows = []
        for area in [*summary["areas"], summary["region"]]:
            row = {
                "area": area["code"],
                "name": area["name"],
                "days": area["days"],
                "first": _iso(area["first"]),
                "last": _iso(area["last"]),
                "missing_days": area["missing_days"],
                "negative_days": area["negative_days"],
            }
            row.update({f"mean_{line}": area["mean"][line] for line in LINES})
            row["guest_nights_per_year_plan"] = area["guest_nights_per_year_plan"]
            rows.append(row)
        return pl.DataFrame(rows, schema_overrides={"area": pl.String}, infer_schema_length=None)

    def table(self, area: str | None = None) -> pl.DataFrame:
        """The plan's table for the region (or the area with code ``area``): each line's label,
        whole persons by the plan's rounding (each line rounded, the next from the rounded
        ones; the last line nights per year) and the unrounded value."""
        summary = self.json()["summary"]
        if area is None:
            chosen = summary["region"]
        else:
            found = [a for a in summary["areas"] if a["code"] == area]
            if not found:
                raise DeltidError(f"no area {area!r} in the summary")
            chosen = found[0]
        lines = chosen["table"]["lines"]
        return pl.DataFrame(
            {
                "line": [_row_name(line["row"]) for line in lines],
                "label": [line["label"] for line in lines],
                "persons": [line["rounded"] for line in lines],
                # Suppressed under small-count protection: None, never 0.
                "exact": [None if line["exact"] is None else float(line["exact"]) for line in lines],
            },
            schema_overrides={"exact": pl.Float64},
        )

    def daily(self) -> pl.DataFrame:
        """The daily rows: each selected area's days, then the region's (``area`` null); the
        eight lines in persons; ``overlap`` for a region with its own count."""
        columns = self._inner.daily_columns()
        types = {"area": pl.String, "overlap": pl.Float64, **{line: pl.Float64 for line in LINES}}
        return pl.DataFrame(columns, schema_overrides=types)

    def population(
        self,
        top: int = 10,
        dimensioning: float = 0.95,
        percentile_method: str = "linear",
        above: float | None = None,
        above_residents: float | None = None,
        annualise: str | None = None,
    ) -> Population:
        """The emergency planners' view: percentiles and the ``top`` busiest days of present
        population; ``dimensioning`` a fraction (0.95 for P95); ``percentile_method``
        ``linear`` (Excel's PERCENTILE.INC) or ``nearest-rank``; days above ``above`` persons
        or ``above_residents`` times the registered residents; with ``annualise``
        ``season-balanced`` also the percentiles of a season-balanced typical year (columns
        ``typical_year_p50`` ... ``typical_year_dimensioning``)."""
        if not isinstance(top, int) or top < 1:
            raise DeltidError(f"top must be a whole number of days, at least 1, not {top!r}")
        raw = _json.loads(
            self._inner.population_json(
                top, dimensioning, percentile_method, above, above_residents, annualise
            )
        )
        groups = [*raw["areas"], raw["region"]]

        def typical(g: dict) -> dict:
            year = g.get("typical_year")
            if year is None:
                return {}
            return {
                **{f"typical_year_{k}": v for k, v in year["percentiles"].items()},
                "typical_year_dimensioning": year["dimensioning"],
            }

        percentiles = pl.DataFrame(
            [
                {
                    "area": g["code"],
                    "name": g["name"],
                    "days": g["days"],
                    **g["percentiles"],
                    "dimensioning": g["dimensioning"],
                    "days_above": g["days_above"],
                    **typical(g),
                }
                for g in groups
            ],
            schema_overrides={"area": pl.String, "days_above": pl.Int64},
            infer_schema_length=None,
        )
        peaks = pl.DataFrame(
            [{**p, "date": _iso(p["date"])} for g in groups for p in g["peaks"]],
            schema_overrides={"area": pl.String},
            infer_schema_length=None,
        )
        return Population(percentiles, peaks, raw["method"], raw)

    def yearly(self, method: str = "plan", negative: str = "keep") -> pl.DataFrame:
        """Guest-nights per year (nights) per area and the region by ``method`` (``plan``,
        ``calendar`` or ``season-balanced``), negative days by ``negative`` (``keep``,
        ``clamp-day``, ``clamp-period``), beside the plan's rule and the share of days
        filled."""
        self._inner.annualise(method, negative)
        self._json = None
        yearly = self.json()["yearly"]
        return pl.DataFrame(
            [
                {
                    "area": g["code"],
                    "name": g["name"],
                    "guest_nights_per_year": g["guest_nights_per_year"],
                    "plan": g["plan"],
                    "filled_share": g["filled_share"],
                }
                for g in [*yearly["areas"], yearly["region"]]
            ],
            schema_overrides={"area": pl.String, "guest_nights_per_year": pl.Float64},
            infer_schema_length=None,
        )

    def uncertainty(self, draws: int | None = None, seed: int | None = None) -> dict:
        """Intervals of the region's guest-nights (the JSON ``uncertainty`` object of
        ``deltid estimate --uncertainty``): ``draws`` seeded draws, each of the scenario's
        parameter ranges, a moving-block bootstrap resample of the days and a resample of the
        season-balanced fill's residuals together; the parts and the combined interval."""
        for name, value in (("draws", draws), ("seed", seed)):
            if value is not None and (not isinstance(value, int) or value < (1 if name == "draws" else 0)):
                raise DeltidError(f"{name} must be a whole number{' above 0' if name == 'draws' else ', 0 or more'}, not {value!r}")
        self._inner.quantify_uncertainty(draws, seed)
        self._json = None
        uncertainty = self.json().get("uncertainty")
        if uncertainty is None:
            # As the command line: the intervals are not published under small-count
            # protection.
            raise DeltidError(
                "no intervals are published under small-count protection (the notes say why)"
            )
        return uncertainty

    def _repr_html_(self) -> str:
        table = self.table()
        name = _html.escape(self.json()["summary"]["region_name"])
        rows = "".join(
            f"<tr><td>{_html.escape(label)}</td><td style='text-align:right'>"
            f"{_shown(persons)}</td></tr>"
            for label, persons in zip(table["label"], table["persons"])
        )
        return (
            f"<table><caption>{name}: guest-nights from telecom counts</caption>"
            f"<tr><th>line</th><th>persons</th></tr>{rows}</table>"
        )

    def __repr__(self) -> str:
        summary = self.json()["summary"]
        per_year = summary["region"]["table"]["lines"][-1]["rounded"]
        return (
            f"<deltid Result {summary['region_name']!r}: {summary['days']} days, "
            f"{len(summary['areas'])} areas, {_shown(per_year)} guest-nights per year>"
        )


def _shown(persons: int | None) -> str:
    """Whole persons as the command line shows them: thin spaces between thousands, and ``:``
    for a figure suppressed under small-count protection."""
    return ":" if persons is None else f"{persons:,}".replace(",", "\u202f")


def _iso(value: str | None) -> _dt.date | None:
    return None if value is None else _dt.date.fromisoformat(value)


def _row_name(row: Any) -> str:
    if isinstance(row, dict):
        return next(iter(row.values()))
    return str(row)
