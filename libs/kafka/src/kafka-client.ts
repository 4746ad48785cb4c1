import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config/kafka.config';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The kafkajs client of a process, logging through the app's pino logger. */
export function createKafkaClient(config: KafkaConfig, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = LEVELS[entry.level] ?? 'info';
      const { message, ...rest } = entry.log;
      kafkaLogger[level]({ namespace: entry.namespace, ...rest }, message);
    },
  });
}
