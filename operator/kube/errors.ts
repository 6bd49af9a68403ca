// Classifies Kubernetes API failures once, so no caller parses Status bodies itself.
// Both AlreadyExists and Conflict arrive as HTTP 409; only the Status reason tells them apart.

export type KubeErrorKind =
  | 'conflict'
  | 'alreadyExists'
  | 'notFound'
  | 'gone'
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'other';

export class KubeError extends Error {
  readonly kind: KubeErrorKind;
  readonly code: number;
  readonly reason: string | undefined;
  /** From a 429/503's Retry-After header or Status details, when the API server sent one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    kind: KubeErrorKind,
    code: number,
    message: string,
    reason?: string,
    options?: ErrorOptions & { retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'KubeError';
    this.kind = kind;
    this.code = code;
    this.reason = reason;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A non-2xx answer of the API server, before classification: its status and raw body. */
export class ApiStatusError extends Error {
  readonly code: number;
  readonly body: string;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: number, body: string, retryAfterSeconds?: number) {
    super(`HTTP ${code}`);
    this.name = 'ApiStatusError';
    this.code = code;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface StatusBody {
  reason?: string;
  message?: string;
  details?: { retryAfterSeconds?: number };
}

function parseStatusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as StatusBody) : {};
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : {};
}

function kindFor(code: number, reason: string | undefined): KubeErrorKind {
  if (code === 409) return reason === 'AlreadyExists' ? 'alreadyExists' : 'conflict';
  if (code === 404) return 'notFound';
  if (code === 410) return 'gone';
  if (code === 422 || code === 400) return 'invalid';
  if (code === 401) return 'unauthorized';
  if (code === 403) return 'forbidden';
  if (code === 429 || code >= 500) return 'unavailable';
  return 'other';
}

/**
 * An HTTP answer with a status: our ApiStatusError, or (in test code that still sets up with
 * @kubernetes/client-node) its ApiException, recognised by shape so this module never loads it.
 */
function isStatusError(
  err: unknown,
): err is Error & { code: number; body: unknown; retryAfterSeconds?: number } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

/** Turns anything thrown by the transport (or the network under it) into a KubeError. */
export function classifyKubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  if (isStatusError(err)) {
    const code = Number(err.code);
    const status = parseStatusBody(err.body);
    const message = status.message || `HTTP ${code}`;
    const retryAfterSeconds = err.retryAfterSeconds ?? status.details?.retryAfterSeconds;
    return new KubeError(kindFor(code, status.reason), code, message, status.reason, {
      cause: err,
      retryAfterSeconds,
    });
  }
  // Connection refused/reset, TLS failures, timeouts and aborts: the API server is not reachable.
  const message = err instanceof Error ? err.message : String(err);
  return new KubeError('unavailable', 0, `Kubernetes API unreachable: ${message}`, undefined, { cause: err });
}

export function isKubeError(err: unknown, kind: KubeErrorKind): boolean {
  return err instanceof KubeError && err.kind === kind;
}

/**
 * Runs a read once more when the first attempt got no response at all (code 0): after a request
 * whose answer was lost, the pool's next request often lands on the dead connection.
 */
export async function readTwiceOnNoAnswer<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof KubeError && err.kind === 'unavailable' && err.code === 0)) throw err;
    return read();
  }
}
