"""Tablet styling: touch targets of at least 44 px. Static CSS only (no user data)."""
import streamlit as st

TABLET_CSS = """
<style>
.stButton button, .stDownloadButton button, .stFormSubmitButton button,
.stLinkButton a, [data-testid="stPageLink"] a {
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
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[data-testid="stMainBlockContainer"] {
    padding: 2.5rem 1.5rem 2rem 1.5rem; max-width: 100%;
}
</style>
"""


def apply_tablet_style() -> None:
    st.html(TABLET_CSS)
