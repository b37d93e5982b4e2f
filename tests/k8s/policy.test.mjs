// Rules every overlay must follow: probes, resources, security context and pinned images on
// every container; a PodDisruptionBudget and network policies for every Deployment; the
// shutdown timing of every server; no Secret in the manifests and every referenced Secret
// documented for operators; autoscaling and spreading in prod only; the restricted Pod
// Security Standard on the namespace; no gRPC reflection in prod.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  byKind,
  containerEnv,
  containersOf,
  id,
  k8sDir,
  label,
  overlayNames,
  podTemplate,
  rendered,
  servers,
  servicesTable,
  suite,
  workloadKinds,
} from "./lib/manifests.mjs";
import {
  containerProblems,
  imageProblems,
  jobProblems,
  networkPolicyProblems,
  pdbProblems,
  pdbsFor,
  podProblems,
  postgresClusterProblems,
  quotaProblems,
  redisProblems,
  redisTlsProblems,
  secretProblems,
  secretReferences,
  serverProblems,
  syncWaveProblems,
  tlsProblems,
  topologySpreadProblems,
} from "./lib/policy.mjs";

// Secrets the operators create themselves, not the people installing the suite.
const operatorSecrets = new Map([["integration-pg-ca", "created by CloudNativePG for the cluster integration-pg"]]);

function prefixOf(deployment) {
  const name = deployment.metadata.labels[label.name];
  return servicesTable().find((s) => s.name === name)?.prefix ?? name.toUpperCase();
}

for (const overlay of overlayNames()) {
  describe(`overlay ${overlay}`, () => {
    const objects = () => rendered(overlay);
    const workloads = () => objects().filter((o) => workloadKinds.has(o.kind));

    test("every container has probes (long-running), requests and limits, the security context and a pinned image", () => {
      assert.deepEqual(workloads().flatMap(containerProblems), []);
    });

    test("the PostgreSQL operator's image is pinned too", () => {
      const problems = byKind(objects(), "Cluster").flatMap((c) =>
        c.spec.imageName === undefined
          ? [`${id(c)}: no imageName (the operator's default changes with its version)`]
          : imageProblems(c.spec.imageName).map((p) => `${id(c)}: ${p}`),
      );
      assert.deepEqual(problems, []);
    });

    test("no pod mounts an API token, gets service-link variables or uses the host", () => {
      assert.deepEqual(workloads().flatMap(podProblems), []);
    });

    test("every pod runs under a ServiceAccount of the manifests that mounts no token", () => {
      const problems = [];
      for (const w of workloads()) {
        const name = podTemplate(w).spec.serviceAccountName;
        const sa = name && objects().find((o) => o.kind === "ServiceAccount" && o.metadata.name === name);
        if (!sa) problems.push(`${id(w)}: service account ${name ?? "(default)"} is not in the manifests`);
        else if (sa.automountServiceAccountToken !== false) problems.push(`ServiceAccount/${name}: automountServiceAccountToken is not false`);
      }
      assert.deepEqual(problems, []);
    });

    test("servers probe their health (admin port, as the gRPC port speaks TLS) and shut down within their grace period", () => {
      const list = servers(objects());
      assert.ok(list.length > 0, "no server Deployments");
      assert.deepEqual(list.flatMap((d) => serverProblems(d, objects(), prefixOf(d))), []);
    });

    test("every Deployment has a PodDisruptionBudget that allows draining a node", () => {
      const problems = [];
      for (const d of byKind(objects(), "Deployment")) {
        const pdbs = pdbsFor(d, objects());
        if (pdbs.length !== 1) problems.push(`${id(d)}: ${pdbs.length} PodDisruptionBudgets select it`);
      }
      for (const p of byKind(objects(), "PodDisruptionBudget")) problems.push(...pdbProblems(p, objects()));
      assert.deepEqual(problems, []);
    });

    test("the PostgreSQL cluster can be drained, and in prod replicates synchronously over zones", () => {
      const clusters = byKind(objects(), "Cluster");
      assert.ok(clusters.length > 0, "no PostgreSQL Cluster");
      assert.deepEqual(clusters.flatMap((c) => postgresClusterProblems(c, { production: overlay === "prod" })), []);
    });

    test("the ResourceQuota holds every workload at full scale and the LimitRange admits every container", () => {
      assert.deepEqual(quotaProblems(objects()), []);
    });

    test("Redis: fixed version, ACL users per purpose used by every client, streams never evicted", () => {
      assert.deepEqual(redisProblems(objects()), []);
    });

    test("Redis in transit: TLS only with client certificates, every client through its pod's stunnel sidecar", () => {
      const clients = workloads().filter((w) => containersOf(w).some(({ container }) => [...containerEnv(objects(), container).env.keys()].some((k) => k.endsWith("_REDIS_ADDR"))));
      assert.ok(clients.length > 0, "no workload talks to Redis");
      assert.deepEqual(redisTlsProblems(objects()), []);
    });

    test("Argo CD sync waves: namespace first, database, Redis and settings before the Deployments", () => {
      assert.deepEqual(syncWaveProblems(objects()), []);
    });

    test("TLS inside the cluster: servers with cert-manager certificates and mutual TLS, the gateway and peers as verified clients", () => {
      const list = servers(objects());
      assert.ok(list.length > 0);
      assert.deepEqual(list.flatMap((d) => tlsProblems(d, objects(), prefixOf(d))), []);
    });

    test("topology spread constraints count the workload's own pods; Jobs never restart Always", () => {
      assert.deepEqual(workloads().flatMap((w) => [...topologySpreadProblems(w), ...jobProblems(w)]), []);
    });

    test("every Deployment and StatefulSet is covered by default-deny and its own NetworkPolicy", () => {
      const list = objects().filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
      assert.deepEqual(list.flatMap((o) => networkPolicyProblems(o, objects())), []);
    });

    test("no Secret object is rendered; every referenced Secret is in the operator README", () => {
      assert.deepEqual(secretProblems(objects()), []);
      const readme = readFileSync(path.join(k8sDir, "README.md"), "utf8");
      const undocumented = [];
      const issued = new Set(byKind(objects(), "Certificate").map((c) => c.spec.secretName));
      for (const [name, where] of secretReferences(objects())) {
        if (operatorSecrets.has(name) || issued.has(name)) continue;
        if (!new RegExp(`kubectl[^\\n]*create secret [a-z-]+ ${name}(\\s|$)`, "m").test(readme)) {
          undocumented.push(`${name} (used by ${where.join(", ")})`);
        }
      }
      assert.deepEqual(undocumented, [], "Secrets without a `kubectl create secret` line in k8s/README.md");
    });

    test("every object belongs to the suite and to the overlay's namespace", () => {
      const namespaces = byKind(objects(), "Namespace");
      assert.equal(namespaces.length, 1, "one Namespace object per overlay");
      const ns = namespaces[0];
      assert.equal(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
      const problems = [];
      for (const o of objects()) {
        if (o.metadata.labels?.[label.partOf] !== suite) problems.push(`${id(o)}: no ${label.partOf}=${suite} label`);
        if (o.kind !== "Namespace" && o.metadata.namespace !== ns.metadata.name) {
          problems.push(`${id(o)}: namespace ${o.metadata.namespace}, not ${ns.metadata.name}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    test("pod templates carry the labels their selectors and policies use", () => {
      const problems = [];
      for (const o of workloads()) {
        const labels = podTemplate(o)?.metadata?.labels ?? {};
        for (const k of [label.name, label.component, label.partOf]) {
          if (!labels[k]) problems.push(`${id(o)}: pod template has no ${k}`);
        }
        for (const [k, v] of Object.entries(o.spec.selector?.matchLabels ?? {})) {
          if (labels[k] !== v) problems.push(`${id(o)}: selector ${k}=${v} does not match its pods`);
        }
      }
      assert.deepEqual(problems, []);
    });

    if (overlay === "prod") {
      test("prod: every server is autoscaled (from at least 3 pods) and owns no replica count", () => {
        const problems = [];
        for (const d of servers(objects())) {
          const hpas = byKind(objects(), "HorizontalPodAutoscaler").filter(
            (h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === d.metadata.name,
          );
          if (hpas.length !== 1) problems.push(`${id(d)}: ${hpas.length} autoscalers`);
          for (const h of hpas) {
            if (h.spec.minReplicas < 3) problems.push(`${id(h)}: minReplicas ${h.spec.minReplicas} < 3`);
            if (h.spec.maxReplicas < h.spec.minReplicas) problems.push(`${id(h)}: maxReplicas below minReplicas`);
          }
          if (d.spec.replicas !== undefined) problems.push(`${id(d)}: sets replicas, which every apply would reset under the autoscaler`);
        }
        assert.deepEqual(problems, []);
      });

      test("prod: no server serves gRPC reflection (the --grpc-reflection setting stays off)", () => {
        const off = new Set(["false", "0", "no", "off"]);
        const problems = [];
        for (const cm of byKind(objects(), "ConfigMap")) {
          for (const [key, value] of Object.entries(cm.data ?? {})) {
            if (key.endsWith("_GRPC_REFLECTION") && !off.has(String(value).toLowerCase())) {
              problems.push(`${id(cm)}: ${key}=${value}`);
            }
          }
        }
        for (const w of workloads()) {
          for (const c of containersOf(w)) {
            for (const e of c.env ?? []) {
              if (e.name.endsWith("_GRPC_REFLECTION") && !off.has(String(e.value).toLowerCase())) {
                problems.push(`${id(w)} ${c.name}: ${e.name}=${e.value}`);
              }
            }
            if ((c.args ?? []).some((a) => /^--grpc-reflection(=(?!false|0|no|off).*)?$/.test(a))) {
              problems.push(`${id(w)} ${c.name}: --grpc-reflection in args`);
            }
          }
        }
        assert.deepEqual(problems, []);
      });

      test("prod: every server spreads over zones and nodes", () => {
        const problems = [];
        for (const d of servers(objects())) {
          const tsc = podTemplate(d).spec.topologySpreadConstraints ?? [];
          for (const key of ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]) {
            const c = tsc.find((x) => x.topologyKey === key);
            if (!c) problems.push(`${id(d)}: no topology spread over ${key}`);
            else if (!(c.matchLabelKeys ?? []).includes(label.name)) {
              problems.push(`${id(d)}: spread over ${key} counts other services' pods (matchLabelKeys lacks ${label.name})`);
            }
          }
        }
        assert.deepEqual(problems, []);
      });
    } else {
      test(`${overlay}: no autoscalers`, () => {
        assert.deepEqual(byKind(objects(), "HorizontalPodAutoscaler").map(id), []);
      });
    }
  });
}

test("workloads exist in every overlay", () => {
  for (const overlay of overlayNames()) {
    const n = rendered(overlay).filter((o) => workloadKinds.has(o.kind)).flatMap(containersOf).length;
    assert.ok(n > 0, `${overlay} has no containers`);
  }
});
