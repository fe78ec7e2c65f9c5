import type { OnnxNode } from '@quant-trim/onnx-export';

export const intAttr = (node: OnnxNode, name: string, fallback: number): number => {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
};

export const floatAttr = (node: OnnxNode, name: string, fallback: number): number => {
  const a = node.attributes[name];
  return a?.type === 'float' ? a.value : a?.type === 'int' ? a.value : fallback;
};

export const intsAttr = (node: OnnxNode, name: string): number[] | undefined => {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : undefined;
};

export const stringAttr = (node: OnnxNode, name: string, fallback: string): string => {
  const a = node.attributes[name];
  return a?.type === 'string' ? a.value : fallback;
};

/** The ONNX output of a node (the first). */
export const out = (node: OnnxNode): string => node.outputs[0]!;
