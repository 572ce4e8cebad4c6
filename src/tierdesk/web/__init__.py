"""The web entry point: a FastAPI app over the services (`tierdesk.web.app.create_app`)."""
