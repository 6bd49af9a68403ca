// Classifies Kubernetes API failures once, so no caller parses ApiException bodies.
// Both AlreadyExists and Conflict arrive as HTTP 409; only the Status reason tells them apart.
import { ApiException } from '@kubernetes/client-node';

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
  constructor(kind: KubeErrorKind, code: number, message: string, reason?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeError';
    this.kind = kind;
    this.code = code;
    this.reason = reason;
  }
}

interface StatusBody {
  reason?: string;
  message?: string;
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

/** instanceof alone fails when a test runner loads client-node twice; the shape is enough. */
function isApiException(err: unknown): err is ApiException<unknown> {
  if (err instanceof ApiException) return true;
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

/** Turns anything thrown by client-node (or the network under it) into a KubeError. */
export function classifyKubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  if (isApiException(err)) {
    const code = Number(err.code);
    const status = parseStatusBody(err.body);
    const message = status.message ?? `HTTP ${code}`;
    return new KubeError(kindFor(code, status.reason), code, message, status.reason, { cause: err });
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
