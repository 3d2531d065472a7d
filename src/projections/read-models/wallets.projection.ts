import type { JsonObject, RecordedEvent } from '../../eventstore';
import { encodeData } from '../../domain/event-codec';
import type { Fen } from '../../domain/money';
import type { AccountTier } from '../../domain/rules/rule-set';
import type { PositionEvent } from '../../domain/position/position.decider';
import { type PaidFromBalance, type RebalancingMode, type WalletEvent, NOTHING_PAID, paidAfter } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

export const WALLETS_COLLECTION = 'wallets';
/** A wallet's document as of one of its events, every WALLET_CHECKPOINT_EVERY_EVENTS, for as-of reads. */
export const WALLET_CHECKPOINTS_COLLECTION = 'wallet_checkpoints';
/** An as-of read of a wallet folds at most about this many of its events, from the checkpoint before the moment. */
export const WALLET_CHECKPOINT_EVERY_EVENTS = 256;

/** One fund held by a wallet, kept as the position aggregate keeps it, plus its income. */
export interface FundHoldingDoc {
  fundCode: string;
  /** Confirmed, earning shares. */
  holdingFen: Fen;
  pendingPurchases: { purchaseId: string; amountFen: Fen; confirmOn: string }[];
  pendingRedemptions: { redemptionId: string; amountFen: Fen; payOn: string }[];
  /** Instant redemptions of the latest day that had any; the quota left is worked out against the business date. */
  instantRedeemed: { date: string; amountFen: Fen } | null;
  /** The latest calendar day income accrued on, and that day's income (zero and negative included). */
  lastIncomeDate: string | null;
  lastIncomeFen: Fen;
  incomeTotalFen: Fen;
}

/** A wallet: its owner and cash from its wallet stream, its funds from its position streams. */
export interface WalletDoc {
  walletId: string;
  /** Null only while position events were seen before the opening, which the domain never produces. */
  ownerKind: string | null;
  ownerId: string | null;
  cashFen: Fen;
  /** Whether the day close's proposals for the wallet are made as fund switches. */
  rebalancing: RebalancingMode;
  /** A customer's payment-account tier (I, II, III); null for a merchant. */
  accountTier: AccountTier | null;
  /** Payments from the balance, which a tier's limit counts. */
  paid: PaidFromBalance;
  /** In the order the wallet first bought them. */
  funds: FundHoldingDoc[];
  /** The last event applied, so an event replayed after a half-written batch is recognised and not applied twice. */
  lastEventPosition: string;
  /** Absent on a document begun before trails were kept: such a wallet gets no checkpoints until a rebuild. */
  trail?: WalletTrail;
}

/** Where the wallet's streams stood after the last event applied to it: what a checkpoint needs to be resumed. */
export interface WalletTrail {
  /** Stream → the revision after the last event of it applied, as a decimal string. */
  nextRevisions: Record<string, string>;
  /** The latest recordedAt of the events applied: a checkpoint serves any moment at or after it. */
  recordedThroughMs: number;
  eventsSinceCheckpoint: number;
}

/**
 * The wallet's document just after the event at `position`: an as-of fold of the wallet's streams starts here,
 * at `nextRevisions`, skipping what it meets at or before `position` that the projection does not apply.
 */
export interface WalletCheckpointDoc {
  walletId: string;
  position: string;
  recordedThroughMs: number;
  nextRevisions: Record<string, string>;
  /** The wallets document, in its stored form. */
  wallet: JsonObject;
}

const WALLET_TYPES = ['WalletOpened', 'CashDeposited', 'CashWithdrawn', 'PaymentSent', 'PaymentReceived', 'PaymentReturned', 'PurchasePaid', 'RedemptionCashReceived', 'RebalancingSet', 'AccountTierRaised'] as const;
const POSITION_TYPES = ['PurchasePlaced', 'PurchaseConfirmed', 'IncomeAccrued', 'InstantRedemptionMade', 'StandardRedemptionPlaced', 'StandardRedemptionSettled'] as const;

const WALLET_PREFIX = 'wallet-';
const POSITION_PREFIX = 'position-';
const UUID_LENGTH = 36;

/** `position-<walletId>-<fundCode>`: the wallet id is a 36-character UUID, so the split is unambiguous. */
export function positionStreamParts(stream: string): { walletId: string; fundCode: string } {
  invariant(stream.startsWith(POSITION_PREFIX) && stream.charAt(POSITION_PREFIX.length + UUID_LENGTH) === '-', () => `${stream} is not a position stream`);
  const walletId = stream.slice(POSITION_PREFIX.length, POSITION_PREFIX.length + UUID_LENGTH);
  return { walletId, fundCode: stream.slice(POSITION_PREFIX.length + UUID_LENGTH + 1) };
}

function emptyWallet(walletId: string): WalletDoc {
  const trail: WalletTrail = { nextRevisions: {}, recordedThroughMs: 0, eventsSinceCheckpoint: 0 };
  return { walletId, ownerKind: null, ownerId: null, cashFen: 0n, rebalancing: 'manual', accountTier: null, paid: NOTHING_PAID, funds: [], lastEventPosition: '-1', trail };
}

function trailAfter(trail: WalletTrail, event: RecordedEvent): WalletTrail {
  return {
    nextRevisions: { ...trail.nextRevisions, [event.stream]: (event.revision + 1n).toString() },
    recordedThroughMs: Math.max(trail.recordedThroughMs, event.recordedAt.getTime()),
    eventsSinceCheckpoint: trail.eventsSinceCheckpoint + 1,
  };
}

/** Ids sort by position within a wallet: 20 digits hold any 64-bit position. */
function checkpointId(walletId: string, position: bigint): string {
  return `${walletId}:${position.toString().padStart(20, '0')}`;
}

/** Writes the wallet and, every WALLET_CHECKPOINT_EVERY_EVENTS of its events, a checkpoint of it. */
function writeWallet(view: ProjectionView, wallet: WalletDoc, event: RecordedEvent): void {
  const trail = wallet.trail;
  if (trail === undefined || trail.eventsSinceCheckpoint < WALLET_CHECKPOINT_EVERY_EVENTS) {
    view.write(WALLETS_COLLECTION, wallet.walletId, wallet);
    return;
  }
  const checkpointed = { ...wallet, trail: { ...trail, eventsSinceCheckpoint: 0 } };
  view.write(WALLETS_COLLECTION, wallet.walletId, checkpointed);
  const checkpoint: WalletCheckpointDoc = {
    walletId: wallet.walletId,
    position: event.position.toString(),
    recordedThroughMs: trail.recordedThroughMs,
    nextRevisions: trail.nextRevisions,
    wallet: encodeData(checkpointed),
  };
  view.put(WALLET_CHECKPOINTS_COLLECTION, checkpointId(wallet.walletId, event.position), checkpoint as unknown as JsonObject);
}

function emptyFund(fundCode: string): FundHoldingDoc {
  return { fundCode, holdingFen: 0n, pendingPurchases: [], pendingRedemptions: [], instantRedeemed: null, lastIncomeDate: null, lastIncomeFen: 0n, incomeTotalFen: 0n };
}

/** The wallet after one event of its wallet stream. */
export function evolveWalletCash(wallet: WalletDoc, event: WalletEvent): WalletDoc {
  switch (event.type) {
    case 'WalletOpened':
      return { ...wallet, ownerKind: event.data.ownerKind, ownerId: event.data.ownerId, accountTier: event.data.accountTier ?? null };
    case 'AccountTierRaised':
      return { ...wallet, accountTier: event.data.to };
    case 'CashDeposited':
    case 'PaymentReceived':
    case 'PaymentReturned':
    case 'RedemptionCashReceived':
      return { ...wallet, cashFen: wallet.cashFen + event.data.amountFen };
    case 'PaymentSent':
      return { ...wallet, cashFen: wallet.cashFen - event.data.amountFen, paid: paidAfter(wallet.paid ?? NOTHING_PAID, event.data.amountFen, event.data.businessDate) };
    case 'CashWithdrawn':
    case 'PurchasePaid':
      return { ...wallet, cashFen: wallet.cashFen - event.data.amountFen };
    case 'RebalancingSet':
      return { ...wallet, rebalancing: event.data.mode };
  }
}

/** One fund of the wallet after one event of its position stream, as positionDecider.evolve has it. */
export function evolveFund(fund: FundHoldingDoc, event: Exclude<PositionEvent, { type: 'PositionDayClosed' }>): FundHoldingDoc {
  switch (event.type) {
    case 'PurchasePlaced': {
      const { purchaseId, amountFen, confirmOn } = event.data;
      return { ...fund, pendingPurchases: [...fund.pendingPurchases, { purchaseId, amountFen, confirmOn }] };
    }
    case 'PurchaseConfirmed':
      return { ...fund, holdingFen: fund.holdingFen + event.data.amountFen, pendingPurchases: fund.pendingPurchases.filter((p) => p.purchaseId !== event.data.purchaseId) };
    case 'IncomeAccrued':
      return { ...fund, holdingFen: fund.holdingFen + event.data.amountFen, ...withIncome(fund, event.data.date, event.data.amountFen) };
    case 'InstantRedemptionMade': {
      const { date, amountFen } = event.data;
      const usedThatDay = fund.instantRedeemed?.date === date ? fund.instantRedeemed.amountFen : 0n;
      return { ...fund, holdingFen: fund.holdingFen - amountFen, instantRedeemed: { date, amountFen: usedThatDay + amountFen } };
    }
    case 'StandardRedemptionPlaced': {
      const { redemptionId, amountFen, payOn } = event.data;
      return { ...fund, holdingFen: fund.holdingFen - amountFen, pendingRedemptions: [...fund.pendingRedemptions, { redemptionId, amountFen, payOn }] };
    }
    case 'StandardRedemptionSettled':
      return { ...fund, pendingRedemptions: fund.pendingRedemptions.filter((r) => r.redemptionId !== event.data.redemptionId) };
  }
}

/** A close covering a weekend accrues several days in order; the latest day's income is the one shown. */
function withIncome(fund: FundHoldingDoc, date: string, amountFen: Fen): Pick<FundHoldingDoc, 'lastIncomeDate' | 'lastIncomeFen' | 'incomeTotalFen'> {
  const incomeTotalFen = fund.incomeTotalFen + amountFen;
  if (fund.lastIncomeDate === null || date > fund.lastIncomeDate) return { lastIncomeDate: date, lastIncomeFen: amountFen, incomeTotalFen };
  if (date === fund.lastIncomeDate) return { lastIncomeDate: date, lastIncomeFen: fund.lastIncomeFen + amountFen, incomeTotalFen };
  return { lastIncomeDate: fund.lastIncomeDate, lastIncomeFen: fund.lastIncomeFen, incomeTotalFen };
}

function withFund(wallet: WalletDoc, fundCode: string, event: Exclude<PositionEvent, { type: 'PositionDayClosed' }>): WalletDoc {
  const index = wallet.funds.findIndex((f) => f.fundCode === fundCode);
  invariant(index >= 0 || event.type === 'PurchasePlaced', () => `${event.type} on ${fundCode} of wallet ${wallet.walletId} before any purchase`);
  const next = evolveFund(index >= 0 ? wallet.funds[index]! : emptyFund(fundCode), event);
  invariant(next.holdingFen >= 0n, () => `the ${fundCode} holding of wallet ${wallet.walletId} would be ${next.holdingFen} fen`);
  const funds = index >= 0 ? wallet.funds.map((f, i) => (i === index ? next : f)) : [...wallet.funds, next];
  return { ...wallet, funds };
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const isWallet = event.stream.startsWith(WALLET_PREFIX);
  if (!isWallet && !event.stream.startsWith(POSITION_PREFIX)) return;
  const position = isWallet ? undefined : positionStreamParts(event.stream);
  const walletId = position?.walletId ?? event.stream.slice(WALLET_PREFIX.length);
  const wallet = (await view.read<WalletDoc>(WALLETS_COLLECTION, walletId)) ?? emptyWallet(walletId);
  if (BigInt(wallet.lastEventPosition) >= event.position) return;
  const domainEvent = { type: event.type, data: eventData(event) };
  const next = position ? withFund(wallet, position.fundCode, domainEvent as Exclude<PositionEvent, { type: 'PositionDayClosed' }>) : evolveWalletCash(wallet, domainEvent as WalletEvent);
  invariant(next.cashFen >= 0n, () => `wallet ${walletId} would hold ${next.cashFen} fen of cash`);
  writeWallet(view, { ...next, lastEventPosition: event.position.toString(), trail: wallet.trail && trailAfter(wallet.trail, event) }, event);
}

export const walletsProjection: ProjectionDefinition = {
  name: 'wallets',
  description: `Per wallet: owner, cash, rebalancing mode, account tier and payments from the balance, and per fund the confirmed holding, pending purchases and redemptions, instant redemptions and income; and a checkpoint of each wallet every ${WALLET_CHECKPOINT_EVERY_EVENTS} of its events, where as-of reads begin.`,
  collections: [
    { name: WALLETS_COLLECTION, indexes: [] },
    { name: WALLET_CHECKPOINTS_COLLECTION, indexes: [['walletId', 'recordedThroughMs']] },
  ],
  eventTypes: [...WALLET_TYPES, ...POSITION_TYPES],
  apply,
};
