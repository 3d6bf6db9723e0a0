"""Books check (帐、物、卡三者一致): the ledger, the lots and the cached balances must
agree, and closed months must still match the ledger. Finance and admin."""
import pandas as pd
import streamlit as st

from ui.i18n import t
from ui.report_widgets import call, excel_button, fmt_money, fmt_qty, link
from ui.session import actor, require_roles
from ui.widgets import paged_table

require_roles("finance", "admin")
st.title(t("nav.consistency"))
st.caption(t("rep.consistency_explain"))

report = call("consistency_report", actor=actor())
if report is None:
    st.stop()
st.caption(t("rep.checked_at", at=report["checked_at"].strftime("%Y-%m-%d %H:%M:%S")))
cols = st.columns(3)
cols[0].metric(t("rep.ledger_books"), fmt_qty(report["ledger_qty"]),
               delta=fmt_money(report["ledger_value"]), delta_color="off", delta_arrow="off")
cols[1].metric(t("rep.lot_books"), fmt_qty(report["lot_qty"]))
cols[2].metric(t("rep.balance_books"), fmt_qty(report["balance_qty"]),
               delta=fmt_money(report["balance_value"]), delta_color="off", delta_arrow="off")
if report["ok"]:
    st.success(t("rep.books_agree", positions=report["positions"]), icon=":material/verified:")
else:
    st.error(t("rep.books_disagree", count=len(report["problems"])), icon=":material/error:")
    problems = pd.DataFrame({"problem": report["problems"]})
    paged_table(problems, "consistency_problems", prefix="rcol")
    title = t("nav.consistency")
    excel_button(lambda: [(problems, title)], filename="books_check.xlsx", heading=title,
                 subtitle=t("rep.checked_at", at=report["checked_at"].strftime("%Y-%m-%d %H:%M")),
                 key="consistency_excel")
if st.button(t("rep.check_again"), icon=":material/refresh:", width="stretch"):
    st.rerun()
link("pages/report_monthly.py", t("nav.report_monthly"), ":material/calendar_month:")
link("pages/audit.py", t("nav.audit"), ":material/history:")
