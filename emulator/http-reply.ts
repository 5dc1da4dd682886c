// What a handler answers; the HTTP layer writes it. Bodies that are not strings are sent as JSON.
export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body: string | object;
}

export const jsonReply = (status: number, body: object, headers?: Record<string, string>): HttpReply => ({
  status,
  body,
  headers,
});

// Shopify's own wording, so the app's error handling is exercised against the real strings.
export const SHOPIFY_BODIES = {
  invalidToken: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
  notFound: { errors: "Not Found" },
  locked: { errors: "This shop is unavailable. This may be because the store is locked or closed." },
  tooManyRequests: {
    errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
  },
  badRequest: { errors: { query: "Required parameter missing or invalid" } },
  serverError: { errors: "Internal Server Error" },
  badGateway: { errors: "Bad Gateway" },
  unavailable: { errors: "Service Unavailable" },
} as const;
