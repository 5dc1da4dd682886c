-- Platform admin sessions live on the server (docs/decisions/006): the cookie carries a random session token, the
-- row its SHA-256. Signing out, a password reset or a role change deletes rows, so a saved cookie stops working.
CREATE TABLE "admin_session" (
    "id" BIGSERIAL NOT NULL,
    "token_hash" TEXT NOT NULL,
    "admin_user_id" INTEGER NOT NULL,
    "user_agent" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "admin_session_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "admin_session_admin_user_id_fkey" FOREIGN KEY ("admin_user_id") REFERENCES "admin_user"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "admin_session_token_hash_key" ON "admin_session"("token_hash");
CREATE INDEX "admin_session_admin_user_id_created_at_idx" ON "admin_session"("admin_user_id", "created_at" DESC);

-- Sign-in throttling: one row per client address, per account (the email, known or not) and per known device,
-- with growing delays; kept in PostgreSQL so every process sees the same counts. It replaces the lock-out.
CREATE TABLE "admin_sign_in_throttle" (
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "last_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "admin_sign_in_throttle_pkey" PRIMARY KEY ("key")
);

ALTER TABLE "admin_user" DROP COLUMN "failed_logins", DROP COLUMN "locked_until";
