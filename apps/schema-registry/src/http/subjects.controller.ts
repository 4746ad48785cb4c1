import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { parseVersion, RegistryService, VersionView } from '../domain/registry.service';
import { RegistryContentTypeInterceptor } from './content-type';
import { flag, schemaInputOf } from './request-parsing';

/** /subjects: register, look up, list and delete subject versions. */
@Controller('subjects')
@UseInterceptors(RegistryContentTypeInterceptor)
export class SubjectsController {
  constructor(private readonly registry: RegistryService) {}

  @Get()
  list(@Query('deleted') deleted?: string): string[] {
    return this.registry.subjects(flag(deleted));
  }

  @Post(':subject/versions')
  @HttpCode(200)
  register(@Param('subject') subject: string, @Body() body: unknown): Promise<{ id: number }> {
    return this.registry.register(subject, schemaInputOf(body));
  }

  @Post(':subject')
  @HttpCode(200)
  lookup(@Param('subject') subject: string, @Body() body: unknown, @Query('deleted') deleted?: string): VersionView {
    return this.registry.lookup(subject, schemaInputOf(body), flag(deleted));
  }

  @Get(':subject/versions')
  versions(@Param('subject') subject: string, @Query('deleted') deleted?: string): number[] {
    return this.registry.versions(subject, flag(deleted));
  }

  @Get(':subject/versions/:version')
  version(@Param('subject') subject: string, @Param('version') version: string, @Query('deleted') deleted?: string): VersionView {
    return this.registry.version(subject, parseVersion(version), flag(deleted));
  }

  /** The schema text alone, as stored (canonical form). */
  @Get(':subject/versions/:version/schema')
  rawSchema(
    @Param('subject') subject: string,
    @Param('version') version: string,
    @Res() res: Response,
    @Query('deleted') deleted?: string,
  ): void {
    res.send(this.registry.version(subject, parseVersion(version), flag(deleted)).schema);
  }

  @Get(':subject/versions/:version/referencedby')
  referencedBy(@Param('subject') subject: string, @Param('version') version: string): number[] {
    this.registry.version(subject, parseVersion(version), false);
    return [];
  }

  @Delete(':subject')
  deleteSubject(@Param('subject') subject: string, @Query('permanent') permanent?: string): Promise<number[]> {
    return this.registry.deleteSubject(subject, flag(permanent));
  }

  @Delete(':subject/versions/:version')
  deleteVersion(
    @Param('subject') subject: string,
    @Param('version') version: string,
    @Query('permanent') permanent?: string,
  ): Promise<number> {
    return this.registry.deleteVersion(subject, parseVersion(version), flag(permanent));
  }
}
