import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackError } from './stack-error';
import { stackLogs } from './stack-logs';

describe('stackLogs', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'logs-'));
    mkdirSync(join(root, 'logs'));
    for (const name of ['kafka-1', 'kafka-2', 'elasticsearch']) writeFileSync(join(root, 'logs', `${name}.log`), `${name} a\n${name} b\n${name} c\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('tails one component', () => {
    expect(stackLogs(root, 'elasticsearch', 2)).toBe(`==> ${join(root, 'logs', 'elasticsearch.log')} <==\nelasticsearch b\nelasticsearch c`);
  });

  it('takes "kafka" for every kafka node', () => {
    const text = stackLogs(root, 'kafka', 1);
    expect(text).toContain('kafka-1 c');
    expect(text).toContain('kafka-2 c');
    expect(text).not.toContain('elasticsearch');
  });

  it('names the known logs when asked for an unknown one', () => {
    expect(() => stackLogs(root, 'nope', 5)).toThrow(StackError);
    expect(() => stackLogs(root, 'nope', 5)).toThrow('no log for nope (known: elasticsearch, kafka-1, kafka-2)');
  });
});
