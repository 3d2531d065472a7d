import type { EventStore } from '../../eventstore';
import { CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import { NotFoundError } from '../../domain/domain-error';
import { decodeData } from '../../domain/event-codec';
import { RULE_BOOK_STREAM, proposedSet } from '../../domain/rules/rule-book.decider';
import { type Fen, formatFen } from '../../domain/money';
import { type RuleSet, ruleSetOn, withRuleSet } from '../../domain/rules/rule-set';
import { tierLimitLeftFen } from '../../domain/wallet/wallet.decider';
import { type LogFeed, type ProjectionCatalog, type ReadStore, everyDocument } from '../../projections';
import { type ProjectionDefinition, versionedCollection } from '../../projections/projection';
import { CALENDAR, RULE_BOOK } from '../commands/aggregates';
import { loadStored } from '../commands/stored-aggregate';
import { type RebuildOptions, rebuildProjections } from '../../projections/rebuild';
import { type BreachDoc, COMPLIANCE_BREACHES, COMPLIANCE_WALLETS, type ComplianceWalletDoc, type HypotheticalRules, complianceProjection } from '../../projections/read-models/compliance.projection';

/** The read models whose content depends on the rules, built under a set; every other one is the same under any rule set. */
const RULE_DEPENDENT: Readonly<Record<string, (rules: HypotheticalRules) => ProjectionDefinition>> = { compliance: complianceProjection };
export const RULE_DEPENDENT_PROJECTIONS = ['compliance'] as const;
export type RuleDependentProjection = (typeof RULE_DEPENDENT_PROJECTIONS)[number];
/** Wallets and breaches shown by example in a report; the counts cover all of them. */
export const MAX_EXAMPLES = 20;

export interface RuleChangeRequest {
  ruleSet: RuleSet;
  /** Compliance always: its report is the diff. */
  projections: readonly RuleDependentProjection[];
  /** The date the shadow applies the set from: its effective date, or an earlier one to see what it would have refused. */
  appliesFrom: string;
  /** Today's business date, and the rules in force over time as the log has them now. */
  businessDate: string;
  liveTimeline: readonly RuleSet[];
}

export interface WalletChange {
  walletId: string;
  changes: { field: string; before: string | null; after: string | null }[];
}

export interface RuleChangeReport {
  rules: string;
  appliesFrom: string;
  /** The date the standing of every wallet is compared on: today, or the date the set applies from when later. */
  evaluatedOn: string;
  liveVersion: number;
  shadowVersion: number;
  events: number;
  /** Whether promoting it adopts the set: only a shadow applied from the set's own effective date, still ahead, can be. */
  promotable: boolean;
  instantRedemptionCap: { before: string; after: string };
  diff: { walletsCompared: number; walletsChanged: number; byField: Record<string, number>; examples: WalletChange[] };
  breaches: { total: number; byCode: Record<string, number>; examples: BreachView[] };
}

export type BreachView = Omit<BreachDoc, 'amountFen'> & { amount: string };

/** The request for a set by version: proposed or in force, with today's date and rules as the log has them. */
export async function ruleChangeRequest(store: EventStore, version: string, appliesFrom: string | undefined, projections: readonly RuleDependentProjection[]): Promise<RuleChangeRequest> {
  const { state: book } = await loadStored(store, RULE_BOOK_STREAM, RULE_BOOK.decider, RULE_BOOK.schema);
  const ruleSet = proposedSet(book, version) ?? book.timeline.find((set) => set.version === version);
  if (!ruleSet) throw new NotFoundError(`no rule set ${version}: propose it with POST /compliance/rules`);
  const { state: calendar } = await loadStored(store, CALENDAR_STREAM, CALENDAR.decider, CALENDAR.schema);
  if (!calendar.started) throw new NotFoundError('the business calendar has not started: there is no history to rebuild');
  return { ruleSet, projections, appliesFrom: appliesFrom ?? ruleSet.effectiveFrom, businessDate: calendar.businessDate, liveTimeline: book.timeline };
}

/**
 * Builds the compliance read model again under a set applied from a date, beside the served one and unserved,
 * and reports what changes: each wallet's standing on the evaluation date under the rules in force and under
 * the set, and the past events the set would have refused. The log is only read.
 */
export async function rebuildUnderRules(store: EventStore, catalog: ProjectionCatalog, feed: LogFeed, request: RuleChangeRequest, options: RebuildOptions): Promise<RuleChangeReport> {
  const { ruleSet, appliesFrom, businessDate, liveTimeline } = request;
  const names = new Set<RuleDependentProjection>(['compliance', ...request.projections]);
  const definitions = [...names].map((name) => RULE_DEPENDENT[name]!({ ruleSet, appliesFrom }));
  const reports = await rebuildProjections(store, catalog, feed, definitions, { ...options, switchWhenBuilt: false });
  const halted = reports.find((r) => r.halted);
  if (halted) throw new Error(`the shadow of ${halted.name} halted: ${halted.halted}`);
  const built = reports.find((r) => r.name === 'compliance');
  const evaluatedOn = appliesFrom > businessDate ? appliesFrom : businessDate;
  const before = ruleSetOn(evaluatedOn, liveTimeline);
  const after = ruleSetOn(evaluatedOn, withRuleSet(liveTimeline, { ...ruleSet, effectiveFrom: appliesFrom }));
  const breaches = await newBreaches(catalog.readStore, built!.previousVersion, built!.version);
  const diff = await walletDiff(catalog.readStore, built!.version, evaluatedOn, before, after, breaches.byWallet);
  return {
    rules: ruleSet.version,
    appliesFrom,
    evaluatedOn,
    liveVersion: built!.previousVersion,
    shadowVersion: built!.version,
    events: built!.events,
    promotable: appliesFrom === ruleSet.effectiveFrom && ruleSet.effectiveFrom > businessDate,
    instantRedemptionCap: { before: formatFen(before.instantRedemptionCapFen), after: formatFen(after.instantRedemptionCapFen) },
    diff,
    breaches: { total: breaches.total, byCode: breaches.byCode, examples: breaches.examples },
  };
}

/** The breaches of the shadow that the served version does not have, by the position of the event. */
async function newBreaches(readStore: ReadStore, liveVersion: number, shadowVersion: number) {
  const live = versionedCollection(COMPLIANCE_BREACHES, liveVersion);
  const found = { total: 0, byCode: {} as Record<string, number>, examples: [] as BreachView[], byWallet: new Map<string, number>() };
  for await (const doc of everyDocument(readStore, versionedCollection(COMPLIANCE_BREACHES, shadowVersion))) {
    if (await readStore.get(live, doc.id)) continue;
    const { amountFen, ...breach } = decodeData<BreachDoc>(doc.body);
    found.total += 1;
    found.byCode[breach.code] = (found.byCode[breach.code] ?? 0) + 1;
    found.byWallet.set(breach.walletId, (found.byWallet.get(breach.walletId) ?? 0) + 1);
    if (found.examples.length < MAX_EXAMPLES) found.examples.push({ ...breach, amount: formatFen(amountFen) });
  }
  return found;
}

async function walletDiff(readStore: ReadStore, shadowVersion: number, evaluatedOn: string, before: RuleSet, after: RuleSet, breachesByWallet: ReadonlyMap<string, number>) {
  const diff = { walletsCompared: 0, walletsChanged: 0, byField: {} as Record<string, number>, examples: [] as WalletChange[] };
  for await (const doc of everyDocument(readStore, versionedCollection(COMPLIANCE_WALLETS, shadowVersion))) {
    const wallet = decodeData<ComplianceWalletDoc>(doc.body);
    diff.walletsCompared += 1;
    const was = standing(wallet, evaluatedOn, before, 0);
    const is = standing(wallet, evaluatedOn, after, breachesByWallet.get(wallet.walletId) ?? 0);
    const changes = Object.keys(is).flatMap((field) => (was[field] === is[field] ? [] : [{ field, before: was[field] ?? null, after: is[field] ?? null }]));
    if (changes.length === 0) continue;
    diff.walletsChanged += 1;
    for (const { field } of changes) {
      const kind = field.startsWith('instantQuotaLeft:') ? 'instantQuotaLeft' : field;
      diff.byField[kind] = (diff.byField[kind] ?? 0) + 1;
    }
    if (diff.examples.length < MAX_EXAMPLES) diff.examples.push({ walletId: wallet.walletId, changes });
  }
  return diff;
}

/** What a wallet may do on a date under a rule set: the tier's limit and what it leaves, fund purchases, today's instant quotas. */
function standing(wallet: ComplianceWalletDoc, date: string, ruleSet: RuleSet, newBreaches: number): Record<string, string | null> {
  const limit = tierLimitLeftFen(wallet, date, ruleSet);
  const quotas: Record<string, string> = {};
  for (const [fundCode, used] of Object.entries(wallet.instant)) {
    const usedFen: Fen = used.date === date ? used.amountFen : 0n;
    quotas[`instantQuotaLeft:${fundCode}`] = formatFen(ruleSet.instantRedemptionCapFen > usedFen ? ruleSet.instantRedemptionCapFen - usedFen : 0n);
  }
  return {
    paymentLimit: limit ? `${formatFen(limit.rule.paymentLimitFen)} per ${limit.rule.period}` : null,
    paymentLeft: limit ? formatFen(limit.leftFen) : null,
    mayBuyFunds: limit ? String(limit.rule.mayBuyFunds) : null,
    overLimit: String(limit ? limit.usedFen > limit.rule.paymentLimitFen : false),
    breaches: newBreaches > 0 ? String(newBreaches) : null,
    ...quotas,
  };
}
