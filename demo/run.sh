#!/usr/bin/env bash
# liftgate's demo in one command: installs Debian's Prometheus and
# Alertmanager when missing, builds the exporter, the CLI and the demo
# runner, then runs a staged rollout of a checkout change with a backend
# regression injected into the treatment, and prints the timeline (verdicts
# turning harmful, the decision flipping to rollback, the alert firing, the
# rollback hook). About three minutes. Arguments go to the runner:
#   demo/run.sh -aa            the same rollout without the regression
#   demo/run.sh -data DIR      keep the data in DIR (default: a new temp dir)
#   demo/run.sh -h             every option
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-bundle-tools.sh
mkdir -p bin
echo "building bin/liftgate_exporter, bin/liftgate and bin/liftgate-demo ..."
go build -o bin/liftgate_exporter ./exporter
go build -o bin/liftgate ./cmd/liftgate
go build -o bin/liftgate-demo ./demo/run
exec bin/liftgate-demo -repo . -exporter bin/liftgate_exporter "$@"
