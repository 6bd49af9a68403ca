// Alertmanager webhook (payload version 4) -> one NormalizedSignal per alert. A broken envelope
// fails the whole request (thrown ValidationProblem), but a broken alert only fails itself: the
// result list carries a problem for it, so the batch can answer 207 and the good alerts in the
// same notification are not lost to Alertmanager's retry of the whole group.
import type { NormalizedSignal } from './types.ts';
import { ValidationProblem } from '../http/problem.ts';
import { targetFromLabels } from './alertTarget.ts';
import { alertOccurrenceKey } from './occurrence.ts';
import {
  checkMapSize,
  childPath,
  isObject,
  optionalString,
  optionalStringMap,
  optionalTimestamp,
  requiredString,
} from './fields.ts';
import type { JsonObject, MapLimits } from './fields.ts';

export const DEFAULT_MAX_ALERTS = 1000;
export const SUPPORTED_VERSION = '4';
// CRD bounds of spec.signalLabels / spec.signalAnnotations, signalName, severity and clusterID.
export const LABEL_LIMITS: MapLimits = { maxEntries: 128, maxValueLength: 4096 };
export const ANNOTATION_LIMITS: MapLimits = { maxEntries: 128, maxValueLength: 32768 };
const MAX_SIGNAL_NAME = 253;
const MAX_SEVERITY = 63;
const MAX_CLUSTER_ID = 253;
// Alertmanager's are 16 hex digits; anything longer than a SHA-256 hex is not a fingerprint.
const MAX_ALERT_FINGERPRINT = 64;

export interface AlertmanagerContext {
  /** Used when an alert carries no `cluster` / `cluster_id` label. */
  clusterID: string;
  /** Firing time for alerts without `startsAt`. */
  now: Date;
  /** Most alerts accepted in one request; default 1000. */
  maxAlerts?: number;
}

export type AlertResult =
  | { index: number; signal: NormalizedSignal; problem?: undefined }
  | { index: number; signal?: undefined; problem: ValidationProblem };

export interface ParsedAlertmanagerPayload {
  alerts: AlertResult[];
  /** Alerts Alertmanager left out of this notification (`max_alerts`); 0 when absent. */
  truncatedAlerts: number;
}

type AlertStatus = 'firing' | 'resolved';

/** What the envelope says about every alert in the group. */
interface GroupDefaults {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: AlertStatus | undefined;
}

/** Throws a ValidationProblem for a bad envelope; per-alert problems are in the results. */
export function parseAlertmanagerPayload(body: unknown, ctx: AlertmanagerContext): ParsedAlertmanagerPayload {
  const { alerts, group } = readEnvelope(body, ctx.maxAlerts ?? DEFAULT_MAX_ALERTS);
  return {
    alerts: alerts.map((raw, index) => parseAlert(raw, index, group, ctx)),
    truncatedAlerts: readTruncated((body as JsonObject).truncatedAlerts),
  };
}

function readTruncated(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER) return v;
  throw new ValidationProblem(
    'truncatedAlerts',
    `must be a whole number of 0 or more (got ${JSON.stringify(v)})`,
  );
}

function readEnvelope(body: unknown, maxAlerts: number): { alerts: unknown[]; group: GroupDefaults } {
  if (!isObject(body))
    throw new ValidationProblem('body', 'must be a JSON object (an Alertmanager webhook payload)');
  checkVersion(body.version);
  const alerts = body.alerts;
  if (alerts === undefined || alerts === null) throw new ValidationProblem('alerts', 'is required');
  if (!Array.isArray(alerts)) throw new ValidationProblem('alerts', 'must be an array');
  if (alerts.length === 0) throw new ValidationProblem('alerts', 'must contain at least one alert');
  if (alerts.length > maxAlerts) {
    throw new ValidationProblem(
      'alerts',
      `has ${alerts.length} alerts; at most ${maxAlerts} are accepted per request`,
    );
  }
  const group: GroupDefaults = {
    labels: optionalStringMap(body, 'commonLabels', '', LABEL_LIMITS),
    annotations: optionalStringMap(body, 'commonAnnotations', '', ANNOTATION_LIMITS),
    status: readStatus(body, ''),
  };
  return { alerts, group };
}

/** Absent is accepted (hand-written payloads omit it); a number 4 is taken for the string Alertmanager sends. */
function checkVersion(version: unknown): void {
  if (version === undefined || version === null) return;
  const scalar = typeof version === 'string' || typeof version === 'number';
  if (scalar && String(version).trim() === SUPPORTED_VERSION) return;
  throw new ValidationProblem('version', `must be "${SUPPORTED_VERSION}" (got ${JSON.stringify(version)})`);
}

function readStatus(obj: JsonObject, path: string): AlertStatus | undefined {
  const status = optionalString(obj, 'status', path, 16);
  if (status === undefined || status === 'firing' || status === 'resolved') return status;
  throw new ValidationProblem(childPath(path, 'status'), `must be "firing" or "resolved" (got "${status}")`);
}

function parseAlert(
  raw: unknown,
  index: number,
  group: GroupDefaults,
  ctx: AlertmanagerContext,
): AlertResult {
  try {
    return { index, signal: toSignal(raw, `alerts[${index}]`, group, ctx) };
  } catch (err) {
    if (err instanceof ValidationProblem) return { index, problem: err };
    throw err;
  }
}

function toSignal(
  raw: unknown,
  path: string,
  group: GroupDefaults,
  ctx: AlertmanagerContext,
): NormalizedSignal {
  if (!isObject(raw)) throw new ValidationProblem(path, 'must be an object');
  const labelsPath = childPath(path, 'labels');
  const annotationsPath = childPath(path, 'annotations');
  // The alert's own labels win over the group's common ones (Alertmanager derives the common
  // set from the alerts, so they normally agree; a hand-written payload may not).
  const labels = { ...group.labels, ...optionalStringMap(raw, 'labels', path, LABEL_LIMITS) };
  checkMapSize(labels, labelsPath, LABEL_LIMITS.maxEntries);
  const annotations = {
    ...group.annotations,
    ...optionalStringMap(raw, 'annotations', path, ANNOTATION_LIMITS),
  };
  checkMapSize(annotations, annotationsPath, ANNOTATION_LIMITS.maxEntries);

  const name = requiredString(labels, 'alertname', labelsPath, MAX_SIGNAL_NAME);
  // A missing per-alert status falls back to the group's, then to firing: a signal was sent.
  const status = readStatus(raw, path) ?? group.status ?? 'firing';
  const severity = optionalString(labels, 'severity', labelsPath, MAX_SEVERITY)?.toLowerCase() ?? 'unknown';
  const clusterID =
    optionalString(labels, 'cluster', labelsPath, MAX_CLUSTER_ID) ??
    optionalString(labels, 'cluster_id', labelsPath, MAX_CLUSTER_ID) ??
    ctx.clusterID;
  const startsAt = optionalTimestamp(raw, 'startsAt', path);
  const resolved = status === 'resolved';
  const alertFingerprint = optionalString(raw, 'fingerprint', path, MAX_ALERT_FINGERPRINT);
  return {
    name,
    severity,
    type: 'prometheus-alert',
    source: 'alertmanager',
    target: targetFromLabels(labels, labelsPath),
    labels,
    annotations,
    firingTime: startsAt ?? ctx.now.toISOString(),
    clusterID,
    resolved,
    occurrenceKey: alertOccurrenceKey(alertFingerprint, labels, startsAt, resolved),
  };
}
