-- Progress of a product export's import, for the pages that show a long sync while it runs: which stage the ingest
-- is in (IMPORTING the file into staging, MERGING it into the catalogue), how many lines it has read so far, and
-- when it last said so. Shopify's own stage (building the export, objectCount so far) is already in status and
-- object_count, copied at every poll.
ALTER TABLE "bulk_operation" ADD COLUMN "ingest_stage" TEXT,
ADD COLUMN "lines_read" BIGINT,
ADD COLUMN "progress_at" TIMESTAMPTZ(3);
