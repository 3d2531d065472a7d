import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { type PartyKind, partyDecider, partyStream } from '../../domain/party/party.decider';
import { REGISTRIES, registryDecider } from '../../domain/registry/registry.decider';
import { walletDecider, walletStream } from '../../domain/wallet/wallet.decider';
import { issueApiKey } from '../auth/api-key';
import { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import { CommandRunner, type CommandResponse } from '../commands/command-runner';

export class RegisterPartyCommand {
  constructor(
    readonly context: CommandContext,
    readonly kind: PartyKind,
    readonly name: string,
  ) {}
}

/** `apiKey` is in the first response only: a replay with the same Idempotency-Key answers without it. */
export type PartyBody = { id: string; kind: PartyKind; name: string; walletId: string; apiKey?: string };

/** A new customer or merchant and its wallet, written together; the API key is shown once and stored hashed. */
@CommandHandler(RegisterPartyCommand)
export class RegisterPartyHandler implements ICommandHandler<RegisterPartyCommand, CommandResponse<PartyBody>> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly calendar: BusinessCalendar,
  ) {}

  execute({ context, kind, name }: RegisterPartyCommand): Promise<CommandResponse<PartyBody>> {
    return this.runner.run(context, [], async () => {
      const today = await this.calendar.today();
      const id = randomUUID();
      const walletId = randomUUID();
      const { apiKey, secretHash } = issueApiKey(id);
      const registered = partyDecider.decide({ type: 'RegisterParty', partyId: id, kind, name, walletId, apiKeyHash: secretHash }, partyDecider.initialState);
      const opened = walletDecider.decide({ type: 'OpenWallet', walletId, ownerKind: kind, ownerId: id }, walletDecider.initialState);
      // Merchants are listed so the daily demand forecasts can find them all.
      const listed = kind === 'merchant' ? registryDecider.decide({ type: 'ListMember', id }, registryDecider.initialState) : [];
      return {
        streams: [
          { stream: partyStream(id), events: registered, expectedRevision: 'no_stream' },
          { stream: walletStream(walletId), events: opened, expectedRevision: 'no_stream' },
          { stream: REGISTRIES.merchants, events: listed, expectedRevision: 'any' },
        ],
        status: 201,
        body: { id, kind, name, walletId },
        unrecorded: { apiKey },
        businessDate: today.businessDate,
        ruleSetVersion: today.ruleSet.version,
      };
    });
  }
}
