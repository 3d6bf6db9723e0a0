"""The tool register: lending and returning tools (工具借用)."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db import Database
from db.models import Tool, ToolLoan
from services import clock
from services.common import audit, clean_text, next_number, require_role
from services.errors import NotFound, ValidationError

from services.issuing.common import ISSUE_ROLES, TOOL_REGISTER_ROLES


def create_tool(db: Database, *, actor, code, name, note="") -> None:
    code = clean_text(code, "code", max_len=40, required=True).upper()
    name = clean_text(name, "name", max_len=120, required=True)
    note = clean_text(note, "note", max_len=200)

    def work(session):
        require_role(session, actor, *TOOL_REGISTER_ROLES)
        if session.scalar(select(Tool.id).where(Tool.code == code)):
            from services.errors import Duplicate

            raise Duplicate(field="code", value=code)
        session.add(Tool(code=code, name=name, note=note))
        audit(session, actor, "tool.create", "tool", code, name=name)

    db.write(work)


def list_tools(db: Database, *, active_only: bool = False) -> list[dict]:
    with db.read() as session:
        on_loan = set(session.scalars(select(ToolLoan.tool_id).where(
            ToolLoan.returned_at.is_(None))))
        query = select(Tool).order_by(Tool.code)
        if active_only:
            query = query.where(Tool.active.is_(True))
        return [{"code": t.code, "name": t.name, "active": t.active, "note": t.note,
                 "on_loan": t.id in on_loan} for t in session.scalars(query)]


def lend_tool(db: Database, *, actor, tool, borrower, due_date: date, note="") -> str:
    """Register a tool going out (TL-YYYY-MM-NNNN); returns the loan number."""
    code = clean_text(tool, "tool", max_len=40, required=True).upper()
    borrower = clean_text(borrower, "borrower", max_len=100, required=True)
    note = clean_text(note, "note", max_len=200)
    if not isinstance(due_date, date):
        raise ValidationError("required", field="due_date")
    if isinstance(due_date, datetime):
        due_date = due_date.date()

    def work(session):
        user = require_role(session, actor, *ISSUE_ROLES)
        if due_date < clock.today():
            raise ValidationError("due_date_past", field="due_date")
        item = session.scalar(select(Tool).where(Tool.code == code).with_for_update())
        if item is None:
            raise NotFound(what="tool", key=code)
        if not item.active:
            raise ValidationError("tool_inactive", field="tool", tool=code)
        if session.scalar(select(ToolLoan.number).where(
                ToolLoan.tool_id == item.id, ToolLoan.returned_at.is_(None))):
            raise ValidationError("tool_on_loan", field="tool", tool=code)
        now = clock.now()
        number = next_number(session, "TL", now)
        session.add(ToolLoan(number=number, tool=item, borrower=borrower, lent_at=now,
                             lent_by_id=user.id, due_date=due_date, note=note))
        audit(session, actor, "tool.lend", "tool_loan", number, tool=code, borrower=borrower,
              due_date=due_date)
        return number

    return db.write(work)


def return_tool(db: Database, *, actor, loan, damaged=False, note="") -> None:
    """The tool came back; damage is reported (and takes the tool out of service)."""
    loan = clean_text(loan, "loan", max_len=30, required=True)
    note = clean_text(note, "note", max_len=200, required=bool(damaged))

    def work(session):
        user = require_role(session, actor, *ISSUE_ROLES)
        row = session.scalar(select(ToolLoan).where(ToolLoan.number == loan).with_for_update())
        if row is None:
            raise NotFound(what="tool_loan", key=loan)
        if row.returned_at is not None:
            raise ValidationError("loan_already_returned", field="loan", loan=loan)
        row.returned_at = clock.now()
        row.returned_to_id = user.id
        row.damaged = bool(damaged)
        row.return_note = note
        if damaged:
            row.tool.active = False
        audit(session, actor, "tool.return", "tool_loan", loan, tool=row.tool.code,
              damaged=bool(damaged), note=note)

    db.write(work)


def list_tool_loans(db: Database, *, open_only: bool = False, overdue_only: bool = False
                    ) -> pd.DataFrame:
    """Loans with ``overdue`` (still out after the due date) and days overdue."""
    columns = ["number", "tool", "tool_name", "borrower", "lent_at", "due_date",
               "returned_at", "damaged", "overdue", "days_overdue", "note", "return_note"]
    today = clock.today()
    with db.read() as session:
        query = (select(ToolLoan).options(selectinload(ToolLoan.tool))
                 .order_by(ToolLoan.due_date, ToolLoan.id))
        if open_only or overdue_only:
            query = query.where(ToolLoan.returned_at.is_(None))
        if overdue_only:
            query = query.where(ToolLoan.due_date < today)
        rows = []
        for loan in session.scalars(query):
            late = loan.returned_at is None and loan.due_date < today
            rows.append([loan.number, loan.tool.code, loan.tool.name, loan.borrower,
                         clock.to_local(loan.lent_at), loan.due_date,
                         clock.to_local(loan.returned_at) if loan.returned_at else None,
                         loan.damaged, late, (today - loan.due_date).days if late else 0,
                         loan.note, loan.return_note])
        return pd.DataFrame(rows, columns=columns)


def overdue_tool_loans(db: Database) -> pd.DataFrame:
    return list_tool_loans(db, overdue_only=True)
