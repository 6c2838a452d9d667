import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ASSIGNEE_MAX } from './task-fields';

export class AssignTaskDto {
  @ApiProperty({ minLength: 1, maxLength: ASSIGNEE_MAX })
  @IsString()
  @Length(1, ASSIGNEE_MAX)
  assignee!: string;
}
