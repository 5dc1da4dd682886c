// Prisma 7 reads the database URL from here rather than from schema.prisma.
// Only `prisma generate` is run on our machines (see docs/decisions/001-migrations-offline.md).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/marketplace_sync" },
});
