#!/usr/bin/env bash
# A citizen's whole life with the INPS PIN, driven with curl against a running service:
#
#   INPS_PIN_DEMO_CLOCK=1 cargo run --example service      # in one terminal
#   examples/service/demo.sh                               # in another (needs curl and jq)
#
# Run it against a fresh database (rm -rf target/service first): Mario's codice fiscale may
# hold a live PIN from an earlier run. The codes the post, the SMS gateway and the mail server
# "deliver" are read from the stand-in carrier's log, as the person would read their letter.
set -euo pipefail

URL=${URL:-http://127.0.0.1:${PORT:-8080}}
LOG=${INPS_PIN_CARRIER_LOG:-target/service/carrier.log}
KEY=${INPS_PIN_OPERATOR_KEY:-demo-operator-key}
CF=RSSMRA80A01H501U
JSON='content-type: application/json'
OPERATOR=(-H "x-operator-key: $KEY" -H "x-operator-id: sede-roma-01")
HEADERS=$(mktemp)
trap 'rm -f "$HEADERS"' EXIT

call() { # path body [options]: the body alone
  curl -s -D "$HEADERS" -X POST "$URL$1" -H "$JSON" "${@:3}" -d "$2"
}
status() { head -1 "$HEADERS" | awk '{print $2}'; }
say() { printf '\n== %s\n' "$*"; }
# The code the carrier last delivered for a part, from its log ("first half", "second half").
delivered() {
  for _ in $(seq 50); do
    line=$(grep "key=$CF-" "$LOG" 2>/dev/null | grep "$1" | tail -1 || true)
    if [ -n "$line" ] && [ "$line" != "${2:-}" ]; then
      echo "${line##*code: }"
      return
    fi
    sleep 0.2
  done
  echo "no $1 in $LOG" >&2
  exit 1
}
last_line() { grep "key=$CF-" "$LOG" 2>/dev/null | grep "$1" | tail -1 || true; }
jump() { # days seconds
  call /operator/test/clock "{\"advance_days\": $1, \"advance_seconds\": ${2:-0}}" "${OPERATOR[@]}" | jq -r '"clock now \(.now), accounts ticked: \(.ticked)"'
}

PERSON='{"first_name":"Mario","surname":"Rossi","codice_fiscale":"'$CF'","street":"Via Roma 1",
  "postal_code":"00184","city":"Roma","province":"RM","email":"mario.rossi@example.it","mobile":"347 123 4567"}'

say "Mario requests a PIN online"
reply=$(call /online/request "$PERSON")
echo "$(status) $(jq -c .reply <<<"$reply")"
first=$(jq -r '.shown[0].code' <<<"$reply")
echo "on screen, the first half: $first"
second=$(delivered "second half")
echo "the postman brings the second half: $second"

say "First access with the 16 characters, trusting this computer"
reply=$(call /first-access "{\"codice_fiscale\":\"$CF\",\"pin\":\"$first$second\",\"trust_device\":true}")
pin=$(jq -r '.shown[0].code' <<<"$reply")
cookie=$(grep -i '^set-cookie:' "$HEADERS" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
echo "$(status) new 8-character PIN on screen: $pin; device cookie set"

say "Login from the trusted computer, and what the session may do"
session=$(call /login "{\"codice_fiscale\":\"$CF\",\"pin\":\"$pin\"}" -H "cookie: $cookie" | jq -r .session)
echo "$(status) session opened"
for service in estratto-contributivo bonus-600-euro; do
  answer=$(call /authorise "{\"service\":\"$service\"}" -H "authorization: Bearer $session")
  echo "$(status) $service: $(jq -c '{allowed, required, held, code}' <<<"$answer")"
done

say "A stranger who knows Mario's codice fiscale guesses, from another computer"
for guess in $(seq 11); do
  answer=$(call /login "{\"codice_fiscale\":\"$CF\",\"pin\":\"AAAAAAAA\"}")
  echo "guess $guess: $(status) $(jq -r .code <<<"$answer")"
  jump 0 11 >/dev/null
done
answer=$(call /login "{\"codice_fiscale\":\"RCCMNL83S18D969H\",\"pin\":\"AAAAAAAA\"}")
echo "the same guess on a codice fiscale with no PIN: $(status) $(jq -r .code <<<"$answer") (R30: the same answer as a wrong PIN)"

say "Mario, from a new browser: blocked like the stranger; from his trusted computer: in (R25a)"
answer=$(call /login "{\"codice_fiscale\":\"$CF\",\"pin\":\"$pin\"}")
echo "new browser: $(status) $(jq -r .message <<<"$answer")"
call /login "{\"codice_fiscale\":\"$CF\",\"pin\":\"$pin\"}" -H "cookie: $cookie" >/dev/null
echo "trusted computer: $(status)"

say "Restore with the two registered contacts: a new 16 beside the PIN in use (R23, R23a)"
before_first=$(last_line "first half")
before_second=$(last_line "second half")
answer=$(call /restore "{\"codice_fiscale\":\"$CF\",\"email\":\"mario.rossi@example.it\",\"mobile\":\"347 123 4567\"}")
echo "$(status) $(jq -c .reply <<<"$answer")"
r1=$(delivered "first half" "$before_first")
r2=$(delivered "second half" "$before_second")
echo "by e-mail: $r1; by SMS: $r2"
reply=$(call /first-access "{\"codice_fiscale\":\"$CF\",\"pin\":\"$r1$r2\"}")
pin=$(jq -r '.shown[0].code' <<<"$reply")
echo "$(status) first access with the restore's code: new PIN $pin, the block lifted"
call /login "{\"codice_fiscale\":\"$CF\",\"pin\":\"$pin\"}" >/dev/null
echo "login from any browser: $(status)"

say "Five and a half months later: the expiry warning, then the renewal (R20-R22)"
jump 170
sleep 1.5
grep "key=$CF-" "$LOG" | grep -i 'notice' | tail -1 | sed 's/^key=[^ ]* /the carrier: /'
reply=$(call /renew "{\"codice_fiscale\":\"$CF\",\"pin\":\"$pin\"}")
echo "$(status) renewed: new PIN $(jq -r '.shown[0].code' <<<"$reply")"
pin=$(jq -r '.shown[0].code' <<<"$reply")

say "Revocation at the counter, with the tessera sanitaria checked against the register (R24)"
answer=$(call /operator/revoke "{\"codice_fiscale\":\"$CF\",\"card_number\":\"80380000000000000001\",\"expires_on\":\"2030-01-01\"}" "${OPERATOR[@]}")
echo "$(status) $(jq -c .reply <<<"$answer")"
answer=$(call /login "{\"codice_fiscale\":\"$CF\",\"pin\":\"$pin\"}")
echo "login with the revoked PIN: $(status) $(jq -r .code <<<"$answer")"

say "The operators' view of the account"
curl -s "$URL/operator/accounts/$CF" "${OPERATOR[@]}" | jq -c .
