import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyVerifier } from '@stylestream/http';

export { ApiKeyVerifier };

/** Injection token: the accepted API keys (INGEST_API_KEYS). */
export const INGEST_API_KEYS = Symbol('INGEST_API_KEYS');

/** Admits a request whose `x-api-key` is a configured key; else 401 with the reason. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly verifier: ApiKeyVerifier;

  constructor(@Inject(INGEST_API_KEYS) keys: readonly string[]) {
    this.verifier = new ApiKeyVerifier(keys);
  }

  canActivate(context: ExecutionContext): boolean {
    const reason = this.verifier.rejection(context.switchToHttp().getRequest<Request>().headers['x-api-key']);
    if (reason !== undefined) throw new UnauthorizedException({ error: 'unauthorized', reason });
    return true;
  }
}
