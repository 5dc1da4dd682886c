// Request bodies are read only after the request is authenticated, and never past a limit: the Content-Length is
// checked first (scripts/serve.ts refuses an oversized one before Remix sees it), then the bytes are counted while
// they stream, so a body without a length (chunked) or with a false one is cut off at the limit instead of buffered.

/** The largest body each kind of request may send, in bytes: the one place these limits are written. */
export const BODY_LIMITS = {
  /**
   * Shopify webhooks: a products/update payload carries every variant and image of the product (up to 2,048
   * variants since API 2024-04), a few hundred KB at worst; 5 MiB leaves room without letting anyone stream
   * gigabytes at a public endpoint.
   */
  webhook: 5 * 1024 * 1024,
  /** The platform admin's forms: a CSRF token, an intent, an id or two; the sign-in form. */
  adminForm: 8 * 1024,
  /** The merchant pages' forms: a page of product ids (ProductSelectionTable) and a filter. */
  appForm: 64 * 1024,
} as const;

/** The limit for a path; the server checks Content-Length against it before any route runs. */
export function bodyLimitFor(pathname: string): number {
  if (pathname.startsWith("/webhooks/")) return BODY_LIMITS.webhook;
  if (pathname === "/admin" || pathname.startsWith("/admin/")) return BODY_LIMITS.adminForm;
  return BODY_LIMITS.appForm;
}

export function payloadTooLarge(limit: number): Response {
  return new Response(`The request body is larger than ${limit} bytes.`, {
    status: 413,
    statusText: "Payload Too Large",
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/** The body's bytes, or a thrown 413 as soon as it is known to exceed `limit` (the rest is never read). */
export async function readBodyWithin(request: Request, limit: number): Promise<Buffer<ArrayBuffer>> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not cancel(): that destroys the connection before the 413 can reach the client. Left unread, the rest of the
      // body stays with the client (TCP flow control), which gets its answer and gives up.
      reader.releaseLock();
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * The form of a POST (application/x-www-form-urlencoded, what Remix's <Form> and useSubmit send), read within
 * `limit`; another content type is a 415.
 */
export async function readFormWithin(request: Request, limit: number): Promise<FormData> {
  const type = request.headers.get("Content-Type")?.split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new Response("Forms are sent as application/x-www-form-urlencoded.", {
      status: 415,
      statusText: "Unsupported Media Type",
    });
  }
  const text = Buffer.from(await readBodyWithin(request, limit)).toString("utf8");
  const form = new FormData();
  for (const [name, value] of new URLSearchParams(text)) form.append(name, value);
  return form;
}

/** The same request with its body replaced by `body` (already read within a limit), for code that reads it again. */
export function withBody(request: Request, body: Buffer<ArrayBuffer>): Request {
  return new Request(request.url, { method: request.method, headers: request.headers, body });
}
