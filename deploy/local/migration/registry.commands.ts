import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, reasonOf } from '@stylestream/errors';
import type { ModelRegistryState, VersionRecord } from '@stylestream/model';
import { groupPosition } from './group-position';
import type { MigrationContext } from './migration-context';
import { formatDuration } from './replay-progress';

/** A registered version, or InvalidInputError (MODEL_UNKNOWN) listing the registered ones. */
function registered(state: ModelRegistryState, version: string): VersionRecord {
  const record = state.version(version);
  if (record !== undefined) return record;
  const all = state.all().map((v) => `${v.version} (${v.state})`);
  throw new InvalidInputError(`version "${version}" is not in the model registry; registered: ${all.length === 0 ? 'none' : all.join(', ')}`, 'MODEL_UNKNOWN');
}

/** The extractor group of a version (its replay position is the version's progress). */
const extractorGroup = (record: VersionRecord): string | undefined => record.groups.find((g) => /(^|\.)extractor-/.test(g));

/** `npm run model -- status`: the active version, each version's state, owners and replay position. */
export async function status(ctx: MigrationContext): Promise<number> {
  const state = await ctx.registry.read();
  ctx.say(`model registry ${ctx.topics.registry}: active version ${state.active?.version ?? 'none'}${state.active?.previous ? ` (previous ${state.active.previous})` : ''}`);
  for (const v of state.all()) {
    let position = '';
    const group = extractorGroup(v);
    if (v.state !== 'RETIRED' && group !== undefined) {
      try {
        const p = await groupPosition(ctx.kafka, group, ctx.topics.imageArrived);
        position = `; replay ${p.done}/${p.done + p.remaining} (${p.remaining} remaining)`;
      } catch (err) {
        position = `; replay position unknown (${reasonOf(err)})`;
      }
    }
    ctx.say(`  ${v.version === state.active?.version ? '*' : ' '} ${v.version}  ${v.state}  model ${v.modelId} ${v.dim}-d  owners ${v.owners.join(', ') || '-'}${position}`);
  }
  if (state.all().length === 0) ctx.say('  (no version registered yet: npm run model -- migrate --to <version>)');
  return 0;
}

/** `npm run model -- cutover --to <version>`: makes a registered version the active one (refused while its replay is behind, unless forced). */
export async function cutover(ctx: MigrationContext, version: string, force: boolean): Promise<number> {
  const state = await ctx.registry.read();
  const record = registered(state, version);
  if (record.state === 'RETIRED') throw new InvalidInputError(`version ${version} was retired (its shards are gone); migrate to it again first`, 'MODEL_UNKNOWN');
  if (state.active?.version === version) {
    ctx.say(`${version} is already the active version`);
    return 0;
  }
  const group = extractorGroup(record);
  if (!force && group !== undefined) {
    const p = await groupPosition(ctx.kafka, group, ctx.topics.imageArrived);
    if (p.remaining > 0) throw new InvalidInputError(`version ${version} is ${p.remaining} images behind on ${ctx.topics.imageArrived}; wait for it or pass --force`, 'VERSION_BEHIND');
  }
  await ctx.registry.publish({ kind: 'active', value: { version, previous: state.active?.version ?? null, updatedAt: Date.now() } });
  ctx.say(`cut over: the active version is ${version}${state.active === undefined ? '' : ` (was ${state.active.version})`}`);
  return 0;
}

/**
 * `npm run model -- cleanup --version <old>`: retires a version that is not
 * active. RETIRED in the registry first (every search API drops its owners; its
 * `migrate` process stops its chain), then, once its index-writer no longer
 * answers, its shard folder, consumer groups and dedupe changelog are deleted.
 */
export async function cleanup(ctx: MigrationContext, version: string, timeoutSeconds: number): Promise<number> {
  const state = await ctx.registry.read();
  const record = registered(state, version);
  if (state.active?.version === version) throw new InvalidInputError(`version ${version} is the active version; cut over to another one before removing it`, 'VERSION_ACTIVE');
  if (record.state !== 'RETIRED') await ctx.registry.publish({ kind: 'version', value: { ...record, state: 'RETIRED', updatedAt: Date.now() } });
  ctx.say(`${version}: RETIRED in ${ctx.topics.registry} (search APIs stop querying ${record.owners.join(', ') || 'its owners'})`);

  const started = Date.now();
  for (;;) {
    const alive = (await Promise.all(record.owners.map(async (o) => ((await answers(o)) ? o : undefined)))).filter((o): o is string => o !== undefined);
    if (alive.length === 0) break;
    if (Date.now() - started > timeoutSeconds * 1000) {
      throw new InvalidInputError(`the index-writer of ${version} still runs at ${alive.join(', ')}; stop the process serving it and run cleanup again`, 'VERSION_STILL_SERVED');
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 500));
  }
  if (record.indexDir !== null) {
    const dir = join(record.indexDir, version);
    rmSync(dir, { recursive: true, force: true });
    ctx.say(`removed the shards: ${dir}`);
  }
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const groups = await deleteGroups(admin, record.groups);
    ctx.say(`removed the consumer groups: ${groups.length === 0 ? 'none left' : groups.join(', ')}`);
    if (record.dedupeStateTopic !== null) {
      const topics = await admin.listTopics();
      if (topics.includes(record.dedupeStateTopic)) {
        await admin.deleteTopics({ topics: [record.dedupeStateTopic] });
        ctx.say(`removed the dedupe changelog: ${record.dedupeStateTopic}`);
      }
    }
  } finally {
    await admin.disconnect();
  }
  ctx.say(`cleanup of ${version} done in ${formatDuration((Date.now() - started) / 1000)}`);
  return 0;
}

/** Whether an index-writer answers its liveness probe (a refused or timed-out call: no). */
async function answers(owner: string): Promise<boolean> {
  try {
    const response = await fetch(`${owner}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Deletes the groups that exist, retrying for a while as members leave (a group is deletable once empty). */
async function deleteGroups(admin: ReturnType<MigrationContext['kafka']['admin']>, groups: readonly string[]): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const listed = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const present = groups.filter((g) => listed.has(g));
    if (present.length === 0) return [];
    try {
      await admin.deleteGroups(present);
      return present;
    } catch (err) {
      if (Date.now() > deadline) throw new InvalidInputError(`could not delete the groups ${present.join(', ')}: ${reasonOf(err)}`, 'GROUPS_BUSY');
      await new Promise<void>((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
