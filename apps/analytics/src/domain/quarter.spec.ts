import { InvalidInputError } from '@stylestream/errors';
import { formatQuarter, parseQuarter, previousQuarter, quarterOf } from './quarter';

describe('quarter', () => {
  it('maps timestamps to UTC quarters', () => {
    expect(quarterOf(Date.UTC(2025, 0, 1))).toBe('2025Q1');
    expect(quarterOf(Date.UTC(2025, 2, 31, 23, 59, 59))).toBe('2025Q1');
    expect(quarterOf(Date.UTC(2025, 3, 1))).toBe('2025Q2');
    expect(quarterOf(Date.UTC(2025, 11, 31))).toBe('2025Q4');
  });

  it('parses, formats and steps back across years', () => {
    expect(formatQuarter(previousQuarter(parseQuarter('2025Q1')))).toBe('2024Q4');
    expect(formatQuarter(previousQuarter(parseQuarter('2025Q3')))).toBe('2025Q2');
  });

  it('rejects malformed quarters naming the parameter', () => {
    expect(() => parseQuarter('2025Q5', 'quarter')).toThrow(InvalidInputError);
    expect(() => parseQuarter('25Q1', 'from')).toThrow(/^from:/);
  });
});
