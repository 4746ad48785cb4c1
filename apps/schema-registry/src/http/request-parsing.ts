import { registryErrors } from '../domain/registry-errors';
import type { SchemaInput } from '../domain/registry.service';

/** The JSON body of register / lookup / compatibility requests. */
export function schemaInputOf(body: unknown): SchemaInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw registryErrors.invalidSchema('request body must be a JSON object with a "schema" field');
  }
  const { schema, schemaType, references } = body as Record<string, unknown>;
  return { schema, schemaType, references };
}

export function flag(value: string | undefined): boolean {
  return value === 'true';
}

export function schemaIdOf(text: string): number {
  if (!/^\d+$/.test(text)) throw registryErrors.schemaNotFound(`Schema ${text} not found`);
  return Number(text);
}
