"""The Python package against the command line: the same inputs give the same numbers.

Run from the repository's root after `maturin develop` (see the README):
`python -m pytest crates/python/tests`. The CLI is `target/debug/deltid` (or `$DELTID_BIN`).
"""

import json
import os
import pathlib
import subprocess
import sys

import polars as pl
import pytest

import deltid

ROOT = pathlib.Path(__file__).resolve().parents[3]
PLAN = ROOT / "data/hallingdal/plan-2021.toml"
SSB = ROOT / "data/hallingdal/ssb-2020.toml"


def cli(*args: str) -> dict:
    """The CLI's JSON for the same arguments."""
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    binary = os.environ.get("DELTID_BIN", str(pathlib.Path(target) / "debug" / "deltid"))
    out = subprocess.run([binary, *args, "--format", "json"], check=True, capture_output=True)
    return same(json.loads(out.stdout))


def same(doc: dict) -> dict:
    """A JSON document without its run record (the command line and time differ by design)."""
    doc = dict(doc)
    doc.pop("run", None)
    return doc


def test_the_plans_table_to_the_person():
    result = deltid.estimate(PLAN)
    table = result.table()
    persons = dict(zip(table["line"], table["persons"]))
    # The Hallingdal plan's table (strategic plan 2021-2024, "gjestedøgn").
    assert persons == {
        "observed": 46_724,
        "uplift": 2_803,
        "residents": -20_000,
        "commuters": -1_000,
        "transit": -1_000,
        "day_visitors": -1_000,
        "guest_nights_per_day": 26_527,
        "guest_nights_per_year": 9_682_355,
    }


@pytest.mark.parametrize("scenario", [PLAN, SSB])
def test_summary_equals_the_cli_to_the_last_digit(scenario):
    ours = same(deltid.estimate(scenario).json())
    assert ours == cli("estimate", "--scenario", str(scenario))
    # The DataFrame holds the same numbers: the region's row is last.
    summary = deltid.estimate(scenario).summary
    region = ours["summary"]["region"]
    assert summary["area"][-1] is None
    assert summary["mean_part_time"][-1] == region["mean"]["part_time"]
    assert summary["days"].to_list() == [a["days"] for a in ours["summary"]["areas"]] + [547]


def test_selection_and_daily_rows_equal_the_cli():
    ours = deltid.estimate(PLAN, start="2020-01-01", end="2021-01-01", areas=["3041", "3044"])
    theirs = cli(
        "estimate", "--scenario", str(PLAN), "--from", "2020-01-01", "--to", "2021-01-01",
        "--area", "3041,3044", "--daily",
    )
    assert same(ours.json(daily=True)) == theirs
    daily = ours.daily()
    # 2 areas × 366 days of the leap year, then the region's 366 days.
    assert daily.height == 3 * 366
    rows = theirs["daily"]
    assert daily["part_time"].to_list() == [r["part_time"] for r in rows]
    assert daily["date"][0].isoformat() == "2020-01-01"


def test_population_and_yearly_equal_the_cli():
    result = deltid.estimate(PLAN)
    view = result.population(top=5)
    theirs = cli("population", "--scenario", str(PLAN), "--top", "5")
    assert same(view.raw) == theirs
    region = view.percentiles.filter(pl.col("area").is_null())
    assert region["p95"][0] == theirs["region"]["percentiles"]["p95"]
    # The busiest day of the shipped data is Easter Saturday 2020.
    peaks = view.peaks.filter(pl.col("area").is_null())
    assert peaks["date"][0].isoformat() == "2020-04-11"
    yearly = result.yearly("calendar")
    theirs = cli("estimate", "--scenario", str(PLAN), "--annualise", "calendar")
    assert result.json()["yearly"] == theirs["yearly"]
    assert yearly["plan"][-1] == theirs["yearly"]["region"]["plan"]


def test_a_dataframe_reads_as_the_same_counts_as_its_file():
    counts = ROOT / "data/hallingdal/counts.csv"
    frame = pl.read_csv(counts, schema_overrides={"area": pl.String, "date": pl.Date})
    from_file = same(deltid.estimate(PLAN, counts).json())
    from_frame = same(deltid.estimate(PLAN, frame).json())
    assert from_frame == from_file
    pandas = pytest.importorskip("pandas")
    assert same(deltid.estimate(PLAN, frame.to_pandas()).json()) == from_file
    assert isinstance(pandas.DataFrame(), pandas.DataFrame)


def test_errors_carry_file_place_column_and_value(tmp_path):
    bad = tmp_path / "counts.csv"
    bad.write_text("date,area,count\n2020-01-01,3039,100\n2020-01-02,3039,-5\n")
    with pytest.raises(deltid.DeltidError) as caught:
        deltid.estimate(PLAN, bad)
    error = caught.value
    assert (error.file, error.line, error.column, error.value) == (str(bad), 3, "count", "-5")
    frame = pl.DataFrame({"date": ["2020-01-01", "2020-01-02"], "area": ["3039", "9999"], "count": [1, 2]})
    with pytest.raises(deltid.DeltidError) as caught:
        deltid.estimate(PLAN, frame)
    assert (caught.value.row, caught.value.value) == (2, "9999")
    assert caught.value.file == "DataFrame" and str(caught.value).startswith("DataFrame")
    with pytest.raises(deltid.DeltidError, match="shape"):
        deltid.estimate(PLAN, shape="diagonal")


def test_scenario_from_toml_text():
    # Relative paths in the text (the counts) are taken from the folder of `path`.
    scenario = deltid.Scenario.from_toml(PLAN.read_text(), path=str(PLAN))
    assert scenario.uplift == 0.06
    assert [code for code, _ in scenario.areas] == ["3039", "3040", "3041", "3042", "3043", "3044"]
    assert deltid.estimate(scenario).table()["persons"][-1] == 9_682_355


def test_notebook_shows_the_plans_table():
    html = deltid.estimate(PLAN)._repr_html_()
    assert "<table>" in html and "26\u202f527" in html and "Hallingdal" in html


def test_the_example_notebook_runs_and_draws_its_chart(tmp_path):
    pytest.importorskip("matplotlib")
    chart = tmp_path / "present.png"
    script = ROOT / "crates/python/examples/hallingdal.py"
    out = subprocess.run(
        [sys.executable, str(script), str(chart)], check=True, capture_output=True, text=True
    )
    assert "9682355" in out.stdout.replace(" ", "").replace("_", "")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # It never replaces a file that is there.
    again = subprocess.run([sys.executable, str(script), str(chart)], capture_output=True, text=True)
    assert again.returncode != 0 and "exists" in again.stderr


def test_uncertainty_equals_the_cli_with_draws_as_resamples():
    # One set of draws for the parameters and the resamples: no separate resamples argument.
    ours = deltid.estimate(PLAN).uncertainty(draws=500, seed=3)
    theirs = cli(
        "estimate", "--scenario", str(PLAN), "--uncertainty", "--draws", "500", "--seed", "3"
    )
    assert ours == theirs["uncertainty"]
    assert ours["sampling"]["resamples"] == 500


def test_typical_year_percentiles_equal_the_cli():
    result = deltid.estimate(PLAN)
    view = result.population(top=3, annualise="season-balanced")
    theirs = cli(
        "population", "--scenario", str(PLAN), "--top", "3", "--annualise", "season-balanced"
    )
    assert same(view.raw) == theirs
    region = view.percentiles.filter(pl.col("area").is_null())
    typical = theirs["region"]["typical_year"]
    assert region["typical_year_p95"][0] == typical["percentiles"]["p95"]
    assert region["typical_year_dimensioning"][0] == typical["dimensioning"]
    with pytest.raises(deltid.DeltidError):
        result.population(annualise="plan")


PROTECTED = """name = "Test"
uplift = 0.1
[deductions]
commuters = 30
transit = 20
day_visitors = 10
[[area]]
code = "0101"
name = "A"
residents = 100
[[area]]
code = "0102"
name = "B"
residents = 200
[[area]]
code = "0103"
name = "C"
residents = 50
[disclosure]
min_count = 5
rounding = 5
"""

PROTECTED_COUNTS = """date,area,count
2024-01-01,0101,150
2024-01-01,0102,300
2024-01-01,0103,3
2024-01-02,0101,160
2024-01-02,0102,310
2024-01-02,0103,90
"""


def test_small_count_protection_holds_in_every_view(tmp_path):
    # Regression: daily() gave the raw daily figures (C's count of 3) that the command line
    # suppresses; table(), repr() and the notebook view raised TypeError on a suppressed
    # figure; uncertainty() raised KeyError.
    scenario, counts = tmp_path / "s.toml", tmp_path / "c.csv"
    scenario.write_text(PROTECTED)
    counts.write_text(PROTECTED_COUNTS)
    result = deltid.estimate(scenario, counts)
    theirs = cli("estimate", "--scenario", str(scenario), "--counts", str(counts), "--daily")
    assert same(result.json(daily=True)) == theirs
    daily = result.daily()
    rows = theirs["daily"]
    for line in deltid.LINES:
        assert daily[line].to_list() == [r[line] for r in rows], line
    assert daily["suppressed"].to_list() == [r["suppressed"] for r in rows]
    assert daily.filter(pl.col("suppressed")).height > 0
    assert all(v is None for v in daily.filter(pl.col("suppressed"))["observed"])
    # A suppressed figure shows as ":", as on the command line.
    suppressed = [a for a in theirs["summary"]["areas"] if a["table"]["lines"][-1]["rounded"] is None]
    assert suppressed, theirs["summary"]["areas"]
    table = result.table(suppressed[0]["code"])
    assert table["persons"][-1] is None and table["exact"][-1] is None
    repr(result)
    result._repr_html_()
    with pytest.raises(deltid.DeltidError, match="small-count protection"):
        result.uncertainty(draws=100)


def test_clamped_yearly_figures_and_intervals_are_refused_together():
    # Regression: the intervals are of the figures with negative days as they are; beside
    # clamped yearly figures they did not contain the figure published. Either order.
    result = deltid.estimate(PLAN)
    result.yearly("season-balanced", "clamp-day")
    with pytest.raises(deltid.DeltidError, match="negative days clamped"):
        result.uncertainty(draws=100)
    result = deltid.estimate(PLAN)
    result.uncertainty(draws=100)
    with pytest.raises(deltid.DeltidError, match="negative days clamped"):
        result.yearly("season-balanced", "clamp-day")


def test_a_dot_between_thousands_needs_a_decimal_comma(tmp_path):
    counts = tmp_path / "c.csv"
    counts.write_text("date,area,count\n2020-01-01,3039,1.234\n")
    with pytest.raises(deltid.DeltidError, match="thousands_dot"):
        deltid.estimate(PLAN, counts, thousands_dot=True, decimal="point")


def test_arguments_out_of_range_are_deltid_errors_and_lazy_frames_read():
    # Regression: a negative top, draws or seed gave OverflowError, top=0 was taken, a
    # LazyFrame was refused as "expected pandas DataFrame", decimal="auto" was refused.
    result = deltid.estimate(PLAN)
    for top in (0, -1):
        with pytest.raises(deltid.DeltidError, match="top"):
            result.population(top=top)
    with pytest.raises(deltid.DeltidError, match="draws"):
        result.uncertainty(draws=-5)
    with pytest.raises(deltid.DeltidError, match="seed"):
        result.uncertainty(draws=100, seed=-1)
    frame = pl.DataFrame({"date": ["2020-01-01", "2020-01-02"], "area": ["3039", "3039"], "count": [100, 200]})
    lazy = deltid.estimate(PLAN, frame.lazy(), decimal="auto")
    assert lazy.summary["mean_observed"][0] == deltid.estimate(PLAN, frame).summary["mean_observed"][0] == 150.0
