#include "catalog.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "http_codes.h"

namespace sondar::collector {

namespace {

namespace fs = std::filesystem;

Answer Fail(int status, AnyCode code, const std::string& path,
            const std::string& message) {
  return {status, ErrorJson(code, path, message)};
}

Answer Invalid(int status, const Errors& errors) {
  return {status, {{"errors", ErrorsToJson(errors)}}};
}

// 400 for text that is not JSON, 413 over the size limit, else 422.
int StatusFor(const Errors& errors) {
  const auto code = errors.front().code;
  if (code == ErrorCode::kTooLarge) return 413;
  if (code == ErrorCode::kInvalidJson || code == ErrorCode::kTooDeep)
    return 400;
  return 422;
}

// What import compares: a document less its "version".
Json Unversioned(Json doc) {
  doc.erase("version");
  return doc;
}

PublicDocument Public(const VersionInfo& info) {
  PublicDocument out;
  out.version = info.version;
  out.etag = Etag(info.version);
  auto doc = ParseJson(info.content);
  out.body = doc.ok() ? WithoutExtensions(doc.value()).dump() : info.content;
  return out;
}

// The public part of a snapshot: the latest manifest and the surveys its
// entries name.
void FillPublic(Snapshot& s) {
  s.public_site.reset();
  s.public_surveys.clear();
  s.close_after_ids.clear();
  for (const auto& [id, history] : s.surveys) {
    if (history.versions.Latest()->close_after > 0)
      s.close_after_ids.push_back(id);
  }
  s.ever_listed.clear();
  for (const VersionInfo& version : s.site) {
    auto site = ParseSite(version.content);
    if (!site.ok()) continue;
    for (const SiteEntry& entry : site->surveys)
      s.ever_listed.insert(entry.survey->id);
  }
  if (s.site.empty()) return;
  auto site = ParseSite(s.site.back().content);
  auto doc = ParseJson(s.site.back().content);
  if (!site.ok() || !doc.ok())
    return;  // checked when published; a bug otherwise
  // Each entry is decided by the rules of its survey's latest version, not by
  // the copy the manifest was published with. The ETag names the manifest's
  // version and the sum of its surveys' latest versions: for one manifest
  // version the surveys are fixed and their versions only grow, so any
  // publish of either changes it.
  Json served = std::move(doc).value();
  std::int64_t survey_versions = 0;
  Json::Array& entries = served["surveys"].as_array();
  for (std::size_t i = 0; i < site->surveys.size() && i < entries.size(); ++i) {
    auto it = s.surveys.find(site->surveys[i].survey->id);
    if (it == s.surveys.end()) continue;
    const VersionInfo& latest = it->second.infos.back();
    s.public_surveys[it->first] = Public(latest);
    survey_versions += latest.version;
    if (auto survey = ParseJson(latest.content); survey.ok())
      entries[i] = WithRulesOf(std::move(entries[i]), survey.value());
  }
  std::string body = WithoutExtensions(served).dump();
  // What the widget will parse: the rules taken from the surveys could make
  // it too large or, by a bug, invalid. Shoppers then get the manifest as it
  // was published rather than one every widget refuses.
  if (auto check = ParseSite(body); !check.ok()) {
    std::cerr << "sondar-collector: the site manifest with its surveys' rules "
                 "is not valid ("
              << check.status().ToString() << "); serving it as published\n";
    s.public_site = Public(s.site.back());
    return;
  }
  PublicDocument& out = s.public_site.emplace();
  out.version = s.site.back().version;
  out.etag = "\"" + std::to_string(out.version) + "." +
             std::to_string(survey_versions) + "\"";
  out.body = std::move(body);
}

// Whether `url` (a path or an absolute URL, maybe with a query) ends in the
// path this collector serves survey `id` at.
bool ServedAt(std::string_view url, const std::string& id) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::string path = "/api/surveys/" + id + ".json";
  return url.size() >= path.size() &&
         url.substr(url.size() - path.size()) == path;
}

std::optional<int> VersionIn(const Json& body) {
  const Json* v = body.is_object() ? body.find("version") : nullptr;
  if (!v || !v->is_number_integer() || v->as_int() < 1 || v->as_int() > 1e9)
    return std::nullopt;
  return static_cast<int>(v->as_int());
}

}  // namespace

std::string Etag(int version) { return "\"" + std::to_string(version) + "\""; }

std::shared_ptr<const std::vector<Theme>> DefaultThemeList() {
  // Aliasing a static: nothing to free.
  return std::shared_ptr<const std::vector<Theme>>(std::shared_ptr<void>(),
                                                   &DefaultThemes());
}

std::shared_ptr<const Snapshot> Catalog::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

bool Catalog::Load() {
  std::lock_guard<std::mutex> loading(load_mu_);
  const std::int64_t count = store_->DocumentCount();
  if (count < 0) return false;
  auto next = std::make_shared<Snapshot>(*Now());
  bool changed = false;
  const bool read = store_->Documents([&](Store::Document d) {
    VersionInfo info{d.version, d.published_at_ms, d.source, d.from_version,
                     std::move(d.content)};
    if (d.kind == kSiteKind || d.kind == kThemesKind) {
      std::vector<VersionInfo>& list =
          d.kind == kSiteKind ? next->site : next->themes_versions;
      for (const VersionInfo& held : list)
        if (held.version == d.version) return;
      list.push_back(std::move(info));
      changed = true;
      return;
    }
    SurveyHistory& history = next->surveys[d.id];
    if (history.versions.Find(d.version)) return;
    auto survey = ParseSurvey(info.content);
    // Only valid surveys are ever written; a row that is not one (written
    // by hand) is left out rather than served.
    if (!survey.ok() || survey->id != d.id || survey->version != d.version) {
      if (history.versions.empty()) next->surveys.erase(d.id);
      return;
    }
    if (!history.versions.Add(SurveyPtr::Make(std::move(survey).value())).ok())
      return;
    history.infos.push_back(std::move(info));
    changed = true;
  });
  if (!read) return false;
  if (changed) {
    auto by_version = [](const VersionInfo& a, const VersionInfo& b) {
      return a.version < b.version;
    };
    std::sort(next->site.begin(), next->site.end(), by_version);
    std::sort(next->themes_versions.begin(), next->themes_versions.end(),
              by_version);
    if (!next->themes_versions.empty()) {
      // Only valid lists are written; one that is not (written by hand)
      // leaves the list as it was.
      auto doc = ParseJson(next->themes_versions.back().content);
      auto themes = doc.ok() ? ParseThemes(doc.value())
                             : Result<std::vector<Theme>>(doc.status());
      if (themes.ok())
        next->themes = std::make_shared<const std::vector<Theme>>(
            std::move(themes).value());
    }
    for (auto& [id, history] : next->surveys)
      std::sort(history.infos.begin(), history.infos.end(), by_version);
    FillPublic(*next);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (changed) snapshot_ = std::move(next);
  seen_ = count;
  return true;
}

Catalog::Look Catalog::Refresh(std::chrono::milliseconds every, bool on_miss) {
  const auto now = std::chrono::steady_clock::now();
  std::int64_t seen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (on_miss) {
      const double earned =
          every.count() > 0
              ? std::chrono::duration<double>(now - missed_) / every
              : kMissBurst;
      miss_tokens_ = std::min(kMissBurst, miss_tokens_ + earned);
      missed_ = now;
      if (miss_tokens_ < 1) return Look::kTooSoon;
      miss_tokens_ -= 1;
    } else {
      if (now - looked_ < every) return Look::kTooSoon;
      looked_ = now;
    }
    seen = seen_;
  }
  const std::int64_t count = store_->DocumentCount();
  if (count < 0) return Look::kFailed;
  // A failed reload is a failed look: the caller must not take "not found"
  // for an answer.
  return count == seen || Load() ? Look::kLooked : Look::kFailed;
}

int Catalog::Latest(const Snapshot& now, const std::string& kind,
                    const std::string& id) const {
  if (kind == kSiteKind) return now.site.empty() ? 0 : now.site.back().version;
  if (kind == kThemesKind)
    return now.themes_versions.empty() ? 0 : now.themes_versions.back().version;
  auto it = now.surveys.find(id);
  return it == now.surveys.end() ? 0 : it->second.infos.back().version;
}

Errors Catalog::Check(const std::string& kind, const Json& doc,
                      const Snapshot& now) const {
  if (kind == kSurveyKind) {
    auto survey = ParseSurveyDocument(doc);
    return survey.ok() ? Errors{} : survey.errors();
  }
  if (kind == kThemesKind) {
    auto themes = ParseThemes(doc);
    return themes.ok() ? Errors{} : themes.errors();
  }
  auto site = ParseSiteDocument(doc);
  if (!site.ok()) return site.errors();
  // The manifest this collector serves names surveys it serves: a response
  // to any other would have nowhere to go.
  Errors errors;
  for (std::size_t i = 0; i < site->surveys.size(); ++i) {
    const SiteEntry& entry = site->surveys[i];
    const std::string at = "surveys[" + std::to_string(i) + "]";
    if (entry.url.empty()) {
      errors.push_back({ErrorCode::kInvalidValue, at + ".survey",
                        "publish the survey on its own (PUT /api/surveys/" +
                            entry.survey->id + ") and give its url"});
    } else if (!now.surveys.count(entry.survey->id)) {
      errors.push_back(
          {ErrorCode::kUnknownReference, at + ".id",
           "no survey \"" + entry.survey->id + "\" is published here"});
    } else if (!ServedAt(entry.url, entry.survey->id)) {
      // What the widget fetches is what this entry makes public.
      errors.push_back({ErrorCode::kMismatch, at + ".url",
                        "must be where this collector serves the survey, "
                        "/api/surveys/" +
                            entry.survey->id + ".json (got \"" + entry.url +
                            "\")"});
    }
  }
  return errors;
}

Answer Catalog::Publish(const std::string& kind, const std::string& id,
                        Json doc, std::optional<int> if_match,
                        const std::string& source, int from_version,
                        bool keep_version) {
  // Another collector may have published since this one last looked.
  Refresh(std::chrono::milliseconds(0));
  const auto now = Now();
  const int latest = Latest(*now, kind, id);
  const std::string what = kind == kSiteKind     ? "the site manifest"
                           : kind == kThemesKind ? "the theme list"
                                                 : "survey \"" + id + "\"";
  if (latest > 0 && !if_match) {
    return Fail(428, HttpCode::kPreconditionRequired, "",
                what + " is at version " + std::to_string(latest) +
                    ": send If-Match: \"<the version you edited>\"");
  }
  if (if_match && *if_match != latest) {
    Answer a = Fail(412, HttpCode::kVersionConflict, "",
                    what + " is at version " + std::to_string(latest) +
                        ", not " + std::to_string(*if_match) +
                        ": someone published in between; reload it, then "
                        "apply your change again");
    a.body["latest"] = latest;
    return a;
  }
  int version = latest + 1;
  if (keep_version && latest == 0) {
    if (auto given = VersionIn(doc)) version = *given;
  }
  if (kind == kSurveyKind) doc["version"] = version;
  Errors errors = Check(kind, doc, *now);
  if (!errors.empty()) return Invalid(StatusFor(errors), errors);
  Store::Document d{kind,    id,     version,     doc.dump(),
                    NowMs(), source, from_version};
  switch (store_->Publish(d, latest)) {
    case Store::Published::kPublished:
      Load();
      return {201, {{"id", id}, {"version", version}}};
    case Store::Published::kConflict: {
      Load();
      Answer a = Fail(412, HttpCode::kVersionConflict, "",
                      what +
                          " was published by someone else just now; "
                          "reload it, then apply your change again");
      a.body["latest"] = Latest(*Now(), kind, id);
      return a;
    }
    case Store::Published::kFailed:
      break;
  }
  return Fail(503, HttpCode::kStorage, "", "could not store; retry");
}

Answer Catalog::PublishSurvey(const std::string& id, std::string_view text,
                              std::optional<int> if_match) {
  auto doc = ParseJson(text, kMaxSurveyBytes);
  if (!doc.ok()) return Invalid(StatusFor(doc.errors()), doc.errors());
  if (!doc->is_object()) {
    return Fail(422, ErrorCode::kWrongType, "", "a survey is a JSON object");
  }
  const Json* given = doc->find("id");
  if (given && given->is_string() && given->as_string() != id) {
    return Fail(
        422, ErrorCode::kMismatch, "id",
        "is \"" + given->as_string() + "\" but the URL names \"" + id + "\"");
  }
  return Publish(kSurveyKind, id, std::move(doc).value(), if_match, "publish",
                 if_match.value_or(0));
}

Answer Catalog::PublishSite(std::string_view text,
                            std::optional<int> if_match) {
  auto doc = ParseJson(text, kMaxSiteBytes);
  if (!doc.ok()) return Invalid(StatusFor(doc.errors()), doc.errors());
  return Publish(kSiteKind, kSiteKind, std::move(doc).value(), if_match,
                 "publish", if_match.value_or(0));
}

Answer Catalog::PublishThemes(std::string_view text,
                              std::optional<int> if_match) {
  auto doc = ParseJson(text, kMaxSiteBytes);
  if (!doc.ok()) return Invalid(StatusFor(doc.errors()), doc.errors());
  return Publish(kThemesKind, kSiteKind, std::move(doc).value(), if_match,
                 "publish", if_match.value_or(0));
}

Answer Catalog::RollbackSurvey(const std::string& id, const Json& body) {
  Refresh(std::chrono::milliseconds(0));  // versions another collector made
  const auto now = Now();
  auto it = now->surveys.find(id);
  if (it == now->surveys.end()) {
    return Fail(404, HttpCode::kUnknownSurvey, "",
                "no survey \"" + id + "\" here");
  }
  const auto version = VersionIn(body);
  if (!version) {
    return Fail(422, ErrorCode::kWrongType, "version",
                "must be the number of the version to restore");
  }
  for (const VersionInfo& info : it->second.infos) {
    if (info.version != *version) continue;
    auto doc = ParseJson(info.content);
    if (!doc.ok()) break;
    // Over whatever is latest now: a rollback restores content, it does not
    // undo someone's publish in between.
    return Publish(kSurveyKind, id, std::move(doc).value(),
                   it->second.infos.back().version, "rollback", *version);
  }
  return Fail(
      404, HttpCode::kUnknownVersion, "version",
      "survey \"" + id + "\" has no version " + std::to_string(*version));
}

Answer Catalog::RollbackSite(const Json& body) {
  return RollbackDocument(kSiteKind, body);
}

Answer Catalog::RollbackThemes(const Json& body) {
  return RollbackDocument(kThemesKind, body);
}

// The site-wide documents (manifest, themes): a new version holding an old
// one's content.
Answer Catalog::RollbackDocument(const std::string& kind, const Json& body) {
  Refresh(std::chrono::milliseconds(0));
  const auto now = Now();
  const auto version = VersionIn(body);
  if (!version) {
    return Fail(422, ErrorCode::kWrongType, "version",
                "must be the number of the version to restore");
  }
  const std::vector<VersionInfo>& infos =
      kind == kSiteKind ? now->site : now->themes_versions;
  for (const VersionInfo& info : infos) {
    if (info.version != *version) continue;
    auto doc = ParseJson(info.content);
    if (!doc.ok()) break;
    return Publish(kind, kSiteKind, std::move(doc).value(),
                   infos.back().version, "rollback", *version);
  }
  return Fail(
      404, HttpCode::kUnknownVersion, "version",
      std::string(kind == kSiteKind ? "the site manifest" : "the theme list") +
          " has no version " + std::to_string(*version));
}

Status Catalog::Import(const fs::path& folder) {
  if (!Load()) {
    return Status(ErrorCode::kInternal, "",
                  "cannot read the published surveys from the database");
  }
  struct File {
    fs::path path;
    Json doc;
  };
  std::map<std::string, File> surveys;
  std::optional<File> site, themes;
  std::error_code ec;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(folder, ec))
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  if (ec) {
    return Status(ErrorCode::kInvalidValue, "",
                  "cannot read " + folder.string() + ": " + ec.message());
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = ParseJson(text.str(), kMaxSiteBytes);
    if (!doc.ok()) {
      return Status(ErrorCode::kInvalidJson, "",
                    path.string() + ": " + doc.status().ToString());
    }
    // The site-wide documents, one file each; anything else is a survey.
    const Json* schema = doc->find("schema");
    const std::string kind =
        schema && schema->is_string() ? schema->as_string() : "";
    if (kind == kSiteSchema || kind == kThemesSchema) {
      std::optional<File>& slot = kind == kSiteSchema ? site : themes;
      if (slot) {
        return Status(ErrorCode::kDuplicateId, "",
                      std::string(kind == kSiteSchema ? "two site manifests: "
                                                      : "two theme lists: ") +
                          slot->path.string() + " and " + path.string());
      }
      slot = File{path, std::move(doc).value()};
      continue;
    }
    auto survey = ParseSurveyDocument(doc.value());
    if (!survey.ok()) {
      return Status(ErrorCode::kInvalidValue, "",
                    path.string() + " is not a valid survey:\n" +
                        survey.status().ToString());
    }
    auto [it, fresh] = surveys.try_emplace(survey->id);
    if (!fresh) {
      return Status(ErrorCode::kDuplicateId, "",
                    "two files hold survey \"" + survey->id + "\": " +
                        it->second.path.string() + " and " + path.string());
    }
    it->second = File{path, std::move(doc).value()};
  }
  auto import = [&](const std::string& kind, const std::string& id,
                    const File& file) -> Status {
    const int file_version = VersionIn(file.doc).value_or(0);
    // Two collectors starting at once import the same files: the second
    // finds the first one's version and has nothing to do.
    for (int attempt = 0; attempt < 3; ++attempt) {
      const auto now = Now();
      const int latest = Latest(*now, kind, id);
      if (latest > 0) {
        const std::vector<VersionInfo>& infos = kind == kSiteKind ? now->site
                                                : kind == kThemesKind
                                                    ? now->themes_versions
                                                    : now->surveys.at(id).infos;
        // Nothing to do when the file holds the latest content, content that
        // was imported before, or a lower `version` than an imported file
        // had: a publish from the editor since then is newer than the file,
        // and during a rolling deploy the checkout with the older files must
        // not re-import them over the newer ones at each restart.
        const Json file_content = Unversioned(file.doc);
        auto same = [&](const VersionInfo& info) {
          auto held = ParseJson(info.content);
          return held.ok() && Unversioned(held.value()) == file_content;
        };
        if (same(infos.back())) return Status();
        for (const VersionInfo& info : infos) {
          if (info.source != "import") continue;
          if (same(info) || file_version < info.from_version) {
            // Said, so that an operator reverting a file sees why it did not
            // apply (a rollback through the API does).
            std::cerr << "sondar-collector: " << file.path.string()
                      << " not imported: "
                      << (same(info)
                              ? "its content was imported before, as"
                              : "an imported file had a higher version, at")
                      << " version " << info.version << "; the latest is "
                      << infos.back().version << "\n";
            return Status();
          }
        }
      }
      // An import records the file's own version as where it came from.
      Answer a = Publish(kind, id, file.doc,
                         latest > 0 ? std::optional<int>(latest) : std::nullopt,
                         "import", file_version, /*keep_version=*/true);
      if (a.status == 201) return Status();
      if (a.status != 412 && a.status != 428) {
        return Status(ErrorCode::kInvalidValue, "",
                      file.path.string() + ": " + a.body.dump());
      }
    }
    return Status(ErrorCode::kInternal, "",
                  file.path.string() + ": kept meeting other publishes");
  };
  for (const auto& [id, file] : surveys)
    SONDAR_RETURN_IF_ERROR(import(kSurveyKind, id, file));
  if (site) SONDAR_RETURN_IF_ERROR(import(kSiteKind, kSiteKind, *site));
  if (themes) SONDAR_RETURN_IF_ERROR(import(kThemesKind, kSiteKind, *themes));
  return Status();
}

}  // namespace sondar::collector
