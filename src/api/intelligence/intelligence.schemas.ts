import type { JsonSchema } from '../http/openapi';
import { MAX_PORTFOLIO_SWITCHES } from './intelligence.queries';

const AMOUNT: JsonSchema = { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{2}$', description: 'CNY as a decimal string' };
const PER_TEN_K: JsonSchema = { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{4}$', description: 'CNY per 10,000 shares, 4 decimals' };
const DATE: JsonSchema = { type: 'string', format: 'date' };
const POSITION: JsonSchema = { type: 'string', pattern: '^[0-9]+$', description: 'the event store position of the forecast event' };

const PROVENANCE: JsonSchema = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  required: ['packageVersion', 'gitCommit', 'configurationHash'],
  description: 'the code and the model configuration that made the forecast; null for a forecast recorded before they were',
  properties: {
    packageVersion: { type: 'string', description: 'the version in package.json' },
    gitCommit: { type: 'string', description: 'IFW_GIT_COMMIT, else the checkout\'s HEAD, else "unknown"' },
    configurationHash: { type: 'string', pattern: '^[0-9a-f]{16}$', description: "the model configuration's hash (src/ml/model-configuration.ts)" },
  },
};

const COEFFICIENTS = (of: string): JsonSchema => ({
  type: 'array',
  nullable: true,
  description: `${of}; null for a forecast recorded before they were`,
  items: { type: 'object', additionalProperties: false, required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'number' } } },
});

const MERCHANT_ITEM_PROPERTIES: Record<string, JsonSchema> = {
  merchantId: { type: 'string', format: 'uuid' },
  walletId: { type: 'string', format: 'uuid' },
  forecastDate: { ...DATE, description: 'the business day forecast' },
  expectedOutflow: { ...AMOUNT, description: 'the forecast mean of the outflow (withdrawals and payments sent)' },
  upper95: { ...AMOUNT, description: 'the upper bound of the 95 % prediction interval' },
  model: { type: 'string', description: 'the ARIMA order chosen, e.g. ARIMA(1,0,0)(0,1,1)[5]' },
  aic: { type: 'number', nullable: true, description: "the model's AIC" },
  historyDays: { type: 'integer', minimum: 0, description: 'business days of history the model was fitted on' },
  coefficients: COEFFICIENTS("the fitted ARIMA model's coefficients in R's names and signs (ar1, ma1, sar1, sma1, intercept)"),
  provenance: PROVENANCE,
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
      required: ['madeAtCloseOf', ...Object.keys(PROPOSAL_PROPERTIES), 'modelVersion', 'provenance', 'position'],
      properties: { madeAtCloseOf: DATE, ...PROPOSAL_PROPERTIES, modelVersion: { type: 'string' }, provenance: PROVENANCE, position: POSITION },
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
  required: ['fundCode', 'forecastDate', 'trainEnd', 'perTenK', 'naivePerTenK', 'sevenDayYieldPct', 'alpha', 'l1Ratio', 'coefficients', 'provenance', 'position'],
  properties: {
    fundCode: { type: 'string' },
    forecastDate: DATE,
    trainEnd: { ...DATE, description: 'the last day of the training data' },
    perTenK: { ...PER_TEN_K, description: 'the forecast income per 10,000 shares' },
    naivePerTenK: { ...PER_TEN_K, description: 'the "tomorrow = today" forecast it is measured against' },
    sevenDayYieldPct: { type: 'number', description: 'the 7-day yield the forecast implies, percent (a number, 4 decimals)' },
    alpha: { type: 'number', description: 'the elastic-net penalty chosen' },
    l1Ratio: { type: 'number', description: 'the elastic-net mix chosen' },
    coefficients: COEFFICIENTS(
      "the pooled elastic net's intercept and one coefficient per feature (the same for every fund of the close), of the next day's change in CNY per 10,000 shares, on the features' own scale",
    ),
    provenance: PROVENANCE,
    position: POSITION,
  },
};

const PROPOSAL_ITEM: JsonSchema = {
  type: 'object',
  required: ['walletId', ...Object.keys(PROPOSAL_PROPERTIES), 'targets', 'provenance', 'position'],
  properties: { walletId: { type: 'string', format: 'uuid' }, ...PROPOSAL_PROPERTIES, targets: { type: 'array', items: TARGET_SCHEMA }, provenance: PROVENANCE, position: POSITION },
};

const SKIP_ITEM: JsonSchema = {
  type: 'object',
  required: ['subject', 'forecastDate', 'reason', 'provenance', 'position'],
  properties: {
    subject: { type: 'string', description: 'e.g. "fund YEB", "merchant <id>", "fund yields"' },
    forecastDate: DATE,
    reason: { type: 'string', description: 'why; a fund with less income history than the model configuration needs says how much it has and needs' },
    provenance: PROVENANCE,
    position: POSITION,
  },
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

const RATIO = (of: string): JsonSchema => ({ type: 'number', nullable: true, description: `the model's ${of} over the naive forecast's on the same days (below 1: the model beats tomorrow = today); null without any naive error` });

/** The figures of the funds (CNY per 10,000 shares, as numbers) or of the merchants (CNY, decimal strings). */
function figuresProperties(amount: JsonSchema): Record<string, JsonSchema> {
  const error = (what: string): JsonSchema => ({ ...amount, nullable: true, description: `${what}; null before any day is scored` });
  return {
    count: { type: 'integer', minimum: 0, description: 'days scored: with a forecast and a known outcome' },
    mae: error("the model's mean absolute error"),
    rmse: error("the model's root mean square error"),
    naiveMae: error('the naive forecast\'s (tomorrow = today) mean absolute error'),
    naiveRmse: error("the naive forecast's root mean square error"),
    maeRatio: RATIO('mean absolute error'),
    rmseRatio: RATIO('root mean square error'),
  };
}

const PER_TEN_K_NUMBER: JsonSchema = { type: 'number', description: 'CNY per 10,000 shares, 6 decimals' };
const FUND_FIGURES = figuresProperties(PER_TEN_K_NUMBER);
const MERCHANT_FIGURES = figuresProperties(AMOUNT);
const AWAITING: JsonSchema = { type: 'integer', minimum: 0, description: "forecasts kept whose outcome is not known yet (a fund's income not published, a merchant's day not closed)" };
const figuresSchema = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties });

export const FORECAST_ACCURACY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['position', 'closedThrough', 'overall', 'funds', 'merchants', 'nextCursor'],
  properties: {
    position: { type: 'string', nullable: true, pattern: '^[0-9]+$', description: 'the read model position the figures are as of' },
    closedThrough: { ...DATE, nullable: true, description: "the last closed business date: a merchant's day is scored once closed" },
    overall: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['funds', 'merchants'],
      description: 'over every fund and every merchant; null when fundCode or merchantId names one',
      properties: { funds: figuresSchema(FUND_FIGURES), merchants: figuresSchema(MERCHANT_FIGURES) },
    },
    funds: { type: 'array', items: figuresSchema({ fundCode: { type: 'string' }, ...FUND_FIGURES, awaitingOutcome: AWAITING }) },
    merchants: {
      type: 'array',
      items: figuresSchema({ merchantId: { type: 'string', format: 'uuid', nullable: true }, walletId: { type: 'string', format: 'uuid' }, ...MERCHANT_FIGURES, awaitingOutcome: AWAITING }),
    },
    nextCursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null on the last' },
  },
};
