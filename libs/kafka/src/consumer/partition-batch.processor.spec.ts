import pino from 'pino';
import type { DeadLetter } from '@stylestream/schemas';
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { DeliveryState } from '../delivery/delivery-state';
import { HandlerOutcome, Outcome } from '../delivery/handler-outcome';
import { RETRY_POLICIES } from '../delivery/retry-policy';
import { RawMessage } from './consumed-message';
import { BatchControls, PartitionBatchProcessor } from './partition-batch.processor';
import { RetryLedger } from './retry-ledger';
import { StageRoute } from './stage-route';

const logger = pino({ level: 'silent' });

function raw(offset: number, value: string | null): RawMessage {
  return { key: Buffer.from(`k${offset}`), value: value === null ? null : Buffer.from(value), offset: String(offset), timestamp: '0' };
}

/** A route whose "decoding" rejects values starting with "poison" and whose handler follows `script`. */
function fakeRoute(topic: string, script: (value: string | null, attempt: number) => Promise<HandlerOutcome>, seen: string[]): StageRoute {
  return {
    topic,
    prepare(message, partition, attempt) {
      const value = message.value === null ? null : message.value.toString();
      if (value?.startsWith('poison') === true) return Promise.reject(new InvalidInputError(`not Avro: ${value}`, 'WIRE_FORMAT_INVALID'));
      return Promise.resolve(async () => {
        seen.push(`${partition}:${message.offset}:${value ?? 'tombstone'}#${attempt}`);
        return script(value, attempt);
      });
    },
  };
}

function controls(running: () => boolean = () => true): BatchControls & { resolved: string[] } {
  const resolved: string[] = [];
  return { resolved, resolveOffset: (o) => resolved.push(o), heartbeat: () => Promise.resolve(), isRunning: running };
}

function processor(sent: DeadLetter[], fail = false, ledger = new RetryLedger()): PartitionBatchProcessor {
  return new PartitionBatchProcessor({
    stage: 'test-stage',
    policy: RETRY_POLICIES.test,
    logger,
    ledger,
    random: () => 0.5,
    now: () => 99,
    deadLetters: {
      send: (e) => (fail ? Promise.reject(new Error('broker down')) : Promise.resolve(void sent.push(e))),
    },
  });
}

describe('PartitionBatchProcessor', () => {
  it('handles a partition in offset order, tombstones included, resolving each offset after its outcome', async () => {
    const seen: string[] = [];
    const c = controls();
    const result = await processor([]).process(fakeRoute('t', () => Promise.resolve(Outcome.processed()), seen), 0, [raw(0, 'a'), raw(1, null), raw(2, 'c')], c);
    expect(result).toEqual({ kind: 'completed', settled: 3 });
    expect(seen).toEqual(['0:0:a#1', '0:1:tombstone#1', '0:2:c#1']);
    expect(c.resolved).toEqual(['0', '1', '2']);
  });

  it('dead-letters a poison message with its original bytes and keeps the partition flowing', async () => {
    const seen: string[] = [];
    const sent: DeadLetter[] = [];
    const c = controls();
    const result = await processor(sent).process(fakeRoute('t', () => Promise.resolve(Outcome.processed()), seen), 2, [raw(5, 'a'), raw(6, 'poison!'), raw(7, 'b')], c);
    expect(result.kind).toBe('completed');
    expect(c.resolved).toEqual(['5', '6', '7']);
    expect(seen).toEqual(['2:5:a#1', '2:7:b#1']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ sourceTopic: 't', sourcePartition: 2, sourceOffset: 6, errorClass: 'WIRE_FORMAT_INVALID', stage: 'test-stage', attempts: 1, retriable: false, at: 99 });
    expect(sent[0]?.value).toEqual(Buffer.from('poison!'));
  });

  it('commits skipped outcomes and dead-letters thrown non-retriable errors and non-outcomes', async () => {
    const sent: DeadLetter[] = [];
    const c = controls();
    const route = fakeRoute(
      't',
      (value) => {
        if (value === 'skip') return Promise.resolve(Outcome.skipped('duplicate'));
        if (value === 'throw') return Promise.reject(new Error('boom'));
        return Promise.resolve(undefined as unknown as HandlerOutcome);
      },
      [],
    );
    await processor(sent).process(route, 0, [raw(0, 'skip'), raw(1, 'throw'), raw(2, 'void')], c);
    expect(c.resolved).toEqual(['0', '1', '2']);
    expect(sent.map((e) => [e.sourceOffset, e.errorClass])).toEqual([
      [1, 'Error'],
      [2, 'INTERNAL'],
    ]);
  });

  it('ends the batch at a retriable failure, leaving it and its tail unresolved, and counts attempts across re-fetches', async () => {
    const ledger = new RetryLedger();
    const sent: DeadLetter[] = [];
    const retriable = Object.assign(new Error('flaky'), { retriable: true });
    const seen: string[] = [];
    const route = fakeRoute('t', (value, attempt) => Promise.resolve(value === 'flaky' && attempt < 3 ? Outcome.failed(retriable) : Outcome.processed()), seen);
    const p = processor(sent, false, ledger);
    const batch = [raw(0, 'a'), raw(1, 'flaky'), raw(2, 'b')];

    const first = controls();
    expect(await p.process(route, 0, batch, first)).toEqual({ kind: 'paused', settled: 1, offset: '1', delayMs: 10, state: DeliveryState.RETRY_SCHEDULED });
    expect(first.resolved).toEqual(['0']);

    const second = controls();
    expect(await p.process(route, 0, batch.slice(1), second)).toMatchObject({ kind: 'paused', offset: '1', delayMs: 20 });
    expect(second.resolved).toEqual([]);

    const third = controls();
    expect(await p.process(route, 0, batch.slice(1), third)).toEqual({ kind: 'completed', settled: 2 });
    expect(third.resolved).toEqual(['1', '2']);
    expect(seen).toEqual(['0:0:a#1', '0:1:flaky#1', '0:1:flaky#2', '0:1:flaky#3', '0:2:b#1']);
    expect(sent).toEqual([]);
  });

  it('dead-letters a retriable failure after maxAttempts with the attempt count', async () => {
    const sent: DeadLetter[] = [];
    const p = processor(sent);
    const route = fakeRoute('t', () => Promise.resolve(Outcome.failed(Object.assign(new Error('flaky'), { retriable: true }))), []);
    for (let i = 1; i < 4; i++) expect((await p.process(route, 0, [raw(3, 'x')], controls())).kind).toBe('paused');
    const last = controls();
    expect(await p.process(route, 0, [raw(3, 'x')], last)).toEqual({ kind: 'completed', settled: 1 });
    expect(sent[0]).toMatchObject({ attempts: 4, retriable: true, sourceOffset: 3 });
  });

  it('pauses without limit while a dependency is down, never dead-lettering', async () => {
    const sent: DeadLetter[] = [];
    const p = processor(sent);
    const route = fakeRoute('t', () => Promise.resolve(Outcome.failed(new DependencyUnavailableError('clickhouse', 'refused'))), []);
    let last;
    for (let i = 0; i < 10; i++) last = await p.process(route, 0, [raw(0, 'x')], controls());
    expect(last).toEqual({ kind: 'paused', settled: 0, offset: '0', delayMs: 100, state: DeliveryState.PAUSED });
    expect(sent).toEqual([]);
  });

  it('does not settle a message whose dead-letter write failed: the partition pauses', async () => {
    const c = controls();
    const result = await processor([], true).process(fakeRoute('t', () => Promise.resolve(Outcome.processed()), []), 0, [raw(0, 'poison')], c);
    expect(result).toMatchObject({ kind: 'paused', state: DeliveryState.PAUSED, offset: '0' });
    expect(c.resolved).toEqual([]);
  });

  it('stops taking messages once the consumer is stopping, after the in-flight one', async () => {
    let running = true;
    const seen: string[] = [];
    const route = fakeRoute('t', () => {
      running = false;
      return Promise.resolve(Outcome.processed());
    }, seen);
    const c = controls(() => running);
    expect(await processor([]).process(route, 0, [raw(0, 'a'), raw(1, 'b')], c)).toEqual({ kind: 'interrupted', settled: 1 });
    expect(c.resolved).toEqual(['0']);
  });

  it('keeps per-partition order while partitions run in parallel', async () => {
    const seen: string[] = [];
    // Partition 0's first message blocks until partition 1 has finished: this
    // only completes if the partitions really run in parallel (no timer race).
    let partitionOneFinished: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      partitionOneFinished = resolve;
    });
    const route = fakeRoute('t', async (value) => {
      if (value === 'slow') await released;
      if (value === 'c') partitionOneFinished();
      return Outcome.processed();
    }, seen);
    const p = processor([]);
    await Promise.all([
      p.process(route, 0, [raw(0, 'slow'), raw(1, 'x'), raw(2, 'y')], controls()),
      p.process(route, 1, [raw(0, 'a'), raw(1, 'b'), raw(2, 'c')], controls()),
    ]);
    const of = (partition: number) => seen.filter((s) => s.startsWith(`${partition}:`)).map((s) => s.split(':')[1]);
    expect(of(0)).toEqual(['0', '1', '2']);
    expect(of(1)).toEqual(['0', '1', '2']);
    expect(seen.indexOf('1:2:c#1')).toBeLessThan(seen.indexOf('0:1:x#1'));
  });
});
