import type * as avro from 'avsc';
import { CompatibilityLevel, ruleOf } from './compatibility-level';

/** Whether data written with `writer` can be read with `reader` (Avro schema resolution). */
export function readProblem(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A previous live version the new schema is checked against. */
export interface PreviousVersion {
  readonly version: number;
  readonly type: avro.Type;
}

/**
 * Checks `candidate` against `previous` (live versions, oldest first) under
 * `level`. BACKWARD: the candidate reads data written with the latest
 * version (TRANSITIVE: with every version). FORWARD: the latest (every)
 * version reads data written with the candidate. FULL: both.
 * Returns one message per violation; empty means compatible.
 */
export function compatibilityProblems(
  candidate: avro.Type,
  previous: readonly PreviousVersion[],
  level: CompatibilityLevel,
): string[] {
  const rule = ruleOf(level);
  const against = rule.transitive ? previous : previous.slice(-1);
  const problems: string[] = [];
  for (const old of against) {
    if (rule.backward) {
      const problem = readProblem(candidate, old.type);
      if (problem !== undefined) problems.push(`new schema cannot read data written with version ${old.version} (${level}): ${problem}`);
    }
    if (rule.forward) {
      const problem = readProblem(old.type, candidate);
      if (problem !== undefined) problems.push(`version ${old.version} cannot read data written with the new schema (${level}): ${problem}`);
    }
  }
  return problems;
}
