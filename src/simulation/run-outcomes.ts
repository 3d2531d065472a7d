import type { EventStore } from '../eventstore';
import { type FundEvent, fundStream } from '../domain/fund/fund.decider';
import type { IsoDate } from '../domain/iso-date';
import { toDomainEvent } from '../api/commands/stored-aggregate';
import { PROCESS_ENGINE_LIMITS, type ProcessEngine } from '../processes/engine';
import type { ProductSession } from './product-session';
import type { SimulatedMerchant } from './simulated-merchant';
import { fenOfFormatted } from '../domain/money';

/** Pages of instances read at most per model: 200 × 5,000 = a million instances. */
const MAX_INSTANCE_PAGES = 5_000;

/** How a model's instances ended, by the id of their end event, and how many have not ended (waiting or at an incident). */
export interface ProcessOutcomes {
  started: number;
  ended: Record<string, number>;
  active: number;
  incident: number;
}

export async function processOutcomes(engine: ProcessEngine, bpmnProcessId: string): Promise<ProcessOutcomes> {
  const outcomes: ProcessOutcomes = { started: 0, ended: {}, active: 0, incident: 0 };
  let after: string | undefined;
  for (let page = 0; page < MAX_INSTANCE_PAGES; page++) {
    const { instances, next } = await engine.instances({ bpmnProcessId, limit: PROCESS_ENGINE_LIMITS.maxPageSize, ...(after !== undefined && { after }) });
    for (const summary of instances) {
      outcomes.started += 1;
      if (summary.state === 'active') outcomes.active += 1;
      else if (summary.state === 'incident') outcomes.incident += 1;
      else {
        const end = (await engine.instance(summary.instanceId))?.history.at(-1)?.elementId ?? summary.state;
        outcomes.ended[end] = (outcomes.ended[end] ?? 0) + 1;
      }
    }
    if (next === undefined) return outcomes;
    after = next;
  }
  throw new Error(`more than ${MAX_INSTANCE_PAGES * PROCESS_ENGINE_LIMITS.maxPageSize} instances of ${bpmnProcessId}`);
}

/** The next day's instant capacity of a group of merchants: spread over their funds as they are, and were all of it in one fund. */
export interface InstantCapacity {
  merchants: number;
  /** Σ over merchants and funds of the smaller of the holding and the per-fund cap. */
  acrossFundsFen: bigint;
  /** Σ over merchants of the smaller of the whole holding and one fund's cap. */
  oneFundFen: bigint;
}

export async function instantCapacity(session: ProductSession, merchants: readonly SimulatedMerchant[], capFen: bigint, atPosition: bigint): Promise<InstantCapacity> {
  const capacity: InstantCapacity = { merchants: merchants.length, acrossFundsFen: 0n, oneFundFen: 0n };
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  for (const merchant of merchants) {
    const view = await session.wallet(merchant.actor.walletId, atPosition);
    let totalFen = 0n;
    for (const holding of view.holdings) {
      const holdingFen = fenOfFormatted(holding.holding);
      capacity.acrossFundsFen += min(holdingFen, capFen);
      totalFen += holdingFen;
    }
    capacity.oneFundFen += min(totalFen, capFen);
  }
  return capacity;
}

export type Distribution = Extract<FundEvent, { type: 'IncomeDistributed' }>['data'];

/** A fund's income distributions of the days from `from` on, as the day closes booked them in its stream. */
export async function fundDistributions(store: EventStore, fundCode: string, from: IsoDate): Promise<Distribution[]> {
  const distributions: Distribution[] = [];
  for await (const recorded of store.readStream(fundStream(fundCode))) {
    if (recorded.type !== 'IncomeDistributed') continue;
    const { data } = toDomainEvent<Extract<FundEvent, { type: 'IncomeDistributed' }>>(recorded);
    if (data.date >= from) distributions.push(data);
  }
  return distributions;
}
