# %% [markdown]
# # Hallingdal: guest-nights and present population from telecom counts
#
# A notebook as a percent-format script: open it in Jupyter (with jupytext) or VS Code, or run
# it as `python crates/python/examples/hallingdal.py [chart.png]` from the repository's root.
# It reads the shipped Hallingdal data, shows the plan's table, the busiest days and a chart of
# present population per day.

# %%
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # draw to a file; in Jupyter the figure also shows inline
import matplotlib.pyplot as plt
import polars as pl

import deltid

ROOT = pathlib.Path(__file__).resolve().parents[3]
result = deltid.estimate(ROOT / "data/hallingdal/plan-2021.toml")
result

# %% [markdown]
# ## The plan's table
# Whole persons per day, each line rounded as the plan rounds; the last line is nights a year.

# %%
table = result.table()
print(table)
assert table["persons"][-1] == 9_682_355  # the plan's figure, to the person

# %% [markdown]
# ## Per area

# %%
print(result.summary.select("area", "name", "days", "mean_present", "mean_part_time",
                            "guest_nights_per_year_plan"))

# %% [markdown]
# ## The busiest days (present population, for emergency planners)

# %%
view = result.population(top=5)
region_peaks = view.peaks.filter(pl.col("area").is_null())
print(region_peaks.select("date", "weekday", "label", "present"))
print(view.percentiles.filter(pl.col("area").is_null()))

# %% [markdown]
# ## Present population per day, the region

# %%
region = result.daily().filter(pl.col("area").is_null())
p95 = view.percentiles.filter(pl.col("area").is_null())["p95"][0]
figure, axes = plt.subplots(figsize=(10, 4))
axes.plot(region["date"], region["present"], linewidth=0.8, label="present population")
axes.plot(region["date"], region["residents"], linewidth=0.8, label="registered residents")
axes.axhline(p95, color="tab:red", linewidth=0.8, linestyle="--",
             label=f"P95: {p95:,.0f}".replace(",", " "))
axes.scatter(region_peaks["date"], region_peaks["present"], color="tab:red", s=12, zorder=3,
             label="busiest days")
axes.set_title(f"{result.scenario.name}: present population per day")
axes.set_ylabel("persons")
axes.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}".replace(",", " "))
axes.legend(loc="upper left", fontsize=8)
figure.tight_layout()
chart = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "hallingdal-present.png")
if chart.exists():
    sys.exit(f"{chart} exists; name another file for the chart")
figure.savefig(chart, dpi=120)
print(f"chart written to {chart}")
