import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  allContracts,
  deadLetterContract,
  deadLetterContractFor,
  findRepoRoot,
  imageArrivedContract,
  indexUpdatedContract,
  vectorCleanedContract,
  vectorExtractedContract,
} from './index';
import { sampleImageArrived } from '../events';

describe('topic contracts', () => {
  it('use the fixed topic names and TopicNameStrategy subjects', () => {
    expect([imageArrivedContract, vectorExtractedContract, vectorCleanedContract, indexUpdatedContract].map((c) => [c.topic, c.subject])).toEqual([
      ['image-arrived', 'image-arrived-value'],
      ['vector-extracted', 'vector-extracted-value'],
      ['vector-cleaned', 'vector-cleaned-value'],
      ['index-updated', 'index-updated-value'],
    ]);
    expect([deadLetterContract.topic, deadLetterContract.subject]).toEqual(['image-arrived.dlq', 'image-arrived.dlq-value']);
    expect(deadLetterContractFor('vector-cleaned').subject).toBe('vector-cleaned.dlq-value');
    expect(allContracts().map((c) => c.subject)).toHaveLength(8);
  });

  it('load their schema from schemas/avro', () => {
    expect(imageArrivedContract.schema.name).toBe('ImageArrived');
    expect(imageArrivedContract.type.name).toBe('com.stylestream.events.ImageArrived');
    expect(deadLetterContract.type.name).toBe('com.stylestream.events.DeadLetter');
  });

  it('onTopic moves topic and subject, keeping the schema', () => {
    const test = imageArrivedContract.onTopic('my-test-topic');
    expect([test.name, test.topic, test.subject]).toEqual(['image-arrived', 'my-test-topic', 'my-test-topic-value']);
    expect(test.type).toBe(imageArrivedContract.type);
    expect(imageArrivedContract.topic).toBe('image-arrived');
  });

  it('validates values and names the failing field paths', () => {
    expect(imageArrivedContract.isValid(sampleImageArrived())).toBe(true);
    const bad = { ...sampleImageArrived(), source: 'tv', labels: { ...sampleImageArrived().labels, color: [3] } };
    expect(imageArrivedContract.isValid(bad)).toBe(false);
    const violations = imageArrivedContract.violations(bad);
    expect(violations).toEqual(expect.arrayContaining([expect.stringMatching(/^source: expected enum .*ImageSource, got string "tv"/), expect.stringMatching(/^labels\.color\.0: expected string, got number 3/)]));
    expect(imageArrivedContract.violations(null)).toEqual([expect.stringMatching(/^\(root\): expected record/)]);
  });

  it('finds the repository root from source and from a dist-like nested directory', () => {
    const root = findRepoRoot();
    expect(existsSync(join(root, 'schemas', 'avro', 'image-arrived.avsc'))).toBe(true);
    expect(findRepoRoot(join(root, 'dist', 'libs', 'schemas', 'src', 'contracts'))).toBe(root);
  });
});
