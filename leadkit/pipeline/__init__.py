"""The batch pipeline: load once, snapshot, run the notebooks per period, export, index."""
