import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CATALOG_FILTER_PARAMS } from '@stylestream/catalog';
import { errorSchema, imageSearchJsonSchema, imageSearchMultipartSchema, searchResultSchema, vectorSearchBodySchema } from './openapi.schemas';
import { SearchRequests } from './search-requests';
import { searchResultView, type SearchResultView } from './search-result.view';

function ApiSearchResponses(): MethodDecorator {
  return applyDecorators(
    ApiOkResponse({ description: 'Hits best first, coverage of the shards, partial flag, next cursor', schema: searchResultSchema }),
    ApiResponse({ status: 400, description: 'A parameter is invalid; the reason names it', schema: errorSchema }),
    ApiResponse({ status: 401, description: 'Missing or unknown x-api-key', schema: errorSchema }),
    ApiResponse({ status: 404, description: 'No owner has an index of that model version (or the image is not indexed)', schema: errorSchema }),
    ApiResponse({ status: 429, description: 'The API key is over its rate limit (Retry-After)', schema: errorSchema }),
    ApiResponse({ status: 503, description: 'No shard owner answered, or the catalogue is needed for the filter and unavailable', schema: errorSchema }),
  );
}

/** Decodes the three search requests and hands them to SearchRequests; no logic here. */
@ApiTags('search')
@ApiSecurity('api-key')
@Controller('v1')
export class SearchController {
  constructor(@Inject(SearchRequests) private readonly requests: SearchRequests) {}

  @Post('search/vector')
  @HttpCode(200)
  @ApiOperation({ summary: 'k-NN search by a raw vector over every shard, with filters; or the next page of any search by {cursor}' })
  @ApiBody({ schema: vectorSearchBodySchema })
  @ApiSearchResponses()
  async byVector(@Body() body: unknown): Promise<SearchResultView> {
    return searchResultView(await this.requests.byVector(body));
  }

  @Post('search/image')
  @HttpCode(200)
  @ApiOperation({ summary: 'Search by image: an upload (multipart part "image") or {url}, embedded like the extractor does' })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ schema: { oneOf: [imageSearchMultipartSchema, imageSearchJsonSchema] } })
  @ApiSearchResponses()
  @ApiResponse({ status: 413, description: 'Image over SEARCH_UPLOAD_MAX_BYTES or SEARCH_UPLOAD_MAX_PIXELS', schema: errorSchema })
  @ApiResponse({ status: 415, description: 'Content type not accepted, or the bytes are not a supported image', schema: errorSchema })
  @ApiResponse({ status: 422, description: 'Image cannot be decoded, or the URL gives none (or names a host DNS does not know)', schema: errorSchema })
  @ApiResponse({ status: 502, description: 'The URL\'s host failed or timed out', schema: errorSchema })
  async byImage(@Req() req: Request): Promise<SearchResultView> {
    const fields = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const upload = req.file === undefined ? undefined : { bytes: req.file.buffer };
    return searchResultView(await this.requests.byImage(fields, upload));
  }

  @Get('images/:id/similar')
  @ApiOperation({ summary: 'Images similar to an indexed one (its stored vector is the query; it is left out of the hits)' })
  @ApiParam({ name: 'id', description: 'image id' })
  @ApiQuery({ name: 'k', required: false, schema: { type: 'integer' } })
  @ApiQuery({ name: 'ef', required: false, schema: { type: 'integer' } })
  @ApiQuery({ name: 'modelVersion', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page (alone)' })
  @ApiSimilarFilterParams()
  @ApiSearchResponses()
  async similar(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<SearchResultView> {
    return searchResultView(await this.requests.similar(id, query));
  }
}

function ApiSimilarFilterParams(): MethodDecorator {
  return applyDecorators(
    ...CATALOG_FILTER_PARAMS.map((name) => ApiQuery({ name, required: false, schema: { type: name === 'excludeDuplicates' ? 'boolean' : 'string' }, description: `filter: ${name} (comma-separated values OR-ed)` })),
  );
}
