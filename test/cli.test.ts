import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEventStore } from '../src/eventstore';
import { READ_MODELS, SqliteReadStore } from '../src/projections';
import { expectedAfter, toEventInputs } from '../src/api/commands/stored-aggregate';
import { calendarDecider } from '../src/domain/calendar/calendar.decider';
import { fold } from '../src/domain/decider';
import { ruleSetOn } from '../src/domain/rules/rule-set';
import { walletDecider } from '../src/domain/wallet/wallet.decider';

const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
const env = { ...process.env, IFW_EVENTSTORE_URL: '', IFW_READSTORE_URL: '' };
const ifw = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });

let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ifw-cli-'));
  const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`, { clock: () => Date.UTC(2026, 0, 1) });
  await store.append('wallet-1', [
    { type: 'Deposited', data: { amount: '10.00' } },
    { type: 'Withdrawn', data: { amount: '3.50' } },
  ]);
  await store.append('fund-YEB', [{ type: 'FundRegistered', data: { code: 'YEB' } }]);
  await store.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ifw', () => {
  it('lists its commands, gives help for each, and refuses unknown ones with status 2', () => {
    const usage = ifw('--help');
    expect(usage.status).toBe(0);
    for (const words of [['serve'], ['projector'], ['projections', 'rebuild'], ['audit', 'verify'], ['audit', 'replay'], ['simulate'], ['market']]) {
      expect(usage.stdout).toContain(words.join(' '));
      const help = ifw(...words, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('--data DIR');
      expect(help.stdout).toContain('--json');
    }
    expect(ifw('help').status).toBe(0);
    expect(ifw('fly').status).toBe(2);
    const badOption = ifw('audit', 'verify', '--colour');
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
  });

  it('refuses to be run with no command, status 2 with the usage on stderr', () => {
    const bare = ifw();
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('ifw: no command given');
    expect(bare.stderr).toContain('audit replay');
  });

  it('prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(ifw(flag)).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it("lists a group's commands with their summaries, status 0 when asked and 2 when none is named", () => {
    const audit = ifw('audit', '--help');
    expect(audit.status).toBe(0);
    expect(audit.stdout).toMatch(/^ {2}verify +verify every hash chain/m);
    expect(audit.stdout).toMatch(/^ {2}replay +print the event history/m);
    expect(ifw('projections', 'help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^ {2}rebuild +rebuild read models/m) });
    const bare = ifw('audit');
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('ifw audit: no command given');
    expect(ifw('audit', 'fly').stderr).toContain('ifw audit: unknown command "audit fly"');
  });

  it("audit verify names the head, the log's position and hash in its chain, and audit anchor prints it alone", () => {
    const intact = ifw('audit', 'verify', '--data', dir, '--json');
    expect(intact.status).toBe(0);
    const anchor = ifw('audit', 'anchor', '--data', dir);
    expect(anchor.stdout).toMatch(/^[0-9a-f]{64}@3\n$/);
    const [hash] = anchor.stdout.trim().split('@');
    expect(JSON.parse(intact.stdout)).toEqual({ ok: true, eventsChecked: 3, streamsChecked: 2, snapshotsChecked: 0, checkpoints: null, head: { position: '3', hash } });
    expect(JSON.parse(ifw('audit', 'anchor', '--data', dir, '--json').stdout)).toEqual({ position: '3', hash });
    expect(ifw('audit', 'verify', '--data', dir).stdout).toContain(`head: ${hash}@3 (keep it elsewhere`);
    expect(ifw('audit', 'verify', '--data', dir, '--anchor', `${hash}@3`).status).toBe(0);
    const other = ifw('audit', 'verify', '--data', dir, '--anchor', `${'0'.repeat(64)}@3`);
    expect(other.status).toBe(3);
    expect(other.stdout).toContain('re-chained at position 3');
    expect(ifw('audit', 'verify', '--data', dir, '--anchor', 'nonsense')).toMatchObject({ status: 2, stderr: expect.stringContaining('--anchor must be HASH@POSITION') });
  });

  it('audit verify exits 3 on a tampered log, naming the kind of damage and where', () => {
    const db = new Database(join(dir, 'ifw.db'));
    db.exec(`UPDATE events SET data = '{"amount":"1.00"}' WHERE position = 2`);
    db.close();
    const tampered = ifw('audit', 'verify', '--data', dir);
    expect(tampered.status).toBe(3);
    expect(tampered.stdout).toContain('NOT INTACT (edited)');
    expect(tampered.stdout).toContain('edited at position 2 (stream "wallet-1", revision 1)');
    expect(JSON.parse(ifw('audit', 'verify', '--data', dir, '--json').stdout).firstBreak).toMatchObject({ kind: 'edited', position: '2', stream: 'wallet-1' });
  });

  it('audit verify of a log large enough for worker threads reports what a walk in this thread reports', async () => {
    // Below 50,000 events the walk stays in its thread; the build's worker entry and a second core make it parallel.
    expect(existsSync(join(process.cwd(), 'dist', 'eventstore', 'sqlite', 'verify-worker.js'))).toBe(true);
    expect(availableParallelism()).toBeGreaterThan(1);
    const path = join(dir, 'ifw.db');
    const store = openEventStore(`sqlite:${path}`, { clock: () => Date.UTC(2026, 0, 1) });
    for (let at = 0; at < 60_000; at += 1_000) {
      await store.append(`wallet-${(at / 1_000) % 7}`, Array.from({ length: 1_000 }, (_, n) => ({ type: 'Deposited', data: { amountFen: String(n + 1) } })));
    }
    await store.close();
    const inThread = async () => {
      const readOnly = openEventStore(`sqlite:${path}`, { readOnly: true });
      const report = await readOnly.verifyAll();
      await readOnly.close();
      return { ok: report.ok, eventsChecked: report.eventsChecked, streamsChecked: report.streamsChecked, breaks: (report.breaks ?? []).map((b) => [b.kind, String(b.position)]) };
    };
    const parallel = () => {
      const { stdout } = ifw('audit', 'verify', '--data', dir, '--json');
      const report = JSON.parse(stdout) as { ok: boolean; eventsChecked: number; streamsChecked: number; breaks?: { kind: string; position: string }[] };
      return { ok: report.ok, eventsChecked: report.eventsChecked, streamsChecked: report.streamsChecked, breaks: (report.breaks ?? []).map((b) => [b.kind, b.position]) };
    };
    expect(parallel()).toEqual({ ok: true, eventsChecked: 60_003, streamsChecked: 8, breaks: [] });
    const db = new Database(path);
    db.exec(`UPDATE events SET data = '{"amountFen":"100000000"}' WHERE position = 25000; DELETE FROM events WHERE position = 41234;
             UPDATE events SET position = 70000 WHERE position = 52000`);
    db.close();
    const expected = await inThread();
    expect(expected.breaks.map(([kind]) => kind)).toEqual(expect.arrayContaining(['edited', 'removed', 'reordered']));
    expect(parallel()).toEqual(expected);
  });

  it('audit verify --stream names the stream\'s last event and its stream hash; a store that is not there is exit 2 and is not made', async () => {
    const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
    const [, withdrawn] = await collect(store.readAll());
    await store.close();
    expect(JSON.parse(ifw('audit', 'verify', '--data', dir, '--stream', 'wallet-1', '--json').stdout).head).toEqual({
      position: '2',
      stream: 'wallet-1',
      revision: '1',
      hash: withdrawn!.hash,
    });
    const empty = mkdtempSync(join(tmpdir(), 'ifw-cli-empty-'));
    try {
      const missing = ifw('audit', 'verify', '--data', join(empty, 'typo'), '--json');
      expect(missing).toMatchObject({ status: 2, stderr: expect.stringContaining('there is no event store at') });
      expect(existsSync(join(empty, 'typo'))).toBe(false);
      expect(ifw('audit', 'anchor', '--data', join(empty, 'typo')).status).toBe(2);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const unknown = ifw('audit', 'verify', '--data', dir, '--stream', 'nosuch');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no stream "nosuch" in the log');
  });

  it('audit replay prints the log in order, one stream as of a revision, or filtered', () => {
    const all = ifw('audit', 'replay', '--data', dir, '--json');
    expect(all.status).toBe(0);
    const lines = all.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.position, e.stream, e.type])).toEqual([
      ['1', 'wallet-1', 'Deposited'],
      ['2', 'wallet-1', 'Withdrawn'],
      ['3', 'fund-YEB', 'FundRegistered'],
    ]);
    const asOf = ifw('audit', 'replay', '--data', dir, '--stream', 'wallet-1', '--to-revision', '0', '--json');
    expect(asOf.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['Deposited']);
    const funds = ifw('audit', 'replay', '--data', dir, '--prefix', 'fund-');
    expect(funds.stdout).toContain('fund-YEB@0');
    expect(funds.stdout).not.toContain('wallet-1');
    const bad = ifw('audit', 'replay', '--data', dir, '--to-revision', 'ten');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--to-revision must be a non-negative integer');
  });

  it('audit replay refuses, with status 2, what would print nothing by mistake: a revision without a stream, an unknown stream or type', () => {
    const noStream = ifw('audit', 'replay', '--data', dir, '--to-revision', '0');
    expect(noStream.status).toBe(2);
    expect(noStream.stderr).toMatch(/^ifw audit replay: --to-revision needs --stream/);
    const unknownStream = ifw('audit', 'replay', '--data', dir, '--stream', 'nosuch');
    expect(unknownStream.status).toBe(2);
    expect(unknownStream.stderr).toContain('no stream "nosuch" in the log');
    const unknownType = ifw('audit', 'replay', '--data', dir, '--type', 'Deposit');
    expect(unknownType.status).toBe(2);
    expect(unknownType.stderr).toContain('no event of type "Deposit" in the log; its types are Deposited, FundRegistered, Withdrawn');
    expect(ifw('audit', 'replay', '--data', dir, '--stream', 'fund-YEB', '--type', 'Deposited')).toMatchObject({ status: 0, stdout: '' });
  });

  it('audit replay prints income per 10,000 shares in CNY as the API does, and as stored with --stored', async () => {
    const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
    await store.append('fund-YEB', [{ type: 'IncomePublished', data: { date: '2026-01-02', perTenK: '4500' } }]);
    await store.close();
    const replay = (...flags: string[]) => ifw('audit', 'replay', '--data', dir, '--type', 'IncomePublished', ...flags).stdout;
    expect(JSON.parse(replay('--json')).data).toEqual({ date: '2026-01-02', perTenK: '0.4500' });
    expect(replay()).toContain('{"date":"2026-01-02","perTenK":"0.4500 CNY"}');
    expect(JSON.parse(replay('--json', '--stored')).data).toEqual({ date: '2026-01-02', perTenK: '4500' });
    expect(ifw('audit', 'replay', '--help').stdout).toContain('income per\n10,000 shares in CNY');
  });

  it('audit replay ends quietly with status 0 when its reader stops reading (| head -1)', async () => {
    const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
    // Far more than a pipe buffers, so the replay is still writing when the reader goes.
    for (let batch = 0; batch < 10; batch++) {
      await store.append(`wallet-many-${batch}`, Array.from({ length: 500 }, () => ({ type: 'Deposited', data: { amount: '1.00', note: 'x'.repeat(100) } })));
    }
    await store.close();
    const replay = spawn(process.execPath, [bin, 'audit', 'replay', '--data', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    replay.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    replay.stdout!.once('data', () => replay.stdout!.destroy());
    const status = await new Promise<number | null>((resolve) => replay.on('exit', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('projections rebuild builds every read model beside the served one, with equal digests, or refuses an unknown name with the list', () => {
    const rebuilt = ifw('projections', 'rebuild', '--data', dir, '--json');
    expect(rebuilt.status).toBe(0);
    const { projections } = JSON.parse(rebuilt.stdout) as { projections: { name: string; events: number; liveDigest: string; rebuiltDigest: string; version: number }[] };
    expect(projections.map((p) => p.name)).toEqual(READ_MODELS.map((d) => d.name));
    for (const projection of projections) {
      expect(projection).toMatchObject({ events: 3, version: 2 });
      expect(projection.rebuiltDigest).toBe(projection.liveDigest);
    }
    const again = JSON.parse(ifw('projections', 'rebuild', '--data', dir, '--name', 'wallets', '--json').stdout) as { projections: { version: number }[] };
    expect(again.projections[0]!.version).toBe(3);
    const unknown = ifw('projections', 'rebuild', '--data', dir, '--name', 'walets');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no read model "walets"; the read models are calendar, wallets');
  });

  it('projections rebuild --rules reports what a proposed rule set changes and would have refused, and serves nothing new', async () => {
    const store = openEventStore(`sqlite:${join(dir, 'ifw.db')}`);
    const metadata = { correlationId: 'c', causationId: 'c', principal: 'operator:test', ruleSetVersion: 'csrc-pboc-2018-06', businessDate: '2026-01-05' };
    const append = async (stream: string, events: { type: string; data: object }[]) => {
      await store.append(stream, toEventInputs(events, metadata), { expectedRevision: expectedAfter(await store.streamRevision(stream)) });
    };
    await append('calendar', calendarDecider.decide({ type: 'StartCalendar', startDate: '2026-01-05' }, calendarDecider.initialState));
    const wallet = 'a0000000-0000-4000-8000-000000000001';
    const opened = walletDecider.decide({ type: 'OpenWallet', walletId: wallet, ownerKind: 'customer', ownerId: 'p-1', accountTier: 'I' }, walletDecider.initialState);
    const funded = fold(walletDecider, [...opened, ...walletDecider.decide({ type: 'Deposit', amountFen: 100_000n }, fold(walletDecider, opened))]);
    const paid = walletDecider.decide({ type: 'SendPayment', paymentId: 'pay-1', toWalletId: 'b0000000-0000-4000-8000-000000000002', amountFen: 80_000n, businessDate: '2026-01-05', ruleSet: ruleSetOn('2026-01-05') }, funded);
    await append(`wallet-${wallet}`, [...opened, { type: 'CashDeposited', data: { amountFen: 100_000n, postings: [] } }, ...paid]);
    const tight = { ...ruleSetOn('2026-01-05'), version: 'tight-2027', effectiveFrom: '2027-01-01', accountTiers: { ...ruleSetOn('2026-01-05').accountTiers!, I: { paymentLimitFen: 50_000n, period: 'lifetime' as const, mayBuyFunds: false } } };
    await append('compliance-rules', [{ type: 'RuleSetProposed', data: { ruleSet: tight } }]);
    await store.close();

    const result = ifw('projections', 'rebuild', '--data', dir, '--rules', 'tight-2027', '--applies-from', '2026-01-01', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ rules: 'tight-2027', appliesFrom: '2026-01-01', promotable: false, breaches: { total: 1, byCode: { ACCOUNT_TIER_LIMIT: 1 } } });
    expect(report.diff.examples).toEqual([
      {
        walletId: wallet,
        changes: [
          { field: 'paymentLimit', before: '1000.00 per lifetime', after: '500.00 per lifetime' },
          { field: 'paymentLeft', before: '200.00', after: '0.00' },
          { field: 'overLimit', before: 'false', after: 'true' },
          { field: 'breaches', before: null, after: '1' },
        ],
      },
    ]);
    // The shadow stands beside the served version; readers still read version 1.
    const readStore = SqliteReadStore.open(join(dir, 'read.db'));
    expect(await readStore.getRecord('projection:compliance')).toEqual({ activeVersion: 1, buildingVersion: 2 });
    await readStore.close();
    const text = ifw('projections', 'rebuild', '--data', dir, '--rules', 'tight-2027');
    expect(text.stdout).toContain('rule set tight-2027 applied from 2027-01-01');
    expect(text.stdout).toContain('promotable');
    const unknown = ifw('projections', 'rebuild', '--data', dir, '--rules', 'nope');
    expect({ status: unknown.status, stderr: unknown.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('no rule set nope') });
    expect(ifw('projections', 'rebuild', '--data', dir, '--applies-from', '2026-01-01').status).toBe(2);
  });

  it('reports a corrupt store as an error with what to do, status 1', () => {
    rmSync(join(dir, 'ifw.db'));
    writeFileSync(join(dir, 'ifw.db'), 'garbage'.repeat(1000));
    const result = ifw('audit', 'verify', '--data', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('restore it from a backup');
  });

  it('serve answers over HTTP on the embedded store, and on SIGTERM says it stops and that it stopped', async () => {
    const server = spawn(process.execPath, [bin, 'serve', '--data', dir, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const firstLine = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      server.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      const { listening } = JSON.parse(firstLine) as { listening: string };
      const health = await fetch(`${listening}/health`);
      expect(health.status).toBe(200);
      // The three events written above and the business calendar the server starts on a new ledger, at least:
      // the fund registry's listing of the fund written before it may already have followed.
      const body = (await health.json()) as { status: string; lastPosition: string };
      expect(body.status).toBe('ok');
      expect(Number(body.lastPosition)).toBeGreaterThanOrEqual(4);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = out.trim().split('\n').slice(1).map((line) => JSON.parse(line) as { event: string; signal: string; tookMs?: number });
    expect(lines).toEqual([{ event: 'stopping', signal: 'SIGTERM' }, { event: 'stopped', signal: 'SIGTERM', tookMs: expect.any(Number) }]);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
