"""deltid's default command against the short queries a user writes by hand: same answer, time, memory.

    python benches/compare/compare.py                  # 1 000 areas x 1 000 days (1 M rows)
    python benches/compare/compare.py --rows 10M       # 10 000 areas x 1 000 days
    python benches/compare/compare.py --rows 100M      # 100 000 areas x 1 000 days

For the chosen size it
1. builds deltid (`cargo build --release --bin deltid`, honouring CARGO_TARGET_DIR) unless
   --deltid names a binary (and only when a deltid binary is needed at all);
2. generates the counts and a matching scenario with `deltid synth ... --scenario` (CSV), converts
   the CSV to Parquet with DuckDB (zstd; date DATE, area VARCHAR, count DOUBLE), and writes
   `areas.csv` from the scenario (area, name, residents, commuters, transit, day_visitors,
   holiday_homes: the table the analyst has) and `deltid.toml`, the same scenario with its areas
   in that table (`areas = "areas.csv"`, as the README advises for many areas), under
   benches/compare/data/ (gitignored; kept for the next run of the same size and seed; --data
   to put it elsewhere);
3. runs, each as a process of its own under GNU time, on the CSV and on the Parquet file (each
   file read once beforehand, so that every tool finds it in the page cache):
   - deltid    `deltid estimate --scenario deltid.toml --counts F --format csv --output O` (the
               default command: no flags for speed or size);
   - duckdb    the hand-written DuckDB query (duckdb_handwritten.py);
   - polars    the hand-written python-polars lazy query (polars_lazy.py);
   - deltid-sql  the query `deltid sql --dialect duckdb` writes, run in DuckDB (duckdb_estimate.py);
   - pandas    a plain pandas script (pandas_estimate.py);
   - population  `deltid population --scenario S --counts F --format csv --output O`;
   and, once per run, `hallingdal`: `deltid estimate --scenario data/hallingdal/plan-2021.toml`
   (6 areas x 547 days, the table on stdout), end to end;
4. checks that every tool gives deltid's mean part-time residents per day for every area (relative
   difference at most 1e-6), the same mean count and the same days per area, and that deltid's
   summary has the same columns, filled, as it has on a small file; stops with an error otherwise
   (after writing the results, so that the failure is on record);
5. records wall time, CPU time and peak memory (GNU time's maximum RSS) of each, the ratios
   deltid vs each peer, and whether the project's targets are met, in benches/compare/results.json,
   from which benches/compare-results.md is written (one section per size, with the machine and
   the versions).

With --repeat N every tool runs N times (round robin, so that a busy moment hits all alike); the
best wall time counts (with its CPU time), and the largest peak memory.
"""

import argparse
import csv
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = HERE / "data"
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = REPO / "benches" / "compare-results.md"
NOTES = HERE / "notes.md"  # observations, appended to the results as they are
HALLINGDAL = REPO / "data" / "hallingdal" / "plan-2021.toml"
PYTHON = sys.executable
TIME = "/usr/bin/time"  # GNU time (Debian: apt-get install time)
SCHEMA = 2  # of an entry in results.json; entries of other schemas are dropped

# Mean persons present per area and day (the Hallingdal plan's 46 724 over 6 areas is 7 787).
MEAN_PER_AREA = 7_800
SIZES = {"1M": (1_000, 1_000), "10M": (10_000, 1_000), "100M": (100_000, 1_000)}
TOLERANCE = 1e-6
DEDUCTIONS = ["residents", "commuters", "transit", "day_visitors"]

TOOLS = {  # id: name in the results
    "deltid": "deltid estimate",
    "duckdb": "DuckDB (hand-written)",
    "polars": "polars (hand-written)",
    "deltid-sql": "DuckDB (deltid sql)",
    "pandas": "pandas (script)",
    "population": "deltid population",
    "hallingdal": "deltid estimate (Hallingdal)",
}
PEERS = ["duckdb", "polars", "deltid-sql", "pandas"]  # compared with deltid, in this order
DEFAULT_TOOLS = "deltid,duckdb,polars,deltid-sql,pandas,population,hallingdal"
DEFAULT_TOOLS_LARGE = "deltid,duckdb,polars,population,hallingdal"  # from 50 M rows
LARGE = 50_000_000

# The project's targets (issue: comparison against the hand-written peers).
TARGET_SPEEDUP = 1.5  # at 10 M rows, CSV and Parquet: deltid's wall time x 1.5 <= each peer's
TARGET_ESTIMATE_100M_MIB = 1024  # 100 M rows, CSV: deltid estimate's peak RSS below 1 GiB
TARGET_POPULATION_100M_MIB = 2048  # ... and deltid population's below 2 GiB
TARGET_HALLINGDAL_S = 0.100  # Hallingdal end to end under 100 ms
HALLINGDAL_RUNS = 5  # at least, for a figure this short


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
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(map(str, cmd))}\n{done.stderr}")
    return done.stdout


def check_time():
    """Stops unless /usr/bin/time is GNU time."""
    try:
        done = subprocess.run([TIME, "--version"], capture_output=True, text=True)
        if "GNU" in done.stdout + done.stderr:
            return
    except OSError:
        pass
    sys.exit(f"{TIME} is missing or not GNU time; on Debian or Ubuntu: apt-get install time")


def measure(cmd, log, stdout=None):
    """Runs `cmd` as a child of GNU time: (wall s, CPU s, peak RSS MiB, peak anonymous MiB, exit).

    The child is started by /usr/bin/time, not forked from this Python process: on Linux a
    forked child's maximum RSS starts at its parent's (about 100 MiB here, with DuckDB loaded),
    which would hide the small ones. Peak RSS (GNU time's %M) counts file pages the process maps,
    such as a memory-mapped input file; its anonymous memory (heap) is sampled from /proc every
    20 ms by a thread beside it, so a shorter peak can be missed. The wall time is taken when the
    wait for the child returns, not at the sampler's next look (which rounded every run up by
    0-20 ms, a tenth of a run of 0.25 s).
    """
    stats = Path(str(log) + ".time")
    anon = 0
    with open(log, "w") as err, open(stdout or os.devnull, "w") as out:
        start = time.perf_counter()
        timer = subprocess.Popen([TIME, "-f", "%M %U %S %x", "-o", str(stats), *map(str, cmd)],
                                 stdout=out, stderr=err)
        done = threading.Event()

        def sample():
            nonlocal anon
            pid = None
            while not done.is_set():
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
                done.wait(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        timer.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
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
    print("building deltid (cargo build --release --bin deltid) ...", flush=True)
    if subprocess.run(["cargo", "build", "--release", "--bin", "deltid"], cwd=REPO).returncode != 0:
        sys.exit("cargo build --release failed (see above); --deltid PATH uses a binary you have")
    meta = json.loads(run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=REPO))
    return Path(meta["target_directory"]) / "release" / "deltid"


def scenario_areas(path):
    """The scenario's uplift and its areas as rows of areas.csv; stops on other shapes."""
    with open(path, "rb") as f:
        scenario = tomllib.load(f)
    unsupported = [k for k in ("deductions", "scaling", "region_code") if k in scenario]
    if unsupported:
        sys.exit(f"{path}: {', '.join(unsupported)} not supported here; give every deduction per area")
    uplift = scenario.get("uplift", 0)
    if isinstance(uplift, str) and re.fullmatch(r"\s*[\d.]+\s*%\s*", uplift):
        uplift = float(uplift.strip().rstrip("%")) / 100
    if not isinstance(uplift, (int, float)):
        sys.exit(f"{path}: uplift must be a number or a percentage, got {uplift!r}")
    rows = []
    for area in scenario.get("area", []):
        missing = [d for d in DEDUCTIONS if not isinstance(area.get(d), (int, float))]
        if missing:
            sys.exit(f"{path}: area {area.get('code')} lacks {', '.join(missing)} as numbers")
        homes = area.get("holiday_homes")
        rows.append([str(area["code"]), area.get("name", ""), *(area[d] for d in DEDUCTIONS),
                     "" if homes is None else homes])
    return float(uplift), rows


def write_areas(scenario, target):
    """areas.csv from the scenario: the table the analyst has, which the hand-written peers join
    (with the holiday homes, which they ignore and deltid's plausibility checks use), and
    `deltid.toml` beside it: the scenario as the README advises for many areas, its areas in that
    table (`areas = "areas.csv"`) rather than as thousands of `[[area]]` entries, so that deltid
    reads the same table as its peers."""
    uplift, rows = scenario_areas(scenario)
    tmp = target.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["area", "name", *DEDUCTIONS, "holiday_homes"])
        w.writerows(rows)
    tmp.rename(target)
    with open(scenario, "rb") as f:
        name = tomllib.load(f).get("name", "Synthetic region")
    (target.parent / "deltid.toml").write_text(
        f"# {scenario.name} with its areas in {target.name} (written by compare.py)\n"
        f"name = {json.dumps(name)}\nuplift = {uplift!r}\nareas = {json.dumps(target.name)}\n",
        encoding="utf-8")


def generate(deltid, areas, days, seed, regenerate, data):
    """The counts (CSV and Parquet), scenario and areas.csv for a size; (folder, synth measurement)."""
    folder = data / f"{areas}x{days}-seed{seed}"
    counts, scenario = folder / "counts.csv", folder / "scenario.toml"
    parquet, table = folder / "counts.parquet", folder / "areas.csv"
    synth = None
    if regenerate or not (counts.exists() and scenario.exists()):
        if deltid is None:
            sys.exit("internal error: no deltid binary to generate the data")
        folder.mkdir(parents=True, exist_ok=True)
        need = areas * days * 26 * 2  # CSV and Parquet, with room to spare
        free = shutil.disk_usage(folder).free
        if free < need:
            sys.exit(f"{folder}: {free / 2**30:.1f} GiB free, about {need / 2**30:.1f} GiB needed")
        cmd = [deltid, "synth", "--areas", areas, "--days", days, "--seed", seed,
               "--mean", areas * MEAN_PER_AREA, "--output", counts, "--scenario", scenario, "--force"]
        print(f"generating {areas:,} x {days:,} = {areas * days:,} rows ...", flush=True)
        wall, cpu, rss, _, rc = measure(cmd, folder / "synth.log")
        if rc != 0:
            sys.exit(f"deltid synth failed: {(folder / 'synth.log').read_text()}")
        synth = {"wall": wall, "cpu": cpu, "rss": rss, "binary": build_kind(deltid)}
        for stale in (parquet, table):
            if stale.exists():
                stale.unlink()
    if not parquet.exists():
        import duckdb

        print("converting to Parquet (DuckDB, zstd) ...", flush=True)
        tmp = parquet.with_suffix(".parquet.tmp")
        source, target = str(counts).replace("'", "''"), str(tmp).replace("'", "''")
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_csv('{source}', header = true, columns = "
            "{'date': 'DATE', 'area': 'VARCHAR', 'count': 'DOUBLE'})) "
            f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
        )
        tmp.rename(parquet)
    deltid_toml = folder / "deltid.toml"
    if (not table.exists() or not deltid_toml.exists()
            or table.stat().st_mtime < scenario.stat().st_mtime):
        write_areas(scenario, table)
    return folder, synth


def read_rows(path, area, part_time, days, observed):
    """{area: (part_time, days, observed)} from a result CSV, without the region's row (no area).

    A column given as None is read as None (deltid population has no means)."""
    with open(path, newline="", encoding="utf-8") as f:
        return {
            r[area]: (float(r[part_time]) if part_time else None,
                      int(float(r[days])),
                      float(r[observed]) if observed else None)
            for r in csv.DictReader(f)
            if r[area]
        }


def relative(a, b):
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def agreement(answers, expected_areas):
    """Every tool against deltid (else the first tool): largest relative differences, days."""
    ok, problems, versus = True, [], {}
    if not answers:
        return {"ok": True, "reference": None, "versus": {}, "problems": []}
    reference = "deltid" if "deltid" in answers else next(iter(answers))
    ref = answers[reference]
    for name, rows in answers.items():
        if len(rows) != expected_areas:
            ok = False
            problems.append(f"{name}: {len(rows)} areas, expected {expected_areas}")
    for name, rows in answers.items():
        if name == reference:
            continue
        if set(rows) != set(ref):
            ok = False
            problems.append(f"{name} and {reference} differ in areas: {sorted(set(rows) ^ set(ref))[:5]}")
            continue
        parts = [relative(rows[k][0], ref[k][0]) for k in ref if rows[k][0] is not None and ref[k][0] is not None]
        obs = [relative(rows[k][2], ref[k][2]) for k in ref if rows[k][2] is not None and ref[k][2] is not None]
        days = sum(rows[k][1] != ref[k][1] for k in ref)
        v = {"part_time": max(parts) if parts else None, "observed": max(obs) if obs else None,
             "days_differ": days}
        versus[name] = v
        if (v["part_time"] or 0) > TOLERANCE or (v["observed"] or 0) > TOLERANCE or days:
            ok = False
            problems.append(f"{name} vs {reference}: part-time {v['part_time'] or 0:.2e}, "
                            f"mean count {v['observed'] or 0:.2e}, {days} areas' days differ")
    return {"ok": ok, "reference": reference, "versus": versus, "problems": problems}


def summary_shape(path):
    """(header, the columns with an empty cell in some area row) of deltid's CSV summary."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        empty = set()
        for row in reader:
            if row.get("area"):
                empty |= {k for k, v in row.items() if v in ("", None)}
    return header, sorted(empty)


def same_summary(path, reference):
    """Whether deltid's summary has the small file's columns, with as few empty cells."""
    if reference is None:
        return None
    header, empty = summary_shape(path)
    ref_header, ref_empty = reference
    problems = []
    if header != ref_header:
        problems.append(f"columns differ: missing {[c for c in ref_header if c not in header]}, "
                        f"extra {[c for c in header if c not in ref_header]}")
    unexpected = [c for c in empty if c not in ref_empty]
    if unexpected:
        problems.append(f"empty cells in {unexpected}")
    return {"ok": not problems, "problems": problems}


def version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def build_kind(deltid):
    path = str(deltid)
    return "release build" if "/release/" in path else "debug build" if "/debug/" in path else path


def machine(deltid):
    """The machine and the versions, for the results."""
    cpu, memory = "unknown", "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        memory = f"{int(mem.split()[1]) / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    try:
        family = re.search(r"CPU family:\s*(\S+)", subprocess.run(["lscpu"], capture_output=True, text=True).stdout)
        if family:
            cpu += f" (family {family[1]})"
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(l.split("=", 1) for l in Path("/etc/os-release").read_text().splitlines() if "=" in l)
        os_name = f"{release['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
    except (OSError, KeyError):
        pass
    commit = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    try:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        rustc = ""
    if deltid is not None:
        name = subprocess.run([deltid, "--version"], capture_output=True, text=True).stdout.strip()
        delt = f"{name or 'deltid'} ({build_kind(deltid)}; repository at {commit or '?'})" + (f", {rustc}" if rustc else "")
    else:
        delt = "not used"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": os_name,
        "deltid": delt,
        "duckdb": version("duckdb"),
        "polars": version("polars"),
        "pandas": version("pandas"),
        "pyarrow": version("pyarrow"),
        "python": platform.python_version(),
    }


def tool_commands(tools, deltid, folder, counts, fmt, uplift, query, out, polars_engine):
    """{tool: (command, result file, (area, part_time, days, observed) columns)} for one input."""
    scenario, areas = folder / "scenario.toml", folder / "areas.csv"
    # deltid reads the areas from the same table as its peers (see write_areas).
    deltid_scenario = folder / "deltid.toml"
    result = {t: out / f"{fmt}-{t}.csv" for t in tools}
    specs = {
        "deltid": ([deltid, "estimate", "--scenario", deltid_scenario, "--counts", counts, "--format", "csv",
                    "--output", result["deltid"]] if "deltid" in tools else None,
                   ("area", "mean_part_time", "days", "mean_observed")),
        "duckdb": ([PYTHON, HERE / "duckdb_handwritten.py", "--counts", counts, "--areas", areas,
                    "--uplift", uplift, "--output", result.get("duckdb")],
                   ("area", "part_time", "days", "mean_count")),
        "polars": ([PYTHON, HERE / "polars_lazy.py", "--counts", counts, "--areas", areas,
                    "--uplift", uplift, "--output", result.get("polars"), "--engine", polars_engine],
                   ("area", "part_time", "days", "mean_count")),
        "deltid-sql": ([PYTHON, HERE / "duckdb_estimate.py", "--sql", query, "--counts", counts,
                        "--output", result.get("deltid-sql")],
                       ("area", "part_time", "days", "observed")),
        "pandas": ([PYTHON, HERE / "pandas_estimate.py", "--scenario", scenario, "--counts", counts,
                    "--output", result.get("pandas")],
                   ("area", "part_time", "days", "observed")),
        "population": ([deltid, "population", "--scenario", deltid_scenario, "--counts", counts, "--format", "csv",
                        "--output", result.get("population")] if "population" in tools else None,
                       ("area", None, "days", None)),
    }
    return {t: (specs[t][0], result[t], specs[t][1]) for t in tools if t in specs}


def remove_output(path):
    """Removes an output of an earlier run and what deltid writes beside it (its run record
    `NAME.run.json`, its sections `NAME.<section>.csv`): deltid never overwrites a file unasked."""
    for stale in [path, *path.parent.glob(path.name + ".run.json"), *path.parent.glob(path.stem + ".*.csv")]:
        if stale.exists():
            stale.unlink()


def repeat_runs(tools, repeat, out, tag):
    """Runs each tool `repeat` times, round robin; {tool: best run}, printing every run."""
    best = {t: None for t in tools}
    for i in range(repeat):
        for t, (cmd, result, _) in tools.items():
            if best[t] is not None and "failed" in best[t]:
                continue
            if result is not None:
                remove_output(result)
            log = out / f"{tag}-{t}.log"
            stdout = out / f"{tag}-{t}.stdout"
            wall, cpu, rss, anon, rc = measure(cmd, log, stdout)
            print(f"  {tag:8} {t:11} run {i + 1}: {wall:8.3f} s {cpu:8.2f} s CPU {rss:8.0f} MiB"
                  f" ({anon:.0f} MiB anonymous)"
                  + ("" if rc == 0 else f"  FAILED ({rc}): {log.read_text().strip()[-300:]}"), flush=True)
            if rc != 0:
                best[t] = {"failed": rc, "error": log.read_text().strip()[-500:], "wall": wall,
                           "cpu": cpu, "rss": rss, "anon": anon}
                continue
            b = best[t]
            if b is None or wall < b["wall"]:
                best[t] = {**(b or {}), "wall": wall, "cpu": cpu}
            best[t]["rss"] = max(best[t].get("rss", 0), rss)
            best[t]["anon"] = max(best[t].get("anon", 0), anon)
            best[t]["runs"] = i + 1
    return best


def hallingdal(deltid, repeat, out):
    """`deltid estimate` on the shipped Hallingdal scenario, end to end (table to stdout)."""
    if not HALLINGDAL.exists():
        return {"failed": "missing", "error": f"{HALLINGDAL} not found", "wall": 0, "cpu": 0, "rss": 0, "anon": 0}
    tools = {"hallingdal": ([deltid, "estimate", "--scenario", HALLINGDAL], None, None)}
    warm(HALLINGDAL.parent / "counts.csv")
    best = repeat_runs(tools, max(repeat, HALLINGDAL_RUNS), out, "table")["hallingdal"]
    text = (out / "table-hallingdal.stdout").read_text(encoding="utf-8", errors="replace")
    if "failed" not in best:
        # The plan's table, to the person: guest-nights per year.
        best["plan_table"] = bool(re.search(r"9[ \u00a0\u202f]?682[ \u00a0\u202f]?355", text))
    return best


def reference_summary(deltid, out):
    """deltid's CSV summary on a small file (Hallingdal): its columns and empty cells."""
    if not HALLINGDAL.exists():
        return None
    path = out / "reference-hallingdal.csv"
    remove_output(path)
    done = subprocess.run([str(deltid), "estimate", "--scenario", str(HALLINGDAL), "--format", "csv",
                           "--output", str(path)], capture_output=True, text=True)
    return summary_shape(path) if done.returncode == 0 else None


def compare(args):
    check_time()
    label, areas, days = args.rows
    tools = [t.strip() for t in (args.tools or (DEFAULT_TOOLS_LARGE if areas * days >= LARGE else DEFAULT_TOOLS)).split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        sys.exit(f"unknown tools {unknown}; choose from {', '.join(TOOLS)}")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or any(f not in ("csv", "parquet") for f in formats):
        sys.exit(f"--formats: csv, parquet or both, got {args.formats!r}")
    data = Path(args.data).resolve() if args.data else DATA
    folder = data / f"{areas}x{days}-seed{args.seed}"
    have_data = (folder / "counts.csv").exists() and (folder / "scenario.toml").exists()
    needs_deltid = any(t in tools for t in ("deltid", "population", "hallingdal")) or (
        "deltid-sql" in tools and not args.sql) or args.regenerate or not have_data
    deltid = None
    if args.deltid:
        deltid = str(Path(args.deltid).resolve())
        if not os.access(deltid, os.X_OK):
            sys.exit(f"--deltid {args.deltid}: not an executable file")
    elif needs_deltid:
        deltid = str(build().resolve())

    folder, synth = generate(deltid, areas, days, args.seed, args.regenerate, data)
    scenario = folder / "scenario.toml"
    uplift, _ = scenario_areas(scenario)
    query = None
    if "deltid-sql" in tools:
        if args.sql:
            query = Path(args.sql).resolve()
        else:
            # From the scenario deltid itself runs with (its areas from areas.csv): synth's
            # scenario.toml pads all-digit codes to its longest ([area_codes] digits = 5 from
            # 10 000 areas), so its query would name area 0001 00001.
            query = folder / "query.sql"
            query.write_text(run([deltid, "sql", "--scenario", folder / "deltid.toml",
                                  "--dialect", "duckdb"]))

    out = folder / "out"
    out.mkdir(exist_ok=True)
    files = {"csv": folder / "counts.csv", "parquet": folder / "counts.parquet"}
    baseline_imports = {"duckdb": "duckdb", "polars": "polars", "pandas": "pandas, pyarrow"}
    entry = {
        "schema": SCHEMA,
        "size": label, "areas": areas, "days": days, "rows": areas * days, "seed": args.seed,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tools": tools, "formats_run": formats, "load": os.getloadavg()[0], "repeat": args.repeat,
        "polars_engine": args.polars_engine, "uplift": uplift,
        "machine": machine(deltid), "synth": synth,
        "file_mib": {f: p.stat().st_size / 2**20 for f, p in files.items()},
        "baseline": {
            what: measure([PYTHON, "-c", f"import {imports}"], out / f"baseline-{what}.log")[2]
            for what, imports in baseline_imports.items()
            if what in tools or (what == "duckdb" and "deltid-sql" in tools)
        },
        "hallingdal": hallingdal(deltid, args.repeat, out) if "hallingdal" in tools else None,
        "formats": {},
    }
    reference = reference_summary(deltid, out) if "deltid" in tools else None
    for fmt in formats:
        counts = files[fmt]
        commands = tool_commands(tools, deltid, folder, counts, fmt, uplift, query, out, args.polars_engine)
        for path in (counts, scenario, folder / "areas.csv"):
            warm(path)
        runs = repeat_runs(commands, args.repeat, out, fmt)
        answers = {}
        for t, (_, result, columns) in commands.items():
            if "failed" in runs[t]:
                continue
            try:
                answers[t] = read_rows(result, *columns)
            except (OSError, KeyError, ValueError, TypeError) as e:
                runs[t]["failed"] = "output"
                runs[t]["error"] = f"cannot read {result.name} (columns {', '.join(c for c in columns if c)}): {e!r}"
        summary = (same_summary(commands["deltid"][1], reference)
                   if "deltid" in answers else None)
        entry["formats"][fmt] = {"runs": runs, "agreement": agreement(answers, areas), "summary": summary}
    entry["load_end"] = os.getloadavg()[0]
    record(entry)
    print()
    print(render_entry(entry))
    failures = []
    for fmt, r in entry["formats"].items():
        failures += [f"{fmt}: {p}" for p in r["agreement"]["problems"]]
        failures += [f"{fmt}: {t} failed ({why(v)}): {v['error'][-300:]}"
                     for t, v in r["runs"].items() if "failed" in v]
        if r["summary"] and not r["summary"]["ok"]:
            failures += [f"{fmt}: deltid's summary: {p}" for p in r["summary"]["problems"]]
    h = entry["hallingdal"]
    if h and "failed" in h:
        failures.append(f"hallingdal: failed: {h['error'][-200:]}")
    elif h and not h.get("plan_table"):
        failures.append("hallingdal: the table lacks the plan's 9 682 355 guest-nights per year")
    print(f"written: {RESULTS_MD} (and {RESULTS_JSON})")
    if failures:
        sys.exit("\n*** THE COMPARISON FAILED ***\n" + "\n".join(failures))


def record(entry):
    """Keeps the latest entry per size in results.json and rewrites the markdown from it."""
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    results = {k: v for k, v in results.items() if v.get("schema") == SCHEMA}
    if entry is not None:
        results[entry["size"]] = entry
        RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
    order = sorted(results.values(), key=lambda e: e["rows"])
    RESULTS_MD.write_text(
        "# deltid against the queries a user writes by hand\n\n"
        "Written by `benches/compare/compare.py` from `benches/compare/results.json` (see\n"
        "`benches/compare/README.md` for how to run it). The same synthetic counts (`deltid synth\n"
        "--scenario`: date, area, count; every deduction per area, uplift 6 %) go through deltid's\n"
        "default command, `deltid estimate --scenario S --counts F --format csv --output O`, and through\n"
        "what an analyst would write by hand with the scenario's figures in a table (`areas.csv`: area,\n"
        "name, residents, commuters, transit, day_visitors, holiday_homes): one DuckDB query\n"
        "(`duckdb_handwritten.py`) and one python-polars lazy query (`polars_lazy.py`), each joining the\n"
        "counts with the areas and averaging count × (1 + uplift) − residents − commuters − transit −\n"
        "day_visitors per area. Where run, also: the query `deltid sql --dialect duckdb` writes, run in\n"
        "DuckDB; a plain pandas script; and `deltid population` on the same file. Every tool must give\n"
        "deltid's mean part-time residents per day for every area to 1e-6 relative, the same mean\n"
        "count and the same days per area. deltid reads its areas from the same table (`S` is\n"
        "`deltid.toml`: the uplift and `areas = \"areas.csv\"`, as the README advises for many areas),\n"
        "and with the holiday homes in it also makes its plausibility checks, which the peers do not.\n\n"
        "Each tool runs as a process of its own, started by GNU time; the input file is read once before\n"
        "the runs so all find it in the page cache. Wall time is from start to exit (Python start-up and\n"
        "imports included for the peers); CPU time is user + system (above the wall time when several\n"
        "cores work); both are those of the fastest run. Peak memory is the largest maximum resident set\n"
        "size (GNU time's `%M`) of the runs; it counts pages of a file the process memory-maps, which\n"
        "the kernel can drop, so the anonymous memory (heap), sampled every 20 ms, is given beside it\n"
        "(for runs of half a second or more). The targets are the project's: at 10 M rows, CSV and Parquet,\n"
        f"`deltid estimate` at least {TARGET_SPEEDUP}× faster than both hand-written peers with peak memory no higher than\n"
        "DuckDB's; at 100 M rows (CSV) `deltid estimate` under 1 GiB peak with the same summary as at\n"
        "smaller scale, `deltid population` under 2 GiB; Hallingdal (6 areas × 547 days) end to end\n"
        "under 100 ms.\n\n"
        + render_targets(order)
        + "\n".join(render_entry(e) for e in order)
        + (f"\n{NOTES.read_text()}" if NOTES.exists() else "")
    )


def fmt_time(s):
    return f"{s * 1000:.0f} ms" if s < 0.1 else f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def fmt_mib(m):
    return f"{m:.0f} MiB" if m < 10240 else f"{m / 1024:.1f} GiB"


def why(r):
    """A failed run's reason: its exit status, or what else went wrong."""
    return f"exit {r['failed']}" if isinstance(r["failed"], int) else str(r["failed"])


def ok_run(runs, tool):
    r = runs.get(tool)
    return r if r and "failed" not in r else None


def unmeasured(what, runs, tools):
    """A target's row when one of `tools` did not run or failed: deltid failing does not meet it."""
    failed = [t for t in tools if t in runs and "failed" in runs[t]]
    measured = f"{', '.join(TOOLS[t] for t in failed)} failed" if failed else "–"
    ours = any(t in ("deltid", "population") for t in failed)
    return what, measured, "not met" if ours else "not measured"


def targets(e):
    """[(target, measured, verdict)] for one entry: 'met', 'not met' or 'not measured'."""
    found = []
    if e["areas"] * e["days"] == 10_000_000:
        for fmt in ("csv", "parquet"):
            result = e["formats"].get(fmt)
            runs = result["runs"] if result else {}
            d = ok_run(runs, "deltid")
            for peer in ("duckdb", "polars"):
                p = ok_run(runs, peer)
                what = f"10 M rows, {fmt}: deltid estimate ≥ {TARGET_SPEEDUP}× faster than {TOOLS[peer]}"
                if d and p:
                    speed = p["wall"] / d["wall"]
                    found.append((what, f"{speed:.2f}× ({fmt_time(d['wall'])} vs {fmt_time(p['wall'])})",
                                  "met" if speed >= TARGET_SPEEDUP else "not met"))
                else:
                    found.append(unmeasured(what, runs, ["deltid", peer]))
            p = ok_run(runs, "duckdb")
            what = f"10 M rows, {fmt}: deltid estimate's peak memory ≤ {TOOLS['duckdb']}'s"
            if d and p:
                found.append((what, f"{fmt_mib(d['rss'])} vs {fmt_mib(p['rss'])} ({d['rss'] / p['rss']:.2f}×)",
                              "met" if d["rss"] <= p["rss"] else "not met"))
            else:
                found.append(unmeasured(what, runs, ["deltid", "duckdb"]))
    if e["areas"] * e["days"] == 100_000_000:
        result = e["formats"].get("csv")
        runs = result["runs"] if result else {}
        d, pop = ok_run(runs, "deltid"), ok_run(runs, "population")
        what = "100 M rows, csv: deltid estimate under 1 GiB peak memory"
        found.append((what, fmt_mib(d["rss"]), "met" if d["rss"] < TARGET_ESTIMATE_100M_MIB else "not met")
                     if d else unmeasured(what, runs, ["deltid"]))
        what = "100 M rows, csv: deltid estimate gives the same summary as at smaller scale"
        if d and result.get("summary") is not None:
            same = result["summary"]["ok"] and result["agreement"]["ok"]
            found.append((what, "same columns, filled; agrees with the peers" if same else
                          "; ".join(result["summary"]["problems"] + result["agreement"]["problems"])[:200],
                          "met" if same else "not met"))
        else:
            found.append(unmeasured(what, runs, ["deltid"]))
        what = "100 M rows, csv: deltid population under 2 GiB peak memory"
        found.append((what, fmt_mib(pop["rss"]), "met" if pop["rss"] < TARGET_POPULATION_100M_MIB else "not met")
                     if pop else unmeasured(what, runs, ["population"]))
    h = e.get("hallingdal")
    if h is not None:
        what = "Hallingdal (6 areas × 547 days) end to end under 100 ms"
        if "failed" in h:
            found.append((what, "failed", "not met"))
        else:
            found.append((what, fmt_time(h["wall"]), "met" if h["wall"] < TARGET_HALLINGDAL_S else "not met"))
    return found


def render_targets(order):
    rows = [(e, t) for e in order for t in targets(e)]
    if not rows:
        return ""
    lines = ["## Targets", "", "| run | target | measured | |", "|---|---|---|---|"]
    for e, (what, measured, verdict) in rows:
        mark = {"met": "met", "not met": "**not met**", "not measured": "not measured"}[verdict]
        lines.append(f"| {e['size']}, {e['date']} | {what} | {measured} | {mark} |")
    return "\n".join(lines) + "\n\n"


def render_entry(e):
    m = e["machine"]
    versions = [f"deltid: {m['deltid']}", f"DuckDB {m['duckdb']}", f"polars {m['polars']}"]
    if m.get("pandas"):
        versions.append(f"pandas {m['pandas']} (pyarrow {m['pyarrow']})")
    versions.append(f"Python {m['python']}")
    lines = [
        f"## {e['areas']:,} areas × {e['days']:,} days = {e['rows']:,} rows".replace(",", " "),
        "",
        f"Run {e['date']}, seed {e['seed']}, best of {e['repeat']} run(s), load average "
        f"{e['load']:.2f} at the start (other work on the machine). "
        f"Files: CSV {e['file_mib']['csv']:.0f} MiB, Parquet (zstd) {e['file_mib']['parquet']:.0f} MiB. "
        f"Uplift {e['uplift']}; polars engine `{e['polars_engine']}`.",
    ]
    if e.get("synth"):
        s = e["synth"]
        lines.append(f"Generating them (`deltid synth`, {s.get('binary', 'release build')}, CSV and scenario): "
                     f"{fmt_time(s['wall'])}, peak {fmt_mib(s['rss'])}.")
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} memory; {m['os']}.  ",
        f"Versions: {'; '.join(versions)}.",
        "",
        "| input | tool | wall time | CPU time | peak memory (RSS) | of it anonymous |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for fmt, result in e["formats"].items():
        for t, r in result["runs"].items():
            if "failed" in r:
                lines.append(f"| {fmt} | {TOOLS[t]} | failed ({why(r)}) after {fmt_time(r['wall'])} | | "
                             f"{fmt_mib(r['rss'])} | |")
                continue
            lines.append(f"| {fmt} | {TOOLS[t]} | {fmt_time(r['wall'])} | {fmt_time(r['cpu'])} | {fmt_mib(r['rss'])} | "
                         + (f"{fmt_mib(r['anon'])} |" if r.get("anon") and r["wall"] >= 0.5 else "– |"))
    h = e.get("hallingdal")
    if h:
        if "failed" in h:
            lines.append(f"| Hallingdal | {TOOLS['hallingdal']} | failed: {h['error'][-100:]} | | | |")
        else:
            lines.append(f"| Hallingdal | {TOOLS['hallingdal']} (table, best of {h.get('runs', '?')}) | "
                         f"{fmt_time(h['wall'])} | {fmt_time(h['cpu'])} | {fmt_mib(h['rss'])} | – |")
    not_run = [TOOLS[t] for t in TOOLS if t not in e["tools"]]
    if not_run:
        lines += ["", f"Not run at this size: {', '.join(not_run)}."]
    if e.get("baseline"):
        lines += ["", "For scale, a Python that only imports "
                  + ", ".join(f"{what} peaks at {fmt_mib(mib)}" for what, mib in e["baseline"].items()) + "."]

    ratio_rows = []
    for fmt, result in e["formats"].items():
        runs = result["runs"]
        d = ok_run(runs, "deltid")
        if not d:
            continue
        for peer in PEERS:
            p = ok_run(runs, peer)
            if p:
                ratio_rows.append(f"| {fmt} | {TOOLS[peer]} | {fmt_time(p['wall'])} | {fmt_time(d['wall'])} | "
                                  f"{p['wall'] / d['wall']:.2f}× | {fmt_mib(p['rss'])} | {fmt_mib(d['rss'])} | "
                                  f"{d['rss'] / p['rss']:.2f}× |")
    if ratio_rows:
        lines += [
            "",
            "deltid estimate against each peer: speed-up is the peer's wall time over deltid's (above 1: "
            "deltid is faster); memory is deltid's peak over the peer's (below 1: deltid is smaller).",
            "",
            "| input | peer | peer's time | deltid's time | speed-up | peer's memory | deltid's memory | deltid's memory ÷ peer's |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
            *ratio_rows,
        ]
    found = targets(e)
    if found:
        lines += ["", "Targets at this size:", ""]
        lines += [f"- {what}: {measured}: **{verdict}**" for what, measured, verdict in found]

    lines += ["", "Agreement with the reference (the largest relative difference over the areas of the mean "
              "part-time residents per day and of the mean count, and the areas whose number of days differs):", "",
              "| input | tool | reference | part-time | mean count | days differ | within 1e-6 |",
              "|---|---|---|---:|---:|---:|---|"]
    for fmt, result in e["formats"].items():
        a = result["agreement"]
        for t, v in a["versus"].items():
            ok = (v["part_time"] or 0) <= TOLERANCE and (v["observed"] or 0) <= TOLERANCE and not v["days_differ"]
            cell = lambda x: "–" if x is None else f"{x:.1e}"
            lines.append(f"| {fmt} | {TOOLS[t]} | {TOOLS[a['reference']]} | {cell(v['part_time'])} | "
                         f"{cell(v['observed'])} | {v['days_differ']} | {'yes' if ok else '**no**'} |")
        lines += [f"| {fmt} | {problem} | | | | | **no** |" for problem in a["problems"] if " vs " not in problem]
        s = result.get("summary")
        if s is not None:
            lines.append(f"| {fmt} | deltid's summary, against its columns on a small file | | | | | "
                         + ("yes |" if s["ok"] else f"**no**: {'; '.join(s['problems'])} |"))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=size_of, default=size_of("1M"),
                        help="1M (1 000 areas x 1 000 days, default), 10M, 100M or AREASxDAYS")
    parser.add_argument("--formats", default="csv,parquet", help="csv, parquet or both (default)")
    parser.add_argument("--tools", help=f"comma-separated, from {', '.join(TOOLS)}; default "
                        f"{DEFAULT_TOOLS}, and from {LARGE // 1_000_000} M rows {DEFAULT_TOOLS_LARGE}")
    parser.add_argument("--deltid", help="use this deltid binary instead of building the release one")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each tool (round robin); the best time counts, and the largest memory")
    parser.add_argument("--seed", type=int, default=2021, help="seed of the synthetic counts (default 2021)")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--data", help=f"folder for the generated data (default {DATA})")
    parser.add_argument("--polars-engine", default="auto",
                        help="engine of the polars query's collect(): auto (default, what a user gets), "
                        "in-memory or streaming")
    parser.add_argument("--sql", help="for deltid-sql: run this DuckDB query instead of `deltid sql`'s")
    parser.add_argument("--results", help="write results.json and compare-results.md to this folder instead "
                        "(for trying the script out without touching the recorded results)")
    parser.add_argument("--render", action="store_true",
                        help="only write the markdown again from results.json (and notes.md)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.results:
        global RESULTS_JSON, RESULTS_MD
        Path(args.results).mkdir(parents=True, exist_ok=True)
        RESULTS_JSON = Path(args.results).resolve() / "results.json"
        RESULTS_MD = Path(args.results).resolve() / "compare-results.md"
    if args.render:
        record(None)
    else:
        compare(args)


if __name__ == "__main__":
    main()
