#include "sondar/condition.h"

#include <optional>

#include "condition_parse.h"
#include "json_reader.h"
#include "sondar/util.h"

namespace sondar {

namespace {

bool Equal(const Json& a, const Json& b) {
  // Json compares integer and float numbers by value, so 9 == 9.0 here.
  return a == b;
}

bool Contains(const Json& list, const Json& item) {
  if (!list.is_array()) return false;
  for (const Json& element : list.as_array()) {
    if (Equal(element, item)) return true;
  }
  return false;
}

// <0, 0, >0, or nullopt when the two cannot be ordered.
std::optional<int> Compare(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.as_double(), y = b.as_double();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    const auto& x = a.as_string();
    const auto& y = b.as_string();
    int c = x.compare(y);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool Present(const Json* subject) {
  return subject != nullptr && !internal::IsBlank(*subject);
}

bool EvaluateLeaf(const Condition& c, const Json* subject) {
  if (c.op == Op::kAnswered) {
    bool want = !c.value.is_boolean() || c.value.as_bool();
    return Present(subject) == want;
  }
  if (!Present(subject)) return false;
  const Json& s = *subject;
  switch (c.op) {
    case Op::kEq:
      return s.is_array() ? Contains(s, c.value) : Equal(s, c.value);
    case Op::kNeq:
      return s.is_array() ? !Contains(s, c.value) : !Equal(s, c.value);
    case Op::kIn:
      if (s.is_array()) {
        for (const Json& element : s.as_array()) {
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

Lookup LookupInObject(const Json& object) {
  return {&object, [](const void* source, const std::string& subject) {
            return static_cast<const Json*>(source)->find(subject);
          }};
}

bool internal::ParseOperation(Reader& r, const Json& c, const std::string& path,
                              const std::string& op_name, const char* presence,
                              Condition* out) {
  const std::string op_path = internal::PathKey(path, "op");
  // Op's enumerators in order, up to kAnswered, which is named by `presence`.
  const int op = WordIndex("eq neq lt lte gt gte in", op_name);
  bool known = op >= 0;
  if (known) out->op = static_cast<Op>(op);
  // "answered" reads naturally for questions, "exists" for attributes; both
  // test presence.
  if (op_name == presence) {
    out->op = Op::kAnswered;
    known = true;
  }
  if (!known) {
    r.Fail(ErrorCode::kInvalidValue, op_path,
           SONDAR_MESSAGE("unknown operator \"" + op_name +
                          "\" (expected eq, neq, lt, lte, gt, gte, in, " +
                          presence + ")"));
    return false;
  }
  const std::string value_path = internal::PathKey(path, "value");
  const Json* value = r.Field(c, path, "value", out->op != Op::kAnswered);
  if (out->op == Op::kAnswered) {
    if (value && !value->is_boolean()) {
      r.Fail(ErrorCode::kWrongType, value_path,
             SONDAR_MESSAGE("must be true or false"));
      return false;
    }
    out->value = value ? *value : Json(true);
  } else {
    if (!value) return false;
    out->value = *value;
    if (out->op == Op::kIn && !value->is_array()) {
      r.Fail(ErrorCode::kWrongType, value_path,
             SONDAR_MESSAGE("must be an array for \"in\" (got " +
                            internal::Describe(*value) + ")"));
      return false;
    }
    if (out->op != Op::kIn && (value->is_array() || value->is_object())) {
      r.Fail(ErrorCode::kWrongType, value_path,
             SONDAR_MESSAGE("must be a string, number or boolean (got " +
                            internal::Describe(*value) + ")"));
      return false;
    }
  }
  return true;
}

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
