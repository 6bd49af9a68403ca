// The Authenticator's own bookkeeping, with a scripted KubeClient (the API server itself is
// exercised in webhook/auth.int.test.ts): single-flight per token, the cap on concurrent reviews
// of unknown tokens, and known-good tokens re-validating outside the cap.
import type { V1SubjectAccessReview, V1TokenReview } from '@kubernetes/client-node';
import type { KubeClient } from '../../operator/kube/client.ts';
import { Authenticator } from './authenticator.ts';

type Pending = { token: string; resolve: (tr: V1TokenReview) => void };

function scriptedKube() {
  const pending: Pending[] = [];
  const audiences: string[][] = [];
  const kube = {
    tokenReview: (body: V1TokenReview) => {
      audiences.push(body.spec.audiences ?? []);
      return new Promise<V1TokenReview>((resolve) => pending.push({ token: body.spec.token!, resolve }));
    },
    subjectAccessReview: async (_: V1SubjectAccessReview) => ({ spec: {}, status: { allowed: true } }),
  };
  const answer = (p: Pending, ok: boolean) =>
    p.resolve({
      spec: { token: p.token },
      status: ok
        ? { authenticated: true, audiences: ['kubernaut-intake'], user: { username: `u-${p.token}` } }
        : { authenticated: false, error: 'invalid' },
    });
  return { kube: kube as unknown as KubeClient, pending, audiences, answer };
}

const options = (kube: KubeClient, ttl = 60) => ({
  kube,
  namespace: 'ns',
  audience: 'kubernaut-intake',
  cacheTtlSeconds: ttl,
  cacheMaxEntries: 100,
  maxConcurrentReviews: 2,
  retryAfterSeconds: 7,
});
const flush = () => new Promise((r) => setImmediate(r));

describe('Authenticator', () => {
  it('asks for the intake audience and shares one review among concurrent requests', async () => {
    const s = scriptedKube();
    const auth = new Authenticator(options(s.kube));
    const both = Promise.all([auth.authenticate('Bearer good'), auth.authenticate('Bearer good')]);
    await flush();
    expect(s.pending).toHaveLength(1);
    s.answer(s.pending[0]!, true);
    expect(await both).toEqual(['u-good', 'u-good']);
    expect(s.audiences).toEqual([['kubernaut-intake']]);
  });

  it('answers 503 with Retry-After beyond the cap of concurrent reviews of unknown tokens', async () => {
    const s = scriptedKube();
    const auth = new Authenticator(options(s.kube));
    const first = [auth.authenticate('Bearer a'), auth.authenticate('Bearer b')];
    await expect(auth.authenticate('Bearer c')).rejects.toMatchObject({ status: 503, retryAfterSeconds: 7 });
    for (const p of s.pending) s.answer(p, false);
    for (const p of first) await expect(p).rejects.toMatchObject({ status: 401 });
    // Slots are given back.
    const again = auth.authenticate('Bearer c');
    await flush();
    s.answer(s.pending[2]!, false);
    await expect(again).rejects.toMatchObject({ status: 401 });
  });

  it('re-validates a known-good token even while the cap is full', async () => {
    const s = scriptedKube();
    const auth = new Authenticator(options(s.kube, 0.001));
    const first = auth.authenticate('Bearer good');
    await flush();
    s.answer(s.pending[0]!, true);
    await first;
    await new Promise((r) => setTimeout(r, 5));
    const flood = [auth.authenticate('Bearer x'), auth.authenticate('Bearer y')];
    await expect(auth.authenticate('Bearer z')).rejects.toMatchObject({ status: 503 });
    const refresh = auth.authenticate('Bearer good');
    await flush();
    s.answer(s.pending[3]!, true);
    expect(await refresh).toBe('u-good');
    s.answer(s.pending[1]!, false);
    s.answer(s.pending[2]!, false);
    await Promise.allSettled(flood);
  });

  it('refuses a JWT for another audience without a review, saying which audience it needs', async () => {
    const s = scriptedKube();
    const auth = new Authenticator(options(s.kube));
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const apiToken = `${part({ alg: 'RS256' })}.${part({ aud: ['https://kubernetes.default.svc'] })}.sig`;
    await expect(auth.authenticate(`Bearer ${apiToken}`)).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('audience: kubernaut-intake'),
    });
    expect(s.pending).toHaveLength(0);
  });
});
