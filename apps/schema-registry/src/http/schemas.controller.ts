import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { RegistryService } from '../domain/registry.service';
import { RegistryContentTypeInterceptor } from './content-type';
import { flag, schemaIdOf } from './request-parsing';

/** /schemas/ids: schemas by global id. */
@Controller('schemas')
@UseInterceptors(RegistryContentTypeInterceptor)
export class SchemasController {
  constructor(private readonly registry: RegistryService) {}

  @Get('ids/:id')
  byId(@Param('id') id: string): { schema: string } {
    return this.registry.schemaById(schemaIdOf(id));
  }

  @Get('ids/:id/schema')
  rawById(@Param('id') id: string): unknown {
    return JSON.parse(this.registry.schemaById(schemaIdOf(id)).schema) as unknown;
  }

  @Get('ids/:id/versions')
  versionsOfId(@Param('id') id: string, @Query('deleted') deleted?: string): Array<{ subject: string; version: number }> {
    return this.registry.subjectVersionsOfId(schemaIdOf(id), flag(deleted));
  }

  @Get('ids/:id/subjects')
  subjectsOfId(@Param('id') id: string, @Query('deleted') deleted?: string): string[] {
    return [...new Set(this.registry.subjectVersionsOfId(schemaIdOf(id), flag(deleted)).map((v) => v.subject))];
  }

  @Get('types')
  types(): string[] {
    return ['AVRO'];
  }
}
