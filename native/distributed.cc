// Data-parallel collectives over libtorch's c10d: a rendezvous store (TCP or file) and a process group
// (Gloo; NCCL when the libtorch build has it) with bucketed in-place allReduce, broadcast and barrier.
// Collectives block the calling JS thread until done (the training loop waits for them anyway); every
// c10d/Gloo failure, a timeout included, surfaces as a JS Error through Guard.
#include "distributed.h"

#include <chrono>
#include <string>
#include <vector>

#if defined(MDT_HAVE_GLOO)
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#if defined(MDT_HAVE_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace mdt {

#if defined(MDT_HAVE_GLOO)

namespace {

using Ms = std::chrono::milliseconds;

Ms MsOption(const Napi::Object& o, const char* key, int64_t fallback) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return Ms(fallback);
  double ms = v.As<Napi::Number>().DoubleValue();
  if (!(ms > 0)) throw Napi::RangeError::New(o.Env(), std::string(key) + " must be a positive number of milliseconds");
  return Ms(static_cast<int64_t>(ms));
}

std::string StrOption(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

std::vector<std::string> Keys(const Napi::Value& v) {
  std::vector<std::string> keys;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) keys.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  return keys;
}

// Consecutive tensors of one dtype and device, at most `cap` bytes together (a tensor larger than `cap`
// gets a bucket of its own): one collective per bucket instead of one per tensor.
std::vector<std::vector<at::Tensor>> Buckets(const std::vector<at::Tensor>& ts, int64_t cap) {
  std::vector<std::vector<at::Tensor>> out;
  int64_t bytes = 0;
  for (const auto& t : ts) {
    int64_t n = t.numel() * static_cast<int64_t>(t.element_size());
    bool fits = !out.empty() && bytes + n <= cap && out.back()[0].scalar_type() == t.scalar_type() &&
                out.back()[0].device() == t.device();
    if (!fits) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(t);
    bytes += n;
  }
  return out;
}

}  // namespace

at::Tensor Flat(const std::vector<at::Tensor>& bucket) {
  if (bucket.size() == 1 && bucket[0].is_contiguous()) return bucket[0];
  std::vector<at::Tensor> views;
  for (const auto& t : bucket) views.push_back(t.reshape({-1}));
  return at::cat(views);
}

void Unflatten(const at::Tensor& flat, const std::vector<at::Tensor>& bucket) {
  if (bucket.size() == 1 && flat.is_same(bucket[0])) return;
  int64_t off = 0;
  for (auto t : bucket) {
    t.copy_(flat.narrow(0, off, t.numel()).view(t.sizes()));
    off += t.numel();
  }
}

namespace {

class StoreWrap : public Napi::ObjectWrap<StoreWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeStore",
                       {InstanceMethod<&StoreWrap::Set>("set"), InstanceMethod<&StoreWrap::GetKey>("get"),
                        InstanceMethod<&StoreWrap::Add>("add"), InstanceMethod<&StoreWrap::Check>("check"),
                        InstanceMethod<&StoreWrap::Wait>("wait")});
  }

  // new NativeStore({kind: 'tcp', host, port, isServer, worldSize, timeoutMs} | {kind: 'file', path, worldSize})
  explicit StoreWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StoreWrap>(info) {
    Guard(info, [&]() -> Napi::Value {
      Napi::Object o = info[0].As<Napi::Object>();
      std::string kind = StrOption(o, "kind");
      int worldSize = o.Get("worldSize").As<Napi::Number>().Int32Value();
      Ms timeout = MsOption(o, "timeoutMs", 300000);
      if (kind == "tcp") {
        c10d::TCPStoreOptions opts;
        opts.port = static_cast<std::uint16_t>(o.Get("port").As<Napi::Number>().Uint32Value());
        opts.isServer = o.Get("isServer").ToBoolean().Value();
        opts.numWorkers = worldSize;
        opts.waitWorkers = false;  // the process group's own rendezvous waits for everyone
        opts.timeout = timeout;
        store = c10::make_intrusive<c10d::TCPStore>(StrOption(o, "host"), opts);
      } else if (kind == "file") {
        store = c10::make_intrusive<c10d::FileStore>(StrOption(o, "path"), worldSize);
        store->setTimeout(timeout);
      } else {
        throw Napi::TypeError::New(info.Env(), "store kind must be 'tcp' or 'file', got '" + kind + "'");
      }
      std::string prefix = StrOption(o, "prefix");
      if (!prefix.empty()) store = c10::make_intrusive<c10d::PrefixStore>(prefix, store);
      return info.Env().Undefined();
    });
  }

  c10::intrusive_ptr<c10d::Store> store;

 private:
  Napi::Value Set(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      std::string v = info[1].As<Napi::String>().Utf8Value();
      store->set(info[0].As<Napi::String>().Utf8Value(), std::vector<uint8_t>(v.begin(), v.end()));
      return info.Env().Undefined();
    });
  }
  // Blocks until the key exists (up to the store timeout).
  Napi::Value GetKey(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      auto v = store->get(info[0].As<Napi::String>().Utf8Value());
      return Napi::String::New(info.Env(), std::string(v.begin(), v.end()));
    });
  }
  Napi::Value Add(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      int64_t n = store->add(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().Int64Value());
      return Napi::Number::New(info.Env(), static_cast<double>(n));
    });
  }
  Napi::Value Check(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value { return Napi::Boolean::New(info.Env(), store->check(Keys(info[0]))); });
  }
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      store->wait(Keys(info[0]), Ms(info[1].As<Napi::Number>().Int64Value()));
      return info.Env().Undefined();
    });
  }
};

}  // namespace

class GroupWrap : public Napi::ObjectWrap<GroupWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeProcessGroup",
                       {InstanceMethod<&GroupWrap::AllReduce>("allReduce"),
                        InstanceMethod<&GroupWrap::Broadcast>("broadcast"), InstanceMethod<&GroupWrap::Barrier>("barrier"),
                        InstanceMethod<&GroupWrap::Close>("close")});
  }

  // new NativeProcessGroup(store, rank, size, {backend: 'gloo'|'nccl', timeoutMs, hostname, iface, threads})
  explicit GroupWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GroupWrap>(info) {
    Guard(info, [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto* s = Napi::ObjectWrap<StoreWrap>::Unwrap(info[0].As<Napi::Object>());
      int rank = info[1].As<Napi::Number>().Int32Value();
      int size = info[2].As<Napi::Number>().Int32Value();
      if (size < 1 || rank < 0 || rank >= size) {
        throw Napi::RangeError::New(env, "rank " + std::to_string(rank) + " is outside a world of size " + std::to_string(size));
      }
      Napi::Object o = info[3].As<Napi::Object>();
      std::string backend = StrOption(o, "backend");
      timeout_ = MsOption(o, "timeoutMs", 300000);
      if (backend == "gloo") {
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout_);
        std::string iface = StrOption(o, "iface");
        std::string host = StrOption(o, "hostname");
        opts->devices.push_back(!iface.empty() ? c10d::ProcessGroupGloo::createDeviceForInterface(iface)
                                : !host.empty() ? c10d::ProcessGroupGloo::createDeviceForHostname(host)
                                                : c10d::ProcessGroupGloo::createDefaultDevice());
        if (o.Get("threads").IsNumber()) opts->threads = o.Get("threads").As<Napi::Number>().Int32Value();
        group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(s->store, rank, size, opts);
      } else if (backend == "nccl") {
#if defined(MDT_HAVE_NCCL)
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = timeout_;
        group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(s->store, rank, size, opts);
#else
        throw Napi::Error::New(env, "this build of the addon has no NCCL (build it against a CUDA libtorch via LIBTORCH)");
#endif
      } else {
        throw Napi::TypeError::New(env, "backend must be 'gloo' or 'nccl', got '" + backend + "'");
      }
      return env.Undefined();
    });
  }

  c10::intrusive_ptr<c10d::ProcessGroup> group_;
  Ms timeout_{300000};

 private:
  c10d::ProcessGroup& Group(Napi::Env env, const char* what) {
    if (!group_) throw Napi::Error::New(env, std::string(what) + ": the process group is closed");
    return *group_;
  }

  static std::vector<at::Tensor> Tensors(const Napi::Value& v, const char* what) {
    std::vector<at::Tensor> ts;
    Napi::Array a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) ts.push_back(TensorWrap::Get(a.Get(i), what));
    return ts;
  }

  // Waits on every bucket's work; Gloo runs the buckets on its own threads meanwhile. A failure (peer gone,
  // timeout) propagates with Gloo's message; the TS layer adds which rank is to blame.
  static void WaitAll(std::vector<c10::intrusive_ptr<c10d::Work>>& works, Ms timeout) {
    for (auto& w : works) w->wait(timeout);
  }

  // allReduce(tensors, op: 'sum'|'avg'|'max'|'min', bucketBytes, timeoutMs?) — in place.
  Napi::Value AllReduce(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto& g = Group(env, "allReduce");
      auto ts = Tensors(info[0], "allReduce");
      std::string op = info[1].As<Napi::String>().Utf8Value();
      c10d::AllreduceOptions opts;
      // Gloo has no AVG: average = sum, then divide by the world size.
      if (op == "sum" || op == "avg") opts.reduceOp = c10d::ReduceOp::SUM;
      else if (op == "max") opts.reduceOp = c10d::ReduceOp::MAX;
      else if (op == "min") opts.reduceOp = c10d::ReduceOp::MIN;
      else throw Napi::TypeError::New(env, "allReduce: op must be sum, avg, max or min, got '" + op + "'");
      Ms timeout = info[3].IsNumber() ? Ms(info[3].As<Napi::Number>().Int64Value()) : timeout_;
      opts.timeout = timeout;
      for (const auto& t : ts) {
        if (op == "avg" && !at::isFloatingType(t.scalar_type())) throw Napi::TypeError::New(env, "allReduce: avg needs floating-point tensors");
      }
      auto buckets = Buckets(ts, info[2].As<Napi::Number>().Int64Value());
      std::vector<at::Tensor> flats;
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      {
        at::NoGradGuard noGrad;
        for (const auto& b : buckets) {
          flats.push_back(Flat(b));
          std::vector<at::Tensor> one{flats.back()};
          works.push_back(g.allreduce(one, opts));
        }
        WaitAll(works, timeout);
        for (size_t i = 0; i < buckets.size(); i++) {
          if (op == "avg") flats[i].div_(g.getSize());
          Unflatten(flats[i], buckets[i]);
        }
      }
      return env.Undefined();
    });
  }

  // broadcast(tensors, root, bucketBytes, timeoutMs?) — in place: every rank ends with root's values.
  Napi::Value Broadcast(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto& g = Group(env, "broadcast");
      auto ts = Tensors(info[0], "broadcast");
      c10d::BroadcastOptions opts;
      opts.rootRank = info[1].As<Napi::Number>().Int32Value();
      Ms timeout = info[3].IsNumber() ? Ms(info[3].As<Napi::Number>().Int64Value()) : timeout_;
      opts.timeout = timeout;
      auto buckets = Buckets(ts, info[2].As<Napi::Number>().Int64Value());
      std::vector<at::Tensor> flats;
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      at::NoGradGuard noGrad;
      for (const auto& b : buckets) {
        flats.push_back(Flat(b));
        std::vector<at::Tensor> one{flats.back()};
        works.push_back(g.broadcast(one, opts));
      }
      WaitAll(works, timeout);
      for (size_t i = 0; i < buckets.size(); i++) Unflatten(flats[i], buckets[i]);
      return env.Undefined();
    });
  }

  // barrier(timeoutMs?)
  Napi::Value Barrier(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      auto& g = Group(info.Env(), "barrier");
      c10d::BarrierOptions opts;
      Ms timeout = info[0].IsNumber() ? Ms(info[0].As<Napi::Number>().Int64Value()) : timeout_;
      opts.timeout = timeout;
      std::vector<c10::intrusive_ptr<c10d::Work>> works{g.barrier(opts)};
      WaitAll(works, timeout);
      return info.Env().Undefined();
    });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    group_.reset();
    return info.Env().Undefined();
  }
};

GroupRef GroupOf(const Napi::Value& v, const char* what) {
  Napi::Env env = v.Env();
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(GetData(env)->groupCtor.Value())) {
    throw Napi::TypeError::New(env, std::string(what) + ": expected a process group");
  }
  auto* g = Napi::ObjectWrap<GroupWrap>::Unwrap(v.As<Napi::Object>());
  if (!g->group_) throw Napi::Error::New(env, std::string(what) + ": the process group is closed");
  return {g->group_, g->timeout_};
}

void InitDistributed(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("gloo", Napi::Boolean::New(env, true));
#if defined(MDT_HAVE_NCCL)
  o.Set("nccl", Napi::Boolean::New(env, true));
#else
  o.Set("nccl", Napi::Boolean::New(env, false));
#endif
  exports.Set("distributedBackends", o);
  exports.Set("NativeStore", StoreWrap::Define(env));
  Napi::Function group = GroupWrap::Define(env);
  GetData(env)->groupCtor = Napi::Persistent(group);
  exports.Set("NativeProcessGroup", group);
  exports.Set("NativeGradReducer", DefineGradReducer(env));
}

#else  // no Gloo headers at build time: the addon works, data-parallel training says why it cannot.

void InitDistributed(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("gloo", Napi::Boolean::New(env, false));
  o.Set("nccl", Napi::Boolean::New(env, false));
  exports.Set("distributedBackends", o);
}

#endif

}  // namespace mdt
