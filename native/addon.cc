// Entry point of the maskdcpt libtorch addon.
#include "common.h"
#include "jpeg.h"

#include <exception>

namespace mdt {

AddonData* GetData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

Napi::Value Guard(const Napi::CallbackInfo& info, const std::function<Napi::Value()>& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  } catch (...) {
    throw Napi::Error::New(info.Env(), "unknown native error");
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  Napi::Function ctor = TensorWrap::Define(env);
  data->tensorCtor = Napi::Persistent(ctor);
  exports.Set("NativeTensor", ctor);
  InitAllocator(env, exports);
  InitOps(env, exports);
  InitRuntime(env, exports);
  InitJpeg(env, exports);
  InitDistributed(env, exports);
  InitFilter(env, exports);
  return exports;
}

}  // namespace mdt

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return mdt::Init(env, exports); }
NODE_API_MODULE(maskdcpt, InitModule)
