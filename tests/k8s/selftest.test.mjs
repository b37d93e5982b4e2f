// The checkers themselves catch what they are for: broken objects, unsafe containers, open
// networks, unmounted files and misread --help output are reported (so a green run means
// something).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { buildDir, helpOf, parseHelp } from "./lib/binaries.mjs";
import { durationSeconds, overlayNames, parseDsn, podTemplate, rendered } from "./lib/manifests.mjs";
import { allowed, ipInCidr } from "./lib/netpol.mjs";
import {
  containerProblems,
  imageProblems,
  jobProblems,
  mountedFileProblems,
  networkPolicyProblems,
  pdbProblems,
  podProblems,
  postgresClusterProblems,
  quotaProblems,
  namespaceDemand,
  redisProblems,
  redisTlsProblems,
  secretProblems,
  serverProblems,
  syncWaveProblems,
  tlsProblems,
  topologySpreadProblems,
} from "./lib/policy.mjs";
import { validateObject } from "./lib/schema.mjs";

const safeContainer = () => ({
  name: "server",
  image: "registry.example.org/x/app:1.2.3",
  resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
  startupProbe: { grpc: { port: 50051 } },
  readinessProbe: { grpc: { port: 50051 } },
  livenessProbe: { grpc: { port: 50051, service: "liveness" } },
  lifecycle: { preStop: { sleep: { seconds: 5 } } },
});

const deployment = (container, extra = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "app", namespace: "ns", labels: { "app.kubernetes.io/name": "app" } },
  spec: {
    selector: { matchLabels: { "app.kubernetes.io/name": "app" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "app" } },
      spec: { automountServiceAccountToken: false, enableServiceLinks: false, containers: [container], ...extra },
    },
  },
});

describe("schema validation", () => {
  test("accepts a valid Deployment", async () => {
    assert.deepEqual(await validateObject(deployment(safeContainer())), []);
  });
  test("reports a misspelt field, a wrong type and a missing required field", async () => {
    const c = { ...safeContainer(), readinesProbe: {} };
    const d = deployment(c);
    d.spec.replicas = "2";
    delete d.spec.selector;
    const problems = (await validateObject(d)).join("\n");
    assert.match(problems, /readinesProbe: unknown field/);
    assert.match(problems, /replicas must be integer/);
    assert.match(problems, /required property selector/);
    const top = deployment(safeContainer());
    top.spek = {};
    assert.match((await validateObject(top)).join("\n"), /^spek: unknown field$/m);
  });
  test("reports unknown fields in Gateway API objects and unknown kinds", async () => {
    const route = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r" }, spec: { parentRefs: [{ name: "g", sectionNam: "x" }] } };
    assert.match((await validateObject(route)).join(), /parentRefs\[0\]\.sectionNam: unknown field/);
    assert.match((await validateObject({ apiVersion: "example.org/v1", kind: "Thing", metadata: { name: "t" } })).join(), /no schema/);
  });
  const cnpgCluster = () => ({
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "pg" },
    spec: { instances: 1, storage: { size: "1Gi" }, managed: { roles: [{ name: "a_svc", login: true }] }, postgresql: { parameters: { max_connections: "100" } } },
  });
  test("custom resources are checked against the upstream CRDs: a valid Cluster passes", async () => {
    assert.deepEqual(await validateObject(cnpgCluster()), []);
  });
  test("the CRDs refuse a misspelt top-level field, a stray field deep inside and a wrong type", async () => {
    const c = cnpgCluster();
    c.spec.enablePDBs = false;
    c.spek = {};
    c.spec.managed.roles[0].pasword = "x";
    c.spec.postgresql.parameters.max_connections = 100;
    c.spec.instances = "3";
    c.metadata.lables = {};
    const problems = (await validateObject(c)).join("\n");
    assert.match(problems, /^spec\.enablePDBs: unknown field$/m);
    assert.match(problems, /^spek: unknown field$/m);
    assert.match(problems, /managed\.roles\[0\]\.pasword: unknown field/);
    assert.match(problems, /max_connections must be string/);
    assert.match(problems, /spec\.instances must be integer/);
    assert.match(problems, /metadata\.lables: unknown field/);
  });
  test("a version the CRD does not serve and a missing required field are reported", async () => {
    const c = cnpgCluster();
    c.apiVersion = "postgresql.cnpg.io/v2";
    assert.match((await validateObject(c)).join(), /not a served version/);
    const backup = { apiVersion: "postgresql.cnpg.io/v1", kind: "ScheduledBackup", metadata: { name: "b" }, spec: { schedule: "0 0 2 * * *" } };
    assert.match((await validateObject(backup)).join(), /required property 'cluster'/);
  });
  test("PrometheusRule's Go-style (?i) pattern compiles and applies; PodMonitor fields are closed", async () => {
    const rule = (extra) => ({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r" }, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", ...extra }] }] } });
    assert.deepEqual(await validateObject(rule({})), []);
    assert.match((await validateObject(rule({ exp: "x" }))).join(), /rules\[0\]\.exp: unknown field/);
    const pm = { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name: "p" }, spec: { selector: {}, podMetricsEndpoints: [{ port: "admin", pat: "/metrics" }] } };
    assert.match((await validateObject(pm)).join(), /podMetricsEndpoints\[0\]\.pat: unknown field/);
  });
});

describe("policies", () => {
  test("a safe container passes and every weakening is reported", () => {
    assert.deepEqual(containerProblems(deployment(safeContainer())), []);
    const weakenings = [
      [(c) => delete c.readinessProbe, /no readinessProbe/],
      [(c) => delete c.resources.limits.memory, /no limits\.memory/],
      [(c) => (c.resources.requests.cpu = "2"), /requests\.cpu above limits\.cpu/],
      [(c) => (c.securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
      [(c) => (c.securityContext.capabilities.drop = ["NET_RAW"]), /drop ALL/],
      [(c) => delete c.securityContext.runAsNonRoot, /runAsNonRoot/],
      [(c) => delete c.securityContext.seccompProfile, /seccompProfile/],
      [(c) => delete c.securityContext.allowPrivilegeEscalation, /allowPrivilegeEscalation/],
      [(c) => (c.image = "registry.example.org/x/app:latest"), /latest/],
      [(c) => (c.image = "registry.example.org/x/app"), /no tag/],
    ];
    for (const [weaken, expected] of weakenings) {
      const c = safeContainer();
      weaken(c);
      assert.match(containerProblems(deployment(c)).join("\n"), expected);
    }
  });
  test("image pinning accepts a digest and a port in the registry host", () => {
    assert.deepEqual(imageProblems(`registry:5000/app@sha256:${"a".repeat(64)}`), []);
    assert.deepEqual(imageProblems("registry:5000/app:0.1.0"), []);
    assert.notDeepEqual(imageProblems("registry:5000/app"), []);
  });
  test("pods with API tokens, service links or host access are reported", () => {
    const d = deployment(safeContainer(), { automountServiceAccountToken: true, hostNetwork: true });
    delete d.spec.template.spec.enableServiceLinks;
    const problems = podProblems(d).join("\n");
    assert.match(problems, /automountServiceAccountToken/);
    assert.match(problems, /enableServiceLinks/);
    assert.match(problems, /hostNetwork/);
  });
  test("a grace period shorter than preStop + delay + drain + 10 s is reported", () => {
    const c = { ...safeContainer(), envFrom: [{ configMapRef: { name: "cfg" } }] };
    const cfg = { kind: "ConfigMap", metadata: { name: "cfg" }, data: { APP_SHUTDOWN_DELAY: "5s", APP_DRAIN_TIMEOUT: "20s" } };
    const ok = deployment(c, { terminationGracePeriodSeconds: 40 });
    assert.deepEqual(serverProblems(ok, [cfg], "APP"), []);
    const short = deployment(c, { terminationGracePeriodSeconds: 39 });
    assert.match(serverProblems(short, [cfg], "APP").join(), /terminationGracePeriodSeconds 39/);
    const http = (path) => ({ httpGet: { port: "admin", path } });
    const adminProbes = { ...c, startupProbe: http("/readyz"), readinessProbe: http("/readyz"), livenessProbe: http("/healthz") };
    assert.deepEqual(serverProblems(deployment(adminProbes, { terminationGracePeriodSeconds: 40 }), [cfg], "APP"), []);
    const wrongPath = deployment({ ...adminProbes, readinessProbe: http("/healthz") }, { terminationGracePeriodSeconds: 40 });
    assert.match(serverProblems(wrongPath, [cfg], "APP").join(), /readinessProbe asks \/healthz \(\/readyz is meant\)/);
    const tcp = deployment({ ...c, livenessProbe: { tcpSocket: { port: 50051 } } }, { terminationGracePeriodSeconds: 40 });
    assert.match(serverProblems(tcp, [cfg], "APP").join(), /livenessProbe is neither/);
    // With TLS on the gRPC port, the kubelet's gRPC probes cannot work.
    const tlsCfg = { ...cfg, data: { ...cfg.data, APP_TLS_CERT_FILE: "/etc/integration/tls/tls.crt" } };
    assert.match(serverProblems(ok, [tlsCfg], "APP").join(), /readinessProbe is a gRPC probe, but the gRPC port speaks TLS/);
  });
  test("missing default-deny or own policy is reported, and Secret objects are refused", () => {
    const d = deployment(safeContainer());
    const own = { kind: "NetworkPolicy", metadata: { name: "app", namespace: "ns" }, spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "app" } }, ingress: [{ from: [] }] } };
    const deny = { kind: "NetworkPolicy", metadata: { name: "deny", namespace: "ns" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } };
    assert.deepEqual(networkPolicyProblems(d, [own, deny]), []);
    assert.match(networkPolicyProblems(d, [own]).join(), /default-deny/);
    assert.match(networkPolicyProblems(d, [deny]).join(), /no NetworkPolicy selects/);
    assert.match(secretProblems([{ kind: "Secret", metadata: { name: "s" }, data: { a: "eA==" } }]).join(), /carrying data/);
  });
  test("a topology spread selector that matches none of the pods is reported", () => {
    const spread = (matchLabels) => deployment(safeContainer(), { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels } }] });
    assert.deepEqual(topologySpreadProblems(spread({ "app.kubernetes.io/name": "app" })), []);
    assert.match(topologySpreadProblems(spread({ "app.kubernetes.io/name": "other" })).join(), /selects none of its own pods/);
  });
  test("PostgreSQL: a one-instance PDB, asynchronous prod replicas and no zone spread are reported", () => {
    const zoneSpread = (matchLabels) => [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels } }];
    const cluster = (spec) => ({ kind: "Cluster", metadata: { name: "pg" }, spec });
    assert.deepEqual(postgresClusterProblems(cluster({ instances: 1, enablePDB: false }), { production: false }), []);
    assert.match(postgresClusterProblems(cluster({ instances: 1 }), { production: false }).join(), /blocks every node drain/);
    const good = { instances: 3, postgresql: { synchronous: { method: "any", number: 1 } }, topologySpreadConstraints: zoneSpread({ "cnpg.io/cluster": "pg" }) };
    assert.deepEqual(postgresClusterProblems(cluster(good), { production: true }), []);
    assert.match(postgresClusterProblems(cluster({ ...good, postgresql: {} }), { production: true }).join(), /asynchronous replication only/);
    assert.match(postgresClusterProblems(cluster({ ...good, postgresql: { synchronous: { method: "any", number: 2 } } }), { production: true }).join(), /would stop every write/);
    assert.match(postgresClusterProblems(cluster({ ...good, topologySpreadConstraints: [] }), { production: true }).join(), /not spread over zones/);
    assert.match(postgresClusterProblems(cluster({ ...good, topologySpreadConstraints: zoneSpread({ "cnpg.io/cluster": "other" }) }), { production: true }).join(), /selects none of its instances/);
  });
  test("a quota too small for full scale, or a container above the LimitRange, is reported", () => {
    const d = deployment(safeContainer());
    d.spec.replicas = 4;
    const hpa = { kind: "HorizontalPodAutoscaler", metadata: { name: "app" }, spec: { scaleTargetRef: { kind: "Deployment", name: "app" }, minReplicas: 2, maxReplicas: 8 } };
    const quota = (hard) => ({ kind: "ResourceQuota", metadata: { name: "q" }, spec: { hard } });
    const range = { kind: "LimitRange", metadata: { name: "l" }, spec: { limits: [{ type: "Container", max: { cpu: "1", memory: "1Gi" } }] } };
    // 8 pods + 25 % surge = 10 pods of 100m/64Mi requests, 1/128Mi limits.
    const enough = { pods: "10", "requests.cpu": "1", "requests.memory": "640Mi", "limits.cpu": "10", "limits.memory": "1280Mi" };
    assert.deepEqual(quotaProblems([d, hpa, quota(enough), range]), []);
    assert.match(quotaProblems([d, hpa, quota({ ...enough, pods: "9" }), range]).join(), /pods 9 < 10/);
    assert.match(quotaProblems([d, hpa, quota({ ...enough, "limits.cpu": undefined }), range]).join(), /no hard limit for limits\.cpu/);
    const big = deployment({ ...safeContainer(), resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "2", memory: "128Mi" } } });
    assert.match(quotaProblems([big, quota(enough), range]).join(), /limits\.cpu 2 above the LimitRange's max 1/);
    assert.match(quotaProblems([d]).join(), /no ResourceQuota/);
    // A native sidecar runs beside the containers and counts with them; an ordinary init
    // container only while it runs (with the sidecars started before it).
    const withSidecar = deployment(safeContainer(), {
      initContainers: [
        { name: "migrate", resources: { requests: { cpu: "150m" } } },
        { name: "proxy", restartPolicy: "Always", resources: { requests: { cpu: "10m" } } },
      ],
    });
    withSidecar.spec.replicas = 1;
    withSidecar.spec.strategy = { rollingUpdate: { maxSurge: 0 } };
    assert.ok(Math.abs(namespaceDemand([withSidecar])["requests.cpu"] - 0.15) < 1e-9, "migrate alone is the biggest moment");
    withSidecar.spec.template.spec.initContainers.reverse();
    assert.ok(Math.abs(namespaceDemand([withSidecar])["requests.cpu"] - 0.16) < 1e-9, "the sidecar started before migrate runs beside it");
    withSidecar.spec.template.spec.initContainers[1].resources.requests.cpu = "50m";
    assert.ok(Math.abs(namespaceDemand([withSidecar])["requests.cpu"] - 0.11) < 1e-9, "server plus sidecar");
  });
  test("Redis in transit: a plaintext port, optional client certificates and clients around or without the TLS sidecar are reported", () => {
    const overlay = overlayNames()[0];
    assert.deepEqual(redisTlsProblems(rendered(overlay)), []);
    // Each case edits a fresh copy of the rendered overlay.
    const broken = (edit) => {
      const objects = structuredClone(rendered(overlay));
      const cm = (key) => objects.find((o) => o.kind === "ConfigMap" && o.data?.[key] !== undefined);
      const gateway = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "gateway");
      const sidecar = () => podTemplate(gateway).spec.initContainers.find((c) => c.name === "redis-tls-proxy");
      edit({ objects, cm, gateway, sidecar });
      return redisTlsProblems(objects).join("\n");
    };
    const editConf = (cm, key, from, to) => {
      const c = cm(key);
      assert.match(c.data[key], from);
      c.data[key] = c.data[key].replace(from, to);
    };
    assert.match(broken(({ cm }) => editConf(cm, "redis.conf", /^port 0$/m, "port 6379")), /port 6379 serves plaintext/);
    assert.match(broken(({ cm }) => editConf(cm, "redis.conf", /^port 0\n/m, "")), /port 6379 \(default\) serves plaintext/);
    assert.match(broken(({ cm }) => editConf(cm, "redis.conf", /^tls-auth-clients yes$/m, "tls-auth-clients optional")), /clients without a certificate get in/);
    assert.match(broken(({ objects }) => {
      const sts = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "redis");
      podTemplate(sts).spec.initContainers = [];
    }), /a renewed certificate would not be loaded/);
    assert.match(broken(({ cm }) => editConf(cm, "GATEWAY_REDIS_ADDR", /^.*$/, "redis:6380")), /GATEWAY_REDIS_ADDR=redis:6380 leaves the pod in plaintext/);
    assert.match(broken(({ gateway }) => {
      const spec = podTemplate(gateway).spec;
      spec.initContainers = spec.initContainers.filter((c) => c.name !== "redis-tls-proxy");
    }), /Deployment\/gateway server: GATEWAY_REDIS_ADDR=127\.0\.0\.1:6379: no stunnel sidecar/);
    assert.match(broken(({ sidecar }) => delete sidecar().restartPolicy), /not a native sidecar/);
    assert.match(broken(({ cm }) => editConf(cm, "redis-tls-proxy.conf", /^verifyChain = yes$/m, "")), /does not verify Redis's certificate/);
    assert.match(broken(({ cm }) => editConf(cm, "redis-tls-proxy.conf", /^checkHost = redis$/m, "checkHost = gateway")), /checkHost gateway is not a name of Certificate\/redis-tls/);
    assert.match(broken(({ cm }) => editConf(cm, "redis-tls-proxy.conf", /^connect = redis:6380$/m, "connect = redis:6379")), /connect = redis:6379 is not a Service port/);
    assert.match(broken(({ cm }) => editConf(cm, "redis-tls-proxy.conf", /^cert = .*$/m, "cert = /tmp/client.crt")), /stunnel cert=\/tmp\/client\.crt is not in a mounted Secret/);
  });
  test("Redis: an old image, one password, allkeys eviction and clients without their user are reported", () => {
    const start = ['"user default off -@all"', '"user events on #x ~integration.events.* -@all +@stream"'].join("\n");
    const redis = (image, args) => ({ kind: "StatefulSet", metadata: { name: "redis" }, spec: { template: { spec: { containers: [{ name: "redis", image, command: ["sh"], args }] } } } });
    const cm = (policy, script = start) => ({ kind: "ConfigMap", metadata: { name: "redis-config" }, data: { "redis.conf": `maxmemory-policy ${policy}\n`, "redis-start.sh": script } });
    const client = (user, key) => {
      const d = deployment({ ...safeContainer(), env: [{ name: "APP_REDIS_USER", value: user }, { name: "APP_REDIS_PASSWORD_FILE", value: "/etc/redis/password" }], volumeMounts: [{ name: "auth", mountPath: "/etc/redis" }] }, { volumes: [{ name: "auth", secret: { secretName: "integration-redis", items: [{ key, path: "password" }] } }] });
      return d;
    };
    assert.deepEqual(redisProblems([redis("redis:7.2.11-bookworm"), cm("volatile-lru"), client("events", "events")]), []);
    assert.match(redisProblems([redis("redis:7.2.7-bookworm"), cm("volatile-lru")]).join(), /older than Redis 7\.2\.11/);
    assert.match(redisProblems([redis("redis:7.2.11", ["--requirepass x"]), cm("volatile-lru")]).join(), /requirepass/);
    assert.match(redisProblems([redis("redis:7.2.11"), cm("allkeys-lru")]).join(), /may evict the event streams/);
    assert.match(redisProblems([redis("redis:7.2.11"), cm("volatile-lru", '"user default on nopass ~* +@all"')]).join(), /default user is not off/);
    assert.match(redisProblems([redis("redis:7.2.11"), cm("volatile-lru"), client("cache", "cache")]).join(), /user cache is not defined/);
    assert.match(redisProblems([redis("redis:7.2.11"), cm("volatile-lru"), client("events", "gateway")]).join(), /not the key events/);
    assert.match(redisProblems([redis("redis:7.2.11"), cm("volatile-lru"), client("", "events")]).join(), /without an ACL user/);
  });
  test("sync waves: a migration Job or the database after its Deployment, or a missing wave, is reported", () => {
    const w = (kind, name, wave, labels = {}) => ({ kind, metadata: { name, labels, annotations: wave === undefined ? {} : { "argocd.argoproj.io/sync-wave": String(wave) } } });
    const ok = [w("Namespace", "ns", -3), w("Cluster", "pg", -1), w("ConfigMap", "cfg", -1), w("Deployment", "app", 1)];
    assert.deepEqual(syncWaveProblems(ok), []);
    assert.match(syncWaveProblems([...ok, w("Job", "app-migrate", 1, { "app.kubernetes.io/component": "migration" })]).join(), /Job\/app-migrate \(wave 1\) is not applied before Deployment\/app/);
    assert.match(syncWaveProblems([w("Namespace", "ns", -3), w("Cluster", "pg", 2), w("Deployment", "app", 1)]).join(), /Cluster\/pg/);
    assert.match(syncWaveProblems([...ok, w("Service", "s")]).join(), /Service\/s: no integer/);
  });
  test("TLS: a server without certificates, one not from cert-manager, and a gateway in clear are reported", () => {
    const issuer = { kind: "Issuer", metadata: { name: "ca" }, spec: { ca: { secretName: "ca" } } };
    const cert = (name, usages, dnsNames) => ({ kind: "Certificate", metadata: { name }, spec: { secretName: name, usages, dnsNames, issuerRef: { kind: "Issuer", name: "ca" } } });
    const server = (env, secret = "app-tls") => {
      const d = deployment({ ...safeContainer(), env: Object.entries(env).map(([name, value]) => ({ name, value })), volumeMounts: [{ name: "tls", mountPath: "/tls" }] }, { volumes: [{ name: "tls", secret: { secretName: secret } }] });
      return d;
    };
    const files = { APP_TLS_CERT_FILE: "/tls/tls.crt", APP_TLS_KEY_FILE: "/tls/tls.key", APP_TLS_CLIENT_CA_FILE: "/tls/ca.crt" };
    const good = cert("app-tls", ["server auth", "client auth"], ["app", "app-pods"]);
    assert.deepEqual(tlsProblems(server(files), [good, issuer], "APP"), []);
    assert.match(tlsProblems(server({}), [good, issuer], "APP").join(), /APP_TLS_CERT_FILE is not set/);
    assert.match(tlsProblems(server(files, "hand-made"), [good, issuer], "APP").join(), /issued by no Certificate/);
    assert.match(tlsProblems(server(files), [cert("app-tls", ["server auth"], ["app"]), issuer], "APP").join(), /dnsNames lack app-pods/);
    assert.match(tlsProblems(server(files), [good], "APP").join(), /issuer Issuer\/ca is not in the manifests/);
    const peer = { ...files, APP_PEER_ADDR: "dns:///peer-pods:50051" };
    assert.match(tlsProblems(server(peer), [good, issuer], "APP").join(), /APP_PEER_TLS_CERT_FILE is not set/);
    const gateway = server({ APP_BACKENDS: "x=dns:///x-pods:50051", APP_BACKEND_TLS: "false" });
    assert.match(tlsProblems(gateway, [good, issuer], "APP").join(), /APP_BACKEND_TLS is not true/);
  });
  test("a Job with restartPolicy Always (or unset) is reported", () => {
    const job = (restartPolicy) => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy, containers: [safeContainer()] } } } });
    assert.deepEqual(jobProblems(job("Never")), []);
    assert.deepEqual(jobProblems(job("OnFailure")), []);
    assert.match(jobProblems(job("Always")).join(), /restartPolicy Always/);
    assert.match(jobProblems(job(undefined)).join(), /unset = Always/);
  });
  test("PodDisruptionBudgets that block every drain or select nothing are reported", () => {
    const d = deployment(safeContainer());
    d.spec.replicas = 2;
    const pdb = (budget, matchLabels = { "app.kubernetes.io/name": "app" }) => ({ kind: "PodDisruptionBudget", metadata: { name: "app", namespace: "ns" }, spec: { ...budget, selector: { matchLabels } } });
    assert.deepEqual(pdbProblems(pdb({ maxUnavailable: 1 }), [d]), []);
    assert.deepEqual(pdbProblems(pdb({ minAvailable: 1 }), [d]), []);
    assert.match(pdbProblems(pdb({ minAvailable: "100%" }), [d]).join(), /minAvailable 100% blocks/);
    assert.match(pdbProblems(pdb({ minAvailable: 2 }), [d]).join(), /minAvailable 2 >= the 2 pod/);
    assert.match(pdbProblems(pdb({ maxUnavailable: 0 }), [d]).join(), /maxUnavailable 0 blocks/);
    assert.match(pdbProblems(pdb({ maxUnavailable: 1 }, { "app.kubernetes.io/name": "nope" }), [d]).join(), /selects no workload/);
    assert.match(pdbProblems(pdb({}), [d]).join(), /no budget/);
  });
  test("files outside mounts, or missing from a volume's selected keys, are reported", () => {
    const c = { ...safeContainer(), volumeMounts: [{ name: "keys", mountPath: "/etc/keys" }] };
    const d = deployment(c, { volumes: [{ name: "keys", secret: { secretName: "k", items: [{ key: "a", path: "a.pem" }] } }] });
    assert.deepEqual(mountedFileProblems(d, c, [["APP_KEY_FILE", "/etc/keys/a.pem"]]), []);
    assert.match(mountedFileProblems(d, c, [["APP_KEY_FILE", "/etc/keys/b.pem"]]).join(), /holds only a\.pem/);
    assert.match(mountedFileProblems(d, c, [["APP_KEY_FILE", "/etc/other/a.pem"]]).join(), /not inside a mounted volume/);
  });
});

describe("network policy evaluation", () => {
  const pod = (labels, ns = "ns", ports = [{ name: "grpc", containerPort: 50051 }]) => ({ namespace: ns, namespaceLabels: { "kubernetes.io/metadata.name": ns }, labels, ports });
  const deny = { metadata: { name: "deny", namespace: "ns" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } };
  const a = pod({ app: "a" });
  const b = pod({ app: "b" });
  test("default deny blocks, an ingress+egress pair allows, named ports resolve", () => {
    assert.equal(allowed([], a, b, 50051), true);
    assert.equal(allowed([deny], a, b, 50051), false);
    const ingress = { metadata: { name: "b", namespace: "ns" }, spec: { podSelector: { matchLabels: { app: "b" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }], ports: [{ port: "grpc" }] }] } };
    const egress = { metadata: { name: "a", namespace: "ns" }, spec: { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "b" } } }] }] } };
    assert.equal(allowed([deny, ingress], a, b, 50051), false, "egress still denied");
    assert.equal(allowed([deny, ingress, egress], a, b, 50051), true);
    assert.equal(allowed([deny, ingress, egress], a, b, 9090), false, "other port");
    assert.equal(allowed([deny, ingress, egress], b, a, 50051), false, "other direction");
  });
  test("a podSelector without namespaceSelector stays in the policy's namespace; both together are ANDed", () => {
    const fromA = (peer) => ({ metadata: { name: "b", namespace: "ns" }, spec: { podSelector: { matchLabels: { app: "b" } }, ingress: [{ from: [peer] }] } });
    const foreignA = pod({ app: "a" }, "other");
    assert.equal(allowed([deny, fromA({ podSelector: { matchLabels: { app: "a" } } })], foreignA, b, 50051), false);
    const both = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } }, podSelector: { matchLabels: { app: "a" } } };
    assert.equal(allowed([deny, fromA(both)], foreignA, b, 50051), true);
    assert.equal(allowed([deny, fromA(both)], pod({ app: "z" }, "other"), b, 50051), false);
  });
  test("ipBlock with except", () => {
    assert.equal(ipInCidr("10.1.2.3", "10.0.0.0/8"), true);
    assert.equal(ipInCidr("11.1.2.3", "10.0.0.0/8"), false);
    const out = { metadata: { name: "a", namespace: "ns" }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }] } };
    assert.equal(allowed([deny, out], a, { ip: "203.0.113.1" }, 443), true);
    assert.equal(allowed([deny, out], a, { ip: "10.0.0.1" }, 443), false);
  });
});

describe("parsers", () => {
  test("--help lines give flag, environment variable, default and required", () => {
    const settings = parseHelp([
      "Usage: x [flags] [command]",
      "  --grpc-port=INT  (env TRAINING_GRPC_PORT, default 50055, range [0, 65535])",
      "      gRPC port",
      "  --pg-dsn=SECRET  (env TRAINING_PG_DSN, <secret>, required)",
      '  --jwt-issuer=STRING  (env TRAINING_JWT_ISSUER, default "https://a, b")',
      "  --verbose[=true|false]  (env TRAINING_VERBOSE, default false)",
      "  --help  (show this text)",
    ].join("\n"));
    assert.deepEqual(settings.map((s) => s.env), ["TRAINING_GRPC_PORT", "TRAINING_PG_DSN", "TRAINING_JWT_ISSUER", "TRAINING_VERBOSE"]);
    assert.equal(settings[0].defaultValue, "50055");
    assert.equal(settings[1].required, true);
    assert.equal(settings[2].defaultValue, "https://a, b");
    assert.equal(settings[3].kind, "BOOL");
  });
  test("the service runtime's real --help parses (its test server, when built)", (t) => {
    const bin = buildDir() && path.join(buildDir(), "common/integration_service_echo_server");
    if (!bin || !existsSync(bin)) {
      t.skip("common's integration_service_echo_server is not built");
      return;
    }
    const envs = helpOf(bin).map((s) => s.env);
    for (const flag of ["GRPC_PORT", "ADMIN_PORT", "PG_DSN", "REDIS_ADDR", "SHUTDOWN_DELAY", "DRAIN_TIMEOUT", "JWKS_FILE", "LOG_LEVEL"]) {
      assert.ok(envs.some((e) => e.endsWith(`_${flag}`)), `${flag} not found in ${envs.join(", ")}`);
    }
    assert.ok(helpOf(bin).find((s) => s.env.endsWith("_PG_DSN")).required);
  });
  test("durations and DSNs", () => {
    assert.equal(durationSeconds("250ms"), 0.25);
    assert.equal(durationSeconds("2m"), 120);
    assert.ok(Number.isNaN(durationSeconds("5")));
    assert.deepEqual(parseDsn("host=h port=5432 application_name='a b'"), { host: "h", port: "5432", application_name: "a b" });
  });
});
