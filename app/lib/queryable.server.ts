import type pg from "pg";

/**
 * What a domain function needs to run SQL: the shared pool by default, or a transaction's client, or another
 * database's pool (the benchmark points analytics at its own database this way).
 */
export interface Queryable {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>>;
}
