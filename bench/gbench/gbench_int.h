/*
 * gbench_int.h - what gbench.cc and gbench_json.cc share (C++, not part of the C API).
 */
#ifndef PB_GBENCH_INT_H
#define PB_GBENCH_INT_H

#include <string>

/* Google Benchmark rewrote the JSON file at path for this call: its runs are appended to
 * acc (the earlier calls' file; first: acc starts over) and the file is rewritten with all
 * of them, so that one valid file holds every call's runs (the first call's context). */
void gbench_merge_json(const std::string &path, std::string &acc, bool first);

#endif
