// Offline schema validation of rendered objects. Kubernetes kinds: the JSON schema validators
// of the pinned npm package kubernetes-models (types, required fields, enums, formats), plus a
// walk over its TypeScript declarations that refuses fields the API does not have (the
// validators let unknown fields through, and a misspelt field is silently dropped by the API
// server's non-strict paths). Custom resources (CloudNativePG, Gateway API, cert-manager,
// Prometheus Operator): the upstream CRDs' own OpenAPI schemas, copied unchanged into ../crds
// (see the README there), compiled with Ajv after closing every object to unknown fields, as
// the API server's strict field validation does.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { nodeModules, repoRoot, toolsRequire } from "./manifests.mjs";

export const crdDir = path.join(repoRoot, "tests/k8s/crds");

// apiVersion -> folder of its models.
function modelDir(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return path.join(nodeModules, "kubernetes-models", group === "" ? "" : group, version);
}

// ---- Custom resources: the upstream CRDs ------------------------------------------------------

// "group/Kind" -> {file, crd}, read once from every ../crds/<project>-<version>/*.yaml.
let crdIndex = null;
export function crds() {
  if (crdIndex !== null) return crdIndex;
  const YAML = toolsRequire("yaml");
  crdIndex = new Map();
  for (const project of readdirSync(crdDir).sort()) {
    const dir = path.join(crdDir, project);
    if (!existsSync(dir) || !/-\d/.test(project)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".yaml")).sort()) {
      const crd = YAML.parse(readFileSync(path.join(dir, f), "utf8"));
      if (crd?.kind !== "CustomResourceDefinition") throw new Error(`${project}/${f} is not a CustomResourceDefinition`);
      crdIndex.set(`${crd.spec.group}/${crd.spec.names.kind}`, { file: `${project}/${f}`, crd });
    }
  }
  return crdIndex;
}

// The CRDs use Go/RE2 regular expressions; JavaScript has no inline (?i), so it becomes the i flag.
function goRegExp(source, flags) {
  return source.includes("(?i)") ? new RegExp(source.replaceAll("(?i)", ""), `${flags}i`) : new RegExp(source, flags);
}
goRegExp.code = "goRegExp";

// A copy of an OpenAPI schema in which every object that lists its properties, and does not
// keep unknown fields on purpose, refuses the fields it does not list.
export function closeSchema(schema) {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    // Property names are data, not schemas: copy the map, close each value.
    if (k === "properties" || k === "patternProperties" || k === "definitions") {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, closeSchema(s)]));
    } else {
      out[k] = closeSchema(v);
    }
  }
  if (out.properties && out["x-kubernetes-preserve-unknown-fields"] !== true && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

let ajv = null;
const crdValidators = new Map();

// The validator of apiVersion/kind from the CRDs, undefined when no CRD defines the group and
// kind, or a string naming what is wrong (a version the CRD does not serve).
function crdValidator(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (crdValidators.has(key)) return crdValidators.get(key);
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const entry = crds().get(`${group}/${kind}`);
  let validate;
  if (entry) {
    const v = entry.crd.spec.versions.find((x) => x.name === version);
    if (!v || v.served === false) {
      validate = `${apiVersion} is not a served version of ${kind} in ${entry.file}`;
    } else {
      if (ajv === null) {
        const Ajv = toolsRequire("ajv");
        ajv = new (Ajv.default ?? Ajv)({ strict: false, validateFormats: false, allErrors: true, code: { regExp: goRegExp } });
      }
      validate = ajv.compile(closeSchema(v.schema.openAPIV3Schema));
    }
  }
  crdValidators.set(key, validate);
  return validate;
}

// The CRD schemas leave metadata open; the fields an object in the manifests may set.
const metadataFields = new Set(["name", "namespace", "labels", "annotations", "generateName", "finalizers", "ownerReferences"]);

function metadataProblems(obj) {
  const m = obj.metadata;
  if (m === null || typeof m !== "object" || Array.isArray(m)) return ["/metadata must be object"];
  const problems = [];
  if (typeof m.name !== "string" || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m.name)) problems.push(`/metadata/name ${JSON.stringify(m.name)} is not a DNS name`);
  for (const k of Object.keys(m)) if (!metadataFields.has(k)) problems.push(`metadata.${k}: unknown field`);
  for (const map of ["labels", "annotations"]) {
    for (const [k, v] of Object.entries(m[map] ?? {})) {
      if (typeof v !== "string") problems.push(`/metadata/${map}/${k} must be string`);
    }
  }
  return problems;
}

// "/spec/parentRefs/0" -> "spec.parentRefs[0]", as the models' walk names fields.
function dotted(pointer) {
  return (pointer || "").split("/").slice(1).reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

// Problems of one object (empty when valid): which validator, and what is wrong.
export async function validateObject(obj) {
  const { apiVersion, kind } = obj ?? {};
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return ["object without apiVersion/kind"];
  }
  const custom = crdValidator(apiVersion, kind);
  if (typeof custom === "string") return [custom];
  if (custom) {
    const problems = metadataProblems(obj);
    if (!custom(obj)) {
      for (const e of custom.errors) {
        const where = dotted(e.instancePath);
        problems.push(e.params?.additionalProperty !== undefined
          ? `${where}${where ? "." : ""}${e.params.additionalProperty}: unknown field`
          : `${where || "(top)"} ${e.message}`);
      }
    }
    return problems;
  }
  const dir = modelDir(apiVersion);
  const js = path.join(dir, `${kind}.js`);
  if (!existsSync(js)) {
    return [`no schema for ${apiVersion} ${kind} (neither in the npm models nor a CRD in tests/k8s/crds)`];
  }
  const mod = await import(pathToFileURL(js).href);
  const Model = mod[kind];
  const problems = [];
  try {
    new Model(obj).validate();
  } catch (e) {
    problems.push(String(e.message ?? e));
  }
  problems.push(...unknownFields(obj, path.join(dir, `${kind}.d.ts`)));
  return problems;
}

// ---- Unknown fields, from the models' TypeScript declarations ----------------------------------
// Declarations look like:
//   import { IIoK8sApiAppsV1DeploymentSpec } from "./DeploymentSpec.js";
//   export interface IDeployment extends TypeMeta { "spec"?: IIoK8sApiAppsV1DeploymentSpec; … }
//   export type { IDeployment as IIoK8sApiAppsV1Deployment, … };
//   export type IProtocolType = string;
// A type is parsed into {kind: "object", fields, index} | {kind: "array", of} | {kind: "leaf"}.

const fileCache = new Map();

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

function resolveImport(fromFile, spec) {
  if (spec.startsWith(".")) return path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, ".d.ts"));
  return path.join(nodeModules, `${spec}.d.ts`);
}

// The declarations of one .d.ts file: its imports and its named types (unparsed text).
function declarations(file) {
  if (fileCache.has(file)) return fileCache.get(file);
  const text = stripComments(readFileSync(file, "utf8"));
  const imports = new Map();
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      const [orig, alias] = name.split(/\s+as\s+/);
      imports.set((alias ?? orig).trim(), { file: resolveImport(file, m[2]), name: orig.trim() });
    }
  }
  const types = new Map();
  // Interfaces: the body is the balanced block after the header.
  for (const m of text.matchAll(/export interface (\w+)(?:\s+extends\s+([\w.,\s]+?))?\s*\{/g)) {
    const parents = (m[2] ?? "").split(",").map((p) => p.trim()).filter((p) => p && p !== "TypeMeta");
    types.set(m[1], { form: "interface", parents, body: balanced(text, m.index + m[0].length - 1) });
  }
  for (const m of text.matchAll(/export type (\w+)\s*=\s*([^;]+);/g)) {
    types.set(m[1], { form: "alias", body: m[2].trim() });
  }
  // Re-exports under the long names: export type { IProbe as IIoK8sApiCoreV1Probe, … }.
  for (const m of text.matchAll(/export type \{([^}]*)\}/g)) {
    for (const pair of m[1].split(",")) {
      const [orig, alias] = pair.split(/\s+as\s+/).map((s) => s.trim());
      if (alias && types.has(orig)) types.set(alias, types.get(orig));
    }
  }
  const d = { imports, types, parsed: new Map() };
  fileCache.set(file, d);
  return d;
}

// The text between the brace at `open` and its partner, braces included.
function balanced(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error("unbalanced braces in a type declaration");
}

// A tiny parser for the type expressions these declarations use.
class TypeParser {
  constructor(text, file) {
    this.s = text;
    this.i = 0;
    this.file = file;
  }
  ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
  peek(str) {
    this.ws();
    return this.s.startsWith(str, this.i);
  }
  eat(str) {
    if (!this.peek(str)) throw new Error(`expected '${str}' at ${this.s.slice(this.i, this.i + 40)}`);
    this.i += str.length;
  }
  // union := primary ('|' primary)*; a union of objects is not used by the models.
  type() {
    const parts = [this.primary()];
    while (this.peek("|")) {
      this.eat("|");
      parts.push(this.primary());
    }
    if (parts.length === 1) return parts[0];
    const structured = parts.filter((p) => p.kind !== "leaf");
    return structured.length === 1 ? structured[0] : { kind: "leaf" };
  }
  primary() {
    this.ws();
    if (this.peek("Array<")) {
      this.eat("Array<");
      const of = this.type();
      this.eat(">");
      return { kind: "array", of };
    }
    if (this.peek("{")) return this.objectLiteral();
    if (this.peek('"')) {
      const end = this.s.indexOf('"', this.i + 1);
      this.i = end + 1;
      return { kind: "leaf" };
    }
    const m = /^[A-Za-z_][\w.]*/.exec(this.s.slice(this.i));
    if (m) {
      this.i += m[0].length;
      return { kind: "ref", name: m[0] };
    }
    const num = /^-?\d+(\.\d+)?/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { kind: "leaf" };
    }
    throw new Error(`cannot parse type at ${this.s.slice(this.i, this.i + 40)}`);
  }
  objectLiteral() {
    this.eat("{");
    const fields = new Map();
    let index = null;
    while (!this.peek("}")) {
      if (this.peek("[")) {
        this.eat("[");
        this.i = this.s.indexOf("]", this.i) + 1;
        this.eat(":");
        index = this.type();
      } else {
        this.ws();
        const m = /^"([^"]+)"|^(\w+)/.exec(this.s.slice(this.i));
        if (!m) throw new Error(`cannot parse member at ${this.s.slice(this.i, this.i + 40)}`);
        this.i += m[0].length;
        if (this.peek("?")) this.eat("?");
        this.eat(":");
        fields.set(m[1] ?? m[2], this.type());
      }
      this.ws();
      if (this.peek(";")) this.eat(";");
      else if (this.peek(",")) this.eat(",");
    }
    this.eat("}");
    return { kind: "object", fields, index };
  }
}

// The parsed shape of type `name` as seen from `file`.
function resolveType(file, name, depth = 0) {
  if (depth > 20) return { kind: "leaf" };
  const builtins = new Set(["string", "number", "boolean", "any", "unknown", "null", "undefined", "object", "TypeMeta"]);
  if (builtins.has(name)) return { kind: "leaf" };
  const d = declarations(file);
  if (d.parsed.has(name)) return d.parsed.get(name);
  let result = { kind: "leaf" };
  if (d.types.has(name)) {
    const decl = d.types.get(name);
    // Placeholder for self-referencing types (JSONSchemaProps).
    d.parsed.set(name, { kind: "leaf" });
    const parsed = new TypeParser(decl.body, file).type();
    result = materialize(file, parsed, depth + 1);
    // An interface also has the fields of the interfaces it extends.
    for (const parent of decl.parents ?? []) {
      const p = force(resolveType(file, parent, depth + 1));
      if (p?.kind === "object") {
        for (const [k, v] of p.fields) if (!result.fields.has(k)) result.fields.set(k, v);
        result.index ??= p.index;
      }
    }
  } else if (d.imports.has(name)) {
    const imp = d.imports.get(name);
    if (existsSync(imp.file)) result = resolveType(imp.file, imp.name, depth + 1);
  }
  d.parsed.set(name, result);
  return result;
}

// Keeps references unresolved until walked (resolved lazily with the file they came from).
function materialize(file, t, depth) {
  if (t.kind === "ref") return { kind: "lazy", file, name: t.name };
  if (t.kind === "array") return { kind: "array", of: materialize(file, t.of, depth) };
  if (t.kind === "object") {
    const fields = new Map();
    for (const [k, v] of t.fields) fields.set(k, materialize(file, v, depth));
    return { kind: "object", fields, index: t.index ? materialize(file, t.index, depth) : null };
  }
  return t;
}

function force(t) {
  while (t && t.kind === "lazy") t = resolveType(t.file, t.name);
  return t;
}

// Paths of fields in `value` that type `t` does not declare.
function walk(value, t, where, out) {
  t = force(t);
  if (!t || t.kind === "leaf" || value === null || value === undefined) return;
  if (t.kind === "array") {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, t.of, `${where}[${i}]`, out));
    return;
  }
  if (t.kind === "object" && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (t.fields.has(k)) walk(v, t.fields.get(k), `${where}.${k}`, out);
      else if (t.index) walk(v, t.index, `${where}.${k}`, out);
      else out.push(`${where}.${k}: unknown field`);
    }
  }
}

export function unknownFields(obj, dtsFile) {
  const d = declarations(dtsFile);
  const iface = [...d.types.keys()].find((n) => n === `I${obj.kind}`);
  if (!iface) return [`no declaration I${obj.kind} in ${dtsFile}`];
  const out = [];
  walk(obj, resolveType(dtsFile, iface), "", out);
  return out.map((p) => p.replace(/^\./, ""));
}
