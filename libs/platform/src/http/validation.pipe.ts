import { ValidationPipe, type ValidationError as ClassValidationError } from '@nestjs/common';
import { ValidationError, type FieldProblem } from '../errors';

function flatten(errors: ClassValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Strict DTO validation: unknown fields are refused, not silently dropped, and every bad field is listed. */
export const strictValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError('the request is invalid', flatten(errors)),
  });
