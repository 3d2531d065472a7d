/**
 * IIMMF: the intelligent investment model for money funds. For one wallet, choose how much of its balance
 * to hold in each money-market fund so that forecast income over a horizon is as high as possible, while
 * the daily instant (T+0) redemption capacity covers the upper prediction bound of the merchant's
 * withdrawals, and a switch between funds is made only when it pays for the income lost while the
 * purchase is unconfirmed. The model, its linearisation and the rounding are written out in docs/iimmf.md.
 *
 * Money is bigint fen at the boundary; the LP works on fen as doubles (all amounts are integers below
 * 10^15 < 2^53, so they are exact as doubles) and its solution is apportioned back to integer fen that
 * sum exactly to the balance.
 */
import type { Highs, ModelData, RawModelApi } from 'highs';
import { MAX_AMOUNT_FEN, formatFen } from '../../domain/money';
import { loadHighs } from './highs-runtime';

/** An amount of fen: a bigint, or a safe integer number (converted at the boundary). */
export type FenInput = bigint | number;

export interface FundInput {
  /** The fund's code, e.g. '000198'. Unique within one input. */
  readonly code: string;
  /** Forecast daily income per 10,000 shares (万份收益) in CNY, e.g. 0.274 ≈ 1 % a year. May be negative. */
  readonly forecastPerTenK: number;
  /** What the wallet holds in this fund now (confirmed shares, in fen: 1 share = 1.00 CNY = 100 fen). */
  readonly currentFen: FenInput;
  /** Per-fund limit on the holding (a purchase limit or a concentration rule); none when absent. */
  readonly maxFen?: FenInput;
  /** This investor's instant-redemption cap in this fund for one day (10,000 CNY = 1,000,000 fen since 2018-06-01). */
  readonly instantCapFen: FenInput;
}

export interface AllocationInput {
  /** The wallet's balance to place across the funds. */
  readonly balanceFen: FenInput;
  readonly funds: readonly FundInput[];
  /**
   * Upper prediction bound of the merchant's withdrawals for the next day. A number may be fractional (a
   * forecast): it is rounded up to whole fen; a negative bound counts as zero.
   */
  readonly demandUpperFen: FenInput;
  /** Calendar days over which income is counted (income accrues every calendar day), e.g. 7 or 30. */
  readonly horizonDays: number;
  /**
   * Days of income lost by money moved into a fund before the purchase is confirmed (default 1: confirmed
   * the next business day; 3 for a Friday purchase confirmed on Monday). Capped at horizonDays.
   */
  readonly switchCostDays?: number;
}

export interface FundAllocation {
  readonly code: string;
  /** The amount to hold in this fund. */
  readonly amountFen: bigint;
  /** amountFen − currentFen: positive is a purchase, negative a redemption. */
  readonly changeFen: bigint;
  /** min(amountFen, instantCapFen): this fund's share of the instant capacity once purchases are confirmed. */
  readonly instantCapacityFen: bigint;
}

/**
 * 'optimal': the whole balance is placed and the demand bound is covered, tomorrow and after.
 * 'shortfall': the best allocation leaves part of the demand bound uncovered (shortfallFen > 0).
 * 'over-limits': the per-fund limits cannot hold the whole balance; the rest is left unallocated.
 */
export type AllocationStatus = 'optimal' | 'shortfall' | 'over-limits';

export interface AllocationResult {
  readonly status: AllocationStatus;
  /** One entry per input fund, in input order. Σ amountFen + unallocatedFen = balanceFen exactly. */
  readonly allocation: readonly FundAllocation[];
  /** The part of the balance the per-fund limits cannot hold (0 unless status is 'over-limits'). */
  readonly unallocatedFen: bigint;
  /** Forecast income of the new allocation over the horizon, net of the switching cost, to the nearest fen. */
  readonly expectedIncomeFen: bigint;
  /** Forecast income over the horizon of the current holdings, kept as they are. */
  readonly baselineIncomeFen: bigint;
  /** expectedIncomeFen − baselineIncomeFen. Negative only when covering the demand bound costs income. */
  readonly expectedGainFen: bigint;
  /** Income lost while purchases are unconfirmed (included in expectedIncomeFen). */
  readonly switchCostFen: bigint;
  /** Σ of purchases (positive changes). */
  readonly movedFen: bigint;
  /** Σ min(amount_i, cap_i): instant capacity per day once the purchases are confirmed. */
  readonly instantCapacityFen: bigint;
  /** Σ min(amount kept from current holdings_i, cap_i): instant capacity tomorrow (confirmed holdings only). */
  readonly instantCapacityTomorrowFen: bigint;
  /** Σ min(current_i, cap_i): instant capacity of the current holdings. */
  readonly currentInstantCapacityFen: bigint;
  /** max(0, demand − instantCapacityTomorrowFen): the part of tomorrow's demand bound not covered; 0 when covered. */
  readonly shortfallFen: bigint;
  /** max(0, demand − instantCapacityFen): the part not covered even once the purchases are confirmed. */
  readonly shortfallConfirmedFen: bigint;
  /** The constraints that shaped the allocation, in words. */
  readonly binding: readonly string[];
  /** One paragraph for a person: what to do, what it earns, what it covers. */
  readonly explanation: string;
  /** The LP's optimal objective in fen (income − switching cost − tie-break − penalty × shortfall), before rounding. */
  readonly lpObjective: number;
}

/** Penalty per fen of shortfall, as a multiple of the largest per-fen income or cost coefficient (see docs/iimmf.md). */
export const SHORTFALL_PENALTY_FACTOR = 100;
/** Tie-break cost per fen moved, as a multiple of the same scale: among equal incomes, move the least. */
export const CHURN_TIE_BREAK_FACTOR = 1e-6;

interface Prepared {
  readonly n: number;
  readonly codes: readonly string[];
  readonly balance: bigint;
  readonly target: bigint; // balance − unallocated: what the funds must hold in total
  readonly unallocated: bigint;
  readonly current: readonly bigint[];
  readonly upper: readonly bigint[]; // min(maxFen, target)
  readonly limited: readonly boolean[]; // a maxFen was given and is below the target
  readonly cap: readonly bigint[];
  readonly demand: bigint;
  readonly horizonDays: number;
  readonly lostDays: number;
  /** Income per fen held over the horizon. */
  readonly gain: readonly number[];
  /** Income lost per fen bought (confirmation delay). */
  readonly switchCost: readonly number[];
  /** Normalisation: the largest per-fen coefficient (> 0). */
  readonly scale: number;
}

export class IimmfInputError extends RangeError {
  readonly code = 'INVALID_IIMMF_INPUT';
}

function toFen(value: FenInput, what: string): bigint {
  let fen: bigint;
  if (typeof value === 'bigint') fen = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) fen = BigInt(value);
  else throw new IimmfInputError(`${what} must be a bigint or a safe integer number of fen, got ${String(value)}`);
  if (fen < 0n) throw new IimmfInputError(`${what} must not be negative, got ${fen}`);
  if (fen > MAX_AMOUNT_FEN) throw new IimmfInputError(`${what} must be at most ${MAX_AMOUNT_FEN} fen, got ${fen}`);
  return fen;
}

function demandToFen(value: FenInput): bigint {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new IimmfInputError(`demandUpperFen must be finite, got ${value}`);
    const fen = Math.max(0, Math.ceil(value));
    return fen > Number(MAX_AMOUNT_FEN) ? MAX_AMOUNT_FEN : BigInt(fen);
  }
  if (typeof value !== 'bigint') throw new IimmfInputError(`demandUpperFen must be a bigint or a number, got ${String(value)}`);
  if (value < 0n) return 0n;
  return value > MAX_AMOUNT_FEN ? MAX_AMOUNT_FEN : value;
}

const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

function prepare(input: AllocationInput): Prepared {
  if (input === null || typeof input !== 'object') throw new IimmfInputError('input must be an object');
  const balance = toFen(input.balanceFen, 'balanceFen');
  if (!Array.isArray(input.funds)) throw new IimmfInputError('funds must be an array');
  const horizonDays = input.horizonDays;
  if (typeof horizonDays !== 'number' || !Number.isFinite(horizonDays) || horizonDays <= 0) {
    throw new IimmfInputError(`horizonDays must be a positive number, got ${String(horizonDays)}`);
  }
  const switchDays = input.switchCostDays ?? 1;
  if (typeof switchDays !== 'number' || !Number.isFinite(switchDays) || switchDays < 0) {
    throw new IimmfInputError(`switchCostDays must be a number ≥ 0, got ${String(switchDays)}`);
  }
  const lostDays = Math.min(switchDays, horizonDays);
  const demand = demandToFen(input.demandUpperFen);

  const seen = new Set<string>();
  const codes: string[] = [];
  const current: bigint[] = [];
  const rawUpper: bigint[] = [];
  const given: boolean[] = [];
  const cap: bigint[] = [];
  const perTenK: number[] = [];
  for (const [i, fund] of input.funds.entries()) {
    if (fund === null || typeof fund !== 'object') throw new IimmfInputError(`funds[${i}] must be an object`);
    if (typeof fund.code !== 'string' || fund.code === '') throw new IimmfInputError(`funds[${i}].code must be a non-empty string`);
    if (seen.has(fund.code)) throw new IimmfInputError(`fund ${fund.code} appears twice`);
    seen.add(fund.code);
    if (typeof fund.forecastPerTenK !== 'number' || !Number.isFinite(fund.forecastPerTenK)) {
      throw new IimmfInputError(`fund ${fund.code}: forecastPerTenK must be a finite number, got ${String(fund.forecastPerTenK)}`);
    }
    codes.push(fund.code);
    perTenK.push(fund.forecastPerTenK);
    current.push(toFen(fund.currentFen, `fund ${fund.code}: currentFen`));
    cap.push(toFen(fund.instantCapFen, `fund ${fund.code}: instantCapFen`));
    given.push(fund.maxFen !== undefined);
    rawUpper.push(fund.maxFen === undefined ? balance : minBig(toFen(fund.maxFen, `fund ${fund.code}: maxFen`), balance));
  }
  const room = rawUpper.reduce((sum, u) => sum + u, 0n);
  const unallocated = maxBig(0n, balance - room);
  const target = balance - unallocated;
  const upper = rawUpper.map((u) => minBig(u, target));

  const maxAbsRate = perTenK.reduce((m, p) => Math.max(m, Math.abs(p)), 0);
  // Per fen: a holding of h fen earns h × perTenK / 10,000 fen a day (h/100 shares × perTenK/10,000 CNY × 100).
  const gain = perTenK.map((p) => (p * horizonDays) / 10_000);
  // Only a positive rate is lost while unconfirmed: for a negative forecast the cost is taken as 0, not as a
  // gain, else the LP could book phantom purchases (see docs/iimmf.md).
  const switchCost = perTenK.map((p) => (Math.max(p, 0) * lostDays) / 10_000);
  const scale = ((maxAbsRate > 0 ? maxAbsRate : 1) * (horizonDays + lostDays)) / 10_000;

  return {
    n: codes.length,
    codes,
    balance,
    target,
    unallocated,
    current,
    upper,
    limited: given.map((g, i) => g && upper[i]! < target),
    cap,
    demand,
    horizonDays,
    lostDays,
    gain,
    switchCost,
    scale,
  };
}

/** Column and row layout of the LP for n funds (see docs/iimmf.md). */
const col = {
  x: (_n: number, i: number) => i, // amount in fund i
  b: (n: number, i: number) => n + i, // bought into fund i (unconfirmed tomorrow)
  t: (n: number, i: number) => 2 * n + i, // instant capacity of fund i counted tomorrow
  c: (n: number, i: number) => 3 * n + i, // instant capacity of fund i once purchases are confirmed
  s1: (n: number) => 4 * n, // shortfall tomorrow
  s2: (n: number) => 4 * n + 1, // shortfall once confirmed
};
const row = {
  buy: (_n: number, i: number) => i, //        x_i − b_i ≤ current_i
  tomorrow: (n: number, i: number) => n + i, // t_i − x_i + b_i ≤ 0
  confirmed: (n: number, i: number) => 2 * n + i, // c_i − x_i ≤ 0
  sum: (n: number) => 3 * n, //                 Σ x_i = target
  demandTomorrow: (n: number) => 3 * n + 1, //  Σ t_i + s1 ≥ demand
  demandConfirmed: (n: number) => 3 * n + 2, // Σ c_i + s2 ≥ demand
};

function buildModel(p: Prepared, highs: Highs): ModelData {
  const { n } = p;
  const numCols = 4 * n + 2;
  const numRows = 3 * n + 3;
  const cost = new Float64Array(numCols);
  const lower = new Float64Array(numCols);
  const upper = new Float64Array(numCols);
  const tau = CHURN_TIE_BREAK_FACTOR; // already in units of scale
  const demand = Number(p.demand);
  for (let i = 0; i < n; i++) {
    const u = Number(p.upper[i]!);
    const cap = Number(p.cap[i]!);
    cost[col.x(n, i)] = p.gain[i]! / p.scale;
    upper[col.x(n, i)] = u;
    cost[col.b(n, i)] = -(p.switchCost[i]! / p.scale + tau);
    upper[col.b(n, i)] = u;
    upper[col.t(n, i)] = Math.min(cap, Number(p.current[i]!), u);
    upper[col.c(n, i)] = Math.min(cap, u);
  }
  cost[col.s1(n)] = -SHORTFALL_PENALTY_FACTOR;
  cost[col.s2(n)] = -SHORTFALL_PENALTY_FACTOR;
  upper[col.s1(n)] = demand;
  upper[col.s2(n)] = demand;

  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  const starts = new Int32Array(numRows + 1);
  const nnz = 2 * n + 3 * n + 2 * n + n + 2 * (n + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  let r = 0;
  const put = (column: number, value: number) => {
    indices[k] = column;
    values[k] = value;
    k++;
  };
  const close = (lo: number, hi: number) => {
    rowLower[r] = lo;
    rowUpper[r] = hi;
    r++;
    starts[r] = k;
  };
  for (let i = 0; i < n; i++) {
    put(col.x(n, i), 1);
    put(col.b(n, i), -1);
    close(-highs.infinity, Number(p.current[i]!));
  }
  for (let i = 0; i < n; i++) {
    put(col.x(n, i), -1);
    put(col.b(n, i), 1);
    put(col.t(n, i), 1);
    close(-highs.infinity, 0);
  }
  for (let i = 0; i < n; i++) {
    put(col.x(n, i), -1);
    put(col.c(n, i), 1);
    close(-highs.infinity, 0);
  }
  for (let i = 0; i < n; i++) put(col.x(n, i), 1);
  close(Number(p.target), Number(p.target));
  for (let i = 0; i < n; i++) put(col.t(n, i), 1);
  put(col.s1(n), 1);
  close(demand, highs.infinity);
  for (let i = 0; i < n; i++) put(col.c(n, i), 1);
  put(col.s2(n), 1);
  close(demand, highs.infinity);

  return {
    numCols,
    numRows,
    sense: highs.constants.objectiveSense.maximize,
    colCost: cost,
    colLower: lower,
    colUpper: upper,
    rowLower,
    rowUpper,
    matrix: { format: 'csr', numRows, numCols, starts, indices, values },
  };
}

/**
 * Apportions real amounts to integer fen summing exactly to `target`, each within [0, upper_i]: floor each
 * amount (after snapping values within 1e-4 fen of an integer, which removes solver noise), then hand the
 * missing fen one at a time to the largest fractional parts (Hamilton / largest-remainder). Every amount
 * moves by less than one fen from the LP's value when the LP's amounts sum to `target`; any excess from
 * solver tolerance is absorbed in a final pass that respects the bounds. Requires Σ upper_i ≥ target.
 */
export function apportionFen(amounts: ArrayLike<number>, upper: readonly bigint[], target: bigint): bigint[] {
  const n = upper.length;
  const floors: bigint[] = [];
  const fractions: number[] = [];
  for (let i = 0; i < n; i++) {
    const value = amounts[i]!;
    const nearest = Math.round(value);
    const snapped = Math.abs(value - nearest) < 1e-4 ? nearest : value;
    let f = BigInt(Math.floor(Math.max(0, snapped)));
    if (f > upper[i]!) f = upper[i]!;
    floors.push(f);
    fractions.push(snapped - Number(f));
  }
  let rest = target - floors.reduce((s, f) => s + f, 0n);
  if (rest === 0n) return floors;
  const order = [...floors.keys()].sort((a, b) => (rest > 0n ? fractions[b]! - fractions[a]! : fractions[a]! - fractions[b]!) || a - b);
  // One fen each, by fractional part.
  for (const i of order) {
    if (rest > 0n && floors[i]! < upper[i]!) {
      floors[i]!++;
      rest--;
    } else if (rest < 0n && floors[i]! > 0n) {
      floors[i]!--;
      rest++;
    }
    if (rest === 0n) return floors;
  }
  // Only reached when the solver's amounts were off by more than n fen in total: bulk, in the same order.
  for (const i of order) {
    if (rest > 0n) {
      const add = minBig(rest, upper[i]! - floors[i]!);
      floors[i]! += add;
      rest -= add;
    } else if (rest < 0n) {
      const take = minBig(-rest, floors[i]!);
      floors[i]! -= take;
      rest += take;
    }
  }
  if (rest !== 0n) throw new Error(`apportionFen: cannot place ${rest} fen within the bounds`);
  return floors;
}

interface LpSolution {
  readonly colValue: ArrayLike<number>;
  readonly rowDual: ArrayLike<number>;
}

const DUAL_TOLERANCE = 1e-9;

function cny(fen: bigint): string {
  return formatFen(fen);
}

function perTenThousandCny(perFen: number): string {
  // per fen × 1,000,000 fen (10,000 CNY) = fen per 10,000 CNY; shown in CNY.
  return (perFen * 10_000).toFixed(2);
}

function finish(p: Prepared, lp: LpSolution): AllocationResult {
  const { n } = p;
  const amounts = apportionFen(
    Array.from({ length: n }, (_, i) => lp.colValue[col.x(n, i)]!),
    p.upper,
    p.target,
  );

  // Forecast rates are estimates in doubles; they are fixed to RATE_SCALE units per fen once, and everything
  // after that is integer arithmetic on the bigint amounts, rounded to the fen once at the end.
  let incomeScaled = 0n;
  let baselineScaled = 0n;
  let switchCostScaled = 0n;
  let moved = 0n;
  let capacity = 0n;
  let capacityTomorrow = 0n;
  let currentCapacity = 0n;
  const allocation: FundAllocation[] = [];
  for (let i = 0; i < n; i++) {
    const amount = amounts[i]!;
    const current = p.current[i]!;
    const cap = p.cap[i]!;
    const bought = maxBig(0n, amount - current);
    const kept = minBig(amount, current);
    const gain = scaledRate(p.gain[i]!);
    incomeScaled += gain * amount;
    baselineScaled += gain * current;
    switchCostScaled += scaledRate(p.switchCost[i]!) * bought;
    moved += bought;
    const fundCapacity = minBig(amount, cap);
    capacity += fundCapacity;
    capacityTomorrow += minBig(kept, cap);
    currentCapacity += minBig(current, cap);
    allocation.push({ code: p.codes[i]!, amountFen: amount, changeFen: amount - current, instantCapacityFen: fundCapacity });
  }
  const expectedIncomeFen = roundScaled(incomeScaled - switchCostScaled);
  const baselineIncomeFen = roundScaled(baselineScaled);
  const switchCostFen = roundScaled(switchCostScaled);
  const shortfallFen = maxBig(0n, p.demand - capacityTomorrow);
  const shortfallConfirmedFen = maxBig(0n, p.demand - capacity);

  // The LP's own objective in fen, from its (unrounded) solution.
  let lpObjective = 0;
  const tau = CHURN_TIE_BREAK_FACTOR * p.scale;
  const penalty = SHORTFALL_PENALTY_FACTOR * p.scale;
  for (let i = 0; i < n; i++) {
    lpObjective += p.gain[i]! * lp.colValue[col.x(n, i)]! - (p.switchCost[i]! + tau) * lp.colValue[col.b(n, i)]!;
  }
  if (n > 0) lpObjective -= penalty * (lp.colValue[col.s1(n)]! + lp.colValue[col.s2(n)]!);
  else lpObjective -= penalty * 2 * Number(p.demand);

  const binding: string[] = [];
  if (p.unallocated > 0n) binding.push(`per-fund limits: they hold ${cny(p.target)} CNY of the ${cny(p.balance)} CNY balance; ${cny(p.unallocated)} CNY stays unallocated`);
  for (let i = 0; i < n; i++) {
    if (p.limited[i] && amounts[i] === p.upper[i]) binding.push(`per-fund limit of ${cny(p.upper[i]!)} CNY on fund ${p.codes[i]}`);
  }
  const tomorrowBinds = p.demand > 0n && (shortfallFen > 0n || (n > 0 && Math.abs(lp.rowDual[row.demandTomorrow(n)]!) > DUAL_TOLERANCE));
  const confirmedBinds = p.demand > 0n && (shortfallConfirmedFen > 0n || (n > 0 && Math.abs(lp.rowDual[row.demandConfirmed(n)]!) > DUAL_TOLERANCE));
  if (tomorrowBinds) {
    binding.push(
      `demand cover tomorrow: confirmed holdings give ${cny(capacityTomorrow)} CNY of instant capacity for a demand bound of ${cny(p.demand)} CNY` +
        (shortfallFen > 0n ? ` (short by ${cny(shortfallFen)} CNY)` : ''),
    );
  }
  if (confirmedBinds) {
    binding.push(
      `demand cover: ${cny(capacity)} CNY of instant capacity once purchases are confirmed, for a demand bound of ${cny(p.demand)} CNY` +
        (shortfallConfirmedFen > 0n ? ` (short by ${cny(shortfallConfirmedFen)} CNY)` : ''),
    );
  }
  for (let i = 0; i < n; i++) {
    const cap = p.cap[i]!;
    if (cap === 0n) continue;
    const atCapConfirmed = confirmedBinds && amounts[i]! >= cap;
    const atCapTomorrow = tomorrowBinds && minBig(amounts[i]!, p.current[i]!) >= cap;
    if (atCapConfirmed || atCapTomorrow) binding.push(`fund ${p.codes[i]} at its instant cap of ${cny(cap)} CNY/day`);
  }
  // Money left where it was although a better fund had room: the switch would not pay for itself.
  const reported = new Set<string>();
  for (let j = 0; j < n; j++) {
    if (minBig(amounts[j]!, p.current[j]!) === 0n) continue;
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (i !== j && amounts[i]! < p.upper[i]! && p.gain[i]! > p.gain[j]! && (best < 0 || p.gain[i]! > p.gain[best]!)) best = i;
    }
    if (best < 0) continue;
    const extra = p.gain[best]! - p.gain[j]!;
    if (extra > p.switchCost[best]!) continue;
    const key = `${j}>${best}`;
    if (reported.has(key)) continue;
    reported.add(key);
    binding.push(
      `switch cost: moving from fund ${p.codes[j]} to fund ${p.codes[best]} would earn ${perTenThousandCny(extra)} CNY more per 10,000 CNY over ${p.horizonDays} days but lose ${perTenThousandCny(p.switchCost[best]!)} CNY while unconfirmed`,
    );
  }

  const status: AllocationStatus = p.unallocated > 0n ? 'over-limits' : shortfallFen > 0n ? 'shortfall' : 'optimal';
  const expectedGainFen = expectedIncomeFen - baselineIncomeFen;
  const moves = allocation
    .filter((a) => a.changeFen !== 0n)
    .map((a) => `${a.changeFen > 0n ? 'buy' : 'redeem'} ${cny(a.changeFen > 0n ? a.changeFen : -a.changeFen)} CNY of ${a.code}`);
  const explanation = [
    moves.length === 0 ? 'Keep the current allocation.' : `${moves.join(', ').replace(/^./, (c) => c.toUpperCase())}.`,
    `Expected income over ${p.horizonDays} days: ${cny(expectedIncomeFen)} CNY` +
      (switchCostScaled > 0n ? ` after ${cny(switchCostFen)} CNY lost while purchases are unconfirmed` : '') +
      `, ${expectedGainFen >= 0n ? '+' : ''}${cny(expectedGainFen)} CNY against keeping the current allocation.`,
    `Instant capacity: ${cny(capacity)} CNY/day once purchases are confirmed (${cny(currentCapacity)} now, ${cny(capacityTomorrow)} tomorrow) against a demand bound of ${cny(p.demand)} CNY.`,
    shortfallFen > 0n ? `Tomorrow's demand bound is short by ${cny(shortfallFen)} CNY${shortfallConfirmedFen > 0n ? `, and by ${cny(shortfallConfirmedFen)} CNY even once purchases are confirmed` : ''}.` : '',
    p.unallocated > 0n ? `${cny(p.unallocated)} CNY cannot be placed within the per-fund limits.` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');

  return {
    status,
    allocation,
    unallocatedFen: p.unallocated,
    expectedIncomeFen,
    baselineIncomeFen,
    expectedGainFen,
    switchCostFen,
    movedFen: moved,
    instantCapacityFen: capacity,
    instantCapacityTomorrowFen: capacityTomorrow,
    currentInstantCapacityFen: currentCapacity,
    shortfallFen,
    shortfallConfirmedFen,
    binding,
    explanation,
    lpObjective,
  };
}

const MODEL_STATUS_OPTIMAL = 7;

/** Simplex without presolve is the fastest for these small LPs; the fallbacks are tried only when it fails. */
const DEFAULT_SETTINGS = { presolve: 'off', solver: 'simplex' } as const;
const FALLBACK_SETTINGS = [
  { presolve: 'on', solver: 'simplex' },
  { presolve: 'on', solver: 'ipm' },
] as const;

/**
 * One HiGHS instance, one persistent native model reused for every wallet: each solve replaces the LP
 * (passLp) and clears the previous basis, so results do not depend on the order of the wallets.
 * Synchronous and not reentrant; create one per worker thread if you parallelise.
 */
export class IimmfOptimiser {
  private readonly model: RawModelApi;

  constructor(private readonly highs: Highs) {
    this.model = highs.raw.createModel();
    this.configure({ output_flag: false, ...DEFAULT_SETTINGS });
  }

  private configure(options: Readonly<Record<string, boolean | string>>): void {
    for (const [name, value] of Object.entries(options)) {
      if (this.model.setOptionValue(name, value).status === this.highs.constants.status.error) throw new Error(`HiGHS rejected option ${name}=${String(value)}`);
    }
  }

  optimise(input: AllocationInput): AllocationResult {
    const p = prepare(input);
    if (p.n === 0) return finish(p, { colValue: [], rowDual: [] });
    const lp = buildModel(p, this.highs);
    let outcome = this.solve(lp);
    // The simplex without presolve sometimes ends this bounded LP as "unbounded" once amounts reach billions
    // of fen; the same LP then solves with presolve, or with the interior-point method. Both cost time per LP,
    // so they are only the fallbacks.
    for (const fallback of FALLBACK_SETTINGS) {
      if (outcome.ok) break;
      this.configure(fallback);
      try {
        outcome = this.solve(lp);
      } finally {
        this.configure(DEFAULT_SETTINGS);
      }
    }
    if (!outcome.ok) {
      // Cannot happen for a well-formed input (the LP is always feasible and bounded); report, don't guess.
      throw new Error(`HiGHS ended the IIMMF solve with model status ${outcome.status}`);
    }
    return finish(p, outcome.value);
  }

  private solve(lp: ReturnType<typeof buildModel>): { ok: true; value: Parameters<typeof finish>[1] } | { ok: false; status: number } {
    const model = this.model;
    model.clearSolver();
    if (model.passLp(lp).status === this.highs.constants.status.error) throw new Error('HiGHS rejected the IIMMF model');
    model.run();
    const status = model.getModelStatus();
    const solution = model.getSolution();
    return status === MODEL_STATUS_OPTIMAL && solution.status !== this.highs.constants.status.error ? { ok: true, value: solution.value } : { ok: false, status };
  }

  optimiseMany(inputs: readonly AllocationInput[]): AllocationResult[] {
    return inputs.map((input, index) => {
      try {
        return this.optimise(input);
      } catch (error) {
        if (error instanceof IimmfInputError) throw new IimmfInputError(`wallet ${index}: ${error.message}`);
        throw error;
      }
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}

export async function createOptimiser(): Promise<IimmfOptimiser> {
  return new IimmfOptimiser(await loadHighs());
}

let shared: Promise<IimmfOptimiser> | undefined;
function sharedOptimiser(): Promise<IimmfOptimiser> {
  shared ??= createOptimiser().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/** Optimises one wallet on the process-wide optimiser (HiGHS loaded once). */
export async function optimiseAllocation(input: AllocationInput): Promise<AllocationResult> {
  return (await sharedOptimiser()).optimise(input);
}

/** Optimises many wallets on the process-wide optimiser; results are in input order. */
export async function optimiseMany(inputs: readonly AllocationInput[]): Promise<AllocationResult[]> {
  return (await sharedOptimiser()).optimiseMany(inputs);
}

/** Forecast rates per fen are kept to 10^-12 fen: far finer than any forecast, and exact in bigint from then on. */
const RATE_SCALE = 1_000_000_000_000n;

function scaledRate(ratePerFen: number): bigint {
  return BigInt(Math.round(ratePerFen * Number(RATE_SCALE)));
}

/** A sum in RATE_SCALE units of a fen, rounded to the nearest fen (halves away from zero). */
function roundScaled(scaled: bigint): bigint {
  const half = RATE_SCALE / 2n;
  return scaled >= 0n ? (scaled + half) / RATE_SCALE : -((-scaled + half) / RATE_SCALE);
}
