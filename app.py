"""Entry point: page config, login gate, navigation by role, language switch."""
import streamlit as st

from ui.i18n import LANGUAGES, t
from ui.login import RECENT_KEY, login_page
from ui.navigation import pages_for
from ui.session import current_user, get_db, sign_out
from ui.theme import apply_tablet_style

st.set_page_config(page_title="Warehouse", page_icon=":material/warehouse:", layout="wide",
                   initial_sidebar_state="collapsed")
st.session_state.setdefault("lang", "en")
apply_tablet_style(st.session_state["lang"])


def language_switch() -> None:
    codes = list(LANGUAGES)
    current = st.session_state["lang"]
    # Keyed by the current language: when sign-in loads the user's saved language the
    # control is drawn afresh with it, instead of keeping the login screen's choice.
    choice = st.sidebar.segmented_control(
        t("common.language"), codes, format_func=LANGUAGES.get,
        default=current, key=f"lang_switch_{current}",
    )
    if choice and choice != st.session_state["lang"]:
        st.session_state["lang"] = choice
        user = current_user()
        if user is not None:
            from services.users import set_language

            set_language(get_db(), actor=user.username, language=choice)
        st.rerun()


def switch_user() -> None:
    """Sign out but keep this tablet's recent usernames for one-tap sign-in."""
    recent = st.session_state.get(RECENT_KEY, [])
    sign_out()
    st.session_state[RECENT_KEY] = recent


def user_box(user) -> None:
    st.sidebar.markdown(f"**{user.display_name}** · {', '.join(t('role.' + r) for r in sorted(user.roles))}")
    st.sidebar.button(t("auth.switch_user"), icon=":material/switch_account:", width="stretch",
                      on_click=switch_user)
    st.sidebar.button(t("auth.sign_out"), icon=":material/logout:", width="stretch",
                      on_click=sign_out)


language_switch()
user = current_user()
if user is None:
    st.navigation([st.Page(login_page, title=t("auth.sign_in"), icon=":material/login:")],
                  position="hidden").run()
else:
    user_box(user)
    sections: dict[str, list] = {}
    for spec in pages_for(user.roles):
        sections.setdefault(t(spec.section_key), []).append(
            st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=spec.default))
    # Across the top on tablets, grouped by task: the content gets the full width.
    st.navigation(sections, position="top", expanded=True).run()
