import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { inject } from "vitest";
import { buildInto } from "../../scripts/lib/production-build";
import { startDemoStack, type DemoStack, type DemoStackOptions } from "../../scripts/lib/demo-stack";

// The browser tests run the app as production runs it (`npm run build`, then `npm start`): Vite's dev server
// optimises dependencies on first use and reloads the page mid-test, and several dev servers sharing one
// node_modules/.vite overwrite each other's bundles (two copies of React on a fresh machine). The build is made once
// per test run, by whichever test file asks first; the others wait for it.

const BUILD_TIMEOUT_MS = 300_000;

/** The folder of this test run's production build, building it if no other test file has. */
export async function productionBuild(): Promise<string> {
  const directory = inject("testBuildDirectory");
  const ready = path.join(directory, "READY");
  const failed = `${directory}.failed`;
  // mkdir is atomic: exactly one test file gets to build.
  await mkdir(path.dirname(directory), { recursive: true });
  const builder = await mkdir(`${directory}.lock`).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return false;
      throw error;
    },
  );
  if (builder) {
    const { ok, output } = await buildInto(directory);
    if (!ok) {
      await writeFile(failed, output);
      throw new Error(`npm run build failed:\n${output.slice(-4000)}`);
    }
    await writeFile(ready, "");
    return directory;
  }
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(ready)) return directory;
    if (existsSync(failed)) throw new Error(`npm run build failed:\n${(await readFile(failed, "utf8")).slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The production build in ${directory} was not ready after ${BUILD_TIMEOUT_MS / 1000} s`);
}

/** The app as production runs it, on this test file's database: this run's production build beside a new emulator
 * (scripts/lib/demo-stack.ts), for the browser tests and the tests that attack or watch the running server. */
export async function startProductionStack(
  options: Omit<DemoStackOptions, "databaseUrl" | "build">,
): Promise<DemoStack> {
  return startDemoStack({ databaseUrl: process.env.DATABASE_URL!, build: await productionBuild(), ...options });
}
