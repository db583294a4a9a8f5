// cv2.filter2D on HWC float32 rasters (correlation, BORDER_REFLECT_101, float64 sums, float32 out): the direct
// and low-rank separable paths of src/degrade/filter.ts, which plans them (trim, rank) and calls these; and the
// separable resampler of src/degrade/resize.ts (per-output tap lists, float64 sums), which builds the weights.
//
// Each output sample sees the same operations in the same order as the JS paths (per kernel row a tap sum
// starting from 0, then added to the accumulator; separable terms in order; no fused multiply-add), so results
// are bit-identical to them. The loops run over contiguous output samples, one lane per sample, so the compiler
// vectorises them without reordering any sum: the AVX-512 / AVX2 / SSE2 clones give the same bytes, and
// -ffp-contract=off (binding.gyp) keeps GCC from fusing a multiply and an add.
#include "common.h"

#include <cmath>
#include <string>
#include <vector>

namespace mdt {

namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MDT_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MDT_VECTOR_CLONES
#endif

// OpenCV borderInterpolate for BORDER_REFLECT_101 (folds repeatedly when the kernel is wider than the image).
int Reflect101(int p, int len) {
  if (len == 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
  return p;
}

// Row y, reflect-padded by `left` / `right` pixels, as float64 (exact), so taps need no bounds checks.
void PadRow(const float* src, int y, int w, int c, int left, int right, double* out) {
  const float* row = src + static_cast<int64_t>(y) * w * c;
  for (int x = -left; x < w + right; x++) {
    const float* s = row + static_cast<int64_t>(Reflect101(x, w)) * c;
    double* o = out + static_cast<int64_t>(x + left) * c;
    for (int ch = 0; ch < c; ch++) o[ch] = s[ch];
  }
}

// out[t] += Σ_j k[j]·src[t + j·step] for t < n; the sum starts at 0 and takes j in order (as filter.ts rowTaps).
// Blocks of 32 outputs stay in registers across the taps: one load per multiply-add instead of three.
MDT_VECTOR_CLONES void RowTaps(const double* src, int step, const double* k, int kw, double* out, int n) {
  constexpr int kBlock = 32;
  int t = 0;
  for (; t + kBlock <= n; t += kBlock) {
    double a[kBlock] = {};
    const double* s = src + t;
    for (int j = 0; j < kw; j++, s += step) {
      const double kv = k[j];
      for (int l = 0; l < kBlock; l++) a[l] += kv * s[l];
    }
    for (int l = 0; l < kBlock; l++) out[t + l] = out[t + l] + a[l];
  }
  for (; t < n; t++) {
    double a = 0;
    const double* s = src + t;
    for (int j = 0; j < kw; j++, s += step) a += k[j] * s[0];
    out[t] = out[t] + a;
  }
}

// out[t] = (((out[t] + w[0]·rows[0][t]) + w[1]·rows[1][t]) + …), the vertical pass of a separable term in the
// order filter.ts applies it row by row, but with blocks of outputs kept in registers across the rows.
MDT_VECTOR_CLONES void ColumnTaps(const double* const* rows, const double* w, int count, double* out, int n) {
  constexpr int kBlock = 32;
  int t = 0;
  for (; t + kBlock <= n; t += kBlock) {
    double a[kBlock];
    for (int l = 0; l < kBlock; l++) a[l] = out[t + l];
    for (int i = 0; i < count; i++) {
      const double wi = w[i];
      const double* s = rows[i] + t;
      for (int l = 0; l < kBlock; l++) a[l] = a[l] + wi * s[l];
    }
    for (int l = 0; l < kBlock; l++) out[t + l] = a[l];
  }
  for (; t < n; t++) {
    double a = out[t];
    for (int i = 0; i < count; i++) a = a + w[i] * rows[i][t];
    out[t] = a;
  }
}

struct Image {
  const float* data;
  int w, h, c;
};

void Direct(const Image& im, const double* k, int kw, int kh, int ax, int ay, double* out) {
  const int left = ax, right = kw - 1 - ax;
  const int64_t rowLen = static_cast<int64_t>(im.w + left + right) * im.c;
  std::vector<double> padded(static_cast<size_t>(im.h) * rowLen);
  for (int y = 0; y < im.h; y++) PadRow(im.data, y, im.w, im.c, left, right, padded.data() + y * rowLen);
  const int n = im.w * im.c;
  std::vector<bool> zeroRow(kh);
  for (int i = 0; i < kh; i++) {
    bool zero = true;
    for (int j = 0; j < kw; j++) zero = zero && k[i * kw + j] == 0;
    zeroRow[i] = zero;
  }
  for (int y = 0; y < im.h; y++) {
    for (int i = 0; i < kh; i++) {
      if (zeroRow[i]) continue;
      const double* src = padded.data() + Reflect101(y + i - ay, im.h) * rowLen;
      RowTaps(src, im.c, k + static_cast<int64_t>(i) * kw, kw, out + static_cast<int64_t>(y) * n, n);
    }
  }
}

// One rank-1 term u (vertical) ⊗ v (horizontal): out += correlate(src, u vᵀ); tmp holds the horizontal pass.
void Separable(const Image& im, const double* u, int kh, const double* v, int kw, int ay, int ax, double* out,
               double* tmp, double* row) {
  const int left = ax, right = kw - 1 - ax;
  const int n = im.w * im.c;
  for (int y = 0; y < im.h; y++) {
    PadRow(im.data, y, im.w, im.c, left, right, row);
    double* o = tmp + static_cast<int64_t>(y) * n;
    for (int t = 0; t < n; t++) o[t] = 0;
    RowTaps(row, im.c, v, kw, o, n);
  }
  std::vector<const double*> rows(kh);
  std::vector<double> w(kh);
  for (int y = 0; y < im.h; y++) {
    int count = 0;
    for (int i = 0; i < kh; i++) {
      if (u[i] == 0) continue;  // as filter.ts: zero taps are skipped, not added
      rows[count] = tmp + static_cast<int64_t>(Reflect101(y + i - ay, im.h)) * n;
      w[count++] = u[i];
    }
    ColumnTaps(rows.data(), w.data(), count, out + static_cast<int64_t>(y) * n, n);
  }
}

double Num(const Napi::CallbackInfo& info, size_t i) {
  return info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : NAN;
}

int Int(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* what, double lo, double hi) {
  double v = Num(info, i);
  if (!(v >= lo && v <= hi) || v != std::floor(v)) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + what + " must be an integer in " +
                                                std::to_string(static_cast<int64_t>(lo)) + ".." +
                                                std::to_string(static_cast<int64_t>(hi)));
  }
  return static_cast<int>(v);
}

Image ImageArg(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, std::string(fn) + ": expected a Float32Array of HWC samples");
  }
  auto data = info[0].As<Napi::Float32Array>();
  int w = Int(info, 1, fn, "width", 1, 65500), h = Int(info, 2, fn, "height", 1, 65500);
  int c = Int(info, 3, fn, "channels", 1, 64);
  if (data.ElementLength() != static_cast<size_t>(w) * h * c) {
    throw Napi::RangeError::New(env, std::string(fn) + ": data has " + std::to_string(data.ElementLength()) +
                                         " samples, expected " + std::to_string(static_cast<size_t>(w) * h * c));
  }
  return Image{data.Data(), w, h, c};
}

const double* Taps(const Napi::CallbackInfo& info, size_t i, size_t expected, const char* fn, const char* what) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be a Float64Array");
  }
  auto a = info[i].As<Napi::Float64Array>();
  if (a.ElementLength() != expected) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + what + " has " +
                                                std::to_string(a.ElementLength()) + " taps, expected " +
                                                std::to_string(expected));
  }
  return a.Data();
}

Napi::Float32Array ToFloat32(Napi::Env env, const std::vector<double>& acc) {
  auto out = Napi::Float32Array::New(env, acc.size());
  float* o = out.Data();
  for (size_t i = 0; i < acc.size(); i++) o[i] = static_cast<float>(acc[i]);
  return out;
}

// filter2dDirect(data, width, height, channels, kernel: Float64Array kh·kw, kw, kh, ax, ay) -> Float32Array
Napi::Value JsDirect(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    const char* fn = "filter2dDirect";
    Image im = ImageArg(info, fn);
    int kw = Int(info, 5, fn, "kernel width", 1, 4096), kh = Int(info, 6, fn, "kernel height", 1, 4096);
    const double* k = Taps(info, 4, static_cast<size_t>(kw) * kh, fn, "kernel");
    int ax = Int(info, 7, fn, "anchor x", 0, kw - 1), ay = Int(info, 8, fn, "anchor y", 0, kh - 1);
    std::vector<double> acc(static_cast<size_t>(im.w) * im.h * im.c, 0.0);
    Direct(im, k, kw, kh, ax, ay, acc.data());
    return ToFloat32(info.Env(), acc);
  });
}

// filter2dSeparable(data, width, height, channels, u: Float64Array terms·kh, v: Float64Array terms·kw, terms,
//                   ay, ax) -> Float32Array: Σ over terms of correlate(src, u_t v_tᵀ), terms in order.
Napi::Value JsSeparable(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    const char* fn = "filter2dSeparable";
    Image im = ImageArg(info, fn);
    int terms = Int(info, 6, fn, "terms", 1, 4096);
    auto len = [&](size_t i) {
      return info[i].IsTypedArray() ? info[i].As<Napi::TypedArray>().ElementLength() / terms : 0;
    };
    int kh = static_cast<int>(len(4)), kw = static_cast<int>(len(5));
    if (kh < 1 || kw < 1) throw Napi::RangeError::New(info.Env(), std::string(fn) + ": empty kernel");
    const double* u = Taps(info, 4, static_cast<size_t>(kh) * terms, fn, "u");
    const double* v = Taps(info, 5, static_cast<size_t>(kw) * terms, fn, "v");
    int ay = Int(info, 7, fn, "anchor y", 0, kh - 1), ax = Int(info, 8, fn, "anchor x", 0, kw - 1);
    const size_t size = static_cast<size_t>(im.w) * im.h * im.c;
    std::vector<double> acc(size, 0.0), tmp(size), row(static_cast<size_t>(im.w + kw - 1) * im.c);
    for (int t = 0; t < terms; t++) {
      Separable(im, u + static_cast<int64_t>(t) * kh, kh, v + static_cast<int64_t>(t) * kw, kw, ay, ax, acc.data(),
                tmp.data(), row.data());
    }
    return ToFloat32(info.Env(), acc);
  });
}

// Per-output taps along one axis, as resize.ts AxisWeights: idx[o·taps + t] source index, w[...] its weight.
struct Axis {
  int out, taps;
  const int32_t* idx;
  const double* w;
};

Axis AxisArg(const Napi::CallbackInfo& info, size_t i, int inLength, const char* fn, const char* what) {
  Napi::Env env = info.Env();
  int out = Int(info, i, fn, "output length", 1, 65500), taps = Int(info, i + 1, fn, "taps", 1, 65500);
  const size_t n = static_cast<size_t>(out) * taps;
  if (!info[i + 2].IsTypedArray() || info[i + 2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[i + 2].As<Napi::TypedArray>().ElementLength() != n) {
    throw Napi::TypeError::New(env, std::string(fn) + ": " + what + " indices must be an Int32Array of " +
                                        std::to_string(n));
  }
  const int32_t* idx = info[i + 2].As<Napi::Int32Array>().Data();
  for (size_t k = 0; k < n; k++) {
    if (idx[k] < 0 || idx[k] >= inLength) {
      throw Napi::RangeError::New(env, std::string(fn) + ": " + what + " index " + std::to_string(idx[k]) +
                                           " outside 0.." + std::to_string(inLength - 1));
    }
  }
  return Axis{out, taps, idx, Taps(info, i + 3, n, fn, "weights")};
}

MDT_VECTOR_CLONES void AxpyRowF(double wgt, const float* src, double* out, int n) {
  for (int t = 0; t < n; t++) out[t] = out[t] + wgt * static_cast<double>(src[t]);
}

// resample(data, width, height, channels, rowsOut, rowsTaps, rowsIdx, rowsW, colsOut, colsTaps, colsIdx, colsW)
//   -> Float32Array (colsOut × rowsOut × channels): rows (vertical) first, skipping zero weights, then columns,
//   each sum in tap order from 0, as resize.ts resample.
Napi::Value JsResample(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    const char* fn = "resample";
    Image im = ImageArg(info, fn);
    Axis rows = AxisArg(info, 4, im.h, fn, "row");
    Axis cols = AxisArg(info, 8, im.w, fn, "column");
    const int c = im.c, n = im.w * c;
    std::vector<double> tmp(static_cast<size_t>(rows.out) * n, 0.0);
    for (int o = 0; o < rows.out; o++) {
      for (int t = 0; t < rows.taps; t++) {
        const double wt = rows.w[o * rows.taps + t];
        if (wt == 0) continue;
        AxpyRowF(wt, im.data + static_cast<int64_t>(rows.idx[o * rows.taps + t]) * n, tmp.data() + int64_t{o} * n, n);
      }
    }
    auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(rows.out) * cols.out * c);
    float* od = out.Data();
    for (int y = 0; y < rows.out; y++) {
      const double* rb = tmp.data() + int64_t{y} * n;
      float* ob = od + int64_t{y} * cols.out * c;
      for (int x = 0; x < cols.out; x++) {
        const int32_t* xi = cols.idx + int64_t{x} * cols.taps;
        const double* xw = cols.w + int64_t{x} * cols.taps;
        for (int ch = 0; ch < c; ch++) {
          double acc = 0;
          for (int t = 0; t < cols.taps; t++) acc += xw[t] * rb[xi[t] * c + ch];
          ob[x * c + ch] = static_cast<float>(acc);
        }
      }
    }
    return out;
  });
}

}  // namespace

void InitFilter(Napi::Env env, Napi::Object exports) {
  exports.Set("filter2dDirect", Napi::Function::New(env, JsDirect, "filter2dDirect"));
  exports.Set("filter2dSeparable", Napi::Function::New(env, JsSeparable, "filter2dSeparable"));
  exports.Set("resample", Napi::Function::New(env, JsResample, "resample"));
}

}  // namespace mdt
