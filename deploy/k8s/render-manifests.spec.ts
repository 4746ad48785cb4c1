import { join } from 'node:path';
import { findRepoRoot } from '@stylestream/schemas';
import { staleManifests } from './deploy-cli-support';
import { K8S_APPS } from './k8s-apps';
import { renderManifests } from './render-manifests';

interface Doc {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}
type Container = {
  ports: { containerPort: number }[];
  env: { name: string; value?: string }[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
};
const root = findRepoRoot();
const docs = (): Doc[] => renderManifests(root).flatMap((f) => f.documents as Doc[]);
const podContainer = (doc: Doc): Container => {
  const template = doc.spec?.template as { spec: { containers: Container[] } };
  return template.spec.containers[0];
};

describe('Kubernetes manifests', () => {
  it('are committed exactly as rendered (run `npm run deploy -- render` after changing deploy/k8s, alerts/ or deploy/grafana)', () => {
    expect(staleManifests(root, join(root, 'deploy', 'k8s', 'manifests'))).toEqual([]);
  });

  it('give every app a workload with probes on its real health endpoints, resources and its port', () => {
    const all = docs();
    for (const app of K8S_APPS) {
      const workload = all.find((d) => (d.kind === 'Deployment' || d.kind === 'StatefulSet') && d.metadata.name === `stylestream-${app.name}`);
      expect(workload?.kind).toBe(app.workload);
      const c = podContainer(workload as Doc);
      expect(c.ports[0].containerPort).toBe(app.port);
      expect(c.env).toContainEqual({ name: app.portEnv, value: String(app.port) });
      expect(c.env).toContainEqual({ name: app.hostEnv, value: '0.0.0.0' });
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.resources.requests.memory).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
  });

  it('autoscale the stateless stages only, and keep index shards on StatefulSet volumes', () => {
    const all = docs();
    const scaled = all.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.metadata.name);
    expect(scaled).toEqual(expect.arrayContaining(['stylestream-extractor', 'stylestream-search-api', 'stylestream-ingest']));
    expect(scaled).not.toContain('stylestream-index-writer');
    const writer = all.find((d) => d.kind === 'StatefulSet' && d.metadata.name === 'stylestream-index-writer');
    expect(writer?.spec?.volumeClaimTemplates).toHaveLength(1);
  });

  it('wire every alert rule file into the rules config map', () => {
    const rules = docs().find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'stylestream-alert-rules') as unknown as { data: Record<string, string> };
    expect(Object.keys(rules.data)).toEqual(expect.arrayContaining(['pipeline.yml', 'stages.yml', 'stack.yml']));
  });
});
