"""The core app has no models of its own, but keeps this module: Django sends post_migrate only
to apps with one, and core's keeps the Site row in step (signal_handlers.sync_site_domain)."""
