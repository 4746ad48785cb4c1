import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseKnnRequest } from '../query/knn-request';
import { ShardQueryService, type KnnResponse, type ShardsResponse } from '../query/shard-query.service';

/** Settings the controller validates against. */
export class KnnLimits {
  constructor(
    readonly dim: number,
    readonly maxK: number,
  ) {}
}

/** The shard-owner k-NN contract: decodes (400 naming the field) and hands off to ShardQueryService. */
@ApiTags('knn')
@Controller('v1')
export class KnnController {
  constructor(
    @Inject(ShardQueryService) private readonly queries: ShardQueryService,
    @Inject(KnnLimits) private readonly limits: KnnLimits,
  ) {}

  @Post('knn')
  @HttpCode(200)
  @ApiOperation({ summary: 'Top-k neighbours of a vector over the shards this writer owns; filterIds restricts the ids returned' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['vector', 'k'],
      properties: {
        vector: { type: 'array', items: { type: 'number' } },
        k: { type: 'integer' },
        ef: { type: 'integer' },
        modelVersion: { type: 'string' },
        filterIds: { type: 'array', items: { type: 'string' } },
        excludeIds: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  knn(@Body() body: unknown): Promise<KnnResponse> {
    return this.queries.knn(parseKnnRequest(body, this.limits.dim, this.limits.maxK));
  }

  @Get('shards')
  @ApiOperation({ summary: 'Owned partitions and their shards' })
  shards(): Promise<ShardsResponse> {
    return this.queries.shards();
  }

  @Get('vectors/:id')
  @ApiOperation({ summary: 'The stored vector of one image (404 when this owner does not hold it or serves another model version)' })
  @ApiQuery({ name: 'modelVersion', required: false })
  vector(@Param('id') id: string, @Query('modelVersion') modelVersion?: string): Promise<{ id: string; modelVersion: string; vector: number[] }> {
    return this.queries.vector(id, typeof modelVersion === 'string' && modelVersion.length > 0 ? modelVersion : undefined);
  }

  @Get('ids')
  @ApiOperation({ summary: 'Every image id held by this owner (operations and reliability checks)' })
  ids(): Promise<{ owner: string; count: number; ids: string[] }> {
    return this.queries.ids();
  }
}
