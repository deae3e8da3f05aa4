"""The estimate as a user writes it by hand in DuckDB: one query, counts joined with the areas.

    python duckdb_handwritten.py --counts counts.csv --areas areas.csv --uplift 0.06 --output out.csv

`areas.csv` is the table the analyst has (area, name, residents, commuters, transit,
day_visitors; the area as text, so codes keep their leading zeros). Per area: the days with a
count, the mean count, and the mean part-time residents per day, count x (1 + uplift) minus the
four deductions. Nothing else: no checks of the dates, the codes or duplicate days, which
`deltid estimate` makes. DuckDB uses every core and its default memory limit.
"""

import argparse

import duckdb

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--counts", required=True, help="CSV or Parquet: date, area, count")
parser.add_argument("--areas", required=True, help="CSV: area, name, residents, commuters, transit, day_visitors")
parser.add_argument("--uplift", required=True, type=float)
parser.add_argument("--output", required=True, help="CSV to write")
args = parser.parse_args()

if args.counts.endswith(".parquet"):
    counts = f"read_parquet('{args.counts}')"
else:
    counts = f"read_csv('{args.counts}', types = {{'area': 'VARCHAR', 'count': 'DOUBLE'}})"

duckdb.sql("SET enable_progress_bar = false")
duckdb.sql(f"""
COPY (
    SELECT area,
           count(*) AS days,
           avg(count) AS mean_count,
           avg(count * (1 + {args.uplift}) - residents - commuters - transit - day_visitors) AS part_time
    FROM {counts} AS c
    JOIN read_csv('{args.areas}', types = {{'area': 'VARCHAR'}}) AS a USING (area)
    GROUP BY area
    ORDER BY area
) TO '{args.output}' (HEADER)
""")
