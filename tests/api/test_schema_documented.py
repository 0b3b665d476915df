"""The request bodies the API takes through the activity forms, read from the OpenAPI
schema (the document ``/api/schema/`` serves): a field the form may leave empty is not
required, every field says what it is, and the schema's limits are the form's.

Each body is found from its operation: one per activity and per extra action of
``deployments.activities``, the decisions and the hand-fired transitions."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from changes.services import STEPS
from deployments.forms import DecisionForm
from deployments.plan_content import ITEMS
from releases import registry
from releases.forms import TransitionForm

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]
OPERATIONS = {
    operation["operationId"]: operation
    for path_item in SCHEMA["paths"].values()
    for method, operation in path_item.items()
    if method != "parameters"
}

#: operationId: (the form that parses the body, fields the view adds to it)
FORM_OPERATIONS = {
    **{
        f"perform_{spec.code.replace('.', '_').lower()}": (spec.form, frozenset())
        for spec in registry.performed_by_form()
    },
    **{a.slug.replace("-", "_"): (a.form, frozenset()) for a in registry.all_actions()},
    "v1_releases_decisions_create": (DecisionForm, frozenset({"kind"})),
    "v1_releases_transitions_create": (TransitionForm, frozenset()),
}
WITH_BODY = sorted(op for op, (form, extra) in FORM_OPERATIONS.items() if form.base_fields)


def _body(operation_id) -> tuple[str, dict]:
    """The name and schema of the component every content type of the body refers to."""
    content = OPERATIONS[operation_id]["requestBody"]["content"]
    refs = {media["schema"]["$ref"] for media in content.values()}
    assert len(refs) == 1, refs
    name = refs.pop().removeprefix("#/components/schemas/")
    return name, COMPONENTS[name]


def _required(operation_id) -> set[str]:
    return set(_body(operation_id)[1].get("required", []))


def test_every_form_operation_is_in_the_schema():
    assert set(FORM_OPERATIONS) <= set(OPERATIONS)
    for operation_id, (form, _extra) in FORM_OPERATIONS.items():
        has_body = "requestBody" in OPERATIONS[operation_id]
        assert has_body == bool(form.base_fields), operation_id


@pytest.mark.parametrize(
    ("operation_id", "component", "required", "optional"),
    [
        pytest.param(
            "perform_rm_2_1",
            "PerformRm_2_1RequestRequest",
            set(),
            {"plan_completed", "documents_present", "missing", "complementary_rfc_title"},
            id="RM.2.1 consistency check",
        ),
        pytest.param(
            "perform_rm_1_3",
            "PerformRm_1_3RequestRequest",
            {"option", "summary", "components", "last_known_good_build", "rollback_procedure"},
            {item.slug for item in ITEMS} | {"risks", "phases"},
            id="RM.1.3 deployment plan",
        ),
        pytest.param(
            "perform_rm_3_3",
            "PerformRm_3_3RequestRequest",
            {"file"},
            {"accepted", "anomalies"},
            id="RM.3.3 testing environment",
        ),
        pytest.param(
            "add_task",
            "AddTaskRequestRequest",
            {"title", "owner_party", "due_date"},
            {"assignee"},
            id="RM.3.1 add a task",
        ),
        pytest.param(
            "v1_releases_decisions_create",
            "RecordDecisionRequestRequest",
            {"kind", "business_thread", "verdict"},
            {"consequence", "decided_by_name", "decided_at", "evidence", "evidence_note"},
            id="decision",
        ),
    ],
)
def test_optional_fields_are_not_required(operation_id, component, required, optional):
    name, body = _body(operation_id)
    assert name == component
    assert set(body["properties"]) == required | optional
    assert set(body.get("required", [])) == required


def test_a_body_of_optional_fields_may_be_left_out():
    assert OPERATIONS["perform_rm_2_1"]["requestBody"].get("required", False) is False
    assert OPERATIONS["perform_rm_1_3"]["requestBody"]["required"] is True


def test_descriptions_are_the_help_text_or_else_the_label():
    consistency = _body("perform_rm_2_1")[1]["properties"]
    assert consistency["complementary_rfc_title"]["description"] == (
        "For a late change (a missing COTS, more storage...)."
    )
    assert consistency["complementary_rfc_title"]["title"] == "Raise a complementary RfC"
    assert consistency["missing"]["description"] == "What is missing"
    plan = _body("perform_rm_1_3")[1]["properties"]
    assert plan["components"]["description"] == (
        "The components to be delivered, one per line: name version."
    )
    # Neither help text nor label: the label the form shows, made from the name.
    assert plan["rollback_procedure"]["description"] == "Rollback procedure"
    decision = _body("v1_releases_decisions_create")[1]["properties"]
    assert decision["consequence"]["description"].startswith(
        "After a NOGO on pSAT or SAT: what happens to the release."
    )


def test_limits_are_the_forms():
    plan = _body("perform_rm_1_3")[1]["properties"]
    assert plan["last_known_good_build"]["maxLength"] == 100
    assert plan["summary"]["minLength"] == 1  # required text: not blank
    consistency = _body("perform_rm_2_1")[1]["properties"]
    assert consistency["complementary_rfc_title"]["maxLength"] == 200
    assert "minLength" not in consistency["missing"]  # optional text may be blank
    # An optional choice of a user by name may be sent blank, as the form takes it.
    assert "minLength" not in _body("add_task")[1]["properties"]["assignee"]


@pytest.mark.parametrize("operation_id", WITH_BODY)
def test_every_property_is_described(operation_id):
    name, body = _body(operation_id)
    assert body["properties"], name
    for field, schema in body["properties"].items():
        assert str(schema.get("description", "")).strip(), f"{name}.{field}"


@pytest.mark.parametrize("operation_id", WITH_BODY)
def test_required_is_what_the_form_requires(operation_id):
    form, extra = FORM_OPERATIONS[operation_id]
    name, body = _body(operation_id)
    form_required = {field for field, f in form.base_fields.items() if f.required}
    assert set(body["properties"]) == set(form.base_fields) | extra, name
    assert set(body.get("required", [])) == form_required | extra, name
    body_required = OPERATIONS[operation_id]["requestBody"].get("required", False)
    assert body_required == bool(form_required | extra), name
    for field, f in form.base_fields.items():
        schema = body["properties"][field]
        assert "nullable" not in schema, f"{name}.{field}"
        if getattr(f, "max_length", None) is not None:
            assert schema["maxLength"] == f.max_length, f"{name}.{field}"


# --- change management's API: bodies that no form parses ------------------------------

CHANGE_PATHS = ("/api/v1/rfcs/", "/api/v1/cab-meetings/", "/api/v1/change-models/")
CHANGE_OPERATIONS = {
    f"{method.upper()} {path}": operation
    for path, item in SCHEMA["paths"].items()
    if path.startswith(CHANGE_PATHS)
    for method, operation in item.items()
    if method != "parameters"
}


def test_every_change_management_endpoint_is_in_the_schema():
    assert set(CHANGE_OPERATIONS) == {
        "GET /api/v1/rfcs/",
        "POST /api/v1/rfcs/",
        "GET /api/v1/rfcs/{reference}/",
        "PATCH /api/v1/rfcs/{reference}/",
        "POST /api/v1/rfcs/{reference}/steps/{name}/",
        "POST /api/v1/rfcs/{reference}/review/",
        "GET /api/v1/rfcs/{reference}/attachments/",
        "POST /api/v1/rfcs/{reference}/attachments/",
        "GET /api/v1/rfcs/{reference}/attachments/{id}/",
        "GET /api/v1/rfcs/{reference}/history/",
        "GET /api/v1/rfcs/schedule/",
        "GET /api/v1/rfcs/schedule/export/",
        "GET /api/v1/cab-meetings/",
        "POST /api/v1/cab-meetings/",
        "GET /api/v1/cab-meetings/{id}/",
        "POST /api/v1/cab-meetings/{id}/agenda/",
        "POST /api/v1/cab-meetings/{id}/advice/",
        "POST /api/v1/cab-meetings/{id}/decisions/",
        "POST /api/v1/cab-meetings/{id}/minutes/",
        "GET /api/v1/change-models/",
    }


@pytest.mark.parametrize("key", sorted(CHANGE_OPERATIONS))
def test_change_management_endpoints_say_what_they_do_and_how_they_fail(key):
    operation = CHANGE_OPERATIONS[key]
    assert operation.get("summary"), key
    assert operation.get("description"), key
    errors = {code for code in operation["responses"] if code >= "400"}
    assert "401" in errors, key
    if key.startswith(("POST", "PATCH")):
        assert {"400", "403", "415"} <= errors, key
        if "{" in key:  # a write on an RfC or a meeting: not found, or not now
            assert {"404", "409"} <= errors, key
        body = next(iter(operation["requestBody"]["content"].values()))["schema"]
        name = body["$ref"].removeprefix("#/components/schemas/")
        for field, schema in COMPONENTS[name]["properties"].items():
            assert str(schema.get("description", "")).strip(), f"{name}.{field}"


def test_the_steps_are_named_in_the_path():
    [name] = [
        p
        for p in CHANGE_OPERATIONS["POST /api/v1/rfcs/{reference}/steps/{name}/"]["parameters"]
        if p["name"] == "name"
    ]
    assert name["schema"]["enum"] == sorted(STEPS)
    assert "`withdraw`: Withdraw (its requester; a reason is required)" in name["description"]
