/** Emails are compared trimmed and lower-cased (accounts, sign-in, the throttle's account key). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
