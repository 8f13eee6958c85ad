"""Writes src/modelyard/models.py: TypedDicts of the server's answers, from its OpenAPI document.

    python tools/generate_models.py openapi.json > src/modelyard/models.py

The document is what `GET /api/v4/openapi.json` returns. Its schemas are inline, so each model
is named here by the operation whose answer it types; nested objects get the parent's name
plus the field's. A test regenerates this file from a live server and fails on a difference,
so the client's types cannot drift from the server's contract.
"""

from __future__ import annotations

import json
import keyword
import sys
from typing import Any

# Model name -> (method, path, status) of the answer it types; a list answer types its items.
MODELS: dict[str, tuple[str, str, str]] = {
    "ServerVersion": ("get", "/api/v4/version", "200"),
    "User": ("get", "/api/v4/user", "200"),
    "Project": ("get", "/api/v4/projects/{id}", "200"),
    "Member": ("get", "/api/v4/projects/{id}/members", "200"),
    "ProjectAccessToken": ("post", "/api/v4/projects/{id}/access_tokens", "201"),
    "PersonalAccessToken": ("post", "/api/v4/user/personal_access_tokens", "201"),
    "Experiment": ("get", "/api/v4/projects/{id}/ml/experiments", "200"),
    "RunsPage": ("get", "/api/v4/projects/{id}/ml/runs", "200"),
    "RegisteredModel": ("get", "/api/v4/projects/{id}/ml/models/{model_id}", "200"),
    "ModelVersion": ("get", "/api/v4/projects/{id}/ml/models/{model_id}/versions/{version}", "200"),
    "ApprovalRequest": ("get", "/api/v4/projects/{id}/ml/models/{model_id}/versions/{version}/approvals", "200"),
    "Lineage": ("get", "/api/v4/projects/{id}/ml/models/{model_id}/versions/{version}/lineage", "200"),
    "Evaluation": ("post", "/api/v4/projects/{id}/ml/models/{model_id}/versions/{version}/evaluations", "201"),
    "Package": ("get", "/api/v4/projects/{id}/packages/{package_id}", "200"),
    "PackageFile": ("get", "/api/v4/projects/{id}/packages/{package_id}/package_files", "200"),
    "Pipeline": ("get", "/api/v4/projects/{id}/pipelines/{pipeline_id}", "200"),
    "Job": ("get", "/api/v4/projects/{id}/jobs/{job_id}", "200"),
    "Environment": ("get", "/api/v4/projects/{id}/environments/{environment_id}", "200"),
    "Deployment": ("get", "/api/v4/projects/{id}/deployments/{deployment_id}", "200"),
    "ImportJob": ("get", "/api/v4/projects/{id}/ml/imports/{import_id}", "200"),
}


# Nested models worth a plain name of their own.
RENAMES = {"RunsPageRuns": "Run"}


def literal(value: Any) -> str:
    """A JSON value as Python source inside Literal[...] (None stays outside, as Literal[None] reads badly)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    return json.dumps(value)


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_") if part)


class Generator:
    def __init__(self) -> None:
        self.classes: list[str] = []
        self.names: set[str] = set()
        # An object shape met again (a version inside a model, say) reuses the first one's class.
        self.by_shape: dict[str, str] = {}

    @staticmethod
    def shape(schema: dict[str, Any]) -> str:
        return json.dumps({k: v for k, v in schema.items() if k not in ("description", "nullable")}, sort_keys=True)

    def claim(self, name: str, schema: dict[str, Any]) -> None:
        """Reserves a top-level model's name for its shape before any model is written."""
        self.by_shape.setdefault(self.shape(schema), name)

    def type_of(self, schema: dict[str, Any], name: str) -> str:
        nullable = schema.get("nullable") is True
        inner = self._type_of(schema, name)
        return f"{inner} | None" if nullable and not inner.endswith("| None") else inner

    def _type_of(self, schema: dict[str, Any], name: str) -> str:
        if "enum" in schema:
            values = [v for v in schema["enum"] if v is not None]
            text = "Literal[" + ", ".join(literal(v) for v in values) + "]" if values else "None"
            return text + (" | None" if None in schema["enum"] and values else "")
        if "const" in schema:
            return "None" if schema["const"] is None else f"Literal[{literal(schema['const'])}]"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                parts: list[str] = []
                for i, option in enumerate(schema[key]):
                    part = self.type_of(option, f"{name}{i + 1}" if option.get("type") == "object" else name)
                    for piece in part.split(" | "):
                        if piece not in parts:
                            parts.append(piece)
                return " | ".join(parts) if parts else "Any"
        kind = schema.get("type")
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            return f"list[{self.type_of(schema.get('items', {}), name)}]"
        if kind == "object":
            if schema.get("properties"):
                return self.typed_dict(name, schema)
            extra = schema.get("additionalProperties")
            value = self.type_of(extra, name) if isinstance(extra, dict) and extra else "Any"
            return f"dict[str, {value}]"
        return "Any"

    def typed_dict(self, name: str, schema: dict[str, Any], top_level: bool = False) -> str:
        known = self.by_shape.get(self.shape(schema))
        if known is not None and not top_level:
            return known
        name = RENAMES.get(name, name)
        base = name
        n = 2
        while name in self.names:
            name = f"{base}{n}"
            n += 1
        self.names.add(name)
        self.by_shape.setdefault(self.shape(schema), name)
        required = set(schema.get("required", []))
        fields = [(key, self.type_of(sub, name + pascal(key)), key in required, sub.get("description")) for key, sub in schema["properties"].items()]
        lines: list[str] = []
        doc = schema.get("description")
        if any(not keyword.iskeyword(k) and k.isidentifier() for k, *_ in fields):
            lines.append(f"class {name}(TypedDict, total=False):")
            if doc:
                lines.append(f"    {json.dumps(doc, ensure_ascii=False)}")
            for key, annotation, is_required, description in fields:
                if not key.isidentifier() or keyword.iskeyword(key):
                    continue
                lines.append(f"    {key}: {'Required[' + annotation + ']' if is_required else annotation}")
                if description:
                    lines.append(f"    {json.dumps(description, ensure_ascii=False)}")
        else:
            lines.append(f"{name} = dict[str, Any]")
        self.classes.append("\n".join(lines))
        return name


def main() -> None:
    document = json.load(open(sys.argv[1], encoding="utf-8"))
    generator = Generator()
    schemas: dict[str, dict[str, Any]] = {}
    for name, (method, path, status) in MODELS.items():
        schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        schemas[name] = schema["items"] if schema.get("type") == "array" else schema
        generator.claim(name, schemas[name])
    for name, schema in schemas.items():
        generator.typed_dict(name, schema, top_level=True)
    out = [
        '"""The server\'s answers as TypedDicts. Generated by tools/generate_models.py from the',
        'server\'s OpenAPI document: do not edit by hand; regenerate (a test checks it is current)."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, Literal",
        "",
        "from typing_extensions import Required, TypedDict",
        "",
        "",
        "",
    ]
    print("\n".join(out) + "\n\n\n".join(generator.classes))


if __name__ == "__main__":
    main()
