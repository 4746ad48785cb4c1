import { Body, Controller, Delete, Get, Param, Put, Query, UseInterceptors } from '@nestjs/common';
import { CompatibilityLevel } from '../domain/compatibility-level';
import { RegistryService } from '../domain/registry.service';
import { RegistryContentTypeInterceptor } from './content-type';
import { flag } from './request-parsing';

function levelOf(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  return (body as { compatibility?: unknown }).compatibility;
}

/** /config: the global and per-subject compatibility levels. */
@Controller('config')
@UseInterceptors(RegistryContentTypeInterceptor)
export class ConfigController {
  constructor(private readonly registry: RegistryService) {}

  @Get()
  global(): { compatibilityLevel: CompatibilityLevel } {
    return { compatibilityLevel: this.registry.globalLevel() };
  }

  @Put()
  async setGlobal(@Body() body: unknown): Promise<{ compatibility: CompatibilityLevel }> {
    return { compatibility: await this.registry.setLevel(null, levelOf(body)) };
  }

  @Get(':subject')
  subject(@Param('subject') subject: string, @Query('defaultToGlobal') defaultToGlobal?: string): { compatibilityLevel: CompatibilityLevel } {
    return { compatibilityLevel: this.registry.subjectLevel(subject, flag(defaultToGlobal)) };
  }

  @Put(':subject')
  async setSubject(@Param('subject') subject: string, @Body() body: unknown): Promise<{ compatibility: CompatibilityLevel }> {
    return { compatibility: await this.registry.setLevel(subject, levelOf(body)) };
  }

  @Delete(':subject')
  async clearSubject(@Param('subject') subject: string): Promise<{ compatibilityLevel: CompatibilityLevel }> {
    return { compatibilityLevel: await this.registry.clearLevel(subject) };
  }
}
