"""Dashboard pages: one module each, registered by dashboard.app.create_app."""
