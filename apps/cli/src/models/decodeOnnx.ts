import { isQuantTrimError, QuantTrimError } from '@quant-trim/errors';
import { readOnnx, type OnnxModel } from '@quant-trim/onnx-export';

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) => bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Files people pass as `.onnx` by mistake, recognised by their first bytes. */
const KNOWN: readonly { readonly is: (b: Uint8Array) => boolean; readonly what: string; readonly hint?: string }[] = [
  {
    is: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    what: 'a PNG image',
    hint: 'images go to --dataset (an image folder <root>/<class>/*.png); the model is an .onnx file',
  },
  {
    is: (b) => startsWith(b, [0xff, 0xd8, 0xff]),
    what: 'a JPEG image',
    hint: 'images go to --dataset (an image folder <root>/<class>/*.jpg); the model is an .onnx file',
  },
  { is: (b) => startsWith(b, ascii('GIF8')), what: 'a GIF image' },
  { is: (b) => startsWith(b, ascii('%PDF')), what: 'a PDF document' },
  {
    is: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]),
    what: 'a zip archive (a PyTorch .pt / .pth checkpoint and a NumPy .npz are zip archives)',
    hint: 'export a PyTorch model with torch.onnx.export(model, example_input, "model.onnx"); unzip an archive first',
  },
  { is: (b) => startsWith(b, [0x1f, 0x8b]), what: 'a gzip-compressed file', hint: 'decompress it first (gunzip) and pass the .onnx inside' },
  {
    is: (b) => startsWith(b, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
    what: 'an HDF5 file (a Keras .h5 model?)',
    hint: 'convert a Keras model with tf2onnx (python -m tf2onnx.convert) first',
  },
  {
    is: (b) => startsWith(b, ascii('TFL3'), 4),
    what: 'a TensorFlow Lite flatbuffer (.tflite)',
    hint: 'convert it with tf2onnx (python -m tf2onnx.convert --tflite model.tflite --output model.onnx)',
  },
  {
    is: (b) => startsWith(b, ascii('version https://git-lfs')),
    what: 'a Git LFS pointer, not the model itself',
    hint: 'fetch the file with `git lfs pull` (or download it directly)',
  },
  {
    is: (b) => /^\s*</.test(new TextDecoder().decode(b.subarray(0, 64))),
    what: 'an HTML / XML text file (a web page saved instead of the model?)',
    hint: 'download the .onnx file itself',
  },
  {
    is: (b) => /^\s*[{[]/.test(new TextDecoder().decode(b.subarray(0, 64))),
    what: 'a JSON text file (a tfjs model.json?)',
    hint: 'pass a tfjs model.json to train / compare --model by its .json name; eval and inspect need an ONNX file',
  },
];

/**
 * Decodes the ONNX file `file` (its bytes): a file that is something else (a PNG or JPEG image, a
 * zip / gzip archive, a Git LFS pointer, …) is recognised by its first bytes and named, and any
 * decode error names the file. Errors are `QT_ONNX_DECODE` (exit 3) with a hint.
 */
export function decodeOnnx(bytes: Uint8Array, file: string): OnnxModel {
  const hint = 'pass an ONNX model file (torch.onnx.export, tf2onnx or `quant-trim export`), downloaded completely';
  if (bytes.length === 0)
    throw new QuantTrimError({ code: 'QT_ONNX_DECODE', message: `${file} is empty (0 bytes), not an ONNX model`, details: { path: file, hint } });
  const known = KNOWN.find((k) => k.is(bytes));
  if (known !== undefined)
    throw new QuantTrimError({
      code: 'QT_ONNX_DECODE',
      message: `${file} is ${known.what}, not an ONNX model`,
      details: { path: file, hint: known.hint ?? hint },
    });
  try {
    return readOnnx(bytes);
  } catch (e) {
    if (!isQuantTrimError(e, 'QT_ONNX_DECODE')) throw e;
    throw new QuantTrimError({
      code: 'QT_ONNX_DECODE',
      message: `${file}: ${(e as Error).message.replace(/^readOnnx: /, '')}`,
      cause: e,
      details: { path: file, hint },
    });
  }
}
