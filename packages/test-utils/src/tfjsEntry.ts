// tfjs helpers live on their own subpath (`@quant-trim/test-utils/tfjs`), so tests that do not
// build models never load TensorFlow.js.
import * as tf from '@tensorflow/tfjs';

/** An in-memory tfjs IO handler pair: `save` keeps the artifacts, `load()` reads them back. */
export function memoryIO(): { save: tf.io.IOHandler; load: () => tf.io.IOHandler } {
  let saved: tf.io.ModelArtifacts | undefined;
  return {
    save: tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    load: () => tf.io.fromMemory(saved!),
  };
}
