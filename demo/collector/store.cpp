#include "store.h"

#include <chrono>

namespace sondar::collector {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ResponseStatus StatusFromName(std::string_view name) {
  for (ResponseStatus s :
       {ResponseStatus::kComplete, ResponseStatus::kDismissed}) {
    if (name == StatusName(s)) return s;
  }
  return ResponseStatus::kPartial;
}

std::unique_ptr<Store> Store::Open(const std::string& where,
                                   std::string* error) {
  if (where.rfind("postgres://", 0) == 0 ||
      where.rfind("postgresql://", 0) == 0)
    return OpenPostgres(where, error);
  return OpenSqlite(where, error);
}

}  // namespace sondar::collector
