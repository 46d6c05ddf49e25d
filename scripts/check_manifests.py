#!/usr/bin/env python3
"""Checks what the OpenAPI schemas cannot: that a rendered regboard
installation hangs together and keeps its protections.

Usage: check_manifests.py RENDERED.yaml [REGBOARD_SERVE_HELP.txt]

Prints one line per problem and exits 1 when there is any. With the output of
`regboard serve --help`, also checks that every flag the Deployment passes
exists.
"""

import re
import sys

import yaml

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def one(docs, kind, problems):
    found = by_kind(docs, kind)
    if len(found) != 1:
        problems.append(f"expected exactly one {kind}, found {len(found)}")
        return None
    return found[0]


def check_scopes(docs, problems):
    namespaces = {d["metadata"]["name"] for d in by_kind(docs, "Namespace")}
    for d in docs:
        name = f"{d['kind']}/{d['metadata']['name']}"
        ns = d["metadata"].get("namespace")
        if d["kind"] in CLUSTER_SCOPED:
            if ns:
                problems.append(f"{name} is cluster-scoped but names namespace {ns}")
        elif ns not in namespaces:
            problems.append(f"{name} is in namespace {ns!r}, not one the manifests create")


def check_container(c, problems):
    sc = c.get("securityContext") or {}
    wanted = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    for key, value in wanted.items():
        if sc.get(key) is not value:
            problems.append(f"container {c['name']}: securityContext.{key} must be {value}")
    if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
        problems.append(f"container {c['name']}: capabilities must drop ALL")
    resources = c.get("resources") or {}
    for part in ("requests", "limits"):
        for res in ("cpu", "memory"):
            if res not in (resources.get(part) or {}):
                problems.append(f"container {c['name']}: resources.{part}.{res} is missing")
    probes = {
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
        "startupProbe": "/healthz",
    }
    for probe, path in probes.items():
        got = ((c.get(probe) or {}).get("httpGet") or {}).get("path")
        if got != path:
            problems.append(f"container {c['name']}: {probe} must GET {path}, not {got}")
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
    for path in ("/data", "/tmp"):
        if path not in mounts:
            problems.append(f"container {c['name']}: nothing writable is mounted at {path}")
    return mounts


def check_deployment(docs, problems):
    dep = one(docs, "Deployment", problems)
    if dep is None:
        return None
    spec = dep["spec"]
    if spec.get("replicas") != 1:
        problems.append("the Deployment must run exactly 1 replica (one SQLite writer)")
    if (spec.get("strategy") or {}).get("type") != "Recreate":
        problems.append("the Deployment strategy must be Recreate (one SQLite writer)")
    pod = spec["template"]["spec"]
    psc = pod.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True:
        problems.append("pod securityContext.runAsNonRoot must be true")
    if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append("pod seccompProfile must be RuntimeDefault")
    labels = spec["template"]["metadata"].get("labels") or {}
    selector = spec["selector"].get("matchLabels") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        problems.append("the Deployment selector does not match its pod labels")
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for c in pod["containers"]:
        mounts = check_container(c, problems)
        data = volumes.get(mounts.get("/data"), {})
        claim = (data.get("persistentVolumeClaim") or {}).get("claimName")
        if claim not in {p["metadata"]["name"] for p in by_kind(docs, "PersistentVolumeClaim")}:
            problems.append("/data must be the PersistentVolumeClaim the manifests create")
    return dep


def check_wiring(docs, dep, problems):
    pod = dep["spec"]["template"]
    account = pod["spec"].get("serviceAccountName")
    accounts = {(a["metadata"]["namespace"], a["metadata"]["name"]) for a in by_kind(docs, "ServiceAccount")}
    if (dep["metadata"]["namespace"], account) not in accounts:
        problems.append(f"the Deployment's service account {account} is not in the manifests")
    roles = {r["metadata"]["name"] for r in by_kind(docs, "ClusterRole")}
    bound = False
    for b in by_kind(docs, "ClusterRoleBinding"):
        if b["roleRef"]["name"] not in roles:
            problems.append(f"ClusterRoleBinding {b['metadata']['name']} names a missing role")
        for s in b.get("subjects") or []:
            if (s.get("kind"), s.get("namespace"), s.get("name")) == (
                "ServiceAccount",
                dep["metadata"]["namespace"],
                account,
            ):
                bound = True
    if not bound:
        problems.append("no ClusterRoleBinding binds the Deployment's service account")
    for r in by_kind(docs, "ClusterRole"):
        for rule in r.get("rules") or []:
            for field in ("apiGroups", "resources", "verbs"):
                if "*" in rule.get(field, []):
                    problems.append(f"ClusterRole {r['metadata']['name']} grants '*' in {field}")
    ports = {p["name"] for c in pod["spec"]["containers"] for p in c.get("ports") or []}
    services = {}
    for s in by_kind(docs, "Service"):
        services[s["metadata"]["name"]] = {p.get("name") for p in s["spec"]["ports"]}
        labels = pod["metadata"].get("labels") or {}
        if any(labels.get(k) != v for k, v in s["spec"].get("selector", {}).items()):
            problems.append(f"Service {s['metadata']['name']} selects no regboard pod")
        for p in s["spec"]["ports"]:
            if p.get("targetPort") not in ports:
                problems.append(f"Service {s['metadata']['name']} targets unknown port {p.get('targetPort')}")
    for ing in by_kind(docs, "Ingress"):
        if not ing["spec"].get("tls"):
            problems.append(f"Ingress {ing['metadata']['name']} has no TLS")
        for rule in ing["spec"].get("rules") or []:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                if backend["port"].get("name") not in services.get(backend["name"], set()):
                    problems.append(f"Ingress {ing['metadata']['name']} points at a missing Service port")
                if backend["port"].get("name") == "metrics" or backend["port"].get("number") == 9464:
                    problems.append(f"Ingress {ing['metadata']['name']} exposes the metrics port, which asks no credential")


def check_flags(dep, help_text, problems):
    known = set(re.findall(r"--[a-z][a-z0-9-]*", help_text))
    for c in dep["spec"]["template"]["spec"]["containers"]:
        args = c.get("args") or []
        if args[:1] != ["serve"]:
            problems.append(f"container {c['name']}: args must start with serve, not {args[:1]}")
        for arg in args:
            flag = arg.split("=", 1)[0]
            if flag.startswith("--") and flag not in known:
                problems.append(f"container {c['name']}: regboard serve has no flag {flag}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    problems = []
    check_scopes(docs, problems)
    dep = check_deployment(docs, problems)
    if dep is not None:
        check_wiring(docs, dep, problems)
        if len(sys.argv) > 2:
            with open(sys.argv[2], encoding="utf-8") as f:
                check_flags(dep, f.read(), problems)
    for p in problems:
        print(f"{sys.argv[1]}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
