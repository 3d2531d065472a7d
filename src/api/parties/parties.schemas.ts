import { UUID, writeResponseSchema } from '../commands/write-schemas';
import { ERASED_NAME, PHONE as PHONE_PATTERN } from '../../personal-data/personal-details';
import type { JsonSchema } from '../http/openapi';

const AMOUNT: JsonSchema = { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{2}$', description: 'CNY as a decimal string', example: '1234.56' };
const CNY_NUMBER: JsonSchema = { type: 'number', nullable: true, description: 'CNY as a number rounded to the fen: a descriptive statistic, not an amount on the books' };
const SHARE: JsonSchema = { type: 'number', nullable: true, minimum: 0, maximum: 1, description: 'a fraction from 0 to 1, 4 decimals' };
const DATE: JsonSchema = { type: 'string', format: 'date' };

const NAME: JsonSchema = { type: 'string', description: `the name as registered; "${ERASED_NAME}" once the person's details are erased` };
const PHONE: JsonSchema = { type: 'string', pattern: PHONE_PATTERN.source, description: 'the phone number as registered (E.164); absent when none was, or once erased' };
const MASKED_CARD: JsonSchema = {
  type: 'string',
  pattern: '^\\*{4}[0-9]{4}$',
  description: 'the bank card, masked to its last four digits (the full number is shown nowhere); absent when none was registered, or once erased',
  example: '****0006',
};
const POSITION: JsonSchema = { type: 'string', pattern: '^[0-9]+$' };

const PARTY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['id', 'kind', 'name', 'walletId', 'registeredOn', 'registeredPosition'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'the party id' },
    kind: { type: 'string', enum: ['customer', 'merchant'] },
    name: NAME,
    phone: PHONE,
    bankCard: MASKED_CARD,
    walletId: { type: 'string', format: 'uuid' },
    registeredOn: { ...DATE, description: 'the business date of the registration' },
    registeredPosition: { ...POSITION, description: 'the event store position of the registration' },
    erasedPosition: { ...POSITION, description: "the event store position of the erasure of the person's details; absent while they are not erased" },
  },
};

export const REGISTERED_PARTY_SCHEMA: JsonSchema = writeResponseSchema(
  'the party and its wallet, opened',
  {
    id: { ...UUID, description: 'the party id' },
    kind: { type: 'string', enum: ['customer', 'merchant'] },
    name: NAME,
    phone: PHONE,
    bankCard: MASKED_CARD,
    walletId: { ...UUID, description: "the party's wallet" },
    accountTier: { type: 'string', enum: ['I', 'II', 'III'], description: "a customer's payment-account type; merchants have none" },
    apiKey: {
      type: 'string',
      pattern: '^ifw_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$',
      description: "the party's bearer key, shown this once and stored only hashed; absent from a replay with the same Idempotency-Key",
    },
  },
  ['apiKey', 'accountTier', 'phone', 'bankCard'],
);

export const ERASED_PARTY_SCHEMA: JsonSchema = writeResponseSchema("the person's details erased (or erased before: nothing changed)", {
  id: { ...UUID, description: 'the party id' },
  kind: { type: 'string', enum: ['customer', 'merchant'] },
  erased: { type: 'boolean', enum: [true] },
});

export const PARTY_PAGE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: PARTY_SCHEMA }, nextCursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null on the last' } },
};

const FLOW_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['total', 'mean', 'standardDeviation', 'coefficientOfVariation', 'trendPerDay', 'weekdayMeans'],
  properties: {
    total: { ...AMOUNT, description: 'the sum over the series' },
    mean: { ...CNY_NUMBER, description: 'mean per business day, CNY (a number)' },
    standardDeviation: { ...CNY_NUMBER, description: 'sample standard deviation per business day, CNY (a number); null below two days' },
    coefficientOfVariation: { type: 'number', nullable: true, description: 'standard deviation over mean, 4 decimals; null when the mean is zero' },
    trendPerDay: { ...CNY_NUMBER, description: 'least-squares slope, CNY per business day (a number); null below two days' },
    weekdayMeans: {
      type: 'object',
      description: 'the mean per weekday, CNY (numbers); null for a weekday not in the series',
      required: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      properties: { monday: CNY_NUMBER, tuesday: CNY_NUMBER, wednesday: CNY_NUMBER, thursday: CNY_NUMBER, friday: CNY_NUMBER },
    },
  },
};

const DAY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['date', 'inflow', 'outflow', 'closingBalance', 'instantRedeemed', 'standardRedeemed', 'withdrawals'],
  properties: {
    date: { ...DATE, description: 'a business day' },
    inflow: { ...AMOUNT, description: 'deposits and payments received' },
    outflow: { ...AMOUNT, description: 'withdrawals and payments sent' },
    closingBalance: { ...AMOUNT, description: 'wallet cash at the end of the day' },
    instantRedeemed: { ...AMOUNT, description: 'instant fund redemptions placed' },
    standardRedeemed: { ...AMOUNT, description: 'standard fund redemptions placed' },
    withdrawals: { type: 'integer', minimum: 0, description: 'number of withdrawals' },
  },
};

const TIME_OF_MONTH: JsonSchema = {
  type: 'object',
  nullable: true,
  description: 'the share of the outflow on days 1–10, 11–20 and 21–31 of the month; null without outflow',
  required: ['days1to10', 'days11to20', 'days21to31'],
  properties: { days1to10: SHARE, days11to20: SHARE, days21to31: SHARE },
};

export const PROFILE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['merchantId', 'walletId', 'name', 'registeredOn', 'asOf', 'from', 'businessDays', 'daily', 'inflow', 'outflow', 'balance', 'withdrawalHabits', 'position'],
  properties: {
    merchantId: { type: 'string', format: 'uuid' },
    walletId: { type: 'string', format: 'uuid' },
    name: NAME,
    registeredOn: DATE,
    asOf: { ...DATE, description: 'the closed business date the profile runs through' },
    from: { ...DATE, nullable: true, description: 'the first business day of the series; null without history by asOf' },
    businessDays: { type: 'integer', minimum: 0, maximum: 260, description: 'days in the series: from the first day of the history, at most 260 back from asOf' },
    daily: { type: 'array', items: DAY_SCHEMA, description: 'every business day of the series, oldest first; days without movements are zeros' },
    inflow: FLOW_SCHEMA,
    outflow: FLOW_SCHEMA,
    balance: {
      type: 'object',
      description: 'nearest-rank percentiles of the daily closing balances: each is one of the balances; null without history',
      required: ['p10', 'p50', 'p90'],
      properties: { p10: { ...AMOUNT, nullable: true }, p50: { ...AMOUNT, nullable: true }, p90: { ...AMOUNT, nullable: true } },
    },
    withdrawalHabits: {
      type: 'object',
      required: ['withdrawals', 'instantRedeemed', 'standardRedeemed', 'instantShare', 'standardShare', 'outflowByTimeOfMonth'],
      properties: {
        withdrawals: { type: 'integer', minimum: 0, description: 'withdrawals in the series' },
        instantRedeemed: { ...AMOUNT, description: 'instant redemptions in the series' },
        standardRedeemed: { ...AMOUNT, description: 'standard redemptions in the series' },
        instantShare: { ...SHARE, description: 'instant redemptions over all redemptions; null without redemptions' },
        standardShare: { ...SHARE, description: 'standard redemptions over all redemptions; null without redemptions' },
        outflowByTimeOfMonth: TIME_OF_MONTH,
      },
    },
    position: { type: 'string', pattern: '^[0-9]+$', description: 'the event store position of the last event in the profile' },
  },
};

const KEY_ID: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{16}$', description: "the key's id: names it without revealing it", example: '3f9c0a1b2d4e6f70' };

export const ISSUED_KEY_SCHEMA: JsonSchema = writeResponseSchema(
  'a new key, issued',
  {
    partyId: { ...UUID, description: 'the party id' },
    keyId: KEY_ID,
    apiKey: {
      type: 'string',
      pattern: '^ifw_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$',
      description: 'the new bearer key, shown this once and stored only hashed; absent from a replay with the same Idempotency-Key',
    },
  },
  ['apiKey'],
);

export const REVOKED_KEY_SCHEMA: JsonSchema = writeResponseSchema('the key revoked (or revoked before: nothing changed)', {
  partyId: { ...UUID, description: 'the party id' },
  keyId: KEY_ID,
  revoked: { type: 'boolean', enum: [true] },
});

export const PARTY_KEYS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['partyId', 'keys'],
  properties: {
    partyId: { type: 'string', format: 'uuid' },
    keys: {
      type: 'array',
      description: 'every key the party was issued, oldest first (the registration\'s first); ids and dates only',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['keyId', 'status', 'issuedOn', 'issuedPosition'],
        properties: {
          keyId: KEY_ID,
          status: { type: 'string', enum: ['active', 'revoked'] },
          issuedOn: { ...DATE, description: 'the business date of the issue' },
          issuedPosition: { ...POSITION, description: 'the event store position of the issue' },
          revokedOn: { ...DATE, description: 'the business date of the revocation; absent while active' },
          revokedPosition: { ...POSITION, description: 'the event store position of the revocation; absent while active' },
        },
      },
    },
  },
};
