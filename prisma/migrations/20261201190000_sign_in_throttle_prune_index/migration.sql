-- Sign-in attempts prune the keys nobody has used for a day (app/admin-auth/sign-in-throttle.server.ts): by this
-- index, so a table swollen by a spray of addresses and emails costs each attempt one short index range.
CREATE INDEX "admin_sign_in_throttle_last_attempt_at_idx" ON "admin_sign_in_throttle"("last_attempt_at");
