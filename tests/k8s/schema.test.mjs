// Every object of every overlay is valid against the Kubernetes schemas, offline (see
// lib/schema.mjs for the validators and crds/README.md for the custom resources' upstream CRDs).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { overlayNames, rendered } from "./lib/manifests.mjs";
import { validateObject } from "./lib/schema.mjs";

for (const overlay of overlayNames()) {
  describe(`overlay ${overlay}`, () => {
    test("renders to objects with apiVersion, kind and name", () => {
      const objects = rendered(overlay);
      assert.ok(objects.length > 0, "the overlay rendered no objects");
      for (const o of objects) {
        assert.ok(o.apiVersion && o.kind && o.metadata?.name, `incomplete object: ${JSON.stringify(o).slice(0, 120)}`);
      }
    });

    test("no two objects share kind, namespace and name", () => {
      const seen = new Set();
      for (const o of rendered(overlay)) {
        const key = `${o.apiVersion.split("/")[0]}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
        assert.ok(!seen.has(key), `duplicate ${key}`);
        seen.add(key);
      }
    });

    test("every object validates against its schema, without unknown fields", async () => {
      const problems = [];
      for (const o of rendered(overlay)) {
        for (const p of await validateObject(o)) problems.push(`${o.kind}/${o.metadata.name}: ${p}`);
      }
      assert.deepEqual(problems, []);
    });
  });
}

test("the upstream CRDs in tests/k8s/crds are unedited copies (git blob ids of crds/README.md)", async () => {
  const { createHash } = await import("node:crypto");
  const { readFileSync, readdirSync, existsSync } = await import("node:fs");
  const path = (await import("node:path")).default;
  const { crdDir } = await import("./lib/schema.mjs");
  const readme = readFileSync(path.join(crdDir, "README.md"), "utf8");
  const listed = new Map([...readme.matchAll(/^\| `([^`]+\.yaml)` \|[^\n]*\| ([0-9a-f]{12}) \|$/gm)].map((m) => [m[1], m[2]]));
  const problems = [];
  for (const project of readdirSync(crdDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    if (!existsSync(path.join(crdDir, project, "LICENSE"))) problems.push(`${project}: no LICENSE`);
    for (const f of readdirSync(path.join(crdDir, project)).filter((n) => n.endsWith(".yaml"))) {
      const rel = `${project}/${f}`;
      const body = readFileSync(path.join(crdDir, rel));
      const blob = createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
      if (!listed.has(rel)) problems.push(`${rel}: not listed in crds/README.md`);
      else if (!blob.startsWith(listed.get(rel))) problems.push(`${rel}: git blob ${blob.slice(0, 12)}, upstream ${listed.get(rel)}`);
      listed.delete(rel);
    }
  }
  for (const rel of listed.keys()) problems.push(`${rel}: listed but missing`);
  assert.deepEqual(problems, []);
});
