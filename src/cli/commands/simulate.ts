import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFen } from '../../domain/money';
import { DEFAULT_BACKTEST_SEED } from '../../ml/backtest';
import { ACTIVITY } from '../../simulation/activity-model';
import { runSimulation } from '../../simulation/simulation-driver';
import { DEFAULT_FIRST_DAY, INCOME_HISTORY_DAYS, SIMULATION_BOUNDS, WARM_UP_BUSINESS_DAYS } from '../../simulation/simulation-plan';
import { formatSimulationReport } from '../../simulation/simulation-report';
import { EXIT, UsageError } from '../cli-error';
import { parseCount, parseSeed } from '../market-options';
import { Progress } from '../progress';

const DEFAULTS = { days: 30, customers: 1_000, merchants: 100, funds: 8 } as const;
/** The files of the embedded stores: a folder holding any of them holds a store already. */
const STORE_FILES = ['ifw.db', 'read.db', 'processes.db', 'keys.db'];

const c = ACTIVITY.customer;
const m = ACTIVITY.merchant;
const pct = (p: number) => `${Math.round(p * 1000) / 10} %`;
const cny = (fen: number) => formatFen(BigInt(fen));
const b = SIMULATION_BOUNDS;

export const simulateHelp = `ifw simulate [--days N] [--customers C] [--merchants M] [--funds F] [--seed S] [--data DIR] [--json]

Drives the whole product, day by day, with SIMULATED customers, merchants and market: every command goes
through the product's own command path (the command objects the HTTP API puts on its CommandBus, the same
handlers, store, read models and process managers as ifw serve). Each simulated day the customers act, then
the merchants; the market publishes each fund's income; a business day ends with its day close (forecasts,
rebalance proposals, and the fund switches of the merchants that rebalance automatically). Before day 1
(${DEFAULT_FIRST_DAY}) the funds get ${INCOME_HISTORY_DAYS} days of income history and the merchants ${WARM_UP_BUSINESS_DAYS} business days of their own
activity, so the forecasts and switches run from the first days. Same seed, same report (timings aside).
At the end: events written, commands/s and events/s, the realised yield against holding fund 0, the merchants'
instant capacity and its use, fund switches done and compensated, the trial balance and ifw audit verify
of the store written; DIR can then be served: ifw serve --data DIR (docs/simulate.md).
  --days N        calendar days simulated (default ${DEFAULTS.days}; ${b.days.min}-${b.days.max})
  --customers C   customers (default ${DEFAULTS.customers}; ${b.customers.min}-${b.customers.max})
  --merchants M   merchants (default ${DEFAULTS.merchants}; ${b.merchants.min}-${b.merchants.max})
  --funds F       money funds, fund 0 the Yu'E Bao proxy (default ${DEFAULTS.funds}; ${b.funds.min}-${b.funds.max})
  --seed S        seed (a non-negative integer or any text; default ${DEFAULT_BACKTEST_SEED})
  --data DIR      folder of the stores written: new or without a store (default: a new ./ifw-simulation-XXXXXX)
  --json          print the report as JSON
Activity, chances per customer per calendar day: deposit ${pct(c.deposit.perDay)} (median ${cny(c.deposit.medianFen)} CNY), pay a
merchant ${pct(c.payment.perDay)} (median ${cny(c.payment.medianFen)} CNY, merchants by Zipf's law), buy its fund ${pct(c.purchase.perDay)} (type III
only, ${pct(c.purchase.cashShare)} of its cash), redeem ${pct(c.redemption.perDay)} (${pct(c.redemption.holdingShare)} of its largest holding, ${pct(c.redemption.instantShare)} instant), withdraw
${pct(c.withdrawal.perDay)} (${pct(c.withdrawal.cashShare)} of its cash); a first deposit on day 1 (median ${cny(c.opening.medianFen)} CNY); account types
${c.tiers.map((t) => `${t.tier} ${pct(t.share)}`).join(', ')}. Merchants, every day: deposit the day's simulated takings, pay out the
day's simulated withdrawal demand at once (from cash, else by the instant-withdrawal process across their
funds), invest cash above ${m.cashBufferDays} days of takings in fund 0; ${pct(m.automaticShare)} of them rebalance automatically.`;

export async function simulate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { days: { type: 'string' }, customers: { type: 'string' }, merchants: { type: 'string' }, funds: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
  });
  const count = (name: keyof typeof DEFAULTS) => (values[name] === undefined ? DEFAULTS[name] : parseCount(values[name], `--${name}`, b[name].min, b[name].max));
  const options = {
    days: count('days'),
    customers: count('customers'),
    merchants: count('merchants'),
    funds: count('funds'),
    seed: values.seed === undefined ? DEFAULT_BACKTEST_SEED : parseSeed(values.seed),
    dataDir: dataFolder(values.data),
  };
  const progress = new Progress('simulated days', values.json === true);
  const report = await runSimulation(options, { onDay: (done, total) => progress.update(done, total) });
  progress.finish();
  console.log(values.json ? JSON.stringify(report, null, 2) : formatSimulationReport(report));
  if (!report.audit.ok) return EXIT.auditFailed;
  return report.trialBalance.total === '0.00' ? EXIT.ok : EXIT.failure;
}

/** The folder to write: a new one by default; one named must not hold a store, since the run would mix with it. */
function dataFolder(named: string | undefined): string {
  if (named === undefined) return mkdtempSync(join(resolve('.'), 'ifw-simulation-'));
  const held = STORE_FILES.filter((file) => existsSync(join(named, file)));
  if (held.length > 0) throw new UsageError(`--data ${named} already holds a store (${held.join(', ')}): name a new or empty folder`);
  mkdirSync(named, { recursive: true });
  return resolve(named);
}
