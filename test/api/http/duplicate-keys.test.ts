import fc from 'fast-check';
import { firstDuplicateKey } from '../../../src/api/http/duplicate-keys';

describe('firstDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1,"c":{"d":1},"b":2}}', 'a.b'],
    ['[{"a":1},{"b":1,"b":1}]', '[1].b'],
    ['{"x":[1,2,{"k":"v","k":"w"}]}', 'x[2].k'],
    ['{"a\\u0062":1,"ab":2}', 'ab'],
  ])('names the first key given twice in %s', (text, path) => {
    expect(firstDuplicateKey(text)).toBe(path);
  });

  it.each(['{"a":"a","b":"a"}', '{"a":{"a":{"a":1}}}', '[{"a":1},{"a":1}]', '{"a\\"":1,"a":2}', '"{\\"a\\":1,\\"a\\":1}"', '{}', '[]', '1'])('finds none in %s', (text) => {
    expect(firstDuplicateKey(text)).toBeUndefined();
  });

  it('finds none in any text JSON.stringify writes, and finds a key repeated into any of its objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (object, key) => {
        const text = JSON.stringify(object);
        expect(firstDuplicateKey(text)).toBeUndefined();
        const repeated = `{${JSON.stringify(key)}:1,${text.slice(1, -1)}${text === '{}' ? '' : ','}${JSON.stringify(key)}:2}`;
        expect(firstDuplicateKey(repeated)).toBe(key);
      }),
      { seed: 20_261_202, numRuns: 300 },
    );
  });
});
