#!/usr/bin/env bash
# `make run`: set up, load the demo town, start API + worker + beat (and demo phones), print how to
# use it. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

HOST=${TOCSIN_HOST:-127.0.0.1}
PORT=${TOCSIN_PORT:-8000}
DEMO_PHONES=${TOCSIN_DEMO_PHONES:-40}
export TOCSIN_PUBLIC_URL=${TOCSIN_PUBLIC_URL:-http://$HOST:$PORT}
export TOCSIN_VAPID_KEY_FILE=${TOCSIN_VAPID_KEY_FILE:-var/keys/vapid_private.pem}
# The demo phones use a push service on loopback; a real deployment leaves this off.
[ "$DEMO_PHONES" -gt 0 ] && export TOCSIN_PUSH_ALLOW_LOOPBACK=${TOCSIN_PUSH_ALLOW_LOOPBACK:-1}
mkdir -p var/log

say "loading the demo town (Saint-Étienne) and its operator"
TOKEN=$(.venv/bin/tocsin demo --token-file var/demo_token)

pids=()
stop() { trap - INT TERM EXIT; say "stopping"; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap 'stop; exit 0' INT TERM
trap stop EXIT
start() { local name=$1; shift; "$@" >>"var/log/$name.log" 2>&1 & pids+=($!); }

if [ "$DEMO_PHONES" -gt 0 ]; then
  start demo-push .venv/bin/python -m tests.fakes.webpush_service --port 8089 --mode full
fi
start api .venv/bin/uvicorn app.main:app_from_env --factory --host "$HOST" --port "$PORT"
# One worker per push service (workers/queues.py WORKER_POOLS): an APNs or FCM outage only holds up its
# own queue. Fan-out, Web Push and upkeep share the main one.
start worker scripts/supervise.sh .venv/bin/celery -A workers.celery_app worker -Q fanout,push.webpush,maintenance \
  --concurrency "$(nproc)" -n "tocsin@%h" -l INFO
start worker-apns scripts/supervise.sh .venv/bin/celery -A workers.celery_app worker -Q push.apns \
  --concurrency 1 -n "tocsin-apns@%h" -l INFO
start worker-fcm scripts/supervise.sh .venv/bin/celery -A workers.celery_app worker -Q push.fcm \
  --concurrency 1 -n "tocsin-fcm@%h" -l INFO
start beat scripts/supervise.sh .venv/bin/celery -A workers.celery_app beat -l INFO -s var/celerybeat-schedule

for _ in $(seq 100); do
  curl -fs "http://$HOST:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://$HOST:$PORT/readyz" >/dev/null || { tail -20 var/log/api.log; die "the API did not start (var/log/api.log)"; }
if [ "$DEMO_PHONES" -gt 0 ]; then
  .venv/bin/python scripts/demo_phones.py --api "http://$HOST:$PORT" --push http://127.0.0.1:8089 --count "$DEMO_PHONES" --token "$TOKEN"
fi

cat <<BANNER

  Tocsin is running.
    Console          http://$HOST:$PORT/console/
    Demo login       $(.venv/bin/python -c 'from app.cli import DEMO_EMAIL, DEMO_PASSWORD; print(DEMO_EMAIL, "/", DEMO_PASSWORD)')   (admin of the station "saint-etienne")
    Second operator  $(.venv/bin/python -c 'from app.cli import DEMO_APPROVER_EMAIL, DEMO_PASSWORD; print(DEMO_APPROVER_EMAIL, "/", DEMO_PASSWORD)')   (approver: severe and extreme live alerts wait for their approval)
    API              http://$HOST:$PORT   (OpenAPI: http://$HOST:$PORT/openapi.json)
    API token        $TOKEN
    Logs             var/log/ (api, worker, worker-apns, worker-fcm, beat, demo-push)

  Push channels:
$(.venv/bin/python -c 'from app.settings import Settings; print("\n".join("    " + l for l in Settings.from_env().channel_report()))')
    (real APNs/FCM credentials: README, section "iOS and Android apps")

  Send an alert to a 1 km circle around the town hall:

curl -s -X POST http://$HOST:$PORT/api/v1/stations/saint-etienne/alerts \\
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  -d '{"title": "Crue du Furan", "body": "Montée des eaux : évitez les berges et les parkings souterrains.", "severity": "Moderate", "category": "Met", "zone": {"type": "Circle", "center": [4.3872, 45.4397], "radius_m": 1000}, "expires_in": 3600}'

  It answers {"id": …, "state": "pending", "status_url": …} (a Severe or Extreme alert would wait
  in state "awaiting_approval" for the second operator); follow the deliveries with:

curl -s -H "Authorization: Bearer $TOKEN" http://$HOST:$PORT/api/v1/alerts/<id>

  Ctrl-C stops everything.
BANNER
wait -n "${pids[@]}"
