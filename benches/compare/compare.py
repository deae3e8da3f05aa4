"""deltid against DuckDB and pandas on the same synthetic counts: same answer, time, memory.

    python benches/compare/compare.py                 # 1 000 areas x 1 000 days (1 M rows)
    python benches/compare/compare.py --rows 10M      # 10 000 areas x 1 000 days

For the chosen size it
1. builds deltid (`cargo build --release`, honouring CARGO_TARGET_DIR) unless --deltid names a
   binary;
2. generates the counts and a matching scenario with `deltid synth ... --scenario` (CSV), and
   converts the CSV to Parquet with DuckDB, under benches/compare/data/ (gitignored; kept for
   the next run of the same size and seed);
3. runs, each as a separate process, on the CSV and on the Parquet file:
   - `deltid estimate --scenario ... --counts ... --format csv` (with --stream when deltid has
     it, and also without it: the default reader);
   - the query of `deltid sql --scenario ... --dialect duckdb` in DuckDB (duckdb_estimate.py,
     a view over read_csv/read_parquet);
   - plain pandas (pandas_estimate.py);
4. checks that all of them give the same mean part-time residents per day for every area
   (relative difference at most 1e-6; also the days and the mean observed count);
5. prints wall time, CPU time and peak memory (maximum resident set size of the process, from
   wait4) of each, with the ratios deltid/DuckDB and deltid/pandas, and records them in
   benches/compare/results.json, from which benches/compare-results.md is written (one
   section per size, with the machine and the versions).

Times are the best of --repeat runs (default 1), each after the input file has been read once,
so every tool starts with the file in the page cache; peak memory is the largest of the runs.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = HERE / "data"
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = REPO / "benches" / "compare-results.md"
NOTES = HERE / "notes.md"  # observations, appended to the results as they are
PYTHON = sys.executable
TIME = "/usr/bin/time"  # GNU time (Debian: apt-get install time)

# Mean persons present per area and day (the Hallingdal plan's 46 724 over 6 areas is 7 787).
MEAN_PER_AREA = 7_800
SIZES = {"1M": (1_000, 1_000), "10M": (10_000, 1_000), "100M": (100_000, 1_000)}
TOLERANCE = 1e-6


def size_of(text):
    """`1M`, `10M`, `100M` or `<areas>x<days>`, as (label, areas, days)."""
    if text in SIZES:
        return (text, *SIZES[text])
    m = re.fullmatch(r"(\d+)x(\d+)", text)
    if not m:
        raise argparse.ArgumentTypeError(f"expected 1M, 10M, 100M or AREASxDAYS, got {text!r}")
    areas, days = int(m[1]), int(m[2])
    return (f"{areas}x{days}", areas, days)


def run(cmd, **kw):
    """Runs a command, stopping the comparison with its output if it fails."""
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(map(str, cmd))}\n{done.stderr}")
    return done.stdout


def measure(cmd, log):
    """Runs `cmd` as a child of GNU time: (wall s, CPU s, peak RSS MiB, peak anonymous MiB, exit).

    The child is started by /usr/bin/time, not forked from this Python process: on Linux a
    forked child's maximum RSS starts at its parent's (about 120 MiB here, with DuckDB loaded),
    which would hide the small ones. Peak RSS (from GNU time) counts file pages the process maps,
    such as a memory-mapped input file; its anonymous memory (heap) is sampled from /proc every
    20 ms beside it, so a shorter peak can be missed.
    """
    stats = Path(str(log) + ".time")
    anon, pid = 0, None
    with open(log, "w") as err:
        start = time.perf_counter()
        timer = subprocess.Popen([TIME, "-f", "%M %U %S %x", "-o", stats, *cmd],
                                 stdout=subprocess.DEVNULL, stderr=err)
        while timer.poll() is None:
            try:
                if pid is None:
                    kids = Path(f"/proc/{timer.pid}/task/{timer.pid}/children").read_text().split()
                    pid = kids[0] if kids else None
                if pid is not None:
                    status = Path(f"/proc/{pid}/status").read_text()
                    found = re.search(r"RssAnon:\s+(\d+) kB", status)
                    anon = max(anon, int(found[1]) if found else 0)
            except OSError:
                pass
            time.sleep(0.02)
        wall = time.perf_counter() - start
    fields = stats.read_text().split()[-4:]
    rss_kib, user, system = int(fields[0]), float(fields[1]), float(fields[2])
    return wall, user + system, rss_kib / 1024, anon / 1024, timer.returncode


def warm(path):
    """Reads a file once so that every tool finds it in the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def build():
    """Builds the release binary and returns its path (in CARGO_TARGET_DIR if set)."""
    print("building deltid (cargo build --release) ...", flush=True)
    if subprocess.run(["cargo", "build", "--release", "--bin", "deltid"], cwd=REPO).returncode != 0:
        sys.exit("cargo build --release failed (see above); --deltid PATH uses a binary you have")
    meta = json.loads(run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=REPO))
    return Path(meta["target_directory"]) / "release" / "deltid"


def generate(deltid, areas, days, seed, regenerate):
    """The counts (CSV and Parquet) and scenario for a size; (folder, synth measurement)."""
    folder = DATA / f"{areas}x{days}-seed{seed}"
    csv, scenario, parquet = folder / "counts.csv", folder / "scenario.toml", folder / "counts.parquet"
    synth = None
    if regenerate or not (csv.exists() and scenario.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        need = areas * days * 26 * 2  # CSV and Parquet, with room to spare
        free = shutil.disk_usage(folder).free
        if free < need:
            sys.exit(f"{folder}: {free / 2**30:.1f} GiB free, about {need / 2**30:.1f} GiB needed")
        cmd = [deltid, "synth", "--areas", str(areas), "--days", str(days), "--seed", str(seed),
               "--mean", str(areas * MEAN_PER_AREA), "--output", csv, "--scenario", scenario, "--force"]
        print(f"generating {areas} x {days} = {areas * days:,} rows ...", flush=True)
        wall, cpu, rss, _, rc = measure(cmd, folder / "synth.log")
        if rc != 0:
            sys.exit(f"deltid synth failed: {(folder / 'synth.log').read_text()}")
        synth = {"wall": wall, "cpu": cpu, "rss": rss}
        if parquet.exists():
            parquet.unlink()
    if not parquet.exists():
        print("converting to Parquet (DuckDB) ...", flush=True)
        tmp = parquet.with_suffix(".parquet.tmp")
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_csv('{csv}', header = true, columns = "
            "{'date': 'DATE', 'area': 'VARCHAR', 'count': 'DOUBLE'})) "
            f"TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)"
        )
        tmp.rename(parquet)
    return folder, synth


def deltid_help(deltid, *command):
    return subprocess.run([deltid, *command, "--help"], capture_output=True, text=True).stdout


def read_rows(path, area, part_time, days, observed):
    """{area: (part_time, days, observed)} from a result CSV, without the region's row."""
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        return {
            r[area]: (float(r[part_time]), int(float(r[days])), float(r[observed]))
            for r in csv.DictReader(f)
            if r[area]
        }


def relative(a, b):
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def agreement(results, expected_areas):
    """Pairwise largest relative differences, and whether all are within TOLERANCE."""
    names = list(results)
    pairs, ok, problems = {}, True, []
    for name, rows in results.items():
        if len(rows) != expected_areas:
            ok = False
            problems.append(f"{name}: {len(rows)} areas, expected {expected_areas}")
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ra, rb = results[a], results[b]
            if set(ra) != set(rb):
                ok = False
                problems.append(f"{a} and {b} differ in areas: {sorted(set(ra) ^ set(rb))[:5]}")
                continue
            part = max(relative(ra[k][0], rb[k][0]) for k in ra)
            obs = max(relative(ra[k][2], rb[k][2]) for k in ra)
            days = sum(ra[k][1] != rb[k][1] for k in ra)
            pairs[f"{a} vs {b}"] = {"part_time": part, "observed": obs, "days_differ": days}
            if part > TOLERANCE or obs > TOLERANCE or days:
                ok = False
                problems.append(f"{a} vs {b}: part_time {part:.2e}, observed {obs:.2e}, {days} areas' days differ")
    return {"ok": ok, "pairs": pairs, "problems": problems}


def machine(deltid):
    """The machine and the versions, for the results."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        memory = f"{int(mem.split()[1]) / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    try:
        family = re.search(r"CPU family:\s*(\S+)", run(["lscpu"])).group(1)
        cpu += f" (family {family})"
    except (SystemExit, AttributeError, FileNotFoundError):
        pass
    os_name = platform.platform()
    try:
        release = dict(
            l.split("=", 1) for l in Path("/etc/os-release").read_text().splitlines() if "=" in l
        )
        os_name = f"{release['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
    except (OSError, KeyError):
        pass
    import pandas
    import pyarrow

    commit = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": os_name,
        "deltid": f"{run([deltid, '--version']).strip()} ({'release build' if '/release/' in deltid else deltid}, "
                  f"commit {commit or '?'}), {rustc}",
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
    }


def compare(args):
    label, areas, days = args.rows
    deltid = args.deltid or build()
    deltid = str(Path(deltid).resolve())
    folder, synth = generate(deltid, areas, days, args.seed, args.regenerate)
    scenario = folder / "scenario.toml"
    if args.sql:
        query = Path(args.sql)
    else:
        query = folder / "query.sql"
        query.write_text(run([deltid, "sql", "--scenario", scenario, "--dialect", "duckdb"]))
    streams = "--stream" in deltid_help(deltid, "estimate")
    modes = ["stream", "default"] if streams else ["default"]
    if args.deltid_modes:
        modes = [m for m in args.deltid_modes.split(",") if m in ("stream", "default")]

    out = folder / "out"
    out.mkdir(exist_ok=True)
    files = {"csv": folder / "counts.csv", "parquet": folder / "counts.parquet"}
    entry = {
        "size": label, "areas": areas, "days": days, "rows": areas * days, "seed": args.seed,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tools": args.tools, "load": os.getloadavg()[0], "repeat": args.repeat, "machine": machine(deltid), "synth": synth,
        "file_mib": {f: p.stat().st_size / 2**20 for f, p in files.items()},
        "formats": {},
        "baseline": {
            what: measure([PYTHON, "-c", f"import {what}"], out / f"baseline-{what.split(',')[0]}.log")[2]
            for what in ("duckdb", "pandas, pyarrow")
        },
    }
    for fmt in args.formats.split(","):
        counts = files[fmt]
        tools = {}
        for mode in modes if "deltid" in args.tools else []:
            name = "deltid --stream" if mode == "stream" else "deltid"
            cmd = [deltid, "estimate", "--scenario", scenario, "--counts", counts, "--format", "csv",
                   "--output", out / f"{fmt}-{mode}.csv", "--force"]
            tools[name] = (cmd + (["--stream"] if mode == "stream" else []), out / f"{fmt}-{mode}.csv",
                           ("area", "mean_part_time", "days", "mean_observed"))
        if "duckdb" in args.tools:
            tools["DuckDB"] = ([PYTHON, HERE / "duckdb_estimate.py", "--sql", query, "--counts", counts,
                                "--output", out / f"{fmt}-duckdb.csv"], out / f"{fmt}-duckdb.csv",
                               ("area", "part_time", "days", "observed"))
        if "pandas" in args.tools:
            tools["pandas"] = ([PYTHON, HERE / "pandas_estimate.py", "--scenario", scenario, "--counts",
                                counts, "--output", out / f"{fmt}-pandas.csv"], out / f"{fmt}-pandas.csv",
                               ("area", "part_time", "days", "observed"))
        warm(counts)
        runs, answers = {}, {}
        for name, (cmd, result, columns) in tools.items():
            best = None
            for i in range(args.repeat):
                if result.exists():
                    result.unlink()
                log = out / f"{fmt}-{name.replace(' ', '').replace('-', '')}.log"
                wall, cpu, rss, anon, rc = measure([str(c) for c in cmd], log)
                print(f"  {fmt:8} {name:16} run {i + 1}: {wall:8.2f} s  {cpu:8.2f} s CPU  {rss:8.0f} MiB"
                      f" ({anon:.0f} MiB anonymous)"
                      + ("" if rc == 0 else f"  FAILED ({rc}): {log.read_text().strip()[-300:]}"), flush=True)
                if rc != 0:
                    best = {"failed": rc, "error": log.read_text().strip()[-300:], "rss": rss, "anon": anon, "wall": wall}
                    break
                if best is None or wall < best["wall"]:
                    best = {**(best or {}), "wall": wall, "cpu": cpu}
                best["rss"] = max(best.get("rss", 0), rss)
                best["anon"] = max(best.get("anon", 0), anon)
            runs[name] = best
            if "failed" not in best:
                answers[name] = read_rows(result, *columns)
        entry["formats"][fmt] = {"runs": runs, "agreement": agreement(answers, areas)}
    record(entry)
    print()
    print(render_entry(entry))
    failed = [f for f, r in entry["formats"].items() if not r["agreement"]["ok"]]
    if failed:
        sys.exit(f"the answers differ ({', '.join(failed)}); see above")
    print(f"written: {RESULTS_MD.relative_to(REPO)} (and {RESULTS_JSON.relative_to(REPO)})")


def record(entry):
    """Keeps the latest entry per size in results.json and rewrites the markdown from it."""
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    if entry is not None:
        results[entry["size"]] = entry
        RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
    order = sorted(results.values(), key=lambda e: e["rows"])
    RESULTS_MD.write_text(
        "# deltid against DuckDB and pandas\n\n"
        "Written by `benches/compare/compare.py` (see `benches/compare/README.md` for how to run it).\n"
        "The same synthetic counts (`deltid synth --scenario`: date, area, count; per-area residents,\n"
        "commuters, transit and day visitors; uplift 6 %) go through `deltid estimate --format csv`\n"
        "(with `--stream`, polars' streaming engine, and without it, the default reader that loads and\n"
        "checks every row), the query of `deltid sql --dialect duckdb` in DuckDB (a view over\n"
        "`read_csv`/`read_parquet`), and a plain pandas script (`pandas_estimate.py`: read, merge with\n"
        "the areas, compute the daily part-time residents, group by area). All three must give the same\n"
        "mean part-time residents per day for every area, to 1e-6 relative.\n\n"
        "Each runs as a process of its own, started by GNU time; the input file is read once before the\n"
        "runs so all find it in the page cache. Wall and CPU time (user + system; above the wall time\n"
        "when both cores work) are the best of the runs. Peak memory is the process's maximum resident\n"
        "set size; it counts the pages of a file the process memory-maps, as polars does with a CSV\n"
        "file, which the kernel can drop at will, so the anonymous memory (heap), sampled every 20 ms,\n"
        "is given beside it. The Python processes' figures include the interpreter and its libraries.\n"
        "Ratios are deltid's over the other's, on wall time and peak RSS: below 1 means deltid is\n"
        "faster or smaller. The machine is a shared 2-core VM; the load average at the start of a run\n"
        "says how busy it was.\n\n"
        + "\n".join(render_entry(e) for e in order)
        + (f"\n{NOTES.read_text()}" if NOTES.exists() else "")
    )


def fmt_time(s):
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def render_entry(e):
    m = e["machine"]
    lines = [
        f"## {e['areas']:,} areas x {e['days']:,} days = {e['rows']:,} rows".replace(",", " "),
        "",
        f"Run {e['date']}, seed {e['seed']}, best of {e['repeat']} run(s), load average "
        f"{e.get('load', float('nan')):.2f} at the start. "
        f"Files: CSV {e['file_mib']['csv']:.0f} MiB, Parquet (zstd) {e['file_mib']['parquet']:.0f} MiB.",
    ]
    if e.get("synth"):
        s = e["synth"]
        lines.append(f"Generating them (`deltid synth`, CSV and scenario): {fmt_time(s['wall'])}, "
                     f"peak {s['rss']:.0f} MiB.")
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} memory; {m['os']}.  ",
        f"Versions: {m['deltid']}; DuckDB {m['duckdb']}; pandas {m['pandas']} (pyarrow {m['pyarrow']}); "
        f"Python {m['python']}.",
        "",
        "| input | tool | wall time | CPU time | peak memory (RSS) | of it anonymous | time vs DuckDB | time vs pandas | memory vs DuckDB | memory vs pandas |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fmt, result in e["formats"].items():
        runs = result["runs"]
        duck, pand = runs.get("DuckDB", {}), runs.get("pandas", {})
        for name, r in runs.items():
            if "failed" in r:
                lines.append(f"| {fmt} | {name} | failed (exit {r['failed']}) after {fmt_time(r['wall'])} | | "
                             f"{r['rss']:.0f} MiB | | | | | |")
                continue
            ratio = lambda key, other: (f"{r[key] / other[key]:.2f}" if name.startswith("deltid")
                                        and key in other and "failed" not in other else "")
            lines.append(
                f"| {fmt} | {name} | {fmt_time(r['wall'])} | {fmt_time(r['cpu'])} | {r['rss']:.0f} MiB | "
                + (f"{r['anon']:.0f} MiB | " if r.get("anon") and r["wall"] >= 0.5 else "– | ")
                + f"{ratio('wall', duck)} | {ratio('wall', pand)} | {ratio('rss', duck)} | {ratio('rss', pand)} |"
            )
    skipped = [t for t in ("deltid", "DuckDB", "pandas") if t.lower() not in e.get("tools", "deltid,duckdb,pandas")]
    if skipped:
        lines += ["", f"Not run at this size: {', '.join(skipped)}."]
    if e.get("baseline"):
        b = e["baseline"]
        lines += ["", f"For scale: Python with DuckDB imported and nothing else peaks at {b['duckdb']:.0f} MiB, "
                  f"with pandas and pyarrow at {b['pandas, pyarrow']:.0f} MiB."]
    lines += [
        "",
        "Agreement: the largest relative difference over the areas between two tools' means per day "
        "(part-time residents, observed count), and the areas whose number of days differs.",
        "",
        "| input | tools | part-time | observed | days differ | within 1e-6 |",
        "|---|---|---:|---:|---:|---|",
    ]
    for fmt, result in e["formats"].items():
        a = result["agreement"]
        for pair, v in a["pairs"].items():
            ok = v["part_time"] <= TOLERANCE and v["observed"] <= TOLERANCE and not v["days_differ"]
            lines.append(f"| {fmt} | {pair} | {v['part_time']:.1e} | {v['observed']:.1e} | "
                         f"{v['days_differ']} | {'yes' if ok else '**no**'} |")
        lines += [f"| {fmt} | {problem} | | | | **no** |" for problem in a["problems"] if " vs " not in problem]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=size_of, default=size_of("1M"),
                        help="1M (1 000 areas x 1 000 days, default), 10M, 100M or AREASxDAYS")
    parser.add_argument("--formats", default="csv,parquet", help="csv, parquet or both (default)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool; the best time counts")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--deltid", help="use this deltid binary instead of building the release one")
    parser.add_argument("--deltid-modes", help="stream,default (both when deltid has --stream)")
    parser.add_argument("--tools", default="deltid,duckdb,pandas",
                        help="which to run (default all three); e.g. deltid,duckdb for 100M rows, "
                        "where pandas needs more memory than this machine has")
    parser.add_argument("--sql", help="use this DuckDB query instead of `deltid sql`'s")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--render", action="store_true",
                        help="only write the markdown again from results.json (and notes.md)")
    args = parser.parse_args()
    if args.render:
        record(None)
    else:
        compare(args)


if __name__ == "__main__":
    main()
