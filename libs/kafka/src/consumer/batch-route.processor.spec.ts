import pino from 'pino';
import type { DeadLetter } from '@stylestream/schemas';
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { DeliveryState } from '../delivery/delivery-state';
import { HandlerOutcome, Outcome } from '../delivery/handler-outcome';
import { RETRY_POLICIES } from '../delivery/retry-policy';
import { RawMessage } from './consumed-message';
import { BatchControls, PartitionBatchProcessor } from './partition-batch.processor';
import { RetryLedger } from './retry-ledger';
import { BatchStageRoute } from './stage-route';

const logger = pino({ level: 'silent' });

function raw(offset: number, value: string | null): RawMessage {
  return { key: Buffer.from(`k${offset}`), value: value === null ? null : Buffer.from(value), offset: String(offset), timestamp: '0' };
}

type Call = string[];

/**
 * A batch route whose "decoding" rejects values starting with "poison" (and
 * pauses on "registry-down") and whose handler maps each value through `script`.
 */
function fakeBatchRoute(
  script: (value: string | null, attempt: number) => HandlerOutcome,
  calls: Call[],
  options: { maxMessagesPerCall?: number; handle?: BatchStageRoute['handle'] } = {},
): BatchStageRoute {
  return {
    topic: 't',
    mode: 'batch',
    maxMessagesPerCall: options.maxMessagesPerCall ?? 100,
    decode(message, partition, attempt) {
      const value = message.value === null ? null : message.value.toString();
      if (value?.startsWith('poison') === true) return Promise.reject(new InvalidInputError(`not Avro: ${value}`, 'WIRE_FORMAT_INVALID'));
      if (value === 'registry-down') return Promise.reject(new DependencyUnavailableError('schema-registry', 'refused'));
      const base = { topic: 't', partition, offset: message.offset, key: null, headers: {}, timestamp: '0', attempt };
      return Promise.resolve(value === null ? { ...base, tombstone: true as const, value: null } : { ...base, tombstone: false as const, value });
    },
    handle:
      options.handle ??
      ((messages) => {
        calls.push(messages.map((m) => `${m.offset}:${m.tombstone ? 'tombstone' : String(m.value)}#${m.attempt}`));
        return Promise.resolve(messages.map((m) => script(m.tombstone ? null : String(m.value), m.attempt)));
      }),
  };
}

function controls(running: () => boolean = () => true): BatchControls & { resolved: string[] } {
  const resolved: string[] = [];
  return { resolved, resolveOffset: (o) => resolved.push(o), heartbeat: () => Promise.resolve(), isRunning: running };
}

function processor(sent: DeadLetter[], ledger = new RetryLedger()): PartitionBatchProcessor {
  return new PartitionBatchProcessor({
    stage: 'test-stage',
    policy: RETRY_POLICIES.test,
    logger,
    ledger,
    random: () => 0.5,
    now: () => 99,
    deadLetters: { send: (e) => Promise.resolve(void sent.push(e)) },
  });
}

const processed = () => Outcome.processed();
const retriable = Object.assign(new Error('flaky'), { retriable: true });

describe('PartitionBatchProcessor with a batch route', () => {
  it('hands the whole partition batch to one call, in offset order, and resolves every offset', async () => {
    const calls: Call[] = [];
    const c = controls();
    const result = await processor([]).process(fakeBatchRoute(processed, calls), 0, [raw(0, 'a'), raw(1, null), raw(2, 'c')], c);
    expect(result).toEqual({ kind: 'completed', settled: 3 });
    expect(calls).toEqual([['0:a#1', '1:tombstone#1', '2:c#1']]);
    expect(c.resolved).toEqual(['0', '1', '2']);
  });

  it('splits a big batch into calls of at most maxMessagesPerCall', async () => {
    const calls: Call[] = [];
    const c = controls();
    const batch = [0, 1, 2, 3, 4].map((o) => raw(o, `v${o}`));
    expect(await processor([]).process(fakeBatchRoute(processed, calls, { maxMessagesPerCall: 2 }), 0, batch, c)).toEqual({ kind: 'completed', settled: 5 });
    expect(calls.map((call) => call.length)).toEqual([2, 2, 1]);
    expect(c.resolved).toEqual(['0', '1', '2', '3', '4']);
  });

  it('dead-letters a non-retriable outcome in the middle and commits the rest', async () => {
    const sent: DeadLetter[] = [];
    const c = controls();
    const route = fakeBatchRoute((v) => (v === 'bad' ? Outcome.failed(new InvalidInputError('rejected', 'DOC_REJECTED')) : v === 'dup' ? Outcome.skipped('same') : processed()), []);
    const result = await processor(sent).process(route, 1, [raw(0, 'a'), raw(1, 'bad'), raw(2, 'dup'), raw(3, 'b')], c);
    expect(result).toEqual({ kind: 'completed', settled: 4 });
    expect(c.resolved).toEqual(['0', '1', '2', '3']);
    expect(sent.map((e) => [e.sourceOffset, e.errorClass, e.attempts])).toEqual([[1, 'DOC_REJECTED', 1]]);
  });

  it('resolves only up to a retriable failure, then retries the partition from it (later messages handled again)', async () => {
    const ledger = new RetryLedger();
    const sent: DeadLetter[] = [];
    const calls: Call[] = [];
    const route = fakeBatchRoute((v, attempt) => (v === 'flaky' && attempt < 3 ? Outcome.failed(retriable) : processed()), calls);
    const p = processor(sent, ledger);
    const batch = [raw(0, 'a'), raw(1, 'flaky'), raw(2, 'b')];

    const first = controls();
    expect(await p.process(route, 0, batch, first)).toEqual({ kind: 'paused', settled: 1, offset: '1', delayMs: 10, state: DeliveryState.RETRY_SCHEDULED });
    expect(first.resolved).toEqual(['0']);

    const second = controls();
    expect(await p.process(route, 0, batch.slice(1), second)).toMatchObject({ kind: 'paused', settled: 0, offset: '1', delayMs: 20 });
    expect(second.resolved).toEqual([]);

    const third = controls();
    expect(await p.process(route, 0, batch.slice(1), third)).toEqual({ kind: 'completed', settled: 2 });
    expect(third.resolved).toEqual(['1', '2']);
    expect(calls).toEqual([['0:a#1', '1:flaky#1', '2:b#1'], ['1:flaky#2', '2:b#1'], ['1:flaky#3', '2:b#1']]);
    expect(sent).toEqual([]);
  });

  it('pauses at the first message when a dependency is down, resolving nothing', async () => {
    const c = controls();
    const route = fakeBatchRoute(() => Outcome.failed(new DependencyUnavailableError('elasticsearch', 'refused')), []);
    expect(await processor([]).process(route, 0, [raw(4, 'a'), raw(5, 'b')], c)).toEqual({ kind: 'paused', settled: 0, offset: '4', delayMs: 10, state: DeliveryState.PAUSED });
    expect(c.resolved).toEqual([]);
  });

  it('fails every message of a call that throws: a plain error dead-letters them all', async () => {
    const sent: DeadLetter[] = [];
    const c = controls();
    const route = fakeBatchRoute(processed, [], { handle: () => Promise.reject(new Error('boom')) });
    expect(await processor(sent).process(route, 0, [raw(0, 'a'), raw(1, 'b')], c)).toEqual({ kind: 'completed', settled: 2 });
    expect(c.resolved).toEqual(['0', '1']);
    expect(sent.map((e) => [e.sourceOffset, e.errorClass, e.reason])).toEqual([
      [0, 'Error', expect.stringContaining('boom')],
      [1, 'Error', expect.stringContaining('boom')],
    ]);
  });

  it('fails every message when the handler returns the wrong number of outcomes (INTERNAL, dead-lettered)', async () => {
    const sent: DeadLetter[] = [];
    const route = fakeBatchRoute(processed, [], { handle: () => Promise.resolve([Outcome.processed()]) });
    await processor(sent).process(route, 0, [raw(0, 'a'), raw(1, 'b')], controls());
    expect(sent.map((e) => e.errorClass)).toEqual(['INTERNAL', 'INTERNAL']);
  });

  it('dead-letters decode failures in offset order without handing them to the handler', async () => {
    const sent: DeadLetter[] = [];
    const calls: Call[] = [];
    const c = controls();
    const result = await processor(sent).process(fakeBatchRoute(processed, calls), 2, [raw(5, 'a'), raw(6, 'poison!'), raw(7, 'b')], c);
    expect(result).toEqual({ kind: 'completed', settled: 3 });
    expect(calls).toEqual([['5:a#1', '7:b#1']]);
    expect(c.resolved).toEqual(['5', '6', '7']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ sourceTopic: 't', sourcePartition: 2, sourceOffset: 6, errorClass: 'WIRE_FORMAT_INVALID', attempts: 1 });
    expect(sent[0]?.value).toEqual(Buffer.from('poison!'));
  });

  it('does not dead-letter a decode failure behind a message that must be retried', async () => {
    const sent: DeadLetter[] = [];
    const c = controls();
    const route = fakeBatchRoute((v) => (v === 'flaky' ? Outcome.failed(retriable) : processed()), []);
    expect(await processor(sent).process(route, 0, [raw(0, 'flaky'), raw(1, 'poison')], c)).toMatchObject({ kind: 'paused', offset: '0' });
    expect(sent).toEqual([]);
    expect(c.resolved).toEqual([]);
  });

  it('hands only the messages before a decode failure that pauses (registry down) to the handler', async () => {
    const calls: Call[] = [];
    const c = controls();
    const result = await processor([]).process(fakeBatchRoute(processed, calls), 0, [raw(0, 'a'), raw(1, 'registry-down'), raw(2, 'b')], c);
    expect(result).toMatchObject({ kind: 'paused', settled: 1, offset: '1', state: DeliveryState.PAUSED });
    expect(calls).toEqual([['0:a#1']]);
    expect(c.resolved).toEqual(['0']);
  });

  it("lets the handler heartbeat through the consumer's batch controls during its call", async () => {
    let heartbeats = 0;
    const route = fakeBatchRoute(processed, [], {
      handle: async (messages, call) => {
        for (let i = 0; i < 3; i++) await call.heartbeat();
        return messages.map(() => Outcome.processed());
      },
    });
    const c = { ...controls(), heartbeat: () => Promise.resolve(void heartbeats++) };
    await processor([]).process(route, 0, [raw(0, 'a'), raw(1, 'b')], c);
    expect(heartbeats).toBeGreaterThanOrEqual(3);
  });

  it('heartbeats on its own while a handler call waits (a snapshot on another thread), and a failed heartbeat fails nothing', async () => {
    let heartbeats = 0;
    const route = fakeBatchRoute(processed, [], {
      handle: async (messages) => {
        await new Promise((resolve) => setTimeout(resolve, 120));
        return messages.map(() => Outcome.processed());
      },
    });
    const c = {
      ...controls(),
      heartbeat: () => {
        heartbeats += 1;
        return heartbeats === 1 ? Promise.reject(new Error('REBALANCE_IN_PROGRESS')) : Promise.resolve();
      },
    };
    const p = new PartitionBatchProcessor({ stage: 'test-stage', policy: RETRY_POLICIES.test, logger, deadLetters: { send: () => Promise.resolve() }, keepAliveMs: 20 });
    expect(await p.process(route, 0, [raw(0, 'a')], c)).toEqual({ kind: 'completed', settled: 1 });
    expect(heartbeats).toBeGreaterThanOrEqual(3);
    const after = heartbeats;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(heartbeats).toBe(after);
  });

  it('stops between calls once the consumer is stopping, after settling the call in flight', async () => {
    let running = true;
    const route = fakeBatchRoute(processed, [], {
      maxMessagesPerCall: 2,
      handle: (messages) => {
        running = false;
        return Promise.resolve(messages.map(() => Outcome.processed()));
      },
    });
    const c = controls(() => running);
    expect(await processor([]).process(route, 0, [raw(0, 'a'), raw(1, 'b'), raw(2, 'c')], c)).toEqual({ kind: 'interrupted', settled: 2 });
    expect(c.resolved).toEqual(['0', '1']);
  });
});
