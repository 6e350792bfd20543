import { deflateSync } from 'node:zlib';

/** The side of the photos, in pixels: the smallest size Graph keeps of a profile photo. */
export const PHOTO_SIZE = 96;

/**
 * A square PNG of one colour (`#rrggbb`), made in code so that the repository holds no binary
 * file. PNG: https://www.w3.org/TR/png-3/ (8-bit truecolour, one IDAT, no filtering).
 */
export function solidColourPng(colour: string, size = PHOTO_SIZE): Buffer {
  const rgb = Buffer.from(colour.replace(/^#/, ''), 'hex');
  if (rgb.length !== 3) throw new Error(`Not a #rrggbb colour: ${colour}`);
  const row = Buffer.alloc(1 + size * 3);
  // Each scanline starts with its filter type: 0, none.
  for (let x = 0; x < size; x += 1) rgb.copy(row, 1 + x * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

// zlib.crc32 arrived in Node 20.15; the package supports 20.12.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
