import { logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';
import type { Logger } from '@stylestream/logging';

/**
 * Warnings that are expected here: the writer bounds its retries on purpose
 * (a request must fail rather than hang; re-sent records are idempotent facts).
 */
const EXPECTED = ['Limiting retries for the idempotent producer'];

/** Routes kafkajs log lines into the app's pino logger. */
export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      if (EXPECTED.some((text) => message.startsWith(text))) {
        logger.debug({ kafka: extra }, message);
        return;
      }
      switch (level) {
        case KafkaLogLevel.ERROR:
          logger.error({ kafka: extra }, message);
          return;
        case KafkaLogLevel.WARN:
          logger.warn({ kafka: extra }, message);
          return;
        case KafkaLogLevel.INFO:
          logger.debug({ kafka: extra }, message);
          return;
        case KafkaLogLevel.DEBUG:
        case KafkaLogLevel.NOTHING:
          return;
      }
    };
}
