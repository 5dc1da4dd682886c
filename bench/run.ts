import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// `npm run bench [-- <name> ...] [--json <file>]`: runs every bench/*.bench.ts (or the named ones), prints a
// table, and optionally writes the results as JSON: [{ name, figures, baseline, ratio, goal, met }].
//
// A benchmark module exports `name`, `description` and `run(options)` (or a default object with them); run
// returns { figures, baseline?, ratio?, goal?, met? } and may report progress through `options.log`.

type Figure = number | string;

export interface BenchResult {
  figures: Record<string, Figure>;
  baseline?: Record<string, Figure>;
  ratio?: number;
  goal?: string;
  met?: boolean;
}

export interface BenchRunOptions {
  log: (line: string) => void;
}

interface Benchmark {
  name: string;
  description: string;
  file: string;
  run(options: BenchRunOptions): Promise<BenchResult>;
}

interface Outcome extends BenchResult {
  name: string;
  seconds: number;
  error?: string;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): { names: string[]; jsonFile: string | null; list: boolean } {
  const names: string[] = [];
  let jsonFile: string | null = null;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") {
      jsonFile = argv[++i] ?? null;
      if (!jsonFile) throw new Error("--json needs a file name");
    } else if (arg.startsWith("--json=")) jsonFile = arg.slice("--json=".length);
    else if (arg === "--list") list = true;
    else if (arg.startsWith("-")) throw new Error(`Unknown option ${arg}`);
    else names.push(arg);
  }
  return { names, jsonFile, list };
}

async function discover(): Promise<Benchmark[]> {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort();
  const benchmarks: Benchmark[] = [];
  for (const file of files) {
    const loaded = (await import(pathToFileURL(path.join(benchDir, file)).href)) as Partial<Benchmark> & {
      default?: Partial<Benchmark>;
    };
    const module = loaded.default && typeof loaded.default.run === "function" ? loaded.default : loaded;
    if (typeof module.run !== "function") throw new Error(`${file} exports no run() function`);
    benchmarks.push({
      name: module.name ?? file.replace(/\.bench\.ts$/, ""),
      description: module.description ?? "",
      file,
      run: module.run.bind(module),
    });
  }
  return benchmarks;
}

function formatFigure(value: Figure | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number")
    return Number.isInteger(value)
      ? value.toLocaleString("en-US")
      : value.toLocaleString("en-US", { maximumFractionDigits: 3 });
  return value;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function report(outcome: Outcome): string {
  const header = `${outcome.name} (${outcome.seconds.toFixed(1)} s)${outcome.goal ? `\n  goal: ${outcome.goal}` : ""}\n  met: ${
    outcome.error ? "ERROR" : outcome.met === undefined ? "n/a" : outcome.met ? "yes" : "NO"
  }${outcome.ratio === undefined ? "" : `   ratio vs baseline: ${formatFigure(outcome.ratio)}`}`;
  if (outcome.error) return `${header}\n  error: ${outcome.error}`;
  const keys = [...new Set([...Object.keys(outcome.figures), ...Object.keys(outcome.baseline ?? {})])];
  const rows = [
    ["figure", "value", "baseline"],
    ...keys.map((key) => [key, formatFigure(outcome.figures[key]), formatFigure(outcome.baseline?.[key])]),
  ];
  return `${header}\n${table(rows)
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n")}`;
}

async function main(): Promise<number> {
  const { names, jsonFile, list } = parseArgs(process.argv.slice(2));
  const all = await discover();
  if (list) {
    for (const b of all) console.log(`${b.name.padEnd(16)} ${b.description}`);
    return 0;
  }
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Available: ${all.map((b) => b.name).join(", ")}`);
    return 2;
  }
  const selected = names.length > 0 ? all.filter((b) => names.includes(b.name)) : all;
  const outcomes: Outcome[] = [];
  for (const benchmark of selected) {
    console.log(`\n▶ ${benchmark.name}: ${benchmark.description}`);
    const started = performance.now();
    const log = (line: string) => console.log(`  [${benchmark.name}] ${line}`);
    try {
      const result = await benchmark.run({ log });
      outcomes.push({ name: benchmark.name, seconds: (performance.now() - started) / 1000, ...result });
    } catch (error) {
      outcomes.push({
        name: benchmark.name,
        seconds: (performance.now() - started) / 1000,
        figures: {},
        met: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    console.log(`\n${report(outcomes[outcomes.length - 1])}`);
  }

  console.log(
    `\n${table([["benchmark", "met", "ratio", "goal"], ...outcomes.map((o) => [o.name, o.error ? "ERROR" : o.met === undefined ? "n/a" : o.met ? "yes" : "NO", formatFigure(o.ratio), o.goal ?? ""])])}`,
  );

  if (jsonFile) {
    const json = outcomes.map((o) => ({
      name: o.name,
      figures: o.figures,
      baseline: o.baseline ?? null,
      ratio: o.ratio ?? null,
      goal: o.goal ?? null,
      met: o.met ?? null,
      ...(o.error ? { error: o.error } : {}),
    }));
    mkdirSync(path.dirname(path.resolve(jsonFile)), { recursive: true });
    writeFileSync(jsonFile, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nwrote ${jsonFile}`);
  }
  return outcomes.some((o) => o.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
