import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { env } from "./env.server";
import { ScriptNonceProvider } from "./lib/script-nonce";
import { allowEmulatorAdminToFrame } from "./shopify-admin/app-bridge-source";
import { addDocumentResponseHeaders } from "./shopify.server";
import { logger } from "~/lib/logger.server";

export const streamTimeout = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.scriptNonce ?? "";
  addDocumentResponseHeaders(request, responseHeaders);
  allowEmulatorAdminToFrame(responseHeaders, env().SHOPIFY_ADMIN_API_BASE);
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const page = (
      <ScriptNonceProvider nonce={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce || undefined} />
      </ScriptNonceProvider>
    );
    const { pipe, abort } = renderToPipeableStream(page, {
      nonce: nonce || undefined,
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        logger.error({ scope: "http", err: error }, "render error");
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}
