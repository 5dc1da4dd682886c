// What a loader's value becomes on its way to the browser: dates travel as ISO strings. Components declare their
// props as Serialized<the domain type> instead of restating its fields, so a field added to the domain type reaches
// the component's props in one place.
export type Serialized<T> = T extends Date
  ? string
  : T extends Array<infer Item>
    ? Serialized<Item>[]
    : T extends object
      ? { [Key in keyof T]: Serialized<T[Key]> }
      : T;
