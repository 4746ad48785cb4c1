import { Body, Controller, Delete, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IMAGE_ID_PATTERN } from '../domain/image-id';
import { ImageIngestService } from '../domain/image-ingest.service';
import type { PublishReceipt } from '../domain/image-arrived-publisher.port';
import { ApiKeyGuard } from './api-key.guard';
import { acceptedSchema, errorSchema, submitBodySchema, tombstoneSchema } from './openapi.schemas';

/** Decodes HTTP requests and hands them to ImageIngestService; no logic here. */
@ApiTags('images')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, description: 'Missing or unknown x-api-key', schema: errorSchema })
@UseGuards(ApiKeyGuard)
@Controller('v1/images')
export class ImagesController {
  constructor(@Inject(ImageIngestService) private readonly ingest: ImageIngestService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Publish one image or a batch `{ images: [...] }` as image-arrived events (all or nothing)' })
  @ApiBody({ schema: submitBodySchema })
  @ApiAcceptedResponse({ description: 'Every event acknowledged by Kafka', schema: acceptedSchema })
  @ApiResponse({ status: 400, description: 'validation_failed with field-level issues, or invalid_json', schema: errorSchema })
  @ApiResponse({ status: 413, description: 'Body larger than INGEST_MAX_BODY_BYTES', schema: errorSchema })
  @ApiResponse({ status: 415, description: 'Body missing or not application/json', schema: errorSchema })
  @ApiResponse({ status: 503, description: 'Kafka or schema registry unavailable; retry (ids are deterministic)', schema: errorSchema })
  async submit(@Body() body: unknown): Promise<{ accepted: number; images: PublishReceipt[] }> {
    const images = await this.ingest.submit(body);
    return { accepted: images.length, images };
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Take an image down: publishes a tombstone (null value) keyed by the id' })
  @ApiAcceptedResponse({ description: 'Tombstone acknowledged by Kafka', schema: tombstoneSchema })
  @ApiParam({ name: 'id', description: 'The image id (deterministic `img-…` or client-supplied)', schema: { type: 'string', pattern: IMAGE_ID_PATTERN.source } })
  @ApiResponse({ status: 400, description: 'Not a valid image id', schema: errorSchema })
  async takeDown(@Param('id') id: string): Promise<PublishReceipt & { tombstone: true }> {
    return { ...(await this.ingest.takeDown(id)), tombstone: true };
  }
}
