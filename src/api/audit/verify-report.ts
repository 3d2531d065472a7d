import type { ChainBreak, ChainReport } from '../../eventstore';

export type BreakBody = Omit<ChainBreak, 'revision' | 'position'> & { revision: string; position: string };

/** A verification's report as JSON, the same for `GET /audit/verify` and `ifw audit verify --json`. */
export interface VerifyReportBody {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  snapshotsChecked: number | null;
  checkpoints: { checked: number; lastPosition: string | null } | null;
  head: { position: string; hash: string } | null;
  firstBreak?: BreakBody;
  breaks?: BreakBody[];
}

/** Positions and revisions as strings; the head is null for an empty log. */
export function verifyReportBody(report: ChainReport): VerifyReportBody {
  const breakBody = (found: ChainBreak): BreakBody => ({ ...found, revision: found.revision.toString(), position: found.position.toString() });
  return {
    ok: report.ok,
    eventsChecked: report.eventsChecked,
    streamsChecked: report.streamsChecked,
    snapshotsChecked: report.snapshotsChecked ?? null,
    checkpoints: report.checkpoints ? { checked: report.checkpoints.checked, lastPosition: report.checkpoints.lastPosition?.toString() ?? null } : null,
    head: report.head && report.head.position > 0n ? { position: report.head.position.toString(), hash: report.head.hash } : null,
    ...(report.firstBreak && { firstBreak: breakBody(report.firstBreak), breaks: (report.breaks ?? []).map(breakBody) }),
  };
}
