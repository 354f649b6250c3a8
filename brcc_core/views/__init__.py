"""Page view-models (pure: no Streamlit): dashboard, comparison, selection and the meeting
charts.
"""
