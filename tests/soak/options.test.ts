import { describe, expect, it } from "vitest";
import { parseSoakArgs } from "../../scripts/lib/soak/options";

// `npm run soak`'s command line: a production build made for the run unless --build names one or --dev asks for
// Vite's dev server (scripts/soak.ts), and every bad option an error that shows the usage.
describe("the soak's command line", () => {
  it("takes numbers, --build and --dev (a flag without a value)", () => {
    expect(parseSoakArgs(["--minutes", "2", "--dev", "--shops", "4"])).toEqual({ minutes: 2, dev: true, shops: 4 });
    expect(parseSoakArgs(["--build", "/tmp/build"])).toEqual({ build: "/tmp/build" });
    expect(parseSoakArgs([])).toEqual({});
  });

  it("refuses --build with --dev, an unknown flag, a missing or non-positive number", () => {
    expect(() => parseSoakArgs(["--build", "/tmp/build", "--dev"])).toThrow(/exclude each other[\s\S]*npm run soak/);
    expect(() => parseSoakArgs(["--fast", "1"])).toThrow(/Unknown option --fast/);
    expect(() => parseSoakArgs(["--minutes"])).toThrow(/--minutes needs a value/);
    expect(() => parseSoakArgs(["--shops", "0"])).toThrow(/--shops must be a positive number/);
    expect(() => parseSoakArgs(["--min-variants", "50", "--max-variants", "10"])).toThrow(/must not exceed/);
  });
});
