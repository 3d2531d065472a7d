import { mkdtempSync, rmSync } from 'node:fs';
import { ruleSetOn } from '../../src/domain/rules/rule-set';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, openEventStore } from '../../src/eventstore';
import { CommandBus } from '@nestjs/cqrs';
import { WALLET } from '../../src/api/commands/aggregates';
import { DecideCommand } from '../../src/api/commands/decide-command';
import { EVENT_STORE } from '../../src/api/event-store.module';
import { toEventInputs } from '../../src/api/commands/stored-aggregate';
import { walletStream } from '../../src/domain/wallet/wallet.decider';
import { TransferProcesses } from '../../src/api/processes/transfer-processes';
import { OPERATOR_KEY, TestApp, singleStreamUrl } from '../api/test-app';

/**
 * A payment's second side, run by the payment model from the log: the credit, its return when the payee
 * refuses, and completion after a crash between the two sides, with each step taking effect once however
 * often the log is delivered (and the model started again for it).
 */
const operator = { principal: { role: 'operator' as const, id: 'test' }, correlationId: 'test' };
const recordedUnder = { businessDate: '2026-01-05', ruleSetVersion: 'csrc-pboc-2018-06' };

async function typesOf(store: EventStore, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const event of store.readStream(stream)) types.push(event.type);
  return types.filter((type) => type !== 'RequestRecorded');
}

describe('a payment whose payee refuses the credit', () => {
  let app: TestApp;
  beforeAll(async () => (app = await TestApp.start()));
  afterAll(() => app.stop());

  it('is returned to the payer: the cash ends where it started and nothing is left in transit', async () => {
    const ann = await app.party('customer', 'Ann');
    await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '30.00' });
    const nobody = '00000000-0000-4000-8000-000000000001';
    // The HTTP edge refuses an unknown payee up front; sent on the bus, the debit lands and the credit is refused.
    const sent = await app.app.get(CommandBus).execute(
      new DecideCommand(operator, WALLET, walletStream(ann.walletId), { type: 'SendPayment', paymentId: 'p-1', toWalletId: nobody, amountFen: 1_000n, businessDate: recordedUnder.businessDate, ruleSet: ruleSetOn(recordedUnder.businessDate) }, recordedUnder, () => ({ status: 201, body: {} })),
    );
    const completed = await app.app.get(TransferProcesses).completed(BigInt(sent.body.position), 10_000, 'p-1');
    expect(completed).toBeDefined();
    const store = app.app.get<EventStore>(EVENT_STORE);
    expect(await typesOf(store, walletStream(ann.walletId))).toEqual(['WalletOpened', 'CashDeposited', 'PaymentSent', 'PaymentReturned']);
    const wallet = await app.get(`/wallets/${ann.walletId}?minPosition=${completed}`, OPERATOR_KEY);
    expect(wallet.body.cash).toBe('30.00');
    const transactions = await app.get(`/wallets/${ann.walletId}/transactions?minPosition=${completed}`, OPERATOR_KEY);
    expect(transactions.body.items.map((row: { kind: string; amount: string }) => [row.kind, row.amount])).toEqual([
      ['payment_returned', '10.00'],
      ['payment_sent', '-10.00'],
      ['deposit', '30.00'],
    ]);
    const accounts = await app.get(`/ledger/accounts?prefix=payments-in-transit&minPosition=${completed}`, OPERATOR_KEY);
    expect(accounts.body.items).toEqual([{ account: 'payments-in-transit', balance: '0.00' }]);
    // The payment model took the refusal's path to its end.
    await app.settleProcesses();
    const [instance] = (await app.get(`/processes?model=payment&wallet=${ann.walletId}`, OPERATOR_KEY)).body.items as { processId: string; state: string }[];
    expect(instance?.state).toBe('completed');
    const view = await app.get(`/processes/${instance!.processId}`, OPERATOR_KEY);
    expect((view.body.history as { elementId: string }[]).map((entry) => entry.elementId)).toEqual(['PaymentSent', 'CreditPayee', 'PayeeRefused', 'ReturnPayment', 'PaymentReturned']);
    expect(view.body.variables).toMatchObject({ paymentId: 'p-1', amount: '10.00', outcome: 'returned' });
  });
});

describe('a payment interrupted between its two sides', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ifw-transfer-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is credited once when the server starts again, and once however often its event is delivered', async () => {
    const eventStoreUrl = `sqlite:${join(dir, 'events.db')}`;
    const readStoreUrl = `sqlite:${join(dir, 'read.db')}`;
    let app = await TestApp.start({ eventStoreUrl, readStoreUrl });
    const ann = await app.party('customer', 'Ann');
    const shop = await app.party('merchant', 'Shop');
    await app.post(`/wallets/${ann.walletId}/deposits`, ann.key, { amount: '50.00' });
    await app.stop();

    // The process died right after the payer's debit was durable.
    const store = openEventStore(singleStreamUrl(eventStoreUrl));
    const sent = [{ type: 'PaymentSent', data: { paymentId: 'p-crash', toWalletId: shop.walletId, amountFen: 2_000n, businessDate: recordedUnder.businessDate, postings: [{ debit: `wallet-cash:${ann.walletId}`, credit: 'payments-in-transit', amountFen: 2_000n }] } }];
    const metadata = { correlationId: 'crash', causationId: 'crash', principal: 'customer:test', ...recordedUnder };
    const { position } = await store.append(walletStream(ann.walletId), toEventInputs(sent, metadata), { expectedRevision: await store.streamRevision(walletStream(ann.walletId)) });
    await store.close();

    app = await TestApp.start({ eventStoreUrl, readStoreUrl });
    const completed = await app.app.get(TransferProcesses).completed(position, 10_000, 'p-crash');
    expect(completed).toBeGreaterThan(position);
    expect((await app.get(`/wallets/${shop.walletId}?minPosition=${completed}`, OPERATOR_KEY)).body.cash).toBe('20.00');
    await app.stop();

    // The log delivered again from the start, as after the loss of the read store that keeps the checkpoint:
    // every step finds its first outcome and writes nothing more.
    app = await TestApp.start({ eventStoreUrl, readStoreUrl: `sqlite:${join(dir, 'read-again.db')}` });
    const head = BigInt(await app.lastPosition());
    expect(await app.app.get(TransferProcesses).completed(head, 10_000)).toBeDefined();
    const events = app.app.get<EventStore>(EVENT_STORE);
    expect((await typesOf(events, walletStream(shop.walletId))).filter((t) => t === 'PaymentReceived')).toHaveLength(1);
    expect((await app.get(`/wallets/${shop.walletId}?minPosition=${await app.lastPosition()}`, OPERATOR_KEY)).body.cash).toBe('20.00');
    await app.stop();
  });
});
