import { AssignerProtocol, type Admin, type GroupDescription } from 'kafkajs';
import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import type { ClusterOffsets, ClusterOffsetsReader, GroupOffsets, TopicOffsets } from './cluster-offsets.port';

/**
 * Reads offsets with the kafkajs admin client only (no consumer joins a
 * group, so reading never disturbs the groups it watches): listGroups,
 * describeGroups (state, members, assignments), fetchOffsets per group,
 * fetchTopicMetadata (leaders) and fetchTopicOffsets (low/end) per topic.
 */
export class KafkaClusterOffsetsReader implements ClusterOffsetsReader {
  private connected = false;

  constructor(private readonly admin: Admin) {}

  async read(acceptsGroup: (group: string) => boolean, watchedTopics: readonly string[]): Promise<ClusterOffsets> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const existing = new Set(await this.admin.listTopics());
      const ids = (await this.admin.listGroups()).groups.map((g) => g.groupId).filter(acceptsGroup).sort();
      const described = ids.length === 0 ? [] : (await this.admin.describeGroups(ids)).groups;
      const groups: GroupOffsets[] = [];
      for (const description of described) {
        const group = await this.readGroup(description, existing);
        if (group !== undefined) groups.push(group);
      }
      const topicNames = new Set(watchedTopics.filter((t) => existing.has(t)));
      for (const group of groups) for (const c of group.committed) topicNames.add(c.topic);
      const topics = await this.readTopics([...topicNames].sort());
      return { groups, topics };
    } catch (err) {
      throw new DependencyUnavailableError('kafka', `cannot read consumer offsets: ${reasonOf(err)}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }

  private async readGroup(description: GroupDescription, existing: ReadonlySet<string>): Promise<GroupOffsets | undefined> {
    if (description.state === 'Dead') return undefined;
    const topics = new Set<string>();
    for (const member of description.members) for (const t of assignedTopics(member.memberAssignment)) topics.add(t);
    for (const entry of await this.admin.fetchOffsets({ groupId: description.groupId })) {
      if (entry.partitions.some((p) => Number(p.offset) >= 0)) topics.add(entry.topic);
    }
    const wanted = [...topics].filter((t) => existing.has(t)).sort();
    const committed = wanted.length === 0 ? [] : await this.admin.fetchOffsets({ groupId: description.groupId, topics: wanted });
    return {
      group: description.groupId,
      state: description.state,
      members: description.members.length,
      committed: committed.flatMap(({ topic, partitions }) =>
        partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) })),
      ),
    };
  }

  private async readTopics(names: readonly string[]): Promise<TopicOffsets[]> {
    if (names.length === 0) return [];
    const metadata = await this.admin.fetchTopicMetadata({ topics: [...names] });
    const leaders = new Map<string, boolean>();
    for (const topic of metadata.topics) {
      for (const p of topic.partitions) leaders.set(`${topic.name}:${p.partitionId}`, p.leader >= 0);
    }
    const topics: TopicOffsets[] = [];
    for (const topic of names) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      topics.push({
        topic,
        partitions: offsets
          .map((o) => ({
            partition: o.partition,
            lowOffset: Number(o.low),
            endOffset: Number(o.high),
            hasLeader: leaders.get(`${topic}:${o.partition}`) ?? false,
          }))
          .sort((a, b) => a.partition - b.partition),
      });
    }
    return topics;
  }
}

/** Topics in a consumer-protocol member assignment; none for other protocols or an empty assignment. */
function assignedTopics(assignment: Buffer): string[] {
  if (assignment.length === 0) return [];
  try {
    return Object.keys(AssignerProtocol.MemberAssignment.decode(assignment)?.assignment ?? {});
  } catch {
    // Not the consumer protocol (e.g. Kafka Connect): the committed offsets still tell the topics.
    return [];
  }
}
