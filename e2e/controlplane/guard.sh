#!/usr/bin/env bash
# Runs a command and stops it when the process that started it (PID in $1) is gone, so a
# killed test run never leaves an etcd or kube-apiserver behind. SIGTERM/SIGINT stop it too.
set -u
parent="$1"; shift
"$@" &
child=$!
stop() { kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0; }
trap stop TERM INT HUP
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
  sleep 1 & wait $!
done
stop
