#!/usr/bin/env bash
# Validates what Precert's CDS Hooks service returns as FHIR R4, with the PyPI package
# `fhir.resources` (6.4.0, FHIR 4.0.1), in a virtual environment under `.build-crd-venv/`.
#
#   Scripts/crd-validate.sh
#
# Starts the debug `precert-server` on loopback (CRD authentication off) over a copy of the
# shipped policies whose Kaiser provider directory is the synthetic test one, posts the two
# done-when order-sign requests and every other CRD test request to its hook's service, and
# validates every resource a `systemActions` entry updates (the ServiceRequest or Appointment with
# its coverage-information extension) as its FHIR R4 resource type. The done-when requests must
# answer 200; any resource that does not validate fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18190}
VENV=.build-crd-venv

if ! "$VENV/bin/python" -c "import fhir.resources" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "fhir.resources==6.4.0" "pydantic>=1.10,<2"
fi

swift build --product precert-server >&2
BIN=$(swift build --show-bin-path)

# shellcheck source=Scripts/lib/crd-server.sh
source Scripts/lib/crd-server.sh
start_crd_server "$BIN" "$PORT"

mkdir -p "$WORK/responses"
for request in Tests/PrecertCRDTests/Fixtures/requests/*.json; do
  name=$(basename "$request" .json)
  hook=$(sed -n 's/.*"hook"[[:space:]]*:[[:space:]]*"\([a-z-]*\)".*/\1/p' "$request" | head -1)
  [ -n "$hook" ] || hook=order-sign
  status=$(curl -s -o "$WORK/responses/$name.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$request" "http://127.0.0.1:$PORT/cds-services/precert-$hook")
  echo "$status" > "$WORK/responses/$name.status"
done

"$VENV/bin/python" - "$WORK/responses" <<'PY'
import json, os, sys
from fhir.resources import construct_fhir_element, __fhir_version__

folder = sys.argv[1]
required = {"order-sign-in-directory", "order-sign-unknown-npi"}
extension_url = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
failures = 0
validated = 0
for file in sorted(f for f in os.listdir(folder) if f.endswith(".json")):
    name = file[:-5]
    status = open(os.path.join(folder, name + ".status")).read().strip()
    if status != "200":
        if name in required:
            print(f"FAIL {name}: HTTP {status}")
            failures += 1
        else:
            print(f"skip {name}: HTTP {status} (an OperationOutcome, as CRD says)")
        continue
    body = json.load(open(os.path.join(folder, file)))
    actions = body.get("systemActions", [])
    if name in required and not actions:
        print(f"FAIL {name}: no system action")
        failures += 1
    for action in actions:
        resource = action.get("resource")
        if resource is None:
            continue
        label = f"{resource.get('resourceType')}/{resource.get('id')}"
        try:
            construct_fhir_element(resource["resourceType"], resource)
        except Exception as error:  # pydantic's ValidationError lists every problem
            print(f"FAIL {name}: {label} is not valid FHIR {__fhir_version__}:\n{error}")
            failures += 1
            continue
        informations = [e for e in resource.get("extension", []) if e.get("url") == extension_url]
        if not informations:
            print(f"FAIL {name}: {label} has no coverage-information extension")
            failures += 1
            continue
        validated += 1
        print(f"ok   {name}: {label} valid FHIR {__fhir_version__} with {len(informations)} coverage-information extension(s)")
print(f"{validated} updated resources valid, {failures} failures")
sys.exit(1 if failures else 0)
PY
