// Bearer-token authentication and authorization of signal senders: a TokenReview says who the
// token belongs to, a SubjectAccessReview whether they may `create` the virtual resource
// `signals` in group kubernaut.ai. Both answers are cached briefly per token (by its hash).
import { createHash } from 'node:crypto';
import type { KubeClient } from '../../operator/kube/client.ts';
import { ForbiddenProblem, UnauthorizedProblem } from '../http/problem.ts';
import { TtlCache } from '../pipeline/ttlCache.ts';

export const SIGNAL_RESOURCE = { group: 'kubernaut.ai', resource: 'signals', verb: 'create' } as const;

type Verdict = { ok: true; user: string } | { ok: false; status: 401 | 403; detail: string };

export class Authenticator {
  private readonly kube: KubeClient;
  private readonly namespace: string;
  private readonly verdicts: TtlCache<Verdict>;

  /** `namespace`: the intake's; a RoleBinding there grants `signals` as well as a ClusterRoleBinding. */
  constructor(kube: KubeClient, namespace: string, cacheTtlSeconds: number) {
    this.kube = kube;
    this.namespace = namespace;
    this.verdicts = new TtlCache(cacheTtlSeconds * 1000);
  }

  /** Resolves to the user name; throws an UnauthorizedProblem or ForbiddenProblem. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedProblem('missing bearer token in the Authorization header');
    const token = match[1]!;
    const key = createHash('sha256').update(token).digest('hex');
    const verdict = await this.verdicts.get(key, () => this.review(token));
    if (verdict.ok) return verdict.user;
    throw verdict.status === 401
      ? new UnauthorizedProblem(verdict.detail)
      : new ForbiddenProblem(verdict.detail);
  }

  private async review(token: string): Promise<Verdict> {
    const tr = await this.kube.tokenReview({ spec: { token } });
    const user = tr.status?.user;
    if (!tr.status?.authenticated || !user?.username) {
      return {
        ok: false,
        status: 401,
        detail: tr.status?.error ? 'token rejected' : 'token not authenticated',
      };
    }
    const extra = user.extra as Record<string, string[]> | undefined;
    const sar = await this.kube.subjectAccessReview({
      spec: {
        user: user.username,
        uid: user.uid,
        groups: user.groups,
        extra,
        resourceAttributes: { ...SIGNAL_RESOURCE, namespace: this.namespace },
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
