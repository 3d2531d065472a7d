import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SeededRandom } from '../../src/ml/market/seeded-random';
import { type LogIndex, logViolations, readLog } from './crash-log-checks';
import { RequestLog, type SentRequest } from './crash-requests';
import { type KillPoint, type RoundContext, type RoundKind, crashRound } from './crash-rounds';
import { type InstanceSummary, WAIT_BOUNDS, allInstances, lastPosition, read, ready, until } from './crash-reads';
import { MAIN_JS, ServerUnderTest, crashEnv } from './crash-server';
import { Workload } from './crash-workload';

/** Clients sending at once: the loops of the load, and the test's own (closes, the switch of a round). */
const CLIENTS = 32;
/** At least five kills, one inside a day close and one inside a fund switch; the order is drawn from the seed. */
const ROUNDS: readonly RoundKind[] = ['random', 'random', 'random', 'day-close', 'fund-switch'];
/** Closes after the load, so that standard redemptions pay and switches' purchases are confirmed. */
const MAX_SETTLING_CLOSES = 4;
/** Where a fund switch waits for the next close; anything else active is still working. */
const SWITCH_WAITS = ['AwaitRedemptionCash', 'AwaitConfirmation'];
const CLI_TIMEOUT_MS = 60_000;

export interface CrashOutcome {
  killPoints: KillPoint[];
  /** What was verified, one line each, for the test's output. */
  verified: string[];
  violations: string[];
  requests: number;
  elapsedMs: number;
}

/** The whole crash test on one store mode: load, kills and restarts, then everything the log and the server must show. */
export async function runCrashScenario(name: string, storeOptions: string, seed: number, say: (line: string) => void): Promise<CrashOutcome> {
  const startedMs = Date.now();
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: npm run build first (npm test's pretest does)`);
  const dir = mkdtempSync(join(tmpdir(), `ifw-crash-${name}-`));
  const env = crashEnv(dir, storeOptions);
  const server = new ServerUnderTest(dir, env);
  const log = new RequestLog(server);
  const random = SeededRandom.fromSeed(seed);
  const workload = new Workload(log, random.child('workload'), name);
  const context: RoundContext = { server, workload, random: random.child('rounds'), storeUrl: `sqlite:${join(dir, 'ifw.db')}`, background: [], say };
  try {
    await server.start();
    await workload.setUp();
    say(`set up: ${workload.parties.length} parties holding every fund, ${log.sent.length} requests`);
    const killPoints = await underLoad(context, random);
    say(`load over: ${log.sent.length} requests answered; settling`);
    const verified: string[] = [];
    const violations = [...log.failures, ...server.crashes()];
    violations.push(...(await settle(context, verified)));
    say('settled; checking');
    violations.push(...(await serverChecks(server, log.sent, verified)));
    const instances = await allInstances(server);
    await server.stop();
    violations.push(...(await cliChecks(dir, env, verified)));
    const index = await readLog(context.storeUrl);
    const fromLog = logViolations(index, log.sent);
    verified.push(`${log.sent.length} requests against ${index.events} events: each 2xx once in the log, no refusal with an effect, no effect twice (${fromLog.length} violations)`);
    violations.push(...fromLog, ...instanceViolations(index, log.sent, instances, verified));
    return { killPoints, verified, violations, requests: log.sent.length, elapsedMs: Date.now() - startedMs };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- the server's last stderr lines ---\n${server.stderrTail().join('\n')}`, { cause: error });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The clients' loops run while the rounds kill and restart the server; all of them end before the checks. */
async function underLoad(context: RoundContext, random: SeededRandom): Promise<KillPoint[]> {
  let stopped = false;
  const loops = Array.from({ length: CLIENTS - 1 }, (_, i) => context.workload.client(random.child(`client-${i}`), () => stopped));
  const killPoints: KillPoint[] = [];
  try {
    for (const [index, kind] of shuffled(context.random, ROUNDS).entries()) killPoints.push(await crashRound(context, index + 1, kind));
    await ready(context.server);
  } catch (error) {
    // The clients may be waiting for a server that will not come back: they are refused, and end.
    stopped = true;
    await context.server.stop();
    throw error;
  } finally {
    stopped = true;
    await Promise.allSettled([...loops, ...context.background]);
  }
  return killPoints;
}

/**
 * Lets every process finish: closes the day while fund switches wait for a close (standard cash, the
 * purchase's confirmation), once nothing else is running; then none may be active or at an incident.
 */
async function settle({ server, workload }: RoundContext, verified: string[]): Promise<string[]> {
  let closes = 0;
  for (; closes < MAX_SETTLING_CLOSES; closes++) {
    const waiting = await until('every running process waits for a close', WAIT_BOUNDS.settleMs, () => onlyWaitingForClose(server));
    if (waiting.length === 0) break;
    await workload.closeDay();
  }
  const unfinished = [...(await allInstances(server, '&state=active')), ...(await allInstances(server, '&state=incident'))];
  verified.push(`every process completed after ${closes} more closes (${unfinished.length} active or at an incident)`);
  return unfinished.map((instance) => `process ${instance.processId} (${instance.model}, ${instance.businessKey}) is ${instance.state} once the system is left alone`);
}

/** The active instances when each is a fund switch waiting for a close; undefined while any other runs. */
async function onlyWaitingForClose(server: ServerUnderTest): Promise<string[] | undefined> {
  const active = await allInstances(server, '&state=active');
  for (const instance of active) {
    const view = (await read(server, `/processes/${instance.processId}`)).body as { currentElements: string[] };
    if (!view.currentElements.some((element) => SWITCH_WAITS.includes(element))) return undefined;
  }
  return active.map((instance) => instance.processId);
}

/** The trial balance of the whole ledger, read once the read models include the last write. */
async function serverChecks(server: ServerUnderTest, sent: readonly SentRequest[], verified: string[]): Promise<string[]> {
  const head = await lastPosition(server);
  const trial = (await read(server, `/ledger/trial-balance?minPosition=${head}`)).body as { total: string; accounts: number };
  verified.push(`trial balance ${trial.total} over ${trial.accounts} accounts at position ${head}`);
  const dayCloses = sent.filter((request) => request.kind === 'day-close');
  verified.push(`${dayCloses.length} day closes, each answered 200`);
  return [
    ...(trial.total === '0.00' ? [] : [`the trial balance is ${trial.total}, not 0.00`]),
    ...dayCloses.filter((request) => request.answer.status !== 200).map((request) => `the close of ${request.body.date} (${request.id}) answered ${request.answer.status}: ${JSON.stringify(request.answer.body)}`),
  ];
}

/** `ifw audit verify` and `ifw projections rebuild` on the stopped server's data. */
async function cliChecks(dir: string, env: NodeJS.ProcessEnv, verified: string[]): Promise<string[]> {
  const violations: string[] = [];
  const verify = await ifw(['audit', 'verify', '--data', dir, '--json'], env);
  verified.push(`ifw audit verify exited ${verify.status}`);
  if (verify.status !== 0) violations.push(`ifw audit verify exited ${verify.status}: ${verify.stdout}${verify.stderr}`);
  const rebuild = await ifw(['projections', 'rebuild', '--data', dir, '--json'], env);
  if (rebuild.status !== 0) return [...violations, `ifw projections rebuild exited ${rebuild.status}: ${rebuild.stdout}${rebuild.stderr}`];
  const reports = (JSON.parse(rebuild.stdout) as { projections: { name: string; switched: boolean; liveDigest: string; rebuiltDigest: string; livePosition: string; rebuiltPosition: string }[] }).projections;
  const differing = reports.filter((r) => !r.switched || r.liveDigest !== r.rebuiltDigest);
  verified.push(`${reports.length} read models equal their rebuild from the log (${differing.length} differ)`);
  return [...violations, ...differing.map((r) => `read model ${r.name} differs from its rebuild: live ${r.liveDigest} at ${r.livePosition}, rebuilt ${r.rebuiltDigest} at ${r.rebuiltPosition}`)];
}

/**
 * Each process is one instance, and each instance was started by something answered: a switch or a withdrawal
 * per process id a 2xx answered, a payment model per payment sent, a close per date closed.
 */
function instanceViolations(log: LogIndex, sent: readonly SentRequest[], instances: readonly InstanceSummary[], verified: string[]): string[] {
  const answered = (kind: string) =>
    sent.filter((r) => r.kind === kind && r.answer.status >= 200 && r.answer.status <= 299).flatMap((r) => (r.answer.body.processes ?? [r.answer.body]) as { processId: string }[]).map((p) => p.processId);
  const expected: Record<string, Set<string> | number> = {
    'fund-switch': new Set(answered('rebalance')),
    'merchant-withdrawal': new Set(answered('instant-withdrawal')),
    payment: log.ids('PaymentSent').size,
    'day-close': log.ids('DayClosed').size,
  };
  const violations: string[] = [];
  for (const [model, want] of Object.entries(expected)) {
    const found = instances.filter((instance) => instance.model === model);
    if (typeof want === 'number') {
      if (found.length !== want) violations.push(`${found.length} ${model} instances for ${want} started in the log`);
      continue;
    }
    const ids = new Set(found.map((instance) => instance.processId));
    const unanswered = [...ids].filter((id) => !want.has(id));
    const missing = [...want].filter((id) => !ids.has(id));
    if (unanswered.length + missing.length > 0) violations.push(`${model}: instances no 2xx answered ${JSON.stringify(unanswered)}, answered but not started ${JSON.stringify(missing)}`);
  }
  verified.push(`${instances.length} process instances, each started once by an answered request or event (${violations.length} violations)`);
  return violations;
}

async function ifw(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN_JS, ...args], { env: { ...process.env, ...env }, timeout: CLI_TIMEOUT_MS });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}

function shuffled<T>(random: SeededRandom, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.integer(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
