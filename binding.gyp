{
  "targets": [
    {
      "target_name": "dax_spawn",
      "sources": ["native/spawn.cc"],
      "cflags_cc": ["-std=c++17", "-O2"]
    },
    {
      "target_name": "dax-agent",
      "type": "executable",
      "sources": ["native/agent.c"],
      "cflags_c": ["-std=c11", "-O2"],
      "ldflags": ["-static"]
    }
  ]
}
