"""Type stubs of the extension module ``deltid._deltid`` (built from ``crates/python``).

Use the package :mod:`deltid` rather than this module: it returns polars DataFrames.
"""

import datetime
import os
import pathlib
from typing import Any

class DeltidError(Exception):
    """Bad input or an invalid option; the message is the library's.

    The attributes say where, when they apply (else ``None``)."""

    file: str | None
    """The file the error is in."""
    line: int | None
    """The line of a text file (1-based, the header is line 1)."""
    row: int | None
    """The row of a Parquet file or DataFrame (1-based, not counting a header)."""
    cell: str | None
    """The cell of a spreadsheet, as ``Sheet!B7``."""
    column: str | None
    """The column's name."""
    value: str | None
    """The offending value, as written (escaped and cut if long)."""

class Scenario:
    """A scenario: the region's areas, the uplift, the deductions and how they are shared out."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Reads and checks a scenario file (TOML); relative paths are taken from its folder.

        Raises :class:`DeltidError`."""

    @staticmethod
    def from_toml(text: str, path: str | os.PathLike[str] | None = None) -> Scenario:
        """A scenario from TOML text; ``path`` names it in errors and anchors relative paths."""

    @property
    def name(self) -> str:
        """The region's name."""

    @property
    def uplift(self) -> float:
        """The uplift, a fraction 0..1 (0.06 for 6 %)."""

    @property
    def path(self) -> pathlib.Path:
        """The scenario file."""

    @property
    def counts(self) -> pathlib.Path | None:
        """The counts file the scenario names, if any."""

    @property
    def areas(self) -> list[tuple[str, str]]:
        """The areas as (code, name), in the scenario's order."""

class Estimate:
    """A scenario's counts estimated and summarised, with the analyses added to it."""

    def json(self, daily: bool = False) -> str:
        """The JSON of ``deltid estimate --format json`` (with the daily rows if ``daily``)."""

    def daily_columns(self) -> dict[str, list[Any]]:
        """The daily rows as columns: ``date`` (datetime.date), ``area`` (None for the region),
        ``name``, the eight lines in persons, and ``overlap``."""

    def annualise(self, method: str = "plan", negative: str = "keep") -> None:
        """Adds yearly figures (``plan``, ``calendar`` or ``season-balanced``; negative days
        ``keep``, ``clamp-day`` or ``clamp-period``)."""

    def quantify_uncertainty(self, draws: int | None = None, seed: int | None = None) -> None:
        """Adds the region's intervals: ``draws`` seeded draws, each of the parameter ranges, a
        block-bootstrap resample of the days and of the fill's residuals together."""

    def population_json(
        self,
        top: int = 10,
        dimensioning: float = 0.95,
        percentile_method: str = "linear",
        above: float | None = None,
        above_residents: float | None = None,
        annualise: str | None = None,
    ) -> str:
        """The JSON of ``deltid population --format json`` (``annualise``: ``season-balanced``
        adds the typical year's percentiles)."""

def estimate(
    scenario: Scenario,
    counts: str | os.PathLike[str] | None = None,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    areas: list[str] | None = None,
    date_column: str | None = None,
    area_column: str | None = None,
    count_column: str | None = None,
    foreign_column: str | None = None,
    shape: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands_dot: bool = False,
    date_format: str | None = None,
) -> Estimate:
    """Estimates a scenario's counts (a file, or the scenario's own); raises DeltidError."""
