import {
  ForbiddenProblem,
  HttpProblem,
  InternalProblem,
  MalformedJsonProblem,
  PayloadTooLargeProblem,
  ServiceUnavailableProblem,
  UnauthorizedProblem,
  UnsupportedMediaTypeProblem,
  ValidationProblem,
  asHttpProblem,
  toProblemBody,
} from './problem.ts';

describe('problems', () => {
  it('a ValidationProblem is a 400 naming the field in its detail', () => {
    const p = new ValidationProblem('alerts[2].labels.alertname', 'is required');
    expect(p).toBeInstanceOf(HttpProblem);
    expect(p).toBeInstanceOf(Error);
    expect(p.name).toBe('ValidationProblem');
    expect(p.status).toBe(400);
    expect(p.type).toBe('https://kubernaut.ai/problems/validation-error');
    expect(p.detail).toBe('alerts[2].labels.alertname is required');
    expect(p.message).toBe(p.detail);
    expect(p.field).toBe('alerts[2].labels.alertname');
    expect(p.rejectReason).toBe('validation');
  });

  it.each([
    [new MalformedJsonProblem(), 400, 'malformed-json', 'malformed_json'],
    [new UnauthorizedProblem(), 401, 'unauthorized', 'unauthorized'],
    [new ForbiddenProblem(), 403, 'forbidden', 'forbidden'],
    [new PayloadTooLargeProblem(262144), 413, 'payload-too-large', 'too_large'],
    [new UnsupportedMediaTypeProblem('text/plain'), 415, 'unsupported-media-type', 'unsupported_media_type'],
    [new ServiceUnavailableProblem('lock not obtained in time'), 503, 'service-unavailable', 'unavailable'],
    [new InternalProblem(), 500, 'internal-error', 'internal'],
  ] as const)('%s has status %d, type %s and reject reason %s', (p, status, slug, reason) => {
    expect(p.status).toBe(status);
    expect(p.type).toBe(`https://kubernaut.ai/problems/${slug}`);
    expect(p.rejectReason).toBe(reason);
    expect(p.field).toBeUndefined();
    expect(p.title).not.toBe('');
  });

  it('413 and 415 say what was wrong', () => {
    expect(new PayloadTooLargeProblem(262144).detail).toContain('262144 bytes');
    expect(new UnsupportedMediaTypeProblem('text/plain').detail).toContain('"text/plain"');
    expect(new UnsupportedMediaTypeProblem(undefined).detail).toContain('(none)');
  });

  it('503 carries a whole, positive Retry-After', () => {
    expect(new ServiceUnavailableProblem('x').retryAfterSeconds).toBe(5);
    expect(new ServiceUnavailableProblem('x', 2.2).retryAfterSeconds).toBe(3);
    expect(new ServiceUnavailableProblem('x', 0).retryAfterSeconds).toBe(1);
  });

  it('toProblemBody gives the RFC 7807 members, with field only when known', () => {
    const body = toProblemBody(new ValidationProblem('version', 'must be "4"'), '/api/v1/signals/prometheus');
    expect(body).toEqual({
      type: 'https://kubernaut.ai/problems/validation-error',
      title: 'Invalid signal',
      status: 400,
      detail: 'version must be "4"',
      instance: '/api/v1/signals/prometheus',
      field: 'version',
    });
    expect(Object.keys(toProblemBody(new UnauthorizedProblem(), '/x'))).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'instance',
    ]);
  });

  it('asHttpProblem keeps problems and hides anything else behind a 500', () => {
    const forbidden = new ForbiddenProblem();
    expect(asHttpProblem(forbidden)).toBe(forbidden);
    const boom = new Error('secret internals');
    const wrapped = asHttpProblem(boom);
    expect(wrapped.status).toBe(500);
    expect(wrapped.detail).not.toContain('secret');
    expect(wrapped.cause).toBe(boom);
  });
});
