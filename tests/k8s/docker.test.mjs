// The container image recipe: built with the local runner's own scripts (scripts/deps.sh, the
// release preset), runtime stage without build tools, run as the non-root user the manifests
// expect, and stage.sh really collects a runnable set of libraries for the binaries built here.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { binaryPath, buildDir } from "./lib/binaries.mjs";
import { overlayNames, podPorts, podTemplate, rendered, repoRoot, servers, servicesTable } from "./lib/manifests.mjs";

const dockerDir = path.join(repoRoot, "deploy/docker");
const dockerfile = readFileSync(path.join(dockerDir, "Dockerfile"), "utf8");

// The Dockerfile's instructions per stage, continuation lines joined.
function stages() {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const out = [];
  for (const l of lines) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (m) out.push({ from: m[1], name: m[2], instructions: [] });
    else if (out.length > 0) out[out.length - 1].instructions.push(l);
  }
  return out;
}

describe("deploy/docker/Dockerfile", () => {
  const stage = (name) => stages().find((s) => s.name === name);
  const build = stage("build");
  const runtime = stage("runtime");

  test("build and runtime stages on the same pinned Debian 12 image (and the debug-info and redis-tls-proxy stages)", () => {
    // runtime last: it is what `docker build` without --target makes.
    assert.deepEqual(stages().map((s) => s.name), ["build", "debug-info", "redis-tls-proxy", "runtime"]);
    assert.equal(build.from, runtime.from);
    assert.equal(stage("redis-tls-proxy").from, runtime.from);
    const arg = /^ARG DEBIAN_IMAGE=(\S+)$/m.exec(dockerfile);
    assert.ok(arg, "ARG DEBIAN_IMAGE=<image> before the stages");
    assert.match(arg[1], /^debian:12\.\d+-slim$/, "a Debian 12 point release, not a moving tag");
  });

  test("the build stage runs the local runner's scripts and preset", () => {
    const runs = build.instructions.filter((i) => /^RUN /.test(i)).join("\n");
    assert.match(runs, /scripts\/deps\.sh/);
    assert.match(runs, /cmake --preset release/);
    assert.match(runs, /cmake --build --preset release --target "\$\{BINARY\}"/);
    assert.match(runs, /deploy\/docker\/stage\.sh "\$\{BINARY\}" build\/release/);
    // The same script and preset are what `./dev up` and `./dev test` run.
    assert.match(readFileSync(path.join(repoRoot, "scripts/up.sh"), "utf8"), /scripts\/deps\.sh/);
    assert.match(readFileSync(path.join(repoRoot, "scripts/test.sh"), "utf8"), /scripts\/deps\.sh/);
    const presets = JSON.parse(readFileSync(path.join(repoRoot, "CMakePresets.json"), "utf8"));
    assert.ok(presets.configurePresets.some((p) => p.name === "release"));
    for (const f of ["scripts/deps.sh", "deploy/docker/stage.sh"]) accessSync(path.join(repoRoot, f), constants.X_OK);
  });

  test("the runtime stage installs no build tools, runs as the manifests' non-root user, exposes the pod ports", () => {
    const text = runtime.instructions.join("\n");
    assert.doesNotMatch(text, /\b(build-essential|gcc|g\+\+|cmake|ninja-build|make|[a-z0-9.+-]+-dev)\b/, "build tools in the runtime stage");
    assert.match(text, /xargs -a \/tmp\/runtime-packages\.txt/, "installs exactly the staged package list");
    const user = /^USER (\d+):(\d+)$/m.exec(text);
    assert.ok(user, "USER uid:gid, numeric (runAsNonRoot needs a numeric user)");
    assert.notEqual(user[1], "0");
    for (const overlay of overlayNames()) {
      for (const d of servers(rendered(overlay))) {
        assert.equal(String(podTemplate(d).spec.securityContext.runAsUser), user[1], `${overlay} ${d.metadata.name} runAsUser`);
      }
    }
    const expose = /^EXPOSE (.+)$/m.exec(text);
    assert.deepEqual(expose[1].split(/\s+/).map(Number).sort(), Object.values(podPorts).sort());
    assert.doesNotMatch(dockerfile, /\.run\/secrets|PASSWORD=|_KEY=/, "no secrets in the image");
  });

  test("release images: stripped binaries with separate debug info, labelled with the source revision", () => {
    const stage = readFileSync(path.join(dockerDir, "stage.sh"), "utf8");
    assert.match(stage, /objcopy --only-keep-debug/);
    assert.match(stage, /objcopy --strip-debug --strip-unneeded --add-gnu-debuglink=/);
    assert.match(dockerfile, /^FROM scratch AS debug-info$/m, "a stage holding the debug info");
    assert.doesNotMatch(runtime.instructions.join("\n"), /\/stage\/debug/, "debug info in the runtime image");
    assert.match(runtime.instructions.join("\n"), /org\.opencontainers\.image\.revision="\$\{SOURCE_REVISION\}"/);
    assert.match(runtime.instructions.join("\n"), /SOURCE_REVISION\}" =~ \^\[0-9a-f\]\{40\}\$/, "the revision is required");
  });

  test("the Redis TLS sidecar image: Debian's stunnel at a pinned version, non-root as the manifests run it, labelled", () => {
    const proxy = stage("redis-tls-proxy");
    const text = proxy.instructions.join("\n");
    const version = /^ARG STUNNEL4_VERSION=(\S+)$/m.exec(text);
    assert.ok(version, "ARG STUNNEL4_VERSION=<Debian version>");
    assert.match(version[1], /^\d+:[0-9][A-Za-z0-9.+~-]*$/, "an exact Debian version");
    assert.match(text, /"stunnel4=\$\{STUNNEL4_VERSION\}"/, "installs exactly that version");
    assert.match(text, /org\.opencontainers\.image\.revision="\$\{SOURCE_REVISION\}"/);
    assert.match(text, /SOURCE_REVISION\}" =~ \^\[0-9a-f\]\{40\}\$/, "the revision is required");
    const user = /^USER (\d+):(\d+)$/m.exec(text);
    assert.ok(user, "USER uid:gid, numeric");
    assert.match(readFileSync(path.join(repoRoot, "scripts/deps.sh"), "utf8"), /^\s*stunnel4\b/m, "scripts/deps.sh installs stunnel4 for the local test");
    for (const overlay of overlayNames()) {
      for (const d of servers(rendered(overlay))) {
        const spec = podTemplate(d).spec;
        const sidecar = (spec.initContainers ?? []).find((c) => /\/redis-tls-proxy[:@]/.test(c.image));
        if (!sidecar) continue;
        assert.equal(String(sidecar.securityContext?.runAsUser ?? spec.securityContext?.runAsUser), user[1], `${overlay} ${d.metadata.name} redis-tls-proxy runAsUser`);
      }
    }
  });

  test(".dockerignore keeps builds, run state (secrets) and git history out of the context", () => {
    const ignore = readFileSync(path.join(repoRoot, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const p of [".git", ".run", "build", "tools/node/node_modules"]) assert.ok(ignore.includes(p), `.dockerignore lacks ${p}`);
  });

  test("runtime-extras.tsv names only binaries of services.tsv", () => {
    const binaries = new Set(servicesTable().map((s) => s.binary));
    for (const line of readFileSync(path.join(dockerDir, "runtime-extras.tsv"), "utf8").split("\n")) {
      if (!line || line.startsWith("#")) continue;
      const [name, list] = line.split("\t");
      assert.ok(name === "*" || binaries.has(name), `unknown binary ${name}`);
      assert.ok(list && list.trim().length > 0, `no packages for ${name}`);
    }
  });
});

describe("pinning the overlays' images by digest", () => {
  // As k8s/README.md tells a release to do: `kustomize edit set image <name>=<repo>@sha256:…`
  // writes images[].digest into the overlay; the rendered pods then name only digests.
  test("an images entry with a digest replaces every tag of that image, Redis and the TLS sidecar included", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "digest-"));
    try {
      const digest = (c) => `sha256:${c.repeat(64)}`;
      const names = [...servicesTable().map((s) => s.binary), "redis-tls-proxy", "redis"];
      const images = names.map((n, i) => `  - name: ${n === "redis" ? "redis" : `registry.example.org/lansstyrelsen/integration/${n}`}\n    digest: ${digest("0123456789abcdef"[i % 16])}`).join("\n");
      const overlay = path.relative(dir, path.join(repoRoot, "k8s/overlays/prod"));
      writeFileSync(path.join(dir, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${overlay}\nimages:\n${images}\n`);
      const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      const used = [...text.matchAll(/^\s*image: (\S+)$/gm)].map((m) => m[1]);
      assert.ok(used.length > 0);
      for (const image of used) assert.match(image, /@sha256:[0-9a-f]{64}$/, `${image} is not pinned by digest`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("deploy/docker/stage.sh on this machine's build", () => {
  const built = servicesTable().map((s) => ({ s, bin: binaryPath(s) })).filter((x) => x.bin);
  if (built.length === 0) {
    test("no service binary built yet", (t) => t.skip(`no service binary under ${buildDir() ?? "build/"}`));
  }
  for (const { s, bin } of built) {
    test(`${s.binary}: binary, project libraries and installed Debian runtime packages`, () => {
      const out = mkdtempSync(path.join(os.tmpdir(), "stage-"));
      try {
        const build = buildDir();
        execFileSync(path.join(dockerDir, "stage.sh"), [s.binary, build, out], { stdio: ["ignore", "ignore", "pipe"] });
        assert.ok(existsSync(path.join(out, "bin", s.binary)));
        const pinned = readFileSync(path.join(out, "runtime-packages.txt"), "utf8").split("\n").filter(Boolean);
        for (const p of pinned) assert.match(p, /^[a-z0-9][a-z0-9.+-]*=[0-9][A-Za-z0-9.+~:-]*$/, `${p}: not package=version`);
        const packages = pinned.map((p) => p.split("=")[0]);
        assert.ok(packages.includes("libc6"), "libc6 among the packages");
        // Stripped, with the debug info beside it and linked.
        const sections = execFileSync("readelf", ["-S", path.join(out, "bin", s.binary)], { encoding: "utf8" });
        assert.doesNotMatch(sections, /\.debug_info/, "the staged binary still has debug info");
        assert.match(sections, /\.gnu_debuglink/);
        assert.ok(existsSync(path.join(out, "debug", `${s.binary}.debug`)));
        for (const p of packages) {
          assert.doesNotMatch(p, /-dev$/, `${p}: a -dev package in the runtime list`);
          const status = execFileSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
          assert.match(status, /install ok installed/, `${p} is not an installed package`);
        }
        // What the binary loads is either a listed package's file or a staged project library.
        const ldd = execFileSync("ldd", [bin], { encoding: "utf8" });
        const staged = new Set(readdirSync(path.join(out, "lib")));
        for (const m of ldd.matchAll(/^\s*(\S+) => (\S+)/gm)) {
          if (m[2].startsWith(build)) assert.ok(staged.has(m[1]), `${m[1]} not staged`);
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
