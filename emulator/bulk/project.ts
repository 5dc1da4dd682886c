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
import { connectionSources, fieldResolvers, type ConnectionSource, type ResolverContext } from "../resolvers";
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
  project(
    selection: SelectionSetNode,
    type: GraphQLObjectType,
    value: unknown,
    children: ChildBatch[],
  ): Record<string, unknown>;
  idOf(type: GraphQLObjectType, value: unknown): string;
}

export function createProjector(schema: GraphQLSchema, ctx: ResolverContext): Projector {
  const resolve = (
    type: GraphQLObjectType,
    field: FieldNode,
    value: unknown,
    args: Record<string, unknown>,
  ): unknown => {
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
        if (!condition || condition === type.name || type.getInterfaces().some((i) => i.name === condition))
          fieldsOf(item.selectionSet, type, out);
      }
      // Named fragments are rare in bulk queries and Shopify documents none; the validation step accepts them,
      // so their fields are simply not projected.
    }
    return out;
  };

  // Compiled once per (selection, type): a bulk export visits the same selection hundreds of thousands of times.
  type Compiled =
    | { kind: "typename"; key: string }
    | {
        kind: "connection";
        source: ConnectionSource;
        args: Record<string, unknown>;
        selection: SelectionSetNode;
        nodeType: GraphQLObjectType;
      }
    | {
        kind: "value";
        key: string;
        field: FieldNode;
        args: Record<string, unknown>;
        leaf: boolean;
        list: boolean;
        type: GraphQLOutputType;
      };
  const compiled = new WeakMap<SelectionSetNode, Map<string, Compiled[]>>();
  const compile = (selection: SelectionSetNode, type: GraphQLObjectType): Compiled[] => {
    let byType = compiled.get(selection);
    if (!byType) compiled.set(selection, (byType = new Map()));
    const cached = byType.get(type.name);
    if (cached) return cached;
    const plan: Compiled[] = [];
    for (const field of fieldsOf(selection, type)) {
      const key = field.alias?.value ?? field.name.value;
      if (field.name.value === "__typename") {
        plan.push({ kind: "typename", key });
        continue;
      }
      const definition = type.getFields()[field.name.value];
      if (!definition) continue;
      const args = getArgumentValues(definition, field, {});
      const named = getNamedType(definition.type);
      if (isConnectionType(named)) {
        const source = connectionSources[type.name]?.[field.name.value];
        const node = nodeSelectionOf(field, named);
        if (source && node)
          plan.push({ kind: "connection", source, args, selection: node.selection, nodeType: node.type });
        continue;
      }
      const inner = isNonNullType(definition.type) ? definition.type.ofType : definition.type;
      plan.push({
        kind: "value",
        key,
        field,
        args,
        leaf: isLeafType(named),
        list: isListType(inner),
        type: definition.type,
      });
    }
    byType.set(type.name, plan);
    return plan;
  };

  const projector: Projector = {
    idOf(type, value) {
      return String(fieldResolvers[type.name]?.id?.(value as never, {}, ctx) ?? "");
    },
    project(selection, type, value, children) {
      const out: Record<string, unknown> = {};
      for (const step of compile(selection, type)) {
        if (step.kind === "typename") {
          out[step.key] = type.name;
          continue;
        }
        if (step.kind === "connection") {
          const items = step.source.list(value as never, step.args, ctx);
          const toNode = step.source.toNode;
          children.push({
            selection: step.selection,
            nodeType: step.nodeType,
            nodes: toNode ? items.map((item) => toNode(item as never, value as never, ctx)) : items,
          });
          continue;
        }
        const raw = resolve(type, step.field, value, step.args);
        if (step.leaf || raw === null || raw === undefined) {
          out[step.key] = raw ?? null;
          continue;
        }
        const sub = step.field.selectionSet;
        if (step.list) {
          out[step.key] = (raw as unknown[]).map((item) => {
            const itemType = item == null ? null : concrete(step.type, item);
            return itemType && sub ? projector.project(sub, itemType, item, children) : null;
          });
        } else {
          const valueType = concrete(step.type, raw);
          out[step.key] = valueType && sub ? projector.project(sub, valueType, raw, children) : null;
        }
      }
      return out;
    },
  };
  return projector;
}
