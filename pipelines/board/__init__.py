"""The kanban board pages of a pipeline: reads in ``selectors``, pages in ``views``.

Above ``leads`` in the layering (it shows and moves leads), though it lives
beside the pipelines it draws; ``pipelines`` itself never imports it.
"""
