-- The graphile-worker job (id and attempt) that recorded a sync event. A worker killed after a job's work committed
-- but before graphile-worker marked the job complete has the job run again by the dead-worker sweep, under the same
-- id and attempt (docs/decisions/003); the unique key makes that re-run's event the one already recorded, not a
-- second one. Each retry is a job of its own (or a new attempt), so a failing job still records one FAILURE per
-- attempt. Events recorded outside a job (the integrity CLI) carry NULLs, which never collide.
ALTER TABLE "sync_event" ADD COLUMN "job_id" BIGINT, ADD COLUMN "job_attempt" INTEGER;

CREATE UNIQUE INDEX "sync_event_job_id_job_attempt_key" ON "sync_event" ("job_id", "job_attempt");
