import { HttpProblem } from '../../src/api/http/problem';
import { startKeyed } from '../../src/api/processes/keyed-start';
import { BusinessKeyClaimedError, type ProcessEngine } from '../../src/processes/engine';

/** Zeebe refuses a business key it claimed before a restart; without a gateway here, that refusal is staged. */
const claimingEngine = { startInstance: () => Promise.reject(new BusinessKeyClaimedError('merchant-withdrawal', 'wallet:w:merchant-withdrawal:k')) } as unknown as ProcessEngine;

describe('a keyed start', () => {
  it('answers a key Zeebe claimed and no longer remembers with 409, naming it, and starts nothing', async () => {
    const refusal = await startKeyed(claimingEngine, 'merchant-withdrawal', { walletId: 'w', amount: '1.00' }, 'wallet:w:merchant-withdrawal:k').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HttpProblem);
    expect(refusal).toMatchObject({ status: 409, code: 'BUSINESS_KEY_CLAIMED' });
  });
});
