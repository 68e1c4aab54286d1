#pragma once
// A SubmissionResult with one of everything, shared by the report tests.
// Anything a hidden test holds contains "SECRET" so a test can prove it never leaks.
#include <cstdint>

#include "conclab/result.hpp"

namespace conclab::testing {

inline SubmissionResult sample_result() {
    SubmissionResult r;
    r.submission = "alice";
    r.sandbox = "bwrap";
    r.grader_version = "0.1.0";

    ExerciseResult counter;
    counter.name = "counter";
    counter.max_score = 20;

    TestResult pass;
    pass.name = "single_thread_counts";
    pass.status = Status::passed;
    pass.score = pass.max_score = 2;
    pass.seconds = 0.25;
    pass.seed = 42;

    TestResult race;
    race.name = "increments_are_not_lost";
    race.status = Status::failed;
    race.max_score = 5;
    race.message = "ThreadSanitizer found a data race";
    race.hint = "Two threads doing value_ += 1 can both read the same old value.";
    race.output = "Running main() from gtest_main.cc\n[ RUN      ] CounterTest.X\n";
    race.seed = 1234567890123ull;
    race.seconds = 1.5;
    race.findings.push_back({"data race", "exercises/counter/counter.cpp", 14,
                             "two threads write value_ at once\n  Write of size 8 by thread T2\n  Previous write by T1"});

    TestResult slow;
    slow.name = "ticket_office_never_oversells";
    slow.status = Status::timeout;
    slow.max_score = 5;
    slow.message = "did not finish within 10 s";
    slow.hint = "Look for a loop that never ends.";

    TestResult secret;
    secret.name = "hidden_stress";
    secret.status = Status::failed;
    secret.max_score = 3;
    secret.hidden = true;
    secret.message = "SECRET expected 4000000 got 3999999";
    secret.hint = "SECRET hint";
    secret.output = "SECRET output";
    secret.seed = 777;
    secret.findings.push_back({"SECRET kind", "exercises/counter/counter.cpp", 99, "SECRET finding"});

    TestResult secret_ok;
    secret_ok.name = "hidden_passes";
    secret_ok.status = Status::passed;
    secret_ok.score = secret_ok.max_score = 5;
    secret_ok.hidden = true;
    secret_ok.output = "SECRET passing output";

    counter.tests = {pass, race, slow, secret, secret_ok};
    counter.score = 7;

    ExerciseResult pipes;
    pipes.name = "pipes";
    pipes.max_score = 20;
    pipes.message = "does not compile:\nexercises/pipes/pipes.cpp:3:5: error: 'foo' was not declared in this scope";
    TestResult p1;
    p1.name = "messages_are_framed";
    p1.status = Status::failed;
    p1.max_score = 20;
    p1.message = "does not compile";
    pipes.tests = {p1};

    ExerciseResult rr;
    rr.name = "round_robin";
    rr.max_score = 10.5;
    rr.score = 10.5;
    TestResult r1;
    r1.name = "log_is_exact";
    r1.status = Status::passed;
    r1.score = r1.max_score = 10.5;
    rr.tests = {r1};

    r.exercises = {counter, pipes, rr};
    r.score = 17.5;
    r.max_score = 50.5;
    return r;
}

}  // namespace conclab::testing
