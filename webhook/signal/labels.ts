// Signal names are free text (alertnames, Event reasons), but the `kubernaut.ai/signal-name`
// label must be a valid Kubernetes label value or the API server rejects the whole create.

export const MAX_LABEL_VALUE_LENGTH = 63;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const INVALID_RUN = /[^A-Za-z0-9._-]+/gu;
const LEADING_NON_ALNUM = /^[^A-Za-z0-9]+/;
const TRAILING_NON_ALNUM = /[^A-Za-z0-9]+$/;

export function isValidLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_VALUE_LENGTH && LABEL_VALUE.test(value);
}

/**
 * Maps any string onto a valid, non-empty label value: each run of disallowed characters
 * becomes one '-', the ends are trimmed to alphanumerics, and the result is cut to 63 chars
 * (trimming again, since the cut may end on '-'). Nothing usable left gives `unknown`.
 */
export function sanitizeLabelValue(s: string): string {
  const trim = (v: string): string => v.replace(LEADING_NON_ALNUM, '').replace(TRAILING_NON_ALNUM, '');
  const cleaned = trim(trim(s.replace(INVALID_RUN, '-')).slice(0, MAX_LABEL_VALUE_LENGTH));
  return cleaned === '' ? 'unknown' : cleaned;
}
