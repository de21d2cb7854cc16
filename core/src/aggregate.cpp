#include "sondar/aggregate.h"

#include <cmath>

#include "json_reader.h"
#include "sondar/util.h"

namespace sondar {

using internal::PathIndex;
using internal::PathKey;

std::size_t Aggregate::QuestionShape::slots() const {
  switch (type) {
    case QuestionType::kSingleChoice:
    case QuestionType::kMultiChoice:
      return options.size();
    case QuestionType::kText:
      return 1;
    case QuestionType::kContact:
      return 2;  // declined, consented
    default:
      return static_cast<std::size_t>(points);
  }
}

Aggregate::Aggregate(const Survey& survey)
    : survey_id_(survey.id), survey_version_(survey.version) {
  for (const Question& q : survey.questions) {
    QuestionShape shape;
    shape.id = q.id;
    shape.type = q.type;
    if (q.scale) {
      shape.min = q.scale->min;
      shape.threshold = q.scale->threshold;
      shape.points = q.scale->points();
    }
    for (const Option& o : q.options) shape.options.push_back(o.id);
    shapes_.push_back(std::move(shape));
  }
  total_ = NewGroup();
}

Aggregate::Group Aggregate::NewGroup() const {
  Group g;
  for (const QuestionShape& shape : shapes_)
    g.counts.emplace_back(shape.slots(), 0);
  g.answered.assign(shapes_.size(), 0);
  return g;
}

void Aggregate::AddTo(Group& g, const ResponseRecord& record,
                      std::uint64_t times) const {
  switch (record.status) {
    case ResponseStatus::kComplete:
      g.complete += times;
      break;
    case ResponseStatus::kPartial:
      g.partial += times;
      break;
    case ResponseStatus::kDismissed:
      g.dismissed += times;
      break;
  }
  int last = -1;
  for (const auto& [question, value] : record.values) {
    if (question >= shapes_.size())
      continue;  // records come from ValidateResponse; be safe
    const QuestionShape& shape = shapes_[question];
    std::size_t slot =
        shape.type == QuestionType::kText ? 0
        : shape.options.empty() && shape.type != QuestionType::kContact
            ? static_cast<std::size_t>(value - shape.min)
            : static_cast<std::size_t>(value);
    if (slot >= g.counts[question].size()) continue;
    g.counts[question][slot] += times;
    // A multi_choice answer adds several values for one question but one
    // respondent.
    if (question != last) g.answered[question] += times;
    last = question;
  }
}

Aggregate::Group& Aggregate::GroupFor(Groups& groups, const std::string& key) {
  auto it = groups.find(key);
  if (it != groups.end()) return it->second;
  const std::string& k =
      groups.size() < kMaxGroupKeys ? key : std::string(kOtherKey);
  return groups.try_emplace(k, NewGroup()).first->second;
}

void Aggregate::Add(const ResponseRecord& record, std::uint64_t times) {
  AddTo(total_, record, times);
  AddTo(
      GroupFor(by_trigger_, record.trigger.empty() ? "(none)" : record.trigger),
      record, times);
  if (!record.segment.empty())
    AddTo(GroupFor(by_segment_, record.segment), record, times);
  AddTo(GroupFor(by_day_, FormatDay(record.submitted_at_ms)), record, times);
}

bool Aggregate::AtKeyLimit() const {
  return by_trigger_.size() >= kMaxGroupKeys ||
         by_segment_.size() >= kMaxGroupKeys || by_day_.size() >= kMaxGroupKeys;
}

void Aggregate::MergeGroup(Group& into, const Group& from) {
  into.complete += from.complete;
  into.partial += from.partial;
  into.dismissed += from.dismissed;
  for (std::size_t q = 0; q < into.counts.size(); ++q) {
    for (std::size_t i = 0; i < into.counts[q].size(); ++i)
      into.counts[q][i] += from.counts[q][i];
    into.answered[q] += from.answered[q];
  }
}

Status Aggregate::Merge(const Aggregate& other) {
  if (other.survey_id_ != survey_id_ ||
      other.survey_version_ != survey_version_) {
    return Status(
        ErrorCode::kIncompatible, "surveyId",
        SONDAR_MESSAGE("cannot merge \"" + other.survey_id_ + "\" v" +
                       internal::Str(other.survey_version_) + " into \"" +
                       survey_id_ + "\" v" + internal::Str(survey_version_)));
  }
  MergeGroup(total_, other.total_);
  for (auto [mine, theirs] : {std::pair{&by_trigger_, &other.by_trigger_},
                              std::pair{&by_segment_, &other.by_segment_},
                              std::pair{&by_day_, &other.by_day_}}) {
    for (const auto& [key, group] : *theirs)
      MergeGroup(GroupFor(*mine, key), group);
  }
  return Status();
}

Json Aggregate::GroupToJson(const Group& g) const {
  Json questions = Json::object();
  for (std::size_t q = 0; q < shapes_.size(); ++q) {
    questions[shapes_[q].id] = {{"answered", g.answered[q]},
                                {"counts", g.counts[q]}};
  }
  return {{"complete", g.complete},
          {"partial", g.partial},
          {"dismissed", g.dismissed},
          {"questions", std::move(questions)}};
}

Json Aggregate::ToJson() const {
  auto groups = [this](const Groups& groups) {
    Json out = Json::object();
    for (const auto& [key, g] : groups) out[key] = GroupToJson(g);
    return out;
  };
  return {{"schema", std::string(kAggregateSchema)},
          {"surveyId", survey_id_},
          {"surveyVersion", survey_version_},
          {"total", GroupToJson(total_)},
          {"byTrigger", groups(by_trigger_)},
          {"bySegment", groups(by_segment_)},
          {"byDay", groups(by_day_)}};
}

Status Aggregate::GroupFromJson(const Json& v, const std::string& path,
                                Group* g) const {
  Errors errors;
  internal::Reader r(&errors);
  if (!r.ExpectObject(v, path)) return Status(std::move(errors));
  auto count = [&](const Json& object, const std::string& at,
                   const char* key) -> std::uint64_t {
    auto n = r.Integer(object, at, key, true);
    if (n && *n < 0)
      r.Fail(ErrorCode::kOutOfRange, PathKey(at, key),
             SONDAR_MESSAGE("must not be negative"));
    return n && *n > 0 ? static_cast<std::uint64_t>(*n) : 0;
  };
  g->complete = count(v, path, "complete");
  g->partial = count(v, path, "partial");
  g->dismissed = count(v, path, "dismissed");
  const Json* questions = r.Object(v, path, "questions", true);
  if (questions) {
    const std::string qpath = PathKey(path, "questions");
    for (std::size_t q = 0; q < shapes_.size(); ++q) {
      const Json* entry = r.Object(*questions, qpath, shapes_[q].id, true);
      if (!entry) continue;
      const std::string epath = PathKey(qpath, shapes_[q].id);
      g->answered[q] = count(*entry, epath, "answered");
      const Json* counts = r.Array(*entry, epath, "counts", true);
      if (!counts) continue;
      if (counts->size() != g->counts[q].size()) {
        r.Fail(ErrorCode::kIncompatible, PathKey(epath, "counts"),
               SONDAR_MESSAGE("has " + internal::Str(counts->size()) +
                              " entries; this survey's question has " +
                              internal::Str(g->counts[q].size())));
        continue;
      }
      for (std::size_t i = 0; i < counts->size(); ++i) {
        auto n = internal::AsInteger((*counts)[i]);
        if (!n || *n < 0) {
          r.Fail(ErrorCode::kWrongType, PathIndex(PathKey(epath, "counts"), i),
                 SONDAR_MESSAGE("must be a whole number of at least 0"));
          continue;
        }
        g->counts[q][i] = static_cast<std::uint64_t>(*n);
      }
    }
  }
  return Status(std::move(errors));
}

Result<Aggregate> Aggregate::FromJson(const Survey& survey, const Json& doc) {
  Aggregate out(survey);
  Errors errors;
  internal::Reader r(&errors);
  if (!r.ExpectObject(doc, "")) return errors;
  r.CheckKeys(doc, "",
              "schema surveyId surveyVersion total byTrigger bySegment byDay");
  if (auto s = r.String(doc, "", "schema", true); s && *s != kAggregateSchema) {
    r.Fail(ErrorCode::kSchemaMismatch, "schema",
           SONDAR_MESSAGE("must be \"" + std::string(kAggregateSchema) + "\""));
  }
  auto id = r.String(doc, "", "surveyId", true);
  auto version = r.Integer(doc, "", "surveyVersion", true);
  if ((id && *id != survey.id) || (version && *version != survey.version)) {
    r.Fail(ErrorCode::kIncompatible, "surveyId",
           SONDAR_MESSAGE("belongs to another survey or version"));
  }
  auto merge = [&](const Status& s) {
    errors.insert(errors.end(), s.errors().begin(), s.errors().end());
  };
  if (const Json* total = r.Field(doc, "", "total", true)) {
    merge(out.GroupFromJson(*total, "total", &out.total_));
  }
  for (auto [key, groups] : {std::pair{"byTrigger", &out.by_trigger_},
                             std::pair{"bySegment", &out.by_segment_},
                             std::pair{"byDay", &out.by_day_}}) {
    const Json* object = r.Object(doc, "", key, true);
    if (!object) continue;
    if (object->size() > kMaxGroupKeys + 1) {
      r.Fail(ErrorCode::kTooLarge, key,
             SONDAR_MESSAGE("holds more than " + internal::Str(kMaxGroupKeys) +
                            " groups"));
      continue;
    }
    for (const auto& [name, value] : object->as_object()) {
      Group g = out.NewGroup();
      merge(out.GroupFromJson(value, PathKey(key, name), &g));
      groups->emplace(name, std::move(g));
    }
  }
  if (!errors.empty()) return errors;
  return out;
}

namespace {

Json Round(double v) { return std::round(v * 100) / 100; }

void PutInterval(Json& out, const std::optional<Interval>& ci) {
  out["ci_low"] = ci ? Round(ci->low) : Json(nullptr);
  out["ci_high"] = ci ? Round(ci->high) : Json(nullptr);
}

Json Distribution(int min, const std::vector<std::uint64_t>& counts) {
  Json out = Json::array();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out.push_back({{"value", min + static_cast<int>(i)}, {"count", counts[i]}});
  }
  return out;
}

}  // namespace

Json Aggregate::GroupSummary(const Group& g, double confidence) const {
  Json out = {{"responses",
               {{"total", g.complete + g.partial + g.dismissed},
                {"complete", g.complete},
                {"partial", g.partial},
                {"dismissed", g.dismissed}}},
              {"nps", nullptr},
              {"csat", nullptr},
              {"ces", nullptr}};
  Json questions = Json::object();
  for (std::size_t q = 0; q < shapes_.size(); ++q) {
    const QuestionShape& shape = shapes_[q];
    const std::vector<std::uint64_t>& c = g.counts[q];
    Json s = {{"question", shape.id},
              {"type", std::string(TypeName(shape.type))}};
    switch (shape.type) {
      case QuestionType::kNps: {
        std::uint64_t det = 0, pas = 0, pro = 0;
        for (std::size_t i = 0; i < c.size(); ++i)
          (i >= 9 ? pro : i >= 7 ? pas : det) += c[i];
        NpsScore nps = ScoreNps(pro, pas, det, confidence);
        s["n"] = nps.n;
        s["score"] = nps.n ? Round(nps.score) : Json(nullptr);
        PutInterval(s, nps.ci);
        s["promoters"] = pro;
        s["passives"] = pas;
        s["detractors"] = det;
        s["distribution"] = Distribution(shape.min, c);
        break;
      }
      case QuestionType::kCsat:
      case QuestionType::kCes: {
        std::uint64_t n = 0, hits = 0;
        for (std::size_t i = 0; i < c.size(); ++i) {
          n += c[i];
          if (shape.min + static_cast<int>(i) >= shape.threshold) hits += c[i];
        }
        if (shape.type == QuestionType::kCsat) {
          ProportionScore p = ScoreProportion(hits, n, confidence);
          s["n"] = n;
          s["score"] = n ? Round(p.score) : Json(nullptr);
          PutInterval(s, p.ci);
          s["satisfied"] = hits;
          s["satisfiedMin"] = shape.threshold;
        } else {
          MeanScore m = ScoreMean(shape.min, c.data(),
                                  static_cast<int>(c.size()), confidence);
          s["n"] = n;
          s["score"] = n ? Round(m.mean) : Json(nullptr);
          PutInterval(s, m.ci);
          s["agree"] = hits;
          s["agreePercent"] = n ? Round(100.0 * static_cast<double>(hits) /
                                        static_cast<double>(n))
                                : Json(nullptr);
          s["agreeMin"] = shape.threshold;
        }
        s["distribution"] = Distribution(shape.min, c);
        break;
      }
      case QuestionType::kRating: {
        MeanScore m = ScoreMean(shape.min, c.data(), static_cast<int>(c.size()),
                                confidence);
        s["n"] = m.n;
        s["mean"] = m.n ? Round(m.mean) : Json(nullptr);
        PutInterval(s, m.ci);
        s["distribution"] = Distribution(shape.min, c);
        break;
      }
      case QuestionType::kSingleChoice:
      case QuestionType::kMultiChoice: {
        s["n"] = g.answered[q];
        Json counts = Json::object();
        for (std::size_t i = 0; i < c.size(); ++i)
          counts[shape.options[i]] = c[i];
        s["counts"] = std::move(counts);
        break;
      }
      case QuestionType::kText:
        s["n"] = g.answered[q];
        break;
      case QuestionType::kContact:
        s["n"] = g.answered[q];
        s["counts"] = {{"yes", c[1]}, {"no", c[0]}};
        break;
    }
    // The headline nps / csat / ces is the first question of that type.
    const char* headline = shape.type == QuestionType::kNps    ? "nps"
                           : shape.type == QuestionType::kCsat ? "csat"
                           : shape.type == QuestionType::kCes  ? "ces"
                                                               : nullptr;
    if (headline && out[headline].is_null()) out[headline] = s;
    questions[shape.id] = std::move(s);
  }
  out["questions"] = std::move(questions);
  return out;
}

Json Aggregate::VersusRest(const Group& g, double confidence) const {
  Json out = Json::object();
  auto put = [&](const char* key, const std::optional<Difference>& d) {
    if (!d || out.contains(key)) return;
    out[key] = {{"difference", Round(d->difference)},
                {"ci_low", Round(d->ci.low)},
                {"ci_high", Round(d->ci.high)},
                {"significant", d->significant}};
  };
  for (std::size_t q = 0; q < shapes_.size(); ++q) {
    const QuestionShape& shape = shapes_[q];
    std::vector<std::uint64_t> rest = total_.counts[q];
    for (std::size_t i = 0; i < rest.size(); ++i) rest[i] -= g.counts[q][i];
    const std::vector<std::uint64_t>& mine = g.counts[q];
    switch (shape.type) {
      case QuestionType::kNps: {
        auto score = [&](const std::vector<std::uint64_t>& c) {
          std::uint64_t det = 0, pas = 0, pro = 0;
          for (std::size_t i = 0; i < c.size(); ++i)
            (i >= 9 ? pro : i >= 7 ? pas : det) += c[i];
          return ScoreNps(pro, pas, det, confidence);
        };
        put("nps", CompareNps(score(mine), score(rest), confidence));
        break;
      }
      case QuestionType::kCsat: {
        auto score = [&](const std::vector<std::uint64_t>& c) {
          std::uint64_t n = 0, hits = 0;
          for (std::size_t i = 0; i < c.size(); ++i) {
            n += c[i];
            if (shape.min + static_cast<int>(i) >= shape.threshold)
              hits += c[i];
          }
          return ScoreProportion(hits, n, confidence);
        };
        put("csat", CompareProportions(score(mine), score(rest), confidence));
        break;
      }
      case QuestionType::kCes: {
        auto score = [&](const std::vector<std::uint64_t>& c) {
          return ScoreMean(shape.min, c.data(), static_cast<int>(c.size()),
                           confidence);
        };
        put("ces", CompareMeans(score(mine), score(rest), confidence));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

Json Aggregate::Summary(double confidence) const {
  Json out = GroupSummary(total_, confidence);
  out["surveyId"] = survey_id_;
  out["surveyVersion"] = survey_version_;
  out["confidence"] = confidence;
  for (auto [key, groups] :
       {std::pair{"byTrigger", &by_trigger_},
        std::pair{"bySegment", &by_segment_}, std::pair{"byDay", &by_day_}}) {
    Json section = Json::object();
    for (const auto& [name, g] : *groups) {
      section[name] = GroupSummary(g, confidence);
      // Touchpoints and segments are compared with the rest; days make the
      // trend instead.
      if (groups != &by_day_)
        section[name]["vsRest"] = VersusRest(g, confidence);
    }
    out[key] = std::move(section);
  }
  return out;
}

}  // namespace sondar
