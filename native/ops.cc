// Generic operator calls through the c10 dispatcher: one path into every ATen operator, autograd included.
// JS looks an operator up once by (name, overload) and gets a handle whose argument kinds were read from the
// schema; each call converts JS values to IValues by those kinds, calls boxed, and converts the results back.
#include "common.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <memory>
#include <vector>

namespace mdt {

namespace {

enum class Kind {
  Tensor, Int, Float, Bool, Scalar, Str, IntList, FloatList, ScalarList, BoolList, TensorList, OptTensorList, Device, Generator, Other
};

struct ArgSpec {
  Kind kind;
  bool optional;
  bool hasDefault;
  c10::IValue defaultValue;
  std::string name;
};

struct OpInfo {
  c10::OperatorHandle handle;
  std::string fullName;
  std::vector<ArgSpec> args;
  std::vector<bool> returnIsInplace;  // return aliases a written input: hand back the caller's own handle
};

Kind KindOf(const c10::TypePtr& type) {
  using c10::TypeKind;
  switch (type->kind()) {
    case TypeKind::TensorType: return Kind::Tensor;
    case TypeKind::IntType:
    case TypeKind::SymIntType: return Kind::Int;
    case TypeKind::FloatType: return Kind::Float;
    case TypeKind::BoolType: return Kind::Bool;
    case TypeKind::NumberType: return Kind::Scalar;
    case TypeKind::StringType: return Kind::Str;
    case TypeKind::DeviceObjType: return Kind::Device;
    case TypeKind::GeneratorType: return Kind::Generator;
    case TypeKind::ListType: {
      auto elem = type->castRaw<c10::ListType>()->getElementType();
      switch (elem->kind()) {
        case TypeKind::IntType:
        case TypeKind::SymIntType: return Kind::IntList;
        case TypeKind::FloatType: return Kind::FloatList;
        case TypeKind::BoolType: return Kind::BoolList;
        case TypeKind::TensorType: return Kind::TensorList;
        case TypeKind::OptionalType: return Kind::OptTensorList;
        case TypeKind::NumberType: return Kind::ScalarList;
        default: return Kind::Other;
      }
    }
    default: return Kind::Other;
  }
}

void Finalize(Napi::Env, OpInfo* op) { delete op; }

std::vector<int64_t> ToInts(const Napi::Value& v, const std::string& what) {
  std::vector<int64_t> out;
  if (v.IsNumber()) {
    out.push_back(v.As<Napi::Number>().Int64Value());
    return out;
  }
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), what + ": expected an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) throw Napi::TypeError::New(v.Env(), what + ": expected an array of integers");
    out.push_back(e.As<Napi::Number>().Int64Value());
  }
  return out;
}

c10::IValue ToIValue(const Napi::Value& v, const ArgSpec& spec, const std::string& opName) {
  Napi::Env env = v.Env();
  const std::string what = opName + " argument '" + spec.name + "'";
  if (v.IsUndefined()) {
    if (spec.hasDefault) return spec.defaultValue;
    if (spec.optional) return c10::IValue();
    throw Napi::TypeError::New(env, what + " is required");
  }
  if (v.IsNull()) {
    if (spec.optional) return c10::IValue();
    throw Napi::TypeError::New(env, what + " may not be null");
  }
  switch (spec.kind) {
    case Kind::Tensor: return TensorWrap::Get(v, what.c_str());
    case Kind::Int:
      if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected an integer");
      return v.As<Napi::Number>().Int64Value();
    case Kind::Float:
      if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a number");
      return v.As<Napi::Number>().DoubleValue();
    case Kind::Bool: return v.ToBoolean().Value();
    case Kind::Scalar: {
      if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
      if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a number");
      double d = v.As<Napi::Number>().DoubleValue();
      // Integral JS numbers become int Scalars so integer tensors keep their dtype (as Python ints do).
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) {
        return c10::IValue(static_cast<int64_t>(d));
      }
      return c10::IValue(d);
    }
    case Kind::Str:
      if (!v.IsString()) throw Napi::TypeError::New(env, what + ": expected a string");
      return v.As<Napi::String>().Utf8Value();
    case Kind::IntList: return c10::IValue(ToInts(v, what));
    case Kind::FloatList: {
      if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of numbers");
      Napi::Array a = v.As<Napi::Array>();
      std::vector<double> out;
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).ToNumber().DoubleValue());
      return c10::IValue(out);
    }
    case Kind::ScalarList: {
      if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of numbers");
      Napi::Array a = v.As<Napi::Array>();
      c10::impl::GenericList out(c10::NumberType::get());
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(c10::IValue(a.Get(i).ToNumber().DoubleValue()));
      return c10::IValue(out);
    }
    case Kind::BoolList: {
      if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of booleans");
      Napi::Array a = v.As<Napi::Array>();
      c10::List<bool> out;
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).ToBoolean().Value());
      return c10::IValue(out);
    }
    case Kind::TensorList: {
      if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of tensors");
      Napi::Array a = v.As<Napi::Array>();
      std::vector<at::Tensor> out;
      out.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(TensorWrap::Get(a.Get(i), what.c_str()));
      return c10::IValue(out);
    }
    case Kind::OptTensorList: {
      if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of tensors or nulls");
      Napi::Array a = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value e = a.Get(i);
        if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
        else out.push_back(TensorWrap::Get(e, what.c_str()));
      }
      return c10::IValue(out);
    }
    case Kind::Device:
      if (!v.IsString()) throw Napi::TypeError::New(env, what + ": expected a device string such as 'cpu'");
      return c10::IValue(c10::Device(v.As<Napi::String>().Utf8Value()));
    case Kind::Generator:
      throw Napi::TypeError::New(env, what + ": explicit generators are not supported; pass null");
    case Kind::Other: break;
  }
  throw Napi::TypeError::New(env, what + ": argument type is not supported by the binding");
}

Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Null();
    return TensorWrap::Make(env, t);
  }
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    Napi::Array arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) arr.Set(i, TensorWrap::Make(env, list.get(i)));
    return arr;
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isIntList()) {
    auto list = v.toIntList();
    Napi::Array arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) arr.Set(i, Napi::Number::New(env, static_cast<double>(list.get(i))));
    return arr;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) arr.Set(i, FromIValue(env, elems[i]));
    return arr;
  }
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  throw Napi::Error::New(env, "operator returned a value of type " + v.tagKind() + " that the binding cannot convert");
}

// op(name, overload) -> External<OpInfo>
Napi::Value LookupOp(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    std::string name = info[0].As<Napi::String>().Utf8Value();
    std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
    auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
    if (!handle) {
      throw Napi::Error::New(info.Env(), "unknown operator " + name + (overload.empty() ? "" : "." + overload));
    }
    auto* op = new OpInfo{*handle, name + (overload.empty() ? "" : "." + overload), {}, {}};
    const auto& schema = handle->schema();
    for (const auto& a : schema.arguments()) {
      ArgSpec s;
      c10::TypePtr t = a.type();
      s.optional = t->kind() == c10::TypeKind::OptionalType;
      if (s.optional) t = t->castRaw<c10::OptionalType>()->getElementType();
      s.kind = KindOf(t);
      s.hasDefault = a.default_value().has_value();
      if (s.hasDefault) s.defaultValue = *a.default_value();
      s.name = a.name();
      op->args.push_back(std::move(s));
    }
    for (const auto& r : schema.returns()) {
      op->returnIsInplace.push_back(r.alias_info() != nullptr && r.alias_info()->isWrite());
    }
    Napi::Object result = Napi::Object::New(info.Env());
    result.Set("handle", Napi::External<OpInfo>::New(info.Env(), op, Finalize));
    result.Set("schema", Napi::String::New(info.Env(), c10::toString(schema)));
    result.Set("numArgs", Napi::Number::New(info.Env(), static_cast<double>(op->args.size())));
    return result;
  });
}

// call(handle, argsArray) -> result (single value, array for tuples, undefined for none)
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    OpInfo* op = info[0].As<Napi::External<OpInfo>>().Data();
    Napi::Array args = info[1].As<Napi::Array>();
    const uint32_t given = args.Length();
    if (given > op->args.size()) {
      throw Napi::TypeError::New(env, op->fullName + ": expected at most " + std::to_string(op->args.size()) +
                                          " arguments, got " + std::to_string(given));
    }
    torch::jit::Stack stack;
    stack.reserve(op->args.size());
    std::vector<std::pair<c10::TensorImpl*, Napi::Value>> tensorArgs;
    for (uint32_t i = 0; i < op->args.size(); i++) {
      Napi::Value v = i < given ? args.Get(i) : env.Undefined();
      stack.push_back(ToIValue(v, op->args[i], op->fullName));
      if (op->args[i].kind == Kind::Tensor && stack.back().isTensor()) {
        tensorArgs.emplace_back(stack.back().toTensor().unsafeGetTensorImpl(), v);
      }
    }
    op->handle.callBoxed(&stack);
    const size_t nret = op->returnIsInplace.size();
    if (nret == 0) return env.Undefined();
    if (nret == 1) {
      // In-place and out= operators return a written input: hand back the caller's own handle.
      if (op->returnIsInplace[0] && stack[0].isTensor()) {
        c10::TensorImpl* impl = stack[0].toTensor().unsafeGetTensorImpl();
        for (const auto& [argImpl, jsValue] : tensorArgs) {
          if (argImpl == impl) return jsValue;
        }
      }
      return FromIValue(env, stack[0]);
    }
    Napi::Array out = Napi::Array::New(env, nret);
    for (size_t i = 0; i < nret; i++) out.Set(i, FromIValue(env, stack[i]));
    return out;
  });
}

Napi::Value HasOp(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  return Napi::Boolean::New(info.Env(), c10::Dispatcher::singleton().findSchema({name, overload}).has_value());
}

}  // namespace

void InitOps(Napi::Env env, Napi::Object exports) {
  exports.Set("lookupOp", Napi::Function::New(env, LookupOp, "lookupOp"));
  exports.Set("callOp", Napi::Function::New(env, CallOp, "callOp"));
  exports.Set("hasOp", Napi::Function::New(env, HasOp, "hasOp"));
}

}  // namespace mdt
