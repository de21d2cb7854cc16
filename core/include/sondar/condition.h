// Conditions used by showIf, logic jumps, endings (on answers) and targeting
// (on visitor attributes): leaves {subject, op, value} grouped by "all" /
// "any".
#ifndef SONDAR_CONDITION_H_
#define SONDAR_CONDITION_H_

#include <string>
#include <vector>

#include "sondar/json.h"

namespace sondar {

enum class Op { kEq, kNeq, kLt, kLte, kGt, kGte, kIn, kAnswered };

struct Condition {
  enum class Kind { kLeaf, kAll, kAny };
  Kind kind = Kind::kLeaf;
  std::string subject;  // question id or attribute name (leaf)
  Op op = Op::kEq;
  Json value;                       // leaf operand; for kAnswered a boolean
  std::vector<Condition> children;  // kAll / kAny
};

// Looks a subject up in `source`; nullptr when it is absent (unanswered,
// attribute not given). A function pointer and the object it reads rather than
// std::function, whose type erasure costs the widget's wasm about a kilobyte.
struct Lookup {
  const void* source;
  const Json* (*find)(const void* source, const std::string& subject);
  const Json* operator()(const std::string& subject) const {
    return find(source, subject);
  }
};

// A Lookup of the members of a JSON object (anything else has none).
Lookup LookupInObject(const Json& object);

// Semantics (documented in core/README.md (Conditions)):
//  - a comparison on an absent or null subject is false (use "answered" to test
//  presence);
//  - eq / neq on an array subject (multi_choice) test membership;
//  - lt..gte compare numbers with numbers or strings with strings, anything
//  else is false;
//  - in: the subject (or any element of an array subject) is one of the listed
//  values.
bool Evaluate(const Condition& condition, const Lookup& lookup);

}  // namespace sondar

#endif  // SONDAR_CONDITION_H_
