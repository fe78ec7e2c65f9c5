import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeOnnx } from '../../src/models/decodeOnnx.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe('decodeOnnx', () => {
  it('a file that is not ONNX is named by what it is (PNG, JPEG, zip, gzip, Git LFS pointer, empty)', () => {
    const what = (bytes: Uint8Array) => {
      try {
        decodeOnnx(bytes, 'model.onnx');
        return 'decoded';
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
    };
    expect(what(PNG)).toBe('QT_ONNX_DECODE: model.onnx is a PNG image, not an ONNX model');
    expect(what(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBe('QT_ONNX_DECODE: model.onnx is a JPEG image, not an ONNX model');
    expect(what(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0]))).toMatch(/^QT_ONNX_DECODE: model\.onnx is a zip archive \(a PyTorch \.pt/);
    expect(what(gzipSync(Buffer.from('x')))).toBe('QT_ONNX_DECODE: model.onnx is a gzip-compressed file, not an ONNX model');
    expect(what(new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:abc\n'))).toMatch(/is a Git LFS pointer/);
    expect(what(new Uint8Array(0))).toBe('QT_ONNX_DECODE: model.onnx is empty (0 bytes), not an ONNX model');
    expect(what(new Uint8Array([8, 7, 18, 255, 255, 1, 2, 3]))).toMatch(/^QT_ONNX_DECODE: model\.onnx: .*not a readable ONNX ModelProto/);
  });
});
