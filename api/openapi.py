"""OpenAPI for endpoints whose parameters come from the query string or a form body alike.

FastAPI documents only what it parses itself; these endpoints parse the merged raw parameters
(api.params), so each declares its pydantic model here to have its parameters listed at /docs.
"""

from typing import Any

from pydantic import BaseModel

SIGNED_PARAMS = [
    {"name": "timestamp", "in": "query", "required": True, "schema": {"type": "integer"}},
    {"name": "recvWindow", "in": "query", "required": False, "schema": {"type": "integer", "maximum": 60000}},
    {"name": "signature", "in": "query", "required": True, "schema": {"type": "string"}},
]
API_KEY = [{"name": "X-MBX-APIKEY", "in": "header", "required": True, "schema": {"type": "string"}}]


def documented(model: type[BaseModel] | None, signed: bool = True, key_only: bool = False) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    if model is not None:
        schema = model.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": _plain(prop)})
    if signed:
        parameters += SIGNED_PARAMS
    if signed or key_only:
        parameters += API_KEY
    return {"parameters": parameters}


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema without $refs (enums inlined as strings)."""
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        return _plain(options[0]) if options else {"type": "string"}
    if "$ref" in prop or "allOf" in prop:
        return {"type": "string"}
    return {k: v for k, v in prop.items() if k in ("type", "enum", "maxLength", "pattern", "description")}
