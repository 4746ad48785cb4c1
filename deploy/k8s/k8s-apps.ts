/**
 * What each StyleStream app needs in a Kubernetes cluster. The manifests under
 * deploy/k8s/manifests are rendered from this table (`npm run deploy -- render`)
 * so ports, probes and resources cannot drift between apps.
 */
export interface K8sApp {
  /** Directory under apps/ and the Kubernetes name (prefixed `stylestream-`). */
  readonly name: string;
  readonly summary: string;
  /** Variable the app reads its HTTP port from, and that port. */
  readonly portEnv: string;
  readonly port: number;
  /** Variable the app reads its listen address from (set to 0.0.0.0 in a pod). */
  readonly hostEnv: string;
  readonly workload: 'Deployment' | 'StatefulSet';
  readonly replicas: number;
  /** Horizontal autoscaling for stateless stages (bounded by the topic's partitions). */
  readonly autoscale?: { readonly min: number; readonly max: number; readonly cpuPercent: number };
  readonly resources: { readonly cpu: string; readonly memory: string; readonly cpuLimit?: string; readonly memoryLimit: string };
  /** App-specific environment beyond the shared config map. */
  readonly env?: Readonly<Record<string, string>>;
  /** Secret keys (in the `stylestream-secrets` Secret) exposed as variables of the same name. */
  readonly secrets?: readonly string[];
  /** Persistent volume for the app's data dir (mounted at /data). */
  readonly volume?: { readonly size: string; readonly envVar: string; readonly path: string };
  /** Exposed outside the cluster through the Service (ClusterIP otherwise internal only). */
  readonly public?: boolean;
  /** Seconds a pod gets after SIGTERM to finish in-flight work, commit and leave its group. */
  readonly terminationGraceSeconds: number;
  /** How long startup may take before liveness applies (model load, shard load). */
  readonly startupSeconds: number;
}

export const K8S_APPS: readonly K8sApp[] = [
  {
    name: 'ingest',
    summary: 'HTTP ingest of crawler events into image-arrived',
    portEnv: 'PORT',
    port: 8090,
    hostEnv: 'HOST',
    workload: 'Deployment',
    replicas: 2,
    autoscale: { min: 2, max: 8, cpuPercent: 70 },
    resources: { cpu: '250m', memory: '256Mi', memoryLimit: '512Mi' },
    secrets: ['INGEST_API_KEYS'],
    public: true,
    terminationGraceSeconds: 30,
    startupSeconds: 30,
  },
  {
    name: 'extractor',
    summary: 'image-arrived -> vector-extracted (sharp + onnxruntime-node)',
    portEnv: 'EXTRACTOR_HTTP_PORT',
    port: 8094,
    hostEnv: 'EXTRACTOR_HTTP_HOST',
    workload: 'Deployment',
    replicas: 2,
    autoscale: { min: 2, max: 12, cpuPercent: 75 },
    resources: { cpu: '2', memory: '1Gi', cpuLimit: '2', memoryLimit: '2Gi' },
    env: { MODEL_ID: 'mobilenet-v2-nsfwjs-h256', MODEL_INTRA_OP_THREADS: '2' },
    terminationGraceSeconds: 60,
    startupSeconds: 120,
  },
  {
    name: 'dedupe',
    summary: 'vector-extracted -> vector-cleaned, state in the compacted dedupe-state topic',
    portEnv: 'DEDUPE_HTTP_PORT',
    port: 8098,
    hostEnv: 'DEDUPE_HTTP_HOST',
    workload: 'Deployment',
    replicas: 2,
    autoscale: { min: 1, max: 6, cpuPercent: 75 },
    resources: { cpu: '500m', memory: '512Mi', memoryLimit: '2Gi' },
    terminationGraceSeconds: 60,
    startupSeconds: 300,
  },
  {
    name: 'index-writer',
    summary: 'vector-cleaned -> HNSW shards on a volume, serves k-NN to the search API',
    portEnv: 'INDEX_HTTP_PORT',
    port: 8097,
    hostEnv: 'INDEX_HTTP_HOST',
    workload: 'StatefulSet',
    replicas: 3,
    resources: { cpu: '2', memory: '4Gi', cpuLimit: '2', memoryLimit: '8Gi' },
    env: { INDEX_DIM: '256', INDEX_SHARD_CAPACITY: '1000000' },
    volume: { size: '50Gi', envVar: 'INDEX_DATA_DIR', path: '/data/index' },
    terminationGraceSeconds: 120,
    startupSeconds: 600,
  },
  {
    name: 'search-api',
    summary: 'search by image or vector, fan-out to the index-writers with deadlines',
    portEnv: 'SEARCH_HTTP_PORT',
    port: 8092,
    hostEnv: 'SEARCH_HTTP_HOST',
    workload: 'Deployment',
    replicas: 2,
    autoscale: { min: 2, max: 10, cpuPercent: 60 },
    resources: { cpu: '1', memory: '1Gi', cpuLimit: '2', memoryLimit: '2Gi' },
    env: {
      MODEL_ID: 'mobilenet-v2-nsfwjs-h256',
      SEARCH_SHARD_OWNERS:
        'http://stylestream-index-writer-0.stylestream-index-writer:8097,http://stylestream-index-writer-1.stylestream-index-writer:8097,http://stylestream-index-writer-2.stylestream-index-writer:8097',
    },
    secrets: ['SEARCH_API_KEYS'],
    public: true,
    terminationGraceSeconds: 30,
    startupSeconds: 120,
  },
  {
    name: 'analytics',
    summary: 'ClickHouse sinks and the trend / followed-blogger query API and dashboard',
    portEnv: 'PORT',
    port: 8093,
    hostEnv: 'HOST',
    workload: 'Deployment',
    replicas: 1,
    resources: { cpu: '500m', memory: '512Mi', memoryLimit: '1Gi' },
    secrets: ['CLICKHOUSE_PASSWORD'],
    public: true,
    terminationGraceSeconds: 60,
    startupSeconds: 60,
  },
  {
    name: 'catalog',
    summary: 'Elasticsearch catalogue sink and GET /v1/images',
    portEnv: 'PORT',
    port: 8096,
    hostEnv: 'HOST',
    workload: 'Deployment',
    replicas: 1,
    resources: { cpu: '500m', memory: '512Mi', memoryLimit: '1Gi' },
    terminationGraceSeconds: 60,
    startupSeconds: 60,
  },
  {
    name: 'lag-monitor',
    summary: 'Burrow-style consumer status, offset and time lag, topic freshness metrics',
    portEnv: 'PORT',
    port: 8095,
    hostEnv: 'HOST',
    workload: 'Deployment',
    replicas: 1,
    resources: { cpu: '100m', memory: '128Mi', memoryLimit: '256Mi' },
    terminationGraceSeconds: 15,
    startupSeconds: 30,
  },
];
