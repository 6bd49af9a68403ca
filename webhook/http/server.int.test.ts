// The intake's server as the operator runs it: idle keep-alive connections outlive Node's old
// 5 s default (Alertmanager reuses them for up to 5 min), and HTTPS with a certificate that is
// rotated on disk and picked up without a restart. Certificates are made with openssl.
import { readFileSync, renameSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { eventually, freshNamespace } from '../../test/support/cluster.ts';
import { TestPki } from '../../test/support/tlsPki.ts';
import { PROMETHEUS, alert, alertmanagerPayload, startOperator } from '../../test/support/operator.ts';

const body = () =>
  JSON.stringify(
    alertmanagerPayload([alert({ namespace: 'shop', deployment: 'ka', alertname: 'KeepAlive' })]),
  );

function postOn(url: string, agent: Agent): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: req.socket!.localPort! }));
      },
    );
    req.on('error', reject);
    req.end(body());
  });
}

describe('intake server', () => {
  it('keeps an idle keep-alive connection open past 5 s', async () => {
    const ns = await freshNamespace('keepalive');
    const op = await startOperator(ns);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await postOn(op.endpoints.intake + PROMETHEUS, agent);
      expect(first.status).toBe(201);
      await new Promise((r) => setTimeout(r, 6500));
      const second = await postOn(op.endpoints.intake + PROMETHEUS, agent);
      expect(second.status).toBe(202);
      // The same client port: the server did not close the idle connection.
      expect(second.localPort).toBe(first.localPort);
    } finally {
      agent.destroy();
      await op.stop();
    }
  });

  it('serves HTTPS and picks up a rotated certificate without a restart', async () => {
    const pki = new TestPki();
    const dir = pki.dir;
    pki.issue('intake-one', join(dir, 'tls.crt'), join(dir, 'tls.key'));
    const ns = await freshNamespace('tls');
    const op = await startOperator(ns, {
      intake: {
        tls: {
          enabled: true,
          certFile: join(dir, 'tls.crt'),
          keyFile: join(dir, 'tls.key'),
          reloadIntervalSeconds: 1,
        },
      } as never,
    });
    try {
      expect(op.endpoints.intake).toMatch(/^https:/);
      const ca = readFileSync(pki.caCert);
      const first = await httpsPost(op.endpoints.intake + PROMETHEUS, ca);
      expect(first).toEqual({ status: 201, cn: 'intake-one' });
      // Like a Secret volume update: new files moved into place.
      pki.issue('intake-two', join(dir, 'next.crt'), join(dir, 'next.key'));
      renameSync(join(dir, 'next.key'), join(dir, 'tls.key'));
      renameSync(join(dir, 'next.crt'), join(dir, 'tls.crt'));
      const rotated = await eventually('the rotated certificate', async () => {
        const r = await httpsPost(op.endpoints.intake + PROMETHEUS, ca);
        return r.cn === 'intake-two' ? r : undefined;
      });
      expect(rotated.status).toBe(202);
    } finally {
      await op.stop();
    }
  });
});

function httpsPost(url: string, ca: Buffer): Promise<{ status: number; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cn }));
      },
    );
    req.on('error', reject);
    req.end(body());
  });
}
