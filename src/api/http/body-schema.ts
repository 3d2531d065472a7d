import { FUND_CODE } from '../../domain/fund/fund.decider';

/**
 * A declarative description of a JSON request body (flat, or with lists of flat objects). One schema drives both validation (validateBody)
 * and the OpenAPI document (buildOpenApiDocument), so the docs cannot drift from what is enforced.
 * Every field is required unless `optional: true`; fields not in the schema are refused.
 */
interface FieldBase {
  readonly optional?: boolean;
  /** Shown in the OpenAPI document. */
  readonly description?: string;
}

/** A positive amount of CNY as a decimal string ("1234.56"), at most 2 decimals; parsed to bigint fen. */
export interface AmountField extends FieldBase {
  readonly kind: 'amount';
  readonly example?: string;
}

/** Income per 10,000 shares as a decimal string ("0.6543"), at most 4 decimals; parsed to bigint 0.0001 CNY. */
export interface PerTenKField extends FieldBase {
  readonly kind: 'perTenK';
  readonly example?: string;
}

/** A real calendar date, YYYY-MM-DD. */
export interface IsoDateField extends FieldBase {
  readonly kind: 'isoDate';
  readonly example?: string;
}

export interface StringField extends FieldBase {
  readonly kind: 'string';
  /** Counted in Unicode code points, as JSON Schema counts them. */
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern?: RegExp;
  /** Completes "<field> must be …" when the pattern does not match, e.g. 'upper-case letters and digits'. */
  readonly patternDescription?: string;
  readonly example?: string;
}

export interface EnumField extends FieldBase {
  readonly kind: 'enum';
  readonly values: readonly string[];
}

/** A JSON true or false. */
export interface BooleanField extends FieldBase {
  readonly kind: 'boolean';
}

/** A UUID in its canonical 8-4-4-4-12 hex form, any version; returned lower-cased. */
export interface IdField extends FieldBase {
  readonly kind: 'id';
}

/** A JSON array of flat objects, each checked against `item`; a fault names its place, as `switches[1].amount`. */
export interface ListField extends FieldBase {
  readonly kind: 'list';
  readonly item: { readonly [field: string]: ScalarField };
  readonly minItems: number;
  readonly maxItems: number;
}

/** A JSON array of distinct strings, each one of `values`, such as a list of read-model names. */
export interface ChoicesField extends FieldBase {
  readonly kind: 'choices';
  readonly values: readonly string[];
  readonly minItems: number;
}

export type ScalarField = AmountField | PerTenKField | IsoDateField | StringField | EnumField | IdField | BooleanField;
export type FieldSpec = ScalarField | ListField | ChoicesField;

export type BodySchema = { readonly [field: string]: FieldSpec };

/**
 * Keeps the literal types of a schema (kinds, enum values, `optional: true`) so that validateBody can infer
 * the body's type from it; without `const` inference a stored object literal widens `kind` to string.
 */
export function defineBody<const S extends BodySchema>(schema: S): S {
  return schema;
}

type FieldValue<F extends FieldSpec> = F extends { kind: 'amount' | 'perTenK' }
  ? bigint
  : F extends { kind: 'boolean' }
    ? boolean
    : F extends { kind: 'choices'; values: readonly (infer V extends string)[] }
      ? V[]
      : F extends { kind: 'enum'; values: readonly (infer V extends string)[] }
    ? V
    : F extends { kind: 'list'; item: infer I extends BodySchema }
      ? BodyOf<I>[]
      : string;

type OptionalKeys<S extends BodySchema> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];

type Flatten<T> = { [K in keyof T]: T[K] };

/** The validated body: amount and perTenK fields are bigint, enum fields their union, others string. */
export type BodyOf<S extends BodySchema> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: FieldValue<S[K]> } & { [K in OptionalKeys<S>]?: FieldValue<S[K]> }
>;

/**
 * Fund codes: Chinese money funds have six-digit codes ("000198"); short upper-case tickers ("YEB") are
 * accepted too for test and simulated funds.
 */
export const FUND_CODE_FIELD: StringField = {
  kind: 'string',
  minLength: 2,
  maxLength: 12,
  pattern: FUND_CODE,
  patternDescription: 'upper-case letters and digits, such as "000198"',
  example: '000198',
};

/**
 * Display names of parties and funds: printable characters, not only spaces. The control characters (Unicode
 * category Cc) are spelled as ranges, not `\p{Cc}`: the pattern goes into the OpenAPI document, and regex
 * engines other than ECMAScript's (Python's, which schemathesis generates from) have no `\p{…}`.
 */
export const NAME_FIELD: StringField = {
  kind: 'string',
  minLength: 1,
  maxLength: 200,
  // eslint-disable-next-line no-control-regex -- naming the control characters is what refuses them
  pattern: /^(?=.*\S)[^\u0000-\u001F\u007F-\u009F]+$/u,
  patternDescription: 'printable characters, not only spaces',
};
