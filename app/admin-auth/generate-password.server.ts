import { randomBytes } from "node:crypto";

/** 24 characters of base64url: 144 random bits, for accounts created without a chosen password. */
export function generateStrongPassword(): string {
  return randomBytes(18).toString("base64url");
}

export const MIN_PASSWORD_LENGTH = 12;
