"""CSV import of contacts and leads: plan (validate + find duplicates), then import all or nothing.

The admin shows the plan as a preview; confirming re-plans against the
database as it is then and imports every new row through
``create_lead_with_contact`` in one transaction, so a file is never half
imported and each lead gets the same history and automation as one made
in the app or the API.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from pipelines.models import Pipeline
from vchata.accounts.models import Organization, User
from vchata.actors import Actor, acting_as
from vchata.exceptions import DomainError

from .custom_fields import validate_custom_fields
from .models import Contact, CustomField, Lead
from .services import create_lead_with_contact

# One request imports the file (~16 queries a row through the services, about
# 10-20 ms a row on PostgreSQL), so a file stays well inside a request timeout.
MAX_ROWS = 1000
MAX_BYTES = 2 * 1024 * 1024
CONTACT_COLUMNS = ("name", "email", "phone", "company")
COLUMNS = (
    *CONTACT_COLUMNS,
    "source",
    "value",
    "notes",
    "stage",
    "assigned_to",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}


class ImportFailed(Exception):
    """The database refused a row during the import; nothing was imported."""

    def __init__(self, row_number: int, message: str):
        super().__init__(f"Row {row_number}: {message}")
        self.row_number = row_number
        self.message = message


class RowForm(forms.Form):
    """The plain fields of one row; names and limits are those of the models."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    company = forms.CharField(max_length=200, required=False)
    source = forms.CharField(max_length=100, required=False)
    value = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), required=False)
    notes = forms.CharField(required=False)
    stage = forms.CharField(required=False)
    assigned_to = forms.EmailField(required=False)
    utm_source = forms.CharField(max_length=200, required=False)
    utm_medium = forms.CharField(max_length=200, required=False)
    utm_campaign = forms.CharField(max_length=200, required=False)
    utm_term = forms.CharField(max_length=200, required=False)
    utm_content = forms.CharField(max_length=200, required=False)


@dataclass
class ImportRow:
    number: int  # line in the file (the header is line 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    duplicate: str = ""
    existing_contact: bool = False
    contact: dict[str, str] = field(default_factory=dict)
    lead_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.errors:
            return "error"
        return "duplicate" if self.duplicate else "new"


@dataclass
class ImportPlan:
    org: Organization
    pipeline: Pipeline
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def duplicate_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.state == "duplicate"]

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.state == "new"]

    @property
    def ready(self) -> bool:
        """Importable: no problem anywhere, and something to import."""
        return not self.file_errors and not self.error_rows and bool(self.new_rows)


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV (UTF-8, with or without a byte-order mark)."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("The file is not UTF-8 text; export it from your spreadsheet as “CSV UTF-8”.") from exc


def column_key(header: str) -> str:
    """``"Utm Source"``, ``"utmSource"``, ``"utm-source"`` → ``"utm_source"``."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", header.strip())
    return re.sub(r"[\s\-]+", "_", snake).lower()


def plan_import(*, org: Organization, pipeline: Pipeline, text: str) -> ImportPlan:
    """Validate every row and flag duplicates; writes nothing.

    A row is a duplicate when an earlier row has the same email, or when the
    org already has a lead in ``pipeline`` for a contact with that email.
    A duplicate is skipped, not imported twice; an invalid row blocks the file.
    """
    plan = ImportPlan(org=org, pipeline=pipeline)
    reader = csv.DictReader(io.StringIO(text))
    headers = reader.fieldnames or []
    custom_fields = {d.key: d for d in CustomField.objects.for_org(org)}
    columns = {header: column_key(header) for header in headers}
    plan.ignored_columns = [h for h, key in columns.items() if key not in COLUMNS and key not in custom_fields]
    if "name" not in columns.values():
        plan.file_errors.append("The file has no “name” column (the first line must be the column names).")
        return plan
    try:
        records = list(reader)
    except csv.Error as exc:
        plan.file_errors.append(f"The file is not valid CSV: {exc}")
        return plan
    if not records:
        plan.file_errors.append("The file has no rows under its header line.")
        return plan
    if len(records) > MAX_ROWS:
        plan.file_errors.append(f"The file has {len(records)} rows; import at most {MAX_ROWS} at a time.")
        return plan

    stages = {stage.name.strip().lower(): stage for stage in pipeline.stages.order_by("order")}
    members = {
        user.email: user for user in User.objects.filter(memberships__organization=org).order_by("email").distinct()
    }
    for number, record in enumerate(records, start=2):
        values = {columns[h]: (v or "").strip() for h, v in record.items() if h in columns}
        row = ImportRow(number=number, values=values)
        _validate_row(row, org=org, stages=stages, members=members, custom_fields=custom_fields)
        plan.rows.append(row)
    _flag_duplicates(plan)
    return plan


def _validate_row(row: ImportRow, *, org, stages, members, custom_fields) -> None:
    form = RowForm({key: row.values.get(key, "") for key in COLUMNS})
    if not form.is_valid():
        for name, messages in form.errors.items():
            row.errors += [f"{name}: {message}" for message in messages]
        return
    data = form.cleaned_data
    stage = None
    if data["stage"]:
        stage = stages.get(data["stage"].lower())
        if stage is None:
            row.errors.append(f"stage: “{data['stage']}” is not a stage of this pipeline")
    assignee = None
    if data["assigned_to"]:
        assignee = members.get(data["assigned_to"].lower())
        if assignee is None:
            row.errors.append(f"assigned_to: {data['assigned_to']} is not a member of this organization")
    custom = {}
    if custom_fields:
        custom = _custom_values(row, custom_fields)
        try:
            custom = validate_custom_fields(org, custom)
        except DomainError as exc:
            messages = exc.message if isinstance(exc.message, list) else [exc.message]
            # The file names the column, not the API's customFields object.
            row.errors += [message.removeprefix("customFields.") for message in messages]
    if row.errors:
        return
    row.contact = {name: data[name] for name in CONTACT_COLUMNS}
    row.lead_fields = {
        "stage": stage,
        "assigned_to": assignee,
        "source": data["source"] or None,
        "value": data["value"],
        "notes": data["notes"],
        "custom_fields": custom,
        **{name: data[name] or None for name in COLUMNS if name.startswith("utm_")},
    }


def _custom_values(row: ImportRow, definitions: dict[str, CustomField]) -> dict[str, Any]:
    """Cell text → the JSON type each custom field holds; an empty cell is "not set"."""
    values: dict[str, Any] = {}
    for key, definition in definitions.items():
        text = row.values.get(key, "")
        if text == "":
            continue
        if definition.type == CustomField.Type.NUMBER:
            try:
                number = Decimal(text)
            except ArithmeticError:
                row.errors.append(f"{key}: “{text}” is not a number")
                continue
            values[key] = int(number) if number == number.to_integral_value() else float(number)
        elif definition.type == CustomField.Type.BOOLEAN:
            if text.lower() not in TRUE_WORDS | FALSE_WORDS:
                row.errors.append(f"{key}: “{text}” is not yes/no")
                continue
            values[key] = text.lower() in TRUE_WORDS
        else:
            values[key] = text
    return values


def _flag_duplicates(plan: ImportPlan) -> None:
    candidates = [row for row in plan.rows if not row.errors and row.contact.get("email")]
    emails = {row.contact["email"].lower() for row in candidates}
    # Two queries for the whole file, never one per row.
    with_lead = set(
        Lead.objects.for_org(plan.org)
        .filter(pipeline=plan.pipeline)
        .annotate(email_ci=Lower("contact__email"))
        .filter(email_ci__in=emails)
        .values_list("email_ci", flat=True)
    )
    known = set(
        Contact.objects.for_org(plan.org)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails)
        .values_list("email_ci", flat=True)
    )
    first_row: dict[str, int] = {}
    for row in candidates:
        email = row.contact["email"].lower()
        row.existing_contact = email in known
        if email in first_row:
            row.duplicate = f"same email as row {first_row[email]}"
        elif email in with_lead:
            row.duplicate = f"{email} already has a lead in {plan.pipeline.name}"
        first_row.setdefault(email, row.number)


def run_import(plan: ImportPlan, *, actor: User | None) -> int:
    """Create a contact (or reuse one by email) and a lead for every new row; all or nothing.

    Returns how many leads were created. Raises ``ImportFailed`` (having
    imported nothing) if a row is refused, e.g. by a change made since the plan.
    """
    if not plan.ready:
        raise ValueError("Only a plan without errors can be imported")
    # Each lead's record of creation names the import (and who ran it), not just the user.
    with transaction.atomic(), acting_as(Actor.for_import(actor)):
        for row in plan.new_rows:
            try:
                create_lead_with_contact(
                    org=plan.org, actor=actor, contact=row.contact, pipeline=plan.pipeline, **row.lead_fields
                )
            except (DomainError, IntegrityError) as exc:
                message = getattr(exc, "message", None) or str(exc)
                raise ImportFailed(row.number, "; ".join(message) if isinstance(message, list) else message) from exc
    return len(plan.new_rows)
