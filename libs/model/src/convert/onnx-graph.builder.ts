import { onnx } from 'onnx-proto';

/** ONNX opset the converter targets; every node it emits exists with these semantics in opset 13. */
export const ONNX_OPSET = 13;
const IR_VERSION = 7; // the IR version that introduced opset 13

/** An int, ints, a string, a float (`{ f }`) or floats (`{ floats }`). */
export type AttributeValue = number | number[] | string | { f: number } | { floats: number[] };

/** One tensor shape dimension: a fixed size or a symbolic name (e.g. the batch dimension). */
export type Dim = number | string;

/**
 * Accumulates nodes, initialisers and graph inputs/outputs, and encodes them as an
 * ONNX ModelProto. Deterministic: the same calls give byte-identical output (no
 * timestamps), so a build's SHA-256 can be recorded and checked.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();

  constructor(private readonly graphName: string) {}

  /**
   * A builder that continues an encoded opset-13 model: its nodes, initialisers,
   * inputs and outputs are kept (their names reserved) and `encode` writes them back,
   * in their order, followed by whatever was added. Deterministic like a fresh build.
   */
  static extend(bytes: Uint8Array): OnnxGraphBuilder {
    const model = onnx.ModelProto.decode(bytes);
    const opsets = model.opsetImport.map((o) => `${o.domain ?? ''}:${String(o.version)}`);
    if (opsets.length !== 1 || opsets[0] !== `:${ONNX_OPSET}`) {
      throw new RangeError(`only opset-${ONNX_OPSET} models can be extended, this one imports ${opsets.join(', ') || 'nothing'}`);
    }
    const graph = model.graph;
    if (graph === null || graph === undefined) throw new RangeError('the model has no graph');
    const builder = new OnnxGraphBuilder(graph.name ?? 'graph');
    const nodes = graph.node ?? [];
    const initializers = graph.initializer ?? [];
    const inputs = graph.input ?? [];
    builder.nodes.push(...nodes);
    builder.initializers.push(...initializers);
    builder.inputs.push(...inputs);
    builder.outputs.push(...(graph.output ?? []));
    for (const name of [...inputs.map((v) => v.name), ...initializers.map((t) => t.name), ...nodes.flatMap((n) => n.output ?? [])]) {
      if (name !== null && name !== undefined) builder.usedNames.add(name);
    }
    return builder;
  }

  /** Output names declared so far, in order. */
  outputNames(): string[] {
    return this.outputs.map((o) => o.name ?? '');
  }

  /** Stops declaring `name` as a graph output (the tensor stays computed for nodes that read it). */
  removeOutput(name: string): void {
    const at = this.outputs.findIndex((o) => o.name === name);
    if (at < 0) throw new RangeError(`the graph has no output "${name}"`);
    this.outputs.splice(at, 1);
  }

  /**
   * Drops the nodes no graph output depends on, and the initialisers only they read
   * (nodes are in topological order, as ONNX requires). Graph inputs stay. Names stay
   * reserved.
   */
  pruneToOutputs(): void {
    const needed = new Set(this.outputs.map((o) => o.name ?? ''));
    const keep = new Array<boolean>(this.nodes.length).fill(false);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (node === undefined || !(node.output ?? []).some((o) => needed.has(o))) continue;
      keep[i] = true;
      for (const input of node.input ?? []) needed.add(input);
    }
    const nodes = this.nodes.filter((_, i) => keep[i]);
    this.nodes.splice(0, this.nodes.length, ...nodes);
    const initializers = this.initializers.filter((t) => needed.has(t.name ?? ''));
    this.initializers.splice(0, this.initializers.length, ...initializers);
  }

  /** Whether the graph has a tensor of that name: an input, an initialiser or a node output. */
  hasTensor(name: string): boolean {
    return this.usedNames.has(name);
  }

  /** A fresh tensor name derived from `base` (suffixes a counter on collision). */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  addInput(name: string, dims: Dim[]): void {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, dims));
  }

  addOutput(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  addFloatInitializer(base: string, dims: number[], values: Float32Array): string {
    const name = this.uniqueName(base);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
    return name;
  }

  addInt64Initializer(base: string, values: number[]): string {
    const name = this.uniqueName(base);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: raw });
    return name;
  }

  /** Adds a node; `outputs` are used verbatim (reserve them with `uniqueName` first). */
  addNode(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, name?: string): void {
    for (const o of outputs) this.usedNames.add(o);
    this.nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: name ?? outputs[0],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
  }

  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'stylestream-model-build',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    return { name, type: T.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('f' in value) return { name, type: T.FLOAT, f: value.f };
  return { name, type: T.FLOATS, floats: value.floats };
}
