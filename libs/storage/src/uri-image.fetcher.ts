import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '@stylestream/errors';
import { IMAGE_FETCH_CODES, ImageUnreachableError, imageFetchRejected } from './image-fetch.errors';
import { DEFAULT_IMAGE_FETCH_LIMITS, type ImageFetchLimits, type ImageFetcher } from './image-fetcher.port';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * ImageFetcher over the local file system and HTTP(S). Only timeouts, connection
 * errors and 5xx are retried here, `limits.attempts` times with doubling backoff;
 * everything else fails on the first try (see ImageFetcher for the error contract).
 */
export class UriImageFetcher implements ImageFetcher {
  constructor(
    private readonly limits: ImageFetchLimits = DEFAULT_IMAGE_FETCH_LIMITS,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {}

  async fetch(uri: string): Promise<Buffer> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch (err) {
      throw imageFetchRejected(IMAGE_FETCH_CODES.invalidUri, `not a valid URI: ${JSON.stringify(uri.slice(0, 200))}`, err);
    }
    switch (url.protocol) {
      case 'file:':
        return this.readFile(url);
      case 'http:':
      case 'https:':
        return this.fetchHttpWithRetries(url);
      default:
        throw imageFetchRejected(IMAGE_FETCH_CODES.unsupportedScheme, `unsupported URI scheme "${url.protocol.replace(/:$/, '')}" (file, http, https are supported)`);
    }
  }

  private async readFile(url: URL): Promise<Buffer> {
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch (err) {
      throw imageFetchRejected(IMAGE_FETCH_CODES.invalidUri, `not a local file URI: ${url.href}`, err);
    }
    let size: number;
    try {
      const stat = await fs.stat(path);
      if (!stat.isFile()) throw imageFetchRejected(IMAGE_FETCH_CODES.notFound, `${path} is not a regular file`);
      size = stat.size;
    } catch (err) {
      if (err instanceof InvalidInputError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw imageFetchRejected(IMAGE_FETCH_CODES.notFound, `no such file: ${path}`, err);
      throw imageFetchRejected(IMAGE_FETCH_CODES.rejected, `cannot read ${path}: ${code ?? String(err)}`, err);
    }
    this.checkSize(size, url.href);
    const bytes = await fs.readFile(path);
    this.checkSize(bytes.length, url.href);
    return bytes;
  }

  private checkSize(size: number, uri: string): void {
    if (size === 0) throw imageFetchRejected(IMAGE_FETCH_CODES.empty, `${uri} is empty (0 bytes)`);
    if (size > this.limits.maxBytes) throw imageFetchRejected(IMAGE_FETCH_CODES.tooLarge, `${uri} is ${size} bytes, over the ${this.limits.maxBytes}-byte limit`);
  }

  private async fetchHttpWithRetries(url: URL): Promise<Buffer> {
    let delay = this.limits.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const bytes = await this.fetchHttpOnce(url);
        this.checkSize(bytes.length, url.href);
        return bytes;
      } catch (err) {
        if (!(err instanceof ImageUnreachableError) || attempt >= this.limits.attempts) throw err;
        await this.wait(delay);
        delay = Math.min(this.limits.maxBackoffMs, delay * 2);
      }
    }
  }

  private fetchHttpOnce(url: URL): Promise<Buffer> {
    const { maxBytes, timeoutMs } = this.limits;
    const get = url.protocol === 'https:' ? https.get : http.get;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, body?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          request.destroy();
          reject(err);
        } else resolve(body as Buffer);
      };
      const request = get(url, { headers: { accept: 'image/*' } }, (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 500) return finish(new ImageUnreachableError(url.href, `HTTP ${status}`));
        if (status === 404 || status === 410) return finish(imageFetchRejected(IMAGE_FETCH_CODES.notFound, `${url.href}: HTTP ${status}`));
        if (status < 200 || status >= 300) return finish(imageFetchRejected(IMAGE_FETCH_CODES.rejected, `${url.href}: HTTP ${status} (redirects are not followed)`));
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          return finish(imageFetchRejected(IMAGE_FETCH_CODES.tooLarge, `${url.href} declares ${declared} bytes, over the ${maxBytes}-byte limit`));
        }
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBytes) finish(imageFetchRejected(IMAGE_FETCH_CODES.tooLarge, `${url.href} sent more than the ${maxBytes}-byte limit`));
          else chunks.push(chunk);
        });
        response.on('end', () => finish(undefined, Buffer.concat(chunks)));
        response.on('error', (err) => finish(new ImageUnreachableError(url.href, 'response aborted', err)));
        response.on('aborted', () => finish(new ImageUnreachableError(url.href, 'response aborted')));
      });
      request.on('error', (err) => finish(new ImageUnreachableError(url.href, `request failed: ${err.message}`, err)));
      const timer = setTimeout(() => finish(new ImageUnreachableError(url.href, `timed out after ${timeoutMs} ms`)), timeoutMs);
    });
  }
}
