import type { RecordedEvent } from '../../eventstore';
import type { Posting } from '../../domain/ledger/posting';
import type { Fen } from '../../domain/money';
import { invariant } from '../../invariant';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';

export const LEDGER_COLLECTION = 'ledger_accounts';

/** One account of the chart; the document id is the account's name. */
export interface AccountDoc {
  account: string;
  /** Debit-positive: a liability such as wallet cash holds a negative balance. */
  balanceFen: Fen;
  /** The last event applied, so an event replayed after a half-written batch is recognised and not counted twice. */
  lastEventPosition: string;
}

/** Every event type that carries `postings`; a new one must be added here or its money is missed. */
export const POSTING_EVENT_TYPES = [
  'CashDeposited',
  'CashWithdrawn',
  'PaymentSent',
  'PaymentReceived',
  'PaymentReturned',
  'PurchasePaid',
  'RedemptionCashReceived',
  'PurchasePlaced',
  'PurchaseConfirmed',
  'IncomeAccrued',
  'InstantRedemptionMade',
  'StandardRedemptionPlaced',
  'StandardRedemptionSettled',
  'IncomeDistributed',
] as const;

const WALLET_CASH_PREFIX = 'wallet-cash:';
/** An event carries a handful of postings; more means a corrupt event, not a busy day. */
const MAX_POSTINGS_PER_EVENT = 100;

function checkPosting(p: Posting, event: RecordedEvent): void {
  const at = () => `${event.type} at position ${event.position}`;
  invariant(typeof p.debit === 'string' && p.debit.length > 0 && typeof p.credit === 'string' && p.credit.length > 0, () => `${at()}: a posting names no account`);
  invariant(p.debit !== p.credit, () => `${at()}: a posting debits and credits ${p.debit}`);
  invariant(typeof p.amountFen === 'bigint' && p.amountFen > 0n, () => `${at()}: a posting of ${String(p.amountFen)} fen between ${p.debit} and ${p.credit}`);
}

async function apply(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const { postings } = eventData<{ postings?: Posting[] }>(event);
  invariant(Array.isArray(postings) && postings.length <= MAX_POSTINGS_PER_EVENT, () => `${event.type} at position ${event.position} carries no list of postings`);
  const touched = new Map<string, Fen | 'applied'>();
  const balance = async (account: string): Promise<Fen | 'applied'> => {
    const known = touched.get(account);
    if (known !== undefined) return known;
    const doc = await view.read<AccountDoc>(LEDGER_COLLECTION, account);
    if (!doc) return 0n;
    return BigInt(doc.lastEventPosition) >= event.position ? 'applied' : doc.balanceFen;
  };
  const move = async (account: string, amountFen: Fen) => {
    const before = await balance(account);
    touched.set(account, before === 'applied' ? before : before + amountFen);
  };
  for (const p of postings) {
    checkPosting(p, event);
    await move(p.debit, p.amountFen);
    await move(p.credit, -p.amountFen);
  }
  const lastEventPosition = event.position.toString();
  for (const [account, balanceFen] of touched) {
    if (balanceFen === 'applied') continue;
    invariant(!account.startsWith(WALLET_CASH_PREFIX) || balanceFen <= 0n, () => `${event.type} at position ${event.position} leaves ${account} with a debit balance of ${balanceFen} fen`);
    view.write(LEDGER_COLLECTION, account, { account, balanceFen, lastEventPosition } satisfies AccountDoc);
  }
}

export const ledgerProjection: ProjectionDefinition = {
  name: 'ledger',
  description: "Every ledger account's balance (debit positive), from the postings money-moving events carry.",
  collections: [{ name: LEDGER_COLLECTION, indexes: [] }],
  eventTypes: POSTING_EVENT_TYPES,
  apply,
};
