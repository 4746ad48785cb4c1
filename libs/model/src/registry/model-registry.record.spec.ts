import { ModelRegistryState, decodeRegistryRecord, encodeRegistryRecord, type VersionRecord } from './model-registry.record';

const version = (v: string, state: VersionRecord['state'], owners: string[]): VersionRecord => ({
  version: v,
  modelId: `model-${v}`,
  dim: 256,
  state,
  owners,
  groups: [`extractor-${v}`],
  dedupeStateTopic: `dedupe-state-${v}`,
  indexDir: '/data/index',
  updatedAt: 1,
});

function fold(...records: Parameters<typeof encodeRegistryRecord>[0][]): ModelRegistryState {
  const state = new ModelRegistryState();
  for (const r of records) {
    const { key, value } = encodeRegistryRecord(r);
    state.apply(key, decodeRegistryRecord(key, value));
  }
  return state;
}

describe('model registry records', () => {
  it('round-trips and folds last write per key: versions, the active pointer, live owners without retired ones', () => {
    const state = fold(
      { kind: 'version', value: version('1.0.0', 'READY', ['http://a:1']) },
      { kind: 'active', value: { version: '1.0.0', previous: null, updatedAt: 1 } },
      { kind: 'version', value: version('2.0.0', 'BUILDING', ['http://b:2']) },
      { kind: 'version', value: version('2.0.0', 'READY', ['http://b:2']) },
      { kind: 'active', value: { version: '2.0.0', previous: '1.0.0', updatedAt: 2 } },
    );
    expect(state.active).toEqual({ version: '2.0.0', previous: '1.0.0', updatedAt: 2 });
    expect(state.version('2.0.0')?.state).toBe('READY');
    expect(state.liveOwners()).toEqual(['http://a:1', 'http://b:2']);
    state.apply('version/1.0.0', { kind: 'version', value: version('1.0.0', 'RETIRED', ['http://a:1']) });
    expect(state.liveOwners()).toEqual(['http://b:2']);
    state.apply('version/1.0.0', undefined);
    expect(state.version('1.0.0')).toBeUndefined();
  });

  it('refuses a malformed value or an unknown key, naming it', () => {
    expect(() => decodeRegistryRecord('active', Buffer.from('{"version":"bad version!"}'))).toThrow(/model registry record "active": version/);
    expect(() => decodeRegistryRecord('active', Buffer.from('not json'))).toThrow('is not JSON');
    expect(() => decodeRegistryRecord('other', Buffer.from('{}'))).toThrow('neither "active"');
    expect(decodeRegistryRecord('active', null)).toBeUndefined();
  });
});
