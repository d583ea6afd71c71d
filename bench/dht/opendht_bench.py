#!/usr/bin/python3
"""OpenDHT side of bench/dht-vs-opendht.sh: N DhtRunners in this process on 127.0.0.1, per-IP
rate limit off, each operation driven with a fixed number in flight. Prints one JSON line."""
import json, os, sys, threading, time
import opendht as dht

NODES = int(sys.argv[1]) if len(sys.argv) > 1 else 10
OPS = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
IN_FLIGHT = int(sys.argv[3]) if len(sys.argv) > 3 else 50
BASE_PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 47100

def start_nodes():
    runners = []
    for i in range(NODES):
        config = dht.DhtConfig()
        config.setBootstrapMode(False)
        config.setRateLimit(-1, -1)          # max_req_per_sec, max_peer_req_per_sec: off
        r = dht.DhtRunner()
        r.run(port=BASE_PORT + i, ipv4="127.0.0.1", ipv6="", config=config)
        runners.append(r)
    for r in runners[1:]:
        r.bootstrap("127.0.0.1", str(BASE_PORT))
    time.sleep(3)
    return runners

def drive(name, start_op):
    """Runs OPS operations, IN_FLIGHT at a time; start_op(i, done) must call done(ok) once."""
    sem = threading.Semaphore(IN_FLIGHT)
    lock = threading.Lock()
    finished = threading.Event()
    state = {"done": 0, "ok": 0, "lat": []}
    def one(i):
        sem.acquire()
        t0 = time.perf_counter()
        def done(ok, *_):
            with lock:
                state["done"] += 1
                state["ok"] += 1 if ok else 0
                state["lat"].append(time.perf_counter() - t0)
                if state["done"] == OPS: finished.set()
            sem.release()
        start_op(i, done)
    t0 = time.perf_counter()
    for i in range(OPS): one(i)
    finished.wait(120)
    elapsed = time.perf_counter() - t0
    lat = sorted(state["lat"]) or [float("nan")]
    return {"op": name, "ops": OPS, "ok": state["ok"], "seconds": elapsed, "ops_per_s": OPS / elapsed,
            "p50_ms": 1000 * lat[len(lat) // 2], "p99_ms": 1000 * lat[max(0, int(len(lat) * 0.99) - 1)]}

def main():
    runners = start_nodes()
    keys = [dht.InfoHash.get("bench-plain-%d" % i) for i in range(OPS)]
    payload = b"x" * 100
    results = []
    results.append(drive("plain put", lambda i, done: runners[i % NODES].put(keys[i], dht.Value(payload), done_cb=lambda ok, nodes: done(ok))))
    results.append(drive("plain get", lambda i, done: runners[(i + 3) % NODES].get(keys[i], get_cb=lambda v: True, done_cb=lambda ok, nodes: done(ok))))
    absent = [dht.InfoHash.get("bench-absent-%d" % i) for i in range(OPS)]
    results.append(drive("lookup", lambda i, done: runners[i % NODES].get(absent[i], get_cb=lambda v: True, done_cb=lambda ok, nodes: done(ok))))
    print(json.dumps(results), flush=True)
    os._exit(0)   # DhtRunner.join() can block on shutdown; the results are out

main()
