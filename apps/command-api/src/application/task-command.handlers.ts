import { Inject, type Type } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from './command-options';
import { TaskCommandExecutor } from './task-command.executor';
import { TASK_COMMAND_MESSAGES, type TaskCommandMessage } from './task-command.messages';

/**
 * One handler per command, as the CommandBus wants. They are all the same thin step into the
 * executor, so they are made here rather than copied nine times.
 */
function handlerFor(message: Type<TaskCommandMessage>): Type<ICommandHandler> {
  @CommandHandler(message)
  class Handler implements ICommandHandler<TaskCommandMessage, CommandResult> {
    constructor(@Inject(TaskCommandExecutor) private readonly executor: TaskCommandExecutor) {}

    execute(m: TaskCommandMessage): Promise<CommandResult> {
      return this.executor.execute(m.command, m.options);
    }
  }
  Object.defineProperty(Handler, 'name', { value: message.name.replace(/Message$/, 'Handler') });
  return Handler;
}

export const TASK_COMMAND_HANDLERS = TASK_COMMAND_MESSAGES.map((m) =>
  handlerFor(m as Type<TaskCommandMessage>),
);
