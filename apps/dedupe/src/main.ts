import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { dedupeConfigSchema } from './dedupe.config';
import { startDedupe } from './dedupe.runtime';

/** The dedupe process: vector-extracted → (global state from dedupe-state) → vector-cleaned. */
const logger = createLogger('dedupe');
startDedupe(loadConfigOrExit(dedupeConfigSchema), logger)
  .then((runtime) => stopOnSignals(() => runtime.stop(), logger))
  .catch((err: unknown) => {
    process.stderr.write(`dedupe failed to start: ${reasonOf(err)}\n`);
    process.exit(1);
  });
