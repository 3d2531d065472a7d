import type { VerifyReportBody } from '../api/audit/verify-report';
import type { TrialBalance } from '../api/ledger/trial-balance.query';
import { formatFen } from '../domain/money';
import type { InstantCapacity, ProcessOutcomes } from './run-outcomes';
import type { SimulationOptions, SimulationPlan } from './simulation-plan';
import type { InstantUse, SimulationTally } from './simulation-tally';

/** What the product holds at the end of a run, read through its own queries and its process engine. */
export interface RunMeasures {
  lastPosition: bigint;
  switches: ProcessOutcomes;
  instantWithdrawals: ProcessOutcomes;
  capacity: { automatic: InstantCapacity; manual: InstantCapacity };
  instantCapFen: bigint;
  trialBalance: TrialBalance;
}

export interface RunFacts {
  options: SimulationOptions;
  plan: SimulationPlan;
  tally: SimulationTally;
  measures: RunMeasures;
  audit: VerifyReportBody;
  /** From opening the product to closing it, the audit's pass excluded. */
  elapsedSeconds: number;
}

export type SimulationReport = ReturnType<typeof simulationReport>;

/** The report of a run: everything but `speed` (and the audit's head, whose hashes cover recorded times) is the same for the same seed. */
export function simulationReport({ options, plan, tally, measures, audit, elapsedSeconds }: RunFacts) {
  const events = audit.eventsChecked;
  const commands = tally.commandsSent;
  return {
    simulated: true as const,
    note: 'SIMULATED customers, merchants and market (src/ml/market, docs/simulate.md), driven through the real command path.',
    seed: options.seed,
    size: { days: options.days, customers: options.customers, merchants: options.merchants, funds: options.funds },
    period: { ledgerFrom: plan.calendarStart, merchantsFrom: plan.partiesFrom, firstDay: plan.firstDay, lastDay: plan.lastDay, dayCloses: tally.closes },
    dataDir: options.dataDir,
    events: { written: events, lastPosition: measures.lastPosition.toString() },
    commands: { sent: commands, byKind: sortedRecord(tally.commands), refusals: sortedRecord(tally.refusals) },
    speed: {
      seconds: round(elapsedSeconds, 1),
      commandsPerSecond: round(commands / elapsedSeconds, 1),
      eventsPerSecond: round(events / elapsedSeconds, 1),
      phaseSeconds: Object.fromEntries([...tally.phaseMs].map(([phase, ms]) => [phase, round(ms / 1_000, 1)])),
    },
    yield: yieldSection(tally),
    instant: instantSection(tally.instantUses, measures),
    switches: switchSection(measures.switches),
    trialBalance: measures.trialBalance,
    audit,
  };
}

function yieldSection({ yields }: SimulationTally) {
  const pctOf = (incomeFen: bigint) => (yields.holdingFenDays === 0n ? null : round((Number(incomeFen) / Number(yields.holdingFenDays)) * 365 * 100, 3));
  const realisedPct = pctOf(yields.incomeFen);
  const fund0Pct = pctOf(yields.fund0IncomeFen);
  return {
    realisedPct,
    fund0Pct,
    gainOverFund0Pct: realisedPct === null || fund0Pct === null || fund0Pct === 0 ? null : round((realisedPct / fund0Pct - 1) * 100, 2),
    incomeCny: formatFen(yields.incomeFen),
    fund0IncomeCny: formatFen(yields.fund0IncomeFen),
  };
}

function instantSection(uses: readonly InstantUse[], { capacity, instantCapFen, instantWithdrawals }: RunMeasures) {
  const shares = uses.filter((u) => u.capacityFen > 0n).map((u) => Math.min(1, Number(u.demandFen) / Number(u.capacityFen)));
  shares.sort((a, b) => a - b);
  const group = (c: InstantCapacity) => ({
    merchants: c.merchants,
    acrossFundsCny: formatFen(c.acrossFundsFen),
    oneFundCny: formatFen(c.oneFundFen),
    multiple: c.oneFundFen === 0n ? null : round(Number(c.acrossFundsFen) / Number(c.oneFundFen), 2),
  });
  return {
    capPerFundCny: formatFen(instantCapFen),
    capacityAtEnd: { automatic: group(capacity.automatic), manual: group(capacity.manual) },
    withdrawalsNeedingFunds: uses.length,
    demandAboveCapacity: uses.filter((u) => u.demandFen > u.capacityFen).length,
    capacityUsedPct: { median: percentile(shares, 0.5), p90: percentile(shares, 0.9), max: percentile(shares, 1) },
    processes: { started: instantWithdrawals.started, paidOut: instantWithdrawals.ended.PaidOut ?? 0, nothingMoved: instantWithdrawals.ended.Refused ?? 0, boughtBack: instantWithdrawals.ended.Undone ?? 0, underWay: instantWithdrawals.active, incidents: instantWithdrawals.incident },
  };
}

function switchSection(switches: ProcessOutcomes) {
  return {
    started: switches.started,
    switched: switches.ended.Switched ?? 0,
    compensated: switches.ended.CompensatedInWallet ?? 0,
    nothingMoved: switches.ended.NotStarted ?? 0,
    underWay: switches.active,
    incidents: switches.incident,
  };
}

function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100, 1);
}

function sortedRecord<V>(entries: ReadonlyMap<string, V>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The report for a terminal. */
export function formatSimulationReport(report: SimulationReport): string {
  const { size, period, events, commands, speed, yield: y, instant, switches, trialBalance, audit } = report;
  const refused = Object.entries(commands.refusals).map(([code, n]) => `${n} ${code}`);
  const capacity = (name: string, c: (typeof instant.capacityAtEnd)['automatic']) =>
    `  ${name.padEnd(9)} ${String(c.merchants).padStart(6)} merchants: ${c.acrossFundsCny} CNY across funds, ${c.oneFundCny} CNY were it in one fund${c.multiple === null ? '' : ` (× ${c.multiple})`}`;
  return [
    `SIMULATED run (seed ${String(report.seed)}): ${size.days} days from ${period.firstDay} to ${period.lastDay}, ${size.customers} customers, ${size.merchants} merchants, ${size.funds} funds. Not real data.`,
    `  warm-up: the ledger from ${period.ledgerFrom} (funds and incomes), the merchants from ${period.merchantsFrom}; ${period.dayCloses} day closes in all`,
    `written: ${events.written.toLocaleString('en')} events by ${commands.sent.toLocaleString('en')} commands in ${speed.seconds} s (${speed.commandsPerSecond} commands/s, ${speed.eventsPerSecond} events/s)`,
    `  time by phase: ${Object.entries(speed.phaseSeconds).map(([phase, seconds]) => `${phase} ${seconds} s`).join(', ')}`,
    `  refused: ${refused.length === 0 ? 'none' : refused.join(', ')}`,
    `yield over the simulated days: ${y.realisedPct ?? '-'} % a year realised, ${y.fund0Pct ?? '-'} % had every holding been in fund 0 (${y.gainOverFund0Pct === null ? '-' : `${y.gainOverFund0Pct >= 0 ? '+' : ''}${y.gainOverFund0Pct} %`})`,
    `instant capacity for the next day (cap ${instant.capPerFundCny} CNY per fund):`,
    capacity('automatic', instant.capacityAtEnd.automatic),
    capacity('manual', instant.capacityAtEnd.manual),
    `  ${instant.withdrawalsNeedingFunds} withdrawals needed the funds: capacity used median ${instant.capacityUsedPct.median ?? '-'} %, p90 ${instant.capacityUsedPct.p90 ?? '-'} %, max ${instant.capacityUsedPct.max ?? '-'} %; demand above capacity ${instant.demandAboveCapacity} times`,
    `  processes: ${instant.processes.paidOut} paid out, ${instant.processes.nothingMoved} moved nothing, ${instant.processes.boughtBack} bought back, ${instant.processes.underWay} under way`,
    `fund switches: ${switches.started} started, ${switches.switched} switched, ${switches.compensated} compensated (cash kept in the wallet), ${switches.nothingMoved} moved nothing, ${switches.underWay} under way, ${switches.incidents} at an incident`,
    `trial balance: ${trialBalance.total} over ${trialBalance.accounts} accounts`,
    `audit verify: ${audit.ok ? `intact, ${audit.eventsChecked} events in ${audit.streamsChecked} streams` : `NOT INTACT (${audit.firstBreak?.kind} at position ${audit.firstBreak?.position})`}`,
    `serve it: IFW_API_KEYS='<key of 16+ characters>=operator' ifw serve --data ${report.dataDir}`,
  ].join('\n');
}
