# The project's own grading tests: every grader proven both ways.
#   reference/<ex>                must score 100%, ten times in a row
#   stub/<ex>                     the untouched stub must lose points
#   known-wrong/<ex>/<case>       must lose points in the tests its expect.yaml names
#   hostile/<case>                must be contained and graded as its expect.yaml says
# Each is one `conclab verify` run; expect.yaml is documented in docs/corpus.md.
set(CONCLAB_BIN $<TARGET_FILE:conclab>)
file(GLOB CONCLAB_EXERCISE_MANIFESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/exercises/*/exercise.yaml)
foreach(manifest ${CONCLAB_EXERCISE_MANIFESTS})
  get_filename_component(exdir ${manifest} DIRECTORY)
  get_filename_component(ex ${exdir} NAME)
  if(EXISTS ${CMAKE_SOURCE_DIR}/reference/${ex})
    add_test(NAME reference/${ex}
             COMMAND conclab verify ${CMAKE_SOURCE_DIR}/reference/${ex} --exercise ${ex} --expect full --runs 10)
  endif()
  add_test(NAME stub/${ex} COMMAND conclab verify ${exdir} --exercise ${ex} --expect loss)
  file(GLOB cases CONFIGURE_DEPENDS LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/known-wrong/${ex}/*)
  foreach(case ${cases})
    if(EXISTS ${case}/expect.yaml)
      get_filename_component(name ${case} NAME)
      add_test(NAME known-wrong/${ex}/${name} COMMAND conclab verify ${case})
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
add_test(NAME handout COMMAND bash ${CMAKE_SOURCE_DIR}/tests/handout_check.sh $<TARGET_FILE:conclab>)
set_tests_properties(handout PROPERTIES TIMEOUT 2400)

# Batch grading end to end, interrupted and resumed (tests/batch_check.sh).
add_test(NAME batch COMMAND bash ${CMAKE_SOURCE_DIR}/tests/batch_check.sh $<TARGET_FILE:conclab> ${CMAKE_SOURCE_DIR}
                            ${CMAKE_BINARY_DIR}/batch-test)
set_tests_properties(batch PROPERTIES TIMEOUT 1800)

# The HTML reports rendered in headless Chromium: DOM checks at 1280 px and
# phone width, screenshots in build/screenshots/ (tests/html_check.sh).
add_test(NAME html COMMAND bash ${CMAKE_SOURCE_DIR}/tests/html_check.sh $<TARGET_FILE:conclab> ${CMAKE_SOURCE_DIR}
                           ${CMAKE_BINARY_DIR}/html-check)
set_tests_properties(html PROPERTIES TIMEOUT 1200 LABELS "html;browser")

# The student README in the handout, .devcontainer/, README.zh.md (tests/handout_readme_check.sh,
# tests/devcontainer_check.sh).
add_test(NAME handout_readme COMMAND bash ${CMAKE_SOURCE_DIR}/tests/handout_readme_check.sh $<TARGET_FILE:conclab>
                                     ${CMAKE_SOURCE_DIR})
add_test(NAME devcontainer COMMAND bash ${CMAKE_SOURCE_DIR}/tests/devcontainer_check.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(handout_readme devcontainer PROPERTIES LABELS "handout")
