// The name of the hidden form field that carries the CSRF token (read by csrf.server.ts, written by AdminCsrfInput).
export const CSRF_FIELD = "_csrf";
