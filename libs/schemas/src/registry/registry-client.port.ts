import type * as avro from 'avsc';

/**
 * The two registry calls the gateway needs. The production adapter
 * (libraryRegistryClient) wraps @kafkajs/confluent-schema-registry; unit tests
 * pass a fake. Implementations reject with the underlying client's errors
 * (objects with an HTTP `status`, see mapRegistryError); the gateway maps them.
 */
export interface RegistryClientPort {
  /** Registers `schemaJson` (Avro) under `subject` (POST /subjects/{subject}/versions) and resolves its global id; same schema → same id. */
  register(subject: string, schemaJson: string): Promise<number>;
  /** The writer schema of a global id (GET /schemas/ids/{id}) as an avsc Type; rejects with status 404 for an unknown id. */
  getAvroType(schemaId: number): Promise<avro.Type>;
}
