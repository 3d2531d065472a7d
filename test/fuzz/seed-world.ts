/**
 * Seeds a fresh `ifw serve` for scripts/fuzz.sh, so that routes with ids in their path meet real ones:
 * fund FZ with the income of 2026-01-05, a type III customer and a merchant with cash (the customer's bought
 * FZ and the close of 2026-01-05 confirmed it), a spare key for each (revoking it harms no run), a merchant
 * instant withdrawal (a process) and a compliance rebuild.
 *
 *   tsx test/fuzz/seed-world.ts URL OPERATOR_KEY COMPLIANCE_KEY
 *
 * Prints NAME=VALUE lines, each value an id, a code, a key or a position (no spaces, no quotes), for the script
 * to export; the last is the log's head once seeded, a minPosition every read model has reached or soon will.
 */
const [baseUrl, operatorKey, complianceKey] = process.argv.slice(2);
if (!baseUrl || !operatorKey || !complianceKey) {
  console.error('usage: tsx test/fuzz/seed-world.ts URL OPERATOR_KEY COMPLIANCE_KEY');
  process.exit(2);
}

const FUND = 'FZ';
const DAY = '2026-01-05';

type Reply = Record<string, string>;

async function post(path: string, key: string, body: unknown, ...expectedStatuses: number[]): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!expectedStatuses.includes(response.status)) throw new Error(`POST ${path} answered ${response.status}, not ${expectedStatuses.join(' or ')}: ${text}`);
  return JSON.parse(text) as Reply;
}

async function seed(): Promise<Record<string, string>> {
  await post('/funds', operatorKey!, { code: FUND, name: 'Fuzz Money Fund' }, 201);
  await post(`/funds/${FUND}/incomes`, operatorKey!, { date: DAY, perTenK: '0.5000' }, 201);
  const customer = await post('/customers', operatorKey!, { name: 'Fuzz Customer', accountTier: 'III' }, 201);
  const merchant = await post('/merchants', operatorKey!, { name: 'Fuzz Merchant' }, 201);
  for (const party of [customer, merchant]) await post(`/wallets/${party.walletId}/deposits`, party.apiKey!, { amount: '100000.00' }, 201);
  await post(`/wallets/${customer.walletId}/purchases`, customer.apiKey!, { fundCode: FUND, amount: '1000.00' }, 201);
  await post('/operations/day-close', operatorKey!, { date: DAY }, 200);
  const customerSpareKey = await post(`/customers/${customer.id}/keys`, operatorKey!, {}, 201);
  const merchantSpareKey = await post(`/merchants/${merchant.id}/keys`, operatorKey!, {}, 201);
  const withdrawal = await post(`/wallets/${merchant.walletId}/instant-withdrawals`, merchant.apiKey!, { amount: '1.00' }, 202);
  // 202 while it still runs: its id is all the fuzzing needs.
  const rebuild = await post('/compliance/rebuilds', complianceKey!, { rules: 'csrc-pboc-2018-06' }, 201, 202);
  const health = (await (await fetch(`${baseUrl}/health`)).json()) as Reply;
  return {
    IFW_FUZZ_FUND: FUND,
    IFW_FUZZ_CLOSED_DAY: DAY,
    IFW_FUZZ_CUSTOMER_ID: customer.id!,
    IFW_FUZZ_CUSTOMER_WALLET: customer.walletId!,
    IFW_FUZZ_CUSTOMER_KEY: customer.apiKey!,
    IFW_FUZZ_CUSTOMER_SPARE_KEY_ID: customerSpareKey.keyId!,
    IFW_FUZZ_MERCHANT_ID: merchant.id!,
    IFW_FUZZ_MERCHANT_WALLET: merchant.walletId!,
    IFW_FUZZ_MERCHANT_KEY: merchant.apiKey!,
    IFW_FUZZ_MERCHANT_SPARE_KEY_ID: merchantSpareKey.keyId!,
    IFW_FUZZ_PROCESS_ID: withdrawal.processId!,
    IFW_FUZZ_REBUILD_ID: rebuild.rebuildId!,
    IFW_FUZZ_HEAD_POSITION: health.lastPosition!,
  };
}

async function main(): Promise<void> {
  const names = await seed();
  for (const [name, value] of Object.entries(names)) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(value)) throw new Error(`${name} has a value a shell would mangle: ${value}`);
    console.log(`${name}=${value}`);
  }
}

main().catch((error: unknown) => {
  console.error(`seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
