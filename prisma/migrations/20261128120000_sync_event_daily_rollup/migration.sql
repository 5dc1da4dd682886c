-- The sync monitor's statistics over long ranges (app/monitoring/sync-monitor-stats.server.ts). Aggregating the raw
-- events of every shop takes time proportional to the range (90 days of 1,000,000 events: ~0.4 s for the exact p95
-- alone); this rollup holds, per UTC day, event type, status and duration bucket, how many events there are and the
-- sum of their processing times, so the statistics of any whole-day range read a few thousand rows instead.
-- Triggers on sync_event keep it exact in the same transaction as every insert, delete, update or truncate.

-- Duration buckets an eighth of a power of two wide (bucket b holds 2^(b/8) <= ms < 2^((b+1)/8)); -1 holds events
-- that reported no processing time, 0 also holds 0 ms. The exact p95 comes from the bucket counts (which bucket the
-- rank falls in, and where in it) plus one short index read inside that bucket (sync_event_duration_rank_idx).
-- A SQL function the planner inlines, so queries that write sync_duration_bucket(processing_time_ms) match the index.
CREATE FUNCTION "sync_duration_bucket"(processing_time_ms integer) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN processing_time_ms IS NULL THEN -1
                    WHEN processing_time_ms < 1 THEN 0
                    ELSE floor(ln(processing_time_ms::float8) * (8 / ln(2::float8)))::smallint END $$;

CREATE TABLE "sync_event_daily" (
    "day"             DATE NOT NULL,
    "event_type"      "SyncEventType" NOT NULL,
    "status"          "SyncEventStatus" NOT NULL,
    "duration_bucket" SMALLINT NOT NULL,
    "event_count"     INTEGER NOT NULL,
    "duration_sum_ms" BIGINT NOT NULL,

    CONSTRAINT "sync_event_daily_pkey" PRIMARY KEY ("day", "event_type", "status", "duration_bucket")
);

-- One statement-level trigger per operation, reading the statement's changed rows as a whole (a batch insert or a
-- retention prune of 10,000 events is one grouped upsert, not 10,000). Rows are upserted in key order so two
-- concurrent writers take the rollup's row locks in the same order.
CREATE FUNCTION "sync_event_daily_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM sync_event_daily;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO sync_event_daily AS d (day, event_type, status, duration_bucket, event_count, duration_sum_ms)
    SELECT (created_at AT TIME ZONE 'UTC')::date, event_type, status, sync_duration_bucket(processing_time_ms),
           -count(*), -coalesce(sum(processing_time_ms), 0)
      FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, event_type, status, duration_bucket) DO UPDATE
       SET event_count = d.event_count + excluded.event_count, duration_sum_ms = d.duration_sum_ms + excluded.duration_sum_ms;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO sync_event_daily AS d (day, event_type, status, duration_bucket, event_count, duration_sum_ms)
    SELECT (created_at AT TIME ZONE 'UTC')::date, event_type, status, sync_duration_bucket(processing_time_ms),
           count(*), coalesce(sum(processing_time_ms), 0)
      FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, event_type, status, duration_bucket) DO UPDATE
       SET event_count = d.event_count + excluded.event_count, duration_sum_ms = d.duration_sum_ms + excluded.duration_sum_ms;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    -- Only the cells this statement touched can have dropped to zero.
    DELETE FROM sync_event_daily d
     USING (SELECT DISTINCT (created_at AT TIME ZONE 'UTC')::date AS day, event_type, status,
                   sync_duration_bucket(processing_time_ms) AS duration_bucket
              FROM old_rows) touched
     WHERE d.day = touched.day AND d.event_type = touched.event_type AND d.status = touched.status
       AND d.duration_bucket = touched.duration_bucket AND d.event_count = 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "sync_event_daily_insert" AFTER INSERT ON "sync_event"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync_event_daily_apply();
CREATE TRIGGER "sync_event_daily_delete" AFTER DELETE ON "sync_event"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sync_event_daily_apply();
CREATE TRIGGER "sync_event_daily_update" AFTER UPDATE ON "sync_event"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync_event_daily_apply();
CREATE TRIGGER "sync_event_daily_truncate" AFTER TRUNCATE ON "sync_event"
  FOR EACH STATEMENT EXECUTE FUNCTION sync_event_daily_apply();

-- Recomputes the rollup from the events (here, for the events already stored; later, should it ever be doubted).
-- SHARE mode lets the dashboard read on and holds writers back until the new rollup is in place.
CREATE FUNCTION "sync_event_daily_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE sync_event IN SHARE MODE;
  DELETE FROM sync_event_daily;
  INSERT INTO sync_event_daily (day, event_type, status, duration_bucket, event_count, duration_sum_ms)
  SELECT (created_at AT TIME ZONE 'UTC')::date, event_type, status, sync_duration_bucket(processing_time_ms),
         count(*), coalesce(sum(processing_time_ms), 0)
    FROM sync_event GROUP BY 1, 2, 3, 4;
END $$;

SELECT sync_event_daily_rebuild();

-- The exact percentile's second step: the k-th duration inside one bucket, under the range and the type and status
-- filters (read from the index, never the table).
CREATE INDEX "sync_event_duration_rank_idx" ON "sync_event"(sync_duration_bucket(processing_time_ms), "processing_time_ms")
  INCLUDE ("created_at", "event_type", "status");

-- The monitor's table sorted by duration or by item count, at any depth: the keyset (sort value, id) read in index
-- order (app/monitoring/list-sync-events.server.ts) instead of sorting the whole filtered range for each page.
CREATE INDEX "sync_event_processing_time_id_idx" ON "sync_event"((coalesce("processing_time_ms", -1)) DESC, "id" DESC);
CREATE INDEX "sync_event_item_count_id_idx" ON "sync_event"((coalesce("item_count", -1)) DESC, "id" DESC);
