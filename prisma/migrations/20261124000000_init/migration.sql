-- The whole data model of Marketplace Sync (see prisma/schema.prisma for what each table is for).

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'SUSPENDED');
CREATE TYPE "SelectionMode" AS ENUM ('ALL', 'CHOSEN');
CREATE TYPE "ProductStatus" AS ENUM ('ACTIVE', 'ARCHIVED', 'DRAFT', 'UNLISTED');
CREATE TYPE "BulkOperationStatus" AS ENUM ('CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELING', 'CANCELED', 'EXPIRED');
CREATE TYPE "SyncEventType" AS ENUM ('PRODUCT_SYNC', 'INVENTORY_SYNC', 'BULK_OPERATION', 'WEBHOOK', 'DATA_INTEGRITY');
CREATE TYPE "SyncEventStatus" AS ENUM ('SUCCESS', 'FAILURE', 'PARTIAL');
CREATE TYPE "AlertSeverity" AS ENUM ('INFO', 'WARNING', 'CRITICAL');
CREATE TYPE "AlertStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED');
CREATE TYPE "FindingOutcome" AS ENUM ('FIXED', 'FLAGGED', 'WOULD_FIX');
CREATE TYPE "AdminRole" AS ENUM ('VIEWER', 'OPERATOR');

-- CreateTable
CREATE TABLE "session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "is_online" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMPTZ(3),
    "access_token" TEXT NOT NULL,
    "user_id" BIGINT,
    "first_name" TEXT,
    "last_name" TEXT,
    "email" TEXT,
    "account_owner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "email_verified" BOOLEAN DEFAULT false,
    "refresh_token" TEXT,
    "refresh_token_expires" TIMESTAMPTZ(3),

    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "merchant_connection" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "shop_name" TEXT,
    "plan" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "approval_status" "ApprovalStatus" NOT NULL DEFAULT 'PENDING',
    "approval_changed_at" TIMESTAMPTZ(3),
    "approval_changed_by" TEXT,
    "sync_paused" BOOLEAN NOT NULL DEFAULT false,
    "selection_mode" "SelectionMode" NOT NULL DEFAULT 'CHOSEN',
    "default_location_id" BIGINT,
    "installed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalled_at" TIMESTAMPTZ(3),
    "purge_after" TIMESTAMPTZ(3),
    "last_product_sync_at" TIMESTAMPTZ(3),
    "last_inventory_sync_at" TIMESTAMPTZ(3),
    "last_integrity_check_at" TIMESTAMPTZ(3),
    "last_complete_export_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchant_connection_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "product" (
    "shop" TEXT NOT NULL,
    "id" BIGINT NOT NULL,
    "title" TEXT,
    "handle" TEXT,
    "vendor" TEXT,
    "product_type" TEXT,
    "status" "ProductStatus",
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "selected" BOOLEAN NOT NULL DEFAULT false,
    "listed" BOOLEAN NOT NULL DEFAULT false,
    "shopify_updated_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_pkey" PRIMARY KEY ("shop","id")
);

CREATE TABLE "product_variant" (
    "shop" TEXT NOT NULL,
    "id" BIGINT NOT NULL,
    "product_id" BIGINT NOT NULL,
    "title" TEXT,
    "sku" TEXT,
    "price" DECIMAL(14,2),
    "compare_at_price" DECIMAL(14,2),
    "inventory_item_id" BIGINT,
    "available_quantity" INTEGER,
    "inventory_updated_at" TIMESTAMPTZ(3),
    "shopify_updated_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_variant_pkey" PRIMARY KEY ("shop","id")
);

CREATE TABLE "bulk_operation" (
    "id" BIGINT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" "BulkOperationStatus" NOT NULL,
    "error_code" TEXT,
    "url" TEXT,
    "partial_data_url" TEXT,
    "object_count" BIGINT,
    "root_object_count" BIGINT,
    "file_size" BIGINT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "ingested_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "summary" JSONB,

    CONSTRAINT "bulk_operation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "sync_event" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "merchant_id" TEXT,
    "event_type" "SyncEventType" NOT NULL,
    "status" "SyncEventStatus" NOT NULL,
    "item_count" INTEGER,
    "processing_time_ms" INTEGER,
    "error_message" TEXT,
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_event_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "alert" (
    "id" SERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "shop" TEXT,
    "job_type" TEXT,
    "dedupe_key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "data" JSONB,
    "status" "AlertStatus" NOT NULL DEFAULT 'OPEN',
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_notified_at" TIMESTAMPTZ(3),
    "notified_channels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "integrity_finding" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" BIGINT,
    "outcome" "FindingOutcome" NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "message" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integrity_finding_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_delivery" (
    "webhook_id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "event_id" TEXT,
    "triggered_at" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("webhook_id")
);

CREATE TABLE "admin_user" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "AdminRole" NOT NULL DEFAULT 'VIEWER',
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_user_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_shop_idx" ON "session"("shop");
CREATE UNIQUE INDEX "merchant_connection_shop_key" ON "merchant_connection"("shop");
CREATE INDEX "merchant_connection_active_approval_status_sync_paused_idx" ON "merchant_connection"("active", "approval_status", "sync_paused");
CREATE INDEX "product_shop_selected_idx" ON "product"("shop", "selected");
CREATE INDEX "product_shop_synced_at_idx" ON "product"("shop", "synced_at");
CREATE INDEX "product_variant_shop_product_id_idx" ON "product_variant"("shop", "product_id");
CREATE INDEX "product_variant_shop_inventory_item_id_idx" ON "product_variant"("shop", "inventory_item_id");
CREATE INDEX "product_variant_shop_sku_idx" ON "product_variant"("shop", "sku");
CREATE INDEX "bulk_operation_shop_started_at_idx" ON "bulk_operation"("shop", "started_at");
CREATE INDEX "sync_event_created_at_id_idx" ON "sync_event"("created_at" DESC, "id" DESC);
CREATE INDEX "sync_event_shop_created_at_id_idx" ON "sync_event"("shop", "created_at" DESC, "id" DESC);
CREATE INDEX "sync_event_event_type_created_at_id_idx" ON "sync_event"("event_type", "created_at" DESC, "id" DESC);
CREATE INDEX "sync_event_status_created_at_id_idx" ON "sync_event"("status", "created_at" DESC, "id" DESC);
CREATE INDEX "sync_event_shop_event_type_status_created_at_idx" ON "sync_event"("shop", "event_type", "status", "created_at" DESC);
CREATE INDEX "alert_dedupe_key_status_idx" ON "alert"("dedupe_key", "status");
CREATE INDEX "alert_status_last_seen_at_idx" ON "alert"("status", "last_seen_at" DESC);
CREATE INDEX "alert_shop_status_idx" ON "alert"("shop", "status");
CREATE INDEX "integrity_finding_shop_check_created_at_idx" ON "integrity_finding"("shop", "check", "created_at" DESC);
CREATE INDEX "integrity_finding_run_id_idx" ON "integrity_finding"("run_id");
CREATE INDEX "integrity_finding_outcome_resolved_at_idx" ON "integrity_finding"("outcome", "resolved_at");
CREATE INDEX "webhook_delivery_received_at_idx" ON "webhook_delivery"("received_at");
CREATE UNIQUE INDEX "admin_user_email_key" ON "admin_user"("email");
