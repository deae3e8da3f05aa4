"""The estimate as a user writes it by hand in python-polars: one lazy query.

    python polars_lazy.py --counts counts.csv --areas areas.csv --uplift 0.06 --output out.csv

`areas.csv` is the table the analyst has (area, name, residents, commuters, transit,
day_visitors; the area read as a string, so codes keep their leading zeros). Per area: the days
with a count, the mean count, and the mean part-time residents per day, count x (1 + uplift)
minus the four deductions. Nothing else: no checks of the dates, the codes or duplicate days,
which `deltid estimate` makes. `.collect()` uses polars' default engine (`--engine` to choose
another) on every core.
"""

import argparse

import polars as pl

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--counts", required=True, help="CSV or Parquet: date, area, count")
parser.add_argument("--areas", required=True, help="CSV: area, name, residents, commuters, transit, day_visitors")
parser.add_argument("--uplift", required=True, type=float)
parser.add_argument("--output", required=True, help="CSV to write")
parser.add_argument("--engine", default="auto", help="polars engine for collect(): auto (default), in-memory, streaming")
args = parser.parse_args()

if args.counts.endswith(".parquet"):
    counts = pl.scan_parquet(args.counts)
else:
    counts = pl.scan_csv(args.counts, schema_overrides={"area": pl.String, "count": pl.Float64})
areas = pl.scan_csv(args.areas, schema_overrides={"area": pl.String})

(
    counts.join(areas, on="area")
    .with_columns(
        part_time=pl.col("count") * (1 + args.uplift)
        - pl.col("residents") - pl.col("commuters") - pl.col("transit") - pl.col("day_visitors")
    )
    .group_by("area")
    .agg(days=pl.len(), mean_count=pl.col("count").mean(), part_time=pl.col("part_time").mean())
    .sort("area")
    .collect(engine=args.engine)
    .write_csv(args.output)
)
