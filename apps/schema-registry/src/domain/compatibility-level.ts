/** Confluent's compatibility levels; the registry default is BACKWARD. */
export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY_LEVEL: CompatibilityLevel = 'BACKWARD';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/** Which directions a level checks, and against which previous versions. */
export interface CompatibilityRule {
  /** The new schema must read data written with the previous schema(s). */
  readonly backward: boolean;
  /** The previous schema(s) must read data written with the new schema. */
  readonly forward: boolean;
  /** Check against every live previous version instead of only the latest. */
  readonly transitive: boolean;
}

export function ruleOf(level: CompatibilityLevel): CompatibilityRule {
  switch (level) {
    case 'NONE':
      return { backward: false, forward: false, transitive: false };
    case 'BACKWARD':
      return { backward: true, forward: false, transitive: false };
    case 'BACKWARD_TRANSITIVE':
      return { backward: true, forward: false, transitive: true };
    case 'FORWARD':
      return { backward: false, forward: true, transitive: false };
    case 'FORWARD_TRANSITIVE':
      return { backward: false, forward: true, transitive: true };
    case 'FULL':
      return { backward: true, forward: true, transitive: false };
    case 'FULL_TRANSITIVE':
      return { backward: true, forward: true, transitive: true };
  }
}
