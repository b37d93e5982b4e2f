// Who can reach whom under each overlay's NetworkPolicies, evaluated offline (lib/netpol.mjs):
// the gateway and each server's declared callers reach its gRPC port and nothing else does;
// monitoring reaches the admin ports; servers reach DNS, PostgreSQL when they have a schema,
// Redis when configured, the services they declare (annotation integration.lansstyrelsen.se/calls)
// and nothing else; the database and Redis accept only their clients.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  byKind,
  containerEnv,
  label,
  migrations,
  overlayNames,
  podPorts,
  podTemplate,
  rendered,
  servers,
  servicesTable,
} from "./lib/manifests.mjs";
import { allowed } from "./lib/netpol.mjs";

// Redis's TLS port (redis.conf tls-port; its plaintext port is 0, policy.test.mjs checks both).
const redisTlsPort = 6380;

function podOf(obj, ns) {
  const t = podTemplate(obj);
  return {
    what: `${obj.kind}/${obj.metadata.name}`,
    namespace: ns.metadata.name,
    namespaceLabels: { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name },
    labels: t.metadata.labels,
    ports: t.spec.containers.flatMap((c) => c.ports ?? []),
  };
}

function outside(namespace, nsLabels, labels, ports = []) {
  return {
    what: `${namespace}/${JSON.stringify(labels)}`,
    namespace,
    namespaceLabels: { ...nsLabels, "kubernetes.io/metadata.name": namespace },
    labels,
    ports,
  };
}

for (const overlay of overlayNames()) {
  describe(`overlay ${overlay}`, () => {
    const objects = rendered(overlay);
    const ns = byKind(objects, "Namespace")[0];
    const policies = byKind(objects, "NetworkPolicy");
    const table = servicesTable();
    const serverPods = servers(objects).map((d) => ({ d, pod: podOf(d, ns), svc: table.find((s) => s.name === d.metadata.labels[label.name]) }));
    const gateway = serverPods.find((s) => s.svc?.name === "gateway");
    const intruder = { ...outside(ns.metadata.name, ns.metadata.labels, { "app.kubernetes.io/name": "intruder" }, [{ name: "http", containerPort: 8080 }]), namespaceLabels: { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name } };
    const monitoring = outside("monitoring", { "integration.lansstyrelsen.se/monitoring": "true" }, { app: "prometheus" });
    const edge = outside("edge-proxies", { "integration.lansstyrelsen.se/edge": "true" }, { app: "envoy" });
    const otherNs = outside("elsewhere", {}, { app: "anything" });
    const dns = outside("kube-system", {}, { "k8s-app": "kube-dns" }, [{ name: "dns", containerPort: 53, protocol: "UDP" }]);
    const operator = outside("cnpg-system", {}, { "app.kubernetes.io/name": "cloudnative-pg" });
    const clusters = byKind(objects, "Cluster");
    const pgPods = clusters.map((c) => ({
      what: `postgres ${c.metadata.name}`,
      namespace: ns.metadata.name,
      namespaceLabels: { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name },
      labels: { "cnpg.io/cluster": c.metadata.name, "cnpg.io/instanceRole": "primary" },
      ports: [{ name: "postgresql", containerPort: 5432 }, { name: "status", containerPort: 8000 }, { name: "metrics", containerPort: 9187 }],
    }));
    const redis = byKind(objects, "StatefulSet").filter((s) => s.metadata.labels[label.name] === "redis").map((s) => podOf(s, ns));
    const internet = { ip: "203.0.113.10", what: "an Internet address" };

    const check = (problems, expect, src, dst, port, protocol = "TCP") => {
      const got = allowed(policies, src, dst, port, protocol);
      if (got !== expect) problems.push(`${src.what} -> ${dst.what}:${port}/${protocol} is ${got ? "allowed" : "denied"}, expected ${expect ? "allowed" : "denied"}`);
    };

    test("the modelled workloads exist", () => {
      assert.ok(serverPods.length > 0 && gateway, "servers and the gateway");
      // None when the overlay uses a managed PostgreSQL or Redis instead (k8s/README.md).
      assert.ok(pgPods.length <= 1 && redis.length <= 1, "at most one PostgreSQL cluster and one Redis");
    });

    test("only the gateway and declared callers reach a server's gRPC port; only monitoring its admin port", () => {
      const problems = [];
      for (const { pod, d } of serverPods) {
        check(problems, pod === gateway.pod, edge, pod, podPorts.grpc);
        check(problems, false, intruder, pod, podPorts.grpc);
        check(problems, false, otherNs, pod, podPorts.grpc);
        check(problems, true, monitoring, pod, podPorts.admin);
        check(problems, false, monitoring, pod, podPorts.grpc);
        check(problems, false, intruder, pod, podPorts.admin);
        for (const caller of serverPods) {
          if (caller.d === d) continue;
          const calls = (caller.d.metadata.annotations?.[label.calls] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
          const expect = calls.includes("*") || calls.includes(d.metadata.labels[label.name]);
          check(problems, expect, caller.pod, pod, podPorts.grpc);
          check(problems, false, caller.pod, pod, podPorts.admin);
        }
      }
      check(problems, true, edge, gateway.pod, 8080);
      check(problems, false, intruder, gateway.pod, 8080);
      assert.deepEqual(problems, []);
    });

    test("servers reach DNS, their database, Redis and declared services, nothing else", () => {
      const problems = [];
      for (const { pod, d, svc } of serverPods) {
        const container = podTemplate(d).spec.containers.find((c) => c.name === "server");
        const { env } = containerEnv(objects, container);
        check(problems, true, pod, dns, 53, "UDP");
        for (const pg of pgPods) check(problems, env.has(`${svc.prefix}_PG_DSN`), pod, pg, 5432);
        // Redis only over TLS (6380, through the pod's stunnel sidecar); it has no plaintext port.
        for (const r of redis) check(problems, env.has(`${svc.prefix}_REDIS_ADDR`), pod, r, redisTlsPort);
        for (const r of redis) check(problems, false, pod, r, 6379);
        check(problems, false, pod, intruder, 8080);
        check(problems, false, pod, internet, 443);
        check(problems, false, pod, otherNs, 443);
      }
      assert.deepEqual(problems, []);
    });

    test("pods that migrate reach DNS and the database, not the internet", () => {
      const problems = [];
      const migrating = migrations(objects);
      assert.ok(migrating.length > 0, "no workload runs migrations");
      for (const w of migrating) {
        const pod = podOf(w, ns);
        check(problems, true, pod, dns, 53, "UDP");
        for (const pg of pgPods) check(problems, true, pod, pg, 5432);
        check(problems, false, pod, internet, 443);
        check(problems, false, intruder, pod, 8080);
      }
      assert.deepEqual(problems, []);
    });

    test("PostgreSQL and Redis accept only their clients, replication and the operator", () => {
      const problems = [];
      for (const pg of pgPods) {
        check(problems, false, intruder, pg, 5432);
        check(problems, false, otherNs, pg, 5432);
        check(problems, true, pg, pg, 5432);
        check(problems, true, operator, pg, 8000);
        check(problems, true, monitoring, pg, 9187);
        // Base backups and WAL go to the object store, the instance manager to the API server.
        check(problems, true, pg, internet, 443);
        for (const r of redis) check(problems, false, pg, r, redisTlsPort);
      }
      for (const r of redis) {
        check(problems, false, intruder, r, redisTlsPort);
        check(problems, false, otherNs, r, redisTlsPort);
        check(problems, false, r, internet, 443);
      }
      assert.deepEqual(problems, []);
    });
  });
}
