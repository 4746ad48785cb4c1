import { parseProcStat, readProcStat } from './proc-stat';
import { isRecordAlive, parsePidRecord } from './pid-file';

const line = '4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1 0 0 0 10 5 0 0 20 0 30 0 987654 1000 200 18446744073709551615';

describe('parseProcStat', () => {
  it('reads comm with spaces and parentheses, state, process group and start time', () => {
    expect(parseProcStat(line)).toEqual({ pid: 4242, comm: 'java (main) x', state: 'S', pgrp: 4242, startTime: 987654 });
  });

  it('reads this process', () => {
    expect(readProcStat(process.pid)?.pid).toBe(process.pid);
  });
});

describe('pid records', () => {
  it('parses what up writes and rejects garbage', () => {
    expect(parsePidRecord('{"pid":1,"startTime":2,"command":"x","startedAt":"t"}')).toEqual({ pid: 1, startTime: 2, command: 'x', startedAt: 't' });
    expect(parsePidRecord('not json')).toBeUndefined();
    expect(parsePidRecord('{"pid":"1"}')).toBeUndefined();
  });

  it('is alive only while pid and start time both match (a reused pid is not ours)', () => {
    const stat = (startTime: number) => () => ({ pid: 7, comm: 'java', state: 'S', pgrp: 7, startTime });
    const record = { pid: 7, startTime: 100, command: 'java', startedAt: 't' };
    expect(isRecordAlive(record, stat(100))).toBe(true);
    expect(isRecordAlive(record, stat(101))).toBe(false);
    expect(isRecordAlive(record, () => undefined)).toBe(false);
  });
});
