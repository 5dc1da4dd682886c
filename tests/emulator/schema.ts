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
  cached ??= buildSchema(readAdminSchemaSdl());
  return cached;
}

function readAdminSchemaSdl(): string {
  try {
    return readFileSync(ADMIN_SCHEMA_PATH, "utf8");
  } catch (error) {
    throw new Error(
      `Shopify's Admin schema is not at ${ADMIN_SCHEMA_PATH} (${(error as NodeJS.ErrnoException).code}): the emulator ` +
        "reads it from the shared folder beside the checkout; set SHOPIFY_ADMIN_SCHEMA_PATH to point elsewhere.",
    );
  }
}
