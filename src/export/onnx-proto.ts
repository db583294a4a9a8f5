/**
 * The subset of ONNX's public schema (onnx/onnx.proto, IR version 10) that the exporter writes, as a
 * protobufjs reflection built in code: field numbers and types are copied from onnx.proto, so the bytes are
 * a standard ModelProto that any ONNX runtime or checker reads. Only messages and fields we emit are listed.
 */
import protobuf from 'protobufjs';

/** TensorProto.DataType values. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

const f = (id: number, type: string, rule?: 'repeated') => ({ id, type, ...(rule ? { rule } : {}) });

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: { key: f(1, 'string'), value: f(2, 'string') } },
        OperatorSetIdProto: { fields: { domain: f(1, 'string'), version: f(2, 'int64') } },
        TensorProto: {
          fields: {
            dims: f(1, 'int64', 'repeated'),
            data_type: f(2, 'int32'),
            float_data: f(4, 'float', 'repeated'),
            int64_data: f(7, 'int64', 'repeated'),
            name: f(8, 'string'),
            raw_data: f(9, 'bytes'),
            doc_string: f(12, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: f(1, 'string'),
            f: f(2, 'float'),
            i: f(3, 'int64'),
            s: f(4, 'bytes'),
            t: f(5, 'TensorProto'),
            floats: f(7, 'float', 'repeated'),
            ints: f(8, 'int64', 'repeated'),
            doc_string: f(13, 'string'),
            type: f(20, 'int32'),
          },
        },
        NodeProto: {
          fields: {
            input: f(1, 'string', 'repeated'),
            output: f(2, 'string', 'repeated'),
            name: f(3, 'string'),
            op_type: f(4, 'string'),
            attribute: f(5, 'AttributeProto', 'repeated'),
            doc_string: f(6, 'string'),
            domain: f(7, 'string'),
          },
        },
        TensorShapeProto: {
          fields: { dim: f(1, 'Dimension', 'repeated') },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: { dim_value: f(1, 'int64'), dim_param: f(2, 'string'), denotation: f(3, 'string') },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: { tensor_type: f(1, 'Tensor'), denotation: f(6, 'string') },
          nested: { Tensor: { fields: { elem_type: f(1, 'int32'), shape: f(2, 'TensorShapeProto') } } },
        },
        ValueInfoProto: { fields: { name: f(1, 'string'), type: f(2, 'TypeProto'), doc_string: f(3, 'string') } },
        GraphProto: {
          fields: {
            node: f(1, 'NodeProto', 'repeated'),
            name: f(2, 'string'),
            initializer: f(5, 'TensorProto', 'repeated'),
            doc_string: f(10, 'string'),
            input: f(11, 'ValueInfoProto', 'repeated'),
            output: f(12, 'ValueInfoProto', 'repeated'),
            value_info: f(13, 'ValueInfoProto', 'repeated'),
          },
        },
        ModelProto: {
          fields: {
            ir_version: f(1, 'int64'),
            producer_name: f(2, 'string'),
            producer_version: f(3, 'string'),
            domain: f(4, 'string'),
            model_version: f(5, 'int64'),
            doc_string: f(6, 'string'),
            graph: f(7, 'GraphProto'),
            opset_import: f(8, 'OperatorSetIdProto', 'repeated'),
            metadata_props: f(14, 'StringStringEntryProto', 'repeated'),
          },
        },
      },
    },
  },
};

// Plain-object shapes of the messages above (snake_case, as protobufjs expects with keepCase).
export interface TensorMsg {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
}
export interface AttributeMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats?: number[];
  ints?: number[];
}
export interface NodeMsg {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute: AttributeMsg[];
}
export type DimMsg = { dim_value: number } | { dim_param: string };
export interface ValueInfoMsg {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimMsg[] } } };
}
export interface GraphMsg {
  name: string;
  node: NodeMsg[];
  initializer: TensorMsg[];
  input: ValueInfoMsg[];
  output: ValueInfoMsg[];
  doc_string?: string;
}
export interface ModelMsg {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphMsg;
  opset_import: { domain: string; version: number }[];
  metadata_props: { key: string; value: string }[];
}

let modelType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialises a ModelProto; `verify` catches field/type slips before bytes are written. */
export function encodeModel(model: ModelMsg): Uint8Array {
  const T = modelProto();
  const err = T.verify(model);
  if (err) throw new Error(`ONNX ModelProto is malformed: ${err}`);
  return T.encode(T.fromObject(model)).finish();
}

/** Parses bytes written by `encodeModel` (for tests and metadata reads). */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const T = modelProto();
  return T.toObject(T.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as ModelMsg;
}

/** The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
