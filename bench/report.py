"""Bench results: the ratios against their targets, the JSON, bench/RESULTS.md, the chart."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.servers import ROOT

RESULTS_DIR = ROOT / "bench" / "results"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
# The results JSON's layout: 2 added the peers, max latency, Redis commands per request and the
# PATCH latency; 3 the tail ratio.
FORMAT = 3


def _ratio(
    name: str, value: float | None, op: str, target: float, *, applies: bool = True, info: bool = False, note: str = ""
) -> dict:
    if info:
        verdict = "info"
    elif value is None or not applies:
        verdict = "n/a"
    else:
        holds = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
        verdict = "pass" if holds else "FAIL"
    return {"name": name, "value": None if value is None else round(value, 3), "op": op, "target": target,
            "verdict": verdict, "note": note}  # fmt: skip


def paired_ratio(over: dict, under: dict) -> float:
    """Median over rounds of the two cases' req/s ratio within the same round: each round
    measures every case within a minute, so load from outside the run cancels out best."""
    return statistics.median(a / b for a, b in zip(over["rounds_rps"], under["rounds_rps"], strict=True))


def ratios(results: dict) -> list[dict]:
    cases, inv, scale = results["cases"], results["invalidation"], results["scale"]

    def rps(over: str, under: str) -> float:
        return paired_ratio(cases[over], cases[under])

    full = results["mode"] == "full"
    list_memory = max(row["ratio"] for row in results["memory"] if row["post_list"])
    hits = [case for case in cases.values() if case["server"] == "cached"]
    patch = inv["patch"]
    worst_tail = max(hits, key=lambda case: case["tail_ratio"])
    slowest = max(hits, key=lambda case: case["max_ms"])
    busiest = max(hits, key=lambda case: case["redis_commands_per_request"])
    return [
        _ratio("detail hit / Flask tutorial's cached detail", rps("detail_hit", "flask_detail"), ">=", 1.3),
        _ratio("detail hit / FastAPI's cached detail", rps("detail_hit", "fastapi_detail"), ">=", 1.0),
        _ratio("v1 list hit (100) / Flask tutorial's list of 100", rps("v1_list_100_hit", "flask_list_100"), ">=", 6),
        _ratio(
            "v1 list hit (100) / FastAPI's list of 100", rps("v1_list_100_hit", "fastapi_list_100"), ">=", 1, info=True
        ),
        _ratio("v1 list hit (20) / floor", rps("v1_list_20_hit", "floor"), ">=", 0.8),
        _ratio("v1 list hit (100) / floor", rps("v1_list_100_hit", "floor"), ">=", 0.6),
        _ratio("own to-do list hit / floor", rps("todo_list_hit", "floor"), ">=", 0.6),
        _ratio("detail hit / floor", rps("detail_hit", "floor"), ">=", 0.85),
        _ratio(f"Redis commands per hit (worst: {busiest['label']})", busiest["redis_commands_per_request"], "<=", 0.1),
        _ratio(
            "PATCH latency, ms, as deployed",
            patch["median_ms_near"],
            "<=",
            round(patch["lease_ms"] + 1.2 * patch["median_ms_no_near"], 1),
            note=f"the lease {patch['lease_ms']:g} ms + 1.2 x {patch['median_ms_no_near']:.1f} ms without a near cache",
        ),
        _ratio(f"hit p99 / p50 (worst: {worst_tail['label']})", worst_tail["tail_ratio"], "<=", 3),
        _ratio(f"slowest hit, ms (worst: {slowest['label']})", slowest["max_ms"], "<", 1000),
        _ratio("v1 list hit (100) / miss (100)", rps("v1_list_100_hit", "v1_list_100_miss"), ">=", 8),
        _ratio("304 revalidation / v1 list hit (20)", rps("revalidation_304", "v1_list_20_hit"), ">=", 1),
        _ratio(
            f"update latency, {inv['entries_large']:,} / {inv['entries_small']:,} entries",
            inv["median_ms_large"] / inv["median_ms_small"],
            "<=",
            1.1,
        ),
        _ratio("Redis bytes / body bytes (post list entries, worst)", list_memory, "<=", 1.1),
        _ratio(
            "uncached v2 cursor page p99, ms (1,000,000 posts)",
            scale["v2_cursor_page_miss"]["p99_ms"],
            "<",
            25,
            applies=full,
            note="" if full else f"at {scale['seeded_posts']:,} posts; judged in the full run",
        ),
        _ratio(
            "seed_demo 1,000,000 posts, s",
            scale["seed_seconds"],
            "<",
            60,
            applies=full,
            note="" if full else f"{scale['seeded_posts']:,} posts (top-up) here; judged in the full run",
        ),
    ]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603, S607
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _command_version(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ""


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    connection.close()
    from django.core.cache import cache

    redis = cache.client.get_client().info("server")["redis_version"]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": redis,
        "wrk": _command_version("wrk", "--version"),
    }


def assemble(mode, cases: dict, memory: list, invalidation: dict, scale: dict) -> dict:
    commit = _git("rev-parse", "--short", "HEAD")
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    results = {
        "format": FORMAT,
        "mode": mode.name,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "machine": machine(),
        "load": (
            f"gunicorn --workers 1 (sync), blogapi.settings.production; the peers each 1 worker; "
            f"wrk -t1 -c8 -d{mode.seconds}s --latency, "
            f"{mode.rounds} interleaved rounds (order rotated), each case's median round shown; "
            "a ratio is the median of its per-round ratios"
        ),
        "data": {"users": mode.users, "posts": mode.posts, "todos_per_user": 5},
        "cases": cases,
        "memory": memory,
        "invalidation": invalidation,
        "scale": scale,
    }
    results["ratios"] = ratios(results)
    return results


# --- Output -------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def _commands(case: dict) -> str:
    """Redis commands per request, for our hits only (the peers' and the misses' are not ours to count)."""
    return f"{case['redis_commands_per_request']:.4f}" if case["server"] == "cached" else "-"


def _target(row: dict) -> str:
    return f"{row['op']} {row['target']:g}"


def table(results: dict) -> str:
    lines = [f"\nblogapi bench ({results['mode']}), {results['date']}, commit {results['commit']}", results["load"], ""]
    lines.append(
        f"{'case':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'/ floor':>8} {'Redis/req':>10}"
    )
    floor = results["cases"]["floor"]
    for case in results["cases"].values():
        lines.append(
            f"{case['label']:<38} {case['rps']:>8,.0f} {case['p50_ms']:>8.2f} {case['p99_ms']:>8.2f} "
            f"{case['max_ms']:>8.1f} {paired_ratio(case, floor):>8.2f} {_commands(case):>10}"
        )
    inv = results["invalidation"]
    patch = inv["patch"]
    lines.append(
        f"\nPATCH latency (median of {patch['samples']}): {patch['median_ms_near']:.2f} ms as deployed "
        f"(lease {patch['lease_ms']:g} ms), {patch['median_ms_no_near']:.2f} ms without the near cache"
    )
    lines.append(
        f"\nupdate latency (median of {inv['samples']}): {inv['median_ms_small']:.2f} ms with "
        f"{inv['entries_small']:,} entries, {inv['median_ms_large']:.2f} ms with {inv['entries_large']:,}"
    )
    lines.append("Redis bytes per entry: " + ", ".join(
        f"{row['case']} {row['redis_bytes']:,} B / body {row['body_bytes']:,} B" for row in results["memory"]
    ))  # fmt: skip
    scale = results["scale"]
    lines.append(f"seed_demo {scale['seeded_posts']:,} posts: {scale['seed_seconds']:.1f} s")
    for name in ("v2_cursor_page_miss", "v1_deep_page_miss"):
        row = scale[name]
        lines.append(f"{row['label']}: p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms")
    lines.append(f"\n{'ratio':<52} {'value':>8} {'target':>8}  verdict")
    for row in results["ratios"]:
        note = f"  ({row['note']})" if row["note"] else ""
        lines.append(f"{row['name']:<52} {_fmt(row['value']):>8} {_target(row):>8}  {row['verdict']}{note}")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    m, scale, inv = results["machine"], results["scale"], results["invalidation"]
    floor = results["cases"]["floor"]
    out = [
        f"### {results['mode'].capitalize()} run: {results['date']}, commit `{results['commit']}`",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}; Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}, Redis {m['redis']}, {m['wrk']}.",
        f"Data: {results['data']['posts']:,} posts, {results['data']['users']:,} users (seed_demo). "
        f"Load: {results['load']}. Run took {results.get('run_seconds', 0):.0f} s.",
        "",
        "| case | req/s | p50 ms | p99 ms | max ms | / floor | Redis commands / request | body bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in results["cases"].values():
        out.append(
            f"| {case['label']} | {case['rps']:,.0f} | {case['p50_ms']:.2f} | {case['p99_ms']:.2f} | "
            f"{case['max_ms']:.1f} | {paired_ratio(case, floor):.2f} | {_commands(case)} | {case['body_bytes']:,} |"
        )
    out += ["", "| ratio | value | target | verdict |", "|---|---:|---:|---|"]
    for row in results["ratios"]:
        note = f" ({row['note']})" if row["note"] else ""
        out.append(f"| {row['name']} | {_fmt(row['value'])} | {_target(row)} | **{row['verdict']}**{note} |")
    out += ["", "| Redis entry | MEMORY USAGE bytes | body bytes | ratio |", "|---|---:|---:|---:|"]
    for row in results["memory"]:
        out.append(f"| {row['label']} | {row['redis_bytes']:,} | {row['body_bytes']:,} | {row['ratio']:.3f} |")
    out += [
        "",
        f"Update latency: {inv['median_ms_small']:.2f} ms with {inv['entries_small']:,} cached entries, "
        f"{inv['median_ms_large']:.2f} ms with {inv['entries_large']:,}. Method: {inv['method']}.",
        "",
        f"PATCH latency: {inv['patch']['median_ms_near']:.2f} ms as deployed (the near cache's lease is "
        f"{inv['patch']['lease_ms']:g} ms), {inv['patch']['median_ms_no_near']:.2f} ms on a server without it "
        f"(RESPONSE_CACHE_LEASE=0), median of {inv['patch']['samples']} each, alternated.",
        "",
        f"Scale ({scale['published_posts']:,} published posts, one client at a time, uncached): "
        + "; ".join(
            f"{scale[n]['label']}: {scale[n]['rps']:,.1f} req/s, p50 {scale[n]['p50_ms']:.2f} ms, "
            f"p99 {scale[n]['p99_ms']:.2f} ms"
            for n in ("v2_cursor_page_miss", "v1_deep_page_miss")
        )
        + f". `seed_demo` of {scale['seeded_posts']:,} posts: {scale['seed_seconds']:.1f} s.",
        "",
        f"![req/s per case]({'results/' + results['mode'] + '.png'})",
    ]
    return "\n".join(out)


RESULTS_HEADER = """# Benchmark results

Written by `make bench` (quick: 10,000 posts) and `make bench-full` (1,000,000 posts);
`bench/README.md` says what each figure is and how it is measured. Ratios are what
count: every figure of a run comes from the same machine within minutes, while absolute
req/s drift on shared machines. The raw figures are in `bench/results/{quick,full}.json`
(`latest.json` is the last run of either kind).

Cases: each cached (`hit`) case runs on a gunicorn as deployed (production settings,
response cache and near cache); each `miss` case on a second gunicorn with
`RESPONSE_CACHE_ENABLED=false` (the same code path as a miss, without the cache). Beside
them, in the same rounds, the peers of `bench/peers/`: the Flask tutorial this API grew out
of (flask-restx, Flask-Caching on the same Redis), FastAPI with fastapi-cache2, and the
floor: a bare `startproject` Django project answering a small JSON view with Django's
default middleware. Every case is checked before it is measured (status, `X-Cache`, a
hit's bytes), and a run with any error status fails. `Redis commands / request` is read
from Redis's own counters around each of our hit runs: within the near cache's lease a hit
asks Redis nothing.
"""


def save(results: dict) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS_DIR / "latest.json").write_text(text)
    (RESULTS_DIR / f"{results['mode']}.json").write_text(text)
    chart(results, RESULTS_DIR / f"{results['mode']}.png")
    write_results_md()


def write_results_md() -> None:
    """bench/RESULTS.md from the latest full and quick results."""
    sections = [RESULTS_HEADER]
    for mode in ("full", "quick"):
        path = RESULTS_DIR / f"{mode}.json"
        results = json.loads(path.read_text()) if path.exists() else {}
        if results.get("format") == FORMAT:
            sections.append(markdown(results))
        else:
            command = "make bench-full" if mode == "full" else "make bench"
            sections.append(f"### {mode.capitalize()} run\n\nNot run yet with this bench's cases: `{command}`.")
    RESULTS_MD.write_text("\n\n".join(sections) + "\n")


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = list(results["cases"].values())
    labels = [case["label"] for case in cases][::-1]
    values = [case["rps"] for case in cases][::-1]
    colors = ["#888888" if "floor" in label else "#d62728" if "miss" in label else "#1f77b4" for label in labels]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    bars = ax.barh(labels, values, color=colors)
    ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], padding=3, fontsize=8)
    ax.axvline(results["cases"]["floor"]["rps"], color="#888888", linestyle="--", linewidth=1)
    ax.set_xlabel("requests per second (gunicorn, 1 sync worker; wrk -t1 -c8)")
    ax.set_title(f"blogapi bench ({results['mode']}, {results['data']['posts']:,} posts), {results['date']}")
    ax.set_xlim(0, max(values) * 1.15)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
