// What a soak run is given: `npm run soak -- --minutes 10 --shops 20` (scripts/soak.ts) or the small soak of the
// tests (tests/integration/soak.test.ts). Every default is the realistic run.

export interface SoakOptions {
  /** Wall time of the life (changes and faults), in minutes. */
  minutes: number;
  shops: number;
  /** Variants per shop, drawn between these (log-uniform: many small catalogs, a few large ones). */
  minVariants: number;
  maxVariants: number;
  /** Changes made in Shopify per second of life, across all shops. */
  changesPerSecond: number;
  /** Products edited at once by the bulk edit. */
  bulkEditProducts: number;
  /** Variants whose stock is moved from one location to another by the reassignment. */
  reassignedVariants: number;
  /** SCHEDULE_TIME_SCALE of the app and its workers: 60 makes an hour a minute. */
  scheduleTimeScale: number;
  seed: number;
  /**
   * A production build to serve (`npm run build` output); unset: Vite's dev server, as `npm run dev:local`.
   * `npm run soak` makes one for the run unless it is given `--build <dir>` or `--dev`.
   */
  build?: string;
  /** The command line's `--dev`: serve with Vite's dev server rather than a build made for the run. */
  dev?: boolean;
  /** Where the report's JSON and the processes' logs go. */
  outputDir: string;
  /** How long the reconciliation cycle and the settling may take before the soak gives up on them. */
  cycleTimeoutMs: number;
  log: (line: string) => void;
}

export const DEFAULT_SOAK_OPTIONS: Omit<SoakOptions, "outputDir" | "log"> = {
  minutes: 10,
  shops: 20,
  minVariants: 500,
  maxVariants: 20_000,
  changesPerSecond: 5,
  bulkEditProducts: 2_000,
  reassignedVariants: 200,
  scheduleTimeScale: 60,
  seed: 1,
  cycleTimeoutMs: 20 * 60_000,
};

const FLAGS: Record<string, keyof typeof DEFAULT_SOAK_OPTIONS> = {
  "--minutes": "minutes",
  "--shops": "shops",
  "--min-variants": "minVariants",
  "--max-variants": "maxVariants",
  "--rate": "changesPerSecond",
  "--bulk-edit": "bulkEditProducts",
  "--reassign": "reassignedVariants",
  "--time-scale": "scheduleTimeScale",
  "--seed": "seed",
};

export const SOAK_USAGE = `npm run soak -- [--minutes 10] [--shops 20] [--min-variants 500] [--max-variants 20000] [--rate 5]
                [--bulk-edit 2000] [--reassign 200] [--time-scale 60] [--seed 1] [--build <dir> | --dev] [--out <dir>]`;

/** The command line's options over the defaults; a flag that is unknown or not a positive number is an error. */
export function parseSoakArgs(argv: string[]): Partial<SoakOptions> {
  const parsed: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--dev") {
      parsed.dev = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${SOAK_USAGE}`);
    i++;
    if (flag === "--build") parsed.build = value;
    else if (flag === "--out") parsed.outputDir = value;
    else if (FLAGS[flag]) {
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0) throw new Error(`${flag} must be a positive number, not "${value}"`);
      parsed[FLAGS[flag]] = number;
    } else throw new Error(`Unknown option ${flag}\n${SOAK_USAGE}`);
  }
  const merged = { ...DEFAULT_SOAK_OPTIONS, ...parsed };
  if (merged.minVariants > merged.maxVariants) throw new Error("--min-variants must not exceed --max-variants");
  if (merged.build && merged.dev) throw new Error(`--build and --dev exclude each other\n${SOAK_USAGE}`);
  return parsed as Partial<SoakOptions>;
}

/** A small deterministic generator (mulberry32): the same seed gives the same population, life and faults. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}
export type Random = ReturnType<typeof seededRandom>;
