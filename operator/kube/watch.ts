// A watch request: the API server streams one JSON object per line ({type, object}) for as long
// as the watch lasts. Chunks arrive cut anywhere, also inside a line or a UTF-8 character, so
// lines are reassembled before parsing. The contract (which runtime/watchStream.ts relies on):
// the promise resolves with an AbortController once the server has answered; `done` is called
// exactly once: null for a clean end, else an error (a KubeError carrying the HTTP status for a
// non-200 answer, a TimeoutError after `inactivityMs` without data, the abort reason).
import { StringDecoder } from 'node:string_decoder';
import { classifyKubeError, KubeError } from './errors.ts';
import type { Query, Transport } from './transport.ts';
import { ApiStatusError } from './errors.ts';

/** Without any bytes for this long (not even a bookmark), a watch is presumed dead. */
export const WATCH_INACTIVITY_MS = 30_000;
const MAX_ERROR_BODY = 64 * 1024;

/** Splits a byte stream into lines; call push() per chunk and end() once. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private readonly onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  end(): void {
    this.emit(this.rest + this.decoder.end());
    this.rest = '';
  }

  private emit(line: string): void {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (l.trim() !== '') this.onLine(l);
  }
}

export type WatchEventHandler = (type: string, obj: unknown) => void;

export async function openWatch(
  transport: Transport,
  path: string,
  params: Query,
  onEvent: WatchEventHandler,
  done: (err: unknown) => void,
  inactivityMs = WATCH_INACTIVITY_MS,
): Promise<AbortController> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = (err: unknown) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort();
    done(err);
  };
  const resetTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const err = new DOMException(`watch silent for ${inactivityMs} ms`, 'TimeoutError');
      controller.abort(err);
      finish(err);
    }, inactivityMs);
    timer.unref();
  };
  controller.signal.addEventListener('abort', () => finish(controller.signal.reason), { once: true });

  try {
    resetTimer();
    const res = await transport.send(
      { method: 'GET', path, query: { ...params, watch: true } },
      controller.signal,
    );
    if (res.statusCode !== 200) {
      const body = (await res.body.text()).slice(0, MAX_ERROR_BODY);
      finish(classifyKubeError(new ApiStatusError(res.statusCode, body)));
      return controller;
    }
    resetTimer();
    const lines = new LineSplitter((line) => {
      if (finished) return;
      let event: { type?: unknown; object?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        // Skipping a line could lose an update; ending makes the caller resume from its last version.
        finish(new KubeError('other', 200, `watch sent a line that is not JSON: ${line.slice(0, 200)}`));
        return;
      }
      onEvent(String(event.type), event.object);
    });
    res.body.on('data', (chunk: Buffer) => {
      resetTimer();
      lines.push(chunk);
    });
    res.body.on('end', () => {
      lines.end();
      finish(null);
    });
    res.body.on('error', (err) => finish(err));
    res.body.on('close', () => finish(null));
  } catch (err) {
    finish(err);
  }
  return controller;
}
