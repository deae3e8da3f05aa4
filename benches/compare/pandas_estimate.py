"""The deltid model in plain pandas: per-area means of observed, present and part-time persons.

    python pandas_estimate.py --scenario scenario.toml --counts counts.csv --output pandas.csv

Reads the counts (CSV `date,area,count`, or Parquet with those columns) and a scenario that
gives its uplift and every deduction per area as numbers (as `deltid synth --scenario` writes),
then does what an analyst would do in pandas: join each count with its area's figures, compute
present = observed x (1 + uplift) and part_time = present - residents - commuters - transit -
day_visitors per day, and average per area. Writes one row per area (scenario order):
area, name, days, first, last, observed, present, residents, commuters, transit, day_visitors,
part_time (means per day), guest_nights_per_year_plan (part_time x 365).

Other scenario shapes (region-level deductions, tables by date, scaling layers) are refused:
this is a benchmark's reference, not a second implementation of deltid.
"""

import argparse
import sys
import tomllib

import pandas as pd

DEDUCTIONS = ["residents", "commuters", "transit", "day_visitors"]


def areas_table(path):
    """The scenario's uplift and a DataFrame of its areas with their per-area deductions."""
    with open(path, "rb") as f:
        scenario = tomllib.load(f)
    unsupported = [k for k in ("deductions", "scaling", "region_code") if k in scenario]
    if unsupported:
        sys.exit(f"{path}: {', '.join(unsupported)} not supported here; give deductions per area")
    uplift = scenario["uplift"]
    if not isinstance(uplift, (int, float)):
        sys.exit(f"{path}: uplift must be a number")
    rows = []
    for area in scenario["area"]:
        missing = [d for d in DEDUCTIONS if not isinstance(area.get(d), (int, float))]
        if missing:
            sys.exit(f"{path}: area {area['code']} lacks {', '.join(missing)} as numbers")
        rows.append({"area": area["code"], "name": area["name"], **{d: float(area[d]) for d in DEDUCTIONS}})
    return float(uplift), pd.DataFrame(rows)


def read_counts(path):
    """The counts with `date` as datetime, `area` as string (leading zeros kept), `count` float."""
    if path.endswith((".parquet", ".pq")):
        counts = pd.read_parquet(path, columns=["date", "area", "count"])
        counts["date"] = pd.to_datetime(counts["date"])
        counts["area"] = counts["area"].astype(str)
    else:
        counts = pd.read_csv(
            path,
            usecols=["date", "area", "count"],
            dtype={"area": str, "count": "float64"},
            parse_dates=["date"],
            date_format="%Y-%m-%d",
        )
    counts["count"] = counts["count"].astype("float64")
    return counts


def estimate(uplift, areas, counts):
    """One row per area of the scenario that has counts, in the scenario's order."""
    unknown = set(counts["area"].unique()) - set(areas["area"])
    if unknown:
        sys.exit(f"counts for areas not in the scenario: {sorted(unknown)[:5]}")
    daily = counts.merge(areas, on="area", how="inner", validate="many_to_one")
    daily["present"] = daily["count"] * (1.0 + uplift)
    daily["part_time"] = daily["present"] - daily[DEDUCTIONS].sum(axis=1)
    per_area = daily.groupby("area", sort=False).agg(
        days=("date", "nunique"),
        first=("date", "min"),
        last=("date", "max"),
        observed=("count", "mean"),
        present=("present", "mean"),
        **{d: (d, "mean") for d in DEDUCTIONS},
        part_time=("part_time", "mean"),
    )
    per_area["guest_nights_per_year_plan"] = per_area["part_time"] * 365.0
    result = areas[["area", "name"]].merge(per_area.reset_index(), on="area", how="inner")
    result["first"] = result["first"].dt.strftime("%Y-%m-%d")
    result["last"] = result["last"].dt.strftime("%Y-%m-%d")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--counts", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    uplift, areas = areas_table(args.scenario)
    result = estimate(uplift, areas, read_counts(args.counts))
    result.to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
