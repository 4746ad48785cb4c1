import { DependencyUnavailableError, InvalidInputError, reasonOf } from '@stylestream/errors';
import type { ShardOwnerClient, StoredVector } from './shard-owner.port';

/** The image is in no answering owner's index. */
export class ImageNotIndexedError extends InvalidInputError {
  constructor(imageId: string) {
    super(`image "${imageId}" is not in the vector index`, 'IMAGE_NOT_INDEXED');
  }
}

/**
 * Asks every owner for an image's stored vector at once (each bounded by
 * `deadlineMs`) and resolves with the first one found. Throws
 * ImageNotIndexedError when every owner answered without it, and
 * DependencyUnavailableError when it was not found but some owner did not
 * answer (it may hold the image).
 */
export async function findStoredVector(client: ShardOwnerClient, owners: readonly string[], imageId: string, modelVersion: string | undefined, deadlineMs: number): Promise<StoredVector> {
  const controllers = owners.map(() => new AbortController());
  const timers = controllers.map((c) => setTimeout(() => c.abort(), deadlineMs));
  const failures: string[] = [];
  try {
    const found = await new Promise<StoredVector | undefined>((resolve) => {
      let pending = owners.length;
      if (pending === 0) resolve(undefined);
      owners.forEach((owner, i) => {
        const signal = (controllers[i]).signal;
        client.vector(owner, imageId, modelVersion, signal).then(
          (v) => {
            if (v !== undefined) resolve(v);
            else if (--pending === 0) resolve(undefined);
          },
          (err: unknown) => {
            failures.push(`${owner}: ${signal.aborted ? `no answer within ${deadlineMs} ms` : reasonOf(err)}`);
            if (--pending === 0) resolve(undefined);
          },
        );
      });
    });
    if (found !== undefined) return found;
    if (failures.length > 0) throw new DependencyUnavailableError('shard owners', `image "${imageId}" not found on the owners that answered; ${failures.join('; ')}`);
    throw new ImageNotIndexedError(imageId);
  } finally {
    timers.forEach(clearTimeout);
    controllers.forEach((c) => c.abort());
  }
}
