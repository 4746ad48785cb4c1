import { type BatchStageRoute, type MessageCodec, stageBatchRoute } from '@stylestream/kafka';
import { imageArrivedContract, indexUpdatedContract, vectorCleanedContract } from '@stylestream/schemas';
import type { AnalyticsSinkService } from './analytics-sink.service';

export interface AnalyticsTopics {
  readonly imageArrived: string;
  readonly vectorCleaned: string;
  readonly indexUpdated: string;
}

/**
 * The three batch routes of the analytics stage: decode, then one sink batch
 * handler each. A partition's fetched batch is handed over whole (split at
 * `maxMessagesPerCall`, the batcher's row limit, so one call fits one insert).
 */
export function analyticsRoutes(codec: MessageCodec, sink: AnalyticsSinkService, topics: AnalyticsTopics, maxMessagesPerCall: number): BatchStageRoute[] {
  const perCall = { maxMessagesPerCall };
  return [
    stageBatchRoute(imageArrivedContract.onTopic(topics.imageArrived), codec, sink.imageArrivedBatch, perCall),
    stageBatchRoute(vectorCleanedContract.onTopic(topics.vectorCleaned), codec, sink.vectorCleanedBatch, perCall),
    stageBatchRoute(indexUpdatedContract.onTopic(topics.indexUpdated), codec, sink.indexUpdatedBatch, perCall),
  ];
}
