"""OpenAPI tweaks: document the error responses every operation can give, and that
write bodies refuse fields they do not know."""

from drf_spectacular import openapi

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}

ERROR_RESPONSES = {
    "400": ("The request is not valid, or the change was refused.", VALIDATION_ERROR),
    "401": ("No valid credentials were sent.", ERROR),
    "403": ("Signed in, but not allowed to use this endpoint.", ERROR),
    "404": ("Not found, or not yours: the two look the same.", ERROR),
    "429": ("Too many requests: wait as long as the Retry-After header says.", ERROR),
}
BODY_ERROR_RESPONSES = {
    "413": ("The request body is larger than the limit.", ERROR),
    "415": ("The request body is not JSON.", ERROR),
}
COMPONENTS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string", "description": "What went wrong."}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "properties": {
            "detail": {"type": "string", "description": "What went wrong, in one sentence."},
            "errors": {
                "type": "object",
                "description": "Messages per field; `non_field_errors` for the whole request.",
                "additionalProperties": {},
            },
        },
        "required": ["detail"],
    },
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(ERROR_RESPONSES)
        if self.method in ("POST", "PUT", "PATCH"):
            extra.update(BODY_ERROR_RESPONSES)
        for code, (description, schema) in extra.items():
            responses.setdefault(
                code,
                {"description": description, "content": {"application/json": {"schema": schema}}},
            )
        return responses


def forbid_unknown_request_fields(result, generator, request, public):
    """Say what the API enforces: an unknown body field is a 400, and so is a query
    parameter given without a value (StrictFilterSet)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    return result
