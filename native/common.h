// Shared declarations for the maskdcpt libtorch addon.
#pragma once

#include <napi.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <functional>
#include <string>

namespace mdt {

// Per-environment state (one per main thread or worker_thread).
struct AddonData {
  Napi::FunctionReference tensorCtor;
  Napi::FunctionReference groupCtor;  // NativeProcessGroup, to check arguments (distributed.cc)
};

AddonData* GetData(Napi::Env env);

// Runs `fn`, turning every C++ exception (c10::Error included) into a JS Error with its message,
// so nothing unwinds across N-API.
Napi::Value Guard(const Napi::CallbackInfo& info, const std::function<Napi::Value()>& fn);

// Tensor handle wrapper: owns one reference to an at::Tensor until dispose() or GC.
class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Make(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, const Napi::Value& v);
  static at::Tensor& Get(const Napi::Value& v, const char* what);

  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;

  at::Tensor tensor;
  bool disposed = false;

 private:
  int64_t reported_ = 0;
  void Release(Napi::Env env);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Strides(const Napi::CallbackInfo& info);
  Napi::Value DType(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value Dim(const Napi::CallbackInfo& info);
  Napi::Value IsContiguous(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  Napi::Value GradFn(const Napi::CallbackInfo& info);
  Napi::Value ToBuffer(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value SameStorage(const Napi::CallbackInfo& info);
  Napi::Value Nbytes(const Napi::CallbackInfo& info);
  Napi::Value Version(const Napi::CallbackInfo& info);
};

// cv2.filter2D direct and separable paths for HWC float rasters (filter.cc).
void InitFilter(Napi::Env env, Napi::Object exports);

void InitOps(Napi::Env env, Napi::Object exports);
void InitRuntime(Napi::Env env, Napi::Object exports);
void InitAllocator(Napi::Env env, Napi::Object exports);
void InitDistributed(Napi::Env env, Napi::Object exports);

}  // namespace mdt
