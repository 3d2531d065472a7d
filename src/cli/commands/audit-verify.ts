import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { openEventStore } from '../../eventstore';
import { EXIT } from '../cli-error';
import { Progress } from '../progress';

export const auditVerifyHelp = `ifw audit verify [--data DIR] [--stream NAME] [--json]

Recomputes the hash chain of every stream (or of one) and checks that revisions are gapless.
Exit status 0 when the log is intact, 3 when it is not; the report names the first bad position.
  --data DIR     folder of the embedded stores (default: IFW_EVENTSTORE_URL or ./data)
  --stream NAME  verify one stream only
  --json         print the report as JSON`;

export async function auditVerify(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, stream: { type: 'string' }, json: { type: 'boolean' } } });
  const config = loadConfig({ dataDir: values.data });
  const store = openEventStore(config.eventStoreUrl);
  try {
    const progress = new Progress('events verified', values.json === true);
    const report = values.stream
      ? await store.verifyStream(values.stream)
      : await store.verifyAll({ onProgress: (n) => progress.update(n) });
    progress.finish();
    const firstBreak = report.firstBreak && {
      ...report.firstBreak,
      revision: report.firstBreak.revision.toString(),
      position: report.firstBreak.position.toString(),
    };
    if (values.json) {
      console.log(JSON.stringify({ ok: report.ok, eventsChecked: report.eventsChecked, streamsChecked: report.streamsChecked, firstBreak }));
    } else if (report.ok) {
      console.log(`intact: ${report.eventsChecked} events in ${report.streamsChecked} streams, every hash chain verified`);
    } else {
      console.log(
        `NOT INTACT: first bad position ${firstBreak!.position} (stream "${firstBreak!.stream}", revision ${firstBreak!.revision}): ${firstBreak!.reason}`,
      );
    }
    return report.ok ? EXIT.ok : EXIT.auditFailed;
  } finally {
    await store.close();
  }
}
