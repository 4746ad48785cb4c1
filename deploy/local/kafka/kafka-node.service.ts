import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { requireJava } from '../install/java-toolchain';
import { runCommand } from '../process/command-runner';
import { healthy, ProbeResult, unhealthy } from '../process/health-wait';
import { LaunchSpec } from '../process/process-supervisor';
import { StackService } from '../services/stack-service';
import { STACK_VERSIONS } from '../stack-settings';
import { kafkaJvmArgs, kafkaLog4jProperties, KafkaNodeAddress, kafkaServerProperties } from './kafka-config';
import { KafkaCluster } from './kafka-cluster';
import { KafkaJarsInstaller } from './kafka-jars.installer';

/** One KRaft combined node (`kafka.Kafka`), healthy when a kafkajs admin sees the whole cluster through it. */
export class KafkaNodeService implements StackService {
  readonly name: string;
  readonly ports: readonly number[];
  readonly after: readonly string[] = [];
  readonly startDeadlineMs: number;
  readonly stopGraceMs = 30_000;
  readonly installers;

  constructor(
    private readonly node: KafkaNodeAddress,
    private readonly cluster: KafkaCluster,
    jars: KafkaJarsInstaller,
    private readonly confDir: string,
    private readonly options: { heap: string; autoCreateTopics: boolean; c1Only: boolean; startDeadlineMs?: number },
  ) {
    this.name = `kafka-${node.nodeId}`;
    // STACK_KAFKA_START_DEADLINE_S (default 90 s).
    this.startDeadlineMs = options.startDeadlineMs ?? 90_000;
    this.ports = [node.port, node.controllerPort];
    this.installers = [jars];
  }

  version(): Promise<string> {
    return Promise.resolve(STACK_VERSIONS.kafka);
  }

  notStartable(): string | undefined {
    return undefined;
  }

  private get serverProperties(): string {
    return join(this.confDir, 'server.properties');
  }

  private get log4jProperties(): string {
    return join(this.confDir, 'log4j2.properties');
  }

  async prepare(log: (line: string) => void): Promise<void> {
    const logDir = this.cluster.nodeLogDir(this.node.nodeId);
    mkdirSync(this.confDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const config = { node: this.node, cluster: this.cluster.nodes, logDir, autoCreateTopics: this.options.autoCreateTopics, registrationTimeoutMs: this.startDeadlineMs };
    writeFileSync(this.serverProperties, kafkaServerProperties(config));
    writeFileSync(this.log4jProperties, kafkaLog4jProperties());
    if (existsSync(join(logDir, 'meta.properties'))) return;
    const clusterId = await this.cluster.clusterId();
    const java = await requireJava();
    log(`${this.name}: formatting storage (cluster ${clusterId})`);
    await runCommand(
      java.javaBin,
      [...(this.options.c1Only ? ['-XX:TieredStopAtLevel=1'] : []), `-Dlog4j2.configurationFile=${this.log4jProperties}`, '-cp', this.cluster.classpath(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', this.serverProperties, '--ignore-formatted'],
      { what: `${this.name}: kafka StorageTool format` },
    );
  }

  async launch(): Promise<LaunchSpec> {
    const java = await requireJava();
    return {
      command: java.javaBin,
      args: [...kafkaJvmArgs(this.options.heap, this.log4jProperties, this.options.c1Only), '-cp', this.cluster.classpath(), 'kafka.Kafka', this.serverProperties],
      env: process.env,
      cwd: this.confDir,
    };
  }

  async probe(): Promise<ProbeResult> {
    const kafka = new Kafka({
      clientId: 'stack-health',
      brokers: [`127.0.0.1:${this.node.port}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 3000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const described = await admin.describeCluster();
      if (!described.brokers.some((b) => b.nodeId === this.node.nodeId)) return unhealthy(`node ${this.node.nodeId} not yet registered`);
      if (described.brokers.length < this.cluster.nodes.length) {
        return unhealthy(`${described.brokers.length} of ${this.cluster.nodes.length} brokers registered`);
      }
      await admin.listTopics();
      return healthy(`${described.brokers.length} broker(s)`);
    } catch (err) {
      return unhealthy(err instanceof Error ? err.message : String(err));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
