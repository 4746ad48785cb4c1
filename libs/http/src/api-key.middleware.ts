import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { FastRejection } from './fast-json.route';
import type { ApiKeyVerifier } from './api-key.verifier';
import type { KeyRateLimiter } from './key-rate.limiter';

/**
 * Express middleware for the routes it is mounted on: 401 with the reason for
 * a missing or unknown `x-api-key`, then (with a limiter) 429 with
 * `Retry-After` when the key is over its rate. Mount it before body parsing,
 * so an unauthenticated or throttled client never makes the server read a body.
 */
export function apiKeyProtection(verifier: ApiKeyVerifier, limiter?: KeyRateLimiter) {
  const check = apiKeyCheck(verifier, limiter);
  return (req: Request, res: Response, next: NextFunction): void => {
    const rejection = check(req.headers);
    if (rejection === undefined) {
      next();
      return;
    }
    for (const [name, value] of Object.entries(rejection.headers ?? {})) res.setHeader(name, value);
    res.status(rejection.status).json(rejection.body);
  };
}

/** The same decision for a request's headers: undefined when admitted (the rate limiter's token is then taken). */
export function apiKeyCheck(verifier: ApiKeyVerifier, limiter?: KeyRateLimiter): (headers: IncomingHttpHeaders) => FastRejection | undefined {
  return (headers) => {
    const header = headers['x-api-key'];
    const reason = verifier.rejection(header);
    if (reason !== undefined) return { status: 401, body: { error: 'unauthorized', reason } };
    const decision = limiter?.take(String(Array.isArray(header) ? header[0] : header));
    if (decision !== undefined && !decision.admitted) {
      return {
        status: 429,
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) },
        body: { error: 'rate_limited', reason: `API key over its rate limit; retry in ${decision.retryAfterMs} ms`, retriable: true },
      };
    }
    return undefined;
  };
}
