import { ApiProperty } from '@nestjs/swagger';
import { GROUP_STATUSES, GroupStatus } from '../domain/group-status';
import type { GroupLag, LagReport, PartitionLag, TopicFreshness } from '../domain/lag-report';

/** OpenAPI shapes of GET /v1/lag; the controller returns the domain LagReport, these only describe it. */
export class PartitionLagDto implements PartitionLag {
  @ApiProperty({ example: 'image-arrived' }) topic!: string;
  @ApiProperty({ example: 0 }) partition!: number;
  @ApiProperty({ example: 1200, description: '-1: the group never committed on this partition (lag counts from the earliest offset)' }) committedOffset!: number;
  @ApiProperty({ example: 1250 }) endOffset!: number;
  @ApiProperty({ example: 50 }) lag!: number;
  @ApiProperty({ example: 12.5, description: 'estimated age of the oldest unconsumed message, seconds' }) lagSeconds!: number;
  @ApiProperty({ description: 'true: the message predates the monitor’s memory, the age is at least lagSeconds' }) lagSecondsIsLowerBound!: boolean;
  @ApiProperty({ enum: GROUP_STATUSES }) status!: GroupStatus;
}

export class GroupLagDto implements GroupLag {
  @ApiProperty({ example: 'extractor' }) group!: string;
  @ApiProperty({ example: 'Stable', description: 'Kafka group state' }) state!: string;
  @ApiProperty({ example: 2 }) members!: number;
  @ApiProperty({ enum: GROUP_STATUSES }) status!: GroupStatus;
  @ApiProperty({ example: 50 }) totalLag!: number;
  @ApiProperty({ example: 12.5 }) maxLagSeconds!: number;
  @ApiProperty({ example: 10, description: 'samples held; WARN/STALL/STOP need windowSize of them' }) samples!: number;
  @ApiProperty({ example: 10 }) windowSize!: number;
  @ApiProperty({ type: [PartitionLagDto] }) partitions!: PartitionLagDto[];
}

export class TopicFreshnessDto implements TopicFreshness {
  @ApiProperty({ example: 'vector-extracted' }) topic!: string;
  @ApiProperty({ example: 98000, description: 'sum of the partitions’ log end offsets' }) endOffset!: number;
  @ApiProperty({ type: String, nullable: true, example: '2025-01-01T00:00:00.000Z', description: 'when the end offset was last seen to advance' }) lastProducedAt!: string | null;
}

export class LagReportDto implements LagReport {
  @ApiProperty({ type: String, nullable: true, description: 'when the poll behind this report finished; null before the first' }) polledAt!: string | null;
  @ApiProperty({ example: 15000 }) pollIntervalMs!: number;
  @ApiProperty({ type: [GroupLagDto] }) groups!: GroupLagDto[];
  @ApiProperty({ type: [TopicFreshnessDto] }) topics!: TopicFreshnessDto[];
}
