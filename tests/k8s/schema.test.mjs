// Every object of every overlay is valid against the Kubernetes schemas, offline (see
// lib/schema.mjs for the validators and schemas/README.md for the custom resources).
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
