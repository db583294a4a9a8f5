/** ONNX export of the backbones: trace a forward pass, map ATen ops to standard ONNX, write with protobufjs. */
export { DEFAULT_OPSET, type ExportOptions, exportOnnx, MAX_OPSET, MIN_OPSET } from './export.js';
export { supportedOps } from './onnx-ops.js';
export { decodeModel } from './onnx-proto.js';
export { type VerifyResult, verifyOnnx } from './verify.js';
