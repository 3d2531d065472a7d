import { ProcessEngineError } from '../process-engine';

/** The gRPC status codes this adapter tells apart (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_STATUS = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The status code of an error the SDK passed on from gRPC, or undefined for any other error. */
export function grpcStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** What the gateway said, without the `5 NOT_FOUND: ` prefix gRPC puts before it. */
export function grpcDetailsOf(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  if (typeof details === 'string' && details.length > 0) return details;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The gateway did not answer within the adapter's bounds (its retries, its request time). The request may
 * still have reached Zeebe: a start, deploy or publish that timed out may have taken effect.
 */
export class EngineUnavailableError extends ProcessEngineError {
  readonly code = 'ENGINE_UNAVAILABLE';
}

/**
 * Zeebe's gRPC API does not answer this question (instance state, history, incidents): Operate, or the 8.6+
 * REST search API, does, and this adapter does not talk to either.
 */
export class OperateRequiredError extends ProcessEngineError {
  readonly code = 'OPERATE_REQUIRED';
  constructor(
    readonly operation: string,
    reason: string,
  ) {
    super(`${operation} is not available on the Zeebe adapter: ${reason}; use Operate (or the embedded engine) for it`);
  }
}

/**
 * A start with a business key this adapter does not hold the instance of, but which Zeebe says was claimed
 * within the claim's retention: by another IFW process, or by this one before a restart. Starting again would
 * make a second instance, so nothing is started; Operate finds the first one by its start time and variables.
 */
export class BusinessKeyClaimedError extends ProcessEngineError {
  readonly code = 'BUSINESS_KEY_CLAIMED';
  constructor(
    readonly bpmnProcessId: string,
    readonly businessKey: string,
  ) {
    super(
      `business key "${businessKey}" of process ${bpmnProcessId} was claimed by an earlier start that this engine does not remember ` +
        '(another IFW process, or this one before a restart): no second instance was started; look the first one up in Operate',
    );
  }
}

/** Zeebe refused a request for a reason the port has no error of its own for; the gateway's words are kept. */
export class ZeebeRejectedError extends ProcessEngineError {
  readonly code = 'ZEEBE_REJECTED';
  constructor(
    readonly operation: string,
    readonly grpcStatus: number,
    readonly details: string,
  ) {
    super(`Zeebe refused ${operation} (gRPC status ${grpcStatus}): ${details}`);
  }
}
