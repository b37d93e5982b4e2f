// The service binaries of a build and the settings their `--help` lists, for checking what the
// manifests set against what the programs accept.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./manifests.mjs";

// K8S_BUILD_DIR, else the dev build that ./dev test makes, else the release build of ./dev up.
export function buildDir() {
  if (process.env.K8S_BUILD_DIR) return path.resolve(process.env.K8S_BUILD_DIR);
  for (const d of ["build/dev", "build/release"]) {
    if (existsSync(path.join(repoRoot, d))) return path.join(repoRoot, d);
  }
  return null;
}

function findExecutable(dir, name, depth) {
  if (depth < 0 || !existsSync(dir)) return null;
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isFile() && entry === name && (st.mode & 0o100) !== 0) return p;
  }
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (entry !== "CMakeFiles" && statSync(p, { throwIfNoEntry: false })?.isDirectory()) {
      const found = findExecutable(p, name, depth - 1);
      if (found) return found;
    }
  }
  return null;
}

// Path of a service's binary in the build (services/<name>/<binary>, as the local runner finds
// it), or null when it was not built.
export function binaryPath(service) {
  const dir = buildDir();
  if (!dir) return null;
  const direct = path.join(dir, "services", service.name, service.binary);
  if (existsSync(direct)) return direct;
  return findExecutable(path.join(dir, "services"), service.binary, 3);
}

// The settings of a binary's --help: [{flag, env, kind, defaultValue, required}].
// Lines look like: "  --grpc-port=INT  (env TRAINING_GRPC_PORT, default 50055, range [0, 65535])".
export function parseHelp(text) {
  const settings = [];
  for (const line of text.split("\n")) {
    const m = /^\s+--([a-z0-9][a-z0-9-]*)(=[A-Z]+|\[=true\|false\])?\s+\(env ([A-Z][A-Z0-9_]*)(.*)\)\s*$/.exec(line);
    if (!m) continue;
    const rest = m[4];
    const def = /, default ("(?:[^"\\]|\\.)*"|[^,]+)/.exec(rest);
    settings.push({
      flag: m[1],
      env: m[3],
      kind: m[2]?.startsWith("=") ? m[2].slice(1) : "BOOL",
      defaultValue: def ? def[1].replace(/^"(.*)"$/, "$1") : undefined,
      required: /, required\b/.test(rest),
    });
  }
  return settings;
}

const helpCache = new Map();

export function helpOf(binary) {
  if (helpCache.has(binary)) return helpCache.get(binary);
  // Sanitizer builds report leaks at exit; --help leaks nothing worth failing on.
  const env = { ...process.env, ASAN_OPTIONS: `detect_leaks=0${process.env.ASAN_OPTIONS ? `:${process.env.ASAN_OPTIONS}` : ""}` };
  const text = execFileSync(binary, ["--help"], { encoding: "utf8", env, timeout: 20000 });
  const parsed = parseHelp(text);
  helpCache.set(binary, parsed);
  return parsed;
}
