// TensorWrap: the JS-visible handle for one at::Tensor reference.
#include "common.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

#include <cstring>

namespace mdt {

namespace {
// Bytes reported to V8 so that its GC runs the finalizer backstop when handles are dropped without dispose().
int64_t ExternalBytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.numel() * t.element_size());
}
}  // namespace

Napi::Function TensorWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeTensor",
                     {
                         InstanceMethod<&TensorWrap::Dispose>("dispose"),
                         InstanceMethod<&TensorWrap::IsDisposed>("isDisposed"),
                         InstanceMethod<&TensorWrap::Shape>("shape"),
                         InstanceMethod<&TensorWrap::Strides>("strides"),
                         InstanceMethod<&TensorWrap::DType>("dtype"),
                         InstanceMethod<&TensorWrap::Device>("device"),
                         InstanceMethod<&TensorWrap::Numel>("numel"),
                         InstanceMethod<&TensorWrap::Dim>("dim"),
                         InstanceMethod<&TensorWrap::IsContiguous>("isContiguous"),
                         InstanceMethod<&TensorWrap::RequiresGrad>("requiresGrad"),
                         InstanceMethod<&TensorWrap::SetRequiresGrad>("setRequiresGrad"),
                         InstanceMethod<&TensorWrap::Grad>("grad"),
                         InstanceMethod<&TensorWrap::SetGrad>("setGrad"),
                         InstanceMethod<&TensorWrap::IsLeaf>("isLeaf"),
                         InstanceMethod<&TensorWrap::GradFn>("gradFn"),
                         InstanceMethod<&TensorWrap::ToBuffer>("toBuffer"),
                         InstanceMethod<&TensorWrap::Item>("item"),
                         InstanceMethod<&TensorWrap::SameStorage>("sameStorage"),
                         InstanceMethod<&TensorWrap::Nbytes>("nbytes"),
                         InstanceMethod<&TensorWrap::Version>("version"),
                     });
}

Napi::Object TensorWrap::Make(Napi::Env env, at::Tensor t) {
  Napi::Object obj = GetData(env)->tensorCtor.New({});
  TensorWrap* w = Napi::ObjectWrap<TensorWrap>::Unwrap(obj);
  w->tensor = std::move(t);
  w->reported_ = ExternalBytes(w->tensor);
  if (w->reported_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, w->reported_);
  return obj;
}

bool TensorWrap::Is(Napi::Env env, const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(GetData(env)->tensorCtor.Value());
}

at::Tensor& TensorWrap::Get(const Napi::Value& v, const char* what) {
  Napi::Env env = v.Env();
  if (!Is(env, v)) throw Napi::TypeError::New(env, std::string(what) + ": expected a tensor");
  TensorWrap* w = Napi::ObjectWrap<TensorWrap>::Unwrap(v.As<Napi::Object>());
  if (w->disposed) throw Napi::Error::New(env, std::string(what) + ": tensor was used after dispose()");
  return w->tensor;
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {}

TensorWrap::~TensorWrap() {
  // Finalizer backstop: the at::Tensor member releases its reference here. External memory accounting
  // is not adjusted from a finalizer (no env access guaranteed); V8 tolerates the drift.
}

void TensorWrap::Release(Napi::Env env) {
  if (disposed) return;
  tensor.reset();
  disposed = true;
  if (reported_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -reported_);
  reported_ = 0;
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed); }

#define LIVE(name)                                                                              \
  if (disposed) throw Napi::Error::New(info.Env(), name ": tensor was used after dispose()"); \
  const at::Tensor& t = tensor;

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) {
  LIVE("shape");
  auto sizes = t.sizes();
  Napi::Array arr = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) arr.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return arr;
}

Napi::Value TensorWrap::Strides(const Napi::CallbackInfo& info) {
  LIVE("strides");
  auto st = t.strides();
  Napi::Array arr = Napi::Array::New(info.Env(), st.size());
  for (size_t i = 0; i < st.size(); i++) arr.Set(i, Napi::Number::New(info.Env(), static_cast<double>(st[i])));
  return arr;
}

Napi::Value TensorWrap::DType(const Napi::CallbackInfo& info) {
  LIVE("dtype");
  return Napi::Number::New(info.Env(), static_cast<int>(t.scalar_type()));
}

Napi::Value TensorWrap::Device(const Napi::CallbackInfo& info) {
  LIVE("device");
  return Napi::String::New(info.Env(), t.device().str());
}

Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) {
  LIVE("numel");
  return Napi::Number::New(info.Env(), static_cast<double>(t.numel()));
}

Napi::Value TensorWrap::Dim(const Napi::CallbackInfo& info) {
  LIVE("dim");
  return Napi::Number::New(info.Env(), static_cast<double>(t.dim()));
}

Napi::Value TensorWrap::IsContiguous(const Napi::CallbackInfo& info) {
  LIVE("isContiguous");
  return Napi::Boolean::New(info.Env(), t.is_contiguous());
}

Napi::Value TensorWrap::RequiresGrad(const Napi::CallbackInfo& info) {
  LIVE("requiresGrad");
  return Napi::Boolean::New(info.Env(), t.requires_grad());
}

Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    LIVE("requiresGrad_");
    const_cast<at::Tensor&>(t).set_requires_grad(info[0].ToBoolean().Value());
    return info.This();
  });
}

Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    LIVE("grad");
    const at::Tensor& g = t.grad();
    if (!g.defined()) return info.Env().Null();
    return Make(info.Env(), g);
  });
}

Napi::Value TensorWrap::SetGrad(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    LIVE("grad=");
    if (info[0].IsNull() || info[0].IsUndefined()) {
      const_cast<at::Tensor&>(t).mutable_grad().reset();
    } else {
      const_cast<at::Tensor&>(t).mutable_grad() = Get(info[0], "grad=");
    }
    return info.Env().Undefined();
  });
}

Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) {
  LIVE("isLeaf");
  return Napi::Boolean::New(info.Env(), t.is_leaf());
}

Napi::Value TensorWrap::GradFn(const Napi::CallbackInfo& info) {
  LIVE("gradFn");
  auto fn = t.grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

// Copies the tensor's values (contiguous, CPU) into a new ArrayBuffer.
Napi::Value TensorWrap::ToBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    LIVE("toBuffer");
    at::Tensor c = t.detach();
    if (!c.device().is_cpu()) c = c.to(at::kCPU);
    c = c.contiguous();
    size_t bytes = static_cast<size_t>(c.numel()) * c.element_size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), bytes);
    if (bytes > 0) std::memcpy(buf.Data(), c.data_ptr(), bytes);
    return buf;
  });
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    LIVE("item");
    if (t.numel() != 1) {
      throw Napi::Error::New(info.Env(), "item(): tensor has " + std::to_string(t.numel()) + " elements, expected 1");
    }
    at::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
    return Napi::Number::New(info.Env(), s.toDouble());
  });
}

Napi::Value TensorWrap::SameStorage(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    LIVE("sameStorage");
    const at::Tensor& o = Get(info[0], "sameStorage");
    return Napi::Boolean::New(info.Env(), t.has_storage() && o.has_storage() && t.storage().is_alias_of(o.storage()));
  });
}

Napi::Value TensorWrap::Nbytes(const Napi::CallbackInfo& info) {
  LIVE("nbytes");
  return Napi::Number::New(info.Env(), static_cast<double>(t.numel() * t.element_size()));
}

Napi::Value TensorWrap::Version(const Napi::CallbackInfo& info) {
  LIVE("version");
  return Napi::Number::New(info.Env(), static_cast<double>(t._version()));
}

}  // namespace mdt
