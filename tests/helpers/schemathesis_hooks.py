"""schemathesis hooks for tests/integration/fuzz-http.test.ts.

The fuzzer learns real ids from the API's answers and may then change anything, which is
fine on a throwaway database, except what by contract ends the session it fuzzes with:
its own account or the other fuzzing account (a disable, a delete, a password, role or
scope change signs the account out everywhere) and the coordinator's clusters (a change of
their coordinators is a scope change). Such ids are swapped for an id that exists nowhere
(the request is still sent, and answers 404) before each call.

FUZZ_PROTECTED_IDS: JSON list of user ids; FUZZ_PROTECTED_CLUSTERS: JSON list of cluster ids.
"""

import json
import os
import re

import schemathesis

NOWHERE = "0" * 24
_USERS = {i.lower() for i in json.loads(os.environ.get("FUZZ_PROTECTED_IDS", "[]"))}
_CLUSTERS = {i.lower() for i in json.loads(os.environ.get("FUZZ_PROTECTED_CLUSTERS", "[]"))}
_CLUSTER_RECORD = re.compile(r"^/api/clusters/\{id\}$")


def _scrub(value, ids):
    if isinstance(value, str):
        return NOWHERE if value.lower() in ids else value
    if isinstance(value, list):
        return [_scrub(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, ids) for k, v in value.items()}
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    ids = set(_USERS)
    if _CLUSTER_RECORD.match(case.operation.path) and case.method.upper() in ("PATCH", "DELETE"):
        ids |= _CLUSTERS
    if case.path_parameters:
        case.path_parameters = _scrub(case.path_parameters, ids)
    if case.query:
        case.query = _scrub(case.query, ids)
    if isinstance(case.body, (dict, list)):
        case.body = _scrub(case.body, ids)
