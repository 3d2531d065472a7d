import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BOUND_METHODS,
  CAP_RESERVE_LABEL,
  consecutiveSeeds,
  DEFAULT_FUND_ZERO_QUANTILES,
  MAX_DECISION_LAG_DAYS,
  renderBacktestSvg,
  runBacktest,
  runMultiSeedBacktest,
  type BacktestReport,
  type BacktestSettings,
  type BoundCoverageReport,
  type BoundMethod,
  type FundZeroQuantileSummary,
  type MerchantMetrics,
  type MultiSeedReport,
  type SeedSpread,
} from '../../ml/backtest';
import { MODEL_CONFIGURATION } from '../../ml/model-configuration';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';
import { MARKET_OPTIONS, marketOptions, parseCount, parseFundZeroQuantile } from '../market-options';

const DEFAULT_SEEDS = 20;
/** Over several seeds, merchants run on this many of them (the first), this many each: their ARIMA fits are the slow part. */
const DEFAULT_MERCHANT_SEEDS = 5;
const DEFAULT_MERCHANTS_PER_SEED = 20;
const CALIBRATED_YEARS = [2014, 2025] as const;

export const backtestHelp = `ifw backtest [--seeds N | --seed S] [--years 2014-2025] [--funds N] [--merchants M] [--merchant-seeds K]
             [--fund-zero-quantile Q] [--investor CNY] [--horizon DAYS] [--decision-lag-days N]
             [--demand arima|seasonal-naive] [--bound gaussian|empirical|conformal] [--workers N] [--svg FILE]
             [--allow-any-years] [--json] [--data DIR]

Walk-forward backtest, no look-ahead, on a SIMULATED market (no real fund data exists offline): four
strategies side by side under the business rules (purchases confirmed the next business day, standard
redemptions paid the next business day, the instant-redemption cap in force each day): (a) hold fund 0,
the Yu'E Bao proxy; (b) equal weights; (c) forecast-driven switching on walk-forward elastic-net yield
forecasts; (d) IIMMF (the LP on yield forecasts and each merchant's ARIMA demand bound); beside them, for
the single investor, rules that need no model (trailing means, momentum) under (c)'s switching rule, and
the ceiling: the perfect-foresight optimum under the same rules; for the merchants, how much of their
withdrawals each strategy pays at once, beside a liquidity baseline without a model (the best fund by
trailing mean plus ceil(bound / cap) funds held at the cap). Orders are cut at 15:00 of day t and a day's
income is published after the close, so the decision of day t uses forecasts made at origin t - 1.
With no --seed, runs ${DEFAULT_SEEDS} seeds (1, 2, ...) with fund 0 at the median and at the lower quartile of the
funds, the merchants on the first ${DEFAULT_MERCHANT_SEEDS} seeds, and prints each figure as median [10th, 90th percentile].
docs/backtest.md explains it.
  --seeds N         seeds to run (default ${DEFAULT_SEEDS}): seeds 1 to N, or S to S+N-1 with --seed S
  --seed S          run this one seed (as a number or text), with merchants: the full single-run report
  --years A-B       evaluated years (default 2014-2025; the simulation starts earlier, for the forecasters)
  --allow-any-years run years outside 2014-2025, the years the simulated market is calibrated to
  --funds N         money funds in the market (default 20)
  --merchants M     simulated merchants (default 50 with --seed; over several seeds ${DEFAULT_MERCHANTS_PER_SEED} on each seed that runs them)
  --merchant-seeds K
                    over several seeds: how many of them, the first, run merchants (default ${DEFAULT_MERCHANT_SEEDS}; 0 for none)
  --fund-zero-quantile Q
                    fund 0's place among the funds, 0.05-0.95 (default: 0.5 with --seed; over several seeds
                    both ${DEFAULT_FUND_ZERO_QUANTILES.join(' and ')} unless Q is given)
  --investor CNY    the single investor's sum (default 1000000)
  --horizon DAYS    days a switch must pay for itself in (c), (d) and the rules (default ${MODEL_CONFIGURATION.allocation.horizonDays}, the day close's)
  --decision-lag-days N
                    N more days of information delay: forecasts made at origin t - 1 - N (default 0, at most ${MAX_DECISION_LAG_DAYS})
  --demand METHOD   demand forecasts: arima (default) or seasonal-naive (the same weekday a week before)
  --bound METHOD    how the decisions' demand bounds (nominal 97.5 %) are made from the forecasts: conformal
                    (default; past standardized errors), empirical (past errors) or gaussian (mean + 1.96 se)
  --workers N       worker threads (default: all cores with merchants, else none; 0 runs everything in this thread)
  --svg FILE        with --seed: also draw the yield curves and cumulative income as SVG into FILE
  --json            print only the JSON report: over seeds { byFundZeroQuantile: { "0.5": { strategies: [{ name,
                    yieldUpliftPct: { median, p10, p90 }, ... }], ceiling, liquidity, ... }, "0.25": ... },
                    merchants, demandBounds, ... }; with --seed { strategies: [...], liquidity, ceiling, ... }
  --data DIR        accepted like every ifw command; the backtest reads and writes no store`;

type BacktestValues = ReturnType<typeof parseBacktestArgs>['values'];

function parseBacktestArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      ...MARKET_OPTIONS,
      seeds: { type: 'string' },
      investor: { type: 'string' },
      horizon: { type: 'string' },
      'decision-lag-days': { type: 'string' },
      'fund-zero-quantile': { type: 'string' },
      'merchant-seeds': { type: 'string' },
      demand: { type: 'string' },
      bound: { type: 'string' },
      workers: { type: 'string' },
      svg: { type: 'string' },
      'allow-any-years': { type: 'boolean' },
    },
  });
}

/** The run asked for: one seed (--seed alone) or several. */
function runChoice(values: BacktestValues) {
  const choice = marketOptions(values, { minFunds: 2, minYear: 2013 });
  const [first, lastYear] = CALIBRATED_YEARS;
  if ((choice.fromYear < first || choice.toYear > lastYear) && values['allow-any-years'] !== true) {
    throw new UsageError(
      `--years must lie within ${first}-${lastYear}, the years the simulated market is calibrated to; got ${choice.fromYear}-${choice.toYear} (--allow-any-years runs them anyway)`,
    );
  }
  const quantile = values['fund-zero-quantile'];
  const fundZeroQuantiles = quantile === undefined ? DEFAULT_FUND_ZERO_QUANTILES : [parseFundZeroQuantile(quantile)];
  const single = values.seed !== undefined && values.seeds === undefined;
  if (single) {
    if (values['merchant-seeds'] !== undefined) throw new UsageError('--merchant-seeds goes with several seeds (--seeds N)');
    return { ...choice, fundZeroQuantiles: [parseFundZeroQuantile(quantile)], merchantSeeds: 0, seeds: null };
  }
  const count = values.seeds === undefined ? DEFAULT_SEEDS : parseCount(values.seeds, '--seeds', 1, 1000);
  if (values.seed !== undefined && typeof choice.seed !== 'number') throw new UsageError(`--seed with --seeds must be a number (the first seed); got "${values.seed}"`);
  if (values.svg !== undefined) throw new UsageError('--svg draws one run: give --seed S (and no --seeds)');
  const seeds = consecutiveSeeds(values.seed === undefined ? 1 : (choice.seed as number), count);
  const merchantSeeds = values['merchant-seeds'] === undefined ? Math.min(count, DEFAULT_MERCHANT_SEEDS) : parseCount(values['merchant-seeds'], '--merchant-seeds', 0, count);
  const merchants = values.merchants === undefined ? DEFAULT_MERCHANTS_PER_SEED : choice.merchants;
  return { ...choice, merchants: merchantSeeds > 0 ? merchants : 0, merchantSeeds, fundZeroQuantiles, seeds };
}

function backtestSettings(values: BacktestValues): BacktestSettings {
  const demand = values.demand ?? 'arima';
  if (demand !== 'arima' && demand !== 'seasonal-naive') throw new UsageError(`--demand must be arima or seasonal-naive; got "${demand}"`);
  const bound = values.bound ?? 'conformal';
  if (!(BOUND_METHODS as readonly string[]).includes(bound)) throw new UsageError(`--bound must be ${BOUND_METHODS.join(', ')}; got "${bound}"`);
  const lag = values['decision-lag-days'];
  return {
    investorCny: values.investor === undefined ? 1_000_000 : parseCount(values.investor, '--investor', 1, 1_000_000_000_000),
    ...(values.horizon === undefined ? {} : { horizonDays: parseCount(values.horizon, '--horizon', 1, 365) }),
    decisionLagDays: lag === undefined ? 0 : parseCount(lag, '--decision-lag-days', 0, MAX_DECISION_LAG_DAYS),
    demand,
    boundMethod: bound as BoundMethod,
    ...(values.workers === undefined ? {} : { workers: parseCount(values.workers, '--workers', 0, 64) }),
  };
}

/** Progress on stderr, one line per stage. */
function progressReporter(json: boolean) {
  let progress: Progress | undefined;
  let stage = '';
  return {
    onProgress: (label: string, done: number, total: number) => {
      if (label !== stage) {
        progress?.finish();
        progress = new Progress(label, json);
        stage = label;
      }
      progress!.update(done, total);
    },
    finish: () => progress?.finish(),
  };
}

export async function backtest(argv: string[]): Promise<number> {
  const { values } = parseBacktestArgs(argv);
  const { seed, fromYear, toYear, funds, merchants, merchantSeeds, fundZeroQuantiles, seeds } = runChoice(values);
  const json = values.json === true;
  const reporter = progressReporter(json);
  const settings: BacktestSettings = { ...backtestSettings(values), onProgress: reporter.onProgress };
  if (seeds !== null) {
    const report = await runMultiSeedBacktest({ seeds, fromYear, toYear, funds, merchants, merchantSeeds, fundZeroQuantiles }, settings);
    reporter.finish();
    console.log(json ? JSON.stringify(report, null, 2) : formatMultiSeedReport(report));
    return EXIT.ok;
  }
  const result = await runBacktest({ seed, fromYear, toYear, funds, merchants, fundZeroQuantile: fundZeroQuantiles[0]! }, settings);
  reporter.finish();
  if (values.svg !== undefined) writeFileSync(values.svg, renderBacktestSvg(result.series, result.report));
  if (json) {
    console.log(JSON.stringify(result.report, null, 2));
    return EXIT.ok;
  }
  console.log(formatBacktestReport(result.report));
  if (values.svg !== undefined) console.log(`\nchart written to ${values.svg}`);
  return EXIT.ok;
}

const pct = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)} %`);
const signed = (v: number, digits: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(digits)}` : '—');
const share = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—');
const num = (v: number, digits = 0) => v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const BOUND_LABELS: Readonly<Record<BoundMethod, string>> = {
  gaussian: 'gaussian, mean + 1.96 se',
  empirical: 'empirical quantile of past errors',
  conformal: 'conformal, past standardized errors',
};

function formatBoundCoverage(coverage: BoundCoverageReport): string[] {
  return [
    `demand bounds, nominal ${coverage.nominalPct} %, achieved (the decisions use ${coverage.method}):`,
    table(
      ['method', 'one day ahead', "a decision's next business date"],
      BOUND_METHODS.map((m) => [BOUND_LABELS[m], `${coverage.oneDayAheadPct[m].toFixed(2)} %`, `${coverage.decisionPct[m].toFixed(2)} %`]),
    ),
  ];
}

/** The merchants' liquidity beside the yield each strategy gives up, then the old capacity figure. */
function formatMerchants(report: BacktestReport): string[] {
  const rows: { label: string; m: MerchantMetrics }[] = [
    ...report.strategies.map((s) => ({ label: s.label, m: s.merchants! })),
    { label: CAP_RESERVE_LABEL, m: report.liquidity!.baseline.merchants },
  ];
  return [
    `${report.merchants} simulated merchants: what they withdrew, paid at once (cash and instant redemptions) or later (standard redemption); yield given up against ${report.liquidity!.bestYieldStrategy}, the best yield`,
    table(
      ['strategy', 'yield % a year', 'uplift', 'given up, bp a year', 'paid at once', 'days covered', 'unmet, CNY per merchant-year', 'not earning', 'turnover / year'],
      rows.map(({ label, m }) => [
        label,
        m.annualYieldPct.toFixed(3),
        pct(m.yieldUpliftPct),
        m.yieldGivenUpBpPerYear.toFixed(1),
        `${(m.paidAtOnceShare * 100).toFixed(2)} %`,
        `${(m.daysCoveredShare * 100).toFixed(2)} %`,
        num(m.unmetInstantCnyPerMerchantYear),
        `${m.idleSharePct.toFixed(2)} %`,
        m.turnover.toFixed(2),
      ]),
    ),
    '',
    'for comparison only, the old capacity figure (mean Σ min(holding, cap) per merchant; it measures merchant size against the cap, not liquidity):',
    table(
      ['strategy', 'capacity CNY', 'uplift', ...report.capRegimes.map((r) => `${num(r.capCny)} CNY cap, ${r.from.slice(0, 4)}-${r.to.slice(0, 4)}`)],
      rows.map(({ label, m }, k) => [
        label,
        num(m.instantCapacityCny),
        pct(m.instantCapacityUpliftPct, 0),
        ...report.capRegimes.map((r) => {
          const name = report.strategies[k]?.name;
          return name ? `${num(r.merchantCapacityCny[name])} (${pct(r.upliftPct[name], 0)})` : '—';
        }),
      ]),
    ),
  ];
}

/** How a run decided, and whether it tested the models the day close runs. */
function runConventions(report: Pick<BacktestReport, 'timing' | 'decisionLagDays' | 'horizonDays' | 'modelConfiguration'>): string[] {
  const { hash, overridden } = report.modelConfiguration;
  return [
    `walk-forward, no look-ahead: ${report.timing}; decision lag ${report.decisionLagDays} days; switch horizon ${report.horizonDays} days`,
    overridden.length === 0
      ? `models: the day close's configuration ${hash}`
      : `models: the day close's configuration ${hash} except ${overridden.join(', ')} (not the product's models)`,
  ];
}

export function formatBacktestReport(report: BacktestReport): string {
  const out: string[] = [];
  out.push(`IFW backtest on a SIMULATED market (seed ${String(report.seed)}): not real fund or merchant data`);
  out.push(
    `evaluated ${report.evaluation.from} to ${report.evaluation.to} (${num(report.evaluation.days)} days, ${num(report.evaluation.businessDays)} business days); ` +
      `market simulated from ${report.market.from} (${report.market.warmupDays} days of history for the forecasters), ${report.market.funds} funds, fund 0 = Yu'E Bao proxy`,
  );
  out.push(...runConventions(report));
  out.push('');
  out.push(`single investor, ${num(report.investorCny)} CNY ("not earning": share of the balance-days in cash, in purchases awaiting confirmation or under a redemption)`);
  const investorRows = [
    ...report.strategies.map((s) => ({ ...s.investor, label: s.label, ceilingShare: s.ceilingShare })),
    ...report.nonForecastRules.map((r) => ({ ...r, label: `rule: ${r.label}`, instantCapacityCny: NaN })),
    { ...report.ceiling, instantCapacityCny: NaN },
  ];
  out.push(
    table(
      ['strategy', 'yield % a year', 'uplift', 'bp a year', 'share of ceiling', 'turnover / year', 'not earning', 'instant capacity CNY', 'income CNY'],
      investorRows.map((r) => [
        r.label,
        r.annualYieldPct.toFixed(3),
        pct(r.yieldUpliftPct),
        signed(r.yieldUpliftBpPerYear, 1),
        share(r.ceilingShare),
        r.turnover.toFixed(2),
        `${r.idleSharePct.toFixed(2)} %`,
        Number.isFinite(r.instantCapacityCny) ? num(r.instantCapacityCny) : '—',
        num(r.incomeCny),
      ]),
    ),
  );
  out.push(
    `ceiling: the perfect-foresight optimum under the same rules (exact DP over the switching decisions), booked; the DP's value without the book's rounding to the fen: ${num(report.ceiling.upperBoundIncomeCny, 2)} CNY`,
  );
  out.push(`best non-forecast rule: ${report.bestNonForecastRule.name}, ${pct(report.bestNonForecastRule.yieldUpliftPct)}`);
  if (report.merchants > 0) out.push('', ...formatMerchants(report));
  out.push('');
  const y = report.forecastErrors.yield;
  out.push(
    `yield forecasts (elastic net, walk-forward, one day ahead): MAE ${y.mae.toFixed(5)} CNY per 10,000 shares against ${y.naiveMae.toFixed(5)} for "tomorrow = today" (${y.skillPct.toFixed(1)} % better), ${num(y.forecasts)} fund-days`,
  );
  const d = report.forecastErrors.demand;
  if (d) {
    const how =
      d.method === 'arima'
        ? `ARIMA with weekly seasonality, order by AIC every ${d.selectDays} days and coefficients every ${d.refitDays} days on the last ${d.trainDays} days (${d.selections} order searches, ${d.fits} refits, ${d.fallbacks} fallbacks to seasonal naive)`
        : `seasonal naive (the same weekday a week before; spread from the 95 % quantile of the last 12 weeks)`;
    out.push(`demand forecasts: ${how}; one-day-ahead MASE ${d.mase.toFixed(3)} against ${d.seasonalNaiveMase.toFixed(3)} for seasonal naive`);
    out.push(...formatBoundCoverage(d.boundCoverage));
  }
  out.push('');
  out.push('look-ahead references (not strategies): the fund that turned out best over the period, ' + `${report.hindsight.bestFund.code}: ${pct(report.hindsight.bestFund.upliftPct)}; the best fund of every day with no switching cost: ${pct(report.hindsight.bestEveryDay.upliftPct)} (uplift of mean daily rates over fund 0)`);
  out.push('');
  const t = report.thesis;
  out.push(
    `thesis: "+15-20 % yield over Yu'E Bao alone" -> simulated ${pct(t.yieldUplift.simulatedPct)} for the investor` +
      (t.yieldUplift.merchantsPct === null ? '' : ` (${pct(t.yieldUplift.merchantsPct)} for the merchants, on their lower base)`) +
      `: ${t.yieldUplift.reproduced ? 'reproduced' : 'NOT reproduced'}`,
  );
  if (t.instantCapacityUplift.simulatedPct !== null) {
    out.push(
      `thesis: "T+0 ceiling raised by more than 500 %" -> simulated ${pct(t.instantCapacityUplift.simulatedPct, 0)} over the whole period` +
        ` (${t.instantCapacityUplift.byCap.map((r) => `${pct(r.upliftPct, 0)} under the ${num(r.capCny)} CNY cap`).join(', ')}): ` +
        `${t.instantCapacityUplift.reproduced ? 'reproduced' : 'NOT reproduced over the whole period'}; that figure measures merchant size against the cap, ` +
        `not liquidity: IIMMF paid ${share(t.instantCapacityUplift.paidAtOnceShare!.iimmf)} of the withdrawals at once, holding fund 0 ${share(t.instantCapacityUplift.paidAtOnceShare!.holdOne)}`,
    );
  }
  out.push('every figure above is from simulated data (src/ml/market); see docs/backtest.md for why the uplifts are what they are');
  return out.join('\n');
}

const spread = (s: SeedSpread, format: (v: number) => string) => `${format(s.median)} [${format(s.p10)}, ${format(s.p90)}]`;

export function formatMultiSeedReport(report: MultiSeedReport): string {
  const seeds = report.seeds;
  const out: string[] = [];
  out.push(`IFW backtest over ${seeds.length} seeds of a SIMULATED market: not real fund or merchant data`);
  out.push(
    `seeds ${String(seeds[0])} to ${String(seeds[seeds.length - 1])}; evaluated ${report.evaluation.from} to ${report.evaluation.to} (${num(report.evaluation.days)} days), ` +
      `${report.funds} funds, fund 0 = Yu'E Bao proxy; ${report.population}; the investor ${num(report.investorCny)} CNY`,
  );
  out.push(...runConventions(report));
  out.push(`each figure: ${report.spread}, written median [p10, p90]`);
  for (const q of report.fundZeroQuantiles) out.push('', ...formatQuantileSummary(report.byFundZeroQuantile[String(q)]!, report));
  if (report.demandBounds) out.push('', ...formatBoundCoverage(report.demandBounds));
  out.push('every figure above is from simulated data (src/ml/market); see docs/backtest.md for what they mean');
  return out.join('\n');
}

function formatQuantileSummary(summary: FundZeroQuantileSummary, report: MultiSeedReport): string[] {
  const out: string[] = [`fund 0 at quantile ${summary.fundZeroQuantile} of the funds`];
  const rows = [
    ...summary.strategies.map((s) => ({ ...s, ceilingShare: s.ceilingShare as SeedSpread | null })),
    ...summary.nonForecastRules.map((r) => ({ ...r, label: `rule: ${r.label}` })),
    { ...summary.ceiling, ceilingShare: null },
  ];
  out.push(
    table(
      ['single investor', 'uplift over fund 0', 'bp a year', 'share of the ceiling'],
      rows.map((r) => [r.label, spread(r.yieldUpliftPct, (v) => pct(v)), spread(r.yieldUpliftBpPerYear, (v) => signed(v, 1)), r.ceilingShare ? spread(r.ceilingShare, share) : '—']),
    ),
  );
  out.push(`hold fund 0 yields ${spread(summary.holdOneYieldPct, (v) => `${v.toFixed(3)} %`)} a year; the elastic net forecasts ${spread(summary.yieldForecastSkillPct, (v) => `${v.toFixed(1)} %`)} better than "tomorrow = today"`);
  out.push(`best non-forecast rule (by median uplift): ${summary.bestNonForecastRule.name}, ${pct(summary.bestNonForecastRule.yieldUpliftPct)}`);
  if (summary.liquidity && report.merchants) {
    out.push('');
    out.push(`${report.merchants.merchantsPerSeed} merchants on each of ${report.merchants.seeds.length} seeds; yield given up against: ${summary.liquidity.yieldGivenUpAgainst}`);
    out.push(
      table(
        ['merchants', 'yield uplift', 'given up, bp a year', 'paid at once', 'days covered', 'unmet, CNY per merchant-year'],
        summary.liquidity.strategies.map((s) => [
          s.label,
          spread(s.yieldUpliftPct, (v) => pct(v)),
          spread(s.yieldGivenUpBpPerYear, (v) => v.toFixed(1)),
          spread(s.paidAtOnceShare, share),
          spread(s.daysCoveredShare, share),
          spread(s.unmetInstantCnyPerMerchantYear, (v) => num(v)),
        ]),
      ),
    );
  }
  return out;
}
