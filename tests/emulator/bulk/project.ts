import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { isConnectionType } from "../cost";
import { connectionSources, fieldResolvers, type ResolverContext } from "../resolvers";
import { nodeSelectionOf } from "./bulk-query";

// Runs one node's selection the way a bulk operation does: fields resolved with the same resolvers as GraphQL
// requests, but every connection unrolled into separate child lines instead of nested pages.

export interface ChildBatch {
  selection: SelectionSetNode;
  nodeType: GraphQLObjectType;
  nodes: Iterable<unknown>;
}

export interface Projector {
  // Returns the line's object (without nested connections) and appends the connections to unroll to `children`.
  project(selection: SelectionSetNode, type: GraphQLObjectType, value: unknown, children: ChildBatch[]): Record<string, unknown>;
  idOf(type: GraphQLObjectType, value: unknown): string;
}

export function createProjector(schema: GraphQLSchema, ctx: ResolverContext): Projector {
  const resolve = (type: GraphQLObjectType, field: FieldNode, value: unknown, args: Record<string, unknown>): unknown => {
    const fn = fieldResolvers[type.name]?.[field.name.value];
    if (fn) return fn(value as never, args, ctx);
    const record = value as Record<string, unknown>;
    return record[field.name.value];
  };

  const concrete = (type: GraphQLOutputType, value: unknown): GraphQLObjectType | null => {
    const named = getNamedType(type);
    if (isObjectType(named)) return named;
    if (isAbstractType(named)) {
      const kind = (value as { kind?: string }).kind;
      const resolved = kind ? schema.getType(kind) : undefined;
      return resolved && isObjectType(resolved) ? resolved : null;
    }
    return null;
  };

  const fieldsOf = (selection: SelectionSetNode, type: GraphQLObjectType, out: FieldNode[] = []): FieldNode[] => {
    for (const item of selection.selections) {
      if (item.kind === Kind.FIELD) out.push(item);
      else if (item.kind === Kind.INLINE_FRAGMENT) {
        const condition = item.typeCondition?.name.value;
        if (!condition || condition === type.name || type.getInterfaces().some((i) => i.name === condition)) fieldsOf(item.selectionSet, type, out);
      }
      // Named fragments are rare in bulk queries and Shopify documents none; the validation step accepts them,
      // so their fields are simply not projected.
    }
    return out;
  };

  const projector: Projector = {
    idOf(type, value) {
      return String(fieldResolvers[type.name]?.id?.(value as never, {}, ctx) ?? "");
    },
    project(selection, type, value, children) {
      const out: Record<string, unknown> = {};
      for (const field of fieldsOf(selection, type)) {
        const key = field.alias?.value ?? field.name.value;
        if (field.name.value === "__typename") {
          out[key] = type.name;
          continue;
        }
        const definition = type.getFields()[field.name.value];
        if (!definition) continue;
        const args = getArgumentValues(definition, field, {});
        const named = getNamedType(definition.type);
        if (isConnectionType(named)) {
          const source = connectionSources[type.name]?.[field.name.value];
          const node = nodeSelectionOf(field, named);
          if (!source || !node) continue;
          const items = source.list(value as never, args, ctx);
          const toNode = source.toNode;
          children.push({
            selection: node.selection,
            nodeType: node.type,
            nodes: toNode ? items.map((item) => toNode(item as never, value as never, ctx)) : items,
          });
          continue;
        }
        const raw = resolve(type, field, value, args);
        if (isLeafType(named) || raw === null || raw === undefined) {
          out[key] = raw ?? null;
          continue;
        }
        const inner = isNonNullType(definition.type) ? definition.type.ofType : definition.type;
        if (isListType(inner)) {
          out[key] = (raw as unknown[]).map((item) => {
            const itemType = item == null ? null : concrete(definition.type, item);
            return itemType && field.selectionSet ? projector.project(field.selectionSet, itemType, item, children) : null;
          });
        } else {
          const valueType = concrete(definition.type, raw);
          out[key] = valueType && field.selectionSet ? projector.project(field.selectionSet, valueType, raw, children) : null;
        }
      }
      return out;
    },
  };
  return projector;
}
