import type { NextFunction, Request, Response } from 'express';
import type { ErrorBody } from './http-error.filter';
import type { ApiKeyVerifier } from './api-key.verifier';
import type { KeyRateLimiter } from './key-rate.limiter';

/**
 * Express middleware for the routes it is mounted on: 401 with the reason for
 * a missing or unknown `x-api-key`, then (with a limiter) 429 with
 * `Retry-After` when the key is over its rate. Mount it before body parsing,
 * so an unauthenticated or throttled client never makes the server read a body.
 */
export function apiKeyProtection(verifier: ApiKeyVerifier, limiter?: KeyRateLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers['x-api-key'];
    const reason = verifier.rejection(header);
    if (reason !== undefined) {
      const body: ErrorBody = { error: 'unauthorized', reason };
      res.status(401).json(body);
      return;
    }
    const decision = limiter?.take(String(Array.isArray(header) ? header[0] : header));
    if (decision !== undefined && !decision.admitted) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
      const body: ErrorBody = { error: 'rate_limited', reason: `API key over its rate limit; retry in ${decision.retryAfterMs} ms`, retriable: true };
      res.status(429).json(body);
      return;
    }
    next();
  };
}
