/** Injection tokens of KafkaModule. */
export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const MESSAGE_CODEC = Symbol('MESSAGE_CODEC');
export const KAFKA_LOGGER = Symbol('KAFKA_LOGGER');
