// A Kubernetes Event (core/v1 or events.k8s.io/v1) -> one NormalizedSignal. The two APIs say
// the same things under different names (involvedObject/regarding, message/note, ...), so each
// gets a small reader into one common shape and the rest is shared.
import type { TargetResource } from '../../operator/api/types.ts';
import type { NormalizedSignal } from './types.ts';
import { ValidationProblem } from '../http/problem.ts';
import {
  childPath,
  isObject,
  optionalCount,
  optionalObject,
  optionalString,
  optionalTimestamp,
  requiredObject,
  requiredString,
} from './fields.ts';
import type { JsonObject } from './fields.ts';
import { kindInfo, scopeTarget } from './kinds.ts';
import { eventOccurrenceKey } from './occurrence.ts';

export interface EventContext {
  clusterID: string;
  /** Firing time for events that carry no timestamp at all. */
  now: Date;
}

type EventApi = 'core' | 'events';

const API_VERSIONS: Readonly<Record<string, EventApi>> = {
  v1: 'core',
  'events.k8s.io/v1': 'events',
  // Same field names as v1; still sent by older exporters.
  'events.k8s.io/v1beta1': 'events',
};

// CRD bounds: signalName, signalSource, targetResource fields, label and annotation values.
const MAX_REASON = 253;
const MAX_SOURCE = 253;
const MAX_KIND = 63;
const MAX_NAME = 253;
const MAX_NAMESPACE = 63;
const MAX_LABEL_VALUE = 4096;
const MAX_MESSAGE = 32768;
const MAX_UID = 128;

/** What both Event APIs provide, under one set of names. */
interface EventFields {
  objectKey: 'involvedObject' | 'regarding';
  message: string | undefined;
  firstTime: string | undefined;
  lastTime: string | undefined;
  count: number | undefined;
  source: string | undefined;
}

/** Throws a ValidationProblem naming the field when the body is not a usable Event. */
export function parseKubernetesEvent(body: unknown, ctx: EventContext): NormalizedSignal {
  if (!isObject(body)) throw new ValidationProblem('body', 'must be a JSON object (a Kubernetes Event)');
  const fields = detectApi(body) === 'core' ? readCoreFields(body) : readEventsFields(body);
  const reason = requiredString(body, 'reason', '', MAX_REASON);
  const type = readType(body);
  const metadata = optionalObject(body, 'metadata', '');
  const involved = requiredObject(body, fields.objectKey, '');
  const target = readTarget(involved, fields.objectKey, metadata);
  const source = fields.source ?? 'kubernetes';
  return {
    name: reason,
    severity: type === 'Warning' ? 'warning' : 'info',
    type: 'kubernetes-event',
    source,
    target,
    labels: compact({
      reason,
      type,
      kind: target.kind,
      name: target.name,
      namespace: target.namespace,
      component: source,
      fieldPath: optionalString(involved, 'fieldPath', fields.objectKey, MAX_LABEL_VALUE),
      action: optionalString(body, 'action', '', MAX_LABEL_VALUE),
    }),
    annotations: compact({
      message: fields.message,
      count: fields.count?.toString(),
      lastTimestamp: fields.lastTime,
      event: metadata && optionalString(metadata, 'name', 'metadata', MAX_NAME),
    }),
    firingTime: fields.firstTime ?? fields.lastTime ?? ctx.now.toISOString(),
    clusterID: ctx.clusterID,
    resolved: false,
    occurrenceKey: eventOccurrenceKey(
      metadata && optionalString(metadata, 'uid', 'metadata', MAX_UID),
      fields.count,
    ),
  };
}

/**
 * apiVersion decides the field names. Senders that strip TypeMeta (event exporters often do)
 * are recognised by which object field they carry instead of being refused.
 */
function detectApi(body: JsonObject): EventApi {
  const kind = optionalString(body, 'kind', '', MAX_KIND);
  if (kind !== undefined && kind !== 'Event') {
    throw new ValidationProblem('kind', `must be "Event" (got "${kind}")`);
  }
  const apiVersion = optionalString(body, 'apiVersion', '', 64);
  if (apiVersion !== undefined) {
    const api = Object.hasOwn(API_VERSIONS, apiVersion) ? API_VERSIONS[apiVersion] : undefined;
    if (api) return api;
    const known = Object.keys(API_VERSIONS).join(', ');
    throw new ValidationProblem('apiVersion', `must be one of ${known} (got "${apiVersion}")`);
  }
  if (isObject(body.regarding)) return 'events';
  if (isObject(body.involvedObject)) return 'core';
  throw new ValidationProblem(
    'apiVersion',
    'is required (or an involvedObject / regarding to infer it from)',
  );
}

function readCoreFields(body: JsonObject): EventFields {
  const first = optionalTimestamp(body, 'firstTimestamp', '');
  const last = optionalTimestamp(body, 'lastTimestamp', '');
  const eventTime = optionalTimestamp(body, 'eventTime', '');
  const series = readSeries(body);
  const legacySource = optionalObject(body, 'source', '');
  return {
    objectKey: 'involvedObject',
    message: optionalString(body, 'message', '', MAX_MESSAGE),
    firstTime: first ?? eventTime ?? last,
    lastTime: series.lastObserved ?? last ?? eventTime,
    count: optionalCount(body, 'count', '') ?? series.count,
    source:
      (legacySource && optionalString(legacySource, 'component', 'source', MAX_SOURCE)) ??
      optionalString(body, 'reportingComponent', '', MAX_SOURCE),
  };
}

function readEventsFields(body: JsonObject): EventFields {
  const first = optionalTimestamp(body, 'deprecatedFirstTimestamp', '');
  const last = optionalTimestamp(body, 'deprecatedLastTimestamp', '');
  const eventTime = optionalTimestamp(body, 'eventTime', '');
  const series = readSeries(body);
  const legacySource = optionalObject(body, 'deprecatedSource', '');
  return {
    objectKey: 'regarding',
    message: optionalString(body, 'note', '', MAX_MESSAGE),
    firstTime: first ?? eventTime ?? last,
    lastTime: series.lastObserved ?? last ?? eventTime,
    count: series.count ?? optionalCount(body, 'deprecatedCount', ''),
    source:
      optionalString(body, 'reportingController', '', MAX_SOURCE) ??
      (legacySource && optionalString(legacySource, 'component', 'deprecatedSource', MAX_SOURCE)),
  };
}

/** `series` (both APIs) summarises repeats of an event that the API server folded together. */
function readSeries(body: JsonObject): { count: number | undefined; lastObserved: string | undefined } {
  const series = optionalObject(body, 'series', '');
  if (!series) return { count: undefined, lastObserved: undefined };
  return {
    count: optionalCount(series, 'count', 'series'),
    lastObserved: optionalTimestamp(series, 'lastObservedTime', 'series'),
  };
}

/** Kubernetes itself only admits these two; an absent type is the API's default, Normal. */
function readType(body: JsonObject): 'Normal' | 'Warning' {
  const type = optionalString(body, 'type', '', 16) ?? 'Normal';
  if (type === 'Normal' || type === 'Warning') return type;
  throw new ValidationProblem('type', `must be "Normal" or "Warning" (got "${type}")`);
}

/**
 * The object the event is about. A namespaced kind reported without its namespace takes the
 * Event's own, since Events are recorded in the namespace of the object they describe.
 */
function readTarget(obj: JsonObject, key: string, metadata: JsonObject | undefined): TargetResource {
  const kind = requiredString(obj, 'kind', key, MAX_KIND);
  const name = requiredString(obj, 'name', key, MAX_NAME);
  const apiVersion = optionalString(obj, 'apiVersion', key, MAX_NAME);
  let namespace = optionalString(obj, 'namespace', key, MAX_NAMESPACE);
  if (namespace === undefined && kindInfo(kind)?.namespaced) {
    namespace = metadata && optionalString(metadata, 'namespace', 'metadata', MAX_NAMESPACE);
    if (namespace === undefined) {
      throw new ValidationProblem(childPath(key, 'namespace'), `is required for a ${kind} target`);
    }
  }
  return scopeTarget({ kind, name, ...(apiVersion && { apiVersion }), ...(namespace && { namespace }) });
}

/** Drops unset entries: label and annotation maps hold strings only. */
function compact(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}
