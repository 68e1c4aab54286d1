// The SQLite gradebook: write, resume, CSV, summary, crash safety.
#include <cstdint>

#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "conclab/gradebook.hpp"
#include "sample_result.hpp"

namespace fs = std::filesystem;

namespace conclab {
namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/conclab-gradebook-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// A second, independent connection: what another process would see.
std::string query(const fs::path& dir, const std::string& sql) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(Gradebook::database_path(dir).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return "<cannot open>";
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        out = std::string("<error: ") + sqlite3_errmsg(db) + ">";
    } else {
        bool first_row = true;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (!first_row) out += "\n";
            first_row = false;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                if (c) out += "|";
                auto* t = sqlite3_column_text(st, c);
                out += t ? reinterpret_cast<const char*>(t) : "NULL";
            }
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

SubmissionResult result_for(const std::string& student, double counter_score) {
    auto r = testing::sample_result();
    r.submission = student;
    r.exercises[0].score = counter_score;
    r.score = counter_score + r.exercises[2].score;
    return r;
}

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    Sha256 h;   // incremental == one shot, across block boundaries
    std::string million(1000000, 'a');
    for (std::size_t i = 0; i < million.size(); i += 999) h.update(std::string_view(million).substr(i, 999));
    EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Gradebook, RecordsEveryTable) {
    TempDir dir;
    {
        Gradebook gb(dir.path);
        auto run = gb.begin_run("0.1.0", "conclab batch subs --out x");
        gb.record(run, "alice", "hash-a", result_for("alice", 7));
        gb.end_run(run, "finished");
    }
    EXPECT_TRUE(fs::exists(dir.path / "gradebook.sqlite"));
    EXPECT_EQ(query(dir.path, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query(dir.path, "SELECT student, content_hash, status, score, max_score, grader_version, run_id FROM submissions"),
              "alice|hash-a|graded|17.5|50.5|0.1.0|1");
    EXPECT_EQ(query(dir.path, "SELECT name, score, max_score FROM exercises ORDER BY position"),
              "counter|7.0|20.0\npipes|0.0|20.0\nround_robin|10.5|10.5");
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM tests"), "7");
    EXPECT_EQ(query(dir.path, "SELECT status FROM tests WHERE name = 'ticket_office_never_oversells'"), "timeout");
    EXPECT_EQ(query(dir.path, "SELECT exercise, test, kind, file, line FROM findings WHERE kind = 'data race'"),
              "counter|increments_are_not_lost|data race|exercises/counter/counter.cpp|14");
    EXPECT_EQ(query(dir.path, "SELECT grader_version, state, graded, errors, command FROM runs"),
              "0.1.0|finished|1|0|conclab batch subs --out x");
    EXPECT_NE(query(dir.path, "SELECT started_at FROM runs").find('T'), std::string::npos);
    EXPECT_NE(query(dir.path, "SELECT finished_at FROM runs"), "NULL");
    EXPECT_NE(query(dir.path, "SELECT graded_at FROM submissions").find('Z'), std::string::npos);
}

TEST(Gradebook, ResumeKnowsWhatIsGraded) {
    TempDir dir;
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    gb.record(run, "alice", "h1", result_for("alice", 7));
    gb.record_error(run, "bob", "h2", "grader crashed: std::bad_alloc", "0.1.0");
    EXPECT_TRUE(gb.is_graded("alice", "h1"));
    EXPECT_FALSE(gb.is_graded("alice", "h-changed"));   // submission changed
    EXPECT_FALSE(gb.is_graded("bob", "h2"));            // errors are retried
    EXPECT_FALSE(gb.is_graded("carol", "h3"));          // never seen
    auto bob = gb.entry("bob");
    ASSERT_TRUE(bob.has_value());
    EXPECT_EQ(bob->status, "error");
    EXPECT_EQ(bob->error, "grader crashed: std::bad_alloc");
    EXPECT_FALSE(gb.entry("carol").has_value());
    gb.end_run(run, "interrupted");
    EXPECT_EQ(query(dir.path, "SELECT state, graded, errors FROM runs"), "interrupted|1|1");
}

TEST(Gradebook, ATestInErrorMakesTheSubmissionAnError) {
    TempDir dir;
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    auto r = result_for("carol", 7);
    r.exercises[2].tests[0].status = Status::error;
    r.exercises[2].tests[0].message = "the sandbox could not start the program\nmore";
    gb.record(run, "carol", "h", r);
    EXPECT_FALSE(gb.is_graded("carol", "h"));
    auto e = gb.entry("carol");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->status, "error");
    EXPECT_EQ(e->error, "grader error in round_robin/log_is_exact: the sandbox could not start the program");
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM tests WHERE student = 'carol'"), "7");   // kept for the TA
    EXPECT_EQ(query(dir.path, "SELECT graded, errors FROM runs"), "0|1");
}

TEST(Gradebook, RegradingReplacesWithoutDuplicates) {
    TempDir dir;
    {
        Gradebook gb(dir.path);
        auto r1 = gb.begin_run("0.1.0");
        gb.record(r1, "alice", "h1", result_for("alice", 7));
        gb.record_error(r1, "bob", "h2", "boom");
        gb.end_run(r1, "finished");
    }
    {
        Gradebook gb(dir.path);   // reopened: a second batch
        auto r2 = gb.begin_run("0.1.1");
        gb.record(r2, "alice", "h1b", result_for("alice", 20));
        gb.record(r2, "bob", "h2", result_for("bob", 2));
        gb.end_run(r2, "finished");
        EXPECT_TRUE(gb.is_graded("bob", "h2"));
    }
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM submissions"), "2");
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM exercises"), "6");
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM tests"), "14");
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM findings"), "4");
    EXPECT_EQ(query(dir.path, "SELECT student, content_hash, score, run_id, grader_version FROM submissions ORDER BY student"),
              "alice|h1b|30.5|2|0.1.0\nbob|h2|12.5|2|0.1.0");
    EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM runs"), "2");
}

// batch records which machine graded each submission (the compute node with
// --backend slurm); a gradebook written before the column existed gains it.
TEST(Gradebook, RecordsTheNodeAndAddsTheColumnToOldBooks) {
    TempDir dir;
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(Gradebook::database_path(dir.path).c_str(), &db), SQLITE_OK);
        // the submissions table as it was before `node`
        ASSERT_EQ(sqlite3_exec(db,
                               "CREATE TABLE submissions(student TEXT PRIMARY KEY, content_hash TEXT NOT NULL, "
                               "status TEXT NOT NULL CHECK(status IN ('graded', 'error')), score REAL NOT NULL DEFAULT 0, "
                               "max_score REAL NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '', sandbox TEXT NOT NULL "
                               "DEFAULT '', grader_version TEXT NOT NULL DEFAULT '', graded_at TEXT NOT NULL, run_id "
                               "INTEGER); INSERT INTO submissions(student, content_hash, status, graded_at) "
                               "VALUES('old', 'h', 'error', 'then')",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    gb.record(run, "alice", "h", result_for("alice", 7), "node07");
    gb.record_error(run, "bob", "h", "Slurm ended the grading task 4_1 on node03 (State TIMEOUT)", "0.1.0", "node03");
    EXPECT_EQ(gb.entry("alice")->node, "node07");
    EXPECT_EQ(gb.entry("bob")->node, "node03");
    EXPECT_EQ(gb.entry("old")->node, "");
    EXPECT_EQ(query(dir.path, "SELECT student, node FROM submissions ORDER BY student"), "alice|node07\nbob|node03\nold|");
    // the CSV keeps its columns: the node is provenance, kept in the database
    EXPECT_EQ(gb.csv().substr(0, gb.csv().find('\r')), "student,counter,pipes,round_robin,total,max_score,status,flagged");
}

TEST(Gradebook, CsvOneRowPerStudentSortedAndQuoted) {
    TempDir dir;
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    gb.record(run, "zoe", "h", result_for("zoe", 20));
    gb.record(run, "alice", "h", result_for("alice", 7));
    gb.record(run, "o'brien, \"jr\"", "h", result_for("x", 0));
    gb.record_error(run, "bob", "h", "sandbox failed,\nbadly");
    gb.export_csv(Gradebook::csv_path(dir.path), {"udp_chat", "counter", "round_robin", "pipes"});
    std::ifstream in(dir.path / "gradebook.csv", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(),
              "student,counter,round_robin,pipes,total,max_score,status,flagged\r\n"
              "alice,7,10.5,0,17.5,50.5,graded,\r\n"
              "bob,,,,,,\"error: sandbox failed,\nbadly\",\r\n"
              "\"o'brien, \"\"jr\"\"\",0,10.5,0,10.5,50.5,graded,\r\n"
              "zoe,20,10.5,0,30.5,50.5,graded,\r\n");
    EXPECT_FALSE(fs::exists(dir.path / ("gradebook.csv.tmp." + std::to_string(getpid()))));
    // without an order: exercises by name
    EXPECT_EQ(gb.csv().substr(0, gb.csv().find('\r')), "student,counter,pipes,round_robin,total,max_score,status,flagged");
}

TEST(Gradebook, TamperedTestsAreFlaggedWithEvidence) {
    TempDir dir;
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    auto r = result_for("mallory", 0);
    r.exercises[0].tests[0].status = Status::tampered;
    r.exercises[0].tests[0].evidence = "a record that is not the test program's (bad MAC)";
    gb.record(run, "mallory", "h", r);
    gb.record(run, "alice", "h", result_for("alice", 7));
    const std::string first = r.exercises[0].name + "/" + r.exercises[0].tests[0].name;
    EXPECT_EQ(query(dir.path, "SELECT student, evidence FROM tests WHERE status = 'tampered'"),
              "mallory|a record that is not the test program's (bad MAC)");
    const std::string csv = gb.csv();
    EXPECT_NE(csv.find("\r\nalice,7,"), std::string::npos);
    EXPECT_NE(csv.find(",graded," + first + "\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",graded,\r\n"), std::string::npos) << csv;   // alice: nothing flagged
    auto sum = gb.summary();
    ASSERT_EQ(sum.flagged.size(), 1u);
    EXPECT_EQ(sum.flagged[0].first, "mallory");
    EXPECT_EQ(sum.flagged[0].second, first + ": a record that is not the test program's (bad MAC)");
}

TEST(Gradebook, CsvField) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field(" padded"), "\" padded\"");
    EXPECT_EQ(csv_field(""), "");
}

TEST(Gradebook, Summary) {
    TempDir dir;
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    gb.record(run, "a", "h", result_for("a", 20));
    gb.record(run, "b", "h", result_for("b", 10));
    gb.record(run, "c", "h", result_for("c", 0));
    gb.record_error(run, "d", "h", "grader crashed");
    auto s = gb.summary();
    EXPECT_EQ(s.submissions, 4u);
    EXPECT_EQ(s.graded, 3u);
    EXPECT_EQ(s.errors, 1u);
    ASSERT_EQ(s.exercises.size(), 3u);
    EXPECT_EQ(s.exercises[0].name, "counter");
    EXPECT_DOUBLE_EQ(s.exercises[0].mean, 10);
    EXPECT_DOUBLE_EQ(s.exercises[0].median, 10);
    EXPECT_EQ(s.exercises[0].full, 1u);
    EXPECT_DOUBLE_EQ(s.exercises[2].mean, 10.5);
    EXPECT_DOUBLE_EQ(s.median_total, 20.5);
    ASSERT_FALSE(s.most_failed.empty());
    EXPECT_EQ(s.most_failed[0].second, 3u);   // failed by all three
    EXPECT_EQ(s.limits.size(), 3u);           // one timeout each
    EXPECT_EQ(s.limits[0].first, "a");
    EXPECT_EQ(s.limits[0].second, "counter/ticket_office_never_oversells: timeout");
    ASSERT_EQ(s.errors_by_student.size(), 1u);
    EXPECT_EQ(s.errors_by_student[0].first, "d");
}

TEST(Gradebook, ConcurrentWritersFromThreads) {
    TempDir dir;
    Gradebook gb(dir.path);
    auto run = gb.begin_run("0.1.0");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                auto id = "s" + std::to_string(t) + "_" + std::to_string(i);
                gb.record(run, id, "h", result_for(id, i));
                EXPECT_TRUE(gb.is_graded(id, "h"));
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(gb.entries().size(), 40u);
    EXPECT_EQ(query(dir.path, "SELECT graded FROM runs"), "40");
}

// A batch killed with SIGKILL while writing: every submission that is in the
// book is complete, the database is intact, and a reopened book carries on.
TEST(Gradebook, SurvivesSigkillMidBatch) {
    for (int round = 0; round < 3; ++round) {
        TempDir dir;
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            try {
                Gradebook gb(dir.path);
                auto run = gb.begin_run("0.1.0");
                auto r = result_for("x", 1);
                // make each transaction big enough to be caught in the middle
                for (int k = 0; k < 4; ++k) r.exercises.push_back(r.exercises[0]), r.exercises.back().name += std::to_string(k);
                for (int i = 0;; ++i) {
                    char id[32];
                    std::snprintf(id, sizeof id, "student%05d", i);
                    gb.record(run, id, "hash", r);
                    if (write(fds[1], "x", 1) != 1) _exit(3);
                }
            } catch (...) {
                _exit(2);
            }
        }
        ::close(fds[1]);
        // wait for some commits, then kill at a moment that varies per round
        int committed = 0;
        char c;
        while (committed < 10 + 15 * round && read(fds[0], &c, 1) == 1) ++committed;
        std::this_thread::sleep_for(std::chrono::microseconds(300 * round));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        ::close(fds[0]);
        ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself: " << WEXITSTATUS(status);

        EXPECT_EQ(query(dir.path, "PRAGMA integrity_check"), "ok");
        Gradebook gb(dir.path);   // reopen (recovers the WAL)
        auto entries = gb.entries();
        EXPECT_GE(entries.size(), std::size_t(committed));
        for (auto& e : entries) EXPECT_TRUE(gb.is_graded(e.student, "hash")) << e.student;
        // no half-written submission: every one has all its rows
        EXPECT_EQ(query(dir.path,
                        "SELECT COUNT(*) FROM submissions s WHERE "
                        "(SELECT COUNT(*) FROM exercises e WHERE e.student = s.student) <> 7 OR "
                        "(SELECT COUNT(*) FROM tests t WHERE t.student = s.student) <> 27 OR "
                        "(SELECT COUNT(*) FROM findings f WHERE f.student = s.student) <> 10"),
                  "0");
        EXPECT_EQ(query(dir.path, "SELECT COUNT(*) FROM exercises WHERE student NOT IN (SELECT student FROM submissions)"), "0");
        EXPECT_EQ(query(dir.path, "SELECT state FROM runs"), "running");   // the killed run never finished
        // and the book carries on
        auto run = gb.begin_run("0.1.0");
        gb.record(run, "zz_after", "hash", result_for("zz_after", 3));
        EXPECT_EQ(gb.entries().size(), entries.size() + 1);
    }
}

}  // namespace
}  // namespace conclab
