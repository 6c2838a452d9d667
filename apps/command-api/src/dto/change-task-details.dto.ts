import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import type { TaskPriority } from '@ledger/tasks/task.events';
import { DESCRIPTION_MAX, LABEL_MAX, LABELS_MAX, IsIsoDateTime, PRIORITIES, TITLE_MAX } from './task-fields';

/** Absent = unchanged; `null` clears an optional field (`labels: null` clears all labels). */
export class ChangeTaskDetailsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: TITLE_MAX })
  @IsOptional()
  @IsString()
  @Length(1, TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX, nullable: true })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsIsoDateTime()
  dueAt?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: LABELS_MAX, nullable: true })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LABELS_MAX)
  @IsString({ each: true })
  @Length(1, LABEL_MAX, { each: true })
  labels?: string[] | null;
}
