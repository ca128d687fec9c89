"""Errors as Binance gives them: every non-2xx body is `{"code": -NNNN, "msg": "..."}`.

ApiError is raised anywhere in a request; the handlers installed here turn it, FastAPI's own
validation errors, unknown paths and methods, and anything unforeseen into that body with the
HTTP status Binance uses for the code.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("perpx.api")


class ApiError(Exception):
    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status


def error_body(code: int, msg: str) -> dict[str, object]:
    return {"code": code, "msg": msg}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error_body(error.code, error.msg), status_code=error.status)


def mandatory(name: str) -> ApiError:
    return ApiError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def not_valid(name: str) -> ApiError:
    return ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")


def key_refused() -> ApiError:
    """-2015: an unknown key, or one without the permission asked for (Binance says which of the two
    it was in neither case, so a caller probing keys learns nothing)."""
    return ApiError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def unknown_order() -> ApiError:
    return ApiError(-2013, "Order does not exist.")


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    name = str(errors[0]["loc"][-1]) if errors and errors[0].get("loc") else "request"
    if errors and errors[0].get("type") == "missing":
        return error_response(mandatory(name))
    return error_response(not_valid(name))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(ApiError(-1000, f"Unknown path {request.url.path}.", 404))
    if exc.status_code == 405:
        return error_response(ApiError(-1000, f"Method {request.method} is not allowed on {request.url.path}.", 405))
    return error_response(ApiError(-1000, str(exc.detail), exc.status_code))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(ApiError(-1000, "An unknown error occurred while processing the request.", 500))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
