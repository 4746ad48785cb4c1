import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { indexWriterConfigSchema } from './index-writer.config';
import { startIndexWriter } from './index-writer.runtime';

/** The index-writer process: vector-cleaned → HNSW shards on disk → index-updated. */
const logger = createLogger('index-writer');
startIndexWriter(loadConfigOrExit(indexWriterConfigSchema), logger)
  .then((runtime) => stopOnSignals(() => runtime.stop(), logger))
  .catch((err: unknown) => {
    process.stderr.write(`index-writer failed to start: ${reasonOf(err)}\n`);
    process.exit(1);
  });
