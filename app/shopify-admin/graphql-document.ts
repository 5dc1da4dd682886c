// A GraphQL document that carries its result and variables types, so `client.request(DOC, vars)` is typed
// without code generation. At run time it is the plain query string.
export type GraphqlDocument<TData, TVariables extends object = Record<string, never>> = string & {
  readonly __data?: TData;
  readonly __variables?: TVariables;
};

export function graphqlDocument<TData, TVariables extends object = Record<string, never>>(
  source: string,
): GraphqlDocument<TData, TVariables> {
  return source as GraphqlDocument<TData, TVariables>;
}

export type DataOf<D> = D extends GraphqlDocument<infer TData, object> ? TData : never;
export type VariablesOf<D> = D extends GraphqlDocument<unknown, infer TVariables> ? TVariables : never;
