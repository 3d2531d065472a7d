import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal';

export const ACCESS = 'ifw:access';

export type AccessRule =
  | { kind: 'public' }
  /** Staff of these roles, and, when `ownWalletParam` is given, the customer or merchant owning that wallet. */
  | { kind: 'roles'; roles: readonly Role[]; ownWalletParam?: string; ownPartyParam?: string };

/** Anyone, without a key. */
export const Public = () => SetMetadata(ACCESS, { kind: 'public' } satisfies AccessRule);

/** Staff of the given roles only. */
export const Staff = (...roles: Role[]) => SetMetadata(ACCESS, { kind: 'roles', roles } satisfies AccessRule);

/** The wallet's own customer or merchant (by route parameter), and staff of the given roles. */
export const WalletOwnerOr = (walletParam: string, ...roles: Role[]) =>
  SetMetadata(ACCESS, { kind: 'roles', roles, ownWalletParam: walletParam } satisfies AccessRule);

/** The customer or merchant named by the route parameter itself, and staff of the given roles. */
export const PartyOrStaff = (partyParam: string, ...roles: Role[]) =>
  SetMetadata(ACCESS, { kind: 'roles', roles, ownPartyParam: partyParam } satisfies AccessRule);
