import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, JsonObject } from '../../eventstore';
import { NotFoundError } from '../../domain/domain-error';
import { RULE_BOOK_STREAM } from '../../domain/rules/rule-book.decider';
import { DEFAULT_LOG_CONSUMER_OPTIONS, LogFeed, ProjectionCatalog } from '../../projections';
import { RebuildInProgressError, switchToVersion } from '../../projections/rebuild';
import { BusinessCalendar } from '../calendar/business-calendar';
import { RULE_BOOK } from '../commands/aggregates';
import type { CommandContext } from '../commands/command-context';
import { DecideCommand } from '../commands/decide-command';
import { EVENT_STORE } from '../event-store.module';
import { HttpProblem } from '../http/problem';
import { processOwnerName } from '../projections/projections.module';
import { recordedUnder } from '../wallets/wallet-commands';
import { type RuleChangeReport, type RuleDependentProjection, rebuildUnderRules, ruleChangeRequest } from './rule-change-rebuild';

export type RuleChangeState = 'running' | 'built' | 'failed' | 'promoted' | 'interrupted';

export interface RuleChangeJob {
  rebuildId: string;
  rules: string;
  appliesFrom: string;
  state: RuleChangeState;
  startedAtMs: number;
  report: RuleChangeReport | null;
  error: string | null;
  /** REBUILD_IN_PROGRESS when another process rebuilds compliance; REBUILD_FAILED when the shadow halted. */
  errorCode?: string;
}

const recordKey = (id: string) => `rule-change:${id}`;
/** How long a request waits for its report before answering 202 with the id to follow. */
export const REPORT_WAIT_MS = 60_000;

/**
 * Rebuilds under a changed rule: each builds a shadow of the compliance read model and keeps its report in
 * the read store, where promotion finds it. The shadow is never served unless promoted.
 */
@Injectable()
export class RuleChangeJobs {
  private readonly logger = new Logger(RuleChangeJobs.name);
  private readonly running = new Map<string, Promise<RuleChangeJob>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: ProjectionCatalog,
    private readonly feed: LogFeed,
    private readonly calendar: BusinessCalendar,
    private readonly commands: CommandBus,
  ) {}

  /** Starts a rebuild under a proposed or adopted set; resolves with the job once its report is in, or after the wait. */
  async start(version: string, appliesFrom: string | undefined, projections: readonly RuleDependentProjection[]): Promise<RuleChangeJob> {
    const request = await ruleChangeRequest(this.store, version, appliesFrom, projections);
    if (this.running.size > 0) throw HttpProblem.conflict('a rebuild under changed rules is already running; follow it in GET /compliance/rebuilds/{id}', 'REBUILD_IN_PROGRESS');
    const job: RuleChangeJob = { rebuildId: randomUUID(), rules: version, appliesFrom: request.appliesFrom, state: 'running', startedAtMs: Date.now(), report: null, error: null };
    await this.save(job);
    const options = { owner: processOwnerName(), clock: Date.now, consumer: DEFAULT_LOG_CONSUMER_OPTIONS, liveWaitMs: 10_000 };
    const done = rebuildUnderRules(this.store, this.catalog, this.feed, request, options).then(
      (report) => this.finish({ ...job, state: 'built', report }),
      (error: Error) => {
        this.logger.error(`rebuild under ${version} failed: ${error.message}`);
        return this.finish({ ...job, state: 'failed', error: error.message, errorCode: error instanceof RebuildInProgressError ? error.code : 'REBUILD_FAILED' });
      },
    );
    this.running.set(job.rebuildId, done);
    const answered = await Promise.race([done, new Promise<RuleChangeJob>((resolve) => setTimeout(resolve, REPORT_WAIT_MS, job).unref())]);
    if (answered.state === 'failed') throw HttpProblem.conflict(`${answered.error}`, answered.errorCode ?? 'REBUILD_FAILED');
    return answered;
  }

  async job(id: string): Promise<RuleChangeJob> {
    const stored = await this.catalog.readStore.getRecord(recordKey(id));
    if (!stored || stored.rebuildId === undefined) throw new NotFoundError(`no rebuild ${id}`);
    const job = stored as unknown as RuleChangeJob;
    // A job recorded as running that no process here runs died with the process that ran it.
    return job.state === 'running' && !this.running.has(id) ? { ...job, state: 'interrupted' } : job;
  }

  /**
   * Adopts the set, then serves the shadow, caught up with the rules the log now holds. Only a shadow built
   * under the set from its own effective date, still ahead, is what the live model becomes once adopted.
   */
  async promote(context: CommandContext, id: string): Promise<RuleChangeJob> {
    const job = await this.job(id);
    if (job.state === 'promoted') return job;
    if (job.state !== 'built' || !job.report) throw HttpProblem.conflict(`rebuild ${id} is ${job.state}: only a finished rebuild can be promoted`, 'REBUILD_NOT_BUILT');
    if (!job.report.promotable) {
      throw HttpProblem.conflict(
        `rebuild ${id} applied ${job.rules} from ${job.appliesFrom}, not from its effective date ahead: it shows what the set would have done, and history is not re-decided; rebuild from the effective date to promote`,
        'REBUILD_NOT_PROMOTABLE',
      );
    }
    const record = await this.catalog.load('compliance');
    // Served already: an earlier promote switched to the shadow and failed to record so; it is finished here.
    if (record?.activeVersion === job.report.shadowVersion) return this.finish({ ...job, state: 'promoted' });
    if (record?.buildingVersion !== job.report.shadowVersion) throw HttpProblem.conflict(`the shadow of rebuild ${id} was replaced by a later rebuild; rebuild again`, 'SHADOW_REPLACED');
    const today = await this.calendar.today();
    await this.commands.execute(new DecideCommand(context, RULE_BOOK, RULE_BOOK_STREAM, { type: 'AdoptRuleSet', version: job.rules, businessDate: today.businessDate }, recordedUnder(today), () => ({ status: 200, body: {} })));
    const options = { owner: processOwnerName(), clock: Date.now, consumer: DEFAULT_LOG_CONSUMER_OPTIONS, liveWaitMs: 10_000 };
    await switchToVersion(this.store, this.catalog, this.feed, this.catalog.definition('compliance')!, job.report.shadowVersion, { events: job.report.events, eventsApplied: 0 }, options);
    return this.finish({ ...job, state: 'promoted' });
  }

  private async finish(job: RuleChangeJob): Promise<RuleChangeJob> {
    this.running.delete(job.rebuildId);
    await this.save(job);
    return job;
  }

  private save(job: RuleChangeJob): Promise<void> {
    return this.catalog.readStore.setRecord(recordKey(job.rebuildId), job as unknown as JsonObject);
  }
}
