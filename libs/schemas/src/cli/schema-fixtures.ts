import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../contracts/repo-root';

/** One fixture case: `test/fixtures/schemas/<expected>/<name>/{old,new}.avsc`. */
export interface SchemaFixtureCase {
  name: string;
  expected: 'compatible' | 'incompatible';
  oldSchema: string;
  newSchema: string;
}

/** All compatibility fixture cases (compact JSON schema texts). */
export function loadSchemaFixtures(dir: string = join(findRepoRoot(), 'test', 'fixtures', 'schemas')): SchemaFixtureCase[] {
  const cases: SchemaFixtureCase[] = [];
  for (const expected of ['compatible', 'incompatible'] as const) {
    for (const name of readdirSync(join(dir, expected)).sort()) {
      const read = (file: string): string => JSON.stringify(JSON.parse(readFileSync(join(dir, expected, name, file), 'utf8')));
      cases.push({ name, expected, oldSchema: read('old.avsc'), newSchema: read('new.avsc') });
    }
  }
  return cases;
}
