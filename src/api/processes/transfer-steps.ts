import type { JsonObject, RecordedEvent } from '../../eventstore';
import { fundHoldersStream } from '../../domain/fund/fund-holders.decider';
import type { PartyRegisteredEvent } from '../../domain/party/party.decider';
import type { PositionEvent, PositionState } from '../../domain/position/position.decider';
import { positionStream } from '../../domain/position/position.decider';
import { REGISTRIES } from '../../domain/registry/registry.decider';
import { type WalletEvent, walletStream } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { FUND_HOLDERS, POSITION, REGISTRY, WALLET } from '../commands/aggregates';
import type { CommandContext } from '../commands/command-context';
import { type AnyDecideCommand, DecideCommand } from '../commands/decide-command';
import { toDomainEvent } from '../commands/stored-aggregate';

/**
 * The event types that begin a transfer between streams completed by the steps below: the first, debit side
 * of each. A payment (`PaymentSent`) is completed by the payment model instead (payment-workers.ts).
 */
export const TRANSFER_TRIGGERS = ['PurchasePaid', 'InstantRedemptionMade', 'StandardRedemptionSettled', 'PartyRegistered', 'FundRegistered'] as const;

/** A step's command, built for the context the process gives it (its idempotency key derives from the step). */
export interface TransferStep {
  name: string;
  command(context: CommandContext): AnyDecideCommand;
  /** Runs only when the answer of the step before says so; the steps after it are skipped too otherwise. */
  onlyIf?: (previous: JsonObject) => boolean;
}

const STEP_STATUS = 200;
const noBody = () => ({ status: STEP_STATUS, body: {} });

/**
 * What follows each first step of a change that spans streams, in order: the position a paid purchase is
 * placed on (and, for its first purchase, the fund's list of holders), the cash of a redemption, the wallet
 * of a new party. Each money step moves the amount out of the in-transit account the first step
 * booked it to, so the ledger balances after every event, whichever step is last written.
 */
export function stepsAfter(event: RecordedEvent): TransferStep[] {
  const recordedUnder = { businessDate: String(event.metadata.businessDate), ruleSetVersion: String(event.metadata.ruleSetVersion) };
  const step = (name: string, build: (context: CommandContext) => AnyDecideCommand): TransferStep => ({ name, command: build });
  switch (event.type) {
    case 'PurchasePaid': {
      const { data } = toDomainEvent<Extract<WalletEvent, { type: 'PurchasePaid' }>>(event);
      const walletId = idAfterPrefix(event.stream, 'wallet-');
      const { purchaseId, fundCode, amountFen } = data;
      const place = { type: 'PlacePurchase' as const, purchaseId, walletId, fundCode, amountFen, businessDate: recordedUnder.businessDate };
      // A position's first purchase opens it: only then does the wallet join the fund's holders.
      const placed = ({ before }: { before: PositionState }) => ({ status: STEP_STATUS, body: { opened: !before.opened } });
      return [
        step('place-purchase', (c) => new DecideCommand(c, POSITION, positionStream(walletId, fundCode), place, recordedUnder, placed, false)),
        {
          ...step('join-holders', (c) => new DecideCommand(c, FUND_HOLDERS, fundHoldersStream(fundCode), { type: 'JoinHolders', walletId }, recordedUnder, noBody, false)),
          onlyIf: (previous) => previous.opened === true,
        },
      ];
    }
    case 'InstantRedemptionMade':
    case 'StandardRedemptionSettled': {
      const { data } = toDomainEvent<Extract<PositionEvent, { type: 'InstantRedemptionMade' | 'StandardRedemptionSettled' }>>(event);
      const { walletId, fundCode } = parsePositionStream(event.stream);
      const command = { type: 'ReceiveRedemption' as const, redemptionId: data.redemptionId, fundCode, amountFen: data.amountFen };
      return [step('pay-redemption', (c) => new DecideCommand(c, WALLET, walletStream(walletId), command, recordedUnder, noBody))];
    }
    case 'PartyRegistered': {
      const { data } = toDomainEvent<PartyRegisteredEvent>(event);
      const open = { type: 'OpenWallet' as const, walletId: data.walletId, ownerKind: data.kind, ownerId: data.partyId, ...(data.accountTier && { accountTier: data.accountTier }) };
      const steps = [step('open-wallet', (c) => new DecideCommand(c, WALLET, walletStream(data.walletId), open, recordedUnder, noBody, false))];
      // Merchants are listed so the daily demand forecasts can find them all.
      if (data.kind === 'merchant') steps.push(step('list-merchant', (c) => new DecideCommand(c, REGISTRY, REGISTRIES.merchants, { type: 'ListMember', id: data.partyId }, recordedUnder, noBody)));
      return steps;
    }
    case 'FundRegistered': {
      const code = idAfterPrefix(event.stream, 'fund-');
      return [step('list-fund', (c) => new DecideCommand(c, REGISTRY, REGISTRIES.funds, { type: 'ListMember', id: code }, recordedUnder, noBody))];
    }
    default:
      return [];
  }
}

function idAfterPrefix(stream: string, prefix: string): string {
  invariant(stream.startsWith(prefix), () => `${stream} is not a ${prefix}… stream`);
  return stream.slice(prefix.length);
}

/** `position-<walletId>-<fundCode>`: fund codes have no dash, so the last one separates them. */
function parsePositionStream(stream: string): { walletId: string; fundCode: string } {
  const rest = idAfterPrefix(stream, 'position-');
  const at = rest.lastIndexOf('-');
  const parsed = { walletId: rest.slice(0, at), fundCode: rest.slice(at + 1) };
  invariant(positionStream(parsed.walletId, parsed.fundCode) === stream, () => `${stream} is not a position stream`);
  return parsed;
}
