// The rules every rendered workload must follow, as functions returning the problems found
// (empty = fine), so that the tests can run them on the overlays and on broken examples alike.
import { matchesSelector } from "./netpol.mjs";
import {
  containerEnv,
  containersOf,
  durationSeconds,
  id,
  podPorts,
  podTemplate,
  quantity,
  workloadKinds,
} from "./manifests.mjs";

// A pinned image names a tag other than "latest" or a digest.
export function imageProblems(image) {
  if (typeof image !== "string" || image === "") return ["no image"];
  const digest = /@sha256:[0-9a-f]{64}$/.test(image);
  const lastSegment = image.replace(/@.*$/, "").split("/").pop();
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : null;
  if (!digest && tag === null) return [`image ${image} has no tag (an unpinned image is "latest")`];
  if (tag === "latest") return [`image ${image} uses the tag "latest"`];
  if (tag !== null && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return [`image ${image}: bad tag`];
  return [];
}

// Probes, resources, security context and image of every container of a workload.
export function containerProblems(obj) {
  const problems = [];
  const podSpec = podTemplate(obj)?.spec ?? {};
  const podSc = podSpec.securityContext ?? {};
  const longRunning = ["Deployment", "StatefulSet", "DaemonSet"].includes(obj.kind);
  for (const { container: c, role } of containersOf(obj)) {
    const where = `${id(obj)} container ${c.name}`;
    for (const p of imageProblems(c.image)) problems.push(`${where}: ${p}`);

    const r = c.resources ?? {};
    for (const kind of ["requests", "limits"]) {
      for (const res of ["cpu", "memory"]) {
        if (r[kind]?.[res] === undefined) problems.push(`${where}: no ${kind}.${res}`);
      }
    }
    for (const res of ["cpu", "memory"]) {
      if (r.requests?.[res] !== undefined && r.limits?.[res] !== undefined &&
          quantity(r.requests[res]) > quantity(r.limits[res])) {
        problems.push(`${where}: requests.${res} above limits.${res}`);
      }
    }

    const sc = c.securityContext ?? {};
    const effective = (key) => (sc[key] !== undefined ? sc[key] : podSc[key]);
    if (effective("runAsNonRoot") !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if (effective("runAsUser") === 0) problems.push(`${where}: runs as uid 0`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
    if (sc.privileged === true) problems.push(`${where}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${where}: capabilities do not drop ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
    const seccomp = effective("seccompProfile")?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      problems.push(`${where}: seccompProfile is not RuntimeDefault`);
    }

    if (longRunning && role === "container") {
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        if (!c[probe]) problems.push(`${where}: no ${probe}`);
      }
    }
  }
  return problems;
}

// Pod-level rules: no API token, no service-link variables, nothing of the host.
export function podProblems(obj) {
  const spec = podTemplate(obj)?.spec;
  if (!spec) return [];
  const problems = [];
  if (spec.automountServiceAccountToken !== false) problems.push(`${id(obj)}: automountServiceAccountToken is not false`);
  if (spec.enableServiceLinks !== false) problems.push(`${id(obj)}: enableServiceLinks is not false`);
  for (const k of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (spec[k] === true) problems.push(`${id(obj)}: ${k}`);
  }
  for (const v of spec.volumes ?? []) {
    if (v.hostPath) problems.push(`${id(obj)}: hostPath volume ${v.name}`);
  }
  return problems;
}

// A server's probes ask its health: the admin port's /readyz (start-up, readiness) and /healthz
// (liveness), or, while the gRPC port is plaintext, the gRPC health service there. Its grace
// period covers preStop + --shutdown-delay + --drain-timeout (+10 s for closing pools and the
// relay).
export function serverProblems(deployment, objects, prefix) {
  const problems = [];
  const spec = podTemplate(deployment)?.spec ?? {};
  const c = (spec.containers ?? []).find((x) => x.name === "server");
  if (!c) return [`${id(deployment)}: no container named server`];
  const { env: serverEnv } = containerEnv(objects, c);
  const tls = Boolean(serverEnv.get(`${prefix}_TLS_CERT_FILE`));
  const adminPort = (p) => p === "admin" || p === podPorts.admin;
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const p = c[probe];
    if (p?.httpGet) {
      const want = probe === "livenessProbe" ? "/healthz" : "/readyz";
      if (!adminPort(p.httpGet.port)) problems.push(`${id(deployment)}: ${probe} on port ${p.httpGet.port}, not the admin port`);
      if (p.httpGet.path !== want) problems.push(`${id(deployment)}: ${probe} asks ${p.httpGet.path} (${want} is meant)`);
      if ((p.httpGet.scheme ?? "HTTP") !== "HTTP") problems.push(`${id(deployment)}: ${probe} is not plain HTTP (the admin port has no TLS)`);
    } else if (!p?.grpc) problems.push(`${id(deployment)}: ${probe} is neither an admin-port HTTP probe nor a gRPC probe`);
    else if (tls) problems.push(`${id(deployment)}: ${probe} is a gRPC probe, but the gRPC port speaks TLS (the kubelet cannot)`);
    else {
      if (p.grpc.port !== podPorts.grpc) problems.push(`${id(deployment)}: ${probe} on port ${p.grpc.port}, not ${podPorts.grpc}`);
      // Readiness and start-up follow the server-wide status ""; liveness asks for the
      // runtime's "liveness" entry, which stays SERVING while the database is down.
      const want = probe === "livenessProbe" ? "liveness" : "";
      if ((p.grpc.service ?? "") !== want) problems.push(`${id(deployment)}: ${probe} asks for service "${p.grpc.service ?? ""}" ("${want}" is meant)`);
    }
  }
  const { env } = containerEnv(objects, c);
  const delay = durationSeconds(env.get(`${prefix}_SHUTDOWN_DELAY`));
  const drain = durationSeconds(env.get(`${prefix}_DRAIN_TIMEOUT`));
  if (Number.isNaN(delay)) problems.push(`${id(deployment)}: ${prefix}_SHUTDOWN_DELAY is not set to a duration`);
  if (Number.isNaN(drain)) problems.push(`${id(deployment)}: ${prefix}_DRAIN_TIMEOUT is not set to a duration`);
  const preStop = c.lifecycle?.preStop?.sleep?.seconds;
  if (typeof preStop !== "number") problems.push(`${id(deployment)}: no preStop sleep`);
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  if (!Number.isNaN(delay) && !Number.isNaN(drain) && typeof preStop === "number" &&
      grace < preStop + delay + drain + 10) {
    problems.push(`${id(deployment)}: terminationGracePeriodSeconds ${grace} < preStop ${preStop} + shutdown delay ${delay} + drain ${drain} + 10`);
  }
  return problems;
}

// The PodDisruptionBudgets that select a workload's pods.
export function pdbsFor(obj, objects) {
  const labels = podTemplate(obj)?.metadata?.labels ?? {};
  return objects.filter(
    (o) => o.kind === "PodDisruptionBudget" &&
      o.metadata.namespace === obj.metadata.namespace &&
      matchesSelector(o.spec.selector, labels),
  );
}

export function isDefaultDeny(policy) {
  const s = policy.spec;
  return Object.keys(s.podSelector ?? {}).length === 0 &&
    (s.policyTypes ?? []).includes("Ingress") && (s.policyTypes ?? []).includes("Egress") &&
    (s.ingress ?? []).length === 0 && (s.egress ?? []).length === 0;
}

// A workload is covered when its namespace denies by default and a policy of its own (one that
// selects it by label, not every pod) says who may connect to it.
export function networkPolicyProblems(obj, objects) {
  const labels = podTemplate(obj)?.metadata?.labels ?? {};
  const policies = objects.filter(
    (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === obj.metadata.namespace,
  );
  const problems = [];
  if (!policies.some(isDefaultDeny)) problems.push(`${id(obj)}: its namespace has no default-deny NetworkPolicy`);
  const own = policies.filter(
    (p) => Object.keys(p.spec.podSelector ?? {}).length > 0 && matchesSelector(p.spec.podSelector, labels) &&
      (p.spec.ingress ?? []).length > 0,
  );
  if (own.length === 0) problems.push(`${id(obj)}: no NetworkPolicy selects its pods to allow their callers`);
  return problems;
}

// Secrets are created by operators (k8s/README.md); the manifests only reference them.
export function secretProblems(objects) {
  return objects
    .filter((o) => o.kind === "Secret")
    .map((o) => `${id(o)}: a Secret object in the manifests${o.data || o.stringData ? " carrying data" : ""} (create Secrets outside git, reference them by name)`);
}

// Every Secret name the objects reference, with where.
export function secretReferences(objects) {
  const refs = new Map();
  const add = (name, where) => {
    if (!name) return;
    if (!refs.has(name)) refs.set(name, []);
    refs.get(name).push(where);
  };
  for (const o of objects) {
    const spec = podTemplate(o)?.spec;
    if (spec) {
      for (const v of spec.volumes ?? []) add(v.secret?.secretName, `${id(o)} volume ${v.name}`);
      for (const v of spec.volumes ?? []) {
        for (const s of v.projected?.sources ?? []) add(s.secret?.name, `${id(o)} volume ${v.name}`);
      }
      for (const { container: c } of containersOf(o)) {
        for (const e of c.env ?? []) add(e.valueFrom?.secretKeyRef?.name, `${id(o)} env ${e.name}`);
        for (const e of c.envFrom ?? []) add(e.secretRef?.name, `${id(o)} envFrom`);
      }
      for (const s of spec.imagePullSecrets ?? []) add(s.name, `${id(o)} imagePullSecrets`);
    }
    if (o.kind === "Cluster") {
      for (const r of o.spec.managed?.roles ?? []) add(r.passwordSecret?.name, `${id(o)} role ${r.name}`);
      const creds = o.spec.backup?.barmanObjectStore?.s3Credentials ?? {};
      for (const [k, v] of Object.entries(creds)) if (v?.name) add(v.name, `${id(o)} backup ${k}`);
      add(o.spec.bootstrap?.initdb?.secret?.name, `${id(o)} initdb owner`);
      add(o.spec.superuserSecret?.name, `${id(o)} superuser`);
    }
    if (o.kind === "Gateway") {
      for (const l of o.spec.listeners ?? []) {
        for (const ref of l.tls?.certificateRefs ?? []) {
          if ((ref.kind ?? "Secret") === "Secret") add(ref.name, `${id(o)} listener ${l.name}`);
        }
      }
    }
  }
  return refs;
}

// File settings (<PREFIX>_..._FILE, sslrootcert in the DSN) must point into a mounted volume,
// and into a key of it when the volume selects keys; returns the problems.
export function mountedFileProblems(obj, container, files) {
  const spec = podTemplate(obj)?.spec ?? {};
  const problems = [];
  for (const [setting, file] of files) {
    if (!file) continue;
    const mount = (container.volumeMounts ?? [])
      .filter((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (!mount) {
      problems.push(`${id(obj)} ${container.name}: ${setting}=${file} is not inside a mounted volume`);
      continue;
    }
    const volume = (spec.volumes ?? []).find((v) => v.name === mount.name);
    if (!volume) {
      problems.push(`${id(obj)} ${container.name}: volume ${mount.name} is mounted but not defined`);
      continue;
    }
    const rel = file.slice(mount.mountPath.replace(/\/$/, "").length + 1);
    const source = volume.secret ?? volume.configMap;
    if (source?.items) {
      if (!source.items.some((i) => i.path === rel)) {
        problems.push(`${id(obj)} ${container.name}: ${setting}=${file} but volume ${mount.name} holds only ${source.items.map((i) => i.path).join(", ")}`);
      }
    } else if (volume.emptyDir) {
      problems.push(`${id(obj)} ${container.name}: ${setting}=${file} is in an empty volume`);
    }
  }
  return problems;
}

// A topology spread constraint counts the pods its labelSelector selects; one that does not
// select the workload's own pods counts zero everywhere and spreads nothing. (matchLabelKeys
// only narrows the selector with the pod's own labels, so it cannot make it match.)
export function topologySpreadProblems(obj) {
  const template = podTemplate(obj);
  if (!template) return [];
  const labels = template.metadata?.labels ?? {};
  const problems = [];
  for (const [i, c] of (template.spec?.topologySpreadConstraints ?? []).entries()) {
    if (!c.labelSelector) problems.push(`${id(obj)}: topologySpreadConstraints[${i}] (${c.topologyKey}) has no labelSelector (it counts no pods)`);
    else if (!matchesSelector(c.labelSelector, labels)) {
      problems.push(`${id(obj)}: topologySpreadConstraints[${i}] (${c.topologyKey}) selects none of its own pods`);
    }
  }
  return problems;
}

// A Job's pods must end: the API refuses restartPolicy Always (the pod template's default) for
// Jobs and CronJobs.
export function jobProblems(obj) {
  if (obj.kind !== "Job" && obj.kind !== "CronJob") return [];
  const policy = podTemplate(obj)?.spec?.restartPolicy;
  if (policy === "Never" || policy === "OnFailure") return [];
  return [`${id(obj)}: restartPolicy ${policy ?? "(unset = Always)"}; a Job needs Never or OnFailure`];
}

// The pod count a workload runs with at least: its autoscaler's minimum, else its replicas.
function minimumPods(workload, objects) {
  const hpa = objects.find(
    (o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef.kind === workload.kind &&
      o.spec.scaleTargetRef.name === workload.metadata.name,
  );
  return hpa ? (hpa.spec.minReplicas ?? 1) : (workload.spec.replicas ?? 1);
}

// A budget must select pods and let a node drain evict one of them: maxUnavailable 0,
// minAvailable "100%" or minAvailable at the workload's pod count block every drain.
export function pdbProblems(pdb, objects) {
  const problems = [];
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable === undefined && minAvailable === undefined) problems.push(`${id(pdb)}: no budget`);
  const percent = (v) => (typeof v === "string" && v.endsWith("%") ? Number(v.slice(0, -1)) : null);
  if (maxUnavailable === 0 || percent(maxUnavailable) === 0) problems.push(`${id(pdb)}: maxUnavailable ${maxUnavailable} blocks every drain`);
  if (percent(minAvailable) !== null && percent(minAvailable) >= 100) problems.push(`${id(pdb)}: minAvailable ${minAvailable} blocks every drain`);
  const selected = objects.filter(
    (o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && o.metadata.namespace === pdb.metadata.namespace &&
      matchesSelector(pdb.spec.selector, podTemplate(o)?.metadata?.labels ?? {}),
  );
  if (selected.length === 0) problems.push(`${id(pdb)}: selects no workload's pods`);
  for (const w of selected) {
    if (typeof minAvailable === "number" && minAvailable >= minimumPods(w, objects)) {
      problems.push(`${id(pdb)}: minAvailable ${minAvailable} >= the ${minimumPods(w, objects)} pod(s) of ${id(w)}, so no drain may evict one`);
    }
  }
  return problems;
}

// The labels CloudNativePG puts on every instance pod of a cluster (the ones a spread
// constraint of the Cluster can count them by).
export function cnpgInstanceLabels(cluster) {
  return { "cnpg.io/cluster": cluster.metadata.name, "cnpg.io/podRole": "instance" };
}

// A CloudNativePG cluster: a single instance must not get the operator's PodDisruptionBudget
// (it would block every node drain); with replicas, `production` asks for no lost commits on
// failover (synchronous replication to one standby) and instances spread over zones.
export function postgresClusterProblems(cluster, { production }) {
  const problems = [];
  const spec = cluster.spec ?? {};
  const instances = spec.instances ?? 1;
  if (instances === 1 && spec.enablePDB !== false) {
    problems.push(`${id(cluster)}: one instance with the operator's PodDisruptionBudget (enablePDB is not false) blocks every node drain`);
  }
  for (const [i, c] of (spec.topologySpreadConstraints ?? []).entries()) {
    if (!c.labelSelector || !matchesSelector(c.labelSelector, cnpgInstanceLabels(cluster))) {
      problems.push(`${id(cluster)}: topologySpreadConstraints[${i}] (${c.topologyKey}) selects none of its instances`);
    }
  }
  if (production) {
    if (instances < 3) problems.push(`${id(cluster)}: ${instances} instances; production needs a primary and two standbys`);
    const sync = spec.postgresql?.synchronous;
    if (!sync || !(sync.number >= 1)) {
      problems.push(`${id(cluster)}: asynchronous replication only (a failover can lose acknowledged commits); set postgresql.synchronous`);
    } else {
      if (sync.dataDurability === "preferred") problems.push(`${id(cluster)}: synchronous dataDurability "preferred" drops to asynchronous when standbys fail`);
      if (sync.number > instances - 2) problems.push(`${id(cluster)}: ${sync.number} synchronous standbys of ${instances - 1}: losing one standby would stop every write`);
    }
    const zones = (spec.topologySpreadConstraints ?? []).find((c) => c.topologyKey === "topology.kubernetes.io/zone");
    if (!zones) problems.push(`${id(cluster)}: instances are not spread over zones`);
  }
  return problems;
}

// The most pods of each workload at once (autoscaler maximum or replicas, plus the rolling
// update's surge) and what they request and may use, summed over the namespace; PostgreSQL
// instances included. For comparing with the namespace's ResourceQuota.
export function namespaceDemand(objects) {
  const total = { pods: 0, "requests.cpu": 0, "requests.memory": 0, "limits.cpu": 0, "limits.memory": 0 };
  const add = (count, resources) => {
    total.pods += count;
    for (const kind of ["requests", "limits"]) {
      for (const res of ["cpu", "memory"]) total[`${kind}.${res}`] += count * quantity(resources?.[kind]?.[res] ?? 0);
    }
  };
  for (const o of objects) {
    const spec = podTemplate(o)?.spec;
    if (spec) {
      // A pod's demand as Kubernetes computes it: its containers together plus every native
      // sidecar (init container with restartPolicy Always, running beside them), or an ordinary
      // init container plus the sidecars started before it, if that is bigger.
      const pod = { requests: {}, limits: {} };
      for (const kind of ["requests", "limits"]) {
        for (const res of ["cpu", "memory"]) {
          const of = (c) => quantity(c.resources?.[kind]?.[res] ?? 0);
          const sum = (spec.containers ?? []).reduce((s, c) => s + of(c), 0);
          let sidecars = 0;
          let init = 0;
          for (const c of spec.initContainers ?? []) {
            if (c.restartPolicy === "Always") sidecars += of(c);
            init = Math.max(init, sidecars + (c.restartPolicy === "Always" ? 0 : of(c)));
          }
          pod[kind][res] = Math.max(sum + sidecars, init);
        }
      }
      let count = 1;
      if (o.kind === "Deployment") {
        const hpa = objects.find((h) => h.kind === "HorizontalPodAutoscaler" && h.spec.scaleTargetRef.name === o.metadata.name);
        const n = hpa ? hpa.spec.maxReplicas : (o.spec.replicas ?? 1);
        const surge = String(o.spec.strategy?.rollingUpdate?.maxSurge ?? "25%");
        count = n + (surge.endsWith("%") ? Math.ceil((n * Number(surge.slice(0, -1))) / 100) : Number(surge));
      } else if (o.kind === "StatefulSet") {
        count = o.spec.replicas ?? 1;
      } else if (o.kind === "Job") {
        count = o.spec.parallelism ?? 1;
      }
      add(count, pod);
    }
    if (o.kind === "Cluster") add(o.spec.instances ?? 1, o.spec.resources);
  }
  return total;
}

// The namespace's ResourceQuota must hold the demand above (or a rollout or scale-up stalls
// with "exceeded quota"), and its LimitRange must admit every container.
export function quotaProblems(objects) {
  const problems = [];
  const quotas = objects.filter((o) => o.kind === "ResourceQuota");
  if (quotas.length === 0) problems.push("no ResourceQuota in the namespace");
  const demand = namespaceDemand(objects);
  for (const q of quotas) {
    for (const [key, need] of Object.entries(demand)) {
      const hard = q.spec.hard?.[key];
      if (hard === undefined) problems.push(`${id(q)}: no hard limit for ${key}`);
      else if (quantity(hard) + 1e-9 < need) problems.push(`${id(q)}: ${key} ${hard} < ${key.endsWith("memory") ? `${need / 1024 ** 3}Gi` : need} needed at full scale`);
    }
  }
  const ranges = objects.filter((o) => o.kind === "LimitRange");
  if (ranges.length === 0) problems.push("no LimitRange in the namespace");
  for (const r of ranges) {
    for (const item of (r.spec.limits ?? []).filter((l) => l.type === "Container")) {
      for (const o of objects) {
        for (const { container: c } of containersOf(o)) {
          for (const res of ["cpu", "memory"]) {
            const lim = c.resources?.limits?.[res];
            if (item.max?.[res] && lim && quantity(lim) > quantity(item.max[res])) problems.push(`${id(o)} ${c.name}: limits.${res} ${lim} above the LimitRange's max ${item.max[res]}`);
            const req = c.resources?.requests?.[res];
            if (item.min?.[res] && req && quantity(req) < quantity(item.min[res])) problems.push(`${id(o)} ${c.name}: requests.${res} ${req} below the LimitRange's min ${item.min[res]}`);
          }
        }
      }
    }
  }
  return problems;
}

// Redis: a version with the 2025 security fixes, ACL users per purpose with the default user
// off, every client logging in as a user that exists with the password file of that user, and
// an eviction policy that can never drop the event streams (only keys with a time-to-live).
export function redisProblems(objects, minimum = [7, 2, 11]) {
  const problems = [];
  const sts = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "redis");
  if (!sts) return ["no Redis StatefulSet"];
  const c = podTemplate(sts).spec.containers.find((x) => x.name === "redis");
  const tag = /:(\d+)\.(\d+)\.(\d+)/.exec(c?.image ?? "");
  const version = tag ? tag.slice(1, 4).map(Number) : null;
  const older = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  if (!version || older(version, minimum) < 0) problems.push(`${id(sts)}: image ${c?.image} is older than Redis ${minimum.join(".")}`);
  if (JSON.stringify([...(c?.command ?? []), ...(c?.args ?? [])]).includes("requirepass")) problems.push(`${id(sts)}: one password for everyone (--requirepass)`);
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.data?.["redis.conf"] !== undefined);
  const conf = cm?.data?.["redis.conf"] ?? "";
  const policy = /^maxmemory-policy\s+(\S+)/m.exec(conf)?.[1] ?? "noeviction";
  if (!/^(volatile-[a-z]+|noeviction)$/.test(policy)) problems.push(`redis.conf: maxmemory-policy ${policy} may evict the event streams (keys without a time-to-live)`);
  const start = cm?.data?.["redis-start.sh"] ?? "";
  const users = new Map();
  for (const m of start.matchAll(/"user (\S+) (on|off)\b([^"]*)"/g)) users.set(m[1], { on: m[2] === "on", rules: m[3] });
  if (users.get("default")?.on !== false) problems.push("redis-start.sh: the default user is not off");
  for (const [name, u] of users) {
    if (name === "default" || name === "admin") continue;
    if (!/-@all/.test(u.rules)) problems.push(`redis-start.sh: user ${name} does not start from -@all`);
  }
  // Every client: its user exists and its password file is that user's key of the Secret.
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    for (const ct of podTemplate(d).spec.containers ?? []) {
      const { env } = containerEnv(objects, ct);
      const userVar = [...env.keys()].find((k) => k.endsWith("_REDIS_USER"));
      const fileVar = [...env.keys()].find((k) => k.endsWith("_REDIS_PASSWORD_FILE"));
      if (!fileVar && !userVar) continue;
      const user = userVar ? env.get(userVar) : "";
      if (!user) {
        problems.push(`${id(d)}: logs in to Redis without an ACL user (the default user is off)`);
        continue;
      }
      if (!users.get(user)?.on) problems.push(`${id(d)}: Redis user ${user} is not defined in redis-start.sh`);
      const file = env.get(fileVar);
      const mount = (ct.volumeMounts ?? []).find((m) => typeof file === "string" && file.startsWith(`${m.mountPath}/`));
      const vol = mount && (podTemplate(d).spec.volumes ?? []).find((v) => v.name === mount.name);
      const item = vol?.secret?.items?.find((i) => `${mount.mountPath}/${i.path}` === file);
      if (vol?.secret?.secretName !== "integration-redis" || item?.key !== user) {
        problems.push(`${id(d)}: ${fileVar} is not the key ${user} of the Secret integration-redis`);
      }
      if ((vol?.secret?.items ?? []).length !== 1) problems.push(`${id(d)}: mounts more than its own Redis password`);
    }
  }
  return problems;
}

const waveKey = "argocd.argoproj.io/sync-wave";
export const syncWave = (o) => Number(o.metadata?.annotations?.[waveKey]);

// Argo CD applies lower sync waves first and waits for them to be healthy: the namespace
// first, then what pods need (database, Redis, settings), migrations before the Deployments
// whose code needs them.
export function syncWaveProblems(objects) {
  const problems = [];
  for (const o of objects) {
    if (!Number.isInteger(syncWave(o))) problems.push(`${id(o)}: no integer ${waveKey} annotation`);
  }
  const wave = (kind, pred = () => true) => objects.filter((o) => o.kind === kind && pred(o));
  const namespaces = wave("Namespace");
  const lowest = Math.min(...objects.map(syncWave).filter(Number.isInteger));
  for (const n of namespaces) if (syncWave(n) !== lowest) problems.push(`${id(n)}: not in the first wave`);
  const before = [
    ...wave("Cluster"), ...wave("StatefulSet"), ...wave("ConfigMap"), ...wave("ServiceAccount"),
    ...wave("Job", (j) => j.metadata.labels?.["app.kubernetes.io/component"] === "migration"),
  ];
  for (const d of wave("Deployment")) {
    for (const b of before) {
      if (!(syncWave(b) < syncWave(d))) problems.push(`${id(b)} (wave ${syncWave(b)}) is not applied before ${id(d)} (wave ${syncWave(d)})`);
    }
  }
  return problems;
}

// The cert-manager Certificate whose Secret holds `file` as mounted in container `c`, or a
// problem.
function certificateOf(obj, c, objects, setting, file) {
  const where = `${id(obj)} ${c.name}: ${setting}`;
  if (typeof file !== "string" || file === "") return { problem: `${where} is not set` };
  const mount = (c.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
  const volume = mount && (podTemplate(obj).spec.volumes ?? []).find((v) => v.name === mount.name);
  const secret = volume?.secret?.secretName;
  if (!secret) return { problem: `${where}=${file} is not in a mounted Secret` };
  const cert = objects.find((o) => o.kind === "Certificate" && o.spec?.secretName === secret);
  if (!cert) return { problem: `${where}=${file}: Secret ${secret} is issued by no Certificate (no renewal)` };
  const ref = cert.spec.issuerRef ?? {};
  if (!objects.some((o) => o.kind === (ref.kind ?? "Issuer") && o.metadata.name === ref.name)) {
    return { problem: `${id(cert)}: issuer ${ref.kind ?? "Issuer"}/${ref.name} is not in the manifests` };
  }
  return { cert };
}

// TLS inside the cluster: every server but the gateway serves gRPC with a certificate from
// cert-manager and requires client certificates of the internal CA; its certificate names the
// Services callers dial; the gateway and every service calling a peer present a client
// certificate and verify the server against the CA.
export function tlsProblems(deployment, objects, prefix) {
  const problems = [];
  const c = (podTemplate(deployment)?.spec?.containers ?? []).find((x) => x.name === "server");
  if (!c) return problems;
  const { env } = containerEnv(objects, c);
  const usages = (cert) => cert.spec.usages ?? ["digital signature", "key encipherment"];
  const check = (setting, usage) => {
    const { problem, cert } = certificateOf(deployment, c, objects, setting, env.get(setting));
    if (problem) problems.push(problem);
    else if (usage && !usages(cert).includes(usage)) problems.push(`${id(cert)}: usages lack "${usage}" (${setting})`);
    return cert;
  };
  if (env.has(`${prefix}_BACKENDS`)) {
    if (String(env.get(`${prefix}_BACKEND_TLS`)) !== "true") problems.push(`${id(deployment)}: ${prefix}_BACKEND_TLS is not true (calls to the services in clear)`);
    check(`${prefix}_BACKEND_CA_FILE`);
    check(`${prefix}_BACKEND_CERT_FILE`, "client auth");
    check(`${prefix}_BACKEND_KEY_FILE`);
  } else {
    const cert = check(`${prefix}_TLS_CERT_FILE`, "server auth");
    check(`${prefix}_TLS_KEY_FILE`);
    check(`${prefix}_TLS_CLIENT_CA_FILE`);
    const name = deployment.metadata.name;
    for (const dns of [name, `${name}-pods`]) {
      if (cert && !(cert.spec.dnsNames ?? []).includes(dns)) problems.push(`${id(cert)}: dnsNames lack ${dns} (callers dial it)`);
    }
  }
  for (const key of env.keys()) {
    const m = new RegExp(`^${prefix}_([A-Z0-9_]+)_ADDR$`).exec(key);
    if (!m || m[1] === "REDIS") continue;
    check(`${prefix}_${m[1]}_TLS_CA_FILE`);
    check(`${prefix}_${m[1]}_TLS_CERT_FILE`, "client auth");
    check(`${prefix}_${m[1]}_TLS_KEY_FILE`);
  }
  return problems;
}

// "key = value" lines of an stunnel configuration by section ("" = global); comments (";" or
// "#") and blank lines skipped.
export function parseStunnelConf(text) {
  const sections = new Map([["", new Map()]]);
  let current = sections.get("");
  for (const raw of String(text).split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv) current.set(kv[1], kv[2]);
  }
  return sections;
}

// The text of file `file` as mounted from a ConfigMap in container `c` of workload `obj`.
function configMapFile(obj, c, objects, file) {
  const mount = (c.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
  const volume = mount && (podTemplate(obj).spec.volumes ?? []).find((v) => v.name === mount.name);
  const cm = volume?.configMap && objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === volume.configMap.name);
  if (!cm) return undefined;
  const rel = file.slice(mount.mountPath.replace(/\/$/, "").length + 1);
  const item = (volume.configMap.items ?? []).find((i) => i.path === rel);
  return cm.data?.[item ? item.key : rel];
}

// Redis in transit: Redis serves TLS only (no plaintext port, client certificates required,
// its certificate from cert-manager and re-read on renewal by a second container), and every
// container with a *_REDIS_ADDR reaches it through a stunnel client sidecar of its own pod: a
// native sidecar (init container, restartPolicy Always) listening on the loopback address the
// setting names, connecting to a Service port of Redis's TLS port, presenting a client
// certificate of a cert-manager Secret and verifying Redis's certificate (chain and name)
// against the CA of the same issuer.
export function redisTlsProblems(objects) {
  const problems = [];
  const sts = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "redis");
  if (!sts) return ["no Redis StatefulSet"];
  const spec = podTemplate(sts).spec;
  const redis = (spec.containers ?? []).find((x) => x.name === "redis");
  if (!redis) return [`${id(sts)}: no container redis`];
  const conf = objects.find((o) => o.kind === "ConfigMap" && o.data?.["redis.conf"] !== undefined)?.data?.["redis.conf"] ?? "";
  const setting = (key) => new RegExp(`^${key}\\s+(.*?)\\s*$`, "m").exec(conf)?.[1]?.replace(/^"(.*)"$/, "$1");
  const args = [...(redis.command ?? []), ...(redis.args ?? [])].join(" ");
  if (/--port\s+(?!0\b)/.test(args) || /--tls-auth-clients\s+(no|optional)/.test(args)) problems.push(`${id(sts)}: the command line overrides redis.conf's TLS settings`);
  if (setting("port") !== "0") problems.push(`redis.conf: port ${setting("port") ?? "6379 (default)"} serves plaintext (set port 0)`);
  const tlsPort = Number(setting("tls-port"));
  if (!(tlsPort > 0)) problems.push("redis.conf: no tls-port");
  const authClients = setting("tls-auth-clients") ?? "yes";
  if (authClients !== "yes") problems.push(`redis.conf: tls-auth-clients ${authClients} (clients without a certificate get in)`);
  let redisCert;
  for (const key of ["tls-cert-file", "tls-key-file", "tls-ca-cert-file"]) {
    const { problem, cert } = certificateOf(sts, redis, objects, `redis.conf ${key}`, setting(key));
    if (problem) problems.push(problem);
    else if (key === "tls-cert-file") redisCert = cert;
  }
  if (redisCert) {
    const reloaders = containersOf(sts).filter(({ container: c }) => c !== redis &&
      (c.volumeMounts ?? []).some((m) => (spec.volumes ?? []).find((v) => v.name === m.name)?.secret?.secretName === redisCert.spec.secretName));
    if (reloaders.length === 0) problems.push(`${id(sts)}: no container beside redis watches Secret ${redisCert.spec.secretName} (a renewed certificate would not be loaded)`);
  }
  for (const p of redis.ports ?? []) {
    if (p.containerPort !== tlsPort) problems.push(`${id(sts)}: container port ${p.containerPort} is not the TLS port ${tlsPort}`);
  }
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const cmd = (redis[probe]?.exec?.command ?? []).join(" ");
    if (cmd.includes("redis-cli") && !/--tls\b/.test(cmd)) problems.push(`${id(sts)}: ${probe} runs redis-cli without --tls`);
  }
  // Services of Redis: every port leads to the TLS port.
  const redisLabels = podTemplate(sts).metadata.labels ?? {};
  const redisServices = objects.filter((o) => o.kind === "Service" && o.spec?.selector && matchesSelector({ matchLabels: o.spec.selector }, redisLabels));
  const toContainerPort = (sp) => (typeof sp.targetPort === "string" ? (redis.ports ?? []).find((p) => p.name === sp.targetPort)?.containerPort : (sp.targetPort ?? sp.port));
  for (const svc of redisServices) {
    for (const sp of svc.spec.ports ?? []) {
      if (toContainerPort(sp) !== tlsPort) problems.push(`${id(svc)}: port ${sp.port} does not lead to Redis's TLS port ${tlsPort}`);
    }
  }

  // Clients.
  for (const d of objects.filter((o) => workloadKinds.has(o.kind) && o !== sts)) {
    const pod = podTemplate(d).spec;
    for (const ct of pod.containers ?? []) {
      const { env } = containerEnv(objects, ct);
      const addrVar = [...env.keys()].find((k) => k.endsWith("_REDIS_ADDR"));
      if (!addrVar) continue;
      const addr = String(env.get(addrVar));
      const where = `${id(d)} ${ct.name}: ${addrVar}=${addr}`;
      const m = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(addr);
      if (!m) {
        problems.push(`${where} leaves the pod in plaintext (point it at the local TLS sidecar)`);
        continue;
      }
      const port = Number(m[2]);
      let found = false;
      for (const side of pod.initContainers ?? []) {
        const confFile = [...(side.command ?? []), ...(side.args ?? [])].find((a) => /\.conf$/.test(a));
        const text = confFile && configMapFile(d, side, objects, confFile);
        if (text === undefined) continue;
        for (const [name, s] of parseStunnelConf(text)) {
          if (name === "" || s.get("accept") !== `127.0.0.1:${port}`) continue;
          found = true;
          const w = `${id(d)} sidecar ${side.name} [${name}]`;
          if (side.restartPolicy !== "Always") problems.push(`${w}: not a native sidecar (restartPolicy Always), so it does not run beside the server`);
          if (s.get("client") !== "yes") problems.push(`${w}: client = yes missing (it would expect TLS from the server)`);
          const [host, p] = String(s.get("connect") ?? "").split(":");
          const svc = redisServices.find((x) => x.metadata.name === host);
          const sp = svc?.spec.ports.find((x) => x.port === Number(p));
          if (!sp || toContainerPort(sp) !== tlsPort) problems.push(`${w}: connect = ${s.get("connect")} is not a Service port of Redis's TLS port`);
          if (s.get("verifyChain") !== "yes" && s.get("verifyPeer") !== "yes") problems.push(`${w}: does not verify Redis's certificate (verifyChain = yes)`);
          const checkHost = s.get("checkHost");
          if (!checkHost) problems.push(`${w}: no checkHost (any certificate of the CA would pass as Redis)`);
          else if (redisCert && !(redisCert.spec.dnsNames ?? []).includes(checkHost)) problems.push(`${w}: checkHost ${checkHost} is not a name of ${id(redisCert)}`);
          const files = {};
          for (const [key, usage] of [["cert", "client auth"], ["key"], ["CAfile"]]) {
            const { problem, cert } = certificateOf(d, side, objects, `stunnel ${key}`, s.get(key));
            if (problem) problems.push(problem);
            else {
              files[key] = cert;
              if (usage && !(cert.spec.usages ?? []).includes(usage)) problems.push(`${id(cert)}: usages lack "${usage}" (Redis requires a client certificate)`);
            }
          }
          const issuer = (c) => `${c.spec.issuerRef?.kind ?? "Issuer"}/${c.spec.issuerRef?.name}`;
          if (files.cert && redisCert && issuer(files.cert) !== issuer(redisCert)) problems.push(`${w}: client certificate from ${issuer(files.cert)}, Redis's from ${issuer(redisCert)} (Redis would refuse it)`);
        }
      }
      if (!found) problems.push(`${where}: no stunnel sidecar of the pod accepts on 127.0.0.1:${port}`);
    }
  }
  return problems;
}
