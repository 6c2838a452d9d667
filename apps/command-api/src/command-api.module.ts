import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TaskCommandExecutor } from './application/task-command.executor';
import { TASK_COMMAND_HANDLERS } from './application/task-command.handlers';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyJanitor } from './idempotency/idempotency.janitor';
import { TasksController } from './tasks.controller';

/** The write side over HTTP. Needs EventStoreModule and LedgerConfigModule from the app root. */
@Module({
  imports: [CqrsModule],
  controllers: [TasksController],
  providers: [TaskCommandExecutor, IdempotencyInterceptor, IdempotencyJanitor, ...TASK_COMMAND_HANDLERS],
})
export class CommandApiModule {}
