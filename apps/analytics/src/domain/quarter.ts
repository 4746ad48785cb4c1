import { InvalidInputError } from '@stylestream/errors';

/** A calendar quarter in UTC, written `2025Q3`. */
export interface Quarter {
  readonly year: number;
  readonly q: 1 | 2 | 3 | 4;
}

const QUARTER = /^(\d{4})Q([1-4])$/;

export function formatQuarter(quarter: Quarter): string {
  return `${quarter.year}Q${quarter.q}`;
}

/** The quarter (UTC) of a timestamp in ms since the epoch. */
export function quarterOf(epochMs: number): string {
  const d = new Date(epochMs);
  return formatQuarter({ year: d.getUTCFullYear(), q: (Math.floor(d.getUTCMonth() / 3) + 1) as Quarter['q'] });
}

/** Parses `YYYYQn`; anything else is InvalidInputError naming `parameter`. */
export function parseQuarter(text: string, parameter = 'quarter'): Quarter {
  const match = QUARTER.exec(text);
  if (match === null) throw new InvalidInputError(`${parameter}: expected a quarter like 2025Q3, got ${JSON.stringify(text)}`, 'INVALID_QUARTER');
  return { year: Number(match[1]), q: Number(match[2]) as Quarter['q'] };
}

export function previousQuarter(quarter: Quarter): Quarter {
  return quarter.q === 1 ? { year: quarter.year - 1, q: 4 } : { year: quarter.year, q: (quarter.q - 1) as Quarter['q'] };
}
