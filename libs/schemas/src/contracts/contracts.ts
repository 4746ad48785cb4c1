import type { DeadLetter, ImageArrived, IndexUpdated, VectorCleaned, VectorExtracted } from '../events';
import { CHAIN_TOPICS, TOPICS, dlqTopicOf } from '../topics';
import { fileContract, type TopicContract } from './topic-contract';

/** `image-arrived`: one image per crawler event; key imageId; null value = take-down tombstone. */
export const imageArrivedContract: TopicContract<ImageArrived> = fileContract('image-arrived', TOPICS.imageArrived);
/** `vector-extracted`: the embedding of one image; key imageId. */
export const vectorExtractedContract: TopicContract<VectorExtracted> = fileContract('vector-extracted', TOPICS.vectorExtracted);
/** `vector-cleaned`: a vector with its dedup verdict; key imageId. */
export const vectorCleanedContract: TopicContract<VectorCleaned> = fileContract('vector-cleaned', TOPICS.vectorCleaned);
/** `index-updated`: progress of one index shard; key shardId. */
export const indexUpdatedContract: TopicContract<IndexUpdated> = fileContract('index-updated', TOPICS.indexUpdated);

/** The dead-letter envelope contract on `<inputTopic>.dlq` (subject `<inputTopic>.dlq-value`). */
export function deadLetterContractFor(inputTopic: string): TopicContract<DeadLetter> {
  return fileContract<DeadLetter>('dead-letter', dlqTopicOf(inputTopic));
}

/** The dead-letter contract of the first stage (`image-arrived.dlq`); use deadLetterContractFor(input) for others. */
export const deadLetterContract: TopicContract<DeadLetter> = deadLetterContractFor(TOPICS.imageArrived);

/** The four chain contracts in chain order. */
export const CHAIN_CONTRACTS = [imageArrivedContract, vectorExtractedContract, vectorCleanedContract, indexUpdatedContract] as const;

/** Every subject the platform registers: the four chain topics and the dead-letter topic of each. */
export function allContracts(): TopicContract<unknown>[] {
  return [...CHAIN_CONTRACTS, ...CHAIN_TOPICS.map((topic) => deadLetterContractFor(topic))];
}
