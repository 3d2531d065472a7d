import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../http/problem';
import { ACCESS, type AccessRule } from './access.decorator';
import type { Principal } from './principal';
import { PrincipalResolver } from './principal-resolver';
import { RateLimits } from './rate-limits';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * Every route declares who may call it (access.decorator.ts); a route that declares nothing is closed.
 * A missing or unknown key is 401, a known key of the wrong role or for someone else's wallet is 403; an
 * address past its wrong keys, or a key past its rate, is 429 (rate-limits.ts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalResolver,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (rule?.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Node keeps the first of two Authorization headers and drops the other, so which key acts would depend on
    // header order: a request that sends two is refused.
    if (authorizationHeaders(request.raw.rawHeaders) > 1) throw HttpProblem.badRequest('authorization', 'send one Authorization header, not several');
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 9110 §11.1).
    const bearer = typeof header === 'string' && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : '';
    if (!bearer) throw HttpProblem.unauthorized('send your API key as "Authorization: Bearer <key>"');
    this.limits.admitKeyAttempt(request.ip);
    const principal = await this.principals.resolve(bearer);
    if (!principal) {
      this.limits.keyRefused(request.ip);
      throw HttpProblem.unauthorized('the API key is not valid');
    }
    this.limits.admitPrincipal(principal.id);
    request.principal = principal;
    if (!rule) throw HttpProblem.forbidden('this route is not open to any role');
    if (rule.roles.includes(principal.role)) return true;
    if ((rule.ownWalletParam || rule.ownPartyParam) && 'walletId' in principal) {
      const params = request.params as Record<string, string>;
      // Ids are UUIDs, which validation accepts in any case.
      if (rule.ownWalletParam && params[rule.ownWalletParam]?.toLowerCase() === principal.walletId) return true;
      if (rule.ownPartyParam && params[rule.ownPartyParam]?.toLowerCase() === principal.id) return true;
      throw HttpProblem.forbidden('a customer or merchant key acts on its own wallet only');
    }
    throw HttpProblem.forbidden(`this route is for ${[...rule.roles, ...(rule.ownWalletParam || rule.ownPartyParam ? ['the owner'] : [])].join(', ')}; the key's role is ${principal.role}`);
  }
}

function authorizationHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let at = 0; at < rawHeaders.length; at += 2) if (rawHeaders[at]!.toLowerCase() === 'authorization') count++;
  return count;
}
