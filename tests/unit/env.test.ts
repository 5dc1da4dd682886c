import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError, parseEnv } from "../../app/env.server";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://app.example.com",
};

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    return (error as InvalidEnvironmentError).problems;
  }
}

describe("environment validation", () => {
  it("accepts a minimal valid environment and fills the defaults", () => {
    const config = parseEnv(valid);
    expect(config.WORKER_CONCURRENCY).toBe(5);
    expect(config.WORKER_IN_PROCESS).toBe(true);
    expect(config.SCOPES).toBe("read_products,read_inventory,read_locations");
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it("names every missing variable", () => {
    const found = problems({ SHOPIFY_APP_URL: "https://app.example.com" });
    expect(found).toHaveLength(2);
    expect(found.join("\n")).toMatch(/SHOPIFY_API_KEY/);
    expect(found.join("\n")).toMatch(/SHOPIFY_API_SECRET/);
  });

  it("names a malformed variable", () => {
    expect(problems({ ...valid, DATABASE_URL: "not a url" })).toEqual([expect.stringMatching(/^DATABASE_URL: /)]);
    expect(problems({ ...valid, WORKER_CONCURRENCY: "lots" })).toEqual([
      expect.stringMatching(/^WORKER_CONCURRENCY: /),
    ]);
    expect(problems({ ...valid, WORKER_IN_PROCESS: "maybe" })).toEqual([expect.stringMatching(/^WORKER_IN_PROCESS: /)]);
  });

  it("treats an empty value as unset", () => {
    expect(parseEnv({ ...valid, DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("puts the variable names, never their values, in the message", () => {
    try {
      parseEnv({ ...valid, SHOPIFY_APP_URL: "secret-looking-value" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("SHOPIFY_APP_URL");
      expect((error as Error).message).not.toContain("secret-looking-value");
    }
  });
});

describe("what production requires", () => {
  const production = { ...valid, NODE_ENV: "production", ADMIN_SESSION_SECRET: "s".repeat(32) };
  it("refuses to start a production server without METRICS_TOKEN (/metrics names every shop)", () => {
    expect(problems(production)).toEqual(["METRICS_TOKEN: Required in production (16+ characters)"]);
    expect(problems({ ...production, METRICS_TOKEN: "short" })).toEqual([expect.stringMatching(/^METRICS_TOKEN/)]);
    expect(problems({ ...production, METRICS_TOKEN: "m".repeat(16) })).toEqual([]);
    expect(problems({ ...valid, NODE_ENV: "development" })).toEqual([]);
  });
});
