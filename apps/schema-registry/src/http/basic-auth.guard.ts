import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { registryErrors } from '../domain/registry-errors';

/** Paths open without credentials: the stack's health probe and Prometheus. */
const OPEN_PATHS = new Set(['/health', '/metrics']);

/**
 * HTTP basic auth over a fixed list of `user:password` entries. An empty list
 * turns auth off. Answers 401 with a WWW-Authenticate challenge otherwise.
 */
@Injectable()
export class BasicAuthGuard implements CanActivate {
  private readonly accepted: Buffer[];

  constructor(credentials: readonly string[]) {
    this.accepted = credentials.map((c) => Buffer.from(c, 'utf8'));
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.accepted.length === 0) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (OPEN_PATHS.has(request.path)) return true;
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    if (match !== null) {
      const given = Buffer.from(match[1], 'base64');
      if (this.accepted.some((c) => c.length === given.length && timingSafeEqual(c, given))) return true;
    }
    context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', 'Basic realm="schema-registry"');
    throw registryErrors.unauthorized();
  }
}
