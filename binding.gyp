{
  "targets": [
    {
      "target_name": "dax_spawn",
      "sources": ["native/spawn.cc"],
      "cflags_cc": ["-std=c++17", "-O2"]
    }
  ]
}
