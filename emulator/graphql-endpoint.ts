import {
  execute,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  validate,
  GraphQLError,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
} from "graphql";
import { actualCost, MAX_QUERY_COST, requestedCost } from "./cost";
import { jsonReply, SHOPIFY_BODIES, type HttpReply } from "./http-reply";
import { fieldResolver, typeResolver, type ResolverContext } from "./resolvers";
import { adminSchema } from "./schema";
import type { EmulatorStore, ShopState } from "./store";
import type { BulkOperations } from "./bulk/bulk-operations";
import type { RequestFault } from "./faults";

interface ParsedDocument {
  document?: DocumentNode;
  errors: GraphQLFormattedError[];
  fragments: Record<string, FragmentDefinitionNode>;
}

interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ReturnType<ShopState["bucket"]["status"]>;
}

const DOCUMENT_CACHE_LIMIT = 500;

// POST /admin/api/<version>/graphql.json for one shop: token, faults, cost and throttle, then graphql-js over
// the real schema.
export class GraphqlEndpoint {
  private readonly documents = new Map<string, ParsedDocument>();

  constructor(
    private readonly deps: {
      store: EmulatorStore;
      bulk: BulkOperations;
      sleep: (ms: number) => Promise<void>;
    },
  ) {}

  async handle(shop: ShopState, accessToken: string | undefined, rawBody: string): Promise<HttpReply> {
    shop.stats.requests++;
    if (!accessToken || !shop.tokens.has(accessToken)) return jsonReply(401, SHOPIFY_BODIES.invalidToken);
    // An expiring offline token stops working after its hour (on the emulator's clock, so tests compress time).
    const expiresAt = shop.tokenExpiresAt.get(accessToken);
    if (expiresAt !== undefined && this.deps.store.nowMs() >= expiresAt)
      return jsonReply(401, SHOPIFY_BODIES.invalidToken);

    const fault = shop.faults.takeRequestFault();
    if (fault) {
      shop.stats.faultsServed++;
      if (fault.kind === "slow") await this.deps.sleep(fault.delayMs);
      else {
        const reply = this.faultReply(shop, fault);
        if (reply) return reply;
      }
    }
    if (shop.locked) return jsonReply(423, SHOPIFY_BODIES.locked);

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(rawBody) as typeof body;
    } catch {
      return jsonReply(400, SHOPIFY_BODIES.badRequest);
    }
    if (typeof body.query !== "string" || !body.query.trim()) return jsonReply(400, SHOPIFY_BODIES.badRequest);

    const parsed = this.parseAndValidate(body.query);
    const operation =
      parsed.document &&
      getOperationAST(parsed.document, typeof body.operationName === "string" ? body.operationName : undefined);
    if (!parsed.document || parsed.errors.length > 0 || !operation) {
      const errors =
        parsed.errors.length > 0
          ? parsed.errors
          : [{ message: "An operation name is required when sending multiple operations." }];
      return jsonReply(200, { errors, extensions: { cost: this.cost(shop, 0, 0) } });
    }
    const schema = adminSchema();
    const coerced = getVariableValues(
      schema,
      operation.variableDefinitions ?? [],
      (body.variables ?? {}) as Record<string, unknown>,
    );
    if (coerced.errors) {
      return jsonReply(200, {
        errors: coerced.errors.map((e) => e.toJSON()),
        extensions: { cost: this.cost(shop, 0, 0) },
      });
    }

    const requested = requestedCost(schema, operation, parsed.fragments, coerced.coerced);
    if (requested > MAX_QUERY_COST) {
      return jsonReply(200, {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: {
              code: "MAX_COST_EXCEEDED",
              cost: requested,
              maxCost: MAX_QUERY_COST,
              documentation: "https://shopify.dev/api/usage/rate-limits",
            },
          },
        ],
        extensions: { cost: this.cost(shop, requested, null) },
      });
    }
    if (!shop.bucket.tryTake(requested)) return this.throttled(shop, requested);

    const context: ResolverContext = { shop, store: this.deps.store, bulk: this.deps.bulk };
    const result = await execute({
      schema,
      document: parsed.document,
      operationName: typeof body.operationName === "string" ? body.operationName : undefined,
      variableValues: coerced.coerced,
      contextValue: context,
      fieldResolver,
      typeResolver,
    });
    const actual = Math.min(requested, actualCost(schema, operation, parsed.fragments, coerced.coerced, result.data));
    // Shopify charges what the query actually cost: the unused part of the reservation flows back.
    shop.bucket.refund(requested - actual);
    shop.stats.pointsSpent += actual;
    const payload: Record<string, unknown> = {};
    if (result.errors?.length) payload.errors = result.errors.map((e) => e.toJSON());
    payload.data = result.data ?? null;
    payload.extensions = { cost: this.cost(shop, requested, actual) };
    return jsonReply(200, payload);
  }

  private faultReply(shop: ShopState, fault: Exclude<RequestFault, { kind: "slow" }>): HttpReply | undefined {
    switch (fault.kind) {
      case "http":
        if (fault.status === 429) return jsonReply(429, SHOPIFY_BODIES.tooManyRequests, { "Retry-After": "2.0" });
        if (fault.status === 502) return jsonReply(502, SHOPIFY_BODIES.badGateway);
        if (fault.status === 503) return jsonReply(503, SHOPIFY_BODIES.unavailable);
        return jsonReply(fault.status, SHOPIFY_BODIES.serverError);
      case "throttled":
        return this.throttled(shop, 0);
      case "locked":
        return jsonReply(423, SHOPIFY_BODIES.locked);
      case "unauthorized":
        return jsonReply(401, SHOPIFY_BODIES.invalidToken);
      case "accessDenied":
        return jsonReply(200, {
          errors: [
            {
              message: "Access denied for products field. Required access: `read_products` access scope.",
              extensions: {
                code: "ACCESS_DENIED",
                documentation: "https://shopify.dev/api/usage/access-scopes",
                requiredAccess: "`read_products` access scope.",
              },
            },
          ],
          data: null,
          extensions: { cost: this.cost(shop, 0, 0) },
        });
    }
  }

  private throttled(shop: ShopState, requested: number): HttpReply {
    shop.stats.throttled++;
    return jsonReply(200, {
      errors: [
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
        },
      ],
      extensions: { cost: this.cost(shop, requested, null) },
    });
  }

  private cost(shop: ShopState, requested: number, actual: number | null): CostExtension {
    return { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: shop.bucket.status() };
  }

  private parseAndValidate(source: string): ParsedDocument {
    const cached = this.documents.get(source);
    if (cached) return cached;
    let entry: ParsedDocument;
    try {
      const document = parse(source);
      const errors = validate(adminSchema(), document).map(formatValidationError);
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      entry = { document, errors, fragments };
    } catch (error) {
      entry = { errors: [formatSyntaxError(error)], fragments: {} };
    }
    if (this.documents.size >= DOCUMENT_CACHE_LIMIT) this.documents.clear();
    this.documents.set(source, entry);
    return entry;
  }
}

// Shopify tags validation errors with a camelCase code (undefinedField, argumentNotAccepted, ...); the app only
// needs the message and a code to log, so the common ones are named and the rest get a generic code.
function formatValidationError(error: GraphQLError): GraphQLFormattedError {
  const message = error.message;
  const code = /^Cannot query field/.test(message)
    ? "undefinedField"
    : /^Unknown argument/.test(message)
      ? "argumentNotAccepted"
      : /argument .* is required/.test(message)
        ? "missingRequiredArguments"
        : /^Unknown type/.test(message)
          ? "undefinedType"
          : /^Variable/.test(message)
            ? "variableMismatch"
            : "validationFailed";
  return { message, locations: error.locations, extensions: { code } };
}

function formatSyntaxError(error: unknown): GraphQLFormattedError {
  if (error instanceof GraphQLError)
    return { message: error.message, locations: error.locations, extensions: { code: "parseError" } };
  return { message: String(error) };
}
