// The SQLite gradebook (gradebook.hpp).
#include <cstdint>

#include "conclab/files.hpp"
#include "conclab/gradebook.hpp"
#include "conclab/report.hpp"

#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace conclab {

// ---------------------------------------------------------------- SHA-256
// libsodium's SHA-256: a content hash decides whether a submission is graded
// again, so it is no place for hand-written crypto.

Sha256::Sha256() : state_(std::make_unique<crypto_hash_sha256_state>()) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
    crypto_hash_sha256_init(state_.get());
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
    crypto_hash_sha256_update(state_.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string Sha256::hex() {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(state_.get(), digest);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex();
}

// ---------------------------------------------------------------- SQLite helpers

namespace {

std::string now_iso() {
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[80];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, int(ms));
    return out;
}

std::string fmt_number(double v) {
    return std::isfinite(v) ? format_points(v) : "";  // an empty CSV cell, not a made-up 0
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mean(const std::vector<double>& v) {
    if (v.empty()) return 0;
    double s = 0;
    for (double x : v) s += x;
    return s / double(v.size());
}

class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("gradebook: ") + sqlite3_errmsg(db) + " in: " + sql);
    }
    ~Stmt() { sqlite3_finalize(st_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& bind(int i, const std::string& s) { check(sqlite3_bind_text(st_, i, s.data(), int(s.size()), SQLITE_TRANSIENT)); return *this; }
    Stmt& bind(int i, const char* s) { return bind(i, std::string(s)); }
    Stmt& bind(int i, double v) { check(sqlite3_bind_double(st_, i, std::isfinite(v) ? v : 0.0)); return *this; }
    Stmt& bind(int i, std::int64_t v) { check(sqlite3_bind_int64(st_, i, v)); return *this; }
    Stmt& bind(int i, int v) { check(sqlite3_bind_int(st_, i, v)); return *this; }
    Stmt& bind(int i, bool v) { return bind(i, int(v)); }

    // true: a row is ready
    bool step() {
        int rc = sqlite3_step(st_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("gradebook: ") + sqlite3_errmsg(db_));
    }
    void run() {
        while (step()) {}
        sqlite3_reset(st_);
    }
    std::string text(int col) const {
        auto* p = sqlite3_column_text(st_, col);
        return p ? std::string(reinterpret_cast<const char*>(p), std::size_t(sqlite3_column_bytes(st_, col))) : std::string();
    }
    double real(int col) const { return sqlite3_column_double(st_, col); }
    std::int64_t integer(int col) const { return sqlite3_column_int64(st_, col); }
    bool null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) throw std::runtime_error(std::string("gradebook: bind: ") + sqlite3_errmsg(db_));
    }
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
};

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS runs(
  id             INTEGER PRIMARY KEY,
  started_at     TEXT NOT NULL,
  finished_at    TEXT,
  grader_version TEXT NOT NULL,
  command        TEXT NOT NULL DEFAULT '',
  host           TEXT NOT NULL DEFAULT '',
  state          TEXT NOT NULL DEFAULT 'running',   -- running | finished | interrupted | failed
  graded         INTEGER NOT NULL DEFAULT 0,
  errors         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS submissions(
  student        TEXT PRIMARY KEY,
  content_hash   TEXT NOT NULL,                     -- sha256 of the editable files graded
  status         TEXT NOT NULL CHECK(status IN ('graded', 'error')),
  score          REAL NOT NULL DEFAULT 0,
  max_score      REAL NOT NULL DEFAULT 0,
  error          TEXT NOT NULL DEFAULT '',
  sandbox        TEXT NOT NULL DEFAULT '',
  grader_version TEXT NOT NULL DEFAULT '',
  graded_at      TEXT NOT NULL,
  run_id         INTEGER REFERENCES runs(id)
);
CREATE TABLE IF NOT EXISTS exercises(
  student   TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  position  INTEGER NOT NULL,
  score     REAL NOT NULL,
  max_score REAL NOT NULL,
  message   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(student, name)
);
CREATE TABLE IF NOT EXISTS tests(
  student   TEXT NOT NULL,
  exercise  TEXT NOT NULL,
  name      TEXT NOT NULL,
  position  INTEGER NOT NULL,
  status    TEXT NOT NULL CHECK(status IN ('passed', 'failed', 'timeout', 'crashed', 'tampered', 'error')),
  score     REAL NOT NULL,
  max_score REAL NOT NULL,
  message   TEXT NOT NULL DEFAULT '',
  hint      TEXT NOT NULL DEFAULT '',
  hidden    INTEGER NOT NULL DEFAULT 0,
  seed      TEXT NOT NULL DEFAULT '0',
  seconds   REAL NOT NULL DEFAULT 0,
  evidence  TEXT NOT NULL DEFAULT '',   -- status 'tampered': what the submission did (a TA reviews it)
  PRIMARY KEY(student, exercise, name),
  FOREIGN KEY(student, exercise) REFERENCES exercises(student, name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS findings(
  id       INTEGER PRIMARY KEY,
  student  TEXT NOT NULL,
  exercise TEXT NOT NULL,
  test     TEXT NOT NULL,
  kind     TEXT NOT NULL,
  file     TEXT NOT NULL,
  line     INTEGER NOT NULL,
  message  TEXT NOT NULL,
  FOREIGN KEY(student, exercise, test) REFERENCES tests(student, exercise, name) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS findings_by_test ON findings(student, exercise, test);
)SQL";

std::string hostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

}  // namespace

// ---------------------------------------------------------------- Gradebook

void Gradebook::exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("gradebook: " + msg + " in: " + std::string(sql).substr(0, 80));
    }
}

Gradebook::Gradebook(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    auto path = database_path(dir);
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open gradebook " + path.string() + ": " + msg);
    }
    try {
        sqlite3_busy_timeout(db_, 30'000);
        exec("PRAGMA journal_mode=WAL");
        // FULL: a committed submission survives even a power cut, not just a kill
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
        exec("BEGIN IMMEDIATE");
        exec(kSchema);
        // `node` came later (batch --backend slurm): appended to books made before it.
        {
            Stmt c(db_, "SELECT 1 FROM pragma_table_info('submissions') WHERE name = 'node'");
            if (!c.step()) exec("ALTER TABLE submissions ADD COLUMN node TEXT NOT NULL DEFAULT ''");
        }
        exec("PRAGMA user_version=1");
        exec("COMMIT");
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

Gradebook::~Gradebook() {
    if (db_) sqlite3_close(db_);
}

std::int64_t Gradebook::begin_run(const std::string& grader_version, const std::string& command) {
    std::lock_guard lock(mu_);
    Stmt s(db_, "INSERT INTO runs(started_at, grader_version, command, host) VALUES(?, ?, ?, ?)");
    s.bind(1, now_iso()).bind(2, grader_version).bind(3, command).bind(4, hostname());
    s.run();
    return sqlite3_last_insert_rowid(db_);
}

void Gradebook::end_run(std::int64_t run, const std::string& state) {
    std::lock_guard lock(mu_);
    Stmt s(db_, "UPDATE runs SET finished_at = ?, state = ? WHERE id = ?");
    s.bind(1, now_iso()).bind(2, state).bind(3, run);
    s.run();
}

bool Gradebook::is_graded(const std::string& student, const std::string& content_hash) const {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT 1 FROM submissions WHERE student = ? AND content_hash = ? AND status = 'graded'");
    s.bind(1, student).bind(2, content_hash);
    return s.step();
}

namespace {
const char* kEntryColumns =
    "SELECT student, content_hash, status, score, max_score, error, graded_at, grader_version, "
    "COALESCE(run_id, 0), node FROM submissions";
GradebookEntry read_entry(const Stmt& s) {
    GradebookEntry e;
    e.student = s.text(0);
    e.content_hash = s.text(1);
    e.status = s.text(2);
    e.score = s.real(3);
    e.max_score = s.real(4);
    e.error = s.text(5);
    e.graded_at = s.text(6);
    e.grader_version = s.text(7);
    e.run = s.integer(8);
    e.node = s.text(9);
    return e;
}
}  // namespace

std::optional<GradebookEntry> Gradebook::entry(const std::string& student) const {
    std::lock_guard lock(mu_);
    Stmt s(db_, (std::string(kEntryColumns) + " WHERE student = ?").c_str());
    s.bind(1, student);
    if (!s.step()) return std::nullopt;
    return read_entry(s);
}

std::vector<GradebookEntry> Gradebook::entries() const {
    std::lock_guard lock(mu_);
    Stmt s(db_, (std::string(kEntryColumns) + " ORDER BY student").c_str());
    std::vector<GradebookEntry> out;
    while (s.step()) out.push_back(read_entry(s));
    return out;
}

void Gradebook::record(std::int64_t run, const std::string& student, const std::string& content_hash,
                       const SubmissionResult& r, const std::string& node) {
    // A test that ended in `error` is the grader's fault: the submission is
    // stored, but as `error`, so that a re-run grades it again.
    std::string error;
    for (auto& e : r.exercises)
        for (auto& t : e.tests)
            if (t.status == Status::error && error.empty()) {
                auto msg = t.message.substr(0, t.message.find('\n'));
                error = "grader error in " + e.name + "/" + t.name + (msg.empty() ? "" : ": " + msg);
            }
    std::lock_guard lock(mu_);
    exec("BEGIN IMMEDIATE");
    try {
        { Stmt d(db_, "DELETE FROM submissions WHERE student = ?"); d.bind(1, student); d.run(); }
        {
            Stmt s(db_,
                   "INSERT INTO submissions(student, content_hash, status, score, max_score, sandbox, grader_version, "
                   "graded_at, run_id, error, node) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            s.bind(1, student).bind(2, content_hash).bind(3, error.empty() ? "graded" : "error").bind(4, r.score)
                .bind(5, r.max_score).bind(6, r.sandbox).bind(7, r.grader_version).bind(8, now_iso());
            if (run > 0) s.bind(9, run);
            s.bind(10, error).bind(11, node);
            s.run();
        }
        Stmt ex(db_, "INSERT INTO exercises(student, name, position, score, max_score, message) VALUES(?, ?, ?, ?, ?, ?)");
        Stmt te(db_,
                "INSERT INTO tests(student, exercise, name, position, status, score, max_score, message, hint, hidden, "
                "seed, seconds, evidence) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        Stmt fi(db_, "INSERT INTO findings(student, exercise, test, kind, file, line, message) VALUES(?, ?, ?, ?, ?, ?, ?)");
        int epos = 0;
        for (auto& e : r.exercises) {
            ex.bind(1, student).bind(2, e.name).bind(3, epos++).bind(4, e.score).bind(5, e.max_score).bind(6, e.message);
            ex.run();
            int tpos = 0;
            for (auto& t : e.tests) {
                te.bind(1, student).bind(2, e.name).bind(3, t.name).bind(4, tpos++).bind(5, to_string(t.status))
                    .bind(6, t.score).bind(7, t.max_score).bind(8, t.message).bind(9, t.hint).bind(10, t.hidden)
                    .bind(11, std::to_string(t.seed)).bind(12, t.seconds).bind(13, t.evidence);
                te.run();
                for (auto& f : t.findings) {
                    fi.bind(1, student).bind(2, e.name).bind(3, t.name).bind(4, f.kind).bind(5, f.file)
                        .bind(6, f.line).bind(7, f.message);
                    fi.run();
                }
            }
        }
        if (run > 0) {
            Stmt u(db_, error.empty() ? "UPDATE runs SET graded = graded + 1 WHERE id = ?"
                                      : "UPDATE runs SET errors = errors + 1 WHERE id = ?");
            u.bind(1, run);
            u.run();
        }
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void Gradebook::record_error(std::int64_t run, const std::string& student, const std::string& content_hash,
                             const std::string& message, const std::string& grader_version,
                             const std::string& node) {
    std::lock_guard lock(mu_);
    exec("BEGIN IMMEDIATE");
    try {
        { Stmt d(db_, "DELETE FROM submissions WHERE student = ?"); d.bind(1, student); d.run(); }
        {
            Stmt s(db_,
                   "INSERT INTO submissions(student, content_hash, status, error, grader_version, graded_at, run_id, node) "
                   "VALUES(?, ?, 'error', ?, ?, ?, ?, ?)");
            s.bind(1, student).bind(2, content_hash).bind(3, message).bind(4, grader_version).bind(5, now_iso());
            if (run > 0) s.bind(6, run);
            s.bind(7, node);
            s.run();
        }
        if (run > 0) { Stmt u(db_, "UPDATE runs SET errors = errors + 1 WHERE id = ?"); u.bind(1, run); u.run(); }
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::string csv_field(std::string_view s) {
    bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!s.empty() && (s.front() == ' ' || s.back() == ' ' || s.front() == '\t'));
    if (!quote) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += "\"\"";
        else out += c;
    }
    return out + "\"";
}

std::string Gradebook::csv(const std::vector<std::string>& exercise_order) const {
    std::lock_guard lock(mu_);
    // columns: the given order, then any other exercise in the book (by name)
    // (only exercises someone was graded on: `batch --exercise counter` makes one column)
    std::set<std::string> present;
    {
        Stmt s(db_, "SELECT DISTINCT name FROM exercises ORDER BY name");
        while (s.step()) present.insert(s.text(0));
    }
    std::vector<std::string> columns;
    std::set<std::string> seen;
    for (auto& name : exercise_order)
        if (present.count(name) && seen.insert(name).second) columns.push_back(name);
    for (auto& name : present)
        if (seen.insert(name).second) columns.push_back(name);
    std::map<std::pair<std::string, std::string>, double> scores;
    {
        Stmt s(db_, "SELECT student, name, score FROM exercises");
        while (s.step()) scores[{s.text(0), s.text(1)}] = s.real(2);
    }
    // flagged: the tests a submission tampered with, for a TA to review (the
    // evidence is in gradebook.sqlite, table tests).
    std::map<std::string, std::string> flagged;
    {
        Stmt f(db_, "SELECT student, exercise || '/' || name FROM tests WHERE status = 'tampered' "
                    "ORDER BY student, exercise, position");
        while (f.step()) {
            auto& v = flagged[f.text(0)];
            v += (v.empty() ? "" : " ") + f.text(1);
        }
    }
    std::string out = "student";
    for (auto& c : columns) out += "," + csv_field(c);
    out += ",total,max_score,status,flagged\r\n";
    Stmt s(db_, "SELECT student, status, score, max_score, error FROM submissions ORDER BY student");
    while (s.step()) {
        auto student = s.text(0);
        bool ok = s.text(1) == "graded";
        out += csv_field(student);
        for (auto& c : columns) {
            out += ",";
            auto it = scores.find({student, c});
            if (ok && it != scores.end()) out += fmt_number(it->second);
        }
        out += "," + (ok ? fmt_number(s.real(2)) : std::string());
        out += "," + (ok ? fmt_number(s.real(3)) : std::string());
        out += "," + csv_field(ok ? "graded" : "error: " + s.text(4).substr(0, 200));
        out += "," + csv_field(ok ? flagged[student] : std::string());
        out += "\r\n";
    }
    return out;
}

void Gradebook::export_csv(const fs::path& file, const std::vector<std::string>& exercise_order) const {
    write_file_atomic(file, csv(exercise_order));
}

GradebookSummary Gradebook::summary(std::size_t top_failed) const {
    std::lock_guard lock(mu_);
    GradebookSummary sum;
    {
        Stmt s(db_, "SELECT status, score, max_score, student, error FROM submissions ORDER BY student");
        std::vector<double> totals;
        while (s.step()) {
            ++sum.submissions;
            if (s.text(0) == "graded") {
                ++sum.graded;
                totals.push_back(s.real(1));
                sum.max_total = std::max(sum.max_total, s.real(2));
            } else {
                ++sum.errors;
                sum.errors_by_student.emplace_back(s.text(3), s.text(4));
            }
        }
        sum.mean_total = mean(totals);
        sum.median_total = median(totals);
    }
    {
        Stmt s(db_,
               "SELECT e.name, e.score, e.max_score, e.position FROM exercises e JOIN submissions s USING(student) "
               "WHERE s.status = 'graded' ORDER BY e.position, e.name");
        std::map<std::string, std::vector<double>> scores;
        std::map<std::string, double> maxes;
        std::vector<std::string> order;
        while (s.step()) {
            auto name = s.text(0);
            if (!scores.count(name)) order.push_back(name);
            scores[name].push_back(s.real(1));
            maxes[name] = std::max(maxes[name], s.real(2));
        }
        for (auto& name : order) {
            GradebookSummary::Exercise e;
            e.name = name;
            e.max_score = maxes[name];
            e.graded = scores[name].size();
            e.mean = mean(scores[name]);
            e.median = median(scores[name]);
            for (double v : scores[name]) e.full += v >= e.max_score;
            sum.exercises.push_back(e);
        }
    }
    {
        Stmt s(db_,
               "SELECT exercise || '/' || name, COUNT(*) AS n FROM tests WHERE status <> 'passed' "
               "GROUP BY exercise, name ORDER BY n DESC, exercise, name LIMIT ?");
        s.bind(1, std::int64_t(top_failed));
        while (s.step()) sum.most_failed.emplace_back(s.text(0), std::size_t(s.integer(1)));
    }
    {
        Stmt s(db_,
               "SELECT student, exercise || '/' || name || ': ' || status FROM tests "
               "WHERE status IN ('timeout', 'crashed') ORDER BY student, exercise, position");
        while (s.step()) sum.limits.emplace_back(s.text(0), s.text(1));
    }
    {
        Stmt s(db_,
               "SELECT student, exercise || '/' || name || ': ' || substr(evidence, 1, 160) FROM tests "
               "WHERE status = 'tampered' ORDER BY student, exercise, position");
        while (s.step()) sum.flagged.emplace_back(s.text(0), s.text(1));
    }
    return sum;
}

}  // namespace conclab
