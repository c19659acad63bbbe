"""Dashboard pages: one module each, registered by dashboard.app.create_app."""

#: The page modules of dashboard/pages, registered in this order (the menu follows each
#: page's own ``order``).
PAGES = ("alerts", "temperature", "notes", "live", "devices", "replay", "gait")
