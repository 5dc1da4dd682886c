import { z } from "zod";
import { redactShop, type RedactCounts, type RedactOptions } from "./purge-shop-data.server";
import { logger } from "~/lib/logger.server";

// Shopify's mandatory compliance webhooks (GDPR/CCPA). This app stores no customer data: it syncs products,
// variants and inventory, never orders or customers. So a customer's data request has nothing to report and a
// customer redaction has nothing to erase; both are answered (200) and logged, which is the record that the request
// was received and considered. Logs carry ids only, never the customer's email or phone from the payload.
// shop/redact, 48 hours after an uninstall, erases the shop's data (app/merchants/purge-shop-data.server.ts).

const customerRequest = z
  .object({
    customer: z
      .object({ id: z.union([z.number(), z.string()]).optional() })
      .partial()
      .optional(),
    data_request: z
      .object({ id: z.union([z.number(), z.string()]).optional() })
      .partial()
      .optional(),
    orders_requested: z.array(z.unknown()).optional(),
    orders_to_redact: z.array(z.unknown()).optional(),
  })
  .passthrough();

export const NO_CUSTOMER_DATA = "Marketplace Sync stores no customer data (only products, variants and inventory)";

export interface ComplianceAnswer {
  shop: string;
  topic: "customers/data_request" | "customers/redact" | "shop/redact";
  outcome: string;
}

/** customers/data_request: there is nothing to send the merchant; recorded in the log. */
export function answerCustomerDataRequest(shop: string, payload: unknown): ComplianceAnswer {
  const request = customerRequest.safeParse(payload);
  const ids = request.success
    ? `customer ${request.data.customer?.id ?? "?"}, data request ${request.data.data_request?.id ?? "?"}`
    : "unreadable payload";
  const answer: ComplianceAnswer = {
    shop,
    topic: "customers/data_request",
    outcome: `${NO_CUSTOMER_DATA}: nothing to report`,
  };
  logger.info(
    { scope: "compliance", shop, outcome: answer.outcome },
    `customers/data_request from ${shop} (${ids}): ${answer.outcome}`,
  );
  return answer;
}

/** customers/redact: there is nothing to erase; recorded in the log. */
export function redactCustomer(shop: string, payload: unknown): ComplianceAnswer {
  const request = customerRequest.safeParse(payload);
  const ids = request.success
    ? `customer ${request.data.customer?.id ?? "?"}, ${request.data.orders_to_redact?.length ?? 0} order(s)`
    : "unreadable payload";
  const answer: ComplianceAnswer = {
    shop,
    topic: "customers/redact",
    outcome: `${NO_CUSTOMER_DATA}: nothing to erase`,
  };
  logger.info(
    { scope: "compliance", shop, outcome: answer.outcome },
    `customers/redact from ${shop} (${ids}): ${answer.outcome}`,
  );
  return answer;
}

/** shop/redact: erases the shop's data, unless the shop has reinstalled the app since. */
export async function redactShopData(
  shop: string,
  options: RedactOptions = {},
): Promise<ComplianceAnswer & { counts?: RedactCounts }> {
  const result = await redactShop(shop, options);
  if ("skipped" in result) {
    const outcome = "the shop has reinstalled the app since; its data is in use and was kept";
    logger.warn({ scope: "compliance", shop, outcome }, `shop/redact for ${shop}: ${outcome}`);
    return { shop, topic: "shop/redact", outcome };
  }
  const outcome =
    `erased ${result.products} product(s), ${result.variants} variant(s), ${result.sessions} session(s), ` +
    `${result.bulkOperations} export record(s), ${result.integrityFindings} finding(s), ${result.webhookDeliveries} webhook receipt(s)` +
    (result.connectionCleared ? ", and the connection's shop details" : "");
  logger.info({ scope: "compliance", shop, outcome }, `shop/redact for ${shop}: ${outcome}`);
  return { shop, topic: "shop/redact", outcome, counts: result };
}
