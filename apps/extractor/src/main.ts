import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { collectProcessMetrics } from '@stylestream/metrics';
import { extractorConfigSchema } from './extractor.config';
import { startExtractor } from './extractor.runtime';

/** The extractor process: image-arrived → fetch, decode, embed → vector-extracted. */
const logger = createLogger('extractor');
collectProcessMetrics('extractor');
startExtractor(loadConfigOrExit(extractorConfigSchema), logger)
  .then((runtime) => stopOnSignals(() => runtime.stop(), logger))
  .catch((err: unknown) => {
    process.stderr.write(`extractor failed to start: ${reasonOf(err)}\n`);
    process.exit(1);
  });
