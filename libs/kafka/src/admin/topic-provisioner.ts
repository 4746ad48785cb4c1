import { Admin, ConfigResourceTypes, ConfigSource, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DependencyUnavailableError, StyleStreamError } from '@stylestream/errors';
import { TopicMismatchError } from './topic-mismatch.error';
import { TopicSpec, deadLetterSpecOf } from './topic-spec';

/** What provisioning did to one topic. */
export interface ProvisionResult {
  readonly topic: string;
  readonly action: 'created' | 'unchanged' | 'partitions-added' | 'configs-updated' | 'partitions-added+configs-updated';
  /** Human-readable notes, e.g. "has 8 partitions, spec wants 6: kept (partitions cannot shrink)". */
  readonly notes: readonly string[];
}

/**
 * Makes topics match their specs, idempotently: a missing topic is created;
 * fewer partitions than wanted are added (which moves keys to new
 * partitions, logged); configs that differ are set while keeping the
 * topic's other overrides. A different cleanup.policy or replication factor
 * is reported as TopicMismatchError and nothing is changed on that topic.
 * Throws DependencyUnavailableError when the cluster cannot be reached.
 */
export class TopicProvisioner {
  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
  ) {}

  async ensure(specs: readonly TopicSpec[]): Promise<ProvisionResult[]> {
    const all = specs.flatMap((s) => (s.withDeadLetterTopic === true ? [s, deadLetterSpecOf(s)] : [s]));
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const results: ProvisionResult[] = [];
      const mismatches: string[] = [];
      const existing = new Set(await admin.listTopics());
      const missing = all.filter((s) => !existing.has(s.topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            replicationFactor: s.replicationFactor,
            configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
        for (const s of missing) results.push({ topic: s.topic, action: 'created', notes: [] });
      }
      for (const spec of all.filter((s) => existing.has(s.topic))) {
        results.push(await this.reconcile(admin, spec, mismatches));
      }
      if (mismatches.length > 0) throw new TopicMismatchError(mismatches);
      for (const r of results) {
        if (r.action !== 'unchanged' || r.notes.length > 0) this.logger.info({ topic: r.topic, action: r.action, notes: r.notes }, 'topic provisioned');
      }
      return results;
    } catch (err) {
      if (err instanceof StyleStreamError) throw err;
      throw new DependencyUnavailableError('kafka', 'topic provisioning failed', err);
    } finally {
      await admin.disconnect();
    }
  }

  private async reconcile(admin: Admin, spec: TopicSpec, mismatches: string[]): Promise<ProvisionResult> {
    const notes: string[] = [];
    const [meta] = (await admin.fetchTopicMetadata({ topics: [spec.topic] })).topics;
    const partitions = meta?.partitions.length ?? 0;
    const replication = meta?.partitions[0]?.replicas.length ?? 0;
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.topic }],
    });
    const entries = described.resources[0]?.configEntries ?? [];
    const current = new Map(entries.map((e) => [e.configName, e.configValue]));

    const problems: string[] = [];
    const wantedPolicy = spec.configs?.['cleanup.policy'];
    if (wantedPolicy !== undefined && current.get('cleanup.policy') !== wantedPolicy) {
      problems.push(`${spec.topic}: cleanup.policy is ${current.get('cleanup.policy')}, spec wants ${wantedPolicy} (changing it would silently change retention semantics; migrate or change the spec)`);
    }
    if (replication !== spec.replicationFactor) {
      problems.push(`${spec.topic}: replication factor is ${replication}, spec wants ${spec.replicationFactor} (needs a partition reassignment)`);
    }
    if (problems.length > 0) {
      mismatches.push(...problems);
      return { topic: spec.topic, action: 'unchanged', notes: problems };
    }

    let addedPartitions = false;
    if (partitions < spec.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: spec.topic, count: spec.partitions }] });
      notes.push(`partitions ${partitions} → ${spec.partitions}: keys hash to new partitions from now on`);
      this.logger.warn({ topic: spec.topic, from: partitions, to: spec.partitions }, 'partitions added; per-key order holds only for records written after the change');
      addedPartitions = true;
    } else if (partitions > spec.partitions) {
      notes.push(`has ${partitions} partitions, spec wants ${spec.partitions}: kept (partitions cannot shrink)`);
    }

    const differing = Object.entries(spec.configs ?? {}).filter(([name, value]) => current.get(name) !== value);
    if (differing.length > 0) {
      // AlterConfigs replaces every topic-level override: keep the others.
      const kept = entries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !(e.configName in (spec.configs ?? {})));
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: spec.topic,
            configEntries: [
              ...kept.map((e) => ({ name: e.configName, value: e.configValue })),
              ...Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
            ],
          },
        ],
      });
      notes.push(...differing.map(([name, value]) => `${name}: ${current.get(name)} → ${value}`));
    }
    const action =
      addedPartitions && differing.length > 0
        ? 'partitions-added+configs-updated'
        : addedPartitions
          ? 'partitions-added'
          : differing.length > 0
            ? 'configs-updated'
            : 'unchanged';
    return { topic: spec.topic, action, notes };
  }
}
