"""SCIM 2.0 protocol: views and URLs at /scim/v2/ (writes in upskill.services.scim,
reads in upskill.selectors.scim)."""
