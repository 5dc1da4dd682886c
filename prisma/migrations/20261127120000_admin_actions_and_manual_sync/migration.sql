-- The merchant's "sync now" is rate limited per shop: the time of the last accepted request is kept on the
-- connection, so the limit holds across processes and restarts and is claimed with one conditional UPDATE.
ALTER TABLE "merchant_connection" ADD COLUMN "last_manual_sync_at" TIMESTAMPTZ(3);

-- Who did what on the platform admin pages (approve, suspend, pause, run a sync, retry a job, ...): one row per action.
CREATE TABLE "admin_action" (
    "id" BIGSERIAL NOT NULL,
    "admin_email" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "shop" TEXT,
    "details" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_action_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "admin_action_shop_created_at_idx" ON "admin_action"("shop", "created_at" DESC);
CREATE INDEX "admin_action_created_at_idx" ON "admin_action"("created_at" DESC);
