import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// The layers (README "Architecture"), lowest first: app/jobs, the queue's primitives (task names, payload types,
// enqueue, retry policies, the sync kinds), imports no domain; the domains and the components they feed use it;
// app/worker (the tasks, which call every domain, the worker, its schedules and fan-outs, the jobs page's reads) sits
// above them; routes, scripts and app/health (the probe that reports the running worker) are on top.
const DOMAINS = [
  "admin-actions",
  "admin-auth",
  "alerts",
  "analytics",
  "integrity",
  "inventory",
  "merchants",
  "monitoring",
  "shopify-admin",
  "sync",
  "verification",
  "webhooks",
];
const NO_WORKER = {
  group: ["~/worker/**", "**/worker/**"],
  message: "app/worker sits above the domains and app/jobs: import the primitive from app/jobs, or move the caller up.",
};
const NO_DOMAIN = {
  group: [...DOMAINS.map((domain) => `~/${domain}/**`), "~/components/**", "~/routes/**", "~/health/**", "../**"],
  message:
    "app/jobs imports no domain: a payload schema lives with its domain (declared in app/jobs/task-payloads.ts's " +
    "TaskPayloadSchemas by declaration merging), a task body in app/worker/tasks.",
};

export default tseslint.config(
  { ignores: ["build/", "node_modules/", ".data/", "tests/artifacts/", "bench/results/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
    },
  },
  {
    files: ["app/jobs/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_WORKER, NO_DOMAIN] }] },
  },
  {
    files: [
      ...DOMAINS.map((domain) => `app/${domain}/**`),
      "app/components/**",
      "app/lib/**",
      "app/database/**",
      "app/db.server.ts",
      "app/env.server.ts",
      "app/shopify.server.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_WORKER] }] },
  },
);
