// A thin RAII layer over the SQLite C API for the store: a connection, and
// prepared statements with bind/step/column helpers. Errors come back as
// Result values carrying SQLite's message; nothing here throws.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ph::store {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}

  // Parameters are 1-based, as in SQLite. Strings are copied (SQLITE_TRANSIENT)
  // so callers may pass temporaries.
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text64(s_.get(), i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
  }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_.get(), i, v);
    return *this;
  }
  Stmt& bind(int i, uint64_t v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, unsigned v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_.get(), i, v);
    return *this;
  }
  Stmt& bind_null(int i) {
    sqlite3_bind_null(s_.get(), i);
    return *this;
  }
  // NULL for an empty string: the report's "unknown".
  Stmt& bind_opt(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind(i, v); }
  Stmt& bind_opt(int i, std::optional<bool> v) {
    return v ? bind(i, int64_t(*v ? 1 : 0)) : bind_null(i);
  }

  // One step: true while rows come, false when done; an error otherwise.
  Result<bool> step() {
    int rc = sqlite3_step(s_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return make_error(sqlite3_errmsg(db_));
  }
  // Runs an INSERT/UPDATE to completion and resets it for the next bindings.
  Result<void> run() {
    auto r = step();
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
    if (!r) return r.error();
    return {};
  }
  void reset() {
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
  }

  bool is_null(int col) const { return sqlite3_column_type(s_.get(), col) == SQLITE_NULL; }
  int64_t i64(int col) const { return sqlite3_column_int64(s_.get(), col); }
  uint64_t u64(int col) const { return static_cast<uint64_t>(i64(col)); }
  double real(int col) const { return sqlite3_column_double(s_.get(), col); }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(s_.get(), col))) : std::string();
  }
  std::optional<bool> opt_bool(int col) const {
    if (is_null(col)) return std::nullopt;
    return i64(col) != 0;
  }

 private:
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> s_;
};

// Calls `row(stmt)`, which returns Result<void>, for each result row;
// stops at the first error, SQLite's or the callback's.
template <class F>
Result<void> for_each_row(Stmt& s, F&& row) {
  for (;;) {
    auto r = s.step();
    if (!r) return r.error();
    if (!*r) return {};
    if (Result<void> x = row(s); !x) return x;
  }
}

inline Result<Stmt> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), int(sql.size()), &s, nullptr) != SQLITE_OK)
    return make_error(sqlite3_errmsg(db));
  return Stmt(db, s);
}

// Runs one or more statements without results.
inline Result<void> exec(sqlite3* db, const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errmsg(db);
    sqlite3_free(msg);
    return make_error(m);
  }
  return {};
}

}  // namespace ph::store
