import type { EventStore } from '../../eventstore';
import { fold } from '../../domain/decider';
import { formatFen } from '../../domain/money';
import { type WalletEvent, type WalletState, walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { NotFoundError } from '../../domain/domain-error';
import { type Loaded, loadStored, toDomainEvent } from '../commands/stored-aggregate';
import { WALLET } from '../commands/aggregates';

export type OpenWalletState = Extract<WalletState, { open: true }>;

/** The whole wallet, for decisions that rely on its balance; an unknown wallet is a 404. */
export async function loadOpenWallet(store: EventStore, walletId: string): Promise<Loaded<OpenWalletState>> {
  const loaded = await loadStored(store, walletStream(walletId), walletDecider, WALLET.schema);
  if (!loaded.state.open) throw new NotFoundError(`wallet ${walletId} does not exist`);
  return loaded as Loaded<OpenWalletState>;
}

/**
 * Only the opening of a wallet, for credits: a credit cannot break any rule of the wallet it lands in, so
 * it needs neither the balance nor an expected revision, and a hot merchant wallet is never read in full.
 */
export async function loadWalletToCredit(store: EventStore, walletId: string): Promise<OpenWalletState> {
  let openings = openingsByStore.get(store);
  if (!openings) openingsByStore.set(store, (openings = new Map()));
  const known = openings.get(walletId);
  if (known) return known;
  for await (const recorded of store.readStream(walletStream(walletId), { maxCount: 1 })) {
    const state = walletDecider.evolve(walletDecider.initialState, toDomainEvent<WalletEvent>(recorded));
    if (!state.open) break;
    if (openings.size >= MAX_CACHED_OPENINGS) openings.delete(openings.keys().next().value!);
    openings.set(walletId, state);
    return state;
  }
  throw new NotFoundError(`wallet ${walletId} does not exist`);
}

/** A wallet's opening never changes, so it is read once; the cache is bounded and keyed by store. */
const MAX_CACHED_OPENINGS = 100_000;
const openingsByStore = new WeakMap<EventStore, Map<string, OpenWalletState>>();

/** The cash a wallet holds once `events` are applied, as a decimal string for a response. */
export function cashAfter(wallet: OpenWalletState, events: readonly WalletEvent[]): string {
  const after = fold({ initialState: wallet as WalletState, evolve: walletDecider.evolve }, events);
  return formatFen(after.open ? after.cashFen : 0n);
}
