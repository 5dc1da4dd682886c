import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where this run's production build goes (built on first use: tests/support/production-build.ts). */
    testBuildDirectory: string;
  }
}

// A folder of this run's own for the production build the browser tests serve; removed when the run ends.
export default function setup(project: TestProject) {
  const directory = path.resolve(".cache", `test-build-${process.pid}`);
  project.provide("testBuildDirectory", directory);
  return async () => {
    await rm(directory, { recursive: true, force: true });
    await rm(`${directory}.lock`, { recursive: true, force: true });
    await rm(`${directory}.failed`, { force: true });
  };
}
