import type { JsonSchema } from '../http/openapi';

const object = (properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
});

const INTEGER_TEXT = '^(0|[1-9][0-9]*)$';
const SHA256_HEX = '^[0-9a-f]{64}$';

const EVENT_SCHEMA: JsonSchema = object({
  position: { type: 'string', pattern: INTEGER_TEXT, description: 'the global position in the log' },
  stream: { type: 'string' },
  revision: { type: 'string', pattern: INTEGER_TEXT, description: '0-based and gapless within the stream' },
  id: { type: 'string' },
  type: { type: 'string' },
  recordedAt: { type: 'string', format: 'date-time' },
  data: {
    type: 'object',
    additionalProperties: true,
    description: 'As stored, the form its hash covers: amounts (…Fen) as integer strings of fen, income per 10,000 shares (…perTenK) as integer strings of 0.0001 CNY.',
  },
  metadata: { type: 'object', additionalProperties: true, description: 'As stored: correlation, causation, principal, rule set and business date of the decision.' },
  hash: { type: 'string', pattern: SHA256_HEX, description: "sha256 of the previous event's hash in this stream ‖ this event in canonical form" },
  erasedFields: {
    type: 'array',
    items: { type: 'string' },
    description:
      'Fields of data shown as erased: a name recorded in the clear before version 3, of a person erased since. The stored event keeps it and its hash covers it, so this event no longer hashes to `hash` as shown; GET /audit/verify checks the stored text. Absent when nothing is hidden. Sealed personal details (sealedPersonalData) are shown sealed.',
  },
}, ['erasedFields']);

export const LOG_PAGE_SCHEMA: JsonSchema = object({
  items: { type: 'array', items: EVENT_SCHEMA, description: 'events by global position' },
  nextPosition: { type: 'string', pattern: INTEGER_TEXT, nullable: true, description: 'pass as fromPosition for the next page; null at the end of the log' },
});

export const STREAM_PAGE_SCHEMA: JsonSchema = object({
  items: { type: 'array', items: EVENT_SCHEMA, description: 'events by revision' },
  nextRevision: { type: 'string', pattern: INTEGER_TEXT, nullable: true, description: 'pass as fromRevision for the next page; null at the end of the stream' },
});

export const STREAM_STATE_SCHEMA: JsonSchema = object({
  stream: { type: 'string' },
  revision: { type: 'string', pattern: INTEGER_TEXT, description: 'the last revision folded' },
  schema: { type: 'string', description: "the entity's state schema, as its snapshots name it (wallet-v3, fund-v1, …)" },
  state: { type: 'object', additionalProperties: true, description: "the entity's state encoded as snapshots are: bigints as integer strings (fen, 0.0001 CNY, shares)" },
});

const BREAK_SCHEMA: JsonSchema = object({
  kind: { type: 'string', enum: ['edited', 'removed', 'reordered', 're-chained', 'snapshot-forged'] },
  stream: { type: 'string', description: 'empty when the damage is to the log as a whole' },
  revision: { type: 'string', pattern: '^-?[0-9]+$' },
  position: { type: 'string', pattern: '^-?[0-9]+$' },
  reason: { type: 'string' },
});

export const VERIFY_REPORT_SCHEMA: JsonSchema = object(
  {
    ok: { type: 'boolean' },
    eventsChecked: { type: 'integer', minimum: 0 },
    streamsChecked: { type: 'integer', minimum: 0 },
    snapshotsChecked: { type: 'integer', minimum: 0, nullable: true },
    checkpoints: {
      ...object({ checked: { type: 'integer', minimum: 0 }, lastPosition: { type: 'string', pattern: INTEGER_TEXT, nullable: true } }),
      nullable: true,
      description: 'the keyed checkpoints checked; null when the server runs without IFW_AUDIT_KEY',
    },
    head: {
      ...object({ position: { type: 'string', pattern: INTEGER_TEXT }, hash: { type: 'string', pattern: SHA256_HEX } }),
      nullable: true,
      description: 'the anchor to keep elsewhere (`ifw audit verify --anchor HASH@POSITION`); null for an empty log or a store without a log chain',
    },
    firstBreak: { ...BREAK_SCHEMA, description: 'the damage with the lowest position; only when ok is false' },
    breaks: { type: 'array', items: BREAK_SCHEMA, description: 'the first damages found, by position; only when ok is false' },
  },
  ['firstBreak', 'breaks'],
);
