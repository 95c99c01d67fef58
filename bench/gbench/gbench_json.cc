/*
 * gbench_json.cc - Google Benchmark's JSON file kept whole across calls (gbench_int.h).
 */
#include "gbench_int.h"

#include <fstream>
#include <sstream>

namespace {

/* Adds the "benchmarks" entries of Google Benchmark's JSON text more to those of all. */
bool splice_json(std::string &all, const std::string &more)
{
	static const std::string key = "\"benchmarks\": [";
	size_t a = more.find(key), b = more.rfind(']');
	size_t at = all.find(key), end = all.rfind(']');

	if (a == std::string::npos || b == std::string::npos || b < a || at == std::string::npos ||
	    end == std::string::npos || end < at)
		return false;
	std::string items = more.substr(a + key.size(), b - a - key.size());
	if (items.find('{') == std::string::npos)
		return true; /* nothing ran */
	bool has = all.find('{', at) < end;
	all.insert(end, (has ? "," : "") + items);
	return true;
}

} // namespace

void gbench_merge_json(const std::string &path, std::string &acc, bool first)
{
	std::ifstream in(path);
	std::stringstream text;

	if (!in)
		return;
	text << in.rdbuf();
	in.close();
	if (first || acc.empty()) {
		acc = text.str();
		return;
	}
	if (!splice_json(acc, text.str()))
		return;
	std::ofstream out(path, std::ios::trunc);
	out << acc;
}
