// Shared between the c10d bindings (distributed.cc) and the overlapping gradient reducer (reducer.cc).
#pragma once

#include "common.h"

#if defined(MDT_HAVE_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <chrono>
#include <vector>

namespace mdt {

struct GroupRef {
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  std::chrono::milliseconds timeout;
};

// The process group behind a NativeProcessGroup object (TypeError if it is not one, Error if closed).
GroupRef GroupOf(const Napi::Value& v, const char* what);

// One contiguous buffer holding a bucket's tensors (its only tensor itself when that is contiguous), and the
// copy back from it.
at::Tensor Flat(const std::vector<at::Tensor>& bucket);
void Unflatten(const at::Tensor& flat, const std::vector<at::Tensor>& bucket);

Napi::Function DefineGradReducer(Napi::Env env);

}  // namespace mdt
#endif
