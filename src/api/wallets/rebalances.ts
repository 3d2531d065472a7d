import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EventStore, canonicalJson } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import { OperateRequiredError, type ProcessEngine } from '../../processes/engine';
import { FUND_SWITCH_PROCESS, type FundSwitchVariables } from '../processes/fund-switch-workers';
import { startKeyed } from '../processes/keyed-start';
import { walletProcessKey } from '../processes/wallet-process-keys';
import { type CommandContext, newId } from '../commands/command-context';
import { EVENT_STORE } from '../event-store.module';
import { loadFund } from '../funds/fund-loader';
import { HttpProblem } from '../http/problem';
import { PROCESS_ENGINE } from '../processes/process-engine.token';
import { loadPosition } from './position-loader';
import { requireTierMayBuyFunds } from '../../domain/wallet/wallet.decider';
import { BusinessCalendar } from '../calendar/business-calendar';
import { loadOpenWallet } from './wallet-loader';

export interface FundSwitchRequest {
  fromFund: string;
  toFund: string;
  amountFen: Fen;
}

export type RebalanceBody = { processId: string; processes: { processId: string; fromFund: string; toFund: string; amount: string }[] };

/**
 * Starts one fund switch per requested switch, after checking them all: both funds registered and different,
 * and no more taken out of a fund than the wallet's confirmed holding of it. Nothing starts unless every
 * switch passes. With an Idempotency-Key the switches' business keys derive from it, so a repeat starts nothing;
 * every switch carries a digest of the whole request, so a repeat that completes a request cut short starts
 * the rest, and another request under the same key is refused at its first switch.
 */
@Injectable()
export class Rebalances {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
    private readonly calendar: BusinessCalendar,
  ) {}

  async start(context: CommandContext, walletId: string, switches: readonly FundSwitchRequest[]): Promise<RebalanceBody> {
    const { state: wallet } = await loadOpenWallet(this.store, walletId);
    // A switch ends in a purchase: a tier that may not buy funds is refused before any money moves.
    requireTierMayBuyFunds(wallet, (await this.calendar.today()).ruleSet);
    const businessKey = (index: number) => walletProcessKey(walletId, FUND_SWITCH_PROCESS, newId(context, `switch-${index}`));
    await this.check(walletId, switches).catch(async (error: unknown) => {
      // A retry of switches already started finds the holding moved by them: the same key answers as it did,
      // once the first switch shows (by the request digest) that it is the same request.
      if (!context.idempotency || !(await this.startedBefore(businessKey(0)))) throw error;
    });
    const request = requestDigest(switches);
    const processes: RebalanceBody['processes'] = [];
    for (const [index, { fromFund, toFund, amountFen }] of switches.entries()) {
      // `request`, beside the switch's own variables, is read by no worker: only by a repeat of the request.
      const variables: FundSwitchVariables = { walletId, fromFund, toFund, amount: formatFen(amountFen), request };
      const started = await startKeyed(this.engine, FUND_SWITCH_PROCESS, variables, businessKey(index));
      processes.push({ processId: started.instanceId, fromFund, toFund, amount: variables.amount });
    }
    return { processId: processes[0]!.processId, processes };
  }

  private async check(walletId: string, switches: readonly FundSwitchRequest[]): Promise<void> {
    const takenFen = new Map<string, bigint>();
    for (const [index, { fromFund, toFund, amountFen }] of switches.entries()) {
      if (fromFund === toFund) throw HttpProblem.badRequest(`switches[${index}].toFund`, `switches[${index}]: toFund must differ from fromFund (${fromFund})`);
      for (const [field, code] of [['fromFund', fromFund], ['toFund', toFund]] as const) {
        if (!(await loadFund(this.store, code)).state.registered) {
          throw new HttpProblem(409, `switches[${index}].${field}: fund ${code} is not registered`, { code: 'UNKNOWN_FUND', field: `switches[${index}].${field}` });
        }
      }
      const position = await loadPosition(this.store, walletId, fromFund);
      const holdingFen = position.state.opened ? position.state.holdingFen : 0n;
      const taken = (takenFen.get(fromFund) ?? 0n) + amountFen;
      takenFen.set(fromFund, taken);
      if (taken > holdingFen) {
        throw new HttpProblem(422, `switches[${index}].amount: the switches take ${formatFen(taken)} CNY out of ${fromFund}, more than the confirmed holding of ${formatFen(holdingFen)}`, {
          code: 'INSUFFICIENT_HOLDING',
          field: `switches[${index}].amount`,
          extensions: { holding: formatFen(holdingFen) },
        });
      }
    }
  }

  /** Whether a switch of this business key was started already (Zeebe without Operate cannot tell: no). */
  private async startedBefore(businessKey: string): Promise<boolean> {
    try {
      return (await this.engine.instances({ bpmnProcessId: FUND_SWITCH_PROCESS, businessKeyPrefix: businessKey, limit: 1 })).instances.length > 0;
    } catch (error) {
      if (error instanceof OperateRequiredError) return false;
      throw error;
    }
  }
}

/** sha256 of the request's switches as started: what tells a repeat of this request from another one. */
function requestDigest(switches: readonly FundSwitchRequest[]): string {
  const listed = switches.map(({ fromFund, toFund, amountFen }) => ({ fromFund, toFund, amount: formatFen(amountFen) }));
  return createHash('sha256').update(canonicalJson(listed)).digest('hex');
}
