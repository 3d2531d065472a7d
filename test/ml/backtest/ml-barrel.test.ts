import * as ml from '../../../src/ml';
import * as market from '../../../src/ml/market';
import * as yieldModels from '../../../src/ml/yield';
import * as demand from '../../../src/ml/demand';
import * as iimmf from '../../../src/ml/portfolio/iimmf';

describe('src/ml/index.ts', () => {
  it('re-exports every value of the market, yield, demand and IIMMF modules, with no name taken twice', () => {
    const modules = { market, yieldModels, demand, iimmf };
    const seen = new Map<string, string>();
    for (const [moduleName, module] of Object.entries(modules)) {
      for (const name of Object.keys(module)) {
        expect(seen.get(name) ?? moduleName).toBe(moduleName);
        seen.set(name, moduleName);
        expect(ml).toHaveProperty(name);
      }
    }
    for (const name of ['simulateMarket', 'walkForwardYieldForecasts', 'forecastManyWithStats', 'optimiseAllocation', 'createOptimiser']) expect(ml).toHaveProperty(name);
  });
});
