# The project's own grading tests: every grader proven both ways.
#   reference/<ex>                must score 100%, ten times in a row
#   stub/<ex>                     the untouched stub must lose points
#   known-wrong/<ex>/<case>       must lose points in the tests its expect.yaml names, three
#                                 times with the same verdicts
#   hostile/<case>                must be contained and graded as its expect.yaml says
#   correct/<ex>/<case>           a correct but unusual solution: full marks, three times
# Each is one `conclab verify` run; expect.yaml is documented in docs/corpus.md.
# A verify of N gradings runs the first with one test at a time and the others
# with several at once, so the same comparison proves that concurrent tests
# change no verdict (docs/design.md, "Concurrent tests").
set(CONCLAB_BIN $<TARGET_FILE:conclab>)
# ctest -j starts the costliest tests first (COST), so that no long test starts
# last and runs alone at the end: on a fresh clone there is no timing from an
# earlier run, and `handout` (441 s, a build of its own), declared near the
# end, started second-to-last and ran alone at the end of CI. The weights are
# seconds per grading measured in CI (docs/corpus.md, "What it costs CI").
set(conclab_grading_seconds_pool_copy 30)
set(conclab_grading_seconds_udp_chat 12)
set(conclab_grading_seconds_pipes 9)
set(conclab_grading_seconds_round_robin 8)
set(conclab_grading_seconds_counter 8)
function(conclab_grading_cost test ex runs)
  set(per ${conclab_grading_seconds_${ex}})
  if(NOT per)
    set(per 10)
  endif()
  math(EXPR cost "${per} * ${runs}")
  set_tests_properties(${test} PROPERTIES COST ${cost})
endfunction()
file(GLOB CONCLAB_EXERCISE_MANIFESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/exercises/*/exercise.yaml)
foreach(manifest ${CONCLAB_EXERCISE_MANIFESTS})
  get_filename_component(exdir ${manifest} DIRECTORY)
  get_filename_component(ex ${exdir} NAME)
  if(EXISTS ${CMAKE_SOURCE_DIR}/reference/${ex})
    add_test(NAME reference/${ex}
             COMMAND conclab verify ${CMAKE_SOURCE_DIR}/reference/${ex} --exercise ${ex} --expect full --runs 10)
    conclab_grading_cost(reference/${ex} ${ex} 10)
  endif()
  add_test(NAME stub/${ex} COMMAND conclab verify ${exdir} --exercise ${ex} --expect loss)
  # Wrong code must lose the same points in every grading (docs/corpus.md,
  # "Stable verdicts").
  set(wrong_runs 3)
  file(GLOB cases CONFIGURE_DEPENDS LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/known-wrong/${ex}/*)
  foreach(case ${cases})
    if(EXISTS ${case}/expect.yaml)
      get_filename_component(name ${case} NAME)
      add_test(NAME known-wrong/${ex}/${name} COMMAND conclab verify ${case} --runs ${wrong_runs})
      conclab_grading_cost(known-wrong/${ex}/${name} ${ex} ${wrong_runs})
    endif()
  endforeach()
  file(GLOB cases CONFIGURE_DEPENDS LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/correct/${ex}/*)
  foreach(case ${cases})
    if(EXISTS ${case}/expect.yaml)
      get_filename_component(name ${case} NAME)
      add_test(NAME correct/${ex}/${name} COMMAND conclab verify ${case} --runs 3)
      conclab_grading_cost(correct/${ex}/${name} ${ex} 3)
    endif()
  endforeach()
endforeach()
file(GLOB hostile_cases CONFIGURE_DEPENDS LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/hostile/*)
foreach(case ${hostile_cases})
  if(EXISTS ${case}/expect.yaml)
    get_filename_component(name ${case} NAME)
    add_test(NAME hostile/${name} COMMAND conclab verify ${case})
  endif()
endforeach()

# The student handout builds on its own and fails on the stubs (tests/handout_check.sh).
add_test(NAME handout COMMAND bash ${CMAKE_SOURCE_DIR}/tests/handout_check.sh $<TARGET_FILE:conclab>
                               ${CMAKE_BINARY_DIR}/grader-cache)
set_tests_properties(handout PROPERTIES TIMEOUT 2400 COST 450)

# Batch grading end to end, interrupted and resumed (tests/batch_check.sh).
add_test(NAME batch COMMAND bash ${CMAKE_SOURCE_DIR}/tests/batch_check.sh $<TARGET_FILE:conclab> ${CMAKE_SOURCE_DIR}
                            ${CMAKE_BINARY_DIR}/batch-test)
set_tests_properties(batch PROPERTIES TIMEOUT 1800 COST 60)

# Batch grading on a real one-node Slurm cluster (tests/slurm/, docs/cluster.md).
# The fixture starts munged, slurmctld and slurmd in the build tree and stops
# them by their pid files whatever happens in between. RUN_SERIAL: the cluster
# uses every core, and the check compares its gradebook with a local batch's.
set(CONCLAB_SLURM_CLUSTER ${CMAKE_BINARY_DIR}/slurm-cluster)
add_test(NAME slurm/cluster_start COMMAND bash ${CMAKE_SOURCE_DIR}/tests/slurm/cluster.sh start ${CONCLAB_SLURM_CLUSTER})
add_test(NAME slurm/cluster_stop COMMAND bash ${CMAKE_SOURCE_DIR}/tests/slurm/cluster.sh stop ${CONCLAB_SLURM_CLUSTER})
add_test(NAME slurm/batch COMMAND bash ${CMAKE_SOURCE_DIR}/tests/slurm/batch_check.sh $<TARGET_FILE:conclab> ${CMAKE_SOURCE_DIR}
                                  ${CMAKE_BINARY_DIR}/slurm-test ${CONCLAB_SLURM_CLUSTER})
set_tests_properties(slurm/cluster_start PROPERTIES FIXTURES_SETUP slurm_cluster LABELS slurm TIMEOUT 120 RUN_SERIAL TRUE)
set_tests_properties(slurm/cluster_stop PROPERTIES FIXTURES_CLEANUP slurm_cluster LABELS slurm TIMEOUT 120 RUN_SERIAL TRUE)
set_tests_properties(slurm/batch PROPERTIES FIXTURES_REQUIRED slurm_cluster LABELS slurm TIMEOUT 1800 RUN_SERIAL TRUE)

# One name per test (docs/manifest.md): every manifest test names exactly one
# TEST and every TEST is graded, checked on the compiled graders.
foreach(manifest ${CONCLAB_EXERCISE_MANIFESTS})
  get_filename_component(exdir ${manifest} DIRECTORY)
  get_filename_component(ex ${exdir} NAME)
  add_test(NAME list-check/${ex} COMMAND conclab list --check --exercise ${ex})
endforeach()
# ...and the check can fail: a copied exercise with a renamed manifest test.
add_test(NAME list-check/fails-on-mismatch
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/list_check_fails.sh $<TARGET_FILE:conclab> ${CMAKE_SOURCE_DIR})
# The HTML reports rendered in headless Chromium: DOM checks at 1280 px and
# phone width, screenshots in build/screenshots/ (tests/html_check.sh).
add_test(NAME html COMMAND bash ${CMAKE_SOURCE_DIR}/tests/html_check.sh $<TARGET_FILE:conclab> ${CMAKE_SOURCE_DIR}
                           ${CMAKE_BINARY_DIR}/html-check)
set_tests_properties(html PROPERTIES TIMEOUT 1200 LABELS "html;browser" COST 50)

# The student README in the handout, .devcontainer/, README.zh.md (tests/handout_readme_check.sh,
# tests/devcontainer_check.sh).
add_test(NAME handout_readme COMMAND bash ${CMAKE_SOURCE_DIR}/tests/handout_readme_check.sh $<TARGET_FILE:conclab>
                                     ${CMAKE_SOURCE_DIR})
add_test(NAME devcontainer COMMAND bash ${CMAKE_SOURCE_DIR}/tests/devcontainer_check.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(handout_readme devcontainer PROPERTIES LABELS "handout")

# Calibrated time limits (docs/manifest.md, "Time limits"): each exercise's
# checked-in calibration.yaml must describe its current graders and reference.
add_test(NAME calibration/fresh COMMAND conclab calibrate --check)
