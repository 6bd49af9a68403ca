// Bearer-token authentication and authorization of signal senders: a TokenReview for the
// intake's own audience says who the token belongs to (a token minted for the API server is
// refused, so no token sent here can be replayed against the API server), then a
// SubjectAccessReview whether they may `create` the virtual resource `signals` in group
// kubernaut.ai. Verdicts are cached per token hash (verdicts.ts); concurrent reviews of tokens
// not known good are capped, beyond that 503 + Retry-After, so a flood of made-up tokens cannot
// flood the API server.
import { createHash } from 'node:crypto';
import type { KubeClient } from '../../operator/kube/client.ts';
import { ForbiddenProblem, ServiceUnavailableProblem, UnauthorizedProblem } from '../http/problem.ts';
import { audienceMismatch } from './audience.ts';
import { VerdictCache } from './verdicts.ts';
import type { Verdict } from './verdicts.ts';

export const SIGNAL_RESOURCE = { group: 'kubernaut.ai', resource: 'signals', verb: 'create' } as const;

export interface AuthenticatorOptions {
  kube: KubeClient;
  /** The intake's; a RoleBinding there grants `signals` as well as a ClusterRoleBinding. */
  namespace: string;
  audience: string;
  cacheTtlSeconds: number;
  cacheMaxEntries: number;
  maxConcurrentReviews: number;
  retryAfterSeconds: number;
}

export class Authenticator {
  private readonly o: AuthenticatorOptions;
  private readonly verdicts: VerdictCache;
  /** Reviews in flight per token hash: concurrent requests with one token share one review. */
  private readonly inFlight = new Map<string, Promise<Verdict>>();
  private capped = 0;

  constructor(o: AuthenticatorOptions) {
    this.o = o;
    this.verdicts = new VerdictCache(o.cacheTtlSeconds * 1000, o.cacheMaxEntries);
  }

  /** Resolves to the user name; throws an UnauthorizedProblem, ForbiddenProblem or ServiceUnavailableProblem. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedProblem('missing bearer token in the Authorization header');
    const token = match[1]!;
    const key = createHash('sha256').update(token).digest('hex');
    // A cached verdict came from a TokenReview for our audience: the local pre-check (a JWT
    // decode) is only worth its cost before a review.
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      const mismatch = audienceMismatch(token, this.o.audience);
      if (mismatch) throw new UnauthorizedProblem(mismatch);
      verdict = await this.reviewOnce(key, token);
    }
    if (verdict.ok) return verdict.user;
    throw verdict.status === 401
      ? new UnauthorizedProblem(verdict.detail)
      : new ForbiddenProblem(verdict.detail);
  }

  private reviewOnce(key: string, token: string): Promise<Verdict> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    // A token that was good before re-validates outside the cap: real senders keep working
    // while made-up tokens fill it.
    const capped = !this.verdicts.wasAllowed(key);
    if (capped && this.capped >= this.o.maxConcurrentReviews) {
      throw new ServiceUnavailableProblem('too many token reviews in progress', this.o.retryAfterSeconds);
    }
    if (capped) this.capped++;
    const review = this.review(token)
      .then((verdict) => {
        this.verdicts.set(key, verdict);
        return verdict;
      })
      .finally(() => {
        if (capped) this.capped--;
        this.inFlight.delete(key);
      });
    this.inFlight.set(key, review);
    return review;
  }

  private async review(token: string): Promise<Verdict> {
    const audience = this.o.audience;
    const tr = await this.o.kube.tokenReview({ spec: { token, audiences: [audience] } });
    const user = tr.status?.user;
    if (!tr.status?.authenticated || !user?.username) {
      return {
        ok: false,
        status: 401,
        detail: tr.status?.error ? 'token rejected' : 'token not authenticated',
      };
    }
    // The API server answers with the audiences the token is valid for; an authenticator that
    // ignores audiences would answer without ours.
    if (!(tr.status.audiences ?? []).includes(audience)) {
      return { ok: false, status: 401, detail: `token is not valid for audience "${audience}"` };
    }
    const extra = user.extra as Record<string, string[]> | undefined;
    const sar = await this.o.kube.subjectAccessReview({
      spec: {
        user: user.username,
        uid: user.uid,
        groups: user.groups,
        extra,
        resourceAttributes: { ...SIGNAL_RESOURCE, namespace: this.o.namespace },
      },
    });
    if (!sar.status?.allowed) {
      return {
        ok: false,
        status: 403,
        detail: `${user.username} may not create signals.kubernaut.ai (bind it to the kubernaut-signal-source ClusterRole)`,
      };
    }
    return { ok: true, user: user.username };
  }
}
