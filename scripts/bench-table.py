#!/usr/bin/env python3
"""Renders ledger-bench's JSON Lines figures ($LEDGER_BENCH_RESULTS) as one
Markdown table: a row per figure, a column per ledger size, and the ratio of
the figure at the largest size to the smallest (how it scales).

    python3 scripts/bench-table.py results.jsonl
"""
import json
import sys

if len(sys.argv) != 2:
    sys.exit("usage: bench-table.py RESULTS.jsonl")
rows = {}      # (benchmark, metric) -> {events: value}
units = {}
order = []
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            key = (r["benchmark"], r["metric"])
            events, value, unit = int(r["events"]), float(r["value"]), r["unit"]
        except (ValueError, KeyError, TypeError) as e:
            sys.exit(f"{sys.argv[1]}:{number}: not a figure ({e})")
        if events <= 0:
            sys.exit(f"{sys.argv[1]}:{number}: a figure of {events} events")
        if key not in rows:
            rows[key] = {}
            order.append(key)
        rows[key][events] = value  # a later run of the same size replaces an earlier one
        units[key] = unit
if not rows:
    sys.exit(f"{sys.argv[1]}: no figures")
sizes = sorted({n for values in rows.values() for n in values})


def fmt(v):
    if abs(v) >= 100_000:
        return f"{v / 1000:,.0f} k".replace(",", " ")
    if abs(v) >= 100:
        return f"{v:,.0f}".replace(",", " ")
    return f"{v:.3g}"


scaling = len(sizes) > 1  # the last column: a figure at the largest size over the smallest
header = "| figure | unit | " + " | ".join(f"{n:,}".replace(",", " ") for n in sizes) + " |"
print(header + (f" {sizes[-1] / sizes[0]:g}× events |" if scaling else ""))
print("|---|---|" + "---|" * (len(sizes) + (1 if scaling else 0)))
one_benchmark = len({benchmark for benchmark, _ in order}) == 1
for key in order:
    values = rows[key]
    cells = [fmt(values[n]) if n in values else "—" for n in sizes]
    first, last = values.get(sizes[0]), values.get(sizes[-1])
    ratio = f"{last / first:.2f}×" if first and last is not None else "—"
    name = key[1] if one_benchmark else f"{key[0]} {key[1]}"
    print(f"| {name} | {units[key]} | " + " | ".join(cells) + " |" + (f" {ratio} |" if scaling else ""))
