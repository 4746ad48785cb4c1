import { callCostNsPerItem, extractorCallSequence } from './metric-call-cost';

describe('callCostNsPerItem', () => {
  it('measures a positive cost for the extractor sequence and grows with the work per item', () => {
    const sequence = extractorCallSequence();
    const cost = callCostNsPerItem(sequence, 8, 4_000, 3);
    expect(cost).toBeGreaterThan(0);
    const fourTimes = { name: 'four times', batch: (n: number) => [1, 2, 3, 4].forEach(() => sequence.batch(n)) };
    // Four times the calls cost more than once, whatever the speed of the machine.
    expect(callCostNsPerItem(fourTimes, 8, 4_000, 3)).toBeGreaterThan(cost);
  });
});
