"""Audit trail (操作日志): who did what and when, filtered by user, action and date,
exported to Excel. Finance and admin."""
import streamlit as st

from ui.i18n import t
from ui.report_widgets import call, date_range_picker, excel_button, fetch, page_controls, show_frame
from ui.session import actor, require_roles

require_roles("finance", "admin")
st.title(t("nav.audit"))

choices = call("audit_filters", actor=actor())
if choices is None:
    st.stop()
left, middle, right = st.columns(3)
user = left.selectbox(t("rcol.actor"), ["", *choices["actors"]], key="audit_user",
                      format_func=lambda v: v or t("common.all"))
action = middle.selectbox(t("rcol.action"), ["", *choices["actions"]], key="audit_action",
                          format_func=lambda v: v or t("common.all"))
search = right.text_input(t("rep.audit_search"), key="audit_search",
                          placeholder=t("rep.audit_search_hint"))
start, end = date_range_picker("audit", days=30)
filters = dict(user=user or None, action=action or None, start=start, end=end,
               search=search.strip() or None)
total = call("audit_trail_count", actor=actor(), **filters)
if total is None:
    st.stop()
limit, offset = page_controls(total, "audit")
events = call("audit_trail", actor=actor(), limit=limit, offset=offset, **filters)
if events is not None:
    if events.empty:
        st.info(t("common.none_found"))
    else:
        show_frame(events, total=total)
me = actor()
title = t("nav.audit")
excel_button(lambda: [(fetch("audit_trail", actor=me, limit=50000, **filters), title)],
             filename=f"audit_trail_{start}_{end}.xlsx", heading=title,
             subtitle=t("rep.range_line", start=start or "…", end=end or "…"),
             key="audit_excel")
