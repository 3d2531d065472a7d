import { SqliteEventStore } from '../../src/eventstore';
import { DailyForecasts } from '../../src/api/intelligence/daily-forecasts';
import { decodeData } from '../../src/domain/event-codec';
import { dailyForecastStream } from '../../src/domain/forecast/daily-forecast.decider';
import { REGISTRIES } from '../../src/domain/registry/registry.decider';
import { ProjectionBehindError, type ReadModels } from '../../src/projections';

/**
 * The close's forecasts when the merchant profiles lag the log: rather than fail the close or forecast from
 * a partial series, every registered merchant is skipped with the reason, and the forecasts are recorded.
 */
const MERCHANTS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];

describe('the daily forecasts, with the merchant profiles behind', () => {
  it('record a skip for every registered merchant, naming the read model and the position it did not reach', async () => {
    const store = SqliteEventStore.open(':memory:');
    await store.append(REGISTRIES.merchants, MERCHANTS.map((id) => ({ type: 'MemberListed', data: { id } })));
    const waits: bigint[] = [];
    const readModels = {
      atLeast: async (_names: readonly string[], position: bigint) => {
        waits.push(position);
        throw new ProjectionBehindError('merchant_profiles', position, 0n, 1);
      },
      find: async () => {
        throw new Error('the series must not be read from a read model that is behind');
      },
    } as unknown as ReadModels;
    const inputsPosition = await store.lastPosition();
    const summary = await new DailyForecasts(store, readModels, { packageVersion: '0.1.0', gitCommit: 'unknown' }).run('2026-01-05');

    expect(summary).toMatchObject({ recorded: true, merchants: 0, skipped: 2 });
    expect(new Set(waits)).toEqual(new Set([inputsPosition]));
    const skips = [];
    for await (const event of store.readStream(dailyForecastStream('2026-01-05'))) {
      expect(event.metadata.inputsPosition).toBe(inputsPosition.toString());
      if (event.type === 'ForecastSkipped') skips.push(decodeData<{ subject: string; forecastDate: string; reason: string }>(event.data));
      else expect(event.type).toBe('ForecastsRecorded');
    }
    expect(skips.map((s) => s.subject)).toEqual(MERCHANTS.map((id) => `merchant ${id}`));
    for (const skip of skips) expect(skip).toMatchObject({ forecastDate: '2026-01-06', reason: expect.stringMatching(/^PROJECTION_BEHIND: the merchant_profiles read model is at position 0, behind \d+/) });
    await store.close();
  });
});
