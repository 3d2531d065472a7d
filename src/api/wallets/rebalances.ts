import { Inject, Injectable } from '@nestjs/common';
import type { EventStore, JsonObject } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import { BusinessKeyClaimedError, OperateRequiredError, type ProcessEngine } from '../../processes/engine';
import { FUND_SWITCH_PROCESS, type FundSwitchVariables } from '../processes/fund-switch-workers';
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
 * switch passes. With an Idempotency-Key the switches' business keys derive from it, so a repeat starts nothing.
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
      // A retry of switches already started finds the holding moved by them: the same key answers as it did.
      if (!context.idempotency || !(await this.startedBefore(businessKey(0)))) throw error;
    });
    const processes: RebalanceBody['processes'] = [];
    for (const [index, { fromFund, toFund, amountFen }] of switches.entries()) {
      const variables: FundSwitchVariables = { walletId, fromFund, toFund, amount: formatFen(amountFen) };
      const started = await this.engine.startInstance(FUND_SWITCH_PROCESS, variables, { businessKey: businessKey(index) }).catch((error: unknown) => {
        // Zeebe: the key was claimed by a start this process no longer remembers; nothing second was started.
        if (error instanceof BusinessKeyClaimedError) throw HttpProblem.conflict(error.message, error.code);
        throw error;
      });
      if (!started.created) await this.requireSameSwitch(started.instanceId, variables);
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

  /** A repeated key must name the same switch; another one under it is a reused key. */
  private async requireSameSwitch(instanceId: string, variables: FundSwitchVariables): Promise<void> {
    let existing: JsonObject | undefined;
    try {
      existing = (await this.engine.instance(instanceId))?.variables;
    } catch (error) {
      // Zeebe cannot read an instance back without Operate: the replay is answered without the comparison.
      if (error instanceof OperateRequiredError) return;
      throw error;
    }
    const same = existing && (Object.keys(variables) as (keyof FundSwitchVariables)[]).every((name) => existing[name] === variables[name]);
    if (!same) throw HttpProblem.unprocessable('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new request');
  }
}
