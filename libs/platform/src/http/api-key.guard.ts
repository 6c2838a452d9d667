import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger-config';
import type { LedgerRequest } from './request-context';

/** `Authorization: Bearer <key>` on every /v1 route; the key names the tenant and actor. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<LedgerRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(header) : null;
    const principal = match ? this.config.apiKeys.authenticate(match[1]) : undefined;
    if (!principal)
      throw new UnauthorizedException('a valid "Authorization: Bearer <key>" header is required');
    req.principal = principal;
    return true;
  }
}
