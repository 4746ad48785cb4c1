import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@stylestream/test-support';
import { readPidRecord } from './pid-file';
import { runningFromPidFile, startDetached, stopFromPidFile } from './process-supervisor';

describe('process supervisor (real child processes, no services)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spec = (script: string) => ({ command: '/bin/sh', args: ['-c', script], env: process.env, cwd: dir });

  it('records pid and start time, logs output, and stops the process group with SIGTERM', async () => {
    const pidFile = join(dir, 'run', 'x.pid');
    const log = join(dir, 'logs', 'x.log');
    const started = startDetached(spec('echo "hel""lo"; sleep 30 & wait'), log, pidFile);
    expect(readPidRecord(pidFile)?.pid).toBe(started.record.pid);
    expect(runningFromPidFile(pidFile)?.startTime).toBeGreaterThan(0);
    await waitFor(() => readFileSync(log, 'utf8').includes('\nhello'), { what: 'output in the log' });
    expect(await stopFromPidFile(pidFile, 5000)).toBe('stopped');
    expect(runningFromPidFile(pidFile)).toBeUndefined();
  });

  it('kills a process that ignores SIGTERM once the grace has passed', async () => {
    const pidFile = join(dir, 'y.pid');
    // The log's header line quotes the command, so wait for the expanded pid, not the literal text.
    startDetached(spec('trap "" TERM; echo "armed-$$"; while true; do sleep 0.1; done'), join(dir, 'y.log'), pidFile);
    await waitFor(() => /armed-\d+/.test(readFileSync(join(dir, 'y.log'), 'utf8')), { what: 'trap installed' });
    expect(await stopFromPidFile(pidFile, 300)).toBe('killed');
  });

  it('reports how a process ended during startup', async () => {
    const started = startDetached(spec('exit 3'), join(dir, 'z.log'), join(dir, 'z.pid'));
    expect(await waitFor(() => started.exited(), { what: 'exit' })).toBe('exit code 3');
  });

  it('never signals a stale record: another start time means another process', async () => {
    const pidFile = join(dir, 'stale.pid');
    writeFileSync(pidFile, JSON.stringify({ pid: process.pid, startTime: 1, command: 'x', startedAt: 't' }));
    expect(await stopFromPidFile(pidFile, 100)).toBe('not-running');
  });
});
