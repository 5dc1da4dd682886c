import { Logger as GraphileLogger, type LogLevel as GraphileLogLevel } from "graphile-worker";
import pino, { type DestinationStream, type Logger } from "pino";

// The one logger of the app, its scripts and its worker: a JSON line per event (pino) that an operator can search
// by shop, task, job id, attempt, duration and outcome; readable lines in development and tests.
//
// Fields, by name, wherever they apply: `scope` (the module area: "alerts", "merchants", "http"...), `shop`,
// `task` (a graphile-worker task name), `jobId`, `attempt`, `durationMs`, `outcome`, and `err` for an Error.
//
// Secrets never reach the logs, by two locks: the keys below are censored wherever they sit in a logged object,
// and every line is scrubbed of this process's configured secret values and of token-shaped strings, for a secret
// that reaches a message or an error's text.
//
// LOG_LEVEL and LOG_FORMAT are read from process.env here, not through env(): the logger must work in every
// process (scripts that never validate the Shopify settings included) and before validation has run.

/** Object keys whose values are censored at any of the depths below (pino's redact paths). */
const SECRET_KEYS = [
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "id_token",
  "apiSecret",
  "apiSecretKey",
  "SHOPIFY_API_SECRET",
  "password",
  "pass",
  "smtpPassword",
  "SMTP_PASSWORD",
  "secret",
  "cookie",
  "Cookie",
  "authorization",
  "Authorization",
  "set-cookie",
  "x-shopify-access-token",
  "X-Shopify-Access-Token",
];

// pino's redaction matches fixed paths with single-level wildcards; these depths cover what the app logs: a key
// at the top, in a logged object (`session.accessToken`), and in headers of a request, response or error.
// A key with a dash is written in brackets (`*["set-cookie"]`).
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const step = /^\w+$/.test(key) ? `.${key}` : `["${key}"]`;
  return [step.startsWith(".") ? key : step, `*${step}`, `*.*${step}`, `*.*.*${step}`];
});

/** The environment variables whose values are secrets: scrubbed from every line, wherever they appear. */
const SECRET_ENV = [
  "SHOPIFY_API_SECRET",
  "SMTP_PASSWORD",
  "ADMIN_SESSION_SECRET",
  "METRICS_TOKEN",
  "ALERT_WEBHOOK_SECRET",
];

/** Shopify's token prefixes (shpat_ admin, shpua_ user, shprt_ refresh, shpss_ shared secret...), a bearer
 * credential, a session token in a query string, and the emulator's tokens (emulator/token-exchange.ts). */
const TOKEN_PATTERNS: RegExp[] = [
  /\bshp[a-z]{2}_[A-Za-z0-9]+/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(id_token|access_token|refresh_token|client_secret)=[^&\s"]+/g,
];

const CENSORED = "[redacted]";

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replaces configured secret values and token-shaped strings in a serialized line. */
export function scrubSecrets(line: string, env: NodeJS.ProcessEnv = process.env): string {
  let scrubbed = line;
  for (const name of SECRET_ENV) {
    const value = env[name];
    // A short value (a test's "x") would censor ordinary words; real secrets are long.
    if (value && value.length >= 8) scrubbed = scrubbed.replace(new RegExp(escapeRegExp(value), "g"), CENSORED);
  }
  for (const pattern of TOKEN_PATTERNS) {
    scrubbed = scrubbed.replace(pattern, (match, prefix?: string) =>
      prefix && match.includes("=") ? `${prefix}=${CENSORED}` : prefix ? `${prefix} ${CENSORED}` : CENSORED,
    );
  }
  return scrubbed;
}

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
const CONSOLE_METHOD: Record<number, "debug" | "info" | "warn" | "error"> = {
  10: "debug",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "error",
};
const SHOWN_FIRST = ["shop", "task", "jobId", "attempt", "durationMs", "outcome"];

/** A JSON line as a person reads it: `12:00:01.234 INFO  [alerts] message shop=… task=…`, an error's stack after. */
export function formatReadable(line: string): { text: string; level: number } {
  // Request headers are for the JSON lines; a person reading along wants the request line.
  const {
    level,
    time,
    scope,
    msg,
    err,
    pid: _pid,
    hostname: _hostname,
    headers: _headers,
    ...fields
  } = JSON.parse(line) as Record<string, unknown> & {
    level: number;
    time?: string;
    scope?: string;
    msg?: string;
    err?: { stack?: string; message?: string };
  };
  const clock = typeof time === "string" ? time.slice(11, 23) : "";
  const keys = [
    ...SHOWN_FIRST.filter((k) => k in fields),
    ...Object.keys(fields).filter((k) => !SHOWN_FIRST.includes(k)),
  ];
  const pairs = keys.map((k) => `${k}=${typeof fields[k] === "string" ? fields[k] : JSON.stringify(fields[k])}`);
  const head = [clock, (LEVEL_NAMES[level] ?? String(level)).padEnd(5), scope ? `[${scope}]` : "", msg ?? "", ...pairs]
    .filter(Boolean)
    .join(" ");
  return { text: err ? `${head}\n${err.stack ?? err.message ?? ""}` : head, level };
}

function jsonOut(write: (line: string) => void): DestinationStream {
  return { write: (line: string) => write(scrubSecrets(line)) };
}

/** Readable lines through console's method for the level, so vitest shows them beside the test that logged. */
function readableOut(): DestinationStream {
  return {
    write: (line: string) => {
      const { text, level } = formatReadable(scrubSecrets(line));
      console[CONSOLE_METHOD[level] ?? "info"](text);
    },
  };
}

export interface CreateLoggerOptions {
  /** "json": a JSON line per event (production's default); "pretty": readable lines (development and tests). */
  format?: "json" | "pretty";
  level?: string;
  /** Where JSON lines go; standard output by default. Tests pass their own to read the lines. */
  write?: (line: string) => void;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const format =
    options.format ??
    (process.env.LOG_FORMAT === "json" || process.env.LOG_FORMAT === "pretty"
      ? process.env.LOG_FORMAT
      : process.env.NODE_ENV === "production"
        ? "json"
        : "pretty");
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers, in the JSON: what an operator types into a log search.
      formatters: { level: (label, number) => (format === "json" ? { level: label } : { level: number }) },
      redact: { paths: REDACT_PATHS, censor: CENSORED },
      serializers: { err: pino.stdSerializers.err },
    },
    format === "json" ? jsonOut(write) : readableOut(),
  );
}

/** The process's logger. Modules take a child with their scope: `const log = logger.child({ scope: "alerts" })`. */
export const logger = createLogger();

const GRAPHILE_LEVEL: Record<GraphileLogLevel, "error" | "warn" | "info" | "debug"> = {
  error: "error",
  warning: "warn",
  info: "info",
  debug: "debug",
};

/** graphile-worker's `logger` option (run()/makeWorkerUtils()): its lines as ours, with the job's task, id and
 * attempt as fields. */
export function graphileWorkerLogger(base: Logger = logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const child = base.child({
      scope: "worker",
      ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}),
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
      ...(scope.workerId ? { workerId: scope.workerId } : {}),
    });
    return (level, message, meta) => child[GRAPHILE_LEVEL[level] ?? "info"](jobFields(meta), message);
  });
}

/**
 * The fields of graphile-worker's metadata worth a log line. It passes the whole job row, payload included (a
 * webhook's product, a merchant's data): only the job's id, attempt and shop are kept, with the outcome and duration.
 */
function jobFields(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const job = meta.job as
    { id?: string; attempts?: number; max_attempts?: number; payload?: { shop?: unknown } } | undefined;
  const fields: Record<string, unknown> = {};
  if (job?.id !== undefined) fields.jobId = job.id;
  if (job?.attempts !== undefined) fields.attempt = job.attempts;
  if (job?.max_attempts !== undefined) fields.maxAttempts = job.max_attempts;
  if (typeof job?.payload?.shop === "string") fields.shop = job.payload.shop;
  if (typeof meta.duration === "number") fields.durationMs = Math.round(meta.duration);
  if (meta.success === true) fields.outcome = "success";
  if (meta.failure === true) fields.outcome = "failure";
  if (meta.error instanceof Error) fields.err = meta.error;
  return fields;
}

// @shopify/shopify-api's severities (its LogSeverity enum: Error 0, Warning 1, Info 2, Debug 3).
const SHOPIFY_API_LEVEL = ["error", "warn", "info", "debug"] as const;

/**
 * The `logger` option of shopifyApp(): the library's own lines ("[shopify-api/INFO] version …", auth and webhook
 * notes) as our lines, so production output stays one JSON object per line and passes the same redaction.
 */
export function shopifyApiLogger(base: Logger = logger): {
  level: number;
  log: (severity: number, message: string) => void;
} {
  const child = base.child({ scope: "shopify-api" });
  return {
    level: SHOPIFY_API_LEVEL.indexOf(child.isLevelEnabled("debug") ? "debug" : "info"),
    log: (severity, message) =>
      child[SHOPIFY_API_LEVEL[severity] ?? "info"](message.replace(/^\[shopify-(?:api|app)\/\w+\]\s*/, "")),
  };
}
