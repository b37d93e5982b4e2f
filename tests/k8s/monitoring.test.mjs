// Monitoring in every overlay: every server and the PostgreSQL instances are scraped, the
// alerts the operators need exist and read only metrics the binaries (or CloudNativePG)
// export, and the Grafana dashboard is valid JSON over the same metrics.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { byKind, id, overlayNames, podTemplate, rendered, servers } from "./lib/manifests.mjs";
import { exportedMetrics, metricNames, unknownMetricProblems } from "./lib/monitoring.mjs";
import { matchesSelector } from "./lib/netpol.mjs";
import { cnpgInstanceLabels } from "./lib/policy.mjs";

// What each alert of the list watches: the metric its expression must read.
const requiredAlerts = new Map([
  ["service not ready", "integration_server_serving"],
  ["error ratio", "grpc_server_handled_total"],
  ["p99 latency", "grpc_server_handling_seconds_bucket"],
  ["outbox backlog", "integration_outbox_oldest_unpublished_age_seconds"],
  ["backup age", "cnpg_collector_last_available_backup_timestamp"],
  ["replication lag", "cnpg_pg_replication_lag"],
  ["rate-limit rejections", "gateway_rate_limited_total"],
]);

test("the metric parser finds metric names, not functions, labels or keywords", () => {
  assert.deepEqual(
    metricNames('histogram_quantile(0.99, sum by (job, le) (rate(grpc_server_handling_seconds_bucket{job="x"}[5m]))) > 1 and on(job) up == 0').sort(),
    ["grpc_server_handling_seconds_bucket", "up"],
  );
  assert.ok(exportedMetrics().has("grpc_server_handled_total"));
  assert.ok(exportedMetrics().has("gateway_rate_limited_total"));
  assert.match(unknownMetricProblems("r", "rate(grpc_server_handled_totals[5m])").join(), /grpc_server_handled_totals is exported by no binary/);
  assert.deepEqual(unknownMetricProblems("r", "cnpg_pg_replication_lag > 1"), []);
});

for (const overlay of overlayNames()) {
  describe(`overlay ${overlay}`, () => {
    const objects = () => rendered(overlay);

    test("every server's admin port and every PostgreSQL instance is scraped by a PodMonitor", () => {
      const monitors = byKind(objects(), "PodMonitor");
      const problems = [];
      for (const d of servers(objects())) {
        const labels = podTemplate(d).metadata.labels;
        const ports = (podTemplate(d).spec.containers ?? []).flatMap((c) => c.ports ?? []);
        const scraping = monitors.filter((m) => matchesSelector(m.spec.selector, labels));
        const ok = scraping.some((m) =>
          m.spec.podMetricsEndpoints.some((e) => {
            const port = ports.find((p) => p.name === e.port);
            return port?.containerPort === 9090 && (e.path ?? "/metrics") === "/metrics";
          }));
        if (!ok) problems.push(`${id(d)}: no PodMonitor scrapes its admin port's /metrics`);
      }
      for (const c of byKind(objects(), "Cluster")) {
        const ok = monitors.some((m) => matchesSelector(m.spec.selector, cnpgInstanceLabels(c)) &&
          m.spec.podMetricsEndpoints.some((e) => e.port === "metrics"));
        if (!ok) problems.push(`${id(c)}: no PodMonitor scrapes the instances' metrics port`);
      }
      assert.deepEqual(problems, []);
    });

    test("the alerts cover what operators need and read only exported metrics", () => {
      const rules = byKind(objects(), "PrometheusRule").flatMap((r) => r.spec.groups.flatMap((g) => g.rules));
      const alerts = rules.filter((r) => r.alert);
      const problems = [];
      for (const r of rules) problems.push(...unknownMetricProblems(r.alert ?? r.record, r.expr));
      for (const a of alerts) {
        if (!["critical", "warning", "info"].includes(a.labels?.severity)) problems.push(`${a.alert}: no severity`);
        if (!a.annotations?.summary) problems.push(`${a.alert}: no summary`);
      }
      for (const [what, metric] of requiredAlerts) {
        if (!alerts.some((a) => metricNames(a.expr).includes(metric))) problems.push(`no alert on ${what} (${metric})`);
      }
      assert.deepEqual(problems, []);
    });

    test("the Grafana dashboard is valid JSON whose panels read exported metrics", () => {
      const maps = byKind(objects(), "ConfigMap").filter((c) => c.metadata.labels?.grafana_dashboard === "1");
      assert.equal(maps.length, 1, "one dashboard ConfigMap");
      const problems = [];
      for (const [file, text] of Object.entries(maps[0].data)) {
        const dash = JSON.parse(text);
        assert.ok(dash.uid && dash.title, `${file}: no uid or title`);
        assert.ok(dash.panels.length > 0, `${file}: no panels`);
        for (const p of dash.panels) {
          if (!p.targets?.length) problems.push(`${file} panel ${p.title}: no query`);
          for (const t of p.targets ?? []) problems.push(...unknownMetricProblems(`${file} panel ${p.title}`, t.expr.replaceAll("$namespace", "ns")));
        }
      }
      assert.deepEqual(problems, []);
    });
  });
}
