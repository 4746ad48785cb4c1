#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench -- <name> [args]`: runs `bench/<name>.bench.ts` (compiled to
 * dist/bench/<name>.bench.js). A bench exports `run(args): Promise<void>` and
 * prints a JSON object with `"bench": <name>` as its last line.
 */
async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const file = name === undefined ? undefined : join(__dirname, `${name}.bench.js`);
  if (name === undefined || file === undefined || !/^[a-z0-9-]+$/.test(name) || !existsSync(file)) {
    process.stderr.write(`usage: npm run bench -- <name> [--quick]; no bench "${name ?? ''}"\n`);
    process.exit(2);
  }
  const bench = (await import(file)) as { run: (args: string[]) => Promise<void> };
  await bench.run(args);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
