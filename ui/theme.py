"""Tablet styling: touch targets of at least 44 px everywhere a finger goes
(buttons, links, fields, tabs, steppers, tags, help icons, toolbars, the sidebar
toggle). Static CSS only (no user data)."""
import streamlit as st

# Every touch target is at least 44 px (the CSS below spells the size out: it must
# stay a plain constant, the only kind of text st.html is given).
TABLET_CSS = """
<style>
.stButton button, .stDownloadButton button, .stFormSubmitButton button,
.stLinkButton a, [data-testid="stPageLink"] a, [data-testid="stSidebarNav"] a,
[data-testid="stButtonGroup"] button, [data-testid="stFileUploaderDropzone"] button,
[data-testid="stExpander"] summary, [role="tab"], [data-baseweb="tab"], [data-testid="stTab"],
[data-testid="stTopNavLink"], [data-testid="stNavSectionHeader"],
[data-testid="stTopNavSection"], [data-testid="stPageLink-NavLink"],
[data-testid="stTopNavDropdownLink"] {
    min-height: 44px;
}
[data-testid="stSidebarNav"] a { min-height: 44px; }
[data-testid="stButtonGroup"] button { min-height: 44px; }
[data-baseweb="tab"] { min-height: 44px; }
[data-testid="stFileUploaderDropzone"] button { min-height: 44px; }
[data-testid="stCameraInput"] button { min-height: 44px; }
.stTextInput input, .stNumberInput input, .stDateInput input { min-height: 44px; }
div[data-baseweb="select"] > div { min-height: 44px; }
.stCheckbox label { min-height: 44px; align-items: center; }
[role="tab"], [data-testid="stTab"], [data-testid="stButtonGroup"] button { min-width: 44px; }
.stTextInput input, .stNumberInput input, .stDateInput input, .stTimeInput input,
.stTextArea textarea, div[data-baseweb="select"] > div, [data-baseweb="input"],
[data-baseweb="base-input"], [data-testid="stSelectbox"] [role="group"],
[data-testid="stMultiSelect"] .react-aria-ComboBox, [data-testid="stNumberInputContainer"] {
    min-height: 44px; height: auto;
}
[data-testid="stNumberInputStepUp"], [data-testid="stNumberInputStepDown"] {
    min-width: 44px; min-height: 44px;
}
/* the icons inside a field (clear, open, calendar) get a finger-sized box */
div[data-baseweb="select"] [role="button"], div[data-baseweb="select"] button,
[data-testid="stSelectbox"] button, [data-testid="stMultiSelect"] button,
[data-testid="stDateInput"] button, [data-baseweb="input"] button, .stTextInput button {
    min-width: 44px; min-height: 44px; display: inline-flex;
    align-items: center; justify-content: center;
}
/* multiselect chips: the remove cross is a 44 px target */
[data-baseweb="tag"], [data-tag] { min-height: 44px; }
[data-baseweb="tag"] [role="presentation"], [data-tag] button {
    min-width: 44px; min-height: 44px; display: inline-flex;
    align-items: center; justify-content: center;
}
/* help icons next to labels and metrics */
[data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"],
[data-testid="stTooltipIcon"] button, [data-testid="stTooltipHoverTarget"] button {
    min-width: 44px; min-height: 44px; display: inline-flex;
    align-items: center; justify-content: center;
}
/* table and chart toolbars (search, download, full screen) */
[data-testid="stElementToolbar"] button, [data-testid="stElementToolbarButton"] button,
[data-testid="stElementToolbar"] [data-testid="stTooltipHoverTarget"] {
    min-width: 44px; min-height: 44px;
}
/* the sidebar toggle: the way to sign out and switch language on a portrait tablet */
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] button,
[data-testid="stHeader"] button, [data-testid="stToolbar"] button {
    min-width: 44px; min-height: 44px;
}
/* heading anchors are for a mouse hovering; on a tablet they are only small targets */
[data-testid="stHeaderActionElements"] { display: none; }
.stCheckbox label, .stRadio label, .stToggle label { min-height: 44px; align-items: center; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[data-testid="stMainBlockContainer"] {
    padding: 2.5rem 1.5rem 2rem 1.5rem; max-width: 100%;
}
</style>
"""


# Streamlit's file uploader has fixed English words ("Upload", "10MB per file • XLSX,
# CSV"); the label above it already names the types and the limit, so in Chinese the
# instructions are hidden and the button says 上传.
UPLOADER_ZH_CSS = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button > * { display: none; }
[data-testid="stFileUploaderDropzone"] button::after { content: "上传文件"; }
</style>
"""


def apply_tablet_style(lang: str = "en") -> None:
    st.html(TABLET_CSS)
    if lang == "zh":        # Streamlit's uploader caption is English only
        st.html(UPLOADER_ZH_CSS)
