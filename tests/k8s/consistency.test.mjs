// The manifests agree with the code and with each other: every service of services.tsv that
// has sources has manifests; the settings the manifests give each binary exist in its --help
// (binaries not built yet are skipped, by name); ports agree between settings, containers,
// Services, probes and routes; files named by settings are mounted; each service's database
// role, password Secret and schema SQL line up with its DSN; the connection budget fits.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { binaryPath, buildDir, helpOf } from "./lib/binaries.mjs";
import {
  byKind,
  containerEnv,
  find,
  id,
  k8sDir,
  label,
  migrationOf,
  overlayNames,
  parseDsn,
  podPorts,
  podTemplate,
  rendered,
  serviceFolders,
  servers,
  servicesTable,
  toolsRequire,
} from "./lib/manifests.mjs";
import { mountedFileProblems } from "./lib/policy.mjs";

const YAML = toolsRequire("yaml");
const table = servicesTable();
const withSources = table.filter((s) => s.hasSources);

// Variables the processes read that are not their own flags: libpq's password.
const foreignEnv = new Map();

describe("services and folders", () => {
  test("every service with sources in services/ has a folder in k8s/base/services, listed in the base", () => {
    const folders = serviceFolders();
    const base = YAML.parse(readFileSync(path.join(k8sDir, "base/kustomization.yaml"), "utf8"));
    const listed = new Set([...(base.components ?? []), ...(base.resources ?? [])]);
    const problems = [];
    for (const s of withSources) {
      if (!folders.includes(s.name)) problems.push(`services/${s.name} has no k8s/base/services/${s.name}`);
      else if (!listed.has(`services/${s.name}`)) problems.push(`k8s/base/kustomization.yaml does not list services/${s.name}`);
    }
    for (const f of folders) {
      if (!table.some((s) => s.name === f)) problems.push(`k8s/base/services/${f} is not a component of services.tsv`);
    }
    assert.deepEqual(problems, []);
  });
});

for (const overlay of overlayNames()) {
  describe(`overlay ${overlay}`, () => {
    const objects = rendered(overlay);
    const deployed = table.filter((s) => find(objects, "Deployment", s.k8sName));

    test("every service with sources or a manifest folder runs its binary, and migrates when it has a schema", () => {
      const problems = [];
      for (const s of table.filter((x) => x.hasSources || serviceFolders().includes(x.name))) {
        const d = find(objects, "Deployment", s.k8sName);
        if (!d) {
          problems.push(`no Deployment ${s.k8sName}`);
          continue;
        }
        const c = podTemplate(d).spec.containers.find((x) => x.name === "server");
        if (!c) {
          problems.push(`${id(d)}: no container "server"`);
          continue;
        }
        if (!new RegExp(`/${s.binary}:[^/]+$`).test(c.image)) problems.push(`${id(d)}: image ${c.image} is not the ${s.binary} image`);
        if (JSON.stringify(c.command) !== JSON.stringify([`/usr/local/bin/${s.binary}`])) problems.push(`${id(d)}: command is not /usr/local/bin/${s.binary}`);
        if (JSON.stringify(c.args ?? []) !== JSON.stringify(["serve"])) problems.push(`${id(d)}: args are not [serve]`);
        if (d.metadata.labels[label.name] !== s.name) problems.push(`${id(d)}: ${label.name} is not ${s.name}`);
        const migration = migrationOf(objects, s);
        if (s.schema && !migration) problems.push(`${s.name} has schema ${s.schema} but its pods have no init container migrate`);
        if (!s.schema && migration) problems.push(`${s.name} has no schema but migrates`);
        if (find(objects, "Job", `${s.k8sName}-migrate`)) problems.push(`${s.name}: a migration Job (immutable: every new image or setting would make kubectl apply fail)`);
        if (migration) {
          const jc = migration.container;
          if (jc.image !== c.image) problems.push(`${id(d)} init container migrate: image ${jc.image} differs from the server's ${c.image}`);
          if (JSON.stringify([...jc.command, ...(jc.args ?? [])]) !== JSON.stringify([`/usr/local/bin/${s.binary}`, "migrate"])) {
            problems.push(`${id(d)} init container migrate: does not run ${s.binary} migrate`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });

    test("all images of the suite come from one registry path and one release", () => {
      const images = servers(objects).map((d) => podTemplate(d).spec.containers.find((c) => c.name === "server").image);
      const tags = new Set(images.map((i) => i.split(":").pop()));
      const repos = new Set(images.map((i) => i.slice(0, i.lastIndexOf("/"))));
      assert.equal(tags.size, 1, `tags differ: ${[...tags].join(", ")}`);
      assert.equal(repos.size, 1, `registry paths differ: ${[...repos].join(", ")}`);
      assert.match([...repos][0], /^[a-z0-9.-]+(:\d+)?\//, "images name a registry");
    });

    test("settings: every variable is one of the binary's settings, in the service's prefix", (t) => {
      const problems = [];
      const skipped = [];
      for (const s of deployed) {
        const d = find(objects, "Deployment", s.k8sName);
        const bin = binaryPath(s);
        const settings = bin ? helpOf(bin) : null;
        if (!bin) skipped.push(s.binary);
        const known = new Set((settings ?? []).map((x) => x.env));
        if (d) {
          const w = d;
          // The containers running the service's binary (not the Redis TLS sidecar).
          const ofBinary = (c) => String(c.image).replace(/[@:][^/]*$/, "").split("/").pop() === s.binary;
          for (const c of [...(podTemplate(d).spec.initContainers ?? []), ...podTemplate(d).spec.containers].filter(ofBinary)) {
            const { env, missing } = containerEnv(objects, c);
            for (const m of missing) problems.push(`${id(w)} ${c.name}: ${m} does not exist`);
            for (const name of env.keys()) {
              if (foreignEnv.has(name)) continue;
              if (!name.startsWith(`${s.prefix}_`)) problems.push(`${id(w)} ${c.name}: ${name} is not a ${s.prefix}_* setting`);
              else if (settings && !known.has(name)) problems.push(`${id(w)} ${c.name}: ${name} is not a setting of ${s.binary} (--help)`);
            }
            for (const req of (settings ?? []).filter((x) => x.required)) {
              if (!env.has(req.env)) problems.push(`${id(w)} ${c.name}: required setting ${req.env} is not set`);
            }
          }
        }
      }
      if (skipped.length > 0) {
        const note = `not built in ${buildDir() ?? "(no build directory)"}, --help not compared: ${skipped.join(", ")}`;
        console.log(`# skipped: ${note}`);
        t.diagnostic(note);
      }
      assert.deepEqual(problems, []);
    });

    test("ports: settings, containers, Services, probes and routes agree", () => {
      const problems = [];
      for (const s of deployed) {
        const d = find(objects, "Deployment", s.k8sName);
        const c = podTemplate(d).spec.containers.find((x) => x.name === "server");
        const { env } = containerEnv(objects, c);
        const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
        for (const [name, port] of Object.entries(podPorts)) {
          if (ports.get(name) !== port) problems.push(`${id(d)}: container port ${name} is ${ports.get(name)}, not ${port}`);
        }
        if (env.get(`${s.prefix}_GRPC_PORT`) !== String(podPorts.grpc)) problems.push(`${id(d)}: ${s.prefix}_GRPC_PORT is not ${podPorts.grpc}`);
        if (env.get(`${s.prefix}_ADMIN_PORT`) !== String(podPorts.admin)) problems.push(`${id(d)}: ${s.prefix}_ADMIN_PORT is not ${podPorts.admin}`);
        if (env.has(`${s.prefix}_HTTP_PORT`) && String(ports.get("http")) !== env.get(`${s.prefix}_HTTP_PORT`)) {
          problems.push(`${id(d)}: ${s.prefix}_HTTP_PORT ${env.get(`${s.prefix}_HTTP_PORT`)} is not the container port http ${ports.get("http")}`);
        }
        const svc = find(objects, "Service", s.k8sName);
        if (!svc) {
          problems.push(`no Service ${s.k8sName}`);
          continue;
        }
        const grpc = svc.spec.ports.find((p) => p.name === "grpc");
        if (!grpc) problems.push(`${id(svc)}: no port named grpc`);
        for (const sp of svc.spec.ports) {
          const target = typeof sp.targetPort === "string" ? ports.get(sp.targetPort) : (sp.targetPort ?? sp.port);
          if (target === undefined || ![...ports.values()].includes(target)) problems.push(`${id(svc)}: port ${sp.name} targets ${sp.targetPort}, which the pods do not expose`);
        }
      }
      // Every Service selects pods of some workload, and every route's backend is a Service port.
      const workloads = objects.filter((o) => podTemplate(o));
      for (const svc of byKind(objects, "Service")) {
        const sel = svc.spec.selector ?? {};
        const hit = workloads.some((w) => Object.entries(sel).every(([k, v]) => podTemplate(w).metadata.labels?.[k] === v));
        if (!hit) problems.push(`${id(svc)}: selects no pods`);
      }
      for (const route of [...byKind(objects, "HTTPRoute"), ...byKind(objects, "GRPCRoute")]) {
        for (const rule of route.spec.rules ?? []) {
          for (const b of rule.backendRefs ?? []) {
            const svc = find(objects, "Service", b.name);
            if (!svc || !svc.spec.ports.some((p) => p.port === b.port)) problems.push(`${id(route)}: backend ${b.name}:${b.port} is no Service port`);
            else if (route.kind === "GRPCRoute" && svc.spec.ports.find((p) => p.port === b.port).name !== "grpc") problems.push(`${id(route)}: backend ${b.name}:${b.port} is not the grpc port`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });

    test("routes attach to a listener of the Gateway with the same host name and a TLS certificate", () => {
      const problems = [];
      for (const route of [...byKind(objects, "HTTPRoute"), ...byKind(objects, "GRPCRoute")]) {
        for (const ref of route.spec.parentRefs ?? []) {
          const gw = find(objects, "Gateway", ref.name);
          const listener = gw?.spec.listeners.find((l) => l.name === ref.sectionName);
          if (!listener) {
            problems.push(`${id(route)}: parent ${ref.name}/${ref.sectionName} does not exist`);
            continue;
          }
          for (const h of route.spec.hostnames ?? []) {
            if (h !== listener.hostname) problems.push(`${id(route)}: host ${h} is not its listener's ${listener.hostname}`);
          }
          if (listener.protocol !== "HTTPS" || !(listener.tls?.certificateRefs ?? []).length) problems.push(`${id(route)}: listener ${listener.name} is not HTTPS with a certificate`);
          if (!(listener.allowedRoutes?.kinds ?? [{ kind: route.kind }]).some((k) => k.kind === route.kind)) problems.push(`${id(route)}: listener ${listener.name} does not admit ${route.kind}`);
        }
      }
      for (const gw of byKind(objects, "Gateway")) {
        if (gw.spec.gatewayClassName === "set-by-overlay") problems.push(`${id(gw)}: the overlay sets no GatewayClass`);
      }
      // A server's public base URL (listed in its OpenAPI document) is the host of its HTTPRoute.
      for (const s of deployed) {
        const d = find(objects, "Deployment", s.k8sName);
        const { env } = containerEnv(objects, podTemplate(d).spec.containers.find((x) => x.name === "server"));
        const url = env.get(`${s.prefix}_PUBLIC_BASE_URL`);
        if (url === undefined) continue;
        const hosts = byKind(objects, "HTTPRoute")
          .filter((r) => (r.spec.rules ?? []).some((rule) => (rule.backendRefs ?? []).some((b) => b.name === s.k8sName)))
          .flatMap((r) => r.spec.hostnames ?? []);
        const host = /^https:\/\/([^/:]+)/.exec(String(url))?.[1];
        if (!host || !hosts.includes(host)) problems.push(`${id(d)}: ${s.prefix}_PUBLIC_BASE_URL ${url} is not https:// on its HTTPRoute host (${hosts.join(", ")})`);
      }
      assert.deepEqual(problems, []);
    });

    test("files named by settings are mounted where the settings say", () => {
      const problems = [];
      for (const s of deployed) {
        const d = find(objects, "Deployment", s.k8sName);
        const c = podTemplate(d).spec.containers.find((x) => x.name === "server");
        const { env } = containerEnv(objects, c);
        const files = [...env].filter(([k, v]) => k.endsWith("_FILE") && typeof v === "string" && v !== "");
        const dsn = env.get(`${s.prefix}_PG_DSN`);
        if (typeof dsn === "string" && parseDsn(dsn).sslrootcert) files.push([`${s.prefix}_PG_DSN sslrootcert`, parseDsn(dsn).sslrootcert]);
        problems.push(...mountedFileProblems(d, c, files));
        // The init container migrate reads the database settings, with its own password file.
        const migration = migrationOf(objects, s);
        if (migration) {
          const { env: menv } = containerEnv(objects, migration.container);
          const mfiles = [[`${s.prefix}_PG_PASSWORD_FILE`, menv.get(`${s.prefix}_PG_PASSWORD_FILE`)]];
          if (typeof dsn === "string" && parseDsn(dsn).sslrootcert) mfiles.push([`${s.prefix}_PG_DSN sslrootcert`, parseDsn(dsn).sslrootcert]);
          problems.push(...mountedFileProblems(d, migration.container, mfiles));
        }
      }
      assert.deepEqual(problems, []);
    });

    test("database: each schema has its role, password Secret, schema SQL and a DSN that uses them", () => {
      const problems = [];
      const cluster = byKind(objects, "Cluster")[0];
      if (!cluster) {
        // A managed PostgreSQL (k8s/README.md): roles and schemas live outside the manifests.
        for (const s of deployed.filter((x) => x.schema)) {
          const d = find(objects, "Deployment", s.k8sName);
          const { env } = containerEnv(objects, podTemplate(d).spec.containers.find((x) => x.name === "server"));
          const dsn = parseDsn(String(env.get(`${s.prefix}_PG_DSN`) ?? ""));
          if (dsn.user !== `${s.schema}_svc`) problems.push(`${id(d)}: DSN user ${dsn.user}, not ${s.schema}_svc`);
          if (dsn.sslmode !== "verify-full") problems.push(`${id(d)}: DSN sslmode ${dsn.sslmode}, not verify-full`);
          if (dsn.password) problems.push(`${id(d)}: the DSN in a ConfigMap holds a password`);
        }
        assert.deepEqual(problems, []);
        return;
      }
      const database = cluster.spec.bootstrap.initdb.database;
      const roles = cluster.spec.managed?.roles ?? [];
      const sqlRefs = cluster.spec.bootstrap.initdb.postInitApplicationSQLRefs?.configMapRefs ?? [];
      const sql = sqlRefs.map((r) => find(objects, "ConfigMap", r.name)?.data?.[r.key] ?? `-- missing ${r.name}/${r.key}`).join("\n");
      for (const r of sqlRefs) if (!find(objects, "ConfigMap", r.name)?.data?.[r.key]) problems.push(`Cluster: post-init SQL ${r.name}/${r.key} does not exist`);
      for (const s of deployed) {
        const d = find(objects, "Deployment", s.k8sName);
        const c = podTemplate(d).spec.containers.find((x) => x.name === "server");
        const { env } = containerEnv(objects, c);
        const roleName = s.schema ? `${s.schema}_svc` : null;
        const role = roles.find((r) => r.name === roleName);
        if (!s.schema) {
          if (env.has(`${s.prefix}_PG_DSN`)) problems.push(`${s.name} has no schema but a DSN`);
          if (d.metadata.labels[label.postgresClient]) problems.push(`${id(d)}: postgres-client without a schema`);
          continue;
        }
        if (!role) {
          problems.push(`Cluster has no managed role ${roleName}`);
          continue;
        }
        if (role.login !== true || role.superuser || role.createdb || role.createrole || role.replication || role.bypassrls) {
          problems.push(`role ${roleName}: must be LOGIN and nothing more`);
        }
        if ((role.inRoles ?? []).length) problems.push(`role ${roleName}: the runtime role must be a member of no role (${role.inRoles})`);
        // The owner of the schema cannot log in; the migrator logs in, has no rights of its
        // own (NOINHERIT) and is a member of the owner, whose role `migrate` takes.
        const ownerName = `${s.schema}_owner`;
        const migratorName = `${s.schema}_migrator`;
        const owner = roles.find((r) => r.name === ownerName);
        const migrator = roles.find((r) => r.name === migratorName);
        if (!owner) problems.push(`Cluster has no managed role ${ownerName}`);
        else if (owner.login !== false || owner.passwordSecret || owner.superuser || owner.createdb || owner.createrole || owner.replication || owner.bypassrls) {
          problems.push(`role ${ownerName}: must be NOLOGIN without a password and nothing more`);
        }
        if (!migrator) problems.push(`Cluster has no managed role ${migratorName}`);
        else {
          if (migrator.login !== true || migrator.inherit !== false || migrator.superuser || migrator.createdb || migrator.createrole || migrator.replication || migrator.bypassrls) {
            problems.push(`role ${migratorName}: must be LOGIN NOINHERIT and nothing more`);
          }
          if (JSON.stringify(migrator.inRoles ?? []) !== JSON.stringify([ownerName])) problems.push(`role ${migratorName}: must be a member of ${ownerName} only`);
          if (migrator.passwordSecret?.name === role.passwordSecret?.name) problems.push(`role ${migratorName}: shares its password Secret with ${roleName}`);
        }
        const dsn = parseDsn(String(env.get(`${s.prefix}_PG_DSN`) ?? ""));
        if (dsn.user !== roleName) problems.push(`${id(d)}: DSN user ${dsn.user}, not ${roleName}`);
        if (dsn.dbname !== database) problems.push(`${id(d)}: DSN dbname ${dsn.dbname}, not ${database}`);
        if (dsn.host !== `${cluster.metadata.name}-rw`) problems.push(`${id(d)}: DSN host ${dsn.host}, not the read-write Service ${cluster.metadata.name}-rw`);
        if (dsn.sslmode !== "verify-full") problems.push(`${id(d)}: DSN sslmode ${dsn.sslmode}, not verify-full`);
        if (dsn.password) problems.push(`${id(d)}: the DSN in a ConfigMap holds a password`);
        const migration = migrationOf(objects, s);
        if (!migration) problems.push(`${s.name}: no init container migrate`);
        // Each login's password is a file from its role's Secret (read again at every
        // reconnect), never an environment variable (fixed for the life of the process).
        const server = podTemplate(d).spec.containers.find((x) => x.name === "server");
        for (const [c, r] of [[server, role], [migration?.container, migrator]].filter(([x]) => x)) {
          const { env: cenv } = containerEnv(objects, c);
          if (cenv.has("PGPASSWORD")) problems.push(`${id(d)} ${c.name}: PGPASSWORD in the environment (a rotated password would need a restart)`);
          const file = cenv.get(`${s.prefix}_PG_PASSWORD_FILE`);
          const mount = typeof file === "string" && (c.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
          const volume = mount && (podTemplate(d).spec.volumes ?? []).find((v) => v.name === mount.name);
          const item = volume?.secret?.items?.find((i) => file === `${mount.mountPath.replace(/\/$/, "")}/${i.path}`);
          if (!r || volume?.secret?.secretName !== r.passwordSecret?.name || item?.key !== "password") {
            problems.push(`${id(d)} ${c.name}: ${s.prefix}_PG_PASSWORD_FILE is not key password of ${r?.passwordSecret?.name}`);
          }
        }
        if (podTemplate(d).metadata.labels[label.postgresClient] !== "true") problems.push(`${id(d)}: not labelled postgres-client`);
        if (migration) {
          const user = migration.container.env?.find((e) => e.name === `${s.prefix}_PG_MIGRATE_USER`)?.value;
          if (user !== migratorName) problems.push(`${id(d)} init container migrate: ${s.prefix}_PG_MIGRATE_USER is ${user}, not ${migratorName}`);
        }
        const create = new RegExp(`CREATE SCHEMA IF NOT EXISTS ${s.schema} AUTHORIZATION ${ownerName};`);
        if (!create.test(sql)) problems.push(`no post-init SQL creates schema ${s.schema} owned by ${ownerName}`);
        if (!new RegExp(`GRANT CONNECT ON DATABASE ${database} TO ${migratorName}, ${roleName};`).test(sql)) problems.push(`no post-init SQL lets ${migratorName} and ${roleName} connect to ${database}`);
        if (!new RegExp(`GRANT ${ownerName} TO ${migratorName};`).test(sql)) problems.push(`no post-init SQL makes ${migratorName} a member of ${ownerName}`);
        for (const what of ["SELECT, INSERT, UPDATE, DELETE ON TABLES", "USAGE, SELECT ON SEQUENCES"]) {
          if (!new RegExp(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ownerName} IN SCHEMA ${s.schema}\\s+GRANT ${what} TO ${roleName};`).test(sql)) {
            problems.push(`no post-init SQL gives ${roleName} ${what} of ${ownerName} by default`);
          }
        }
      }
      const roleOwners = new Set(deployed.filter((s) => s.schema).flatMap((s) => ["svc", "owner", "migrator"].map((k) => `${s.schema}_${k}`)));
      for (const r of roles) {
        if (!roleOwners.has(r.name)) problems.push(`Cluster role ${r.name} belongs to no deployed service`);
      }
      assert.deepEqual(problems, []);
    });

    test("connections: every server at its maximum scale fits its role's limit and the server's max_connections", () => {
      const problems = [];
      const cluster = byKind(objects, "Cluster")[0];
      if (!cluster) return; // a managed PostgreSQL sizes its own connections
      const maxConnections = Number(cluster.spec.postgresql?.parameters?.max_connections ?? 100);
      let total = 0;
      for (const s of deployed.filter((x) => x.schema)) {
        const d = find(objects, "Deployment", s.k8sName);
        const c = podTemplate(d).spec.containers.find((x) => x.name === "server");
        const { env } = containerEnv(objects, c);
        const pool = Number(env.get(`${s.prefix}_PG_POOL_SIZE`));
        if (!Number.isInteger(pool) || pool < 1) {
          problems.push(`${id(d)}: ${s.prefix}_PG_POOL_SIZE is not set`);
          continue;
        }
        const hpa = byKind(objects, "HorizontalPodAutoscaler").find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
        const pods = hpa ? hpa.spec.maxReplicas : (d.spec.replicas ?? 1);
        // Plus one pod more during a rolling update (maxSurge) and one connection for slack.
        const need = (pods + 1) * pool + 1;
        const role = (cluster.spec.managed?.roles ?? []).find((r) => r.name === `${s.schema}_svc`);
        const limit = role?.connectionLimit ?? -1;
        if (limit !== -1 && need > limit) problems.push(`${s.name}: up to ${need} connections, role limit ${limit}`);
        total += need;
      }
      // CloudNativePG and superuser_reserved_connections keep some for themselves.
      const reserved = 10;
      if (total + reserved > maxConnections) problems.push(`all servers at their maximum: ${total} connections + ${reserved} reserved > max_connections ${maxConnections}`);
      assert.deepEqual(problems, []);
    });

    test("Redis clients are labelled so; the gateway's backends point at Services that exist", () => {
      const problems = [];
      for (const s of deployed) {
        const d = find(objects, "Deployment", s.k8sName);
        const { env } = containerEnv(objects, podTemplate(d).spec.containers.find((x) => x.name === "server"));
        // The address itself is the pod's TLS sidecar, whose target is checked with Redis's TLS
        // (policy.test.mjs, redisTlsProblems).
        if (env.has(`${s.prefix}_REDIS_ADDR`) && d.metadata.labels[label.redisClient] !== "true") problems.push(`${id(d)}: uses Redis but is not labelled redis-client`);
        const backends = env.get(`${s.prefix}_BACKENDS`);
        if (backends !== undefined) {
          const targets = new Map(String(backends).split(",").filter(Boolean).map((b) => b.split("=")));
          for (const other of deployed.filter((x) => x.name !== s.name)) {
            const target = targets.get(other.name);
            const m = /^dns:\/\/\/([a-z0-9-]+):(\d+)$/.exec(target ?? "");
            if (!m) {
              problems.push(`${id(d)}: ${s.prefix}_BACKENDS has no dns:/// target for ${other.name}`);
              continue;
            }
            const svc = find(objects, "Service", m[1]);
            const sel = svc?.spec.selector ?? {};
            if (!svc || svc.spec.clusterIP !== "None" || sel[label.name] !== other.name || !svc.spec.ports.some((p) => p.port === Number(m[2]) && p.name === "grpc")) {
              problems.push(`${id(d)}: backend ${other.name} -> ${target} is not the headless grpc Service of ${other.name}`);
            }
          }
          for (const name of targets.keys()) {
            if (!deployed.some((x) => x.name === name)) problems.push(`${id(d)}: backend ${name} is not deployed`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });
  });
}
