import { fold } from '../../src/domain/decider';
import { ACCOUNTS } from '../../src/domain/ledger/accounts';
import { posting } from '../../src/domain/ledger/posting';
import { type WalletEvent, walletDecider, walletStream } from '../../src/domain/wallet/wallet.decider';
import { InvariantViolation } from '../../src/invariant';
import { ruleSetOn } from '../../src/domain/rules/rule-set';
import { spec } from './decider-spec';

const cash = ACCOUNTS.walletCash('w-1');
const opened: WalletEvent = { type: 'WalletOpened', data: { walletId: 'w-1', ownerKind: 'customer', ownerId: 'p-1', accountTier: 'III' } };
const DATE = '2026-03-02';
const RULES = ruleSetOn(DATE);
const deposited = (amountFen: bigint): WalletEvent => ({ type: 'CashDeposited', data: { amountFen, postings: [posting(ACCOUNTS.bankClearing, cash, amountFen)] } });
/** An open wallet holding 100.00 CNY. */
const withHundred: WalletEvent[] = [opened, deposited(10_000n)];

describe('wallet decider', () => {
  describe('OpenWallet', () => {
    it('opens a wallet for its owner', () => {
      spec(walletDecider).given([]).when({ type: 'OpenWallet', walletId: 'w-1', ownerKind: 'customer', ownerId: 'p-1', accountTier: 'III' }).then([opened]);
    });

    it('refuses to open it twice: WALLET_EXISTS', () => {
      spec(walletDecider).given([opened]).when({ type: 'OpenWallet', walletId: 'w-1', ownerKind: 'merchant', ownerId: 'p-2' }).thenFails('WALLET_EXISTS', {});
    });

    it('starts empty, with no funds bought', () => {
      spec(walletDecider).given([opened]).thenState((state) => {
        expect(state).toEqual({
          open: true,
          walletId: 'w-1',
          ownerKind: 'customer',
          ownerId: 'p-1',
          cashFen: 0n,
          fundCodes: [],
          rebalancing: 'manual',
          accountTier: 'III',
          paid: { lifetimeFen: 0n, year: 0, yearFen: 0n },
        });
      });
    });
  });

  describe('on a wallet that is not open', () => {
    it.each([
      { type: 'Deposit', amountFen: 1n },
      { type: 'Withdraw', amountFen: 1n },
      { type: 'SendPayment', paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 1n, businessDate: DATE, ruleSet: RULES },
      { type: 'ReceivePayment', paymentId: 'pay-1', fromWalletId: 'w-2', amountFen: 1n },
      { type: 'ReturnPayment', paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 1n, reason: 'refused' },
      { type: 'PayForPurchase', purchaseId: 'pu-1', fundCode: 'YEB', amountFen: 1n, ruleSet: RULES },
      { type: 'ReceiveRedemption', redemptionId: 'r-1', fundCode: 'YEB', amountFen: 1n },
    ] as const)('refuses $type: UNKNOWN_WALLET', (command) => {
      spec(walletDecider).given([]).when(command).thenFails('UNKNOWN_WALLET', {});
    });
  });

  describe('Deposit', () => {
    it('credits the wallet cash from bank clearing', () => {
      spec(walletDecider)
        .given([opened])
        .when({ type: 'Deposit', amountFen: 123_456n })
        .then([{ type: 'CashDeposited', data: { amountFen: 123_456n, postings: [{ debit: 'bank-clearing', credit: 'wallet-cash:w-1', amountFen: 123_456n }] } }])
        .thenState((state) => state.open && state.cashFen === 123_456n);
    });
  });

  describe('Withdraw', () => {
    it('debits the wallet cash to bank clearing', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'Withdraw', amountFen: 4_000n })
        .then([{ type: 'CashWithdrawn', data: { amountFen: 4_000n, postings: [posting(cash, ACCOUNTS.bankClearing, 4_000n)] } }])
        .thenState((state) => state.open && state.cashFen === 6_000n);
    });

    it('may withdraw everything, to the last fen', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'Withdraw', amountFen: 10_000n })
        .then([{ type: 'CashWithdrawn', data: { amountFen: 10_000n, postings: [posting(cash, ACCOUNTS.bankClearing, 10_000n)] } }])
        .thenState((state) => state.open && state.cashFen === 0n);
    });

    it('refuses one fen more than the cash: INSUFFICIENT_FUNDS with the available cash', () => {
      spec(walletDecider).given(withHundred).when({ type: 'Withdraw', amountFen: 10_001n }).thenFails('INSUFFICIENT_FUNDS', { availableCash: '100.00' });
    });
  });

  describe('SendPayment', () => {
    it('moves the amount from the cash to payments in transit', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'SendPayment', paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 2_500n, businessDate: DATE, ruleSet: RULES })
        .then([{ type: 'PaymentSent', data: { paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 2_500n, businessDate: DATE, postings: [posting(cash, ACCOUNTS.paymentsInTransit, 2_500n)] } }])
        .thenState((state) => state.open && state.cashFen === 7_500n);
    });

    it('refuses to pay the wallet itself: SELF_PAYMENT', () => {
      spec(walletDecider).given(withHundred).when({ type: 'SendPayment', paymentId: 'pay-1', toWalletId: 'w-1', amountFen: 100n, businessDate: DATE, ruleSet: RULES }).thenFails('SELF_PAYMENT', {});
    });

    it('refuses more than the cash: INSUFFICIENT_FUNDS', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'SendPayment', paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 10_001n, businessDate: DATE, ruleSet: RULES })
        .thenFails('INSUFFICIENT_FUNDS', { availableCash: '100.00' });
    });
  });

  describe('ReceivePayment', () => {
    it('moves the amount from payments in transit to the cash', () => {
      spec(walletDecider)
        .given([opened])
        .when({ type: 'ReceivePayment', paymentId: 'pay-1', fromWalletId: 'w-2', amountFen: 2_500n })
        .then([{ type: 'PaymentReceived', data: { paymentId: 'pay-1', fromWalletId: 'w-2', amountFen: 2_500n, postings: [posting(ACCOUNTS.paymentsInTransit, cash, 2_500n)] } }])
        .thenState((state) => state.open && state.cashFen === 2_500n);
    });
  });

  describe('SetRebalancing', () => {
    it('records a change of mode, and nothing when the mode is already the one asked for', () => {
      spec(walletDecider)
        .given([opened])
        .when({ type: 'SetRebalancing', mode: 'automatic' })
        .then([{ type: 'RebalancingSet', data: { mode: 'automatic' } }])
        .thenState((state) => state.open && state.rebalancing === 'automatic');
      spec(walletDecider).given([opened]).when({ type: 'SetRebalancing', mode: 'manual' }).thenNothing();
    });
  });

  describe('ReturnPayment', () => {
    it('moves a refused payment from payments in transit back to the payer, whose cash it was', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'ReturnPayment', paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 2_500n, reason: 'wallet w-2 does not exist' })
        .then([
          {
            type: 'PaymentReturned',
            data: { paymentId: 'pay-1', toWalletId: 'w-2', amountFen: 2_500n, reason: 'wallet w-2 does not exist', postings: [posting(ACCOUNTS.paymentsInTransit, cash, 2_500n)] },
          },
        ])
        .thenState((state) => state.open && state.cashFen === 12_500n);
    });
  });

  describe('PayForPurchase', () => {
    it('pays the fund settlement account and remembers the fund, once', () => {
      const paid = (purchaseId: string, amountFen: bigint): WalletEvent => ({
        type: 'PurchasePaid',
        data: { purchaseId, fundCode: 'YEB', amountFen, postings: [posting(cash, ACCOUNTS.fundSettlement('YEB'), amountFen)] },
      });
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'PayForPurchase', purchaseId: 'pu-1', fundCode: 'YEB', amountFen: 3_000n, ruleSet: RULES })
        .then([paid('pu-1', 3_000n)])
        .thenState((state) => {
          expect(state).toMatchObject({ cashFen: 7_000n, fundCodes: ['YEB'] });
        });
      spec(walletDecider)
        .given([...withHundred, paid('pu-1', 3_000n)])
        .when({ type: 'PayForPurchase', purchaseId: 'pu-2', fundCode: 'YEB', amountFen: 7_000n, ruleSet: RULES })
        .then([paid('pu-2', 7_000n)])
        .thenState((state) => {
          expect(state).toMatchObject({ cashFen: 0n, fundCodes: ['YEB'] });
        });
    });

    it('records each fund bought, in the order bought', () => {
      const paidFor = (fundCode: string): WalletEvent => ({
        type: 'PurchasePaid',
        data: { purchaseId: `pu-${fundCode}`, fundCode, amountFen: 100n, postings: [posting(cash, ACCOUNTS.fundSettlement(fundCode), 100n)] },
      });
      spec(walletDecider)
        .given([...withHundred, paidFor('YEB'), paidFor('LCT'), paidFor('YEB')])
        .thenState((state) => {
          expect(state).toMatchObject({ cashFen: 9_700n, fundCodes: ['YEB', 'LCT'] });
        });
    });

    it('refuses more than the cash: INSUFFICIENT_FUNDS', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'PayForPurchase', purchaseId: 'pu-1', fundCode: 'YEB', amountFen: 10_001n, ruleSet: RULES })
        .thenFails('INSUFFICIENT_FUNDS', { availableCash: '100.00' });
    });
  });

  describe('account tiers (PBoC, in force from 2016-07-01)', () => {
    const tierOpened = (accountTier: 'I' | 'II' | 'III'): WalletEvent => ({ type: 'WalletOpened', data: { walletId: 'w-1', ownerKind: 'customer', ownerId: 'p-1', accountTier } });
    const sent = (paymentId: string, amountFen: bigint, businessDate = DATE): WalletEvent => ({
      type: 'PaymentSent',
      data: { paymentId, toWalletId: 'w-2', amountFen, businessDate, postings: [posting(cash, ACCOUNTS.paymentsInTransit, amountFen)] },
    });
    const pay = (amountFen: bigint, businessDate = DATE) => ({ type: 'SendPayment' as const, paymentId: 'pay-n', toWalletId: 'w-2', amountFen, businessDate, ruleSet: ruleSetOn(businessDate) });

    it('lets a type I account pay 1,000 CNY in total and refuses the next fen: ACCOUNT_TIER_LIMIT', () => {
      const history = [tierOpened('I'), deposited(500_000n), sent('a', 60_000n, '2025-12-30'), sent('b', 40_000n)];
      spec(walletDecider).given(history.slice(0, 3)).when(pay(40_000n)).then([sent('pay-n', 40_000n)]);
      spec(walletDecider)
        .given(history)
        .when(pay(1n, '2027-01-04'))
        .thenFails('ACCOUNT_TIER_LIMIT', { accountTier: 'I', limit: '1000.00', left: '0.00', ruleSetVersion: 'csrc-pboc-2018-06' });
    });

    it('counts a type II account per calendar year: a new year starts from nothing', () => {
      const history = [tierOpened('II'), deposited(30_000_000n), sent('a', 10_000_000n, '2025-12-30')];
      spec(walletDecider).given(history).when(pay(1n, '2025-12-31')).thenFails('ACCOUNT_TIER_LIMIT', { accountTier: 'II', limit: '100000.00', left: '0.00', ruleSetVersion: 'csrc-pboc-2018-06' });
      spec(walletDecider).given(history).when(pay(10_000_000n, '2026-01-05')).then([sent('pay-n', 10_000_000n, '2026-01-05')]);
    });

    it('never counts withdrawals to the own card', () => {
      spec(walletDecider)
        .given([tierOpened('I'), deposited(500_000n), { type: 'CashWithdrawn', data: { amountFen: 400_000n, postings: [posting(cash, ACCOUNTS.bankClearing, 400_000n)] } }])
        .when(pay(100_000n))
        .then([sent('pay-n', 100_000n)]);
    });

    it('lets only type III buy funds from its balance: ACCOUNT_TIER_FORBIDS_FUNDS', () => {
      const purchase = { type: 'PayForPurchase' as const, purchaseId: 'pu-1', fundCode: 'YEB', amountFen: 100n, ruleSet: RULES };
      spec(walletDecider).given([tierOpened('II'), deposited(10_000n)]).when(purchase).thenFails('ACCOUNT_TIER_FORBIDS_FUNDS', { accountTier: 'II', ruleSetVersion: 'csrc-pboc-2018-06' });
      spec(walletDecider).given([tierOpened('I'), deposited(10_000n)]).when(purchase).thenFails('ACCOUNT_TIER_FORBIDS_FUNDS', { accountTier: 'I', ruleSetVersion: 'csrc-pboc-2018-06' });
    });

    it('applies no tier before 2016-07-01, and none to a merchant', () => {
      spec(walletDecider).given([tierOpened('I'), deposited(500_000n)]).when(pay(200_000n, '2016-06-30')).then([sent('pay-n', 200_000n, '2016-06-30')]);
      const merchant: WalletEvent = { type: 'WalletOpened', data: { walletId: 'w-1', ownerKind: 'merchant', ownerId: 'm-1' } };
      spec(walletDecider).given([merchant, deposited(500_000n)]).when(pay(300_000n)).then([sent('pay-n', 300_000n)]);
    });

    it('raises a tier as a recorded event, never lowers it', () => {
      spec(walletDecider)
        .given([tierOpened('I')])
        .when({ type: 'RaiseAccountTier', tier: 'III' })
        .then([{ type: 'AccountTierRaised', data: { from: 'I', to: 'III' } }])
        .thenState((state) => state.open && state.accountTier === 'III');
      spec(walletDecider).given([tierOpened('II')]).when({ type: 'RaiseAccountTier', tier: 'II' }).thenNothing();
      spec(walletDecider).given([tierOpened('III')]).when({ type: 'RaiseAccountTier', tier: 'I' }).thenFails('TIER_NOT_RAISED', { field: 'tier' });
      spec(walletDecider)
        .given([{ type: 'WalletOpened', data: { walletId: 'w-1', ownerKind: 'merchant', ownerId: 'm-1' } }])
        .when({ type: 'RaiseAccountTier', tier: 'II' })
        .thenFails('NO_ACCOUNT_TIER', { field: 'tier' });
    });
  });

  describe('ReceiveRedemption', () => {
    it('moves the redeemed amount from the fund settlement account to the cash', () => {
      spec(walletDecider)
        .given(withHundred)
        .when({ type: 'ReceiveRedemption', redemptionId: 'r-1', fundCode: 'YEB', amountFen: 50_000n })
        .then([
          {
            type: 'RedemptionCashReceived',
            data: { redemptionId: 'r-1', fundCode: 'YEB', amountFen: 50_000n, postings: [posting(ACCOUNTS.fundSettlement('YEB'), cash, 50_000n)] },
          },
        ])
        .thenState((state) => state.open && state.cashFen === 60_000n);
    });
  });

  it('evolves the cash through every kind of movement', () => {
    spec(walletDecider)
      .given([
        opened,
        deposited(10_000n),
        { type: 'PaymentReceived', data: { paymentId: 'a', fromWalletId: 'w-2', amountFen: 500n, postings: [posting(ACCOUNTS.paymentsInTransit, cash, 500n)] } },
        { type: 'CashWithdrawn', data: { amountFen: 1_000n, postings: [posting(cash, ACCOUNTS.bankClearing, 1_000n)] } },
        { type: 'PaymentSent', data: { paymentId: 'b', toWalletId: 'w-2', amountFen: 200n, businessDate: DATE, postings: [posting(cash, ACCOUNTS.paymentsInTransit, 200n)] } },
        { type: 'PurchasePaid', data: { purchaseId: 'c', fundCode: 'YEB', amountFen: 300n, postings: [posting(cash, ACCOUNTS.fundSettlement('YEB'), 300n)] } },
        { type: 'RedemptionCashReceived', data: { redemptionId: 'd', fundCode: 'YEB', amountFen: 100n, postings: [posting(ACCOUNTS.fundSettlement('YEB'), cash, 100n)] } },
      ])
      .thenState((state) => state.open && state.cashFen === 10_000n + 500n - 1_000n - 200n - 300n + 100n);
  });

  it('treats a negative amount as a broken invariant instead of minting cash', () => {
    const state = fold(walletDecider, withHundred);
    expect(() => walletDecider.decide({ type: 'Withdraw', amountFen: -500n }, state)).toThrow(InvariantViolation);
  });

  it('lives in the stream wallet-<id>', () => {
    expect(walletStream('w-1')).toBe('wallet-w-1');
  });
});
