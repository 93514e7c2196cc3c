"""Reading the two HR files: decoding, the header, one checked row per line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from upskill.models import EXTERNAL_KEY_LENGTH, JobRole, Team
from upskill.services.hr_sync.report import ACTIVE, LEAVER, PEOPLE_COLUMNS, TEAM_COLUMNS, RowError


def _decode(content: bytes | str, *, file_name: str, errors: list[RowError]) -> str | None:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            RowError(file_name, 0, f"is not UTF-8 (byte {exc.start + 1}); export it as UTF-8.")
        )
        return None


def _rows(
    content: bytes | str,
    *,
    file_name: str,
    columns: tuple[str, ...],
    errors: list[RowError],
    optional: tuple[str, ...] = (),
) -> list[tuple[int, dict[str, str]]]:
    """(line, values) per non-empty row: every required column (a short row reads as
    empty cells) and each optional one the header has."""
    text = _decode(content, file_name=file_name, errors=errors)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        errors.append(RowError(file_name, 1, f"cannot be read as CSV ({exc})."))
        return []
    missing = [column for column in columns if column not in header]
    if missing:
        errors.append(
            RowError(
                file_name,
                1,
                f"the header lacks {', '.join(missing)}; expected {','.join(columns)}.",
            )
        )
        return []
    reader.fieldnames = header
    read = columns + tuple(column for column in optional if column in header)
    rows = []
    try:
        for row in reader:
            values = {column: (row.get(column) or "").strip() for column in read}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        errors.append(RowError(file_name, reader.line_num, f"cannot be read as CSV ({exc})."))
    return rows


@dataclass
class _TeamRow:
    line: int
    team_id: str
    name: str
    parent_team_id: str
    leader_ids: list[str]


@dataclass
class _PersonRow:
    line: int
    employee_id: str
    email: str
    first_name: str
    last_name: str
    team_id: str
    job_role: str
    manager_id: str
    status: str
    extra: dict[str, str] = field(default_factory=dict)  # optional columns the header has


def _too_long(value: str, limit: int) -> bool:
    return len(value) > limit


def _team_rows(content, *, file_name: str, errors: list[RowError]) -> dict[str, _TeamRow]:
    name_limit = Team._meta.get_field("name").max_length
    teams: dict[str, _TeamRow] = {}
    for line, values in _rows(content, file_name=file_name, columns=TEAM_COLUMNS, errors=errors):
        team_id, name = values["team_id"], values["name"]
        problems = [
            f"{column} is required." for column in ("team_id", "name") if not values[column]
        ]
        if _too_long(team_id, EXTERNAL_KEY_LENGTH):
            problems.append(f"team_id is longer than {EXTERNAL_KEY_LENGTH} characters.")
        if _too_long(name, name_limit):
            problems.append(f"name is longer than {name_limit} characters.")
        if team_id in teams:
            problems.append(
                f"team_id {team_id!r} appears twice (first on line {teams[team_id].line})."
            )
        errors.extend(RowError(file_name, line, problem) for problem in problems)
        if problems:
            continue
        leader_ids = [part.strip() for part in values["leader_employee_ids"].split(";")]
        teams[team_id] = _TeamRow(
            line=line,
            team_id=team_id,
            name=name,
            parent_team_id=values["parent_team_id"],
            leader_ids=[leader for leader in dict.fromkeys(leader_ids) if leader],
        )
    return teams


def _people_rows(
    content, *, file_name: str, errors: list[RowError], optional: tuple[str, ...] = ()
) -> dict[str, _PersonRow]:
    User = get_user_model()
    limits = {
        "email": User._meta.get_field("email").max_length,
        "first_name": User._meta.get_field("first_name").max_length,
        "last_name": User._meta.get_field("last_name").max_length,
        "job_role": JobRole._meta.get_field("name").max_length,
        "employee_id": EXTERNAL_KEY_LENGTH,
    }
    people: dict[str, _PersonRow] = {}
    email_lines: dict[str, int] = {}
    for line, values in _rows(
        content, file_name=file_name, columns=PEOPLE_COLUMNS, errors=errors, optional=optional
    ):
        status = values["status"].lower()
        problems = []
        if status not in (ACTIVE, LEAVER):
            problems.append(f"status {values['status']!r} is not one of: active, leaver.")
        required = ("employee_id",) if status == LEAVER else (
            "employee_id", "email", "first_name", "team_id", "job_role"
        )  # fmt: skip
        problems += [f"{column} is required." for column in required if not values[column]]
        problems += [
            f"{column} is longer than {limit} characters."
            for column, limit in limits.items()
            if _too_long(values[column], limit)
        ]
        employee_id, email = values["employee_id"], values["email"]
        if employee_id and employee_id in people:
            problems.append(
                f"employee_id {employee_id!r} appears twice "
                f"(first on line {people[employee_id].line})."
            )
        if email and status == ACTIVE:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"email {email!r} is not an email address.")
            if email.lower() in email_lines:
                problems.append(
                    f"email {email!r} appears twice (first on line {email_lines[email.lower()]})."
                )
            else:
                email_lines[email.lower()] = line
        errors.extend(RowError(file_name, line, problem) for problem in problems)
        if problems:
            continue
        people[employee_id] = _PersonRow(
            line=line,
            employee_id=employee_id,
            email=email,
            first_name=values["first_name"],
            last_name=values["last_name"],
            team_id=values["team_id"],
            job_role=values["job_role"],
            manager_id=values["manager_employee_id"],
            status=status,
            extra={column: values[column] for column in optional if column in values},
        )
    return people
