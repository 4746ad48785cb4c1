import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IMAGE_SOURCES, LABEL_DIMENSIONS } from '@stylestream/schemas';
import { AnalyticsQueryService, type FollowedBloggerStats, type RisingLabel, type TrendStats } from '../query/analytics-query.service';
import { MAX_FOLLOWED_BLOGGERS, parseFollowedRequest, parseRisingRequest, parseTrendRequest } from '../query/stats-request';

// Parameter syntax published in the OpenAPI document, the same rules as stats-request.ts (the API fuzzer checks both directions).
const QUARTER_PATTERN = '^[0-9]{4}Q[1-4]$';
const condition = `(?:${LABEL_DIMENSIONS.join('|')}):[^,]{1,200}`;
const sourceName = `(?:${IMAGE_SOURCES.join('|')})`;
const quarterDoc = { name: 'quarter', example: '2025Q2', schema: { type: 'string' as const, pattern: QUARTER_PATTERN } };
const limitDoc = (example: number) => ({ name: 'limit', required: false, example, schema: { type: 'integer' as const, minimum: 1, maximum: 1000 } });
const whereDoc = {
  name: 'where',
  required: false,
  description: 'label conditions, ANDed: `category:dress,color:red` (at most 20)',
  schema: { type: 'string' as const, pattern: `^,*(?:${condition}(?:,+${condition}){0,19})?,*$` },
};
const sourceDoc = {
  name: 'source',
  required: false,
  description: `sources, ORed: comma-separated of ${IMAGE_SOURCES.join(', ')}`,
  schema: { type: 'string' as const, pattern: `^,*(?:${sourceName}(?:,+${sourceName})*)?,*$` },
};
const badRequest = { description: 'invalid_parameter naming the bad parameter' };
const uniqueDoc = { name: 'uniqueOnly', required: false, enum: ['true', 'false'], description: 'exclude images dedupe marked as duplicates' };

/** Decodes parameters (400 naming the bad one) and hands off to AnalyticsQueryService. */
@ApiTags('stats')
@Controller('v1/stats')
export class StatsController {
  constructor(@Inject(AnalyticsQueryService) private readonly queries: AnalyticsQueryService) {}

  @Get('trends')
  @ApiOperation({ summary: 'Label counts of one dimension in a quarter, change vs the previous quarter, and shares' })
  @ApiQuery(quarterDoc)
  @ApiQuery({ name: 'dimension', enum: LABEL_DIMENSIONS })
  @ApiQuery(whereDoc)
  @ApiQuery(sourceDoc)
  @ApiQuery(uniqueDoc)
  @ApiQuery(limitDoc(50))
  @ApiOkResponse({ description: 'TrendStats' })
  @ApiBadRequestResponse(badRequest)
  trends(@Query() query: Record<string, unknown>): Promise<TrendStats> {
    return this.queries.trend(parseTrendRequest(query));
  }

  @Get('rising')
  @ApiOperation({ summary: 'Labels with the largest increase over the previous quarter (all dimensions unless one is given)' })
  @ApiQuery(quarterDoc)
  @ApiQuery({ name: 'dimension', enum: LABEL_DIMENSIONS, required: false })
  @ApiQuery(whereDoc)
  @ApiQuery(sourceDoc)
  @ApiQuery(uniqueDoc)
  @ApiQuery(limitDoc(10))
  @ApiOkResponse({ description: 'RisingLabel[]' })
  @ApiBadRequestResponse(badRequest)
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
        bloggerIds: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, minItems: 1, maxItems: MAX_FOLLOWED_BLOGGERS },
        dimension: { type: 'string', enum: [...LABEL_DIMENSIONS] },
        quarters: { type: 'array', items: { type: 'string', example: '2025Q2', pattern: QUARTER_PATTERN }, maxItems: 40, description: 'empty: all quarters' },
        where: {
          type: 'array',
          maxItems: 20,
          items: {
            type: 'object',
            required: ['dimension', 'value'],
            properties: { dimension: { type: 'string', enum: [...LABEL_DIMENSIONS] }, value: { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
        sources: { type: 'array', items: { type: 'string', enum: [...IMAGE_SOURCES] } },
        uniqueOnly: { type: 'boolean' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
      },
    },
  })
  @ApiOkResponse({ description: 'FollowedBloggerStats' })
  @ApiBadRequestResponse(badRequest)
  followed(@Body() body: unknown): Promise<FollowedBloggerStats> {
    return this.queries.followed(parseFollowedRequest(body));
  }
}
