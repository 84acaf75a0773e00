#!/usr/bin/env bash
# Checks the bundle with the real tools (scripts/install-bundle-tools.sh
# installs them): promtool validates the rule files, runs their unit tests and
# validates the Prometheus configuration; amtool validates the Alertmanager
# configuration and checks where each kind of alert is routed. Exits non-zero
# on the first class of failure after running every check.
set -uo pipefail
cd "$(dirname "$0")/.."

for tool in promtool amtool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check-bundle: $tool not found; run scripts/install-bundle-tools.sh" >&2
    exit 2
  fi
done

fail=0
step() {
  echo "--- $*"
  "$@" || { echo "check-bundle: FAILED: $*" >&2; fail=1; }
}

step promtool check rules rules/*.rules.yml
step promtool test rules rules/tests/*_test.yml
step promtool check config provisioning/prometheus/prometheus.yml
step amtool check-config provisioning/alertmanager/alertmanager.yml

# Routing cases: expected receivers (in routing-tree order), then the alert's
# labels. `amtool config routes test --verify.receivers` fails on a mismatch.
am=provisioning/alertmanager/alertmanager.yml
while IFS='|' read -r receivers labels; do
  [ -z "$receivers" ] && continue
  # shellcheck disable=SC2086 # labels are separate arguments on purpose
  step amtool config routes test --config.file="$am" --verify.receivers="$receivers" $labels
done <<'CASES'
liftgate-rollback-hook,liftgate-oncall|alertname=LiftgateRollbackDecision severity=critical action=rollback experiment=checkout-v2
liftgate-oncall|alertname=LiftgateGuardrailHarmful severity=critical experiment=checkout-v2 metric=errors_per_session arm=treatment role=guardrail
liftgate-oncall|alertname=LiftgatePrimaryHarmful severity=critical experiment=checkout-v2 metric=purchase_conversion arm=treatment role=primary
liftgate-oncall|alertname=LiftgateRegressionMultiSignal severity=critical experiment=checkout-v2 arm=treatment
liftgate-oncall|alertname=LiftgateExporterDown severity=critical job=liftgate instance=127.0.0.1:9781
liftgate-tickets|alertname=LiftgateSampleRatioMismatch severity=warning experiment=checkout-v2
liftgate-tickets|alertname=LiftgateEvaluationFailing severity=warning job=liftgate experiment=checkout-v2 source=duckdb
liftgate-tickets|alertname=LiftgateEvaluationStale severity=warning job=liftgate experiment=checkout-v2
liftgate-tickets|alertname=LiftgateActivePlanMetricsAbsent severity=warning job=liftgate experiment=checkout-v2
liftgate-tickets|alertname=LiftgatePlanOutdated severity=warning job=liftgate experiment=checkout-v2
liftgate-tickets|alertname=LiftgateDataHealthBlocked severity=warning job=liftgate experiment=checkout-v2
liftgate-tickets|alertname=LiftgateDataHealthWarning severity=warning job=liftgate experiment=checkout-v2
liftgate-tickets|alertname=LiftgateDecisionLogFailing severity=warning job=liftgate instance=127.0.0.1:9781
liftgate-default|alertname=HighCPU severity=critical instance=db-1
CASES

if [ "$fail" -ne 0 ]; then
  echo "check-bundle: FAILED" >&2
  exit 1
fi
echo "check-bundle: OK"
