# JUnit reports for the shell test tasks (sourced; summary.ts counts the files they write).
#   junit_record <name> <ok|fail> [message]   one test case
#   junit_write <file> <suite name>           the report of every case recorded so far
# JUNIT_PREFIX names the task in the lines printed for each case.
junit_cases=()
junit_failed=0

# junit_escape <text>: the text as an XML attribute value.
junit_escape() {
  local text="$1"
  # Quoted replacements: bash 5.2 reads an unquoted & there as the matched text.
  text="${text//&/'&amp;'}"
  text="${text//</'&lt;'}"
  printf '%s' "${text//\"/'&quot;'}"
}

junit_record() {
  local name message
  name="$(junit_escape "$1")"
  message="$(junit_escape "${3:-}")"
  if [ "$2" = ok ]; then
    junit_cases+=("    <testcase name=\"$name\"/>")
    echo "${JUNIT_PREFIX:-test}: $1: ok"
  else
    junit_cases+=("    <testcase name=\"$name\"><failure message=\"$message\"/></testcase>")
    junit_failed=$((junit_failed + 1))
    echo "${JUNIT_PREFIX:-test}: $1: FAILED: ${3:-}" >&2
  fi
}

junit_write() {
  local count="${#junit_cases[@]}"
  {
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo "<testsuites tests=\"$count\" failures=\"$junit_failed\" errors=\"0\" skipped=\"0\">"
    echo "  <testsuite name=\"$2\" tests=\"$count\" failures=\"$junit_failed\" errors=\"0\" skipped=\"0\">"
    [ "$count" -gt 0 ] && printf '%s\n' "${junit_cases[@]}"
    echo "  </testsuite>"
    echo "</testsuites>"
  } >"$1"
}
