import type { TaskCommand } from '@ledger/tasks';
import type { CommandOptions } from './command-options';

/**
 * The CommandBus dispatches on the message's class, so each domain command gets a class of
 * its own; all carry the plain domain command and the request's options.
 */
export abstract class TaskCommandMessage<C extends TaskCommand = TaskCommand> {
  constructor(
    readonly command: C,
    readonly options: CommandOptions,
  ) {}
}

type Of<T extends TaskCommand['type']> = Extract<TaskCommand, { type: T }>;

export class CreateTaskMessage extends TaskCommandMessage<Of<'CreateTask'>> {}
export class ChangeTaskDetailsMessage extends TaskCommandMessage<Of<'ChangeTaskDetails'>> {}
export class AssignTaskMessage extends TaskCommandMessage<Of<'AssignTask'>> {}
export class UnassignTaskMessage extends TaskCommandMessage<Of<'UnassignTask'>> {}
export class StartTaskMessage extends TaskCommandMessage<Of<'StartTask'>> {}
export class CompleteTaskMessage extends TaskCommandMessage<Of<'CompleteTask'>> {}
export class ReopenTaskMessage extends TaskCommandMessage<Of<'ReopenTask'>> {}
export class ArchiveTaskMessage extends TaskCommandMessage<Of<'ArchiveTask'>> {}
export class AddCommentMessage extends TaskCommandMessage<Of<'AddComment'>> {}

export const TASK_COMMAND_MESSAGES = [
  CreateTaskMessage,
  ChangeTaskDetailsMessage,
  AssignTaskMessage,
  UnassignTaskMessage,
  StartTaskMessage,
  CompleteTaskMessage,
  ReopenTaskMessage,
  ArchiveTaskMessage,
  AddCommentMessage,
] as const;
