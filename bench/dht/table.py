#!/usr/bin/python3
"""Prints the comparison table: ops/s, p50 latency and ops per CPU second of each side, and the ratios
Cheshire/OpenDHT for throughput and for CPU efficiency (the latter moves less with the machine's load)."""
import json, sys
cheshire = {r["op"]: r for r in json.load(open(sys.argv[1]))}
opendht = {r["op"]: r for r in json.load(open(sys.argv[2]))}

def per_cpu(r):
    return r["ops"] / r["cpu_seconds"] if r.get("cpu_seconds") else float("nan")

def failed(r):
    return "" if r["ok"] == r["ops"] else f" ({r['ops'] - r['ok']} failed)"

print("| operation | Cheshire ops/s | Cheshire p50 ms | Cheshire ops/CPU s | OpenDHT ops/s | OpenDHT p50 ms | OpenDHT ops/CPU s | Cheshire/OpenDHT ops/s | Cheshire/OpenDHT per CPU s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for op, c in cheshire.items():
    o = opendht.get(op)
    left = f"| {op} | {c['ops_per_s']:.0f}{failed(c)} | {c['p50_ms']:.1f} | {per_cpu(c):.0f}"
    if o is None:
        print(left + " | n/a | n/a | n/a | n/a | n/a |")
        continue
    print(left + f" | {o['ops_per_s']:.0f}{failed(o)} | {o['p50_ms']:.1f} | {per_cpu(o):.0f}"
          f" | {c['ops_per_s'] / o['ops_per_s']:.2f}x | {per_cpu(c) / per_cpu(o):.2f}x |")
