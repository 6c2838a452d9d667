import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CommandResultDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'stream revision after the write; the first event is revision 0' })
  revision!: number;

  @ApiProperty({ description: 'opaque global position; pass it as X-Min-Position to read your write' })
  position!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'only for comments' })
  commentId?: string;
}
