"""What the app keeps to stay correct while a dependency is down (``vchata.counts``: missed cache invalidations)."""
