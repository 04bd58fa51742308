#!/usr/bin/env bash
# supervise.sh COMMAND [ARGS…]: runs the command again whenever it exits, until told to stop.
# Celery's worker can exit with "Unrecoverable error" when its Redis connection drops mid-ack (a
# long-standing kombu behaviour). Nothing is lost, Postgres holds the work, but something must
# start the worker again: systemd's Restart=always or compose's restart policy in production,
# this script for `make run` and the tests.
set -u
child=
stopping=
on_stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  wait "$child" 2>/dev/null
  exit 0
}
trap on_stop TERM INT
while [ -z "$stopping" ]; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  [ -n "$stopping" ] && break
  echo "supervise: '$1' exited with status $status; starting it again in 1 s" >&2
  sleep 1
done
