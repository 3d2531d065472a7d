import type { SeededRandom } from '../../src/ml/market/seeded-random';
import type { Answer, CrashRequest, RequestKind, RequestLog } from './crash-requests';
import { OPERATOR_KEY } from './crash-server';

export const FUNDS = ['CRA', 'CRB', 'CRC'] as const;
const FIRST_DAY = '2026-01-05';
/** What each party starts with before the kills begin: cash, and a confirmed holding of every fund. */
const OPENING_DEPOSIT = '60000.00';
const OPENING_PURCHASE = '10000.00';
const OPENING_PARTIES = { customer: 8, merchant: 4 } as const;
/** Income per 10,000 shares, the same every day: the checks count events, not yields. */
const PER_TEN_K = '0.4500';
/** A party's keys in use are capped at 5 by the product; a registration whose answer was lost takes one more. */
const MAX_KEY_REQUESTS = 4;

interface Party {
  kind: 'customer' | 'merchant';
  partyId: string;
  walletId: string;
  apiKey: string;
}

/** A command's weight among the clients' choices. */
const COMMAND_WEIGHTS: readonly [ClientCommand, number][] = [
  ['deposit', 18],
  ['withdrawal', 10],
  ['payment', 16],
  ['purchase', 14],
  ['instant-redemption', 9],
  ['standard-redemption', 5],
  ['rebalance', 6],
  ['instant-withdrawal', 5],
  ['open-party', 3],
];
type ClientCommand = 'deposit' | 'withdrawal' | 'payment' | 'purchase' | 'instant-redemption' | 'standard-redemption' | 'rebalance' | 'instant-withdrawal' | 'open-party';

/**
 * The clients' side of the crash test: the parties they opened, the business day the operator is on, and a
 * generator of every kind of command, each sent with an Idempotency-Key and retried until it has a final answer.
 */
export class Workload {
  readonly parties: Party[] = [];
  /** The business date the next close closes, and the calendar days whose income it needs. */
  private day = { date: FIRST_DAY, days: [FIRST_DAY] };
  private requestCount = 0;
  /** Closes run one after the other: the test's own and those of its rounds. */
  private closes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly log: RequestLog,
    private readonly random: SeededRandom,
    private readonly name: string,
  ) {}

  /** Funds, parties with cash and confirmed holdings of every fund: what the commands of the load act on. */
  async setUp(): Promise<void> {
    for (const code of FUNDS) await this.expect(this.send('fund', '/funds', { code, name: `Crash fund ${code}` }, OPERATOR_KEY), 201);
    const opening = [...Array<'customer'>(OPENING_PARTIES.customer).fill('customer'), ...Array<'merchant'>(OPENING_PARTIES.merchant).fill('merchant')];
    await Promise.all(opening.map((kind) => this.openParty(kind)));
    await Promise.all(
      this.parties.map(async (party) => {
        await this.expect(this.send('deposit', `/wallets/${party.walletId}/deposits`, { amount: OPENING_DEPOSIT }, party.apiKey), 201);
        for (const fundCode of FUNDS) await this.expect(this.send('purchase', `/wallets/${party.walletId}/purchases`, { fundCode, amount: OPENING_PURCHASE }, party.apiKey), 201, 202);
      }),
    );
    // A purchase is confirmed at the close of the business day after it: two closes, and the holdings are there.
    await this.closeDay();
    await this.closeDay();
  }

  /** One client: commands one after the other, each to its final answer, until `stopped` says so. */
  async client(random: SeededRandom, stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      try {
        await this.oneCommand(random);
      } catch (error) {
        if (!stopped()) this.log.failures.push(`a client failed: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Publishes the incomes the next close needs and closes the day, after the closes asked for before it;
   * `onSent` hears the date as the close request goes out. Returns the date closed.
   */
  closeDay(onSent?: (date: string) => void): Promise<string> {
    const next = this.closes.then(() => this.closeNextDay(onSent));
    this.closes = next.catch(() => undefined);
    return next;
  }

  private async closeNextDay(onSent?: (date: string) => void): Promise<string> {
    const { date, days } = this.day;
    for (const code of FUNDS) for (const day of days) await this.expect(this.send('income', `/funds/${code}/incomes`, { date: day, perTenK: PER_TEN_K }, OPERATOR_KEY), 201, 200);
    const closing = this.send('day-close', '/operations/day-close', { date }, OPERATOR_KEY);
    onSent?.(date);
    const answer = await this.expect(closing, 200);
    this.day = { date: answer.body.nextBusinessDate, days: daysAfter(date, answer.body.nextBusinessDate) };
    return date;
  }

  /** A fund switch out of an opening holding, sent by the test itself to place a kill inside it. */
  sendSwitch(): { walletId: string; answer: Promise<Answer> } {
    const party = this.parties[this.random.integer(0, OPENING_PARTIES.customer - 1)]!;
    const [fromFund, toFund] = twoFunds(this.random);
    const body = { switches: [{ fromFund, toFund, amount: fen(this.random, 100, 30_000) }] };
    return { walletId: party.walletId, answer: this.send('rebalance', `/wallets/${party.walletId}/rebalances`, body, party.apiKey) };
  }

  private async oneCommand(random: SeededRandom): Promise<void> {
    const command = weighted(random, COMMAND_WEIGHTS);
    const party = this.parties[random.integer(0, this.parties.length - 1)]!;
    const wallet = `/wallets/${party.walletId}`;
    const fundCode = FUNDS[random.integer(0, FUNDS.length - 1)]!;
    switch (command) {
      case 'deposit':
        return void (await this.send('deposit', `${wallet}/deposits`, { amount: fen(random, 100, 50_000) }, party.apiKey));
      case 'withdrawal':
        return void (await this.send('withdrawal', `${wallet}/withdrawals`, { amount: fen(random, 100, 30_000) }, party.apiKey));
      case 'payment': {
        const payee = this.parties[random.integer(0, this.parties.length - 1)]!;
        if (payee === party) return;
        return void (await this.send('payment', `${wallet}/payments`, { toWalletId: payee.walletId, amount: fen(random, 100, 20_000) }, party.apiKey));
      }
      case 'purchase':
        return void (await this.send('purchase', `${wallet}/purchases`, { fundCode, amount: fen(random, 100, 50_000) }, party.apiKey));
      case 'instant-redemption':
      case 'standard-redemption': {
        const mode = command === 'instant-redemption' ? 'instant' : 'standard';
        return void (await this.send('redemption', `${wallet}/redemptions`, { fundCode, amount: fen(random, 100, 30_000), mode }, party.apiKey));
      }
      case 'rebalance': {
        const [fromFund, toFund] = twoFunds(random);
        return void (await this.send('rebalance', `${wallet}/rebalances`, { switches: [{ fromFund, toFund, amount: fen(random, 100, 30_000) }] }, party.apiKey));
      }
      case 'instant-withdrawal': {
        const merchant = this.parties.filter((p) => p.kind === 'merchant')[random.integer(0, OPENING_PARTIES.merchant - 1)]!;
        return void (await this.send('instant-withdrawal', `/wallets/${merchant.walletId}/instant-withdrawals`, { amount: fen(random, 100, 80_000) }, merchant.apiKey));
      }
      case 'open-party':
        return this.openParty(random.bernoulli(0.5) ? 'customer' : 'merchant');
    }
  }

  /**
   * Opens a party and keeps its key. A registration answered again after a kill carries no key (it is shown
   * once): an operator issues one more, as a client that lost the first answer would ask.
   */
  private async openParty(kind: Party['kind']): Promise<void> {
    const body = kind === 'customer' ? { name: `Crash customer ${this.requestCount}`, accountTier: 'III' } : { name: `Crash merchant ${this.requestCount}` };
    // 202: registered, its wallet opened by the transfer step in a moment (after a restart, once the leases are free).
    const answer = await this.expect(this.send(kind, `/${kind}s`, body, OPERATOR_KEY), 201, 202);
    let apiKey: string | undefined = answer.body.apiKey;
    for (let attempt = 0; apiKey === undefined && attempt < MAX_KEY_REQUESTS; attempt++) {
      apiKey = (await this.expect(this.send('party-key', `/${kind}s/${answer.body.id}/keys`, {}, OPERATOR_KEY), 201)).body.apiKey;
    }
    if (apiKey === undefined) throw new Error(`no key for ${kind} ${answer.body.id} after ${MAX_KEY_REQUESTS} requests for one: every answer was lost`);
    this.parties.push({ kind, partyId: answer.body.id, walletId: answer.body.walletId, apiKey });
  }

  private send(kind: RequestKind, path: string, body: Record<string, unknown>, apiKey: string): Promise<Answer> {
    const request: CrashRequest = { id: `${this.name}-${String(++this.requestCount).padStart(6, '0')}`, kind, path, body, apiKey };
    return this.log.send(request);
  }

  /** The answers a step of the test cannot go on without. */
  private async expect(sent: Promise<Answer>, ...statuses: number[]): Promise<Answer> {
    const answer = await sent;
    if (!statuses.includes(answer.status)) throw new Error(`expected ${statuses.join(' or ')}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer;
  }
}

/** The calendar days after `closed` up to and including `next`: the days the next close accrues. */
function daysAfter(closed: string, next: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${closed}T00:00:00Z`); ; ) {
    day = new Date(day.getTime() + 86_400_000);
    const text = day.toISOString().slice(0, 10);
    days.push(text);
    if (text >= next) return days;
  }
}

/** An amount of CNY as the API takes it, between `minFen` and `maxFen`. */
function fen(random: SeededRandom, minFen: number, maxFen: number): string {
  const amount = random.integer(minFen, maxFen);
  return `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
}

function twoFunds(random: SeededRandom): [string, string] {
  const from = random.integer(0, FUNDS.length - 1);
  const to = (from + random.integer(1, FUNDS.length - 1)) % FUNDS.length;
  return [FUNDS[from]!, FUNDS[to]!];
}

function weighted<T>(random: SeededRandom, weights: readonly [T, number][]): T {
  let pick = random.integer(1, weights.reduce((sum, [, w]) => sum + w, 0));
  for (const [choice, weight] of weights) {
    pick -= weight;
    if (pick <= 0) return choice;
  }
  return weights.at(-1)![0];
}
