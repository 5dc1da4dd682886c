import { z } from "zod";

// Every setting the server reads, validated once. Modules call env(), never process.env, so a missing or
// malformed variable is reported at start-up, by name, instead of failing later in a request or a job.

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const minutes = z.coerce
  .number()
  .int()
  .min(0)
  .max(24 * 60);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),

    // Unset: an embedded PostgreSQL is started under .data/postgres (see app/database/embedded-postgres.server.ts).
    DATABASE_URL: z.string().url().optional(),
    EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),

    SHOPIFY_API_KEY: z.string().min(1),
    SHOPIFY_API_SECRET: z.string().min(1),
    SHOPIFY_APP_URL: z.string().url(),
    SCOPES: z.string().default("read_products,read_inventory,read_locations"),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    // Set only for local development, tests and the demo: routes the Admin API to the local Shopify emulator.
    SHOPIFY_ADMIN_API_BASE: z.string().url().optional(),

    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    // How many reverse proxies in front of the app append to X-Forwarded-For: 0 (the default) takes the client address
    // from the connection, since any client can write that header; the sign-in throttle keys on this address.
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    WORKER_IN_PROCESS: bool.default("true"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    // false: this process runs jobs but never fires the crontab (a benchmark's workers; any other process fires it).
    WORKER_CRON: bool.default("true"),
    // `npm run worker` serves /healthz and /metrics on this port of its own (it has no web server).
    WORKER_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
    // How often each worker process looks for the jobs of dead workers (app/worker/worker-liveness.server.ts).
    WORKER_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    // The fan-outs spread each kind's per-shop jobs over this many minutes after the cron fires.
    PRODUCT_SYNC_SPREAD_MINUTES: minutes.default(180),
    INVENTORY_SYNC_SPREAD_MINUTES: minutes.default(30),
    INTEGRITY_CHECK_SPREAD_MINUTES: minutes.default(240),
    INVENTORY_RECONCILIATION_SPREAD_MINUTES: minutes.default(60),
    VERIFICATION_SPREAD_MINUTES: minutes.default(30),
    // Verification (app/verification): the variants read back from Shopify per shop and hourly run (at least what
    // covers every listed variant twice a week), the share of the points the shop's bucket restores in an hour that a
    // run may spend, and the share of mismatching verifications over 24 hours above which one alert is raised.
    VERIFICATION_SAMPLE_SIZE: z.coerce.number().int().min(1).max(100_000).default(200),
    VERIFICATION_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.05),
    VERIFICATION_MISMATCH_ALERT_RATE: z.coerce.number().min(0).max(1).default(0.02),
    // A difference on a variant Shopify changed this recently is a change in flight (its webhook queued or being
    // processed): re-checked next run, not counted. Real time, not compressed by SCHEDULE_TIME_SCALE: a webhook takes
    // as long to arrive in a soak as in production.
    VERIFICATION_IN_FLIGHT_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    // A full inventory read (the first, the daily reconciliation, after 24 h without a sync) of a shop with at least
    // this many levels at the marketplace's locations goes through a bulk operation, which Shopify does not charge
    // against the rate limit; below it the paged read (3 points a level) stays: 1,000 levels cost ~3,000 points,
    // more than a STANDARD shop's whole bucket (2,000), so above it the paged read must wait for points and starves
    // the shop's other calls, while below it it takes seconds, with no export to build and download.
    INVENTORY_BULK_READ_MIN_LEVELS: z.coerce.number().int().min(0).default(1_000),
    // Time compression of every schedule (app/worker/schedules.server.ts `crontab`): 60 makes the hourly inventory sync
    // fire every minute and the daily runs every 24 minutes, their spread windows and backfill shrunk alike. 1 (the
    // default) in production; `npm run soak` sets it.
    SCHEDULE_TIME_SCALE: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(1),

    // Alerts and analytics
    // Channels: each one is used when its settings are present; none set = alerts are stored and shown only.
    // These values are secrets (a webhook URL is its own credential): never log them; describeChannels() masks them.
    ALERT_SLACK_WEBHOOK_URL: z.string().url().optional(), // Slack-compatible incoming webhook
    ALERT_WEBHOOK_URL: z.string().url().optional(), // generic JSON webhook (POST)
    ALERT_WEBHOOK_SECRET: z.string().min(16).optional(), // signs the JSON webhook's body (X-Signature-SHA256)
    SMTP_HOST: z.string().optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    SMTP_SECURE: bool.default("false"), // true: TLS from the first byte (port 465); false: STARTTLS when offered
    SMTP_USER: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
    ALERT_EMAIL_FROM: z.string().default("Marketplace Sync <alerts@localhost>"),
    ALERT_EMAIL_TO: z.string().optional(), // comma-separated recipients; email is used when SMTP_HOST and this are set
    // An open, unacknowledged alert that keeps happening is sent again at most once per this many minutes.
    ALERT_COOLDOWN_MINUTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    // Raw sync events older than this are pruned daily (aggregates on the dashboard read only the kept window).
    EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    // /metrics answers only requests carrying `Authorization: Bearer <token>`. Required in production (it names every
    // shop); elsewhere, unset leaves /metrics open.
    METRICS_TOKEN: z.string().min(16).optional(),

    // Merchants
    // An uninstalled shop's products and variants are kept this many days (a reinstall within it finds everything as
    // it was), then purged by the daily purge-uninstalled-shops job.
    UNINSTALL_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(30),

    // Platform admin
    // Signs the /admin session cookie (app/admin-auth/admin-session.server.ts). Required in production; in development
    // and tests it may be left unset and is then derived from SHOPIFY_API_SECRET (see adminSessionSecret()).
    ADMIN_SESSION_SECRET: z.string().min(32).optional(),
  })
  .superRefine((value, context) => {
    // Platform admin: a production server never signs admin sessions with a key derived from another secret.
    if (value.NODE_ENV === "production" && !value.ADMIN_SESSION_SECRET) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["ADMIN_SESSION_SECRET"],
        message: "Required in production (32+ characters)",
      });
    }
    // Metrics name every shop: a production server never serves them to anyone who asks.
    if (value.NODE_ENV === "production" && !value.METRICS_TOKEN) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["METRICS_TOKEN"],
        message: "Required in production (16+ characters)",
      });
    }
  });

export type Env = z.infer<typeof schema>;

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidEnvironmentError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "not set" (a blank line in a .env file should not become an invalid URL).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new InvalidEnvironmentError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  return result.data;
}

let cached: Env | undefined;

/**
 * The one production switch: NODE_ENV=production (which `npm start` implies, scripts/serve.ts) turns on Secure
 * cookies, Remix's production mode and the settings production requires.
 */
export function isProduction(): boolean {
  return env().NODE_ENV === "production";
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests and start-up scripts that change process.env after a first read. */
export function resetEnvCache(): void {
  cached = undefined;
}
