import { DynamicModule, Module } from '@nestjs/common';
import { MetricsModule } from '@stylestream/metrics';
import { RegistryService } from '../domain/registry.service';
import type { SchemaLog } from '../store/schema-log';
import { CompatibilityController } from './compatibility.controller';
import { ConfigController } from './config.controller';
import { RootController } from './root.controller';
import { SchemasController } from './schemas.controller';
import { SubjectsController } from './subjects.controller';
import { SCHEMA_LOG } from './tokens';

/** The registry's HTTP surface; the service and the log come ready-made from startSchemaRegistry. */
@Module({})
export class SchemaRegistryHttpModule {
  static with(registry: RegistryService, log: SchemaLog): DynamicModule {
    return {
      module: SchemaRegistryHttpModule,
      imports: [MetricsModule],
      controllers: [RootController, SubjectsController, SchemasController, ConfigController, CompatibilityController],
      providers: [
        { provide: RegistryService, useValue: registry },
        { provide: SCHEMA_LOG, useValue: log },
      ],
    };
  }
}
