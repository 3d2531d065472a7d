import type { JsonSchema } from '../http/openapi';
import { CNY, DATE, FUND_CODE, UUID, writeResponseSchema } from '../commands/write-schemas';
import { TRANSACTION_KINDS } from '../../projections/read-models/transactions.projection';

const amount = (description: string): JsonSchema => ({ type: 'string', pattern: '^(0|[1-9][0-9]*)\\.[0-9]{2}$', example: '1234.56', description });
const signedAmount = (description: string): JsonSchema => ({ type: 'string', pattern: '^-?(0|[1-9][0-9]*)\\.[0-9]{2}$', example: '-100.25', description });
const date = (description: string, nullable = false): JsonSchema => ({ type: 'string', format: 'date', ...(nullable ? { nullable: true } : {}), description });
const uuid = (description: string, nullable = false): JsonSchema => ({ type: 'string', format: 'uuid', ...(nullable ? { nullable: true } : {}), description });

const object = (properties: Record<string, JsonSchema>, description?: string): JsonSchema => ({
  type: 'object',
  ...(description ? { description } : {}),
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});

const INCOME = {
  incomeLastDay: signedAmount('Income of the latest calendar day income accrued on (income may be negative); 0.00 before any.'),
  incomeLastDayDate: date('That day; null before any income accrued.', true),
  incomeTotal: signedAmount('All income accrued so far.'),
};

const HOLDING_SCHEMA = object(
  {
    fundCode: { type: 'string', pattern: '^[A-Z0-9]{2,12}$', description: 'The fund.' },
    holding: amount('Confirmed, earning shares in CNY (NAV 1.00).'),
    pendingPurchase: amount('Sum of the purchases waiting for confirmation.'),
    pendingPurchases: {
      type: 'array',
      description: 'Purchases paid and not yet confirmed, oldest first.',
      items: object({ purchaseId: uuid('The purchase.'), amount: amount('CNY paid.'), confirmOn: date('The business day it is confirmed and starts earning.') }),
    },
    pendingRedemption: amount('Sum of the standard redemptions not yet paid.'),
    pendingRedemptions: {
      type: 'array',
      description: 'Standard redemptions placed and not yet paid, oldest first.',
      items: object({ redemptionId: uuid('The redemption.'), amount: amount('CNY redeemed.'), payOn: date('The business day the cash is paid.') }),
    },
    instantQuotaLeft: amount("What may still be redeemed instantly today under the rule set in force (the daily cap less today's instant redemptions)."),
    ...INCOME,
  },
  'One fund the wallet has bought, in the order first bought.',
);

export const WALLET_VIEW_SCHEMA = object({
  walletId: uuid('The wallet.'),
  ownerKind: { type: 'string', enum: ['customer', 'merchant'], description: 'Who owns it.' },
  ownerId: uuid('The owning customer or merchant.'),
  rebalancing: { type: 'string', enum: ['manual', 'automatic'], description: "manual (the default): the day close's proposals are only shown; automatic: they are made as fund switches. Set with POST /wallets/{walletId}/rebalancing." },
  businessDate: date('The business date now.'),
  ruleSetVersion: { type: 'string', example: 'csrc-pboc-2018-06', description: 'The rule set in force on the business date.' },
  accountTier: { type: 'string', enum: ['I', 'II', 'III'], nullable: true, description: "A customer's PBoC payment-account type; null for a merchant." },
  paymentLimit: {
    ...object({
      period: { type: 'string', enum: ['lifetime', 'year'], description: 'lifetime: counted since the account opened; year: in the calendar year of the business date.' },
      limit: amount('CNY of payments and transfers from the balance the tier allows in the period (withdrawals to the own card do not count).'),
      used: amount('CNY paid from the balance in the period.'),
      left: amount('CNY that may still be paid from the balance in the period.'),
      mayBuyFunds: { type: 'boolean', description: 'Whether the tier may buy funds from its balance (type III only).' },
    }),
    nullable: true,
    description: "The tier's limit under the rule set in force; null for a merchant or before tiers were in force.",
  },
  cash: amount('Cash in CNY.'),
  incomeLastDay: signedAmount("Sum over the funds of their income on the wallet's latest income day."),
  incomeLastDayDate: INCOME.incomeLastDayDate,
  incomeTotal: signedAmount('All income accrued, over every fund.'),
  holdings: { type: 'array', items: HOLDING_SCHEMA },
});

export const TRANSACTION_SCHEMA = object(
  {
    id: { type: 'string', pattern: '^[0-9]{20}:[0-9]+$', description: 'The event position, zero-padded to 20 digits, and the index within the event; ids sort as the log does.' },
    kind: {
      type: 'string',
      enum: [...TRANSACTION_KINDS],
      description:
        'deposit, withdrawal, payment_sent, payment_received, payment_returned (a payment the payee refused came back), purchase_paid (cash taken for a purchase) and redemption_paid (cash of a redemption reached the wallet) move cash; purchase_confirmed, income, instant_redemption and redemption_placed (a standard redemption took the shares) move the holding of fundCode.',
    },
    asset: { type: 'string', enum: ['cash', 'fund'], description: "Which balance moved: the wallet's cash, or its confirmed holding of fundCode." },
    amount: signedAmount('Signed CNY: positive adds to the asset, negative takes from it.'),
    fundCode: { type: 'string', nullable: true, description: 'The fund of a purchase, redemption or income; null for cash-only movements.' },
    counterpartyWalletId: uuid('The other wallet of a payment; null otherwise.', true),
    reference: { type: 'string', nullable: true, description: 'The payment, purchase or redemption id the movement belongs to; null for deposits, withdrawals and income.' },
    businessDate: date('The business date the movement was decided on (the close, for what a day close did).'),
    valueDate: date('The calendar day the movement is for: the day an income was earned on, else the business date.'),
    position: { type: 'string', pattern: '^[0-9]+$', description: 'The event store position of the event.' },
    recordedAt: { type: 'string', format: 'date-time', description: 'When the event was written.' },
  },
  'One movement of the wallet.',
);

export const TRANSACTION_PAGE_SCHEMA = object({
  items: { type: 'array', items: TRANSACTION_SCHEMA, description: 'Newest first.' },
  nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' },
});

/** The columns of the CSV form, in order; money as signed decimal strings, nulls as empty fields. */
export const TRANSACTION_CSV_COLUMNS = ['id', 'kind', 'asset', 'amount', 'fundCode', 'counterpartyWalletId', 'reference', 'businessDate', 'valueDate', 'position', 'recordedAt'] as const;

const cny = (description: string): JsonSchema => ({ ...CNY, description: `${String(CNY.description)}: ${description}` });

export const CASH_MOVED_SCHEMA: JsonSchema = writeResponseSchema('the cash moved', {
  walletId: { ...UUID, description: 'the wallet' },
  amount: cny('the amount moved'),
  cash: cny("the wallet's cash after the movement"),
});

export const PAYMENT_SCHEMA: JsonSchema = writeResponseSchema('the payment made', {
  paymentId: { ...UUID, description: 'the payment, as both wallets record it' },
  fromWalletId: { ...UUID, description: 'the paying wallet' },
  toWalletId: { ...UUID, description: 'the wallet paid' },
  amount: cny('the amount paid'),
  cash: cny("the paying wallet's cash after the payment"),
});

export const PURCHASE_SCHEMA: JsonSchema = writeResponseSchema('the purchase placed, pending until its confirmation', {
  purchaseId: { ...UUID, description: 'the purchase' },
  walletId: { ...UUID, description: 'the buying wallet' },
  fundCode: FUND_CODE,
  amount: cny('the cash moved into the pending purchase'),
  confirmOn: { ...DATE, description: 'the business date the day close confirms it into shares: the next business day' },
  cash: cny("the wallet's cash after the purchase"),
});

export const REDEMPTION_SCHEMA: JsonSchema = writeResponseSchema('the redemption placed', {
  redemptionId: { ...UUID, description: 'the redemption' },
  walletId: { ...UUID, description: 'the redeeming wallet' },
  fundCode: FUND_CODE,
  mode: { type: 'string', enum: ['instant', 'standard'], description: 'instant pays now within the daily cap; standard pays the next business day' },
  amount: cny('the holding redeemed'),
  payOn: { ...DATE, description: 'when the cash reaches the wallet: today for instant, the next business day for standard' },
  instantQuotaLeft: cny("what remains of today's instant-redemption cap for this fund after this redemption"),
  ruleSetVersion: { type: 'string', description: 'the instant-cap rule set the redemption was decided under, such as csrc-pboc-2018-06' },
});

const PROCESS_ID: JsonSchema = { type: 'string', minLength: 1, description: 'the process instance: follow it with GET /processes/{processId}' };

export const REBALANCE_SCHEMA: JsonSchema = object(
  {
    processId: { ...PROCESS_ID, description: 'the fund switch of the first requested switch' },
    processes: {
      type: 'array',
      description: 'one fund switch per requested switch, in the order requested',
      items: object({ processId: PROCESS_ID, fromFund: FUND_CODE, toFund: FUND_CODE, amount: cny('the CNY moved from fromFund to toFund') }),
    },
  },
  'the fund switches started; each redeems, waits for the cash, buys and waits for the confirmation',
);

export const INSTANT_WITHDRAWAL_SCHEMA: JsonSchema = object(
  { processId: PROCESS_ID, walletId: { ...UUID, description: 'the merchant wallet' }, amount: cny('the CNY to pay out at once') },
  'the merchant withdrawal started: it pays out from the cash and the funds, or moves nothing',
);

export const ACCOUNT_TIER_SCHEMA: JsonSchema = writeResponseSchema("the wallet's payment-account type from now on", {
  walletId: { ...UUID, description: 'the wallet' },
  accountTier: { type: 'string', enum: ['I', 'II', 'III'], description: 'the PBoC payment-account type' },
});

export const REBALANCING_SCHEMA: JsonSchema = writeResponseSchema('how the wallet rebalances from now on', {
  walletId: { ...UUID, description: 'the wallet' },
  rebalancing: { type: 'string', enum: ['automatic', 'manual'], description: "automatic: the day close's proposals for the wallet are made as fund switches" },
});
