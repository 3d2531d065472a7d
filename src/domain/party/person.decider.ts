import type { Decider } from '../decider';
import type { PartyEvent, PartyKind } from './party.decider';

/**
 * The person behind a party, as the law on personal information sees them: their details were recorded
 * sealed at registration, and erasing them is a fact recorded on the party's own stream. The party stays
 * registered: its wallet, its money and its API key are untouched.
 */
export type PersonCommand = { type: 'ErasePerson'; partyId: string };

/** Recorded when a person's details are erased; it carries no personal data itself. */
export type PersonErasedEvent = { type: 'PersonErased'; data: { partyId: string } };

export type PersonEvent = PartyEvent | PersonErasedEvent;

export type PersonState =
  | { registered: false }
  /** `keyId` names the data key the details were sealed under; null for a registration recorded before sealing. */
  | { registered: true; kind: PartyKind; keyId: string | null; erased: boolean };

export const personDecider: Decider<PersonCommand, PersonEvent, PersonState> = {
  initialState: { registered: false },
  decide(command, state) {
    // The API answers an unknown party with 404 before deciding; a second erasure changes nothing.
    if (!state.registered || state.erased) return [];
    return [{ type: 'PersonErased', data: { partyId: command.partyId } }];
  },
  evolve(state, event) {
    if (event.type === 'PersonErased') return state.registered ? { ...state, erased: true } : state;
    if (event.type !== 'PartyRegistered' || state.registered) return state;
    return { registered: true, kind: event.data.kind, keyId: event.data.sealedPersonalData?.keyId ?? null, erased: false };
  },
};
