import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { K8S_APPS, type K8sApp } from './k8s-apps';

/** One rendered file: its name under deploy/k8s/manifests and its YAML documents. */
export interface RenderedFile {
  readonly file: string;
  readonly documents: readonly object[];
}

export const NAMESPACE = 'stylestream';
const IMAGE = 'ghcr.io/stylestream/stylestream:0.1.0';
const CONFIG_MAP = 'stylestream-config';
const SECRET = 'stylestream-secrets';

type Labels = Record<string, string>;
const fullName = (app: K8sApp): string => `stylestream-${app.name}`;
const selectorLabels = (app: K8sApp): Labels => ({ 'app.kubernetes.io/name': fullName(app), 'app.kubernetes.io/instance': 'stylestream' });
const labels = (app: K8sApp): Labels => ({ ...selectorLabels(app), 'app.kubernetes.io/part-of': 'stylestream', 'app.kubernetes.io/version': '0.1.0' });
const meta = (name: string, extra: Labels = {}): object => ({ name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'stylestream', ...extra } });

/** Addresses every app shares; production points them at its own brokers, registry and stores. */
export const SHARED_CONFIG: Readonly<Record<string, string>> = {
  KAFKA_BROKERS: 'kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092',
  KAFKA_REPLICATION_FACTOR: '3',
  KAFKA_TOPIC_PARTITIONS: '12',
  SCHEMA_REGISTRY_URL: 'http://schema-registry:8081',
  ELASTICSEARCH_URL: 'http://elasticsearch:9200',
  CLICKHOUSE_URL: 'http://clickhouse:8123',
  LOG_LEVEL: 'info',
};

function container(app: K8sApp): object {
  const env: object[] = [
    { name: app.portEnv, value: String(app.port) },
    { name: app.hostEnv, value: '0.0.0.0' },
    { name: 'APP', value: app.name },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'KAFKA_CLIENT_ID', value: `stylestream-${app.name}-$(POD_NAME)` },
    ...Object.entries(app.env ?? {}).map(([name, value]) => ({ name, value })),
    ...(app.secrets ?? []).map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: SECRET, key } } })),
    ...(app.volume === undefined ? [] : [{ name: app.volume.envVar, value: app.volume.path }]),
  ];
  const probe = (path: string, periodSeconds: number, failureThreshold: number): object => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  return {
    name: app.name,
    image: IMAGE,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: app.port, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: CONFIG_MAP } }],
    env,
    resources: {
      requests: { cpu: app.resources.cpu, memory: app.resources.memory },
      limits: { memory: app.resources.memoryLimit, ...(app.resources.cpuLimit === undefined ? {} : { cpu: app.resources.cpuLimit }) },
    },
    // Startup covers model and shard loading; liveness is only "the process
    // serves HTTP"; readiness is the app's own probes (Kafka connected, model
    // loaded, shards loaded) so a pod takes traffic only when it can answer.
    startupProbe: probe('/healthz', 5, Math.ceil(app.startupSeconds / 5)),
    livenessProbe: probe('/healthz', 10, 3),
    readinessProbe: probe('/readyz', 5, 2),
    securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(app.volume === undefined ? [] : [{ name: 'data', mountPath: '/data' }])],
  };
}

function podTemplate(app: K8sApp): object {
  return {
    metadata: {
      labels: labels(app),
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(app.port), 'prometheus.io/path': '/metrics' },
    },
    spec: {
      terminationGracePeriodSeconds: app.terminationGraceSeconds,
      securityContext: { fsGroup: 1000 },
      containers: [container(app)],
      volumes: [{ name: 'tmp', emptyDir: {} }],
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(app) } },
      ],
    },
  };
}

function workload(app: K8sApp): object {
  if (app.workload === 'StatefulSet') {
    if (app.volume === undefined) throw new Error(`${app.name}: a StatefulSet needs a volume`);
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { ...meta(fullName(app), labels(app)) },
      spec: {
        serviceName: fullName(app),
        replicas: app.replicas,
        // Writers start in parallel: each loads only the shards of its partitions.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selectorLabels(app) },
        template: podTemplate(app),
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: app.volume.size } } } },
        ],
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(fullName(app), labels(app)),
    spec: {
      replicas: app.replicas,
      selector: { matchLabels: selectorLabels(app) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: podTemplate(app),
    },
  };
}

function service(app: K8sApp): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(fullName(app), labels(app)),
    spec: {
      // Index-writers are addressed one by one (the search API fans out to each).
      ...(app.workload === 'StatefulSet' ? { clusterIP: 'None', publishNotReadyAddresses: false } : { type: 'ClusterIP' }),
      selector: selectorLabels(app),
      ports: [{ name: 'http', port: app.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function autoscaler(app: K8sApp): object[] {
  if (app.autoscale === undefined) return [];
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(fullName(app), labels(app)),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: fullName(app) },
        minReplicas: app.autoscale.min,
        maxReplicas: app.autoscale.max,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: app.autoscale.cpuPercent } } }],
        // Consumers rebalance on every scale step: scale down slowly.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } },
      },
    },
  ];
}

function disruptionBudget(app: K8sApp): object {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(fullName(app), labels(app)),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(app) } },
  };
}

/** Prometheus rule files and Grafana dashboards as config maps, read from the repository. */
function filesConfigMap(name: string, dir: string, suffix: string, extraLabels: Labels): object {
  const data: Record<string, string> = {};
  const names = existsSync(dir) ? readdirSync(dir) : [];
  for (const file of names.filter((f) => f.endsWith(suffix)).sort()) data[file] = readFileSync(join(dir, file), 'utf8');
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, extraLabels), data };
}

function prometheusScrapeConfig(): object {
  const scrape = {
    scrape_configs: [
      {
        job_name: 'stylestream',
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [NAMESPACE] } }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
          { source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'], action: 'replace', regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__' },
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'app', regex: 'stylestream-(.+)', replacement: '$1' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
        ],
      },
    ],
    rule_files: ['/etc/prometheus/rules/stylestream/*.yml'],
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('stylestream-prometheus-scrape', { 'app.kubernetes.io/component': 'monitoring' }),
    data: { 'stylestream-scrape.yml': stringify(scrape) },
  };
}

/** Every manifest, file by file, in a stable order. */
export function renderManifests(repoRoot: string): RenderedFile[] {
  const files: RenderedFile[] = [
    { file: '00-namespace.yaml', documents: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'stylestream' } } }] },
    { file: '01-config.yaml', documents: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(CONFIG_MAP), data: { ...SHARED_CONFIG } }] },
    {
      file: '02-secrets.example.yaml',
      documents: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: meta(SECRET),
          type: 'Opaque',
          // Example values: replace them (sealed-secrets, external-secrets or `kubectl create secret`).
          stringData: { INGEST_API_KEYS: 'crawler-a:change-me', SEARCH_API_KEYS: 'dashboard:change-me', CLICKHOUSE_PASSWORD: 'change-me' },
        },
      ],
    },
  ];
  for (const app of K8S_APPS) {
    files.push({
      file: `10-${app.name}.yaml`,
      documents: [workload(app), service(app), ...autoscaler(app), ...(app.replicas > 1 ? [disruptionBudget(app)] : [])],
    });
  }
  files.push({
    file: '20-monitoring.yaml',
    documents: [
      prometheusScrapeConfig(),
      filesConfigMap('stylestream-alert-rules', join(repoRoot, 'alerts'), '.yml', { 'app.kubernetes.io/component': 'monitoring', prometheus_rule: '1' }),
      filesConfigMap('stylestream-grafana-dashboards', join(repoRoot, 'deploy', 'grafana'), '.json', { 'app.kubernetes.io/component': 'monitoring', grafana_dashboard: '1' }),
    ],
  });
  return files;
}

const HEADER = '# Rendered by `npm run deploy -- render` from deploy/k8s/k8s-apps.ts; edit that, not this file.\n';

/** The text of one rendered file. */
export function toYaml(file: RenderedFile): string {
  return HEADER + file.documents.map((doc) => `---\n${stringify(doc, { lineWidth: 0 })}`).join('');
}
