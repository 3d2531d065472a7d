import type { RecordedEvent } from '../../eventstore';
import { encodeData } from '../../domain/event-codec';
import { isIsoDate } from '../../domain/iso-date';
import type { Fen } from '../../domain/money';
import type { PositionEvent } from '../../domain/position/position.decider';
import type { WalletEvent } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';
import { positionStreamParts } from './wallets.projection';

export const TRANSACTIONS_COLLECTION = 'transactions';

/**
 * What moved. Cash kinds change the wallet's cash; fund kinds change its confirmed holding of `fundCode`. A
 * purchase shows twice (cash paid when placed, holding confirmed the next business day), and so does a
 * redemption (holding taken when placed, cash paid at once for instant, at the close for standard).
 */
export const TRANSACTION_KINDS = [
  'deposit',
  'withdrawal',
  'payment_sent',
  'payment_received',
  'payment_returned',
  'purchase_paid',
  'purchase_confirmed',
  'income',
  'instant_redemption',
  'redemption_placed',
  'redemption_paid',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** Which balance of the wallet a row changes. */
export type TransactionAsset = 'cash' | 'fund';

export interface TransactionDoc {
  walletId: string;
  kind: TransactionKind;
  asset: TransactionAsset;
  /** Signed: positive adds to the asset's balance, negative takes from it. */
  amountFen: Fen;
  fundCode: string | null;
  /** The other wallet of a payment. */
  counterpartyWalletId: string | null;
  /** The payment, purchase or redemption the row belongs to. */
  reference: string | null;
  /** The business date the movement was decided on. */
  businessDate: string;
  /** The calendar day the movement is for: the day an income was earned on, else the business date. */
  valueDate: string;
  position: string;
  recordedAt: string;
}

type Movement = Pick<TransactionDoc, 'kind' | 'asset' | 'amountFen'> & Partial<Pick<TransactionDoc, 'fundCode' | 'counterpartyWalletId' | 'reference' | 'valueDate'>>;

const WALLET_TYPES = ['CashDeposited', 'CashWithdrawn', 'PaymentSent', 'PaymentReceived', 'PaymentReturned', 'PurchasePaid', 'RedemptionCashReceived'] as const;
const POSITION_TYPES = ['PurchaseConfirmed', 'IncomeAccrued', 'InstantRedemptionMade', 'StandardRedemptionPlaced'] as const;

/** Digits of a zero-padded position: 2^64 has 20, so ids sort as positions do. */
const POSITION_DIGITS = 20;

/** `<position, 20 digits>:<index within the event>`: sorting ids sorts rows by the log. */
export function transactionId(position: bigint, index: number): string {
  return `${position.toString().padStart(POSITION_DIGITS, '0')}:${index}`;
}

type MoneyWalletEvent = Exclude<WalletEvent, { type: 'WalletOpened' | 'RebalancingSet' | 'AccountTierRaised' }>;
type MovingPositionEvent = Extract<PositionEvent, { type: (typeof POSITION_TYPES)[number] }>;

function walletMovement(event: MoneyWalletEvent): Movement {
  switch (event.type) {
    case 'CashDeposited':
      return { kind: 'deposit', asset: 'cash', amountFen: event.data.amountFen };
    case 'CashWithdrawn':
      return { kind: 'withdrawal', asset: 'cash', amountFen: -event.data.amountFen };
    case 'PaymentSent':
      return { kind: 'payment_sent', asset: 'cash', amountFen: -event.data.amountFen, counterpartyWalletId: event.data.toWalletId, reference: event.data.paymentId };
    case 'PaymentReceived':
      return { kind: 'payment_received', asset: 'cash', amountFen: event.data.amountFen, counterpartyWalletId: event.data.fromWalletId, reference: event.data.paymentId };
    case 'PaymentReturned':
      return { kind: 'payment_returned', asset: 'cash', amountFen: event.data.amountFen, counterpartyWalletId: event.data.toWalletId, reference: event.data.paymentId };
    case 'PurchasePaid':
      return { kind: 'purchase_paid', asset: 'cash', amountFen: -event.data.amountFen, fundCode: event.data.fundCode, reference: event.data.purchaseId };
    case 'RedemptionCashReceived':
      return { kind: 'redemption_paid', asset: 'cash', amountFen: event.data.amountFen, fundCode: event.data.fundCode, reference: event.data.redemptionId };
  }
}

/** Null for an income of zero fen, which moves nothing. */
function positionMovement(event: MovingPositionEvent, fundCode: string): Movement | null {
  switch (event.type) {
    case 'PurchaseConfirmed':
      return { kind: 'purchase_confirmed', asset: 'fund', amountFen: event.data.amountFen, fundCode, reference: event.data.purchaseId };
    case 'IncomeAccrued':
      return event.data.amountFen === 0n ? null : { kind: 'income', asset: 'fund', amountFen: event.data.amountFen, fundCode, valueDate: event.data.date };
    case 'InstantRedemptionMade':
      return { kind: 'instant_redemption', asset: 'fund', amountFen: -event.data.amountFen, fundCode, reference: event.data.redemptionId };
    case 'StandardRedemptionPlaced':
      return { kind: 'redemption_placed', asset: 'fund', amountFen: -event.data.amountFen, fundCode, reference: event.data.redemptionId };
  }
}

/** Rows are written once and never changed, so nothing is read first. */
async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const domainEvent = { type: event.type, data: eventData(event) };
  const isPosition = event.stream.startsWith('position-');
  const position = isPosition ? positionStreamParts(event.stream) : undefined;
  const movement = position ? positionMovement(domainEvent as MovingPositionEvent, position.fundCode) : walletMovement(domainEvent as MoneyWalletEvent);
  if (!movement) return;
  const businessDate = event.metadata.businessDate;
  invariant(typeof businessDate === 'string' && isIsoDate(businessDate), () => `${event.type} at position ${event.position} has no business date in its metadata`);
  const row: TransactionDoc = {
    walletId: position?.walletId ?? event.stream.slice('wallet-'.length),
    fundCode: null,
    counterpartyWalletId: null,
    reference: null,
    ...movement,
    businessDate,
    valueDate: movement.valueDate ?? businessDate,
    position: event.position.toString(),
    recordedAt: event.recordedAt.toISOString(),
  };
  view.put(TRANSACTIONS_COLLECTION, transactionId(event.position, 0), encodeData(row));
}

export const transactionsProjection: ProjectionDefinition = {
  name: 'transactions',
  description: "One row per movement of a wallet's cash or fund holdings, newest first by id.",
  collections: [{ name: TRANSACTIONS_COLLECTION, indexes: [['walletId'], ['walletId', 'kind'], ['walletId', 'businessDate'], ['walletId', 'kind', 'businessDate']] }],
  eventTypes: [...WALLET_TYPES, ...POSITION_TYPES],
  apply,
};
