import type { EventStore } from '../../eventstore';
import { type PositionState, positionDecider, positionStream } from '../../domain/position/position.decider';
import { type Loaded, loadStored } from '../commands/stored-aggregate';

export function loadPosition(store: EventStore, walletId: string, fundCode: string): Promise<Loaded<PositionState>> {
  return loadStored(store, positionStream(walletId, fundCode), positionDecider, 'position-v1');
}
