import type { RecordedEvent } from '../../eventstore';
import type { Fen } from '../../domain/money';
import { formatFen } from '../../domain/money';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { type AccountTier, type RuleSet, ruleSetOn, timelineWith, withRuleSet } from '../../domain/rules/rule-set';
import { NOTHING_PAID, type PaidFromBalance, paidAfter, tierLimitLeftFen, tierRuleOf } from '../../domain/wallet/wallet.decider';
import { type ProjectionDefinition, type ProjectionView, eventData } from '../projection';
import { positionStreamParts } from './wallets.projection';

export const COMPLIANCE_WALLETS = 'compliance_wallets';
export const COMPLIANCE_BREACHES = 'compliance_breaches';
const COMPLIANCE_RULES = 'compliance_rules';
const RULES_DOC_ID = 'adopted';

/** What the rules count per wallet: its tier, its payments from the balance, and each fund's instant redemptions of the latest day. */
export interface ComplianceWalletDoc {
  walletId: string;
  ownerKind: string | null;
  accountTier: AccountTier | null;
  paid: PaidFromBalance;
  instant: Record<string, { date: string; amountFen: Fen }>;
  breaches: number;
  lastEventPosition: string;
}

/** An event the rules in force on its business date would have refused. */
export interface BreachDoc {
  position: string;
  walletId: string;
  eventType: string;
  amountFen: Fen;
  businessDate: string;
  code: 'ACCOUNT_TIER_LIMIT' | 'ACCOUNT_TIER_FORBIDS_FUNDS' | 'INSTANT_CAP_EXCEEDED';
  /** The set whose rule the event breaks, and the one it was decided under. */
  ruleSetVersion: string;
  decidedUnder: string;
  detail: string;
}

/** A set applied from a date, as if adopted then: what a rebuild under a changed rule builds beside the live model. */
export interface HypotheticalRules {
  ruleSet: RuleSet;
  appliesFrom: string;
}

type ComplianceEvent = 'WalletOpened' | 'AccountTierRaised' | 'PaymentSent' | 'PurchasePaid' | 'InstantRedemptionMade' | 'RuleSetAdopted';
const TYPES: readonly ComplianceEvent[] = ['WalletOpened', 'AccountTierRaised', 'PaymentSent', 'PurchasePaid', 'InstantRedemptionMade', 'RuleSetAdopted'];

function emptyWallet(walletId: string): ComplianceWalletDoc {
  return { walletId, ownerKind: null, accountTier: null, paid: NOTHING_PAID, instant: {}, breaches: 0, lastEventPosition: '-1' };
}

/**
 * The compliance read model: every wallet's standing under the rules, and every event the rules in force on its
 * date would have refused. Live, the rules are the built-in sets and those adopted into the log, and a breach
 * means a decision was taken under other rules than those the log now says were in force. Built with a
 * hypothetical set, it answers what that set would have refused.
 */
export function complianceProjection(hypothetical?: HypotheticalRules): ProjectionDefinition {
  return {
    name: 'compliance',
    description: "Per wallet the tier, the payments from the balance and the day's instant redemptions the rules count; every event the rules in force on its date would have refused.",
    collections: [
      { name: COMPLIANCE_WALLETS, indexes: [] },
      { name: COMPLIANCE_BREACHES, indexes: [['code']] },
      { name: COMPLIANCE_RULES, indexes: [] },
    ],
    eventTypes: TYPES,
    apply: (event, view) => apply(event, view, hypothetical),
  };
}

async function apply(event: RecordedEvent, view: ProjectionView, hypothetical: HypotheticalRules | undefined): Promise<void> {
  if (event.stream === RULE_BOOK_STREAM) return adopt(event, view);
  const isPosition = event.stream.startsWith('position-');
  if (!isPosition && !event.stream.startsWith('wallet-')) return;
  const walletId = isPosition ? positionStreamParts(event.stream).walletId : event.stream.slice('wallet-'.length);
  const wallet = (await view.read<ComplianceWalletDoc>(COMPLIANCE_WALLETS, walletId)) ?? emptyWallet(walletId);
  if (BigInt(wallet.lastEventPosition) >= event.position) return;
  const timeline = await rulesOver(view, hypothetical);
  const { next, breach } = check(wallet, event, timeline);
  if (breach) view.write(COMPLIANCE_BREACHES, event.position.toString(), breach);
  view.write(COMPLIANCE_WALLETS, walletId, { ...next, breaches: next.breaches + (breach ? 1 : 0), lastEventPosition: event.position.toString() });
}

async function adopt(event: RecordedEvent, view: ProjectionView): Promise<void> {
  const { ruleSet } = eventData<{ ruleSet: RuleSet }>(event);
  const adopted = (await view.read<{ ruleSets: RuleSet[] }>(COMPLIANCE_RULES, RULES_DOC_ID))?.ruleSets ?? [];
  view.write(COMPLIANCE_RULES, RULES_DOC_ID, { ruleSets: [...adopted.filter((set) => set.version !== ruleSet.version), ruleSet] });
}

/**
 * The one document besides its own that a wallet's update reads. Replaying a half-written batch may find it
 * already holding a set adopted later in the batch; that changes nothing for the events before: a set is
 * adopted only with an effective date after the business date of its adoption, so after theirs.
 */
async function rulesOver(view: ProjectionView, hypothetical: HypotheticalRules | undefined): Promise<readonly RuleSet[]> {
  const adopted = (await view.read<{ ruleSets: RuleSet[] }>(COMPLIANCE_RULES, RULES_DOC_ID))?.ruleSets ?? [];
  const timeline = timelineWith(adopted);
  return hypothetical ? withRuleSet(timeline, { ...hypothetical.ruleSet, effectiveFrom: hypothetical.appliesFrom }) : timeline;
}

/** The wallet after one event, and the breach it is when the rules in force on its date would have refused it. */
function check(wallet: ComplianceWalletDoc, event: RecordedEvent, timeline: readonly RuleSet[]): { next: ComplianceWalletDoc; breach?: BreachDoc } {
  const businessDate = String(event.metadata.businessDate ?? '');
  const decidedUnder = String(event.metadata.ruleSetVersion ?? '');
  const breachOf = (code: BreachDoc['code'], amountFen: Fen, ruleSet: RuleSet, detail: string): BreachDoc => ({
    position: event.position.toString(),
    walletId: wallet.walletId,
    eventType: event.type,
    amountFen,
    businessDate,
    code,
    ruleSetVersion: ruleSet.version,
    decidedUnder,
    detail,
  });
  switch (event.type as ComplianceEvent) {
    case 'WalletOpened': {
      const data = eventData<{ ownerKind: string; accountTier?: AccountTier }>(event);
      return { next: { ...wallet, ownerKind: data.ownerKind, accountTier: data.accountTier ?? null } };
    }
    case 'AccountTierRaised':
      return { next: { ...wallet, accountTier: eventData<{ to: AccountTier }>(event).to } };
    case 'PaymentSent': {
      const data = eventData<{ amountFen: Fen; businessDate: string }>(event);
      const ruleSet = ruleSetOn(data.businessDate, timeline);
      const limit = tierLimitLeftFen(wallet, data.businessDate, ruleSet);
      const next = { ...wallet, paid: paidAfter(wallet.paid, data.amountFen, data.businessDate) };
      if (!limit || limit.leftFen >= data.amountFen) return { next };
      const detail = `a type ${wallet.accountTier} account had ${formatFen(limit.leftFen)} CNY of its ${formatFen(limit.rule.paymentLimitFen)} limit left`;
      return { next, breach: breachOf('ACCOUNT_TIER_LIMIT', data.amountFen, ruleSet, detail) };
    }
    case 'PurchasePaid': {
      const { amountFen } = eventData<{ amountFen: Fen }>(event);
      const ruleSet = ruleSetOn(businessDate, timeline);
      const rule = tierRuleOf(wallet, ruleSet);
      if (!rule || rule.mayBuyFunds) return { next: wallet };
      return { next: wallet, breach: breachOf('ACCOUNT_TIER_FORBIDS_FUNDS', amountFen, ruleSet, `a type ${wallet.accountTier} account may not buy funds from its balance`) };
    }
    case 'InstantRedemptionMade': {
      const { amountFen, date } = eventData<{ amountFen: Fen; date: string }>(event);
      const { fundCode } = positionStreamParts(event.stream);
      const before = wallet.instant[fundCode]?.date === date ? wallet.instant[fundCode]!.amountFen : 0n;
      const next = { ...wallet, instant: { ...wallet.instant, [fundCode]: { date, amountFen: before + amountFen } } };
      const ruleSet = ruleSetOn(date, timeline);
      if (before + amountFen <= ruleSet.instantRedemptionCapFen) return { next };
      const detail = `${formatFen(before + amountFen)} CNY of ${fundCode} redeemed instantly on ${date}, over the cap of ${formatFen(ruleSet.instantRedemptionCapFen)}`;
      return { next, breach: breachOf('INSTANT_CAP_EXCEEDED', amountFen, ruleSet, detail) };
    }
    case 'RuleSetAdopted':
      return { next: wallet };
  }
}
