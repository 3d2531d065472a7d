import type { JsonObject, RecordedEvent } from '../event-store';

/** One row of `events` joined with its stream's name, as every read query selects it. */
export interface EventRow {
  position: number;
  name: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: number;
  hash: string;
}

export const EVENT_COLUMNS =
  'e.position, s.name, e.revision, e.id, e.type, e.data, e.metadata, e.recorded_at, e.hash';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    stream: row.name,
    type: row.type,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    recordedAt: new Date(row.recorded_at),
    hash: row.hash,
  };
}
