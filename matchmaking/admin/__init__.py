"""The council's admin: its site (site.py), shared pieces (common.py) and one module per area
of work (needs, matches, vetting, programmes, allocation, dashboard).

Models are registered in registry.py, imported by KithAdminConfig.ready() once the site
exists. Registering here instead would recurse: resolving the default site imports this
package, and registering asks for the default site.
"""
