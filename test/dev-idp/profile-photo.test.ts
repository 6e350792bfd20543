import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { solidColourPng } from '../../src/dev-idp/profile-photo.js';

// The PNG's chunks: length, type, data, CRC (https://www.w3.org/TR/png-3/#5Chunk-layout).
function chunksOf(png: Buffer) {
  const chunks: { type: string; data: Buffer; crcOk: boolean }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    chunks.push({
      type: typed.subarray(0, 4).toString('ascii'),
      data: typed.subarray(4),
      crcOk: crc32(typed) === png.readUInt32BE(at + 8 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

describe('profile photos made in code', () => {
  it('is a 96 × 96 truecolour PNG whose chunks carry correct CRCs', () => {
    const chunks = chunksOf(solidColourPng('#0067b8'));
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const header = chunks[0]?.data ?? Buffer.alloc(0);
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([
      96, 96, 8, 2,
    ]);
  });

  it('paints every pixel the colour asked for', () => {
    const pixels = inflateSync(chunksOf(solidColourPng('#a4262c', 4))[1]?.data ?? Buffer.alloc(0));
    // Four scanlines, each a filter byte (0) and four RGB pixels.
    const scanline = [0, ...[0, 1, 2, 3].flatMap(() => [0xa4, 0x26, 0x2c])];
    expect(pixels).toEqual(Buffer.from([0, 1, 2, 3].flatMap(() => scanline)));
  });

  it('refuses what is not a #rrggbb colour', () => {
    expect(() => solidColourPng('blue')).toThrow(/#rrggbb/);
  });
});
