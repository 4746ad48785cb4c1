/** The fixed topic names of the chain (see BRIEF: "topic names are fixed"). */
export const TOPICS = {
  imageArrived: 'image-arrived',
  vectorExtracted: 'vector-extracted',
  vectorCleaned: 'vector-cleaned',
  indexUpdated: 'index-updated',
} as const;

export type ChainTopic = (typeof TOPICS)[keyof typeof TOPICS];

/** Every chain topic, in chain order. */
export const CHAIN_TOPICS: readonly ChainTopic[] = Object.values(TOPICS);

/** Suffix of every dead-letter topic: `<input-topic>.dlq`. */
export const DLQ_SUFFIX = '.dlq';

/** The dead-letter topic of a stage consuming `inputTopic`, e.g. `image-arrived.dlq`. */
export function dlqTopicOf(inputTopic: string): string {
  return `${inputTopic}${DLQ_SUFFIX}`;
}

/** Confluent TopicNameStrategy value subject of a topic: `<topic>-value`. */
export function valueSubjectOf(topic: string): string {
  return `${topic}-value`;
}
