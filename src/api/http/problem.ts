import { HttpStatus } from '@nestjs/common';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem's `type` is this URI followed by its code, so a client can switch on either. */
export const PROBLEM_TYPE_BASE = 'https://ifw.example/problems/';

/**
 * An error that already knows its HTTP answer. Controllers and handlers throw it for refusals that are the
 * client's business (bad input, missing resource, no permission); ProblemDetailsFilter writes it out as an
 * RFC 9457 problem. Anything else that escapes a handler is treated as a server fault and hidden.
 */
/** A status's name as a code: 404 → 'NOT_FOUND', 413 → 'PAYLOAD_TOO_LARGE'. */
export function codeForStatus(status: number): string {
  const name: unknown = HttpStatus[status];
  return typeof name === 'string' ? name : `HTTP_${status}`;
}

export interface HttpProblemOptions {
  /** Stable machine-readable code; the response's `type` URI ends with it. Defaults to the status's name. */
  code?: string;
  /** Short summary, the same for every occurrence of the code. Defaults to one derived from the code. */
  title?: string;
  /** The JSON field (or path parameter) at fault; `null` when the request body as a whole is at fault. */
  field?: string | null;
  /** Extra members of the problem object, e.g. `{ availableAmount: "12.00" }`. */
  extensions?: Record<string, unknown>;
  /** Response headers the problem calls for, e.g. Retry-After. */
  headers?: Record<string, string>;
}

export class HttpProblem extends Error {
  readonly code: string;
  readonly title: string | undefined;
  readonly field: string | null | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    /** A sentence for the client: what was wrong and, where it helps, what to do. */
    readonly detail: string,
    options: HttpProblemOptions = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.code = options.code ?? codeForStatus(status);
    this.title = options.title;
    this.field = options.field;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** Input refused by validation; `detail` is a sentence naming the field and the rule it broke. */
  static badRequest(field: string | null, detail: string): HttpProblem {
    return new HttpProblem(400, detail, { code: 'VALIDATION_FAILED', field });
  }

  /** The body could not be parsed at all, so no field can be named. */
  static malformedJson(detail = 'the request body is not valid JSON'): HttpProblem {
    return new HttpProblem(400, detail, { code: 'MALFORMED_JSON', title: 'Malformed JSON', field: null });
  }

  static notFound(detail: string): HttpProblem {
    return new HttpProblem(404, detail, { code: 'NOT_FOUND' });
  }

  static conflict(detail: string, code = 'CONFLICT'): HttpProblem {
    return new HttpProblem(409, detail, { code });
  }

  /** A well-formed request that a business rule refuses, e.g. 'INSUFFICIENT_FUNDS'. */
  static unprocessable(code: string, detail: string, extensions?: Record<string, unknown>): HttpProblem {
    return new HttpProblem(422, detail, { code, extensions });
  }

  /** No usable credentials; the filter adds `WWW-Authenticate: Bearer` as RFC 6750 asks. */
  static unauthorized(detail: string): HttpProblem {
    return new HttpProblem(401, detail, { code: 'UNAUTHORIZED' });
  }

  static forbidden(detail: string): HttpProblem {
    return new HttpProblem(403, detail, { code: 'FORBIDDEN' });
  }
}
