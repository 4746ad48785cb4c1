/** Injection token of the SchemaLog port. */
export const SCHEMA_LOG = Symbol('SCHEMA_LOG');
