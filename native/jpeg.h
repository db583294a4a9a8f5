// JPEG encode/decode/round trip with the system libjpeg(-turbo) (jpeg.cc).
#pragma once

#include "common.h"

namespace mdt {

void InitJpeg(Napi::Env env, Napi::Object exports);

}  // namespace mdt
