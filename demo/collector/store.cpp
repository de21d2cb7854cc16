#include "store.h"

namespace sondar::collector {

std::unique_ptr<Store> Store::Open(const std::string& where,
                                   std::string* error) {
  if (where.rfind("postgres://", 0) == 0 ||
      where.rfind("postgresql://", 0) == 0)
    return OpenPostgres(where, error);
  return OpenSqlite(where, error);
}

}  // namespace sondar::collector
