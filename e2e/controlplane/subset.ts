// Which fields of an object sent to the API server are missing or different in what it returned:
// a field a typed client model or the server's pruning dropped shows up here instead of vanishing
// silently. Arrays are compared item by item; extra fields the server adds (defaults, status,
// managedFields) do not count.
export function missingFields(sent: unknown, got: unknown, path = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(got) || got.length !== sent.length) return [`${path} (array)`];
    return sent.flatMap((item, i) => missingFields(item, got[i], `${path}[${i}]`));
  }
  if (sent !== null && typeof sent === 'object') {
    if (got === null || typeof got !== 'object') return [path || '(root)'];
    return Object.entries(sent).flatMap(([k, v]) =>
      missingFields(v, (got as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return sent === got ? [] : [`${path}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`];
}
