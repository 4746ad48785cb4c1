import { readdirSync, readFileSync } from 'node:fs';
import { avroSchemasDir } from './repo-root';

interface Node {
  type?: unknown;
  name?: string;
  doc?: unknown;
  fields?: Node[];
  items?: unknown;
  values?: unknown;
}

/** Collects "<file>:<path>" of every record field and named type that lacks a non-empty doc. */
function undocumented(node: unknown, path: string, out: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((branch) => undocumented(branch, path, out));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as Node;
  const named = n.type === 'record' || n.type === 'enum' || n.type === 'fixed';
  if (named && !(typeof n.doc === 'string' && n.doc.trim().length > 0)) out.push(`${path} (type ${String(n.name)})`);
  for (const field of n.fields ?? []) {
    const fieldPath = `${path}.${String(field.name)}`;
    if (!(typeof field.doc === 'string' && field.doc.trim().length > 0)) out.push(fieldPath);
    undocumented(field.type, fieldPath, out);
  }
  undocumented(n.type, path, out);
  undocumented(n.items, `${path}[]`, out);
  undocumented(n.values, `${path}{}`, out);
}

describe('schemas/avro documentation', () => {
  const files = readdirSync(avroSchemasDir()).filter((f) => f.endsWith('.avsc'));

  it('has the five contracts', () => {
    expect(files.sort()).toEqual(['dead-letter.avsc', 'image-arrived.avsc', 'index-updated.avsc', 'vector-cleaned.avsc', 'vector-extracted.avsc']);
  });

  it.each(files)('%s: every field and named type has a doc', (file) => {
    const missing: string[] = [];
    undocumented(JSON.parse(readFileSync(`${avroSchemasDir()}/${file}`, 'utf8')), file, missing);
    expect(missing).toEqual([]);
  });

  it.each(files)('%s: every optional (null-first union) field defaults to null', (file) => {
    const schema = JSON.parse(readFileSync(`${avroSchemasDir()}/${file}`, 'utf8')) as Node;
    const bad: string[] = [];
    const visit = (n: Node, path: string): void => {
      for (const field of n.fields ?? []) {
        const t = field.type;
        if (Array.isArray(t) && t.includes('null') && !(t[0] === 'null' && 'default' in field && (field as { default: unknown }).default === null)) bad.push(`${path}.${String(field.name)}`);
        const nested: unknown[] = Array.isArray(t) ? t : [t, (t as Node | undefined)?.items];
        for (const sub of nested) if (typeof sub === 'object' && sub !== null) visit(sub, `${path}.${String(field.name)}`);
      }
    };
    visit(schema, file);
    expect(bad).toEqual([]);
  });
});
