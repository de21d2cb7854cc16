#include "sondar/condition.h"

#include <optional>

#include "json_reader.h"

namespace sondar {

namespace {

bool Equal(const json& a, const json& b) {
  // nlohmann compares integer and float numbers by value, so 9 == 9.0 here.
  return a == b;
}

bool Contains(const json& list, const json& item) {
  if (!list.is_array()) return false;
  for (const json& element : list) {
    if (Equal(element, item)) return true;
  }
  return false;
}

// <0, 0, >0, or nullopt when the two cannot be ordered.
std::optional<int> Compare(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    const auto& x = a.get_ref<const std::string&>();
    const auto& y = b.get_ref<const std::string&>();
    int c = x.compare(y);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool Present(const json* subject) {
  return subject != nullptr && !internal::IsBlank(*subject);
}

bool EvaluateLeaf(const Condition& c, const json* subject) {
  if (c.op == Op::kAnswered) {
    bool want = !c.value.is_boolean() || c.value.get<bool>();
    return Present(subject) == want;
  }
  if (!Present(subject)) return false;
  const json& s = *subject;
  switch (c.op) {
    case Op::kEq:
      return s.is_array() ? Contains(s, c.value) : Equal(s, c.value);
    case Op::kNeq:
      return s.is_array() ? !Contains(s, c.value) : !Equal(s, c.value);
    case Op::kIn:
      if (s.is_array()) {
        for (const json& element : s) {
          if (Contains(c.value, element)) return true;
        }
        return false;
      }
      return Contains(c.value, s);
    case Op::kLt:
    case Op::kLte:
    case Op::kGt:
    case Op::kGte: {
      auto cmp = Compare(s, c.value);
      if (!cmp) return false;
      if (c.op == Op::kLt) return *cmp < 0;
      if (c.op == Op::kLte) return *cmp <= 0;
      if (c.op == Op::kGt) return *cmp > 0;
      return *cmp >= 0;
    }
    case Op::kAnswered:
      break;
  }
  return false;
}

}  // namespace

bool Evaluate(const Condition& condition, const Lookup& lookup) {
  switch (condition.kind) {
    case Condition::Kind::kLeaf:
      return EvaluateLeaf(condition, lookup(condition.subject));
    case Condition::Kind::kAll:
      for (const Condition& child : condition.children) {
        if (!Evaluate(child, lookup)) return false;
      }
      return true;
    case Condition::Kind::kAny:
      for (const Condition& child : condition.children) {
        if (Evaluate(child, lookup)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace sondar
