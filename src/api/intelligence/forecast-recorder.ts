import { type EventStore, LIMITS, canonicalJson } from '../../eventstore';
import { encodeData } from '../../domain/event-codec';
import type { IsoDate } from '../../domain/iso-date';
import {
  type DailyForecastState,
  type DailyForecastStreamEvent,
  type ForecastCounts,
  type ForecastProvenance,
  MAX_SUBJECT_EVENTS,
  type SubjectForecasts,
  dailyForecastDecider,
  dailyForecastStream,
} from '../../domain/forecast/daily-forecast.decider';
import { invariant } from '../../invariant';
import { type DecisionMetadata, type Loaded, expectedAfter, isEntityEvent, toDomainEvent, toEventInputs } from '../commands/stored-aggregate';

/** Forecast events per append: half the store's limit (LIMITS.maxEventsPerAppend). */
export const FORECAST_EVENTS_PER_APPEND = 5_000;
/**
 * Bytes of data and metadata per append, as canonical JSON: half EventStoreDB's default MaxAppendSize of 1 MiB,
 * which leaves room for the metadata its adapter adds to each event and for the marker of the last append.
 * With metadata and provenance (about 260 and 120 bytes), a merchant's demand forecast is about 800 bytes,
 * its proposal over three funds about 830 and a fund's forecast with the pooled model's 28 coefficients about
 * 2,100: this is the bound that holds an append to about 320 merchants' forecasts and proposals.
 */
export const FORECAST_BYTES_PER_APPEND = 512 * 1024;

export interface AppendBounds {
  /** From MAX_SUBJECT_EVENTS, so a subject and the marker each fit alone, to the store's limit. */
  events: number;
  /** A subject larger than this still goes alone into one append: a subject is never split. */
  bytes: number;
}

export const FORECAST_APPEND_BOUNDS: AppendBounds = { events: FORECAST_EVENTS_PER_APPEND, bytes: FORECAST_BYTES_PER_APPEND };

function checkAppendBounds({ events, bytes }: AppendBounds): void {
  invariant(Number.isInteger(events) && events >= MAX_SUBJECT_EVENTS && events <= LIMITS.maxEventsPerAppend, () => `${events} forecast events per append is not from ${MAX_SUBJECT_EVENTS} to ${LIMITS.maxEventsPerAppend}`);
  invariant(Number.isInteger(bytes) && bytes > 0, () => `${bytes} bytes per append is not a positive integer`);
}

const MARKER: DailyForecastStreamEvent['type'] = 'ForecastsRecorded';

/**
 * The state of the forecasts made at the close of `date`. The marker is always a whole close's last event, so
 * when it is there the forecasts before it (up to 200,000 at 100,000 merchants) are not read. The stream is
 * folded here, not through loadStored: its state lists every subject, too large to snapshot every 200 events.
 */
export async function loadCloseForecasts(store: EventStore, date: IsoDate): Promise<Loaded<DailyForecastState>> {
  const stream = dailyForecastStream(date);
  const { evolve, initialState } = dailyForecastDecider;
  for await (const last of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
    if (last.type === MARKER) return { state: evolve(initialState, toDomainEvent(last)), revision: last.revision };
  }
  let loaded: Loaded<DailyForecastState> = { state: initialState, revision: -1n };
  for await (const recorded of store.readStream(stream)) {
    if (isEntityEvent(recorded)) loaded = { state: evolve(loaded.state, toDomainEvent(recorded)), revision: recorded.revision };
  }
  return loaded;
}

type ForecastMetadata = DecisionMetadata & Readonly<Record<string, string>>;

/** What every event of one run of a close's forecasts is recorded with. */
export interface ForecastRecording {
  metadata: ForecastMetadata;
  /** Put into each event's data, the marker's too: the run that recorded the event made it. */
  provenance: ForecastProvenance;
}

/**
 * Records one close's forecasts on its stream as they are made, in appends within `bounds`, each expecting
 * the revision the one before left, a subject's forecasts never split between two and the marker in the last;
 * what an interrupted attempt recorded is left out by the decider. Only one append's worth is held at a time.
 */
export class ForecastRecorder {
  private pending: SubjectForecasts[] = [];
  private pendingEvents = 0;
  private pendingBytes = 0;
  private readonly metadataBytes: number;

  constructor(
    private readonly store: EventStore,
    private readonly date: IsoDate,
    private readonly recording: ForecastRecording,
    private loaded: Loaded<DailyForecastState>,
    private readonly bounds: AppendBounds,
  ) {
    checkAppendBounds(bounds);
    this.metadataBytes = Buffer.byteLength(canonicalJson(recording.metadata));
  }

  /** Queues a subject's forecasts, recording what is queued first when they would not fit in its append. */
  async add(subject: SubjectForecasts): Promise<void> {
    const forecasts = subject.map((event) => this.withProvenance(event));
    const bytes = forecasts.reduce((sum, event) => sum + Buffer.byteLength(canonicalJson(encodeData(event.data))) + this.metadataBytes, 0);
    if (this.pendingEvents + forecasts.length > this.bounds.events || this.pendingBytes + bytes > this.bounds.bytes) await this.record(false);
    this.pending.push(forecasts);
    this.pendingEvents += forecasts.length;
    this.pendingBytes += bytes;
  }

  /** Records what is queued and the marker after it; returns the close's counts. */
  async finish(): Promise<ForecastCounts> {
    if (this.pendingEvents + 1 > this.bounds.events) await this.record(false);
    await this.record(true);
    return this.loaded.state.counts;
  }

  private async record(last: boolean): Promise<void> {
    const decided = dailyForecastDecider.decide({ type: 'RecordForecasts', date: this.date, subjects: this.pending, last }, this.loaded.state);
    // The forecasts are stamped already; the marker, made by the decider, is stamped here.
    const events = decided.map((event) => (event.type === MARKER ? this.withProvenance(event) : event));
    this.pending = [];
    this.pendingEvents = 0;
    this.pendingBytes = 0;
    if (events.length === 0) return;
    invariant(events.length <= this.bounds.events, () => `${events.length} forecast events decided for one append of at most ${this.bounds.events}`);
    const stream = dailyForecastStream(this.date);
    const { nextRevision } = await this.store.append(stream, toEventInputs(events, this.recording.metadata), { expectedRevision: expectedAfter(this.loaded.revision) });
    this.loaded = { state: events.reduce(dailyForecastDecider.evolve, this.loaded.state), revision: nextRevision };
  }

  private withProvenance<E extends DailyForecastStreamEvent>(event: E): E {
    return { ...event, data: { ...event.data, provenance: this.recording.provenance } };
  }
}
