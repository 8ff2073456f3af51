"""sxit-portal core: schema, rules, workflow, portal renderer. No Streamlit here."""
