// A minimal raster: an RGB bitmap with rectangles and 5x7 bitmap text, encoded as a PNG
// (8-bit truecolor, filter 0 on every row, zlib from node:zlib, CRC-32 per chunk).
import { deflateSync } from 'node:zlib';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.ts';

export type Rgb = readonly [number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolor, deflate, filter method 0, no interlace
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export class Bitmap {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;

  constructor(width: number, height: number, background: Rgb = [255, 255, 255]) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, background);
  }

  rect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) this.pixels.set(color, (yy * this.width + xx) * 3);
    }
  }

  /** A dashed horizontal line. */
  dashed(x: number, y: number, w: number, color: Rgb, dash = 6): void {
    for (let xx = 0; xx < w; xx += dash * 2) this.rect(x + xx, y, Math.min(dash, w - xx), 2, color);
  }

  /** Upper-cased text, top-left at (x, y); returns its width. */
  text(x: number, y: number, s: string, color: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of s.toUpperCase()) {
      const rows = glyph(ch);
      rows.forEach((bits, row) => {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (bits & (1 << (GLYPH_WIDTH - 1 - col)))
            this.rect(cx + col * scale, y + row * scale, scale, scale, color);
        }
      });
      cx += (GLYPH_WIDTH + 1) * scale;
    }
    return cx - x;
  }

  static textWidth(s: string, scale = 2): number {
    return s.length * (GLYPH_WIDTH + 1) * scale;
  }

  static textHeight(scale = 2): number {
    return GLYPH_HEIGHT * scale;
  }

  png(): Buffer {
    return encodePng(this.width, this.height, this.pixels);
  }
}
