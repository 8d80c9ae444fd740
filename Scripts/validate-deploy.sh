#!/usr/bin/env bash
# Validates the Kubernetes manifests under deploy/kubernetes against the Kubernetes API schemas,
# strictly: an unknown field, a wrong type, a missing required field, a kind or apiVersion the
# Kubernetes version does not serve all fail.
#
#   Scripts/validate-deploy.sh                   # deploy/kubernetes, as kustomize would build it
#   Scripts/validate-deploy.sh FILE...           # just these manifests (e.g. a copy you broke)
#   KUBERNETES_VERSIONS="1.33" Scripts/validate-deploy.sh
#   DEPLOY_DIR=/some/copy/of/deploy/kubernetes Scripts/validate-deploy.sh
#
# Checks, for the folder:
#   - every resource file of kustomization.yaml, and the ConfigMap its configMapGenerator builds,
#     against the schemas of each Kubernetes version in KUBERNETES_VERSIONS (default 1.31, the
#     oldest whose API has every field used here, and 1.37, the newest the validator knows);
#   - kustomization.yaml's own fields, and that every manifest in the folder is listed in it;
#   - that the generator's files are exactly the policy and calendar files under Policies/
#     (test files left out), that each key is a valid ConfigMap key, that the ConfigMap stays
#     under Kubernetes' 1 MiB, and that the Deployment's `items` put each key back at its path;
#   - when kubectl or kustomize is installed, the output of the real kustomize build as well.
# Reports every failure, then exits 1 if there was any.
#
# The validator (kubernetes-validate, pinned below) comes from PyPI into a virtual environment
# (VALIDATE_VENV, default .build/validate-deploy-venv) on the first run; it carries the schemas
# of every Kubernetes version it knows, so later runs need no network.
set -euo pipefail

VALIDATOR_VERSION=1.37.0
KUBERNETES_VERSIONS=${KUBERNETES_VERSIONS:-1.31 1.37}

cd "$(dirname "$0")/.."
ROOT=$PWD
DEPLOY_DIR=${DEPLOY_DIR:-deploy/kubernetes}
VENV=${VALIDATE_VENV:-.build/validate-deploy-venv}

if ! "$VENV/bin/python" -c "import kubernetes_validate.version as v, sys; sys.exit(v.__version__ != '$VALIDATOR_VERSION')" 2>/dev/null; then
    echo "installing kubernetes-validate $VALIDATOR_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$VALIDATOR_VERSION"
fi

RENDERED=""
trap '[[ -z $RENDERED ]] || rm -f "$RENDERED"' EXIT

# The real kustomize build, when a kustomize is at hand (kubectl carries one).
if [[ $# -eq 0 ]]; then
    RENDERED=$(mktemp)
    if command -v kustomize >/dev/null; then
        kustomize build --load-restrictor LoadRestrictionsNone "$DEPLOY_DIR" >"$RENDERED"
    elif command -v kubectl >/dev/null; then
        kubectl kustomize --load-restrictor LoadRestrictionsNone "$DEPLOY_DIR" >"$RENDERED"
    else
        : >"$RENDERED"
    fi
fi

status=0
"$VENV/bin/python" - "$ROOT" "$DEPLOY_DIR" "$KUBERNETES_VERSIONS" "${RENDERED:-}" "$@" <<'PY' || status=$?
import os
import re
import sys

import yaml
import kubernetes_validate
from kubernetes_validate import utils

root, deploy_dir, versions, rendered = sys.argv[1:5]
files_given = sys.argv[5:]
versions = versions.split()
failures = []


def load_all(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def name_of(doc):
    meta = doc.get("metadata") or {}
    return "%s/%s" % (doc.get("kind", "?"), meta.get("name", "?"))


def validate_doc(doc, where):
    """Validates one resource against every version, strictly; records each failure."""
    if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
        failures.append("%s: not a Kubernetes resource (no apiVersion or kind)" % where)
        print("FAIL %s: not a Kubernetes resource" % where)
        return
    passed = []
    for version in versions:
        try:
            utils.validate(doc, version, strict=True)
            passed.append(version)
        except utils.ValidationError as e:
            path = ".".join(str(p) for p in e.path) or "(top)"
            failures.append("%s %s, Kubernetes %s: %s: %s" % (where, name_of(doc), version, path, e.message))
            print("FAIL %s %s against Kubernetes %s: %s: %s" % (where, name_of(doc), version, path, e.message))
        except utils.SchemaNotFoundError as e:
            failures.append("%s %s: %s" % (where, name_of(doc), e.message))
            print("FAIL %s %s: %s" % (where, name_of(doc), e.message))
        except utils.VersionNotSupportedError as e:
            sys.exit("kubernetes-validate %s: %s" % (kubernetes_validate.version.__version__, e.message))
    if passed:
        print("ok   %s %s (Kubernetes %s, strict)" % (where, name_of(doc), ", ".join(passed)))


def fail(message):
    failures.append(message)
    print("FAIL " + message)


if files_given:
    for path in files_given:
        try:
            docs = load_all(path)
        except (OSError, yaml.YAMLError) as e:
            fail("%s: %s" % (path, e))
            continue
        if not docs:
            fail("%s: no resource in the file" % path)
        for doc in docs:
            validate_doc(doc, path)
else:
    kustomization_path = os.path.join(deploy_dir, "kustomization.yaml")
    kustomization = load_all(kustomization_path)[0]
    known = {"apiVersion", "kind", "labels", "commonAnnotations", "namespace", "namePrefix",
             "nameSuffix", "resources", "components", "configMapGenerator", "secretGenerator",
             "generatorOptions", "images", "replicas", "patches"}
    for key in kustomization:
        if key not in known:
            fail("%s: field `%s` is not one this check knows (a typo?)" % (kustomization_path, key))
    if kustomization.get("kind") != "Kustomization" or kustomization.get("apiVersion") != "kustomize.config.k8s.io/v1beta1":
        fail("%s: expected kind Kustomization, apiVersion kustomize.config.k8s.io/v1beta1" % kustomization_path)

    # Every manifest of the folder is a resource of the kustomization, and each validates.
    resources = kustomization.get("resources") or []
    on_disk = sorted(f for f in os.listdir(deploy_dir)
                     if f.endswith((".yaml", ".yml")) and f != "kustomization.yaml")
    for f in on_disk:
        if f not in resources:
            fail("%s: not listed in kustomization.yaml's resources" % os.path.join(deploy_dir, f))
    docs = []
    for resource in resources:
        path = os.path.join(deploy_dir, resource)
        if not os.path.isfile(path):
            fail("%s: listed in kustomization.yaml but missing" % path)
            continue
        for doc in load_all(path):
            docs.append(doc)
            validate_doc(doc, path)

    # The policies ConfigMap, as the generator builds it.
    key_pattern = re.compile(r"^[-._a-zA-Z0-9]+$")
    policies_root = os.path.realpath(os.path.join(root, "Policies"))
    generated = {}  # key -> path relative to Policies/
    for generator in kustomization.get("configMapGenerator") or []:
        data = {}
        for entry in generator.get("files") or []:
            key, _, source = entry.partition("=")
            if not source:
                key, source = os.path.basename(entry), entry
            full = os.path.realpath(os.path.join(deploy_dir, source))
            if not key_pattern.match(key) or len(key) > 253:
                fail("configMapGenerator %s: `%s` is not a valid ConfigMap key" % (generator.get("name"), key))
            if not os.path.isfile(full):
                fail("configMapGenerator %s: %s does not exist" % (generator.get("name"), source))
                continue
            with open(full, encoding="utf-8") as f:
                data[key] = f.read()
            if full.startswith(policies_root + os.sep):
                generated[key] = os.path.relpath(full, policies_root)
        configmap = {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": generator.get("name")}, "data": data}
        size = sum(len(k.encode()) + len(v.encode()) for k, v in data.items())
        if size > 1 << 20:
            fail("ConfigMap %s holds %d bytes, over Kubernetes' 1 MiB" % (generator.get("name"), size))
        else:
            print("ok   ConfigMap %s: %d keys, %d bytes of the 1 MiB a ConfigMap may hold"
                  % (generator.get("name"), len(data), size))
        validate_doc(configmap, "configMapGenerator")

    # The generator's files are the policy set: every served file under Policies/, nothing else.
    served = sorted(os.path.relpath(os.path.join(d, f), policies_root)
                    for d, _, fs in os.walk(policies_root) for f in fs
                    if f.endswith((".yaml", ".yml")) and not f.endswith((".test.yaml", ".test.yml")))
    for path in served:
        if path not in generated.values():
            fail("Policies/%s is not in kustomization.yaml's configMapGenerator: it would not be served" % path)
    for key, path in sorted(generated.items()):
        if path not in served:
            fail("configMapGenerator key %s reads Policies/%s, which is not a served policy file" % (key, path))

    # The Deployment's items put every key back where it sits under Policies/.
    for doc in docs:
        if doc.get("kind") != "Deployment":
            continue
        for volume in doc["spec"]["template"]["spec"].get("volumes") or []:
            cm = volume.get("configMap")
            if not cm or cm.get("name") not in {g.get("name") for g in kustomization.get("configMapGenerator") or []}:
                continue
            items = {item["key"]: item["path"] for item in cm.get("items") or []}
            if not items:
                fail("Deployment %s volume %s: no items, so the files would not sit in subfolders"
                     % (doc["metadata"]["name"], volume["name"]))
            for key, path in sorted(generated.items()):
                if items.get(key) != path:
                    fail("Deployment %s volume %s: key %s should be mounted at %s, is at %s"
                         % (doc["metadata"]["name"], volume["name"], key, path, items.get(key)))
            for key in sorted(set(items) - set(generated)):
                fail("Deployment %s volume %s: item %s is not a key of the ConfigMap"
                     % (doc["metadata"]["name"], volume["name"], key))
            if not failures:
                print("ok   Deployment %s mounts all %d policy files at their Policies/ paths"
                      % (doc["metadata"]["name"], len(items)))

    # What kustomize itself builds.
    if rendered and os.path.getsize(rendered) > 0:
        for doc in load_all(rendered):
            validate_doc(doc, "kustomize build")
    else:
        print("skip kustomize build: neither kustomize nor kubectl is installed")

if failures:
    print("\n%d failure%s" % (len(failures), "" if len(failures) == 1 else "s"))
    sys.exit(1)
print("\nall valid (kubernetes-validate %s, strict, Kubernetes %s)"
      % (kubernetes_validate.version.__version__, ", ".join(versions)))
PY
exit "$status"
