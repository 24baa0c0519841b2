#!/usr/bin/env bash
# A citizen's whole life with the INPS PIN, driven with curl against a demo server that this
# script starts on a fresh database and stops at the end: it runs any number of times in a row.
#
#   crates/inps-pin-server/demo.sh                       # SQLite, in a fresh directory
#   DATABASE_URL=postgres://user@host/db crates/inps-pin-server/demo.sh   # emptied first
#
# Needs curl and jq. The codes the post, the SMS gateway and the mail server "deliver" are read
# from the stand-in carrier's log, as the person would read their letter.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-8089}
URL=http://127.0.0.1:$PORT
CF=RSSMRA80A01H501U
DIR=$(mktemp -d -t inps-pin-demo.XXXXXX)
LOG=$DIR/carrier.log
J='content-type: application/json'

cargo build --quiet --release -p inps-pin-server
export INPS_PIN_LISTEN=127.0.0.1:$PORT INPS_PIN_CARRIER_LOG=$LOG
if [ -n "${DATABASE_URL:-}" ]; then
  # The same database as last time, emptied: the migrations make the tables again.
  psql -q "$DATABASE_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
  export INPS_PIN_DATABASE_URL=$DATABASE_URL
else
  export INPS_PIN_DATABASE_URL="sqlite://$DIR/inps-pin.db?mode=rwc"
fi
target/release/inps-pin-server --demo 2>"$DIR/server.err" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do
  curl -sf "$URL/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
KEY=$(sed -n 's/.*x-operator-key: //p' "$DIR/server.err")
[ -n "$KEY" ] || { cat "$DIR/server.err" >&2; exit 1; }
OP=(-H "x-operator-key: $KEY")

post() { curl -s -w ' [%{http_code}]\n' "$URL$1" -H "$J" "${@:3}" -d "$2"; }
say() { printf '\n== %s\n' "$*"; }
# The code the carrier last delivered for a part ("first half", "second half"), once it came.
code() {
  for _ in $(seq 50); do
    line=$(grep "key=$CF-" "$LOG" 2>/dev/null | grep "$1" | tail -1 || true)
    if [ -n "$line" ] && [ "$line" != "${2:-}" ]; then echo "${line##*code: }"; return; fi
    sleep 0.1
  done
  echo "no $1 in $LOG" >&2; exit 1
}

say "Mario requests a PIN online; he types another address, the letter goes to the archive's"
post /v1/pin-requests '{"first_name":"Mario","surname":"Rossi","codice_fiscale":"'$CF'",
  "street":"Via Altrove 9","postal_code":"00100","city":"Roma","province":"RM",
  "email":"mario.rossi@example.it","mobile":"+39 347 123 4567"}'
PIN16=$(code "first half")$(code "second half")
grep "key=$CF-" "$LOG" | sed 's/code: .*/code: …/'

say "First access with the 16 characters: a new PIN of 8"
ANSWER=$(post /v1/first-access '{"codice_fiscale":"'$CF'","pin":"'$PIN16'"}')
echo "$ANSWER"
PIN=$(jq -r '.shown[0].code' <<<"${ANSWER% \[*}")

say "Login, then two services: consulting is allowed, the bonus needs dispositivo"
TOKEN=$(curl -s "$URL/v1/login" -H "$J" -d '{"codice_fiscale":"'$CF'","pin":"'$PIN'"}' | jq -r .session_token)
post /v1/authorisations '{"service":"estratto-contributivo"}' -H "authorization: Bearer $TOKEN"
post /v1/authorisations '{"service":"bonus-600-euro"}' -H "authorization: Bearer $TOKEN"

say "At the sede, the operator makes the PIN dispositivo; the bonus is now allowed"
post /v1/operator/sede/upgrades '{"codice_fiscale":"'$CF'",
  "document":{"kind":"identity_card","number":"CA12345AB","expires_on":"2031-01-31"}}' "${OP[@]}"
TOKEN=$(curl -s "$URL/v1/login" -H "$J" -d '{"codice_fiscale":"'$CF'","pin":"'$PIN'"}' | jq -r .session_token)
post /v1/authorisations '{"service":"bonus-600-euro"}' -H "authorization: Bearer $TOKEN"

say "A wrong PIN and an unknown codice fiscale answer alike (and slow the next tries for a few seconds)"
post /v1/login '{"codice_fiscale":"'$CF'","pin":"AAAAAAAA"}'
post /v1/login '{"codice_fiscale":"VRDGPP80A01F205X","pin":"AAAAAAAA"}'

say "Mario lost his PIN: a restore through his two contacts, a first access with the new 16"
LAST=$(grep "key=$CF-" "$LOG" | grep "first half" | tail -1)
post /v1/restore '{"codice_fiscale":"'$CF'","email":"mario.rossi@example.it","mobile":"+39 347 123 4567"}'
PIN16=$(code "first half" "$LAST")$(code "second half")
ANSWER=$(post /v1/first-access '{"codice_fiscale":"'$CF'","pin":"'$PIN16'"}')
echo "$ANSWER"
PIN=$(jq -r '.shown[0].code' <<<"${ANSWER% \[*}")

say "Six months and more later the PIN has expired: the guided renewal gives a new one"
post /v1/operator/demo/clock '{"advance_days":190}' "${OP[@]}"
post /v1/login '{"codice_fiscale":"'$CF'","pin":"'$PIN'"}'
post /v1/renewal '{"codice_fiscale":"'$CF'","pin":"'$PIN'"}'

say "At the counter, Mario revokes his PIN with his tessera sanitaria; a made-up card revokes nothing"
post /v1/operator/revocations '{"codice_fiscale":"'$CF'","card_number":"80380000009999999999","expires_on":"2035-12-31"}' "${OP[@]}"
post /v1/operator/revocations '{"codice_fiscale":"'$CF'","card_number":"80380000001234567890","expires_on":"2035-12-31"}' "${OP[@]}"
curl -s "$URL/v1/operator/accounts/$CF" "${OP[@]}"; echo
