import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

/** The 8-byte signature every PNG starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid 8-bit truecolour PNG of `width`×`height` from `rgb`: row-major
 * pixels, 3 bytes each (length must be width*height*3). Every scanline uses
 * filter 0 (none); the compression comes from deflate alone.
 */
export function encodeRgbPng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError('width and height must be whole numbers >= 1');
  const stride = width * 3;
  if (rgb.length !== stride * height) throw new RangeError(`expected ${stride * height} bytes of RGB, got ${rgb.length}`);
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit depth, truecolour, deflate, adaptive filter, no interlace
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A valid `size`×`size` (default 8×8) RGB PNG filled with one colour. */
export function solidPng(r: number, g: number, b: number, size = 8): Buffer {
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set([r, g, b], i);
  return encodeRgbPng(size, size, rgb);
}

/**
 * A valid baseline 8×8 greyscale JPEG of one flat shade: one block whose only
 * coefficient is DC = `dc` (1..255; brighter as it grows), unit quantisation,
 * one-symbol Huffman tables (DC category, AC end-of-block).
 */
export function solidJpeg(dc: number): Buffer {
  if (!Number.isInteger(dc) || dc < 1 || dc > 255) throw new RangeError('dc must be 1..255');
  const category = dc.toString(2).length;
  const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const oneCodeTable = (tableClass: number, symbol: number): number[] => [tableClass << 4, 1, ...new Array<number>(15).fill(0), symbol];
  // Entropy-coded data: DC code '0' + `category` value bits, AC end-of-block code '0', padded with 1-bits.
  const bits = `0${dc.toString(2)}0`.padEnd(Math.ceil((category + 2) / 8) * 8, '1');
  const scan: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    const byte = parseInt(bits.slice(i, i + 8), 2);
    scan.push(byte);
    if (byte === 0xff) scan.push(0x00);
  }
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    ...segment(0xc4, oneCodeTable(0, category)),
    ...segment(0xc4, oneCodeTable(1, 0x00)),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...scan,
    0xff, 0xd9,
  ]);
}

/** Writes `files` (relative path → bytes) under `root`, creating folders. */
export function writeTree(root: string, files: Record<string, Buffer | string>): void {
  for (const [relative, bytes] of Object.entries(files)) {
    const path = `${root}/${relative}`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
}
