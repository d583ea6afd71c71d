#!/usr/bin/python3
"""Comparison table of bench/dht-vs-opendht.sh. Usage: table.py CHESHIRE.json... -- OPENDHT.json...
(one file per round; the rounds ran alternately). Prints the median of each figure over the rounds, the ratios
Cheshire/OpenDHT of the medians for throughput and per CPU second (the latter moves less with the machine's
load), and the throughput ratio of each round."""
import json, statistics, sys

split = sys.argv.index("--")
def load(paths):
    return [{r["op"]: r for r in json.load(open(p))} for p in paths]
cheshire, opendht = load(sys.argv[1:split]), load(sys.argv[split + 1:])

def per_cpu(r):
    return r["ops"] / r["cpu_seconds"] if r.get("cpu_seconds") else float("nan")

def median(rounds, op, f):
    return statistics.median(f(r[op]) for r in rounds if op in r)

def failures(rounds, op):
    n = sum(r[op]["ops"] - r[op]["ok"] for r in rounds if op in r)
    return f" ({n} failed)" if n else ""

print(f"Medians of {len(cheshire)} alternating rounds per side.\n")
print("| operation | Cheshire ops/s | Cheshire p50 ms | Cheshire ops/CPU s | OpenDHT ops/s | OpenDHT p50 ms | OpenDHT ops/CPU s"
      " | Cheshire/OpenDHT ops/s | Cheshire/OpenDHT per CPU s | ops/s ratio per round |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for op in cheshire[0]:
    c_ops, c_p50, c_cpu = (median(cheshire, op, f) for f in (lambda r: r["ops_per_s"], lambda r: r["p50_ms"], per_cpu))
    if not all(op in r for r in opendht):
        print(f"| {op} | {c_ops:.0f}{failures(cheshire, op)} | {c_p50:.1f} | {c_cpu:.0f} | n/a | n/a | n/a | n/a | n/a | |")
        continue
    o_ops, o_p50, o_cpu = (median(opendht, op, f) for f in (lambda r: r["ops_per_s"], lambda r: r["p50_ms"], per_cpu))
    rounds = ", ".join(f"{c[op]['ops_per_s'] / o[op]['ops_per_s']:.2f}" for c, o in zip(cheshire, opendht))
    print(f"| {op} | {c_ops:.0f}{failures(cheshire, op)} | {c_p50:.1f} | {c_cpu:.0f} | {o_ops:.0f}{failures(opendht, op)} | {o_p50:.1f}"
          f" | {o_cpu:.0f} | {c_ops / o_ops:.2f}x | {c_cpu / o_cpu:.2f}x | {rounds} |")
