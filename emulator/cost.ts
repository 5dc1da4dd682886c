import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLInterfaceType,
  getArgumentValues,
} from "graphql";

// Shopify's query cost rules (SHOPIFY.md): scalars and enums 0, each object 1, a connection `first`/`last` x the
// cost of one node + 2, a mutation 10. The same walk gives the requested cost (sizes from the arguments) and the
// actual cost (sizes from the response).

export const MAX_QUERY_COST = 1_000;
const MUTATION_COST = 10;
const CONNECTION_OVERHEAD = 2;

interface CostWalk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields();
}

export function requestedCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (operation.operation === "mutation") return MUTATION_COST * countRootFields(operation.selectionSet, fragments);
  const root = schema.getQueryType();
  if (!root) return 0;
  return selectionCost({ schema, fragments, variables }, operation.selectionSet, root, undefined);
}

export function actualCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  data: unknown,
): number {
  if (operation.operation === "mutation") return MUTATION_COST * countRootFields(operation.selectionSet, fragments);
  const root = schema.getQueryType();
  if (!root || data === null || data === undefined) return 0;
  return selectionCost({ schema, fragments, variables }, operation.selectionSet, root, data as Record<string, unknown>);
}

function countRootFields(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): number {
  let count = 0;
  for (const { field } of collectFields(selectionSet, fragments, null)) if (field.name.value !== "__typename") count++;
  return Math.max(1, count);
}

interface CollectedField {
  field: FieldNode;
  // The type condition of the fragment the field came from, if any.
  typeCondition: string | null;
}

function collectFields(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  typeCondition: string | null,
  out: CollectedField[] = [],
): CollectedField[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) out.push({ field: selection, typeCondition });
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, fragments, selection.typeCondition?.name.value ?? typeCondition, out);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment) collectFields(fragment.selectionSet, fragments, fragment.typeCondition.name.value, out);
    }
  }
  return out;
}

// On an abstract type only one concrete branch applies per object, so the cost takes the dearest. (With data, a
// branch that did not apply finds no values and costs 0.)
function selectionCost(
  walk: CostWalk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLObjectType | GraphQLInterfaceType | GraphQLNamedType,
  data: Record<string, unknown> | undefined,
): number {
  const fields = collectFields(selectionSet, walk.fragments, null);
  const branches = new Map<string, number>();
  let shared = 0;
  for (const { field, typeCondition } of fields) {
    const fieldParent = typeCondition ? (walk.schema.getType(typeCondition) ?? parentType) : parentType;
    const cost = fieldCost(walk, field, fieldParent, data);
    if (!typeCondition || typeCondition === parentType.name || !isAbstractType(parentType)) shared += cost;
    else branches.set(typeCondition, (branches.get(typeCondition) ?? 0) + cost);
  }
  return shared + (branches.size ? Math.max(...branches.values()) : 0);
}

function fieldCost(
  walk: CostWalk,
  field: FieldNode,
  parentType: GraphQLNamedType,
  data: Record<string, unknown> | undefined,
): number {
  if (field.name.value === "__typename" || !("getFields" in parentType)) return 0;
  const definition = (parentType.getFields() as Record<string, GraphQLField<unknown, unknown>>)[field.name.value];
  if (!definition) return 0;
  const named = getNamedType(definition.type);
  if (isLeafType(named)) return 0;
  const responseKey = field.alias?.value ?? field.name.value;
  const value = data ? data[responseKey] : undefined;
  if (data && (value === null || value === undefined)) return 0;
  const args = argumentsOf(walk, definition, field);

  if (isConnectionType(named)) {
    const nodeType = getNamedType(named.getFields().nodes?.type ?? named.getFields().edges.type);
    const edgeNodeType =
      isObjectType(nodeType) && nodeType.name.endsWith("Edge")
        ? getNamedType(nodeType.getFields().node.type)
        : nodeType;
    const perNode = (item: Record<string, unknown> | undefined) => connectionNodeCost(walk, field, edgeNodeType, item);
    if (data) {
      const connection = value as {
        edges?: Array<{ node?: Record<string, unknown> }>;
        nodes?: Array<Record<string, unknown>>;
      };
      const items = connection.nodes ?? connection.edges?.map((edge) => edge.node ?? {}) ?? [];
      return CONNECTION_OVERHEAD + items.reduce((sum, item) => sum + perNode(item), 0);
    }
    const size = Number(args.first ?? args.last ?? 0);
    return CONNECTION_OVERHEAD + size * perNode(undefined);
  }

  const objectCost = (item: Record<string, unknown> | undefined) =>
    1 + (field.selectionSet ? selectionCost(walk, field.selectionSet, named, item) : 0);
  if (isListOfObjects(definition.type)) {
    if (data)
      return (value as Array<Record<string, unknown> | null>).reduce(
        (sum, item) => sum + (item ? objectCost(item) : 0),
        0,
      );
    const sizeHint = Object.values(args).find(Array.isArray) as unknown[] | undefined;
    return (sizeHint?.length ?? 1) * objectCost(undefined);
  }
  return objectCost(data ? (value as Record<string, unknown>) : undefined);
}

// A connection's node costs 1 plus its own selection, whether selected through `edges { node }` or `nodes`;
// selecting both is charged once.
function connectionNodeCost(
  walk: CostWalk,
  connectionField: FieldNode,
  nodeType: GraphQLNamedType,
  item: Record<string, unknown> | undefined,
): number {
  let dearest = 0;
  for (const { field } of collectFields(
    connectionField.selectionSet ?? { kind: Kind.SELECTION_SET, selections: [] },
    walk.fragments,
    null,
  )) {
    if (field.name.value === "nodes" && field.selectionSet) {
      dearest = Math.max(dearest, 1 + selectionCost(walk, field.selectionSet, nodeType, item));
    } else if (field.name.value === "edges" && field.selectionSet) {
      for (const { field: edgeField } of collectFields(field.selectionSet, walk.fragments, null)) {
        if (edgeField.name.value === "node" && edgeField.selectionSet) {
          dearest = Math.max(dearest, 1 + selectionCost(walk, edgeField.selectionSet, nodeType, item));
        }
      }
    }
  }
  return Math.max(1, dearest);
}

function isListOfObjects(type: GraphQLType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner) && !isLeafType(getNamedType(inner));
}

function argumentsOf(
  walk: CostWalk,
  definition: GraphQLField<unknown, unknown>,
  field: FieldNode,
): Record<string, unknown> {
  try {
    return getArgumentValues(definition, field, walk.variables);
  } catch {
    // Invalid arguments are reported by execution; for the estimate they count as absent.
    return {};
  }
}
