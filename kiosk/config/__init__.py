"""The configuration: every option declared once, validated, and its generated documentation."""
