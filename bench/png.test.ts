import { inflateSync } from 'node:zlib';
import { niceCeil, renderChart } from './chart.ts';
import { Bitmap, PNG_SIGNATURE, crc32 } from './png.ts';

function chunks(png: Buffer): { type: string; data: Buffer; crcOk: boolean }[] {
  const out = [];
  for (let at = PNG_SIGNATURE.length; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    const crcOk = png.readUInt32BE(at + 8 + len) === crc32(png.subarray(at + 4, at + 8 + len));
    out.push({ type, data, crcOk });
    at += len + 12;
  }
  return out;
}

describe('PNG encoder', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a valid truecolor PNG whose pixels round-trip', () => {
    const b = new Bitmap(3, 2, [255, 255, 255]);
    b.rect(1, 0, 1, 1, [10, 20, 30]);
    const png = b.png();
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(cs.every((c) => c.crcOk)).toBe(true);
    expect(cs[0]!.data.readUInt32BE(0)).toBe(3);
    expect(cs[0]!.data.readUInt32BE(4)).toBe(2);
    const raw = inflateSync(cs[1]!.data);
    expect(raw).toHaveLength((3 * 3 + 1) * 2);
    expect([...raw.subarray(0, 10)]).toEqual([0, 255, 255, 255, 10, 20, 30, 255, 255, 255]);
  });

  it('draws text as pixels', () => {
    const b = new Bitmap(20, 10, [255, 255, 255]);
    expect(b.text(0, 0, 'A1', [0, 0, 0], 1)).toBe(12);
    expect(b.pixels.some((v) => v === 0)).toBe(true);
  });

  it('renders the chart', () => {
    const png = renderChart(
      [
        { label: 'raw create', p50: 10, p95: 20, p99: 30, perSec: 500, baseline: true },
        { label: 'new x1', p50: 40, p95: 80, p99: 90, perSec: 120, baseline: false },
      ],
      'test',
    );
    expect(chunks(png).every((c) => c.crcOk)).toBe(true);
    expect(niceCeil(87)).toBe(100);
    expect(niceCeil(1201)).toBe(2000);
    expect(niceCeil(0.3)).toBe(0.5);
  });
});
