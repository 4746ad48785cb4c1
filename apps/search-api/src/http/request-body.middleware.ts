import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer, { MulterError } from 'multer';
import type { BodyErrors, ErrorBody } from '@stylestream/http';

export interface UploadLimits {
  readonly maxBytes: number;
  readonly contentTypes: readonly string[];
  readonly maxJsonBytes: number;
}

const send = (res: Response, status: number, body: ErrorBody): void => {
  res.status(status).json(body);
};

/** The answers to a JSON body over the limit (413) and to one that is not JSON (400), for every route that reads one. */
export const searchJsonBodyErrors: BodyErrors = {
  tooLarge: (limit) => ({ error: 'payload_too_large', reason: `JSON body exceeds the limit of ${limit} bytes (SEARCH_MAX_JSON_BYTES)` }),
  invalid: (message) => ({ error: 'invalid_json', reason: `body is not valid JSON: ${message}` }),
};

/**
 * Body reading of the search endpoints, after the API-key check:
 * POST bodies are JSON (up to maxJsonBytes) or, for the image search,
 * multipart with one part `image` (up to maxBytes, a declared content type
 * from the allowlist) and text fields. Limits answer 413 / 415 / 400 with a
 * reason naming the limit, before anything is decoded.
 */
export function searchBodyParsers(limits: UploadLimits): RequestHandler[] {
  const json = express.json({ limit: limits.maxJsonBytes, type: ['application/json', 'application/*+json'] });
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limits.maxBytes, files: 1, fields: 20, fieldSize: 256 * 1024, parts: 21 },
    fileFilter: (_req, file, accept) => {
      if (limits.contentTypes.includes(file.mimetype)) accept(null, true);
      else accept(new UnsupportedUploadType(file.mimetype, limits.contentTypes));
    },
  }).single('image');

  const requireKnownType = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    const multipart = req.path === '/v1/search/image' && req.is('multipart/form-data') !== false;
    if (multipart || req.is(['application/json', 'application/*+json']) !== false) return next();
    send(res, 415, { error: 'unsupported_media_type', reason: req.path === '/v1/search/image' ? 'send multipart/form-data with an "image" part, or application/json {"url": ...}' : 'send the body as application/json' });
  };

  const multipartUpload = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || req.path !== '/v1/search/image' || req.is('multipart/form-data') === false) return next();
    upload(req, res, (err: unknown) => {
      if (err === undefined || err === null) return next();
      if (err instanceof UnsupportedUploadType) return send(res, 415, { error: 'unsupported_media_type', reason: err.message });
      if (err instanceof MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return send(res, 413, { error: 'payload_too_large', reason: `image exceeds the limit of ${limits.maxBytes} bytes (SEARCH_UPLOAD_MAX_BYTES)` });
        if (err.code === 'LIMIT_UNEXPECTED_FILE') return send(res, 400, { error: 'invalid_parameter', reason: `parameter "${err.field ?? 'file'}": unexpected file part; send one image as the part "image"` });
        return send(res, 400, { error: 'invalid_multipart', reason: `${err.message}${err.field === undefined ? '' : ` (part "${err.field}")`}` });
      }
      return send(res, 400, { error: 'invalid_multipart', reason: err instanceof Error ? err.message : 'unreadable multipart body' });
    });
  };

  const bodyErrors = (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const failure = err as { type?: unknown; status?: unknown; message?: unknown };
    if (typeof failure?.type !== 'string' || typeof failure.status !== 'number') return next(err);
    if (failure.type === 'entity.too.large') return send(res, 413, searchJsonBodyErrors.tooLarge(limits.maxJsonBytes));
    if (failure.type === 'entity.parse.failed') return send(res, 400, searchJsonBodyErrors.invalid(String(failure.message)));
    send(res, failure.status, { error: 'invalid_body', reason: String(failure.message) });
  };

  return [requireKnownType, multipartUpload, json, bodyErrors as unknown as RequestHandler];
}

class UnsupportedUploadType extends Error {
  constructor(type: string, allowed: readonly string[]) {
    super(`image content type "${type}" is not accepted; one of ${allowed.join(', ')} (SEARCH_UPLOAD_CONTENT_TYPES)`);
  }
}
