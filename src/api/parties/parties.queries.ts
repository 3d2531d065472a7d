import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { type IsoDate, isBusinessDay } from '../../domain/iso-date';
import type { PartyKind } from '../../domain/party/party.decider';
import { type Condition, ReadModels, type StoredDoc } from '../../projections';
import { MERCHANT_PROFILES_COLLECTION, merchantProfileDoc } from '../../projections/read-models/merchant-profiles.projection';
import { type ApiKeyDoc, PARTIES_COLLECTION, type PartyDoc } from '../../projections/read-models/parties.projection';
import { HttpProblem } from '../http/problem';
import { CALENDAR_PROJECTION, lastClosedDate } from '../intelligence/last-closed-date';
import { type MerchantProfileBody, merchantProfileBody } from './merchant-profile';

export const PARTIES_PROJECTION = 'parties';
export const MERCHANT_PROFILES_PROJECTION = 'merchant_profiles';

/** A directory entry: the document without its keys, phone and masked card present only when registered and not erased. */
export type PartyBody = Omit<PartyDoc, 'keys'>;

export interface PartyPageBody {
  items: PartyBody[];
  nextCursor: string | null;
}

export class ListPartiesQuery extends Query<PartyPageBody> {
  constructor(
    readonly kind: PartyKind,
    readonly page: { limit: number; cursor: string | undefined },
    readonly filters: { name?: string; id?: string },
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

export class GetMerchantProfileQuery extends Query<MerchantProfileBody> {
  constructor(
    readonly merchantId: string,
    readonly asOf: IsoDate | undefined,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

/** A party's keys by id and dates: never a secret, never a hash. */
export interface PartyKeysBody {
  partyId: string;
  keys: (ApiKeyDoc & { status: 'active' | 'revoked' })[];
}

export class ListPartyKeysQuery extends Query<PartyKeysBody> {
  constructor(
    readonly kind: PartyKind,
    readonly partyId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

@QueryHandler(ListPartyKeysQuery)
export class ListPartyKeysHandler implements IQueryHandler<ListPartyKeysQuery, PartyKeysBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ kind, partyId, minPosition }: ListPartyKeysQuery): Promise<PartyKeysBody> {
    await this.readModels.atLeast([PARTIES_PROJECTION], minPosition);
    const [party] = await this.readModels.find(PARTIES_PROJECTION, PARTIES_COLLECTION, { where: { id: { eq: partyId }, kind: { eq: kind } }, limit: 1 });
    if (!party) throw HttpProblem.notFound(`no ${kind} ${partyId}`);
    const { keys } = party.body as unknown as PartyDoc;
    return { partyId, keys: keys.map((key) => ({ ...key, status: key.revokedPosition === undefined ? 'active' : 'revoked' })) };
  }
}

function toPartyBody(doc: StoredDoc): PartyBody {
  const { id, kind, name, phone, bankCard, walletId, registeredOn, registeredPosition, erasedPosition } = doc.body as unknown as PartyDoc;
  return { id, kind, name, ...(phone && { phone }), ...(bankCard && { bankCard }), walletId, registeredOn, registeredPosition, ...(erasedPosition && { erasedPosition }) };
}

@QueryHandler(ListPartiesQuery)
export class ListPartiesHandler implements IQueryHandler<ListPartiesQuery, PartyPageBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ kind, page, filters, minPosition }: ListPartiesQuery): Promise<PartyPageBody> {
    await this.readModels.atLeast([PARTIES_PROJECTION], minPosition);
    if (filters.id !== undefined) return { items: await this.byId(kind, filters.id, filters.name), nextCursor: null };
    const where: Record<string, Condition> = { kind: { eq: kind }, ...(filters.name === undefined ? {} : { name: { contains: filters.name } }) };
    const scope = `parties:${kind}:${filters.name ?? ''}`;
    const found = await this.readModels.page(PARTIES_PROJECTION, PARTIES_COLLECTION, { where, orderBy: ['name'], limit: page.limit, cursor: page.cursor, scope }, (doc) => [String(doc.body.name), doc.id]);
    return { items: found.docs.map(toPartyBody), nextCursor: found.nextCursor };
  }

  /** An id is a party's own id or its wallet's; either finds at most one party. */
  private async byId(kind: PartyKind, id: string, name: string | undefined): Promise<PartyBody[]> {
    const own = await this.readModels.find(PARTIES_PROJECTION, PARTIES_COLLECTION, { where: { id: { eq: id }, kind: { eq: kind } }, limit: 1 });
    const byWallet = own.length > 0 ? own : await this.readModels.find(PARTIES_PROJECTION, PARTIES_COLLECTION, { where: { kind: { eq: kind }, walletId: { eq: id } }, limit: 1 });
    const matches = (party: PartyBody) => name === undefined || party.name.toLowerCase().includes(name.toLowerCase());
    return byWallet.map(toPartyBody).filter(matches);
  }
}

@QueryHandler(GetMerchantProfileQuery)
export class GetMerchantProfileHandler implements IQueryHandler<GetMerchantProfileQuery, MerchantProfileBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ merchantId, asOf, minPosition }: GetMerchantProfileQuery): Promise<MerchantProfileBody> {
    await this.readModels.atLeast([PARTIES_PROJECTION, MERCHANT_PROFILES_PROJECTION, CALENDAR_PROJECTION], minPosition);
    const party = await this.merchant(merchantId);
    const closed = await lastClosedDate(this.readModels);
    if (closed === null) throw HttpProblem.notFound('a profile is computed as of a closed business day, and no day has been closed yet');
    const profile = (await this.readModels.find(MERCHANT_PROFILES_PROJECTION, MERCHANT_PROFILES_COLLECTION, { where: { id: { eq: party.walletId } }, limit: 1 }))[0];
    if (!profile) throw HttpProblem.notFound(`merchant ${merchantId} has no profile yet: its wallet is not in the merchant_profiles read model`);
    const doc = merchantProfileDoc(profile.body);
    if (asOf !== undefined) requireProfileDate(asOf, closed, doc.retainedFrom);
    return merchantProfileBody(party, doc, asOf ?? closed, profile.position);
  }

  /** The merchant by its party id; a wallet id gets a 404 that says which id the route takes. */
  private async merchant(merchantId: string): Promise<PartyDoc> {
    const body = await this.readModels.get(PARTIES_PROJECTION, PARTIES_COLLECTION, merchantId);
    if (body && body.kind === 'merchant') return body as unknown as PartyDoc;
    const owner = (await this.readModels.find(PARTIES_PROJECTION, PARTIES_COLLECTION, { where: { kind: { eq: 'merchant' }, walletId: { eq: merchantId } }, limit: 1 }))[0];
    const hint = owner ? `; ${merchantId} is the wallet of merchant ${owner.id}, whose id this route takes` : "; this route takes the merchant's id (the id POST /merchants answered), not its wallet id";
    throw HttpProblem.notFound(`no merchant ${merchantId}${hint}`);
  }
}

/** A profile is as of a closed business day it still holds the days of; any other date would answer a series that misleads. */
function requireProfileDate(asOf: IsoDate, closed: IsoDate, retainedFrom: IsoDate | null): void {
  const refuse = (why: string) => {
    throw new HttpProblem(400, `asOf must be a closed business date the profile holds; ${why}`, { code: 'INVALID_PARAMETER', field: 'asOf' });
  };
  if (asOf > closed) refuse(`the last closed date is ${closed}`);
  if (!isBusinessDay(asOf)) refuse(`${asOf} is not a business day`);
  if (retainedFrom !== null && asOf < retainedFrom) refuse(`the profile keeps the days from ${retainedFrom} on (about a year of business days)`);
}
