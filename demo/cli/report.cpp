#include "report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace sondar::cli {

namespace {
constexpr std::size_t kKeptErrors = 20;

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "+32.0 (95% CI +26.1 to +37.7)" or "no answers" when the figure is null.
std::string Figure(const Json& s, const char* format, const char* unit) {
  if (s.is_null() || s["score"].is_null()) return "no answers";
  std::string out = Fmt(format, s["score"].as_double()) + unit;
  if (!s["ci_low"].is_null()) {
    out += "  [" + Fmt(format, s["ci_low"].as_double()) + unit + " .. " +
           Fmt(format, s["ci_high"].as_double()) + unit + "]";
  }
  return out + "  n=" + std::to_string(s["n"].as_int());
}

std::string Headlines(const Json& group, const std::string& indent) {
  std::string out;
  if (!group["nps"].is_null()) {
    const Json& n = group["nps"];
    out += indent + "NPS   " + Figure(n, "%+.1f", "");
    if (n["n"].as_int() > 0) {
      const double total = n["n"].as_double();
      out +=
          Fmt("  promoters %.1f%%", 100 * n["promoters"].as_double() / total) +
          Fmt("  passives %.1f%%", 100 * n["passives"].as_double() / total) +
          Fmt("  detractors %.1f%%", 100 * n["detractors"].as_double() / total);
    }
    out += "\n";
  }
  if (!group["csat"].is_null())
    out += indent + "CSAT  " + Figure(group["csat"], "%.1f", "%") + "\n";
  if (!group["ces"].is_null()) {
    out += indent + "CES   " + Figure(group["ces"], "%.2f", "");
    if (!group["ces"]["agreePercent"].is_null()) {
      out += Fmt("  agree %.1f%%", group["ces"]["agreePercent"].as_double());
    }
    out += "\n";
  }
  return out;
}

constexpr std::size_t kBlockBytes = 256 << 10;
constexpr int kShardBits = 8;
constexpr std::size_t kShards = std::size_t{1} << kShardBits;
constexpr int kRunShift = 48;  // Version::order = run << 48 | valid line in run

struct Id {
  std::uint64_t hi, lo;
  bool operator==(const Id& o) const { return hi == o.hi && lo == o.lo; }
};

// Validated UUID text (8-4-4-4-12 hex digits) -> 128 bits, case-insensitive
// so "A" and "a" are one response.
Id ParseId(const std::string& uuid) {
  static constexpr auto kHex = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<std::uint8_t>(c);
    for (int c = 0; c < 6; ++c) {
      t['a' + c] = t['A' + c] = static_cast<std::uint8_t>(10 + c);
    }
    return t;
  }();
  // Where the 32 digits stand between the dashes.
  static constexpr std::array<std::uint8_t, 32> kAt = {
      0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 14, 15, 16, 17,
      19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
  Id id{0, 0};
  const auto* text = reinterpret_cast<const unsigned char*>(uuid.data());
  for (int i = 0; i < 16; ++i) id.hi = (id.hi << 4) | kHex[text[kAt[i]]];
  for (int i = 16; i < 32; ++i) id.lo = (id.lo << 4) | kHex[text[kAt[i]]];
  return id;
}

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9u;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

// Response ids come from clients, so their bits are the sender's choice: a
// seeded mix keeps crafted ids from piling into one shard or one probe chain.
class IdHash {
 public:
  IdHash() {
    std::random_device random;  // 32 bits a call
    seed_ = std::uint64_t{random()} << 32 | random();
  }
  std::uint64_t operator()(const Id& id) const {
    return Mix(id.hi ^ seed_) ^ Mix(id.lo + seed_);
  }

 private:
  std::uint64_t seed_ = 0;
};

class Interner {
 public:
  std::uint32_t Intern(const std::string& s) {
    // Neighbouring lines mostly repeat a trigger or segment.
    if (last_ < names_.size() && names_[last_] == s) return last_;
    auto [it, inserted] =
        ids_.try_emplace(s, static_cast<std::uint32_t>(names_.size()));
    if (inserted) names_.push_back(s);
    return last_ = it->second;
  }
  const std::string& Name(std::uint32_t id) const { return names_[id]; }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_;
  std::uint32_t last_ = 0;
};

using Value = std::pair<std::uint16_t, std::int16_t>;

constexpr std::size_t kInlineValues = 4;

// One valid line in one cache line: its strings are interned, and its values
// are held inline (most responses have a few) or else in its run's pool, so a
// million cost no allocation of their own and reading a winner's values back
// in hash order does not miss the cache a second time.
struct Version {
  Id id;
  std::int64_t submitted_at_ms;
  std::uint64_t order;  // where it stands among all valid lines
  std::uint32_t trigger, segment;
  std::uint32_t values_begin;  // in the run's pool, beyond kInlineValues
  std::uint16_t values_count;  // a 64 KiB line cannot hold more
  std::uint8_t status;         // a ResponseStatus, | kLeftOut when the filter
                               // refused this version
  std::uint8_t group;          // of VersionedAggregate (in the padding)
  Value inline_values[kInlineValues];
};
static_assert(sizeof(Version) == 64);
// A version the filter does not match is kept (it may be a response's newest,
// which then leaves the response out) and marked in its status byte.
constexpr std::uint8_t kLeftOut = 0x80;
constexpr std::uint8_t kStatusBits = 0x7f;

// A shard's versions, appended in blocks that never move once written: a
// growing vector would copy every version again at each doubling. Blocks
// start small, since a small file spreads few versions over many shards.
class Versions {
 public:
  void push_back(const Version& v) {
    if (blocks_.empty() || blocks_.back().size() == blocks_.back().capacity()) {
      blocks_.emplace_back();
      blocks_.back().reserve(std::clamp<std::size_t>(size_, 16, 4096));
    }
    blocks_.back().push_back(v);
    ++size_;
  }
  std::size_t size() const { return size_; }
  void AppendTo(std::vector<Version>* out) const {
    for (const std::vector<Version>& block : blocks_)
      out->insert(out->end(), block.begin(), block.end());
  }
  // Writes every version to `fd` at its end; false with errno set on failure.
  bool WriteTo(int fd) const {
    for (const std::vector<Version>& block : blocks_) {
      const char* data = reinterpret_cast<const char*>(block.data());
      std::size_t left = block.size() * sizeof(Version);
      while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        left -= static_cast<std::size_t>(n);
      }
    }
    return true;
  }
  void Clear() {
    blocks_.clear();
    size_ = 0;
  }

 private:
  std::vector<std::vector<Version>> blocks_;
  std::size_t size_ = 0;
};

// A file descriptor closed with its owner.
class Fd {
 public:
  Fd() = default;
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// An unnamed file in `dir` (gone when closed), or -1 with errno set.
int TemporaryFile(const std::string& dir) {
#ifdef O_TMPFILE
  const int unnamed = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  // Only a file system without O_TMPFILE is worth a second way.
  if (unnamed >= 0 || errno != EOPNOTSUPP) return unnamed;
#endif
  std::string name = dir + "/sondar-report-XXXXXX";
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

// A run of whole lines read by one thread, and what it found.
struct Run {
  std::uint64_t begin = 0, end = 0;  // byte range (end unused for a pipe)
  Versions shards[kShards];
  std::size_t held = 0;  // versions in `shards`
  // Versions moved to disk when the run held more than its share of the
  // memory budget: per shard, (offset, count) of each piece, in line order.
  Fd spill;
  std::uint64_t spill_size = 0;
  std::vector<std::pair<std::uint64_t, std::size_t>> spilled[kShards];
  std::vector<Value> values;
  Interner triggers, segments;
  std::uint64_t line_count = 0;  // every line, blank ones too: for numbering
  ReportInput counts;            // first_errors numbered within the run
  std::string error;
};

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

class RunReader {
 public:
  RunReader(const SurveyVersions& versions, const VersionedAggregate& groups,
            const ValidateOptions& options, const ResponseFilter* filter,
            const std::vector<Theme>& themes, const IdHash& hash,
            std::uint64_t run_index, std::size_t max_held,
            const std::string& temp_dir, Run* run)
      : versions_(versions),
        survey_(*versions.Latest()),
        filter_(filter),
        themes_(themes),
        groups_(groups),
        several_(versions.Numbers().size() > 1),
        options_(options),
        max_held_(max_held),
        temp_dir_(temp_dir),
        hash_(hash),
        order_(run_index << kRunShift),
        run_(run) {}

  // `seekable`: read [begin, end) with pread; else read() to the end.
  void Read(int fd, bool seekable) {
    std::vector<char> buffer(kBlockBytes);
    std::size_t have = 0;  // bytes of an unfinished line at the front
    std::uint64_t offset = run_->begin;
    std::uint64_t skipped = 0;  // bytes of an over-long line, not kept
    for (;;) {
      std::size_t want = buffer.size() - have;
      if (seekable) want = std::min<std::uint64_t>(want, run_->end - offset);
      ssize_t n = 0;
      if (want > 0) {
        n = seekable ? ::pread(fd, buffer.data() + have, want,
                               static_cast<off_t>(offset))
                     : ::read(fd, buffer.data() + have, want);
        if (n < 0) {
          if (errno == EINTR) continue;
          run_->error = std::strerror(errno);
          return;
        }
      }
      offset += static_cast<std::uint64_t>(n);
      const char* data = buffer.data();
      const std::size_t size = have + static_cast<std::size_t>(n);
      std::size_t start = 0;
      while (const void* nl = std::memchr(data + start, '\n', size - start)) {
        const std::size_t stop = static_cast<const char*>(nl) - data;
        Line(std::string_view(data + start, stop - start), skipped);
        skipped = 0;
        start = stop + 1;
      }
      have = size - start;
      if (n == 0) {  // end of input: a last line without '\n'
        if (have > 0 || skipped > 0)
          Line(std::string_view(data, have), skipped);
        return;
      }
      if (have > kMaxResponseBytes) {
        // Longer than any response may be: count its bytes, keep none, so
        // memory does not grow with the line.
        skipped += have;
        have = 0;
      }
      std::memmove(buffer.data(), data + start, have);
    }
  }

 private:
  void Line(std::string_view line, std::uint64_t skipped) {
    ReportInput& c = run_->counts;
    ++run_->line_count;
    c.bytes += line.size() + skipped + 1;
    if (skipped == 0 && IsBlank(line)) return;
    ++c.lines;
    if (skipped > 0) {
      ++c.invalid_json;
      Keep({run_->line_count,
            "document is " + std::to_string(skipped + line.size()) +
                " bytes, the limit is " + std::to_string(kMaxResponseBytes)});
      return;
    }
    // Most lines answer the latest version; the others are read again
    // against the version they name.
    int version = survey_.version;
    Status status = ValidateResponseTextInto(survey_, line, options_, &record_);
    if (!status.ok() && several_ &&
        status.errors().front().code == ErrorCode::kMismatch &&
        status.errors().front().path == "surveyVersion") {
      auto named = ValidateResponseText(versions_, line, &version, options_);
      if (named.ok()) {
        record_ = std::move(named).value();
        status = Status();
      } else {
        status = named.status();
      }
    }
    if (!status.ok()) {
      const Error& first = status.errors().front();
      (first.code == ErrorCode::kInvalidJson ||
               first.code == ErrorCode::kTooDeep ||
               first.code == ErrorCode::kTooLarge
           ? c.invalid_json
           : c.invalid)++;
      Keep({run_->line_count, first.ToString()});
      return;
    }
    ++c.valid;
    const ResponseRecord& r = record_;
    Version v;
    v.id = ParseId(r.response_id);
    v.submitted_at_ms = r.submitted_at_ms;
    v.order = order_++;
    v.values_count = static_cast<std::uint16_t>(r.values.size());
    if (r.values.size() <= kInlineValues) {
      std::copy(r.values.begin(), r.values.end(), v.inline_values);
    } else {
      v.values_begin = static_cast<std::uint32_t>(run_->values.size());
      run_->values.insert(run_->values.end(), r.values.begin(), r.values.end());
    }
    v.trigger = run_->triggers.Intern(r.trigger);
    v.segment = run_->segments.Intern(r.segment);
    v.status = static_cast<std::uint8_t>(r.status);
    if (!Meets(line, version)) v.status |= kLeftOut;
    v.group = static_cast<std::uint8_t>(groups_.GroupOf(version));
    run_->shards[hash_(v.id) >> (64 - kShardBits)].push_back(v);
    if (++run_->held > max_held_) Spill();
  }

  // Moves every held version to the run's temporary file, shard by shard, so
  // memory stays within the budget whatever the number of lines.
  void Spill() {
    if (!run_->error.empty()) return;
    if (run_->spill.get() < 0) {
      run_->spill.reset(TemporaryFile(temp_dir_));
      if (run_->spill.get() < 0) {
        run_->error = "cannot create a temporary file in " + temp_dir_ + ": " +
                      std::strerror(errno);
        return;
      }
    }
    for (std::size_t s = 0; s < kShards; ++s) {
      Versions& shard = run_->shards[s];
      if (shard.size() == 0) continue;
      if (!shard.WriteTo(run_->spill.get())) {
        run_->error = "cannot write a temporary file in " + temp_dir_ + ": " +
                      std::strerror(errno ? errno : ENOSPC);
        return;
      }
      run_->spilled[s].emplace_back(run_->spill_size, shard.size());
      run_->spill_size += shard.size() * sizeof(Version);
      shard.Clear();
    }
    run_->held = 0;
  }

  void Keep(LineError e) {
    auto& errors = run_->counts.first_errors;
    if (errors.size() < kKeptErrors) errors.push_back(std::move(e));
  }

  // Whether this line's record meets the filter. Hidden fields and themes are
  // read from the payload (parsed again only for such a filter), themes
  // tagged with the list given, as the collector tags them with its own.
  bool Meets(const std::string_view line, int version) {
    if (!filter_) return true;
    const Survey* named = versions_.Find(version);
    if (!named) named = &survey_;
    if (!filter_->NeedsPayload() && !filter_->theme)
      return Matches(*filter_, *named, record_);
    auto payload = ParseJson(line, kMaxResponseBytes, kMaxResponseDepth);
    if (!payload.ok()) return false;
    if (filter_->theme) {
      record_.themes = ThemesOf(themes_, CommentsOf(*named, payload.value()));
    }
    return Matches(*filter_, *named, record_, &payload.value());
  }

  const SurveyVersions& versions_;
  const Survey& survey_;  // the latest version
  const ResponseFilter* filter_;
  const std::vector<Theme>& themes_;
  const VersionedAggregate& groups_;
  const bool several_;
  const ValidateOptions& options_;
  ResponseRecord record_;  // reused by every line: no allocation per line
  const std::size_t max_held_;
  const std::string& temp_dir_;
  const IdHash& hash_;
  std::uint64_t order_;
  Run* run_;
};

// Every version of the responses whose ids fall in `shard`, in line order:
// each run's pieces on disk, then what it still holds. False with `error` set
// when a temporary file cannot be read back.
bool GatherShard(const std::vector<Run>& runs, std::size_t shard,
                 std::vector<Version>* out, std::string* error) {
  out->clear();
  for (const Run& run : runs) {
    for (const auto& [offset, count] : run.spilled[shard]) {
      const std::size_t at = out->size();
      out->resize(at + count);
      char* data = reinterpret_cast<char*>(out->data() + at);
      std::size_t left = count * sizeof(Version), done = 0;
      while (done < left) {
        const ssize_t n = ::pread(run.spill.get(), data + done, left - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          *error = std::string("cannot read a temporary file back: ") +
                   (n < 0 ? std::strerror(errno) : "it is shorter");
          return false;
        }
        done += static_cast<std::size_t>(n);
      }
    }
    run.shards[shard].AppendTo(out);
  }
  return true;
}

// The newest version of every response among `versions` (one shard's, in
// line order), handed to `fn(first_order, version)`: with kFirstSeen,
// first_order is where the response was first seen, which is where a one-pass
// reader would have added it; without, 0 (and the table is half the size).
template <bool kFirstSeen, typename Fn>
void Deduplicate(const std::vector<Version>& versions, const IdHash& hash,
                 Fn fn) {
  const std::size_t total = versions.size();
  if (total == 0) return;
  // Open addressing, at most half full. A shard holds 1/256 of the ids, so
  // its table stays in cache where one table for all would miss on every
  // probe.
  std::size_t capacity = 16;
  while (capacity < 2 * total) capacity *= 2;
  struct Empty {};
  struct Slot {
    const Version* best = nullptr;
    std::conditional_t<kFirstSeen, std::uint64_t, Empty> first_order{};
  };
  std::vector<Slot> slots(capacity);
  const std::size_t mask = capacity - 1;
  ResponseRecord incoming, stored;  // only what Supersedes reads
  for (const Version& v : versions) {
    {
      for (std::size_t i = hash(v.id) & mask;; i = (i + 1) & mask) {
        Slot& s = slots[i];
        if (s.best == nullptr) {
          s.best = &v;
          if constexpr (kFirstSeen) s.first_order = v.order;
          break;
        }
        if (s.best->id == v.id) {
          incoming.status = static_cast<ResponseStatus>(v.status & kStatusBits);
          incoming.submitted_at_ms = v.submitted_at_ms;
          stored.status =
              static_cast<ResponseStatus>(s.best->status & kStatusBits);
          stored.submitted_at_ms = s.best->submitted_at_ms;
          if (Supersedes(incoming, stored)) s.best = &v;
          break;
        }
      }
    }
  }
  for (const Slot& s : slots) {
    if (s.best == nullptr) continue;
    if constexpr (kFirstSeen) {
      fn(s.first_order, *s.best);
    } else {
      fn(std::uint64_t{0}, *s.best);
    }
  }
}

// What an aggregate keeps of a response: its status, trigger, segment, day
// and values (a text answer is only "answered"). Winners alike in all of these
// are counted and added once: there are far fewer kinds than responses,
// whatever the free text says.
struct Kind {
  std::uint64_t run;  // trigger and segment are numbered per run
  std::uint32_t trigger, segment;
  std::int64_t day;
  std::uint16_t values_count;
  std::uint8_t status;
  std::uint8_t group;
  Value values[kInlineValues];

  bool operator==(const Kind& o) const {
    return run == o.run && trigger == o.trigger && segment == o.segment &&
           day == o.day && values_count == o.values_count &&
           status == o.status && group == o.group &&
           std::equal(values, values + values_count, o.values);
  }
};

struct KindHash {
  std::size_t operator()(const Kind& k) const {
    std::uint64_t h = Mix(k.run ^ (std::uint64_t{k.trigger} << 32 | k.segment));
    h = Mix(h ^ static_cast<std::uint64_t>(k.day) ^
            (std::uint64_t{k.status} << 56 | std::uint64_t{k.group} << 48 |
             std::uint64_t{k.values_count} << 40));
    for (std::size_t i = 0; i < k.values_count; ++i) {
      h = Mix(h ^ (std::uint64_t{k.values[i].first} << 16 |
                   static_cast<std::uint16_t>(k.values[i].second)));
    }
    return static_cast<std::size_t>(h);
  }
};

constexpr std::int64_t kMsPerDay = 86400000;

// Splits [0, size) into `count` runs that start at line starts.
bool SplitRuns(int fd, std::uint64_t size, unsigned count,
               std::vector<Run>* runs, std::string* error) {
  runs->resize(count);
  std::uint64_t begin = 0;
  for (unsigned i = 0; i < count; ++i) {
    (*runs)[i].begin = begin;
    std::uint64_t end = i + 1 == count ? size : size * (i + 1) / count;
    // Move `end` just past the next '\n', so every run holds whole lines.
    char probe[4096];
    while (end < size && end > begin) {
      ssize_t n = ::pread(fd, probe, sizeof probe, static_cast<off_t>(end - 1));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        *error = n < 0 ? std::strerror(errno) : "file shrank while read";
        return false;
      }
      if (const void* nl =
              std::memchr(probe, '\n', static_cast<std::size_t>(n))) {
        end += static_cast<const char*>(nl) - probe;
        break;
      }
      end += static_cast<std::uint64_t>(n);
    }
    end = std::max(end, begin);
    (*runs)[i].end = std::min(end, size);
    begin = (*runs)[i].end;
  }
  return true;
}

// Runs `fn(i)` for i in [0, count) on up to `threads` threads.
template <typename Fn>
void Parallel(std::size_t count, unsigned threads, Fn fn) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next++) < count;) fn(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < count; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace

bool ReadResponses(const Survey& survey, int fd, const ReadOptions& options,
                   Aggregate* aggregate, ReportInput* input,
                   std::string* error) {
  SurveyVersions one;
  if (const Status added = one.Add(SurveyPtr::Make(survey)); !added.ok()) {
    *error = added.ToString();
    return false;
  }
  VersionedAggregate versioned(one);
  if (!ReadResponses(one, fd, options, &versioned, input, error)) return false;
  *aggregate = versioned.group(0);
  return true;
}

bool ReadResponses(const SurveyVersions& survey_versions, int fd,
                   const ReadOptions& options, VersionedAggregate* aggregate,
                   ReportInput* input, std::string* error) {
  if (aggregate->groups() > 255) {
    *error = "more than 255 shapes of survey versions";
    return false;
  }
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  struct stat st {};
  const bool seekable = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!seekable) threads = 1;
  // Small files are not worth a thread each.
  if (seekable) {
    threads = static_cast<unsigned>(std::min<std::uint64_t>(
        threads, 1 + static_cast<std::uint64_t>(st.st_size) /
                         std::max<std::uint64_t>(1, options.min_run_bytes)));
  }
  std::vector<Run> runs;
  if (seekable) {
    if (!SplitRuns(fd, static_cast<std::uint64_t>(st.st_size), threads, &runs,
                   error))
      return false;
  } else {
    runs.resize(1);
  }
  const IdHash hash;
  const std::size_t max_held = std::max<std::size_t>(
      1, options.memory_budget / sizeof(Version) / runs.size());
  const std::string temp_dir = !options.temp_dir.empty() ? options.temp_dir
                               : std::getenv("TMPDIR")   ? std::getenv("TMPDIR")
                                                         : "/tmp";
  Parallel(runs.size(), threads, [&](std::size_t i) {
    RunReader(survey_versions, *aggregate, options.validate, options.filter,
              options.themes ? *options.themes : DefaultThemes(), hash, i,
              max_held, temp_dir, &runs[i])
        .Read(fd, seekable);
  });

  *input = ReportInput{};
  input->threads = threads;
  std::uint64_t lines_before = 0;
  for (Run& run : runs) {
    if (!run.error.empty()) {
      *error = run.error;
      return false;
    }
    const ReportInput& c = run.counts;
    input->lines += c.lines;
    input->valid += c.valid;
    input->invalid_json += c.invalid_json;
    input->invalid += c.invalid;
    input->bytes += c.bytes;
    for (const LineError& e : c.first_errors) {
      if (input->first_errors.size() == kKeptErrors) break;
      input->first_errors.push_back({lines_before + e.line, e.message});
    }
    lines_before += run.line_count;
  }

  // What Aggregate::Add reads, back from a run's compact form.
  auto fill = [&runs](std::uint64_t run_index, std::uint8_t status,
                      std::int64_t submitted_at_ms, std::uint32_t trigger,
                      std::uint32_t segment, const Value* values,
                      std::size_t count, ResponseRecord* out) {
    const Run& run = runs[run_index];
    out->status = static_cast<ResponseStatus>(status);
    out->submitted_at_ms = submitted_at_ms;
    out->trigger = run.triggers.Name(trigger);
    out->segment = run.segments.Name(segment);
    out->values.assign(values, values + count);
  };
  auto add = [&](VersionedAggregate& into, const Version& v,
                 ResponseRecord& scratch) {
    const std::uint64_t run = v.order >> kRunShift;
    fill(run, v.status, v.submitted_at_ms, v.trigger, v.segment,
         v.values_count <= kInlineValues
             ? v.inline_values
             : runs[run].values.data() + v.values_begin,
         v.values_count, &scratch);
    into.group(v.group).Add(scratch);
  };
  std::vector<VersionedAggregate> partial(threads, *aggregate);
  std::vector<std::uint64_t> distinct(kShards, 0), left_out(kShards, 0);
  std::vector<std::string> errors(threads);
  std::atomic<unsigned> slot{0};
  // Each thread takes shards, counts their winners by kind and adds each kind
  // to its own aggregate once.
  {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      const unsigned me = slot++;
      VersionedAggregate& mine = partial[me];
      ResponseRecord scratch;
      std::unordered_map<Kind, std::uint64_t, KindHash> kinds;
      std::vector<Version> versions;
      for (std::size_t s; (s = next++) < kShards;) {
        if (!GatherShard(runs, s, &versions, &errors[me])) return;
        Deduplicate<false>(
            versions, hash, [&](std::uint64_t, const Version& v) {
              ++distinct[s];
              if (v.status & kLeftOut) return void(++left_out[s]);
              if (v.values_count > kInlineValues) return add(mine, v, scratch);
              Kind k;
              k.run = v.order >> kRunShift;
              k.trigger = v.trigger;
              k.segment = v.segment;
              k.day = v.submitted_at_ms / kMsPerDay -
                      (v.submitted_at_ms % kMsPerDay < 0 ? 1 : 0);
              k.values_count = v.values_count;
              k.status = v.status;
              k.group = v.group;
              std::copy(v.inline_values, v.inline_values + v.values_count,
                        k.values);
              ++kinds[k];
            });
      }
      for (const auto& [k, times] : kinds) {
        // Only the day of the time counts: its first millisecond will do.
        fill(k.run, k.status, k.day * kMsPerDay, k.trigger, k.segment, k.values,
             k.values_count, &scratch);
        mine.group(k.group).Add(scratch, times);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
  }
  for (const std::string& e : errors) {
    if (!e.empty()) {
      *error = e;
      return false;
    }
  }
  for (const VersionedAggregate& p : partial) {
    // Every part aggregates the same versions; a failure here is a bug.
    if (const Status merged = aggregate->Merge(p); !merged.ok()) {
      *error = merged.ToString();
      return false;
    }
  }
  std::uint64_t kept = 0;
  for (std::uint64_t d : distinct) kept += d;
  input->superseded = input->valid - kept;
  input->filtered_out = 0;
  for (std::uint64_t n : left_out) input->filtered_out += n;

  if (aggregate->AtKeyLimit()) {
    // Which breakdown keys fold into "(other)" depends on the order of adds:
    // redo them in first-seen order so the report never depends on threads.
    // This path holds every winner (a breakdown with over 1,000 keys is rare).
    std::vector<std::pair<std::uint64_t, Version>> winners;
    winners.reserve(kept);
    std::vector<Version> versions;
    for (std::size_t s = 0; s < kShards; ++s) {
      if (!GatherShard(runs, s, &versions, error)) return false;
      Deduplicate<true>(versions, hash,
                        [&](std::uint64_t first, const Version& v) {
                          if (!(v.status & kLeftOut))
                            winners.emplace_back(first, v);
                        });
    }
    std::sort(winners.begin(), winners.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    VersionedAggregate ordered(survey_versions);
    ResponseRecord scratch;
    for (const auto& w : winners) add(ordered, w.second, scratch);
    *aggregate = std::move(ordered);
  }
  return true;
}

Json ReportJson(const ReportInput& input, const Json& summary,
                const ResponseFilter* filter) {
  Json out = summary;
  out["input"] = {{"lines", input.lines},
                  {"valid", input.valid},
                  {"invalidJson", input.invalid_json},
                  {"invalid", input.invalid},
                  {"superseded", input.superseded}};
  out["input"]["filteredOut"] = input.filtered_out;
  out["filter"] = filter ? filter->ToJson() : ResponseFilter().ToJson();
  return out;
}

std::string ReportText(const Survey& survey, const ReportInput& input,
                       const Json& summary) {
  const Json& r = summary["responses"];
  std::string out = "Survey " + survey.id + " v" +
                    std::to_string(survey.version) + ": " +
                    std::to_string(r["total"].as_int()) + " responses (" +
                    std::to_string(r["complete"].as_int()) + " complete, " +
                    std::to_string(r["partial"].as_int()) + " partial, " +
                    std::to_string(r["dismissed"].as_int()) + " dismissed)\n";
  out += "Input: " + std::to_string(input.lines) + " lines, " +
         std::to_string(input.valid) + " valid, " +
         std::to_string(input.invalid_json) + " not JSON, " +
         std::to_string(input.invalid) + " invalid, " +
         std::to_string(input.superseded) +
         " superseded by a later version of the same response\n";
  if (input.filtered_out > 0) {
    out += "Filter: " + std::to_string(input.filtered_out) +
           " responses left out\n";
  }
  if (summary.contains("versions") && summary["versions"].size() > 1) {
    out += "Versions summarised together: " + summary["versions"].dump() + "\n";
  }
  for (const Json& apart : summary["reportedApart"].as_array()) {
    out += "Reported apart (other questions or scales): versions " +
           apart["versions"].dump() + ", " +
           std::to_string(apart["responses"]["total"].as_int()) +
           " responses; see --json\n";
  }
  out += "Intervals at " +
         Fmt("%.0f", 100 * summary["confidence"].as_double()) +
         "% confidence; unanswered questions are not counted.\n\n";
  out += Headlines(summary, "");
  out += "\nQuestions\n";
  for (const Question& q : survey.questions) {
    const Json& s = summary["questions"][q.id];
    out += "  " + q.id + " (" + std::string(TypeName(q.type)) +
           ", n=" + std::to_string(s["n"].as_int()) + ")";
    if (s.contains("distribution")) {
      out += ":";
      for (const Json& d : s["distribution"].as_array()) {
        out += " " + std::to_string(d["value"].as_int()) + ":" +
               std::to_string(d["count"].as_int());
      }
    } else if (s.contains("counts")) {
      out += ":";
      for (const auto& [option, count] : s["counts"].as_object())
        out += " " + option + ":" + std::to_string(count.as_int());
    }
    out += "\n";
  }
  for (const char* section : {"byTrigger", "bySegment", "byDay"}) {
    if (summary[section].empty()) continue;
    out += std::string("\n") +
           (section[2] == 'T'   ? "By trigger"
            : section[2] == 'S' ? "By segment"
                                : "By day") +
           "\n";
    for (const auto& [name, group] : summary[section].as_object()) {
      out += "  " + name + " (" +
             std::to_string(group["responses"]["total"].as_int()) +
             " responses)\n";
      out += Headlines(group, "    ");
    }
  }
  return out;
}

}  // namespace sondar::cli
