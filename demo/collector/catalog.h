// The surveys and site manifest the collector serves, kept in its database:
// every published version (immutable; the collector assigns the numbers),
// what shoppers may read, and the rules of publishing (the next number,
// If-Match, rollback, import of --surveys at start). Several collectors on
// one PostgreSQL database see each other's publishes through Refresh().
#ifndef SONDAR_DEMO_COLLECTOR_CATALOG_H_
#define SONDAR_DEMO_COLLECTOR_CATALOG_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sondar/sondar.h"
#include "store.h"

namespace sondar::collector {

struct VersionInfo {
  int version = 0;
  std::int64_t published_at_ms = 0;
  std::string source;    // "import", "publish" or "rollback"
  int from_version = 0;  // edited from (publish) or restored (rollback)
  std::string content;   // as stored, x- members included
};

// A version as an entity tag, "\"3\"": what public reads send and what
// If-Match takes back.
std::string Etag(int version);

// What a public GET answers: the latest version without x- members.
struct PublicDocument {
  int version = 0;
  std::string etag;  // "\"<version>\"", as If-Match takes it back
  std::string body;
};

// The core's default theme list, shared (never freed).
std::shared_ptr<const std::vector<Theme>> DefaultThemeList();

struct SurveyHistory {
  SurveyVersions versions;
  std::vector<VersionInfo> infos;  // oldest first
};

// One consistent view; a publish or a reload makes a new one.
struct Snapshot {
  std::map<std::string, SurveyHistory> surveys;
  std::vector<VersionInfo> site;  // manifest versions, oldest first
  // The comment themes (sondar.themes/1) the site published, oldest first,
  // and the list the latest holds: the core's default list until one is.
  std::vector<VersionInfo> themes_versions;
  std::shared_ptr<const std::vector<Theme>> themes = DefaultThemeList();
  std::optional<PublicDocument> public_site;
  // The surveys the latest manifest uses, by id.
  std::map<std::string, PublicDocument> public_surveys;
  // Ids whose versions need a closeAfter count (the latest sets one).
  std::vector<std::string> close_after_ids;
  // Surveys some published manifest has named.
  std::set<std::string> ever_listed;
  // Whether anonymous posts may answer `id`: any survey while no manifest was
  // ever published (a collector without a site, an upgrade), else one some
  // manifest named (a survey dropped from the site still takes the responses
  // on their way). Drafts stay unknown to the public.
  bool MayAnswer(const std::string& id) const {
    return site.empty() || ever_listed.count(id) > 0;
  }
};

// An admin call's answer: an HTTP status and a JSON body.
struct Answer {
  int status = 200;
  Json body;
};

class Catalog {
 public:
  static constexpr const char* kSiteKind = "site";
  static constexpr const char* kSurveyKind = "survey";
  static constexpr const char* kThemesKind = "themes";  // id "site"

  explicit Catalog(Store* store) : store_(store) {}

  // Reads every document the store holds; false when it cannot be read.
  bool Load();
  // Load() when the store holds documents this catalog has not seen (another
  // collector published), looking at most once per `every`. Periodic looks
  // and looks for a response naming an unseen version (`on_miss`) are paced
  // apart, so neither delays the other; `on_miss` looks may come in a burst
  // (kMissBurst) before the pace holds.
  enum class Look {
    kLooked,   // the snapshot is now as new as the database
    kTooSoon,  // another look began less than `every` ago
    kFailed,   // the database could not be read
  };
  Look Refresh(std::chrono::milliseconds every, bool on_miss = false);
  std::shared_ptr<const Snapshot> Now() const;

  // The --surveys folder at start: each survey file becomes a new version
  // when its content (less "version") differs from the latest and from what
  // the same file held when last imported (so a restart never undoes a
  // publish made in the browser since); the first
  // version of an id keeps the file's number, so responses stored or queued
  // before versions were kept still find theirs. A file whose "schema" is
  // sondar.site/1 is the manifest, one whose "schema" is sondar.themes/1 the
  // theme list, both imported the same way. Errors name the file: an invalid
  // document, two files with one survey id, two manifests or theme lists.
  Status Import(const std::filesystem::path& folder);

  // PUT /api/surveys/{id} and /api/site. `if_match`: the version the text was
  // edited from (nullopt: no If-Match; 0 is never a version).
  Answer PublishSurvey(const std::string& id, std::string_view text,
                       std::optional<int> if_match);
  Answer PublishSite(std::string_view text, std::optional<int> if_match);
  // PUT /api/themes: the site's theme list (sondar::ParseThemes).
  Answer PublishThemes(std::string_view text, std::optional<int> if_match);
  // POST .../rollback: a new version holding `version`'s content.
  Answer RollbackSurvey(const std::string& id, const Json& body);
  Answer RollbackSite(const Json& body);
  Answer RollbackThemes(const Json& body);

 private:
  // Checks and writes `doc` (an object) as the next version of (kind, id).
  Answer Publish(const std::string& kind, const std::string& id, Json doc,
                 std::optional<int> if_match, const std::string& source,
                 int from_version, bool keep_version = false);
  // The errors of `doc` as the next version, or none.
  Errors Check(const std::string& kind, const Json& doc,
               const Snapshot& now) const;
  Answer RollbackDocument(const std::string& kind, const Json& body);
  int Latest(const Snapshot& now, const std::string& kind,
             const std::string& id) const;

  Store* store_;
  mutable std::mutex mu_;  // guards snapshot_, seen_, the look times and tokens
  std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<Snapshot>();
  std::int64_t seen_ = 0;  // documents in the snapshot
  std::chrono::steady_clock::time_point looked_{}, missed_{};
  // Looks on a miss are a token bucket: kMissBurst at once, then one per
  // `every`, so a short run of misses (a publish just made elsewhere, a test)
  // each looks, and a flood costs the database a bounded rate.
  static constexpr double kMissBurst = 20;
  double miss_tokens_ = kMissBurst;
  std::mutex load_mu_;  // one Load at a time
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_CATALOG_H_
