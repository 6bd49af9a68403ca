// Reads and parses a JSON request body within the body limit and the replica's byte bound.
// Written here rather than taken from body-parser because the bytes must be admitted against the
// in-flight bound as they arrive: before reading when Content-Length announces them, chunk by
// chunk when the body is chunked, and counted after decompression when it is encoded (a gzip body
// may inflate a thousandfold). A body that does not decode is the sender's fault: 400 naming the
// encoding, never a 500 that Alertmanager would retry for ever.
import type { Request } from 'express';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import {
  CorruptBodyProblem,
  MalformedJsonProblem,
  PayloadTooLargeProblem,
  UnsupportedMediaTypeProblem,
} from './problem.ts';
import type { Ticket } from './loadBounds.ts';

const DECODERS: Record<string, (() => Transform) | undefined> = {
  identity: undefined,
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

export interface BodyOptions {
  limitBytes: number;
  ticket: Ticket;
  signal?: AbortSignal;
}

/** The parsed body; `undefined` when the request has none. */
export async function readJsonBody(req: Request, o: BodyOptions): Promise<unknown> {
  checkCharset(req.get('content-type'));
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase() || 'identity';
  if (!(encoding in DECODERS)) {
    throw new UnsupportedMediaTypeProblem(
      undefined,
      `content encoding "${encoding}" is not supported; send identity, gzip, deflate or br`,
    );
  }
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared >= 0) {
    if (encoding === 'identity' && declared > o.limitBytes) throw new PayloadTooLargeProblem(o.limitBytes);
    o.ticket.takeBytes(Math.min(declared, o.limitBytes));
  }
  const raw = await collect(req, DECODERS[encoding]?.(), encoding, o);
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new MalformedJsonProblem(undefined, { cause: err });
  }
}

function checkCharset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeProblem(
      contentType,
      `charset "${charset}" is not supported; send UTF-8 JSON`,
    );
  }
}

/** Streams the (decoded) body into one buffer, admitting every byte beyond what was taken up front. */
function collect(req: Request, decoder: Transform | undefined, encoding: string, o: BodyOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const source = decoder ?? req;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      o.signal?.removeEventListener('abort', onAbort);
      if (err === undefined) return resolve(Buffer.concat(chunks, total));
      chunks.length = 0;
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      req.pause(); // the rest is not read; the response (or close) ends the connection's use
      reject(err);
    };
    const onAbort = () => finish(o.signal?.reason ?? new DOMException('aborted', 'AbortError'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total > o.limitBytes) return finish(new PayloadTooLargeProblem(o.limitBytes));
      try {
        o.ticket.takeBytes(total - o.ticket.heldBytes);
      } catch (err) {
        return finish(err);
      }
      chunks.push(chunk);
    });
    source.on('end', () => finish());
    if (decoder) {
      decoder.on('error', (err) =>
        finish(
          new CorruptBodyProblem(`request body is not valid ${encoding}: ${err.message}`, { cause: err }),
        ),
      );
      req.pipe(decoder);
    }
    req.on('error', (err) =>
      finish(new MalformedJsonProblem('request body could not be read', { cause: err })),
    );
    req.on('close', () => {
      if (!req.readableEnded) finish(new MalformedJsonProblem('request body ended before it was complete'));
    });
    if (o.signal?.aborted) onAbort();
  });
}
