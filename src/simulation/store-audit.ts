import { snapshotFoldCheck } from '../api/commands/snapshot-check';
import { type VerifyReportBody, verifyReportBody } from '../api/audit/verify-report';
import { openForAudit } from '../cli/commands/audit-verify';

/**
 * `ifw audit verify --data DIR` on the store the simulation wrote, once the product has closed it: the same
 * read-only opening, the same checks (every hash chain, the log's chain, every snapshot against its fold)
 * and the same report body.
 */
export async function verifyWrittenStore(dataDir: string, onProgress?: (eventsChecked: number) => void): Promise<VerifyReportBody> {
  const store = openForAudit(dataDir);
  try {
    return verifyReportBody(await store.verifyAll({ checkSnapshot: snapshotFoldCheck(store), ...(onProgress && { onProgress }) }));
  } finally {
    await store.close();
  }
}
