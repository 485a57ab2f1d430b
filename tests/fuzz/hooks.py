"""schemathesis hooks that aim generated requests at the fuzz world's rows.

Path parameters are pinned to the world's rows (a DELETE gets a victim row of
its own); id fields in bodies and query strings get one of the world's ids
(of this org, of another org, or a stage of another pipeline) most of the
time and keep the generated value otherwise. Values are drawn from Hypothesis
strategies, so a seeded run makes the same requests every time.
"""

import re
import zlib
from collections import Counter, defaultdict

import schemathesis
from hypothesis import strategies as st

from .world import World

# Set by the ``fuzz_world`` fixture before each operation's test runs.
CURRENT: dict[str, World] = {}
# operation label -> status code class ("2xx", "4xx", ...) -> responses; summarised after the run.
ANSWERS: defaultdict[str, Counter] = defaultdict(Counter)

# URL kwarg / field stem (snake_case) -> the world's kind of id.
KIND_ALIASES = {
    "org": "org",
    "organization": "org",
    "lead": "lead",
    "pipeline": "pipeline",
    "stage": "stage",
    "to_stage": "stage",
    "from_stage": "stage",
    "trigger_stage": "stage",
    "action_stage": "stage",
    "condition_stage": "stage",
    "contact": "contact",
    "campaign": "campaign",
    "social": "social",
    "social_account": "social",
    "post": "post",
    "content_post": "post",
    "conv": "conv",
    "conversation": "conv",
    "field": "field",
    "custom_field": "field",
    "rule": "rule",
    "activity": "activity",
    "user": "user",
    "assigned_to": "user",
    "assignee": "user",
    "action_user": "user",
    "member": "user",
    "webhook": "webhook",
    "delivery": "delivery",
    "form": "form",
}
ID_NAME = re.compile(r"^(?P<stem>[a-z][A-Za-z_]*?)(?:_id|Id)(?P<plural>s?)$")


def kind_of(name: str) -> str | None:
    match = ID_NAME.match(name)
    if not match:
        return None
    return KIND_ALIASES.get(re.sub(r"(?<!^)(?=[A-Z])", "_", match["stem"]).lower())


def world() -> World:
    return CURRENT["world"]


def _id_strategy(name: str, generated):
    kind = kind_of(name)
    ids = world().ids.get(kind) if kind else None
    if not ids:
        return st.just(generated)
    if name.endswith("Ids"):
        # Lists of ids are stage orders: every stage of the pinned pipeline, in any order.
        stages = world().pipeline_stages
        return st.one_of(st.just(generated), st.permutations(stages), st.permutations(stages[:-1]))
    return st.one_of(st.just(generated), st.sampled_from(ids), st.sampled_from(ids))


def _with_world_ids(values):
    if not isinstance(values, dict) or "world" not in CURRENT:
        return st.just(values)
    replaced = {key: _id_strategy(key, value) for key, value in values.items() if kind_of(key)}
    if not replaced:
        return st.just(values)
    return st.fixed_dictionaries(replaced).map(lambda chosen: {**values, **chosen})


def pin_path(path_parameters, method: str):
    """The world's row for every id in the path (a DELETE gets its own victim)."""
    if not path_parameters or "world" not in CURRENT:
        return path_parameters
    deleting = method.upper() == "DELETE"
    pinned = dict(path_parameters)
    for name in path_parameters:
        kind = kind_of(name)
        if name == "form_key":  # a public form's key, not an id
            pinned[name] = world().form_key
        elif kind == "org":
            pinned[name] = world().org
        elif deleting and kind in world().victims:
            pinned[name] = world().victims[kind]
        elif kind in world().ids:
            pinned[name] = world().first(kind)
    return pinned


def with_some_world_ids(values, salt: str):
    """For cases made without strategies (examples, coverage): every other id field gets a world id.

    Which ones is decided by a checksum of the field and its value, so runs repeat.
    """
    if not isinstance(values, dict) or "world" not in CURRENT:
        return values
    chosen = dict(values)
    for key, value in values.items():
        kind = kind_of(key)
        if kind in world().ids and zlib.crc32(f"{salt}:{key}:{value!r}".encode()) % 2 == 0:
            chosen[key] = list(world().pipeline_stages) if key.endswith("Ids") else world().first(kind)
    return chosen


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    return pin_path(path_parameters, context.operation.method if context.operation else "GET")


@schemathesis.hook
def flatmap_body(context, body):
    return _with_world_ids(body)


@schemathesis.hook
def flatmap_query(context, query):
    return _with_world_ids(query)


@schemathesis.hook
def after_call(context, case, response):
    ANSWERS[case.operation.label][f"{response.status_code // 100}xx"] += 1
