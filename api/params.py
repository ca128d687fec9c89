"""Request parameters as Binance reads them: the query string and a form body, merged.

ccxt sends a POST's parameters as an `application/x-www-form-urlencoded` body, Binance's own
connector sends every parameter in the query string with an empty body: both are one flat set of
names. A name sent twice is -1101, an empty value counts as not sent, a body of any other content
type is refused (its parameters would otherwise be silently unread). Each endpoint then validates
the set with a pydantic model (`parse_model`), whose errors become Binance's codes here.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from api.decimals import NUMBER
from api.errors import ApiError, mandatory, not_valid

FORM = "application/x-www-form-urlencoded"
MAX_PARAMS = 64
INTEGER = re.compile(r"^-?[0-9]{1,19}$")


@dataclass(frozen=True)
class RawParams:
    """The raw query string and body as received (what a signature covers) and their values."""

    query: str
    body: str
    values: dict[str, str]


async def read_params(request: Request) -> RawParams:
    query = request.scope.get("query_string", b"").decode("latin-1")
    raw_body = await request.body()
    if raw_body:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != FORM:
            raise ApiError(-1130, f"Data sent for parameter 'body' is not valid: send parameters as {FORM}.", 400)
    try:
        body = raw_body.decode("utf-8")
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=MAX_PARAMS)
        pairs += parse_qsl(body, keep_blank_values=True, errors="strict", max_num_fields=MAX_PARAMS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(-1100, "Illegal characters found in a parameter.") from exc
    if len(pairs) > MAX_PARAMS:
        raise ApiError(-1101, "Too many parameters sent for this endpoint.")
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise ApiError(-1101, "Duplicate values for a parameter detected.")
        values[name] = value
    return RawParams(query, body, values)


# -- field types with Binance's errors -------------------------------------------------------------


def _integer(value: Any) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not INTEGER.fullmatch(value):
        raise PydanticCustomError("binance", "-1100", {"pattern": "^[0-9]{1,20}$"})
    return int(value)


def _decimal_text(value: Any) -> str:
    if not isinstance(value, str) or not NUMBER.fullmatch(value):
        raise PydanticCustomError("binance", "-1100", {"pattern": "^([0-9]{1,20})(\\.[0-9]{1,20})?$"})
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise PydanticCustomError("binance", "-1130", {})


Integer = Annotated[int, BeforeValidator(_integer)]
DecimalText = Annotated[str, BeforeValidator(_decimal_text)]
Boolean = Annotated[bool, BeforeValidator(_boolean)]

# the codes Binance gives for a bad value of these enum parameters of an order
ORDER_ENUM_ERRORS: dict[str, tuple[int, str]] = {
    "side": (-1117, "Invalid side."),
    "type": (-1116, "Invalid orderType."),
    "timeInForce": (-1115, "Invalid timeInForce."),
    "newOrderRespType": (-1130, "Data sent for parameter 'newOrderRespType' is not valid."),
    "positionSide": (-4061, "Order's position side does not match user's setting."),
}

# what every signed endpoint accepts besides its own parameters
SIGNED = ("timestamp", "recvWindow", "signature")


class Params(BaseModel):
    """Base of every endpoint's parameters: unknown names are refused, no coercion of types."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    # parameter -> (code, msg) for a value outside its enum; others get -1130
    enum_errors: ClassVar[dict[str, tuple[int, str]]] = {}


M = TypeVar("M", bound=Params)


def given_params(values: dict[str, str], ignore: tuple[str, ...] = SIGNED) -> dict[str, str]:
    """The parameters an endpoint validates: those sent non-empty, less the signing ones."""
    return {name: value for name, value in values.items() if value != "" and name not in ignore}


def parse_model(model: type[M], values: dict[str, str], ignore: tuple[str, ...] = SIGNED) -> M:
    given = given_params(values, ignore)
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise binance_error(exc, model.enum_errors) from exc


def binance_error(exc: ValidationError, enum_errors: dict[str, tuple[int, str]]) -> ApiError:
    error = exc.errors()[0]
    loc = error.get("loc") or ("request",)
    name = str(loc[0])
    kind = error["type"]
    if kind == "missing":
        return mandatory(name)
    if kind == "extra_forbidden":
        return ApiError(-1106, f"Parameter '{name}' sent when not required.")
    if kind == "binance":
        code = int(error["msg"])
        if code == -1100:
            pattern = (error.get("ctx") or {}).get("pattern", "")
            return ApiError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{pattern}'.")
        return not_valid(name)
    if kind in ("enum", "literal_error") and name in enum_errors:
        code, msg = enum_errors[name]
        return ApiError(code, msg)
    return not_valid(name)
