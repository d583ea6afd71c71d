#!/usr/bin/python3
"""Prints the comparison table: ops/s and p50 latency of each side, ratio Cheshire/OpenDHT."""
import json, sys
cheshire = {r["op"]: r for r in json.load(open(sys.argv[1]))}
opendht = {r["op"]: r for r in json.load(open(sys.argv[2]))}
print("| operation | Cheshire ops/s | Cheshire p50 ms | OpenDHT ops/s | OpenDHT p50 ms | ratio Cheshire/OpenDHT |")
print("|---|---:|---:|---:|---:|---:|")
for op, c in cheshire.items():
    o = opendht.get(op)
    failed = "" if c["ok"] == c["ops"] else f" ({c['ops'] - c['ok']} failed)"
    if o is None:
        print(f"| {op} | {c['ops_per_s']:.0f}{failed} | {c['p50_ms']:.1f} | n/a | n/a | n/a |")
        continue
    ofailed = "" if o["ok"] == o["ops"] else f" ({o['ops'] - o['ok']} failed)"
    print(f"| {op} | {c['ops_per_s']:.0f}{failed} | {c['p50_ms']:.1f} | {o['ops_per_s']:.0f}{ofailed} | {o['p50_ms']:.1f} | {c['ops_per_s'] / o['ops_per_s']:.2f}x |")
