import { Body, Controller, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { parseVersion, RegistryService } from '../domain/registry.service';
import { RegistryContentTypeInterceptor } from './content-type';
import { flag, schemaInputOf } from './request-parsing';

interface CompatibilityAnswer {
  is_compatible: boolean;
  messages?: string[];
}

function answer(problems: string[], verbose: boolean): CompatibilityAnswer {
  return verbose ? { is_compatible: problems.length === 0, messages: problems } : { is_compatible: problems.length === 0 };
}

/** /compatibility: test a schema without registering it. */
@Controller('compatibility/subjects/:subject/versions')
@UseInterceptors(RegistryContentTypeInterceptor)
export class CompatibilityController {
  constructor(private readonly registry: RegistryService) {}

  @Post()
  @HttpCode(200)
  againstLevel(@Param('subject') subject: string, @Body() body: unknown, @Query('verbose') verbose?: string): CompatibilityAnswer {
    return answer(this.registry.checkCompatibility(subject, undefined, schemaInputOf(body)), flag(verbose));
  }

  @Post(':version')
  @HttpCode(200)
  againstVersion(
    @Param('subject') subject: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Query('verbose') verbose?: string,
  ): CompatibilityAnswer {
    return answer(this.registry.checkCompatibility(subject, parseVersion(version), schemaInputOf(body)), flag(verbose));
  }
}
