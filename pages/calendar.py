"""Working-day calendar: holidays and weekend days worked (调休). Claim deadlines
(one working day per step) are counted in it."""
from datetime import date

import pandas as pd
import streamlit as st

from services import calendar, clock
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.widgets import labelled, run_action

require_roles("admin")
db = get_db()
st.title(t("nav.calendar"))
st.caption(t("cal.help"))

year = st.number_input(t("cal.year"), 2000, 2100, clock.today().year, key="cal_year")
with st.form("cal_form", clear_on_submit=True):
    left, middle = st.columns(2)
    day = left.date_input(t("cal.day"), clock.today(), format="YYYY-MM-DD",
                          min_value=date(2000, 1, 1))
    kind = middle.selectbox(t("cal.kind"), ["holiday", "workday", "normal"],
                            format_func=lambda k: t(f"cal.kind.{k}"))
    name = st.text_input(t("cal.name"), max_chars=100)
    if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
        if run_action(lambda: calendar.set_day(db, actor=actor(), day=day, kind=kind,
                                               name=name), "common.saved"):
            st.rerun()

days = calendar.list_days(db, year=int(year))
if not days:
    st.info(t("cal.none"))
else:
    st.dataframe(labelled(pd.DataFrame([{
        "day": d["day"].isoformat(), "weekday": t(f"cal.weekday.{d['day'].weekday()}"),
        "kind": t(f"cal.kind.{d['kind']}"), "name": d["name"], "set_by": d["set_by"]}
        for d in days]), "cal.col"), hide_index=True, width="stretch")
