# tools/ - securememory-check (filled in by the tool work)
