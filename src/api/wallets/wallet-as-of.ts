import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../../eventstore';
import { CALENDAR_STREAM } from '../../domain/calendar/calendar.decider';
import { decodeData } from '../../domain/event-codec';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { positionStream } from '../../domain/position/position.decider';
import { walletStream } from '../../domain/wallet/wallet.decider';
import { invariant } from '../../invariant';
import { ReadModels } from '../../projections';
import type { FindQuery } from '../../projections/read-store';
import { CALENDAR_COLLECTION, CALENDAR_DOC_ID, type CalendarDoc, calendarProjection } from '../../projections/read-models/calendar.projection';
import {
  type WalletCheckpointDoc,
  type WalletDoc,
  WALLET_CHECKPOINTS_COLLECTION,
  WALLETS_COLLECTION,
  walletsProjection,
} from '../../projections/read-models/wallets.projection';
import type { AsOf } from '../as-of/as-of';
import { AsOfFolds, type FoldCheckpoint } from '../as-of/as-of-folds';
import { MemoryProjectionView } from '../as-of/memory-projection-view';
import { readModelThrough } from '../as-of/read-model-through';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import { type OpenedWalletDoc, type WalletView, isOpened, walletViewOf } from './wallet-view';

export interface WalletThen {
  wallet: OpenedWalletDoc;
  /** The position of the wallet's last event at or before the moment: its transactions then are those up to it. */
  lastPosition: bigint;
}

/**
 * A wallet as the wallets read model held it at a moment: the wallets projection's own `apply` over the
 * wallet's streams (its wallet stream and one position stream per fund it ever bought) up to that moment,
 * and the calendar the same way. Only those streams are read, never the whole log.
 */
@Injectable()
export class WalletAsOf {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    private readonly folds: AsOfFolds,
  ) {}

  async view(walletId: string, asOf: AsOf): Promise<WalletView> {
    const [{ wallet }, calendar] = await Promise.all([this.wallet(walletId, asOf), this.calendar(asOf)]);
    // The calendar is started before any wallet is opened, so a wallet open then had a calendar then.
    invariant(calendar !== undefined, () => `wallet ${walletId} was open at ${new Date(asOf.atMs).toISOString()}, before the calendar started`);
    return walletViewOf(wallet, calendar);
  }

  /** 404 when the wallet was not open at the moment, whether or not it is now. */
  async wallet(walletId: string, asOf: AsOf): Promise<WalletThen> {
    const notThen = () => HttpProblem.notFound(`wallet ${walletId} did not exist at ${new Date(asOf.atMs).toISOString()}`);
    // The position streams to read are the funds the wallet has bought, which the live document lists once it
    // has applied everything up to the moment (a fund first bought after the moment adds a stream with nothing in it).
    await readModelThrough(this.readModels, this.store, 'wallets', asOf.atMs);
    const [live, stored] = await Promise.all([this.readModels.get('wallets', WALLETS_COLLECTION, walletId), this.storedCheckpoint(walletId, asOf.atMs)]);
    if (!live) throw notThen();
    const streams = [walletStream(walletId), ...decodeData<WalletDoc>(live).funds.map((fund) => positionStream(walletId, fund.fundCode))];
    const { view, lastPosition } = await this.folds.fold(walletsProjection, streams, asOf.atMs, { stored, collections: [WALLETS_COLLECTION] });
    const wallet = view.value<WalletDoc>(WALLETS_COLLECTION, walletId);
    if (!isOpened(wallet) || lastPosition === undefined) throw notThen();
    return { wallet, lastPosition };
  }

  /** The wallets projection's latest checkpoint of the wallet at or before the moment. */
  private async storedCheckpoint(walletId: string, atMs: number): Promise<FoldCheckpoint | undefined> {
    const [doc] = await this.readModels.find('wallets', WALLET_CHECKPOINTS_COLLECTION, walletCheckpointQuery(walletId, atMs));
    return doc && foldCheckpointOf(doc.body as unknown as WalletCheckpointDoc);
  }

  private async calendar(asOf: AsOf): Promise<CalendarDoc | undefined> {
    // The calendar document carries the rule sets adopted by then, from the rule book's stream.
    const { view } = await this.folds.fold(calendarProjection, [CALENDAR_STREAM, RULE_BOOK_STREAM], asOf.atMs);
    return view.value<CalendarDoc>(CALENDAR_COLLECTION, CALENDAR_DOC_ID);
  }
}

/** The latest checkpoint of a wallet wholly at or before `atMs` (recordedThroughMs is a running maximum along positions). */
export function walletCheckpointQuery(walletId: string, atMs: number): FindQuery {
  return { where: { walletId: { eq: walletId }, recordedThroughMs: { lte: atMs } }, orderBy: ['recordedThroughMs'], direction: 'desc', limit: 1 };
}

/** A stored checkpoint of a wallet as a fold starts from it. */
export function foldCheckpointOf(checkpoint: WalletCheckpointDoc): FoldCheckpoint {
  const docs = new MemoryProjectionView();
  docs.put(WALLETS_COLLECTION, checkpoint.walletId, checkpoint.wallet);
  return {
    position: BigInt(checkpoint.position),
    recordedThroughMs: checkpoint.recordedThroughMs,
    nextRevisions: new Map(Object.entries(checkpoint.nextRevisions).map(([stream, revision]) => [stream, BigInt(revision)])),
    docs: docs.snapshot(),
  };
}
