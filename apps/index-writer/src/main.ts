import 'reflect-metadata';
import { loadConfigOrExit } from '@stylestream/config';
import { reasonOf } from '@stylestream/errors';
import { stopOnSignals } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { collectProcessMetrics } from '@stylestream/metrics';
import { indexWriterConfigSchema, startIndexWriter } from '@stylestream/index-writer';

/** The index-writer process: vector-cleaned → HNSW shards on disk → index-updated, plus the k-NN endpoint. */
const logger = createLogger('index-writer');
const config = loadConfigOrExit(indexWriterConfigSchema);
if (config.METRICS_ENABLED) collectProcessMetrics('index-writer');
startIndexWriter(config, logger, (reason) => {
  // A dead shard worker lost its partitions' in-memory state: restart from the snapshots.
  process.stderr.write(`index-writer: shard worker died (${reason}); exiting\n`);
  process.exit(1);
})
  .then((runtime) => stopOnSignals(() => runtime.stop(), logger))
  .catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    process.stderr.write(`index-writer failed to start: ${code === 'EADDRINUSE' ? 'port in use: ' : ''}${reasonOf(err)}\n`);
    process.exit(1);
  });
