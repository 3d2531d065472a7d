import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { DEFAULT_LOG_CONSUMER_OPTIONS, READ_MODELS } from '../../projections';
import { processOwnerName } from '../../api/projections/projections.module';
import { type RebuildOptions, type RebuildReport, rebuildProjections } from '../../projections/rebuild';
import { NotFoundError } from '../../domain/domain-error';
import { type RuleChangeReport, RULE_DEPENDENT_PROJECTIONS, rebuildUnderRules, ruleChangeRequest } from '../../api/compliance/rule-change-rebuild';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';
import { openKeyStore } from '../../personal-data/open-key-store';
import { lendToReadModels } from '../../personal-data/read-model-keys';
import { type ReadSide, openReadSide } from '../read-side';

export const projectionsRebuildHelp = `ifw projections rebuild [--name NAME] [--data DIR] [--json]
ifw projections rebuild --rules VERSION [--applies-from DATE] [--data DIR] [--json]

Builds a new version of each read model (or of one) from position 0 beside the served one, catches it up to
the head of the log, compares digests of both, and switches readers to the new version. The served version
keeps serving until then, so this runs while \`ifw serve\` runs on the same stores.
  --name NAME  rebuild one read model: ${READ_MODELS.map((d) => d.name).join(', ')}
  --data DIR   folder of the embedded stores
  --json       print { "projections": [{ "name", "events", "liveDigest", "rebuiltDigest", … }] }
Exit status 0 when every rebuild switched, 1 when one halted on an event its handler could not apply.

With --rules, builds the read models that depend on the rules (compliance) under that proposed or adopted
rule set, beside the served ones and unserved, and prints what it changes: each wallet's standing (payment
limit and what it leaves, fund purchases, instant quotas) under the rules in force and under the set, and
the past events the set would have refused. Promote it with POST /compliance/rebuilds (a server's).
  --applies-from DATE  apply the set from this date instead of its effective date
  --json               print the report as JSON`;

export async function projectionsRebuild(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { name: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, rules: { type: 'string' }, 'applies-from': { type: 'string' } },
  });
  if (values.rules !== undefined && values.name !== undefined) throw new UsageError('--rules rebuilds the read models that depend on the rules; it takes no --name');
  if (values.rules !== undefined) return rebuildUnderRuleSet(values.rules, values['applies-from'], values.data, values.json === true);
  if (values['applies-from'] !== undefined) throw new UsageError('--applies-from goes with --rules VERSION');
  const definitions = values.name === undefined ? READ_MODELS : READ_MODELS.filter((d) => d.name === values.name);
  if (definitions.length === 0) throw new UsageError(`no read model "${values.name}"; the read models are ${READ_MODELS.map((d) => d.name).join(', ')}`);
  const config = loadConfig({ dataDir: values.data });
  // The parties read model opens the registrations' sealed details with the keys.
  const keys = openKeyStore(config);
  const takeBackKeys = lendToReadModels(keys);
  const side = await openReadSide(config);
  try {
    const { options, progress } = await rebuildOptions(side, values.json === true);
    const reports = await rebuildProjections(side.store, side.catalog, side.feed, definitions, options);
    progress.finish();
    console.log(values.json ? JSON.stringify({ projections: reports }) : reports.map(describe).join('\n'));
    return reports.every((r) => r.switched) ? EXIT.ok : EXIT.failure;
  } finally {
    await side.close();
    takeBackKeys();
    await keys.close();
  }
}

/** A rebuild from the command line: big batches, and its progress against the log's head on the terminal unless --json. */
async function rebuildOptions(side: ReadSide, json: boolean): Promise<{ options: RebuildOptions; progress: Progress }> {
  const progress = new Progress('events rebuilt', json);
  const head = Number(await side.store.lastPosition());
  const options: RebuildOptions = {
    owner: processOwnerName(),
    clock: Date.now,
    consumer: { ...DEFAULT_LOG_CONSUMER_OPTIONS, batchSize: 5_000 },
    liveWaitMs: 10_000,
    onProgress: (_statuses, eventsRead) => progress.update(eventsRead, head > 0 ? head : undefined),
  };
  return { options, progress };
}

function describe(report: RebuildReport): string {
  if (!report.switched) return `${report.name}: HALTED building version ${report.version}: ${report.halted}; version ${report.previousVersion} is still served`;
  const same = report.liveDigest === report.rebuiltDigest ? 'digests equal' : `DIGESTS DIFFER (live ${report.livePosition}, rebuilt ${report.rebuiltPosition})`;
  return `${report.name}: version ${report.version} now served, ${report.events} events read, ${report.eventsApplied} applied, ${same} (${report.rebuiltDigest.slice(0, 16)}…)`;
}

async function rebuildUnderRuleSet(version: string, appliesFrom: string | undefined, data: string | undefined, json: boolean): Promise<number> {
  if (appliesFrom !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(appliesFrom)) throw new UsageError(`--applies-from must be a date such as 2026-01-05, not "${appliesFrom}"`);
  const side = await openReadSide(loadConfig({ dataDir: data }));
  try {
    const request = await ruleChangeRequest(side.store, version, appliesFrom, RULE_DEPENDENT_PROJECTIONS).catch((error: Error) => {
      throw error instanceof NotFoundError ? new UsageError(error.message) : error;
    });
    const { options, progress } = await rebuildOptions(side, json);
    const report = await rebuildUnderRules(side.store, side.catalog, side.feed, request, options);
    progress.finish();
    console.log(json ? JSON.stringify(report) : describeRuleChange(report));
    return EXIT.ok;
  } finally {
    await side.close();
  }
}

function describeRuleChange(report: RuleChangeReport): string {
  const lines = [
    `rule set ${report.rules} applied from ${report.appliesFrom}, compared on ${report.evaluatedOn}: shadow version ${report.shadowVersion} beside served version ${report.liveVersion}, ${report.events} events read`,
    `instant-redemption cap ${report.instantRedemptionCap.before} -> ${report.instantRedemptionCap.after} CNY`,
    `${report.diff.walletsChanged} of ${report.diff.walletsCompared} wallets change: ${Object.entries(report.diff.byField).map(([field, n]) => `${field} ${n}`).join(', ') || 'nothing'}`,
    ...report.diff.examples.map((e) => `  ${e.walletId}: ${e.changes.map((c) => `${c.field} ${c.before} -> ${c.after}`).join('; ')}`),
    `${report.breaches.total} past events it would have refused: ${Object.entries(report.breaches.byCode).map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}`,
    ...report.breaches.examples.map((b) => `  position ${b.position} ${b.eventType} ${b.amount} CNY on ${b.businessDate} (${b.walletId}): ${b.detail}`),
    report.promotable
      ? 'promotable: a server adopts it by POST /compliance/rebuilds, then POST /compliance/rebuilds/{id}/promote'
      : 'not promotable: the set is not applied from its own effective date ahead',
  ];
  return lines.join('\n');
}
