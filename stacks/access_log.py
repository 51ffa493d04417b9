"""The API's access log line: JSON, no bodies, no query strings, no client IP, no user agent.

What stays is what an operator needs to see traffic and errors: request id, time, route, status,
latency, WAF outcome and error type. Personal information is collected by the functions themselves,
with consent (§1.2); the access log is not a second, unconsented copy of it. Every value is a JSON
string, so each line parses as JSON whatever API Gateway substitutes (it writes "-" for absent values).
"""

from __future__ import annotations

import json

FIELDS: dict[str, str] = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTimeEpoch",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integration.latency",
    "wafResponseCode": "$context.waf.status",
    "authorizerError": "$context.authorizer.error",
    "errorType": "$context.error.responseType",
    "xrayTraceId": "$context.xrayTraceId",
}


def access_log_format() -> str:
    return json.dumps(FIELDS, separators=(",", ":"))
