import type { StaffRole } from '../../config';
import type { PartyKind } from '../../domain/party/party.decider';

export type Role = PartyKind | StaffRole;

/** Who is calling: staff act on the whole system; a customer or merchant only on their own wallet. */
export type Principal = { role: StaffRole; id: string } | { role: PartyKind; id: string; walletId: string };

/** How a principal is written into event metadata. */
export function describePrincipal(principal: Principal): string {
  return `${principal.role}:${principal.id}`;
}
