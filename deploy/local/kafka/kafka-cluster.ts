import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireJava } from '../install/java-toolchain';
import { runCommand } from '../process/command-runner';
import { KafkaNodeAddress } from './kafka-config';

/**
 * The KRaft cluster of one topology (1 or 3 nodes). Each topology keeps its own
 * data dir (data/kafka/brokers-N) and cluster id, so switching between
 * `up` and `up --brokers 3` never mixes a single-voter log with a three-voter one.
 */
export class KafkaCluster {
  private clusterIdPromise: Promise<string> | undefined;

  constructor(
    readonly nodes: readonly KafkaNodeAddress[],
    readonly dataDir: string,
    readonly libsDir: string,
  ) {}

  nodeLogDir(nodeId: number): string {
    return join(this.dataDir, `node-${nodeId}`);
  }

  classpath(): string {
    return `${this.libsDir}/*`;
  }

  /** The cluster id, generated once with StorageTool random-uuid and kept in the data dir. */
  clusterId(): Promise<string> {
    this.clusterIdPromise ??= this.loadOrCreateClusterId();
    return this.clusterIdPromise;
  }

  private async loadOrCreateClusterId(): Promise<string> {
    const file = join(this.dataDir, 'cluster-id');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const java = await requireJava();
    const { stdout } = await runCommand(java.javaBin, ['-cp', this.classpath(), 'kafka.tools.StorageTool', 'random-uuid'], {
      what: 'kafka StorageTool random-uuid',
    });
    const id = stdout.trim().split('\n').pop()?.trim() ?? '';
    if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw new Error(`StorageTool random-uuid printed no cluster id: ${stdout}`);
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(file, `${id}\n`);
    return id;
  }
}
