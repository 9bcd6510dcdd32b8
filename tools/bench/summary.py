#!/usr/bin/env python3
"""Prints one benchmark table line from samples taken in the same run.

    summary.py SCENARIO UNIT GOAL "SAMPLES" ["ANCHOR_SAMPLES" [ANCHOR_NAME]]

SAMPLES are space-separated numbers (one per run). Prints the median and
min–max of each side and the ratio of the medians (this / anchor), as a
Markdown table row, so BENCHMARKS.md can take it as it is. When both sides
have one sample per run, the notes also give each run's own ratio, in run
order, and their median: the two sides of a run ran minutes apart at most,
so a pair cancels the machine's drift that the medians of the whole set
still carry.
"""
import statistics
import sys


def number(value):
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def describe(samples):
    return f"{number(statistics.median(samples))} ({number(min(samples))}–{number(max(samples))})"


def main():
    scenario, unit, goal, samples = sys.argv[1], sys.argv[2], sys.argv[3], [float(x) for x in sys.argv[4].split()]
    anchor = [float(x) for x in sys.argv[5].split()] if len(sys.argv) > 5 and sys.argv[5].strip() else []
    anchor_name = sys.argv[6] if len(sys.argv) > 6 else "anchor"
    row = [scenario, f"{describe(samples)} {unit}"]
    if anchor:
        # A tiny smoke run can measure an anchor of zero (CPU clock ticks): no ratio then.
        base = statistics.median(anchor)
        ratio = f"{statistics.median(samples) / base:.2f}×" if base else "—"
        row += [f"{anchor_name}: {describe(anchor)} {unit}", ratio]
    else:
        row += ["—", "—"]
    notes = f"n={len(samples)}"
    if anchor and len(anchor) == len(samples) and len(samples) > 1 and all(anchor):
        pairs = [mine / theirs for mine, theirs in zip(samples, anchor)]
        notes += f"; pairs in run order {', '.join(f'{p:.2f}' for p in pairs)}, median {statistics.median(pairs):.2f}×"
    row += [goal, notes]
    print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
