"""Claims on screen: the list (overdue in red with their age), one claim with its
photos and timeline, the actions, and the home-screen tile."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from services import claims, clock, users
from services.errors import ServiceError
from ui import evidence
from ui.i18n import t
from ui.report_widgets import link
from ui.session import actor, current_user, get_db
from ui.widgets import (compact_table, labelled, people, person_label, run_action,
                        show_service_error)

OVERDUE_STYLE = "color: #b42318; font-weight: 600"
TABLE_COLUMNS = ["number", "kind", "status", "supplier", "receipt", "sku", "qty", "value",
                 "owner", "age", "due_at"]
TABLET_COLUMNS = ["number", "kind", "status", "supplier", "age"]


def age_text(hours: int) -> str:
    days, rest = divmod(int(hours), 24)
    return t("claims.age_days", days=days, hours=rest) if days else t("claims.age_hours",
                                                                       hours=rest)


def local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def money(value) -> str:
    return "" if value is None or pd.isna(value) else f"{Decimal(value):,.2f}"


def qty(value) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def claims_table(frame: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        "number": frame["number"], "kind": frame["kind"].map(lambda k: t(f"claim_kind.{k}")),
        "status": frame["status"].map(lambda s: t(f"claim_status.{s}")),
        "supplier": frame["supplier_name"], "receipt": frame["receipt"], "sku": frame["sku"],
        "qty": frame["qty"].map(qty), "value": frame["value"].map(money),
        "owner": frame["owner"], "age": frame["age_hours"].map(age_text),
        "due_at": frame["due_at"].map(local)}, columns=TABLE_COLUMNS)
    overdue = list(frame["overdue"])

    def red(row):
        return [OVERDUE_STYLE if overdue[row.name] else ""] * len(row)

    # the columns a 768 px tablet shows; the claim picked below shows everything
    tablet = shown.reset_index(drop=True)[TABLET_COLUMNS]
    st.dataframe(labelled(tablet, "claims.col").style.apply(red, axis=1), hide_index=True,
                 width="stretch",
                 column_config={t("claims.col.supplier"): st.column_config.Column(width="medium")})


def claim_detail(number: str) -> None:
    try:
        view = claims.get_claim(get_db(), number)
    except ServiceError as exc:
        show_service_error(exc)
        return
    st.subheader(t("claims.heading", number=view.number, kind=t(f"claim_kind.{view.kind}"),
                   supplier=view.supplier_name))
    a, b, c, d = st.columns(4)
    a.metric(t("claims.col.status"), t(f"claim_status.{view.status}"))
    b.metric(t("claims.col.owner"), view.owner)
    c.metric(t("claims.col.value"), money(view.value))
    hours = int((clock.now() - view.raised_at).total_seconds() // 3600)
    d.metric(t("claims.col.due_at"), local(view.due_at)[5:],
             delta=t("claims.overdue_by", age=age_text(hours)) if view.overdue else None,
             delta_color="inverse" if view.overdue else "off")
    st.caption(t("claims.meta", po=view.po_number or "—", receipt=view.receipt or "—",
                 note=view.delivery_note_no or "—", rts=view.return_number or "—",
                 refusal=view.refusal or "—", raised_by=view.raised_by,
                 raised_at=local(view.raised_at)))
    if view.credit_amount is not None:
        st.info(t("claims.credited", amount=money(view.credit_amount)))
    if view.lines:
        compact_table(pd.DataFrame([{
            "line_no": ln.line_no or "", "sku": ln.sku, "name": ln.name, "qty": qty(ln.qty),
            "unit_price": money(ln.unit_price), "value": money(ln.value)}
            for ln in view.lines]), f"claim_lines_{view.number}",
            ["sku", "name", "qty", "unit_price", "value"], prefix="claims.col")
    st.markdown(f"**{t('claims.photos')}**")
    evidence.gallery(view.photos, key=f"claim_{view.number}")
    user = current_user()
    if view.status != "closed" and user.has(*evidence.attachments.CLAIM_ROLES):
        evidence.add_photos(view.number, key=f"claim_add_{view.number}")
    st.markdown(f"**{t('claims.timeline')}**")
    names = people(get_db(), [e.actor for e in view.events])
    compact_table(pd.DataFrame([{
        "at": local(e.at), "actor": who,
        "change": (t(f"claim_status.{e.from_status}") + " → " if e.from_status else "")
        + t(f"claim_status.{e.to_status}"),
        "note": e.note, "credit_amount": money(e.credit_amount),
        "approved_by": e.approved_by or ""} for e, who in zip(view.events, names)]),
        f"claim_events_{view.number}", ["at", "actor", "change", "note"], prefix="claims.col")
    pack_buttons(view.number, key=f"pack_{view.number}")
    action_form(view)


def action_form(view) -> None:
    user = current_user()
    options = claims.next_statuses(view.status, user.roles)
    if not options:
        return
    with st.form(f"claim_action_{view.number}", clear_on_submit=True):
        st.markdown(f"**{t('claims.action')}**")
        status = st.selectbox(t("claims.next_status"), options,
                              format_func=lambda s: t(f"claim_status.{s}"))
        note = st.text_area(t("field.note"), max_chars=1000, height=80)
        credit = st.text_input(t("claims.credit_amount"))
        st.caption(t("claims.write_off_help"))
        managers = [u for u in users.users_with_role(get_db(), "manager") if u != user.username]
        left, right = st.columns(2)
        approver = left.selectbox(t("claims.approver"), [""] + managers,
                                  format_func=person_label(get_db(), managers))
        password = right.text_input(t("claims.approver_password"), type="password")
        if st.form_submit_button(t("claims.apply"), type="primary", width="stretch"):
            done = run_action(lambda: claims.update_claim(
                get_db(), actor=actor(), number=view.number, status=status, note=note,
                credit_amount=credit.strip() or None if status == "credited" else None,
                approved_by=approver or None if status == "written_off" else None,
                approver_password=password or None if status == "written_off" else None),
                "claims.updated", number=view.number)
            if done is not None:
                st.rerun()


def home_tile(column) -> None:
    """Overdue claims in red with their age, and the newest open claims with a photo."""
    try:
        frame = claims.list_claims(get_db(), status="not_closed")
    except ServiceError as exc:
        show_service_error(exc)
        return
    overdue = frame[frame["overdue"]]
    with column.container(border=True):
        oldest = age_text(int(overdue["age_hours"].max())) if len(overdue) else None
        st.metric(t("home.claims_overdue"), len(overdue),
                  delta=t("claims.oldest", age=oldest) if oldest else None,
                  delta_color="inverse", delta_arrow="off",
                  help=t("home.claims_overdue_help", open=len(frame)))
        for row in overdue.head(3).itertuples():
            st.markdown(f":red[**{row.number}** · {t('claim_kind.' + row.kind)} · "
                        f"{age_text(row.age_hours)}]")
        newest = frame.head(1)
        for row in newest.itertuples():
            view = claims.get_claim(get_db(), row.number)
            st.caption(t("home.claims_newest", number=row.number,
                         kind=t(f"claim_kind.{row.kind}"), age=age_text(row.age_hours)))
            if view.photos:
                st.image(view.photos[0].thumbnail, width=160)
        link("pages/claims.py", t("nav.claims"), ":material/report:",
             query_params={"claim": newest.iloc[0]["number"]} if len(newest) else None)


def pack_buttons(number: str, *, key: str) -> None:
    """The claim pack (one claim, or "SUPPLIER/YYYY-MM") as PDF and Excel, built on
    click in the reader's language."""
    from services import documents
    from services.documents.claim import claim_pack_excel
    from ui.i18n import current_language

    lang = current_language()
    name = number.replace("/", "-")
    left, right = st.columns(2)
    left.download_button(
        t("claims.pack_pdf"), lambda: documents.render_pdf(get_db(), kind="claim",
                                                           number=number, language=lang),
        file_name=f"{name}.pdf", mime="application/pdf", key=f"{key}_pdf",
        icon=":material/picture_as_pdf:", on_click="ignore", width="stretch")
    right.download_button(
        t("claims.pack_excel"), lambda: claim_pack_excel(get_db(), number, lang),
        file_name=f"{name}.xlsx", key=f"{key}_xlsx", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", width="stretch")


def claims_by_month_chart(df: pd.DataFrame):
    """Claims raised per month and supplier (stacked bars), refused deliveries in
    the tooltip."""
    import altair as alt

    from ui.charts import numeric, supplier_label

    data = numeric(df, ["claim_value"])
    data["supplier"] = [supplier_label(n) for n in data["name"]]     # names, not codes
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=t("rcol.period")),
            y=alt.Y("claims:Q", title=t("rcol.claims")),
            color=alt.Color("supplier:N", title=t("rcol.supplier")),
            tooltip=[alt.Tooltip("period:O", title=t("rcol.period")),
                     alt.Tooltip("supplier:N", title=t("rcol.supplier")),
                     alt.Tooltip("claims:Q", title=t("rcol.claims")),
                     alt.Tooltip("claim_value:Q", title=t("rcol.claim_value"), format=",.2f"),
                     alt.Tooltip("refused_deliveries:Q", title=t("rcol.refused_deliveries"))],
        )
        .properties(height=240)
    )


def scorecard_claims(start, end) -> None:
    """The scorecard's claims section: a chart by month (over the chosen range)."""
    from ui.report_widgets import cached

    months = cached("supplier_claims_by_month", start, end)
    if months is None or months.empty:
        return
    st.subheader(t("rep.claims_by_month"))
    st.altair_chart(claims_by_month_chart(months), width="stretch")
