import { type MessageCodec, type StageRoute, stageRoute } from '@stylestream/kafka';
import { imageArrivedContract, indexUpdatedContract, vectorCleanedContract } from '@stylestream/schemas';
import type { AnalyticsSinkService } from './analytics-sink.service';

export interface AnalyticsTopics {
  readonly imageArrived: string;
  readonly vectorCleaned: string;
  readonly indexUpdated: string;
}

/** The three routes of the analytics stage: decode, then one sink method each. */
export function analyticsRoutes(codec: MessageCodec, sink: AnalyticsSinkService, topics: AnalyticsTopics): StageRoute[] {
  return [
    stageRoute(imageArrivedContract.onTopic(topics.imageArrived), codec, (m) => sink.imageArrived(m)),
    stageRoute(vectorCleanedContract.onTopic(topics.vectorCleaned), codec, (m) => sink.vectorCleaned(m)),
    stageRoute(indexUpdatedContract.onTopic(topics.indexUpdated), codec, (m) => sink.indexUpdated(m)),
  ];
}
