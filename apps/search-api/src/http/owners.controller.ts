import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { OwnerDirectory, type OwnerState } from '../domain/owner-directory';

/** The shard owners as last seen: their listings, when, and the last listing error. */
@ApiTags('ops')
@ApiSecurity('api-key')
@Controller('v1/owners')
export class OwnersController {
  constructor(@Inject(OwnerDirectory) private readonly directory: OwnerDirectory) {}

  @Get()
  @ApiOperation({ summary: 'Shard owners and their last known /v1/shards listing' })
  @ApiOkResponse({ description: 'One entry per configured owner' })
  owners(): { owners: OwnerState[] } {
    return { owners: this.directory.snapshot() };
  }
}
