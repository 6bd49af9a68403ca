// Named errors carrying an HTTP status and an RFC 7807 problem type. Stages throw these; the
// HTTP layer turns one into an `application/problem+json` response with `toProblemBody`, and
// counts it in `signals_rejected_total{reason}` with its `rejectReason`, so no stage needs to
// know about responses or metrics.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://kubernaut.ai/problems/';

/** Label values of `signals_rejected_total{reason}`: a small, fixed set keeps cardinality bounded. */
export type RejectReason =
  | 'validation'
  | 'malformed_json'
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'unsupported_media_type'
  | 'corrupt_body'
  | 'unavailable'
  | 'overloaded'
  | 'internal';

export interface ProblemInit {
  status: number;
  /** Last segment of the problem type URI, e.g. `validation-error`. */
  slug: string;
  title: string;
  detail: string;
  rejectReason: RejectReason;
  field?: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  field?: string;
}

export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly rejectReason: RejectReason;
  /** The offending input field (e.g. `alerts[2].labels.alertname`), when one is to blame. */
  readonly field: string | undefined;

  constructor(init: ProblemInit, options?: ErrorOptions) {
    super(init.detail, options);
    this.name = new.target.name;
    this.status = init.status;
    this.type = PROBLEM_TYPE_BASE + init.slug;
    this.title = init.title;
    this.detail = init.detail;
    this.rejectReason = init.rejectReason;
    this.field = init.field;
  }
}

/**
 * 400 for a missing or bad field. `message` continues the field path, so the detail reads as
 * one sentence: `new ValidationProblem('alerts[2].labels.alertname', 'is required')`.
 */
export class ValidationProblem extends HttpProblem {
  constructor(field: string, message: string) {
    super({
      status: 400,
      slug: 'validation-error',
      title: 'Invalid signal',
      detail: `${field} ${message}`,
      rejectReason: 'validation',
      field,
    });
  }
}

export class MalformedJsonProblem extends HttpProblem {
  constructor(detail = 'request body is not valid JSON', options?: ErrorOptions) {
    super(
      {
        status: 400,
        slug: 'malformed-json',
        title: 'Malformed JSON',
        detail,
        rejectReason: 'malformed_json',
      },
      options,
    );
  }
}

export class UnauthorizedProblem extends HttpProblem {
  constructor(detail = 'a valid bearer token is required') {
    super({ status: 401, slug: 'unauthorized', title: 'Unauthorized', detail, rejectReason: 'unauthorized' });
  }
}

export class ForbiddenProblem extends HttpProblem {
  constructor(detail = 'not allowed to create signals') {
    super({ status: 403, slug: 'forbidden', title: 'Forbidden', detail, rejectReason: 'forbidden' });
  }
}

export class PayloadTooLargeProblem extends HttpProblem {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super({
      status: 413,
      slug: 'payload-too-large',
      title: 'Payload too large',
      detail: `request body exceeds the limit of ${limitBytes} bytes`,
      rejectReason: 'too_large',
    });
    this.limitBytes = limitBytes;
  }
}

export class UnsupportedMediaTypeProblem extends HttpProblem {
  constructor(contentType: string | undefined, detail?: string) {
    super({
      status: 415,
      slug: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail:
        detail ??
        `content type ${contentType ? `"${contentType}"` : '(none)'} is not supported; send application/json`,
      rejectReason: 'unsupported_media_type',
    });
  }
}

/**
 * 503 with a Retry-After hint. Alertmanager retries 5xx and drops 4xx, so every transient
 * failure (API server down, lock not obtained in time, overload) must end up here, never 429.
 */
export class ServiceUnavailableProblem extends HttpProblem {
  readonly retryAfterSeconds: number;

  constructor(
    detail: string,
    retryAfterSeconds = 5,
    options?: ErrorOptions,
    rejectReason: RejectReason = 'unavailable',
  ) {
    super(
      {
        status: 503,
        slug: 'service-unavailable',
        title: 'Service unavailable',
        detail,
        rejectReason,
      },
      options,
    );
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** Which load bound shed a request (label of gateway_intake_shed_total). */
export type LoadBound = 'requests' | 'bytes' | 'alerts';

/**
 * 503 because this replica is at one of its load bounds (docs/design.md, "Load bounds"); nothing
 * of the request was processed, so a retry (here or on another replica) is always safe.
 */
export class OverloadedProblem extends ServiceUnavailableProblem {
  readonly bound: LoadBound;

  constructor(bound: LoadBound, detail: string, retryAfterSeconds: number) {
    super(`intake is overloaded: ${detail}`, retryAfterSeconds, undefined, 'overloaded');
    this.bound = bound;
  }
}

/** 400 for a body whose Content-Encoding does not decode (corrupt or truncated gzip/deflate/br). */
export class CorruptBodyProblem extends HttpProblem {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      {
        status: 400,
        slug: 'corrupt-body',
        title: 'Corrupt request body',
        detail,
        rejectReason: 'corrupt_body',
      },
      options,
    );
  }
}

/** 500 for bugs: the detail stays generic so internals never leak into responses. */
export class InternalProblem extends HttpProblem {
  constructor(options?: ErrorOptions) {
    super(
      {
        status: 500,
        slug: 'internal-error',
        title: 'Internal server error',
        detail: 'an unexpected error occurred',
        rejectReason: 'internal',
      },
      options,
    );
  }
}

/** Wraps anything that is not already an HttpProblem as a 500, keeping the original as cause. */
export function asHttpProblem(err: unknown): HttpProblem {
  return err instanceof HttpProblem ? err : new InternalProblem({ cause: err });
}

/** The RFC 7807 body; `instance` is the request path (or a request id) the problem occurred at. */
export function toProblemBody(problem: HttpProblem, instance: string): ProblemBody {
  const body: ProblemBody = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
  };
  if (problem.field !== undefined) body.field = problem.field;
  return body;
}
