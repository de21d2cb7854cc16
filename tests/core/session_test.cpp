#include <gtest/gtest.h>

#include <set>

#include "fixtures.h"

namespace sondar {
namespace {

constexpr const char* kResponseId = "3b241101-e2bb-4255-8caf-4136c566a962";
constexpr std::int64_t kStart = 1767225600000;  // 2026-01-01T00:00:00Z

SessionStart Start(std::string locale = "en", bool with_hidden = true) {
  SessionStart s;
  s.response_id = kResponseId;
  s.visitor_id = "visitor-1";
  s.locale = std::move(locale);
  s.trigger = "checkout_complete";
  s.page_url = "https://shop.example/order/123?email=a@b.c";
  if (with_hidden) s.hidden = {{"order_id", "A-1001"}, {"segment", "vip"}};
  s.started_at_ms = kStart;
  return s;
}

Session NewSession(const char* survey, SessionStart start = Start()) {
  auto s = Session::Start(testing::LoadSurvey(survey), std::move(start));
  if (!s.ok()) {
    ADD_FAILURE() << s.status().ToString();
    std::abort();
  }
  return std::move(s).value();
}

std::string CurrentId(const Session& s) {
  const Json view = s.View();
  return view.contains("question") ? view["question"]["id"].as_string()
                                   : "(none)";
}

TEST(Session, PromoterJumpsStraightToTheReviewEnding) {
  Session s = NewSession("order_nps");
  EXPECT_EQ(CurrentId(s), "nps");
  ASSERT_TRUE(s.Answer("nps", 10).ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.state(), SessionState::kComplete);
  Json view = s.View();
  EXPECT_EQ(view["state"], "ending");
  EXPECT_EQ(view["ending"]["id"], "thanks-promoter");
  EXPECT_EQ(view["ending"]["link"]["url"], "https://reviews.example/shop");
}

TEST(Session, DetractorGetsFollowUpsAndTheSupportEnding) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 3).ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(CurrentId(s), "why");
  ASSERT_TRUE(s.Answer("why", "Late delivery").ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(CurrentId(s), "area");
  ASSERT_TRUE(s.Answer("area", Json::array({"delivery"})).ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.View()["ending"]["id"], "thanks-detractor");
}

TEST(Session, PassiveSkipsTheDetractorQuestion) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 8).ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(CurrentId(s), "area");  // "why" is only for 0-6
  ASSERT_TRUE(s.Next().ok());       // area is optional
  EXPECT_EQ(s.View()["ending"]["id"], "thanks");
}

TEST(Session, RequiredQuestionBlocksNext) {
  Session s = NewSession("order_nps");
  Status st = s.Next();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.ToString(), "answers.nps: needs an answer");
  EXPECT_EQ(CurrentId(s), "nps");
}

TEST(Session, RejectsInvalidAnswersWithPaths) {
  Session s = NewSession("order_nps");
  EXPECT_EQ(s.Answer("nps", 42).ToString(),
            "answers.nps: must be from 0 to 10 (got 42)");
  EXPECT_EQ(s.Answer("nps", 7.5).ToString(),
            "answers.nps: must be a whole number from 0 to 10 (got 7.5)");
  EXPECT_EQ(s.Answer("nps", "9").errors()[0].code, ErrorCode::kWrongType);
  EXPECT_EQ(s.Answer("why", "x").errors()[0].code, ErrorCode::kNotCurrent);
  ASSERT_TRUE(s.Answer("nps", 2).ok());
  ASSERT_TRUE(s.Next().ok());
  ASSERT_TRUE(s.Next().ok());  // "why" is optional
  EXPECT_EQ(s.Answer("area", Json::array({"delivery", "price", "quality"}))
                .errors()[0]
                .code,
            ErrorCode::kOutOfRange);  // maxSelect 2
  EXPECT_EQ(s.Answer("area", Json::array({"teleport"})).errors()[0].path,
            "answers.area[0]");
  EXPECT_EQ(s.Answer("area", Json::array({"price", "price"})).errors()[0].code,
            ErrorCode::kDuplicateId);
}

TEST(Session, TextLengthCountsCharactersNotBytes) {
  Session s = NewSession("all_types", Start("en", false));
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(CurrentId(s), "q_text");  // maxLength 20
  EXPECT_TRUE(s.Answer("q_text", "éééééééééééééééééééé")
                  .ok());  // 20 characters, 40 bytes
  EXPECT_EQ(s.Answer("q_text", "ééééééééééééééééééééé").errors()[0].code,
            ErrorCode::kTooLong);
}

TEST(Session, BackKeepsAnswersButPayloadDropsRoutedAroundOnes) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 3).ok());
  ASSERT_TRUE(s.Next().ok());
  ASSERT_TRUE(s.Answer("why", "Too slow").ok());
  ASSERT_TRUE(s.Back().ok());
  EXPECT_EQ(CurrentId(s), "nps");
  EXPECT_EQ(s.View()["answer"], 3);
  ASSERT_TRUE(s.Answer("nps", 8)
                  .ok());  // now a passive: "why" is no longer on the path
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(CurrentId(s), "area");
  Json payload = s.Payload(kStart + 5000);
  EXPECT_EQ(payload["answers"], (Json{{"nps", 8}}));
}

TEST(Session, BackOnFirstQuestionFails) {
  Session s = NewSession("order_nps");
  EXPECT_FALSE(s.Back().ok());
}

TEST(Session, ClearingAnAnswerUnanswersIt) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 5).ok());
  ASSERT_TRUE(s.Answer("nps", nullptr).ok());
  EXPECT_EQ(s.Next().errors()[0].code, ErrorCode::kRequired);
}

TEST(Session, PayloadFollowsResponseSchemaV1) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 9).ok());
  Json partial = s.Payload(kStart + 3000);
  EXPECT_EQ(partial["status"], "partial");
  ASSERT_TRUE(s.Next().ok());
  Json payload = s.Payload(kStart + 4500);
  EXPECT_EQ(payload, testing::Parse(R"({
    "schema": "sondar.response/1",
    "responseId": "3b241101-e2bb-4255-8caf-4136c566a962",
    "surveyId": "order-nps", "surveyVersion": 3, "visitorId": "visitor-1",
    "status": "complete",
    "answers": {"nps": 9},
    "scores": {"nps": {"value": 9, "category": "promoter"}},
    "locale": "en", "trigger": "checkout_complete",
    "hidden": {"order_id": "A-1001", "segment": "vip"},
    "page": "https://shop.example/order/123",
    "startedAt": "2026-01-01T00:00:00.000Z", "submittedAt": "2026-01-01T00:00:04.500Z"})"));
}

TEST(Session, DismissKeepsAnswersAndEndsTheSession) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 4).ok());
  ASSERT_TRUE(s.Dismiss().ok());
  EXPECT_EQ(s.state(), SessionState::kDismissed);
  EXPECT_EQ(s.Payload(kStart)["status"], "dismissed");
  EXPECT_EQ(s.Payload(kStart)["answers"], (Json{{"nps", 4}}));
  EXPECT_EQ(s.Answer("nps", 5).errors()[0].code, ErrorCode::kFinished);
  EXPECT_EQ(s.Next().errors()[0].code, ErrorCode::kFinished);
  EXPECT_EQ(s.Dismiss().errors()[0].code, ErrorCode::kFinished);
}

TEST(Session, ViewResolvesTextsForAFullyTranslatedLocale) {
  Session s = NewSession("order_nps", Start("fr-CA"));
  Json view = s.View();
  EXPECT_EQ(view["locale"], "fr-CA");
  EXPECT_EQ(view["dir"], "ltr");
  EXPECT_EQ(view["question"]["prompt"],
            "Quelle est la probabilité que vous nous recommandiez à un ami ?");
  EXPECT_EQ(view["question"]["scale"]["lowLabel"], "Peu probable");
  // No answer yet, so neither follow-up's showIf can hold: the estimate is one
  // question.
  EXPECT_EQ(view["progress"], (Json{{"index", 1}, {"total", 1}}));
  EXPECT_EQ(view["isLast"], true);
}

TEST(Session, UntranslatedLocaleFallsBackToTheDefaultForEveryText) {
  Session s = NewSession("order_nps", Start("ar-EG"));
  Json view = s.View();
  EXPECT_EQ(view["locale"], "en");
  EXPECT_EQ(view["question"]["prompt"],
            "How likely are you to recommend us to a friend?");
}

TEST(Session, ProgressEstimateFollowsTheAnswers) {
  Session s = NewSession("order_nps");
  ASSERT_TRUE(s.Answer("nps", 2).ok());
  EXPECT_EQ(s.View()["progress"], (Json{{"index", 1}, {"total", 3}}));
  ASSERT_TRUE(s.Answer("nps", 10).ok());
  EXPECT_EQ(s.View()["progress"], (Json{{"index", 1}, {"total", 1}}));
  EXPECT_EQ(s.View()["isLast"], true);
}

TEST(Session, StartRejectsBadInputsWithPaths) {
  SessionStart start = Start();
  start.response_id = "not-a-uuid";
  start.visitor_id = "";
  start.locale = "klingon language";
  start.hidden = {{"coupon", "X"}, {"order_id", Json::array()}};
  auto s = Session::Start(testing::LoadSurvey("order_nps"), start);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(testing::Codes(s.errors()),
            (std::vector<std::string>{
                "invalid_value@locale", "invalid_value@responseId",
                "invalid_value@visitorId", "unknown_field@hidden.coupon",
                "wrong_type@hidden.order_id"}));
}

TEST(Session, ParsesTheStartDocumentTheWidgetSends) {
  auto start = ParseSessionStart(
      testing::Parse(R"({"responseId":"3b241101-e2bb-4255-8caf-4136c566a962",
      "visitorId":"v","locale":"fr","page":"https://x.example/a?b","startedAt":1767225600000})"));
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(start->locale, "fr");
  auto bad = ParseSessionStart(
      testing::Parse(R"({"responseId":1,"startedAt":"now"})"));
  EXPECT_EQ(testing::Codes(bad.errors()),
            (std::vector<std::string>{"missing_field@visitorId",
                                      "wrong_type@responseId",
                                      "wrong_type@startedAt"}));
}

TEST(Session, EveryQuestionTypeAcceptsAValidAnswer) {
  Session s = NewSession("all_types", Start("en", false));
  const Json answers[] = {
      10, 5, 7, 0, 1, "friend", Json::array({"shoes", "bags"}), "Great"};
  for (const Json& a : answers) {
    const std::string id = CurrentId(s);
    ASSERT_TRUE(s.Answer(id, a).ok())
        << id << ": " << s.Answer(id, a).ToString();
    ASSERT_TRUE(s.Next().ok()) << id;
  }
  EXPECT_EQ(s.state(), SessionState::kComplete);
  EXPECT_EQ(s.View()["ending"],
            nullptr);  // no endings defined: the built-in thank-you
  EXPECT_EQ(s.Payload(kStart)["answers"].size(), 8u);
}

}  // namespace
}  // namespace sondar

namespace sondar {
namespace {

SessionStart HelpStart(Json hidden, Json attributes) {
  SessionStart s = Start("en", false);
  s.hidden = std::move(hidden);
  s.attributes = std::move(attributes);
  return s;
}

TEST(SessionRecall, FillsHiddenFieldsAttributesAndEarlierAnswers) {
  Session s = NewSession(
      "help_ces", HelpStart({{"topic", "returns"}}, {{"first_name", "Ada"}}));
  EXPECT_EQ(s.View()["title"], "Help for returns");
  EXPECT_EQ(s.View()["question"]["prompt"],
            "How easy was it to find help on returns?");
  ASSERT_TRUE(s.Answer("effort", 6).ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.View()["question"]["prompt"],
            "You answered 6. What was missing, Ada?");
  // A value goes in as text: fields inside it are not expanded.
  ASSERT_TRUE(s.Answer("missing", "<b>{{hidden.topic}}</b>").ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.View()["ending"]["title"], "Thanks, Ada");
  EXPECT_EQ(s.View()["ending"]["body"],
            "You answered 6: <b>{{hidden.topic}}</b>");
}

TEST(SessionRecall, MissingValuesTakeTheFallback) {
  Session s = NewSession("help_ces", HelpStart(Json::object(), Json::object()));
  EXPECT_EQ(s.View()["title"], "Help for your question");
  EXPECT_EQ(s.View()["question"]["prompt"],
            "How easy was it to find help on this page?");
  ASSERT_TRUE(s.Answer("effort", 2).ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.View()["question"]["prompt"],
            "You answered 2. What was missing, friend?");
  ASSERT_TRUE(s.Next().ok());  // the text question is optional
  EXPECT_EQ(s.View()["ending"]["body"], "You answered 2: nothing more");
}

TEST(SessionRecall, ChoicesReadAsTheirLabelsInTheVisitorsLocale) {
  auto survey = ParseSurvey(R"({"schema": "sondar.survey/1", "id": "c",
    "locale": "en", "questions": [
      {"id": "colour", "type": "multi_choice", "prompt": {"en": "Colours?",
        "fr": "Couleurs ?"}, "options": [
        {"id": "r", "label": {"en": "Red", "fr": "Rouge"}},
        {"id": "b", "label": {"en": "Blue", "fr": "Bleu"}}]},
      {"id": "why", "type": "text",
       "prompt": {"en": "Why {{answers.colour}}?",
                  "fr": "Pourquoi {{answers.colour}} ?"}}]})");
  ASSERT_TRUE(survey.ok()) << survey.status().ToString();
  auto s = Session::Start(SurveyPtr::Make(std::move(survey).value()),
                          Start("fr", false));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Session& session = s.value();
  ASSERT_TRUE(session.Answer("colour", Json::array({"b", "r"})).ok());
  ASSERT_TRUE(session.Next().ok());
  EXPECT_EQ(session.View()["question"]["prompt"], "Pourquoi Bleu, Rouge ?");
}

TEST(SessionRecall, StartReadsAttributes) {
  auto start = ParseSessionStart(testing::Parse(
      R"({"responseId": "3b241101-e2bb-4255-8caf-4136c566a962",
          "visitorId": "v", "startedAt": 1, "attributes": {"first_name": "Ada"}})"));
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(start.value().attributes["first_name"], "Ada");
  // Attributes are for texts only: the payload never carries them.
  Session s = NewSession("help_ces", start.value());
  EXPECT_FALSE(s.Payload(2).contains("attributes"));
}

}  // namespace
}  // namespace sondar

namespace sondar {
namespace {

SessionStart OptionsStart(const char* response_id = kResponseId) {
  SessionStart s = Start("en", false);
  s.response_id = response_id;
  return s;
}

std::vector<std::string> OptionIds(const Session& s) {
  std::vector<std::string> ids;
  const Json view = s.View();
  for (const Json& o : view["question"]["options"].as_array())
    ids.push_back(o["id"].as_string());
  return ids;
}

TEST(SessionOptions, ShuffleIsStickyPerResponseKeepsOtherLastAndIsRecorded) {
  const std::vector<std::string> first =
      OptionIds(NewSession("options_contact", OptionsStart()));
  EXPECT_EQ(OptionIds(NewSession("options_contact", OptionsStart())), first);
  EXPECT_EQ(first.back(), "other");
  // Over a few responses every position sees more than one option.
  std::set<std::string> leading;
  for (const char* id : {"00000000-0000-4000-8000-000000000001",
                         "00000000-0000-4000-8000-000000000002",
                         "00000000-0000-4000-8000-000000000003",
                         "00000000-0000-4000-8000-000000000004",
                         "00000000-0000-4000-8000-000000000005"}) {
    std::vector<std::string> ids =
        OptionIds(NewSession("options_contact", OptionsStart(id)));
    EXPECT_EQ(ids.back(), "other");
    leading.insert(ids.front());
  }
  EXPECT_GE(leading.size(), 2u);
  Session s = NewSession("options_contact", OptionsStart());
  const Json payload = s.Payload(kStart + 1000);
  EXPECT_EQ(payload["optionOrder"]["source"], Json(first));
  // The unshuffled question is not listed; nor is a question not yet shown.
  EXPECT_EQ(payload["optionOrder"].size(), 1u);
  auto survey = testing::LoadSurvey("options_contact");
  EXPECT_TRUE(ValidateResponse(*survey, payload).ok());
}

TEST(SessionOptions, OtherTextTravelsOnlyWhileOtherIsChosen) {
  Session s = NewSession("options_contact", OptionsStart());
  ASSERT_TRUE(s.Answer("source", "other").ok());
  ASSERT_TRUE(s.AnswerOther("source", "A podcast").ok());
  EXPECT_EQ(s.View()["question"]["other"], "A podcast");
  EXPECT_EQ(s.Payload(kStart)["other"], (Json{{"source", "A podcast"}}));
  ASSERT_TRUE(s.Answer("source", "friend").ok());
  EXPECT_FALSE(s.Payload(kStart).contains("other"));
  ASSERT_TRUE(s.Answer("source", "other").ok());
  ASSERT_TRUE(s.Next().ok());
  ASSERT_TRUE(s.Answer("missing", Json::array({"sizes", "more"})).ok());
  ASSERT_TRUE(s.AnswerOther("missing", "Wide fits").ok());
  const Json payload = s.Payload(kStart);
  EXPECT_EQ(payload["other"],
            (Json{{"missing", "Wide fits"}, {"source", "A podcast"}}));
  auto survey = testing::LoadSurvey("options_contact");
  EXPECT_TRUE(ValidateResponse(*survey, payload).ok());

  EXPECT_EQ(s.AnswerOther("source", "x").errors()[0].code,
            ErrorCode::kNotCurrent);
  EXPECT_EQ(s.AnswerOther("missing", std::string(1001, 'x')).errors()[0].code,
            ErrorCode::kTooLong);
  ASSERT_TRUE(s.Next().ok());
  Status no_other = s.AnswerOther("contact", "x");
  EXPECT_EQ(no_other.errors()[0].path, "other.contact");
}

TEST(SessionOptions, ContactAsksConsentThenAnEmail) {
  Session s = NewSession("options_contact", OptionsStart());
  ASSERT_TRUE(s.Answer("source", "press").ok());
  ASSERT_TRUE(s.Next().ok());
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.View()["question"]["type"], "contact");
  EXPECT_EQ(s.View()["question"]["email"], true);
  EXPECT_EQ(s.View()["question"]["placeholder"], "you@example.com");
  auto code = [&](const Json& value) {
    Status st = s.Answer("contact", value);
    return st.ok() ? std::string("ok")
                   : std::string(CodeName(st.errors()[0].code)) + "@" +
                         st.errors()[0].path;
  };
  EXPECT_EQ(code({{"consent", true}}), "required@answers.contact.email");
  EXPECT_EQ(code({{"consent", true}, {"email", "ada@"}}),
            "invalid_value@answers.contact.email");
  EXPECT_EQ(code({{"consent", true}, {"email", "ada lovelace@x.org"}}),
            "invalid_value@answers.contact.email");
  EXPECT_EQ(code({{"consent", false}, {"email", "ada@example.org"}}),
            "invalid_value@answers.contact.email");
  EXPECT_EQ(code({{"consent", "yes"}}), "wrong_type@answers.contact");
  EXPECT_EQ(code({{"consent", true}, {"email", "ada@example.org"}, {"x", 1}}),
            "wrong_type@answers.contact");
  EXPECT_EQ(code({{"consent", false}}), "ok");
  EXPECT_EQ(code({{"consent", true}, {"email", "ada@example.org"}}), "ok");
  ASSERT_TRUE(s.Next().ok());
  // Without "email": consent alone.
  EXPECT_EQ(s.Answer("follow", Json{{"consent", true}}).ok(), true);
  EXPECT_EQ(s.Answer("follow", Json{{"consent", true}, {"email", "a@b.co"}})
                .errors()[0]
                .path,
            "answers.follow.email");
}

TEST(SessionOptions, ReceiversCheckOtherAndOptionOrder) {
  auto survey = testing::LoadSurvey("options_contact");
  Session s = NewSession("options_contact", OptionsStart());
  ASSERT_TRUE(s.Answer("source", "friend").ok());
  Json p = s.Payload(kStart);
  auto codes = [&](const Json& payload) {
    auto r = ValidateResponse(*survey, payload);
    return r.ok() ? std::vector<std::string>{} : testing::Codes(r.errors());
  };
  Json forged = p;
  forged["other"] = {{"source", "not chosen"}};
  EXPECT_EQ(codes(forged),
            (std::vector<std::string>{"invalid_value@other.source"}));
  forged = p;
  forged["other"] = {{"nope", "x"}, {"source", 3}};
  EXPECT_EQ(codes(forged),
            (std::vector<std::string>{"unknown_reference@other.nope",
                                      "wrong_type@other.source"}));
  forged = p;
  forged["optionOrder"] = {
      {"source", Json::array({"search", "search", "social", "press", "other"})},
      {"missing", Json::array({"sizes", "colours", "more"})}};
  EXPECT_EQ(codes(forged),
            (std::vector<std::string>{"invalid_value@optionOrder.missing",
                                      "invalid_value@optionOrder.source"}));
}

TEST(SessionOptions, AggregatesCountOtherAsAnOptionAndContactAsYesNo) {
  auto survey = testing::LoadSurvey("options_contact");
  Aggregate aggregate(*survey);
  for (bool consent : {true, false, true}) {
    Session s = NewSession("options_contact", OptionsStart());
    ASSERT_TRUE(s.Answer("source", "other").ok());
    ASSERT_TRUE(s.AnswerOther("source", "Radio").ok());
    ASSERT_TRUE(s.Next().ok());
    ASSERT_TRUE(s.Next().ok());
    Json contact = {{"consent", consent}};
    if (consent) contact["email"] = "ada@example.org";
    ASSERT_TRUE(s.Answer("contact", contact).ok());
    ASSERT_TRUE(s.Next().ok());
    ASSERT_TRUE(s.Next().ok());
    auto record = ValidateResponseText(*survey, s.Payload(kStart).dump());
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    aggregate.Add(record.value());
  }
  const Json summary = aggregate.Summary();
  EXPECT_EQ(summary["questions"]["contact"]["counts"],
            (Json{{"yes", 2}, {"no", 1}}));
  EXPECT_EQ(summary["questions"]["contact"]["n"], 3);
  EXPECT_EQ(summary["questions"]["source"]["counts"]["other"], 3);
  // Mergeable as every aggregate is.
  auto copy = Aggregate::FromJson(*survey, aggregate.ToJson());
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(copy.value().Summary(), summary);
}

}  // namespace
}  // namespace sondar
