import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LEDGER_CONFIG, type LedgerConfig } from './ledger-config';

/** The config is read once by `main` (so a bad value stops start-up) and handed to every module. */
@Global()
@Module({})
export class LedgerConfigModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerConfigModule,
      providers: [{ provide: LEDGER_CONFIG, useValue: config }],
      exports: [LEDGER_CONFIG],
    };
  }
}
