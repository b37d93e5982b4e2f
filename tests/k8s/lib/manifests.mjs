// Loads what the Kubernetes checks look at: the rendered overlays, services.tsv, the npm tools
// of tools/node, and small accessors over rendered objects shared by the test files.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const k8sDir = path.join(repoRoot, "k8s");
export const nodeModules = path.join(repoRoot, "tools/node/node_modules");

// The npm tools are installed in tools/node (scripts/deps.sh), not beside the tests.
export const toolsRequire = createRequire(path.join(repoRoot, "tools/node/package.json"));
const YAML = toolsRequire("yaml");

export function parseYamlDocuments(text, source) {
  const docs = YAML.parseAllDocuments(text);
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new Error(`${source}: ${doc.errors.map((e) => e.message).join("; ")}`);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

// The overlays: every folder of k8s/overlays with a kustomization.yaml.
export function overlayNames() {
  const dir = path.join(k8sDir, "overlays");
  return readdirSync(dir)
    .filter((n) => existsSync(path.join(dir, n, "kustomization.yaml")))
    .sort();
}

const renderCache = new Map();

// The objects of one overlay: from K8S_RENDERED_DIR/<overlay>.yaml when scripts/check-k8s.sh
// rendered it already, else rendered here with `kubectl kustomize`.
export function rendered(overlay) {
  if (renderCache.has(overlay)) return renderCache.get(overlay);
  let text;
  const dir = process.env.K8S_RENDERED_DIR;
  if (dir && existsSync(path.join(dir, `${overlay}.yaml`))) {
    text = readFileSync(path.join(dir, `${overlay}.yaml`), "utf8");
  } else {
    text = execFileSync("kubectl", ["kustomize", path.join(k8sDir, "overlays", overlay)], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  const objects = parseYamlDocuments(text, `overlay ${overlay}`);
  renderCache.set(overlay, objects);
  return objects;
}

// services.tsv: name, binary, local gRPC port, local admin port, schema ("-" = none).
export function servicesTable() {
  const rows = [];
  const text = readFileSync(path.join(repoRoot, "services.tsv"), "utf8");
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [name, binary, grpcPort, adminPort, schema] = line.split("\t");
    rows.push({
      name,
      binary,
      localGrpcPort: Number(grpcPort),
      localAdminPort: Number(adminPort),
      schema: schema === "-" ? null : schema,
      // Kubernetes object names cannot hold "_".
      k8sName: name.replaceAll("_", "-"),
      // The environment prefix of the binary's settings (service::EnvPrefix).
      prefix: name.toUpperCase(),
      hasSources: existsSync(path.join(repoRoot, "services", name, "CMakeLists.txt")),
    });
  }
  return rows;
}

// Service folders of k8s/base/services.
export function serviceFolders() {
  const dir = path.join(k8sDir, "base/services");
  return readdirSync(dir).filter((n) => statSync(path.join(dir, n)).isDirectory()).sort();
}

export const label = {
  name: "app.kubernetes.io/name",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  postgresClient: "integration.lansstyrelsen.se/postgres-client",
  redisClient: "integration.lansstyrelsen.se/redis-client",
  calls: "integration.lansstyrelsen.se/calls",
};
export const suite = "integration-suite";
export const podPorts = { grpc: 50051, admin: 9090 };

export const workloadKinds = new Set(["Deployment", "StatefulSet", "Job", "DaemonSet", "CronJob"]);

// The pod template of a workload, or null.
export function podTemplate(obj) {
  if (!workloadKinds.has(obj.kind)) return null;
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template ?? null;
  return obj.spec?.template ?? null;
}

// Every container of a workload with its kind ("container", "init", "ephemeral").
export function containersOf(obj) {
  const spec = podTemplate(obj)?.spec;
  if (!spec) return [];
  return [
    ...(spec.initContainers ?? []).map((c) => ({ container: c, role: "init" })),
    ...(spec.containers ?? []).map((c) => ({ container: c, role: "container" })),
    ...(spec.ephemeralContainers ?? []).map((c) => ({ container: c, role: "ephemeral" })),
  ];
}

export function find(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

export function byKind(objects, kind) {
  return objects.filter((o) => o.kind === kind);
}

export function id(obj) {
  return `${obj.kind}/${obj.metadata?.name}`;
}

// Servers: the suite's Deployments labelled component=server.
export function servers(objects) {
  return objects.filter(
    (o) =>
      o.kind === "Deployment" &&
      o.metadata?.labels?.[label.partOf] === suite &&
      o.metadata?.labels?.[label.component] === "server",
  );
}

// Workloads that run migrations: the servers whose pods start with the init container
// "migrate" (a migration Job, if one were added, too).
export function migrations(objects) {
  return objects.filter(
    (o) => (o.kind === "Job" && o.metadata?.labels?.[label.component] === "migration") ||
      (o.kind === "Deployment" && (podTemplate(o)?.spec?.initContainers ?? []).some((c) => c.name === "migrate")),
  );
}

// The migration of service `s` (a row of servicesTable): its Deployment and the init
// container "migrate" there, or null.
export function migrationOf(objects, s) {
  const d = find(objects, "Deployment", s.k8sName);
  const container = d && (podTemplate(d).spec.initContainers ?? []).find((c) => c.name === "migrate");
  return container ? { workload: d, container } : null;
}

// The environment a container gets from its ConfigMaps (envFrom) and env, as name -> value
// ({secret: "name/key"} for secretKeyRef values). Missing ConfigMaps are reported by the caller.
export function containerEnv(objects, container) {
  const env = new Map();
  const missing = [];
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = find(objects, "ConfigMap", from.configMapRef.name);
      if (!cm) {
        missing.push(`ConfigMap ${from.configMapRef.name}`);
        continue;
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set((from.prefix ?? "") + k, v);
    } else if (from.secretRef) {
      env.set(`<all keys of Secret ${from.secretRef.name}>`, { secret: from.secretRef.name });
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) {
      const r = e.valueFrom.secretKeyRef;
      env.set(e.name, { secret: `${r.name}/${r.key}` });
    } else if (e.valueFrom?.configMapKeyRef) {
      const r = e.valueFrom.configMapKeyRef;
      const cm = find(objects, "ConfigMap", r.name);
      env.set(e.name, cm?.data?.[r.key]);
    } else {
      env.set(e.name, e.value ?? "");
    }
  }
  return { env, missing };
}

// "5s", "250ms", "2m", "1h" (the settings' duration syntax) in seconds; NaN when malformed.
export function durationSeconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text ?? "").trim());
  if (!m) return NaN;
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
  return Number(m[1]) * factor;
}

// libpq keyword/value connection string (no quoting needed by our DSNs; quotes handled anyway).
export function parseDsn(dsn) {
  const out = {};
  const re = /\s*([a-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g;
  let m;
  while ((m = re.exec(dsn)) !== null) {
    let v = m[2];
    if (v.startsWith("'")) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    out[m[1]] = v;
  }
  return out;
}

// Kubernetes resource quantities ("500m", "2", "1Gi", "128Mi") as numbers.
export function quantity(q) {
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(String(q));
  if (!m) return NaN;
  const f = { m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return Number(m[1]) * (m[2] ? f[m[2]] : 1);
}
