// A small evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), so that tests
// can ask "may pod A open a connection to pod B on port P?" of the rendered policies:
// - a pod is isolated for ingress (egress) when some policy of its namespace selects it and
//   lists Ingress (Egress) in policyTypes (Ingress is implied; Egress when egress rules exist);
// - an isolated pod admits a connection only when a rule of one of those policies matches the
//   peer and the port; a connection needs the source's egress and the destination's ingress;
// - peers: podSelector alone = pods of the policy's namespace; namespaceSelector alone = all
//   pods of matching namespaces; both = matching pods in matching namespaces; ipBlock = addresses
//   outside the cluster's pods; an empty or missing from/to list matches every peer;
// - ports: number or container-port name of the destination, protocol TCP by default, endPort.
// Policies of namespaces other than the rendered one are not modelled: pods there are treated
// as not isolated (their own policies are their operators' business).

export function matchesSelector(selector, labels) {
  if (selector === undefined || selector === null) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels?.[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = labels !== undefined && Object.hasOwn(labels ?? {}, e.key);
    const value = labels?.[e.key];
    switch (e.operator) {
      case "In":
        if (!has || !e.values.includes(value)) return false;
        break;
      case "NotIn":
        if (has && e.values.includes(value)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

// An endpoint: {namespace, namespaceLabels, labels, ports: [{name, containerPort, protocol}]}
// for a pod, or {ip} for an address outside the cluster's pods.
function peerMatches(peer, policyNamespace, endpoint) {
  if (peer.ipBlock) {
    if (endpoint.ip === undefined) return false;
    return ipInCidr(endpoint.ip, peer.ipBlock.cidr) &&
      !(peer.ipBlock.except ?? []).some((c) => ipInCidr(endpoint.ip, c));
  }
  if (endpoint.ip !== undefined) return false;
  if (peer.namespaceSelector === undefined) {
    if (endpoint.namespace !== policyNamespace) return false;
  } else if (!matchesSelector(peer.namespaceSelector, endpoint.namespaceLabels)) {
    return false;
  }
  return peer.podSelector === undefined || matchesSelector(peer.podSelector, endpoint.labels);
}

function portMatches(rulePorts, dst, port, protocol) {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string" && !/^\d+$/.test(p.port)) {
      // A named port is the destination container's port of that name.
      return (dst.ports ?? []).some(
        (cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol ?? "TCP") === protocol,
      );
    }
    const first = Number(p.port);
    return port >= first && port <= (p.endPort ?? first);
  });
}

function policyTypes(policy) {
  if (policy.spec.policyTypes) return policy.spec.policyTypes;
  return policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

// True when `direction` ("Ingress" or "Egress") of `self` admits `peer` on port/protocol.
function admits(policies, direction, self, peer, portOwner, port, protocol) {
  if (self.ip !== undefined) return true;
  const relevant = policies.filter(
    (p) =>
      (p.metadata.namespace ?? self.namespace) === self.namespace &&
      policyTypes(p).includes(direction) &&
      matchesSelector(p.spec.podSelector, self.labels),
  );
  if (relevant.length === 0) return true;
  const key = direction === "Ingress" ? "ingress" : "egress";
  const peersKey = direction === "Ingress" ? "from" : "to";
  return relevant.some((p) =>
    (p.spec[key] ?? []).some(
      (rule) =>
        (!rule[peersKey] || rule[peersKey].length === 0 ||
          rule[peersKey].some((peerSel) => peerMatches(peerSel, self.namespace, peer))) &&
        portMatches(rule.ports, portOwner, port, protocol),
    ),
  );
}

// May `src` open a connection to `dst` on `port`? `policies` are the NetworkPolicies of the
// modelled namespace; endpoints in other namespaces are not isolated by them.
export function allowed(policies, src, dst, port, protocol = "TCP") {
  const inScope = (e) => e.ip === undefined && policies.some((p) => p.metadata.namespace === e.namespace);
  const egressOk = !inScope(src) || admits(policies, "Egress", src, dst, dst, port, protocol);
  const ingressOk = !inScope(dst) || admits(policies, "Ingress", dst, src, dst, port, protocol);
  return egressOk && ingressOk;
}

function ipToInt(ip) {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function ipInCidr(ip, cidr) {
  if (ip.includes(":") || cidr.includes(":")) return false;
  const [base, bits] = cidr.split("/");
  const n = Number(bits ?? 32);
  const size = 2 ** (32 - n);
  const start = Math.floor(ipToInt(base) / size) * size;
  const v = ipToInt(ip);
  return v >= start && v < start + size;
}
