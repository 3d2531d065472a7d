import { Injectable } from '@nestjs/common';
import { type PartyKind, partyStream } from '../../domain/party/party.decider';
import type { AccountTier } from '../../domain/rules/rule-set';
import { issueApiKey } from '../auth/api-key';
import { BusinessCalendar } from '../calendar/business-calendar';
import { PARTY } from '../commands/aggregates';
import { type CommandContext, newId } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import { recordedUnder } from '../wallets/wallet-commands';

/**
 * A new customer or merchant. The party's stream is written first; its wallet is opened (and a merchant
 * listed) by the steps that follow. The API key is in the first response only and stored hashed.
 */
@Injectable()
export class PartyCommands {
  constructor(private readonly calendar: BusinessCalendar) {}

  async register(context: CommandContext, kind: PartyKind, registration: { name: string; accountTier?: AccountTier }) {
    const { name, accountTier } = registration;
    const today = await this.calendar.today();
    const id = newId(context, 'party');
    const walletId = newId(context, 'wallet');
    const { apiKey, secretHash } = issueApiKey(id);
    const command = { type: 'RegisterParty' as const, partyId: id, kind, name, walletId, apiKeyHash: secretHash, ...(accountTier && { accountTier }) };
    const body = { id, kind, name, walletId, ...(accountTier && { accountTier }) };
    return new DecideCommand(context, PARTY, partyStream(id), command, recordedUnder(today), () => ({ status: 201, body, unrecorded: { apiKey } }), false);
  }
}
