// How long one SQL statement may run, and how long a session may sit idle inside an open transaction, per kind of
// work. A stuck statement (a lock wait, a runaway plan, a dead network peer) then fails and is retried instead of
// holding its locks and its connection for ever; a transaction left open by a crashed code path is ended by the
// server. Set on every connection of the pool that serves that kind of work (app/db.server.ts); the ingest sets
// its own on its dedicated session (app/sync/bulk-export-ingest.server.ts).
//
// The figures sit far above what the work takes (docs/PERFORMANCE.md: dashboard queries under 100 ms, an
// integrity check of a 30k-variant shop under 300 ms, a 100k-product ingest under 15 s in all).

export type WorkKind = "web" | "job" | "ingest";

export interface SessionTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const DATABASE_TIMEOUTS: Record<WorkKind, SessionTimeouts> = {
  // A page or a webhook: the user (or Shopify, after 5 s) is waiting.
  web: { statementTimeoutMs: 15 * SECOND, idleInTransactionTimeoutMs: 15 * SECOND },
  // Jobs, and graphile-worker's own queries: set-based checks and merges over a whole shop.
  job: { statementTimeoutMs: 2 * MINUTE, idleInTransactionTimeoutMs: 1 * MINUTE },
  // The bulk export ingest: one merge statement per batch, deletions over the whole catalogue.
  ingest: { statementTimeoutMs: 15 * MINUTE, idleInTransactionTimeoutMs: 5 * MINUTE },
};
