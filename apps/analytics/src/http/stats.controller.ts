import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IMAGE_SOURCES, LABEL_DIMENSIONS } from '@stylestream/schemas';
import { AnalyticsQueryService, type FollowedBloggerStats, type RisingLabel, type TrendStats } from '../query/analytics-query.service';
import { MAX_FOLLOWED_BLOGGERS, parseFollowedRequest, parseRisingRequest, parseTrendRequest } from '../query/stats-request';

const whereDoc = { name: 'where', required: false, description: 'label conditions, ANDed: `category:dress,color:red`' };
const sourceDoc = { name: 'source', required: false, description: `sources, ORed: comma-separated of ${IMAGE_SOURCES.join(', ')}` };
const uniqueDoc = { name: 'uniqueOnly', required: false, enum: ['true', 'false'], description: 'exclude images dedupe marked as duplicates' };

/** Decodes parameters (400 naming the bad one) and hands off to AnalyticsQueryService. */
@ApiTags('stats')
@Controller('v1/stats')
export class StatsController {
  constructor(@Inject(AnalyticsQueryService) private readonly queries: AnalyticsQueryService) {}

  @Get('trends')
  @ApiOperation({ summary: 'Label counts of one dimension in a quarter, change vs the previous quarter, and shares' })
  @ApiQuery({ name: 'quarter', example: '2025Q2' })
  @ApiQuery({ name: 'dimension', enum: LABEL_DIMENSIONS })
  @ApiQuery(whereDoc)
  @ApiQuery(sourceDoc)
  @ApiQuery(uniqueDoc)
  @ApiQuery({ name: 'limit', required: false, example: 50 })
  @ApiOkResponse({ description: 'TrendStats' })
  trends(@Query() query: Record<string, unknown>): Promise<TrendStats> {
    return this.queries.trend(parseTrendRequest(query));
  }

  @Get('rising')
  @ApiOperation({ summary: 'Labels with the largest increase over the previous quarter (all dimensions unless one is given)' })
  @ApiQuery({ name: 'quarter', example: '2025Q2' })
  @ApiQuery({ name: 'dimension', enum: LABEL_DIMENSIONS, required: false })
  @ApiQuery(whereDoc)
  @ApiQuery(sourceDoc)
  @ApiQuery(uniqueDoc)
  @ApiQuery({ name: 'limit', required: false, example: 10 })
  rising(@Query() query: Record<string, unknown>): Promise<RisingLabel[]> {
    return this.queries.rising(parseRisingRequest(query));
  }

  @Post('followed-bloggers')
  @HttpCode(200)
  @ApiOperation({ summary: `Statistics over the images of up to ${MAX_FOLLOWED_BLOGGERS} bloggers: by label value, source and quarter` })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['bloggerIds', 'dimension'],
      properties: {
        bloggerIds: { type: 'array', items: { type: 'string' }, maxItems: MAX_FOLLOWED_BLOGGERS },
        dimension: { type: 'string', enum: [...LABEL_DIMENSIONS] },
        quarters: { type: 'array', items: { type: 'string', example: '2025Q2' }, description: 'empty: all quarters' },
        where: { type: 'array', items: { type: 'object', properties: { dimension: { type: 'string' }, value: { type: 'string' } } } },
        sources: { type: 'array', items: { type: 'string', enum: [...IMAGE_SOURCES] } },
        uniqueOnly: { type: 'boolean' },
        limit: { type: 'integer', default: 50 },
      },
    },
  })
  followed(@Body() body: unknown): Promise<FollowedBloggerStats> {
    return this.queries.followed(parseFollowedRequest(body));
  }
}
