import { ACCOUNT_TIERS } from '../../domain/rules/rule-set';
import type { JsonSchema } from '../http/openapi';
import { MAX_EXAMPLES } from './rule-change-rebuild';

// The response schemas of the compliance routes, as the OpenAPI document shows them.

export const RULE_SET_PROPERTIES: Record<string, JsonSchema> = {
  version: { type: 'string' },
  effectiveFrom: { type: 'string', format: 'date' },
  instantRedemptionCap: { type: 'string', pattern: '^[0-9]+\\.[0-9]{2}$', description: 'CNY per investor, per fund, per day' },
  accountTiers: {
    type: 'array',
    description: 'empty: no tiers applied',
    items: {
      type: 'object',
      required: ['tier', 'paymentLimit', 'period', 'mayBuyFunds'],
      properties: {
        tier: { type: 'string', enum: [...ACCOUNT_TIERS] },
        paymentLimit: { type: 'string', pattern: '^[0-9]+\\.[0-9]{2}$' },
        period: { type: 'string', enum: ['lifetime', 'year'] },
        mayBuyFunds: { type: 'boolean' },
      },
    },
  },
  source: { type: 'string' },
};

export const LISTING_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['businessDate', 'inForce', 'ruleSets'],
  properties: {
    businessDate: { type: 'string', format: 'date', description: "today's business date" },
    inForce: { type: 'string', description: 'the version in force on it' },
    ruleSets: {
      type: 'array',
      description: 'every version, by effective date',
      items: {
        type: 'object',
        required: [...Object.keys(RULE_SET_PROPERTIES), 'status', 'applies', 'proposedOn', 'proposedBy', 'adoptedOn'],
        properties: {
          ...RULE_SET_PROPERTIES,
          status: { type: 'string', enum: ['built-in', 'proposed', 'adopted'], description: 'built-in: shipped with IFW; proposed: recorded, in force nowhere; adopted: in force from its effective date' },
          applies: { type: 'string', enum: ['now', 'before', 'later'], nullable: true, description: 'now: in force today; before: in force on earlier dates; later: takes effect ahead; null: a proposal' },
          proposedOn: { type: 'string', format: 'date', nullable: true },
          proposedBy: { type: 'string', nullable: true, description: 'the principal who proposed it' },
          adoptedOn: { type: 'string', format: 'date', nullable: true },
        },
      },
    },
  },
};


const CHANGE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['field', 'before', 'after'],
  properties: {
    field: { type: 'string', description: 'paymentLimit, paymentLeft, mayBuyFunds, overLimit, breaches, or instantQuotaLeft:<fund>' },
    before: { type: 'string', nullable: true, description: 'under the rules in force: CNY, "true" or "false", a count, or null where no tier applies' },
    after: { type: 'string', nullable: true, description: 'under the set' },
  },
};

const REPORT_SCHEMA: JsonSchema = {
  type: 'object',
  nullable: true,
  description: 'null while the rebuild runs',
  required: ['rules', 'appliesFrom', 'evaluatedOn', 'liveVersion', 'shadowVersion', 'events', 'promotable', 'instantRedemptionCap', 'diff', 'breaches'],
  properties: {
    rules: { type: 'string' },
    appliesFrom: { type: 'string', format: 'date' },
    evaluatedOn: { type: 'string', format: 'date', description: "the date each wallet's standing is compared on: today, or the date the set applies from when later" },
    liveVersion: { type: 'integer', description: 'the served version of the compliance read model' },
    shadowVersion: { type: 'integer', description: 'the version built under the set, beside it' },
    events: { type: 'integer', description: 'events of the log the rebuild read' },
    promotable: { type: 'boolean', description: "true only for a set applied from its own effective date, still ahead" },
    instantRedemptionCap: { type: 'object', required: ['before', 'after'], properties: { before: { type: 'string' }, after: { type: 'string' } } },
    diff: {
      type: 'object',
      required: ['walletsCompared', 'walletsChanged', 'byField', 'examples'],
      properties: {
        walletsCompared: { type: 'integer' },
        walletsChanged: { type: 'integer' },
        byField: { type: 'object', additionalProperties: { type: 'integer' }, description: 'wallets changed, per field' },
        examples: {
          type: 'array',
          maxItems: MAX_EXAMPLES,
          items: { type: 'object', required: ['walletId', 'changes'], properties: { walletId: { type: 'string', format: 'uuid' }, changes: { type: 'array', items: CHANGE_SCHEMA } } },
        },
      },
    },
    breaches: {
      type: 'object',
      required: ['total', 'byCode', 'examples'],
      description: 'past events the set would have refused, which the rules in force did not',
      properties: {
        total: { type: 'integer' },
        byCode: { type: 'object', additionalProperties: { type: 'integer' } },
        examples: {
          type: 'array',
          maxItems: MAX_EXAMPLES,
          items: {
            type: 'object',
            required: ['position', 'walletId', 'eventType', 'amount', 'businessDate', 'code', 'ruleSetVersion', 'decidedUnder', 'detail'],
            properties: {
              position: { type: 'string', pattern: '^[0-9]+$', description: 'the event store position of the event' },
              walletId: { type: 'string', format: 'uuid' },
              eventType: { type: 'string' },
              amount: { type: 'string' },
              businessDate: { type: 'string', format: 'date' },
              code: { type: 'string', enum: ['ACCOUNT_TIER_LIMIT', 'ACCOUNT_TIER_FORBIDS_FUNDS', 'INSTANT_CAP_EXCEEDED'] },
              ruleSetVersion: { type: 'string', description: 'the set whose rule the event breaks' },
              decidedUnder: { type: 'string', description: 'the set it was decided under' },
              detail: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

export const JOB_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['rebuildId', 'rules', 'appliesFrom', 'state', 'startedAtMs', 'report', 'error'],
  properties: {
    rebuildId: { type: 'string', format: 'uuid' },
    rules: { type: 'string' },
    appliesFrom: { type: 'string', format: 'date' },
    state: { type: 'string', enum: ['running', 'built', 'failed', 'promoted', 'interrupted'], description: 'interrupted: the process running it stopped; start it again' },
    startedAtMs: { type: 'integer' },
    report: REPORT_SCHEMA,
    error: { type: 'string', nullable: true },
    errorCode: { type: 'string' },
  },
};

