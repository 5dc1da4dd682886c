import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema, type GraphQLSchema } from "graphql";

// The project carries Shopify's Admin schema (shopify-admin-schema/README.md says where it comes from, with its
// sha256), so a clone works with nothing beside it. SHOPIFY_ADMIN_SCHEMA_PATH only overrides it, e.g. to try a newer
// version's SDL before adopting it.
export const BUNDLED_ADMIN_SCHEMA_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "shopify-admin-schema",
  "admin_schema_2026-01_public.graphql",
);

export const ADMIN_SCHEMA_PATH = process.env.SHOPIFY_ADMIN_SCHEMA_PATH || BUNDLED_ADMIN_SCHEMA_PATH;

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
    const overridden = ADMIN_SCHEMA_PATH !== BUNDLED_ADMIN_SCHEMA_PATH;
    throw new Error(
      `Shopify's Admin schema is not at ${ADMIN_SCHEMA_PATH} (${(error as NodeJS.ErrnoException).code}): ` +
        (overridden
          ? "SHOPIFY_ADMIN_SCHEMA_PATH names a file that cannot be read; unset it to use the schema the project carries."
          : "the project carries it in emulator/shopify-admin-schema/; restore it from git."),
    );
  }
}
