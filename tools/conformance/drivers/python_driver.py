"""Runs planned calls through generated Python SDKs: ``python drivers/python_driver.py <plan.json>
<results.json>``. Every scenario's SDK is the package ``conf_sdk`` in its own folder: it is imported
afresh for each scenario. Each call's status and decoded value (dumped as JSON by the SDK's own
models, wire names) or error is written to the results for the orchestrator to compare."""

import base64
import datetime
import enum
import importlib
import json
import sys
from typing import Any

import pydantic


def encode(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return encode(value.model_dump(mode="json", by_alias=True, exclude_unset=True))
    if isinstance(value, bytes):
        return {"$binary": base64.b64encode(value).decode()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime) and value.utcoffset() == datetime.timedelta(
        0
    ):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def arg(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$binary"}:
        return base64.b64decode(value["$binary"])
    return value


def main() -> None:
    plan_file, results_file = sys.argv[1:3]
    with open(plan_file) as f:
        plan = json.load(f)
    results: dict[str, list[dict[str, Any]]] = {}
    for s in plan["scenarios"]:
        out: list[dict[str, Any]] = []
        results[s["scenario"]] = out
        for name in [
            m for m in sys.modules if m == "conf_sdk" or m.startswith("conf_sdk.")
        ]:
            del sys.modules[name]
        sys.path.insert(0, s["sdk"])
        try:
            sdk = importlib.import_module("conf_sdk")
        except Exception as error:  # noqa: BLE001 - any import failure is the scenario's result
            out.append({"error": f"the SDK does not import: {error!r}"})
            continue
        finally:
            sys.path.pop(0)
        clients: dict[str, Any] = {}
        for c in s["calls"]:
            creds = {
                "api_key" if k == "apiKey" else "bearer_token": v
                for k, v in (c.get("credentials") or {}).items()
            }
            base_url = c.get("baseUrl") or plan["baseUrl"]
            # One client per base URL and credentials: building an httpx client costs more than a call.
            key = json.dumps([base_url, creds], sort_keys=True)
            try:
                if key not in clients:
                    clients[key] = sdk.Client(
                        base_url=base_url, max_retries=0, timeout=30, **creds
                    )
                resource = getattr(clients[key], c["group"])
                fn = getattr(resource.with_raw_response, c["method"])
                response = fn(*[arg(a) for a in c["args"]], **c["params"])
                out.append(
                    {"status": response.status_code, "value": encode(response.parse())}
                )
            except Exception as error:  # noqa: BLE001 - any failure is the call's result
                status = getattr(error, "status_code", None)
                entry: dict[str, Any] = {"error": repr(error)}
                if isinstance(status, int):
                    entry["status"] = status
                out.append(entry)
        for client in clients.values():
            client.close()
    with open(results_file, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
