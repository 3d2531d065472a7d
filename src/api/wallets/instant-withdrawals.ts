import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { formatFen, type Fen } from '../../domain/money';
import type { ProcessEngine } from '../../processes/engine';
import { MERCHANT_WITHDRAWAL_PROCESS } from '../processes/merchant-withdrawal-workers';
import { startKeyed } from '../processes/keyed-start';
import { walletProcessKey } from '../processes/wallet-process-keys';
import { type CommandContext, newId } from '../commands/command-context';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import { PROCESS_ENGINE } from '../processes/process-engine.token';
import { loadOpenWallet } from './wallet-loader';

export type InstantWithdrawalBody = { processId: string; walletId: string; amount: string };

/**
 * Starts a merchant's instant withdrawal: a process that pays the amount out at once from the wallet's cash
 * and its funds' remaining instant quotas, or moves nothing when they cannot cover it.
 */
@Injectable()
export class InstantWithdrawals {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
  ) {}

  async start(context: CommandContext, walletId: string, amountFen: Fen): Promise<InstantWithdrawalBody> {
    const wallet = await loadOpenWallet(this.store, walletId);
    if (wallet.state.ownerKind !== 'merchant') throw new HttpProblem(422, 'instant withdrawals across funds are for merchant wallets; a customer withdraws its cash', { code: 'NOT_A_MERCHANT' });
    const amount = formatFen(amountFen);
    const started = await startKeyed(this.engine, MERCHANT_WITHDRAWAL_PROCESS, { walletId, amount }, walletProcessKey(walletId, MERCHANT_WITHDRAWAL_PROCESS, newId(context, 'withdrawal')));
    return { processId: started.instanceId, walletId, amount };
  }
}
