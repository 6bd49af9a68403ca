import { ApiException } from '@kubernetes/client-node';
import { classifyKubeError } from '../kube/errors.ts';
import { isGoneError, watchErrorOutcome } from './watchStream.ts';

describe('isGoneError', () => {
  it('recognises 410 from a list (KubeError) and from a watch response (statusCode)', () => {
    const listErr = classifyKubeError(new ApiException(410, 'Gone', '{"reason":"Expired"}', {}));
    expect(isGoneError(listErr)).toBe(true);
    expect(isGoneError(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(true);
    expect(isGoneError(new ApiException(410, 'Gone', '', {}))).toBe(true);
  });

  it('rejects everything else', () => {
    expect(isGoneError(classifyKubeError(new ApiException(500, 'x', '', {})))).toBe(false);
    expect(isGoneError(Object.assign(new Error('Forbidden'), { statusCode: 403 }))).toBe(false);
    expect(isGoneError(new DOMException('timeout', 'TimeoutError'))).toBe(false);
    expect(isGoneError(null)).toBe(false);
    expect(isGoneError('410')).toBe(false);
  });
});

describe('watchErrorOutcome', () => {
  it('asks for a relist on 410 / Expired / Gone', () => {
    expect(watchErrorOutcome({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }).kind).toBe(
      'gone',
    );
    expect(watchErrorOutcome({ reason: 'Gone' }).kind).toBe('gone');
  });

  it('treats other statuses and garbage as plain errors', () => {
    const o = watchErrorOutcome({ code: 500, reason: 'InternalError', message: 'boom' });
    expect(o.kind).toBe('error');
    expect(o.kind === 'error' && String(o.err)).toContain('500 InternalError boom');
    expect(watchErrorOutcome(undefined).kind).toBe('error');
  });
});
