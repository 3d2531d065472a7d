import { InvalidCursorError, PageCursors } from '../../src/projections/page-cursor';
import { SqliteReadStore } from '../../src/projections/sqlite/sqlite-read-store';

describe('page cursors', () => {
  it('give back the sort values of the page they were issued for, and refuse every other text', async () => {
    const store = SqliteReadStore.open(':memory:');
    const cursors = await PageCursors.open(store);
    const cursor = cursors.encode('wallet-1|all', ['00000000000000000042:0']);
    expect(cursors.decode('wallet-1|all', cursor)).toEqual(['00000000000000000042:0']);
    expect(() => cursors.decode('wallet-1|kind=deposit', cursor)).toThrow(InvalidCursorError);
    // Every one-character edit, including those that change only the spare bits of the last base64 character.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < cursor.length; i++) {
      if (cursor[i] === '.') continue;
      for (const c of alphabet) {
        if (c === cursor[i]) continue;
        const edited = cursor.slice(0, i) + c + cursor.slice(i + 1);
        expect(() => cursors.decode('wallet-1|all', edited)).toThrow(InvalidCursorError);
      }
    }
    // The key is kept in the read store: another server on it accepts the cursor.
    expect((await PageCursors.open(store)).decode('wallet-1|all', cursor)).toEqual(['00000000000000000042:0']);
    await store.close();
  });
});
