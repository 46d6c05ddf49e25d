#!/usr/bin/env python3
"""Checks deploy/monitoring against what regboard really exports.

Usage: check_monitoring.py RENDERED_MONITORING.yaml RENDERED_BASE.yaml SCRAPE.txt TESTS.yaml OUT_DIR

- The PrometheusRule and ServiceMonitor have only the fields this checks
  (kubernetes-validate has no schema for CRD kinds): apiVersion, kind,
  metadata, and the spec fields of monitoring.coreos.com/v1 used here.
- Writes OUT_DIR/rules.yaml (the PrometheusRule's spec: a Prometheus rule
  file) for `promtool check rules` and `promtool test rules`, and
  OUT_DIR/core.yaml (the objects of core kinds) for kubernetes-validate.
- Every metric name in a rule, in a unit test's input series and in the
  Grafana dashboard is one the scrape of the real binary has (parsed by the
  reference parser, prometheus_client); every alert has a unit test.
- The ServiceMonitor's port is a port of the base Service it selects.
Prints one line per problem and exits 1 when there is any.
"""

import json
import re
import sys

import yaml
from prometheus_client.parser import text_string_to_metric_families

RULE_KEYS = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
GROUP_KEYS = {"name", "interval", "rules", "limit"}
ENDPOINT_KEYS = {"port", "path", "interval", "scheme", "scrapeTimeout"}
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "inf", "nan", "atan2",
}


def exported_names(scrape):
    """Every name a query may use: samples, and families even when empty."""
    names = set()
    for family in text_string_to_metric_families(scrape):
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names.update(family.name + s for s in ("_bucket", "_count", "_sum"))
        else:
            names.add(family.name)
    return names


def metric_names(expr):
    """The metric names a PromQL expression selects (no functions,
    keywords, label names, strings or durations)."""
    e = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        before = e[m.start() - 1] if m.start() else " "
        if before.isdigit() or before in ".$":
            continue
        if m.group(0) in KEYWORDS or e[m.end():].lstrip().startswith("("):
            continue
        names.add(m.group(0))
    return names


def strict(obj, allowed, where, problems):
    for key in set(obj) - allowed:
        problems.append(f"{where}: unknown field {key}")


def check_rule_object(rule_obj, problems):
    strict(rule_obj, {"apiVersion", "kind", "metadata", "spec"}, "PrometheusRule", problems)
    if rule_obj.get("apiVersion") != "monitoring.coreos.com/v1":
        problems.append("PrometheusRule: apiVersion must be monitoring.coreos.com/v1")
    strict(rule_obj["spec"], {"groups"}, "PrometheusRule.spec", problems)
    exprs = []
    for group in rule_obj["spec"]["groups"]:
        strict(group, GROUP_KEYS, f"group {group.get('name')}", problems)
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            strict(rule, RULE_KEYS, f"rule {name}", problems)
            exprs.append((f"rule {name}", rule["expr"]))
    return exprs


def check_monitor(monitor, services, problems):
    strict(monitor, {"apiVersion", "kind", "metadata", "spec"}, "ServiceMonitor", problems)
    spec = monitor["spec"]
    strict(spec, {"selector", "endpoints", "namespaceSelector"}, "ServiceMonitor.spec", problems)
    wanted = spec["selector"].get("matchLabels") or {}
    chosen = [
        s for s in services
        if all((s["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
    ]
    if not chosen:
        problems.append("ServiceMonitor selects no Service of deploy/base")
    for endpoint in spec["endpoints"]:
        strict(endpoint, ENDPOINT_KEYS, "ServiceMonitor endpoint", problems)
        for s in chosen:
            if endpoint["port"] not in {p.get("name") for p in s["spec"]["ports"]}:
                problems.append(f"Service {s['metadata']['name']} has no port {endpoint['port']}")


def main():
    rendered, base, scrape, tests, out_dir = sys.argv[1:6]
    with open(rendered, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    with open(base, encoding="utf-8") as f:
        services = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == "Service"]
    with open(scrape, encoding="utf-8") as f:
        known = exported_names(f.read())
    with open(tests, encoding="utf-8") as f:
        unit_tests = yaml.safe_load(f)
    problems = []
    exprs = []
    kinds = {}
    for d in docs:
        kinds.setdefault(d["kind"], []).append(d)
    for kind in ("PrometheusRule", "ServiceMonitor"):
        if len(kinds.get(kind, [])) != 1:
            problems.append(f"expected exactly one {kind}")
    rule_obj = kinds["PrometheusRule"][0]
    exprs += check_rule_object(rule_obj, problems)
    with open(f"{out_dir}/rules.yaml", "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": rule_obj["spec"]["groups"]}, f, sort_keys=False)
    with open(f"{out_dir}/core.yaml", "w", encoding="utf-8") as f:
        core = [d for d in docs if not d["apiVersion"].startswith("monitoring.coreos.com/")]
        yaml.safe_dump_all(core, f, sort_keys=False)
    check_monitor(kinds["ServiceMonitor"][0], services, problems)
    for cm in kinds.get("ConfigMap", []):
        for key, text in (cm.get("data") or {}).items():
            for panel in json.loads(text)["panels"]:
                for target in panel.get("targets", []):
                    exprs.append((f"dashboard {key} panel {panel['title']!r}", target["expr"]))
    tested = set()
    for test in unit_tests["tests"]:
        for series in test["input_series"]:
            exprs.append((f"unit test {test['name']!r}", series["series"]))
        tested.update(t["alertname"] for t in test.get("alert_rule_test", []))
    for group in rule_obj["spec"]["groups"]:
        for rule in group["rules"]:
            if "alert" in rule and rule["alert"] not in tested:
                problems.append(f"alert {rule['alert']} has no unit test")
    checked = 0
    for where, expr in exprs:
        names = metric_names(expr)
        if not names:
            problems.append(f"{where}: no metric name found in {expr!r}")
        for name in sorted(names - known):
            problems.append(f"{where}: regboard exports no metric {name}")
        checked += len(names)
    for p in problems:
        print(f"check-monitoring: {p}")
    print(f"check-monitoring: {len(exprs)} expressions, {checked} metric names checked against {len(known)} exported names")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
