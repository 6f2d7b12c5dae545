"""The Helm values start the action server as make run does: our server with its shared secret,
Rasa sending that secret, and a NetworkPolicy that lets only Rasa's pods reach it (issue 17,
finding 2). Read from the YAML; no cluster needed."""

import re

import yaml

from tests.conftest import REPO

HELM = REPO / "deploy" / "helm"


def load(name):
    return yaml.safe_load((HELM / name).read_text(encoding="utf-8"))


def env_names(values):
    return {item["name"] for item in values.get("extraEnv") or []}


def test_the_action_server_runs_our_server_with_its_secret():
    values = load("values-action-server.yaml")
    assert values["args"][:3] == ["python", "-m", "actions.server"]
    assert {"ACTION_SERVER_TOKEN", "ACTION_SERVER_HOST"} <= env_names(values)
    assert "X-Action-Token" in str(values["readinessProbe"])


def test_rasa_sends_the_secret_and_every_endpoint_variable_is_set():
    values = load("values-rasa.yaml")
    endpoints_file = values["args"][values["args"].index("--endpoints") + 1]
    endpoints = (REPO / endpoints_file.removeprefix("/app/")).read_text(encoding="utf-8")
    assert "X-Action-Token: ${ACTION_SERVER_TOKEN}" in endpoints
    needed = set(re.findall(r"\$\{(\w+)\}", endpoints))
    assert needed <= env_names(values), needed - env_names(values)


def test_only_rasas_pods_reach_the_action_server():
    policy = load("networkpolicy-action-server.yaml")
    spec = policy["spec"]
    assert policy["kind"] == "NetworkPolicy" and set(spec["policyTypes"]) == {"Ingress", "Egress"}
    assert spec["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "rasa-action-server"}
    [rule] = spec["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rasa"}}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": 5055}]


def test_pods_never_migrate_and_the_migration_job_uses_their_databases():
    actions, rasa = load("values-action-server.yaml"), load("values-rasa.yaml")
    for values in (actions, rasa):
        assert {"name": "DB_MIGRATIONS", "value": "explicit"} in values["extraEnv"]
    job = load("job-migrate.yaml")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert job["kind"] == "Job" and container["command"] == ["python", "-m", "deploy.migrate"]
    assert container["image"].split(":")[0] == actions["image"]["repository"] == rasa["image"]["repository"]
    secrets = {item["name"]: item["valueFrom"] for item in actions["extraEnv"] if "valueFrom" in item}
    assert {item["name"]: item["valueFrom"] for item in container["env"]} == {
        name: secrets[name] for name in ("STATUS_DB_URL", "CONSOLE_DB_URL")
    }


def test_every_replica_reads_the_one_shared_published_knowledge_base():
    """Rasa's replicas (the channels' texts) and the action servers' (the answers) read the same
    published version: one ReadWriteMany claim, mounted read-only, POLICY_KB_DIR at its current."""
    claim = load("pvc-kb.yaml")
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for name in ("values-rasa.yaml", "values-action-server.yaml"):
        values = load(name)
        [volume] = [v for v in values["volumes"] if "persistentVolumeClaim" in v]
        assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"], name
        [mount] = [m for m in values["volumeMounts"] if m["name"] == volume["name"]]
        assert mount == {"name": volume["name"], "mountPath": "/app/var/kb", "readOnly": True}, name
        env = {item["name"]: item.get("value") for item in values["extraEnv"]}
        assert env["POLICY_KB_DIR"] == "/app/var/kb/current", name
