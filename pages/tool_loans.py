"""Tool loans (工具借用): tools lent from the store are registered and returned;
damage is reported; overdue loans are listed."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from services import clock, issuing
from services.errors import ServiceError
from ui.i18n import t
from ui.session import actor, after_write, get_db, require_roles
from ui.widgets import compact_table, show_service_error

user = require_roles("keeper", "supervisor")
db = get_db()
# What a 768 px tablet shows of a loan; a tapped row shows the rest.
LOAN_COLUMNS = ["number", "tool_name", "borrower", "due_date", "days_overdue"]
ss = st.session_state


def shown(df):
    df = df.copy()
    for column in ("lent_at", "returned_at"):
        df[column] = df[column].map(lambda v: v.strftime("%Y-%m-%d %H:%M") if v is not None
                                    and v == v else "")
    for column in ("damaged", "overdue"):
        df[column] = df[column].map(lambda b: t("common.yes") if b else "")
    return df


def done(message_key: str, **params) -> None:
    after_write()
    ss["tools_msg"] = (message_key, params)
    st.rerun()


st.title(t("tools.title"))
if ss.get("tools_msg"):
    key, params = ss.pop("tools_msg")
    st.success(t(key, **params), icon=":material/check_circle:")

tab_lend, tab_return, tab_overdue, tab_register = st.tabs([
    t("tools.tab_lend"), t("tools.tab_return"), t("tools.tab_overdue"), t("tools.tab_register")])
tools = issuing.list_tools(db)

with tab_lend:
    free = {x["code"]: f"{x['code']} · {x['name']}" for x in tools
            if x["active"] and not x["on_loan"]}
    if not free:
        st.info(t("tools.none_available"))
    else:
        with st.form("tool_lend", clear_on_submit=True):
            l1, l2, l3 = st.columns(3)
            tool = l1.selectbox(t("field.tool"), list(free), format_func=free.get)
            borrower = l2.text_input(t("field.borrower"), max_chars=100)
            due = l3.date_input(t("field.due_date"), value=clock.today() + timedelta(days=1),
                                min_value=clock.today())
            note = st.text_input(t("field.note"), max_chars=200)
            if st.form_submit_button(t("tools.lend"), type="primary", icon=":material/output:",
                                     width="stretch"):
                try:
                    number = issuing.lend_tool(db, actor=actor(), tool=tool, borrower=borrower,
                                               due_date=due, note=note)
                except ServiceError as exc:
                    show_service_error(exc)
                else:
                    done("tools.lent", number=number)

with tab_return:
    loans = issuing.list_tool_loans(db, open_only=True)
    if loans.empty:
        st.info(t("tools.no_open"))
    else:
        compact_table(shown(loans), "tool_loans_open", LOAN_COLUMNS, prefix="iss.col")
        labels = {r.number: f"{r.number} · {r.tool} · {r.borrower}" for r in loans.itertuples()}
        with st.form("tool_return", clear_on_submit=True):
            loan = st.selectbox(t("field.loan"), list(labels), format_func=labels.get)
            damaged = st.checkbox(t("tools.damaged"))
            note = st.text_input(t("field.note"), max_chars=200)
            if st.form_submit_button(t("tools.return"), type="primary", icon=":material/input:",
                                     width="stretch"):
                try:
                    issuing.return_tool(db, actor=actor(), loan=loan, damaged=damaged, note=note)
                except ServiceError as exc:
                    show_service_error(exc)
                else:
                    done("tools.returned", loan=loan)

with tab_overdue:
    late = issuing.overdue_tool_loans(db)
    if late.empty:
        st.info(t("tools.no_overdue"))
    else:
        compact_table(shown(late), "tool_loans_late", LOAN_COLUMNS, prefix="iss.col")

with tab_register:
    if tools:
        table = [{"code": x["code"], "name": x["name"],
                  "active": t("common.yes") if x["active"] else t("common.no"),
                  "on_loan": t("common.yes") if x["on_loan"] else "", "note": x["note"]}
                 for x in tools]
        compact_table(pd.DataFrame(table), "tools_table", ["code", "name", "active", "on_loan"],
                      prefix="iss.col")
    if user.has("supervisor", "admin"):
        with st.form("tool_add", clear_on_submit=True):
            a1, a2 = st.columns(2)
            code = a1.text_input(t("field.code"), max_chars=40)
            name = a2.text_input(t("field.name"), max_chars=120)
            note = st.text_input(t("field.note"), max_chars=200)
            if st.form_submit_button(t("tools.add"), type="primary", icon=":material/add:",
                                     width="stretch"):
                try:
                    issuing.create_tool(db, actor=actor(), code=code, name=name, note=note)
                except ServiceError as exc:
                    show_service_error(exc)
                else:
                    done("tools.added", code=code.strip().upper())
