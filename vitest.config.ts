import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

// Tests run against a real PostgreSQL: tests/support/global-database.ts starts one embedded server for the run
// (or uses DATABASE_URL's server) with a migrated template; tests/support/database-per-file.ts gives every test
// file its own database cloned from it, so files run in parallel without seeing each other's rows.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    globalSetup: ["tests/support/global-database.ts", "tests/support/global-build-directory.ts"],
    setupFiles: ["tests/support/test-environment.ts", "tests/support/database-per-file.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // 2-core machines: more workers only fight over the CPU with PostgreSQL.
    maxWorkers: 3,
  },
});
