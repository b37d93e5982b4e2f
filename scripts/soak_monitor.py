#!/usr/bin/env python3
"""The sampler of ./dev soak: once a minute, per component (name:pid:admin_port), resident
memory, open sockets, the PostgreSQL pool and the calls and mean latency of that minute (from
the admin /metrics), plus the load's client-side latency; at the end the verdict on memory."""
import argparse
import glob
import json
import os
import re
import sys
import time
import urllib.request


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sockets(pid):
    n = 0
    for fd in glob.glob(f"/proc/{pid}/fd/*"):
        try:
            if os.readlink(fd).startswith("socket:"):
                n += 1
        except OSError:
            pass
    return n


METRIC = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def metrics(port):
    """Sums of the samples we use: pool gauges and the server's handling-time histogram."""
    out = {"pg_open": 0.0, "pg_in_use": 0.0, "calls": 0.0, "seconds": 0.0}
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        m = METRIC.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name == "integration_pg_pool_connections":
            if 'state="open"' in labels:
                out["pg_open"] += value
            elif 'state="in_use"' in labels:
                out["pg_in_use"] += value
        elif name == "grpc_server_handling_seconds_count":
            out["calls"] += value
        elif name == "grpc_server_handling_seconds_sum":
            out["seconds"] += value
    return out


def load_latency(out_dir):
    """p50/p99 (ms) of each load loop's run that ended last."""
    parts = []
    for kind in ("read", "learner", "application"):
        runs = sorted(glob.glob(os.path.join(out_dir, "load", f"{kind}.*.json")))
        if not runs:
            continue
        try:
            r = json.load(open(runs[-1]))
            latency = r.get("latency_ms", {})
            parts.append(f"{kind} p50 {float(latency.get('p50', 0)):.1f} "
                         f"p99 {float(latency.get('p99', 0)):.1f} ms "
                         f"ok {int(r.get('ok', 0))} err {int(r.get('errors', 0))}")
        except (OSError, ValueError):
            pass
    return "; ".join(parts)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=int, required=True)
    p.add_argument("--warmup", type=int, required=True)
    p.add_argument("components", nargs="+")
    a = p.parse_args()
    comps = [c.split(":") for c in a.components]
    tsv = open(os.path.join(a.out, "report.tsv"), "w")
    tsv.write("minute\tcomponent\trss_mib\tsockets\tpg_open\tpg_in_use\tcalls\tmean_ms\n")
    previous = {name: metrics(port) for name, _, port in comps}
    rss = {name: [] for name, _, _ in comps}
    start = time.time()
    for minute in range(1, a.minutes + 1):
        time.sleep(max(0, start + minute * 60 - time.time()))
        print(f"--- minute {minute}/{a.minutes}  load: {load_latency(a.out)}", flush=True)
        for name, pid, port in comps:
            try:
                r = rss_kib(pid) / 1024
                s = sockets(pid)
            except OSError:
                print(f"  {name}: process {pid} is gone", flush=True)
                rss[name].append(float("nan"))
                continue
            m = metrics(port)
            prev = previous.get(name)
            calls = mean = 0.0
            if m and prev:
                calls = m["calls"] - prev["calls"]
                mean = (m["seconds"] - prev["seconds"]) / calls * 1000 if calls > 0 else 0.0
            previous[name] = m
            rss[name].append(r)
            pg = f"pg {m['pg_open']:.0f}/{m['pg_in_use']:.0f}" if m else "pg -"
            print(f"  {name:15s} rss {r:7.1f} MiB  sockets {s:4d}  {pg:10s}  calls {calls:6.0f}"
                  f"  mean {mean:7.2f} ms", flush=True)
            tsv.write(f"{minute}\t{name}\t{r:.1f}\t{s}\t{m['pg_open'] if m else ''}\t"
                      f"{m['pg_in_use'] if m else ''}\t{calls:.0f}\t{mean:.2f}\n")
        tsv.flush()
    failed = False
    lines = ["| component | RSS after warm-up (MiB) | RSS at the end (MiB) | growth | verdict |",
             "| --- | ---: | ---: | ---: | --- |"]
    for name, _, _ in comps:
        series = rss[name]
        base, last = series[a.warmup - 1], series[-1]
        growth = (last - base) / base * 100 if base else float("nan")
        bad = not (growth <= 10.0)
        failed |= bad
        lines.append(f"| {name} | {base:.1f} | {last:.1f} | {growth:+.1f} % | {'FAIL' if bad else 'ok'} |")
    report = (f"# Soak {a.minutes} min (warm-up {a.warmup} min)\n\n" + "\n".join(lines) +
              "\n\nPer minute: report.tsv; the load's runs: load/.\n")
    open(os.path.join(a.out, "report.md"), "w").write(report)
    print(report)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
