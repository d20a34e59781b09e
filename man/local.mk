# man/ - manual pages
