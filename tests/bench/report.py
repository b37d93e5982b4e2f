#!/usr/bin/env python3
"""Helpers of ./dev bench (scripts/bench.sh): pgbench output to the result JSON of
integration-bench, small JSON look-ups, and the Markdown report of one run.

  report.py pgbench --label L --mode closed|open --rate R --clients C --stdout FILE
                    [--log-prefix P] --out FILE
  report.py get FILE KEY[.KEY...]           prints one value of a result JSON (0 if missing)
  report.py render RUN_DIR                  writes RUN_DIR/report.md and prints its path
"""
import glob
import json
import math
import os
import re
import sys

MIB = 1024.0


def die(message):
    sys.exit(f"report.py: {message}")


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_block(values_ms, mean=None):
    values_ms = sorted(values_ms)
    block = {
        "count": len(values_ms),
        "p50": percentile(values_ms, 0.50),
        "p90": percentile(values_ms, 0.90),
        "p99": percentile(values_ms, 0.99),
        "p999": percentile(values_ms, 0.999),
        "max": values_ms[-1] if values_ms else 0.0,
        "min": values_ms[0] if values_ms else 0.0,
        "mean": (sum(values_ms) / len(values_ms)) if values_ms else 0.0,
    }
    if mean is not None and not values_ms:
        block["mean"] = mean
    return block


def cmd_pgbench(args):
    opts = {}
    it = iter(args)
    for key in it:
        if not key.startswith("--"):
            die(f"pgbench: unexpected argument {key}")
        opts[key[2:]] = next(it, None)
    for required in ("label", "mode", "clients", "stdout", "out"):
        if not opts.get(required):
            die(f"pgbench: --{required} is required")
    text = open(opts["stdout"], encoding="utf-8", errors="replace").read()

    def number(pattern, default=None):
        m = re.search(pattern, text, re.MULTILINE)
        if not m:
            if default is None:
                die(f"pgbench output {opts['stdout']} has no line matching {pattern!r}")
            return default
        return float(m.group(1))

    processed = number(r"^number of transactions actually processed: (\d+)")
    failed = number(r"^number of failed transactions: (\d+)", 0.0)
    duration = number(r"^duration: (\d+) s")
    tps = number(r"^tps = ([0-9.]+) \(without initial connection time\)")
    avg = number(r"^latency average = ([0-9.]+) ms", 0.0)
    values = []
    prefix = opts.get("log-prefix")
    if prefix:
        # Per transaction: client_id transaction_no time script_no time_epoch time_us
        # [schedule_lag]; time and lag in microseconds. Under --rate the latency that counts is
        # from the SCHEDULED start: time + schedule_lag (no coordinated omission).
        for path in glob.glob(prefix + ".*"):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    fields = line.split()
                    if len(fields) < 6 or fields[2] == "skipped":
                        continue
                    us = float(fields[2]) + (float(fields[6]) if len(fields) > 6 else 0.0)
                    values.append(us / 1000.0)
    result = {
        "label": opts["label"],
        "transport": "pgbench",
        "mode": opts["mode"],
        "concurrency": int(opts["clients"]),
        "rate": float(opts.get("rate") or 0),
        "window_s": duration,
        "sent": processed + failed,
        "ok": processed,
        "errors": failed,
        "throughput": tps,
        "offered": (processed + failed) / duration if duration else 0.0,
        "latency_ms": latency_block(values, mean=avg),
        "codes": {"OK": processed, **({"FAILED": failed} if failed else {})},
        "messages": {},
        "total_calls": processed + failed,
    }
    with open(opts["out"], "w", encoding="utf-8") as f:
        json.dump(result, f)
        f.write("\n")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cmd_get(args):
    if len(args) != 2:
        die("get FILE KEY")
    value = load(args[0])
    for part in args[1].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    print(value if isinstance(value, (int, float)) else 0)


def read_tsv(path):
    rows = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    rows.append(line.split("\t"))
    return rows


def fmt_rate(v):
    if v is None:
        return "–"
    return f"{v:,.0f}".replace(",", " ") if v >= 100 else f"{v:.1f}"


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}".replace(",", " ")


def errors_of(results):
    """Non-OK outcomes over every run of a scenario, e.g. "RESOURCE_EXHAUSTED 12 / 3 400"."""
    total = 0
    bad = {}
    for r in results:
        if not r:
            continue
        for code, n in r.get("codes", {}).items():
            total += n
            if code != "OK":
                bad[code] = bad.get(code, 0) + n
    if not bad:
        return "0"
    parts = ", ".join(f"{code} {int(n)}" for code, n in sorted(bad.items()))
    return f"{parts} of {int(total)}"


def first_messages(results):
    out = {}
    for r in results:
        if r:
            for code, m in r.get("messages", {}).items():
                out.setdefault(code, m)
    return out


def latency_cell(r):
    if not r:
        return "–"
    lat = r.get("latency_ms", {})
    if not lat.get("count"):
        return "no successful call"
    cell = f"{fmt_ms(lat.get('p50'))} / {fmt_ms(lat.get('p99'))}"
    rate = r.get("rate") or 0
    if rate and r.get("throughput", 0) < 0.95 * rate:
        cell += f" (overloaded: {fmt_rate(r.get('throughput'))}/s done)"
    return cell


def cmd_render(args):
    if len(args) != 1:
        die("render RUN_DIR")
    run = args[0]
    res = lambda label, kind: load(os.path.join(run, "results", f"{label}.{kind}.json"))
    info = dict((r[0], r[1]) for r in read_tsv(os.path.join(run, "info.tsv")) if len(r) >= 2)
    plan = read_tsv(os.path.join(run, "plan.tsv"))
    titles = {row[0]: row[1] for row in plan if len(row) >= 2}

    def server_cpu_us(label):
        """CPU µs per call of the processes serving a scenario (not the load generator)."""
        closed = res(label, "closed")
        calls = (closed or {}).get("total_calls") or 0
        rows = read_tsv(os.path.join(run, "results", f"{label}.closed.cpu.tsv"))
        if not calls or not rows:
            return None
        return sum(float(r[1]) for r in rows if len(r) >= 2) * 1e6 / calls

    lines = []
    add = lines.append
    add(f"# Benchmark report {info.get('started', '')}")
    add("")
    add(f"Machine: {info.get('cpu', '?')}, {info.get('cores', '?')} cores, load average before the "
        f"run {info.get('loadavg', '?')}. Commit {info.get('commit', '?')}. Closed loop: "
        f"{info.get('concurrency', '?')} calls in flight over {info.get('channels', '?')} gRPC "
        f"channels (HTTP and pgbench: as many connections); each run {info.get('warmup', '?')} s "
        f"warm-up + {info.get('duration', '?')} s measured. Open loop: calls started on a fixed "
        f"schedule, latency from the intended start (no coordinated omission).")
    add("")
    add("Throughput is the closed-loop maximum; the ratio compares it with the scenario's ceiling "
        "measured in this same run. Latency columns are open-loop runs at half the ceiling's "
        "throughput and, where that rate is beyond the scenario's own maximum, also at half its "
        "own maximum.")
    add("")
    add("The CPU columns are steadier than throughput on a shared machine: server CPU is the time "
        "the serving processes (not the load generator) spent per call, and the CPU ratio is the "
        "ceiling's server CPU per call divided by the scenario's — the throughput ratio to expect "
        "when the machine is CPU-bound and nothing else runs.")
    add("")
    add("| scenario | throughput /s | ceiling | ratio | server CPU µs/call | CPU ratio "
        "| rate @ 50 % ceiling | p50 / p99 ms @ 50 % ceiling | p50 / p99 ms @ 50 % own max | errors |")
    add("| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- |")
    notes = []
    for row in plan:
        label, title, ceiling = row[0], row[1], row[2]
        note = row[3] if len(row) > 3 else ""
        closed = res(label, "closed")
        name = f"{title} `{label}`"
        if closed is None:
            add(f"| {name} | – | {f'`{ceiling}`' if ceiling != '-' else '–'} | – | – | – | – | – "
                f"| – | {note or 'not run'} |")
            continue
        half = res(label, "half-ceiling")
        own = res(label, "half-own")
        tput = closed.get("throughput", 0)
        if ceiling == label:
            ceiling_name, ratio = "itself", "1.00"
        elif ceiling == "-":
            ceiling_name, ratio = "–", "–"
        else:
            c = res(ceiling, "closed")
            ceiling_name = f"`{ceiling}`"
            ratio = f"{tput / c['throughput']:.2f}" if c and c.get("throughput") else "–"
        rate = fmt_rate(half.get("rate")) if half else "–"
        cpu = server_cpu_us(label)
        cpu_ceiling = server_cpu_us(ceiling) if ceiling != "-" else None
        cpu_ratio = f"{cpu_ceiling / cpu:.2f}" if cpu and cpu_ceiling else "–"
        add(f"| {name} | {fmt_rate(tput)} | {ceiling_name} | {ratio} "
            f"| {f'{cpu:.0f}' if cpu else '–'} | {cpu_ratio} | {rate} | {latency_cell(half)} "
            f"| {latency_cell(own) if own else '–'} | {errors_of([closed, half, own])} |")
        for code, m in first_messages([closed, half, own]).items():
            notes.append(f"- {title}: first {code}: {m.strip()[:200]}")
        if note:
            notes.append(f"- {title}: {note}")
    if notes:
        add("")
        add("Notes:")
        lines.extend(notes)

    # --- goals of issue 7 -------------------------------------------------------------------
    def tput(label):
        r = res(label, "closed")
        return r.get("throughput") if r else None

    def lat(label, kind, key):
        r = res(label, kind)
        if not r or not r.get("latency_ms", {}).get("count"):
            return None
        return r["latency_ms"].get(key)

    def cpu_note(label, ceiling):
        a, b = server_cpu_us(label), server_cpu_us(ceiling)
        return f" (CPU ratio {b / a:.0%})" if a and b else ""

    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "NOT met")

    add("")
    add("## Goals (issue 7)")
    add("")
    add("| goal | measured | |")
    add("| --- | --- | --- |")
    fwd = tput("fwd")
    for label in ("gw_read_cached", "gw_read_uncached"):
        t = tput(label)
        if t is not None and fwd:
            add(f"| {titles.get(label, label)} ≥ 50 % of the one-hop echo | {t / fwd:.0%}"
                f"{cpu_note(label, 'fwd')} | {verdict(t / fwd >= 0.5)} |")
        p99 = lat(label, "half-ceiling", "p99")
        if p99 is not None:
            add(f"| {titles.get(label, label)}: p99 ≤ 5 ms at half load (50 % of the one-hop ceiling) "
                f"| {fmt_ms(p99)} ms | {verdict(p99 <= 5.0)} |")
            p99_own = lat(label, "half-own", "p99")
            if p99_own is not None:
                add(f"| … at half of its own maximum | {fmt_ms(p99_own)} ms | {verdict(p99_own <= 5.0)} |")
    w, n = tput("gw_write"), tput("pg_update")
    if w is not None and n:
        add(f"| write through the gateway ≥ 40 % of pgbench simple-update TPS (same concurrency) "
            f"| {w / n:.0%}{cpu_note('gw_write', 'pg_update')} | {verdict(w / n >= 0.4)} |")
    h, g = tput("http_read"), tput("gw_read_cached")
    if h is not None and g:
        add(f"| HTTP/JSON ≥ 70 % of the gRPC path (same cached read) | {h / g:.0%}"
            f"{cpu_note('http_read', 'gw_read_cached')} | {verdict(h / g >= 0.7)} |")
    base = lat("list_1k_first", "half-ceiling", "p50")
    for label in ("list_1k_deep", "list_1m_first", "list_1m_deep"):
        v = lat(label, "half-ceiling", "p50")
        if base and v is not None:
            add(f"| page latency: {titles.get(label, label)} within 1.2× of the 1 000-row first page "
                f"(p50 at the same rate) | {v / base:.2f}× ({fmt_ms(v)} vs {fmt_ms(base)} ms) "
                f"| {verdict(v / base <= 1.2)} |")
    rss = read_tsv(os.path.join(run, "rss.tsv"))
    for name, pid, kib, when in (r for r in rss if len(r) >= 4):
        mib = float(kib) / MIB
        add(f"| idle memory ≤ 30 MiB RSS: {name} ({when}) | {mib:.1f} MiB | {verdict(mib <= 30.0)} |")
    starts = {}
    for r in read_tsv(os.path.join(run, "startup.tsv")):
        if len(r) >= 2:
            starts.setdefault(r[0], []).append(float(r[1]))
    for name, values in starts.items():
        values.sort()
        median = values[len(values) // 2]
        add(f"| start to SERVING ≤ 1 s: {name} | median {median:.0f} ms of {len(values)} "
            f"(max {values[-1]:.0f} ms) | {verdict(values[-1] <= 1000.0)} |")

    # --- goals of issue 21 ------------------------------------------------------------------
    goals21 = []
    pg_n = tput("pg_update")
    for label in ("gw_write", "grants_write", "arrival_write", "orientation_write", "em_write"):
        t = tput(label)
        if t is not None and pg_n:
            goals21.append(f"| {titles.get(label, label)} ≥ 40 % of pgbench simple-update TPS "
                           f"| {t / pg_n:.0%}{cpu_note(label, 'pg_update')} | {verdict(t / pg_n >= 0.4)} |")
    for label in ("gw_read_uncached", "placement_read", "orientation_read", "em_read"):
        t = tput(label)
        if t is not None and fwd:
            goals21.append(f"| {titles.get(label, label)} ≥ 70 % of the forwarding hop | {t / fwd:.0%}"
                           f"{cpu_note(label, 'fwd')} | {verdict(t / fwd >= 0.7)} |")
        p99 = lat(label, "half-ceiling", "p99")
        if p99 is not None:
            goals21.append(f"| {titles.get(label, label)}: p99 ≤ 5 ms at half of the hop's rate "
                           f"| {fmt_ms(p99)} ms | {verdict(p99 <= 5.0)} |")
    rt, raw = tput("echo_runtime"), tput("echo_raw")
    if rt is not None and raw:
        goals21.append(f"| the service runtime ≥ 80 % of plain echo | {rt / raw:.0%}"
                       f"{cpu_note('echo_runtime', 'echo_raw')} | {verdict(rt / raw >= 0.8)} |")
    if goals21:
        add("")
        add("## Goals (issue 21)")
        add("")
        add("The exam hour has its own section below; idle memory is in the goals above.")
        add("")
        add("| goal | measured | |")
        add("| --- | --- | --- |")
        lines.extend(goals21)

    # --- CPU per call -------------------------------------------------------------------------
    cpu_rows = []
    for row in plan:
        label, title = row[0], row[1]
        closed = res(label, "closed")
        cpu = read_tsv(os.path.join(run, "results", f"{label}.closed.cpu.tsv"))
        calls = (closed or {}).get("total_calls") or 0
        if not closed or not calls:
            continue
        parts = []
        total = 0.0
        client = closed.get("client_cpu_s")
        if client is not None:
            parts.append(f"client {client * 1e6 / calls:.0f}")
        for name, seconds in (r for r in cpu if len(r) >= 2):
            us = float(seconds) * 1e6 / calls
            total += us
            parts.append(f"{name} {us:.0f}")
        cpu_rows.append(f"| {title} `{label}` | {total:.0f} | {' · '.join(parts)} |")
    if cpu_rows:
        add("")
        add("## CPU per call")
        add("")
        add("CPU time (user + system) each process spent per call during the closed-loop run, "
            "warm-up included, in µs; PostgreSQL counts every backend. Less sensitive to what "
            "else runs on the machine than throughput, and the place to look for the cost of a "
            "scenario.")
        add("")
        add("| scenario | server side µs/call | by process (µs/call) |")
        add("| --- | ---: | --- |")
        lines.extend(cpu_rows)

    checks = read_tsv(os.path.join(run, "checks.tsv"))
    if checks:
        add("")
        add("Checks made before measuring:")
        for r in checks:
            add(f"- {r[0]}: {r[1] if len(r) > 1 else ''}")
    add("")
    add(f"Raw results: {os.path.join(run, 'results')} (one JSON per run), logs in "
        f"{os.path.join(run, 'logs')}.")
    path = os.path.join(run, "report.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(path)


def main():
    if len(sys.argv) < 2:
        die(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "pgbench":
        cmd_pgbench(args)
    elif cmd == "get":
        cmd_get(args)
    elif cmd == "render":
        cmd_render(args)
    else:
        die(f"unknown command {cmd}\n{__doc__}")


if __name__ == "__main__":
    main()
