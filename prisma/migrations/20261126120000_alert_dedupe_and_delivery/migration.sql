-- Alerts: one open alert per incident, enforced by the database, and a record of every channel's delivery.

-- The provisional notifyAdmins inserted a new alert on every call. Before the unique index can exist, keep the
-- newest unresolved alert of each incident and resolve the older duplicates (their history stays readable).
UPDATE "alert" AS a
   SET "status" = 'RESOLVED', "resolved_at" = CURRENT_TIMESTAMP
 WHERE a."status" <> 'RESOLVED'
   AND EXISTS (SELECT 1 FROM "alert" b
                WHERE b."dedupe_key" = a."dedupe_key" AND b."status" <> 'RESOLVED' AND b."id" > a."id");

-- Two workers failing the same incident at the same moment must bump one alert, not open two: notifyAdmins upserts
-- with ON CONFLICT ("dedupe_key") WHERE "status" <> 'RESOLVED', which needs this partial unique index.
-- Prisma's schema language cannot express a partial index (listed in the drift test's SQL_ONLY_INDEXES).
CREATE UNIQUE INDEX "alert_open_dedupe_key_key" ON "alert"("dedupe_key") WHERE "status" <> 'RESOLVED';

CREATE TYPE "AlertDeliveryKind" AS ENUM ('FIRING', 'REMINDER', 'RECOVERED');
CREATE TYPE "AlertDeliveryStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED');

-- One row per (notification, channel): each channel is attempted, retried and recorded on its own, so a broken
-- channel never blocks the others and a failed delivery is never lost.
CREATE TABLE "alert_delivery" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" "AlertDeliveryKind" NOT NULL,
    "status" "AlertDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "alert_delivery_alert_id_idx" ON "alert_delivery"("alert_id");
CREATE INDEX "alert_delivery_status_next_attempt_at_idx" ON "alert_delivery"("status", "next_attempt_at");

ALTER TABLE "alert_delivery" ADD CONSTRAINT "alert_delivery_alert_id_fkey"
    FOREIGN KEY ("alert_id") REFERENCES "alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
