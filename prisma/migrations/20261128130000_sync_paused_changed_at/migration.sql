-- When a merchant's syncing was last paused or resumed: the staleness watch (app/alerts/staleness.server.ts) counts a
-- resumed shop's grace period from its resumption, as it counts a new shop's from its approval, so resuming a shop
-- paused for longer than a threshold does not alert at once, before its next scheduled sync could run.
ALTER TABLE "merchant_connection" ADD COLUMN "sync_paused_changed_at" TIMESTAMPTZ(3);
