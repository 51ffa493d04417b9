"""A local stand-in for API Gateway's REST proxy integration.

Turns each HTTP request into the event API Gateway would send (version 1.0 proxy format, with
`requestContext.identity.sourceIp`), calls the real Lambda entry point, and turns its answer back
into HTTP. Also serves the sample site (its files, and its pages as stacks/site_pages.py renders them
for the deployment too), the OpenAPI document and the `/_local/*` helpers.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from policybound.api.errors import GATEWAY_ANSWERS, error_body
from policybound.api.http import NO_STORE
from policybound.api.paths import API_PREFIX, STAFF_PREFIX
from policybound.domain.core.errors import FieldProblem
from policybound.policy import AWS_REGION
from stacks import site_pages
from stacks.site_headers import CONSOLE_PREFIX, console_headers

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
LocalRoute = Callable[[Request], Response]
# Takes the Authorization header; returns the claims API Gateway's Cognito authorizer would pass, or None.
Authorizer = Callable[[str | None], dict[str, str] | None]
# The staff console shows personal information: scripts, styles and calls from its own origin only, no
# framing, nothing cached, no referrer — the same headers the deployed site's CloudFront gives it (there
# its CSP also allows the API's origin and Cognito's sign-in domain). Its pages are built without inline
# script or style to allow this.
CONSOLE_HEADERS = console_headers()


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{AWS_REGION}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def proxy_event(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=False)
    try:
        body, encoded = (raw.decode("utf-8"), False) if raw else (None, False)
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(raw).decode(), True
    headers = dict(request.headers.items())
    # API Gateway tells the integration which scheme the client used; the API's origin check reads it.
    headers.setdefault("X-Forwarded-Proto", request.scheme)
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        multi_headers.setdefault(name, []).append(value)
    multi_headers.setdefault("X-Forwarded-Proto", [headers["X-Forwarded-Proto"]])
    query = {key: values[-1] for key, values in request.args.lists()} or None
    multi_query = dict(request.args.lists()) or None
    request_id = str(uuid.uuid4())
    return {
        "resource": request.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "stage": "local",
            "requestId": request_id,
            "resourcePath": request.path,
            "path": request.path,
            "httpMethod": request.method,
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.user_agent.string},
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def http_response(result: dict[str, Any]) -> Response:
    headers = Headers()
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            headers.add(name, value)
    for name, value in (result.get("headers") or {}).items():
        if name not in headers:
            headers.add(name, value)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return Response(data, status=result["statusCode"], headers=headers)


class Instances:
    """One function as Lambda runs it: up to `size` instances side by side, each handling one event at
    a time (the entry points rely on that: the resolver keeps the current event on itself). A new
    instance starts — its entry module imported afresh, a cold start — only when every started one is
    busy; a request waits when `size` are."""

    def __init__(self, start: Callable[[], Handler], size: int) -> None:
        if size < 1:
            raise ValueError("a function needs at least one instance")
        self._start = start
        self._size = size
        self._idle: list[Handler] = []
        self._started = 0
        self._changed = threading.Condition()

    @classmethod
    def of(cls, handler: Handler | Instances) -> Instances:
        return handler if isinstance(handler, Instances) else cls(lambda: handler, 1)

    @property
    def started(self) -> int:
        return self._started

    def _acquire(self) -> Handler | None:
        with self._changed:
            while not self._idle and self._started >= self._size:
                self._changed.wait()
            if self._idle:
                return self._idle.pop()
            self._started += 1
            return None

    def _release(self, handler: Handler | None) -> None:
        with self._changed:
            if handler is None:
                self._started -= 1
            else:
                self._idle.append(handler)
            self._changed.notify()

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        handler = self._acquire()
        try:
            if handler is None:
                handler = self._start()
            return handler(event, context)
        finally:
            self._release(handler)


class Gateway:
    def __init__(
        self,
        api_handler: Handler | Instances,
        openapi: Callable[[], str],
        site_root: Path,
        local_routes: dict[tuple[str, str], LocalRoute],
        staff_handler: Handler | Instances | None = None,
        staff_authorizer: Authorizer | None = None,
        allowed_hosts: Iterable[str] | None = None,
    ) -> None:
        # The Host names local mode answers to (its loopback address); None answers any (unit tests).
        self._allowed_hosts = frozenset(host.lower() for host in allowed_hosts) if allowed_hosts is not None else None
        self._api_handler = Instances.of(api_handler)
        self._staff_handler = Instances.of(staff_handler) if staff_handler is not None else None
        self._staff_authorizer = staff_authorizer
        self._openapi = openapi
        self._site_root = site_root.resolve()
        self._local_routes = local_routes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if self._allowed_hosts is not None and (request.host or "").lower() not in self._allowed_hosts:
            # DNS rebinding: a page on another name that resolves to this machine sends its own Host.
            # Nothing answers it — not the helpers (tokens, the outbox), not the API's own-origin check.
            return Response(
                error_body(
                    "forbidden",
                    "Local mode answers only on its loopback address.",
                    [FieldProblem("header.Host", "is not local mode's address")],
                ),
                status=403,
                mimetype="application/json",
            )
        if path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/"):
            return self._staff(request)
        if path.startswith(f"{API_PREFIX}/"):
            context = LambdaContext("policybound-api", str(uuid.uuid4()))
            event = proxy_event(request)
            result = self._api_handler(event, context)
            return http_response(result)
        if path == "/openapi.json" and request.method == "GET":
            return Response(self._openapi(), mimetype="application/json")
        local = self._local_routes.get((request.method, path))
        if local:
            return local(request)
        if request.method in ("GET", "HEAD"):
            return self._static(request, path)
        return Response(
            error_body("not_found", "No such local route."),
            status=404,
            mimetype="application/json",
        )

    def _staff(self, request: Request) -> Response:
        """As API Gateway with a Cognito user-pool authorizer: no valid token, no function call."""
        if self._staff_handler is None or self._staff_authorizer is None:
            raise NotFound()
        claims = self._staff_authorizer(request.headers.get("Authorization"))
        if claims is None:
            # API Gateway's own answer (the stacks' gateway response), before any function runs.
            status, code, message = GATEWAY_ANSWERS["UNAUTHORIZED"]
            return Response(
                error_body(code, message),
                status=status.value,
                mimetype="application/json",
                headers={"WWW-Authenticate": "Bearer", **NO_STORE},
            )
        event = proxy_event(request)
        event["requestContext"]["authorizer"] = {"claims": claims}
        context = LambdaContext("policybound-staff-api", str(uuid.uuid4()))
        result = self._staff_handler(event, context)
        return http_response(result)

    def _static(self, request: Request, path: str) -> Response:
        relative = path.lstrip("/") or "index.html"
        target = (self._site_root / relative).resolve()
        if target.is_dir():
            if not path.endswith("/"):
                # The page's relative links resolve against the folder, as any static host does.
                return Response(status=308, headers={"Location": path + "/"})
            target = target / "index.html"
        if not target.is_relative_to(self._site_root):
            raise NotFound()
        mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = CONSOLE_HEADERS if path.startswith(CONSOLE_PREFIX) else {}
        page = target.relative_to(self._site_root).as_posix()
        if page in site_pages.BY_PATH:
            return Response(site_pages.render(page), mimetype=mimetype, headers=headers)
        if not target.is_file():
            raise NotFound()
        return Response(
            wrap_file(request.environ, target.open("rb")), mimetype=mimetype, headers=headers, direct_passthrough=True
        )
