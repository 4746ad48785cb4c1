import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElasticsearchDistInstaller } from './elasticsearch/elasticsearch-dist.installer';
import { ElasticsearchService } from './elasticsearch/elasticsearch.service';
import { AptPackagesInstaller } from './install/apt-packages.installer';
import { KafkaCluster } from './kafka/kafka-cluster';
import { KafkaNodeAddress } from './kafka/kafka-config';
import { KafkaJarsInstaller } from './kafka/kafka-jars.installer';
import { KafkaNodeService } from './kafka/kafka-node.service';
import { ALERTMANAGER_BINARY, AlertmanagerService } from './prometheus/alertmanager.service';
import { PrometheusService } from './prometheus/prometheus.service';
import { SchemaRegistryService } from './services/schema-registry.service';
import { StackService } from './services/stack-service';
import { StackLayout } from './stack-layout';
import { clientEnvironment, kafkaNodePorts, STACK_VERSIONS, StackSettings } from './stack-settings';

/** The services of one topology, in start order within each wave. */
export function buildStackServices(settings: StackSettings, brokers: number): StackService[] {
  const layout = new StackLayout(settings.stackDir);
  const localDir = join(settings.repoDir, 'deploy', 'local');
  const jars = new KafkaJarsInstaller(layout.install(`kafka-${STACK_VERSIONS.kafka}`), join(localDir, 'kafka', 'pom.xml'));
  const nodes: KafkaNodeAddress[] = Array.from({ length: brokers }, (_, i) => ({ nodeId: i + 1, ...kafkaNodePorts(settings, i + 1) }));
  const cluster = new KafkaCluster(nodes, join(layout.data('kafka'), `brokers-${brokers}`), jars.libsDir);
  const kafkaNodes = nodes.map(
    (node) =>
      new KafkaNodeService(node, cluster, jars, layout.conf(`kafka-${node.nodeId}`), {
        heap: settings.kafka.heap,
        autoCreateTopics: settings.kafka.autoCreateTopics,
        c1Only: settings.jvmC1Only,
        startDeadlineMs: settings.kafka.startDeadlineMs,
      }),
  );
  const esDist = new ElasticsearchDistInstaller(layout.install(`elasticsearch-${STACK_VERSIONS.elasticsearch}`), STACK_VERSIONS.elasticsearch);
  const elasticsearch = new ElasticsearchService(
    esDist,
    STACK_VERSIONS.elasticsearch,
    { conf: layout.conf('elasticsearch'), data: layout.data('elasticsearch'), logs: join(layout.logsDir, 'elasticsearch'), tmp: join(settings.stackDir, 'tmp', 'elasticsearch') },
    { ...settings.elasticsearch, c1Only: settings.jvmC1Only },
  );
  const apt = new AptPackagesInstaller('prometheus+alertmanager (apt)', ['prometheus', 'prometheus-alertmanager'], ['prometheus', 'promtool', ALERTMANAGER_BINARY]);
  const prometheus = new PrometheusService(
    apt,
    {
      template: join(settings.repoDir, 'deploy', 'prometheus', 'prometheus.yml'),
      alertsDir: join(settings.repoDir, 'alerts'),
      confDir: layout.conf('prometheus'),
      dataDir: layout.data('prometheus'),
    },
    { port: settings.prometheus.port, alertmanagerPort: settings.alertmanager.port },
  );
  const alertmanager = new AlertmanagerService(
    apt,
    { config: join(settings.repoDir, 'deploy', 'alertmanager', 'alertmanager.yml'), confDir: layout.conf('alertmanager'), dataDir: layout.data('alertmanager') },
    settings.alertmanager.port,
  );
  const registry = new SchemaRegistryService(settings.repoDir, settings.schemaRegistry.port, clientEnvironment(settings, brokers).KAFKA_BROKERS ?? '', kafkaNodes.map((n) => n.name), settings.schemaRegistry.startDeadlineMs);
  return [...kafkaNodes, elasticsearch, prometheus, alertmanager, registry];
}

/** What the last `up` chose; `status` and `down` read it. */
export interface StackTopology {
  readonly brokers: number;
}

export function readTopology(layout: StackLayout): StackTopology {
  if (!existsSync(layout.topologyFile)) return { brokers: 1 };
  try {
    const value = JSON.parse(readFileSync(layout.topologyFile, 'utf8')) as Partial<StackTopology>;
    return { brokers: typeof value.brokers === 'number' && value.brokers >= 1 ? value.brokers : 1 };
  } catch {
    return { brokers: 1 };
  }
}

export function writeTopology(layout: StackLayout, topology: StackTopology): void {
  mkdirSync(layout.runDir, { recursive: true });
  writeFileSync(layout.topologyFile, `${JSON.stringify(topology)}\n`);
}
