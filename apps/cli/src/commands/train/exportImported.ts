import type * as tf from '@tensorflow/tfjs';
import { stripQuantization, type QuantizedModel } from '@quant-trim/fake-quant';
import { isQuantTrimError } from '@quant-trim/errors';
import { exportOnnx } from '@quant-trim/onnx-export';
import { saveOnnx } from '@quant-trim/onnx-export/node';
import type { ImportedModelInfo } from '../../models/index.js';
import { logitsModel } from '../../train/exportModels.js';
import type { CommandContext } from '../context.js';

/** The trained float model (fake quantization stripped, trimming applied, logits out), without exporting it. */
export function importedFloat(quantized: QuantizedModel): tf.LayersModel {
  return logitsModel(stripQuantization(quantized).model);
}

/**
 * Exports an imported model's fine-tuned float checkpoint back to FP32 ONNX at `path`, with the
 * input layout of the file it came from (NCHW for PyTorch), so it drops in where the original ran.
 * Layers `exportOnnx` cannot write yet (onnx-import's registered layers, Permute,
 * Conv2DTranspose, Cropping2D) give a warning naming them, and no file: the tfjs checkpoint stays.
 */
export function exportImported(float: tf.LayersModel, path: string, imported: ImportedModelInfo, ctx: CommandContext): string | undefined {
  try {
    const exported = exportOnnx(float, {
      format: 'fp32',
      inputLayout: imported.inputLayout,
      metadata: { importedFrom: imported.file, importedSha256: imported.sha256 },
    });
    return saveOnnx(exported, path, { encodings: false }).model;
  } catch (e) {
    if (!isQuantTrimError(e, 'QT_EXPORT_UNSUPPORTED_OP')) throw e;
    ctx.reporter.onWarning?.(
      `QT_EXPORT_UNSUPPORTED_OP: ${imported.file} was fine-tuned, but its float checkpoint cannot be exported back to ONNX yet (the tfjs checkpoint is saved): ${e.message}`,
    );
    return undefined;
  }
}
