import 'reflect-metadata';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { searchApiConfigSchema } from './search-api.config';
import { serveSearchApi } from './search-api.serve';

/** The search API process. Any boot failure exits non-zero with a reason. */
serveSearchApi(loadConfigOrExit(searchApiConfigSchema), createLogger('search-api')).catch((err: unknown) => {
  process.stderr.write(`search-api failed to start: ${reasonOf(err)}\n`);
  process.exit(1);
});
