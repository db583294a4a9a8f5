// Runtime services: tensors from JS buffers, autograd entry points, grad mode, RNG state, threads, build info.
#include "common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <ATen/Version.h>
#include <ATen/Context.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <cstring>
#include <mutex>

namespace mdt {

namespace {

// fromBuffer(typedArray, shape, dtypeCode) -> tensor; copies, so the JS buffer may be reused at once.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "fromBuffer: expected a typed array");
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    Napi::Array shapeArr = info[1].As<Napi::Array>();
    std::vector<int64_t> shape;
    int64_t numel = 1;
    for (uint32_t i = 0; i < shapeArr.Length(); i++) {
      int64_t d = shapeArr.Get(i).As<Napi::Number>().Int64Value();
      if (d < 0) throw Napi::RangeError::New(env, "fromBuffer: negative dimension in shape");
      shape.push_back(d);
      numel *= d;
    }
    auto dtype = static_cast<at::ScalarType>(info[2].As<Napi::Number>().Int32Value());
    size_t itemsize = c10::elementSize(dtype);
    size_t bytes = static_cast<size_t>(numel) * itemsize;
    if (ta.ByteLength() != bytes) {
      throw Napi::RangeError::New(env, "fromBuffer: data has " + std::to_string(ta.ByteLength()) +
                                           " bytes but shape and dtype need " + std::to_string(bytes));
    }
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    if (bytes > 0) {
      const uint8_t* src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      std::memcpy(t.data_ptr(), src, bytes);
    }
    return TensorWrap::Make(env, t);
  });
}

// backward(tensors, grads|null, retainGraph, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Array ts = info[0].As<Napi::Array>();
    std::vector<at::Tensor> tensors;
    std::vector<at::Tensor> grads;
    for (uint32_t i = 0; i < ts.Length(); i++) tensors.push_back(TensorWrap::Get(ts.Get(i), "backward"));
    if (info[1].IsArray()) {
      Napi::Array gs = info[1].As<Napi::Array>();
      for (uint32_t i = 0; i < gs.Length(); i++) {
        Napi::Value g = gs.Get(i);
        grads.push_back(g.IsNull() || g.IsUndefined() ? at::Tensor() : TensorWrap::Get(g, "backward"));
      }
    }
    for (const auto& t : tensors) {
      if (!t.requires_grad()) {
        throw Napi::Error::New(info.Env(), "backward(): tensor does not require grad and has no grad_fn");
      }
    }
    c10::optional<bool> retain;
    if (info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
    bool create = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
    torch::autograd::backward(tensors, grads, retain, create);
    return info.Env().Undefined();
  });
}

// grad(outputs, inputs, gradOutputs|null, retainGraph, createGraph, allowUnused) -> tensors (torch.autograd.grad)
Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto list = [&](const Napi::Value& v) {
      std::vector<at::Tensor> out;
      if (!v.IsArray()) return out;
      Napi::Array a = v.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value e = a.Get(i);
        out.push_back(e.IsNull() || e.IsUndefined() ? at::Tensor() : TensorWrap::Get(e, "grad"));
      }
      return out;
    };
    auto outputs = list(info[0]);
    auto inputs = list(info[1]);
    auto gradOutputs = list(info[2]);
    c10::optional<bool> retain;
    if (info[3].IsBoolean()) retain = info[3].As<Napi::Boolean>().Value();
    bool create = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
    bool allowUnused = info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value();
    auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, allowUnused);
    Napi::Array arr = Napi::Array::New(info.Env(), grads.size());
    for (size_t i = 0; i < grads.size(); i++) {
      arr.Set(i, grads[i].defined() ? Napi::Value(TensorWrap::Make(info.Env(), grads[i])) : info.Env().Null());
    }
    return arr;
  });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    double seed = info[0].As<Napi::Number>().DoubleValue();
    torch::manual_seed(static_cast<uint64_t>(seed));
    return info.Env().Undefined();
  });
}

// The default CPU generator's state as bytes (what torch.get_rng_state() returns).
Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    auto state = gen.get_state();
    at::Tensor t = at::Tensor(std::move(state));
    auto buf = Napi::Buffer<uint8_t>::Copy(info.Env(), t.data_ptr<uint8_t>(), t.numel());
    return buf;
  });
}

Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "setRngState: expected bytes");
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    at::Tensor t = at::empty({static_cast<int64_t>(bytes.ByteLength())}, at::kByte);
    std::memcpy(t.data_ptr(), bytes.Data(), bytes.ByteLength());
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(t);
    return info.Env().Undefined();
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    int n = info[0].As<Napi::Number>().Int32Value();
    if (n < 1) throw Napi::RangeError::New(info.Env(), "setNumThreads: need at least 1 thread");
    at::set_num_threads(n);
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("version", Napi::String::New(env, TORCH_VERSION));
    o.Set("config", Napi::String::New(env, at::show_config()));
    o.Set("parallel", Napi::String::New(env, at::get_parallel_info()));
    o.Set("numThreads", Napi::Number::New(env, at::get_num_threads()));
    o.Set("numInteropThreads", Napi::Number::New(env, at::get_num_interop_threads()));
    o.Set("hasCuda", Napi::Boolean::New(env, at::hasCUDA()));
    o.Set("hasMkldnn", Napi::Boolean::New(env, at::hasMKLDNN()));
    o.Set("hasOpenMP", Napi::Boolean::New(env, at::hasOpenMP()));
    o.Set("hasLapack", Napi::Boolean::New(env, at::hasLAPACK()));
    int64_t cudaDevices = 0;
    if (at::hasCUDA()) cudaDevices = at::detail::getCUDAHooks().getNumGPUs();
    o.Set("cudaDevices", Napi::Number::New(env, static_cast<double>(cudaDevices)));
    return o;
  });
}

}  // namespace

void InitRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer, "fromBuffer"));
  exports.Set("backward", Napi::Function::New(env, Backward, "backward"));
  exports.Set("grad", Napi::Function::New(env, AutogradGrad, "grad"));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled, "setGradEnabled"));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled, "isGradEnabled"));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed, "manualSeed"));
  exports.Set("getRngState", Napi::Function::New(env, GetRngState, "getRngState"));
  exports.Set("setRngState", Napi::Function::New(env, SetRngState, "setRngState"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
}

}  // namespace mdt
