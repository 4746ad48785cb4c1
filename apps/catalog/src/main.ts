import 'reflect-metadata';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { serveCatalog } from './catalog-serve';
import { catalogConfigSchema } from './catalog.config';

/** The catalogue process: index setup, sink, search HTTP. Any boot failure exits non-zero with a reason. */
serveCatalog(loadConfigOrExit(catalogConfigSchema), createLogger('catalog')).catch((err: unknown) => {
  process.stderr.write(`catalog failed to start: ${reasonOf(err)}\n`);
  process.exit(1);
});
