import 'reflect-metadata';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { searchApiConfigSchema } from '../../apps/search-api/src/search-api.config';
import { serveSearchApi } from '../../apps/search-api/src/search-api.serve';
import { SyntheticLabelCatalog } from './search-label.catalog';

/**
 * The search API process of the benchmark: the real app, its catalogue
 * replaced by the synthetic label index of BENCH_N rows, or (BENCH_CATALOG=es)
 * the real Elasticsearch catalogue at ELASTICSEARCH_URL / CATALOG_ALIAS.
 */
const n = Number(process.env.BENCH_N ?? '0');
const adapters = process.env.BENCH_CATALOG === 'es' ? {} : { candidateSource: new SyntheticLabelCatalog(n) };
serveSearchApi(loadConfigOrExit(searchApiConfigSchema), createLogger('search-api'), adapters).catch((err: unknown) => {
  process.stderr.write(`search bench server failed to start: ${reasonOf(err)}\n`);
  process.exit(1);
});
