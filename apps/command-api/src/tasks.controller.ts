import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyGuard, Ctx, type RequestContext } from '@ledger/platform/http';
import type { CommandMetadata, TaskCommand, TaskDetailsChanges } from '@ledger/tasks';
import type { CommandOptions, CommandResult } from './application/command-options';
import { newCommentId, newTaskId } from './application/event-ids';
import * as M from './application/task-command.messages';
import { AddCommentDto } from './dto/add-comment.dto';
import { AssignTaskDto } from './dto/assign-task.dto';
import { ChangeTaskDetailsDto } from './dto/change-task-details.dto';
import { CommandResultDto } from './dto/command-result.dto';
import { CreateTaskDto } from './dto/create-task.dto';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { parseIfMatch } from './if-match';
import { TaskIdPipe } from '@ledger/platform/http/task-id.pipe';

type HeaderMap = Record<string, string | string[] | undefined>;

/**
 * Absent and undefined mean "unchanged"; only `null` clears. Due dates are stored in one UTC
 * form so that they sort chronologically as strings in every read model.
 */
const definedOnly = <T extends { dueAt?: string | null }>(dto: T): T => {
  const out = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as T;
  if (typeof out.dueAt === 'string') out.dueAt = new Date(out.dueAt).toISOString();
  return out;
};

/** DTO -> command -> CommandBus, and nothing more. */
@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@ApiHeader({ name: 'If-Match', required: false, description: '"<revision>" last seen' })
@Controller('v1/tasks')
@UseGuards(ApiKeyGuard)
@UseInterceptors(IdempotencyInterceptor)
export class TasksController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @ApiCreatedResponse({ type: CommandResultDto })
  async create(
    @Body() dto: CreateTaskDto,
    @Ctx() ctx: RequestContext,
    @Headers() h: HeaderMap,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const key = typeof h['idempotency-key'] === 'string' ? h['idempotency-key'] : undefined;
    const data = { taskId: newTaskId(ctx.tenantId, key), ...definedOnly(dto) };
    const result = await this.send(M.CreateTaskMessage, 'CreateTask', data, ctx, h);
    res.header('Location', `/v1/tasks/${result.id}`);
    return result;
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  change(
    @Param('id', TaskIdPipe) taskId: string,
    @Body() dto: ChangeTaskDetailsDto,
    @Ctx() ctx: RequestContext,
    @Headers() h: HeaderMap,
  ) {
    const { labels, ...rest } = definedOnly(dto);
    const changes: TaskDetailsChanges = {
      ...rest,
      ...(labels !== undefined ? { labels: labels ?? [] } : {}),
    };
    return this.send(M.ChangeTaskDetailsMessage, 'ChangeTaskDetails', { taskId, changes }, ctx, h);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  assign(
    @Param('id', TaskIdPipe) taskId: string,
    @Body() dto: AssignTaskDto,
    @Ctx() ctx: RequestContext,
    @Headers() h: HeaderMap,
  ) {
    return this.send(M.AssignTaskMessage, 'AssignTask', { taskId, assignee: dto.assignee }, ctx, h);
  }

  @Post(':id/unassign')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  unassign(@Param('id', TaskIdPipe) taskId: string, @Ctx() ctx: RequestContext, @Headers() h: HeaderMap) {
    return this.send(M.UnassignTaskMessage, 'UnassignTask', { taskId }, ctx, h);
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  start(@Param('id', TaskIdPipe) taskId: string, @Ctx() ctx: RequestContext, @Headers() h: HeaderMap) {
    return this.send(M.StartTaskMessage, 'StartTask', { taskId }, ctx, h);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  complete(@Param('id', TaskIdPipe) taskId: string, @Ctx() ctx: RequestContext, @Headers() h: HeaderMap) {
    return this.send(M.CompleteTaskMessage, 'CompleteTask', { taskId }, ctx, h);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  reopen(@Param('id', TaskIdPipe) taskId: string, @Ctx() ctx: RequestContext, @Headers() h: HeaderMap) {
    return this.send(M.ReopenTaskMessage, 'ReopenTask', { taskId }, ctx, h);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto })
  archive(@Param('id', TaskIdPipe) taskId: string, @Ctx() ctx: RequestContext, @Headers() h: HeaderMap) {
    return this.send(M.ArchiveTaskMessage, 'ArchiveTask', { taskId }, ctx, h);
  }

  @Post(':id/comments')
  @ApiCreatedResponse({ type: CommandResultDto })
  comment(
    @Param('id', TaskIdPipe) taskId: string,
    @Body() dto: AddCommentDto,
    @Ctx() ctx: RequestContext,
    @Headers() h: HeaderMap,
  ) {
    return this.send(
      M.AddCommentMessage,
      'AddComment',
      { taskId, commentId: newCommentId(), body: dto.body },
      ctx,
      h,
    );
  }

  private send<C extends TaskCommand>(
    Message: new (command: C, options: CommandOptions) => M.TaskCommandMessage<C>,
    type: C['type'],
    data: C['data'],
    ctx: RequestContext,
    headers: HeaderMap,
  ): Promise<CommandResult> {
    const metadata: CommandMetadata = {
      tenantId: ctx.tenantId,
      actor: ctx.actor,
      now: new Date().toISOString(),
    };
    const key = headers['idempotency-key'];
    const command = { type, data, metadata } as C;
    const options: CommandOptions = {
      expectedRevision: parseIfMatch(headers['if-match']),
      idempotencyKey: typeof key === 'string' ? key : undefined,
      correlationId: ctx.correlationId,
      causationId: ctx.requestId,
    };
    return this.bus.execute(new Message(command, options)) as Promise<CommandResult>;
  }
}
