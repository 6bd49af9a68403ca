// A base port for N replicas laid out as contract §1 does (replica k on base + 100k; intake,
// health and metrics on base, base + 1, base + 2), every one of them free right now.
import { createServer } from 'node:net';
import type { BasePorts } from '../../controlplane/replicas.ts';
import { PORT_STRIDE } from '../../controlplane/replicas.ts';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freeBasePorts(replicas: number): Promise<BasePorts> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 25_000);
    const ports = Array.from({ length: replicas }, (_, k) =>
      [0, 1, 2].map((o) => base + PORT_STRIDE * k + o),
    ).flat();
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) {
      return { intake: base, health: base + 1, metrics: base + 2 };
    }
  }
}
