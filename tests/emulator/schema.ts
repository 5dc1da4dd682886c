import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema, type GraphQLSchema } from "graphql";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// The shared folder sits next to the repository; SHOPIFY_ADMIN_SCHEMA_PATH lets a checkout elsewhere point at it.
export const ADMIN_SCHEMA_PATH =
  process.env.SHOPIFY_ADMIN_SCHEMA_PATH ??
  path.resolve(repoRoot, "../shared/shopify-admin-schema/admin_schema_2026-01_public.graphql");

let cached: GraphQLSchema | undefined;

// Building the 3.4 MB SDL takes most of a second, so every emulator (and the validation test) in a process
// shares one schema object.
export function adminSchema(): GraphQLSchema {
  cached ??= buildSchema(readFileSync(ADMIN_SCHEMA_PATH, "utf8"));
  return cached;
}
