import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/scratch-server";
import { pgPool } from "../../app/db.server";
import { knownCrontabs } from "../support/jobs";

// The real entry point, as `npm run dev:local` starts it: web server (Vite middleware) and the in-process worker
// on this test's database. Slow-ish (Vite), so one test covers start, health, the worker's crontab, and shutdown.

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill("SIGKILL");
});

describe("scripts/serve.ts", () => {
  it("starts, answers /healthz with 200, registers the crontab, and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    await pgPool().query("DELETE FROM graphile_worker._private_known_crontabs");
    child = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "--dev"], {
      env: { ...process.env, PORT: String(port), WORKER_CONCURRENCY: "2", NODE_ENV: "development" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));

    await expect
      .poll(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          return response ? { status: response.status, body: await response.json() } : undefined;
        },
        { timeout: 150_000, interval: 500 },
      )
      .toEqual({ status: 200, body: { ok: true, database: "up", worker: "running", workerLock: "held" } });

    expect((await knownCrontabs()).map((r) => r.identifier)).toEqual(
      expect.arrayContaining(["integrity-check-fan-out", "inventory-sync-fan-out", "product-sync-fan-out"]),
    );

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("[shutdown] SIGTERM: stopping");
    expect(output).not.toContain("SHOPIFY_API_SECRET");
  }, 200_000);
});

describe("one production switch", () => {
  const run = (args: string[], nodeEnv: "development" | "production") =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const started = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", ...args], {
        env: { ...process.env, NODE_ENV: nodeEnv, PORT: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      started.stdout!.on("data", (chunk) => (output += chunk));
      started.stderr!.on("data", (chunk) => (output += chunk));
      started.once("exit", (code) => resolve({ code, output }));
    });

  it("refuses `npm start` (no --dev) with a NODE_ENV other than production, and --dev with production", async () => {
    const start = await run([], "development");
    expect(start.code).toBe(1);
    expect(start.output).toContain("NODE_ENV must be production or unset");
    const dev = await run(["--dev"], "production");
    expect(dev.code).toBe(1);
    expect(dev.output).toContain("--dev runs the development server");
  }, 60_000);
});
