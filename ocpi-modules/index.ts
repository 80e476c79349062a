import type { OcpiModule } from '../src/ocpi/module.ts';
import { versionsModule } from './versions/index.ts';
import { credentialsModule } from './credentials/index.ts';
import { tariffsModule } from './tariffs/index.ts';
import { locationsModule } from './locations/index.ts';
import { tokensModule } from './tokens/index.ts';
import { sessionsModule } from './sessions/index.ts';
import { commandsModule } from './commands/index.ts';
import { cdrsModule } from './cdrs/index.ts';

/** Every OCPI module the hub mounts. The version details list exactly these. */
export const ocpiModules: OcpiModule[] = [versionsModule, credentialsModule, locationsModule, tariffsModule, sessionsModule, tokensModule, commandsModule, cdrsModule];
