{
  "targets": [
    {
      "target_name": "maskdcpt",
      "sources": ["native/addon.cc", "native/tensor.cc", "native/ops.cc", "native/runtime.cc", "native/allocator.cc", "native/jpeg.cc", "native/filter.cc", "native/distributed.cc", "native/reducer.cc"],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "<!@(node native/torch-paths.cjs include)"
      ],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_EXPERIMENTAL", "_GLIBCXX_USE_CXX11_ABI=<!(node native/torch-paths.cjs abi)", "<!@(node native/torch-paths.cjs defines)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-ffp-contract=off", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": ["<!@(node native/torch-paths.cjs libs)", "-ljpeg"]
    }
  ]
}
