import { ModelManifest, expectedInputDims } from '../manifest/model-manifest.schema';

/** The part of an ONNX value's metadata the contract check reads (a subset of onnxruntime's ValueMetadata). */
export interface GraphValue {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

/**
 * Compares a manifest with the inputs and outputs its ONNX graph declares and returns
 * one message per disagreement (empty when they agree). The batch dimension may be
 * symbolic or any number; every other dimension must equal the manifest's.
 */
export function checkGraphContract(manifest: ModelManifest, inputs: readonly GraphValue[], outputs: readonly GraphValue[]): string[] {
  const problems: string[] = [];
  const input = inputs.find((v) => v.name === manifest.input.name);
  if (input === undefined) {
    problems.push(`input name: manifest says "${manifest.input.name}", graph has ${names(inputs)}`);
  } else {
    const expected = expectedInputDims(manifest);
    checkTensor(problems, 'input', input, expected, `${manifest.input.layout} [batch, ${expected.join(', ')}]`);
  }
  if (inputs.length > 1) problems.push(`graph has ${inputs.length} inputs (${names(inputs)}); only single-input models are supported`);
  const output = outputs.find((v) => v.name === manifest.output.name);
  if (output === undefined) {
    problems.push(`output name: manifest says "${manifest.output.name}", graph has ${names(outputs)}`);
  } else {
    checkTensor(problems, 'output', output, [manifest.output.dim], `[batch, ${manifest.output.dim}]`);
  }
  return problems;
}

function checkTensor(problems: string[], role: string, value: GraphValue, expected: number[], described: string): void {
  if (!value.isTensor) {
    problems.push(`${role} "${value.name}" is not a tensor`);
    return;
  }
  if (value.type !== undefined && value.type !== 'float32') {
    problems.push(`${role} "${value.name}" type: manifest expects float32, graph has ${value.type}`);
  }
  const shape = value.shape ?? [];
  if (shape.length === 0) return; // the graph does not declare a shape; nothing to compare
  const rest = shape.slice(1);
  const agrees = shape.length === expected.length + 1 && rest.every((d, i) => d === expected[i]);
  if (!agrees) {
    problems.push(`${role} "${value.name}" dims: manifest expects ${described}, graph has [${shape.join(', ')}]`);
  }
}

function names(values: readonly GraphValue[]): string {
  return values.length === 0 ? 'none' : values.map((v) => `"${v.name}"`).join(', ');
}
