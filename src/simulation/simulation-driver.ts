import { performance } from 'node:perf_hooks';
import { type IsoDate, addDays, isBusinessDay } from '../domain/iso-date';
import { SeededRandom, simulateMerchants } from '../ml/market';
import { FUND_SWITCH_PROCESS } from '../api/processes/fund-switch-workers';
import { MERCHANT_WITHDRAWAL_PROCESS } from '../api/processes/merchant-withdrawal-workers';
import { ACTIVITY, MerchantPopularity, customerProfile } from './activity-model';
import { MarketFeed } from './market-feed';
import { ProductSession } from './product-session';
import { fundDistributions, instantCapacity, processOutcomes } from './run-outcomes';
import { type DayContext, SimulatedCustomer } from './simulated-customer';
import { SimulatedMerchant } from './simulated-merchant';
import { type SimulationOptions, type SimulationPlan, simulationPlan } from './simulation-plan';
import { type RunMeasures, type SimulationReport, simulationReport } from './simulation-report';
import { SimulationTally } from './simulation-tally';
import { verifyWrittenStore } from './store-audit';

/**
 * Actors acting at once: enough for their appends to share the store's group commits, few enough to bound
 * what waits on the per-stream locks (each actor's own commands still run one after another).
 */
const ACTORS_AT_ONCE = 128;
const DAY_MS = 86_400_000;

export interface SimulationHooks {
  /** After each simulated calendar day (the warm-up's included), with the days done and the days in all. */
  onDay?(done: number, total: number): void;
}

interface Population {
  fundCodes: string[];
  customers: SimulatedCustomer[];
  merchants: SimulatedMerchant[];
  merchantWalletIds: string[];
  popularity: MerchantPopularity;
}

/** Runs the whole product over the plan's days and reports; the stores stay in `options.dataDir`, ready to serve. */
export async function runSimulation(options: SimulationOptions, hooks: SimulationHooks = {}): Promise<SimulationReport> {
  const plan = simulationPlan(options);
  const market = new MarketFeed(options.seed, options.funds, plan.calendarStart, plan.lastDay);
  const tally = new SimulationTally();
  const startedMs = performance.now();
  const session = await ProductSession.open(options.dataDir, plan.calendarStart);
  let measures: RunMeasures;
  try {
    await inParallel(market.funds, ACTORS_AT_ONCE, async (fund) => tally.count('registerFund', await session.registerFund(fund.code, fund.name)));
    await session.settle();
    const fundCodes = market.funds.map((fund) => fund.code);
    let population: Population | undefined;
    const days = daysOf(plan.calendarStart, plan.lastDay);
    for (const [i, date] of days.entries()) {
      if (date === plan.partiesFrom) population = await onboard(session, tally, options, plan, fundCodes);
      await simulateDay(session, tally, { plan, market, date, population, fundCodes });
      hooks.onDay?.(i + 1, days.length);
    }
    for (const code of fundCodes) tally.addDistributions(await fundDistributions(session.store, code, plan.firstDay), (date) => market.perTenK(0, date));
    measures = await measureRun(session, population!);
  } finally {
    await session.close();
  }
  const elapsedSeconds = (performance.now() - startedMs) / 1_000;
  const audit = await verifyWrittenStore(options.dataDir);
  return simulationReport({ options, plan, tally, measures, audit, elapsedSeconds });
}

/** The parties with their wallets, and the merchants' opening floats and rebalancing modes. */
async function onboard(session: ProductSession, tally: SimulationTally, options: SimulationOptions, plan: SimulationPlan, fundCodes: string[]): Promise<Population> {
  const root = SeededRandom.fromSeed(options.seed).child('simulation');
  const flows = simulateMerchants({ seed: options.seed, startDate: plan.partiesFrom, endDate: plan.lastDay, merchants: options.merchants }).merchants;
  const merchants = await registerAll(session, tally, flows.length, (j, actor) => new SimulatedMerchant(actor, root.child(`merchant:${j}`).bernoulli(ACTIVITY.merchant.automaticShare), flows[j]!), (j) => ({
    kind: 'merchant' as const,
    name: `${flows[j]!.archetype} ${flows[j]!.id}`,
  }));
  const profiles = Array.from({ length: options.customers }, (_, i) => customerProfile(root.child(`customer:${i}`).child('profile'), options.funds));
  const customers = await registerAll(session, tally, options.customers, (i, actor) => new SimulatedCustomer(actor, profiles[i]!, root.child(`customer:${i}`).child('days')), (i) => ({
    kind: 'customer' as const,
    name: `Customer ${i + 1}`,
    accountTier: profiles[i]!.tier,
  }));
  await session.settle();
  const day: DayContext = { session, tally, phaseStartPosition: await session.store.lastPosition(), fundCodes };
  await inParallel(merchants, ACTORS_AT_ONCE, async (merchant) => {
    if (merchant.automatic) tally.count('setRebalancing', await session.setAutomaticRebalancing(merchant.actor));
    await merchant.openingFloat(day);
  });
  await session.settle();
  const popularity = new MerchantPopularity(merchants.length, ACTIVITY.customer.payment.zipfExponent);
  return { fundCodes, customers, merchants, merchantWalletIds: merchants.map((m) => m.actor.walletId), popularity };
}

/** Registers `count` parties, in parallel, each kept at its own index so the order never depends on timing. */
async function registerAll<T>(
  session: ProductSession,
  tally: SimulationTally,
  count: number,
  make: (index: number, actor: { kind: 'customer' | 'merchant'; partyId: string; walletId: string }) => T,
  registration: (index: number) => { kind: 'customer' | 'merchant'; name: string; accountTier?: 'I' | 'II' | 'III' },
): Promise<T[]> {
  const made = new Array<T>(count);
  await inParallel(Array.from({ length: count }, (_, i) => i), ACTORS_AT_ONCE, async (i) => {
    const { kind, name, accountTier } = registration(i);
    const outcome = tally.count('registerParty', await session.registerParty(kind, name, accountTier));
    if (!outcome.ok) throw new Error(`the ${kind} ${name} was not registered: ${outcome.code}`);
    made[i] = make(i, { kind, partyId: String(outcome.body.id), walletId: String(outcome.body.walletId) });
  });
  return made;
}

interface SimulatedDay {
  plan: SimulationPlan;
  market: MarketFeed;
  date: IsoDate;
  fundCodes: readonly string[];
  /** Undefined before the parties join: the ledger only publishes incomes and closes. */
  population: Population | undefined;
}

/** Customers act, then merchants, each phase settled; the market publishes the day's incomes; a business day closes. */
async function simulateDay(session: ProductSession, tally: SimulationTally, { plan, market, date, fundCodes, population }: SimulatedDay): Promise<void> {
  if (population) await partiesAct(session, tally, plan, date, population);
  await tally.timed('incomes', () => inParallel(fundCodes, ACTORS_AT_ONCE, async (code, f) => tally.count('publishIncome', await session.publishIncome(code, date, market.perTenK(f, date)))));
  if (!isBusinessDay(date)) return;
  await tally.timed('dayClose', () => session.dayClose(date));
  tally.countClose();
  await tally.timed('switchesAfterClose', () => session.settle());
}

async function partiesAct(session: ProductSession, tally: SimulationTally, plan: SimulationPlan, date: IsoDate, population: Population): Promise<void> {
  const phase = async (): Promise<DayContext> => ({ session, tally, phaseStartPosition: await session.store.lastPosition(), fundCodes: population.fundCodes });
  if (date >= plan.firstDay) {
    const day = await phase();
    await tally.timed('customers', () =>
      inParallel(population.customers, ACTORS_AT_ONCE, async (customer) => {
        if (date === plan.firstDay) await customer.openingDeposit(day);
        await customer.act(day, population.merchantWalletIds, population.popularity);
      }),
    );
    await tally.timed('paymentsSettle', () => session.settle());
  }
  const merchantDay = await phase();
  const t = (Date.parse(date) - Date.parse(plan.partiesFrom)) / DAY_MS;
  await tally.timed('merchants', () => inParallel(population.merchants, ACTORS_AT_ONCE, (merchant) => merchant.act(merchantDay, t)));
  await tally.timed('withdrawalsSettle', () => session.settle());
}

async function measureRun(session: ProductSession, population: Population): Promise<RunMeasures> {
  await session.settle();
  const head = await session.store.lastPosition();
  const capFen = (await session.today()).ruleSet.instantRedemptionCapFen;
  const group = (automatic: boolean) => population.merchants.filter((m) => m.automatic === automatic);
  return {
    lastPosition: head,
    switches: await processOutcomes(session.engine, FUND_SWITCH_PROCESS),
    instantWithdrawals: await processOutcomes(session.engine, MERCHANT_WITHDRAWAL_PROCESS),
    capacity: {
      automatic: await instantCapacity(session, group(true), capFen, head),
      manual: await instantCapacity(session, group(false), capFen, head),
    },
    instantCapFen: capFen,
    trialBalance: await session.trialBalance(),
  };
}

/** Every calendar day from `from` through `to`. */
function daysOf(from: IsoDate, to: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) days.push(date);
  return days;
}

/** Runs `work` on every item, at most `limit` at a time, in the items' order of start. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
