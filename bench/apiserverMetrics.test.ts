import { minus, parseCpuSeconds, parseRequestTotals, sumWhere, total } from './apiserverMetrics.ts';

const TEXT = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="kubernaut.ai",resource="remediationrequests",scope="resource",subresource="",verb="POST",version="v1alpha1"} 10
apiserver_request_total{code="200",component="apiserver",dry_run="",group="kubernaut.ai",resource="remediationrequests",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 7
apiserver_request_total{code="409",component="apiserver",dry_run="",group="kubernaut.ai",resource="remediationrequests",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="kubernaut.ai",resource="remediationrequests",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 3
apiserver_request_total{code="200",component="",dry_run="",group="",resource="",scope="",subresource="/metrics",verb="GET",version=""} 40
process_cpu_seconds_total 12.5
`;

describe('apiserver_request_total parsing', () => {
  it('keeps resource requests, drops watches and non-resource paths', () => {
    const c = parseRequestTotals(TEXT);
    expect(Object.fromEntries(c)).toEqual({
      'POST remediationrequests 201': 10,
      'PATCH remediationrequests/status 200': 7,
      'PATCH remediationrequests/status 409': 2,
    });
    expect(total(c)).toBe(19);
    expect(sumWhere(c, 'PATCH remediationrequests/status')).toBe(9);
    expect(sumWhere(c, 'PATCH remediationrequests')).toBe(0);
  });

  it('subtracts readings and reads the CPU counter', () => {
    const before = parseRequestTotals(TEXT);
    const after = new Map(before);
    after.set('POST remediationrequests 201', 15);
    after.set('GET namespaces 200', 1);
    expect(Object.fromEntries(minus(after, before))).toEqual({
      'POST remediationrequests 201': 5,
      'GET namespaces 200': 1,
    });
    expect(parseCpuSeconds(TEXT)).toBe(12.5);
  });
});
