import { Controller, Get, Inject, Query, applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IMAGE_SOURCES, LABEL_DIMENSIONS } from '@stylestream/schemas';
import { CatalogImageSearch, type CatalogSearchResult } from '../catalog-image.search';
import { FILTER_LIMITS } from '../catalog-filter';
import { IMAGE_SEARCH_PARAMS, SEARCH_LIMITS, parseImageSearch } from '../image-search.query';
import { errorSchema, searchResultSchema } from './openapi.schemas';

const describeParam: Record<(typeof IMAGE_SEARCH_PARAMS)[number], string> = {
  ...(Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, `Label filter on ${d}: comma-separated values, any of them matches`])) as Record<(typeof LABEL_DIMENSIONS)[number], string>),
  source: `Comma-separated sources (${IMAGE_SOURCES.join(', ')})`,
  bloggerId: `Comma-separated blogger ids (at most ${FILTER_LIMITS.maxBloggerIds})`,
  publishedFrom: 'Earliest publishedAt, inclusive (ISO-8601 or ms since the epoch)',
  publishedTo: 'Latest publishedAt, inclusive (ISO-8601 or ms since the epoch)',
  excludeDuplicates: 'true: leave out images judged EXACT_DUPLICATE or NEAR_DUPLICATE',
  q: 'Free text matched against the title (all words)',
  size: `Page size, 0..${SEARCH_LIMITS.maxSize} (default ${SEARCH_LIMITS.defaultSize}; 0 = facets only)`,
  from: `Offset of the page; from + size ≤ ${SEARCH_LIMITS.maxWindow}. Beyond that, page with cursor`,
  cursor: 'nextCursor of the previous page (same filters): the page after it, at any depth; excludes from',
  facets: 'Comma-separated dimensions to count (default: all; none: no facets)',
};

function ApiImageSearchParams(): MethodDecorator {
  return applyDecorators(
    ...IMAGE_SEARCH_PARAMS.map((name) =>
      ApiQuery({
        name,
        required: false,
        description: describeParam[name],
        schema:
          name === 'size'
            ? { type: 'integer', minimum: 0, maximum: SEARCH_LIMITS.maxSize }
            : name === 'from'
              ? { type: 'integer', minimum: 0, maximum: SEARCH_LIMITS.maxWindow }
              : { type: name === 'excludeDuplicates' ? 'boolean' : 'string' },
      }),
    ),
  );
}

/** Decodes the query string and hands it to CatalogImageSearch; no logic here. */
@ApiTags('images')
@Controller('v1/images')
export class ImagesSearchController {
  constructor(@Inject(CatalogImageSearch) private readonly images: CatalogImageSearch) {}

  @Get()
  @ApiOperation({ summary: 'Search live catalogue images by labels, source, blogger, time range and title text, with facet counts per dimension' })
  @ApiOkResponse({ description: 'A page of images, the total, facet counts over the whole result set, and the cursor of the next page', schema: searchResultSchema })
  @ApiResponse({ status: 400, description: 'A parameter is unknown or invalid; the reason names it', schema: errorSchema })
  @ApiResponse({ status: 503, description: 'Elasticsearch unavailable; retry', schema: errorSchema })
  @ApiImageSearchParams()
  async search(@Query() query: Record<string, unknown>): Promise<CatalogSearchResult> {
    return this.images.search(parseImageSearch(query));
  }
}
