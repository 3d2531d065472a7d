import { MAX_PROPOSED_SWITCHES, switchesFor } from '../../src/api/processes/proposed-switches';

describe('the switches that carry out a proposal', () => {
  it('move each surplus to the largest shortfall first, and conserve the amount', () => {
    const targets = [
      { fundCode: 'A', currentFen: 1_000_000n, targetFen: 200_000n },
      { fundCode: 'B', currentFen: 0n, targetFen: 300_000n },
      { fundCode: 'C', currentFen: 100_000n, targetFen: 600_000n },
    ];
    expect(switchesFor(targets)).toEqual([
      { fromFund: 'A', toFund: 'C', amountFen: 500_000n },
      { fromFund: 'A', toFund: 'B', amountFen: 300_000n },
    ]);
  });

  it('make nothing of a proposal that changes nothing or moves less than one CNY', () => {
    expect(switchesFor([{ fundCode: 'A', currentFen: 500n, targetFen: 500n }])).toEqual([]);
    expect(switchesFor([{ fundCode: 'A', currentFen: 550n, targetFen: 500n }, { fundCode: 'B', currentFen: 0n, targetFen: 50n }])).toEqual([]);
  });

  it('stop at the most a request may ask for', () => {
    const sinks = Array.from({ length: 15 }, (_, i) => ({ fundCode: `S${String(i).padStart(2, '0')}`, currentFen: 0n, targetFen: 10_000n }));
    expect(switchesFor([{ fundCode: 'A', currentFen: 150_000n, targetFen: 0n }, ...sinks])).toHaveLength(MAX_PROPOSED_SWITCHES);
  });
});
