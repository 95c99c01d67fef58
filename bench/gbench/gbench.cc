/*
 * gbench.cc - the C API of gbench.h over Google Benchmark; parbench's only C++ file.
 *
 * A reporter sits between Google Benchmark and its console reporter to collect every
 * repetition and aggregate per benchmark.  Every entry point catches all exceptions in one
 * place (guarded()) and turns them into -errno plus a message.  It does not time anything
 * itself: bodies set manual time.
 */
#include "gbench.h"
#include "gbench_int.h"
#include "median.h"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

struct entry {
	std::string name;
	size_t index = 0;
	gbench_body_fn *body = nullptr;
	void *arg = nullptr;
	double min_time_s = 0;
	std::vector<double> samples; /* every repetition of every call of gbench_run_some() */
	std::string error;
	struct gbench_result res{};
	bool ran = false;
	bool notified = false;
};

void copy_err(char *err, size_t len, const std::string &msg)
{
	if (err && len)
		std::snprintf(err, len, "%s", msg.c_str());
}

/* The single place where C++ errors become C errors. */
template <typename F> int guarded(char *err, size_t len, F &&f)
{
	try {
		return f();
	} catch (const std::bad_alloc &) {
		copy_err(err, len, "out of memory in Google Benchmark");
		return -ENOMEM;
	} catch (const std::exception &e) {
		copy_err(err, len, std::string("Google Benchmark: ") + e.what());
		return -EIO;
	} catch (...) {
		copy_err(err, len, "Google Benchmark: unknown C++ exception");
		return -EIO;
	}
}

bool run_failed(const benchmark::BenchmarkReporter::Run &r)
{
#ifdef PB_GBENCH_SKIPPED
	return r.skipped != benchmark::internal::NotSkipped;
#else
	return r.error_occurred;
#endif
}

std::string run_message(const benchmark::BenchmarkReporter::Run &r)
{
#ifdef PB_GBENCH_SKIPPED
	return r.skip_message;
#else
	return r.error_message;
#endif
}

double seconds_of(const benchmark::BenchmarkReporter::Run &r)
{
	static const double per_unit[] = { 1e-9, 1e-6, 1e-3, 1.0 };

	return r.GetAdjustedRealTime() * per_unit[r.time_unit];
}

/* The aggregates over every sample so far (Google Benchmark's own cover one call only):
 * median (mean of the middle two for an even count), mean, sample stddev, cv, min, max. */
void finish(entry &e)
{
	gbench_result &r = e.res;
	std::vector<double> s = e.samples;
	size_t n = s.size();

	r.name = e.name.c_str();
	r.index = e.index;
	r.n_samples = n;
	r.samples = e.samples.data();
	r.failed = !e.error.empty();
	r.error = e.error.c_str();
	r.mean = r.median = r.stddev = r.cv = r.min = r.max = NAN;
	if (n == 0)
		return;
	std::sort(s.begin(), s.end());
	double sum = 0, ss = 0;

	for (double x : s)
		sum += x;
	r.mean = sum / (double)n;
	for (double x : s)
		ss += (x - r.mean) * (x - r.mean);
	r.median = median_of_sorted(s.data(), n);
	r.stddev = n > 1 ? std::sqrt(ss / (double)(n - 1)) : 0;
	r.cv = r.mean > 0 ? r.stddev / r.mean : 0;
	r.min = s.front();
	r.max = s.back();
}


} // namespace

struct gbench {
	std::vector<std::string> args; /* Google Benchmark's flags; argv[0] must outlive runs */
	std::vector<entry> entries;
	std::map<std::string, size_t> index;
	bool min_time_flag = false;
	std::string out_path;          /* --benchmark_out, if its format is JSON */
	std::string out_json;          /* every call's runs so far */
	unsigned calls = 0;
};

namespace {

class collector : public benchmark::BenchmarkReporter {
public:
	collector(gbench *g, benchmark::BenchmarkReporter *console, gbench_done_fn *done, void *arg)
		: g_(g), console_(console), done_(done), arg_(arg)
	{
	}

	bool ReportContext(const Context &ctx) override
	{
		return console_ ? console_->ReportContext(ctx) : true;
	}

	/* Google Benchmark reports a benchmark as one call with its repetitions, then one with
	 * its aggregates (none for a single repetition, or when fewer than two repetitions
	 * succeeded); done is called once: after the aggregates, after a lone repetition, or
	 * (for the rest) when the whole run is over. */
	void ReportRuns(const std::vector<Run> &runs) override
	{
		entry *last = nullptr;
		bool complete = false;

		for (const Run &r : runs) {
			last = take(r);
			if (last && (r.run_type == Run::RT_Aggregate || r.repetitions <= 1))
				complete = true;
		}
		if (console_)
			console_->ReportRuns(runs);
		if (last && complete && !last->notified) {
			last->notified = true;
			finish(*last);
			if (done_)
				done_(&last->res, arg_);
		}
	}

	void Finalize() override
	{
		if (console_)
			console_->Finalize();
	}

private:
	entry *take(const Run &r)
	{
		auto it = g_->index.find(r.run_name.function_name);
		if (it == g_->index.end())
			return nullptr;
		entry &e = g_->entries[it->second];
		e.ran = true;
		if (run_failed(r)) {
			if (e.error.empty())
				e.error = run_message(r);
		} else if (r.run_type == Run::RT_Iteration) {
			e.samples.push_back(seconds_of(r));
			e.res.iterations = static_cast<int64_t>(r.iterations);
		}
		return &e;
	}

	gbench *g_;
	benchmark::BenchmarkReporter *console_;
	gbench_done_fn *done_;
	void *arg_;
};

benchmark::State &state_of(gbench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

} // namespace

extern "C" {

int gbench_create(gbench **out, int argc, const char *const *argv, char *err, size_t err_len)
{
	*out = nullptr;
	return guarded(err, err_len, [&]() -> int {
		/* Google Benchmark keeps argv[0] (its Context::executable_name), so the strings
		 * live in the handle, which the caller keeps until after gbench_run(). */
		auto g = std::make_unique<gbench>();
		std::vector<char *> ptrs;

		g->args.assign(argv, argv + argc);
		for (std::string &a : g->args) {
			ptrs.push_back(&a[0]);
			if (a.rfind("--benchmark_min_time", 0) == 0)
				g->min_time_flag = true;
			if (a.rfind("--benchmark_out=", 0) == 0)
				g->out_path = a.substr(16);
			if (a.rfind("--benchmark_out_format=", 0) == 0 &&
			    a != "--benchmark_out_format=json")
				g->out_path.clear(), g->out_path.shrink_to_fit();
		}
		int n = static_cast<int>(ptrs.size());
		ptrs.push_back(nullptr);
		/* Google Benchmark prints its own line about a flag with a bad value; the caller
		 * says one line of its own, so stderr is muted while it parses */
		fflush(stderr);
		int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

		if (saved >= 0 && null >= 0)
			dup2(null, STDERR_FILENO);
		benchmark::Initialize(&n, ptrs.data());
		fflush(stderr);
		if (saved >= 0 && null >= 0)
			dup2(saved, STDERR_FILENO);
		if (saved >= 0)
			close(saved);
		if (null >= 0)
			close(null);
		if (n > 1) {
			copy_err(err, err_len, std::string("unknown Google Benchmark flag, or a bad value: '") +
						       ptrs[1] + "'");
			return -EINVAL;
		}
		*out = g.release();
		return 0;
	});
}

int gbench_add(gbench *g, const char *name, gbench_body_fn *body, void *arg, double min_time_s,
	       char *err, size_t err_len)
{
	return guarded(err, err_len, [&]() -> int {
		if (g->index.count(name)) {
			copy_err(err, err_len, std::string("duplicate benchmark '") + name + "'");
			return -EEXIST;
		}
		g->index[name] = g->entries.size();
		g->entries.emplace_back();
		entry &e = g->entries.back();
		e.name = name;
		e.index = g->entries.size() - 1;
		e.body = body;
		e.arg = arg;
		e.min_time_s = min_time_s;
		return 0;
	});
}

namespace {

void register_entry(gbench *g, entry &e, unsigned repetitions)
{
	gbench_body_fn *body = e.body;
	void *arg = e.arg;
	auto *b = benchmark::RegisterBenchmark(e.name.c_str(), [body, arg](benchmark::State &s) {
		body(reinterpret_cast<gbench_state *>(&s), arg);
	});
	b->UseManualTime()->Unit(benchmark::kMillisecond);
	b->ComputeStatistics("min", [](const std::vector<double> &v) {
		return *std::min_element(v.begin(), v.end());
	});
	b->ComputeStatistics("max", [](const std::vector<double> &v) {
		return *std::max_element(v.begin(), v.end());
	});
	if (e.min_time_s > 0 && !g->min_time_flag)
		b->MinTime(e.min_time_s);
	if (repetitions)
		b->Repetitions(static_cast<int>(repetitions));
}


} // namespace

int gbench_run(gbench *g, int display, gbench_done_fn *done, void *done_arg, char *err,
	       size_t err_len)
{
	return gbench_run_some(g, nullptr, display, done, done_arg, err, err_len);
}

int gbench_run_some(gbench *g, const unsigned *reps, int display, gbench_done_fn *done,
		    void *done_arg, char *err, size_t err_len)
{
	return guarded(err, err_len, [&]() -> int {
		benchmark::ConsoleReporter console;
		console.SetOutputStream(&std::cerr);
		console.SetErrorStream(&std::cerr);
		collector c(g, display ? &console : nullptr, done, done_arg);
		size_t n = 0;

		benchmark::ClearRegisteredBenchmarks();
		for (entry &e : g->entries) {
			e.notified = false;
			if (reps && reps[e.index] == 0)
				continue;
			register_entry(g, e, reps ? reps[e.index] : 0);
			n++;
		}
		if (n == 0)
			return 0;
		g->calls++;
		benchmark::RunSpecifiedBenchmarks(&c);
		if (!g->out_path.empty())
			gbench_merge_json(g->out_path, g->out_json, g->calls == 1);
		for (entry &e : g->entries) {
			if (!e.ran || (reps && reps[e.index] == 0))
				continue;
			finish(e);
			if (!e.notified && done) {
				e.notified = true;
				done(&e.res, done_arg);
			}
		}
		return 0;
	});
}

size_t gbench_count(const gbench *g)
{
	return g->entries.size();
}

const gbench_result *gbench_get_result(const gbench *g, size_t i)
{
	if (i >= g->entries.size() || !g->entries[i].ran)
		return nullptr;
	return &g->entries[i].res;
}

void gbench_destroy(gbench *g)
{
	try {
		benchmark::ClearRegisteredBenchmarks();
	} catch (...) {
	}
	delete g;
}

int gbench_keep_running(gbench_state *st)
{
	return state_of(st).KeepRunning();
}

void gbench_set_iteration_time(gbench_state *st, double seconds)
{
	state_of(st).SetIterationTime(seconds);
}

void gbench_skip_with_error(gbench_state *st, const char *msg)
{
	state_of(st).SkipWithError(msg);
}

void gbench_set_counter(gbench_state *st, const char *name, double value)
{
	try {
		state_of(st).counters[name] = benchmark::Counter(value);
	} catch (...) {
	}
}

} /* extern "C" */
