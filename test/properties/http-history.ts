import { EVENT_STORE } from '../../src/api/event-store.module';
import type { EventStore } from '../../src/eventstore';
import { formatPerTenK } from '../../src/domain/income-rate';
import { addDays } from '../../src/domain/iso-date';
import { type ApiResponse, OPERATOR_KEY, TestApp } from '../api/test-app';

/**
 * The random histories the property tests drive through the HTTP API: the operations, a world of funds and
 * wallets to run them in, and how each one is sent. Each test chooses its own mix and amounts.
 */
export const FUNDS = ['YEB', 'ZHB'];

export type HistoryOperation =
  | { kind: 'deposit' | 'withdraw'; wallet: number; amount: string }
  | { kind: 'pay'; wallet: number; to: number; amount: string }
  | { kind: 'purchase'; wallet: number; fund: string; amount: string }
  | { kind: 'redeem'; wallet: number; fund: string; amount: string; mode: 'instant' | 'standard' }
  | { kind: 'close'; perTenK: number };

export interface HistoryWorld {
  app: TestApp;
  store: EventStore;
  wallets: { walletId: string; key: string }[];
  businessDate: string;
  lastClosed: string | null;
}

/** The funds registered and `walletCount` parties opened, the last of them a merchant. */
export async function openWorld(walletCount: number, startDate: string): Promise<HistoryWorld> {
  const app = await TestApp.start({ startDate });
  for (const code of FUNDS) await app.post('/funds', OPERATOR_KEY, { code, name: code });
  const wallets = [];
  for (let i = 0; i < walletCount; i++) {
    const party = await app.party(i === walletCount - 1 ? 'merchant' : 'customer');
    wallets.push({ walletId: party.walletId, key: party.key });
  }
  return { app, store: app.app.get<EventStore>(EVENT_STORE), wallets, businessDate: startDate, lastClosed: null };
}

/**
 * Sends one operation. A close first publishes every fund's income for each day it covers, then moves the
 * world's dates. A business rule may refuse an operation; nothing else may go wrong.
 */
export async function applyOperation(world: HistoryWorld, op: HistoryOperation): Promise<ApiResponse> {
  if (op.kind === 'close') return close(world, op.perTenK);
  const { walletId, key } = world.wallets[op.wallet]!;
  const path = `/wallets/${walletId}`;
  const response = await (() => {
    switch (op.kind) {
      case 'deposit':
        return world.app.post(`${path}/deposits`, key, { amount: op.amount });
      case 'withdraw':
        return world.app.post(`${path}/withdrawals`, key, { amount: op.amount });
      case 'pay':
        return world.app.post(`${path}/payments`, key, { toWalletId: world.wallets[op.to]!.walletId, amount: op.amount });
      case 'purchase':
        return world.app.post(`${path}/purchases`, key, { fundCode: op.fund, amount: op.amount });
      case 'redeem':
        return world.app.post(`${path}/redemptions`, key, { fundCode: op.fund, amount: op.amount, mode: op.mode });
    }
  })();
  expect([201, 422]).toContain(response.status);
  return response;
}

async function close(world: HistoryWorld, perTenKMicros: number): Promise<ApiResponse> {
  const perTenK = formatPerTenK(BigInt(perTenKMicros));
  for (let day = world.lastClosed ? addDays(world.lastClosed, 1) : world.businessDate; day <= world.businessDate; day = addDays(day, 1)) {
    for (const code of FUNDS) expect((await world.app.post(`/funds/${code}/incomes`, OPERATOR_KEY, { date: day, perTenK })).status).toBe(201);
  }
  const response = await world.app.post('/operations/day-close', OPERATOR_KEY, { date: world.businessDate });
  expect(response.status).toBe(200);
  world.lastClosed = world.businessDate;
  world.businessDate = response.body.nextBusinessDate;
  return response;
}
