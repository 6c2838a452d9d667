import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { COMMENT_MAX } from './task-fields';

export class AddCommentDto {
  @ApiProperty({ minLength: 1, maxLength: COMMENT_MAX })
  @IsString()
  @Length(1, COMMENT_MAX)
  body!: string;
}
