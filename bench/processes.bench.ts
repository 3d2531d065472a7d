import { YIELD_HISTORY_DAYS } from '../src/ml/model-configuration';
import { ruleSetOn } from '../src/domain/rules/rule-set';
import { sealDetails, seededNonce } from '../src/personal-data/cipher';
import type { DataKey } from '../src/personal-data/key-store';
import { SqliteKeyStore } from '../src/personal-data/sqlite-key-store';
/**
 * npm run bench:processes [-- --holders 10000,100000] [-- --rebalance-wallets 10000] [-- --profile] [-- --json]
 *
 * The day close at scale, through the product: for each holder count, a temp data folder gets that many
 * wallets, each funded and holding one money fund (the events the product's deciders make, appended
 * straight into the store, then the transfer steps' checkpoint set past them, as if the product had written
 * them), then `node dist/cli/main.js serve` starts on it (built first when dist/ is older than src/) and two
 * closes run over HTTP:
 *  a. the close of the day the purchases were placed on, which confirms every purchase;
 *  b. the close of the next day, which accrues a day's income on every holding and distributes the fund's.
 * Each is timed from request to answer, beside the events it wrote (goal: both closes of 10,000 holders in
 * under 5 minutes); then fund switches of one wallet, one after another, each timed from its request to its
 * wait for the purchase's confirmation (redeemed, cash in, target bought).
 *
 * Then the close that rebalances, for each count of --rebalance-wallets (default 10,000; 0 skips it): a
 * ledger of that many merchants, each opted into automatic rebalancing and holding 5,000.00 CNY in each of
 * two funds bought the business day before, with twelve weeks of daily withdrawals behind them (what the demand
 * forecasts fit), and half a year of incomes of both funds, one paying clearly more (what the yield forecasts
 * fit). Once every read model has caught up with the seeded log, the close date's incomes are published and
 * the close is posted over HTTP; it confirms and accrues every position, forecasts every merchant's demand and
 * each fund's income, and proposes moving each wallet's money into the richer fund, which the product starts
 * as fund switches. Timed: the close from request to answer, then from its answer until every switch its
 * proposals started has redeemed its source fund (it waits for the cash or for the purchase's confirmation),
 * followed through GET /processes; the sum is set against the issue's goal of a close that accrues income for
 * and rebalances 10,000 wallets in under 5 minutes.
 *
 * --rebalance-wallets takes a list too (10000,2000); a run of another size than the goal's is scaled linearly
 * to it in the table, as an estimate. The server's resident memory is sampled while the switches run, and a
 * server that dies is reported.
 *
 * With --profile the rebalancing runs' server runs under `node --cpu-prof` (the profiles stay in
 * bench/results/processes-profile-<time>/) and its main thread is summarised over the close and over the
 * switches (bench/cpuprofile-summary.ts).
 *
 * Last, the embedded engine alone runs the fund switch model for instances per second. The machine has two
 * cores, often shared with other work while this runs: the figures are noisy. Prints a table (or JSON with
 * --json) and writes bench/results/processes-<time>.json.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type EventInput, type EventStore, LIMITS, openEventStore } from '../src/eventstore';
import { isEntityEvent, toDomainEvent, toEventInputs } from '../src/api/commands/stored-aggregate';
import { CALENDAR_STREAM, calendarDecider } from '../src/domain/calendar/calendar.decider';
import { type DailyForecastEvent, dailyForecastStream } from '../src/domain/forecast/daily-forecast.decider';
import { fundDecider, fundStream } from '../src/domain/fund/fund.decider';
import { fundHoldersDecider, fundHoldersStream } from '../src/domain/fund/fund-holders.decider';
import { type PerTenKMicros, formatPerTenK } from '../src/domain/income-rate';
import { type IsoDate, addDays, isBusinessDay } from '../src/domain/iso-date';
import { type Fen, formatFen } from '../src/domain/money';
import { partyDecider, partyStream } from '../src/domain/party/party.decider';
import { positionDecider, positionStream } from '../src/domain/position/position.decider';
import { REGISTRIES, type RegistryState, registryDecider } from '../src/domain/registry/registry.decider';
import { type WalletCommand, type WalletState, walletDecider, walletStream } from '../src/domain/wallet/wallet.decider';
import { type Decider, fold } from '../src/domain/decider';
import { SeededRandom } from '../src/ml/market/seeded-random';
import { openReadStore } from '../src/projections/open-read-store';
import { Progress } from '../src/cli/progress';
import { EmbeddedProcessEngine } from '../src/processes/engine';
import { processModels } from '../src/api/processes/process-models';
import { switchesFor } from '../src/api/processes/proposed-switches';
import { MAIN_JS, type ChildServer, ensureBuilt, startChild, stopChild } from './child-server';
import { type ProfileSummary, printSummary, summarise } from './cpuprofile-summary';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
/** A comma-separated list of counts after `flag`; 0 leaves that kind of run out. */
function countsOf(flag: string, fallback: string): number[] {
  const text = args.includes(flag) ? args[args.indexOf(flag) + 1]! : fallback;
  const counts = text.split(',').map(Number);
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new Error(`${flag} takes whole numbers separated by commas, not "${text}"`);
  return counts.filter((n) => n > 0);
}
const holderCounts = countsOf('--holders', '10000,100000');
const rebalanceWalletCounts = countsOf('--rebalance-wallets', '10000');
/** The rebalancing runs' server under `node --cpu-prof`, its main thread summarised over the close and over the switches. */
const withProfile = args.includes('--profile');
const RESULTS_DIR = join(__dirname, 'results');
const FUND = 'BENCH';
const DAY_1 = '2026-01-05';
const DAY_2 = '2026-01-06';
const OPERATOR_KEY = 'bench-operator-key';
/** Wallets whose first events are appended at once: their appends share the store's commits. */
const WALLETS_PER_ROUND = 1_000;
const metadata = { correlationId: 'bench', causationId: 'bench', principal: 'operator:bench', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: DAY_1 };

interface CloseFigures {
  date: string;
  seconds: number;
  positionsClosed: number;
  eventsWritten: number;
  msPerHolder: number;
}

interface Run {
  holders: number;
  setupSeconds: number;
  closes: CloseFigures[];
  /** From POST /wallets/{id}/rebalances to the switch waiting for its purchase's confirmation (redeemed, cash in, bought). */
  switchLatencyMs: { median: number; p90: number; max: number; switches: number };
}

interface EngineFigures {
  instances: number;
  seconds: number;
  instancesPerSec: number;
}

/** Fund switches timed one after another on each server, and how often their state is read while they run. */
const TIMED_SWITCHES = 20;
const SWITCH_POLL_MS = 2;
const MAX_SWITCH_POLLS = 10_000;
/** Instances of the fund switch model run on the engine alone, all started at once. */
const ENGINE_INSTANCES = 500;

function say(message: string): void {
  if (!asJson) process.stderr.write(`… ${message}\n`);
}

/** What `decider` decides on `command`, as events to append, recorded under `businessDate`. */
function decided<C, E extends { type: string; data: object }, S>(decider: Decider<C, E, S>, state: S, command: C, businessDate: IsoDate = DAY_1): { events: EventInput[]; state: S } {
  const events = decider.decide(command, state);
  return { events: toEventInputs(events, { ...metadata, businessDate }), state: fold({ initialState: state, evolve: decider.evolve }, events) };
}

/** The calendar, the fund with its income for the first day, and `holders` wallets each with a placed purchase. */
async function writeHolders(store: EventStore, holders: number): Promise<void> {
  await store.append(CALENDAR_STREAM, decided(calendarDecider, calendarDecider.initialState, { type: 'StartCalendar', startDate: DAY_1 }).events);
  const fund = decided(fundDecider, fundDecider.initialState, { type: 'RegisterFund', code: FUND, name: 'Bench Money Fund', businessDate: DAY_1 });
  const incomes: EventInput[] = [...fund.events];
  incomes.push(...decided(fundDecider, fund.state, { type: 'PublishIncome', date: DAY_1, perTenK: 654_300n, businessDate: DAY_1, lastClosedDate: null, ledgerStartedOn: DAY_1 }).events);
  await store.append(fundStream(FUND), incomes, { expectedRevision: 'no_stream' });
  await store.append(REGISTRIES.funds, decided(registryDecider, registryDecider.initialState, { type: 'ListMember', id: FUND }).events);
  const progress = new Progress(`writing ${holders.toLocaleString('en')} holders`, asJson);
  let holdersState = fundHoldersDecider.initialState;
  for (let first = 0; first < holders; first += WALLETS_PER_ROUND) {
    const ids = Array.from({ length: Math.min(WALLETS_PER_ROUND, holders - first) }, (_, i) => walletId(first + i));
    await Promise.all(ids.flatMap((id) => writeHolder(store, id)));
    const joined: EventInput[] = [];
    for (const id of ids) {
      const next = decided(fundHoldersDecider, holdersState, { type: 'JoinHolders', walletId: id });
      joined.push(...next.events);
      holdersState = next.state;
    }
    for (let at = 0; at < joined.length; at += LIMITS.maxEventsPerAppend) await store.append(fundHoldersStream(FUND), joined.slice(at, at + LIMITS.maxEventsPerAppend));
    progress.update(first + ids.length, holders);
  }
  progress.finish();
}

function writeHolder(store: EventStore, id: string): Promise<unknown>[] {
  const opened = decided(walletDecider, walletDecider.initialState, { type: 'OpenWallet', walletId: id, ownerKind: 'customer', ownerId: id, accountTier: 'III' });
  const funded = decided(walletDecider, opened.state, { type: 'Deposit', amountFen: 1_000_000n });
  const paid = decided(walletDecider, funded.state, { type: 'PayForPurchase', purchaseId: `${id}-p`, fundCode: FUND, amountFen: 1_000_000n, ruleSet: ruleSetOn(DAY_1) });
  const placed = decided(positionDecider, positionDecider.initialState, { type: 'PlacePurchase', purchaseId: `${id}-p`, walletId: id, fundCode: FUND, amountFen: 1_000_000n, businessDate: DAY_1 });
  return [
    store.append(walletStream(id), [...opened.events, ...funded.events, ...paid.events], { expectedRevision: 'no_stream' }),
    store.append(positionStream(id, FUND), placed.events, { expectedRevision: 'no_stream' }),
  ];
}

function walletId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * POST /operations/day-close, timed from request to answer. 202 is the product saying the close is done but
 * the transfers it began had not all caught up within the read wait (IFW_READ_WAIT_MS); only `accepted` pass.
 */
async function close(url: string, date: string, before: bigint, store: EventStore, accepted: readonly number[] = [200]): Promise<{ figures: CloseFigures; status: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/operations/day-close`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ date }) });
  const body = (await response.json()) as { positionsClosed?: number; detail?: string };
  const seconds = (performance.now() - started) / 1000;
  if (!accepted.includes(response.status)) throw new Error(`the close of ${date} answered ${response.status}: ${body.detail}`);
  const after = await store.lastPosition();
  return { figures: { date, seconds: round(seconds), positionsClosed: body.positionsClosed!, eventsWritten: Number(after - before), msPerHolder: 0 }, status: response.status };
}

async function publishIncome(url: string, date: string, fundCode = FUND, perTenK = '0.6543'): Promise<void> {
  const response = await fetch(`${url}/funds/${fundCode}/incomes`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ date, perTenK }) });
  if (response.status !== 201) throw new Error(`publishing the income of ${fundCode} for ${date} answered ${response.status}`);
}

/** Writes a ledger into the data folder as if the product had, its transfer steps done; returns the log's head. */
async function seed(dir: string, write: (store: EventStore) => Promise<void>): Promise<bigint> {
  const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
  await write(store);
  const head = await store.lastPosition();
  await store.close();
  const readStore = await openReadStore(`sqlite:${join(dir, 'read.db')}`);
  await readStore.commit({ writes: [], checkpoints: [{ key: 'process:transfers', position: head }] });
  await readStore.close();
  return head;
}

async function runFor(holders: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-bench-processes-'));
  try {
    const setupStarted = performance.now();
    await seed(dir, (store) => writeHolders(store, holders));
    const setupSeconds = round((performance.now() - setupStarted) / 1000);
    say(`${holders.toLocaleString('en')} holders written in ${setupSeconds} s`);
    const env = { IFW_API_KEYS: `${OPERATOR_KEY}=operator`, IFW_START_DATE: DAY_1, IFW_HOST: '127.0.0.1' };
    const server = await startChild([MAIN_JS, 'serve', '--data', dir, '--port', '0', '--json'], env, 'ifw serve');
    try {
      const url = server.url;
      const events = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
      const closes: CloseFigures[] = [];
      for (const date of [DAY_1, DAY_2]) {
        if (date === DAY_2) await publishIncome(url, date);
        say(`closing ${date} over ${holders.toLocaleString('en')} holders`);
        const { figures } = await close(url, date, await events.lastPosition(), events);
        closes.push({ ...figures, msPerHolder: round((figures.seconds * 1000) / holders) });
        say(`${date}: ${figures.seconds} s, ${figures.positionsClosed.toLocaleString('en')} positions, ${figures.eventsWritten.toLocaleString('en')} events`);
      }
      await events.close();
      const switchLatencyMs = await timeSwitches(url, walletId(0));
      say(`a fund switch to its wait for confirmation: median ${switchLatencyMs.median} ms, p90 ${switchLatencyMs.p90} ms`);
      return { holders, setupSeconds, closes, switchLatencyMs };
    } catch (error) {
      process.stderr.write(`ifw serve stderr (last lines):\n${server.stderrTail.join('\n')}\n`);
      throw error;
    } finally {
      await stopChild(server);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instant switches of 1.00 from the wallet's fund to a second one, each timed until it waits for its confirmation. */
async function timeSwitches(url: string, wallet: string): Promise<Run['switchLatencyMs']> {
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if ((await post('/funds', { code: `${FUND}B`, name: 'Bench Target Fund' })).status !== 201) throw new Error('could not register the target fund');
  const latencies: number[] = [];
  for (let n = 0; n < TIMED_SWITCHES; n++) {
    const started = performance.now();
    const answer = await post(`/wallets/${wallet}/rebalances`, { switches: [{ fromFund: FUND, toFund: `${FUND}B`, amount: '1.00' }] });
    if (answer.status !== 202) throw new Error(`a rebalance answered ${answer.status}`);
    const { processId } = (await answer.json()) as { processId: string };
    await waitFor(url, processId, 'AwaitConfirmation');
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const at = (share: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!);
  return { median: at(0.5), p90: at(0.9), max: round(latencies.at(-1)!), switches: latencies.length };
}

async function waitFor(url: string, processId: string, element: string): Promise<void> {
  for (let poll = 0; poll < MAX_SWITCH_POLLS; poll++) {
    const view = (await (await fetch(`${url}/processes/${processId}`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } })).json()) as { currentElements?: string[]; state?: string };
    if (view.currentElements?.includes(element)) return;
    if (view.state !== 'active') throw new Error(`switch ${processId} ended ${view.state} before ${element}`);
    await new Promise((resolve) => setTimeout(resolve, SWITCH_POLL_MS));
  }
  throw new Error(`switch ${processId} did not reach ${element}`);
}

// ---- The close that rebalances

/** A Tuesday: its forecasts are for Wednesday, whose purchases confirm on Thursday, so a switch loses one day of income. */
const REBALANCE_CLOSE_DATE: IsoDate = '2026-06-02';
/** The business day before: the purchases placed on it are confirmed by the close, which then accrues on them. */
const PURCHASE_DATE: IsoDate = '2026-06-01';
const RICH_FUND = 'RICHFUND';
const LEAN_FUND = 'LEANFUND';
/**
 * Each fund's daily income per 10,000 shares, in 0.0001 CNY: about 4.0 % and 1.5 % a year. Moving 5,000.00 CNY
 * into the richer fund earns about 2.45 CNY more over the allocation's 7-day horizon, against 0.55 CNY of income
 * lost while the purchase is unconfirmed, so each wallet's proposal moves all of its leaner fund.
 */
const INCOME_LEVELS: ReadonlyMap<string, PerTenKMicros> = new Map([
  [RICH_FUND, 11_000n],
  [LEAN_FUND, 4_000n],
]);
/** Each day's income lies this many 0.0001 CNY either side of its fund's level: a constant series teaches the yield model nothing. */
const INCOME_WOBBLE = 150;
/** Calendar days of income before the close date: what the model configuration's yield forecasts need. */
const INCOME_HISTORY_DAYS = YIELD_HISTORY_DAYS;
/**
 * Business days of withdrawals, ending with the purchase date: the series each merchant's demand model is fitted
 * on. Twelve weeks: a series of less than about eight (some 40 business days) is too short for the cheap ranking
 * of the model orders (model-selection.ts then fits every order by CSS, several times the CPU), and a year's, the
 * most the model reads, would multiply the events to seed and project.
 */
const WITHDRAWAL_BUSINESS_DAYS = 60;
/** Each day's withdrawal is drawn between these (numbers for the generator; amounts become bigint fen at once). */
const WITHDRAWAL_MIN_FEN = 20_000;
const WITHDRAWAL_MAX_FEN = 80_000;
const HOLDING_PER_FUND_FEN: Fen = 500_000n;
/** Merchants whose events (four streams each) are appended at once. */
const MERCHANTS_PER_ROUND = 500;
/** The longest wait for the read models to take in the seeded log before the close, and the pause between looks. */
const READ_MODELS_WAIT_MS = 20 * 60_000;
const READ_MODELS_POLL_MS = 1_000;
/** The longest wait after the close for every switch to redeem, and the pause between looks. */
const SWITCHES_WAIT_MS = 30 * 60_000;
const SWITCHES_POLL_MS = 500;
/** Instances read at once while the switches are followed: the server they are read from is the one doing the work. */
const PROCESS_READS_AT_ONCE = 8;
/** A look stops reading instances once this many of the oldest are still redeeming: the younger ones most likely are too. */
const STILL_REDEEMING_PER_LOOK = 16;
/** Pages of the instance list read in one look (200 instances a page): enough for every switch of the run. */
const MAX_LIST_PAGES_PER_LOOK = 100;
const LIST_PAGE_SIZE = 200;
/** Where a switch is once its redemption is made: waiting for the cash, buying the target, waiting for the purchase's confirmation. */
const REDEEMED_AT: ReadonlySet<string> = new Set(['AwaitRedemptionCash', 'PurchaseTarget', 'AwaitConfirmation']);
/** The issue's speed goal: a day close that accrues income for and rebalances this many wallets within this many seconds. */
const GOAL_WALLETS = 10_000;
const GOAL_SECONDS = 300;

interface ForecastCounts {
  recorded: boolean;
  fundYields: number;
  merchantDemands: number;
  proposals: number;
  /** Proposals that move money: those whose targets call for at least one switch. */
  proposalsWithSwitches: number;
  /** CNY the proposals' switches move, by source and target fund. */
  moved: Record<string, string>;
  skipped: number;
  /** Skipped forecasts by the first words of their reason. */
  skippedReasons: Record<string, number>;
}

interface SwitchFigures {
  /** The switches the recorded proposals call for (switchesFor of each proposal's targets). */
  proposed: number;
  /** Fund switch instances seen in GET /processes: on this ledger only the proposals start any. */
  started: number;
  reachedWait: number;
  /** Ended or in incident without having redeemed: a refused redemption, a job out of retries. */
  stoppedBeforeWait: number;
  /**
   * From the close's answer to the last switch's start and to the last one's redemption (its RedeemSource
   * left), by the instances' own history, so the figures do not depend on how often they were read; a
   * switch started before the answer counts negative. Null when not every switch got there.
   */
  secondsToAllStarted: number | null;
  secondsToAllReached: number | null;
  /** From the close's answer until the benchmark had seen every switch past its redemption. */
  secondsToAllSeen: number | null;
  looks: number;
  processReads: number;
  /** The server's resident memory, largest seen at a look (Linux only): the engine holds each running instance in memory. */
  peakServerRssMb: number | null;
  /** Why following stopped early: the server gone (its status and the first line of its dying words). */
  serverFailure: string | null;
}

/** When the close's steps were recorded, in seconds after its request, by the recordedAt of the events that end them. */
interface CloseTimeline {
  /** The last fund's income for the day distributed: every position confirmed and accrued. */
  incomeDistributed: number | null;
  /** The first forecast recorded (the first of the yield and demand forecasts and the allocations); null when none was. */
  forecastsRecorded: number | null;
  /** The calendar moved on; what follows until the answer is the wait for the transfers the close began. */
  dayClosed: number | null;
}

interface RebalanceRun {
  wallets: number;
  setupSeconds: number;
  /** From the server's start until every read model had taken in the seeded log (not part of the close). */
  readModelsCaughtUpSeconds: number;
  /** The server's resident memory before the close and at its answer, in MB (Linux only). */
  close: CloseFigures & { status: number; timeline: CloseTimeline; serverRssMbBefore: number | null; serverRssMb: number | null };
  forecasts: ForecastCounts;
  switches: SwitchFigures | null;
  /** The close plus the time until every switch it started had redeemed; null when that was not reached. */
  totalSeconds: number | null;
  /** For a run of another size: each part scaled linearly to GOAL_WALLETS wallets. An estimate, not a measurement. */
  linearEstimateForGoal: { closeSeconds: number; switchesSeconds: number; totalSeconds: number } | null;
  /** What went otherwise than planned, in words. */
  notes: string[];
  /** With --profile: the server's main thread over the close and over the switches. */
  profile: { file: string; close: ProfileSummary; switches: ProfileSummary | null } | null;
}

/** The `count` business days before `date`, oldest first. */
function businessDaysBefore(date: IsoDate, count: number): IsoDate[] {
  const days: IsoDate[] = [];
  // Seven calendar days hold five business days; the bound only stops a runaway walk.
  for (let day = addDays(date, -1), steps = 0; days.length < count && steps < count * 2 + 7; day = addDays(day, -1), steps++) {
    if (isBusinessDay(day)) days.unshift(day);
  }
  return days;
}

function merchantPartyId(n: number): string {
  return `00000000-0000-4000-9000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * The calendar at the close date; both funds with half a year of incomes up to the day before it (the close
 * date's are published over HTTP); and `wallets` merchants, each with its party, a wallet that rebalances
 * automatically, twelve weeks of withdrawals, and a purchase of each fund on the business day before the close.
 */
async function writeRebalancingLedger(store: EventStore, wallets: number, keyStorePath: string): Promise<void> {
  // One data key seals every merchant's name: the server opens them with the key store of its data folder.
  const keys = SqliteKeyStore.open(keyStorePath);
  const personalDataKey = await keys.createKey().finally(() => keys.close());
  const random = SeededRandom.fromSeed('bench-processes-rebalancing');
  const firstIncomeDay = addDays(REBALANCE_CLOSE_DATE, -INCOME_HISTORY_DAYS);
  const withdrawalDays = businessDaysBefore(REBALANCE_CLOSE_DATE, WITHDRAWAL_BUSINESS_DAYS);
  await store.append(CALENDAR_STREAM, decided(calendarDecider, calendarDecider.initialState, { type: 'StartCalendar', startDate: REBALANCE_CLOSE_DATE }, REBALANCE_CLOSE_DATE).events);
  let fundRegistry: RegistryState = registryDecider.initialState;
  for (const [code, level] of INCOME_LEVELS) {
    let fund = decided(fundDecider, fundDecider.initialState, { type: 'RegisterFund', code, name: `Bench ${code}`, businessDate: firstIncomeDay }, firstIncomeDay);
    const events = [...fund.events];
    const wobble = random.child(`income:${code}`);
    for (let day = firstIncomeDay; day < REBALANCE_CLOSE_DATE; day = addDays(day, 1)) {
      const perTenK = level + BigInt(wobble.integer(-INCOME_WOBBLE, INCOME_WOBBLE));
      // The half year stands for a ledger open since firstIncomeDay: the calendar starts at the close date only to spare the closes.
      fund = decided(fundDecider, fund.state, { type: 'PublishIncome', date: day, perTenK, businessDate: day, lastClosedDate: null, ledgerStartedOn: firstIncomeDay }, day);
      events.push(...fund.events);
    }
    await store.append(fundStream(code), events, { expectedRevision: 'no_stream' });
    const listed = decided(registryDecider, fundRegistry, { type: 'ListMember', id: code }, firstIncomeDay);
    fundRegistry = listed.state;
    await store.append(REGISTRIES.funds, listed.events);
  }
  const progress = new Progress(`writing ${wallets.toLocaleString('en')} merchants`, asJson);
  let merchantRegistry: RegistryState = registryDecider.initialState;
  const holders = new Map([...INCOME_LEVELS.keys()].map((code) => [code, fundHoldersDecider.initialState]));
  for (let first = 0; first < wallets; first += MERCHANTS_PER_ROUND) {
    const numbers = Array.from({ length: Math.min(MERCHANTS_PER_ROUND, wallets - first) }, (_, i) => first + i);
    await Promise.all(numbers.flatMap((n) => writeMerchant(store, n, withdrawalDays, random.child(`withdrawals:${n}`), personalDataKey)));
    // What the product's steps after each party's registration and first purchase of a fund write.
    const listed: EventInput[] = [];
    for (const n of numbers) {
      const next = decided(registryDecider, merchantRegistry, { type: 'ListMember', id: merchantPartyId(n) }, withdrawalDays[0]!);
      listed.push(...next.events);
      merchantRegistry = next.state;
    }
    await appendInChunks(store, REGISTRIES.merchants, listed);
    for (const [code, state] of holders) {
      const joined: EventInput[] = [];
      let holdersState = state;
      for (const n of numbers) {
        const next = decided(fundHoldersDecider, holdersState, { type: 'JoinHolders', walletId: walletId(n) }, PURCHASE_DATE);
        joined.push(...next.events);
        holdersState = next.state;
      }
      holders.set(code, holdersState);
      await appendInChunks(store, fundHoldersStream(code), joined);
    }
    progress.update(first + numbers.length, wallets);
  }
  progress.finish();
}

function writeMerchant(store: EventStore, n: number, withdrawalDays: readonly IsoDate[], random: SeededRandom, personalDataKey: DataKey): Promise<unknown>[] {
  const id = walletId(n);
  const partyId = merchantPartyId(n);
  const openedOn = withdrawalDays[0]!;
  const apiKeyHash = createHash('sha256').update(`bench-merchant-${n}`).digest('hex');
  const party = decided(partyDecider, partyDecider.initialState, {
    type: 'RegisterParty',
    partyId,
    kind: 'merchant',
    sealedPersonalData: sealDetails({ name: `Bench merchant ${n}` }, personalDataKey.key, personalDataKey.keyId, partyId, seededNonce(`bench-merchant:${n}`)),
    walletId: id,
    apiKeyHash,
  }, openedOn);
  const withdrawalsFen = withdrawalDays.map(() => BigInt(random.integer(WITHDRAWAL_MIN_FEN, WITHDRAWAL_MAX_FEN)));
  const codes = [...INCOME_LEVELS.keys()];
  const walletEvents: EventInput[] = [];
  let wallet: WalletState = walletDecider.initialState;
  const decide = (command: WalletCommand, on: IsoDate) => {
    const next = decided(walletDecider, wallet, command, on);
    walletEvents.push(...next.events);
    wallet = next.state;
  };
  decide({ type: 'OpenWallet', walletId: id, ownerKind: 'merchant', ownerId: partyId }, openedOn);
  decide({ type: 'SetRebalancing', mode: 'automatic' }, openedOn);
  decide({ type: 'Deposit', amountFen: withdrawalsFen.reduce((sum, fen) => sum + fen, 0n) + HOLDING_PER_FUND_FEN * BigInt(codes.length) }, openedOn);
  withdrawalDays.forEach((day, i) => decide({ type: 'Withdraw', amountFen: withdrawalsFen[i]! }, day));
  for (const code of codes) decide({ type: 'PayForPurchase', purchaseId: `${id}-${code}`, fundCode: code, amountFen: HOLDING_PER_FUND_FEN, ruleSet: ruleSetOn(PURCHASE_DATE) }, PURCHASE_DATE);
  const placed = (code: string) =>
    decided(positionDecider, positionDecider.initialState, { type: 'PlacePurchase', purchaseId: `${id}-${code}`, walletId: id, fundCode: code, amountFen: HOLDING_PER_FUND_FEN, businessDate: PURCHASE_DATE }, PURCHASE_DATE).events;
  return [
    store.append(partyStream(partyId), party.events, { expectedRevision: 'no_stream' }),
    store.append(walletStream(id), walletEvents, { expectedRevision: 'no_stream' }),
    ...codes.map((code) => store.append(positionStream(id, code), placed(code), { expectedRevision: 'no_stream' })),
  ];
}

async function appendInChunks(store: EventStore, stream: string, events: readonly EventInput[]): Promise<void> {
  for (let at = 0; at < events.length; at += LIMITS.maxEventsPerAppend) await store.append(stream, events.slice(at, at + LIMITS.maxEventsPerAppend));
}

/** The longest a read may take: a server short of memory answers slowly before it dies. */
const READ_TIMEOUT_MS = 5 * 60_000;

async function getJson<Body>(url: string, path: string): Promise<Body> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` }, signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Body;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until every read model has applied the log up to `head`, so the close is not timed beside a catch-up. */
async function waitForReadModels(url: string, head: bigint): Promise<void> {
  for (let look = 0; look < READ_MODELS_WAIT_MS / READ_MODELS_POLL_MS; look++) {
    const { projections } = await getJson<{ projections: { name: string; state: string; position: string | null; lastError: { message: string } | null }[] }>(url, '/projections');
    const halted = projections.find((p) => p.state === 'halted');
    if (halted) throw new Error(`read model ${halted.name} halted: ${halted.lastError?.message}`);
    if (projections.every((p) => p.state === 'live' && p.position !== null && BigInt(p.position) >= head)) return;
    await pause(READ_MODELS_POLL_MS);
  }
  throw new Error(`the read models did not take in the seeded log within ${READ_MODELS_WAIT_MS / 60_000} minutes`);
}

/** Reads from the log when the close's steps were recorded; `requestedAtMs` is the request's time since the epoch. */
async function closeTimeline(store: EventStore, date: IsoDate, requestedAtMs: number): Promise<CloseTimeline> {
  const after = (at: Date | undefined) => (at === undefined ? null : round((at.getTime() - requestedAtMs) / 1000));
  // The newest few events of a stream hold its close's last step: the streams are read backwards, a few events deep.
  const newest = async (stream: string, type: string, matches: (data: Record<string, unknown>) => boolean): Promise<Date | undefined> => {
    for await (const recorded of store.readStream(stream, { direction: 'backwards', maxCount: 10 })) {
      if (recorded.type === type && matches(toDomainEvent<{ type: string; data: Record<string, unknown> }>(recorded).data)) return recorded.recordedAt;
    }
    return undefined;
  };
  const distributed = await Promise.all([...INCOME_LEVELS.keys()].map((code) => newest(fundStream(code), 'IncomeDistributed', (data) => data.date === date)));
  const lastDistributed = distributed.every((at) => at !== undefined) ? new Date(Math.max(...distributed.map((at) => at!.getTime()))) : undefined;
  let forecastsRecorded: Date | undefined;
  if ((await store.streamRevision(dailyForecastStream(date))) >= 0n) {
    for await (const recorded of store.readStream(dailyForecastStream(date), { maxCount: 1 })) forecastsRecorded = recorded.recordedAt;
  }
  const dayClosed = await newest(CALENDAR_STREAM, 'DayClosed', (data) => data.date === date);
  return { incomeDistributed: after(lastDistributed), forecastsRecorded: after(forecastsRecorded), dayClosed: after(dayClosed) };
}

/** What the close recorded in its forecast stream, and how many switches its proposals call for. */
async function recordedForecasts(store: EventStore, date: IsoDate): Promise<{ counts: ForecastCounts; proposedSwitches: number }> {
  const counts: ForecastCounts = { recorded: false, fundYields: 0, merchantDemands: 0, proposals: 0, proposalsWithSwitches: 0, moved: {}, skipped: 0, skippedReasons: {} };
  const movedFen = new Map<string, Fen>();
  let proposedSwitches = 0;
  if ((await store.streamRevision(dailyForecastStream(date))) < 0n) return { counts, proposedSwitches };
  counts.recorded = true;
  for await (const recorded of store.readStream(dailyForecastStream(date))) {
    if (!isEntityEvent(recorded)) continue;
    const event = toDomainEvent<DailyForecastEvent>(recorded);
    switch (event.type) {
      case 'FundYieldForecasted':
        counts.fundYields++;
        break;
      case 'MerchantDemandForecasted':
        counts.merchantDemands++;
        break;
      case 'RebalanceProposed': {
        counts.proposals++;
        const switches = switchesFor(event.data.targets);
        if (switches.length > 0) counts.proposalsWithSwitches++;
        proposedSwitches += switches.length;
        for (const { fromFund, toFund, amountFen } of switches) movedFen.set(`${fromFund} → ${toFund}`, (movedFen.get(`${fromFund} → ${toFund}`) ?? 0n) + amountFen);
        break;
      }
      case 'ForecastSkipped': {
        counts.skipped++;
        const reason = event.data.reason.split(':')[0]!.slice(0, 60);
        counts.skippedReasons[reason] = (counts.skippedReasons[reason] ?? 0) + 1;
        break;
      }
    }
  }
  counts.moved = Object.fromEntries([...movedFen].map(([pair, fen]) => [pair, formatFen(fen)]));
  return { counts, proposedSwitches };
}

interface InstanceBody {
  state: string;
  startedAt: string;
  currentElements: string[];
  history: { elementId: string; leftAt: string | null }[];
}

/** Whether a switch has redeemed (or stopped before), and when its redemption step was left, in ms since the epoch. */
function progressOf(view: InstanceBody): { at: 'redeeming' | 'redeemed' | 'stopped'; redeemStepLeftMs: number | undefined } {
  const left = view.history.find((entry) => entry.elementId === 'RedeemSource' && entry.leftAt !== null)?.leftAt;
  const redeemStepLeftMs = left ? Date.parse(left) : undefined;
  if (view.state !== 'active') return { at: 'stopped', redeemStepLeftMs };
  return { at: view.currentElements.some((element) => REDEEMED_AT.has(element)) ? 'redeemed' : 'redeeming', redeemStepLeftMs };
}

/**
 * Follows the fund switches from the close's answer (`answeredAtMs`, since the epoch) until `proposed` of them
 * are listed and each has redeemed or stopped. Switches redeem about in the order they started, so a look
 * reads only the youngest not yet seen redeemed until it has, then the others oldest first, a few at once,
 * until it meets STILL_REDEEMING_PER_LOOK still at their redemption. A switch past its redemption stays past
 * it (its next step waits for the next close), so it is not read again. The reads load the server doing the
 * work; the times come from the instances' history, not from when they were read.
 */
/** A process's resident memory in MB from /proc, or null where there is none. */
function residentMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

/** Why the server is gone, when it is: its exit and the first fatal line it wrote; undefined while it runs. */
async function serverGone(server: ChildServer): Promise<string | undefined> {
  // An exit is seen a moment after the request it broke fails.
  await Promise.race([server.exited, pause(2_000)]);
  if (server.child.exitCode === null && server.child.signalCode === null) return undefined;
  const fatal = server.stderrTail.find((line) => /FATAL|Error/.test(line));
  return `the server exited (${server.child.signalCode ?? `status ${server.child.exitCode}`}) while the switches ran${fatal ? `: ${fatal.trim()}` : ''}`;
}

async function followSwitches(server: ChildServer, proposed: number, answeredAtMs: number): Promise<SwitchFigures> {
  const url = server.url;
  const listed = new Set<string>();
  let unredeemed: string[] = [];
  let cursor: string | undefined;
  let lastStartedMs = 0;
  let lastRedeemedMs = 0;
  const figures: SwitchFigures = {
    proposed,
    started: 0,
    reachedWait: 0,
    stoppedBeforeWait: 0,
    secondsToAllStarted: null,
    secondsToAllReached: null,
    secondsToAllSeen: null,
    looks: 0,
    processReads: 0,
    peakServerRssMb: null,
    serverFailure: null,
  };
  const read = async (id: string) => {
    figures.processReads++;
    return progressOf(await getJson<InstanceBody>(url, `/processes/${id}`));
  };
  const progress = new Progress('switches redeemed', asJson);
  while (figures.looks < SWITCHES_WAIT_MS / SWITCHES_POLL_MS && Date.now() - answeredAtMs < SWITCHES_WAIT_MS) {
    figures.looks++;
    const rss = residentMb(server.child.pid);
    if (rss !== null) figures.peakServerRssMb = Math.max(figures.peakServerRssMb ?? 0, rss);
    try {
      if (await look()) break;
    } catch (error) {
      const gone = await serverGone(server);
      if (gone === undefined) throw error;
      figures.serverFailure = gone;
      break;
    }
    await pause(SWITCHES_POLL_MS);
  }
  progress.finish();
  return figures;

  /** One look; true once every switch is listed and past its redemption. */
  async function look(): Promise<boolean> {
    // The last page is read again on the next look: its cursor is the only way on from it.
    for (let page = 0; page < MAX_LIST_PAGES_PER_LOOK; page++) {
      const query = `model=fund-switch&limit=${LIST_PAGE_SIZE}${cursor === undefined ? '' : `&cursor=${cursor}`}`;
      const { items, nextCursor } = await getJson<{ items: { processId: string; startedAt: string }[]; nextCursor: string | null }>(url, `/processes?${query}`);
      for (const { processId, startedAt } of items) {
        if (listed.has(processId)) continue;
        listed.add(processId);
        unredeemed.push(processId);
        lastStartedMs = Math.max(lastStartedMs, Date.parse(startedAt));
      }
      if (nextCursor === null) break;
      cursor = nextCursor;
    }
    figures.started = listed.size;
    const youngest = unredeemed.at(-1);
    if (listed.size < proposed || (youngest !== undefined && (await read(youngest)).at === 'redeeming')) return false;
    const stillRedeeming: string[] = [];
    let done = 0;
    while (done < unredeemed.length && stillRedeeming.length < STILL_REDEEMING_PER_LOOK) {
      const batch = unredeemed.slice(done, done + PROCESS_READS_AT_ONCE);
      done += batch.length;
      const views = await Promise.all(batch.map(read));
      views.forEach((view, i) => {
        if (view.at === 'redeeming') {
          stillRedeeming.push(batch[i]!);
          return;
        }
        if (view.at === 'redeemed') figures.reachedWait++;
        else figures.stoppedBeforeWait++;
        if (view.redeemStepLeftMs !== undefined) lastRedeemedMs = Math.max(lastRedeemedMs, view.redeemStepLeftMs);
      });
    }
    unredeemed = [...stillRedeeming, ...unredeemed.slice(done)];
    progress.update(figures.reachedWait + figures.stoppedBeforeWait, proposed);
    if (unredeemed.length > 0) return false;
    const after = (ms: number) => round((ms - answeredAtMs) / 1000);
    figures.secondsToAllSeen = after(Date.now());
    figures.secondsToAllStarted = after(lastStartedMs);
    figures.secondsToAllReached = after(lastRedeemedMs);
    return true;
  }
}

async function rebalanceRun(wallets: number): Promise<RebalanceRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-bench-rebalance-'));
  try {
    const setupStarted = performance.now();
    const head = await seed(dir, (store) => writeRebalancingLedger(store, wallets, join(dir, 'keys.db')));
    const setupSeconds = round((performance.now() - setupStarted) / 1000);
    say(`${wallets.toLocaleString('en')} rebalancing merchants written in ${setupSeconds} s (${(head + 1n).toLocaleString('en')} events)`);
    const env = { IFW_API_KEYS: `${OPERATOR_KEY}=operator`, IFW_START_DATE: REBALANCE_CLOSE_DATE, IFW_HOST: '127.0.0.1' };
    const profileDir = join(RESULTS_DIR, `processes-profile-${new Date().toISOString().replace(/[:.]/g, '-')}-${wallets}-wallets`);
    const nodeArgs = withProfile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const server = await startChild([...nodeArgs, MAIN_JS, 'serve', '--data', dir, '--port', '0', '--json'], env, 'ifw serve');
    let measured: Awaited<ReturnType<typeof closeAndRebalance>>;
    try {
      measured = await closeAndRebalance(server, dir, wallets, head, setupSeconds);
    } catch (error) {
      process.stderr.write(`ifw serve stderr (last lines):\n${server.stderrTail.join('\n')}\n`);
      throw error;
    } finally {
      await stopChild(server);
    }
    if (!withProfile) return measured.run;
    // The main thread's profile is the largest: the demand model's worker threads write small ones beside it.
    const profiles = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
    const file = profiles.map((name) => join(profileDir, name)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
    const { close: closeWindow, switches: switchesWindow } = measured.windows;
    return { ...measured.run, profile: { file, close: summarise(file, { top: 25, ...closeWindow }), switches: switchesWindow ? summarise(file, { top: 25, ...switchesWindow }) : null } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Microseconds of the monotonic clock, which a CPU profile's samples are stamped with too. */
function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function closeAndRebalance(
  server: ChildServer,
  dir: string,
  wallets: number,
  head: bigint,
  setupSeconds: number,
): Promise<{ run: RebalanceRun; windows: { close: { fromUs: number; toUs: number }; switches: { fromUs: number; toUs: number } | null } }> {
  const url = server.url;
  const serverStarted = performance.now();
  await waitForReadModels(url, head);
  const readModelsCaughtUpSeconds = round((performance.now() - serverStarted) / 1000);
  say(`the read models took in the seeded log ${readModelsCaughtUpSeconds} s after the server started`);
  for (const [code, level] of INCOME_LEVELS) await publishIncome(url, REBALANCE_CLOSE_DATE, code, formatPerTenK(level));
  const events = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
  try {
    say(`closing ${REBALANCE_CLOSE_DATE} over ${wallets.toLocaleString('en')} rebalancing merchants`);
    const before = await events.lastPosition();
    const serverRssMbBefore = residentMb(server.child.pid);
    const requestedAtMs = Date.now();
    const closeFromUs = monotonicUs();
    const { figures, status } = await close(url, REBALANCE_CLOSE_DATE, before, events, [200, 202]);
    const answeredAtMs = Date.now();
    const answeredAtUs = monotonicUs();
    const serverRssMb = residentMb(server.child.pid);
    say(`${REBALANCE_CLOSE_DATE}: ${figures.seconds} s (${status}), ${figures.positionsClosed.toLocaleString('en')} positions`);
    const { counts, proposedSwitches } = await recordedForecasts(events, REBALANCE_CLOSE_DATE);
    const timeline = await closeTimeline(events, REBALANCE_CLOSE_DATE, requestedAtMs);
    const notes: string[] = [];
    if (status === 202) notes.push(`the close answered 202: closed, with the transfers it began not yet caught up within the read wait (IFW_READ_WAIT_MS); its events were counted at the answer`);
    if (!counts.recorded) {
      // The server runs with --json, which silences its log (where DailyForecasts says why), so the reason given is the store's limit it meets.
      const forecastEvents = INCOME_LEVELS.size + 2 * wallets;
      notes.push(
        `no forecasts were recorded at the close of ${REBALANCE_CLOSE_DATE}, so no switch was proposed: the forecasts of ${wallets.toLocaleString('en')} merchants are one append of about ` +
          `${forecastEvents.toLocaleString('en')} events (a demand forecast and a proposal per merchant), ${forecastEvents > LIMITS.maxEventsPerAppend ? 'over' : 'within'} the event store's limit of ` +
          `${LIMITS.maxEventsPerAppend.toLocaleString('en')} events per append`,
      );
    } else if (counts.proposalsWithSwitches < wallets) {
      notes.push(`proposals that move money for ${counts.proposalsWithSwitches.toLocaleString('en')} of ${wallets.toLocaleString('en')} wallets; skipped: ${JSON.stringify(counts.skippedReasons)}`);
    }
    say(`forecasts: ${counts.recorded ? `${counts.proposals.toLocaleString('en')} proposals calling for ${proposedSwitches.toLocaleString('en')} switches` : 'none recorded'}`);
    const switches = proposedSwitches > 0 ? await followSwitches(server, proposedSwitches, answeredAtMs) : null;
    const followedToUs = monotonicUs();
    if (switches) say(`switches: ${switches.started.toLocaleString('en')} started, ${switches.reachedWait.toLocaleString('en')} redeemed, ${switches.secondsToAllReached ?? 'not all'} s after the close`);
    if (switches?.serverFailure) notes.push(switches.serverFailure);
    else if (switches && switches.secondsToAllReached === null) notes.push(`not every switch had redeemed ${SWITCHES_WAIT_MS / 60_000} minutes after the close`);
    const totalSeconds = switches?.secondsToAllReached != null ? round(figures.seconds + switches.secondsToAllReached) : null;
    const scale = GOAL_WALLETS / wallets;
    const linearEstimateForGoal =
      wallets !== GOAL_WALLETS && switches?.secondsToAllReached != null
        ? { closeSeconds: round(figures.seconds * scale), switchesSeconds: round(switches.secondsToAllReached * scale), totalSeconds: round(totalSeconds! * scale) }
        : null;
    const run: RebalanceRun = {
      wallets,
      setupSeconds,
      readModelsCaughtUpSeconds,
      close: { ...figures, msPerHolder: round((figures.seconds * 1000) / wallets), status, timeline, serverRssMbBefore, serverRssMb },
      forecasts: counts,
      switches,
      totalSeconds,
      linearEstimateForGoal,
      notes,
      profile: null,
    };
    return { run, windows: { close: { fromUs: closeFromUs, toUs: answeredAtUs }, switches: switches ? { fromUs: answeredAtUs, toUs: followedToUs } : null } };
  } finally {
    await events.close();
  }
}

/**
 * The embedded engine alone: the product's fund switch model on a file, its task types served by workers that
 * answer at once and its messages published by the benchmark, so the figure is the engine's (a SQLite commit
 * per step, FEEL, correlation) and not the ledger's.
 */
async function engineRate(): Promise<EngineFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'ifw-bench-engine-'));
  const engine = await EmbeddedProcessEngine.open({ path: join(dir, 'processes.db'), log: { log: () => undefined, warn: () => undefined } });
  try {
    await engine.deploy(processModels().filter((model) => model.name === 'fund-switch.bpmn'));
    engine.registerWorker('fund-switch.redeem', (job) => ({ redemptionId: `r-${job.instanceId}`, mode: 'instant' }));
    engine.registerWorker('fund-switch.purchase', (job) => {
      void engine.publishMessage({ name: 'purchase-confirmed', correlationKey: `p-${job.instanceId}`, messageId: `p-${job.instanceId}`, timeToLiveMs: 60_000 });
      return { purchaseId: `p-${job.instanceId}` };
    });
    const started = performance.now();
    const instances = await Promise.all(Array.from({ length: ENGINE_INSTANCES }, (_, n) => engine.startInstance('fund-switch', { walletId: `w-${n}`, fromFund: 'A', toFund: 'B', amount: '1.00' })));
    await Promise.all(instances.map((i) => engine.publishMessage({ name: 'redemption-paid', correlationKey: `r-${i.instanceId}`, messageId: `r-${i.instanceId}`, timeToLiveMs: 60_000 })));
    await engine.whenSettled();
    const seconds = (performance.now() - started) / 1000;
    const completed = (await engine.instances({ state: 'completed', limit: 200 })).instances.length;
    if (completed === 0) throw new Error('no fund switch completed on the engine alone');
    return { instances: ENGINE_INSTANCES, seconds: round(seconds), instancesPerSec: Math.round(ENGINE_INSTANCES / seconds) };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  ensureBuilt(say, asJson);
  // Other work on the machine takes CPU from the server: the load before and after says how much there was.
  const loadAverageBefore = loadavg().map((load) => round(load));
  const runs: Run[] = [];
  for (const holders of holderCounts) runs.push(await runFor(holders));
  const rebalances: RebalanceRun[] = [];
  for (const wallets of rebalanceWalletCounts) rebalances.push(await rebalanceRun(wallets));
  say(`the engine alone: ${ENGINE_INSTANCES} fund switches started at once`);
  const engine = await engineRate();
  const tenThousand = runs.find((run) => run.holders === 10_000);
  const closesSeconds = tenThousand ? round(tenThousand.closes.reduce((sum, c) => sum + c.seconds, 0)) : null;
  const rebalanceGoalRun = rebalances.find((run) => run.wallets === GOAL_WALLETS);
  const goals = [
    { goal: 'both closes of 10,000 holders < 300 s', seconds: closesSeconds, met: closesSeconds === null ? null : closesSeconds < 300 },
    {
      goal: `a close that accrues income for and rebalances ${GOAL_WALLETS.toLocaleString('en')} wallets < ${GOAL_SECONDS} s (its answer, then every switch it started redeemed)`,
      seconds: rebalanceGoalRun?.totalSeconds ?? null,
      met: rebalanceGoalRun ? rebalanceGoalRun.totalSeconds !== null && rebalanceGoalRun.totalSeconds < GOAL_SECONDS : null,
    },
  ];
  const result = {
    benchmark: 'processes',
    recordedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageBefore, loadAverageAfter: loadavg().map((load) => round(load)) },
    note: `a ${cpus().length}-core machine, often shared with other work while this runs: the figures are noisy`,
    runs,
    rebalances,
    engine,
    goals,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `processes-${result.recordedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (asJson) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  if (runs.length > 0) {
    console.table(runs.flatMap((run) => run.closes.map((c) => ({ holders: run.holders.toLocaleString('en'), close: c.date, s: c.seconds, 'ms per holder': c.msPerHolder, positions: c.positionsClosed, events: c.eventsWritten }))));
    console.table(runs.map((run) => ({ holders: run.holders.toLocaleString('en'), 'switch to its wait, median ms': run.switchLatencyMs.median, 'p90 ms': run.switchLatencyMs.p90, 'max ms': run.switchLatencyMs.max })));
  }
  if (rebalances.length > 0) {
    console.table(
      rebalances.map((run) => ({
        wallets: run.wallets.toLocaleString('en'),
        'close s': run.close.seconds,
        answer: run.close.status,
        proposals: run.forecasts.proposals,
        'switches proposed': run.switches?.proposed ?? 0,
        started: run.switches?.started ?? 0,
        'reached wait': run.switches?.reachedWait ?? 0,
        'all redeemed, s after': run.switches?.secondsToAllReached ?? '—',
        'total s': run.totalSeconds ?? '—',
        'peak server MB': run.switches?.peakServerRssMb ?? run.close.serverRssMb ?? '—',
      })),
    );
    for (const run of rebalances) {
      const { incomeDistributed, forecastsRecorded, dayClosed } = run.close.timeline;
      const at = (seconds: number | null) => (seconds === null ? '—' : `${seconds} s`);
      console.log(
        `${run.wallets.toLocaleString('en')} wallets, the close's steps after its request: positions closed and income distributed ${at(incomeDistributed)}, ` +
          `first forecasts recorded ${at(forecastsRecorded)}, day closed ${at(dayClosed)}, answered ${run.close.seconds} s`,
      );
      for (const note of run.notes) console.log(`${run.wallets.toLocaleString('en')} wallets: ${note}`);
    }
  }
  console.log(`the engine alone: ${engine.instances} fund switches in ${engine.seconds} s = ${engine.instancesPerSec} instances/s`);
  console.log('\ngoals:');
  for (const g of goals) console.log(`${g.met === null ? 'n/a ' : g.met ? 'MET ' : 'MISS'}  ${g.goal}: ${g.seconds ?? '—'} s`);
  for (const run of rebalances) {
    const estimate = run.linearEstimateForGoal;
    if (estimate) console.log(`      estimate, not measured: ${run.wallets.toLocaleString('en')} wallets scaled linearly to ${GOAL_WALLETS.toLocaleString('en')}: close ${estimate.closeSeconds} s + switches ${estimate.switchesSeconds} s = ${estimate.totalSeconds} s`);
  }
  for (const run of rebalances) {
    if (!run.profile) continue;
    printSummary(run.profile.close, `server main thread during the close of ${run.wallets.toLocaleString('en')} rebalancing wallets`);
    if (run.profile.switches) printSummary(run.profile.switches, `server main thread from the close's answer until every switch was seen redeemed`);
    console.log(`profile: ${run.profile.file}`);
  }
  console.log(`\n${result.note}`);
  console.log(`written to ${file}`);
}

void main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
