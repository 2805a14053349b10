"""The Data Lake slice: browse, search and inspect Rucio through the server."""
