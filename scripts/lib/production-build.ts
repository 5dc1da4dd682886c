import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

// Making a production build for a run of its own: the browser tests (tests/support/production-build.ts), the webhook
// benchmark and the soak serve the app as `npm start` does, from a build that is not yours in build/.

/** Runs `npm run build` into `directory`: the production build `npm start` serves. Resolves with its output. */
export function buildInto(directory: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "build"], {
      env: { ...process.env, BUILD_DIRECTORY: directory, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => resolve({ ok: code === 0, output }));
  });
}

/**
 * A production build made for one run (a benchmark, the soak) in .cache/, never build/ (yours stays as it is), and
 * its removal once the run is over.
 */
export async function temporaryBuild(
  label: string,
  log: (line: string) => void,
): Promise<{ directory: string; remove: () => void }> {
  const directory = path.resolve(".cache", `${label}-build-${process.pid}`);
  log(`building the app into ${directory}`);
  const { ok, output } = await buildInto(directory);
  if (!ok) throw new Error(`npm run build failed:\n${output.slice(-3000)}`);
  return { directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
