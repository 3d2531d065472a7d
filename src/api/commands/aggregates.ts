import { type CalendarCommand, type CalendarEvent, type CalendarState, calendarDecider } from '../../domain/calendar/calendar.decider';
import { type FundHoldersCommand, type FundHoldersEvent, type FundHoldersState, fundHoldersDecider } from '../../domain/fund/fund-holders.decider';
import { type FundCommand, type FundEvent, type FundState, fundDecider } from '../../domain/fund/fund.decider';
import { type PartyCommand, type PartyEvent, type PartyState, partyDecider } from '../../domain/party/party.decider';
import { type PersonCommand, type PersonEvent, type PersonState, personDecider } from '../../domain/party/person.decider';
import { type PositionCommand, type PositionEvent, type PositionState, positionDecider } from '../../domain/position/position.decider';
import { REGISTRY_SCHEMA, type RegistryCommand, type RegistryEvent, type RegistryState, registryDecider } from '../../domain/registry/registry.decider';
import { type RuleBookCommand, type RuleBookEvent, type RuleBookState, ruleBookDecider } from '../../domain/rules/rule-book.decider';
import { type WalletCommand, type WalletEvent, type WalletState, walletDecider } from '../../domain/wallet/wallet.decider';
import type { Aggregate } from './decide-command';
import type { DomainEvent } from './stored-aggregate';

/** The part of a stream name after its entity's prefix: `wallet-<id>` names wallet <id>. */
const idOf = (stream: string) => stream.slice(stream.indexOf('-') + 1);

export const WALLET: Aggregate<WalletCommand, WalletEvent, WalletState> = {
  schema: 'wallet-v3',
  decider: walletDecider,
  exists: (state) => state.open,
  missing: (stream) => `wallet ${idOf(stream)} does not exist`,
};

export const POSITION: Aggregate<PositionCommand, PositionEvent, PositionState> = {
  schema: 'position-v1',
  decider: positionDecider,
  exists: (state) => state.opened,
  missing: (stream) => `the wallet holds none of this fund (${idOf(stream)})`,
};

export const FUND: Aggregate<FundCommand, FundEvent, FundState> = {
  schema: 'fund-v1',
  decider: fundDecider,
  exists: (state) => state.registered,
  missing: (stream) => `fund ${idOf(stream)} is not registered`,
};

export const FUND_HOLDERS: Aggregate<FundHoldersCommand, FundHoldersEvent, FundHoldersState> = {
  schema: 'fund-holders-v1',
  decider: fundHoldersDecider,
  exists: () => true,
  missing: (stream) => `no holders list ${stream}`,
};

export const PARTY: Aggregate<PartyCommand, PartyEvent, PartyState> = {
  schema: 'party-v3',
  decider: partyDecider,
  exists: (state) => state.registered,
  missing: (stream) => `party ${idOf(stream)} is not registered`,
};

export const REGISTRY: Aggregate<RegistryCommand, RegistryEvent, RegistryState> = {
  schema: REGISTRY_SCHEMA,
  decider: registryDecider,
  exists: () => true,
  missing: (stream) => `registry ${stream} does not exist`,
};

export const CALENDAR: Aggregate<CalendarCommand, CalendarEvent, CalendarState> = {
  schema: 'calendar-v2',
  decider: calendarDecider,
  exists: (state) => state.started,
  missing: () => 'the business calendar has not started',
};

export const RULE_BOOK: Aggregate<RuleBookCommand, RuleBookEvent, RuleBookState> = {
  schema: 'rule-book-v1',
  decider: ruleBookDecider,
  exists: () => true,
  missing: () => 'no rule book',
};

/** The person behind a party, folded from the party's stream by their own decider (erasure). */
export const PERSON: Aggregate<PersonCommand, PersonEvent, PersonState> = {
  schema: 'person-v1',
  decider: personDecider,
  exists: (state) => state.registered,
  missing: (stream) => `party ${idOf(stream)} is not registered`,
};

/** Every entity, for what handles any of them by its schema (a verification folding each snapshot). */
export const ENTITIES: readonly Aggregate<unknown, DomainEvent, unknown>[] = [WALLET, POSITION, FUND, FUND_HOLDERS, PARTY, PERSON, REGISTRY, CALENDAR, RULE_BOOK] as never;

/** Snapshot schemas of earlier state shapes: the loader never uses such a snapshot (it folds instead), so none can change a state. */
export const RETIRED_SNAPSHOT_SCHEMAS: ReadonlySet<string> = new Set(['wallet-v1', 'wallet-v2', 'party-v1', 'party-v2', 'calendar-v1']);
