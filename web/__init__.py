"""The web server around the Streamlit app: the ASGI entry's routes, middleware and error page.

server.py builds the st.App from these parts; app.py and pages/ are the Streamlit script it runs.
Nothing in here computes figures: that is mayen_dash's work.
"""
