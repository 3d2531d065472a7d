import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { type IfwConfig, loadConfig } from '../config';
import type { EventStore, JsonObject } from '../eventstore';
import { DomainError, NotFoundError } from '../domain/domain-error';
import type { IsoDate } from '../domain/iso-date';
import type { Fen } from '../domain/money';
import type { PerTenKMicros } from '../domain/income-rate';
import type { PartyKind } from '../domain/party/party.decider';
import type { RedemptionMode } from '../domain/position/position.decider';
import type { AccountTier } from '../domain/rules/rule-set';
import { startServer } from '../api/server';
import { EVENT_STORE } from '../api/event-store.module';
import { BusinessCalendar, type Today } from '../api/calendar/business-calendar';
import type { CommandContext } from '../api/commands/command-context';
import type { AnyDecideCommand } from '../api/commands/decide-command';
import { HttpProblem } from '../api/http/problem';
import { FundCommands } from '../api/funds/fund-commands';
import { PartyCommands } from '../api/parties/party-commands';
import { WalletCommands } from '../api/wallets/wallet-commands';
import { InstantWithdrawals } from '../api/wallets/instant-withdrawals';
import { GetWalletQuery } from '../api/wallets/get-wallet.query';
import type { WalletView } from '../api/wallets/wallet-view';
import { TrialBalanceQuery, type TrialBalance } from '../api/ledger/trial-balance.query';
import { PROCESS_ENGINE } from '../api/processes/process-engine.token';
import { DayClose } from '../api/processes/day-close';
import type { EmbeddedProcessEngine } from '../processes/engine';
import { TransferProcesses } from '../api/processes/transfer-processes';

/** What a command came to: its response body, or the code of the rule (or the load bound) that refused it. */
export type CommandOutcome = { ok: true; body: JsonObject } | { ok: false; code: string };

/** Who acts: a party on its own wallet, or the operator (funds, incomes, parties, the day close). */
export type Actor = { kind: PartyKind; partyId: string; walletId: string } | { kind: 'operator' };

/** Rounds of "wait for the transfers, then for the engine" before a settle gives up: each round is one wave of steps. */
const MAX_SETTLE_ROUNDS = 200;
/** How long a close answered 202 is followed on the calendar, and how often it is looked at. */
const CLOSE_FOLLOW_MS = 30 * 60_000;
const CLOSE_POLL_MS = 200;
/** The longest wait for the transfer steps to reach the log's head in one round. */
const SETTLE_WAIT_MS = 120_000;

/**
 * The product, in this process, as `ifw serve` runs it (the same module, stores, projections, process engine
 * and job workers), driven through its command path: the services the controllers call build the same
 * DecideCommand, which goes on the same CommandBus to the same handler. What this skips is HTTP itself and
 * the controllers' wait for a transfer's last step: `settle()` waits for all of them at once instead.
 */
export class ProductSession {
  readonly store: EventStore;
  readonly engine: EmbeddedProcessEngine;
  private readonly commands: CommandBus;
  private readonly queries: QueryBus;
  private readonly funds: FundCommands;
  private readonly parties: PartyCommands;
  private readonly wallets: WalletCommands;
  private commandCount = 0;

  private constructor(
    private readonly app: NestFastifyApplication,
    readonly config: IfwConfig,
  ) {
    this.store = app.get<EventStore>(EVENT_STORE);
    this.engine = app.get<EmbeddedProcessEngine>(PROCESS_ENGINE);
    this.commands = app.get(CommandBus);
    this.queries = app.get(QueryBus);
    this.funds = app.get(FundCommands);
    this.parties = app.get(PartyCommands);
    this.wallets = app.get(WalletCommands);
  }

  /** Opens (creating) the embedded stores in `dataDir`; a new ledger's first business date is `startDate`. */
  static async open(dataDir: string, startDate: IsoDate): Promise<ProductSession> {
    // Port 0 on the loopback: the server listens on a free port no one is told of. The rest of the
    // environment (an audit key, the read wait) applies as it would to `ifw serve`.
    const config = loadConfig({ dataDir, port: '0', host: '127.0.0.1', startDate });
    return new ProductSession(await startServer(config, { logger: false }), config);
  }

  today(): Promise<Today> {
    return this.app.get(BusinessCalendar).today();
  }

  registerFund(code: string, name: string): Promise<CommandOutcome> {
    return this.decide(() => this.funds.register(this.context({ kind: 'operator' }), code, name));
  }

  publishIncome(fundCode: string, date: IsoDate, perTenK: PerTenKMicros): Promise<CommandOutcome> {
    return this.decide(() => this.funds.publishIncome(this.context({ kind: 'operator' }), fundCode, date, perTenK));
  }

  registerParty(kind: PartyKind, name: string, accountTier?: AccountTier): Promise<CommandOutcome> {
    const registration = kind === 'customer' ? { name, accountTier: accountTier ?? 'I' } : { name };
    return this.decide(() => this.parties.register(this.context({ kind: 'operator' }), kind, registration));
  }

  moveCash(actor: Actor & { walletId: string }, direction: 'deposit' | 'withdrawal', amountFen: Fen): Promise<CommandOutcome> {
    return this.decide(() => this.wallets.moveCash(this.context(actor), actor.walletId, direction, amountFen));
  }

  pay(actor: Actor & { walletId: string }, toWalletId: string, amountFen: Fen): Promise<CommandOutcome> {
    return this.decide(() => this.wallets.sendPayment(this.context(actor), actor.walletId, toWalletId, amountFen));
  }

  purchase(actor: Actor & { walletId: string }, fundCode: string, amountFen: Fen): Promise<CommandOutcome> {
    return this.decide(() => this.wallets.purchase(this.context(actor), actor.walletId, fundCode, amountFen));
  }

  redeem(actor: Actor & { walletId: string }, fundCode: string, amountFen: Fen, mode: RedemptionMode): Promise<CommandOutcome> {
    return this.decide(() => this.wallets.redeem(this.context(actor), actor.walletId, fundCode, amountFen, mode));
  }

  setAutomaticRebalancing(actor: Actor & { walletId: string }): Promise<CommandOutcome> {
    return this.decide(() => this.wallets.setRebalancing(this.context(actor), actor.walletId, 'automatic'));
  }

  /** The merchant instant-withdrawal process, started as POST /wallets/{id}/instant-withdrawals starts it. */
  instantWithdrawal(actor: Actor & { walletId: string }, amountFen: Fen): Promise<CommandOutcome> {
    return refusedAs(async () => ({ ...(await this.app.get(InstantWithdrawals).start(this.context(actor), actor.walletId, amountFen)) }));
  }

  /**
   * POST /operations/day-close: the close's process. A close answered 202 goes on by itself; it is followed
   * on the calendar, as a client follows it, until the date is closed.
   */
  async dayClose(date: IsoDate): Promise<void> {
    const answer = await this.app.get(DayClose).close(this.context({ kind: 'operator' }), date);
    if (answer.status === 200) return;
    const deadlineMs = Date.now() + CLOSE_FOLLOW_MS;
    while (!(await this.isClosed(date))) {
      if (Date.now() > deadlineMs) throw new Error(`the close of ${date} answered ${answer.status} and had not finished ${CLOSE_FOLLOW_MS} ms later`);
      await new Promise((resolve) => setTimeout(resolve, CLOSE_POLL_MS));
    }
  }

  private async isClosed(date: IsoDate): Promise<boolean> {
    const { calendar } = await this.today();
    return calendar.lastClosedDate !== null && calendar.lastClosedDate >= date;
  }

  /** GET /wallets/{id}?minPosition=: the read models once they include that position. */
  wallet(walletId: string, minPosition: bigint): Promise<WalletView> {
    return this.queries.execute(new GetWalletQuery(walletId, minPosition));
  }

  /** GET /ledger/trial-balance, once the ledger read model includes everything written. */
  async trialBalance(): Promise<TrialBalance> {
    return this.queries.execute(new TrialBalanceQuery(await this.store.lastPosition()));
  }

  /**
   * Waits until nothing moves: the transfer steps have reached the log's head and the engine is idle, round
   * after round while either still writes (a step of one process is what the next one waits for).
   */
  async settle(): Promise<void> {
    const transfers = this.app.get(TransferProcesses);
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      const head = await this.store.lastPosition();
      if ((await transfers.completed(head, SETTLE_WAIT_MS)) === undefined) throw new Error(`the transfer steps did not reach position ${head} within ${SETTLE_WAIT_MS} ms`);
      await this.engine.whenSettled();
      if ((await this.store.lastPosition()) === head) return;
    }
    throw new Error(`the processes did not settle within ${MAX_SETTLE_ROUNDS} rounds`);
  }

  close(): Promise<void> {
    return this.app.close();
  }

  private context(actor: Actor): CommandContext {
    const principal = actor.kind === 'operator' ? { role: 'operator' as const, id: 'simulator' } : { role: actor.kind, id: actor.partyId, walletId: actor.walletId };
    return { principal, correlationId: `simulation-${++this.commandCount}` };
  }

  private decide(build: () => Promise<AnyDecideCommand>): Promise<CommandOutcome> {
    return refusedAs(async () => (await this.commands.execute<AnyDecideCommand, { body: JsonObject }>(await build())).body);
  }
}

/** A refusal the API answers 4xx or 503 becomes an outcome with its code; anything else is a fault and throws. */
async function refusedAs(run: () => Promise<JsonObject>): Promise<CommandOutcome> {
  try {
    return { ok: true, body: await run() };
  } catch (error) {
    if (error instanceof DomainError || error instanceof HttpProblem) return { ok: false, code: error.code };
    if (error instanceof NotFoundError) return { ok: false, code: 'NOT_FOUND' };
    if ((error as { code?: unknown }).code === 'BUSY') return { ok: false, code: 'BUSY' };
    throw error;
  }
}
