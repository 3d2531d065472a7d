import fc from 'fast-check';
import { firstLoneSurrogate } from '../../../src/api/http/json-body-parser';

describe('firstLoneSurrogate', () => {
  it.each([
    [{ name: 'a\ud800b' }, 'name'],
    [{ name: 'ok', switches: [{ toFund: 'x' }, { toFund: '\udc00' }] }, 'switches[1].toFund'],
    [['\ud83d'], '[0]'],
    [{ 'k\ud800': 1 }, 'k\ud800'],
    ['\udfff\ud800', ''],
  ])('names the first string or key holding one: %j', (value, path) => {
    expect(firstLoneSurrogate(value)).toBe(path);
  });

  it('finds none in well-formed text, pairs (emoji) included, and walks deep nesting without recursion', () => {
    expect(firstLoneSurrogate({ name: 'Li Wei 李伟 😀', list: [1, true, null, { x: '\ud83d\ude00' }] })).toBeUndefined();
    let deep: unknown = 'end';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(firstLoneSurrogate(deep)).toBeUndefined();
  });

  it('over any JSON of well-formed strings finds none, and finds a lone surrogate put into any string', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.integer({ min: 0xd800, max: 0xdfff }), (text, surrogate) => {
        const value: unknown = JSON.parse(text);
        expect(firstLoneSurrogate(value)).toBeUndefined();
        const spoiled = { ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}), spoiled: `x${String.fromCharCode(surrogate)}y` };
        expect(firstLoneSurrogate(spoiled)).toBe('spoiled');
      }),
      { seed: 20260105, numRuns: 200 },
    );
  });
});
