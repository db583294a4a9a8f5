// JPEG round trips with the system libjpeg(-turbo), as OpenCV's cv2.imencode/imdecode do them: baseline,
// IJG tables scaled by quality (clamped to baseline values), 4:2:0, no Huffman optimisation, islow DCT,
// fancy upsampling, JFIF APP0. Float samples in [0, 1] are quantised into a native uint8 image, and the decoded
// uint8 image is converted straight into the float output, so no JS buffer sits in between. Whole-image passes,
// not row-by-row conversion interleaved with libjpeg: measured ~2x faster on the decode side, as libjpeg's own
// working set then stays in cache while the 4-byte-per-sample output streams out.
//
// libjpeg reports errors through error_exit, which by default calls exit(). Here it longjmps back into the
// small C-style phase functions below (their frames hold only trivially destructible objects, so no C++
// destructor is skipped) and the caller turns the message into a JS Error. Warnings (corrupt or truncated
// data) count as errors, as sharp's default failOn: 'warning' did.
#include "jpeg.h"

#include <csetjmp>
#include <cmath>
#include <cstdio>  // jpeglib.h needs FILE and size_t
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace mdt {

namespace {

// sharp's limitInputPixels default: decoding anything larger is refused before allocating.
constexpr double kMaxPixels = 16383.0 * 16383.0;

struct ErrorMgr {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void ErrorExit(j_common_ptr c) {
  auto* e = reinterpret_cast<ErrorMgr*>(c->err);
  (*c->err->format_message)(c, e->message);
  longjmp(e->jump, 1);
}

void EmitMessage(j_common_ptr c, int level) {
  if (level < 0) ErrorExit(c);  // a warning: corrupt data
}

void OutputMessage(j_common_ptr) {}

void InitErrors(ErrorMgr* e) {
  jpeg_std_error(&e->pub);
  e->pub.error_exit = ErrorExit;
  e->pub.emit_message = EmitMessage;
  e->pub.output_message = OutputMessage;
  e->message[0] = '\0';
}

// A growable malloc'd output buffer; the caller frees `data` whatever happens.
struct MemDest {
  jpeg_destination_mgr pub;
  unsigned char* data;
  size_t capacity;
  size_t size;
};

void DestInit(j_compress_ptr c) {
  auto* d = reinterpret_cast<MemDest*>(c->dest);
  d->pub.next_output_byte = d->data;
  d->pub.free_in_buffer = d->capacity;
}

boolean DestGrow(j_compress_ptr c) {
  auto* d = reinterpret_cast<MemDest*>(c->dest);
  size_t cap = d->capacity * 2;
  auto* p = static_cast<unsigned char*>(std::realloc(d->data, cap));
  if (p == nullptr) ERREXIT1(c, JERR_OUT_OF_MEMORY, 1);
  d->data = p;
  d->pub.next_output_byte = p + d->capacity;
  d->pub.free_in_buffer = cap - d->capacity;
  d->capacity = cap;
  return TRUE;
}

void DestTerm(j_compress_ptr c) {
  auto* d = reinterpret_cast<MemDest*>(c->dest);
  d->size = d->capacity - d->pub.free_in_buffer;
}

// Float samples at data[y*row + x*pixel + k*chan] (an HWC raster, or one CHW image of a tensor).
struct View {
  float* data;
  int64_t row, pixel, chan;
  int width, height, channels;
};

// round-half-to-even of x·255 clamped to [0, 255], NaN → 0: ECMAScript's ToUint8Clamp, which the former
// Uint8ClampedArray path used (x·255 is exact in double for float32 x, so this is numpy's round too).
// Adding and subtracting 1.5·2^52 rounds to an integer in the default ties-to-even mode; unlike nearbyint()
// it is not a libm call, so the row loop stays branch-free and vectorisable.
inline JSAMPLE Quantise(float x) {
  constexpr double kRound = 6755399441055744.0;
  double v = static_cast<double>(x) * 255.0;
  v = v > 0.0 ? v : 0.0;  // NaN fails the test and becomes 0
  v = v < 255.0 ? v : 255.0;
  return static_cast<JSAMPLE>(static_cast<int>((v + kRound) - kRound));
}

struct U8ToFloat {
  float t[256];
  U8ToFloat() {
    for (int v = 0; v < 256; v++) t[v] = static_cast<float>(v / 255.0);  // as the JS table: double /255 → f32
  }
};
const U8ToFloat kFromU8;

// Contiguous samples → uint8 with Quantise's rule, four at a time where SSE2 is there: maxpd returns its second
// operand for NaN (so NaN → 0 like Quantise) and cvtpd2dq rounds in the default ties-to-even mode.
void QuantiseRun(const float* src, JSAMPLE* out, int n) {
  int i = 0;
#ifdef __SSE2__
  const __m128d zero = _mm_setzero_pd(), top = _mm_set1_pd(255.0);
  for (; i + 4 <= n; i += 4) {
    __m128 f = _mm_loadu_ps(src + i);
    __m128d lo = _mm_mul_pd(_mm_cvtps_pd(f), top), hi = _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(f, f)), top);
    lo = _mm_min_pd(_mm_max_pd(lo, zero), top);
    hi = _mm_min_pd(_mm_max_pd(hi, zero), top);
    __m128i q = _mm_unpacklo_epi64(_mm_cvtpd_epi32(lo), _mm_cvtpd_epi32(hi));  // 4 × int32 in 0..255
    q = _mm_packus_epi16(_mm_packs_epi32(q, q), q);
    int32_t bytes = _mm_cvtsi128_si32(q);
    std::memcpy(out + i, &bytes, 4);
  }
#endif
  for (; i < n; i++) out[i] = Quantise(src[i]);
}

// noinline: kept out of the setjmp frames below, where the compiler keeps locals in memory.
__attribute__((noinline)) void QuantiseRow(const View& v, int y, JSAMPLE* out) {
  const float* src = v.data + y * v.row;
  const int w = v.width, c = v.channels;
  const int64_t pixel = v.pixel, chan = v.chan;
  if (chan == 1 && pixel == c) return QuantiseRun(src, out, w * c);
  for (int x = 0; x < w; x++)
    for (int k = 0; k < c; k++) out[x * c + k] = Quantise(src[x * pixel + k * chan]);
}

__attribute__((noinline)) void WriteRow(const View& v, int y, const JSAMPLE* in) {
  float* dst = v.data + y * v.row;
  const int w = v.width, c = v.channels;
  const int64_t pixel = v.pixel, chan = v.chan;
  const float* table = kFromU8.t;
  if (chan == 1 && pixel == c) {
    for (int i = 0, n = w * c; i < n; i++) dst[i] = table[in[i]];
    return;
  }
  for (int x = 0; x < w; x++)
    for (int k = 0; k < c; k++) dst[x * pixel + k * chan] = table[in[x * c + k]];
}

// --- setjmp phases: only trivially destructible locals from here to the next marker ---

bool Encode(jpeg_compress_struct* c, ErrorMgr* e, const View& src, int quality, JSAMPARRAY rows, MemDest* dst) {
  if (setjmp(e->jump)) return false;
  jpeg_create_compress(c);
  c->dest = &dst->pub;
  c->image_width = static_cast<JDIMENSION>(src.width);
  c->image_height = static_cast<JDIMENSION>(src.height);
  c->input_components = src.channels;
  c->in_color_space = src.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;  // RGB and OpenCV's BGR give the same YCbCr
  jpeg_set_defaults(c);  // 4:2:0, islow DCT, no optimize_coding, JFIF 1.01 APP0
  jpeg_set_quality(c, quality, TRUE);
  jpeg_start_compress(c, TRUE);
  while (c->next_scanline < c->image_height) {
    jpeg_write_scanlines(c, rows + c->next_scanline, c->image_height - c->next_scanline);
  }
  jpeg_finish_compress(c);
  return true;
}

// channels: 1 or 3 to convert to grey/RGB, 0 for the file's own (1 stays grey, anything else becomes RGB).
bool ReadHeader(jpeg_decompress_struct* d, ErrorMgr* e, const unsigned char* buf, size_t n, int channels) {
  if (setjmp(e->jump)) return false;
  jpeg_create_decompress(d);
  jpeg_mem_src(d, buf, static_cast<unsigned long>(n));
  jpeg_read_header(d, TRUE);
  if (channels == 0) channels = d->num_components == 1 ? 1 : 3;
  d->out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_calc_output_dimensions(d);
  return true;
}

bool ReadBody(jpeg_decompress_struct* d, ErrorMgr* e, JSAMPARRAY rows) {
  if (setjmp(e->jump)) return false;
  jpeg_start_decompress(d);
  while (d->output_scanline < d->output_height) {
    jpeg_read_scanlines(d, rows + d->output_scanline, d->output_height - d->output_scanline);
  }
  jpeg_finish_decompress(d);
  return true;
}

// --- end of setjmp phases ---

// Owns the libjpeg state of one call; destroys it on every path.
struct Codec {
  ErrorMgr err;
  jpeg_compress_struct c{};
  jpeg_decompress_struct d{};
  MemDest dest{};
  std::vector<JSAMPLE> image;  // uint8 HWC, rows of width × components
  std::vector<JSAMPROW> rows;
  Codec() {
    InitErrors(&err);
    c.err = &err.pub;
    d.err = &err.pub;
  }
  ~Codec() {
    jpeg_destroy_compress(&c);
    jpeg_destroy_decompress(&d);
    std::free(dest.data);
  }
  void Image(int w, int h, int ch) {
    size_t stride = static_cast<size_t>(w) * ch;
    image.resize(stride * h);
    rows.resize(h);
    for (int y = 0; y < h; y++) rows[y] = image.data() + y * stride;
  }

  [[noreturn]] void Fail(const char* what) { throw std::runtime_error(std::string("jpeg: ") + what + ": " + err.message); }

  void EncodeView(const View& v, int quality) {
    dest.pub.init_destination = DestInit;
    dest.pub.empty_output_buffer = DestGrow;
    dest.pub.term_destination = DestTerm;
    dest.capacity = static_cast<size_t>(v.width) * v.height * v.channels / 4 + 4096;
    dest.data = static_cast<unsigned char*>(std::malloc(dest.capacity));
    if (dest.data == nullptr) throw std::bad_alloc();
    Image(v.width, v.height, v.channels);
    for (int y = 0; y < v.height; y++) QuantiseRow(v, y, rows[y]);
    if (!Encode(&c, &err, v, quality, rows.data(), &dest)) Fail("encode failed");
  }

  // Reads the header; the output size is then d.output_width × d.output_height × d.output_components.
  void Header(const unsigned char* buf, size_t n, int channels) {
    if (!ReadHeader(&d, &err, buf, n, channels)) Fail("cannot decode");
  }

  void Body(const View& v) {
    Image(static_cast<int>(d.output_width), static_cast<int>(d.output_height), d.output_components);
    if (!ReadBody(&d, &err, rows.data())) Fail("cannot decode");
    for (int y = 0; y < v.height; y++) WriteRow(v, y, rows[y]);
  }

  // Encode then decode into `out` (same geometry as `in`; they may alias).
  void RoundTrip(const View& in, const View& out, int quality) {
    EncodeView(in, quality);
    Header(dest.data, dest.size, in.channels);
    if (static_cast<int>(d.output_width) != in.width || static_cast<int>(d.output_height) != in.height ||
        d.output_components != in.channels) {
      throw std::logic_error("jpeg: round trip changed the image geometry");  // libjpeg keeps it; never expected
    }
    Body(out);
  }
};

void CheckQuality(Napi::Env env, const Napi::Value& q) {
  double v = q.IsNumber() ? q.As<Napi::Number>().DoubleValue() : NAN;
  if (!(v >= 1 && v <= 100) || v != std::floor(v)) {
    throw Napi::RangeError::New(env, "jpeg: quality must be an integer in 1..100, got " + q.ToString().Utf8Value());
  }
}

// Checks (data: Float32Array, width, height, channels) describe an HWC raster and returns its view.
View RasterView(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, std::string(fn) + ": expected a Float32Array of HWC samples");
  }
  auto data = info[0].As<Napi::Float32Array>();
  auto dim = [&](int i) { return info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : NAN; };
  double w = dim(1), h = dim(2), ch = dim(3);
  if (!(w >= 1 && h >= 1 && w <= 65500 && h <= 65500) || w != std::floor(w) || h != std::floor(h)) {
    throw Napi::RangeError::New(env, std::string(fn) + ": width and height must be integers in 1..65500");
  }
  if (ch != 1 && ch != 3) throw Napi::RangeError::New(env, std::string(fn) + ": channels must be 1 or 3");
  int iw = static_cast<int>(w), ih = static_cast<int>(h), ic = static_cast<int>(ch);
  if (data.ElementLength() != static_cast<size_t>(iw) * ih * ic) {
    throw Napi::RangeError::New(env, std::string(fn) + ": data has " + std::to_string(data.ElementLength()) +
                                         " samples, expected " + std::to_string(static_cast<size_t>(iw) * ih * ic));
  }
  return View{data.Data(), static_cast<int64_t>(iw) * ic, ic, 1, iw, ih, ic};
}

// jpegRoundTrip(data, width, height, channels, quality) -> Float32Array (HWC, same geometry).
Napi::Value JsRoundTrip(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    View in = RasterView(info, "jpegRoundTrip");
    CheckQuality(info.Env(), info[4]);
    auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(in.width) * in.height * in.channels);
    View ov = in;
    ov.data = out.Data();
    Codec codec;
    codec.RoundTrip(in, ov, info[4].As<Napi::Number>().Int32Value());
    return out;
  });
}

// jpegEncode(data, width, height, channels, quality) -> Buffer (the JPEG file).
Napi::Value JsEncode(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    View in = RasterView(info, "jpegEncode");
    CheckQuality(info.Env(), info[4]);
    Codec codec;
    codec.EncodeView(in, info[4].As<Napi::Number>().Int32Value());
    return Napi::Buffer<unsigned char>::Copy(info.Env(), codec.dest.data, codec.dest.size);
  });
}

// jpegDecode(bytes, channels 0|1|3) -> {data: Float32Array (HWC), width, height, channels}.
Napi::Value JsDecode(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "jpegDecode: expected a Uint8Array or Buffer");
    }
    auto bytes = info[0].As<Napi::Uint8Array>();
    int channels = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
    if (channels != 0 && channels != 1 && channels != 3) throw Napi::RangeError::New(env, "jpegDecode: channels must be 1 or 3");
    if (bytes.ElementLength() == 0) throw Napi::Error::New(env, "jpeg: cannot decode an empty buffer");
    Codec codec;
    codec.Header(bytes.Data(), bytes.ElementLength(), channels);
    if (static_cast<double>(codec.d.output_width) * codec.d.output_height > kMaxPixels) {
      throw Napi::RangeError::New(env, "jpeg: image of " + std::to_string(codec.d.output_width) + "x" +
                                           std::to_string(codec.d.output_height) + " pixels exceeds the limit of 16383x16383");
    }
    int w = static_cast<int>(codec.d.output_width), h = static_cast<int>(codec.d.output_height);
    int c = codec.d.output_components;
    auto data = Napi::Float32Array::New(env, static_cast<size_t>(w) * h * c);
    codec.Body(View{data.Data(), static_cast<int64_t>(w) * c, c, 1, w, h, c});
    Napi::Object o = Napi::Object::New(env);
    o.Set("data", data);
    o.Set("width", w);
    o.Set("height", h);
    o.Set("channels", c);
    return o;
  });
}

// jpegRoundTripTensor(tensor, quality) -> tensor: float32 CPU [C,H,W] or [N,C,H,W], C = 1 or 3 (RGB), any strides;
// the result is a new contiguous tensor, every image round-tripped on its own.
Napi::Value JsRoundTripTensor(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    at::Tensor& t = TensorWrap::Get(info[0], "jpegRoundTripTensor");
    CheckQuality(env, info[1]);
    if (t.scalar_type() != at::kFloat || !t.device().is_cpu()) {
      throw Napi::TypeError::New(env, "jpegRoundTripTensor: expected a float32 CPU tensor");
    }
    if (t.dim() != 3 && t.dim() != 4) {
      throw Napi::RangeError::New(env, "jpegRoundTripTensor: expected [C,H,W] or [N,C,H,W], got " +
                                           std::to_string(t.dim()) + " dimensions");
    }
    at::Tensor in = t.dim() == 3 ? t.unsqueeze(0) : t;
    int64_t n = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
    if (c != 1 && c != 3) throw Napi::RangeError::New(env, "jpegRoundTripTensor: channels must be 1 or 3, got " + std::to_string(c));
    if (h < 1 || w < 1 || h > 65500 || w > 65500) throw Napi::RangeError::New(env, "jpegRoundTripTensor: height and width must be in 1..65500");
    at::Tensor out = at::empty(in.sizes(), in.options().memory_format(at::MemoryFormat::Contiguous));
    int quality = info[1].As<Napi::Number>().Int32Value();
    for (int64_t b = 0; b < n; b++) {
      View iv{in.data_ptr<float>() + b * in.stride(0), in.stride(2), in.stride(3), in.stride(1),
              static_cast<int>(w), static_cast<int>(h), static_cast<int>(c)};
      View ov{out.data_ptr<float>() + b * out.stride(0), out.stride(2), out.stride(3), out.stride(1),
              static_cast<int>(w), static_cast<int>(h), static_cast<int>(c)};
      Codec codec;
      codec.RoundTrip(iv, ov, quality);
    }
    return TensorWrap::Make(env, t.dim() == 3 ? out.squeeze(0) : out);
  });
}

}  // namespace

void InitJpeg(Napi::Env env, Napi::Object exports) {
  exports.Set("jpegRoundTrip", Napi::Function::New(env, JsRoundTrip, "jpegRoundTrip"));
  exports.Set("jpegEncode", Napi::Function::New(env, JsEncode, "jpegEncode"));
  exports.Set("jpegDecode", Napi::Function::New(env, JsDecode, "jpegDecode"));
  exports.Set("jpegRoundTripTensor", Napi::Function::New(env, JsRoundTripTensor, "jpegRoundTripTensor"));
}

}  // namespace mdt
