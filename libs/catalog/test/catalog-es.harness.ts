import type { Client } from '@elastic/elasticsearch';
import { stack, uniqueName } from '@stylestream/test-support';
import { CatalogIndexLifecycle, createElasticsearchClient } from '../src';

/**
 * Real Elasticsearch from the local stack (ELASTICSEARCH_URL). Every test gets
 * its own alias, template and indices (unique prefix), deleted in cleanup().
 */
export class CatalogEsHarness {
  readonly client: Client = createElasticsearchClient({ node: stack.elasticsearchUrl });
  readonly alias = uniqueName('catalog-test');
  readonly shardsIndex = `${this.alias}-shards`;
  readonly lifecycle = new CatalogIndexLifecycle(this.client, { alias: this.alias, shardsIndex: this.shardsIndex, refreshInterval: '100ms' });

  async cleanup(): Promise<void> {
    await this.client.indices.delete({ index: `${this.alias}*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await this.client.indices.deleteIndexTemplate({ name: `${this.alias}-template` }).catch(() => undefined);
    await this.client.close();
  }
}
