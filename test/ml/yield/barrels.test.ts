import * as market from '../../../src/ml/market';
import * as yieldModels from '../../../src/ml/yield';

describe('src/ml/market and src/ml/yield barrels', () => {
  it('export the public API under distinct names (so src/ml/index.ts can re-export both)', () => {
    for (const name of ['simulateMarket', 'simulateMerchants', 'SeededRandom', 'calibrationTable', 'SimulatorInputError', 'sevenDayYieldPct']) expect(market).toHaveProperty(name);
    for (const name of ['elasticNet', 'elasticNetGram', 'forecastFundYields', 'evaluateYieldForecasts', 'walkForwardYieldForecasts', 'ModelInputError', 'syntheticRegression']) {
      expect(yieldModels).toHaveProperty(name);
    }
    const shared = Object.keys(market).filter((name) => name in yieldModels);
    expect(shared).toEqual([]);
  });
});
