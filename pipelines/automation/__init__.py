"""Pipeline automation: rules that move, qualify and assign leads by themselves.

- ``conditions``: which leads a rule applies to (shared by engine, scheduler and preview)
- ``actions``: what a rule does, through ``leads.services``; round-robin picking
- ``engine``: event rules, run inside the change that fired them, with the loop guard
- ``idle``: IDLE_IN_STAGE rules for ``manage.py run_automations``
- ``services``: creating, changing and deleting rules
- ``describe``: a rule in one line, for people
- ``signals``: what deleting a stage does to rules
"""
