import type { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import type { EventStore, JsonObject } from '../../eventstore';
import { DomainError, NotFoundError } from '../../domain/domain-error';
import type { BusinessCalendar } from '../calendar/business-calendar';
import type { CommandContext } from '../commands/command-context';
import type { ReadStore } from '../../projections/read-store';
import { BpmnError, type Job } from '../../processes/engine';

/** What the job workers of every model send their commands through and read their state from. */
export interface WorkerDependencies {
  commands: CommandBus;
  calendar: BusinessCalendar;
  store: EventStore;
  readStore: ReadStore;
  log: { warn(line: string): void };
}

/**
 * A job's command acts for the system under an idempotency key derived from the job key (and, for a job that
 * sends several commands, the part it sends), so a job run again after a crash finds its first outcomes.
 */
export function jobContext(job: Job, part = ''): CommandContext {
  const key = createHash('sha256').update(`${job.bpmnProcessId}\n${job.key}\n${part}`).digest('hex');
  return { principal: { role: 'operator', id: 'process' }, correlationId: job.instanceId, causationId: job.key, idempotency: { stream: `idempotency-job-${key}`, requestHash: key } };
}

/**
 * A step that follows an event acts for the system under an idempotency key of the triggering event's id and
 * the step's name: whoever sends it (the transfers, a process worker, an instance started twice), it applies once.
 */
export function stepContext(trigger: { eventId: string; correlationId: string }, stepName: string): CommandContext {
  const key = createHash('sha256').update(`${trigger.eventId}\n${stepName}`).digest('hex');
  return {
    principal: { role: 'operator', id: 'process' },
    correlationId: trigger.correlationId,
    causationId: trigger.eventId,
    idempotency: { stream: `idempotency-step-${key}`, requestHash: key },
  };
}

/**
 * Sends a job's command; a business refusal becomes the BPMN error `code`, which the model routes, with the
 * refusal's message as the variable `refusal` for the steps after it.
 */
export async function refusedAs<T>(code: string, send: () => Promise<T>, variables: JsonObject = {}): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof DomainError || error instanceof NotFoundError) throw new BpmnError(code, error.message, { ...variables, refusal: error.message });
    throw error;
  }
}
