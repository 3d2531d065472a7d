import { UnknownProcessError, type StartedInstance } from '../../../../src/processes/engine';
import { BusinessKeyStarts, claimKeyOf } from '../../../../src/processes/engine/zeebe/business-key-starts';
import { BusinessKeyClaimedError, EngineUnavailableError } from '../../../../src/processes/engine/zeebe/zeebe-errors';

/** Zeebe's side of the claims: a message id is refused while an earlier message with it is buffered. */
class FakeClaims {
  readonly buffered = new Set<string>();
  readonly published: string[] = [];
  readonly claim = async (claimKey: string): Promise<boolean> => {
    this.published.push(claimKey);
    if (this.buffered.has(claimKey)) return false;
    this.buffered.add(claimKey);
    return true;
  };
}

function creator() {
  let next = 2251799813685249;
  const created: string[] = [];
  const create = async (): Promise<StartedInstance> => {
    const instanceId = String(next++);
    created.push(instanceId);
    return { instanceId, bpmnProcessId: 'two-step-payment', version: 1, created: true };
  };
  return { created, create };
}

describe('starts with a business key on Zeebe', () => {
  it('claim the key once, and answer a repeated start here with the first instance', async () => {
    const claims = new FakeClaims();
    const starts = new BusinessKeyStarts(claims.claim, 100);
    const { created, create } = creator();
    const first = await starts.start('two-step-payment', 'transfer-42', create);
    const again = await starts.start('two-step-payment', 'transfer-42', create);
    const other = await starts.start('two-step-payment', 'transfer-43', create);
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(other.instanceId).not.toBe(first.instanceId);
    expect(created).toHaveLength(2);
    expect(claims.published).toEqual([claimKeyOf('two-step-payment', 'transfer-42'), claimKeyOf('two-step-payment', 'transfer-43')]);
  });

  it('share one start between concurrent starts with one key', async () => {
    const starts = new BusinessKeyStarts(new FakeClaims().claim, 100);
    const { created, create } = creator();
    const [a, b] = await Promise.all([starts.start('p', 'k', create), starts.start('p', 'k', create)]);
    expect(a.instanceId).toBe(b.instanceId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(created).toHaveLength(1);
  });

  it('tell the same key of two processes apart', async () => {
    const starts = new BusinessKeyStarts(new FakeClaims().claim, 100);
    const { create } = creator();
    const a = await starts.start('fund-switch', 'k', create);
    const b = await starts.start('two-step-payment', 'k', create);
    expect(a.instanceId).not.toBe(b.instanceId);
    expect(claimKeyOf('a:b', 'c')).not.toBe(claimKeyOf('a', 'b:c'));
  });

  it('refuse, and start nothing, when Zeebe holds a claim this adapter does not remember (another process, or a restart)', async () => {
    const claims = new FakeClaims();
    const { created, create } = creator();
    await new BusinessKeyStarts(claims.claim, 100).start('two-step-payment', 'transfer-42', create);
    const afterRestart = new BusinessKeyStarts(claims.claim, 100);
    const refusal = afterRestart.start('two-step-payment', 'transfer-42', create);
    await expect(refusal).rejects.toBeInstanceOf(BusinessKeyClaimedError);
    await expect(refusal).rejects.toMatchObject({ code: 'BUSINESS_KEY_CLAIMED', bpmnProcessId: 'two-step-payment', businessKey: 'transfer-42' });
    expect(created).toHaveLength(1);
  });

  it('keep a claim whose instance could not be created, so that a retry here starts it without claiming again', async () => {
    const claims = new FakeClaims();
    const starts = new BusinessKeyStarts(claims.claim, 100);
    const { created, create } = creator();
    await expect(starts.start('two-step-payment', 'transfer-42', () => Promise.reject(new UnknownProcessError('two-step-payment')))).rejects.toBeInstanceOf(UnknownProcessError);
    const retried = await starts.start('two-step-payment', 'transfer-42', create);
    expect(retried.created).toBe(true);
    expect(created).toHaveLength(1);
    expect(claims.published).toHaveLength(1);
  });

  it('give up the claim of a create that timed out: it may still have started an instance, so a retry is refused', async () => {
    const starts = new BusinessKeyStarts(new FakeClaims().claim, 100);
    const { created, create } = creator();
    const timedOut = () => Promise.reject(new EngineUnavailableError('CreateProcessInstance got no answer within 30000 ms; it may still take effect'));
    await expect(starts.start('p', 'k', timedOut)).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(starts.start('p', 'k', create)).rejects.toBeInstanceOf(BusinessKeyClaimedError);
    expect(created).toEqual([]);
  });

  it('pass on a failed claim and remember nothing of it', async () => {
    let down = true;
    const claims = new FakeClaims();
    const starts = new BusinessKeyStarts((key) => (down ? Promise.reject(new Error('gateway unavailable')) : claims.claim(key)), 100);
    const { create } = creator();
    await expect(starts.start('p', 'k', create)).rejects.toThrow('gateway unavailable');
    down = false;
    expect((await starts.start('p', 'k', create)).created).toBe(true);
  });

  it('remember a bounded number of keys: a forgotten one falls back on the claim, which refuses', async () => {
    const claims = new FakeClaims();
    const starts = new BusinessKeyStarts(claims.claim, 2);
    const { create } = creator();
    for (const key of ['k1', 'k2', 'k3']) await starts.start('p', key, create);
    expect((await starts.start('p', 'k3', create)).created).toBe(false);
    await expect(starts.start('p', 'k1', create)).rejects.toBeInstanceOf(BusinessKeyClaimedError);
  });
});
