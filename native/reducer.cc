// Gradient averaging that overlaps with backward, as PyTorch's DDP does: a post-hook on every parameter's
// AccumulateGrad node marks its gradient ready; when all gradients of a bucket are ready the bucket is
// flattened and its all-reduce handed to the process group's threads while backward goes on. Buckets are
// launched strictly in bucket order, so every rank issues the same collectives in the same order.
// finish() (after backward) launches buckets whose parameters got no gradient, waits, divides by the world
// size and copies the averages back into the .grad tensors.
#include "distributed.h"

#if defined(MDT_HAVE_GLOO)
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <memory>
#include <mutex>

namespace mdt {

namespace {

namespace ag = torch::autograd;

struct ReducerState {
  GroupRef ref;
  std::vector<at::Tensor> params;
  std::vector<std::vector<size_t>> buckets;  // parameter indices, in launch order
  std::vector<size_t> bucketOf;
  std::vector<bool> ready;
  std::vector<size_t> pending;  // per bucket: parameters whose gradient is not ready yet
  std::vector<std::vector<at::Tensor>> grads;
  std::vector<at::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  size_t next = 0;
  std::mutex mu;

  void Reset() {
    std::fill(ready.begin(), ready.end(), false);
    for (size_t b = 0; b < buckets.size(); b++) pending[b] = buckets[b].size();
    grads.assign(buckets.size(), {});
    flats.assign(buckets.size(), at::Tensor());
    works.assign(buckets.size(), c10::intrusive_ptr<c10d::Work>());
    next = 0;
  }

  void Launch(size_t b) {
    at::NoGradGuard noGrad;
    for (size_t i : buckets[b]) {
      const at::Tensor& g = params[i].grad();
      if (g.defined()) grads[b].push_back(g);
    }
    if (grads[b].empty()) return;  // no parameter of this bucket took part in this backward
    flats[b] = Flat(grads[b]);
    std::vector<at::Tensor> one{flats[b]};
    c10d::AllreduceOptions opts;
    opts.timeout = ref.timeout;
    works[b] = ref.group->allreduce(one, opts);
  }

  // Called from the autograd engine when parameter i's gradient is final for this backward.
  void MarkReady(size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    if (ready[i]) return;
    ready[i] = true;
    pending[bucketOf[i]]--;
    while (next < buckets.size() && pending[next] == 0) Launch(next++);
  }

  void Finish(std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(mu);
    try {
      while (next < buckets.size()) Launch(next++);
      for (auto& w : works) {
        if (w) w->wait(timeout);
      }
      at::NoGradGuard noGrad;
      for (size_t b = 0; b < buckets.size(); b++) {
        if (!flats[b].defined()) continue;
        flats[b].div_(ref.group->getSize());
        Unflatten(flats[b], grads[b]);
      }
    } catch (...) {
      Reset();
      throw;
    }
    Reset();
  }
};

struct ReadyHook : ag::FunctionPostHook {
  ReadyHook(std::weak_ptr<ReducerState> s, size_t i) : state(std::move(s)), index(i) {}
  ag::variable_list operator()(const ag::variable_list& outputs, const ag::variable_list& /*inputs*/) override {
    if (auto s = state.lock()) s->MarkReady(index);
    return outputs;
  }
  std::weak_ptr<ReducerState> state;
  size_t index;
};

class ReducerWrap : public Napi::ObjectWrap<ReducerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeGradReducer",
                       {InstanceMethod<&ReducerWrap::Finish>("finish"), InstanceMethod<&ReducerWrap::Close>("close")});
  }

  // new NativeGradReducer(group, params, bucketBytes, firstBucketBytes)
  explicit ReducerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ReducerWrap>(info) {
    Guard(info, [&]() -> Napi::Value {
      auto s = std::make_shared<ReducerState>();
      s->ref = GroupOf(info[0], "GradReducer");
      Napi::Array ps = info[1].As<Napi::Array>();
      for (uint32_t i = 0; i < ps.Length(); i++) {
        at::Tensor p = TensorWrap::Get(ps.Get(i), "GradReducer");
        if (!p.requires_grad() || !p.is_leaf()) throw Napi::TypeError::New(info.Env(), "GradReducer: parameters must be leaves that require grad");
        s->params.push_back(p);
      }
      int64_t cap = info[2].As<Napi::Number>().Int64Value();
      int64_t firstCap = info[3].As<Napi::Number>().Int64Value();
      // Gradients become ready roughly in reverse order of the parameters, so buckets run from the last one;
      // a small first bucket gets communication going early (DDP's first_bucket_bytes_cap).
      s->bucketOf.resize(s->params.size());
      int64_t bytes = 0;
      for (size_t k = s->params.size(); k-- > 0;) {
        const at::Tensor& p = s->params[k];
        int64_t n = p.numel() * static_cast<int64_t>(p.element_size());
        int64_t limit = s->buckets.size() <= 1 ? firstCap : cap;
        bool fits = !s->buckets.empty() && bytes + n <= limit &&
                    s->params[s->buckets.back()[0]].scalar_type() == p.scalar_type();
        if (!fits) {
          s->buckets.emplace_back();
          bytes = 0;
        }
        s->buckets.back().push_back(k);
        s->bucketOf[k] = s->buckets.size() - 1;
        bytes += n;
      }
      s->ready.resize(s->params.size());
      s->pending.resize(s->buckets.size());
      s->Reset();
      for (size_t k = 0; k < s->params.size(); k++) {
        // Holding the accumulator keeps it (and our hook) alive across iterations' graphs.
        auto acc = ag::impl::grad_accumulator(s->params[k]);
        keys_.push_back(acc->add_post_hook(std::make_unique<ReadyHook>(s, k)));
        accumulators_.push_back(std::move(acc));
      }
      state_ = std::move(s);
      return info.Env().Undefined();
    });
  }

  ~ReducerWrap() override { Release(); }

 private:
  std::shared_ptr<ReducerState> state_;
  std::vector<std::shared_ptr<ag::Node>> accumulators_;
  std::vector<uintptr_t> keys_;

  void Release() {
    for (size_t k = 0; k < accumulators_.size(); k++) accumulators_[k]->del_post_hook(keys_[k]);
    accumulators_.clear();
    keys_.clear();
    state_.reset();
  }

  // finish(timeoutMs?) — after backward: every bucket reduced, gradients averaged in place.
  Napi::Value Finish(const Napi::CallbackInfo& info) {
    return Guard(info, [&]() -> Napi::Value {
      if (!state_) throw Napi::Error::New(info.Env(), "GradReducer: finish() after close()");
      auto timeout = info[0].IsNumber() ? std::chrono::milliseconds(info[0].As<Napi::Number>().Int64Value()) : state_->ref.timeout;
      state_->Finish(timeout);
      return info.Env().Undefined();
    });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }
};

}  // namespace

Napi::Function DefineGradReducer(Napi::Env env) { return ReducerWrap::Define(env); }

}  // namespace mdt
#endif
