import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { InternalError } from '@stylestream/errors';
import { StackError } from './stack-error';

const IMAGE_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

/**
 * The query image of the demo's search step: the first image (by sorted path)
 * under a `validation/` folder of `dir`, else the first image of `dir`.
 * Undefined when the folder holds none.
 */
export function pickQueryImage(dir: string): string | undefined {
  const images: string[] = [];
  const walk = (at: string, depth: number): void => {
    if (depth > 4 || images.length > 5_000) return;
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(at, e.name);
      if (e.isDirectory()) walk(path, depth + 1);
      else if (e.isFile() && IMAGE_TYPES[extname(e.name).toLowerCase()] !== undefined) images.push(path);
    }
  };
  walk(dir, 0);
  return images.find((p) => p.split(/[\\/]/).includes('validation')) ?? images[0];
}

/** One hit as the search API answers it (the fields the demo shows). */
export interface ImageSearchHit {
  id: string;
  score: number;
  uri?: string | null;
  labels?: Record<string, string[] | undefined>;
  dedupeStatus?: string | null;
}

export interface ImageSearchAnswer {
  hits: ImageSearchHit[];
  modelVersion?: string | null;
  partial: boolean;
  coverage: { shards: number; answered: number };
  tookMs: number;
}

/** POST /v1/search/image with the file as the multipart part `image`. A 4xx is a bug of the demo (InternalError); a 5xx or no answer is StackError. */
export async function searchByImage(searchUrl: string, apiKey: string, file: string, k = 5): Promise<ImageSearchAnswer> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(file)], { type: IMAGE_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' }), basename(file));
  form.append('k', String(k));
  const response = await fetch(`${searchUrl}/v1/search/image`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const problem = `POST ${searchUrl}/v1/search/image answered ${response.status}: ${text.slice(0, 300)}`;
  if (response.status >= 400 && response.status < 500) throw new InternalError(problem);
  if (!response.ok) throw new StackError(problem);
  return JSON.parse(text) as ImageSearchAnswer;
}
