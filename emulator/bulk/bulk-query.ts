import {
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type GraphQLObjectType,
  type SelectionSetNode,
} from "graphql";
import { isConnectionType } from "../cost";
import { adminSchema } from "../schema";

// The rules Shopify applies to a bulk query before accepting it (SHOPIFY.md): a valid query whose root is a
// connection, at most five connections, nested at most two deep.

export const MAX_BULK_CONNECTIONS = 5;
export const MAX_BULK_CONNECTION_DEPTH = 2;

export interface BulkQueryPlan {
  rootField: FieldNode;
  rootFieldName: string;
  // The selection of one root node, from `edges { node { ... } }` or `nodes { ... }`.
  nodeSelection: SelectionSetNode;
  nodeType: GraphQLObjectType;
}

export type BulkQueryCheck = { ok: true; plan: BulkQueryPlan } | { ok: false; message: string };

export function checkBulkQuery(source: string): BulkQueryCheck {
  const schema = adminSchema();
  let document;
  try {
    document = parse(source);
  } catch (error) {
    return { ok: false, message: `Invalid bulk query: ${(error as Error).message}` };
  }
  const errors = validate(schema, document);
  if (errors.length > 0)
    return { ok: false, message: `Invalid bulk query: ${errors.map((e) => e.message).join("; ")}` };
  const operation = getOperationAST(document);
  if (!operation || operation.operation !== "query")
    return { ok: false, message: "Invalid bulk query: a bulk query must be a single query operation" };
  const rootFields = operation.selectionSet.selections.filter(
    (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== "__typename",
  );
  if (rootFields.length !== 1 || operation.selectionSet.selections.length !== rootFields.length) {
    return { ok: false, message: "Invalid bulk query: bulk queries must have exactly one top-level field" };
  }
  const rootField = rootFields[0];
  const rootDefinition = schema.getQueryType()!.getFields()[rootField.name.value];
  const rootType = getNamedType(rootDefinition.type);
  if (!isConnectionType(rootType)) return { ok: false, message: "Bulk queries must contain at least one connection." };

  const stats = { connections: 0, depth: 0 };
  walkConnections(rootField.selectionSet, rootType, 1, stats);
  stats.connections += 1;
  if (stats.connections > MAX_BULK_CONNECTIONS) {
    return { ok: false, message: `Bulk queries cannot contain more than ${MAX_BULK_CONNECTIONS} connections.` };
  }
  if (stats.depth + 1 > MAX_BULK_CONNECTION_DEPTH) {
    return {
      ok: false,
      message: `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_BULK_CONNECTION_DEPTH}.`,
    };
  }
  const node = nodeSelectionOf(rootField, rootType);
  if (!node)
    return { ok: false, message: "Invalid bulk query: the root connection must select edges { node } or nodes" };
  return {
    ok: true,
    plan: { rootField, rootFieldName: rootField.name.value, nodeSelection: node.selection, nodeType: node.type },
  };
}

export function nodeSelectionOf(
  field: FieldNode,
  connectionType: GraphQLObjectType,
): { selection: SelectionSetNode; type: GraphQLObjectType } | null {
  const nodesType = getNamedType(connectionType.getFields().nodes?.type);
  const edgeType = getNamedType(connectionType.getFields().edges.type) as GraphQLObjectType;
  const edgeNodeType = getNamedType(edgeType.getFields().node.type);
  for (const selection of field.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    if (selection.name.value === "nodes" && isObjectType(nodesType))
      return { selection: selection.selectionSet, type: nodesType };
    if (selection.name.value === "edges") {
      for (const inner of selection.selectionSet.selections) {
        if (
          inner.kind === Kind.FIELD &&
          inner.name.value === "node" &&
          inner.selectionSet &&
          isObjectType(edgeNodeType)
        ) {
          return { selection: inner.selectionSet, type: edgeNodeType };
        }
      }
    }
  }
  return null;
}

// Counts connections below the root and the deepest nesting of connections under it.
function walkConnections(
  selectionSet: SelectionSetNode | undefined,
  parentType: GraphQLObjectType,
  depth: number,
  stats: { connections: number; depth: number },
): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    const definition = parentType.getFields()[selection.name.value];
    if (!definition) continue;
    const type = getNamedType(definition.type);
    if (!isObjectType(type)) continue;
    const isConnection =
      isConnectionType(type) && !(parentType.name.endsWith("Connection") || parentType.name.endsWith("Edge"));
    if (isConnection && depth > 0 && parentType !== type) {
      // A connection under a connection's node.
      stats.connections++;
      stats.depth = Math.max(stats.depth, depth);
      walkConnections(selection.selectionSet, type, depth + 1, stats);
    } else {
      walkConnections(selection.selectionSet, type, depth, stats);
    }
  }
}
