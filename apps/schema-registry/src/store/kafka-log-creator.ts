import { logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';
import type { Logger } from '@stylestream/logging';

/** Routes kafkajs log lines into the app's pino logger. */
export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
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
