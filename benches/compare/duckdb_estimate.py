"""Runs a deltid SQL query in DuckDB over a counts file and writes its result as CSV.

    deltid sql --scenario deltid.toml --dialect duckdb > query.sql
    python duckdb_estimate.py --sql query.sql --counts counts.csv --output duckdb.csv

The query reads a table `counts(date DATE, area TEXT, count DOUBLE)`. Here `counts` is a view
over read_csv or read_parquet, so DuckDB streams the file instead of loading it first, and the
result is written with COPY. DuckDB uses all cores and its default memory limit.
"""

import argparse

import duckdb


def view(counts):
    """A SELECT over the counts file with the column types the query expects."""
    path = counts.replace("'", "''")
    if counts.endswith((".parquet", ".pq")):
        source = f"read_parquet('{path}')"
    else:
        source = (
            f"read_csv('{path}', header = true, "
            "columns = {'date': 'DATE', 'area': 'VARCHAR', 'count': 'DOUBLE'})"
        )
    return (
        "SELECT CAST(date AS DATE) AS date, CAST(area AS VARCHAR) AS area, "
        f"CAST(count AS DOUBLE) AS count FROM {source}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sql", required=True, help="file with the query")
    parser.add_argument("--counts", required=True, help="CSV or Parquet counts")
    parser.add_argument("--output", required=True, help="CSV to write")
    parser.add_argument("--table", default="counts", help="the table name the query reads")
    args = parser.parse_args()
    with open(args.sql, encoding="utf-8") as f:
        query = f.read().strip().rstrip(";")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f'CREATE VIEW "{args.table}" AS {view(args.counts)}')
    out = args.output.replace("'", "''")
    con.execute(f"COPY ({query}) TO '{out}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()
