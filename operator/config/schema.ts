// The operator's configuration, defined once: this TypeBox schema gives the TypeScript type
// (`Config`), the defaults, the validation at start-up (load.ts, with Ajv) and the `config:` part
// of the Helm chart's values.schema.json (charts/kubernaut-intake/values.schema.ts, `make schema`).
//
// Adding a setting: add it to the section below with `default` and its limits and a
// `description` (it becomes the chart's documentation too), add an environment override to
// ENV_OVERRIDES in load.ts if it needs one, a cross-field rule to crossFieldErrors() in
// checks.ts if it depends on another setting, then run `make schema` and document it in
// docs/configuration.md.
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });
const atLeast1 = (def: number, description: string) => int(1, Number.MAX_SAFE_INTEGER, def, description);
const port = (def: number, description: string) => int(1, 65535, def, description);
const bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
const text = (max: number, def: string, description: string, pattern?: string) =>
  Type.String({ minLength: 1, maxLength: max, default: def, description, ...(pattern ? { pattern } : {}) });
/** A section: unknown keys are errors, and a missing section is filled from its defaults. */
const section = <P extends Record<string, TSchema>>(properties: P, description?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    default: {},
    ...(description ? { description } : {}),
  });

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

const AuthSchema = section(
  {
    enabled: bool(
      true,
      'Bearer token required: TokenReview, then SubjectAccessReview (create signals.kubernaut.ai).',
    ),
    audience: text(
      253,
      'kubernaut-intake',
      'Audience the sender tokens must be minted for (TokenReview spec.audiences). A token for the API server is refused.',
    ),
    cacheTtlSeconds: int(1, 3600, 10, 'How long a verdict per token (allowed, 401, 403) is cached.'),
    cacheMaxEntries: int(
      1,
      1_000_000,
      10_000,
      'Most cached verdicts per kind: allowed tokens and refused tokens have separate LRU caches.',
    ),
    maxConcurrentReviews: int(
      1,
      10_000,
      32,
      'TokenReview+SubjectAccessReview pairs in flight for tokens not known good; more get 503.',
    ),
  },
  'Sender authentication.',
);

const TlsSchema = section(
  {
    enabled: bool(false, 'Serve the intake over HTTPS with certFile/keyFile (reloaded when they change).'),
    certFile: text(4096, '/etc/kubernaut-tls/tls.crt', 'PEM certificate chain of the intake.'),
    keyFile: text(4096, '/etc/kubernaut-tls/tls.key', 'PEM private key of the intake.'),
    reloadIntervalSeconds: int(1, 3600, 10, 'How often the two files are checked for a rotated certificate.'),
  },
  'TLS of the intake port (health and metrics stay plain HTTP).',
);

const IntakeSchema = section({
  port: port(8080, 'Port of the two signal routes.'),
  bodyLimitBytes: int(1, 64 * 1024 * 1024, 256 * 1024, 'Larger bodies get 413.'),
  maxAlertsPerRequest: int(1, 100_000, 1000, 'An Alertmanager payload with more alerts gets 400.'),
  retryAfterSeconds: int(1, 3600, 5, 'Retry-After sent with every 503.'),
  requestTimeoutMs: int(1, 600_000, 15_000, 'A request still running after this gets 503.'),
  maxInFlight: int(1, 1_000_000, 4000, 'Requests in progress beyond which new ones get 503 (load shedding).'),
  maxBytesInFlight: int(
    1,
    16 * 1024 ** 3,
    16 * 1024 * 1024,
    'Request body bytes (decoded) admitted and not yet answered; beyond it 503. At least bodyLimitBytes.',
  ),
  maxAlertsInFlight: int(
    1,
    10_000_000,
    10_000,
    'Signals (alerts or events) parsed and not yet answered; beyond it 503. At least maxAlertsPerRequest.',
  ),
  groupCommitLingerMs: int(
    0,
    1000,
    100,
    'Wait before the next status write to an RR whose writes are queueing up (signals arrived while its previous write was in flight); a write with nothing queued behind it goes out at once.',
  ),
  keepAliveTimeoutMs: int(
    1000,
    3_600_000,
    310_000,
    "Idle keep-alive connections are closed after this: above the 5 min idle timeout of Alertmanager's HTTP client.",
  ),
  headersTimeoutMs: int(
    1000,
    3_600_000,
    315_000,
    'Time allowed to receive request headers; must be above keepAliveTimeoutMs.',
  ),
  auth: AuthSchema,
  tls: TlsSchema,
  lock: section({
    leaseDurationSeconds: int(
      25,
      3600,
      30,
      'leaseDurationSeconds of the per-fingerprint creation Leases; at least two API request timeouts plus 5 s (the critical section before the create is sent).',
    ),
    maxWaitMs: int(1, 600_000, 5000, 'Longest wait for a creation lock; then 503.'),
    enabled: bool(
      true,
      'Take the creation Leases. Off only to measure their cost: deterministic RR names still keep one active RR per fingerprint, but replicas then race their creates and the storm buffer has no one holder per group.',
    ),
  }),
});

/** Severity -> environment -> P0..P3; its contents are checked by parsePriorityMatrix (checks.ts). */
const PriorityMatrixSchema = Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), {
  description: 'Severity -> environment -> priority (P0..P3); "*" is a wildcard.',
});

const StormSchema = section({
  rate: section({
    threshold: atLeast1(10, 'A rate storm needs more than this many distinct fingerprints...'),
    windowSeconds: atLeast1(60, '...created within this window.'),
  }),
  pattern: section({
    threshold: atLeast1(5, 'A pattern storm needs more than this many distinct targets...'),
    windowSeconds: atLeast1(120, '...within this window.'),
  }),
  quietSeconds: atLeast1(60, 'A storm ends after this long without new members...'),
  maxDurationSeconds: atLeast1(300, '...or this long after detection.'),
  bufferSeconds: int(
    0,
    60,
    5,
    "How long a group's first RR collects the group's next new fingerprints as pending members (trickling storms); 0 = no buffer.",
  ),
  maxListedMembers: int(
    1,
    10_000,
    1000,
    "Most entries listed in a storm leader's affectedResources / aggregatedFingerprints (aggregatedCount stays exact).",
  ),
});

export const ConfigSchema = Type.Object(
  {
    podName: Type.String({
      maxLength: 253,
      default: '',
      description: 'Holder identity in Leases (default <hostname>-<pid>).',
    }),
    namespace: Type.String({
      pattern: DNS_LABEL,
      default: 'kubernaut-system',
      description: 'Namespace of RRs and Leases.',
    }),
    clusterID: text(253, 'default', 'Part of every fingerprint.'),
    logLevel: Type.Unsafe<'error' | 'warn' | 'info' | 'debug'>({
      type: 'string',
      enum: ['error', 'warn', 'info', 'debug'],
      default: 'info',
      description: 'JSON logs on stdout; warn and error on stderr.',
    }),
    kubeconfigPath: Type.Optional(Type.String({ minLength: 1, description: 'Explicit kubeconfig file.' })),
    intake: IntakeSchema,
    kube: section(
      {
        maxConcurrentRequests: int(1, 10_000, 64, 'Non-watch Kubernetes API calls open at once per process.'),
        maxWaitMs: int(
          1,
          600_000,
          1500,
          'A call that waits longer than this for a slot fails as unavailable (503); below intake.requestTimeoutMs.',
        ),
      },
      'Bounds on the Kubernetes API calls of one process (watches and leader election are exempt).',
    ),
    health: section({ port: port(8081, '/healthz, /livez, /readyz.') }),
    metrics: section({ port: port(9090, '/metrics.') }),
    classification: section({
      defaultEnvironment: text(63, 'unknown', 'Environment when the namespace has no environment label.'),
      priorityMatrix: Type.Optional(PriorityMatrixSchema),
    }),
    storm: StormSchema,
    lifecycle: section({
      retentionHours: atLeast1(24, 'Terminal RRs are deleted this long after status.terminalSince.'),
      leaseCleanupAfterSeconds: atLeast1(600, 'Idle gw-lock-* Leases are deleted after this.'),
      resyncSeconds: atLeast1(60, 'Every controller re-queues all keys this often.'),
    }),
    leaderElection: section({
      enabled: bool(true, 'false: this process never runs the controllers (tests, benchmarks).'),
      leaseName: text(
        253,
        'kubernaut-intake-leader',
        'Lease that elects the leader.',
        '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
      ),
      leaseDurationSeconds: int(1, 3600, 15, 'Leader lease duration.'),
    }),
  },
  { additionalProperties: false, $id: 'kubernaut-intake-config' },
);

export type Config = Static<typeof ConfigSchema>;

/** Every setting at its default (podName empty: loadConfig fills it in). Defaults are cloned. */
export function defaultConfig(): Config {
  return Value.Default(ConfigSchema, {}) as Config;
}
