#pragma once
// Grading a folder of submissions (one subdirectory per student) into a gradebook.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/sandbox.hpp"

namespace conclab {

enum class Backend { local, slurm };

// --backend slurm (docs/cluster.md): one job array; these map to sbatch options.
struct SlurmOptions {
    std::string partition;                 // --partition (empty: the cluster's default)
    std::string time;                      // --time per array task (empty: derived from the manifests' limits)
    std::string mem;                       // --mem per array task (empty: derived from the manifests' limits)
    int max_running = 0;                   // --array=…%N (0: no cap)
    int chunk = 0;                         // submissions per array task (0: chosen from the class size)
    std::vector<std::string> sbatch_args;  // passed to sbatch and srun as they are
    bool preflight = true;                 // srun a check on a compute node before submitting
    double poll_seconds = 1.0;             // how often squeue / the results directory are read
};

struct BatchOptions {
    std::filesystem::path submissions;     // one subdirectory per student
    std::filesystem::path out;             // gradebook.sqlite, gradebook.csv, <student>/results.json
    int jobs = 0;                          // 0: number of cores
    std::vector<std::string> exercises;    // empty: all
    bool regrade = false;                  // ignore what is already graded
    Tier tier = Tier::automatic;
    Backend backend = Backend::local;
    SlurmOptions slurm;
};

// Returns 0 if every submission was graded (whatever its score), 2 if the
// grader itself failed on some (they are listed as `error`, and a re-run retries them).
int run_batch(const Course& course, const Toolchain& tc, const BatchOptions& opt);

// The Slurm backend (slurm.cpp); run_batch calls it for Backend::slurm.
int run_batch_slurm(const Course& course, const Toolchain& tc, const BatchOptions& opt);

// `conclab slurm-task RUN_DIR` (hidden): what one array task runs on a compute
// node: grades its chunk of RUN_DIR/tasks.tsv into RUN_DIR/done/.
int run_slurm_task(const Course& course, const Toolchain& tc, const std::filesystem::path& run_dir, Tier tier);

// `conclab slurm-preflight RUN_DIR` (hidden): run by srun on a compute node;
// prints what is wrong there (nothing when it can grade) and exits 0 if fine.
int run_slurm_preflight(const Course& course, const Toolchain& tc, const std::filesystem::path& run_dir, Tier tier);

}  // namespace conclab
