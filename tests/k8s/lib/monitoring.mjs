// The monitoring objects' rules: which metric names a PromQL expression uses, which ones the
// suite's binaries export (read from their sources), and which pods the PodMonitors scrape.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./manifests.mjs";

const promqlWords = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
  "offset", "inf", "nan", "le",
]);

// The metric names an expression reads: identifiers outside label matchers, strings, grouping
// clauses and range selectors that are not followed by "(" (functions and aggregations).
export function metricNames(expr) {
  const text = String(expr)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set();
  for (const m of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = text.slice(m.index + m[0].length);
    if (/^\s*\(/.test(rest)) continue;
    if (promqlWords.has(m[0].toLowerCase())) continue;
    // Go template variables of annotations never reach here (only exprs are passed).
    names.add(m[0]);
  }
  return [...names];
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(cc|h)$/.test(entry)) out.push(p);
  }
  return out;
}

let exported = null;
// Metric names the binaries register (metrics::Metrics Gauge/Counter/Histogram calls and the
// fixed RPC families), from the sources of common/ and every service; histograms also export
// <name>_bucket, _sum and _count.
export function exportedMetrics() {
  if (exported) return exported;
  exported = new Set();
  const dirs = [path.join(repoRoot, "common/src")];
  for (const s of readdirSync(path.join(repoRoot, "services"))) {
    const src = path.join(repoRoot, "services", s, "src");
    try {
      if (statSync(src).isDirectory()) dirs.push(src);
    } catch {
      // a service folder without sources (not built here)
    }
  }
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\b(Gauge|Counter|Histogram|gauge|counter|histogram|Name)\(\s*"([a-z_][a-z0-9_]*)"/g)) {
      exported.add(m[2]);
      if (/histogram/i.test(m[1]) || /_seconds$/.test(m[2])) {
        for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(m[2] + suffix);
      }
    }
  }
  return exported;
}

// Names exported by others: Prometheus itself and CloudNativePG's instances.
export function isExternalMetric(name) {
  return name === "up" || name.startsWith("cnpg_");
}

export function unknownMetricProblems(where, expr, known = exportedMetrics()) {
  return metricNames(expr)
    .filter((n) => !known.has(n) && !isExternalMetric(n))
    .map((n) => `${where}: metric ${n} is exported by no binary of the suite`);
}
