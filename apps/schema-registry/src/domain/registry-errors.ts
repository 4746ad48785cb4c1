import { StyleStreamError } from '@stylestream/errors';

/**
 * An error answered to a registry client as `{"error_code": N, "message": "..."}`
 * with Confluent's codes; `httpStatus` is the HTTP status it travels with.
 */
export class RegistryError extends StyleStreamError {
  readonly code: string;
  constructor(
    readonly httpStatus: number,
    readonly errorCode: number,
    message: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options);
    this.code = `REGISTRY_${errorCode}`;
  }
}

export const registryErrors = {
  subjectNotFound: (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (subject: string, version: string | number) =>
    new RegistryError(404, 40402, `Version ${version} not found for subject '${subject}'.`),
  schemaNotFound: (detail = 'Schema not found') => new RegistryError(404, 40403, detail),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(404, 40404, `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      404,
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectLevelNotConfigured: (subject: string) =>
    new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  incompatible: (detail: string) =>
    new RegistryError(409, 409, `Schema being registered is incompatible with an earlier schema for subject; ${detail}`),
  invalidSchema: (detail: string, cause?: unknown) =>
    new RegistryError(422, 42201, `Invalid schema: ${detail}`, { cause }),
  invalidVersion: (version: string) =>
    new RegistryError(
      422,
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: (level: unknown) =>
    new RegistryError(422, 42203, `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive (got ${JSON.stringify(level)})`),
  backend: (detail: string, cause?: unknown) =>
    new RegistryError(500, 50001, `Error in the backend data store: ${detail}`, { retriable: true, cause }),
  timeout: (detail: string, cause?: unknown) =>
    new RegistryError(500, 50002, `Operation timed out: ${detail}`, { retriable: true, cause }),
  unauthorized: () => new RegistryError(401, 401, 'Unauthorized'),
  badRequest: (detail: string) => new RegistryError(400, 400, detail),
};
