import type { JsonSchema } from '../http/openapi';
import { MAX_PORTFOLIO_SWITCHES } from './intelligence.queries';

const AMOUNT: JsonSchema = { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{2}$', description: 'CNY as a decimal string' };
const PER_TEN_K: JsonSchema = { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{4}$', description: 'CNY per 10,000 shares, 4 decimals' };
const DATE: JsonSchema = { type: 'string', format: 'date' };
const POSITION: JsonSchema = { type: 'string', pattern: '^[0-9]+$', description: 'the event store position of the forecast event' };

const MERCHANT_ITEM_PROPERTIES: Record<string, JsonSchema> = {
  merchantId: { type: 'string', format: 'uuid' },
  walletId: { type: 'string', format: 'uuid' },
  forecastDate: { ...DATE, description: 'the business day forecast' },
  expectedOutflow: { ...AMOUNT, description: 'the forecast mean of the outflow (withdrawals and payments sent)' },
  upper95: { ...AMOUNT, description: 'the upper bound of the 95 % prediction interval' },
  model: { type: 'string', description: 'the ARIMA order chosen, e.g. ARIMA(1,0,0)(0,1,1)[5]' },
  aic: { type: 'number', nullable: true, description: "the model's AIC" },
  historyDays: { type: 'integer', minimum: 0, description: 'business days of history the model was fitted on' },
  position: POSITION,
};

export const MERCHANT_FORECAST_SCHEMA: JsonSchema = {
  type: 'object',
  required: [...Object.keys(MERCHANT_ITEM_PROPERTIES), 'madeAtCloseOf', 'modelVersion', 'inputsPosition'],
  properties: {
    ...MERCHANT_ITEM_PROPERTIES,
    madeAtCloseOf: { ...DATE, description: 'the closed date the forecast was made at' },
    modelVersion: { type: 'string', description: 'the models and their settings' },
    inputsPosition: { type: 'string', pattern: '^[0-9]+$', description: 'the log position the inputs were read at: rebuild them there to reproduce the forecast' },
  },
};

const TARGET_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['fundCode', 'current', 'target'],
  properties: { fundCode: { type: 'string' }, current: { ...AMOUNT, description: 'the confirmed holding when proposed' }, target: { ...AMOUNT, description: 'the proposed holding' } },
};

const PROPOSAL_PROPERTIES: Record<string, JsonSchema> = {
  forecastDate: DATE,
  expectedGain: { ...AMOUNT, description: 'the income gained over the horizon by moving to the targets' },
  instantCapacity: { ...AMOUNT, description: 'what the targets let the wallet redeem instantly in a day' },
  demandUpper95: { ...AMOUNT, description: "the merchant's forecast upper 95 % outflow the allocation covers" },
  shortfall: { ...AMOUNT, description: 'the part of that demand the allocation cannot cover instantly' },
  binding: { type: 'array', items: { type: 'string' }, description: 'the constraints that bind at the optimum' },
};

const SWITCH_ITEM: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['processId', 'fromFund', 'toFund', 'amount', 'state', 'step', 'startedAt'],
  properties: {
    processId: { type: 'string', description: 'the fund switch: follow it with GET /processes/{processId}' },
    fromFund: { type: 'string', description: 'the fund redeemed' },
    toFund: { type: 'string', description: 'the fund bought' },
    amount: { ...AMOUNT, description: 'the CNY moved from fromFund to toFund' },
    state: { type: 'string', enum: ['active', 'incident'], description: 'incident: a step failed and waits for an operator to retry it' },
    step: { type: 'array', items: { type: 'string' }, description: 'the BPMN elements it is at, such as AwaitRedemptionCash (the standard redemption\'s cash) or AwaitConfirmation' },
    startedAt: { type: 'string', format: 'date-time' },
  },
};

export const PORTFOLIO_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['walletId', 'businessDate', 'holdings', 'proposal', 'switches', 'switchesTruncated', 'switchesUnavailable'],
  properties: {
    walletId: { type: 'string', format: 'uuid' },
    businessDate: DATE,
    holdings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fundCode', 'current', 'target'],
        properties: { fundCode: { type: 'string' }, current: { ...AMOUNT, description: 'the confirmed holding now' }, target: { ...AMOUNT, nullable: true, description: 'the proposed holding; null without a proposal for the fund' } },
      },
    },
    proposal: {
      type: 'object',
      nullable: true,
      required: ['madeAtCloseOf', ...Object.keys(PROPOSAL_PROPERTIES), 'modelVersion', 'position'],
      properties: { madeAtCloseOf: DATE, ...PROPOSAL_PROPERTIES, modelVersion: { type: 'string' }, position: POSITION },
    },
    switches: {
      type: 'array',
      nullable: true,
      items: SWITCH_ITEM,
      description: `the wallet's fund switches under way (running, or stopped at an incident), oldest first, at most ${MAX_PORTFOLIO_SWITCHES}; null when the process engine cannot list them (switchesUnavailable says why)`,
    },
    switchesTruncated: { type: 'boolean', description: `more than ${MAX_PORTFOLIO_SWITCHES} switches are under way: GET /processes?wallet= (operator, auditor) lists them all` },
    switchesUnavailable: {
      type: 'string',
      nullable: true,
      enum: ['OPERATE_REQUIRED'],
      description: 'OPERATE_REQUIRED: on Zeebe, instances are searched in Operate, so switches is null; null on the embedded engine',
    },
  },
};

const FUND_ITEM: JsonSchema = {
  type: 'object',
  required: ['fundCode', 'forecastDate', 'trainEnd', 'perTenK', 'naivePerTenK', 'sevenDayYieldPct', 'alpha', 'l1Ratio', 'position'],
  properties: {
    fundCode: { type: 'string' },
    forecastDate: DATE,
    trainEnd: { ...DATE, description: 'the last day of the training data' },
    perTenK: { ...PER_TEN_K, description: 'the forecast income per 10,000 shares' },
    naivePerTenK: { ...PER_TEN_K, description: 'the "tomorrow = today" forecast it is measured against' },
    sevenDayYieldPct: { type: 'number', description: 'the 7-day yield the forecast implies, percent (a number, 4 decimals)' },
    alpha: { type: 'number', description: 'the elastic-net penalty chosen' },
    l1Ratio: { type: 'number', description: 'the elastic-net mix chosen' },
    position: POSITION,
  },
};

const PROPOSAL_ITEM: JsonSchema = {
  type: 'object',
  required: ['walletId', ...Object.keys(PROPOSAL_PROPERTIES), 'targets', 'position'],
  properties: { walletId: { type: 'string', format: 'uuid' }, ...PROPOSAL_PROPERTIES, targets: { type: 'array', items: TARGET_SCHEMA }, position: POSITION },
};

const SKIP_ITEM: JsonSchema = {
  type: 'object',
  required: ['subject', 'forecastDate', 'reason', 'position'],
  properties: { subject: { type: 'string', description: 'e.g. "fund YEB", "merchant <id>", "fund yields"' }, forecastDate: DATE, reason: { type: 'string' }, position: POSITION },
};

export const CLOSE_FORECASTS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['date', 'modelVersion', 'inputsPosition', 'position', 'complete', 'counts', 'funds', 'merchants', 'proposals', 'skipped', 'nextCursor'],
  properties: {
    date: { ...DATE, description: 'the close the forecasts were made at' },
    modelVersion: { type: 'string' },
    inputsPosition: { type: 'string', pattern: '^[0-9]+$', description: "the inputs position of the close's first forecast event" },
    position: { ...POSITION, description: "the position of the close's first forecast event" },
    complete: {
      type: 'boolean',
      description: 'every forecast of the close is recorded (its ForecastsRecorded marker is); false while they are being recorded, or for a close a crash cut short until the forecasts step or the next start completes it',
    },
    counts: {
      type: 'object',
      required: ['funds', 'merchants', 'proposals', 'skipped'],
      properties: { funds: { type: 'integer' }, merchants: { type: 'integer' }, proposals: { type: 'integer' }, skipped: { type: 'integer' } },
    },
    funds: { type: 'array', items: FUND_ITEM },
    merchants: { type: 'array', items: { type: 'object', required: Object.keys(MERCHANT_ITEM_PROPERTIES), properties: MERCHANT_ITEM_PROPERTIES } },
    proposals: { type: 'array', items: PROPOSAL_ITEM },
    skipped: { type: 'array', items: SKIP_ITEM },
    nextCursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null on the last' },
  },
};
